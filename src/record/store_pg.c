/*
 * store_pg.c — the central store in PostgreSQL (libpq), named by a postgresql:// URL:
 * every sensor's chains, filled by `pentrap collect`, read by query, report and verify
 * as an SQLite store is (docs/scale.md, "The central store"; schema in store_pg_schema.c).
 *
 * Text columns hold a sensor's strings escaped as in a record's line (record/json.h):
 * a packet may have put any byte into a party, and PostgreSQL's UTF-8 text takes no
 * invalid sequence and no NUL; the escape is reversible and leaves ordinary text as it
 * is. A record is read back from its line, the columns beside it being only what
 * queries index (verify checks they agree).
 *
 * A read-only store reads in one REPEATABLE READ transaction, so verify sees one
 * snapshot while collectors go on writing. Long reads go through a cursor fetched in
 * batches, so memory stays bounded and a callback may query in between (verify does).
 */
#include "record/store_backend.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timefmt.h"
#include "core/url.h"
#include "record/json.h"
#include "record/json_read.h"
#include "record/store_pg_schema.h"

enum {
	PG_FETCH = 2000,           /* rows per cursor fetch */
	PG_MIGRATE_LOCK = 0x70656e74, /* advisory lock key ("pent") held while migrating */
};

struct pg_store {
	struct store base;
	PGconn *conn;
	bool readonly;
	bool in_tx;               /* a transaction of ours is open (read-only: the whole session) */
	bool staging;             /* this session has its pentrap_in table (store_ingest) */
	unsigned cursors;         /* names cursors uniquely */
	char chain[HASH_HEX_LEN]; /* the chain reads are narrowed to; "" all */
	char where[];             /* the URL with any password hidden */
};

static struct pg_store *pg(struct store *base)
{
	return (struct pg_store *)base;
}

#define fail(s, errbuf, errlen, ...) store_fail(&(s)->base, errbuf, errlen, __VA_ARGS__)

/* libpq's message, first line only (the rest is context for a terminal, not a log line). */
static const char *first_line(const char *msg, char *buf, size_t len)
{
	snprintf(buf, len, "%s", msg && msg[0] ? msg : "unknown error");
	buf[strcspn(buf, "\n")] = '\0';
	if (strncmp(buf, "ERROR:  ", 8) == 0)
		memmove(buf, buf + 8, strlen(buf + 8) + 1);
	return buf;
}

static int db_fail(const struct pg_store *s, char *errbuf, size_t errlen, const char *what, const PGresult *res)
{
	char line[384];
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	if (!msg || !msg[0])
		msg = PQerrorMessage(s->conn);
	return fail(s, errbuf, errlen, "%s: %s", what, first_line(msg, line, sizeof line));
}

/* --- escaping text for the columns --- */

/* s escaped (record/json.h); caller frees. */
static char *esc(const char *s)
{
	size_t n = strlen(s ? s : "");
	char *out = malloc(6 * n + 1);
	if (out)
		json_escape(s ? s : "", n, out, 6 * n + 1);
	return out;
}

/* The column text unescaped into out (cut at outlen-1; "" when it does not read back). */
static void unesc(const char *col, char *out, size_t outlen)
{
	size_t n = strlen(col);
	out[0] = '\0';
	if (!strchr(col, '\\')) {
		snprintf(out, outlen, "%s", col);
		return;
	}
	char *quoted = malloc(n + 3);
	if (!quoted)
		return;
	quoted[0] = '"';
	memcpy(quoted + 1, col, n);
	quoted[n + 1] = '"';
	struct json_token tok;
	struct json_doc d;
	if (json_parse(quoted, n + 2, &tok, 1, &d) != 1 || json_string(&d, 0, out, outlen) < 0)
		out[0] = '\0';
	free(quoted);
}

/* The same into a new string (caller frees). */
static char *unesc_dup(const char *col)
{
	size_t n = strlen(col) + 1;
	char *out = malloc(n);
	if (out)
		unesc(col, out, n);
	return out;
}

/* --- statements --- */

/* Runs sql with text parameters; the result when it succeeded (caller clears), else NULL. */
static PGresult *run(struct pg_store *s, const char *sql, int n, const char *const *params, const char *what,
		     char *errbuf, size_t errlen)
{
	PGresult *res = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	db_fail(s, errbuf, errlen, what, res);
	PQclear(res);
	return NULL;
}

/* Runs sql (one or more statements, no parameters). 0, or -1 with errbuf. */
static int run_ok(struct pg_store *s, const char *sql, const char *what, char *errbuf, size_t errlen)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : db_fail(s, errbuf, errlen, what, res);
	PQclear(res);
	return rc;
}

static uint64_t col_u64(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoull(PQgetvalue(res, row, col), NULL, 10);
}

typedef int (*row_fn)(struct pg_store *s, PGresult *res, int row, void *ud);

/*
 * Calls fn for each row of sql, fetched PG_FETCH at a time through a cursor (inside the
 * session's transaction, or one of its own). 0, fn's non-zero value, or -1.
 */
