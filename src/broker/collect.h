/*
 * collect.h — `pentrap collect`: sensors' messages from the broker into the central store
 * (docs/scale.md, "Collectors"). Messages are taken in batches; what decodes goes into
 * PostgreSQL in one transaction, and only after it commits are they acknowledged, so a
 * collector killed at any point loses nothing (the broker delivers the unacknowledged
 * again) and doubles nothing (the store is idempotent on chain and seq). Several
 * collectors may take from the queue at once. A message that is not a pentrap record,
 * whose line does not hash to its hash, or that the store refuses (a sensor id reused, a
 * conflicting record) is rejected (the broker dead-letters it into pentrap.rejected),
 * counted, and logged once per kind; never stored, never a crash.
 */
#ifndef PENTRAP_BROKER_COLLECT_H
#define PENTRAP_BROKER_COLLECT_H

#include <signal.h>
#include <stdint.h>

#include "broker/message.h"

struct collect_options {
	const char *broker_url;
	const char *db;            /* postgresql://... */
	unsigned batch;            /* messages per transaction, 0: 64 */
	double idle_exit_s;        /* stop after this long with nothing to take (0: run until a signal) */
	void (*say)(const char *line); /* state changes and refusals, one line each */
};

struct collect_stats {
	uint64_t messages, batches;
	uint64_t records, duplicates;      /* records stored, and ones already there */
	uint64_t rows;                     /* runs, checkpoints and keys stored or updated */
	uint64_t refused[REFUSE__KINDS];
};

/*
 * Collects until *stop (SIGTERM, SIGINT) or the idle time; *stats_now (SIGUSR1) says the
 * statistics. Returns 0, or an exit status with one line in errbuf: 2 a URL that cannot
 * be read, 1 a broker or database that cannot be used at start.
 */
int collect_run(const struct collect_options *o, volatile sig_atomic_t *stop, volatile sig_atomic_t *stats_now,
		struct collect_stats *st, char *errbuf, size_t errlen);

/* One line of statistics. */
void collect_stats_line(const struct collect_stats *st, char *line, size_t len);

#endif
