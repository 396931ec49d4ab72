/*
 * publish.c — the sensor's publisher thread (publish.h).
 *
 * Each cycle reads what the spool committed beyond the confirmed positions, through a
 * read-only connection of its own (SQLite's WAL lets it read while the run writes), and
 * publishes it: the keys and runs whose state it has not yet published on this
 * connection, then up to PUB_RECORDS records in messages of one run's consecutive
 * records, the checkpoints, and the bindings; then it waits for every confirm, and
 * only then moves the positions. A nack, a returned message, a closed channel or a
 * connection that breaks leaves the positions where they were: the next connection
 * publishes the same again (collectors are idempotent). So records leave in seq order,
 * and after an outage what waited goes before anything newer.
 */
#include "broker/publish.h"

#include <amqp.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker/amqp_link.h"
#include "broker/message.h"
#include "record/store_runs.h"

enum {
	PUB_RECORDS = 16384,       /* records read per cycle */
	PUB_BINDINGS = 8192,       /* bindings read per cycle */
	PUB_WINDOW = 512,          /* messages in flight before the confirms are awaited */
	PUB_CONNECT_MS = 5000,
	PUB_CONFIRM_S = 30,        /* a confirm not seen this long: the connection is taken as lost */
	PUB_IDLE_MS = 200,         /* poll when nobody kicks */
	PUB_MAX_RUNS = 65536,
};

static const double PUB_BACKOFF_FIRST_S = 0.5, PUB_BACKOFF_MAX_S = 30.0;

struct publisher {
	char url[1024], shown[512];
	void (*say)(const char *line);
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	bool stop, kicked;
	char spool[4096], next_spool[4096];
	bool connected;
	uint64_t state_since_us;
	char last_error[512];
	uint64_t confirmed_seq, confirmed_cp, confirmed_bind; /* in the current spool */
	uint64_t saved_seq, saved_cp, saved_bind;
	uint64_t spool_last_seq;       /* the last committed seq the thread saw */
	uint64_t published;            /* records confirmed since start */
	uint64_t kick_gen;             /* counts kicks (publisher_kick, publisher_drain) */
	uint64_t cycle_gen;            /* kick_gen when the running cycle began */
	uint64_t idle_gen;             /* cycle_gen of the last cycle that found nothing to publish */
	/* the thread's own */
	struct amqp_link *link;
	struct store *st;
	uint64_t tag_base, next_tag;   /* confirm tags of this cycle: tag_base..next_tag-1 */
	bool acked[PUB_WINDOW];
	uint8_t *run_sent;             /* per run id: 0 none, 1 running, 2 ended published */
	size_t run_sent_n;
	char (*keys_sent)[SIGN_KEY_ID_LEN];
	size_t nkeys_sent;
	double next_try_s, backoff_s;
	bool said_down;
};

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t wall_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

#define say(who, ...) broker_say((who)->say, __VA_ARGS__)

/* --- the connection --- */

static void disconnect(struct publisher *p, const char *why)
{
	amqp_link_close(p->link);
	p->link = NULL;
	p->nkeys_sent = 0;
	if (p->run_sent)
		memset(p->run_sent, 0, p->run_sent_n);
	pthread_mutex_lock(&p->mu);
	bool was = p->connected;
	p->connected = false;
	if (was)
		p->state_since_us = wall_us();
	snprintf(p->last_error, sizeof p->last_error, "%s", why);
	uint64_t waiting = p->spool_last_seq > p->confirmed_seq ? p->spool_last_seq - p->confirmed_seq : 0;
	pthread_mutex_unlock(&p->mu);
	if (was)
		say(p, "broker %s lost (%s): records are kept in the store (%" PRIu64 " waiting) and published when it "
		       "is back", p->shown, why, waiting);
	p->backoff_s = PUB_BACKOFF_FIRST_S;
	p->next_try_s = mono_s() + p->backoff_s;
}

