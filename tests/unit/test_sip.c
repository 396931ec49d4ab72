/*
 * test_sip.c — the SIP dissector and call state machine: recognising, framing on
 * datagrams and streams, caps, and the events a call gives. Messages are C strings fed
 * through exact-size heap copies so the address sanitizer sees any over-read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"
#include "core/stats.h"
#include "proto/sip.h"

enum { MAX_EVENTS = 256 };

struct harness {
	struct sip_module *mod;
	struct stats stats;
	struct event ev[MAX_EVENTS];
	int nev;
	struct event_sink sink;
	struct packet pkt;
	struct parse_ctx ctx;
	uint64_t frame;
	struct ip_addr a, b; /* A: the caller side, B: the callee side */
};

static void collect(void *ud, const struct event *e)
{
	struct harness *h = ud;
	if (h->nev < MAX_EVENTS)
		h->ev[h->nev++] = *e;
}

static struct harness *h_new(uint32_t capacity)
{
	struct harness *h = calloc(1, sizeof *h);
	h->mod = capacity ? sip_module_new_sized(&h->stats, capacity) : sip_module_new(&h->stats, NULL);
	h->sink.emit = collect;
	h->sink.ud = h;
	addr_parse("192.0.2.1", &h->a);
	addr_parse("192.0.2.2", &h->b);
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

/* Parses len bytes sent at time ts_s (seconds) from A (dir 0) or B (dir 1). */
static enum parse_status feed_n(struct harness *h, const void *data, size_t len, double ts_s, int dir,
				bool tcp, size_t *consumed)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	h->pkt.ts_us = (uint64_t)(ts_s * 1e6);
	h->pkt.frame_no = ++h->frame;
	h->pkt.ip_proto = tcp ? IPPROTO_TCP_ : IPPROTO_UDP_;
	h->pkt.src = dir ? h->b : h->a;
	h->pkt.dst = dir ? h->a : h->b;
	h->pkt.sport = dir ? 5060 : 5062;
	h->pkt.dport = dir ? 5062 : 5060;
	h->pkt.payload = copy;
	h->pkt.payload_len = (uint32_t)len;
	h->ctx.dir = dir;
	size_t c = 0;
	enum parse_status r = sip_dissector.parse(&h->ctx, copy, len, &c);
	if (consumed)
		*consumed = c;
	free(copy);
	return r;
}

static enum parse_status feed(struct harness *h, const char *msg, double ts_s, int dir)
{
	return feed_n(h, msg, strlen(msg), ts_s, dir, false, NULL);
}

static bool recog(const char *s)
{
	size_t n = strlen(s);
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	struct packet pkt = { 0 };
	pkt.sport = pkt.dport = 5060;
	bool r = sip_dissector.recognise(copy, n, &pkt);
	free(copy);
	return r;
}

static const char SDP_A[] =
	"v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
	"m=audio 49170 RTP/AVP 0\r\n";
static const char SDP_B[] =
	"v=0\r\no=bob 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 198.51.100.9\r\nt=0 0\r\n"
	"m=audio 3456 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\nm=video 5000 RTP/AVP 31\r\n";

/*
 * A message: start line, the usual headers (From alice, To bob with an optional tag),
 * Call-ID, CSeq, and an SDP body when given.
 */
static const char *msg(char *buf, size_t cap, const char *start, const char *callid, unsigned cseq,
		       const char *cseq_method, const char *totag, const char *sdp)
{
	char to_tag[64] = "";
	if (totag)
		snprintf(to_tag, sizeof to_tag, ";tag=%s", totag);
	snprintf(buf, cap,
		 "%s\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK%u\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: \"Alice\" <sip:alice@Atlanta.example:5062>;tag=a1\r\n"
		 "To: Bob <sip:bob@biloxi.example>%s\r\n"
		 "Call-ID: %s\r\n"
		 "CSeq: %u %s\r\n"
		 "Contact: <sip:alice@192.0.2.1:5062;transport=udp>\r\n"
		 "%s"
		 "Content-Length: %zu\r\n"
		 "\r\n%s",
		 start, cseq, to_tag, callid, cseq, cseq_method,
		 sdp ? "Content-Type: application/sdp\r\n" : "", sdp ? strlen(sdp) : (size_t)0,
		 sdp ? sdp : "");
	return buf;
}

#define INVITE_LINE "INVITE sip:bob@biloxi.example SIP/2.0"

static int count_type(const struct harness *h, enum event_type t)
{
	int n = 0;
	for (int i = 0; i < h->nev; i++)
		n += h->ev[i].type == t;
	return n;
}

