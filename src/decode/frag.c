/*
 * frag.c — IP fragment reassembly: IPv4 (RFC 791 §2.3, §3.2) and IPv6 (RFC 8200 §4.5).
 *
 * RFC 815 keeps a list of holes; here the same bookkeeping is a bitmap of 8-octet
 * units (every fragment but the last is a whole number of them), which needs no cap
 * on the number of holes an attacker can cut. Datagrams are keyed by (src, dst, id,
 * protocol). Everything is allocated in frag_new:
 *   - a pool of datagram slots (frag_max_datagrams; core/ixpool.h), found through a
 *     hash index (core/ixhash.h) and kept on an age list so the oldest expires first
 *     in O(1);
 *   - a shared byte budget (frag_max_bytes) cut into 1 KiB blocks, handed to slots as
 *     their data arrives, so a thousand small datagrams do not each reserve 64 KiB;
 *   - two 64 KiB output buffers for completed datagrams.
 * Overlaps: the first data to arrive wins (a later, different copy cannot rewrite what
 * a dissector may already trust), and ANOM_FRAG_OVERLAP is counted; an exact
 * duplicate is not an anomaly.
 */
#include "decode/frag.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ixhash.h"
#include "core/ixpool.h"

enum {
	FRAG_BLOCK = 1024,                         /* bytes per budget block */
	FRAG_UNITS_PER_BLOCK = FRAG_BLOCK / 8,     /* 128: two 64-bit words of bitmap */
	FRAG_MAX_IP = 65535,                       /* largest IP datagram (v4 total, v6 payload) */
	FRAG_SLOT_BLOCKS = (FRAG_MAX_IP + 1) / FRAG_BLOCK,
	FRAG_NO_BLOCK = 0xffff,
	FRAG_MAX_BLOCKS = 0xfffe,                  /* block ids are uint16_t */
	FRAG_MAX_HDR = 60,                         /* IPv4 with all options; IPv6 uses 40 */
	FRAG_OUT_SIZE = FRAG_MAX_IP + 40 + 1,      /* IPv6: 40 + 65535 */
	FRAG_MAX_SLOTS = 1 << 20,                  /* sanity cap on the configured pool */
	L_AGE = 0,                                 /* the pool's list: by first arrival */
};

enum {
	FRAG_DEFAULT_DATAGRAMS = 1024,
	FRAG_DEFAULT_BYTES = 8 * 1024 * 1024,
	FRAG_DEFAULT_TIMEOUT_S = 30,
};

struct frag_slot {
	struct ip_addr src, dst;
	uint32_t id;
	uint32_t tunnel;
	uint8_t proto;
	uint8_t hdr_len;    /* 0 until the header to rebuild from is known */
	bool total_known;   /* the last fragment (MF=0) arrived */
	uint32_t total;     /* data bytes, once total_known */
	uint32_t max_end;   /* end of the furthest data received */
	uint32_t units;     /* 8-octet units received */
	uint64_t first_us;  /* arrival of the first fragment: the timeout counts from it */
	uint16_t blocks[FRAG_SLOT_BLOCKS]; /* budget block per KiB of data, FRAG_NO_BLOCK */
	uint8_t hdr[FRAG_MAX_HDR];
};
/* run/limits.c counts 288 bytes a slot with its pool and index links (and 8 of buckets) */
_Static_assert(sizeof(struct frag_slot) + sizeof(struct ix_link) + 1 + sizeof(struct ixhash_node) <= 288,
	       "frag_slot grew: the pool is per decoder");

struct frag_table {
	struct stats *stats;
	uint64_t timeout_us;
	struct frag_slot *slots;    /* [1, datagrams]: slot 0 unused */
	struct ixpool pool;         /* the datagrams pending, oldest first */
	struct ixhash by_key;
	uint8_t *arena;             /* nblocks * FRAG_BLOCK */
	uint64_t *bits;             /* 2 words per block: which units hold data */
	uint16_t *free_blocks;      /* stack */
	unsigned nblocks, nfree;
	uint8_t *out[2];
	unsigned out_next;
};

static uint32_t key_hash(const struct frag_piece *p)
{
	uint32_t h = addr_hash(&p->src) * 0x9e3779b1u ^ addr_hash(&p->dst);
	h ^= p->id * 0x85ebca6bu;
	h ^= p->proto;
	h ^= p->tunnel * 0xc2b2ae35u;
	return hash_mix32(h); /* spreads the bits the mask keeps */
}

struct frag_table *frag_new(const struct decode_config *cfg, struct stats *stats)
{
	unsigned ndgrams = cfg && cfg->frag_max_datagrams ? cfg->frag_max_datagrams
							  : FRAG_DEFAULT_DATAGRAMS;
	unsigned nbytes = cfg && cfg->frag_max_bytes ? cfg->frag_max_bytes : FRAG_DEFAULT_BYTES;
	unsigned timeout = cfg && cfg->frag_timeout_s ? cfg->frag_timeout_s : FRAG_DEFAULT_TIMEOUT_S;
	if (ndgrams > FRAG_MAX_SLOTS)
		ndgrams = FRAG_MAX_SLOTS;
	unsigned nblocks = nbytes / FRAG_BLOCK;
	if (nblocks > FRAG_MAX_BLOCKS)
		nblocks = FRAG_MAX_BLOCKS;
	if (nblocks == 0)
		nblocks = 1;

