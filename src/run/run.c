/*
 * run.c — one run: order, store and sinks opened, captures read in the order given
 * (each hashed first, for custody), the summary printed, the run recorded with its
 * records. A capture that breaks off mid-file keeps every record before the break and
 * ends the run with RUN_BAD_INPUT and one line naming the file and byte offset.
 */
#include "run/run.h"

#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "broker/binding.h"
#include "broker/binding_feed.h"
#include "broker/publish.h"
#include "core/memtext.h"
#include "core/test_hook.h"
#include "run/run_broker.h"
#include "core/timefmt.h"
#include "order/order.h"
#include "run/custody.h"
#include "run/limits.h"
#include "run/evidence.h"
#include "pipeline/pipeline.h"
#include "run/run_ctx.h"
#include "run/run_sigs.h"
#include "run/shard.h"
#include "run/summary.h"
#include "run/workers.h"
#include "record/jsonl.h"
#include "record/store.h"
#include "record/writer.h"

static uint64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
	bool on;
	double last;
	const struct run_ctx *c;
};

static uint64_t frames_read(const struct run_ctx *c)
{
	return c->ws ? workers_frames(c->ws) : pipeline_stats(c->pl)->packets;
}

static void progress_show(struct progress *pr, struct capture_source *src, bool force)
{
	double now = mono_s();
	if (!pr->on || (!force && now - pr->last < 0.25))
		return;
	pr->last = now;
	uint64_t done = 0, total = 0;
	if (src->ops->progress)
		src->ops->progress(src, &done, &total);
	if (total)
		fprintf(stderr, "\r\033[Kpentrap: %s %3.0f%%  %llu packets  %llu records", src->name,
			100.0 * (double)done / (double)total, (unsigned long long)frames_read(pr->c),
			(unsigned long long)pr->c->writer.written);
	else
		fprintf(stderr, "\r\033[Kpentrap: %s  %llu packets  %llu records", src->name,
			(unsigned long long)frames_read(pr->c), (unsigned long long)pr->c->writer.written);
}

static void progress_clear(struct progress *pr)
{
	if (pr->on)
		fprintf(stderr, "\r\033[K");
}

unsigned run_ctx_pipelines(struct run_ctx *c, struct pipeline *pls[SHARD_MAX_WORKERS])
{
	if (!c->ws) {
		pls[0] = c->pl;
		return c->pl ? 1 : 0;
	}
	unsigned n = workers_count(c->ws);
	for (unsigned i = 0; i < n; i++)
		pls[i] = workers_pipeline(c->ws, i);
	return n;
}

/* A SIGHUP's reload lands between frames; with workers, once they have read what they were given. */
static void poll_reload(struct run_ctx *c)
{
	if (!run_sigs_hup_pending())
		return;
	run_ctx_sync(c);
	struct pipeline *pls[SHARD_MAX_WORKERS];
	run_sigs_poll(&c->rs, pls, run_ctx_pipelines(c, pls));
}

/*
 * Custody beside the reading (custody.h): once the captures are hashed, or once the
 * pipelines hold as many records as the memory plan allows (limits.h: held_records),
 * the store's run begins (waiting for the hash if need be) and the held records are
 * written. One pipeline's are looked at after every frame, in an array made once
 * (HELD_SLACK more, for what one frame makes); the workers' every 1024 frames, so they
 * may pass the plan by what their batches in flight make.
 */
enum { HELD_SLACK = 256 };
static void one_thread_write(struct run_ctx *c, struct record *r)
{
	custody_fill(r->evidence, (const char(*)[65])c->hashes, c->nhashes);
	writer_write(&c->writer, r);
}

/* The one pipeline's records: kept until the store's run begins, then written. */
static void one_thread_record(void *ud, const struct record *r)
{
	struct run_ctx *c = ud;
	struct record copy = *r;
	if (c->records_open) {
		one_thread_write(c, &copy);
		return;
	}
	if (c->nheld == c->held_cap) {
		size_t cap = c->held_cap ? c->held_cap + HELD_SLACK : (size_t)c->plan.held_records + HELD_SLACK;
		struct record *grown = realloc(c->held, cap * sizeof *grown);
		if (!grown) {
			c->writer.failed = true;
			snprintf(c->writer.error, sizeof c->writer.error, "out of memory holding records");
			return;
		}
		c->held = grown;
		c->held_cap = cap;
	}
	c->held[c->nheld++] = copy;
}

