/*
 * order.h — the legal order: its id, kind (pen register, trap and trace, both), validity
 * window and targets, loaded from YAML (docs/order.md), and the test of whether a party
 * of an event is one of its targets.
 */
#ifndef PENTRAP_ORDER_ORDER_H
#define PENTRAP_ORDER_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/addr.h"
#include "event/event.h"

enum order_kind {
	ORDER_PEN_REGISTER = 1, /* outgoing: the target originated */
	ORDER_TRAP_TRACE = 2,   /* incoming: the target received */
	ORDER_BOTH = 3,
};

enum target_kind { TARGET_MSISDN, TARGET_SIP, TARGET_IMSI, TARGET_IP };

/* The lawful interception identifier (ETSI TS 101 671: OCTET STRING SIZE (1..25)). */
enum { ORDER_LIID_MAX = 25, ORDER_DELIVER_TO_MAX = 256 };

struct order_target {
	enum target_kind kind;
	char liid[ORDER_LIID_MAX + 1]; /* its own LIID, "" when the order's applies */
	char id[PARTY_MAX];     /* normalised: "+15551234567", "sip:alice@example.net", "imsi:310...", "198.51.100.7/32" */
	struct ip_addr net;     /* TARGET_IP */
	unsigned prefix_len;    /* TARGET_IP */
};

enum { ORDER_MAX_TARGETS = 4096 };

struct order_index; /* order_index.h */

struct order {
	char id[64];
	char authority[256];
	enum order_kind kind;
	uint64_t valid_from_us, valid_until_us;
	struct order_target *targets; /* owned */
	size_t ntargets;
	char liid[ORDER_LIID_MAX + 1];            /* the order's LIID, "" when none */
	char deliver_to[ORDER_DELIVER_TO_MAX];    /* the LEMF, "HOST:PORT", "" when none */
	char file_sha256[65];         /* hex of the order file's bytes */
	struct order_index *index;    /* owned; built by order_load; NULL: matching scans the targets */
};

/*
 * Loads and validates an order file. On error returns -1 and writes one line into
 * errbuf: "FILE:LINE: problem". On success the caller owns *out (order_fini).
 */
int order_load(const char *path, struct order *out, char *errbuf, size_t errlen);
void order_fini(struct order *o);

enum { ORDER_DESCRIBE_TARGETS = 20 }; /* targets order_describe lists one by one */
/*
 * What a loaded order says, for `pentrap order check`: "PATH: ok: order ID (kind)", then
 * its authority, window (and whether it is in force at now_us), targets by kind (the
 * first ORDER_DESCRIBE_TARGETS listed), LIIDs, delivery and the file's SHA-256.
 */
void order_describe(const struct order *o, const char *path, uint64_t now_us, FILE *out);

/* The LIID that applies to target i: its own, else the order's; "" when neither names one. */
const char *order_target_liid(const struct order *o, size_t i);

/*
 * Splits "HOST:PORT" ("[v6]:PORT" for an IPv6 address) into host and port; 0 when it
 * is one, -1 when not (host empty or too long, port not 1..65535).
 */
int order_split_hostport(const char *s, char *host, size_t hostlen, unsigned *port);

/*
 * Which target, if any, a party is: index into o->targets, or -1. addr is the party's
 * network address when known (may be NULL or family 0).
 */
int order_match_party(const struct order *o, const char *party, const struct ip_addr *addr);

/*
 * Which target, if any, a network address is: index into o->targets, or -1. The answer
 * of order_match_party(o, the address as text, addr), without writing the text (only
 * ip targets can match an address): the test made at every flow start.
 */
int order_match_addr(const struct order *o, const struct ip_addr *addr);

struct subscriber; /* identity/identity.h */
/*
 * Which target, if any, a subscriber (from the identity map) is: its MSISDN against
 * msisdn targets, its IMSI against imsi targets, its SIP address of record against sip
 * targets. Index into o->targets, or -1.
 */
int order_match_subscriber(const struct order *o, const struct subscriber *s);

#endif
