/*
 * sip_call.c — the SIP call table and state machine that turns messages into events
 * (RFC 3261: dialogs 12, INVITE transactions 13 and 17, CANCEL 9, BYE 15, REGISTER 10).
 *
 * One entry per Call-ID, shared across flows (a proxied call crosses several flows
 * with the same Call-ID and CSeq, and gives one set of events). Entries come from a
 * fixed pool allocated at module_new; a full pool first reuses the oldest ended entry,
 * then drops and counts ANOM_SIP_CALL_TABLE_FULL.
 *
 *   INVITE (no To tag, new Call-ID)  → call.attempt          state PROCEEDING
 *   INVITE again (retransmission, auth retry with a higher CSeq, re-INVITE) → nothing
 *   2xx to the INVITE (first one; forks give one) → call.answer   ANSWERED
 *   3xx, 401, 407, 422 to the INVITE: not final for the call (a retry follows)
 *   CANCEL while PROCEEDING → call.end cancelled              ENDED
 *   486/600/603 busy, 408/480 no-answer, 487 cancelled, other >= 300 failed → call.end
 *   BYE → call.end answered (duration from the answer; -1 when the answer was not seen,
 *         and for a call never seen, which gives no attempt)
 *   2xx to REGISTER → registration (address of record, contact)
 *   MESSAGE and its responses → sip_message.c (sms events)
 *
 * Every entry is on one of three least-recently-used lists by its timeout: unanswered
 * calls and registrations (5 min), answered calls (6 h), ended calls kept to absorb
 * retransmissions (5 min). Expiry is quiet: no events.
 */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ixhash.h"
#include "core/ixpool.h"
#include "core/party.h"
#include "core/pow2.h"
#include "core/str.h"
#include "identity/identity.h"
#include "proto/sip.h"

enum { SIP_DEFAULT_CAPACITY = 65536, SIP_SMS_CAPACITY = 8192, SIP_MAX_CAPACITY = 1 << 24 };

enum call_kind { K_CALL = 1, K_REG = 2 };
enum call_state { CS_PROCEEDING, CS_ANSWERED, CS_ENDED };
enum lru_list { L_SHORT, L_LONG, L_ENDED, L__COUNT };

static const uint64_t list_timeout_us[L__COUNT] = {
	[L_SHORT] = 300ull * 1000000,       /* unanswered, no final response; registrations */
	[L_LONG] = 6ull * 3600 * 1000000,   /* answered */
	[L_ENDED] = 300ull * 1000000,       /* ended: absorbs retransmissions */
};

struct sip_call {
	uint32_t invite_cseq;     /* CSeq of the INVITE in progress */
	uint32_t reg_cseq;        /* REGISTER awaiting its answer */
	uint32_t reg_done_cseq;   /* REGISTER whose 2xx gave an event */
	uint8_t kind, state;
	bool answer_seen, reg_pending, reg_done;
	uint64_t last_us, answer_us;
	struct ip_addr caller_addr, callee_addr; /* REGISTER: registrant, registrar */
	struct sip_id id;         /* the Call-ID */
	char from[PARTY_MAX];     /* caller; REGISTER: address of record */
	char to[PARTY_MAX];       /* callee; REGISTER: contact */
	struct sip_media media[2];
};

_Static_assert(sizeof(struct sip_call) <= 640, "sip_call grew: the pool is 65536 of them");

struct sip_module {
	struct stats *stats;
	struct ixpool pool;        /* which calls are held, on which list (enum lru_list) */
	struct ixhash by_id;       /* calls by Call-ID */
	struct sip_call *calls;    /* [1, capacity]: entry 0 unused */
	struct sip_sms_table *sms; /* MESSAGE requests (sip_message.c) */
};

/* --- the table --- */

struct sip_module *sip_module_new_sized(struct stats *stats, uint32_t capacity)
{
	uint32_t cap = pow2_at_least(capacity < SIP_MAX_CAPACITY ? capacity : SIP_MAX_CAPACITY, 16);
	struct sip_module *mod = calloc(1, sizeof *mod);
	if (!mod)
		return NULL;
	mod->stats = stats;
	/* calloc: a pool sized for a carrier costs a small capture only the pages it uses */
	mod->calls = calloc((size_t)cap + 1, sizeof *mod->calls);
	mod->sms = sip_sms_new(stats, SIP_SMS_CAPACITY);
	if (!mod->calls || !mod->sms || ixpool_init(&mod->pool, cap) != 0 ||
	    ixhash_init(&mod->by_id, cap + 1, cap) != 0) {
		sip_module_free(mod);
		return NULL;
	}
	return mod;
}

