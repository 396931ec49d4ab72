/*
 * ether.c — Ethernet II frames (IEEE 802.3) and what an ethertype names, wherever the
 * frame is: on the capture's own link, inside a tunnel (VXLAN, Geneve, GRE 0x6558,
 * ERSPAN, an MPLS pseudowire), or after a Linux cooked header.
 *
 *   IPv4 0x0800, IPv6 0x86dd                      → ip.c
 *   VLAN tags 0x8100 (802.1Q), 0x88a8 (802.1ad), 0x9100 (pre-standard QinQ), stacked
 *   MPLS 0x8847, 0x8848                           → mpls.h
 *   PPPoE session 0x8864                          → pppoe.c
 *   NSH 0x894f                                    → nsh.c
 *   Ethernet 0x6558 (transparent bridging)        → another frame
 * Every layer goes on the packet's tunnel path (tunnel.c); anything else (ARP, LLDP,
 * PPPoE discovery, 802.3 lengths) is not ours and not wrong: DECODE_SKIP.
 *
 * The short-cut (short_cut below): nearly every tunnelled packet comes in the same
 * outer stack — an IPv4 header without options, not a fragment, not cut by the
 * capture, carrying UDP to a tunnel's port or GRE — and the general path (ip.c, then
 * tunnel.c) reads all of that outer packet into the packet's fields only for the inner
 * packet to overwrite them: a tunnel cost 28 % more than the same packets untunnelled
 * (bench/tunnel-cost.sh, docs/performance.md). The short-cut recognises that stack with
 * a few compares on one bounded copy of its headers, hands the tunnel's header to the
 * same parser tunnel_decap would, and leaves exactly what the general path would have
 * left. Anything else, and any header a parser does not accept (a look-alike, a short
 * or malformed one), goes the general way from the start, which counts it.
 */
#include "decode/decode_internal.h"

#include "decode/geneve.h"
#include "decode/gre.h"
#include "decode/gtpu.h"
#include "decode/mpls.h"
#include "decode/nsh.h"
#include "decode/pppoe.h"
#include "decode/vxlan.h"

/* The outer headers the short-cut reads: IPv4 without options, then UDP (GRE's first 4
 * bytes take the same room). */
enum { OUTER_IPV4 = 20, OUTER_UDP = 8, OUTER_HDRS = OUTER_IPV4 + OUTER_UDP };
/* The least IPv4 total length the short-cut takes: the outer headers and the 8 bytes of
 * a tunnel header (VXLAN's, Geneve's fixed part, GTP-U's, GRE's with its sequence
 * number); the parsers' own first length checks are then known to pass. A shorter
 * packet carries no tunnel worth a short-cut and goes the general way. */
enum { OUTER_LEAST = OUTER_HDRS + 8 };

/* The Ethernet header at the front of p: its type, and p moved past it. Always inline,
 * as the short-cut's own steps: the compiler otherwise leaves one or another of them out
 * of line, a call and its moves on every tunnelled packet. */
__attribute__((always_inline)) static inline bool ether_header(struct span *p, uint16_t *type)
{
	struct cursor c = cur_make(p->ptr, p->len);
	if (!cur_has(&c, 14)) /* one check for the reads below: the compiler drops theirs */
		return false;
	cur_skip(&c, 12); /* destination and source MAC */
	*type = cur_be16(&c);
	*p = cur_rest(&c);
	return true;
}

/* What the short-cut takes a packet for, from its protocol and ports alone. */
enum short_cut_kind { SC_NONE, SC_GTPU, SC_VXLAN, SC_GENEVE, SC_VXLAN_GPE, SC_GRE };

/* By udp_tunnel's (tunnel.c) choices: GTP-U's port either way first, then the
 * destination port; the exact-header look off the ports is left to it. VXLAN's and
 * Geneve's ports are tried first here (GTP-U's still wins over them): the commonest
 * tunnels pay the fewest compares. */
static inline enum short_cut_kind short_cut_kind(uint8_t proto, uint16_t sport, uint16_t dport)
{
	if (proto == IPPROTO_GRE_)
		return SC_GRE;
	if (proto != IPPROTO_UDP_)
		return SC_NONE;
	if (sport != GTPU_PORT) { /* else GTP-U whatever the destination */
		if (dport == VXLAN_PORT)
			return SC_VXLAN;
		if (dport == GENEVE_PORT)
			return SC_GENEVE;
	}
	if (sport == GTPU_PORT || dport == GTPU_PORT)
		return SC_GTPU;
	return dport == VXLAN_GPE_PORT ? SC_VXLAN_GPE : SC_NONE;
}

/*
 * What the short-cut may take the IPv4 packet at p for, at a look: its protocol and
 * UDP's ports where a 20-byte header puts them. Inline: every IPv4 layer asks, and
 * every untunnelled one fails here at once, TCP at its protocol, UDP at its ports.
 */
