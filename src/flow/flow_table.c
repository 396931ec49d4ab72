/*
 * flow_table.c — the bidirectional flow table (TCP per RFC 9293, UDP, anything with
 * addresses): a packet and its reply find the same entry, bounded in size, with idle
 * timeouts.
 *
 * Memory is fixed at creation so that traffic cannot make the table allocate: every
 * flow lives in one array (aligned to a cache line), named by the indices of an index pool
 * (core/ixpool.h: a free list hands them out; slots never used are not even touched,
 * so the OS backs only what traffic has used), found through a hash index over the
 * same indices (core/ixhash.h), and TCP reassembly streams come from a pool of at most
 * max_streams. A stream when the pool is empty is refused and counted.
 *
 * Under attack (issue 3): a new flow when the table is full ends the longest-idle flow
 * first (its dissector gets its last look, ANOM_FLOW_EVICTED), so a flood of new
 * 5-tuples costs evictions of other flood flows, not the flows that come after it.
 * A flow that saw a packet at this packet's time is never evicted: it may be the one
 * being parsed right now (a tunnel's outer flow). TCP streams charge their memory to
 * one budget (struct reasm_budget); past 7/8 of it, each new stream request first
 * sheds the held bytes of waiting streams (a gap, or a large buffer) with a clock hand
 * over the nodes, and frees pooled streams, until use is back under 3/4. Dissector
 * state is allocated by the pipeline when a flow is classified (up to 17 KiB a flow for
 * SMPP): the table keeps the count against its own budget and, when it is spent, ends
 * the longest-idle flow that holds state to make room for the new one; the flows that
 * hold state are on a fourth LRU list of their own, so that one is found at once.
 *
 * Timeouts: each flow sits on one of three LRU lists of the pool, one per timeout (UDP
 * and other, TCP, TCP closed), ordered by last packet. Within a list every flow has the same
 * timeout, so the expired flows are exactly a prefix from the head and expiry costs
 * nothing when nothing is due.
 */
#include "flow/flow.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ixhash.h"
#include "core/ixpool.h"
#include "flow/reasm.h"

/* The goal is at most 256 bytes per tracked flow including the table's overhead. */
_Static_assert(sizeof(struct flow) <= 256, "struct flow must stay within 256 bytes");

enum {
	DEFAULT_MAX_FLOWS = 262144,
	DEFAULT_UDP_TIMEOUT_S = 120,
	DEFAULT_TCP_TIMEOUT_S = 600,
	TCP_CLOSED_TIMEOUT_S = 30, /* after FIN both ways, or RST: lingering segments only */
	DEFAULT_STREAM_CAP = 65536,
	DEFAULT_MAX_STREAMS = 65536,
	RELIEVE_VISITS = 1024,     /* nodes looked at per relief: bounds the cost per packet */
	SHED_MIN_BUFFER = 16384,   /* a gapless stream with a smaller buffer is left alone */
	STATE_MALLOC_OVERHEAD = 16, /* an allocation's header: counted with the state */
};
#define DEFAULT_REASM_BUDGET ((size_t)128 << 20)
#define DEFAULT_STATE_BUDGET ((size_t)64 << 20)

enum lru_list { LRU_OTHER, LRU_TCP, LRU_TCP_CLOSED, LRU__COUNT };
_Static_assert((int)LRU__COUNT <= (int)IXPOOL_MAX_LISTS, "the pool keeps the LRU lists");

/* What the table keeps per flow besides the flow itself: pool links and list, hash node,
 * state-list links, and its share of the buckets. */
#define FLOW_INDEX_BYTES (sizeof(struct ix_link) + 1 + sizeof(struct ixhash_node) + sizeof(struct ix_link) + 4)
_Static_assert(sizeof(struct flow) + FLOW_INDEX_BYTES <= 256,
	       "a tracked flow (plus its share of the indexes) must stay within 256 bytes");

