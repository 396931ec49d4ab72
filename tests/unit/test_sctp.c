/*
 * test_sctp.c — the SCTP layer (proto/sctp.c): chunk walking with padding and bundling,
 * DATA and I-DATA user messages, fragments put back together, duplicates skipped, and
 * every way a packet can lie: short chunk lengths, lengths past the end (whole packet:
 * malformed; cut: truncated, the cut message handed on as such), DATA without user
 * data, too many chunks, gaps and interleaving in fragments, the reassembly cap, slots
 * taken back; and the routing of a message to its dissector by PPID.
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

static void test_route(void)
{
	int map = proto_find("map");
	CHECK(map >= 0);
	CHECK_EQ_INT(sctp_route(mod, SCTP_PPID_M3UA, NULL, 0, NULL), map);
	CHECK_EQ_INT(sctp_route(mod, SCTP_PPID_SUA, NULL, 0, NULL), map);
	CHECK_EQ_INT(sctp_route(mod, SCTP_PPID_M2UA, NULL, 0, NULL), map);
	CHECK_EQ_INT(sctp_route(mod, 7, NULL, 0, NULL), -1); /* H.248: nobody's */
	/* PPID 0: by content */
	static const uint8_t aspup[8] = { 1, 0, 3, 1, 0, 0, 0, 8 };
	CHECK_EQ_INT(sctp_route(mod, 0, aspup, sizeof aspup, NULL), map);
	static const uint8_t http[8] = { 'G', 'E', 'T', ' ', '/', ' ', 'H', 'T' };
	int other = sctp_route(mod, 0, http, sizeof http, NULL);
	CHECK(other != map);
	static const uint8_t wrong_len[8] = { 1, 0, 3, 1, 0, 0, 0, 9 };
	CHECK(sctp_route(mod, 0, wrong_len, sizeof wrong_len, NULL) != map);
}

int main(void)
{
	mod = sctp_module_new(&stats, NULL);
	test_bundles();
	test_lies();
	test_fragments();
	test_slots();
	test_route();
	sctp_module_free(mod);
	return check_done("test_sctp");
}
