/*
 * test_radius.c — the RADIUS dissector: attributes read with capped lengths (an
 * attribute shorter than 2 or past the end is malformed, a cut packet truncated),
 * accounting Start / Interim-Update / Stop as data sessions, a Stop whose Start was not
 * seen, Access-Accept bindings, who a packet names (3GPP-IMSI, IMSI-based NAI, the
 * Calling-Station-Id's number), and look-alikes. Test numbers and IMSIs only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"
#include "core/stats.h"
#include "identity/identity.h"
#include "proto/radius.h"

#include "module_harness.h"

struct buf {
	uint8_t b[4200];
	size_t n;
};

static void put8(struct buf *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }
static void put16(struct buf *w, unsigned v) { put8(w, v >> 8); put8(w, v); }
static void put_bytes(struct buf *w, const void *p, size_t n) { memcpy(w->b + w->n, p, n); w->n += n; }

static void header(struct buf *w, unsigned code, unsigned id)
{
	w->n = 0;
	put8(w, code);
	put8(w, id);
	put16(w, 0);
	for (int i = 0; i < 16; i++)
		put8(w, 0xa5);
}

static void finish(struct buf *w)
{
	w->b[2] = (uint8_t)(w->n >> 8);
	w->b[3] = (uint8_t)w->n;
}

static void attr(struct buf *w, unsigned type, const void *v, size_t n)
{
	put8(w, type);
	put8(w, (unsigned)(n + 2));
	put_bytes(w, v, n);
}

static void attr_str(struct buf *w, unsigned type, const char *s) { attr(w, type, s, strlen(s)); }

static void attr_u32(struct buf *w, unsigned type, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	attr(w, type, b, 4);
}

static void attr_ip(struct buf *w, unsigned type, const char *a)
{
	struct ip_addr ip;
	addr_parse(a, &ip);
	attr(w, type, ip.bytes, 4);
}

static void accounting(struct buf *w, unsigned id, unsigned status, const char *session, const char *calling,
		       const char *user, const char *ip)
{
	header(w, 4, id);
	if (user)
		attr_str(w, 1, user);
	attr_ip(w, 4, "192.0.2.1"); /* NAS-IP-Address */
	if (ip)
		attr_ip(w, 8, ip);
	attr_str(w, 30, "internet");
	if (calling)
		attr_str(w, 31, calling);
	attr_u32(w, 40, status);
	attr_str(w, 44, session);
	if (status == 2)
		attr_u32(w, 46, 600);
	finish(w);
}

static struct harness *h_new(void)
{
	return harness_new(&radius_dissector, 256);
}

/* From the NAS (dir 0) or the server (dir 1). */
static enum parse_status feed(struct harness *h, const struct buf *w, size_t len, double ts, int dir, uint16_t port,
			      bool cut)
{
	size_t n = len ? len : w->n;
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, w->b, n);
	h->pkt.ts_us = (uint64_t)(ts * 1e6);
	h->pkt.frame_no = ++h->frame;
	h->pkt.ip_proto = IPPROTO_UDP_;
	addr_parse(dir ? "192.0.2.100" : "192.0.2.1", &h->pkt.src);
	addr_parse(dir ? "192.0.2.1" : "192.0.2.100", &h->pkt.dst);
	h->pkt.sport = dir ? port : 40000;
	h->pkt.dport = dir ? 40000 : port;
	h->pkt.payload = copy;
	h->pkt.payload_len = (uint32_t)n;
	h->pkt.payload_truncated = cut;
	size_t consumed = 0;
	enum parse_status r = radius_dissector.parse(&h->ctx, copy, n, &consumed);
	free(copy);
	return r;
}

