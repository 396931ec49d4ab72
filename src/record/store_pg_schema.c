/*
 * store_pg_schema.c — the central store's schema as numbered migrations (docs/scale.md,
 * "The central store"). Each step runs once, in its own transaction, and is recorded in
 * pentrap_schema; `pentrap db migrate` (or the first writable open) applies the ones a
 * database lacks, under an advisory lock so that collectors starting together migrate
 * once. A step is never edited after it has shipped: a change is a new step.
 *
 * Records are kept as their canonical JSON line (what the chain hashes) plus the columns
 * that queries index, so a field added to the record later needs no new column unless
 * it is searched by.
 */
#include "record/store_pg_schema.h"

#include <stddef.h>

static const char STEP1[] =
	"CREATE TABLE sensors ("
	" sensor_id TEXT PRIMARY KEY,"       /* as the sensor names itself (--sensor) */
	" key_id TEXT NOT NULL,"             /* the key its chains are signed with: one sensor, one key */
	" first_seen_us BIGINT NOT NULL);"
	"CREATE TABLE chains ("              /* one per sensor store (a rotated series has several) */
	" genesis TEXT PRIMARY KEY,"
	" sensor_id TEXT NOT NULL REFERENCES sensors,"
	" order_id TEXT NOT NULL, order_sha256 TEXT NOT NULL, genesis_sensor TEXT NOT NULL,"
	" created_us BIGINT NOT NULL);"
	"CREATE TABLE records ("
	" chain TEXT NOT NULL REFERENCES chains,"
	" seq BIGINT NOT NULL,"
	" run_id BIGINT NOT NULL,"
	" sensor_id TEXT NOT NULL,"
	" ts_us BIGINT NOT NULL,"
	" type TEXT NOT NULL, order_id TEXT NOT NULL, target TEXT NOT NULL,"
	" from_party TEXT NOT NULL, to_party TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
	" event TEXT NOT NULL, counterpart TEXT NOT NULL,"
	" line TEXT NOT NULL,"               /* the record's canonical JSON line (records.md) */
	" PRIMARY KEY (chain, seq));"
	"CREATE INDEX records_target_ts ON records (target, ts_us);"
	"CREATE INDEX records_from ON records (from_party);"
	"CREATE INDEX records_to ON records (to_party);"
	"CREATE INDEX records_ts ON records (ts_us);"
	"CREATE INDEX records_event ON records (event);"
	"CREATE INDEX records_counterpart ON records (counterpart);"
	"CREATE INDEX records_hash ON records (chain, hash);"
	"CREATE TABLE runs ("
	" chain TEXT NOT NULL REFERENCES chains, id BIGINT NOT NULL, sensor_id TEXT NOT NULL,"
	" status TEXT NOT NULL, order_id TEXT NOT NULL, order_file TEXT NOT NULL, order_sha256 TEXT NOT NULL,"
	" captures TEXT NOT NULL, sigs_version TEXT NOT NULL, software_version TEXT NOT NULL,"
	" key_id TEXT NOT NULL, note TEXT NOT NULL, resumes BIGINT NOT NULL,"
	" started_us BIGINT NOT NULL, ended_us BIGINT, first_seq BIGINT NOT NULL, last_seq BIGINT,"
	" summary TEXT, exit_status INTEGER,"
	" PRIMARY KEY (chain, id));"
	"CREATE TABLE checkpoints ("
	" chain TEXT NOT NULL REFERENCES chains, id BIGINT NOT NULL, run_id BIGINT NOT NULL,"
	" seq BIGINT NOT NULL, count BIGINT NOT NULL, time_us BIGINT NOT NULL, hash TEXT NOT NULL,"
	" custody TEXT NOT NULL, final BOOLEAN NOT NULL, exit_status INTEGER NOT NULL, summary TEXT NOT NULL,"
	" key_id TEXT NOT NULL, signature TEXT NOT NULL,"
	" PRIMARY KEY (chain, id));"
	"CREATE TABLE keys (key_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, added_us BIGINT NOT NULL);";

/*
 * Step 2: fewer indexes on records (each one costs every insert: the collector's rate),
 * keeping what queries search (target, from, to, counterpart); verify's rare look-ups by
 * hash scan one chain through its primary key. And named positions kept with the store
 * (store_cursor_get/set: a delivery's progress).
 */
static const char STEP2[] =
	"DROP INDEX IF EXISTS records_ts;"
	"DROP INDEX IF EXISTS records_event;"
	"DROP INDEX IF EXISTS records_hash;"
	"CREATE TABLE cursors (name TEXT PRIMARY KEY, value BIGINT NOT NULL);";

const struct pg_migration pg_migrations[] = {
	{ 1, "records, runs, checkpoints, keys, chains and sensors", STEP1 },
	{ 2, "fewer indexes on records; cursors", STEP2 },
};

const size_t pg_nmigrations = sizeof pg_migrations / sizeof pg_migrations[0];
