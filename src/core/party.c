/*
 * party.c — normalising the parties of an event (see party.h).
 *
 * SIP and SIPS URIs follow RFC 3261 section 19.1 (sip:user@host:port;params?headers;
 * a global number in the user part is the number, 19.1.6); tel: URIs follow RFC 3966
 * (global numbers start with '+', visual separators - . ( ) are not part of the number).
 *
 * The input is text that may come straight from a packet: every scan is bounded by
 * inlen, and the output is always NUL-terminated within outlen.
 */
#include "core/party.h"

#include <stdbool.h>
#include <string.h>

/* A bounded writer: text past outlen - 1 is dropped, the result is always terminated. */
struct out_buf {
	char *p;
	size_t cap;
	size_t len;
};

static void ob_init(struct out_buf *o, char *out, size_t outlen)
{
	o->p = out;
	o->cap = outlen;
	o->len = 0;
	if (outlen > 0)
		out[0] = '\0';
}

/* Control characters never reach a record. */
static void ob_putc(struct out_buf *o, char c)
{
	if (o->cap == 0 || o->len + 1 >= o->cap || (unsigned char)c < 0x20 || c == 0x7f)
		return;
	o->p[o->len++] = c;
	o->p[o->len] = '\0';
}

static void ob_put(struct out_buf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ob_putc(o, s[i]);
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_visual_sep(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')' || c == ' ';
}

/* Finds c in s[0..n); returns its index or n. */
static size_t find_char(const char *s, size_t n, char c)
{
	const char *q = n ? memchr(s, c, n) : NULL;
	return q ? (size_t)(q - s) : n;
}

static bool ieq(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lit[i])
			return false;
	return true;
}

/*
 * True when s[0..n) is a telephone number: an optional '+', then digits and visual
 * separators only, at least one digit.
 */
static bool looks_like_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (n > 0 && s[0] == '+')
		i = 1;
	for (; i < n; i++) {
		if (is_digit(s[i]))
			digits++;
		else if (!is_visual_sep(s[i]))
			return false;
	}
	return digits > 0;
}

static void put_number(struct out_buf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+' && i == 0)
			ob_putc(o, '+');
		else if (is_digit(s[i]))
			ob_putc(o, s[i]);
	}
}

void party_normalise_number(const char *in, size_t inlen, char *out, size_t outlen)
{
	struct out_buf o;
	ob_init(&o, out, outlen);
	if (!in)
		return;
	size_t b = 0;
	while (b < inlen && is_space(in[b]))
		b++;
	put_number(&o, in + b, inlen - b);
}

/*
 * Narrows s to the URI inside a name-addr: skips a quoted display name, then takes
 * what lies between '<' and '>' when there is a '<'. Without '<' the text is the URI.
 */
static void strip_name_addr(const char **s, size_t *n)
{
	const char *p = *s;
	size_t len = *n, i = 0;
	while (i < len && is_space(p[i]))
		i++;
	size_t start = i;
	if (i < len && p[i] == '"') {
		for (i++; i < len && p[i] != '"'; i++)
			if (p[i] == '\\' && i + 1 < len)
				i++;
		if (i < len)
			i++;
	}
	size_t lt = i + find_char(p + i, len - i, '<');
	if (lt < len) {
		size_t b = lt + 1;
		size_t gt = b + find_char(p + b, len - b, '>');
		*s = p + b;
		*n = gt - b;
		return;
	}
	*s = p + start;
	*n = len - start;
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

/* tel:NUMBER;params — the number part normalised (E.164 when global). */
static void norm_tel(struct out_buf *o, const char *s, size_t n)
{
	size_t num = find_char(s, n, ';');
	if (looks_like_number(s, num))
		put_number(o, s, num);
}

/*
 * sip:user@host:port;params?headers → "sip:user@host", or the number for a global
 * number user part. The user part may itself hold ';' (user parameters such as
 * phone-context), so the host is found after the '@' first.
 */
static void norm_sip(struct out_buf *o, const char *s, size_t n)
{
	size_t q = find_char(s, n, '?');
	n = q; /* headers dropped */
	size_t at = find_char(s, n, '@');
	const char *host = s;
	size_t hostlen = n;
	const char *user = NULL;
	size_t userlen = 0;
	if (at < n) {
		user = s;
		userlen = at;
		host = s + at + 1;
		hostlen = n - at - 1;
	}
	/* host part: drop ;params, then the port (keeping an IPv6 reference whole) */
	size_t hp = find_char(host, hostlen, ';');
	bool user_phone = false;
	for (size_t i = hp; i < hostlen;) {
		size_t b = i + 1;
		size_t e = b + find_char(host + b, hostlen - b, ';');
		const char *pv = host + b;
		size_t pn = e - b;
		trim(&pv, &pn);
		if (ieq(pv, pn, "user=phone"))
			user_phone = true;
		i = e;
	}
	hostlen = hp;
	if (hostlen > 0 && host[0] == '[') {
		size_t rb = find_char(host, hostlen, ']');
		if (rb < hostlen)
			hostlen = rb + 1;
	} else {
		hostlen = find_char(host, hostlen, ':');
	}
	size_t num = user ? find_char(user, userlen, ';') : 0;
	if (user && num > 0 && user[0] == '+' && looks_like_number(user, num)) {
		put_number(o, user, num);
		return;
	}
	ob_put(o, "sip:", 4);
	if (user && user_phone && looks_like_number(user, num)) {
		/* a local number means something only in its domain: keep the host, drop
		 * the separators and the user parameters (phone-context) */
		put_number(o, user, num);
		ob_putc(o, '@');
	} else if (user) {
		ob_put(o, user, userlen);
		ob_putc(o, '@');
	}
	for (size_t i = 0; i < hostlen; i++)
		ob_putc(o, lower(host[i]));
}

void party_normalise(const char *in, size_t inlen, char *out, size_t outlen)
{
	struct out_buf o;
	ob_init(&o, out, outlen);
	if (!in)
		return;
	const char *s = in;
	size_t n = inlen;
	strip_name_addr(&s, &n);
	trim(&s, &n);
	if (n == 0)
		return;

	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	size_t colon = find_char(s, n, ':');
	bool has_scheme = colon < n && colon > 0 && is_alpha(s[0]);
	for (size_t i = 0; has_scheme && i < colon; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.')
			has_scheme = false;
	if (has_scheme) {
		const char *rest = s + colon + 1;
		size_t rn = n - colon - 1;
		if (ieq(s, colon, "sip") || ieq(s, colon, "sips")) {
			norm_sip(&o, rest, rn);
			return;
		}
		if (ieq(s, colon, "tel")) {
			norm_tel(&o, rest, rn);
			return;
		}
		if (ieq(s, colon, "imsi")) {
			ob_put(&o, "imsi:", 5);
			ob_put(&o, rest, rn);
			return;
		}
	}
	if (s[0] == '+' && looks_like_number(s, n)) {
		put_number(&o, s, n);
		return;
	}
	ob_put(&o, s, n); /* an IP address, imsi:, service:, or something we keep as given */
}
