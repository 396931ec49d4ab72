/* verify_report.c — `pentrap verify`'s report for people (verify_report.h). */
#include "record/verify_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "record/custody_read.h"
#include "record/json.h"

struct report_ctx {
	FILE *out;
	bool quiet;
	size_t ncaptures;
	const char *sensor;  /* a central store: the sensor whose chain is checked, named on each line */
};

static void on_line(void *ud, bool problem, const char *line)
{
	struct report_ctx *o = ud;
	const char *who = o->sensor ? "sensor " : "", *name = o->sensor ? o->sensor : "", *sep = o->sensor ? ": " : "";
	if (problem)
		fprintf(o->out, "  FAIL  %s%s%s%s\n", who, name, sep, line);
	else if (!o->quiet)
		fprintf(o->out, "  note  %s%s%s%s\n", who, name, sep, line);
}

/* A capture's path as plain text: what cannot be shown on a terminal as '?'. */
static void print_path(FILE *out, const char *path)
{
	for (const char *p = path; *p; p++)
		fputc((unsigned char)*p >= 0x20 && *p != 0x7f ? *p : '?', out);
}

static int print_capture(void *ud, const struct custody_capture *c)
{
	struct report_ctx *o = ud;
	fputs("    capture    ", o->out);
	print_path(o->out, c->path);
	fprintf(o->out, "  sha256 %.64s  %" PRIu64 " bytes\n", c->sha256, c->size);
	o->ncaptures++;
	return 0;
}

static void print_captures(struct report_ctx *o, const char *json)
{
	o->ncaptures = 0;
	if (custody_captures_each(json, print_capture, o) < 0)
		fprintf(o->out, "    capture    (unreadable: not the list of captures pentrap writes)\n");
	else if (o->ncaptures == 0)
		fprintf(o->out, "    capture    (none)\n");
}

static int print_run(const struct run_info *ri, void *ud)
{
	struct report_ctx *o = ud;
	FILE *out = o->out;
	char a[TS_STRLEN], b[TS_STRLEN];
	bool ended = strcmp(ri->status, "ended") == 0;
	if (ended)
		fprintf(out, "  run %" PRIu64 ": ended %s, exit status %d\n", ri->id, ts_format(ri->ended_us, b, sizeof b),
			ri->exit_status);
	else
		fprintf(out, "  run %" PRIu64 ": %s (no end recorded)\n", ri->id, ri->status);
	fprintf(out, "    order      %s  file %s  sha256 %s\n", ri->order_id, ri->order_file, ri->order_sha256);
	print_captures(o, ri->captures ? ri->captures : "[]");
	if (ended && ri->last_seq >= ri->first_seq)
		fprintf(out, "    records    %" PRIu64 "..%" PRIu64 "\n", ri->first_seq, ri->last_seq);
	else if (ended)
		fprintf(out, "    records    none\n");
	else
		fprintf(out, "    records    from %" PRIu64 "\n", ri->first_seq);
	fprintf(out, "    sensor     %s  key %.16s\n", ri->sensor_id, ri->key_id);
	fprintf(out, "    software   pentrap %s, definitions %s\n", ri->software_version,
		ri->sigs_version && ri->sigs_version[0] ? ri->sigs_version : "(built-in)");
	fprintf(out, "    started    %s\n", ts_format(ri->started_us, a, sizeof a));
	if (ri->resumes)
		fprintf(out, "    resumes    run %" PRIu64 "\n", ri->resumes);
	if (ri->note && ri->note[0]) {
		fprintf(out, "    %-10s ", "note");
		json_write_string(out, ri->note);
		fputc('\n', out);
	}
	return 0;
}

/* The genesis and every run's custody, before the checks. */
static int print_custody(struct store *s, struct report_ctx *o, char *errbuf, size_t errlen)
{
	char ts[TS_STRLEN];
	struct chain_genesis g;
	if (store_genesis(s, &g, errbuf, errlen) == 1)
		fprintf(o->out, "  genesis    %.16s  order %s, sensor %s, created %s\n", g.hash, g.order_id, g.sensor,
			ts_format(g.created_us, ts, sizeof ts));
	else
		fprintf(o->out, "  genesis    (none: the store has never been written)\n");
	fprintf(o->out, "custody\n");
	if (store_each_run(s, print_run, o, errbuf, errlen) != 0)
		return -1;
	fprintf(o->out, "checks\n");
	return 0;
}

