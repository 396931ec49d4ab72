/*
 * store_sqlite.c — the embedded record store in one SQLite file (schema: docs/records.md,
 * evidence rules: docs/evidence.md).
 *
 * A store is recognised by PRAGMA user_version = STORE_VERSION and a `meta` row
 * format = 'pentrap-store'; any other file is refused rather than written into. Records
 * are appended in seq order only (the chain depends on it): a record whose seq is not the
 * last seq + 1 is refused. A sealed store (the default) commits records only together
 * with the signed checkpoint that covers them, in one transaction, so a crash (kill -9)
 * leaves every committed record covered by a checkpoint and loses only the records after
 * it. WAL journal, synchronous=NORMAL: a process crash loses no committed transaction;
 * a power loss may lose the last ones, never the file.
 */
#include "record/store_backend.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "core/addr.h"
#include "core/party.h"
#include "core/timefmt.h"

enum {
	STORE_VERSION = 3,
	STORE_VERSION_MIGRATED = 2, /* a store of this version is brought to STORE_VERSION (docs/records.md) */
	STORE_BATCH = 1000,       /* unsealed stores: records per transaction at most */
	STORE_BUSY_MS = 5000,     /* wait this long for another process's lock */
};

static const char STORE_FORMAT[] = "pentrap-store";

struct sq_store {
	struct store base;     /* first: the backend table (store_backend.h) */
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *add_binding; /* prepared at the first binding (a sensor with --broker writes many) */
	bool in_tx;
	bool unsealed;      /* commit without checkpoints (store_set_unsealed) */
	bool readonly;
	int migrated_from;  /* the version this open migrated from, 0 when none */
	bool old_columns;   /* a version-2 store read as it is: no event or counterpart column */
	const char *columns;/* RECORD_COLUMNS, or OLD_RECORD_COLUMNS when old_columns */
	unsigned pending;   /* records in the open transaction */
	uint64_t last_seq;  /* the last record's seq, including uncommitted ones */
	char path[];
};

static struct sq_store *sq(struct store *base)
{
	return (struct sq_store *)base;
}


