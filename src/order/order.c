/*
 * order.c — loading and validating an order file (YAML, docs/order.md).
 *
 * The file is read whole (its SHA-256 is kept with the records), parsed by libyaml into a
 * document (yaml_parser_load) and walked node by node, so every problem is reported as
 * one line "FILE:LINE: problem" with the 1-based line of the node at fault. The schema is
 * closed: unknown keys and duplicate keys are errors at every level, because a typo in a
 * legal order ("vaild_until") must never be silently ignored.
 */
#include "order/order.h"
#include "order/order_index.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/file_read.h"
#include "core/party.h"
#include "core/sha256file.h"
#include "core/timefmt.h"
#include "core/yaml_walk.h"

enum {
	ORDER_FILE_MAX = 16 * 1024 * 1024, /* an order is a few KiB; refuse anything absurd */
	ORDER_MAX_NESTING = 32,            /* an order nests three or four levels (too_deep_at) */
	MSISDN_MIN_DIGITS = 5,
	MSISDN_MAX_DIGITS = 15,
	IMSI_MIN_DIGITS = 6,
	IMSI_MAX_DIGITS = 15,
};

/* Reads a required, non-empty, printable value into dst (at most dstlen - 1 bytes). */
static int read_text(struct ywalk *ld, const yaml_node_t *n, const char *what, char *dst, size_t dstlen)
{
	const char *s = NULL;
	if (ywalk_scalar(ld, n, what, &s))
		return -1;
	if (s[0] == '\0')
		return ywalk_fail(ld, n, "%s: must not be empty", what);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return ywalk_fail(ld, n, "%s: contains a control character", what);
	if (strlen(s) >= dstlen)
		return ywalk_fail(ld, n, "%s: longer than %zu bytes", what, dstlen - 1);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* Digits of s after dropping spaces and dashes; -1 on any other character or too many. */
static int collect_digits(const char *s, char *digits, size_t max_digits)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (!isdigit((unsigned char)*s) || n >= max_digits)
			return -1;
		digits[n++] = *s;
	}
	digits[n] = '\0';
	return (int)n;
}

static int parse_msisdn(struct ywalk *ld, const yaml_node_t *n, const char *s, struct order_target *t)
{
	char digits[MSISDN_MAX_DIGITS + 1], shown[YWALK_SHOWN];
	const char *p = s[0] == '+' ? s + 1 : s;
	int nd = collect_digits(p, digits, MSISDN_MAX_DIGITS);
	if (nd < MSISDN_MIN_DIGITS)
		return ywalk_fail(ld, n, "msisdn: '%s' is not an E.164 number (optional '+', then %d to %d digits)",
			       ywalk_show(s, shown, sizeof shown), MSISDN_MIN_DIGITS, MSISDN_MAX_DIGITS);
	t->kind = TARGET_MSISDN;
	snprintf(t->id, sizeof t->id, "+%s", digits);
	return 0;
}

static int parse_imsi(struct ywalk *ld, const yaml_node_t *n, const char *s, struct order_target *t)
{
	char digits[IMSI_MAX_DIGITS + 1], shown[YWALK_SHOWN];
	const char *p = strncasecmp(s, "imsi:", 5) == 0 ? s + 5 : s;
	size_t nd = strspn(p, "0123456789");
	if (p[nd] != '\0' || nd < IMSI_MIN_DIGITS || nd > IMSI_MAX_DIGITS)
		return ywalk_fail(ld, n, "imsi: '%s' is not an IMSI (%d to %d digits)",
			       ywalk_show(s, shown, sizeof shown), IMSI_MIN_DIGITS, IMSI_MAX_DIGITS);
	memcpy(digits, p, nd + 1);
	t->kind = TARGET_IMSI;
	snprintf(t->id, sizeof t->id, "imsi:%s", digits);
	return 0;
}

