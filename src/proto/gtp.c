/*
 * gtp.c — the GTP control plane dissector (GSM 09.60 GTPv0, 3GPP TS 29.060 GTPv1-C,
 * TS 29.274 GTPv2-C): recognising it, pairing requests with responses, and turning
 * accepted sessions into data sessions (data_session.h), which bind the subscriber's
 * address in the identity map and give data.session.begin / data.session.end.
 *
 *   Create PDP Context / Create Session Request   remembered as a transaction keyed by
 *        (version, sequence number, requester, responder), with the subscriber (IMSI,
 *        MSISDN, IMEI, APN), any static address asked for, the requester's control
 *        endpoint and the NSAPI / EBI
 *   ... Response, Cause accepted                   the session opens: the address of the
 *        End User Address / PAA (else the static one asked for); the handle is the
 *        requester's control endpoint, aliased by the responder's
 *        (address, TEID-C, NSAPI / EBI), so a Delete from either side finds it
 *   Delete PDP Context / Delete Session Request    the handle named by its header TEID
 *        at its destination (and its NSAPI / linked EBI; every EBI when absent)
 *   ... Response, Cause accepted                   the session closes
 *
 * A response whose header TEID is not the requester's TEID-C (when both are known) is
 * not the request's answer. GTPv0 has no TEIDs: its tunnel id (IMSI + NSAPI) is the key.
 * Update PDP Context / Modify Bearer and Create Bearer change no address and are only
 * checked for well-formedness (a moved SGSN keeps the session findable through the
 * GGSN's endpoint, which does not move).
 *
 * Transactions live in a fixed set-associative table (core/setassoc.h, GTP_TXN_SETS x
 * GTP_TXN_WAYS); a full set reuses its oldest entry. Responses come within seconds (T3-RESPONSE x N3), so
 * an entry older than GTP_TXN_TIMEOUT_US is free for reuse.
 *
 * Recognised by structure on any port: version 1 with PT=1 and S=1, version 0 with
 * PT=1 and its spare bits, or version 2 with its spare bits clear and a TEID, with the
 * length matching the datagram; Create/Update/Delete types anywhere, other control
 * types only on the GTP-C ports. GTP' (PT=0, port 3386) and GTP-U (port 2152, whose
 * G-PDUs the pipeline decapsulates) are never taken for GTP-C.
 */
#include "proto/gtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/setassoc.h"
#include "identity/data_session.h"

enum {
	GTP_TXN_SETS = 1024,
	GTP_TXN_WAYS = 4,
	GTP_KEY_LEN = 23, /* version, family, address(16), TEID(4), NSAPI/EBI */
	GTP_MAX_EBI = 15,
};

#define GTP_TXN_TIMEOUT_US (60ull * 1000000)

struct gtp_txn {
	uint8_t version;
	uint8_t kind;             /* enum gtp_kind of the request */
	bool has_ebi;
	uint8_t ebi;
	uint8_t key_len;          /* a Delete: the handle its request named (0: none) */
	uint8_t req_v6_prefix;
	uint32_t seq;
	struct ip_addr requester, responder;
	uint64_t frame;
	struct gtp_endpoint ctrl; /* the requester's control endpoint */
	struct ip_addr req_v4, req_v6;
	uint8_t tid[8];
	uint8_t key[GTP_KEY_LEN];
	struct subscriber sub;
};

_Static_assert(sizeof(struct gtp_txn) <= 448, "gtp_txn grew: there are 4096 of them");

/* The module is a struct ds_module: its data sessions, and its transactions (pending,
 * of struct gtp_txn). */
void *gtp_module_new(struct stats *stats, const struct module_sizes *sizes)
{
	return ds_module_new(stats, sizes, GTP_TXN_SETS, GTP_TXN_WAYS, sizeof(struct gtp_txn), GTP_TXN_TIMEOUT_US);
}

/* --- transactions --- */

/* A transaction: the request's version and sequence number, requester and responder. */
struct txn_key {
	uint8_t version;
	uint32_t seq;
	const struct ip_addr *requester, *responder;
	int kind; /* txn_find: the request's kind (enum gtp_kind) */
};

