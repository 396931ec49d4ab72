/* cmd_run.c — `pentrap run`: options in, run_captures out. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/run.h"

static const char usage[] =
	"usage: pentrap run --order ORDER.yaml [--db records.db] [--jsonl FILE|-] [--sigs FILE]\n"
	"                   -r CAPTURE [-r CAPTURE ...] [--table] [--no-db] [-q]\n"
	"\n"
	"Reads the captures in order and records, for the order's targets, every call,\n"
	"message and registration they originate (pen register) or receive (trap and trace),\n"
	"within the order's validity window. Never content.\n"
	"\n"
	"  --order FILE   the order (YAML; see docs/order.md)\n"
	"  -r FILE        a pcap or pcapng capture; '-' reads standard input; repeatable\n"
	"  --db FILE      the SQLite record store (default records.db); records continue its chain\n"
	"  --no-db        write no store (with --jsonl or --table)\n"
	"  --jsonl FILE   also write records as JSON lines ('-' for standard output)\n"
	"  --table        also print records as a table on standard output\n"
	"  --sigs FILE    signature definitions (default: the built-in set)\n"
	"  -q, --quiet    no summary\n"
	"\n"
	"A summary (packets, flows, events, records, anomalies) ends every run on stderr;\n"
	"on a terminal a progress line shows while captures are read.\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n";

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "order", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, 'd' },
		{ "no-db", no_argument, NULL, 'N' },
		{ "jsonl", required_argument, NULL, 'J' },
		{ "sigs", required_argument, NULL, 'S' },
		{ "table", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "threads", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_options opt = { .db_path = "records.db", .progress = true };
	bool no_db = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:qj:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.order_path = optarg;
			break;
		case 'd':
			opt.db_path = optarg;
			break;
		case 'N':
			no_db = true;
			break;
		case 'J':
			opt.jsonl_path = optarg;
			break;
		case 'S':
			opt.sigs_path = optarg;
			break;
		case 'T':
			opt.table = true;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'j':
			break; /* one worker until sharding lands; accepted so scripts keep working */
		case 'r':
			if (opt.ncaptures == RUN_MAX_CAPTURES) {
				fprintf(stderr, "pentrap run: at most %d captures\n", RUN_MAX_CAPTURES);
				return EXIT_USAGE;
			}
			opt.captures[opt.ncaptures++] = optarg;
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
		fprintf(stderr, "pentrap run: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!opt.order_path || opt.ncaptures == 0) {
		fprintf(stderr, "pentrap run: needs --order FILE and at least one -r CAPTURE (see --help)\n");
		return EXIT_USAGE;
	}
	if (no_db)
		opt.db_path = NULL;
	char err[1024] = "";
	int status = run_captures(&opt, err, sizeof err);
	if (status != RUN_OK)
		fprintf(stderr, "pentrap: %s\n", err[0] ? err : "failed");
	return status;
}