static bool connect_now(struct publisher *p)
{
	char err[512];
	int rc = amqp_link_open(p->url, PUB_CONNECT_MS, &p->link, err, sizeof err);
	if (rc == BROKER_OK) {
		amqp_connection_state_t conn = amqp_link_conn(p->link);
		amqp_confirm_select(conn, 1);
		amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
		if (r.reply_type != AMQP_RESPONSE_NORMAL) {
			rc = amqp_link_reply_error(p->link, "confirm.select", err, sizeof err);
			amqp_link_close(p->link);
			p->link = NULL;
		}
	}
	if (rc != BROKER_OK) {
		pthread_mutex_lock(&p->mu);
		snprintf(p->last_error, sizeof p->last_error, "%s", err);
		pthread_mutex_unlock(&p->mu);
		if (!p->said_down)
			say(p, "%s; records are kept in the store and published when the broker is back (retrying)", err);
		p->said_down = true;
		p->backoff_s = p->backoff_s > 0 ? p->backoff_s * 2 : PUB_BACKOFF_FIRST_S;
		if (p->backoff_s > PUB_BACKOFF_MAX_S)
			p->backoff_s = PUB_BACKOFF_MAX_S;
		p->next_try_s = mono_s() + p->backoff_s;
		return false;
	}
	p->tag_base = p->next_tag = 1;
	pthread_mutex_lock(&p->mu);
	p->connected = true;
	p->state_since_us = wall_us();
	p->last_error[0] = '\0';
	uint64_t waiting = p->spool_last_seq > p->confirmed_seq ? p->spool_last_seq - p->confirmed_seq : 0;
	pthread_mutex_unlock(&p->mu);
	if (p->said_down)
		say(p, "broker %s reached: publishing the %" PRIu64 " records that waited, then the new ones", p->shown,
		    waiting);
	p->said_down = false;
	p->backoff_s = 0;
	return true;
}

/* --- publishing one cycle --- */

static int send(struct publisher *p, const char *queue, enum message_kind k, const struct message_origin *o,
		uint64_t run, uint64_t first, uint64_t count, const char *body, size_t len)
{
	struct message_header h[MESSAGE_MAX_HEADERS];
	size_t nh = message_headers(k, o, run, first, count, h);
	if (p->next_tag - p->tag_base >= PUB_WINDOW)
		return -1; /* the caller keeps within the window */
	if (amqp_link_publish(p->link, queue, message_type_name(k), h, nh, body, len) != 0)
		return -1;
	p->acked[p->next_tag - p->tag_base] = false;
	p->next_tag++;
	return 0;
}

static bool window_full(const struct publisher *p, size_t reserve)
{
	return p->next_tag - p->tag_base + reserve >= PUB_WINDOW;
}

/* Waits for every confirm of this cycle. 0, or -1 with why (the connection is then dropped). */
static int wait_confirms(struct publisher *p, char *why, size_t whylen)
{
	amqp_connection_state_t conn = amqp_link_conn(p->link);
	uint64_t done = p->tag_base; /* the first tag not yet confirmed */
	while (done < p->next_tag) {
		amqp_frame_t f;
		struct timeval tv = { .tv_sec = PUB_CONFIRM_S };
		int st = amqp_simple_wait_frame_noblock(conn, &f, &tv);
		if (st != AMQP_STATUS_OK) {
			snprintf(why, whylen, "waiting for confirms: %s", amqp_error_string2(st));
			return -1;
		}
		if (f.frame_type != AMQP_FRAME_METHOD)
			continue;
		switch (f.payload.method.id) {
		case AMQP_BASIC_ACK_METHOD: {
			const amqp_basic_ack_t *a = f.payload.method.decoded;
			uint64_t tag = a->delivery_tag;
			if (tag < p->tag_base || tag >= p->next_tag)
				break;
			if (a->multiple)
				for (uint64_t t = done; t <= tag; t++)
					p->acked[t - p->tag_base] = true;
			else
				p->acked[tag - p->tag_base] = true;
			while (done < p->next_tag && p->acked[done - p->tag_base])
				done++;
			break;
		}
		case AMQP_BASIC_NACK_METHOD:
			snprintf(why, whylen, "the broker did not keep a message (nack)");
			return -1;
		case AMQP_BASIC_RETURN_METHOD: {
			amqp_message_t m;
			if (amqp_read_message(conn, f.channel, &m, 0).reply_type == AMQP_RESPONSE_NORMAL)
				amqp_destroy_message(&m);
			snprintf(why, whylen, "a queue is missing (message returned)");
			return -1;
		}
		case AMQP_CHANNEL_CLOSE_METHOD:
		case AMQP_CONNECTION_CLOSE_METHOD:
			snprintf(why, whylen, "the broker closed the connection");
			return -1;
		default:
			break;
		}
	}
	p->tag_base = p->next_tag;
	return 0;
}

