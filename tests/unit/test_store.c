/*
 * test_store.c — records as JSON (field order, escaping), the SQLite store (create,
 * reopen, append, query, refusals) and the JSON lines sink.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "record/json.h"
#include "record/jsonl.h"
#include "record/chain.h"
#include "record/record.h"
#include "record/store.h"

static char tmpdir[64];

static const char *tmp_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
	return buf;
}

/* Writes r as JSON into a freshly allocated string (caller frees). */
static char *to_json(const struct record *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	record_write_json(r, f);
	fclose(f);
	return buf;
}

static char *escaped(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_write_stringn(f, s, n);
	fclose(f);
	return buf;
}

static void make_record(struct record *r, uint64_t seq, uint64_t ts_us, const char *target,
			const char *from, const char *to)
{
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->ts_us = ts_us;
	r->type = EV_CALL_ATTEMPT;
	strcpy(r->order, "2026-MJ-0142");
	snprintf(r->target, sizeof r->target, "%s", target);
	strcpy(r->direction, strcmp(target, from) == 0 ? "out" : "in");
	snprintf(r->from, sizeof r->from, "%s", from);
	snprintf(r->to, sizeof r->to, "%s", to);
	strcpy(r->protocol, "sip");
	r->duration_us = -1;
	snprintf(r->call_id, sizeof r->call_id, "call-%llu@example", (unsigned long long)seq);
	strcpy(r->evidence, "{\"capture\":\"ab\",\"frames\":[1,2]}");
	snprintf(r->hash, sizeof r->hash, "%064llx", (unsigned long long)seq);
	if (seq > 1)
		snprintf(r->prev_hash, sizeof r->prev_hash, "%064llx", (unsigned long long)seq - 1);
}

