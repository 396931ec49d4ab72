/*
 * reasm.h — one direction of a TCP byte stream, put back in order.
 *
 * Segments may arrive out of order, overlap, or repeat (retransmissions); the stream
 * keeps a contiguous run of in-order bytes that the dissector has not consumed yet,
 * and holds out-of-order segments until the gap before them fills. A dissector reads
 * tcp_stream_data(), consumes what it parsed, and leaves a partial message for the
 * next segment. Memory per direction is capped: when the cap is reached the stream
 * skips the gap or drops the unconsumed bytes, counts it, and resynchronises.
 *
 * Memory across streams is capped too: streams made with a struct reasm_budget charge
 * their struct and buffer to it, and a buffer that would grow past the budget's limit
 * does not grow (the segment is lost, ANOM_TCP_MEMORY_CAP). The owner of the streams
 * (the flow table) sheds held bytes of waiting streams when the budget runs high.
 */
#ifndef PENTRAP_FLOW_REASM_H
#define PENTRAP_FLOW_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"

struct tcp_stream;

/* Bytes shared by many streams: limit 0 means no limit. Owned by whoever made it. */
struct reasm_budget {
	size_t limit;
	size_t used; /* stream structs and buffers charged now */
	size_t peak; /* the most used has been */
};

/* cap: bytes held at most (in order + out of order). Returns NULL on allocation failure. */
struct tcp_stream *tcp_stream_new(size_t cap, struct stats *stats);
/*
 * The same, charging the stream to budget (borrowed; must outlive the stream; NULL for
 * none). Returns NULL without counting anything when the budget has no room for it.
 */
struct tcp_stream *tcp_stream_new_charged(size_t cap, struct stats *stats, struct reasm_budget *budget);
void tcp_stream_free(struct tcp_stream *s); /* accepts NULL; gives its bytes back to the budget */
/* Forgets everything (for reuse from a pool). */
void tcp_stream_reset(struct tcp_stream *s);
/*
 * Memory pressure: drops every byte held and frees the buffer; the stream picks up
 * again at its next segment as if mid-stream. Counts ANOM_TCP_MEMORY_CAP when bytes
 * were lost. Returns the buffer bytes freed.
 */
size_t tcp_stream_shed(struct tcp_stream *s);
/* Buffer bytes the stream has allocated now (what tcp_stream_shed would free). */
size_t tcp_stream_buffer_size(const struct tcp_stream *s);

/*
 * Adds one segment. syn: the SYN flag (its sequence number starts the stream).
 * A stream that never saw a SYN starts at the first segment it gets (mid-stream
 * pickup). Returns the number of new in-order bytes made available.
 */
size_t tcp_stream_add(struct tcp_stream *s, uint32_t seq, bool syn, const uint8_t *data, size_t len);

/* The in-order bytes not yet consumed (borrowed, valid until the next add/consume). */
const uint8_t *tcp_stream_data(const struct tcp_stream *s, size_t *len);
/* Marks n bytes consumed. */
void tcp_stream_consume(struct tcp_stream *s, size_t n);

/*
 * Gives up waiting for the gap before the held out-of-order bytes (end of flow, or
 * the caller decided): skips it, counts ANOM_TCP_GAP_SKIPPED, and returns the number of
 * in-order bytes now available. Unconsumed bytes before the gap are dropped too,
 * since a message cannot span a hole.
 */
size_t tcp_stream_skip_gap(struct tcp_stream *s);
bool tcp_stream_has_gap(const struct tcp_stream *s);

#endif
