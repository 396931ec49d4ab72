/*
 * amqp_link.c — a connection to RabbitMQ (amqp_link.h), AMQP 0-9-1 through librabbitmq.
 *
 * The records queue is a quorum queue: replicated on every node of a cluster (on one
 * node it is simply durable), persistent messages, and it dead-letters what a
 * collector rejects into pentrap.rejected for an operator to look at. The bindings go to
 * a stream, which keeps them (seven days) for sensors that start later to replay from
 * its beginning (docs/scale.md, "Identity shared between sensors").
 */
#include "broker/amqp_link.h"

#include <stdarg.h>

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "core/url.h"

enum {
	LINK_FRAME_MAX = 131072,
	LINK_HEARTBEAT_S = 30,
	LINK_CHANNEL = 1,
};

static const char BINDINGS_MAX_AGE[] = "7D";

struct amqp_link {
	amqp_connection_state_t conn;
	bool channel_open;
	char shown[512];
};

/* Parses url into info (its strings point into buf, which must outlive it). */
static int parse(const char *url, char *buf, size_t buflen, struct amqp_connection_info *info, char *shown,
		 size_t shown_len, char *errbuf, size_t errlen)
{
	url_hide_password(url, shown, shown_len);
	if (!url || strncmp(url, "amqp://", 7) != 0) {
		snprintf(errbuf, errlen, "%s: not a broker URL (amqp://USER:PASS@HOST:PORT/VHOST)", shown);
		return BROKER_BAD_URL;
	}
	if (strlen(url) >= buflen) {
		snprintf(errbuf, errlen, "%s: broker URL too long", shown);
		return BROKER_BAD_URL;
	}
	memcpy(buf, url, strlen(url) + 1);
	amqp_default_connection_info(info);
	if (amqp_parse_url(buf, info) != AMQP_STATUS_OK || !info->host || !info->host[0]) {
		snprintf(errbuf, errlen, "%s: not a broker URL (amqp://USER:PASS@HOST:PORT/VHOST)", shown);
		return BROKER_BAD_URL;
	}
	return BROKER_OK;
}

int amqp_url_check(const char *url, char *shown, size_t shown_len, char *errbuf, size_t errlen)
{
	char buf[1024];
	struct amqp_connection_info info;
	return parse(url, buf, sizeof buf, &info, shown, shown_len, errbuf, errlen);
}

/* "reply text" of a server's connection.close or channel.close, if that is what came. */
static int server_error(const amqp_rpc_reply_t *r, char *text, size_t len)
{
	const amqp_bytes_t *t = NULL;
	int code = 0;
	if (r->reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
		const amqp_connection_close_t *c = r->reply.decoded;
		t = &c->reply_text;
		code = c->reply_code;
	} else if (r->reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
		const amqp_channel_close_t *c = r->reply.decoded;
		t = &c->reply_text;
		code = c->reply_code;
	}
	snprintf(text, len, "%.*s", t ? (int)t->len : 0, t ? (const char *)t->bytes : "");
	return code;
}

static int describe(const char *shown, const amqp_rpc_reply_t *r, const char *what, char *errbuf, size_t errlen)
{
	char text[256];
	switch (r->reply_type) {
	case AMQP_RESPONSE_NORMAL:
		return BROKER_OK;
	case AMQP_RESPONSE_SERVER_EXCEPTION: {
		int code = server_error(r, text, sizeof text);
		snprintf(errbuf, errlen, "%s: %s: the broker said %d %s", shown, what, code, text[0] ? text : "(no text)");
		/* 403 ACCESS_REFUSED, 530 NOT_ALLOWED (a vhost): it will say so again */
		return code == AMQP_ACCESS_REFUSED || code == AMQP_NOT_ALLOWED ? BROKER_REFUSED : BROKER_UNREACHABLE;
	}
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		/* RabbitMQ refuses a login with connection.close 403 (above); a connection that
		 * closes otherwise is a broker starting or stopping: try again */
		snprintf(errbuf, errlen, "%s: %s: %s", shown, what, amqp_error_string2(r->library_error));
		return BROKER_UNREACHABLE;
	default:
		snprintf(errbuf, errlen, "%s: %s: no reply", shown, what);
		return BROKER_UNREACHABLE;
	}
}