static void test_basic_call(void)
{
	struct harness *h = h_new(0);
	char m[4096];
	const char *cid = "call-1@atlanta";
	CHECK_EQ_INT(feed(h, msg(m, sizeof m, INVITE_LINE, cid, 1, "INVITE", NULL, SDP_A), 100.0, 0), PARSE_OK);
	CHECK_EQ_INT(feed(h, msg(m, sizeof m, "SIP/2.0 100 Trying", cid, 1, "INVITE", NULL, NULL), 100.1, 1), PARSE_OK);
	feed(h, msg(m, sizeof m, "SIP/2.0 180 Ringing", cid, 1, "INVITE", "b1", NULL), 100.5, 1);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 1, "INVITE", "b1", SDP_B), 103.0, 1);
	feed(h, msg(m, sizeof m, "ACK sip:bob@192.0.2.2 SIP/2.0", cid, 1, "ACK", "b1", NULL), 103.1, 0);
	feed(h, msg(m, sizeof m, "BYE sip:alice@192.0.2.1 SIP/2.0", cid, 1, "BYE", "b1", NULL), 113.0, 1);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 1, "BYE", "b1", NULL), 113.1, 0);

	CHECK_EQ_INT(h->nev, 3);
	if (h->nev == 3) {
		const struct event *a = &h->ev[0], *an = &h->ev[1], *e = &h->ev[2];
		CHECK_EQ_INT(a->type, EV_CALL_ATTEMPT);
		CHECK_EQ_STR(a->protocol, "sip");
		CHECK_EQ_STR(a->from, "sip:alice@atlanta.example");
		CHECK_EQ_STR(a->to, "sip:bob@biloxi.example");
		CHECK_EQ_STR(a->call_id, cid);
		CHECK(addr_eq(&a->from_addr, &h->a));
		CHECK(addr_eq(&a->to_addr, &h->b));
		CHECK(addr_eq(&a->src, &h->a));
		CHECK_EQ_INT(a->nframes, 1);
		CHECK_EQ_INT(a->frames[0], 1);
		CHECK_EQ_INT(a->ts_us, 100000000);
		CHECK_EQ_INT(a->ip_proto, IPPROTO_UDP_);
		CHECK_EQ_INT(a->dport, 5060);
		CHECK_EQ_INT(an->type, EV_CALL_ANSWER);
		CHECK_EQ_STR(an->from, "sip:alice@atlanta.example");
		CHECK_EQ_STR(an->to, "sip:bob@biloxi.example");
		CHECK_EQ_INT(an->frames[0], 4);
		CHECK(addr_eq(&an->from_addr, &h->a));
		CHECK_EQ_INT(e->type, EV_CALL_END);
		CHECK_EQ_STR(e->outcome, "answered");
		CHECK_EQ_INT(e->duration_us, 10000000);
		CHECK_EQ_STR(e->from, "sip:alice@atlanta.example"); /* the caller, though the callee hung up */
		CHECK_EQ_STR(e->to, "sip:bob@biloxi.example");
		CHECK(addr_eq(&e->src, &h->b));
	}
	struct sip_media md[2];
	CHECK(sip_call_media(h->mod, cid, strlen(cid), md));
	char buf[ADDR_STRLEN];
	CHECK_EQ_STR(addr_format(&md[0].addr, buf, sizeof buf), "192.0.2.1");
	CHECK_EQ_INT(md[0].audio_port, 49170);
	CHECK_EQ_STR(addr_format(&md[1].addr, buf, sizeof buf), "192.0.2.2"); /* media-level c= wins */
	CHECK_EQ_INT(md[1].audio_port, 3456);
	CHECK_EQ_INT(md[1].video_port, 5000);
	CHECK(!sip_call_media(h->mod, "nope", 4, md));
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	h_free(h);
}

static void test_cancel(void)
{
	struct harness *h = h_new(0);
	char m[4096];
	const char *cid = "cancel-1";
	feed(h, msg(m, sizeof m, INVITE_LINE, cid, 1, "INVITE", NULL, SDP_A), 10, 0);
	feed(h, msg(m, sizeof m, "SIP/2.0 180 Ringing", cid, 1, "INVITE", "b1", NULL), 11, 1);
	feed(h, msg(m, sizeof m, "CANCEL sip:bob@biloxi.example SIP/2.0", cid, 1, "CANCEL", NULL, NULL), 15, 0);
	feed(h, msg(m, sizeof m, "CANCEL sip:bob@biloxi.example SIP/2.0", cid, 1, "CANCEL", NULL, NULL), 15.5, 0);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 1, "CANCEL", "b1", NULL), 15.6, 1);
	feed(h, msg(m, sizeof m, "SIP/2.0 487 Request Terminated", cid, 1, "INVITE", "b1", NULL), 15.7, 1);
	feed(h, msg(m, sizeof m, "ACK sip:bob@biloxi.example SIP/2.0", cid, 1, "ACK", "b1", NULL), 15.8, 0);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(count_type(h, EV_CALL_ATTEMPT), 1);
	CHECK_EQ_INT(count_type(h, EV_CALL_END), 1);
	if (h->nev == 2) {
		CHECK_EQ_STR(h->ev[1].outcome, "cancelled");
		CHECK_EQ_INT(h->ev[1].duration_us, -1);
		CHECK_EQ_INT(h->ev[1].ts_us, 15000000);
	}
	/* a 487 without a CANCEL seen also means cancelled */
	feed(h, msg(m, sizeof m, INVITE_LINE, "cancel-2", 1, "INVITE", NULL, NULL), 20, 0);
	feed(h, msg(m, sizeof m, "SIP/2.0 487 Request Terminated", "cancel-2", 1, "INVITE", "b1", NULL), 21, 1);
	CHECK_EQ_INT(h->nev, 4);
	if (h->nev == 4)
		CHECK_EQ_STR(h->ev[3].outcome, "cancelled");
	h_free(h);
}