static const char SCHEMA[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE records ("
	" seq INTEGER PRIMARY KEY,"
	" ts_us INTEGER NOT NULL,"
	" ts TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" order_id TEXT NOT NULL,"
	" target TEXT NOT NULL,"
	" direction TEXT NOT NULL,"
	" from_party TEXT NOT NULL,"
	" to_party TEXT NOT NULL,"
	" protocol TEXT NOT NULL,"
	" service TEXT NOT NULL,"
	" signature TEXT NOT NULL,"
	" confidence TEXT NOT NULL,"
	" score INTEGER,"
	" duration_us INTEGER,"
	" outcome TEXT NOT NULL,"
	" call_id TEXT NOT NULL,"
	" contact TEXT NOT NULL,"
	" subtype TEXT NOT NULL,"
	" evidence TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL,"
	" event TEXT NOT NULL DEFAULT '',"
	" counterpart TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX records_target_ts ON records (target, ts_us);"
	"CREATE INDEX records_from ON records (from_party);"
	"CREATE INDEX records_to ON records (to_party);"
	"CREATE INDEX records_event ON records (event);"
	"CREATE INDEX records_counterpart ON records (counterpart);"
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" order_id TEXT, order_file TEXT, order_sha256 TEXT, captures TEXT,"
	" sigs_version TEXT, software_version TEXT,"
	" started_us INTEGER, ended_us INTEGER, first_seq INTEGER, last_seq INTEGER,"
	" summary TEXT,"
	" status TEXT NOT NULL, sensor_id TEXT, key_id TEXT, note TEXT, resumes INTEGER,"
	" exit_status INTEGER);"
	"CREATE TABLE keys (key_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, added_us INTEGER NOT NULL);"
	"CREATE TABLE checkpoints ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL, seq INTEGER NOT NULL, count INTEGER NOT NULL,"
	" time_us INTEGER NOT NULL, hash TEXT NOT NULL, custody TEXT NOT NULL,"
	" final INTEGER NOT NULL, exit_status INTEGER NOT NULL, summary TEXT NOT NULL,"
	" key_id TEXT NOT NULL, signature TEXT NOT NULL);"
	"CREATE INDEX checkpoints_seq ON checkpoints (seq);"
	"INSERT INTO meta (key, value) VALUES ('format', 'pentrap-store');"
	"PRAGMA user_version = 3;";

/*
 * Version 2 to 3: the event and counterpart columns (empty in the old records, whose
 * JSON lines leave out empty fields, so their hashes are unchanged and still verify).
 */
static const char MIGRATE_2_TO_3[] =
	"ALTER TABLE records ADD COLUMN event TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE records ADD COLUMN counterpart TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX records_event ON records (event);"
	"CREATE INDEX records_counterpart ON records (counterpart);"
	"PRAGMA user_version = 3;";

#define RECORD_COLUMNS_V2                                                                   \
	"seq, ts_us, ts, type, order_id, target, direction, from_party, to_party, protocol, " \
	"service, signature, confidence, score, duration_us, outcome, call_id, contact, "     \
	"subtype, evidence, prev_hash, hash"
#define RECORD_COLUMNS RECORD_COLUMNS_V2 ", event, counterpart"
/* A version-2 store opened read-only is read as it is, its records without the new fields. */
#define OLD_RECORD_COLUMNS RECORD_COLUMNS_V2 ", '' AS event, '' AS counterpart"

#define fail(s, errbuf, errlen, ...) store_fail(&(s)->base, errbuf, errlen, __VA_ARGS__)

static int db_fail(const struct sq_store *s, char *errbuf, size_t errlen, const char *what)
{
	return fail(s, errbuf, errlen, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Runs a statement that returns one integer (or 0 when it returns no row); -1 on error. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	*out = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/* True when the file at path exists, is non-empty and does not start like an SQLite database. */
static bool not_sqlite(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(head, 1, sizeof head, f);
	fclose(f);
	return n > 0 && (n < sizeof head || memcmp(head, magic, sizeof magic) != 0);
}

/* Brings a version-2 store to version 3 in one transaction (another process may have just done it). */
static int migrate(struct sq_store *s, char *errbuf, size_t errlen)
{
	int64_t version;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, errbuf, errlen, "cannot migrate the store from version 2");
	if (query_int(s->db, "PRAGMA user_version", &version) ||
	    (version == STORE_VERSION_MIGRATED && sqlite3_exec(s->db, MIGRATE_2_TO_3, NULL, NULL, NULL) != SQLITE_OK) ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(s, errbuf, errlen, "cannot migrate the store from version 2");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (version == STORE_VERSION_MIGRATED)
		s->migrated_from = STORE_VERSION_MIGRATED;
	return 0;
}

static int sq_migrated_from(const struct store *base)
{
	const struct sq_store *s = (const struct sq_store *)base;
	return s->migrated_from;
}

/* Makes sure the schema is there: creates it in an empty database, checks it otherwise. */
static int check_schema(struct sq_store *s, char *errbuf, size_t errlen)
{
	int64_t nobjects, version, has_meta, format_ok;
	if (query_int(s->db, "SELECT count(*) FROM sqlite_master", &nobjects)) {
		if (sqlite3_errcode(s->db) == SQLITE_NOTADB)
			return fail(s, errbuf, errlen, "not a pentrap store (not an SQLite database)");
		return db_fail(s, errbuf, errlen, "cannot read the schema");
	}
	if (nobjects == 0) {
		/* Create under the write lock, looking again in case another process just did. */
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return db_fail(s, errbuf, errlen, "cannot create the store");
		if (query_int(s->db, "SELECT count(*) FROM sqlite_master", &nobjects) ||
		    (nobjects == 0 && sqlite3_exec(s->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			db_fail(s, errbuf, errlen, "cannot create the store");
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	if (query_int(s->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
		      &has_meta))
		return db_fail(s, errbuf, errlen, "cannot read the schema");
	if (!has_meta ||
	    query_int(s->db, "SELECT count(*) FROM meta WHERE key = 'format' AND value = 'pentrap-store'",
		      &format_ok) ||
	    !format_ok)
		return fail(s, errbuf, errlen, "not a pentrap store (an SQLite database without the '%s' mark)",
			    STORE_FORMAT);
	if (query_int(s->db, "PRAGMA user_version", &version))
		return db_fail(s, errbuf, errlen, "cannot read the store version");
	s->columns = RECORD_COLUMNS;
	if (version == STORE_VERSION_MIGRATED && s->readonly) {
		s->columns = OLD_RECORD_COLUMNS;
		s->old_columns = true;
		return 0;
	}
	if (version == STORE_VERSION_MIGRATED)
		return migrate(s, errbuf, errlen);
	if (version != STORE_VERSION)
		return fail(s, errbuf, errlen, "store format version %" PRId64 ", this pentrap reads version %d%s",
			    version, STORE_VERSION, version < STORE_VERSION_MIGRATED ? " (and migrates version 2)" : "");
	return 0;
}

static int read_last(struct sq_store *s, uint64_t *seq, char hash[HASH_HEX_LEN])
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1", -1,
				    &st, NULL);
	*seq = 0;
	if (hash)
		hash[0] = '\0';
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*seq = (uint64_t)sqlite3_column_int64(st, 0);
			if (hash) {
				const unsigned char *h = sqlite3_column_text(st, 1);
				snprintf(hash, HASH_HEX_LEN, "%s", h ? (const char *)h : "");
			}
		}
		rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/* True when path is on a file system mounted read-only. */
static bool on_readonly_fs(const char *path)
{
	struct statvfs v;
	return statvfs(path, &v) == 0 && (v.f_flag & ST_RDONLY);
}

/*
 * A read-only open failed because SQLite could not open the store's -shm/-wal beside it
 * (a folder we may not write in): then the store may be read as immutable when no -wal
 * file holds changes not yet in the store itself, i.e. no writer is at work on it.
 */
static bool may_open_immutable(const struct sq_store *s, const char *path)
{
	int code = sqlite3_errcode(s->db) & 0xff;
	if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY)
		return false;
	char wal[4096];
	struct stat st;
	if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) >= sizeof wal)
		return false;
	return stat(wal, &st) != 0 || st.st_size == 0;
}

/* Opens s->path: read-write (creating it), read-only, or immutable (a URI, path escaped). */
static int open_db(struct sq_store *s, bool immutable, char *errbuf, size_t errlen)
{
	char uri[4096 * 3 + 32];
	const char *name = s->path;
	int flags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (immutable) {
		size_t o = (size_t)snprintf(uri, sizeof uri, "file:");
		for (const unsigned char *p = (const unsigned char *)s->path; *p && o + 4 < sizeof uri; p++)
			o += (size_t)(*p == '%' || *p == '?' || *p == '#' ? snprintf(uri + o, sizeof uri - o, "%%%02X", *p)
									      : snprintf(uri + o, sizeof uri - o, "%c", *p));
		snprintf(uri + o, sizeof uri - o, "?immutable=1");
		name = uri;
		flags |= SQLITE_OPEN_URI;
	}
	if (sqlite3_open_v2(name, &s->db, flags, NULL) != SQLITE_OK) {
		if (s->db)
			db_fail(s, errbuf, errlen, "cannot open");
		else
			fail(s, errbuf, errlen, "cannot open: out of memory");
		return -1;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	return 0;
}

static int open_store(const char *path, bool readonly, struct sq_store **out, char *errbuf, size_t errlen)
{
	size_t plen = strlen(path);
	struct sq_store *s = calloc(1, sizeof *s + plen + 1);
	*out = NULL;
	if (!s) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(s->path, path, plen + 1);
	s->base.be = &store_sqlite_backend;
	s->base.where = s->path;
	s->readonly = readonly;
	if (not_sqlite(path)) {
		fail(s, errbuf, errlen, "not a pentrap store (not an SQLite database)");
		goto fail;
	}
	if (readonly && access(path, F_OK) != 0) {
		fail(s, errbuf, errlen, "cannot open store: %s", strerror(errno));
		goto fail;
	}
	/* Read-only: immutable at once on a read-only file system (nobody can change the
	 * store there), else read-only, falling back to immutable when SQLite cannot make
	 * its shared-memory file beside a store nobody is writing (may_open_immutable). */
	bool immutable = readonly && on_readonly_fs(path);
	if (open_db(s, immutable, errbuf, errlen) != 0)
		goto fail;
	if (check_schema(s, errbuf, errlen)) {
		if (!readonly || immutable || !may_open_immutable(s, path))
			goto fail;
		sqlite3_close(s->db);
		s->db = NULL;
		if (open_db(s, true, errbuf, errlen) != 0 || check_schema(s, errbuf, errlen))
			goto fail;
	}
	/* A read-only store (evidence on read-only media) is still readable: then the journal
	 * mode stays what it is. */
	if (!readonly &&
	    sqlite3_exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL, NULL,
			 NULL) != SQLITE_OK && !sqlite3_db_readonly(s->db, "main")) {
		db_fail(s, errbuf, errlen, "cannot set the journal mode");
		goto fail;
	}
	if (!readonly &&
	    sqlite3_prepare_v3(s->db,
			       "INSERT INTO records (" RECORD_COLUMNS ") VALUES "
			       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
			       " ?23, ?24)",
			       -1, SQLITE_PREPARE_PERSISTENT, &s->insert, NULL) != SQLITE_OK) {
		db_fail(s, errbuf, errlen, "cannot prepare");
		goto fail;
	}
	if (read_last(s, &s->last_seq, NULL)) {
		db_fail(s, errbuf, errlen, "cannot read the last record");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sqlite3_finalize(s->insert);
	sqlite3_close(s->db);
	free(s);
	return -1;
}

static int sq_open(const char *path, bool readonly, struct store **out, char *errbuf, size_t errlen)
{
	struct sq_store *s = NULL;
	int rc = open_store(path, readonly, &s, errbuf, errlen);
	*out = s ? &s->base : NULL;
	return rc;
}

static void sq_set_unsealed(struct store *base)
{
	struct sq_store *s = sq(base);
	s->unsealed = true;
}

static int commit(struct sq_store *s, char *errbuf, size_t errlen)
{
	if (!s->in_tx)
		return 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(s, errbuf, errlen, "cannot commit records");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->in_tx = false;
		s->pending = 0;
		read_last(s, &s->last_seq, NULL);
		return -1;
	}
	s->in_tx = false;
	s->pending = 0;
	return 0;
}

/* Drops what was written since the last commit: records no checkpoint covers. */
static void rollback(struct sq_store *s)
{
	if (!s->in_tx)
		return;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = false;
	s->pending = 0;
	read_last(s, &s->last_seq, NULL);
}

/* Ends an open transaction the way the store's mode says: commit when unsealed. */
static void settle(struct sq_store *s)
{
	char err[256];
	if (s->unsealed)
		commit(s, err, sizeof err);
	else
		rollback(s);
}

static void sq_close(struct store *base)
{
	struct sq_store *s = sq(base);
	if (!s)
		return;
	settle(s);
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->add_binding);
	sqlite3_close(s->db);
	free(s);
}

/* Opens a write transaction unless one is open, checking nobody else appended meanwhile. */
static int begin_write(struct sq_store *s, char *errbuf, size_t errlen)
{
	uint64_t db_last = 0;
	if (s->in_tx)
		return 0;
	if (s->readonly)
		return fail(s, errbuf, errlen, "opened read-only");
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, errbuf, errlen, "cannot begin a transaction");
	s->in_tx = true;
	if (read_last(s, &db_last, NULL) || db_last != s->last_seq) {
		s->last_seq = db_last;
		return fail(s, errbuf, errlen, "another writer appended records (last seq now %" PRIu64 ")", db_last);
	}
	return 0;
}

static uint64_t sq_last_seq(struct store *base, char last_hash[HASH_HEX_LEN])
{
	struct sq_store *s = sq(base);
	uint64_t seq = 0;
	if (read_last(s, &seq, last_hash) != 0) {
		if (last_hash)
			last_hash[0] = '\0';
		return 0;
	}
	return seq;
}

/* Binds the text of a char-array field, bounded by the array. */
#define BIND_FIELD(st, i, arr) sqlite3_bind_text(st, i, arr, (int)strnlen(arr, sizeof(arr)), SQLITE_STATIC)

static int sink_write(void *impl, const struct record *r, char *errbuf, size_t errlen)
{
	struct sq_store *s = impl;
	char ts[TS_STRLEN];
	if (r->seq != s->last_seq + 1)
		return fail(s, errbuf, errlen, "record seq %" PRIu64 " does not follow the last seq %" PRIu64
			    " (records are appended without gaps)", r->seq, s->last_seq);
	if (r->seq > INT64_MAX || r->ts_us > INT64_MAX)
		return fail(s, errbuf, errlen, "record seq %" PRIu64 ": value out of range", r->seq);
	if (begin_write(s, errbuf, errlen))
		return -1;
	sqlite3_stmt *st = s->insert;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)r->seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->ts_us);
	sqlite3_bind_text(st, 3, ts_format(r->ts_us, ts, sizeof ts), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, event_type_name(r->type), -1, SQLITE_STATIC);
	BIND_FIELD(st, 5, r->order);
	BIND_FIELD(st, 6, r->target);
	BIND_FIELD(st, 7, r->direction);
	BIND_FIELD(st, 8, r->from);
	BIND_FIELD(st, 9, r->to);
	BIND_FIELD(st, 10, r->protocol);
	BIND_FIELD(st, 11, r->service);
	BIND_FIELD(st, 12, r->signature);
	sqlite3_bind_text(st, 13, r->inferred ? "inferred" : "certain", -1, SQLITE_STATIC);
	if (r->inferred)
		sqlite3_bind_int(st, 14, r->score);
	else
		sqlite3_bind_null(st, 14);
	if (r->duration_us >= 0)
		sqlite3_bind_int64(st, 15, r->duration_us);
	else
		sqlite3_bind_null(st, 15);
	BIND_FIELD(st, 16, r->outcome);
	BIND_FIELD(st, 17, r->call_id);
	BIND_FIELD(st, 18, r->contact);
	BIND_FIELD(st, 19, r->subtype);
	BIND_FIELD(st, 20, r->evidence);
	BIND_FIELD(st, 21, r->prev_hash);
	BIND_FIELD(st, 22, r->hash);
	BIND_FIELD(st, 23, r->event);
	BIND_FIELD(st, 24, r->counterpart);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(s, errbuf, errlen, "cannot write a record");
	s->last_seq = r->seq;
	if (++s->pending >= STORE_BATCH && s->unsealed)
		return commit(s, errbuf, errlen);
	return 0;
}

