/* timefmt.h — capture times (microseconds since the Unix epoch, UTC) as RFC 3339 text. */
#ifndef PENTRAP_CORE_TIMEFMT_H
#define PENTRAP_CORE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

enum { TS_STRLEN = 32 };

/* "2026-11-27T19:39:17.123456Z" into buf (TS_STRLEN bytes). */
const char *ts_format(uint64_t ts_us, char *buf, size_t len);
/*
 * Parses RFC 3339 ("2026-11-01T00:00:00Z", fractional seconds and +hh:mm offsets
 * accepted; a bare date "2026-11-01" means midnight UTC). Returns 0 or -1.
 */
int ts_parse(const char *text, uint64_t *ts_us);

#endif
