/*
 * smpp.c — the SMPP dissector: Short Message Peer-to-Peer Protocol Specification
 * v3.4 (Issue 1.2, 1999) and v5.0 (2003), between an SMSC and the applications
 * (ESMEs) that send and receive short messages through it, over TCP on any port.
 *
 * PDU layout (v3.4 section 3.2; every integer big-endian):
 *
 *   command_length   4   the whole PDU, these 16 header bytes included
 *   command_id       4   bit 31 set on a response; generic_nack is 0x80000000
 *   command_status   4   0 on a request, the error code on a response
 *   sequence_number  4   a response carries its request's number
 *   body                 mandatory parameters (integers; C-Octet Strings ending in
 *                        NUL), then optional TLVs (tag 2, length 2, value)
 *
 * A flow is SMPP when its first payload starts with a PDU whose header is sane (length,
 * a known command, status 0 on a request, a plausible sequence number) and, when the
 * whole PDU is there, whose body parses; ports are no proof. The stream is framed by
 * command_length: several PDUs per segment and one PDU across segments both work (a
 * partial PDU is left for the next segment). A header that is not sane loses the
 * framing: it is counted, the buffer is dropped, and parsing resumes at the first
 * segment that starts with a sane header.
 *
 * Events. submit_sm, deliver_sm, data_sm and submit_multi (one event per destination,
 * subtype "submit-multi") give sms events: from/to are source_addr/destination_addr
 * normalised by their type of number (smpp_address), from_addr/to_addr the request's
 * sender and receiver as seen (ESME or SMSC). Delivery receipts and acknowledgements
 * (esm_class message type, v3.4 5.2.12) are recorded as such, subtype
 * "delivery-receipt" or "user-ack", not as new messages.
 *
 * When an event is emitted: on the response, so the record carries the outcome. A
 * request waits in the flow's state (keyed by direction and sequence_number) for its
 * response: command_status 0 gives outcome "accepted" and call_id the message_id,
 * anything else (or a generic_nack) "failed". A request with no response within
 * SMPP_RESPONSE_TIMEOUT_US, or still waiting when its flow ends, is emitted then with
 * no outcome; so is the oldest when SMPP_MAX_PENDING requests wait and another comes (a
 * window that deep is beyond any ESME's configuration). Either way the event's time and
 * first frame are the request's. call_id is the message_id when known (a receipt's
 * receipted_message_id names the original message), else "seq:<sequence_number>".
 *
 * Never content: short_message is skipped by sm_length and message_payload (TLV
 * 0x0424) by its length; neither is read. A bind's password is skipped likewise.
 */
#include "proto/smpp.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/stats.h"
#include "core/str.h"

#define RESP_BIT 0x80000000u

enum smpp_command {
	CMD_GENERIC_NACK = 0x80000000u,
	CMD_BIND_RECEIVER = 0x00000001,
	CMD_BIND_TRANSMITTER = 0x00000002,
	CMD_QUERY_SM = 0x00000003,
	CMD_SUBMIT_SM = 0x00000004,
	CMD_DELIVER_SM = 0x00000005,
	CMD_UNBIND = 0x00000006,
	CMD_REPLACE_SM = 0x00000007,
	CMD_CANCEL_SM = 0x00000008,
	CMD_BIND_TRANSCEIVER = 0x00000009,
	CMD_OUTBIND = 0x0000000b,
	CMD_ENQUIRE_LINK = 0x00000015,
	CMD_SUBMIT_MULTI = 0x00000021,
	CMD_ALERT_NOTIFICATION = 0x00000102,
	CMD_DATA_SM = 0x00000103,
	CMD_BROADCAST_SM = 0x00000111,        /* v5.0 */
	CMD_QUERY_BROADCAST_SM = 0x00000112,  /* v5.0 */
	CMD_CANCEL_BROADCAST_SM = 0x00000113, /* v5.0 */
};