/* Sealed, records wait for their checkpoint; unsealed, flush commits them. */
static int sink_flush(void *impl, char *errbuf, size_t errlen)
{
	struct sq_store *s = impl;
	return s->unsealed ? commit(s, errbuf, errlen) : 0;
}

/* The store itself stays open until store_close. */
static void sink_close(void *impl)
{
	settle(impl);
}

/* The checkpoint, and for a final one the run's end, in the records' transaction. */
static int sink_checkpoint(void *impl, const struct checkpoint *cp, char *errbuf, size_t errlen)
{
	struct sq_store *s = impl;
	sqlite3_stmt *st = NULL;
	if (cp->seq > INT64_MAX || cp->count > INT64_MAX || cp->time_us > INT64_MAX || cp->run_id > INT64_MAX)
		return fail(s, errbuf, errlen, "checkpoint at seq %" PRIu64 ": value out of range", cp->seq);
	if (begin_write(s, errbuf, errlen))
		goto fail;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO checkpoints (run_id, seq, count, time_us, hash, custody, final,"
			       " exit_status, summary, key_id, signature)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, errbuf, errlen, "cannot prepare");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cp->run_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)cp->seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)cp->count);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)cp->time_us);
	BIND_FIELD(st, 5, cp->hash);
	BIND_FIELD(st, 6, cp->custody);
	sqlite3_bind_int(st, 7, cp->final ? 1 : 0);
	sqlite3_bind_int(st, 8, cp->exit_status);
	BIND_FIELD(st, 9, cp->summary);
	BIND_FIELD(st, 10, cp->key_id);
	BIND_FIELD(st, 11, cp->sig);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(s, errbuf, errlen, "cannot write a checkpoint");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (cp->final) {
		if (sqlite3_prepare_v2(s->db,
				       "UPDATE runs SET status = 'ended', ended_us = ?2, last_seq = ?3, summary = ?4,"
				       " exit_status = ?5 WHERE id = ?1",
				       -1, &st, NULL) != SQLITE_OK) {
			db_fail(s, errbuf, errlen, "cannot prepare");
			goto fail;
		}
		sqlite3_bind_int64(st, 1, (sqlite3_int64)cp->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)cp->time_us);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)cp->seq);
		sqlite3_bind_text(st, 4, cp->summary_json ? cp->summary_json : "{}", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, cp->exit_status);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(s, errbuf, errlen, "cannot end the run");
			goto fail;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	return commit(s, errbuf, errlen);
