/*
 * sctp.c — the SCTP layer (RFC 9260 §3: packet format; RFC 8260 §2.1: I-DATA).
 *
 *   chunk    type (1) | flags (1) | length (2: header and value, not padding) | value | pad to 4
 *   DATA     type 0, flags ....IUBE: TSN (4) | stream id (2) | stream seq (2) | PPID (4) | user data
 *   I-DATA   type 64, same flags:   TSN (4) | stream id (2) | reserved (2) | MID (4) |
 *            PPID (4, first fragment) or FSN (4, later ones) | user data
 *   INIT (1), INIT ACK (2): a new association begins; its TSNs start afresh
 *
 * The decoder has read the 12-byte common header; the chunks are the packet's payload.
 * They are walked in order, at most SCTP_MAX_CHUNKS per packet; a length below 4, or
 * one running past the end of a packet the capture did not cut, is malformed and ends
 * the walk. A DATA chunk with both B and E set is a whole user message, handed on at
 * once. Fragments (B, middle, E) are put back together per direction: RFC 9260 §6.9
 * gives a message's fragments consecutive TSNs on one stream, so one reassembly per
 * direction is enough; it lives in one of SCTP_REASM_SLOTS slots of SCTP_REASM_MAX
 * bytes the module allocates at start (the oldest is taken back when all are busy).
 * A gap in the TSNs, a message over the cap, a fragment cut by the capture, a slot
 * taken back, and every fragmented I-DATA message (fragments of several messages may
 * interleave there; not put together) are counted as ANOM_SCTP_REASM_DROPPED and the
 * message skipped. A TSN seen again within the last 64 (a retransmission both copies
 * of which were captured) is skipped, so a message is handed on once.
 *
 * Handing on: the layer is made with its users, the dissectors and modules that list
 * SCTP payload protocol ids (proto.h sctp_ppid: the SS7 stack for M2UA, M3UA and SUA),
 * and keeps a route per PPID. The first user listing the message's PPID gets it; PPID 0,
 * unspecified, goes to the first user that recognises it. It knows nothing of who made
 * it: a test hands it users of its own.
 */
#include "proto/sctp.h"

#include <stdlib.h>
#include <string.h>

enum {
	CHUNK_DATA = 0,
	CHUNK_INIT = 1,
	CHUNK_INIT_ACK = 2,
	CHUNK_I_DATA = 64,
	FLAG_E = 0x01,
	FLAG_B = 0x02,
	DATA_HEADER = 16,   /* chunk header, TSN, SID, SSN, PPID */
	I_DATA_HEADER = 20, /* chunk header, TSN, SID, reserved, MID, PPID/FSN */
	TSN_WINDOW = 64,
};

/* A reassembly slot is idle-reclaimed after this long without a fragment. */
#define SLOT_IDLE_US (30ull * 1000000)

struct reasm_slot {
	uint32_t gen;
	bool busy;
	uint16_t stream, ssn;
	uint32_t ppid, next_tsn;
	uint64_t last_us;
	uint32_t len;
	uint8_t buf[SCTP_REASM_MAX];
};

/* Where user messages of one PPID go. */
struct ppid_route {
	uint32_t ppid;
	uint8_t user; /* index into users */
};

struct sctp_module {
	struct stats *stats;
	struct reasm_slot *slots; /* SCTP_REASM_SLOTS of them */
	struct proto_user users[SCTP_MAX_USERS]; /* borrowed: the dissectors that take user messages */
	size_t nusers;
	struct ppid_route routes[SCTP_MAX_PPID_ROUTES];
	size_t nroutes;
};

_Static_assert(sizeof(struct sctp_flow_state) <= 64, "sctp_flow_state grew: every SCTP flow has one");
_Static_assert(sizeof(struct reasm_slot) <= SCTP_REASM_MAX + 64, "reasm_slot: the buffer and a few fields");

