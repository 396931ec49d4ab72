/* cmd_run.c — `pentrap run`: options in, run_captures out. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "record/store.h"
#include "run/limits.h"
#include "run/run.h"
#include "run/shard.h"

static const char usage[] =
	"usage: pentrap run --order ORDER.yaml [--db records.db] [--jsonl FILE|-] [--sigs FILE]\n"
	"                   -r CAPTURE [-r CAPTURE ...] [-j THREADS] [--table] [--no-db] [-q]\n"
	"       pentrap run --order ORDER.yaml [--db records.db] -i IFACE [-i IFACE ...] [-f BPF]\n"
	"                   [-Z USER] [--snaplen N] [--buffer-mb N] [--no-promisc]\n"
	"                   [--stats-interval S] [--max-db-mb N]\n"
	"\n"
	"Reads the captures in order and records, for the order's targets, every call,\n"
	"message and registration they originate (pen register) or receive (trap and trace),\n"
	"within the order's validity window. Never content.\n"
	"\n"
	"  --order FILE   the order (YAML; see docs/order.md)\n"
	"  -r FILE        a pcap or pcapng capture; '-' reads standard input; repeatable\n"
	"  -j THREADS     captures: threads that read the traffic (default 1); with 2 or\n"
	"                 more, a reader thread shares flows out between them by device,\n"
	"                 the records keep one order, and --max-memory and --max-flows\n"
	"                 are split between them (docs/performance.md)\n"
	"  -i IFACE       capture live from an interface (repeatable; not with -r) until\n"
	"                 SIGTERM/SIGINT or the order's valid_until (docs/live.md)\n"
	"  -f BPF         live: a capture filter (pcap-filter syntax), e.g. 'udp port 5060'\n"
	"  -Z USER        live: switch to USER once the interfaces and the store are open\n"
	"  --snaplen N    live: bytes kept per packet (default 262144)\n"
	"  --buffer-mb N  live: the kernel's capture ring per interface (default 64)\n"
	"  --no-promisc   live: do not put the interfaces in promiscuous mode\n"
	"  --stats-interval S  live: statistics on stderr every S seconds (default 60, 0 off);\n"
	"                 SIGUSR1 prints them at once; SIGHUP reloads order and definitions\n"
	"  --max-db-mb N  live: when the store passes N MB, seal it and go on in DB.1.db,\n"
	"                 DB.2.db, ... (each names where the previous one ended)\n"
	"  --db FILE      the SQLite record store (default records.db); records continue its chain\n"
	"  --no-db        write no store (with --jsonl or --table)\n"
	"  --jsonl FILE   also write records as JSON lines ('-' for standard output)\n"
	"  --table        also print records as a table on standard output\n"
	"  --sigs FILE    signature definitions (default: the built-in set); SIGHUP reads it again\n"
	"  --reload-sigs FILE  switch to these definitions before the next -r capture\n"
	"                 (classified flows keep theirs; docs/signatures.md)\n"
	"  --sigs-max-age DAYS  warn when the definitions are older than this (default 30)\n"
	"  --max-memory MIB  cap on memory that traffic can fill: flows, their dissector\n"
	"                 state, TCP reassembly, IP fragments, the identity, DNS-name and\n"
	"                 data-session tables (default 512); past it, the longest-idle\n"
	"                 flows end early, the oldest entries go and data is dropped, all\n"
	"                 counted\n"
	"  --max-flows N  flows tracked at once (default: as many as fit in 3/8 of the cap,\n"
	"                 at most 1048576); a new flow ends the longest-idle one\n"
	"  --key FILE     the sensor's Ed25519 private key (pentrap keygen) that signs the\n"
	"                 checkpoints; default: the store's own key DB.key, made on first use\n"
	"                 (it proves integrity against accident only: docs/evidence.md)\n"
	"  --sensor ID    this sensor's name in the custody (default: the host name)\n"
	"  --note TEXT    the operator's note, kept in the run's custody\n"
	"  --resume       continue the store's interrupted last run (same order and captures)\n"
	"  --checkpoint-every N  records between signed checkpoints (default 1000)\n"
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
		{ "reload-sigs", required_argument, NULL, 'L' },
		{ "sigs-max-age", required_argument, NULL, 'A' },
		{ "table", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "threads", required_argument, NULL, 'j' },
		{ "max-memory", required_argument, NULL, 'M' },
		{ "max-flows", required_argument, NULL, 'F' },
		{ "key", required_argument, NULL, 'K' },
		{ "sensor", required_argument, NULL, 'I' },
		{ "note", required_argument, NULL, 'n' },
		{ "resume", no_argument, NULL, 'R' },
		{ "checkpoint-every", required_argument, NULL, 'C' },
		{ "interface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "user", required_argument, NULL, 'Z' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "buffer-mb", required_argument, NULL, 'B' },
		{ "no-promisc", no_argument, NULL, 'P' },
		{ "stats-interval", required_argument, NULL, 'V' },
		{ "max-db-mb", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_options opt = {
		.db_path = "records.db",
		.progress = true,
		.live = { .snaplen = 262144, .buffer_mb = 64, .promisc = 1, .timeout_ms = 200 },
		.stats_interval_s = 60,
	};
	bool no_db = false;
	const char *reload_next = NULL; /* --reload-sigs waiting for the -r it comes before */
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:i:f:Z:qj:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (opt.nifaces == RUN_MAX_IFACES) {
				fprintf(stderr, "pentrap run: at most %d interfaces\n", RUN_MAX_IFACES);
				return EXIT_USAGE;
			}
			opt.ifaces[opt.nifaces++] = optarg;
			break;
		case 'f':
			opt.live.bpf = optarg;
			break;
		case 'Z':
			opt.user = optarg;
			break;
		case 'P':
			opt.live.promisc = 0;
			break;
		case 's':
		case 'B':
		case 'V': {
			static const struct { int c; const char *name; unsigned long lo, hi; } lim[] = {
				{ 's', "snaplen", 64, 262144 },
				{ 'B', "buffer-mb", 1, 4096 },
				{ 'V', "stats-interval", 0, 86400 * 366 },
			};
			size_t k = c == 's' ? 0 : c == 'B' ? 1 : 2;
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v < lim[k].lo || v > lim[k].hi) {
				fprintf(stderr, "pentrap run: --%s: not a number from %lu to %lu: '%s'\n", lim[k].name,
					lim[k].lo, lim[k].hi, optarg);
				return EXIT_USAGE;
			}
			if (c == 's')
				opt.live.snaplen = (int)v;
			else if (c == 'B')
				opt.live.buffer_mb = (int)v;
			else
				opt.stats_interval_s = (unsigned)v;
			break;
		}
		case 'X': {
			char *end;
			errno = 0;
			double mb = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(mb > 0) || mb > 1e9) {
				fprintf(stderr, "pentrap run: --max-db-mb: not a positive number of MB: '%s'\n", optarg);
				return EXIT_USAGE;
			}
			opt.max_db_bytes = (uint64_t)(mb * 1e6);
			break;
		}
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
		case 'K':
			opt.key_path = optarg;
			break;
		case 'I':
			opt.sensor_id = optarg;
			break;
		case 'n':
			opt.note = optarg;
			break;
		case 'R':
			opt.resume = true;
			break;
		case 'C': {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v == 0 || v > 100000000UL) {
				fprintf(stderr, "pentrap run: --checkpoint-every: not a positive number: '%s'\n", optarg);
				return EXIT_USAGE;
			}
			opt.checkpoint_every = (unsigned)v;
			break;
		}
		case 'T':
			opt.table = true;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'M':
		case 'F': {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v == 0 || v > 0xffffffffUL) {
				fprintf(stderr, "pentrap run: --%s: not a positive number: '%s'\n",
					c == 'M' ? "max-memory" : "max-flows", optarg);
				return EXIT_USAGE;
			}
			if (c == 'M')
				opt.max_memory_mib = (unsigned)v;
			else
				opt.max_flows = (unsigned)v;
			break;
		}
		case 'j': {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v == 0 || v > SHARD_MAX_WORKERS) {
				fprintf(stderr, "pentrap run: -j: not a number of threads from 1 to %d: '%s'\n",
					SHARD_MAX_WORKERS, optarg);
				return EXIT_USAGE;
			}
			opt.workers = (unsigned)v;
			break;
		}
		case 'r':
			if (opt.ncaptures == RUN_MAX_CAPTURES) {
				fprintf(stderr, "pentrap run: at most %d captures\n", RUN_MAX_CAPTURES);
				return EXIT_USAGE;
			}
			opt.reload_sigs[opt.ncaptures] = reload_next;
			reload_next = NULL;
			opt.captures[opt.ncaptures++] = optarg;
			break;
		case 'L':
			if (opt.ncaptures == 0) {
				fprintf(stderr, "pentrap run: --reload-sigs goes between captures (after a -r; use --sigs "
						"for the first)\n");
				return EXIT_USAGE;
			}
			reload_next = optarg;
			break;
		case 'A': {
			char *end = NULL;
			opt.sigs_max_age_days = strtol(optarg, &end, 10);
			if (!end || *end || opt.sigs_max_age_days <= 0) {
				fprintf(stderr, "pentrap run: --sigs-max-age: '%s' is not a number of days\n", optarg);
				return EXIT_USAGE;
			}
			break;
		}
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
	if (reload_next) {
		fprintf(stderr, "pentrap run: --reload-sigs %s: no -r capture follows it\n", reload_next);
		return EXIT_USAGE;
	}
	if (opt.ncaptures && opt.nifaces) {
		fprintf(stderr, "pentrap run: -r and -i do not go together: read captures or capture live\n");
		return EXIT_USAGE;
	}
	if (!opt.order_path || (opt.ncaptures == 0 && opt.nifaces == 0)) {
		fprintf(stderr, "pentrap run: needs --order FILE and at least one -r CAPTURE or -i IFACE (see --help)\n");
		return EXIT_USAGE;
	}
	if (opt.nifaces && opt.resume) {
		fprintf(stderr, "pentrap run: --resume continues an interrupted run of captures, not a live one\n");
		return EXIT_USAGE;
	}
	if (!opt.nifaces && (opt.live.bpf || opt.user || opt.max_db_bytes)) {
		fprintf(stderr, "pentrap run: %s is for live capture (-i)\n",
			opt.live.bpf ? "-f" : opt.user ? "-Z" : "--max-db-mb");
		return EXIT_USAGE;
	}
	if (opt.nifaces && opt.workers > 1) {
		fprintf(stderr, "pentrap run: -j works on capture files (-r); a live sensor reads with one thread\n");
		return EXIT_USAGE;
	}
	if (no_db)
		opt.db_path = NULL;
	if (store_is_central(opt.db_path)) {
		fprintf(stderr, "pentrap run: --db %s: a sensor records into its own SQLite store (its spool and "
				"evidence); 'pentrap collect' fills the central store (docs/scale.md)\n", opt.db_path);
		return EXIT_USAGE;
	}
	if (!opt.db_path && (opt.resume || opt.key_path)) {
		fprintf(stderr, "pentrap run: --%s needs a store (not --no-db)\n", opt.resume ? "resume" : "key");
		return EXIT_USAGE;
	}
	{
		/* The caps are checked before anything is opened: a usage error, not a run's. */
		struct decode_config dc = { 0 };
		struct flow_config fc = { 0 };
		char lerr[256];
		if (limits_apply_workers(opt.max_memory_mib, opt.max_flows, opt.workers, &dc, &fc, NULL, lerr,
					 sizeof lerr) != 0) {
			fprintf(stderr, "pentrap run: %s\n", lerr);
			return EXIT_USAGE;
		}
	}
	char err[1024] = "";
	int status = opt.nifaces ? run_live(&opt, err, sizeof err) : run_captures(&opt, err, sizeof err);
	if (status != RUN_OK)
		fprintf(stderr, "pentrap: %s\n", err[0] ? err : "failed");
	return status;
}
