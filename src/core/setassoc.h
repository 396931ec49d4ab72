/*
 * setassoc.h — a set-associative table of requests awaiting their answer: a fixed
 * number of sets of a few ways each, like a CPU cache. A key's hash picks one set;
 * a new entry takes the way that held the same request (a retransmission), else a
 * free or stale one, else the oldest. Nothing is ever refused: under a flood the
 * oldest waiting requests are forgotten, each set on its own.
 *
 * The GTP transactions, RADIUS Access-Requests and Diameter CCR-Initials use it:
 * answers come within seconds, so a lookup is one set (the ways side by side in
 * memory), there is no list to keep, and an entry needs no removal (a stale one is
 * simply reused). The entries are the owner's struct, stored whole in the table
 * (entry_size bytes each); the table keeps beside them, per way, whether it is used,
 * its key's hash (compared before the owner's match is called) and its time.
 *
 * Sets are a power of two (core/pow2.h), picked by the hash's low bits: give a
 * spread hash (finish a hash of a few words with hash_mix32).
 *
 * Bounded: everything is allocated at init (setassoc_memory bytes); nothing after.
 * Pointers to entries stay valid until setassoc_fini (an entry's contents change when
 * its way is reused). Not thread-safe.
 */
#ifndef PENTRAP_CORE_SETASSOC_H
#define PENTRAP_CORE_SETASSOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { SETASSOC_MAX_WAYS = 16 };

struct setassoc_way {
	uint64_t ts_us; /* when the entry was put */
	uint32_t hash;
	bool used;
};

struct setassoc {
	unsigned char *entry;      /* sets * ways entries of entry_size bytes (owned) */
	struct setassoc_way *way;  /* one per entry (owned) */
	size_t entry_size;
	uint32_t set_mask, ways;
	uint64_t timeout_us;       /* an entry older than this is free for reuse */
};

/* Whether entry (of the owner's type) is the one key describes. */
typedef bool (*setassoc_match_fn)(const void *entry, const void *key);

/*
 * A table of sets (rounded up to a power of two) x ways (1..SETASSOC_MAX_WAYS) entries
 * of entry_size bytes, zeroed. 0, or -1 on bad sizes or no memory.
 */
int setassoc_init(struct setassoc *t, uint32_t sets, uint32_t ways, size_t entry_size,
		  uint64_t timeout_us);
void setassoc_fini(struct setassoc *t); /* accepts a zeroed or failed table */
size_t setassoc_memory(uint32_t sets, uint32_t ways, size_t entry_size);

/* The used entry of this hash for which match(entry, key) holds, or NULL. Borrowed. */
void *setassoc_find(const struct setassoc *t, uint32_t hash, setassoc_match_fn match, const void *key);

/*
 * A zeroed entry for a new request of this hash at now_us: the way whose entry
 * same(entry, key) says is this request again, else a free or stale way (put more than
 * timeout_us before now, or after it: a capture that steps back), else the oldest.
 * Borrowed; the owner fills it.
 */
void *setassoc_put(struct setassoc *t, uint32_t hash, uint64_t now_us, setassoc_match_fn same,
		   const void *key);

/* Marks entry (from find or put) free: its request was answered. */
void setassoc_remove(struct setassoc *t, void *entry);

#endif
