/*
 * binding_feed.h — the other sensors' identity bindings, read from the broker's stream
 * (docs/scale.md, "Identity shared between sensors"). A thread of its own consumes the
 * stream pentrap.bindings from its first message, skips the sensor's own, and queues
 * the operations for the thread that owns the identity maps (binding_feed_take).
 *
 * Catching up: on connecting, the feed puts a marker of its own at the stream's end and
 * reads until the marker comes back, so everything published before the sensor started
 * has been queued by then (binding_feed_wait). A capture file is read only after that.
 */
#ifndef PENTRAP_BROKER_BINDING_FEED_H
#define PENTRAP_BROKER_BINDING_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity/identity.h"

struct binding_feed;

struct binding_feed_config {
	const char *url;               /* the broker (copied) */
	const char *sensor;            /* this sensor's id: its own bindings are skipped (copied) */
	void (*say)(const char *line); /* state changes, refused lines (once per kind) */
};

/* Starts the thread (it connects, and reconnects, by itself). 0, or -1 with errbuf. */
int binding_feed_start(const struct binding_feed_config *cfg, struct binding_feed **out, char *errbuf,
		       size_t errlen);
/* Waits until the feed read back its marker, at most timeout_s: true when it did. */
bool binding_feed_wait(struct binding_feed *f, double timeout_s);
/* Takes up to max queued operations, oldest first. */
size_t binding_feed_take(struct binding_feed *f, struct identity_op *out, size_t max);
/* Bindings taken in, lines refused, operations dropped (queue full). */
void binding_feed_counts(struct binding_feed *f, uint64_t *received, uint64_t *refused, uint64_t *dropped);
void binding_feed_stop(struct binding_feed *f); /* accepts NULL */

#endif
