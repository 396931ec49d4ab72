/*
 * sip.c — voice calls and SMS over IMS as the UE's leg shows them inside GTP-U:
 * SIP (RFC 3261) between the UE and the P-CSCF over UDP 5060, with SDP offers/answers
 * (RFC 4566, RFC 3264) and RTP media (RFC 3550) carrying AMR-WB (RFC 4867, octet
 * aligned, 12.65 kbit/s: a 35-byte payload every 20 ms, the VoLTE default of
 * GSMA IR.92); SMS as SIP MESSAGE with application/vnd.3gpp.sms bodies (3GPP TS 24.341
 * §5.3: RP-DATA out, 202 Accepted, the SC's RP-ACK back in its own MESSAGE).
 *
 * Calls end in every way a pen register must tell apart: answered (INVITE, 100, 180,
 * 200, ACK, media, BYE, 200), busy (486), no answer (480 after ringing), cancelled
 * (CANCEL, 200, 487, ACK) and failed (503). Truth lines mark the packet of each
 * call.attempt (the INVITE), call.answer (the 200) and call.end (the BYE, the final
 * error response, or the CANCEL), the moments pentrap's SIP dissector reports.
 */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

enum {
	SIP_PORT = 5060,
	/* one-way UE <-> P-CSCF delay over LTE: 20-60 ms */
	SIP_RTT_MIN_US = 40000, SIP_RTT_MAX_US = 120000,
	RTP_INTERVAL_US = 20000, /* 20 ms frames (a=ptime:20) */
	RTP_PAYLOAD = 35,        /* CMR + ToC + 33-byte 12.65 kbit/s frame */
	RTP_PT = 97,
	MEDIA_CHUNK_US = 2000000, /* media is built two seconds at a time */
};

/* The external world's numbers: Ofcom's drama range +44 7700 900000-900999. */
static void external_number(struct gen_ctx *g, char *out, size_t n)
{
	snprintf(out, n, "447700900%03u", gen_rng_below(&g->rng, 1000));
}

static const char *host_of(const struct ip_addr *a, char *buf)
{
	char t[ADDR_STRLEN];
	gen_addr_text(a, t);
	if (a->family == 6)
		snprintf(buf, ADDR_STRLEN + 2, "[%s]", t);
	else
		snprintf(buf, ADDR_STRLEN + 2, "%s", t);
	return buf;
}

struct call {
	struct gen_conn sig, rtp;
	uint32_t sub;
	int caller_dir;           /* 0: the UE calls (MO leg), 1: the network side does (MT) */
	char caller[16], callee[16]; /* E.164 digits */
	char call_id[64];
	char from_tag[16], to_tag[16];
	char caller_uri[96], callee_uri[96];
	uint32_t cseq;
	char invite_branch[24];
	uint64_t answer_ts, media_end;
	uint16_t rtp_seq[2];
	uint32_t rtp_ts[2], ssrc[2];
	bool marker_sent[2];
};

static void hex_id(struct gen_ctx *g, char *out, size_t n, size_t digits)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	for (; i < digits && i + 1 < n; i++)
		out[i] = hex[gen_rng_below(&g->rng, 16)];
	out[i] = '\0';
}

static void party_uri(struct gen_ctx *g, const char *digits, char *out, size_t n)
{
	/* VoLTE phones name themselves by SIP URI with user=phone; targets are often tel: URIs */
	if (gen_rng_chance(&g->rng, 0.5))
		snprintf(out, n, "<sip:+%s@%s;user=phone>", digits, gen_ims_domain);
	else
		snprintf(out, n, "<tel:+%s>", digits);
}

static uint32_t rtt(struct gen_ctx *g)
{
	return gen_rng_between(&g->rng, SIP_RTT_MIN_US, SIP_RTT_MAX_US);
}

