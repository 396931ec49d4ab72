/*
 * json_read.h — a small bounded reader for the JSON texts pentrap writes itself and
 * reads back from elsewhere (a record's line from the broker, a run's custody or a
 * checkpoint in a message, an identity binding): objects of strings, whole numbers,
 * booleans, and nested values taken whole as raw text. Input is untrusted: every read
 * is bounds-checked, nesting has a cap, and an error is sticky (checked once at the end).
 *
 * Strings are unescaped as json.h escapes them, so a text pentrap wrote reads back to
 * the same bytes: \u0000..\u00ff stand for that one byte (json.h writes a raw byte
 * that is not UTF-8 so); other \uXXXX (and surrogate pairs) become UTF-8.
 */
#ifndef PENTRAP_RECORD_JSON_READ_H
#define PENTRAP_RECORD_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { JSON_READ_MAX_DEPTH = 16 };

struct json_reader {
	const char *text;  /* borrowed */
	size_t len, pos;
	bool err;
	bool first;        /* the next member is the object's first */
};

void json_reader_init(struct json_reader *r, const char *text, size_t len);
/* Expects '{'. */
bool json_object_open(struct json_reader *r);
/*
 * The next member's key into key (cut at keylen-1: a longer key reads as "" so it
 * matches nothing): 1 with the reader at its value, 0 at the object's '}' (consumed),
 * -1 on error.
 */
int json_object_next(struct json_reader *r, char *key, size_t keylen);
/* A string value into out (NUL-terminated, at most outlen-1 bytes: longer is an error);
 * *n gets its length (it may hold NULs). */
bool json_read_string(struct json_reader *r, char *out, size_t outlen, size_t *n);
/* A whole number 0..UINT64_MAX (no sign, no fraction, no exponent). */
bool json_read_u64(struct json_reader *r, uint64_t *v);
/* A number with an optional minus sign. */
bool json_read_i64(struct json_reader *r, int64_t *v);
/* true or false. */
bool json_read_bool(struct json_reader *r, bool *v);
/* Any value, skipped; its raw text is *start..+*n. */
bool json_read_raw(struct json_reader *r, const char **start, size_t *n);
/* True when the whole text was read without error (trailing spaces allowed). */
bool json_reader_done(struct json_reader *r);

#endif
