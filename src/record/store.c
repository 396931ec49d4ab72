/*
 * store.c — the store's front: picks the backend by the store's name (store_backend.h)
 * and forwards each call; an operation the backend lacks is one line saying so.
 */
#include "record/store_backend.h"
#include "record/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/addr.h"
#include "core/errbuf.h"
#include "core/party.h"

bool store_is_central(const char *where)
{
	return where && (strncasecmp(where, "postgresql://", 13) == 0 || strncasecmp(where, "postgres://", 11) == 0);
}

static const struct store_backend *backend_for(const char *where)
{
	return store_is_central(where) ? &store_pg_backend : &store_sqlite_backend;
}

int store_open(const char *path, struct store **out, char *errbuf, size_t errlen)
{
	return backend_for(path)->open(path, false, out, errbuf, errlen);
}

int store_open_readonly(const char *path, struct store **out, char *errbuf, size_t errlen)
{
	return backend_for(path)->open(path, true, out, errbuf, errlen);
}

int store_migrated_from(const struct store *s)
{
	return s->be->migrated_from ? s->be->migrated_from(s) : 0;
}

const char *store_name(const struct store *s)
{
	return s->where;
}

void store_close(struct store *s)
{
	if (s)
		s->be->close(s);
}

int store_fail(const struct store *s, char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errbuf_vset(errbuf, errlen, s->where, 0, fmt, ap);
	va_end(ap);
	return -1;
}

/* The line for an operation this backend does not have. */
static int lacks(const struct store *s, const char *what, char *errbuf, size_t errlen)
{
	return store_fail(s, errbuf, errlen, "the %s store %s", s->be->name, what);
}

#define NEEDS(s, op, what)                                          \
	do {                                                        \
		if (!(s)->be->op)                                   \
			return lacks(s, what, errbuf, errlen);      \
	} while (0)

static const char WRITTEN_BY_COLLECT[] =
	"is written by 'pentrap collect' (a sensor records into its own SQLite store: docs/scale.md)";

uint64_t store_last_seq(struct store *s, char last_hash[HASH_HEX_LEN])
{
	if (!s->be->last_seq) {
		if (last_hash)
			last_hash[0] = '\0';
		return 0;
	}
	return s->be->last_seq(s, last_hash);
}

/* A sink whose every write fails with one line (a backend that a run cannot write). */
struct refused_sink {
	char line[512];
};

static int refused_write(void *impl, const struct record *r, char *errbuf, size_t errlen)
{
	(void)r;
	snprintf(errbuf, errlen, "%s", ((struct refused_sink *)impl)->line);
	return -1;
}

static int refused_flush(void *impl, char *errbuf, size_t errlen)
{
	(void)impl;
	(void)errbuf;
	(void)errlen;
	return 0;
}

static void refused_close(void *impl)
{
	free(impl);
}

static const struct record_sink_ops refused_ops = {
	.name = "refused",
	.write = refused_write,
	.flush = refused_flush,
	.close = refused_close,
};

struct record_sink store_sink(struct store *s)
{
	if (s->be->sink)
		return s->be->sink(s);
	struct refused_sink *r = calloc(1, sizeof *r);
	if (r)
		lacks(s, WRITTEN_BY_COLLECT, r->line, sizeof r->line);
	return (struct record_sink){ .ops = &refused_ops, .impl = r };
}

void store_set_unsealed(struct store *s)
{
	if (s->be->set_unsealed)
		s->be->set_unsealed(s);
}

int store_genesis(struct store *s, struct chain_genesis *g, char *errbuf, size_t errlen)
{
	return s->be->genesis(s, g, errbuf, errlen);
}

int store_set_genesis(struct store *s, const struct chain_genesis *g, char *errbuf, size_t errlen)
{
	NEEDS(s, set_genesis, WRITTEN_BY_COLLECT);
	return s->be->set_genesis(s, g, errbuf, errlen);
}

int store_add_key(struct store *s, const char *key_id, const char *pem, char *errbuf, size_t errlen)
{
	NEEDS(s, add_key, WRITTEN_BY_COLLECT);
	return s->be->add_key(s, key_id, pem, errbuf, errlen);
}

char *store_key_pem(struct store *s, const char *key_id)
{
	return s->be->key_pem(s, key_id);
}

int store_begin_run(struct store *s, struct run_info *ri, char *errbuf, size_t errlen)
{
	NEEDS(s, begin_run, WRITTEN_BY_COLLECT);
	return s->be->begin_run(s, ri, errbuf, errlen);
}

int store_add_run(struct store *s, const struct run_info *ri, char *errbuf, size_t errlen)
{
	NEEDS(s, add_run, WRITTEN_BY_COLLECT);
	return s->be->add_run(s, ri, errbuf, errlen);
}

int store_each_run(struct store *s, store_run_fn cb, void *ud, char *errbuf, size_t errlen)
{
	return s->be->each_run(s, cb, ud, errbuf, errlen);
}

int store_each_checkpoint(struct store *s, store_checkpoint_fn cb, void *ud, char *errbuf, size_t errlen)
{
	return s->be->each_checkpoint(s, cb, ud, errbuf, errlen);
}

int store_record_hash(struct store *s, uint64_t seq, char out[HASH_HEX_LEN])
{
	return s->be->record_hash(s, seq, out);
}

int store_find_hash(struct store *s, const char *hash, uint64_t *seq)
{
	return s->be->find_hash(s, hash, seq);
}