static size_t records_held(struct run_ctx *c)
{
	return c->ws ? workers_held(c->ws) : c->nheld;
}

static int begin_records(struct run_ctx *c, struct custody *cu, char *errbuf, size_t errlen)
{
	c->records_tried = true;
	int status = custody_wait(cu, errbuf, errlen);
	if (status != RUN_OK)
		return status;
	free(c->captures_json);
	if (!(c->captures_json = custody_json(cu))) {
		snprintf(errbuf, errlen, "out of memory");
		return RUN_FAILED;
	}
	if ((status = run_ctx_open_records(c, c->captures_json, cu->stdin_capture, errbuf, errlen)) != RUN_OK)
		return status;
	for (size_t i = 0; i < c->opt->ncaptures; i++)
		snprintf(c->hashes[i], sizeof c->hashes[i], "%s", cu->caps[i].sha256);
	c->nhashes = c->opt->ncaptures;
	if (c->ws) {
		for (size_t i = 0; i < c->opt->ncaptures; i++)
			workers_name_capture(c->ws, (uint32_t)i, c->hashes[i]);
		workers_release(c->ws);
		return RUN_OK;
	}
	for (size_t i = 0; i < c->nheld; i++) /* one thread: what it made until now, in order */
		one_thread_write(c, &c->held[i]);
	free(c->held);
	c->held = NULL;
	c->nheld = c->held_cap = 0;
	return RUN_OK;
}

static int begin_records_when_hashed(struct run_ctx *c, struct custody *cu, char *errbuf, size_t errlen)
{
	size_t most = (size_t)c->plan.held_records * (c->ws ? workers_count(c->ws) : 1);
	if (c->records_tried || (!custody_hashed(cu) && records_held(c) < most))
		return RUN_OK;
	return begin_records(c, cu, errbuf, errlen);
}

/* One pipeline, after each frame: its records fill the held array (cheap to look at). */
static bool held_full(const struct run_ctx *c)
{
	return !c->ws && !c->records_tried && c->nheld >= c->plan.held_records;
}

/*
 * Reads one capture through the pipeline. cu: the custody being hashed beside the
 * reading. Returns RUN_OK or RUN_BAD_INPUT (errbuf set), or the failure of beginning
 * the store's run.
 */
static int read_capture(struct run_ctx *c, const char *path, struct progress *pr, struct custody *cu,
			char *errbuf, size_t errlen)
{
	struct capture_source src;
	if (capture_file_open(path, &src, errbuf, errlen) != 0)
		return RUN_BAD_INPUT;
	struct capture_frame frame;
	uint64_t frame_no = 0;
	int status = RUN_OK;
	for (;;) {
		enum capture_next r = src.ops->next(&src, &frame, errbuf, errlen);
		if (r == CAPTURE_END)
			break;
		if (r == CAPTURE_ERROR) {
			status = RUN_BAD_INPUT;
			break;
		}
		poll_reload(c);
		run_ctx_saw_frame(c, frame.ts_us);
		if (c->ws)
			workers_frame(c->ws, &frame, ++frame_no);
		else
			pipeline_frame(c->pl, &frame, ++frame_no);
		test_hook_frame(++c->frames);
		if ((frame_no & 1023) != 0 && !held_full(c))
			continue;
		progress_show(pr, &src, false);
		run_broker_step(c, false);
		if ((status = begin_records_when_hashed(c, cu, errbuf, errlen)) != RUN_OK)
			break;
	}
	progress_show(pr, &src, true);
	capture_close(&src);
	return status;
}

