/*
 * custody.h — the captures of a run, for its custody record (docs/evidence.md): each
 * opened once before anything is read (a missing or foreign file is refused before a
 * record is written) and hashed (SHA-256), so the custody names exactly the bytes read.
 *
 * The hash is computed beside the reading, in a thread of its own: the store's run,
 * whose custody names the hashes, begins once they are known, and the records made
 * before wait (in the workers with run -j, in run.c with one pipeline). Hashing goes at
 * about twice the speed of the reading, so records wait for a part of the run only.
 * Internal to src/run/.
 */
#ifndef PENTRAP_RUN_CUSTODY_H
#define PENTRAP_RUN_CUSTODY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "run/run.h"

struct capture_custody {
	char sha256[65]; /* "stdin" for standard input, which is not hashed */
	uint64_t size;
};

struct custody {
	const struct run_options *opt;
	struct capture_custody caps[RUN_MAX_CAPTURES];
	bool stdin_capture;
	/* hashing beside the reading */
	pthread_t thread;
	bool started;
	bool done;       /* set by the thread when it has finished (atomic) */
	int status;      /* RUN_OK, or RUN_BAD_INPUT with err */
	char err[512];
};

/* Opens every capture once. RUN_OK, or RUN_BAD_INPUT with errbuf ("FILE: problem"). */
int custody_probe(struct custody *cu, const struct run_options *opt, char *errbuf, size_t errlen);
/* Starts hashing them in a thread of its own. RUN_OK, or RUN_FAILED with errbuf. */
int custody_hash_beside(struct custody *cu, char *errbuf, size_t errlen);
/* True once the thread has hashed every capture (or failed). */
bool custody_hashed(struct custody *cu);
/* Waits for the thread. RUN_OK, or its failure with errbuf. */
int custody_wait(struct custody *cu, char *errbuf, size_t errlen);
/* Whether capture i is a file (hashed) rather than standard input. */
bool custody_is_file(const struct custody *cu, size_t i);
/*
 * A path (or filter) as custody text inside JSON quotes: quotes and backslashes
 * escaped, control bytes dropped; the file and the live custody (run_live.c) both.
 */
void custody_text(FILE *m, const char *s);
/* The captures as the custody's JSON array: path, sha256, size. Caller frees; NULL: no memory. */
char *custody_json(const struct custody *cu);
/*
 * A capture whose hash is not known yet is named in records by a placeholder of the
 * hash's length (pending-capture-000…0<index>), replaced as the record is written. The
 * evidence object always begins with the capture (order/filter.c), so the placeholder
 * is found at one place.
 */
void custody_placeholder(uint32_t index, char out[65]);
/* Replaces the placeholder at the start of evidence, if any, by hashes[index] (n of them). */
void custody_fill(char *evidence, const char (*hashes)[65], size_t n);

struct store;
/*
 * Refuses a capture the store already holds: one of captures_json (this run's custody)
 * whose SHA-256 a run of the store lists already. RUN_OK, or RUN_BAD_INPUT with one line
 * in errbuf naming the capture, its hash and the run (what `--again` overrides).
 */
int custody_check_new(struct store *s, const char *db_path, const char *captures_json, char *errbuf,
		      size_t errlen);

/* Waits for the thread if one runs. */
void custody_fini(struct custody *cu);

#endif
