/*
 * test_stun.c — STUN messages against RFC 5769's sample messages (section 2.2, an IPv4
 * response with XOR-MAPPED-ADDRESS 192.0.2.1:32853; 2.3, the same over IPv6), the
 * facts a flow's messages leave (types, attributes, realm, who asked), RFC 7983
 * demultiplexing, and RTP recognition that needs several packets: what the RTP
 * dissector tells the signature engine (its facts sink), packet by packet; and a STUN
 * flow's media: reported once, then marked on the flow and left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow/flow.h"
#include "proto/rtp.h"
#include "proto/stun.h"

static const uint8_t RESP_V4[] = { /* RFC 5769 2.2 */
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
	0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

static const uint8_t RESP_V6[] = { /* RFC 5769 2.3 */
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
	0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
	0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
	0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static void test_rfc5769(void)
{
	struct stun_facts f;
	struct stun_addrs a;
	bool changed;
	char text[ADDR_STRLEN];
	memset(&f, 0, sizeof f);
	memset(&a, 0, sizeof a);
	CHECK(stun_looks_like(RESP_V4, sizeof RESP_V4));
	CHECK_EQ_INT(stun_parse(RESP_V4, sizeof RESP_V4, &f, &a, &changed), STUN_OK);
	CHECK(changed);
	CHECK_EQ_STR(addr_format(&a.mapped, text, sizeof text), "192.0.2.1");
	CHECK_EQ_INT(a.mapped_port, 32853);
	CHECK_EQ_INT(f.ntypes, 1);
	CHECK_EQ_INT(f.types[0], 0x0101);
	CHECK_EQ_INT(f.nattrs, 4); /* SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT */
	memset(&a, 0, sizeof a);
	CHECK_EQ_INT(stun_parse(RESP_V6, sizeof RESP_V6, &f, &a, &changed), STUN_OK);
	CHECK(!changed); /* nothing new: the same type and attributes */
	CHECK_EQ_STR(addr_format(&a.mapped, text, sizeof text), "2001:db8:1234:5678:11:2233:4455:6677");
	CHECK_EQ_INT(a.mapped_port, 32853);
	CHECK_EQ_INT(f.messages, 2);
	/* cut anywhere: truncated, never past the end */
	for (size_t cut = 0; cut < sizeof RESP_V4; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, RESP_V4, cut);
		struct stun_facts g;
		memset(&g, 0, sizeof g);
		CHECK(stun_parse(copy, cut, &g, &a, &changed) != STUN_OK);
		CHECK(!stun_looks_like(copy, cut));
		free(copy);
	}
	/* a length that lies */
	uint8_t bad[sizeof RESP_V4];
	memcpy(bad, RESP_V4, sizeof bad);
	bad[3] = 0x3b;
	CHECK(!stun_looks_like(bad, sizeof bad));
}

static void test_realm_and_requests(void)
{
	/* an Allocate error response (0x0113) with REALM "Signal.org", as TURN servers send */
	uint8_t m[64] = { 0x01, 0x13, 0x00, 0x10, 0x21, 0x12, 0xa4, 0x42 };
	size_t n = 20;
	m[n++] = 0x00; m[n++] = 0x14; m[n++] = 0x00; m[n++] = 0x0a;
	memcpy(m + n, "Signal.org\0\0", 12);
	n += 12;
	struct stun_facts f;
	memset(&f, 0, sizeof f);
	bool changed;
	CHECK_EQ_INT(stun_parse(m, n, &f, NULL, &changed), STUN_OK);
	CHECK_EQ_STR(f.realm, "signal.org");
	stun_note_request(&f, m, n, 1, &changed);
	CHECK_EQ_INT(f.request_dirs, 0); /* a response: no one asked from there */
	uint8_t req[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };
	changed = false;
	stun_note_request(&f, req, sizeof req, 0, &changed);
	CHECK(changed);
	CHECK_EQ_INT(f.request_dirs, 1);
	/* WhatsApp's relays take a vendor attribute with no padding (a length not a multiple of 4) */
	uint8_t wa[20 + 4 + 6] = { 0x00, 0x03, 0x00, 0x0a, 0x21, 0x12, 0xa4, 0x42 };
	wa[20] = 0x40; wa[21] = 0x00; wa[22] = 0x00; wa[23] = 0x06;
	CHECK(stun_looks_like(wa, sizeof wa));
	memset(&f, 0, sizeof f);
	CHECK_EQ_INT(stun_parse(wa, sizeof wa, &f, NULL, &changed), STUN_OK);
	CHECK_EQ_INT(f.attrs[0], 0x4000);
}

