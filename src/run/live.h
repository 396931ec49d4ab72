/*
 * live.h — the live sensor's loop: frames from several interfaces, and the signals an
 * operator sends a running sensor (SIGHUP reload, SIGTERM/SIGINT stop cleanly, SIGUSR1
 * statistics), handled between frames, never inside a signal handler.
 */
#ifndef PENTRAP_RUN_LIVE_H
#define PENTRAP_RUN_LIVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "pipeline/pipeline.h"
#include "run/workers.h"

struct live_hooks {
	/* SIGHUP: reload order and definitions; a failed reload keeps the old ones. */
	void (*reload)(void *ud);
	/* SIGUSR1, and every stats_interval_s: print statistics. */
	void (*stats)(void *ud, struct capture_source *srcs, size_t n);
	/* After each frame: non-zero ends the run (e.g. the order's window has passed). */
	int (*after_frame)(void *ud, uint64_t ts_us);
	/* About every 200 ms, traffic or not, with the wall clock: non-zero ends the run. */
	int (*tick)(void *ud, uint64_t now_us);
	void *ud;
	unsigned stats_interval_s; /* 0: only on SIGUSR1 */
};

/*
 * Installs the handlers (they only set flags). A SIGHUP handler already installed (the
 * definitions' reload, run/run_sigs.c) is called too, so one SIGHUP reloads both.
 */
void live_signals_install(void);
/* One line on stderr, "2026-11-27T20:52:50Z pentrap: ..." (journald keeps stderr). */
void live_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True once SIGTERM or SIGINT arrived. */
int live_stop_requested(void);

/* Where the frames go: one pipeline, or the workers of `run -i IFACE -j N` (the one
 * that is not NULL). */
struct live_target {
	struct pipeline *pl;
	struct workers *ws;
};

/*
 * Reads frames from every source until stopped (signal, hook, or a source error), feeding
 * the pipeline or the workers; the workers get a batch not yet full whenever the sources
 * are drained, so a quiet link's records are not kept back. Returns 0 on a clean stop,
 * -1 with errbuf on a capture error.
 */
int live_run(const struct live_target *to, struct capture_source *srcs, size_t n, const struct live_hooks *hooks,
	     char *errbuf, size_t errlen);

#endif