/* A packet finds its flow in one cache line (flow.h: the fields every packet touches
 * come first), so a flow is whole lines, and the array starts on a line. */
enum { CACHE_LINE = 64 };
_Static_assert(sizeof(struct flow) % CACHE_LINE == 0, "a flow is whole cache lines");
_Static_assert(offsetof(struct flow, replica) < CACHE_LINE && offsetof(struct flow, last_ts_us) < CACHE_LINE,
	       "what every packet touches is in the flow's first cache line");

struct flow_table {
	struct flow *flows;       /* [1, max_flows]: flow 0 unused; aligned to a cache line in flows_mem */
	void *flows_mem;          /* the allocation (owned) */
	struct ixpool pool;       /* the flows held, each on its timeout's list (enum lru_list) */
	struct ixhash by_key;     /* flows by flow_hash_packet */
	uint32_t count;           /* flows held (the pool's count, but for one ending now) */
	uint64_t timeout_us[LRU__COUNT];

	struct tcp_stream **free_streams; /* stack of made, unused streams */
	unsigned nfree_streams, made_streams, max_streams;
	size_t stream_cap;
	struct reasm_budget budget;       /* every stream is charged to it */
	uint32_t shed_hand;               /* the node the relief looks at next, less one */
	size_t state_limit, state_used;   /* dissector state of all flows */
	size_t state_peak;
	struct ix_link *state_link;       /* [1, max_flows]: the state list's links */
	struct ix_list state_lru;         /* flows holding state, by last packet */

	struct stats *stats;
	flow_end_fn on_end;
	void *ud;
};

/* ---- hashing ---- */

/* Host order loads: the hash only has to agree with itself within one process. */
static inline uint32_t load32(const uint8_t *p)
{
	uint32_t w;
	memcpy(&w, p, sizeof w);
	return w;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
	return w;
}

/* One end of a flow. Port and family get bits of their own, apart from the address,
 * so that no address and port combination can cancel another out. */
static inline uint64_t endpoint_hash(const struct ip_addr *a, uint16_t port)
{
	uint64_t tag = ((uint64_t)a->family << 16) | port;
	if (a->family == 6)
		return hash_mix64(load64(a->bytes) ^ hash_mix64(load64(a->bytes + 8) ^ tag));
	return hash_mix64(((uint64_t)load32(a->bytes) << 32) | tag);
}

static inline uint32_t hash_packet(const struct packet *p)
{
	/* Hash each end on its own and combine them in a fixed order (smaller first),
	 * so swapping source and destination gives the same value. */
	uint64_t e1 = endpoint_hash(&p->src, p->sport);
	uint64_t e2 = endpoint_hash(&p->dst, p->dport);
	uint64_t lo = e1 < e2 ? e1 : e2, hi = e1 < e2 ? e2 : e1;
	uint64_t extra = ((uint64_t)p->tunnel_key << 8) | p->ip_proto;
	return (uint32_t)hash_mix64(lo ^ ((hi << 31) | (hi >> 33)) ^ (extra << 24) ^ extra);
}

uint32_t flow_hash_packet(const struct packet *p)
{
	return hash_packet(p);
}

/* ---- keys ---- */

static inline bool addr_same(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == 4)
		return load32(a->bytes) == load32(b->bytes);
	return load64(a->bytes) == load64(b->bytes) && load64(a->bytes + 8) == load64(b->bytes + 8);
}

/* Whether key k is pkt's flow; *dir gets the packet's direction when it is. */
static inline bool key_matches(const struct flow_key *k, const struct packet *p, int *dir)
{
	if (k->proto != p->ip_proto || k->tunnel != p->tunnel_key)
		return false;
	if (k->port[0] == p->sport && k->port[1] == p->dport && addr_same(&k->addr[0], &p->src) &&
	    addr_same(&k->addr[1], &p->dst)) {
		*dir = 0;
		return true;
	}
	if (k->port[0] == p->dport && k->port[1] == p->sport && addr_same(&k->addr[0], &p->dst) &&
	    addr_same(&k->addr[1], &p->src)) {
		*dir = 1;
		return true;
	}
	return false;
}