/* The run's statistics as a JSON object, kept with the run in the store. */
static char *summary_json(const struct stats *st)
{
	struct memtext mt;
	FILE *m = memtext_open(&mt);
	if (!m)
		return NULL;
	fprintf(m, "{\"packets\":%llu,\"bytes\":%llu,\"flows\":%llu,\"records\":%llu,\"events\":{",
		(unsigned long long)st->packets, (unsigned long long)st->bytes, (unsigned long long)st->flows,
		(unsigned long long)st->records);
	const char *sep = "";
	for (int i = 0; i < EV__COUNT; i++)
		if (st->events[i]) {
			fprintf(m, "%s\"%s\":%llu", sep, event_type_name((enum event_type)i),
				(unsigned long long)st->events[i]);
			sep = ",";
		}
	fprintf(m, "},\"sms\":{\"smpp\":%llu,\"sip-message\":%llu,\"map\":%llu}", (unsigned long long)st->sms_smpp,
		(unsigned long long)st->sms_sip, (unsigned long long)st->sms_map);
	fprintf(m, ",\"map_ops\":{\"sendRoutingInfoForSM\":%llu,\"updateLocation\":%llu,\"other\":%llu}",
		(unsigned long long)st->map_ops_sri_sm, (unsigned long long)st->map_ops_update_location,
		(unsigned long long)st->map_ops_other);
	fprintf(m, ",\"tcap\":{\"messages\":%llu,\"non_map\":%llu,\"sccp_returned\":%llu}",
		(unsigned long long)st->tcap_messages, (unsigned long long)st->tcap_non_map,
		(unsigned long long)st->sccp_returned);
	fprintf(m, ",\"anomalies\":{");
	sep = "";
	for (int i = 0; i < ANOM__COUNT; i++)
		if (st->anomalies[i]) {
			fprintf(m, "%s\"%s\":%llu", sep, anomaly_name((enum anomaly)i),
				(unsigned long long)st->anomalies[i]);
			sep = ",";
		}
	fprintf(m, "}}");
	return memtext_close(&mt, NULL);
}

uint64_t run_wall_us(void) { return wall_us(); }
double run_mono_s(void) { return mono_s(); }
char *run_summary_json(const struct stats *st) { return summary_json(st); }

int run_ctx_load(struct run_ctx *c, const struct run_options *opt, char *errbuf, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->opt = opt;
	c->db_path = opt->db_path;
	c->key_path = opt->key_path;
	c->started_us = wall_us();
	c->t0 = mono_s();
	c->out = opt->summary_out ? opt->summary_out : stderr;
	writer_init(&c->writer, 1, "");
	if (order_load(opt->order_path, &c->order, errbuf, errlen) != 0)
		return RUN_BAD_INPUT;
	if (run_sigs_open(&c->rs, opt, errbuf, errlen) != RUN_OK)
		return RUN_BAD_INPUT;
	return RUN_OK;
}

/* Records are addressing of people under an order: the store, its WAL and the key are
 * created readable by their owner only (SQLite gives its WAL the store's mode). */
int run_store_open(const char *path, struct store **out, char *errbuf, size_t errlen)
{
	mode_t old = umask(077);
	int rc = store_open(path, out, errbuf, errlen);
	umask(old);
	return rc;
}

/* Begins a run in c->store: key, genesis, custody, seal (evidence.c). */
static int begin_evidence(struct run_ctx *c, const char *captures_json, bool stdin_capture, bool resume,
			  uint64_t started_us, char *errbuf, size_t errlen)
{
	struct evidence_config ec = {
		.order = &c->order, .order_path = c->opt->order_path, .db_path = c->db_path,
		.key_path = c->key_path, .sensor_id = c->opt->sensor_id, .note = c->opt->note,
		.captures_json = captures_json, .sigs_version = c->rs.versions, .resume = resume,
		.stdin_capture = stdin_capture, .every = c->opt->checkpoint_every, .started_us = started_us,
	};
	mode_t old = umask(077);
	int status = evidence_begin(&c->ev, &ec, c->store, &c->writer, errbuf, errlen);
	umask(old);
	c->ev_begun = status == 0;
	return status;
}

