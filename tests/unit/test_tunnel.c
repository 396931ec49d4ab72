/*
 * test_tunnel.c — the encapsulations the decoder opens (decode/tunnel.c, ether.c and
 * one parser each): GRE, ERSPAN I/II/III, VXLAN, VXLAN-GPE, Geneve, MPLS, PPPoE, NSH,
 * IP-in-IP, GTP-U and VLAN stacks, from hand-built frames. For each: valid,
 * truncated (cut by the capture), malformed (a header that lies) and look-alike (not
 * the tunnel, though on its port or shaped like it), then nesting, the depth cap,
 * Linux cooked captures, the path's text, the flow key's tunnel part, and fragments
 * inside a tunnel.
 *
 * Every frame decoded here is decoded twice: by the decoder as it runs, and by one
 * whose short-cut through the common outer stacks (decode/ether.c) is off, so that
 * every layer goes the general way; the two must agree on the result, every field of
 * the packet and every counter (same_as_general). test_short_cut then builds the frames
 * the short-cut must and must not take, look-alikes of its stacks among them.
 */
#include "decode/decode.h"

#include <pcap/pcap.h>
#include <string.h>

#include "check.h"
#include "core/stats.h"
#include "decode/decode_internal.h"
#include "frame.h"

static struct stats st;
static struct decoder *dec;
/* the same decoding with the short-cut off: the general path for every layer */
static struct stats st_general;
static struct decoder *dec_general;

static const uint8_t OUT_A[4] = { 198, 51, 100, 1 };
static const uint8_t OUT_B[4] = { 198, 51, 100, 2 };
static const uint8_t OUT_C[4] = { 198, 51, 100, 3 };

/* The bytes a borrowed span of a packet covers: the same bytes, wherever they are (a
 * reassembled datagram lives in each decoder's own buffer). */
static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || (a && b && memcmp(a, b, n) == 0);
}

/* Whether the short-cut's decoding of a frame (r, p, st) is the general path's (rg, g,
 * st_general): the result, every field of the packet on DECODE_OK, every counter. */
static bool same_as_general(enum decode_result r, const struct packet *p, enum decode_result rg,
			    const struct packet *g)
{
	if (r != rg || memcmp(st.anomalies, st_general.anomalies, sizeof st.anomalies) != 0 ||
	    st.ip_packets != st_general.ip_packets)
		return false;
	if (r != DECODE_OK)
		return true; /* the pipeline reads nothing else of such a packet */
	return addr_eq(&p->src, &g->src) && addr_eq(&p->dst, &g->dst) && p->ip_proto == g->ip_proto &&
	       p->ttl == g->ttl && p->reassembled == g->reassembled && p->l3_len == g->l3_len &&
	       same_bytes(p->l3, g->l3, p->l3_len) && p->ip_len == g->ip_len &&
	       p->tunnel.n == g->tunnel.n && memcmp(p->tunnel.kind, g->tunnel.kind, p->tunnel.n) == 0 &&
	       memcmp(p->tunnel.id, g->tunnel.id, p->tunnel.n * sizeof p->tunnel.id[0]) == 0 &&
	       p->tunnel_key == g->tunnel_key && p->tunnelled == g->tunnelled &&
	       p->tunnel_teid == g->tunnel_teid && addr_eq(&p->outer_src, &g->outer_src) &&
	       addr_eq(&p->outer_dst, &g->outer_dst) && p->sport == g->sport && p->dport == g->dport &&
	       p->tcp_seq == g->tcp_seq && p->tcp_ack == g->tcp_ack && p->tcp_flags == g->tcp_flags &&
	       p->payload_len == g->payload_len && same_bytes(p->payload, g->payload, p->payload_len) &&
	       p->payload_truncated == g->payload_truncated;
}

/* Decodes the first caplen bytes of f (of f->n on the wire) with d; with the test's
 * decoder, also with the general path alone, and checks that the two agree. */
static enum decode_result decode_checked(struct decoder *d, int linktype, const struct frame *f, size_t caplen,
					 struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->caplen = (uint32_t)caplen;
	p->wirelen = (uint32_t)f->n;
	p->frame_no = 1;
	struct packet g = *p;
	enum decode_result r = decode_frame(d, linktype, f->b, p);
	if (d == dec) {
		enum decode_result rg = decode_frame(dec_general, linktype, f->b, &g);
		CHECK(same_as_general(r, p, rg, &g));
	}
	return r;
}

static enum decode_result run_with(struct decoder *d, int linktype, const struct frame *f, struct packet *p)
{
	return decode_checked(d, linktype, f, f->n, p);
}

static enum decode_result run(const struct frame *f, struct packet *p)
{
	return run_with(dec, DLT_EN10MB, f, p);
}

/* The same frame cut by the capture to its first `caplen` bytes. */
static enum decode_result run_cut(const struct frame *f, size_t caplen, struct packet *p)
{
	return decode_checked(dec, DLT_EN10MB, f, caplen, p);
}

static const char *path(const struct packet *p)
{
	static char buf[TUNNEL_TEXT_MAX];
	tunnel_path_format(&p->tunnel, buf, sizeof buf);
	return buf;
}

static const char *fmt(const struct ip_addr *a)
{
	static char buf[2][ADDR_STRLEN];
	static int i;
	i ^= 1;
	return addr_format(a, buf[i], sizeof buf[i]);
}

static void reset_stats(void)
{
	memset(&st, 0, sizeof st);
	memset(&st_general, 0, sizeof st_general);
}

/* ---- what the tunnels carry --------------------------------------------------------- */

/* The innermost packet every case wraps: UDP 5060 from 10.0.0.1 to 192.168.1.2, "INVITE". */
static void inner_ip4(struct frame *f)
{
	ipv4(f, 17, 8 + 6, 0);
	udp(f, 5060, 5060, 6);
	put_bytes(f, "INVITE", 6);
}

static void inner_ip6(struct frame *f)
{
	ipv6(f, 17, 8 + 6);
	udp(f, 5060, 5060, 6);
	put_bytes(f, "INVITE", 6);
}

static void inner_eth(struct frame *f)
{
	ether(f, 0x0800);
	inner_ip4(f);
}

static void check_inner4(const struct packet *p)
{
	CHECK_EQ_STR(fmt(&p->src), "10.0.0.1");
	CHECK_EQ_STR(fmt(&p->dst), "192.168.1.2");
	CHECK_EQ_INT(p->ip_proto, 17);
	CHECK_EQ_INT(p->sport, 5060);
	CHECK_EQ_INT(p->payload_len, 6);
	CHECK(p->payload && memcmp(p->payload, "INVITE", 6) == 0);
}

