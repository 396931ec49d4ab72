/*
 * hi2_calls.h — which communication a record belongs to, for the communicationIdentifier
 * every IRI carries (TS 101 671: one value for all the IRI of one intercepted call).
 *
 * The communication identity number of a call (or app call, app session, data session)
 * is the seq of its first record in the store: unique in the store, the same on every
 * delivery of it, and so the same after a resumed delivery as long as the store is read
 * from its first record again (deliver.c does). A record that opens a communication
 * (call.attempt, *.begin) files it under its key (target, kind, call_id — or the parties
 * when the signalling has no id); later records of it find it there; the last one
 * (call.end, *.end) removes it. A report (SMS, app message, registration, flow) is a
 * communication of its own: its own seq.
 *
 * The table is bounded (HI2_CALLS_MAX open communications in 2 MiB): when full, a
 * new communication gets its own seq and hi2_calls_full counts it. Keys are kept as
 * 64-bit hashes: two open communications of one store colliding is a 2^-64 event.
 */
#ifndef PENTRAP_HANDOVER_HI2_CALLS_H
#define PENTRAP_HANDOVER_HI2_CALLS_H

#include <stdint.h>

#include "record/record.h"

enum { HI2_CALLS_MAX = 1 << 16 };

struct hi2_calls;

/* Caller frees with hi2_calls_free (accepts NULL); NULL when out of memory. */
struct hi2_calls *hi2_calls_new(void);
void hi2_calls_free(struct hi2_calls *t);

/* The communication identity number of r (see above), updating the table. */
uint64_t hi2_calls_cin(struct hi2_calls *t, const struct record *r);

/* How many communications found the table full. */
uint64_t hi2_calls_full(const struct hi2_calls *t);

#endif
