/*
 * message.c — pentrap's messages on the broker, written and read (message.h).
 *
 * Bodies are JSON written with record/json.h and read back with record/json_read.h:
 *   pentrap.records     the records' canonical lines, each ended by '\n'
 *   pentrap.run         {"id":N,"status":..,"order_id":..,"order_file":..,"order_sha256":..,
 *                        "captures":"<the custody's JSON array, as a string>","sigs_version":..,
 *                        "software_version":..,"sensor_id":..,"key_id":..,"note":..,"resumes":N,
 *                        "started_us":N,"ended_us":N,"first_seq":N,"last_seq":N,
 *                        "summary":"<JSON object, as a string>","exit_status":N}
 *   pentrap.checkpoint  {"id":N,"run_id":N,"seq":N,"count":N,"time_us":N,"hash":..,"custody":..,
 *                        "final":true|false,"exit_status":N,"summary":..,"key_id":..,"signature":..}
 *   pentrap.key         {"key_id":..,"pem":..}
 *   pentrap.bindings    identity bindings (broker/binding.h), one JSON object a line
 * Texts the custody hash covers travel as strings, so they arrive byte for byte.
 */
#include "broker/message.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memtext.h"
#include "record/json.h"
#include "record/json_read.h"
#include "record/sign.h"

enum { RUN_TOKENS = 64, CP_TOKENS = 32, KEY_TOKENS = 8 };

static const char *const type_names[MSG__KINDS] = {
	"pentrap.records", "pentrap.run", "pentrap.checkpoint", "pentrap.key", "pentrap.bindings",
};

const char *message_type_name(enum message_kind k)
{
	return (unsigned)k < MSG__KINDS ? type_names[k] : "?";
}

const char *message_refusal_name(enum message_refusal r)
{
	static const char *const names[REFUSE__KINDS] = {
		"", "not a pentrap message", "malformed", "hash mismatch", "sensor id reused", "conflicting record",
	};
	return (unsigned)r < REFUSE__KINDS ? names[r] : "?";
}

/* --- writing --- */

char *message_run_body(const struct run_info *ri, size_t *len)
{
	struct memtext mt;
	FILE *f = memtext_open(&mt);
	if (!f)
		return NULL;
	fprintf(f, "{\"id\":%" PRIu64, ri->id);
	json_write_member(f, ",", "status", ri->status);
	json_write_member(f, ",", "order_id", ri->order_id);
	json_write_member(f, ",", "order_file", ri->order_file);
	json_write_member(f, ",", "order_sha256", ri->order_sha256);
	json_write_member(f, ",", "captures", ri->captures);
	json_write_member(f, ",", "sigs_version", ri->sigs_version);
	json_write_member(f, ",", "software_version", ri->software_version);
	json_write_member(f, ",", "sensor_id", ri->sensor_id);
	json_write_member(f, ",", "key_id", ri->key_id);
	json_write_member(f, ",", "note", ri->note);
	fprintf(f, ",\"resumes\":%" PRIu64 ",\"started_us\":%" PRIu64 ",\"ended_us\":%" PRIu64 ",\"first_seq\":%" PRIu64
		   ",\"last_seq\":%" PRIu64,
		ri->resumes, ri->started_us, ri->ended_us, ri->first_seq, ri->last_seq);
	json_write_member(f, ",", "summary", ri->summary_json);
	fprintf(f, ",\"exit_status\":%d}", ri->exit_status);
	return memtext_close(&mt, len);
}

char *message_checkpoint_body(const struct checkpoint *cp, size_t *len)
{
	struct memtext mt;
	FILE *f = memtext_open(&mt);
	if (!f)
		return NULL;
	fprintf(f, "{\"id\":%" PRIu64 ",\"run_id\":%" PRIu64 ",\"seq\":%" PRIu64 ",\"count\":%" PRIu64 ",\"time_us\":%" PRIu64,
		cp->id, cp->run_id, cp->seq, cp->count, cp->time_us);
	json_write_member(f, ",", "hash", cp->hash);
	json_write_member(f, ",", "custody", cp->custody);
	fprintf(f, ",\"final\":%s,\"exit_status\":%d", cp->final ? "true" : "false", cp->exit_status);
	json_write_member(f, ",", "summary", cp->summary);
	json_write_member(f, ",", "key_id", cp->key_id);
	json_write_member(f, ",", "signature", cp->sig);
	fputc('}', f);
	return memtext_close(&mt, len);
}

