/*
 * tunnel.c — the tunnels an IP packet carries, and the path a packet's layers make.
 *
 * After an IP packet's transport header (ip.c) tunnel_decap looks for a tunnel:
 *   IP protocol 47: GRE (gre.h), and through it ERSPAN types I, II and III (erspan.h);
 *   IP protocols 4 and 41: an IPv4 or IPv6 packet inside (RFC 2003, RFC 4213, RFC 2473);
 *   UDP: GTP-U on port 2152 (gtpu.c); by destination port VXLAN 4789, VXLAN-GPE 4790
 *     (vxlan.h) and Geneve 6081 (geneve.h). On any other port VXLAN and Geneve are
 *     recognised too where the header is exact and an Ethernet frame with an IP
 *     packet (or, for Geneve, an IP packet) follows: cloud mirrors and overlays use
 *     ports of their own. Ports are a hint, not proof: on its own port a header
 *     that is not the tunnel's is a look-alike (tunnel.malformed), and the packet is
 *     read as the UDP it is.
 * The inner packet is decoded from its first layer into the same packet by the
 * decoder's layer loop (ether.c), so a tunnel inside a tunnel opens the same way,
 * until TUNNEL_MAX_LAYERS layers are on the path (tunnel.depth): the packet is then
 * not read at all, rather than read as a tunnel it is not.
 *
 * Each layer also goes into the packet's tunnel_key (packet.h), for the flow table:
 * what does not depend on the packet's direction — the layer's kind, its flow_id (a
 * VNI, a session, a VLAN; not a TEID or MPLS label), and for a tunnel carried by IP its
 * two ends as a pair. GTP-U adds its kind only: one subscriber's packet crosses
 * several GTP-U hops of one core (an "any" capture sees each), and they are one flow,
 * as they always were here. Fragment reassembly keys on the path as the direction
 * saw it instead (tunnel_fragment_key: every id, the innermost tunnel's ends in
 * order), worked out only for fragments.
 *
 * The common outer stacks (IPv4 + UDP to a tunnel's port, or GRE) are usually decided
 * before they come here, by the layer loop's short-cut (ether.c), which makes the same
 * decisions as this path in fewer steps: a change of a choice here (a port, an order)
 * is a change there too; test_tunnel.c compares the two on every frame.
 */
#include "decode/decode_internal.h"

#include "core/hash.h"
#include "decode/erspan.h"
#include "decode/geneve.h"
#include "decode/gre.h"
#include "decode/gtpu.h"
#include "decode/vxlan.h"

enum { IPPROTO_IPIP_ = 4, IPPROTO_IPV6_ = 41 };

enum decode_result tunnel_failed(struct decoder *d, enum encap_result r, bool cut)
{
	if (r == ENCAP_SHORT && cut) {
		decode_note_capture_truncated(d);
		return DECODE_TRUNCATED;
	}
	stats_anomaly(d->stats, ANOM_TUNNEL_MALFORMED);
	return DECODE_MALFORMED;
}

uint32_t tunnel_fragment_key(const struct packet *p)
{
	const struct tunnel_path *t = &p->tunnel;
	if (t->n == 0)
		return 0;
	uint32_t h = HASH_SEED;
	for (unsigned i = 0; i < t->n && i < TUNNEL_MAX_LAYERS; i++)
		h = hash_word(hash_word(h, t->kind[i]), t->id[i]);
	if (p->tunnelled)
		h = hash_word(hash_word(h, addr_hash(&p->outer_src)), addr_hash(&p->outer_dst));
	return hash_mix32(h) | 1;
}

/* A tunnel's own port held something else: a look-alike, counted, read as plain UDP. */
static enum encap_result on_port(struct decoder *d, enum encap_result r)
{
	if (r == ENCAP_NONE)
		stats_anomaly(d->stats, ANOM_TUNNEL_MALFORMED);
	return r;
}

static enum encap_result udp_tunnel(struct decoder *d, const struct packet *pkt, struct span s,
				    struct encap *e)
{
	if (pkt->sport == GTPU_PORT || pkt->dport == GTPU_PORT)
		return gtpu_parse(s.ptr, s.len, e); /* not a G-PDU: GTP-U's own echo and the like */
	/* VXLAN and Geneve send from a source port that is a hash of the inner flow, to
	   the tunnel's port: only the destination says which tunnel it is */
	switch (pkt->dport) {
	case VXLAN_PORT:
		return on_port(d, vxlan_parse(s.ptr, s.len, false, e));
	case VXLAN_GPE_PORT:
		return on_port(d, vxlan_gpe_parse(s.ptr, s.len, e));
	case GENEVE_PORT:
		return on_port(d, geneve_parse(s.ptr, s.len, false, e));
	default:
		break;
	}
	/* Elsewhere only an exact header is a tunnel. Its first two bytes rule out nearly
	   all other UDP at once (every UDP packet comes this way): RTP starts 0x80, QUIC
	   0x40 and up; an exact VXLAN header starts 0x08 0x00, Geneve's below 0x40 (version
	   0) and then its flags byte with its six reserved bits clear. */
	struct cursor c = cur_make(s.ptr, s.len);
	uint8_t first = cur_peek_u8(&c, 0), second = cur_peek_u8(&c, 1);
	if (first == 0x08 && second == 0 && vxlan_parse(s.ptr, s.len, true, e) == ENCAP_OK &&
	    encap_looks_ethernet(e->inner))
		return ENCAP_OK;
	if (first < 0x40 && (second & 0x3f) == 0 && geneve_parse(s.ptr, s.len, true, e) == ENCAP_OK &&
	    (e->next == ETHERTYPE_TEB ? encap_looks_ethernet(e->inner)
				      : encap_looks_ip(e->inner, e->next == ETHERTYPE_IPV4 ? 4 : 6)))
		return ENCAP_OK;
	return ENCAP_NONE;
}

static enum encap_result ip_in_ip(struct span s, enum tunnel_kind kind, uint16_t next, struct encap *e)
{
	e->kind = (uint8_t)kind;
	e->id = e->flow_id = 0;
	e->next = next;
	e->inner = s;
	return ENCAP_OK;
}

enum encap_result tunnel_decap(struct decoder *d, const struct packet *out, struct encap *e)
{
	struct span s = { out->payload, out->payload_len };
	if (out->ip_proto == IPPROTO_UDP_) /* most packets that come this way */
		return udp_tunnel(d, out, s, e);
	switch (out->ip_proto) {
	case IPPROTO_GRE_:
		return tunnel_gre(s, e);
	case IPPROTO_IPIP_:
		return ip_in_ip(s, TUNNEL_IPIP, ETHERTYPE_IPV4, e);
	case IPPROTO_IPV6_:
		return ip_in_ip(s, TUNNEL_IP6IP, ETHERTYPE_IPV6, e);
	default:
		return ENCAP_NONE;
	}
}