/* The totals and what the signatures prove, after the checks. */
static void print_totals(FILE *out, const struct verify_result *res, size_t npubkeys)
{
	if (res->records)
		fprintf(out, "  records    %" PRIu64 " (seq %" PRIu64 "..%" PRIu64 ")\n", res->records, res->first_seq,
			res->last_seq);
	else
		fprintf(out, "  records    none\n");
	fprintf(out, "  checkpoints %" PRIu64 ", %" PRIu64 " with a good signature", res->checkpoints,
		res->signatures_good);
	for (size_t i = 0; i < res->nkeys; i++)
		fprintf(out, "%s%.16s", i ? ", " : " by key ", res->keys[i]);
	fputc('\n', out);
	if (res->last_cp.sig[0]) {
		char ts[TS_STRLEN];
		fprintf(out, "  last       checkpoint at seq %" PRIu64 ", hash %s, signed %s\n", res->last_cp.seq,
			res->last_cp.hash, ts_format(res->last_cp.time_us, ts, sizeof ts));
	}
	if (npubkeys == 0 && res->checkpoints)
		fprintf(out, "  trust      signatures checked with the public key kept in the store itself: this shows\n"
			     "             the records were not altered by accident, not that nobody rewrote the\n"
			     "             store; give the sensor's public key with --pubkey for that\n");
	else if (npubkeys)
		fprintf(out, "  trust      every checkpoint checked against the given public key%s\n",
			npubkeys > 1 ? "s" : "");
}

/* One chain: its custody, the checks and the totals. */
static int report_chain(struct store *s, struct report_ctx *o, const struct verify_options *opt,
			struct verify_result *res, char *errbuf, size_t errlen)
{
	if (!o->quiet && print_custody(s, o, errbuf, errlen) != 0)
		return -1;
	if (verify_store(s, opt, on_line, o, res, errbuf, errlen) != 0)
		return -1;
	if (!o->quiet)
		print_totals(o->out, res, opt->npubkeys);
	return 0;
}

/* The chains of a central store, kept to be checked one by one. */
struct chain_entry {
	char genesis[HASH_HEX_LEN];
	char sensor[128];
	uint64_t records;
};

struct chain_list {
	struct chain_entry *v;
	size_t n;
};

static int keep_chain(const struct store_chain *c, void *ud)
{
	struct chain_list *cl = ud;
	struct chain_entry *v = realloc(cl->v, (cl->n + 1) * sizeof *v);
	if (!v)
		return -1;
	cl->v = v;
	struct chain_entry *e = &v[cl->n++];
	snprintf(e->genesis, sizeof e->genesis, "%s", c->genesis);
	snprintf(e->sensor, sizeof e->sensor, "%s", c->sensor);
	e->records = c->records;
	return 0;
}

/*
 * Every chain of a central store, one after the other, each headed by its sensor and
 * each line naming it; res sums them (records, signatures, problems).
 */
static int report_central(struct store *s, struct report_ctx *o, const struct verify_options *opt,
			  struct verify_result *res, size_t *nchains, char *errbuf, size_t errlen)
{
	struct chain_list cl = { 0 };
	int rc = store_each_chain(s, keep_chain, &cl, errbuf, errlen);
	if (rc > 0)
		snprintf(errbuf, errlen, "out of memory");
	memset(res, 0, sizeof *res);
	for (size_t i = 0; rc == 0 && i < cl.n; i++) {
		struct verify_result one;
		if (!o->quiet)
			fprintf(o->out, "sensor %s  chain %.16s  %" PRIu64 " records\n", cl.v[i].sensor, cl.v[i].genesis,
				cl.v[i].records);
		o->sensor = cl.v[i].sensor;
		rc = store_use_chain(s, cl.v[i].genesis, errbuf, errlen);
		if (rc == 0)
			rc = report_chain(s, o, opt, &one, errbuf, errlen);
		res->records += one.records;
		res->checkpoints += one.checkpoints;
		res->signatures_good += one.signatures_good;
		res->problems += one.problems;
	}
	o->sensor = NULL;
	*nchains = cl.n;
	free(cl.v);
	return rc ? -1 : 0;
}

int verify_report(struct store *s, const char *db_name, const struct verify_options *opt, bool quiet, FILE *out,
		  struct verify_result *res, char *errbuf, size_t errlen)
{
	struct report_ctx o = { .out = out, .quiet = quiet };
	size_t nchains = 0;
	bool central = store_is_central(db_name);
	fprintf(out, "pentrap verify: %s\n", store_name(s));
	if (central ? report_central(s, &o, opt, res, &nchains, errbuf, errlen) != 0
		    : report_chain(s, &o, opt, res, errbuf, errlen) != 0)
		return -1;
	if (res->problems)
		fprintf(out, "result: FAILED: %" PRIu64 " problem%s\n", res->problems, res->problems == 1 ? "" : "s");
	else if (central)
		fprintf(out, "result: verified: %zu chain%s, %" PRIu64 " records, chains and %" PRIu64
			" signed checkpoint%s hold\n", nchains, nchains == 1 ? "" : "s", res->records,
			res->signatures_good, res->signatures_good == 1 ? "" : "s");
	else
		fprintf(out, "result: verified: %" PRIu64 " records, chain and %" PRIu64 " signed checkpoint%s hold\n",
			res->records, res->signatures_good, res->signatures_good == 1 ? "" : "s");
	return 0;
}
