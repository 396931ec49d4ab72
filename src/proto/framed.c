/* framed.c — the framed address values RADIUS and Diameter share (framed.h). */
#include "proto/framed.h"

#include "core/cursor.h"

bool framed_v6_prefix(struct span v, struct ip_addr *prefix, uint8_t *len)
{
	struct cursor c = cur_make(v.ptr, v.len);
	cur_skip(&c, 1);
	uint8_t plen = cur_u8(&c);
	size_t n = cur_remaining(&c);
	if (!cur_ok(&c) || plen == 0 || plen > 128 || n > 16 || n * 8 < plen)
		return false;
	uint8_t a[16] = { 0 };
	cur_copy(&c, a, n);
	addr_set_v6(prefix, a);
	*len = plen;
	return true;
}

bool framed_is_address(const struct ip_addr *a)
{
	if (a->family == 4) {
		uint32_t x = (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 |
			     a->bytes[3];
		return x != 0 && x != 0xffffffffu && x != 0xfffffffeu;
	}
	if (a->family == 6)
		return !(a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80); /* not fe80::/10 */
	return false;
}
