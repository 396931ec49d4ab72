/*
 * mpls.h — an MPLS label stack (RFC 3032) and what its bottom carries: IPv4, IPv6,
 * or an Ethernet pseudowire with or without its control word (RFC 4448, RFC 4385).
 */
#ifndef PENTRAP_DECODE_MPLS_H
#define PENTRAP_DECODE_MPLS_H

#include "decode/encap.h"

enum { MPLS_MAX_LABELS = 8 }; /* carriers stack two to four; more is a crafted packet */

/*
 * Parses the label stack at p. ENCAP_OK: TUNNEL_MPLS with the bottom label, next IPv4,
 * IPv6 or an Ethernet frame (e->inner after the control word when there is one).
 * ENCAP_MALFORMED past MPLS_MAX_LABELS; ENCAP_NONE for an associated channel (GAL).
 */
enum encap_result mpls_parse(const uint8_t *p, size_t len, struct encap *e);

#endif
