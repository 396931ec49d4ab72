/* cmd_query.c — `pentrap query`: one identifier's full record, in time order. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/timefmt.h"
#include "record/store.h"
#include "record/table.h"

static const char usage[] =
	"usage: pentrap query --db records.db --target ID [--from TIME] [--to TIME]\n"
	"                     [--format table|jsonl|csv]\n"
	"\n"
	"Prints the full bidirectional record of one identifier (a target, or any party:\n"
	"+15551234567, sip:alice@example.net, imsi:..., an IP address), in time order.\n"
	"TIME is RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01).\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n";

enum query_format { FMT_TABLE, FMT_JSONL, FMT_CSV };

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
	} else {
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
		case 'T':
			if (ts_parse(optarg, c == 'F' ? &from_us : &to_us) != 0) {
				fprintf(stderr, "pentrap query: --%s: not an RFC 3339 time: '%s'\n",
					c == 'F' ? "from" : "to", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				q.fmt = FMT_TABLE;
			else if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
				q.fmt = FMT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				q.fmt = FMT_CSV;
			else {
				fprintf(stderr, "pentrap query: --format: expected table, jsonl or csv, not '%s'\n", optarg);
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
	if (!db || !target) {
		fprintf(stderr, "pentrap query: needs --db FILE and --target ID (see --help)\n");
		return EXIT_USAGE;
	}
	char err[1024] = "";
	struct store *s = NULL;
	FILE *probe = fopen(db, "rb");
	if (!probe) {
		fprintf(stderr, "pentrap: %s: cannot open store: no such file\n", db);
		return EXIT_USAGE;
	}
	fclose(probe);
	if (store_open_readonly(db, &s, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return EXIT_USAGE;
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
