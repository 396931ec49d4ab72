/*
 * gre.h — Generic Routing Encapsulation (RFC 2784, RFC 2890), IP protocol 47: GRE with
 * RFC 2890's key and sequence number.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |C|R|K|S|s|Recur|  Flags  | Ver |         Protocol Type         |
 *   |      Checksum (if C)          |       Reserved1 (if C)        |
 *   |                         Key (if K)                            |
 *   |                 Sequence Number (if S)                        |
 *
 * Version 0 only: version 1 is PPTP's enhanced GRE, which carries PPP (not opened).
 * RFC 1701's routing (R), strict source route (s) and recursion bits: RFC 2784 §2.3
 * has a receiver that does not implement RFC 1701 discard what sets them, so they
 * are malformed here. The protocol type is an ethertype.
 *
 * ERSPAN types I and II share the protocol type 0x88be: type II sets the sequence
 * bit and has a header of its own, type I does neither (the ERSPAN draft,
 * draft-foschiano-erspan; Wireshark and tcpdump tell them apart the same way).
 */
#ifndef PENTRAP_DECODE_GRE_H
#define PENTRAP_DECODE_GRE_H

#include "decode/encap.h"

enum { IPPROTO_GRE_ = 47 };

enum {
	GRE_C = 0x8000,
	GRE_R = 0x4000,
	GRE_K = 0x2000,
	GRE_S = 0x1000,
	GRE_SSR_RECUR = 0x0f00, /* strict source route, recursion control */
	GRE_VERSION = 0x0007,
};

/*
 * Parses a GRE header at p. ENCAP_OK: e->next is the protocol type; a plain GRE layer
 * (TUNNEL_GRE, TUNNEL_GRE_KEY), or for ERSPAN type I, whose GRE header is all there
 * is of it, TUNNEL_ERSPAN1 with an Ethernet frame next. ERSPAN types II and III come
 * back as GRE with e->next ETHERTYPE_ERSPAN2 / ETHERTYPE_ERSPAN3: their own header
 * (erspan.h) follows. ENCAP_NONE for GRE versions other than 0 (PPTP's).
 *
 * Inline, in the header rather than a gre.c: the decoder's short-cut (ether.c) reads
 * every GRE and ERSPAN packet's header this way; the calls and the layer handed over
 * through memory were a third of what a GRE tunnel cost.
 */
static inline enum encap_result gre_parse(const uint8_t *p, size_t len, struct encap *e)
{
	/* the fixed part, read from a copy (cur_copy_out) */
	uint8_t fixed[4];
	struct cursor c = cur_make(p, len);
	struct cursor h = cur_copy_out(&c, fixed, sizeof fixed);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	uint16_t flags = cur_be16(&h);
	uint16_t proto = cur_be16(&h);
	/* no checksum, no key, at most a sequence number (plain GRE, ERSPAN II and III):
	   nearly every header, in fewer steps; ERSPAN I (0x88be with no sequence) below */
	if ((flags & ~GRE_S) == 0 && (flags != 0 || proto != ETHERTYPE_ERSPAN2)) {
		cur_skip(&c, flags ? 4 : 0);
		if (!cur_ok(&c))
			return ENCAP_SHORT;
		return encap_found(e, TUNNEL_GRE, 0, 0, proto, cur_rest(&c));
	}
	if ((flags & GRE_VERSION) != 0)
		return ENCAP_NONE;
	if (flags & (GRE_R | GRE_SSR_RECUR))
		return ENCAP_MALFORMED;
	if (flags & GRE_C)
		cur_skip(&c, 4); /* checksum and reserved1: a mirror's copy is not ours to verify */
	uint32_t key = (flags & GRE_K) ? cur_be32(&c) : 0;
	if (flags & GRE_S)
		cur_skip(&c, 4);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	if (proto == ETHERTYPE_ERSPAN2 && !(flags & GRE_S))
		return encap_found(e, TUNNEL_ERSPAN1, 0, 0, ETHERTYPE_TEB, cur_rest(&c));
	/* the key is one tunnel's, the same both ways (RFC 2890 §2.1) */
	return encap_found(e, (flags & GRE_K) ? TUNNEL_GRE_KEY : TUNNEL_GRE, key, key, proto, cur_rest(&c));
}

#endif
