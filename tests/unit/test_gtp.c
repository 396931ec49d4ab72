/*
 * test_gtp.c — the GTP-C dissector: the IE codecs, GTPv1 and GTPv2 sessions from
 * request/response pairs (and what does not open one: a rejection, another request's
 * answer), the identity bindings they make, one session seen on two interfaces,
 * truncated and malformed messages, and look-alikes (GTP', GTP-U, a v2 header with
 * spare bits). Messages are built here byte by byte and fed through exact-size heap
 * copies so the address sanitizer sees any over-read. Test numbers and IMSIs only
 * (001-01 is the test network).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"
#include "core/stats.h"
#include "identity/identity.h"
#include "proto/gtp.h"

#include "module_harness.h"

/* --- a byte builder --- */

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put8(struct buf *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }
static void put16(struct buf *w, unsigned v) { put8(w, v >> 8); put8(w, v); }
static void put24(struct buf *w, unsigned v) { put8(w, v >> 16); put16(w, v & 0xffff); }
static void put32(struct buf *w, uint32_t v) { put16(w, v >> 16); put16(w, v & 0xffff); }
static void put_bytes(struct buf *w, const void *p, size_t n) { memcpy(w->b + w->n, p, n); w->n += n; }
static void patch16(struct buf *w, size_t at, unsigned v) { w->b[at] = (uint8_t)(v >> 8); w->b[at + 1] = (uint8_t)v; }

/* TBCD of a digit string, 0xF filled. */
static void put_tbcd(struct buf *w, const char *d)
{
	size_t n = strlen(d);
	for (size_t i = 0; i < n; i += 2) {
		unsigned lo = (unsigned)(d[i] - '0'), hi = i + 1 < n ? (unsigned)(d[i + 1] - '0') : 0xf;
		put8(w, hi << 4 | lo);
	}
}

static size_t tbcd_len(const char *d) { return (strlen(d) + 1) / 2; }

static void put_apn(struct buf *w, const char *apn)
{
	const char *p = apn;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		put8(w, (unsigned)l);
		put_bytes(w, p, l);
		p += l + (dot ? 1 : 0);
	}
}

static size_t apn_len(const char *apn) { return strlen(apn) + 1; }

/* --- GTPv1 messages --- */

/* Header with S set; returns the offset of the length field. */
static size_t v1_header(struct buf *w, unsigned type, uint32_t teid, unsigned seq)
{
	put8(w, 0x32);
	put8(w, type);
	size_t at = w->n;
	put16(w, 0);
	put32(w, teid);
	put16(w, seq);
	put8(w, 0);
	put8(w, 0);
	return at;
}

static void v1_finish(struct buf *w, size_t at) { patch16(w, at, (unsigned)(w->n - 8)); }

static void v1_create_req(struct buf *w, unsigned seq, const char *imsi, const char *msisdn, const char *apn,
			  uint32_t teid_c, const uint8_t sgsn[4])
{
	size_t at = v1_header(w, 16, 0, seq);
	put8(w, 2);
	put_tbcd(w, imsi); /* 15 digits: 8 bytes */
	put8(w, 14); put8(w, 1);            /* recovery */
	put8(w, 15); put8(w, 0xf1);         /* selection mode */
	put8(w, 16); put32(w, teid_c + 1);  /* TEID data I */
	put8(w, 17); put32(w, teid_c);      /* TEID control plane */
	put8(w, 20); put8(w, 5);            /* NSAPI */
	put8(w, 128); put16(w, 2); put8(w, 0xf1); put8(w, 0x21); /* EUA: IPv4, dynamic */
	put8(w, 131); put16(w, (unsigned)apn_len(apn)); put_apn(w, apn);
	put8(w, 133); put16(w, 4); put_bytes(w, sgsn, 4);
	put8(w, 133); put16(w, 4); put_bytes(w, sgsn, 4);
	if (msisdn) {
		put8(w, 134); put16(w, (unsigned)(1 + tbcd_len(msisdn))); put8(w, 0x91); put_tbcd(w, msisdn);
	}
	put8(w, 151); put16(w, 1); put8(w, 1); /* RAT: UTRAN */
	put8(w, 152); put16(w, 8); put8(w, 0); put8(w, 0x00); put8(w, 0xf1); put8(w, 0x10); put16(w, 0x1234); put16(w, 0x5678);
	put8(w, 154); put16(w, 8); put_tbcd(w, "3520990017614823");
	v1_finish(w, at);
}

static void v1_create_resp(struct buf *w, unsigned seq, uint32_t teid, unsigned cause, const uint8_t ue[4],
			   uint32_t teid_c, const uint8_t ggsn[4])
{
	size_t at = v1_header(w, 17, teid, seq);
	put8(w, 1); put8(w, cause);
	put8(w, 16); put32(w, teid_c + 1);
	put8(w, 17); put32(w, teid_c);
	put8(w, 127); put32(w, 7); /* charging id */
	if (ue) {
		put8(w, 128); put16(w, 6); put8(w, 0xf1); put8(w, 0x21); put_bytes(w, ue, 4);
	}
	put8(w, 133); put16(w, 4); put_bytes(w, ggsn, 4);
	put8(w, 133); put16(w, 4); put_bytes(w, ggsn, 4);
	v1_finish(w, at);
}

