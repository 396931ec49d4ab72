/*
 * names.h — which name a client resolved to which address (from DNS answers), kept per
 * client for a bounded time, so that a later flow to that address can be named.
 */
#ifndef PENTRAP_IDENTITY_NAMES_H
#define PENTRAP_IDENTITY_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/stats.h"

struct name_cache;

struct name_cache *name_cache_new(unsigned max_entries, struct stats *stats);
void name_cache_free(struct name_cache *c); /* accepts NULL */

/* Remembers that client resolved name (lower-case, no trailing dot) to addr at ts_us, for ttl_s. */
void name_cache_add(struct name_cache *c, const struct ip_addr *client, const struct ip_addr *addr,
		    const char *name, uint64_t ts_us, uint32_t ttl_s);
/*
 * The name client last resolved to addr, valid at ts_us (client may be NULL for any
 * client). Writes into name (len bytes); false when none.
 */
bool name_cache_lookup(const struct name_cache *c, const struct ip_addr *client,
		       const struct ip_addr *addr, uint64_t ts_us, char *name, size_t len);

#endif
