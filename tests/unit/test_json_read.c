/* test_json_read.c — the bounded JSON reader (record/json_read.h) and the custody's
 * captures read back with it (record/custody_read.h). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "record/custody_read.h"
#include "record/json_read.h"

static long parse(const char *text, struct json_token *tok, size_t max, struct json_doc *d)
{
	return json_parse(text, strlen(text), tok, max, d);
}

static void test_valid(void)
{
	struct json_token tok[64];
	struct json_doc d;
	const char *t = " {\"a\":[1,-2.5e3,true,false,null],\"b\":{\"c\":\"x\\\"y\"},\"d\":\"\"} ";
	CHECK_EQ_INT(parse(t, tok, 64, &d), 14);
	CHECK_EQ_INT(json_parse(t, strlen(t), NULL, 0, NULL), 14); /* counting gives the same */
	CHECK_EQ_INT(tok[0].type, JSON_OBJECT);
	CHECK_EQ_INT(tok[0].size, 3);
	CHECK_EQ_INT(tok[0].next, 14);
	long a = json_get(&d, 0, "a");
	CHECK_EQ_INT(a, 2);
	CHECK_EQ_INT(tok[a].type, JSON_ARRAY);
	CHECK_EQ_INT(tok[a].size, 5);
	CHECK_EQ_INT(json_first(&d, (size_t)a), 3);
	CHECK_EQ_INT(tok[3].type, JSON_NUMBER);
	CHECK_EQ_INT(tok[4].type, JSON_NUMBER);
	CHECK_EQ_INT(tok[5].type, JSON_TRUE);
	CHECK_EQ_INT(tok[6].type, JSON_FALSE);
	CHECK_EQ_INT(tok[7].type, JSON_NULL);
	uint64_t v = 0;
	CHECK_EQ_INT(json_u64(&d, 3, &v), 0);
	CHECK_EQ_INT(v, 1);
	CHECK_EQ_INT(json_u64(&d, 4, &v), -1); /* negative, a fraction: not a whole number */
	long b = json_get(&d, 0, "b");
	CHECK_EQ_INT(tok[b].next, json_get(&d, 0, "d") - 1); /* b's subtree ends before key d */
	long c = json_get(&d, (size_t)b, "c");
	char out[16];
	CHECK_EQ_INT(json_string(&d, (size_t)c, out, sizeof out), 3);
	CHECK_EQ_STR(out, "x\"y");
	CHECK(json_string_is(&d, (size_t)c, "x\"y"));
	CHECK(!json_string_is(&d, (size_t)c, "x\""));
	CHECK_EQ_INT(json_get(&d, 0, "nope"), -1);
	CHECK_EQ_INT(json_get(&d, (size_t)a, "a"), -1); /* not an object */
	long e = json_get(&d, 0, "d");
	CHECK_EQ_INT(json_string(&d, (size_t)e, out, sizeof out), 0);
	CHECK_EQ_STR(out, "");
	CHECK_EQ_INT(json_string(&d, 0, out, sizeof out), -1); /* not a string */
	CHECK_EQ_INT(json_first(&d, (size_t)e), -1);

	CHECK_EQ_INT(parse("[]", tok, 64, &d), 1);
	CHECK_EQ_INT(json_first(&d, 0), -1);
	CHECK_EQ_INT(parse("0", tok, 64, &d), 1);
	CHECK_EQ_INT(parse("\"only\"", tok, 64, &d), 1);
}

static void test_escapes(void)
{
	struct json_token tok[4];
	struct json_doc d;
	char out[32];
	/* \u00e9 is the raw byte 0xe9 (record/json.h writes invalid UTF-8 so); é as UTF-8;
	 * a surrogate pair; a lone surrogate becomes U+FFFD */
	CHECK_EQ_INT(parse("\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\ud800\\n\\/\"", tok, 4, &d), 1);
	long n = json_string(&d, 0, out, sizeof out);
	CHECK_EQ_INT(n, 1 + 1 + 3 + 4 + 3 + 1 + 1);
	CHECK(memcmp(out, "A\xe9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd\n/", (size_t)n) == 0);
	/* truncation never splits a character; the full length is still returned */
	CHECK_EQ_INT(json_string(&d, 0, out, 4), n);
	CHECK_EQ_INT(strlen(out), 2);
	CHECK_EQ_INT(json_string(&d, 0, out, 6), n);
	CHECK_EQ_INT(strlen(out), 5);
	/* raw bytes above 0x7f are kept as they are */
	CHECK_EQ_INT(parse("\"caf\xc3\xa9\"", tok, 4, &d), 1);
	CHECK(json_string_is(&d, 0, "caf\xc3\xa9"));
}

