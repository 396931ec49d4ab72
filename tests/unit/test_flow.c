/* test_flow.c — the flow table: direction, keys, caps, expiry, streams, hashing. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow/flow.h"

static struct packet mkpkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			   uint8_t proto, uint64_t ts_us)
{
	struct packet p;
	memset(&p, 0, sizeof p);
	addr_parse(src, &p.src);
	addr_parse(dst, &p.dst);
	p.sport = sport;
	p.dport = dport;
	p.ip_proto = proto;
	p.ts_us = ts_us;
	p.wirelen = 114;
	p.ip_len = 100; /* a flow counts the IP packet's bytes, not the frame's */
	p.frame_no = ts_us / 1000000u + 1;
	return p;
}

static struct packet reversed(const struct packet *p)
{
	struct packet r = *p;
	r.src = p->dst;
	r.dst = p->src;
	r.sport = p->dport;
	r.dport = p->sport;
	return r;
}

struct ended {
	struct flow *last;
	struct flow_key key;
	uint64_t packets0, packets1;
	int n;
};

static void on_end(struct flow *f, void *ud)
{
	struct ended *e = ud;
	e->last = f;
	e->key = f->key;
	e->packets0 = f->packets[0];
	e->packets1 = f->packets[1];
	e->n++;
}

static const uint64_t S = 1000000u; /* one second in microseconds */

static void test_both_directions(void)
{
	struct stats st = {0};
	struct ended e = {0};
	struct flow_table *t = flow_table_new(NULL, &st, on_end, &e);
	CHECK(t != NULL);
	struct packet a = mkpkt("10.0.0.1", 5060, "10.0.0.2", 5080, IPPROTO_UDP_, 1 * S);
	a.frame_no = 7;
	a.capture_index = 2;
	struct packet b = reversed(&a);
	b.ts_us = 2 * S;
	b.wirelen = 314;
	b.ip_len = 300;
	int dir = -1;
	bool created = false;
	struct flow *f1 = flow_table_packet(t, &a, &dir, &created);
	CHECK(f1 != NULL);
	CHECK_EQ_INT(dir, 0);
	CHECK(created);
	struct flow *f2 = flow_table_packet(t, &b, &dir, &created);
	CHECK(f2 == f1);
	CHECK_EQ_INT(dir, 1);
	CHECK(!created);
	struct flow *f3 = flow_table_packet(t, &a, &dir, &created);
	CHECK(f3 == f1);
	CHECK_EQ_INT(dir, 0);

	char buf[ADDR_STRLEN];
	CHECK_EQ_STR(addr_format(&f1->key.addr[0], buf, sizeof buf), "10.0.0.1");
	CHECK_EQ_INT(f1->key.port[0], 5060);
	CHECK_EQ_INT(f1->key.port[1], 5080);
	CHECK_EQ_INT(f1->packets[0], 2);
	CHECK_EQ_INT(f1->packets[1], 1);
	CHECK_EQ_INT(f1->bytes[0], 200);
	CHECK_EQ_INT(f1->bytes[1], 300);
	CHECK_EQ_INT(f1->first_ts_us, 1 * S);
	CHECK_EQ_INT(f1->last_ts_us, 2 * S);
	CHECK_EQ_INT(f1->first_frame, 7);
	CHECK_EQ_INT(f1->capture_index, 2);
	CHECK_EQ_INT(f1->dissector, FLOW_UNDECIDED);
	CHECK(f1->proto_state == NULL && f1->user == NULL);
	CHECK(f1->stream[0] == NULL && f1->stream[1] == NULL);
	CHECK_EQ_INT(st.flows, 1);
	CHECK_EQ_INT(flow_table_count(t), 1);

	/* Same addresses, other protocol: another flow. */
	struct packet tcp = a;
	tcp.ip_proto = IPPROTO_TCP_;
	struct flow *f4 = flow_table_packet(t, &tcp, &dir, &created);
	CHECK(f4 != NULL && f4 != f1);
	CHECK(created);
	/* IPv6 both ways. */
	struct packet v6 = mkpkt("2001:db8::1", 443, "2001:db8::2", 50000, IPPROTO_TCP_, 3 * S);
	struct packet v6r = reversed(&v6);
	struct flow *f5 = flow_table_packet(t, &v6, &dir, &created);
	CHECK(flow_table_packet(t, &v6r, &dir, &created) == f5);
	CHECK_EQ_INT(dir, 1);
	CHECK_EQ_INT(st.flows, 3);

	flow_table_free(t);
	CHECK_EQ_INT(e.n, 3);
}

