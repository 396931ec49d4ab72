/*
 * binding_feed.c — the consumer of other sensors' identity bindings (binding_feed.h).
 *
 * A RabbitMQ stream is read over AMQP 0-9-1 with a prefetch and manual acks, from an
 * offset given at basic.consume ("first", or the offset after the last one read when a
 * connection is made again, so nothing is queued twice); each delivery carries its
 * offset in the x-stream-offset header.
 */
#include "broker/binding_feed.h"

#include <amqp.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/amqp_link.h"
#include "broker/binding.h"
#include "broker/message.h"

enum {
	FEED_CHANNEL = 1,
	FEED_PREFETCH = 2000,
	FEED_ACK_EVERY = 500,
	FEED_POLL_MS = 200,
	FEED_CONNECT_MS = 5000,
	FEED_QUEUE_MAX = 1 << 22, /* operations waiting for the pipeline */
};

#define MARKER_TYPE "pentrap.marker"

struct binding_feed {
	char url[1024];
	char sensor[128];
	char nonce[40];
	void (*say)(const char *line);
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, caught_up;
	uint64_t received, refused;
	struct binding_queue *q;
	/* the thread's own */
	struct amqp_link *link;
	int64_t next_offset;      /* -1: from the first */
	bool marker_sent, said_down, said_refused;
	unsigned unacked;
	uint64_t last_tag;
};

#define say(who, ...) broker_say((who)->say, __VA_ARGS__)

static void pause_ms(unsigned ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static bool connect_feed(struct binding_feed *f)
{
	char err[512];
	if (amqp_link_open(f->url, FEED_CONNECT_MS, &f->link, err, sizeof err) != BROKER_OK) {
		if (!f->said_down)
			say(f, "%s; other sensors' identity bindings are read once it is reachable (retrying)", err);
		f->said_down = true;
		return false;
	}
	amqp_connection_state_t conn = amqp_link_conn(f->link);
	amqp_basic_qos(conn, FEED_CHANNEL, 0, FEED_PREFETCH, 0);
	amqp_table_entry_t arg;
	arg.key = amqp_cstring_bytes("x-stream-offset");
	if (f->next_offset < 0) {
		arg.value.kind = AMQP_FIELD_KIND_UTF8;
		arg.value.value.bytes = amqp_cstring_bytes("first");
	} else {
		arg.value.kind = AMQP_FIELD_KIND_I64;
		arg.value.value.i64 = f->next_offset;
	}
	amqp_table_t args = { .num_entries = 1, .entries = &arg };
	amqp_basic_consume(conn, FEED_CHANNEL, amqp_cstring_bytes(BROKER_BINDINGS_STREAM), amqp_empty_bytes, 0, 0, 0,
			   args);
	if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) {
		amqp_link_reply_error(f->link, "consuming the bindings", err, sizeof err);
		if (!f->said_down)
			say(f, "%s (retrying)", err);
		f->said_down = true;
		amqp_link_close(f->link);
		f->link = NULL;
		return false;
	}
	if (!f->marker_sent) {
		/* everything before this marker was published before the sensor started */
		struct message_header h[3] = {
			{ .key = "pentrap-format", .num = MESSAGE_FORMAT },
			{ .key = "sensor", .text = f->sensor, .text_len = strlen(f->sensor) },
			{ .key = "nonce", .text = f->nonce, .text_len = strlen(f->nonce) },
		};
		if (amqp_link_publish(f->link, BROKER_BINDINGS_STREAM, MARKER_TYPE, h, 3, "", 0) != 0) {
			amqp_link_close(f->link);
			f->link = NULL;
			return false;
		}
		f->marker_sent = true;
	}
	if (f->said_down)
		say(f, "broker %s reached: reading other sensors' identity bindings", amqp_link_name(f->link));
	f->said_down = false;
	f->unacked = 0;
	return true;
}

static const struct message_header *find(const struct message_header *h, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].key, key) == 0)
			return &h[i];
	return NULL;
}

