/* ixhash.c — setting up a chained hash index, and taking a node out (ixhash.h). */
#include "core/ixhash.h"

#include <stdlib.h>
#include <string.h>

#include "core/pow2.h"

enum { IXHASH_MIN_BUCKETS = 16 };

size_t ixhash_memory(uint32_t nodes, uint32_t buckets)
{
	return (size_t)pow2_at_least(buckets, IXHASH_MIN_BUCKETS) * sizeof(uint32_t) +
	       (size_t)nodes * sizeof(struct ixhash_node);
}

int ixhash_init(struct ixhash *h, uint32_t nodes, uint32_t buckets)
{
	memset(h, 0, sizeof *h);
	if (nodes < 2)
		return -1;
	uint32_t nb = pow2_at_least(buckets, IXHASH_MIN_BUCKETS);
	/* calloc: every chain empty (IX_NIL) without touching a page */
	h->bucket = calloc(nb, sizeof *h->bucket);
	h->node = calloc(nodes, sizeof *h->node);
	if (!h->bucket || !h->node) {
		ixhash_fini(h);
		return -1;
	}
	h->mask = nb - 1;
	h->nodes = nodes;
	return 0;
}

void ixhash_fini(struct ixhash *h)
{
	if (!h)
		return;
	free(h->bucket);
	free(h->node);
	memset(h, 0, sizeof *h);
}

void ixhash_remove(struct ixhash *h, uint32_t i)
{
	uint32_t *link = &h->bucket[h->node[i].hash & h->mask];
	while (*link != IX_NIL && *link != i)
		link = &h->node[*link].next;
	if (*link == i)
		*link = h->node[i].next;
	h->node[i].next = IX_NIL;
}
