/* sha256-alone.c — the custody hash of a capture by itself: the same sha256_file
 * (src/core/sha256file.c) a run calls, so that bench/floor.sh can time it apart from
 * the run and say what a run costs beyond the evidence. */
#include "core/sha256file.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	char hex[65];
	uint64_t size = 0;
	if (argc != 2 || sha256_file(argv[1], hex, &size) != 0) {
		fprintf(stderr, "usage: sha256-alone FILE (a readable file)\n");
		return 2;
	}
	printf("%s  %llu\n", hex, (unsigned long long)size);
	return 0;
}
