/*
 * report_data.c — what a report shows, gathered once: the selected records in time
 * order, the parties and the pairs between them (an event recorded twice, once per
 * target, counts once), the runs' custody, and the chain's verification status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"
#include "core/hash.h"
#include "core/pow2.h"
#include "record/json_read.h"
#include "record/record_vec.h"
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
	default:
		return KIND__COUNT; /* no contact, or a later step of one already counted */
	}
}

const char *report_kind_name(enum report_kind k)
{
	static const char *const names[KIND__COUNT] = { "calls", "SMS", "app messages", "app calls" };
	return (unsigned)k < KIND__COUNT ? names[k] : "";
}

const char *report_kind_key(enum report_kind k)
{
	static const char *const keys[KIND__COUNT] = { "calls", "sms", "app_messages", "app_calls" };
	return (unsigned)k < KIND__COUNT ? keys[k] : "";
}

const char *report_dest_kind_name(enum report_dest_kind k)
{
	static const char *const names[DEST__COUNT] = { "app service", "access point", "DNS resolver", "host",
							 "registrar" };
	return (unsigned)k < DEST__COUNT ? names[k] : "";
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
	struct record_vec rv = { d->recs, d->nrecs, lc->cap };
	int rc = record_vec_push(&rv, r);
	d->recs = rv.v;
	d->nrecs = rv.n;
	lc->cap = rv.cap;
	return rc;
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

/* A set of 64-bit keys (events counted, per target), open addressing, never full. */
struct key_set {
	uint64_t *slot;
	size_t mask;
};

/* True when key was there; adds it either way. */
static bool key_seen(struct key_set *s, uint64_t key)
{
	key |= 1;
	size_t i = key & s->mask;
	while (s->slot[i]) {
		if (s->slot[i] == key)
			return true;
		i = (i + 1) & s->mask;
	}
	s->slot[i] = key;
	return false;
}

/* The record's event: its id; a record of a version-2 store (no id) is an event by its fields. */
static uint64_t event_key(const struct record *r)
{
	if (r->event[0])
		return hash64_str(r->event);
	char text[4 * PARTY_MAX];
	snprintf(text, sizeof text, "%llu|%d|%s|%s|%s", (unsigned long long)r->ts_us, (int)r->type, r->from, r->to,
		 r->call_id);
	return hash64_str(text);
}

/* Parties of the graph are people: never an app service or a network address. */
static bool is_person(const char *party)
{
	struct ip_addr a;
	return party[0] && strncmp(party, "service:", 8) != 0 && addr_parse(party, &a) != 0 && !strchr(party, '/');
}

static const char *device_of(const struct record *r)
{
	return strcmp(r->direction, "out") == 0 ? r->from : r->to;
}

/*
 * One person, one node: a target's IMSI and its MSISDN, as the evidence of its records
 * names them together (from_subscriber / to_subscriber: an access binding said so). MAP
 * names an SMS's recipient by IMSI at delivery; without this, the person it went to
 * would be a second node. Only targets' pairs are in the evidence (minimisation), so
 * only targets are merged.
 */
struct sim_alias {
	char imsi[24], msisdn[24];
};

struct alias_table {
	struct sim_alias *v;
	size_t n, cap;
};

static int alias_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sim_alias *)a)->imsi, ((const struct sim_alias *)b)->imsi);
}

/* Adds the IMSI-MSISDN pair of the evidence's subscriber object at index obj, when it has both. */
static int alias_add(struct alias_table *t, const struct json_doc *doc, long obj)
{
	struct sim_alias a;
	long m = obj >= 0 ? json_get(doc, (size_t)obj, "msisdn") : -1, i = obj >= 0 ? json_get(doc, (size_t)obj, "imsi") : -1;
	if (m < 0 || i < 0 || json_string(doc, (size_t)m, a.msisdn, sizeof a.msisdn) <= 0 ||
	    json_string(doc, (size_t)i, a.imsi, sizeof a.imsi) <= 0 || strncmp(a.imsi, "imsi:", 5) != 0)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct sim_alias *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = a;
	return 0;
}

/* The table of every pair the records' evidence names, sorted by IMSI (the last one of an IMSI wins). */
static int alias_build(struct alias_table *t, const struct report_data *d)
{
	struct json_token tok[128];
	struct json_doc doc;
	for (size_t r = 0; r < d->nrecs; r++) {
		const char *ev = d->recs[r].evidence;
		if (!strstr(ev, "_subscriber\""))
			continue;
		if (json_parse(ev, strnlen(ev, sizeof d->recs[r].evidence), tok, 128, &doc) <= 0 || tok[0].type != JSON_OBJECT)
			continue;
		if (alias_add(t, &doc, json_get(&doc, 0, "from_subscriber")) != 0 ||
		    alias_add(t, &doc, json_get(&doc, 0, "to_subscriber")) != 0)
			return -1;
	}
	/* stable by IMSI then by position, so the last pair of an IMSI is the one kept */
	size_t k = 0;
	if (t->n) {
		qsort(t->v, t->n, sizeof *t->v, alias_cmp);
		for (size_t i = 0; i < t->n; i++)
			if (k == 0 || strcmp(t->v[k - 1].imsi, t->v[i].imsi) != 0)
				t->v[k++] = t->v[i];
	}
	t->n = k;
	return 0;
}

