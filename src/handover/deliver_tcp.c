/*
 * deliver_tcp.c — handing an order's IRI over to a LEMF (deliver.h, docs/handover.md).
 *
 * Each IRI goes as one ROSE Invoke of sending-of-IRI (rose.h); the LEMF's ReturnResult
 * for it is the acknowledgement. Up to DELIVER_WINDOW IRI are in flight; when the oldest
 * is answered, the LIID's acknowledged seq moves and is kept in the store. When the link
 * breaks (the LEMF closes, resets, goes silent past the answer timeout), the connection
 * is made again after a back-off (0.2 s doubling to 10 s) and the delivery starts over
 * from the store's first record, sending only what was not acknowledged: so at least
 * once, in order, and nothing twice that the LEMF acknowledged. Reading from the first
 * record again also rebuilds the communication identities (hi2_calls.h) exactly.
 * A central store's chains are read one after the other (deliver_internal.h), each in
 * seq order; what is in flight is answered before the next chain's first IRI goes, so
 * an answer always moves its own chain's acknowledged seq.
 *
 * An idle connection is checked by TCP keep-alive and by watching it for the LEMF's
 * close while --follow waits for new records.
 */
#include "deliver_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handover/link.h"
#include "handover/rose.h"

enum {
	BACKOFF_FIRST_MS = 200,
	BACKOFF_MAX_MS = 10000,
	CONNECT_TIMEOUT_MS = 10000,
	RX_MAX = 8192,
	KEEP_EVERY_MS = 1000,  /* the acknowledged seqs are kept in the store at most this often */
};

enum session_end { SESSION_DONE, SESSION_BROKEN, SESSION_FATAL };

struct in_flight {
	int32_t id;
	uint64_t seq;
	int liid;
	bool answered;
	uint64_t sent_ms;
};

struct session {
	struct deliverer *d;
	struct link *link;
	struct in_flight win[DELIVER_WINDOW];
	size_t head, count;
	int32_t next_id;
	uint8_t rx[RX_MAX];
	size_t rxlen;
	uint8_t msg[HI2_PDU_MAX + ROSE_OVERHEAD];
	uint64_t answered;   /* answers this connection got */
	uint64_t kept_ms;
};

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	/* in slices, so a stop request is noticed */
	for (unsigned slept = 0; slept < ms && !deliver_stop; slept += 50) {
		struct timespec t = { 0, 50 * 1000000L };
		nanosleep(&t, NULL);
	}
}

/* The oldest IRI in flight moves the acknowledged seq of its LIID once it is answered. */
static void settle_window(struct session *s)
{
	while (s->count && s->win[s->head].answered) {
		struct in_flight *f = &s->win[s->head];
		struct deliver_liid *l = &s->d->liids[f->liid];
		if (f->seq > l->acked) {
			l->acked = f->seq;
			l->dirty = true;
		}
		s->d->st->delivered++;
		s->head = (s->head + 1) % DELIVER_WINDOW;
		s->count--;
	}
}

static void keep_state(struct session *s, bool now)
{
	char err[512];
	uint64_t t = now_ms();
	if (now || t - s->kept_ms >= KEEP_EVERY_MS) {
		/* a store another process holds locked keeps the state in memory until later */
		(void)deliver_keep_state(s->d, err, sizeof err);
		s->kept_ms = t;
	}
}

/*
 * Reads the LEMF's answers for up to timeout_ms (0: what has arrived).
 * SESSION_DONE (nothing wrong), SESSION_BROKEN or SESSION_FATAL with errbuf set.
 */
