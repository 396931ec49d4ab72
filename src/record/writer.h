/*
 * writer.h — the record writer: gives each record its sequence number and chain hash,
 * writes it to every sink (store, JSON lines, a table on the terminal), and seals the
 * chain with signed checkpoints every N records, at each flush and at the end of a run
 * (docs/evidence.md).
 */
#ifndef PENTRAP_RECORD_WRITER_H
#define PENTRAP_RECORD_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "record/chain.h"
#include "record/pairing.h"
#include "record/record.h"
#include "record/sign.h"
#include "record/tally.h"

enum { WRITER_MAX_SINKS = 4, WRITER_CHECKPOINT_EVERY = 1000 };

/* What signs the checkpoints of one run. Strings are copied; key is borrowed. */
struct writer_seal {
	const struct sign_key *key;
	const char *genesis;          /* the store's genesis hash */
	uint64_t run_id;
	const char *custody;          /* chain_custody_hash of the run */
	uint64_t every;               /* records between checkpoints; 0: WRITER_CHECKPOINT_EVERY */
};

/*
 * Resuming an interrupted run: the first `count` records made are the ones it already
 * stored; each is hashed where it stands in the chain and must equal the stored hash
 * (stored_hash gives it: 0 found, else not), and is not written again.
 */
typedef int (*writer_stored_hash_fn)(void *ud, uint64_t seq, char out[HASH_HEX_LEN]);

struct record_writer {
	struct record_sink sinks[WRITER_MAX_SINKS];
	int nsinks;
	uint64_t next_seq;
	char prev_hash[HASH_HEX_LEN];
	FILE *table;         /* when set, each record is also printed as a table row */
	bool table_header_done;
	bool failed;         /* a sink failed: the run must end with status 1 */
	bool resume_mismatch;/* resuming: a record differs from the stored one */
	char error[512];
	uint64_t written;
	/* sealing */
	bool sealed;
	const struct sign_key *key;
	char genesis[HASH_HEX_LEN];
	char custody[HASH_HEX_LEN];
	uint64_t run_id;
	uint64_t every;
	uint64_t since_checkpoint;  /* records written since the last checkpoint */
	struct checkpoint last_cp;  /* the last checkpoint written (seq 0 and no sig: none) */
	uint64_t checkpoints;
	/* resuming */
	uint64_t skip;              /* records still to be checked against the store */
	uint64_t skipped;
	writer_stored_hash_fn stored_hash;
	void *stored_ud;
	/* the legs of one event joined before numbering (record/pairing.h); NULL: none */
	struct pairing *pairing;
	/* what was written, counted in events (record/tally.h); NULL: not counted */
	struct tally *tally;
};

/* first_seq and prev_hash continue an existing chain (1 and the genesis for a new store). */
void writer_init(struct record_writer *w, uint64_t first_seq, const char *prev_hash);
/*
 * Records go through pairing first (record/pairing.h); hold: app messages and calls wait
 * to be paired (two targets or more). -1 when out of memory.
 */
int writer_pairing(struct record_writer *w, bool hold);
/* Counts what is written in events, per target too (record/tally.h). -1 when out of memory. */
int writer_tally(struct record_writer *w, size_t targets);
/* The capture clock reached now_us: held legs it passed are decided and written (live). */
void writer_tick(struct record_writer *w, uint64_t now_us);
/* Writes every held leg (the end of input, or of a run). */
void writer_drain(struct record_writer *w);
/* Takes ownership of the sink (closed by writer_close). */
void writer_add_sink(struct record_writer *w, struct record_sink sink);
/* From now on, sign checkpoints into the sinks that keep them. */
void writer_seal(struct record_writer *w, const struct writer_seal *seal);
/* Resuming: the next `count` records are checked against the stored ones, not written. */
void writer_resume(struct record_writer *w, uint64_t count, writer_stored_hash_fn fn, void *ud);
/*
 * Assigns seq and hashes, then writes r to every sink (after pairing: perhaps later,
 * perhaps after records that came in after it). -1 when a sink failed.
 */
int writer_write(struct record_writer *w, struct record *r);
/* Commits what the sinks hold (a sealed writer signs a checkpoint first). */
int writer_flush(struct record_writer *w);
/*
 * Sealed: the run's final checkpoint (its end time, exit status and summary, signed),
 * committed with the last records. summary_json is borrowed. -1 when it failed.
 */
int writer_finish(struct record_writer *w, uint64_t ended_us, int exit_status, const char *summary_json);
void writer_close(struct record_writer *w);

#endif
