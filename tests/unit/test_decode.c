/*
 * test_decode.c — link layers, IPv4/IPv6 and the transport header, from hand-built
 * frames: every supported link type, VLAN stacks, options and extension headers, and
 * the truncated / malformed cases with their counters. Fragments are in test_frag.c.
 */
#include "decode/decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "check.h"
#include "core/stats.h"

#include "frame.h"

static struct stats st;
static struct decoder *dec;

static enum decode_result run(int linktype, const struct frame *f, struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->caplen = p->wirelen = (uint32_t)f->n;
	p->frame_no = 1;
	return decode_frame(dec, linktype, f->b, p);
}

static const char *fmt(const struct ip_addr *a)
{
	static char buf[2][ADDR_STRLEN];
	static int i;
	i ^= 1;
	return addr_format(a, buf[i], sizeof buf[i]);
}

static void reset_stats(void) { memset(&st, 0, sizeof st); }

/* ---- link layers --------------------------------------------------------------------- */

static void test_ethernet_tcp(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	ether(&f, 0x0800);
	ipv4(&f, 6, 20 + 5, 0);
	tcp(&f, 5060, 40000, 5, 0x18);
	put_bytes(&f, "hello", 5);
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_OK);
	CHECK_EQ_STR(fmt(&p.src), "10.0.0.1");
	CHECK_EQ_STR(fmt(&p.dst), "192.168.1.2");
	CHECK_EQ_INT(p.ip_proto, 6);
	CHECK_EQ_INT(p.ttl, 64);
	CHECK_EQ_INT(p.tunnel.n, 0);
	CHECK_EQ_INT(p.l3_len, 45);
	CHECK(p.l3 == f.b + 14);
	CHECK_EQ_INT(p.sport, 5060);
	CHECK_EQ_INT(p.dport, 40000);
	CHECK_EQ_INT(p.tcp_seq, 1000);
	CHECK_EQ_INT(p.tcp_ack, 2000);
	CHECK_EQ_INT(p.tcp_flags, TCP_PSH | TCP_ACK);
	CHECK_EQ_INT(p.payload_len, 5);
	CHECK(p.payload && memcmp(p.payload, "hello", 5) == 0);
	CHECK(!p.payload_truncated && !p.reassembled);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* TCP options are skipped by the data offset */
	f.n = 0;
	ether(&f, 0x0800);
	ipv4(&f, 6, 32 + 3, 0);
	tcp(&f, 1, 2, 8, TCP_SYN);
	put_bytes(&f, "abc", 3);
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.payload_len, 3);
	CHECK(memcmp(p.payload, "abc", 3) == 0);
	CHECK_EQ_INT(p.tcp_flags, TCP_SYN);
}

static void test_ethernet_padding(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	ether(&f, 0x0800);
	ipv4(&f, 17, 8 + 2, 0);
	udp(&f, 53, 1053, 2);
	put_bytes(&f, "hi", 2);
	put_fill(&f, 0, 60 - f.n); /* minimum Ethernet frame */
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.l3_len, 30);
	CHECK_EQ_INT(p.payload_len, 2);
	CHECK(!p.payload_truncated);
	CHECK_EQ_INT(p.sport, 53);
	CHECK_EQ_INT(p.dport, 1053);
}

