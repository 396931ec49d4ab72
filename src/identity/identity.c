/*
 * identity.c — the identity map: address or prefix → subscriber, over time (identity.h).
 *
 * Every binding lives in one fixed pool allocated at creation. A binding is keyed by its
 * network (the address masked to its prefix length, and the length); one hash table of
 * chains holds every binding, open or closed, so an address reused by several
 * subscribers one after another has one chain entry per holder, each with its interval,
 * and a lookup picks the one whose interval holds the event time.
 *
 * Lookups try the prefix lengths in use from the longest down (a per-family list of
 * the lengths that have bindings), so a host binding (/32, /128) is one hash probe,
 * and an IPv6 /64 from a data session is a second one. A map with only host and /64
 * bindings never costs more than two probes.
 *
 * Two lists order the pool for reuse: open bindings (no end yet) and closed ones (an end
 * is known, whether it passed or is a scheduled expiry), oldest first. When the pool is
 * empty the oldest closed binding is reused; with none closed, the new binding is
 * dropped and counted (ANOM_IDENTITY_TABLE_FULL): a long capture keeps naming the
 * subscribers it has, rather than forgetting one at random. The pool and the hash index
 * are core/ixpool.h and core/ixhash.h: made with calloc, a million-binding map costs
 * nothing at start but address space (the kernel's zero pages).
 */
#include "identity/identity.h"

#include <stdlib.h>
#include <string.h>

#include "core/ixhash.h"
#include "core/ixpool.h"
#include "identity/sim_links.h"

#define AMBIGUOUS (UINT32_MAX - 1) /* find_binding: more than one registered AoR holds */

enum { DEFAULT_BINDINGS = 65536, MAX_BINDINGS = 1u << 24 };
enum id_list { L_OPEN, L_CLOSED };
enum id_layer { LAYER_ACCESS, LAYER_REGISTRATION };

/* A binding as held: b.addr masked to b.prefix_len, prefix_len normalised. */
struct slot {
	struct identity_binding b;
};

struct identity_map {
	struct stats *stats;
	struct ixpool pool;        /* the bindings held, on L_OPEN or L_CLOSED */
	struct ixhash by_net;      /* bindings by (network, prefix length) */
	struct slot *slots;        /* [1, capacity]: slot 0 unused */
	uint32_t per_len[2][129];  /* bindings per prefix length: [0] IPv4, [1] IPv6 */
	uint8_t lens[2][129];      /* the lengths in use, longest first */
	unsigned nlens[2];
	struct sim_links *links;   /* IMSI <-> MSISDN, from access bindings with both */
	identity_journal_fn journal; /* sees the callers' operations (shared with other sensors) */
	void *journal_ud;
	bool applying;             /* identity_apply: an operation from elsewhere, not journaled */
};

static void journal(struct identity_map *m, enum identity_op_kind kind, const struct identity_binding *b,
		    const struct ip_addr *addr, enum identity_source source, uint64_t end_us)
{
	if (!m->journal || m->applying)
		return;
	struct identity_op op;
	memset(&op, 0, sizeof op);
	op.kind = kind;
	if (b)
		op.b = *b;
	else
		op.b.addr = *addr;
	op.b.source = source;
	op.end_us = end_us;
	m->journal(m->journal_ud, &op);
}

void identity_map_set_journal(struct identity_map *m, identity_journal_fn fn, void *ud)
{
	if (!m)
		return;
	m->journal = fn;
	m->journal_ud = ud;
}

static enum id_layer layer_of(enum identity_source s)
{
	return s == ID_SRC_SIP_REGISTER ? LAYER_REGISTRATION : LAYER_ACCESS;
}

static unsigned max_len(uint8_t family)
{
	return family == 4 ? 32 : 128;
}

