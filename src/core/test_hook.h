/*
 * test_hook.h — for tests only: PENTRAP_TEST_HOOK makes a run raise a signal on itself
 * at a given frame or record, so a test can kill, stop or reload it at an exact place
 * instead of racing `kill` and `sleep` against it (docs/robustness.md).
 *
 *   PENTRAP_TEST_HOOK="SIGNAL@frame:N[,SIGNAL@record:N]..."    at most TEST_HOOK_MAX
 *   SIGNAL   KILL, STOP, HUP, TERM, INT, USR1
 *   frame:N  right after the run's Nth frame (counted over its captures, or over its
 *            interfaces when live) went into the pipeline; a SIGHUP raised there is
 *            acted on before the next frame
 *   record:N right after the record with seq N was written (and, when it closed a
 *            checkpoint interval, committed)
 *
 * The variable is read once, at start (test_hook_load). Unset or empty: nothing
 * happens and each call below is one test of a flag.
 */
#ifndef PENTRAP_CORE_TEST_HOOK_H
#define PENTRAP_CORE_TEST_HOOK_H

#include <stddef.h>
#include <stdint.h>

enum { TEST_HOOK_MAX = 8 };

/* Reads PENTRAP_TEST_HOOK. Returns 0, or -1 with one line in errbuf when it is malformed. */
int test_hook_load(char *errbuf, size_t errlen);
/* The run's frame number n was read (1, 2, ...). */
void test_hook_frame(uint64_t n);
/* The record with seq n was written. */
void test_hook_record(uint64_t seq);

#endif
