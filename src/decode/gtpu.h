/*
 * gtpu.h — GTP-U (3GPP TS 29.281) G-PDU decapsulation: the user's own IP packet inside
 * a mobile core's tunnel, with the tunnel id that later names the subscriber.
 */
#ifndef PENTRAP_DECODE_GTPU_H
#define PENTRAP_DECODE_GTPU_H

#include "decode/encap.h"

enum { GTPU_PORT = 2152 };

/*
 * Parses a GTPv1-U header (with optional sequence/N-PDU/extension headers).
 * ENCAP_OK for a G-PDU: TUNNEL_GTPU with the TEID, an IP packet next. ENCAP_NONE for
 * what is not a G-PDU (signalling such as echo, or not GTP-U at all).
 */
enum encap_result gtpu_parse(const uint8_t *p, size_t len, struct encap *e);

#endif
