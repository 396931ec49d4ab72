/*
 * whatsapp.c — WhatsApp chat connections, messages and calls as a sensor sees them.
 * WhatsApp publishes no wire specification; its transport is the Noise Protocol
 * Framework (WhatsApp Encryption Overview, 2017-2023) in frames with a 3-byte length
 * prefix. Shapes, from nDPI's captures:
 *
 *   connection  TCP 443 (seven in ten) or 5222 to Meta's ranges (157.240.0.0/16,
 *               31.13.64.0/18; whatsapp.pcap: 179.60.195.49:5222, wa_voice.pcap:
 *               157.240.20.53:5222, 31.13.86.51:443), name "g.whatsapp.net".
 *   preamble    the first client segment is the 4 bytes "ED\0\1" alone, the next
 *               starts "\0\0\4" + 4 routing bytes + "WA" + version 5.2 and the
 *               Noise client hello frame (whatsapp.pcap: 4-byte then 284-byte
 *               segments, "45440001", "000004080908025741050200010e...").
 *   handshake   server hello frame ~300-400 bytes, client finish ~200-300, then the
 *               server's first frames (wa_voice.pcap at 1.07-1.44 s).
 *   messages    send: a client frame of 60-400 bytes answered by a 40-50 byte server
 *               frame; receive: the reverse (wa_voice.pcap at 7.2-11.9 s: client 63
 *               bytes, server 46), the frame the sent one's size plus RELAY_ENVELOPE
 *               bytes and 0-4 more (the server relays the sender's ciphertext with the
 *               sender's address added; the envelope's size is this generator's
 *               assumption, see apple.c); keepalive pings of 44/45 bytes (2.8-3.6 s).
 *   calls       signalling over the chat connection (offer frames of 300-600 bytes),
 *               then STUN Allocate (0x0003) to a relay on UDP 3478 with WhatsApp's
 *               own attribute 0x4000 and MESSAGE-INTEGRITY, answered by 0x0103 with
 *               XOR-MAPPED-ADDRESS and attribute 0x4002 (stun_wa_call.pcapng,
 *               wa_voice.pcap), then media through the relay (gen/media.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

enum { WA_KA_MIN_S = 180, WA_KA_MAX_S = 600, WA_MSG_MIN = 60, WA_MSG_MAX = 400,
       RELAY_ENVELOPE = 24 /* what the relayed frame adds to the sent one */ };

static uint32_t rtt_of(struct gen_ctx *g, const struct subscriber *s)
{
	return s->wifi ? gen_rng_between(&g->rng, 15000, 40000) : gen_rng_between(&g->rng, 40000, 110000);
}

static void meta_addr(struct gen_ctx *g, struct ip_addr *a)
{
	if (gen_rng_chance(&g->rng, 0.6))
		gen_addr4(a, 157, 240, gen_rng_between(&g->rng, 1, 254), gen_rng_between(&g->rng, 50, 60));
	else
		gen_addr4(a, 31, 13, gen_rng_between(&g->rng, 64, 127), gen_rng_between(&g->rng, 50, 60));
}

/* One Noise transport frame: 3-byte length, then ciphertext; n counts all bytes. */
static uint64_t frame(struct gen_ctx *g, struct app_conn *a, int dir, uint64_t t, size_t n, uint32_t ack_us)
{
	uint8_t f[2048];
	if (n < 4)
		n = 4;
	struct wbuf b = wb_make(f, sizeof f);
	wb_be24(&b, (uint32_t)(n - 3));
	gen_rng_bytes(&g->rng, wb_room(&b, n - 3), n - 3);
	return gen_tcp_send(g, &a->c, dir, t, f, b.len, ack_us);
}

static void ep_wa_keepalive(struct gen_ctx *g, const struct episode *e);

