/*
 * ixhash.h — a chained hash index over numbered nodes: which nodes hold a key of a
 * given hash. The nodes are usually an index pool's indices (core/ixpool.h); a table
 * whose entries have two keys numbers two nodes an entry (the data sessions' key and
 * alias: index * 2 + which).
 *
 * Chains run through a per-node link array, and each node keeps its hash beside its
 * link, so a lookup walks 8-byte nodes comparing hashes and reads an entry only when
 * the hashes agree (nearly always the right one): the owner compares the key itself.
 *
 *     for (uint32_t i = ixhash_first(&ix, h); i != IX_NIL; i = ixhash_next(&ix, i))
 *             if (key_equal(&entries[i], key))
 *                     return i;
 *
 * Buckets are a power of two (core/pow2.h), picked by the hash's low bits: give a hash
 * whose low bits vary (core/hash.h's FNV-1a does; a hash of a few words is finished
 * with hash_mix32). Node 0 (IX_NIL) is never inserted: an index fresh from calloc is
 * empty. New nodes go to the head of their chain, so among equal keys the newest is
 * found first.
 *
 * Bounded: the nodes and buckets are fixed at init; nothing allocates after
 * ixhash_init. Memory: ixhash_init allocates (ixhash_memory bytes), ixhash_fini frees.
 */
#ifndef PENTRAP_CORE_IXHASH_H
#define PENTRAP_CORE_IXHASH_H

#include <stddef.h>
#include <stdint.h>

#include "core/ixpool.h"

struct ixhash_node {
	uint32_t next; /* the next node in the same bucket */
	uint32_t hash;
};

struct ixhash {
	uint32_t *bucket;         /* mask + 1 chain heads (owned) */
	struct ixhash_node *node; /* [0, nodes) (owned) */
	uint32_t mask, nodes;
};

/* An index of nodes 1..nodes-1 over buckets rounded up to a power of two (at least 16). */
int ixhash_init(struct ixhash *h, uint32_t nodes, uint32_t buckets);
void ixhash_fini(struct ixhash *h); /* accepts a zeroed or failed index */
size_t ixhash_memory(uint32_t nodes, uint32_t buckets);

/* The first node with this hash, or IX_NIL. */
static inline uint32_t ixhash_first(const struct ixhash *h, uint32_t hash)
{
	uint32_t i = h->bucket[hash & h->mask];
	while (i != IX_NIL && h->node[i].hash != hash)
		i = h->node[i].next;
	return i;
}

/* The next node after i with i's hash, or IX_NIL. */
static inline uint32_t ixhash_next(const struct ixhash *h, uint32_t i)
{
	uint32_t hash = h->node[i].hash;
	for (i = h->node[i].next; i != IX_NIL && h->node[i].hash != hash; i = h->node[i].next)
		;
	return i;
}

/* Files node i (not indexed yet) under hash, at the head of its chain. */
static inline void ixhash_insert(struct ixhash *h, uint32_t i, uint32_t hash)
{
	uint32_t *head = &h->bucket[hash & h->mask];
	h->node[i].hash = hash;
	h->node[i].next = *head;
	*head = i;
}

/* Takes node i out of its chain (nothing when it is not indexed). Walks the chain
 * from its head: O(the nodes filed after i under the same bucket). */
void ixhash_remove(struct ixhash *h, uint32_t i);

/*
 * For an owner whose chains can grow long (many entries of one key, filed newest
 * first, taken out oldest first): the node after i in its chain, whatever its hash
 * (IX_NIL at the end), so the owner can keep each node's predecessor itself, and the
 * O(1) removal given that predecessor (IX_NIL when i heads its chain).
 */
static inline uint32_t ixhash_chain_next(const struct ixhash *h, uint32_t i)
{
	return h->node[i].next;
}

/* The first node of hash's bucket, whatever its hash (IX_NIL when the bucket is empty):
 * with ixhash_chain_next, a walk for an owner that compares its keys directly. */
static inline uint32_t ixhash_chain_head(const struct ixhash *h, uint32_t hash)
{
	return h->bucket[hash & h->mask];
}

static inline void ixhash_unlink(struct ixhash *h, uint32_t i, uint32_t prev)
{
	if (prev == IX_NIL)
		h->bucket[h->node[i].hash & h->mask] = h->node[i].next;
	else
		h->node[prev].next = h->node[i].next;
	h->node[i].next = IX_NIL;
}

#endif