fail:
	sqlite3_finalize(st);
	rollback(s);
	return -1;
}

static const struct record_sink_ops store_sink_ops = {
	.name = "sqlite",
	.write = sink_write,
	.flush = sink_flush,
	.close = sink_close,
	.checkpoint = sink_checkpoint,
};

static struct record_sink sq_sink(struct store *base)
{
	struct sq_store *s = sq(base);
	return (struct record_sink){ .ops = &store_sink_ops, .impl = s };
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Inserts a run row (autocommitted unless a transaction is open). */
static int insert_run(struct sq_store *s, const struct run_info *ri, const char *status, uint64_t *id,
		      char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (s->readonly)
		return fail(s, errbuf, errlen, "opened read-only");
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO runs (order_id, order_file, order_sha256, captures, sigs_version,"
			       " software_version, started_us, ended_us, first_seq, last_seq, summary,"
			       " status, sensor_id, key_id, note, resumes, exit_status)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, errbuf, errlen, "cannot prepare");
		goto out;
	}
	bool ended = strcmp(status, "ended") == 0;
	bind_opt_text(st, 1, ri->order_id);
	bind_opt_text(st, 2, ri->order_file);
	bind_opt_text(st, 3, ri->order_sha256);
	bind_opt_text(st, 4, ri->captures);
	bind_opt_text(st, 5, ri->sigs_version);
	bind_opt_text(st, 6, ri->software_version);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)ri->started_us);
	if (ended) {
		sqlite3_bind_int64(st, 8, (sqlite3_int64)ri->ended_us);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)ri->last_seq);
		sqlite3_bind_int(st, 17, ri->exit_status);
	}
	sqlite3_bind_int64(st, 9, (sqlite3_int64)ri->first_seq);
	bind_opt_text(st, 11, ri->summary_json);
	sqlite3_bind_text(st, 12, status, -1, SQLITE_STATIC);
	bind_opt_text(st, 13, ri->sensor_id);
	bind_opt_text(st, 14, ri->key_id);
	bind_opt_text(st, 15, ri->note);
	sqlite3_bind_int64(st, 16, (sqlite3_int64)ri->resumes);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(s, errbuf, errlen, "cannot write the run");
		goto out;
	}
	if (id)
		*id = (uint64_t)sqlite3_last_insert_rowid(s->db);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int sq_begin_run(struct store *base, struct run_info *ri, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	return insert_run(s, ri, "running", &ri->id, errbuf, errlen);
}

