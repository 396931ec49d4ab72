/* record_vec.c — records in memory, in time order (record_vec.h). */
#include "record/record_vec.h"

#include <stdlib.h>

#include "core/vec.h"

int record_vec_push(struct record_vec *rv, const struct record *r)
{
	if (!vec_grow(&rv->v, &rv->cap, rv->n + 1, sizeof *rv->v, 64))
		return -1;
	rv->v[rv->n++] = *r;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void record_vec_sort_time(struct record_vec *rv)
{
	if (rv->n)
		qsort(rv->v, rv->n, sizeof *rv->v, by_time);
}