void *sip_module_new(struct stats *stats, const struct module_sizes *sizes)
{
	(void)sizes;
	return sip_module_new_sized(stats, SIP_DEFAULT_CAPACITY);
}

void sip_module_free(void *module)
{
	struct sip_module *mod = module;
	if (!mod)
		return;
	free(mod->calls);
	ixpool_fini(&mod->pool);
	ixhash_fini(&mod->by_id);
	sip_sms_free(mod->sms);
	free(mod);
}

uint32_t sip_module_active(const struct sip_module *mod)
{
	return mod ? mod->pool.used : 0;
}

/* The list the entry is on (every held entry is on one). */
static enum lru_list list_of(const struct sip_module *mod, uint32_t idx)
{
	return (enum lru_list)ixpool_list_of(&mod->pool, idx);
}

/* Marks activity and moves the entry to the newest end of list l. */
static void touch(struct sip_module *mod, uint32_t idx, uint64_t now, enum lru_list l)
{
	mod->calls[idx].last_us = now;
	ixpool_touch(&mod->pool, idx, l);
}

static void call_release(struct sip_module *mod, uint32_t idx)
{
	ixhash_remove(&mod->by_id, idx);
	ixpool_free(&mod->pool, idx);
	memset(&mod->calls[idx], 0, sizeof mod->calls[idx]);
}

static uint32_t call_find(const struct sip_module *mod, struct span id)
{
	for (uint32_t i = ixhash_first(&mod->by_id, hash_bytes(id.ptr, id.len)); i != IX_NIL;
	     i = ixhash_next(&mod->by_id, i))
		if (sip_id_is(&mod->calls[i].id, id))
			return i;
	return IX_NIL;
}

/* A fresh entry for id on list l, or IX_NIL (counted) when the pool is full. */
static uint32_t call_new(struct sip_module *mod, struct span id, uint64_t now, enum lru_list l)
{
	uint32_t idx = ixpool_alloc(&mod->pool), old;
	if (idx == IX_NIL && (old = ixpool_oldest(&mod->pool, L_ENDED)) != IX_NIL) {
		call_release(mod, old); /* reuse the oldest ended call */
		idx = ixpool_alloc(&mod->pool);
	}
	if (idx == IX_NIL) {
		stats_anomaly(mod->stats, ANOM_SIP_CALL_TABLE_FULL);
		return IX_NIL;
	}
	struct sip_call *c = &mod->calls[idx];
	memset(c, 0, sizeof *c);
	sip_id_set(&c->id, id);
	ixhash_insert(&mod->by_id, idx, hash_bytes(id.ptr, id.len));
	touch(mod, idx, now, l);
	return idx;
}

/* The entry of Call-ID id, or a new one of kind on list l; IX_NIL when the table is full. */
static uint32_t call_get(struct sip_module *mod, struct span id, uint64_t now, enum lru_list l, uint8_t kind)
{
	uint32_t idx = call_find(mod, id);
	if (idx == IX_NIL && (idx = call_new(mod, id, now, l)) != IX_NIL)
		mod->calls[idx].kind = kind;
	return idx;
}

/* Quietly drops entries idle past their list's timeout. */
static void expire(struct sip_module *mod, uint64_t now)
{
	for (unsigned l = 0; l < L__COUNT; l++) {
		uint32_t i;
		while ((i = ixpool_oldest(&mod->pool, l)) != IX_NIL) {
			const struct sip_call *c = &mod->calls[i];
			if (now <= c->last_us || now - c->last_us <= list_timeout_us[l])
				break;
			call_release(mod, i);
		}
	}
}

void sip_module_tick(void *module, uint64_t now_us, const struct event_sink *events)
{
	struct sip_module *mod = module;
	if (!mod)
		return;
	expire(mod, now_us);
	sip_sms_expire(mod->sms, now_us, events);
}

/*
 * End of input: no call event is emitted. An answered call without its BYE gets no
 * call.end (its end was not seen, and inventing one would give a wrong duration); an
 * unanswered call with no final response likewise. The attempt and answer records
 * stand. A MESSAGE still waiting for its final response is emitted without an outcome.
 */
