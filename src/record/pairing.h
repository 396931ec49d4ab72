/*
 * pairing.h — the legs of one event joined as the records are written (docs/records.md,
 * "Events and legs"). Every record passes through here on its way to the writer's
 * sinks, in the one order the writer numbers them (after run -j N's merge), so what is
 * joined depends only on the records and never on threads or timing:
 *
 *   - an SMS seen at its submission and again at its delivery (the same sender and
 *     recipient, the delivery within SMS_JOIN_S) is one event: the delivery's records
 *     take the submission's `event` id;
 *   - an app message sent by one target and received by another target is one event: the
 *     send and receive legs are paired (same service, the lag and, where the traffic
 *     shows it, the size relation learned from the traffic; a score; ambiguity left
 *     unpaired) and each gets the other target as its `counterpart`;
 *   - an app call whose two sides are both targets likewise (its two begins, joined by
 *     the media path or by their start times; its two ends follow their begins).
 *
 * Only records of app messages and calls of targets wait, and only when the order has
 * two targets or more: each is decided once the records written have reached
 * PAIRING_HOLD_S of capture time past it (or at the end of input, or of a live run's
 * tick), and held at most PAIRING_HELD_MAX at once (the oldest is then decided early).
 * Other records pass at once. The cost is per record, never per packet.
 */
#ifndef PENTRAP_RECORD_PAIRING_H
#define PENTRAP_RECORD_PAIRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

enum {
	PAIRING_HOLD_S = 120,     /* a held leg is decided this long (capture time) after it */
	PAIRING_LOOKAHEAD_S = 90, /* what is learned before deciding reaches this far past it */
	PAIRING_HELD_MAX = 4096,  /* legs waiting at once */
	SMS_JOIN_S = 300,         /* an SMS delivered this long after its submission is still one event */
};

struct pairing;

/* Where decided records go, in the order they are to be written. Returns the sink's status. */
typedef int (*pairing_out_fn)(void *ud, struct record *r);

struct pairing_stats {
	uint64_t sms_joined;      /* SMS deliveries joined to their submission (observations) */
	uint64_t msg_pairs;       /* app messages paired between two targets */
	uint64_t msg_ambiguous;   /* sends with a candidate left unpaired: more than one fitted */
	uint64_t call_pairs;      /* app calls paired (their begins) */
	uint64_t held_peak;       /* legs waiting at once, at most */
	uint64_t held_full;       /* legs decided early because PAIRING_HELD_MAX were waiting */
};

/*
 * hold: app messages and calls wait to be paired (an order with two targets or more).
 * Returns NULL when out of memory. Caller frees with pairing_free.
 */
struct pairing *pairing_new(bool hold);
void pairing_free(struct pairing *p);

/* Takes a copy of r; passes out every record that is ready, r perhaps among them. */
void pairing_push(struct pairing *p, const struct record *r, pairing_out_fn out, void *ud);
/* The capture clock reached now_us (a live sensor with no records for a while). */
void pairing_tick(struct pairing *p, uint64_t now_us, pairing_out_fn out, void *ud);
/* The end of input: decides and passes out everything still waiting. */
void pairing_drain(struct pairing *p, pairing_out_fn out, void *ud);
/* Records waiting now. */
size_t pairing_held(const struct pairing *p);
void pairing_get_stats(const struct pairing *p, struct pairing_stats *st);

#endif
