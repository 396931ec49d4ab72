/*
 * limits.h — the run's memory cap (`pentrap run --max-memory MIB`, `--max-flows N`)
 * turned into the sizes of the pools that traffic fills: the flow table with each
 * flow's dissector state, the TCP reassembly budget, the IP fragment budget, and the
 * tables that grow with the subscribers seen (identity map, DNS names, data sessions),
 * TLS's and QUIC's pools of buffers for handshake messages that span records or packets
 * (proto/gather.h), and the records a run holds until the captures are hashed. Everything else a run allocates is sized at start whatever
 * the traffic (the program, its libraries, dissector tables such as SIP's call table,
 * the SQLite page cache) and is not part of the cap; docs/robustness.md has the
 * measured numbers.
 */
#ifndef PENTRAP_RUN_LIMITS_H
#define PENTRAP_RUN_LIMITS_H

#include <stddef.h>

#include "decode/decode.h"
#include "flow/flow.h"

enum {
	LIMITS_DEFAULT_MEMORY_MIB = 512,
	LIMITS_MIN_MEMORY_MIB = 16,
	LIMITS_MAX_MEMORY_MIB = 1 << 20, /* 1 TiB */
	LIMITS_MAX_FLOWS = 1 << 26,
};

/* What each pool got, in bytes (for the summary, tests and docs). */
struct limits_plan {
	size_t total;
	size_t flows;  /* table + state: what tracking flows may take */
	size_t table, state, reasm, frag;
	unsigned max_flows;
	size_t tables;    /* the subscriber tables together, as allocated */
	unsigned bindings, names, sessions; /* their sizes: identity map, DNS names, each data-session table */
	size_t gather;             /* TLS's and QUIC's handshake gathering pools together, as allocated */
	unsigned gather_buffers;   /* buffers in each of the two pools (proto/gather.h) */
	size_t held;               /* the records held before the store's run begins, at most */
	unsigned held_records;     /* how many that is */
};

/*
 * Sizes decode's fragment budget and the flow table (max_flows, the reassembly and
 * state budgets) so that together they stay within max_memory_mib (0: the default).
 * max_flows 0 takes as many flows as fit in 3/8 of the cap, at most the flow table's
 * default (262144).
 * Returns 0, or -1 with one line in errbuf when the numbers cannot fit (--max-flows
 * needing more than half the cap). plan may be NULL.
 */
int limits_apply(unsigned max_memory_mib, unsigned max_flows, struct decode_config *dc,
		 struct flow_config *fc, struct limits_plan *plan, char *errbuf, size_t errlen);

/*
 * The same for one of nworkers workers (`run -j`): each gets an equal share of the cap
 * and of --max-flows. Its subscriber tables are a share too, though every worker keeps
 * every subscriber (run/shard.h): more workers, fewer subscribers in the cap.
 */
int limits_apply_workers(unsigned max_memory_mib, unsigned max_flows, unsigned nworkers,
			 struct decode_config *dc, struct flow_config *fc, struct limits_plan *plan,
			 char *errbuf, size_t errlen);

#endif
