/* cmd_db.c — `pentrap db`: the central store's schema (migrate) and importing a sensor's store. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "record/store.h"
#include "record/store_copy.h"

static const char usage[] =
	"usage: pentrap db migrate --db postgresql://USER@HOST/DB\n"
	"       pentrap db import --db postgresql://USER@HOST/DB STORE.db [STORE.db ...]\n"
	"\n"
	"The central store (PostgreSQL; docs/scale.md).\n"
	"  migrate  brings the database's pentrap schema to this version (creating it in a\n"
	"           database that has none); each step once, in a transaction of its own.\n"
	"           Collectors do the same on start.\n"
	"  import   copies sensors' own stores (SQLite) into it without a broker: keys, runs'\n"
	"           custody, records and checkpoints; what is already there is left as it is.\n"
	"\n"
	"  --db URL   the central store, e.g. postgresql://pentrap@db.example/pentrap\n"
	"\n"
	"Exit status: 0 done, 1 runtime failure (the database), 2 bad usage or bad input.\n";

static int migrate(const char *db)
{
	char err[1024] = "";
	struct store *s = NULL;
	struct store_migration_report rep = { 0 };
	/* opening for writing migrates already (as a collector's start does) */
	if (store_open(db, &s, err, sizeof err) != 0 || store_migrate(s, &rep, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		store_close(s);
		return 1;
	}
	printf("%s: pentrap schema at version %d\n", store_name(s), rep.to_version);
	store_close(s);
	return 0;
}

static int import(const char *db, char **paths, int n)
{
	char err[1024] = "";
	struct store *dst = NULL;
	int status = 0;
	if (store_open(db, &dst, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n && status == 0; i++) {
		struct store *src = NULL;
		struct store_copy_stats st;
		if (store_is_central(paths[i])) {
			fprintf(stderr, "pentrap db import: %s: a sensor's store is an SQLite file\n", paths[i]);
			status = EXIT_USAGE;
		} else if (store_open_readonly(paths[i], &src, err, sizeof err) != 0) {
			fprintf(stderr, "pentrap: %s\n", err);
			status = EXIT_USAGE;
		} else if (store_copy(src, dst, &st, err, sizeof err) != 0) {
			fprintf(stderr, "pentrap: %s\n", err);
			status = 1;
		} else {
			printf("%s: sensor %s, records up to seq %" PRIu64 ": %" PRIu64 " rows stored, %" PRIu64
			       " already there%s\n",
			       paths[i], st.sensor, st.last_seq, st.stored, st.duplicates,
			       st.conflicts ? " (some records differ from the ones stored: not imported)" : "");
			if (st.conflicts)
				status = 1;
		}
		store_close(src);
	}
	store_close(dst);
	return status;
}

int cmd_db(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		CLI_OPT_HELP_END,
	};
	const char *db = NULL;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const char *what = argv[1];
	struct cli_opts co = { .cmd = "db", .usage = usage, .shortopts = "h", .longopts = longopts,
			       .first = 2, .operands = true };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'd':
			db = optarg;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (!db || !store_is_central(db)) {
		fprintf(stderr, "pentrap db %s: needs --db postgresql://... (the central store)\n", what);
		return EXIT_USAGE;
	}
	if (strcmp(what, "migrate") == 0) {
		if (optind < argc) {
			fprintf(stderr, "pentrap db migrate: unexpected argument '%s'\n", argv[optind]);
			return EXIT_USAGE;
		}
		return migrate(db);
	}
	if (strcmp(what, "import") == 0) {
		if (optind == argc) {
			fprintf(stderr, "pentrap db import: needs the sensor stores to import\n");
			return EXIT_USAGE;
		}
		return import(db, argv + optind, argc - optind);
	}
	fprintf(stderr, "pentrap db: unknown subcommand '%s' (migrate, import)\n", what);
	return EXIT_USAGE;
}
