/*
 * sctp.h — the SCTP layer (RFC 9260): the chunks of every SCTP packet, their DATA
 * (and I-DATA, RFC 8260) user messages, fragments put back together, and each whole
 * user message handed to the user dissector that takes its payload protocol id
 * (proto.h: struct dissector sctp_ppid). It is a registry entry of its own, taking every
 * SCTP flow (transports T_SCTP), so the pipeline keeps its per-flow state; its module is
 * a layer, made with the user dissectors and their modules (proto.h layer_new).
 */
#ifndef PENTRAP_PROTO_SCTP_H
#define PENTRAP_PROTO_SCTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"
#include "core/stats.h"
#include "proto/proto.h"

extern const struct dissector sctp_dissector;

enum {
	SCTP_MAX_CHUNKS = 128,    /* chunks read per packet; more are counted and skipped */
	SCTP_REASM_MAX = 16384,   /* the longest user message put back together from fragments */
	SCTP_REASM_SLOTS = 64,    /* user messages under reassembly at once, per pipeline */
	SCTP_MAX_PPID_ROUTES = 16, /* PPIDs the users take, at most */
	SCTP_MAX_USERS = 8,        /* dissectors that take user messages, at most */
	SCTP_PPID_M2UA = 2,
	SCTP_PPID_M3UA = 3,
	SCTP_PPID_SUA = 4,
	SCTP_PPID_DIAMETER = 46,
};

/* A whole user message: unfragmented, or put back together (borrowed bytes). */
struct sctp_user_msg {
	uint32_t ppid;
	uint16_t stream;
	struct span data;
	bool cut;        /* the capture cut it: data is its beginning */
	bool reassembled;
};

/* One direction of an association: the TSNs seen lately and the reassembly in progress. */
struct sctp_dir_state {
	bool tsn_known;
	uint32_t high_tsn; /* the highest TSN seen */
	uint64_t seen;     /* bit i: TSN high_tsn - i was seen (duplicates are skipped) */
	uint16_t slot;     /* reassembly slot + 1, 0 for none */
	uint32_t slot_gen; /* the slot's generation when taken: a slot taken back is noticed */
};

struct sctp_flow_state {
	struct sctp_dir_state dir[2];
};

struct sctp_module;

/*
 * The layer's module: reassembly slots, and a route for each PPID the users (dissectors
 * with sctp_ppid, and their modules; borrowed for the module's life) take. users may
 * be any list of dissectors: those without sctp_ppid are passed over. NULL: no memory.
 */
void *sctp_layer_new(struct stats *stats, const struct proto_user *users, size_t nusers);
void sctp_module_free(void *module);

typedef void (*sctp_deliver_fn)(void *ud, const struct sctp_user_msg *m);

/*
 * Walks the chunks of one packet (p: after the 12-byte common header; cut: the capture
 * cut the packet) and calls deliver for every whole user message, in chunk order. ds
 * (may be NULL: no duplicate detection, no reassembly) is the sending direction's
 * state; now_us ages the reassembly slots. Anomalies are counted in the module's stats.
 */
void sctp_chunks(struct sctp_module *mod, struct sctp_dir_state *ds, const uint8_t *p, size_t len, bool cut,
		 uint64_t now_us, sctp_deliver_fn deliver, void *ud);

#endif