static void test_vlan(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	ether(&f, 0x8100);
	put16(&f, 0x2000 | 100); /* priority 1, id 100 */
	put16(&f, 0x0800);
	ipv4(&f, 17, 8, 0);
	udp(&f, 1, 2, 0);
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 2);
	CHECK_EQ_INT(p.tunnel.n, 1); /* a tag is a layer of the path */
	CHECK_EQ_INT(p.tunnel.kind[0], TUNNEL_VLAN);
	CHECK_EQ_INT(p.tunnel.id[0], 100);

	unsigned outer_tpids[2] = { 0x88a8, 0x9100 };
	for (int i = 0; i < 2; i++) {
		f.n = 0;
		ether(&f, outer_tpids[i]);
		put16(&f, 200);
		put16(&f, 0x8100);
		put16(&f, 100);
		put16(&f, 0x86dd);
		ipv6(&f, 17, 8);
		udp(&f, 3, 4, 0);
		CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_OK);
		CHECK_EQ_INT(p.src.family, 6);
		CHECK_EQ_INT(p.sport, 3);
		CHECK_EQ_INT(p.tunnel.n, 2);
		CHECK_EQ_INT(p.tunnel.id[0], 200);
		CHECK_EQ_INT(p.tunnel.id[1], 100);
	}

	/* a stack past the cap (TUNNEL_MAX_LAYERS: every tag is a layer) */
	reset_stats();
	f.n = 0;
	ether(&f, 0x8100);
	for (int i = 0; i < 9; i++) {
		put16(&f, 1);
		put16(&f, 0x8100);
	}
	put16(&f, 1);
	put16(&f, 0x0800);
	ipv4(&f, 17, 8, 0);
	udp(&f, 1, 2, 0);
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_DEPTH], 1);

	/* a tag cut in the middle */
	f.n = 0;
	ether(&f, 0x8100);
	put8(&f, 0);
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_TRUNCATED);
}

static void test_non_ip(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	reset_stats();
	ether(&f, 0x0806); /* ARP */
	put_fill(&f, 0, 28);
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_SKIP);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	CHECK_EQ_INT(run(147 /* DLT_USER0 */, &f, &p), DECODE_SKIP);
	CHECK_EQ_INT(st.anomalies[ANOM_LINK_UNSUPPORTED], 1);

	/* the link layer says IPv4 but the packet is IPv6 */
	f.n = 0;
	ether(&f, 0x0800);
	ipv6(&f, 17, 8);
	udp(&f, 1, 2, 0);
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_MALFORMED], 1);
}

