/*
 * test_smpp.c — the SMPP dissector: recognising (valid PDUs and look-alikes), address
 * normalisation by type of number, framing (several PDUs per buffer, one PDU across
 * segments), requests tied to responses (outcome, message_id), submit_multi, delivery
 * receipts, timeouts, truncated and malformed PDUs, and losing and regaining the
 * framing. Every buffer is parsed from an exact-size heap copy so the address sanitizer
 * sees any over-read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"
#include "core/stats.h"
#include "proto/smpp.h"

enum { MAX_EVENTS = 128, BUF = 4096 };

/* --- building PDUs --- */

struct pdu {
	uint8_t b[BUF];
	size_t n;
};

static void put8(struct pdu *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void put32(struct pdu *p, uint32_t v)
{
	for (int s = 24; s >= 0; s -= 8)
		put8(p, (v >> s) & 0xff);
}

static void putstr(struct pdu *p, const char *s)
{
	size_t n = strlen(s) + 1;
	memcpy(p->b + p->n, s, n);
	p->n += n;
}

static void putbytes(struct pdu *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void begin(struct pdu *p, uint32_t cmd, uint32_t status, uint32_t seq)
{
	p->n = 0;
	put32(p, 0);
	put32(p, cmd);
	put32(p, status);
	put32(p, seq);
}

static void end(struct pdu *p)
{
	uint32_t n = (uint32_t)p->n;
	p->b[0] = (uint8_t)(n >> 24);
	p->b[1] = (uint8_t)(n >> 16);
	p->b[2] = (uint8_t)(n >> 8);
	p->b[3] = (uint8_t)n;
}

/* The part after destination_addr of submit_sm / deliver_sm: the text is skipped by its length. */
static void sm_tail(struct pdu *p, unsigned esm, const char *text)
{
	put8(p, esm);
	put8(p, 0);  /* protocol_id */
	put8(p, 0);  /* priority_flag */
	putstr(p, ""); /* schedule_delivery_time */
	putstr(p, ""); /* validity_period */
	put8(p, 1);  /* registered_delivery */
	put8(p, 0);  /* replace_if_present_flag */
	put8(p, 0);  /* data_coding */
	put8(p, 0);  /* sm_default_msg_id */
	put8(p, (unsigned)strlen(text));
	putbytes(p, text, strlen(text));
}

static void submit(struct pdu *p, uint32_t cmd, uint32_t seq, unsigned ston, const char *src, unsigned dton,
		   const char *dst, unsigned esm, const char *text)
{
	begin(p, cmd, 0, seq);
	putstr(p, "");
	put8(p, ston);
	put8(p, 1);
	putstr(p, src);
	put8(p, dton);
	put8(p, 1);
	putstr(p, dst);
	sm_tail(p, esm, text);
	end(p);
}

static void resp(struct pdu *p, uint32_t cmd, uint32_t seq, uint32_t status, const char *msgid)
{
	begin(p, cmd | 0x80000000u, status, seq);
	if (msgid)
		putstr(p, msgid);
	end(p);
}

static void header_only(struct pdu *p, uint32_t cmd, uint32_t status, uint32_t seq)
{
	begin(p, cmd, status, seq);
	end(p);
}

/* --- the harness --- */

struct harness {
	void *state;
	struct stats stats;
	struct event ev[MAX_EVENTS];
	int nev;
	struct event_sink sink;
	struct packet pkt;
	struct parse_ctx ctx;
	uint64_t frame;
	struct ip_addr esme, smsc;
	uint8_t stream[2][BUF * 4]; /* unconsumed bytes per direction, as the pipeline keeps them */
	size_t have[2];
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
	h->state = calloc(1, smpp_dissector.state_size);
	h->sink.emit = collect;
	h->sink.ud = h;
	addr_parse("192.0.2.10", &h->esme);
	addr_parse("198.51.100.20", &h->smsc);
	h->ctx.pkt = &h->pkt;
	h->ctx.state = h->state;
	h->ctx.events = &h->sink;
	h->ctx.stats = &h->stats;
	return h;
}

static void h_end(struct harness *h)
{
	struct parse_ctx ctx = h->ctx;
	ctx.pkt = NULL;
	smpp_dissector.state_end(&ctx);
}

static void h_free(struct harness *h)
{
	free(h->state);
	free(h);
}

/*
 * Delivers a segment from the ESME (dir 0) or the SMSC (dir 1) at ts_s seconds and parses
 * the direction's unconsumed bytes as the pipeline does (an exact-size copy each call).
 * Returns the last status.
 */
static enum parse_status seg(struct harness *h, int dir, const void *data, size_t len, double ts_s)
{
	memcpy(h->stream[dir] + h->have[dir], data, len);
	h->have[dir] += len;
	h->pkt.ts_us = (uint64_t)(ts_s * 1e6);
	h->pkt.frame_no = ++h->frame;
	h->pkt.ip_proto = IPPROTO_TCP_;
	h->pkt.src = dir ? h->smsc : h->esme;
	h->pkt.dst = dir ? h->esme : h->smsc;
	h->pkt.sport = dir ? 2775 : 40000;
	h->pkt.dport = dir ? 40000 : 2775;
	h->ctx.dir = dir;
	enum parse_status st = PARSE_OK;
	while (h->have[dir] > 0) {
		size_t n = h->have[dir], consumed = 0;
		uint8_t *copy = malloc(n);
		memcpy(copy, h->stream[dir], n);
		st = smpp_dissector.parse(&h->ctx, copy, n, &consumed);
		free(copy);
		CHECK(consumed <= n);
		if (st == PARSE_MALFORMED)
			consumed = n;
		memmove(h->stream[dir], h->stream[dir] + consumed, n - consumed);
		h->have[dir] -= consumed;
		if (st == PARSE_NEED_MORE || consumed == 0)
			break;
	}
	return st;
}

static enum parse_status send_pdu(struct harness *h, int dir, const struct pdu *p, double ts_s)
{
	return seg(h, dir, p->b, p->n, ts_s);
}

static bool recog(const void *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	struct packet pkt = { 0 };
	bool r = smpp_dissector.recognise(copy, len, &pkt);
	free(copy);
	return r;
}

static const char *addr(unsigned ton, const char *s)
{
	static char out[80];
	size_t n = strlen(s);
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	smpp_address((uint8_t)ton, copy, n, out, sizeof out);
	free(copy);
	return out;
}

/* --- tests --- */

static void test_address(void)
{
	CHECK_EQ_STR(addr(1, "15551234567"), "+15551234567");
	CHECK_EQ_STR(addr(1, "+15551234567"), "+15551234567");
	CHECK_EQ_STR(addr(0, "100"), "100");
	CHECK_EQ_STR(addr(2, "5551234567"), "5551234567");
	CHECK_EQ_STR(addr(0, "+4420"), "+4420");
	CHECK_EQ_STR(addr(5, "MyBank"), "MyBank");
	CHECK_EQ_STR(addr(5, "12345"), "12345");         /* alphanumeric digits stay text */
	CHECK_EQ_STR(addr(1, "Info 24 "), "Info 24");    /* not a number: text, trailing space dropped */
	CHECK_EQ_STR(addr(0, "a\x01" "b\x7f" "c\xc3"), "abc"); /* control and non-ASCII bytes dropped */
	CHECK_EQ_STR(addr(1, ""), "");
	CHECK_EQ_STR(addr(1, "+"), "+");                 /* no digits: kept as text */
	char small[4];
	smpp_address(1, (const uint8_t *)"15551234567", 11, small, sizeof small);
	CHECK_EQ_STR(small, "+15");
	smpp_address(1, NULL, 0, small, sizeof small);
	CHECK_EQ_STR(small, "");
}

static void test_recognise(void)
{
	struct pdu p, q;
	/* valid first PDUs */
	begin(&p, 0x00000002, 0, 1); /* bind_transmitter */
	putstr(&p, "esme");
	putstr(&p, "pw");
	putstr(&p, "SMPP");
	put8(&p, 0x34);
	put8(&p, 0);
	put8(&p, 0);
	putstr(&p, "");
	end(&p);
	CHECK(recog(p.b, p.n));
	header_only(&p, 0x15, 0, 7);
	CHECK(recog(p.b, p.n));
	submit(&p, 0x04, 3, 0, "100", 1, "1234567890", 0, "hi");
	CHECK(recog(p.b, p.n));
	CHECK(recog(p.b, 16)); /* the first PDU continues in the next segment */
	resp(&p, 0x04, 3, 0x45, NULL);
	CHECK(recog(p.b, p.n)); /* an error response without a body */
	/* two PDUs: the second must start sanely too */
	submit(&p, 0x04, 3, 0, "100", 1, "1234567890", 0, "hi");
	header_only(&q, 0x15, 0, 4);
	uint8_t two[BUF];
	memcpy(two, p.b, p.n);
	memcpy(two + p.n, q.b, q.n);
	CHECK(recog(two, p.n + q.n));
	two[p.n + 7] = 0x77; /* the second PDU's command_id made unknown */
	CHECK(!recog(two, p.n + q.n));

	/* look-alikes */
	CHECK(!recog("", 0));
	CHECK(!recog("\0\0\0\x10\0\0\0\x15\0\0\0\0\0\0\0", 15)); /* 15 bytes: no header */
	header_only(&p, 0x15, 1, 1);
	CHECK(!recog(p.b, p.n)); /* a request with a status */
	header_only(&p, 0x77, 0, 1);
	CHECK(!recog(p.b, p.n)); /* unknown command */
	header_only(&p, 0x8000000b, 0, 1);
	CHECK(!recog(p.b, p.n)); /* outbind has no response */
	begin(&p, 0x15, 0, 1);
	put32(&p, 0);
	end(&p);
	CHECK(!recog(p.b, p.n)); /* enquire_link with a body */
	header_only(&p, 0x15, 0, 0x80000000u);
	CHECK(!recog(p.b, p.n)); /* sequence number out of range */
	resp(&p, 0x04, 1, 0x00010000, NULL);
	CHECK(!recog(p.b, p.n)); /* implausible status */
	header_only(&p, 0x15, 0, 1);
	p.b[3] = 12;
	CHECK(!recog(p.b, p.n)); /* length below the header */
	submit(&p, 0x04, 1, 0, "100", 1, "1234", 0, "x");
	p.b[1] = 0x10; /* length over the cap */
	CHECK(!recog(p.b, p.n));
	begin(&p, 0x04, 0, 1);
	for (int i = 0; i < 60; i++)
		put8(&p, 'A'); /* strings that never end */
	end(&p);
	CHECK(!recog(p.b, p.n));
	submit(&p, 0x04, 1, 0, "100", 1, "1234", 0, "x");
	p.b[p.n - 8] = '9'; /* schedule_delivery_time neither empty nor 16 characters */
	CHECK(!recog(p.b, p.n));
	static const char http[] = "GET / HTTP/1.1\r\nHost: smsc.example\r\n\r\n";
	CHECK(!recog(http, sizeof http - 1));
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03,
				       0, 0, 0, 0, 0, 0, 0, 0, 0 };
	CHECK(!recog(tls, sizeof tls));
	/* random bytes: a fixed generator, so a failure can be replayed */
	uint32_t x = 2775;
	int hits = 0;
	for (int t = 0; t < 20000; t++) {
		uint8_t b[64];
		for (size_t i = 0; i < sizeof b; i++) {
			x = x * 1103515245u + 12345u;
			b[i] = (uint8_t)(x >> 16);
		}
		hits += recog(b, sizeof b);
	}
	CHECK_EQ_INT(hits, 0);
}

static const struct event *find_event(const struct harness *h, const char *to)
{
	for (int i = 0; i < h->nev; i++)
		if (strcmp(h->ev[i].to, to) == 0)
			return &h->ev[i];
	return NULL;
}

static void test_submit_and_response(void)
{
	struct harness *h = h_new();
	struct pdu p;
	submit(&p, 0x04, 3, 0, "100", 1, "1234567890", 0, "SECRET-TEXT");
	CHECK_EQ_INT(send_pdu(h, 0, &p, 10.0), PARSE_OK);
	CHECK_EQ_INT(h->nev, 0); /* waits for its response */
	resp(&p, 0x04, 3, 0, "47c8c77a");
	CHECK_EQ_INT(send_pdu(h, 1, &p, 10.5), PARSE_OK);
	CHECK_EQ_INT(h->nev, 1);
	const struct event *e = &h->ev[0];
	CHECK_EQ_INT(e->type, EV_SMS);
	CHECK_EQ_STR(e->protocol, "smpp");
	CHECK_EQ_STR(e->from, "100");
	CHECK_EQ_STR(e->to, "+1234567890");
	CHECK_EQ_STR(e->call_id, "47c8c77a");
	CHECK_EQ_STR(e->outcome, "accepted");
	CHECK_EQ_STR(e->subtype, "");
	CHECK_EQ_INT(e->ts_us, 10000000); /* the request's time */
	CHECK_EQ_INT(e->nframes, 2);
	CHECK_EQ_INT(e->frames[0], 1);
	CHECK_EQ_INT(e->frames[1], 2);
	CHECK(addr_eq(&e->from_addr, &h->esme));
	CHECK(addr_eq(&e->to_addr, &h->smsc));
	CHECK_EQ_INT(e->sport, 40000);
	CHECK_EQ_INT(e->dport, 2775);
	/* the text is nowhere in the event */
	CHECK(memmem(e, sizeof *e, "SECRET-TEXT", 11) == NULL);
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	/* a response nobody waits for: nothing */
	resp(&p, 0x04, 99, 0, "x");
	send_pdu(h, 1, &p, 11.0);
	CHECK_EQ_INT(h->nev, 1);
	/* a response in the same direction as the request does not complete it */
	submit(&p, 0x04, 4, 1, "15550001111", 1, "15550002222", 0, "t");
	send_pdu(h, 0, &p, 12.0);
	resp(&p, 0x04, 4, 0, "wrong-way");
	send_pdu(h, 0, &p, 12.1);
	CHECK_EQ_INT(h->nev, 1);
	resp(&p, 0x04, 4, 0x45, NULL); /* refused: no body */
	send_pdu(h, 1, &p, 12.2);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_STR(h->ev[1].outcome, "failed");
	CHECK_EQ_STR(h->ev[1].call_id, "seq:4");
	CHECK_EQ_STR(h->ev[1].from, "+15550001111");
	h_end(h);
	CHECK_EQ_INT(h->nev, 2);
	h_free(h);
}

static void test_framing(void)
{
	struct harness *h = h_new();
	struct pdu a, b, c;
	submit(&a, 0x04, 1, 1, "15550000001", 1, "15550000002", 0, "one");
	header_only(&b, 0x15, 0, 2);
	submit(&c, 0x04, 3, 1, "15550000001", 1, "15550000003", 0, "three");
	uint8_t all[BUF];
	size_t n = 0;
	memcpy(all + n, a.b, a.n);
	n += a.n;
	memcpy(all + n, b.b, b.n);
	n += b.n;
	memcpy(all + n, c.b, c.n);
	n += c.n;
	/* three PDUs, delivered one byte per segment: every PDU waits until whole */
	for (size_t i = 0; i < n; i++) {
		enum parse_status st = seg(h, 0, all + i, 1, 1.0);
		bool pdu_end = i + 1 == a.n || i + 1 == a.n + b.n || i + 1 == n;
		CHECK_EQ_INT(st, pdu_end ? PARSE_OK : PARSE_NEED_MORE);
	}
	CHECK_EQ_INT(h->have[0], 0);
	/* both responses in one segment */
	struct pdu r1, r3;
	resp(&r1, 0x04, 1, 0, "m1");
	resp(&r3, 0x04, 3, 0, "m3");
	memcpy(all, r1.b, r1.n);
	memcpy(all + r1.n, r3.b, r3.n);
	CHECK_EQ_INT(seg(h, 1, all, r1.n + r3.n, 1.1), PARSE_OK);
	CHECK_EQ_INT(h->nev, 2);
	CHECK(find_event(h, "+15550000002") && strcmp(find_event(h, "+15550000002")->call_id, "m1") == 0);
	CHECK(find_event(h, "+15550000003") && strcmp(find_event(h, "+15550000003")->call_id, "m3") == 0);
	CHECK_EQ_INT(stats_anomaly_total(&h->stats), 0);
	h_free(h);
}

static void test_truncated(void)
{
	struct harness *h = h_new();
	struct pdu p;
	submit(&p, 0x04, 1, 1, "15550000001", 1, "15550000002", 0, "text");
	/* the capture cut the segment: the PDU never completes, counted as truncated */
	h->pkt.payload_truncated = true;
	CHECK_EQ_INT(seg(h, 0, p.b, p.n - 5, 1.0), PARSE_NEED_MORE);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_TRUNCATED], 1);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], 0);
	h->pkt.payload_truncated = false;
	CHECK_EQ_INT(h->nev, 0);
	/* an ordinary split is not truncation */
	struct harness *g = h_new();
	CHECK_EQ_INT(seg(g, 0, p.b, 9, 1.0), PARSE_NEED_MORE);
	CHECK_EQ_INT(stats_anomaly_total(&g->stats), 0);
	h_free(g);
	h_free(h);
}