enum {
	TLV_RECEIPTED_MESSAGE_ID = 0x001e,
	TLV_MESSAGE_PAYLOAD = 0x0424, /* the text: skipped by length, never read */
	MAX_STATUS = 0x000004ff,      /* v3.4 5.1.3: 0x000-0x0ff, vendor 0x400-0x4ff; v5.0 within */
	MAX_SEQUENCE = 0x7fffffff,    /* v3.4 5.1.4 */
	SERVICE_TYPE_LEN = 6,         /* C-Octet String maxima, NUL included (v3.4 5.2) */
	TIME_LEN = 17,
	SYSTEM_ID_LEN = 16,
	PASSWORD_LEN = 9,
	SYSTEM_TYPE_LEN = 13,
	ADDRESS_RANGE_LEN = 41,
	DL_NAME_LEN = 21,
	PARTY_LEN = SMPP_ADDR_LEN + 4, /* a normalised address: "+" or "dl:" added */
};

/* esm_class bits 5..2, the message type (v3.4 5.2.12) */
enum {
	ESM_TYPE_MASK = 0x3c,
	ESM_SMSC_RECEIPT = 0x04,
	ESM_SME_DELIVERY_ACK = 0x08,
	ESM_SME_USER_ACK = 0x10,
	ESM_INTERMEDIATE = 0x20,
};

enum subtype { ST_NONE, ST_RECEIPT, ST_USER_ACK, ST_MULTI };
static const char *const subtype_names[] = {
	[ST_NONE] = "", [ST_RECEIPT] = "delivery-receipt", [ST_USER_ACK] = "user-ack", [ST_MULTI] = "submit-multi",
};

/* A request that waits for its response. */
struct pending {
	struct event_origin at;   /* the request's packet */
	uint32_t seq;
	bool used;
	uint8_t dir, subtype;
	uint8_t sms_leg;          /* enum sms_leg */
	char from[PARTY_LEN], to[PARTY_LEN];
	char ref_id[SMPP_MSGID_LEN]; /* a receipt's receipted_message_id, or "" */
};

struct smpp_state {
	bool desync[2]; /* per direction: framing lost, waiting for a sane header */
	struct tunnel_path tunnel; /* the flow's tunnel path (evidence.tunnel) */
	struct pending pending[SMPP_MAX_PENDING];
};

_Static_assert(sizeof(struct smpp_state) <= 24576, "smpp_state grew: one per SMPP flow");

struct header {
	uint32_t length, id, status, seq;
};

/* One submit_sm / deliver_sm / data_sm / submit_multi, as borrowed spans. */
struct sm {
	uint8_t src_ton, dst_ton, esm_class, ndests;
	struct span src, dst;
	struct span dests; /* submit_multi: the dest_address list, ndests entries */
	struct span receipted_id;
};

/* --- reading --- */

/*
 * A C-Octet String of at most max bytes, NUL included: the text before the NUL.
 * False (and the cursor failed) when no NUL comes within max bytes.
 */
static bool read_cstr(struct cursor *c, size_t max, struct span *out)
{
	size_t n = cur_remaining(c);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		if (cur_peek_u8(c, i) == 0) {
			*out = cur_span(c, i);
			cur_skip(c, 1);
			return cur_ok(c);
		}
	}
	cur_fail(c);
	return false;
}

static bool skip_cstr(struct cursor *c, size_t max)
{
	struct span s;
	return read_cstr(c, max, &s);
}

/* A time field (v3.4 7.1): empty, or 16 characters. */
static bool skip_time(struct cursor *c)
{
	struct span s;
	return read_cstr(c, TIME_LEN, &s) && (s.len == 0 || s.len == TIME_LEN - 1);
}

static bool is_request_of(uint32_t id)
{
	switch (id) {
	case CMD_BIND_RECEIVER: case CMD_BIND_TRANSMITTER: case CMD_QUERY_SM: case CMD_SUBMIT_SM:
	case CMD_DELIVER_SM: case CMD_UNBIND: case CMD_REPLACE_SM: case CMD_CANCEL_SM:
	case CMD_BIND_TRANSCEIVER: case CMD_OUTBIND: case CMD_ENQUIRE_LINK: case CMD_SUBMIT_MULTI:
	case CMD_ALERT_NOTIFICATION: case CMD_DATA_SM: case CMD_BROADCAST_SM:
	case CMD_QUERY_BROADCAST_SM: case CMD_CANCEL_BROADCAST_SM:
		return true;
	default:
		return false;
	}
}

static bool command_known(uint32_t id)
{
	if (id == CMD_GENERIC_NACK)
		return true;
	uint32_t base = id & ~RESP_BIT;
	if (!is_request_of(base))
		return false;
	/* outbind and alert_notification have no response */
	return !((id & RESP_BIT) && (base == CMD_OUTBIND || base == CMD_ALERT_NOTIFICATION));
}

