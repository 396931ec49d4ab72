/*
 * map_sms.c — SMS events from GSM MAP (3GPP TS 29.002 §12.2 mo-ForwardSM, §12.9
 * mt-ForwardSM, forwardSM in v1/v2), with the outcome taken from the TCAP dialogue
 * (ITU-T Q.771/Q.773: the Begin or Continue that carries the invoke, and the Continue,
 * End or Abort that answers it).
 *
 * Parties. MO (mo-ForwardSM, or forwardSM whose SM-RP-DA is the service centre): from
 * the SM-RP-OA MSISDN, to the TP-DA of the SMS-SUBMIT in SM-RP-UI. MT (mt-ForwardSM, or
 * forwardSM whose SM-RP-OA is the service centre): from the TP-OA of the SMS-DELIVER,
 * to the SM-RP-DA IMSI ("imsi:…") or, in v1, roaming number; an LMSI names no party.
 * An SMS-STATUS-REPORT delivered MT is a delivery receipt (subtype "delivery-receipt",
 * from its TP-RA, the original recipient); an SMS-COMMAND sent MO has subtype
 * "command". call_id is "tcap:" and the hex transaction id of the side that sent the
 * invoke (its OTID).
 *
 * When an event is emitted (the SMPP dissector's policy, smpp.c): on the answer, so the
 * record carries the outcome. An invoke waits in the module's table, keyed by the
 * sender's transaction id, the sender's SCCP address (GT digits, else point code and
 * SSN) and the invoke id, for the component that answers it in a message whose DTID is
 * that transaction id and whose called address is the sender's: ReturnResultLast gives
 * "accepted", ReturnError or Reject "failed". An End without an answer gives no
 * outcome; an Abort "failed". A dialogue refused for its application context (AARE
 * result reject, in an End or an Abort) is dropped without a record: the sender retries
 * with another MAP version, and that retry is the record. An invoke with no answer
 * within MAP_RESPONSE_TIMEOUT_US, or still waiting at the end of input, or pushed out of
 * the full table (ANOM_MAP_PENDING_FULL), is emitted then with no outcome. The event's
 * time and evidence are the invoke's packet (and the answer's frame when there is one).
 *
 * Counted, not recorded: every TCAP message (stats.tcap_messages), those of another
 * application context such as CAMEL's (tcap_non_map), and the MAP operations invoked
 * that give no SMS record: sendRoutingInfoForSM, updateLocation (with
 * updateGprsLocation), and all others (an SMS invoke that cannot be read among them).
 * A message without an application context name (MAP v1, and every Continue and End
 * after the first) is taken as MAP.
 *
 * Never content: SM-RP-UI is handed to sms_tpdu.c, which reads the TPDU's addresses
 * and stops before TP-UD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ixhash.h"
#include "core/ixpool.h"
#include "core/pow2.h"
#include "core/str.h"
#include "proto/map.h"
#include "proto/sms_tpdu.h"

enum { CALL_ID_LEN = 24, SUBTYPE_LEN = 24, PENDING_MAX_CAPACITY = 1 << 20, L_AGE = 0 };

struct pending {
	uint64_t key;             /* hash of transaction id and sender address */
	uint64_t addr;            /* hash of the sender address */
	struct tcap_tid tid;
	int32_t invoke_id;
	struct event_origin at;   /* the invoke's packet */
	char from[MAP_PARTY_MAX], to[MAP_PARTY_MAX];
	char call_id[CALL_ID_LEN];
	char subtype[SUBTYPE_LEN];
	uint8_t sms_leg;          /* enum sms_leg */
};

_Static_assert(sizeof(struct pending) <= 320, "pending grew: the table holds MAP_MAX_PENDING of them");

struct map_module {
	struct stats *stats;
	struct ixpool pool;       /* the invokes held, on L_AGE oldest first */
	struct ixhash by_key;     /* invokes by (uint32_t)key */
	struct pending *entries;  /* [1, capacity]: entry 0 unused */
};

