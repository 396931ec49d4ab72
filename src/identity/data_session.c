/*
 * data_session.c — the handles and sessions of data_session.h: two fixed pools, each
 * with a hash index and a least-recently-used list (core/ixpool.h, core/ixhash.h).
 *
 * A handle is in the hash index once per key it has (its key, and its alias when
 * given): node index * 2 + slot. A handle refers to its session by index and
 * generation, so a session forgotten under pressure leaves no dangling reference: the
 * handle is simply found stale. Made with calloc, a table touches no page of its pools
 * until used (a module per fuzz input stays cheap).
 */
#include "identity/data_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ixhash.h"
#include "core/ixpool.h"
#include "core/pow2.h"
#include "core/str.h"

enum { L_AGE = 0 };

struct ds_handle {
	uint32_t len[2];      /* full lengths of key and alias (0: no alias) */
	uint32_t session, session_gen;
	uint8_t key[DS_KEY_MAX];
	uint8_t alias[DS_ALIAS_MAX];
};

struct ds_session {
	uint32_t gen, refs;
	bool used;
	bool begin_seen;      /* start_us is the session's real start */
	uint64_t start_us;
	struct ds_open info;  /* key, alias and frames unused here */
};

_Static_assert(sizeof(struct ds_handle) <= 256, "ds_handle grew");
_Static_assert(sizeof(struct ds_session) <= 640, "ds_session grew");

struct ds_table {
	struct stats *stats;
	struct ixpool hpool, spool;  /* handles and sessions held, each on L_AGE oldest first */
	struct ixhash hix;           /* handles by key: node index * 2 + (0 key, 1 alias) */
	struct ixhash six;           /* sessions by (party, first address) */
	struct ds_handle *handles;   /* [1, capacity] */
	struct ds_session *sessions; /* [1, capacity] */
};

const char *ds_party(const struct subscriber *s, const char *user)
{
	if (s->msisdn[0])
		return s->msisdn;
	if (s->imsi[0])
		return s->imsi;
	return user ? user : "";
}

/* A session's key: its party and first address. */
static uint32_t session_hash(const char *party, const struct ip_addr *a)
{
	return hash_word(hash_str(party), addr_hash(a));
}

static uint32_t table_capacity(uint32_t capacity)
{
	if (capacity == 0)
		capacity = DS_DEFAULT_CAPACITY;
	return pow2_at_least(capacity < (1u << 22) ? capacity : (1u << 22), 16);
}

size_t ds_table_memory(uint32_t capacity)
{
	uint32_t cap = table_capacity(capacity);
	return sizeof(struct ds_table) + ((size_t)cap + 1) * (sizeof(struct ds_handle) + sizeof(struct ds_session)) +
	       2 * ixpool_memory(cap) + ixhash_memory(2 * (cap + 1), 2 * cap) + ixhash_memory(cap + 1, cap);
}

struct ds_table *ds_table_new(uint32_t capacity, struct stats *stats)
{
	uint32_t cap = table_capacity(capacity);
	struct ds_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->stats = stats;
	t->handles = calloc((size_t)cap + 1, sizeof *t->handles);
	t->sessions = calloc((size_t)cap + 1, sizeof *t->sessions);
	if (!t->handles || !t->sessions || ixpool_init(&t->hpool, cap) != 0 || ixpool_init(&t->spool, cap) != 0 ||
	    ixhash_init(&t->hix, 2 * (cap + 1), 2 * cap) != 0 || ixhash_init(&t->six, cap + 1, cap) != 0) {
		ds_table_free(t);
		return NULL;
	}
	return t;
}

void ds_table_free(struct ds_table *t)
{
	if (!t)
		return;
	free(t->handles);
	free(t->sessions);
	ixpool_fini(&t->hpool);
	ixpool_fini(&t->spool);
	ixhash_fini(&t->hix);
	ixhash_fini(&t->six);
	free(t);
}

struct ds_module *ds_module_new(struct stats *stats, const struct module_sizes *sizes, uint32_t sets,
				uint32_t ways, size_t entry_size, uint64_t timeout_us)
{
	struct ds_module *mod = calloc(1, sizeof *mod);
	if (!mod)
		return NULL;
	mod->stats = stats;
	mod->sessions = ds_table_new(sizes ? sizes->data_sessions : 0, stats);
	if (!mod->sessions || setassoc_init(&mod->pending, sets, ways, entry_size, timeout_us) != 0) {
		ds_module_free(mod);
		return NULL;
	}
	return mod;
}

