/*
 * span.h — a borrowed run of bytes, and the text operations every parser of text
 * protocols (SIP, SDP, party names) shares: narrowing, finding a byte, trimming,
 * ASCII case-insensitive comparison, decimal numbers, and line and token iteration.
 *
 * One set of rules for all of them, so that two parsers never disagree on what a
 * header says: white space is SP, HT, CR and LF (RFC 3261's LWS after unfolding);
 * case folding is ASCII only (protocol tokens, never user text); every access is
 * checked against the span, and narrowing past the end gives an empty span, never an
 * out-of-bounds one. Nothing here allocates or copies: a span borrows its bytes and is
 * valid as long as they are (a packet's, for the callback that received it).
 * Spans come from a cursor (core/cursor.h) or from text the program holds.
 */
#ifndef PENTRAP_CORE_SPAN_H
#define PENTRAP_CORE_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/str.h"

/* A borrowed run of bytes. */
struct span {
	const uint8_t *ptr;
	size_t len;
};

static inline struct span span_make(const void *p, size_t n)
{
	struct span s = { p ? (const uint8_t *)p : NULL, p ? n : 0 };
	return s;
}

/* The span of a NUL-terminated text (without its NUL). */
static inline struct span span_of_str(const char *s)
{
	return span_make(s, s ? strlen(s) : 0);
}

/* s[off .. off+n), cut to what s holds; empty when off is past the end. */
static inline struct span span_sub(struct span s, size_t off, size_t n)
{
	struct span r = { NULL, 0 };
	if (s.ptr == NULL || off > s.len)	/* NULL + 0 is undefined in C */
		return r;
	if (n > s.len - off)
		n = s.len - off;
	r.ptr = s.ptr + off;
	r.len = n;
	return r;
}

/* s from off to its end. */
static inline struct span span_from(struct span s, size_t off)
{
	return span_sub(s, off, s.len);
}

/* The index of the first byte c in s, or s.len. */
static inline size_t span_find(struct span s, uint8_t c)
{
	const uint8_t *q = s.len ? memchr(s.ptr, c, s.len) : NULL;
	return q ? (size_t)(q - s.ptr) : s.len;
}

/* SP, HT, CR, LF. */
static inline bool span_is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool span_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* s without white space at either end. */
static inline struct span span_trim(struct span s)
{
	size_t b = 0, e = s.len;
	while (b < e && span_is_space(s.ptr[b]))
		b++;
	while (e > b && span_is_space(s.ptr[e - 1]))
		e--;
	return span_sub(s, b, e - b);
}

static inline bool span_eq_str(struct span s, const char *str)
{
	size_t n = strlen(str);
	return s.len == n && (n == 0 || memcmp(s.ptr, str, n) == 0);
}

/* s equals lit, ASCII case ignored. */
static inline bool span_ieq(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (str_lower_char((char)s.ptr[i]) != str_lower_char(lit[i]))
			return false;
	return true;
}

/* s starts with lit, ASCII case ignored. */
static inline bool span_iprefix(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len >= n && span_ieq(span_sub(s, 0, n), lit);
}

/* Decimal digits only (1 to 10 of them) into *out; false otherwise. */
static inline bool span_uint(struct span s, uint64_t *out)
{
	if (s.len == 0 || s.len > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (!span_is_digit(s.ptr[i]))
			return false;
		v = v * 10 + (uint64_t)(s.ptr[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * The next line of s from *pos: the bytes before the next LF, without a CR before it.
 * False, *pos unchanged, when no LF is left (the rest is an unterminated line).
 */
static inline bool span_next_line(struct span s, size_t *pos, struct span *line)
{
	struct span rest = span_from(s, *pos);
	size_t lf = span_find(rest, '\n');
	if (lf >= rest.len)
		return false;
	size_t n = lf;
	if (n > 0 && rest.ptr[n - 1] == '\r')
		n--;
	*line = span_sub(rest, 0, n);
	*pos += lf + 1;
	return true;
}

/*
 * The next token of s from *pos: the bytes up to the next sep (or the end), trimmed;
 * *pos moves past the separator. False once past the end: "a;b" gives "a" and "b",
 * "a;" gives "a" and "", and an empty s one empty token.
 */
static inline bool span_next_token(struct span s, size_t *pos, uint8_t sep, struct span *tok)
{
	if (*pos > s.len)
		return false;
	struct span rest = span_from(s, *pos);
	size_t end = span_find(rest, sep);
	*tok = span_trim(span_sub(rest, 0, end));
	*pos += end + 1;
	return true;
}

/* The bytes of s as text in dst[cap]: cut to cap - 1 bytes and terminated (cap > 0);
 * control bytes (below 0x20, and 0x7f) shown as '?'. For wire text kept in a record. */
static inline void span_copy_text(char *dst, size_t cap, struct span s)
{
	if (cap == 0)
		return;
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = str_is_control(s.ptr[i]) ? '?' : (char)s.ptr[i];
	dst[n] = '\0';
}

#endif