/* --- the table --- */

/* A transaction's key: its id (length and bytes) and its sender's address hash. */
static uint64_t key_of(const struct tcap_tid *tid, uint64_t addr)
{
	return hash64_more(hash64_more(hash64_more(HASH64_SEED, &tid->len, 1), tid->b, tid->len), &addr, sizeof addr);
}

struct map_module *map_module_new_sized(struct stats *stats, uint32_t capacity)
{
	uint32_t cap = pow2_at_least(capacity < PENDING_MAX_CAPACITY ? capacity : PENDING_MAX_CAPACITY, 16);
	struct map_module *mod = calloc(1, sizeof *mod);
	if (!mod)
		return NULL;
	mod->stats = stats;
	mod->entries = calloc((size_t)cap + 1, sizeof *mod->entries);
	if (!mod->entries || ixpool_init(&mod->pool, cap) != 0 || ixhash_init(&mod->by_key, cap + 1, cap) != 0) {
		map_module_free(mod);
		return NULL;
	}
	return mod;
}

void *map_module_new(struct stats *stats, const struct module_sizes *sizes)
{
	(void)sizes;
	return map_module_new_sized(stats, MAP_MAX_PENDING);
}

void map_module_free(void *module)
{
	struct map_module *mod = module;
	if (!mod)
		return;
	free(mod->entries);
	ixpool_fini(&mod->pool);
	ixhash_fini(&mod->by_key);
	free(mod);
}

uint32_t map_module_pending(const struct map_module *mod)
{
	return mod ? mod->pool.used : 0;
}

static void release(struct map_module *mod, uint32_t idx)
{
	ixhash_remove(&mod->by_key, idx);
	ixpool_free(&mod->pool, idx);
	memset(&mod->entries[idx], 0, sizeof mod->entries[idx]);
}

/* Whether entry idx is of transaction (tid, addr), whose key is key. */
static bool of_transaction(const struct map_module *mod, uint32_t idx, uint64_t key, const struct tcap_tid *tid,
			   uint64_t addr)
{
	const struct pending *e = &mod->entries[idx];
	return e->key == key && e->addr == addr && e->tid.len == tid->len && memcmp(e->tid.b, tid->b, tid->len) == 0;
}

/* The newest entry of transaction (tid, addr), or IX_NIL. */
static uint32_t find_any(const struct map_module *mod, const struct tcap_tid *tid, uint64_t addr)
{
	uint64_t key = key_of(tid, addr);
	for (uint32_t i = ixhash_first(&mod->by_key, (uint32_t)key); i != IX_NIL; i = ixhash_next(&mod->by_key, i))
		if (of_transaction(mod, i, key, tid, addr))
			return i;
	return IX_NIL;
}

static uint32_t find(const struct map_module *mod, const struct tcap_tid *tid, uint64_t addr, int32_t invoke_id)
{
	uint64_t key = key_of(tid, addr);
	for (uint32_t i = ixhash_first(&mod->by_key, (uint32_t)key); i != IX_NIL; i = ixhash_next(&mod->by_key, i))
		if (of_transaction(mod, i, key, tid, addr) && mod->entries[i].invoke_id == invoke_id)
			return i;
	return IX_NIL;
}

/* --- events --- */

static void emit(const struct event_sink *events, const struct pending *p, const char *outcome,
		 const struct packet *answer)
{
	struct event e;
	event_init(&e, EV_SMS);
	e.protocol = "map";
	event_set_origin(&e, &p->at);
	if (answer)
		event_add_frame(&e, answer->frame_no);
	e.from_addr = p->at.src;
	e.to_addr = p->at.dst;
	str_copy(e.from, sizeof e.from, p->from);
	str_copy(e.to, sizeof e.to, p->to);
	str_copy(e.call_id, sizeof e.call_id, p->call_id);
	str_copy(e.subtype, sizeof e.subtype, p->subtype);
	str_copy(e.outcome, sizeof e.outcome, outcome);
	e.sms_leg = p->sms_leg;
	event_emit(events, &e);
}