/* PDUs that are the header alone. */
static bool header_only(uint32_t id)
{
	uint32_t base = id & ~RESP_BIT;
	return id == CMD_GENERIC_NACK || base == CMD_ENQUIRE_LINK || base == CMD_UNBIND;
}

static struct header read_header(struct cursor *c)
{
	struct header h;
	h.length = cur_be32(c);
	h.id = cur_be32(c);
	h.status = cur_be32(c);
	h.seq = cur_be32(c);
	return h;
}

/* Whether a header can start an SMPP PDU (the framing and recognition test). */
static bool header_sane(const struct header *h)
{
	if (h->length < SMPP_HEADER_LEN || h->length > SMPP_MAX_PDU || !command_known(h->id))
		return false;
	if (h->seq > MAX_SEQUENCE)
		return false;
	if (header_only(h->id) && h->length != SMPP_HEADER_LEN)
		return false;
	if (h->id & RESP_BIT)
		return h->status <= MAX_STATUS;
	return h->status == 0; /* v3.4 5.1.3: unused in requests, NULL */
}

/* A sane header at the start of p[0..len): needs the 16 header bytes. */
static bool header_sane_at(const uint8_t *p, size_t len)
{
	struct cursor c = cur_make(p, len);
	struct header h = read_header(&c);
	return cur_ok(&c) && header_sane(&h);
}

/* Optional parameters: only receipted_message_id is looked at. */
static bool read_tlvs(struct cursor *c, struct sm *sm)
{
	for (int i = 0; i < SMPP_MAX_TLVS && cur_remaining(c) > 0; i++) {
		uint16_t tag = cur_be16(c);
		uint16_t len = cur_be16(c);
		struct cursor v = cur_sub_exact(c, len); /* message_payload too: skipped, not read */
		if (!cur_ok(c))
			return false;
		if (tag == TLV_RECEIPTED_MESSAGE_ID && sm) {
			/* a C-Octet String; tolerated without its NUL */
			size_t n = 0;
			while (n < len && n + 1 < SMPP_MSGID_LEN && cur_peek_u8(&v, n) != 0)
				n++;
			sm->receipted_id = cur_span(&v, n);
		}
	}
	return true;
}

/* source or destination: TON, NPI (ignored), address */
static bool read_address(struct cursor *c, uint8_t *ton, struct span *addr)
{
	*ton = cur_u8(c);
	cur_u8(c); /* NPI: the address's text and TON say what a record needs */
	return read_cstr(c, SMPP_ADDR_LEN, addr);
}

/*
 * submit_multi's dest_address list (v3.4 4.5.1.1): per entry a dest_flag, then an SME
 * address (1: TON, NPI, address) or a distribution list name (2).
 */
static bool skip_dest_list(struct cursor *c, uint8_t n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t flag = cur_u8(c);
		uint8_t ton;
		struct span s;
		if (flag == 1) {
			if (!read_address(c, &ton, &s))
				return false;
		} else if (flag == 2) {
			if (!read_cstr(c, DL_NAME_LEN, &s))
				return false;
		} else {
			return false;
		}
	}
	return cur_ok(c);
}

/*
 * The mandatory parameters of submit_sm, deliver_sm (v3.4 4.4.1, 4.6.1; the same
 * layout), submit_multi (4.5.1) and data_sm (4.7.1), then the TLVs. The short message
 * is skipped by its length.
 */
static bool parse_sm(struct cursor *c, uint32_t id, struct sm *sm)
{
	memset(sm, 0, sizeof *sm);
	if (!skip_cstr(c, SERVICE_TYPE_LEN) || !read_address(c, &sm->src_ton, &sm->src))
		return false;
	if (id == CMD_SUBMIT_MULTI) {
		sm->ndests = cur_u8(c);
		struct cursor list = *c;
		if (sm->ndests == 0 || !skip_dest_list(c, sm->ndests))
			return false;
		sm->dests = cur_span(&list, cur_pos(c) - cur_pos(&list));
	} else if (!read_address(c, &sm->dst_ton, &sm->dst)) {
		return false;
	}
	sm->esm_class = cur_u8(c);
	if (id == CMD_DATA_SM) {
		cur_u8(c); /* registered_delivery */
		cur_u8(c); /* data_coding */
	} else {
		cur_u8(c); /* protocol_id */
		cur_u8(c); /* priority_flag */
		if (!skip_time(c) || !skip_time(c)) /* schedule_delivery_time, validity_period */
			return false;
		cur_u8(c); /* registered_delivery */
		cur_u8(c); /* replace_if_present_flag */
		cur_u8(c); /* data_coding */
		cur_u8(c); /* sm_default_msg_id */
		uint8_t sm_length = cur_u8(c);
		cur_skip(c, sm_length); /* short_message: never read */
	}
	return cur_ok(c) && read_tlvs(c, sm);
}