/* Another tunnel (packet.h tunnel_key: a VLAN, a VNI, a mirror) is another flow. */
static void test_tunnel_separates(void)
{
	struct stats st = {0};
	struct flow_table *t = flow_table_new(NULL, &st, NULL, NULL);
	struct packet a = mkpkt("10.0.0.1", 1000, "10.0.0.2", 2000, IPPROTO_UDP_, S);
	struct packet b = a;
	b.tunnel_key = 100;
	b.tunnel.n = 1;
	b.tunnel.kind[0] = TUNNEL_VLAN;
	b.tunnel.id[0] = 100;
	int dir;
	bool created;
	struct flow *fa = flow_table_packet(t, &a, &dir, &created);
	struct flow *fb = flow_table_packet(t, &b, &dir, &created);
	CHECK(fa && fb && fa != fb);
	CHECK(created);
	CHECK_EQ_INT(fb->key.tunnel, 100);
	CHECK_EQ_INT(fb->tunnel.n, 1); /* the path the flow's records will name */
	CHECK_EQ_INT(fb->tunnel.id[0], 100);
	CHECK_EQ_INT(fa->tunnel.n, 0);
	struct packet br = reversed(&b);
	CHECK(flow_table_packet(t, &br, &dir, &created) == fb);
	CHECK_EQ_INT(dir, 1);
	CHECK_EQ_INT(flow_table_count(t), 2);
	flow_table_free(t);
}

static void test_table_full(void)
{
	struct stats st = {0};
	struct flow_config cfg = {.max_flows = 4};
	struct flow_table *t = flow_table_new(&cfg, &st, NULL, NULL);
	int dir;
	bool created;
	for (int i = 0; i < 4; i++) {
		struct packet p = mkpkt("10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 53, IPPROTO_UDP_, S);
		CHECK(flow_table_packet(t, &p, &dir, &created) != NULL);
	}
	struct packet p = mkpkt("10.0.0.1", 2000, "10.0.0.2", 53, IPPROTO_UDP_, S);
	CHECK(flow_table_packet(t, &p, &dir, &created) == NULL);
	CHECK(!created);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_TABLE_FULL], 1);
	CHECK_EQ_INT(st.flows, 4);
	/* Existing flows still work when full. */
	struct packet old = mkpkt("10.0.0.2", 53, "10.0.0.1", 1002, IPPROTO_UDP_, 2 * S);
	struct flow *f = flow_table_packet(t, &old, &dir, &created);
	CHECK(f != NULL);
	CHECK_EQ_INT(dir, 1);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_TABLE_FULL], 1);
	flow_table_free(t);
}

/* Table full: a new flow ends the longest-idle one (across UDP and TCP) first. */
static void test_eviction(void)
{
	struct stats st = {0};
	struct ended e = {0};
	struct flow_config cfg = {.max_flows = 3};
	struct flow_table *t = flow_table_new(&cfg, &st, on_end, &e);
	int dir;
	bool created;
	struct packet a = mkpkt("10.0.0.1", 1000, "10.0.0.2", 53, IPPROTO_UDP_, 3 * S);
	struct packet b = mkpkt("10.0.0.3", 40000, "10.0.0.4", 5060, IPPROTO_TCP_, 2 * S);
	struct packet c = mkpkt("10.0.0.5", 1001, "10.0.0.2", 53, IPPROTO_UDP_, 4 * S);
	struct flow *fa = flow_table_packet(t, &a, &dir, &created);
	struct flow *fb = flow_table_packet(t, &b, &dir, &created);
	struct flow *fc = flow_table_packet(t, &c, &dir, &created);
	CHECK(fa && fb && fc);
	struct packet n = mkpkt("10.9.9.9", 7, "10.0.0.2", 53, IPPROTO_UDP_, 5 * S);
	struct flow *fn = flow_table_packet(t, &n, &dir, &created);
	CHECK(fn == fb && created); /* the TCP flow was idle longest: its slot is reused */
	CHECK_EQ_INT(e.n, 1);
	CHECK_EQ_INT(e.key.port[0], 40000);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_EVICTED], 1);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_TABLE_FULL], 0);
	CHECK_EQ_INT(flow_table_count(t), 3);
	/* The evicted flow's next packet is a new flow (evicting a, now the oldest). */
	b.ts_us = 6 * S;
	CHECK(flow_table_packet(t, &b, &dir, &created) == fa && created);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_EVICTED], 2);
	/* The others still find their flows. */
	struct packet cr = reversed(&c);
	cr.ts_us = 6 * S;
	CHECK(flow_table_packet(t, &cr, &dir, &created) == fc && dir == 1 && !created);
	flow_table_free(t);
	CHECK_EQ_INT(e.n, 5);
}