static void test_malformed(void)
{
	struct harness *h = h_new();
	struct pdu p, good;
	/* a sane header with a broken body: counted, skipped by its length, the stream goes on */
	begin(&p, 0x04, 0, 1);
	for (int i = 0; i < 30; i++)
		put8(&p, 'A');
	end(&p);
	submit(&good, 0x04, 2, 1, "15550000001", 1, "15550000002", 0, "ok");
	uint8_t two[BUF];
	memcpy(two, p.b, p.n);
	memcpy(two + p.n, good.b, good.n);
	CHECK_EQ_INT(seg(h, 0, two, p.n + good.n, 1.0), PARSE_OK);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], 1);
	resp(&p, 0x04, 2, 0, "m2");
	send_pdu(h, 1, &p, 1.1);
	CHECK_EQ_INT(h->nev, 1);
	/* short_message longer than the PDU */
	submit(&p, 0x04, 3, 1, "15550000001", 1, "15550000002", 0, "abc");
	p.b[p.n - 4] = 200;
	send_pdu(h, 0, &p, 1.2);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], 2);
	/* a TLV whose length runs past the PDU */
	submit(&p, 0x04, 4, 1, "15550000001", 1, "15550000002", 0, "abc");
	put8(&p, 0x04);
	put8(&p, 0x24);
	put8(&p, 0x00);
	put8(&p, 0x40);
	put8(&p, 'x');
	end(&p);
	send_pdu(h, 0, &p, 1.3);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], 3);
	/* an address of 65 characters has no room for its NUL */
	char long_addr[70];
	memset(long_addr, '1', 65);
	long_addr[65] = '\0';
	begin(&p, 0x103, 0, 5); /* data_sm */
	putstr(&p, "");
	put8(&p, 1);
	put8(&p, 1);
	putstr(&p, long_addr);
	put8(&p, 1);
	put8(&p, 1);
	putstr(&p, "15550000002");
	put8(&p, 0);
	put8(&p, 0);
	put8(&p, 0);
	end(&p);
	send_pdu(h, 0, &p, 1.4);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], 4);
	long_addr[64] = '\0'; /* 64 characters and the NUL: the longest allowed */
	begin(&p, 0x103, 0, 6);
	putstr(&p, "");
	put8(&p, 1);
	put8(&p, 1);
	putstr(&p, long_addr);
	put8(&p, 1);
	put8(&p, 1);
	putstr(&p, "15550000002");
	put8(&p, 0);
	put8(&p, 0);
	put8(&p, 0);
	end(&p);
	send_pdu(h, 0, &p, 1.5);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], 4);
	resp(&p, 0x103, 6, 0, "m6");
	send_pdu(h, 1, &p, 1.6);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(strlen(h->ev[1].from), 65); /* "+" and 64 digits */
	CHECK_EQ_INT(h->nev, 2);

	/* an insane header loses the framing: the buffer is dropped, garbage is skipped
	 * quietly, and parsing resumes at a segment that starts with a sane header */
	static const uint8_t junk[40] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint64_t before = h->stats.anomalies[ANOM_SMPP_MALFORMED];
	CHECK_EQ_INT(seg(h, 0, junk, sizeof junk, 2.0), PARSE_MALFORMED);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], before + 1);
	CHECK_EQ_INT(h->have[0], 0);
	CHECK_EQ_INT(seg(h, 0, junk + 3, 20, 2.1), PARSE_OK);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], before + 1);
	CHECK_EQ_INT(seg(h, 0, junk, 5, 2.2), PARSE_NEED_MORE); /* too short to judge: kept */
	CHECK_EQ_INT(seg(h, 0, junk + 5, 11, 2.25), PARSE_OK);  /* 16 bytes, no header: dropped */
	CHECK_EQ_INT(h->have[0], 0);
	submit(&p, 0x04, 7, 1, "15550000001", 1, "15550000007", 0, "back");
	send_pdu(h, 0, &p, 2.3);
	resp(&p, 0x04, 7, 0, "m7");
	send_pdu(h, 1, &p, 2.4);
	CHECK(find_event(h, "+15550000007") != NULL);
	h_free(h);
}

