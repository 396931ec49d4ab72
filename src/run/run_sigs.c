/*
 * run_sigs.c — a run's signature definitions: load, staleness, reload, summary lines.
 *
 * SIGHUP only sets a flag (the one mutable global here: a signal handler has nowhere
 * else to write); the reading loop looks at it between frames and reloads there, so a
 * reload never lands in the middle of a packet. A reload swaps the set new flows are
 * evaluated with; flows already classified keep the set that classified them (it is
 * reference-counted), so no flow and no record is lost, and each record names the
 * id@version that matched it.
 */
#include "run/run_sigs.h"

#include <signal.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/sigs_info.h"

static volatile sig_atomic_t hup_pending;

static void on_sighup(int sig)
{
	(void)sig;
	hup_pending = 1;
}

static void note_version(struct run_sigs *rs, const struct sigset *s)
{
	size_t n = strlen(rs->versions);
	if (n && n + 4 < sizeof rs->versions)
		snprintf(rs->versions + n, sizeof rs->versions - n, ", ");
	n = strlen(rs->versions);
	snprintf(rs->versions + n, sizeof rs->versions - n, "%s (%s, sha256 %.16s)", s->version,
		 strcmp(s->source, "built-in") == 0 ? "built-in" : "file", s->sha256);
}

int run_sigs_open(struct run_sigs *rs, const struct run_options *opt, char *errbuf, size_t errlen)
{
	memset(rs, 0, sizeof *rs);
	rs->err = stderr;
	rs->path = opt->sigs_path;
	rs->max_age_days = opt->sigs_max_age_days > 0 ? opt->sigs_max_age_days : SIGS_DEFAULT_MAX_AGE_DAYS;
	int rc = rs->path ? sigs_load_file(rs->path, &rs->current, errbuf, errlen)
			  : sigs_load_builtin(&rs->current, errbuf, errlen);
	if (rc != 0)
		return RUN_BAD_INPUT;
	for (size_t i = 0; i < opt->ncaptures; i++)
		if (opt->reload_sigs[i] && sigs_load_file(opt->reload_sigs[i], &rs->planned[i], errbuf, errlen) != 0)
			return RUN_BAD_INPUT;
	note_version(rs, rs->current);
	uint64_t now = sigs_wall_now_us();
	if (sigs_stale(rs->current, now, rs->max_age_days)) {
		char w[400];
		sigs_stale_warning(rs->current, now, rs->max_age_days, w, sizeof w);
		fprintf(rs->err, "pentrap: warning: %s\n", w);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sighup;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	hup_pending = 0;
	return RUN_OK;
}

static void swap_in(struct run_sigs *rs, struct pipeline *const *pls, unsigned n, struct sigset *s,
		    const char *why)
{
	for (unsigned i = 0; i < n; i++)
		pipeline_set_sigs(pls[i], s);
	sigs_unref(rs->current);
	rs->current = sigs_ref(s);
	rs->reloads++;
	note_version(rs, s);
	fprintf(rs->err, "pentrap: definitions %s: now %s (%zu signatures); classified flows keep theirs\n", why,
		s->version, s->nsigs);
}

void run_sigs_before_capture(struct run_sigs *rs, struct pipeline *const *pls, unsigned n, size_t i)
{
	if (i < RUN_MAX_CAPTURES && rs->planned[i])
		swap_in(rs, pls, n, rs->planned[i], "reloaded before the next capture");
}

bool run_sigs_hup_pending(void) { return hup_pending != 0; }

void run_sigs_poll(struct run_sigs *rs, struct pipeline *const *pls, unsigned n)
{
	if (!hup_pending)
		return;
	hup_pending = 0;
	char err[512];
	struct sigset *s = NULL;
	int rc = rs->path ? sigs_load_file(rs->path, &s, err, sizeof err) : sigs_load_builtin(&s, err, sizeof err);
	if (rc != 0) {
		fprintf(rs->err, "pentrap: SIGHUP: reload failed, keeping %s: %s\n", rs->current->version, err);
		return;
	}
	swap_in(rs, pls, n, s, "reloaded on SIGHUP");
	sigs_unref(s);
}

void run_sigs_summary(const struct run_sigs *rs, const struct detect_summary *s, FILE *out)
{
	if (!rs->current || !s)
		return;
	const struct detect_summary sum = *s;
	uint64_t now = sigs_wall_now_us();
	long age = sigs_age_days(rs->current, now);
	fprintf(out, "  signatures %s, released %s (%ld day%s ago), %zu signatures%s\n", rs->current->version,
		rs->current->released, age, age == 1 ? "" : "s", rs->current->nsigs, rs->reloads ? " (reloaded)" : "");
	/* detections on targets' flows: a message between two targets is seen on both sides */
	fprintf(out, "  ott        %llu sessions, %llu messages (inferred), %llu calls seen on targets' flows "
		"(one between two targets is seen by both)\n",
		(unsigned long long)sum.sessions, (unsigned long long)sum.messages, (unsigned long long)sum.calls);
	if (sum.target_flows) {
		double pct = sum.target_bytes ? 100.0 * (double)sum.unnamed_bytes / (double)sum.target_bytes : 0.0;
		fprintf(out,
			"  targets    %llu flows, %llu bytes; named by signatures: %llu flows, %llu bytes; "
			"not named (encrypted or unknown, no signature): %llu flows, %llu bytes (%.1f%%)\n",
			(unsigned long long)sum.target_flows, (unsigned long long)sum.target_bytes,
			(unsigned long long)sum.named_flows, (unsigned long long)sum.named_bytes,
			(unsigned long long)sum.unnamed_flows, (unsigned long long)sum.unnamed_bytes, pct);
	}
	if (sigs_stale(rs->current, now, rs->max_age_days)) {
		char w[400];
		sigs_stale_warning(rs->current, now, rs->max_age_days, w, sizeof w);
		fprintf(out, "  warning    %s\n", w);
	}
}

void run_sigs_close(struct run_sigs *rs)
{
	sigs_unref(rs->current);
	rs->current = NULL;
	for (size_t i = 0; i < RUN_MAX_CAPTURES; i++) {
		sigs_unref(rs->planned[i]);
		rs->planned[i] = NULL;
	}
}
