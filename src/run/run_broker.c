/*
 * run_broker.c — a run with a broker (run_broker.h).
 *
 * The identity bindings a run's dissectors make are journaled by the one pipeline that
 * records shared traffic (with -j N: worker 0, which reads all the signalling), queued
 * (the journal may be called from a worker's thread), and written into the store from
 * the run's own thread between frames; the publisher sends them from there. The other
 * sensors' bindings come the other way: the feed queues them, and the run's thread
 * applies them to every pipeline's identity map, before the first frame of capture files
 * (all that was published before the run began) and between frames when live.
 */
#include "run/run_broker.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/binding.h"
#include "broker/binding_feed.h"
#include "broker/publish.h"
#include "run/live.h"
#include "run/run_ctx.h"

enum {
	JOURNAL_MAX = 1 << 18,      /* bindings waiting for the store (the store opens late: custody) */
	APPLY_BATCH = 1024,
};

static const double CATCH_UP_S = 60.0, LIVE_BROKER_WAIT_S = 10.0;

static void say_plain(const char *line)
{
	fprintf(stderr, "pentrap: %s\n", line);
	fflush(stderr);
}

static void say_live(const char *line)
{
	live_log("%s", line);
}

static void on_journal(void *ud, const struct identity_op *op)
{
	binding_queue_push(ud, op);
}

/* The sensor's id as its runs will name it (evidence.c: --sensor, else the host name). */
static void sensor_id(const struct run_options *opt, char *out, size_t len)
{
	if (opt->sensor_id && opt->sensor_id[0])
		snprintf(out, len, "%s", opt->sensor_id);
	else if (gethostname(out, len - 1) != 0 || !out[0])
		snprintf(out, len, "unknown");
	out[len - 1] = '\0';
}

int run_broker_start(struct run_ctx *c, bool live, char *errbuf, size_t errlen)
{
	const struct run_options *opt = c->opt;
	if (!opt->broker_url)
		return RUN_OK;
	c->broker_live = live;
	void (*say)(const char *) = live ? say_live : say_plain;
	struct publisher_config pc = { .url = opt->broker_url, .spool = c->db_path, .say = say };
	int rc = publisher_start(&pc, &c->pub, errbuf, errlen);
	if (rc != 0)
		return rc == 2 ? RUN_BAD_INPUT : RUN_FAILED;
	if (opt->no_shared_identity)
		return RUN_OK;
	char sensor[128];
	sensor_id(opt, sensor, sizeof sensor);
	struct binding_feed_config fc = { .url = opt->broker_url, .sensor = sensor, .say = say };
	if (!(c->journal = binding_queue_new(JOURNAL_MAX)) || binding_feed_start(&fc, &c->feed, errbuf, errlen) != 0) {
		if (!c->journal)
			snprintf(errbuf, errlen, "out of memory");
		return RUN_FAILED;
	}
	return RUN_OK;
}

void run_broker_attach(struct run_ctx *c)
{
	if (!c->journal)
		return;
	if (c->ws)
		pipeline_identity_journal(workers_pipeline(c->ws, 0), on_journal, c->journal);
	else if (c->pl)
		pipeline_identity_journal(c->pl, on_journal, c->journal);
}

/* Applies what the feed queued to every pipeline (the workers idle: the caller's care). */
static size_t apply_remote(struct run_ctx *c)
{
	static struct identity_op ops[APPLY_BATCH];
	size_t total = 0, n;
	while ((n = binding_feed_take(c->feed, ops, APPLY_BATCH)) > 0) {
		if (c->ws) {
			unsigned nw = workers_count(c->ws);
			for (unsigned w = 0; w < nw; w++)
				for (size_t i = 0; i < n; i++)
					pipeline_identity_apply(workers_pipeline(c->ws, w), &ops[i]);
		} else {
			for (size_t i = 0; i < n; i++)
				pipeline_identity_apply(c->pl, &ops[i]);
		}
		total += n;
	}
	return total;
}