static bool recognise(const struct buf *w, size_t len, uint16_t sport, uint16_t dport)
{
	struct packet pkt = { .sport = sport, .dport = dport, .ip_proto = IPPROTO_UDP_ };
	size_t n = len ? len : w->n;
	uint8_t *copy = malloc(n);
	memcpy(copy, w->b, n);
	bool r = radius_dissector.recognise(copy, n, &pkt);
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
	struct buf w;
	struct radius_msg m;
	accounting(&w, 7, 1, "sess-1", "+15555550100", "alice", "10.0.0.7");
	/* Framed-IPv6-Prefix 2001:db8:7::/48 and a 3GPP-IMSI vendor attribute */
	uint8_t pre[] = { 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 7 };
	attr(&w, 97, pre, sizeof pre);
	uint8_t vsa[] = { 0, 0, 0x28, 0xaf, 1, 17, '0', '0', '1', '0', '1', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' };
	attr(&w, 26, vsa, sizeof vsa);
	finish(&w);
	CHECK_EQ_INT(radius_parse(w.b, w.n, false, &m), RADIUS_OK);
	CHECK_EQ_INT(m.code, 4);
	CHECK_EQ_INT(m.identifier, 7);
	CHECK_EQ_INT(m.status, 1);
	CHECK_EQ_STR(m.user_name, "alice");
	CHECK_EQ_STR(m.calling, "+15555550100");
	CHECK_EQ_STR(m.called, "internet");
	CHECK_EQ_STR(m.session_id, "sess-1");
	CHECK_EQ_STR(m.imsi, "001010123456789");
	char a[ADDR_STRLEN];
	CHECK_EQ_STR(addr_format(&m.framed_ip, a, sizeof a), "10.0.0.7");
	CHECK_EQ_STR(addr_format(&m.framed_v6, a, sizeof a), "2001:db8:7::");
	CHECK_EQ_INT(m.framed_v6_len, 48);
	CHECK_EQ_STR(addr_format(&m.nas_ip, a, sizeof a), "192.0.2.1");
	/* padding after Length is ignored */
	struct buf p = w;
	put8(&p, 0);
	put8(&p, 0);
	CHECK_EQ_INT(radius_parse(p.b, p.n, false, &m), RADIUS_OK);
}

static void test_malformed_and_truncated(void)
{
	struct buf w;
	struct radius_msg m;
	struct harness *h = h_new();
	/* an attribute length of 1 */
	header(&w, 1, 1);
	attr_str(&w, 1, "bob");
	put8(&w, 31);
	put8(&w, 1);
	put8(&w, 'x');
	finish(&w);
	CHECK_EQ_INT(radius_parse(w.b, w.n, false, &m), RADIUS_MALFORMED);
	CHECK_EQ_INT(feed(h, &w, 0, 1.0, 0, 1812, false), PARSE_MALFORMED);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_RADIUS_MALFORMED], 1);
	/* an attribute running past Length */
	header(&w, 1, 1);
	attr_str(&w, 1, "bob");
	put8(&w, 31);
	put8(&w, 40);
	put_bytes(&w, "12345", 5);
	finish(&w);
	CHECK_EQ_INT(radius_parse(w.b, w.n, false, &m), RADIUS_MALFORMED);
	CHECK_EQ_STR(m.user_name, "bob"); /* what came before is read, nothing after */
	/* Length under 20, over 4096, past the datagram; an unknown code */
	header(&w, 1, 1);
	finish(&w);
	w.b[3] = 19;
	CHECK_EQ_INT(radius_parse(w.b, w.n, false, &m), RADIUS_MALFORMED);
	w.b[2] = 0x10;
	w.b[3] = 0x01;
	CHECK_EQ_INT(radius_parse(w.b, w.n, false, &m), RADIUS_MALFORMED);
	accounting(&w, 1, 1, "s", NULL, "bob", "10.0.0.1");
	CHECK_EQ_INT(radius_parse(w.b, w.n - 3, false, &m), RADIUS_MALFORMED);
	/* ... unless the capture cut it */
	CHECK_EQ_INT(radius_parse(w.b, w.n - 3, true, &m), RADIUS_TRUNCATED);
	CHECK_EQ_INT(radius_parse(w.b, 10, true, &m), RADIUS_TRUNCATED);
	CHECK_EQ_INT(feed(h, &w, w.n - 3, 2.0, 0, 1813, true), PARSE_MALFORMED);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_RADIUS_TRUNCATED], 1);
	w.b[0] = 6;
	CHECK_EQ_INT(radius_parse(w.b, w.n, false, &m), RADIUS_MALFORMED);
	/* more attributes than the cap */
	header(&w, 4, 1);
	for (int i = 0; i < RADIUS_MAX_ATTRS + 1; i++) {
		put8(&w, 80);
		put8(&w, 2);
	}
	finish(&w);
	CHECK_EQ_INT(radius_parse(w.b, w.n, false, &m), RADIUS_MALFORMED);
	CHECK_EQ_INT(h->nev, 0);
	harness_free(h);
}

