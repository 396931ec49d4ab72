/*
 * erspan.c — ERSPAN type II and type III headers (draft-foschiano-erspan-03).
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
#include "decode/erspan.h"

enum {
	ERSPAN_V2 = 1,            /* the version field of type II */
	ERSPAN_V3 = 2,            /* ... of type III */
	ERSPAN_SESSION = 0x03ff,
	ERSPAN3_O = 0x0001,       /* a platform-specific sub-header follows */
	ERSPAN3_PLATFORM_LEN = 8,
	ERSPAN3_FT_ETHERNET = 0,
	ERSPAN3_FT_IP = 2,
};

enum encap_result erspan_parse(const uint8_t *p, size_t len, uint16_t gre_proto, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	uint16_t ver_vlan = cur_be16(&c);
	uint16_t session = cur_be16(&c) & ERSPAN_SESSION;
	unsigned version = ver_vlan >> 12;
	bool three = gre_proto == ETHERTYPE_ERSPAN3;
	uint16_t tail = 0;
	if (three) {
		cur_skip(&c, 4 + 2); /* timestamp, security group tag */
		tail = cur_be16(&c);
	} else {
		cur_skip(&c, 4); /* reserved, index */
	}
	if (!cur_ok(&c))
		return ENCAP_SHORT;
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
