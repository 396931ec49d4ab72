/* cmd_report.c — `pentrap report`: options in, report_write out. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "core/party.h"
#include "report/report.h"

static const char usage[] =
	"usage: pentrap report --db records.db [--order ID] [--from TIME] [--to TIME]\n"
	"                      [--target ID ...] [--format html|dot|csv|json] [--max-nodes N] -o FILE\n"
	"\n"
	"Writes the order's answer: a self-contained HTML report (order and custody, the\n"
	"chain's verification status, the contact graph, a timeline and the records of each\n"
	"target, who was in contact with whom); or the graph and pair summary as Graphviz\n"
	"DOT, CSV or JSON for other tools. '-o -' writes to standard output.\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n";

/* --format's names, in the order of enum report_format */
static const char *const format_names[] = { "html", "dot", "csv", "json" };

enum { MAX_NODES_LIMIT = 100000 }; /* more than Graphviz lays out in reasonable time */

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "order", required_argument, NULL, 'O' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "target", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-nodes", required_argument, NULL, 'm' },
		CLI_OPT_HELP_END,
	};
	struct report_options opt = { .format = REPORT_HTML };
	char targets[REPORT_MAX_TARGET_FILTER][160];
	struct cli_opts co = { .cmd = "report", .usage = usage, .shortopts = "o:h", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'd':
			opt.db_path = optarg;
			break;
		case 'O':
			opt.order_id = optarg;
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'F':
			if (cli_opt_time("report", "--from", optarg, &opt.from_us) != 0)
				return EXIT_USAGE;
			break;
		case 'T':
			if (cli_opt_time("report", "--to", optarg, &opt.to_us) != 0)
				return EXIT_USAGE;
			break;
		case 't':
			if (opt.ntargets == REPORT_MAX_TARGET_FILTER)
				return cli_usage_error("report", "at most %d --target", REPORT_MAX_TARGET_FILTER);
			party_normalise(optarg, strlen(optarg), targets[opt.ntargets], sizeof targets[0]);
			if (!targets[opt.ntargets][0])
				snprintf(targets[opt.ntargets], sizeof targets[0], "%s", optarg);
			opt.targets[opt.ntargets] = targets[opt.ntargets];
			opt.ntargets++;
			break;
		case 'f': {
			int i;
			if (cli_opt_choice("report", "--format", optarg, format_names, 4, &i) != 0)
				return EXIT_USAGE;
			opt.format = (enum report_format)i;
			break;
		}
		case 'm':
			if (cli_opt_uint("report", "--max-nodes", optarg, 2, MAX_NODES_LIMIT, NULL, &opt.max_nodes) != 0)
				return EXIT_USAGE;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (!opt.db_path || !opt.output)
		return cli_usage_error("report", "needs --db FILE and -o FILE (see --help)");
	char err[1024] = "";
	int status = report_write(&opt, err, sizeof err);
	if (status != 0)
		fprintf(stderr, "pentrap: %s\n", err);
	return status;
}
