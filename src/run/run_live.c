/*
 * run_live.c — `pentrap run -i IFACE`: the live sensor (docs/live.md).
 *
 * Order of operations, as root: the order and definitions are loaded, every interface
 * is opened (libpcap, capture_live.c), the store and its key are opened or created
 * (0600) and the run begun in it; the files this run made are handed to the -Z user;
 * then privileges are dropped for good (core/privdrop.c) and capture starts. The open
 * descriptors (capture sockets, the store with its WAL, the JSON lines file) are kept;
 * what is opened later — the key read again and a new store file when a run is begun
 * again (SIGHUP, rotation) — is opened as the -Z user.
 *
 * Between frames (run/live.c): SIGHUP reloads the definitions and the order (a new
 * order ends the run in the store and begins a new one, so each run's custody names the
 * order its records were made under; a file that does not load is refused and the old
 * order stays); SIGUSR1 and every --stats-interval print statistics; the order's
 * valid_until ends the run; a store past --max-db-mb is sealed and the records go on in
 * the next file of its series (DB.1.db, DB.2.db, ...), whose first run's custody names
 * the previous file's last record. A store that cannot be written ends the run with
 * status 1: records are never dropped silently.
 */
#include "run/run.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/memtext.h"
#include "core/privdrop.h"
#include "core/timefmt.h"
#include "detect/sigs.h"
#include "detect/sigs_info.h"
#include "run/custody.h"
#include "run/live.h"
#include "run/run_broker.h"
#include "run/run_ctx.h"

enum {
	LIVE_SERIES_MAX = 100000,   /* DB.1.db ... DB.99999.db */
	LIVE_ROTATE_RETRY_S = 60,   /* after a failed rotation, try again this much later */
	LIVE_PATH_MAX = 4200,
};

/* Records waiting for a checkpoint are committed (and the JSON lines flushed) at least
 * this often: a quiet link must not keep a record out of the store for long. */
static const double LIVE_COMMIT_S = 1.0;

struct live_state {
	struct run_ctx c;
	const struct run_options *opt;
	struct capture_source srcs[RUN_MAX_IFACES];
	size_t nsrcs;
	char *caps;                       /* the current run's captures (custody JSON) */
	char paths[2][LIVE_PATH_MAX];     /* the store in use and the next one of its series */
	int cur;                          /* which of paths c.db_path is, when in the series */
	unsigned series;                  /* the store's index in its series, 0: opt->db_path */
	double next_size_check, rotate_after, next_commit;
	uint64_t flushed;                 /* writer.written at the last commit */
	int status;                       /* RUN_OK, or why the loop was asked to stop */
	char error[512];
};

/*
 * The custody's captures for a live run: each interface with how it is captured, and,
 * for the first run of a rotated store, the store it continues and that store's last
 * record ({"path":"continues:DB","sha256":HASH,"size":0,"last_seq":N}).
 */
static char *live_captures_json(const struct run_options *opt, const char *continues, uint64_t last_seq,
				const char *last_hash)
{
	struct memtext mt;
	FILE *m = memtext_open(&mt);
	if (!m)
		return NULL;
	fputc('[', m);
	for (size_t i = 0; i < opt->nifaces; i++) {
		fprintf(m, "%s{\"path\":\"live:", i ? "," : "");
		custody_text(m, opt->ifaces[i]);
		fprintf(m, "\",\"sha256\":\"live\",\"size\":0,\"filter\":\"");
		custody_text(m, opt->live.bpf ? opt->live.bpf : "");
		fprintf(m, "\",\"snaplen\":%d,\"promisc\":%s}", opt->live.snaplen, opt->live.promisc ? "true" : "false");
	}
	if (continues) {
		fprintf(m, ",{\"path\":\"continues:");
		custody_text(m, continues);
		fprintf(m, "\",\"sha256\":\"%s\",\"size\":0,\"last_seq\":%" PRIu64 "}", last_hash, last_seq);
	}
	fputc(']', m);
	return memtext_close(&mt, NULL);
}

/* DB, DB.1.db, DB.2.db ... (DB without ".db": DB.1, DB.2 ...). */
static void series_path(const char *base, unsigned k, char *out, size_t len)
{
	size_t n = strlen(base);
	if (k == 0)
		snprintf(out, len, "%s", base);
	else if (n > 3 && strcmp(base + n - 3, ".db") == 0)
		snprintf(out, len, "%.*s.%u.db", (int)(n - 3), base, k);
	else
		snprintf(out, len, "%s.%u", base, k);
}

