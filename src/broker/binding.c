/* binding.c — identity operations as lines, and a queue of them (binding.h). */
#include "broker/binding.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"
#include "record/json_read.h"

enum { BINDING_TOKENS = 32 };

static const char *const op_names[] = { "bind", "unbind", "unbind-source", "unbind-holder" };
static const enum identity_source sources[] = { ID_SRC_GTPV1, ID_SRC_GTPV2, ID_SRC_RADIUS, ID_SRC_DIAMETER,
						ID_SRC_SIP_REGISTER };

/* Appends ,"key":"value" (escaped) when value is not empty. */
static void put(char *out, size_t outlen, size_t *n, const char *key, const char *value)
{
	if (!value[0] || *n >= outlen)
		return;
	*n += (size_t)snprintf(out + *n, outlen - *n, ",\"%s\":\"", key);
	if (*n < outlen) {
		json_escape(value, strlen(value), out + *n, outlen - *n);
		*n += strlen(out + *n);
	}
	if (*n < outlen)
		*n += (size_t)snprintf(out + *n, outlen - *n, "\"");
}

size_t binding_to_text(const struct identity_op *op, char *out, size_t outlen)
{
	char a[ADDR_STRLEN];
	const struct identity_binding *b = &op->b;
	if ((unsigned)op->kind > ID_OP_UNBIND_HOLDER || outlen == 0)
		return 0;
	size_t n = (size_t)snprintf(out, outlen, "{\"op\":\"%s\",\"addr\":\"%s\"", op_names[op->kind],
				    addr_format(&b->addr, a, sizeof a));
	if (n < outlen && op->kind == ID_OP_BIND)
		n += (size_t)snprintf(out + n, outlen - n, ",\"prefix\":%u", b->prefix_len);
	if (n < outlen && op->kind != ID_OP_UNBIND)
		n += (size_t)snprintf(out + n, outlen - n, ",\"source\":\"%s\"", identity_source_name(b->source));
	if (n < outlen && op->kind == ID_OP_BIND)
		n += (size_t)snprintf(out + n, outlen - n, ",\"start_us\":%" PRIu64 ",\"end_us\":%" PRIu64, b->start_us,
				      b->end_us);
	else if (n < outlen)
		n += (size_t)snprintf(out + n, outlen - n, ",\"end_us\":%" PRIu64, op->end_us);
	if (op->kind == ID_OP_BIND || op->kind == ID_OP_UNBIND_HOLDER) {
		put(out, outlen, &n, "msisdn", b->sub.msisdn);
		put(out, outlen, &n, "imsi", b->sub.imsi);
		put(out, outlen, &n, "imei", b->sub.imei);
		put(out, outlen, &n, "apn", b->sub.apn);
		put(out, outlen, &n, "sip", b->sub.sip);
	}
	if (n + 2 > outlen)
		return 0;
	out[n++] = '}';
	out[n] = '\0';
	return n;
}

uint64_t binding_time(const struct identity_op *op)
{
	return op->kind == ID_OP_BIND ? op->b.start_us : op->end_us;
}

static int refuse(char *why, size_t whylen, const char *what)
{
	if (whylen)
		snprintf(why, whylen, "%s", what);
	return -1;
}

/* A string member into out (an identity field: a longer one is refused, never cut). */
static bool text_member(const struct json_doc *d, const char *key, char *out, size_t outlen, bool required)
{
	long i = json_get(d, 0, key);
	out[0] = '\0';
	if (i < 0)
		return !required;
	long n = json_string(d, (size_t)i, out, outlen);
	return n >= 0 && (size_t)n < outlen && strlen(out) == (size_t)n;
}

static bool num_member(const struct json_doc *d, const char *key, uint64_t *v)
{
	long i = json_get(d, 0, key);
	return i >= 0 && json_u64(d, (size_t)i, v) == 0;
}