static int sq_add_run(struct store *base, const struct run_info *ri, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	if (s->unsealed && commit(s, errbuf, errlen))
		return -1;
	return insert_run(s, ri, "ended", NULL, errbuf, errlen);
}

/* A meta value into out (cap len): 1 found, 0 absent, -1 error. */
static int meta_get(struct sq_store *s, const char *key, char *out, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	out[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			snprintf(out, len, "%s", t ? (const char *)t : "");
			rc = 1;
		} else if (r == SQLITE_DONE) {
			rc = 0;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_genesis(struct store *base, struct chain_genesis *g, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	char created[32];
	memset(g, 0, sizeof *g);
	int rc = meta_get(s, "genesis", g->hash, sizeof g->hash);
	if (rc < 0)
		return db_fail(s, errbuf, errlen, "cannot read the genesis");
	if (rc == 0)
		return 0;
	if (meta_get(s, "genesis_order", g->order_id, sizeof g->order_id) < 0 ||
	    meta_get(s, "genesis_order_sha256", g->order_sha256, sizeof g->order_sha256) < 0 ||
	    meta_get(s, "genesis_sensor", g->sensor, sizeof g->sensor) < 0 ||
	    meta_get(s, "genesis_created_us", created, sizeof created) < 0)
		return db_fail(s, errbuf, errlen, "cannot read the genesis");
	g->created_us = strtoull(created, NULL, 10);
	return 1;
}

static int sq_set_genesis(struct store *base, const struct chain_genesis *g, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	struct chain_genesis old;
	char created[32];
	int rc = sq_genesis(&s->base, &old, errbuf, errlen);
	if (rc != 0)
		return rc < 0 ? -1 : fail(s, errbuf, errlen, "the store already has a genesis");
	if (s->last_seq != 0 || s->in_tx)
		return fail(s, errbuf, errlen, "a store with records cannot be given a genesis");
	snprintf(created, sizeof created, "%" PRIu64, g->created_us);
	const char *keys[] = { "genesis", "genesis_order", "genesis_order_sha256", "genesis_sensor",
			       "genesis_created_us" };
	const char *vals[] = { g->hash, g->order_id, g->order_sha256, g->sensor, created };
	if (begin_write(s, errbuf, errlen))
		goto fail;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, "INSERT INTO meta (key, value) VALUES (?1, ?2)", -1, &st, NULL) !=
		    SQLITE_OK) {
			db_fail(s, errbuf, errlen, "cannot prepare");
			goto fail;
		}
		sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, vals[i], -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE) {
			db_fail(s, errbuf, errlen, "cannot write the genesis");
			goto fail;
		}
	}
	return commit(s, errbuf, errlen);
fail:
	rollback(s);
	return -1;
}

static int sq_add_key(struct store *base, const char *key_id, const char *pem, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO keys (key_id, public_key, added_us) VALUES (?1, ?2, ?3)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, errbuf, errlen, "cannot prepare");
	sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pem, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return db_fail(s, errbuf, errlen, "cannot keep the public key");
	return 0;
}

static char *sq_key_pem(struct store *base, const char *key_id)
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT public_key FROM keys WHERE key_id = ?1", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		out = strdup(t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return out;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* A walk over a statement's rows: the caller's callback and where a row's error goes. */
struct walk {
	union {
		store_run_fn run;
		store_checkpoint_fn checkpoint;
		store_record_fn record;
		store_row_fn row;
		store_binding_fn binding;
	} cb;
	void *ud;
	struct sq_store *s;
	char *errbuf;
	size_t errlen;
};

/* Steps st through its rows, handing each to row: 0 at the end, row's non-zero value
 * where it stops the walk, or the error "WHAT: sqlite's message". The caller finalizes st. */
static int each_row(sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, struct walk *w), struct walk *w,
		    const char *what)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop = row(st, w);
		if (stop)
			return stop;
	}
	return rc == SQLITE_DONE ? 0 : db_fail(w->s, w->errbuf, w->errlen, what);
}

/* Prepares sql (a statement without parameters), walks its rows as each_row does, and
 * finalizes it. */
static int each_row_of(struct walk *w, const char *sql, int (*row)(sqlite3_stmt *st, struct walk *w),
		       const char *what)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(w->s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(w->s, w->errbuf, w->errlen, what);
	int rc = each_row(st, row, w, what);
	sqlite3_finalize(st);
	return rc;
}

static int run_row(sqlite3_stmt *st, struct walk *w)
{
	struct run_info ri = {
		.id = (uint64_t)sqlite3_column_int64(st, 0),
		.status = col_text(st, 1),
		.order_id = col_text(st, 2),
		.order_file = col_text(st, 3),
		.order_sha256 = col_text(st, 4),
		.captures = col_text(st, 5),
		.sigs_version = col_text(st, 6),
		.software_version = col_text(st, 7),
		.sensor_id = col_text(st, 8),
		.key_id = col_text(st, 9),
		.note = col_text(st, 10),
		.resumes = (uint64_t)sqlite3_column_int64(st, 11),
		.started_us = (uint64_t)sqlite3_column_int64(st, 12),
		.ended_us = (uint64_t)sqlite3_column_int64(st, 13),
		.first_seq = (uint64_t)sqlite3_column_int64(st, 14),
		.last_seq = (uint64_t)sqlite3_column_int64(st, 15),
		.summary_json = col_text(st, 16),
		.exit_status = sqlite3_column_int(st, 17),
	};
	return w->cb.run(&ri, w->ud);
}

static int sq_each_run(struct store *base, store_run_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct walk w = { .cb.run = cb, .ud = ud, .s = sq(base), .errbuf = errbuf, .errlen = errlen };
	return each_row_of(&w,
			   "SELECT id, status, order_id, order_file, order_sha256, captures, sigs_version,"
			   " software_version, sensor_id, key_id, note, resumes, started_us, ended_us,"
			   " first_seq, last_seq, summary, exit_status FROM runs ORDER BY id",
			   run_row, "cannot read the runs");
}