static void test_demux_and_rtp(void)
{
	CHECK_EQ_INT(media_demux(0x00), MEDIA_STUN);
	CHECK_EQ_INT(media_demux(0x17), MEDIA_DTLS);
	CHECK_EQ_INT(media_demux(0x40), MEDIA_CHANNEL_DATA);
	CHECK_EQ_INT(media_demux(0x80), MEDIA_RTP);
	CHECK_EQ_INT(media_demux(0xc3), MEDIA_OTHER);
	bool rtcp;
	uint8_t rtp[172] = { 0x80, 0x08 };
	CHECK(rtp_header_ok(rtp, sizeof rtp, &rtcp) && !rtcp);
	uint8_t sr[28] = { 0x80, 200, 0x00, 0x06 };
	CHECK(rtp_header_ok(sr, sizeof sr, &rtcp) && rtcp);
	sr[3] = 0x07; /* longer than the datagram */
	CHECK(!rtp_header_ok(sr, sizeof sr, &rtcp));
	struct packet pkt = { .sport = 53, .dport = 40000 };
	CHECK(!rtp_dissector.recognise(rtp, sizeof rtp, &pkt)); /* a privileged port: DNS, not media */
}

/* What the RTP dissector told the signature engine so far. */
struct media_seen {
	int reports; /* facts handed over */
	bool media;  /* the last ones said media was confirmed */
};

static void on_facts(void *ud, struct flow *f, int dir, const struct packet *pkt, const struct flow_facts *facts)
{
	(void)f, (void)dir, (void)pkt;
	struct media_seen *seen = ud;
	seen->reports++;
	seen->media = facts->media && strcmp(facts->protocol, "rtp") == 0;
}

static void on_lookup(void *ud, struct flow *f, const char *qname)
{
	(void)ud, (void)f, (void)qname;
}

/* One flow's RTP packets (direction 0): SSRC ssrcs[i] and sequence seqs[i] each. */
struct rtp_flow {
	void *state;
	unsigned fed; /* packets given to parse */
	struct flow flow;
	struct media_seen seen;
	struct facts_sink sink;
	struct parse_ctx ctx;
};

static void rtp_flow_start(struct rtp_flow *r)
{
	memset(r, 0, sizeof *r);
	r->state = calloc(1, rtp_dissector.state_size);
	r->sink = (struct facts_sink){ .facts = on_facts, .lookup = on_lookup, .ud = &r->seen };
	r->ctx = (struct parse_ctx){ .flow = &r->flow, .state = r->state, .facts = &r->sink };
}

/* Feeds one RTP packet; returns whether media was confirmed (reported) by now. */
static bool rtp_packet(struct rtp_flow *r, uint32_t ssrc, uint16_t seq, int dir)
{
	uint8_t p[172] = { 0x80, 0x08 };
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++)
		p[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	size_t consumed = 0;
	r->ctx.dir = dir;
	/* decided: media seen, or RTP_PROBE_MAX packets looked at and the next one gave up */
	bool decided = r->seen.media || r->fed > 16; /* rtp.c's RTP_PROBE_MAX */
	r->fed++;
	/* once decided, the pipeline is told to stop (PARSE_DONE); before, never */
	CHECK_EQ_INT(rtp_dissector.parse(&r->ctx, p, sizeof p, &consumed), decided ? PARSE_DONE : PARSE_OK);
	CHECK_EQ_INT(consumed, sizeof p);
	return r->seen.media;
}

/*
 * Several packets decide (rtp.c): three of one direction with the same SSRC and the
 * sequence stepping forward by 1..100, or two RTCP packets that fit their datagrams;
 * after 16 packets without that, the flow is left alone. Nothing is reported before.
 */