static int each_row(struct pg_store *s, const char *sql, int n, const char *const *params, row_fn fn, void *ud,
		    const char *what, char *errbuf, size_t errlen)
{
	bool own = !s->in_tx;
	char name[32], decl[64], fetch[64], close[64];
	int rc = -1;
	snprintf(name, sizeof name, "pentrap_c%u", ++s->cursors);
	if (own && run_ok(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", what, errbuf, errlen))
		return -1;
	s->in_tx = true;
	size_t qlen = strlen(sql) + 64;
	char *q = malloc(qlen);
	if (!q) {
		fail(s, errbuf, errlen, "out of memory");
		goto out;
	}
	snprintf(decl, sizeof decl, "DECLARE %s NO SCROLL CURSOR FOR ", name);
	snprintf(q, qlen, "%s%s", decl, sql);
	PGresult *res = run(s, q, n, params, what, errbuf, errlen);
	free(q);
	if (!res)
		goto out;
	PQclear(res);
	snprintf(fetch, sizeof fetch, "FETCH %d FROM %s", PG_FETCH, name);
	for (;;) {
		res = run(s, fetch, 0, NULL, what, errbuf, errlen);
		if (!res)
			goto out;
		int rows = PQntuples(res);
		for (int i = 0; i < rows; i++) {
			int stop = fn(s, res, i, ud);
			if (stop) {
				PQclear(res);
				rc = stop;
				goto close_cursor;
			}
		}
		PQclear(res);
		if (rows < PG_FETCH)
			break;
	}
	rc = 0;
close_cursor:
	snprintf(close, sizeof close, "CLOSE %s", name);
	if (run_ok(s, close, what, errbuf, errlen) && rc == 0)
		rc = -1;
out:
	if (own) {
		PGresult *end = PQexec(s->conn, rc >= 0 ? "COMMIT" : "ROLLBACK");
		PQclear(end);
		s->in_tx = false;
	}
	return rc;
}

/* --- schema --- */

/* The schema version (0: none), or -1. */
static int schema_version(struct pg_store *s, char *errbuf, size_t errlen)
{
	PGresult *res = run(s, "SELECT to_regclass('pentrap_schema') IS NOT NULL", 0, NULL, "cannot read the schema",
			    errbuf, errlen);
	if (!res)
		return -1;
	bool has = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!has)
		return 0;
	res = run(s, "SELECT coalesce(max(version), 0) FROM pentrap_schema", 0, NULL, "cannot read the schema version",
		  errbuf, errlen);
	if (!res)
		return -1;
	int v = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return v;
}

static int current_version(void)
{
	return pg_migrations[pg_nmigrations - 1].version;
}

static int pg_migrate(struct store *base, struct store_migration_report *rep, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	char lock[64];
	int have = schema_version(s, errbuf, errlen);
	if (rep) {
		rep->from_version = have;
		rep->to_version = have;
	}
	if (have < 0)
		return -1;
	if (have > current_version())
		return fail(s, errbuf, errlen, "schema version %d is newer than this pentrap's (%d)", have,
			    current_version());
	/*
	 * A session lock, taken before the transaction: what another process committed
	 * while we waited is then seen by the catalog lookups of a transaction begun after
	 * (a lock taken inside one leaves its catalog snapshot behind: two migrations at once
	 * both created the schema).
	 */
	char unlock[64];
	snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%d)", PG_MIGRATE_LOCK);
	snprintf(unlock, sizeof unlock, "SELECT pg_advisory_unlock(%d)", PG_MIGRATE_LOCK);
	if (run_ok(s, lock, "cannot migrate", errbuf, errlen))
		return -1;
	for (size_t i = 0; i < pg_nmigrations; i++) {
		const struct pg_migration *m = &pg_migrations[i];
		if (m->version <= have)
			continue;
		if (run_ok(s, "BEGIN", "cannot migrate", errbuf, errlen))
			goto unlock;
		/* another process may have migrated while we waited for the lock: look again */
		int now = schema_version(s, errbuf, errlen);
		if (now < 0)
			goto fail;
		if (now >= m->version) {
			run_ok(s, "COMMIT", "cannot migrate", errbuf, errlen);
			have = now;
			continue;
		}
		char ver[16];
		snprintf(ver, sizeof ver, "%d", m->version);
		const char *p[] = { ver, m->what };
		PGresult *r;
		if (m->version == 1 &&
		    run_ok(s, "CREATE TABLE pentrap_schema (version INTEGER PRIMARY KEY, what TEXT NOT NULL,"
			      " applied TIMESTAMPTZ NOT NULL DEFAULT now())", "cannot migrate", errbuf, errlen))
			goto fail;
		if (run_ok(s, m->sql, "cannot migrate", errbuf, errlen))
			goto fail;
		r = run(s, "INSERT INTO pentrap_schema (version, what) VALUES ($1, $2)", 2, p, "cannot migrate", errbuf,
			errlen);
		if (!r)
			goto fail;
		PQclear(r);
		if (run_ok(s, "COMMIT", "cannot migrate", errbuf, errlen))
			goto unlock;
		have = m->version;
	}
	PQclear(PQexec(s->conn, unlock));
	if (rep)
		rep->to_version = have;
	return 0;
fail:
	PQclear(PQexec(s->conn, "ROLLBACK"));
unlock:
	PQclear(PQexec(s->conn, unlock));
	return -1;
}

/* --- open, close --- */

static void pg_close(struct store *base)
{
	struct pg_store *s = pg(base);
	if (!s)
		return;
	if (s->conn) {
		if (s->in_tx)
			PQclear(PQexec(s->conn, "ROLLBACK"));
		PQfinish(s->conn);
	}
	free(s);
}

static int pg_open(const char *url, bool readonly, struct store **out, char *errbuf, size_t errlen)
{
	char shown[1024], line[384];
	int rc = -1;
	url_hide_password(url, shown, sizeof shown);
	struct pg_store *s = calloc(1, sizeof *s + strlen(shown) + 1);
	*out = NULL;
	if (!s) {
		snprintf(errbuf, errlen, "%s: out of memory", shown);
		return -1;
	}
	memcpy(s->where, shown, strlen(shown) + 1);
	s->base.be = &store_pg_backend;
	s->base.where = s->where;
	s->readonly = readonly;
	/* a URL libpq cannot read is the user's mistake: say so before trying to connect */
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &perr);
	if (!opts) {
		fail(s, errbuf, errlen, "not a PostgreSQL URL: %s", first_line(perr, line, sizeof line));
		PQfreemem(perr);
		rc = STORE_OPEN_BAD;
		goto fail;
	}
	PQconninfoFree(opts);
	s->conn = PQconnectdb(url);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		fail(s, errbuf, errlen, "cannot connect: %s", first_line(PQerrorMessage(s->conn), line, sizeof line));
		goto fail;
	}
	PQclear(PQexec(s->conn, "SET client_min_messages = warning"));
	int v = schema_version(s, errbuf, errlen);
	if (v < 0)
		goto fail;
	rc = STORE_OPEN_BAD;
	if (readonly) {
		if (v == 0) {
			fail(s, errbuf, errlen, "not a pentrap store (no pentrap schema: 'pentrap db migrate' makes one)");
			goto fail;
		}
		if (v != current_version()) {
			fail(s, errbuf, errlen, "schema version %d, this pentrap reads version %d%s", v, current_version(),
			     v < current_version() ? " ('pentrap db migrate' brings it up to date)" : "");
			goto fail;
		}
		rc = -1;
		if (run_ok(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "cannot read", errbuf, errlen))
			goto fail;
		s->in_tx = true;
	} else if (v != current_version() && pg_migrate(&s->base, NULL, errbuf, errlen) != 0) {
		if (v <= current_version())
			rc = -1; /* a newer schema is bad input; a failed migration is the database's */
		goto fail;
	}
	*out = &s->base;
	return 0;
fail:
	pg_close(&s->base);
	return rc;
}

/* --- reading --- */

