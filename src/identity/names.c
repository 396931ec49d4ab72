/*
 * names.c — the name cache: (client, address) → the name the client resolved, for the
 * answer's TTL (names.h).
 *
 * Every entry lives in one fixed pool allocated at creation and is on two hash chains:
 * by (client, address), for the usual per-client lookup, and by address alone, for a
 * lookup on behalf of any client. One entry per (client, address, name): a client that
 * resolves two names to one shared address (a CDN) has two entries, and a lookup gives
 * the one resolved last before the event. A list in insertion order (refreshes move an
 * entry to the front) says which entry to replace when the pool is full: the oldest.
 */
#include "identity/names.h"

#include <stdlib.h>
#include <string.h>

#include "core/pow2.h"

/* Entry 0 is never used, so 0 is "none" and a cache fresh from calloc is empty: its
 * size costs nothing at start but address space (the kernel's zero pages). */
#define NIL 0u

enum { DEFAULT_ENTRIES = 32768, MAX_ENTRIES = 1u << 24 };

struct name_entry {
	struct ip_addr client, addr;
	uint64_t start_us, expires_us;
	uint32_t pair_hash, addr_hash;
	uint32_t pair_next, addr_next; /* hash chains; pair_next is the free list when unused */
	uint32_t lprev, lnext;         /* insertion order, head newest */
	char text[NAMES_TEXT_MAX];     /* "query\0canonical\0" (canonical may be empty) */
};

struct name_cache {
	struct stats *stats;
	uint32_t capacity, mask, used;
	struct name_entry *entries;
	uint32_t *pair_buckets, *addr_buckets;
	uint32_t free_head, head, tail;
	uint32_t fresh; /* the next entry never used yet (1..capacity) */
};

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
	return sizeof(struct name_cache) + ((size_t)want + 1) * sizeof(struct name_entry) +
	       2 * (size_t)pow2_at_least(want, 16) * sizeof(uint32_t);
}

struct name_cache *name_cache_new(unsigned max_entries, struct stats *stats)
{
	uint32_t want = entries_wanted(max_entries);
	uint32_t nb = pow2_at_least(want, 16);
	struct name_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->stats = stats;
	c->capacity = want;
	c->mask = nb - 1;
	c->entries = calloc((size_t)want + 1, sizeof *c->entries);
	c->pair_buckets = calloc(nb, sizeof *c->pair_buckets);
	c->addr_buckets = calloc(nb, sizeof *c->addr_buckets);
	if (!c->entries || !c->pair_buckets || !c->addr_buckets) {
		name_cache_free(c);
		return NULL;
	}
	c->fresh = 1;
	return c;
}

void name_cache_free(struct name_cache *c)
{
	if (!c)
		return;
	free(c->entries);
	free(c->pair_buckets);
	free(c->addr_buckets);
	free(c);
}

unsigned name_cache_count(const struct name_cache *c)
{
	return c ? c->used : 0;
}

static void list_unlink(struct name_cache *c, uint32_t idx)
{
	struct name_entry *e = &c->entries[idx];
	if (e->lprev != NIL)
		c->entries[e->lprev].lnext = e->lnext;
	else
		c->head = e->lnext;
	if (e->lnext != NIL)
		c->entries[e->lnext].lprev = e->lprev;
	else
		c->tail = e->lprev;
	e->lprev = e->lnext = NIL;
}

static void list_push(struct name_cache *c, uint32_t idx)
{
	struct name_entry *e = &c->entries[idx];
	e->lprev = NIL;
	e->lnext = c->head;
	if (c->head != NIL)
		c->entries[c->head].lprev = idx;
	else
		c->tail = idx;
	c->head = idx;
}

static void chain_remove(struct name_cache *c, uint32_t *buckets, uint32_t hash, uint32_t idx, bool pair)
{
	uint32_t *link = &buckets[hash & c->mask];
	while (*link != NIL && *link != idx)
		link = pair ? &c->entries[*link].pair_next : &c->entries[*link].addr_next;
	if (*link == idx)
		*link = pair ? c->entries[idx].pair_next : c->entries[idx].addr_next;
}

static void entry_release(struct name_cache *c, uint32_t idx)
{
	struct name_entry *e = &c->entries[idx];
	chain_remove(c, c->pair_buckets, e->pair_hash, idx, true);
	chain_remove(c, c->addr_buckets, e->addr_hash, idx, false);
	list_unlink(c, idx);
	memset(e, 0, sizeof *e);
	e->pair_next = c->free_head;
	c->free_head = idx;
	c->used--;
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
	uint32_t latest = NIL;
	for (uint32_t i = c->pair_buckets[ph & c->mask]; i != NIL; i = c->entries[i].pair_next) {
		const struct name_entry *e = &c->entries[i];
		if (e->pair_hash == ph && addr_eq(&e->client, client) && addr_eq(&e->addr, addr) &&
		    e->start_us <= ts_us && (latest == NIL || e->start_us > c->entries[latest].start_us))
			latest = i;
	}
	if (latest != NIL) {
		struct name_entry *e = &c->entries[latest];
		if (strcmp(e->text, text) == 0 && ts_us < e->expires_us) {
			if (expires > e->expires_us)
				e->expires_us = expires;
			memcpy(e->text, text, sizeof text); /* the latest canonical name */
			list_unlink(c, latest);
			list_push(c, latest);
			return;
		}
	}
	uint32_t idx;
	if (c->free_head == NIL && c->fresh <= c->capacity) {
		idx = c->fresh++;
	} else {
		if (c->free_head == NIL) {
			const struct name_entry *old = &c->entries[c->tail];
			if (old->expires_us > ts_us)
				stats_anomaly(c->stats, ANOM_NAME_CACHE_FULL);
			entry_release(c, c->tail);
		}
		idx = c->free_head;
		c->free_head = c->entries[idx].pair_next;
	}
	struct name_entry *e = &c->entries[idx];
	memset(e, 0, sizeof *e);
	e->client = *client;
	e->addr = *addr;
	e->start_us = ts_us;
	e->expires_us = expires;
	memcpy(e->text, text, sizeof text);
	e->pair_hash = ph;
	e->addr_hash = addr_hash(addr);
	e->pair_next = c->pair_buckets[ph & c->mask];
	c->pair_buckets[ph & c->mask] = idx;
	e->addr_next = c->addr_buckets[e->addr_hash & c->mask];
	c->addr_buckets[e->addr_hash & c->mask] = idx;
	list_push(c, idx);
	c->used++;
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
		for (uint32_t i = c->pair_buckets[ph & c->mask]; i != NIL; i = c->entries[i].pair_next) {
			const struct name_entry *e = &c->entries[i];
			if (e->pair_hash == ph && addr_eq(&e->client, client) && addr_eq(&e->addr, addr) &&
			    e->start_us <= ts && ts < e->expires_us && (!best || e->start_us > best->start_us))
				best = e;
		}
		return best;
	}
	uint32_t ah = addr_hash(addr);
	for (uint32_t i = c->addr_buckets[ah & c->mask]; i != NIL; i = c->entries[i].addr_next) {
		const struct name_entry *e = &c->entries[i];
		if (e->addr_hash == ah && addr_eq(&e->addr, addr) && e->start_us <= ts && ts < e->expires_us &&
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
