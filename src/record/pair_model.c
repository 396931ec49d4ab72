/*
 * pair_model.c — the size relation and lag window of one app service, learned from the
 * candidate pairs of its messages (pair_model.h says how and why).
 */
#include "record/pair_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum {
	WINDOW_BINS = PAIR_SIZE_WINDOW / PAIR_SIZE_BIN,
	NEAR_BINS = 28,             /* the neighbourhood on each side that says what chance gives */
};

#define PEAK_TAIL 1e-5          /* how unlikely by chance a relation must be */
#define READING_TAIL 1e-3       /* and a reading of it, the relation known */

struct pair_service *pair_service_of(struct pair_models *m, const char *name, bool timing_only)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->svc[i].name, name) == 0)
			return &m->svc[i];
	if (m->n == PAIR_SERVICES_MAX)
		return &m->svc[PAIR_SERVICES_MAX - 1];
	struct pair_service *s = &m->svc[m->n++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->timing_only = timing_only;
	s->dirty = true;
	return s;
}

static int16_t clamp16(int64_t v)
{
	return (int16_t)(v < -30000 ? -30000 : v > 30000 ? 30000 : v);
}

/* The byte bin of a size difference, or -1 outside -512..511. */
static int diff_bin(int32_t diff)
{
	int32_t b = diff + PAIR_DIFF_SPAN / 2;
	return b < 0 || b >= PAIR_DIFF_SPAN ? -1 : (int)b;
}

static void count_diffs(struct pair_service *s, const struct pair_sample *x, int by)
{
	for (int k = 0; k < 2; k++) {
		int b = diff_bin(x->diff[k]);
		if (b >= 0)
			s->diffs[k][b] += (uint32_t)by;
	}
}

void pair_learn(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us)
{
	if (lag_us < 0 || lag_us >= (int64_t)PAIR_WINDOW_MAX_S * 1000000)
		return;
	struct pair_sample *x = &s->samples[s->next];
	s->next = (s->next + 1) % PAIR_SAMPLES;
	if (s->nsamples < PAIR_SAMPLES)
		s->nsamples++;
	else
		count_diffs(s, x, -1); /* the oldest goes */
	x->lag_ms = (int32_t)(lag_us / 1000);
	x->diff[0] = clamp16((int64_t)recv_bytes - (int64_t)send_bytes);
	x->diff[1] = clamp16((int64_t)recv_bytes - (int64_t)(send_bytes / 2));
	count_diffs(s, x, +1);
	s->since++;
	s->dirty = true;
}

/* P(X >= c) for X ~ Poisson(lambda). */
static double poisson_tail(unsigned c, double lambda)
{
	double term = exp(-lambda), below = 0;
	for (unsigned j = 0; j < c; j++) {
		below += term;
		term *= lambda / (double)(j + 1);
	}
	double tail = 1.0 - below;
	return tail < 0 ? 0 : tail;
}


/*
 * The stretch of WINDOW_BINS holding a relation, both readings of every pair counted
 * (a true pair's copy is in one of them): the least likely by chance of those holding
 * at least PAIR_PEAK_MIN, chance being the density of its neighbourhood (a smooth hump
 * of chance pairs is not a relation). Sets the offset (its pairs' mean) and tolerance.
 */
static bool size_relation(struct pair_service *s)
{
	uint32_t h[PAIR_SIZE_BINS] = { 0 };
	for (int k = 0; k < 2; k++)
		for (int d = 0; d < PAIR_DIFF_SPAN; d++)
			h[d / PAIR_SIZE_BIN] += s->diffs[k][d];
	double best_tail = PEAK_TAIL;
	int at = -1;
	for (int i = 0; i + WINDOW_BINS <= PAIR_SIZE_BINS; i++) {
		unsigned c = 0;
		for (int j = i; j < i + WINDOW_BINS; j++)
			c += h[j];
		if (c < PAIR_PEAK_MIN)
			continue;
		unsigned near = 0, nbins = 0;
		for (int j = i - NEAR_BINS; j < i + WINDOW_BINS + NEAR_BINS; j++) {
			if (j < 0 || j >= PAIR_SIZE_BINS || (j >= i - WINDOW_BINS && j < i + 2 * WINDOW_BINS))
				continue;
			near += h[j];
			nbins++;
		}
		double lambda = nbins ? (double)near / nbins * WINDOW_BINS : 0;
		double tail = poisson_tail(c, lambda < 0.05 ? 0.05 : lambda);
		if (tail < best_tail) {
			best_tail = tail;
			at = i;
		}
	}
	if (at < 0)
		return false;
	/*
	 * Its extent: from the busiest byte in or next to the stretch, grown a byte at a
	 * time on each side while the next byte holds more than chance by two standard
	 * deviations (chance: the density 12 to 44 bytes away), at most 2 * PAIR_SIZE_TOL + 1
	 * bytes; the middle and half-width of that are the relation's offset and tolerance.
	 */
	uint32_t byte[PAIR_DIFF_SPAN];
	for (int d = 0; d < PAIR_DIFF_SPAN; d++)
		byte[d] = s->diffs[0][d] + s->diffs[1][d];
	int first = at * PAIR_SIZE_BIN, c = first;
	for (int m = first - 1; m <= first + PAIR_SIZE_WINDOW; m++)
		if (m >= 0 && m < PAIR_DIFF_SPAN && byte[m] > byte[c])
			c = m;
	uint32_t near = 0, nnear = 0;
	for (int d = c - 44; d <= c + 44; d++) {
		int dist = d > c ? d - c : c - d;
		if (d >= 0 && d < PAIR_DIFF_SPAN && dist >= 12) {
			near += byte[d];
			nnear++;
		}
	}
	double chance = nnear ? (double)near / nnear : 0, above = chance + 2.0 * sqrt(chance) + 0.5;
	int lo = c, hi = c;
	while (hi - lo < 2 * PAIR_SIZE_TOL) {
		bool left = lo > 0 && byte[lo - 1] > above, right = hi + 1 < PAIR_DIFF_SPAN && byte[hi + 1] > above;
		if (!left && !right)
			break;
		if (left && (!right || byte[lo - 1] >= byte[hi + 1]))
			lo--;
		else
			hi++;
	}
	s->offset = (lo + hi) / 2 - PAIR_DIFF_SPAN / 2;
	s->tol = (hi - lo + 1) / 2;
	if (s->tol < PAIR_SIZE_TOL_MIN)
		s->tol = PAIR_SIZE_TOL_MIN; /* what a few dozen pairs show of their spread is rough */
	/* a reading is used when it shows the relation by itself (one copy, or one of two):
	 * the other would only let chance pairs in */
	int mid = s->offset + PAIR_DIFF_SPAN / 2;
	for (int k = 0; k < 2; k++) {
		uint32_t in = 0, out = 0;
		for (int d = mid - 44; d <= mid + 44; d++) {
			int dist = d > mid ? d - mid : mid - d;
			if (d < 0 || d >= PAIR_DIFF_SPAN)
				continue;
			if (dist <= s->tol)
				in += s->diffs[k][d];
			else if (dist >= 12)
				out += s->diffs[k][d];
		}
		double lambda = (double)out / 66.0 * (2 * s->tol + 1);
		s->reading[k] = in >= 3 && poisson_tail(in, lambda < 0.05 ? 0.05 : lambda) < READING_TAIL;
	}
	return true;
}