void sip_module_finish(void *module, const struct event_sink *events)
{
	struct sip_module *mod = module;
	if (mod)
		sip_sms_finish(mod->sms, events);
}

bool sip_call_media(const struct sip_module *mod, const char *call_id, size_t call_id_len,
		    struct sip_media out[2])
{
	struct span id = { (const uint8_t *)call_id, call_id_len };
	uint32_t idx = mod ? call_find(mod, id) : IX_NIL;
	if (idx == IX_NIL || mod->calls[idx].kind != K_CALL)
		return false;
	memcpy(out, mod->calls[idx].media, 2 * sizeof out[0]);
	return true;
}

/* --- parties and events --- */

static void norm_party(struct span uri, char *out, size_t outlen)
{
	party_normalise((const char *)uri.ptr, uri.len, out, outlen);
}

/*
 * A Contact URI kept whole but without parameters or headers: "sip:user@host:port"
 * (the port matters for a contact), scheme and host lower-cased; "*" stays "*".
 */
static void norm_contact(struct span uri, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	if (outlen == 0)
		return;
	size_t colon = uri.len;
	for (size_t i = 0; i < uri.len; i++)
		if (uri.ptr[i] == ':') {
			colon = i;
			break;
		}
	size_t at = uri.len;
	for (size_t i = 0; i < uri.len && uri.ptr[i] != '?'; i++)
		if (uri.ptr[i] == '@') {
			at = i;
			break;
		}
	size_t host = at < uri.len ? at + 1 : (colon < uri.len ? colon + 1 : 0);
	for (size_t i = 0; i < uri.len && o + 1 < outlen; i++) {
		uint8_t ch = uri.ptr[i];
		if (ch == '?' || (i >= host && ch == ';'))
			break;
		if (ch < 0x20 || ch == 0x7f)
			continue;
		out[o++] = (i <= colon || i >= host) ? str_lower_char((char)ch) : (char)ch;
	}
	out[o] = '\0';
}

static void event_from_packet(struct event *e, enum event_type t, const struct parse_ctx *ctx)
{
	event_init(e, t);
	e->protocol = "sip";
	event_set_packet(e, ctx->pkt);
}

static void emit_call_event(struct parse_ctx *ctx, const struct sip_call *c, enum event_type t,
			    const char *outcome, int64_t duration_us)
{
	struct event e;
	event_from_packet(&e, t, ctx);
	str_copy(e.from, sizeof e.from, c->from);
	str_copy(e.to, sizeof e.to, c->to);
	str_copy(e.call_id, sizeof e.call_id, c->id.text);
	e.from_addr = c->caller_addr;
	e.to_addr = c->callee_addr;
	if (outcome)
		str_copy(e.outcome, sizeof e.outcome, outcome);
	e.duration_us = duration_us;
	event_emit(ctx->events, &e);
}

static void end_call(struct sip_module *mod, struct parse_ctx *ctx, uint32_t idx, uint64_t now,
		     const char *outcome, int64_t duration_us)
{
	struct sip_call *c = &mod->calls[idx];
	emit_call_event(ctx, c, EV_CALL_END, outcome, duration_us);
	c->state = CS_ENDED;
	touch(mod, idx, now, L_ENDED);
}

/* From and To of a message into the entry: caller and callee as the INVITE names them. */
static void set_parties(struct sip_call *c, const struct sip_msg *m, const struct parse_ctx *ctx)
{
	norm_party(m->from.uri, c->from, sizeof c->from);
	norm_party(m->to.uri, c->to, sizeof c->to);
	if (c->to[0] == '\0' && m->is_request)
		norm_party(m->request_uri, c->to, sizeof c->to);
	if (ctx->pkt) {
		c->caller_addr = ctx->pkt->src;
		c->callee_addr = ctx->pkt->dst;
	}
}

static void take_media(struct sip_call *c, int side, const struct sip_msg *m)
{
	struct sip_media md;
	if (m->body.len > 0 && sip_content_type_is(m, "application/sdp") && sip_sdp_media(m->body, &md))
		c->media[side] = md;
}

/* --- the state machine --- */

static uint64_t now_of(const struct parse_ctx *ctx)
{
	return ctx->pkt ? ctx->pkt->ts_us : 0;
}

