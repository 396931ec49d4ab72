/*
 * query.h — `pentrap query --target ID` (docs/records.md, "Query"): the full record of
 * one identifier, in time order, whichever store backend holds it.
 *
 *   - An identity (as an order writes it: 101@host, sip:..., +1 555 567 0268, tel:...,
 *     bare digits, an IMSI): the records whose target, from, to or counterpart is one of
 *     its forms (store_query_forms; the backend's indexed query), and the records whose
 *     evidence names it as the subscriber the identity map found behind a party's
 *     address (from_subscriber / to_subscriber: msisdn, imsi, sip), read from every
 *     record in the time range.
 *   - An IP address or prefix ADDR/LEN: the records where an address inside it is a
 *     party (from, to, a target that is an address or prefix) or in the evidence (the
 *     address the identity map knew a subscriber by, "addr"; the packets' source or
 *     destination), read from every record.
 */
#ifndef PENTRAP_RECORD_QUERY_H
#define PENTRAP_RECORD_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "record/store.h"

/* An address, or a prefix ADDR/LEN: true with *net and *len (32 or 128 for an address). */
bool query_addr_parse(const char *id, struct ip_addr *net, unsigned *len);

/* What store_query does (store.h). */
int query_run(struct store *s, const char *id, uint64_t from_us, uint64_t to_us, store_record_fn cb, void *ud,
	      char *errbuf, size_t errlen);

#endif
