/*
 * quic.h — the QUIC dissector (RFC 9000, RFC 9001; version 2, RFC 9369; IETF drafts
 * 23..34): the client's Initial packets are opened with keys any observer can derive
 * (quic_crypto.h), their CRYPTO frames put back together, and the ClientHello inside
 * parsed like TLS's (tls.h) for the server name and ALPN.
 */
#ifndef PENTRAP_PROTO_QUIC_H
#define PENTRAP_PROTO_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "proto/proto.h"
#include "proto/tls.h"

extern const struct dissector quic_dissector;

enum {
	QUIC_PACKET_MAX = 4096,     /* a longer Initial is counted and not opened */
	QUIC_CRYPTO_MAX = 16384,    /* ClientHello bytes gathered from CRYPTO frames */
	QUIC_GATHER_DEFAULT = 64,   /* gathering buffers of a module made without a memory plan */
	QUIC_CRYPTO_RANGES = 16,    /* disjoint CRYPTO ranges held before giving up */
	QUIC_INITIALS_MAX = 8,      /* client Initials looked at before giving up */
	QUIC_COALESCED_MAX = 4,     /* long-header packets looked at per datagram */
	QUIC_FRAMES_MAX = 256,      /* frames read per Initial */
};

/*
 * What the client's Initials showed so far (for tests and fuzz drivers that parse
 * without a pipeline). The state is the dissector's per-flow state.
 */
struct quic_state;
bool quic_state_hello(const struct quic_state *st, struct tls_hello *out, uint32_t *version);

#endif
