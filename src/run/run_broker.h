/*
 * run_broker.h — a run with `--broker` (docs/scale.md): its store published by a thread
 * of its own (broker/publish.h), the identity bindings its dissectors make journaled into
 * the store to be published, and the other sensors' bindings read (broker/binding_feed.h)
 * into its identity maps. Internal to src/run/.
 */
#ifndef PENTRAP_RUN_RUN_BROKER_H
#define PENTRAP_RUN_RUN_BROKER_H

#include <stdbool.h>
#include <stddef.h>

struct run_ctx;

/*
 * Before capture: checks the URL and the login (a refused one ends the run now), starts
 * publishing and reading bindings. An enum run_status, errbuf set on failure. Nothing
 * happens without opt->broker_url.
 */
int run_broker_start(struct run_ctx *c, bool live, char *errbuf, size_t errlen);
/* Once the pipelines exist: the one that records shared traffic journals its bindings. */
void run_broker_attach(struct run_ctx *c);
/*
 * Capture files: before the first frame, waits until every binding other sensors
 * published before this run started is applied to the identity maps (at most
 * --broker-wait, default 60 s; after that the run goes on with what came, saying so).
 */
void run_broker_catch_up(struct run_ctx *c);
/* Between frames: bindings journaled go into the store; live, others' are applied. */
void run_broker_step(struct run_ctx *c, bool apply_remote);
/* Live, about once a second: the broker's confirmed positions saved into the store. */
void run_broker_save(struct run_ctx *c);
/* The next store of a live sensor's series. */
void run_broker_follow(struct run_ctx *c, const char *db_path);
/*
 * The end: what is left journaled goes into the store, what the store holds is
 * published (waiting at most opt->broker_wait_s), positions saved, threads stopped.
 * Returns status, or RUN_FAILED with errbuf when records were left unpublished.
 */
int run_broker_end(struct run_ctx *c, int status, char *errbuf, size_t errlen);
/* The statistics line's broker part ("" without a broker). */
void run_broker_stats(struct run_ctx *c, char *line, size_t len);

#endif