/* Masks a to len bits (bytes past the family's size stay zero). */
static struct ip_addr masked(const struct ip_addr *a, unsigned len)
{
	struct ip_addr r;
	memset(&r, 0, sizeof r);
	r.family = a->family;
	unsigned whole = len / 8, rest = len % 8;
	memcpy(r.bytes, a->bytes, whole);
	if (rest)
		r.bytes[whole] = (uint8_t)(a->bytes[whole] & (0xff << (8 - rest)));
	return r;
}

static uint32_t key_hash(const struct ip_addr *net, unsigned len)
{
	return addr_hash(net) ^ (len * 0x9e3779b1u);
}

static bool key_eq(const struct slot *s, const struct ip_addr *net, unsigned len)
{
	return s->b.prefix_len == len && addr_eq(&s->b.addr, net);
}

/* Holds at ts: start <= ts < end (end 0: open). */
static bool holds_at(const struct identity_binding *b, uint64_t ts)
{
	return b->start_us <= ts && (b->end_us == 0 || ts < b->end_us);
}

static bool has_identity(const struct subscriber *s)
{
	return s->msisdn[0] || s->imsi[0] || s->sip[0] || s->imei[0];
}

/*
 * The same subscriber? The first identity both sides carry decides, most permanent
 * first: IMSI, then MSISDN, then SIP AoR, then the device's IMEI. Nothing in common: not
 * the same (a new holder).
 */
static bool same_subscriber(const struct subscriber *a, const struct subscriber *b)
{
	if (a->imsi[0] && b->imsi[0])
		return strcmp(a->imsi, b->imsi) == 0;
	if (a->msisdn[0] && b->msisdn[0])
		return strcmp(a->msisdn, b->msisdn) == 0;
	if (a->sip[0] && b->sip[0])
		return strcmp(a->sip, b->sip) == 0;
	if (a->imei[0] && b->imei[0])
		return strcmp(a->imei, b->imei) == 0;
	return false;
}

#define FILL(dst, src, f)                                          \
	do {                                                       \
		if (!(dst)->f[0] && (src)->f[0])                   \
			memcpy((dst)->f, (src)->f, sizeof (dst)->f); \
	} while (0)

/* Fills the empty fields of dst from src. */
static void merge_subscriber(struct subscriber *dst, const struct subscriber *src)
{
	FILL(dst, src, msisdn);
	FILL(dst, src, imsi);
	FILL(dst, src, imei);
	FILL(dst, src, apn);
	FILL(dst, src, sip);
}

/* --- the pool and its lists --- */

static uint32_t bindings_wanted(unsigned max_bindings)
{
	uint32_t want = max_bindings ? max_bindings : DEFAULT_BINDINGS;
	return want > MAX_BINDINGS ? MAX_BINDINGS : want;
}

size_t identity_map_memory(unsigned max_bindings)
{
	uint32_t want = bindings_wanted(max_bindings);
	return sizeof(struct identity_map) + ((size_t)want + 1) * sizeof(struct slot) + ixpool_memory(want) +
	       ixhash_memory(want + 1, want) + sim_links_memory(want / 4);
}

struct identity_map *identity_map_new(unsigned max_bindings, struct stats *stats)
{
	uint32_t want = bindings_wanted(max_bindings);
	struct identity_map *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->stats = stats;
	m->slots = calloc((size_t)want + 1, sizeof *m->slots);
	m->links = sim_links_new(want / 4);
	if (!m->slots || !m->links || ixpool_init(&m->pool, want) != 0 || ixhash_init(&m->by_net, want + 1, want) != 0) {
		identity_map_free(m);
		return NULL;
	}
	return m;
}

void identity_map_free(struct identity_map *m)
{
	if (!m)
		return;
	free(m->slots);
	ixpool_fini(&m->pool);
	ixhash_fini(&m->by_net);
	sim_links_free(m->links);
	free(m);
}

unsigned identity_map_used(const struct identity_map *m)
{
	return m ? m->pool.used : 0;
}

static unsigned fam_index(uint8_t family)
{
	return family == 6 ? 1 : 0;
}

