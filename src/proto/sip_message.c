/*
 * sip_message.c — SIP MESSAGE requests as sms events: instant messages (RFC 3428) and
 * SMS over IP (3GPP TS 24.341), where the body is an RP message (3GPP TS 24.011 §7.3)
 * carrying a TPDU (3GPP TS 23.040). The body is read only for SMS addressing, through
 * proto/sms_tpdu.h; no other body byte is looked at, and none is copied.
 *
 *   MESSAGE (new Call-ID + CSeq)        → waits for its final response
 *   MESSAGE again (same Call-ID + CSeq) → a retransmission (or a second leg): nothing
 *   2xx                                 → sms, outcome "accepted" ("failed" when the
 *                                         2xx carries an RP-ERROR)
 *   401 / 407                           → not final: the retry (same Call-ID, higher
 *                                         CSeq) continues the same message
 *   other >= 300                        → sms, outcome "failed"
 *   no final response within Timer F    → sms without an outcome (a challenge never
 *   (RFC 3261 17.1.2.2: 64*T1 = 32 s),    answered: "failed")
 *   or at the end of input
 *
 * The emit-time choice is SMPP's (smpp.c): the record is written once the outcome is
 * known, with the request's time and frame, so one MESSAGE is one record.
 *
 * Parties. Plain MESSAGE: from is the P-Asserted-Identity when present, else From; to
 * is To (the Request-URI when To gives nothing). application/vnd.3gpp.sms names the
 * real SMS parties instead of the IMS service URIs:
 *   RP-DATA ms→n (MO), SMS-SUBMIT:    from = PAI/From (the UE),  to = TP-DA
 *   RP-DATA n→ms (MT), SMS-DELIVER:   from = TP-OA,              to = To (the UE)
 *   RP-DATA n→ms, SMS-STATUS-REPORT:  from = TP-RA, to = To, subtype "delivery-receipt"
 *   RP-DATA ms→n, SMS-COMMAND:        from = PAI/From, to = TP-DA, subtype "command"
 *   RP-ACK, RP-ERROR, RP-SMMA:        acknowledgements and memory notices: no event
 * (RP-DA on MO and RP-OA on MT are the service centre, not a party of the message.)
 * A body that does not parse keeps the SIP parties and is counted. Typing indicators
 * (application/im-iscomposing+xml, RFC 3994) are not messages: no event; disposition
 * notifications (message/imdn+xml, RFC 5438) are subtype "delivery-receipt".
 *
 * Entries live in a pool on one list in arrival order (every entry has the same
 * timeout, so the oldest is always the next to expire) with a hash index by Call-ID
 * (core/ixpool.h, core/ixhash.h). A full pool gives up its oldest entry early: emitted
 * without an outcome if still waiting.
 */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ixhash.h"
#include "core/ixpool.h"
#include "core/party.h"
#include "core/pow2.h"
#include "core/str.h"
#include "proto/sip.h"
#include "proto/sms_tpdu.h"

#define SMS_TIMEOUT_US (32ull * 1000000) /* Timer F: a non-INVITE transaction is over */

enum entry_state { S_FREE, S_PENDING, S_CHALLENGED, S_DONE };
enum { SMS_MAX_CAPACITY = 1 << 20, L_ARRIVAL = 0 };

struct sms_entry {
	uint32_t cseq;
	uint8_t state;
	uint8_t sms_leg;      /* enum sms_leg */
	struct event_origin at; /* the request's packet */
	char subtype[24];
	struct sip_id id;     /* the Call-ID */
	char from[PARTY_MAX], to[PARTY_MAX];
};

_Static_assert(sizeof(struct sms_entry) <= 640, "sms_entry grew: the pool holds thousands");

struct sip_sms_table {
	struct stats *stats;
	struct ixpool pool;       /* the entries held, on L_ARRIVAL oldest first */
	struct ixhash by_id;      /* entries by Call-ID */
	struct sms_entry *e;      /* [1, capacity]: entry 0 unused */
};

/* --- the table --- */

struct sip_sms_table *sip_sms_new(struct stats *stats, uint32_t capacity)
{
	uint32_t cap = pow2_at_least(capacity < SMS_MAX_CAPACITY ? capacity : SMS_MAX_CAPACITY, 16);
	struct sip_sms_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->stats = stats;
	t->e = calloc((size_t)cap + 1, sizeof *t->e);
	if (!t->e || ixpool_init(&t->pool, cap) != 0 || ixhash_init(&t->by_id, cap + 1, cap) != 0) {
		sip_sms_free(t);
		return NULL;
	}
	return t;
}

void sip_sms_free(struct sip_sms_table *t)
{
	if (!t)
		return;
	free(t->e);
	ixpool_fini(&t->pool);
	ixhash_fini(&t->by_id);
	free(t);
}

uint32_t sip_sms_active(const struct sip_sms_table *t)
{
	return t ? t->pool.used : 0;
}