static void test_sll(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	put16(&f, 0);      /* to us */
	put16(&f, 1);      /* ARPHRD_ETHER */
	put16(&f, 6);
	put_fill(&f, 0x33, 8);
	put16(&f, 0x0800);
	ipv4(&f, 17, 8 + 1, 0);
	udp(&f, 1812, 5000, 1);
	put8(&f, 'x');
	CHECK_EQ_INT(run(DLT_LINUX_SLL, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.sport, 1812);
	CHECK_EQ_INT(p.payload_len, 1);

	f.n = 0;
	put16(&f, 0x86dd);
	put16(&f, 0);
	put32(&f, 3);      /* ifindex */
	put16(&f, 1);
	put8(&f, 4);       /* outgoing */
	put8(&f, 6);
	put_fill(&f, 0x44, 8);
	ipv6(&f, 17, 8 + 2);
	udp(&f, 2123, 2123, 2);
	put16(&f, 0xabcd);
	CHECK_EQ_INT(run(DLT_LINUX_SLL2, &f, &p), DECODE_OK);
	CHECK_EQ_STR(fmt(&p.src), "2001:db8::1");
	CHECK_EQ_STR(fmt(&p.dst), "2001:db8::ab02");
	CHECK_EQ_INT(p.ttl, 57);
	CHECK_EQ_INT(p.dport, 2123);
	CHECK_EQ_INT(p.payload_len, 2);
	CHECK_EQ_INT(p.l3_len, 50);

	f.n = 10;
	CHECK_EQ_INT(run(DLT_LINUX_SLL, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(run(DLT_LINUX_SLL2, &f, &p), DECODE_TRUNCATED);
}

static void test_raw(void)
{
	struct frame f4 = { .n = 0 }, f6 = { .n = 0 };
	struct packet p;
	ipv4(&f4, 17, 8, 0);
	udp(&f4, 7, 8, 0);
	ipv6(&f6, 17, 8);
	udp(&f6, 9, 10, 0);
	int raw[3] = { 12, 14, 101 };
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(run(raw[i], &f4, &p), DECODE_OK);
		CHECK_EQ_INT(p.src.family, 4);
		CHECK_EQ_INT(p.sport, 7);
		CHECK(p.l3 == f4.b);
		CHECK_EQ_INT(run(raw[i], &f6, &p), DECODE_OK);
		CHECK_EQ_INT(p.src.family, 6);
		CHECK_EQ_INT(p.sport, 9);
	}
	CHECK_EQ_INT(run(DLT_RAW, &f4, &p), DECODE_OK);
	CHECK_EQ_INT(run(DLT_IPV4, &f4, &p), DECODE_OK);
	CHECK_EQ_INT(run(DLT_IPV6, &f6, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 10);
	CHECK_EQ_INT(run(DLT_IPV4, &f6, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(run(DLT_IPV6, &f4, &p), DECODE_MALFORMED);

	struct frame bad = { .n = 0 };
	put8(&bad, 0x55); /* version 5 */
	put_fill(&bad, 0, 39);
	CHECK_EQ_INT(run(DLT_RAW, &bad, &p), DECODE_MALFORMED);
	bad.n = 0;
	CHECK_EQ_INT(run(DLT_RAW, &bad, &p), DECODE_TRUNCATED);
}

static void test_loopback(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	/* DLT_NULL: little-endian writer */
	put8(&f, 2);
	put_fill(&f, 0, 3);
	ipv4(&f, 17, 8, 0);
	udp(&f, 1, 2, 0);
	CHECK_EQ_INT(run(DLT_NULL, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.src.family, 4);
	/* DLT_NULL: big-endian writer */
	f.b[0] = 0;
	f.b[3] = 2;
	CHECK_EQ_INT(run(DLT_NULL, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.src.family, 4);

	unsigned v6_families[3] = { 24, 28, 30 };
	for (int i = 0; i < 3; i++) {
		f.n = 0;
		put8(&f, v6_families[i]); /* little-endian */
		put_fill(&f, 0, 3);
		ipv6(&f, 17, 8);
		udp(&f, 1, 2, 0);
		CHECK_EQ_INT(run(DLT_NULL, &f, &p), DECODE_OK);
		CHECK_EQ_INT(p.src.family, 6);
		f.b[0] = 0;
		f.b[3] = (uint8_t)v6_families[i]; /* DLT_LOOP: network order */
		CHECK_EQ_INT(run(DLT_LOOP, &f, &p), DECODE_OK);
		CHECK_EQ_INT(p.src.family, 6);
	}
	f.b[3] = 2; /* AF_INET in front of an IPv6 packet */
	CHECK_EQ_INT(run(DLT_LOOP, &f, &p), DECODE_MALFORMED);
	f.b[3] = 7; /* some other family */
	CHECK_EQ_INT(run(DLT_LOOP, &f, &p), DECODE_SKIP);
	f.n = 3;
	CHECK_EQ_INT(run(DLT_NULL, &f, &p), DECODE_TRUNCATED);
}

/* ---- IP ------------------------------------------------------------------------------ */

static void test_ipv4_options(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	ipv4(&f, 17, 8 + 4, 8);
	udp(&f, 1, 2, 4);
	put32(&f, 0xdeadbeef);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.sport, 1);
	CHECK_EQ_INT(p.payload_len, 4);
	CHECK(p.payload == f.b + 36);

	/* options cut by the capture */
	reset_stats();
	f.n = 24;
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_TRUNCATED], 1);
}

static void test_ipv6_exthdrs(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	ipv6(&f, 0, 8 + 16 + 20 + 2);
	put8(&f, 60); /* hop-by-hop: 8 bytes, then destination options */
	put8(&f, 0);
	put_fill(&f, 0, 6);
	put8(&f, 6);  /* destination options: 16 bytes, then TCP */
	put8(&f, 1);
	put_fill(&f, 0, 14);
	tcp(&f, 443, 50000, 5, TCP_ACK);
	put16(&f, 0x1703);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.ip_proto, 6);
	CHECK_EQ_INT(p.sport, 443);
	CHECK_EQ_INT(p.payload_len, 2);
	CHECK_EQ_INT(p.l3_len, f.n);

	/* AH (RFC 4302 counts its length in 4-byte words, minus 2) then UDP */
	f.n = 0;
	ipv6(&f, 51, 16 + 8);
	put8(&f, 17);
	put8(&f, 2); /* (2 + 2) * 4 = 16 bytes */
	put_fill(&f, 0, 14);
	udp(&f, 500, 4500, 0);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.ip_proto, 17);
	CHECK_EQ_INT(p.dport, 4500);

	/* 9 destination options headers: past the walk's cap */
	reset_stats();
	f.n = 0;
	ipv6(&f, 60, 9 * 8 + 8);
	for (int i = 0; i < 9; i++) {
		put8(&f, i == 8 ? 17 : 60);
		put8(&f, 0);
		put_fill(&f, 0, 6);
	}
	udp(&f, 1, 2, 0);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_EXTHDR_LIMIT], 1);
	/* 8 is fine */
	f.n = 0;
	ipv6(&f, 60, 8 * 8 + 8);
	for (int i = 0; i < 8; i++) {
		put8(&f, i == 7 ? 17 : 60);
		put8(&f, 0);
		put_fill(&f, 0, 6);
	}
	udp(&f, 1, 2, 0);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);

	/* an extension header longer than the declared payload: malformed; cut: truncated */
	reset_stats();
	f.n = 0;
	ipv6(&f, 60, 8);
	put8(&f, 17);
	put8(&f, 1); /* says 16 bytes */
	put_fill(&f, 0, 14);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_MALFORMED], 1);
	f.n = 0;
	ipv6(&f, 60, 16);
	put8(&f, 17);
	put8(&f, 1);
	put_fill(&f, 0, 2); /* capture stops here */
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_TRUNCATED], 1);

	/* an atomic fragment (RFC 6946) is an ordinary packet */
	f.n = 0;
	ipv6(&f, 44, 8 + 8);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 77);
	udp(&f, 11, 12, 0);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.sport, 11);
	CHECK(!p.reassembled);

	/* no next header: nothing after, and not an error */
	f.n = 0;
	ipv6(&f, 59, 0);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.ip_proto, 59);
	CHECK_EQ_INT(p.payload_len, 0);
}

