/* ixpool.c — setting up and freeing an index pool (ixpool.h); the rest is inline. */
#include "core/ixpool.h"

#include <stdlib.h>
#include <string.h>

size_t ixpool_memory(uint32_t capacity)
{
	return ((size_t)capacity + 1) * (sizeof(struct ix_link) + sizeof(uint8_t));
}

int ixpool_init(struct ixpool *p, uint32_t capacity)
{
	memset(p, 0, sizeof *p);
	if (capacity == 0 || capacity > IXPOOL_MAX_CAPACITY)
		return -1;
	/* calloc: all IX_NIL and on no list, and large pools come straight from mmap, so
	 * pages are backed only as indices are used */
	p->link = calloc((size_t)capacity + 1, sizeof *p->link);
	p->on = calloc((size_t)capacity + 1, sizeof *p->on);
	if (!p->link || !p->on) {
		ixpool_fini(p);
		return -1;
	}
	p->capacity = capacity;
	p->fresh = 1;
	return 0;
}

void ixpool_fini(struct ixpool *p)
{
	if (!p)
		return;
	free(p->link);
	free(p->on);
	memset(p, 0, sizeof *p);
}