/* Counts a binding of length len; keeps the list of lengths in use (longest first). */
static void len_add(struct identity_map *m, unsigned fi, unsigned len)
{
	if (m->per_len[fi][len]++ > 0)
		return;
	unsigned i = m->nlens[fi]++;
	while (i > 0 && m->lens[fi][i - 1] < len) {
		m->lens[fi][i] = m->lens[fi][i - 1];
		i--;
	}
	m->lens[fi][i] = (uint8_t)len;
}

static void len_remove(struct identity_map *m, unsigned fi, unsigned len)
{
	if (--m->per_len[fi][len] > 0)
		return;
	unsigned i = 0;
	while (i < m->nlens[fi] && m->lens[fi][i] != len)
		i++;
	for (; i + 1 < m->nlens[fi]; i++)
		m->lens[fi][i] = m->lens[fi][i + 1];
	m->nlens[fi]--;
}

static void slot_release(struct identity_map *m, uint32_t idx)
{
	struct slot *s = &m->slots[idx];
	ixhash_remove(&m->by_net, idx);
	ixpool_free(&m->pool, idx);
	len_remove(m, fam_index(s->b.addr.family), s->b.prefix_len);
	memset(s, 0, sizeof *s);
}

/* A free slot (reusing the oldest closed binding), or IX_NIL when every binding is open. */
static uint32_t slot_alloc(struct identity_map *m)
{
	uint32_t idx = ixpool_alloc(&m->pool), closed;
	if (idx == IX_NIL && (closed = ixpool_oldest(&m->pool, L_CLOSED)) != IX_NIL) {
		slot_release(m, closed);
		idx = ixpool_alloc(&m->pool);
	}
	return idx;
}

/* Sets the end of a binding (0 reopens it) and files it, newest, on the matching list. */
static void set_end(struct identity_map *m, uint32_t idx, uint64_t end_us)
{
	m->slots[idx].b.end_us = end_us;
	ixpool_touch(&m->pool, idx, end_us ? L_CLOSED : L_OPEN);
}

/* The normalised key of a binding's address: false for no family or an unspecified address. */
static bool normalise_key(const struct ip_addr *addr, unsigned prefix_len, struct ip_addr *net,
			  unsigned *len)
{
	if (addr->family != 4 && addr->family != 6)
		return false;
	unsigned max = max_len(addr->family);
	*len = (prefix_len == 0 || prefix_len > max) ? max : prefix_len;
	*net = masked(addr, *len);
	static const uint8_t zero[16];
	return memcmp(addr->bytes, zero, max / 8) != 0;
}

/* --- binding and unbinding --- */

void identity_bind(struct identity_map *m, const struct identity_binding *b)
{
	struct ip_addr net;
	unsigned len;
	if (!m || !b || !normalise_key(&b->addr, b->prefix_len, &net, &len) || !has_identity(&b->sub))
		return;
	journal(m, ID_OP_BIND, b, NULL, b->source, 0);
	enum id_layer layer = layer_of(b->source);
	if (layer == LAYER_ACCESS)
		sim_links_learn(m->links, &b->sub, b->start_us);
	uint32_t h = key_hash(&net, len);
	for (uint32_t i = ixhash_first(&m->by_net, h); i != IX_NIL; i = ixhash_next(&m->by_net, i)) {
		struct slot *s = &m->slots[i];
		if (!key_eq(s, &net, len) || layer_of(s->b.source) != layer || !holds_at(&s->b, b->start_us))
			continue;
		if (same_subscriber(&s->b.sub, &b->sub)) {
			/* a refresh: the holder is unchanged; a given end (re-REGISTER) replaces the old */
			merge_subscriber(&s->b.sub, &b->sub);
			if (b->end_us == 0 || b->end_us > b->start_us)
				set_end(m, i, b->end_us);
			return;
		}
		/*
		 * Another holder now. The network gives an address to one subscriber at a time:
		 * the old one's interval ends. Registrations of several AoRs at one contact may
		 * coexist (a phone with two accounts, a PBX): both are kept, and while both
		 * hold the address names nobody (find_bindings).
		 */
		if (layer == LAYER_ACCESS)
			set_end(m, i, b->start_us);
	}
	uint32_t idx = slot_alloc(m);
	if (idx == IX_NIL) {
		stats_anomaly(m->stats, ANOM_IDENTITY_TABLE_FULL);
		return;
	}
	struct slot *s = &m->slots[idx];
	memset(s, 0, sizeof *s);
	s->b = *b;
	s->b.addr = net;
	s->b.prefix_len = len;
	if (s->b.end_us != 0 && s->b.end_us <= s->b.start_us)
		s->b.end_us = s->b.start_us; /* an expiry already past: an empty interval */
	ixhash_insert(&m->by_net, idx, h);
	len_add(m, fam_index(net.family), len);
	set_end(m, idx, s->b.end_us);
}