static int checkpoint_row(sqlite3_stmt *st, struct walk *w)
{
	struct checkpoint cp;
	memset(&cp, 0, sizeof cp);
	cp.id = (uint64_t)sqlite3_column_int64(st, 0);
	cp.run_id = (uint64_t)sqlite3_column_int64(st, 1);
	cp.seq = (uint64_t)sqlite3_column_int64(st, 2);
	cp.count = (uint64_t)sqlite3_column_int64(st, 3);
	cp.time_us = (uint64_t)sqlite3_column_int64(st, 4);
	snprintf(cp.hash, sizeof cp.hash, "%s", col_text(st, 5));
	snprintf(cp.custody, sizeof cp.custody, "%s", col_text(st, 6));
	cp.final = sqlite3_column_int(st, 7) != 0;
	cp.exit_status = sqlite3_column_int(st, 8);
	snprintf(cp.summary, sizeof cp.summary, "%s", col_text(st, 9));
	snprintf(cp.key_id, sizeof cp.key_id, "%s", col_text(st, 10));
	snprintf(cp.sig, sizeof cp.sig, "%s", col_text(st, 11));
	return w->cb.checkpoint(&cp, w->ud);
}

static int sq_each_checkpoint(struct store *base, store_checkpoint_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct walk w = { .cb.checkpoint = cb, .ud = ud, .s = sq(base), .errbuf = errbuf, .errlen = errlen };
	return each_row_of(&w,
			   "SELECT id, run_id, seq, count, time_us, hash, custody, final, exit_status, summary,"
			   " key_id, signature FROM checkpoints ORDER BY id",
			   checkpoint_row, "cannot read the checkpoints");
}

static int sq_record_hash(struct store *base, uint64_t seq, char out[HASH_HEX_LEN])
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	int rc = -1;
	out[0] = '\0';
	if (seq > INT64_MAX)
		return 1;
	if (sqlite3_prepare_v2(s->db, "SELECT hash FROM records WHERE seq = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			snprintf(out, HASH_HEX_LEN, "%s", col_text(st, 0));
			rc = 0;
		} else if (r == SQLITE_DONE) {
			rc = 1;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_find_hash(struct store *base, const char *hash, uint64_t *seq)
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT seq FROM records WHERE hash = ?1 ORDER BY seq LIMIT 1", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			*seq = (uint64_t)sqlite3_column_int64(st, 0);
			rc = 0;
		} else if (r == SQLITE_DONE) {
			rc = 1;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Copies column i (text, NULL as "") into a char array of size len. */
static void column_copy(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	size_t m = t && n > 0 ? (size_t)n : 0;
	if (m >= len)
		m = len - 1;
	if (m)
		memcpy(dst, t, m);
	dst[m] = '\0';
}

/* The text columns of RECORD_COLUMNS: the field each is read into, and its name for verify. */
#define TEXT_COLUMN(col, name, field) { col, name, offsetof(struct record, field), sizeof(((struct record *)0)->field) }
static const struct text_column {
	int col;
	const char *name;
	size_t off, size;
} TEXT_COLUMNS[] = {
	TEXT_COLUMN(4, "order_id", order),       TEXT_COLUMN(5, "target", target),
	TEXT_COLUMN(6, "direction", direction),  TEXT_COLUMN(7, "from_party", from),
	TEXT_COLUMN(8, "to_party", to),          TEXT_COLUMN(9, "protocol", protocol),
	TEXT_COLUMN(10, "service", service),     TEXT_COLUMN(11, "signature", signature),
	TEXT_COLUMN(15, "outcome", outcome),     TEXT_COLUMN(16, "call_id", call_id),
	TEXT_COLUMN(17, "contact", contact),     TEXT_COLUMN(18, "subtype", subtype),
	TEXT_COLUMN(19, "evidence", evidence),   TEXT_COLUMN(20, "prev_hash", prev_hash),
	TEXT_COLUMN(21, "hash", hash),           TEXT_COLUMN(22, "event", event),
	TEXT_COLUMN(23, "counterpart", counterpart),
};
#undef TEXT_COLUMN

/* The columns of RECORD_COLUMNS after seq, ts and type into r, as they are (text cut to
 * its field, the score to 0..255). */
static void read_columns(sqlite3_stmt *st, struct record *r)
{
	for (size_t i = 0; i < sizeof TEXT_COLUMNS / sizeof TEXT_COLUMNS[0]; i++)
		column_copy(st, TEXT_COLUMNS[i].col, (char *)r + TEXT_COLUMNS[i].off, TEXT_COLUMNS[i].size);
	r->inferred = strcmp(col_text(st, 12), "inferred") == 0;
	int64_t score = sqlite3_column_int64(st, 13);
	r->score = (uint8_t)(score < 0 ? 0 : score > 255 ? 255 : score);
	r->duration_us = sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 14);
}

/* One row of RECORD_COLUMNS into r; -1 with a message when the row cannot be a record. */
static int read_row(struct sq_store *s, sqlite3_stmt *st, struct record *r, char *errbuf, size_t errlen)
{
	char type[32];
	memset(r, 0, sizeof *r);
	r->seq = (uint64_t)sqlite3_column_int64(st, 0);
	r->ts_us = (uint64_t)sqlite3_column_int64(st, 1);
	column_copy(st, 3, type, sizeof type);
	int t = event_type_from_name(type);
	if (t < 0)
		return fail(s, errbuf, errlen, "record %" PRIu64 ": unknown type '%s'", r->seq, type);
	r->type = (enum event_type)t;
	read_columns(st, r);
	return 0;
}

/*
 * For verify: reads a row like read_row but never refuses it, and names the first
 * column that is not what writing the record it hashes would have stored (a column
 * outside the hashed text, or text cut by its field's size, is edited unseen otherwise).
 */
static const char *read_row_checked(sqlite3_stmt *st, struct record *r)
{
	const char *problem = NULL;
	char type[32], ts[TS_STRLEN];
	memset(r, 0, sizeof *r);
	if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
	    sqlite3_column_int64(st, 1) < 0)
		problem = sqlite3_column_type(st, 0) != SQLITE_INTEGER ? "seq" : "ts_us";
	r->seq = (uint64_t)sqlite3_column_int64(st, 0);
	r->ts_us = (uint64_t)sqlite3_column_int64(st, 1);
	if (!problem && strcmp(col_text(st, 2), ts_format(r->ts_us, ts, sizeof ts)) != 0)
		problem = "ts";
	column_copy(st, 3, type, sizeof type);
	int t = event_type_from_name(type);
	r->type = t < 0 ? EV__COUNT : (enum event_type)t;
	if (!problem && (t < 0 || (size_t)sqlite3_column_bytes(st, 3) >= sizeof type))
		problem = "type";
	for (size_t i = 0; i < sizeof TEXT_COLUMNS / sizeof TEXT_COLUMNS[0] && !problem; i++)
		if ((size_t)sqlite3_column_bytes(st, TEXT_COLUMNS[i].col) >= TEXT_COLUMNS[i].size ||
		    sqlite3_column_type(st, TEXT_COLUMNS[i].col) != SQLITE_TEXT)
			problem = TEXT_COLUMNS[i].name;
	int dtype = sqlite3_column_type(st, 14); /* before reading it as a number converts it */
	read_columns(st, r);
	if (!problem && !r->inferred && strcmp(col_text(st, 12), "certain") != 0)
		problem = "confidence";
	int64_t score = sqlite3_column_int64(st, 13);
	if (!problem && (r->inferred ? sqlite3_column_type(st, 13) != SQLITE_INTEGER || score < 0 || score > 255
				     : sqlite3_column_type(st, 13) != SQLITE_NULL))
		problem = "score";
	if (!problem && dtype != SQLITE_NULL && (dtype != SQLITE_INTEGER || r->duration_us < 0))
		problem = "duration_us";
	return problem;
}

