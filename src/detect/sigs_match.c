/*
 * sigs_match.c — the compiled indexes of a signature set, and evaluation of a flow
 * against them. Built once when definitions load; read-only afterwards.
 *
 * Every lookup yields a bitset of signatures (struct sigbits, one bit per signature):
 *
 *   addresses  a binary trie per family; each prefix marks the node at its depth; a
 *              lookup walks the address's bits from the root and ORs every marked node
 *              on the path (every prefix that holds the address counts, the longest
 *              included): at most 32 or 128 steps, whatever the number of prefixes.
 *   ports      the listed ranges cut into disjoint intervals, each with the bitset of
 *              the ranges covering it; binary search.
 *   names      an open-addressing hash of patterns: "a.b.c" marks the exact name,
 *              "*.b.c" marks the suffix "b.c" (names strictly below it, on a label
 *              boundary). A name is looked up whole, then once per label boundary:
 *              "x.push.apple.com" → "push.apple.com", "apple.com", "com".
 *   alpn       the same hash, exact values only.
 *   preambles  grouped by offset (few distinct offsets); per group a table indexed by
 *              the payload byte at that offset lists the preambles whose first byte,
 *              under its mask, is that byte; only those are compared further.
 *   stun       few signatures test STUN; their lists are compared directly.
 *   frames     a short list (SIG_FRAMES_MAX) of length-prefixed first payloads, each
 *              checked against the payload's length.
 *   media      the kinds a flow showed (ICE, TURN, a relay's shape) against the few
 *              signatures that name media.
 *
 * A flow satisfies a signature when, for every condition kind the signature names,
 * the kind's bitset has the signature's bit: cand = flow_sigs & ~(has[k] & ~ok[k]) for
 * each kind k — a few 64-bit operations, evaluated only when a flow starts or learns a
 * name, an ALPN value, a first payload or a STUN message (detect.c), never per packet.
 */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/vec.h"
#include "detect/sigs.h"
#include "proto/proto.h"

enum {
	PREAMBLE_GROUPS_MAX = 8, /* distinct preamble offsets in one set */
	NAME_HASH_MIN = 64,
};

struct trie_node {
	int32_t child[2];
	int32_t bits; /* index into ix->bits, -1 when no prefix ends here */
};

struct name_entry {
	char *key;     /* NULL: empty slot */
	int32_t exact; /* bitset index, -1 none */
	int32_t below; /* names strictly below key: bitset index, -1 none */
};

struct name_table {
	struct name_entry *slots;
	size_t cap, n;
};

struct port_range {
	uint16_t lo, hi;
	int sig;
};

struct port_iv {
	uint16_t lo, hi;
	struct sigbits bits;
};

struct preamble {
	int sig;
	uint8_t side;
	uint8_t offset, len;
	uint8_t bytes[SIG_PREAMBLE_MAX], mask[SIG_PREAMBLE_MAX];
};

struct preamble_group {
	unsigned offset;
	uint32_t start[257]; /* entries for byte b: flat[start[b] .. start[b+1]) */
	uint16_t *flat;      /* preamble indexes */
};

struct sig_index {
	struct trie_node *nodes; /* [0] IPv4 root, [1] IPv6 root */
	size_t nnodes, capnodes;
	struct sigbits *bits;
	size_t nbits, capbits;
	struct port_range *ranges;
	size_t nranges, capranges;
	struct port_iv *ivs;
	size_t nivs;
	struct name_table names, alpns;
	struct preamble *pre;
	size_t npre, cappre;
	struct preamble_group groups[PREAMBLE_GROUPS_MAX];
	size_t ngroups;
	struct sig_frame frames[SIG_FRAMES_MAX];
	size_t nframes;
	int relay_sig;            /* the first signature with `media: relay`, -1 none */
	size_t nlist; /* entries added to all lists, capped by SIGS_LIST_MAX * 8 */
	/* per kind: signatures that name it */
	struct sigbits has[COND__COUNT];
	struct sigbits flow_sigs; /* session and call signatures */
	struct sigbits tcp, udp;  /* transports allowed */
	struct sigbits stun_sigs;
	struct sigbits media_sigs;
};

