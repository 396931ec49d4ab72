/*
 * erspan.h — ERSPAN types II and III (draft-foschiano-erspan), the header after GRE
 * that Cisco, Arista and Linux switches put on a mirrored frame. Type I has no
 * header of its own (gre.h).
 */
#ifndef PENTRAP_DECODE_ERSPAN_H
#define PENTRAP_DECODE_ERSPAN_H

#include "decode/encap.h"

/*
 * Parses the ERSPAN header at p that GRE protocol gre_proto (ETHERTYPE_ERSPAN2 or
 * ETHERTYPE_ERSPAN3) announced. ENCAP_OK: TUNNEL_ERSPAN2/3 with the session id, and
 * next an Ethernet frame (or, for a type III IP frame, an IP packet). ENCAP_NONE for
 * a type III frame type that is neither.
 */
enum encap_result erspan_parse(const uint8_t *p, size_t len, uint16_t gre_proto, struct encap *e);

#endif