static void v1_delete_req(struct buf *w, unsigned seq, uint32_t teid)
{
	size_t at = v1_header(w, 20, teid, seq);
	put8(w, 19); put8(w, 0xff); /* teardown */
	put8(w, 20); put8(w, 5);
	v1_finish(w, at);
}

static void v1_delete_resp(struct buf *w, unsigned seq, uint32_t teid, unsigned cause)
{
	size_t at = v1_header(w, 21, teid, seq);
	put8(w, 1); put8(w, cause);
	v1_finish(w, at);
}

/* --- GTPv2 messages --- */

static size_t v2_header(struct buf *w, unsigned type, uint32_t teid, unsigned seq)
{
	put8(w, 0x48);
	put8(w, type);
	size_t at = w->n;
	put16(w, 0);
	put32(w, teid);
	put24(w, seq);
	put8(w, 0);
	return at;
}

static void v2_finish(struct buf *w, size_t at) { patch16(w, at, (unsigned)(w->n - 4)); }

static void v2_ie(struct buf *w, unsigned type, unsigned instance, const void *v, size_t n)
{
	put8(w, type);
	put16(w, (unsigned)n);
	put8(w, instance);
	put_bytes(w, v, n);
}

static void v2_fteid(struct buf *w, unsigned instance, unsigned iface, uint32_t teid, const uint8_t a[4])
{
	put8(w, 87); put16(w, 9); put8(w, instance);
	put8(w, 0x80 | iface); put32(w, teid); put_bytes(w, a, 4);
}

static void v2_bearer(struct buf *w, unsigned ebi, uint32_t teid_u, const uint8_t a[4])
{
	put8(w, 93); put16(w, 5 + 13); put8(w, 0);
	put8(w, 73); put16(w, 1); put8(w, 0); put8(w, ebi);
	v2_fteid(w, 0, 4, teid_u, a);
}