static bool count_entry(struct sig_index *ix)
{
	return ++ix->nlist <= (size_t)SIGS_LIST_MAX * 8;
}

static int32_t new_bits(struct sig_index *ix)
{
	if (!vec_grow(&ix->bits, &ix->capbits, ix->nbits + 1, sizeof *ix->bits, 16))
		return -1;
	memset(&ix->bits[ix->nbits], 0, sizeof ix->bits[0]);
	return (int32_t)ix->nbits++;
}

static int32_t new_node(struct sig_index *ix)
{
	if (!vec_grow(&ix->nodes, &ix->capnodes, ix->nnodes + 1, sizeof *ix->nodes, 16))
		return -1;
	ix->nodes[ix->nnodes] = (struct trie_node){ { -1, -1 }, -1 };
	return (int32_t)ix->nnodes++;
}

struct sig_index *sigs_index_new(void)
{
	struct sig_index *ix = calloc(1, sizeof *ix);
	if (!ix || new_node(ix) != 0 || new_node(ix) != 1) {
		sigs_index_free(ix);
		return NULL;
	}
	ix->relay_sig = -1;
	return ix;
}

static void names_free(struct name_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
}

void sigs_index_free(struct sig_index *ix)
{
	if (!ix)
		return;
	free(ix->nodes);
	free(ix->bits);
	free(ix->ranges);
	free(ix->ivs);
	names_free(&ix->names);
	names_free(&ix->alpns);
	free(ix->pre);
	for (size_t i = 0; i < ix->ngroups; i++)
		free(ix->groups[i].flat);
	free(ix);
}

static unsigned addr_bit(const struct ip_addr *a, unsigned i)
{
	return (a->bytes[i / 8] >> (7 - i % 8)) & 1;
}

int sigs_index_add_prefix(struct sig_index *ix, int sig, const struct ip_addr *net, unsigned plen)
{
	if (!count_entry(ix))
		return -1;
	int32_t n = net->family == 4 ? 0 : 1;
	for (unsigned i = 0; i < plen; i++) {
		unsigned b = addr_bit(net, i);
		if (ix->nodes[n].child[b] < 0) {
			int32_t c = new_node(ix);
			if (c < 0)
				return -1;
			ix->nodes[n].child[b] = c;
		}
		n = ix->nodes[n].child[b];
	}
	if (ix->nodes[n].bits < 0) {
		int32_t b = new_bits(ix);
		if (b < 0)
			return -1;
		ix->nodes[n].bits = b;
	}
	sigbits_set(&ix->bits[ix->nodes[n].bits], sig);
	return 0;
}

static void trie_lookup(const struct sig_index *ix, const struct ip_addr *a, struct sigbits *out)
{
	memset(out, 0, sizeof *out);
	if (!a || (a->family != 4 && a->family != 6))
		return;
	unsigned max = a->family == 4 ? 32 : 128;
	int32_t n = a->family == 4 ? 0 : 1;
	for (unsigned i = 0; n >= 0; i++) {
		const struct trie_node *node = &ix->nodes[n];
		if (node->bits >= 0)
			for (int w = 0; w < SIG_WORDS; w++)
				out->w[w] |= ix->bits[node->bits].w[w];
		if (i == max)
			break;
		n = node->child[addr_bit(a, i)];
	}
}

