/*
 * sip.h — the SIP dissector (RFC 3261) and its internal parts: one message parsed into
 * borrowed spans (sip.c), and the call table that turns messages into events
 * (sip_call.c).
 *
 * Memory: a struct sip_msg borrows the bytes it was parsed from; it is valid only while
 * they are. The call table is owned by the module instance (sip_module_new/free).
 */
#ifndef PENTRAP_PROTO_SIP_H
#define PENTRAP_PROTO_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/cursor.h"
#include "proto/proto.h"

extern const struct dissector sip_dissector;

enum {
	SIP_MAX_HEADERS = 256,        /* more header lines than this: malformed */
	SIP_MAX_LINE = 8192,          /* a longer header line: malformed */
	SIP_MAX_HEADER_BYTES = 16384, /* unterminated headers longer than this: malformed */
	SIP_MAX_BODY = 262144,        /* a stream message declaring a longer body: malformed */
	SIP_MAX_MSGS_PER_CALL = 4096, /* messages handled per parse call (each is >= 1 line) */
};

enum sip_method {
	SIP_M_OTHER,
	SIP_M_INVITE,
	SIP_M_ACK,
	SIP_M_BYE,
	SIP_M_CANCEL,
	SIP_M_REGISTER,
	SIP_M_OPTIONS,
	SIP_M_INFO,
	SIP_M_UPDATE,
	SIP_M_PRACK,
	SIP_M_SUBSCRIBE,
	SIP_M_NOTIFY,
	SIP_M_MESSAGE,
	SIP_M_REFER,
	SIP_M_PUBLISH,
};

/* A From/To/Contact/P-Asserted-Identity value: the URI and the tag parameter. */
struct sip_addr_hdr {
	bool present;
	struct span uri; /* inside <> when given, else the addr-spec before ';' */
	struct span tag; /* the tag parameter's value, empty when none */
};

struct sip_msg {
	bool is_request;
	enum sip_method method;       /* request method */
	struct span method_text;
	struct span request_uri;
	int status;                   /* response status code */
	struct span reason;

	struct sip_addr_hdr from, to, contact, pai;
	struct span call_id;
	uint32_t cseq;
	enum sip_method cseq_method;
	bool has_cseq;
	int64_t expires;              /* -1 when absent */
	struct span content_type;
	int64_t content_length;       /* -1 when absent */
	struct span body;             /* borrowed; read only for SDP addressing */
	bool body_truncated;          /* fewer body bytes than Content-Length declared */
	bool headers_truncated;       /* a datagram ended inside the headers (no empty line) */
	unsigned nheaders;
};

enum sip_parse_result {
	SIP_PARSE_OK,
	SIP_PARSE_INCOMPLETE, /* headers or body not all there yet */
	SIP_PARSE_MALFORMED,
};

/*
 * Parses one message at the start of p[0..len). stream: framing by Content-Length
 * (absent means 0) and an incomplete body is INCOMPLETE; datagram: absent means the
 * rest, a short body is OK with body_truncated set, and headers cut by the end of the
 * datagram are OK with headers_truncated set when the whole lines hold From, To,
 * Call-ID and CSeq (INCOMPLETE otherwise). On OK, *msg_len is the message size in bytes.
 * Reads nothing outside p[0..len).
 */
enum sip_parse_result sip_msg_parse(const uint8_t *p, size_t len, bool stream,
				    struct sip_msg *m, size_t *msg_len);

/* The method named by a span (SIP_M_OTHER when not one we know). */
enum sip_method sip_method_from_span(struct span s);

/*
 * The message's media type (Content-Type, RFC 3261 20.15 and RFC 2045 5.1) is type: the
 * value before any ';' parameter, trimmed, equal to type whole, case ignored.
 * "application/sdp; charset=x" is application/sdp; "application/sdpx" is not.
 */
bool sip_content_type_is(const struct sip_msg *m, const char *type);

/* Media addressing read from an SDP body (RFC 4566): c= address and m= ports. */
struct sip_media {
	struct ip_addr addr;
	uint16_t audio_port, video_port;
};

/* Fills *md from an SDP body; false when nothing was found. Copies no body text out. */
bool sip_sdp_media(struct span body, struct sip_media *md);

/*
 * A Call-ID as the call and message tables keep it: its full length, and its bytes cut
 * to CALL_ID_MAX - 1 and terminated (the record's call_id). Two Call-IDs are the same
 * when their lengths and kept bytes are.
 */
struct sip_id {
	uint32_t len;
	char text[CALL_ID_MAX];
};

void sip_id_set(struct sip_id *k, struct span id);
bool sip_id_is(const struct sip_id *k, struct span id);

/* --- the call table (sip_call.c) --- */

struct sip_module;

/* A module with room for `capacity` calls and registrations (rounded up to a power of 2). */
struct sip_module *sip_module_new_sized(struct stats *stats, uint32_t capacity);
void *sip_module_new(struct stats *stats, const struct module_sizes *sizes); /* capacity 65536 */
void sip_module_free(void *module);        /* accepts NULL */
void sip_module_tick(void *module, uint64_t now_us, const struct event_sink *events);
void sip_module_finish(void *module, const struct event_sink *events);

/* Feeds one parsed message to the state machine; may emit events to ctx->events. */
void sip_call_handle(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m);

/*
 * The media addressing seen for a call: [0] offered by the caller, [1] answered by the
 * callee. False when the call is unknown. For later media (RTP) correlation.
 */
bool sip_call_media(const struct sip_module *mod, const char *call_id, size_t call_id_len,
		    struct sip_media out[2]);

/* Calls and registrations currently held (for tests and statistics). */
uint32_t sip_module_active(const struct sip_module *mod);

/* --- MESSAGE requests as sms events (sip_message.c), owned by the module --- */

struct sip_sms_table;

/* A table of `capacity` messages (rounded up to a power of 2); NULL when out of memory. */
struct sip_sms_table *sip_sms_new(struct stats *stats, uint32_t capacity);
void sip_sms_free(struct sip_sms_table *t); /* accepts NULL */
/* A MESSAGE request, and a response whose CSeq method is MESSAGE; may emit to ctx->events. */
void sip_sms_request(struct sip_sms_table *t, struct parse_ctx *ctx, const struct sip_msg *m);
void sip_sms_response(struct sip_sms_table *t, struct parse_ctx *ctx, const struct sip_msg *m);
/* Messages past their transaction timeout (or all, at the end) are emitted and forgotten. */
void sip_sms_expire(struct sip_sms_table *t, uint64_t now_us, const struct event_sink *events);
void sip_sms_finish(struct sip_sms_table *t, const struct event_sink *events);
/* Messages currently held (for tests). */
uint32_t sip_sms_active(const struct sip_sms_table *t);

#endif
