/*
 * run.c — one run: order, store and sinks opened, captures read in the order given
 * (each hashed first, for custody), the summary printed, the run recorded with its
 * records. A capture that breaks off mid-file keeps every record before the break and
 * ends the run with RUN_BAD_INPUT and one line naming the file and byte offset.
 */
#include "pipeline/run.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "core/sha256file.h"
#include "core/timefmt.h"
#include "order/order.h"
#include "pipeline/pipeline.h"
#include "record/jsonl.h"
#include "record/store.h"
#include "record/writer.h"

struct capture_custody {
	char sha256[65];
	uint64_t size;
};

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
	const struct stats *stats;
};

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
			100.0 * (double)done / (double)total, (unsigned long long)pr->stats->packets,
			(unsigned long long)pr->stats->records);
	else
		fprintf(stderr, "\r\033[Kpentrap: %s  %llu packets  %llu records", src->name,
			(unsigned long long)pr->stats->packets, (unsigned long long)pr->stats->records);
}

static void progress_clear(struct progress *pr)
{
	if (pr->on)
		fprintf(stderr, "\r\033[K");
}

/* Reads one capture through the pipeline. Returns RUN_OK or RUN_BAD_INPUT (errbuf set). */
static int read_capture(struct pipeline *pl, const char *path, struct progress *pr, char *errbuf,
			size_t errlen)
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
		pipeline_frame(pl, &frame, ++frame_no);
		if ((frame_no & 1023) == 0)
			progress_show(pr, &src, false);
	}
	progress_show(pr, &src, true);
	capture_close(&src);
	return status;
}

static void print_summary(FILE *out, const struct stats *st, size_t ncaptures, const struct record_writer *w,
			  const struct run_options *opt, double secs)
{
	fprintf(out, "pentrap: summary\n");
	fprintf(out, "  captures   %zu\n", ncaptures);
	fprintf(out, "  packets    %llu (%llu bytes, %llu IP) in %.2f s\n", (unsigned long long)st->packets,
		(unsigned long long)st->bytes, (unsigned long long)st->ip_packets, secs);
	fprintf(out, "  flows      %llu\n", (unsigned long long)st->flows);
	uint64_t nev = 0;
	for (int i = 0; i < EV__COUNT; i++)
		nev += st->events[i];
	fprintf(out, "  events     %llu", (unsigned long long)nev);
	const char *sep = " (";
	for (int i = 0; i < EV__COUNT; i++)
		if (st->events[i]) {
			fprintf(out, "%s%s %llu", sep, event_type_name((enum event_type)i),
				(unsigned long long)st->events[i]);
			sep = ", ";
		}
	fprintf(out, "%s\n", nev ? ")" : "");
	fprintf(out, "  records    %llu", (unsigned long long)w->written);
	if (w->written)
		fprintf(out, " (seq %llu..%llu)", (unsigned long long)(w->next_seq - w->written),
			(unsigned long long)(w->next_seq - 1));
	if (opt->db_path)
		fprintf(out, " -> %s", opt->db_path);
	fputc('\n', out);
	fprintf(out, "  anomalies  %llu", (unsigned long long)stats_anomaly_total(st));
	sep = " (";
	for (int i = 0; i < ANOM__COUNT; i++)
		if (st->anomalies[i]) {
			fprintf(out, "%s%s %llu", sep, anomaly_name((enum anomaly)i),
				(unsigned long long)st->anomalies[i]);
			sep = ", ";
		}
	fprintf(out, "%s\n", stats_anomaly_total(st) ? ")" : "");
}

/* The run's statistics as a JSON object, kept with the run in the store. */
static char *summary_json(const struct stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
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
	fprintf(m, "},\"anomalies\":{");
	sep = "";
	for (int i = 0; i < ANOM__COUNT; i++)
		if (st->anomalies[i]) {
			fprintf(m, "%s\"%s\":%llu", sep, anomaly_name((enum anomaly)i),
				(unsigned long long)st->anomalies[i]);
			sep = ",";
		}
	fprintf(m, "}}");
	fclose(m);
	return buf;
}

static char *captures_json(const struct run_options *opt, const struct capture_custody *cust)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	fputc('[', m);
	for (size_t i = 0; i < opt->ncaptures; i++) {
		fprintf(m, "%s{\"path\":\"", i ? "," : "");
		for (const char *c = opt->captures[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				fputc('\\', m);
			if ((unsigned char)*c >= 0x20)
				fputc(*c, m);
		}
		fprintf(m, "\",\"sha256\":\"%s\",\"size\":%llu}", cust[i].sha256, (unsigned long long)cust[i].size);
	}
	fputc(']', m);
	fclose(m);
	return buf;
}

