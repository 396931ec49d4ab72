/*
 * pair_model.h — what pairing learns from the traffic, per app service, to tell which
 * received message is which sent one (record/pairing.c; docs/records.md, "Counterparts").
 *
 * Every (send, receive) of one service on two devices within PAIR_WINDOW_MAX_S is a
 * candidate pair; the last PAIR_SAMPLES of them are kept as (lag, size difference), and
 * the model is derived again from them whenever they grew by a sixty-fourth:
 * the receive's payload bytes less the send's, and less half the send's (an app that
 * encrypts a message once per recipient device uploads two copies of about one size).
 * True pairs pile up in one place, chance pairs spread out, so:
 *   - the size relation is *informative* when one PAIR_SIZE_WINDOW-byte stretch of the
 *     size differences (both readings of every pair counted) holds more than chance
 *     would by far (at least PAIR_PEAK_MIN pairs, a Poisson tail under 1e-5 against the
 *     density of its neighbourhood); then a pair must fit it, by either reading: it spans
 *     from its busiest byte as far each way as the bytes stand above the density of
 *     chance around it (from PAIR_SIZE_TOL_MIN to PAIR_SIZE_TOL bytes
 *     from its middle), by a reading that shows the relation by itself;
 *   - the lag window is the stretch of lags where the pairs that fit it stand most above
 *     an even spread over 0..PAIR_WINDOW_MAX_S, widened by a fifth and 40 ms each way;
 *     until PAIR_LAG_MIN_SAMPLES fall in it, it is the whole 0..PAIR_WINDOW_MAX_S;
 *   - without an informative size relation, the lag window comes from every candidate
 *     pair alike, and pairing goes by time alone, only for
 *     a send and a receive that are each other's only candidate within PAIR_ALONE_S
 *     either way (pairing.c): by time alone, a busy service cannot be told apart.
 * Internal to record/.
 */
#ifndef PENTRAP_RECORD_PAIR_MODEL_H
#define PENTRAP_RECORD_PAIR_MODEL_H

#include <stdbool.h>
#include <stdint.h>

enum {
	PAIR_WINDOW_MAX_S = 10,     /* a receive at most this long after its send */
	PAIR_ALONE_S = 15,          /* time alone: no other candidate this close, either side */
	PAIR_SAMPLES = 16384,       /* candidate pairs remembered per service */
	PAIR_DIFF_SPAN = 1024,      /* size differences counted one by one: -512..511 bytes */
	PAIR_SIZE_BIN = 2,          /* bytes per size bin */
	PAIR_SIZE_BINS = 512,       /* size differences from -512 to +511 bytes */
	PAIR_SIZE_WINDOW = 8,       /* bytes of the stretch a relation is found in */
	PAIR_SIZE_TOL = 6,          /* bytes a pair may stray from the relation's middle, at most */
	PAIR_SIZE_TOL_MIN = 4,      /* and at least */
	PAIR_PEAK_MIN = 4,
	PAIR_LAG_BIN_US = 20000,    /* 20 ms per lag bin */
	PAIR_LAG_BINS = PAIR_WINDOW_MAX_S * 1000000 / PAIR_LAG_BIN_US,
	PAIR_LAG_MIN_SAMPLES = 6,
	PAIR_LAG_MIN_SAMPLES_CALLS = 4, /* a call pair counts twice, once as each begin is decided */
	PAIR_SERVICES_MAX = 16,     /* services learned apart; more share the last slot */
};

struct pair_sample {
	int32_t lag_ms;
	int16_t diff[2];            /* receive - send, receive - send/2 (clamped) */
};

struct pair_service {
	char name[40];
	bool timing_only;                 /* no sizes to relate (the two begins of an app call) */
	int64_t span_us;                  /* candidate pairs' lags lie in 0..span (0: PAIR_WINDOW_MAX_S) */
	struct pair_sample samples[PAIR_SAMPLES]; /* a ring */
	uint32_t nsamples, next;
	uint32_t diffs[2][PAIR_DIFF_SPAN];    /* the samples' size differences per reading, by byte */
	uint32_t since;                       /* samples learned since the model was last derived */
	/* derived from the samples when dirty */
	bool dirty;
	bool size_ok;
	int32_t offset;                   /* bytes: the relation's middle (either reading) */
	int32_t tol;                      /* bytes a pair may stray from it (learned, <= PAIR_SIZE_TOL) */
	bool reading[2];                  /* the readings that show it by themselves (are used) */
	int64_t lag_lo_us, lag_hi_us;
	bool lag_learned;
};

struct pair_models {
	struct pair_service svc[PAIR_SERVICES_MAX];
	unsigned n;
};

/*
 * The model named name (added when new; the last slot is shared once all are taken).
 * timing_only: a model of lags alone (an app call's two begins: "call:" and the service).
 */
struct pair_service *pair_service_of(struct pair_models *m, const char *name, bool timing_only);
/* Candidate pairs' lags lie in 0..span_us (what chance spreads them over). */
void pair_service_span(struct pair_service *s, int64_t span_us);
/* Whether the lag window is learned (else it is the whole span). */
bool pair_learned(struct pair_service *s);
/* Counts one candidate pair: a send of send_bytes and a receive of recv_bytes lag_us later. */
void pair_learn(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us);
/* True when the service's size relation is informative (pairs must fit it). */
bool pair_sized(struct pair_service *s);
/*
 * How well a receive fits a send by what was learned: a score 1..100 (the size relation
 * to the byte and the lag inside the window: 100; time alone: 60), or -1.
 */
int pair_fit(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us);
/* The window pairing uses now (for the summary and tests). */
void pair_window(struct pair_service *s, int64_t *lo_us, int64_t *hi_us, bool *size_ok);

#endif
