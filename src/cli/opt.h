/*
 * opt.h — the values of the command line's options, read one way by every command:
 * whole numbers within a range, decimal numbers, sizes, times and choices.
 *
 * Each reader takes the command ("run"), the option as the user knows it ("--max-memory",
 * "-j") and the argument; on a bad argument it prints one line on stderr,
 *     pentrap run: --max-memory: not a positive number: 'lots'
 * and returns -1; the command then returns EXIT_USAGE (docs/cli.md). Only digits are a
 * number: no sign, no spaces, no "0x", no trailing text ("7abc"), nothing that wraps
 * around ("-1").
 */
#ifndef PENTRAP_CLI_OPT_H
#define PENTRAP_CLI_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A whole number from lo to hi into *out. unit names what is counted in the message
 * ("threads": "not a number of threads from 1 to 64"); NULL for a plain number. With
 * hi = UINT64_MAX the message says "a positive number" (lo 1), "a number" (lo 0), or
 * "a number of at least LO".
 */
int cli_opt_u64(const char *cmd, const char *opt, const char *arg, uint64_t lo, uint64_t hi, const char *unit,
		uint64_t *out);
/* The same into an unsigned; hi is at most UINT_MAX (UINT_MAX itself: no upper bound). */
int cli_opt_uint(const char *cmd, const char *opt, const char *arg, unsigned lo, unsigned hi, const char *unit,
		 unsigned *out);

/*
 * A decimal number (digits with at most one '.') above lo (exclusive) and at most hi
 * into *out; "not a positive number of seconds up to 2592000" and the like.
 */
int cli_opt_double(const char *cmd, const char *opt, const char *arg, double lo, double hi, const char *unit,
		   double *out);

/* A size in decimal megabytes (1 MB = 10^6 bytes; "2.5" allowed), above 0 and at most
 * max_mb, into *bytes. */
int cli_opt_megabytes(const char *cmd, const char *opt, const char *arg, double max_mb, uint64_t *bytes);

/* A time: RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01), as microseconds since
 * the epoch (core/timefmt.h ts_parse). */
int cli_opt_time(const char *cmd, const char *opt, const char *arg, uint64_t *us);

/* One of names[0..n-1]; *index gets its position. The message lists the names. */
int cli_opt_choice(const char *cmd, const char *opt, const char *arg, const char *const *names, size_t n,
		   int *index);

/*
 * A command's options, read with getopt_long the one way every command does: --help
 * prints the usage on stdout and ends the command (0); an unknown option or one missing
 * its argument prints the usage on stderr, and an argument left after the options (when
 * the command takes none) one line, and ends it (EXIT_USAGE).
 */
struct cli_opts {
	const char *cmd;               /* "run", "db": in messages */
	const char *usage;
	const char *shortopts;         /* getopt_long's, 'h' among them */
	const struct option *longopts; /* CLI_OPT_HELP_END last */
	int first;                     /* the index of the first option in argv: 1, or 2 after a subcommand */
	bool operands;                 /* arguments after the options are the command's own */
	int opt;                       /* the option cli_opts_next read */
	bool exit;                     /* the command ends here, with status */
	int status;
	bool started;
};

/* The last entries of every longopts table. */
#define CLI_OPT_HELP_END { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }

/*
 * Reads the next option into o->opt (its argument in optarg): true. False when the
 * options are over (optind then indexes the first operand), or when the command ends
 * here: o->exit, with o->status.
 */
bool cli_opts_next(struct cli_opts *o, int argc, char **argv);

/* Prints "pentrap CMD: " and the formatted text as one line on stderr; returns EXIT_USAGE,
 * for `return cli_usage_error("run", "...")`. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