/* Keeps user u when it lists PPIDs: a route for each PPID no earlier user took. */
static void add_user(struct sctp_module *mod, const struct proto_user *u)
{
	const struct dissector *d = u->dissector;
	if (!d || !d->sctp_ppid[0] || !d->parse || mod->nusers == SCTP_MAX_USERS)
		return;
	uint8_t at = (uint8_t)mod->nusers;
	mod->users[mod->nusers++] = *u;
	for (int k = 0; k < DISSECTOR_MAX_PPIDS && d->sctp_ppid[k]; k++) {
		bool taken = false;
		for (size_t r = 0; r < mod->nroutes; r++)
			taken |= mod->routes[r].ppid == d->sctp_ppid[k];
		if (!taken && mod->nroutes < SCTP_MAX_PPID_ROUTES)
			mod->routes[mod->nroutes++] = (struct ppid_route){ d->sctp_ppid[k], at };
	}
}

void *sctp_layer_new(struct stats *stats, const struct proto_user *users, size_t nusers)
{
	struct sctp_module *mod = calloc(1, sizeof *mod);
	if (!mod)
		return NULL;
	mod->stats = stats;
	mod->slots = calloc(SCTP_REASM_SLOTS, sizeof *mod->slots);
	if (!mod->slots) {
		free(mod);
		return NULL;
	}
	for (size_t i = 0; i < nusers; i++)
		add_user(mod, &users[i]);
	return mod;
}

void sctp_module_free(void *module)
{
	struct sctp_module *mod = module;
	if (!mod)
		return;
	free(mod->slots);
	free(mod);
}

static void count(struct sctp_module *mod, enum anomaly a)
{
	if (mod)
		stats_anomaly(mod->stats, a);
}

/* --- reassembly slots --- */

static struct reasm_slot *owned(struct sctp_module *mod, const struct sctp_dir_state *ds)
{
	if (!mod || !ds || ds->slot == 0 || ds->slot > SCTP_REASM_SLOTS)
		return NULL;
	struct reasm_slot *s = &mod->slots[ds->slot - 1];
	return s->busy && s->gen == ds->slot_gen ? s : NULL;
}

static void release(struct sctp_module *mod, struct sctp_dir_state *ds)
{
	struct reasm_slot *s = owned(mod, ds);
	if (s) {
		s->busy = false;
		s->gen++;
	}
	ds->slot = 0;
}

/* A slot for a new message: a free one, else the one idle longest (its message is lost). */
static struct reasm_slot *take(struct sctp_module *mod, struct sctp_dir_state *ds, uint64_t now)
{
	size_t pick = 0;
	bool found = false;
	for (size_t i = 0; i < SCTP_REASM_SLOTS && !found; i++)
		if (!mod->slots[i].busy) {
			pick = i;
			found = true;
		}
	if (!found) {
		for (size_t i = 1; i < SCTP_REASM_SLOTS; i++)
			if (mod->slots[i].last_us < mod->slots[pick].last_us)
				pick = i;
		count(mod, ANOM_SCTP_REASM_DROPPED);
	}
	struct reasm_slot *s = &mod->slots[pick];
	s->gen++;
	s->busy = true;
	s->len = 0;
	s->last_us = now;
	ds->slot = (uint16_t)(pick + 1);
	ds->slot_gen = s->gen;
	return s;
}

static void module_tick(void *module, uint64_t now_us, const struct event_sink *events)
{
	(void)events;
	struct sctp_module *mod = module;
	if (!mod)
		return;
	for (size_t i = 0; i < SCTP_REASM_SLOTS; i++) {
		struct reasm_slot *s = &mod->slots[i];
		if (s->busy && now_us > s->last_us && now_us - s->last_us > SLOT_IDLE_US) {
			s->busy = false; /* its owner notices by the generation */
			s->gen++;
			count(mod, ANOM_SCTP_REASM_DROPPED);
		}
	}
}

/* --- TSNs --- */

/* True when tsn was seen lately in this direction (and marks it seen). */
static bool tsn_seen(struct sctp_dir_state *ds, uint32_t tsn)
{
	if (!ds->tsn_known) {
		ds->tsn_known = true;
		ds->high_tsn = tsn;
		ds->seen = 1;
		return false;
	}
	int32_t ahead = (int32_t)(tsn - ds->high_tsn); /* serial number arithmetic, RFC 1982 */
	if (ahead > 0) {
		ds->seen = ahead >= TSN_WINDOW ? 1 : (ds->seen << ahead) | 1;
		ds->high_tsn = tsn;
		return false;
	}
	uint32_t back = (uint32_t)ds->high_tsn - tsn;
	if (back >= TSN_WINDOW)
		return false; /* too old to tell: taken as new */
	uint64_t bit = 1ull << back;
	if (ds->seen & bit)
		return true;
	ds->seen |= bit;
	return false;
}