int sigs_index_add_ports(struct sig_index *ix, int sig, uint16_t lo, uint16_t hi)
{
	if (!count_entry(ix) || !vec_grow(&ix->ranges, &ix->capranges, ix->nranges + 1, sizeof *ix->ranges, 16))
		return -1;
	ix->ranges[ix->nranges++] = (struct port_range){ lo, hi, sig };
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Cuts the ranges into disjoint intervals with their bitsets. */
static int build_ports(struct sig_index *ix)
{
	size_t nb = 0;
	uint32_t *bounds = malloc((2 * ix->nranges + 1) * sizeof *bounds);
	if (!bounds)
		return -1;
	for (size_t i = 0; i < ix->nranges; i++) {
		bounds[nb++] = ix->ranges[i].lo;
		bounds[nb++] = (uint32_t)ix->ranges[i].hi + 1;
	}
	qsort(bounds, nb, sizeof *bounds, cmp_u32);
	ix->ivs = calloc(nb ? nb : 1, sizeof *ix->ivs);
	if (!ix->ivs) {
		free(bounds);
		return -1;
	}
	for (size_t i = 0; i + 1 < nb; i++) {
		if (bounds[i] == bounds[i + 1])
			continue;
		struct port_iv iv = { (uint16_t)bounds[i], (uint16_t)(bounds[i + 1] - 1), { { 0 } } };
		for (size_t r = 0; r < ix->nranges; r++)
			if (ix->ranges[r].lo <= iv.lo && ix->ranges[r].hi >= iv.hi)
				sigbits_set(&iv.bits, ix->ranges[r].sig);
		if (!sigbits_any(&iv.bits))
			continue;
		struct port_iv *last = ix->nivs ? &ix->ivs[ix->nivs - 1] : NULL;
		if (last && last->hi + 1 == iv.lo && memcmp(&last->bits, &iv.bits, sizeof iv.bits) == 0)
			last->hi = iv.hi;
		else
			ix->ivs[ix->nivs++] = iv;
	}
	free(bounds);
	return 0;
}

static const struct port_iv *port_lookup(const struct sig_index *ix, uint16_t port)
{
	size_t lo = 0, hi = ix->nivs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ix->ivs[mid].hi < port)
			lo = mid + 1;
		else if (ix->ivs[mid].lo > port)
			hi = mid;
		else
			return &ix->ivs[mid];
	}
	return NULL;
}

/* --- names and ALPN --- */

/* The slot of key[0..n) (found, or the empty slot where it would go). */
static struct name_entry *slot_of(const struct name_table *t, const char *key, size_t n)
{
	if (!t->cap)
		return NULL;
	size_t i = hash_bytes(key, n) & (t->cap - 1);
	for (;;) { /* the table is never full (load <= 1/2) */
		struct name_entry *e = &t->slots[i];
		if (!e->key || (strlen(e->key) == n && memcmp(e->key, key, n) == 0))
			return e;
		i = (i + 1) & (t->cap - 1);
	}
}

static struct name_entry *table_add(struct name_table *t, const char *key)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : NAME_HASH_MIN;
		struct name_table nt = { calloc(ncap, sizeof *nt.slots), ncap, 0 };
		if (!nt.slots)
			return NULL;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].key) {
				*slot_of(&nt, t->slots[i].key, strlen(t->slots[i].key)) = t->slots[i];
				nt.n++;
			}
		free(t->slots);
		*t = nt;
	}
	struct name_entry *e = slot_of(t, key, strlen(key));
	if (!e->key) {
		if (!(e->key = strdup(key)))
			return NULL;
		e->exact = e->below = -1;
		t->n++;
	}
	return e;
}

static int mark(struct sig_index *ix, int32_t *where, int sig)
{
	if (*where < 0 && (*where = new_bits(ix)) < 0)
		return -1;
	sigbits_set(&ix->bits[*where], sig);
	return 0;
}

int sigs_index_add_name(struct sig_index *ix, int sig, const char *pattern)
{
	bool below = strncmp(pattern, "*.", 2) == 0;
	struct name_entry *e;
	if (!count_entry(ix) || !(e = table_add(&ix->names, below ? pattern + 2 : pattern)))
		return -1;
	int32_t where = below ? e->below : e->exact;
	if (mark(ix, &where, sig))
		return -1;
	/* table_add may not move e again before this store: nothing was added in between */
	if (below)
		e->below = where;
	else
		e->exact = where;
	return 0;
}

int sigs_index_add_alpn(struct sig_index *ix, int sig, const char *alpn)
{
	struct name_entry *e;
	if (!count_entry(ix) || !(e = table_add(&ix->alpns, alpn)))
		return -1;
	int32_t where = e->exact;
	if (mark(ix, &where, sig))
		return -1;
	e->exact = where;
	return 0;
}

static void or_bits(const struct sig_index *ix, int32_t b, struct sigbits *out)
{
	if (b >= 0)
		for (int w = 0; w < SIG_WORDS; w++)
			out->w[w] |= ix->bits[b].w[w];
}

