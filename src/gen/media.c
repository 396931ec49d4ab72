/*
 * media.c — the media of over-the-top calls, as each party's flow to its relay shows
 * it: RTP-shaped UDP both ways (RFC 3550 header; the payload stands for SRTP
 * ciphertext). Shapes, from the captures that nDPI ships:
 *   WhatsApp (stun_wa_call.pcapng, wa_voice.pcap): media to the relay's port 3478 with
 *     RTP V=2, X=1, PT 120 (first bytes 0x90 0x78), 60-160 byte datagrams, one every
 *     20 ms each way, and STUN-like keepalives of type 0x0801/0x0802 (20 bytes) about
 *     once a second.
 *   FaceTime (no public capture; Apple's published port list, support.apple.com
 *     HT202944): UDP 16393-16402 on the phone to relay ports 3478-3497, audio+video:
 *     one datagram every 30 ms each way, 200-1100 bytes.
 *   An app no signature knows (gen/rtc.c, mix "apps"): Opus-sized SRTP (RFC 3550/3711
 *     header in clear, PT 111, 60-160 bytes) every 20 ms each way, on the peer-to-peer
 *     flow ICE opened (MEDIA_ICE) or in TURN ChannelData (RFC 8656 §12: channel
 *     0x4001, length) through a relay (MEDIA_TURN); or, through the app's own relay
 *     (MEDIA_RELAY), its own framing (a 0x5a type byte, sequence, stream id) of 70-180
 *     bytes every 20 ms each way.
 * Truth: ott.call.begin on a leg's first media packet, ott.call.end on its last.
 */
#include <stdlib.h>

#include "gen/gen_internal.h"

enum { CHUNK_US = 2000000 };

static void leg_truth(struct gen_ctx *g, const struct media_call *m, int leg, const char *type, int64_t dur_us)
{
	char dur[48] = "";
	if (dur_us >= 0)
		snprintf(dur, sizeof dur, ",\"duration_s\":%.3f", (double)dur_us / 1e6);
	const char *service = m->kind == MEDIA_WHATSAPP ? "whatsapp" : m->kind == MEDIA_FACETIME ? "facetime" : "unknown";
	gen_truth(g, "\"type\":\"%s\",\"protocol\":\"%s\",\"service\":\"%s\",\"from\":\"+%s\",\"to\":\"+%s\","
		     "\"leg\":\"%s\",\"subscriber\":\"+%s\"%s",
		  type, m->kind == MEDIA_WHATSAPP ? "stun" : "udp", service, g->subs[m->sub[0]].msisdn,
		  g->subs[m->sub[1]].msisdn, leg ? "callee" : "caller", g->subs[m->sub[leg]].msisdn, dur);
}

/* An unknown app's datagram (gen/rtc.c): SRTP, SRTP in ChannelData, or its own framing. */
static void unknown_packet(struct gen_ctx *g, struct media_call *m, int leg, int dir, uint64_t t)
{
	uint8_t p[256];
	struct wbuf b = wb_make(p, sizeof p);
	if (m->kind == MEDIA_RELAY) {
		size_t len = gen_rng_between(&g->rng, 70, 180);
		wb_u8(&b, 0x5a);
		wb_be16(&b, m->seq[leg][dir]++);
		wb_be32(&b, m->ssrc[leg][dir]);
		gen_rng_bytes(&g->rng, wb_room(&b, len - b.len), len - b.len);
		gen_udp(g, &m->c[leg], dir, t, p, b.len);
		return;
	}
	size_t len = gen_rng_between(&g->rng, 60, 160);
	if (m->kind == MEDIA_TURN) {
		wb_be16(&b, 0x4001);
		wb_be16(&b, (unsigned)len);
	}
	size_t start = b.len;
	wb_u8(&b, 0x80);
	wb_u8(&b, 111); /* Opus's usual dynamic payload type */
	wb_be16(&b, m->seq[leg][dir]++);
	wb_be32(&b, m->rtp_ts[leg][dir]);
	m->rtp_ts[leg][dir] += 960;
	wb_be32(&b, m->ssrc[leg][dir]);
	gen_rng_bytes(&g->rng, wb_room(&b, len - (b.len - start)), len - (b.len - start));
	gen_udp(g, &m->c[leg], dir, t, p, b.len);
}