static void v2_create_req(struct buf *w, unsigned seq, const char *imsi, const char *msisdn, uint32_t teid_c,
			  const uint8_t node[4])
{
	size_t at = v2_header(w, 32, 0, seq);
	struct buf t = { .n = 0 };
	put_tbcd(&t, imsi);
	v2_ie(w, 1, 0, t.b, t.n);
	if (msisdn) {
		t.n = 0;
		put_tbcd(&t, msisdn);
		v2_ie(w, 76, 0, t.b, t.n);
	}
	t.n = 0;
	put_tbcd(&t, "3520990017614823");
	v2_ie(w, 75, 0, t.b, t.n);
	uint8_t uli[] = { 0x18, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00, 0xf1, 0x10, 0x00, 0x00, 0x01, 0x02 };
	v2_ie(w, 86, 0, uli, sizeof uli);
	uint8_t rat = 6;
	v2_ie(w, 82, 0, &rat, 1);
	v2_fteid(w, 0, 10, teid_c, node);
	t.n = 0;
	put_apn(&t, "ims");
	v2_ie(w, 71, 0, t.b, t.n);
	uint8_t paa[] = { 3, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	v2_ie(w, 79, 0, paa, sizeof paa);
	v2_bearer(w, 5, teid_c + 100, node);
	v2_finish(w, at);
}

static void v2_create_resp(struct buf *w, unsigned seq, uint32_t teid, unsigned cause, uint32_t teid_c,
			   const uint8_t node[4])
{
	size_t at = v2_header(w, 33, teid, seq);
	uint8_t c[2] = { (uint8_t)cause, 0 };
	v2_ie(w, 2, 0, c, 2);
	v2_fteid(w, 0, 11, teid_c, node);
	/* IPv4v6: 2001:db8:1::/64 and 10.45.0.2 */
	uint8_t paa[22] = { 3, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
	paa[18] = 10; paa[19] = 45; paa[20] = 0; paa[21] = 2;
	v2_ie(w, 79, 0, paa, sizeof paa);
	v2_bearer(w, 5, teid_c + 100, node);
	v2_finish(w, at);
}

static void v2_delete_req(struct buf *w, unsigned seq, uint32_t teid, bool lbi)
{
	size_t at = v2_header(w, 36, teid, seq);
	if (lbi) {
		uint8_t e = 5;
		v2_ie(w, 73, 0, &e, 1);
	}
	v2_finish(w, at);
}

static void v2_delete_resp(struct buf *w, unsigned seq, uint32_t teid, unsigned cause)
{
	size_t at = v2_header(w, 37, teid, seq);
	uint8_t c[2] = { (uint8_t)cause, 0 };
	v2_ie(w, 2, 0, c, 2);
	v2_finish(w, at);
}

/* --- the harness --- */

static struct harness *h_new(void)
{
	return harness_new(&gtp_dissector, 1024);
}

/* Sends w's bytes (the first `len`, all when 0) from src to dst at ts seconds. */
static enum parse_status feed(struct harness *h, const struct buf *w, size_t len, double ts, const char *src,
			      uint16_t sport, const char *dst, uint16_t dport, bool cut)
{
	size_t n = len ? len : w->n;
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, w->b, n);
	h->pkt.ts_us = (uint64_t)(ts * 1e6);
	h->pkt.frame_no = ++h->frame;
	h->pkt.ip_proto = IPPROTO_UDP_;
	addr_parse(src, &h->pkt.src);
	addr_parse(dst, &h->pkt.dst);
	h->pkt.sport = sport;
	h->pkt.dport = dport;
	h->pkt.payload = copy;
	h->pkt.payload_len = (uint32_t)n;
	h->pkt.payload_truncated = cut;
	size_t consumed = 0;
	enum parse_status r = gtp_dissector.parse(&h->ctx, copy, n, &consumed);
	free(copy);
	return r;
}

static bool recognise(const struct buf *w, uint16_t sport, uint16_t dport)
{
	struct packet pkt = { .sport = sport, .dport = dport, .ip_proto = IPPROTO_UDP_ };
	uint8_t *copy = malloc(w->n);
	memcpy(copy, w->b, w->n);
	bool r = gtp_dissector.recognise(copy, w->n, &pkt);
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

static const uint8_t SGSN[4] = { 192, 0, 2, 10 }, GGSN[4] = { 192, 0, 2, 20 }, UE[4] = { 10, 1, 2, 3 };

/* --- the tests --- */

static void test_codecs(void)
{
	char out[32];
	const uint8_t imsi[] = { 0x00, 0x01, 0x21, 0x43, 0x65, 0x87, 0x09, 0xf1 };
	struct span s = { imsi, sizeof imsi };
	CHECK(gtp_tbcd(s, out, sizeof out));
	CHECK_EQ_STR(out, "001012345678901");
	const uint8_t bad[] = { 0x21, 0xa3 };
	struct span sb = { bad, sizeof bad };
	CHECK(!gtp_tbcd(sb, out, sizeof out));
	CHECK_EQ_STR(out, "");
	CHECK(!gtp_tbcd(s, out, 8)); /* does not fit */

	const uint8_t apn[] = { 8, 'I', 'n', 't', 'e', 'r', 'n', 'e', 't', 3, 'm', 'n', 'c' };
	struct span sa = { apn, sizeof apn };
	CHECK(gtp_apn(sa, out, sizeof out));
	CHECK_EQ_STR(out, "internet.mnc");
	const uint8_t apn_bad[] = { 9, 'i', 'n', 't' }; /* a label past the end */
	struct span sab = { apn_bad, sizeof apn_bad };
	CHECK(!gtp_apn(sab, out, sizeof out));
	const uint8_t apn_ctl[] = { 3, 'a', 0x01, 'b' };
	struct span sac = { apn_ctl, sizeof apn_ctl };
	CHECK(!gtp_apn(sac, out, sizeof out));

	char mcc[4], mnc[4];
	const uint8_t plmn2[] = { 0x00, 0xf1, 0x10 }, plmn3[] = { 0x13, 0x00, 0x62 };
	gtp_plmn((struct span){ plmn2, 3 }, mcc, mnc);
	CHECK_EQ_STR(mcc, "001");
	CHECK_EQ_STR(mnc, "01");
	gtp_plmn((struct span){ plmn3, 3 }, mcc, mnc);
	CHECK_EQ_STR(mcc, "310");
	CHECK_EQ_STR(mnc, "260");

	CHECK(gtp_cause_accepted(1, 128));
	CHECK(!gtp_cause_accepted(1, 192));
	CHECK(gtp_cause_accepted(2, 16));
	CHECK(!gtp_cause_accepted(2, 64));
}

static void test_v1_parse(void)
{
	struct buf w = { .n = 0 };
	v1_create_req(&w, 0x0c01, "001010123456789", "15555550100", "internet", 0x1000, SGSN);
	struct gtp_msg m;
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_OK);
	CHECK_EQ_INT(m.version, 1);
	CHECK_EQ_INT(m.kind, GTP_K_CREATE_REQ);
	CHECK_EQ_INT(m.seq, 0x0c01);
	CHECK_EQ_STR(m.imsi, "001010123456789");
	CHECK_EQ_STR(m.msisdn, "15555550100");
	CHECK_EQ_STR(m.imei, "3520990017614823");
	CHECK_EQ_STR(m.apn, "internet");
	CHECK(m.ctrl.present && m.ctrl.teid == 0x1000);
	CHECK(m.has_ebi && m.ebi == 5);
	CHECK(m.has_rat && m.rat == 1);
	CHECK(m.uli.present);
	CHECK_EQ_STR(m.uli.mcc, "001");
	CHECK_EQ_INT(m.uli.area, 0x1234);
	CHECK_EQ_INT(m.ue_v4.family, 0); /* dynamic: no address asked for */
	char a[ADDR_STRLEN];
	CHECK_EQ_STR(addr_format(&m.ctrl.addr, a, sizeof a), "192.0.2.10");
}

static void test_v1_session(void)
{
	struct harness *h = h_new();
	struct buf w = { .n = 0 };
	v1_create_req(&w, 7, "001010123456789", "15555550100", "internet", 0x1000, SGSN);
	CHECK_EQ_INT(feed(h, &w, 0, 100.0, "192.0.2.10", 40000, "192.0.2.20", 2123, false), PARSE_OK);
	CHECK_EQ_INT(h->nev, 0);
	w.n = 0;
	v1_create_resp(&w, 7, 0x1000, 128, UE, 0x2000, GGSN);
	feed(h, &w, 0, 100.5, "192.0.2.20", 2123, "192.0.2.10", 40000, false);
	CHECK_EQ_INT(h->nev, 1);
	struct event *e = &h->ev[0];
	CHECK_EQ_INT(e->type, EV_DATA_SESSION_BEGIN);
	CHECK_EQ_STR(e->protocol, "gtpv1");
	CHECK_EQ_STR(e->from, "+15555550100");
	CHECK_EQ_STR(e->to, "internet");
	CHECK_EQ_STR(e->contact, "10.1.2.3");
	CHECK_EQ_INT(e->from_addr.family, 4);
	CHECK_EQ_INT(e->ts_us, 100500000);
	CHECK_EQ_INT(e->nframes, 2);
	CHECK_EQ_INT(e->frames[0], 1);
	CHECK_EQ_INT(e->frames[1], 2);

	struct subscriber s;
	CHECK(who_is(h, "10.1.2.3", 200.0, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010123456789");
	CHECK_EQ_STR(s.msisdn, "+15555550100");
	CHECK(!who_is(h, "10.1.2.3", 99.0, &s)); /* before the session */

	/* a retransmitted response changes nothing */
	feed(h, &w, 0, 100.6, "192.0.2.20", 2123, "192.0.2.10", 40000, false);
	CHECK_EQ_INT(h->nev, 1);

	/* the SGSN deletes: its request names the GGSN's TEID-C */
	w.n = 0;
	v1_delete_req(&w, 8, 0x2000);
	feed(h, &w, 0, 160.5, "192.0.2.10", 40000, "192.0.2.20", 2123, false);
	w.n = 0;
	v1_delete_resp(&w, 8, 0x1000, 128);
	feed(h, &w, 0, 160.6, "192.0.2.20", 2123, "192.0.2.10", 40000, false);
	CHECK_EQ_INT(h->nev, 2);
	e = &h->ev[1];
	CHECK_EQ_INT(e->type, EV_DATA_SESSION_END);
	CHECK_EQ_STR(e->from, "+15555550100");
	CHECK_EQ_INT(e->duration_us, 60100000);
	CHECK(!who_is(h, "10.1.2.3", 200.0, &s));
	CHECK(who_is(h, "10.1.2.3", 150.0, &s)); /* still known inside the interval */
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	harness_free(h);
}

static void test_v1_not_opened(void)
{
	struct harness *h = h_new();
	struct buf w = { .n = 0 };
	/* rejected: no session */
	v1_create_req(&w, 1, "001010123456789", NULL, "internet", 0x1000, SGSN);
	feed(h, &w, 0, 1.0, "192.0.2.10", 2123, "192.0.2.20", 2123, false);
	w.n = 0;
	v1_create_resp(&w, 1, 0x1000, 199, UE, 0x2000, GGSN); /* no resources */
	feed(h, &w, 0, 1.1, "192.0.2.20", 2123, "192.0.2.10", 2123, false);
	CHECK_EQ_INT(h->nev, 0);
	/* an answer to another request (TEID does not match the requester's) */
	w.n = 0;
	v1_create_req(&w, 2, "001010123456789", NULL, "internet", 0x1000, SGSN);
	feed(h, &w, 0, 2.0, "192.0.2.10", 2123, "192.0.2.20", 2123, false);
	w.n = 0;
	v1_create_resp(&w, 2, 0x9999, 128, UE, 0x2000, GGSN);
	feed(h, &w, 0, 2.1, "192.0.2.20", 2123, "192.0.2.10", 2123, false);
	CHECK_EQ_INT(h->nev, 0);
	/* a response whose request was never seen */
	w.n = 0;
	v1_create_resp(&w, 3, 0x1000, 128, UE, 0x2000, GGSN);
	feed(h, &w, 0, 3.1, "192.0.2.20", 2123, "192.0.2.10", 2123, false);
	CHECK_EQ_INT(h->nev, 0);
	/* the IMSI alone names the subscriber when there is no MSISDN */
	w.n = 0;
	v1_create_req(&w, 4, "001010123456789", NULL, "internet", 0x1000, SGSN);
	feed(h, &w, 0, 4.0, "192.0.2.10", 2123, "192.0.2.20", 2123, false);
	w.n = 0;
	v1_create_resp(&w, 4, 0x1000, 128, UE, 0x2000, GGSN);
	feed(h, &w, 0, 4.1, "192.0.2.20", 2123, "192.0.2.10", 2123, false);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].from, "imsi:001010123456789");
	harness_free(h);
}

static void test_v2_session(void)
{
	struct harness *h = h_new();
	const uint8_t mme[4] = { 198, 51, 100, 1 }, sgw[4] = { 198, 51, 100, 2 };
	struct buf w = { .n = 0 };
	v2_create_req(&w, 0x10, "001010000000001", "15555550111", 0x11, mme);
	struct gtp_msg m;
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_OK);
	CHECK_EQ_STR(m.imsi, "001010000000001");
	CHECK_EQ_STR(m.msisdn, "15555550111");
	CHECK_EQ_STR(m.imei, "3520990017614823");
	CHECK_EQ_STR(m.apn, "ims");
	CHECK(m.has_rat && m.rat == 6);
	CHECK(m.uli.present && m.uli.area == 1 && m.uli.cell == 0x102);
	CHECK(m.ctrl.present && m.ctrl.teid == 0x11);
	CHECK(m.data.present && m.data.teid == 0x11 + 100);
	CHECK(m.has_ebi && m.ebi == 5);
	CHECK_EQ_INT(m.ue_v4.family, 0); /* 0.0.0.0 / :: asks for addresses */
	CHECK_EQ_INT(m.ue_v6.family, 0);

	feed(h, &w, 0, 10.0, "198.51.100.1", 2123, "198.51.100.2", 2123, false);
	w.n = 0;
	v2_create_resp(&w, 0x10, 0x11, 16, 0x22, sgw);
	feed(h, &w, 0, 10.1, "198.51.100.2", 2123, "198.51.100.1", 2123, false);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].protocol, "gtpv2");
	CHECK_EQ_STR(h->ev[0].from, "+15555550111");
	CHECK_EQ_STR(h->ev[0].to, "ims");
	CHECK_EQ_STR(h->ev[0].contact, "10.45.0.2,2001:db8:1::/64");
	struct subscriber s;
	CHECK(who_is(h, "10.45.0.2", 11.0, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010000000001");
	CHECK_EQ_STR(s.imei, "imei:3520990017614823");
	CHECK(who_is(h, "2001:db8:1::1234", 11.0, &s)); /* inside the /64 */
	CHECK(!who_is(h, "2001:db8:2::1", 11.0, &s));

	/* the network side deletes: the request names the MME's TEID, without an LBI */
	w.n = 0;
	v2_delete_req(&w, 0x20, 0x11, false);
	feed(h, &w, 0, 20.0, "198.51.100.2", 2123, "198.51.100.1", 2123, false);
	w.n = 0;
	v2_delete_resp(&w, 0x20, 0x22, 16);
	feed(h, &w, 0, 20.2, "198.51.100.1", 2123, "198.51.100.2", 2123, false);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(h->ev[1].type, EV_DATA_SESSION_END);
	CHECK_EQ_INT(h->ev[1].duration_us, 10100000);
	CHECK(!who_is(h, "10.45.0.2", 21.0, &s));
	CHECK(!who_is(h, "2001:db8:1::1", 21.0, &s));

	/* a rejected delete keeps a session open */
	w.n = 0;
	v2_create_req(&w, 0x30, "001010000000002", NULL, 0x33, mme);
	feed(h, &w, 0, 30.0, "198.51.100.1", 2123, "198.51.100.2", 2123, false);
	w.n = 0;
	v2_create_resp(&w, 0x30, 0x33, 16, 0x44, sgw);
	feed(h, &w, 0, 30.1, "198.51.100.2", 2123, "198.51.100.1", 2123, false);
	w.n = 0;
	v2_delete_req(&w, 0x31, 0x44, true);
	feed(h, &w, 0, 31.0, "198.51.100.1", 2123, "198.51.100.2", 2123, false);
	w.n = 0;
	v2_delete_resp(&w, 0x31, 0x33, 64); /* context not found */
	feed(h, &w, 0, 31.1, "198.51.100.2", 2123, "198.51.100.1", 2123, false);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_STR(h->ev[2].from, "imsi:001010000000002");
	CHECK(who_is(h, "10.45.0.2", 32.0, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010000000002"); /* the address moved on to the second subscriber */
	CHECK(who_is(h, "10.45.0.2", 15.0, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010000000001"); /* ... and was the first one's before */
	harness_free(h);
}

/* One subscriber's session on S11 (MME-SGW) and S5 (SGW-PGW): one begin, one end. */
static void test_v2_two_interfaces(void)
{
	struct harness *h = h_new();
	const uint8_t mme[4] = { 198, 51, 100, 1 }, sgw[4] = { 198, 51, 100, 2 }, pgw[4] = { 198, 51, 100, 3 };
	struct buf w = { .n = 0 };
	v2_create_req(&w, 1, "001010000000003", NULL, 0x1, mme); /* S11 */
	feed(h, &w, 0, 1.0, "198.51.100.1", 2123, "198.51.100.2", 2123, false);
	w.n = 0;
	v2_create_req(&w, 2, "001010000000003", NULL, 0x1, sgw); /* S5: the SGW uses TEID 1 again */
	feed(h, &w, 0, 1.1, "198.51.100.2", 2123, "198.51.100.3", 2123, false);
	w.n = 0;
	v2_create_resp(&w, 2, 0x1, 16, 0x7, pgw);
	feed(h, &w, 0, 1.2, "198.51.100.3", 2123, "198.51.100.2", 2123, false);
	w.n = 0;
	v2_create_resp(&w, 1, 0x1, 16, 0x1, sgw);
	feed(h, &w, 0, 1.3, "198.51.100.2", 2123, "198.51.100.1", 2123, false);
	CHECK_EQ_INT(h->nev, 1);
	w.n = 0;
	v2_delete_req(&w, 3, 0x1, true); /* MME -> SGW */
	feed(h, &w, 0, 9.0, "198.51.100.1", 2123, "198.51.100.2", 2123, false);
	w.n = 0;
	v2_delete_req(&w, 4, 0x7, true); /* SGW -> PGW */
	feed(h, &w, 0, 9.1, "198.51.100.2", 2123, "198.51.100.3", 2123, false);
	w.n = 0;
	v2_delete_resp(&w, 4, 0x1, 16);
	feed(h, &w, 0, 9.2, "198.51.100.3", 2123, "198.51.100.2", 2123, false);
	CHECK_EQ_INT(h->nev, 1); /* the S11 side still holds it */
	w.n = 0;
	v2_delete_resp(&w, 3, 0x1, 16);
	feed(h, &w, 0, 9.3, "198.51.100.2", 2123, "198.51.100.1", 2123, false);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(h->ev[1].type, EV_DATA_SESSION_END);
	CHECK_EQ_INT(h->ev[1].duration_us, 8100000);
	harness_free(h);
}

static void test_truncated_and_malformed(void)
{
	struct harness *h = h_new();
	struct buf w = { .n = 0 };
	v1_create_req(&w, 1, "001010123456789", "15555550100", "internet", 0x1000, SGSN);
	size_t full = w.n;
	struct gtp_msg m;

	/* cut by the capture: truncated, the IEs before the cut are used */
	CHECK_EQ_INT(gtp_msg_parse(w.b, 30, true, &m), GTP_TRUNCATED);
	CHECK_EQ_STR(m.imsi, "001010123456789");
	feed(h, &w, 30, 1.0, "192.0.2.10", 2123, "192.0.2.20", 2123, true);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_GTP_TRUNCATED], 1);
	/* the same bytes, not cut by the capture: the length lies */
	CHECK_EQ_INT(gtp_msg_parse(w.b, 30, false, &m), GTP_MALFORMED);
	CHECK_EQ_INT(feed(h, &w, 30, 1.1, "192.0.2.10", 2123, "192.0.2.20", 2123, false), PARSE_MALFORMED);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_GTP_MALFORMED], 1);
	CHECK_EQ_INT(gtp_msg_parse(w.b, 3, true, &m), GTP_TRUNCATED);
	CHECK_EQ_INT(gtp_msg_parse(w.b, full, false, &m), GTP_OK);

	/* an unknown TV type cannot be stepped over */
	w.n = 0;
	size_t at = v1_header(&w, 16, 0, 1);
	put8(&w, 2); put_tbcd(&w, "001010123456789");
	put8(&w, 0x55); put8(&w, 0);
	v1_finish(&w, at);
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_MALFORMED);
	/* a TLV running past the message */
	w.n = 0;
	at = v1_header(&w, 16, 0, 1);
	put8(&w, 131); put16(&w, 200); put_apn(&w, "internet");
	v1_finish(&w, at);
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_MALFORMED);
	/* GTPv2: an IE past its message; a grouped IE nested past the cap */
	w.n = 0;
	at = v2_header(&w, 32, 0, 1);
	put8(&w, 1); put16(&w, 40); put8(&w, 0); put_tbcd(&w, "001010123456789");
	v2_finish(&w, at);
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_MALFORMED);
	w.n = 0;
	at = v2_header(&w, 32, 0, 1);
	size_t opens[6];
	for (int d = 0; d < 6; d++) {
		put8(&w, 93);
		opens[d] = w.n;
		put16(&w, 0);
		put8(&w, 0);
	}
	for (int d = 5; d >= 0; d--)
		patch16(&w, opens[d], (unsigned)(w.n - opens[d] - 3));
	v2_finish(&w, at);
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_MALFORMED);
	/* too many IEs */
	w.n = 0;
	at = v1_header(&w, 20, 1, 1);
	for (int i = 0; i < GTP_MAX_IES + 1; i++) {
		put8(&w, 14);
		put8(&w, 0);
	}
	v1_finish(&w, at);
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_MALFORMED);
	/* an extension header of length 0 */
	w.n = 0;
	put8(&w, 0x36); put8(&w, 16); put16(&w, 8); put32(&w, 0); put16(&w, 1); put8(&w, 0); put8(&w, 0xc0);
	put8(&w, 0); put8(&w, 0); put8(&w, 0); put8(&w, 0);
	CHECK_EQ_INT(gtp_msg_parse(w.b, w.n, false, &m), GTP_MALFORMED);
	CHECK_EQ_INT(h->nev, 0);
	harness_free(h);
}