static void test_json_escape(void)
{
	char *s;
	s = escaped("a\"b\\c", 5);
	CHECK_EQ_STR(s, "\"a\\\"b\\\\c\"");
	free(s);
	s = escaped("x\n\t\x01\x1f\x7fy", 7);
	CHECK_EQ_STR(s, "\"x\\u000a\\u0009\\u0001\\u001f\\u007fy\"");
	free(s);
	s = escaped("a\0b", 3);
	CHECK_EQ_STR(s, "\"a\\u0000b\"");
	free(s);
	/* valid UTF-8 passes through: é, €, 😀 */
	s = escaped("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	CHECK_EQ_STR(s, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	free(s);
	/* invalid: stray continuation, overlong, surrogate, above U+10FFFF, truncated */
	s = escaped("\x80", 1);
	CHECK_EQ_STR(s, "\"\\u0080\"");
	free(s);
	s = escaped("\xc0\xaf", 2);
	CHECK_EQ_STR(s, "\"\\u00c0\\u00af\"");
	free(s);
	s = escaped("\xed\xa0\x80", 3);
	CHECK_EQ_STR(s, "\"\\u00ed\\u00a0\\u0080\"");
	free(s);
	s = escaped("\xf4\x90\x80\x80", 4);
	CHECK_EQ_STR(s, "\"\\u00f4\\u0090\\u0080\\u0080\"");
	free(s);
	s = escaped("ok\xe2\x82", 4);
	CHECK_EQ_STR(s, "\"ok\\u00e2\\u0082\"");
	free(s);
	s = escaped("\xff" "A", 2);
	CHECK_EQ_STR(s, "\"\\u00ffA\"");
	free(s);
	/* U+2028 / U+2029 */
	s = escaped("a\xe2\x80\xa8" "b\xe2\x80\xa9", 8);
	CHECK_EQ_STR(s, "\"a\\u2028b\\u2029\"");
	free(s);

	/* json_escape into a buffer never splits an escape */
	char buf[10];
	size_t used = json_escape("ab\"cd", 5, buf, sizeof buf);
	CHECK_EQ_INT(used, 5);
	CHECK_EQ_STR(buf, "ab\\\"cd");
	used = json_escape("abc\x01xyz", 7, buf, 8);
	CHECK_EQ_INT(used, 3);
	CHECK_EQ_STR(buf, "abc");
	used = json_escape("\xc3\xa9\xc3\xa9", 4, buf, 4);
	CHECK_EQ_INT(used, 2);
	CHECK_EQ_STR(buf, "\xc3\xa9");
}

static void test_record_json(void)
{
	struct record r;
	make_record(&r, 7, 1793491200123456ull, "+15551234567", "+15551234567", "sip:bob@example.net");
	char *s = to_json(&r);
	CHECK_EQ_STR(s, "{\"seq\":7,\"ts\":\"2026-11-01T00:00:00.123456Z\",\"type\":\"call.attempt\","
			"\"order\":\"2026-MJ-0142\",\"target\":\"+15551234567\",\"direction\":\"out\","
			"\"from\":\"+15551234567\",\"to\":\"sip:bob@example.net\",\"protocol\":\"sip\","
			"\"confidence\":\"certain\",\"call_id\":\"call-7@example\","
			"\"evidence\":{\"capture\":\"ab\",\"frames\":[1,2]},"
			"\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000006\","
			"\"hash\":\"0000000000000000000000000000000000000000000000000000000000000007\"}");
	free(s);

	/* every optional field present, in order */
	r.type = EV_OTT_CALL_END;
	strcpy(r.event, "0123456789abcdef");
	strcpy(r.counterpart, "+15559990000");
	strcpy(r.service, "facetime");
	strcpy(r.signature, "apple-facetime@3");
	r.inferred = true;
	r.score = 85;
	r.duration_us = 12500000;
	strcpy(r.outcome, "answered");
	strcpy(r.contact, "sip:bob@198.51.100.9");
	strcpy(r.call_id, "id \"quoted\"\r\n\x01\xff");
	r.evidence[0] = '\0';
	r.prev_hash[0] = '\0';
	s = to_json(&r);
	CHECK_EQ_STR(s, "{\"seq\":7,\"ts\":\"2026-11-01T00:00:00.123456Z\",\"type\":\"ott.call.end\","
			"\"event\":\"0123456789abcdef\","
			"\"order\":\"2026-MJ-0142\",\"target\":\"+15551234567\",\"direction\":\"out\","
			"\"from\":\"+15551234567\",\"to\":\"sip:bob@example.net\",\"counterpart\":\"+15559990000\","
			"\"protocol\":\"sip\",\"service\":\"facetime\",\"signature\":\"apple-facetime@3\","
			"\"confidence\":\"inferred\",\"score\":85,\"duration_s\":12.500000,"
			"\"outcome\":\"answered\",\"call_id\":\"id \\\"quoted\\\"\\u000d\\u000a\\u0001\\u00ff\","
			"\"contact\":\"sip:bob@198.51.100.9\",\"evidence\":{},\"prev_hash\":\"\","
			"\"hash\":\"0000000000000000000000000000000000000000000000000000000000000007\"}");
	free(s);

	/* zero duration is written; evidence line breaks become spaces; a non-object is a string */
	r.duration_us = 0;
	strcpy(r.evidence, "{\"a\":\n1}");
	s = to_json(&r);
	CHECK(strstr(s, "\"duration_s\":0.000000,") != NULL);
	CHECK(strstr(s, "\"evidence\":{\"a\": 1},") != NULL);
	CHECK(strchr(s, '\n') == NULL);
	free(s);
	strcpy(r.evidence, "not json");
	s = to_json(&r);
	CHECK(strstr(s, "\"evidence\":\"not json\",") != NULL);
	free(s);

	/* a field without its NUL is bounded by its array */
	memset(r.outcome, 'x', sizeof r.outcome);
	s = to_json(&r);
	CHECK(strstr(s, "\"outcome\":\"xxxxxxxxxxxxxxxx\",") != NULL);
	free(s);
}

struct collect {
	int n;
	uint64_t seqs[16];
	struct record last;
};

static int collect_cb(const struct record *r, void *ud)
{
	struct collect *c = ud;
	if (c->n < 16)
		c->seqs[c->n] = r->seq;
	c->n++;
	c->last = *r;
	return 0;
}

static int stop_cb(const struct record *r, void *ud)
{
	(void)r;
	(*(int *)ud)++;
	return 7;
}

static const uint64_t T0 = 1793491200000000ull; /* 2026-11-01T00:00:00Z */

static void test_store(void)
{
	char path[128], err[512] = "";
	struct store *s = NULL;
	char hash[HASH_HEX_LEN];
	tmp_path("records.db", path, sizeof path);

	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	if (!s) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_EQ_INT(store_last_seq(s, hash), 0);
	CHECK_EQ_STR(hash, "");

	store_set_unsealed(s); /* this test writes records without checkpoints */
	struct record_sink sink = store_sink(s);
	CHECK_EQ_STR(sink.ops->name, "sqlite");
	struct record r1, r2, r3, bad;
	make_record(&r1, 1, T0 + 3000000, "+15551234567", "+15551234567", "sip:bob@example.net");
	make_record(&r2, 2, T0 + 1000000, "+15551234567", "+19995550000", "+15551234567");
	make_record(&r3, 3, T0 + 2000000, "sip:Alice@example.net", "sip:Alice@example.net", "+15551234567");
	r2.type = EV_CALL_END;
	r2.duration_us = 61000001;
	strcpy(r2.outcome, "answered");
	r3.type = EV_OTT_MESSAGE;
	strcpy(r3.event, "00112233445566ff");
	strcpy(r3.counterpart, "+15550001111");
	r3.inferred = true;
	r3.score = 70;
	strcpy(r3.service, "imessage");
	strcpy(r3.call_id, "weird \"\x01\xff");
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r1, err, sizeof err), 0);
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r2, err, sizeof err), 0);
	/* a gap, or a repeat, is refused */
	make_record(&bad, 5, T0, "+15551234567", "+15551234567", "+1");
	err[0] = '\0';
	CHECK_EQ_INT(sink.ops->write(sink.impl, &bad, err, sizeof err), -1);
	CHECK(strstr(err, path) == err && strstr(err, "record seq 5 does not follow the last seq 2"));
	bad.seq = 2;
	CHECK_EQ_INT(sink.ops->write(sink.impl, &bad, err, sizeof err), -1);
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r3, err, sizeof err), 0);
	CHECK_EQ_INT(sink.ops->flush(sink.impl, err, sizeof err), 0);
	CHECK_EQ_INT(store_last_seq(s, hash), 3);
	CHECK_EQ_STR(hash, r3.hash);

	struct run_info ri = { .order_id = "2026-MJ-0142", .order_file = "order.yaml", .order_sha256 = "00",
			       .captures = "[]", .software_version = "0.1.0", .started_us = T0,
			       .ended_us = T0 + 5, .first_seq = 1, .last_seq = 3, .summary_json = "{}" };
	CHECK_EQ_INT(store_add_run(s, &ri, err, sizeof err), 0);
	sink.ops->close(sink.impl); /* commits; the store stays open */
	store_close(s);
	s = NULL;

	/* reopen: the records are there, and the chain continues */
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	if (!s)
		return;
	CHECK_EQ_INT(store_last_seq(s, hash), 3);
	CHECK_EQ_STR(hash, r3.hash);
	store_set_unsealed(s);
	sink = store_sink(s);
	make_record(&bad, 3, T0, "+15551234567", "+15551234567", "+1");
	CHECK_EQ_INT(sink.ops->write(sink.impl, &bad, err, sizeof err), -1);

	struct collect c;
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_each(s, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 3);
	CHECK(c.seqs[0] == 1 && c.seqs[1] == 2 && c.seqs[2] == 3);

	/* round trip: the record read back is the record written (same JSON, same hash input) */
	char *a = to_json(&r3), *b = to_json(&c.last);
	CHECK_EQ_STR(b, a);
	free(a);
	free(b);
	CHECK_EQ_INT(c.last.type, EV_OTT_MESSAGE);
	CHECK_EQ_STR(c.last.event, "00112233445566ff");
	CHECK_EQ_STR(c.last.counterpart, "+15550001111");
	CHECK(c.last.inferred && c.last.score == 70);
	CHECK_EQ_INT(c.last.duration_us, -1);

	/* query: target, from or to; in time order; within a range */
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "+15551234567", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 3);
	CHECK(c.seqs[0] == 2 && c.seqs[1] == 3 && c.seqs[2] == 1); /* ORDER BY ts_us */
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "tel:+1-555-123-4567", T0 + 1500000, T0 + 3000000, collect_cb, &c, err,
				 sizeof err), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(c.seqs[0] == 3 && c.seqs[1] == 1);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "15551234567", 0, T0 + 1000000, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(c.seqs[0] == 2);
	CHECK_EQ_INT(c.last.duration_us, 61000001);
	CHECK_EQ_STR(c.last.outcome, "answered");
	/* by from only, by to only */
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "+19995550000", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "<sip:bob@EXAMPLE.net:5060>", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(c.seqs[0] == 1);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "sip:Alice@example.net", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "+10000000000", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 0);
	/* a callback's non-zero return stops and is returned */
	int calls = 0;
	CHECK_EQ_INT(store_query(s, "+15551234567", 0, 0, stop_cb, &calls, err, sizeof err), 7);
	CHECK_EQ_INT(calls, 1);
	store_close(s);
	store_close(NULL);
}

