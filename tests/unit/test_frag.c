/*
 * test_frag.c — IP fragment reassembly through decode_frame: IPv4 in order, out of
 * order, overlapping, duplicated, expired, pool and budget exhaustion, the 65535-byte
 * limit; IPv6 fragment headers; and a real capture with fragmented GTP-U
 * (data/gtp__zeek__gtp1_gn_normal_incl_fragmentation.pcap: tshark reassembles 36
 * datagrams from it, and four first fragments never see their second).
 */
#include "decode/decode.h"

#include <pcap/pcap.h>
#include <string.h>

#include "check.h"
#include "core/stats.h"
#include "decode/decode_internal.h"

enum { DGRAM_MAX = 70000 };

static const uint8_t SRC4[4] = { 10, 1, 1, 1 };
static const uint8_t DST4[4] = { 10, 2, 2, 2 };
static const uint8_t SRC6[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t DST6[16] = { 0xfe, 0x80, [15] = 2 };

static struct stats st;

/* The UDP datagram every test fragments: 8-byte header then data[i] = i * 7 + seed. */
static size_t make_udp(uint8_t *b, size_t data_len, unsigned seed)
{
	size_t n = 8 + data_len;
	b[0] = 0x13;
	b[1] = 0xc4; /* 5060 */
	b[2] = 0x08;
	b[3] = 0x68; /* 2152 */
	b[4] = (uint8_t)(n >> 8);
	b[5] = (uint8_t)n;
	b[6] = b[7] = 0;
	for (size_t i = 0; i < data_len; i++)
		b[8 + i] = (uint8_t)(i * 7 + seed);
	return n;
}

/* An IPv4 fragment of `l4` (bytes [off, off+len)) as a raw-IP frame. */
static size_t v4_frag(uint8_t *f, unsigned id, const uint8_t *l4, size_t off, size_t len,
		      int more)
{
	size_t total = 20 + len;
	f[0] = 0x45;
	f[1] = 0;
	f[2] = (uint8_t)(total >> 8);
	f[3] = (uint8_t)total;
	f[4] = (uint8_t)(id >> 8);
	f[5] = (uint8_t)id;
	unsigned fr = (unsigned)(off / 8) | (more ? 0x2000u : 0);
	f[6] = (uint8_t)(fr >> 8);
	f[7] = (uint8_t)fr;
	f[8] = 64;
	f[9] = 17;
	f[10] = f[11] = 0;
	memcpy(f + 12, SRC4, 4);
	memcpy(f + 16, DST4, 4);
	memcpy(f + 20, l4 + off, len);
	return total;
}

/* An IPv6 fragment, with a hop-by-hop header in the unfragmentable part. */
static size_t v6_frag(uint8_t *f, uint32_t id, const uint8_t *l4, size_t off, size_t len,
		      int more)
{
	size_t plen = 8 + 8 + len;
	memset(f, 0, 40);
	f[0] = 0x60;
	f[4] = (uint8_t)(plen >> 8);
	f[5] = (uint8_t)plen;
	f[6] = 0; /* hop-by-hop */
	f[7] = 33;
	memcpy(f + 8, SRC6, 16);
	memcpy(f + 24, DST6, 16);
	uint8_t *h = f + 40;
	memset(h, 0, 8);
	h[0] = 44; /* then the fragment header */
	uint8_t *fh = f + 48;
	fh[0] = 17;
	fh[1] = 0;
	unsigned offm = (unsigned)off | (more ? 1u : 0);
	fh[2] = (uint8_t)(offm >> 8);
	fh[3] = (uint8_t)offm;
	fh[4] = (uint8_t)(id >> 24);
	fh[5] = (uint8_t)(id >> 16);
	fh[6] = (uint8_t)(id >> 8);
	fh[7] = (uint8_t)id;
	memcpy(f + 56, l4 + off, len);
	return 56 + len;
}

static enum decode_result feed(struct decoder *d, const uint8_t *f, size_t n, uint64_t ts,
			       struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->caplen = p->wirelen = (uint32_t)n;
	p->ts_us = ts;
	return decode_frame(d, DLT_RAW, f, p);
}

static uint8_t l4[DGRAM_MAX];
static uint8_t fr[DGRAM_MAX + 100];

/* Checks a completed UDP datagram of data_len bytes made with seed. */
static void check_udp(const struct packet *p, size_t data_len, unsigned seed)
{
	CHECK(p->reassembled);
	CHECK_EQ_INT(p->sport, 5060);
	CHECK_EQ_INT(p->dport, 2152);
	CHECK_EQ_INT(p->payload_len, data_len);
	int same = p->payload != NULL;
	for (size_t i = 0; same && i < data_len; i++)
		same = p->payload[i] == (uint8_t)(i * 7 + seed);
	CHECK(same);
	CHECK(!p->payload_truncated);
}

static void test_v4_in_order(void)
{
	struct decoder *d = decoder_new(NULL, &st);
	struct packet p;
	size_t n = make_udp(l4, 3000, 1); /* 3008 bytes: 1480 + 1480 + 48 */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 0, 1480, 1), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(frag_pending(d->frag), 1);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 1480, 1480, 1), 2, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 2960, n - 2960, 0), 3, &p), DECODE_OK);
	check_udp(&p, 3000, 1);
	CHECK(p.ts_us == 3);
	CHECK_EQ_INT(p.l3_len, 20 + n);
	/* the rebuilt header: total length fixed, MF and offset cleared */
	CHECK_EQ_INT(p.l3[2] << 8 | p.l3[3], 20 + n);
	CHECK_EQ_INT(p.l3[6] & 0x3f, 0);
	CHECK_EQ_INT(p.l3[7], 0);
	char buf[ADDR_STRLEN];
	CHECK_EQ_STR(addr_format(&p.src, buf, sizeof buf), "10.1.1.1");
	CHECK_EQ_INT(frag_pending(d->frag), 0);
	CHECK_EQ_INT(frag_bytes_held(d->frag), 0); /* the budget is given back */
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* the next frame is decoded from the frame again */
	size_t m = make_udp(l4, 4, 9);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 2, l4, 0, m, 0), 4, &p), DECODE_OK);
	CHECK(!p.reassembled);
	CHECK(p.l3 == fr);
	decoder_free(d);
}