static void test_idle_expiry(void)
{
	struct stats st = {0};
	struct ended e = {0};
	struct flow_config cfg = {.max_flows = 2};
	struct flow_table *t = flow_table_new(&cfg, &st, on_end, &e);
	int dir;
	bool created;
	struct packet u = mkpkt("10.0.0.1", 1000, "10.0.0.2", 53, IPPROTO_UDP_, 10 * S);
	struct packet tc = mkpkt("10.0.0.3", 40000, "10.0.0.4", 5060, IPPROTO_TCP_, 5 * S);
	struct flow *fu = flow_table_packet(t, &u, &dir, &created);
	struct flow *ft = flow_table_packet(t, &tc, &dir, &created);
	CHECK(fu && ft);

	/* The UDP flow is newer but its timeout is shorter: it goes first. */
	flow_table_expire(t, 10 * S + 120 * S);
	CHECK_EQ_INT(e.n, 0);
	flow_table_expire(t, 10 * S + 121 * S);
	CHECK_EQ_INT(e.n, 1);
	CHECK(e.last == fu);
	CHECK_EQ_INT(e.key.port[0], 1000);
	CHECK_EQ_INT(e.packets0, 1);
	CHECK_EQ_INT(flow_table_count(t), 1);

	/* The table was full; the freed slot takes a new flow. */
	struct packet n = mkpkt("10.0.0.5", 1, "10.0.0.6", 2, IPPROTO_UDP_, 200 * S);
	struct flow *fn = flow_table_packet(t, &n, &dir, &created);
	CHECK(fn != NULL && created);
	CHECK(fn == fu); /* the same slot, reset */
	CHECK_EQ_INT(fn->packets[0], 1);
	CHECK_EQ_INT(fn->packets[1], 0);
	CHECK_EQ_INT(fn->key.port[0], 1);
	CHECK_EQ_INT(fn->first_ts_us, 200 * S);
	CHECK_EQ_INT(fn->dissector, FLOW_UNDECIDED);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_TABLE_FULL], 0);
	/* The old key is gone: its packet would start a new flow (table full now). At a
	 * time no later than every flow's last packet, nothing may be evicted: dropped. */
	u.ts_us = 5 * S;
	CHECK(flow_table_packet(t, &u, &dir, &created) == NULL);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_TABLE_FULL], 1);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_EVICTED], 0);

	/* A packet keeps a flow alive: it moves to the tail with the new time. */
	n.ts_us = 300 * S;
	flow_table_packet(t, &n, &dir, &created);
	flow_table_expire(t, 400 * S);
	CHECK_EQ_INT(e.n, 1);
	flow_table_expire(t, 421 * S);
	CHECK_EQ_INT(e.n, 2);
	CHECK(e.last == fn);
	CHECK_EQ_INT(e.packets0, 2);

	/* TCP: still alive at 600 s idle, gone after. */
	flow_table_expire(t, 5 * S + 600 * S);
	CHECK_EQ_INT(e.n, 2);
	flow_table_expire(t, 5 * S + 601 * S);
	CHECK_EQ_INT(e.n, 3);
	CHECK(e.last == ft);
	CHECK_EQ_INT(flow_table_count(t), 0);
	flow_table_free(t);
	CHECK_EQ_INT(e.n, 3);
}