static int checked_row(sqlite3_stmt *st, struct walk *w)
{
	struct record r;
	const char *problem = read_row_checked(st, &r);
	return w->cb.row(&r, problem, w->ud);
}

static int sq_each_row(struct store *base, store_row_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT %s FROM records ORDER BY seq", s->columns);
	struct walk w = { .cb.row = cb, .ud = ud, .s = s, .errbuf = errbuf, .errlen = errlen };
	return each_row_of(&w, sql, checked_row, "cannot read records");
}

static int record_row(sqlite3_stmt *st, struct walk *w)
{
	struct record r;
	if (read_row(w->s, st, &r, w->errbuf, w->errlen))
		return -1;
	return w->cb.record(&r, w->ud);
}

/* Steps st to the end, calling cb per record. 0, cb's non-zero value, or -1 on error. */
static int run_rows(struct sq_store *s, sqlite3_stmt *st, store_record_fn cb, void *ud, char *errbuf,
		    size_t errlen)
{
	struct walk w = { .cb.record = cb, .ud = ud, .s = s, .errbuf = errbuf, .errlen = errlen };
	return each_row(st, record_row, &w, "cannot read records");
}

static int sq_query(struct store *base, const char *id, uint64_t from_us, uint64_t to_us,
		store_record_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	char forms[STORE_QUERY_IDS][PARTY_MAX] = { { 0 } };
	sqlite3_stmt *st = NULL;
	int rc = -1;
	int nforms = store_query_forms(id ? id : "", forms);
	if (nforms == 0)
		return fail(s, errbuf, errlen, "empty identifier");
	/* a version-2 store read as it is has no counterpart column to look in */
	bool old = s->old_columns;
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM records"
		 " WHERE (target IN (?1, ?2, ?3) OR from_party IN (?1, ?2, ?3)"
		 "        OR to_party IN (?1, ?2, ?3)%s)"
		 "   AND (?4 = 0 OR ts_us >= ?4) AND (?5 = 0 OR ts_us <= ?5)"
		 " ORDER BY ts_us, seq",
		 s->columns, old ? "" : " OR counterpart IN (?1, ?2, ?3)");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, errbuf, errlen, "cannot prepare the query");
		goto out;
	}
	for (int i = 0; i < STORE_QUERY_IDS; i++) {
		if (i < nforms)
			sqlite3_bind_text(st, i + 1, forms[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, i + 1);
	}
	sqlite3_bind_int64(st, 4, from_us > INT64_MAX ? INT64_MAX : (sqlite3_int64)from_us);
	sqlite3_bind_int64(st, 5, to_us > INT64_MAX ? INT64_MAX : (sqlite3_int64)to_us);
	rc = run_rows(s, st, cb, ud, errbuf, errlen);
out:
	sqlite3_finalize(st);
	return rc;
}

static int sq_records_after(struct store *base, uint64_t after_seq, size_t max, store_record_fn cb, void *ud,
			    char *errbuf, size_t errlen);

static int sq_each(struct store *base, store_record_fn cb, void *ud, char *errbuf, size_t errlen)
{
	return sq_records_after(base, 0, SIZE_MAX, cb, ud, errbuf, errlen);
}

/* --- what a sensor keeps beside the evidence: positions and its spooled bindings --- */

static const char CURSORS_DDL[] = "CREATE TABLE cursors (name TEXT PRIMARY KEY, value INTEGER NOT NULL)";
static const char BINDINGS_DDL[] =
	"CREATE TABLE bindings (id INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, text TEXT NOT NULL)";

