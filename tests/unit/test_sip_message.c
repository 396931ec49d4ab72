/*
 * test_sip_message.c — SIP MESSAGE as sms events (proto/sip_message.c): parties (From,
 * P-Asserted-Identity, To), retransmissions, outcomes from the final response, the
 * 401/407 retry, timeouts and the end of input, typing indicators and disposition
 * notifications, and SMS over IP bodies (RP-DATA with SMS-SUBMIT, SMS-DELIVER,
 * SMS-STATUS-REPORT; RP-ACK/RP-ERROR/RP-SMMA; truncated and malformed RP). Messages are
 * fed through exact-size heap copies so the address sanitizer sees any over-read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"
#include "core/stats.h"
#include "proto/sip.h"

enum { MAX_EVENTS = 64, MSG_MAX = 4096 };

struct harness {
	struct sip_module *mod;
	struct stats stats;
	struct event ev[MAX_EVENTS];
	int nev;
	struct event_sink sink;
	struct packet pkt;
	struct parse_ctx ctx;
	uint64_t frame;
	struct ip_addr ue, net;
};

static void collect(void *ud, const struct event *e)
{
	struct harness *h = ud;
	if (h->nev < MAX_EVENTS)
		h->ev[h->nev++] = *e;
}

static struct harness *h_new(void)
{
	struct harness *h = calloc(1, sizeof *h);
	h->mod = sip_module_new_sized(&h->stats, 64);
	h->sink.emit = collect;
	h->sink.ud = h;
	addr_parse("192.0.2.50", &h->ue);
	addr_parse("198.51.100.60", &h->net);
	h->ctx.pkt = &h->pkt;
	h->ctx.module = h->mod;
	h->ctx.events = &h->sink;
	h->ctx.stats = &h->stats;
	return h;
}

static void h_free(struct harness *h)
{
	sip_module_free(h->mod);
	free(h);
}

/* One datagram from the UE (dir 0) or the network (dir 1) at ts_s seconds. */
static void feed(struct harness *h, const void *data, size_t len, double ts_s, int dir)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	h->pkt.ts_us = (uint64_t)(ts_s * 1e6);
	h->pkt.frame_no = ++h->frame;
	h->pkt.ip_proto = IPPROTO_UDP_;
	h->pkt.src = dir ? h->net : h->ue;
	h->pkt.dst = dir ? h->ue : h->net;
	h->pkt.sport = h->pkt.dport = 5060;
	h->pkt.payload = copy;
	h->pkt.payload_len = (uint32_t)len;
	h->ctx.dir = dir;
	size_t consumed = 0;
	sip_dissector.parse(&h->ctx, copy, len, &consumed);
	free(copy);
}

struct msg {
	uint8_t b[MSG_MAX];
	size_t n;
};

