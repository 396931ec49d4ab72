/* writer.c — sequence numbers, the chain, and fan-out to the sinks. */
#include "record/writer.h"

#include <stdio.h>
#include <string.h>

#include "record/chain.h"
#include "record/table.h"

void writer_init(struct record_writer *w, uint64_t first_seq, const char *prev_hash)
{
	memset(w, 0, sizeof *w);
	w->next_seq = first_seq;
	snprintf(w->prev_hash, sizeof w->prev_hash, "%s", prev_hash ? prev_hash : "");
}

void writer_add_sink(struct record_writer *w, struct record_sink sink)
{
	if (w->nsinks < WRITER_MAX_SINKS)
		w->sinks[w->nsinks++] = sink;
}

int writer_write(struct record_writer *w, struct record *r)
{
	if (w->failed)
		return -1;
	r->seq = w->next_seq;
	memcpy(r->prev_hash, w->prev_hash, sizeof r->prev_hash);
	chain_hash_record(r, r->hash);
	for (int i = 0; i < w->nsinks; i++) {
		struct record_sink *s = &w->sinks[i];
		if (s->ops->write(s->impl, r, w->error, sizeof w->error) != 0) {
			w->failed = true;
			return -1;
		}
	}
	if (w->table) {
		if (!w->table_header_done) {
			record_table_header(w->table);
			w->table_header_done = true;
		}
		record_table_row(r, w->table);
	}
	w->next_seq++;
	memcpy(w->prev_hash, r->hash, sizeof w->prev_hash);
	w->written++;
	return 0;
}

int writer_flush(struct record_writer *w)
{
	for (int i = 0; i < w->nsinks && !w->failed; i++) {
		struct record_sink *s = &w->sinks[i];
		if (s->ops->flush && s->ops->flush(s->impl, w->error, sizeof w->error) != 0)
			w->failed = true;
	}
	if (w->table)
		fflush(w->table);
	return w->failed ? -1 : 0;
}

void writer_close(struct record_writer *w)
{
	for (int i = 0; i < w->nsinks; i++)
		if (w->sinks[i].ops && w->sinks[i].ops->close)
			w->sinks[i].ops->close(w->sinks[i].impl);
	w->nsinks = 0;
}
