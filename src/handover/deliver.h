/*
 * deliver.h — `pentrap deliver`: an order's records as HI2 IRI (hi2.h), written back to
 * back into a file, or handed over to a LEMF over TCP (or TLS) as ROSE invocations
 * (rose.h), at least once, in order, resuming where the LEMF's acknowledgements stopped
 * (the progress is kept in the store per order, LIID and destination), and with
 * --follow picking up the records a live sensor keeps writing. docs/handover.md.
 */
#ifndef PENTRAP_HANDOVER_DELIVER_H
#define PENTRAP_HANDOVER_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct deliver_options {
	const char *db;          /* the store */
	const char *order;       /* an order id (its file is found through the store's runs), or an order file */
	const char *liid;        /* NULL: the order's LIIDs; else that LIID (see docs/handover.md) */
	const char *out_path;    /* write the IRI into this file ("-": standard output), or NULL */
	const char *to;          /* "HOST:PORT" of the LEMF, or NULL: the order's deliver_to */
	bool follow;             /* keep delivering new records until SIGINT/SIGTERM */
	bool again;              /* deliver from the first record, whatever the LEMF acknowledged */
	const char *operator_id; /* network-Identifier operator-Identifier, 1..5 octets */
	const char *element_id;  /* network-Element-Identifier (dNS-Format), or NULL */
	bool tls;
	const char *tls_ca, *tls_cert, *tls_key;
	unsigned retries;        /* consecutive failed connections before giving up (0: never) */
	unsigned keepalive_s;    /* TCP keep-alive idle time */
	unsigned ack_timeout_s;  /* the longest wait for the LEMF's answer to an IRI */
	unsigned poll_ms;        /* --follow: how often the store is looked at when idle */
};

struct deliver_stats {
	uint64_t delivered;      /* IRI written, or acknowledged by the LEMF */
	uint64_t already;        /* records the LEMF had acknowledged on an earlier delivery */
	uint64_t outside;        /* records the order does not allow (target, window, direction) */
	uint64_t other_liid;     /* records of the order's other LIIDs (--liid) */
	uint64_t connections;    /* connections made */
	uint64_t unacknowledged; /* IRI sent whose answer never came (resent on the next connection) */
	char order_id[64];
	char liids[128];         /* the LIIDs delivered under, comma-separated */
	char destination[300];   /* the file or HOST:PORT */
};

/*
 * Runs one delivery. 0 done; 2 bad input (the order, the LIID, the destination, the
 * store) or 1 runtime failure (the LEMF unreachable, refusing, the store unreadable),
 * with one line in errbuf. What the LEMF acknowledged is kept in the store even then.
 */
int deliver_run(const struct deliver_options *o, struct deliver_stats *st, char *errbuf, size_t errlen);

#endif
