/*
 * data_session.c — the handles and sessions of data_session.h: two fixed pools with
 * hash chains and least-recently-used lists (the shape of sip_call.c's table).
 *
 * A handle sits in the hash table once per key it has (its key, and its alias when
 * given); a chain link names the handle and which of its keys (index << 1 | slot).
 * A handle refers to its session by index and generation, so a session forgotten
 * under pressure leaves no dangling reference: the handle is simply found stale.
 */
#include "identity/data_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pow2.h"

/* Index 0 is never used, so 0 can mean "none" and a zeroed allocation is an empty table:
 * creating one touches no page of its pools (a module per fuzz input stays cheap). */
#define NIL 0u

struct ds_handle {
	uint32_t hash[2];     /* of the key, of the alias */
	uint32_t next[2];     /* chain links (index << 1 | slot); next[0] is the free list */
	uint32_t lprev, lnext;
	uint32_t len[2];      /* full lengths of key and alias (0: no alias) */
	uint32_t session, session_gen;
	bool used;
	uint8_t key[DS_KEY_MAX];
	uint8_t alias[DS_ALIAS_MAX];
};

struct ds_session {
	uint32_t hash, next;  /* by (party, first address); next is the free list when unused */
	uint32_t lprev, lnext;
	uint32_t gen, refs;
	bool used;
	bool begin_seen;      /* start_us is the session's real start */
	uint64_t start_us;
	struct ds_open info;  /* key, alias and frames unused here */
};

_Static_assert(sizeof(struct ds_handle) <= 256, "ds_handle grew");
_Static_assert(sizeof(struct ds_session) <= 640, "ds_session grew");

struct ds_lru {
	uint32_t head, tail; /* head newest */
};

struct ds_table {
	struct stats *stats;
	uint32_t capacity, nhandles, nsessions;
	uint32_t hmask, smask;
	struct ds_handle *handles;
	struct ds_session *sessions;
	uint32_t *hbuckets, *sbuckets;
	uint32_t hfree, sfree;   /* free lists of released entries */
	uint32_t hnext, snext;   /* the first never-used entry (high-water mark) */
	struct ds_lru hlru, slru;
};

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t hash_bytes(const void *p, size_t n)
{
	return fnv(2166136261u, p, n);
}

const char *ds_party(const struct subscriber *s, const char *user)
{
	if (s->msisdn[0])
		return s->msisdn;
	if (s->imsi[0])
		return s->imsi;
	return user ? user : "";
}

static uint32_t session_hash(const char *party, const struct ip_addr *a)
{
	uint32_t h = hash_bytes(party, strlen(party));
	h = fnv(h, &a->family, 1);
	return fnv(h, a->bytes, sizeof a->bytes);
}

static uint32_t table_capacity(uint32_t capacity)
{
	if (capacity == 0)
		capacity = DS_DEFAULT_CAPACITY;
	return pow2_at_least(capacity < (1u << 22) ? capacity : (1u << 22), 16);
}

size_t ds_table_memory(uint32_t capacity)
{
	size_t cap = table_capacity(capacity);
	return sizeof(struct ds_table) + (cap + 1) * (sizeof(struct ds_handle) + sizeof(struct ds_session)) +
	       3 * cap * sizeof(uint32_t);
}

struct ds_table *ds_table_new(uint32_t capacity, struct stats *stats)
{
	uint32_t cap = table_capacity(capacity);
	struct ds_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->stats = stats;
	t->capacity = cap;
	t->hmask = 2 * cap - 1; /* two keys per handle */
	t->smask = cap - 1;
	t->handles = calloc((size_t)cap + 1, sizeof *t->handles);
	t->sessions = calloc((size_t)cap + 1, sizeof *t->sessions);
	t->hbuckets = calloc((size_t)2 * cap, sizeof *t->hbuckets);
	t->sbuckets = calloc(cap, sizeof *t->sbuckets);
	if (!t->handles || !t->sessions || !t->hbuckets || !t->sbuckets) {
		ds_table_free(t);
		return NULL;
	}
	t->hnext = t->snext = 1;
	return t;
}

void ds_table_free(struct ds_table *t)
{
	if (!t)
		return;
	free(t->handles);
	free(t->sessions);
	free(t->hbuckets);
	free(t->sbuckets);
	free(t);
}

uint32_t ds_handles(const struct ds_table *t) { return t ? t->nhandles : 0; }
uint32_t ds_sessions(const struct ds_table *t) { return t ? t->nsessions : 0; }

/* --- LRU lists: prev/next live in the entries, reached through accessors --- */