static void test_transport(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	/* SCTP: ports and the chunks after the 12-byte common header */
	ipv4(&f, 132, 12 + 4, 0);
	put16(&f, 2905);
	put16(&f, 2906);
	put32(&f, 0xcafe);
	put32(&f, 0);
	put32(&f, 0x00030004);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.sport, 2905);
	CHECK_EQ_INT(p.dport, 2906);
	CHECK_EQ_INT(p.payload_len, 4);
	CHECK(p.payload == f.b + 32);

	/* another protocol: payload is the IP payload, no ports */
	f.n = 0;
	ipv4(&f, 1, 8, 0);
	put32(&f, 0x08000000);
	put32(&f, 1);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.ip_proto, 1);
	CHECK_EQ_INT(p.sport, 0);
	CHECK_EQ_INT(p.dport, 0);
	CHECK_EQ_INT(p.payload_len, 8);
	CHECK(p.payload == f.b + 20);

	/* UDP length shorter than the IP payload: the UDP length rules */
	f.n = 0;
	ipv4(&f, 17, 8 + 6, 0);
	udp(&f, 1, 2, 3);
	put_fill(&f, 'a', 6);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.payload_len, 3);

	/* UDP length past the end of its datagram: a lie */
	reset_stats();
	f.n = 0;
	ipv4(&f, 17, 8 + 2, 0);
	udp(&f, 1, 2, 100);
	put_fill(&f, 'a', 2);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_L4_MALFORMED], 1);

	/* UDP length below its own header */
	f.n = 0;
	ipv4(&f, 17, 8, 0);
	udp(&f, 1, 2, 0);
	set16(&f, 24, 4);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_L4_MALFORMED], 2);
	set16(&f, 24, 0); /* 0 is only a jumbogram's length, and only in IPv6 */
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_L4_MALFORMED], 3);
}

