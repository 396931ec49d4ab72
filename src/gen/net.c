/*
 * net.c — the generator's packets from the link layer up to the transport: Ethernet II,
 * IPv4 (RFC 791) and IPv6 (RFC 8200) with correct header and L4 checksums (RFC 768,
 * RFC 9293 pseudo-headers; RFC 8200 §8.1 for IPv6), TCP with real sequence numbers and
 * acknowledgements, GTP-U encapsulation (3GPP TS 29.281 §5: G-PDU over UDP 2152
 * between the SGW and the PGW on S5/S8), and the fragmentation noise (RFC 791 §3.2).
 *
 * The address plan (documentation and shared ranges only, so nothing here is anyone's
 * real address):
 *   S5 link        SGW 172.16.1.10+i, PGW 172.16.2.10 (GTPv2-C 2123, GTP-U 2152)
 *   IMS            P-CSCF 172.16.10.1 / 2001:db8:f::10, port 5060; media gateway .2
 *   DNS            172.16.20.53 / 2001:db8:f::53
 *   UE addresses   100.64.0.0/10 (RFC 6598 shared space, as carrier NAT pools use) and
 *                  2001:db8:8xxx:xxxx::1 (one /64 per IPv6 PDN)
 *   Wi-Fi clients  10.200.0.0/16 behind the Wi-Fi gateway (RADIUS NAS 172.16.50.1)
 */
#include <string.h>

#include "gen/gen_internal.h"

const char gen_ims_domain[] = "ims.mnc001.mcc001.3gppnetwork.org";

enum {
	ETH_HDR = 14,
	IP4_HDR = 20,
	IP6_HDR = 40,
	UDP_HDR = 8,
	GTPU_HDR = 8,
	FRAG_MTU = 576, /* the noise option's path MTU: RFC 791's minimum datagram size */
};

/* Locally administered MACs, one pair per link: [link][side]. */
static const uint8_t link_mac[4][2][6] = {
	{ { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 }, { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 } },
	{ { 0x02, 0x00, 0x5e, 0x20, 0x00, 0x01 }, { 0x02, 0x00, 0x5e, 0x20, 0x00, 0x02 } },
	{ { 0x02, 0x00, 0x5e, 0x30, 0x00, 0x01 }, { 0x02, 0x00, 0x5e, 0x30, 0x00, 0x02 } },
	{ { 0x02, 0x00, 0x5e, 0x40, 0x00, 0x01 }, { 0x02, 0x00, 0x5e, 0x40, 0x00, 0x02 } },
};

void gen_addr4(struct ip_addr *a, unsigned b0, unsigned b1, unsigned b2, unsigned b3)
{
	uint8_t b[4] = { (uint8_t)b0, (uint8_t)b1, (uint8_t)b2, (uint8_t)b3 };
	addr_set_v4(a, b);
}

static void addr6(struct ip_addr *a, const uint8_t pre[8], uint64_t low)
{
	uint8_t b[16];
	memcpy(b, pre, 8);
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(low >> (56 - 8 * i));
	addr_set_v6(a, b);
}

const char *gen_addr_text(const struct ip_addr *a, char *buf)
{
	return addr_format(a, buf, ADDR_STRLEN);
}

int gen_sub_family(const struct subscriber *s)
{
	return (s->wifi || !s->v6) ? 4 : 6;
}

/* A server of the operator's own: 172.16.net.host, or 2001:db8:f::low6 over IPv6. */
static void operator_server(struct ip_addr *a, int family, unsigned net, unsigned host, uint64_t low6)
{
	static const uint8_t pre[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0f, 0, 0 };
	if (family == 6)
		addr6(a, pre, low6);
	else
		gen_addr4(a, 172, 16, net, host);
}

void gen_pcscf(struct ip_addr *a, int family)
{
	operator_server(a, family, 10, 1, 0x10);
}

void gen_dns_server(struct ip_addr *a, int family)
{
	operator_server(a, family, 20, 53, 0x53);
}

