/* cmd_verify.c — `pentrap verify`: options in, verify_report out. */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "record/verify_report.h"

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

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "pubkey", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_OPT_HELP_END,
	};
	const char *db = NULL;
	const char *pubpaths[VERIFY_MAX_KEYS];
	size_t npub = 0;
	bool quiet = false;
	struct cli_opts co = { .cmd = "verify", .usage = usage, .shortopts = "qh", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'd':
			db = optarg;
			break;
		case 'p':
			if (npub == VERIFY_MAX_KEYS)
				return cli_usage_error("verify", "at most %d --pubkey", VERIFY_MAX_KEYS);
			pubpaths[npub++] = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (!db)
		return cli_usage_error("verify", "needs --db FILE (see --help)");
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
		/* a central store that cannot be reached is a runtime failure, not bad input */
		status = store_is_central(db) && orc != STORE_OPEN_BAD ? 1 : EXIT_USAGE;
		goto out;
	}
	struct verify_result res;
	if (verify_report(s, db, &opt, quiet, stdout, &res, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		status = 1;
		goto out;
	}
	if (res.problems) {
		fprintf(stderr, "pentrap: %s: verification failed: %" PRIu64 " problem%s (listed on standard output)\n",
			store_name(s),
			res.problems, res.problems == 1 ? "" : "s");
		status = EXIT_VERIFY_FAILED;
	} else {
		status = 0;
	}
out:
	store_close(s);
	for (size_t i = 0; i < npub; i++)
		sign_key_free(keys[i]);
	return status;
}
