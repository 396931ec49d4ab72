/*
 * flow.h — the bidirectional flow table: one entry per (addresses, ports, protocol,
 * tunnel) whichever way a packet goes, bounded in size, with idle timeouts. The tunnel
 * is the innermost packet's path as far as it does not depend on direction (packet.h
 * tunnel_key: VLANs, VNIs, sessions, each IP tunnel's ends), so one address space
 * reused behind two tunnels or mirrored by two switches is not mixed (unless the run
 * says --merge-mirrors).
 *
 * Direction: dir 0 is the way the flow's first packet went (the initiator, the
 * "client"), dir 1 the reverse.
 *
 * Memory: the table allocates every flow at creation (flow_config.max_flows). A new
 * flow when the table is full ends the longest-idle flow early (ANOM_FLOW_EVICTED), so
 * a flood of new 5-tuples cannot lock out the flows that come after it; only when
 * every flow saw a packet at this packet's time or later is the new one dropped
 * (ANOM_FLOW_TABLE_FULL). TCP reassembly streams share one byte budget
 * (reasm_budget_bytes, struct reasm_budget); when it runs high the table sheds the
 * held bytes of streams waiting on a gap (ANOM_TCP_MEMORY_CAP). Dissector state that
 * flows take when classified is counted against a budget too (state_budget_bytes,
 * flow_table_state_reserve). A flow pointer is valid until the flow ends; the on_end
 * callback is the last time it is seen.
 */
#ifndef PENTRAP_FLOW_FLOW_H
#define PENTRAP_FLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/stats.h"
#include "decode/packet.h"
#include "flow/reasm.h"

struct flow_key {
	struct ip_addr addr[2]; /* addr[0] is the initiator */
	uint16_t port[2];
	uint8_t proto;
	uint32_t tunnel;        /* packet.h tunnel_key */
};

enum { FLOW_NO_DISSECTOR = 0xff, FLOW_UNDECIDED = 0xfe };

/* In parse_done, beside the directions' bits: one bit the flow's dissector keeps for
 * itself, to decide a packet from the flow's first cache line without reading its
 * state (STUN: the flow is known to carry media, a media datagram changes nothing). */
enum { FLOW_PARSE_MARK = 1u << 7 };

/*
 * Laid out by how often a packet touches each field: the first cache line holds what
 * every packet reads or writes (the key it is found by, its time, the dissector and
 * its progress), the second what most write (counters) or the layers above read, the
 * third what only TCP reassembly and the records need. The table keeps its flows in
 * an array aligned to a cache line, so the first line is one line (flow_table.c).
 */
struct flow {
	/* line 1: every packet */
	struct flow_key key;
	uint32_t state_bytes;   /* of the table's state budget, reserved for proto_state (flow_table_state_reserve) */
	uint64_t last_ts_us;
	uint8_t dissector;      /* index into the registry, or FLOW_UNDECIDED / FLOW_NO_DISSECTOR */
	uint8_t probe_tries;    /* payload packets looked at while undecided */
	bool closed[2];         /* FIN or RST seen in that direction */
	bool rst;               /* RST seen: the connection is over whatever FINs say */
	uint8_t detect_flags;   /* the signature engine's progress on this flow (detect/detect_internal.h) */
	uint8_t parse_done;     /* bit d: the dissector wants no more of direction d (PARSE_DONE); FLOW_PARSE_MARK */
	bool replica;           /* shared traffic another worker records and counts (run/shard.h) */
	/* line 2: counters, and what the layers above keep */
	uint64_t packets[2], bytes[2]; /* bytes: the IP packets' declared lengths (packet.h ip_len) */
	uint64_t first_ts_us;
	uint64_t first_frame;
	void *proto_state;      /* owned by the dissector (see proto.h), may be NULL */
	void *user;             /* for later layers (signatures, identity): owned by whoever set it */
	/* line 3: TCP reassembly, and the records' evidence */
	struct tcp_stream *stream[2]; /* TCP reassembly per direction, lazily made; owned by the table */
	uint32_t capture_index;
	struct tunnel_path tunnel; /* the path of the flow's first packet: its records' evidence.tunnel */
};

struct flow_config {
	unsigned max_flows;         /* default 262144 */
	unsigned udp_timeout_s;     /* default 120 */
	unsigned tcp_timeout_s;     /* default 600 (established), 30 after FIN/RST both ways */
	unsigned stream_cap_bytes;  /* per direction reassembly cap, default 65536 */
	unsigned max_streams;       /* TCP streams under reassembly at once, default 65536 */
	size_t reasm_budget_bytes;  /* all streams' structs and buffers together, default 128 MiB */
	size_t state_budget_bytes;  /* all flows' dissector state together, default 64 MiB */
};

struct flow_table;

typedef void (*flow_end_fn)(struct flow *f, void *ud);

struct flow_table *flow_table_new(const struct flow_config *cfg, struct stats *stats,
				  flow_end_fn on_end, void *ud);
/* Ends every remaining flow (on_end is called for each), then frees. Accepts NULL. */
void flow_table_free(struct flow_table *t);

/*
 * Finds or creates the flow of pkt; *dir receives 0 (initiator to responder) or 1.
 * *created is set when this packet started the flow. Updates counters and last_ts.
 * Returns NULL when the table is full (counted as ANOM_FLOW_TABLE_FULL).
 */
struct flow *flow_table_packet(struct flow_table *t, const struct packet *pkt, int *dir,
			       bool *created);

/*
 * The reassembly stream of one direction of a TCP flow, made on first use.
 * NULL when the stream pool is exhausted (counted).
 */
struct tcp_stream *flow_stream(struct flow_table *t, struct flow *f, int dir);
/* Gives direction dir's stream (if any) back to the pool: its bytes are not wanted any more. */
void flow_stream_release(struct flow_table *t, struct flow *f, int dir);

/*
 * Reserves `bytes` of the state budget for f's dissector state: the caller allocates
 * the state and frees it in on_end; the table gives the bytes back when f ends. When
 * the budget is spent it ends the longest-idle flow that holds state to make room
 * (ANOM_FLOW_EVICTED), never f nor a flow that saw a packet at now_us or later.
 * Returns false when no room can be made (the caller counts ANOM_STATE_POOL_FULL).
 */
bool flow_table_state_reserve(struct flow_table *t, struct flow *f, size_t bytes, uint64_t now_us);

/* Ends flows idle longer than their timeout relative to now_us (calls on_end). */
void flow_table_expire(struct flow_table *t, uint64_t now_us);
/* Ends every flow (end of input). */
void flow_table_end_all(struct flow_table *t);
unsigned flow_table_count(const struct flow_table *t);

/*
 * Bytes flow_table_new allocates for cfg (defaults applied): the flow nodes, buckets
 * and stream pool index, not the reassembly budget, which comes on top.
 */
size_t flow_table_memory(const struct flow_config *cfg);
/* Bytes charged to the reassembly budget now (stream structs and buffers). */
size_t flow_table_stream_bytes(const struct flow_table *t);
/* Bytes of the state budget reserved now. */
size_t flow_table_state_bytes(const struct flow_table *t);
/* The most each budget has held at once since the table was made (the summary's
 * memory line: what the attack tests check against the cap). */
size_t flow_table_stream_peak(const struct flow_table *t);
size_t flow_table_state_peak(const struct flow_table *t);

/*
 * A hash of pkt's flow (addresses, ports, protocol, tunnel) that is the same in both
 * directions, so a packet and its reply land in the same table bucket, and worker
 * threads can shard flows by it. Stable within one process only.
 */
uint32_t flow_hash_packet(const struct packet *p);

#endif
