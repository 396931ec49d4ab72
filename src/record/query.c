/*
 * query.c — the full record of one identifier (query.h): the backend's indexed query,
 * and a pass over every record in the time range for what only the evidence says.
 */
#include "record/query.h"

#include <stdlib.h>
#include <string.h>

#include "record/json_read.h"
#include "record/record_vec.h"
#include "record/store_backend.h"

enum { EVIDENCE_TOKENS = 128 };

bool query_addr_parse(const char *id, struct ip_addr *net, unsigned *len)
{
	char text[ADDR_STRLEN + 8];
	if (strlen(id) >= sizeof text)
		return false;
	snprintf(text, sizeof text, "%s", id);
	char *slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (addr_parse(text, net) != 0)
		return false;
	unsigned max = net->family == 4 ? 32 : 128;
	*len = max;
	if (!slash)
		return true;
	const char *d = slash + 1;
	size_t nd = strspn(d, "0123456789");
	if (nd == 0 || nd > 3 || d[nd] != '\0' || (unsigned)atoi(d) > max)
		return false;
	*len = (unsigned)atoi(d);
	return true;
}

/* What a record is looked for by. */
struct wanted {
	bool is_addr;
	struct ip_addr net;
	unsigned len;
	char forms[STORE_QUERY_IDS][PARTY_MAX];
	int nforms;
};

/* Whether text is an address (or a prefix ADDR/LEN wholly) inside net/len. */
static bool text_in(const char *text, const struct wanted *w)
{
	struct ip_addr a;
	unsigned alen;
	return text[0] && query_addr_parse(text, &a, &alen) && alen >= w->len && a.family == w->net.family &&
	       addr_in_prefix(&a, &w->net, w->len);
}

static bool text_is_form(const char *text, const struct wanted *w)
{
	for (int i = 0; i < w->nforms; i++)
		if (strcmp(text, w->forms[i]) == 0)
			return true;
	return false;
}

/* The string member key of the object obj matches: an address inside, or one of the forms. */
static bool member_matches(const struct json_doc *d, long obj, const char *key, const struct wanted *w)
{
	long v = obj < 0 ? -1 : json_get(d, (size_t)obj, key);
	char text[PARTY_MAX];
	if (v < 0 || json_string(d, (size_t)v, text, sizeof text) < 0)
		return false;
	return w->is_addr ? text_in(text, w) : text_is_form(text, w);
}

/* What only the evidence can say: the subscriber behind a party, or the target's address. */
static bool evidence_matches(const struct record *r, const struct wanted *w)
{
	struct json_token tok[EVIDENCE_TOKENS];
	struct json_doc d;
	size_t n = strnlen(r->evidence, sizeof r->evidence);
	if (json_parse(r->evidence, n, tok, EVIDENCE_TOKENS, &d) <= 0 || tok[0].type != JSON_OBJECT)
		return false;
	long subs[2] = { json_get(&d, 0, "from_subscriber"), json_get(&d, 0, "to_subscriber") };
	if (w->is_addr)
		return member_matches(&d, subs[0], "addr", w) || member_matches(&d, subs[1], "addr", w) ||
		       member_matches(&d, 0, "src", w) || member_matches(&d, 0, "dst", w);
	static const char *const ids[] = { "msisdn", "imsi", "sip" };
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
			if (member_matches(&d, subs[s], ids[i], w))
				return true;
	return false;
}

struct found {
	const struct wanted *w;
	uint64_t from_us, to_us;
	bool scanning;           /* the pass over every record (else: the indexed query's rows) */
	size_t indexed;          /* rows the indexed query gave (the first ones of found) */
	struct record_vec found;
	bool oom;
};

static bool have(const struct found *f, const struct record *r)
{
	for (size_t i = 0; i < f->indexed; i++)
		if (strcmp(f->found.v[i].hash, r->hash) == 0 && f->found.v[i].seq == r->seq)
			return true;
	return false;
}

static int keep(const struct record *r, void *ud)
{
	struct found *f = ud;
	if (f->scanning) {
		if ((f->from_us && r->ts_us < f->from_us) || (f->to_us && r->ts_us > f->to_us))
			return 0;
		bool match = f->w->is_addr ? text_in(r->from, f->w) || text_in(r->to, f->w) || text_in(r->target, f->w) ||
						     evidence_matches(r, f->w)
					   : evidence_matches(r, f->w) && !have(f, r);
		if (!match)
			return 0;
	}
	if (record_vec_push(&f->found, r) != 0) {
		f->oom = true;
		return 1;
	}
	return 0;
}

int query_run(struct store *s, const char *id, uint64_t from_us, uint64_t to_us, store_record_fn cb, void *ud,
	      char *errbuf, size_t errlen)
{
	struct wanted w = { 0 };
	w.is_addr = query_addr_parse(id, &w.net, &w.len);
	if (!w.is_addr && (w.nforms = store_query_forms(id, w.forms)) == 0) {
		snprintf(errbuf, errlen, "%s: empty identifier", id);
		return -1;
	}
	struct found f = { .w = &w, .from_us = from_us, .to_us = to_us };
	int rc = w.is_addr ? 0 : s->be->query(s, id, from_us, to_us, keep, &f, errbuf, errlen);
	f.indexed = f.found.n;
	f.scanning = true;
	if (rc == 0 && !f.oom)
		rc = store_each(s, keep, &f, errbuf, errlen);
	if (f.oom) {
		snprintf(errbuf, errlen, "out of memory");
		rc = -1;
	}
	if (rc == 0) {
		record_vec_sort_time(&f.found);
		for (size_t i = 0; i < f.found.n && rc == 0; i++)
			rc = cb(&f.found.v[i], ud);
	}
	free(f.found.v);
	return rc;
}
