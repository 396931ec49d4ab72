/*
 * test_record_parse.c — a record's JSON line read back (record_from_line; the JSON
 * reader under it has test_json_read.c): valid lines give the same record and the same bytes again, any
 * byte a packet may carry included; truncated and malformed lines are refused; lines
 * that are JSON but not what pentrap writes (look-alikes) are refused too.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "record/chain.h"
#include "record/record.h"

static struct record sample(void)
{
	struct record r;
	memset(&r, 0, sizeof r);
	r.seq = 42;
	r.ts_us = 1796242757123456ULL;
	r.type = EV_CALL_END;
	strcpy(r.order, "2026-MJ-0142");
	strcpy(r.target, "+15551234567");
	strcpy(r.direction, "out");
	strcpy(r.from, "+15551234567");
	strcpy(r.to, "sip:bob@example.org");
	strcpy(r.protocol, "sip");
	r.duration_us = 73250000;
	strcpy(r.outcome, "answered");
	strcpy(r.call_id, "a84b4c76e66710@pc33.example.net");
	strcpy(r.evidence, "{\"capture\":\"9f2c\",\"frames\":[1841,1902],\"transport\":\"udp\",\"sport\":5060}");
	strcpy(r.prev_hash, "5d41402abc4b2a76b9719d911017c592ae1c6d2f8f0e2b6d4a1f4c3b2a190807");
	chain_hash_record(&r, r.hash);
	return r;
}

static void round_trip(const struct record *r)
{
	size_t n;
	char *line = record_to_line(r, &n);
	struct record back;
	char why[128] = "";
	CHECK(line != NULL);
	CHECK_EQ_INT(record_from_line(line, n, &back, why, sizeof why), 0);
	if (why[0])
		fprintf(stderr, "  why: %s\n  line: %s\n", why, line);
	size_t n2;
	char *again = record_to_line(&back, &n2);
	CHECK(again && n2 == n && memcmp(again, line, n) == 0);
	char h[HASH_HEX_LEN];
	chain_hash_record(&back, h);
	CHECK_EQ_STR(h, r->hash);
	/* from the line, without writing it again: the same hash */
	chain_hash_line(line, n, &back, h);
	CHECK_EQ_STR(h, r->hash);
	free(line);
	free(again);
}

static int refused(const char *line, const char *why_part)
{
	struct record r;
	char why[128] = "";
	int rc = record_from_line(line, strlen(line), &r, why, sizeof why);
	if (rc == 0 || !strstr(why, why_part)) {
		fprintf(stderr, "  line %s: rc %d, why '%s' (wanted '%s')\n", line, rc, why, why_part);
		return 0;
	}
	return 1;
}

static void test_valid(void)
{
	struct record r = sample();
	round_trip(&r);
	/* optional fields, inferred with a score, no duration */
	r.inferred = true;
	r.score = 87;
	r.duration_us = -1;
	strcpy(r.service, "whatsapp");
	strcpy(r.signature, "whatsapp-noise@3");
	strcpy(r.subtype, "delivery-receipt");
	strcpy(r.event, "ev-1a2b3c");
	strcpy(r.counterpart, "+15559876543");
	strcpy(r.contact, "93.36.13.115:35393,[2001:db8::5]:3478");
	chain_hash_record(&r, r.hash);
	round_trip(&r);
	/* what a packet can put into a party: quotes, backslashes, controls, bytes that are
	 * not UTF-8, U+2028, valid UTF-8 */
	strcpy(r.from, "sip:\"q\\\x01\x7f\xff\xc3\xa9\xe2\x80\xa8@x");
	strcpy(r.call_id, "\xed\xa0\x80\xf4\x90\x80\x80");
	chain_hash_record(&r, r.hash);
	round_trip(&r);
	/* duration 0 and the largest seq */
	r.duration_us = 0;
	r.seq = UINT64_MAX;
	chain_hash_record(&r, r.hash);
	round_trip(&r);
	/* a hash that is not 64 hex digits: chain_hash_line hashes the record as written */
	strcpy(r.hash, "ABC\"");
	size_t n;
	char *line = record_to_line(&r, &n), h[HASH_HEX_LEN], want[HASH_HEX_LEN];
	CHECK(line != NULL);
	chain_hash_line(line, n, &r, h);
	chain_hash_record(&r, want);
	CHECK_EQ_STR(h, want);
	free(line);
}

static void test_truncated(void)
{
	struct record r = sample();
	size_t n;
	char *line = record_to_line(&r, &n);
	int all = 1;
	for (size_t cut = 0; cut < n; cut++) {
		struct record back;
		char why[128];
		if (record_from_line(line, cut, &back, why, sizeof why) == 0)
			all = 0;
	}
	CHECK(all); /* no prefix of a line is a line */
	free(line);
}

static void test_malformed(void)
{
	CHECK(refused("", "empty"));
	CHECK(refused("[1,2]", "not a JSON object"));
	CHECK(refused("{\"seq\":1,", "not a JSON object"));
	CHECK(refused("{\"seq\":-1}", "seq"));
	CHECK(refused("{\"seq\":01}", "not a JSON object"));
	CHECK(refused("{\"seq\":99999999999999999999}", "seq"));
	CHECK(refused("{\"seq\":1,\"ts\":\"yesterday\"}", "ts"));
	CHECK(refused("{\"seq\":1,\"type\":\"nonsense\"}", "type"));
	CHECK(refused("{\"seq\":1,\"confidence\":\"maybe\"}", "confidence"));
	CHECK(refused("{\"seq\":1,\"score\":300}", "score"));
	CHECK(refused("{\"seq\":1,\"duration_s\":1.5}", "duration_s"));
	CHECK(refused("{\"seq\":1,\"evidence\":\"text\"}", "evidence"));
	CHECK(refused("{\"seq\":1,\"from\":\"\\ud800\"}", "as pentrap writes it"));
	CHECK(refused("{\"seq\":1,\"from\":\"a\x01\"}", "not a JSON object"));
	CHECK(refused("{\"seq\":1,\"to\":\"\\q\"}", "not a JSON object"));
	/* a field longer than the record holds */
	char big[400];
	memset(big, 'a', sizeof big);
	big[sizeof big - 1] = '\0';
	char line[600];
	snprintf(line, sizeof line, "{\"seq\":1,\"from\":\"%s\"}", big);
	CHECK(refused(line, "from"));
	/* nesting past the cap inside the evidence */
	char deep[200] = "{\"seq\":1,\"evidence\":";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	CHECK(refused(deep, "deeper than a record can be"));
}

static void test_look_alike(void)
{
	struct record r = sample();
	size_t n;
	char *line = record_to_line(&r, &n);
	/* the same record with a space after a comma: JSON, not pentrap's line */
	char *spaced = malloc(n + 2);
	char *comma = strchr(line, ',');
	size_t at = (size_t)(comma - line) + 1;
	memcpy(spaced, line, at);
	spaced[at] = ' ';
	memcpy(spaced + at + 1, line + at, n - at + 1);
	CHECK(refused(spaced, "as pentrap writes it"));
	/* fields in another order */
	CHECK(refused("{\"ts\":\"2026-11-25T20:19:17.123456Z\",\"seq\":1}", "as pentrap writes it"));
	/* a field this pentrap does not know */
	CHECK(refused("{\"seq\":1,\"colour\":\"red\"}", "colour"));
	/* a message that is JSON but no record */
	CHECK(refused("{\"hello\":\"world\"}", "hello"));
	free(spaced);
	free(line);
}

int main(void)
{
	test_valid();
	test_truncated();
	test_malformed();
	test_look_alike();
	return check_done("test_record_parse");
}
