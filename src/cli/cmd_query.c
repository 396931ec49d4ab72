/* cmd_query.c — `pentrap query`: one identifier's full record, in time order. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "core/timefmt.h"
#include "record/store.h"
#include "record/table.h"
#include "record/tally.h"

static const char usage[] =
	"usage: pentrap query --db records.db|postgresql://... --target ID [--from TIME] [--to TIME]\n"
	"                     [--format table|jsonl|csv]\n"
	"\n"
	"Prints the full bidirectional record of one identifier, in time order: a target or\n"
	"any party as an order writes it (101@10.33.6.100, sip:101@10.33.6.100,\n"
	"'+1 555 567 0268', tel:+15555670268, an IMSI, imsi:...), or an IP address or\n"
	"prefix (the records where an address in it is a party or the target's own).\n"
	"Then, on stderr, how many records and events (an event of two targets has a\n"
	"record for each), or that none matched.\n"
	"TIME is RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01).\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad usage or bad input.\n";

/* --format's names, in the order of enum query_format ("json" is jsonl too) */
enum query_format { FMT_TABLE, FMT_JSONL, FMT_CSV, FMT_JSON };
static const char *const format_names[] = { "table", "jsonl", "csv", "json" };

struct query_out {
	enum query_format fmt;
	unsigned long rows;
	struct tally *tally; /* events, not records */
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
	tally_add(q->tally, r);
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
		CLI_OPT_HELP_END,
	};
	const char *db = NULL, *target = NULL;
	uint64_t from_us = 0, to_us = 0;
	struct query_out q = { FMT_TABLE, 0 };
	struct cli_opts co = { .cmd = "query", .usage = usage, .shortopts = "h", .longopts = longopts };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
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
		}
	}
	if (co.exit)
		return co.status;
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
	if (!(q.tally = tally_new(0))) {
		store_close(s);
		fprintf(stderr, "pentrap: out of memory\n");
		return 1;
	}
	int rc = store_query(s, target, from_us, to_us, print_record, &q, err, sizeof err);
	store_close(s);
	uint64_t records = 0, events = tally_events(q.tally, NULL, &records);
	tally_free(q.tally);
	if (rc != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return 1;
	}
	/* on stderr, so what goes to standard output stays records only */
	char a[TS_STRLEN], b[TS_STRLEN], range[2 * TS_STRLEN + 32] = "";
	if (from_us || to_us)
		snprintf(range, sizeof range, " from %s to %s", from_us ? ts_format(from_us, a, sizeof a) : "the start",
			 to_us ? ts_format(to_us, b, sizeof b) : "the end");
	if (q.rows == 0)
		fprintf(stderr, "pentrap query: no records for %s in %s%s\n", target, db, range);
	else
		fprintf(stderr, "pentrap query: %" PRIu64 " record%s, %" PRIu64 " event%s for %s%s\n", records,
			records == 1 ? "" : "s", events, events == 1 ? "" : "s", target, range);
	return 0;
}
