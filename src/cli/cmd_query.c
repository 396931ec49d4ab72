/* cmd_query.c — `pentrap query`: one identifier's full record, in time order. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "record/store.h"
#include "record/table.h"

static const char usage[] =
	"usage: pentrap query --db records.db|postgresql://... --target ID [--from TIME] [--to TIME]\n"
	"                     [--format table|jsonl|csv]\n"
	"\n"
	"Prints the full bidirectional record of one identifier (a target, or any party:\n"
	"+15551234567, sip:alice@example.net, imsi:..., an IP address), in time order.\n"
	"TIME is RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01).\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n";

/* --format's names, in the order of enum query_format ("json" is jsonl too) */
enum query_format { FMT_TABLE, FMT_JSONL, FMT_CSV, FMT_JSON };
static const char *const format_names[] = { "table", "jsonl", "csv", "json" };

struct query_out {
	enum query_format fmt;
	unsigned long rows;
};

static int print_record(const struct record *r, void *ud)
{
	struct query_out *q = ud;
	if (q->fmt == FMT_TABLE) {
		if (q->rows == 0)
			record_table_header(stdout);
		record_table_row(r, stdout);
	} else if (q->fmt == FMT_CSV) {
		if (q->rows == 0)
			record_csv_header(stdout);
		record_csv_row(r, stdout);
	} else { /* FMT_JSONL, FMT_JSON */
		record_write_json(r, stdout);
		fputc('\n', stdout);
	}
	q->rows++;
	return 0;
}

int cmd_query(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "target", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *target = NULL;
	uint64_t from_us = 0, to_us = 0;
	struct query_out q = { FMT_TABLE, 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 't':
			target = optarg;
			break;
		case 'F':
			if (cli_opt_time("query", "--from", optarg, &from_us) != 0)
				return EXIT_USAGE;
			break;
		case 'T':
			if (cli_opt_time("query", "--to", optarg, &to_us) != 0)
				return EXIT_USAGE;
			break;
		case 'f': {
			int i;
			if (cli_opt_choice("query", "--format", optarg, format_names, 4, &i) != 0)
				return EXIT_USAGE;
			q.fmt = (enum query_format)i;
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
	if (optind < argc)
		return cli_usage_error("query", "unexpected argument '%s'", argv[optind]);
	if (!db || !target)
		return cli_usage_error("query", "needs --db FILE and --target ID (see --help)");
	char err[1024] = "";
	struct store *s = NULL;
	FILE *probe = store_is_central(db) ? NULL : fopen(db, "rb");
	if (!probe && !store_is_central(db)) {
		fprintf(stderr, "pentrap: %s: cannot open store: no such file\n", db);
		return EXIT_USAGE;
	}
	if (probe)
		fclose(probe);
	int orc = store_open_readonly(db, &s, err, sizeof err);
	if (orc != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		/* a central store that cannot be reached is a runtime failure, not bad input */
		return store_is_central(db) && orc != STORE_OPEN_BAD ? 1 : EXIT_USAGE;
	}
	int rc = store_query(s, target, from_us, to_us, print_record, &q, err, sizeof err);
	store_close(s);
	if (rc != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return 1;
	}
	if (q.rows == 0 && q.fmt == FMT_TABLE)
		fprintf(stderr, "pentrap query: no records for %s\n", target);
	return 0;
}
