/*
 * report_data.c — what a report shows, gathered once: the selected records in time
 * order, the parties and the pairs between them (an event recorded twice, once per
 * target, counts once), the runs' custody, and the chain's verification status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/pow2.h"
#include "record/store.h"
#include "record/verify.h"
#include "report/report.h"

enum { MAX_REPORT_RECORDS = 2000000 };

enum report_kind report_kind_of(enum event_type t)
{
	switch (t) {
	case EV_CALL_ATTEMPT:
		return KIND_CALL;
	case EV_SMS:
		return KIND_SMS;
	case EV_OTT_MESSAGE:
		return KIND_APP_MESSAGE;
	case EV_OTT_CALL_BEGIN:
		return KIND_APP_CALL;
	case EV_CALL_ANSWER:
	case EV_CALL_END:
	case EV_OTT_CALL_END:
	case EV_OTT_SESSION_END:
		return KIND__COUNT; /* later steps of an event already counted */
	default:
		return KIND_OTHER;
	}
}

const char *report_kind_name(enum report_kind k)
{
	static const char *const names[KIND__COUNT] = { "calls", "SMS", "app messages", "app calls", "other" };
	return (unsigned)k < KIND__COUNT ? names[k] : "other";
}

struct load_ctx {
	const struct report_options *opt;
	struct report_data *d;
	size_t cap;
	int too_many;
};

/* Keeps the first problem verify reports, for the banner. */
struct verify_lines {
	char first[400];
};

static void on_verify_line(void *ud, bool problem, const char *line)
{
	struct verify_lines *vl = ud;
	if (problem && !vl->first[0])
		snprintf(vl->first, sizeof vl->first, "%s", line);
}

static int selected(const struct report_options *opt, const struct record *r)
{
	if (opt->order_id && strcmp(r->order, opt->order_id) != 0)
		return 0;
	if (opt->from_us && r->ts_us < opt->from_us)
		return 0;
	if (opt->to_us && r->ts_us > opt->to_us)
		return 0;
	if (opt->ntargets == 0)
		return 1;
	for (size_t i = 0; i < opt->ntargets; i++)
		if (strcmp(r->target, opt->targets[i]) == 0)
			return 1;
	return 0;
}