/*
 * A store of format version 2 (no event or counterpart columns): read as it is when
 * opened read-only, migrated in place when opened for writing; its records' hashes are
 * the same either way (empty fields are not in the JSON line).
 */
static void test_store_v2(void)
{
	char path[128], err[512] = "", hash[HASH_HEX_LEN];
	struct store *s = NULL;
	sqlite3 *db;
	tmp_path("v2.db", path, sizeof path);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	if (!s)
		return;
	store_set_unsealed(s);
	struct record_sink sink = store_sink(s);
	struct record r1;
	make_record(&r1, 1, T0, "+15551234567", "+15551234567", "sip:bob@example.net");
	chain_hash_record(&r1, r1.hash);
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r1, err, sizeof err), 0);
	sink.ops->close(sink.impl);
	store_close(s);
	/* back to the version-2 layout */
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "DROP INDEX records_event; DROP INDEX records_counterpart;"
				      "ALTER TABLE records DROP COLUMN event; ALTER TABLE records DROP COLUMN counterpart;"
				      "PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	struct collect c;
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_open_readonly(path, &s, err, sizeof err), 0);
	CHECK_EQ_INT(store_migrated_from(s), 0);
	CHECK_EQ_INT(store_each(s, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK_EQ_STR(c.last.event, "");
	chain_hash_record(&c.last, hash);
	CHECK_EQ_STR(hash, r1.hash);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "sip:bob@example.net", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	store_close(s);
	/* read-only left it at version 2 */
	int64_t version = 0;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	CHECK_EQ_INT(version, 2);

	/* opened for writing: migrated, the old record unchanged, a new one with the fields */
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	if (!s)
		return;
	CHECK_EQ_INT(store_migrated_from(s), 2);
	store_set_unsealed(s);
	sink = store_sink(s);
	struct record r2;
	make_record(&r2, 2, T0 + 1, "+15551234567", "+15551234567", "sip:bob@example.net");
	strcpy(r2.event, "feedfacecafebeef");
	strcpy(r2.counterpart, "+15557654321");
	strcpy(r2.prev_hash, r1.hash);
	chain_hash_record(&r2, r2.hash);
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r2, err, sizeof err), 0);
	sink.ops->close(sink.impl);
	store_close(s);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	if (!s)
		return;
	CHECK_EQ_INT(store_migrated_from(s), 0);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_each(s, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK_EQ_STR(c.last.event, "feedfacecafebeef");
	chain_hash_record(&c.last, hash);
	CHECK_EQ_STR(hash, r2.hash);
	/* the counterpart is found by a query for it */
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "+15557654321", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	store_close(s);
}

