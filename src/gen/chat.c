/*
 * chat.c — the chat connections of Telegram, Signal, Viber and Facebook Messenger, and
 * the messages, typing notifications and receipts they carry, as a sensor sees them:
 * encrypted frames of known sizes, never content (mix "apps", docs/generator.md).
 *
 * No app publishes its traffic's sizes; what each connection is, from the apps'
 * documentation and the public captures, and what this model assumes:
 *
 *   Telegram   MTProto 2.0 (core.telegram.org/mtproto) over TCP 443 to a data centre
 *              in Telegram's 149.154.160.0/20 (2001:67c:4e8::/48 over IPv6), with the
 *              obfuscated transport: every byte looks random, the connection opens with
 *              a 64-byte obfuscation header (ndpi/telegram.pcap, teams.pcap: 149.154.x
 *              on 443, no TLS). An encrypted message is 24 bytes of key id and message
 *              key plus its data padded with 12-1024 random bytes (MTProto's rule):
 *              a text goes up as messages.sendMessage, 150-1500 bytes here, answered
 *              by an acknowledgement and the sent message's id (80-140); it comes down
 *              as an update of about its size plus 64; typing (messages.setTyping),
 *              delivery and read notes are 72-128 bytes, one in ten padded by up to
 *              256 more (the padding MTProto allows), pings (ping_delay_disconnect)
 *              72 bytes a minute.
 *   Signal     a websocket in TLS to chat.signal.org:443 (Signal-TLS-Proxy's names;
 *              ndpi/signal.pcap), every message a sealed-sender envelope whose content
 *              is padded to a multiple of 160 bytes (libsignal's message padding): a
 *              short text, a typing indicator, a delivery or a read receipt are the
 *              same size, ~590-640 bytes on the wire; longer texts the next classes;
 *              the server answers a sent message with a 90-120-byte 200 and the phone
 *              acknowledges a delivered one with 60-90 bytes; keep-alives every 30-60 s.
 *   Viber      its own framing on TCP 4244 to 52.0.252.0/22 (viber.pcap: a 16-bit
 *              little-endian frame length, a 32-bit counter, then ciphertext);
 *              messages 120-900 bytes, acknowledgements 30-50, typing ("composing")
 *              and receipts 40-90, keep-alives of 24 bytes.
 *   Messenger  MQTT in TLS (MQTToT) to edge-chat.messenger.com:443 (Meta's address
 *              space); a sent message is a PUBLISH of 200-1200 bytes answered by a
 *              PUBACK (25-40), delivered ones come down as PUBLISH and are acknowledged;
 *              typing and receipts are PUBLISHes of 60-150 bytes; PINGREQ/PINGRESP in
 *              one small record a minute.
 *
 * A message: the sender (often) types first — a typing note up, then relayed down to
 * the recipient; 2-8 s later the message goes up and is acknowledged; 0.1-0.6 s later
 * it comes down to the recipient, who acknowledges; most deliveries are answered with a
 * delivery receipt at once and some with a read receipt seconds later, each relayed to
 * the sender. Only the message's two legs are truth lines (ott.message, leg send and
 * receive): typing and receipts are what a careless inference would count.
 *
 * Connections open when the app is first used (then the user takes 2-6 s before
 * acting) and stay open, with the app's keep-alives, until the phone's address changes.
 * Which subscriber has which app is a function of the seed and the subscriber alone, so
 * other mixes draw nothing more from the generator's PRNG.
 */
#include <string.h>

#include "gen/gen_internal.h"

enum chat_wire { WIRE_RANDOM, WIRE_TLS, WIRE_LE16 };

struct chat_profile {
	const char *service;
	const char *protocol;      /* what pentrap's records say carried it */
	uint8_t wire;              /* enum chat_wire */
	const char *sni;           /* TLS: the server name (also looked up); NULL: no DNS */
	uint16_t port;
	uint8_t share;             /* percent of subscribers who use the app */
	uint16_t msg_min, msg_max; /* a sent message (bytes of frame or record payload) */
	uint16_t ack_min, ack_max; /* the other side's acknowledgement */
	uint16_t note_min, note_max; /* typing notes and receipts */
	uint16_t envelope;         /* what the delivered copy adds to the sent one */
	uint8_t note_padded;       /* percent of notes padded into a message's size */
	uint16_t ka_min_s, ka_max_s, ka_up, ka_down;
};