/* --- DATA and I-DATA --- */

struct data_chunk {
	uint8_t flags;
	uint32_t tsn;
	uint16_t stream, ssn;
	uint32_t ppid;
	struct span data;
	bool cut, idata;
};

static void on_fragment(struct sctp_module *mod, struct sctp_dir_state *ds, const struct data_chunk *d,
			uint64_t now, sctp_deliver_fn deliver, void *ud)
{
	bool first = d->flags & FLAG_B, last = d->flags & FLAG_E;
	if (d->idata || !mod || !ds || d->cut) {
		if (first || d->cut)
			count(mod, ANOM_SCTP_REASM_DROPPED);
		if (ds)
			release(mod, ds);
		return;
	}
	struct reasm_slot *s = owned(mod, ds);
	if (first) {
		if (s)
			count(mod, ANOM_SCTP_REASM_DROPPED); /* the message before never ended */
		else
			s = take(mod, ds, now);
		s->stream = d->stream;
		s->ssn = d->ssn;
		s->ppid = d->ppid;
		s->len = 0;
	} else if (!s) {
		if (last)
			count(mod, ANOM_SCTP_REASM_DROPPED); /* its beginning was not seen */
		return;
	} else if (s->stream != d->stream || s->ssn != d->ssn || d->tsn != s->next_tsn) {
		count(mod, ANOM_SCTP_REASM_DROPPED);
		release(mod, ds);
		return;
	}
	if (d->data.len > SCTP_REASM_MAX - s->len) {
		count(mod, ANOM_SCTP_REASM_DROPPED);
		release(mod, ds);
		return;
	}
	memcpy(s->buf + s->len, d->data.ptr, d->data.len);
	s->len += (uint32_t)d->data.len;
	s->next_tsn = d->tsn + 1;
	s->last_us = now;
	if (!last)
		return;
	struct sctp_user_msg m = { s->ppid, s->stream, { s->buf, s->len }, false, true };
	deliver(ud, &m);
	release(mod, ds);
}

/* The value of a DATA or I-DATA chunk (after its 4-byte header). false: malformed. */
static bool read_data(struct cursor v, uint8_t type, uint8_t flags, bool cut, struct data_chunk *d)
{
	memset(d, 0, sizeof *d);
	d->flags = flags;
	d->idata = type == CHUNK_I_DATA;
	d->cut = cut;
	d->tsn = cur_be32(&v);
	d->stream = cur_be16(&v);
	if (d->idata) {
		cur_skip(&v, 2);   /* reserved */
		d->ssn = (uint16_t)cur_be32(&v); /* MID: fragments of one message share it */
	} else {
		d->ssn = cur_be16(&v);
	}
	d->ppid = cur_be32(&v); /* I-DATA: the FSN unless B is set */
	if (!cur_ok(&v))
		return cut; /* a header cut by the capture is truncation, not malformed */
	d->data = cur_rest(&v);
	return d->data.len > 0 || cut; /* RFC 9260 §3.3.1: a DATA chunk carries user data */
}

