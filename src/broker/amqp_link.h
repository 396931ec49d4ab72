/*
 * amqp_link.h — one connection to the broker (RabbitMQ, AMQP 0-9-1 through Debian's
 * librabbitmq): the URL read, the TCP connection with timeouts, the login, one channel,
 * and pentrap's queues declared (docs/scale.md, "The broker"). Every failure is one line
 * naming the broker (password hidden) and what went wrong.
 *
 * Not thread-safe: one link per thread.
 */
#ifndef PENTRAP_BROKER_AMQP_LINK_H
#define PENTRAP_BROKER_AMQP_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/message.h"

/* The queues (their names, and the broker's arguments, are part of the interface). */
#define BROKER_RECORDS_QUEUE "pentrap.records"   /* quorum: records, runs, checkpoints, keys */
#define BROKER_REJECTED_QUEUE "pentrap.rejected" /* quorum: what collectors refused (dead letters) */
#define BROKER_BINDINGS_STREAM "pentrap.bindings" /* stream: identity bindings, replayable */

enum broker_fail {
	BROKER_OK = 0,
	BROKER_BAD_URL,     /* the URL cannot be read: bad usage */
	BROKER_REFUSED,     /* the broker refused the login or the vhost: bad configuration */
	BROKER_UNREACHABLE, /* no connection, or it broke: try again later */
};

struct amqp_link;

/*
 * Reads url (amqp://USER:PASS@HOST[:PORT][/VHOST]) without connecting: BROKER_OK or
 * BROKER_BAD_URL with one line. shown gets the URL with the password hidden.
 */
int amqp_url_check(const char *url, char *shown, size_t shown_len, char *errbuf, size_t errlen);

/*
 * Connects (timeout_ms for the TCP connection and each reply), logs in, opens channel
 * 1 and declares the queues. Returns a broker_fail; on BROKER_OK *out is the link
 * (caller frees with amqp_link_close).
 */
int amqp_link_open(const char *url, unsigned timeout_ms, struct amqp_link **out, char *errbuf, size_t errlen);
void amqp_link_close(struct amqp_link *l); /* accepts NULL */
/* The URL as shown (password hidden). Borrowed. */
const char *amqp_link_name(const struct amqp_link *l);
/* librabbitmq's connection state (amqp_connection_state_t), for the modules of broker/. */
void *amqp_link_conn(struct amqp_link *l);

/* The queues: records (quorum, dead-lettering into the rejected queue), rejected, bindings (stream). */
int amqp_link_declare(struct amqp_link *l, char *errbuf, size_t errlen);

/* Describes the last RPC reply of the link's connection as one line into errbuf; returns
 * BROKER_REFUSED for an access or vhost refusal, else BROKER_UNREACHABLE. */
int amqp_link_reply_error(struct amqp_link *l, const char *what, char *errbuf, size_t errlen);

/*
 * Publishes one persistent message (mandatory: a queue that is gone returns it) to queue
 * on the default exchange, with type and headers h[0..nh). 0, or -1 when the connection
 * failed (the confirm tells whether the broker kept it: broker/publish.c).
 */
int amqp_link_publish(struct amqp_link *l, const char *queue, const char *type, const struct message_header *h,
		      size_t nh, const void *body, size_t len);

/*
 * A received message's headers (an amqp_table_t) as message_headers: texts and whole
 * numbers, at most max; other kinds are left out. Keys live in thread-local storage
 * until the next call, texts in the message.
 */
size_t amqp_link_headers(const void *table, struct message_header *out, size_t max);

/* One line through say (a state change, a refusal), formatted; nothing when say is NULL. */
void broker_say(void (*say)(const char *line), const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
