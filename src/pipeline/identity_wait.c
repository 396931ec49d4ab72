/*
 * identity_wait.c — events waiting for a shared binding (identity_wait.h).
 *
 * A ring of slots in arrival order: events arrive in capture order, so the ring's head
 * is always the one whose wait ends first. A binding's arrival releases the events of
 * its address wherever they are in the ring (a scan: the ring is small and bindings are
 * rare next to packets); their slots are emptied and the head skips empty slots.
 */
#include "pipeline/identity_wait.h"

#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"

struct slot {
	struct event e;
	uint64_t due_us;
	bool used;
};

struct identity_wait {
	struct slot *ring;
	unsigned cap, head, n; /* n: slots from head, used or emptied */
	uint64_t wait_us;
	struct stats *stats;
};

struct identity_wait *identity_wait_new(unsigned cap, uint64_t wait_us, struct stats *stats)
{
	struct identity_wait *w = calloc(1, sizeof *w);
	if (!w || !(w->ring = calloc(cap ? cap : 1, sizeof *w->ring))) {
		free(w);
		return NULL;
	}
	w->cap = cap ? cap : 1;
	w->wait_us = wait_us;
	w->stats = stats;
	return w;
}

void identity_wait_free(struct identity_wait *w)
{
	if (!w)
		return;
	free(w->ring);
	free(w);
}

/* The party is an address (its own, or its text) that no binding covers at ts. */
static bool unbound(const struct identity_map *ids, const char *text, const struct ip_addr *addr, uint64_t ts)
{
	struct ip_addr parsed;
	const struct ip_addr *a = addr->family ? addr : text[0] && addr_parse(text, &parsed) == 0 ? &parsed : NULL;
	struct subscriber s;
	return a && !(identity_lookup(ids, a, ts, &s) && subscriber_party(&s)[0]);
}

static void go(struct identity_wait *w, unsigned idx, identity_wait_fn fn, void *ud, bool named_late)
{
	struct slot *s = &w->ring[idx];
	if (named_late && w->stats)
		w->stats->identity_named_late++;
	s->used = false;
	fn(ud, &s->e);
}

/* Drops emptied slots at the head. */
static void trim(struct identity_wait *w)
{
	while (w->n && !w->ring[w->head].used) {
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
}

bool identity_wait_hold(struct identity_wait *w, const struct identity_map *ids, const struct event *e,
			identity_wait_fn fn, void *ud)
{
	if (!w || (!unbound(ids, e->from, &e->from_addr, e->ts_us) && !unbound(ids, e->to, &e->to_addr, e->ts_us)))
		return false;
	if (w->n == w->cap) {
		if (w->stats)
			w->stats->identity_wait_full++;
		go(w, w->head, fn, ud, false);
		trim(w);
	}
	struct slot *s = &w->ring[(w->head + w->n) % w->cap];
	s->e = *e;
	s->due_us = e->ts_us + w->wait_us;
	s->used = true;
	w->n++;
	if (w->stats)
		w->stats->identity_waited++;
	return true;
}

static bool event_has(const struct event *e, const struct ip_addr *addr, unsigned prefix_len)
{
	const struct ip_addr *cand[2] = { &e->from_addr, &e->to_addr };
	for (int i = 0; i < 2; i++) {
		const struct ip_addr *a = cand[i];
		if (a->family != addr->family)
			continue;
		unsigned bits = prefix_len && prefix_len < (a->family == 4 ? 32u : 128u) ? prefix_len
											: (a->family == 4 ? 32u : 128u);
		unsigned whole = bits / 8, rest = bits % 8;
		if (memcmp(a->bytes, addr->bytes, whole) == 0 &&
		    (!rest || ((a->bytes[whole] ^ addr->bytes[whole]) & (0xff << (8 - rest))) == 0))
			return true;
	}
	return false;
}

void identity_wait_release_addr(struct identity_wait *w, const struct ip_addr *addr, unsigned prefix_len,
				identity_wait_fn fn, void *ud)
{
	if (!w || !addr)
		return;
	for (unsigned i = 0; i < w->n; i++) {
		unsigned idx = (w->head + i) % w->cap;
		if (w->ring[idx].used && event_has(&w->ring[idx].e, addr, prefix_len))
			go(w, idx, fn, ud, true);
	}
	trim(w);
}

void identity_wait_release_due(struct identity_wait *w, uint64_t now_us, identity_wait_fn fn, void *ud)
{
	if (!w)
		return;
	while (w->n) {
		struct slot *s = &w->ring[w->head];
		if (s->used && s->due_us > now_us)
			break;
		if (s->used)
			go(w, w->head, fn, ud, false);
		trim(w);
	}
}

void identity_wait_release_all(struct identity_wait *w, identity_wait_fn fn, void *ud)
{
	identity_wait_release_due(w, UINT64_MAX, fn, ud);
}