/* The entry of (Call-ID, CSeq), or IX_NIL. */
static uint32_t find(const struct sip_sms_table *t, struct span id, uint32_t cseq)
{
	for (uint32_t i = ixhash_first(&t->by_id, hash_bytes(id.ptr, id.len)); i != IX_NIL;
	     i = ixhash_next(&t->by_id, i))
		if (sip_id_is(&t->e[i].id, id) && t->e[i].cseq == cseq)
			return i;
	return IX_NIL;
}

/* A challenged entry of this Call-ID with a lower CSeq (the message being retried), or IX_NIL. */
static uint32_t find_challenged(const struct sip_sms_table *t, struct span id, uint32_t cseq)
{
	for (uint32_t i = ixhash_first(&t->by_id, hash_bytes(id.ptr, id.len)); i != IX_NIL;
	     i = ixhash_next(&t->by_id, i))
		if (sip_id_is(&t->e[i].id, id) && t->e[i].state == S_CHALLENGED && t->e[i].cseq < cseq)
			return i;
	return IX_NIL;
}

static void emit(const struct sms_entry *s, const char *outcome, uint64_t resp_frame,
		 const struct event_sink *events)
{
	struct event e;
	event_init(&e, EV_SMS);
	e.protocol = "sip-message";
	event_set_origin(&e, &s->at);
	if (resp_frame)
		event_add_frame(&e, resp_frame);
	e.from_addr = s->at.src;
	e.to_addr = s->at.dst;
	str_copy(e.from, sizeof e.from, s->from);
	str_copy(e.to, sizeof e.to, s->to);
	str_copy(e.call_id, sizeof e.call_id, s->id.text);
	str_copy(e.subtype, sizeof e.subtype, s->subtype);
	str_copy(e.outcome, sizeof e.outcome, outcome);
	e.sms_leg = s->sms_leg;
	event_emit(events, &e);
}

/* Removes the oldest entry; one still waiting is emitted first. */
static void drop_oldest(struct sip_sms_table *t, const struct event_sink *events)
{
	uint32_t idx = ixpool_oldest(&t->pool, L_ARRIVAL);
	struct sms_entry *s = &t->e[idx];
	if (s->state == S_PENDING)
		emit(s, "", 0, events);
	else if (s->state == S_CHALLENGED)
		emit(s, "failed", 0, events);
	ixhash_remove(&t->by_id, idx);
	ixpool_free(&t->pool, idx);
	memset(s, 0, sizeof *s);
}

void sip_sms_expire(struct sip_sms_table *t, uint64_t now_us, const struct event_sink *events)
{
	while (t && t->pool.used > 0) {
		const struct sms_entry *s = &t->e[ixpool_oldest(&t->pool, L_ARRIVAL)];
		if (now_us <= s->at.ts_us || now_us - s->at.ts_us <= SMS_TIMEOUT_US)
			return;
		drop_oldest(t, events);
	}
}

void sip_sms_finish(struct sip_sms_table *t, const struct event_sink *events)
{
	while (t && t->pool.used > 0)
		drop_oldest(t, events);
}

/* A fresh entry for (id, cseq), the oldest given up when the pool is full. */
static struct sms_entry *entry_new(struct sip_sms_table *t, struct span id, uint32_t cseq,
				   const struct event_sink *events)
{
	uint32_t idx = ixpool_alloc(&t->pool);
	if (idx == IX_NIL) {
		drop_oldest(t, events);
		idx = ixpool_alloc(&t->pool);
	}
	ixpool_touch(&t->pool, idx, L_ARRIVAL);
	struct sms_entry *s = &t->e[idx];
	memset(s, 0, sizeof *s);
	sip_id_set(&s->id, id);
	s->cseq = cseq;
	ixhash_insert(&t->by_id, idx, hash_bytes(id.ptr, id.len));
	return s;
}

/* --- bodies --- */

static bool is_3gpp_sms(const struct sip_msg *m)
{
	return sip_content_type_is(m, "application/vnd.3gpp.sms");
}

/* An RP-ERROR in a 2xx body: the service centre refused the message. */
static bool body_is_rp_error(const struct sip_msg *m)
{
	struct rp_info rp;
	bool truncated;
	return is_3gpp_sms(m) && m->body.len > 0 && sms_rp_parse(m->body.ptr, m->body.len, &rp, &truncated) == 0 &&
	       (rp.mti == 4 || rp.mti == 5);
}

/* What a MESSAGE body makes of the message: no event, or the parties to record. */
struct parties {
	char from[PARTY_MAX], to[PARTY_MAX];
	const char *subtype;
	uint8_t sms_leg;          /* enum sms_leg */
};

static void norm(struct span uri, char *out, size_t outlen)
{
	party_normalise((const char *)uri.ptr, uri.len, out, outlen);
}

/* The SIP parties: P-Asserted-Identity (else From) to To (else the Request-URI). */
static void sip_parties(const struct sip_msg *m, struct parties *p)
{
	p->from[0] = '\0';
	if (m->pai.present)
		norm(m->pai.uri, p->from, sizeof p->from);
	if (p->from[0] == '\0')
		norm(m->from.uri, p->from, sizeof p->from);
	norm(m->to.uri, p->to, sizeof p->to);
	if (p->to[0] == '\0')
		norm(m->request_uri, p->to, sizeof p->to);
}