void sctp_chunks(struct sctp_module *mod, struct sctp_dir_state *ds, const uint8_t *p, size_t len, bool cut,
		 uint64_t now_us, sctp_deliver_fn deliver, void *ud)
{
	struct cursor c = cur_make(p, len);
	for (unsigned n = 0; cur_remaining(&c) > 0; n++) {
		if (n == SCTP_MAX_CHUNKS) {
			count(mod, ANOM_SCTP_CHUNK_LIMIT);
			return;
		}
		uint8_t type = cur_u8(&c);
		uint8_t flags = cur_u8(&c);
		uint16_t clen = cur_be16(&c);
		if (!cur_ok(&c)) {
			count(mod, cut ? ANOM_SCTP_TRUNCATED : ANOM_SCTP_MALFORMED);
			return;
		}
		if (clen < 4) {
			count(mod, ANOM_SCTP_MALFORMED);
			return;
		}
		bool short_ = false;
		struct cursor v = cur_sub(&c, (size_t)clen - 4, &short_);
		if (short_ && !cut) {
			count(mod, ANOM_SCTP_MALFORMED);
			return;
		}
		size_t pad = (4 - (clen & 3)) & 3;
		cur_skip(&c, pad < cur_remaining(&c) ? pad : cur_remaining(&c));

		if (type == CHUNK_DATA || type == CHUNK_I_DATA) {
			struct data_chunk d;
			size_t min = type == CHUNK_DATA ? DATA_HEADER : I_DATA_HEADER;
			if (clen <= min || !read_data(v, type, flags, short_, &d)) {
				count(mod, ANOM_SCTP_MALFORMED);
				return;
			}
			bool whole = (flags & (FLAG_B | FLAG_E)) == (FLAG_B | FLAG_E);
			bool header_cut = short_ && d.data.len == 0;
			if (header_cut) {
				/* nothing of the user data: counted below */
			} else if (ds && tsn_seen(ds, d.tsn)) {
				/* a retransmission seen twice: handed on once */
			} else if (whole) {
				struct sctp_user_msg m = { d.ppid, d.stream, d.data, short_, false };
				deliver(ud, &m);
			} else {
				on_fragment(mod, ds, &d, now_us, deliver, ud);
			}
		} else if ((type == CHUNK_INIT || type == CHUNK_INIT_ACK) && ds) {
			ds->tsn_known = false; /* a new association: its TSNs start afresh */
			release(mod, ds);
		}
		if (short_) {
			count(mod, ANOM_SCTP_TRUNCATED);
			return;
		}
	}
}

/* The user for a message of ppid (0: the first whose recogniser takes it), or NULL. */
static const struct proto_user *route(const struct sctp_module *mod, uint32_t ppid, const struct packet *pkt)
{
	if (!mod)
		return NULL;
	if (ppid != 0) {
		for (size_t r = 0; r < mod->nroutes; r++)
			if (mod->routes[r].ppid == ppid)
				return &mod->users[mod->routes[r].user];
		return NULL;
	}
	for (size_t i = 0; i < mod->nusers; i++) {
		const struct dissector *d = mod->users[i].dissector;
		if (d->recognise && d->recognise(pkt->payload, pkt->payload_len, pkt))
			return &mod->users[i];
	}
	return NULL;
}

/* --- the registry entry --- */

static void hand_on(void *ud, const struct sctp_user_msg *m)
{
	struct parse_ctx *ctx = ud;
	struct packet pk;
	if (ctx->pkt)
		pk = *ctx->pkt;
	else
		memset(&pk, 0, sizeof pk);
	pk.payload = m->data.ptr;
	pk.payload_len = (uint32_t)m->data.len;
	pk.payload_truncated = m->cut;
	const struct proto_user *u = route(ctx->module, m->ppid, &pk);
	if (!u)
		return;
	struct parse_ctx sub = *ctx;
	sub.pkt = &pk;
	sub.state = NULL;
	sub.module = u->module;
	size_t consumed = 0;
	u->dissector->parse(&sub, m->data.ptr, m->data.len, &consumed);
}

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	(void)p;
	return pkt && pkt->ip_proto == IPPROTO_SCTP_ && len >= 4; /* every SCTP flow is ours */
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	*consumed = len;
	struct sctp_flow_state *fs = ctx->state;
	struct sctp_dir_state *ds = fs ? &fs->dir[ctx->dir ? 1 : 0] : NULL;
	const struct packet *pkt = ctx->pkt;
	sctp_chunks(ctx->module, ds, p, len, pkt && pkt->payload_truncated, pkt ? pkt->ts_us : 0, hand_on, ctx);
	return PARSE_OK;
}

static void state_end(struct parse_ctx *ctx)
{
	struct sctp_flow_state *fs = ctx->state;
	if (!fs)
		return;
	release(ctx->module, &fs->dir[0]);
	release(ctx->module, &fs->dir[1]);
}

const struct dissector sctp_dissector = {
	.name = "sctp",
	.transports = T_SCTP,
	.recognise = recognise,
	.parse = parse,
	.state_size = sizeof(struct sctp_flow_state),
	.state_end = state_end,
	.layer_new = sctp_layer_new,
	.module_free = sctp_module_free,
	.module_tick = module_tick,
	.module_finish = NULL,
};