int run_captures(const struct run_options *opt, char *errbuf, size_t errlen)
{
	int status = RUN_FAILED;
	struct order order = { 0 };
	struct store *store = NULL;
	struct record_writer writer;
	struct pipeline *pl = NULL;
	struct capture_custody *cust = calloc(opt->ncaptures ? opt->ncaptures : 1, sizeof *cust);
	char *sum = NULL, *caps = NULL;
	uint64_t started = wall_us();
	double t0 = mono_s();
	FILE *out = opt->summary_out ? opt->summary_out : stderr;

	writer_init(&writer, 1, "");
	if (!cust) {
		snprintf(errbuf, errlen, "out of memory");
		goto out;
	}
	if (order_load(opt->order_path, &order, errbuf, errlen) != 0) {
		status = RUN_BAD_INPUT;
		goto out;
	}
	/*
	 * Every capture is opened once before any is read, so a missing or foreign file is
	 * refused before a record is written; and hashed, so custody names exactly what
	 * was read.
	 */
	for (size_t i = 0; i < opt->ncaptures; i++) {
		if (strcmp(opt->captures[i], "-") == 0) {
			snprintf(cust[i].sha256, sizeof cust[i].sha256, "stdin");
			continue;
		}
		struct capture_source probe;
		if (capture_file_open(opt->captures[i], &probe, errbuf, errlen) != 0) {
			status = RUN_BAD_INPUT;
			goto out;
		}
		capture_close(&probe);
		if (sha256_file(opt->captures[i], cust[i].sha256, &cust[i].size) != 0) {
			snprintf(errbuf, errlen, "%s: cannot read", opt->captures[i]);
			status = RUN_BAD_INPUT;
			goto out;
		}
	}
	if (opt->db_path) {
		if (store_open(opt->db_path, &store, errbuf, errlen) != 0) {
			status = RUN_BAD_INPUT;
			goto out;
		}
		char last_hash[HASH_HEX_LEN];
		uint64_t last = store_last_seq(store, last_hash);
		writer_init(&writer, last + 1, last_hash);
		writer_add_sink(&writer, store_sink(store));
	}
	if (opt->jsonl_path) {
		struct record_sink js;
		if (jsonl_sink_open(opt->jsonl_path, &js, errbuf, errlen) != 0)
			goto out;
		writer_add_sink(&writer, js);
	}
	if (opt->table)
		writer.table = stdout;
	uint64_t first_seq = writer.next_seq;

	struct pipeline_config pc = { .order = &order, .writer = &writer };
	pl = pipeline_new(&pc, errbuf, errlen);
	if (!pl)
		goto out;
	struct progress pr = { .on = opt->progress && isatty(STDERR_FILENO), .stats = pipeline_stats(pl) };
	status = RUN_OK;
	for (size_t i = 0; i < opt->ncaptures && status == RUN_OK; i++) {
		pipeline_set_capture(pl, (uint32_t)i, cust[i].sha256);
		status = read_capture(pl, opt->captures[i], &pr, errbuf, errlen);
	}
	/* Even after a bad capture, what was read is finished and kept. */
	pipeline_finish(pl);
	progress_clear(&pr);
	if (writer_flush(&writer) != 0 || writer.failed) {
		snprintf(errbuf, errlen, "%s", writer.error);
		status = RUN_FAILED;
	}
	if (!opt->quiet)
		print_summary(out, pipeline_stats(pl), opt->ncaptures, &writer, opt, mono_s() - t0);
	if (store) {
		char ierr[256];
		sum = summary_json(pipeline_stats(pl));
		caps = captures_json(opt, cust);
		struct run_info ri = {
			.order_id = order.id,
			.order_file = opt->order_path,
			.order_sha256 = order.file_sha256,
			.captures = caps ? caps : "[]",
			.sigs_version = "",
			.software_version = PENTRAP_VERSION,
			.started_us = started,
			.ended_us = wall_us(),
			.first_seq = first_seq,
			.last_seq = writer.next_seq - 1,
			.summary_json = sum ? sum : "{}",
		};
		if (store_add_run(store, &ri, ierr, sizeof ierr) != 0 && status == RUN_OK) {
			snprintf(errbuf, errlen, "%s", ierr);
			status = RUN_FAILED;
		}
	}
out:
	pipeline_free(pl);
	writer_close(&writer); /* closes the store's sink and the JSON lines file */
	store_close(store);
	order_fini(&order);
	free(cust);
	free(sum);
	free(caps);
	return status;
}
