/*
 * run_sigs.h — the signature definitions of one run: loaded at start (the built-in set
 * or --sigs FILE), checked for staleness (warned at start and in the summary), swapped
 * between captures (--reload-sigs FILE before a -r) or on SIGHUP (the same file read
 * again), without losing flow state; the versions used go into the run's custody.
 */
#ifndef PENTRAP_RUN_RUN_SIGS_H
#define PENTRAP_RUN_RUN_SIGS_H

#include <stdbool.h>
#include <stdio.h>

#include "detect/detect.h"
#include "detect/sigs.h"
#include "pipeline/pipeline.h"
#include "run/run.h"

struct run_sigs {
	struct sigset *current;                    /* what new flows use (a reference) */
	const char *path;                          /* what SIGHUP reads again; NULL: built-in */
	struct sigset *planned[RUN_MAX_CAPTURES];  /* switched to before capture i, or NULL */
	long max_age_days;
	char versions[256];                        /* every version used, for custody */
	unsigned reloads;
	FILE *err;                                 /* where warnings and reload notes go */
};

/*
 * Loads the run's definitions and every --reload-sigs file (so a bad one is refused
 * before a record is written), warns on stderr when the first set is stale, and
 * installs the SIGHUP handler. RUN_OK, or RUN_BAD_INPUT with errbuf set.
 */
int run_sigs_open(struct run_sigs *rs, const struct run_options *opt, char *errbuf, size_t errlen);
/*
 * The set goes to every pipeline of the run (one, or each worker's while the workers
 * are idle: run/workers.h).
 */
/* Before capture i: switches to a planned set, if one was given. */
void run_sigs_before_capture(struct run_sigs *rs, struct pipeline *const *pls, unsigned n, size_t i);
/* True when a SIGHUP waits (a volatile read: cheap between frames). */
bool run_sigs_hup_pending(void);
/* Between frames: a pending SIGHUP reloads rs->path (or keeps the set when it fails). Cheap. */
void run_sigs_poll(struct run_sigs *rs, struct pipeline *const *pls, unsigned n);
/*
 * The summary's lines: definitions, OTT events, target traffic pentrap could not name,
 * staleness. sum: the run's detect summary (the workers' added), NULL without one.
 */
void run_sigs_summary(const struct run_sigs *rs, const struct detect_summary *sum, FILE *out);
void run_sigs_close(struct run_sigs *rs);

#endif
