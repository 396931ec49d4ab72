/* cmd_verify.c — `pentrap verify`: the evidence check and the custody, printed. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/timefmt.h"
#include "record/json.h"
#include "record/verify.h"

/* Verification failed: the store was altered (docs/cli.md). */
enum { EXIT_VERIFY_FAILED = 3 };

static const char usage[] =
	"usage: pentrap verify --db records.db|postgresql://... [--pubkey FILE ...] [-q]\n"
	"\n"
	"Recomputes the hash chain of every record from the store's genesis, checks every\n"
	"signed checkpoint and what it covers, and each run's custody; prints the custody\n"
	"(runs: captures and their hashes, order, sensor, versions, times, note) and says\n"
	"exactly what is wrong and where: an edited, deleted, inserted or reordered record,\n"
	"records cut off, a bad signature (docs/evidence.md).\n"
	"\n"
	"  --db STORE     the store: an SQLite file, or a central store (postgresql://...):\n"
	"                 then every sensor's chain is checked, each line naming its sensor\n"
	"  --pubkey FILE  the sensor's public key (from 'pentrap keygen'), given apart from\n"
	"                 the records: every checkpoint must be signed by it (repeatable).\n"
	"                 Without it, the keys kept in the store are used, which shows the\n"
	"                 records were not changed by accident, not that nobody rewrote them.\n"
	"  -q, --quiet    only the problems and the result\n"
	"\n"
	"Exit status: 0 everything holds, 3 verification failed, 1 runtime failure,\n"
	"2 bad usage or bad input (not a store, not a public key).\n";

struct out_ctx {
	bool quiet;
	uint64_t notes;
	const char *sensor;  /* a central store: the sensor whose chain is checked, named on each line */
};

static void on_line(void *ud, bool problem, const char *line)
{
	struct out_ctx *o = ud;
	char who[300] = "";
	if (o->sensor)
		snprintf(who, sizeof who, "sensor %s: ", o->sensor);
	if (problem)
		printf("  FAIL  %s%s\n", who, line);
	else {
		o->notes++;
		if (!o->quiet)
			printf("  note  %s%s\n", who, line);
	}
}

/* Prints a JSON string of ours (the captures' paths) found at *p as plain text. */
static const char *print_json_string(const char *p)
{
	if (*p != '"')
		return p;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		putchar((unsigned char)*p >= 0x20 ? *p : '?');
	}
	return *p ? p + 1 : p;
}

/* The captures' JSON array of {path, sha256, size}, one line each. */
static void print_captures(const char *json)
{
	const char *p = json;
	int n = 0;
	while ((p = strstr(p, "{\"path\":")) != NULL) {
		p += 8;
		printf("    capture    ");
		p = print_json_string(p);
		const char *h = strstr(p, "\"sha256\":\"");
		const char *z = strstr(p, "\"size\":");
		if (h && z) {
			printf("  sha256 %.64s  %" PRIu64 " bytes", h + 10, (uint64_t)strtoull(z + 7, NULL, 10));
		}
		putchar('\n');
		n++;
	}
	if (n == 0)
		printf("    capture    (none)\n");
}

static void print_text(const char *label, const char *text)
{
	printf("    %-10s ", label);
	json_write_string(stdout, text ? text : "");
	putchar('\n');
}

