/*
 * pair_model.h — what pairing learns from the traffic, per app service, to tell which
 * received message is which sent one (record/pairing.c; docs/records.md, "Counterparts").
 *
 * For every (send, receive) of one service on two devices within PAIR_WINDOW_MAX_S,
 * two things are counted: the lag from the send to the receive, and the receive's size
 * less the send's (the send's whole, and its half: an app that encrypts a message once
 * per recipient device uploads two copies of about one size). True pairs pile up in
 * one place of each histogram, chance pairs spread evenly, so:
 *   - the size relation is *informative* when one 12-byte stretch of the size
 *     histogram stands well above the even spread (then a pair must fit it within
 *     PAIR_SIZE_TOL bytes); otherwise pairing goes by time alone;
 *   - the lag window is where the pairs that fit (or, by time alone, the pairs above
 *     the even spread) fall, from their 1st to their 99th percentile, widened by a fifth;
 *     until PAIR_LAG_MIN_SAMPLES of them are seen it is the whole 0..PAIR_WINDOW_MAX_S.
 * Internal to record/.
 */
#ifndef PENTRAP_RECORD_PAIR_MODEL_H
#define PENTRAP_RECORD_PAIR_MODEL_H

#include <stdbool.h>
#include <stdint.h>

enum {
	PAIR_WINDOW_MAX_S = 10,     /* a receive at most this long after its send */
	PAIR_SIZE_BIN = 4,          /* bytes per size bin */
	PAIR_SIZE_BINS = 256,       /* receive - send from -512 to +511 bytes */
	PAIR_SIZE_TOL = 8,          /* bytes a pair may stray from the learned relation */
	PAIR_LAG_BIN_US = 20000,    /* 20 ms per lag bin */
	PAIR_LAG_BINS = PAIR_WINDOW_MAX_S * 1000000 / PAIR_LAG_BIN_US,
	PAIR_LAG_MIN_SAMPLES = 8,
	PAIR_SERVICES_MAX = 16,     /* services learned apart; more share the last slot's time-only rule */
};

struct pair_service {
	char name[32];
	uint32_t size[2][PAIR_SIZE_BINS]; /* [0] receive - send, [1] receive - send/2 */
	uint32_t lag_all[PAIR_LAG_BINS];  /* every candidate pair */
	uint32_t lag_fit[PAIR_LAG_BINS];  /* candidate pairs that fitted the size relation then */
	/* derived from the histograms when dirty */
	bool dirty;
	bool size_ok[2];
	int32_t offset[2];                /* bytes: receive - send/(k+1) of true pairs */
	int64_t lag_lo_us, lag_hi_us;
	bool lag_learned;
};

struct pair_models {
	struct pair_service svc[PAIR_SERVICES_MAX];
	unsigned n;
};

/* The service's model (added when new; the last slot is shared once all are taken). */
struct pair_service *pair_service_of(struct pair_models *m, const char *name);
/* Counts one candidate pair: a send of send_bytes and a receive of recv_bytes lag_us later. */
void pair_learn(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us);
/*
 * How well a receive fits a send by what was learned: a score 1..100 (100: the size
 * relation to the byte and the lag inside the window; 60: time alone), or -1.
 */
int pair_fit(struct pair_service *s, uint32_t send_bytes, uint32_t recv_bytes, int64_t lag_us);
/* The window pairing uses now (for the summary and tests). */
void pair_window(struct pair_service *s, int64_t *lo_us, int64_t *hi_us, bool *size_ok);

#endif