static void test_tcp_close_timeout(void)
{
	struct stats st = {0};
	struct ended e = {0};
	struct flow_table *t = flow_table_new(NULL, &st, on_end, &e);
	int dir;
	bool created;
	struct packet a = mkpkt("10.0.0.1", 40000, "10.0.0.2", 5060, IPPROTO_TCP_, 100 * S);
	a.tcp_flags = TCP_FIN | TCP_ACK;
	struct flow *f = flow_table_packet(t, &a, &dir, &created);
	CHECK(f->closed[0] && !f->closed[1]);
	flow_table_expire(t, 200 * S); /* half closed: still the 600 s timeout */
	CHECK_EQ_INT(e.n, 0);
	struct packet b = reversed(&a);
	b.ts_us = 101 * S;
	flow_table_packet(t, &b, &dir, &created);
	CHECK(f->closed[0] && f->closed[1]);
	flow_table_expire(t, 131 * S);
	CHECK_EQ_INT(e.n, 0);
	flow_table_expire(t, 132 * S);
	CHECK_EQ_INT(e.n, 1);

	/* One RST is enough. */
	struct packet r = mkpkt("10.0.0.7", 40001, "10.0.0.8", 80, IPPROTO_TCP_, 200 * S);
	flow_table_packet(t, &r, &dir, &created);
	r.tcp_flags = TCP_RST;
	r.ts_us = 201 * S;
	flow_table_packet(t, &r, &dir, &created);
	flow_table_expire(t, 232 * S);
	CHECK_EQ_INT(e.n, 2);
	flow_table_free(t);
}

static void test_end_all(void)
{
	struct stats st = {0};
	struct ended e = {0};
	struct flow_table *t = flow_table_new(NULL, &st, on_end, &e);
	int dir;
	bool created;
	for (int i = 0; i < 100; i++) {
		struct packet p = mkpkt("10.1.0.1", (uint16_t)(2000 + i), "10.1.0.2", 5060,
					i % 2 ? IPPROTO_TCP_ : IPPROTO_UDP_, (uint64_t)i * S);
		flow_table_packet(t, &p, &dir, &created);
	}
	CHECK_EQ_INT(flow_table_count(t), 100);
	flow_table_end_all(t);
	CHECK_EQ_INT(e.n, 100);
	CHECK_EQ_INT(e.key.port[0], 2099); /* oldest first across lists: the newest last */
	CHECK_EQ_INT(flow_table_count(t), 0);
	flow_table_end_all(t);
	CHECK_EQ_INT(e.n, 100);
	/* The table is usable again. */
	struct packet p = mkpkt("10.1.0.1", 2000, "10.1.0.2", 5060, IPPROTO_UDP_, 500 * S);
	CHECK(flow_table_packet(t, &p, &dir, &created) != NULL && created);
	flow_table_free(t);
	CHECK_EQ_INT(e.n, 101);
	flow_table_free(NULL);
}

static void test_streams(void)
{
	struct stats st = {0};
	struct flow_config cfg = {.max_streams = 2, .stream_cap_bytes = 1024};
	struct flow_table *t = flow_table_new(&cfg, &st, NULL, NULL);
	int dir;
	bool created;
	struct packet a = mkpkt("10.0.0.1", 40000, "10.0.0.2", 5060, IPPROTO_TCP_, S);
	struct packet b = mkpkt("10.0.0.3", 40000, "10.0.0.2", 5060, IPPROTO_TCP_, 2 * S);
	struct flow *fa = flow_table_packet(t, &a, &dir, &created);
	struct flow *fb = flow_table_packet(t, &b, &dir, &created);
	struct tcp_stream *s0 = flow_stream(t, fa, 0);
	struct tcp_stream *s1 = flow_stream(t, fa, 1);
	CHECK(s0 && s1 && s0 != s1);
	CHECK(flow_stream(t, fa, 0) == s0);
	CHECK(fa->stream[0] == s0 && fa->stream[1] == s1);
	CHECK(flow_stream(t, fb, 0) == NULL);
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_BUFFER_FULL], 1);
	tcp_stream_add(s0, 1, false, (const uint8_t *)"hello", 5);
	size_t len;
	tcp_stream_data(s0, &len);
	CHECK_EQ_INT(len, 5);
	/* Ending fa returns both streams, reset, to the pool. */
	flow_table_expire(t, 1 * S + 601 * S);
	CHECK_EQ_INT(flow_table_count(t), 1);
	struct tcp_stream *r = flow_stream(t, fb, 1);
	CHECK(r == s0 || r == s1);
	tcp_stream_data(r, &len);
	CHECK_EQ_INT(len, 0);
	CHECK(!tcp_stream_has_gap(r));
	flow_table_free(t);
}