static void test_lookalikes(void)
{
	struct buf w = { .n = 0 };
	v1_create_req(&w, 1, "001010123456789", NULL, "internet", 0x1000, SGSN);
	CHECK(recognise(&w, 40000, 2123));
	CHECK(recognise(&w, 40000, 9999)); /* Create PDP Context on any port */
	CHECK(!recognise(&w, 2152, 2152)); /* never on GTP-U's port */
	w.b[0] = 0x22;                     /* PT=0: GTP' */
	CHECK(!recognise(&w, 3386, 3386));
	w.b[0] = 0x32;
	w.n--;                             /* length no longer matches the datagram */
	CHECK(!recognise(&w, 40000, 2123));

	/* GTP' data record transfer (version 1, PT 0) on 3386 */
	w.n = 0;
	put8(&w, 0x2e); put8(&w, 240); put16(&w, 4); put16(&w, 1); put16(&w, 0); put8(&w, 1); put8(&w, 1);
	CHECK(!recognise(&w, 3386, 3386));
	/* an echo: GTP-C on 2123, but the same bytes elsewhere prove nothing */
	w.n = 0;
	size_t at = v1_header(&w, 1, 0, 1);
	v1_finish(&w, at);
	CHECK(recognise(&w, 2123, 2123));
	CHECK(!recognise(&w, 40000, 40001));
	CHECK(!recognise(&w, 2152, 2152));
	/* a G-PDU */
	w.n = 0;
	put8(&w, 0x30); put8(&w, 0xff); put16(&w, 4); put32(&w, 1); put32(&w, 0x45000000);
	CHECK(!recognise(&w, 2152, 2152));
	CHECK(!recognise(&w, 2123, 2123));
	/* GTPv2: valid; spare bits set; an echo with a TEID; piggybacking without P */
	w.n = 0;
	v2_create_req(&w, 1, "001010000000001", NULL, 0x11, SGSN);
	CHECK(recognise(&w, 40000, 2123));
	w.b[0] = 0x4a;
	CHECK(!recognise(&w, 40000, 2123));
	w.b[0] = 0x48;
	w.n += 4;
	CHECK(!recognise(&w, 40000, 2123));
	w.n = 0;
	at = v2_header(&w, 1, 0, 1);
	v2_finish(&w, at);
	CHECK(!recognise(&w, 2123, 2123));
	/* GTPv0 Create PDP Context with PT=1 and the spare bits */
	w.n = 0;
	put8(&w, 0x1e); put8(&w, 16); put16(&w, 0); put16(&w, 1); put16(&w, 0); put8(&w, 0xff);
	put8(&w, 0xff); put8(&w, 0xff); put8(&w, 0xff);
	put_tbcd(&w, "0010101234567895");
	CHECK(recognise(&w, 3386, 3386));
	w.b[0] = 0x0e; /* PT=0: GTP' v0 */
	CHECK(!recognise(&w, 3386, 3386));
	/* short and empty */
	CHECK(!gtp_dissector.recognise((const uint8_t *)"\x32", 1, NULL));
	CHECK(!gtp_dissector.recognise(NULL, 0, NULL));
}

