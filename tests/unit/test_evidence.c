/*
 * test_evidence.c — keys and signatures, the genesis, checkpoint texts, a sealed writer
 * into a store (records committed only with their checkpoint), resuming, and verify on a
 * good store and on a few edits (the full tamper matrix is tests/scripts/test_tamper.sh).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/sha256file.h"
#include "record/chain.h"
#include "record/sign.h"
#include "record/store.h"
#include "record/verify.h"
#include "record/writer.h"

static char tmpdir[64];

static void make_record(struct record *r, int i)
{
	memset(r, 0, sizeof *r);
	r->ts_us = 1700000000000000ull + (uint64_t)i * 1000;
	r->type = EV_CALL_ATTEMPT;
	strcpy(r->order, "O-1");
	strcpy(r->target, "+15551234567");
	strcpy(r->direction, "out");
	strcpy(r->from, "+15551234567");
	snprintf(r->to, sizeof r->to, "+1555000%04d", i);
	strcpy(r->protocol, "sip");
	r->duration_us = -1;
	strcpy(r->evidence, "{\"capture\":\"ab\",\"frames\":[1]}");
}

static void test_keys(void)
{
	char err[256], id[SIGN_KEY_ID_LEN], id2[SIGN_KEY_ID_LEN], sig[SIGN_SIG_HEX_LEN], path[128], pub[128];
	struct sign_key *k = sign_key_generate(), *k2 = NULL, *p = NULL;
	CHECK(k != NULL);
	if (!k)
		return;
	sign_key_id(k, id);
	CHECK_EQ_INT((int)strlen(id), 64);
	CHECK_EQ_INT(sign_message(k, "hello", 5, sig), 0);
	CHECK_EQ_INT((int)strlen(sig), 128);
	CHECK(sign_verify(k, "hello", 5, sig));
	CHECK(!sign_verify(k, "hellO", 5, sig));
	snprintf(path, sizeof path, "%s/k.key", tmpdir);
	snprintf(pub, sizeof pub, "%s/k.pub", tmpdir);
	CHECK_EQ_INT(sign_key_save(k, path, pub, err, sizeof err), 0);
	CHECK_EQ_INT(sign_key_save(k, path, NULL, err, sizeof err), -1); /* never overwritten */
	CHECK(strstr(err, "already exists") != NULL);
	CHECK_EQ_INT(sign_key_load_private(path, &k2, err, sizeof err), 0);
	CHECK_EQ_INT(sign_key_load_public(pub, &p, err, sizeof err), 0);
	if (k2 && p) {
		sign_key_id(p, id2);
		CHECK_EQ_STR(id2, id);
		CHECK(sign_verify(p, "hello", 5, sig));
		CHECK(!sign_key_has_private(p));
		CHECK_EQ_INT(sign_message(p, "x", 1, sig), -1); /* a public key cannot sign */
	}
	sign_key_free(k2);
	k2 = NULL;
	CHECK_EQ_INT(sign_key_load_private(pub, &k2, err, sizeof err), -1); /* a public key is not a private one */
	CHECK(k2 == NULL);
	sign_key_free(k);
	sign_key_free(p);
	sign_key_free(NULL);
}

static void test_genesis_and_texts(void)
{
	struct chain_genesis g = { .order_id = "O-1", .order_sha256 = "aa", .sensor = "s1", .created_us = 1 };
	chain_genesis_hash(&g);
	/* the genesis is SHA-256 of its documented JSON text (docs/evidence.md) */
	const char text[] = "{\"genesis\":1,\"order\":\"O-1\",\"order_sha256\":\"aa\",\"sensor\":\"s1\","
			    "\"created\":\"1970-01-01T00:00:00.000001Z\"}";
	char want[HASH_HEX_LEN];
	chain_sha256_hex(text, strlen(text), want);
	CHECK_EQ_STR(g.hash, want);
	struct checkpoint cp = { .run_id = 2, .seq = 3, .count = 3, .time_us = 1, .final = true, .exit_status = 0 };
	strcpy(cp.hash, "bb");
	strcpy(cp.custody, "cc");
	strcpy(cp.summary, "dd");
	size_t len;
	char *t = chain_checkpoint_text(&cp, g.hash, &len);
	char expect[512];
	snprintf(expect, sizeof expect,
		 "{\"checkpoint\":1,\"genesis\":\"%s\",\"run\":2,\"custody\":\"cc\",\"seq\":3,\"hash\":\"bb\",\"count\":3,"
		 "\"time\":\"1970-01-01T00:00:00.000001Z\",\"final\":true,\"exit_status\":0,\"summary\":\"dd\"}",
		 g.hash);
	CHECK_EQ_STR(t, expect);
	free(t);
}

struct lines {
	int problems, notes;
	char first[512];
};

static void on_line(void *ud, bool problem, const char *line)
{
	struct lines *l = ud;
	if (problem && !l->problems++)
		snprintf(l->first, sizeof l->first, "%s", line);
	if (!problem)
		l->notes++;
}

static int verify_path(const char *path, struct lines *l, struct verify_result *res)
{
	struct store *s = NULL;
	char err[256];
	struct verify_options opt = { 0 };
	memset(l, 0, sizeof *l);
	if (store_open_readonly(path, &s, err, sizeof err) != 0)
		return -1;
	int rc = verify_store(s, &opt, on_line, l, res, err, sizeof err);
	store_close(s);
	return rc;
}

