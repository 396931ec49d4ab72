/*
 * json.h — JSON string escaping for text that may hold anything a packet carried.
 *
 * Rules (docs/records.md): '"' and '\' are backslash-escaped; bytes below 0x20 and 0x7f
 * are written as \u00XX; U+2028 and U+2029 as \u2028, \u2029 (safe inside a <script>);
 * valid UTF-8 passes through unchanged; every byte that is not part of a valid UTF-8
 * sequence (stray continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF, truncated sequences) is written as \u00XX with XX its value. Since valid
 * characters at or above U+0080 are never escaped, \u0080..\u00ff in the output always
 * means "this raw byte was not valid UTF-8", so the original bytes can be recovered.
 */
#ifndef PENTRAP_RECORD_JSON_H
#define PENTRAP_RECORD_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes s (NUL-terminated; NULL as "") as a quoted JSON string into f. */
void json_write_string(FILE *f, const char *s);
/* Writes one member of an object, SEP"KEY":"VALUE" (value escaped, NULL as ""), into f. */
void json_write_member(FILE *f, const char *sep, const char *key, const char *value);
/* Writes the n bytes at s (NULs included, as \u0000) as a quoted JSON string into f. */
void json_write_stringn(FILE *f, const char *s, size_t n);

/*
 * Escapes the n bytes at s into out (without the surrounding quotes), NUL-terminated.
 * Stops before an escape or character that would not fit, never splitting one. Returns
 * the number of input bytes consumed (n when everything fitted). outlen must be > 0.
 */
size_t json_escape(const char *s, size_t n, char *out, size_t outlen);

#endif
