/*
 * publish.h — a sensor's records leaving for the broker (docs/scale.md, "Sensor to
 * broker"). The sensor's own SQLite store stays its spool and its evidence: records are
 * committed there first, as without a broker, and a thread of their own publishes what
 * was committed, in seq order, as persistent messages with publisher confirms; it
 * remembers what the broker confirmed. While the broker is away the sensor goes on
 * recording; the thread says so once, retries with a growing pause, and when the broker
 * is back publishes what waits, in order, before anything newer. Its runs' custody,
 * checkpoints and keys travel too, and the identity bindings the sensor learned.
 *
 * The positions the broker confirmed (records' seq, checkpoints', bindings') are saved
 * into the store by the thread that owns its connection (publisher_save); after a crash
 * the records since the last save are published again, and collectors count them as
 * already there.
 */
#ifndef PENTRAP_BROKER_PUBLISH_H
#define PENTRAP_BROKER_PUBLISH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/store.h"

struct publisher;

struct publisher_config {
	const char *url;        /* amqp://USER:PASS@HOST:PORT/VHOST (copied) */
	const char *spool;      /* the sensor's SQLite store (copied) */
	/* says one line (a state change: unreachable, back, what waits); NULL: nowhere */
	void (*say)(const char *line);
};

/*
 * Checks the URL and connects once: a URL that cannot be read is RUN_BAD_INPUT (2), a
 * login or vhost the broker refuses is 1 (it will not mend by retrying), both with one
 * line in errbuf; an unreachable broker is said on the log and retried by the thread.
 * 0 and *out on success (the thread runs).
 */
int publisher_start(const struct publisher_config *cfg, struct publisher **out, char *errbuf, size_t errlen);
/* Records (or bindings) were committed: publish without waiting for the next poll. */
void publisher_kick(struct publisher *p);
/* The next store of a live sensor's series: published once the current one is done. */
void publisher_follow(struct publisher *p, const char *spool);
/* Saves the confirmed positions into s (the spool, on its owner's connection) when they moved. */
int publisher_save(struct publisher *p, struct store *s, char *errbuf, size_t errlen);
/*
 * Waits until everything the spool holds is confirmed, at most timeout_s (< 0: no limit)
 * or until *stop becomes non-zero; says every 10 s on the log what still waits. Returns
 * the records still waiting (0: all published).
 */
uint64_t publisher_drain(struct publisher *p, double timeout_s, volatile sig_atomic_t *stop);
/* One line for the statistics: connected or not since when, records confirmed and waiting. */
void publisher_stats(struct publisher *p, char *line, size_t len);
/* Stops the thread and frees; accepts NULL. Does not save (publisher_save first). */
void publisher_stop(struct publisher *p);

/* The cursor names the positions are kept under in the store (store_cursor_get/set). */
#define PUBLISH_CURSOR_RECORDS "broker.records"
#define PUBLISH_CURSOR_CHECKPOINTS "broker.checkpoints"
#define PUBLISH_CURSOR_BINDINGS "broker.bindings"

#endif
