/*
 * test_cursor.c — the bounded reader's edges (src/core/cursor.h): every reader at the
 * exact end and one byte past it, the sticky error, sub-cursors (lenient and exact),
 * and zero-length windows.
 */
#include "core/cursor.h"

#include "check.h"

static const uint8_t bytes[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

/* Each fixed-width reader: exactly enough bytes succeeds, one short fails with 0. */
static void test_readers_at_end(void)
{
	struct cursor c;

	c = cur_make(bytes, 1);
	CHECK_EQ_INT(cur_u8(&c), 0x01);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 0);
	CHECK_EQ_INT(cur_u8(&c), 0);
	CHECK(!cur_ok(&c));

	c = cur_make(bytes, 2);
	CHECK_EQ_INT(cur_be16(&c), 0x0102);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 1);
	CHECK_EQ_INT(cur_be16(&c), 0);
	CHECK(!cur_ok(&c));
	CHECK_EQ_INT(cur_pos(&c), 0); /* a failed read does not move */

	c = cur_make(bytes, 3);
	CHECK_EQ_INT(cur_be24(&c), 0x010203);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 2);
	CHECK_EQ_INT(cur_be24(&c), 0);
	CHECK(!cur_ok(&c));

	c = cur_make(bytes, 4);
	CHECK_EQ_INT(cur_be32(&c), 0x01020304);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 3);
	CHECK_EQ_INT(cur_be32(&c), 0);
	CHECK(!cur_ok(&c));

	c = cur_make(bytes, 8);
	CHECK(cur_be64(&c) == 0x0102030405060708ull);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 7);
	CHECK(cur_be64(&c) == 0);
	CHECK(!cur_ok(&c));

	c = cur_make(bytes, 2);
	CHECK_EQ_INT(cur_le16(&c), 0x0201);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 1);
	CHECK_EQ_INT(cur_le16(&c), 0);
	CHECK(!cur_ok(&c));

	c = cur_make(bytes, 4);
	CHECK_EQ_INT(cur_le32(&c), 0x04030201);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 3);
	CHECK_EQ_INT(cur_le32(&c), 0);
	CHECK(!cur_ok(&c));
}

