/*
 * apple.c — Apple push (APNs) connections and the iMessage and FaceTime traffic that
 * rides on them, as a sensor sees it: encrypted records of known shapes to Apple's
 * addresses, never content. There is no public specification; the shape parameters and
 * their sources:
 *
 *   connection  TCP 5223 (four in five) or 443 to Apple's 17.0.0.0/8 (Apple's
 *               "TCP and UDP ports used by Apple software products", HT202944: APNs
 *               uses 5223, falling back to 443); courier addresses 17.57.144-147.x
 *               (the captures show 17.242.60.84:5223 in wa_voice.pcap and
 *               17.110.229.14:5223 in whatsapp_login_chat.pcap); the name looked up
 *               and sent as SNI is "<n>-courier.push.apple.com" (1..50), ALPN
 *               "apns-pack-v1" (what issue 7's definitions key on).
 *   handshake   TLS with a client certificate: the client's flight is one ~4064-byte
 *               record (wa_voice.pcap: 1440+1440+1189-byte segments at 0.259 s),
 *               the server's certificate chain 4000-4500 bytes.
 *   keepalive   the client sends a 64-byte record and the server answers with a
 *               48-byte one (wa_voice.pcap: 69- and 53-byte TCP payloads at 5.37 s
 *               and 54.34 s), every 2-10 minutes here.
 *   iMessage    send: after idle, a client burst of 1-2 application records, the first
 *               350-1800 bytes (wa_voice.pcap at 49.18 s: one 1744-byte record),
 *               answered by one or two 48-byte server records; the second record
 *               (two sends in five) is the copy for the recipient's second device,
 *               encrypted apart and so of the same size, give or take 2 bytes (Apple
 *               Platform Security: a message is encrypted once per receiving device);
 *               receive: the server pushes the recipient's copy 0.1-0.6 s later, its
 *               size the sent copy's plus a push envelope of PUSH_ENVELOPE bytes and
 *               0-4 more (encrypted sizes follow the message's length in both
 *               directions: Coull and Dyer, "Traffic Analysis of Encrypted Messaging
 *               Services: Apple iMessage and Beyond", 2014; the envelope's size is this
 *               generator's assumption, no public capture shows both ends of one
 *               message), and the phone answers with a 48-byte record. A delivery
 *               receipt (100-250 bytes each way, below the message band) follows most
 *               messages: the shape a careless inference would count as a message.
 *   FaceTime    an invitation push each way (500-900 bytes), then, when answered,
 *               STUN binding to an Apple relay and media (gen/media.c).
 */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

enum {
	APNS_KA_MIN_S = 120, APNS_KA_MAX_S = 600,
	MSG_MIN = 350, MSG_MAX = 1800,      /* the message band */
	RECEIPT_MIN = 100, RECEIPT_MAX = 250,
	ACK_RECORD = 48, KA_RECORD = 64,
	PUSH_ENVELOPE = 64,                 /* what the push to the recipient adds to the sent copy */
	CLIENT_CERT_FLIGHT = 4064 - 53,     /* so the client's sealed flight is 4064 bytes */
};

static uint32_t rtt_of(struct gen_ctx *g, const struct subscriber *s)
{
	return s->wifi ? gen_rng_between(&g->rng, 15000, 40000) : gen_rng_between(&g->rng, 40000, 110000);
}

static void ep_apns_keepalive(struct gen_ctx *g, const struct episode *e);

/* Opens s's push connection at t if it has none on its current access; returns when it is up. */
static uint64_t apns_ensure(struct gen_ctx *g, uint32_t si, uint64_t t)
{
	struct subscriber *s = &g->subs[si];
	struct app_conn *a = &s->apns;
	if (a->open && a->net_gen == s->net_gen)
		return t > a->busy_until ? t : a->busy_until + 1000;
	unsigned n = gen_rng_between(&g->rng, 1, 50);
	char name[48];
	snprintf(name, sizeof name, "%u-courier.push.apple.com", n);
	struct ip_addr courier;
	gen_addr4(&courier, 17, 57, 144 + n % 4, 10 + n);
	uint32_t rtt = rtt_of(g, s);
	t = gen_dns_lookup(g, s, t, name, &courier, gen_rng_between(&g->rng, 5000, 40000)) + 1000;
	gen_conn_sub(g, &a->c, s, 6, &courier, gen_rng_chance(&g->rng, 0.8) ? 5223 : 443);
	t = gen_tls_handshake(g, &a->c, t, name, "apns-pack-v1", gen_rng_between(&g->rng, 4000, 4500), CLIENT_CERT_FLIGHT,
			      rtt);
	/* the connect message and its answer (the device token, topics) */
	t = gen_tls_app(g, &a->c, 0, t + 2000, gen_rng_between(&g->rng, 250, 400), 0);
	t = gen_tls_app(g, &a->c, 1, t + rtt, gen_rng_between(&g->rng, 100, 200), 20000);
	a->open = true;
	a->net_gen = s->net_gen;
	a->busy_until = t;
	gen_schedule(g, t + (uint64_t)gen_rng_between(&g->rng, APNS_KA_MIN_S, APNS_KA_MAX_S) * 1000000u,
		     ep_apns_keepalive, si, s->net_gen, NULL);
	return t + 1000;
}