char *message_key_body(const char *key_id, const char *pem, size_t *len)
{
	struct memtext mt;
	FILE *f = memtext_open(&mt);
	if (!f)
		return NULL;
	json_write_member(f, "{", "key_id", key_id);
	json_write_member(f, ",", "pem", pem);
	fputc('}', f);
	return memtext_close(&mt, len);
}

size_t message_headers(enum message_kind k, const struct message_origin *o, uint64_t run, uint64_t first_seq,
		       uint64_t count, struct message_header *h)
{
	size_t n = 0;
	h[n++] = (struct message_header){ .key = "pentrap-format", .num = MESSAGE_FORMAT };
	h[n++] = (struct message_header){ .key = "sensor", .text = o->sensor, .text_len = strlen(o->sensor) };
	if (k == MSG_BINDINGS)
		return n;
	h[n++] = (struct message_header){ .key = "key", .text = o->key_id, .text_len = strlen(o->key_id) };
	const struct chain_genesis *g = &o->genesis;
	h[n++] = (struct message_header){ .key = "genesis", .text = g->hash, .text_len = strlen(g->hash) };
	h[n++] = (struct message_header){ .key = "genesis-order", .text = g->order_id, .text_len = strlen(g->order_id) };
	h[n++] = (struct message_header){ .key = "genesis-order-sha256", .text = g->order_sha256,
					  .text_len = strlen(g->order_sha256) };
	h[n++] = (struct message_header){ .key = "genesis-sensor", .text = g->sensor, .text_len = strlen(g->sensor) };
	h[n++] = (struct message_header){ .key = "genesis-created", .num = (int64_t)g->created_us };
	if (k == MSG_RECORDS) {
		h[n++] = (struct message_header){ .key = "run", .num = (int64_t)run };
		h[n++] = (struct message_header){ .key = "first-seq", .num = (int64_t)first_seq };
		h[n++] = (struct message_header){ .key = "count", .num = (int64_t)count };
	}
	return n;
}

/* --- reading --- */

static const struct message_header *header(const struct message_in *m, const char *key)
{
	for (size_t i = 0; i < m->nheaders; i++)
		if (m->headers[i].key && strcmp(m->headers[i].key, key) == 0)
			return &m->headers[i];
	return NULL;
}

/* A text header into out (1..outlen-1 bytes, no NUL, printable); false otherwise. */
static bool header_text(const struct message_in *m, const char *key, char *out, size_t outlen, bool may_be_empty)
{
	const struct message_header *h = header(m, key);
	if (!h || !h->text || h->text_len >= outlen || (!may_be_empty && h->text_len == 0))
		return false;
	for (size_t i = 0; i < h->text_len; i++)
		if ((unsigned char)h->text[i] < 0x20 || h->text[i] == 0x7f)
			return false;
	memcpy(out, h->text, h->text_len);
	out[h->text_len] = '\0';
	return true;
}

static bool header_num(const struct message_in *m, const char *key, uint64_t *v)
{
	const struct message_header *h = header(m, key);
	if (!h || h->text || h->num < 0)
		return false;
	*v = (uint64_t)h->num;
	return true;
}

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static enum message_refusal refuse(enum message_refusal r, char *why, size_t whylen, const char *what)
{
	if (whylen)
		snprintf(why, whylen, "%s", what);
	return r;
}

/* The sender and its chain; the genesis must hash to the hash it claims. */
static enum message_refusal read_origin(const struct message_in *m, enum message_kind k, struct message_origin *o,
					char *why, size_t whylen)
{
	if (!header_text(m, "sensor", o->sensor, sizeof o->sensor, false))
		return refuse(REFUSE_MALFORMED, why, whylen, "no sensor header");
	if (k == MSG_BINDINGS)
		return REFUSE_NONE;
	struct chain_genesis *g = &o->genesis;
	char want[HASH_HEX_LEN];
	if (!header_text(m, "key", o->key_id, sizeof o->key_id, false) || !is_hex64(o->key_id))
		return refuse(REFUSE_MALFORMED, why, whylen, "no key header");
	if (!header_text(m, "genesis", g->hash, sizeof g->hash, false) || !is_hex64(g->hash) ||
	    !header_text(m, "genesis-order", g->order_id, sizeof g->order_id, true) ||
	    !header_text(m, "genesis-order-sha256", g->order_sha256, sizeof g->order_sha256, true) ||
	    !header_text(m, "genesis-sensor", g->sensor, sizeof g->sensor, true) ||
	    !header_num(m, "genesis-created", &g->created_us))
		return refuse(REFUSE_MALFORMED, why, whylen, "no genesis headers");
	snprintf(want, sizeof want, "%s", g->hash);
	chain_genesis_hash(g);
	if (strcmp(want, g->hash) != 0)
		return refuse(REFUSE_MALFORMED, why, whylen, "the genesis headers do not hash to the genesis");
	return REFUSE_NONE;
}