static void test_outcomes_and_timeouts(void)
{
	struct harness *h = h_new();
	struct pdu p;
	/* generic_nack */
	submit(&p, 0x04, 1, 1, "15550000001", 1, "15550000002", 0, "x");
	send_pdu(h, 0, &p, 1.0);
	header_only(&p, 0x80000000u, 3, 1);
	send_pdu(h, 1, &p, 1.1);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].outcome, "failed");
	/* no response within the timeout: emitted without an outcome by a later segment */
	submit(&p, 0x04, 2, 1, "15550000001", 1, "15550000003", 0, "x");
	send_pdu(h, 0, &p, 2.0);
	header_only(&p, 0x15, 0, 3);
	send_pdu(h, 0, &p, 30.0);
	CHECK_EQ_INT(h->nev, 1);
	send_pdu(h, 0, &p, 2.0 + 61);
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_STR(h->ev[1].to, "+15550000003");
	CHECK_EQ_STR(h->ev[1].outcome, "");
	CHECK_EQ_STR(h->ev[1].call_id, "seq:2");
	CHECK_EQ_INT(h->ev[1].nframes, 1);
	/* a late response finds nothing */
	resp(&p, 0x04, 2, 0, "late");
	send_pdu(h, 1, &p, 64.0);
	CHECK_EQ_INT(h->nev, 2);
	/* a sequence number reused before its response: the first is emitted then */
	submit(&p, 0x04, 5, 1, "15550000001", 1, "15550000004", 0, "x");
	send_pdu(h, 0, &p, 70.0);
	submit(&p, 0x04, 5, 1, "15550000001", 1, "15550000005", 0, "x");
	send_pdu(h, 0, &p, 70.1);
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_STR(h->ev[2].to, "+15550000004");
	/* the flow ends: the waiting request is emitted */
	h_end(h);
	CHECK_EQ_INT(h->nev, 4);
	CHECK_EQ_STR(h->ev[3].to, "+15550000005");
	CHECK_EQ_STR(h->ev[3].outcome, "");
	h_free(h);
}