/*
 * The reassembly budget: streams that hold one byte far past a gap each grow a buffer
 * to the per-stream cap; together they never pass the budget, and a new stream that
 * reads in order still gets room (waiting streams are shed for it).
 */
static void test_stream_budget(void)
{
	struct stats st = {0};
	struct flow_config cfg = {.stream_cap_bytes = 16384, .reasm_budget_bytes = 256 * 1024};
	struct flow_table *t = flow_table_new(&cfg, &st, NULL, NULL);
	int dir;
	bool created;
	size_t peak = 0;
	for (int i = 0; i < 200; i++) {
		struct packet p = mkpkt("10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 5060, IPPROTO_TCP_, S + (uint64_t)i);
		struct flow *f = flow_table_packet(t, &p, &dir, &created);
		CHECK(f != NULL);
		struct tcp_stream *s = flow_stream(t, f, 0);
		if (!s)
			continue;
		tcp_stream_add(s, 100, true, NULL, 0);
		tcp_stream_add(s, 100 + 1 + 16000, false, (const uint8_t *)"x", 1); /* gap */
		if (flow_table_stream_bytes(t) > peak)
			peak = flow_table_stream_bytes(t);
	}
	CHECK(peak <= cfg.reasm_budget_bytes);
	CHECK(peak > cfg.reasm_budget_bytes / 2);
	CHECK(st.anomalies[ANOM_TCP_MEMORY_CAP] > 0);
	/* A well-behaved stream now: its data all arrives, in order. */
	struct packet p = mkpkt("10.0.0.9", 5000, "10.0.0.2", 5060, IPPROTO_TCP_, 2 * S);
	struct flow *f = flow_table_packet(t, &p, &dir, &created);
	struct tcp_stream *s = f ? flow_stream(t, f, 0) : NULL;
	CHECK(s != NULL);
	uint8_t msg[3000];
	memset(msg, 'a', sizeof msg);
	tcp_stream_add(s, 1, true, NULL, 0);
	CHECK_EQ_INT(tcp_stream_add(s, 2, false, msg, sizeof msg), sizeof msg);
	size_t len;
	tcp_stream_data(s, &len);
	CHECK_EQ_INT(len, sizeof msg);
	CHECK(flow_table_stream_bytes(t) <= cfg.reasm_budget_bytes);
	flow_table_free(t);
}

/* The state budget: reserving past it ends the longest-idle flow holding state. */
static void test_state_budget(void)
{
	struct stats st = {0};
	struct ended e = {0};
	struct flow_config cfg = {.state_budget_bytes = 3 * (1000 + 16)};
	struct flow_table *t = flow_table_new(&cfg, &st, on_end, &e);
	int dir;
	bool created;
	struct flow *f[5];
	for (int i = 0; i < 5; i++) {
		struct packet p = mkpkt("10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 2775, IPPROTO_TCP_, S + (uint64_t)i);
		f[i] = flow_table_packet(t, &p, &dir, &created);
		CHECK(f[i] != NULL);
	}
	CHECK(flow_table_state_reserve(t, f[0], 1000, S + 10));
	CHECK(flow_table_state_reserve(t, f[1], 1000, S + 10));
	CHECK(flow_table_state_reserve(t, f[2], 1000, S + 10));
	CHECK_EQ_INT(flow_table_state_bytes(t), 3 * 1016);
	CHECK_EQ_INT(e.n, 0);
	/* Full: f[3] gets room by ending f[0], the longest idle holding state. */
	CHECK(flow_table_state_reserve(t, f[3], 1000, S + 10));
	CHECK_EQ_INT(e.n, 1);
	CHECK_EQ_INT(e.key.port[0], 1000);
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_EVICTED], 1);
	CHECK_EQ_INT(flow_table_state_bytes(t), 3 * 1016);
	/* Flows that saw a packet at this time are never ended for it: refused. */
	CHECK(!flow_table_state_reserve(t, f[4], 1000, S + 1));
	CHECK_EQ_INT(e.n, 1);
	/* More than the whole budget: refused outright. */
	CHECK(!flow_table_state_reserve(t, f[4], 5000, S + 10));
	flow_table_free(t);
	CHECK_EQ_INT(e.n, 5);
}