/* ---- LRU lists ---- */

static inline unsigned lru_list_of(const struct flow *f)
{
	if (f->key.proto != IPPROTO_TCP_)
		return LRU_OTHER;
	if (f->rst || (f->closed[0] && f->closed[1]))
		return LRU_TCP_CLOSED;
	return LRU_TCP;
}

/* ---- setup ---- */

static struct flow_config with_defaults(const struct flow_config *cfg)
{
	struct flow_config c = cfg ? *cfg : (struct flow_config){0};
	if (!c.max_flows)
		c.max_flows = DEFAULT_MAX_FLOWS;
	if (c.max_flows > IXPOOL_MAX_CAPACITY)
		c.max_flows = IXPOOL_MAX_CAPACITY;
	if (!c.udp_timeout_s)
		c.udp_timeout_s = DEFAULT_UDP_TIMEOUT_S;
	if (!c.tcp_timeout_s)
		c.tcp_timeout_s = DEFAULT_TCP_TIMEOUT_S;
	if (!c.stream_cap_bytes)
		c.stream_cap_bytes = DEFAULT_STREAM_CAP;
	if (!c.max_streams)
		c.max_streams = DEFAULT_MAX_STREAMS;
	if (!c.reasm_budget_bytes)
		c.reasm_budget_bytes = DEFAULT_REASM_BUDGET;
	if (!c.state_budget_bytes)
		c.state_budget_bytes = DEFAULT_STATE_BUDGET;
	return c;
}

size_t flow_table_memory(const struct flow_config *cfg)
{
	struct flow_config c = with_defaults(cfg);
	return sizeof(struct flow_table) + ((size_t)c.max_flows + 1) * (sizeof(struct flow) + sizeof(struct ix_link)) + CACHE_LINE +
	       ixpool_memory(c.max_flows) + ixhash_memory(c.max_flows + 1, c.max_flows) +
	       (size_t)c.max_streams * sizeof(struct tcp_stream *);
}

size_t flow_table_stream_bytes(const struct flow_table *t)
{
	return t ? t->budget.used : 0;
}

size_t flow_table_state_bytes(const struct flow_table *t)
{
	return t ? t->state_used : 0;
}

size_t flow_table_stream_peak(const struct flow_table *t)
{
	return t ? t->budget.peak : 0;
}

size_t flow_table_state_peak(const struct flow_table *t)
{
	return t ? t->state_peak : 0;
}

struct flow_table *flow_table_new(const struct flow_config *cfg, struct stats *stats,
				  flow_end_fn on_end, void *ud)
{
	struct flow_config c = with_defaults(cfg);
	struct flow_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	/* calloc: large enough to come straight from mmap, so untouched slots cost no RAM. */
	t->flows_mem = calloc(1, ((size_t)c.max_flows + 1) * sizeof *t->flows + CACHE_LINE);
	if (t->flows_mem)
		t->flows = (struct flow *)(((uintptr_t)t->flows_mem + CACHE_LINE - 1) & ~(uintptr_t)(CACHE_LINE - 1));
	t->state_link = calloc((size_t)c.max_flows + 1, sizeof *t->state_link);
	t->free_streams = calloc(c.max_streams, sizeof *t->free_streams);
	if (!t->flows || !t->state_link || !t->free_streams || ixpool_init(&t->pool, c.max_flows) != 0 ||
	    ixhash_init(&t->by_key, c.max_flows + 1, c.max_flows) != 0)
		goto fail;
	t->timeout_us[LRU_OTHER] = (uint64_t)c.udp_timeout_s * 1000000u;
	t->timeout_us[LRU_TCP] = (uint64_t)c.tcp_timeout_s * 1000000u;
	t->timeout_us[LRU_TCP_CLOSED] = (uint64_t)TCP_CLOSED_TIMEOUT_S * 1000000u;
	t->max_streams = c.max_streams;
	t->stream_cap = c.stream_cap_bytes;
	t->budget.limit = c.reasm_budget_bytes;
	t->state_limit = c.state_budget_bytes;
	t->stats = stats;
	t->on_end = on_end;
	t->ud = ud;
	return t;

fail:
	free(t->flows_mem);
	free(t->state_link);
	free(t->free_streams);
	ixpool_fini(&t->pool);
	ixhash_fini(&t->by_key);
	free(t);
	return NULL;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	flow_table_end_all(t);
	/* Every stream made is back on the free stack once all flows have ended. */
	for (unsigned i = 0; i < t->nfree_streams; i++)
		tcp_stream_free(t->free_streams[i]);
	free(t->free_streams);
	free(t->flows_mem);
	free(t->state_link);
	ixpool_fini(&t->pool);
	ixhash_fini(&t->by_key);
	free(t);
}