static int parse_sip(struct ywalk *ld, const yaml_node_t *n, const char *s, struct order_target *t)
{
	char uri[PARTY_MAX + 8], norm[PARTY_MAX], shown[YWALK_SHOWN];
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20 || *p == '<' || *p == '>' ||
		    *p == '"')
			return ywalk_fail(ld, n, "sip: '%s' is not a SIP address (expected user@host)",
				       ywalk_show(s, shown, sizeof shown));
	if (strlen(s) >= PARTY_MAX)
		return ywalk_fail(ld, n, "sip: longer than %d bytes", PARTY_MAX - 1);
	if (strncasecmp(s, "sip:", 4) == 0)
		snprintf(uri, sizeof uri, "sip:%s", s + 4);
	else if (strncasecmp(s, "sips:", 5) == 0)
		snprintf(uri, sizeof uri, "sip:%s", s + 5);
	else
		snprintf(uri, sizeof uri, "sip:%s", s);
	const char *at = strchr(uri, '@');
	if (!at || at == uri + 4 || at[1] == '\0')
		return ywalk_fail(ld, n, "sip: '%s' is not a SIP address (expected user@host)",
			       ywalk_show(s, shown, sizeof shown));
	party_normalise(uri, strlen(uri), norm, sizeof norm);
	if (norm[0] == '+') {
		/* "sip:+15551234567@ims.example": a global number is the number (RFC 3261 19.1.6),
		 * and that is how events name it, so the target becomes an msisdn target. */
		return parse_msisdn(ld, n, norm, t);
	}
	if (strncmp(norm, "sip:", 4) != 0 || !strchr(norm + 4, '@'))
		return ywalk_fail(ld, n, "sip: '%s' is not a SIP address (expected user@host)",
			       ywalk_show(s, shown, sizeof shown));
	t->kind = TARGET_SIP;
	snprintf(t->id, sizeof t->id, "%s", norm);
	return 0;
}

static int parse_ip(struct ywalk *ld, const yaml_node_t *n, const char *s, struct order_target *t)
{
	char addr_text[ADDR_STRLEN + 1], shown[YWALK_SHOWN], fmt[ADDR_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof addr_text)
		return ywalk_fail(ld, n, "ip: '%s' is not an IP address or prefix", ywalk_show(s, shown, sizeof shown));
	memcpy(addr_text, s, alen);
	addr_text[alen] = '\0';
	struct ip_addr a;
	if (addr_parse(addr_text, &a) != 0)
		return ywalk_fail(ld, n, "ip: '%s' is not an IP address or prefix", ywalk_show(s, shown, sizeof shown));
	unsigned max = a.family == 4 ? 32 : 128, len = max;
	if (slash) {
		const char *d = slash + 1;
		size_t nd = strspn(d, "0123456789");
		if (nd == 0 || nd > 3 || d[nd] != '\0' || (unsigned)atoi(d) > max)
			return ywalk_fail(ld, n, "ip: '%s' has a bad prefix length (0 to %u)",
				       ywalk_show(s, shown, sizeof shown), max);
		len = (unsigned)atoi(d);
		if (len == 0)
			return ywalk_fail(ld, n, "ip: '%s' would match every address", ywalk_show(s, shown, sizeof shown));
	}
	/* Host bits beyond the prefix make the order ambiguous: refuse rather than guess. */
	struct ip_addr masked = a;
	for (unsigned bit = len; bit < max; bit++)
		masked.bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	if (!addr_eq(&masked, &a))
		return ywalk_fail(ld, n, "ip: '%s' has bits set beyond the prefix (did you mean %s/%u?)",
			       ywalk_show(s, shown, sizeof shown), addr_format(&masked, fmt, sizeof fmt), len);
	t->kind = TARGET_IP;
	t->net = a;
	t->prefix_len = len;
	snprintf(t->id, sizeof t->id, "%s/%u", addr_format(&a, fmt, sizeof fmt), len);
	return 0;
}

/*
 * A lawful interception identifier: 1 to 25 octets (TS 101 671's OCTET STRING SIZE
 * (1..25)) of printable ASCII without spaces, so it reads the same in every tool.
 */
static int load_liid(struct ywalk *ld, const yaml_node_t *n, char dst[ORDER_LIID_MAX + 1])
{
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(ld, n, "liid", &s))
		return -1;
	size_t len = strlen(s);
	if (len == 0)
		return ywalk_fail(ld, n, "liid: must not be empty");
	if (len > ORDER_LIID_MAX)
		return ywalk_fail(ld, n, "liid: '%s' is %zu octets, the handover format allows at most %d",
			       ywalk_show(s, shown, sizeof shown), len, ORDER_LIID_MAX);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return ywalk_fail(ld, n, "liid: '%s' has a character other than printable ASCII",
				       ywalk_show(s, shown, sizeof shown));
	memcpy(dst, s, len + 1);
	return 0;
}