/* Copies the body with a NUL after it (lines and JSON are read in place). */
static bool copy_body(const struct message_in *m, struct message_decoded *d)
{
	d->body_copy = malloc(m->body_len + 1);
	if (!d->body_copy)
		return false;
	if (m->body_len)
		memcpy(d->body_copy, m->body, m->body_len);
	d->body_copy[m->body_len] = '\0';
	return true;
}

/* Splits the body copy into lines ended by '\n' (each one's '\n' becomes NUL). */
static size_t split_lines(char *body, size_t len, char **lines, size_t max, bool *too_many, bool *unterminated)
{
	size_t n = 0, start = 0;
	*too_many = *unterminated = false;
	for (size_t i = 0; i < len; i++) {
		if (body[i] != '\n')
			continue;
		if (n == max) {
			*too_many = true;
			return n;
		}
		body[i] = '\0';
		lines[n++] = body + start;
		start = i + 1;
	}
	*unterminated = start != len;
	return n;
}

static enum message_refusal decode_records(const struct message_in *m, struct message_decoded *d, char *why,
					   size_t whylen)
{
	uint64_t run, first, count;
	bool too_many, unterminated;
	if (!header_num(m, "run", &run) || run == 0 || !header_num(m, "first-seq", &first) || first == 0 ||
	    !header_num(m, "count", &count) || count == 0 || count > MESSAGE_MAX_RECORDS)
		return refuse(REFUSE_MALFORMED, why, whylen, "no run, first-seq or count header");
	d->records = calloc(MESSAGE_MAX_RECORDS, sizeof *d->records);
	if (!d->records || !copy_body(m, d))
		return refuse(REFUSE_MALFORMED, why, whylen, "out of memory");
	size_t n = split_lines(d->body_copy, m->body_len, d->lines, MESSAGE_MAX_RECORDS, &too_many, &unterminated);
	if (too_many || unterminated || n != count)
		return refuse(REFUSE_MALFORMED, why, whylen, "the body is not count record lines");
	for (size_t i = 0; i < n; i++) {
		struct record *r = &d->records[i];
		char line_why[128], h[HASH_HEX_LEN];
		if (record_from_line(d->lines[i], strlen(d->lines[i]), r, line_why, sizeof line_why) != 0) {
			if (whylen)
				snprintf(why, whylen, "record line %zu: %s", i + 1, line_why);
			return REFUSE_MALFORMED;
		}
		if (r->seq != first + i)
			return refuse(REFUSE_MALFORMED, why, whylen, "the records' seqs do not follow first-seq");
		chain_hash_line(d->lines[i], strlen(d->lines[i]), r, h);
		if (strcmp(h, r->hash) != 0) {
			if (whylen)
				snprintf(why, whylen, "record seq %" PRIu64 ": its line does not hash to its hash", r->seq);
			return REFUSE_HASH;
		}
	}
	d->item.kind = STORE_IN_RECORDS;
	d->item.run_id = run;
	d->item.records = d->records;
	d->item.lines = (const char *const *)d->lines;
	d->item.nrecords = n;
	return REFUSE_NONE;
}

/* The body as one JSON object: its tokens into tok. */
static bool parse_object(const struct message_in *m, struct message_decoded *d, struct json_token *tok, size_t max,
			 struct json_doc *doc)
{
	if (!copy_body(m, d))
		return false;
	long n = json_parse(d->body_copy, m->body_len, tok, max, doc);
	return n > 0 && tok[0].type == JSON_OBJECT;
}

static bool get_u64(const struct json_doc *doc, const char *key, uint64_t *v)
{
	long i = json_get(doc, 0, key);
	return i >= 0 && json_u64(doc, (size_t)i, v) == 0;
}