/* ---- truncated and malformed --------------------------------------------------------- */

static void test_truncated_malformed(void)
{
	struct frame f = { .n = 0 };
	struct packet p;

	reset_stats();
	ether(&f, 0x0800);
	f.n = 10; /* Ethernet header cut */
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 1);

	/* IPv4 header cut */
	reset_stats();
	f.n = 0;
	ether(&f, 0x0800);
	ipv4(&f, 6, 20, 0);
	f.n = 14 + 15;
	CHECK_EQ_INT(run(DLT_EN10MB, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_TRUNCATED], 1);
	/* IPv6 header cut */
	f.n = 0;
	ipv6(&f, 17, 8);
	f.n = 39;
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_TRUNCATED], 2);

	/* IHL < 5 */
	reset_stats();
	f.n = 0;
	ipv4(&f, 17, 8, 0);
	udp(&f, 1, 2, 0);
	f.b[0] = 0x44;
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_MALFORMED], 1);

	/* total length below the header length */
	f.b[0] = 0x45;
	set16(&f, 2, 19);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_MALFORMED], 2);

	/* TCP data offset < 5 */
	reset_stats();
	f.n = 0;
	ipv4(&f, 6, 20, 0);
	tcp(&f, 1, 2, 5, 0);
	f.b[32] = 4 << 4;
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_L4_MALFORMED], 1);

	/* TCP header cut by the capture (IP says 40 bytes, 30 captured) */
	reset_stats();
	f.n = 0;
	ipv4(&f, 6, 20, 0);
	tcp(&f, 1, 2, 5, 0);
	f.n = 30;
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_L4_TRUNCATED], 1);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 1);
	CHECK_EQ_INT(p.sport, 1); /* what could be read still is */

	/* TCP header longer than its datagram: the datagram lies */
	f.n = 0;
	ipv4(&f, 6, 10, 0);
	tcp(&f, 1, 2, 5, 0);
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_L4_MALFORMED], 1);

	/* TCP options cut by the capture */
	f.n = 0;
	ipv4(&f, 6, 40, 0);
	tcp(&f, 1, 2, 10, 0);
	f.n = 50;
	CHECK_EQ_INT(run(DLT_RAW, &f, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_L4_TRUNCATED], 2);
}

/* Snaplen cut the payload: still OK, flagged, counted once per frame. */
static void test_snaplen_payload(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	reset_stats();
	ether(&f, 0x0800);
	ipv4(&f, 17, 8 + 100, 0);
	udp(&f, 5060, 5060, 100);
	put_fill(&f, 'S', 100);
	memset(&p, 0, sizeof p);
	p.caplen = 14 + 28 + 40;
	p.wirelen = (uint32_t)f.n;
	CHECK_EQ_INT(decode_frame(dec, DLT_EN10MB, f.b, &p), DECODE_OK);
	CHECK(p.payload_truncated);
	CHECK_EQ_INT(p.payload_len, 40);
	CHECK_EQ_INT(p.l3_len, 68);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 1);

	/* an inner packet of the same frame, also cut: the frame is still counted once */
	CHECK_EQ_INT(decode_ip(dec, f.b + 14, 68, &p), DECODE_OK);
	CHECK(p.payload_truncated);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 1);
	/* the next frame counts again */
	CHECK_EQ_INT(decode_frame(dec, DLT_EN10MB, f.b, &p), DECODE_OK);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 2);

	/* IPv6 the same way */
	f.n = 0;
	ipv6(&f, 17, 8 + 100);
	udp(&f, 1, 2, 100);
	put_fill(&f, 'S', 100);
	p.caplen = 40 + 8 + 10;
	CHECK_EQ_INT(decode_frame(dec, DLT_RAW, f.b, &p), DECODE_OK);
	CHECK(p.payload_truncated);
	CHECK_EQ_INT(p.payload_len, 10);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 3);
}