int run_ctx_open_records(struct run_ctx *c, const char *captures_json, bool stdin_capture, char *errbuf,
			 size_t errlen)
{
	const struct run_options *opt = c->opt;
	if (c->db_path) {
		if (run_store_open(c->db_path, &c->store, errbuf, errlen) != 0)
			return RUN_BAD_INPUT;
		/* the same capture recorded twice would count every event twice */
		int fresh = opt->again || opt->resume || !captures_json
				    ? RUN_OK
				    : custody_check_new(c->store, c->db_path, captures_json, errbuf, errlen);
		if (fresh != RUN_OK)
			return fresh;
		if (store_migrated_from(c->store))
			fprintf(stderr, "pentrap: %s: store format version %d brought to the current version (its records "
				"and their hashes unchanged)\n", c->db_path, store_migrated_from(c->store));
		/* The chain goes on, sealed with signed checkpoints (evidence.c). */
		int status = begin_evidence(c, captures_json, stdin_capture, opt->resume, c->started_us, errbuf, errlen);
		if (status != 0)
			return status;
	}
	if (opt->jsonl_path) {
		struct record_sink js;
		if (jsonl_sink_open(opt->jsonl_path, &js, errbuf, errlen) != 0)
			return RUN_FAILED;
		writer_add_sink(&c->writer, js);
	}
	if (opt->table)
		c->writer.table = stdout;
	/* the legs of one event joined before numbering; app legs wait when two targets may meet */
	if ((!c->writer.pairing && writer_pairing(&c->writer, c->order.ntargets > 1) != 0) ||
	    (!c->writer.tally && writer_tally(&c->writer, c->order.ntargets) != 0)) {
		snprintf(errbuf, errlen, "out of memory");
		return RUN_FAILED;
	}
	c->records_open = true;
	return RUN_OK;
}

int run_ctx_open_pipeline(struct run_ctx *c, char *errbuf, size_t errlen)
{
	const struct run_options *opt = c->opt;
	c->pc = (struct pipeline_config){ .order = &c->order, .writer = &c->writer, .sigs = c->rs.current };
	if (limits_apply_workers(opt->max_memory_mib, opt->max_flows, opt->workers, &c->pc.decode, &c->pc.flow,
				 &c->plan, errbuf, errlen) != 0)
		return RUN_BAD_INPUT;
	c->pc.decode.merge_mirrors = opt->merge_mirrors;
	c->pc.identity_bindings = c->plan.bindings;
	if (opt->nifaces && opt->broker_url && !opt->no_shared_identity) {
		/* live: an event of addresses nobody is bound to yet waits for another sensor's binding */
		double wait = opt->identity_wait_s > 0 ? opt->identity_wait_s : RUN_IDENTITY_WAIT_S;
		c->pc.identity_wait_us = (uint64_t)(wait * 1e6);
		c->pc.identity_wait_max = RUN_IDENTITY_WAIT_MAX;
	}
	c->pc.name_entries = c->plan.names;
	c->pc.data_sessions = c->plan.sessions;
	c->pc.gather_buffers = c->plan.gather_buffers;
	if (!c->records_open) { /* the custody hash beside the reading: records wait (custody.h) */
		c->pc.on_record = one_thread_record;
		c->pc.on_record_ud = c;
	}
	if (opt->workers > 1)
		c->ws = workers_new(opt->workers, &c->pc, errbuf, errlen);
	else
		c->pl = pipeline_new(&c->pc, errbuf, errlen);
	return c->pl || c->ws ? RUN_OK : RUN_FAILED;
}

int run_ctx_open(struct run_ctx *c, const char *captures_json, bool stdin_capture, char *errbuf, size_t errlen)
{
	int status = run_ctx_open_records(c, captures_json, stdin_capture, errbuf, errlen);
	return status == RUN_OK ? run_ctx_open_pipeline(c, errbuf, errlen) : status;
}

