/*
 * pppoe.c — PPPoE session stage (RFC 2516 §4, §6) and PPP's protocol field (RFC 1661
 * §2; IPv4 0x0021, IPv6 0x0057 RFC 5072, MPLS 0x0281 RFC 3032 §4.1).
 *
 *   | VER=1 | TYPE=1 |     CODE=0      |          SESSION_ID           |
 *   |            LENGTH               |   PPP protocol (1 or 2 bytes)  ...
 *
 * LENGTH counts the PPP payload (the protocol field onwards). A protocol whose first
 * byte is odd is one byte long (protocol-field compression, RFC 1661 §6.5).
 */
#include "decode/pppoe.h"

enum {
	PPPOE_VER_TYPE = 0x11,
	PPPOE_CODE_SESSION = 0x00,
	PPP_IPV4 = 0x0021,
	PPP_IPV6 = 0x0057,
	PPP_MPLS = 0x0281,
};

enum encap_result pppoe_parse(const uint8_t *p, size_t len, bool cut, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	uint8_t ver_type = cur_u8(&c);
	uint8_t code = cur_u8(&c);
	uint16_t session = cur_be16(&c);
	uint16_t length = cur_be16(&c);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	if (ver_type != PPPOE_VER_TYPE || code != PPPOE_CODE_SESSION)
		return ENCAP_MALFORMED;
	bool short_ = false;
	struct cursor ppp = cur_sub(&c, length, &short_);
	if (short_ && !cut)
		return ENCAP_MALFORMED; /* LENGTH past a frame the capture did not cut: a lie */
	uint16_t proto = cur_u8(&ppp);
	if (!(proto & 1))
		proto = (uint16_t)(proto << 8 | cur_u8(&ppp));
	if (!cur_ok(&ppp))
		return ENCAP_SHORT;
	switch (proto) {
	case PPP_IPV4:
		e->next = ETHERTYPE_IPV4;
		break;
	case PPP_IPV6:
		e->next = ETHERTYPE_IPV6;
		break;
	case PPP_MPLS:
		e->next = ETHERTYPE_MPLS;
		break;
	default:
		return ENCAP_NONE;
	}
	e->kind = TUNNEL_PPPOE;
	e->id = session;
	e->flow_id = session; /* one session, both ways */
	e->inner = cur_rest(&ppp);
	return ENCAP_OK;
}
