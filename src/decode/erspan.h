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
	/* the header, copied out in one bounded read and read from the copy (ip.c does
	   the same with IPv4's): a type II header is all but its last 4 bytes */
	bool three = gre_proto == ETHERTYPE_ERSPAN3;
	uint8_t fixed[ERSPAN3_HDR] = { 0 };
	struct cursor c = cur_make(p, len);
	if (three) /* two copies of constant size: each a few moves */
		cur_copy(&c, fixed, ERSPAN3_HDR);
	else
		cur_copy(&c, fixed, ERSPAN2_HDR);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	struct cursor h = cur_make(fixed, sizeof fixed);
	uint16_t ver_vlan = cur_be16(&h);
	uint16_t session = cur_be16(&h) & ERSPAN_SESSION;
	unsigned version = ver_vlan >> 12;
	cur_skip(&h, 4 + 2); /* II: reserved, index; III: timestamp, security group tag */
	uint16_t tail = cur_be16(&h);
	if (version != (three ? ERSPAN_V3 : ERSPAN_V2))
		return ENCAP_MALFORMED;
	e->next = ETHERTYPE_TEB;
	if (three) {
		unsigned ft = (tail >> 10) & 0x1f;
		if (ft == ERSPAN3_FT_IP)
			e->next = ETHERTYPE_IP_ANY;
		else if (ft != ERSPAN3_FT_ETHERNET)
			return ENCAP_NONE;
		if (tail & ERSPAN3_O)
			cur_skip(&c, ERSPAN3_PLATFORM_LEN);
		if (!cur_ok(&c))
			return ENCAP_SHORT;
	}
	e->kind = three ? TUNNEL_ERSPAN3 : TUNNEL_ERSPAN2;
	e->id = session;
	e->flow_id = session; /* one mirror session, whichever way the mirrored packet went */
	e->inner = cur_rest(&c);
	return ENCAP_OK;
}

#endif