	struct frag_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->stats = stats;
	t->timeout_us = (uint64_t)timeout * 1000000u;
	t->nblocks = nblocks;
	t->slots = calloc((size_t)ndgrams + 1, sizeof *t->slots);
	/* the arena's pages are only touched when fragments arrive */
	t->arena = malloc((size_t)nblocks * FRAG_BLOCK);
	t->bits = calloc((size_t)nblocks * 2, sizeof *t->bits);
	t->free_blocks = malloc(nblocks * sizeof *t->free_blocks);
	t->out[0] = malloc(FRAG_OUT_SIZE);
	t->out[1] = malloc(FRAG_OUT_SIZE);
	if (!t->slots || !t->arena || !t->bits || !t->free_blocks || !t->out[0] || !t->out[1] ||
	    ixpool_init(&t->pool, ndgrams) != 0 || ixhash_init(&t->by_key, ndgrams + 1, 2 * ndgrams) != 0) {
		frag_free(t);
		return NULL;
	}
	for (unsigned i = 0; i < nblocks; i++)
		t->free_blocks[i] = (uint16_t)(nblocks - 1 - i);
	t->nfree = nblocks;
	return t;
}

void frag_free(struct frag_table *t)
{
	if (!t)
		return;
	free(t->slots);
	ixpool_fini(&t->pool);
	ixhash_fini(&t->by_key);
	free(t->arena);
	free(t->bits);
	free(t->free_blocks);
	free(t->out[0]);
	free(t->out[1]);
	free(t);
}

unsigned frag_pending(const struct frag_table *t) { return t->pool.used; }

size_t frag_bytes_held(const struct frag_table *t)
{
	return (size_t)(t->nblocks - t->nfree) * FRAG_BLOCK;
}

static struct frag_slot *slot_find(struct frag_table *t, const struct frag_piece *p, uint32_t h)
{
	for (uint32_t i = ixhash_first(&t->by_key, h); i != IX_NIL; i = ixhash_next(&t->by_key, i)) {
		struct frag_slot *s = &t->slots[i];
		if (s->id == p->id && s->proto == p->proto && s->tunnel == p->tunnel &&
		    addr_eq(&s->src, &p->src) && addr_eq(&s->dst, &p->dst))
			return s;
	}
	return NULL;
}

static void slot_release(struct frag_table *t, struct frag_slot *s)
{
	uint32_t idx = (uint32_t)(s - t->slots);
	ixhash_remove(&t->by_key, idx);
	ixpool_free(&t->pool, idx);
	/* blocks back to the budget, with their bitmaps cleared */
	for (unsigned b = 0; b < FRAG_SLOT_BLOCKS; b++) {
		uint16_t blk = s->blocks[b];
		if (blk == FRAG_NO_BLOCK)
			continue;
		t->bits[2u * blk] = 0;
		t->bits[2u * blk + 1] = 0;
		t->free_blocks[t->nfree++] = blk;
	}
}

static struct frag_slot *slot_take(struct frag_table *t, const struct frag_piece *p, uint32_t h)
{
	uint32_t idx = ixpool_alloc(&t->pool);
	if (idx == IX_NIL)
		return NULL;
	struct frag_slot *s = &t->slots[idx];
	s->src = p->src;
	s->dst = p->dst;
	s->id = p->id;
	s->proto = p->proto;
	s->tunnel = p->tunnel;
	s->hdr_len = 0;
	s->total_known = false;
	s->total = 0;
	s->max_end = 0;
	s->units = 0;
	s->first_us = p->ts_us;
	memset(s->blocks, 0xff, sizeof s->blocks);
	ixhash_insert(&t->by_key, idx, h);
	ixpool_touch(&t->pool, idx, L_AGE);
	return s;
}

void frag_expire(struct frag_table *t, uint64_t now_us)
{
	/* slots are on the age list in arrival order, so only the head needs looking at */
	uint32_t i;
	while ((i = ixpool_oldest(&t->pool, L_AGE)) != IX_NIL) {
		struct frag_slot *s = &t->slots[i];
		if (now_us <= s->first_us || now_us - s->first_us <= t->timeout_us)
			break;
		stats_anomaly(t->stats, ANOM_FRAG_TIMEOUT);
		slot_release(t, s);
	}
}

