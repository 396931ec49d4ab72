/*
 * frag.h — IP fragment reassembly (internal to the decoder): a fixed pool of datagram
 * slots and a shared, fixed byte budget, both sized when the decoder is made.
 */
#ifndef PENTRAP_DECODE_FRAG_H
#define PENTRAP_DECODE_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/cursor.h"
#include "core/stats.h"
#include "decode/decode.h"

/* One fragment as the IP layer found it. All spans are borrowed for the call only. */
struct frag_piece {
	struct ip_addr src, dst; /* family 4 or 6 */
	uint32_t id;             /* IPv4 identification or IPv6 fragment id */
	uint8_t proto;           /* protocol / next header of the fragmented part */
	uint32_t tunnel;         /* 0, or for an inner packet a hash of its tunnel path
				    (tunnel.c, tunnel_fragment_key): part of the key, so one
				    datagram crossing two tunnel hops in one capture (an "any"
				    capture of a whole core) is two datagrams */
	bool more;               /* MF / M flag */
	uint32_t offset;         /* in bytes */
	struct span hdr;         /* IPv4: this fragment's header (20..60 bytes);
				    IPv6: the 40-byte fixed header */
	uint32_t unfrag_len;     /* IPv6: extension headers before the fragment header */
	struct span data;        /* the fragment's data */
	uint64_t ts_us;          /* capture time: drives the timeout */
};

struct frag_table;

/* Allocates the slot pool and the byte budget. cfg fields that are 0 take defaults. */
struct frag_table *frag_new(const struct decode_config *cfg, struct stats *stats);
void frag_free(struct frag_table *t); /* accepts NULL */

/*
 * Adds a fragment. Returns:
 *   DECODE_HELD      taken: kept for reassembly, or dropped and counted (pool full,
 *                    overlap with a conflicting end);
 *   DECODE_OK        the datagram is complete: *out is the rebuilt IP packet (header
 *                    without fragmentation) in a table-owned buffer, valid until the
 *                    next completion but one (two buffers alternate, so a tunnel's
 *                    inner datagram does not overwrite its outer one);
 *   DECODE_MALFORMED a fragment that cannot be part of a valid datagram (counted:
 *                    ANOM_IP_MALFORMED, or ANOM_FRAG_TOO_BIG past 65535 bytes).
 */
enum decode_result frag_add(struct frag_table *t, const struct frag_piece *p, struct span *out);

/* Drops datagrams whose first fragment is older than the timeout (ANOM_FRAG_TIMEOUT). */
void frag_expire(struct frag_table *t, uint64_t now_us);

/* Datagrams under reassembly, and bytes of the budget in use (for tests and stats). */
unsigned frag_pending(const struct frag_table *t);
size_t frag_bytes_held(const struct frag_table *t);

#endif