/* Closes the open bindings of addr (any prefix length) made by source (any when any_source),
 * of the holder sub only when sub is given. */
static void unbind(struct identity_map *m, const struct ip_addr *addr, bool any_source,
		   enum identity_source source, const struct subscriber *sub, uint64_t end_us)
{
	if (!m || !addr || (addr->family != 4 && addr->family != 6))
		return;
	unsigned fi = fam_index(addr->family);
	for (unsigned k = 0; k < m->nlens[fi]; k++) {
		unsigned len = m->lens[fi][k];
		struct ip_addr net = masked(addr, len);
		if (!addr_eq(&net, addr))
			continue; /* addr has bits past len: it is not a network of that length */
		uint32_t h = key_hash(&net, len);
		for (uint32_t i = ixhash_first(&m->by_net, h); i != IX_NIL; i = ixhash_next(&m->by_net, i)) {
			struct slot *s = &m->slots[i];
			if (!key_eq(s, &net, len) || (!any_source && s->b.source != source) ||
			    (sub && !same_subscriber(&s->b.sub, sub)))
				continue;
			/* open at end_us (or ending later): it ends now; later sessions are left alone */
			if (s->b.start_us <= end_us && (s->b.end_us == 0 || s->b.end_us > end_us))
				set_end(m, i, end_us);
		}
	}
}

void identity_unbind(struct identity_map *m, const struct ip_addr *addr, uint64_t end_us)
{
	if (m && addr)
		journal(m, ID_OP_UNBIND, NULL, addr, ID_SRC_GTPV1, end_us);
	unbind(m, addr, true, ID_SRC_GTPV1, NULL, end_us);
}

void identity_unbind_source(struct identity_map *m, const struct ip_addr *addr,
			    enum identity_source source, uint64_t end_us)
{
	if (m && addr)
		journal(m, ID_OP_UNBIND_SOURCE, NULL, addr, source, end_us);
	unbind(m, addr, false, source, NULL, end_us);
}

void identity_unbind_holder(struct identity_map *m, const struct identity_binding *b, uint64_t end_us)
{
	if (!b)
		return;
	if (m)
		journal(m, ID_OP_UNBIND_HOLDER, b, NULL, b->source, end_us);
	unbind(m, &b->addr, false, b->source, &b->sub, end_us);
}

void identity_apply(struct identity_map *m, const struct identity_op *op)
{
	if (!m || !op)
		return;
	m->applying = true;
	switch (op->kind) {
	case ID_OP_BIND:
		identity_bind(m, &op->b);
		break;
	case ID_OP_UNBIND:
		identity_unbind(m, &op->b.addr, op->end_us);
		break;
	case ID_OP_UNBIND_SOURCE:
		identity_unbind_source(m, &op->b.addr, op->b.source, op->end_us);
		break;
	case ID_OP_UNBIND_HOLDER:
		identity_unbind_holder(m, &op->b, op->end_us);
		break;
	}
	m->applying = false;
}

/* --- lookups --- */