static void check_inner6(const struct packet *p)
{
	CHECK_EQ_STR(fmt(&p->src), "2001:db8::1");
	CHECK_EQ_INT(p->sport, 5060);
	CHECK_EQ_INT(p->payload_len, 6);
}

/* ---- outer layers and tunnel headers ----------------------------------------------- */

struct outer {
	size_t ip, udp;
};

/* Ethernet, IPv4 src → dst, UDP sport → dport; outer_close sets the lengths. */
static struct outer outer_udp(struct frame *f, const uint8_t *src, const uint8_t *dst, unsigned sport,
			      unsigned dport)
{
	struct outer o;
	ether(f, 0x0800);
	o.ip = ipv4_between(f, 17, src, dst);
	o.udp = f->n;
	udp(f, sport, dport, 0);
	return o;
}

static struct outer outer_ip(struct frame *f, unsigned proto, const uint8_t *src, const uint8_t *dst)
{
	struct outer o = { 0, 0 };
	ether(f, 0x0800);
	o.ip = ipv4_between(f, proto, src, dst);
	return o;
}

static void outer_close(struct frame *f, struct outer o)
{
	if (o.udp)
		udp_close(f, o.udp);
	ipv4_close(f, o.ip);
}

static void gre(struct frame *f, unsigned flags, unsigned proto, uint32_t key, uint32_t seq)
{
	put16(f, flags);
	put16(f, proto);
	if (flags & 0x8000)
		put32(f, 0); /* checksum, reserved1 */
	if (flags & 0x2000)
		put32(f, key);
	if (flags & 0x1000)
		put32(f, seq);
}

static void erspan2(struct frame *f, unsigned session, unsigned version)
{
	put16(f, version << 12 | 20); /* the mirrored port's VLAN (metadata) */
	put16(f, session & 0x3ff);
	put32(f, 7); /* index */
}

static void erspan3(struct frame *f, unsigned session, unsigned ft, int platform)
{
	put16(f, 2u << 12);
	put16(f, session & 0x3ff);
	put32(f, 0xdeadbeef); /* timestamp */
	put16(f, 0);          /* security group tag */
	put16(f, ft << 10 | (platform ? 1 : 0));
	if (platform)
		put_fill(f, 0xab, 8);
}

static void vxlan(struct frame *f, unsigned flags, uint32_t vni)
{
	put8(f, flags);
	put_fill(f, 0, 3);
	put32(f, vni << 8);
}

static void gpe(struct frame *f, unsigned flags, unsigned next, uint32_t vni)
{
	put8(f, flags);
	put16(f, 0);
	put8(f, next);
	put32(f, vni << 8);
}

static void geneve(struct frame *f, unsigned version, unsigned opt_words, unsigned proto, uint32_t vni)
{
	put8(f, version << 6 | opt_words);
	put8(f, 0);
	put16(f, proto);
	put32(f, vni << 8);
	put_fill(f, 0x5a, opt_words * 4);
}

static void mpls(struct frame *f, uint32_t label, int bottom)
{
	put32(f, label << 12 | (bottom ? 0x100u : 0) | 64);
}

static void nsh(struct frame *f, unsigned version, unsigned md_type, unsigned words, unsigned next,
		uint32_t spi, unsigned si)
{
	put16(f, version << 14 | 63u << 6 | words);
	put8(f, md_type);
	put8(f, next);
	put32(f, spi << 8 | si);
	put_fill(f, 0, (words > 2 ? words - 2 : 0) * 4);
}

static void gtpu(struct frame *f, uint32_t teid, unsigned len)
{
	put8(f, 0x30);
	put8(f, 0xff);
	put16(f, len);
	put32(f, teid);
}

/* ---- GRE ---------------------------------------------------------------------------- */

static void test_gre(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	struct outer o;

	/* no options, IPv4 inside */
	reset_stats();
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x0800, 0, 0);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "gre");
	CHECK(p.tunnelled);
	CHECK_EQ_STR(fmt(&p.outer_src), "198.51.100.1");
	CHECK_EQ_INT(st.ip_packets, 2); /* the outer packet and the inner one */

	/* checksum, key and sequence number, IPv6 inside */
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0xb000, 0x86dd, 42, 9);
	inner_ip6(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner6(&p);
	CHECK_EQ_STR(path(&p), "gre:key 42");

	/* an Ethernet frame inside (0x6558) */
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x2000, 0x6558, 7, 0);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "gre:key 7");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* truncated: the capture ends inside the key */
	CHECK_EQ_INT(run_cut(&f, 14 + 20 + 6, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 1);

	/* malformed: the IP packet itself ends inside the GRE header */
	reset_stats();
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	put16(&f, 0x2000);
	put16(&f, 0x0800);
	put16(&f, 0);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);

	/* malformed: RFC 1701 routing present */
	reset_stats();
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x4000, 0x0800, 0, 0);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);

	/* look-alike: version 1 (PPTP) and a protocol not opened stay the GRE packet */
	reset_stats();
	unsigned not_ours[2][2] = { { 0x2001, 0x880b }, { 0, 0x0806 } };
	for (int i = 0; i < 2; i++) {
		f.n = 0;
		o = outer_ip(&f, 47, OUT_A, OUT_B);
		put16(&f, not_ours[i][0]);
		put16(&f, not_ours[i][1]);
		put32(&f, 0);
		put_fill(&f, 0xff, 20);
		outer_close(&f, o);
		CHECK_EQ_INT(run(&f, &p), DECODE_OK);
		CHECK_EQ_INT(p.ip_proto, 47);
		CHECK_EQ_INT(p.tunnel.n, 0);
		CHECK(!p.tunnelled);
	}
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* a GRE key with garbage inside: the inner packet does not parse, and is counted */
	reset_stats();
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x2000, 0x0800, 99, 0);
	put_fill(&f, 0x17, 40);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_MALFORMED], 1);
}

/* ---- ERSPAN ------------------------------------------------------------------------- */