static const struct chat_profile APPS[CHAT__COUNT] = {
	[CHAT_TELEGRAM] = { "telegram", "tcp", WIRE_RANDOM, NULL, 443, 50, 150, 1500, 80, 140, 72, 128, 64, 10,
			    50, 70, 72, 72 },
	[CHAT_SIGNAL] = { "signal", "tls", WIRE_TLS, "chat.signal.org", 443, 35, 590, 640, 90, 120, 590, 640, 0, 0,
			  30, 60, 90, 70 },
	[CHAT_VIBER] = { "viber", "tcp", WIRE_LE16, NULL, 4244, 40, 120, 900, 30, 50, 40, 90, 40, 0, 60, 120, 24, 24 },
	[CHAT_MESSENGER] = { "messenger", "tls", WIRE_TLS, "edge-chat.messenger.com", 443, 45, 200, 1200, 25, 40, 60,
			     150, 80, 0, 50, 70, 2, 2 },
};

enum { KA_APP_SHIFT = 24 }; /* a keep-alive episode's a: the subscriber, and the app above it */

/* Signal's longer texts: the next padding classes (160 bytes of content each). */
enum { SIGNAL_CLASS = 213, SIGNAL_CLASSES_MAX = 5 };

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool uses(const struct gen_ctx *g, uint32_t sub, int app)
{
	uint64_t h = mix64(g->opt->seed * 0x9e3779b97f4a7c15ull + (uint64_t)sub * 8u + (uint64_t)app + 1);
	return h % 100 < APPS[app].share;
}

static uint32_t rtt_of(struct gen_ctx *g, const struct subscriber *s)
{
	return s->wifi ? gen_rng_between(&g->rng, 15000, 40000) : gen_rng_between(&g->rng, 40000, 110000);
}

static void server_of(struct gen_ctx *g, int app, struct ip_addr *a)
{
	switch (app) {
	case CHAT_TELEGRAM:
		gen_addr4(a, 149, 154, gen_rng_between(&g->rng, 164, 175), gen_rng_between(&g->rng, 40, 60));
		break;
	case CHAT_SIGNAL: /* the accelerator addresses chat.signal.org resolves to */
		gen_addr4(a, 76, 223, 92, 165);
		break;
	case CHAT_VIBER:
		gen_addr4(a, 52, 0, gen_rng_between(&g->rng, 252, 255), gen_rng_between(&g->rng, 1, 254));
		break;
	default:
		gen_addr4(a, 157, 240, gen_rng_between(&g->rng, 1, 254), gen_rng_between(&g->rng, 60, 70));
		break;
	}
}

/* One frame of n bytes in the app's wire format, dir 0 from the phone. */
static uint64_t frame(struct gen_ctx *g, int app, struct app_conn *a, int dir, uint64_t t, size_t n, uint32_t ack_us)
{
	if (APPS[app].wire == WIRE_TLS)
		return gen_tls_app(g, &a->c, dir, t, n, ack_us);
	uint8_t f[2048];
	if (n < 8)
		n = 8;
	if (n > sizeof f)
		n = sizeof f;
	gen_rng_bytes(&g->rng, f, n);
	if (APPS[app].wire == WIRE_LE16) { /* length, then a counter */
		f[0] = (uint8_t)n;
		f[1] = (uint8_t)(n >> 8);
		f[4] = f[5] = 0;
	}
	return gen_tcp_send(g, &a->c, dir, t, f, n, ack_us);
}

static void ep_chat_keepalive(struct gen_ctx *g, const struct episode *e);

