/*
 * store.h — the record store: the records with the fields of DESIGN.md, the genesis of
 * their chain, the signed checkpoints, the public keys that signed them, and each run's
 * custody; and the query of one identifier's full record.
 *
 * Two backends (store_backend.h): an SQLite file, a sensor's own store and spool
 * (docs/records.md), and a PostgreSQL database named by a postgresql:// URL, the
 * central store that `pentrap collect` fills with every sensor's records (docs/scale.md).
 * An SQLite store holds one chain; a central store holds one per sensor store, each
 * read as an SQLite store is once selected with store_use_chain. Reading works the same
 * on both; a run writes only SQLite, collect only PostgreSQL.
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

/* True when where names a central (PostgreSQL) store: a postgresql:// or postgres:// URL. */
bool store_is_central(const char *where);

/*
 * Opens (creating when absent) the store at path (a file, or a postgresql:// URL) and
 * makes sure its schema is there (PostgreSQL: migrated to the current version). A file
 * that is not a pentrap store (not SQLite, or another schema) is refused: -1 and one
 * line in errbuf naming the file. A central store answers STORE_OPEN_BAD when the URL
 * or the database is not one this pentrap reads (bad input), -1 when it cannot be
 * reached (a runtime failure). Caller frees with store_close.
 */
enum { STORE_OPEN_BAD = -2 };
int store_open(const char *path, struct store **out, char *errbuf, size_t errlen);
/* Opens an existing store for reading only (verify): a missing file is an error; a
 * PostgreSQL store is not migrated (an older schema is refused). */
int store_open_readonly(const char *path, struct store **out, char *errbuf, size_t errlen);
/* The store's name as it may be shown (a URL with its password hidden). Borrowed. */
const char *store_name(const struct store *s);
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

/*
 * The chains a store holds: an SQLite store one (or none before its first run), a
 * central store one per sensor store that sent records. Strings valid during the
 * callback only.
 */
struct store_chain {
	const char *genesis;   /* the genesis hash that names the chain */
	const char *sensor;    /* the sensor id */
	const char *key_id;    /* the key its sensor signs with ("" when not known) */
	uint64_t records;      /* records held */
};
typedef int (*store_chain_fn)(const struct store_chain *c, void *ud);
int store_each_chain(struct store *s, store_chain_fn cb, void *ud, char *errbuf, size_t errlen);
/*
 * Narrows the per-chain reads (genesis, runs, checkpoints, keys, record_hash,
 * find_hash, each_row, last_seq) to the chain named by its genesis hash; NULL widens
 * them again to every chain (runs and records of all; genesis: none). SQLite: its one
 * chain whatever is given.
 */
int store_use_chain(struct store *s, const char *genesis, char *errbuf, size_t errlen);

/*
 * Named positions kept with the store, outside the evidence: how far the broker
 * confirmed the records and bindings a sensor published (broker/publish.h). 0 when
 * never set. Setting joins an open transaction (committed with the next checkpoint),
 * else commits at once.
 */
int store_cursor_get(struct store *s, const char *name, uint64_t *value, char *errbuf, size_t errlen);
int store_cursor_set(struct store *s, const char *name, uint64_t value, char *errbuf, size_t errlen);

/*
 * The identity bindings a sensor learned, spooled for publishing (broker/binding.h):
 * text is the binding's message; ids grow from 1. Adding joins an open transaction,
 * else commits at once.
 */
int store_binding_add(struct store *s, uint64_t ts_us, const char *text, char *errbuf, size_t errlen);
typedef int (*store_binding_fn)(uint64_t id, uint64_t ts_us, const char *text, void *ud);
/* At most max bindings with an id above after_id, in id order (committed ones). */
int store_each_binding(struct store *s, uint64_t after_id, size_t max, store_binding_fn cb, void *ud,
		       char *errbuf, size_t errlen);
/*
 * At most max records with a seq above after_seq, in seq order (committed ones). A
 * central store reads the chain store_use_chain names (none named: an error), and only
 * as far as its seqs follow on without a gap (a record whose predecessors a collector
 * has not stored yet waits for them).
 */
int store_records_after(struct store *s, uint64_t after_seq, size_t max, store_record_fn cb, void *ud,
			char *errbuf, size_t errlen);

/*
 * What `pentrap collect` brings into a central store from one message: a sensor's
 * chain, a key, a run's custody, a checkpoint, or records of one run. Everything is
 * idempotent: what is already there is left as it is (a run's end fills in its end).
 * Borrowed.
 */
enum store_ingest_kind { STORE_IN_KEY, STORE_IN_RUN, STORE_IN_CHECKPOINT, STORE_IN_RECORDS };
struct store_ingest {
	enum store_ingest_kind kind;
	const char *sensor;                   /* the sending sensor's id */
	const char *key_id;                   /* the key its chain is signed with */
	const struct chain_genesis *genesis;  /* its chain (every message names it: no order needed) */
	const char *new_key_id;               /* STORE_IN_KEY: the key kept (one the sensor signed with) */
	const char *key_pem;                  /* STORE_IN_KEY: its public key */
	const struct run_info *run;           /* STORE_IN_RUN */
	const struct checkpoint *cp;          /* STORE_IN_CHECKPOINT */
	uint64_t run_id;                      /* STORE_IN_RECORDS: the run that made them */
	const struct record *records;         /* STORE_IN_RECORDS */
	const char *const *lines;             /* each record's canonical JSON line */
	size_t nrecords;
};
enum store_ingest_outcome {
	STORE_INGESTED,         /* stored, or already there unchanged */
	STORE_SENSOR_REUSED,    /* the sensor id is held by another key: nothing stored */
	STORE_CONFLICT,         /* a record already stored at that place differs: nothing stored */
};
struct store_ingest_result {
	enum store_ingest_outcome outcome;
	uint64_t stored, duplicates;          /* records (or rows) new, and already there */
};
/* Ingests n items in one transaction (res[i] for item i). -1 with errbuf: nothing kept. */
int store_ingest(struct store *s, const struct store_ingest *items, size_t n, struct store_ingest_result *res,
		 char *errbuf, size_t errlen);

/* What `pentrap db migrate` did. */
struct store_migration_report {
	int from_version, to_version;  /* 0: the database had no pentrap schema */
};
/* Brings a central store's schema to the current version (each step in a transaction). */
int store_migrate(struct store *s, struct store_migration_report *rep, char *errbuf, size_t errlen);

#endif
