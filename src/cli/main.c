/* main.c — pentrap's command line: picks the subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/test_hook.h"
#include "proto/proto.h"

static const char usage[] =
	"usage: pentrap COMMAND [OPTIONS]\n"
	"\n"
	"A pen register and trap-and-trace device for packet networks: records who\n"
	"contacted whom, when and how, for the targets of a legal order. Never content.\n"
	"\n"
	"commands:\n"
	"  run     read captures and record the order's targets' calls and messages\n"
	"  query   the full bidirectional record of one identifier\n"
	"  report  the order's answer: HTML report with contact graph and timelines\n"
	"  verify  check the records' hash chain, signatures and custody\n"
	"  deliver hand the order's records over to an agency as ETSI HI2 IRI\n"
	"  keygen  make the sensor's Ed25519 key pair for signing the records\n"
	"  gen     write synthetic mobile-core traffic with its ground truth\n"
	"  sigs    check or describe signature definitions (check FILE, info [FILE])\n"
	"  order   check an order file without a capture (check FILE)\n"
	"  collect take sensors' records from the broker into the central store (PostgreSQL)\n"
	"  publish send what a sensor's store holds and the broker has not confirmed\n"
	"  db      the central store: migrate its schema, import a sensor's store\n"
	"  version print the version\n"
	"\n"
	"'pentrap COMMAND --help' describes each command. Exit status: 0 done, 1 runtime\n"
	"failure, 2 bad usage or bad input (order, definitions, capture).\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "run", cmd_run },
	{ "query", cmd_query },
	{ "report", cmd_report },
	{ "verify", cmd_verify },
	{ "deliver", cmd_deliver },
	{ "keygen", cmd_keygen },
	{ "gen", cmd_gen },
	{ "sigs", cmd_sigs },
	{ "db", cmd_db },
	{ "order", cmd_order },
	{ "collect", cmd_collect },
	{ "publish", cmd_publish },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
		/* the registry's dissectors too, so scripts ask the binary what it parses */
		printf("pentrap %s\ndissectors:", PENTRAP_VERSION);
		for (size_t i = 0; proto_registry[i]; i++)
			printf(" %s", proto_registry[i]->name);
		printf("\n");
		return 0;
	}
	char err[256];
	if (test_hook_load(err, sizeof err) != 0) { /* tests only: docs/robustness.md */
		fprintf(stderr, "pentrap: %s\n", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pentrap: unknown command '%s' (try 'pentrap --help')\n", name);
	return EXIT_USAGE;
}