/* The app's connection on the phone's current access: opened when there is none. */
static uint64_t chat_ensure(struct gen_ctx *g, uint32_t si, int app, uint64_t t, bool *opened)
{
	struct subscriber *s = &g->subs[si];
	struct app_conn *a = &s->chat[app];
	const struct chat_profile *p = &APPS[app];
	*opened = false;
	if (a->open && a->net_gen == s->net_gen)
		return t > a->busy_until ? t : a->busy_until + 1000;
	struct ip_addr srv;
	server_of(g, app, &srv);
	uint32_t rtt = rtt_of(g, s);
	if (p->sni)
		t = gen_dns_lookup(g, s, t, p->sni, &srv, gen_rng_between(&g->rng, 5000, 40000)) + 1000;
	gen_conn_sub(g, &a->c, s, 6, &srv, p->port);
	a->open = true; /* frame() writes on it from here */
	switch (p->wire) {
	case WIRE_TLS:
		t = gen_tls_handshake(g, &a->c, t, p->sni, app == CHAT_SIGNAL ? "http/1.1" : "h2",
				      gen_rng_between(&g->rng, 2500, 4000), 0, rtt);
		/* TLS 1.3's NewSessionTicket after the client's Finished (RFC 8446 §4.6.1) */
		t = frame(g, app, a, 1, t + rtt / 2, gen_rng_between(&g->rng, 200, 260), 0);
		/* the websocket upgrade or MQTT CONNECT, and the answer */
		t = frame(g, app, a, 0, t + 2000, gen_rng_between(&g->rng, 300, 600), 0);
		t = frame(g, app, a, 1, t + rtt, gen_rng_between(&g->rng, 150, 300), 20000);
		break;
	case WIRE_RANDOM: /* the obfuscation header and the first request ride together */
		t = gen_tcp_open(g, &a->c, t, rtt);
		t = frame(g, app, a, 0, t + 300, 64 + gen_rng_between(&g->rng, 250, 350), 0);
		t = frame(g, app, a, 1, t + rtt, gen_rng_between(&g->rng, 400, 900), 0);
		t = frame(g, app, a, 0, t + 3000, gen_rng_between(&g->rng, 100, 150), 0);
		t = frame(g, app, a, 1, t + rtt, gen_rng_between(&g->rng, 150, 300), 20000);
		break;
	default:
		t = gen_tcp_open(g, &a->c, t, rtt);
		t = frame(g, app, a, 0, t + 300, gen_rng_between(&g->rng, 90, 110), 0);
		t = frame(g, app, a, 1, t + rtt, gen_rng_between(&g->rng, 60, 90), 0);
		t = frame(g, app, a, 0, t + 3000, gen_rng_between(&g->rng, 150, 300), 0);
		t = frame(g, app, a, 1, t + rtt, gen_rng_between(&g->rng, 300, 600), 20000);
		break;
	}
	a->net_gen = s->net_gen;
	a->busy_until = t;
	*opened = true;
	gen_schedule(g, t + (uint64_t)gen_rng_between(&g->rng, p->ka_min_s, p->ka_max_s) * 1000000u, ep_chat_keepalive,
		     si | (uint32_t)app << KA_APP_SHIFT, s->net_gen, NULL);
	return t + 1000;
}

static void ep_chat_keepalive(struct gen_ctx *g, const struct episode *e)
{
	/* the subscriber in the low bits of a, the app above them (subscribers < 2^24) */
	int app = (int)(e->a >> KA_APP_SHIFT);
	uint32_t si = e->a & ((1u << KA_APP_SHIFT) - 1);
	struct subscriber *s = &g->subs[si];
	struct app_conn *a = &s->chat[app];
	const struct chat_profile *p = &APPS[app];
	if (!s->attached || !a->open || a->net_gen != e->b || s->net_gen != e->b)
		return; /* the connection went with its address: the chain ends */
	uint64_t t = g->now > a->busy_until ? g->now : a->busy_until + 1000;
	t = frame(g, app, a, 0, t, p->ka_up, 0);
	t = frame(g, app, a, 1, t + rtt_of(g, s), p->ka_down, 30000);
	a->busy_until = t;
	gen_sub_busy(g, si, t);
	gen_schedule(g, t + (uint64_t)gen_rng_between(&g->rng, p->ka_min_s, p->ka_max_s) * 1000000u, ep_chat_keepalive,
		     e->a, e->b, NULL);
}

/* A frame from (dir 0) or to (dir 1) the phone, the truth line, and the other side's answer. */
static uint64_t exchange(struct gen_ctx *g, uint32_t si, int app, int dir, uint64_t t, size_t n, const char *truth)
{
	struct subscriber *s = &g->subs[si];
	struct app_conn *a = &s->chat[app];
	const struct chat_profile *p = &APPS[app];
	t = frame(g, app, a, dir, t, n, 0);
	if (truth)
		gen_truth(g, "%s", truth);
	t = frame(g, app, a, !dir, t + (dir ? 20000 : rtt_of(g, s)), gen_rng_between(&g->rng, p->ack_min, p->ack_max),
		  30000);
	a->busy_until = t;
	gen_sub_busy(g, si, t);
	return t;
}

