/*
 * test_setassoc.c — the set-associative table (src/core/setassoc.h): a put finds the
 * same request again before a free way, a free or stale way before the oldest, and the
 * oldest (first among equals) when the set is full; find needs the hash and the match;
 * remove frees a way; a capture stepping back in time makes a way stale; entries are
 * zeroed when reused; and sets stay apart.
 */
#include "core/setassoc.h"

#include "check.h"

struct req {
	uint32_t id;
	uint32_t payload;
};

static bool same_id(const void *entry, const void *key)
{
	return ((const struct req *)entry)->id == *(const uint32_t *)key;
}

/* Puts request id (hash h) at now and marks it with payload. */
static struct req *put(struct setassoc *t, uint32_t h, uint32_t id, uint64_t now, uint32_t payload)
{
	struct req *r = setassoc_put(t, h, now, same_id, &id);
	CHECK(r->id == 0 && r->payload == 0); /* zeroed */
	r->id = id;
	r->payload = payload;
	return r;
}

static struct req *find(struct setassoc *t, uint32_t h, uint32_t id)
{
	return setassoc_find(t, h, same_id, &id);
}

static void test_ways(void)
{
	struct setassoc t;
	CHECK(setassoc_init(&t, 3, 2, sizeof(struct req), 100) == 0);
	CHECK_EQ_INT(t.set_mask, 3); /* rounded up to 4 sets */
	/* hashes 1 and 5 share set 1 */
	struct req *a = put(&t, 1, 10, 1000, 1);
	struct req *b = put(&t, 5, 20, 1010, 2);
	CHECK(a != b);
	CHECK(find(&t, 1, 10) == a && find(&t, 5, 20) == b);
	CHECK(find(&t, 5, 10) == NULL); /* the match alone is not enough: the hash differs */
	CHECK(find(&t, 2, 10) == NULL); /* another set */
	/* the same request again takes its own way back (and is zeroed) */
	struct req *a2 = put(&t, 1, 10, 1020, 3);
	CHECK(a2 == a);
	CHECK(find(&t, 5, 20) == b && b->payload == 2);
	/* full set: the oldest way (b at 1010, a at 1020) goes, not way 0 (issue 14: the
	 * three tables this replaced always gave up way 0) */
	struct req *c = put(&t, 9, 30, 1030, 4);
	CHECK(c == b);
	CHECK(find(&t, 5, 20) == NULL && find(&t, 9, 30) == c);
	/* a removed way is the next taken */
	setassoc_remove(&t, a);
	CHECK(find(&t, 1, 10) == NULL);
	struct req *d = put(&t, 13, 40, 1040, 5);
	CHECK(d == a);
	/* stale (older than the timeout) before the oldest: c at 1030 is stale at 1131 */
	struct req *e = put(&t, 17, 50, 1131, 6);
	CHECK(e == c);
	/* a capture stepping back: a way put after now counts as stale */
	struct req *f = put(&t, 21, 60, 500, 7);
	CHECK(f == d || f == e);
	setassoc_remove(&t, NULL); /* harmless */
	setassoc_fini(&t);
	setassoc_fini(&t);
}

static void test_oldest_tie_and_bad_sizes(void)
{
	struct setassoc t;
	CHECK(setassoc_init(&t, 1, 4, sizeof(struct req), 1000) == 0);
	struct req *w[4];
	for (uint32_t k = 0; k < 4; k++)
		w[k] = put(&t, k, k + 1, 50, k);
	CHECK(put(&t, 9, 99, 60, 9) == w[0]); /* equal times: the first way */
	setassoc_fini(&t);
	CHECK(setassoc_init(&t, 0, 4, 8, 1) != 0);
	CHECK(setassoc_init(&t, 4, 0, 8, 1) != 0);
	CHECK(setassoc_init(&t, 4, SETASSOC_MAX_WAYS + 1, 8, 1) != 0);
	CHECK(setassoc_init(&t, 4, 4, 0, 1) != 0);
	setassoc_fini(&t);
	CHECK(setassoc_memory(3, 2, 16) == 4 * 2 * (16 + sizeof(struct setassoc_way)));
}

int main(void)
{
	test_ways();
	test_oldest_tie_and_bad_sizes();
	return check_done("setassoc");
}