static void ep_apns_open(struct gen_ctx *g, const struct episode *e)
{
	struct subscriber *s = &g->subs[e->a];
	if (!s->attached || s->net_gen != e->b)
		return;
	uint64_t t = apns_ensure(g, e->a, g->now);
	gen_sub_busy(g, e->a, t);
}

static void ep_apns_keepalive(struct gen_ctx *g, const struct episode *e)
{
	struct subscriber *s = &g->subs[e->a];
	struct app_conn *a = &s->apns;
	if (!s->attached || !a->open || a->net_gen != e->b || s->net_gen != e->b)
		return; /* the connection went with its address: the chain ends */
	uint64_t t = g->now > a->busy_until ? g->now : a->busy_until + 1000;
	uint32_t rtt = rtt_of(g, s);
	t = gen_tls_app(g, &a->c, 0, t, KA_RECORD, 0);
	t = gen_tls_app(g, &a->c, 1, t + rtt, ACK_RECORD, 30000);
	a->busy_until = t;
	gen_sub_busy(g, e->a, t);
	gen_schedule(g, t + (uint64_t)gen_rng_between(&g->rng, APNS_KA_MIN_S, APNS_KA_MAX_S) * 1000000u,
		     ep_apns_keepalive, e->a, e->b, NULL);
}

void gen_apps_online(struct gen_ctx *g, uint32_t sub)
{
	struct subscriber *s = &g->subs[sub];
	uint64_t at = (s->usable_from > g->now ? s->usable_from : g->now) + gen_rng_between(&g->rng, 200, 3000) * 1000u;
	if (s->device == DEV_IPHONE)
		gen_schedule(g, at, ep_apns_open, sub, s->net_gen, NULL);
	if (s->whatsapp)
		gen_wa_online(g, sub);
}

/* A send burst from (dir 0) or a push to (dir 1) the phone: records and the answer. */
static uint64_t burst(struct gen_ctx *g, uint32_t si, int dir, uint64_t t, size_t first, size_t second,
		      const char *truth)
{
	struct subscriber *s = &g->subs[si];
	struct app_conn *a = &s->apns;
	uint32_t rtt = rtt_of(g, s);
	t = gen_tls_app(g, &a->c, dir, t, first, 0);
	if (truth)
		gen_truth(g, "%s", truth);
	if (second)
		t = gen_tls_app(g, &a->c, dir, t + 300, second, 0);
	t = gen_tls_app(g, &a->c, !dir, t + (dir ? 30000 : rtt), ACK_RECORD, 20000);
	if (dir == 0 && gen_rng_chance(&g->rng, 0.5))
		t = gen_tls_app(g, &a->c, 1, t + 1000, ACK_RECORD, 20000);
	a->busy_until = t;
	gen_sub_busy(g, si, t);
	return t;
}

static size_t msg_size(struct gen_ctx *g)
{
	return gen_rng_between(&g->rng, MSG_MIN, MSG_MAX);
}