/* A store's size on disk: the file and its write-ahead log. 0 when absent. */
static uint64_t store_bytes(const char *path)
{
	char wal[LIVE_PATH_MAX + 8];
	struct stat st;
	uint64_t n = 0;
	if (stat(path, &st) == 0)
		n += (uint64_t)st.st_size;
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (stat(wal, &st) == 0)
		n += (uint64_t)st.st_size;
	return n;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The first store of the series from index `from` that is under the limit. */
static unsigned series_next(const struct run_options *opt, unsigned from, char *out, size_t len)
{
	unsigned k = from;
	for (; k < LIVE_SERIES_MAX; k++) {
		series_path(opt->db_path, k, out, len);
		if (store_bytes(out) < opt->max_db_bytes)
			break;
	}
	return k;
}

/* The last record of the store at path (read only): 0 and seq/hash, -1 with errbuf. */
static int store_last_of(const char *path, uint64_t *seq, char hash[HASH_HEX_LEN], char *errbuf, size_t errlen)
{
	struct store *s;
	if (store_open_readonly(path, &s, errbuf, errlen) != 0)
		return -1;
	*seq = store_last_seq(s, hash);
	store_close(s);
	return 0;
}

/* Stops the loop with a runtime failure, once. */
static void fatal(struct live_state *ls, const char *msg)
{
	if (ls->status == RUN_OK) {
		ls->status = RUN_FAILED;
		snprintf(ls->error, sizeof ls->error, "%s", msg);
	}
	live_log("error: %s", msg);
}

/* SIGHUP: definitions and order read again; a changed order (or set) begins a new run. */
static void on_reload(void *ud)
{
	struct live_state *ls = ud;
	struct run_ctx *c = &ls->c;
	char err[512];
	char sigs_before[sizeof c->rs.current->sha256];
	snprintf(sigs_before, sizeof sigs_before, "%s", c->rs.current ? c->rs.current->sha256 : "");
	/* with workers, once they have read every frame before the signal: then they are
	   idle, and their pipelines and the order they point at may change */
	run_ctx_sync(c);
	struct pipeline *pls[SHARD_MAX_WORKERS];
	run_sigs_poll(&c->rs, pls, run_ctx_pipelines(c, pls)); /* its own SIGHUP flag was set by the chained handler */
	/* the same file read again is the same definitions: no new run for it */
	bool sigs_changed = c->rs.current && strcmp(sigs_before, c->rs.current->sha256) != 0;

	struct order fresh;
	bool order_changed = false;
	if (order_load(ls->opt->order_path, &fresh, err, sizeof err) != 0) {
		live_log("SIGHUP: order refused, keeping order %s (sha256 %.16s): %s", c->order.id, c->order.file_sha256,
			 err);
	} else if (strcmp(fresh.file_sha256, c->order.file_sha256) == 0) {
		order_fini(&fresh);
		live_log("SIGHUP: order %s unchanged", c->order.id);
	} else {
		/* Every record made so far was written under the old order (records are made
		 * between frames, never pending): the swap is exact. The pipeline and the
		 * detectors point at c->order, so they see the new one from the next frame. */
		char old_id[sizeof c->order.id];
		snprintf(old_id, sizeof old_id, "%s", c->order.id);
		order_fini(&c->order);
		c->order = fresh;
		order_changed = true;
		live_log("SIGHUP: order %s (sha256 %.16s) now in force, replacing %s", c->order.id, c->order.file_sha256,
			 old_id);
	}
	if (!(order_changed || sigs_changed) || !c->ev_begun)
		return;
	uint64_t old_run = c->ev.ri.id;
	if (run_ctx_next_run(c, NULL, NULL, ls->caps, err, sizeof err) != 0) {
		fatal(ls, err);
		return;
	}
	live_log("run %" PRIu64 " sealed; run %" PRIu64 " begun in %s with order %s from seq %" PRIu64, old_run,
		 c->ev.ri.id, c->db_path, c->order.id, c->writer.next_seq);
}

static void on_stats(void *ud, struct capture_source *srcs, size_t n)
{
	struct live_state *ls = ud;
	struct stats all;
	run_ctx_sync(&ls->c); /* the workers' counters are read while they are idle */
	run_ctx_stats(&ls->c, &all);
	const struct stats *st = &all;
	char line[900];
	size_t off = 0;
	line[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof line; i++) {
		uint64_t recv = 0, drop = 0, ifdrop = 0;
		if (srcs[i].ops && srcs[i].ops->stats)
			srcs[i].ops->stats(&srcs[i], &recv, &drop, &ifdrop);
		int w = snprintf(line + off, sizeof line - off, "%s %s received %" PRIu64 " dropped %" PRIu64
				 " (kernel) %" PRIu64 " (interface)", i ? ";" : "", srcs[i].name, recv, drop, ifdrop);
		if (w > 0)
			off += (size_t)w;
	}
	uint64_t nev = 0;
	for (int i = 0; i < EV__COUNT; i++)
		nev += st->events[i];
	const struct sigset *s = ls->c.rs.current;
	char broker[1200];
	run_broker_stats(&ls->c, broker, sizeof broker);
	char waited[160] = "";
	if (st->identity_waited)
		snprintf(waited, sizeof waited, ", events that waited for a shared binding %" PRIu64 " (%" PRIu64
			 " then named, %" PRIu64 " let go early)", st->identity_waited, st->identity_named_late,
			 st->identity_wait_full);
	live_log("stats:%s; packets %" PRIu64 " (%" PRIu64 " bytes), flows %" PRIu64 ", events %" PRIu64
		 ", records %" PRIu64 ", anomalies %" PRIu64 ", definitions %s (%ld days old), order %s, store %s%s%s",
		 line, st->packets, st->bytes, st->flows, nev, st->records, stats_anomaly_total(st),
		 s ? s->version : "none", s ? sigs_age_days(s, sigs_wall_now_us()) : 0L, ls->c.order.id,
		 ls->c.db_path ? ls->c.db_path : "none", broker, waited);
}

static int past_window(struct live_state *ls, uint64_t t_us, const char *clock)
{
	if (!ls->c.order.valid_until_us || t_us <= ls->c.order.valid_until_us)
		return 0;
	char when[TS_STRLEN];
	live_log("order %s is valid until %s and the %s has passed it: stopping", ls->c.order.id,
		 ts_format(ls->c.order.valid_until_us, when, sizeof when), clock);
	return 1;
}

static int after_frame(void *ud, uint64_t ts_us)
{
	struct live_state *ls = ud;
	run_ctx_saw_frame(&ls->c, ts_us);
	return past_window(ls, ts_us, "capture time") || ls->status != RUN_OK;
}

/* The store is past --max-db-mb: seal it and go on in the next file of its series. */
static void rotate(struct live_state *ls)
{
	struct run_ctx *c = &ls->c;
	char err[512], hash[HASH_HEX_LEN];
	char *next = ls->paths[1 - ls->cur];
	unsigned k = series_next(ls->opt, ls->series + 1, next, LIVE_PATH_MAX);
	if (k >= LIVE_SERIES_MAX) {
		live_log("error: store %s is past its limit and its series is full: going on in it", c->db_path);
		ls->rotate_after = run_mono_s() + LIVE_ROTATE_RETRY_S;
		return;
	}
	if (writer_flush(&c->writer) != 0) {
		fatal(ls, c->writer.error);
		return;
	}
	uint64_t last = store_last_seq(c->store, hash);
	struct store *ns;
	if (run_store_open(next, &ns, err, sizeof err) != 0) {
		live_log("error: store %s is past its limit but the next one cannot be opened (%s): going on in %s, "
			 "trying again in %d s", c->db_path, err, c->db_path, LIVE_ROTATE_RETRY_S);
		ls->rotate_after = run_mono_s() + LIVE_ROTATE_RETRY_S;
		return;
	}
	char *caps = live_captures_json(ls->opt, c->db_path, last, hash);
	if (!caps) {
		store_close(ns);
		fatal(ls, "out of memory");
		return;
	}
	char prev[LIVE_PATH_MAX];
	snprintf(prev, sizeof prev, "%s", c->db_path);
	uint64_t old_run = c->ev.ri.id;
	run_broker_step(c, false); /* the bindings so far, and the broker's position, stay with the old store */
	run_broker_save(c);
	if (run_ctx_next_run(c, ns, next, caps, err, sizeof err) != 0) {
		free(caps);
		fatal(ls, err);
		return;
	}
	run_broker_follow(c, c->db_path); /* published once the old one is, in order */
	free(ls->caps);
	ls->caps = caps;
	ls->cur = 1 - ls->cur;
	ls->series = k;
	live_log("store %s reached its limit: run %" PRIu64 " sealed there at seq %" PRIu64 "; records go on in %s "
		 "(run %" PRIu64 ", continuing from hash %.16s)", prev, old_run, last, c->db_path, c->ev.ri.id, hash);
}

static int on_tick(void *ud, uint64_t now_us)
{
	struct live_state *ls = ud;
	if (ls->c.ws)
		workers_flush(ls->c.ws); /* what a busy link left in a batch, and the records made since */
	if (ls->c.writer.failed)
		fatal(ls, ls->c.writer.error);
	if (ls->status != RUN_OK || past_window(ls, now_us, "clock"))
		return 1;
	writer_tick(&ls->c.writer, now_us); /* legs held for pairing wait at most PAIRING_HOLD_S */
	double t = run_mono_s();
	/* the other sensors' bindings in, this one's out, and what waited for one: with
	   workers, while they are idle (only a sensor with a broker has any of this) */
	if (ls->c.feed || ls->c.journal) {
		run_ctx_sync(&ls->c);
		run_broker_step(&ls->c, true);
		struct pipeline *pls[SHARD_MAX_WORKERS];
		unsigned npl = run_ctx_pipelines(&ls->c, pls);
		for (unsigned i = 0; i < npl; i++)
			pipeline_release_waiting(pls[i], now_us);
	}
	if (t >= ls->next_commit) {
		ls->next_commit = t + LIVE_COMMIT_S;
		bool pending = ls->c.writer.written != ls->flushed;
		ls->flushed = ls->c.writer.written;
		if (pending && writer_flush(&ls->c.writer) != 0) {
			fatal(ls, ls->c.writer.error);
			return 1;
		}
		run_broker_save(&ls->c);
	}
	if (ls->opt->max_db_bytes && ls->c.store && ls->c.writer.written > 0 && t >= ls->next_size_check &&
	    t >= ls->rotate_after) {
		ls->next_size_check = t + 1.0;
		if (store_bytes(ls->c.db_path) >= ls->opt->max_db_bytes)
			rotate(ls);
	}
	return ls->status != RUN_OK;
}

/* A file this run created as root goes to the -Z user, so it can be opened again later. */
static void hand_over(const char *path, const struct passwd *pw)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0)
		return;
	if (chown(path, pw->pw_uid, pw->pw_gid) != 0)
		live_log("warning: cannot give %s to %s: %s", path, pw->pw_name, strerror(errno));
}

