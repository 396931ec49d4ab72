/*
 * store_copy.c — a sensor's store copied into a central store without a broker
 * (`pentrap db import`): its key, runs, checkpoints and records, through the same
 * idempotent ingest the collector uses, so importing twice (or importing what a
 * collector already brought) stores nothing twice.
 */
#include "record/store_copy.h"

#include <stdlib.h>
#include <string.h>

#include "record/store_runs.h"

enum { COPY_RECORDS_PER_ITEM = 256, COPY_ITEMS_PER_TX = 16 };

struct copy {
	struct store *dst;
	struct store_copy_stats *st;
	struct store_ingest base;        /* sensor, key, genesis */
	const struct store_runs *runs;
	struct record recs[COPY_RECORDS_PER_ITEM];
	char *lines[COPY_RECORDS_PER_ITEM];
	size_t nrecs;
	uint64_t run;                    /* the run of recs */
	uint64_t last_seq;
	char *errbuf;
	size_t errlen;
	int rc;
};

static void count(struct store_copy_stats *st, const struct store_ingest_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (res[i].outcome == STORE_SENSOR_REUSED)
			st->refused++;
		else if (res[i].outcome == STORE_CONFLICT)
			st->conflicts++;
		st->stored += res[i].stored;
		st->duplicates += res[i].duplicates;
	}
}

static int ingest(struct copy *c, const struct store_ingest *items, size_t n)
{
	struct store_ingest_result res[COPY_ITEMS_PER_TX];
	if (store_ingest(c->dst, items, n, res, c->errbuf, c->errlen) != 0)
		return -1;
	count(c->st, res, n);
	if (res[0].outcome == STORE_SENSOR_REUSED) {
		snprintf(c->errbuf, c->errlen, "sensor id '%s' is held by another key in %s: not imported", c->base.sensor,
			 store_name(c->dst));
		return -1;
	}
	return 0;
}

static int flush_records(struct copy *c)
{
	if (c->nrecs == 0)
		return 0;
	struct store_ingest it = c->base;
	it.kind = STORE_IN_RECORDS;
	it.run_id = c->run;
	it.records = c->recs;
	it.lines = (const char *const *)c->lines;
	it.nrecords = c->nrecs;
	int rc = ingest(c, &it, 1);
	for (size_t i = 0; i < c->nrecs; i++)
		free(c->lines[i]);
	c->nrecs = 0;
	return rc;
}

static int on_record(const struct record *r, void *ud)
{
	struct copy *c = ud;
	uint64_t run = store_runs_of_seq(c->runs, r->seq);
	if (c->nrecs && (run != c->run || c->nrecs == COPY_RECORDS_PER_ITEM) && flush_records(c) != 0)
		return c->rc = -1;
	c->run = run;
	c->recs[c->nrecs] = *r;
	c->lines[c->nrecs] = record_to_line(r, NULL);
	if (!c->lines[c->nrecs]) {
		snprintf(c->errbuf, c->errlen, "out of memory");
		return c->rc = -1;
	}
	c->nrecs++;
	c->last_seq = r->seq;
	return 0;
}

static int on_checkpoint(const struct checkpoint *cp, void *ud)
{
	struct copy *c = ud;
	struct store_ingest it = c->base;
	it.kind = STORE_IN_CHECKPOINT;
	it.cp = cp;
	return ingest(c, &it, 1) ? (c->rc = -1) : 0;
}

int store_copy(struct store *src, struct store *dst, struct store_copy_stats *st, char *errbuf, size_t errlen)
{
	struct chain_genesis g;
	struct store_runs runs = { 0 };
	struct copy *c = calloc(1, sizeof *c);
	int rc = -1;
	memset(st, 0, sizeof *st);
	if (!c) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	int has = store_genesis(src, &g, errbuf, errlen);
	if (has <= 0) {
		if (has == 0)
			snprintf(errbuf, errlen, "%s: an empty store (no run yet): nothing to import", store_name(src));
		goto out;
	}
	if (store_runs_load(src, &runs, errbuf, errlen) != 0)
		goto out;
	if (runs.n == 0) {
		snprintf(errbuf, errlen, "%s: no run: nothing to import", store_name(src));
		goto out;
	}
	/* the sensor as it names itself now: its last run's id and key */
	const struct run_info *last = &runs.v[runs.n - 1].ri;
	c->dst = dst;
	c->st = st;
	c->runs = &runs;
	c->errbuf = errbuf;
	c->errlen = errlen;
	c->base.sensor = last->sensor_id;
	c->base.key_id = last->key_id;
	c->base.genesis = &g;
	/* the keys, then the runs: what verify needs to check the records that follow */
	for (size_t i = 0; i < runs.n; i++) {
		char *pem = store_key_pem(src, runs.v[i].ri.key_id);
		struct store_ingest it = c->base;
		it.kind = STORE_IN_KEY;
		it.new_key_id = runs.v[i].ri.key_id;
		it.key_pem = pem;
		int krc = pem ? ingest(c, &it, 1) : 0;
		free(pem);
		if (krc)
			goto out;
		it = c->base;
		it.kind = STORE_IN_RUN;
		it.run = &runs.v[i].ri;
		if (ingest(c, &it, 1))
			goto out;
	}
	if (store_each(src, on_record, c, errbuf, errlen) != 0 || c->rc || flush_records(c) != 0)
		goto out;
	if (store_each_checkpoint(src, on_checkpoint, c, errbuf, errlen) != 0 || c->rc)
		goto out;
	st->last_seq = c->last_seq;
	snprintf(st->sensor, sizeof st->sensor, "%s", c->base.sensor);
	rc = 0;
out:
	for (size_t i = 0; i < c->nrecs; i++)
		free(c->lines[i]);
	free(c);
	store_runs_free(&runs);
	return rc;
}
