/*
 * record_vec.h — records gathered in memory and put in time order: a query's or a
 * report's selection. Grows by doubling; a failed growth leaves what it holds.
 */
#ifndef PENTRAP_RECORD_RECORD_VEC_H
#define PENTRAP_RECORD_RECORD_VEC_H

#include <stddef.h>

#include "record/record.h"

struct record_vec {
	struct record *v; /* owned; free() it */
	size_t n, cap;
};

/* Appends a copy of r. 0, or -1 when out of memory. */
int record_vec_push(struct record_vec *rv, const struct record *r);
/* Sorts by time, then seq. */
void record_vec_sort_time(struct record_vec *rv);

#endif