static void test_final_outcomes(void)
{
	static const struct {
		const char *line;
		const char *outcome;
	} cases[] = {
		{ "SIP/2.0 486 Busy Here", "busy" },         { "SIP/2.0 600 Busy Everywhere", "busy" },
		{ "SIP/2.0 603 Decline", "busy" },           { "SIP/2.0 408 Request Timeout", "no-answer" },
		{ "SIP/2.0 480 Temporarily Unavailable", "no-answer" },
		{ "SIP/2.0 404 Not Found", "failed" },       { "SIP/2.0 503 Service Unavailable", "failed" },
		{ "SIP/2.0 488 Not Acceptable Here", "failed" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct harness *h = h_new(0);
		char m[4096];
		feed(h, msg(m, sizeof m, INVITE_LINE, "fin", 1, "INVITE", NULL, NULL), 1, 0);
		feed(h, msg(m, sizeof m, cases[i].line, "fin", 1, "INVITE", "b1", NULL), 2, 1);
		feed(h, msg(m, sizeof m, cases[i].line, "fin", 1, "INVITE", "b1", NULL), 2.5, 1); /* retransmitted */
		feed(h, msg(m, sizeof m, "ACK sip:bob@biloxi.example SIP/2.0", "fin", 1, "ACK", "b1", NULL), 3, 0);
		CHECK_EQ_INT(h->nev, 2);
		if (h->nev == 2) {
			CHECK_EQ_INT(h->ev[1].type, EV_CALL_END);
			CHECK_EQ_STR(h->ev[1].outcome, cases[i].outcome);
		}
		h_free(h);
	}
}

static void test_auth_retry(void)
{
	static const char *const challenges[] = { "SIP/2.0 401 Unauthorized",
						  "SIP/2.0 407 Proxy Authentication Required" };
	for (int i = 0; i < 2; i++) {
		struct harness *h = h_new(0);
		char m[4096];
		const char *cid = "auth-1";
		feed(h, msg(m, sizeof m, INVITE_LINE, cid, 1, "INVITE", NULL, SDP_A), 1, 0);
		feed(h, msg(m, sizeof m, challenges[i], cid, 1, "INVITE", "x9", NULL), 1.1, 1);
		feed(h, msg(m, sizeof m, "ACK sip:bob@biloxi.example SIP/2.0", cid, 1, "ACK", "x9", NULL), 1.2, 0);
		feed(h, msg(m, sizeof m, INVITE_LINE, cid, 2, "INVITE", NULL, SDP_A), 1.3, 0);
		feed(h, msg(m, sizeof m, challenges[i], cid, 1, "INVITE", "x9", NULL), 1.35, 1); /* late retransmission */
		feed(h, msg(m, sizeof m, "SIP/2.0 100 Trying", cid, 2, "INVITE", NULL, NULL), 1.4, 1);
		feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 2, "INVITE", "b1", SDP_B), 5, 1);
		CHECK_EQ_INT(count_type(h, EV_CALL_ATTEMPT), 1);
		CHECK_EQ_INT(count_type(h, EV_CALL_ANSWER), 1);
		CHECK_EQ_INT(count_type(h, EV_CALL_END), 0);
		CHECK_EQ_INT(h->nev, 2);
		h_free(h);
	}
}

static void test_retransmission_and_forks(void)
{
	struct harness *h = h_new(0);
	char m[4096];
	const char *cid = "fork-1";
	for (int i = 0; i < 3; i++) /* Timer A retransmissions, and the same INVITE on a second hop */
		feed(h, msg(m, sizeof m, INVITE_LINE, cid, 1, "INVITE", NULL, SDP_A), 1 + 0.5 * i, i == 2);
	CHECK_EQ_INT(h->nev, 1);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 1, "INVITE", "fork-a", SDP_B), 3, 1);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 1, "INVITE", "fork-b", SDP_B), 3.1, 1);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 1, "INVITE", "fork-a", SDP_B), 3.5, 1);
	CHECK_EQ_INT(count_type(h, EV_CALL_ANSWER), 1);
	CHECK_EQ_INT(h->nev, 2);
	/* re-INVITE (To tag, higher CSeq) and its answer: nothing new */
	feed(h, msg(m, sizeof m, INVITE_LINE, cid, 2, "INVITE", "fork-a", SDP_A), 20, 0);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", cid, 2, "INVITE", "fork-a", SDP_B), 20.1, 1);
	feed(h, msg(m, sizeof m, INVITE_LINE, cid, 3, "INVITE", "fork-a", NULL), 21, 1);
	feed(h, msg(m, sizeof m, "SIP/2.0 491 Request Pending", cid, 3, "INVITE", "fork-a", NULL), 21.1, 0);
	CHECK_EQ_INT(h->nev, 2);
	feed(h, msg(m, sizeof m, "BYE sip:bob@192.0.2.2 SIP/2.0", cid, 4, "BYE", "fork-a", NULL), 33, 0);
	feed(h, msg(m, sizeof m, "BYE sip:bob@192.0.2.2 SIP/2.0", cid, 4, "BYE", "fork-a", NULL), 33.5, 0);
	CHECK_EQ_INT(h->nev, 3);
	if (h->nev == 3) {
		CHECK_EQ_STR(h->ev[2].outcome, "answered");
		CHECK_EQ_INT(h->ev[2].duration_us, 30000000);
	}
	h_free(h);
}

