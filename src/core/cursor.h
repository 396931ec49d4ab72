/*
 * cursor.h — the one bounded reader through which every dissector reads packet bytes.
 *
 * A cursor is a window [data, data+len) and a position. Every read is checked against
 * the window; a read past the end sets a sticky error flag and returns zero (or an
 * empty span), so a parser can read a whole header and check cur_ok() once at the end
 * (tcpdump's GET_* macros play the same role). Sub-cursors narrow the window to a
 * length-prefixed part: min(declared, remaining) bytes, with the error flag set on the
 * parent when the declared length overran.
 *
 * Memory: a cursor borrows its bytes; spans it hands out borrow the same bytes and are
 * valid only as long as the packet they came from.
 */
#ifndef PENTRAP_CORE_CURSOR_H
#define PENTRAP_CORE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/addr.h"
#include "core/span.h"

struct cursor {
	const uint8_t *data; /* borrowed */
	size_t len;
	size_t pos;
	bool err; /* sticky: set by the first read past the end */
};

static inline struct cursor cur_make(const uint8_t *data, size_t len)
{
	struct cursor c = { data, data ? len : 0, 0, false };
	return c;
}

static inline size_t cur_remaining(const struct cursor *c)
{
	return c->err ? 0 : c->len - c->pos;
}

static inline bool cur_ok(const struct cursor *c) { return !c->err; }
static inline bool cur_at_end(const struct cursor *c) { return cur_remaining(c) == 0; }
static inline size_t cur_pos(const struct cursor *c) { return c->pos; }

/* True (and no error) when n bytes can be read; sets nothing. */
static inline bool cur_has(const struct cursor *c, size_t n)
{
	return !c->err && c->len - c->pos >= n;
}

/* Marks the cursor failed; every later read returns zero. */
static inline void cur_fail(struct cursor *c) { c->err = true; }

/* The read position; NULL for a cursor over nothing (NULL + 0 is undefined in C, and
 * a sub-cursor of a failed one has no data: found by fuzzing, issue 3). */
static inline const uint8_t *cur_here_(const struct cursor *c)
{
	return c->data ? c->data + c->pos : NULL;
}

static inline bool cur_need_(struct cursor *c, size_t n)
{
	if (!cur_has(c, n)) {
		c->err = true;
		return false;
	}
	return true;
}

static inline uint8_t cur_u8(struct cursor *c)
{
	if (!cur_need_(c, 1))
		return 0;
	return c->data[c->pos++];
}

static inline uint16_t cur_be16(struct cursor *c)
{
	if (!cur_need_(c, 2))
		return 0;
	const uint8_t *p = c->data + c->pos;
	c->pos += 2;
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t cur_be24(struct cursor *c)
{
	if (!cur_need_(c, 3))
		return 0;
	const uint8_t *p = c->data + c->pos;
	c->pos += 3;
	return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint32_t cur_be32(struct cursor *c)
{
	if (!cur_need_(c, 4))
		return 0;
	const uint8_t *p = c->data + c->pos;
	c->pos += 4;
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t cur_be64(struct cursor *c)
{
	if (!cur_need_(c, 8)) /* not two be32 reads: a short read must return 0, not the high half */
		return 0;
	uint64_t hi = cur_be32(c);
	return (hi << 32) | cur_be32(c);
}

static inline uint16_t cur_le16(struct cursor *c)
{
	if (!cur_need_(c, 2))
		return 0;
	const uint8_t *p = c->data + c->pos;
	c->pos += 2;
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t cur_le32(struct cursor *c)
{
	if (!cur_need_(c, 4))
		return 0;
	const uint8_t *p = c->data + c->pos;
	c->pos += 4;
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Peeks without moving; out of range peeks return 0 and do not set the error. */
static inline uint8_t cur_peek_u8(const struct cursor *c, size_t off)
{
	return cur_has(c, off + 1) ? c->data[c->pos + off] : 0;
}

static inline void cur_skip(struct cursor *c, size_t n)
{
	if (cur_need_(c, n))
		c->pos += n;
}

/* Copies n bytes out; on a short read fills dst with zeros and fails. */
static inline void cur_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cur_need_(c, n)) {
		memset(dst, 0, n);
		return;
	}
	if (n)
		memcpy(dst, cur_here_(c), n);
	c->pos += n;
}

/*
 * A fixed-size header read in one bounded step: its n bytes copied into buf and a
 * cursor over the copy returned. With buf a local array of constant size the compiler
 * resolves the copy cursor's checks, so the header's fields cost a load each (every
 * packet's IP and transport headers, every tunnel's, are read this way). On a short
 * read c fails and the copy is zeros: check cur_ok(c) before trusting it.
 */
static inline struct cursor cur_copy_out(struct cursor *c, uint8_t *buf, size_t n)
{
	cur_copy(c, buf, n);
	return cur_make(buf, n);
}

/* Borrows n bytes (empty span and error on a short read). */
static inline struct span cur_span(struct cursor *c, size_t n)
{
	struct span s = { NULL, 0 };
	if (!cur_need_(c, n))
		return s;
	s.ptr = cur_here_(c);
	s.len = n;
	c->pos += n;
	return s;
}

/* Borrows whatever is left. */
static inline struct span cur_rest(struct cursor *c)
{
	return cur_span(c, cur_remaining(c));
}

/*
 * A sub-cursor over the next `declared` bytes, and the parent moves past them.
 * Distrusts the length: when fewer bytes remain, the sub-cursor covers what there is
 * and both it and the parent are NOT failed, but *truncated is set (when given) so the
 * caller can tell a cut capture (truncated) from a lie (malformed) by context.
 */
static inline struct cursor cur_sub(struct cursor *c, size_t declared, bool *truncated)
{
	size_t have = cur_remaining(c);
	size_t n = declared <= have ? declared : have;
	struct cursor s = cur_make(c->err ? NULL : cur_here_(c), n);
	if (truncated)
		*truncated = declared > have;
	if (!c->err)
		c->pos += n;
	return s;
}

/* Strict variant: a declared length past the end fails the parent and gives an empty cursor. */
static inline struct cursor cur_sub_exact(struct cursor *c, size_t declared)
{
	struct span s = cur_span(c, declared);
	struct cursor r = cur_make(s.ptr, s.len);
	r.err = c->err;
	return r;
}

/* --- whole values: a field whose length its container gave (an attribute, an AVP, an
 * IE) read as one value --- */

/*
 * The 32-bit big-endian number that is the whole of v. *ok is false when v is not
 * exactly 4 bytes (the value is then what could be read of its first 4, or 0).
 */
static inline uint32_t cur_be32_whole(struct span v, bool *ok)
{
	struct cursor c = cur_make(v.ptr, v.len);
	uint32_t x = cur_be32(&c);
	*ok = cur_ok(&c) && cur_at_end(&c);
	return x;
}

/*
 * The address that is the whole of v: 4 bytes IPv4, 16 bytes IPv6, of the family asked
 * (4, 6, or 0 for either). False, *out untouched, for any other length.
 */
static inline bool cur_addr_whole(struct span v, uint8_t family, struct ip_addr *out)
{
	struct cursor c = cur_make(v.ptr, v.len);
	uint8_t a[16];
	if (v.len == 4 && family != 6) {
		cur_copy(&c, a, 4);
		addr_set_v4(out, a);
		return true;
	}
	if (v.len == 16 && family != 4) {
		cur_copy(&c, a, 16);
		addr_set_v6(out, a);
		return true;
	}
	return false;
}

#endif