static void name_lookup(const struct sig_index *ix, const char *name, struct sigbits *out)
{
	size_t n = strlen(name);
	const struct name_entry *e = slot_of(&ix->names, name, n);
	if (e && e->key)
		or_bits(ix, e->exact, out);
	for (size_t i = 0; i < n; i++) {
		if (name[i] != '.')
			continue;
		e = slot_of(&ix->names, name + i + 1, n - i - 1);
		if (e && e->key)
			or_bits(ix, e->below, out);
	}
}

/* --- preambles --- */

int sigs_index_add_preamble(struct sig_index *ix, int sig, enum sig_side side, unsigned offset,
			    const uint8_t *bytes, const uint8_t *mask, size_t len)
{
	if (!count_entry(ix) || len == 0 || len > SIG_PREAMBLE_MAX ||
	    !vec_grow(&ix->pre, &ix->cappre, ix->npre + 1, sizeof *ix->pre, 16))
		return -1;
	struct preamble *p = &ix->pre[ix->npre++];
	memset(p, 0, sizeof *p);
	p->sig = sig;
	p->side = (uint8_t)side;
	p->offset = (uint8_t)offset;
	p->len = (uint8_t)len;
	memcpy(p->bytes, bytes, len);
	memcpy(p->mask, mask, len);
	return 0;
}

static bool preamble_first_byte(const struct preamble *p, unsigned b)
{
	return (b & p->mask[0]) == p->bytes[0];
}

static int build_preambles(struct sig_index *ix, char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < ix->npre; i++) {
		size_t g = 0;
		while (g < ix->ngroups && ix->groups[g].offset != ix->pre[i].offset)
			g++;
		if (g == ix->ngroups) {
			if (g == PREAMBLE_GROUPS_MAX) {
				snprintf(errbuf, errlen, "preambles start at more than %d different offsets",
					 PREAMBLE_GROUPS_MAX);
				return -1;
			}
			ix->groups[g].offset = ix->pre[i].offset;
			ix->ngroups++;
		}
	}
	for (size_t g = 0; g < ix->ngroups; g++) {
		struct preamble_group *grp = &ix->groups[g];
		size_t total = 0;
		for (unsigned b = 0; b < 256; b++) {
			grp->start[b] = (uint32_t)total;
			for (size_t i = 0; i < ix->npre; i++)
				if (ix->pre[i].offset == grp->offset && preamble_first_byte(&ix->pre[i], b))
					total++;
		}
		grp->start[256] = (uint32_t)total;
		grp->flat = malloc((total ? total : 1) * sizeof *grp->flat);
		if (!grp->flat) {
			snprintf(errbuf, errlen, "out of memory");
			return -1;
		}
		size_t k = 0;
		for (unsigned b = 0; b < 256; b++)
			for (size_t i = 0; i < ix->npre; i++)
				if (ix->pre[i].offset == grp->offset && preamble_first_byte(&ix->pre[i], b))
					grp->flat[k++] = (uint16_t)i;
	}
	return 0;
}

bool sigs_has_preambles(const struct sigset *s)
{
	return s->index->npre > 0 || s->index->nframes > 0;
}

/* --- frames: a length-prefixed first payload --- */

int sigs_index_add_frame(struct sig_index *ix, const struct sig_frame *fr)
{
	if (ix->nframes == SIG_FRAMES_MAX || !count_entry(ix))
		return -1;
	ix->frames[ix->nframes++] = *fr;
	return 0;
}

uint16_t sigs_frame_match(const struct sigset *s, enum sig_side side, const uint8_t *p, size_t len)
{
	const struct sig_index *ix = s->index;
	uint16_t hits = 0;
	for (size_t i = 0; i < ix->nframes; i++) {
		const struct sig_frame *fr = &ix->frames[i];
		if (!(fr->side & side) || len < (size_t)fr->offset + fr->size)
			continue;
		uint32_t v = 0;
		for (unsigned k = 0; k < fr->size; k++) {
			unsigned b = p[fr->offset + (fr->little ? fr->size - 1 - k : k)];
			v = v << 8 | b;
		}
		if ((int64_t)v + fr->adds == (int64_t)len)
			hits |= (uint16_t)(1u << i);
	}
	return hits;
}

