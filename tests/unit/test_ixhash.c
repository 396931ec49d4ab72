/*
 * test_ixhash.c — the chained hash index (src/core/ixhash.h): nodes found by hash,
 * newest first among equals; colliding hashes in one bucket kept apart; removal from
 * the head, middle and tail of a chain; removing a node that is not indexed; a
 * random run against a model with a table of 16 buckets, so chains are long; and the
 * same run taking nodes out with ixhash_unlink, the predecessors kept by the caller.
 */
#include "core/ixhash.h"

#include <stdlib.h>

#include "check.h"

static unsigned count_hash(const struct ixhash *h, uint32_t hash)
{
	unsigned n = 0;
	for (uint32_t i = ixhash_first(h, hash); i != IX_NIL; i = ixhash_next(h, i))
		n++;
	return n;
}

static void test_basic(void)
{
	struct ixhash h;
	CHECK(ixhash_init(&h, 10, 3) == 0);
	CHECK_EQ_INT(h.mask, 15); /* at least 16 buckets */
	CHECK_EQ_INT(ixhash_first(&h, 42), IX_NIL);
	ixhash_insert(&h, 1, 42);
	ixhash_insert(&h, 2, 42 + 16); /* the same bucket, another hash */
	ixhash_insert(&h, 3, 42);
	CHECK_EQ_INT(ixhash_first(&h, 42), 3); /* newest first */
	CHECK_EQ_INT(ixhash_next(&h, 3), 1);   /* node 2 skipped: its hash differs */
	CHECK_EQ_INT(ixhash_next(&h, 1), IX_NIL);
	CHECK_EQ_INT(ixhash_first(&h, 42 + 16), 2);
	ixhash_remove(&h, 2); /* the middle of the chain */
	CHECK_EQ_INT(ixhash_first(&h, 42 + 16), IX_NIL);
	CHECK_EQ_INT(count_hash(&h, 42), 2);
	ixhash_remove(&h, 3); /* the head */
	CHECK_EQ_INT(ixhash_first(&h, 42), 1);
	ixhash_remove(&h, 5); /* never indexed: nothing happens */
	ixhash_remove(&h, 1); /* the last */
	CHECK_EQ_INT(ixhash_first(&h, 42), IX_NIL);
	ixhash_fini(&h);
	ixhash_fini(&h);
	CHECK(ixhash_init(&h, 1, 16) != 0); /* node 0 alone: nothing to index */
	CHECK(ixhash_memory(100, 100) == 128 * sizeof(uint32_t) + 100 * sizeof(struct ixhash_node));
}

/* How many of the keys 0..keys-1 (hashed as the random tests file them) the index
 * holds another number of nodes of than the model (in[], key_of[] of nodes 1..nodes-1). */
static unsigned mismatched_keys(const struct ixhash *h, const int *in, const uint32_t *key_of, int nodes,
				uint32_t keys)
{
	unsigned bad = 0;
	for (uint32_t k = 0; k < keys; k++) {
		uint32_t hash = k * 0x9e3779b1u;
		unsigned want = 0;
		for (int n = 1; n < nodes; n++)
			want += in[n] && key_of[n] == hash;
		bad += count_hash(h, hash) != want;
	}
	return bad;
}

static void test_random_against_model(void)
{
	enum { NODES = 200, KEYS = 40, STEPS = 100000 };
	struct ixhash h;
	uint32_t key_of[NODES] = { 0 };
	int in[NODES] = { 0 };
	unsigned bad = 0;
	CHECK(ixhash_init(&h, NODES, 16) == 0);
	srand(11);
	for (int step = 0; step < STEPS; step++) {
		uint32_t i = (uint32_t)(rand() % (NODES - 1)) + 1;
		if (!in[i]) {
			key_of[i] = (uint32_t)(rand() % KEYS) * 0x9e3779b1u;
			ixhash_insert(&h, i, key_of[i]);
			in[i] = 1;
		} else {
			ixhash_remove(&h, i);
			in[i] = 0;
		}
		if (step % 101 == 0)
			bad += mismatched_keys(&h, in, key_of, NODES, KEYS);
	}
	CHECK_EQ_INT(bad, 0);
	ixhash_fini(&h);
}

/* Finds i's predecessor by walking its bucket from the head: the model of what a
 * caller that keeps predecessors (names.c) must know. */
static uint32_t walk_prev(const struct ixhash *h, uint32_t i)
{
	uint32_t prev = IX_NIL;
	for (uint32_t j = h->bucket[h->node[i].hash & h->mask]; j != IX_NIL && j != i; j = ixhash_chain_next(h, j))
		prev = j;
	return prev;
}

static void test_unlink_with_kept_prev(void)
{
	enum { NODES = 200, KEYS = 5, STEPS = 50000 };
	struct ixhash h;
	uint32_t key_of[NODES] = { 0 }, prev[NODES] = { 0 };
	int in[NODES] = { 0 };
	unsigned bad = 0, bad_prev = 0;
	CHECK(ixhash_init(&h, NODES, 16) == 0);
	srand(12);
	for (int step = 0; step < STEPS; step++) {
		uint32_t i = (uint32_t)(rand() % (NODES - 1)) + 1;
		if (!in[i]) {
			key_of[i] = (uint32_t)(rand() % KEYS) * 0x9e3779b1u;
			ixhash_insert(&h, i, key_of[i]);
			prev[i] = IX_NIL;
			uint32_t next = ixhash_chain_next(&h, i);
			if (next != IX_NIL)
				prev[next] = i;
			in[i] = 1;
		} else {
			bad_prev += prev[i] != walk_prev(&h, i);
			uint32_t next = ixhash_chain_next(&h, i);
			ixhash_unlink(&h, i, prev[i]);
			if (next != IX_NIL)
				prev[next] = prev[i];
			in[i] = 0;
		}
		if (step % 101 == 0)
			bad += mismatched_keys(&h, in, key_of, NODES, KEYS);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(bad_prev, 0);
	ixhash_fini(&h);
}

int main(void)
{
	test_basic();
	test_random_against_model();
	test_unlink_with_kept_prev();
	return check_done("ixhash");
}