/* ---- the per-packet path ---- */

static void end_flow(struct flow_table *t, uint32_t i);

/*
 * Table full: ends the flow idle longest (the oldest head of the three lists) when
 * its last packet is older than now_us, and returns its node; IX_NIL otherwise.
 */
static uint32_t evict_oldest(struct flow_table *t, uint64_t now_us)
{
	uint32_t best = IX_NIL;
	for (unsigned l = 0; l < LRU__COUNT; l++) {
		uint32_t i = ixpool_oldest(&t->pool, l);
		if (i != IX_NIL && (best == IX_NIL || t->flows[i].last_ts_us < t->flows[best].last_ts_us))
			best = i;
	}
	if (best == IX_NIL || t->flows[best].last_ts_us >= now_us)
		return IX_NIL;
	stats_anomaly(t->stats, ANOM_FLOW_EVICTED);
	end_flow(t, best); /* gives the node back to the pool */
	return ixpool_alloc(&t->pool);
}

/*
 * A SYN (without ACK) on the 5-tuple of a TCP connection that has closed (RST, or FIN
 * both ways) opens a new connection (RFC 9293 3.6: TIME-WAIT accepts a new SYN): a new
 * flow, so a client that reuses its port (a SIP phone re-registering over TCP) is
 * parsed afresh instead of as the tail of the old stream.
 */