/* 1 when the table exists, 0 when not, -1 on error. */
static int has_table(struct sq_store *s, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			rc = sqlite3_column_int(st, 0) > 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Makes the table when it is missing (inside the open transaction, if any). */
static int ensure_table(struct sq_store *s, const char *table, const char *ddl, char *errbuf, size_t errlen)
{
	if (s->readonly)
		return fail(s, errbuf, errlen, "opened read-only");
	int has = has_table(s, table);
	if (has < 0 || (has == 0 && sqlite3_exec(s->db, ddl, NULL, NULL, NULL) != SQLITE_OK))
		return db_fail(s, errbuf, errlen, "cannot make its table");
	return 0;
}

/* Runs one prepared writing statement: inside the open transaction when there is one
 * (committed with the records' next checkpoint), else on its own; then finalizes it. */
static int write_aside(struct sq_store *s, sqlite3_stmt *st, char *errbuf, size_t errlen)
{
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : db_fail(s, errbuf, errlen, "cannot write");
}

static int sq_cursor_get(struct store *base, const char *name, uint64_t *value, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	*value = 0;
	int has = has_table(s, "cursors");
	if (has <= 0)
		return has < 0 ? db_fail(s, errbuf, errlen, "cannot read the schema") : 0;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM cursors WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, errbuf, errlen, "cannot prepare");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*value = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : db_fail(s, errbuf, errlen, "cannot read a position");
}

static int sq_cursor_set(struct store *base, const char *name, uint64_t value, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	if (value > INT64_MAX)
		return fail(s, errbuf, errlen, "position %s out of range", name);
	if (ensure_table(s, "cursors", CURSORS_DDL, errbuf, errlen))
		return -1;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO cursors (name, value) VALUES (?1, ?2)", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(s, errbuf, errlen, "cannot prepare");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)value);
	return write_aside(s, st, errbuf, errlen);
}

static int sq_binding_add(struct store *base, uint64_t ts_us, const char *text, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	if (!s->add_binding) {
		if (ensure_table(s, "bindings", BINDINGS_DDL, errbuf, errlen))
			return -1;
		if (sqlite3_prepare_v3(s->db, "INSERT INTO bindings (ts_us, text) VALUES (?1, ?2)", -1,
				       SQLITE_PREPARE_PERSISTENT, &s->add_binding, NULL) != SQLITE_OK) {
			s->add_binding = NULL;
			return db_fail(s, errbuf, errlen, "cannot prepare");
		}
	}
	sqlite3_stmt *st = s->add_binding;
	sqlite3_bind_int64(st, 1, ts_us > INT64_MAX ? INT64_MAX : (sqlite3_int64)ts_us);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st); /* the text is borrowed */
	return r == SQLITE_DONE ? 0 : db_fail(s, errbuf, errlen, "cannot write");
}

static int binding_row(sqlite3_stmt *st, struct walk *w)
{
	return w->cb.binding((uint64_t)sqlite3_column_int64(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
			     col_text(st, 2), w->ud);
}

static int sq_each_binding(struct store *base, uint64_t after_id, size_t max, store_binding_fn cb, void *ud,
			   char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	int has = has_table(s, "bindings");
	if (has <= 0)
		return has < 0 ? db_fail(s, errbuf, errlen, "cannot read the schema") : 0;
	if (sqlite3_prepare_v2(s->db, "SELECT id, ts_us, text FROM bindings WHERE id > ?1 ORDER BY id LIMIT ?2", -1,
			       &st, NULL) != SQLITE_OK)
		return db_fail(s, errbuf, errlen, "cannot prepare");
	sqlite3_bind_int64(st, 1, after_id > INT64_MAX ? INT64_MAX : (sqlite3_int64)after_id);
	sqlite3_bind_int64(st, 2, max > INT64_MAX ? INT64_MAX : (sqlite3_int64)max);
	struct walk w = { .cb.binding = cb, .ud = ud, .s = s, .errbuf = errbuf, .errlen = errlen };
	int rc = each_row(st, binding_row, &w, "cannot read the bindings");
	sqlite3_finalize(st);
	return rc;
}

static int sq_records_after(struct store *base, uint64_t after_seq, size_t max, store_record_fn cb, void *ud,
			    char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	sqlite3_stmt *st = NULL;
	int rc = -1;
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT %s FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2", s->columns);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, errbuf, errlen, "cannot prepare");
		goto out;
	}
	sqlite3_bind_int64(st, 1, after_seq > INT64_MAX ? INT64_MAX : (sqlite3_int64)after_seq);
	sqlite3_bind_int64(st, 2, max > INT64_MAX ? INT64_MAX : (sqlite3_int64)max);
	rc = run_rows(s, st, cb, ud, errbuf, errlen);
out:
	sqlite3_finalize(st);
	return rc;
}

/* One chain: the store's own (none before its first run). */
static int sq_each_chain(struct store *base, store_chain_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct sq_store *s = sq(base);
	struct chain_genesis g;
	int has = sq_genesis(base, &g, errbuf, errlen);
	if (has <= 0)
		return has;
	uint64_t last = 0;
	if (read_last(s, &last, NULL))
		return db_fail(s, errbuf, errlen, "cannot read the last record");
	struct store_chain c = { .genesis = g.hash, .sensor = g.sensor, .key_id = "", .records = last };
	return cb(&c, ud);
}

const struct store_backend store_sqlite_backend = {
	.name = "SQLite",
	.open = sq_open,
	.close = sq_close,
	.last_seq = sq_last_seq,
	.sink = sq_sink,
	.set_unsealed = sq_set_unsealed,
	.genesis = sq_genesis,
	.set_genesis = sq_set_genesis,
	.add_key = sq_add_key,
	.key_pem = sq_key_pem,
	.begin_run = sq_begin_run,
	.add_run = sq_add_run,
	.each_run = sq_each_run,
	.each_checkpoint = sq_each_checkpoint,
	.record_hash = sq_record_hash,
	.find_hash = sq_find_hash,
	.query = sq_query,
	.each = sq_each,
	.each_row = sq_each_row,
	.each_chain = sq_each_chain,
	.cursor_get = sq_cursor_get,
	.cursor_set = sq_cursor_set,
	.binding_add = sq_binding_add,
	.each_binding = sq_each_binding,
	.records_after = sq_records_after,
	.migrated_from = sq_migrated_from,
};
