/*
 * ixpool.h — an index pool: a fixed number of entries named by the indices
 * 1..capacity, handed out from a free list (then from those never handed out), each on
 * at most one of a few least-recently-used lists.
 *
 * What the flow table, the identity map, the name cache, the data sessions, the SIP
 * calls and messages, the MAP invokes and the fragment slots each need, once: the pool
 * keeps only indices and their links; the entries are the owner's own typed array
 * (capacity + 1 of them, entry 0 unused), so one pool serves any entry type and an
 * entry struct carries no bookkeeping. A hash index over the same indices is
 * core/ixhash.h.
 *
 * Why indices and links in arrays of their own: an LRU move touches only the small
 * link array (8 bytes an entry, eight to a cache line), never the entries; and index 0
 * being "none" (IX_NIL) means a pool fresh from calloc is empty, so neither the links
 * nor the owner's entries are touched before they are used: a table sized for a
 * carrier costs a small capture only the pages it uses.
 *
 * Lists run oldest (head) to newest (tail): ixpool_touch moves an entry to the newest
 * end, ixpool_oldest gives the first to expire or to reuse. An index handed out is on
 * no list until touched. Which entry to give up when the pool is full is the owner's
 * choice (the oldest of some list, or none: drop and count).
 *
 * Bounded: the capacity is fixed at init; nothing allocates after ixpool_init.
 * Memory: ixpool_init allocates the links (ixpool_memory bytes), ixpool_fini frees
 * them. Not thread-safe: one pool per table, one table per pipeline.
 */
#ifndef PENTRAP_CORE_IXPOOL_H
#define PENTRAP_CORE_IXPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IX_NIL 0u /* no index */

enum {
	IXPOOL_MAX_LISTS = 4,
	IXPOOL_MAX_CAPACITY = 1 << 30,
};

/* An entry's neighbours on its list (next is also the free list's link). */
struct ix_link {
	uint32_t prev, next;
};

struct ix_list {
	uint32_t head, tail; /* oldest, newest; IX_NIL when empty */
};

/* --- a list over any link array: the pool's lists, and a second list of an owner's
 * own (the flow table keeps the flows that hold dissector state on one) --- */

static inline void ix_list_append(struct ix_link *link, struct ix_list *l, uint32_t i)
{
	link[i].prev = l->tail;
	link[i].next = IX_NIL;
	if (l->tail != IX_NIL)
		link[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

static inline void ix_list_unlink(struct ix_link *link, struct ix_list *l, uint32_t i)
{
	uint32_t p = link[i].prev, n = link[i].next;
	if (p != IX_NIL)
		link[p].next = n;
	else
		l->head = n;
	if (n != IX_NIL)
		link[n].prev = p;
	else
		l->tail = p;
	link[i].prev = link[i].next = IX_NIL;
}

/* --- the pool --- */

struct ixpool {
	struct ix_link *link;  /* [0, capacity]: list links, or the free list (owned) */
	uint8_t *on;           /* [0, capacity]: 0 on no list, else its list + 1 (owned) */
	uint32_t capacity;
	uint32_t used;         /* indices handed out and not given back */
	uint32_t fresh;        /* the next index never handed out (capacity + 1: none left) */
	uint32_t free_head;    /* indices given back, newest first */
	struct ix_list list[IXPOOL_MAX_LISTS];
};

/* A pool of capacity indices (1..IXPOOL_MAX_CAPACITY). 0, or -1 when out of memory. */
int ixpool_init(struct ixpool *p, uint32_t capacity);
/* Frees the links; accepts a zeroed or failed pool. */
void ixpool_fini(struct ixpool *p);
/* Bytes ixpool_init(capacity) allocates. */
size_t ixpool_memory(uint32_t capacity);

/* A free index, on no list (the last one given back, else one never used), or IX_NIL
 * when every index is in use. */
static inline uint32_t ixpool_alloc(struct ixpool *p)
{
	uint32_t i = p->free_head;
	if (i != IX_NIL)
		p->free_head = p->link[i].next;
	else if (p->fresh <= p->capacity)
		i = p->fresh++;
	else
		return IX_NIL;
	p->link[i].next = IX_NIL;
	p->used++;
	return i;
}

/* Takes i off its list, if it is on one (it stays handed out). */
static inline void ixpool_unlist(struct ixpool *p, uint32_t i)
{
	if (p->on[i]) {
		ix_list_unlink(p->link, &p->list[p->on[i] - 1], i);
		p->on[i] = 0;
	}
}

/* Puts i at the newest end of list l (0 <= l < IXPOOL_MAX_LISTS), off the list it was on. */
static inline void ixpool_touch(struct ixpool *p, uint32_t i, unsigned l)
{
	if (p->on[i] == l + 1 && p->list[l].tail == i)
		return; /* already the newest: the common case of a busy entry */
	ixpool_unlist(p, i);
	ix_list_append(p->link, &p->list[l], i);
	p->on[i] = (uint8_t)(l + 1);
}

/* Gives i back: off its list, onto the free list. The owner clears its entry. */
static inline void ixpool_free(struct ixpool *p, uint32_t i)
{
	ixpool_unlist(p, i);
	p->link[i].next = p->free_head;
	p->free_head = i;
	p->used--;
}

/* The oldest index on list l, or IX_NIL. */
static inline uint32_t ixpool_oldest(const struct ixpool *p, unsigned l)
{
	return p->list[l].head;
}

/* The next newer index on i's list, or IX_NIL. */
static inline uint32_t ixpool_newer(const struct ixpool *p, uint32_t i)
{
	return p->link[i].next;
}

/* The newest index on list l, or IX_NIL. */
static inline uint32_t ixpool_newest(const struct ixpool *p, unsigned l)
{
	return p->list[l].tail;
}

/* The next older index on i's list, or IX_NIL. */
static inline uint32_t ixpool_older(const struct ixpool *p, uint32_t i)
{
	return p->link[i].prev;
}

/* The list i is on, or -1 when none. */
static inline int ixpool_list_of(const struct ixpool *p, uint32_t i)
{
	return (int)p->on[i] - 1;
}

/* Indices ever handed out are 1..ixpool_reached(p) (a clock hand's range). */
static inline uint32_t ixpool_reached(const struct ixpool *p)
{
	return p->fresh - 1;
}

#endif
