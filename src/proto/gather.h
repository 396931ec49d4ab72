/*
 * gather.h — a fixed pool of same-size buffers in which a dissector gathers a message
 * that spans records or packets: a TLS handshake message split over records (tls.c),
 * a QUIC ClientHello split over CRYPTO frames (quic.c).
 *
 * Why a pool: such a buffer is held for as long as the peer leaves the message
 * unfinished, so a peer that starts messages and never finishes them would otherwise
 * make the sensor hold one buffer per connection (20,000 TLS connections each holding
 * a 32 KiB buffer). The pool's size comes from the run's memory plan (run/limits.c):
 * `count` buffers and no more, whatever the traffic. When every buffer is in use, the
 * one whose owner added to it least recently is taken back (its owner is told, gives up
 * that message, and the taker counts it): a message that is being finished keeps its
 * buffer, one left unfinished loses it to a newer one.
 *
 * Memory: gather_pool_init allocates count * size bytes zeroed (calloc: pages cost
 * memory only once a buffer is used), the owners and an index pool (core/ixpool.h);
 * gather_pool_fini frees them. Buffers are named by the pool's indices 1..count (0,
 * IX_NIL: none), so a zeroed state holds none.
 * Not thread-safe: one pool per module instance, one module per pipeline.
 */
#ifndef PENTRAP_PROTO_GATHER_H
#define PENTRAP_PROTO_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ixpool.h"

struct gather_pool {
	uint8_t *arena;          /* count * size bytes (owned) */
	void **owner;            /* [0, count]: whose each buffer is, NULL when free (owned) */
	struct ixpool pool;      /* the free list, and the buffers in use on list 0, least recently touched first */
	uint32_t size;
	uint32_t peak;           /* buffers in use at most at once */
	/* Tells a buffer's owner that its slot was taken back: the owner forgets the slot
	 * (it is someone else's now) and gives up what it was gathering. */
	void (*taken_back)(void *owner);
};

/* count buffers of size bytes. Returns 0, or -1 when out of memory (p is then empty). */
int gather_pool_init(struct gather_pool *p, uint32_t count, uint32_t size, void (*taken_back)(void *owner));
/* Frees the buffers; accepts a zeroed or failed pool. */
void gather_pool_fini(struct gather_pool *p);
/* Bytes gather_pool_init(count, size) allocates. */
size_t gather_pool_memory(uint32_t count, uint32_t size);

/*
 * A buffer for owner: a free one, or when none is, the least recently touched, taken
 * back from its owner first (*took_back set true: the caller counts it). Returns its
 * slot (its contents are what the last owner left), or 0 when the pool has no buffers.
 */
uint32_t gather_take(struct gather_pool *p, void *owner, bool *took_back);
/* The slot's buffer, size bytes. Borrowed while the slot is the caller's. */
uint8_t *gather_buf(const struct gather_pool *p, uint32_t slot);
/* The owner added to the slot's buffer: it becomes the last to be taken back. */
void gather_touch(struct gather_pool *p, uint32_t slot);
/* Gives the slot back (0: nothing). */
void gather_give(struct gather_pool *p, uint32_t slot);

#endif
