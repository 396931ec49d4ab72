/*
 * sigtran.c — the SS7 stack over SCTP as one registry entry, "map": the user messages
 * of SCTP payload protocols M2UA (2, RFC 3331), M3UA (3, RFC 4666) and SUA (4, RFC 3868)
 * go down through the adaptation layer to SCCP (Q.713) and TCAP (Q.773), and up to
 * MAP's SMS events (map_sms.c). One module, shared by the three, holds the MAP dialogue
 * table: an SMS invoke and its answer correlate whichever adaptation layer each took.
 *
 * The three adaptation layers share one header (version 1, reserved, class, type,
 * length) and their classes do not clash where data is carried: M3UA Transfer is 1,
 * M2UA MAUP 6, SUA connectionless 7, so a message is told by its class. Management
 * classes (0, 2, 3, 4, 9) and SUA connection-oriented (8) carry no TCAP and are passed
 * over. Several messages in one user message are walked, at most SIGTRAN_MAX_MESSAGES.
 *
 * Counted: messages cut by the capture or malformed at each layer, SCCP segments (not
 * reassembled), SCCP messages returned undelivered (their TCAP is the original's, not
 * a new message: not read). SCCP management (SSN 1) carries no TCAP.
 */
#include "proto/sigtran.h"

#include <string.h>

#include "proto/map.h"
#include "proto/sctp.h"

enum {
	SIGTRAN_MAX_MESSAGES = 16,
	CLASS_M3UA_TRANSFER = 1,
	CLASS_M2UA_MAUP = 6,
	CLASS_SUA_CL = 7,
	SSN_SCCP_MANAGEMENT = 1,
	UA_HEADER = 8,
};

static void count(struct parse_ctx *ctx, enum sig_status st)
{
	if (st == SIG_TRUNCATED)
		stats_anomaly(ctx->stats, ANOM_SIGTRAN_TRUNCATED);
	else if (st == SIG_MALFORMED)
		stats_anomaly(ctx->stats, ANOM_SIGTRAN_MALFORMED);
}

/* An SCCP (or SUA) unitdata: its TCAP to MAP. */
static void unitdata(struct parse_ctx *ctx, const struct sccp_unitdata *ud, const struct m3ua_data *mtp)
{
	if (ud->service) {
		if (ctx->stats)
			ctx->stats->sccp_returned++;
		return;
	}
	if (ud->segmented) {
		stats_anomaly(ctx->stats, ANOM_SCCP_SEGMENT_SKIPPED);
		return;
	}
	if (ud->called.has_ssn && ud->called.ssn == SSN_SCCP_MANAGEMENT)
		return;
	struct tcap_msg m;
	enum tcap_status st = tcap_parse(ud->data.ptr, ud->data.len, ud->data_cut, &m);
	struct map_route route = { &ud->calling, &ud->called, mtp != NULL, mtp ? mtp->opc : 0, mtp ? mtp->dpc : 0 };
	map_sms_tcap(ctx->module, ctx, &route, &m, st);
}

/* M3UA or M2UA DATA: SCCP when the service indicator says so. */
static void mtp_data(struct parse_ctx *ctx, const struct m3ua_data *d)
{
	if (d->si != M3UA_SI_SCCP)
		return; /* ISUP and other MTP3 users */
	struct sccp_unitdata ud;
	enum sig_status st = sccp_parse(d->data.ptr, d->data.len, d->data_cut, &ud);
	if (st == SIG_OK)
		unitdata(ctx, &ud, d);
	else
		count(ctx, st);
}

/* One adaptation-layer message at p; its declared length in *msg_len (0 when unknown). */
static void one_message(struct parse_ctx *ctx, const uint8_t *p, size_t len, bool cut, size_t *msg_len)
{
	struct cursor c = cur_make(p, len);
	cur_skip(&c, 2);
	uint8_t cls = cur_u8(&c);
	*msg_len = 0;
	enum sig_status st;
	if (cls == CLASS_M3UA_TRANSFER || cls == CLASS_M2UA_MAUP) {
		struct m3ua_data d;
		st = cls == CLASS_M3UA_TRANSFER ? m3ua_parse(p, len, cut, &d, msg_len) : m2ua_parse(p, len, cut, &d, msg_len);
		if (st == SIG_OK)
			mtp_data(ctx, &d);
	} else if (cls == CLASS_SUA_CL) {
		struct sccp_unitdata ud;
		st = sua_parse(p, len, cut, &ud, msg_len);
		if (st == SIG_OK)
			unitdata(ctx, &ud, NULL);
	} else {
		uint8_t type;
		struct cursor params;
		bool params_cut;
		st = sigtran_ua_header(p, len, cut, &cls, &type, &params, &params_cut, msg_len);
		if (st == SIG_OK)
			st = SIG_OTHER;
	}
	count(ctx, st);
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	*consumed = len;
	bool cut = ctx->pkt && ctx->pkt->payload_truncated;
	struct cursor c = cur_make(p, len);
	for (int i = 0; i < SIGTRAN_MAX_MESSAGES && cur_remaining(&c) > 0; i++) {
		struct cursor peek = c;
		struct span rest = cur_rest(&peek);
		size_t msg_len;
		one_message(ctx, rest.ptr, rest.len, cut, &msg_len);
		if (msg_len < UA_HEADER || msg_len >= rest.len)
			break; /* the last one, or one that could not be framed */
		cur_skip(&c, msg_len);
	}
	return PARSE_OK;
}

/*
 * For SCTP user messages with PPID 0 (unspecified): a UA common header whose version
 * is 1, reserved octet 0, class one of the three layers' and length exactly the message.
 */
static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	struct cursor c = cur_make(p, len);
	uint8_t version = cur_u8(&c);
	uint8_t reserved = cur_u8(&c);
	uint8_t cls = cur_u8(&c);
	cur_skip(&c, 1);
	uint32_t mlen = cur_be32(&c);
	if (!cur_ok(&c) || version != 1 || reserved != 0)
		return false;
	bool known = cls <= 4 || (cls >= 6 && cls <= 9);
	bool cut = pkt && pkt->payload_truncated;
	return known && (mlen == len || (cut && mlen > len));
}

const struct dissector sigtran_dissector = {
	.name = "map",
	.transports = 0, /* reached through the SCTP layer only */
	.recognise = recognise,
	.parse = parse,
	.state_size = 0,
	.module_new = map_module_new,
	.module_free = map_module_free,
	.module_tick = map_module_tick,
	.module_finish = map_module_finish,
	.sctp_ppid = { SCTP_PPID_M2UA, SCTP_PPID_M3UA, SCTP_PPID_SUA, 0 },
};