/* A tunnel's inner packet: outer fields stay, inner ones are filled. */
static void test_decode_ip_keeps_outer(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	memset(&p, 0, sizeof p);
	p.ts_us = 1234567;
	p.frame_no = 42;
	p.capture_index = 3;
	p.caplen = 100;
	p.wirelen = 200;
	p.tunnel.n = 1;
	p.tunnel.kind[0] = TUNNEL_VLAN;
	p.tunnel.id[0] = 7;
	p.tunnel_key = 77;
	p.tunnelled = true;
	p.tunnel_teid = 0xdeadbeef;
	addr_parse("172.16.0.1", &p.outer_src);
	addr_parse("172.16.0.2", &p.outer_dst);
	p.sport = 2152; /* the outer UDP port: overwritten */
	ipv6(&f, 6, 20);
	tcp(&f, 443, 51000, 5, TCP_SYN);
	CHECK_EQ_INT(decode_ip(dec, f.b, f.n, &p), DECODE_OK);
	CHECK(p.ts_us == 1234567);
	CHECK(p.frame_no == 42);
	CHECK_EQ_INT(p.capture_index, 3);
	CHECK_EQ_INT(p.caplen, 100);
	CHECK_EQ_INT(p.wirelen, 200);
	CHECK_EQ_INT(p.tunnel.n, 1);
	CHECK_EQ_INT(p.tunnel.id[0], 7);
	CHECK_EQ_INT(p.tunnel_key, 77);
	CHECK(p.tunnelled);
	CHECK(p.tunnel_teid == 0xdeadbeef);
	CHECK_EQ_STR(fmt(&p.outer_src), "172.16.0.1");
	CHECK_EQ_STR(fmt(&p.outer_dst), "172.16.0.2");
	CHECK_EQ_STR(fmt(&p.src), "2001:db8::1");
	CHECK_EQ_INT(p.sport, 443);
	CHECK_EQ_INT(p.dport, 51000);
	CHECK_EQ_INT(p.tcp_flags, TCP_SYN);
	CHECK(p.l3 == f.b);

	/* decode_frame, by contrast, clears the tunnel fields of a reused packet */
	f.n = 0;
	ipv4(&f, 17, 8, 0);
	udp(&f, 1, 2, 0);
	p.caplen = (uint32_t)f.n;
	CHECK_EQ_INT(decode_frame(dec, DLT_RAW, f.b, &p), DECODE_OK);
	CHECK(!p.tunnelled);
	CHECK_EQ_INT(p.tunnel_teid, 0);
	CHECK_EQ_INT(p.outer_src.family, 0);
	CHECK_EQ_INT(p.tunnel.n, 0);
	CHECK_EQ_INT(p.tunnel_key, 0);
	CHECK(p.frame_no == 42);
}

int main(void)
{
	dec = decoder_new(NULL, &st);
	CHECK(dec != NULL);
	if (!dec)
		return check_done("test_decode");
	test_ethernet_tcp();
	test_ethernet_padding();
	test_vlan();
	test_non_ip();
	test_sll();
	test_raw();
	test_loopback();
	test_ipv4_options();
	test_ipv6_exthdrs();
	test_transport();
	test_truncated_malformed();
	test_snaplen_payload();
	test_decode_ip_keeps_outer();
	decoder_free(dec);
	decoder_free(NULL);
	return check_done("test_decode");
}
