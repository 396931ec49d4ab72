/*
 * vec.h — the growing arrays of setup and output paths (records gathered for a query,
 * checkpoints and runs read for verify, a worker's finished records, a signature
 * index's lists): one place that doubles an array and checks the multiplication, so no
 * caller computes a size of its own. The per-packet path has no growing arrays (pools
 * sized at start, core/ixpool.h).
 */
#ifndef PENTRAP_CORE_VEC_H
#define PENTRAP_CORE_VEC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pow2.h"

/*
 * Makes room for need elements of elem bytes in the array whose pointer is at pv (a
 * pointer to the caller's `T *`), *cap elements long: when need > *cap the array is
 * reallocated to the first of 2 * *cap (first when empty), doubled, that holds need, and
 * *cap set to it. False when out of memory or the size would overflow; the array and
 * *cap are unchanged then.
 */
static inline bool vec_grow(void *pv, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return true;
	size_t ncap = pow2_grow(*cap ? *cap * 2 : first, need);
	if (ncap < need || ncap > SIZE_MAX / elem)
		return false;
	void *old;
	memcpy(&old, pv, sizeof old);
	void *grown = realloc(old, ncap * elem);
	if (!grown)
		return false;
	memcpy(pv, &grown, sizeof grown);
	*cap = ncap;
	return true;
}

#endif
