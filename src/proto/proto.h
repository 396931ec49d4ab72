/*
 * proto.h — the shape every dissector has, and the registry of them.
 *
 * A dissector is one entry in the registry table (proto/registry.c): its name, the
 * transports it runs on, how it recognises its traffic (by content; ports are only a
 * hint), and a parse function with Suricata's app-layer result: ok, needs more
 * (consumed so far), malformed. Per-flow state is allocated by the pipeline from the
 * dissector's declared state size; state shared across flows (a SIP call table keyed by
 * Call-ID, say) lives in the dissector's module instance, made once per pipeline.
 * No mutable globals.
 *
 * A dissector knows only what its parse context hands it: it emits events into the
 * event sink, what it learned for the signatures into the facts sink, and a layer (SCTP)
 * hands messages on to the user modules it was made with. It never reaches up to the
 * pipeline that calls it, so a test drives it with a context of its own
 * (tests/scripts/test_layering.sh keeps proto/ and detect/ from naming the pipeline).
 */
#ifndef PENTRAP_PROTO_PROTO_H
#define PENTRAP_PROTO_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "decode/packet.h"
#include "detect/facts.h"
#include "event/event.h"

struct flow;
struct identity_map;
struct name_cache;

enum parse_status {
	PARSE_OK,        /* consumed *consumed bytes of whole messages */
	PARSE_NEED_MORE, /* a message is incomplete: consumed what came before it */
	PARSE_MALFORMED, /* not parseable: counted by the dissector; the rest is skipped */
	PARSE_DONE,      /* consumed all; this direction has nothing more to say (TLS once
			    encrypted, RTP once decided): the pipeline stops reassembling it and
			    frees its stream, or (datagrams) stops calling parse for it */
};

/* What a run's memory plan (run/limits.c) gives the modules' tables and pools. */
struct module_sizes {
	unsigned data_sessions; /* each data-session table (GTP, RADIUS, Diameter); 0: default */
	unsigned tls_gather;    /* TLS's buffers for handshake messages spanning records (proto/gather.h); 0: default */
	unsigned quic_gather;   /* QUIC's buffers for ClientHellos spanning packets; 0: default */
};

enum transport_bits {
	T_UDP = 1 << 0,
	T_TCP = 1 << 1,
	T_SCTP = 1 << 2,
};

/* Everything a parse call may touch. Borrowed for the duration of the call. */
struct parse_ctx {
	const struct packet *pkt;  /* the packet that delivered the bytes */
	struct flow *flow;         /* NULL for fuzz drivers that parse without a flow */
	int dir;                   /* 0 initiator->responder, 1 reverse */
	void *state;               /* per-flow state, state_size bytes, zeroed at flow start */
	void *module;              /* the dissector's module instance (module_new) */
	const struct event_sink *events;
	const struct facts_sink *facts; /* what the signatures match on (detect/facts.h); NULL: nobody listens */
	struct stats *stats;
	struct identity_map *identity; /* address ↔ subscriber bindings (identity/identity.h) */
	struct name_cache *names;      /* DNS answers per client (identity/names.h) */
};

/* Hands what the dissector learned about ctx's flow to ctx's facts sink (the signature
 * engine evaluates the flow then); nothing without a sink or a flow. Borrowed. */
static inline void proto_facts(const struct parse_ctx *ctx, const struct flow_facts *facts)
{
	if (ctx->facts && ctx->flow)
		ctx->facts->facts(ctx->facts->ud, ctx->flow, ctx->dir, ctx->pkt, facts);
}

/*
 * A DNS question on ctx's flow: the name the device asked for, kept as the flow's name
 * for its `flow` record when the flow is a target's. Not a fact signatures match:
 * looking a service up is not using it.
 */
static inline void proto_lookup(const struct parse_ctx *ctx, const char *qname)
{
	if (ctx->facts && ctx->flow && qname[0])
		ctx->facts->lookup(ctx->facts->ud, ctx->flow, qname);
}

enum { DISSECTOR_MAX_PPIDS = 4 };

/* A dissector and its module instance: what a layer hands messages on to. */
struct proto_user {
	const struct dissector *dissector;
	void *module; /* borrowed: the dissector's module (NULL when it has none) */
};

struct dissector {
	const char *name;
	unsigned transports;       /* enum transport_bits */
	/*
	 * True when the first payload of a flow looks like this protocol. Must not read
	 * past len; must be cheap (called for every undecided flow's first payloads).
	 */
	bool (*recognise)(const uint8_t *p, size_t len, const struct packet *pkt);
	/*
	 * Parses bytes of one direction. UDP: one datagram per call. TCP: the reassembled
	 * in-order bytes not yet consumed; may be called again with more.
	 */
	enum parse_status (*parse)(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed);
	size_t state_size;                      /* per-flow state, 0 for none */
	void (*state_end)(struct parse_ctx *ctx); /* flow ended: last look at state (may be NULL) */
	/* Module instance: shared state across flows (may be NULL). sizes: what the run's
	 * memory plan gives the module's tables (run/limits.c); NULL for the defaults. */
	void *(*module_new)(struct stats *stats, const struct module_sizes *sizes);
	/*
	 * A layer over other dissectors (SCTP) is made with layer_new instead, after every
	 * other module, and given them (users: the registry's entries with their modules,
	 * borrowed for the layer's life); it keeps those it hands messages on to.
	 */
	void *(*layer_new)(struct stats *stats, const struct proto_user *users, size_t nusers);
	void (*module_free)(void *module);
	/* Periodic housekeeping (timeouts) and end of input; may emit events. */
	void (*module_tick)(void *module, uint64_t now_us, const struct event_sink *events);
	void (*module_finish)(void *module, const struct event_sink *events);
	/*
	 * The SCTP payload protocol identifiers (RFC 9260 §3.3.1) whose user messages this
	 * dissector takes, 0-terminated (M3UA 3, SUA 4, Diameter 46 ...). The SCTP layer
	 * (proto/sctp.c, made with this dissector among its users) walks the chunks and
	 * calls parse once per whole user message, with ctx->pkt a copy of the packet whose
	 * payload is that message (payload_truncated when the capture cut it), ctx->module
	 * this dissector's module, ctx->state NULL.
	 * A message with PPID 0 (unspecified) goes to the first such dissector whose
	 * recognise accepts it. Such a dissector leaves T_SCTP out of transports: that bit
	 * is the SCTP layer's own.
	 */
	uint32_t sctp_ppid[DISSECTOR_MAX_PPIDS];
};

/* The registry: a NULL-terminated table in proto/registry.c. */
extern const struct dissector *const proto_registry[];
size_t proto_registry_count(void);
/* The dissector's index by name, or -1. */
int proto_find(const char *name);

#endif