/* -Z: hands the store's files over, drops root for good, checks what later needs. */
static int drop_privileges(struct live_state *ls, char *errbuf, size_t errlen)
{
	const struct run_options *opt = ls->opt;
	struct run_ctx *c = &ls->c;
	struct passwd *pw = getpwnam(opt->user);
	if (!pw) {
		snprintf(errbuf, errlen, "-Z %s: no such user", opt->user);
		return RUN_BAD_INPUT;
	}
	if (c->store) {
		static const char *const suffix[] = { "", "-wal", "-shm" };
		char p[LIVE_PATH_MAX + 8];
		for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
			snprintf(p, sizeof p, "%s%s", c->db_path, suffix[i]);
			hand_over(p, pw);
		}
		if (c->ev.key_made || !opt->key_path)
			hand_over(c->ev.key_path, pw);
	}
	if (privdrop_to_user(opt->user, errbuf, errlen) != 0)
		return RUN_FAILED;
	/* A reload and a rotation begin a run again, which reads the key as this user. */
	if (c->store && access(c->ev.key_path, R_OK) != 0) {
		snprintf(errbuf, errlen, "-Z %s: cannot read the key %s as %s (%s): give it to that user", opt->user,
			 c->ev.key_path, opt->user, strerror(errno));
		return RUN_BAD_INPUT;
	}
	if (c->store && opt->max_db_bytes) {
		char dir[LIVE_PATH_MAX];
		snprintf(dir, sizeof dir, "%s", c->db_path);
		if (access(dirname(dir), W_OK | X_OK) != 0) {
			snprintf(dir, sizeof dir, "%s", c->db_path);
			snprintf(errbuf, errlen, "-Z %s: --max-db-mb needs the store's directory %s writable by %s",
				 opt->user, dirname(dir), opt->user);
			return RUN_BAD_INPUT;
		}
	}
	return RUN_OK;
}

