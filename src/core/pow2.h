/*
 * pow2.h — power-of-two sizes: the smallest power of two at least n, for the tables that
 * index their buckets with a mask (core/ixhash.h, core/setassoc.h, the order index, the
 * signature names), and the doubling of a growing buffer. Every such rounding in the
 * tree goes through here.
 */
#ifndef PENTRAP_CORE_POW2_H
#define PENTRAP_CORE_POW2_H

#include <stddef.h>
#include <stdint.h>

/* The first of least, 2*least, 4*least, ... that is >= n, at most 2^31 (least is a power
 * of two for a power of two to come out). */
static inline uint32_t pow2_at_least(uint32_t n, uint32_t least)
{
	uint32_t p = least ? least : 1;
	while (p < n && p < (UINT32_C(1) << 31))
		p <<= 1;
	return p;
}

/* A buffer's next size: the first of size, 2*size, 4*size, ... that holds n bytes
 * (size > 0; stops doubling before it would overflow). */
static inline size_t pow2_grow(size_t size, size_t n)
{
	size_t p = size ? size : 1;
	while (p < n && p <= SIZE_MAX / 2)
		p <<= 1;
	return p;
}

#endif
