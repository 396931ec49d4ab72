/*
 * run.h — `pentrap run` as a library call: open the order, the store and the sinks,
 * read every capture through one pipeline, and end with a summary.
 */
#ifndef PENTRAP_PIPELINE_RUN_H
#define PENTRAP_PIPELINE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses (docs/cli.md). */
enum run_status {
	RUN_OK = 0,        /* done */
	RUN_FAILED = 1,    /* runtime failure (a sink could not write, out of memory) */
	RUN_BAD_INPUT = 2, /* bad usage, or a bad order, definitions file or capture */
};

enum { RUN_MAX_CAPTURES = 256 };

struct run_options {
	const char *order_path;
	const char *db_path;       /* NULL: no store */
	const char *jsonl_path;    /* NULL: none; "-" standard output */
	const char *sigs_path;     /* NULL: built-in definitions */
	const char *captures[RUN_MAX_CAPTURES];
	size_t ncaptures;
	bool table;                /* print records as a table on standard output */
	bool progress;             /* progress line on stderr (when it is a terminal) */
	bool quiet;                /* no summary */
	FILE *summary_out;         /* where the summary goes (stderr by default) */
};

/* Runs; on failure writes one line into errbuf. Returns an enum run_status. */
int run_captures(const struct run_options *opt, char *errbuf, size_t errlen);

#endif
