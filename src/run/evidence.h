/*
 * evidence.h — what a run does to keep its records as evidence (docs/evidence.md): the
 * sensor's key (given, or the store's own, made on first use), the store's genesis, the
 * run's custody recorded when it starts, the writer sealed with signed checkpoints, the
 * final checkpoint at its end, and resuming an interrupted run.
 */
#ifndef PENTRAP_RUN_EVIDENCE_H
#define PENTRAP_RUN_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "order/order.h"
#include "record/chain.h"
#include "record/sign.h"
#include "record/store.h"
#include "record/writer.h"

struct evidence_config {
	const struct order *order;
	const char *order_path;
	const char *db_path;
	const char *key_path;      /* NULL: the store's own key, DB.key, made on first use */
	const char *sensor_id;     /* NULL: the host name */
	const char *note;          /* the operator's note, or NULL */
	const char *captures_json; /* the run's captures: [{path, sha256, size}, ...] */
	const char *sigs_version;  /* "" when none */
	bool resume;               /* continue the store's interrupted last run */
	bool stdin_capture;        /* a capture is standard input (cannot be resumed) */
	uint64_t every;            /* records between checkpoints, 0: the default */
	uint64_t started_us;
};

struct evidence {
	struct store *store;       /* borrowed */
	struct sign_key *key;
	char key_id[SIGN_KEY_ID_LEN];
	char key_path[4096];
	bool key_made;             /* the store's key was made by this run */
	struct chain_genesis genesis;
	char sensor[128];
	struct run_info ri;        /* strings borrowed from the config */
	char custody[HASH_HEX_LEN];
	uint64_t resumed_run;      /* the run this one continues, 0 none */
};

/* The run's status when --resume finds the captures or order are not the interrupted run's. */
enum { EVIDENCE_BAD_INPUT = 2 };

/*
 * Sets up the writer for the store: its sink, where the chain continues (or, resuming,
 * the records to check again), the run's custody recorded as started, and the seal.
 * Returns 0, or an exit status (1 runtime failure, 2 bad input) with errbuf set.
 */
int evidence_begin(struct evidence *ev, const struct evidence_config *cfg, struct store *store,
		   struct record_writer *w, char *errbuf, size_t errlen);
/* Signs and commits the final checkpoint with the run's end. -1 (w->error) on failure. */
int evidence_end(struct evidence *ev, struct record_writer *w, int exit_status, const char *summary_json,
		 uint64_t ended_us);
/* One summary line: the last checkpoint and the key that signed it. */
void evidence_print(const struct evidence *ev, const struct record_writer *w, FILE *out);
void evidence_fini(struct evidence *ev);

#endif