int order_split_hostport(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	const char *h = s, *hend = colon;
	if (!colon || colon == s)
		return -1;
	if (s[0] == '[') { /* [2001:db8::1]:6000 */
		if (colon[-1] != ']' || colon - s < 3)
			return -1;
		h = s + 1;
		hend = colon - 1;
	} else if (memchr(s, ':', (size_t)(colon - s))) {
		return -1; /* an IPv6 address without brackets: where its port starts is unclear */
	}
	size_t hl = (size_t)(hend - h);
	const char *p = colon + 1;
	size_t nd = strspn(p, "0123456789");
	if (hl == 0 || hl >= hostlen || nd == 0 || nd > 5 || p[nd] != '\0')
		return -1;
	unsigned long v = strtoul(p, NULL, 10);
	if (v == 0 || v > 65535)
		return -1;
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f)
			return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (unsigned)v;
	return 0;
}

const char *order_target_liid(const struct order *o, size_t i)
{
	return i < o->ntargets && o->targets[i].liid[0] ? o->targets[i].liid : o->liid;
}

enum { T_MSISDN, T_SIP, T_IMSI, T_IP, T_LIID, T__COUNT };

/* One target: exactly one identifier, and optionally the LIID it is delivered under. */
static int load_target(struct ywalk *ld, const yaml_node_t *item, struct order_target *t)
{
	static const char *const keys[T__COUNT] = { "msisdn", "sip", "imsi", "ip", "liid" };
	static const char *const list = "msisdn, sip, imsi, ip";
	if (item->type != YAML_MAPPING_NODE)
		return ywalk_fail(ld, item, "targets: each item must be one key and value, like '- msisdn: \"+15551234567\"'");
	const yaml_node_t *k[T__COUNT], *v[T__COUNT];
	if (ywalk_mapping(ld, item, NULL, keys, T__COUNT, k, v))
		return -1;
	size_t nids = 0;
	for (int i = 0; i < T_LIID; i++)
		nids += v[i] != NULL;
	if (nids != 1)
		return ywalk_fail(ld, item, "targets: each item names exactly one identifier (%s), found %zu",
			       list, nids);
	if (v[T_LIID] && load_liid(ld, v[T_LIID], t->liid))
		return -1;
	for (int i = 0; i < T_LIID; i++) {
		if (!v[i])
			continue;
		const char *s = NULL;
		if (ywalk_scalar(ld, v[i], keys[i], &s))
			return -1;
		switch (i) {
		case T_MSISDN:
			return parse_msisdn(ld, v[i], s, t);
		case T_SIP:
			return parse_sip(ld, v[i], s, t);
		case T_IMSI:
			return parse_imsi(ld, v[i], s, t);
		default:
			return parse_ip(ld, v[i], s, t);
		}
	}
	return ywalk_fail(ld, item, "targets: empty item");
}

/* A bare date (2026-12-31): what ts_parse reads as that day's first microsecond. */
static bool bare_date(const char *s)
{
	return strlen(s) == 10 && s[4] == '-' && s[7] == '-';
}

/*
 * A time of the order. end_of_day: a bare date means the end of that day (the last
 * microsecond), as "valid until 2026-12-31" is read; elsewhere its start.
 */
static int load_time(struct ywalk *ld, const yaml_node_t *n, const char *what, bool end_of_day, uint64_t *out)
{
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(ld, n, what, &s))
		return -1;
	if (ts_parse(s, out) != 0)
		return ywalk_fail(ld, n, "%s: not an RFC 3339 time: '%s'", what, ywalk_show(s, shown, sizeof shown));
	if (end_of_day && bare_date(s))
		*out += 86400ull * 1000000ull - 1;
	return 0;
}

enum { K_ID, K_AUTHORITY, K_KIND, K_FROM, K_UNTIL, K_TARGETS, K_LIID, K_DELIVER_TO, K__COUNT };