static void test_skip_copy_span(void)
{
	struct cursor c = cur_make(bytes, 4);
	cur_skip(&c, 4);
	CHECK(cur_ok(&c) && cur_at_end(&c));
	c = cur_make(bytes, 4);
	cur_skip(&c, 5);
	CHECK(!cur_ok(&c));

	uint8_t out[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	c = cur_make(bytes, 4);
	cur_copy(&c, out, 4);
	CHECK(cur_ok(&c) && out[0] == 1 && out[3] == 4);
	c = cur_make(bytes, 3);
	cur_copy(&c, out, 4);
	CHECK(!cur_ok(&c));
	CHECK(out[0] == 0 && out[3] == 0); /* a short copy leaves zeros, not stale bytes */

	c = cur_make(bytes, 4);
	struct span s = cur_span(&c, 4);
	CHECK(s.ptr == bytes && s.len == 4 && cur_ok(&c));
	c = cur_make(bytes, 4);
	s = cur_span(&c, 5);
	CHECK(s.ptr == NULL && s.len == 0 && !cur_ok(&c));

	c = cur_make(bytes, 4);
	cur_skip(&c, 1);
	s = cur_rest(&c);
	CHECK(s.ptr == bytes + 1 && s.len == 3 && cur_at_end(&c));
	s = cur_rest(&c); /* nothing left: an empty span, still no error */
	CHECK(s.len == 0 && cur_ok(&c));
}

static void test_peek_and_has(void)
{
	struct cursor c = cur_make(bytes, 2);
	CHECK(cur_has(&c, 2));
	CHECK(!cur_has(&c, 3));
	CHECK_EQ_INT(cur_peek_u8(&c, 1), 0x02);
	CHECK_EQ_INT(cur_peek_u8(&c, 2), 0); /* out of range peek */
	CHECK(cur_ok(&c));                   /* ... does not fail the cursor */
	CHECK_EQ_INT(cur_pos(&c), 0);
	CHECK(!cur_has(&c, SIZE_MAX));       /* no overflow in the bound check */
}

/* After the first failure every read returns 0 and nothing moves, even reads that fit. */
static void test_sticky_error(void)
{
	struct cursor c = cur_make(bytes, 8);
	cur_skip(&c, 7);
	CHECK_EQ_INT(cur_be16(&c), 0);
	CHECK(!cur_ok(&c));
	CHECK_EQ_INT(cur_remaining(&c), 0);
	CHECK(cur_at_end(&c));
	CHECK_EQ_INT(cur_u8(&c), 0); /* one byte is still there, but the cursor failed */
	CHECK(!cur_has(&c, 0));
	struct span s = cur_span(&c, 0);
	CHECK(s.len == 0 && s.ptr == NULL);

	c = cur_make(bytes, 8);
	cur_fail(&c);
	CHECK_EQ_INT(cur_u8(&c), 0);
	CHECK(!cur_ok(&c));
}

static void test_sub(void)
{
	bool trunc = true;
	struct cursor c = cur_make(bytes, 8);
	cur_skip(&c, 2);
	struct cursor s = cur_sub(&c, 4, &trunc);
	CHECK(!trunc);
	CHECK_EQ_INT(cur_remaining(&s), 4);
	CHECK_EQ_INT(cur_u8(&s), 0x03);
	CHECK_EQ_INT(cur_pos(&c), 6); /* the parent moved past the whole part */
	cur_skip(&s, 3);
	CHECK(cur_ok(&s) && cur_at_end(&s));
	CHECK_EQ_INT(cur_u8(&s), 0); /* the sub-window ends before the parent does */
	CHECK(!cur_ok(&s));
	CHECK(cur_ok(&c)); /* ... and failing it leaves the parent alone */

	/* declared longer than what is left: covers what there is, flags it, fails nothing */
	c = cur_make(bytes, 8);
	cur_skip(&c, 5);
	s = cur_sub(&c, 10, &trunc);
	CHECK(trunc);
	CHECK_EQ_INT(cur_remaining(&s), 3);
	CHECK(cur_ok(&s) && cur_ok(&c));
	CHECK(cur_at_end(&c));

	/* exactly what is left is not truncated */
	c = cur_make(bytes, 8);
	s = cur_sub(&c, 8, &trunc);
	CHECK(!trunc && cur_remaining(&s) == 8 && cur_at_end(&c));

	/* flag pointer optional */
	c = cur_make(bytes, 2);
	s = cur_sub(&c, 4, NULL);
	CHECK_EQ_INT(cur_remaining(&s), 2);

	/* a sub-cursor of a failed parent is empty and already failed-looking */
	c = cur_make(bytes, 2);
	cur_skip(&c, 3);
	s = cur_sub(&c, 1, &trunc);
	CHECK(trunc);
	CHECK_EQ_INT(cur_remaining(&s), 0);
	CHECK_EQ_INT(cur_u8(&s), 0);
	CHECK(!cur_ok(&s));
}

static void test_sub_exact(void)
{
	struct cursor c = cur_make(bytes, 8);
	struct cursor s = cur_sub_exact(&c, 8);
	CHECK(cur_ok(&c) && cur_ok(&s));
	CHECK_EQ_INT(cur_remaining(&s), 8);
	CHECK(cur_at_end(&c));

	c = cur_make(bytes, 8);
	cur_skip(&c, 4);
	s = cur_sub_exact(&c, 5);
	CHECK(!cur_ok(&c)); /* an overrun fails the parent */
	CHECK(!cur_ok(&s));
	CHECK_EQ_INT(cur_remaining(&s), 0);
	CHECK_EQ_INT(cur_u8(&s), 0);
}

static void test_zero_length(void)
{
	struct cursor c = cur_make(NULL, 5); /* NULL data means an empty window */
	CHECK_EQ_INT(cur_remaining(&c), 0);
	CHECK(cur_at_end(&c) && cur_ok(&c));
	CHECK_EQ_INT(cur_u8(&c), 0);
	CHECK(!cur_ok(&c));

	c = cur_make(bytes, 0);
	CHECK(cur_has(&c, 0));
	cur_skip(&c, 0);
	CHECK(cur_ok(&c));
	struct span s = cur_span(&c, 0);
	CHECK(s.len == 0 && cur_ok(&c));
	bool trunc = true;
	struct cursor sub = cur_sub(&c, 0, &trunc);
	CHECK(!trunc && cur_remaining(&sub) == 0 && cur_ok(&sub));
	sub = cur_sub_exact(&c, 0);
	CHECK(cur_ok(&c) && cur_ok(&sub));
	CHECK(span_eq_str(s, ""));
	struct span ab = { bytes, 0 };
	CHECK(!span_eq_str(ab, "a"));
}

/* A sub-cursor of a failed cursor has no data: empty reads of it must not do pointer
 * arithmetic on NULL (undefined behaviour UBSan reports; found by fuzzing DNS). */
static void test_sub_of_failed(void)
{
	const uint8_t b[2] = { 1, 2 };
	struct cursor c = cur_make(b, sizeof b);
	cur_be32(&c);
	CHECK(!cur_ok(&c));
	struct cursor s = cur_sub(&c, 10, NULL);
	struct span r = cur_rest(&s);
	CHECK(r.ptr == NULL && r.len == 0);
	uint8_t out[1] = { 7 };
	cur_copy(&s, out, 0);
	CHECK(cur_ok(&s));
	struct cursor ss = cur_sub(&s, 0, NULL);
	CHECK(cur_remaining(&ss) == 0);
}

int main(void)
{
	test_readers_at_end();
	test_skip_copy_span();
	test_peek_and_has();
	test_sticky_error();
	test_sub();
	test_sub_exact();
	test_zero_length();
	test_sub_of_failed();
	return check_done("test_cursor");
}