static void test_mid_call(void)
{
	struct harness *h = h_new(0);
	char m[4096];
	/* a BYE for a call never seen: an end, no attempt, no duration; its retransmission nothing */
	feed(h, msg(m, sizeof m, "BYE sip:bob@192.0.2.2 SIP/2.0", "mid-1", 7, "BYE", "b1", NULL), 50, 0);
	feed(h, msg(m, sizeof m, "BYE sip:bob@192.0.2.2 SIP/2.0", "mid-1", 7, "BYE", "b1", NULL), 50.5, 0);
	CHECK_EQ_INT(h->nev, 1);
	if (h->nev == 1) {
		CHECK_EQ_INT(h->ev[0].type, EV_CALL_END);
		CHECK_EQ_STR(h->ev[0].outcome, "answered");
		CHECK_EQ_INT(h->ev[0].duration_us, -1);
		CHECK_EQ_STR(h->ev[0].call_id, "mid-1");
	}
	/* a re-INVITE of an unseen call, then its BYE: only the end */
	feed(h, msg(m, sizeof m, INVITE_LINE, "mid-2", 5, "INVITE", "b1", NULL), 60, 0);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", "mid-2", 5, "INVITE", "b1", NULL), 60.1, 1);
	feed(h, msg(m, sizeof m, "BYE sip:bob@192.0.2.2 SIP/2.0", "mid-2", 6, "BYE", "b1", NULL), 70, 0);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(count_type(h, EV_CALL_ATTEMPT), 0);
	CHECK_EQ_INT(count_type(h, EV_CALL_ANSWER), 0);
	/* answered, no BYE before the end of input: finish emits nothing */
	feed(h, msg(m, sizeof m, INVITE_LINE, "open-1", 1, "INVITE", NULL, NULL), 80, 0);
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", "open-1", 1, "INVITE", "b1", NULL), 81, 1);
	CHECK_EQ_INT(h->nev, 4);
	sip_dissector.module_finish(h->mod, &h->sink);
	CHECK_EQ_INT(h->nev, 4);
	h_free(h);
}

static const char REGISTER_MSG[] =
	"REGISTER sip:registrar.biloxi.example SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKnashds7\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:Bob@Biloxi.Example>\r\n"
	"From: Bob <sip:Bob@Biloxi.Example>;tag=456248\r\n"
	"Call-ID: 843817637684230@998sdasdh09\r\n"
	"CSeq: %u REGISTER\r\n"
	"Contact: <sip:bob@192.0.2.4:5070;transport=udp;ob>;expires=%u\r\n"
	"Expires: %u\r\n"
	"Content-Length: 0\r\n\r\n";

static const char REGISTER_OK[] =
	"SIP/2.0 %u %s\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKnashds7\r\n"
	"To: Bob <sip:Bob@Biloxi.Example>;tag=2493k59kd\r\n"
	"From: Bob <sip:Bob@Biloxi.Example>;tag=456248\r\n"
	"Call-ID: 843817637684230@998sdasdh09\r\n"
	"CSeq: %u REGISTER\r\n"
	"Contact: <sip:bob@192.0.2.4:5070;transport=udp;ob>;expires=7200, <sip:bob@other.example>\r\n"
	"Content-Length: 0\r\n\r\n";

