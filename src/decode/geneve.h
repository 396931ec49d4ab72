/*
 * geneve.h — Geneve (RFC 8926, UDP 6081): the overlay of Open vSwitch, OVN and cloud
 * load balancers and mirrors. The header (RFC 8926 §3.4):
 *
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   |                    Variable-Length Options                    |
 * Opt Len counts the options in 4-byte words; they are skipped whole (what they say
 * is the overlay's business). O (a control message) still carries a frame when the
 * protocol type says so.
 */
#ifndef PENTRAP_DECODE_GENEVE_H
#define PENTRAP_DECODE_GENEVE_H

#include "decode/encap.h"

enum { GENEVE_PORT = 6081 };

/*
 * Parses a Geneve header and skips its options by their total length. On Geneve's
 * port (exact false) version 0 is what makes it Geneve; elsewhere (exact true) the
 * reserved bits must be zero and the protocol Ethernet, IPv4 or IPv6.
 * ENCAP_OK: TUNNEL_GENEVE with the VNI, next the protocol type.
 *
 * Inline, in the header rather than a geneve.c: the decoder's short-cut (ether.c)
 * reads every Geneve packet's header this way, and the call and the handing over of
 * e through memory were a third of its cost. The fixed 8 bytes are read from a copy
 * (cur_copy_out) as two words.
 */
__attribute__((always_inline)) static inline enum encap_result geneve_parse(const uint8_t *p, size_t len, bool exact, struct encap *e)
{
	uint8_t fixed[8];
	struct cursor c = cur_make(p, len);
	struct cursor h = cur_copy_out(&c, fixed, sizeof fixed);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	uint32_t word0 = cur_be32(&h), word1 = cur_be32(&h);
	uint8_t ver_optlen = (uint8_t)(word0 >> 24);
	uint8_t flags = (uint8_t)(word0 >> 16);
	uint16_t proto = (uint16_t)word0;
	uint32_t vni = word1 >> 8;
	uint8_t reserved = (uint8_t)word1;
	/* version 0 carrying a frame, nearly every packet: both told in one compare */
	bool frame = __builtin_expect((word0 & 0xc000ffffu) == ETHERTYPE_TEB, 1);
	if (!frame && (ver_optlen >> 6) != 0)
		return ENCAP_NONE;
	if (exact && ((flags & 0x3f) != 0 || reserved != 0 ||
		      (proto != ETHERTYPE_TEB && proto != ETHERTYPE_IPV4 && proto != ETHERTYPE_IPV6)))
		return ENCAP_NONE;
	/* the options, whole: one compare against what is left, no cursor state to carry */
	size_t hdr = sizeof fixed + (size_t)(ver_optlen & 0x3f) * 4;
	if (len < hdr)
		return ENCAP_SHORT;
	return encap_found(e, TUNNEL_GENEVE, vni, vni, frame ? ETHERTYPE_TEB : proto,
			   (struct span){ p + hdr, len - hdr });
}

#endif