static void take_delivery(struct binding_feed *f, amqp_envelope_t *env)
{
	const amqp_message_t *m = &env->message;
	struct message_header h[MESSAGE_MAX_HEADERS];
	size_t nh = (m->properties._flags & AMQP_BASIC_HEADERS_FLAG)
			    ? amqp_link_headers(&m->properties.headers, h, MESSAGE_MAX_HEADERS)
			    : 0;
	const struct message_header *off = find(h, nh, "x-stream-offset");
	if (off && !off->text && off->num >= 0)
		f->next_offset = off->num + 1;
	const char *type = (m->properties._flags & AMQP_BASIC_TYPE_FLAG) ? m->properties.type.bytes : "";
	size_t type_len = (m->properties._flags & AMQP_BASIC_TYPE_FLAG) ? m->properties.type.len : 0;
	if (type_len == strlen(MARKER_TYPE) && memcmp(type, MARKER_TYPE, type_len) == 0) {
		const struct message_header *nonce = find(h, nh, "nonce");
		if (nonce && nonce->text && nonce->text_len == strlen(f->nonce) &&
		    memcmp(nonce->text, f->nonce, nonce->text_len) == 0) {
			pthread_mutex_lock(&f->mu);
			f->caught_up = true;
			pthread_cond_broadcast(&f->cv);
			pthread_mutex_unlock(&f->mu);
		}
		return;
	}
	struct message_in in = { .type = type, .type_len = type_len, .headers = h, .nheaders = nh,
				 .body = m->body.bytes, .body_len = m->body.len };
	struct message_decoded d;
	char why[256];
	uint64_t got = 0, bad = 0;
	enum message_refusal r = message_decode(&in, &d, why, sizeof why);
	if (r != REFUSE_NONE || d.kind != MSG_BINDINGS) {
		bad = 1;
		if (r == REFUSE_NONE)
			snprintf(why, sizeof why, "not bindings");
	} else if (strcmp(d.origin.sensor, f->sensor) != 0) {
		for (size_t i = 0; i < d.nbindings; i++) {
			struct identity_op op;
			if (binding_from_text(d.bindings[i], strlen(d.bindings[i]), &op, why, sizeof why) == 0) {
				binding_queue_push(f->q, &op);
				got++;
			} else {
				bad++;
			}
		}
	}
	if (bad && !f->said_refused) {
		f->said_refused = true;
		say(f, "refused identity bindings on %s (%s); counted, said once", BROKER_BINDINGS_STREAM, why);
	}
	message_decoded_fini(&d);
	pthread_mutex_lock(&f->mu);
	f->received += got;
	f->refused += bad;
	pthread_mutex_unlock(&f->mu);
}

