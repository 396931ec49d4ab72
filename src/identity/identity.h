/*
 * identity.h — who is behind an address, over time.
 *
 * Mobile data sessions (GTP-C), RADIUS and Diameter accounting, and SIP registrations
 * bind an address (or an IPv6 prefix) to a subscriber for an interval. Lookups use the
 * event's capture time, so an address reused by another subscriber later never names
 * the wrong person. Bounded: a fixed number of bindings, allocated at creation; when
 * full the oldest closed binding is reused, else the new one is dropped and counted
 * (ANOM_IDENTITY_TABLE_FULL).
 *
 * Two layers. The access layer (GTP, RADIUS, Diameter: the network gave the address to
 * the subscriber) is authoritative. The registration layer (SIP REGISTER: a user agent
 * said where it can be reached) only names an address the access layer does not know,
 * and fills in what the access binding lacks (an MSISDN or AoR next to an IMSI). A
 * registration never closes a data session's binding, and a data session never closes a
 * registration; the end of a data session (identity_unbind) closes both, as the
 * address has left the subscriber.
 *
 * Intervals are half-open: a binding holds for start_us <= ts < end_us (end_us 0: open).
 * CGNAT port ranges are not modelled (no public capture gives them): an address shared
 * by many subscribers at once is bound to whoever the signalling named last.
 *
 * Not thread-safe: one map per pipeline.
 */
#ifndef PENTRAP_IDENTITY_IDENTITY_H
#define PENTRAP_IDENTITY_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/stats.h"

struct subscriber {
	char msisdn[24]; /* "+15551234567" or "" */
	char imsi[24];   /* "imsi:310150123456789" or "" */
	char imei[24];   /* "imei:..." or "" */
	char apn[64];    /* access point / called station, or "" */
	char sip[96];    /* SIP address of record as a normalised party ("sip:user@host"), or "" */
};

enum identity_source {
	ID_SRC_GTPV1,
	ID_SRC_GTPV2,
	ID_SRC_RADIUS,
	ID_SRC_DIAMETER,
	ID_SRC_SIP_REGISTER,
};

struct identity_binding {
	struct ip_addr addr;      /* bits beyond prefix_len are ignored */
	unsigned prefix_len;      /* 32 or 128 (or 0) for one address; e.g. 64 for an IPv6 prefix */
	struct subscriber sub;
	uint64_t start_us;
	uint64_t end_us;          /* 0 while open; may be given at bind as a known expiry (SIP Expires) */
	enum identity_source source;
};

struct identity_map;

/* A map of at most max_bindings (0: 65536) bindings, all allocated now. stats may be NULL. */
struct identity_map *identity_map_new(unsigned max_bindings, struct stats *stats);
void identity_map_free(struct identity_map *m); /* accepts NULL */
/* Bytes identity_map_new(max_bindings) allocates (what it can come to hold; pages are touched as used). */
size_t identity_map_memory(unsigned max_bindings);

/*
 * Opens a binding from b->start_us (copied). An open binding of the same address/prefix
 * in the same layer:
 *   - to the same subscriber (equal IMSI, MSISDN or SIP AoR) is refreshed: empty fields
 *     are filled in, and a given end_us replaces the old one. Interim updates, Modify
 *     Bearer and re-REGISTER can call this freely;
 *   - to another subscriber is closed at b->start_us (the address moved on). In the
 *     registration layer both are kept instead: while registrations of two AoRs hold
 *     one contact address (a phone with two accounts, a PBX), it names nobody.
 * A binding with no subscriber identity, or an unspecified address (0.0.0.0, ::), is ignored.
 */
void identity_bind(struct identity_map *m, const struct identity_binding *b);
/*
 * Closes every open binding of addr at end_us (session ended): the bindings whose stored
 * address is addr, whatever their prefix length (pass the address or prefix that was bound).
 */
void identity_unbind(struct identity_map *m, const struct ip_addr *addr, uint64_t end_us);
/* The same, only for bindings made by `source`. */
void identity_unbind_source(struct identity_map *m, const struct ip_addr *addr,
			    enum identity_source source, uint64_t end_us);
/* The same, only for b->source's bindings of b->addr to the subscriber b->sub (a SIP de-registration). */
void identity_unbind_holder(struct identity_map *m, const struct identity_binding *b, uint64_t end_us);
/*
 * The subscriber behind addr at ts_us; false when nobody is known. The most specific
 * binding wins (host before prefix), the access layer before the registration layer,
 * and among equals the latest start.
 */
bool identity_lookup(const struct identity_map *m, const struct ip_addr *addr, uint64_t ts_us,
		     struct subscriber *out);
/* The same, with the winning binding (its source, address, interval); out->sub is merged as above. */
bool identity_lookup_binding(const struct identity_map *m, const struct ip_addr *addr, uint64_t ts_us,
			     struct identity_binding *out);
/*
 * A SIP registration's 2xx (identity_sip.c): binds the address of record `aor` (a
 * normalised party: "+15551234567", "sip:user@host") to the address in `contact` (a
 * normalised Contact URI: "sip:user@192.0.2.7:5060", "sip:user@[2001:db8::7]:5060") from
 * ts_us for expires_s seconds (-1: not given, RFC 3261 10.2.1.1's default of 3600);
 * expires_s 0 is a de-registration and ends the binding. A contact that is a host name
 * names nothing. The REGISTER's source address is not bound on its own: when it is the
 * contact address it is bound as such, and when it differs it is a proxy (a P-CSCF
 * registers every user it serves) or a NAT (shared by a household), and naming it after
 * one user would name everyone else's traffic after them.
 */
void identity_bind_registration(struct identity_map *m, const char *aor, const char *contact,
				uint64_t ts_us, int64_t expires_s);
/*
 * What changed the map, as one operation another map can apply (identity shared between
 * sensors, docs/scale.md): a binding opened (or refreshed), or the bindings of an address
 * closed at a time (any source's, one source's, or one holder's).
 */
enum identity_op_kind { ID_OP_BIND, ID_OP_UNBIND, ID_OP_UNBIND_SOURCE, ID_OP_UNBIND_HOLDER };
struct identity_op {
	enum identity_op_kind kind;
	struct identity_binding b; /* BIND: the binding; the unbinds: b.addr, b.source, b.sub (holder) */
	uint64_t end_us;           /* the unbinds: when */
};
typedef void (*identity_journal_fn)(void *ud, const struct identity_op *op);
/* Calls fn with every operation the map's own callers make (not those applied with identity_apply). */
void identity_map_set_journal(struct identity_map *m, identity_journal_fn fn, void *ud);
/* Applies an operation learned elsewhere: as if this map's callers had made it, but not journaled. */
void identity_apply(struct identity_map *m, const struct identity_op *op);

/* Fills s's missing MSISDN from its IMSI, or IMSI from its MSISDN, when an access binding
 * named both (sim_links.h); m may be NULL (nothing filled). */
void identity_fill_subscriber(const struct identity_map *m, struct subscriber *s);
/* The party text for a subscriber: the MSISDN when known, else the IMSI, else the SIP AoR; "" when none. */
const char *subscriber_party(const struct subscriber *s);
/* "gtpv1", "gtpv2", "radius", "diameter", "sip-register". */
const char *identity_source_name(enum identity_source s);
/* Bindings held (open and closed), for tests and statistics. */
unsigned identity_map_used(const struct identity_map *m);

#endif