/* GTPv0: the tunnel id names the context; the IMSI comes from it. */
static void test_v0_session(void)
{
	struct harness *h = h_new();
	struct buf w = { .n = 0 };
	put8(&w, 0x1e); put8(&w, 16); size_t at = w.n; put16(&w, 0); put16(&w, 0x1001); put16(&w, 0);
	put8(&w, 0xff); put8(&w, 0xff); put8(&w, 0xff); put8(&w, 0xff);
	put_tbcd(&w, "0010101234567895");
	put8(&w, 6); put8(&w, 0); put8(&w, 0); put8(&w, 0); /* QoS: a v0 TV of 3 */
	put8(&w, 16); put16(&w, 1);                          /* flow label: a v0 TV of 2 */
	put8(&w, 128); put16(&w, 2); put8(&w, 0xf1); put8(&w, 0x21);
	put8(&w, 131); put16(&w, (unsigned)apn_len("internet")); put_apn(&w, "internet");
	put8(&w, 134); put16(&w, 7); put8(&w, 0x91); put_tbcd(&w, "15555550122");
	patch16(&w, at, (unsigned)(w.n - 20));
	feed(h, &w, 0, 5.0, "192.0.2.10", 3386, "192.0.2.20", 3386, false);
	w.n = 0;
	put8(&w, 0x1e); put8(&w, 17); at = w.n; put16(&w, 0); put16(&w, 0x1001); put16(&w, 1);
	put8(&w, 0xff); put8(&w, 0xff); put8(&w, 0xff); put8(&w, 0xff);
	put_tbcd(&w, "0010101234567895");
	put8(&w, 1); put8(&w, 128);
	put8(&w, 128); put16(&w, 6); put8(&w, 0xf1); put8(&w, 0x21); put_bytes(&w, UE, 4);
	patch16(&w, at, (unsigned)(w.n - 20));
	feed(h, &w, 0, 5.1, "192.0.2.20", 3386, "192.0.2.10", 3386, false);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].protocol, "gtpv0");
	CHECK_EQ_STR(h->ev[0].from, "+15555550122");
	struct subscriber s;
	CHECK(who_is(h, "10.1.2.3", 6.0, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010123456789");
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	harness_free(h);
}

/* Without an identity map the events still come. */
static void test_no_identity_map(void)
{
	struct harness *h = h_new();
	h->ctx.identity = NULL;
	struct buf w = { .n = 0 };
	v1_create_req(&w, 9, "001010123456789", "15555550100", "internet", 0x1000, SGSN);
	feed(h, &w, 0, 1.0, "192.0.2.10", 2123, "192.0.2.20", 2123, false);
	w.n = 0;
	v1_create_resp(&w, 9, 0x1000, 128, UE, 0x2000, GGSN);
	feed(h, &w, 0, 1.1, "192.0.2.20", 2123, "192.0.2.10", 2123, false);
	CHECK_EQ_INT(h->nev, 1);
	/* and a parse without a module or a packet does not fall over */
	h->ctx.module = NULL;
	feed(h, &w, 0, 1.2, "192.0.2.20", 2123, "192.0.2.10", 2123, false);
	CHECK_EQ_INT(h->nev, 1);
	harness_free(h);
}

static void count_begins(void *ud, const struct event *e)
{
	if (e->type == EV_DATA_SESSION_BEGIN)
		(*(unsigned *)ud)++;
}

/*
 * A full transaction set gives up its oldest request (issue 14). The table did not: the
 * loop that looked for the oldest way stopped at the first, so once every set was full
 * each new request overwrote way 0, usually the set's newest, still waiting for its
 * answer (a burst of attaches lost most of its sessions). Here 16384 Create Session
 * Requests fill the 1024 x 4 table four times over, and the last 2048 are answered: with
 * the oldest given up, a request is lost only when four later ones share its set (a few
 * dozen); with way 0 reused, only the last request of each set survived (under 1024).
 */
static void test_full_set_gives_up_its_oldest(void)
{
	enum { REQUESTS = 16384, ANSWERED = 2048 };
	struct harness *h = h_new();
	unsigned begins = 0;
	h->sink.emit = count_begins;
	h->sink.ud = &begins;
	const uint8_t mme[4] = { 198, 51, 100, 1 }, sgw[4] = { 198, 51, 100, 2 };
	struct buf w;
	char imsi[16], msisdn[16];
	for (unsigned seq = 1; seq <= REQUESTS; seq++) {
		snprintf(imsi, sizeof imsi, "0010100%08u", seq);
		snprintf(msisdn, sizeof msisdn, "1555%07u", seq);
		w.n = 0;
		v2_create_req(&w, seq, imsi, msisdn, 0x100000 + seq, mme);
		feed(h, &w, 0, 10.0 + seq * 1e-4, "198.51.100.1", 2123, "198.51.100.2", 2123, false);
	}
	for (unsigned seq = REQUESTS - ANSWERED + 1; seq <= REQUESTS; seq++) {
		w.n = 0;
		v2_create_resp(&w, seq, 0x100000 + seq, 16, 0x200000 + seq, sgw);
		feed(h, &w, 0, 12.0 + seq * 1e-4, "198.51.100.2", 2123, "198.51.100.1", 2123, false);
	}
	CHECK(begins > ANSWERED * 3 / 4);
	CHECK(begins <= ANSWERED);
	harness_free(h);
}

int main(void)
{
	test_codecs();
	test_v1_parse();
	test_v1_session();
	test_v1_not_opened();
	test_v2_session();
	test_v2_two_interfaces();
	test_truncated_and_malformed();
	test_lookalikes();
	test_v0_session();
	test_no_identity_map();
	test_full_set_gives_up_its_oldest();
	return check_done("test_gtp");
}