static void test_erspan(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	struct outer o;

	/* type I: GRE 0x88be without a sequence number, the frame right after */
	reset_stats();
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x88be, 0, 0);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "erspan1");

	/* type II, the mirrored frame tagged VLAN 20 */
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 1);
	erspan2(&f, 100, 1);
	ether(&f, 0x8100);
	put16(&f, 20);
	put16(&f, 0x0800);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "erspan2:session 100 / vlan 20");
	size_t whole = f.n;

	/* truncated inside the ERSPAN header */
	CHECK_EQ_INT(run_cut(&f, 14 + 20 + 8 + 4, &p), DECODE_TRUNCATED);
	/* malformed: type II's version field says 2 */
	f.b[14 + 20 + 8] = 0x20;
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);
	CHECK_EQ_INT(f.n, whole);

	/* type III with the platform-specific sub-header */
	reset_stats();
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x22eb, 0, 1);
	erspan3(&f, 1023, 0, 1);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "erspan3:session 1023");

	/* type III carrying an IP packet (frame type 2) */
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x22eb, 0, 1);
	erspan3(&f, 5, 2, 0);
	inner_ip6(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner6(&p);
	CHECK_EQ_STR(path(&p), "erspan3:session 5");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* a frame type not opened: the GRE packet stays what it is */
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x22eb, 0, 1);
	erspan3(&f, 5, 7, 0);
	put_fill(&f, 0, 30);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.ip_proto, 47);
	CHECK_EQ_INT(p.tunnel.n, 0);
}

/* ---- VXLAN and VXLAN-GPE ------------------------------------------------------------ */

static void test_vxlan(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	struct outer o;

	/* on 4789 */
	reset_stats();
	o = outer_udp(&f, OUT_A, OUT_B, 51000, 4789);
	vxlan(&f, 0x08, 5000);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "vxlan:vni 5000");
	CHECK_EQ_STR(fmt(&p.outer_dst), "198.51.100.2");
	/* group policy bits on its own port are still VXLAN */
	f.b[14 + 28] = 0x88;
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_STR(path(&p), "vxlan:vni 5000");
	/* truncated: the capture ends inside the inner Ethernet header */
	CHECK_EQ_INT(run_cut(&f, 14 + 28 + 8 + 10, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 1);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 0);
	/* malformed: the UDP datagram ends inside the VXLAN header */
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 51000, 4789);
	put32(&f, 0x08000000);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);

	/* look-alike: UDP to 4789 that is not VXLAN is read as the UDP it is, and counted */
	reset_stats();
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 53000, 4789);
	put_bytes(&f, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 4789);
	CHECK_EQ_INT(p.tunnel.n, 0);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);
	/* ... and from 4789 (a client's source port) nothing is tried */
	reset_stats();
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 4789, 53);
	put_fill(&f, 0, 12);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 53);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* another port (Linux's old 8472): an exact header with an IP frame behind it */
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 40000, 8472);
	vxlan(&f, 0x08, 77);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "vxlan:vni 77");
	/* ... but not with a reserved bit set, nor with no IP packet behind it */
	f.b[14 + 28 + 1] = 1;
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 8472);
	CHECK_EQ_INT(p.tunnel.n, 0);
	f.b[14 + 28 + 1] = 0;
	f.b[14 + 28 + 8 + 12] = 0x08;
	f.b[14 + 28 + 8 + 13] = 0x06; /* ARP */
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 8472);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* VXLAN-GPE: IPv4 next, then NSH next (which carries Ethernet) */
	reset_stats();
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 40001, 4790);
	gpe(&f, 0x0c, 1, 9);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "vxlan-gpe:vni 9");
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 40001, 4790);
	gpe(&f, 0x0c, 4, 9);
	nsh(&f, 0, 2, 2, 3, 10, 255);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "vxlan-gpe:vni 9 / nsh:spi 10 si 255");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	/* look-alike: no P flag */
	f.b[14 + 28] = 0x08;
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 4790);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);
}

/* ---- Geneve ------------------------------------------------------------------------- */

static void test_geneve(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	struct outer o;

	reset_stats();
	o = outer_udp(&f, OUT_A, OUT_B, 40000, 6081);
	geneve(&f, 0, 3, 0x6558, 0xabcdef);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "geneve:vni 11259375");
	/* options that run past the capture: truncated */
	CHECK_EQ_INT(run_cut(&f, 14 + 28 + 8 + 6, &p), DECODE_TRUNCATED);
	/* options longer than the datagram: malformed */
	f.b[14 + 28] = 40;
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);

	/* an IP packet right after the header, on another port */
	reset_stats();
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 40000, 16081);
	geneve(&f, 0, 1, 0x0800, 3);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "geneve:vni 3");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* look-alike on 6081: version 1 */
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 40000, 6081);
	geneve(&f, 1, 0, 0x6558, 3);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 6081);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);
}

/* ---- MPLS --------------------------------------------------------------------------- */

static void test_mpls(void)
{
	struct frame f = { .n = 0 };
	struct packet p;

	/* two labels, IPv4 after the bottom (first nibble 4) */
	reset_stats();
	ether(&f, 0x8847);
	mpls(&f, 16, 0);
	mpls(&f, 1001, 1);
	inner_ip4(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "mpls:label 1001");
	CHECK_EQ_INT(p.tunnelled, 0); /* not carried by IP */

	/* IPv6 */
	f.n = 0;
	ether(&f, 0x8847);
	mpls(&f, 17, 1);
	inner_ip6(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner6(&p);

	/* an Ethernet pseudowire with the control word */
	f.n = 0;
	ether(&f, 0x8847);
	mpls(&f, 18, 0);
	mpls(&f, 300, 1);
	put32(&f, 0x00000001); /* control word: sequence 1 */
	inner_eth(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "mpls:label 300");

	/* ... and without it (the inner destination MAC starts 0x11) */
	f.n = 0;
	ether(&f, 0x8847);
	mpls(&f, 301, 1);
	inner_eth(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	/* ... without it, the destination MAC starting 0x00 */
	f.n = 0;
	ether(&f, 0x8847);
	mpls(&f, 302, 1);
	size_t mac = f.n;
	inner_eth(&f);
	memset(f.b + mac, 0x00, 3);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* truncated: cut inside the second label */
	f.n = 0;
	ether(&f, 0x8847);
	mpls(&f, 16, 0);
	mpls(&f, 17, 1);
	inner_ip4(&f);
	CHECK_EQ_INT(run_cut(&f, 14 + 6, &p), DECODE_TRUNCATED);
	CHECK_EQ_INT(st.anomalies[ANOM_CAPTURE_TRUNCATED], 1);

	/* malformed: a stack past MPLS_MAX_LABELS */
	reset_stats();
	f.n = 0;
	ether(&f, 0x8847);
	for (int i = 0; i < 9; i++)
		mpls(&f, (uint32_t)(100 + i), i == 8);
	inner_ip4(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);

	/* look-alike: the bottom label is the G-ACh label (13, RFC 5586): the path's own
	   OAM, not traffic; and bytes after the stack that are neither IP nor an Ethernet
	   frame carrying one: an Ethernet pseudowire whose frame is not ours */
	reset_stats();
	f.n = 0;
	ether(&f, 0x8847);
	mpls(&f, 16, 0);
	mpls(&f, 13, 1);
	put32(&f, 0x10000007); /* associated channel header: BFD */
	put_fill(&f, 0, 24);
	CHECK_EQ_INT(run(&f, &p), DECODE_SKIP);
	f.n = 0;
	ether(&f, 0x8847);
	mpls(&f, 400, 1);
	put_fill(&f, 0x17, 40);
	CHECK(run(&f, &p) != DECODE_OK);
	CHECK_EQ_INT(p.ip_proto, 0);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* MPLS over GRE */
	reset_stats();
	f.n = 0;
	struct outer o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x8847, 0, 0);
	mpls(&f, 24, 1);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "gre / mpls:label 24");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
}