bool sigs_preamble_match(const struct sigset *s, enum sig_side side, const uint8_t *p, size_t len,
			 struct sigbits *full, struct sigbits *partial)
{
	const struct sig_index *ix = s->index;
	memset(full, 0, sizeof *full);
	memset(partial, 0, sizeof *partial);
	if (ix->npre == 0)
		return false;
	for (size_t g = 0; g < ix->ngroups; g++) {
		const struct preamble_group *grp = &ix->groups[g];
		if (len <= grp->offset) {
			/* not even the first byte yet: every preamble of this group may still come */
			for (size_t i = 0; i < ix->npre; i++)
				if (ix->pre[i].offset == grp->offset && (ix->pre[i].side & side))
					sigbits_set(partial, ix->pre[i].sig);
			continue;
		}
		unsigned b = p[grp->offset];
		for (uint32_t k = grp->start[b]; k < grp->start[b + 1]; k++) {
			const struct preamble *pr = &ix->pre[grp->flat[k]];
			if (!(pr->side & side))
				continue;
			size_t have = len - pr->offset < pr->len ? len - pr->offset : pr->len;
			bool ok = true;
			for (size_t i = 1; i < have && ok; i++)
				ok = (p[pr->offset + i] & pr->mask[i]) == pr->bytes[i];
			if (!ok)
				continue;
			sigbits_set(have == pr->len ? full : partial, pr->sig);
		}
	}
	return true;
}

/* --- STUN --- */