int store_query(struct store *s, const char *id, uint64_t from_us, uint64_t to_us, store_record_fn cb, void *ud,
		char *errbuf, size_t errlen)
{
	return query_run(s, id ? id : "", from_us, to_us, cb, ud, errbuf, errlen);
}

int store_each(struct store *s, store_record_fn cb, void *ud, char *errbuf, size_t errlen)
{
	return s->be->each(s, cb, ud, errbuf, errlen);
}

int store_each_row(struct store *s, store_row_fn cb, void *ud, char *errbuf, size_t errlen)
{
	return s->be->each_row(s, cb, ud, errbuf, errlen);
}

int store_each_chain(struct store *s, store_chain_fn cb, void *ud, char *errbuf, size_t errlen)
{
	return s->be->each_chain(s, cb, ud, errbuf, errlen);
}

int store_use_chain(struct store *s, const char *genesis, char *errbuf, size_t errlen)
{
	return s->be->use_chain ? s->be->use_chain(s, genesis, errbuf, errlen) : 0;
}

int store_cursor_get(struct store *s, const char *name, uint64_t *value, char *errbuf, size_t errlen)
{
	NEEDS(s, cursor_get, "keeps no positions");
	return s->be->cursor_get(s, name, value, errbuf, errlen);
}

int store_cursor_set(struct store *s, const char *name, uint64_t value, char *errbuf, size_t errlen)
{
	NEEDS(s, cursor_set, "keeps no positions");
	return s->be->cursor_set(s, name, value, errbuf, errlen);
}

int store_binding_add(struct store *s, uint64_t ts_us, const char *text, char *errbuf, size_t errlen)
{
	NEEDS(s, binding_add, "spools no identity bindings (a sensor's SQLite store does)");
	return s->be->binding_add(s, ts_us, text, errbuf, errlen);
}

int store_each_binding(struct store *s, uint64_t after_id, size_t max, store_binding_fn cb, void *ud,
		       char *errbuf, size_t errlen)
{
	NEEDS(s, each_binding, "spools no identity bindings (a sensor's SQLite store does)");
	return s->be->each_binding(s, after_id, max, cb, ud, errbuf, errlen);
}

int store_records_after(struct store *s, uint64_t after_seq, size_t max, store_record_fn cb, void *ud,
			char *errbuf, size_t errlen)
{
	NEEDS(s, records_after, "cannot read records in seq order");
	return s->be->records_after(s, after_seq, max, cb, ud, errbuf, errlen);
}

int store_ingest(struct store *s, const struct store_ingest *items, size_t n, struct store_ingest_result *res,
		 char *errbuf, size_t errlen)
{
	NEEDS(s, ingest, "is a sensor's own store: 'pentrap collect' writes a PostgreSQL store (--db postgresql://...)");
	return s->be->ingest(s, items, n, res, errbuf, errlen);
}

int store_migrate(struct store *s, struct store_migration_report *rep, char *errbuf, size_t errlen)
{
	NEEDS(s, migrate, "has a fixed format (docs/records.md); 'pentrap db migrate' is for PostgreSQL");
	return s->be->migrate(s, rep, errbuf, errlen);
}

int store_query_forms(const char *id, char forms[STORE_QUERY_IDS][PARTY_MAX])
{
	char text[PARTY_MAX], fmt[ADDR_STRLEN];
	struct ip_addr a;
	snprintf(text, sizeof text, "%s", id);
	char *slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (addr_parse(text, &a) == 0) {
		unsigned max = a.family == 4 ? 32 : 128;
		addr_format(&a, fmt, sizeof fmt);
		if (!slash) {
			snprintf(forms[0], PARTY_MAX, "%s", fmt);
			snprintf(forms[1], PARTY_MAX, "%s/%u", fmt, max);
			return 2;
		}
		const char *d = slash + 1;
		size_t nd = strspn(d, "0123456789");
		if (nd > 0 && nd <= 3 && d[nd] == '\0' && (unsigned)atoi(d) <= max) {
			unsigned len = (unsigned)atoi(d);
			snprintf(forms[0], PARTY_MAX, "%s/%u", fmt, len);
			if (len == max) {
				snprintf(forms[1], PARTY_MAX, "%s", fmt);
				return 2;
			}
			return 1;
		}
	}
	/* an order's "sip: 101@host" has no scheme: it is that SIP address */
	char with_scheme[PARTY_MAX];
	if (!strchr(id, ':') && strchr(id, '@') && !strchr(id, '<') &&
	    (size_t)snprintf(with_scheme, sizeof with_scheme, "sip:%s", id) < sizeof with_scheme)
		id = with_scheme;
	party_normalise(id, strlen(id), forms[0], PARTY_MAX);
	if (forms[0][0] == '\0')
		snprintf(forms[0], PARTY_MAX, "%s", id);
	if (forms[0][0] == '\0')
		return 0;
	/* bare digits (spaces and dashes between them allowed): a number, or an IMSI */
	char digits[PARTY_MAX];
	size_t nd = 0;
	for (const char *p = forms[0]; *p && nd + 1 < sizeof digits; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
		else if (*p != ' ' && *p != '-' && *p != '.')
			return 1;
	digits[nd] = '\0';
	if (nd == 0 || nd + 6 > PARTY_MAX)
		return 1;
	memcpy(forms[0], digits, nd + 1);
	forms[1][0] = '+';
	memcpy(forms[1] + 1, digits, nd + 1);
	memcpy(forms[2], "imsi:", 5);
	memcpy(forms[2] + 5, digits, nd + 1);
	return 3;
}