static void test_accounting_session(void)
{
	struct harness *h = h_new();
	struct buf w;
	accounting(&w, 1, 1, "acct-1", "+15555550100", "alice@example.net", "10.0.0.7");
	CHECK_EQ_INT(feed(h, &w, 0, 100.0, 0, 1813, false), PARSE_OK);
	CHECK_EQ_INT(h->nev, 1);
	struct event *e = &h->ev[0];
	CHECK_EQ_INT(e->type, EV_DATA_SESSION_BEGIN);
	CHECK_EQ_STR(e->protocol, "radius");
	CHECK_EQ_STR(e->from, "+15555550100");
	CHECK_EQ_STR(e->to, "internet");
	CHECK_EQ_STR(e->contact, "10.0.0.7");
	CHECK_EQ_STR(e->call_id, "acct-1");
	struct subscriber s;
	CHECK(who_is(h, "10.0.0.7", 101.0, &s));
	CHECK_EQ_STR(s.msisdn, "+15555550100");
	/* the server's answer and an interim update add nothing */
	header(&w, 5, 1);
	finish(&w);
	feed(h, &w, 0, 100.1, 1, 1813, false);
	accounting(&w, 2, 3, "acct-1", "+15555550100", "alice@example.net", "10.0.0.7");
	feed(h, &w, 0, 400.0, 0, 1813, false);
	CHECK_EQ_INT(h->nev, 1);
	accounting(&w, 3, 2, "acct-1", "+15555550100", "alice@example.net", "10.0.0.7");
	feed(h, &w, 0, 700.0, 0, 1813, false);
	CHECK_EQ_INT(h->nev, 2);
	e = &h->ev[1];
	CHECK_EQ_INT(e->type, EV_DATA_SESSION_END);
	CHECK_EQ_INT(e->duration_us, 600000000);
	CHECK(!who_is(h, "10.0.0.7", 701.0, &s));
	/* a Stop whose Start was before the capture: the end, with Acct-Session-Time */
	accounting(&w, 4, 2, "acct-2", "15555550101", NULL, "10.0.0.8");
	feed(h, &w, 0, 800.0, 0, 1813, false);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_INT(h->ev[2].type, EV_DATA_SESSION_END);
	CHECK_EQ_STR(h->ev[2].from, "15555550101"); /* bare digits stay bare */
	CHECK_EQ_INT(h->ev[2].duration_us, 600000000);
	/* an interim for a session never started: bound quietly, its Stop ends it */
	accounting(&w, 5, 3, "acct-3", NULL, "carol", "10.0.0.9");
	feed(h, &w, 0, 900.0, 0, 1813, false);
	CHECK_EQ_INT(h->nev, 3);
	accounting(&w, 6, 2, "acct-3", NULL, "carol", "10.0.0.9");
	feed(h, &w, 0, 950.0, 0, 1813, false);
	CHECK_EQ_INT(h->nev, 4);
	CHECK_EQ_STR(h->ev[3].from, "carol"); /* no number, no IMSI: the User-Name */
	CHECK_EQ_INT(h->ev[3].duration_us, 600000000);
	CHECK(!who_is(h, "10.0.0.9", 920.0, &s)); /* a user name alone is not bound */
	/* no Acct-Session-Id, or no address: nothing */
	header(&w, 4, 9);
	attr_ip(&w, 8, "10.0.0.10");
	attr_u32(&w, 40, 1);
	finish(&w);
	feed(h, &w, 0, 960.0, 0, 1813, false);
	accounting(&w, 10, 1, "acct-4", "+15555550100", NULL, NULL);
	feed(h, &w, 0, 961.0, 0, 1813, false);
	CHECK_EQ_INT(h->nev, 4);
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	harness_free(h);
}