static int load_order(struct ywalk *ld, const yaml_node_t *root, struct order *o)
{
	static const char *const top[] = { "order" };
	static const char *const keys[K__COUNT] = { "id", "authority", "kind", "valid_from", "valid_until", "targets",
						     "liid", "deliver_to" };
	const yaml_node_t *tk[1], *tv[1], *k[K__COUNT], *v[K__COUNT];

	if (root->type != YAML_MAPPING_NODE)
		return ywalk_fail(ld, root, "expected 'order:' at the top, found %s", ywalk_kind_name(root));
	if (ywalk_mapping(ld, root, NULL, top, 1, tk, tv))
		return -1;
	if (!tv[0])
		return ywalk_fail(ld, root, "missing key 'order'");
	const yaml_node_t *m = tv[0];
	if (m->type != YAML_MAPPING_NODE)
		return ywalk_fail(ld, m, "order: expected a mapping of id, kind, valid_from, valid_until, targets, found %s",
			       ywalk_kind_name(m));
	if (ywalk_mapping(ld, m, NULL, keys, K__COUNT, k, v))
		return -1;
	static const int required[] = { K_ID, K_KIND, K_FROM, K_UNTIL, K_TARGETS };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!v[required[i]])
			return ywalk_fail(ld, tk[0], "order: missing required key '%s'", keys[required[i]]);

	if (read_text(ld, v[K_ID], "id", o->id, sizeof o->id))
		return -1;
	if (v[K_AUTHORITY]) {
		const char *s = NULL;
		if (ywalk_scalar(ld, v[K_AUTHORITY], "authority", &s))
			return -1;
		if (s[0] && read_text(ld, v[K_AUTHORITY], "authority", o->authority, sizeof o->authority))
			return -1;
	}

	if (v[K_LIID] && load_liid(ld, v[K_LIID], o->liid))
		return -1;
	if (v[K_DELIVER_TO]) {
		char host[ORDER_DELIVER_TO_MAX], shown[YWALK_SHOWN];
		unsigned port = 0;
		const char *s = NULL;
		if (ywalk_scalar(ld, v[K_DELIVER_TO], "deliver_to", &s))
			return -1;
		if (strlen(s) >= sizeof o->deliver_to || order_split_hostport(s, host, sizeof host, &port))
			return ywalk_fail(ld, v[K_DELIVER_TO], "deliver_to: '%s' is not HOST:PORT (port 1 to 65535, [v6]:PORT for IPv6)",
				       ywalk_show(s, shown, sizeof shown));
		memcpy(o->deliver_to, s, strlen(s) + 1);
	}

	const char *kind = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(ld, v[K_KIND], "kind", &kind))
		return -1;
	if (strcmp(kind, "pen-register") == 0)
		o->kind = ORDER_PEN_REGISTER;
	else if (strcmp(kind, "trap-and-trace") == 0)
		o->kind = ORDER_TRAP_TRACE;
	else if (strcmp(kind, "both") == 0)
		o->kind = ORDER_BOTH;
	else
		return ywalk_fail(ld, v[K_KIND], "kind: '%s' is not one of pen-register, trap-and-trace, both",
			       ywalk_show(kind, shown, sizeof shown));

	if (load_time(ld, v[K_FROM], "valid_from", false, &o->valid_from_us) ||
	    load_time(ld, v[K_UNTIL], "valid_until", true, &o->valid_until_us))
		return -1;
	if (o->valid_until_us <= o->valid_from_us)
		return ywalk_fail(ld, v[K_UNTIL], "valid_until: must be after valid_from");

	const yaml_node_t *tl = v[K_TARGETS];
	if (tl->type != YAML_SEQUENCE_NODE)
		return ywalk_fail(ld, tl, "targets: expected a list, found %s", ywalk_kind_name(tl));
	size_t n = (size_t)(tl->data.sequence.items.top - tl->data.sequence.items.start);
	if (n == 0)
		return ywalk_fail(ld, tl, "targets: the list is empty (an order names at least one target)");
	if (n > ORDER_MAX_TARGETS)
		return ywalk_fail(ld, tl, "targets: %zu targets, at most %d are supported", n, ORDER_MAX_TARGETS);
	o->targets = calloc(n, sizeof *o->targets);
	if (!o->targets)
		return ywalk_fail(ld, tl, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = ywalk_node(ld, tl->data.sequence.items.start[i]);
		if (!item)
			return ywalk_fail(ld, tl, "malformed list");
		if (load_target(ld, item, &o->targets[i]))
			return -1;
		o->ntargets = i + 1;
	}
	return 0;
}

/* The 1-based line of a byte offset, for libyaml reader errors, which give only the offset. */
static unsigned long line_of_offset(const char *buf, size_t len, size_t off)
{
	unsigned long line = 1;
	for (size_t i = 0; i < off && i < len; i++)
		line += buf[i] == '\n';
	return line;
}

static int yaml_failure(struct ywalk *ld, const yaml_parser_t *p, const char *buf, size_t len)
{
	const char *problem = p->problem ? p->problem : "unknown problem";
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return ywalk_fail(ld, NULL, "out of memory while parsing");
	case YAML_READER_ERROR:
		snprintf(ld->errbuf, ld->errlen, "%s:%lu: YAML: %s (byte offset %zu)", ld->source,
			 line_of_offset(buf, len, p->problem_offset), problem, p->problem_offset);
		return -1;
	default:
		if (p->context)
			snprintf(ld->errbuf, ld->errlen, "%s:%lu: YAML syntax error: %s (%s at line %lu)",
				 ld->source, (unsigned long)p->problem_mark.line + 1, problem, p->context,
				 (unsigned long)p->context_mark.line + 1);
		else
			snprintf(ld->errbuf, ld->errlen, "%s:%lu: YAML syntax error: %s", ld->source,
				 (unsigned long)p->problem_mark.line + 1, problem);
		return -1;
	}
}

