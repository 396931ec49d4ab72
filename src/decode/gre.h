/*
 * gre.h — Generic Routing Encapsulation (RFC 2784, RFC 2890), IP protocol 47.
 */
#ifndef PENTRAP_DECODE_GRE_H
#define PENTRAP_DECODE_GRE_H

#include "decode/encap.h"

enum { IPPROTO_GRE_ = 47 };

/*
 * Parses a GRE header at p. ENCAP_OK: e->next is the protocol type; a plain GRE layer
 * (TUNNEL_GRE, TUNNEL_GRE_KEY), or for ERSPAN type I, whose GRE header is all there
 * is of it, TUNNEL_ERSPAN1 with an Ethernet frame next. ERSPAN types II and III come
 * back as GRE with e->next ETHERTYPE_ERSPAN2 / ETHERTYPE_ERSPAN3: their own header
 * (erspan.h) follows. ENCAP_NONE for GRE versions other than 0 (PPTP's).
 */
enum encap_result gre_parse(const uint8_t *p, size_t len, struct encap *e);

#endif
