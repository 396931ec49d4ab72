/*
 * record_json.c — a record as one JSON object (the --jsonl line, and the canonical form
 * that chain.c hashes), and the JSON string escaper (json.h).
 *
 * The output is a pure function of the struct: fixed field order, fixed number formats,
 * no locale, no floating point. chain.c hashes this text, so any change to it is a
 * change to the evidence format and must bump the store's format version.
 */
#include "record/json.h"
#include "record/record.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "core/timefmt.h"

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when s[0] does not start one. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char b = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		len = 2;
	else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		if (b == 0xe0)
			lo = 0xa0; /* overlong */
		else if (b == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		if (b == 0xf0)
			lo = 0x90; /* overlong */
		else if (b == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static const char hexdig[] = "0123456789abcdef";

/*
 * The output for the input at s[0..n) (n > 0): writes it into piece (at most 6 bytes,
 * not NUL-terminated), sets *plen, and returns the number of input bytes it stands for.
 */
static size_t next_piece(const unsigned char *s, size_t n, char piece[8], size_t *plen)
{
	unsigned char b = s[0];
	if (b == '"' || b == '\\') {
		piece[0] = '\\';
		piece[1] = (char)b;
		*plen = 2;
		return 1;
	}
	size_t len = utf8_seq_len(s, n);
	if (len == 0 || b < 0x20 || b == 0x7f) {
		memcpy(piece, "\\u00", 4);
		piece[4] = hexdig[b >> 4];
		piece[5] = hexdig[b & 15];
		*plen = 6;
		return 1;
	}
	if (len == 3 && b == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9)) {
		memcpy(piece, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
		*plen = 6;
		return 3;
	}
	memcpy(piece, s, len);
	*plen = len;
	return len;
}

void json_write_stringn(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	fputc('"', f);
	while (i < n) {
		/* Runs of plain printable ASCII go out in one write. */
		size_t run = i;
		while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' && u[run] != '\\')
			run++;
		if (run > i) {
			fwrite(u + i, 1, run - i, f);
			i = run;
			continue;
		}
		char piece[8];
		size_t plen;
		i += next_piece(u + i, n - i, piece, &plen);
		fwrite(piece, 1, plen, f);
	}
	fputc('"', f);
}

void json_write_string(FILE *f, const char *s)
{
	if (!s)
		s = "";
	json_write_stringn(f, s, strlen(s));
}

void json_write_member(FILE *f, const char *sep, const char *key, const char *value)
{
	fprintf(f, "%s\"%s\":", sep, key);
	json_write_string(f, value);
}

size_t json_escape(const char *s, size_t n, char *out, size_t outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;
	if (outlen == 0)
		return 0;
	while (i < n) {
		char piece[8];
		size_t plen, used = next_piece(u + i, n - i, piece, &plen);
		if (o + plen + 1 > outlen)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		i += used;
	}
	out[o] = '\0';
	return i;
}

/* A string field of a record: bounded by its array, so a missing NUL cannot over-read. */
#define FIELD(f, name, arr) field_str(f, name, arr, strnlen(arr, sizeof(arr)))

static void field_str(FILE *f, const char *name, const char *v, size_t n)
{
	fprintf(f, ",\"%s\":", name);
	json_write_stringn(f, v, n);
}

#define FIELD_OPT(f, name, arr)                    \
	do {                                       \
		if ((arr)[0])                      \
			FIELD(f, name, arr);       \
	} while (0)

/*
 * The evidence object, written as raw JSON. The order filter builds it (addresses,
 * ports, frame numbers, capture hash); a raw line break inside it can only be
 * whitespace between tokens, so it becomes a space to keep one record per line. Text
 * that is not an object at all (a damaged store) is written as a string instead, so the
 * line stays valid JSON.
 */
static void write_evidence(FILE *f, const char *ev, size_t n)
{
	size_t start = 0;
	while (start < n && (ev[start] == ' ' || ev[start] == '\t' || ev[start] == '\n' || ev[start] == '\r'))
		start++;
	if (start == n) {
		fputs("{}", f);
		return;
	}
	if (ev[start] != '{') {
		json_write_stringn(f, ev, n);
		return;
	}
	/* runs between line breaks in one write each: a character at a time was most of a
	 * collector's time (each check of a record's hash writes its line again) */
	for (size_t i = 0; i < n;) {
		size_t run = i;
		while (run < n && ev[run] != '\n' && ev[run] != '\r')
			run++;
		fwrite(ev + i, 1, run - i, f);
		for (i = run; i < n && (ev[i] == '\n' || ev[i] == '\r'); i++)
			fputc(' ', f);
	}
}

void record_write_json(const struct record *r, FILE *f)
{
	char ts[TS_STRLEN];
	fprintf(f, "{\"seq\":%" PRIu64 ",\"ts\":\"%s\"", r->seq, ts_format(r->ts_us, ts, sizeof ts));
	fputs(",\"type\":", f);
	json_write_string(f, event_type_name(r->type));
	FIELD_OPT(f, "event", r->event);
	FIELD(f, "order", r->order);
	FIELD(f, "target", r->target);
	FIELD(f, "direction", r->direction);
	FIELD(f, "from", r->from);
	FIELD(f, "to", r->to);
	FIELD_OPT(f, "counterpart", r->counterpart);
	FIELD(f, "protocol", r->protocol);
	FIELD_OPT(f, "service", r->service);
	FIELD_OPT(f, "signature", r->signature);
	fprintf(f, ",\"confidence\":\"%s\"", r->inferred ? "inferred" : "certain");
	if (r->inferred)
		fprintf(f, ",\"score\":%u", (unsigned)r->score);
	if (r->duration_us >= 0)
		fprintf(f, ",\"duration_s\":%" PRId64 ".%06" PRId64, r->duration_us / 1000000,
			r->duration_us % 1000000);
	FIELD_OPT(f, "outcome", r->outcome);
	FIELD_OPT(f, "call_id", r->call_id);
	FIELD_OPT(f, "contact", r->contact);
	FIELD_OPT(f, "subtype", r->subtype);
	fputs(",\"evidence\":", f);
	write_evidence(f, r->evidence, strnlen(r->evidence, sizeof r->evidence));
	FIELD(f, "prev_hash", r->prev_hash);
	FIELD(f, "hash", r->hash);
	fputc('}', f);
}
