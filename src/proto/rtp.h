/*
 * rtp.h — RTP/RTCP/SRTP recognition (RFC 3550, RFC 3711) over several packets; see rtp.c.
 */
#ifndef PENTRAP_PROTO_RTP_H
#define PENTRAP_PROTO_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

extern const struct dissector rtp_dissector;

/* One datagram's header could be RTP (or RTCP: *is_rtcp set). No state: one packet proves little. */
bool rtp_header_ok(const uint8_t *p, size_t len, bool *is_rtcp);

#endif
