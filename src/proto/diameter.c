/*
 * diameter.c — the Diameter dissector: RFC 6733 framing and AVPs, RFC 4006
 * Credit-Control (CCR/CCA, command 272) as used on Gx (3GPP TS 29.212, application
 * 16777238) and Gy/Ro (TS 32.299, application 4), with the RFC 7155 (NASREQ) address
 * AVPs.
 *
 * Message (RFC 6733 §3):
 *   0        1..3     4      5..7      8..11     12..15        16..19       20..
 *   version  length   flags  command   app id    hop-by-hop    end-to-end   AVPs
 *   version 1; length counts the whole message and is a multiple of 4; flags R P E T
 *   and four reserved zero bits.
 * AVP (§4.1):
 *   code(4)  flags(1: V M P, 5 reserved)  length(3, header and data, not padding)
 *   [vendor id(4) when V]  data, padded to 4 bytes.
 * An AVP shorter than its header or running past its container makes the message
 * malformed. Only Subscription-Id (443) and User-Equipment-Info (458) are descended
 * into (their members are what we read), to DIAMETER_MAX_DEPTH.
 *
 * Read (vendor 0): 1 User-Name, 8 Framed-IP-Address, 30 Called-Station-Id (the APN),
 * 97 Framed-IPv6-Prefix, 263 Session-Id, 268 Result-Code, 416 CC-Request-Type,
 * 443 Subscription-Id { 450 Subscription-Id-Type (0 E.164, 1 IMSI), 444 -Data },
 * 458 User-Equipment-Info { 459 type (0 IMEISV), 460 value }.
 *
 * What it does:
 *   CCR-Initial                 remembered by (hop-by-hop, end-to-end, peers) for its answer
 *   CCA with Result-Code 2001   opens a data session: the subscriber (E.164 as "+digits",
 *                               RFC 4006 §8.47 says it is international; IMSI as
 *                               "imsi:digits") on the CCR's Framed-IP-Address /
 *                               Framed-IPv6-Prefix; the handle is (application, Session-Id)
 *   CCR-Termination             closes it (data.session.end), or reports the end of one
 *                               whose start was not seen when the CCR names who and where
 * A credit-control session with no address (Gy/Ro usually) binds nothing: there is no
 * address to name.
 *
 * Over TCP the stream is framed by the length: several messages in a segment and one
 * across segments (needs more). Over SCTP the SCTP layer (sctp.c) hands on each whole
 * user message of PPID 46, and each call holds whole messages.
 * Recognised by its header: version 1, a sane length, reserved flag bits clear, no error
 * bit on a request, and a sane first AVP.
 */
#include "proto/diameter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/hash.h"
#include "core/span.h"
#include "identity/data_session.h"
#include "proto/framed.h"

enum {
	AVP_USER_NAME = 1,
	AVP_FRAMED_IP = 8,
	AVP_CALLED_STATION = 30,
	AVP_FRAMED_IPV6_PREFIX = 97,
	AVP_SESSION_ID = 263,
	AVP_RESULT_CODE = 268,
	AVP_CC_REQUEST_TYPE = 416,
	AVP_SUBSCRIPTION_ID = 443,
	AVP_SUBSCRIPTION_ID_DATA = 444,
	AVP_SUBSCRIPTION_ID_TYPE = 450,
	AVP_UE_INFO = 458,
	AVP_UE_INFO_TYPE = 459,
	AVP_UE_INFO_VALUE = 460,
	SUB_E164 = 0,
	SUB_IMSI = 1,
	UE_IMEISV = 0,
	PEND_SETS = 256,
	PEND_WAYS = 4,
	KEY_MAX = 128,
};

#define PEND_TIMEOUT_US (60ull * 1000000)

/* --- reading a message --- */

/* Digits (an optional leading '+' dropped) of min..max length into out, else "". */
static void copy_digits(char *out, size_t cap, struct span v, size_t min, size_t max)
{
	struct cursor c = cur_make(v.ptr, v.len);
	if (cur_peek_u8(&c, 0) == '+')
		cur_skip(&c, 1);
	size_t n = cur_remaining(&c);
	out[0] = '\0';
	if (n < min || n > max || n >= cap)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = cur_u8(&c);
		if (ch < '0' || ch > '9') {
			out[0] = '\0';
			return;
		}
		out[i] = (char)ch;
	}
	out[n] = '\0';
}

/* What one Grouped AVP's members said. */
struct group {
	uint32_t code;
	bool has_type;
	uint32_t type;
	struct span data;
};

static bool read_avps(struct diameter_msg *m, struct cursor *c, int depth, struct group *g);