/* A MESSAGE request; extra: more header lines (each ending in CRLF) or "". */
static struct msg *request(struct msg *m, const char *from, const char *to, const char *callid, unsigned cseq,
			   const char *extra, const char *ctype, const void *body, size_t blen)
{
	int n = snprintf((char *)m->b, sizeof m->b,
			 "MESSAGE %s SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bK%s%u\r\n"
			 "Max-Forwards: 70\r\n"
			 "From: %s;tag=f1\r\n"
			 "To: %s\r\n"
			 "Call-ID: %s\r\n"
			 "CSeq: %u MESSAGE\r\n"
			 "%s"
			 "Content-Type: %s\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 "sip:target@example.net", callid, cseq, from, to, callid, cseq, extra, ctype, blen);
	m->n = (size_t)n;
	memcpy(m->b + m->n, body, blen);
	m->n += blen;
	return m;
}

static struct msg *response(struct msg *m, int status, const char *callid, unsigned cseq, const char *ctype,
			    const void *body, size_t blen)
{
	int n = snprintf((char *)m->b, sizeof m->b,
			 "SIP/2.0 %d Whatever\r\n"
			 "Via: SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bK%s%u\r\n"
			 "From: <sip:a@example.org>;tag=f1\r\n"
			 "To: <sip:b@example.net>;tag=t1\r\n"
			 "Call-ID: %s\r\n"
			 "CSeq: %u MESSAGE\r\n"
			 "%s%s%s"
			 "Content-Length: %zu\r\n\r\n",
			 status, callid, cseq, callid, cseq, ctype ? "Content-Type: " : "", ctype ? ctype : "",
			 ctype ? "\r\n" : "", blen);
	m->n = (size_t)n;
	memcpy(m->b + m->n, body, blen);
	m->n += blen;
	return m;
}

static void send_msg(struct harness *h, const struct msg *m, double ts, int dir)
{
	feed(h, m->b, m->n, ts, dir);
}

static const char TEXT[] = "SECRET-WORDS meet at noon";
#define ALICE "<sip:alice@example.org>"
#define BOB "<sip:bob@example.net>"
#define SMS_CT "application/vnd.3gpp.sms"

/* --- SMS over IP bodies (TS 24.011 RP, TS 23.040 TP) --- */

/* RP-DATA ms→n, ref 5, RP-DA +15550000100, SMS-SUBMIT to +15550005678 with 4 septets of text */
static const uint8_t RP_MO[] = {
	0x00, 0x05, 0x00, 0x07, 0x91, 0x51, 0x55, 0x00, 0x00, 0x01, 0xf0,
	0x11, 0x01, 0x07, 0x0b, 0x91, 0x51, 0x55, 0x00, 0x50, 0x76, 0xf8, 0x00, 0x00, 0x04, 0xd3, 0xe2, 0x14, 0x05,
};
/* RP-DATA n→ms, RP-OA +15550000100, SMS-DELIVER from +15550004321 */
static const uint8_t RP_MT[] = {
	0x01, 0x09, 0x07, 0x91, 0x51, 0x55, 0x00, 0x00, 0x01, 0xf0, 0x00,
	0x17, 0x04, 0x0b, 0x91, 0x51, 0x55, 0x00, 0x40, 0x23, 0xf1, 0x00, 0x00,
	0x32, 0x11, 0x41, 0x01, 0x00, 0x00, 0x00, 0x04, 0xd3, 0xe2, 0x14, 0x05,
};
/* RP-DATA n→ms, SMS-STATUS-REPORT about a message to +15550005678 */
static const uint8_t RP_SR[] = {
	0x01, 0x0a, 0x07, 0x91, 0x51, 0x55, 0x00, 0x00, 0x01, 0xf0, 0x00,
	0x19, 0x06, 0x07, 0x0b, 0x91, 0x51, 0x55, 0x00, 0x50, 0x76, 0xf8,
	0x32, 0x11, 0x41, 0x01, 0x00, 0x00, 0x00, 0x32, 0x11, 0x41, 0x01, 0x00, 0x00, 0x00, 0x00,
};
/* SMS-SUBMIT to the short code "122" (TON unknown), as in the arkime capture's frame 90 */
static const uint8_t RP_MO_SHORT[] = {
	0x00, 0x02, 0x00, 0x02, 0x91, 0xf7, 0x0d, 0x01, 0x00, 0x03, 0x81, 0x21, 0xf2, 0x00, 0x00, 0x04,
	0xf4, 0xf2, 0x9c, 0x0e,
};
static const uint8_t RP_ACK_MS[] = { 0x02, 0x09 };
static const uint8_t RP_ACK_NET[] = { 0x03, 0x05, 0x41, 0x02, 0x01, 0x00 };
static const uint8_t RP_ERROR_NET[] = { 0x05, 0x05, 0x01, 0x2a };
static const uint8_t RP_SMMA[] = { 0x06, 0x0b };

static int count_sms(const struct harness *h)
{
	int n = 0;
	for (int i = 0; i < h->nev; i++)
		n += h->ev[i].type == EV_SMS;
	return n;
}

static void test_plain(void)
{
	struct harness *h = h_new();
	struct msg m;
	request(&m, "\"Alice\" " ALICE, "Bob " BOB, "c1", 1, "", "text/plain", TEXT, sizeof TEXT - 1);
	send_msg(h, &m, 100.0, 0);
	CHECK_EQ_INT(h->nev, 0); /* waits for the final response */
	send_msg(h, &m, 100.5, 0); /* a retransmission */
	response(&m, 100, "c1", 1, NULL, "", 0);
	send_msg(h, &m, 100.6, 1);
	CHECK_EQ_INT(h->nev, 0);
	response(&m, 200, "c1", 1, NULL, "", 0);
	send_msg(h, &m, 100.7, 1);
	send_msg(h, &m, 100.8, 1); /* its retransmission */
	CHECK_EQ_INT(h->nev, 1);
	const struct event *e = &h->ev[0];
	CHECK_EQ_INT(e->type, EV_SMS);
	CHECK_EQ_STR(e->protocol, "sip-message");
	CHECK_EQ_STR(e->from, "sip:alice@example.org");
	CHECK_EQ_STR(e->to, "sip:bob@example.net");
	CHECK_EQ_STR(e->call_id, "c1");
	CHECK_EQ_STR(e->outcome, "accepted");
	CHECK_EQ_STR(e->subtype, "");
	CHECK_EQ_INT(e->ts_us, 100000000);
	CHECK_EQ_INT(e->nframes, 2);
	CHECK_EQ_INT(e->frames[0], 1);
	CHECK_EQ_INT(e->frames[1], 4);
	CHECK(addr_eq(&e->from_addr, &h->ue));
	CHECK(addr_eq(&e->to_addr, &h->net));
	CHECK(memmem(e, sizeof *e, "SECRET", 6) == NULL);
	/* a second message under the same Call-ID (higher CSeq, no challenge) is a new one */
	request(&m, ALICE, BOB, "c1", 2, "", "text/plain", TEXT, sizeof TEXT - 1);
	send_msg(h, &m, 101.0, 0);
	response(&m, 202, "c1", 2, NULL, "", 0);
	send_msg(h, &m, 101.1, 1);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_STR(h->ev[1].outcome, "accepted");
	/* a response to a MESSAGE never seen gives nothing */
	response(&m, 200, "unknown", 1, NULL, "", 0);
	send_msg(h, &m, 101.2, 1);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	h_free(h);
}

static void test_parties_and_outcomes(void)
{
	struct harness *h = h_new();
	struct msg m;
	/* P-Asserted-Identity names the originator */
	request(&m, ALICE, "<tel:+1-555-000-0999>", "p1", 1,
		"P-Asserted-Identity: <sip:+15550001234@ims.example.net>, <tel:+15550001234>\r\n", "text/plain", "x", 1);
	send_msg(h, &m, 1.0, 0);
	response(&m, 404, "p1", 1, NULL, "", 0);
	send_msg(h, &m, 1.1, 1);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].from, "+15550001234");
	CHECK_EQ_STR(h->ev[0].to, "+15550000999");
	CHECK_EQ_STR(h->ev[0].outcome, "failed");
	/* 486 fails too; a 3xx is final for a MESSAGE (no retry expected) */
	request(&m, ALICE, BOB, "p2", 1, "", "text/plain", "x", 1);
	send_msg(h, &m, 2.0, 0);
	response(&m, 302, "p2", 1, NULL, "", 0);
	send_msg(h, &m, 2.1, 1);
	CHECK_EQ_STR(h->ev[1].outcome, "failed");
	/* challenged, retried with credentials (higher CSeq), accepted: one message */
	request(&m, ALICE, BOB, "a1", 1, "", "text/plain", "x", 1);
	send_msg(h, &m, 3.0, 0);
	response(&m, 407, "a1", 1, NULL, "", 0);
	send_msg(h, &m, 3.1, 1);
	CHECK_EQ_INT(h->nev, 2);
	request(&m, ALICE, BOB, "a1", 2, "Proxy-Authorization: Digest username=\"alice\"\r\n", "text/plain", "x", 1);
	send_msg(h, &m, 3.2, 0);
	send_msg(h, &m, 3.3, 0); /* retransmitted retry */
	response(&m, 200, "a1", 2, NULL, "", 0);
	send_msg(h, &m, 3.4, 1);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_STR(h->ev[2].outcome, "accepted");
	CHECK_EQ_INT(h->ev[2].frames[0], 5); /* the first attempt's frame */
	/* challenged and never retried: failed, when its transaction times out */
	request(&m, ALICE, BOB, "a2", 1, "", "text/plain", "x", 1);
	send_msg(h, &m, 4.0, 0);
	response(&m, 401, "a2", 1, NULL, "", 0);
	send_msg(h, &m, 4.1, 1);
	CHECK_EQ_INT(h->nev, 3);
	sip_module_tick(h->mod, (uint64_t)(4.0 + 33) * 1000000, &h->sink);
	CHECK_EQ_INT(h->nev, 4);
	CHECK_EQ_STR(h->ev[3].call_id, "a2");
	CHECK_EQ_STR(h->ev[3].outcome, "failed");
	CHECK_EQ_INT(sip_sms_active(NULL), 0);
	h_free(h);
}

