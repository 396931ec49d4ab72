/*
 * test_diameter.c — the Diameter dissector: messages and AVPs read with capped lengths
 * (an AVP shorter than its header or past its container is malformed), stream framing
 * (several messages in a segment, one across segments), Gx CCR-I / CCA / CCR-T as a
 * data session, a failed CCA, a termination whose start was not seen, and look-alikes.
 * Test numbers and IMSIs only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"
#include "core/stats.h"
#include "identity/identity.h"
#include "proto/diameter.h"

#include "module_harness.h"

enum { APP_GX = 16777238 };

struct buf {
	uint8_t b[16384];
	size_t n;
};

static void put8(struct buf *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }
static void put16(struct buf *w, unsigned v) { put8(w, v >> 8); put8(w, v); }
static void put24(struct buf *w, unsigned v) { put8(w, v >> 16); put16(w, v & 0xffff); }
static void put32(struct buf *w, uint32_t v) { put16(w, v >> 16); put16(w, v & 0xffff); }
static void put_bytes(struct buf *w, const void *p, size_t n) { memcpy(w->b + w->n, p, n); w->n += n; }
static void patch24(struct buf *w, size_t at, unsigned v)
{
	w->b[at] = (uint8_t)(v >> 16);
	w->b[at + 1] = (uint8_t)(v >> 8);
	w->b[at + 2] = (uint8_t)v;
}

static size_t msg_start(struct buf *w, unsigned flags, unsigned cmd, uint32_t app, uint32_t hbh, uint32_t e2e)
{
	size_t at = w->n;
	put8(w, 1);
	put24(w, 0);
	put8(w, flags);
	put24(w, cmd);
	put32(w, app);
	put32(w, hbh);
	put32(w, e2e);
	return at;
}

static void msg_end(struct buf *w, size_t at) { patch24(w, at + 1, (unsigned)(w->n - at)); }

static size_t avp_start(struct buf *w, uint32_t code)
{
	size_t at = w->n;
	put32(w, code);
	put8(w, 0x40);
	put24(w, 0);
	return at;
}

static void avp_end(struct buf *w, size_t at)
{
	patch24(w, at + 5, (unsigned)(w->n - at));
	while (w->n & 3)
		put8(w, 0);
}

static void avp(struct buf *w, uint32_t code, const void *v, size_t n)
{
	size_t at = avp_start(w, code);
	put_bytes(w, v, n);
	avp_end(w, at);
}

static void avp_str(struct buf *w, uint32_t code, const char *s) { avp(w, code, s, strlen(s)); }

static void avp_u32(struct buf *w, uint32_t code, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	avp(w, code, b, 4);
}

static void subscription(struct buf *w, uint32_t type, const char *data)
{
	size_t g = avp_start(w, 443);
	avp_u32(w, 450, type);
	avp_str(w, 444, data);
	avp_end(w, g);
}

static void ccr(struct buf *w, uint32_t hbh, unsigned type, const char *session, const char *ip)
{
	size_t at = msg_start(w, 0xc0, 272, APP_GX, hbh, hbh + 1000);
	avp_str(w, 263, session);
	avp_str(w, 264, "pgw.example.net");
	avp_u32(w, 416, type);
	subscription(w, 0, "15555550100");
	subscription(w, 1, "001010123456789");
	size_t g = avp_start(w, 458);
	avp_u32(w, 459, 0);
	avp_str(w, 460, "3520990017614823");
	avp_end(w, g);
	if (ip) {
		struct ip_addr a;
		addr_parse(ip, &a);
		avp(w, 8, a.bytes, 4);
	}
	uint8_t pre[] = { 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 0, 0, 0 };
	avp(w, 97, pre, sizeof pre);
	avp_str(w, 30, "internet");
	/* a vendor AVP (3GPP-User-Location-Info) is stepped over */
	size_t v = w->n;
	put32(w, 22);
	put8(w, 0xc0);
	put24(w, 0);
	put32(w, 10415);
	put_bytes(w, "\x82\x00\xf1\x10", 4);
	patch24(w, v + 5, (unsigned)(w->n - v));
	msg_end(w, at);
}

