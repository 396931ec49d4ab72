/*
 * names.c — the name cache: (client, address) → the name the client resolved, for the
 * answer's TTL (names.h).
 *
 * Every entry lives in one fixed pool allocated at creation (core/ixpool.h) and is in
 * two hash indexes (core/ixhash.h): by (client, address), for the usual per-client
 * lookup, and by address alone, for a lookup on behalf of any client. One entry per
 * (client, address, name): a client that resolves two names to one shared address (a
 * CDN) has two entries, and a lookup gives the one resolved last before the event. A
 * list in insertion order (refreshes move an entry to the newest end) says which entry
 * to replace when the pool is full: the oldest. Made with calloc, the cache costs
 * nothing at start but address space (the kernel's zero pages).
 */
#include "identity/names.h"

#include <stdlib.h>
#include <string.h>

#include "core/ixhash.h"
#include "core/ixpool.h"

enum { DEFAULT_ENTRIES = 32768, MAX_ENTRIES = 1u << 24, L_AGE = 0 };

struct name_entry {
	struct ip_addr client, addr;
	/* The entry before this one in its by_addr chain (IX_NIL at the head): every client
	 * that resolves one popular name files an entry under the same address, so that
	 * chain grows as long as the cache, and the oldest entry, replaced when the cache
	 * is full, sits at its far end. Kept here so that taking it out is O(1); it fits in
	 * what was padding before start_us, so an entry is no larger. */
	uint32_t addr_prev;
	uint64_t start_us, expires_us;
	char text[NAMES_TEXT_MAX];     /* "query\0canonical\0" (canonical may be empty) */
};

struct name_cache {
	struct stats *stats;
	struct ixpool pool;            /* the entries held, on L_AGE oldest first */
	struct ixhash by_pair, by_addr;
	struct name_entry *entries;    /* [1, capacity]: entry 0 unused */
};

/* 312 bytes, as before addr_prev: the memory plan sizes the cache by it. */
_Static_assert(sizeof(struct name_entry) == 2 * sizeof(struct ip_addr) + 6 + 16 + NAMES_TEXT_MAX,
	       "addr_prev must sit in the padding before start_us");

static uint32_t pair_hash(const struct ip_addr *client, const struct ip_addr *addr)
{
	return addr_hash(client) * 31u ^ addr_hash(addr);
}

static uint32_t entries_wanted(unsigned max_entries)
{
	uint32_t want = max_entries ? max_entries : DEFAULT_ENTRIES;
	return want > MAX_ENTRIES ? MAX_ENTRIES : want;
}

size_t name_cache_memory(unsigned max_entries)
{
	uint32_t want = entries_wanted(max_entries);
	return sizeof(struct name_cache) + ((size_t)want + 1) * sizeof(struct name_entry) + ixpool_memory(want) +
	       2 * ixhash_memory(want + 1, want);
}

struct name_cache *name_cache_new(unsigned max_entries, struct stats *stats)
{
	uint32_t want = entries_wanted(max_entries);
	struct name_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->stats = stats;
	c->entries = calloc((size_t)want + 1, sizeof *c->entries);
	if (!c->entries || ixpool_init(&c->pool, want) != 0 || ixhash_init(&c->by_pair, want + 1, want) != 0 ||
	    ixhash_init(&c->by_addr, want + 1, want) != 0) {
		name_cache_free(c);
		return NULL;
	}
	return c;
}

void name_cache_free(struct name_cache *c)
{
	if (!c)
		return;
	free(c->entries);
	ixpool_fini(&c->pool);
	ixhash_fini(&c->by_pair);
	ixhash_fini(&c->by_addr);
	free(c);
}

unsigned name_cache_count(const struct name_cache *c)
{
	return c ? c->pool.used : 0;
}

static void entry_release(struct name_cache *c, uint32_t idx)
{
	ixhash_remove(&c->by_pair, idx);
	uint32_t prev = c->entries[idx].addr_prev, next = ixhash_chain_next(&c->by_addr, idx);
	ixhash_unlink(&c->by_addr, idx, prev);
	if (next != IX_NIL)
		c->entries[next].addr_prev = prev;
	ixpool_free(&c->pool, idx);
	memset(&c->entries[idx], 0, sizeof c->entries[idx]);
}

/* "query\0canonical\0" into text; false when the query name does not fit. */
static bool pack_names(char text[NAMES_TEXT_MAX], const char *name, const char *canonical)
{
	size_t n = strlen(name);
	if (n == 0 || n + 2 > NAMES_TEXT_MAX)
		return false;
	memset(text, 0, NAMES_TEXT_MAX);
	memcpy(text, name, n);
	size_t k = canonical ? strlen(canonical) : 0;
	if (k && n + 1 + k + 1 <= NAMES_TEXT_MAX && strcmp(canonical, name) != 0)
		memcpy(text + n + 1, canonical, k);
	return true;
}

static uint64_t expiry(uint64_t ts_us, uint32_t ttl_s)
{
	uint64_t t = ttl_s < NAMES_MIN_TTL_S ? NAMES_MIN_TTL_S : ttl_s > NAMES_MAX_TTL_S ? NAMES_MAX_TTL_S : ttl_s;
	return ts_us + t * 1000000u;
}

