/*
 * ether.c — Ethernet II frames (IEEE 802.3) and what an ethertype names, wherever the
 * frame is: on the capture's own link, inside a tunnel (VXLAN, Geneve, GRE 0x6558,
 * ERSPAN, an MPLS pseudowire), or after a Linux cooked header.
 *
 *   IPv4 0x0800, IPv6 0x86dd                      → ip.c
 *   VLAN tags 0x8100 (802.1Q), 0x88a8 (802.1ad), 0x9100 (pre-standard QinQ), stacked
 *   MPLS 0x8847, 0x8848                           → mpls.c
 *   PPPoE session 0x8864                          → pppoe.c
 *   NSH 0x894f                                    → nsh.c
 *   Ethernet 0x6558 (transparent bridging)        → another frame
 * Every layer goes on the packet's tunnel path (tunnel.c); anything else (ARP, LLDP,
 * PPPoE discovery, 802.3 lengths) is not ours and not wrong: DECODE_SKIP.
 */
#include "decode/decode_internal.h"

#include "decode/mpls.h"
#include "decode/nsh.h"
#include "decode/pppoe.h"

/* The Ethernet header at the front of p: its type, and p moved past it. */
static bool ether_header(struct span *p, uint16_t *type)
{
	struct cursor c = cur_make(p->ptr, p->len);
	cur_skip(&c, 12); /* destination and source MAC */
	*type = cur_be16(&c);
	*p = cur_rest(&c);
	return cur_ok(&c);
}

enum decode_result ether_frame(struct decoder *d, struct span frame, bool cut, struct packet *out)
{
	uint16_t type;
	if (!ether_header(&frame, &type))
		return tunnel_failed(d, ENCAP_SHORT, cut);
	return ether_payload(d, type, frame, cut, out);
}

/* An IP packet, and the tunnel it carries if any (tunnel.c): ENCAP_OK with e what
 * follows the tunnel's header; ENCAP_NONE for none. */
static enum encap_result ip_layer(struct decoder *d, uint16_t type, struct span p, struct packet *out,
				  struct encap *e, enum decode_result *r)
{
	int version = type == ETHERTYPE_IPV4 ? 4 : type == ETHERTYPE_IPV6 ? 6 : 0;
	*r = ip_decode(d, p.ptr, p.len, version, out);
	if (*r != DECODE_OK || out->ip_proto == IPPROTO_TCP_) /* no tunnel rides on TCP */
		return ENCAP_NONE;
	return tunnel_decap(d, out, e);
}

/*
 * One layer after another, in a loop rather than by recursion: every layer a packet
 * comes through costs only its own header (the tunnel path is measured against the
 * same packets untunnelled: bench/tunnel-cost.sh). Each pass reads what type names at
 * p and either ends (an IP packet that carries no tunnel, or something not ours) or
 * goes round with what follows.
 */
enum decode_result ether_payload(struct decoder *d, uint16_t type, struct span p, bool cut,
				 struct packet *out)
{
	bool rebuilt = false; /* some IP layer was reassembled from fragments */
	for (;;) {
		struct encap e;
		enum encap_result r = ENCAP_NONE;
		/* IPv4 is nearly every pass: tested before the switch, a tree of compares */
		bool ip = type == ETHERTYPE_IPV4;
		if (!ip) {
			switch (type) {
			case ETHERTYPE_IPV6:
			case ETHERTYPE_IP_ANY:
				ip = true;
				break;
			case ETHERTYPE_TEB:
				if (!ether_header(&p, &type))
					return tunnel_failed(d, ENCAP_SHORT, cut);
				continue;
			case ETHERTYPE_8021Q:
			case ETHERTYPE_8021AD:
			case ETHERTYPE_QINQ_OLD: {
				/* a VLAN tag: a layer (priority, DEI, the 12-bit id), copied out in
				   one bounded read (the compiler resolves the copy's checks) */
				uint8_t tag[4];
				struct cursor c = cur_make(p.ptr, p.len);
				cur_copy(&c, tag, sizeof tag);
				p = cur_rest(&c);
				if (!cur_ok(&c))
					return tunnel_failed(d, ENCAP_SHORT, cut);
				struct cursor h = cur_make(tag, sizeof tag);
				uint16_t tci = cur_be16(&h);
				type = cur_be16(&h);
				if (!tunnel_push(d, out, TUNNEL_VLAN, tci & 0x0fffu, tci & 0x0fffu, false))
					return DECODE_MALFORMED;
				continue;
			}
			case ETHERTYPE_MPLS:
			case ETHERTYPE_MPLS_MC:
				r = mpls_parse(p.ptr, p.len, &e);
				break;
			case ETHERTYPE_PPPOE_SESSION:
				/* its LENGTH past the frame is a lie unless the capture cut the frame
				   (cut says only that the bytes could have been cut) */
				r = pppoe_parse(p.ptr, p.len, cut && out->caplen < out->wirelen, &e);
				break;
			case ETHERTYPE_NSH:
				r = nsh_parse(p.ptr, p.len, &e);
				break;
			default:
				return DECODE_SKIP; /* ARP, LLDP, 802.3 lengths ...: not ours, not wrong */
			}
		}
		if (ip) {
			enum decode_result res;
			r = ip_layer(d, type, p, out, &e, &res);
			if (res != DECODE_OK)
				return res;
			rebuilt |= out->reassembled;
			if (r == ENCAP_NONE) { /* no tunnel: the packet is what it is */
				out->reassembled = rebuilt;
				return DECODE_OK;
			}
			cut = out->payload_truncated; /* the inner packet was cut if its carrier was */
		} else if (r == ENCAP_NONE) {
			return DECODE_SKIP; /* PPP's control protocols, an MPLS associated channel */
		}
		if (r != ENCAP_OK)
			return tunnel_failed(d, r, cut);
		if (!tunnel_push(d, out, e.kind, e.id, e.flow_id, ip))
			return DECODE_MALFORMED;
		if (ip)
			tunnel_enter(out, &e);
		type = e.next;
		p = e.inner;
	}
}
