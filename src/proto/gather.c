/*
 * gather.c — the pool of gathering buffers (gather.h): a free list and one
 * least-recently-touched list over slot indices.
 */
#include "proto/gather.h"

#include <stdlib.h>

struct gather_slot {
	void *owner;         /* NULL when free */
	uint32_t prev, next; /* LRU links when in use; next is the free list's link when free */
};

int gather_pool_init(struct gather_pool *p, uint32_t count, uint32_t size, void (*taken_back)(void *owner))
{
	*p = (struct gather_pool){ .count = count, .size = size, .fresh = 1, .taken_back = taken_back };
	if (!count)
		return 0;
	p->arena = calloc(count, size);
	p->slot = calloc((size_t)count + 1, sizeof *p->slot);
	if (!p->arena || !p->slot) {
		gather_pool_fini(p);
		return -1;
	}
	return 0;
}

void gather_pool_fini(struct gather_pool *p)
{
	free(p->arena);
	free(p->slot);
	*p = (struct gather_pool){ 0 };
}

size_t gather_pool_memory(uint32_t count, uint32_t size)
{
	return (size_t)count * size + ((size_t)count + 1) * sizeof(struct gather_slot);
}

static void lru_unlink(struct gather_pool *p, uint32_t i)
{
	struct gather_slot *s = &p->slot[i];
	if (s->prev)
		p->slot[s->prev].next = s->next;
	else
		p->lru_head = s->next;
	if (s->next)
		p->slot[s->next].prev = s->prev;
	else
		p->lru_tail = s->prev;
	s->prev = s->next = 0;
}

static void lru_append(struct gather_pool *p, uint32_t i)
{
	struct gather_slot *s = &p->slot[i];
	s->prev = p->lru_tail;
	s->next = 0;
	if (p->lru_tail)
		p->slot[p->lru_tail].next = i;
	else
		p->lru_head = i;
	p->lru_tail = i;
}

uint32_t gather_take(struct gather_pool *p, void *owner, bool *took_back)
{
	*took_back = false;
	uint32_t i = p->free_head;
	if (i) {
		p->free_head = p->slot[i].next;
	} else if (p->fresh <= p->count) {
		i = p->fresh++;
	} else if ((i = p->lru_head) != 0) {
		lru_unlink(p, i); /* every buffer in use: the one left alone longest */
		p->taken_back(p->slot[i].owner);
		p->used--;
		*took_back = true;
	} else {
		return 0; /* a pool of no buffers */
	}
	p->slot[i].owner = owner;
	lru_append(p, i);
	if (++p->used > p->peak)
		p->peak = p->used;
	return i;
}

uint8_t *gather_buf(const struct gather_pool *p, uint32_t slot)
{
	return p->arena + (size_t)(slot - 1) * p->size;
}

void gather_touch(struct gather_pool *p, uint32_t slot)
{
	if (p->lru_tail == slot)
		return;
	lru_unlink(p, slot);
	lru_append(p, slot);
}

void gather_give(struct gather_pool *p, uint32_t slot)
{
	if (!slot)
		return;
	lru_unlink(p, slot);
	p->slot[slot].owner = NULL;
	p->slot[slot].next = p->free_head;
	p->free_head = slot;
	p->used--;
}