static void expire(struct map_module *mod, uint64_t now, const struct event_sink *events)
{
	uint32_t i;
	while ((i = ixpool_oldest(&mod->pool, L_AGE)) != IX_NIL) {
		const struct pending *e = &mod->entries[i];
		if (now <= e->at.ts_us || now - e->at.ts_us <= MAP_RESPONSE_TIMEOUT_US)
			break;
		emit(events, e, "", NULL);
		release(mod, i);
	}
}

void map_module_tick(void *module, uint64_t now_us, const struct event_sink *events)
{
	if (module)
		expire(module, now_us, events);
}

void map_module_finish(void *module, const struct event_sink *events)
{
	struct map_module *mod = module;
	if (!mod)
		return;
	uint32_t i;
	while ((i = ixpool_oldest(&mod->pool, L_AGE)) != IX_NIL) {
		emit(events, &mod->entries[i], "", NULL);
		release(mod, i);
	}
}

/* --- addresses --- */

/* A hash of an SCCP address: its GT digits, else its point code (or the MTP one) and SSN. */
static uint64_t sender_hash(const struct sccp_addr *a, bool has_mtp_pc, uint32_t mtp_pc)
{
	char buf[64];
	if (a && a->has_gt && a->digits[0])
		snprintf(buf, sizeof buf, "gt:%s", a->digits);
	else
		snprintf(buf, sizeof buf, "pc:%lu/ssn:%u",
			 (unsigned long)(a && a->has_pc ? a->pc : has_mtp_pc ? mtp_pc : 0), a ? a->ssn : 0);
	return hash64_more(HASH64_SEED, buf, strlen(buf));
}

/* --- the SMS invoke --- */

struct sms_parties {
	char from[MAP_PARTY_MAX], to[MAP_PARTY_MAX];
	const char *subtype;
	uint8_t sms_leg;          /* enum sms_leg */
};

/*
 * The parties of a forwardSM / mo-ForwardSM / mt-ForwardSM invoke. false (counted) when
 * they cannot be read.
 */
static bool sms_parties(struct stats *stats, const struct tcap_component *c, struct sms_parties *out)
{
	memset(out, 0, sizeof *out);
	out->subtype = "";
	if (!c->has_param) {
		stats_anomaly(stats, ANOM_TCAP_MALFORMED);
		return false;
	}
	struct map_forward_sm fs;
	enum tcap_status st = map_forward_sm_parse(&c->param, &fs);
	/* a cut parameter was counted with its TCAP message (map_sms_tcap): not again here */
	if (st == TCAP_MALFORMED || st == TCAP_DEPTH) {
		stats_anomaly(stats, st == TCAP_DEPTH ? ANOM_BER_DEPTH : ANOM_TCAP_MALFORMED);
		return false;
	}
	if (st == TCAP_TRUNCATED && fs.ui.len == 0)
		return false;
	/* forwardSM (v1/v2) runs both ways: the service centre's side tells which */
	bool mo = c->code == MAP_OP_MO_FORWARD_SM &&
		  (fs.da.choice == MAP_RP_SERVICE_CENTRE || fs.oa.choice != MAP_RP_SERVICE_CENTRE);
	struct tpdu_info ti;
	bool cut = false;
	if (sms_tpdu_parse(fs.ui.ptr, fs.ui.len, mo, &ti, &cut) != 0) {
		if (!(cut && fs.ui_cut))
			stats_anomaly(stats, ANOM_SMS_TPDU_MALFORMED); /* whole, yet not a TPDU */
		return false;
	}
	switch (ti.type) {
	case TPDU_SUBMIT:
	case TPDU_COMMAND:
		str_copy(out->from, sizeof out->from, fs.oa.text);
		str_copy(out->to, sizeof out->to, ti.address);
		out->subtype = ti.type == TPDU_COMMAND ? "command" : "";
		out->sms_leg = ti.type == TPDU_COMMAND ? SMS_LEG_UNKNOWN : SMS_LEG_SUBMIT;
		break;
	case TPDU_DELIVER:
	case TPDU_STATUS_REPORT:
		str_copy(out->from, sizeof out->from, ti.address);
		str_copy(out->to, sizeof out->to, fs.da.text);
		out->subtype = ti.type == TPDU_STATUS_REPORT ? "delivery-receipt" : "";
		out->sms_leg = ti.type == TPDU_STATUS_REPORT ? SMS_LEG_UNKNOWN : SMS_LEG_DELIVER;
		break;
	default: /* a report TPDU in a forward: not an SMS */
		stats_anomaly(stats, ANOM_SMS_TPDU_MALFORMED);
		return false;
	}
	return out->from[0] || out->to[0];
}

