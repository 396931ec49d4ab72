/*
 * frame.h — building frames byte by byte for the decoder's unit tests (test_decode.c,
 * test_tunnel.c): Ethernet, IPv4, IPv6, TCP, UDP, in network byte order.
 */
#ifndef PENTRAP_TESTS_FRAME_H
#define PENTRAP_TESTS_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct frame {
	uint8_t b[4096];
	size_t n;
};

static inline void put8(struct frame *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static inline void put16(struct frame *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v);
}
static inline void put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v);
}
static inline void put_bytes(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}
static inline void put_fill(struct frame *f, unsigned v, size_t n)
{
	memset(f->b + f->n, v, n);
	f->n += n;
}
static inline void set16(struct frame *f, size_t at, unsigned v)
{
	f->b[at] = (uint8_t)(v >> 8);
	f->b[at + 1] = (uint8_t)v;
}

static const uint8_t SRC4[4] = { 10, 0, 0, 1 };
static const uint8_t DST4[4] = { 192, 168, 1, 2 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };

static inline void ether(struct frame *f, unsigned type)
{
	put_fill(f, 0x11, 6);
	put_fill(f, 0x22, 6);
	put16(f, type);
}

/* IPv4 header with opt_len bytes of NOP options; returns where it starts. */
static inline size_t ipv4(struct frame *f, unsigned proto, unsigned l4_len, size_t opt_len)
{
	size_t at = f->n;
	put8(f, 0x40 | (unsigned)((20 + opt_len) / 4));
	put8(f, 0);
	put16(f, 20 + opt_len + l4_len);
	put16(f, 0x1234); /* id */
	put16(f, 0x4000); /* DF */
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put_bytes(f, SRC4, 4);
	put_bytes(f, DST4, 4);
	put_fill(f, 0x01, opt_len);
	return at;
}

static inline void ipv6(struct frame *f, unsigned nh, unsigned payload_len)
{
	put32(f, 0x60000000);
	put16(f, payload_len);
	put8(f, nh);
	put8(f, 57);
	put_bytes(f, SRC6, 16);
	put_bytes(f, DST6, 16);
}

static inline void tcp(struct frame *f, unsigned sport, unsigned dport, unsigned doff_words,
		unsigned flags)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, doff_words << 4);
	put8(f, flags);
	put16(f, 65535);
	put16(f, 0);
	put16(f, 0);
	for (unsigned i = 5; i < doff_words; i++)
		put32(f, 0x01010101); /* NOP options */
}

static inline void udp(struct frame *f, unsigned sport, unsigned dport, unsigned payload_len)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload_len);
	put16(f, 0);
}

/* A 20-byte IPv4 header between two given addresses; its length set by ipv4_close. */
static inline size_t ipv4_between(struct frame *f, unsigned proto, const uint8_t src[4], const uint8_t dst[4])
{
	size_t at = f->n;
	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);
	put16(f, 0x1234);
	put16(f, 0x4000);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put_bytes(f, src, 4);
	put_bytes(f, dst, 4);
	return at;
}

/* The IPv4 total length of the header at `at`, to the end of the frame so far. */
static inline void ipv4_close(struct frame *f, size_t at) { set16(f, at + 2, (unsigned)(f->n - at)); }
/* The IPv6 payload length of the header at `at`, likewise. */
static inline void ipv6_close(struct frame *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at - 40)); }
/* The UDP length of the header at `at`, likewise. */
static inline void udp_close(struct frame *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at)); }

#endif
