/*
 * evidence.c — a run's evidence: key, genesis, custody, seal, resume (docs/evidence.md).
 *
 * The key: --key FILE (the sensor's key from `pentrap keygen`), else the store's own key
 * DB.key beside the store, made on the first run. Its public half is kept in the store.
 * A key kept beside the records proves only that they were not changed by accident; the
 * verifier who is given the sensor's public key separately (--pubkey) can tell that
 * nobody rewrote them.
 *
 * Resuming: the interrupted run is the store's last run, still "running". Its captures
 * and order must be the same (their hashes); its committed records are made again and
 * checked against the stored ones (writer_resume), then the run goes on appending.
 */
#include "run/evidence.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The store's own key beside it: "DB.key". */
static int default_key_path(const char *db, char *out, size_t len)
{
	int n = snprintf(out, len, "%s.key", db);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int load_or_make_key(struct evidence *ev, const struct evidence_config *cfg, char *errbuf, size_t errlen)
{
	if (cfg->key_path) {
		snprintf(ev->key_path, sizeof ev->key_path, "%s", cfg->key_path);
		return sign_key_load_private(cfg->key_path, &ev->key, errbuf, errlen) ? EVIDENCE_BAD_INPUT : 0;
	}
	if (default_key_path(cfg->db_path, ev->key_path, sizeof ev->key_path)) {
		snprintf(errbuf, errlen, "%s: path too long", cfg->db_path);
		return EVIDENCE_BAD_INPUT;
	}
	if (access(ev->key_path, F_OK) == 0)
		return sign_key_load_private(ev->key_path, &ev->key, errbuf, errlen) ? EVIDENCE_BAD_INPUT : 0;
	ev->key = sign_key_generate();
	if (!ev->key) {
		snprintf(errbuf, errlen, "cannot make a signing key");
		return 1;
	}
	if (sign_key_save(ev->key, ev->key_path, NULL, errbuf, errlen))
		return 1;
	ev->key_made = true;
	return 0;
}

enum { RESUME_CHAIN_MAX = 4096 }; /* runs remembered to follow a chain of resumes */

struct last_run {
	bool found;
	uint64_t id, first_seq;
	bool running;
	char order_sha256[HASH_HEX_LEN];
	char *captures;
	/* every run's id, first seq and the run it resumes, to find where a chain began */
	uint64_t ids[RESUME_CHAIN_MAX], firsts[RESUME_CHAIN_MAX], resumes[RESUME_CHAIN_MAX];
	size_t n;
};

static int keep_last_run(const struct run_info *ri, void *ud)
{
	struct last_run *lr = ud;
	if (lr->n < RESUME_CHAIN_MAX) {
		lr->ids[lr->n] = ri->id;
		lr->firsts[lr->n] = ri->first_seq;
		lr->resumes[lr->n++] = ri->resumes;
	}
	lr->found = true;
	lr->id = ri->id;
	lr->first_seq = ri->first_seq;
	lr->running = strcmp(ri->status, "running") == 0;
	snprintf(lr->order_sha256, sizeof lr->order_sha256, "%s", ri->order_sha256 ? ri->order_sha256 : "");
	free(lr->captures);
	lr->captures = strdup(ri->captures ? ri->captures : "");
	return lr->captures ? 0 : -1;
}

static int stored_hash(void *ud, uint64_t seq, char out[HASH_HEX_LEN])
{
	return store_record_hash(ud, seq, out);
}

/* Where the records of the interrupted run begin: the start of the run it (or the run
 * it resumed, and so on) first began as. */
static uint64_t chain_start(const struct last_run *lr)
{
	uint64_t id = lr->id, first = lr->first_seq;
	for (size_t hops = 0; hops < lr->n; hops++) {
		size_t i = 0;
		while (i < lr->n && lr->ids[i] != id)
			i++;
		if (i == lr->n)
			break;
		first = lr->firsts[i];
		if (!lr->resumes[i])
			break;
		id = lr->resumes[i];
	}
	return first;
}

/* Finds the interrupted run and sets the writer to check its records again. */
static int prepare_resume(struct evidence *ev, const struct evidence_config *cfg, struct record_writer *w,
			  uint64_t last, char *errbuf, size_t errlen)
{
	struct last_run *lr = calloc(1, sizeof *lr);
	int status = EVIDENCE_BAD_INPUT;
	if (!lr) {
		snprintf(errbuf, errlen, "out of memory");
		return 1;
	}
	if (cfg->stdin_capture) {
		snprintf(errbuf, errlen, "--resume: a run that reads standard input cannot be resumed");
		goto out;
	}
	if (store_each_run(ev->store, keep_last_run, lr, errbuf, errlen) != 0) {
		status = 1;
		goto out;
	}
	if (!lr->found || !lr->running) {
		snprintf(errbuf, errlen, "--resume: %s: no interrupted run to resume (%s)", cfg->db_path,
			 lr->found ? "its last run ended" : "it has no runs");
		goto out;
	}
	if (strcmp(lr->order_sha256, cfg->order->file_sha256) != 0) {
		snprintf(errbuf, errlen, "--resume: %s is not the order of the interrupted run %" PRIu64 " (its hash differs)",
			 cfg->order_path, lr->id);
		goto out;
	}
	if (strcmp(lr->captures, cfg->captures_json) != 0) {
		snprintf(errbuf, errlen, "--resume: the captures are not those of the interrupted run %" PRIu64
			 " (give the same files, named the same way, in the same order)", lr->id);
		goto out;
	}
	uint64_t first = chain_start(lr);
	char prev[HASH_HEX_LEN];
	if (first <= 1)
		snprintf(prev, sizeof prev, "%s", ev->genesis.hash);
	else if (store_record_hash(ev->store, first - 1, prev) != 0) {
		snprintf(errbuf, errlen, "%s: record %" PRIu64 " is missing: verify the store", cfg->db_path, first - 1);
		goto out;
	}
	uint64_t stored = last >= first ? last - first + 1 : 0;
	writer_init(w, first, prev);
	writer_resume(w, stored, stored_hash, ev->store);
	ev->resumed_run = lr->id;
	status = 0;
out:
	free(lr->captures);
	free(lr);
	return status;
}

int evidence_begin(struct evidence *ev, const struct evidence_config *cfg, struct store *store,
		   struct record_writer *w, char *errbuf, size_t errlen)
{
	memset(ev, 0, sizeof *ev);
	ev->store = store;
	if (cfg->sensor_id && cfg->sensor_id[0])
		snprintf(ev->sensor, sizeof ev->sensor, "%s", cfg->sensor_id);
	else if (gethostname(ev->sensor, sizeof ev->sensor - 1) != 0 || !ev->sensor[0])
		snprintf(ev->sensor, sizeof ev->sensor, "unknown");
	int status = load_or_make_key(ev, cfg, errbuf, errlen);
	if (status)
		return status;
	sign_key_id(ev->key, ev->key_id);

	char last_hash[HASH_HEX_LEN];
	uint64_t last = store_last_seq(store, last_hash);
	int has = store_genesis(store, &ev->genesis, errbuf, errlen);
	if (has < 0)
		return 1;
	if (has == 0) {
		if (last != 0) {
			snprintf(errbuf, errlen, "%s: has records but no genesis: not a store this pentrap can continue",
				 cfg->db_path);
			return EVIDENCE_BAD_INPUT;
		}
		snprintf(ev->genesis.order_id, sizeof ev->genesis.order_id, "%s", cfg->order->id);
		snprintf(ev->genesis.order_sha256, sizeof ev->genesis.order_sha256, "%s", cfg->order->file_sha256);
		snprintf(ev->genesis.sensor, sizeof ev->genesis.sensor, "%s", ev->sensor);
		ev->genesis.created_us = cfg->started_us;
		chain_genesis_hash(&ev->genesis);
		if (store_set_genesis(store, &ev->genesis, errbuf, errlen))
			return 1;
	}
	char *pem = sign_key_public_pem(ev->key);
	if (!pem) {
		snprintf(errbuf, errlen, "out of memory");
		return 1;
	}
	int rc = store_add_key(store, ev->key_id, pem, errbuf, errlen);
	free(pem);
	if (rc)
		return 1;

	writer_init(w, last + 1, last ? last_hash : ev->genesis.hash);
	if (cfg->resume && (status = prepare_resume(ev, cfg, w, last, errbuf, errlen)) != 0)
		return status;
	writer_add_sink(w, store_sink(store));

	ev->ri = (struct run_info){
		.order_id = cfg->order->id,
		.order_file = cfg->order_path,
		.order_sha256 = cfg->order->file_sha256,
		.captures = cfg->captures_json,
		.sigs_version = cfg->sigs_version ? cfg->sigs_version : "",
		.software_version = PENTRAP_VERSION,
		.sensor_id = ev->sensor,
		.key_id = ev->key_id,
		.note = cfg->note ? cfg->note : "",
		.resumes = ev->resumed_run,
		.started_us = cfg->started_us,
		.first_seq = last + 1,
	};
	if (store_begin_run(store, &ev->ri, errbuf, errlen))
		return 1;
	chain_custody_hash(&ev->ri, ev->custody);
	struct writer_seal seal = {
		.key = ev->key,
		.genesis = ev->genesis.hash,
		.run_id = ev->ri.id,
		.custody = ev->custody,
		.every = cfg->every,
	};
	writer_seal(w, &seal);
	return 0;
}

int evidence_end(struct evidence *ev, struct record_writer *w, int exit_status, const char *summary_json,
		 uint64_t ended_us)
{
	(void)ev;
	if (w->skip) {
		snprintf(w->error, sizeof w->error,
			 "--resume: the captures gave %llu records fewer than the interrupted run stored: "
			 "these are not its captures and order",
			 (unsigned long long)w->skip);
		w->failed = true;
		w->resume_mismatch = true;
		w->skip = 0;
		return -1; /* no final checkpoint: the interrupted run stays as it was */
	}
	return writer_finish(w, ended_us, exit_status, summary_json);
}

void evidence_print(const struct evidence *ev, const struct record_writer *w, FILE *out)
{
	const struct checkpoint *cp = &w->last_cp;
	if (!cp->sig[0])
		return;
	fprintf(out, "  evidence   run %llu sealed: checkpoint at seq %llu, hash %.16s, key %.16s (%s%s)\n",
		(unsigned long long)ev->ri.id, (unsigned long long)cp->seq, cp->hash, ev->key_id, ev->key_path,
		ev->key_made ? ", made now" : "");
	if (ev->resumed_run)
		fprintf(out, "  resumed    run %llu: %llu stored records made again and found the same\n",
			(unsigned long long)ev->resumed_run, (unsigned long long)w->skipped);
}

void evidence_fini(struct evidence *ev)
{
	sign_key_free(ev->key);
	ev->key = NULL;
}