static bool reopens(const struct flow *f, const struct packet *pkt)
{
	return f->key.proto == IPPROTO_TCP_ && (f->rst || (f->closed[0] && f->closed[1])) &&
	       (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

struct flow *flow_table_packet(struct flow_table *t, const struct packet *pkt, int *dir,
			       bool *created)
{
	uint32_t h = hash_packet(pkt);
	uint32_t i;
	int d = 0;
	struct flow *f = NULL;

	*created = false;
	/*
	 * The bucket's chain is walked comparing flow keys, without first comparing the
	 * hashes the index keeps: the key is read anyway, and the hashes live in an array
	 * of their own, one more cache miss per packet in a table of a million flows (the
	 * lookup was a fifth of workload B's CPU). A flow of another hash cannot have this
	 * packet's key, so the flow found is the one a walk by hash finds.
	 */
	for (i = ixhash_chain_head(&t->by_key, h); i != IX_NIL; i = ixhash_chain_next(&t->by_key, i)) {
		if (key_matches(&t->flows[i].key, pkt, &d)) {
			f = &t->flows[i];
			break;
		}
	}
	if (f && reopens(f, pkt)) {
		end_flow(t, i); /* its dissectors see its end before the new connection begins */
		f = NULL;
	}

	if (!f) {
		i = ixpool_alloc(&t->pool);
		if (i == IX_NIL && (i = evict_oldest(t, pkt->ts_us)) == IX_NIL) {
			stats_anomaly(t->stats, ANOM_FLOW_TABLE_FULL);
			return NULL;
		}
		f = &t->flows[i];
		/* A returned flow was zeroed when it ended; a fresh one is calloc'd. */
		ixhash_insert(&t->by_key, i, h);
		f->key.addr[0] = pkt->src;
		f->key.addr[1] = pkt->dst;
		f->key.port[0] = pkt->sport;
		f->key.port[1] = pkt->dport;
		f->key.proto = pkt->ip_proto;
		f->key.tunnel = pkt->tunnel_key;
		f->tunnel = pkt->tunnel;
		f->first_ts_us = f->last_ts_us = pkt->ts_us;
		f->first_frame = pkt->frame_no;
		f->capture_index = pkt->capture_index;
		f->dissector = FLOW_UNDECIDED;
		ixpool_touch(&t->pool, i, lru_list_of(f));
		t->count++;
		if (t->stats)
			t->stats->flows++;
		*created = true;
		d = 0;
	}

	f->packets[d]++;
	f->bytes[d] += pkt->ip_len; /* the IP packet's bytes: the same on any link, in any tunnel */
	/* Captures merged from several files may step back in time; keep the latest. */
	if (pkt->ts_us > f->last_ts_us)
		f->last_ts_us = pkt->ts_us;
	if (f->key.proto == IPPROTO_TCP_ && (pkt->tcp_flags & (TCP_FIN | TCP_RST))) {
		f->closed[d] = true;
		if (pkt->tcp_flags & TCP_RST)
			f->rst = true;
	}
	/* Most recent at the tail of its list (which may change once the TCP side closes). */
	ixpool_touch(&t->pool, i, lru_list_of(f));
	if (f->state_bytes && t->state_lru.tail != i) {
		ix_list_unlink(t->state_link, &t->state_lru, i);
		ix_list_append(t->state_link, &t->state_lru, i);
	}
	*dir = d;
	return f;
}

/*
 * The reassembly budget is running high: frees pooled streams, then sheds the held
 * bytes of streams that wait on a gap or hold a large buffer, visiting a bounded
 * number of nodes from where the last relief stopped, until use is under 3/4 of the
 * limit. keep (the flow asking) is left alone.
 */
static void relieve(struct flow_table *t, const struct flow *keep)
{
	size_t low = t->budget.limit - t->budget.limit / 4;
	while (t->nfree_streams && t->budget.used > low) {
		tcp_stream_free(t->free_streams[--t->nfree_streams]);
		t->made_streams--;
	}
	uint32_t reached = ixpool_reached(&t->pool);
	for (unsigned v = 0; v < RELIEVE_VISITS && t->budget.used > low && reached; v++) {
		if (t->shed_hand >= reached)
			t->shed_hand = 0;
		uint32_t i = 1 + t->shed_hand++;
		struct flow *f = &t->flows[i];
		if (ixpool_list_of(&t->pool, i) < 0 || f == keep)
			continue;
		for (int d = 0; d < 2; d++) {
			struct tcp_stream *s = f->stream[d];
			if (s && (tcp_stream_has_gap(s) || tcp_stream_buffer_size(s) >= SHED_MIN_BUFFER))
				tcp_stream_shed(s);
		}
	}
}

struct tcp_stream *flow_stream(struct flow_table *t, struct flow *f, int dir)
{
	dir = dir ? 1 : 0;
	/* Checked on every request, not only new streams: a stream's next segment may
	 * need the room that waiting streams hold. */
	if (t->budget.limit && t->budget.used > t->budget.limit - t->budget.limit / 8)
		relieve(t, f);
	if (f->stream[dir])
		return f->stream[dir];
	struct tcp_stream *s = NULL;
	bool over_budget = false;
	if (t->nfree_streams) {
		s = t->free_streams[--t->nfree_streams];
	} else if (t->made_streams < t->max_streams) {
		/* Stream structs are made on first need, up to max_streams, then recycled:
		 * a run with few TCP flows does not pay for the whole pool. */
		s = tcp_stream_new_charged(t->stream_cap, t->stats, &t->budget);
		if (s)
			t->made_streams++;
		else
			over_budget = true;
	}
	if (!s) {
		/* Counted for every packet that finds no stream, as each one is lost. */
		stats_anomaly(t->stats, over_budget ? ANOM_TCP_MEMORY_CAP : ANOM_TCP_BUFFER_FULL);
		return NULL;
	}
	f->stream[dir] = s;
	return s;
}

void flow_stream_release(struct flow_table *t, struct flow *f, int dir)
{
	dir = dir ? 1 : 0;
	if (!f->stream[dir])
		return;
	tcp_stream_reset(f->stream[dir]);
	t->free_streams[t->nfree_streams++] = f->stream[dir];
	f->stream[dir] = NULL;
}

/* ---- ending flows ---- */

static void end_flow(struct flow_table *t, uint32_t i)
{
	struct flow *f = &t->flows[i];
	ixpool_unlist(&t->pool, i);
	ixhash_remove(&t->by_key, i);
	t->count--;
	/* on_end sees the flow whole, streams included, for a last parse. */
	if (t->on_end)
		t->on_end(f, t->ud);
	for (int d = 0; d < 2; d++) {
		if (f->stream[d]) {
			tcp_stream_reset(f->stream[d]);
			t->free_streams[t->nfree_streams++] = f->stream[d];
		}
	}
	if (f->state_bytes) {
		t->state_used -= f->state_bytes; /* on_end has freed the state itself */
		ix_list_unlink(t->state_link, &t->state_lru, i);
	}
	memset(f, 0, sizeof *f);
	ixpool_free(&t->pool, i);
}

bool flow_table_state_reserve(struct flow_table *t, struct flow *f, size_t bytes, uint64_t now_us)
{
	bytes += STATE_MALLOC_OVERHEAD;
	if (bytes > t->state_limit || bytes > UINT32_MAX - f->state_bytes)
		return false;
	while (t->state_used + bytes > t->state_limit) {
		/* The longest-idle flow holding state: the head of the state list (or the one
		 * after it, when the head is f itself). */
		uint32_t i = t->state_lru.head;
		if (i != IX_NIL && &t->flows[i] == f)
			i = t->state_link[i].next;
		if (i == IX_NIL || t->flows[i].last_ts_us >= now_us)
			return false;
		stats_anomaly(t->stats, ANOM_FLOW_EVICTED);
		end_flow(t, i);
	}
	uint32_t idx = (uint32_t)(f - t->flows);
	if (!f->state_bytes)
		ix_list_append(t->state_link, &t->state_lru, idx);
	t->state_used += bytes;
	if (t->state_used > t->state_peak)
		t->state_peak = t->state_used;
	f->state_bytes += (uint32_t)bytes;
	return true;
}

/*
 * Ends flows oldest first across the three lists: those idle past their timeout at
 * now_us, or every flow when all is set.
 */
static void end_due(struct flow_table *t, uint64_t now_us, bool all)
{
	for (;;) {
		uint32_t best = IX_NIL;
		for (unsigned l = 0; l < LRU__COUNT; l++) {
			uint32_t i = ixpool_oldest(&t->pool, l);
			if (i == IX_NIL)
				continue;
			uint64_t last = t->flows[i].last_ts_us;
			if (!all && (now_us <= last || now_us - last <= t->timeout_us[l]))
				continue;
			if (best == IX_NIL || last < t->flows[best].last_ts_us)
				best = i;
		}
		if (best == IX_NIL)
			return;
		end_flow(t, best);
	}
}

void flow_table_expire(struct flow_table *t, uint64_t now_us)
{
	if (t)
		end_due(t, now_us, false);
}

void flow_table_end_all(struct flow_table *t)
{
	if (t)
		end_due(t, 0, true);
}

unsigned flow_table_count(const struct flow_table *t)
{
	return t ? t->count : 0;
}
