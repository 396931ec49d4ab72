/* deliver_internal.h — what deliver.c (setup, file output) and deliver_tcp.c (the LEMF) share. */
#ifndef PENTRAP_HANDOVER_DELIVER_INTERNAL_H
#define PENTRAP_HANDOVER_DELIVER_INTERNAL_H

#include <signal.h>

#include "handover/deliver.h"
#include "handover/hi2.h"
#include "handover/hi2_calls.h"
#include "order/order.h"
#include "record/store.h"

enum {
	DELIVER_BATCH = 256,  /* records read from the store at a time */
	DELIVER_WINDOW = 64,  /* IRI sent and not yet answered, at most */
	DELIVER_EXIT_USAGE = 2,
	DELIVER_EXIT_FAILURE = 1,
};

/* One LIID the delivery uses, and the last seq the destination acknowledged under it. */
struct deliver_liid {
	char liid[ORDER_LIID_MAX + 1];
	uint64_t acked;
	uint64_t acked_before; /* acked when this delivery began */
	bool dirty; /* acked moved since it was last kept in the store */
};

/*
 * One chain the delivery reads: an SQLite store's one (genesis ""), or each sensor
 * store's in a central store (docs/handover.md, "From the central store"). Each keeps
 * its own position, communication identities and acknowledged seqs, since seqs and
 * communication identity numbers are per chain.
 */
struct deliver_chain {
	char genesis[HASH_HEX_LEN];  /* "" for an SQLite store */
	char element[32];            /* network-Element-Identifier: the sensor id (central), or "" */
	struct deliver_liid *liids;  /* one per d->nliids, names as d->liids */
	struct hi2_calls *calls;
	uint64_t pos;                /* the last seq read in this session */
	bool loaded;                 /* liids' acknowledged seqs read from the store */
};

struct deliverer {
	const struct deliver_options *opt;
	struct deliver_stats *st;
	struct order order;
	char order_path[1024];
	struct store *store;
	struct hi2_calls *calls;    /* the current chain's */
	struct deliver_liid *liids; /* the current chain's: at most one per target, plus the order's */
	size_t nliids;
	struct deliver_liid *liid_names; /* the LIIDs (names only), copied into each chain */
	struct deliver_chain **chains;
	size_t nchains;
	struct deliver_chain *chain; /* the current one */
	int *target_liid;           /* per target: index into liids, -1 when not delivered */
	char host[256];
	unsigned port;
	struct record *batch;       /* DELIVER_BATCH records */
	size_t nbatch;
	uint64_t last_read;         /* the last seq deliver_fetch looked at */
	uint8_t pdu[HI2_PDU_MAX];
};

/* Set by SIGINT/SIGTERM during a --follow delivery: finish what is in flight and stop. */
extern volatile sig_atomic_t deliver_stop;

/*
 * Reads the order's next records after seq `after` into d->batch (none: the store has no
 * more of them yet): 0, or -1 (errbuf).
 */
int deliver_fetch(struct deliverer *d, uint64_t after, char *errbuf, size_t errlen);
/*
 * Lists the store's chains into d->chains (a central store's new ones appended, so a
 * --follow delivery picks up a sensor that starts later): 0, or -1 (errbuf).
 */
int deliver_list_chains(struct deliverer *d, char *errbuf, size_t errlen);
/*
 * Makes chain k the current one: the store reads it, d->liids and d->calls are its own;
 * its acknowledged seqs are read from the store the first time (not with --again).
 * Nothing may be in flight. 0, or -1 (errbuf).
 */
int deliver_use_chain(struct deliverer *d, size_t k, char *errbuf, size_t errlen);
/* Starts every chain's reading over from its first record (a new session). 0, or -1. */
int deliver_rewind(struct deliverer *d, char *errbuf, size_t errlen);
/* Which LIID a record goes under (index into d->liids), or -1 when it is not delivered (counted). */
int deliver_scope(struct deliverer *d, const struct record *r);
/*
 * Encodes r as IRI into d->pdu under LIID li with communication identity cin (which
 * hi2_calls_cin gave: every record of the order passes the call table, in seq order,
 * delivered or not): 0, or -1 (errbuf).
 */
int deliver_encode(struct deliverer *d, const struct record *r, int li, uint64_t cin, size_t *len, char *errbuf,
		   size_t errlen);
/*
 * Keeps the current chain's LIIDs' acknowledged seqs in the store (named cursors
 * "deliver ORDER LIID DESTINATION", plus " chain GENESIS" in a central store; outside the
 * evidence): 0, or -1 (errbuf) leaving them dirty.
 */
int deliver_keep_state(struct deliverer *d, char *errbuf, size_t errlen);

/* The delivery to d->host:d->port (deliver_tcp.c). Exit status as deliver_run. */
int deliver_tcp(struct deliverer *d, char *errbuf, size_t errlen);

#endif