void gen_ep_imessage(struct gen_ctx *g, const struct episode *e)
{
	int ai, bi;
	if (!gen_pick_pair(g, e->a, e->b, true, false, &ai, &bi))
		return;
	struct subscriber *a = &g->subs[ai], *b = &g->subs[bi];
	char truth[384];
	uint64_t t = apns_ensure(g, (uint32_t)ai, g->now);
	snprintf(truth, sizeof truth,
		 "\"type\":\"ott.message\",\"protocol\":\"tls\",\"service\":\"imessage\",\"from\":\"+%s\",\"to\":\"+%s\","
		 "\"leg\":\"send\",\"subscriber\":\"+%s\"",
		 a->msisdn, b->msisdn, a->msisdn);
	/* a second record in two of five sends: one copy per recipient device, of about one size */
	size_t first = msg_size(g);
	size_t second = gen_rng_chance(&g->rng, 0.4) ? first + gen_rng_below(&g->rng, 3) : 0;
	t = burst(g, (uint32_t)ai, 0, t, first, second, truth);
	uint64_t r = apns_ensure(g, (uint32_t)bi, t + gen_rng_between(&g->rng, 100, 600) * 1000u);
	snprintf(truth, sizeof truth,
		 "\"type\":\"ott.message\",\"protocol\":\"tls\",\"service\":\"imessage\",\"from\":\"+%s\",\"to\":\"+%s\","
		 "\"leg\":\"receive\",\"subscriber\":\"+%s\"",
		 a->msisdn, b->msisdn, b->msisdn);
	r = burst(g, (uint32_t)bi, 1, r, first + PUSH_ENVELOPE + gen_rng_below(&g->rng, 5), 0, truth);
	if (gen_rng_chance(&g->rng, 0.7)) {
		/* the delivery receipt: B -> Apple -> A, small records (not a message) */
		r = burst(g, (uint32_t)bi, 0, r + gen_rng_between(&g->rng, 200, 800) * 1000u,
			  gen_rng_between(&g->rng, RECEIPT_MIN, RECEIPT_MAX), 0, NULL);
		uint64_t back = apns_ensure(g, (uint32_t)ai, r + gen_rng_between(&g->rng, 100, 400) * 1000u);
		burst(g, (uint32_t)ai, 1, back, gen_rng_between(&g->rng, RECEIPT_MIN, RECEIPT_MAX), 0, NULL);
	}
}

void gen_ep_facetime(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	int ai, bi;
	if (!gen_pick_pair(g, GEN_ANY, GEN_ANY, true, false, &ai, &bi))
		return;
	uint64_t t = apns_ensure(g, (uint32_t)ai, g->now);
	t = burst(g, (uint32_t)ai, 0, t, gen_rng_between(&g->rng, 500, 900), 0, NULL);
	uint64_t r = apns_ensure(g, (uint32_t)bi, t + gen_rng_between(&g->rng, 100, 500) * 1000u);
	r = burst(g, (uint32_t)bi, 1, r, gen_rng_between(&g->rng, 500, 900), 0, NULL);
	if (!gen_rng_chance(&g->rng, 0.8))
		return; /* not answered: pushes only, no call */
	uint64_t start = r + gen_rng_between(&g->rng, 2000, 12000) * 1000u; /* ringing */
	struct media_call *m = gen_media_call_new(MEDIA_FACETIME, ai, bi);
	for (int leg = 0; leg < 2; leg++) {
		struct subscriber *s = &g->subs[m->sub[leg]];
		m->leg_on[leg] = true;
		struct ip_addr relay;
		gen_addr4(&relay, 17, 188, 128 + gen_rng_below(&g->rng, 64), gen_rng_between(&g->rng, 2, 250));
		gen_conn_sub(g, &m->c[leg], s, 17, &relay, (uint16_t)gen_rng_between(&g->rng, 3478, 3497));
		m->c[leg].pa = (uint16_t)gen_rng_between(&g->rng, 16393, 16402);
		/* a STUN binding to learn the public address (RFC 8489 §3) */
		uint8_t tid[12], p[64], attr[12];
		gen_rng_bytes(&g->rng, tid, sizeof tid);
		size_t n = gen_stun(p, sizeof p, 0x0001, tid, NULL, 0);
		gen_udp(g, &m->c[leg], 0, start - 300000 + (uint64_t)leg * 1000, p, n);
		struct wbuf ab = wb_make(attr, sizeof attr);
		wb_be16(&ab, 0x0020); /* XOR-MAPPED-ADDRESS */
		wb_be16(&ab, 8);
		wb_u8(&ab, 0);
		wb_u8(&ab, 1);
		wb_be16(&ab, m->c[leg].pa ^ 0x2112);
		wb_be32(&ab, 0xc6336401u ^ 0x2112a442u); /* the operator's NAT: 198.51.100.1 */
		n = gen_stun(p, sizeof p, 0x0101, tid, attr, ab.len);
		gen_udp(g, &m->c[leg], 1, start - 250000 + (uint64_t)leg * 1000, p, n);
	}
	gen_media_call_start(g, m, start, 60, 5);
}
