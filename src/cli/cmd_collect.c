/* cmd_collect.c — `pentrap collect`: options in, collect_run out. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "broker/collect.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "record/store.h"

static const char usage[] =
	"usage: pentrap collect --broker amqp://USER:PASS@HOST:PORT/VHOST --db postgresql://USER@HOST/DB\n"
	"                       [--batch N] [--idle-exit S]\n"
	"\n"
	"Takes the sensors' records, runs, checkpoints and keys from the broker's queue\n"
	"pentrap.records into the central store (PostgreSQL), acknowledging each batch once\n"
	"it is committed: a collector killed loses nothing, a message delivered twice is\n"
	"stored once. Run as many as you like on one queue. Messages that are not pentrap's,\n"
	"whose records do not hash to their hashes, or whose sensor id another key holds are\n"
	"refused (counted, said once per kind, dead-lettered into pentrap.rejected).\n"
	"Runs until SIGTERM or SIGINT; SIGUSR1 prints its statistics (docs/scale.md).\n"
	"\n"
	"  --broker URL   the broker (RabbitMQ)\n"
	"  --db URL       the central store; its schema is made or migrated on start\n"
	"  --batch N      messages per transaction (default 64, at most 1024)\n"
	"  --idle-exit S  stop once the queue has given nothing for S seconds\n"
	"\n"
	"Exit status: 0 stopped, 1 runtime failure (broker or database unusable at start),\n"
	"2 bad usage (a URL that cannot be read).\n";

static volatile sig_atomic_t stop_flag, stats_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_stats(int sig)
{
	(void)sig;
	stats_flag = 1;
}

/* One line on stderr with a UTC time stamp, as the live sensor logs. */
static void say(const char *line)
{
	char when[32] = "";
	time_t t = time(NULL);
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s pentrap: %s\n", when, line);
	fflush(stderr);
}

int cmd_collect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "broker", required_argument, NULL, 'b' },
		{ "db", required_argument, NULL, 'd' },
		{ "batch", required_argument, NULL, 'n' },
		{ "idle-exit", required_argument, NULL, 'x' },
		CLI_OPT_HELP_END,
	};
	struct collect_options o = { .say = say };
	struct cli_opts co = { .cmd = "collect", .usage = usage, .shortopts = "h", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'b':
			o.broker_url = optarg;
			break;
		case 'd':
			o.db = optarg;
			break;
		case 'n':
			if (cli_opt_uint("collect", "--batch", optarg, 1, 1024, NULL, &o.batch) != 0)
				return EXIT_USAGE;
			break;
		case 'x':
			if (cli_opt_double("collect", "--idle-exit", optarg, 0, 86400.0 * 366, "seconds", &o.idle_exit_s) != 0)
				return EXIT_USAGE;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (!o.broker_url || !o.db)
		return cli_usage_error("collect", "needs --broker amqp://... and --db postgresql://... (see --help)");
	if (!store_is_central(o.db))
		return cli_usage_error("collect", "--db %s: the central store is a postgresql:// URL", o.db);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_stats;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	char err[1024] = "";
	struct collect_stats st;
	int status = collect_run(&o, &stop_flag, &stats_flag, &st, err, sizeof err);
	if (status != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return status;
	}
	char line[512];
	collect_stats_line(&st, line, sizeof line);
	say(line);
	return 0;
}
