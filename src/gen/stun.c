/*
 * stun.c — STUN messages (RFC 8489 §5: type, length, magic cookie 0x2112A442, 96-bit
 * transaction id, then attributes already encoded by the caller, each padded to 4).
 */
#include "gen/gen_internal.h"

size_t gen_stun(uint8_t *out, size_t cap, uint16_t type, const uint8_t tid[12], const uint8_t *attrs, size_t attrs_len)
{
	struct wbuf b = wb_make(out, cap);
	wb_be16(&b, type);
	wb_be16(&b, (unsigned)attrs_len);
	wb_be32(&b, 0x2112a442u);
	wb_mem(&b, tid, 12);
	wb_mem(&b, attrs, attrs_len);
	return b.len;
}
