/*
 * test_sctp.c — the SCTP layer (proto/sctp.c): chunk walking with padding and bundling,
 * DATA and I-DATA user messages, fragments put back together, duplicates skipped, and
 * every way a packet can lie: short chunk lengths, lengths past the end (whole packet:
 * malformed; cut: truncated, the cut message handed on as such), DATA without user
 * data, too many chunks, gaps and interleaving in fragments, the reassembly cap, slots
 * taken back; and the layer handing each message to the user dissector of its PPID
 * (or, for PPID 0, the first that recognises it), with that user's module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/sctp.h"

enum { MAX_MSGS = 32 };
static struct {
	uint32_t ppid;
	uint16_t stream;
	size_t len;
	uint8_t first, last;
	bool cut, reassembled;
} got[MAX_MSGS];
static unsigned ngot;

static void deliver(void *ud, const struct sctp_user_msg *m)
{
	(void)ud;
	if (ngot < MAX_MSGS) {
		got[ngot].ppid = m->ppid;
		got[ngot].stream = m->stream;
		got[ngot].len = m->data.len;
		got[ngot].first = m->data.len ? m->data.ptr[0] : 0;
		got[ngot].last = m->data.len ? m->data.ptr[m->data.len - 1] : 0;
		got[ngot].cut = m->cut;
		got[ngot].reassembled = m->reassembled;
	}
	ngot++;
}

/* --- packet building --- */

static uint8_t pkt[70000];
static size_t plen;

static void put(const void *p, size_t n)
{
	memcpy(pkt + plen, p, n);
	plen += n;
}

static void be16(uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(b, 2);
}

static void be32(uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(b, 4);
}

static void pad(void)
{
	while (plen % 4)
		pkt[plen++] = 0;
}

/* A DATA chunk of n bytes of `fill` (the first byte `first`). */
static void data(uint8_t flags, uint32_t tsn, uint16_t sid, uint16_t ssn, uint32_t ppid, size_t n, uint8_t first)
{
	pkt[plen++] = 0;
	pkt[plen++] = flags;
	be16((uint16_t)(16 + n));
	be32(tsn);
	be16(sid);
	be16(ssn);
	be32(ppid);
	for (size_t i = 0; i < n; i++)
		pkt[plen++] = i == 0 ? first : (uint8_t)(0xa0 + (i & 0x0f));
	pad();
}

static void idata(uint8_t flags, uint32_t tsn, uint16_t sid, uint32_t mid, uint32_t ppid, size_t n)
{
	pkt[plen++] = 64;
	pkt[plen++] = flags;
	be16((uint16_t)(20 + n));
	be32(tsn);
	be16(sid);
	be16(0);
	be32(mid);
	be32(ppid);
	for (size_t i = 0; i < n; i++)
		pkt[plen++] = 0x55;
	pad();
}

static void sack(void)
{
	static const uint8_t s[16] = { 3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
	put(s, sizeof s);
}

static struct stats stats;
static struct sctp_module *mod;

/* Walks pkt[0..n) as one packet from an exact-size copy. */
static void walk(struct sctp_dir_state *ds, size_t n, bool cut, uint64_t now)
{
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, pkt, n);
	sctp_chunks(mod, ds, copy, n, cut, now, deliver, NULL);
	free(copy);
}

static void reset(void)
{
	ngot = 0;
	plen = 0;
	memset(&stats, 0, sizeof stats);
}