/* "" or " AND chain = $k" (k: the parameter's number), with the parameter set. */
static const char *chain_cond(struct pg_store *s, const char *prefix, int k, const char **params, int *n)
{
	static __thread char buf[64];
	if (!s->chain[0])
		return "";
	params[(*n)++] = s->chain;
	snprintf(buf, sizeof buf, " %s chain = $%d", prefix, k);
	return buf;
}

static int pg_genesis(struct store *base, struct chain_genesis *g, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	memset(g, 0, sizeof *g);
	if (!s->chain[0])
		return 0;
	const char *p[] = { s->chain };
	PGresult *res = run(s,
			    "SELECT genesis, order_id, order_sha256, genesis_sensor, created_us FROM chains WHERE genesis = $1",
			    1, p, "cannot read the genesis", errbuf, errlen);
	if (!res)
		return -1;
	int found = PQntuples(res) == 1;
	if (found) {
		snprintf(g->hash, sizeof g->hash, "%s", PQgetvalue(res, 0, 0));
		unesc(PQgetvalue(res, 0, 1), g->order_id, sizeof g->order_id);
		snprintf(g->order_sha256, sizeof g->order_sha256, "%s", PQgetvalue(res, 0, 2));
		unesc(PQgetvalue(res, 0, 3), g->sensor, sizeof g->sensor);
		g->created_us = col_u64(res, 0, 4);
	}
	PQclear(res);
	return found;
}

