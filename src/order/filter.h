/*
 * filter.h — the order's limits applied to an event: a record is made only when a party
 * is one of the order's targets, the event time is inside the validity window, and the
 * direction fits the order's kind (pen register: the target originated; trap and
 * trace: the target received). Nothing is made about anyone else.
 */
#ifndef PENTRAP_ORDER_FILTER_H
#define PENTRAP_ORDER_FILTER_H

#include <stddef.h>

#include "event/event.h"
#include "order/order.h"
#include "record/record.h"

/*
 * Fills out[0..n) with the records the order allows for e (at most one per party:
 * an event between two targets gives two). capture_sha256 names the capture in the
 * evidence. Returns n (0, 1 or 2).
 */
size_t order_filter(const struct order *o, const struct event *e, const char *capture_sha256,
		    struct record out[2]);

struct identity_map;
/*
 * The same, with each party resolved through the identity map (may be NULL) at the
 * event's time: a party that is only an address is written as the subscriber behind it,
 * and a target also matches the subscriber behind a party's address (docs/records.md,
 * "Parties and subscribers").
 */
size_t order_filter_identity(const struct order *o, const struct event *e, const struct identity_map *ids,
			     const char *capture_sha256, struct record out[2]);

#endif