/* party as the graph names it: a target's IMSI as its MSISDN when the evidence paired them. */
static const char *alias_of(const struct alias_table *t, const char *party)
{
	struct sim_alias key;
	size_t len = strlen(party);
	if (t->n == 0 || strncmp(party, "imsi:", 5) != 0 || len >= sizeof key.imsi)
		return party;
	memcpy(key.imsi, party, len + 1);
	const struct sim_alias *a = bsearch(&key, t->v, t->n, sizeof *t->v, alias_cmp);
	return a ? a->msisdn : party;
}

/* Destinations live in a third hash on (target, kind, name). */
struct dest_index {
	size_t *slots;
	size_t nslots;
	size_t cap;
};

static void dest_add(struct report_data *d, struct dest_index *ix, size_t target, enum report_dest_kind kind,
		     const char *name, const struct record *r, bool new_event)
{
	char key[PARTY_MAX + 32];
	snprintf(key, sizeof key, "%zu|%d|%s", target, (int)kind, name);
	size_t i = hash64_str(key) & (ix->nslots - 1);
	struct report_dest *e = NULL;
	while (ix->slots[i]) {
		struct report_dest *x = &d->dests[ix->slots[i] - 1];
		if (x->target == target && x->kind == kind && strcmp(x->name, name) == 0) {
			e = x;
			break;
		}
		i = (i + 1) & (ix->nslots - 1);
	}
	if (!e) {
		if (d->ndests == ix->cap) {
			ix->cap = ix->cap ? ix->cap * 2 : 64;
			d->dests = realloc(d->dests, ix->cap * sizeof *d->dests);
		}
		e = &d->dests[d->ndests];
		memset(e, 0, sizeof *e);
		e->target = target;
		e->kind = kind;
		snprintf(e->name, sizeof e->name, "%s", name);
		ix->slots[i] = ++d->ndests;
	}
	if (new_event)
		e->events++;
	if (!e->first_us || r->ts_us < e->first_us)
		e->first_us = r->ts_us;
	if (r->ts_us > e->last_us)
		e->last_us = r->ts_us;
}

/* The evidence's remote name (DNS, SNI), or "". */
static void evidence_name(const struct record *r, char *out, size_t len)
{
	struct json_token tok[128];
	struct json_doc doc;
	out[0] = '\0';
	long v;
	if (json_parse(r->evidence, strnlen(r->evidence, sizeof r->evidence), tok, 128, &doc) > 0 &&
	    tok[0].type == JSON_OBJECT && (v = json_get(&doc, 0, "name")) >= 0)
		json_string(&doc, (size_t)v, out, len);
}

/*
 * What a record that is no contact between people says of its target: the app
 * services, access points, resolvers, hosts and registrars it used.
 */
static void target_used(struct report_data *d, struct dest_index *ix, size_t t, const struct record *r,
			bool new_event)
{
	const char *far = strcmp(r->direction, "out") == 0 ? r->to : r->from;
	char name[128];
	switch (r->type) {
	case EV_OTT_SESSION_BEGIN:
	case EV_OTT_MESSAGE:
	case EV_OTT_CALL_BEGIN:
		dest_add(d, ix, t, DEST_APP, r->service[0] ? r->service : far, r, new_event);
		break;
	case EV_DATA_SESSION_BEGIN:
		dest_add(d, ix, t, DEST_ACCESS, far[0] ? far : r->protocol, r, new_event);
		break;
	case EV_REGISTRATION:
		dest_add(d, ix, t, DEST_REGISTRAR, far, r, new_event);
		break;
	case EV_FLOW:
		if (strcmp(r->protocol, "dns") == 0) {
			dest_add(d, ix, t, DEST_DNS, far, r, new_event);
			break;
		}
		evidence_name(r, name, sizeof name);
		dest_add(d, ix, t, DEST_HOST, name[0] ? name : far, r, new_event);
		break;
	default:
		break;
	}
}

/* A target's IMSI node with nothing of its own: its person is drawn as the MSISDN's node. */
static bool merged_away(const struct report_party *p)
{
	return p->same_as[0] && p->interactions == 0;
}