static void test_timeouts(void)
{
	struct harness *h = h_new();
	struct msg m;
	request(&m, ALICE, BOB, "t1", 1, "", "text/plain", "x", 1);
	send_msg(h, &m, 10.0, 0);
	/* another message 20 s later: t1 is still within its transaction */
	request(&m, ALICE, BOB, "t2", 1, "", "text/plain", "x", 1);
	send_msg(h, &m, 30.0, 0);
	CHECK_EQ_INT(h->nev, 0);
	/* 33 s after t1: t1 gave up, recorded without an outcome */
	request(&m, ALICE, BOB, "t3", 1, "", "text/plain", "x", 1);
	send_msg(h, &m, 43.0, 0);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].call_id, "t1");
	CHECK_EQ_STR(h->ev[0].outcome, "");
	CHECK_EQ_INT(h->ev[0].nframes, 1);
	/* a late 200 for t1 finds nothing */
	response(&m, 200, "t1", 1, NULL, "", 0);
	send_msg(h, &m, 44.0, 1);
	CHECK_EQ_INT(h->nev, 1);
	/* t2 answered; the done entry absorbs a late retransmission of its request */
	response(&m, 200, "t2", 1, NULL, "", 0);
	send_msg(h, &m, 44.1, 1);
	request(&m, ALICE, BOB, "t2", 1, "", "text/plain", "x", 1);
	send_msg(h, &m, 44.2, 0);
	CHECK_EQ_INT(h->nev, 2);
	/* the end of input: t3 is recorded without an outcome */
	sip_module_finish(h->mod, &h->sink);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_STR(h->ev[2].call_id, "t3");
	CHECK_EQ_STR(h->ev[2].outcome, "");
	h_free(h);
}

