/* jsonl.h — a record sink writing one JSON object per line to a file or stdout ("-"). */
#ifndef PENTRAP_RECORD_JSONL_H
#define PENTRAP_RECORD_JSONL_H

#include <stddef.h>

#include "record/record.h"

/* Opens path ("-" for standard output). -1 with a line in errbuf on failure. */
int jsonl_sink_open(const char *path, struct record_sink *out, char *errbuf, size_t errlen);

#endif
