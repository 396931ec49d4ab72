/*
 * test_ixpool.c — the index pool (src/core/ixpool.h): indices handed out from the
 * given-back ones first (newest first), then from those never used, none when all are
 * in use; lists kept oldest to newest through touches, moves between lists and frees;
 * the list primitives on a link array of the owner's; and, against a model, a long
 * random run of every operation.
 */
#include "core/ixpool.h"

#include <stdlib.h>

#include "check.h"

/* Every index of list l from oldest to newest into out; returns how many. */
static unsigned walk(const struct ixpool *p, unsigned l, uint32_t *out, unsigned max)
{
	unsigned n = 0;
	for (uint32_t i = ixpool_oldest(p, l); i != IX_NIL && n < max; i = ixpool_newer(p, i))
		out[n++] = i;
	return n;
}

static void test_alloc_order(void)
{
	struct ixpool p;
	CHECK(ixpool_init(&p, 4) == 0);
	CHECK_EQ_INT(ixpool_alloc(&p), 1);
	CHECK_EQ_INT(ixpool_alloc(&p), 2);
	CHECK_EQ_INT(ixpool_alloc(&p), 3);
	CHECK_EQ_INT(ixpool_reached(&p), 3);
	ixpool_free(&p, 2);
	ixpool_free(&p, 1);
	CHECK_EQ_INT(p.used, 1);
	CHECK_EQ_INT(ixpool_alloc(&p), 1); /* given back last, handed out first */
	CHECK_EQ_INT(ixpool_alloc(&p), 2);
	CHECK_EQ_INT(ixpool_alloc(&p), 4); /* then the never used */
	CHECK_EQ_INT(ixpool_alloc(&p), IX_NIL); /* full */
	CHECK_EQ_INT(p.used, 4);
	CHECK_EQ_INT(ixpool_list_of(&p, 4), -1); /* handed out: on no list */
	ixpool_fini(&p);
	ixpool_fini(&p); /* twice is harmless */

	CHECK(ixpool_init(&p, 0) != 0);
	CHECK(ixpool_init(&p, IXPOOL_MAX_CAPACITY + 1u) != 0);
	ixpool_fini(&p);
	CHECK(ixpool_memory(100) >= 101 * sizeof(struct ix_link));
}

static void test_lists(void)
{
	struct ixpool p;
	uint32_t got[8];
	CHECK(ixpool_init(&p, 8) == 0);
	for (int k = 0; k < 5; k++)
		ixpool_touch(&p, ixpool_alloc(&p), 0);
	CHECK_EQ_INT(walk(&p, 0, got, 8), 5);
	CHECK(got[0] == 1 && got[4] == 5);
	ixpool_touch(&p, 2, 0); /* to the newest end */
	CHECK_EQ_INT(walk(&p, 0, got, 8), 5);
	CHECK(got[0] == 1 && got[1] == 3 && got[4] == 2);
	ixpool_touch(&p, 2, 0); /* already newest: nothing moves */
	CHECK_EQ_INT(p.list[0].tail, 2);
	ixpool_touch(&p, 1, 1); /* to another list */
	CHECK_EQ_INT(ixpool_list_of(&p, 1), 1);
	CHECK_EQ_INT(ixpool_oldest(&p, 0), 3);
	CHECK_EQ_INT(ixpool_oldest(&p, 1), 1);
	ixpool_unlist(&p, 4);
	CHECK_EQ_INT(ixpool_list_of(&p, 4), -1);
	CHECK_EQ_INT(walk(&p, 0, got, 8), 3); /* 3, 5, 2 */
	CHECK(got[0] == 3 && got[1] == 5 && got[2] == 2);
	ixpool_free(&p, 5); /* freed off its list */
	CHECK_EQ_INT(walk(&p, 0, got, 8), 2);
	ixpool_free(&p, 1);
	CHECK_EQ_INT(ixpool_oldest(&p, 1), IX_NIL);
	CHECK_EQ_INT(p.list[1].tail, IX_NIL);
	ixpool_fini(&p);
}

/* The primitives on an owner's own link array (a second list per entry). */
static void test_list_primitives(void)
{
	struct ix_link link[6] = { { 0, 0 } };
	struct ix_list l = { IX_NIL, IX_NIL };
	for (uint32_t i = 1; i <= 5; i++)
		ix_list_append(link, &l, i);
	ix_list_unlink(link, &l, 1); /* the head */
	ix_list_unlink(link, &l, 5); /* the tail */
	ix_list_unlink(link, &l, 3); /* the middle */
	CHECK_EQ_INT(l.head, 2);
	CHECK_EQ_INT(l.tail, 4);
	CHECK_EQ_INT(link[2].next, 4);
	CHECK_EQ_INT(link[4].prev, 2);
	ix_list_unlink(link, &l, 2);
	ix_list_unlink(link, &l, 4);
	CHECK(l.head == IX_NIL && l.tail == IX_NIL);
}

/* A model: per index, held or not, its list and its touch time; the pool must agree. */
static void test_random_against_model(void)
{
	enum { CAP = 64, LISTS = 3, STEPS = 200000 };
	struct ixpool p;
	int held[CAP + 1] = { 0 }, list[CAP + 1];
	unsigned long stamp[CAP + 1] = { 0 }, clock = 0;
	unsigned bad = 0;
	CHECK(ixpool_init(&p, CAP) == 0);
	srand(7);
	for (int step = 0; step < STEPS; step++) {
		int op = rand() % 3;
		uint32_t i = (uint32_t)(rand() % CAP) + 1;
		if (op == 0) {
			uint32_t a = ixpool_alloc(&p);
			unsigned nheld = 0;
			for (int k = 1; k <= CAP; k++)
				nheld += held[k] != 0;
			if (a == IX_NIL) {
				bad += nheld != CAP;
			} else {
				bad += held[a] != 0;
				held[a] = 1;
				list[a] = -1;
				unsigned l = (unsigned)(rand() % LISTS);
				ixpool_touch(&p, a, l);
				list[a] = (int)l;
				stamp[a] = ++clock;
			}
		} else if (op == 1 && held[i]) {
			unsigned l = (unsigned)(rand() % LISTS);
			ixpool_touch(&p, i, l);
			list[i] = (int)l;
			stamp[i] = ++clock;
		} else if (op == 2 && held[i]) {
			ixpool_free(&p, i);
			held[i] = 0;
		}
		if (step % 97 == 0) { /* each list: exactly its entries, by touch time */
			for (unsigned l = 0; l < LISTS; l++) {
				unsigned long last = 0;
				unsigned n = 0, want = 0;
				for (uint32_t k = ixpool_oldest(&p, l); k != IX_NIL; k = ixpool_newer(&p, k), n++) {
					bad += !held[k] || list[k] != (int)l || stamp[k] <= last;
					last = stamp[k];
					if (n > CAP)
						break;
				}
				for (int k = 1; k <= CAP; k++)
					want += held[k] && list[k] == (int)l;
				bad += n != want;
			}
		}
	}
	CHECK_EQ_INT(bad, 0);
	ixpool_fini(&p);
}

int main(void)
{
	test_alloc_order();
	test_lists();
	test_list_primitives();
	test_random_against_model();
	return check_done("ixpool");
}