static uint32_t txn_hash(const struct txn_key *k)
{
	uint32_t h = hash_word(HASH_SEED ^ k->version, k->seq);
	h = hash_word(hash_word(h, addr_hash(k->requester)), addr_hash(k->responder));
	return h ^ (h >> 15);
}

static bool txn_is(const void *entry, const void *key)
{
	const struct gtp_txn *t = entry;
	const struct txn_key *k = key;
	return t->version == k->version && t->seq == k->seq && addr_eq(&t->requester, k->requester) &&
	       addr_eq(&t->responder, k->responder);
}

static bool txn_is_kind(const void *entry, const void *key)
{
	return txn_is(entry, key) && ((const struct gtp_txn *)entry)->kind == ((const struct txn_key *)key)->kind;
}

static struct gtp_txn *txn_find(struct ds_module *mod, uint8_t version, uint32_t seq,
				const struct ip_addr *req, const struct ip_addr *resp, enum gtp_kind kind)
{
	struct txn_key k = { version, seq, req, resp, (int)kind };
	return setassoc_find(&mod->pending, txn_hash(&k), txn_is_kind, &k);
}

/* The entry for a new request: its own (a retransmission), a free or stale one, or the oldest. */
static struct gtp_txn *txn_put(struct ds_module *mod, const struct gtp_msg *m, const struct packet *pkt)
{
	struct txn_key k = { m->version, m->seq, &pkt->src, &pkt->dst, (int)m->kind };
	struct gtp_txn *t = setassoc_put(&mod->pending, txn_hash(&k), pkt->ts_us, txn_is, &k);
	t->version = m->version;
	t->kind = (uint8_t)m->kind;
	t->seq = m->seq;
	t->requester = pkt->src;
	t->responder = pkt->dst;
	t->frame = pkt->frame_no;
	return t;
}

/* --- session handles --- */

static size_t endpoint_key(uint8_t k[GTP_KEY_LEN], uint8_t version, const struct ip_addr *a, uint32_t teid,
			   uint8_t ebi)
{
	k[0] = version;
	k[1] = a->family;
	memcpy(k + 2, a->bytes, 16);
	k[18] = (uint8_t)(teid >> 24);
	k[19] = (uint8_t)(teid >> 16);
	k[20] = (uint8_t)(teid >> 8);
	k[21] = (uint8_t)teid;
	k[22] = ebi;
	return GTP_KEY_LEN;
}

/* GTPv0: the tunnel id (IMSI and NSAPI) names the context. */
static size_t tid_key(uint8_t k[GTP_KEY_LEN], const uint8_t tid[8])
{
	memset(k, 0, GTP_KEY_LEN);
	k[1] = 0xff;
	memcpy(k + 2, tid, 8);
	return GTP_KEY_LEN;
}

/*
 * The handle a Delete names: the receiver's endpoint (addr, header TEID) and the NSAPI
 * or linked EBI, or any EBI when the message gives none. False when none is open.
 */
static bool find_handle(const struct ds_module *mod, const struct gtp_msg *m, const struct ip_addr *receiver,
			uint8_t k[GTP_KEY_LEN])
{
	if (m->version == 0) {
		tid_key(k, m->tid);
		return ds_known(mod->sessions, k, GTP_KEY_LEN);
	}
	if (!m->has_teid)
		return false;
	if (m->has_ebi) {
		endpoint_key(k, m->version, receiver, m->teid, m->ebi);
		return ds_known(mod->sessions, k, GTP_KEY_LEN);
	}
	for (uint8_t ebi = 0; ebi <= GTP_MAX_EBI; ebi++) {
		endpoint_key(k, m->version, receiver, m->teid, ebi);
		if (ds_known(mod->sessions, k, GTP_KEY_LEN))
			return true;
	}
	return false;
}

