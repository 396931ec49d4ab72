/*
 * nsh.c — the Network Service Header (RFC 8300 §2).
 *
 *   |Ver|O|U|    TTL    |   Length  |U|U|U|U|MD Type| Next Protocol |
 *   |          Service Path Identifier (SPI)        | Service Index |
 *   |                  Context Header(s) ...                        |
 * Version 0. Length counts the whole header in 4-byte words: exactly 6 for MD type 1
 * (four fixed context words), at least 2 for MD type 2 (variable context headers,
 * skipped whole). Next protocol: the registry VXLAN-GPE uses (vxlan.h).
 */
#include "decode/nsh.h"

#include "decode/vxlan.h"

enum {
	NSH_BASE_WORDS = 2,
	NSH_MD1_WORDS = 6,
	NSH_MD_TYPE1 = 1,
	NSH_MD_TYPE2 = 2,
};

enum encap_result nsh_parse(const uint8_t *p, size_t len, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	uint16_t base = cur_be16(&c);
	uint8_t md_type = cur_u8(&c) & 0x0f;
	uint8_t next = cur_u8(&c);
	uint32_t path = cur_be32(&c);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	unsigned version = base >> 14, words = base & 0x3f;
	if (version != 0)
		return ENCAP_MALFORMED;
	if (md_type == NSH_MD_TYPE1 ? words != NSH_MD1_WORDS
				    : md_type != NSH_MD_TYPE2 || words < NSH_BASE_WORDS)
		return ENCAP_MALFORMED;
	cur_skip(&c, (size_t)(words - NSH_BASE_WORDS) * 4);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	uint16_t type = vxlan_gpe_next(next);
	if (type == 0xffff)
		return ENCAP_NONE;
	/* no flow id: each direction of a chain has a path of its own, and SI counts hops */
	return encap_found(e, TUNNEL_NSH, path, 0, type, cur_rest(&c));
}