static uint64_t pg_last_seq(struct store *base, char last_hash[HASH_HEX_LEN])
{
	struct pg_store *s = pg(base);
	const char *p[1];
	int n = 0;
	char sql[160], err[64];
	snprintf(sql, sizeof sql, "SELECT seq, hash FROM records WHERE true%s ORDER BY seq DESC LIMIT 1",
		 chain_cond(s, "AND", 1, p, &n));
	if (last_hash)
		last_hash[0] = '\0';
	PGresult *res = run(s, sql, n, p, "", err, sizeof err);
	uint64_t seq = 0;
	if (res && PQntuples(res) == 1) {
		seq = col_u64(res, 0, 0);
		if (last_hash)
			snprintf(last_hash, HASH_HEX_LEN, "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return seq;
}

static char *pg_key_pem(struct store *base, const char *key_id)
{
	struct pg_store *s = pg(base);
	const char *p[] = { key_id };
	char err[64];
	PGresult *res = run(s, "SELECT public_key FROM keys WHERE key_id = $1", 1, p, "", err, sizeof err);
	char *out = res && PQntuples(res) == 1 ? strdup(PQgetvalue(res, 0, 0)) : NULL;
	PQclear(res);
	return out;
}

struct run_cb {
	store_run_fn cb;
	void *ud;
};

static int on_run_row(struct pg_store *s, PGresult *res, int i, void *ud)
{
	(void)s;
	struct run_cb *rc = ud;
	char *t[9];
	static const int cols[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	for (int k = 0; k < 9; k++)
		t[k] = unesc_dup(PQgetvalue(res, i, cols[k]));
	char *summary = unesc_dup(PQgetvalue(res, i, 15));
	char *note = unesc_dup(PQgetvalue(res, i, 17));
	int stop = 0;
	if (t[0] && t[1] && t[2] && t[3] && t[4] && t[5] && t[6] && t[7] && t[8] && summary && note) {
		struct run_info ri = {
			.id = col_u64(res, i, 0),
			.status = t[0],
			.order_id = t[1],
			.order_file = t[2],
			.order_sha256 = t[3],
			.captures = t[4],
			.sigs_version = t[5],
			.software_version = t[6],
			.sensor_id = t[7],
			.key_id = t[8],
			.started_us = col_u64(res, i, 10),
			.ended_us = col_u64(res, i, 11),
			.first_seq = col_u64(res, i, 12),
			.last_seq = col_u64(res, i, 13),
			.exit_status = atoi(PQgetvalue(res, i, 14)),
			.summary_json = summary,
			.resumes = col_u64(res, i, 16),
			.note = note,
		};
		stop = rc->cb(&ri, rc->ud);
	} else {
		stop = -1;
	}
	for (int k = 0; k < 9; k++)
		free(t[k]);
	free(summary);
	free(note);
	return stop;
}

static int pg_each_run(struct store *base, store_run_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	const char *p[1];
	int n = 0;
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT id, status, order_id, order_file, order_sha256, captures, sigs_version, software_version,"
		 " sensor_id, key_id, started_us, ended_us, first_seq, last_seq, exit_status, summary, resumes, note"
		 " FROM runs WHERE true%s ORDER BY %s",
		 chain_cond(s, "AND", 1, p, &n), s->chain[0] ? "id" : "started_us, sensor_id, chain, id");
	struct run_cb rc = { cb, ud };
	return each_row(s, sql, n, p, on_run_row, &rc, "cannot read the runs", errbuf, errlen);
}

struct cp_cb {
	store_checkpoint_fn cb;
	void *ud;
};

static int on_cp_row(struct pg_store *s, PGresult *res, int i, void *ud)
{
	(void)s;
	struct cp_cb *cc = ud;
	struct checkpoint cp;
	memset(&cp, 0, sizeof cp);
	cp.id = col_u64(res, i, 0);
	cp.run_id = col_u64(res, i, 1);
	cp.seq = col_u64(res, i, 2);
	cp.count = col_u64(res, i, 3);
	cp.time_us = col_u64(res, i, 4);
	snprintf(cp.hash, sizeof cp.hash, "%s", PQgetvalue(res, i, 5));
	snprintf(cp.custody, sizeof cp.custody, "%s", PQgetvalue(res, i, 6));
	cp.final = PQgetvalue(res, i, 7)[0] == 't';
	cp.exit_status = atoi(PQgetvalue(res, i, 8));
	snprintf(cp.summary, sizeof cp.summary, "%s", PQgetvalue(res, i, 9));
	snprintf(cp.key_id, sizeof cp.key_id, "%s", PQgetvalue(res, i, 10));
	snprintf(cp.sig, sizeof cp.sig, "%s", PQgetvalue(res, i, 11));
	return cc->cb(&cp, cc->ud);
}

static int pg_each_checkpoint(struct store *base, store_checkpoint_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	const char *p[1];
	int n = 0;
	char sql[384];
	snprintf(sql, sizeof sql,
		 "SELECT id, run_id, seq, count, time_us, hash, custody, final, exit_status, summary, key_id, signature"
		 " FROM checkpoints WHERE true%s ORDER BY chain, id",
		 chain_cond(s, "AND", 1, p, &n));
	struct cp_cb cc = { cb, ud };
	return each_row(s, sql, n, p, on_cp_row, &cc, "cannot read the checkpoints", errbuf, errlen);
}

static int pg_record_hash(struct store *base, uint64_t seq, char out[HASH_HEX_LEN])
{
	struct pg_store *s = pg(base);
	char seqs[24], err[64];
	out[0] = '\0';
	snprintf(seqs, sizeof seqs, "%" PRIu64, seq);
	const char *p[] = { s->chain, seqs };
	PGresult *res = run(s, "SELECT hash FROM records WHERE chain = $1 AND seq = $2", 2, p, "", err, sizeof err);
	if (!res)
		return -1;
	int rc = 1;
	if (PQntuples(res) == 1) {
		snprintf(out, HASH_HEX_LEN, "%s", PQgetvalue(res, 0, 0));
		rc = 0;
	}
	PQclear(res);
	return rc;
}

static int pg_find_hash(struct store *base, const char *hash, uint64_t *seq)
{
	struct pg_store *s = pg(base);
	char err[64];
	const char *p[] = { s->chain, hash };
	PGresult *res = run(s, "SELECT seq FROM records WHERE chain = $1 AND hash = $2 ORDER BY seq LIMIT 1", 2, p, "",
			    err, sizeof err);
	if (!res)
		return -1;
	int rc = 1;
	if (PQntuples(res) == 1) {
		*seq = col_u64(res, 0, 0);
		rc = 0;
	}
	PQclear(res);
	return rc;
}

/* The columns a record row is read from, in this order. */
#define PG_RECORD_READ \
	"seq, ts_us, type, order_id, target, from_party, to_party, prev_hash, hash, event, counterpart, line"

/*
 * Row i as a record, from its line. problem: NULL, or the first column that is not what
 * the line says (a column outside the hash edited), or "line" when it is not a record.
 */
static const char *read_record(PGresult *res, int i, struct record *r)
{
	const char *line = PQgetvalue(res, i, 11);
	char why[128];
	if (record_from_line(line, (size_t)PQgetlength(res, i, 11), r, why, sizeof why) != 0) {
		memset(r, 0, sizeof *r);
		r->seq = col_u64(res, i, 0);
		r->type = EV__COUNT;
		return "line";
	}
	if (col_u64(res, i, 0) != r->seq)
		return "seq";
	if (col_u64(res, i, 1) != r->ts_us)
		return "ts_us";
	static const char *const names[] = { "type", "order_id", "target", "from_party", "to_party", "prev_hash",
					     "hash", "event", "counterpart" };
	const char *want[] = { event_type_name(r->type), r->order, r->target, r->from, r->to, r->prev_hash,
			       r->hash, r->event, r->counterpart };
	for (int k = 0; k < 9; k++) {
		char *e = esc(want[k]);
		bool same = e && strcmp(e, PQgetvalue(res, i, 2 + k)) == 0;
		free(e);
		if (!same)
			return names[k];
	}
	return NULL;
}

struct rec_cb {
	store_record_fn rcb;
	store_row_fn rowcb;
	void *ud;
	char *errbuf;
	size_t errlen;
};

static int on_record_row(struct pg_store *s, PGresult *res, int i, void *ud)
{
	struct rec_cb *c = ud;
	struct record r;
	const char *problem = read_record(res, i, &r);
	if (c->rowcb)
		return c->rowcb(&r, problem, c->ud);
	if (problem)
		return fail(s, c->errbuf, c->errlen, "record %" PRIu64 ": its %s does not read back", r.seq, problem);
	return c->rcb(&r, c->ud);
}

static int pg_each_row(struct store *base, store_row_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	const char *p[] = { s->chain };
	struct rec_cb c = { .rowcb = cb, .ud = ud, .errbuf = errbuf, .errlen = errlen };
	return each_row(s, "SELECT " PG_RECORD_READ " FROM records WHERE chain = $1 ORDER BY seq", 1, p, on_record_row,
			&c, "cannot read records", errbuf, errlen);
}

static int pg_each(struct store *base, store_record_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	const char *p[1];
	int n = 0;
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT " PG_RECORD_READ " FROM records WHERE true%s ORDER BY %s",
		 chain_cond(s, "AND", 1, p, &n), s->chain[0] ? "seq" : "ts_us, sensor_id, chain, seq");
	struct rec_cb c = { .rcb = cb, .ud = ud, .errbuf = errbuf, .errlen = errlen };
	return each_row(s, sql, n, p, on_record_row, &c, "cannot read records", errbuf, errlen);
}

/* Passes a chain's records while their seqs follow on from the last one passed. */
struct after_cb {
	struct rec_cb c;
	uint64_t next;
};

static int on_after_row(struct pg_store *s, PGresult *res, int i, void *ud)
{
	struct after_cb *a = ud;
	if (col_u64(res, i, 0) != a->next)
		return 1; /* a gap: a record still on its way from a collector */
	a->next++;
	return on_record_row(s, res, i, &a->c);
}

/*
 * One chain's records after a seq (store_use_chain names the chain), up to the first
 * gap: several collectors commit one chain's batches in any order, so a record may be
 * stored before the ones it follows; what is read stops short of it until they are there,
 * so a reader that keeps its position (deliver) never passes a record by.
 */
static int pg_records_after(struct store *base, uint64_t after_seq, size_t max, store_record_fn cb, void *ud,
			    char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	if (!s->chain[0])
		return fail(s, errbuf, errlen, "holds many sensors' chains, each numbered on its own: "
					       "records in seq order are read one chain at a time");
	char after[24], limit[24];
	snprintf(after, sizeof after, "%" PRIu64, after_seq);
	snprintf(limit, sizeof limit, "%zu", max < (size_t)INT32_MAX ? max : (size_t)INT32_MAX);
	const char *p[] = { s->chain, after, limit };
	struct after_cb a = { .c = { .rcb = cb, .ud = ud, .errbuf = errbuf, .errlen = errlen }, .next = after_seq + 1 };
	int rc = each_row(s, "SELECT " PG_RECORD_READ " FROM records WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3",
			  3, p, on_after_row, &a, "cannot read records", errbuf, errlen);
	return rc == 1 ? 0 : rc;
}

static int pg_query(struct store *base, const char *id, uint64_t from_us, uint64_t to_us, store_record_fn cb,
		    void *ud, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	char forms[STORE_QUERY_IDS][PARTY_MAX] = { { 0 } };
	int nforms = store_query_forms(id ? id : "", forms);
	if (nforms == 0)
		return fail(s, errbuf, errlen, "empty identifier");
	char *e[STORE_QUERY_IDS] = { NULL };
	char from[24], to[24];
	snprintf(from, sizeof from, "%" PRIu64, from_us > INT64_MAX ? (uint64_t)INT64_MAX : from_us);
	snprintf(to, sizeof to, "%" PRIu64, to_us > INT64_MAX ? (uint64_t)INT64_MAX : to_us);
	const char *p[STORE_QUERY_IDS + 2];
	int rc = -1;
	for (int i = 0; i < STORE_QUERY_IDS; i++) {
		e[i] = esc(i < nforms ? forms[i] : forms[0]);
		if (!e[i]) {
			fail(s, errbuf, errlen, "out of memory");
			goto out;
		}
		p[i] = e[i];
	}
	p[3] = from;
	p[4] = to;
	struct rec_cb c = { .rcb = cb, .ud = ud, .errbuf = errbuf, .errlen = errlen };
	rc = each_row(s,
		      "SELECT " PG_RECORD_READ " FROM records"
		      " WHERE (target IN ($1, $2, $3) OR from_party IN ($1, $2, $3) OR to_party IN ($1, $2, $3)"
		      "        OR counterpart IN ($1, $2, $3))"
		      "   AND ($4::bigint = 0 OR ts_us >= $4::bigint) AND ($5::bigint = 0 OR ts_us <= $5::bigint)"
		      " ORDER BY ts_us, sensor_id, chain, seq",
		      5, p, on_record_row, &c, "cannot query", errbuf, errlen);
out:
	for (int i = 0; i < STORE_QUERY_IDS; i++)
		free(e[i]);
	return rc;
}

struct chain_cb {
	store_chain_fn cb;
	void *ud;
};

static int on_chain_row(struct pg_store *s, PGresult *res, int i, void *ud)
{
	(void)s;
	struct chain_cb *c = ud;
	char sensor[256];
	unesc(PQgetvalue(res, i, 1), sensor, sizeof sensor);
	struct store_chain ch = {
		.genesis = PQgetvalue(res, i, 0),
		.sensor = sensor,
		.key_id = PQgetvalue(res, i, 2),
		.records = col_u64(res, i, 3),
	};
	return c->cb(&ch, c->ud);
}

static int pg_each_chain(struct store *base, store_chain_fn cb, void *ud, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	struct chain_cb c = { cb, ud };
	return each_row(s,
			"SELECT c.genesis, c.sensor_id, s.key_id,"
			" (SELECT count(*) FROM records r WHERE r.chain = c.genesis)"
			" FROM chains c JOIN sensors s ON s.sensor_id = c.sensor_id ORDER BY c.sensor_id, c.created_us, c.genesis",
			0, NULL, on_chain_row, &c, "cannot read the chains", errbuf, errlen);
}

static int pg_use_chain(struct store *base, const char *genesis, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	if (genesis && strlen(genesis) >= sizeof s->chain)
		return fail(s, errbuf, errlen, "no such chain");
	snprintf(s->chain, sizeof s->chain, "%s", genesis ? genesis : "");
	return 0;
}

/* --- what collect brings --- */

static uint64_t now_us(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
}

/* Counts an upsert's row as stored or already there, and clears r; -1 when r is NULL. */
static int count_row(PGresult *r, struct store_ingest_result *res)
{
	if (!r)
		return -1;
	if (atoi(PQcmdTuples(r)) > 0)
		res->stored++;
	else
		res->duplicates++;
	PQclear(r);
	return 0;
}

static int u64s(char buf[][24], int k, uint64_t v)
{
	snprintf(buf[k], 24, "%" PRIu64, v);
	return k;
}

/*
 * Registers key_sql's row when new, and answers the value held for it: inserted now, or
 * held already. The holder is read by a statement of its own: the inserting one, having
 * waited for another collector's insert of the same row to commit, still has the
 * snapshot from before it (two collectors meeting a new sensor at once each saw none).
 * Caller frees the value; NULL on error.
 */
static char *claim(struct pg_store *s, const char *insert_sql, const char *select_sql, int n,
		   const char *const *params, const char *what, char *errbuf, size_t errlen)
{
	PGresult *res = run(s, insert_sql, n, params, what, errbuf, errlen);
	if (res && PQntuples(res) == 0) {
		PQclear(res);
		res = run(s, select_sql, 1, params, what, errbuf, errlen);
	}
	char *v = res && PQntuples(res) == 1 ? strdup(PQgetvalue(res, 0, 0)) : NULL;
	if (res && !v)
		fail(s, errbuf, errlen, "%s: no row", what);
	PQclear(res);
	return v;
}

/*
 * The item's sensor and chain, registered when new. STORE_INGESTED when they are this
 * sensor's, STORE_SENSOR_REUSED when the sensor id is held by another key or the
 * chain by another sensor; -1 on error.
 */
static int claim_chain(struct pg_store *s, const struct store_ingest *in, char *errbuf, size_t errlen)
{
	char num[2][24];
	u64s(num, 0, now_us());
	char *sensor = esc(in->sensor), *order = esc(in->genesis->order_id), *gsensor = esc(in->genesis->sensor);
	char *key = NULL, *holder = NULL;
	int rc = -1;
	if (!sensor || !order || !gsensor) {
		fail(s, errbuf, errlen, "out of memory");
		goto out;
	}
	const char *p1[] = { sensor, in->key_id, num[0] };
	key = claim(s,
		    "INSERT INTO sensors (sensor_id, key_id, first_seen_us) VALUES ($1, $2, $3)"
		    " ON CONFLICT (sensor_id) DO NOTHING RETURNING key_id",
		    "SELECT key_id FROM sensors WHERE sensor_id = $1", 3, p1, "cannot register the sensor", errbuf, errlen);
	if (!key)
		goto out;
	if (strcmp(key, in->key_id) != 0) {
		rc = STORE_SENSOR_REUSED;
		goto out;
	}
	u64s(num, 1, in->genesis->created_us);
	const char *p2[] = { in->genesis->hash, sensor, order, in->genesis->order_sha256, gsensor, num[1] };
	holder = claim(s,
		       "INSERT INTO chains (genesis, sensor_id, order_id, order_sha256, genesis_sensor, created_us)"
		       " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (genesis) DO NOTHING RETURNING sensor_id",
		       "SELECT sensor_id FROM chains WHERE genesis = $1", 6, p2, "cannot register the chain", errbuf, errlen);
	if (!holder)
		goto out;
	rc = strcmp(holder, sensor) == 0 ? STORE_INGESTED : STORE_SENSOR_REUSED;
out:
	free(key);
	free(holder);
	free(sensor);
	free(order);
	free(gsensor);
	return rc;
}

static int ingest_key(struct pg_store *s, const struct store_ingest *in, struct store_ingest_result *res,
		      char *errbuf, size_t errlen)
{
	char num[1][24];
	u64s(num, 0, now_us());
	const char *p[] = { in->new_key_id ? in->new_key_id : "", in->key_pem ? in->key_pem : "", num[0] };
	return count_row(run(s,
			     "INSERT INTO keys (key_id, public_key, added_us) VALUES ($1, $2, $3)"
			     " ON CONFLICT (key_id) DO NOTHING",
			     3, p, "cannot keep the key", errbuf, errlen),
			 res);
}

static int ingest_run(struct pg_store *s, const struct store_ingest *in, struct store_ingest_result *res,
		      char *errbuf, size_t errlen)
{
	const struct run_info *ri = in->run;
	bool ended = ri->status && strcmp(ri->status, "ended") == 0;
	char num[8][24];
	const char *texts[] = { ri->status, ri->order_id, ri->order_file, ri->order_sha256, ri->captures,
				ri->sigs_version, ri->software_version, ri->sensor_id, ri->key_id, ri->note,
				ri->summary_json };
	enum { NT = sizeof texts / sizeof texts[0] };
	char *e[NT] = { NULL };
	int rc = -1;
	for (size_t k = 0; k < NT; k++)
		if (!(e[k] = esc(texts[k] ? texts[k] : ""))) {
			fail(s, errbuf, errlen, "out of memory");
			goto out;
		}
	u64s(num, 0, ri->id);
	u64s(num, 1, ri->resumes);
	u64s(num, 2, ri->started_us);
	u64s(num, 3, ri->ended_us);
	u64s(num, 4, ri->first_seq);
	u64s(num, 5, ri->last_seq);
	snprintf(num[6], 24, "%d", ri->exit_status);
	const char *p[] = { in->genesis->hash, num[0], e[7], e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[8], e[9],
			    num[1], num[2], ended ? num[3] : NULL, num[4], ended ? num[5] : NULL, e[10],
			    ended ? num[6] : NULL };
	PGresult *r = run(s,
			  "INSERT INTO runs (chain, id, sensor_id, status, order_id, order_file, order_sha256, captures,"
			  " sigs_version, software_version, key_id, note, resumes, started_us, ended_us, first_seq,"
			  " last_seq, summary, exit_status)"
			  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
			  " ON CONFLICT (chain, id) DO UPDATE SET status = EXCLUDED.status, ended_us = EXCLUDED.ended_us,"
			  " last_seq = EXCLUDED.last_seq, summary = EXCLUDED.summary, exit_status = EXCLUDED.exit_status"
			  " WHERE runs.status <> 'ended' AND EXCLUDED.status = 'ended'",
			  19, p, "cannot keep the run", errbuf, errlen);
	rc = count_row(r, res);
out:
	for (size_t k = 0; k < NT; k++)
		free(e[k]);
	return rc;
}

static int ingest_checkpoint(struct pg_store *s, const struct store_ingest *in, struct store_ingest_result *res,
			     char *errbuf, size_t errlen)
{
	const struct checkpoint *cp = in->cp;
	char num[7][24];
	u64s(num, 0, cp->id);
	u64s(num, 1, cp->run_id);
	u64s(num, 2, cp->seq);
	u64s(num, 3, cp->count);
	u64s(num, 4, cp->time_us);
	snprintf(num[5], 24, "%d", cp->exit_status);
	const char *p[] = { in->genesis->hash, num[0], num[1], num[2], num[3], num[4], cp->hash, cp->custody,
			    cp->final ? "true" : "false", num[5], cp->summary, cp->key_id, cp->sig };
	return count_row(run(s,
			     "INSERT INTO checkpoints (chain, id, run_id, seq, count, time_us, hash, custody, final,"
			     " exit_status, summary, key_id, signature)"
			     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
			     " ON CONFLICT (chain, id) DO NOTHING",
			     13, p, "cannot keep the checkpoint", errbuf, errlen),
			 res);
}

/*
 * The records go in by COPY into a temporary table, then one INSERT ... SELECT ... ON
 * CONFLICT (chain, seq) DO NOTHING for the whole batch: a few round trips and one plan
 * per batch instead of a statement of 15 parameters a record. COPY's binary format, so
 * neither side escapes or scans the lines byte by byte (the server still checks that
 * the text is UTF-8). The table goes away at the session's end and is emptied at each
 * commit.
 */
#define PG_RECORD_WRITE \
	"chain, seq, run_id, sensor_id, ts_us, type, order_id, target, from_party, to_party, prev_hash, hash, event," \
	" counterpart, line"

static const char STAGE_MAKE[] = "CREATE TEMP TABLE IF NOT EXISTS pentrap_in (LIKE records) ON COMMIT DELETE ROWS";
static const char STAGE_COPY[] = "COPY pentrap_in (" PG_RECORD_WRITE ") FROM STDIN (FORMAT binary)";
static const char STAGE_INSERT[] = "INSERT INTO records (" PG_RECORD_WRITE ") SELECT " PG_RECORD_WRITE
				   " FROM pentrap_in ON CONFLICT (chain, seq) DO NOTHING";
static const char STAGE_CONFLICTS[] = "SELECT count(*) FROM pentrap_in i JOIN records r ON r.chain = i.chain"
				      " AND r.seq = i.seq AND r.hash <> i.hash";

enum {
	COPY_FLUSH = 1 << 18, /* bytes of COPY data handed to libpq at a time */
	COPY_FIELDS = 15,     /* PG_RECORD_WRITE's */
};

/* COPY data being built (borrowed conn; buf owned). */
struct copy_out {
	PGconn *conn;
	char *buf;
	size_t len, cap;
	bool failed;
};

static bool copy_room(struct copy_out *c, size_t more)
{
	if (c->failed || c->len + more <= c->cap)
		return !c->failed;
	size_t cap = c->cap ? c->cap : COPY_FLUSH + 4096;
	while (cap < c->len + more)
		cap *= 2;
	char *b = realloc(c->buf, cap);
	if (!b) {
		c->failed = true;
		return false;
	}
	c->buf = b;
	c->cap = cap;
	return true;
}

static void copy_flush(struct copy_out *c)
{
	if (!c->failed && c->len && PQputCopyData(c->conn, c->buf, (int)c->len) != 1)
		c->failed = true;
	c->len = 0;
}

/* v big-endian in n bytes (binary COPY's integers). */
static void copy_be(struct copy_out *c, uint64_t v, int n)
{
	if (!copy_room(c, (size_t)n))
		return;
	for (int i = n - 1; i >= 0; i--)
		c->buf[c->len++] = (char)(v >> (8 * i));
}

/* A field: its length, then its n bytes. */
static void copy_bytes(struct copy_out *c, const char *s, size_t n)
{
	copy_be(c, n, 4);
	if (!copy_room(c, n))
		return;
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static void copy_u64(struct copy_out *c, uint64_t v)
{
	copy_be(c, 8, 4);
	copy_be(c, v, 8);
}

/* A party or other searched text escaped as the columns keep it (esc). */
static void copy_text(struct copy_out *c, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		unsigned char u = (unsigned char)s[i];
		if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\') {
			char *e = esc(s); /* rare: most text is plain and kept as it is */
			if (!e)
				c->failed = true;
			else
				copy_bytes(c, e, strlen(e));
			free(e);
			return;
		}
	}
	copy_bytes(c, s, n);
}