/* bind_* (v3.4 4.1.1) and outbind (4.1.7): checked for recognition only. */
static bool check_bind(struct cursor *c, uint32_t id)
{
	if (!skip_cstr(c, SYSTEM_ID_LEN) || !skip_cstr(c, PASSWORD_LEN))
		return false;
	if (id == CMD_OUTBIND)
		return cur_at_end(c);
	if (!skip_cstr(c, SYSTEM_TYPE_LEN))
		return false;
	cur_u8(c); /* interface_version */
	cur_u8(c); /* addr_ton */
	cur_u8(c); /* addr_npi */
	return skip_cstr(c, ADDRESS_RANGE_LEN) && cur_at_end(c);
}

/* A response's message_id (absent when an error response has no body, v3.4 4.4.2). */
static bool read_message_id(struct cursor *c, struct span *id)
{
	id->ptr = NULL;
	id->len = 0;
	if (cur_at_end(c))
		return true;
	return read_cstr(c, SMPP_MSGID_LEN, id);
}

/* The body of a PDU, checked for recognition. */
static bool body_parses(const struct header *h, struct cursor *body)
{
	struct sm sm;
	struct span s;
	switch (h->id) {
	case CMD_SUBMIT_SM: case CMD_DELIVER_SM: case CMD_DATA_SM: case CMD_SUBMIT_MULTI:
		return parse_sm(body, h->id, &sm);
	case CMD_BIND_RECEIVER: case CMD_BIND_TRANSMITTER: case CMD_BIND_TRANSCEIVER: case CMD_OUTBIND:
		return check_bind(body, h->id);
	case CMD_BIND_RECEIVER | RESP_BIT: case CMD_BIND_TRANSMITTER | RESP_BIT:
	case CMD_BIND_TRANSCEIVER | RESP_BIT: case CMD_SUBMIT_SM | RESP_BIT:
	case CMD_DELIVER_SM | RESP_BIT: case CMD_DATA_SM | RESP_BIT: case CMD_SUBMIT_MULTI | RESP_BIT:
		return read_message_id(body, &s); /* message_id or system_id: a C-Octet String */
	default:
		return true;
	}
}

/* --- recognising --- */

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	(void)pkt;
	struct cursor c = cur_make(p, len);
	struct header h = read_header(&c);
	if (!cur_ok(&c) || !header_sane(&h))
		return false;
	if (h.length > len)
		return true; /* the first PDU continues in the next segment: the header is all we have */
	struct cursor body = cur_sub_exact(&c, h.length - SMPP_HEADER_LEN);
	if (!body_parses(&h, &body))
		return false;
	/* a second PDU in the same segment must start sanely too */
	size_t rest = cur_remaining(&c);
	if (rest >= SMPP_HEADER_LEN) {
		struct span s = cur_rest(&c);
		return header_sane_at(s.ptr, s.len);
	}
	return true;
}

/* --- addresses --- */

static bool is_digit(uint8_t ch)
{
	return ch >= '0' && ch <= '9';
}

void smpp_address(uint8_t ton, const uint8_t *addr, size_t len, char *out, size_t outlen)
{
	enum { TON_INTERNATIONAL = 1, TON_ALPHANUMERIC = 5 };
	size_t o = 0;
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (!addr)
		return;
	size_t digits = 0, first = (len > 0 && addr[0] == '+') ? 1 : 0;
	bool numeric = true;
	for (size_t i = first; i < len; i++) {
		if (is_digit(addr[i]))
			digits++;
		else
			numeric = false;
	}
	if (ton != TON_ALPHANUMERIC && numeric && digits > 0) {
		if (ton == TON_INTERNATIONAL && first == 0 && o + 1 < outlen)
			out[o++] = '+';
		for (size_t i = 0; i < len && o + 1 < outlen; i++)
			out[o++] = (char)addr[i];
	} else {
		/* alphanumeric: printable ASCII kept, anything else (GSM or UCS2 bytes) dropped */
		for (size_t i = 0; i < len && o + 1 < outlen; i++)
			if (addr[i] >= 0x20 && addr[i] < 0x7f)
				out[o++] = (char)addr[i];
		while (o > 0 && out[o - 1] == ' ')
			o--;
	}
	out[o] = '\0';
}