static enum session_end read_answers(struct session *s, int timeout_ms, char *errbuf, size_t errlen)
{
	ssize_t n = link_recv(s->link, s->rx + s->rxlen, sizeof s->rx - s->rxlen, timeout_ms, errbuf, errlen);
	if (n < 0)
		return SESSION_BROKEN;
	s->rxlen += (size_t)n;
	for (;;) {
		int32_t id, code;
		size_t used;
		enum rose_answer a = rose_read_answer(s->rx, s->rxlen, &id, &code, &used);
		if (a == ROSE_NEED_MORE)
			break;
		if (a == ROSE_MALFORMED) {
			snprintf(errbuf, errlen, "%s: the LEMF's answer is not a ROSE result, error or reject",
				 s->d->st->destination);
			return SESSION_BROKEN;
		}
		struct in_flight *f = NULL;
		for (size_t i = 0; i < s->count && !f; i++) {
			struct in_flight *g = &s->win[(s->head + i) % DELIVER_WINDOW];
			if (g->id == id && !g->answered)
				f = g;
		}
		if (a != ROSE_RESULT) {
			snprintf(errbuf, errlen, "%s: the LEMF %s the IRI of record %llu (%s %d); it and what follows stay undelivered",
				 s->d->st->destination, a == ROSE_ERROR ? "refused" : "rejected",
				 f ? (unsigned long long)f->seq : 0ull, a == ROSE_ERROR ? "error code" : "problem", code);
			return SESSION_FATAL;
		}
		if (f) { /* an answer to nothing in flight (a late duplicate) changes nothing */
			f->answered = true;
			s->answered++;
		}
		memmove(s->rx, s->rx + used, s->rxlen - used);
		s->rxlen -= used;
	}
	settle_window(s);
	keep_state(s, false);
	return SESSION_DONE;
}

/* Waits until fewer than `most` IRI are in flight, within the answer timeout of the oldest. */
static enum session_end wait_window(struct session *s, size_t most, char *errbuf, size_t errlen)
{
	uint64_t limit = (uint64_t)(s->d->opt->ack_timeout_s ? s->d->opt->ack_timeout_s : 60) * 1000;
	while (s->count > most) {
		uint64_t waited = now_ms() - s->win[s->head].sent_ms;
		if (waited >= limit) {
			snprintf(errbuf, errlen, "%s: no answer to the IRI of record %llu within %llu s",
				 s->d->st->destination, (unsigned long long)s->win[s->head].seq,
				 (unsigned long long)(limit / 1000));
			return SESSION_BROKEN;
		}
		enum session_end e = read_answers(s, (int)(limit - waited < 200 ? limit - waited : 200), errbuf, errlen);
		if (e != SESSION_DONE)
			return e;
	}
	return SESSION_DONE;
}

static enum session_end send_record(struct session *s, const struct record *r, int li, uint64_t cin, char *errbuf,
				    size_t errlen)
{
	struct deliverer *d = s->d;
	size_t len = 0, msglen = 0;
	enum session_end e = wait_window(s, DELIVER_WINDOW - 1, errbuf, errlen);
	if (e != SESSION_DONE)
		return e;
	if (deliver_encode(d, r, li, cin, &len, errbuf, errlen))
		return SESSION_FATAL;
	int32_t id = s->next_id;
	s->next_id = s->next_id == INT32_MAX ? 1 : s->next_id + 1;
	if (rose_invoke(id, d->pdu, len, s->msg, sizeof s->msg, &msglen)) {
		snprintf(errbuf, errlen, "record %llu: its IRI does not fit in a ROSE invocation", (unsigned long long)r->seq);
		return SESSION_FATAL;
	}
	if (link_send(s->link, s->msg, msglen, errbuf, errlen))
		return SESSION_BROKEN;
	struct in_flight *f = &s->win[(s->head + s->count) % DELIVER_WINDOW];
	*f = (struct in_flight){ .id = id, .seq = r->seq, .liid = li, .sent_ms = now_ms() };
	s->count++;
	return read_answers(s, 0, errbuf, errlen);
}

/* Sends the order's records in d->batch (read from the current chain) not yet acknowledged. */
static enum session_end send_batch(struct session *s, char *errbuf, size_t errlen)
{
	struct deliverer *d = s->d;
	for (size_t i = 0; i < d->nbatch; i++) {
		const struct record *r = &d->batch[i];
		d->chain->pos = r->seq;
		uint64_t cin = hi2_calls_cin(d->calls, r);
		int li = deliver_scope(d, r);
		if (li < 0)
			continue;
		if (r->seq <= d->liids[li].acked) {
			d->st->already += r->seq <= d->liids[li].acked_before;
			continue;
		}
		enum session_end e = send_record(s, r, li, cin, errbuf, errlen);
		if (e != SESSION_DONE)
			return e;
	}
	return SESSION_DONE;
}

/*
 * One connection: the order's records from the first of every chain, sending what was
 * not acknowledged; with --follow, again and again, looking for new chains too.
 */