/*
 * The binding of `layer` holding addr at ts in the most specific network, among those
 * that began at or after min_start; IX_NIL when none, AMBIGUOUS when registrations of two
 * AoRs hold it (the network never gives one address to two subscribers; a contact
 * address may be registered by several).
 */
static uint32_t find_binding(const struct identity_map *m, const struct ip_addr *addr, uint64_t ts,
			     enum id_layer layer, uint64_t min_start)
{
	unsigned fi = fam_index(addr->family);
	for (unsigned k = 0; k < m->nlens[fi]; k++) {
		unsigned len = m->lens[fi][k];
		struct ip_addr net = masked(addr, len);
		uint32_t h = key_hash(&net, len);
		uint32_t best = IX_NIL;
		bool ambiguous = false;
		for (uint32_t i = ixhash_first(&m->by_net, h); i != IX_NIL; i = ixhash_next(&m->by_net, i)) {
			const struct slot *s = &m->slots[i];
			if (!key_eq(s, &net, len) || layer_of(s->b.source) != layer || !holds_at(&s->b, ts) ||
			    s->b.start_us < min_start)
				continue;
			if (best != IX_NIL && !same_subscriber(&s->b.sub, &m->slots[best].b.sub))
				ambiguous = true;
			if (best == IX_NIL || s->b.start_us > m->slots[best].b.start_us)
				best = i;
		}
		if (best != IX_NIL)
			return ambiguous && layer == LAYER_REGISTRATION ? AMBIGUOUS : best;
	}
	return IX_NIL;
}

bool identity_lookup_binding(const struct identity_map *m, const struct ip_addr *addr, uint64_t ts_us,
			     struct identity_binding *out)
{
	if (!m || !addr || (addr->family != 4 && addr->family != 6))
		return false;
	/*
	 * The data session first. A registration made during it is the same device: it may
	 * add the MSISDN or AoR the session lacks. One made before the session began belonged
	 * to whoever held the address then, and counts for nothing.
	 */
	uint32_t acc = find_binding(m, addr, ts_us, LAYER_ACCESS, 0);
	uint64_t since = acc != IX_NIL ? m->slots[acc].b.start_us : 0;
	uint32_t reg = find_binding(m, addr, ts_us, LAYER_REGISTRATION, since);
	if (reg == AMBIGUOUS)
		reg = IX_NIL; /* several AoRs at once: no registration names the address */
	if (acc == IX_NIL && reg == IX_NIL)
		return false;
	*out = m->slots[acc != IX_NIL ? acc : reg].b;
	if (acc != IX_NIL && reg != IX_NIL)
		merge_subscriber(&out->sub, &m->slots[reg].b.sub);
	/* an IMSI-only access (RADIUS on Wi-Fi) is the phone number another session paired it with */
	sim_links_fill(m->links, &out->sub);
	return true;
}

void identity_fill_subscriber(const struct identity_map *m, struct subscriber *s)
{
	if (m)
		sim_links_fill(m->links, s);
}

bool identity_lookup(const struct identity_map *m, const struct ip_addr *addr, uint64_t ts_us,
		     struct subscriber *out)
{
	struct identity_binding b;
	if (!identity_lookup_binding(m, addr, ts_us, &b))
		return false;
	*out = b.sub;
	return true;
}

const char *subscriber_party(const struct subscriber *s)
{
	if (!s)
		return "";
	if (s->msisdn[0])
		return s->msisdn;
	if (s->imsi[0])
		return s->imsi;
	if (s->sip[0])
		return s->sip;
	return s->imei;
}

const char *identity_source_name(enum identity_source s)
{
	switch (s) {
	case ID_SRC_GTPV1:
		return "gtpv1";
	case ID_SRC_GTPV2:
		return "gtpv2";
	case ID_SRC_RADIUS:
		return "radius";
	case ID_SRC_DIAMETER:
		return "diameter";
	case ID_SRC_SIP_REGISTER:
		return "sip-register";
	}
	return "unknown";
}
