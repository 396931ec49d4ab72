/*
 * gtpu.h — GTP-U (3GPP TS 29.281) G-PDU decapsulation: the user's own IP packet inside
 * a mobile core's tunnel, with the tunnel id that later names the subscriber.
 */
#ifndef PENTRAP_DECODE_GTPU_H
#define PENTRAP_DECODE_GTPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

enum { GTPU_PORT = 2152 };

enum gtpu_result {
	GTPU_NOT_GPDU,   /* not a G-PDU (signalling such as echo, or not GTP-U at all) */
	GTPU_OK,         /* *inner is the encapsulated IP packet */
	GTPU_MALFORMED,
	GTPU_TRUNCATED,
};

/* Parses a GTPv1-U header (with optional sequence/N-PDU/extension headers). */
enum gtpu_result gtpu_decap(const uint8_t *p, size_t len, uint32_t *teid, struct span *inner);

#endif