/* How far (bytes) a pair strays from the relation, by the nearer reading; INT32_MAX when there is none. */
static int32_t off_relation(const struct pair_service *s, const int16_t diff[2])
{
	int32_t best = INT32_MAX;
	for (int k = 0; s->size_ok && k < 2; k++) {
		if (!s->reading[k])
			continue;
		int32_t d = diff[k] - s->offset;
		if (d < 0)
			d = -d;
		if (d < best)
			best = d;
	}
	return best;
}

/*
 * The lag window: where the pairs that fit the size relation (without one: all
 * candidate pairs) stand most above an even spread of chance ones over the whole
 * window — the stretch of lag bins whose counts less the mean count add up to the most
 * (Kadane's maximum subarray) — widened by a fifth and 40 ms each way.
 */
static void update(struct pair_service *s)
{
	/* derived again once the samples grew by a sixty-fourth (every time while few) */
	if (!s->dirty || s->since < 1 + s->nsamples / 64)
		return;
	s->dirty = false;
	s->since = 0;
	s->size_ok = !s->timing_only && size_relation(s);
	bool sized = s->size_ok;
	uint32_t h[PAIR_LAG_BINS] = { 0 };
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->nsamples; i++) {
		const struct pair_sample *x = &s->samples[i];
		if (!sized || off_relation(s, x->diff) <= s->tol) {
			h[x->lag_ms * 1000 / PAIR_LAG_BIN_US]++;
			n++;
		}
	}
	int64_t span = s->span_us > 0 ? s->span_us : (int64_t)PAIR_WINDOW_MAX_S * 1000000;
	double mean = (double)n / (double)(span / PAIR_LAG_BIN_US > 0 ? span / PAIR_LAG_BIN_US : 1), run = 0, best = 0;
	int lo = 0, hi = -1, start = 0;
	uint32_t in = 0, best_in = 0;
	for (int i = 0; i < PAIR_LAG_BINS; i++) {
		if (run <= 0) {
			run = 0;
			start = i;
			in = 0;
		}
		run += (double)h[i] - mean;
		in += h[i];
		if (run > best) {
			best = run;
			lo = start;
			hi = i;
			best_in = in;
		}
	}
	s->lag_learned = best_in >= (s->timing_only ? PAIR_LAG_MIN_SAMPLES_CALLS : PAIR_LAG_MIN_SAMPLES);
	s->lag_lo_us = 0;
	s->lag_hi_us = (int64_t)PAIR_WINDOW_MAX_S * 1000000;
	if (!s->lag_learned)
		return;
	int64_t lo_us = (int64_t)lo * PAIR_LAG_BIN_US, hi_us = (int64_t)(hi + 1) * PAIR_LAG_BIN_US;
	int64_t margin = (hi_us - lo_us) / 5 + 2 * PAIR_LAG_BIN_US;
	s->lag_lo_us = lo_us > margin ? lo_us - margin : 0;
	if (hi_us + margin < s->lag_hi_us)
		s->lag_hi_us = hi_us + margin;
}

void pair_service_span(struct pair_service *s, int64_t span_us)
{
	s->span_us = span_us;
}

bool pair_learned(struct pair_service *s)
{
	update(s);
	return s->lag_learned;
}

bool pair_sized(struct pair_service *s)
{
	update(s);
	return s->size_ok;
}

int pair_fit(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us)
{
	update(s);
	if (lag_us < s->lag_lo_us || lag_us > s->lag_hi_us)
		return -1;
	if (!s->size_ok)
		return 60;
	int16_t diff[2] = { clamp16((int64_t)recv_bytes - (int64_t)send_bytes),
			    clamp16((int64_t)recv_bytes - (int64_t)(send_bytes / 2)) };
	int32_t off = off_relation(s, diff);
	return off <= s->tol ? 100 - 3 * off : -1;
}

void pair_window(struct pair_service *s, int64_t *lo_us, int64_t *hi_us, bool *size_ok)
{
	update(s);
	*lo_us = s->lag_lo_us;
	*hi_us = s->lag_hi_us;
	*size_ok = s->size_ok;
}
