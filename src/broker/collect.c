/*
 * collect.c — the collector's loop (collect.h).
 *
 * A batch: the first delivery is awaited up to COLLECT_POLL_MS (so signals and the idle
 * time are looked at), the next ones as long as they come within COLLECT_GATHER_MS, up
 * to the batch size. Every delivery is decoded; the good ones go to store_ingest in one
 * transaction, retried (the database reconnected) until it commits; then the refused
 * ones are rejected and the rest acknowledged at once (basic.ack with multiple). A
 * broker that goes away drops the batch: its deliveries were not acknowledged, so they
 * come again, to this collector or another one, and what was already committed is
 * counted as there.
 */
#include "broker/collect.h"

#include <amqp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker/amqp_link.h"
#include "core/test_hook.h"
#include "record/store.h"

enum {
	COLLECT_BATCH = 64,
	COLLECT_MAX_BATCH = 1024,
	COLLECT_POLL_MS = 500,
	COLLECT_GATHER_MS = 50,
	COLLECT_CONNECT_MS = 5000,
	COLLECT_CHANNEL = 1,
};

static const double BACKOFF_FIRST_S = 0.5, BACKOFF_MAX_S = 30.0;

struct collector {
	const struct collect_options *o;
	struct collect_stats *st;
	struct amqp_link *link;
	struct store *db;
	amqp_envelope_t *env;          /* the batch's deliveries */
	struct message_decoded *dec;
	enum message_refusal *why;
	struct store_ingest *items;
	struct store_ingest_result *res;
	size_t *item_of;               /* delivery i's item, or SIZE_MAX */
	size_t n;
	bool said_refusal[REFUSE__KINDS];
	bool said_db_down, said_broker_down;
};

static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void pause_s(double s)
{
	struct timespec t = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };
	nanosleep(&t, NULL);
}

#define say(who, ...) broker_say((who)->o->say, __VA_ARGS__)

void collect_stats_line(const struct collect_stats *st, char *line, size_t len)
{
	int n = snprintf(line, len,
			 "collect: %" PRIu64 " messages, %" PRIu64 " records stored, %" PRIu64 " already there, %" PRIu64
			 " runs/checkpoints/keys; refused:",
			 st->messages, st->records, st->duplicates, st->rows);
	uint64_t total = 0;
	for (int k = REFUSE_NONE + 1; k < REFUSE__KINDS && n > 0 && (size_t)n < len; k++) {
		total += st->refused[k];
		if (st->refused[k])
			n += snprintf(line + n, len - (size_t)n, " %" PRIu64 " %s,", st->refused[k],
				      message_refusal_name((enum message_refusal)k));
	}
	if (n > 0 && (size_t)n < len) {
		if (total == 0)
			snprintf(line + n, len - (size_t)n, " none");
		else if (line[n - 1] == ',')
			line[n - 1] = '\0';
	}
}

/* --- the broker side --- */

static int subscribe(struct collector *c, char *errbuf, size_t errlen)
{
	amqp_connection_state_t conn = amqp_link_conn(c->link);
	unsigned batch = c->o->batch ? c->o->batch : COLLECT_BATCH;
	amqp_basic_qos(conn, COLLECT_CHANNEL, 0, (uint16_t)(batch * 2 > 65535 ? 65535 : batch * 2), 0);
	if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL)
		return amqp_link_reply_error(c->link, "basic.qos", errbuf, errlen);
	amqp_basic_consume(conn, COLLECT_CHANNEL, amqp_cstring_bytes(BROKER_RECORDS_QUEUE), amqp_empty_bytes, 0, 0, 0,
			   amqp_empty_table);
	if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL)
		return amqp_link_reply_error(c->link, "basic.consume", errbuf, errlen);
	return BROKER_OK;
}

static int connect_broker(struct collector *c, char *errbuf, size_t errlen)
{
	int rc = amqp_link_open(c->o->broker_url, COLLECT_CONNECT_MS, &c->link, errbuf, errlen);
	if (rc == BROKER_OK && (rc = subscribe(c, errbuf, errlen)) != BROKER_OK) {
		amqp_link_close(c->link);
		c->link = NULL;
	}
	return rc;
}

static void drop_batch(struct collector *c)
{
	for (size_t i = 0; i < c->n; i++) {
		amqp_destroy_envelope(&c->env[i]);
		message_decoded_fini(&c->dec[i]);
	}
	c->n = 0;
}

static void broker_lost(struct collector *c, const char *why)
{
	drop_batch(c);
	amqp_link_close(c->link);
	c->link = NULL;
	say(c, "broker lost (%s): the batch not acknowledged comes again; reconnecting", why);
	c->said_broker_down = true;
}

/*
 * The next delivery within timeout_ms into c->env[c->n]: 1 got one, 0 none came, -1 the
 * connection failed (why set).
 */
