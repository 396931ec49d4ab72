/*
 * wire.c — byte-level helpers of the generator: the bounded writer, TBCD digits
 * (3GPP TS 29.274 §8.3 / TS 24.008 §10.5.1.4), BER headers (X.690 §8.1), the Internet
 * checksum (RFC 1071) and CRC32c for SCTP (RFC 9260 §6.8, appendix A).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

void gen_wb_overflow(void)
{
	fputs("pentrap gen: internal error: a generated message outgrew its buffer\n", stderr);
	abort();
}

void wb_mem(struct wbuf *b, const void *p, size_t n)
{
	if (n)
		memcpy(wb_room(b, n), p, n);
}

void wb_str(struct wbuf *b, const char *s)
{
	wb_mem(b, s, strlen(s));
}

void wb_fmt(struct wbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->cap - b->len;
	int n = vsnprintf((char *)b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		gen_wb_overflow();
	b->len += (size_t)n;
}

void wb_zero(struct wbuf *b, size_t n)
{
	memset(wb_room(b, n), 0, n);
}

void wb_put_be16(uint8_t *at, unsigned v)
{
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}

void wb_put_be32(uint8_t *at, uint32_t v)
{
	at[0] = (uint8_t)(v >> 24);
	at[1] = (uint8_t)(v >> 16);
	at[2] = (uint8_t)(v >> 8);
	at[3] = (uint8_t)v;
}

void wb_tbcd(struct wbuf *b, const char *d)
{
	size_t n = strlen(d);
	for (size_t i = 0; i < n; i += 2) {
		unsigned lo = (unsigned)(d[i] - '0') & 0x0f;
		unsigned hi = i + 1 < n ? ((unsigned)(d[i + 1] - '0') & 0x0f) : 0x0f;
		wb_u8(b, (hi << 4) | lo);
	}
}

size_t gen_ber_hdr_len(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : 4;
}

void wb_ber_hdr(struct wbuf *b, unsigned tag, size_t n)
{
	wb_u8(b, tag);
	if (n < 0x80) {
		wb_u8(b, (unsigned)n);
	} else if (n < 0x100) {
		wb_u8(b, 0x81);
		wb_u8(b, (unsigned)n);
	} else {
		wb_u8(b, 0x82);
		wb_be16(b, (unsigned)n);
	}
}

uint32_t gen_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

uint16_t gen_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* CRC32c (Castagnoli, reflected polynomial 0x82F63B78), bit by bit: SCTP packets are a
 * small share of the traffic, and a table would be one more thing to keep. */
uint32_t gen_crc32c(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
	}
	return ~crc;
}