int run_ctx_next_run(struct run_ctx *c, struct store *new_store, const char *new_db_path,
		     const char *captures_json, char *errbuf, size_t errlen)
{
	struct record_writer *w = &c->writer;
	uint64_t now = wall_us();
	if (!c->ev_begun) {
		snprintf(errbuf, errlen, "no run is open in the store");
		store_close(new_store);
		return -1;
	}
	/* Every run of this sensor signs with the key in use now (a rotated store too). */
	snprintf(c->key_path_buf, sizeof c->key_path_buf, "%s", c->ev.key_path);
	c->key_path = c->key_path_buf;
	run_ctx_sync(c); /* the workers' records of the run that ends are written first */
	writer_drain(w); /* the held legs belong to the run that ends */
	struct stats st;
	run_ctx_stats(c, &st);
	char *sum = summary_json(&st);
	int rc = evidence_end(&c->ev, w, RUN_OK, sum ? sum : "{}", now);
	free(sum);
	if (rc != 0) {
		snprintf(errbuf, errlen, "cannot end the run: %s", w->error);
		store_close(new_store);
		return -1;
	}
	c->ev_begun = false;
	/* evidence_begin added the store's sink first: close it alone, keep the others. */
	struct record_sink keep[WRITER_MAX_SINKS];
	int nkeep = 0;
	for (int i = 1; i < w->nsinks; i++)
		keep[nkeep++] = w->sinks[i];
	FILE *table = w->table;
	bool header = w->table_header_done;
	struct pairing *pairing = w->pairing; /* what it learned and counted goes on */
	struct tally *tally = w->tally;
	w->pairing = NULL;
	w->tally = NULL;
	w->nsinks = w->nsinks ? 1 : 0;
	writer_close(w);
	evidence_fini(&c->ev);
	if (new_store) {
		store_close(c->store);
		c->store = new_store;
		c->db_path = new_db_path;
	}
	int status = begin_evidence(c, captures_json, false, false, now, errbuf, errlen);
	w->pairing = pairing; /* begin_evidence began the writer afresh */
	w->tally = tally;
	for (int i = 0; i < nkeep; i++)
		writer_add_sink(w, keep[i]);
	w->table = table;
	w->table_header_done = header;
	return status == 0 ? 0 : -1;
}

/*
 * The memory traffic filled, against the cap: the flow table, the fragment pool, the
 * subscriber tables and the handshake gathering buffers are allocated whole at start
 * (counted whole, though the kernel gives the tables' pages only as they fill); reassembly and dissector state grow with
 * traffic, and their peaks are what a flood drives up. The attack tests read this line.
 */
static void print_memory(FILE *out, const struct limits_plan *plan, struct pipeline *const *pls, unsigned n)
{
	const double mib = 1048576.0;
	size_t reasm = 0, state = 0;
	for (unsigned i = 0; i < n; i++) { /* the workers' peaks, added: an upper bound of them together */
		reasm += flow_table_stream_peak(pipeline_flows(pls[i]));
		state += flow_table_state_peak(pipeline_flows(pls[i]));
	}
	size_t table = n * plan->table, frag = n * plan->frag, tables = n * plan->tables, gather = n * plan->gather;
	size_t held = n * plan->held;
	size_t peak = table + frag + tables + gather + held + reasm + state;
	fprintf(out, "  memory     %.1f MiB at most of the %zu MiB cap (flow table %.1f, fragments %.1f, "
		"subscriber tables %.1f, handshake buffers %.1f, records held %.1f, reassembly %.1f of %.1f, "
		"dissector state %.1f of %.1f)\n",
		peak / mib, (n * plan->total) >> 20, table / mib, frag / mib, tables / mib, gather / mib, held / mib,
		reasm / mib, n * plan->reasm / mib, state / mib, n * plan->state / mib);
	fprintf(out, "  tables     %u identity bindings, %u DNS names, %u data sessions per protocol, "
		"%u TLS and %u QUIC handshake buffers%s\n",
		plan->bindings, plan->names, plan->sessions, plan->gather_buffers, plan->gather_buffers,
		n > 1 ? ", in each worker" : "");
}