static void test_register(void)
{
	struct harness *h = h_new(0);
	char m[2048];
	snprintf(m, sizeof m, REGISTER_MSG, 1u, 7200u, 7200u);
	feed(h, m, 1, 0);
	snprintf(m, sizeof m, REGISTER_OK, 401u, "Unauthorized", 1u);
	feed(h, m, 1.1, 1);
	CHECK_EQ_INT(h->nev, 0);
	snprintf(m, sizeof m, REGISTER_MSG, 2u, 7200u, 7200u);
	feed(h, m, 1.2, 0);
	snprintf(m, sizeof m, REGISTER_OK, 200u, "OK", 2u);
	feed(h, m, 1.3, 1);
	feed(h, m, 1.4, 1); /* retransmitted 200 */
	CHECK_EQ_INT(h->nev, 1);
	if (h->nev == 1) {
		const struct event *e = &h->ev[0];
		CHECK_EQ_INT(e->type, EV_REGISTRATION);
		CHECK_EQ_STR(e->from, "sip:Bob@biloxi.example");
		CHECK_EQ_STR(e->contact, "sip:bob@192.0.2.4:5070");
		CHECK_EQ_STR(e->to, "");
		CHECK(addr_eq(&e->from_addr, &h->a));
		CHECK_EQ_STR(e->call_id, "843817637684230@998sdasdh09");
		CHECK_EQ_INT(e->frames[0], 4);
	}
	/* de-registration still gives a registration event */
	snprintf(m, sizeof m, REGISTER_MSG, 3u, 0u, 0u);
	feed(h, m, 100, 0);
	snprintf(m, sizeof m, REGISTER_OK, 200u, "OK", 3u);
	feed(h, m, 100.1, 1);
	CHECK_EQ_INT(h->nev, 2);

	/* a 200 whose REGISTER was not seen: the response names the binding */
	struct harness *h2 = h_new(0);
	snprintf(m, sizeof m, REGISTER_OK, 200u, "OK", 9u);
	feed(h2, m, 5, 1);
	CHECK_EQ_INT(h2->nev, 1);
	if (h2->nev == 1) {
		CHECK_EQ_STR(h2->ev[0].from, "sip:Bob@biloxi.example");
		CHECK_EQ_STR(h2->ev[0].contact, "sip:bob@192.0.2.4:5070");
		CHECK(addr_eq(&h2->ev[0].from_addr, &h2->a)); /* the registrant receives the 200 */
	}
	h_free(h2);
	h_free(h);
}

static void test_tcp_framing(void)
{
	struct harness *h = h_new(0);
	char m[4096], two[8400];
	msg(m, sizeof m, INVITE_LINE, "tcp-1", 1, "INVITE", NULL, SDP_A);
	size_t n = strlen(m);
	size_t cut1 = 40, cut2 = n - 20; /* inside the start line's headers, inside the body */
	size_t consumed = 99;
	CHECK_EQ_INT(feed_n(h, m, cut1, 1, 0, true, &consumed), PARSE_NEED_MORE);
	CHECK_EQ_INT(consumed, 0);
	CHECK_EQ_INT(feed_n(h, m, cut2, 1.1, 0, true, &consumed), PARSE_NEED_MORE);
	CHECK_EQ_INT(consumed, 0);
	CHECK_EQ_INT(h->nev, 0);
	CHECK_EQ_INT(feed_n(h, m, n, 1.2, 0, true, &consumed), PARSE_OK);
	CHECK_EQ_INT(consumed, n);
	CHECK_EQ_INT(h->nev, 1);

	/* keep-alives, then two messages in one buffer, then half of a third */
	char m2[4096], m3[4096];
	msg(m2, sizeof m2, "SIP/2.0 180 Ringing", "tcp-1", 1, "INVITE", "b1", NULL);
	msg(m3, sizeof m3, "SIP/2.0 200 OK", "tcp-1", 1, "INVITE", "b1", SDP_B);
	snprintf(two, sizeof two, "\r\n\r\n%s%s", m2, m3);
	size_t both = strlen(two);
	memcpy(two + both, m3, 30); /* half of a third message */
	two[both + 30] = '\0';
	CHECK_EQ_INT(feed_n(h, two, strlen(two), 2, 1, true, &consumed), PARSE_NEED_MORE);
	CHECK_EQ_INT(consumed, both);
	CHECK_EQ_INT(h->nev, 2);
	if (h->nev == 2)
		CHECK_EQ_INT(h->ev[1].type, EV_CALL_ANSWER);
	/* compact "l" and a CRLF pong alone */
	CHECK_EQ_INT(feed_n(h, "\r\n", 2, 3, 1, true, &consumed), PARSE_OK);
	CHECK_EQ_INT(consumed, 2);
	/* a stream message declaring a huge body is malformed, not an endless wait */
	char big[1024];
	snprintf(big, sizeof big,
		 "INFO sip:a@b SIP/2.0\r\nf: <sip:a@b>;tag=1\r\nt: <sip:b@c>\r\ni: x\r\nCSeq: 1 INFO\r\nl: 999999999\r\n\r\n");
	CHECK_EQ_INT(feed_n(h, big, strlen(big), 4, 0, true, &consumed), PARSE_MALFORMED);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_MALFORMED], 1);
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 1);
	h_free(h);
}