static void cca(struct buf *w, uint32_t hbh, unsigned type, const char *session, uint32_t result)
{
	size_t at = msg_start(w, 0x40, 272, APP_GX, hbh, hbh + 1000);
	avp_str(w, 263, session);
	avp_u32(w, 268, result);
	avp_u32(w, 416, type);
	msg_end(w, at);
}

static struct harness *h_new(void)
{
	return harness_new(&diameter_dissector, 256);
}

/* Stream bytes p[0..n) from the PCEF (dir 0) or the PCRF (dir 1); *consumed set. */
static enum parse_status feed(struct harness *h, const uint8_t *p, size_t n, double ts, int dir, size_t *consumed)
{
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, p, n);
	h->pkt.ts_us = (uint64_t)(ts * 1e6);
	h->pkt.frame_no = ++h->frame;
	h->pkt.ip_proto = IPPROTO_TCP_;
	addr_parse(dir ? "192.0.2.200" : "192.0.2.100", &h->pkt.src);
	addr_parse(dir ? "192.0.2.100" : "192.0.2.200", &h->pkt.dst);
	h->pkt.sport = dir ? 3868 : 40000;
	h->pkt.dport = dir ? 40000 : 3868;
	h->pkt.payload = copy;
	h->pkt.payload_len = (uint32_t)n;
	size_t c = 0;
	enum parse_status r = diameter_dissector.parse(&h->ctx, copy, n, &c);
	if (consumed)
		*consumed = c;
	free(copy);
	return r;
}

static bool who_is(struct harness *h, const char *addr, double ts, struct subscriber *s)
{
	struct ip_addr a;
	addr_parse(addr, &a);
	memset(s, 0, sizeof *s);
	return identity_lookup(h->ids, &a, (uint64_t)(ts * 1e6), s);
}

static void test_parse(void)
{
	struct buf w = { .n = 0 };
	ccr(&w, 1, 1, "pgw;1;1", "10.9.0.1");
	struct diameter_msg m;
	CHECK_EQ_INT(diameter_parse(w.b, w.n, &m), DIAMETER_OK);
	CHECK_EQ_INT(m.length, w.n);
	CHECK_EQ_INT(m.command, 272);
	CHECK_EQ_INT(m.app_id, APP_GX);
	CHECK_EQ_INT(m.cc_type, 1);
	CHECK_EQ_STR(m.session_id, "pgw;1;1");
	CHECK_EQ_STR(m.msisdn, "15555550100");
	CHECK_EQ_STR(m.imsi, "001010123456789");
	CHECK_EQ_STR(m.imei, "3520990017614823");
	CHECK_EQ_STR(m.called, "internet");
	char a[ADDR_STRLEN];
	CHECK_EQ_STR(addr_format(&m.framed_ip, a, sizeof a), "10.9.0.1");
	CHECK_EQ_STR(addr_format(&m.framed_v6, a, sizeof a), "2001:db8:9::");
	CHECK_EQ_INT(m.framed_v6_len, 64);
	for (size_t n = 0; n < w.n; n++)
		CHECK_EQ_INT(diameter_parse(w.b, n, &m), DIAMETER_INCOMPLETE);
}

static void test_malformed(void)
{
	struct buf w = { .n = 0 };
	struct diameter_msg m;
	ccr(&w, 1, 1, "s", NULL);
	struct buf b = w;
	b.b[0] = 2; /* version */
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	b = w;
	patch24(&b, 1, (unsigned)w.n - 2); /* not a multiple of 4 */
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	b = w;
	patch24(&b, 1, 16); /* shorter than the header */
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	b = w;
	b.b[4] |= 0x01; /* a reserved flag */
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	b = w;
	b.b[4] = 0xa0; /* the error bit on a request */
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	b = w;
	patch24(&b, 20 + 5, 4); /* the first AVP shorter than its header */
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	b = w;
	patch24(&b, 20 + 5, 4000); /* ... or past the message */
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	/* an AVP past its group */
	b.n = 0;
	size_t at = msg_start(&b, 0x80, 272, APP_GX, 1, 1);
	size_t g = avp_start(&b, 443);
	size_t in = avp_start(&b, 444);
	put_bytes(&b, "1234", 4);
	avp_end(&b, in);
	avp_end(&b, g);
	patch24(&b, in + 5, 40);
	msg_end(&b, at);
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);
	/* more AVPs than the cap */
	b.n = 0;
	at = msg_start(&b, 0x80, 280, 0, 1, 1);
	for (int i = 0; i < DIAMETER_MAX_AVPS + 1; i++) {
		put32(&b, 999);
		put8(&b, 0);
		put24(&b, 8);
	}
	msg_end(&b, at);
	CHECK_EQ_INT(diameter_parse(b.b, b.n, &m), DIAMETER_MALFORMED);

	struct harness *h = h_new();
	size_t c;
	b = w;
	b.b[0] = 2;
	CHECK_EQ_INT(feed(h, b.b, b.n, 1.0, 0, &c), PARSE_MALFORMED);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_DIAMETER_MALFORMED], 1);
	harness_free(h);
}

