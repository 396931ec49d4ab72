/* test_cli_opt.c — the command line's option values (src/cli/opt.h): what is taken,
 * what is refused, and the one line a refusal prints. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli/cli.h"
#include "cli/opt.h"

/* stderr goes into a temporary file while a reader runs; last_line holds what it wrote. */
static char last_line[512];
static FILE *capture_file;
static int saved_fd = -1;

static void capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_fd = dup(2);
	dup2(fileno(capture_file), 2);
}

static void capture_end(void)
{
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	rewind(capture_file);
	size_t n = fread(last_line, 1, sizeof last_line - 1, capture_file);
	last_line[n] = '\0';
	fclose(capture_file);
}

static void test_whole_numbers(void)
{
	uint64_t v = 0;
	unsigned u = 0;
	CHECK_EQ_INT(cli_opt_u64("run", "-j", "7", 1, 64, "threads", &v), 0);
	CHECK_EQ_INT(v, 7);
	CHECK_EQ_INT(cli_opt_u64("gen", "--seed", "18446744073709551615", 0, UINT64_MAX, NULL, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_EQ_INT(cli_opt_uint("run", "--max-memory", "4294967295", 1, UINT_MAX, NULL, &u), 0);
	CHECK(u == UINT_MAX);
	static const char *const refused[] = { "", "7abc", "-1", "+1", " 1", "1 ", "0x10", "1e3", "1.0",
					       "18446744073709551616", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		v = 42;
		capture_begin();
		int r = cli_opt_u64("x", "--n", refused[i], 0, UINT64_MAX, NULL, &v);
		capture_end();
		CHECK_EQ_INT(r, -1);
		CHECK_EQ_INT(v, 42); /* left alone */
	}
	capture_begin();
	CHECK_EQ_INT(cli_opt_u64("run", "-j", "65", 1, 64, "threads", &v), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap run: -j: not a number of threads from 1 to 64: '65'\n");
	capture_begin();
	CHECK_EQ_INT(cli_opt_uint("report", "--max-nodes", "-1", 2, 100000, NULL, &u), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap report: --max-nodes: not a number from 2 to 100000: '-1'\n");
	capture_begin();
	CHECK_EQ_INT(cli_opt_uint("run", "--max-memory", "0", 1, UINT_MAX, NULL, &u), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap run: --max-memory: not a positive number: '0'\n");
	capture_begin();
	CHECK_EQ_INT(cli_opt_uint("run", "--max-memory", "4294967296", 1, UINT_MAX, NULL, &u), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap run: --max-memory: too large: '4294967296'\n");
	capture_begin();
	CHECK_EQ_INT(cli_opt_u64("gen", "--seed", "x", 0, UINT64_MAX, NULL, &v), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap gen: --seed: not a number: 'x'\n");
	capture_begin();
	CHECK_EQ_INT(cli_opt_u64("x", "--n", "2", 3, UINT64_MAX, "days", &v), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap x: --n: not a number of days of at least 3: '2'\n");
}

static void test_decimals_and_sizes(void)
{
	double d = 0;
	uint64_t bytes = 0;
	CHECK_EQ_INT(cli_opt_double("gen", "--duration", "2.5", 0, 10, "seconds", &d), 0);
	CHECK(d == 2.5);
	CHECK_EQ_INT(cli_opt_double("gen", "--duration", "10", 0, 10, "seconds", &d), 0);
	CHECK_EQ_INT(cli_opt_double("gen", "--duration", ".5", 0, 10, "seconds", &d), 0);
	static const char *const refused[] = { "", "0", "0.0", "-1", "nan", "inf", "1e3", "1..2", ".", "10.01", "1,5" };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		capture_begin();
		CHECK_EQ_INT(cli_opt_double("gen", "--duration", refused[i], 0, 10, "seconds", &d), -1);
		capture_end();
	}
	CHECK_EQ_STR(last_line, "pentrap gen: --duration: not a positive number of seconds up to 10: '1,5'\n");
	CHECK_EQ_INT(cli_opt_megabytes("run", "--max-db-mb", "2.5", 1e9, &bytes), 0);
	CHECK_EQ_INT(bytes, 2500000);
	capture_begin();
	CHECK_EQ_INT(cli_opt_megabytes("run", "--max-db-mb", "-1", 1e9, &bytes), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap run: --max-db-mb: not a positive number of MB up to 1000000000: '-1'\n");
}

static void test_times_and_choices(void)
{
	uint64_t us = 0;
	CHECK_EQ_INT(cli_opt_time("query", "--from", "2026-11-01", &us), 0);
	CHECK(us == 1793491200ull * 1000000);
	capture_begin();
	CHECK_EQ_INT(cli_opt_time("query", "--from", "yesterday", &us), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap query: --from: not an RFC 3339 time or a date: 'yesterday'\n");
	static const char *const names[] = { "html", "dot", "csv" };
	int i = -1;
	CHECK_EQ_INT(cli_opt_choice("report", "--format", "csv", names, 3, &i), 0);
	CHECK_EQ_INT(i, 2);
	capture_begin();
	CHECK_EQ_INT(cli_opt_choice("report", "--format", "HTML", names, 3, &i), -1);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap report: --format: not html, dot or csv: 'HTML'\n");
	capture_begin();
	CHECK_EQ_INT(cli_usage_error("run", "at most %d captures", 256), EXIT_USAGE);
	capture_end();
	CHECK_EQ_STR(last_line, "pentrap run: at most 256 captures\n");
}

int main(void)
{
	test_whole_numbers();
	test_decimals_and_sizes();
	test_times_and_choices();
	return check_done("cli_opt");
}