static void test_not_messages(void)
{
	struct harness *h = h_new();
	struct msg m;
	static const char comp[] = "<?xml version=\"1.0\"?><isComposing><state>active</state></isComposing>";
	request(&m, ALICE, BOB, "n1", 1, "", "application/im-iscomposing+xml", comp, sizeof comp - 1);
	send_msg(h, &m, 1.0, 0);
	response(&m, 200, "n1", 1, NULL, "", 0);
	send_msg(h, &m, 1.1, 1);
	CHECK_EQ_INT(h->nev, 0);
	static const char imdn[] = "<imdn><message-id>34jk324j</message-id><delivery-notification/></imdn>";
	request(&m, BOB, ALICE, "n2", 1, "", "message/imdn+xml", imdn, sizeof imdn - 1);
	send_msg(h, &m, 2.0, 1);
	response(&m, 200, "n2", 1, NULL, "", 0);
	send_msg(h, &m, 2.1, 0);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].subtype, "delivery-receipt");
	CHECK_EQ_STR(h->ev[0].from, "sip:bob@example.net");
	/* RP acknowledgements and memory notices inside a MESSAGE: no event */
	const struct {
		const uint8_t *b;
		size_t n;
	} acks[] = { { RP_ACK_MS, sizeof RP_ACK_MS }, { RP_ACK_NET, sizeof RP_ACK_NET },
		     { RP_ERROR_NET, sizeof RP_ERROR_NET }, { RP_SMMA, sizeof RP_SMMA } };
	for (unsigned i = 0; i < sizeof acks / sizeof acks[0]; i++) {
		char cid[16];
		snprintf(cid, sizeof cid, "ack%u", i);
		request(&m, "<tel:+15550001234>", "<tel:+15550000100>", cid, 1, "", SMS_CT, acks[i].b, acks[i].n);
		send_msg(h, &m, 3.0 + i, 0);
		response(&m, 202, cid, 1, NULL, "", 0);
		send_msg(h, &m, 3.1 + i, 1);
	}
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	/* other SIP requests and responses are not messages */
	static const char opt[] = "OPTIONS sip:bob@example.net SIP/2.0\r\nFrom: " ALICE ";tag=1\r\nTo: " BOB
				  "\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	feed(h, opt, sizeof opt - 1, 9.0, 0);
	sip_module_finish(h->mod, &h->sink);
	CHECK_EQ_INT(count_sms(h), 1);
	h_free(h);
}

