/*
 * writer.c — sequence numbers, the chain, checkpoints, and fan-out to the sinks.
 *
 * A sealed writer signs a checkpoint after every `every` records, at each flush and at
 * the end of the run, and hands it to the sinks that keep checkpoints (the store commits
 * it in one transaction with the records it covers). See docs/evidence.md.
 */
#include "record/writer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/test_hook.h"
#include "record/table.h"

static uint64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void writer_init(struct record_writer *w, uint64_t first_seq, const char *prev_hash)
{
	memset(w, 0, sizeof *w);
	w->next_seq = first_seq;
	snprintf(w->prev_hash, sizeof w->prev_hash, "%s", prev_hash ? prev_hash : "");
}

void writer_add_sink(struct record_writer *w, struct record_sink sink)
{
	if (w->nsinks < WRITER_MAX_SINKS)
		w->sinks[w->nsinks++] = sink;
}

void writer_seal(struct record_writer *w, const struct writer_seal *seal)
{
	w->sealed = true;
	w->key = seal->key;
	snprintf(w->genesis, sizeof w->genesis, "%s", seal->genesis ? seal->genesis : "");
	snprintf(w->custody, sizeof w->custody, "%s", seal->custody ? seal->custody : "");
	w->run_id = seal->run_id;
	w->every = seal->every ? seal->every : WRITER_CHECKPOINT_EVERY;
}

void writer_resume(struct record_writer *w, uint64_t count, writer_stored_hash_fn fn, void *ud)
{
	w->skip = count;
	w->stored_hash = fn;
	w->stored_ud = ud;
}

/* Signs a checkpoint over the chain so far and gives it to the sinks that keep one. */
static int checkpoint(struct record_writer *w, bool final, uint64_t time_us, int exit_status,
		      const char *summary_json)
{
	struct checkpoint cp;
	memset(&cp, 0, sizeof cp);
	cp.run_id = w->run_id;
	cp.seq = w->next_seq - 1;
	cp.count = cp.seq;
	cp.time_us = time_us;
	memcpy(cp.hash, w->prev_hash, sizeof cp.hash);
	memcpy(cp.custody, w->custody, sizeof cp.custody);
	cp.final = final;
	if (final) {
		cp.exit_status = exit_status;
		cp.summary_json = summary_json ? summary_json : "{}";
		chain_sha256_hex(cp.summary_json, strlen(cp.summary_json), cp.summary);
	}
	if (chain_checkpoint_sign(&cp, w->genesis, w->key) != 0) {
		snprintf(w->error, sizeof w->error, "cannot sign a checkpoint with the sensor's key");
		w->failed = true;
		return -1;
	}
	for (int i = 0; i < w->nsinks; i++) {
		struct record_sink *s = &w->sinks[i];
		if (s->ops->checkpoint && s->ops->checkpoint(s->impl, &cp, w->error, sizeof w->error) != 0) {
			w->failed = true;
			return -1;
		}
	}
	cp.summary_json = NULL;
	w->last_cp = cp;
	w->checkpoints++;
	w->since_checkpoint = 0;
	return 0;
}

/* Resuming: r is the next record the interrupted run already stored; check it is. */
static int check_stored(struct record_writer *w, struct record *r)
{
	char stored[HASH_HEX_LEN];
	r->seq = w->next_seq;
	memcpy(r->prev_hash, w->prev_hash, sizeof r->prev_hash);
	chain_hash_record(r, r->hash);
	if (w->stored_hash(w->stored_ud, r->seq, stored) != 0 || strcmp(stored, r->hash) != 0) {
		snprintf(w->error, sizeof w->error,
			 "--resume: record %llu as made now differs from the stored one: these are not the "
			 "captures and order of the interrupted run",
			 (unsigned long long)r->seq);
		w->failed = true;
		w->resume_mismatch = true;
		return -1;
	}
	w->skip--;
	w->skipped++;
	w->next_seq++;
	memcpy(w->prev_hash, r->hash, sizeof w->prev_hash);
	return 0;
}

static int write_one(struct record_writer *w, struct record *r);

static int write_paired(void *ud, struct record *r)
{
	return write_one(ud, r);
}