static void test_bundles(void)
{
	struct sctp_dir_state ds;
	memset(&ds, 0, sizeof ds);
	reset();
	/* SACK, DATA(PPID 3, 5 bytes: padded), DATA(PPID 4), a HEARTBEAT-like unknown chunk */
	sack();
	data(3, 100, 0, 0, 3, 5, 0x01);
	data(3, 101, 1, 0, 4, 8, 0x02);
	static const uint8_t hb[8] = { 4, 0, 0, 8, 1, 2, 3, 4 };
	put(hb, sizeof hb);
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(ngot, 2);
	CHECK_EQ_INT(got[0].ppid, 3);
	CHECK_EQ_INT(got[0].len, 5);
	CHECK_EQ_INT(got[0].first, 0x01);
	CHECK_EQ_INT(got[1].ppid, 4);
	CHECK_EQ_INT(got[1].stream, 1);
	CHECK_EQ_INT(got[1].len, 8);
	CHECK(!got[0].cut && !got[0].reassembled);
	CHECK_EQ_INT(stats_anomaly_total(&stats), 0);

	/* the same TSNs again (a retransmission captured twice): skipped */
	ngot = 0;
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(ngot, 0);
	/* an older TSN not seen yet is new; a much older one is taken as new */
	plen = 0;
	data(3, 99, 0, 0, 3, 4, 0x03);
	data(3, 10, 0, 0, 3, 4, 0x04);
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(ngot, 2);
	/* an INIT starts the association afresh: TSN 100 is new again */
	ngot = 0;
	plen = 0;
	static const uint8_t init[20] = { 1, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0, 1, 0, 1, 0, 0, 0, 100 };
	put(init, sizeof init);
	data(3, 100, 0, 0, 3, 4, 0x05);
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(ngot, 1);

	/* I-DATA, unfragmented: handed on with its PPID */
	reset();
	idata(3, 200, 2, 7, 46, 12);
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_INT(got[0].ppid, 46);
	CHECK_EQ_INT(got[0].len, 12);
	/* fragmented I-DATA: counted, skipped */
	reset();
	idata(2, 201, 2, 8, 46, 12);
	idata(1, 202, 2, 8, 0, 12);
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(ngot, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 1);

	/* no direction state (a fuzz driver): whole messages still handed on */
	reset();
	data(3, 1, 0, 0, 3, 4, 0x06);
	data(3, 1, 0, 0, 3, 4, 0x07);
	walk(NULL, plen, false, 0);
	CHECK_EQ_INT(ngot, 2);
}

static void test_lies(void)
{
	struct sctp_dir_state ds;
	memset(&ds, 0, sizeof ds);
	/* a chunk length under 4 */
	reset();
	static const uint8_t tiny[4] = { 0, 3, 0, 2 };
	put(tiny, sizeof tiny);
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_MALFORMED], 1);
	/* DATA with no user data (length 16) */
	reset();
	data(3, 300, 0, 0, 3, 0, 0);
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_MALFORMED], 1);
	CHECK_EQ_INT(ngot, 0);
	/* a length past the end of a whole packet: malformed, nothing handed on */
	reset();
	data(3, 301, 0, 0, 3, 40, 0x08);
	walk(&ds, plen - 8, false, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_MALFORMED], 1);
	CHECK_EQ_INT(ngot, 0);
	/* the same cut by the capture: the beginning handed on, marked cut */
	reset();
	data(3, 302, 0, 0, 3, 40, 0x09);
	walk(&ds, plen - 8, true, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_TRUNCATED], 1);
	CHECK_EQ_INT(ngot, 1);
	CHECK(got[0].cut);
	CHECK_EQ_INT(got[0].len, 32);
	/* cut inside the DATA header: nothing handed on, truncated */
	reset();
	data(3, 303, 0, 0, 3, 40, 0x0a);
	walk(&ds, 10, true, 0);
	CHECK_EQ_INT(ngot, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_TRUNCATED], 1);
	/* every prefix of a bundle, cut and whole: never more than what is there */
	reset();
	sack();
	data(3, 400, 0, 0, 3, 33, 0x0b);
	data(3, 401, 0, 0, 3, 7, 0x0c);
	size_t full = plen;
	for (size_t k = 0; k < full; k++) {
		struct sctp_dir_state fresh;
		memset(&fresh, 0, sizeof fresh);
		ngot = 0;
		walk(&fresh, k, true, 0);
		CHECK(ngot <= 2);
		for (unsigned i = 0; i < ngot && i < MAX_MSGS; i++)
			CHECK(got[i].len <= 33);
		ngot = 0;
		walk(&fresh, k, false, 0);
	}
	/* more chunks than the cap */
	reset();
	for (int i = 0; i < SCTP_MAX_CHUNKS + 10; i++)
		sack();
	walk(&ds, plen, false, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_CHUNK_LIMIT], 1);
	/* an empty payload */
	reset();
	walk(&ds, 0, false, 0);
	CHECK_EQ_INT(stats_anomaly_total(&stats), 0);
}

