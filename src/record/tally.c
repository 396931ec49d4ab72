/*
 * tally.c — events counted as records are written (tally.h): two generations of a set
 * of recent ids, for all records and for (target, id), and a hash table of targets.
 */
#include "record/tally.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/pow2.h"

struct recent {
	uint64_t slot[2][TALLY_RECENT * 2]; /* [generation][open addressing, half full at most] */
	uint32_t n[2];
	int cur;
};

struct tally {
	struct recent ids, target_ids;
	uint64_t records, events, by_type[EV__COUNT];
	struct tally_target *targets;
	size_t cap, n;            /* cap: a power of two, kept at most half full */
};

static bool recent_has(const struct recent *r, int g, uint64_t v)
{
	const size_t mask = TALLY_RECENT * 2 - 1;
	for (size_t i = v & mask;; i = (i + 1) & mask) {
		if (r->slot[g][i] == v)
			return true;
		if (r->slot[g][i] == 0)
			return false;
	}
}

/* True when v was seen recently; remembers it either way. */
static bool recent_seen(struct recent *r, uint64_t v)
{
	v |= 1; /* 0 is an empty slot */
	if (recent_has(r, 0, v) || recent_has(r, 1, v))
		return true;
	if (r->n[r->cur] >= TALLY_RECENT) { /* full: it becomes the old generation */
		r->cur ^= 1;
		memset(r->slot[r->cur], 0, sizeof r->slot[r->cur]);
		r->n[r->cur] = 0;
	}
	const size_t mask = TALLY_RECENT * 2 - 1;
	size_t i = v & mask;
	while (r->slot[r->cur][i] != 0)
		i = (i + 1) & mask;
	r->slot[r->cur][i] = v;
	r->n[r->cur]++;
	return false;
}

struct tally *tally_new(size_t targets)
{
	struct tally *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cap = pow2_grow(16, 2 * targets);
	if (!(t->targets = calloc(t->cap, sizeof *t->targets))) {
		free(t);
		return NULL;
	}
	return t;
}

void tally_free(struct tally *t)
{
	if (!t)
		return;
	free(t->targets);
	free(t);
}

static struct tally_target *find(const struct tally *t, const char *target, bool *found)
{
	size_t mask = t->cap - 1;
	for (size_t i = hash64_str(target) & mask;; i = (i + 1) & mask) {
		struct tally_target *e = &t->targets[i];
		*found = e->target[0] && strcmp(e->target, target) == 0;
		if (*found || !e->target[0])
			return e;
	}
}

/* The target's entry, added when new; NULL when the table cannot grow. */
static struct tally_target *entry(struct tally *t, const char *target)
{
	bool found;
	struct tally_target *e = find(t, target, &found);
	if (found)
		return e;
	if (2 * (t->n + 1) > t->cap) {
		struct tally_target *old = t->targets;
		size_t old_cap = t->cap;
		struct tally_target *grown = calloc(2 * old_cap, sizeof *grown);
		if (!grown)
			return NULL;
		t->targets = grown;
		t->cap = 2 * old_cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].target[0])
				*find(t, old[i].target, &found) = old[i];
		free(old);
		e = find(t, target, &found);
	}
	snprintf(e->target, sizeof e->target, "%s", target);
	t->n++;
	return e;
}

void tally_add(struct tally *t, const struct record *r)
{
	if (!t)
		return;
	uint64_t id = hash64_str(r->event);
	/* a record without an id (a version-2 store's) is an event of its own */
	bool old = r->event[0] && recent_seen(&t->ids, id);
	t->records++;
	if (!old) {
		t->events++;
		if ((unsigned)r->type < EV__COUNT)
			t->by_type[r->type]++;
	}
	struct tally_target *e = entry(t, r->target);
	if (!e)
		return;
	e->records++;
	if (r->event[0] && recent_seen(&t->target_ids, hash64_more(hash64_more(id, "\n", 1), r->target, strlen(r->target))))
		return;
	e->events++;
	if ((unsigned)r->type < EV__COUNT)
		e->by_type[r->type]++;
}

uint64_t tally_events(const struct tally *t, uint64_t by_type[EV__COUNT], uint64_t *records)
{
	if (by_type)
		memcpy(by_type, t->by_type, sizeof t->by_type);
	if (records)
		*records = t->records;
	return t->events;
}

const struct tally_target *tally_target(const struct tally *t, const char *target)
{
	bool found;
	const struct tally_target *e = find(t, target, &found);
	return found ? e : NULL;
}