void gen_server_addr(struct ip_addr *out, const struct ip_addr *v4, int family)
{
	if (family != 6 || v4->family != 4) {
		*out = *v4;
		return;
	}
	const uint8_t *q = v4->bytes;
	uint8_t b[16] = { 0 };
	if (q[0] == 17) { /* Apple: 2620:149::/32 */
		b[0] = 0x26, b[1] = 0x20, b[2] = 0x01, b[3] = 0x49;
		b[5] = q[1], b[7] = q[2], b[15] = q[3];
	} else if ((q[0] == 157 && q[1] == 240) || (q[0] == 31 && q[1] == 13) || q[0] == 179) {
		b[0] = 0x2a, b[1] = 0x03, b[2] = 0x28, b[3] = 0x80; /* Meta: 2a03:2880::/32 */
		b[4] = 0xf0, b[5] = q[2], b[7] = q[3], b[14] = 0xfa, b[15] = 0xce;
	} else if (q[0] == 149 && q[1] == 154) { /* Telegram: 2001:67c:4e8::/48 (core.telegram.org/resources/cidr.txt) */
		b[0] = 0x20, b[1] = 0x01, b[2] = 0x06, b[3] = 0x7c, b[4] = 0x04, b[5] = 0xe8;
		b[6] = 0xf0, b[7] = q[2], b[15] = q[3];
	} else { /* NAT64 well-known prefix */
		b[1] = 0x64, b[2] = 0xff, b[3] = 0x9b;
		memcpy(b + 12, q, 4);
	}
	addr_set_v6(out, b);
}

void gen_sub_path(struct gen_ctx *g, const struct subscriber *s, struct gen_path *path, struct ip_addr *addr)
{
	(void)g;
	memset(path, 0, sizeof *path);
	if (s->wifi) {
		path->link = LINK_WIFI;
		*addr = s->wifi_ip;
		return;
	}
	path->link = LINK_S5;
	path->tunnel = true;
	gen_addr4(&path->sgw_u, 172, 16, 1, 10u + s->sgw);
	gen_addr4(&path->pgw_u, 172, 16, 2, 10);
	path->teid_up = s->teid_u_pgw;
	path->teid_down = s->teid_u_sgw;
	*addr = s->ue_ip;
}

uint16_t gen_ephemeral_port(struct gen_ctx *g, struct subscriber *s)
{
	/* iOS and Android pick ephemeral ports from 49152-65535 (IANA dynamic range) */
	if (s->next_port < 49152)
		s->next_port = (uint16_t)gen_rng_between(&g->rng, 49152, 60000);
	uint16_t p = s->next_port;
	s->next_port = p >= 65500 ? 49152 : (uint16_t)(p + gen_rng_between(&g->rng, 1, 7));
	return p;
}

static uint32_t isn(struct gen_ctx *g)
{
	return (uint32_t)gen_rng_u64(&g->rng);
}

void gen_conn_sub(struct gen_ctx *g, struct gen_conn *c, struct subscriber *s, uint8_t proto,
		  const struct ip_addr *srv, uint16_t port)
{
	memset(c, 0, sizeof *c);
	gen_sub_path(g, s, &c->path, &c->a);
	gen_server_addr(&c->b, srv, c->a.family);
	c->pa = gen_ephemeral_port(g, s);
	c->pb = port;
	c->proto = proto;
	c->seq[0] = isn(g);
	c->seq[1] = isn(g);
	c->ipid[0] = (uint16_t)gen_rng_u64(&g->rng);
	c->ipid[1] = (uint16_t)gen_rng_u64(&g->rng);
	/* inside GTP-U the UE's MSS leaves room for 36+ bytes of tunnel in a 1500 MTU */
	c->mss = c->path.tunnel ? 1360 : 1448;
}

