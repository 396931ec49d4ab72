/* json_read.c — a small bounded JSON reader (json_read.h), RFC 8259's grammar. */
#include "record/json_read.h"

#include <stdint.h>
#include <string.h>

struct parser {
	const char *s;
	size_t len, pos;
	struct json_token *tok; /* NULL: count only */
	size_t max, n;
	int err;                /* 0, or the first JSON_ERR_* */
};

static void fail(struct parser *p, int err)
{
	if (!p->err)
		p->err = err;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* A new token at the current position; its index, or -1 (counting only, or too many). */
static long token_new(struct parser *p, enum json_type type)
{
	size_t i = p->n++;
	if (!p->tok)
		return -1;
	if (i >= p->max) {
		fail(p, JSON_ERR_TOO_MANY);
		return -1;
	}
	p->tok[i] = (struct json_token){ .type = type, .start = (uint32_t)p->pos };
	return (long)i;
}

static void token_end(struct parser *p, long i, size_t end)
{
	if (i >= 0 && !p->err) {
		p->tok[i].end = (uint32_t)end;
		p->tok[i].next = (uint32_t)p->n;
	}
}

static bool is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void parse_string(struct parser *p)
{
	long t = token_new(p, JSON_STRING);
	p->pos++; /* the opening quote */
	size_t start = p->pos;
	for (;;) {
		int c = peek(p);
		if (c < 0x20) { /* the end of the text, or a control character */
			fail(p, JSON_ERR_SYNTAX);
			return;
		}
		if (c == '"')
			break;
		p->pos++;
		if (c != '\\')
			continue;
		c = peek(p);
		p->pos++;
		if (c == 'u') {
			for (int k = 0; k < 4; k++, p->pos++)
				if (!is_hex(peek(p))) {
					fail(p, JSON_ERR_SYNTAX);
					return;
				}
		} else if (c <= 0 || !strchr("\"\\/bfnrt", c)) {
			fail(p, JSON_ERR_SYNTAX);
			return;
		}
	}
	if (t >= 0)
		p->tok[t].start = (uint32_t)start;
	token_end(p, t, p->pos);
	p->pos++; /* the closing quote */
}

static void digits(struct parser *p)
{
	if (!is_digit(peek(p)))
		fail(p, JSON_ERR_SYNTAX);
	while (is_digit(peek(p)))
		p->pos++;
}

static void parse_number(struct parser *p)
{
	long t = token_new(p, JSON_NUMBER);
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else
		digits(p);
	if (peek(p) == '.') {
		p->pos++;
		digits(p);
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		digits(p);
	}
	token_end(p, t, p->pos);
}

static void parse_literal(struct parser *p, const char *word, enum json_type type)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
		fail(p, JSON_ERR_SYNTAX);
		return;
	}
	long t = token_new(p, type);
	p->pos += n;
	token_end(p, t, p->pos);
}

static void parse_value(struct parser *p, unsigned depth);

/* An object or an array: members separated by commas up to the closing bracket. */
static void parse_container(struct parser *p, unsigned depth, bool object)
{
	if (depth >= JSON_MAX_DEPTH) {
		fail(p, JSON_ERR_TOO_DEEP);
		return;
	}
	long t = token_new(p, object ? JSON_OBJECT : JSON_ARRAY);
	const int close = object ? '}' : ']';
	uint32_t size = 0;
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		token_end(p, t, p->pos);
		return;
	}
	while (!p->err) {
		skip_ws(p);
		if (object) {
			if (peek(p) != '"') {
				fail(p, JSON_ERR_SYNTAX);
				return;
			}
			parse_string(p);
			skip_ws(p);
			if (peek(p) != ':') {
				fail(p, JSON_ERR_SYNTAX);
				return;
			}
			p->pos++;
		}
		parse_value(p, depth + 1);
		size++;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) != close)
			fail(p, JSON_ERR_SYNTAX);
		break;
	}
	if (p->err)
		return;
	p->pos++;
	if (t >= 0)
		p->tok[t].size = size;
	token_end(p, t, p->pos);
}

static void parse_value(struct parser *p, unsigned depth)
{
	skip_ws(p);
	int c = peek(p);
	if (c == '{' || c == '[')
		parse_container(p, depth, c == '{');
	else if (c == '"')
		parse_string(p);
	else if (c == '-' || is_digit(c))
		parse_number(p);
	else if (c == 't')
		parse_literal(p, "true", JSON_TRUE);
	else if (c == 'f')
		parse_literal(p, "false", JSON_FALSE);
	else if (c == 'n')
		parse_literal(p, "null", JSON_NULL);
	else
		fail(p, JSON_ERR_SYNTAX);
}