static void test_fragments(void)
{
	struct sctp_dir_state ds;
	memset(&ds, 0, sizeof ds);
	/* B, middle, E in three packets: one message of the three parts */
	reset();
	data(2, 500, 3, 9, 3, 100, 0x11);
	walk(&ds, plen, false, 1);
	plen = 0;
	data(0, 501, 3, 9, 3, 100, 0x12);
	walk(&ds, plen, false, 2);
	plen = 0;
	data(1, 502, 3, 9, 3, 50, 0x13);
	walk(&ds, plen, false, 3);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_INT(got[0].len, 250);
	CHECK_EQ_INT(got[0].first, 0x11);
	CHECK_EQ_INT(got[0].ppid, 3);
	CHECK_EQ_INT(got[0].stream, 3);
	CHECK(got[0].reassembled);
	CHECK_EQ_INT(ds.slot, 0);
	/* the last fragment again (retransmitted): skipped, no second message */
	walk(&ds, plen, false, 4);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_INT(stats_anomaly_total(&stats), 0);

	/* a gap in the TSNs: dropped, counted */
	reset();
	data(2, 600, 0, 1, 3, 20, 0x21);
	data(1, 602, 0, 1, 3, 20, 0x22);
	walk(&ds, plen, false, 5);
	CHECK_EQ_INT(ngot, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 1);
	/* another stream in the middle: dropped */
	reset();
	data(2, 610, 0, 1, 3, 20, 0x23);
	data(1, 611, 1, 1, 3, 20, 0x24);
	walk(&ds, plen, false, 6);
	CHECK_EQ_INT(ngot, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 1);
	/* an end without its beginning, a beginning after an unfinished one */
	reset();
	data(1, 620, 0, 1, 3, 20, 0x25);
	data(2, 621, 0, 2, 3, 20, 0x26);
	data(2, 622, 0, 3, 3, 20, 0x27);
	data(1, 623, 0, 3, 3, 20, 0x28);
	walk(&ds, plen, false, 7);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_INT(got[0].first, 0x27);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 2);
	/* over the cap: dropped */
	reset();
	uint32_t tsn = 700;
	data(2, tsn++, 0, 4, 3, 8000, 0x29);
	walk(&ds, plen, false, 8);
	for (int i = 0; i < 3; i++) {
		plen = 0;
		data(0, tsn++, 0, 4, 3, 8000, 0x2a);
		walk(&ds, plen, false, 8);
	}
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 1);
	CHECK_EQ_INT(ngot, 0);
	/* a fragment cut by the capture: dropped */
	reset();
	data(2, 800, 0, 5, 3, 40, 0x2b);
	walk(&ds, plen - 8, true, 9);
	CHECK_EQ_INT(ngot, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 1);
}

static void test_slots(void)
{
	/* more directions reassembling at once than there are slots: the oldest gives way */
	struct sctp_dir_state *dirs = calloc(SCTP_REASM_SLOTS + 1, sizeof *dirs);
	reset();
	for (int i = 0; i <= SCTP_REASM_SLOTS; i++) {
		plen = 0;
		data(2, 1000, 0, 0, 3, 10, (uint8_t)i);
		walk(&dirs[i], plen, false, (uint64_t)i + 1);
	}
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 1);
	/* the first direction's slot went to the last: its end finds nothing */
	plen = 0;
	data(1, 1001, 0, 0, 3, 10, 0x30);
	walk(&dirs[0], plen, false, 100);
	CHECK_EQ_INT(ngot, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_SCTP_REASM_DROPPED], 2);
	/* the last one completes */
	walk(&dirs[SCTP_REASM_SLOTS], plen, false, 101);
	CHECK_EQ_INT(ngot, 1);
	CHECK_EQ_INT(got[0].first, SCTP_REASM_SLOTS);
	free(dirs);
}

/* --- the layer and its users: no pipeline, users of the test's own --- */

struct user_seen {
	const char *who;
	uint8_t first;
	size_t len;
	bool cut, state_null;
	void *module;
};
static struct user_seen seen[8];
static unsigned nseen;

static void saw(const char *who, struct parse_ctx *ctx, const uint8_t *p, size_t len)
{
	if (nseen < 8) {
		struct user_seen *u = &seen[nseen];
		u->who = who;
		u->first = len ? p[0] : 0;
		u->len = len;
		u->cut = ctx->pkt->payload_truncated;
		u->state_null = ctx->state == NULL;
		u->module = ctx->module;
		/* the packet handed on is the message: its payload is what parse is given */
		CHECK(ctx->pkt->payload == p && ctx->pkt->payload_len == len);
	}
	nseen++;
}

static enum parse_status parse_ua(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	saw("ua", ctx, p, len);
	*consumed = len;
	return PARSE_OK;
}

static enum parse_status parse_other(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	saw("other", ctx, p, len);
	*consumed = len;
	return PARSE_OK;
}

static enum parse_status parse_none(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	saw("none", ctx, p, len);
	*consumed = len;
	return PARSE_OK;
}

