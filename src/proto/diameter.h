/*
 * diameter.h — the Diameter dissector (RFC 6733) for the credit-control interfaces of
 * mobile cores (RFC 4006 Credit-Control, 3GPP TS 29.212 Gx, TS 32.299 Gy/Ro): one message
 * read into a struct diameter_msg of copies, and the module that opens and closes data
 * sessions from CCR/CCA (diameter.c).
 */
#ifndef PENTRAP_PROTO_DIAMETER_H
#define PENTRAP_PROTO_DIAMETER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "proto/proto.h"

extern const struct dissector diameter_dissector;

enum {
	DIAMETER_HEADER_LEN = 20,
	DIAMETER_MAX_LEN = 262144,    /* a longer message is malformed (the stream cannot be followed) */
	DIAMETER_MAX_AVPS = 1024,     /* AVPs read per message, all levels */
	DIAMETER_MAX_DEPTH = 4,       /* Grouped AVPs nested deeper: malformed */
	DIAMETER_MAX_MSGS = 256,      /* messages handled per parse call */
	DIAMETER_TEXT_MAX = 128,
	DIAMETER_CMD_CC = 272,        /* Credit-Control (RFC 4006 §3) */
	DIAMETER_SUCCESS = 2001,
	DIAMETER_SCTP_PPID = 46,      /* RFC 6733 §2.1 (IANA SCTP payload protocol id) */
};

enum diameter_cc_type { /* CC-Request-Type (RFC 4006 §8.3) */
	DIAMETER_CC_INITIAL = 1,
	DIAMETER_CC_UPDATE = 2,
	DIAMETER_CC_TERMINATION = 3,
	DIAMETER_CC_EVENT = 4,
};

struct diameter_msg {
	uint8_t flags;               /* R 0x80, P 0x40, E 0x20, T 0x10 */
	uint32_t length, command, app_id, hop_by_hop, end_to_end;
	unsigned navps;
	char session_id[DIAMETER_TEXT_MAX];  /* cleaned copy, cut */
	size_t session_id_len;                /* its full length */
	uint8_t session_key[DIAMETER_TEXT_MAX]; /* its first bytes, raw, for the session key */
	uint32_t result_code;        /* 0 when absent */
	uint32_t cc_type;            /* 0 when absent */
	char msisdn[17];             /* Subscription-Id E.164 digits */
	char imsi[17];               /* Subscription-Id IMSI digits */
	char imei[17];               /* User-Equipment-Info IMEISV digits */
	char called[64];             /* Called-Station-Id (the APN) */
	struct ip_addr framed_ip;    /* Framed-IP-Address */
	struct ip_addr framed_v6;    /* Framed-IPv6-Prefix */
	uint8_t framed_v6_len;
};

enum diameter_result {
	DIAMETER_OK,
	DIAMETER_INCOMPLETE,  /* fewer bytes than the header's length: wait for more */
	DIAMETER_MALFORMED,
};

/*
 * Reads the message at the start of p[0..len). On OK, m->length is its size. Reads
 * nothing outside p[0..len).
 */
enum diameter_result diameter_parse(const uint8_t *p, size_t len, struct diameter_msg *m);

void *diameter_module_new(struct stats *stats, const struct module_sizes *sizes); /* ds_module_free frees it */

#endif