static void fill_subscriber(struct subscriber *s, const struct gtp_msg *m)
{
	memset(s, 0, sizeof *s);
	if (m->imsi[0])
		snprintf(s->imsi, sizeof s->imsi, "imsi:%s", m->imsi);
	if (m->msisdn[0]) /* TS 29.274 §8.11, TS 29.060 §7.7.33: international format */
		snprintf(s->msisdn, sizeof s->msisdn, "+%s", m->msisdn);
	if (m->imei[0])
		snprintf(s->imei, sizeof s->imei, "imei:%s", m->imei);
	snprintf(s->apn, sizeof s->apn, "%s", m->apn);
}

static const char *protocol_name(uint8_t version)
{
	return version == 2 ? "gtpv2" : version == 1 ? "gtpv1" : "gtpv0";
}

/* --- the messages --- */

static void on_create_request(struct ds_module *mod, const struct gtp_msg *m, const struct packet *pkt)
{
	struct gtp_txn *t = txn_put(mod, m, pkt);
	fill_subscriber(&t->sub, m);
	t->ctrl = m->ctrl;
	if (t->ctrl.addr.family == 0)
		t->ctrl.addr = pkt->src;
	t->has_ebi = m->has_ebi;
	t->ebi = m->ebi;
	t->req_v4 = m->ue_v4;
	t->req_v6 = m->ue_v6;
	t->req_v6_prefix = m->ue_v6_prefix;
	memcpy(t->tid, m->tid, sizeof t->tid);
}

static void on_create_response(struct ds_module *mod, struct parse_ctx *ctx, const struct gtp_msg *m)
{
	const struct packet *pkt = ctx->pkt;
	struct gtp_txn *t = txn_find(mod, m->version, m->seq, &pkt->dst, &pkt->src, GTP_K_CREATE_REQ);
	if (!t)
		return; /* the request was not seen: nobody to name */
	if (m->version > 0 && t->ctrl.present && m->has_teid && m->teid != 0 && m->teid != t->ctrl.teid)
		return; /* another request's answer */
	if (!m->has_cause || !gtp_cause_accepted(m->version, m->cause))
		return;

	struct ds_open o;
	memset(&o, 0, sizeof o);
	o.sub = t->sub;
	if (!o.sub.msisdn[0] && !o.sub.imsi[0]) /* an emergency session without a SIM: the MEI names it */
		snprintf(o.user, sizeof o.user, "%s", o.sub.imei);
	o.protocol = protocol_name(m->version);
	o.source = m->version == 2 ? ID_SRC_GTPV2 : ID_SRC_GTPV1;
	struct ip_addr v4 = m->ue_v4.family ? m->ue_v4 : t->req_v4;
	struct ip_addr v6 = m->ue_v6.family ? m->ue_v6 : t->req_v6;
	unsigned v6len = m->ue_v6.family ? m->ue_v6_prefix : t->req_v6_prefix;
	if (v4.family) {
		o.addr[o.naddr] = v4;
		o.prefix_len[o.naddr++] = 32;
	}
	if (v6.family) {
		o.addr[o.naddr] = v6;
		o.prefix_len[o.naddr++] = v6len ? v6len : 128;
	}
	uint8_t key[GTP_KEY_LEN], alias[GTP_KEY_LEN];
	uint8_t ebi = t->has_ebi ? t->ebi : m->ebi;
	if (m->version == 0) {
		o.key_len = tid_key(key, t->tid);
	} else {
		if (!t->ctrl.present)
			return; /* no endpoint to find the session by later */
		o.key_len = endpoint_key(key, m->version, &t->ctrl.addr, t->ctrl.teid, ebi);
		if (m->ctrl.present) {
			const struct ip_addr *a = m->ctrl.addr.family ? &m->ctrl.addr : &pkt->src;
			o.alias_len = endpoint_key(alias, m->version, a, m->ctrl.teid, ebi);
			o.alias = alias;
		}
	}
	o.key = key;
	o.announce = true;
	o.start_us = pkt->ts_us;
	o.frames[o.nframes++] = t->frame;
	ds_open(mod->sessions, ctx, &o);
}