static int next_delivery(struct collector *c, unsigned timeout_ms, char *why, size_t whylen)
{
	amqp_connection_state_t conn = amqp_link_conn(c->link);
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	amqp_maybe_release_buffers(conn);
	amqp_rpc_reply_t r = amqp_consume_message(conn, &c->env[c->n], &tv, 0);
	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 1;
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
		return 0;
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
		/* a frame that is not a delivery: a close, a cancel; anything else is ignored */
		amqp_frame_t f;
		if (amqp_simple_wait_frame(conn, &f) != AMQP_STATUS_OK) {
			snprintf(why, whylen, "the connection broke");
			return -1;
		}
		if (f.frame_type == AMQP_FRAME_METHOD &&
		    (f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD || f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
		     f.payload.method.id == AMQP_BASIC_CANCEL_METHOD)) {
			snprintf(why, whylen, "the broker closed the channel or cancelled the consumer");
			return -1;
		}
		return 0;
	}
	snprintf(why, whylen, "%s", r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION ? amqp_error_string2(r.library_error)
										     : "the broker closed the connection");
	return -1;
}

/* --- one batch --- */

static void decode(struct collector *c, size_t i)
{
	const amqp_message_t *m = &c->env[i].message;
	struct message_header h[MESSAGE_MAX_HEADERS];
	size_t nh = 0;
	if (m->properties._flags & AMQP_BASIC_HEADERS_FLAG)
		nh = amqp_link_headers(&m->properties.headers, h, MESSAGE_MAX_HEADERS);
	struct message_in in = {
		.type = (m->properties._flags & AMQP_BASIC_TYPE_FLAG) ? m->properties.type.bytes : NULL,
		.type_len = (m->properties._flags & AMQP_BASIC_TYPE_FLAG) ? m->properties.type.len : 0,
		.headers = h,
		.nheaders = nh,
		.body = m->body.bytes,
		.body_len = m->body.len,
	};
	char why[256];
	c->why[i] = message_decode(&in, &c->dec[i], why, sizeof why);
	if (c->why[i] == REFUSE_NONE && c->dec[i].kind == MSG_BINDINGS) {
		c->why[i] = REFUSE_MALFORMED; /* bindings go to the stream, never to the records queue */
		snprintf(why, sizeof why, "identity bindings on the records queue");
	}
	if (c->why[i] != REFUSE_NONE && !c->said_refusal[c->why[i]]) {
		c->said_refusal[c->why[i]] = true;
		say(c, "refused a message (%s: %s; from sensor '%s'); such messages are counted and dead-lettered into "
		       "%s, this is said once",
		    message_refusal_name(c->why[i]), why, c->dec[i].origin.sensor[0] ? c->dec[i].origin.sensor : "?",
		    BROKER_REJECTED_QUEUE);
	}
}

/* Stores the batch's good messages: 0 committed, -1 the database failed (errbuf). */
static int store_batch(struct collector *c, char *errbuf, size_t errlen)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		c->item_of[i] = SIZE_MAX;
		if (c->why[i] == REFUSE_NONE) {
			c->item_of[i] = n;
			c->items[n++] = c->dec[i].item;
		}
	}
	if (n == 0)
		return 0;
	if (!c->db) {
		int rc = store_open(c->o->db, &c->db, errbuf, errlen);
		if (rc != 0)
			return -1;
	}
	if (store_ingest(c->db, c->items, n, c->res, errbuf, errlen) != 0) {
		store_close(c->db); /* reopened (reconnected) for the retry */
		c->db = NULL;
		return -1;
	}
	return 0;
}

/* After the commit: refusals by the store, statistics, the test hook, then rejects and one ack. */
static int settle(struct collector *c, char *why, size_t whylen)
{
	amqp_connection_state_t conn = amqp_link_conn(c->link);
	uint64_t last_ok = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t k = c->item_of[i];
		if (k != SIZE_MAX) {
			const struct store_ingest_result *r = &c->res[k];
			if (r->outcome == STORE_SENSOR_REUSED || r->outcome == STORE_CONFLICT) {
				enum message_refusal kind = r->outcome == STORE_SENSOR_REUSED ? REFUSE_SENSOR_REUSED : REFUSE_CONFLICT;
				c->why[i] = kind;
				if (!c->said_refusal[kind]) {
					c->said_refusal[kind] = true;
					say(c, "refused a message (%s: sensor '%s', key %.16s, chain %.16s); counted and "
					       "dead-lettered into %s, said once",
					    message_refusal_name(kind), c->dec[i].origin.sensor, c->dec[i].origin.key_id,
					    c->dec[i].origin.genesis.hash, BROKER_REJECTED_QUEUE);
				}
			} else if (c->dec[i].kind == MSG_RECORDS) {
				c->st->records += r->stored;
				c->st->duplicates += r->duplicates;
				for (size_t j = 0; j < c->dec[i].item.nrecords; j++)
					test_hook_record(c->dec[i].records[j].seq); /* tests: stop or kill before the ack */
			} else {
				c->st->rows += r->stored;
			}
		}
		c->st->messages++;
		if (c->why[i] != REFUSE_NONE) {
			c->st->refused[c->why[i]]++;
			if (amqp_basic_reject(conn, COLLECT_CHANNEL, c->env[i].delivery_tag, 0) != AMQP_STATUS_OK) {
				snprintf(why, whylen, "rejecting a message");
				return -1;
			}
		} else {
			last_ok = c->env[i].delivery_tag;
		}
	}
	if (last_ok && amqp_basic_ack(conn, COLLECT_CHANNEL, last_ok, 1) != AMQP_STATUS_OK) {
		snprintf(why, whylen, "acknowledging");
		return -1;
	}
	c->st->batches++;
	return 0;
}

