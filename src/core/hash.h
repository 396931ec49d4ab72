/*
 * hash.h — the one hash of the tree, for every table that keys on bytes, text or
 * addresses, and the finalisers that spread a hash's bits over a table's mask.
 *
 * Bytes are hashed with FNV-1a (Fowler, Noll, Vo; public domain): one xor and one
 * multiply a byte, no setup, good enough spread for the short keys the tables hold
 * (Call-IDs, session ids, addresses, names), and every table used it already, written
 * out ten times. One copy here: a faster function (word at a time) is a change in this
 * file only. FNV-1a's low bits are good for a chained table's mask; a table that uses
 * a hash of a few words (hash_word) to pick a set finishes it with hash_mix32.
 *
 * Values are stable within a process only (nothing hashed is stored or shown).
 */
#ifndef PENTRAP_CORE_HASH_H
#define PENTRAP_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SEED UINT32_C(2166136261)   /* FNV-1a's offset basis */
#define HASH_PRIME UINT32_C(16777619)
#define HASH64_SEED UINT64_C(14695981039346656037)
#define HASH64_PRIME UINT64_C(1099511628211)

/* Continues hash h over p[0..n). */
static inline uint32_t hash_more(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * HASH_PRIME;
	return h;
}

static inline uint32_t hash_bytes(const void *p, size_t n)
{
	return hash_more(HASH_SEED, p, n);
}

/* A NUL-terminated text (without its NUL). */
static inline uint32_t hash_str(const char *s)
{
	uint32_t h = HASH_SEED;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * HASH_PRIME;
	return h;
}

/* One FNV-1a step over a whole word (a sequence number, an address's hash). */
static inline uint32_t hash_word(uint32_t h, uint32_t w)
{
	return (h ^ w) * HASH_PRIME;
}

/* The 64-bit FNV-1a, where a hash stands for a key (an SCCP address in map_sms.c). */
static inline uint64_t hash64_more(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * HASH64_PRIME;
	return h;
}

/* A NUL-terminated text, 64 bits: where the hash itself stands for the text (a
 * report's event ids). */
static inline uint64_t hash64_str(const char *s)
{
	uint64_t h = HASH64_SEED;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * HASH64_PRIME;
	return h;
}

/* The murmur3 32-bit finaliser: every input bit reaches every output bit, so a mask or
 * a modulo can keep any bits of the result. */
static inline uint32_t hash_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* The 64-bit finaliser of the SplitMix/Murmur family, for keys built from 64-bit words
 * (the flow table's endpoints): a handful of instructions. */
static inline uint64_t hash_mix64(uint64_t x)
{
	x = (x ^ (x >> 32)) * 0xd6e8feb86659fd93u;
	x = (x ^ (x >> 32)) * 0xd6e8feb86659fd93u;
	return x ^ (x >> 32);
}

#endif