static void address_text(uint8_t ton, struct span s, char *out, size_t outlen)
{
	smpp_address(ton, s.ptr, s.len, out, outlen);
}

/* --- waiting requests and their events --- */

static void copy_printable(char *dst, size_t cap, struct span s)
{
	size_t o = 0;
	for (size_t i = 0; i < s.len && o + 1 < cap; i++)
		if (s.ptr[i] > 0x20 && s.ptr[i] < 0x7f)
			dst[o++] = (char)s.ptr[i];
	dst[o] = '\0';
}

/*
 * Emits the event of a waiting request and frees its slot. outcome "" and resp_frame 0
 * when no response was seen; msgid the response's message_id or "".
 */
static void emit_pending(struct parse_ctx *ctx, struct pending *pe, const char *outcome,
			 const char *msgid, uint64_t resp_frame)
{
	struct event e;
	event_init(&e, EV_SMS);
	e.protocol = "smpp";
	event_set_origin(&e, &pe->at);
	if (resp_frame)
		event_add_frame(&e, resp_frame);
	e.from_addr = pe->at.src;
	e.to_addr = pe->at.dst;
	e.ip_proto = IPPROTO_TCP_;
	const struct smpp_state *st = ctx->state;
	if (st) /* a request waits in its own flow's state: the flow's path is its */
		e.tunnel = st->tunnel;
	str_copy(e.from, sizeof e.from, pe->from);
	str_copy(e.to, sizeof e.to, pe->to);
	str_copy(e.subtype, sizeof e.subtype, subtype_names[pe->subtype]);
	str_copy(e.outcome, sizeof e.outcome, outcome);
	e.sms_leg = pe->sms_leg;
	if (pe->ref_id[0])
		str_copy(e.call_id, sizeof e.call_id, pe->ref_id);
	else if (msgid[0])
		str_copy(e.call_id, sizeof e.call_id, msgid);
	else
		snprintf(e.call_id, sizeof e.call_id, "seq:%u", pe->seq);
	pe->used = false;
	event_emit(ctx->events, &e);
}

/* The oldest waiting request (by frame, then slot), or NULL. */
static struct pending *oldest(struct smpp_state *st)
{
	struct pending *best = NULL;
	for (int i = 0; i < SMPP_MAX_PENDING; i++) {
		struct pending *pe = &st->pending[i];
		if (pe->used && (!best || pe->at.frame_no < best->at.frame_no))
			best = pe;
	}
	return best;
}

/* Requests past the response timeout are emitted without an outcome, oldest first. */
static void flush_stale(struct parse_ctx *ctx, struct smpp_state *st, uint64_t now)
{
	for (int n = 0; n < SMPP_MAX_PENDING; n++) {
		struct pending *pe = oldest(st);
		if (!pe || now < pe->at.ts_us || now - pe->at.ts_us <= SMPP_RESPONSE_TIMEOUT_US)
			return;
		emit_pending(ctx, pe, "", "", 0);
	}
}

/* A request with this direction and number still waiting means its response never came. */
static void flush_seq(struct parse_ctx *ctx, struct smpp_state *st, int dir, uint32_t seq)
{
	for (int i = 0; i < SMPP_MAX_PENDING; i++) {
		struct pending *pe = &st->pending[i];
		if (pe->used && pe->dir == dir && pe->seq == seq)
			emit_pending(ctx, pe, "", "", 0);
	}
}

/* A free slot; when all wait, the oldest is emitted without an outcome to make room. */
static struct pending *slot(struct parse_ctx *ctx, struct smpp_state *st)
{
	for (int i = 0; i < SMPP_MAX_PENDING; i++)
		if (!st->pending[i].used)
			return &st->pending[i];
	struct pending *pe = oldest(st);
	emit_pending(ctx, pe, "", "", 0);
	return pe;
}