static void fill_pending(struct pending *p, const struct parse_ctx *ctx, const struct tcap_tid *tid,
			 const struct sms_parties *sp)
{
	event_origin_of(&p->at, ctx->pkt);
	str_copy(p->from, sizeof p->from, sp->from);
	str_copy(p->to, sizeof p->to, sp->to);
	str_copy(p->subtype, sizeof p->subtype, sp->subtype);
	p->sms_leg = sp->sms_leg;
	char hex[2 * TCAP_TID_MAX + 1];
	tcap_tid_hex(tid, hex);
	snprintf(p->call_id, sizeof p->call_id, "tcap:%s", hex);
}

/* Holds the invoke until its answer; a full table gives up its oldest entry, recorded. */
static void hold(struct map_module *mod, struct parse_ctx *ctx, const struct tcap_tid *tid, uint64_t addr,
		 int32_t invoke_id, const struct sms_parties *sp)
{
	if (find(mod, tid, addr, invoke_id) != IX_NIL)
		return; /* the same invoke seen twice (two taps, a retransmission): one record */
	uint32_t idx = ixpool_alloc(&mod->pool);
	if (idx == IX_NIL) {
		uint32_t oldest = ixpool_oldest(&mod->pool, L_AGE);
		stats_anomaly(mod->stats, ANOM_MAP_PENDING_FULL);
		emit(ctx->events, &mod->entries[oldest], "", NULL);
		release(mod, oldest);
		idx = ixpool_alloc(&mod->pool);
	}
	struct pending *e = &mod->entries[idx];
	memset(e, 0, sizeof *e);
	e->key = key_of(tid, addr);
	e->addr = addr;
	e->tid = *tid;
	e->invoke_id = invoke_id;
	fill_pending(e, ctx, tid, sp);
	ixhash_insert(&mod->by_key, idx, (uint32_t)e->key);
	ixpool_touch(&mod->pool, idx, L_AGE);
}

static void sms_invoke(struct map_module *mod, struct parse_ctx *ctx, const struct map_route *route,
		       const struct tcap_msg *m, const struct tcap_component *c)
{
	struct sms_parties sp;
	if (!sms_parties(ctx->stats, c, &sp)) {
		if (ctx->stats)
			ctx->stats->map_ops_other++;
		return;
	}
	if (!mod)
		return;
	bool answerable = (m->type == TCAP_BEGIN || m->type == TCAP_CONTINUE) && m->otid.len && c->has_invoke_id;
	if (!answerable) { /* no answer can come: record it now */
		struct pending p;
		memset(&p, 0, sizeof p);
		fill_pending(&p, ctx, m->otid.len ? &m->otid : &m->dtid, &sp);
		emit(ctx->events, &p, "", NULL);
		return;
	}
	hold(mod, ctx, &m->otid, sender_hash(route->calling, route->has_pcs, route->opc), c->invoke_id, &sp);
}

/* --- answers --- */

