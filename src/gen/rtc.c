/*
 * rtc.c — traffic of apps no signature knows (mix "apps", docs/generator.md): their
 * calls, which must be recorded as calls all the same (service `unknown`), and two
 * kinds of UDP traffic that must not be taken for calls, streaming and games.
 *
 *   a call      the app's signalling over TLS to its own server (rtc.example.net, in
 *               TEST-NET-3: no definition knows it) carries the offer and the answer;
 *               then each party's media goes one of three ways, as WebRTC and the apps
 *               built like it do:
 *               peer to peer (two in five): ICE connectivity checks both ways (RFC
 *               8445 §7: Binding requests with USERNAME, PRIORITY, ICE-CONTROLLING,
 *               MESSAGE-INTEGRITY, FINGERPRINT; success responses with
 *               XOR-MAPPED-ADDRESS) with the other party's public address, a DTLS
 *               handshake (RFC 5764), then SRTP;
 *               through a TURN relay (three in ten): Allocate, a 401 with the relay's
 *               REALM and NONCE, Allocate again, CreatePermission and ChannelBind for
 *               the peer (RFC 8656 §7-11), then SRTP in ChannelData;
 *               through the app's own relay (three in ten): no STUN at all, a short
 *               hello each way and then the app's own framing every 20 ms each way.
 *               The media itself is gen/media.c's (MEDIA_ICE, MEDIA_TURN, MEDIA_RELAY).
 *   streaming   one-way video over UDP from a server: 1316-byte datagrams (seven
 *               188-byte MPEG-TS packets, sync byte 0x47) 80-150 a second down, a
 *               64-byte receiver report every 100 ms up, for 30-180 s.
 *   a game      bursts of play: for 2-5 s both ways about 30 datagrams a second (inputs
 *               40-90 bytes up, state 80-300 bytes down), then 1.2-4 s of nothing
 *               (between rounds, menus, loading), for 30-180 s. A game that streams at
 *               a steady rate with no pause would look like a relay's call: the rule's
 *               known confusion (docs/signatures.md), not modelled here.
 * Addresses are documentation prefixes (RFC 5737), so no definition names them.
 */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

enum { CHUNK_US = 2000000 };

static uint32_t rtt_of(struct gen_ctx *g, const struct subscriber *s)
{
	return s->wifi ? gen_rng_between(&g->rng, 15000, 40000) : gen_rng_between(&g->rng, 40000, 110000);
}

/* One STUN attribute: type, length, value, padded to 4 (RFC 8489 §14). */
static void attr(struct wbuf *b, uint16_t type, const uint8_t *v, size_t n)
{
	wb_be16(b, type);
	wb_be16(b, (unsigned)n);
	wb_mem(b, v, n);
	wb_zero(b, (4 - n % 4) % 4);
}

static void attr_random(struct gen_ctx *g, struct wbuf *b, uint16_t type, size_t n)
{
	uint8_t v[64];
	gen_rng_bytes(&g->rng, v, n);
	attr(b, type, v, n);
}

