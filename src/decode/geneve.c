/*
 * geneve.c — Geneve (RFC 8926 §3.4).
 *
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   |                    Variable-Length Options                    |
 * Opt Len counts the options in 4-byte words; they are skipped whole (what they say
 * is the overlay's business). O (a control message) still carries a frame when the
 * protocol type says so.
 */
#include "decode/geneve.h"

enum encap_result geneve_parse(const uint8_t *p, size_t len, bool exact, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	uint8_t ver_optlen = cur_u8(&c);
	uint8_t flags = cur_u8(&c);
	uint16_t proto = cur_be16(&c);
	uint32_t vni = cur_be24(&c);
	uint8_t reserved = cur_u8(&c);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	if ((ver_optlen >> 6) != 0)
		return ENCAP_NONE;
	if (exact && ((flags & 0x3f) != 0 || reserved != 0 ||
		      (proto != ETHERTYPE_TEB && proto != ETHERTYPE_IPV4 && proto != ETHERTYPE_IPV6)))
		return ENCAP_NONE;
	cur_skip(&c, (size_t)(ver_optlen & 0x3f) * 4);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	return encap_found(e, TUNNEL_GENEVE, vni, vni, proto, cur_rest(&c));
}