static bool on_avp(struct diameter_msg *m, uint32_t code, struct span v, int depth, struct group *g)
{
	bool ok;
	uint32_t x;
	if (g) { /* inside Subscription-Id or User-Equipment-Info */
		if ((g->code == AVP_SUBSCRIPTION_ID && code == AVP_SUBSCRIPTION_ID_TYPE) ||
		    (g->code == AVP_UE_INFO && code == AVP_UE_INFO_TYPE)) {
			x = cur_be32_whole(v, &ok);
			if (ok) {
				g->has_type = true;
				g->type = x;
			}
		} else if ((g->code == AVP_SUBSCRIPTION_ID && code == AVP_SUBSCRIPTION_ID_DATA) ||
			   (g->code == AVP_UE_INFO && code == AVP_UE_INFO_VALUE)) {
			g->data = v;
		}
		return true;
	}
	switch (code) {
	case AVP_SESSION_ID:
		if (m->session_id_len == 0) {
			struct cursor c = cur_make(v.ptr, v.len);
			span_copy_text(m->session_id, sizeof m->session_id, v);
			m->session_id_len = v.len;
			cur_copy(&c, m->session_key, v.len < sizeof m->session_key ? v.len : sizeof m->session_key);
		}
		break;
	case AVP_RESULT_CODE:
		x = cur_be32_whole(v, &ok);
		if (ok)
			m->result_code = x;
		break;
	case AVP_CC_REQUEST_TYPE:
		x = cur_be32_whole(v, &ok);
		if (ok)
			m->cc_type = x;
		break;
	case AVP_FRAMED_IP: /* 4 bytes (16 seen from some IPv6 gateways) */
		cur_addr_whole(v, 0, &m->framed_ip);
		break;
	case AVP_FRAMED_IPV6_PREFIX:
		framed_v6_prefix(v, &m->framed_v6, &m->framed_v6_len);
		break;
	case AVP_CALLED_STATION:
		span_copy_text(m->called, sizeof m->called, v);
		break;
	case AVP_SUBSCRIPTION_ID:
	case AVP_UE_INFO: {
		struct group sub = { .code = code };
		struct cursor c = cur_make(v.ptr, v.len);
		if (!read_avps(m, &c, depth + 1, &sub))
			return false;
		if (!sub.has_type)
			break;
		if (code == AVP_SUBSCRIPTION_ID && sub.type == SUB_E164 && !m->msisdn[0])
			copy_digits(m->msisdn, sizeof m->msisdn, sub.data, 5, 15);
		else if (code == AVP_SUBSCRIPTION_ID && sub.type == SUB_IMSI && !m->imsi[0])
			copy_digits(m->imsi, sizeof m->imsi, sub.data, 6, 15);
		else if (code == AVP_UE_INFO && sub.type == UE_IMEISV && !m->imei[0])
			copy_digits(m->imei, sizeof m->imei, sub.data, 14, 16);
		break;
	}
	default:
		break;
	}
	return true;
}

/* The AVPs in c (a message body or a Grouped AVP's data); false when broken. */
static bool read_avps(struct diameter_msg *m, struct cursor *c, int depth, struct group *g)
{
	if (depth > DIAMETER_MAX_DEPTH)
		return false;
	while (!cur_at_end(c)) {
		if (++m->navps > DIAMETER_MAX_AVPS)
			return false;
		uint32_t code = cur_be32(c);
		uint8_t flags = cur_u8(c);
		uint32_t alen = cur_be24(c);
		size_t hdr = (flags & 0x80) ? 12 : 8;
		uint32_t vendor = (flags & 0x80) ? cur_be32(c) : 0;
		if (!cur_ok(c) || alen < hdr)
			return false;
		struct span v = cur_span(c, alen - hdr);
		if (!cur_ok(c))
			return false;
		/* the padding to 4 bytes; the last AVP of a group may come without it */
		size_t pad = (4 - (alen & 3)) & 3;
		cur_skip(c, pad < cur_remaining(c) ? pad : cur_remaining(c));
		if (vendor == 0 && !on_avp(m, code, v, depth, g))
			return false;
	}
	return cur_ok(c);
}

