/*
 * packet.h — one captured frame after decoding: where it came from, its IP and
 * transport addressing, and its transport payload.
 *
 * Memory: every pointer borrows either the capture's frame or the decoder's
 * reassembly buffer; both are valid only until the next frame is decoded.
 */
#ifndef PENTRAP_DECODE_PACKET_H
#define PENTRAP_DECODE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "decode/tunnel_path.h"

enum { IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17, IPPROTO_SCTP_ = 132 };

enum tcp_flag {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
};

struct packet {
	/* where: set by the capture loop before decoding */
	uint64_t ts_us;          /* capture time, microseconds since the epoch (UTC) */
	uint64_t frame_no;       /* 1-based frame number within its capture file */
	uint32_t capture_index;  /* 0-based index of the -r file / interface */
	uint32_t caplen, wirelen;

	/* IP: set by decode */
	struct ip_addr src, dst;
	uint8_t ip_proto;        /* IPPROTO_TCP_, IPPROTO_UDP_, IPPROTO_SCTP_, or other */
	uint8_t ttl;
	bool reassembled;        /* rebuilt from IP fragments */
	const uint8_t *l3;       /* borrowed: the IP header onwards */
	uint32_t l3_len;         /* captured bytes of it */
	uint32_t ip_len;         /* its length as its header declares it (IPv4 total length,
				    IPv6 40 + payload length): what it was on the wire, whatever
				    link or tunnel carried it and however the capture cut it */

	/* encapsulations (decode/tunnel.c): every layer between the capture's link and
	   this IP packet, VLAN tags included, and two hashes of them */
	struct tunnel_path tunnel;
	uint32_t tunnel_key;     /* the path's part of the flow key: the same both ways (the
				    layers' ids that do not depend on direction, and each IP
				    tunnel's endpoints as a pair); 0 with merge_mirrors */
	/* the innermost tunnel carried by IP: its outer addresses, and GTP-U's TEID */
	bool tunnelled;
	uint32_t tunnel_teid;
	struct ip_addr outer_src, outer_dst;

	/* transport: set by decode for TCP, UDP and SCTP */
	uint16_t sport, dport;
	uint32_t tcp_seq, tcp_ack;
	uint8_t tcp_flags;
	const uint8_t *payload;  /* borrowed: the transport payload */
	uint32_t payload_len;    /* captured bytes of it (may be less than declared) */
	bool payload_truncated;  /* snaplen cut the payload */
};

#endif