static bool starts_with_1(const uint8_t *p, size_t len, const struct packet *hint)
{
	(void)hint;
	return len && p[0] == 1;
}

static bool starts_with_g(const uint8_t *p, size_t len, const struct packet *hint)
{
	(void)hint;
	return len && p[0] == 'G';
}

/* "ua" takes PPIDs 3 and 4; "other" 3 (taken already) and 46; "none" lists no PPID. */
static const struct dissector user_ua = { .name = "ua", .recognise = starts_with_1, .parse = parse_ua,
					  .sctp_ppid = { 3, 4, 0 } };
static const struct dissector user_other = { .name = "other", .recognise = starts_with_g, .parse = parse_other,
					     .sctp_ppid = { 3, 46, 0 } };
static const struct dissector user_none = { .name = "none", .transports = T_UDP, .recognise = starts_with_g,
					    .parse = parse_none };

/* One DATA chunk of 12 bytes of the given PPID and first byte through the layer's
 * parse; cut: the capture kept only 8 of them. */
static void through_layer(void *layer, uint32_t ppid, uint8_t first, bool cut)
{
	plen = 0;
	data(3, 7000 + nseen * 2, 0, 0, ppid, 12, first);
	if (cut)
		plen -= 4;
	struct sctp_flow_state fs;
	memset(&fs, 0, sizeof fs);
	struct packet pk;
	memset(&pk, 0, sizeof pk);
	pk.ip_proto = IPPROTO_SCTP_;
	pk.payload = pkt;
	pk.payload_len = (uint32_t)plen;
	pk.payload_truncated = cut;
	struct parse_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.pkt = &pk;
	ctx.state = &fs;
	ctx.module = layer;
	ctx.stats = &stats;
	size_t consumed = 0;
	CHECK_EQ_INT(sctp_dissector.parse(&ctx, pkt, plen, &consumed), PARSE_OK);
	CHECK_EQ_INT(consumed, plen);
}

static void test_users(void)
{
	int ua_module = 1, other_module = 2;
	const struct proto_user users[] = {
		{ &user_none, NULL },
		{ &user_ua, &ua_module },
		{ &sctp_dissector, NULL }, /* the layer itself: lists no PPID, passed over */
		{ &user_other, &other_module },
	};
	reset();
	void *layer = sctp_dissector.layer_new(&stats, users, sizeof users / sizeof users[0]);
	CHECK(layer != NULL);
	CHECK(sctp_dissector.module_new == NULL); /* a layer is made with its users only */
	nseen = 0;
	through_layer(layer, 3, 0x11, false);  /* PPID 3: the first user listing it */
	through_layer(layer, 4, 0x12, false);
	through_layer(layer, 46, 0x13, false); /* Diameter's PPID: the second user */
	through_layer(layer, 7, 0x14, false);  /* H.248: nobody's */
	through_layer(layer, 0, 1, false);     /* unspecified: by content, users in order */
	through_layer(layer, 0, 'G', true);    /* "none" lists no PPID: "other" recognises it */
	through_layer(layer, 0, 'X', false);   /* nobody recognises it */
	CHECK_EQ_INT(nseen, 5);
	static const struct { const char *who; uint8_t first; } want[] = {
		{ "ua", 0x11 }, { "ua", 0x12 }, { "other", 0x13 }, { "ua", 1 }, { "other", 'G' },
	};
	for (unsigned i = 0; i < 5 && i < nseen; i++) {
		CHECK_EQ_STR(seen[i].who, want[i].who);
		CHECK_EQ_INT(seen[i].first, want[i].first);
		CHECK_EQ_INT(seen[i].len, i == 4 ? 8 : 12);
		CHECK(seen[i].state_null);
		CHECK(seen[i].module == (strcmp(want[i].who, "ua") == 0 ? (void *)&ua_module : (void *)&other_module));
	}
	CHECK(nseen >= 5 && seen[4].cut && !seen[3].cut); /* the capture's cut goes with the message */
	sctp_module_free(layer);

	/* no users: every message is dropped, nothing breaks */
	reset();
	layer = sctp_layer_new(&stats, NULL, 0);
	nseen = 0;
	through_layer(layer, 3, 1, false);
	through_layer(layer, 0, 1, false);
	CHECK_EQ_INT(nseen, 0);
	sctp_module_free(layer);
}

int main(void)
{
	mod = sctp_layer_new(&stats, NULL, 0);
	test_bundles();
	test_lies();
	test_fragments();
	test_slots();
	sctp_module_free(mod);
	test_users();
	return check_done("test_sctp");
}