static size_t note_size(struct gen_ctx *g, int app)
{
	const struct chat_profile *p = &APPS[app];
	size_t n = gen_rng_between(&g->rng, p->note_min, p->note_max);
	if (p->note_padded && gen_rng_below(&g->rng, 100) < p->note_padded)
		n += gen_rng_between(&g->rng, 16, 256);
	return n;
}

static size_t message_size(struct gen_ctx *g, int app)
{
	const struct chat_profile *p = &APPS[app];
	size_t n = gen_rng_between(&g->rng, p->msg_min, p->msg_max);
	if (app == CHAT_SIGNAL) /* a longer text takes more padding classes */
		n += SIGNAL_CLASS * gen_rng_below(&g->rng, SIGNAL_CLASSES_MAX) * (gen_rng_chance(&g->rng, 0.4) ? 1 : 0);
	return n;
}

/* A note (typing, receipt) from phone `from` relayed to phone `to`; returns when it is down. */
static uint64_t note(struct gen_ctx *g, int app, uint32_t from, uint32_t to, uint64_t t)
{
	bool opened;
	size_t n = note_size(g, app);
	t = exchange(g, from, app, 0, chat_ensure(g, from, app, t, &opened), n, NULL);
	uint64_t r = chat_ensure(g, to, app, t + gen_rng_between(&g->rng, 80, 400) * 1000u, &opened);
	return exchange(g, to, app, 1, r, n + gen_rng_below(&g->rng, 16), NULL); /* relayed as it came */
}

static int pick_user(struct gen_ctx *g, int app, int other_than)
{
	for (int tries = 0; tries < 16; tries++) {
		int i = gen_pick_sub(g, false, false, other_than);
		if (i >= 0 && uses(g, (uint32_t)i, app))
			return i;
	}
	return -1;
}

void gen_ep_chat_msg(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	int app = (int)gen_rng_below(&g->rng, CHAT__COUNT);
	int ai = pick_user(g, app, -1);
	if (ai < 0)
		return;
	int bi = pick_user(g, app, ai);
	if (bi < 0)
		return;
	const struct chat_profile *p = &APPS[app];
	struct subscriber *a = &g->subs[ai], *b = &g->subs[bi];
	bool opened;
	uint64_t t = chat_ensure(g, (uint32_t)ai, app, g->now, &opened);
	if (opened) /* the app was just opened: the user reads before acting */
		t += gen_rng_between(&g->rng, 2000, 6000) * 1000u;
	if (gen_rng_chance(&g->rng, 0.7)) /* typing, then the message */
		t = note(g, app, (uint32_t)ai, (uint32_t)bi, t) + gen_rng_between(&g->rng, 2000, 8000) * 1000u;
	char truth[384];
	snprintf(truth, sizeof truth,
		 "\"type\":\"ott.message\",\"protocol\":\"%s\",\"service\":\"%s\",\"from\":\"+%s\",\"to\":\"+%s\","
		 "\"leg\":\"send\",\"subscriber\":\"+%s\"",
		 p->protocol, p->service, a->msisdn, b->msisdn, a->msisdn);
	size_t sent = message_size(g, app);
	t = exchange(g, (uint32_t)ai, app, 0, chat_ensure(g, (uint32_t)ai, app, t, &opened), sent, truth);
	snprintf(truth, sizeof truth,
		 "\"type\":\"ott.message\",\"protocol\":\"%s\",\"service\":\"%s\",\"from\":\"+%s\",\"to\":\"+%s\","
		 "\"leg\":\"receive\",\"subscriber\":\"+%s\"",
		 p->protocol, p->service, a->msisdn, b->msisdn, b->msisdn);
	uint64_t r = chat_ensure(g, (uint32_t)bi, app, t + gen_rng_between(&g->rng, 100, 600) * 1000u, &opened);
	r = exchange(g, (uint32_t)bi, app, 1, r, sent + p->envelope + gen_rng_below(&g->rng, 5), truth);
	if (gen_rng_chance(&g->rng, 0.8)) /* delivered: the receipt goes back at once */
		r = note(g, app, (uint32_t)bi, (uint32_t)ai, r + gen_rng_between(&g->rng, 150, 900) * 1000u);
	if (gen_rng_chance(&g->rng, 0.5)) /* read, later */
		note(g, app, (uint32_t)bi, (uint32_t)ai, r + gen_rng_between(&g->rng, 2000, 20000) * 1000u);
}