void ds_module_free(void *module)
{
	struct ds_module *mod = module;
	if (!mod)
		return;
	ds_table_free(mod->sessions);
	setassoc_fini(&mod->pending);
	free(mod);
}

uint32_t ds_handles(const struct ds_table *t) { return t ? t->hpool.used : 0; }
uint32_t ds_sessions(const struct ds_table *t) { return t ? t->spool.used : 0; }

/* --- sessions --- */

static const char *session_party(const struct ds_session *s)
{
	return ds_party(&s->info.sub, s->info.user);
}

static uint32_t session_find(const struct ds_table *t, const char *party, const struct ip_addr *a)
{
	for (uint32_t i = ixhash_first(&t->six, session_hash(party, a)); i != IX_NIL; i = ixhash_next(&t->six, i)) {
		const struct ds_session *s = &t->sessions[i];
		if (addr_eq(&s->info.addr[0], a) && strcmp(session_party(s), party) == 0)
			return i;
	}
	return IX_NIL;
}

static void session_release(struct ds_table *t, uint32_t i)
{
	struct ds_session *s = &t->sessions[i];
	ixhash_remove(&t->six, i);
	ixpool_free(&t->spool, i);
	uint32_t gen = s->gen + 1;
	memset(s, 0, sizeof *s);
	s->gen = gen; /* handles still naming it now find it stale */
}

/* The session a handle names, or IX_NIL when it was forgotten. */
static uint32_t handle_session(const struct ds_table *t, const struct ds_handle *h)
{
	if (h->session == IX_NIL)
		return IX_NIL;
	const struct ds_session *s = &t->sessions[h->session];
	return s->used && s->gen == h->session_gen ? h->session : IX_NIL;
}

/* --- handles --- */

static bool key_eq(const struct ds_handle *h, int slot, const void *key, size_t len)
{
	size_t stored = slot ? DS_ALIAS_MAX : DS_KEY_MAX;
	size_t n = len < stored ? len : stored;
	const uint8_t *k = slot ? h->alias : h->key;
	return h->len[slot] == len && memcmp(k, key, n) == 0;
}

/* The hash index's node of handle i's key (slot 0) or alias (slot 1). */
static uint32_t key_node(uint32_t i, int slot)
{
	return i << 1 | (uint32_t)slot;
}

/* The handle with key (in either slot), or IX_NIL. */
static uint32_t handle_find(const struct ds_table *t, const void *key, size_t len)
{
	if (len == 0)
		return IX_NIL;
	for (uint32_t n = ixhash_first(&t->hix, hash_bytes(key, len)); n != IX_NIL; n = ixhash_next(&t->hix, n))
		if (key_eq(&t->handles[n >> 1], (int)(n & 1), key, len))
			return n >> 1;
	return IX_NIL;
}

/* Frees a handle; returns the session it named (still counted in its refs), or IX_NIL. */
static uint32_t handle_release(struct ds_table *t, uint32_t i)
{
	struct ds_handle *h = &t->handles[i];
	uint32_t s = handle_session(t, h);
	ixhash_remove(&t->hix, key_node(i, 0));
	if (h->len[1])
		ixhash_remove(&t->hix, key_node(i, 1));
	ixpool_free(&t->hpool, i);
	memset(h, 0, sizeof *h);
	return s;
}

static void unbind(struct parse_ctx *ctx, const struct ds_open *info, uint64_t end_us)
{
	if (!ctx->identity)
		return;
	for (unsigned i = 0; i < info->naddr && i < DS_MAX_ADDRS; i++)
		identity_unbind(ctx->identity, &info->addr[i], end_us);
}

/* Drops one handle's reference; a session left without handles is forgotten quietly. */
static void session_deref_quiet(struct ds_table *t, struct parse_ctx *ctx, uint32_t s, bool do_unbind)
{
	if (s == IX_NIL)
		return;
	struct ds_session *se = &t->sessions[s];
	if (se->refs > 0)
		se->refs--;
	if (se->refs == 0) {
		if (do_unbind && ctx && ctx->pkt)
			unbind(ctx, &se->info, ctx->pkt->ts_us);
		session_release(t, s);
	}
}

