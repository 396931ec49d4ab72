/* cmd_report.c — `pentrap report`: options in, report_write out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/party.h"
#include "core/timefmt.h"
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options opt = { .format = REPORT_HTML };
	char targets[REPORT_MAX_TARGET_FILTER][160];
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
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
		case 'T':
			if (ts_parse(optarg, c == 'F' ? &opt.from_us : &opt.to_us) != 0) {
				fprintf(stderr, "pentrap report: --%s: not an RFC 3339 time: '%s'\n",
					c == 'F' ? "from" : "to", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (opt.ntargets == REPORT_MAX_TARGET_FILTER) {
				fprintf(stderr, "pentrap report: at most %d --target\n", REPORT_MAX_TARGET_FILTER);
				return EXIT_USAGE;
			}
			party_normalise(optarg, strlen(optarg), targets[opt.ntargets], sizeof targets[0]);
			if (!targets[opt.ntargets][0])
				snprintf(targets[opt.ntargets], sizeof targets[0], "%s", optarg);
			opt.targets[opt.ntargets] = targets[opt.ntargets];
			opt.ntargets++;
			break;
		case 'f':
			if (strcmp(optarg, "html") == 0)
				opt.format = REPORT_HTML;
			else if (strcmp(optarg, "dot") == 0)
				opt.format = REPORT_DOT;
			else if (strcmp(optarg, "csv") == 0)
				opt.format = REPORT_CSV;
			else if (strcmp(optarg, "json") == 0)
				opt.format = REPORT_JSON;
			else {
				fprintf(stderr, "pentrap report: --format: expected html, dot, csv or json, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm':
			opt.max_nodes = (unsigned)strtoul(optarg, NULL, 10);
			if (opt.max_nodes < 2) {
				fprintf(stderr, "pentrap report: --max-nodes: expected a number of at least 2\n");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (!opt.db_path || !opt.output) {
		fprintf(stderr, "pentrap report: needs --db FILE and -o FILE (see --help)\n");
		return EXIT_USAGE;
	}
	char err[1024] = "";
	if (report_write(&opt, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return strstr(err, "Graphviz") || strstr(err, "cannot write") ? 1 : EXIT_USAGE;
	}
	return 0;
}