static bool alloc_batch(struct collector *c, size_t max)
{
	c->env = calloc(max, sizeof *c->env);
	c->dec = calloc(max, sizeof *c->dec);
	c->why = calloc(max, sizeof *c->why);
	c->items = calloc(max, sizeof *c->items);
	c->res = calloc(max, sizeof *c->res);
	c->item_of = calloc(max, sizeof *c->item_of);
	return c->env && c->dec && c->why && c->items && c->res && c->item_of;
}

static void free_batch(struct collector *c)
{
	drop_batch(c);
	free(c->env);
	free(c->dec);
	free(c->why);
	free(c->items);
	free(c->res);
	free(c->item_of);
}

int collect_run(const struct collect_options *o, volatile sig_atomic_t *stop, volatile sig_atomic_t *stats_now,
		struct collect_stats *st, char *errbuf, size_t errlen)
{
	struct collector c = { .o = o, .st = st };
	size_t max = o->batch ? o->batch : COLLECT_BATCH;
	int status = 1;
	char shown[512], why[512];
	memset(st, 0, sizeof *st);
	if (max > COLLECT_MAX_BATCH)
		max = COLLECT_MAX_BATCH;
	if (amqp_url_check(o->broker_url, shown, sizeof shown, errbuf, errlen) != BROKER_OK)
		return 2;
	if (!alloc_batch(&c, max)) {
		snprintf(errbuf, errlen, "out of memory");
		goto out;
	}
	/* at start, both must be there: a wrong URL, password or database is said at once */
	int orc = store_open(o->db, &c.db, errbuf, errlen);
	if (orc != 0) {
		status = orc == STORE_OPEN_BAD ? 2 : 1;
		goto out;
	}
	int brc = connect_broker(&c, errbuf, errlen);
	if (brc != BROKER_OK) {
		status = brc == BROKER_BAD_URL ? 2 : 1;
		goto out;
	}
	say(&c, "collecting from %s into %s", amqp_link_name(c.link), store_name(c.db));
	double backoff = 0, idle_since = mono_s();
	while (!*stop) {
		if (stats_now && *stats_now) {
			*stats_now = 0;
			char line[512];
			collect_stats_line(st, line, sizeof line);
			say(&c, "%s", line);
		}
		if (!c.link) {
			if (connect_broker(&c, why, sizeof why) != BROKER_OK) {
				backoff = backoff ? backoff * 2 : BACKOFF_FIRST_S;
				if (backoff > BACKOFF_MAX_S)
					backoff = BACKOFF_MAX_S;
				pause_s(backoff);
				continue;
			}
			backoff = 0;
			say(&c, "broker %s reached again", amqp_link_name(c.link));
			c.said_broker_down = false;
			idle_since = mono_s(); /* the idle time counts from here, not from before the outage */
		}
		/* gather */
		int got = next_delivery(&c, COLLECT_POLL_MS, why, sizeof why);
		if (got < 0) {
			broker_lost(&c, why);
			continue;
		}
		if (got == 0) {
			if (o->idle_exit_s > 0 && mono_s() - idle_since >= o->idle_exit_s)
				break;
			continue;
		}
		c.n = 1;
		while (c.n < max && (got = next_delivery(&c, COLLECT_GATHER_MS, why, sizeof why)) == 1)
			c.n++;
		if (got < 0) {
			broker_lost(&c, why);
			continue;
		}
		for (size_t i = 0; i < c.n; i++)
			decode(&c, i);
		/* store, retrying until the database takes it (the broker holds the batch meanwhile) */
		double db_backoff = 0;
		while (store_batch(&c, why, sizeof why) != 0 && !*stop) {
			if (!c.said_db_down)
				say(&c, "database: %s; the batch waits unacknowledged, retrying", why);
			c.said_db_down = true;
			db_backoff = db_backoff ? db_backoff * 2 : BACKOFF_FIRST_S;
			if (db_backoff > BACKOFF_MAX_S)
				db_backoff = BACKOFF_MAX_S;
			pause_s(db_backoff);
		}
		if (*stop && c.n && !c.db)
			break; /* stopped while the database was away: the batch comes again */
		if (c.said_db_down) {
			say(&c, "database reached again");
			c.said_db_down = false;
		}
		if (settle(&c, why, sizeof why) != 0) {
			broker_lost(&c, why);
			continue;
		}
		drop_batch(&c);
		idle_since = mono_s();
	}
	status = 0;
out:
	free_batch(&c);
	amqp_link_close(c.link);
	store_close(c.db);
	return status;
}