static void on_invite(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m)
{
	uint64_t now = now_of(ctx);
	uint32_t idx = call_find(mod, m->call_id);
	if (idx == IX_NIL) {
		bool in_dialog = m->to.tag.len > 0; /* a re-INVITE of a call that began before the capture */
		idx = call_new(mod, m->call_id, now, in_dialog ? L_LONG : L_SHORT);
		if (idx == IX_NIL)
			return;
		struct sip_call *c = &mod->calls[idx];
		c->kind = K_CALL;
		c->invite_cseq = m->cseq;
		set_parties(c, m, ctx);
		take_media(c, 0, m);
		if (in_dialog) {
			c->state = CS_ANSWERED; /* no attempt: its start was not seen */
			return;
		}
		c->state = CS_PROCEEDING;
		emit_call_event(ctx, c, EV_CALL_ATTEMPT, NULL, -1);
		return;
	}
	struct sip_call *c = &mod->calls[idx];
	if (c->kind != K_CALL) {
		touch(mod, idx, now, list_of(mod, idx));
		return;
	}
	/* a retransmission (same CSeq), an auth or redirect retry (higher CSeq, no To tag),
	 * or a re-INVITE: never a new attempt */
	if (c->state == CS_PROCEEDING && m->to.tag.len == 0 && m->cseq > c->invite_cseq) {
		c->invite_cseq = m->cseq;
		take_media(c, 0, m);
	}
	touch(mod, idx, now, list_of(mod, idx));
}

static const char *final_outcome(int status)
{
	switch (status) {
	case 486: case 600: case 603:
		return "busy";
	case 408: case 480:
		return "no-answer";
	case 487:
		return "cancelled";
	default:
		return "failed";
	}
}

/* Final responses after which the caller retries the INVITE under the same Call-ID. */
static bool is_retry_response(int status)
{
	return (status >= 300 && status < 400) || status == 401 || status == 407 || status == 422;
}

static void on_invite_response(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m)
{
	uint64_t now = now_of(ctx);
	uint32_t idx = call_find(mod, m->call_id);
	if (idx == IX_NIL)
		return; /* a response to an INVITE never seen: nothing to attribute */
	struct sip_call *c = &mod->calls[idx];
	if (c->kind != K_CALL || c->state != CS_PROCEEDING || m->cseq < c->invite_cseq) {
		touch(mod, idx, now, list_of(mod, idx)); /* forks, retransmissions, re-INVITE answers, stale */
		return;
	}
	c->invite_cseq = m->cseq;
	if (m->status < 200) {
		take_media(c, 1, m);
		touch(mod, idx, now, L_SHORT);
	} else if (m->status < 300) {
		take_media(c, 1, m);
		c->state = CS_ANSWERED;
		c->answer_seen = true;
		c->answer_us = now;
		emit_call_event(ctx, c, EV_CALL_ANSWER, NULL, -1);
		touch(mod, idx, now, L_LONG);
	} else if (is_retry_response(m->status)) {
		touch(mod, idx, now, L_SHORT);
	} else {
		end_call(mod, ctx, idx, now, final_outcome(m->status), -1);
	}
}

static void on_cancel(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m)
{
	uint64_t now = now_of(ctx);
	uint32_t idx = call_find(mod, m->call_id);
	if (idx == IX_NIL)
		return;
	struct sip_call *c = &mod->calls[idx];
	/* The 487 that follows, and a 200 that raced the CANCEL, add nothing: one end per call. */
	if (c->kind == K_CALL && c->state == CS_PROCEEDING)
		end_call(mod, ctx, idx, now, "cancelled", -1);
	else
		touch(mod, idx, now, list_of(mod, idx));
}

static void on_bye(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m)
{
	uint64_t now = now_of(ctx);
	uint32_t idx = call_find(mod, m->call_id);
	if (idx == IX_NIL) {
		/* the capture began mid-call: an end with no attempt and no known duration */
		idx = call_new(mod, m->call_id, now, L_ENDED);
		if (idx == IX_NIL)
			return;
		struct sip_call *c = &mod->calls[idx];
		c->kind = K_CALL;
		set_parties(c, m, ctx);
		end_call(mod, ctx, idx, now, "answered", -1);
		return;
	}
	struct sip_call *c = &mod->calls[idx];
	if (c->kind != K_CALL || c->state == CS_ENDED) {
		touch(mod, idx, now, list_of(mod, idx)); /* retransmitted BYE */
		return;
	}
	int64_t dur = -1;
	if (c->answer_seen && now >= c->answer_us)
		dur = (int64_t)(now - c->answer_us);
	end_call(mod, ctx, idx, now, "answered", dur);
}