static void copy_record(struct copy_out *c, const struct store_ingest *in, size_t i)
{
	const struct record *r = &in->records[i];
	copy_be(c, COPY_FIELDS, 2);
	copy_bytes(c, in->genesis->hash, strlen(in->genesis->hash));
	copy_u64(c, r->seq);
	copy_u64(c, in->run_id);
	copy_text(c, in->sensor);
	copy_u64(c, r->ts_us);
	copy_text(c, event_type_name(r->type));
	copy_text(c, r->order);
	copy_text(c, r->target);
	copy_text(c, r->from);
	copy_text(c, r->to);
	copy_bytes(c, r->prev_hash, strlen(r->prev_hash));
	copy_bytes(c, r->hash, strlen(r->hash));
	copy_text(c, r->event);
	copy_text(c, r->counterpart);
	copy_bytes(c, in->lines[i], strlen(in->lines[i]));
	if (c->len >= COPY_FLUSH)
		copy_flush(c);
}

/* Copies the records of items[which[0..m-1]] into pentrap_in. 0, or -1 with errbuf. */
static int stage(struct pg_store *s, const struct store_ingest *items, const size_t *which, size_t m, char *errbuf,
		 size_t errlen)
{
	PGresult *res = PQexec(s->conn, STAGE_COPY);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_fail(s, errbuf, errlen, "cannot keep the records", res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	static const char signature[11] = "PGCOPY\n\377\r\n"; /* and its NUL */
	struct copy_out c = { .conn = s->conn };
	if (copy_room(&c, sizeof signature)) {
		memcpy(c.buf, signature, sizeof signature);
		c.len = sizeof signature;
	}
	copy_be(&c, 0, 4); /* flags */
	copy_be(&c, 0, 4); /* no header extension */
	for (size_t k = 0; k < m && !c.failed; k++)
		for (size_t i = 0; i < items[which[k]].nrecords && !c.failed; i++)
			copy_record(&c, &items[which[k]], i);
	copy_be(&c, 0xffff, 2); /* the trailer: -1 */
	copy_flush(&c);
	free(c.buf);
	bool said = false;
	if (c.failed) {
		fail(s, errbuf, errlen, "cannot keep the records: out of memory or the connection failed");
		said = true;
	}
	if (PQputCopyEnd(s->conn, c.failed ? "cancelled by pentrap" : NULL) != 1 && !said) {
		db_fail(s, errbuf, errlen, "cannot keep the records", NULL);
		said = true;
	}
	while ((res = PQgetResult(s->conn))) {
		if (!said && PQresultStatus(res) != PGRES_COMMAND_OK) {
			db_fail(s, errbuf, errlen, "cannot keep the records", res);
			said = true;
		}
		PQclear(res);
	}
	return said ? -1 : 0;
}

/* Inserts what is staged: how many were new into *stored. 0, or -1 with errbuf. */
static int insert_staged(struct pg_store *s, uint64_t *stored, char *errbuf, size_t errlen)
{
	PGresult *r = run(s, STAGE_INSERT, 0, NULL, "cannot keep the records", errbuf, errlen);
	if (!r)
		return -1;
	*stored = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

/*
 * One records item on its own (inside its savepoint): the new records stored, those
 * already there counted as duplicates when their hash is the same; STORE_CONFLICT when
 * one is not (the caller rolls the item back). -1 on error.
 */
static int ingest_records_alone(struct pg_store *s, const struct store_ingest *items, size_t i,
				struct store_ingest_result *res, char *errbuf, size_t errlen)
{
	uint64_t stored;
	if (stage(s, items, &i, 1, errbuf, errlen) || insert_staged(s, &stored, errbuf, errlen))
		return -1;
	if (stored < items[i].nrecords) {
		PGresult *r = run(s, STAGE_CONFLICTS, 0, NULL, "cannot keep the records", errbuf, errlen);
		if (!r)
			return -1;
		uint64_t conflicts = col_u64(r, 0, 0);
		PQclear(r);
		if (conflicts)
			return STORE_CONFLICT;
	}
	if (run_ok(s, "DELETE FROM pentrap_in", "cannot keep the records", errbuf, errlen))
		return -1;
	res->stored = stored;
	res->duplicates = items[i].nrecords - stored;
	return STORE_INGESTED;
}

/* A chain claimed (or refused) earlier in this transaction: asked of the database once. */
struct claimed {
	const char *genesis, *sensor, *key_id;
	int outcome;
};

/* A key, run or checkpoint item (their rows are upserts: never refused). 0 or -1. */
static int ingest_one(struct pg_store *s, const struct store_ingest *in, struct store_ingest_result *res,
		      char *errbuf, size_t errlen)
{
	switch (in->kind) {
	case STORE_IN_KEY:
		return ingest_key(s, in, res, errbuf, errlen);
	case STORE_IN_RUN:
		return ingest_run(s, in, res, errbuf, errlen);
	case STORE_IN_CHECKPOINT:
		return ingest_checkpoint(s, in, res, errbuf, errlen);
	case STORE_IN_RECORDS:
		break;
	}
	return fail(s, errbuf, errlen, "unknown item");
}

/*
 * The item's sensor and chain claimed, inside a savepoint so that a refusal leaves
 * nothing; answered from cl[] when this transaction claimed them already.
 * STORE_INGESTED, STORE_SENSOR_REUSED, or -1.
 */
static int claim_once(struct pg_store *s, const struct store_ingest *in, struct claimed *cl, size_t *ncl,
		      char *errbuf, size_t errlen)
{
	for (size_t k = 0; k < *ncl; k++)
		if (strcmp(cl[k].genesis, in->genesis->hash) == 0 && strcmp(cl[k].sensor, in->sensor) == 0 &&
		    strcmp(cl[k].key_id, in->key_id) == 0)
			return cl[k].outcome;
	if (run_ok(s, "SAVEPOINT claim", "cannot begin", errbuf, errlen))
		return -1;
	int rc = claim_chain(s, in, errbuf, errlen);
	if (rc < 0)
		return -1;
	if (run_ok(s, rc == STORE_INGESTED ? "RELEASE SAVEPOINT claim" : "ROLLBACK TO SAVEPOINT claim",
		   "cannot claim the chain", errbuf, errlen))
		return -1;
	cl[*ncl] = (struct claimed){ in->genesis->hash, in->sensor, in->key_id, rc };
	(*ncl)++;
	return rc;
}

/* Every records item kept in *which: all at once, or one by one when some were there. 0 or -1. */
static int ingest_all_records(struct pg_store *s, const struct store_ingest *items, const size_t *which, size_t m,
			      struct store_ingest_result *res, char *errbuf, size_t errlen)
{
	uint64_t total = 0, stored = 0;
	for (size_t k = 0; k < m; k++)
		total += items[which[k]].nrecords;
	if (total == 0)
		return 0;
	if (run_ok(s, "SAVEPOINT records", "cannot begin", errbuf, errlen) ||
	    stage(s, items, which, m, errbuf, errlen) || insert_staged(s, &stored, errbuf, errlen))
		return -1;
	if (stored == total) { /* all new: nothing to tell apart */
		for (size_t k = 0; k < m; k++)
			res[which[k]].stored = items[which[k]].nrecords;
		return run_ok(s, "RELEASE SAVEPOINT records", "cannot commit", errbuf, errlen);
	}
	/* some were there already (a redelivery) or differ (a conflict): item by item */
	if (run_ok(s, "ROLLBACK TO SAVEPOINT records", "cannot roll back", errbuf, errlen))
		return -1;
	for (size_t k = 0; k < m; k++) {
		size_t i = which[k];
		if (run_ok(s, "SAVEPOINT item", "cannot begin", errbuf, errlen))
			return -1;
		int rc = ingest_records_alone(s, items, i, &res[i], errbuf, errlen);
		if (rc < 0)
			return -1;
		res[i].outcome = (enum store_ingest_outcome)rc;
		if (run_ok(s, rc == STORE_INGESTED ? "RELEASE SAVEPOINT item" : "ROLLBACK TO SAVEPOINT item",
			   "cannot commit", errbuf, errlen))
			return -1;
	}
	return 0;
}

static int pg_ingest(struct store *base, const struct store_ingest *items, size_t n,
		     struct store_ingest_result *res, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	if (s->readonly)
		return fail(s, errbuf, errlen, "opened read-only");
	if (PQstatus(s->conn) != CONNECTION_OK) {
		PQreset(s->conn);
		if (PQstatus(s->conn) != CONNECTION_OK)
			return db_fail(s, errbuf, errlen, "cannot connect", NULL);
		PQclear(PQexec(s->conn, "SET client_min_messages = warning"));
		s->staging = false; /* a new session: its temporary table is gone */
	}
	if (n == 0)
		return 0;
	struct claimed *cl = calloc(n, sizeof *cl);
	size_t *which = calloc(n, sizeof *which);
	size_t ncl = 0, m = 0;
	if (!cl || !which) {
		free(cl);
		free(which);
		return fail(s, errbuf, errlen, "out of memory");
	}
	if (run_ok(s, "BEGIN", "cannot begin", errbuf, errlen))
		goto out_free;
	if (!s->staging && run_ok(s, STAGE_MAKE, "cannot keep the records", errbuf, errlen))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		int rc = claim_once(s, &items[i], cl, &ncl, errbuf, errlen);
		if (rc < 0)
			goto fail;
		res[i].outcome = (enum store_ingest_outcome)rc;
		if (rc != STORE_INGESTED)
			continue;
		if (items[i].kind == STORE_IN_RECORDS) {
			which[m++] = i; /* all records at the end, in one go */
			continue;
		}
		if (ingest_one(s, &items[i], &res[i], errbuf, errlen) < 0)
			goto fail;
	}
	if (ingest_all_records(s, items, which, m, res, errbuf, errlen))
		goto fail;
	if (run_ok(s, "COMMIT", "cannot commit", errbuf, errlen))
		goto out_free;
	s->staging = true;
	free(cl);
	free(which);
	return 0;
fail:
	PQclear(PQexec(s->conn, "ROLLBACK"));
out_free:
	free(cl);
	free(which);
	return -1;
}

/* --- named positions (a delivery's progress) --- */

static int pg_cursor_get(struct store *base, const char *name, uint64_t *value, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	char *n = esc(name);
	*value = 0;
	if (!n)
		return fail(s, errbuf, errlen, "out of memory");
	const char *p[] = { n };
	PGresult *r = run(s, "SELECT value FROM cursors WHERE name = $1", 1, p, "cannot read a position", errbuf, errlen);
	free(n);
	if (!r)
		return -1;
	if (PQntuples(r) == 1)
		*value = col_u64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int pg_cursor_set(struct store *base, const char *name, uint64_t value, char *errbuf, size_t errlen)
{
	struct pg_store *s = pg(base);
	char num[1][24];
	char *n = esc(name);
	if (!n)
		return fail(s, errbuf, errlen, "out of memory");
	if (s->readonly) {
		free(n);
		return fail(s, errbuf, errlen, "opened read-only");
	}
	u64s(num, 0, value);
	const char *p[] = { n, num[0] };
	PGresult *r = run(s,
			  "INSERT INTO cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = "
			  "EXCLUDED.value",
			  2, p, "cannot keep a position", errbuf, errlen);
	free(n);
	PQclear(r);
	return r ? 0 : -1;
}

const struct store_backend store_pg_backend = {
	.name = "PostgreSQL",
	.open = pg_open,
	.close = pg_close,
	.last_seq = pg_last_seq,
	.genesis = pg_genesis,
	.key_pem = pg_key_pem,
	.each_run = pg_each_run,
	.each_checkpoint = pg_each_checkpoint,
	.record_hash = pg_record_hash,
	.find_hash = pg_find_hash,
	.query = pg_query,
	.each = pg_each,
	.each_row = pg_each_row,
	.each_chain = pg_each_chain,
	.use_chain = pg_use_chain,
	.records_after = pg_records_after,
	.ingest = pg_ingest,
	.migrate = pg_migrate,
	.cursor_get = pg_cursor_get,
	.cursor_set = pg_cursor_set,
};