static void *feed_main(void *arg)
{
	struct binding_feed *f = arg;
	unsigned backoff = 500;
	for (;;) {
		pthread_mutex_lock(&f->mu);
		bool stop = f->stop;
		pthread_mutex_unlock(&f->mu);
		if (stop)
			break;
		if (!f->link) {
			if (!connect_feed(f)) {
				/* a pause that a stop ends */
				for (unsigned waited = 0; waited < backoff; waited += 100) {
					pthread_mutex_lock(&f->mu);
					bool stopping = f->stop;
					pthread_mutex_unlock(&f->mu);
					if (stopping)
						break;
					pause_ms(100);
				}
				backoff = backoff < 16000 ? backoff * 2 : 30000;
			} else {
				backoff = 500;
			}
			continue;
		}
		amqp_connection_state_t conn = amqp_link_conn(f->link);
		amqp_envelope_t env;
		struct timeval tv = { .tv_usec = FEED_POLL_MS * 1000 };
		amqp_maybe_release_buffers(conn);
		amqp_rpc_reply_t r = amqp_consume_message(conn, &env, &tv, 0);
		bool lost = false;
		if (r.reply_type == AMQP_RESPONSE_NORMAL) {
			take_delivery(f, &env);
			f->last_tag = env.delivery_tag;
			amqp_destroy_envelope(&env);
			if (++f->unacked >= FEED_ACK_EVERY) {
				lost = amqp_basic_ack(conn, FEED_CHANNEL, f->last_tag, 1) != AMQP_STATUS_OK;
				f->unacked = 0;
			}
		} else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
			if (f->unacked) {
				lost = amqp_basic_ack(conn, FEED_CHANNEL, f->last_tag, 1) != AMQP_STATUS_OK;
				f->unacked = 0;
			}
		} else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
			   r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
			amqp_frame_t fr;
			if (amqp_simple_wait_frame(conn, &fr) != AMQP_STATUS_OK)
				lost = true;
			else if (fr.frame_type == AMQP_FRAME_METHOD && fr.payload.method.id == AMQP_BASIC_RETURN_METHOD) {
				amqp_message_t m;
				if (amqp_read_message(conn, fr.channel, &m, 0).reply_type == AMQP_RESPONSE_NORMAL)
					amqp_destroy_message(&m);
			} else if (fr.frame_type == AMQP_FRAME_METHOD &&
				   (fr.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
				    fr.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
				    fr.payload.method.id == AMQP_BASIC_CANCEL_METHOD)) {
				lost = true;
			}
		} else {
			lost = true;
		}
		if (lost) {
			say(f, "lost the broker while reading identity bindings; reconnecting");
			amqp_link_close(f->link);
			f->link = NULL;
			f->said_down = true;
		}
	}
	amqp_link_close(f->link);
	f->link = NULL;
	return NULL;
}

int binding_feed_start(const struct binding_feed_config *cfg, struct binding_feed **out, char *errbuf,
		       size_t errlen)
{
	struct binding_feed *f = calloc(1, sizeof *f);
	*out = NULL;
	if (!f || !(f->q = binding_queue_new(FEED_QUEUE_MAX))) {
		free(f);
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	snprintf(f->url, sizeof f->url, "%s", cfg->url);
	snprintf(f->sensor, sizeof f->sensor, "%s", cfg->sensor ? cfg->sensor : "");
	f->say = cfg->say;
	f->next_offset = -1;
	unsigned char rnd[12] = { 0 };
	FILE *ur = fopen("/dev/urandom", "rb");
	if (ur) {
		if (fread(rnd, 1, sizeof rnd, ur) != sizeof rnd)
			memset(rnd, 0, sizeof rnd);
		fclose(ur);
	}
	int n = snprintf(f->nonce, sizeof f->nonce, "%d-", (int)getpid());
	for (size_t i = 0; i < sizeof rnd && n + 3 < (int)sizeof f->nonce; i++)
		n += snprintf(f->nonce + n, sizeof f->nonce - (size_t)n, "%02x", rnd[i]);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->thread, NULL, feed_main, f) != 0) {
		snprintf(errbuf, errlen, "cannot start the bindings thread");
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->cv);
		binding_queue_free(f->q);
		free(f);
		return -1;
	}
	*out = f;
	return 0;
}

bool binding_feed_wait(struct binding_feed *f, double timeout_s)
{
	if (!f)
		return true;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)timeout_s;
	until.tv_nsec += (long)((timeout_s - (double)(time_t)timeout_s) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->mu);
	while (!f->caught_up && pthread_cond_timedwait(&f->cv, &f->mu, &until) == 0)
		;
	bool ok = f->caught_up;
	pthread_mutex_unlock(&f->mu);
	return ok;
}

size_t binding_feed_take(struct binding_feed *f, struct identity_op *out, size_t max)
{
	return f ? binding_queue_take(f->q, out, max) : 0;
}

void binding_feed_counts(struct binding_feed *f, uint64_t *received, uint64_t *refused, uint64_t *dropped)
{
	if (!f) {
		*received = *refused = *dropped = 0;
		return;
	}
	pthread_mutex_lock(&f->mu);
	*received = f->received;
	*refused = f->refused;
	pthread_mutex_unlock(&f->mu);
	*dropped = binding_queue_dropped(f->q);
}

void binding_feed_stop(struct binding_feed *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	binding_queue_free(f->q);
	free(f);
}
