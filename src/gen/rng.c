/*
 * rng.c — the generator's only source of chance: xoshiro256** (Blackman and Vigna,
 * "Scrambled linear pseudorandom number generators", 2018), its state filled from the
 * seed by splitmix64 as the authors recommend. Our own code, so the same seed gives
 * the same bytes on every libc (rand() does not).
 */
#include <math.h>

#include "gen/gen_internal.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_u64(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Lemire's multiply-shift; the tiny bias (< n / 2^32) does not matter for traffic. */
uint32_t gen_rng_below(struct gen_rng *r, uint32_t n)
{
	return (uint32_t)(((gen_rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}

uint32_t gen_rng_between(struct gen_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + gen_rng_below(r, hi - lo + 1);
}

double gen_rng_unit(struct gen_rng *r)
{
	return (double)(gen_rng_u64(r) >> 11) * 0x1.0p-53;
}

double gen_rng_exp(struct gen_rng *r, double mean)
{
	return -mean * log(1.0 - gen_rng_unit(r));
}

bool gen_rng_chance(struct gen_rng *r, double p)
{
	return gen_rng_unit(r) < p;
}

void gen_rng_bytes(struct gen_rng *r, uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = gen_rng_u64(r);
		for (int i = 0; i < 8; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = gen_rng_u64(r);
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)(v >> (8 * i));
	}
}