/* Appends text[0..n) and a newline to a growing message body. false: out of memory. */
static bool append_line(char **body, size_t *len, size_t *cap, const char *text, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t want = (*len + n + 1) * 2;
		char *grown = realloc(*body, want);
		if (!grown)
			return false;
		*body = grown;
		*cap = want;
	}
	memcpy(*body + *len, text, n);
	(*body)[*len + n] = '\n';
	*len += n + 1;
	return true;
}

/* The records of a cycle, gathered into messages of one run's consecutive records. */
struct rec_batch {
	struct publisher *p;
	const struct message_origin *o;
	const struct store_runs *runs;
	char *body;
	size_t len, cap;
	uint64_t run, first, count, last;
	int fail;
};

static int flush_batch(struct rec_batch *b)
{
	if (b->count == 0)
		return 0;
	int rc = send(b->p, BROKER_RECORDS_QUEUE, MSG_RECORDS, b->o, b->run, b->first, b->count, b->body, b->len);
	b->len = 0;
	b->count = 0;
	return rc;
}

static int on_spool_record(const struct record *r, void *ud)
{
	struct rec_batch *b = ud;
	uint64_t run = store_runs_of_seq(b->runs, r->seq);
	if (b->count && (run != b->run || b->count == MESSAGE_MAX_RECORDS || r->seq != b->first + b->count) &&
	    flush_batch(b) != 0)
		return b->fail = -1;
	if (b->count == 0 && window_full(b->p, 2))
		return 1; /* the rest next cycle */
	size_t n;
	char *line = record_to_line(r, &n);
	if (!line)
		return b->fail = -1;
	bool ok = append_line(&b->body, &b->len, &b->cap, line, n);
	free(line);
	if (!ok)
		return b->fail = -1;
	if (b->count == 0) {
		b->run = run;
		b->first = r->seq;
	}
	b->count++;
	b->last = r->seq;
	return 0;
}

struct cp_batch {
	struct publisher *p;
	const struct message_origin *o;
	uint64_t after, last;
	int fail;
};

static int on_spool_checkpoint(const struct checkpoint *cp, void *ud)
{
	struct cp_batch *c = ud;
	if (cp->id <= c->after)
		return 0;
	if (window_full(c->p, 1))
		return 1;
	size_t len;
	char *body = message_checkpoint_body(cp, &len);
	int rc = body ? send(c->p, BROKER_RECORDS_QUEUE, MSG_CHECKPOINT, c->o, 0, 0, 0, body, len) : -1;
	free(body);
	if (rc)
		return c->fail = -1;
	c->last = cp->id;
	return 0;
}

struct bind_batch {
	struct publisher *p;
	const struct message_origin *o;
	char *body;
	size_t len, cap, count;
	uint64_t last;
	int fail;
};

static int flush_bindings(struct bind_batch *b)
{
	if (b->count == 0)
		return 0;
	int rc = send(b->p, BROKER_BINDINGS_STREAM, MSG_BINDINGS, b->o, 0, 0, 0, b->body, b->len);
	b->len = b->count = 0;
	return rc;
}

static int on_spool_binding(uint64_t id, uint64_t ts_us, const char *text, void *ud)
{
	(void)ts_us;
	struct bind_batch *b = ud;
	size_t n = strlen(text);
	if (b->count == MESSAGE_MAX_BINDINGS && flush_bindings(b) != 0)
		return b->fail = -1;
	if (b->count == 0 && window_full(b->p, 1))
		return 1;
	if (!append_line(&b->body, &b->len, &b->cap, text, n))
		return b->fail = -1;
	b->count++;
	b->last = id;
	return 0;
}

