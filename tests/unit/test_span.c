/*
 * test_span.c — the text operations on borrowed spans (src/core/span.h): narrowing
 * past the end, finding, trimming (SP, HT, CR, LF), ASCII case-insensitive equality
 * and prefixes, decimal numbers at their limits, line iteration (CRLF, bare LF, an
 * unterminated last line), token iteration, and text copies with control bytes.
 */
#include "core/span.h"

#include "check.h"

static struct span S(const char *s)
{
	return span_of_str(s);
}

static void test_narrowing(void)
{
	struct span s = S("abcdef");
	CHECK(span_eq_str(span_sub(s, 1, 3), "bcd"));
	CHECK(span_eq_str(span_sub(s, 4, 10), "ef")); /* cut to what there is */
	CHECK(span_sub(s, 7, 1).len == 0 && span_sub(s, 7, 1).ptr == NULL); /* past the end */
	CHECK(span_eq_str(span_sub(s, 6, 1), ""));
	CHECK(span_eq_str(span_from(s, 2), "cdef"));
	CHECK_EQ_INT(span_find(s, 'd'), 3);
	CHECK_EQ_INT(span_find(s, 'z'), 6);
	CHECK_EQ_INT(span_find(span_make(NULL, 5), 'a'), 0);
	CHECK(span_make(NULL, 5).len == 0);
	CHECK(span_of_str(NULL).len == 0);
}

static void test_trim_and_case(void)
{
	CHECK(span_eq_str(span_trim(S(" \t a b \r\n")), "a b"));
	CHECK(span_eq_str(span_trim(S(" \r\n\t")), ""));
	CHECK(span_eq_str(span_trim(S("x")), "x"));
	CHECK(span_ieq(S("Content-TYPE"), "content-type"));
	CHECK(span_ieq(S("content-type"), "Content-Type")); /* either side may have capitals */
	CHECK(!span_ieq(S("content-typ"), "content-type"));
	CHECK(!span_ieq(S("content-types"), "content-type"));
	CHECK(!span_ieq(S("[ontent"), "{ontent")); /* ASCII letters only fold */
	CHECK(span_iprefix(S("SIP/2.0 200 OK"), "sip/2.0 "));
	CHECK(!span_iprefix(S("SIP/2"), "sip/2.0 "));
	CHECK(span_eq_str(S(""), ""));
	CHECK(!span_eq_str(S("a"), "b"));
}

static void test_numbers(void)
{
	uint64_t v = 7;
	CHECK(span_uint(S("0"), &v) && v == 0);
	CHECK(span_uint(S("4294967295"), &v) && v == 4294967295u);
	CHECK(span_uint(S("9999999999"), &v) && v == 9999999999ull); /* 10 digits */
	CHECK(!span_uint(S("12345678901"), &v)); /* 11 */
	CHECK(!span_uint(S(""), &v));
	CHECK(!span_uint(S("12a"), &v));
	CHECK(!span_uint(S(" 1"), &v));
}

static void test_lines(void)
{
	struct span body = S("v=0\r\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\r\nlast");
	struct span line;
	size_t pos = 0;
	CHECK(span_next_line(body, &pos, &line) && span_eq_str(line, "v=0"));
	CHECK(span_next_line(body, &pos, &line) && span_eq_str(line, "c=IN IP4 192.0.2.1")); /* bare LF */
	CHECK(span_next_line(body, &pos, &line) && span_eq_str(line, "m=audio 4000 RTP/AVP 0"));
	size_t before = pos;
	CHECK(!span_next_line(body, &pos, &line)); /* "last" has no LF */
	CHECK_EQ_INT(pos, before);
	CHECK(span_eq_str(span_from(body, pos), "last"));
	pos = 0;
	CHECK(span_next_line(S("\r\n"), &pos, &line) && line.len == 0);
	pos = 0;
	CHECK(span_next_line(S("\n"), &pos, &line) && line.len == 0 && pos == 1);
	pos = 0;
	CHECK(!span_next_line(S(""), &pos, &line));
}

static void test_tokens(void)
{
	struct span tok;
	size_t pos = 0;
	struct span s = S("a; b ;;c");
	CHECK(span_next_token(s, &pos, ';', &tok) && span_eq_str(tok, "a"));
	CHECK(span_next_token(s, &pos, ';', &tok) && span_eq_str(tok, "b"));
	CHECK(span_next_token(s, &pos, ';', &tok) && span_eq_str(tok, ""));
	CHECK(span_next_token(s, &pos, ';', &tok) && span_eq_str(tok, "c"));
	CHECK(!span_next_token(s, &pos, ';', &tok));
	pos = 0;
	CHECK(span_next_token(S("a;"), &pos, ';', &tok) && span_eq_str(tok, "a"));
	CHECK(span_next_token(S("a;"), &pos, ';', &tok) && span_eq_str(tok, ""));
	CHECK(!span_next_token(S("a;"), &pos, ';', &tok));
	pos = 0;
	CHECK(span_next_token(S(""), &pos, ';', &tok) && tok.len == 0);
	CHECK(!span_next_token(S(""), &pos, ';', &tok));
}

static void test_copy_text(void)
{
	char out[6];
	span_copy_text(out, sizeof out, S("abc"));
	CHECK_EQ_STR(out, "abc");
	span_copy_text(out, sizeof out, S("abcdefgh"));
	CHECK_EQ_STR(out, "abcde"); /* cut to the field */
	const uint8_t ctl[] = { 'a', 0x00, 0x1f, 0x7f, 0x80, 'z' };
	span_copy_text(out, sizeof out, span_make(ctl, sizeof ctl));
	CHECK(out[0] == 'a' && out[1] == '?' && out[2] == '?' && out[3] == '?' && (uint8_t)out[4] == 0x80 &&
	      out[5] == '\0');
	out[0] = 'x';
	span_copy_text(out, 0, S("abc")); /* no room at all: nothing written */
	CHECK(out[0] == 'x');
	span_copy_text(out, 1, S("abc"));
	CHECK_EQ_STR(out, "");
}

int main(void)
{
	test_narrowing();
	test_trim_and_case();
	test_numbers();
	test_lines();
	test_tokens();
	test_copy_text();
	return check_done("span");
}
