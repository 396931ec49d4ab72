/*
 * chain.c — the hash chain, the genesis, checkpoint texts and the custody hash
 * (docs/evidence.md).
 *
 * A record's hash is SHA-256 over record_write_json's output with hash empty: fixed
 * field order, fixed number formats, so the same record always hashes the same; its
 * prev_hash (inside that text) links it to the record before, or to the genesis.
 * Checkpoints are Ed25519 signatures (sign.c) over a JSON text that names the store's
 * genesis, so a checkpoint cannot be moved to another store signed by the same key.
 */
#include "record/chain.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memtext.h"
#include "core/sha256file.h"
#include "core/timefmt.h"
#include "record/json.h"
#include "record/store.h"

void chain_sha256_hex(const void *data, size_t len, char out[HASH_HEX_LEN])
{
	sha256_hex(data, len, out);
}

/* Hashes what write() puts into a memory stream. */
static void hash_text(void (*write)(FILE *, const void *), const void *arg, char out[HASH_HEX_LEN])
{
	struct memtext mt;
	FILE *mem = memtext_open(&mt);
	out[0] = '\0';
	if (!mem)
		return;
	write(mem, arg);
	size_t len = 0;
	char *buf = memtext_close(&mt, &len);
	if (buf)
		chain_sha256_hex(buf, len, out);
	free(buf);
}

static void write_record(FILE *f, const void *arg)
{
	struct record canon = *(const struct record *)arg;
	canon.hash[0] = '\0';
	record_write_json(&canon, f);
}

void chain_hash_record(const struct record *r, char out[HASH_HEX_LEN])
{
	hash_text(write_record, r, out);
}

void chain_hash_line(const char *line, size_t len, const struct record *r, char out[HASH_HEX_LEN])
{
	/* a canonical line ends with "hash":"<64 hex>"}, the last field written (record_write_json) */
	static const char tail[] = "\"}";
	size_t hl = strnlen(r->hash, sizeof r->hash), cut = HASH_HEX_LEN - 1 + sizeof tail - 1;
	char text[16384]; /* as long as a record line can be (record_parse.c); longer: written again */
	bool hex = hl == HASH_HEX_LEN - 1 && strspn(r->hash, "0123456789abcdef") == hl;
	if (!hex || len < cut + 8 || len - cut + sizeof tail > sizeof text ||
	    memcmp(line + len - cut - 8, "\"hash\":\"", 8) != 0 || memcmp(line + len - cut, r->hash, hl) != 0 ||
	    memcmp(line + len - sizeof tail + 1, tail, sizeof tail - 1) != 0) {
		chain_hash_record(r, out);
		return;
	}
	memcpy(text, line, len - cut);
	memcpy(text + len - cut, tail, sizeof tail - 1);
	chain_sha256_hex(text, len - cut + sizeof tail - 1, out);
}

static void write_genesis(FILE *f, const void *arg)
{
	const struct chain_genesis *g = arg;
	char ts[TS_STRLEN];
	fputs("{\"genesis\":1,\"order\":", f);
	json_write_stringn(f, g->order_id, strnlen(g->order_id, sizeof g->order_id));
	fputs(",\"order_sha256\":", f);
	json_write_stringn(f, g->order_sha256, strnlen(g->order_sha256, sizeof g->order_sha256));
	fputs(",\"sensor\":", f);
	json_write_stringn(f, g->sensor, strnlen(g->sensor, sizeof g->sensor));
	fprintf(f, ",\"created\":\"%s\"}", ts_format(g->created_us, ts, sizeof ts));
}

void chain_genesis_hash(struct chain_genesis *g)
{
	hash_text(write_genesis, g, g->hash);
}

struct checkpoint_arg {
	const struct checkpoint *cp;
	const char *genesis;
};

static void write_checkpoint(FILE *f, const void *arg)
{
	const struct checkpoint_arg *a = arg;
	const struct checkpoint *cp = a->cp;
	char ts[TS_STRLEN];
	fputs("{\"checkpoint\":1,\"genesis\":", f);
	json_write_string(f, a->genesis);
	fprintf(f, ",\"run\":%" PRIu64 ",\"custody\":", cp->run_id);
	json_write_stringn(f, cp->custody, strnlen(cp->custody, sizeof cp->custody));
	fprintf(f, ",\"seq\":%" PRIu64 ",\"hash\":", cp->seq);
	json_write_stringn(f, cp->hash, strnlen(cp->hash, sizeof cp->hash));
	fprintf(f, ",\"count\":%" PRIu64 ",\"time\":\"%s\",\"final\":%s,\"exit_status\":%d,\"summary\":", cp->count,
		ts_format(cp->time_us, ts, sizeof ts), cp->final ? "true" : "false", cp->exit_status);
	json_write_stringn(f, cp->summary, strnlen(cp->summary, sizeof cp->summary));
	fputc('}', f);
}

char *chain_checkpoint_text(const struct checkpoint *cp, const char *genesis, size_t *len)
{
	struct checkpoint_arg a = { cp, genesis ? genesis : "" };
	struct memtext mt;
	FILE *mem = memtext_open(&mt);
	if (!mem)
		return NULL;
	write_checkpoint(mem, &a);
	return memtext_close(&mt, len);
}

int chain_checkpoint_sign(struct checkpoint *cp, const char *genesis, const struct sign_key *key)
{
	size_t len = 0;
	char *text = chain_checkpoint_text(cp, genesis, &len);
	if (!text)
		return -1;
	sign_key_id(key, cp->key_id);
	int rc = sign_message(key, text, len, cp->sig);
	free(text);
	return rc;
}

bool chain_checkpoint_verify(const struct checkpoint *cp, const char *genesis, const struct sign_key *key)
{
	size_t len = 0;
	char *text = chain_checkpoint_text(cp, genesis, &len);
	bool ok = text && sign_verify(key, text, len, cp->sig);
	free(text);
	return ok;
}

static void write_custody(FILE *f, const void *arg)
{
	const struct run_info *ri = arg;
	char ts[TS_STRLEN];
	fprintf(f, "{\"run\":%" PRIu64, ri->id);
	json_write_member(f, ",", "order", ri->order_id);
	json_write_member(f, ",", "order_file", ri->order_file);
	json_write_member(f, ",", "order_sha256", ri->order_sha256);
	fprintf(f, ",\"captures\":%s", ri->captures && ri->captures[0] ? ri->captures : "[]");
	json_write_member(f, ",", "sigs_version", ri->sigs_version);
	json_write_member(f, ",", "software_version", ri->software_version);
	json_write_member(f, ",", "sensor", ri->sensor_id);
	json_write_member(f, ",", "key", ri->key_id);
	json_write_member(f, ",", "note", ri->note);
	fprintf(f, ",\"started\":\"%s\",\"first_seq\":%" PRIu64 ",\"resumes\":%" PRIu64 "}",
		ts_format(ri->started_us, ts, sizeof ts), ri->first_seq, ri->resumes);
}

void chain_custody_hash(const struct run_info *ri, char out[HASH_HEX_LEN])
{
	hash_text(write_custody, ri, out);
}