/* The run's statistics and detect summary: the workers' added. have_detect: definitions in use. */
static void run_totals(struct pipeline *const *pls, unsigned n, struct stats *st, struct detect_summary *ds,
		       bool *have_detect)
{
	memset(st, 0, sizeof *st);
	memset(ds, 0, sizeof *ds);
	*have_detect = false;
	for (unsigned i = 0; i < n; i++) {
		stats_add(st, pipeline_stats(pls[i]));
		struct detect *d = pipeline_detect(pls[i]);
		if (!d)
			continue;
		struct detect_summary one;
		detect_get_summary(d, &one);
		ds->target_flows += one.target_flows;
		ds->target_bytes += one.target_bytes;
		ds->unnamed_flows += one.unnamed_flows;
		ds->unnamed_bytes += one.unnamed_bytes;
		ds->named_flows += one.named_flows;
		ds->named_bytes += one.named_bytes;
		ds->call_setups += one.call_setups;
		ds->reloads = one.reloads;
		*have_detect = true;
	}
	/* app events as the workers that record them counted them (shared flows are seen by
	 * every worker, recorded by one) */
	ds->sessions = st->ott_sessions;
	ds->messages = st->ott_messages;
	ds->calls = st->ott_calls;
}

void run_ctx_sync(struct run_ctx *c)
{
	if (c->ws)
		workers_sync(c->ws);
}

void run_ctx_stats(struct run_ctx *c, struct stats *st)
{
	struct pipeline *pls[SHARD_MAX_WORKERS];
	unsigned n = run_ctx_pipelines(c, pls);
	memset(st, 0, sizeof *st);
	for (unsigned i = 0; i < n; i++)
		stats_add(st, pipeline_stats(pls[i]));
}

int run_ctx_end(struct run_ctx *c, int status, size_t ncaptures, char *errbuf, size_t errlen)
{
	const struct run_options *opt = c->opt;
	struct record_writer *w = &c->writer;
	/* Even after a bad capture, what was read is finished and kept. */
	if (c->ws)
		workers_finish(c->ws);
	else
		pipeline_finish(c->pl);
	struct pipeline *pls[SHARD_MAX_WORKERS];
	unsigned npl = run_ctx_pipelines(c, pls);
	struct stats st;
	struct detect_summary ds;
	bool have_detect;
	run_totals(pls, npl, &st, &ds, &have_detect);
	writer_drain(w);
	if (writer_flush(w) != 0 || w->failed) {
		snprintf(errbuf, errlen, "%s", w->error);
		status = RUN_FAILED;
	}
	struct run_summary said = { .st = &st, .ncaptures = ncaptures, .first_us = c->first_us, .last_us = c->last_us,
				   .w = w, .db_path = c->db_path, .secs = mono_s() - c->t0, .order = &c->order };
	run_summary_warnings(stderr, &said);
	if (!opt->quiet) {
		run_summary_print(c->out, &said);
		run_sigs_summary(&c->rs, have_detect ? &ds : NULL, c->out);
	}
	if (!opt->quiet && opt->verbose) {
		run_summary_pairing(c->out, w);
		/* what tracking one flow costs (bench/run reads it): the table's slot, allocated
		 * at start, and the dissector state reserved for it, allocated on classification */
		if (c->plan.max_flows) {
			size_t table = flow_table_memory(&c->pc.flow) / c->plan.max_flows;
			fprintf(c->out, "  flow table %zu bytes per flow, + up to %zu of dissector state (%u flows, %zu MiB)\n",
				table, c->plan.flows / c->plan.max_flows - table, npl * c->plan.max_flows,
				(npl * c->plan.flows) >> 20);
			print_memory(c->out, &c->plan, pls, npl);
		}
		if (c->ws)
			workers_report(c->ws, c->out);
	}
	if (w->resume_mismatch)
		status = RUN_BAD_INPUT;
	if (c->ev_begun) {
		/* The final checkpoint signs the run's end and commits its last records. */
		char *sum = summary_json(&st);
		if (evidence_end(&c->ev, w, status, sum ? sum : "{}", wall_us()) != 0 && status == RUN_OK) {
			snprintf(errbuf, errlen, "%s", w->error);
			status = w->resume_mismatch ? RUN_BAD_INPUT : RUN_FAILED;
		}
		free(sum);
		c->ev_begun = false;
		if (!opt->quiet)
			evidence_print(&c->ev, w, c->out);
	}
	return status;
}