static void test_v4_out_of_order_and_duplicate(void)
{
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	struct packet p;
	size_t n = make_udp(l4, 1992, 2); /* 2000 = 800 * 2 + 400 */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 7, l4, 1600, n - 1600, 0), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 7, l4, 800, 800, 1), 2, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 7, l4, 800, 800, 1), 3, &p), DECODE_HELD); /* dup */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 7, l4, 1600, n - 1600, 0), 4, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 7, l4, 0, 800, 1), 5, &p), DECODE_OK);
	check_udp(&p, 1992, 2);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0); /* duplicates are not anomalies */

	/* interleaved datagrams with different ids and different sources stay apart */
	size_t a = make_udp(l4, 1592, 3);
	static uint8_t l4b[2000];
	memcpy(l4b, l4, a);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 8, l4b, 0, 800, 1), 6, &p), DECODE_HELD);
	make_udp(l4, 1592, 4);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 9, l4, 0, 800, 1), 7, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 9, l4, 800, 800, 0), 8, &p), DECODE_OK);
	check_udp(&p, 1592, 4);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 8, l4b, 800, 800, 0), 9, &p), DECODE_OK);
	check_udp(&p, 1592, 3);
	decoder_free(d);
}

static void test_v4_overlap(void)
{
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	struct packet p;
	size_t n = make_udp(l4, 40, 5); /* 48 bytes */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 3, l4, 0, 24, 1), 1, &p), DECODE_HELD);
	/* [16, 48) overlaps [16, 24) with different bytes: the first copy wins */
	static uint8_t evil[64];
	memcpy(evil, l4, n);
	memset(evil + 16, 0xee, 8);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 3, evil, 16, n - 16, 0), 2, &p), DECODE_OK);
	check_udp(&p, 40, 5);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_OVERLAP], 1);

	/* an overlap with the same bytes that also brings new data is still an overlap */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 4, l4, 0, 24, 1), 3, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 4, l4, 16, n - 16, 0), 4, &p), DECODE_OK);
	check_udp(&p, 40, 5);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_OVERLAP], 2);

	/* two different ends: the first one stands */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 5, l4, 16, n - 16, 0), 5, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 5, l4, 16, 16, 0), 6, &p), DECODE_HELD);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_OVERLAP], 3);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 5, l4, 0, 16, 1), 7, &p), DECODE_OK);
	check_udp(&p, 40, 5);
	decoder_free(d);
}

