/* store_runs.c — a store's runs in memory, and the run of a record (store_runs.h). */
#include "record/store_runs.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int keep(const struct run_info *ri, void *ud)
{
	struct store_runs *r = ud;
	struct store_run_entry *v = realloc(r->v, (r->n + 1) * sizeof *v);
	if (!v)
		return -1;
	r->v = v;
	struct store_run_entry *e = &v[r->n];
	memset(e, 0, sizeof *e);
	e->ri = *ri;
	const char *src[11] = { ri->status,     ri->order_id,         ri->order_file, ri->order_sha256,
				ri->captures,   ri->sigs_version,     ri->software_version, ri->sensor_id,
				ri->key_id,     ri->note,             ri->summary_json };
	for (int i = 0; i < 11; i++)
		if (!(e->strings[i] = dup_or_empty(src[i]))) {
			for (int k = 0; k < i; k++)
				free(e->strings[k]);
			return -1;
		}
	e->ri.status = e->strings[0];
	e->ri.order_id = e->strings[1];
	e->ri.order_file = e->strings[2];
	e->ri.order_sha256 = e->strings[3];
	e->ri.captures = e->strings[4];
	e->ri.sigs_version = e->strings[5];
	e->ri.software_version = e->strings[6];
	e->ri.sensor_id = e->strings[7];
	e->ri.key_id = e->strings[8];
	e->ri.note = e->strings[9];
	e->ri.summary_json = e->strings[10];
	r->n++;
	return 0;
}

int store_runs_load(struct store *s, struct store_runs *out, char *errbuf, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int rc = store_each_run(s, keep, out, errbuf, errlen);
	if (rc != 0) {
		if (rc > 0 && errlen)
			snprintf(errbuf, errlen, "out of memory");
		store_runs_free(out);
		return -1;
	}
	return 0;
}

void store_runs_free(struct store_runs *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < 11; k++)
			free(r->v[i].strings[k]);
	free(r->v);
	memset(r, 0, sizeof *r);
}

uint64_t store_runs_of_seq(const struct store_runs *r, uint64_t seq)
{
	uint64_t id = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].ri.first_seq <= seq && r->v[i].ri.id > id)
			id = r->v[i].ri.id;
	return id;
}

const struct run_info *store_runs_find(const struct store_runs *r, uint64_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].ri.id == id)
			return &r->v[i].ri;
	return NULL;
}