static inline enum short_cut_kind short_cut_look(struct span p)
{
	struct cursor c = cur_make(p.ptr, p.len);
	if (!cur_has(&c, OUTER_HDRS))
		return SC_NONE;
	uint8_t proto = cur_peek_u8(&c, 9);
	if (proto == IPPROTO_GRE_)
		return SC_GRE;
	if (__builtin_expect(proto != IPPROTO_UDP_, 1)) /* TCP, straight on to ip_decode */
		return SC_NONE;
	return short_cut_kind(proto, (uint16_t)(cur_peek_u8(&c, OUTER_IPV4) << 8 | cur_peek_u8(&c, OUTER_IPV4 + 1)),
			      (uint16_t)(cur_peek_u8(&c, OUTER_IPV4 + 2) << 8 | cur_peek_u8(&c, OUTER_IPV4 + 3)));
}

/*
 * The short-cut's last step, once the tunnel's header is read into layer: a frame
 * inside (VXLAN, Geneve, ERSPAN) has its Ethernet header read too, as the loop's next
 * pass would read it (one that is short is the general path's to count); then what
 * ip_decode and the loop would have left: the outer packet counted as transport counts
 * it, the tunnel's ends (h: the outer IPv4 header), its layer on the path. *type and *p:
 * what follows. Always inline, once for each place the layer may be: where the header
 * was parsed inline the layer then stays in registers.
 */
__attribute__((always_inline)) static inline bool short_cut_enter(struct decoder *d, const uint8_t *h,
								 const struct encap *layer, struct packet *out,
								 uint16_t *type, struct span *p)
{
	uint16_t next = layer->next;
	struct span inner = layer->inner;
	if (next == ETHERTYPE_TEB && !ether_header(&inner, &next))
		return false;
	d->stats->ip_packets++; /* never NULL (decode.c) */
	d->short_cuts++;
	addr_set_v4(&out->outer_src, h + 12);
	addr_set_v4(&out->outer_dst, h + 16);
	tunnel_push_below_cap(d, out, layer->kind, layer->id, layer->flow_id, true); /* short_cut's check */
	tunnel_enter(out, layer);
	*type = next;
	*p = inner;
	return true;
}

/*
 * The short-cut (see the top of the file) for the IPv4 packet at *p that short_cut_look
 * took for kind. True: the tunnel's layer is on out's path, its ends kept and the
 * outer packet counted, and *type and *p are what follows the tunnel's header (past the
 * inner Ethernet header when it carries a frame) — what ip_decode, tunnel_decap and a
 * pass of the loop would have left, with the inner packet not cut. False: nothing
 * written or counted, for the general path to decode *p from its start. e: room for
 * the layers of the parsers that are called.
 */
__attribute__((always_inline)) static inline bool short_cut(struct decoder *d, enum short_cut_kind kind,
							   struct packet *out, struct encap *e, uint16_t *type,
							   struct span *p)
{
	/* Both headers in one bounded read (short_cut_look made sure of them); the compares
	   are ip.c's (ipv4, udp) for the one case that takes none of their other branches. */
	uint8_t h[OUTER_HDRS];
	struct cursor c = cur_make(p->ptr, p->len);
	cur_copy(&c, h, sizeof h);
	if (!cur_ok(&c))
		return false;
	uint16_t total = (uint16_t)(h[2] << 8 | h[3]);
	if (h[0] != 0x45 /* version 4, 20 bytes */ || ((h[6] << 8 | h[7]) & 0x3fff) != 0 /* a fragment */ ||
	    total < OUTER_LEAST || total > p->len /* too short for the compares, or cut */ ||
	    out->tunnel.n >= d->short_cut_depth /* the cap is the general path's to count */)
		return false;
	/* the datagram without its link padding, as ipv4 windows it */
	struct cursor dg = cur_make(p->ptr, total);
	cur_skip(&dg, kind == SC_GRE ? OUTER_IPV4 : OUTER_HDRS); /* within total, just checked */
	/* UDP: only the datagram that fills its IP packet, the usual case (udp's length
	   checks then have nothing to say); any other goes the general way */
	if (kind != SC_GRE && (uint16_t)(h[24] << 8 | h[25]) != total - OUTER_IPV4)
		return false;
	struct span s = cur_rest(&dg);
	/* VXLAN, Geneve, GRE (ERSPAN) and GTP-U, whose parsers are inline, into a layer of
	   their own that stays in registers; VXLAN-GPE into e */
	struct encap layer;
	enum encap_result r;
	switch (__builtin_expect(kind, SC_VXLAN)) { /* the commonest tunnel first */
	case SC_VXLAN:
		if (vxlan_parse(s.ptr, s.len, false, &layer) != ENCAP_OK)
			return false;
		return short_cut_enter(d, h, &layer, out, type, p);
	case SC_GENEVE:
		if (geneve_parse(s.ptr, s.len, false, &layer) != ENCAP_OK)
			return false;
		if (__builtin_expect(layer.next == ETHERTYPE_TEB, 1)) /* a frame, nearly always: its header read unasked */
			return short_cut_enter(d, h, &layer, out, type, p);
		return short_cut_enter(d, h, &layer, out, type, p);
	case SC_GRE: {
		/* GRE's first 8 bytes are in h and inside the datagram (total >= OUTER_LEAST):
		   the two commonest headers are told from them at once, as gre_parse and
		   tunnel_gre would tell them — flags 0 with IPv4, and ERSPAN II (the sequence
		   bit, 0x88be), whose own header follows the sequence number */
		uint32_t gre = (uint32_t)h[20] << 24 | (uint32_t)h[21] << 16 | (uint32_t)h[22] << 8 | h[23];
		if (gre == ETHERTYPE_IPV4) {
			encap_found(&layer, TUNNEL_GRE, 0, 0, ETHERTYPE_IPV4, (struct span){ s.ptr + 4, s.len - 4 });
			return short_cut_enter(d, h, &layer, out, type, p);
		}
		if (gre == ((uint32_t)GRE_S << 16 | ETHERTYPE_ERSPAN2)) {
			if (erspan_parse(s.ptr + 8, s.len - 8, ETHERTYPE_ERSPAN2, &layer) != ENCAP_OK)
				return false;
			return short_cut_enter(d, h, &layer, out, type, p);
		}
		if (tunnel_gre(s, &layer) != ENCAP_OK)
			return false;
		return short_cut_enter(d, h, &layer, out, type, p);
	}
	case SC_GTPU:
		if (gtpu_parse(s.ptr, s.len, &layer) != ENCAP_OK)
			return false;
		return short_cut_enter(d, h, &layer, out, type, p);
	default:
		r = vxlan_gpe_parse(s.ptr, s.len, e);
		break;
	}
	return r == ENCAP_OK && short_cut_enter(d, h, e, out, type, p);
}