static uint64_t wa_ensure(struct gen_ctx *g, uint32_t si, uint64_t t)
{
	struct subscriber *s = &g->subs[si];
	struct app_conn *a = &s->wa;
	if (a->open && a->net_gen == s->net_gen)
		return t > a->busy_until ? t : a->busy_until + 1000;
	struct ip_addr srv;
	meta_addr(g, &srv);
	uint32_t rtt = rtt_of(g, s);
	t = gen_dns_lookup(g, s, t, "g.whatsapp.net", &srv, gen_rng_between(&g->rng, 5000, 40000)) + 1000;
	gen_conn_sub(g, &a->c, s, 6, &srv, gen_rng_chance(&g->rng, 0.7) ? 443 : 5222);
	t = gen_tcp_open(g, &a->c, t, rtt);
	static const uint8_t ed[4] = { 'E', 'D', 0, 1 };
	t = gen_tcp_send(g, &a->c, 0, t + 300, ed, sizeof ed, 0);
	uint8_t hello[400];
	struct wbuf b = wb_make(hello, sizeof hello);
	static const uint8_t routing[] = { 0, 0, 4, 0x08, 0x09, 0x08, 0x02, 'W', 'A', 5, 2 };
	wb_mem(&b, routing, sizeof routing);
	size_t body = gen_rng_between(&g->rng, 262, 280); /* the client hello: a protobuf with its ephemeral key */
	wb_be24(&b, (uint32_t)body);
	gen_rng_bytes(&g->rng, wb_room(&b, body), body);
	t = gen_tcp_send(g, &a->c, 0, t + 100, b.p, b.len, 0);
	t = frame(g, a, 1, t + rtt, gen_rng_between(&g->rng, 300, 400), 0);
	t = frame(g, a, 0, t + 5000, gen_rng_between(&g->rng, 200, 300), 0);
	t = frame(g, a, 1, t + rtt, gen_rng_between(&g->rng, 50, 90), 0);
	t = frame(g, a, 1, t + 2000, gen_rng_between(&g->rng, 40, 60), 30000);
	a->open = true;
	a->net_gen = s->net_gen;
	a->busy_until = t;
	gen_schedule(g, t + (uint64_t)gen_rng_between(&g->rng, WA_KA_MIN_S, WA_KA_MAX_S) * 1000000u, ep_wa_keepalive, si,
		     s->net_gen, NULL);
	return t + 1000;
}

static void ep_wa_open(struct gen_ctx *g, const struct episode *e)
{
	struct subscriber *s = &g->subs[e->a];
	if (!s->attached || s->net_gen != e->b)
		return;
	gen_sub_busy(g, e->a, wa_ensure(g, e->a, g->now));
}

static void ep_wa_keepalive(struct gen_ctx *g, const struct episode *e)
{
	struct subscriber *s = &g->subs[e->a];
	struct app_conn *a = &s->wa;
	if (!s->attached || !a->open || a->net_gen != e->b || s->net_gen != e->b)
		return;
	uint64_t t = g->now > a->busy_until ? g->now : a->busy_until + 1000;
	t = frame(g, a, 0, t, 44, 0);
	t = frame(g, a, 1, t + rtt_of(g, s), 45, 30000);
	a->busy_until = t;
	gen_sub_busy(g, e->a, t);
	gen_schedule(g, t + (uint64_t)gen_rng_between(&g->rng, WA_KA_MIN_S, WA_KA_MAX_S) * 1000000u, ep_wa_keepalive, e->a,
		     e->b, NULL);
}

void gen_wa_online(struct gen_ctx *g, uint32_t sub)
{
	struct subscriber *s = &g->subs[sub];
	uint64_t at = (s->usable_from > g->now ? s->usable_from : g->now) + gen_rng_between(&g->rng, 300, 4000) * 1000u;
	gen_schedule(g, at, ep_wa_open, sub, s->net_gen, NULL);
}

/* A frame from (dir 0) or to (dir 1) the phone and the other side's answer. */
static uint64_t exchange(struct gen_ctx *g, uint32_t si, int dir, uint64_t t, size_t n, const char *truth)
{
	struct subscriber *s = &g->subs[si];
	struct app_conn *a = &s->wa;
	t = frame(g, a, dir, t, n, 0);
	if (truth)
		gen_truth(g, "%s", truth);
	t = frame(g, a, !dir, t + (dir ? 20000 : rtt_of(g, s)), gen_rng_between(&g->rng, 40, 50), 30000);
	a->busy_until = t;
	gen_sub_busy(g, si, t);
	return t;
}