void name_cache_add_cname(struct name_cache *c, const struct ip_addr *client, const struct ip_addr *addr,
			  const char *name, const char *canonical, uint64_t ts_us, uint32_t ttl_s)
{
	char text[NAMES_TEXT_MAX];
	if (!c || !client || !addr || !name || addr->family == 0 || !pack_names(text, name, canonical))
		return;
	uint64_t expires = expiry(ts_us, ttl_s);
	/*
	 * The same answer again, while the pair's latest entry still holds it, extends that
	 * entry. After expiry, or once the client resolved another name to the address in
	 * between, a new entry starts (the gap stays unnamed; the other name keeps its time).
	 */
	uint32_t ph = pair_hash(client, addr);
	uint32_t latest = IX_NIL;
	for (uint32_t i = ixhash_first(&c->by_pair, ph); i != IX_NIL; i = ixhash_next(&c->by_pair, i)) {
		const struct name_entry *e = &c->entries[i];
		if (addr_eq(&e->client, client) && addr_eq(&e->addr, addr) && e->start_us <= ts_us &&
		    (latest == IX_NIL || e->start_us > c->entries[latest].start_us))
			latest = i;
	}
	if (latest != IX_NIL) {
		struct name_entry *e = &c->entries[latest];
		if (strcmp(e->text, text) == 0 && ts_us < e->expires_us) {
			if (expires > e->expires_us)
				e->expires_us = expires;
			memcpy(e->text, text, sizeof text); /* the latest canonical name */
			ixpool_touch(&c->pool, latest, L_AGE);
			return;
		}
	}
	uint32_t idx = ixpool_alloc(&c->pool);
	if (idx == IX_NIL) {
		uint32_t old = ixpool_oldest(&c->pool, L_AGE);
		if (c->entries[old].expires_us > ts_us)
			stats_anomaly(c->stats, ANOM_NAME_CACHE_FULL);
		entry_release(c, old);
		idx = ixpool_alloc(&c->pool);
	}
	struct name_entry *e = &c->entries[idx];
	memset(e, 0, sizeof *e);
	e->client = *client;
	e->addr = *addr;
	e->start_us = ts_us;
	e->expires_us = expires;
	memcpy(e->text, text, sizeof text);
	ixhash_insert(&c->by_pair, idx, ph);
	ixhash_insert(&c->by_addr, idx, addr_hash(addr));
	e->addr_prev = IX_NIL;
	uint32_t next = ixhash_chain_next(&c->by_addr, idx);
	if (next != IX_NIL)
		c->entries[next].addr_prev = idx;
	ixpool_touch(&c->pool, idx, L_AGE);
}

void name_cache_add(struct name_cache *c, const struct ip_addr *client, const struct ip_addr *addr,
		    const char *name, uint64_t ts_us, uint32_t ttl_s)
{
	name_cache_add_cname(c, client, addr, name, NULL, ts_us, ttl_s);
}

/* The entry valid at ts resolved last (latest start); NULL when none. */
static const struct name_entry *find(const struct name_cache *c, const struct ip_addr *client,
				     const struct ip_addr *addr, uint64_t ts)
{
	if (!c || !addr)
		return NULL;
	const struct name_entry *best = NULL;
	if (client) {
		uint32_t ph = pair_hash(client, addr);
		for (uint32_t i = ixhash_first(&c->by_pair, ph); i != IX_NIL; i = ixhash_next(&c->by_pair, i)) {
			const struct name_entry *e = &c->entries[i];
			if (addr_eq(&e->client, client) && addr_eq(&e->addr, addr) && e->start_us <= ts &&
			    ts < e->expires_us && (!best || e->start_us > best->start_us))
				best = e;
		}
		return best;
	}
	for (uint32_t i = ixhash_first(&c->by_addr, addr_hash(addr)); i != IX_NIL; i = ixhash_next(&c->by_addr, i)) {
		const struct name_entry *e = &c->entries[i];
		if (addr_eq(&e->addr, addr) && e->start_us <= ts && ts < e->expires_us &&
		    (!best || e->start_us > best->start_us))
			best = e;
	}
	return best;
}

static bool copy_out(const char *s, char *out, size_t len)
{
	size_t n = strlen(s);
	if (!out || n + 1 > len)
		return false; /* a cut name is no name */
	memcpy(out, s, n + 1);
	return true;
}

bool name_cache_lookup(const struct name_cache *c, const struct ip_addr *client,
		       const struct ip_addr *addr, uint64_t ts_us, char *name, size_t len)
{
	const struct name_entry *e = find(c, client, addr, ts_us);
	return e && copy_out(e->text, name, len);
}

bool name_cache_lookup_canonical(const struct name_cache *c, const struct ip_addr *client,
				 const struct ip_addr *addr, uint64_t ts_us, char *name, size_t len)
{
	const struct name_entry *e = find(c, client, addr, ts_us);
	return e && copy_out(e->text + strlen(e->text) + 1, name, len);
}