int writer_pairing(struct record_writer *w, bool hold)
{
	pairing_free(w->pairing);
	w->pairing = pairing_new(hold);
	return w->pairing ? 0 : -1;
}

int writer_tally(struct record_writer *w, size_t targets)
{
	tally_free(w->tally);
	w->tally = tally_new(targets);
	return w->tally ? 0 : -1;
}

void writer_tick(struct record_writer *w, uint64_t now_us)
{
	if (w->pairing)
		pairing_tick(w->pairing, now_us, write_paired, w);
}

void writer_drain(struct record_writer *w)
{
	if (w->pairing)
		pairing_drain(w->pairing, write_paired, w);
}

int writer_write(struct record_writer *w, struct record *r)
{
	if (w->failed)
		return -1;
	if (w->pairing) {
		pairing_push(w->pairing, r, write_paired, w);
		return w->failed ? -1 : 0;
	}
	return write_one(w, r);
}

static int write_one(struct record_writer *w, struct record *r)
{
	if (w->failed)
		return -1;
	if (w->skip)
		return check_stored(w, r);
	r->seq = w->next_seq;
	memcpy(r->prev_hash, w->prev_hash, sizeof r->prev_hash);
	chain_hash_record(r, r->hash);
	/*
	 * The sinks that keep checkpoints (the store) first: when one fails the record is
	 * not in the chain. When a later one (JSON lines) fails, the store has the record,
	 * so the chain advances and the final checkpoint covers it.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < w->nsinks; i++) {
			struct record_sink *s = &w->sinks[i];
			if ((s->ops->checkpoint != NULL) != (pass == 0))
				continue;
			if (s->ops->write(s->impl, r, w->error, sizeof w->error) != 0) {
				w->failed = true;
				if (pass == 1) {
					w->next_seq++;
					memcpy(w->prev_hash, r->hash, sizeof w->prev_hash);
					w->since_checkpoint++;
				}
				return -1;
			}
		}
	}
	if (w->table) {
		if (!w->table_header_done) {
			record_table_header(w->table);
			w->table_header_done = true;
		}
		record_table_row(r, w->table);
	}
	w->next_seq++;
	memcpy(w->prev_hash, r->hash, sizeof w->prev_hash);
	w->written++;
	tally_add(w->tally, r);
	int rc = 0;
	if (w->sealed && ++w->since_checkpoint >= w->every)
		rc = checkpoint(w, false, wall_us(), 0, NULL);
	test_hook_record(r->seq);
	return rc;
}

int writer_flush(struct record_writer *w)
{
	if (w->sealed && !w->failed && w->since_checkpoint > 0)
		checkpoint(w, false, wall_us(), 0, NULL);
	for (int i = 0; i < w->nsinks && !w->failed; i++) {
		struct record_sink *s = &w->sinks[i];
		if (s->ops->flush && s->ops->flush(s->impl, w->error, sizeof w->error) != 0)
			w->failed = true;
	}
	if (w->table)
		fflush(w->table);
	return w->failed ? -1 : 0;
}

int writer_finish(struct record_writer *w, uint64_t ended_us, int exit_status, const char *summary_json)
{
	if (!w->sealed)
		return 0;
	/*
	 * Even after a sink failed, what the store holds is whole records: seal them. When
	 * the store itself failed, this fails too and the store keeps its last checkpoint.
	 */
	bool was_failed = w->failed;
	char saved[sizeof w->error];
	memcpy(saved, w->error, sizeof saved);
	w->failed = false;
	int rc = checkpoint(w, true, ended_us, exit_status, summary_json);
	if (was_failed) {
		w->failed = true;
		memcpy(w->error, saved, sizeof saved);
	}
	return rc;
}

void writer_close(struct record_writer *w)
{
	pairing_free(w->pairing);
	w->pairing = NULL;
	tally_free(w->tally);
	w->tally = NULL;
	for (int i = 0; i < w->nsinks; i++)
		if (w->sinks[i].ops && w->sinks[i].ops->close)
			w->sinks[i].ops->close(w->sinks[i].impl);
	w->nsinks = 0;
}
