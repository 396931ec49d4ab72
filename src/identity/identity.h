/*
 * identity.h — who is behind an address, over time.
 *
 * Mobile data sessions (GTP-C), RADIUS and Diameter accounting, and SIP registrations
 * bind an address (or an IPv6 prefix) to a subscriber for an interval. Lookups use the
 * event's capture time, so an address reused by another subscriber later never names
 * the wrong person. Bounded: a fixed number of bindings, allocated at creation; when
 * full the oldest closed binding is reused, else the new one is dropped and counted.
 */
#ifndef PENTRAP_IDENTITY_IDENTITY_H
#define PENTRAP_IDENTITY_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/stats.h"

struct subscriber {
	char msisdn[24]; /* "+15551234567" or "" */
	char imsi[24];   /* "imsi:310150123456789" or "" */
	char imei[24];   /* "imei:..." or "" */
	char apn[64];    /* access point / called station, or "" */
};

enum identity_source {
	ID_SRC_GTPV1,
	ID_SRC_GTPV2,
	ID_SRC_RADIUS,
	ID_SRC_DIAMETER,
	ID_SRC_SIP_REGISTER,
};

struct identity_binding {
	struct ip_addr addr;
	unsigned prefix_len;      /* 32 or 128 for one address; e.g. 64 for an IPv6 prefix */
	struct subscriber sub;
	uint64_t start_us;
	uint64_t end_us;          /* 0 while open */
	enum identity_source source;
};

struct identity_map;

struct identity_map *identity_map_new(unsigned max_bindings, struct stats *stats);
void identity_map_free(struct identity_map *m); /* accepts NULL */

/*
 * Opens a binding from b->start_us. An open binding of the same address to another
 * subscriber is closed at that time (the address moved on).
 */
void identity_bind(struct identity_map *m, const struct identity_binding *b);
/* Closes the open binding of addr at end_us (session ended). */
void identity_unbind(struct identity_map *m, const struct ip_addr *addr, uint64_t end_us);
/* The subscriber behind addr at ts_us; false when nobody is known. */
bool identity_lookup(const struct identity_map *m, const struct ip_addr *addr, uint64_t ts_us,
		     struct subscriber *out);
/* The party text for a subscriber: the MSISDN when known, else the IMSI. */
const char *subscriber_party(const struct subscriber *s);

#endif
