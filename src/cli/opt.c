/* opt.c — the values of the command line's options (opt.h). */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "core/timefmt.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "pentrap %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* The command ends here with status. */
static bool opts_exit(struct cli_opts *o, int status)
{
	o->exit = true;
	o->status = status;
	return false;
}

bool cli_opts_next(struct cli_opts *o, int argc, char **argv)
{
	if (!o->started) {
		optind = o->first ? o->first : 1;
		o->started = true;
	}
	o->opt = getopt_long(argc, argv, o->shortopts, o->longopts, NULL);
	switch (o->opt) {
	case -1:
		if (!o->operands && optind < argc)
			return opts_exit(o, cli_usage_error(o->cmd, "unexpected argument '%s'", argv[optind]));
		return false;
	case 'h':
		fputs(o->usage, stdout);
		return opts_exit(o, 0);
	case '?':
	case ':':
		fputs(o->usage, stderr);
		return opts_exit(o, EXIT_USAGE);
	default:
		return true;
	}
}

/* The one line for a bad argument: "pentrap CMD: OPT: WHAT: 'ARG'". */
static int bad_value(const char *cmd, const char *opt, const char *what, const char *arg)
{
	cli_usage_error(cmd, "%s: %s: '%s'", opt, what, arg);
	return -1;
}

/* Digits only, without overflow: 0 and *v, or -1. */
static int read_digits(const char *s, uint64_t *v)
{
	uint64_t n = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

int cli_opt_u64(const char *cmd, const char *opt, const char *arg, uint64_t lo, uint64_t hi, const char *unit,
		uint64_t *out)
{
	uint64_t v;
	if (read_digits(arg, &v) == 0 && v >= lo && v <= hi) {
		*out = v;
		return 0;
	}
	char what[160], of[64] = "";
	if (unit)
		snprintf(of, sizeof of, " of %s", unit);
	if (hi != UINT64_MAX)
		snprintf(what, sizeof what, "not a number%s from %" PRIu64 " to %" PRIu64, of, lo, hi);
	else if (lo <= 1)
		snprintf(what, sizeof what, "not a %snumber%s", lo ? "positive " : "", of);
	else
		snprintf(what, sizeof what, "not a number%s of at least %" PRIu64, of, lo);
	return bad_value(cmd, opt, what, arg);
}

int cli_opt_uint(const char *cmd, const char *opt, const char *arg, unsigned lo, unsigned hi, const char *unit,
		 unsigned *out)
{
	uint64_t v;
	if (cli_opt_u64(cmd, opt, arg, lo, hi == UINT_MAX ? UINT64_MAX : hi, unit, &v) != 0)
		return -1;
	if (v > UINT_MAX) /* only when hi is UINT_MAX: past what the option can hold */
		return bad_value(cmd, opt, "too large", arg);
	*out = (unsigned)v;
	return 0;
}

/* Digits with at most one '.', at least one digit: 0 and *v, or -1 (no sign, exponent,
 * "inf" or "nan", which strtod would take). */
static int read_decimal(const char *s, double *v)
{
	size_t digits = 0, dots = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.')
			dots++;
		else
			return -1;
	}
	if (digits == 0 || dots > 1 || digits > 30)
		return -1;
	*v = strtod(s, NULL);
	return isfinite(*v) ? 0 : -1;
}

int cli_opt_double(const char *cmd, const char *opt, const char *arg, double lo, double hi, const char *unit,
		   double *out)
{
	double v;
	if (read_decimal(arg, &v) == 0 && v > lo && v <= hi) {
		*out = v;
		return 0;
	}
	char what[160], of[64] = "";
	if (unit)
		snprintf(of, sizeof of, " of %s", unit);
	if (lo == 0)
		snprintf(what, sizeof what, "not a positive number%s up to %.15g", of, hi);
	else
		snprintf(what, sizeof what, "not a number%s above %.15g and up to %.15g", of, lo, hi);
	return bad_value(cmd, opt, what, arg);
}

int cli_opt_megabytes(const char *cmd, const char *opt, const char *arg, double max_mb, uint64_t *bytes)
{
	double mb;
	if (cli_opt_double(cmd, opt, arg, 0, max_mb, "MB", &mb) != 0)
		return -1;
	*bytes = (uint64_t)(mb * 1e6);
	return 0;
}

int cli_opt_time(const char *cmd, const char *opt, const char *arg, uint64_t *us)
{
	if (ts_parse(arg, us) == 0)
		return 0;
	return bad_value(cmd, opt, "not an RFC 3339 time or a date", arg);
}

int cli_opt_choice(const char *cmd, const char *opt, const char *arg, const char *const *names, size_t n,
		   int *index)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0) {
			*index = (int)i;
			return 0;
		}
	char what[256] = "not";
	size_t len = strlen(what);
	for (size_t i = 0; i < n && len < sizeof what; i++) {
		const char *sep = i == 0 ? " " : i + 1 == n ? " or " : ", ";
		int w = snprintf(what + len, sizeof what - len, "%s%s", sep, names[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return bad_value(cmd, opt, what, arg);
}