static void test_malformed(void)
{
	struct json_token tok[8];
	static const char *const bad[] = {
		"", " ", "{", "}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "[1 2]",
		"\"open", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\tb\"", "01", "-", "1.", "1e", ".5", "+1",
		"tru", "nul", "[1]x", "1 2", "[\"a\" \"b\"]", "{\"a\":1 \"b\":2}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		long r = json_parse(bad[i], strlen(bad[i]), tok, 8, NULL);
		if (r != JSON_ERR_SYNTAX)
			fprintf(stderr, "accepted or misreported: '%s' (%ld)\n", bad[i], r);
		CHECK_EQ_INT(r, JSON_ERR_SYNTAX);
	}
	/* a NUL inside the text is not JSON */
	CHECK_EQ_INT(json_parse("[1]\0", 4, tok, 8, NULL), JSON_ERR_SYNTAX);
	/* caps: too many tokens, too deep */
	CHECK_EQ_INT(parse("[1,2,3,4,5,6,7,8]", tok, 8, NULL), JSON_ERR_TOO_MANY);
	CHECK_EQ_INT(parse("[1,2,3,4,5,6,7,8]", NULL, 0, NULL), 9);
	char deep[2 * JSON_MAX_DEPTH + 3];
	size_t k = 0;
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		deep[k++] = '[';
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		deep[k++] = ']';
	deep[k] = '\0';
	CHECK_EQ_INT(json_parse(deep, k, NULL, 0, NULL), JSON_MAX_DEPTH); /* at the cap: fine */
	memmove(deep + 1, deep, k + 1);
	deep[0] = '[';
	deep[k + 1] = ']';
	deep[k + 2] = '\0';
	CHECK_EQ_INT(json_parse(deep, k + 2, NULL, 0, NULL), JSON_ERR_TOO_DEEP);
	/* a number too large for 64 bits */
	struct json_doc d;
	CHECK_EQ_INT(parse("18446744073709551616", tok, 8, &d), 1);
	uint64_t v;
	CHECK_EQ_INT(json_u64(&d, 0, &v), -1);
	CHECK_EQ_INT(parse("18446744073709551615", tok, 8, &d), 1);
	CHECK_EQ_INT(json_u64(&d, 0, &v), 0);
	CHECK(v == UINT64_MAX);
}

struct seen {
	size_t n;
	struct custody_capture c[4];
};

static int collect(void *ud, const struct custody_capture *c)
{
	struct seen *s = ud;
	if (s->n < 4)
		s->c[s->n] = *c;
	s->n++;
	return 0;
}

static void test_custody_captures(void)
{
	struct seen s = { 0 };
	/* a file run and a live one (run/custody.c, run/run_live.c write these) */
	const char *files = "[{\"path\":\"a \\\"b\\\".pcap\",\"sha256\":\"" /* the path: a "b".pcap */
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"size\":84},"
			    "{\"path\":\"live:eth0\",\"sha256\":\"live\",\"size\":0,\"filter\":\"udp\",\"snaplen\":65535,"
			    "\"promisc\":true}]";
	CHECK_EQ_INT(custody_captures_each(files, collect, &s), 2);
	CHECK_EQ_INT(s.n, 2);
	CHECK_EQ_STR(s.c[0].path, "a \"b\".pcap");
	CHECK_EQ_INT(strlen(s.c[0].sha256), 64);
	CHECK_EQ_INT(s.c[0].size, 84);
	CHECK_EQ_STR(s.c[1].path, "live:eth0");
	CHECK_EQ_STR(s.c[1].sha256, "live");
	/* none */
	s.n = 0;
	CHECK_EQ_INT(custody_captures_each("[]", collect, &s), 0);
	CHECK_EQ_INT(s.n, 0);
	/* a key that only looks like "path" inside another string is not a path */
	s.n = 0;
	CHECK_EQ_INT(custody_captures_each("[{\"note\":\"{\\\"path\\\":\\\"x\\\"\",\"path\":\"y\"}]", collect, &s), 1);
	CHECK_EQ_STR(s.c[0].path, "y");
	CHECK_EQ_STR(s.c[0].sha256, "");
	/* not the list: not JSON, not an array, an element without a path */
	CHECK_EQ_INT(custody_captures_each("[{\"path\":\"x\"", collect, &s), -1);
	CHECK_EQ_INT(custody_captures_each("{\"path\":\"x\"}", collect, &s), -1);
	CHECK_EQ_INT(custody_captures_each("[{\"file\":\"x\"}]", collect, &s), -1);
	CHECK_EQ_INT(custody_captures_each("[1]", collect, &s), -1);
	CHECK_EQ_INT(custody_captures_each(NULL, collect, &s), -1);
}

int main(void)
{
	test_valid();
	test_escapes();
	test_malformed();
	test_custody_captures();
	return check_done("json_read");
}
