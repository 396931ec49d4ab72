/*
 * reasm.h — one direction of a TCP byte stream, put back in order.
 *
 * Segments may arrive out of order, overlap, or repeat (retransmissions); the stream
 * keeps a contiguous run of in-order bytes that the dissector has not consumed yet,
 * and holds out-of-order segments until the gap before them fills. A dissector reads
 * tcp_stream_data(), consumes what it parsed, and leaves a partial message for the
 * next segment. Memory per direction is capped: when the cap is reached the stream
 * skips the gap or drops the unconsumed bytes, counts it, and resynchronises.
 */
#ifndef PENTRAP_FLOW_REASM_H
#define PENTRAP_FLOW_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"

struct tcp_stream;

/* cap: bytes held at most (in order + out of order). Returns NULL on allocation failure. */
struct tcp_stream *tcp_stream_new(size_t cap, struct stats *stats);
void tcp_stream_free(struct tcp_stream *s); /* accepts NULL */
/* Forgets everything (for reuse from a pool). */
void tcp_stream_reset(struct tcp_stream *s);

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