static void test_v4_malformed_pieces(void)
{
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	struct packet p;
	make_udp(l4, 100, 6);
	/* a fragment with more to come must be a multiple of 8 bytes */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 0, 20, 1), 1, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_MALFORMED], 1);
	CHECK_EQ_INT(frag_pending(d->frag), 0);
	/* a fragment cut by the snaplen cannot be reassembled */
	size_t n = v4_frag(fr, 2, l4, 0, 96, 1);
	memset(&p, 0, sizeof p);
	p.caplen = (uint32_t)n - 10;
	p.wirelen = (uint32_t)n;
	CHECK_EQ_INT(decode_frame(d, DLT_RAW, fr, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_TRUNCATED], 1);
	CHECK_EQ_INT(frag_pending(d->frag), 0);
	decoder_free(d);
}

static void test_v4_expire(void)
{
	memset(&st, 0, sizeof st);
	struct decode_config cfg = { .frag_timeout_s = 30 };
	struct decoder *d = decoder_new(&cfg, &st);
	struct packet p;
	make_udp(l4, 100, 7);
	uint64_t t0 = 1700000000000000ull;
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 0, 48, 1), t0, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 2, l4, 0, 48, 1), t0 + 10000000, &p), DECODE_HELD);
	decoder_expire(d, t0 + 30000000); /* exactly the timeout: not yet */
	CHECK_EQ_INT(frag_pending(d->frag), 2);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_TIMEOUT], 0);
	decoder_expire(d, t0 + 30000001);
	CHECK_EQ_INT(frag_pending(d->frag), 1);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_TIMEOUT], 1);
	/* the rest of datagram 1 arrives too late: it starts a new, incomplete one */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 48, 60, 0), t0 + 31000000, &p), DECODE_HELD);
	/* a later fragment's own time expires what is older, with no call to expire */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 3, l4, 0, 48, 1), t0 + 100000000, &p), DECODE_HELD);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_TIMEOUT], 3);
	CHECK_EQ_INT(frag_pending(d->frag), 1);
	decoder_expire(d, UINT64_MAX);
	CHECK_EQ_INT(frag_pending(d->frag), 0);
	CHECK_EQ_INT(frag_bytes_held(d->frag), 0);
	decoder_free(d);
}

static void test_pool_full(void)
{
	memset(&st, 0, sizeof st);
	struct decode_config cfg = { .frag_max_datagrams = 2, .frag_max_bytes = 3072 };
	struct decoder *d = decoder_new(&cfg, &st);
	struct packet p;
	make_udp(l4, 8000, 8);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 0, 8, 1), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 2, l4, 0, 8, 1), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 3, l4, 0, 8, 1), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_POOL_FULL], 1); /* no third slot */
	CHECK_EQ_INT(frag_pending(d->frag), 2);
	/* the byte budget: three 1 KiB blocks, two already taken by the two datagrams */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 1024, 1024, 1), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 2048, 1024, 1), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_POOL_FULL], 2);
	CHECK_EQ_INT(frag_bytes_held(d->frag), 3072);
	decoder_expire(d, UINT64_MAX);
	CHECK_EQ_INT(frag_bytes_held(d->frag), 0);
	/* with everything free again, a datagram that fits completes */
	size_t n = make_udp(l4, 3000, 8);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 4, l4, 0, 1504, 1), 2, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 4, l4, 1504, n - 1504, 0), 2, &p), DECODE_OK);
	check_udp(&p, 3000, 8);
	decoder_free(d);
}