/* Ones' complement sum of the rebuilt IPv4 header (RFC 791 §3.1), for a consistent packet. */
static uint16_t ipv4_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Builds the complete datagram in an output buffer and frees the slot. */
static enum decode_result slot_complete(struct frag_table *t, struct frag_slot *s, struct span *out)
{
	size_t hl = s->hdr_len;
	bool v4 = s->src.family == 4;
	if (v4 && hl + s->total > FRAG_MAX_IP) {
		/* only now is the first fragment's header length known for sure */
		stats_anomaly(t->stats, ANOM_FRAG_TOO_BIG);
		slot_release(t, s);
		return DECODE_MALFORMED;
	}
	uint8_t *o = t->out[t->out_next];
	t->out_next ^= 1;
	memcpy(o, s->hdr, hl);
	if (v4) {
		size_t total = hl + s->total;
		o[2] = (uint8_t)(total >> 8);
		o[3] = (uint8_t)total;
		o[6] &= 0x40; /* keep DF, clear MF and the offset */
		o[7] = 0;
		o[10] = o[11] = 0;
		uint16_t sum = ipv4_checksum(o, hl);
		o[10] = (uint8_t)(sum >> 8);
		o[11] = (uint8_t)sum;
	} else {
		/* the fragment header and the extension headers before it are left out */
		o[4] = (uint8_t)(s->total >> 8);
		o[5] = (uint8_t)s->total;
		o[6] = s->proto;
	}
	for (uint32_t off = 0; off < s->total; off += FRAG_BLOCK) {
		uint32_t n = s->total - off < FRAG_BLOCK ? s->total - off : FRAG_BLOCK;
		memcpy(o + hl + off, t->arena + (size_t)s->blocks[off / FRAG_BLOCK] * FRAG_BLOCK, n);
	}
	out->ptr = o;
	out->len = hl + s->total;
	slot_release(t, s);
	return DECODE_OK;
}

enum decode_result frag_add(struct frag_table *t, const struct frag_piece *p, struct span *out)
{
	uint32_t len = (uint32_t)p->data.len;
	uint32_t end = p->offset + len;
	bool v4 = p->src.family == 4;

	frag_expire(t, p->ts_us);

	/* every fragment but the last carries a whole number of 8-octet units */
	if (p->more && (len == 0 || len % 8 != 0)) {
		stats_anomaly(t->stats, ANOM_IP_MALFORMED);
		return DECODE_MALFORMED;
	}
	uint32_t h = key_hash(p);
	struct frag_slot *s = slot_find(t, p, h);
	size_t hdr_room = v4 ? p->hdr.len : p->unfrag_len;
	if (hdr_room + end > FRAG_MAX_IP) {
		stats_anomaly(t->stats, ANOM_FRAG_TOO_BIG);
		if (s)
			slot_release(t, s);
		return DECODE_MALFORMED;
	}
	if (!s) {
		s = slot_take(t, p, h);
		if (!s) {
			stats_anomaly(t->stats, ANOM_FRAG_POOL_FULL);
			return DECODE_HELD;
		}
	}

	/* an end that contradicts what arrived before: keep the first story */
	if ((!p->more && s->total_known && end != s->total) || (!p->more && end < s->max_end) ||
	    (p->more && s->total_known && end > s->total)) {
		stats_anomaly(t->stats, ANOM_FRAG_OVERLAP);
		return DECODE_HELD;
	}

	/* the header to rebuild from: IPv4 the first fragment's (it has every option),
	   IPv6 the fixed header, the same in every fragment */
	if (s->hdr_len == 0 && (!v4 || p->offset == 0) && p->hdr.len <= FRAG_MAX_HDR) {
		struct cursor hc = cur_make(p->hdr.ptr, p->hdr.len);
		cur_copy(&hc, s->hdr, p->hdr.len);
		s->hdr_len = (uint8_t)p->hdr.len;
	}

	struct cursor c = cur_make(p->data.ptr, p->data.len);
	bool had_old = false, had_new = false, differed = false;
	for (uint32_t pos = p->offset; pos < end;) {
		uint32_t n = end - pos < 8 ? end - pos : 8;
		unsigned b = pos / FRAG_BLOCK;
		if (s->blocks[b] == FRAG_NO_BLOCK) {
			if (t->nfree == 0) {
				stats_anomaly(t->stats, ANOM_FRAG_POOL_FULL);
				if (s->units == 0)
					slot_release(t, s);
				return DECODE_HELD;
			}
			s->blocks[b] = t->free_blocks[--t->nfree];
		}
		uint16_t blk = s->blocks[b];
		unsigned unit = (pos % FRAG_BLOCK) / 8;
		uint64_t *word = &t->bits[2u * blk + unit / 64];
		uint64_t bit = (uint64_t)1 << (unit % 64);
		uint8_t *dst = t->arena + (size_t)blk * FRAG_BLOCK + pos % FRAG_BLOCK;
		if (*word & bit) {
			struct span old = cur_span(&c, n);
			had_old = true;
			if (memcmp(dst, old.ptr, n) != 0)
				differed = true;
		} else {
			cur_copy(&c, dst, n);
			*word |= bit;
			s->units++;
			had_new = true;
		}
		pos += n;
	}
	if (had_old && (had_new || differed))
		stats_anomaly(t->stats, ANOM_FRAG_OVERLAP);
	if (end > s->max_end)
		s->max_end = end;
	if (!p->more) {
		s->total_known = true;
		s->total = end;
	}
	if (s->total_known && s->hdr_len && s->units == (s->total + 7) / 8)
		return slot_complete(t, s, out);
	return DECODE_HELD;
}