static void on_register(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m)
{
	uint64_t now = now_of(ctx);
	uint32_t idx = call_get(mod, m->call_id, now, L_SHORT, K_REG);
	if (idx == IX_NIL)
		return;
	struct sip_call *c = &mod->calls[idx];
	if (c->kind == K_REG) {
		c->reg_cseq = m->cseq;
		c->reg_pending = true;
		norm_party(m->to.uri, c->from, sizeof c->from);
		if (m->contact.present)
			norm_contact(m->contact.uri, c->to, sizeof c->to);
		else
			c->to[0] = '\0'; /* a query of the bindings, not a registration */
		if (ctx->pkt) {
			c->caller_addr = ctx->pkt->src;
			c->callee_addr = ctx->pkt->dst;
		}
	}
	touch(mod, idx, now, list_of(mod, idx));
}

static void on_register_response(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m)
{
	uint64_t now = now_of(ctx);
	if (m->status < 200 || m->status >= 300)
		return;
	uint32_t idx = call_get(mod, m->call_id, now, L_SHORT, K_REG);
	if (idx == IX_NIL)
		return;
	struct sip_call *c = &mod->calls[idx];
	touch(mod, idx, now, list_of(mod, idx));
	if (c->kind != K_REG || (c->reg_done && c->reg_done_cseq == m->cseq))
		return; /* not a registration, or a retransmitted 2xx */

	struct event e;
	event_from_packet(&e, EV_REGISTRATION, ctx);
	if (c->reg_pending && c->reg_cseq == m->cseq) {
		str_copy(e.from, sizeof e.from, c->from);
		str_copy(e.contact, sizeof e.contact, c->to);
		e.from_addr = c->caller_addr;
		e.to_addr = c->callee_addr;
	} else {
		/* the REGISTER was not seen: the 2xx names the binding and goes to the registrant */
		norm_party(m->to.uri, e.from, sizeof e.from);
		if (m->contact.present)
			norm_contact(m->contact.uri, e.contact, sizeof e.contact);
		if (ctx->pkt) {
			e.from_addr = ctx->pkt->dst;
			e.to_addr = ctx->pkt->src;
		}
	}
	c->reg_pending = false;
	c->reg_done = true;
	c->reg_done_cseq = m->cseq;
	str_copy(e.call_id, sizeof e.call_id, c->id.text);
	if (e.from[0] == '\0' || e.contact[0] == '\0')
		return; /* a bindings query, or nothing usable */
	/* the AoR is behind the contact address until the registration expires (identity.h) */
	identity_bind_registration(ctx->identity, e.from, e.contact, e.ts_us, m->expires);
	event_emit(ctx->events, &e);
}

void sip_call_handle(struct sip_module *mod, struct parse_ctx *ctx, const struct sip_msg *m)
{
	expire(mod, now_of(ctx));
	if (m->is_request) {
		switch (m->method) {
		case SIP_M_INVITE:
			on_invite(mod, ctx, m);
			return;
		case SIP_M_CANCEL:
			on_cancel(mod, ctx, m);
			return;
		case SIP_M_BYE:
			on_bye(mod, ctx, m);
			return;
		case SIP_M_REGISTER:
			on_register(mod, ctx, m);
			return;
		case SIP_M_MESSAGE:
			sip_sms_request(mod->sms, ctx, m);
			break; /* an in-dialog MESSAGE also keeps its call alive */
		default:
			break; /* ACK, PRACK, UPDATE, INFO (bodies never read), ...: keep the call alive */
		}
	} else if (m->cseq_method == SIP_M_INVITE) {
		on_invite_response(mod, ctx, m);
		return;
	} else if (m->cseq_method == SIP_M_REGISTER) {
		on_register_response(mod, ctx, m);
		return;
	} else if (m->cseq_method == SIP_M_MESSAGE) {
		sip_sms_response(mod->sms, ctx, m);
	}
	uint32_t idx = call_find(mod, m->call_id);
	if (idx != IX_NIL)
		touch(mod, idx, now_of(ctx), list_of(mod, idx));
}