int amqp_link_reply_error(struct amqp_link *l, const char *what, char *errbuf, size_t errlen)
{
	amqp_rpc_reply_t r = amqp_get_rpc_reply(l->conn);
	int rc = describe(l->shown, &r, what, errbuf, errlen);
	return rc == BROKER_OK ? BROKER_UNREACHABLE : rc;
}

int amqp_link_open(const char *url, unsigned timeout_ms, struct amqp_link **out, char *errbuf, size_t errlen)
{
	char buf[1024];
	struct amqp_connection_info info;
	struct amqp_link *l = calloc(1, sizeof *l);
	*out = NULL;
	if (!l) {
		snprintf(errbuf, errlen, "out of memory");
		return BROKER_UNREACHABLE;
	}
	int rc = parse(url, buf, sizeof buf, &info, l->shown, sizeof l->shown, errbuf, errlen);
	if (rc != BROKER_OK)
		goto fail;
	rc = BROKER_UNREACHABLE;
	l->conn = amqp_new_connection();
	amqp_socket_t *sock = l->conn ? amqp_tcp_socket_new(l->conn) : NULL;
	if (!sock) {
		snprintf(errbuf, errlen, "%s: out of memory", l->shown);
		goto fail;
	}
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	int st = amqp_socket_open_noblock(sock, info.host, info.port, &tv);
	if (st != AMQP_STATUS_OK) {
		snprintf(errbuf, errlen, "%s: cannot connect: %s", l->shown, amqp_error_string2(st));
		goto fail;
	}
	amqp_set_handshake_timeout(l->conn, &tv);
	amqp_set_rpc_timeout(l->conn, &tv);
	amqp_rpc_reply_t r = amqp_login(l->conn, info.vhost, 0, LINK_FRAME_MAX, LINK_HEARTBEAT_S,
					AMQP_SASL_METHOD_PLAIN, info.user, info.password);
	if ((rc = describe(l->shown, &r, "login", errbuf, errlen)) != BROKER_OK)
		goto fail;
	amqp_channel_open(l->conn, LINK_CHANNEL);
	r = amqp_get_rpc_reply(l->conn);
	if ((rc = describe(l->shown, &r, "opening a channel", errbuf, errlen)) != BROKER_OK)
		goto fail;
	l->channel_open = true;
	if ((rc = amqp_link_declare(l, errbuf, errlen)) != BROKER_OK)
		goto fail;
	*out = l;
	return BROKER_OK;
fail:
	amqp_link_close(l);
	return rc;
}

void amqp_link_close(struct amqp_link *l)
{
	if (!l)
		return;
	if (l->conn) {
		if (l->channel_open)
			amqp_channel_close(l->conn, LINK_CHANNEL, AMQP_REPLY_SUCCESS);
		amqp_connection_close(l->conn, AMQP_REPLY_SUCCESS);
		amqp_destroy_connection(l->conn);
	}
	free(l);
}

const char *amqp_link_name(const struct amqp_link *l)
{
	return l->shown;
}

void *amqp_link_conn(struct amqp_link *l)
{
	return l->conn;
}

static amqp_table_entry_t text_entry(const char *key, const char *value)
{
	amqp_table_entry_t e;
	e.key = amqp_cstring_bytes(key);
	e.value.kind = AMQP_FIELD_KIND_UTF8;
	e.value.value.bytes = amqp_cstring_bytes(value);
	return e;
}

static int declare(struct amqp_link *l, const char *name, amqp_table_entry_t *args, int nargs, char *errbuf,
		   size_t errlen)
{
	amqp_table_t table = { .num_entries = nargs, .entries = args };
	amqp_queue_declare(l->conn, LINK_CHANNEL, amqp_cstring_bytes(name), 0, 1, 0, 0, table);
	amqp_rpc_reply_t r = amqp_get_rpc_reply(l->conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		char what[96];
		snprintf(what, sizeof what, "declaring queue %s", name);
		int rc = describe(l->shown, &r, what, errbuf, errlen);
		l->channel_open = false; /* a failed declare closes the channel */
		return rc;
	}
	return BROKER_OK;
}

