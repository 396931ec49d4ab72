/*
 * gather.c — the pool of gathering buffers (gather.h) over an index pool
 * (core/ixpool.h): its free list, and one least-recently-touched list of the buffers
 * in use.
 */
#include "proto/gather.h"

#include <stdlib.h>

enum { L_IN_USE = 0 };

int gather_pool_init(struct gather_pool *p, uint32_t count, uint32_t size, void (*taken_back)(void *owner))
{
	*p = (struct gather_pool){ .size = size, .taken_back = taken_back };
	if (!count)
		return 0;
	p->arena = calloc(count, size);
	p->owner = calloc((size_t)count + 1, sizeof *p->owner);
	if (!p->arena || !p->owner || ixpool_init(&p->pool, count) != 0) {
		gather_pool_fini(p);
		return -1;
	}
	return 0;
}

void gather_pool_fini(struct gather_pool *p)
{
	free(p->arena);
	free(p->owner);
	ixpool_fini(&p->pool);
	*p = (struct gather_pool){ 0 };
}

size_t gather_pool_memory(uint32_t count, uint32_t size)
{
	return (size_t)count * size + ((size_t)count + 1) * sizeof(void *) + ixpool_memory(count);
}

uint32_t gather_take(struct gather_pool *p, void *owner, bool *took_back)
{
	*took_back = false;
	if (!p->pool.capacity)
		return IX_NIL; /* a pool of no buffers */
	uint32_t i = ixpool_alloc(&p->pool);
	if (i == IX_NIL) { /* every buffer in use: the one left alone longest */
		i = ixpool_oldest(&p->pool, L_IN_USE);
		p->taken_back(p->owner[i]);
		*took_back = true;
	}
	p->owner[i] = owner;
	ixpool_touch(&p->pool, i, L_IN_USE);
	if (p->pool.used > p->peak)
		p->peak = p->pool.used;
	return i;
}

uint8_t *gather_buf(const struct gather_pool *p, uint32_t slot)
{
	return p->arena + (size_t)(slot - 1) * p->size;
}

void gather_touch(struct gather_pool *p, uint32_t slot)
{
	ixpool_touch(&p->pool, slot, L_IN_USE);
}

void gather_give(struct gather_pool *p, uint32_t slot)
{
	if (slot == IX_NIL)
		return;
	p->owner[slot] = NULL;
	ixpool_free(&p->pool, slot);
}
