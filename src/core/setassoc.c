/* setassoc.c — the set-associative table of requests awaiting answers (setassoc.h). */
#include "core/setassoc.h"

#include <stdlib.h>
#include <string.h>

#include "core/pow2.h"

enum { SETASSOC_MAX_SETS = 1 << 24 };

static void *entry_at(const struct setassoc *t, size_t i)
{
	return t->entry + i * t->entry_size;
}

static size_t index_of(const struct setassoc *t, const void *entry)
{
	return (size_t)((const unsigned char *)entry - t->entry) / t->entry_size;
}

size_t setassoc_memory(uint32_t sets, uint32_t ways, size_t entry_size)
{
	size_t n = (size_t)pow2_at_least(sets, 1) * ways;
	return n * (entry_size + sizeof(struct setassoc_way));
}

int setassoc_init(struct setassoc *t, uint32_t sets, uint32_t ways, size_t entry_size,
		  uint64_t timeout_us)
{
	memset(t, 0, sizeof *t);
	if (sets == 0 || sets > SETASSOC_MAX_SETS || ways == 0 || ways > SETASSOC_MAX_WAYS || entry_size == 0)
		return -1;
	uint32_t nsets = pow2_at_least(sets, 1);
	size_t n = (size_t)nsets * ways;
	t->entry = calloc(n, entry_size);
	t->way = calloc(n, sizeof *t->way);
	if (!t->entry || !t->way) {
		setassoc_fini(t);
		return -1;
	}
	t->entry_size = entry_size;
	t->set_mask = nsets - 1;
	t->ways = ways;
	t->timeout_us = timeout_us;
	return 0;
}

void setassoc_fini(struct setassoc *t)
{
	if (!t)
		return;
	free(t->entry);
	free(t->way);
	memset(t, 0, sizeof *t);
}

void *setassoc_find(const struct setassoc *t, uint32_t hash, setassoc_match_fn match, const void *key)
{
	size_t first = (size_t)(hash & t->set_mask) * t->ways;
	for (size_t i = first; i < first + t->ways; i++)
		if (t->way[i].used && t->way[i].hash == hash && match(entry_at(t, i), key))
			return entry_at(t, i);
	return NULL;
}

void *setassoc_put(struct setassoc *t, uint32_t hash, uint64_t now_us, setassoc_match_fn same,
		   const void *key)
{
	size_t first = (size_t)(hash & t->set_mask) * t->ways, end = first + t->ways;
	size_t pick = end;
	for (size_t i = first; i < end && pick == end; i++) /* the same request again */
		if (t->way[i].used && t->way[i].hash == hash && same(entry_at(t, i), key))
			pick = i;
	for (size_t i = first; i < end && pick == end; i++) { /* free, or stale */
		const struct setassoc_way *w = &t->way[i];
		if (!w->used || now_us < w->ts_us || now_us - w->ts_us > t->timeout_us)
			pick = i;
	}
	if (pick == end) { /* the oldest */
		pick = first;
		for (size_t i = first + 1; i < end; i++)
			if (t->way[i].ts_us < t->way[pick].ts_us)
				pick = i;
	}
	struct setassoc_way *w = &t->way[pick];
	w->used = true;
	w->hash = hash;
	w->ts_us = now_us;
	void *e = entry_at(t, pick);
	memset(e, 0, t->entry_size);
	return e;
}

void setassoc_remove(struct setassoc *t, void *entry)
{
	if (entry)
		t->way[index_of(t, entry)].used = false;
}