void gen_conn_plain(struct gen_ctx *g, struct gen_conn *c, uint8_t link, uint8_t proto, const struct ip_addr *a,
		    uint16_t pa, const struct ip_addr *b, uint16_t pb)
{
	memset(c, 0, sizeof *c);
	c->path.link = link;
	c->a = *a;
	c->b = *b;
	c->pa = pa;
	c->pb = pb;
	c->proto = proto;
	c->seq[0] = isn(g);
	c->seq[1] = isn(g);
	c->ipid[0] = (uint16_t)gen_rng_u64(&g->rng);
	c->ipid[1] = (uint16_t)gen_rng_u64(&g->rng);
	c->mss = 1448;
}

/* ---- assembling a frame back to front in g->frame ---- */

struct fb {
	uint8_t *buf;
	size_t head; /* first used byte */
	size_t end;  /* one past the last */
};

static uint8_t *fb_push(struct fb *f, size_t n)
{
	if (n > f->head)
		gen_wb_overflow();
	f->head -= n;
	return f->buf + f->head;
}

static uint32_t pseudo_sum(const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto, size_t len)
{
	uint32_t sum = 0;
	if (src->family == 4) {
		sum = gen_csum_add(sum, src->bytes, 4);
		sum = gen_csum_add(sum, dst->bytes, 4);
	} else {
		sum = gen_csum_add(sum, src->bytes, 16);
		sum = gen_csum_add(sum, dst->bytes, 16);
	}
	return sum + proto + (uint32_t)len;
}

/* Fills the L4 checksum of the segment at p (UDP or TCP). */
static void l4_checksum(uint8_t *p, size_t len, uint8_t proto, const struct ip_addr *src, const struct ip_addr *dst)
{
	size_t at = proto == 6 ? 16 : proto == 17 ? 6 : 0;
	if (!at)
		return;
	p[at] = p[at + 1] = 0;
	uint16_t ck = gen_csum_fold(gen_csum_add(pseudo_sum(src, dst, proto, len), p, len));
	if (proto == 17 && ck == 0)
		ck = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	wb_put_be16(p + at, ck);
}

static void push_ip(struct fb *f, const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto, uint16_t id,
		    uint8_t ttl, bool df)
{
	size_t len = f->end - f->head;
	if (src->family == 4) {
		uint8_t *h = fb_push(f, IP4_HDR);
		h[0] = 0x45;
		h[1] = 0;
		wb_put_be16(h + 2, (unsigned)(len + IP4_HDR));
		wb_put_be16(h + 4, id);
		wb_put_be16(h + 6, df ? 0x4000 : 0);
		h[8] = ttl;
		h[9] = proto;
		h[10] = h[11] = 0;
		memcpy(h + 12, src->bytes, 4);
		memcpy(h + 16, dst->bytes, 4);
		wb_put_be16(h + 10, gen_csum_fold(gen_csum_add(0, h, IP4_HDR)));
	} else {
		uint8_t *h = fb_push(f, IP6_HDR);
		wb_put_be32(h, 0x60000000u | id); /* the flow label carries the per-flow id */
		wb_put_be16(h + 4, (unsigned)len);
		h[6] = proto;
		h[7] = ttl;
		memcpy(h + 8, src->bytes, 16);
		memcpy(h + 24, dst->bytes, 16);
	}
}