int amqp_link_declare(struct amqp_link *l, char *errbuf, size_t errlen)
{
	amqp_table_entry_t records[] = {
		text_entry("x-queue-type", "quorum"),
		text_entry("x-dead-letter-exchange", ""),
		text_entry("x-dead-letter-routing-key", BROKER_REJECTED_QUEUE),
	};
	amqp_table_entry_t rejected[] = { text_entry("x-queue-type", "quorum") };
	amqp_table_entry_t bindings[] = {
		text_entry("x-queue-type", "stream"),
		text_entry("x-max-age", BINDINGS_MAX_AGE),
	};
	int rc = declare(l, BROKER_REJECTED_QUEUE, rejected, 1, errbuf, errlen);
	if (rc == BROKER_OK)
		rc = declare(l, BROKER_RECORDS_QUEUE, records, 3, errbuf, errlen);
	if (rc == BROKER_OK)
		rc = declare(l, BROKER_BINDINGS_STREAM, bindings, 2, errbuf, errlen);
	return rc;
}

int amqp_link_publish(struct amqp_link *l, const char *queue, const char *type, const struct message_header *h,
		      size_t nh, const void *body, size_t len)
{
	amqp_table_entry_t entries[MESSAGE_MAX_HEADERS];
	for (size_t i = 0; i < nh && i < MESSAGE_MAX_HEADERS; i++) {
		entries[i].key = amqp_cstring_bytes(h[i].key);
		if (h[i].text) {
			entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
			entries[i].value.value.bytes = (amqp_bytes_t){ .len = h[i].text_len, .bytes = (void *)h[i].text };
		} else {
			entries[i].value.kind = AMQP_FIELD_KIND_I64;
			entries[i].value.value.i64 = h[i].num;
		}
	}
	amqp_basic_properties_t props = { 0 };
	props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_TYPE_FLAG |
		       AMQP_BASIC_APP_ID_FLAG | AMQP_BASIC_HEADERS_FLAG;
	props.content_type = amqp_cstring_bytes("application/json");
	props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
	props.type = amqp_cstring_bytes(type);
	props.app_id = amqp_cstring_bytes("pentrap");
	props.headers = (amqp_table_t){ .num_entries = (int)(nh < MESSAGE_MAX_HEADERS ? nh : MESSAGE_MAX_HEADERS),
					.entries = entries };
	amqp_bytes_t b = { .len = len, .bytes = (void *)body };
	int st = amqp_basic_publish(l->conn, LINK_CHANNEL, amqp_cstring_bytes(""), amqp_cstring_bytes(queue), 1, 0,
				    &props, b);
	return st == AMQP_STATUS_OK ? 0 : -1;
}

size_t amqp_link_headers(const void *table, struct message_header *out, size_t max)
{
	const amqp_table_t *t = table;
	size_t n = 0;
	for (int i = 0; i < t->num_entries && n < max; i++) {
		const amqp_table_entry_t *e = &t->entries[i];
		static __thread char keys[MESSAGE_MAX_HEADERS][64];
		if (e->key.len >= sizeof keys[0])
			continue;
		memcpy(keys[n], e->key.bytes, e->key.len);
		keys[n][e->key.len] = '\0';
		struct message_header *h = &out[n];
		h->key = keys[n];
		h->text = NULL;
		h->text_len = 0;
		switch (e->value.kind) {
		case AMQP_FIELD_KIND_UTF8:
		case AMQP_FIELD_KIND_BYTES:
			h->text = e->value.value.bytes.len ? e->value.value.bytes.bytes : "";
			h->text_len = e->value.value.bytes.len;
			break;
		case AMQP_FIELD_KIND_I64:
			h->num = e->value.value.i64;
			break;
		case AMQP_FIELD_KIND_U64:
			h->num = e->value.value.u64 > INT64_MAX ? -1 : (int64_t)e->value.value.u64;
			break;
		case AMQP_FIELD_KIND_I32:
			h->num = e->value.value.i32;
			break;
		case AMQP_FIELD_KIND_U32:
			h->num = e->value.value.u32;
			break;
		case AMQP_FIELD_KIND_I16:
			h->num = e->value.value.i16;
			break;
		case AMQP_FIELD_KIND_U16:
			h->num = e->value.value.u16;
			break;
		case AMQP_FIELD_KIND_I8:
			h->num = e->value.value.i8;
			break;
		case AMQP_FIELD_KIND_U8:
			h->num = e->value.value.u8;
			break;
		default:
			continue; /* a kind pentrap never sends: as if absent */
		}
		n++;
	}
	return n;
}

void broker_say(void (*say)(const char *line), const char *fmt, ...)
{
	if (!say)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	say(line);
}
