/*
 * summary.h — what a run says when it ends (docs/cli.md, "The summary"): what happened
 * (the captures' time range, packets, flows, events by type, records, per target its
 * events by type or "not seen", anomalies), and with -v how memory was planned and
 * used; and the warnings that keep an empty answer from passing for a quiet one (the
 * order's window or targets matched nothing). Internal to src/run/.
 */
#ifndef PENTRAP_RUN_SUMMARY_H
#define PENTRAP_RUN_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/stats.h"
#include "order/order.h"
#include "record/writer.h"

struct run_summary {
	const struct stats *st;
	size_t ncaptures;              /* captures or interfaces read */
	uint64_t first_us, last_us;    /* the earliest and latest frame time read; 0 none */
	const struct record_writer *w;
	const char *db_path;           /* NULL: no store */
	double secs;                   /* how long the run took */
	const struct order *order;
};

enum { SUMMARY_TARGETS_SHOWN = 12 }; /* targets listed one by one; the rest are counted */

void run_summary_print(FILE *out, const struct run_summary *s);
/* -v: what pairing the legs of events did (record/pairing.h), when it held any. */
void run_summary_pairing(FILE *out, const struct record_writer *w);
/*
 * On stderr whether or not the summary is wanted: the order's window misses the frames'
 * time range, or (it overlaps, and) none of the order's targets has a record.
 */
void run_summary_warnings(FILE *err, const struct run_summary *s);

#endif
