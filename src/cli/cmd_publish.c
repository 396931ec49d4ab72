/* cmd_publish.c — `pentrap publish`: what a sensor's store holds and the broker has not confirmed, sent. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "broker/amqp_link.h"
#include "broker/publish.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "record/store.h"

static const char usage[] =
	"usage: pentrap publish --db records.db --broker amqp://USER:PASS@HOST:PORT/VHOST [--timeout S]\n"
	"\n"
	"Publishes what the sensor's store holds beyond what the broker confirmed (records,\n"
	"runs, checkpoints, keys, identity bindings), as 'pentrap run --broker' does while it\n"
	"runs, then exits: for a store whose run ended while the broker was away, or a store\n"
	"handed over later (docs/scale.md).\n"
	"\n"
	"  --db FILE      the sensor's store (SQLite)\n"
	"  --broker URL   the broker\n"
	"  --timeout S    give up after S seconds (default: wait until published; SIGINT stops)\n"
	"\n"
	"Exit status: 0 everything published, 1 not everything (broker away, stopped),\n"
	"2 bad usage or bad input (a store that is not one, a URL that cannot be read).\n";

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void say(const char *line)
{
	fprintf(stderr, "pentrap: %s\n", line);
}

int cmd_publish(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "broker", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		CLI_OPT_HELP_END,
	};
	const char *db = NULL, *url = NULL;
	double timeout = -1;
	struct cli_opts co = { .cmd = "publish", .usage = usage, .shortopts = "h", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			url = optarg;
			break;
		case 't':
			if (cli_opt_double("publish", "--timeout", optarg, 0, 86400.0 * 366, "seconds", &timeout) != 0)
				return EXIT_USAGE;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (!db || !url)
		return cli_usage_error("publish", "needs --db FILE and --broker amqp://... (see --help)");
	if (store_is_central(db))
		return cli_usage_error("publish", "--db %s: publish sends a sensor's own store (SQLite)", db);
	char err[1024] = "", shown[512];
	struct store *s = NULL;
	if (amqp_url_check(url, shown, sizeof shown, err, sizeof err) != BROKER_OK) {
		fprintf(stderr, "pentrap: %s\n", err);
		return EXIT_USAGE;
	}
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "pentrap: %s: cannot open store: no such file\n", db);
		return EXIT_USAGE;
	}
	if (store_open(db, &s, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return EXIT_USAGE;
	}
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct publisher *p = NULL;
	struct publisher_config cfg = { .url = url, .spool = db, .say = say };
	int status = publisher_start(&cfg, &p, err, sizeof err);
	if (status != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		store_close(s);
		return status;
	}
	uint64_t waiting = publisher_drain(p, timeout, &stop_flag);
	char line[768];
	publisher_stats(p, line, sizeof line);
	if (publisher_save(p, s, err, sizeof err) != 0)
		fprintf(stderr, "pentrap: %s\n", err);
	publisher_stop(p);
	store_close(s);
	if (waiting) {
		fprintf(stderr, "pentrap: %s: not everything was published (%s)\n", db, line);
		return 1;
	}
	fprintf(stderr, "pentrap: %s\n", line);
	return 0;
}