enum diameter_result diameter_parse(const uint8_t *p, size_t len, struct diameter_msg *m)
{
	memset(m, 0, sizeof *m);
	struct cursor c = cur_make(p, len);
	if (cur_has(&c, 1) && cur_peek_u8(&c, 0) != 1)
		return DIAMETER_MALFORMED;
	cur_skip(&c, 1);
	m->length = cur_be24(&c);
	if (!cur_ok(&c))
		return DIAMETER_INCOMPLETE;
	if (m->length < DIAMETER_HEADER_LEN || (m->length & 3) || m->length > DIAMETER_MAX_LEN)
		return DIAMETER_MALFORMED;
	if (len < m->length)
		return DIAMETER_INCOMPLETE;
	m->flags = cur_u8(&c);
	m->command = cur_be24(&c);
	m->app_id = cur_be32(&c);
	m->hop_by_hop = cur_be32(&c);
	m->end_to_end = cur_be32(&c);
	if (!cur_ok(&c) || (m->flags & 0x0f) || ((m->flags & 0x80) && (m->flags & 0x20)))
		return DIAMETER_MALFORMED; /* reserved bits, or an error bit on a request */
	struct cursor body = cur_sub_exact(&c, m->length - DIAMETER_HEADER_LEN);
	if (!read_avps(m, &body, 0, NULL))
		return DIAMETER_MALFORMED;
	return DIAMETER_OK;
}

/* --- the module --- */

/* The module is a struct ds_module: its data sessions, and the CCR-Initials awaiting
 * their answers (pending, of struct pending). */
struct pending {
	uint32_t hop_by_hop, end_to_end;
	struct ip_addr client, server;
	uint64_t frame;
	struct ds_open o;         /* who and where, and the session key below */
	uint8_t key[KEY_MAX];
};

void *diameter_module_new(struct stats *stats, const struct module_sizes *sizes)
{
	return ds_module_new(stats, sizes, PEND_SETS, PEND_WAYS, sizeof(struct pending), PEND_TIMEOUT_US);
}

/* The handle: the application, the Session-Id's length and its first bytes. */
static size_t session_key(const struct diameter_msg *m, uint8_t k[KEY_MAX])
{
	size_t n = m->session_id_len < KEY_MAX - 6 ? m->session_id_len : KEY_MAX - 6;
	k[0] = (uint8_t)(m->app_id >> 24);
	k[1] = (uint8_t)(m->app_id >> 16);
	k[2] = (uint8_t)(m->app_id >> 8);
	k[3] = (uint8_t)m->app_id;
	k[4] = (uint8_t)(m->session_id_len >> 8);
	k[5] = (uint8_t)m->session_id_len;
	memcpy(k + 6, m->session_key, n);
	return 6 + n;
}

static void describe(const struct diameter_msg *m, struct ds_open *o, const struct packet *pkt)
{
	memset(o, 0, sizeof *o);
	o->protocol = "diameter";
	o->source = ID_SRC_DIAMETER;
	if (m->msisdn[0])
		snprintf(o->sub.msisdn, sizeof o->sub.msisdn, "+%s", m->msisdn);
	if (m->imsi[0])
		snprintf(o->sub.imsi, sizeof o->sub.imsi, "imsi:%s", m->imsi);
	if (m->imei[0])
		snprintf(o->sub.imei, sizeof o->sub.imei, "imei:%s", m->imei);
	snprintf(o->sub.apn, sizeof o->sub.apn, "%s", m->called);
	if (framed_is_address(&m->framed_ip)) {
		o->addr[o->naddr] = m->framed_ip;
		o->prefix_len[o->naddr++] = m->framed_ip.family == 4 ? 32 : 128;
	}
	if (framed_is_address(&m->framed_v6)) {
		o->addr[o->naddr] = m->framed_v6;
		o->prefix_len[o->naddr++] = m->framed_v6_len;
	}
	snprintf(o->session_id, sizeof o->session_id, "%s", m->session_id);
	o->start_us = pkt->ts_us;
}

/* A request by its hop-by-hop and end-to-end identifiers; for an answer, its peers too. */
struct request_key {
	uint32_t hop_by_hop, end_to_end;
	const struct ip_addr *client, *server; /* NULL: any (a request again) */
};

static uint32_t request_hash(const struct request_key *k)
{
	return hash_mix32(hash_word(hash_word(HASH_SEED, k->hop_by_hop), k->end_to_end));
}

static bool pending_is(const void *entry, const void *key)
{
	const struct pending *e = entry;
	const struct request_key *k = key;
	return e->hop_by_hop == k->hop_by_hop && e->end_to_end == k->end_to_end &&
	       (!k->client || (addr_eq(&e->client, k->client) && addr_eq(&e->server, k->server)));
}

static void on_ccr_initial(struct ds_module *mod, const struct diameter_msg *m, const struct packet *pkt)
{
	struct request_key k = { m->hop_by_hop, m->end_to_end, NULL, NULL };
	struct pending *e = setassoc_put(&mod->pending, request_hash(&k), pkt->ts_us, pending_is, &k);
	e->hop_by_hop = m->hop_by_hop;
	e->end_to_end = m->end_to_end;
	e->client = pkt->src;
	e->server = pkt->dst;
	e->frame = pkt->frame_no;
	describe(m, &e->o, pkt);
	e->o.key_len = session_key(m, e->key);
}