static void test_access_accept(void)
{
	struct harness *h = h_new();
	struct buf w;
	header(&w, 1, 42);
	attr_str(&w, 1, "0001010123456789@wlan.mnc001.mcc001.3gppnetwork.org");
	attr_str(&w, 31, "0015555550100");
	finish(&w);
	feed(h, &w, 0, 10.0, 0, 1812, false);
	header(&w, 2, 42);
	attr_ip(&w, 8, "10.0.1.1");
	finish(&w);
	feed(h, &w, 0, 10.1, 1, 1812, false);
	CHECK_EQ_INT(h->nev, 0); /* a binding, no record */
	struct subscriber s;
	CHECK(who_is(h, "10.0.1.1", 11.0, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010123456789");
	CHECK_EQ_STR(s.msisdn, "+15555550100");
	/* "the NAS chooses" is not an address */
	header(&w, 1, 43);
	attr_str(&w, 31, "+15555550102");
	finish(&w);
	feed(h, &w, 0, 20.0, 0, 1812, false);
	header(&w, 2, 43);
	attr_ip(&w, 8, "255.255.255.254");
	finish(&w);
	feed(h, &w, 0, 20.1, 1, 1812, false);
	CHECK(!who_is(h, "255.255.255.254", 21.0, &s));
	harness_free(h);
}

static void test_who(void)
{
	struct radius_msg m;
	char imsi[24], msisdn[24], apn[64];
	memset(&m, 0, sizeof m);
	strcpy(m.user_name, "1001010123456789@wlan.mnc001.mcc001.3gppnetwork.org"); /* EAP-SIM */
	strcpy(m.calling, "fc-db-b3-08-ff-14");
	radius_subscriber(&m, imsi, msisdn, apn);
	CHECK_EQ_STR(imsi, "imsi:001010123456789");
	CHECK_EQ_STR(msisdn, "");
	strcpy(m.user_name, "2abcdef@wlan.mnc001.mcc001.3gppnetwork.org"); /* a pseudonym */
	strcpy(m.calling, "15555550100");
	radius_subscriber(&m, imsi, msisdn, apn);
	CHECK_EQ_STR(imsi, "");
	CHECK_EQ_STR(msisdn, "15555550100");
	strcpy(m.user_name, "0001010123456789@example.com"); /* not a 3GPP realm */
	strcpy(m.calling, "+1555");                          /* too short to be a number */
	radius_subscriber(&m, imsi, msisdn, apn);
	CHECK_EQ_STR(imsi, "");
	CHECK_EQ_STR(msisdn, "");
	strcpy(m.imsi, "001010123456789");
	strcpy(m.calling, "+15555550100");
	radius_subscriber(&m, imsi, msisdn, apn);
	CHECK_EQ_STR(imsi, "imsi:001010123456789");
	CHECK_EQ_STR(msisdn, "+15555550100");
}

static void test_lookalikes(void)
{
	struct buf w;
	accounting(&w, 1, 1, "s", NULL, "bob", "10.0.0.1");
	CHECK(recognise(&w, 0, 40000, 1813));
	CHECK(recognise(&w, 0, 40000, 5555));  /* exact length, attributes: off port too */
	struct buf p = w;
	put8(&p, 0);
	CHECK(recognise(&p, 0, 40000, 1813));  /* padding on the RADIUS port */
	CHECK(!recognise(&p, 0, 40000, 5555)); /* ... but not elsewhere */
	header(&w, 12, 1);
	finish(&w);
	CHECK(recognise(&w, 0, 40000, 1812));
	CHECK(!recognise(&w, 0, 40000, 5555)); /* no attributes off port */
	/* QUIC short header, DNS query bytes, a short datagram */
	uint8_t quic[40] = { 0x43, 0xde, 0xad };
	struct buf q = { .n = 0 };
	put_bytes(&q, quic, sizeof quic);
	CHECK(!recognise(&q, 0, 443, 53129));
	uint8_t dns[] = { 0x01, 0x02, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'w', 'w', 'w',
			  0x00, 0x00, 0x01, 0x00, 0x01 };
	q.n = 0;
	put_bytes(&q, dns, sizeof dns);
	CHECK(!recognise(&q, 0, 40000, 53));
	CHECK(!recognise(&w, 10, 40000, 1812));
}

int main(void)
{
	test_parse();
	test_malformed_and_truncated();
	test_accounting_session();
	test_access_accept();
	test_who();
	test_lookalikes();
	return check_done("test_radius");
}
