/*
 * json_read.h — a small bounded JSON reader for the JSON pentrap itself keeps in the
 * store (a run's captures, its summary, a record's evidence), read back by verify and
 * report instead of searching the text for a key.
 *
 * json_parse checks the whole text against RFC 8259's grammar and lays it out as tokens
 * in document order, like jsmn: an object or array token is followed by its members
 * (each member of an object: its key token, then its value), and every token knows
 * where its subtree ends (next), so skipping a value is one step. Caps: the caller's
 * token array, nesting at most JSON_MAX_DEPTH levels, texts below 4 GiB; nothing is
 * allocated. Strings are taken as bytes (anything from 0x20 up, escapes checked), so
 * the bytes that record/json.h wrote as \u0080..\u00ff come back as the raw bytes they
 * were (json_string).
 */
#ifndef PENTRAP_RECORD_JSON_READ_H
#define PENTRAP_RECORD_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { JSON_MAX_DEPTH = 32 };

enum json_type { JSON_OBJECT = 1, JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL };

struct json_token {
	enum json_type type;
	uint32_t start, end; /* the value's bytes; a string's without its quotes */
	uint32_t size;       /* object: members; array: elements; otherwise 0 */
	uint32_t next;       /* the index of the token after this value's subtree */
};

/* A parsed text: tokens borrowed from the caller, text borrowed and kept unchanged. */
struct json_doc {
	const char *text;
	const struct json_token *tok;
	size_t ntok;
};

enum { JSON_ERR_SYNTAX = -1, JSON_ERR_TOO_MANY = -2, JSON_ERR_TOO_DEEP = -3 };

/*
 * Parses the len bytes at text (one value, whitespace around it) into tok[0..max-1].
 * Returns the number of tokens, or a JSON_ERR_*: not JSON, more than max tokens,
 * nested deeper than JSON_MAX_DEPTH. With tok NULL, only counts (max is ignored).
 * On success doc (may be NULL) is filled in for the functions below.
 */
long json_parse(const char *text, size_t len, struct json_token *tok, size_t max, struct json_doc *doc);

/* The value of member key in the object at index obj, or -1 (not an object, no such key). */
long json_get(const struct json_doc *d, size_t obj, const char *key);

/* The first element of the array (or first key of the object) at index i, or -1 if empty;
 * the one after element e is d->tok[e].next (objects: key, value, key, ...). */
long json_first(const struct json_doc *d, size_t i);

/*
 * Copies the string at index i into out, unescaped and NUL-terminated, truncated to
 * outlen - 1 bytes (never splitting an escape). \u0080..\u00ff are the raw bytes they
 * stand for (record/json.h), other \u escapes are written as UTF-8. Returns the full
 * unescaped length, or -1 when i is not a string.
 */
long json_string(const struct json_doc *d, size_t i, char *out, size_t outlen);

/* Whether the string at index i is exactly s (after unescaping). */
bool json_string_is(const struct json_doc *d, size_t i, const char *s);

/* A whole number without sign, fraction or exponent that fits 64 bits at index i: 0
 * and *v, or -1. */
int json_u64(const struct json_doc *d, size_t i, uint64_t *v);

#endif
