/*
 * run_ctx.h — what every `pentrap run` sets up, whatever it reads (capture files in
 * run.c, live interfaces in run_live.c): the order and the definitions, the store with
 * its evidence (key, genesis, custody, signed checkpoints), the other sinks, the
 * pipeline; and how a run ends (last events, summary, final checkpoint). Internal to
 * src/run/.
 *
 * The steps are separate so the live sensor can open its interfaces and the store as
 * root, then drop privileges, then capture; and can end one run and begin the next in
 * the same process (a reloaded order, a rotated store: docs/live.md).
 */
#ifndef PENTRAP_RUN_RUN_CTX_H
#define PENTRAP_RUN_RUN_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "order/order.h"
#include "run/evidence.h"
#include "run/limits.h"
#include "pipeline/pipeline.h"
#include "run/run.h"
#include "run/run_sigs.h"
#include "run/shard.h"
#include "run/workers.h"
#include "record/store.h"
#include "record/writer.h"

/* Live identity sharing: how long, and how many events at most, wait for a binding. */
#define RUN_IDENTITY_WAIT_S 2.0
enum { RUN_IDENTITY_WAIT_MAX = 4096 };

struct run_ctx {
	const struct run_options *opt; /* borrowed */
	struct order order;            /* the order in force; the pipeline points at it */
	struct run_sigs rs;
	const char *db_path;           /* the store in use: opt->db_path, or a rotated one */
	const char *key_path;          /* the key: opt->key_path, or NULL for DB.key */
	char key_path_buf[4096];       /* the key a next run signs with (run_ctx_next_run) */
	struct store *store;
	struct record_writer writer;
	struct evidence ev;
	bool ev_begun;                 /* a run is open in the store (evidence_begin done) */
	struct pipeline_config pc;
	struct limits_plan plan;
	bool records_open;             /* store and sinks open: records can be written */
	bool records_tried;            /* opening them was tried (the custody beside the reading) */
	char *captures_json;           /* the run's captures for its custody (owned) */
	char hashes[RUN_MAX_CAPTURES][65]; /* their SHA-256, once known, for the placeholders */
	size_t nhashes;
	struct record *held;           /* one pipeline's records until the store's run begins */
	size_t nheld, held_cap;
	struct pipeline *pl;           /* the pipeline; NULL with workers */
	struct workers *ws;            /* run -j N, N > 1: the workers and their pipelines */
	uint64_t frames;               /* frames read over the run's captures (core/test_hook.h) */
	uint64_t started_us;           /* wall clock at start */
	uint64_t first_us, last_us;    /* the earliest and latest frame time read (0: none yet) */
	double t0;                     /* monotonic clock at start */
	FILE *out;                     /* where the summary goes */
	/* --broker (run_broker.h) */
	struct publisher *pub;         /* publishes the store */
	struct binding_feed *feed;     /* other sensors' identity bindings */
	struct binding_queue *journal; /* this run's identity bindings, waiting for the store */
	bool broker_live;
	bool said_binding_error;
	uint64_t shared_bindings_before; /* others' bindings read before the first frame */
};

/* Wall clock in microseconds since the epoch; monotonic seconds. */
uint64_t run_wall_us(void);
double run_mono_s(void);

/* store_open with the files created readable by their owner only (0600). */
int run_store_open(const char *path, struct store **out, char *errbuf, size_t errlen);

/* Loads the order and the definitions. RUN_OK, or RUN_BAD_INPUT with errbuf. */
int run_ctx_load(struct run_ctx *c, const struct run_options *opt, char *errbuf, size_t errlen);

/*
 * Opens the store (files created 0600) and begins the run in it with captures_json as
 * the custody's captures, then the JSON lines and table sinks and the pipeline.
 * c->db_path and c->key_path may be set before (they default to opt's). Returns an
 * enum run_status with errbuf set on failure.
 */
int run_ctx_open(struct run_ctx *c, const char *captures_json, bool stdin_capture, char *errbuf, size_t errlen);
/*
 * Its two halves: the store, its run and the other sinks (records_open after); and
 * the pipeline or workers. A run whose custody is known only once reading has begun
 * (run -j: custody.h) opens the pipeline first.
 */
int run_ctx_open_records(struct run_ctx *c, const char *captures_json, bool stdin_capture, char *errbuf,
			 size_t errlen);
int run_ctx_open_pipeline(struct run_ctx *c, char *errbuf, size_t errlen);

/*
 * Ends the run in the store (its final checkpoint, summary_json as its statistics),
 * then begins the next one in new_store (which takes c->store's place, the old one
 * closed) or, when new_store is NULL, in the same store, with the order now in
 * c->order and captures_json. The other sinks carry on. Returns 0, or -1 with errbuf:
 * then no run is open and the caller must stop.
 */
int run_ctx_next_run(struct run_ctx *c, struct store *new_store, const char *new_db_path,
		     const char *captures_json, char *errbuf, size_t errlen);

/* The statistics as a JSON object (kept with the run in the store). Caller frees. */
char *run_summary_json(const struct stats *st);

/*
 * End of input: the pipeline's last events, the sinks flushed, the summary printed
 * (ncaptures: how many captures or interfaces were read), the final checkpoint.
 * Returns the run's final status (status, or worse), errbuf set when it changed.
 */
int run_ctx_end(struct run_ctx *c, int status, size_t ncaptures, char *errbuf, size_t errlen);

/* Waits until the workers (run -j) have read every frame given and their records are
 * written; then their pipelines may be touched. Nothing to do with one pipeline. */
void run_ctx_sync(struct run_ctx *c);
/* The run's pipelines: the one, or each worker's (only while they are idle, after
 * run_ctx_sync). Returns how many. */
unsigned run_ctx_pipelines(struct run_ctx *c, struct pipeline *pls[SHARD_MAX_WORKERS]);
/* The run's statistics, every pipeline's added (workers idle). */
void run_ctx_stats(struct run_ctx *c, struct stats *st);
/* A frame of time ts_us was read (the captures' time range, for the summary). */
void run_ctx_saw_frame(struct run_ctx *c, uint64_t ts_us);

/* Frees everything; accepts a context that was only partly opened. */
void run_ctx_close(struct run_ctx *c);

#endif
