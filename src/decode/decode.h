/*
 * decode.h — link layer, IP (v4, v6 with extension headers), IP fragment reassembly
 * and the transport header, from a raw captured frame to a struct packet.
 *
 * Link types (DLT_* and LINKTYPE_* values as libpcap reports them): Ethernet (with 802.1Q
 * and QinQ tags), Linux cooked v1 and v2, raw IP (DLT_RAW, LINKTYPE_IPV4/IPV6), BSD
 * loopback (DLT_NULL, DLT_LOOP).
 *
 * Tunnels are opened on the way (tunnel.c, ether.c): VLAN stacks, MPLS, PPPoE, NSH,
 * GRE, ERSPAN I/II/III, VXLAN, VXLAN-GPE, Geneve, IP-in-IP and GTP-U, nested in any
 * order up to TUNNEL_MAX_LAYERS; the packet decode hands back is the innermost one,
 * with the path it came through (packet.h).
 */
#ifndef PENTRAP_DECODE_DECODE_H
#define PENTRAP_DECODE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "decode/packet.h"

enum decode_result {
	DECODE_OK,        /* out holds an IP packet with its transport fields */
	DECODE_SKIP,      /* not IP (ARP, LLDP ...): nothing to do, not an anomaly */
	DECODE_HELD,      /* a fragment, kept until its datagram is complete */
	DECODE_TRUNCATED, /* cut short by the capture: counted */
	DECODE_MALFORMED, /* inconsistent headers: counted */
};

struct decode_config {
	unsigned frag_max_datagrams;  /* datagrams under reassembly at once (default 1024) */
	unsigned frag_max_bytes;      /* bytes held for all of them (default 8 MiB) */
	unsigned frag_timeout_s;      /* an incomplete datagram is dropped after (default 30) */
	bool merge_mirrors;           /* the tunnel path is no part of the flow key
					 (packet.h tunnel_key is 0): `run --merge-mirrors` */
};

struct decoder;

/* Returns a decoder or NULL on allocation failure. cfg may be NULL for defaults. */
struct decoder *decoder_new(const struct decode_config *cfg, struct stats *stats);
/*
 * A decoder that only looks (run/shard.c): it keeps no fragments and counts
 * nothing; a fragment comes back DECODE_HELD at once, its datagram never completed.
 */
struct decoder *decoder_new_peek(void);
void decoder_free(struct decoder *d); /* accepts NULL */

/*
 * Decodes one frame. out->ts_us, frame_no, capture_index, caplen and wirelen must be
 * set by the caller; decode fills the rest. On DECODE_OK with out->reassembled, out
 * points into the decoder's buffer, valid until the next call.
 */
enum decode_result decode_frame(struct decoder *d, int linktype, const uint8_t *frame,
				struct packet *out);

/*
 * Decodes an IP packet that starts at ip as an inner packet, keeping the capture and
 * tunnel fields already in out (tests feed tunnels' inner packets this way).
 */
enum decode_result decode_ip(struct decoder *d, const uint8_t *ip, size_t len, struct packet *out);

/* Drops incomplete datagrams older than the timeout relative to now_us. */
void decoder_expire(struct decoder *d, uint64_t now_us);

#endif
