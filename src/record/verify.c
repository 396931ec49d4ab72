/*
 * verify.c — checks a store's evidence (docs/evidence.md) and says what is wrong and
 * where.
 *
 * 1. The genesis: its inputs must hash to it; the first record links to it.
 * 2. Every record, in seq order: its columns must be what writing it would have stored,
 *    and its fields must hash to its stored hash. A record that hashes right under
 *    another seq was moved: a run of moved records whose written seqs are a permutation
 *    of their places was reordered, otherwise renumbered (after a deletion or an
 *    insertion). Each record's prev_hash must be the hash of the record before it: where
 *    it is not, the record it does link to (if any) tells an insertion from a deletion.
 *    A gap in seq is a deletion.
 * 3. Every checkpoint: its signature (with the given public keys, or the ones kept in
 *    the store), and that the record it covers is there with the hash and count it
 *    signed: a checkpoint beyond the last record means the store was truncated. Records
 *    after the last checkpoint were never sealed by pentrap (it commits records only
 *    with a checkpoint), so they were added afterwards.
 * 4. Every run: its custody must hash to what its checkpoints signed; an ended run has a
 *    final checkpoint that signed its end; a run without one was interrupted (a note).
 *
 * Memory: the checkpoints and runs are held (a checkpoint per 1000 records); records are
 * streamed. Alternative seqs for a moved record are tried within VERIFY_SHIFT_WINDOW.
 */
#include "record/verify.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/vec.h"

enum {
	VERIFY_SHIFT_WINDOW = 64, /* a record moved further than this is reported as edited */
	RUN_CAP = 64,             /* moved records remembered for the reorder test */
	PENDING_CAP = 8,          /* link messages held while a moved run is open */
	LINE_MAX = 512,
	DEFAULT_MAX_PROBLEMS = 50,
};

struct cp_state {
	struct checkpoint cp;
	bool present;             /* record cp.seq is in the store */
	uint64_t count_at;        /* records in the store up to cp.seq */
	char hash_at[HASH_HEX_LEN];
};

struct run_state {
	uint64_t id, last_seq, ended_us, resumes;
	int exit_status;
	bool ended;
	char custody[HASH_HEX_LEN];
	char summary[HASH_HEX_LEN];
	char key_id[SIGN_KEY_ID_LEN];
	bool custody_reported, key_reported;
	const struct checkpoint *final_cp;
	uint64_t signed_to;       /* highest seq one of its checkpoints covers */
	uint64_t resumed_by;
};

struct key_entry {
	char id[SIGN_KEY_ID_LEN];
	struct sign_key *owned;     /* loaded from the store */
	const struct sign_key *key; /* NULL: not usable */
};

