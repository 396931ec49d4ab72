/*
 * vxlan.h — VXLAN (RFC 7348, UDP 4789) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe,
 * UDP 4790): the overlays of data centres and the transport of cloud traffic mirrors.
 */
#ifndef PENTRAP_DECODE_VXLAN_H
#define PENTRAP_DECODE_VXLAN_H

#include "decode/encap.h"

enum { VXLAN_PORT = 4789, VXLAN_GPE_PORT = 4790, VXLAN_HDR = 8 };
enum { VXLAN_I = 0x08 /* the VNI is valid */ };

/*
 * Parses a VXLAN header. On VXLAN's own port (exact false) the I flag is what
 * makes it VXLAN (the reserved bits are ignored on receipt, RFC 7348 §5, and group
 * policy extensions use them); elsewhere (exact true) every reserved bit must be zero.
 * ENCAP_OK: TUNNEL_VXLAN with the VNI, an Ethernet frame next.
 *
 * Inline: the decoder's short-cut (ether.c) reads every VXLAN packet's header this
 * way, and the call and the handing over of e through memory were a third of its
 * cost. The header (vxlan.c has its layout) is read from a copy (cur_copy_out) as
 * two words.
 */
__attribute__((always_inline)) static inline enum encap_result vxlan_parse(const uint8_t *p, size_t len, bool exact, struct encap *e)
{
	uint8_t fixed[VXLAN_HDR];
	struct cursor c = cur_make(p, len);
	struct cursor h = cur_copy_out(&c, fixed, sizeof fixed);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	uint32_t word0 = cur_be32(&h), word1 = cur_be32(&h);
	uint8_t flags = (uint8_t)(word0 >> 24);
	uint32_t reserved = word0 & 0xffffffu;
	uint32_t vni = word1 >> 8;
	uint8_t reserved2 = (uint8_t)word1;
	if (!(flags & VXLAN_I))
		return ENCAP_NONE;
	if (exact && (flags != VXLAN_I || reserved != 0 || reserved2 != 0))
		return ENCAP_NONE;
	return encap_found(e, TUNNEL_VXLAN, vni, vni, ETHERTYPE_TEB, cur_rest(&c));
}

/* Parses a VXLAN-GPE header: ENCAP_OK with next the protocol it names (IPv4, IPv6,
 * Ethernet, NSH, MPLS); ENCAP_NONE without the P flag or for another protocol. */
enum encap_result vxlan_gpe_parse(const uint8_t *p, size_t len, struct encap *e);

/* The ethertype for a next-protocol number of VXLAN-GPE and NSH (they share the
 * registry); 0xffff for one not opened. */
uint16_t vxlan_gpe_next(uint8_t next_protocol);

#endif