static void test_pending_cap(void)
{
	struct harness *h = h_new();
	struct pdu p;
	int n = SMPP_MAX_PENDING + 6;
	for (int i = 0; i < n; i++) {
		char to[32];
		snprintf(to, sizeof to, "155500%05d", i);
		submit(&p, 0x04, (uint32_t)i + 1, 1, "15550000001", 1, to, 0, "x");
		send_pdu(h, 0, &p, 1.0 + i * 0.001);
	}
	CHECK_EQ_INT(h->nev, 6); /* the oldest made room, without an outcome */
	CHECK_EQ_STR(h->ev[0].to, "+15550000000");
	CHECK_EQ_STR(h->ev[5].to, "+15550000005");
	resp(&p, 0x04, (uint32_t)n, 0, "last");
	send_pdu(h, 1, &p, 2.0);
	CHECK_EQ_INT(h->nev, 7);
	CHECK_EQ_STR(h->ev[6].outcome, "accepted");
	h_end(h);
	CHECK_EQ_INT(h->nev, n);
	h_free(h);
}

static void test_submit_multi(void)
{
	struct harness *h = h_new();
	struct pdu p;
	begin(&p, 0x21, 0, 9);
	putstr(&p, "");
	put8(&p, 1);
	put8(&p, 1);
	putstr(&p, "15550000001");
	put8(&p, 3);
	put8(&p, 1); put8(&p, 1); put8(&p, 1); putstr(&p, "15550000002");
	put8(&p, 1); put8(&p, 2); put8(&p, 1); putstr(&p, "5550000003");
	put8(&p, 2); putstr(&p, "friends");
	sm_tail(&p, 0, "to all");
	end(&p);
	send_pdu(h, 0, &p, 1.0);
	CHECK_EQ_INT(h->nev, 0);
	begin(&p, 0x80000021u, 0, 9);
	putstr(&p, "mm9");
	put8(&p, 1);
	put8(&p, 2); put8(&p, 1); putstr(&p, "5550000003"); put32(&p, 0x0b);
	end(&p);
	send_pdu(h, 1, &p, 1.1);
	CHECK_EQ_INT(h->nev, 3);
	const struct event *a = find_event(h, "+15550000002"), *b = find_event(h, "5550000003"),
			   *c = find_event(h, "dl:friends");
	CHECK(a && b && c);
	if (a && b && c) {
		CHECK_EQ_STR(a->outcome, "accepted");
		CHECK_EQ_STR(b->outcome, "failed");
		CHECK_EQ_STR(c->outcome, "accepted");
		CHECK_EQ_STR(a->subtype, "submit-multi");
		CHECK_EQ_STR(c->call_id, "mm9");
		CHECK_EQ_STR(b->from, "+15550000001");
	}
	/* a destination flag that is neither 1 nor 2: malformed, no event */
	begin(&p, 0x21, 0, 10);
	putstr(&p, "");
	put8(&p, 1);
	put8(&p, 1);
	putstr(&p, "15550000001");
	put8(&p, 1);
	put8(&p, 7);
	putstr(&p, "15550000002");
	sm_tail(&p, 0, "x");
	end(&p);
	send_pdu(h, 0, &p, 2.0);
	CHECK_EQ_INT(h->stats.anomalies[ANOM_SMPP_MALFORMED], 1);
	h_end(h);
	CHECK_EQ_INT(h->nev, 3);
	h_free(h);
}

