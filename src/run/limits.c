/*
 * limits.c — one memory cap split among the pools traffic can fill (limits.h).
 *
 * An attacker controls how many flows, streams and fragments a sensor tracks; each of
 * those pools has its own cap, and this file makes the caps add up to one number. A
 * tenth of it is left unassigned: the allocator's own headers and the fragmentation
 * that churn leaves in the heap count in the process's memory too. Of the rest:
 *
 *   fragments   min(8 MiB, cap/16) of data, plus the slot pool and output buffers
 *   flow table  the nodes, buckets and stream index: as many flows as fit in 3/8 of
 *               the cap, at most 1048576 (or --max-flows, which may take up to half)
 *   subscribers a quarter: the tables that grow with the subscribers seen, not with
 *               flows (identity bindings 30 %, DNS names 30 %, the data-session
 *               tables of GTP, RADIUS and Diameter 40 % among the three)
 *   state       half of the rest: the dissector state flows take when classified
 *               (flow_table_state_reserve; SMPP's is 17 KiB a flow, TLS's about 1 KiB);
 *               a quarter of it (at most 24 MiB) is the fixed pools in which TLS and
 *               QUIC gather a handshake message that spans records or packets
 *               (proto/gather.h: 32 and 16 KiB a buffer, as many of each)
 *   reassembly  the other half: TCP stream structs and buffers (flow/reasm.h); TLS
 *               gives its streams back once encrypted (PARSE_DONE), so it needs less
 *               than it did
 *   records     before state and reassembly, a sixteenth of what they would have (at
 *               most 16384 records, 37 MiB): the records a run holds while the captures
 *               are hashed for custody, before its store's run begins (run.c)
 * The subscriber tables are allocated whole (calloc) and their pages touched as they
 * fill, so a small capture costs what it uses; the plan is what they can come to.
 */
#include "run/limits.h"

#include <stdio.h>

#include "identity/identity.h"
#include "identity/names.h"
#include "identity/data_session.h"
#include "proto/gather.h"
#include "proto/quic.h"
#include "proto/tls.h"
#include "record/record.h"


enum {
	/* The most flows the cap's 3/8 is allowed to buy (more with --max-flows): push and
	 * chat connections idle for minutes between messages are the longest-idle flows,
	 * the first a full table ends; at 100,000 subscribers 262,144 lost a tenth of the
	 * inferred messages. */
	DEFAULT_MAX_FLOWS = 1 << 20,
	FRAG_DATAGRAMS = 1024,        /* decode's default slot count */
	FRAG_SLOT_BYTES = 288 + 8,    /* a slot with its links (frag.c asserts <= 288), two buckets */
	FRAG_OUT_BYTES = 2 * 65576,   /* two output buffers for completed datagrams */
	MIN_REST_BYTES = 3 << 20,     /* state and reassembly together, at the least */
	MIN_TABLE_ENTRIES = 256,      /* each subscriber table holds at least this many */
	HELD_RECORDS_MAX = 16384,     /* records held before the store's run begins, at most */
	HELD_RECORDS_MIN = 64,
	DATA_SESSION_TABLES = 3,      /* GTP, RADIUS, Diameter */
};
#define MIB ((size_t)1 << 20)
#define FRAG_MAX_DATA ((size_t)8 << 20)
#define GATHER_MAX ((size_t)24 << 20)
enum { GATHER_MIN_BUFFERS = 4 }; /* of each: a split hello is rare, but not that rare */

/* Bytes of n gathering buffers of TLS and n of QUIC. */
static size_t gather_bytes(unsigned n)
{
	return gather_pool_memory(n, TLS_HANDSHAKE_MAX) + gather_pool_memory(n, QUIC_CRYPTO_MAX);
}

/* Bytes the flow table takes for n flows, as flow_table_new makes it. */
static size_t flows_bytes(const struct flow_config *fc, unsigned n)
{
	struct flow_config c = *fc;
	c.max_flows = n;
	return flow_table_memory(&c);
}

/* The most entries (at least MIN_TABLE_ENTRIES) whose table, as memory_of sizes it, fits in budget. */
static unsigned entries_within(size_t (*memory_of)(unsigned), size_t budget)
{
	size_t per = (memory_of(1u << 17) - memory_of(1u << 16)) >> 16;
	unsigned n = (unsigned)(budget / per < (1u << 24) ? budget / per : (1u << 24));
	while (n > MIN_TABLE_ENTRIES && memory_of(n) > budget)
		n -= n / 64 + 1;
	return n > MIN_TABLE_ENTRIES ? n : MIN_TABLE_ENTRIES;
}

/* Data-session tables hold a power of two: the largest whose three tables fit in budget. */
static unsigned sessions_within(size_t budget)
{
	unsigned n = 1u << 22;
	while (n > MIN_TABLE_ENTRIES && DATA_SESSION_TABLES * ds_table_memory(n) > budget)
		n >>= 1;
	return n;
}

int limits_apply(unsigned max_memory_mib, unsigned max_flows, struct decode_config *dc,
		 struct flow_config *fc, struct limits_plan *plan, char *errbuf, size_t errlen)
{
	return limits_apply_workers(max_memory_mib, max_flows, 1, dc, fc, plan, errbuf, errlen);
}

