/*
 * rtp.c — recognising RTP, RTCP and SRTP media (RFC 3550 sections 5.1 and 6.4, RFC
 * 3711 section 3.1: SRTP keeps the RTP header in clear) on UDP flows that carry no
 * signalling pentrap reads, such as the peer-to-peer media of an app's call.
 *
 *   RTP   V=2(2) P X CC(4) | M PT(7) | sequence(16) | timestamp(32) | SSRC(32) | CSRCs
 *   RTCP  V=2(2) P RC(5)   | PT 200..207           | length(16, 32-bit words - 1) | ...
 *
 * One packet proves little (a quarter of random bytes start with version 2), so the
 * decision takes several: the flow is media once MEDIA_CONFIRM packets of one
 * direction carry the same SSRC with sequence numbers that step forward by a little
 * (a copy of the last packet, as two mirrors of one link deliver, is passed over),
 * or two RTCP packets whose length fields fit the datagram. Until then nothing is
 * reported; after RTP_PROBE_MAX packets without that, the flow is left alone. STUN
 * messages on the same port (ICE, RFC 7983) are read like the STUN dissector's.
 * Recognition asks both ports to be unprivileged (RFC 3550 section 11 ports are
 * dynamic), which keeps DNS, NTP and the like out.
 */
#include <string.h>

#include "core/cursor.h"
#include "detect/facts.h"
#include "proto/rtp.h"
#include "proto/stun.h"

enum {
	MEDIA_CONFIRM = 3,    /* consistent RTP packets in one direction */
	RTCP_CONFIRM = 2,
	RTP_PROBE_MAX = 16,   /* packets looked at before giving up */
	SEQ_STEP_MAX = 100,   /* forward step of the sequence number still "in order" */
	PT_RTCP_FIRST = 200,
	PT_RTCP_LAST = 207,
};

struct rtp_dir {
	uint32_t ssrc;
	uint16_t seq;
	uint8_t run;          /* consecutive consistent packets */
	bool have;
};

struct rtp_state {
	struct rtp_dir dir[2];
	uint8_t rtcp;
	uint8_t looked;
	bool confirmed, given_up;
	struct stun_facts stun;
};

bool rtp_header_ok(const uint8_t *p, size_t len, bool *is_rtcp)
{
	struct cursor c = cur_make(p, len);
	uint8_t b0 = cur_u8(&c), b1 = cur_u8(&c);
	uint16_t words = cur_be16(&c);
	if (!cur_ok(&c) || (b0 >> 6) != 2)
		return false;
	if (b1 >= PT_RTCP_FIRST && b1 <= PT_RTCP_LAST) {
		*is_rtcp = true;
		return ((size_t)words + 1) * 4 <= len;
	}
	*is_rtcp = false;
	unsigned pt = b1 & 0x7f, cc = b0 & 0x0f;
	if (pt >= 72 && pt <= 76) /* RFC 5761 section 4: would be RTCP */
		return false;
	return len >= 12 + 4 * (size_t)cc;
}

static void report(struct parse_ctx *ctx, struct rtp_state *st)
{
	struct flow_facts f = { .protocol = "rtp", .media = st->confirmed };
	if (st->stun.messages)
		f.stun = &st->stun;
	proto_facts(ctx, &f);
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	struct rtp_state *st = ctx->state;
	*consumed = len;
	/* Decided (media, or left alone): nothing more can come of this flow's packets, so
	 * the pipeline stops handing them over (PARSE_DONE): a call's thousands of media
	 * packets no longer each fetch this state from memory. */
	if (!st || st->confirmed || st->given_up)
		return PARSE_DONE;
	if (len == 0)
		return PARSE_OK;
	if (media_demux(p[0]) == MEDIA_STUN) {
		bool changed = false;
		enum stun_result r = stun_parse(p, len, &st->stun, NULL, &changed);
		stun_note_request(&st->stun, p, len, ctx->dir, &changed);
		if (r == STUN_MALFORMED)
			stats_anomaly(ctx->stats, ANOM_STUN_MALFORMED);
		if (changed)
			report(ctx, st);
		return PARSE_OK;
	}
	bool is_rtcp = false;
	if (++st->looked > RTP_PROBE_MAX) {
		st->given_up = true;
		return PARSE_OK;
	}
	if (!rtp_header_ok(p, len, &is_rtcp))
		return PARSE_OK;
	if (is_rtcp) {
		if (++st->rtcp >= RTCP_CONFIRM)
			st->confirmed = true;
	} else {
		struct cursor c = cur_make(p, len);
		cur_skip(&c, 2);
		uint16_t seq = cur_be16(&c);
		cur_skip(&c, 4);
		uint32_t ssrc = cur_be32(&c);
		struct rtp_dir *d = &st->dir[ctx->dir & 1];
		if (d->have && d->ssrc == ssrc && seq == d->seq)
			return PARSE_OK; /* the same packet again (a tap's or two mirrors' copy): no news */
		uint16_t step = (uint16_t)(seq - d->seq);
		if (d->have && d->ssrc == ssrc && step >= 1 && step <= SEQ_STEP_MAX)
			d->run++;
		else
			d->run = 1;
		d->have = true;
		d->ssrc = ssrc;
		d->seq = seq;
		if (d->run >= MEDIA_CONFIRM)
			st->confirmed = true;
	}
	if (st->confirmed)
		report(ctx, st);
	return PARSE_OK;
}

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	bool is_rtcp;
	if (pkt && (pkt->sport < 1024 || pkt->dport < 1024))
		return false;
	return rtp_header_ok(p, len, &is_rtcp);
}

const struct dissector rtp_dissector = {
	.name = "rtp",
	.transports = T_UDP,
	.recognise = recognise,
	.parse = parse,
	.state_size = sizeof(struct rtp_state),
};