static int on_record(const struct record *r, void *ud)
{
	struct load_ctx *lc = ud;
	if (!selected(lc->opt, r))
		return 0;
	struct report_data *d = lc->d;
	if (d->nrecs == MAX_REPORT_RECORDS) {
		lc->too_many = 1;
		return 0;
	}
	if (d->nrecs == lc->cap) {
		size_t ncap = lc->cap ? lc->cap * 2 : 256;
		struct record *n = realloc(d->recs, ncap * sizeof *n);
		if (!n)
			return -1;
		d->recs = n;
		lc->cap = ncap;
	}
	d->recs[d->nrecs++] = *r;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Parties live in an open-addressed hash on their id. */
struct party_index {
	size_t *slots; /* index+1, 0 empty */
	size_t nslots;
};

static size_t party_get(struct report_data *d, struct party_index *ix, const char *id, size_t *cap)
{
	size_t i = hash_str(id) & (ix->nslots - 1);
	while (ix->slots[i]) {
		size_t p = ix->slots[i] - 1;
		if (strcmp(d->parties[p].id, id) == 0)
			return p;
		i = (i + 1) & (ix->nslots - 1);
	}
	if (d->nparties == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->parties = realloc(d->parties, *cap * sizeof *d->parties);
	}
	struct report_party *p = &d->parties[d->nparties];
	memset(p, 0, sizeof *p);
	snprintf(p->id, sizeof p->id, "%s", id);
	ix->slots[i] = ++d->nparties;
	return d->nparties - 1;
}

/* Pairs live in a second open-addressed hash on the unordered pair of party indices. */
static struct report_pair *pair_get(struct report_data *d, struct party_index *ix, size_t a, size_t b,
				    size_t *cap)
{
	size_t lo = a < b ? a : b, hi = a < b ? b : a;
	size_t i = (size_t)((lo * 0x9e3779b97f4a7c15ull) ^ (hi * 0xc2b2ae3d27d4eb4full)) & (ix->nslots - 1);
	while (ix->slots[i]) {
		struct report_pair *p = &d->pairs[ix->slots[i] - 1];
		if ((p->a == a && p->b == b) || (p->a == b && p->b == a))
			return p;
		i = (i + 1) & (ix->nslots - 1);
	}
	if (d->npairs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->pairs = realloc(d->pairs, *cap * sizeof *d->pairs);
	}
	struct report_pair *p = &d->pairs[d->npairs];
	memset(p, 0, sizeof *p);
	p->a = a;
	p->b = b;
	ix->slots[i] = ++d->npairs;
	return p;
}

static int same_event(const struct record *x, const struct record *y)
{
	return x->ts_us == y->ts_us && x->type == y->type && strcmp(x->from, y->from) == 0 &&
	       strcmp(x->to, y->to) == 0 && strcmp(x->call_id, y->call_id) == 0;
}

static int build_graph(struct report_data *d, unsigned max_nodes)
{
	size_t pcap = 0, paircap = 0;
	struct party_index ix = { NULL, 1 }, pix;
	/* at most two parties and one pair per record, plus targets: a quarter full at most */
	ix.nslots = pow2_at_least((uint32_t)(4 * (2 * d->nrecs + 16)), 1);
	pix.nslots = ix.nslots;
	ix.slots = calloc(ix.nslots, sizeof *ix.slots);
	pix.slots = calloc(pix.nslots, sizeof *pix.slots);
	if (!ix.slots || !pix.slots) {
		free(ix.slots);
		free(pix.slots);
		return -1;
	}
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct record *r = &d->recs[i];
		size_t t = party_get(d, &ix, r->target, &pcap); /* may move d->parties */
		d->parties[t].is_target = 1;
		if (i > 0 && same_event(r, &d->recs[i - 1]))
			continue; /* the same event recorded for a second target */
		if (!r->from[0] || !r->to[0])
			continue;
		size_t a = party_get(d, &ix, r->from, &pcap), b = party_get(d, &ix, r->to, &pcap);
		struct report_pair *p = pair_get(d, &pix, a, b, &paircap);
		enum report_kind kind = report_kind_of(r->type);
		if (kind < KIND__COUNT)
			p->count[kind]++;
		if ((r->type == EV_CALL_END || r->type == EV_OTT_CALL_END) && r->duration_us > 0)
			p->call_us += r->duration_us;
		if (!p->first_us || r->ts_us < p->first_us)
			p->first_us = r->ts_us;
		if (r->ts_us > p->last_us)
			p->last_us = r->ts_us;
		d->parties[a].interactions++;
		d->parties[b].interactions++;
	}
	free(ix.slots);
	free(pix.slots);
	/* Targets always drawn; then their contacts by how much they interacted, up to the cap. */
	size_t drawn = 0;
	for (size_t i = 0; i < d->nparties; i++)
		if (d->parties[i].is_target) {
			d->parties[i].drawn = 1;
			drawn++;
		}
	for (;;) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < d->nparties; i++)
			if (!d->parties[i].drawn && (best == SIZE_MAX ||
						     d->parties[i].interactions > d->parties[best].interactions))
				best = i;
		if (best == SIZE_MAX)
			break;
		if (drawn >= max_nodes) {
			for (size_t i = 0; i < d->nparties; i++)
				d->hidden_nodes += !d->parties[i].drawn;
			break;
		}
		d->parties[best].drawn = 1;
		drawn++;
	}
	return 0;
}

/* Every run's custody (a central store: every sensor's), in the store's order. */
static int keep_run(const struct run_info *ri, void *ud)
{
	struct report_data *d = ud;
	struct report_run *runs = realloc(d->runs, (d->nruns + 1) * sizeof *runs);
	if (!runs)
		return -1;
	d->runs = runs;
	struct report_run *r = &d->runs[d->nruns++];
	memset(r, 0, sizeof *r);
	r->id = ri->id;
	snprintf(r->sensor_id, sizeof r->sensor_id, "%s", ri->sensor_id ? ri->sensor_id : "");
	snprintf(r->order_id, sizeof r->order_id, "%s", ri->order_id ? ri->order_id : "");
	snprintf(r->order_file, sizeof r->order_file, "%s", ri->order_file ? ri->order_file : "");
	snprintf(r->order_sha256, sizeof r->order_sha256, "%s", ri->order_sha256 ? ri->order_sha256 : "");
	r->captures = strdup(ri->captures ? ri->captures : "[]");
	snprintf(r->sigs_version, sizeof r->sigs_version, "%s", ri->sigs_version ? ri->sigs_version : "");
	snprintf(r->software_version, sizeof r->software_version, "%s", ri->software_version ? ri->software_version : "");
	r->started_us = ri->started_us;
	r->ended_us = ri->ended_us;
	r->first_seq = ri->first_seq;
	r->last_seq = ri->last_seq;
	return r->captures ? 0 : -1;
}