static int print_run(const struct run_info *ri, void *ud)
{
	(void)ud;
	char a[TS_STRLEN], b[TS_STRLEN];
	bool ended = strcmp(ri->status, "ended") == 0;
	if (ended)
		printf("  run %" PRIu64 ": ended %s, exit status %d\n", ri->id, ts_format(ri->ended_us, b, sizeof b),
		       ri->exit_status);
	else
		printf("  run %" PRIu64 ": %s (no end recorded)\n", ri->id, ri->status);
	printf("    order      %s  file %s  sha256 %s\n", ri->order_id, ri->order_file, ri->order_sha256);
	print_captures(ri->captures ? ri->captures : "");
	if (ended && ri->last_seq >= ri->first_seq)
		printf("    records    %" PRIu64 "..%" PRIu64 "\n", ri->first_seq, ri->last_seq);
	else if (ended)
		printf("    records    none\n");
	else
		printf("    records    from %" PRIu64 "\n", ri->first_seq);
	printf("    sensor     %s  key %.16s\n", ri->sensor_id, ri->key_id);
	printf("    software   pentrap %s, definitions %s\n", ri->software_version,
	       ri->sigs_version && ri->sigs_version[0] ? ri->sigs_version : "(built-in)");
	printf("    started    %s\n", ts_format(ri->started_us, a, sizeof a));
	if (ri->resumes)
		printf("    resumes    run %" PRIu64 "\n", ri->resumes);
	if (ri->note && ri->note[0])
		print_text("note", ri->note);
	return 0;
}

/* The chains of a central store, kept to be checked one by one. */
struct chain_entry {
	char genesis[HASH_HEX_LEN];
	char sensor[128];
	uint64_t records;
};

struct chain_list {
	struct chain_entry *v;
	size_t n, cap;
};

static int keep_chain(const struct store_chain *c, void *ud)
{
	struct chain_list *cl = ud;
	if (cl->n == cl->cap) {
		size_t cap = cl->cap ? cl->cap * 2 : 8;
		struct chain_entry *v = realloc(cl->v, cap * sizeof *v);
		if (!v)
			return -1;
		cl->v = v;
		cl->cap = cap;
	}
	struct chain_entry *e = &cl->v[cl->n++];
	snprintf(e->genesis, sizeof e->genesis, "%s", c->genesis);
	snprintf(e->sensor, sizeof e->sensor, "%s", c->sensor);
	e->records = c->records;
	return 0;
}

/*
 * The store's chain (a central store: the one selected): its genesis and custody, the
 * checks and what they found, added into total. 0, or -1 with err when it could not be read.
 */
