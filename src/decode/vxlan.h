/*
 * vxlan.h — VXLAN (RFC 7348, UDP 4789) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe,
 * UDP 4790): the overlays of data centres and the transport of cloud traffic mirrors.
 */
#ifndef PENTRAP_DECODE_VXLAN_H
#define PENTRAP_DECODE_VXLAN_H

#include "decode/encap.h"

enum { VXLAN_PORT = 4789, VXLAN_GPE_PORT = 4790, VXLAN_HDR = 8 };

/*
 * Parses a VXLAN header. On VXLAN's own port (exact false) the I flag is what
 * makes it VXLAN (the reserved bits are ignored on receipt, RFC 7348 §5, and group
 * policy extensions use them); elsewhere (exact true) every reserved bit must be zero.
 * ENCAP_OK: TUNNEL_VXLAN with the VNI, an Ethernet frame next.
 */
enum encap_result vxlan_parse(const uint8_t *p, size_t len, bool exact, struct encap *e);

/* Parses a VXLAN-GPE header: ENCAP_OK with next the protocol it names (IPv4, IPv6,
 * Ethernet, NSH, MPLS); ENCAP_NONE without the P flag or for another protocol. */
enum encap_result vxlan_gpe_parse(const uint8_t *p, size_t len, struct encap *e);

/* The ethertype for a next-protocol number of VXLAN-GPE and NSH (they share the
 * registry); 0xffff for one not opened. */
uint16_t vxlan_gpe_next(uint8_t next_protocol);

#endif