static void add_pending(struct parse_ctx *ctx, struct smpp_state *st, const struct header *h,
			enum subtype subtype, const char *from, const char *to, struct span ref_id)
{
	struct pending *pe = slot(ctx, st);
	const struct packet *pkt = ctx->pkt;
	memset(pe, 0, sizeof *pe);
	pe->used = true;
	pe->dir = (uint8_t)(ctx->dir & 1);
	pe->seq = h->seq;
	pe->subtype = (uint8_t)subtype;
	/* submit_sm / submit_multi: the sender's side; deliver_sm: the recipient's (data_sm runs
	 * either way: not told); receipts and acknowledgements are not the message */
	if (subtype == ST_NONE || subtype == ST_MULTI)
		pe->sms_leg = h->id == CMD_DELIVER_SM ? SMS_LEG_DELIVER
			      : h->id == CMD_DATA_SM ? SMS_LEG_UNKNOWN : SMS_LEG_SUBMIT;
	event_origin_of(&pe->at, pkt);
	if (pkt)
		st->tunnel = pkt->tunnel;
	str_copy(pe->from, sizeof pe->from, from);
	str_copy(pe->to, sizeof pe->to, to);
	copy_printable(pe->ref_id, sizeof pe->ref_id, ref_id);
}

static enum subtype subtype_of(uint32_t id, uint8_t esm_class)
{
	switch (esm_class & ESM_TYPE_MASK) {
	case ESM_SMSC_RECEIPT: case ESM_SME_DELIVERY_ACK: case ESM_INTERMEDIATE:
		return ST_RECEIPT;
	case ESM_SME_USER_ACK:
		return ST_USER_ACK;
	default:
		return id == CMD_SUBMIT_MULTI ? ST_MULTI : ST_NONE;
	}
}

static void on_request(struct parse_ctx *ctx, struct smpp_state *st, const struct header *h,
		       const struct sm *sm)
{
	char from[PARTY_LEN], to[PARTY_LEN];
	enum subtype subtype = subtype_of(h->id, sm->esm_class);
	address_text(sm->src_ton, sm->src, from, sizeof from);
	flush_seq(ctx, st, ctx->dir & 1, h->seq); /* a reused number: the earlier one got no answer */
	if (h->id != CMD_SUBMIT_MULTI) {
		address_text(sm->dst_ton, sm->dst, to, sizeof to);
		add_pending(ctx, st, h, subtype, from, to, sm->receipted_id);
		return;
	}
	/* one event per destination; the list was checked by parse_sm */
	struct cursor c = cur_make(sm->dests.ptr, sm->dests.len);
	for (unsigned i = 0; i < sm->ndests && cur_ok(&c); i++) {
		uint8_t flag = cur_u8(&c), ton;
		struct span s;
		if (flag == 1 && read_address(&c, &ton, &s)) {
			address_text(ton, s, to, sizeof to);
		} else if (flag == 2 && read_cstr(&c, DL_NAME_LEN, &s)) {
			memcpy(to, "dl:", 4); /* a distribution list held by the SMSC, by its name */
			copy_printable(to + 3, sizeof to - 3, s);
		} else {
			break;
		}
		add_pending(ctx, st, h, subtype, from, to, sm->receipted_id);
	}
}

/*
 * submit_multi_resp (v3.4 4.5.2): after the message_id, the destinations the SMSC
 * refused (TON, NPI, address, error_status_code). True when `to` is one of them.
 */
static bool unsuccessful(struct cursor rest, const char *to)
{
	uint8_t n = cur_u8(&rest);
	for (unsigned i = 0; i < n && cur_ok(&rest); i++) {
		uint8_t ton;
		struct span s;
		char addr[PARTY_LEN];
		if (!read_address(&rest, &ton, &s))
			return false;
		cur_be32(&rest); /* error_status_code */
		address_text(ton, s, addr, sizeof addr);
		if (cur_ok(&rest) && strcmp(addr, to) == 0)
			return true;
	}
	return false;
}