void run_broker_catch_up(struct run_ctx *c)
{
	if (!c->feed)
		return;
	if (c->ws)
		workers_sync(c->ws);
	double waited = 0, limit = c->opt->broker_wait_s > 0 ? c->opt->broker_wait_s : CATCH_UP_S;
	bool said = false;
	for (;;) {
		bool done = binding_feed_wait(c->feed, 0.05);
		apply_remote(c);
		if (done)
			break;
		waited += 0.05;
		void (*say)(const char *) = c->broker_live ? say_live : say_plain;
		if (!said && waited >= 5.0) {
			say("waiting for the broker to read the identity bindings other sensors published before "
			    "this run (capture begins once they are in)");
			said = true;
		}
		if (waited >= limit) {
			say("the other sensors' identity bindings could not be read; the run goes on with its own");
			return;
		}
	}
	apply_remote(c); /* what came with the marker */
	uint64_t received, refused, dropped;
	binding_feed_counts(c->feed, &received, &refused, &dropped);
	c->shared_bindings_before = received;
}

void run_broker_step(struct run_ctx *c, bool apply)
{
	if (c->feed && apply)
		apply_remote(c);
	if (!c->journal || !c->store || !c->records_open)
		return;
	static struct identity_op ops[APPLY_BATCH];
	size_t n;
	char err[512];
	while ((n = binding_queue_take(c->journal, ops, APPLY_BATCH)) > 0) {
		for (size_t i = 0; i < n; i++) {
			char text[BINDING_TEXT_MAX];
			if (binding_to_text(&ops[i], text, sizeof text) == 0)
				continue;
			if (store_binding_add(c->store, binding_time(&ops[i]), text, err, sizeof err) != 0) {
				if (!c->said_binding_error)
					fprintf(stderr, "pentrap: %s (identity bindings are not published)\n", err);
				c->said_binding_error = true;
				return;
			}
		}
	}
}

void run_broker_save(struct run_ctx *c)
{
	char err[512];
	if (c->pub && c->store && publisher_save(c->pub, c->store, err, sizeof err) != 0 && !c->said_binding_error) {
		live_log("%s (the broker's position is saved later)", err);
		c->said_binding_error = true;
	}
}

void run_broker_follow(struct run_ctx *c, const char *db_path)
{
	publisher_follow(c->pub, db_path);
}

static volatile sig_atomic_t drain_stop;

static void on_drain_signal(int sig)
{
	(void)sig;
	drain_stop = 1;
}

int run_broker_end(struct run_ctx *c, int status, char *errbuf, size_t errlen)
{
	if (!c->pub)
		return status;
	run_broker_step(c, false);
	double wait = c->opt->broker_wait_s > 0 ? c->opt->broker_wait_s : c->broker_live ? LIVE_BROKER_WAIT_S : -1;
	struct sigaction sa = { 0 }, old_int, old_term;
	sa.sa_handler = on_drain_signal;
	drain_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	uint64_t waiting = publisher_drain(c->pub, wait, &drain_stop);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	char err[512];
	if (c->store && publisher_save(c->pub, c->store, err, sizeof err) != 0)
		fprintf(stderr, "pentrap: %s\n", err);
	char line[768];
	publisher_stats(c->pub, line, sizeof line);
	if (!c->opt->quiet)
		fprintf(c->out, "  broker     %s\n", line);
	publisher_stop(c->pub);
	c->pub = NULL;
	binding_feed_stop(c->feed);
	c->feed = NULL;
	if (waiting && status == RUN_OK) {
		snprintf(errbuf, errlen, "%s: records not yet published to the broker (%s); they are kept in the store: "
			 "'pentrap publish --db %s --broker URL' sends them", c->db_path, line, c->db_path);
		status = RUN_FAILED;
	}
	return status;
}

void run_broker_stats(struct run_ctx *c, char *line, size_t len)
{
	line[0] = '\0';
	if (!c->pub)
		return;
	char pub[768];
	publisher_stats(c->pub, pub, sizeof pub);
	uint64_t received = 0, refused = 0, dropped = 0;
	binding_feed_counts(c->feed, &received, &refused, &dropped);
	snprintf(line, len, ", %s%s", pub, c->feed ? "" : "");
	if (c->feed) {
		size_t n = strlen(line);
		snprintf(line + n, len - n, ", identity bindings from other sensors %" PRIu64 "%s", received,
			 refused ? " (some refused)" : "");
	}
}
