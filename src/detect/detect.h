/*
 * detect.h — signature matching on flows, and the events it yields: ott.session.begin
 * and .end, ott.message (inferred from traffic shape), ott.call.begin and .end, and
 * flow records for the order's targets (the internet pen register).
 *
 * The pipeline calls in at a few points only (pipeline.c):
 *   detect_flow_start   a flow's first packet: which side serves, target or not, and a
 *                       first evaluation (addresses, ports, the DNS name the client
 *                       resolved for the server);
 *   detect_packet       every packet of a flow; returns at once unless the flow waits
 *                       for its first payload in a direction (preambles) or is a
 *                       classified OTT session or call (a cheap shape update);
 *   detect_facts_sink   the facts sink the pipeline puts in every parse context: a
 *                       dissector learned a name, ALPN or STUN detail (facts.h) and
 *                       the flow is evaluated again, once per new fact;
 *   detect_flow_end     session end, call bookkeeping, the flow record;
 *   detect_tick         bursts that ended, calls that ended.
 *
 * Only flows with an order's target on one side are evaluated (decided at the flow's
 * first packet); per-flow state comes from a pool sized at creation and is taken only
 * by those (flow->user points to it). A flow classified is never evaluated again.
 *
 * Reload: detect_set_sigs swaps the definitions; flows already classified keep a
 * reference to the set that classified them, new flows use the new one.
 */
#ifndef PENTRAP_DETECT_DETECT_H
#define PENTRAP_DETECT_DETECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/stats.h"
#include "decode/packet.h"
#include "detect/facts.h"
#include "detect/sigs.h"
#include "event/event.h"
#include "flow/flow.h"

struct order;
struct identity_map;
struct name_cache;

struct detect_config {
	struct sigset *sigs;                 /* the definitions (a reference is taken) */
	const struct order *order;           /* for "is this flow a target's" (borrowed) */
	const struct identity_map *identity; /* may be NULL */
	const struct name_cache *names;      /* may be NULL */
	const struct event_sink *events;
	struct stats *stats;
	unsigned max_states;                 /* per-flow states, 0: 65536 */
	unsigned max_calls;                  /* calls tracked at once, 0: 4096 */
	/* live identity sharing (docs/scale.md): a flow whose sides no binding covers yet is
	 * looked at too, as another sensor's binding may come and name a target on it; its
	 * events wait for that in the pipeline, and the summary counts it only when a target's */
	bool identity_pending;
};

/* Totals for the run summary. */
struct detect_summary {
	uint64_t target_flows, target_bytes;     /* flows with a target on one side */
	uint64_t unnamed_flows, unnamed_bytes;   /* of those: encrypted or unknown, no signature */
	uint64_t named_flows, named_bytes;       /* of those: a signature named the service */
	uint64_t sessions, messages, calls;      /* events made (all flows, before the order): filled by the
						    run from what the pipelines recorded (core/stats.h) */
	uint64_t call_setups;                    /* bursts that were a call's setup, not messages */
	uint64_t reloads;
};

struct detect;

struct detect *detect_new(const struct detect_config *cfg);
/* Frees (call detect_finish first to end what is open). Accepts NULL. */
void detect_free(struct detect *d);

/* New definitions for flows that start from now on; the old set lives while flows use it. */
void detect_set_sigs(struct detect *d, struct sigset *s);
const struct sigset *detect_sigs(const struct detect *d);

void detect_flow_start(struct detect *d, struct flow *f, const struct packet *pkt);
void detect_packet(struct detect *d, struct flow *f, int dir, const struct packet *pkt);
void detect_flow_facts(struct detect *d, struct flow *f, int dir, const struct packet *pkt,
		       const struct flow_facts *facts);
/* A DNS question on f: the flow's name for its flow record, unless it has one (flowrec.c). */
void detect_flow_lookup(struct detect *d, struct flow *f, const char *qname);
/*
 * The sink for the dissectors' facts and lookups (detect/facts.h), which calls the two
 * above; borrowed for d's life. NULL for NULL d (no signatures: facts go nowhere).
 */
const struct facts_sink *detect_facts_sink(struct detect *d);
/* The flow ends (before its dissector state is freed). */
void detect_flow_end(struct detect *d, struct flow *f);
void detect_tick(struct detect *d, uint64_t now_us);
/* End of input: bursts and calls still open are closed. */
void detect_finish(struct detect *d);

void detect_get_summary(const struct detect *d, struct detect_summary *out);

#endif