static void test_udp_multi_and_truncated(void)
{
	struct harness *h = h_new(0);
	char a[4096], b[4096], both[8400];
	msg(a, sizeof a, INVITE_LINE, "udp-1", 1, "INVITE", NULL, NULL);
	msg(b, sizeof b, "SIP/2.0 486 Busy Here", "udp-1", 1, "INVITE", "b1", NULL);
	snprintf(both, sizeof both, "%s%s\r\n", a, b);
	CHECK_EQ_INT(feed(h, both, 1, 0), PARSE_OK);
	CHECK_EQ_INT(h->nev, 2);

	/* Content-Length larger than the datagram: counted truncated, headers still used */
	char t[4096];
	msg(t, sizeof t, INVITE_LINE, "udp-2", 1, "INVITE", NULL, SDP_A);
	char *cl = strstr(t, "Content-Length: ");
	CHECK(cl != NULL);
	if (cl)
		memcpy(cl + 16, "999", 3); /* body length was two digits */
	CHECK_EQ_INT(feed(h, t, 2, 0), PARSE_OK);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_TRUNCATED], 1);
	CHECK_EQ_INT(h->nev, 3);

	/* a datagram cut by the snaplen inside the headers: truncated, no event */
	msg(t, sizeof t, INVITE_LINE, "udp-3", 1, "INVITE", NULL, NULL);
	h->pkt.payload_truncated = true;
	CHECK_EQ_INT(feed_n(h, t, 100, 3, 0, false, NULL), PARSE_MALFORMED);
	h->pkt.payload_truncated = false;
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_TRUNCATED], 2);
	CHECK_EQ_INT(h->nev, 3);

	/* keep-alives and STUN on the SIP port are not errors */
	CHECK_EQ_INT(feed(h, "\r\n\r\n", 4, 0), PARSE_OK);
	CHECK_EQ_INT(feed_n(h, "\x00\x01\x00\x00\x21\x12\xa4\x42", 8, 4, 0, false, NULL), PARSE_OK);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_MALFORMED], 0);
	h_free(h);
}

static void test_malformed(void)
{
	struct harness *h = h_new(0);
	static const char *const bad[] = {
		"INVITE sip:bob@b SIP/2.0\r\n\x01\x02\x03 garbage without colon\r\n\r\n",
		/* no Call-ID */
		"INVITE sip:bob@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCSeq: 1 INVITE\r\n\r\n",
		/* no CSeq number */
		"INVITE sip:bob@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nCSeq: INVITE\r\n\r\n",
		/* two different lengths */
		"BYE sip:bob@b SIP/2.0\r\nf: <sip:a@b>;tag=1\r\nt: <sip:b@c>\r\ni: x\r\nCSeq: 1 BYE\r\nl: 0\r\nl: 5\r\n\r\nhello",
		/* continuation with nothing to continue */
		"BYE sip:bob@b SIP/2.0\r\n folded\r\n\r\n",
		"SIP/2.0 2000 OK\r\n\r\n",
		"HELLO world\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ_INT(feed(h, bad[i], 1, 0), PARSE_MALFORMED);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_MALFORMED], (long long)(sizeof bad / sizeof bad[0]));
	CHECK_EQ_INT(h->nev, 0);
	CHECK_EQ_INT(sip_module_active(h->mod), 0);
	h_free(h);
}

static void test_recognise(void)
{
	CHECK(recog("INVITE sip:bob@biloxi.example SIP/2.0\r\nVia: x\r\n"));
	CHECK(recog("OPTIONS sips:b.example SIP/2.0\r\n"));
	CHECK(recog("MESSAGE tel:+15551234567 SIP/2.0\r\n"));
	CHECK(recog("SIP/2.0 200 OK\r\n"));
	CHECK(recog("SIP/2.0 100 \r\n"));
	CHECK(recog("\r\n\r\nREGISTER sip:r.example SIP/2.0\r\n"));
	CHECK(recog("PRACK sip:x@y SIP/2.0\r\n"));
	CHECK(!recog("HELLO world\r\n"));
	CHECK(!recog("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"));
	CHECK(!recog("HTTP/1.1 200 OK\r\n"));
	CHECK(!recog("INVITE sip:bob@biloxi.example SIP/2.0")); /* no line end */
	CHECK(!recog("INVITE http://bob SIP/2.0\r\n"));
	CHECK(!recog("FOO sip:x@y SIP/2.0\r\n"));
	CHECK(!recog("PRACTICE sip:x@y SIP/2.0\r\n"));
	CHECK(!recog("SIP/2.0 2000 OK\r\n"));
	CHECK(!recog("SIP/2.0 20 OK\r\n"));
	CHECK(!recog("SIP/2.0\r\n"));
	CHECK(!recog(""));
	CHECK(!recog("\r\n"));
	uint8_t bin[256];
	for (int i = 0; i < 256; i++)
		bin[i] = (uint8_t)(i * 37 + 11);
	CHECK(!sip_dissector.recognise(bin, sizeof bin, NULL));
	CHECK(!sip_dissector.recognise(NULL, 0, NULL));
}

static void test_caps(void)
{
	struct harness *h = h_new(0);
	/* 10,000 headers: malformed at the header cap, on a datagram and on a stream */
	size_t cap = 200000;
	char *big = malloc(cap);
	size_t n = (size_t)snprintf(big, cap, "INVITE sip:bob@b SIP/2.0\r\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)snprintf(big + n, cap - n, "X-H: v\r\n");
	n += (size_t)snprintf(big + n, cap - n, "\r\n");
	CHECK_EQ_INT(feed_n(h, big, n, 1, 0, false, NULL), PARSE_MALFORMED);
	size_t consumed = 7;
	CHECK_EQ_INT(feed_n(h, big, n, 1, 0, true, &consumed), PARSE_MALFORMED);
	CHECK_EQ_INT(consumed, 0);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_MALFORMED], 2);

	/* no CRLF at all: a datagram is malformed; a stream waits, up to the cap */
	memset(big, 'a', cap);
	memcpy(big, "INVITE sip:bob@b SIP/2.0", 24);
	CHECK_EQ_INT(feed_n(h, big, 20000, 2, 0, false, NULL), PARSE_MALFORMED);
	CHECK_EQ_INT(feed_n(h, big, 1000, 2, 0, true, &consumed), PARSE_NEED_MORE);
	CHECK_EQ_INT(feed_n(h, big, 20000, 2, 0, true, &consumed), PARSE_MALFORMED);
	/* terminated start line, then an endless header line / endless unterminated headers */
	memcpy(big, "INVITE sip:bob@b SIP/2.0\r\nX: ", 29);
	CHECK_EQ_INT(feed_n(h, big, 5000, 3, 0, true, &consumed), PARSE_NEED_MORE);
	CHECK_EQ_INT(feed_n(h, big, 17000, 3, 0, true, &consumed), PARSE_MALFORMED);
	n = (size_t)snprintf(big, cap, "INVITE sip:bob@b SIP/2.0\r\n");
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(big + n, cap - n, "X-Long-Header: %080d\r\n", i);
	CHECK_EQ_INT(feed_n(h, big, n, 4, 0, true, &consumed), PARSE_MALFORMED); /* > 16 KiB, no end */
	CHECK_EQ_INT(h->nev, 0);
	free(big);
	h_free(h);
}