static void test_too_big(void)
{
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	struct packet p;
	/* 44 fragments of 1480 bytes = 65120 so far; the next one ends past 65535 */
	make_udp(l4, 66000, 9);
	enum decode_result r = DECODE_OK;
	for (size_t off = 0; off < 44 * 1480; off += 1480)
		if ((r = feed(d, fr, v4_frag(fr, 1, l4, off, 1480, 1), 1, &p)) != DECODE_HELD)
			break;
	CHECK_EQ_INT(r, DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 1, l4, 44 * 1480, 1480, 0), 1, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_TOO_BIG], 1);
	CHECK_EQ_INT(frag_pending(d->frag), 0); /* the whole datagram is dropped */
	CHECK_EQ_INT(frag_bytes_held(d->frag), 0);
	/* the largest offset the field can say, alone */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 2, l4, 65528, 16, 0), 1, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_TOO_BIG], 2);
	/* exactly 65535 bytes is fine: 20 + 65515 */
	size_t n = make_udp(l4, 65515 - 8, 9);
	for (size_t off = 0; off + 1480 < n; off += 1480)
		r = feed(d, fr, v4_frag(fr, 3, l4, off, 1480, 1), 1, &p);
	CHECK_EQ_INT(r, DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 3, l4, n / 1480 * 1480, n % 1480, 0), 1, &p),
		     DECODE_OK);
	check_udp(&p, 65515 - 8, 9);
	CHECK_EQ_INT(p.l3_len, 65535);
	decoder_free(d);
}

static void test_v6(void)
{
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	struct packet p;
	size_t n = make_udp(l4, 2500, 10); /* 2508 = 1232 * 2 + 44 */
	CHECK_EQ_INT(feed(d, fr, v6_frag(fr, 0xabcdef01, l4, 1232, 1232, 1), 1, &p), DECODE_HELD);
	CHECK_EQ_INT(p.ip_proto, 17);
	CHECK_EQ_INT(feed(d, fr, v6_frag(fr, 0xabcdef01, l4, 2464, n - 2464, 0), 2, &p), DECODE_HELD);
	/* the same id from IPv4 is another datagram */
	CHECK_EQ_INT(feed(d, fr, v4_frag(fr, 0xef01, l4, 0, 1232, 1), 2, &p), DECODE_HELD);
	CHECK_EQ_INT(feed(d, fr, v6_frag(fr, 0xabcdef01, l4, 0, 1232, 1), 3, &p), DECODE_OK);
	check_udp(&p, 2500, 10);
	CHECK_EQ_INT(p.src.family, 6);
	CHECK_EQ_INT(p.ttl, 33);
	CHECK_EQ_INT(p.ip_proto, 17);
	/* rebuilt without extension headers: payload length and next header patched */
	CHECK_EQ_INT(p.l3_len, 40 + n);
	CHECK_EQ_INT(p.l3[4] << 8 | p.l3[5], n);
	CHECK_EQ_INT(p.l3[6], 17);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	CHECK_EQ_INT(frag_pending(d->frag), 1);

	/* past 65535 with the unfragmentable part counted */
	CHECK_EQ_INT(feed(d, fr, v6_frag(fr, 5, l4, 65528, 8, 0), 4, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_TOO_BIG], 1);
	decoder_free(d);
}

/* A tunnel's inner fragments share the decoder's reassembly, and keep outer fields. */
static void test_inner_fragments(void)
{
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	struct packet p;
	static uint8_t f1[2000], f2[2000];
	size_t n = make_udp(l4, 1600, 11);
	size_t n1 = v4_frag(f1, 77, l4, 0, 1000, 1);
	size_t n2 = v4_frag(f2, 77, l4, 1000, n - 1000, 0);
	memset(&p, 0, sizeof p);
	p.tunnelled = true;
	p.tunnel_teid = 99;
	p.frame_no = 5;
	CHECK_EQ_INT(decode_ip(d, f1, n1, &p), DECODE_HELD);
	CHECK_EQ_INT(decode_ip(d, f2, n2, &p), DECODE_OK);
	check_udp(&p, 1600, 11);
	CHECK(p.tunnelled);
	CHECK_EQ_INT(p.tunnel_teid, 99);
	CHECK(p.frame_no == 5);
	decoder_free(d);
}

/*
 * One inner datagram on two tunnel hops (same TEID, other outer addresses), its
 * fragments interleaved, as an "any" capture of a whole core has it: two datagrams.
 * The hops differ in their outer addresses, which the fragment key holds
 * (tunnel.c, tunnel_fragment_key).
 */
