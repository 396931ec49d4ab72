/*
 * custody_read.h — the captures a run's custody lists (store.h run_info.captures, written
 * by run/custody.c and run/run_live.c as [{"path", "sha256", "size", ...}, ...]), read
 * back with the JSON reader for verify's and report's custody.
 */
#ifndef PENTRAP_RECORD_CUSTODY_READ_H
#define PENTRAP_RECORD_CUSTODY_READ_H

#include <stdint.h>

struct custody_capture {
	char path[1024];  /* a file, "-", "live:IFACE", "continues:DB" (truncated to fit) */
	char sha256[65];  /* 64 hex digits; "live" for an interface */
	uint64_t size;
};

/* Called for each capture in order; a non-zero return stops. c is valid during the call. */
typedef int (*custody_capture_fn)(void *ud, const struct custody_capture *c);

/*
 * Calls fn for each capture of the JSON array text json. Returns the number of
 * captures, or -1 when the text is not such an array (not JSON, not an array of
 * objects with a string path); a member that is missing or of another type is left
 * empty (sha256 "", size 0).
 */
long custody_captures_each(const char *json, custody_capture_fn fn, void *ud);

#endif