/* A free handle slot, forgetting the least recently used handle when the pool is full. */
static uint32_t handle_alloc(struct ds_table *t)
{
	uint32_t i = ixpool_alloc(&t->hpool);
	if (i == IX_NIL) {
		stats_anomaly(t->stats, ANOM_DATA_SESSION_TABLE_FULL);
		session_deref_quiet(t, NULL, handle_release(t, ixpool_oldest(&t->hpool, L_AGE)), false);
		i = ixpool_alloc(&t->hpool);
	}
	return i;
}

/* A free session slot, cleared but for its generation (0 when never used). */
static uint32_t session_alloc(struct ds_table *t)
{
	uint32_t i = ixpool_alloc(&t->spool);
	if (i == IX_NIL) {
		stats_anomaly(t->stats, ANOM_DATA_SESSION_TABLE_FULL);
		session_release(t, ixpool_oldest(&t->spool, L_AGE)); /* its handles are found stale later */
		i = ixpool_alloc(&t->spool);
	}
	uint32_t gen = t->sessions[i].gen;
	memset(&t->sessions[i], 0, sizeof t->sessions[i]);
	t->sessions[i].gen = gen;
	return i;
}

bool ds_known(const struct ds_table *t, const void *key, size_t key_len)
{
	if (!t)
		return false;
	uint32_t i = handle_find(t, key, key_len);
	return i != IX_NIL && handle_session(t, &t->handles[i]) != IX_NIL;
}

/* --- events and the identity map --- */

void ds_format_addrs(const struct ip_addr *addr, const unsigned *prefix_len, unsigned naddr,
		     char *out, size_t outlen)
{
	size_t n = 0;
	if (outlen == 0)
		return;
	out[0] = '\0';
	for (unsigned i = 0; i < naddr && i < DS_MAX_ADDRS; i++) {
		char a[ADDR_STRLEN];
		addr_format(&addr[i], a, sizeof a);
		unsigned full = addr[i].family == 4 ? 32 : 128;
		int w;
		if (prefix_len[i] && prefix_len[i] < full)
			w = snprintf(out + n, outlen - n, "%s%s/%u", i ? "," : "", a, prefix_len[i]);
		else
			w = snprintf(out + n, outlen - n, "%s%s", i ? "," : "", a);
		if (w < 0 || (size_t)w >= outlen - n) {
			out[n] = '\0'; /* whole addresses only */
			return;
		}
		n += (size_t)w;
	}
}

static void emit(struct parse_ctx *ctx, enum event_type type, const struct ds_open *info, uint64_t ts_us,
		 int64_t duration_us, const uint64_t *frames, unsigned nframes)
{
	struct event e;
	event_init(&e, type);
	e.ts_us = ts_us;
	e.protocol = info->protocol;
	str_copy(e.from, sizeof e.from, ds_party(&info->sub, info->user));
	str_copy(e.to, sizeof e.to, info->sub.apn);
	e.from_addr = info->addr[0];
	ds_format_addrs(info->addr, info->prefix_len, info->naddr, e.contact, sizeof e.contact);
	str_copy(e.call_id, sizeof e.call_id, info->session_id);
	e.duration_us = duration_us;
	for (unsigned i = 0; i < nframes; i++)
		event_add_frame(&e, frames[i]);
	event_set_packet(&e, ctx->pkt); /* the packet's frame and addresses ... */
	e.ts_us = ts_us;                /* ... and the session's time */
	event_emit(ctx->events, &e);
}

static void bind_addrs(struct parse_ctx *ctx, const struct ds_open *o)
{
	/* a binding must name someone the map can give back: an MSISDN or an IMSI */
	if (!ctx->identity || (!o->sub.msisdn[0] && !o->sub.imsi[0]))
		return;
	for (unsigned i = 0; i < o->naddr && i < DS_MAX_ADDRS; i++) {
		struct identity_binding b;
		memset(&b, 0, sizeof b);
		b.addr = o->addr[i];
		b.prefix_len = o->prefix_len[i] ? o->prefix_len[i] : (o->addr[i].family == 4 ? 32u : 128u);
		b.sub = o->sub;
		b.start_us = o->start_us;
		b.source = o->source;
		identity_bind(ctx->identity, &b);
	}
}

void ds_bind_only(struct parse_ctx *ctx, const struct ds_open *o)
{
	if (o->naddr <= DS_MAX_ADDRS)
		bind_addrs(ctx, o);
}

/* --- open and close --- */

static bool open_valid(const struct ds_open *o)
{
	return o->key && o->key_len > 0 && o->naddr > 0 && o->naddr <= DS_MAX_ADDRS &&
	       o->addr[0].family != 0 && ds_party(&o->sub, o->user)[0] != '\0';
}