static void test_inner_two_hops(void)
{
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	struct packet hop[2];
	static uint8_t f1[2000], f2[2000];
	size_t n = make_udp(l4, 1600, 12);
	size_t n1 = v4_frag(f1, 78, l4, 0, 1000, 1);
	size_t n2 = v4_frag(f2, 78, l4, 1000, n - 1000, 0);
	for (int k = 0; k < 2; k++) {
		memset(&hop[k], 0, sizeof hop[k]);
		hop[k].tunnelled = true;
		hop[k].tunnel_teid = 1;
		addr_parse(k ? "127.0.0.6" : "127.0.0.7", &hop[k].outer_src);
		addr_parse(k ? "127.0.1.1" : "127.0.0.6", &hop[k].outer_dst);
		hop[k].tunnel.n = 1;
		hop[k].tunnel.kind[0] = TUNNEL_GTPU;
		hop[k].tunnel.id[0] = 1;
	}
	CHECK_EQ_INT(decode_ip(d, f1, n1, &hop[0]), DECODE_HELD);
	CHECK_EQ_INT(decode_ip(d, f1, n1, &hop[1]), DECODE_HELD);
	CHECK_EQ_INT(frag_pending(d->frag), 2);
	CHECK_EQ_INT(decode_ip(d, f2, n2, &hop[0]), DECODE_OK);
	check_udp(&hop[0], 1600, 12);
	CHECK_EQ_INT(decode_ip(d, f2, n2, &hop[1]), DECODE_OK);
	check_udp(&hop[1], 1600, 12);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	decoder_free(d);
}

/* The real capture: every fragmented GTP-U datagram comes back whole. */
static void test_pcap(void)
{
	static const char *paths[] = {
		"data/gtp__zeek__gtp1_gn_normal_incl_fragmentation.pcap",
		"tests/unit/data/gtp__zeek__gtp1_gn_normal_incl_fragmentation.pcap",
	};
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = NULL;
	for (size_t i = 0; !pc && i < sizeof paths / sizeof paths[0]; i++)
		pc = pcap_open_offline(paths[i], errbuf);
	CHECK(pc != NULL);
	if (!pc)
		return;
	memset(&st, 0, sizeof st);
	struct decoder *d = decoder_new(NULL, &st);
	int linktype = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned frames = 0, ok = 0, held = 0, reassembled = 0, gtp_whole = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct packet p;
		memset(&p, 0, sizeof p);
		p.caplen = h->caplen;
		p.wirelen = h->len;
		p.frame_no = ++frames;
		p.ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		enum decode_result r = decode_frame(d, linktype, data, &p);
		ok += r == DECODE_OK;
		held += r == DECODE_HELD;
		if (r == DECODE_OK && p.reassembled) {
			reassembled++;
			/* the whole datagram was a G-PDU: what comes back is its inner packet */
			gtp_whole += p.tunnelled && p.tunnel.n == 1 && p.tunnel.kind[0] == TUNNEL_GTPU &&
				     p.outer_src.family == 4 && p.src.family == 4;
		}
	}
	pcap_close(pc);
	CHECK_EQ_INT(frames, 108);
	CHECK_EQ_INT(reassembled, 36);
	CHECK_EQ_INT(gtp_whole, 36); /* a GTPv1 G-PDU in each */
	/* four first fragments whose second one is not in the capture (tshark agrees) */
	CHECK_EQ_INT(held, 36 + 4);
	CHECK_EQ_INT(ok, 108 - 40);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	CHECK_EQ_INT(frag_pending(d->frag), 4);
	decoder_expire(d, UINT64_MAX);
	CHECK_EQ_INT(st.anomalies[ANOM_FRAG_TIMEOUT], 4);
	decoder_free(d);
}

int main(void)
{
	test_v4_in_order();
	test_v4_out_of_order_and_duplicate();
	test_v4_overlap();
	test_v4_malformed_pieces();
	test_v4_expire();
	test_pool_full();
	test_too_big();
	test_v6();
	test_inner_fragments();
	test_inner_two_hops();
	test_pcap();
	return check_done("test_frag");
}
