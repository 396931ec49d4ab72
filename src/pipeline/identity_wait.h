/*
 * identity_wait.h — a live sensor's events waiting for another sensor's binding
 * (docs/scale.md, "The ordering rule"). When the signalling that names a subscriber runs
 * on another link, its binding reaches this sensor through the broker a little after the
 * subscriber's first packets may have: an event the order makes no record of now, one of
 * whose parties is an address no binding covers at the event's time, waits, up to a
 * bounded time, for a binding of one of its addresses to arrive; then it goes to the
 * order filter again, the binding in place and looked up at the event's own time.
 *
 * Bounded: a fixed number of events, allocated at creation (only when waiting is on);
 * when full, the oldest goes on unnamed (counted). No allocation per event.
 */
#ifndef PENTRAP_PIPELINE_IDENTITY_WAIT_H
#define PENTRAP_PIPELINE_IDENTITY_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/stats.h"
#include "event/event.h"

struct identity_map;
struct identity_wait;

typedef void (*identity_wait_fn)(void *ud, const struct event *e);

/* Room for cap events, each waiting wait_us of capture time at most. NULL: no memory. */
struct identity_wait *identity_wait_new(unsigned cap, uint64_t wait_us, struct stats *stats);
void identity_wait_free(struct identity_wait *w); /* accepts NULL */
/*
 * Keeps e (which the order made no record of) when one of its parties is an address
 * nobody is bound to at e's time (ids): true, it waits; false, it goes on now. A full
 * queue first lets its oldest go (through fn).
 */
bool identity_wait_hold(struct identity_wait *w, const struct identity_map *ids, const struct event *e,
			identity_wait_fn fn, void *ud);
/* A binding of addr/prefix_len (0: the whole address) arrived: the events with an address in it go on. */
void identity_wait_release_addr(struct identity_wait *w, const struct ip_addr *addr, unsigned prefix_len,
				identity_wait_fn fn, void *ud);
/* Events whose wait ended by now_us (capture time, or the clock on a quiet link) go on. */
void identity_wait_release_due(struct identity_wait *w, uint64_t now_us, identity_wait_fn fn, void *ud);
/* Every event goes on (the end of the input). */
void identity_wait_release_all(struct identity_wait *w, identity_wait_fn fn, void *ud);

#endif