static void on_delete_request(struct ds_module *mod, const struct gtp_msg *m, const struct packet *pkt)
{
	uint8_t key[GTP_KEY_LEN];
	bool found = find_handle(mod, m, &pkt->dst, key);
	struct gtp_txn *t = txn_put(mod, m, pkt);
	if (found) {
		memcpy(t->key, key, GTP_KEY_LEN);
		t->key_len = GTP_KEY_LEN;
	}
}

static void on_delete_response(struct ds_module *mod, struct parse_ctx *ctx, const struct gtp_msg *m)
{
	const struct packet *pkt = ctx->pkt;
	if (!m->has_cause || !gtp_cause_accepted(m->version, m->cause))
		return;
	struct gtp_txn *t = txn_find(mod, m->version, m->seq, &pkt->dst, &pkt->src, GTP_K_DELETE_REQ);
	uint8_t key[GTP_KEY_LEN];
	uint64_t frames[1];
	unsigned nframes = 0;
	if (t && t->key_len && ds_known(mod->sessions, t->key, GTP_KEY_LEN)) {
		memcpy(key, t->key, GTP_KEY_LEN);
	} else if (m->version == 0 || !find_handle(mod, m, &pkt->dst, key)) {
		/* The answer is addressed to the requester's own endpoint, which names the
		 * session too: that finds it when the request was not seen, or when the handle
		 * the request named was already closed through another interface (S5 before S11
		 * where a node used one TEID on both). */
		return;
	}
	if (t) {
		frames[nframes++] = t->frame;
		t->key_len = 0; /* a retransmitted answer closes nothing more */
	}
	ds_close(mod->sessions, ctx, key, GTP_KEY_LEN, -1, NULL, frames, nframes);
}

void gtp_module_handle(void *module, struct parse_ctx *ctx, const struct gtp_msg *m)
{
	struct ds_module *mod = module;
	if (!mod || !ctx->pkt)
		return;
	switch (m->kind) {
	case GTP_K_CREATE_REQ:
		on_create_request(mod, m, ctx->pkt);
		break;
	case GTP_K_CREATE_RESP:
		on_create_response(mod, ctx, m);
		break;
	case GTP_K_DELETE_REQ:
		on_delete_request(mod, m, ctx->pkt);
		break;
	case GTP_K_DELETE_RESP:
		on_delete_response(mod, ctx, m);
		break;
	default:
		break; /* echo, update/modify, bearers: no address changes hands */
	}
}

/* --- the dissector --- */

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	uint16_t sport = pkt ? pkt->sport : 0, dport = pkt ? pkt->dport : 0;
	return gtpv1c_header_ok(p, len, sport, dport) || gtpv2c_header_ok(p, len, sport, dport);
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	bool cut = ctx->pkt && ctx->pkt->payload_truncated;
	struct cursor c = cur_make(p, len);
	*consumed = len;
	for (int i = 0; i < GTP_MAX_MSGS && !cur_at_end(&c); i++) {
		struct cursor peek = c;
		struct span rest = cur_rest(&peek);
		struct gtp_msg m;
		enum gtp_result r = gtp_msg_parse(rest.ptr, rest.len, cut, &m);
		if (r == GTP_NOT_GTPC || r == GTP_MALFORMED) {
			stats_anomaly(ctx->stats, ANOM_GTP_MALFORMED);
			return PARSE_MALFORMED;
		}
		if (r == GTP_TRUNCATED)
			stats_anomaly(ctx->stats, ANOM_GTP_TRUNCATED);
		gtp_module_handle(ctx->module, ctx, &m);
		if (r == GTP_TRUNCATED || m.version != 2 || !m.piggyback)
			break;
		cur_skip(&c, m.length);
	}
	return PARSE_OK;
}

const struct dissector gtp_dissector = {
	.name = "gtp",
	.transports = T_UDP,
	.recognise = recognise,
	.parse = parse,
	.state_size = 0,
	.state_end = NULL,
	.module_new = gtp_module_new,
	.module_free = ds_module_free,
	.module_tick = NULL,
	.module_finish = NULL,
};
