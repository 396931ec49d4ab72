/*
 * pppoe.h — a PPPoE session frame (RFC 2516, ethertype 0x8864) and the PPP protocol
 * field inside it (RFC 1661): how fixed-line access (DSL, fibre) carries a
 * subscriber's packets between the home router and the BNG.
 */
#ifndef PENTRAP_DECODE_PPPOE_H
#define PENTRAP_DECODE_PPPOE_H

#include "decode/encap.h"

/*
 * Parses a PPPoE session header and the PPP protocol. ENCAP_OK: TUNNEL_PPPOE with the
 * session id, next IPv4, IPv6 or MPLS, the window cut to PPPoE's own length (frames
 * are padded); ENCAP_NONE for PPP's own control protocols (LCP, IPCP, ...). cut: the
 * capture cut the frame (snaplen), so a LENGTH past its end is no lie: ENCAP_MALFORMED
 * for one only when it did not.
 */
enum encap_result pppoe_parse(const uint8_t *p, size_t len, bool cut, struct encap *e);

#endif
