/*
 * data_session.h — the subscriber data sessions that GTP-C, RADIUS and Diameter open and
 * close: who (MSISDN, IMSI, IMEI, APN) was given which address, from when to when.
 *
 * Two levels, so that one session seen on several interfaces gives one record pair:
 *
 *   handle   the signalling's own name for a session: GTP's control-plane tunnel
 *            endpoints (a key and an alias, one per side), RADIUS's NAS and
 *            Acct-Session-Id, Diameter's Session-Id. A protocol module opens and closes
 *            handles.
 *   session  one subscriber on one address: the handles that name it are counted; the
 *            first handle's open binds the address in the identity map and emits
 *            data.session.begin, the last handle's close unbinds it and emits
 *            data.session.end with the duration. (An S11 and an S5 session of the same
 *            subscriber and address are one session; so are retransmissions.)
 *
 * Both live in pools sized at creation (no allocation per packet). When a pool is full
 * the least recently used entry is forgotten, quietly (no invented end) and counted as
 * ANOM_DATA_SESSION_TABLE_FULL. There is no idle timeout: a data session may be silent
 * for days at the control plane.
 *
 * One table per dissector module instance; not shared between threads.
 */
#ifndef PENTRAP_IDENTITY_DATA_SESSION_H
#define PENTRAP_IDENTITY_DATA_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/setassoc.h"
#include "identity/identity.h"
#include "proto/proto.h"

enum {
	DS_KEY_MAX = 128,        /* longer keys are compared on their hash, length and first bytes */
	DS_ALIAS_MAX = 32,       /* the alias is a short key (a GTP tunnel endpoint) */
	DS_MAX_ADDRS = 2,        /* an IPv4 address and an IPv6 prefix */
	DS_USER_MAX = 64,
	DS_SESSION_ID_MAX = 128,
	DS_MAX_FRAMES = 4,
};

/* Handles (and sessions) per table. A fuzz build may ask for a small one (-D): more
 * evictions exercised, and a table per input that is cheap to make under ASan. */
#ifndef PENTRAP_DS_CAPACITY
#define PENTRAP_DS_CAPACITY 16384
#endif
enum { DS_DEFAULT_CAPACITY = PENTRAP_DS_CAPACITY };

/* What one open (or a close of a session never seen open) says. Borrowed for the call. */
struct ds_open {
	const void *key;             /* the handle's key (required, 1..) */
	size_t key_len;
	const void *alias;           /* a second key naming the same handle, or NULL */
	size_t alias_len;
	const char *protocol;        /* static: "gtpv1", "gtpv2", "radius", "diameter" */
	enum identity_source source;
	struct subscriber sub;       /* "+..." MSISDN, "imsi:..." IMSI, "imei:..." IMEI, APN */
	char user[DS_USER_MAX];      /* the party of last resort (a RADIUS User-Name), or "" */
	struct ip_addr addr[DS_MAX_ADDRS];
	unsigned prefix_len[DS_MAX_ADDRS];
	unsigned naddr;
	char session_id[DS_SESSION_ID_MAX]; /* the record's call_id: Acct-Session-Id, Session-Id, or "" */
	bool announce;               /* emit data.session.begin when the session is new */
	uint64_t start_us;           /* when the address was given (the accepting response) */
	uint64_t frames[DS_MAX_FRAMES];
	unsigned nframes;
};

struct ds_table;

/* A table for `capacity` handles and as many sessions (at least 16; 0: the default). NULL on no memory. */
struct ds_table *ds_table_new(uint32_t capacity, struct stats *stats);
/* Bytes ds_table_new(capacity) allocates (what it can come to hold; the pages are touched as used). */
size_t ds_table_memory(uint32_t capacity);
void ds_table_free(struct ds_table *t); /* accepts NULL */

/*
 * Opens (or refreshes) the handle o->key for the session (party, first address) o
 * describes. A party is the MSISDN, else the IMSI, else o->user; an open with no party
 * or no address does nothing and returns false. A handle that named another session
 * before is moved (the old session quietly forgotten when no handle is left). May bind
 * in ctx->identity (when not NULL) and emit to ctx->events.
 */
bool ds_open(struct ds_table *t, struct parse_ctx *ctx, const struct ds_open *o);

/*
 * Closes the handle key (found as a key or an alias) at the packet's time. When it was
 * its session's last handle: unbinds the addresses and emits data.session.end (duration
 * from the begin, or duration_hint_us when the begin was not seen; -1 when neither).
 * When no handle is known and `unseen` is given, emits the end `unseen` describes (a
 * RADIUS Stop whose Start came before the capture) and unbinds its addresses.
 * The end's evidence is frames[0..nframes) and the packet's own frame. Returns true
 * when an end was emitted.
 */
bool ds_close(struct ds_table *t, struct parse_ctx *ctx, const void *key, size_t key_len,
	      int64_t duration_hint_us, const struct ds_open *unseen, const uint64_t *frames,
	      unsigned nframes);

/*
 * Binds o's addresses in ctx->identity from o->start_us, with no session and no event:
 * a RADIUS Access-Accept gives the address, and accounting may never follow. Only
 * o->sub, o->addr, o->prefix_len, o->naddr, o->source and o->start_us are read.
 */
void ds_bind_only(struct parse_ctx *ctx, const struct ds_open *o);

/* True when key names an open handle (as a key or an alias). */
bool ds_known(const struct ds_table *t, const void *key, size_t key_len);

/* Open handles and sessions (tests, statistics). */
uint32_t ds_handles(const struct ds_table *t);
uint32_t ds_sessions(const struct ds_table *t);

/*
 * A GTP, RADIUS or Diameter module instance: the data sessions it opens and closes, and
 * its requests waiting for their answers (a set-associative table of the protocol's own
 * entries: GTP transactions, Access-Requests, CCR-Initials).
 */
struct ds_module {
	struct stats *stats;
	struct ds_table *sessions;
	struct setassoc pending;
};

/* A module with sizes->data_sessions sessions and sets x ways pending entries of
 * entry_size bytes, stale after timeout_us. NULL on no memory. */
struct ds_module *ds_module_new(struct stats *stats, const struct module_sizes *sizes, uint32_t sets,
				uint32_t ways, size_t entry_size, uint64_t timeout_us);
void ds_module_free(void *module); /* accepts NULL */

/* The party text of a subscriber: MSISDN, else IMSI, else user ("" when none). */
const char *ds_party(const struct subscriber *s, const char *user);

/* The record's contact text for a session's addresses: "10.45.0.2,2001:db8:1::/64". */
void ds_format_addrs(const struct ip_addr *addr, const unsigned *prefix_len, unsigned naddr,
		     char *out, size_t outlen);

#endif
