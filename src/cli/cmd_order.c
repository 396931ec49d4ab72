/* cmd_order.c — `pentrap order check FILE`: an order validated without a capture. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "order/order.h"

static const char usage[] =
	"usage: pentrap order check FILE\n"
	"\n"
	"Validates an order (YAML; docs/order.md, pentrap-order(5)) as 'pentrap run' would\n"
	"load it, without a capture, and says what it names: its kind, window (and whether\n"
	"it is in force now), targets, LIIDs, delivery and the file's SHA-256. A file that\n"
	"does not load gets one line 'FILE:LINE: problem'.\n"
	"Exit status: 0 the order loads, 2 it does not (or bad usage).\n";

int cmd_order(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "check") != 0) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	struct order o;
	char err[1024];
	if (order_load(argv[2], &o, err, sizeof err) != 0) {
		fprintf(stderr, "pentrap: %s\n", err);
		return EXIT_USAGE;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	order_describe(&o, argv[2], (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u, stdout);
	order_fini(&o);
	return 0;
}