static bool key_sent(struct publisher *p, const char *id)
{
	for (size_t i = 0; i < p->nkeys_sent; i++)
		if (strcmp(p->keys_sent[i], id) == 0)
			return true;
	return false;
}

/* The spool's sender: its genesis, and the sensor and key of its last run. 0, or 1 when not there yet. */
static int origin_of(struct publisher *p, const struct store_runs *runs, struct message_origin *o)
{
	char err[256];
	memset(o, 0, sizeof *o);
	if (runs->n == 0 || store_genesis(p->st, &o->genesis, err, sizeof err) != 1)
		return 1;
	const struct run_info *last = &runs->v[runs->n - 1].ri;
	snprintf(o->sensor, sizeof o->sensor, "%s", last->sensor_id);
	snprintf(o->key_id, sizeof o->key_id, "%s", last->key_id);
	return 0;
}

/*
 * One cycle: publish, await the confirms, move the positions. 1 when something was
 * published, 0 when there was nothing to, -1 when the connection failed (why set).
 */
static int cycle(struct publisher *p, char *why, size_t whylen)
{
	struct store_runs runs = { 0 };
	struct message_origin o;
	char err[256];
	struct rec_batch rb = { .p = p, .o = &o, .runs = &runs };
	struct cp_batch cb = { .p = p, .o = &o };
	struct bind_batch bb = { .p = p, .o = &o };
	uint8_t *run_now = NULL;
	int rc = 0;
	if (store_runs_load(p->st, &runs, err, sizeof err) != 0 || origin_of(p, &runs, &o) != 0)
		goto out; /* the spool has no run yet */
	pthread_mutex_lock(&p->mu);
	uint64_t seq = p->confirmed_seq, cp_after = p->confirmed_cp, bind_after = p->confirmed_bind;
	pthread_mutex_unlock(&p->mu);
	char last_hash[HASH_HEX_LEN];
	uint64_t spool_last = store_last_seq(p->st, last_hash);
	size_t before = p->next_tag;
	/* keys and runs not yet published on this connection, or whose state changed */
	const char *new_keys[64];
	size_t nnew_keys = 0;
	for (size_t i = 0; i < runs.n && nnew_keys < 64; i++) {
		const struct run_info *ri = &runs.v[i].ri;
		bool dup = key_sent(p, ri->key_id);
		for (size_t k = 0; k < nnew_keys && !dup; k++)
			dup = strcmp(new_keys[k], ri->key_id) == 0;
		if (dup)
			continue;
		char *pem = store_key_pem(p->st, ri->key_id);
		size_t len;
		char *body = pem ? message_key_body(ri->key_id, pem, &len) : NULL;
		int src = body ? send(p, BROKER_RECORDS_QUEUE, MSG_KEY, &o, 0, 0, 0, body, len) : 0;
		free(pem);
		free(body);
		if (src) {
			snprintf(why, whylen, "publishing a key");
			rc = -1;
			goto out;
		}
		new_keys[nnew_keys++] = ri->key_id;
	}
	run_now = calloc(runs.n ? runs.n : 1, 1);
	if (!run_now)
		goto out;
	for (size_t i = 0; i < runs.n; i++) {
		const struct run_info *ri = &runs.v[i].ri;
		uint8_t state = strcmp(ri->status, "ended") == 0 ? 2 : 1;
		run_now[i] = state;
		if (ri->id < p->run_sent_n && p->run_sent[ri->id] == state)
			continue;
		size_t len;
		char *body = message_run_body(ri, &len);
		int src = body ? send(p, BROKER_RECORDS_QUEUE, MSG_RUN, &o, 0, 0, 0, body, len) : -1;
		free(body);
		if (src) {
			snprintf(why, whylen, "publishing a run");
			rc = -1;
			goto out;
		}
	}
	rb.last = seq;
	if (store_records_after(p->st, seq, PUB_RECORDS, on_spool_record, &rb, err, sizeof err) < 0 || rb.fail ||
	    flush_batch(&rb) != 0) {
		snprintf(why, whylen, "publishing records");
		rc = -1;
		goto out;
	}
	cb.after = cb.last = cp_after;
	if (store_each_checkpoint(p->st, on_spool_checkpoint, &cb, err, sizeof err) < 0 || cb.fail) {
		snprintf(why, whylen, "publishing checkpoints");
		rc = -1;
		goto out;
	}
	bb.last = bind_after;
	if (store_each_binding(p->st, bind_after, PUB_BINDINGS, on_spool_binding, &bb, err, sizeof err) < 0 ||
	    bb.fail || flush_bindings(&bb) != 0) {
		snprintf(why, whylen, "publishing bindings");
		rc = -1;
		goto out;
	}
	if (p->next_tag == before) {
		/* nothing to publish: keep the connection's heartbeats going */
		amqp_frame_t f;
		struct timeval zero = { 0 };
		int st = amqp_simple_wait_frame_noblock(amqp_link_conn(p->link), &f, &zero);
		if (st != AMQP_STATUS_OK && st != AMQP_STATUS_TIMEOUT) {
			snprintf(why, whylen, "%s", amqp_error_string2(st));
			rc = -1;
		}
		pthread_mutex_lock(&p->mu);
		p->spool_last_seq = spool_last;
		if (rc == 0)
			p->idle_gen = p->cycle_gen;
		pthread_mutex_unlock(&p->mu);
		goto out;
	}
	if (wait_confirms(p, why, whylen) != 0) {
		rc = -1;
		goto out;
	}
	for (size_t k = 0; k < nnew_keys; k++) {
		char (*grown)[SIGN_KEY_ID_LEN] = realloc(p->keys_sent, (p->nkeys_sent + 1) * sizeof *grown);
		if (!grown)
			break;
		p->keys_sent = grown;
		snprintf(p->keys_sent[p->nkeys_sent++], SIGN_KEY_ID_LEN, "%s", new_keys[k]);
	}
	for (size_t i = 0; i < runs.n; i++) {
		uint64_t id = runs.v[i].ri.id;
		if (id >= PUB_MAX_RUNS)
			continue; /* published again each cycle: harmless, and never reached in practice */
		if (id >= p->run_sent_n) {
			size_t n = (size_t)id * 2 + 16;
			uint8_t *grown = realloc(p->run_sent, n);
			if (!grown)
				continue;
			memset(grown + p->run_sent_n, 0, n - p->run_sent_n);
			p->run_sent = grown;
			p->run_sent_n = n;
		}
		p->run_sent[id] = run_now[i];
	}
	pthread_mutex_lock(&p->mu);
	p->published += rb.last - seq;
	p->confirmed_seq = rb.last;
	p->confirmed_cp = cb.last;
	p->confirmed_bind = bb.last;
	p->spool_last_seq = spool_last;
	pthread_mutex_unlock(&p->mu);
	rc = 1;
out:
	free(run_now);
	free(rb.body);
	free(bb.body);
	store_runs_free(&runs);
	return rc;
}