static void on_cca(struct ds_module *mod, struct parse_ctx *ctx, const struct diameter_msg *m)
{
	const struct packet *pkt = ctx->pkt;
	struct request_key k = { m->hop_by_hop, m->end_to_end, &pkt->dst, &pkt->src };
	struct pending *e = setassoc_find(&mod->pending, request_hash(&k), pending_is, &k);
	if (!e)
		return;
	setassoc_remove(&mod->pending, e);
	if (m->result_code != DIAMETER_SUCCESS)
		return;
	e->o.key = e->key;
	e->o.announce = true;
	e->o.start_us = pkt->ts_us;
	e->o.frames[0] = e->frame;
	e->o.nframes = 1;
	ds_open(mod->sessions, ctx, &e->o);
}

static void on_ccr_termination(struct ds_module *mod, struct parse_ctx *ctx, const struct diameter_msg *m)
{
	uint8_t key[KEY_MAX];
	struct ds_open unseen;
	describe(m, &unseen, ctx->pkt);
	unseen.key = key;
	unseen.key_len = session_key(m, key);
	ds_close(mod->sessions, ctx, key, unseen.key_len, -1, &unseen, NULL, 0);
}

static void handle(struct ds_module *mod, struct parse_ctx *ctx, const struct diameter_msg *m)
{
	if (!mod || !ctx->pkt || m->command != DIAMETER_CMD_CC || m->session_id_len == 0)
		return;
	bool request = (m->flags & 0x80) != 0;
	if (request && m->cc_type == DIAMETER_CC_INITIAL)
		on_ccr_initial(mod, m, ctx->pkt);
	else if (request && m->cc_type == DIAMETER_CC_TERMINATION)
		on_ccr_termination(mod, ctx, m);
	else if (!request)
		on_cca(mod, ctx, m);
}

/* --- the dissector --- */

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	(void)pkt;
	struct cursor c = cur_make(p, len);
	uint8_t version = cur_u8(&c);
	uint32_t length = cur_be24(&c);
	uint8_t flags = cur_u8(&c);
	uint32_t command = cur_be24(&c);
	cur_skip(&c, 12);
	if (!cur_ok(&c) || version != 1 || length < DIAMETER_HEADER_LEN || (length & 3) ||
	    length > DIAMETER_MAX_LEN || (flags & 0x0f) || ((flags & 0x80) && (flags & 0x20)) || command == 0)
		return false;
	if (length == DIAMETER_HEADER_LEN)
		return len == DIAMETER_HEADER_LEN;
	/* the first AVP: reserved flag bits clear, a length that fits the message */
	cur_skip(&c, 4);
	uint8_t aflags = cur_u8(&c);
	uint32_t alen = cur_be24(&c);
	return cur_ok(&c) && !(aflags & 0x1f) && alen >= ((aflags & 0x80) ? 12u : 8u) &&
	       alen <= length - DIAMETER_HEADER_LEN;
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	const struct packet *pkt = ctx->pkt;
	bool stream = !pkt || pkt->ip_proto == IPPROTO_TCP_;
	struct cursor c = cur_make(p, len);
	*consumed = 0;
	for (int n = 0; n < DIAMETER_MAX_MSGS && !cur_at_end(&c); n++) {
		struct cursor peek = c;
		struct span rest = cur_rest(&peek);
		struct diameter_msg m;
		enum diameter_result r = diameter_parse(rest.ptr, rest.len, &m);
		if (r == DIAMETER_INCOMPLETE && stream)
			return PARSE_NEED_MORE;
		if (r != DIAMETER_OK) {
			bool cut = r == DIAMETER_INCOMPLETE && pkt && pkt->payload_truncated;
			stats_anomaly(ctx->stats, cut ? ANOM_DIAMETER_TRUNCATED : ANOM_DIAMETER_MALFORMED);
			if (!stream)
				*consumed = len;
			return PARSE_MALFORMED;
		}
		handle(ctx->module, ctx, &m);
		cur_skip(&c, m.length);
		*consumed = cur_pos(&c);
	}
	if (!stream)
		*consumed = len;
	return PARSE_OK;
}

const struct dissector diameter_dissector = {
	.name = "diameter",
	.transports = T_TCP, /* SCTP: the SCTP layer hands on PPID 46 user messages */
	.recognise = recognise,
	.parse = parse,
	.state_size = 0,
	.state_end = NULL,
	.module_new = diameter_module_new,
	.module_free = ds_module_free,
	.module_tick = NULL,
	.module_finish = NULL,
	.sctp_ppid = { DIAMETER_SCTP_PPID, 0 },
};
