/*
 * erspan.h — ERSPAN types II and III (draft-foschiano-erspan), the header after GRE
 * that Cisco, Arista and Linux switches put on a mirrored frame. Type I has no
 * header of its own (gre.h). The headers (draft-foschiano-erspan-03):
 *
 * Type II, 8 bytes:
 *   | Ver=1 (4) |        VLAN (12)        | COS (3) |En(2)|T| Session ID (10) |
 *   |   Reserved (12)   |                   Index (20)                        |
 * Type III, 12 bytes, then an 8-byte platform-specific sub-header when O is set:
 *   | Ver=2 (4) |        VLAN (12)        | COS (3) |BSO(2)|T| Session ID (10)|
 *   |                          Timestamp (32)                                 |
 *   |        SGT (16)        |P| FT (5) | Hw ID (6) |D|Gra(2)|O|
 * FT (frame type) 0 is an Ethernet frame, 2 an IP packet; other types are not opened.
 * The VLAN field is the mirrored port's VLAN as metadata; tags the frame still
 * carries (En = 3) are read from the frame itself.
 */

#ifndef PENTRAP_DECODE_ERSPAN_H
#define PENTRAP_DECODE_ERSPAN_H

#include "decode/encap.h"

enum {
	ERSPAN_V2 = 1,            /* the version field of type II */
	ERSPAN_V3 = 2,            /* ... of type III */
	ERSPAN_SESSION = 0x03ff,
	ERSPAN3_O = 0x0001,       /* a platform-specific sub-header follows */
	ERSPAN3_PLATFORM_LEN = 8,
	ERSPAN2_HDR = 8,
	ERSPAN3_HDR = 12,
	ERSPAN3_FT_ETHERNET = 0,
	ERSPAN3_FT_IP = 2,
};

/*
 * Parses the ERSPAN header at p that GRE protocol gre_proto (ETHERTYPE_ERSPAN2 or
 * ETHERTYPE_ERSPAN3) announced. ENCAP_OK: TUNNEL_ERSPAN2/3 with the session id, and
 * next an Ethernet frame (or, for a type III IP frame, an IP packet). ENCAP_NONE for
 * a type III frame type that is neither. Inline, as gre_parse (gre.h says why).
 */
static inline enum encap_result erspan_parse(const uint8_t *p, size_t len, uint16_t gre_proto, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	if (gre_proto != ETHERTYPE_ERSPAN3) {
		/* type II: its 8 bytes copied out in one bounded read, read from the copy */
		uint8_t fixed[ERSPAN2_HDR];
		cur_copy(&c, fixed, sizeof fixed);
		if (!cur_ok(&c))
			return ENCAP_SHORT;
		if (fixed[0] >> 4 != ERSPAN_V2)
			return ENCAP_MALFORMED;
		uint16_t session = (uint16_t)((fixed[2] << 8 | fixed[3]) & ERSPAN_SESSION);
		/* one mirror session, whichever way the mirrored packet went */
		return encap_found(e, TUNNEL_ERSPAN2, session, session, ETHERTYPE_TEB, cur_rest(&c));
	}
	/* type III: its 12 bytes likewise, then the platform sub-header if there is one */
	uint8_t fixed[ERSPAN3_HDR];
	struct cursor h = cur_copy_out(&c, fixed, sizeof fixed);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	uint16_t ver_vlan = cur_be16(&h);
	uint16_t session = cur_be16(&h) & ERSPAN_SESSION;
	cur_skip(&h, 4 + 2); /* timestamp, security group tag */
	uint16_t tail = cur_be16(&h);
	if (ver_vlan >> 12 != ERSPAN_V3)
		return ENCAP_MALFORMED;
	unsigned ft = (tail >> 10) & 0x1f;
	uint16_t next;
	if (ft == ERSPAN3_FT_IP)
		next = ETHERTYPE_IP_ANY;
	else if (ft == ERSPAN3_FT_ETHERNET)
		next = ETHERTYPE_TEB;
	else
		return ENCAP_NONE;
	if (tail & ERSPAN3_O)
		cur_skip(&c, ERSPAN3_PLATFORM_LEN);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	return encap_found(e, TUNNEL_ERSPAN3, session, session, next, cur_rest(&c));
}

#endif