static void test_compact_and_folding(void)
{
	struct harness *h = h_new(0);
	char m[2048];
	snprintf(m, sizeof m,
		 "INVITE tel:+15551234567 SIP/2.0\r\n"
		 "v: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n"
		 "f: <tel:+1-555-000-1111>;tag=a\r\n"
		 "t:\r\n <sip:+15551234567@ims.example;user=phone>\r\n"
		 "i:   compact-1@x  \r\n"
		 "CSeq: 10 INVITE\r\n"
		 "m: <sip:a@192.0.2.1:5062>\r\n"
		 "c: Application/SDP\r\n"
		 "l: %zu\r\n\r\n%s",
		 strlen(SDP_A), SDP_A);
	CHECK_EQ_INT(feed(h, m, 1, 0), PARSE_OK);
	CHECK_EQ_INT(h->nev, 1);
	if (h->nev == 1) {
		CHECK_EQ_STR(h->ev[0].from, "+15550001111");
		CHECK_EQ_STR(h->ev[0].to, "+15551234567");
		CHECK_EQ_STR(h->ev[0].call_id, "compact-1@x");
	}
	struct sip_media md[2];
	CHECK(sip_call_media(h->mod, "compact-1@x", 11, md) && md[0].audio_port == 49170);

	/* an empty To URI: the Request-URI names the callee */
	snprintf(m, sizeof m,
		 "INVITE sip:Carol@Chicago.example SIP/2.0\r\n"
		 "From: sip:alice@a.example;tag=1\r\nTo: <>\r\nCall-ID: noto\r\nCSeq: 1 INVITE\r\n\r\n");
	CHECK_EQ_INT(feed(h, m, 2, 0), PARSE_OK);
	CHECK_EQ_INT(h->nev, 2);
	if (h->nev == 2) {
		CHECK_EQ_STR(h->ev[1].from, "sip:alice@a.example");
		CHECK_EQ_STR(h->ev[1].to, "sip:Carol@chicago.example");
	}

	/* parsed fields, including bare-LF line ends */
	struct sip_msg sm;
	size_t mlen;
	const char *lf = "SIP/2.0 180 Ringing\nFrom: \"A, B\" <sip:a@b>;tag=x\nTo: sip:b@c ; tag = y\n"
			 "Call-ID: z\nCSeq: 4711 INVITE\nExpires: 30\nP-Asserted-Identity: <tel:+1555>, <sip:p@q>\n\n";
	CHECK_EQ_INT(sip_msg_parse((const uint8_t *)lf, strlen(lf), true, &sm, &mlen), SIP_PARSE_OK);
	CHECK_EQ_INT(mlen, strlen(lf));
	CHECK_EQ_INT(sm.status, 180);
	CHECK(span_eq_str(sm.reason, "Ringing"));
	CHECK(span_eq_str(sm.from.uri, "sip:a@b"));
	CHECK(span_eq_str(sm.from.tag, "x"));
	CHECK(span_eq_str(sm.to.uri, "sip:b@c"));
	CHECK(span_eq_str(sm.to.tag, "y"));
	CHECK_EQ_INT(sm.cseq, 4711);
	CHECK_EQ_INT(sm.cseq_method, SIP_M_INVITE);
	CHECK_EQ_INT(sm.expires, 30);
	CHECK(span_eq_str(sm.pai.uri, "tel:+1555"));
	CHECK_EQ_INT(sm.content_length, -1);
	h_free(h);
}

