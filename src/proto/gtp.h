/*
 * gtp.h — the GTP control plane dissector (GTPv0 GSM 09.60, GTPv1-C 3GPP TS 29.060,
 * GTPv2-C TS 29.274) and its parts: one message parsed into a version-neutral
 * struct gtp_msg (gtpv1c.c for v0 and v1, gtpv2c.c for v2, with the shared IE codecs of
 * gtp_ie.c), and the module that pairs requests with responses and opens and closes
 * data sessions (gtp.c).
 *
 * Memory: a struct gtp_msg holds copies (digits, APN text, addresses), never pointers
 * into the packet.
 */
#ifndef PENTRAP_PROTO_GTP_H
#define PENTRAP_PROTO_GTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/cursor.h"
#include "proto/proto.h"

extern const struct dissector gtp_dissector;

enum {
	GTPC_PORT = 2123,
	GTP_V0_PORT = 3386,       /* GTPv0 and GTP' (charging) share it; PT tells them apart */
	GTP_MAX_IES = 256,        /* information elements read per message (more: malformed) */
	GTP_MAX_GROUP_DEPTH = 3,  /* GTPv2 grouped IEs nested deeper: malformed */
	GTP_MAX_EXT_HEADERS = 8,  /* GTPv1 extension headers */
	GTP_MAX_MSGS = 4,         /* GTPv2 piggybacked messages per datagram */
	GTP_DIGITS_MAX = 16,      /* IMSI 15, MSISDN 15, IMEISV 16 */
	GTP_APN_MAX = 64,
};

/* What a message does, whatever the version. */
enum gtp_kind {
	GTP_K_OTHER,
	GTP_K_ECHO,
	GTP_K_CREATE_REQ,   /* Create PDP Context / Create Session Request */
	GTP_K_CREATE_RESP,
	GTP_K_UPDATE_REQ,   /* Update PDP Context / Modify Bearer Request */
	GTP_K_UPDATE_RESP,
	GTP_K_DELETE_REQ,   /* Delete PDP Context / Delete Session Request */
	GTP_K_DELETE_RESP,
	GTP_K_BEARER_REQ,   /* GTPv2 Create Bearer Request */
	GTP_K_BEARER_RESP,
};

/* A tunnel endpoint: TEID and the node's address (GSN Address / F-TEID). */
struct gtp_endpoint {
	bool present;
	uint32_t teid;
	struct ip_addr addr; /* family 0 when the message gave none */
};

/* User Location Information, the first location the IE gives (CGI/SAI/RAI, TAI, ECGI). */
struct gtp_uli {
	bool present;
	char mcc[4], mnc[4];
	uint32_t area;  /* LAC or TAC */
	uint32_t cell;  /* CI, SAC, RAC or ECI */
};

struct gtp_msg {
	uint8_t version;          /* 0, 1 or 2 */
	uint8_t type;             /* the message type as sent */
	enum gtp_kind kind;
	bool has_teid;
	uint32_t teid;            /* header TEID (v1; v2 when T=1) */
	uint32_t seq;             /* 16 bits (v0, v1) or 24 bits (v2) */
	uint8_t tid[8];           /* v0 tunnel id: IMSI and NSAPI in TBCD */
	size_t length;            /* the whole message in bytes (header included) */
	bool piggyback;           /* v2: another message follows this one */

	bool has_cause;
	uint8_t cause;
	char imsi[GTP_DIGITS_MAX + 1];   /* digits only, "" when absent */
	char msisdn[GTP_DIGITS_MAX + 1];
	char imei[GTP_DIGITS_MAX + 1];
	char apn[GTP_APN_MAX];    /* dotted, lower-case */
	bool has_rat;
	uint8_t rat;
	struct gtp_uli uli;
	struct ip_addr ue_v4;     /* End User Address / PAA (family 0 when none, or 0.0.0.0) */
	struct ip_addr ue_v6;
	uint8_t ue_v6_prefix;     /* PAA prefix length; 64 for a GTPv1 IPv6 EUA */
	struct gtp_endpoint ctrl; /* the sender's control plane endpoint */
	struct gtp_endpoint data; /* the sender's first user plane endpoint */
	bool has_ebi;
	uint8_t ebi;              /* v1 NSAPI; v2 EBI (a Delete's LBI, a Create's bearer) */
	unsigned nies;
};

enum gtp_result {
	GTP_OK,
	GTP_NOT_GTPC,   /* not a control message of a version we read */
	GTP_TRUNCATED,  /* cut by the capture */
	GTP_MALFORMED,
};

/*
 * Parses the GTP-C message at the start of p[0..len). On OK, m->length is its size.
 * `cut` says the capture cut the datagram (so a short message is truncated, not a lie).
 * Reads nothing outside p[0..len). v0 and v1 (gtpv1c.c), v2 (gtpv2c.c).
 */
enum gtp_result gtpv1c_parse(const uint8_t *p, size_t len, bool cut, struct gtp_msg *m);
enum gtp_result gtpv2c_parse(const uint8_t *p, size_t len, bool cut, struct gtp_msg *m);
/* Dispatches on the version bits. */
enum gtp_result gtp_msg_parse(const uint8_t *p, size_t len, bool cut, struct gtp_msg *m);

/* True when p[0..len) has the header of a GTP-C message we read (cheap, bounded). */
bool gtpv1c_header_ok(const uint8_t *p, size_t len, uint16_t sport, uint16_t dport);
bool gtpv2c_header_ok(const uint8_t *p, size_t len, uint16_t sport, uint16_t dport);

/* --- shared IE codecs (gtp_ie.c) --- */

/*
 * TBCD digits (3GPP TS 29.002 TBCD-STRING: low nibble first, 0xF filler at the end) into
 * out (cap bytes, NUL-terminated). False (and out "") when a nibble is not a digit
 * before the filler, or the digits do not fit.
 */
bool gtp_tbcd(struct span s, char *out, size_t cap);
/* An APN (TS 23.003 9.1: length-prefixed labels) as dotted lower-case text; false when broken. */
bool gtp_apn(struct span s, char *out, size_t cap);
/* MCC and MNC from the 3 octets of a PLMN identity (TS 24.008 10.5.1.3). */
void gtp_plmn(struct span s, char mcc[4], char mnc[4]);
/* True when the cause accepts the request: v0/v1 128..191, v2 16..63. */
bool gtp_cause_accepted(uint8_t version, uint8_t cause);

/* --- the module (gtp.c) --- */

void *gtp_module_new(struct stats *stats, const struct module_sizes *sizes); /* ds_module_free frees it */
/* Handles one parsed message: pairs it, opens or closes sessions (emits to ctx->events). */
void gtp_module_handle(void *module, struct parse_ctx *ctx, const struct gtp_msg *m);

#endif
