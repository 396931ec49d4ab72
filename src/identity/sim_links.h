/*
 * sim_links.h — which MSISDN goes with which IMSI, as the network said it.
 *
 * A subscriber's access is not always named the same way: a GTP session gives both the
 * IMSI and the MSISDN, but RADIUS on Wi-Fi or fixed access often gives only an
 * IMSI-based user name, and some Diameter peers only the MSISDN. An order names the
 * phone number; without this, that phone's traffic over the IMSI-only access names
 * nobody the order knows. The pairs are learned from access bindings that carry both
 * (never from what a SIP user agent claims) and fill the missing half of a lookup.
 *
 * Bounded: a fixed table allocated at creation; a pair whose place is taken by others
 * replaces the oldest of them (the pairing of a SIM changes rarely; a lost pair only
 * means an IMSI-only lookup stays IMSI-only). The last pair seen for an IMSI wins.
 */
#ifndef PENTRAP_IDENTITY_SIM_LINKS_H
#define PENTRAP_IDENTITY_SIM_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "identity/identity.h"

struct sim_links;

/* A table of about `capacity` pairs (0: 16384), or NULL when out of memory. */
struct sim_links *sim_links_new(unsigned capacity);
void sim_links_free(struct sim_links *l); /* accepts NULL */
/* Bytes sim_links_new(capacity) allocates. */
size_t sim_links_memory(unsigned capacity);
/* Learns s's IMSI-MSISDN pair when it has both (ts_us: when the network said so). */
void sim_links_learn(struct sim_links *l, const struct subscriber *s, uint64_t ts_us);
/* Fills s's MSISDN from its IMSI, or its IMSI from its MSISDN, when the pair is known. */
void sim_links_fill(const struct sim_links *l, struct subscriber *s);

#endif