static enum session_end run_session(struct session *s, char *errbuf, size_t errlen)
{
	struct deliverer *d = s->d;
	size_t k = 0;
	enum session_end e;
	/* each connection reads the order's records from the first: these count that reading */
	d->st->outside = d->st->other_liid = d->st->already = 0;
	if (deliver_rewind(d, errbuf, errlen))
		return SESSION_FATAL;
	for (;;) {
		if (deliver_stop) /* finish what is in flight, then stop */
			return wait_window(s, 0, errbuf, errlen);
		if (k == d->nchains) { /* every chain read as far as it goes now */
			if ((e = wait_window(s, 0, errbuf, errlen)) != SESSION_DONE)
				return e;
			keep_state(s, true);
			if (!d->opt->follow)
				return SESSION_DONE;
			/* idle: watch the connection (the LEMF may close it) until it is time to look again */
			if ((e = read_answers(s, (int)(d->opt->poll_ms ? d->opt->poll_ms : 500), errbuf, errlen)) !=
			    SESSION_DONE)
				return e;
			if (deliver_list_chains(d, errbuf, errlen))
				return SESSION_FATAL;
			k = 0;
			continue;
		}
		if (d->chain != d->chains[k]) {
			if ((e = wait_window(s, 0, errbuf, errlen)) != SESSION_DONE)
				return e;
			keep_state(s, true);
			if (deliver_use_chain(d, k, errbuf, errlen))
				return SESSION_FATAL;
		}
		if (deliver_fetch(d, d->chain->pos, errbuf, errlen))
			return SESSION_FATAL;
		if (d->nbatch == 0) {
			k++;
			continue;
		}
		if ((e = send_batch(s, errbuf, errlen)) != SESSION_DONE)
			return e;
	}
}

int deliver_tcp(struct deliverer *d, char *errbuf, size_t errlen)
{
	const struct deliver_options *o = d->opt;
	struct link_options lo = {
		.host = d->host, .port = d->port, .tls = o->tls, .ca_file = o->tls_ca, .cert_file = o->tls_cert,
		.key_file = o->tls_key, .keepalive_s = o->keepalive_s, .timeout_ms = CONNECT_TIMEOUT_MS,
	};
	struct session *s = malloc(sizeof *s);
	unsigned failures = 0;
	bool answered = false;
	int rc = DELIVER_EXIT_FAILURE;
	char err[512] = "";
	if (!s) {
		snprintf(errbuf, errlen, "out of memory");
		return DELIVER_EXIT_FAILURE;
	}
	for (;;) {
		memset(s, 0, sizeof *s);
		s->d = d;
		s->next_id = 1;
		if (link_open(&lo, &s->link, err, sizeof err) == 0) {
			d->st->connections++;
			enum session_end e = run_session(s, err, sizeof err);
			d->st->unacknowledged += s->count;
			answered = s->answered != 0;
			link_close(s->link);
			s->link = NULL;
			if (e == SESSION_DONE) {
				rc = 0;
				break;
			}
			if (e == SESSION_FATAL)
				break;
			if (answered)
				failures = 0; /* it went somewhere: the count of failures in a row starts again */
		}
		failures++;
		if ((o->retries && failures >= o->retries) || deliver_stop)
			break;
		unsigned backoff = BACKOFF_FIRST_MS << (failures - 1 < 6 ? failures - 1 : 6);
		sleep_ms(backoff < BACKOFF_MAX_MS ? backoff : BACKOFF_MAX_MS);
	}
	free(s);
	char kerr[512];
	for (int tries = 0; deliver_keep_state(d, kerr, sizeof kerr) != 0; tries++) {
		if (tries == 5) {
			snprintf(errbuf, errlen, "%s (the LEMF's acknowledgements could not be kept: the next delivery resends them)", kerr);
			return DELIVER_EXIT_FAILURE;
		}
		sleep_ms(1000);
	}
	if (rc != 0) {
		if (failures && !answered && o->retries && failures >= o->retries)
			snprintf(errbuf, errlen, "%s (gave up after %u attempts in a row; what was not acknowledged stays for the next delivery)",
				 err, failures);
		else
			snprintf(errbuf, errlen, "%s", err);
	}
	return rc;
}