/* Writes the finished IP datagram at f as one frame, or as fragments (noise). */
static void out_frames(struct gen_ctx *g, struct fb *f, uint8_t link, int dir, uint64_t ts)
{
	const uint8_t *src_mac = link_mac[link & 3][dir], *dst_mac = link_mac[link & 3][!dir];
	uint8_t *ip = f->buf + f->head;
	size_t iplen = f->end - f->head;
	bool v4 = (ip[0] >> 4) == 4;
	if (!(g->opt->noise & GEN_NOISE_FRAGMENT) || !v4 || iplen <= FRAG_MTU || (ip[6] & 0x40)) {
		uint8_t *e = fb_push(f, ETH_HDR);
		memcpy(e, dst_mac, 6);
		memcpy(e + 6, src_mac, 6);
		wb_put_be16(e + 12, v4 ? 0x0800 : 0x86dd);
		gen_batch_add(g, ts, e, f->end - f->head);
		return;
	}
	/* RFC 791 fragmentation: 8-byte multiples, MF on all but the last */
	size_t hl = (size_t)(ip[0] & 0x0f) * 4, data = iplen - hl, chunk = ((FRAG_MTU - hl) / 8) * 8;
	uint8_t frag[ETH_HDR + FRAG_MTU];
	uint8_t tag = g->tag;
	for (size_t off = 0; off < data; off += chunk) {
		size_t n = data - off < chunk ? data - off : chunk;
		bool more = off + n < data;
		memcpy(frag, dst_mac, 6);
		memcpy(frag + 6, src_mac, 6);
		wb_put_be16(frag + 12, 0x0800);
		uint8_t *h = frag + ETH_HDR;
		memcpy(h, ip, hl);
		wb_put_be16(h + 2, (unsigned)(hl + n));
		wb_put_be16(h + 6, (unsigned)((more ? 0x2000 : 0) | (off / 8)));
		h[10] = h[11] = 0;
		wb_put_be16(h + 10, gen_csum_fold(gen_csum_add(0, h, hl)));
		memcpy(h + hl, ip + hl + off, n);
		g->tag = more ? TAG_NONE : tag; /* the message is whole only with its last fragment */
		gen_batch_add(g, ts + off / chunk, frag, ETH_HDR + hl + n);
	}
	g->tag = tag;
}

void gen_ip(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, const uint8_t *l4, size_t len)
{
	struct fb f = { g->frame, GEN_HEADROOM, GEN_HEADROOM + len };
	if (len > GEN_FRAME_CAP - GEN_HEADROOM)
		gen_wb_overflow();
	memcpy(g->frame + GEN_HEADROOM, l4, len);
	const struct ip_addr *src = dir ? &c->b : &c->a, *dst = dir ? &c->a : &c->b;
	l4_checksum(g->frame + GEN_HEADROOM, len, c->proto, src, dst);
	/* TTLs as seen at the sensor: the UE's 64 less a hop; servers' 64 less the internet's */
	uint8_t ttl = dir == 0 ? 63 : (c->path.tunnel ? 52 : 62);
	push_ip(&f, src, dst, c->proto, c->ipid[dir]++, ttl, c->proto == 6);
	if (c->path.tunnel) {
		size_t inner = f.end - f.head;
		uint8_t *gt = fb_push(&f, GTPU_HDR);
		gt[0] = 0x30; /* version 1, PT 1 (GTP), no optional fields */
		gt[1] = 0xff; /* G-PDU */
		wb_put_be16(gt + 2, (unsigned)inner);
		wb_put_be32(gt + 4, dir == 0 ? c->path.teid_up : c->path.teid_down);
		uint8_t *u = fb_push(&f, UDP_HDR);
		wb_put_be16(u, 2152);
		wb_put_be16(u + 2, 2152);
		wb_put_be16(u + 4, (unsigned)(inner + GTPU_HDR + UDP_HDR));
		const struct ip_addr *osrc = dir == 0 ? &c->path.sgw_u : &c->path.pgw_u;
		const struct ip_addr *odst = dir == 0 ? &c->path.pgw_u : &c->path.sgw_u;
		l4_checksum(u, inner + GTPU_HDR + UDP_HDR, 17, osrc, odst);
		/* the outer IPv4 id: derived from the inner one, so it is per-tunnel monotonic enough */
		push_ip(&f, osrc, odst, 17, (uint16_t)(c->ipid[dir] * 7u + c->path.teid_up), 64, false);
	}
	out_frames(g, &f, c->path.link, dir, ts);
	g->tag = TAG_NONE; /* a tag names one message: callers set it per packet */
}

void gen_udp(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, const uint8_t *pl, size_t len)
{
	struct wbuf b = wb_make(g->l4, sizeof g->l4);
	wb_be16(&b, dir ? c->pb : c->pa);
	wb_be16(&b, dir ? c->pa : c->pb);
	wb_be16(&b, (unsigned)(len + UDP_HDR));
	wb_be16(&b, 0);
	wb_mem(&b, pl, len);
	gen_ip(g, c, dir, ts, b.p, b.len);
	g->tag = TAG_NONE;
}

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };

static void tcp_segment(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, unsigned flags, const uint8_t *data,
			size_t len)
{
	struct wbuf b = wb_make(g->l4, sizeof g->l4);
	bool syn = flags & TH_SYN;
	wb_be16(&b, dir ? c->pb : c->pa);
	wb_be16(&b, dir ? c->pa : c->pb);
	wb_be32(&b, c->seq[dir]);
	wb_be32(&b, (flags & TH_ACK) ? c->seq[!dir] : 0);
	wb_u8(&b, (syn ? 6u : 5u) << 4);
	wb_u8(&b, flags);
	wb_be16(&b, dir ? 65160 : 64240); /* Linux's initial windows, as the captures show */
	wb_be16(&b, 0);
	wb_be16(&b, 0);
	if (syn) {
		wb_u8(&b, 2); /* MSS option */
		wb_u8(&b, 4);
		wb_be16(&b, c->mss);
	}
	wb_mem(&b, data, len);
	gen_ip(g, c, dir, ts, b.p, b.len);
}

uint64_t gen_tcp_open(struct gen_ctx *g, struct gen_conn *c, uint64_t ts, uint32_t rtt_us)
{
	g->tag = TAG_NONE;
	tcp_segment(g, c, 0, ts, TH_SYN, NULL, 0);
	c->seq[0]++;
	tcp_segment(g, c, 1, ts + rtt_us, TH_SYN | TH_ACK, NULL, 0);
	c->seq[1]++;
	tcp_segment(g, c, 0, ts + rtt_us + 40, TH_ACK, NULL, 0);
	return ts + rtt_us + 40;
}

uint64_t gen_tcp_send(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, const uint8_t *data, size_t len,
		      uint32_t ack_delay_us)
{
	size_t off = 0;
	uint64_t t = ts;
	uint8_t tag = g->tag;
	while (off < len) {
		size_t n = len - off < c->mss ? len - off : c->mss;
		unsigned flags = TH_ACK | (off + n == len ? TH_PSH : 0);
		uint32_t seq = c->seq[dir];
		g->tag = off + n == len ? tag : TAG_NONE;
		tcp_segment(g, c, dir, t, flags, data + off, n);
		if ((g->opt->noise & GEN_NOISE_RETRANS) && gen_rng_chance(&g->rng, 0.03)) {
			/* the same segment again after Linux's minimum RTO (200 ms); a
			 * retransmission is not dissected again by tshark, so it is not counted */
			uint32_t next = c->seq[dir];
			c->seq[dir] = seq;
			g->tag = TAG_NONE;
			tcp_segment(g, c, dir, t + 200000, flags, data + off, n);
			c->seq[dir] = next;
		}
		c->seq[dir] += (uint32_t)n;
		off += n;
		t += 30; /* back-to-back segments at ~400 Mbit/s */
	}
	g->tag = TAG_NONE;
	if (ack_delay_us) {
		t += ack_delay_us;
		tcp_segment(g, c, !dir, t, TH_ACK, NULL, 0);
	}
	return t;
}

void gen_tcp_ack(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts)
{
	g->tag = TAG_NONE;
	tcp_segment(g, c, dir, ts, TH_ACK, NULL, 0);
}

uint64_t gen_tcp_close(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, uint32_t rtt_us)
{
	g->tag = TAG_NONE;
	tcp_segment(g, c, dir, ts, TH_FIN | TH_ACK, NULL, 0);
	c->seq[dir]++;
	tcp_segment(g, c, !dir, ts + rtt_us, TH_FIN | TH_ACK, NULL, 0);
	c->seq[!dir]++;
	tcp_segment(g, c, dir, ts + rtt_us + 40, TH_ACK, NULL, 0);
	return ts + rtt_us + 40;
}