int limits_apply_workers(unsigned max_memory_mib, unsigned max_flows, unsigned nworkers,
			 struct decode_config *dc, struct flow_config *fc, struct limits_plan *plan,
			 char *errbuf, size_t errlen)
{
	if (nworkers < 1)
		nworkers = 1;
	if (!max_memory_mib) /* the subscriber tables a worker more keeps, a quarter each */
		max_memory_mib = LIMITS_DEFAULT_MEMORY_MIB + (nworkers - 1) * (LIMITS_DEFAULT_MEMORY_MIB / 4);
	if (max_memory_mib < LIMITS_MIN_MEMORY_MIB || max_memory_mib > LIMITS_MAX_MEMORY_MIB) {
		snprintf(errbuf, errlen, "--max-memory %u: must be between %d and %d MiB", max_memory_mib,
			 LIMITS_MIN_MEMORY_MIB, LIMITS_MAX_MEMORY_MIB);
		return -1;
	}
	if (max_flows > LIMITS_MAX_FLOWS) {
		snprintf(errbuf, errlen, "--max-flows %u: at most %d", max_flows, LIMITS_MAX_FLOWS);
		return -1;
	}
	size_t total = (size_t)max_memory_mib * MIB;
	size_t usable_all = total - total / 10;
	/* One worker's share; but every worker keeps every subscriber (run/shard.h),
	 * so each one's tables take a quarter of the whole cap, as with one worker, as long
	 * as that leaves it half its share. */
	size_t usable = usable_all / nworkers;
	size_t subscribers = usable_all / 4 < usable / 2 ? usable_all / 4 : usable / 2;
	if (max_flows)
		max_flows = max_flows / nworkers ? max_flows / nworkers : 1;

	size_t frag_data = usable / 16 < FRAG_MAX_DATA ? usable / 16 : FRAG_MAX_DATA;
	size_t frag = frag_data + (size_t)FRAG_DATAGRAMS * FRAG_SLOT_BYTES + FRAG_OUT_BYTES;

	unsigned bindings = entries_within(identity_map_memory, subscribers / 10 * 3);
	unsigned names = entries_within(name_cache_memory, subscribers / 10 * 3);
	unsigned sessions = sessions_within(subscribers / 10 * 4);
	size_t tables = identity_map_memory(bindings) + name_cache_memory(names) +
			DATA_SESSION_TABLES * ds_table_memory(sessions);

	/* Flows take 3/8 of the cap; a worker, whose subscriber tables are a bigger part
	 * of its share, half of what they and the fragments leave (as much for state and
	 * reassembly, the workers together about what one would have). */
	size_t flows;
	size_t share = usable / 8 * 3;
	if (nworkers > 1)
		share = usable > tables + frag ? (usable - tables - frag) / 2 : 0;
	if (max_flows) {
		flows = flows_bytes(fc, max_flows);
		if (flows > total / 2 / nworkers) {
			snprintf(errbuf, errlen,
				 "--max-flows %u needs %zu MiB, more than half of --max-memory %u MiB",
				 max_flows, (flows + MIB - 1) / MIB, max_memory_mib);
			return -1;
		}
	} else {
		/* The cost of one more flow, measured between two powers of two so the
		 * buckets (a power of two) grow in step. */
		size_t per = (flows_bytes(fc, 1u << 17) - flows_bytes(fc, 1u << 16)) >> 16;
		size_t fixed = flows_bytes(fc, 1u << 16) - ((size_t)per << 16);
		size_t fit = share > fixed ? (share - fixed) / per : 0;
		max_flows = fit < DEFAULT_MAX_FLOWS ? (unsigned)fit : DEFAULT_MAX_FLOWS;
		/* Rounding of the buckets may overshoot by a little: step down until it fits. */
		while (max_flows > 1 && flows_bytes(fc, max_flows) > share)
			max_flows -= max_flows / 64 + 1;
		flows = flows_bytes(fc, max_flows);
	}
	if (usable < frag + flows + tables + MIN_REST_BYTES) {
		if (nworkers > 1)
			snprintf(errbuf, errlen, "--max-memory %u MiB is too little for %u workers", max_memory_mib,
				 nworkers);
		else
			snprintf(errbuf, errlen, "--max-memory %u MiB leaves no room for flow state and TCP reassembly",
				 max_memory_mib);
		return -1;
	}
	size_t rest = usable - frag - flows - tables;
	size_t held_records = rest / 16 / sizeof(struct record);
	held_records = held_records < HELD_RECORDS_MIN ? HELD_RECORDS_MIN
		     : held_records > HELD_RECORDS_MAX ? HELD_RECORDS_MAX : held_records;
	rest -= held_records * sizeof(struct record);
	size_t state = rest / 2, reasm = rest - state;
	/* TLS's and QUIC's gathering buffers: a quarter of the state's half, as many of each */
	size_t gather_share = state / 4 < GATHER_MAX ? state / 4 : GATHER_MAX;
	unsigned gather = (unsigned)(gather_share / ((size_t)TLS_HANDSHAKE_MAX + QUIC_CRYPTO_MAX));
	while (gather > GATHER_MIN_BUFFERS && gather_bytes(gather) > gather_share)
		gather--;
	if (gather < GATHER_MIN_BUFFERS)
		gather = GATHER_MIN_BUFFERS;
	state -= gather_bytes(gather);

	dc->frag_max_bytes = (unsigned)frag_data;
	dc->frag_max_datagrams = FRAG_DATAGRAMS;
	fc->max_flows = max_flows;
	fc->reasm_budget_bytes = reasm;
	fc->state_budget_bytes = state;
	if (plan)
		*plan = (struct limits_plan){
			.total = total / nworkers, .flows = flows + state, .table = flows, .state = state, .reasm = reasm,
			.frag = frag, .max_flows = max_flows, .tables = tables, .bindings = bindings,
			.names = names, .sessions = sessions, .gather = gather_bytes(gather), .gather_buffers = gather,
			.held = held_records * sizeof(struct record), .held_records = (unsigned)held_records,
		};
	return 0;
}