static void test_store_ip_query(void)
{
	char path[128], err[512];
	struct store *s = NULL;
	tmp_path("ip.db", path, sizeof path);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	if (!s)
		return;
	store_set_unsealed(s);
	struct record_sink sink = store_sink(s);
	struct record r;
	make_record(&r, 1, T0, "198.51.100.7/32", "198.51.100.7", "203.0.113.1");
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r, err, sizeof err), 0);
	make_record(&r, 2, T0 + 1, "2001:db8::/32", "2001:db8::5", "203.0.113.1");
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r, err, sizeof err), 0);
	struct collect c;
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "198.51.100.7", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "198.51.100.7/32", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "2001:DB8:0::/32", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 1);
	memset(&c, 0, sizeof c);
	CHECK_EQ_INT(store_query(s, "203.0.113.1", 0, 0, collect_cb, &c, err, sizeof err), 0);
	CHECK_EQ_INT(c.n, 2);
	store_close(s); /* commits the pending writes */
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	CHECK_EQ_INT(store_last_seq(s, NULL), 2);
	store_close(s);
}

static void test_store_refusals(void)
{
	char path[128], err[512];
	struct store *s = (struct store *)1;

	/* random bytes */
	tmp_path("random.db", path, sizeof path);
	FILE *f = fopen(path, "wb");
	srand(42);
	for (int i = 0; i < 8192; i++)
		fputc(rand() & 0xff, f);
	fclose(f);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), -1);
	CHECK(s == NULL);
	CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, ": not a pentrap store (not an SQLite database)"));

	/* a short text file */
	tmp_path("short.db", path, sizeof path);
	f = fopen(path, "wb");
	fputs("hello\n", f);
	fclose(f);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), -1);
	CHECK(strstr(err, "not a pentrap store") != NULL);

	/* an SQLite database with another schema */
	tmp_path("other.db", path, sizeof path);
	sqlite3 *db;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
				      "INSERT INTO customers (name) VALUES ('x');", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), -1);
	CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, ": not a pentrap store (an SQLite database without"));
	/* and it was not touched */
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	CHECK_EQ_INT(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* a pentrap store of a newer format version */
	tmp_path("future.db", path, sizeof path);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), 0);
	store_close(s);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA user_version = 4", NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), -1);
	CHECK(strstr(err, "store format version 4, this pentrap reads version 3") != NULL);
	/* a store of the first format (no genesis, no checkpoints) is refused, not migrated */
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), -1);
	CHECK(strstr(err, "store format version 1, this pentrap reads version 3 (and migrates version 2)") != NULL);

	/* a directory that does not exist */
	tmp_path("no/such/dir.db", path, sizeof path);
	CHECK_EQ_INT(store_open(path, &s, err, sizeof err), -1);
	CHECK(strncmp(err, path, strlen(path)) == 0);
}