#define LRU_FUNCS(name, type, arr)                                                       \
	static void name##_unlink(struct ds_table *t, struct ds_lru *l, uint32_t i)      \
	{                                                                                \
		type *e = &t->arr[i];                                                    \
		if (e->lprev != NIL)                                                     \
			t->arr[e->lprev].lnext = e->lnext;                               \
		else                                                                     \
			l->head = e->lnext;                                              \
		if (e->lnext != NIL)                                                     \
			t->arr[e->lnext].lprev = e->lprev;                               \
		else                                                                     \
			l->tail = e->lprev;                                              \
		e->lprev = e->lnext = NIL;                                               \
	}                                                                                \
	static void name##_push(struct ds_table *t, struct ds_lru *l, uint32_t i)        \
	{                                                                                \
		type *e = &t->arr[i];                                                    \
		e->lprev = NIL;                                                          \
		e->lnext = l->head;                                                      \
		if (l->head != NIL)                                                      \
			t->arr[l->head].lprev = i;                                       \
		else                                                                     \
			l->tail = i;                                                     \
		l->head = i;                                                             \
	}

LRU_FUNCS(hlru, struct ds_handle, handles)
LRU_FUNCS(slru, struct ds_session, sessions)

/* --- sessions --- */

static const char *session_party(const struct ds_session *s)
{
	return ds_party(&s->info.sub, s->info.user);
}

static uint32_t session_find(const struct ds_table *t, const char *party, const struct ip_addr *a)
{
	uint32_t h = session_hash(party, a);
	for (uint32_t i = t->sbuckets[h & t->smask]; i != NIL; i = t->sessions[i].next) {
		const struct ds_session *s = &t->sessions[i];
		if (s->hash == h && addr_eq(&s->info.addr[0], a) && strcmp(session_party(s), party) == 0)
			return i;
	}
	return NIL;
}

static void session_release(struct ds_table *t, uint32_t i)
{
	struct ds_session *s = &t->sessions[i];
	uint32_t *link = &t->sbuckets[s->hash & t->smask];
	while (*link != NIL && *link != i)
		link = &t->sessions[*link].next;
	if (*link == i)
		*link = s->next;
	slru_unlink(t, &t->slru, i);
	uint32_t gen = s->gen + 1;
	memset(s, 0, sizeof *s);
	s->gen = gen; /* handles still naming it now find it stale */
	s->next = t->sfree;
	t->sfree = i;
	t->nsessions--;
}

/* The session a handle names, or NIL when it was forgotten. */
static uint32_t handle_session(const struct ds_table *t, const struct ds_handle *h)
{
	if (h->session == NIL)
		return NIL;
	const struct ds_session *s = &t->sessions[h->session];
	return s->used && s->gen == h->session_gen ? h->session : NIL;
}

/* --- handles --- */

static bool key_eq(const struct ds_handle *h, int slot, uint32_t hash, const void *key, size_t len)
{
	size_t stored = slot ? DS_ALIAS_MAX : DS_KEY_MAX;
	size_t n = len < stored ? len : stored;
	const uint8_t *k = slot ? h->alias : h->key;
	return h->hash[slot] == hash && h->len[slot] == len && memcmp(k, key, n) == 0;
}

/* The handle with key (in either slot), or NIL. */
static uint32_t handle_find(const struct ds_table *t, const void *key, size_t len)
{
	if (len == 0)
		return NIL;
	uint32_t hash = hash_bytes(key, len);
	for (uint32_t l = t->hbuckets[hash & t->hmask]; l != NIL;) {
		uint32_t i = l >> 1;
		int slot = (int)(l & 1);
		if (key_eq(&t->handles[i], slot, hash, key, len))
			return i;
		l = t->handles[i].next[slot];
	}
	return NIL;
}

static void chain_unlink(struct ds_table *t, uint32_t i, int slot)
{
	struct ds_handle *h = &t->handles[i];
	uint32_t me = i << 1 | (uint32_t)slot;
	uint32_t *link = &t->hbuckets[h->hash[slot] & t->hmask];
	while (*link != NIL && *link != me)
		link = &t->handles[*link >> 1].next[*link & 1];
	if (*link == me)
		*link = h->next[slot];
}

static void chain_link(struct ds_table *t, uint32_t i, int slot)
{
	struct ds_handle *h = &t->handles[i];
	uint32_t *head = &t->hbuckets[h->hash[slot] & t->hmask];
	h->next[slot] = *head;
	*head = i << 1 | (uint32_t)slot;
}

/* Frees a handle; returns the session it named (still counted in its refs), or NIL. */
static uint32_t handle_release(struct ds_table *t, uint32_t i)
{
	struct ds_handle *h = &t->handles[i];
	uint32_t s = handle_session(t, h);
	chain_unlink(t, i, 0);
	if (h->len[1])
		chain_unlink(t, i, 1);
	hlru_unlink(t, &t->hlru, i);
	memset(h, 0, sizeof *h);
	h->next[0] = t->hfree;
	t->hfree = i;
	t->nhandles--;
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
	if (s == NIL)
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
	if (t->hfree == NIL && t->hnext <= t->capacity) {
		t->nhandles++;
		return t->hnext++;
	}
	if (t->hfree == NIL) {
		stats_anomaly(t->stats, ANOM_DATA_SESSION_TABLE_FULL);
		session_deref_quiet(t, NULL, handle_release(t, t->hlru.tail), false);
	}
	uint32_t i = t->hfree;
	t->hfree = t->handles[i].next[0];
	t->nhandles++;
	return i;
}