static void media_packet(struct gen_ctx *g, struct media_call *m, int leg, int dir, uint64_t t)
{
	if (m->kind >= MEDIA_ICE) {
		unknown_packet(g, m, leg, dir, t);
		return;
	}
	uint8_t p[1200];
	struct wbuf b = wb_make(p, sizeof p);
	bool wa = m->kind == MEDIA_WHATSAPP;
	size_t len = wa ? gen_rng_between(&g->rng, 60, 160) : gen_rng_between(&g->rng, 200, 1100);
	wb_u8(&b, wa ? 0x90 : 0x80);
	wb_u8(&b, wa ? 0x78 : 0x64);
	wb_be16(&b, m->seq[leg][dir]++);
	wb_be32(&b, m->rtp_ts[leg][dir]);
	m->rtp_ts[leg][dir] += wa ? 960 : 2700; /* 20 ms at 48 kHz; 30 ms at 90 kHz */
	wb_be32(&b, m->ssrc[leg][dir]);
	if (wa) { /* a one-element header extension, as WhatsApp's packets carry */
		wb_be16(&b, 0xbede);
		wb_be16(&b, 1);
		wb_be32(&b, (uint32_t)gen_rng_u64(&g->rng));
	}
	gen_rng_bytes(&g->rng, wb_room(&b, len - b.len), len - b.len);
	gen_udp(g, &m->c[leg], dir, t, p, b.len);
}

static void wa_ping(struct gen_ctx *g, struct media_call *m, int leg, uint64_t t)
{
	uint8_t tid[12], p[32];
	gen_rng_bytes(&g->rng, tid, sizeof tid);
	size_t n = gen_stun(p, sizeof p, 0x0801, tid, NULL, 0);
	gen_udp(g, &m->c[leg], 0, t, p, n);
	n = gen_stun(p, sizeof p, 0x0802, tid, NULL, 0);
	gen_udp(g, &m->c[leg], 1, t + 30000, p, n);
}

static void ep_media(struct gen_ctx *g, const struct episode *e)
{
	struct media_call *m = e->p;
	uint64_t until = g->now + CHUNK_US < m->end ? g->now + CHUNK_US : m->end;
	uint32_t step = m->kind == MEDIA_FACETIME ? 30000 : 20000;
	for (uint64_t t = g->now; t < until; t += step) {
		for (int leg = 0; leg < 2; leg++) {
			if (!m->leg_on[leg])
				continue;
			media_packet(g, m, leg, 0, t + (uint64_t)leg * 3000);
			if (!m->begun[leg]) {
				m->begun[leg] = true;
				leg_truth(g, m, leg, "ott.call.begin", -1);
			}
			media_packet(g, m, leg, 1, t + 9000 + (uint64_t)leg * 3000);
			m->last[leg] = t + 9000 + (uint64_t)leg * 3000;
		}
		if (m->kind == MEDIA_WHATSAPP && t + step >= m->next_ping) {
			for (int leg = 0; leg < 2; leg++)
				if (m->leg_on[leg])
					wa_ping(g, m, leg, t + 5000);
			m->next_ping = t + gen_rng_between(&g->rng, 800000, 1500000);
		}
	}
	if (until < m->end) {
		gen_schedule(g, until, ep_media, 0, 0, m);
		return;
	}
	/* the last packet of each leg carries its end */
	for (int leg = 0; leg < 2; leg++) {
		if (!m->leg_on[leg] || !m->begun[leg])
			continue;
		media_packet(g, m, leg, 1, m->end + 20000 + (uint64_t)leg * 3000);
		leg_truth(g, m, leg, "ott.call.end", (int64_t)(gen_last_ts(g) - m->start));
	}
	free(m);
}

struct media_call *gen_media_call_new(uint8_t kind, int a, int b)
{
	struct media_call *m = calloc(1, sizeof *m);
	if (!m)
		gen_wb_overflow();
	m->kind = kind;
	m->sub[0] = (uint32_t)a;
	m->sub[1] = (uint32_t)b;
	return m;
}

void gen_media_call_start(struct gen_ctx *g, struct media_call *m, uint64_t start, double mean_s, double min_s)
{
	double dur = gen_rng_exp(&g->rng, mean_s);
	dur = dur < min_s ? min_s : dur > 900 ? 900 : dur;
	m->start = start;
	m->end = start + (uint64_t)(dur * 1e6);
	for (int leg = 0; leg < 2; leg++)
		for (int d = 0; d < 2; d++) {
			m->seq[leg][d] = (uint16_t)gen_rng_u64(&g->rng);
			m->rtp_ts[leg][d] = (uint32_t)gen_rng_u64(&g->rng);
			m->ssrc[leg][d] = (uint32_t)gen_rng_u64(&g->rng);
		}
	m->next_ping = m->start + 1000000;
	for (int leg = 0; leg < 2; leg++)
		if (m->leg_on[leg])
			gen_sub_busy(g, m->sub[leg], m->end + 1000000);
	gen_schedule(g, m->start, ep_media, 0, 0, m);
}