/* A sealed writer into a new store: n records, a checkpoint every `every`, a final one. */
static int write_store(const char *path, struct sign_key *k, int n, int every, bool finish)
{
	struct store *s = NULL;
	char err[256];
	if (store_open(path, &s, err, sizeof err) != 0)
		return -1;
	struct chain_genesis g = { .order_id = "O-1", .order_sha256 = "aa", .sensor = "s1", .created_us = 5 };
	chain_genesis_hash(&g);
	char id[SIGN_KEY_ID_LEN];
	sign_key_id(k, id);
	char *pem = sign_key_public_pem(k);
	int rc = store_set_genesis(s, &g, err, sizeof err) | store_add_key(s, id, pem, err, sizeof err);
	free(pem);
	struct run_info ri = { .order_id = "O-1", .captures = "[]", .key_id = id, .started_us = 5, .first_seq = 1 };
	rc |= store_begin_run(s, &ri, err, sizeof err);
	char custody[HASH_HEX_LEN];
	chain_custody_hash(&ri, custody);
	struct record_writer w;
	writer_init(&w, 1, g.hash);
	writer_add_sink(&w, store_sink(s));
	struct writer_seal seal = { .key = k, .genesis = g.hash, .run_id = ri.id, .custody = custody,
				    .every = (uint64_t)every };
	writer_seal(&w, &seal);
	for (int i = 1; i <= n; i++) {
		struct record r;
		make_record(&r, i);
		rc |= writer_write(&w, &r);
	}
	if (finish)
		rc |= writer_finish(&w, 9, 0, "{}");
	writer_close(&w);
	store_close(s);
	return rc;
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
}

static void test_sealed_store(void)
{
	char path[128], path2[128];
	struct lines l;
	struct verify_result res;
	struct sign_key *k = sign_key_generate();
	snprintf(path, sizeof path, "%s/sealed.db", tmpdir);
	CHECK_EQ_INT(write_store(path, k, 10, 4, true), 0);
	CHECK_EQ_INT(verify_path(path, &l, &res), 0);
	CHECK_EQ_INT((int)res.problems, 0);
	CHECK_EQ_INT((int)res.records, 10);
	CHECK_EQ_INT((int)res.checkpoints, 3); /* at 4, 8, and the final one at 10 */
	CHECK_EQ_INT((int)res.signatures_good, 3);
	CHECK_EQ_INT((int)res.last_cp.seq, 10);
	if (l.problems)
		fprintf(stderr, "  %s\n", l.first);

	/* not finished (a crash): only the records a checkpoint covers were committed */
	snprintf(path2, sizeof path2, "%s/crashed.db", tmpdir);
	CHECK_EQ_INT(write_store(path2, k, 10, 4, false), 0);
	CHECK_EQ_INT(verify_path(path2, &l, &res), 0);
	CHECK_EQ_INT((int)res.problems, 0);
	CHECK_EQ_INT((int)res.records, 8);
	CHECK_EQ_INT(l.notes, 1); /* run 1: interrupted */

	exec_sql(path, "UPDATE records SET to_party = '+19999999999' WHERE seq = 3");
	CHECK_EQ_INT(verify_path(path, &l, &res), 0);
	CHECK_EQ_INT(l.problems, 1);
	CHECK_EQ_STR(l.first, "record 3: edited: its fields do not hash to its stored hash");
	exec_sql(path, "DELETE FROM records WHERE seq = 3");
	CHECK_EQ_INT(verify_path(path, &l, &res), 0);
	CHECK_EQ_STR(l.first, "record 3: deleted (seq jumps from 2 to 4)");
	exec_sql(path, "DELETE FROM records WHERE seq > 6");
	CHECK_EQ_INT(verify_path(path, &l, &res), 0);
	CHECK_EQ_INT(l.problems, 2);
	sign_key_free(k);
}

/* The custody hash of a capture (sha256_file, read in blocks) is the hash of its bytes:
 * a file across several blocks and a partial last one, an empty file, a missing file. */
static void test_file_hash(void)
{
	enum { SIZE = (5 << 19) + 1234 }; /* 2.5 MiB and a bit: two whole 1 MiB blocks and a part */
	unsigned char *bytes = malloc(SIZE);
	CHECK(bytes != NULL);
	if (!bytes)
		return;
	for (size_t i = 0; i < SIZE; i++)
		bytes[i] = (unsigned char)(i * 2654435761u >> 13);
	char path[128], want[65], got[65] = "";
	uint64_t size = 0;
	snprintf(path, sizeof path, "%s/capture.bin", tmpdir);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(bytes, 1, SIZE, f) == SIZE);
	if (f)
		fclose(f);
	sha256_hex(bytes, SIZE, want);
	CHECK_EQ_INT(sha256_file(path, got, &size), 0);
	CHECK_EQ_STR(got, want);
	CHECK_EQ_INT(size, SIZE);
	f = fopen(path, "wb");
	if (f)
		fclose(f);
	CHECK_EQ_INT(sha256_file(path, got, &size), 0);
	CHECK_EQ_STR(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_EQ_INT(size, 0);
	snprintf(path, sizeof path, "%s/no-such-capture", tmpdir);
	CHECK_EQ_INT(sha256_file(path, got, &size), -1);
	free(bytes);
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pentrap-test-evidence-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_keys();
	test_genesis_and_texts();
	test_sealed_store();
	test_file_hash();
	cleanup();
	return check_done("test_evidence");
}