/* Verification of every chain the store holds (one in an SQLite store). */
struct verify_all {
	struct store *s;
	struct verify_lines vl;
	uint64_t records, checkpoints, problems;
	int rc;
	char err[256];
};

static int verify_chain(const struct store_chain *c, void *ud)
{
	struct verify_all *va = ud;
	struct verify_options vo = { .max_problems = 1 };
	struct verify_result vr;
	if (store_use_chain(va->s, c->genesis, va->err, sizeof va->err) != 0 ||
	    verify_store(va->s, &vo, on_verify_line, &va->vl, &vr, va->err, sizeof va->err) != 0) {
		va->rc = -1;
		return 1;
	}
	va->records += vr.records;
	va->checkpoints += vr.checkpoints;
	va->problems += vr.problems;
	return 0;
}

int report_data_load(const struct report_options *opt, struct report_data *d, char *errbuf, size_t errlen)
{
	memset(d, 0, sizeof *d);
	struct store *s = NULL;
	if (!store_is_central(opt->db_path)) {
		FILE *probe = fopen(opt->db_path, "rb");
		if (!probe) {
			snprintf(errbuf, errlen, "%s: cannot open store: no such file", opt->db_path);
			return -1;
		}
		fclose(probe);
	}
	if (store_open_readonly(opt->db_path, &s, errbuf, errlen) != 0)
		return -1;
	d->central = store_is_central(opt->db_path);
	struct load_ctx lc = { .opt = opt, .d = d };
	int rc = store_each(s, on_record, &lc, errbuf, errlen);
	if (rc == 0 && store_each_run(s, keep_run, d, errbuf, errlen) != 0)
		rc = 1;
	/* The whole store is verified as `pentrap verify` would, with the keys it holds:
	 * every chain of a central store. */
	struct verify_all va = { .s = s };
	int vrc = rc == 0 ? store_each_chain(s, verify_chain, &va, va.err, sizeof va.err) : 0;
	if (vrc == 0)
		vrc = va.rc;
	store_close(s);
	if (rc != 0) {
		if (rc > 0)
			snprintf(errbuf, errlen, "%s: out of memory reading records", opt->db_path);
		return -1;
	}
	qsort(d->recs, d->nrecs, sizeof *d->recs, by_time);
	if (build_graph(d, opt->max_nodes ? opt->max_nodes : 120) != 0) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	if (vrc != 0 || va.problems) {
		snprintf(d->verify_status, sizeof d->verify_status, "FAILED");
		snprintf(d->verify_message, sizeof d->verify_message, "%llu problem(s); the first: %s",
			 (unsigned long long)(vrc != 0 ? 1 : va.problems), vrc != 0 ? va.err : va.vl.first);
	} else {
		snprintf(d->verify_status, sizeof d->verify_status, "verified");
		snprintf(d->verify_message, sizeof d->verify_message,
			 "the chain of %llu records and %llu signed checkpoints holds (checked with the keys kept "
			 "in the store; `pentrap verify --pubkey` checks against a key given separately)%s",
			 (unsigned long long)va.records, (unsigned long long)va.checkpoints,
			 lc.too_many ? "; the report shows the first 2,000,000 records" : "");
	}
	return 0;
}

void report_data_free(struct report_data *d)
{
	free(d->recs);
	free(d->parties);
	free(d->pairs);
	for (size_t i = 0; i < d->nruns; i++)
		free(d->runs[i].captures);
	free(d->runs);
	memset(d, 0, sizeof *d);
}
