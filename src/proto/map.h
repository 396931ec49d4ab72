/*
 * map.h — GSM MAP (3GPP TS 29.002) as far as an SMS's addressing: which application
 * context a TCAP dialogue runs (§17.3.3), and the arguments of the short-message relay
 * operations (§7.6.8): mo-ForwardSM (46, v3), forwardSM (46, v1/v2) and mt-ForwardSM
 * (44): SM-RP-DA, SM-RP-OA and the TPDU in SM-RP-UI. The TPDU's own addresses are read
 * by sms_tpdu.h; its user data, the text, never is. The SS7 stack below is sigtran.h
 * and tcap.h; the events and the Begin/End correlation are in map_sms.c.
 */
#ifndef PENTRAP_PROTO_MAP_H
#define PENTRAP_PROTO_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "proto/proto.h"
#include "proto/sigtran.h"
#include "proto/tcap.h"

enum map_opcode { /* §17.5 local operation codes */
	MAP_OP_UPDATE_LOCATION = 2,
	MAP_OP_UPDATE_GPRS_LOCATION = 23,
	MAP_OP_MT_FORWARD_SM = 44,
	MAP_OP_SEND_ROUTING_INFO_FOR_SM = 45,
	MAP_OP_MO_FORWARD_SM = 46, /* forwardSM in v1 and v2 */
};

/* The application context of a dialogue, from its name (§17.3.3). */
struct map_ac {
	bool map;        /* a MAP context (0.4.0.0.1.0.<id>.<version>, id below 50) */
	uint8_t id;      /* shortMsgMO-RelayContext 21, shortMsgMT-RelayContext 25 ... */
	uint8_t version; /* 1..4 */
};

/* False for OIDs that are not MAP application contexts (CAMEL's CAP ones among them). */
bool map_ac_from_oid(const uint32_t *arcs, int n, struct map_ac *out);

enum map_rp_choice { /* the [n] tags of SM-RP-DA and SM-RP-OA (§7.6.8.1, §7.6.8.2) */
	MAP_RP_IMSI = 0,
	MAP_RP_LMSI = 1,
	MAP_RP_MSISDN = 2,
	MAP_RP_ROAMING_NUMBER = 3, /* v1 */
	MAP_RP_SERVICE_CENTRE = 4,
	MAP_RP_NONE = 5,
};

struct map_rp_addr {
	bool present;
	uint8_t choice;  /* enum map_rp_choice */
	char text[48];   /* "imsi:…", "+…" / digits for numbers, "" for an LMSI or none */
};

struct map_forward_sm {
	struct map_rp_addr da, oa;
	struct span ui;  /* borrowed: SM-RP-UI, the TPDU (what there is of it when cut) */
	bool ui_cut;
};

/*
 * Reads a forwardSM / mo-ForwardSM / mt-ForwardSM argument: SEQUENCE { sm-RP-DA,
 * sm-RP-OA, sm-RP-UI OCTET STRING, ... }. A parameter the capture cut yields what was
 * read before the cut and TCAP_TRUNCATED; TCAP_OK only when the three are whole.
 */
enum tcap_status map_forward_sm_parse(const struct ber_tlv *param, struct map_forward_sm *out);

/* An AddressString (§17.7.8): nature-of-address octet and TBCD digits → "+…" or digits. */
void map_address_string(const uint8_t *p, size_t len, char *out, size_t outlen);

/* A TBCD IMSI (§17.7.8) → "imsi:…"; false when it is not 5..15 decimal digits. */
bool map_imsi(const uint8_t *p, size_t len, char *out, size_t outlen);

/* --- the dialogue table and events (map_sms.c) --- */

struct map_module;

enum {
	MAP_MAX_PENDING = 4096, /* SMS invokes awaiting their result, per module */
	MAP_PARTY_MAX = 48,
};

/*
 * An SMS invoke with no result after this long is recorded without an outcome: the
 * MAP timer of the short-message relay operations ("ml", §17.6) is at most 10 minutes.
 */
#define MAP_RESPONSE_TIMEOUT_US (600ull * 1000000)

void *map_module_new(struct stats *stats, const struct module_sizes *sizes);
struct map_module *map_module_new_sized(struct stats *stats, uint32_t capacity);
void map_module_free(void *module);
void map_module_tick(void *module, uint64_t now_us, const struct event_sink *events);
void map_module_finish(void *module, const struct event_sink *events);
uint32_t map_module_pending(const struct map_module *mod);

/* Where a TCAP message travelled: its SCCP addresses and, over M3UA/M2UA, the point codes. */
struct map_route {
	const struct sccp_addr *calling, *called;
	bool has_pcs;
	uint32_t opc, dpc;
};

/*
 * One TCAP message (tcap_parse's result st) into the table and events. mod may be NULL
 * (a fuzz driver): then it is only counted. ctx->events receives the sms events.
 */
void map_sms_tcap(struct map_module *mod, struct parse_ctx *ctx, const struct map_route *route,
		  const struct tcap_msg *m, enum tcap_status st);

#endif