static void test_gx_session(void)
{
	struct harness *h = h_new();
	struct buf w = { .n = 0 };
	size_t c;
	ccr(&w, 10, 1, "pgw;100;1", "10.9.0.1");
	CHECK_EQ_INT(feed(h, w.b, w.n, 50.0, 0, &c), PARSE_OK);
	CHECK_EQ_INT(c, w.n);
	CHECK_EQ_INT(h->nev, 0);
	w.n = 0;
	cca(&w, 10, 1, "pgw;100;1", 2001);
	feed(h, w.b, w.n, 50.2, 1, &c);
	CHECK_EQ_INT(h->nev, 1);
	struct event *e = &h->ev[0];
	CHECK_EQ_INT(e->type, EV_DATA_SESSION_BEGIN);
	CHECK_EQ_STR(e->protocol, "diameter");
	CHECK_EQ_STR(e->from, "+15555550100");
	CHECK_EQ_STR(e->to, "internet");
	CHECK_EQ_STR(e->contact, "10.9.0.1,2001:db8:9::/64");
	CHECK_EQ_STR(e->call_id, "pgw;100;1");
	CHECK_EQ_INT(e->nframes, 2);
	struct subscriber s;
	CHECK(who_is(h, "10.9.0.1", 60.0, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010123456789");
	CHECK_EQ_STR(s.imei, "imei:3520990017614823");
	CHECK(who_is(h, "2001:db8:9::77", 60.0, &s));
	/* an update changes nothing; the termination ends it */
	w.n = 0;
	ccr(&w, 11, 2, "pgw;100;1", "10.9.0.1");
	feed(h, w.b, w.n, 70.0, 0, &c);
	CHECK_EQ_INT(h->nev, 1);
	w.n = 0;
	ccr(&w, 12, 3, "pgw;100;1", "10.9.0.1");
	feed(h, w.b, w.n, 90.2, 0, &c);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(h->ev[1].type, EV_DATA_SESSION_END);
	CHECK_EQ_INT(h->ev[1].duration_us, 40000000);
	CHECK(!who_is(h, "10.9.0.1", 91.0, &s));

	/* a failed answer opens nothing */
	w.n = 0;
	ccr(&w, 20, 1, "pgw;200;1", "10.9.0.2");
	feed(h, w.b, w.n, 100.0, 0, &c);
	w.n = 0;
	cca(&w, 20, 1, "pgw;200;1", 5003);
	feed(h, w.b, w.n, 100.1, 1, &c);
	CHECK_EQ_INT(h->nev, 2);
	/* an answer to nothing we saw opens nothing */
	w.n = 0;
	cca(&w, 21, 1, "pgw;201;1", 2001);
	feed(h, w.b, w.n, 100.2, 1, &c);
	CHECK_EQ_INT(h->nev, 2);
	/* a termination whose start came before the capture: reported as an end */
	w.n = 0;
	ccr(&w, 30, 3, "pgw;300;1", "10.9.0.3");
	feed(h, w.b, w.n, 110.0, 0, &c);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_INT(h->ev[2].type, EV_DATA_SESSION_END);
	CHECK_EQ_INT(h->ev[2].duration_us, -1);
	/* a Gy session with no address names nobody's address */
	w.n = 0;
	size_t at = msg_start(&w, 0xc0, 272, 4, 40, 40);
	avp_str(&w, 263, "ocs;1");
	avp_u32(&w, 416, 1);
	subscription(&w, 0, "15555550100");
	msg_end(&w, at);
	feed(h, w.b, w.n, 120.0, 0, &c);
	w.n = 0;
	at = msg_start(&w, 0x40, 272, 4, 40, 40);
	avp_str(&w, 263, "ocs;1");
	avp_u32(&w, 268, 2001);
	msg_end(&w, at);
	feed(h, w.b, w.n, 120.1, 1, &c);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	harness_free(h);
}

static void test_stream_framing(void)
{
	struct harness *h = h_new();
	struct buf w = { .n = 0 };
	size_t c;
	/* a watchdog, the CCR and its answer... in one segment */
	size_t at = msg_start(&w, 0x80, 280, 0, 5, 5);
	avp_str(&w, 264, "pgw.example.net");
	msg_end(&w, at);
	size_t first = w.n;
	ccr(&w, 50, 1, "pgw;500;1", "10.9.0.5");
	size_t second = w.n;
	CHECK_EQ_INT(feed(h, w.b, w.n, 1.0, 0, &c), PARSE_OK);
	CHECK_EQ_INT(c, second);
	/* ... one message split across segments: needs more, consumed what came before */
	struct buf ans = { .n = 0 };
	cca(&ans, 50, 1, "pgw;500;1", 2001);
	CHECK_EQ_INT(feed(h, ans.b, 7, 1.1, 1, &c), PARSE_NEED_MORE);
	CHECK_EQ_INT(c, 0);
	CHECK_EQ_INT(feed(h, ans.b, ans.n - 1, 1.1, 1, &c), PARSE_NEED_MORE);
	CHECK_EQ_INT(h->nev, 0);
	CHECK_EQ_INT(feed(h, ans.b, ans.n, 1.2, 1, &c), PARSE_OK);
	CHECK_EQ_INT(c, ans.n);
	CHECK_EQ_INT(h->nev, 1);
	/* a whole message then half of the next */
	w.n = 0;
	ccr(&w, 51, 3, "pgw;500;1", "10.9.0.5");
	size_t one = w.n;
	ccr(&w, 52, 1, "pgw;501;1", "10.9.0.6");
	CHECK_EQ_INT(feed(h, w.b, one + 10, 2.0, 0, &c), PARSE_NEED_MORE);
	CHECK_EQ_INT(c, one);
	CHECK_EQ_INT(h->nev, 2);
	(void)first;
	harness_free(h);
}

static bool recognise(const void *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, p, n);
	bool r = diameter_dissector.recognise(copy, n, NULL);
	free(copy);
	return r;
}

static void test_lookalikes(void)
{
	struct buf w = { .n = 0 };
	size_t at = msg_start(&w, 0x80, 257, 0, 1, 1); /* CER */
	avp_str(&w, 264, "pgw.example.net");
	msg_end(&w, at);
	CHECK(recognise(w.b, w.n));
	CHECK(recognise(w.b, 28)); /* the header and the first AVP's are enough */
	CHECK(!recognise(w.b, 19));
	CHECK(!recognise("GET / HTTP/1.1\r\nHost: example.net\r\n\r\n", 37));
	CHECK(!recognise("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 random bytes here....", 32));
	struct buf b = w;
	b.b[20 + 4] = 0x41; /* a reserved AVP flag */
	CHECK(!recognise(b.b, b.n));
	b = w;
	patch24(&b, 1, 22);
	CHECK(!recognise(b.b, b.n));
	/* SMPP bind: starts with a 4-byte length */
	const uint8_t smpp[] = { 0, 0, 0, 0x20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 's', 'y', 's', 0, 'p', 'w', 0, 0, 0, 0x34, 0, 0 };
	CHECK(!recognise(smpp, sizeof smpp));
}

int main(void)
{
	test_parse();
	test_malformed();
	test_gx_session();
	test_stream_framing();
	test_lookalikes();
	return check_done("test_diameter");
}