/* --max-db-mb: the first store of the series under the limit; a new one names the last. */
static int pick_store(struct live_state *ls, const char **continues, uint64_t *last, char hash[HASH_HEX_LEN],
		      char *errbuf, size_t errlen)
{
	const struct run_options *opt = ls->opt;
	*continues = NULL;
	if (!opt->db_path || !opt->max_db_bytes)
		return 0;
	ls->series = series_next(opt, 0, ls->paths[0], LIVE_PATH_MAX);
	if (ls->series >= LIVE_SERIES_MAX) {
		snprintf(errbuf, errlen, "%s: every store of its series is past --max-db-mb", opt->db_path);
		return -1;
	}
	ls->cur = 0;
	ls->c.db_path = ls->paths[0];
	/* Every store of a series is signed with the first one's key (made by its first run). */
	if (!opt->key_path && ls->series > 0) {
		snprintf(ls->c.key_path_buf, sizeof ls->c.key_path_buf, "%s.key", opt->db_path);
		ls->c.key_path = ls->c.key_path_buf;
	}
	if (ls->series == 0 || exists(ls->paths[0]))
		return 0;
	/* A new file of the series: its first run names where the previous one ended. */
	series_path(opt->db_path, ls->series - 1, ls->paths[1], LIVE_PATH_MAX);
	if (store_last_of(ls->paths[1], last, hash, errbuf, errlen) != 0)
		return -1;
	*continues = ls->paths[1];
	return 0;
}

