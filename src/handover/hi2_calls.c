/*
 * hi2_calls.c — the open communications of a delivery (hi2_calls.h): an open-addressing
 * table of (key hash, first seq) with linear probing, at most three quarters full, and
 * backward-shift deletion so no tombstones pile up over a long --follow delivery.
 */
#include "handover/hi2_calls.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

enum { SLOTS = HI2_CALLS_MAX * 2 }; /* a power of two, at most half full */

struct slot {
	uint64_t key; /* 0: empty */
	uint64_t seq;
};

struct hi2_calls {
	struct slot *slots;
	uint32_t used;
	uint64_t full;
};

struct hi2_calls *hi2_calls_new(void)
{
	struct hi2_calls *t = calloc(1, sizeof *t);
	if (t && !(t->slots = calloc(SLOTS, sizeof *t->slots))) {
		free(t);
		t = NULL;
	}
	return t;
}

void hi2_calls_free(struct hi2_calls *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

uint64_t hi2_calls_full(const struct hi2_calls *t)
{
	return t->full;
}

/* The 64-bit hash (core/hash.h) over the fields, with a separator byte after each. */
static uint64_t field(uint64_t h, const char *s)
{
	return hash64_more(hash64_more(h, s, strlen(s)), "\x1f", 1);
}

/* Which kind of communication a record type belongs to; 0 for a report. */
static int kind_of(enum event_type t, bool *closes)
{
	*closes = t == EV_CALL_END || t == EV_OTT_CALL_END || t == EV_OTT_SESSION_END || t == EV_DATA_SESSION_END;
	switch (t) {
	case EV_CALL_ATTEMPT:
	case EV_CALL_ANSWER:
	case EV_CALL_END:
		return 1;
	case EV_OTT_CALL_BEGIN:
	case EV_OTT_CALL_END:
		return 2;
	case EV_OTT_SESSION_BEGIN:
	case EV_OTT_SESSION_END:
		return 3;
	case EV_DATA_SESSION_BEGIN:
	case EV_DATA_SESSION_END:
		return 4;
	default:
		return 0;
	}
}

static uint64_t key_of(const struct record *r, int kind)
{
	static const char *const kinds[] = { "", "call", "ott.call", "ott.session", "data.session" };
	uint64_t h = field(HASH64_SEED, r->order);
	h = field(h, r->target);
	h = field(h, kinds[kind]);
	if (r->call_id[0]) {
		h = field(h, r->call_id);
	} else { /* no id of the signalling's own: the parties (and service, address) name it */
		h = field(h, r->from);
		h = field(h, r->to);
		h = field(h, r->service);
		if (kind == 4)
			h = field(h, r->contact);
	}
	return h ? h : 1;
}

static uint32_t find(const struct hi2_calls *t, uint64_t key, bool *found)
{
	uint32_t i = (uint32_t)(key ^ key >> 32) & (SLOTS - 1);
	while (t->slots[i].key && t->slots[i].key != key)
		i = (i + 1) & (SLOTS - 1);
	*found = t->slots[i].key == key;
	return i;
}

/* Removes slot i, moving later members of its probe run back (Knuth 6.4 algorithm R). */
static void remove_at(struct hi2_calls *t, uint32_t i)
{
	uint32_t j = i;
	for (;;) {
		t->slots[i].key = 0;
		for (;;) {
			j = (j + 1) & (SLOTS - 1);
			if (!t->slots[j].key)
				goto done;
			uint64_t k = t->slots[j].key;
			uint32_t home = (uint32_t)(k ^ k >> 32) & (SLOTS - 1);
			/* j's entry may move to i when its home is not cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		t->slots[i] = t->slots[j];
		i = j;
	}
done:
	t->used--;
}

uint64_t hi2_calls_cin(struct hi2_calls *t, const struct record *r)
{
	bool closes, found;
	int kind = kind_of(r->type, &closes);
	if (kind == 0)
		return r->seq;
	uint64_t key = key_of(r, kind);
	uint32_t i = find(t, key, &found);
	uint64_t cin = found ? t->slots[i].seq : r->seq;
	if (found && closes) {
		remove_at(t, i);
	} else if (!found && !closes) {
		/* opened here, or first seen here (its opening was outside the order's records) */
		if (t->used >= HI2_CALLS_MAX) {
			t->full++;
		} else {
			t->slots[i].key = key;
			t->slots[i].seq = r->seq;
			t->used++;
		}
	}
	return cin;
}
