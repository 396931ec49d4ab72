/*
 * pair_model.c — the lag window and size relation of one app service, learned from the
 * candidate pairs of its messages (pair_model.h says how and why).
 */
#include "record/pair_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct pair_service *pair_service_of(struct pair_models *m, const char *name)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->svc[i].name, name) == 0)
			return &m->svc[i];
	if (m->n == PAIR_SERVICES_MAX)
		return &m->svc[PAIR_SERVICES_MAX - 1];
	struct pair_service *s = &m->svc[m->n++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->dirty = true;
	return s;
}

/* The bin of a size difference, or -1 outside the histogram. */
static int size_bin(int64_t diff)
{
	int64_t b = (diff + PAIR_SIZE_BINS / 2 * PAIR_SIZE_BIN) / PAIR_SIZE_BIN;
	if (diff + PAIR_SIZE_BINS / 2 * PAIR_SIZE_BIN < 0 || b >= PAIR_SIZE_BINS)
		return -1;
	return (int)b;
}

static int64_t size_diff(uint32_t send_bytes, uint32_t recv_bytes, int k)
{
	return (int64_t)recv_bytes - (int64_t)(send_bytes / (uint32_t)(k + 1));
}

/*
 * Finds the stretch of three bins holding the most; informative when it stands above
 * the even spread by more than chance would (the mean plus four deviations of a Poisson
 * count, and at least 8 pairs). *center: the stretch's weighted middle, in bytes.
 */
static bool size_peak(const uint32_t *h, int32_t *center)
{
	uint64_t total = 0, best = 0;
	int at = 1;
	for (int i = 0; i < PAIR_SIZE_BINS; i++)
		total += h[i];
	for (int i = 1; i + 1 < PAIR_SIZE_BINS; i++) {
		uint64_t w = (uint64_t)h[i - 1] + h[i] + h[i + 1];
		if (w > best) {
			best = w;
			at = i;
		}
	}
	double noise = (double)total * 3.0 / PAIR_SIZE_BINS;
	if (best < 8 || (double)best < noise + 4.0 * sqrt(noise) + 3.0)
		return false;
	double sum = 0;
	for (int i = at - 1; i <= at + 1; i++)
		sum += (double)h[i] * ((double)i * PAIR_SIZE_BIN - PAIR_SIZE_BINS / 2 * PAIR_SIZE_BIN + PAIR_SIZE_BIN / 2.0);
	*center = (int32_t)lround(sum / (double)best);
	return true;
}

static bool fits_size(const struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t *off_by)
{
	bool any = false;
	int64_t best = INT64_MAX;
	for (int k = 0; k < 2; k++) {
		if (!s->size_ok[k])
			continue;
		int64_t d = size_diff(send_bytes, recv_bytes, k) - s->offset[k];
		if (d < 0)
			d = -d;
		if (d < best)
			best = d;
		any = true;
	}
	*off_by = best;
	return any && best <= PAIR_SIZE_TOL;
}

/*
 * The lag window: from the pairs that fitted the size relation when there is one, else
 * from every candidate pair less the even spread of chance ones (the median bin).
 */
static void update(struct pair_service *s)
{
	if (!s->dirty)
		return;
	s->dirty = false;
	for (int k = 0; k < 2; k++)
		s->size_ok[k] = size_peak(s->size[k], &s->offset[k]);
	bool sized = s->size_ok[0] || s->size_ok[1];
	uint32_t noise = 0;
	const uint32_t *h = sized ? s->lag_fit : s->lag_all;
	if (!sized) {
		/* the median bin: what chance alone puts in a bin (a count of counts: at most
		 * NOISE_CAP, above which a bin is signal whatever the median) */
		enum { NOISE_CAP = 64 };
		uint32_t of[NOISE_CAP + 1] = { 0 };
		for (int i = 0; i < PAIR_LAG_BINS; i++)
			of[h[i] < NOISE_CAP ? h[i] : NOISE_CAP]++;
		uint32_t below = 0;
		for (noise = 0; noise < NOISE_CAP; noise++)
			if ((below += of[noise]) > PAIR_LAG_BINS / 2)
				break;
	}
	uint64_t mass = 0;
	for (int i = 0; i < PAIR_LAG_BINS; i++)
		mass += h[i] > noise ? h[i] - noise : 0;
	s->lag_learned = mass >= PAIR_LAG_MIN_SAMPLES;
	if (!s->lag_learned) {
		s->lag_lo_us = 0;
		s->lag_hi_us = (int64_t)PAIR_WINDOW_MAX_S * 1000000;
		return;
	}
	uint64_t lo_q = (mass + 99) / 100, hi_q = mass - mass / 100, run = 0;
	int lo = 0, hi = PAIR_LAG_BINS - 1;
	bool have_lo = false;
	for (int i = 0; i < PAIR_LAG_BINS; i++) {
		run += h[i] > noise ? h[i] - noise : 0;
		if (!have_lo && run >= lo_q) {
			lo = i;
			have_lo = true;
		}
		if (run >= hi_q) {
			hi = i;
			break;
		}
	}
	int64_t lo_us = (int64_t)lo * PAIR_LAG_BIN_US, hi_us = (int64_t)(hi + 1) * PAIR_LAG_BIN_US;
	int64_t margin = (hi_us - lo_us) / 5 + 2 * PAIR_LAG_BIN_US;
	s->lag_lo_us = lo_us > margin ? lo_us - margin : 0;
	s->lag_hi_us = hi_us + margin;
	if (s->lag_hi_us > (int64_t)PAIR_WINDOW_MAX_S * 1000000)
		s->lag_hi_us = (int64_t)PAIR_WINDOW_MAX_S * 1000000;
}

void pair_learn(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us)
{
	if (lag_us < 0 || lag_us >= (int64_t)PAIR_WINDOW_MAX_S * 1000000)
		return;
	update(s); /* whether this one fits is judged by what was learned before it */
	int64_t off_by;
	bool fit = fits_size(s, send_bytes, recv_bytes, &off_by);
	for (int k = 0; k < 2; k++) {
		int b = size_bin(size_diff(send_bytes, recv_bytes, k));
		if (b >= 0)
			s->size[k][b]++;
	}
	int lb = (int)(lag_us / PAIR_LAG_BIN_US);
	s->lag_all[lb]++;
	if (fit)
		s->lag_fit[lb]++;
	s->dirty = true;
}

int pair_fit(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us)
{
	update(s);
	if (lag_us < s->lag_lo_us || lag_us > s->lag_hi_us)
		return -1;
	if (!s->size_ok[0] && !s->size_ok[1])
		return 60;
	int64_t off_by;
	if (!fits_size(s, send_bytes, recv_bytes, &off_by))
		return -1;
	return 100 - 3 * (int)off_by;
}

void pair_window(struct pair_service *s, int64_t *lo_us, int64_t *hi_us, bool *size_ok)
{
	update(s);
	*lo_us = s->lag_lo_us;
	*hi_us = s->lag_hi_us;
	*size_ok = s->size_ok[0] || s->size_ok[1];
}