static int build_graph(struct report_data *d, unsigned max_nodes)
{
	size_t pcap = 0, paircap = 0;
	struct party_index ix = { NULL, 1 }, pix;
	struct dest_index dix = { NULL, 1, 0 };
	struct key_set events = { NULL, 0 }, target_events = { NULL, 0 };
	struct alias_table alias = { NULL, 0, 0 };
	int rc = -1;
	/* at most two parties, one pair, one destination and two keys per record, plus
	 * targets: a quarter full at most */
	ix.nslots = pow2_at_least((uint32_t)(4 * (2 * d->nrecs + 16)), 1);
	pix.nslots = dix.nslots = ix.nslots;
	events.mask = target_events.mask = ix.nslots - 1;
	ix.slots = calloc(ix.nslots, sizeof *ix.slots);
	pix.slots = calloc(pix.nslots, sizeof *pix.slots);
	dix.slots = calloc(dix.nslots, sizeof *dix.slots);
	events.slot = calloc(ix.nslots, sizeof *events.slot);
	target_events.slot = calloc(ix.nslots, sizeof *target_events.slot);
	if (!ix.slots || !pix.slots || !dix.slots || !events.slot || !target_events.slot || alias_build(&alias, d) != 0)
		goto out;
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct record *r = &d->recs[i];
		size_t t = party_get(d, &ix, r->target, &pcap); /* may move d->parties */
		if (!d->parties)
			goto out;
		d->parties[t].is_target = 1;
		uint64_t ev = event_key(r);
		bool new_event = !key_seen(&events, ev);
		d->events += new_event;
		bool new_for_target = !key_seen(&target_events, ev ^ hash64_str(r->target) * 0x9e3779b97f4a7c15ull);
		d->parties[t].events += new_for_target;
		/* who with whom: calls and SMS by their parties; app messages and calls by the
		 * counterpart pairing found (inferred), else they are the target's app use */
		enum report_kind kind = report_kind_of(r->type);
		bool app = r->type == EV_OTT_MESSAGE || r->type == EV_OTT_CALL_BEGIN || r->type == EV_OTT_CALL_END;
		const char *pa = alias_of(&alias, app ? device_of(r) : r->from);
		const char *pb = alias_of(&alias, app ? r->counterpart : r->to);
		bool contact = is_person(pa) && is_person(pb) && strcmp(pa, pb) != 0 &&
			       (kind < KIND__COUNT || r->type == EV_CALL_END || r->type == EV_OTT_CALL_END);
		if (!contact) {
			target_used(d, &dix, t, r, new_for_target);
			if (!d->dests && d->ndests)
				goto out;
			continue;
		}
		if (!new_event)
			continue; /* the same event, recorded for a second target or seen twice */
		size_t a = party_get(d, &ix, pa, &pcap), b = party_get(d, &ix, pb, &pcap);
		struct report_pair *p = pair_get(d, &pix, a, b, &paircap);
		if (!d->parties || !d->pairs)
			goto out;
		if ((r->type == EV_CALL_END || r->type == EV_OTT_CALL_END) && r->duration_us > 0)
			p->call_us += r->duration_us;
		if (kind == KIND__COUNT)
			continue;
		p->count[kind]++;
		p->inferred[kind] += app;
		if (!p->first_us || r->ts_us < p->first_us)
			p->first_us = r->ts_us;
		if (r->ts_us > p->last_us)
			p->last_us = r->ts_us;
		d->parties[a].interactions++;
		d->parties[b].interactions++;
	}
	/* a target the order named by IMSI whose MSISDN is a target too: the same person, and
	 * its contacts are drawn on the MSISDN's node; the IMSI's node is left out of the picture */
	for (size_t i = 0; i < d->nparties; i++) {
		struct report_party *p = &d->parties[i];
		const char *same = alias_of(&alias, p->id);
		if (same != p->id)
			memcpy(p->same_as, same, sizeof p->same_as); /* a sim_alias's msisdn, of that size */
	}
	/* Targets always drawn (but an IMSI merged into its MSISDN's node); then their
	 * contacts by how much they interacted, up to the cap. */
	size_t drawn = 0;
	for (size_t i = 0; i < d->nparties; i++)
		if (d->parties[i].is_target && !merged_away(&d->parties[i])) {
			d->parties[i].drawn = 1;
			drawn++;
		}
	for (;;) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < d->nparties; i++)
			if (!d->parties[i].drawn && !merged_away(&d->parties[i]) && (best == SIZE_MAX ||
						     d->parties[i].interactions > d->parties[best].interactions))
				best = i;
		if (best == SIZE_MAX)
			break;
		if (drawn >= max_nodes) {
			for (size_t i = 0; i < d->nparties; i++)
				d->hidden_nodes += !d->parties[i].drawn && !merged_away(&d->parties[i]);
			break;
		}
		d->parties[best].drawn = 1;
		drawn++;
	}
	rc = 0;
out:
	free(alias.v);
	free(ix.slots);
	free(pix.slots);
	free(dix.slots);
	free(events.slot);
	free(target_events.slot);
	return rc;
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
	record_vec_sort_time(&(struct record_vec){ d->recs, d->nrecs, lc.cap });
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
	free(d->dests);
	free(d->parties);
	free(d->pairs);
	for (size_t i = 0; i < d->nruns; i++)
		free(d->runs[i].captures);
	free(d->runs);
	memset(d, 0, sizeof *d);
}
