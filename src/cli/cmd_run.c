/* cmd_run.c — `pentrap run`: options in, run_captures out. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "run/run.h"
#include "run/shard.h"

static const char usage[] =
	"usage: pentrap run --order ORDER.yaml [--db records.db] [--jsonl FILE|-] [--sigs FILE]\n"
	"                   -r CAPTURE [-r CAPTURE ...] [-j THREADS] [--table] [--no-db] [--again]\n"
	"                   [--merge-mirrors] [-q | -v]\n"
	"       pentrap run --order ORDER.yaml [--db records.db] -i IFACE [-i IFACE ...] [-f BPF]\n"
	"                   [-j THREADS] [-Z USER] [--snaplen N] [--buffer-mb N] [--no-promisc]\n"
	"                   [--stats-interval S] [--max-db-mb N]\n"
	"       ... [--broker amqp://USER:PASS@HOST:PORT/VHOST [--no-shared-identity]]\n"
	"\n"
	"Reads the captures in order and records, for the order's targets, every call,\n"
	"message and registration they originate (pen register) or receive (trap and trace),\n"
	"within the order's validity window. Never content.\n"
	"\n"
	"  --order FILE   the order (YAML; see docs/order.md)\n"
	"  -r FILE        a pcap or pcapng capture; '-' reads standard input; repeatable\n"
	"  -j THREADS     threads that read the traffic (default 1); with 2 or more, a\n"
	"                 reader thread (of the files, or of the interfaces' rings) shares\n"
	"                 flows out between them by device, the records keep one order,\n"
	"                 and --max-memory and --max-flows are split between them\n"
	"                 (docs/performance.md, docs/live.md)\n"
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
	"  --merge-mirrors  the same inner packets mirrored through two tunnels (two\n"
	"                 switches' ERSPAN sessions, two VNIs) are one flow: the tunnel is\n"
	"                 no part of a flow's key (docs/tunnels.md)\n"
	"  --max-flows N  flows tracked at once (default: as many as fit in 3/8 of the cap,\n"
	"                 at most 1048576); a new flow ends the longest-idle one\n"
	"  --key FILE     the sensor's Ed25519 private key (pentrap keygen) that signs the\n"
	"                 checkpoints; default: the store's own key DB.key, made on first use\n"
	"                 (it proves integrity against accident only: docs/evidence.md)\n"
	"  --sensor ID    this sensor's name in the custody (default: the host name)\n"
	"  --note TEXT    the operator's note, kept in the run's custody\n"
	"  --resume       continue the store's interrupted last run (same order and captures)\n"
	"  --checkpoint-every N  records between signed checkpoints (default 1000)\n"
	"  --broker URL   also publish the store's records (and the identity bindings learned) to\n"
	"                 a broker, amqp://USER:PASS@HOST:PORT/VHOST, and name subscribers from\n"
	"                 the other sensors' bindings (docs/scale.md). The store stays the spool:\n"
	"                 while the broker is away records are kept and published when it is back\n"
	"  --no-shared-identity  with --broker: neither publish nor read identity bindings\n"
	"  --broker-wait S  at the end, wait at most S seconds for what is not yet published\n"
	"                 (default: captures until it is, live 10 s; 'pentrap publish' sends the rest)\n"
	"  --identity-wait S  live: an event whose parties are addresses nobody is bound to waits\n"
	"                 up to S seconds (default 2) for another sensor's binding to name them\n"
	"  --again        record captures the store already holds (same SHA-256) again\n"
	"  -q, --quiet    no summary\n"
	"  -v, --verbose  the summary adds the memory plan, table sizes and the workers\n"
	"\n"
	"A summary (the frames' time range, packets, flows, events, records, per target its\n"
	"events or \"not seen\", anomalies) ends every run on stderr, and a warning when the\n"
	"order's window or targets matched nothing; on a terminal a progress line shows\n"
	"while captures are read.\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n";

/* The options that take a whole number: their range and what they count (cli/opt.h). */
struct number_option {
	int c;
	const char *name;
	unsigned lo, hi; /* hi UINT_MAX: no bound here (run_options_check has the real one) */
	const char *unit;
};

static const struct number_option number_options[] = {
	{ 'j', "-j", 1, SHARD_MAX_WORKERS, "threads" },
	{ 'M', "--max-memory", 1, UINT_MAX, NULL },
	{ 'F', "--max-flows", 1, UINT_MAX, NULL },
	{ 'C', "--checkpoint-every", 1, 100000000, NULL },
	{ 'A', "--sigs-max-age", 1, 100000, "days" },
	{ 's', "--snaplen", 64, 262144, NULL },
	{ 'B', "--buffer-mb", 1, 4096, NULL },
	{ 'V', "--stats-interval", 0, 86400 * 366, NULL },
};

