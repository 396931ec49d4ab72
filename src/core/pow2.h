/*
 * pow2.h — the smallest power of two at least n, for the hash tables that index their
 * buckets with a mask (flow table, identity map, name cache, data sessions, order index).
 */
#ifndef PENTRAP_CORE_POW2_H
#define PENTRAP_CORE_POW2_H

#include <stdint.h>

/* The smallest power of two >= n and >= least (itself a power of two), at most 2^31. */
static inline uint32_t pow2_at_least(uint32_t n, uint32_t least)
{
	uint32_t p = least;
	while (p < n && p < (UINT32_C(1) << 31))
		p <<= 1;
	return p;
}

#endif