/* --- the thread --- */

/* Opens the current spool and reads its saved positions; false when it is not there yet. */
static bool open_spool(struct publisher *p)
{
	char err[512], path[4096];
	uint64_t seq = 0, cp = 0, bind = 0;
	pthread_mutex_lock(&p->mu);
	snprintf(path, sizeof path, "%s", p->spool);
	pthread_mutex_unlock(&p->mu);
	if (store_open_readonly(path, &p->st, err, sizeof err) != 0)
		return false;
	if (store_cursor_get(p->st, PUBLISH_CURSOR_RECORDS, &seq, err, sizeof err) != 0 ||
	    store_cursor_get(p->st, PUBLISH_CURSOR_CHECKPOINTS, &cp, err, sizeof err) != 0 ||
	    store_cursor_get(p->st, PUBLISH_CURSOR_BINDINGS, &bind, err, sizeof err) != 0) {
		store_close(p->st);
		p->st = NULL;
		return false;
	}
	pthread_mutex_lock(&p->mu);
	p->confirmed_seq = p->saved_seq = seq;
	p->confirmed_cp = p->saved_cp = cp;
	p->confirmed_bind = p->saved_bind = bind;
	pthread_mutex_unlock(&p->mu);
	return true;
}

/* The current spool is done and the run went on in the next one: save here, move there. */
static void move_on(struct publisher *p)
{
	char err[512], path[4096];
	struct store *rw = NULL;
	store_close(p->st);
	p->st = NULL;
	pthread_mutex_lock(&p->mu);
	snprintf(path, sizeof path, "%s", p->spool);
	uint64_t seq = p->confirmed_seq, cp = p->confirmed_cp, bind = p->confirmed_bind;
	memcpy(p->spool, p->next_spool, sizeof p->spool);
	p->next_spool[0] = '\0';
	pthread_mutex_unlock(&p->mu);
	/* nobody writes the old store any more: its positions are saved by opening it once */
	if (store_open(path, &rw, err, sizeof err) == 0) {
		store_cursor_set(rw, PUBLISH_CURSOR_RECORDS, seq, err, sizeof err);
		store_cursor_set(rw, PUBLISH_CURSOR_CHECKPOINTS, cp, err, sizeof err);
		store_cursor_set(rw, PUBLISH_CURSOR_BINDINGS, bind, err, sizeof err);
	}
	store_close(rw);
	if (p->run_sent)
		memset(p->run_sent, 0, p->run_sent_n);
}