static void test_hash_symmetric(void)
{
	const char *addrs[][2] = {
		{"10.0.0.1", "10.0.0.2"},
		{"192.168.1.200", "8.8.8.8"},
		{"2001:db8::1", "2001:db8:ffff::2"},
		{"::1", "fe80::1"},
	};
	for (unsigned i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		for (uint16_t port = 1; port < 60000; port += 997) {
			struct packet p = mkpkt(addrs[i][0], port, addrs[i][1], 5060, IPPROTO_TCP_, 0);
			p.tunnel_key = (uint32_t)port * 2654435761u;
			struct packet r = reversed(&p);
			CHECK_EQ_INT(flow_hash_packet(&p), flow_hash_packet(&r));
		}
	}
	/* Different flows should not collide much: count distinct values in a small set. */
	uint32_t seen[256];
	int distinct = 0;
	for (int i = 0; i < 256; i++) {
		struct packet p = mkpkt("10.0.0.1", (uint16_t)(1024 + i), "10.0.0.2", 53, IPPROTO_UDP_, 0);
		uint32_t h = flow_hash_packet(&p);
		bool dup = false;
		for (int j = 0; j < distinct; j++)
			dup |= seen[j] == h;
		if (!dup)
			seen[distinct++] = h;
	}
	CHECK(distinct >= 250);
	/* the tunnel and the protocol are part of it */
	struct packet p = mkpkt("10.0.0.1", 1, "10.0.0.2", 2, IPPROTO_UDP_, 0);
	struct packet q = p;
	q.tunnel_key = 7;
	CHECK(flow_hash_packet(&p) != flow_hash_packet(&q));
	q = p;
	q.ip_proto = IPPROTO_TCP_;
	CHECK(flow_hash_packet(&p) != flow_hash_packet(&q));
}

/* Many flows through a small table: chains, free list and LRU stay consistent. */
static void test_churn(void)
{
	struct stats st = {0};
	struct ended e = {0};
	struct flow_config cfg = {.max_flows = 1000, .udp_timeout_s = 1};
	struct flow_table *t = flow_table_new(&cfg, &st, on_end, &e);
	int dir;
	bool created;
	uint64_t now = S;
	for (int i = 0; i < 50000; i++) {
		now += 5000; /* 5 ms per flow: about 200 alive at once */
		char src[32];
		snprintf(src, sizeof src, "10.%d.%d.1", (i / 250) % 256, i % 250);
		struct packet p = mkpkt(src, (uint16_t)i, "10.0.0.2", 53, IPPROTO_UDP_, now);
		struct flow *f = flow_table_packet(t, &p, &dir, &created);
		CHECK(f != NULL && created);
		struct packet r = reversed(&p);
		CHECK(flow_table_packet(t, &r, &dir, &created) == f && dir == 1);
		if (i % 200 == 0)
			flow_table_expire(t, now);
	}
	CHECK_EQ_INT(st.anomalies[ANOM_FLOW_TABLE_FULL], 0);
	CHECK(flow_table_count(t) <= 1000);
	flow_table_free(t);
	CHECK_EQ_INT(e.n, 50000);
	CHECK_EQ_INT(st.flows, 50000);
}

int main(void)
{
	test_both_directions();
	test_tunnel_separates();
	test_table_full();
	test_eviction();
	test_stream_budget();
	test_state_budget();
	test_idle_expiry();
	test_tcp_close_timeout();
	test_end_all();
	test_streams();
	test_hash_symmetric();
	test_churn();
	return check_done("test_flow");
}