bool ds_open(struct ds_table *t, struct parse_ctx *ctx, const struct ds_open *o)
{
	if (!t || !open_valid(o))
		return false;
	const char *party = ds_party(&o->sub, o->user);
	uint32_t s = session_find(t, party, &o->addr[0]);

	uint32_t h = handle_find(t, o->key, o->key_len);
	if (h != IX_NIL) {
		uint32_t hs = handle_session(t, &t->handles[h]);
		if (hs != IX_NIL && hs == s) { /* a retransmission, or an interim update: refresh */
			bind_addrs(ctx, o); /* the map refreshes a binding to the same subscriber */
			ixpool_touch(&t->hpool, h, L_AGE);
			ixpool_touch(&t->spool, s, L_AGE);
			return true;
		}
		/* the key now names another session: the old one lost this handle */
		handle_release(t, h);
		session_deref_quiet(t, ctx, hs, true);
		s = session_find(t, party, &o->addr[0]); /* may have been the same slot */
	}

	if (s == IX_NIL) {
		s = session_alloc(t);
		struct ds_session *se = &t->sessions[s];
		se->used = true;
		se->info = *o;
		se->info.key = se->info.alias = NULL;
		se->info.key_len = se->info.alias_len = 0;
		se->begin_seen = o->announce;
		se->start_us = o->start_us;
		ixhash_insert(&t->six, s, session_hash(party, &o->addr[0]));
		ixpool_touch(&t->spool, s, L_AGE);
		bind_addrs(ctx, o);
		if (o->announce)
			emit(ctx, EV_DATA_SESSION_BEGIN, o, o->start_us, -1, o->frames, o->nframes);
	} else {
		ixpool_touch(&t->spool, s, L_AGE);
	}

	/* a fresh handle (the pool may evict; s is re-checked below) */
	uint32_t gen = t->sessions[s].gen;
	h = handle_alloc(t);
	if (!t->sessions[s].used || t->sessions[s].gen != gen)
		return false; /* the eviction took the session itself: nothing left to name */
	struct ds_handle *hd = &t->handles[h];
	memset(hd, 0, sizeof *hd);
	hd->len[0] = (uint32_t)o->key_len;
	memcpy(hd->key, o->key, o->key_len < DS_KEY_MAX ? o->key_len : DS_KEY_MAX);
	ixhash_insert(&t->hix, key_node(h, 0), hash_bytes(o->key, o->key_len));
	/* the alias only when it is short and not already another handle's name */
	if (o->alias && o->alias_len > 0 && o->alias_len <= DS_ALIAS_MAX &&
	    handle_find(t, o->alias, o->alias_len) == IX_NIL) {
		hd->len[1] = (uint32_t)o->alias_len;
		memcpy(hd->alias, o->alias, o->alias_len);
		ixhash_insert(&t->hix, key_node(h, 1), hash_bytes(o->alias, o->alias_len));
	}
	hd->session = s;
	hd->session_gen = gen;
	ixpool_touch(&t->hpool, h, L_AGE);
	t->sessions[s].refs++;
	return true;
}

bool ds_close(struct ds_table *t, struct parse_ctx *ctx, const void *key, size_t key_len,
	      int64_t duration_hint_us, const struct ds_open *unseen, const uint64_t *frames,
	      unsigned nframes)
{
	if (!t)
		return false;
	uint64_t now = ctx->pkt ? ctx->pkt->ts_us : 0;
	uint32_t h = handle_find(t, key, key_len);
	uint32_t s = h != IX_NIL ? handle_release(t, h) : IX_NIL;
	if (s != IX_NIL) {
		struct ds_session *se = &t->sessions[s];
		if (se->refs > 0)
			se->refs--;
		if (se->refs > 0)
			return false; /* another handle (another interface) still names it */
		int64_t dur = duration_hint_us;
		if (se->begin_seen && now >= se->start_us)
			dur = (int64_t)(now - se->start_us);
		/* the end first, while the binding still names the subscriber for the order filter */
		emit(ctx, EV_DATA_SESSION_END, &se->info, now, dur, frames, nframes);
		unbind(ctx, &se->info, now);
		session_release(t, s);
		return true;
	}
	if (!unseen || !open_valid(unseen))
		return false;
	emit(ctx, EV_DATA_SESSION_END, unseen, now, duration_hint_us, frames, nframes);
	unbind(ctx, unseen, now);
	return true;
}
