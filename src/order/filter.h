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

#endif
