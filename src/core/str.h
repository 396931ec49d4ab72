/*
 * str.h — the text helpers every module shares for NUL-terminated text: ASCII case
 * folding, control bytes, and the bounded copy into a fixed field (an event's party,
 * a table entry's Call-ID). Spans of bytes are core/span.h's.
 *
 * Rules: case folding is ASCII only (protocol tokens, host names, media types; never a
 * person's text, which is never kept anyway); a copy is cut to the field, always
 * terminated, and never reads past what it copies.
 */
#ifndef PENTRAP_CORE_STR_H
#define PENTRAP_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 'A'..'Z' to 'a'..'z', any other byte unchanged (no locale). */
static inline char str_lower_char(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Below 0x20, or 0x7f (DEL): bytes that never reach a record as they are. */
static inline bool str_is_control(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Copies src into dst[cap]: cut to cap - 1 bytes, always terminated (nothing when cap is
 * 0); reads no further into src than it copies. Returns the bytes copied.
 */
size_t str_copy(char *dst, size_t cap, const char *src);

/* Lower-cases s in place (ASCII). */
void str_lower(char *s);

#endif
