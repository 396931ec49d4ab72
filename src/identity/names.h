/*
 * names.h — which name a client resolved to which address (from DNS answers), kept per
 * client for a bounded time, so that a later flow to that address can be named.
 *
 * The name kept is the one the client asked for (the query name), even when the answer
 * reached the address through CNAMEs: that is what the user or app wanted to reach
 * ("courier.push.apple.com"), while the canonical name is often a CDN's
 * ("e6858.dsce9.akamaiedge.net"). The canonical name (the last CNAME target) is kept too,
 * for whoever wants it (name_cache_lookup_canonical).
 *
 * An entry holds from the answer's capture time for its TTL, never less than
 * NAMES_MIN_TTL_S (an answer with TTL 0 is still used for the connection that follows)
 * and never more than NAMES_MAX_TTL_S. Bounded: a fixed pool allocated at creation; when
 * full the oldest entry is replaced (counted as ANOM_NAME_CACHE_FULL when it was still
 * valid). Not thread-safe: one cache per pipeline.
 */
#ifndef PENTRAP_IDENTITY_NAMES_H
#define PENTRAP_IDENTITY_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/stats.h"

enum {
	NAMES_TEXT_MAX = 256,     /* query name and canonical name together, with their NULs */
	NAMES_MIN_TTL_S = 60,
	NAMES_MAX_TTL_S = 86400,
};

struct name_cache;

/* A cache of at most max_entries (0: 32768) entries, all allocated now. stats may be NULL. */
struct name_cache *name_cache_new(unsigned max_entries, struct stats *stats);
/* Bytes name_cache_new(max_entries) allocates (what it can come to hold; pages are touched as used). */
size_t name_cache_memory(unsigned max_entries);
void name_cache_free(struct name_cache *c); /* accepts NULL */

/* Remembers that client resolved name (lower-case, no trailing dot) to addr at ts_us, for ttl_s. */
void name_cache_add(struct name_cache *c, const struct ip_addr *client, const struct ip_addr *addr,
		    const char *name, uint64_t ts_us, uint32_t ttl_s);
/*
 * The same, with the canonical name the answer's CNAME chain ended at (NULL or "" when
 * there was none). A name longer than fits is not kept (a cut name could match a pattern it
 * should not); a canonical name that does not fit next to the query name is dropped.
 */
void name_cache_add_cname(struct name_cache *c, const struct ip_addr *client, const struct ip_addr *addr,
			  const char *name, const char *canonical, uint64_t ts_us, uint32_t ttl_s);
/*
 * The name client last resolved to addr, valid at ts_us (client may be NULL for any
 * client). Writes into name (len bytes); false when none (or when it does not fit: a cut
 * name is no name).
 */
bool name_cache_lookup(const struct name_cache *c, const struct ip_addr *client,
		       const struct ip_addr *addr, uint64_t ts_us, char *name, size_t len);
/* The canonical name of the same entry; "" when the answer had no CNAME. False when no entry. */
bool name_cache_lookup_canonical(const struct name_cache *c, const struct ip_addr *client,
				 const struct ip_addr *addr, uint64_t ts_us, char *name, size_t len);
/* Entries held (valid or not yet replaced), for tests and statistics. */
unsigned name_cache_count(const struct name_cache *c);

#endif
