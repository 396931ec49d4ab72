/* store_copy.h — a sensor's store copied into a central store (`pentrap db import`). */
#ifndef PENTRAP_RECORD_STORE_COPY_H
#define PENTRAP_RECORD_STORE_COPY_H

#include <stdint.h>

#include "record/store.h"

struct store_copy_stats {
	uint64_t stored, duplicates;   /* rows new, and already there */
	uint64_t refused, conflicts;   /* items refused (sensor id reused, a differing record) */
	uint64_t last_seq;
	char sensor[128];
};

/*
 * Copies src's chain (an SQLite store) into dst (a central store): keys, runs' custody,
 * records with the run that wrote them, checkpoints. Idempotent. -1 with errbuf when it
 * could not, or when dst holds the sensor's id under another key.
 */
int store_copy(struct store *src, struct store *dst, struct store_copy_stats *st, char *errbuf, size_t errlen);

#endif
