/*
 * store_runs.h — a store's runs held in memory, to tell which run wrote a record: the
 * last run (by id) that began at or before its seq (a run that wrote nothing begins
 * where the next one does). Used where records leave their store with their run: the
 * broker's messages (broker/publish.c) and `pentrap db import` (store_copy.c).
 */
#ifndef PENTRAP_RECORD_STORE_RUNS_H
#define PENTRAP_RECORD_STORE_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "record/store.h"

struct store_run_entry {
	struct run_info ri;  /* strings owned by the entry */
	char *strings[11];
};

struct store_runs {
	struct store_run_entry *v;
	size_t n;
};

/* Reads every run of the store (its selected chain). 0, or -1 with errbuf. */
int store_runs_load(struct store *s, struct store_runs *out, char *errbuf, size_t errlen);
void store_runs_free(struct store_runs *r);
/* The run that wrote record seq (0 when no run began before it). */
uint64_t store_runs_of_seq(const struct store_runs *r, uint64_t seq);
/* The run with this id, or NULL. */
const struct run_info *store_runs_find(const struct store_runs *r, uint64_t id);

#endif