/* The SDP of the side at dir: its media address and port. */
static size_t sdp(const struct call *c, int dir, uint8_t *out, size_t cap, uint64_t sess)
{
	char t[ADDR_STRLEN];
	const struct ip_addr *a = dir ? &c->rtp.b : &c->rtp.a;
	const char *ipv = a->family == 6 ? "IP6" : "IP4";
	struct wbuf b = wb_make(out, cap);
	wb_fmt(&b,
	       "v=0\r\no=- %llu %llu IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n"
	       "m=audio %u RTP/AVP %d 98\r\nb=AS:38\r\na=rtpmap:%d AMR-WB/16000/1\r\n"
	       "a=fmtp:%d mode-change-capability=2;max-red=0\r\na=rtpmap:98 telephone-event/16000\r\n"
	       "a=fmtp:98 0-15\r\na=ptime:20\r\na=maxptime:240\r\na=sendrecv\r\n",
	       (unsigned long long)sess, (unsigned long long)sess, ipv, gen_addr_text(a, t), ipv, t,
	       dir ? c->rtp.pb : c->rtp.pa, RTP_PT, RTP_PT, RTP_PT);
	return b.len;
}

/*
 * One SIP message on the call's signalling conversation. side: 0 the caller sends,
 * 1 the callee. status 0 for a request (method, new branch unless given). The To tag
 * appears once the callee has answered anything but 100.
 */
struct sip_line {
	const char *method;  /* request method, or the CSeq method of a response */
	int status;          /* 0: request */
	const char *reason;
	uint32_t cseq;
	const char *branch;
	bool to_tag;
	const uint8_t *sdp;
	size_t sdp_len;
};

