/*
 * file_read.h — a small input file read whole (an order, a definitions file), up to a
 * limit so that a wrong path (a capture, a device) is refused rather than read.
 */
#ifndef PENTRAP_CORE_FILE_READ_H
#define PENTRAP_CORE_FILE_READ_H

#include <stddef.h>

/*
 * Reads the file at path into *buf (caller frees; not NUL-terminated) and its size into
 * *len. A file of max bytes or more is refused as "larger than MAX bytes: not KIND"
 * (kind: "an order file"); errors are one line "PATH: problem" in errbuf. 0 or -1.
 */
int file_read_all(const char *path, size_t max, const char *kind, char **buf, size_t *len, char *errbuf,
		  size_t errlen);

#endif