/*
 * The line of the first place the text nests deeper than ORDER_MAX_NESTING: flow
 * collections ('[', '{' outside quotes and comments) or a chain of block sequence
 * items on one line ("- - - x"); 0 when it never does. An order is a mapping with a
 * list of flat targets, three or four levels; libyaml's scanner takes time quadratic in
 * the nesting (100,000 levels, 200 KB, took 90 s), so deeper text is refused before it.
 */
static unsigned too_deep_at(const char *b, size_t len)
{
	unsigned line = 1, depth = 0, dashes = 0;
	bool line_start = true;
	char quote = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = b[i];
		if (c == '\n') {
			line++;
			line_start = true;
			dashes = 0;
			/* an apostrophe in a plain scalar (O'Brien) opens no quote past its line */
			quote = quote == '"' ? quote : 0;
			continue;
		}
		if (quote) {
			if (c == '\\' && quote == '"')
				i++;
			else if ((char)c == quote)
				quote = 0;
			continue;
		}
		if (c == '#' && (i == 0 || b[i - 1] == ' ' || b[i - 1] == '\t' || b[i - 1] == '\n')) {
			while (i + 1 < len && b[i + 1] != '\n')
				i++;
			continue;
		}
		if (c == '"' || c == '\'') {
			quote = (char)c;
			line_start = false;
		} else if (c == '[' || c == '{') {
			depth++;
			line_start = false;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		} else if (c == '-' && line_start && (i + 1 == len || b[i + 1] == ' ' || b[i + 1] == '\n')) {
			dashes++; /* still at the line's start: the next "- " nests inside this one */
		} else if (c != ' ' && c != '\t') {
			line_start = false;
		}
		if (depth > ORDER_MAX_NESTING || dashes > ORDER_MAX_NESTING)
			return line;
	}
	return 0;
}

int order_load(const char *path, struct order *out, char *errbuf, size_t errlen)
{
	struct ywalk ld = { .source = path, .errbuf = errbuf, .errlen = errlen };
	char *buf = NULL;
	size_t len = 0;
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	bool parser_ok = false, doc_ok = false;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (errlen)
		errbuf[0] = '\0';
	if (file_read_all(path, ORDER_FILE_MAX, "an order file", &buf, &len, errbuf, errlen))
		goto out;
	sha256_hex(buf, len, out->file_sha256);
	unsigned deep = too_deep_at(buf, len);
	if (deep) {
		snprintf(errbuf, errlen, "%s:%u: nested deeper than %d levels: not an order", path, deep,
			 ORDER_MAX_NESTING);
		goto out;
	}

	if (!yaml_parser_initialize(&parser)) {
		ywalk_fail(&ld, NULL, "out of memory");
		goto out;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_failure(&ld, &parser, buf, len);
		goto out;
	}
	doc_ok = true;
	ld.doc = &doc;
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(errbuf, errlen, "%s:1: empty file (expected 'order:' with id, kind, valid_from, valid_until, targets)",
			 path);
		goto out;
	}
	if (load_order(&ld, root, out))
		goto out;

	/* One order per file: a second document is a mistake, not something to ignore. */
	if (!yaml_parser_load(&parser, &extra)) {
		yaml_failure(&ld, &parser, buf, len);
		goto out;
	}
	const yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
	if (extra_root) {
		ld.doc = &extra;
		ywalk_fail(&ld, extra_root, "a second YAML document: an order file holds one order");
	}
	yaml_document_delete(&extra);
	if (!extra_root)
		rc = 0;
	if (rc == 0)
		(void)order_index_build(out); /* out of memory: matching scans the targets instead */
out:
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	free(buf);
	if (rc != 0) {
		char sha[65];
		memcpy(sha, out->file_sha256, sizeof sha);
		order_fini(out);
		memcpy(out->file_sha256, sha, sizeof sha);
	}
	return rc;
}

void order_fini(struct order *o)
{
	if (!o)
		return;
	free(o->targets);
	order_index_free(o->index);
	memset(o, 0, sizeof *o);
}
