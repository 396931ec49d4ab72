/* hashmix.h — the murmur3 32-bit finaliser: spreads every input bit over the output, so
 * a table's mask or a modulo can keep any bits of it. */
#ifndef PENTRAP_CORE_HASHMIX_H
#define PENTRAP_CORE_HASHMIX_H

#include <stdint.h>

static inline uint32_t hash_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

#endif
