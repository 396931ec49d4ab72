/*
 * decode_internal.h — what decode.c (link layers) and ip.c (IP, transport) share.
 * Not part of the decode interface: only the decoder's own .c files include it.
 */
#ifndef PENTRAP_DECODE_DECODE_INTERNAL_H
#define PENTRAP_DECODE_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "decode/decode.h"
#include "decode/frag.h"
#include "decode/packet.h"

struct decoder {
	struct stats *stats;     /* borrowed; may be NULL */
	struct frag_table *frag; /* owned */
	/* ANOM_CAPTURE_TRUNCATED is counted once per frame, also across a tunnel's inner packet */
	bool capture_trunc_counted;
};

/* Clears the IP and transport fields of out (not the capture or tunnel ones). */
void ip_reset(struct packet *out);

/*
 * Decodes the IP packet in [ip, ip+len): version 4 or 6 when want_version is 4 or 6
 * (the link layer said so), either when 0. Does not reset out first. ip is borrowed
 * and only ever read through a cursor.
 */
enum decode_result ip_decode(struct decoder *d, const uint8_t *ip, size_t len, int want_version,
			     struct packet *out);

/* Counts ANOM_CAPTURE_TRUNCATED unless this frame already did. */
static inline void decode_note_capture_truncated(struct decoder *d)
{
	if (!d->capture_trunc_counted) {
		d->capture_trunc_counted = true;
		stats_anomaly(d->stats, ANOM_CAPTURE_TRUNCATED);
	}
}

#endif