/* ---- PPPoE -------------------------------------------------------------------------- */

static void pppoe(struct frame *f, unsigned session, unsigned ppp_proto)
{
	put8(f, 0x11);
	put8(f, 0);
	put16(f, session);
	put16(f, 0); /* length: pppoe_close */
	put16(f, ppp_proto);
}

static void pppoe_close(struct frame *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at - 6)); }

static void test_pppoe(void)
{
	struct frame f = { .n = 0 };
	struct packet p;

	reset_stats();
	ether(&f, 0x8864);
	size_t at = f.n;
	pppoe(&f, 0x1234, 0x0021);
	inner_ip4(&f);
	pppoe_close(&f, at);
	put_fill(&f, 0, 10); /* Ethernet padding after PPPoE's own length */
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "pppoe:session 4660");

	/* IPv6 inside, behind a VLAN tag (a BNG's access side) */
	f.n = 0;
	ether(&f, 0x8100);
	put16(&f, 300);
	put16(&f, 0x8864);
	at = f.n;
	pppoe(&f, 7, 0x0057);
	inner_ip6(&f);
	pppoe_close(&f, at);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner6(&p);
	CHECK_EQ_STR(path(&p), "vlan 300 / pppoe:session 7");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* PPP's own control protocol (LCP): not ours, not wrong */
	f.n = 0;
	ether(&f, 0x8864);
	at = f.n;
	pppoe(&f, 7, 0xc021);
	put_fill(&f, 1, 10);
	pppoe_close(&f, at);
	CHECK_EQ_INT(run(&f, &p), DECODE_SKIP);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* look-alike: PPPoE discovery (PADI), the session's setup, carries no packet */
	f.n = 0;
	ether(&f, 0x8863);
	put8(&f, 0x11);
	put8(&f, 0x09);
	put16(&f, 0);
	put16(&f, 4);
	put32(&f, 0x01010000); /* Service-Name, empty */
	CHECK_EQ_INT(run(&f, &p), DECODE_SKIP);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* truncated inside the PPP protocol */
	f.n = 0;
	ether(&f, 0x8864);
	at = f.n;
	pppoe(&f, 7, 0xc021);
	put_fill(&f, 1, 10);
	pppoe_close(&f, at);
	CHECK_EQ_INT(run_cut(&f, 14 + 7, &p), DECODE_TRUNCATED);
	/* malformed: version 2 */
	reset_stats();
	f.b[14] = 0x21;
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);

	/* LENGTH past the frame: a lie in a whole frame (counted, not read), the capture's
	   cut in a cut one (read as far as it goes, the inner packet's own truncation) */
	f.n = 0;
	ether(&f, 0x8864);
	at = f.n;
	pppoe(&f, 0x1234, 0x0021);
	inner_ip4(&f);
	pppoe_close(&f, at);
	set16(&f, at + 4, 1400);
	reset_stats();
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);
	reset_stats();
	CHECK(run_cut(&f, f.n - 4, &p) != DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 0);
	CHECK_EQ_STR(path(&p), "pppoe:session 4660");
}

/* ---- NSH ---------------------------------------------------------------------------- */

static void test_nsh(void)
{
	struct frame f = { .n = 0 };
	struct packet p;

	/* MD type 1 (four context words), IPv4 next */
	reset_stats();
	ether(&f, 0x894f);
	nsh(&f, 0, 1, 6, 1, 0x123456, 254);
	inner_ip4(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "nsh:spi 1193046 si 254");
	/* MD type 2 with two context words, Ethernet next */
	f.n = 0;
	ether(&f, 0x894f);
	nsh(&f, 0, 2, 4, 3, 1, 1);
	inner_eth(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	/* truncated inside the context headers */
	CHECK_EQ_INT(run_cut(&f, 14 + 10, &p), DECODE_TRUNCATED);
	/* malformed: MD type 1 with a length other than 6 words; a version other than 0 */
	reset_stats();
	f.n = 0;
	ether(&f, 0x894f);
	nsh(&f, 0, 1, 5, 1, 1, 1);
	inner_ip4(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	f.b[14] |= 0x40;
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 2);
	/* an experimental next protocol: not opened */
	reset_stats();
	f.n = 0;
	ether(&f, 0x894f);
	nsh(&f, 0, 2, 2, 0x41, 1, 1);
	put_fill(&f, 0, 20);
	CHECK_EQ_INT(run(&f, &p), DECODE_SKIP);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
}

/* ---- IP in IP ----------------------------------------------------------------------- */

static void test_ip_in_ip(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	struct outer o;

	reset_stats();
	o = outer_ip(&f, 4, OUT_A, OUT_B);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "ipv4-in-ip");
	CHECK_EQ_STR(fmt(&p.outer_src), "198.51.100.1");

	f.n = 0;
	o = outer_ip(&f, 41, OUT_A, OUT_B); /* 6in4 (RFC 4213) */
	inner_ip6(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner6(&p);
	CHECK_EQ_STR(path(&p), "ipv6-in-ip");

	/* IPv4 in IPv6 (RFC 2473) */
	f.n = 0;
	ether(&f, 0x86dd);
	ipv6(&f, 4, 20 + 8 + 6);
	inner_ip4(&f);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(fmt(&p.outer_src), "2001:db8::1");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* protocol 4 with an IPv6 packet inside: malformed */
	f.n = 0;
	o = outer_ip(&f, 4, OUT_A, OUT_B);
	inner_ip6(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_IP_MALFORMED], 1);
}

/* ---- GTP-U -------------------------------------------------------------------------- */

