/*
 * run.h — `pentrap run` as a library call: open the order, the store and the sinks,
 * read every capture through one pipeline, and end with a summary.
 */
#ifndef PENTRAP_RUN_RUN_H
#define PENTRAP_RUN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture.h"

/* Exit statuses (docs/cli.md). */
enum run_status {
	RUN_OK = 0,        /* done */
	RUN_FAILED = 1,    /* runtime failure (a sink could not write, out of memory) */
	RUN_BAD_INPUT = 2, /* bad usage, or a bad order, definitions file or capture */
};

enum { RUN_MAX_CAPTURES = 256, RUN_MAX_IFACES = 16 };

struct run_options {
	const char *order_path;
	const char *db_path;       /* NULL: no store */
	const char *jsonl_path;    /* NULL: none; "-" standard output */
	const char *sigs_path;     /* NULL: built-in definitions */
	long sigs_max_age_days;    /* definitions older than this are stale (warned), 0: 30 */
	const char *reload_sigs[RUN_MAX_CAPTURES]; /* definitions to switch to before capture i, or NULL */
	const char *captures[RUN_MAX_CAPTURES];
	size_t ncaptures;
	bool table;                /* print records as a table on standard output */
	bool progress;             /* progress line on stderr (when it is a terminal) */
	bool quiet;                /* no summary */
	bool verbose;              /* the summary adds the memory plan, table sizes, workers */
	bool again;                /* record a capture the store already holds (same SHA-256) again */
	FILE *summary_out;         /* where the summary goes (stderr by default) */
	unsigned max_memory_mib;   /* cap on traffic-driven memory (run/limits.h), 0 default */
	unsigned max_flows;        /* flow table size, 0: as many as fit in 3/8 of the cap */
	unsigned workers;          /* -j: worker threads (run/workers.h), 0 or 1: none */
	bool merge_mirrors;        /* the tunnel is no part of the flow key (decode.h) */
	/* evidence (docs/evidence.md) */
	const char *key_path;      /* the sensor's private key; NULL: the store's own DB.key */
	const char *sensor_id;     /* NULL: the host name */
	const char *note;          /* the operator's note, kept in the run's custody */
	bool resume;               /* continue the store's interrupted last run */
	unsigned checkpoint_every; /* records between signed checkpoints, 0: 1000 */
	/* live capture (docs/live.md): interfaces instead of captures */
	const char *ifaces[RUN_MAX_IFACES];
	size_t nifaces;
	struct live_options live;  /* snaplen, ring buffer, promiscuous, BPF filter */
	const char *user;          /* -Z: the user to switch to once capture and store are open */
	unsigned stats_interval_s; /* statistics on stderr every this many seconds, 0: only on SIGUSR1 */
	uint64_t max_db_bytes;     /* past this size the store moves on to DB.1.db ..., 0: no limit */
	/* many sensors (docs/scale.md) */
	const char *broker_url;    /* publish to this broker (amqp://...), NULL: none */
	bool no_shared_identity;   /* with a broker: neither publish nor read identity bindings */
	double broker_wait_s;      /* at the end, wait at most this long for the broker; 0: captures no limit, live 10 s */
	double identity_wait_s;    /* live: an event of unnamed addresses waits this long for a binding, 0: 2 s */
};

/*
 * Whether the options go together (captures or interfaces, not both; live-only options
 * with -i; a store for --resume and --key; caps that fit the memory cap). Returns 0, or
 * -1 with one line in errbuf: a usage error.
 */
int run_options_check(const struct run_options *opt, char *errbuf, size_t errlen);

/* Runs; on failure writes one line into errbuf. Returns an enum run_status. */
int run_captures(const struct run_options *opt, char *errbuf, size_t errlen);

/*
 * The live sensor: opens the interfaces and the store, drops to opt->user, captures
 * until SIGTERM/SIGINT or the order's end, acting on SIGHUP (reload) and SIGUSR1
 * (statistics) between frames (docs/live.md). Returns an enum run_status.
 */
int run_live(const struct run_options *opt, char *errbuf, size_t errlen);

#endif
