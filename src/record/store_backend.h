/*
 * store_backend.h — the record store's backends behind one small table of functions
 * (curl's TLS backends, libpcap's pcap-*.c): the embedded SQLite file (store_sqlite.c)
 * and the central PostgreSQL database (store_pg.c). store.c picks one by the store's
 * name (a postgresql:// URL, else a file) and forwards every store_* call of store.h.
 * Internal to src/record/.
 *
 * An operation a backend does not have is NULL: store.c then answers with one line
 * saying so (a sensor's spool is SQLite; a PostgreSQL store is written by `pentrap
 * collect`, not by a run).
 */
#ifndef PENTRAP_RECORD_STORE_BACKEND_H
#define PENTRAP_RECORD_STORE_BACKEND_H

#include "record/store.h"

struct store_backend {
	const char *name; /* "sqlite", "postgresql" */
	/* Opens where (a path or a URL); the backend's own struct begins with struct store. */
	int (*open)(const char *where, bool readonly, struct store **out, char *errbuf, size_t errlen);
	void (*close)(struct store *s);
	uint64_t (*last_seq)(struct store *s, char last_hash[HASH_HEX_LEN]);
	struct record_sink (*sink)(struct store *s);
	void (*set_unsealed)(struct store *s);
	int (*genesis)(struct store *s, struct chain_genesis *g, char *errbuf, size_t errlen);
	int (*set_genesis)(struct store *s, const struct chain_genesis *g, char *errbuf, size_t errlen);
	int (*add_key)(struct store *s, const char *key_id, const char *pem, char *errbuf, size_t errlen);
	char *(*key_pem)(struct store *s, const char *key_id);
	int (*begin_run)(struct store *s, struct run_info *ri, char *errbuf, size_t errlen);
	int (*add_run)(struct store *s, const struct run_info *ri, char *errbuf, size_t errlen);
	int (*each_run)(struct store *s, store_run_fn cb, void *ud, char *errbuf, size_t errlen);
	int (*each_checkpoint)(struct store *s, store_checkpoint_fn cb, void *ud, char *errbuf, size_t errlen);
	int (*record_hash)(struct store *s, uint64_t seq, char out[HASH_HEX_LEN]);
	int (*find_hash)(struct store *s, const char *hash, uint64_t *seq);
	int (*query)(struct store *s, const char *id, uint64_t from_us, uint64_t to_us, store_record_fn cb,
		     void *ud, char *errbuf, size_t errlen);
	int (*each)(struct store *s, store_record_fn cb, void *ud, char *errbuf, size_t errlen);
	int (*each_row)(struct store *s, store_row_fn cb, void *ud, char *errbuf, size_t errlen);
	int (*each_chain)(struct store *s, store_chain_fn cb, void *ud, char *errbuf, size_t errlen);
	int (*use_chain)(struct store *s, const char *genesis, char *errbuf, size_t errlen);
	int (*cursor_get)(struct store *s, const char *name, uint64_t *value, char *errbuf, size_t errlen);
	int (*cursor_set)(struct store *s, const char *name, uint64_t value, char *errbuf, size_t errlen);
	int (*binding_add)(struct store *s, uint64_t ts_us, const char *text, char *errbuf, size_t errlen);
	int (*each_binding)(struct store *s, uint64_t after_id, size_t max, store_binding_fn cb, void *ud,
			    char *errbuf, size_t errlen);
	int (*records_after)(struct store *s, uint64_t after_seq, size_t max, store_record_fn cb, void *ud,
			     char *errbuf, size_t errlen);
	int (*ingest)(struct store *s, const struct store_ingest *items, size_t n, struct store_ingest_result *res,
		      char *errbuf, size_t errlen);
	int (*migrate)(struct store *s, struct store_migration_report *rep, char *errbuf, size_t errlen);
	int (*migrated_from)(const struct store *s);
};

/* Every store begins with this. */
struct store {
	const struct store_backend *be;
	const char *where; /* the path or URL as given (the backend's own copy) */
};

/* Writes "WHERE: message" into errbuf (WHERE: the store's name); returns -1. */
int store_fail(const struct store *s, char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

extern const struct store_backend store_sqlite_backend;
extern const struct store_backend store_pg_backend;

enum { STORE_QUERY_IDS = 3 }; /* forms of one identifier a query looks for */

/*
 * The forms of id a query looks for in target, from and to:
 *   an IP address "A"   → "A" (canonical text), "A/32" or "A/128" (a host target);
 *   a prefix "A/len"    → "A/len" (canonical), and "A" when len is the full length;
 *   anything else       → party_normalise(id); when that is bare digits "D", also "+D"
 *                         (the same rule as order matching).
 * Returns how many forms were written (0 when id yields nothing).
 */
int store_query_forms(const char *id, char forms[STORE_QUERY_IDS][PARTY_MAX]);

#endif
