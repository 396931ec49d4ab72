/*
 * stats.h — counters for the run summary: packets, flows, events, records, and
 * anomalies by kind. Traffic that cannot be parsed is counted here, never logged
 * packet by packet (an attacker can flood a log; a counter costs nothing).
 *
 * One struct stats per pipeline (one per worker thread); modules get a pointer.
 */
#ifndef PENTRAP_CORE_STATS_H
#define PENTRAP_CORE_STATS_H

#include <stdint.h>
#include <stdio.h>

/* Append new kinds at the end of their group; names live in stats.c. */
enum anomaly {
	/* capture and link */
	ANOM_CAPTURE_TRUNCATED,    /* caplen < wire length: snaplen cut the frame */
	ANOM_LINK_UNSUPPORTED,     /* link type or ethertype we do not decode */
	ANOM_LINK_MALFORMED,
	/* IP */
	ANOM_IP_TRUNCATED,
	ANOM_IP_MALFORMED,         /* bad version, header length, total length */
	ANOM_IP_EXTHDR_LIMIT,      /* too many IPv6 extension headers */
	ANOM_FRAG_OVERLAP,
	ANOM_FRAG_TOO_BIG,         /* reassembled datagram over 65535 */
	ANOM_FRAG_TIMEOUT,         /* incomplete datagram expired */
	ANOM_FRAG_POOL_FULL,       /* no reassembly slot free: fragment dropped */
	ANOM_TUNNEL_MALFORMED,     /* a tunnel header that lies, or a look-alike on a tunnel's port */
	ANOM_TUNNEL_DEPTH,         /* encapsulations nested past TUNNEL_MAX_LAYERS: not read */
	/* transport */
	ANOM_L4_TRUNCATED,
	ANOM_L4_MALFORMED,
	/* flows and streams */
	ANOM_FLOW_TABLE_FULL,      /* new flow dropped: table at its cap */
	ANOM_TCP_GAP_SKIPPED,      /* missing bytes never arrived: stream resynchronised */
	ANOM_TCP_BUFFER_FULL,      /* per-flow reassembly cap reached */
	ANOM_TCP_OVERLAP_CONFLICT, /* retransmission with different bytes */
	/* application protocols */
	ANOM_SIP_MALFORMED,
	ANOM_SIP_TRUNCATED,
	ANOM_SIP_CALL_TABLE_FULL,
	ANOM_PROTO_MALFORMED,      /* other dissectors, until they get their own */
	ANOM_PROTO_TRUNCATED,
	ANOM_SMPP_MALFORMED,
	ANOM_SMPP_TRUNCATED,
	ANOM_SCTP_MALFORMED,
	ANOM_SIGTRAN_MALFORMED,    /* M3UA, SUA, SCCP */
	ANOM_TCAP_MALFORMED,       /* TCAP and MAP, BER errors */
	ANOM_BER_DEPTH,            /* BER nested beyond the cap */
	ANOM_SMS_TPDU_MALFORMED,
	ANOM_GTP_MALFORMED,
	ANOM_GTP_TRUNCATED,
	ANOM_RADIUS_MALFORMED,
	ANOM_DIAMETER_MALFORMED,
	ANOM_DNS_MALFORMED,
	ANOM_DNS_COMPRESSION_LOOP,
	ANOM_TLS_MALFORMED,
	ANOM_QUIC_MALFORMED,
	ANOM_STUN_MALFORMED,
	ANOM_IDENTITY_TABLE_FULL,
	ANOM_NAME_CACHE_FULL,
	ANOM_STATE_POOL_FULL,      /* per-flow dissector state could not be had */
	ANOM_RADIUS_TRUNCATED,     /* a RADIUS packet cut by the capture */
	ANOM_DIAMETER_TRUNCATED,   /* a Diameter message cut by the capture */
	ANOM_DATA_SESSION_TABLE_FULL, /* GTP-C/RADIUS/Diameter session forgotten: table at its cap */
	ANOM_FLOW_EVICTED,         /* table full: the longest-idle flow ended early for a new one */
	ANOM_TCP_MEMORY_CAP,       /* global reassembly budget reached: held stream bytes dropped */
	ANOM_DNS_TRUNCATED,        /* a DNS message cut by the capture */
	ANOM_TLS_TRUNCATED,        /* a TLS handshake message cut by the capture */
	ANOM_QUIC_TRUNCATED,       /* a QUIC Initial cut by the capture */
	ANOM_QUIC_UNDECRYPTABLE,   /* a client Initial whose protection did not open */
	ANOM_STUN_TRUNCATED,       /* a STUN message cut by the capture */
	ANOM_OTT_STATE_FULL,       /* signature/OTT per-flow state or call table at its cap */
	ANOM_SCTP_TRUNCATED,       /* an SCTP chunk cut by the capture */
	ANOM_SCTP_CHUNK_LIMIT,     /* more chunks in one packet than SCTP_MAX_CHUNKS: the rest skipped */
	ANOM_SCTP_REASM_DROPPED,   /* a fragmented SCTP user message not reassembled (gap, cap, I-DATA) */
	ANOM_SIGTRAN_TRUNCATED,    /* M2UA, M3UA, SUA or SCCP cut by the capture */
	ANOM_SCCP_SEGMENT_SKIPPED, /* one segment of an XUDT/LUDT/SUA message: not reassembled */
	ANOM_TCAP_TRUNCATED,       /* TCAP or MAP cut by the capture */
	ANOM_TCAP_COMPONENT_LIMIT, /* more TCAP components than TCAP_MAX_COMPONENTS: the rest unread */
	ANOM_MAP_PENDING_FULL,     /* MAP SMS awaiting its answer pushed out: recorded without outcome */
	ANOM_TLS_GATHER_EVICTED,   /* TLS gathering buffers all in use: the one left longest taken back, its message given up */
	ANOM_QUIC_GATHER_EVICTED,  /* the same for QUIC's ClientHello buffers */
	ANOM__COUNT
};