static void test_rtp_decides(void)
{
	struct rtp_flow r;
	/* the same SSRC, stepping by one: media at the third packet, not before */
	rtp_flow_start(&r);
	CHECK(!rtp_packet(&r, 0x12345678, 100, 0));
	CHECK(!rtp_packet(&r, 0x12345678, 101, 0));
	CHECK_EQ_INT(r.seen.reports, 0);
	CHECK(rtp_packet(&r, 0x12345678, 102, 0));
	CHECK_EQ_INT(r.seen.reports, 1);
	CHECK(rtp_packet(&r, 0x12345678, 103, 0)); /* decided: nothing more is reported */
	CHECK_EQ_INT(r.seen.reports, 1);
	free(r.state);
	/* another SSRC at the third packet starts the count again */
	rtp_flow_start(&r);
	rtp_packet(&r, 0x12345678, 100, 0);
	rtp_packet(&r, 0x12345678, 101, 0);
	CHECK(!rtp_packet(&r, 0x9abcdef0, 102, 0));
	CHECK(!rtp_packet(&r, 0x9abcdef0, 103, 0));
	CHECK(rtp_packet(&r, 0x9abcdef0, 104, 0));
	free(r.state);
	/* a jump of more than 100 or a step back: not in order (the same number again is a copy) */
	rtp_flow_start(&r);
	rtp_packet(&r, 7, 100, 0);
	CHECK(!rtp_packet(&r, 7, 201, 0));
	CHECK(!rtp_packet(&r, 7, 201, 0));
	CHECK(!rtp_packet(&r, 7, 200, 0));
	CHECK(!rtp_packet(&r, 7, 201, 0));
	CHECK(rtp_packet(&r, 7, 202, 0)); /* 200, 201, 202 */
	free(r.state);
	/* every packet twice (two mirrors of one link): the copies neither count nor reset */
	rtp_flow_start(&r);
	CHECK(!rtp_packet(&r, 7, 100, 0));
	CHECK(!rtp_packet(&r, 7, 100, 0));
	CHECK(!rtp_packet(&r, 7, 101, 0));
	CHECK(!rtp_packet(&r, 7, 101, 0));
	CHECK(rtp_packet(&r, 7, 102, 0));
	free(r.state);
	/* the sequence wraps from 65535 to 0: still one step */
	rtp_flow_start(&r);
	rtp_packet(&r, 7, 65534, 0);
	rtp_packet(&r, 7, 65535, 0);
	CHECK(rtp_packet(&r, 7, 0, 0));
	free(r.state);
	/* counted per direction: packets alternating between the two do not add up */
	rtp_flow_start(&r);
	CHECK(!rtp_packet(&r, 7, 1, 0));
	CHECK(!rtp_packet(&r, 7, 2, 1));
	CHECK(!rtp_packet(&r, 7, 2, 0));
	CHECK(!rtp_packet(&r, 7, 3, 1));
	CHECK(rtp_packet(&r, 7, 3, 0));
	free(r.state);
	/* 16 packets that never agree: the flow is left alone, a run after that is not looked at */
	rtp_flow_start(&r);
	for (uint32_t i = 0; i < 16; i++)
		CHECK(!rtp_packet(&r, 1000 + i, 100, 0));
	CHECK(!rtp_packet(&r, 7, 1, 0));
	CHECK(!rtp_packet(&r, 7, 2, 0));
	CHECK(!rtp_packet(&r, 7, 3, 0));
	CHECK_EQ_INT(r.seen.reports, 0);
	free(r.state);
	/* two RTCP sender reports that fit their datagrams */
	rtp_flow_start(&r);
	uint8_t sr[28] = { 0x80, 200, 0x00, 0x06 };
	size_t consumed;
	CHECK_EQ_INT(rtp_dissector.parse(&r.ctx, sr, sizeof sr, &consumed), PARSE_OK);
	CHECK(!r.seen.media);
	CHECK_EQ_INT(rtp_dissector.parse(&r.ctx, sr, sizeof sr, &consumed), PARSE_OK);
	CHECK(r.seen.media);
	free(r.state);
	/* not RTP at all (version 0): never media */
	rtp_flow_start(&r);
	uint8_t junk[64] = { 0x40 };
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(rtp_dissector.parse(&r.ctx, junk, sizeof junk, &consumed), PARSE_OK);
	CHECK_EQ_INT(r.seen.reports, 0);
	free(r.state);
}

/* What the STUN dissector told the signature engine so far. */
struct stun_seen {
	int reports;
	bool media;
};

static void on_stun_facts(void *ud, struct flow *f, int dir, const struct packet *pkt, const struct flow_facts *facts)
{
	(void)f, (void)dir, (void)pkt;
	struct stun_seen *seen = ud;
	seen->reports++;
	seen->media = facts->media && strcmp(facts->protocol, "stun") == 0;
}

/*
 * A STUN flow's media (RTP after the ICE checks): the third media datagram says the
 * flow carries media, once, and marks the flow (FLOW_PARSE_MARK); later media
 * datagrams leave the dissector's state as it was (they are decided from the flow
 * alone), while a STUN message is still parsed and reported.
 */
static void test_stun_media_mark(void)
{
	struct stun_seen seen = {0};
	struct facts_sink sink = { .facts = on_stun_facts, .lookup = on_lookup, .ud = &seen };
	struct flow flow;
	memset(&flow, 0, sizeof flow);
	void *state = calloc(1, stun_dissector.state_size);
	void *before = malloc(stun_dissector.state_size);
	struct parse_ctx ctx = { .flow = &flow, .state = state, .facts = &sink };
	uint8_t rtp[60] = { 0x80, 0x08 };
	size_t consumed = 0;
	for (int i = 0; i < 3; i++) {
		CHECK(!(flow.parse_done & FLOW_PARSE_MARK));
		CHECK_EQ_INT(stun_dissector.parse(&ctx, rtp, sizeof rtp, &consumed), PARSE_OK);
	}
	CHECK_EQ_INT(seen.reports, 1);
	CHECK(seen.media);
	CHECK(flow.parse_done & FLOW_PARSE_MARK);
	CHECK_EQ_INT(flow.parse_done & 3, 0); /* both directions still wanted: STUN may follow */
	memcpy(before, state, stun_dissector.state_size);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(stun_dissector.parse(&ctx, rtp, sizeof rtp, &consumed), PARSE_OK);
	CHECK(memcmp(before, state, stun_dissector.state_size) == 0);
	CHECK_EQ_INT(seen.reports, 1);
	/* an ICE check afterwards: parsed, and reported with media still said */
	uint8_t req[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };
	CHECK_EQ_INT(stun_dissector.parse(&ctx, req, sizeof req, &consumed), PARSE_OK);
	CHECK_EQ_INT(seen.reports, 2);
	CHECK(seen.media);
	free(before);
	free(state);
}

int main(void)
{
	test_rfc5769();
	test_realm_and_requests();
	test_demux_and_rtp();
	test_rtp_decides();
	test_stun_media_mark();
	return check_done("test_stun");
}