long json_parse(const char *text, size_t len, struct json_token *tok, size_t max, struct json_doc *doc)
{
	if (!text || len >= UINT32_MAX)
		return JSON_ERR_SYNTAX;
	struct parser p = { .s = text, .len = len, .tok = tok, .max = max };
	parse_value(&p, 0);
	skip_ws(&p);
	if (!p.err && p.pos != p.len)
		fail(&p, JSON_ERR_SYNTAX);
	if (p.err)
		return p.err;
	if (doc)
		*doc = (struct json_doc){ .text = text, .tok = tok, .ntok = p.n };
	return (long)p.n;
}

long json_first(const struct json_doc *d, size_t i)
{
	if (i >= d->ntok || (d->tok[i].type != JSON_OBJECT && d->tok[i].type != JSON_ARRAY) || d->tok[i].size == 0)
		return -1;
	return (long)i + 1;
}

static unsigned hex4(const char *s)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* The next character of a string token's text at *pos (below end), unescaped into out
 * (at most 4 bytes); returns how many bytes. The parser has checked every escape. */
static size_t next_char(const char *s, size_t *pos, size_t end, char out[4])
{
	char c = s[(*pos)++];
	if (c != '\\') {
		out[0] = c;
		return 1;
	}
	c = s[(*pos)++];
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (c != 'u') {
		out[0] = to[strchr(from, c) - from];
		return 1;
	}
	unsigned cp = hex4(s + *pos);
	*pos += 4;
	if (cp >= 0xd800 && cp <= 0xdbff && *pos + 6 <= end && s[*pos] == '\\' && s[*pos + 1] == 'u') {
		unsigned lo = hex4(s + *pos + 2);
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			*pos += 6;
		}
	}
	if (cp >= 0xd800 && cp <= 0xdfff) /* a lone surrogate: no character */
		cp = 0xfffd;
	if (cp < 0x100) { /* \u0000..\u00ff: the byte itself (record/json.h) */
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

long json_string(const struct json_doc *d, size_t i, char *out, size_t outlen)
{
	if (i >= d->ntok || d->tok[i].type != JSON_STRING)
		return -1;
	size_t pos = d->tok[i].start, end = d->tok[i].end, n = 0, w = 0;
	bool full = false;
	while (pos < end) {
		char ch[4];
		size_t k = next_char(d->text, &pos, end, ch);
		if (!full && outlen && w + k < outlen) {
			memcpy(out + w, ch, k);
			w += k;
		} else {
			full = true;
		}
		n += k;
	}
	if (outlen)
		out[w] = '\0';
	return (long)n;
}

bool json_string_is(const struct json_doc *d, size_t i, const char *s)
{
	if (i >= d->ntok || d->tok[i].type != JSON_STRING)
		return false;
	size_t pos = d->tok[i].start, end = d->tok[i].end, n = strlen(s), at = 0;
	while (pos < end) {
		char ch[4];
		size_t k = next_char(d->text, &pos, end, ch);
		if (at + k > n || memcmp(s + at, ch, k) != 0)
			return false;
		at += k;
	}
	return at == n;
}

long json_get(const struct json_doc *d, size_t obj, const char *key)
{
	if (obj >= d->ntok || d->tok[obj].type != JSON_OBJECT)
		return -1;
	size_t k = obj + 1;
	for (uint32_t m = 0; m < d->tok[obj].size; m++) {
		if (json_string_is(d, k, key))
			return (long)k + 1;
		k = d->tok[k + 1].next;
	}
	return -1;
}

int json_u64(const struct json_doc *d, size_t i, uint64_t *v)
{
	if (i >= d->ntok || d->tok[i].type != JSON_NUMBER)
		return -1;
	uint64_t n = 0;
	for (size_t pos = d->tok[i].start; pos < d->tok[i].end; pos++) {
		char c = d->text[pos];
		if (!is_digit((unsigned char)c))
			return -1;
		unsigned dg = (unsigned)(c - '0');
		if (n > (UINT64_MAX - dg) / 10)
			return -1;
		n = n * 10 + dg;
	}
	*v = n;
	return 0;
}