void run_ctx_saw_frame(struct run_ctx *c, uint64_t ts_us)
{
	if (!c->first_us || ts_us < c->first_us)
		c->first_us = ts_us;
	if (ts_us > c->last_us)
		c->last_us = ts_us;
}

void run_ctx_close(struct run_ctx *c)
{
	publisher_stop(c->pub); /* a run that failed before its end: what was committed waits in the store */
	c->pub = NULL;
	binding_feed_stop(c->feed);
	c->feed = NULL;
	evidence_fini(&c->ev);
	free(c->captures_json);
	c->captures_json = NULL;
	workers_free(c->ws);
	c->ws = NULL;
	pipeline_free(c->pl); /* flows it ends may still make records: held below until freed */
	c->pl = NULL;
	free(c->held);
	c->held = NULL;
	c->nheld = c->held_cap = 0;
	run_sigs_close(&c->rs);
	writer_close(&c->writer); /* closes the store's sink and the JSON lines file */
	store_close(c->store);
	c->store = NULL;
	order_fini(&c->order);
	binding_queue_free(c->journal);
	c->journal = NULL;
}

int run_captures(const struct run_options *opt, char *errbuf, size_t errlen)
{
	int status;
	struct run_ctx c;
	struct custody cu;

	if ((status = run_ctx_load(&c, opt, errbuf, errlen)) != RUN_OK)
		goto out_loaded;
	if ((status = custody_probe(&cu, opt, errbuf, errlen)) != RUN_OK)
		goto out;
	if ((status = run_broker_start(&c, false, errbuf, errlen)) != RUN_OK)
		goto out;
	/* The captures are hashed for custody beside the reading (custody.h): the store's
	 * run begins once the hashes are known, records wait until then. */
	if ((status = custody_hash_beside(&cu, errbuf, errlen)) != RUN_OK ||
	    (status = run_ctx_open_pipeline(&c, errbuf, errlen)) != RUN_OK)
		goto out;
	if (c.ws)
		workers_hold(c.ws);
	run_broker_attach(&c);
	run_broker_catch_up(&c); /* the other sensors' bindings before the first frame (docs/scale.md) */
	struct progress pr = { .on = opt->progress && isatty(STDERR_FILENO), .c = &c };
	for (size_t i = 0; i < opt->ncaptures && status == RUN_OK; i++) {
		struct pipeline *pls[SHARD_MAX_WORKERS];
		const char *sha = custody_is_file(&cu, i) ? NULL : cu.caps[i].sha256;
		if (c.ws) {
			workers_sync(c.ws); /* idle workers: definitions may change between captures */
			workers_set_capture(c.ws, (uint32_t)i, sha);
		} else {
			char placeholder[65];
			custody_placeholder((uint32_t)i, placeholder);
			pipeline_set_capture(c.pl, (uint32_t)i, sha ? sha : placeholder);
		}
		run_sigs_before_capture(&c.rs, pls, run_ctx_pipelines(&c, pls), i);
		status = read_capture(&c, opt->captures[i], &pr, &cu, errbuf, errlen);
	}
	progress_clear(&pr);
	if (!c.records_open) {
		/* a capture that broke off keeps what was read before: its records too */
		int begun = c.records_tried ? status : begin_records(&c, &cu, errbuf, errlen);
		if (begun != RUN_OK) {
			status = begun;
			goto out;
		}
	}
	run_broker_step(&c, false);
	status = run_ctx_end(&c, status, opt->ncaptures, errbuf, errlen);
	status = run_broker_end(&c, status, errbuf, errlen);
out:
	custody_fini(&cu);
out_loaded:
	run_ctx_close(&c);
	return status;
}
