/*
 * store.h — the embedded record store (SQLite): the records table with the fields of
 * DESIGN.md, run metadata, and the query of one identifier's full record.
 * Schema and field meanings: docs/records.md.
 */
#ifndef PENTRAP_RECORD_STORE_H
#define PENTRAP_RECORD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

struct store;

/*
 * Opens (creating when absent) the store at path and makes sure its schema is there.
 * A file that is not a pentrap store (not SQLite, or another schema) is refused:
 * -1 and one line in errbuf naming the file. Caller frees with store_close.
 */
int store_open(const char *path, struct store **out, char *errbuf, size_t errlen);
void store_close(struct store *s); /* commits pending writes; accepts NULL */

/* The last record's seq and hash (0 and "" for an empty store), for continuing the chain. */
uint64_t store_last_seq(struct store *s, char last_hash[HASH_HEX_LEN]);

/* A record sink that writes into the store; writes are grouped in transactions.
 * Closing the sink commits; store_close frees the store. */
struct record_sink store_sink(struct store *s);

/* Information about one run, kept with its records (custody). */
struct run_info {
	const char *order_id;
	const char *order_file;
	const char *order_sha256;
	const char *captures;     /* JSON array text of {path, sha256, size} */
	const char *sigs_version;
	const char *software_version;
	uint64_t started_us, ended_us;
	uint64_t first_seq, last_seq;
	const char *summary_json; /* run statistics, JSON object text */
};
int store_add_run(struct store *s, const struct run_info *ri, char *errbuf, size_t errlen);

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

#endif