static void test_jsonl(void)
{
	char path[128], err[512], line[4096];
	struct record_sink sink;
	struct record r1, r2;
	tmp_path("out.jsonl", path, sizeof path);
	CHECK_EQ_INT(jsonl_sink_open(path, &sink, err, sizeof err), 0);
	CHECK_EQ_STR(sink.ops->name, "jsonl");
	make_record(&r1, 1, T0, "+15551234567", "+15551234567", "+19995550000");
	make_record(&r2, 2, T0 + 1, "+15551234567", "+19995550000", "+15551234567");
	strcpy(r2.call_id, "line\nbreak");
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r1, err, sizeof err), 0);
	CHECK_EQ_INT(sink.ops->write(sink.impl, &r2, err, sizeof err), 0);
	CHECK_EQ_INT(sink.ops->flush(sink.impl, err, sizeof err), 0);
	sink.ops->close(sink.impl);

	FILE *f = fopen(path, "r");
	char *want;
	CHECK(fgets(line, sizeof line, f) != NULL);
	want = to_json(&r1);
	CHECK(strncmp(line, want, strlen(want)) == 0 && strcmp(line + strlen(want), "\n") == 0);
	free(want);
	CHECK(fgets(line, sizeof line, f) != NULL);
	want = to_json(&r2);
	CHECK(strncmp(line, want, strlen(want)) == 0 && strcmp(line + strlen(want), "\n") == 0);
	free(want);
	CHECK(fgets(line, sizeof line, f) == NULL);
	fclose(f);

	tmp_path("no/such/out.jsonl", path, sizeof path);
	CHECK_EQ_INT(jsonl_sink_open(path, &sink, err, sizeof err), -1);
	CHECK(strstr(err, ": cannot open: No such file or directory") != NULL);

	/* "-" is standard output, which close leaves open */
	CHECK_EQ_INT(jsonl_sink_open("-", &sink, err, sizeof err), 0);
	CHECK(sink.impl != NULL);
	sink.ops->close(sink.impl);
	CHECK(fflush(stdout) == 0);
}

static void cleanup(void)
{
	static const char *const names[] = { "records.db", "records.db-wal", "records.db-shm", "ip.db",
					     "ip.db-wal", "ip.db-shm", "random.db", "short.db", "other.db",
					     "future.db", "future.db-wal", "future.db-shm", "out.jsonl", "v2.db",
					     "v2.db-wal", "v2.db-shm" };
	char path[128];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(tmp_path(names[i], path, sizeof path));
	rmdir(tmpdir);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pentrap-test-store-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_json_escape();
	test_record_json();
	test_store();
	test_store_ip_query();
	test_store_v2();
	test_store_refusals();
	test_jsonl();
	cleanup();
	return check_done("test_store");
}