static bool has_u16(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool stun_ok(const struct sig *sg, const struct stun_facts *f)
{
	if (!f || f->messages == 0)
		return false;
	const struct sig_stun *c = &sg->stun;
	if (c->ntypes) {
		bool any = false;
		for (size_t i = 0; i < f->ntypes && !any; i++)
			any = has_u16(c->types, c->ntypes, f->types[i]);
		if (!any)
			return false;
	}
	if (c->nattrs) {
		bool any = false;
		for (size_t i = 0; i < f->nattrs && !any; i++)
			any = has_u16(c->attrs, c->nattrs, f->attrs[i]);
		if (!any)
			return false;
	}
	if (c->nrealms) {
		bool any = false;
		for (size_t i = 0; i < c->nrealms && !any; i++)
			any = strcmp(c->realms[i], f->realm) == 0;
		if (!any)
			return false;
	}
	return true;
}

/* --- building and evaluating --- */

int sigs_index_build(struct sigset *s, char *errbuf, size_t errlen)
{
	struct sig_index *ix = s->index;
	if (build_ports(ix)) {
		snprintf(errbuf, errlen, "%s: out of memory", s->source);
		return -1;
	}
	char err[160];
	if (build_preambles(ix, err, sizeof err)) {
		snprintf(errbuf, errlen, "%s: %s", s->source, err);
		return -1;
	}
	for (size_t i = 0; i < s->nsigs; i++) {
		const struct sig *sg = &s->sigs[i];
		for (int k = 0; k < COND__COUNT; k++)
			if (sg->conds & (1u << k))
				sigbits_set(&ix->has[k], (int)i);
		if (sg->kind != SIG_MESSAGE)
			sigbits_set(&ix->flow_sigs, (int)i);
		if (sg->transports & T_TCP)
			sigbits_set(&ix->tcp, (int)i);
		if (sg->transports & T_UDP)
			sigbits_set(&ix->udp, (int)i);
		if (sg->conds & (1u << COND_STUN))
			sigbits_set(&ix->stun_sigs, (int)i);
		if (sg->conds & (1u << COND_MEDIA))
			sigbits_set(&ix->media_sigs, (int)i);
		if ((sg->media & SIG_MEDIA_RELAY) && ix->relay_sig < 0)
			ix->relay_sig = (int)i;
	}
	return 0;
}

const struct sig_shape *sigs_relay_shape(const struct sigset *s)
{
	return s->index->relay_sig >= 0 ? &s->sigs[s->index->relay_sig].shape : NULL;
}

bool sigs_port_listed(const struct sigset *s, uint16_t port)
{
	return port_lookup(s->index, port) != NULL;
}

bool sigs_addr_listed(const struct sigset *s, const struct ip_addr *a)
{
	struct sigbits b;
	trie_lookup(s->index, a, &b);
	return sigbits_any(&b);
}

static int popcount(unsigned x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

int sigs_eval(const struct sigset *s, const struct sig_facts *f, bool *pending, bool *defer)
{
	const struct sig_index *ix = s->index;
	struct sigbits ok[COND__COUNT];
	memset(ok, 0, sizeof ok);
	ok[COND_TRANSPORT] = f->transport == T_TCP ? ix->tcp : ix->udp;
	trie_lookup(ix, f->server, &ok[COND_ADDRESS]);
	const struct port_iv *iv = port_lookup(ix, f->server_port);
	if (iv)
		ok[COND_PORT] = iv->bits;
	for (size_t i = 0; i < f->nnames; i++)
		if (f->names[i] && f->names[i][0])
			name_lookup(ix, f->names[i], &ok[COND_NAME]);
	for (size_t i = 0; i < f->nalpn; i++) {
		const struct name_entry *e = f->alpn[i] ? slot_of(&ix->alpns, f->alpn[i], strlen(f->alpn[i])) : NULL;
		if (e && e->key)
			or_bits(ix, e->exact, &ok[COND_ALPN]);
	}
	if (f->preamble) {
		ok[COND_PREAMBLE] = *f->preamble;
		for (size_t i = 0; i < ix->nframes; i++)
			if (f->frames & (1u << i))
				sigbits_set(&ok[COND_FRAME], ix->frames[i].sig);
	}
	if (f->stun)
		for (size_t i = 0; i < s->nsigs; i++)
			if (sigbits_has(&ix->stun_sigs, (int)i) && stun_ok(&s->sigs[i], f->stun))
				sigbits_set(&ok[COND_STUN], (int)i);
	if (f->media)
		for (size_t i = 0; i < s->nsigs; i++)
			if (sigbits_has(&ix->media_sigs, (int)i) && (s->sigs[i].media & f->media))
				sigbits_set(&ok[COND_MEDIA], (int)i);

	struct sigbits cand = ix->flow_sigs, could = ix->flow_sigs;
	for (int k = 0; k < COND__COUNT; k++) {
		bool later = k == COND_NAME || k == COND_ALPN || k == COND_STUN || k == COND_MEDIA ||
			     ((k == COND_PREAMBLE || k == COND_FRAME) && !f->preamble);
		for (int w = 0; w < SIG_WORDS; w++) {
			uint64_t fail = ix->has[k].w[w] & ~ok[k].w[w];
			cand.w[w] &= ~fail;
			if (!later)
				could.w[w] &= ~fail;
		}
	}
	if (pending) {
		/* still possible: passes every kind known now, and waits on one that comes later */
		bool any = false;
		for (int w = 0; w < SIG_WORDS; w++) {
			uint64_t waits = ix->has[COND_NAME].w[w] | ix->has[COND_ALPN].w[w] | ix->has[COND_STUN].w[w] |
					 ix->has[COND_MEDIA].w[w];
			if (!f->preamble)
				waits |= ix->has[COND_PREAMBLE].w[w] | ix->has[COND_FRAME].w[w];
			any |= (could.w[w] & ~cand.w[w] & waits) != 0;
		}
		*pending = any;
	}
	int best = -1, best_n = -1;
	for (size_t i = 0; i < s->nsigs; i++) {
		if (!sigbits_has(&cand, (int)i))
			continue;
		int n = popcount(s->sigs[i].conds);
		if (n > best_n) {
			best = (int)i;
			best_n = n;
		}
	}
	if (defer) {
		/* a more specific signature that only waits for the first payload: worth the wait */
		*defer = false;
		for (size_t i = 0; i < s->nsigs && !f->preamble && best >= 0; i++)
			if (sigbits_has(&could, (int)i) && !sigbits_has(&cand, (int)i) &&
			    (sigbits_has(&ix->has[COND_PREAMBLE], (int)i) || sigbits_has(&ix->has[COND_FRAME], (int)i)) &&
			    popcount(s->sigs[i].conds) > best_n)
				*defer = true;
	}
	return best;
}

size_t sigs_messages_for(const struct sigset *s, int sig, int *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nsigs && n < max; i++)
		if (s->sigs[i].kind == SIG_MESSAGE && sigbits_has(&s->sigs[i].within, sig))
			out[n++] = (int)i;
	return n;
}
