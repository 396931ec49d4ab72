/*
 * store.h — the embedded record store (SQLite): the records with the fields of DESIGN.md,
 * the genesis of their chain, the signed checkpoints, the public keys that signed them,
 * and each run's custody; and the query of one identifier's full record.
 * Schema and field meanings: docs/records.md; the evidence rules: docs/evidence.md.
 */
#ifndef PENTRAP_RECORD_STORE_H
#define PENTRAP_RECORD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/chain.h"
#include "record/record.h"

struct store;

/*
 * Opens (creating when absent) the store at path and makes sure its schema is there.
 * A file that is not a pentrap store (not SQLite, or another schema) is refused:
 * -1 and one line in errbuf naming the file. Caller frees with store_close.
 */
int store_open(const char *path, struct store **out, char *errbuf, size_t errlen);
/* Opens an existing store for reading only (verify): a missing file is an error. */
int store_open_readonly(const char *path, struct store **out, char *errbuf, size_t errlen);
/*
 * The format version store_open brought the store from (2), or 0 when it was already
 * current. A version-2 store opened read-only is read as it is (its records have no
 * event or counterpart).
 */
int store_migrated_from(const struct store *s);
/* Rolls back what no checkpoint committed (see store_sink), then frees; accepts NULL. */
void store_close(struct store *s);

/* The last record's seq and hash (0 and "" for an empty store), for continuing the chain. */
uint64_t store_last_seq(struct store *s, char last_hash[HASH_HEX_LEN]);

/*
 * A record sink that writes into the store. Records are committed together with the
 * checkpoint that covers them (the sink's checkpoint operation), so a record is in the
 * store with its chain and its signature, or absent. A store that is never given a
 * checkpoint (store_set_unsealed) commits on flush and every 1000 records instead.
 */
struct record_sink store_sink(struct store *s);
void store_set_unsealed(struct store *s);

/* The genesis of the store's chain: 1 and *g when set, 0 when not yet, -1 on error. */
int store_genesis(struct store *s, struct chain_genesis *g, char *errbuf, size_t errlen);
/* Sets the genesis of a store that has none and no records (committed at once). */
int store_set_genesis(struct store *s, const struct chain_genesis *g, char *errbuf, size_t errlen);

/* Keeps a public key (PEM) under its id; a key already kept is left as it is. */
int store_add_key(struct store *s, const char *key_id, const char *pem, char *errbuf, size_t errlen);
/* The public key (PEM) kept under key_id; caller frees; NULL when none. */
char *store_key_pem(struct store *s, const char *key_id);

/* One run and its custody (docs/evidence.md). Strings are borrowed. */
struct run_info {
	uint64_t id;              /* set by store_begin_run */
	const char *status;       /* "running" until its final checkpoint, then "ended" */
	const char *order_id;
	const char *order_file;
	const char *order_sha256;
	const char *captures;     /* JSON array text of {path, sha256, size} */
	const char *sigs_version;
	const char *software_version;
	const char *sensor_id;
	const char *key_id;       /* the key that signs its checkpoints */
	const char *note;         /* the operator's note */
	uint64_t resumes;         /* the interrupted run this one continues, 0 none */
	uint64_t started_us, ended_us;
	uint64_t first_seq, last_seq;
	const char *summary_json; /* run statistics, JSON object text */
	int exit_status;
};

/* Records a run as started ("running"), committed at once; sets ri->id. */
int store_begin_run(struct store *s, struct run_info *ri, char *errbuf, size_t errlen);
/* Records a whole run at once (status "ended"; no checkpoint): tests and imports. */
int store_add_run(struct store *s, const struct run_info *ri, char *errbuf, size_t errlen);
/* Every run in id order. The run_info's strings are valid during the callback only. */
typedef int (*store_run_fn)(const struct run_info *ri, void *ud);
int store_each_run(struct store *s, store_run_fn cb, void *ud, char *errbuf, size_t errlen);

/* Every checkpoint in id order (the order they were written). */
typedef int (*store_checkpoint_fn)(const struct checkpoint *cp, void *ud);
int store_each_checkpoint(struct store *s, store_checkpoint_fn cb, void *ud, char *errbuf, size_t errlen);

/* The stored hash of record seq: 0 and out, 1 when there is no such record, -1 on error. */
int store_record_hash(struct store *s, uint64_t seq, char out[HASH_HEX_LEN]);
/* The seq of a record whose stored hash is hash: 0 and *seq, 1 when none, -1 on error. */
int store_find_hash(struct store *s, const char *hash, uint64_t *seq);

/*
 * The full bidirectional record of one identifier in time order: records whose
 * target, from or to is id (normalised with party_normalise), within [from_us, to_us]
 * (0 for unbounded). Calls cb for each; a non-zero return from cb stops.
 */
typedef int (*store_record_fn)(const struct record *r, void *ud);
int store_query(struct store *s, const char *id, uint64_t from_us, uint64_t to_us,
		store_record_fn cb, void *ud, char *errbuf, size_t errlen);

/* Every record in seq order (verify, report). */
int store_each(struct store *s, store_record_fn cb, void *ud, char *errbuf, size_t errlen);

/*
 * Every row of the records table in seq order, for verify: a row that cannot be read
 * back as written (an unknown type, a column that disagrees with the hashed fields,
 * text longer than its field) is still passed, with `problem` naming the column;
 * problem is NULL for a well-formed row.
 */
typedef int (*store_row_fn)(const struct record *r, const char *problem, void *ud);
int store_each_row(struct store *s, store_row_fn cb, void *ud, char *errbuf, size_t errlen);

#endif
