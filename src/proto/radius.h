/*
 * radius.h — the RADIUS dissector (RFC 2865 authentication, RFC 2866 accounting, RFC
 * 3162 IPv6, 3GPP TS 29.061 §16 vendor attributes): one packet read into a struct
 * radius_msg of copies, and the module that binds addresses and opens and closes data
 * sessions (radius.c).
 */
#ifndef PENTRAP_PROTO_RADIUS_H
#define PENTRAP_PROTO_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "proto/proto.h"

extern const struct dissector radius_dissector;

enum {
	RADIUS_HEADER_LEN = 20,
	RADIUS_MAX_LEN = 4096,   /* RFC 2865 §3: a longer Length is malformed */
	RADIUS_MAX_ATTRS = 256,  /* attributes read per packet (4096 / 2 cannot hold more of use) */
	RADIUS_TEXT_MAX = 64,    /* copies of User-Name, station ids: longer values are cut */
	RADIUS_SESSION_ID_MAX = 128,
};

enum radius_code {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCOUNTING_REQUEST = 4,
	RADIUS_ACCOUNTING_RESPONSE = 5,
	RADIUS_ACCESS_CHALLENGE = 11,
	RADIUS_STATUS_SERVER = 12,
	RADIUS_STATUS_CLIENT = 13,
};

enum radius_status { /* Acct-Status-Type (RFC 2866 §5.1) */
	RADIUS_ACCT_START = 1,
	RADIUS_ACCT_STOP = 2,
	RADIUS_ACCT_INTERIM = 3,
};

struct radius_msg {
	uint8_t code, identifier;
	uint16_t length;
	unsigned nattrs;
	char user_name[RADIUS_TEXT_MAX];     /* "" when absent; cut and cleaned of control bytes */
	char calling[RADIUS_TEXT_MAX];       /* Calling-Station-Id */
	char called[RADIUS_TEXT_MAX];        /* Called-Station-Id (APN, or MAC:SSID) */
	char imsi[16];                       /* 3GPP-IMSI (vendor 10415, type 1), digits */
	char session_id[RADIUS_SESSION_ID_MAX]; /* Acct-Session-Id */
	size_t session_id_len;               /* its full length (the copy may be cut) */
	uint8_t session_id_raw[253];         /* its bytes, for the session key */
	uint32_t status;                     /* Acct-Status-Type, 0 when absent */
	bool has_session_time;
	uint32_t session_time;               /* Acct-Session-Time, seconds */
	struct ip_addr framed_ip;            /* Framed-IP-Address (family 0 when absent) */
	struct ip_addr framed_v6;            /* Framed-IPv6-Prefix or Framed-IPv6-Address */
	uint8_t framed_v6_len;               /* its prefix length */
	struct ip_addr nas_ip;               /* NAS-IP-Address / NAS-IPv6-Address */
};

enum radius_result {
	RADIUS_OK,
	RADIUS_TRUNCATED, /* the capture cut the packet */
	RADIUS_MALFORMED, /* a length that lies: an attribute shorter than 2 or past the end */
	RADIUS_NOT_RADIUS,
};

/* Reads one packet from p[0..len); cut: the capture cut the datagram. Reads nothing outside. */
enum radius_result radius_parse(const uint8_t *p, size_t len, bool cut, struct radius_msg *m);

/*
 * The subscriber named by a packet's attributes: 3GPP-IMSI, or the IMSI of an
 * IMSI-based NAI User-Name ("0<IMSI>@wlan.mnc<MNC>.mcc<MCC>.3gppnetwork.org", TS 23.003
 * §14.3); the MSISDN of a numeric Calling-Station-Id ("+" only when it says so: a
 * leading "+" or "00"); the Called-Station-Id as the access point. Fills imsi, msisdn,
 * apn in the "imsi:...", "+..." forms of identity.h (a bare number stays bare digits).
 */
void radius_subscriber(const struct radius_msg *m, char imsi[24], char msisdn[24], char apn[64]);

void *radius_module_new(struct stats *stats, const struct module_sizes *sizes); /* ds_module_free frees it */

#endif