static void answer(struct map_module *mod, struct parse_ctx *ctx, uint64_t addr, const struct tcap_msg *m,
		   const struct tcap_component *c)
{
	if (!c->has_invoke_id || c->kind == TCAP_RESULT_NOT_LAST || c->kind == TCAP_INVOKE)
		return; /* a partial result: the last one follows */
	uint32_t idx = find(mod, &m->dtid, addr, c->invoke_id);
	if (idx == IX_NIL)
		return;
	emit(ctx->events, &mod->entries[idx], c->kind == TCAP_RESULT_LAST ? "accepted" : "failed", ctx->pkt);
	release(mod, idx);
}

/* End or Abort: the invokes of the transaction that got no answer. */
static void close_transaction(struct map_module *mod, struct parse_ctx *ctx, uint64_t addr, const struct tcap_msg *m)
{
	bool refused = m->dialogue == TCAP_DLG_AARE && m->has_result && m->result != 0;
	const char *outcome = m->type == TCAP_ABORT ? "failed" : "";
	uint32_t idx;
	while ((idx = find_any(mod, &m->dtid, addr)) != IX_NIL) {
		if (!refused)
			emit(ctx->events, &mod->entries[idx], outcome, ctx->pkt);
		release(mod, idx);
	}
}

/* --- one TCAP message --- */

static void count_op(struct stats *stats, const struct tcap_component *c)
{
	if (!stats)
		return;
	if (c->code_global)
		stats->map_ops_other++;
	else if (c->code == MAP_OP_SEND_ROUTING_INFO_FOR_SM)
		stats->map_ops_sri_sm++;
	else if (c->code == MAP_OP_UPDATE_LOCATION || c->code == MAP_OP_UPDATE_GPRS_LOCATION)
		stats->map_ops_update_location++;
	else
		stats->map_ops_other++;
}

void map_sms_tcap(struct map_module *mod, struct parse_ctx *ctx, const struct map_route *route,
		  const struct tcap_msg *m, enum tcap_status st)
{
	struct stats *stats = ctx->stats;
	switch (st) {
	case TCAP_OK:
		break;
	case TCAP_TRUNCATED:
		stats_anomaly(stats, ANOM_TCAP_TRUNCATED);
		break; /* what was read before the cut is still used */
	case TCAP_DEPTH:
		stats_anomaly(stats, ANOM_BER_DEPTH);
		return;
	case TCAP_OTHER:
		return; /* not ITU TCAP: nothing of ours */
	default:
		stats_anomaly(stats, ANOM_TCAP_MALFORMED);
		return;
	}
	if (stats)
		stats->tcap_messages++;
	if (m->overlong)
		stats_anomaly(stats, ANOM_TCAP_MALFORMED); /* longer than its bytes: read as far as it goes */
	if (m->comp_capped)
		stats_anomaly(stats, ANOM_TCAP_COMPONENT_LIMIT);
	struct map_ac ac;
	if (m->ac_arcs > 0 && !map_ac_from_oid(m->ac, m->ac_arcs, &ac)) {
		if (stats)
			stats->tcap_non_map++;
		return; /* CAMEL and other TCAP users */
	}
	uint64_t answer_addr = sender_hash(route->called, route->has_pcs, route->dpc);
	for (uint8_t i = 0; i < m->ncomp; i++) {
		const struct tcap_component *c = &m->comp[i];
		if (c->kind == TCAP_INVOKE) {
			if (c->cut && st == TCAP_TRUNCATED && !c->has_code)
				continue; /* cut before its opcode: nothing to count */
			if (!c->code_global && (c->code == MAP_OP_MO_FORWARD_SM || c->code == MAP_OP_MT_FORWARD_SM))
				sms_invoke(mod, ctx, route, m, c);
			else
				count_op(stats, c);
		} else if (mod && m->dtid.len) {
			answer(mod, ctx, answer_addr, m, c);
		}
	}
	if (mod && m->dtid.len && (m->type == TCAP_END || m->type == TCAP_ABORT) && st == TCAP_OK)
		close_transaction(mod, ctx, answer_addr, m);
}