static void test_table_and_expiry(void)
{
	struct harness *h = h_new(16);
	char m[4096], cid[32];
	for (int i = 0; i < 20; i++) {
		snprintf(cid, sizeof cid, "full-%d", i);
		feed(h, msg(m, sizeof m, INVITE_LINE, cid, 1, "INVITE", NULL, NULL), 1, 0);
	}
	CHECK_EQ_INT(h->nev, 16);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_CALL_TABLE_FULL], 4);
	CHECK_EQ_INT(sip_module_active(h->mod), 16);
	/* answer one; after 5 minutes the unanswered expire, the answered one stays */
	feed(h, msg(m, sizeof m, "SIP/2.0 200 OK", "full-0", 1, "INVITE", "b", NULL), 2, 1);
	sip_dissector.module_tick(h->mod, 400 * 1000000ull, &h->sink);
	CHECK_EQ_INT(sip_module_active(h->mod), 1);
	sip_dissector.module_tick(h->mod, 7ull * 3600 * 1000000, &h->sink);
	CHECK_EQ_INT(sip_module_active(h->mod), 0);
	CHECK_EQ_INT(h->nev, 17); /* expiry is quiet */
	/* ended calls are reused first when the table is full */
	for (int i = 0; i < 40; i++) {
		snprintf(cid, sizeof cid, "reuse-%d", i);
		feed(h, msg(m, sizeof m, INVITE_LINE, cid, 1, "INVITE", NULL, NULL), 8 * 3600 + i, 0);
		feed(h, msg(m, sizeof m, "SIP/2.0 404 Not Found", cid, 1, "INVITE", "b", NULL), 8 * 3600 + i, 1);
	}
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SIP_CALL_TABLE_FULL], 4);
	CHECK_EQ_INT(h->nev, 17 + 80);
	h_free(h);
}

/*
 * The media type is compared whole (issue 14): sip_call.c once took any Content-Type
 * beginning "application/sdp" for SDP, so "application/sdpx" gave media; now media
 * types are compared exactly, case and white space aside, parameters after ';' ignored.
 */
static void test_sdpx_is_not_sdp(void)
{
	static const struct {
		const char *type;
		bool sdp;
	} cases[] = {
		{ "application/sdpx", false },
		{ "application/sdp-x", false },
		{ "application/sd", false },
		{ "application/sdp", true },
		{ "Application/SDP", true },
		{ "application/sdp;charset=utf-8", true },
		{ "application/sdp ; version=2", true },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct harness *h = h_new(0);
		char m[2048], cid[32];
		snprintf(cid, sizeof cid, "sdpx-%zu", k);
		snprintf(m, sizeof m,
			 INVITE_LINE "\r\nFrom: <sip:alice@a.example>;tag=1\r\nTo: <sip:bob@b.example>\r\n"
				     "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
			 cid, cases[k].type, strlen(SDP_A), SDP_A);
		CHECK_EQ_INT(feed(h, m, 1, 0), PARSE_OK);
		struct sip_media md[2];
		CHECK(sip_call_media(h->mod, cid, strlen(cid), md));
		CHECK_EQ_INT(md[0].audio_port, cases[k].sdp ? 49170 : 0);
		h_free(h);
	}
}

/* Every prefix and a byte-flipped copy of real-looking messages, both framings. */
static void test_prefixes(void)
{
	struct harness *h = h_new(64);
	char m[4096];
	const char *msgs[3];
	char a[4096], b[4096], c[2048];
	msgs[0] = msg(a, sizeof a, INVITE_LINE, "pfx", 1, "INVITE", NULL, SDP_A);
	msgs[1] = msg(b, sizeof b, "SIP/2.0 200 OK", "pfx", 1, "INVITE", "b1", SDP_B);
	snprintf(c, sizeof c, REGISTER_MSG, 1u, 60u, 60u);
	msgs[2] = c;
	for (int k = 0; k < 3; k++) {
		size_t n = strlen(msgs[k]);
		for (size_t i = 0; i <= n; i++) {
			size_t consumed;
			feed_n(h, msgs[k], i, 1, 0, false, NULL);
			feed_n(h, msgs[k], i, 1, 0, true, &consumed);
			CHECK(consumed <= i);
			bool r = recog(msgs[k]);
			CHECK(r);
		}
		memcpy(m, msgs[k], n);
		uint32_t x = 12345;
		for (int round = 0; round < 300; round++) {
			memcpy(m, msgs[k], n);
			for (int f = 0; f < 4; f++) {
				x = x * 1103515245u + 12345u;
				m[(x >> 8) % n] = (char)(x >> 20);
			}
			size_t consumed;
			feed_n(h, m, n, 2, round & 1, round & 2, &consumed);
		}
	}
	h_free(h);
}

int main(void)
{
	test_basic_call();
	test_cancel();
	test_final_outcomes();
	test_auth_retry();
	test_retransmission_and_forks();
	test_mid_call();
	test_register();
	test_tcp_framing();
	test_udp_multi_and_truncated();
	test_malformed();
	test_recognise();
	test_caps();
	test_compact_and_folding();
	test_table_and_expiry();
	test_sdpx_is_not_sdp();
	test_prefixes();
	return check_done("test_sip");
}
