/*
 * test_ber.c — the bounded BER reader (proto/ber.c): definite and indefinite lengths,
 * high tag numbers, INTEGER and OID values; the depth cap, lengths past the end of cut
 * and whole windows, reserved and over-long length forms, runaway indefinite walks.
 * Inputs are exact-size heap copies so the sanitizer build sees any over-read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/ber.h"

static uint8_t *buf; /* the current input, exactly its size */

static size_t hex(const char *h)
{
	size_t n = strlen(h) / 2;
	free(buf);
	buf = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		buf[i] = (uint8_t)v;
	}
	return n;
}

static enum ber_status first(const char *h, bool cut, struct ber_tlv *t)
{
	size_t n = hex(h);
	struct ber b = ber_make(buf, n, cut);
	return ber_next(&b, t);
}

static void test_definite(void)
{
	struct ber_tlv t, u;
	/* SEQUENCE { INTEGER 5, OCTET STRING "ab" } */
	CHECK_EQ_INT(first("300702010504026162", false, &t), BER_OK);
	CHECK(ber_is(&t, BER_UNIVERSAL, true, BER_TAG_SEQUENCE));
	CHECK(!t.indefinite);
	CHECK_EQ_INT(t.value.depth, 1);
	struct ber in = t.value;
	CHECK_EQ_INT(ber_next(&in, &u), BER_OK);
	int32_t v = 0;
	CHECK(ber_int(&u, &v));
	CHECK_EQ_INT(v, 5);
	CHECK_EQ_INT(ber_next(&in, &u), BER_OK);
	struct span s;
	CHECK(ber_bytes(&u, &s));
	CHECK_EQ_INT(s.len, 2);
	CHECK(memcmp(s.ptr, "ab", 2) == 0);
	CHECK_EQ_INT(ber_next(&in, &u), BER_END);

	/* long form length (0x81 0x03), context class, high tag number [APPLICATION 200] */
	CHECK_EQ_INT(first("8481030a0b0c", false, &t), BER_OK);
	CHECK_EQ_INT(t.cls, BER_CONTEXT);
	CHECK_EQ_INT(t.tag, 4);
	CHECK_EQ_INT(cur_remaining(&t.value.cur), 3);
	CHECK_EQ_INT(first("5f814801ff", false, &t), BER_OK);
	CHECK_EQ_INT(t.cls, BER_APPLICATION);
	CHECK_EQ_INT(t.tag, 200);
	/* high tag with a leading zero septet, or more than 4 octets: malformed */
	CHECK_EQ_INT(first("5f800100", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("5f8181818101", false, &t), BER_MALFORMED);

	/* integers: negative, four octets, five octets refused, empty refused */
	CHECK_EQ_INT(first("0201ff", false, &t), BER_OK);
	CHECK(ber_int(&t, &v));
	CHECK_EQ_INT(v, -1);
	CHECK_EQ_INT(first("02047fffffff", false, &t), BER_OK);
	CHECK(ber_int(&t, &v));
	CHECK_EQ_INT(v, 2147483647);
	CHECK_EQ_INT(first("02050100000000", false, &t), BER_OK);
	CHECK(!ber_int(&t, &v));
	CHECK_EQ_INT(first("0200", false, &t), BER_OK);
	CHECK(!ber_int(&t, &v));
	/* a constructed element is no INTEGER */
	CHECK_EQ_INT(first("2203020105", false, &t), BER_OK);
	CHECK(!ber_int(&t, &v));

	/* OIDs: 0.4.0.0.1.0.21.3, 0.0.17.773.1.1.1; leading 0x80 and cut arcs refused */
	uint32_t arcs[16];
	CHECK_EQ_INT(first("060704000001001503", false, &t), BER_OK);
	CHECK_EQ_INT(ber_oid(&t, arcs, 16), 8);
	CHECK_EQ_INT(arcs[1], 4);
	CHECK_EQ_INT(arcs[6], 21);
	CHECK_EQ_INT(arcs[7], 3);
	CHECK_EQ_INT(first("060700118605010101", false, &t), BER_OK);
	CHECK_EQ_INT(ber_oid(&t, arcs, 16), 7);
	CHECK_EQ_INT(arcs[2], 17);
	CHECK_EQ_INT(arcs[3], 773);
	CHECK_EQ_INT(first("0603048001", false, &t), BER_OK);
	CHECK_EQ_INT(ber_oid(&t, arcs, 16), -1);
	CHECK_EQ_INT(first("06020486", false, &t), BER_OK);
	CHECK_EQ_INT(ber_oid(&t, arcs, 16), -1);
	CHECK_EQ_INT(first("060704000001001503", false, &t), BER_OK);
	CHECK_EQ_INT(ber_oid(&t, arcs, 4), -1); /* more arcs than room */

	/* an empty window ends at once */
	struct ber e = ber_make(NULL, 0, false);
	CHECK_EQ_INT(ber_next(&e, &t), BER_END);
}

static void test_lengths(void)
{
	struct ber_tlv t;
	/* past the end of a whole window: malformed; of a cut one: truncated, with what there is */
	CHECK_EQ_INT(first("300a020105", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("300a020105", true, &t), BER_TRUNCATED);
	CHECK(t.value.cut);
	CHECK_EQ_INT(cur_remaining(&t.value.cur), 3);
	struct span s;
	CHECK(!ber_bytes(&t, &s)); /* a cut element's contents are not handed out whole */
	/* the header itself cut */
	CHECK_EQ_INT(first("30", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("30", true, &t), BER_TRUNCATED);
	CHECK_EQ_INT(first("3082", true, &t), BER_TRUNCATED);
	CHECK_EQ_INT(first("5f81", true, &t), BER_TRUNCATED);
	/* reserved 0xff, more than 4 length octets, a huge length */
	CHECK_EQ_INT(first("30ff00", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("30850000000001", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("3084ffffffff00", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("3084ffffffff00", true, &t), BER_TRUNCATED);
	/* after a failure the window reads as ended */
	size_t n = hex("30ff00020101");
	struct ber b = ber_make(buf, n, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_MALFORMED);
	CHECK_EQ_INT(ber_next(&b, &t), BER_END);
	CHECK_EQ_INT(ber_fail(&b), BER_MALFORMED);
	struct ber c = ber_make(buf, n, true);
	CHECK_EQ_INT(ber_fail(&c), BER_TRUNCATED);
}

static void test_indefinite(void)
{
	struct ber_tlv t, u;
	/* SEQUENCE (indefinite) { INTEGER 5 } 00 00, then INTEGER 7 after it */
	size_t n = hex("30800201050000020107");
	struct ber b = ber_make(buf, n, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_OK);
	CHECK(t.indefinite);
	CHECK_EQ_INT(cur_remaining(&t.value.cur), 3); /* the EOC is not part of the value */
	struct ber in = t.value;
	CHECK_EQ_INT(ber_next(&in, &u), BER_OK);
	CHECK_EQ_INT(ber_next(&in, &u), BER_END);
	CHECK_EQ_INT(ber_next(&b, &u), BER_OK);
	int32_t v;
	CHECK(ber_int(&u, &v));
	CHECK_EQ_INT(v, 7);

	/* nested indefinite elements, with a definite one inside */
	CHECK_EQ_INT(first("3080a08004016100000000", false, &t), BER_OK);
	CHECK_EQ_INT(cur_remaining(&t.value.cur), 7);
	in = t.value;
	CHECK_EQ_INT(ber_next(&in, &u), BER_OK);
	CHECK(u.indefinite);
	CHECK_EQ_INT(cur_remaining(&u.value.cur), 3);

	/* primitive with the indefinite form, no EOC, an EOC with contents */
	CHECK_EQ_INT(first("04800000", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("3080020105", false, &t), BER_MALFORMED);
	CHECK_EQ_INT(first("3080020105", true, &t), BER_TRUNCATED);
	CHECK(t.value.cut);
	CHECK_EQ_INT(first("308000010000", false, &t), BER_MALFORMED);

	/* more elements than one walk looks at */
	char *many = malloc(4 + 4 * (BER_MAX_WALK + 2) + 5);
	strcpy(many, "3080");
	for (int i = 0; i < BER_MAX_WALK + 1; i++)
		strcat(many, "0500");
	strcat(many, "0000");
	CHECK_EQ_INT(first(many, false, &t), BER_MALFORMED);
	free(many);
}

/* Nests `levels` SEQUENCEs around an INTEGER, each in the given length form. */
static size_t nested(int levels, bool indefinite)
{
	char *h = malloc((size_t)levels * 8 + 16);
	h[0] = '\0';
	for (int i = 0; i < levels; i++) {
		if (indefinite) {
			strcat(h, "3080");
		} else {
			char part[8];
			snprintf(part, sizeof part, "30%02x", 3 + 2 * (levels - 1 - i));
			strcat(h, part);
		}
	}
	strcat(h, "020101");
	if (indefinite)
		for (int i = 0; i < levels; i++)
			strcat(h, "0000");
	size_t n = hex(h);
	free(h);
	return n;
}

/* Walks down the first element of each level; returns the status that stopped it. */
static enum ber_status descend(size_t n, int *levels)
{
	struct ber b = ber_make(buf, n, false);
	*levels = 0;
	for (;;) {
		struct ber_tlv t;
		enum ber_status st = ber_next(&b, &t);
		if (st != BER_OK)
			return st;
		if (!t.constructed)
			return BER_OK;
		(*levels)++;
		b = t.value;
	}
}

static void test_depth(void)
{
	int levels;
	/* BER_MAX_DEPTH - 1 SEQUENCEs: the INTEGER sits at the deepest allowed depth */
	CHECK_EQ_INT(descend(nested(BER_MAX_DEPTH - 1, false), &levels), BER_OK);
	CHECK_EQ_INT(levels, BER_MAX_DEPTH - 1);
	/* one more: refused at the cap, never read */
	CHECK_EQ_INT(descend(nested(BER_MAX_DEPTH, false), &levels), BER_DEPTH);
	CHECK_EQ_INT(levels, BER_MAX_DEPTH);
	CHECK_EQ_INT(descend(nested(40, false), &levels), BER_DEPTH);
	/* indefinite nesting is capped by the walk that finds its end */
	struct ber_tlv t;
	CHECK_EQ_INT(descend(nested(BER_MAX_DEPTH - 1, true), &levels), BER_OK);
	CHECK_EQ_INT(levels, BER_MAX_DEPTH - 1);
	size_t n = nested(BER_MAX_DEPTH + 1, true);
	struct ber b = ber_make(buf, n, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_DEPTH);
	CHECK_EQ_INT(descend(nested(64, true), &levels), BER_DEPTH);
}

int main(void)
{
	test_definite();
	test_lengths();
	test_indefinite();
	test_depth();
	free(buf);
	return check_done("test_ber");
}
