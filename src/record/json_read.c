/*
 * json_read.c — the bounded JSON reader of json_read.h (RFC 8259, minus what pentrap
 * never writes: floating-point exponents are refused; the caller decides what a key means).
 */
#include "record/json_read.h"

#include <string.h>

void json_reader_init(struct json_reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	r->text = text;
	r->len = text ? len : 0;
}

static bool failed(struct json_reader *r)
{
	r->err = true;
	return false;
}

static void skip_space(struct json_reader *r)
{
	while (r->pos < r->len) {
		char c = r->text[r->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		r->pos++;
	}
}

/* The next non-space byte, or 0 at the end. */
static char peek(struct json_reader *r)
{
	skip_space(r);
	return r->pos < r->len ? r->text[r->pos] : '\0';
}

static bool expect(struct json_reader *r, char c)
{
	if (r->err || peek(r) != c)
		return failed(r);
	r->pos++;
	return true;
}

bool json_object_open(struct json_reader *r)
{
	r->first = true;
	return expect(r, '{');
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex4(struct json_reader *r, unsigned *v)
{
	if (r->len - r->pos < 4)
		return false;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(r->text[r->pos + (size_t)i]);
		if (h < 0)
			return false;
		*v = *v << 4 | (unsigned)h;
	}
	r->pos += 4;
	return true;
}

/* Appends byte b to out (room for outlen-1 bytes); false when it does not fit. */
static bool put(char *out, size_t outlen, size_t *o, unsigned b)
{
	if (*o + 1 >= outlen)
		return false;
	out[(*o)++] = (char)b;
	return true;
}

static bool put_utf8(char *out, size_t outlen, size_t *o, unsigned cp)
{
	if (cp < 0x80)
		return put(out, outlen, o, cp);
	if (cp < 0x800)
		return put(out, outlen, o, 0xc0 | cp >> 6) && put(out, outlen, o, 0x80 | (cp & 0x3f));
	if (cp < 0x10000)
		return put(out, outlen, o, 0xe0 | cp >> 12) && put(out, outlen, o, 0x80 | (cp >> 6 & 0x3f)) &&
		       put(out, outlen, o, 0x80 | (cp & 0x3f));
	return put(out, outlen, o, 0xf0 | cp >> 18) && put(out, outlen, o, 0x80 | (cp >> 12 & 0x3f)) &&
	       put(out, outlen, o, 0x80 | (cp >> 6 & 0x3f)) && put(out, outlen, o, 0x80 | (cp & 0x3f));
}

/* One escape after the backslash; out NULL: only checked. */
static bool read_escape(struct json_reader *r, char *out, size_t outlen, size_t *o)
{
	static const char simple[] = "\"\\/bfnrt", meaning[] = "\"\\/\b\f\n\r\t";
	if (r->pos >= r->len)
		return false;
	char c = r->text[r->pos++];
	const char *k = c ? strchr(simple, c) : NULL;
	if (k)
		return put(out, outlen, o, (unsigned char)meaning[k - simple]);
	unsigned cp;
	if (c != 'u' || !read_hex4(r, &cp))
		return false;
	if (cp < 0x100)
		return put(out, outlen, o, cp); /* json.h: one raw byte */
	if (cp >= 0xd800 && cp < 0xdc00) {
		unsigned lo;
		if (r->len - r->pos < 2 || r->text[r->pos] != '\\' || r->text[r->pos + 1] != 'u')
			return false;
		r->pos += 2;
		if (!read_hex4(r, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return false;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp < 0xe000) {
		return false;
	}
	return put_utf8(out, outlen, o, cp);
}

static bool read_string_into(struct json_reader *r, char *out, size_t outlen, size_t *n)
{
	size_t o = 0;
	if (!expect(r, '"'))
		return false;
	while (r->pos < r->len) {
		unsigned char c = (unsigned char)r->text[r->pos++];
		if (c == '"') {
			out[o] = '\0';
			if (n)
				*n = o;
			return true;
		}
		if (c < 0x20)
			return failed(r);
		if (c == '\\') {
			if (!read_escape(r, out, outlen, &o))
				return failed(r);
		} else if (!put(out, outlen, &o, c)) {
			return failed(r);
		}
	}
	return failed(r);
}

bool json_read_string(struct json_reader *r, char *out, size_t outlen, size_t *n)
{
	if (outlen == 0)
		return failed(r);
	out[0] = '\0';
	return read_string_into(r, out, outlen, n);
}

int json_object_next(struct json_reader *r, char *key, size_t keylen)
{
	if (r->err)
		return -1;
	char c = peek(r);
	if (c == '}') {
		r->pos++;
		return 0;
	}
	if (!r->first && !expect(r, ','))
		return -1;
	r->first = false;
	char big[256];
	size_t n = 0;
	if (!read_string_into(r, big, sizeof big, &n) || !expect(r, ':'))
		return -1;
	if (keylen) {
		if (n < keylen && strlen(big) == n)
			memcpy(key, big, n + 1);
		else
			key[0] = '\0';
	}
	return 1;
}

static bool read_digits(struct json_reader *r, uint64_t *v)
{
	size_t start = r->pos;
	*v = 0;
	while (r->pos < r->len && r->text[r->pos] >= '0' && r->text[r->pos] <= '9') {
		unsigned d = (unsigned)(r->text[r->pos] - '0');
		if (*v > (UINT64_MAX - d) / 10)
			return failed(r);
		*v = *v * 10 + d;
		r->pos++;
	}
	if (r->pos == start || (r->pos - start > 1 && r->text[start] == '0'))
		return failed(r);
	return true;
}

bool json_read_u64(struct json_reader *r, uint64_t *v)
{
	*v = 0;
	if (r->err)
		return false;
	skip_space(r);
	return read_digits(r, v);
}

bool json_read_i64(struct json_reader *r, int64_t *v)
{
	uint64_t u;
	*v = 0;
	bool neg = peek(r) == '-';
	if (neg)
		r->pos++;
	if (!json_read_u64(r, &u) || u > (uint64_t)INT64_MAX)
		return failed(r);
	*v = neg ? -(int64_t)u : (int64_t)u;
	return true;
}

static bool literal(struct json_reader *r, const char *word)
{
	size_t n = strlen(word);
	if (r->len - r->pos < n || memcmp(r->text + r->pos, word, n) != 0)
		return false;
	r->pos += n;
	return true;
}

bool json_read_bool(struct json_reader *r, bool *v)
{
	*v = false;
	if (r->err)
		return false;
	skip_space(r);
	if (literal(r, "true")) {
		*v = true;
		return true;
	}
	return literal(r, "false") || failed(r);
}

/* A number's text: -?digits(.digits)? (no exponent: pentrap writes none). */
static bool skip_number(struct json_reader *r)
{
	uint64_t ignored;
	if (r->pos < r->len && r->text[r->pos] == '-')
		r->pos++;
	if (!read_digits(r, &ignored))
		return false;
	if (r->pos < r->len && r->text[r->pos] == '.') {
		r->pos++;
		size_t start = r->pos;
		while (r->pos < r->len && r->text[r->pos] >= '0' && r->text[r->pos] <= '9')
			r->pos++;
		if (r->pos == start)
			return failed(r);
	}
	return true;
}

static bool skip_value(struct json_reader *r, int depth)
{
	if (depth > JSON_READ_MAX_DEPTH)
		return failed(r);
	char c = peek(r);
	if (c == '"') {
		/* checked, not kept: a bounded scratch is enough since the text is only skipped */
		r->pos++;
		while (r->pos < r->len && r->text[r->pos] != '"') {
			if ((unsigned char)r->text[r->pos] < 0x20)
				return failed(r);
			if (r->text[r->pos] == '\\') {
				char tmp[8];
				size_t o = 0;
				r->pos++;
				if (!read_escape(r, tmp, sizeof tmp, &o))
					return failed(r);
			} else {
				r->pos++;
			}
		}
		return expect(r, '"');
	}
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		r->pos++;
		if (peek(r) == close) {
			r->pos++;
			return true;
		}
		for (;;) {
			if (c == '{') {
				if (peek(r) != '"' || !skip_value(r, depth + 1) || !expect(r, ':'))
					return false;
			}
			if (!skip_value(r, depth + 1))
				return false;
			char n = peek(r);
			r->pos++;
			if (n == close)
				return true;
			if (n != ',')
				return failed(r);
		}
	}
	if (c == 't' || c == 'f' || c == 'n')
		return literal(r, c == 't' ? "true" : c == 'f' ? "false" : "null") || failed(r);
	return skip_number(r);
}

bool json_read_raw(struct json_reader *r, const char **start, size_t *n)
{
	if (r->err)
		return false;
	skip_space(r);
	size_t from = r->pos;
	if (!skip_value(r, 0))
		return failed(r);
	*start = r->text + from;
	*n = r->pos - from;
	return true;
}

bool json_reader_done(struct json_reader *r)
{
	skip_space(r);
	return !r->err && r->pos == r->len;
}