static void test_gtpu(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	struct outer o;

	reset_stats();
	o = outer_udp(&f, OUT_A, OUT_B, 2152, 2152);
	gtpu(&f, 0x101, 20 + 8 + 6);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "gtpu:teid 0x00000101");
	CHECK_EQ_INT(p.tunnel_teid, 0x101);

	/* an echo request is GTP-U's own signalling: the UDP packet itself, no anomaly */
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 2152, 2152);
	put8(&f, 0x32);
	put8(&f, 1);
	put16(&f, 4);
	put32(&f, 0);
	put32(&f, 0);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.dport, 2152);
	CHECK_EQ_INT(p.tunnel.n, 0);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* extension headers past their cap: malformed */
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 2152, 2152);
	put8(&f, 0x34);
	put8(&f, 0xff);
	put16(&f, 4 + 9 * 4 + 20);
	put32(&f, 1);
	put16(&f, 0);
	put8(&f, 0);
	put8(&f, 0x85);
	for (int i = 0; i < 9; i++) {
		put8(&f, 1);
		put16(&f, 0);
		put8(&f, 0x85);
	}
	put_fill(&f, 0, 20);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);
}

/* ---- nesting, the cap, cooked captures ---------------------------------------------- */

static void test_nesting(void)
{
	struct frame f = { .n = 0 };
	struct packet p;

	/* VXLAN in GRE */
	reset_stats();
	struct outer g = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x0800, 0, 0);
	size_t ip = ipv4_between(&f, 17, OUT_B, OUT_C);
	size_t u = f.n;
	udp(&f, 40000, 4789, 0);
	vxlan(&f, 0x08, 5000);
	inner_eth(&f);
	udp_close(&f, u);
	ipv4_close(&f, ip);
	outer_close(&f, g);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "gre / vxlan:vni 5000");
	CHECK_EQ_STR(fmt(&p.outer_src), "198.51.100.2"); /* the innermost tunnel's */
	CHECK_EQ_INT(st.ip_packets, 3);

	/* MPLS over Ethernet over VXLAN */
	f.n = 0;
	struct outer o = outer_udp(&f, OUT_A, OUT_B, 40000, 4789);
	vxlan(&f, 0x08, 10);
	ether(&f, 0x8847);
	mpls(&f, 100, 1);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "vxlan:vni 10 / mpls:label 100");

	/* GTP-U inside ERSPAN: a mirror of a mobile core's S1-U */
	f.n = 0;
	g = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 1);
	erspan2(&f, 100, 1);
	ether(&f, 0x0800);
	ip = ipv4_between(&f, 17, OUT_B, OUT_C);
	u = f.n;
	udp(&f, 2152, 2152, 0);
	gtpu(&f, 0x202, 20 + 8 + 6);
	inner_ip4(&f);
	udp_close(&f, u);
	ipv4_close(&f, ip);
	outer_close(&f, g);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "erspan2:session 100 / gtpu:teid 0x00000202");
	CHECK_EQ_INT(p.tunnel_teid, 0x202);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* the cap: TUNNEL_MAX_LAYERS IP-in-IP layers open, one more is not read */
	for (int layers = TUNNEL_MAX_LAYERS; layers <= TUNNEL_MAX_LAYERS + 1; layers++) {
		reset_stats();
		f.n = 0;
		ether(&f, 0x0800);
		size_t at[TUNNEL_MAX_LAYERS + 1];
		for (int i = 0; i < layers; i++)
			at[i] = ipv4_between(&f, 4, OUT_A, OUT_B);
		inner_ip4(&f);
		for (int i = layers - 1; i >= 0; i--)
			ipv4_close(&f, at[i]);
		enum decode_result r = run(&f, &p);
		if (layers == TUNNEL_MAX_LAYERS) {
			CHECK_EQ_INT(r, DECODE_OK);
			check_inner4(&p);
			CHECK_EQ_INT(p.tunnel.n, TUNNEL_MAX_LAYERS);
			CHECK_EQ_INT(stats_anomaly_total(&st), 0);
		} else {
			CHECK_EQ_INT(r, DECODE_MALFORMED);
			CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_DEPTH], 1);
		}
	}
}

