/* stats.c — names of the anomaly counters. */
#include "core/stats.h"

static const char *const anomaly_names[ANOM__COUNT] = {
	[ANOM_CAPTURE_TRUNCATED] = "capture.truncated",
	[ANOM_LINK_UNSUPPORTED] = "link.unsupported",
	[ANOM_LINK_MALFORMED] = "link.malformed",
	[ANOM_IP_TRUNCATED] = "ip.truncated",
	[ANOM_IP_MALFORMED] = "ip.malformed",
	[ANOM_IP_EXTHDR_LIMIT] = "ip.exthdr-limit",
	[ANOM_FRAG_OVERLAP] = "frag.overlap",
	[ANOM_FRAG_TOO_BIG] = "frag.too-big",
	[ANOM_FRAG_TIMEOUT] = "frag.timeout",
	[ANOM_FRAG_POOL_FULL] = "frag.pool-full",
	[ANOM_TUNNEL_MALFORMED] = "tunnel.malformed",
	[ANOM_TUNNEL_DEPTH] = "tunnel.depth",
	[ANOM_L4_TRUNCATED] = "l4.truncated",
	[ANOM_L4_MALFORMED] = "l4.malformed",
	[ANOM_FLOW_TABLE_FULL] = "flow.table-full",
	[ANOM_TCP_GAP_SKIPPED] = "tcp.gap-skipped",
	[ANOM_TCP_BUFFER_FULL] = "tcp.buffer-full",
	[ANOM_TCP_OVERLAP_CONFLICT] = "tcp.overlap-conflict",
	[ANOM_SIP_MALFORMED] = "sip.malformed",
	[ANOM_SIP_TRUNCATED] = "sip.truncated",
	[ANOM_SIP_CALL_TABLE_FULL] = "sip.call-table-full",
	[ANOM_PROTO_MALFORMED] = "proto.malformed",
	[ANOM_PROTO_TRUNCATED] = "proto.truncated",
	[ANOM_SMPP_MALFORMED] = "smpp.malformed",
	[ANOM_SMPP_TRUNCATED] = "smpp.truncated",
	[ANOM_SCTP_MALFORMED] = "sctp.malformed",
	[ANOM_SIGTRAN_MALFORMED] = "sigtran.malformed",
	[ANOM_TCAP_MALFORMED] = "tcap.malformed",
	[ANOM_BER_DEPTH] = "ber.depth",
	[ANOM_SMS_TPDU_MALFORMED] = "sms.tpdu-malformed",
	[ANOM_GTP_MALFORMED] = "gtp.malformed",
	[ANOM_GTP_TRUNCATED] = "gtp.truncated",
	[ANOM_RADIUS_MALFORMED] = "radius.malformed",
	[ANOM_DIAMETER_MALFORMED] = "diameter.malformed",
	[ANOM_DNS_MALFORMED] = "dns.malformed",
	[ANOM_DNS_COMPRESSION_LOOP] = "dns.compression-loop",
	[ANOM_TLS_MALFORMED] = "tls.malformed",
	[ANOM_QUIC_MALFORMED] = "quic.malformed",
	[ANOM_STUN_MALFORMED] = "stun.malformed",
	[ANOM_IDENTITY_TABLE_FULL] = "identity.table-full",
	[ANOM_NAME_CACHE_FULL] = "names.cache-full",
	[ANOM_STATE_POOL_FULL] = "proto.state-pool-full",
	[ANOM_RADIUS_TRUNCATED] = "radius.truncated",
	[ANOM_DIAMETER_TRUNCATED] = "diameter.truncated",
	[ANOM_DATA_SESSION_TABLE_FULL] = "data-session.table-full",
	[ANOM_FLOW_EVICTED] = "flow.evicted",
	[ANOM_TCP_MEMORY_CAP] = "tcp.memory-cap",
	[ANOM_DNS_TRUNCATED] = "dns.truncated",
	[ANOM_TLS_TRUNCATED] = "tls.truncated",
	[ANOM_QUIC_TRUNCATED] = "quic.truncated",
	[ANOM_QUIC_UNDECRYPTABLE] = "quic.undecryptable",
	[ANOM_STUN_TRUNCATED] = "stun.truncated",
	[ANOM_OTT_STATE_FULL] = "ott.state-full",
	[ANOM_SCTP_TRUNCATED] = "sctp.truncated",
	[ANOM_SCTP_CHUNK_LIMIT] = "sctp.chunk-limit",
	[ANOM_SCTP_REASM_DROPPED] = "sctp.reasm-dropped",
	[ANOM_SIGTRAN_TRUNCATED] = "sigtran.truncated",
	[ANOM_SCCP_SEGMENT_SKIPPED] = "sccp.segment-skipped",
	[ANOM_TCAP_TRUNCATED] = "tcap.truncated",
	[ANOM_TCAP_COMPONENT_LIMIT] = "tcap.component-limit",
	[ANOM_MAP_PENDING_FULL] = "map.pending-full",
	[ANOM_TLS_GATHER_EVICTED] = "tls.gather-evicted",
	[ANOM_QUIC_GATHER_EVICTED] = "quic.gather-evicted",
};

const char *anomaly_name(enum anomaly a)
{
	if ((unsigned)a >= ANOM__COUNT || !anomaly_names[a])
		return "unknown";
	return anomaly_names[a];
}

uint64_t stats_anomaly_total(const struct stats *s)
{
	uint64_t t = 0;
	for (int i = 0; i < ANOM__COUNT; i++)
		t += s->anomalies[i];
	return t;
}

/* struct stats is counters only, so adding is element by element. */
_Static_assert(sizeof(struct stats) % sizeof(uint64_t) == 0, "struct stats holds uint64_t counters only");

void stats_add(struct stats *sum, const struct stats *s)
{
	uint64_t *d = (uint64_t *)(void *)sum;
	const uint64_t *a = (const uint64_t *)(const void *)s;
	for (size_t i = 0; i < sizeof *s / sizeof(uint64_t); i++)
		d[i] += a[i];
}