/*
 * An SMS body that does not parse. Cut by the capture (fewer bytes than Content-Length):
 * sip.c has counted the truncation. Otherwise the RP or TP layer claims more than the
 * body holds, or is not RP/TP at all: malformed.
 */
static void body_anomaly(const struct sip_msg *m, struct stats *stats)
{
	if (!m->body_truncated)
		stats_anomaly(stats, ANOM_SMS_TPDU_MALFORMED);
}

/*
 * The RP and TP layers of an SMS-over-IP body: the real originator and recipient. False
 * when the body is an acknowledgement (no event).
 */
static bool sms_parties(const struct sip_msg *m, struct parties *p, struct stats *stats)
{
	struct rp_info rp;
	struct tpdu_info tp;
	bool truncated = false;
	if (sms_rp_parse(m->body.ptr, m->body.len, &rp, &truncated) != 0) {
		body_anomaly(m, stats);
		return true; /* perhaps a message: recorded with its SIP parties */
	}
	if (rp.mti > 1)
		return false; /* RP-ACK, RP-ERROR, RP-SMMA */
	bool mo = rp.mti == 0;
	if (sms_tpdu_parse(rp.tpdu, rp.tpdu_len, mo, &tp, &truncated) != 0) {
		body_anomaly(m, stats);
		return true;
	}
	switch (tp.type) {
	case TPDU_SUBMIT:
	case TPDU_COMMAND:
		if (tp.address[0])
			str_copy(p->to, sizeof p->to, tp.address);
		if (tp.type == TPDU_COMMAND)
			p->subtype = "command";
		else
			p->sms_leg = SMS_LEG_SUBMIT;
		return true;
	case TPDU_DELIVER:
	case TPDU_STATUS_REPORT:
		if (tp.address[0])
			str_copy(p->from, sizeof p->from, tp.address);
		if (tp.type == TPDU_STATUS_REPORT)
			p->subtype = "delivery-receipt";
		else
			p->sms_leg = SMS_LEG_DELIVER;
		return true;
	default:
		return false; /* a report inside RP-DATA: an acknowledgement, not a message */
	}
}

/* The parties of a MESSAGE, or false when it is not a message (no event). */
static bool message_parties(const struct sip_msg *m, struct parties *p, struct stats *stats)
{
	p->subtype = "";
	p->sms_leg = SMS_LEG_UNKNOWN;
	sip_parties(m, p);
	if (sip_content_type_is(m, "application/im-iscomposing+xml"))
		return false;
	if (sip_content_type_is(m, "message/imdn+xml"))
		p->subtype = "delivery-receipt";
	if (is_3gpp_sms(m))
		return sms_parties(m, p, stats);
	return true;
}

/* --- requests and responses --- */

static uint64_t now_of(const struct parse_ctx *ctx)
{
	return ctx->pkt ? ctx->pkt->ts_us : 0;
}

void sip_sms_request(struct sip_sms_table *t, struct parse_ctx *ctx, const struct sip_msg *m)
{
	if (!t)
		return;
	uint64_t now = now_of(ctx);
	sip_sms_expire(t, now, ctx->events);
	if (find(t, m->call_id, m->cseq) != IX_NIL)
		return; /* a retransmission, or the same request on another leg */
	uint32_t idx = find_challenged(t, m->call_id, m->cseq);
	if (idx != IX_NIL) {
		t->e[idx].cseq = m->cseq; /* the retry with credentials: the same message */
		t->e[idx].state = S_PENDING;
		return;
	}
	struct parties p;
	if (!message_parties(m, &p, t->stats))
		return;
	struct sms_entry *s = entry_new(t, m->call_id, m->cseq, ctx->events);
	s->state = S_PENDING;
	str_copy(s->from, sizeof s->from, p.from);
	str_copy(s->to, sizeof s->to, p.to);
	str_copy(s->subtype, sizeof s->subtype, p.subtype);
	s->sms_leg = p.sms_leg;
	event_origin_of(&s->at, ctx->pkt);
}

void sip_sms_response(struct sip_sms_table *t, struct parse_ctx *ctx, const struct sip_msg *m)
{
	if (!t || m->status < 200)
		return;
	uint32_t idx = find(t, m->call_id, m->cseq);
	if (idx == IX_NIL)
		return; /* its MESSAGE was not seen (or gave no event): nothing to attribute */
	struct sms_entry *s = &t->e[idx];
	if (s->state != S_PENDING)
		return; /* a retransmitted or forked final response */
	if (m->status == 401 || m->status == 407) {
		s->state = S_CHALLENGED;
		return;
	}
	bool ok = m->status < 300 && !body_is_rp_error(m);
	emit(s, ok ? "accepted" : "failed", ctx->pkt ? ctx->pkt->frame_no : 0, ctx->events);
	s->state = S_DONE; /* kept until Timer F to absorb retransmissions */
}