static void test_cooked(void)
{
	struct frame f = { .n = 0 };
	struct packet p;

	/* Linux cooked v1 of an MPLS frame */
	reset_stats();
	put16(&f, 0);      /* packet type */
	put16(&f, 1);      /* ARPHRD_ETHER */
	put16(&f, 6);
	put_fill(&f, 0x22, 8);
	put16(&f, 0x8847);
	mpls(&f, 55, 1);
	inner_ip4(&f);
	CHECK_EQ_INT(run_with(dec, DLT_LINUX_SLL, &f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "mpls:label 55");

	/* Linux cooked v2 of ERSPAN II (tcpdump -i any on the collector) */
	f.n = 0;
	put16(&f, 0x0800);
	put16(&f, 0);
	put32(&f, 3);
	put16(&f, 1);
	put8(&f, 0);
	put8(&f, 6);
	put_fill(&f, 0x22, 8);
	size_t ip = ipv4_between(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 1);
	erspan2(&f, 3, 1);
	inner_eth(&f);
	ipv4_close(&f, ip);
	CHECK_EQ_INT(run_with(dec, DLT_LINUX_SLL2, &f, &p), DECODE_OK);
	check_inner4(&p);
	CHECK_EQ_STR(path(&p), "erspan2:session 3");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
}

/* ---- the path's text and the flow key ----------------------------------------------- */

static void test_path_text(void)
{
	struct tunnel_path t = { .n = 0 };
	char buf[TUNNEL_TEXT_MAX];
	CHECK_EQ_INT(tunnel_path_format(&t, buf, sizeof buf), 0);
	CHECK_EQ_STR(buf, "");
	static const struct {
		uint8_t kind;
		uint32_t id;
	} every[] = {
		{ TUNNEL_VLAN, 4095 },       { TUNNEL_MPLS, 1048575 }, { TUNNEL_PPPOE, 65535 },
		{ TUNNEL_NSH, 0xffffffff },  { TUNNEL_GRE, 0 },        { TUNNEL_GRE_KEY, 0xffffffff },
		{ TUNNEL_ERSPAN1, 0 },       { TUNNEL_ERSPAN2, 1023 },
	};
	for (unsigned i = 0; i < sizeof every / sizeof every[0]; i++) {
		t.kind[t.n] = every[i].kind;
		t.id[t.n++] = every[i].id;
	}
	size_t n = tunnel_path_format(&t, buf, sizeof buf);
	CHECK_EQ_STR(buf, "vlan 4095 / mpls:label 1048575 / pppoe:session 65535 / nsh:spi 16777215 si 255 / "
			  "gre / gre:key 4294967295 / erspan1 / erspan2:session 1023");
	CHECK_EQ_INT(n, strlen(buf));
	CHECK(n < TUNNEL_TEXT_MAX);
	static const uint8_t rest[] = { TUNNEL_ERSPAN3, TUNNEL_VXLAN, TUNNEL_VXLAN_GPE, TUNNEL_GENEVE,
					TUNNEL_IPIP, TUNNEL_IP6IP, TUNNEL_GTPU };
	for (unsigned i = 0; i < sizeof rest; i++) {
		t.n = 1;
		t.kind[0] = rest[i];
		t.id[0] = 0xffffffff;
		n = tunnel_path_format(&t, buf, sizeof buf);
		CHECK(n > 0 && n < 40);
	}
	/* a small buffer: cut, terminated, the length of what was written */
	t.n = 1;
	t.kind[0] = TUNNEL_GTPU;
	t.id[0] = 1;
	n = tunnel_path_format(&t, buf, 8);
	CHECK_EQ_STR(buf, "gtpu:te");
	CHECK_EQ_INT(n, 7);
}

/* One VXLAN-carried packet: outer a → b, VNI vni, inner src:sport → dst:dport swapped when reply. */
static void vxlan_packet(struct frame *f, const uint8_t *a, const uint8_t *b, uint32_t vni, int reply)
{
	f->n = 0;
	struct outer o = outer_udp(f, a, b, reply ? 50001 : 50000, 4789);
	vxlan(f, 0x08, vni);
	ether(f, 0x0800);
	static const uint8_t X[4] = { 10, 0, 0, 1 }, Y[4] = { 192, 168, 1, 2 };
	size_t ip = ipv4_between(f, 17, reply ? Y : X, reply ? X : Y);
	size_t u = f->n;
	udp(f, reply ? 5060 : 5061, reply ? 5061 : 5060, 0);
	put_bytes(f, "x", 1);
	udp_close(f, u);
	ipv4_close(f, ip);
	outer_close(f, o);
}

static void test_flow_key(void)
{
	struct frame f = { .n = 0 };
	struct packet p;

	/* a packet and its reply through one tunnel: one key; reversed ends: the same */
	vxlan_packet(&f, OUT_A, OUT_B, 5000, 0);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	uint32_t key = p.tunnel_key;
	CHECK(key != 0);
	vxlan_packet(&f, OUT_B, OUT_A, 5000, 1);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_INT(p.tunnel_key, key);
	/* another VNI, another mirror (source): other keys */
	vxlan_packet(&f, OUT_A, OUT_B, 5001, 0);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK(p.tunnel_key != key);
	vxlan_packet(&f, OUT_C, OUT_B, 5000, 0);
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK(p.tunnel_key != key);
	/* with merge_mirrors the tunnel is no part of the key */
	struct decode_config cfg = { .merge_mirrors = true };
	struct decoder *merged = decoder_new(&cfg, NULL);
	CHECK(merged != NULL);
	CHECK_EQ_INT(run_with(merged, DLT_EN10MB, &f, &p), DECODE_OK);
	CHECK_EQ_INT(p.tunnel_key, 0);
	CHECK_EQ_STR(path(&p), "vxlan:vni 5000"); /* the path is still there */
	decoder_free(merged);

	/* GTP-U: uplink and downlink have their own TEIDs and reversed ends; two hops of
	   one core other ends: every one of them the same flow key (the hops' fragments
	   are kept apart by the fragment key: test_frag.c) */
	uint32_t keys[3];
	const uint8_t *ends[3][2] = { { OUT_A, OUT_B }, { OUT_B, OUT_A }, { OUT_B, OUT_C } };
	for (int i = 0; i < 3; i++) {
		f.n = 0;
		struct outer o = outer_udp(&f, ends[i][0], ends[i][1], 2152, 2152);
		gtpu(&f, (uint32_t)(0x100 + i), 20 + 8 + 6);
		inner_ip4(&f);
		outer_close(&f, o);
		CHECK_EQ_INT(run(&f, &p), DECODE_OK);
		keys[i] = p.tunnel_key;
	}
	CHECK_EQ_INT(keys[1], keys[0]);
	CHECK_EQ_INT(keys[2], keys[0]);
}

/* Fragments of an inner datagram inside GRE come back whole, the path kept. */
static void test_inner_fragments(void)
{
	struct frame f = { .n = 0 };
	struct packet p;
	static uint8_t dgram[1208];
	for (size_t i = 0; i < sizeof dgram; i++)
		dgram[i] = (uint8_t)i;
	dgram[0] = 0x13; /* UDP 5060 → 5060, length 1208 */
	dgram[1] = 0xc4;
	dgram[2] = 0x13;
	dgram[3] = 0xc4;
	dgram[4] = 1208 >> 8;
	dgram[5] = 1208 & 0xff;
	dgram[6] = dgram[7] = 0;
	reset_stats();
	for (int part = 0; part < 2; part++) {
		f.n = 0;
		struct outer o = outer_ip(&f, 47, OUT_A, OUT_B);
		gre(&f, 0x2000, 0x0800, 5, 0);
		size_t ip = ipv4(&f, 17, 0, 0);
		f.b[ip + 4] = 0x77; /* id */
		f.b[ip + 6] = part ? 0 : 0x20; /* MF on the first */
		f.b[ip + 7] = part ? 600 / 8 : 0;
		put_bytes(&f, dgram + part * 600, part ? sizeof dgram - 600 : 600);
		ipv4_close(&f, ip);
		outer_close(&f, o);
		enum decode_result r = run(&f, &p);
		CHECK_EQ_INT(r, part ? DECODE_OK : DECODE_HELD);
	}
	CHECK(p.reassembled);
	CHECK_EQ_INT(p.sport, 5060);
	CHECK_EQ_INT(p.payload_len, sizeof dgram - 8);
	CHECK_EQ_STR(path(&p), "gre:key 5");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
}

/*
 * Public captures with PPPoE, against tshark's reading of them (TShark 4.0.17):
 *   data/dns__nDPI__dns.pcap (nDPI, tests/unit/data/PROVENANCE.md): frames 4 and 5 are
 *     DNS for e7.whatsapp.net, 82.178.113.245 <-> 82.178.158.181, inside VLANs 421 and
 *     785 and PPPoE session 0x556a;
 *   ../pcap/sip/pcapplusplus_reqs/capture.pcap (PcapPlusPlus, its PROVENANCE.md):
 *     frames 2 and 3 are a SIP CANCEL and ACK, 178.45.73.241:1032 -> 213.192.59.75:5060
 *     and back from 5060, inside PPPoE session 0x18e5.
 */
static void public_capture(const char *file, unsigned frame, const char *src, unsigned sport,
			   const char *want_path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(file, errbuf);
	CHECK(pc != NULL);
	if (!pc)
		return;
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned n = 0;
	struct packet p;
	enum decode_result r = DECODE_SKIP;
	while (n < frame && pcap_next_ex(pc, &h, &data) == 1) {
		n++;
		memset(&p, 0, sizeof p);
		p.caplen = h->caplen;
		p.wirelen = h->len;
		struct packet g = p;
		r = decode_frame(dec, pcap_datalink(pc), data, &p);
		CHECK(same_as_general(r, &p, decode_frame(dec_general, pcap_datalink(pc), data, &g), &g));
	}
	pcap_close(pc);
	CHECK_EQ_INT(n, frame);
	CHECK_EQ_INT(r, DECODE_OK);
	CHECK_EQ_STR(fmt(&p.src), src);
	CHECK_EQ_INT(p.sport, sport);
	CHECK_EQ_STR(path(&p), want_path);
}

static void test_public_captures(void)
{
	reset_stats();
	public_capture("data/dns__nDPI__dns.pcap", 4, "82.178.113.245", 47255, "vlan 421 / vlan 785 / pppoe:session 21866");
	public_capture("data/dns__nDPI__dns.pcap", 5, "82.178.158.181", 53, "vlan 421 / vlan 785 / pppoe:session 21866");
	public_capture("../pcap/sip/pcapplusplus_reqs/capture.pcap", 2, "178.45.73.241", 1032, "pppoe:session 6373");
	public_capture("../pcap/sip/pcapplusplus_reqs/capture.pcap", 3, "213.192.59.75", 5060, "pppoe:session 6373");
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
}

/* ---- the short-cut (decode/ether.c) ------------------------------------------------- */

/* Decodes f (every frame is also decoded by the general path alone, and the two must
 * agree: decode_checked) and says whether the short-cut opened a layer of it. */
static bool short_cut_taken(const struct frame *f, size_t caplen, enum decode_result want)
{
	struct packet p;
	uint64_t before = dec->short_cuts;
	CHECK_EQ_INT(decode_checked(dec, DLT_EN10MB, f, caplen, &p), want);
	return dec->short_cuts != before;
}

/* VXLAN on its port, outer a → b, carrying the usual inner frame. */
static void vxlan_frame(struct frame *f, unsigned sport, unsigned dport, unsigned flags)
{
	f->n = 0;
	struct outer o = outer_udp(f, OUT_A, OUT_B, sport, dport);
	vxlan(f, flags, 5000);
	inner_eth(f);
	outer_close(f, o);
}

static void test_short_cut(void)
{
	struct frame f = { .n = 0 };
	struct outer o;
	reset_stats();

	/* taken: each common outer stack, and one of them after a VLAN tag and with link padding */
	vxlan_frame(&f, 50000, 4789, 0x08);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.b[f.n] = 0; /* two bytes of padding after the datagram: its length rules */
	f.b[f.n + 1] = 0;
	f.n += 2;
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 50000, 6081);
	geneve(&f, 0, 2, 0x6558, 77);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 40001, 4790);
	gpe(&f, 0x0c, 1, 9);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 2152, 2152);
	gtpu(&f, 0x101, 20 + 8 + 6);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x0800, 0, 0);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 7);
	erspan2(&f, 100, 1);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	/* nested: GTP-U inside the ERSPAN's frame, both layers by the short-cut */
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 7);
	erspan2(&f, 100, 1);
	struct outer o2 = outer_udp(&f, OUT_B, OUT_C, 2152, 2152);
	gtpu(&f, 0x202, 20 + 8 + 6);
	inner_ip4(&f);
	outer_close(&f, o2);
	outer_close(&f, o);
	uint64_t before = dec->short_cuts;
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	CHECK_EQ_INT(dec->short_cuts - before, 2);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);

	/* not taken, and the general path decides as it always did (decode_checked) */
	/* UDP to 4789 that is not VXLAN (no I flag): a look-alike, counted, read as UDP */
	vxlan_frame(&f, 50000, 4789, 0x00);
	CHECK(!short_cut_taken(&f, f.n, DECODE_OK));
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_MALFORMED], 1);
	/* from GTP-U's port to VXLAN's: GTP-U's port comes first, and this is no G-PDU */
	vxlan_frame(&f, 2152, 4789, 0x08);
	CHECK(!short_cut_taken(&f, f.n, DECODE_OK));
	/* another port: the exact-header look is the general path's */
	vxlan_frame(&f, 50000, 8472, 0x08);
	CHECK(!short_cut_taken(&f, f.n, DECODE_OK));
	/* IPv4 with options: the general path opens the VXLAN inside */
	f.n = 0;
	ether(&f, 0x0800);
	size_t ip = ipv4(&f, 17, 0, 4);
	memcpy(f.b + ip + 12, OUT_A, 4);
	memcpy(f.b + ip + 16, OUT_B, 4);
	size_t u = f.n;
	udp(&f, 50000, 4789, 0);
	vxlan(&f, 0x08, 5000);
	inner_eth(&f);
	udp_close(&f, u);
	ipv4_close(&f, ip);
	struct packet p;
	CHECK(!short_cut_taken(&f, f.n, DECODE_OK));
	CHECK_EQ_INT(run(&f, &p), DECODE_OK);
	CHECK_EQ_STR(path(&p), "vxlan:vni 5000");
	/* a fragment (MF set, then a non-zero offset): held for reassembly, never a tunnel */
	vxlan_frame(&f, 50000, 4789, 0x08);
	f.b[14 + 6] = 0x20;
	CHECK(!short_cut_taken(&f, f.n, DECODE_HELD));
	vxlan_frame(&f, 50000, 4789, 0x08);
	f.b[14 + 7] = 0x10;
	CHECK(!short_cut_taken(&f, f.n, DECODE_HELD));
	/* truncated by the capture: inside the outer IPv4, the UDP and the VXLAN header, the
	   inner Ethernet header, and the inner packet (the outer datagram cut) */
	vxlan_frame(&f, 50000, 4789, 0x08);
	CHECK(!short_cut_taken(&f, 14 + 10, DECODE_TRUNCATED));
	CHECK(!short_cut_taken(&f, 14 + 24, DECODE_TRUNCATED));
	CHECK(!short_cut_taken(&f, 14 + 28 + 4, DECODE_TRUNCATED));
	CHECK(!short_cut_taken(&f, 14 + 28 + 8 + 10, DECODE_TRUNCATED));
	CHECK(!short_cut_taken(&f, f.n - 3, DECODE_OK)); /* the inner payload cut, as the capture left it */
	/* malformed: the UDP length past its datagram, and below its own header */
	vxlan_frame(&f, 50000, 4789, 0x08);
	set16(&f, 14 + 24, (unsigned)(f.n - 14 - 20 + 1));
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	set16(&f, 14 + 24, 7);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	/* ... and a UDP datagram shorter than its IP packet (bytes after it): the general
	   way, whatever it makes of the inner frame it cuts */
	set16(&f, 14 + 24, (unsigned)(f.n - 14 - 20 - 2));
	CHECK(!short_cut_taken(&f, f.n, DECODE_OK));
	/* ... the IPv4 total length below the headers it must hold */
	vxlan_frame(&f, 50000, 4789, 0x08);
	set16(&f, 14 + 2, 27);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	/* ... no inner Ethernet header behind the VXLAN one */
	f.n = 0;
	o = outer_udp(&f, OUT_A, OUT_B, 50000, 4789);
	vxlan(&f, 0x08, 5000);
	put_fill(&f, 0, 6);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	/* GRE that carries what the decoder does not open (PPP): the GRE packet itself */
	f.n = 0;
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x880b, 0, 0);
	put_fill(&f, 0xff, 8);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_OK));
	/* the short-cut's own reads of GRE (the first word: IPv4 with no flags, ERSPAN II)
	   and of Geneve (version 0 with a frame in one compare, the options by their
	   length): taken for what they take, and their look-alikes left to the general path */
	f.n = 0; /* ERSPAN I (0x88be without the sequence bit): through gre_parse, taken */
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x88be, 0, 0);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0; /* ERSPAN II with another version: malformed, counted by the general path */
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 7);
	erspan2(&f, 100, 2);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	f.n = 0; /* ERSPAN II's header cut by the datagram's end (4 of its 8 bytes) */
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 7);
	put_fill(&f, 0x10, 4);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	f.n = 0; /* ERSPAN II with no frame behind it */
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x1000, 0x88be, 0, 7);
	erspan2(&f, 100, 1);
	put_fill(&f, 0, 6);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	f.n = 0; /* GRE with a key before IPv4: not the first word's fast case, gre_parse's */
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0x2000, 0x0800, 9, 0);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0; /* GRE, IPv4, and too short a packet for the short-cut's 36 bytes (the inner
		   IPv4 header cut, as ip.c says of it) */
	o = outer_ip(&f, 47, OUT_A, OUT_B);
	gre(&f, 0, 0x0800, 0, 0);
	put_fill(&f, 0x45, 8);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_TRUNCATED));
	f.n = 0; /* Geneve carrying IPv4 (no frame): taken, the protocol from its header */
	o = outer_udp(&f, OUT_A, OUT_B, 50000, 6081);
	geneve(&f, 0, 1, 0x0800, 78);
	inner_ip4(&f);
	outer_close(&f, o);
	CHECK(short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0; /* Geneve version 1 naming a frame: not Geneve, read as the UDP it is */
	o = outer_udp(&f, OUT_A, OUT_B, 50000, 6081);
	geneve(&f, 1, 0, 0x6558, 79);
	inner_eth(&f);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_OK));
	f.n = 0; /* Geneve whose options run past the datagram */
	o = outer_udp(&f, OUT_A, OUT_B, 50000, 6081);
	geneve(&f, 0, 0, 0x6558, 80);
	inner_eth(&f);
	f.b[o.udp + 8] = 0x3f; /* 63 words of options */
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	f.n = 0; /* Geneve's options leave no room for the frame's Ethernet header */
	o = outer_udp(&f, OUT_A, OUT_B, 50000, 6081);
	geneve(&f, 0, 2, 0x6558, 81);
	put_fill(&f, 0, 12);
	outer_close(&f, o);
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));

	/* at the depth cap (eight VLAN tags before it): the general path counts it */
	f.n = 0;
	ether(&f, 0x8100);
	for (int i = 0; i < TUNNEL_MAX_LAYERS; i++) {
		put16(&f, 10 + (unsigned)i);
		put16(&f, i + 1 < TUNNEL_MAX_LAYERS ? 0x8100 : 0x0800);
	}
	o.ip = ipv4_between(&f, 17, OUT_A, OUT_B);
	o.udp = f.n;
	udp(&f, 50000, 4789, 0);
	vxlan(&f, 0x08, 5000);
	inner_eth(&f);
	outer_close(&f, o);
	reset_stats();
	CHECK(!short_cut_taken(&f, f.n, DECODE_MALFORMED));
	CHECK_EQ_INT(st.anomalies[ANOM_TUNNEL_DEPTH], 1);

	/* with merge_mirrors too: the same path, no tunnel in the key */
	struct decode_config cfg = { .merge_mirrors = true };
	struct decoder *merged = decoder_new(&cfg, NULL);
	CHECK(merged != NULL);
	if (merged) {
		vxlan_frame(&f, 50000, 4789, 0x08);
		CHECK_EQ_INT(run_with(merged, DLT_EN10MB, &f, &p), DECODE_OK);
		CHECK_EQ_INT(merged->short_cuts, 1);
		CHECK_EQ_INT(p.tunnel_key, 0);
		CHECK_EQ_STR(path(&p), "vxlan:vni 5000");
		decoder_free(merged);
	}
}

int main(void)
{
	dec = decoder_new(NULL, &st);
	dec_general = decoder_new(NULL, &st_general);
	CHECK(dec != NULL && dec_general != NULL);
	if (!dec || !dec_general)
		return check_done("test_tunnel");
	dec_general->short_cut_depth = 0; /* the short-cut off */
	test_gre();
	test_erspan();
	test_vxlan();
	test_geneve();
	test_mpls();
	test_pppoe();
	test_nsh();
	test_ip_in_ip();
	test_gtpu();
	test_nesting();
	test_cooked();
	test_path_text();
	test_flow_key();
	test_inner_fragments();
	test_public_captures();
	test_short_cut();
	decoder_free(dec);
	decoder_free(dec_general);
	return check_done("test_tunnel");
}