static void *thread_main(void *arg)
{
	struct publisher *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		int did = 0;
		pthread_mutex_lock(&p->mu);
		p->cycle_gen = p->kick_gen;
		pthread_mutex_unlock(&p->mu);
		if (p->st && !p->link) {
			/* while the broker is away, keep counting what waits */
			char h[HASH_HEX_LEN];
			uint64_t last = store_last_seq(p->st, h);
			pthread_mutex_lock(&p->mu);
			p->spool_last_seq = last;
			pthread_mutex_unlock(&p->mu);
		}
		if (!p->st && !open_spool(p)) {
			did = 0;
		} else if (!p->link && mono_s() < p->next_try_s) {
			did = 0;
		} else if (!p->link && !connect_now(p)) {
			did = 0;
		} else {
			char why[256] = "";
			did = cycle(p, why, sizeof why);
			if (did < 0) {
				disconnect(p, why);
				did = 0;
			}
			pthread_mutex_lock(&p->mu);
			bool follow = did == 0 && p->idle_gen == p->cycle_gen && p->link && p->next_spool[0];
			pthread_mutex_unlock(&p->mu);
			if (follow)
				move_on(p);
		}
		if (did > 0)
			continue;
		pthread_mutex_lock(&p->mu);
		if (!p->kicked && !p->stop) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += PUB_IDLE_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&p->cv, &p->mu, &until);
		}
		p->kicked = false;
		pthread_mutex_unlock(&p->mu);
	}
	amqp_link_close(p->link);
	p->link = NULL;
	store_close(p->st);
	p->st = NULL;
	return NULL;
}

int publisher_start(const struct publisher_config *cfg, struct publisher **out, char *errbuf, size_t errlen)
{
	struct publisher *p = calloc(1, sizeof *p);
	*out = NULL;
	if (!p) {
		snprintf(errbuf, errlen, "out of memory");
		return 1;
	}
	if (amqp_url_check(cfg->url, p->shown, sizeof p->shown, errbuf, errlen) != BROKER_OK) {
		free(p);
		return 2;
	}
	snprintf(p->url, sizeof p->url, "%s", cfg->url);
	snprintf(p->spool, sizeof p->spool, "%s", cfg->spool);
	p->say = cfg->say;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	/* once now: a refused login is a configuration error, said before capture starts */
	char err[512];
	struct amqp_link *l = NULL;
	int rc = amqp_link_open(p->url, PUB_CONNECT_MS, &l, err, sizeof err);
	amqp_link_close(l);
	if (rc == BROKER_REFUSED || rc == BROKER_BAD_URL) {
		snprintf(errbuf, errlen, "%s", err);
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p);
		return rc == BROKER_BAD_URL ? 2 : 1;
	}
	if (rc != BROKER_OK) {
		say(p, "%s; records are kept in the store and published when the broker is back (retrying)", err);
		p->said_down = true;
		snprintf(p->last_error, sizeof p->last_error, "%s", err);
	}
	p->state_since_us = wall_us();
	if (pthread_create(&p->thread, NULL, thread_main, p) != 0) {
		snprintf(errbuf, errlen, "cannot start the publisher thread: %s", strerror(errno));
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p);
		return 1;
	}
	*out = p;
	return 0;
}