int run_live(const struct run_options *opt, char *errbuf, size_t errlen)
{
	struct live_state *ls = calloc(1, sizeof *ls);
	if (!ls) {
		snprintf(errbuf, errlen, "out of memory");
		return RUN_FAILED;
	}
	ls->opt = opt;
	int status = run_ctx_load(&ls->c, opt, errbuf, errlen);
	if (status != RUN_OK)
		goto out;
	live_signals_install(); /* after the definitions installed their SIGHUP handler: one reload does both */
	for (size_t i = 0; i < opt->nifaces; i++) {
		if (capture_live_open(opt->ifaces[i], &opt->live, &ls->srcs[i], errbuf, errlen) != 0) {
			status = RUN_BAD_INPUT;
			goto out;
		}
		ls->nsrcs++;
	}
	const char *continues;
	uint64_t last = 0;
	char hash[HASH_HEX_LEN] = "";
	if (pick_store(ls, &continues, &last, hash, errbuf, errlen) != 0) {
		status = RUN_BAD_INPUT;
		goto out;
	}
	ls->caps = live_captures_json(opt, continues, last, hash);
	if (!ls->caps) {
		snprintf(errbuf, errlen, "out of memory");
		status = RUN_FAILED;
		goto out;
	}
	if ((status = run_ctx_open(&ls->c, ls->caps, false, errbuf, errlen)) != RUN_OK)
		goto out;
	/* the broker: a refused login ends here, before capture; others' bindings first */
	if ((status = run_broker_start(&ls->c, true, errbuf, errlen)) != RUN_OK)
		goto out;
	run_broker_attach(&ls->c);
	run_broker_catch_up(&ls->c);
	if (opt->user && (status = drop_privileges(ls, errbuf, errlen)) != RUN_OK)
		goto out;

	char until[TS_STRLEN];
	live_log("capturing on %zu interface%s (%s%s%s), order %s valid until %s, store %s%s%s, as uid %u",
		 ls->nsrcs, ls->nsrcs == 1 ? "" : "s", opt->ifaces[0], ls->nsrcs > 1 ? ", ..." : "",
		 opt->live.bpf ? ", with a filter" : "", ls->c.order.id,
		 ts_format(ls->c.order.valid_until_us, until, sizeof until), ls->c.db_path ? ls->c.db_path : "none",
		 continues ? ", continuing " : "", continues ? continues : "", (unsigned)getuid());
	struct live_hooks hooks = {
		.reload = on_reload,
		.stats = on_stats,
		.after_frame = after_frame,
		.tick = on_tick,
		.ud = ls,
		.stats_interval_s = opt->stats_interval_s,
	};
	ls->status = RUN_OK;
	const struct live_target to = { .pl = ls->c.pl, .ws = ls->c.ws };
	if (live_run(&to, ls->srcs, ls->nsrcs, &hooks, errbuf, errlen) != 0) {
		live_log("error: %s", errbuf);
		status = RUN_FAILED;
	} else {
		status = ls->status;
		if (status != RUN_OK)
			snprintf(errbuf, errlen, "%s", ls->error);
	}
	live_log("stopping: flushing and sealing the records");
	on_stats(ls, ls->srcs, ls->nsrcs);
	run_broker_step(&ls->c, true);
	status = run_ctx_end(&ls->c, status, ls->nsrcs, errbuf, errlen);
	status = run_broker_end(&ls->c, status, errbuf, errlen);
	live_log("stopped (exit status %d)", status);
out:
	run_ctx_close(&ls->c);
	for (size_t i = 0; i < ls->nsrcs; i++)
		capture_close(&ls->srcs[i]);
	free(ls->caps);
	free(ls);
	return status;
}