static void test_receipts(void)
{
	struct harness *h = h_new();
	struct pdu p;
	/* deliver_sm from the SMSC with esm_class "SMSC delivery receipt" and the TLVs
	 * receipted_message_id and message_payload (the text, never read) */
	submit(&p, 0x05, 200, 1, "15550000002", 1, "15550000001", 0x04, "id:m1 stat:DELIVRD text:SECRET");
	put8(&p, 0x00); put8(&p, 0x1e); put8(&p, 0x00); put8(&p, 0x03);
	putstr(&p, "m1");
	put8(&p, 0x04); put8(&p, 0x24); put8(&p, 0x00); put8(&p, 0x06);
	putbytes(&p, "SECRET", 6);
	end(&p);
	send_pdu(h, 1, &p, 1.0);
	resp(&p, 0x05, 200, 0, "");
	send_pdu(h, 0, &p, 1.1);
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_STR(h->ev[0].subtype, "delivery-receipt");
	CHECK_EQ_STR(h->ev[0].call_id, "m1");
	CHECK_EQ_STR(h->ev[0].from, "+15550000002");
	CHECK_EQ_STR(h->ev[0].to, "+15550000001");
	CHECK(addr_eq(&h->ev[0].from_addr, &h->smsc));
	CHECK(memmem(&h->ev[0], sizeof h->ev[0], "SECRET", 6) == NULL);
	/* intermediate notification, SME delivery ack, user ack; a plain deliver_sm */
	static const struct {
		unsigned esm;
		const char *subtype;
	} kinds[] = { { 0x20, "delivery-receipt" }, { 0x08, "delivery-receipt" }, { 0x10, "user-ack" },
		      { 0x00, "" }, { 0x03, "" } };
	for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		submit(&p, 0x05, 300 + i, 1, "15550000002", 1, "15550000001", kinds[i].esm, "x");
		send_pdu(h, 1, &p, 2.0 + i);
		resp(&p, 0x05, 300 + i, 0, NULL);
		send_pdu(h, 0, &p, 2.1 + i);
		CHECK_EQ_INT(h->nev, 2 + (int)i);
		CHECK_EQ_STR(h->ev[1 + i].subtype, kinds[i].subtype);
		char seq[16];
		snprintf(seq, sizeof seq, "seq:%u", 300 + i);
		CHECK_EQ_STR(h->ev[1 + i].call_id, seq); /* deliver_sm_resp carries no message_id */
	}
	h_free(h);
}

int main(void)
{
	test_address();
	test_recognise();
	test_submit_and_response();
	test_framing();
	test_truncated();
	test_malformed();
	test_outcomes_and_timeouts();
	test_pending_cap();
	test_submit_multi();
	test_receipts();
	return check_done("test_smpp");
}