/* An XOR-(MAPPED|PEER|RELAYED)-ADDRESS value for an IPv4 address and port (RFC 8489 §14.2). */
static void attr_xor_addr(struct wbuf *b, uint16_t type, const struct ip_addr *a, uint16_t port)
{
	uint8_t v[8] = { 0, 1 };
	wb_put_be16(v + 2, port ^ 0x2112);
	uint32_t x = a->family == 4 ? ((uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
				       (uint32_t)a->bytes[2] << 8 | a->bytes[3]) : 0xc6336401u;
	wb_put_be32(v + 4, x ^ 0x2112a442u);
	attr(b, type, v, 8);
}

static void stun_send(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t t, uint16_t type, const uint8_t *tid,
		      const uint8_t *attrs, size_t n)
{
	uint8_t p[512];
	size_t len = gen_stun(p, sizeof p, type, tid, attrs, n);
	gen_udp(g, c, dir, t, p, len);
}

/* ICE checks both ways on a leg (its flow to the other party's public address), then DTLS. */
static uint64_t ice_leg(struct gen_ctx *g, struct gen_conn *c, uint64_t t, bool controlling)
{
	uint8_t a[256], tid[12];
	for (int who = 0; who < 2; who++) {
		int dir = who; /* 0: the phone checks the peer; 1: the peer checks the phone */
		for (int tries = 0; tries < 2; tries++) {
			struct wbuf b = wb_make(a, sizeof a);
			attr_random(g, &b, 0x0006, 9);             /* USERNAME ufrag:ufrag */
			attr_random(g, &b, 0x0024, 4);             /* PRIORITY */
			attr_random(g, &b, (controlling ^ who) ? 0x802a : 0x8029, 8); /* ICE-CONTROLLING / -CONTROLLED */
			attr_random(g, &b, 0x0008, 20);            /* MESSAGE-INTEGRITY */
			attr_random(g, &b, 0x8028, 4);             /* FINGERPRINT */
			gen_rng_bytes(&g->rng, tid, sizeof tid);
			stun_send(g, c, dir, t, 0x0001, tid, a, b.len);
			b = wb_make(a, sizeof a);
			attr_xor_addr(&b, 0x0020, dir ? &c->b : &c->a, dir ? c->pb : c->pa);
			attr_random(g, &b, 0x0008, 20);
			attr_random(g, &b, 0x8028, 4);
			stun_send(g, c, !dir, t + gen_rng_between(&g->rng, 20000, 90000), 0x0101, tid, a, b.len);
			t += gen_rng_between(&g->rng, 50000, 200000);
		}
	}
	/* DTLS 1.2 (RFC 6347) records: ClientHello, the server's flight, the client's, Finished */
	static const size_t flight[4] = { 150, 950, 320, 90 };
	for (int i = 0; i < 4; i++) {
		uint8_t r[1024];
		struct wbuf b = wb_make(r, sizeof r);
		size_t n = flight[i] + gen_rng_below(&g->rng, 40);
		wb_u8(&b, i < 2 ? 0x16 : 0x14);
		wb_be16(&b, 0xfefd);
		gen_rng_bytes(&g->rng, wb_room(&b, n - 3), n - 3);
		gen_udp(g, c, i % 2, t, r, b.len);
		t += gen_rng_between(&g->rng, 20000, 90000);
	}
	return t;
}

/* A TURN allocation for a leg, with a permission and a channel for the peer. */
static uint64_t turn_leg(struct gen_ctx *g, struct gen_conn *c, uint64_t t, const struct ip_addr *peer)
{
	uint8_t a[256], tid[12];
	static const uint8_t udp_transport[4] = { 17, 0, 0, 0 };
	static const char realm[] = "turn.example.net";
	struct wbuf b = wb_make(a, sizeof a);
	attr(&b, 0x0019, udp_transport, 4); /* REQUESTED-TRANSPORT */
	gen_rng_bytes(&g->rng, tid, sizeof tid);
	stun_send(g, c, 0, t, 0x0003, tid, a, b.len);
	b = wb_make(a, sizeof a);
	attr_random(g, &b, 0x0009, 16);     /* ERROR-CODE 401 (its bytes do not matter here) */
	attr(&b, 0x0014, (const uint8_t *)realm, sizeof realm - 1);
	attr_random(g, &b, 0x0015, 16);     /* NONCE */
	stun_send(g, c, 1, t + gen_rng_between(&g->rng, 20000, 80000), 0x0113, tid, a, b.len);
	t += 100000;
	static const uint16_t requests[3][2] = { { 0x0003, 0x0103 }, { 0x0008, 0x0108 }, { 0x0009, 0x0109 } };
	for (int i = 0; i < 3; i++) {
		b = wb_make(a, sizeof a);
		if (i == 0)
			attr(&b, 0x0019, udp_transport, 4);
		if (i == 2) {
			static const uint8_t channel[4] = { 0x40, 0x01, 0, 0 };
			attr(&b, 0x000c, channel, 4); /* CHANNEL-NUMBER */
		}
		if (i > 0)
			attr_xor_addr(&b, 0x0012, peer, (uint16_t)gen_rng_between(&g->rng, 30000, 60000));
		attr_random(g, &b, 0x0006, 12);   /* USERNAME */
		attr(&b, 0x0014, (const uint8_t *)realm, sizeof realm - 1);
		attr_random(g, &b, 0x0015, 16);   /* NONCE */
		attr_random(g, &b, 0x0008, 20);   /* MESSAGE-INTEGRITY */
		gen_rng_bytes(&g->rng, tid, sizeof tid);
		stun_send(g, c, 0, t, requests[i][0], tid, a, b.len);
		b = wb_make(a, sizeof a);
		if (i == 0) {
			attr_xor_addr(&b, 0x0016, &c->b, (uint16_t)gen_rng_between(&g->rng, 49152, 65535));
			attr_xor_addr(&b, 0x0020, &c->a, c->pa);
		}
		attr_random(g, &b, 0x0008, 20);
		stun_send(g, c, 1, t + gen_rng_between(&g->rng, 20000, 80000), requests[i][1], tid, a, b.len);
		t += gen_rng_between(&g->rng, 100000, 200000);
	}
	return t;
}

/* The app's own relay: a hello each way, in its framing. */
static uint64_t relay_leg(struct gen_ctx *g, struct gen_conn *c, uint64_t t)
{
	for (int i = 0; i < 3; i++) {
		uint8_t p[64];
		p[0] = 0x5b;
		gen_rng_bytes(&g->rng, p + 1, sizeof p - 1);
		gen_udp(g, c, i % 2, t, p, 40 + gen_rng_below(&g->rng, 24));
		t += gen_rng_between(&g->rng, 20000, 90000);
	}
	return t;
}

/* The unknown app's signalling: a TLS connection to its server, an offer or answer up and down. */
static uint64_t signalling(struct gen_ctx *g, struct subscriber *s, uint64_t t, bool caller)
{
	struct gen_conn c;
	struct ip_addr srv;
	gen_addr4(&srv, 203, 0, 113, 10);
	uint32_t rtt = rtt_of(g, s);
	t = gen_dns_lookup(g, s, t, "rtc.example.net", &srv, gen_rng_between(&g->rng, 5000, 40000)) + 1000;
	gen_conn_sub(g, &c, s, 6, &srv, 443);
	t = gen_tls_handshake(g, &c, t, "rtc.example.net", "h2", gen_rng_between(&g->rng, 2500, 4000), 0, rtt);
	t = gen_tls_app(g, &c, caller ? 0 : 1, t + 2000, gen_rng_between(&g->rng, 1500, 3000), 0); /* SDP */
	t = gen_tls_app(g, &c, caller ? 1 : 0, t + rtt, gen_rng_between(&g->rng, 80, 200), 20000);
	gen_tcp_close(g, &c, 0, t + 5000000, rtt); /* the app hangs up its signalling a little later */
	return t;
}

/* A subscriber not in a call already (one phone, one call at a time). */
static int pick_free(struct gen_ctx *g, int other_than)
{
	for (int tries = 0; tries < 8; tries++) {
		int i = gen_pick_sub(g, false, false, other_than);
		if (i >= 0 && g->subs[i].busy_until <= g->now)
			return i;
	}
	return -1;
}

void gen_ep_rtc_call(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	int ai = pick_free(g, -1);
	if (ai < 0)
		return;
	int bi = pick_free(g, ai);
	if (bi < 0)
		return;
	uint32_t pick = gen_rng_below(&g->rng, 10);
	struct media_call *m = gen_media_call_new(pick < 4 ? MEDIA_ICE : pick < 7 ? MEDIA_TURN : MEDIA_RELAY, ai, bi);
	uint64_t t = signalling(g, &g->subs[ai], g->now, true);
	t = signalling(g, &g->subs[bi], t + gen_rng_between(&g->rng, 100, 400) * 1000u, false);
	uint64_t start = t + gen_rng_between(&g->rng, 2000, 8000) * 1000u;
	uint64_t ready = start;
	for (int leg = 0; leg < 2; leg++) {
		struct subscriber *s = &g->subs[m->sub[leg]];
		m->leg_on[leg] = true;
		struct ip_addr far;
		if (m->kind == MEDIA_ICE) /* the other party's public (NAT) address */
			gen_addr4(&far, 198, 51, 100, 10 + m->sub[1 - leg] % 200);
		else
			gen_addr4(&far, 198, 51, 100, m->kind == MEDIA_TURN ? 230 : 240);
		uint16_t port = m->kind == MEDIA_ICE ? (uint16_t)gen_rng_between(&g->rng, 49152, 65535)
			      : m->kind == MEDIA_TURN ? 3478 : (uint16_t)gen_rng_between(&g->rng, 40000, 40100);
		gen_conn_sub(g, &m->c[leg], s, 17, &far, port);
		uint64_t at = start - 1500000 + (uint64_t)leg * 7000, done;
		if (m->kind == MEDIA_ICE)
			done = ice_leg(g, &m->c[leg], at, leg == 0);
		else if (m->kind == MEDIA_TURN) {
			struct ip_addr peer;
			gen_addr4(&peer, 198, 51, 100, 10 + m->sub[1 - leg] % 200);
			done = turn_leg(g, &m->c[leg], at, &peer);
		} else
			done = relay_leg(g, &m->c[leg], at);
		if (done > ready)
			ready = done;
	}
	gen_media_call_start(g, m, ready + 20000, 90, 15);
}

/* ---- streaming and games: UDP that is not a call ---- */

struct udp_flow {
	struct gen_conn c;
	uint32_t sub;
	uint64_t end;
	uint64_t next_round;  /* games: when the next round of play starts */
	uint64_t round_end;
	uint16_t seq;
};

static void ep_stream(struct gen_ctx *g, const struct episode *e)
{
	struct udp_flow *u = e->p;
	uint64_t until = g->now + CHUNK_US < u->end ? g->now + CHUNK_US : u->end;
	uint32_t pps = gen_rng_between(&g->rng, 80, 150);
	uint64_t next_report = g->now;
	for (uint64_t t = g->now; t < until; t += 1000000u / pps + gen_rng_below(&g->rng, 2000)) {
		uint8_t p[1316];
		for (int k = 0; k < 7; k++) { /* seven MPEG-TS packets */
			p[k * 188] = 0x47;
			gen_rng_bytes(&g->rng, p + k * 188 + 1, 187);
		}
		gen_udp(g, &u->c, 1, t, p, sizeof p);
		if (t >= next_report) {
			uint8_t r[64];
			gen_rng_bytes(&g->rng, r, sizeof r);
			r[0] = 0x01;
			gen_udp(g, &u->c, 0, t + 500, r, sizeof r);
			next_report = t + 100000;
		}
	}
	if (until < u->end) {
		gen_schedule(g, until, ep_stream, 0, 0, u);
		return;
	}
	free(u);
}

static void ep_game(struct gen_ctx *g, const struct episode *e)
{
	struct udp_flow *u = e->p;
	uint64_t until = g->now + CHUNK_US < u->end ? g->now + CHUNK_US : u->end;
	for (uint64_t t = g->now; t < until; t += 33000) {
		if (t >= u->round_end && t >= u->next_round) { /* a new round of play */
			u->round_end = t + gen_rng_between(&g->rng, 2000, 5000) * 1000u;
			u->next_round = u->round_end + gen_rng_between(&g->rng, 1200, 4000) * 1000u;
		}
		if (t >= u->round_end)
			continue; /* between rounds */
		uint8_t p[320];
		size_t up = gen_rng_between(&g->rng, 40, 90), down = gen_rng_between(&g->rng, 80, 300);
		gen_rng_bytes(&g->rng, p, down);
		p[0] = 0x13;
		wb_put_be16(p + 1, u->seq++);
		gen_udp(g, &u->c, 0, t + gen_rng_below(&g->rng, 4000), p, up);
		gen_udp(g, &u->c, 1, t + 12000 + gen_rng_below(&g->rng, 6000), p, down);
	}
	if (until < u->end) {
		gen_schedule(g, until, ep_game, 0, 0, u);
		return;
	}
	free(u);
}

static void udp_start(struct gen_ctx *g, bool game)
{
	int si = gen_pick_sub(g, false, false, -1);
	if (si < 0)
		return;
	struct udp_flow *u = calloc(1, sizeof *u);
	if (!u)
		gen_wb_overflow();
	struct ip_addr srv;
	gen_addr4(&srv, 203, 0, 113, game ? gen_rng_between(&g->rng, 160, 200) : gen_rng_between(&g->rng, 100, 150));
	gen_conn_sub(g, &u->c, &g->subs[si], 17, &srv,
		     (uint16_t)(game ? gen_rng_between(&g->rng, 27000, 28000) : gen_rng_between(&g->rng, 5000, 6000)));
	u->sub = (uint32_t)si;
	u->end = g->now + (uint64_t)gen_rng_between(&g->rng, 30, 180) * 1000000u;
	/* the client asks first */
	uint8_t hello[48];
	gen_rng_bytes(&g->rng, hello, sizeof hello);
	hello[0] = game ? 0x13 : 0x01;
	gen_udp(g, &u->c, 0, g->now, hello, sizeof hello);
	gen_sub_busy(g, u->sub, u->end + 1000000);
	gen_schedule(g, g->now + 50000, game ? ep_game : ep_stream, 0, 0, u);
}

void gen_ep_stream(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	udp_start(g, false);
}

void gen_ep_game(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	udp_start(g, true);
}