void publisher_kick(struct publisher *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->kicked = true;
	p->kick_gen++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void publisher_follow(struct publisher *p, const char *spool)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	snprintf(p->next_spool, sizeof p->next_spool, "%s", spool);
	p->kicked = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int publisher_save(struct publisher *p, struct store *s, char *errbuf, size_t errlen)
{
	if (!p || !s)
		return 0;
	pthread_mutex_lock(&p->mu);
	bool same = strcmp(store_name(s), p->spool) == 0;
	uint64_t seq = p->confirmed_seq, cp = p->confirmed_cp, bind = p->confirmed_bind;
	bool moved = seq != p->saved_seq || cp != p->saved_cp || bind != p->saved_bind;
	pthread_mutex_unlock(&p->mu);
	if (!same || !moved)
		return 0;
	if (store_cursor_set(s, PUBLISH_CURSOR_RECORDS, seq, errbuf, errlen) != 0 ||
	    store_cursor_set(s, PUBLISH_CURSOR_CHECKPOINTS, cp, errbuf, errlen) != 0 ||
	    store_cursor_set(s, PUBLISH_CURSOR_BINDINGS, bind, errbuf, errlen) != 0)
		return -1;
	pthread_mutex_lock(&p->mu);
	p->saved_seq = seq;
	p->saved_cp = cp;
	p->saved_bind = bind;
	pthread_mutex_unlock(&p->mu);
	return 0;
}

uint64_t publisher_drain(struct publisher *p, double timeout_s, volatile sig_atomic_t *stop)
{
	if (!p)
		return 0;
	double start = mono_s(), next_say = start + 10.0;
	uint64_t waiting = 0;
	publisher_kick(p);
	pthread_mutex_lock(&p->mu);
	uint64_t want = p->kick_gen;
	pthread_mutex_unlock(&p->mu);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		/* a cycle begun after this call found nothing left: everything is confirmed */
		bool done = p->idle_gen >= want && p->connected;
		waiting = p->spool_last_seq > p->confirmed_seq ? p->spool_last_seq - p->confirmed_seq : 0;
		pthread_mutex_unlock(&p->mu);
		if (done)
			return 0;
		double now = mono_s();
		if ((stop && *stop) || (timeout_s >= 0 && now - start >= timeout_s))
			return waiting ? waiting : 1;
		if (now >= next_say) {
			say(p, "waiting for the broker %s: %" PRIu64 " records not yet published", p->shown, waiting);
			next_say = now + 10.0;
		}
		struct timespec t = { .tv_nsec = 50 * 1000000L };
		nanosleep(&t, NULL);
	}
}

void publisher_stats(struct publisher *p, char *line, size_t len)
{
	if (!p) {
		snprintf(line, len, "no broker");
		return;
	}
	pthread_mutex_lock(&p->mu);
	uint64_t waiting = p->spool_last_seq > p->confirmed_seq ? p->spool_last_seq - p->confirmed_seq : 0;
	time_t since = (time_t)(p->state_since_us / 1000000);
	struct tm tm;
	char when[32] = "";
	if (gmtime_r(&since, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(line, len, "broker %s since %s, %" PRIu64 " records published, %" PRIu64 " waiting%s%s",
		 p->connected ? "connected" : "unreachable", when, p->published, waiting,
		 p->connected || !p->last_error[0] ? "" : ": ", p->connected ? "" : p->last_error);
	pthread_mutex_unlock(&p->mu);
}

void publisher_stop(struct publisher *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->run_sent);
	free(p->keys_sent);
	free(p);
}