struct vctx {
	struct store *s;
	const struct verify_options *opt;
	verify_line_fn out;
	void *ud;
	struct verify_result *res;
	size_t max_problems;
	uint64_t first_problem_seq; /* lowest seq a record problem was found at */
	uint64_t last_unmoved_seq;  /* highest seq of a record not explained as renumbered */
	/* the row before */
	bool have_prev;
	uint64_t p_seq, p_written;
	char p_hash[HASH_HEX_LEN];
	int64_t last_shift;
	/* an open run of moved records */
	bool in_run;
	uint64_t run_a, run_b;
	uint64_t run_written[RUN_CAP];
	size_t run_n;
	bool run_uniform;
	int64_t run_d;
	char pending[PENDING_CAP][LINE_MAX];
	size_t npending;
	bool last_run_reordered;
	uint64_t last_run_a, last_run_b;
	/* checkpoints sorted by seq, and the next one the walk reaches */
	struct cp_state *cps;
	size_t ncps, cps_cap, cp_next;
	struct run_state *runs;
	size_t nruns, runs_cap;
	struct key_entry keys[VERIFY_MAX_KEYS];
	size_t nkeys;
	bool read_failed;
};

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void say(struct vctx *v, bool problem, uint64_t seq, const char *fmt, ...)
{
	char line[LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (problem) {
		v->res->problems++;
		if (seq && seq < v->first_problem_seq)
			v->first_problem_seq = seq;
		if (v->res->problems > v->max_problems) {
			if (v->res->problems == v->max_problems + 1)
				v->out(v->ud, true, "... more problems are counted but not listed");
			return;
		}
	}
	v->out(v->ud, problem, line);
}

static void hash_short(const char *h, char out[17])
{
	/* the first 16 hex digits, enough to tell hashes apart in a message */
	size_t n = strnlen(h, 16);
	memcpy(out, h, n);
	out[n] = '\0';
}

/* --- records --- */

enum row_status { ROW_OK, ROW_EDITED, ROW_MOVED };

/* The seq under which r's fields hash to its stored hash: seq itself, another, or 0. */
static uint64_t written_seq(struct vctx *v, const struct record *r)
{
	char h[HASH_HEX_LEN];
	chain_hash_record(r, h);
	if (strcmp(h, r->hash) == 0)
		return r->seq;
	struct record alt = *r;
	int64_t tries[2 * VERIFY_SHIFT_WINDOW + 1];
	size_t n = 0;
	if (v->last_shift)
		tries[n++] = v->last_shift;
	for (int64_t d = 1; d <= VERIFY_SHIFT_WINDOW; d++) {
		tries[n++] = -d;
		tries[n++] = d;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t d = tries[i];
		if (d < 0 && (uint64_t)(-d) >= r->seq)
			continue;
		alt.seq = (uint64_t)((int64_t)r->seq + d);
		chain_hash_record(&alt, h);
		if (strcmp(h, r->hash) == 0) {
			v->last_shift = d;
			return alt.seq;
		}
	}
	return 0;
}

static void emit_or_hold(struct vctx *v, uint64_t seq, const char *line)
{
	if (v->in_run && v->npending < PENDING_CAP) {
		snprintf(v->pending[v->npending++], LINE_MAX, "%s", line);
		if (seq && seq < v->first_problem_seq)
			v->first_problem_seq = seq;
		return;
	}
	say(v, true, seq, "%s", line);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Closes the run of moved records: reordered, or renumbered. */
static void end_run(struct vctx *v)
{
	if (!v->in_run)
		return;
	v->in_run = false;
	size_t len = (size_t)(v->run_b - v->run_a + 1);
	bool reordered = false;
	if (v->run_n == len && len <= RUN_CAP) {
		uint64_t sorted[RUN_CAP];
		memcpy(sorted, v->run_written, len * sizeof sorted[0]);
		qsort(sorted, len, sizeof sorted[0], cmp_u64);
		reordered = true;
		for (size_t i = 0; i < len; i++)
			if (sorted[i] != v->run_a + i)
				reordered = false;
	}
	v->last_run_reordered = reordered;
	v->last_run_a = v->run_a;
	v->last_run_b = v->run_b;
	if (reordered) {
		char detail[256] = "";
		size_t o = 0;
		for (size_t i = 0; i < len && i < 4 && o < sizeof detail; i++)
			o += (size_t)snprintf(detail + o, sizeof detail - o, "%sseq %" PRIu64 " holds the record written as %" PRIu64,
					      i ? ", " : "", v->run_a + i, v->run_written[i]);
		say(v, true, v->run_a, "records %" PRIu64 "..%" PRIu64 ": reordered (%s%s)", v->run_a, v->run_b,
		    detail, len > 4 ? ", ..." : "");
		v->npending = 0; /* their broken links are the reordering itself */
		return;
	}
	for (size_t i = 0; i < v->npending; i++)
		say(v, true, 0, "%s", v->pending[i]);
	v->npending = 0;
	if (v->run_uniform)
		say(v, true, v->run_a, "records %" PRIu64 "..%" PRIu64 ": renumbered: each was written with a seq %" PRIu64
		    " %s", v->run_a, v->run_b, (uint64_t)(v->run_d < 0 ? -v->run_d : v->run_d),
		    v->run_d < 0 ? "lower" : "higher");
	else
		say(v, true, v->run_a, "records %" PRIu64 "..%" PRIu64 ": moved from where they were written (seq %" PRIu64
		    " was written as %" PRIu64 ")", v->run_a, v->run_b, v->run_a, v->run_written[0]);
}

/* Records the checkpoints the walk passes: present with hash and count, or missing. */
static void pass_checkpoints(struct vctx *v, const struct record *r)
{
	while (v->cp_next < v->ncps && v->cps[v->cp_next].cp.seq <= r->seq) {
		struct cp_state *c = &v->cps[v->cp_next++];
		if (c->cp.seq == r->seq) {
			c->present = true;
			c->count_at = v->res->records;
			memcpy(c->hash_at, r->hash, sizeof c->hash_at);
		} else {
			c->count_at = v->res->records - 1;
		}
	}
}

/* Why r does not link to the row before it. */
static void diagnose_link(struct vctx *v, const struct record *r, enum row_status st, uint64_t written)
{
	char line[LINE_MAX];
	uint64_t j = 0;
	int found = r->prev_hash[0] ? store_find_hash(v->s, r->prev_hash, &j) : 1;
	if (found < 0) {
		v->read_failed = true;
		return;
	}
	if (found == 0 && v->last_run_reordered && j >= v->last_run_a && j <= v->last_run_b &&
	    v->p_seq == v->last_run_b)
		return; /* the link out of a reordered run: already said */
	if (found == 0 && v->have_prev && j < v->p_seq) {
		if (j + 1 == v->p_seq)
			snprintf(line, sizeof line, "record %" PRIu64 ": inserted: not part of the chain (record %" PRIu64
				 " links to record %" PRIu64 ")", v->p_seq, r->seq, j);
		else
			snprintf(line, sizeof line, "records %" PRIu64 "..%" PRIu64 ": inserted: not part of the chain (record %" PRIu64
				 " links to record %" PRIu64 ")", j + 1, v->p_seq, r->seq, j);
		emit_or_hold(v, j + 1, line);
	} else if (found == 0 && j > r->seq) {
		snprintf(line, sizeof line, "record %" PRIu64 ": out of order: it links to record %" PRIu64 ", stored after it",
			 r->seq, j);
		emit_or_hold(v, r->seq, line);
	} else if (!v->have_prev) {
		snprintf(line, sizeof line, "record %" PRIu64 ": does not link to the store's genesis", r->seq);
		emit_or_hold(v, r->seq, line);
	} else if (st == ROW_MOVED && written > v->p_written + 1) {
		snprintf(line, sizeof line, "%" PRIu64 " record%s deleted between seq %" PRIu64 " and %" PRIu64
			 " (the records after %s renumbered)", written - v->p_written - 1,
			 written - v->p_written - 1 == 1 ? "" : "s", v->p_seq, r->seq,
			 written - v->p_written - 1 == 1 ? "it were" : "them were");
		emit_or_hold(v, r->seq, line);
	} else {
		snprintf(line, sizeof line, "record %" PRIu64 ": does not link to record %" PRIu64
			 ": records between them were deleted, or record %" PRIu64 " was edited and its hash recomputed",
			 r->seq, v->p_seq, v->p_seq);
		emit_or_hold(v, v->p_seq, line);
	}
}

static int on_row(const struct record *r, const char *problem, void *ud)
{
	struct vctx *v = ud;
	v->res->records++;
	if (v->res->records == 1)
		v->res->first_seq = r->seq;
	v->res->last_seq = r->seq;
	pass_checkpoints(v, r);

	enum row_status st = ROW_OK;
	uint64_t written = r->seq;
	if (problem) {
		st = ROW_EDITED;
	} else {
		written = written_seq(v, r);
		st = written == r->seq ? ROW_OK : written ? ROW_MOVED : ROW_EDITED;
	}
	bool gap = v->have_prev ? r->seq != v->p_seq + 1 : r->seq != 1;
	const char *expect = v->have_prev ? v->p_hash : v->res->genesis.hash;
	bool link_ok = strcmp(r->prev_hash, expect) == 0;

	/* runs of moved records */
	if (st == ROW_MOVED && !gap) {
		int64_t d = (int64_t)written - (int64_t)r->seq;
		if (!v->in_run) {
			v->in_run = true;
			v->run_a = r->seq;
			v->run_n = 0;
			v->run_uniform = true;
			v->run_d = d;
			v->npending = 0;
		} else if (d != v->run_d) {
			v->run_uniform = false;
		}
		v->run_b = r->seq;
		if (v->run_n < RUN_CAP)
			v->run_written[v->run_n++] = written;
		else
			v->run_n = RUN_CAP + 1; /* too long to be a reordering we can show */
	} else if (v->in_run) {
		end_run(v);
	}

	if (st == ROW_EDITED) {
		if (problem)
			say(v, true, r->seq, "record %" PRIu64 ": edited: column %s does not match the record's hashed fields",
			    r->seq, problem);
		else
			say(v, true, r->seq, "record %" PRIu64 ": edited: its fields do not hash to its stored hash", r->seq);
	}
	if (gap) {
		uint64_t from = v->have_prev ? v->p_seq + 1 : 1, to = r->seq - 1;
		if (r->seq <= (v->have_prev ? v->p_seq : 0))
			say(v, true, r->seq, "record %" PRIu64 ": seq out of order", r->seq);
		else if (from == to)
			say(v, true, from, "record %" PRIu64 ": deleted (seq jumps from %" PRIu64 " to %" PRIu64 ")", from,
			    v->have_prev ? v->p_seq : 0, r->seq);
		else
			say(v, true, from, "records %" PRIu64 "..%" PRIu64 ": deleted (seq jumps from %" PRIu64 " to %" PRIu64 ")",
			    from, to, v->have_prev ? v->p_seq : 0, r->seq);
	} else if (!link_ok) {
		diagnose_link(v, r, st, written);
	}
	if (!v->in_run)
		v->last_run_reordered = false; /* it excuses only the link out of the run */
	if (st != ROW_MOVED)
		v->last_unmoved_seq = r->seq;
	v->have_prev = true;
	v->p_seq = r->seq;
	v->p_written = st == ROW_MOVED ? written : r->seq;
	memcpy(v->p_hash, r->hash, sizeof v->p_hash);
	return v->read_failed ? -1 : 0;
}

/* --- checkpoints, keys and runs --- */

static int collect_cp(const struct checkpoint *cp, void *ud)
{
	struct vctx *v = ud;
	if (!vec_grow(&v->cps, &v->cps_cap, v->ncps + 1, sizeof *v->cps, 64))
		return -1;
	struct cp_state *c = &v->cps[v->ncps++];
	memset(c, 0, sizeof *c);
	c->cp = *cp;
	return 0;
}

static int cmp_cp(const void *a, const void *b)
{
	const struct cp_state *x = a, *y = b;
	if (x->cp.seq != y->cp.seq)
		return x->cp.seq < y->cp.seq ? -1 : 1;
	return x->cp.id < y->cp.id ? -1 : x->cp.id > y->cp.id;
}

static int collect_run(const struct run_info *ri, void *ud)
{
	struct vctx *v = ud;
	if (!vec_grow(&v->runs, &v->runs_cap, v->nruns + 1, sizeof *v->runs, 16))
		return -1;
	struct run_state *r = &v->runs[v->nruns++];
	memset(r, 0, sizeof *r);
	r->id = ri->id;
	r->last_seq = ri->last_seq;
	r->ended_us = ri->ended_us;
	r->resumes = ri->resumes;
	r->exit_status = ri->exit_status;
	r->ended = strcmp(ri->status, "ended") == 0;
	snprintf(r->key_id, sizeof r->key_id, "%s", ri->key_id ? ri->key_id : "");
	chain_custody_hash(ri, r->custody);
	const char *sum = ri->summary_json ? ri->summary_json : "";
	chain_sha256_hex(sum, strlen(sum), r->summary);
	return 0;
}

static struct run_state *find_run(struct vctx *v, uint64_t id)
{
	for (size_t i = 0; i < v->nruns; i++)
		if (v->runs[i].id == id)
			return &v->runs[i];
	return NULL;
}

/* The key a checkpoint names: a given public key, or the one kept in the store. */
static const struct sign_key *key_for(struct vctx *v, const char *key_id, const char **why)
{
	for (size_t i = 0; i < v->nkeys; i++)
		if (strcmp(v->keys[i].id, key_id) == 0) {
			*why = v->opt->npubkeys ? "it is not the given public key" : "its public key is not in the store";
			return v->keys[i].key;
		}
	if (v->nkeys == VERIFY_MAX_KEYS) {
		*why = "too many keys";
		return NULL;
	}
	struct key_entry *k = &v->keys[v->nkeys++];
	snprintf(k->id, sizeof k->id, "%s", key_id);
	if (v->opt->npubkeys) {
		*why = "it is not the given public key";
		for (size_t i = 0; i < v->opt->npubkeys; i++) {
			char id[SIGN_KEY_ID_LEN];
			sign_key_id(v->opt->pubkeys[i], id);
			if (strcmp(id, key_id) == 0)
				k->key = v->opt->pubkeys[i];
		}
		return k->key;
	}
	*why = "its public key is not in the store";
	char *pem = store_key_pem(v->s, key_id);
	char err[256];
	if (pem && sign_key_from_public_pem(pem, &k->owned, err, sizeof err) == 0) {
		char id[SIGN_KEY_ID_LEN];
		sign_key_id(k->owned, id);
		if (strcmp(id, key_id) == 0)
			k->key = k->owned;
		else
			*why = "the public key kept under its id is another key";
	}
	free(pem);
	return k->key;
}

static void note_key(struct verify_result *res, const char *id)
{
	for (size_t i = 0; i < res->nkeys; i++)
		if (strcmp(res->keys[i], id) == 0)
			return;
	if (res->nkeys < VERIFY_MAX_KEYS)
		snprintf(res->keys[res->nkeys++], SIGN_KEY_ID_LEN, "%s", id);
}

static void check_checkpoints(struct vctx *v)
{
	struct verify_result *res = v->res;
	const struct cp_state *beyond = NULL;
	uint64_t covered = 0;
	char ts[TS_STRLEN], kid[17];
	for (size_t i = 0; i < v->ncps; i++) {
		struct cp_state *c = &v->cps[i];
		const struct checkpoint *cp = &c->cp;
		const char *why = "";
		ts_format(cp->time_us, ts, sizeof ts);
		hash_short(cp->key_id, kid);
		const struct sign_key *key = key_for(v, cp->key_id, &why);
		if (!key) {
			say(v, true, 0, "checkpoint at seq %" PRIu64 " (run %" PRIu64 ", %s): bad signature: signed by key %s, but %s",
			    cp->seq, cp->run_id, ts, kid, why);
		} else if (!chain_checkpoint_verify(cp, res->genesis.hash, key)) {
			say(v, true, 0, "checkpoint at seq %" PRIu64 " (run %" PRIu64 ", %s): bad signature: what it says "
			    "(seq, hash, count, time, run, custody or the store's genesis) is not what key %s signed",
			    cp->seq, cp->run_id, ts, kid);
		} else {
			res->signatures_good++;
			note_key(res, cp->key_id);
			if (cp->seq >= res->last_cp.seq)
				res->last_cp = *cp;
		}
		if (cp->seq > covered)
			covered = cp->seq;
		bool explained = v->first_problem_seq <= cp->seq;
		if (cp->seq == 0) {
			if (strcmp(cp->hash, res->genesis.hash) != 0)
				say(v, true, 0, "checkpoint at seq 0 (run %" PRIu64 "): does not name the store's genesis", cp->run_id);
		} else if (!c->present) {
			if (cp->seq > res->last_seq)
				beyond = c;
			else if (!explained)
				say(v, true, cp->seq, "checkpoint at seq %" PRIu64 ": record %" PRIu64 " is missing", cp->seq, cp->seq);
		} else if (strcmp(c->hash_at, cp->hash) != 0) {
			if (!explained)
				say(v, true, cp->seq, "checkpoint at seq %" PRIu64 ": record %" PRIu64 " is not the record it signed: "
				    "records up to %" PRIu64 " were rewritten and re-chained", cp->seq, cp->seq, cp->seq);
		} else if (c->count_at != cp->count && !explained) {
			say(v, true, cp->seq, "checkpoint at seq %" PRIu64 ": it signed %" PRIu64 " records up to it, the store has %" PRIu64,
			    cp->seq, cp->count, c->count_at);
		}
	}
	if (beyond) {
		ts_format(beyond->cp.time_us, ts, sizeof ts);
		if (res->records)
			say(v, true, res->last_seq + 1, "truncated: the store ends at seq %" PRIu64 ", but the checkpoint at seq %" PRIu64
			    " (%s) covers records up to %" PRIu64 ": records %" PRIu64 "..%" PRIu64 " were removed",
			    res->last_seq, beyond->cp.seq, ts, beyond->cp.seq, res->last_seq + 1, beyond->cp.seq);
		else
			say(v, true, 1, "truncated: the store has no records, but the checkpoint at seq %" PRIu64
			    " (%s) covers records 1..%" PRIu64, beyond->cp.seq, ts, beyond->cp.seq);
	}
	/* Records past the last checkpoint, unless they are only renumbered ones (said). */
	if (res->records && res->last_seq > covered && v->last_unmoved_seq > covered) {
		uint64_t from = covered + 1 > res->first_seq ? covered + 1 : res->first_seq;
		char which[64];
		if (from == res->last_seq)
			snprintf(which, sizeof which, "record %" PRIu64, from);
		else
			snprintf(which, sizeof which, "records %" PRIu64 "..%" PRIu64, from, res->last_seq);
		if (covered)
			say(v, true, from, "%s: not covered by any signed checkpoint (the last covers up to seq %" PRIu64
			    "): added after pentrap sealed the store", which, covered);
		else
			say(v, true, from, "%s: not covered by any signed checkpoint: added outside pentrap", which);
	}
}

static void check_runs(struct vctx *v)
{
	char ts[TS_STRLEN];
	for (size_t i = 0; i < v->ncps; i++) {
		const struct checkpoint *cp = &v->cps[i].cp;
		struct run_state *r = find_run(v, cp->run_id);
		if (!r) {
			say(v, true, 0, "checkpoint at seq %" PRIu64 ": its run %" PRIu64 " is not in the store (its custody "
			    "was removed)", cp->seq, cp->run_id);
			continue;
		}
		if (strcmp(cp->custody, r->custody) != 0 && !r->custody_reported) {
			r->custody_reported = true;
			say(v, true, 0, "run %" PRIu64 ": custody edited: its order, captures, sensor, key, note, start or "
			    "versions are not what its checkpoints signed", r->id);
		}
		if (strcmp(cp->key_id, r->key_id) != 0 && !r->key_reported) {
			char a[17], b[17];
			hash_short(cp->key_id, a);
			hash_short(r->key_id, b);
			r->key_reported = true;
			say(v, true, 0, "checkpoint at seq %" PRIu64 ": signed by key %s, but run %" PRIu64 "'s custody names key %s",
			    cp->seq, a, r->id, b);
		}
		if (cp->seq > r->signed_to)
			r->signed_to = cp->seq;
		if (cp->final)
			r->final_cp = cp;
	}
	for (size_t i = 0; i < v->nruns; i++)
		if (v->runs[i].resumes) {
			struct run_state *old = find_run(v, v->runs[i].resumes);
			if (old)
				old->resumed_by = v->runs[i].id;
		}
	for (size_t i = 0; i < v->nruns; i++) {
		struct run_state *r = &v->runs[i];
		const struct checkpoint *f = r->final_cp;
		if (r->ended && !f) {
			say(v, true, 0, "run %" PRIu64 ": recorded as ended, but its final checkpoint is missing", r->id);
		} else if (f && (!r->ended || f->seq != r->last_seq || f->time_us != r->ended_us ||
				 f->exit_status != r->exit_status || strcmp(f->summary, r->summary) != 0)) {
			say(v, true, 0, "run %" PRIu64 ": its end (status, last seq, end time, exit status or summary) is not "
			    "what its final checkpoint signed", r->id);
		} else if (!r->ended) {
			char by[64] = "";
			if (r->resumed_by)
				snprintf(by, sizeof by, "; resumed by run %" PRIu64, r->resumed_by);
			if (r->signed_to)
				say(v, false, 0, "run %" PRIu64 ": interrupted (no end was recorded); its records up to seq %" PRIu64
				    " are signed%s", r->id, r->signed_to, by);
			else
				say(v, false, 0, "run %" PRIu64 ": interrupted before its first checkpoint (or still running)%s",
				    r->id, by);
		}
		(void)ts;
	}
}

static void check_genesis(struct vctx *v, int has)
{
	struct verify_result *res = v->res;
	if (has == 0) {
		if (v->ncps || v->nruns)
			say(v, true, 0, "genesis: missing from the store's meta table (removed)");
		return;
	}
	struct chain_genesis g = res->genesis;
	chain_genesis_hash(&g);
	if (strcmp(g.hash, res->genesis.hash) != 0)
		say(v, true, 0, "genesis: edited: its order, sensor or creation time do not hash to it");
}

int verify_store(struct store *s, const struct verify_options *opt, verify_line_fn out, void *ud,
		 struct verify_result *res, char *errbuf, size_t errlen)
{
	struct vctx v;
	int rc = -1;
	memset(&v, 0, sizeof v);
	memset(res, 0, sizeof *res);
	v.s = s;
	v.opt = opt;
	v.out = out;
	v.ud = ud;
	v.res = res;
	v.max_problems = opt->max_problems ? opt->max_problems : DEFAULT_MAX_PROBLEMS;
	v.first_problem_seq = UINT64_MAX;
	if (errlen)
		errbuf[0] = '\0';

	int has = store_genesis(s, &res->genesis, errbuf, errlen);
	if (has < 0)
		goto out;
	res->has_genesis = has == 1;
	if (store_each_checkpoint(s, collect_cp, &v, errbuf, errlen) != 0 ||
	    store_each_run(s, collect_run, &v, errbuf, errlen) != 0) {
		if (!errbuf[0])
			snprintf(errbuf, errlen, "out of memory");
		goto out;
	}
	if (v.ncps)
		qsort(v.cps, v.ncps, sizeof *v.cps, cmp_cp);
	res->checkpoints = v.ncps;
	check_genesis(&v, has);
	int w = store_each_row(s, on_row, &v, errbuf, errlen);
	if (w != 0 || v.read_failed) {
		if (!errbuf[0])
			snprintf(errbuf, errlen, "cannot read the records");
		goto out;
	}
	end_run(&v);
	for (; v.cp_next < v.ncps; v.cp_next++)
		v.cps[v.cp_next].count_at = res->records;
	check_checkpoints(&v);
	check_runs(&v);
	rc = 0;
out:
	for (size_t i = 0; i < v.nkeys; i++)
		sign_key_free(v.keys[i].owned);
	free(v.cps);
	free(v.runs);
	return rc;
}