/* The short-cut for what short_cut_look took the packet at *p for: one copy of it a
 * kind, with kind a constant in each (short_cut always inline), so the look's answer
 * leads straight to its kind's code, no second dispatch on it. */
__attribute__((always_inline)) static inline bool short_cut_by_kind(struct decoder *d, enum short_cut_kind kind,
								   struct packet *out, struct encap *e,
								   uint16_t *type, struct span *p)
{
	switch (kind) {
	case SC_VXLAN:
		return short_cut(d, SC_VXLAN, out, e, type, p);
	case SC_GENEVE:
		return short_cut(d, SC_GENEVE, out, e, type, p);
	case SC_GRE:
		return short_cut(d, SC_GRE, out, e, type, p);
	case SC_GTPU:
		return short_cut(d, SC_GTPU, out, e, type, p);
	case SC_VXLAN_GPE:
		return short_cut(d, SC_VXLAN_GPE, out, e, type, p);
	case SC_NONE:
		break;
	}
	return false;
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
__attribute__((flatten)) enum decode_result ether_payload(struct decoder *d, uint16_t type, struct span p, bool cut,
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
				/* a VLAN tag: a layer (priority, DEI, the 12-bit id), read from a
				   copy (cur_copy_out) */
				uint8_t tag[4];
				struct cursor c = cur_make(p.ptr, p.len);
				struct cursor h = cur_copy_out(&c, tag, sizeof tag);
				p = cur_rest(&c);
				if (!cur_ok(&c))
					return tunnel_failed(d, ENCAP_SHORT, cut);
				uint16_t tci = cur_be16(&h);
				type = cur_be16(&h);
				if (!tunnel_push(d, out, TUNNEL_VLAN, tci & 0x0fffu, tci & 0x0fffu, false))
					return DECODE_MALFORMED;
				continue;
			}
			case ETHERTYPE_MPLS:
			case ETHERTYPE_MPLS_MC: {
				/* its layer in a struct of its own, which stays in registers (e goes
				   to parsers that are called); put on the path here as below */
				struct encap m;
				r = mpls_parse(p.ptr, p.len, &m);
				if (r != ENCAP_OK)
					break;
				if (!tunnel_push(d, out, m.kind, m.id, m.flow_id, false))
					return DECODE_MALFORMED;
				type = m.next;
				p = m.inner;
				continue;
			}
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
			enum short_cut_kind sc = type == ETHERTYPE_IPV4 ? short_cut_look(p) : SC_NONE;
			if (short_cut_by_kind(d, sc, out, &e, &type, &p)) {
				/* a tunnel's common outer stack, opened as below in a handful of
				   compares; the inner packet was not cut */
				cut = false;
				continue;
			}
			enum decode_result res;
			r = ip_layer(d, type, p, out, &e, &res);
			if (res != DECODE_OK)
				return res;
			rebuilt |= out->reassembled;
			if (r == ENCAP_NONE) { /* no tunnel: the packet is what it is */
				out->reassembled = rebuilt;
				return DECODE_OK;
			}
			if (r != ENCAP_OK)
				return tunnel_failed(d, r, out->payload_truncated);
			cut = out->payload_truncated; /* the inner packet was cut if its carrier was */
			tunnel_ends(out);
		} else if (r != ENCAP_OK) {
			if (r == ENCAP_NONE)
				return DECODE_SKIP; /* PPP's control protocols, an MPLS associated channel */
			return tunnel_failed(d, r, cut);
		}
		if (!tunnel_push(d, out, e.kind, e.id, e.flow_id, ip))
			return DECODE_MALFORMED;
		if (ip)
			tunnel_enter(out, &e);
		type = e.next;
		p = e.inner;
	}
}
