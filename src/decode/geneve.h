/*
 * geneve.h — Geneve (RFC 8926, UDP 6081): the overlay of Open vSwitch, OVN and cloud
 * load balancers and mirrors.
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
 */
enum encap_result geneve_parse(const uint8_t *p, size_t len, bool exact, struct encap *e);

#endif
