/*
 * sim_links.c — IMSI <-> MSISDN pairs learned from access bindings (sim_links.h).
 *
 * Two open-addressing tables of the same pairs, one keyed by IMSI and one by MSISDN, so
 * either half finds the other in one short probe. A key's place is within PROBE slots of
 * its hash; when all are taken by other keys the oldest of them gives way.
 */
#include "identity/sim_links.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/pow2.h"

enum { DEFAULT_CAPACITY = 16384, MAX_CAPACITY = 1u << 22, PROBE = 8 };

struct pair {
	char imsi[24];
	char msisdn[24];
	uint64_t ts_us; /* when last seen: the oldest gives way */
};

struct sim_links {
	uint32_t mask;
	struct pair *by_imsi, *by_msisdn;
};

static uint32_t table_size(unsigned capacity)
{
	uint32_t want = capacity ? capacity : DEFAULT_CAPACITY;
	if (want > MAX_CAPACITY)
		want = MAX_CAPACITY;
	return pow2_at_least(want, PROBE);
}

size_t sim_links_memory(unsigned capacity)
{
	return sizeof(struct sim_links) + 2 * (size_t)table_size(capacity) * sizeof(struct pair);
}

struct sim_links *sim_links_new(unsigned capacity)
{
	uint32_t n = table_size(capacity);
	struct sim_links *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->mask = n - 1;
	/* calloc: the kernel's zero pages, so an unused table costs nothing at start */
	l->by_imsi = calloc(n, sizeof *l->by_imsi);
	l->by_msisdn = calloc(n, sizeof *l->by_msisdn);
	if (!l->by_imsi || !l->by_msisdn) {
		sim_links_free(l);
		return NULL;
	}
	return l;
}

void sim_links_free(struct sim_links *l)
{
	if (!l)
		return;
	free(l->by_imsi);
	free(l->by_msisdn);
	free(l);
}

/* The key of a pair in a table: its IMSI in by_imsi, its MSISDN in by_msisdn. */
static const char *key_of(const struct sim_links *l, const struct pair *table, const struct pair *p)
{
	return table == l->by_imsi ? p->imsi : p->msisdn;
}

static void put(const struct sim_links *l, struct pair *table, const struct pair *p)
{
	const char *key = key_of(l, table, p);
	uint32_t h = hash_str(key);
	struct pair *victim = NULL;
	for (uint32_t k = 0; k < PROBE; k++) {
		struct pair *slot = &table[(h + k) & l->mask];
		if (!slot->imsi[0] || strcmp(key_of(l, table, slot), key) == 0) {
			*slot = *p;
			return;
		}
		if (!victim || slot->ts_us < victim->ts_us)
			victim = slot;
	}
	*victim = *p;
}

static const struct pair *get(const struct sim_links *l, const struct pair *table, const char *key)
{
	uint32_t h = hash_str(key);
	for (uint32_t k = 0; k < PROBE; k++) {
		const struct pair *slot = &table[(h + k) & l->mask];
		if (!slot->imsi[0])
			return NULL;
		if (strcmp(key_of(l, table, slot), key) == 0)
			return slot;
	}
	return NULL;
}

void sim_links_learn(struct sim_links *l, const struct subscriber *s, uint64_t ts_us)
{
	if (!l || !s->imsi[0] || !s->msisdn[0])
		return;
	struct pair p;
	memset(&p, 0, sizeof p);
	memcpy(p.imsi, s->imsi, sizeof p.imsi);
	memcpy(p.msisdn, s->msisdn, sizeof p.msisdn);
	p.imsi[sizeof p.imsi - 1] = p.msisdn[sizeof p.msisdn - 1] = '\0';
	p.ts_us = ts_us;
	put(l, l->by_imsi, &p);
	put(l, l->by_msisdn, &p);
}

void sim_links_fill(const struct sim_links *l, struct subscriber *s)
{
	if (!l || (s->imsi[0] && s->msisdn[0]) || (!s->imsi[0] && !s->msisdn[0]))
		return;
	const struct pair *p = s->imsi[0] ? get(l, l->by_imsi, s->imsi) : get(l, l->by_msisdn, s->msisdn);
	if (!p)
		return;
	if (!s->msisdn[0])
		memcpy(s->msisdn, p->msisdn, sizeof s->msisdn);
	else
		memcpy(s->imsi, p->imsi, sizeof s->imsi);
}
