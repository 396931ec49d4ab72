/*
 * mpls.h — an MPLS label stack (RFC 3032) and what its bottom carries: IPv4, IPv6,
 * or an Ethernet pseudowire with or without its control word (RFC 4448, RFC 4385).
 * Label stack entries (RFC 3032 §2.1):
 *
 *   |                Label (20)                     | TC  |S|   TTL (8)     |
 *
 * MPLS does not say what it carries; the router that pops the last label knows from
 * its own tables. A sensor guesses as every analyser does (Wireshark, Suricata):
 *   - bottom label 0 or 2 (explicit null, RFC 3032 §2.1): IPv4, IPv6;
 *   - first nibble 4 or 6 and a header that fits: IPv4, IPv6;
 *   - first nibble 0: the pseudowire control word (RFC 4385 §3: 0000, flags,
 *     length, sequence) then an Ethernet frame, when one follows it; else an Ethernet
 *     frame whose destination MAC happens to start with 0;
 *   - anything else: an Ethernet pseudowire without a control word (RFC 4448 §4.6).
 * A frame whose destination MAC starts 0x4_ or 0x6_ with an IP-like header after it
 * could be taken for IP: that ambiguity is why RFC 4385 has pseudowires use the
 * control word.
 */

#ifndef PENTRAP_DECODE_MPLS_H
#define PENTRAP_DECODE_MPLS_H

#include "decode/encap.h"

enum { MPLS_MAX_LABELS = 8 }; /* carriers stack two to four; more is a crafted packet */

enum {
	MPLS_LABEL_IPV4_NULL = 0,
	MPLS_LABEL_IPV6_NULL = 2,
	MPLS_LABEL_GAL = 13,
	PW_CONTROL_WORD = 4,
};

/*
 * Parses the label stack at p. ENCAP_OK: TUNNEL_MPLS with the bottom label, next IPv4,
 * IPv6 or an Ethernet frame (e->inner after the control word when there is one).
 * ENCAP_MALFORMED past MPLS_MAX_LABELS; ENCAP_NONE for an associated channel (GAL).
 * Inline, in the header rather than an mpls.c: every MPLS packet's layer loop (ether.c)
 * reads it this way, its layer kept in registers.
 */
static inline enum encap_result mpls_parse(const uint8_t *p, size_t len, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	uint32_t entry = 0;
	for (int n = 0;; n++) {
		if (n == MPLS_MAX_LABELS)
			return ENCAP_MALFORMED;
		entry = cur_be32(&c);
		if (!cur_ok(&c))
			return ENCAP_SHORT;
		if (entry & 0x100) /* bottom of stack */
			break;
	}
	uint32_t label = entry >> 12;
	if (label == MPLS_LABEL_GAL)
		return ENCAP_NONE;
	struct span rest = cur_rest(&c);
	e->kind = TUNNEL_MPLS;
	e->id = label;
	e->flow_id = 0; /* labels are chosen per hop and per direction */
	e->inner = rest;
	struct cursor r = cur_make(rest.ptr, rest.len);
	unsigned nibble = cur_peek_u8(&r, 0) >> 4;
	if (label == MPLS_LABEL_IPV4_NULL || label == MPLS_LABEL_IPV6_NULL) {
		e->next = label == MPLS_LABEL_IPV4_NULL ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
		return ENCAP_OK;
	}
	if ((nibble == 4 || nibble == 6) && encap_looks_ip(rest, nibble)) {
		e->next = nibble == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
		return ENCAP_OK;
	}
	e->next = ETHERTYPE_TEB;
	if (nibble == 0) {
		struct cursor cw = cur_make(rest.ptr, rest.len);
		cur_skip(&cw, PW_CONTROL_WORD);
		struct span after = cur_rest(&cw);
		if (!cur_ok(&cw))
			return ENCAP_SHORT;
		if (encap_looks_ethernet(after) || !encap_looks_ethernet(rest))
			e->inner = after;
	}
	return ENCAP_OK;
}

#endif
