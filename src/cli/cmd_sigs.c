/* cmd_sigs.c — `pentrap sigs check FILE` and `pentrap sigs info [FILE]`: options in, detect/ out. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "detect/sigs.h"
#include "detect/sigs_info.h"

static const char usage[] =
	"usage: pentrap sigs check FILE\n"
	"       pentrap sigs info [FILE] [--max-age DAYS]\n"
	"\n"
	"Signature definitions: what pentrap recognises in encrypted traffic (apps' servers,\n"
	"names, preambles, traffic shape). See docs/signatures.md.\n"
	"\n"
	"  check FILE       validate a definitions file; a problem is reported as FILE:LINE: problem\n"
	"  info [FILE]      version, release date, age and signatures per service of FILE,\n"
	"                   or of the built-in set (compiled into pentrap from sigs/builtin.yaml)\n"
	"  --max-age DAYS   the age past which definitions are called stale (default 30)\n"
	"\n"
	"Exit status: 0 valid, 2 bad usage or a definitions file with an error.\n";

int cmd_sigs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max-age", required_argument, NULL, 'm' },
		CLI_OPT_HELP_END,
	};
	unsigned max_age = SIGS_DEFAULT_MAX_AGE_DAYS;
	/* getopt puts the subcommand and FILE after the options, wherever they were given */
	struct cli_opts co = { .cmd = "sigs", .usage = usage, .shortopts = "h", .longopts = longopts,
			       .operands = true };
	while (cli_opts_next(&co, argc, argv)) {
		switch (co.opt) {
		case 'm':
			if (cli_opt_uint("sigs", "--max-age", optarg, 0, 100000, "days", &max_age) != 0)
				return EXIT_USAGE;
			break;
		}
	}
	if (co.exit)
		return co.status;
	if (optind >= argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *sub = argv[optind++];
	const char *file = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return cli_usage_error("sigs", "unexpected argument '%s'", argv[optind]);
	bool check = strcmp(sub, "check") == 0, info = strcmp(sub, "info") == 0;
	if (!check && !info)
		return cli_usage_error("sigs", "unknown subcommand '%s' (check or info)", sub);
	if (check && !file)
		return cli_usage_error("sigs check", "needs FILE");
	char err[512];
	struct sigset *s = NULL;
	int rc = file ? sigs_load_file(file, &s, err, sizeof err) : sigs_load_builtin(&s, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return EXIT_USAGE;
	}
	uint64_t now = sigs_wall_now_us();
	if (check) {
		long age = sigs_age_days(s, now);
		printf("%s: ok: version %s, released %s (%ld day%s ago), %zu signatures\n", file, s->version,
		       s->released, age, age == 1 ? "" : "s", s->nsigs);
	} else {
		sigs_describe(s, stdout, now, (long)max_age);
	}
	sigs_unref(s);
	return 0;
}