int binding_from_text(const char *text, size_t len, struct identity_op *op, char *why, size_t whylen)
{
	struct json_token tok[BINDING_TOKENS];
	struct json_doc d;
	char kind[24], addr[ADDR_STRLEN + 8], source[24];
	memset(op, 0, sizeof *op);
	if (len == 0 || len > BINDING_TEXT_MAX || json_parse(text, len, tok, BINDING_TOKENS, &d) < 1 ||
	    tok[0].type != JSON_OBJECT)
		return refuse(why, whylen, "not a JSON object");
	if (!text_member(&d, "op", kind, sizeof kind, true))
		return refuse(why, whylen, "no op");
	int k = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(kind, op_names[i]) == 0)
			k = i;
	if (k < 0)
		return refuse(why, whylen, "an unknown op");
	op->kind = (enum identity_op_kind)k;
	struct identity_binding *b = &op->b;
	if (!text_member(&d, "addr", addr, sizeof addr, true) || addr_parse(addr, &b->addr) != 0)
		return refuse(why, whylen, "no address");
	if (op->kind != ID_OP_UNBIND) {
		if (!text_member(&d, "source", source, sizeof source, true))
			return refuse(why, whylen, "no source");
		int s = -1;
		for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
			if (strcmp(source, identity_source_name(sources[i])) == 0)
				s = (int)i;
		if (s < 0)
			return refuse(why, whylen, "an unknown source");
		b->source = sources[s];
	}
	if (op->kind == ID_OP_BIND) {
		uint64_t prefix;
		if (!num_member(&d, "prefix", &prefix) || prefix > 128 || !num_member(&d, "start_us", &b->start_us) ||
		    !num_member(&d, "end_us", &b->end_us))
			return refuse(why, whylen, "no prefix, start or end");
		b->prefix_len = (unsigned)prefix;
	} else if (!num_member(&d, "end_us", &op->end_us)) {
		return refuse(why, whylen, "no end");
	}
	if (!text_member(&d, "msisdn", b->sub.msisdn, sizeof b->sub.msisdn, false) ||
	    !text_member(&d, "imsi", b->sub.imsi, sizeof b->sub.imsi, false) ||
	    !text_member(&d, "imei", b->sub.imei, sizeof b->sub.imei, false) ||
	    !text_member(&d, "apn", b->sub.apn, sizeof b->sub.apn, false) ||
	    !text_member(&d, "sip", b->sub.sip, sizeof b->sub.sip, false))
		return refuse(why, whylen, "an identity longer than a subscriber's");
	return 0;
}

/* --- the queue --- */

struct binding_queue {
	pthread_mutex_t mu;
	struct identity_op *v;
	size_t head, n, cap, max;
	uint64_t dropped, pushed;
};

struct binding_queue *binding_queue_new(size_t max)
{
	struct binding_queue *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	pthread_mutex_init(&q->mu, NULL);
	q->max = max ? max : 1;
	return q;
}

void binding_queue_free(struct binding_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	free(q->v);
	free(q);
}

/* Grows the ring (unwrapping it); false when at the cap or out of memory. */
static bool grow(struct binding_queue *q)
{
	if (q->cap >= q->max)
		return false;
	size_t cap = q->cap ? q->cap * 2 : 256;
	if (cap > q->max)
		cap = q->max;
	struct identity_op *v = malloc(cap * sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < q->n; i++)
		v[i] = q->v[(q->head + i) % q->cap];
	free(q->v);
	q->v = v;
	q->cap = cap;
	q->head = 0;
	return true;
}

void binding_queue_push(struct binding_queue *q, const struct identity_op *op)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	if (q->n == q->cap && !grow(q)) {
		q->dropped++;
	} else {
		q->v[(q->head + q->n) % q->cap] = *op;
		q->n++;
		q->pushed++;
	}
	pthread_mutex_unlock(&q->mu);
}

size_t binding_queue_take(struct binding_queue *q, struct identity_op *out, size_t max)
{
	if (!q)
		return 0;
	pthread_mutex_lock(&q->mu);
	size_t k = q->n < max ? q->n : max;
	for (size_t i = 0; i < k; i++)
		out[i] = q->v[(q->head + i) % q->cap];
	q->head = q->cap ? (q->head + k) % q->cap : 0;
	q->n -= k;
	pthread_mutex_unlock(&q->mu);
	return k;
}

/* The counters, read under the lock (the queue is const to its readers, not to the lock). */
static uint64_t counter(const struct binding_queue *q, const uint64_t *c)
{
	if (!q)
		return 0;
	pthread_mutex_t *mu = (pthread_mutex_t *)&q->mu;
	pthread_mutex_lock(mu);
	uint64_t v = *c;
	pthread_mutex_unlock(mu);
	return v;
}

uint64_t binding_queue_dropped(const struct binding_queue *q)
{
	return counter(q, q ? &q->dropped : NULL);
}

uint64_t binding_queue_pushed(const struct binding_queue *q)
{
	return counter(q, q ? &q->pushed : NULL);
}
