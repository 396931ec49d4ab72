/*
 * facts.h — what dissectors learn about a flow that signatures can match on: names
 * (TLS/QUIC server name, certificate names), ALPN values, STUN message types,
 * attributes and realm, and whether media (RTP/RTCP/SRTP) was confirmed.
 *
 * A dissector fills a struct flow_facts with everything it knows so far and calls
 * proto_facts(ctx, &facts) (proto/proto.h) when something new became known (a
 * ClientHello parsed, a STUN message with a new type): the facts go to the facts sink
 * its parse context holds, which the signature engine provides (detect_facts_sink in
 * detect/detect.h); it evaluates the flow then, and only then. Borrowed for the
 * duration of the call.
 */
#ifndef PENTRAP_DETECT_FACTS_H
#define PENTRAP_DETECT_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"

enum {
	FACTS_NAMES_MAX = 6,
	FACTS_ALPN_MAX = 6,
	STUN_FACT_TYPES = 8,
	STUN_FACT_ATTRS = 24,
	STUN_REALM_MAX = 64,
};

/* STUN seen on a flow so far (RFC 8489 message types, attribute types, REALM). */
struct stun_facts {
	uint16_t types[STUN_FACT_TYPES];
	uint8_t ntypes;
	uint16_t attrs[STUN_FACT_ATTRS];
	uint8_t nattrs;
	char realm[STUN_REALM_MAX]; /* lower-case, "" when none */
	uint32_t messages;          /* STUN messages parsed */
	uint8_t request_dirs;       /* bit d: a request (or indication) came from flow direction d */
	uint8_t binding_dirs;       /* bit d: a Binding request (an ICE check) came from direction d */
};

struct flow_facts {
	const char *protocol;                /* static: "tls", "quic", "stun", "rtp" */
	const char *names[FACTS_NAMES_MAX];  /* server name first, then certificate names */
	uint8_t nnames;
	const char *alpn[FACTS_ALPN_MAX];
	uint8_t nalpn;
	const struct stun_facts *stun;       /* NULL when no STUN was seen */
	const struct ip_addr *turn_peer;     /* XOR-PEER-ADDRESS of a TURN message (RFC 8656): the far
						party as the relay reaches it; NULL when none */
	uint16_t turn_peer_port;
	bool media;                          /* RTP/RTCP/SRTP confirmed */
};

struct flow;
struct packet;

/*
 * Where a dissector's facts go: beside the event sink in its parse context, so that a
 * dissector hands them back through the interface it is given instead of reaching for
 * whoever runs it. facts: what was learned on flow f in direction dir from pkt;
 * lookup: a name f's device asked DNS for. Everything is borrowed for the call.
 */
struct facts_sink {
	void (*facts)(void *ud, struct flow *f, int dir, const struct packet *pkt, const struct flow_facts *facts);
	void (*lookup)(void *ud, struct flow *f, const char *qname);
	void *ud;
};

#endif
