/*
 * writer.h — the record writer: gives each record its sequence number and chain hash,
 * and writes it to every sink (store, JSON lines, a table on the terminal).
 */
#ifndef PENTRAP_RECORD_WRITER_H
#define PENTRAP_RECORD_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "record/record.h"

enum { WRITER_MAX_SINKS = 4 };

struct record_writer {
	struct record_sink sinks[WRITER_MAX_SINKS];
	int nsinks;
	uint64_t next_seq;
	char prev_hash[HASH_HEX_LEN];
	FILE *table;         /* when set, each record is also printed as a table row */
	bool table_header_done;
	bool failed;         /* a sink failed: the run must end with status 1 */
	char error[512];
	uint64_t written;
};

/* first_seq and prev_hash continue an existing chain (1 and "" for a new store). */
void writer_init(struct record_writer *w, uint64_t first_seq, const char *prev_hash);
/* Takes ownership of the sink (closed by writer_close). */
void writer_add_sink(struct record_writer *w, struct record_sink sink);
/* Assigns seq and hashes, then writes r to every sink. -1 when a sink failed. */
int writer_write(struct record_writer *w, struct record *r);
/* Commits what the sinks hold. */
int writer_flush(struct record_writer *w);
void writer_close(struct record_writer *w);

#endif
