/*
 * replay.c — main() for the fuzz targets in an ordinary build (no libFuzzer): runs
 * every file named, and every file in every directory named, once through the same
 * LLVMFuzzerTestOneInput, so each build replays the corpora as a test (libpcap's
 * onefile.c, SQLite's fuzzcheck). A crash or sanitizer report fails the test; so does
 * a named path that cannot be read, or a directory with no file in it.
 *
 * Each input is copied into an exact-size heap buffer first, as libFuzzer does.
 * Usage: replay_TARGET [-v] FILE|DIR ...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { REPLAY_MAX_INPUT = 16 << 20 };

static int verbose;

/* Runs one file. Returns 0, or -1 when it cannot be read. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	uint8_t *buf = malloc(REPLAY_MAX_INPUT);
	size_t n = buf ? fread(buf, 1, REPLAY_MAX_INPUT, f) : 0;
	int bad = !buf || ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir, in name order. Returns the count, or -1. */
static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: cannot open directory %s\n", dir);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *names);
			if (!nn)
				break;
			names = nn;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	long ran = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (names[i] && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) != 0)
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	long total = 0;
	int status = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
			continue;
		}
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot open %s\n", argv[i]);
			status = 1;
		} else if (S_ISDIR(st.st_mode)) {
			long n = run_dir(argv[i]);
			if (n <= 0) {
				fprintf(stderr, "replay: %s: %s\n", argv[i], n == 0 ? "no inputs" : "unreadable inputs");
				status = 1;
			} else {
				total += n;
			}
		} else if (run_file(argv[i]) != 0) {
			status = 1;
		} else {
			total++;
		}
	}
	printf("replay: %ld inputs run\n", total);
	return status;
}