/* A string member, newly allocated (NULs inside refused); NULL when absent or not a string. */
static char *get_dup(const struct json_doc *doc, const char *key)
{
	long i = json_get(doc, 0, key);
	long n = i >= 0 ? json_string(doc, (size_t)i, NULL, 0) : -1;
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s && (json_string(doc, (size_t)i, s, (size_t)n + 1) != n || strlen(s) != (size_t)n)) {
		free(s);
		s = NULL;
	}
	return s;
}

static bool get_text(const struct json_doc *doc, const char *key, char *out, size_t outlen)
{
	long i = json_get(doc, 0, key);
	long n = i >= 0 ? json_string(doc, (size_t)i, out, outlen) : -1;
	return n >= 0 && (size_t)n < outlen && strlen(out) == (size_t)n;
}

static enum message_refusal decode_run(const struct message_in *m, struct message_decoded *d, char *why,
				       size_t whylen)
{
	struct json_token tok[RUN_TOKENS];
	struct json_doc doc;
	static const char *const keys[11] = { "status", "order_id", "order_file", "order_sha256",
					      "captures", "sigs_version", "software_version", "sensor_id",
					      "key_id", "note", "summary" };
	struct run_info *ri = &d->run;
	uint64_t exit_status;
	if (!parse_object(m, d, tok, RUN_TOKENS, &doc))
		return refuse(REFUSE_MALFORMED, why, whylen, "the run is not a JSON object");
	for (int k = 0; k < 11; k++)
		if (!(d->run_strings[k] = get_dup(&doc, keys[k])))
			return refuse(REFUSE_MALFORMED, why, whylen, "a field of the run is missing");
	if (!get_u64(&doc, "id", &ri->id) || ri->id == 0 || !get_u64(&doc, "resumes", &ri->resumes) ||
	    !get_u64(&doc, "started_us", &ri->started_us) || !get_u64(&doc, "ended_us", &ri->ended_us) ||
	    !get_u64(&doc, "first_seq", &ri->first_seq) || !get_u64(&doc, "last_seq", &ri->last_seq) ||
	    !get_u64(&doc, "exit_status", &exit_status) || exit_status > 255)
		return refuse(REFUSE_MALFORMED, why, whylen, "a number of the run is missing");
	ri->status = d->run_strings[0];
	ri->order_id = d->run_strings[1];
	ri->order_file = d->run_strings[2];
	ri->order_sha256 = d->run_strings[3];
	ri->captures = d->run_strings[4];
	ri->sigs_version = d->run_strings[5];
	ri->software_version = d->run_strings[6];
	ri->sensor_id = d->run_strings[7];
	ri->key_id = d->run_strings[8];
	ri->note = d->run_strings[9];
	ri->summary_json = d->run_strings[10];
	ri->exit_status = (int)exit_status;
	if (strcmp(ri->status, "running") != 0 && strcmp(ri->status, "ended") != 0)
		return refuse(REFUSE_MALFORMED, why, whylen, "the run's status is neither running nor ended");
	d->item.kind = STORE_IN_RUN;
	d->item.run = ri;
	return REFUSE_NONE;
}

static enum message_refusal decode_checkpoint(const struct message_in *m, struct message_decoded *d, char *why,
					      size_t whylen)
{
	struct json_token tok[CP_TOKENS];
	struct json_doc doc;
	struct checkpoint *cp = &d->cp;
	uint64_t exit_status;
	if (!parse_object(m, d, tok, CP_TOKENS, &doc))
		return refuse(REFUSE_MALFORMED, why, whylen, "the checkpoint is not a JSON object");
	long fin = json_get(&doc, 0, "final");
	if (!get_u64(&doc, "id", &cp->id) || cp->id == 0 || !get_u64(&doc, "run_id", &cp->run_id) ||
	    !get_u64(&doc, "seq", &cp->seq) || !get_u64(&doc, "count", &cp->count) ||
	    !get_u64(&doc, "time_us", &cp->time_us) || !get_u64(&doc, "exit_status", &exit_status) ||
	    exit_status > 255 || fin < 0 || (tok[fin].type != JSON_TRUE && tok[fin].type != JSON_FALSE) ||
	    !get_text(&doc, "hash", cp->hash, sizeof cp->hash) ||
	    !get_text(&doc, "custody", cp->custody, sizeof cp->custody) ||
	    !get_text(&doc, "summary", cp->summary, sizeof cp->summary) ||
	    !get_text(&doc, "key_id", cp->key_id, sizeof cp->key_id) ||
	    !get_text(&doc, "signature", cp->sig, sizeof cp->sig))
		return refuse(REFUSE_MALFORMED, why, whylen, "a field of the checkpoint is missing or too long");
	cp->final = tok[fin].type == JSON_TRUE;
	cp->exit_status = (int)exit_status;
	d->item.kind = STORE_IN_CHECKPOINT;
	d->item.cp = cp;
	return REFUSE_NONE;
}