static int check_chain(struct store *s, const struct verify_options *opt, size_t npub, struct out_ctx *o,
		       struct verify_result *total, char *err, size_t errlen)
{
	if (!o->quiet) {
		char ts[TS_STRLEN];
		struct chain_genesis g;
		if (store_genesis(s, &g, err, errlen) == 1)
			printf("  genesis    %.16s  order %s, sensor %s, created %s\n", g.hash, g.order_id, g.sensor,
			       ts_format(g.created_us, ts, sizeof ts));
		else
			printf("  genesis    (none: the store has never been written)\n");
		printf("custody\n");
		if (store_each_run(s, print_run, NULL, err, errlen) != 0)
			return -1;
		printf("checks\n");
	}
	struct verify_result res;
	if (verify_store(s, opt, on_line, o, &res, err, errlen) != 0)
		return -1;
	if (!o->quiet) {
		if (res.records)
			printf("  records    %" PRIu64 " (seq %" PRIu64 "..%" PRIu64 ")\n", res.records, res.first_seq,
			       res.last_seq);
		else
			printf("  records    none\n");
		printf("  checkpoints %" PRIu64 ", %" PRIu64 " with a good signature", res.checkpoints, res.signatures_good);
		for (size_t i = 0; i < res.nkeys; i++)
			printf("%s%.16s", i ? ", " : " by key ", res.keys[i]);
		putchar('\n');
		if (res.last_cp.sig[0]) {
			char ts[TS_STRLEN];
			printf("  last       checkpoint at seq %" PRIu64 ", hash %s, signed %s\n", res.last_cp.seq,
			       res.last_cp.hash, ts_format(res.last_cp.time_us, ts, sizeof ts));
		}
		if (npub == 0 && res.checkpoints)
			printf("  trust      signatures checked with the public key kept in the store itself: this shows\n"
			       "             the records were not altered by accident, not that nobody rewrote the\n"
			       "             store; give the sensor's public key with --pubkey for that\n");
		else if (npub)
			printf("  trust      every checkpoint checked against the given public key%s\n", npub > 1 ? "s" : "");
	}
	total->records += res.records;
	total->signatures_good += res.signatures_good;
	total->problems += res.problems;
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "pubkey", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	const char *pubpaths[VERIFY_MAX_KEYS];
	size_t npub = 0;
	struct out_ctx o = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'p':
			if (npub == VERIFY_MAX_KEYS) {
				fprintf(stderr, "pentrap verify: at most %d --pubkey\n", VERIFY_MAX_KEYS);
				return EXIT_USAGE;
			}
			pubpaths[npub++] = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pentrap verify: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!db) {
		fprintf(stderr, "pentrap verify: needs --db FILE (see --help)\n");
		return EXIT_USAGE;
	}
	char err[1024] = "";
	int status = EXIT_USAGE;
	struct verify_options opt = { .npubkeys = 0 };
	struct sign_key *keys[VERIFY_MAX_KEYS] = { 0 };
	struct store *s = NULL;
	for (size_t i = 0; i < npub; i++) {
		if (sign_key_load_public(pubpaths[i], &keys[i], err, sizeof err) != 0) {
			fprintf(stderr, "pentrap: %s\n", err);
			goto out;
		}
		opt.pubkeys[opt.npubkeys++] = keys[i];
	}
	int orc = store_open_readonly(db, &s, err, sizeof err);
	if (orc != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		status = store_is_central(db) && orc != STORE_OPEN_BAD ? 1 : EXIT_USAGE;
		goto out;
	}
	printf("pentrap verify: %s\n", store_name(s));
	struct verify_result total = { 0 };
	size_t nchains = 0;
	if (store_is_central(db)) {
		/* every sensor store's chain, one after the other, each line naming its sensor */
		struct chain_list cl = { 0 };
		if (store_each_chain(s, keep_chain, &cl, err, sizeof err) != 0) {
			fprintf(stderr, "pentrap: %s\n", err[0] ? err : "out of memory");
			free(cl.v);
			status = 1;
			goto out;
		}
		for (size_t i = 0; i < cl.n && status != 1; i++) {
			if (!o.quiet)
				printf("sensor %s  chain %.16s  %" PRIu64 " records\n", cl.v[i].sensor, cl.v[i].genesis,
				       cl.v[i].records);
			o.sensor = cl.v[i].sensor;
			if (store_use_chain(s, cl.v[i].genesis, err, sizeof err) != 0 ||
			    check_chain(s, &opt, npub, &o, &total, err, sizeof err) != 0) {
				fprintf(stderr, "pentrap: %s\n", err);
				status = 1;
			}
			nchains++;
		}
		free(cl.v);
		if (status == 1)
			goto out;
	} else if (check_chain(s, &opt, npub, &o, &total, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		status = 1;
		goto out;
	}
	if (total.problems) {
		printf("result: FAILED: %" PRIu64 " problem%s\n", total.problems, total.problems == 1 ? "" : "s");
		fprintf(stderr, "pentrap: %s: verification failed: %" PRIu64 " problem%s (listed on standard output)\n",
			store_name(s), total.problems, total.problems == 1 ? "" : "s");
		status = EXIT_VERIFY_FAILED;
	} else if (store_is_central(db)) {
		printf("result: verified: %zu chain%s, %" PRIu64 " records, chains and %" PRIu64
		       " signed checkpoint%s hold\n", nchains, nchains == 1 ? "" : "s", total.records,
		       total.signatures_good, total.signatures_good == 1 ? "" : "s");
		status = 0;
	} else {
		printf("result: verified: %" PRIu64 " records, chain and %" PRIu64 " signed checkpoint%s hold\n",
		       total.records, total.signatures_good, total.signatures_good == 1 ? "" : "s");
		status = 0;
	}
out:
	store_close(s);
	for (size_t i = 0; i < npub; i++)
		sign_key_free(keys[i]);
	return status;
}