enum { STATS_EVENT_TYPES = 16 }; /* >= EV__COUNT, checked in event.c */

struct stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t ip_packets;
	uint64_t flows;
	uint64_t events[STATS_EVENT_TYPES];
	uint64_t records;
	uint64_t anomalies[ANOM__COUNT];
	/* sms events by protocol: counted once in pipeline.c (on_event) from every EV_SMS
	 * event's protocol ("smpp", "sip-message", "map"); dissectors do not count them */
	uint64_t sms_smpp, sms_sip, sms_map;
	/* app events made, before the order (the summary's ott line): counted in pipeline.c
	 * (on_event) by the worker that records them, so -j N counts as one pipeline does */
	uint64_t ott_sessions, ott_messages, ott_calls;
	/* SS7 over SIGTRAN (proto/map_sms.c): TCAP messages read, those of non-MAP application
	 * contexts (CAMEL...), MAP operations invoked that give no sms record, and SCCP
	 * messages returned undelivered (UDTS, XUDTS, LUDTS, SUA CLDR) */
	uint64_t tcap_messages, tcap_non_map;
	uint64_t map_ops_sri_sm, map_ops_update_location, map_ops_other;
	uint64_t sccp_returned;
	/* a live sensor sharing identity (pipeline/identity_wait.h): events that waited for
	 * another sensor's binding, those a binding then named, those let go because the
	 * waiting room was full */
	uint64_t identity_waited, identity_named_late, identity_wait_full;
};

const char *anomaly_name(enum anomaly a);
static inline void stats_anomaly(struct stats *s, enum anomaly a)
{
	if (s)
		s->anomalies[a]++;
}
uint64_t stats_anomaly_total(const struct stats *s);
/* Adds every counter of s into sum (the workers' statistics into the run's). */
void stats_add(struct stats *sum, const struct stats *s);

#endif