static enum message_refusal decode_key(const struct message_in *m, struct message_decoded *d, char *why,
				       size_t whylen)
{
	struct json_token tok[KEY_TOKENS];
	struct json_doc doc;
	char key_id[SIGN_KEY_ID_LEN], id[SIGN_KEY_ID_LEN], err[128];
	struct sign_key *k = NULL;
	if (!parse_object(m, d, tok, KEY_TOKENS, &doc) || !get_text(&doc, "key_id", key_id, sizeof key_id) ||
	    !(d->pem = get_dup(&doc, "pem")))
		return refuse(REFUSE_MALFORMED, why, whylen, "the key is not a JSON object with key_id and pem");
	if (sign_key_from_public_pem(d->pem, &k, err, sizeof err) != 0)
		return refuse(REFUSE_MALFORMED, why, whylen, "the key is not an Ed25519 public key");
	sign_key_id(k, id);
	sign_key_free(k);
	if (strcmp(id, key_id) != 0)
		return refuse(REFUSE_MALFORMED, why, whylen, "the key is not the key its id names");
	d->item.kind = STORE_IN_KEY;
	d->item.key_pem = d->pem;
	/* the key it carries may be an earlier one of the sensor's, not the one it signs with now */
	snprintf(d->cp.key_id, sizeof d->cp.key_id, "%s", key_id);
	d->item.new_key_id = d->cp.key_id;
	return REFUSE_NONE;
}

static enum message_refusal decode_bindings(const struct message_in *m, struct message_decoded *d, char *why,
					    size_t whylen)
{
	bool too_many, unterminated;
	if (!copy_body(m, d))
		return refuse(REFUSE_MALFORMED, why, whylen, "out of memory");
	d->nbindings = split_lines(d->body_copy, m->body_len, d->bindings, MESSAGE_MAX_BINDINGS, &too_many,
				   &unterminated);
	if (too_many || unterminated || d->nbindings == 0)
		return refuse(REFUSE_MALFORMED, why, whylen, "the body is not lines of bindings");
	return REFUSE_NONE;
}

enum message_refusal message_decode(const struct message_in *m, struct message_decoded *d, char *why,
				    size_t whylen)
{
	memset(d, 0, sizeof *d);
	if (whylen)
		why[0] = '\0';
	int kind = -1;
	for (int k = 0; k < MSG__KINDS && m->type; k++)
		if (m->type_len == strlen(type_names[k]) && memcmp(m->type, type_names[k], m->type_len) == 0)
			kind = k;
	uint64_t format;
	if (kind < 0 || !header_num(m, "pentrap-format", &format))
		return refuse(REFUSE_NOT_PENTRAP, why, whylen, "no pentrap type and format header");
	if (format != MESSAGE_FORMAT)
		return refuse(REFUSE_MALFORMED, why, whylen, "another pentrap message format");
	if (m->body_len > MESSAGE_MAX_BODY)
		return refuse(REFUSE_MALFORMED, why, whylen, "the body is larger than pentrap writes");
	d->kind = (enum message_kind)kind;
	enum message_refusal r = read_origin(m, d->kind, &d->origin, why, whylen);
	if (r != REFUSE_NONE)
		return r;
	d->item.sensor = d->origin.sensor;
	d->item.key_id = d->origin.key_id;
	d->item.genesis = &d->origin.genesis;
	switch (d->kind) {
	case MSG_RECORDS:
		return decode_records(m, d, why, whylen);
	case MSG_RUN:
		return decode_run(m, d, why, whylen);
	case MSG_CHECKPOINT:
		return decode_checkpoint(m, d, why, whylen);
	case MSG_KEY:
		return decode_key(m, d, why, whylen);
	case MSG_BINDINGS:
		return decode_bindings(m, d, why, whylen);
	default:
		return refuse(REFUSE_NOT_PENTRAP, why, whylen, "unknown type");
	}
}

void message_decoded_fini(struct message_decoded *d)
{
	free(d->records);
	free(d->body_copy);
	for (int k = 0; k < 11; k++)
		free(d->run_strings[k]);
	free(d->pem);
	memset(d, 0, sizeof *d);
}
