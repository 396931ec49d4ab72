/*
 * test_str.c — the NUL-terminated text helpers (src/core/str.h): the bounded copy at
 * and past the field's size (and that it never reads past what it copies), ASCII case
 * folding, control bytes.
 */
#include "core/str.h"

#include <string.h>

#include "check.h"

static void test_copy(void)
{
	char out[4];
	CHECK_EQ_INT(str_copy(out, sizeof out, "ab"), 2);
	CHECK_EQ_STR(out, "ab");
	CHECK_EQ_INT(str_copy(out, sizeof out, "abc"), 3);
	CHECK_EQ_STR(out, "abc");
	CHECK_EQ_INT(str_copy(out, sizeof out, "abcdef"), 3); /* cut, terminated */
	CHECK_EQ_STR(out, "abc");
	CHECK_EQ_INT(str_copy(out, sizeof out, NULL), 0);
	CHECK_EQ_STR(out, "");
	out[0] = 'x';
	CHECK_EQ_INT(str_copy(out, 0, "abc"), 0); /* no room: nothing written */
	CHECK(out[0] == 'x');
	/* the source need not be terminated within the field: only cap - 1 bytes are read */
	const char unterminated[3] = { 'a', 'b', 'c' };
	CHECK_EQ_INT(str_copy(out, 3, unterminated), 2);
	CHECK_EQ_STR(out, "ab");
}

static void test_case_and_control(void)
{
	CHECK(str_lower_char('A') == 'a' && str_lower_char('Z') == 'z');
	CHECK(str_lower_char('a') == 'a' && str_lower_char('@') == '@' && str_lower_char('[') == '[');
	CHECK(str_lower_char((char)0xC4) == (char)0xC4); /* no locale */
	char s[] = "Sip:Bob@EXAMPLE.net";
	str_lower(s);
	CHECK_EQ_STR(s, "sip:bob@example.net");
	CHECK(str_is_control(0x00) && str_is_control(0x1f) && str_is_control(0x7f));
	CHECK(!str_is_control(' ') && !str_is_control('~') && !str_is_control(0x80));
}

int main(void)
{
	test_copy();
	test_case_and_control();
	return check_done("str");
}
