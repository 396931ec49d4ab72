/*
 * tally.h — what the records written say, counted as the answer counts it: events, not
 * records (docs/records.md, "Events and legs"), in all and per target, by type. The
 * run's summary reads it. A record is a new event when its id was not seen among the
 * last TALLY_RECENT ids (the legs of one event are written close together: the same
 * observation's back to back, a pair within pairing's hold); per target likewise.
 */
#ifndef PENTRAP_RECORD_TALLY_H
#define PENTRAP_RECORD_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

enum { TALLY_RECENT = 16384 };

struct tally_target {
	char target[PARTY_MAX];
	uint64_t records;
	uint64_t events;              /* distinct events among its records */
	uint64_t by_type[EV__COUNT];  /* events by type */
};

struct tally;

/* targets: how many targets to expect (the table grows as needed). NULL: out of memory. */
struct tally *tally_new(size_t targets);
void tally_free(struct tally *t);
/* Counts a record that was written. */
void tally_add(struct tally *t, const struct record *r);
/* All records: events in all and by type (NULL by_type: not wanted); records. */
uint64_t tally_events(const struct tally *t, uint64_t by_type[EV__COUNT], uint64_t *records);
/* The counts of one target (as records name it), or NULL when it has no record. */
const struct tally_target *tally_target(const struct tally *t, const char *target);

#endif