/* A response (or generic_nack) completes the waiting requests with its number. */
static void on_response(struct parse_ctx *ctx, struct smpp_state *st, const struct header *h,
			struct cursor *body)
{
	struct span id = { NULL, 0 };
	char msgid[SMPP_MSGID_LEN];
	if (h->id != CMD_GENERIC_NACK && !read_message_id(body, &id)) {
		stats_anomaly(ctx->stats, ANOM_SMPP_MALFORMED);
		id.len = 0; /* the status still tells the outcome */
	}
	copy_printable(msgid, sizeof msgid, id);
	bool ok = h->status == 0 && h->id != CMD_GENERIC_NACK;
	int req_dir = (ctx->dir & 1) ^ 1;
	uint64_t frame = ctx->pkt ? ctx->pkt->frame_no : 0;
	for (int i = 0; i < SMPP_MAX_PENDING; i++) {
		struct pending *pe = &st->pending[i];
		if (!pe->used || pe->dir != req_dir || pe->seq != h->seq)
			continue;
		bool failed = !ok;
		if (ok && h->id == (CMD_SUBMIT_MULTI | RESP_BIT))
			failed = unsuccessful(*body, pe->to);
		emit_pending(ctx, pe, failed ? "failed" : "accepted", msgid, frame);
	}
}

static bool is_sm_request(uint32_t id)
{
	return id == CMD_SUBMIT_SM || id == CMD_DELIVER_SM || id == CMD_DATA_SM || id == CMD_SUBMIT_MULTI;
}

static bool is_sm_response(uint32_t id)
{
	return id == CMD_GENERIC_NACK || ((id & RESP_BIT) && is_sm_request(id & ~RESP_BIT));
}

/* One whole PDU whose header is sane. */
static void handle_pdu(struct parse_ctx *ctx, struct smpp_state *st, const struct header *h,
		       struct cursor *body)
{
	if (is_sm_request(h->id)) {
		struct sm sm;
		if (!parse_sm(body, h->id, &sm)) {
			stats_anomaly(ctx->stats, ANOM_SMPP_MALFORMED);
			return;
		}
		if (st)
			on_request(ctx, st, h, &sm);
	} else if (is_sm_response(h->id) && st) {
		on_response(ctx, st, h, body);
	}
}

/* --- the dissector --- */

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	struct smpp_state *st = ctx->state;
	int dir = ctx->dir & 1;
	bool cut = ctx->pkt && ctx->pkt->payload_truncated;
	struct cursor c = cur_make(p, len);
	*consumed = 0;
	if (st && ctx->pkt)
		flush_stale(ctx, st, ctx->pkt->ts_us);
	if (st && st->desync[dir]) {
		if (len < SMPP_HEADER_LEN)
			return PARSE_NEED_MORE;
		if (!header_sane_at(p, len)) {
			*consumed = len; /* still no PDU boundary: wait for a segment that starts one */
			return PARSE_OK;
		}
		st->desync[dir] = false;
	}
	for (int n = 0; n < SMPP_MAX_PDUS_PER_CALL && !cur_at_end(&c); n++) {
		if (!cur_has(&c, SMPP_HEADER_LEN)) {
			if (cut)
				stats_anomaly(ctx->stats, ANOM_SMPP_TRUNCATED);
			return PARSE_NEED_MORE;
		}
		struct cursor peek = c;
		struct header h = read_header(&peek);
		if (!header_sane(&h)) {
			stats_anomaly(ctx->stats, ANOM_SMPP_MALFORMED);
			if (st)
				st->desync[dir] = true;
			*consumed = len;
			return PARSE_MALFORMED;
		}
		if (!cur_has(&c, h.length)) {
			if (cut)
				stats_anomaly(ctx->stats, ANOM_SMPP_TRUNCATED);
			return PARSE_NEED_MORE;
		}
		struct cursor pdu = cur_sub_exact(&c, h.length);
		cur_skip(&pdu, SMPP_HEADER_LEN);
		handle_pdu(ctx, st, &h, &pdu);
		*consumed = cur_pos(&c);
	}
	return PARSE_OK;
}

/* The flow ended: requests still waiting are recorded without an outcome. */
static void state_end(struct parse_ctx *ctx)
{
	struct smpp_state *st = ctx->state;
	if (!st)
		return;
	for (struct pending *pe = oldest(st); pe; pe = oldest(st))
		emit_pending(ctx, pe, "", "", 0);
}

const struct dissector smpp_dissector = {
	.name = "smpp",
	.transports = T_TCP,
	.recognise = recognise,
	.parse = parse,
	.state_size = sizeof(struct smpp_state),
	.state_end = state_end,
	.module_new = NULL,
	.module_free = NULL,
	.module_tick = NULL,
	.module_finish = NULL,
};