static void test_sms_over_ip(void)
{
	struct harness *h = h_new();
	struct msg m;
	/* MO: the UE's identity sends, TP-DA receives (not the SMSC's PSI in To) */
	request(&m, "<sip:+15550001234@ims.example.net>", "<tel:+15550000100>", "mo1", 1,
		"P-Asserted-Identity: <sip:+15550001234@ims.example.net>\r\n", SMS_CT, RP_MO, sizeof RP_MO);
	send_msg(h, &m, 1.0, 0);
	/* the 202 carries the SMSC's RP-ACK (as in the arkime capture): accepted */
	response(&m, 202, "mo1", 1, SMS_CT, RP_ACK_NET, sizeof RP_ACK_NET);
	send_msg(h, &m, 1.1, 1);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].from, "+15550001234");
	CHECK_EQ_STR(h->ev[0].to, "+15550005678");
	CHECK_EQ_STR(h->ev[0].outcome, "accepted");
	/* MT: TP-OA sends, the UE (To) receives */
	request(&m, "<sip:+15550000100@ims.example.net>", "<tel:+15550001234>", "mt1", 1,
		"P-Asserted-Identity: <sip:+15550000100@ims.example.net>\r\n", SMS_CT, RP_MT, sizeof RP_MT);
	send_msg(h, &m, 2.0, 1);
	response(&m, 200, "mt1", 1, NULL, "", 0);
	send_msg(h, &m, 2.1, 0);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_STR(h->ev[1].from, "+15550004321");
	CHECK_EQ_STR(h->ev[1].to, "+15550001234");
	CHECK(addr_eq(&h->ev[1].from_addr, &h->net));
	/* a status report: about a message to TP-RA, delivered to the UE */
	request(&m, "<sip:+15550000100@ims.example.net>", "<tel:+15550001234>", "sr1", 1, "", SMS_CT, RP_SR,
		sizeof RP_SR);
	send_msg(h, &m, 3.0, 1);
	response(&m, 200, "sr1", 1, NULL, "", 0);
	send_msg(h, &m, 3.1, 0);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_STR(h->ev[2].from, "+15550005678");
	CHECK_EQ_STR(h->ev[2].to, "+15550001234");
	CHECK_EQ_STR(h->ev[2].subtype, "delivery-receipt");
	/* a short code (TON unknown) and a Content-Type with parameters, in capitals */
	request(&m, "<tel:+88270006>", "<tel:+7>", "sc1", 1, "", "Application/VND.3GPP.SMS ; x=y", RP_MO_SHORT,
		sizeof RP_MO_SHORT);
	send_msg(h, &m, 4.0, 0);
	/* a 2xx with an RP-ERROR: the service centre refused it */
	response(&m, 202, "sc1", 1, SMS_CT, RP_ERROR_NET, sizeof RP_ERROR_NET);
	send_msg(h, &m, 4.1, 1);
	CHECK_EQ_INT(h->nev, 4);
	CHECK_EQ_STR(h->ev[3].from, "+88270006");
	CHECK_EQ_STR(h->ev[3].to, "122");
	CHECK_EQ_STR(h->ev[3].outcome, "failed");
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	for (int i = 0; i < h->nev; i++) { /* the TP-UD bytes are nowhere in an event */
		CHECK(memmem(&h->ev[i], sizeof h->ev[i], "\xd3\xe2\x14\x05", 4) == NULL);
		CHECK(memmem(&h->ev[i], sizeof h->ev[i], "\xf4\xf2\x9c\x0e", 4) == NULL);
	}
	h_free(h);
}

static void test_bad_bodies(void)
{
	struct harness *h = h_new();
	struct msg m;
	/* the capture cut the datagram inside the body (Content-Length says more): sip.c
	 * counts the truncation once; recorded with the SIP parties */
	request(&m, "<tel:+15550001234>", "<tel:+15550000100>", "b1", 1, "", SMS_CT, RP_MO, sizeof RP_MO);
	feed(h, m.b, m.n - (sizeof RP_MO - 9), 1.0, 0);
	response(&m, 202, "b1", 1, NULL, "", 0);
	send_msg(h, &m, 1.1, 1);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].from, "+15550001234");
	CHECK_EQ_STR(h->ev[0].to, "+15550000100");
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_TRUNCATED], 1);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMS_TPDU_MALFORMED], 0);
	/* a whole body whose RP-DATA ends before its TPDU: malformed */
	request(&m, "<tel:+15550001234>", "<tel:+15550000100>", "b5", 1, "", SMS_CT, RP_MO, 9);
	send_msg(h, &m, 1.5, 0);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMS_TPDU_MALFORMED], 1);
	/* not an RP message (spare bits set): malformed */
	static const uint8_t junk[] = { 0xff, 0x01, 0x02, 0x03 };
	request(&m, "<tel:+15550001234>", "<tel:+15550000100>", "b2", 1, "", SMS_CT, junk, sizeof junk);
	send_msg(h, &m, 2.0, 0);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMS_TPDU_MALFORMED], 2);
	/* an RP-DATA whose TPDU is reserved (TP-MTI 3): malformed */
	uint8_t bad[sizeof RP_MO];
	memcpy(bad, RP_MO, sizeof bad);
	bad[12] = 0x03;
	request(&m, "<tel:+15550001234>", "<tel:+15550000100>", "b3", 1, "", SMS_CT, bad, sizeof bad);
	send_msg(h, &m, 3.0, 0);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMS_TPDU_MALFORMED], 3);
	/* an empty body */
	request(&m, "<tel:+15550001234>", "<tel:+15550000100>", "b4", 1, "", SMS_CT, "", 0);
	send_msg(h, &m, 4.0, 0);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMS_TPDU_MALFORMED], 4);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_TRUNCATED], 1);
	sip_module_finish(h->mod, &h->sink);
	CHECK_EQ_INT(h->nev, 5);
	for (int i = 1; i < 5; i++) {
		CHECK_EQ_STR(h->ev[i].from, "+15550001234");
		CHECK_EQ_STR(h->ev[i].to, "+15550000100");
	}
	h_free(h);
}

