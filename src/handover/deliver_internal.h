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

struct deliverer {
	const struct deliver_options *opt;
	struct deliver_stats *st;
	struct order order;
	char order_path[1024];
	struct store *store;
	struct hi2_calls *calls;
	struct deliver_liid *liids; /* at most one per target, plus the order's */
	size_t nliids;
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
/* What the destination acknowledged under liid (a store cursor, store.h): 0, or -1. */
int deliver_state_get(struct deliverer *d, const char *liid, uint64_t *seq, char *errbuf, size_t errlen);
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
 * Keeps the LIIDs' acknowledged seqs in the store (named cursors "deliver ORDER LIID
 * DESTINATION", outside the evidence): 0, or -1 (errbuf) leaving them dirty.
 */
int deliver_keep_state(struct deliverer *d, char *errbuf, size_t errlen);

/* The delivery to d->host:d->port (deliver_tcp.c). Exit status as deliver_run. */
int deliver_tcp(struct deliverer *d, char *errbuf, size_t errlen);

#endif