static void sip_send(struct gen_ctx *g, struct call *c, int side, uint64_t ts, const struct sip_line *l, bool may_retx)
{
	/* requests travel from `side`; responses from the other side */
	int sender = l->status ? !side : side;
	int dir = sender == 0 ? c->caller_dir : !c->caller_dir;
	char vh[ADDR_STRLEN + 2], sh[ADDR_STRLEN + 2];
	const struct ip_addr *via_addr = (l->status ? !dir : dir) ? &c->sig.b : &c->sig.a;
	host_of(via_addr, vh);
	host_of(dir ? &c->sig.b : &c->sig.a, sh);
	/* the request's From is its sender; a response keeps the request's */
	const char *from_uri = side == 0 ? c->caller_uri : c->callee_uri;
	const char *to_uri = side == 0 ? c->callee_uri : c->caller_uri;
	const char *from_tag = side == 0 ? c->from_tag : c->to_tag;
	const char *to_tag = side == 0 ? c->to_tag : c->from_tag;
	const char *target = side == 0 ? c->callee : c->caller;
	struct wbuf b = wb_make(g->msg, sizeof g->msg);
	if (l->status)
		wb_fmt(&b, "SIP/2.0 %d %s\r\n", l->status, l->reason);
	else if (target[0] == '4')
		wb_fmt(&b, "%s tel:+%s SIP/2.0\r\n", l->method, target);
	else
		wb_fmt(&b, "%s sip:+%s@%s;user=phone SIP/2.0\r\n", l->method, target, gen_ims_domain);
	wb_fmt(&b, "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%s\r\n", vh, SIP_PORT, l->branch);
	if (!l->status)
		wb_str(&b, "Max-Forwards: 70\r\n");
	wb_fmt(&b, "From: %s;tag=%s\r\n", from_uri, from_tag);
	if (l->to_tag)
		wb_fmt(&b, "To: %s;tag=%s\r\n", to_uri, to_tag);
	else
		wb_fmt(&b, "To: %s\r\n", to_uri);
	wb_fmt(&b, "Call-ID: %s\r\nCSeq: %u %s\r\n", c->call_id, l->cseq, l->method);
	bool dialog_msg = (!l->status && (strcmp(l->method, "INVITE") == 0)) ||
			  (l->status >= 180 && l->status < 300 && strcmp(l->method, "INVITE") == 0);
	if (dialog_msg) {
		const char *digits = sender == 0 ? c->caller : c->callee;
		wb_fmt(&b, "Contact: <sip:+%s@%s:%u>;+g.3gpp.icsi-ref=\"urn%%3Aurn-7%%3A3gpp-service.ims.icsi.mmtel\"\r\n",
		       digits, sh, SIP_PORT);
	}
	if (!l->status && strcmp(l->method, "INVITE") == 0) {
		if (dir == 1)
			wb_fmt(&b, "P-Asserted-Identity: <sip:+%s@%s;user=phone>\r\n", c->caller, gen_ims_domain);
		wb_str(&b, "Allow: INVITE, ACK, CANCEL, BYE, UPDATE, PRACK, MESSAGE, OPTIONS\r\n"
			   "Accept-Contact: *;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\"\r\n"
			   "P-Preferred-Service: urn:urn-7:3gpp-service.ims.icsi.mmtel\r\n");
	}
	if (l->sdp_len) {
		wb_fmt(&b, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n", l->sdp_len);
		wb_mem(&b, l->sdp, l->sdp_len);
	} else {
		wb_str(&b, "Content-Length: 0\r\n\r\n");
	}
	g->tag = TAG_SIP;
	gen_udp(g, &c->sig, dir, ts, b.p, b.len);
	if (may_retx && (g->opt->noise & GEN_NOISE_RETRANS) && gen_rng_chance(&g->rng, 0.05)) {
		/* RFC 3261 §17.1.1.2: the request again after T1 = 500 ms; the earlier
		 * truth line stays with the first copy */
		struct batch *bt = g->cur;
		size_t last = bt->npk - 1;
		uint64_t t = ts + 500000;
		g->tag = TAG_SIP;
		gen_batch_add(g, t, bt->pk[last].data, bt->pk[last].len);
		g->tag = TAG_NONE;
	}
}

static void call_truth(struct gen_ctx *g, const struct call *c, const char *type, const char *outcome,
		       int64_t duration_us)
{
	char dur[48] = "";
	if (duration_us >= 0)
		snprintf(dur, sizeof dur, ",\"duration_s\":%.3f", (double)duration_us / 1e6);
	gen_truth(g, "\"type\":\"%s\",\"protocol\":\"sip\",\"from\":\"+%s\",\"to\":\"+%s\",\"call_id\":\"%s\","
		     "\"leg\":\"%s\",\"subscriber\":\"+%s\",\"outcome\":\"%s\"%s",
		  type, c->caller, c->callee, c->call_id, c->caller_dir == 0 ? "mo" : "mt", g->subs[c->sub].msisdn,
		  outcome, dur);
}

static void rtp_packet(struct gen_ctx *g, struct call *c, int dir, uint64_t ts)
{
	uint8_t p[12 + RTP_PAYLOAD];
	struct wbuf b = wb_make(p, sizeof p);
	wb_u8(&b, 0x80);
	wb_u8(&b, (c->marker_sent[dir] ? 0 : 0x80) | RTP_PT);
	c->marker_sent[dir] = true;
	wb_be16(&b, c->rtp_seq[dir]++);
	wb_be32(&b, c->rtp_ts[dir]);
	c->rtp_ts[dir] += 320; /* 20 ms at 16 kHz */
	wb_be32(&b, c->ssrc[dir]);
	wb_u8(&b, 0xf0); /* CMR: no request */
	wb_u8(&b, 0x14); /* ToC: FT 2 (12.65 kbit/s), Q 1 */
	gen_rng_bytes(&g->rng, wb_room(&b, RTP_PAYLOAD - 2), RTP_PAYLOAD - 2);
	gen_udp(g, &c->rtp, dir, ts, p, b.len);
}

static void ep_call_bye(struct gen_ctx *g, const struct episode *e);

/* Media from g->now for up to two seconds, then the next chunk or the BYE. */
static void ep_call_media(struct gen_ctx *g, const struct episode *e)
{
	struct call *c = e->p;
	uint64_t until = g->now + MEDIA_CHUNK_US < c->media_end ? g->now + MEDIA_CHUNK_US : c->media_end;
	for (uint64_t t = g->now; t < until; t += RTP_INTERVAL_US) {
		rtp_packet(g, c, 0, t);
		rtp_packet(g, c, 1, t + 7000); /* the far end's frames on their own clock phase */
	}
	if (until < c->media_end)
		gen_schedule(g, until, ep_call_media, 0, 0, c);
	else
		gen_schedule(g, c->media_end + 8000, ep_call_bye, 0, 0, c);
}

static void ep_call_bye(struct gen_ctx *g, const struct episode *e)
{
	struct call *c = e->p;
	int side = gen_rng_below(&g->rng, 2); /* either party hangs up */
	char br[24];
	hex_id(g, br, sizeof br, 16);
	uint32_t cseq = side == 0 ? ++c->cseq : gen_rng_between(&g->rng, 1, 1000);
	struct sip_line bye = { "BYE", 0, NULL, cseq, br, true, NULL, 0 };
	uint64_t t = g->now;
	sip_send(g, c, side, t, &bye, true);
	call_truth(g, c, "call.end", "answered", (int64_t)(t - c->answer_ts));
	struct sip_line ok = { "BYE", 200, "OK", cseq, br, true, NULL, 0 };
	sip_send(g, c, side, t + rtt(g), &ok, false);
	free(c);
}

static void call_parties(struct gen_ctx *g, struct call *c, const struct subscriber *s, int other)
{
	char remote[16];
	if (other >= 0)
		snprintf(remote, sizeof remote, "%s", g->subs[other].msisdn);
	else
		external_number(g, remote, sizeof remote);
	/* a call to another of our subscribers is shown on the caller's leg only */
	c->caller_dir = other >= 0 ? 0 : (int)gen_rng_below(&g->rng, 2);
	snprintf(c->caller, sizeof c->caller, "%s", c->caller_dir == 0 ? s->msisdn : remote);
	snprintf(c->callee, sizeof c->callee, "%s", c->caller_dir == 0 ? remote : s->msisdn);
	party_uri(g, c->caller, c->caller_uri, sizeof c->caller_uri);
	party_uri(g, c->callee, c->callee_uri, sizeof c->callee_uri);
}

/* The callee side refuses the INVITE at t with a final response (the call ends there), the
 * caller ACKs it; takes ownership of c. */
static void call_refused(struct gen_ctx *g, struct call *c, uint64_t t, int status, const char *reason,
			 const char *outcome)
{
	struct sip_line err = { "INVITE", status, reason, c->cseq, c->invite_branch, true, NULL, 0 };
	struct sip_line ack = { "ACK", 0, NULL, c->cseq, c->invite_branch, true, NULL, 0 };
	sip_send(g, c, 0, t, &err, false);
	call_truth(g, c, "call.end", outcome, -1);
	sip_send(g, c, 0, t + rtt(g), &ack, false);
	gen_sub_busy(g, c->sub, t + 1000000);
	free(c);
}

void gen_ep_call(struct gen_ctx *g, const struct episode *e)
{
	int si = e->a != GEN_ANY ? (int)e->a : gen_pick_sub(g, false, false, -1);
	if (si < 0)
		return;
	struct subscriber *s = &g->subs[si];
	int other = e->b != GEN_ANY ? (int)e->b : (gen_rng_chance(&g->rng, 0.6) ? gen_pick_sub(g, false, false, si) : -1);
	struct call *c = calloc(1, sizeof *c);
	if (!c)
		gen_wb_overflow();
	c->sub = (uint32_t)si;
	call_parties(g, c, s, other);
	struct ip_addr pcscf, mgw;
	int fam = gen_sub_family(s);
	gen_pcscf(&pcscf, fam);
	gen_conn_sub(g, &c->sig, s, 17, &pcscf, SIP_PORT);
	c->sig.pa = SIP_PORT;
	mgw = pcscf;
	mgw.bytes[fam == 6 ? 15 : 3] = fam == 6 ? 0x20 : 2; /* the media gateway beside the P-CSCF */
	gen_conn_sub(g, &c->rtp, s, 17, &mgw, 0);
	c->rtp.pa = (uint16_t)(gen_rng_between(&g->rng, 20000, 32000) & ~1u);
	c->rtp.pb = (uint16_t)(gen_rng_between(&g->rng, 10000, 19998) & ~1u);
	c->ssrc[0] = (uint32_t)gen_rng_u64(&g->rng);
	c->ssrc[1] = (uint32_t)gen_rng_u64(&g->rng);
	c->rtp_seq[0] = (uint16_t)gen_rng_u64(&g->rng);
	c->rtp_seq[1] = (uint16_t)gen_rng_u64(&g->rng);
	c->rtp_ts[0] = (uint32_t)gen_rng_u64(&g->rng);
	c->rtp_ts[1] = (uint32_t)gen_rng_u64(&g->rng);
	char idh[24];
	hex_id(g, idh, sizeof idh, 20);
	snprintf(c->call_id, sizeof c->call_id, "%s@%s", idh, gen_ims_domain);
	hex_id(g, c->from_tag, sizeof c->from_tag, 10);
	hex_id(g, c->to_tag, sizeof c->to_tag, 10);
	hex_id(g, c->invite_branch, sizeof c->invite_branch, 16);
	c->cseq = gen_rng_between(&g->rng, 1, 100);

	/* outcome shares: most calls answered; the rest split as a pen register sees them */
	double u = gen_rng_unit(&g->rng);
	const char *outcome = u < 0.70 ? "answered" : u < 0.78 ? "busy" : u < 0.85 ? "no-answer" : u < 0.95 ? "cancelled"
														: "failed";
	uint64_t t = g->now;
	uint8_t offer[1024], answer[1024];
	size_t noffer = sdp(c, c->caller_dir, offer, sizeof offer, g->next_id++);
	size_t nanswer = sdp(c, !c->caller_dir, answer, sizeof answer, g->next_id++);
	uint32_t cs = c->cseq;
	struct sip_line invite = { "INVITE", 0, NULL, cs, c->invite_branch, false, offer, noffer };
	sip_send(g, c, 0, t, &invite, true);
	call_truth(g, c, "call.attempt", outcome, -1);
	struct sip_line trying = { "INVITE", 100, "Trying", cs, c->invite_branch, false, NULL, 0 };
	sip_send(g, c, 0, t + rtt(g) / 2, &trying, false);

	struct sip_line ack = { "ACK", 0, NULL, cs, c->invite_branch, true, NULL, 0 };
	if (strcmp(outcome, "failed") == 0) {
		t += gen_rng_between(&g->rng, 200, 3000) * 1000u;
		call_refused(g, c, t, 503, "Service Unavailable", outcome);
		return;
	}
	if (strcmp(outcome, "busy") == 0) {
		t += gen_rng_between(&g->rng, 500, 2500) * 1000u; /* post-dial delay */
		call_refused(g, c, t, 486, "Busy Here", outcome);
		return;
	}
	t += gen_rng_between(&g->rng, 500, 2500) * 1000u;
	struct sip_line ringing = { "INVITE", 180, "Ringing", cs, c->invite_branch, true, NULL, 0 };
	sip_send(g, c, 0, t, &ringing, false);
	if (strcmp(outcome, "no-answer") == 0) {
		t += gen_rng_between(&g->rng, 20, 40) * 1000000u; /* the network's no-answer timer */
		call_refused(g, c, t, 480, "Temporarily Unavailable", outcome);
		return;
	}
	if (strcmp(outcome, "cancelled") == 0) {
		t += gen_rng_between(&g->rng, 2, 15) * 1000000u; /* the caller gives up */
		struct sip_line cancel = { "CANCEL", 0, NULL, cs, c->invite_branch, false, NULL, 0 };
		sip_send(g, c, 0, t, &cancel, true);
		call_truth(g, c, "call.end", outcome, -1);
		struct sip_line ok = { "CANCEL", 200, "OK", cs, c->invite_branch, false, NULL, 0 };
		sip_send(g, c, 0, t + rtt(g), &ok, false);
		struct sip_line term = { "INVITE", 487, "Request Terminated", cs, c->invite_branch, true, NULL, 0 };
		uint64_t t2 = t + rtt(g) + 5000;
		sip_send(g, c, 0, t2, &term, false);
		sip_send(g, c, 0, t2 + rtt(g), &ack, false);
		gen_sub_busy(g, c->sub, t2 + 1000000);
		free(c);
		return;
	}
	t += gen_rng_between(&g->rng, 2000, 15000) * 1000u; /* ringing */
	struct sip_line ok = { "INVITE", 200, "OK", cs, c->invite_branch, true, answer, nanswer };
	sip_send(g, c, 0, t, &ok, false);
	c->answer_ts = gen_last_ts(g);
	call_truth(g, c, "call.answer", outcome, -1);
	char br[24];
	hex_id(g, br, sizeof br, 16);
	struct sip_line ack2 = { "ACK", 0, NULL, cs, br, true, NULL, 0 };
	t += rtt(g);
	sip_send(g, c, 0, t, &ack2, false);
	double dur = gen_rng_exp(&g->rng, g->mix->call_mean_s);
	dur = dur < 3 ? 3 : dur > 900 ? 900 : dur;
	c->media_end = t + (uint64_t)(dur * 1e6);
	gen_sub_busy(g, c->sub, c->media_end + 2000000);
	gen_schedule(g, t + 10000, ep_call_media, 0, 0, c);
}

/* ---- SMS over IMS ---- */

/* The SMSC's number and its PSI as the UE addresses it. */
static const char smsc_digits[] = "15550000100";

static void message(struct gen_ctx *g, struct gen_conn *sig, int dir, uint64_t ts, const char *ruri, const char *from,
		    const char *to, const char *call_id, uint32_t cseq, const uint8_t *body, size_t blen,
		    const char *truth)
{
	char vh[ADDR_STRLEN + 2], tag[16], br[24];
	host_of(dir ? &sig->b : &sig->a, vh);
	hex_id(g, tag, sizeof tag, 10);
	hex_id(g, br, sizeof br, 16);
	struct wbuf b = wb_make(g->msg, sizeof g->msg);
	wb_fmt(&b, "MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%u;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n", ruri, vh,
	       SIP_PORT, br);
	wb_fmt(&b, "From: %s;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %u MESSAGE\r\n", from, tag, to, call_id, cseq);
	wb_str(&b, "Request-Disposition: no-fork\r\nAccept-Contact: *;+g.3gpp.smsip\r\n");
	wb_fmt(&b, "Content-Type: application/vnd.3gpp.sms\r\nContent-Length: %zu\r\n\r\n", blen);
	wb_mem(&b, body, blen);
	g->tag = TAG_SIP;
	gen_udp(g, sig, dir, ts, b.p, b.len);
	if (truth)
		gen_truth(g, "%s", truth);
	/* the response: copy the request's header lines back (Via, From, To + tag, Call-ID, CSeq) */
	char th[16];
	hex_id(g, th, sizeof th, 10);
	struct wbuf r = wb_make(g->msg, sizeof g->msg);
	wb_fmt(&r, "SIP/2.0 %s\r\nVia: SIP/2.0/UDP %s:%u;branch=z9hG4bK%s\r\n", dir == 0 ? "202 Accepted" : "200 OK",
	       vh, SIP_PORT, br);
	wb_fmt(&r, "From: %s;tag=%s\r\nTo: %s;tag=%s\r\nCall-ID: %s\r\nCSeq: %u MESSAGE\r\nContent-Length: 0\r\n\r\n",
	       from, tag, to, th, call_id, cseq);
	uint64_t t = gen_last_ts(g) + rtt(g);
	g->tag = TAG_SIP;
	gen_udp(g, sig, !dir, t, r.p, r.len);
}

static void new_call_id(struct gen_ctx *g, char *out, size_t n)
{
	char h[24];
	hex_id(g, h, sizeof h, 20);
	snprintf(out, n, "%s@%s", h, gen_ims_domain);
}

/*
 * One SMS leg over IMS. mo: subscriber s submits (RP-DATA with SMS-SUBMIT to `peer`);
 * otherwise s receives an SMS-DELIVER from `peer`. The RP-ACK travels in a second
 * MESSAGE the other way, as TS 24.341 §5.3.1.3 / §5.3.2.3 have it.
 */
static uint64_t sip_sms_leg(struct gen_ctx *g, struct subscriber *s, bool mo, const char *peer, uint64_t t)
{
	struct gen_conn sig;
	struct ip_addr pcscf;
	gen_pcscf(&pcscf, gen_sub_family(s));
	gen_conn_sub(g, &sig, s, 17, &pcscf, SIP_PORT);
	sig.pa = SIP_PORT;
	uint8_t tpdu[200], rp[256];
	uint8_t ref = (uint8_t)gen_rng_below(&g->rng, 256);
	size_t nt = mo ? gen_tpdu_submit(tpdu, sizeof tpdu, (uint8_t)gen_rng_below(&g->rng, 256), peer, &g->rng)
		       : gen_tpdu_deliver(tpdu, sizeof tpdu, peer, t, &g->rng);
	size_t nr = gen_rp_data(rp, sizeof rp, mo, ref, smsc_digits, tpdu, nt);
	char call_id[64], me[96], sc[96], ue_uri[96], sc_uri[96], truth[512];
	new_call_id(g, call_id, sizeof call_id);
	snprintf(me, sizeof me, "<sip:+%s@%s>", s->msisdn, gen_ims_domain);
	snprintf(sc, sizeof sc, "<sip:+%s@%s>", smsc_digits, gen_ims_domain);
	snprintf(ue_uri, sizeof ue_uri, "sip:+%s@%s", s->msisdn, gen_ims_domain);
	snprintf(sc_uri, sizeof sc_uri, "sip:+%s@%s", smsc_digits, gen_ims_domain);
	/* the truth goes with the MESSAGE that carries the RP-DATA */
	snprintf(truth, sizeof truth,
		 "\"type\":\"sms\",\"protocol\":\"sip-message\",\"from\":\"+%s\",\"to\":\"+%s\",\"call_id\":\"%s\","
		 "\"leg\":\"%s\",\"subscriber\":\"+%s\"",
		 mo ? s->msisdn : peer, mo ? peer : s->msisdn, call_id, mo ? "mo" : "mt", s->msisdn);
	uint32_t cseq = gen_rng_between(&g->rng, 1, 1000);
	if (mo)
		message(g, &sig, 0, t, sc_uri, me, sc, call_id, cseq, rp, nr, truth);
	else
		message(g, &sig, 1, t, ue_uri, sc, me, call_id, cseq, rp, nr, truth);
	/* the RP-ACK, 0.2-1 s later, in a MESSAGE of its own the other way */
	uint8_t ack[8];
	size_t na = gen_rp_ack(ack, sizeof ack, !mo, ref);
	char call_id2[64];
	new_call_id(g, call_id2, sizeof call_id2);
	uint64_t t2 = gen_last_ts(g) + gen_rng_between(&g->rng, 200, 1000) * 1000u;
	if (mo)
		message(g, &sig, 1, t2, ue_uri, sc, me, call_id2, cseq + 1, ack, na, NULL);
	else
		message(g, &sig, 0, t2, sc_uri, me, sc, call_id2, cseq + 1, ack, na, NULL);
	return gen_last_ts(g);
}

void gen_ep_sip_sms(struct gen_ctx *g, const struct episode *e)
{
	int si = e->a != GEN_ANY ? (int)e->a : gen_pick_sub(g, false, false, -1);
	if (si < 0)
		return;
	struct subscriber *s = &g->subs[si];
	int other = e->b != GEN_ANY ? (int)e->b : (gen_rng_chance(&g->rng, 0.5) ? gen_pick_sub(g, false, false, si) : -1);
	char peer[16];
	if (other >= 0) {
		/* both legs: s submits, the SC delivers to the other 1-4 s later */
		snprintf(peer, sizeof peer, "%s", g->subs[other].msisdn);
		uint64_t t = sip_sms_leg(g, s, true, peer, g->now);
		uint64_t end = sip_sms_leg(g, &g->subs[other], false, s->msisdn,
					   t + gen_rng_between(&g->rng, 1000, 4000) * 1000u);
		gen_sub_busy(g, (uint32_t)si, end);
		gen_sub_busy(g, (uint32_t)other, end);
		return;
	}
	char ext[16];
	snprintf(ext, sizeof ext, "447700900%03u", gen_rng_below(&g->rng, 1000));
	bool mo = gen_rng_chance(&g->rng, 0.5);
	gen_sub_busy(g, (uint32_t)si, sip_sms_leg(g, s, mo, ext, g->now));
}