static void test_calls_unaffected(void)
{
	struct harness *h = h_new();
	static const char invite[] = "INVITE sip:bob@example.net SIP/2.0\r\nFrom: " ALICE ";tag=1\r\nTo: " BOB
				     "\r\nCall-ID: call1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	static const char ok[] = "SIP/2.0 200 OK\r\nFrom: " ALICE ";tag=1\r\nTo: " BOB
				 ";tag=2\r\nCall-ID: call1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	static const char bye[] = "BYE sip:bob@example.net SIP/2.0\r\nFrom: " ALICE ";tag=1\r\nTo: " BOB
				  ";tag=2\r\nCall-ID: call1\r\nCSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n";
	feed(h, invite, sizeof invite - 1, 1.0, 0);
	feed(h, ok, sizeof ok - 1, 2.0, 1);
	/* a MESSAGE inside the call's dialog: an sms, and the call goes on */
	struct msg m;
	request(&m, ALICE ";tag=1", BOB ";tag=2", "call1", 2, "", "text/plain", "x", 1);
	send_msg(h, &m, 3.0, 0);
	response(&m, 200, "call1", 2, NULL, "", 0);
	send_msg(h, &m, 3.1, 1);
	feed(h, bye, sizeof bye - 1, 10.0, 0);
	CHECK_EQ_INT(h->nev, 4);
	CHECK_EQ_INT(h->ev[0].type, EV_CALL_ATTEMPT);
	CHECK_EQ_INT(h->ev[1].type, EV_CALL_ANSWER);
	CHECK_EQ_INT(h->ev[2].type, EV_SMS);
	CHECK_EQ_STR(h->ev[2].call_id, "call1");
	CHECK_EQ_INT(h->ev[3].type, EV_CALL_END);
	CHECK_EQ_INT(h->ev[3].duration_us, 8000000);
	h_free(h);
}

static void test_table_full(void)
{
	struct stats stats = { 0 };
	struct harness *h = h_new();
	struct sip_sms_table *t = sip_sms_new(&stats, 16);
	struct msg m;
	for (int i = 0; i < 20; i++) {
		char cid[16];
		snprintf(cid, sizeof cid, "f%d", i);
		request(&m, ALICE, BOB, cid, 1, "", "text/plain", "x", 1);
		struct sip_msg sm;
		size_t len;
		h->pkt.ts_us = 1000000;
		h->pkt.frame_no = (uint64_t)i + 1;
		CHECK_EQ_INT(sip_msg_parse(m.b, m.n, false, &sm, &len), SIP_PARSE_OK);
		sip_sms_request(t, &h->ctx, &sm);
	}
	CHECK_EQ_INT(sip_sms_active(t), 16);
	CHECK_EQ_INT(h->nev, 4); /* the oldest gave way, without an outcome */
	CHECK_EQ_STR(h->ev[0].call_id, "f0");
	CHECK_EQ_STR(h->ev[3].call_id, "f3");
	sip_sms_finish(t, &h->sink);
	CHECK_EQ_INT(h->nev, 20);
	CHECK_EQ_INT(sip_sms_active(t), 0);
	sip_sms_free(t);
	sip_sms_free(NULL);
	h_free(h);
}

int main(void)
{
	test_plain();
	test_parties_and_outcomes();
	test_timeouts();
	test_not_messages();
	test_sms_over_ip();
	test_bad_bodies();
	test_calls_unaffected();
	test_table_full();
	return check_done("test_sip_message");
}