static uint32_t session_alloc(struct ds_table *t)
{
	if (t->sfree == NIL && t->snext <= t->capacity) {
		t->nsessions++;
		return t->snext++; /* zeroed, generation 0 */
	}
	if (t->sfree == NIL) {
		stats_anomaly(t->stats, ANOM_DATA_SESSION_TABLE_FULL);
		session_release(t, t->slru.tail); /* its handles are found stale later */
	}
	uint32_t i = t->sfree;
	uint32_t gen = t->sessions[i].gen;
	t->sfree = t->sessions[i].next;
	memset(&t->sessions[i], 0, sizeof t->sessions[i]);
	t->sessions[i].gen = gen;
	t->nsessions++;
	return i;
}

bool ds_known(const struct ds_table *t, const void *key, size_t key_len)
{
	if (!t)
		return false;
	uint32_t i = handle_find(t, key, key_len);
	return i != NIL && handle_session(t, &t->handles[i]) != NIL;
}

/* --- events and the identity map --- */

static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

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
	copy_text(e.from, sizeof e.from, ds_party(&info->sub, info->user));
	copy_text(e.to, sizeof e.to, info->sub.apn);
	e.from_addr = info->addr[0];
	ds_format_addrs(info->addr, info->prefix_len, info->naddr, e.contact, sizeof e.contact);
	copy_text(e.call_id, sizeof e.call_id, info->session_id);
	e.duration_us = duration_us;
	const struct packet *pkt = ctx->pkt;
	for (unsigned i = 0; i < nframes; i++)
		event_add_frame(&e, frames[i]);
	if (pkt) {
		e.capture_index = pkt->capture_index;
		event_add_frame(&e, pkt->frame_no);
		e.src = pkt->src;
		e.dst = pkt->dst;
		e.sport = pkt->sport;
		e.dport = pkt->dport;
		e.ip_proto = pkt->ip_proto;
		e.tunnel = pkt->tunnel;
	}
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
	if (h != NIL) {
		uint32_t hs = handle_session(t, &t->handles[h]);
		if (hs != NIL && hs == s) { /* a retransmission, or an interim update: refresh */
			bind_addrs(ctx, o); /* the map refreshes a binding to the same subscriber */
			hlru_unlink(t, &t->hlru, h);
			hlru_push(t, &t->hlru, h);
			slru_unlink(t, &t->slru, s);
			slru_push(t, &t->slru, s);
			return true;
		}
		/* the key now names another session: the old one lost this handle */
		handle_release(t, h);
		session_deref_quiet(t, ctx, hs, true);
		s = session_find(t, party, &o->addr[0]); /* may have been the same slot */
	}

	if (s == NIL) {
		s = session_alloc(t);
		struct ds_session *se = &t->sessions[s];
		se->used = true;
		se->info = *o;
		se->info.key = se->info.alias = NULL;
		se->info.key_len = se->info.alias_len = 0;
		se->begin_seen = o->announce;
		se->start_us = o->start_us;
		se->hash = session_hash(party, &o->addr[0]);
		se->next = t->sbuckets[se->hash & t->smask];
		t->sbuckets[se->hash & t->smask] = s;
		se->lprev = se->lnext = NIL;
		slru_push(t, &t->slru, s);
		bind_addrs(ctx, o);
		if (o->announce)
			emit(ctx, EV_DATA_SESSION_BEGIN, o, o->start_us, -1, o->frames, o->nframes);
	} else {
		slru_unlink(t, &t->slru, s);
		slru_push(t, &t->slru, s);
	}

	/* a fresh handle (the pool may evict; s is re-checked below) */
	uint32_t gen = t->sessions[s].gen;
	h = handle_alloc(t);
	if (!t->sessions[s].used || t->sessions[s].gen != gen)
		return false; /* the eviction took the session itself: nothing left to name */
	struct ds_handle *hd = &t->handles[h];
	memset(hd, 0, sizeof *hd);
	hd->used = true;
	hd->len[0] = (uint32_t)o->key_len;
	hd->hash[0] = hash_bytes(o->key, o->key_len);
	memcpy(hd->key, o->key, o->key_len < DS_KEY_MAX ? o->key_len : DS_KEY_MAX);
	chain_link(t, h, 0);
	/* the alias only when it is short and not already another handle's name */
	if (o->alias && o->alias_len > 0 && o->alias_len <= DS_ALIAS_MAX &&
	    handle_find(t, o->alias, o->alias_len) == NIL) {
		hd->len[1] = (uint32_t)o->alias_len;
		hd->hash[1] = hash_bytes(o->alias, o->alias_len);
		memcpy(hd->alias, o->alias, o->alias_len);
		chain_link(t, h, 1);
	}
	hd->session = s;
	hd->session_gen = gen;
	hd->lprev = hd->lnext = NIL;
	hlru_push(t, &t->hlru, h);
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
	uint32_t s = h != NIL ? handle_release(t, h) : NIL;
	if (s != NIL) {
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