/* Puts the number option c's value into opt. 0, or -1 after the one-line error. */
static int set_number(struct run_options *opt, int c, const char *arg)
{
	const struct number_option *n = NULL;
	for (size_t i = 0; i < sizeof number_options / sizeof number_options[0]; i++)
		if (number_options[i].c == c)
			n = &number_options[i];
	unsigned v;
	if (cli_opt_uint("run", n->name, arg, n->lo, n->hi, n->unit, &v) != 0)
		return -1;
	switch (c) {
	case 'j': opt->workers = v; break;
	case 'M': opt->max_memory_mib = v; break;
	case 'F': opt->max_flows = v; break;
	case 'C': opt->checkpoint_every = v; break;
	case 'A': opt->sigs_max_age_days = (long)v; break;
	case 's': opt->live.snaplen = (int)v; break;
	case 'B': opt->live.buffer_mb = (int)v; break;
	case 'V': opt->stats_interval_s = v; break;
	}
	return 0;
}

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
		{ "verbose", no_argument, NULL, 'v' },
		{ "again", no_argument, NULL, 'a' },
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
		{ "broker", required_argument, NULL, 'b' },
		{ "no-shared-identity", no_argument, NULL, 'U' },
		{ "broker-wait", required_argument, NULL, 'W' },
		{ "identity-wait", required_argument, NULL, 'Y' },
		{ "merge-mirrors", no_argument, NULL, 'G' },
		CLI_OPT_HELP_END,
	};
	struct run_options opt = {
		.db_path = "records.db",
		.progress = true,
		.live = { .snaplen = 262144, .buffer_mb = 64, .promisc = 1, .timeout_ms = 200 },
		.stats_interval_s = 60,
	};
	bool no_db = false;
	const char *reload_next = NULL; /* --reload-sigs waiting for the -r it comes before */
	struct cli_opts co = { .cmd = "run", .usage = usage, .shortopts = "r:i:f:Z:qvj:h", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'j': case 'M': case 'F': case 'C': case 'A': case 's': case 'B': case 'V':
			if (set_number(&opt, co.opt, optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'X':
			if (cli_opt_megabytes("run", "--max-db-mb", optarg, 1e9, &opt.max_db_bytes) != 0)
				return EXIT_USAGE;
			break;
		case 'i':
			if (opt.nifaces == RUN_MAX_IFACES)
				return cli_usage_error("run", "at most %d interfaces", RUN_MAX_IFACES);
			opt.ifaces[opt.nifaces++] = optarg;
			break;
		case 'r':
			if (opt.ncaptures == RUN_MAX_CAPTURES)
				return cli_usage_error("run", "at most %d captures", RUN_MAX_CAPTURES);
			opt.reload_sigs[opt.ncaptures] = reload_next;
			reload_next = NULL;
			opt.captures[opt.ncaptures++] = optarg;
			break;
		case 'L':
			if (opt.ncaptures == 0)
				return cli_usage_error("run", "--reload-sigs goes between captures (after a -r; use "
							      "--sigs for the first)");
			reload_next = optarg;
			break;
		case 'f': opt.live.bpf = optarg; break;
		case 'Z': opt.user = optarg; break;
		case 'P': opt.live.promisc = 0; break;
		case 'o': opt.order_path = optarg; break;
		case 'd': opt.db_path = optarg; break;
		case 'N': no_db = true; break;
		case 'J': opt.jsonl_path = optarg; break;
		case 'S': opt.sigs_path = optarg; break;
		case 'K': opt.key_path = optarg; break;
		case 'I': opt.sensor_id = optarg; break;
		case 'n': opt.note = optarg; break;
		case 'R': opt.resume = true; break;
		case 'b': opt.broker_url = optarg; break;
		case 'U': opt.no_shared_identity = true; break;
		case 'W':
			if (cli_opt_double("run", "--broker-wait", optarg, 0, 86400.0 * 366, "seconds", &opt.broker_wait_s) != 0)
				return EXIT_USAGE;
			break;
		case 'Y':
			if (cli_opt_double("run", "--identity-wait", optarg, 0, 3600, "seconds", &opt.identity_wait_s) != 0)
				return EXIT_USAGE;
			break;
		case 'G': opt.merge_mirrors = true; break;
		case 'T': opt.table = true; break;
		case 'q': opt.quiet = true; break;
		case 'v': opt.verbose = true; break;
		case 'a': opt.again = true; break;
		}
	}
	if (co.exit)
		return co.status;
	if (reload_next)
		return cli_usage_error("run", "--reload-sigs %s: no -r capture follows it", reload_next);
	if (no_db)
		opt.db_path = NULL;
	char err[1024] = "";
	if (run_options_check(&opt, err, sizeof err) != 0)
		return cli_usage_error("run", "%s", err);
	int status = opt.nifaces ? run_live(&opt, err, sizeof err) : run_captures(&opt, err, sizeof err);
	if (status != RUN_OK)
		fprintf(stderr, "pentrap: %s\n", err[0] ? err : "failed");
	return status;
}
