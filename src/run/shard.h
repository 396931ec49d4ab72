/*
 * shard.h — which worker a packet belongs to (`pentrap run -j N`; docs/performance.md,
 * "Worker threads").
 *
 * Two kinds of traffic:
 *  - shared: the signalling every worker needs, because it names subscribers whose
 *    flows may be anywhere (GTP-C, RADIUS, Diameter, SCTP and so SIGTRAN, SIP), and
 *    two subscribers' peer-to-peer media. Every worker reads it and keeps the same
 *    tables; only worker 0 records what it says.
 *  - everything else goes to one worker, chosen by the device it belongs to: the
 *    subscriber's side of the innermost packet (inside every tunnel), so that one device's
 *    flows — its DNS lookups, its push connection, its media relay, its calls — meet
 *    in one place.
 * Both choices depend on a packet's endpoints as a set, so both directions of a flow
 * go to the same worker.
 */
#ifndef PENTRAP_RUN_SHARD_H
#define PENTRAP_RUN_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "decode/packet.h"

enum { SHARD_ALL = -1, SHARD_MAX_WORKERS = 64 };

/* True for what every worker reads (the list above), by transport, addresses and ports. */
bool shard_is_shared(uint8_t ip_proto, const struct ip_addr *src, const struct ip_addr *dst, uint16_t sport,
		     uint16_t dport);

/*
 * The worker of a device: where every flow it is the subscriber side of goes (shared
 * ones too), so where its app calls are whole.
 */
int shard_device_worker(const struct ip_addr *device, unsigned nworkers);

/* The worker 0..nworkers-1 an innermost packet belongs to, or SHARD_ALL when shared. */
int shard_owner(const struct packet *pkt, unsigned nworkers);

/*
 * The worker a captured frame goes to: its innermost packet's owner; SHARD_ALL when
 * that is shared or when the frame is (or carries) an IP fragment — every worker then
 * reassembles it and only the owner of the whole datagram reads it; worker 0 for what
 * is not IP or cannot be decoded (counted there, once). peek: a decoder_new_peek().
 */
int shard_of_frame(struct decoder *peek, int linktype, const uint8_t *data, uint32_t caplen,
		   unsigned nworkers);

#endif