void gen_ep_wa_msg(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	int ai, bi;
	if (!gen_pick_pair(g, GEN_ANY, GEN_ANY, false, true, &ai, &bi))
		return;
	const struct subscriber *a = &g->subs[ai], *b = &g->subs[bi];
	char truth[384];
	snprintf(truth, sizeof truth,
		 "\"type\":\"ott.message\",\"protocol\":\"tcp\",\"service\":\"whatsapp\",\"from\":\"+%s\",\"to\":\"+%s\","
		 "\"leg\":\"send\",\"subscriber\":\"+%s\"",
		 a->msisdn, b->msisdn, a->msisdn);
	uint64_t t = wa_ensure(g, (uint32_t)ai, g->now);
	size_t sent = gen_rng_between(&g->rng, WA_MSG_MIN, WA_MSG_MAX);
	t = exchange(g, (uint32_t)ai, 0, t, sent, truth);
	snprintf(truth, sizeof truth,
		 "\"type\":\"ott.message\",\"protocol\":\"tcp\",\"service\":\"whatsapp\",\"from\":\"+%s\",\"to\":\"+%s\","
		 "\"leg\":\"receive\",\"subscriber\":\"+%s\"",
		 a->msisdn, b->msisdn, b->msisdn);
	uint64_t r = wa_ensure(g, (uint32_t)bi, t + gen_rng_between(&g->rng, 80, 500) * 1000u);
	exchange(g, (uint32_t)bi, 1, r, sent + RELAY_ENVELOPE + gen_rng_below(&g->rng, 5), truth);
}

void gen_ep_wa_call(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	int ai, bi;
	if (!gen_pick_pair(g, GEN_ANY, GEN_ANY, false, true, &ai, &bi))
		return;
	uint64_t t = wa_ensure(g, (uint32_t)ai, g->now);
	t = exchange(g, (uint32_t)ai, 0, t, gen_rng_between(&g->rng, 300, 600), NULL);
	uint64_t r = wa_ensure(g, (uint32_t)bi, t + gen_rng_between(&g->rng, 100, 400) * 1000u);
	r = exchange(g, (uint32_t)bi, 1, r, gen_rng_between(&g->rng, 300, 600), NULL);
	if (!gen_rng_chance(&g->rng, 0.8))
		return; /* not answered */
	uint64_t start = r + gen_rng_between(&g->rng, 2000, 12000) * 1000u;
	struct media_call *m = gen_media_call_new(MEDIA_WHATSAPP, ai, bi);
	for (int leg = 0; leg < 2; leg++) {
		struct subscriber *s = &g->subs[m->sub[leg]];
		m->leg_on[leg] = true;
		struct ip_addr relay;
		meta_addr(g, &relay);
		gen_conn_sub(g, &m->c[leg], s, 17, &relay, 3478);
		uint8_t tid[12], p[256], attrs[200];
		gen_rng_bytes(&g->rng, tid, sizeof tid);
		struct wbuf ab = wb_make(attrs, sizeof attrs);
		size_t wa_len = 4 * gen_rng_between(&g->rng, 5, 37); /* 20-148 bytes */
		wb_be16(&ab, 0x4000);
		wb_be16(&ab, (unsigned)wa_len);
		gen_rng_bytes(&g->rng, wb_room(&ab, wa_len), wa_len);
		wb_be16(&ab, 0x0008); /* MESSAGE-INTEGRITY */
		wb_be16(&ab, 20);
		gen_rng_bytes(&g->rng, wb_room(&ab, 20), 20);
		size_t n = gen_stun(p, sizeof p, 0x0003, tid, attrs, ab.len);
		uint64_t at = start - 400000 + (uint64_t)leg * 2000;
		gen_udp(g, &m->c[leg], 0, at, p, n);
		ab = wb_make(attrs, sizeof attrs);
		wb_be16(&ab, 0x0020); /* XOR-MAPPED-ADDRESS */
		wb_be16(&ab, 8);
		wb_u8(&ab, 0);
		wb_u8(&ab, 1);
		wb_be16(&ab, m->c[leg].pa ^ 0x2112);
		wb_be32(&ab, 0xc6336401u ^ 0x2112a442u);
		wb_be16(&ab, 0x4002);
		wb_be16(&ab, 8);
		gen_rng_bytes(&g->rng, wb_room(&ab, 8), 8);
		n = gen_stun(p, sizeof p, 0x0103, tid, attrs, ab.len);
		gen_udp(g, &m->c[leg], 1, at + gen_rng_between(&g->rng, 20000, 80000), p, n);
	}
	gen_media_call_start(g, m, start, 60, 5);
}
