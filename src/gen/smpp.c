/*
 * smpp.c — SMS between applications and subscribers over SMPP v3.4 (SMPP Developers'
 * Forum, "Short Message Peer to Peer Protocol Specification v3.4", 1999): ESMEs
 * (application servers, 198.51.100.10-13) hold long-lived TCP sessions to the SMSC
 * (172.16.30.1:2775, IANA's smpp port) opened with bind_transceiver; an ESME submits
 * (submit_sm: application to subscriber) and the SMSC delivers subscribers' messages to
 * it (deliver_sm: subscriber to application), each answered by its _resp with the same
 * sequence number; enquire_link keeps the session alive. Addresses are international
 * (TON 1, NPI 1) digits without '+'.
 */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

enum {
	SMPP_PORT = 2775,
	ESMES = 4,
	CMD_SUBMIT_SM = 0x00000004,
	CMD_DELIVER_SM = 0x00000005,
	CMD_BIND_TRX = 0x00000009,
	CMD_ENQUIRE_LINK = 0x00000015,
	CMD_RESP = (int)0x80000000,
	/* ESME <-> SMSC over the operator's network: a few ms; the SMSC answers in 5-30 ms */
	SMPP_RTT_US = 4000,
};

struct esme {
	struct gen_conn c;
	bool bound;
	uint32_t seq;      /* the ESME's sequence numbers */
	uint32_t smsc_seq; /* the SMSC's */
	uint64_t busy_until;
	uint64_t next_msg_id;
	char number[16];
};

struct smpp_world {
	struct esme esme[ESMES];
};

static size_t pdu_begin(struct wbuf *b, uint32_t cmd, uint32_t status, uint32_t seq)
{
	wb_be32(b, 0);
	wb_be32(b, cmd);
	wb_be32(b, status);
	wb_be32(b, seq);
	return 0;
}

static void pdu_end(struct wbuf *b)
{
	wb_put_be32(b->p, (uint32_t)b->len);
}

static void cstr(struct wbuf *b, const char *s)
{
	wb_str(b, s);
	wb_u8(b, 0);
}

/* dir 0: ESME -> SMSC. Sends the PDU, then its response from the other side. */
static uint64_t exchange(struct gen_ctx *g, struct esme *e, int dir, uint64_t t, const struct wbuf *req,
			 const struct wbuf *resp, const char *truth)
{
	g->tag = TAG_SMPP;
	t = gen_tcp_send(g, &e->c, dir, t, req->p, req->len, 0);
	if (truth)
		gen_truth(g, "%s", truth);
	t += SMPP_RTT_US / 2 + gen_rng_between(&g->rng, 5000, 30000);
	g->tag = TAG_SMPP;
	t = gen_tcp_send(g, &e->c, !dir, t, resp->p, resp->len, SMPP_RTT_US / 2 + 200);
	return t;
}

static uint64_t bind(struct gen_ctx *g, struct esme *e, uint32_t k, uint64_t t)
{
	t = gen_tcp_open(g, &e->c, t, SMPP_RTT_US);
	char id[16];
	snprintf(id, sizeof id, "esme%u", k + 1);
	uint8_t rq[128], rs[64];
	struct wbuf b = wb_make(rq, sizeof rq);
	pdu_begin(&b, CMD_BIND_TRX, 0, ++e->seq);
	cstr(&b, id);
	cstr(&b, "secret1"); /* a placeholder password: nothing here is a real credential */
	cstr(&b, "");
	wb_u8(&b, 0x34); /* interface version 3.4 */
	wb_u8(&b, 1);
	wb_u8(&b, 1);
	cstr(&b, "");
	pdu_end(&b);
	struct wbuf r = wb_make(rs, sizeof rs);
	pdu_begin(&r, (uint32_t)CMD_BIND_TRX | (uint32_t)CMD_RESP, 0, e->seq);
	cstr(&r, "SMSC");
	pdu_end(&r);
	e->bound = true;
	return exchange(g, e, 0, t + 1000, &b, &r, NULL);
}

static void short_message_body(struct gen_ctx *g, struct wbuf *b, const char *from, const char *to)
{
	char text[160];
	size_t n = gen_sms_text(text, sizeof text, &g->rng);
	cstr(b, "");      /* service_type */
	wb_u8(b, 1);      /* source TON international */
	wb_u8(b, 1);      /* source NPI ISDN */
	cstr(b, from);
	wb_u8(b, 1);
	wb_u8(b, 1);
	cstr(b, to);
	wb_u8(b, 0);      /* esm_class: default, a plain message (not a receipt) */
	wb_u8(b, 0);      /* protocol_id */
	wb_u8(b, 0);      /* priority_flag */
	cstr(b, "");      /* schedule_delivery_time */
	cstr(b, "");      /* validity_period */
	wb_u8(b, 0);      /* registered_delivery: no receipt asked */
	wb_u8(b, 0);      /* replace_if_present_flag */
	wb_u8(b, 0);      /* data_coding: SMSC default alphabet */
	wb_u8(b, 0);      /* sm_default_msg_id */
	wb_u8(b, (unsigned)n);
	wb_mem(b, text, n);
}

static struct smpp_world *world(struct gen_ctx *g)
{
	if (!g->smpp) {
		struct smpp_world *w = calloc(1, sizeof *w);
		if (!w)
			gen_wb_overflow();
		struct ip_addr smsc;
		gen_addr4(&smsc, 172, 16, 30, 1);
		for (uint32_t k = 0; k < ESMES; k++) {
			struct ip_addr a;
			gen_addr4(&a, 198, 51, 100, 10 + k);
			gen_conn_plain(g, &w->esme[k].c, LINK_SMSC, 6, &a, (uint16_t)gen_rng_between(&g->rng, 40000, 60000),
				       &smsc, SMPP_PORT);
			snprintf(w->esme[k].number, sizeof w->esme[k].number, "155500002%02u", k);
			w->esme[k].next_msg_id = 0x1000 + gen_rng_below(&g->rng, 0x100000);
		}
		g->smpp = w;
	}
	return g->smpp;
}

void gen_smpp_free(struct gen_ctx *g)
{
	free(g->smpp);
	g->smpp = NULL;
}

void gen_ep_smpp_sms(struct gen_ctx *g, const struct episode *ep)
{
	int si = ep->a != GEN_ANY ? (int)ep->a : gen_pick_sub(g, false, false, -1);
	if (si < 0)
		return;
	struct subscriber *s = &g->subs[si];
	struct smpp_world *w = world(g);
	uint32_t k = gen_rng_below(&g->rng, ESMES);
	struct esme *e = &w->esme[k];
	uint64_t t = g->now > e->busy_until ? g->now : e->busy_until + 1000;
	if (!e->bound)
		t = bind(g, e, k, t) + 2000;
	/* most application SMS go out to subscribers (alerts, codes); some come back */
	bool to_sub = gen_rng_chance(&g->rng, 0.7);
	uint8_t rq[512], rs[64];
	struct wbuf b = wb_make(rq, sizeof rq), r = wb_make(rs, sizeof rs);
	char truth[512];
	/* submit_sm from the ESME to the subscriber, or deliver_sm from the SMSC to the ESME */
	uint32_t cmd = to_sub ? (uint32_t)CMD_SUBMIT_SM : (uint32_t)CMD_DELIVER_SM;
	uint32_t seq = to_sub ? ++e->seq : ++e->smsc_seq;
	const char *from = to_sub ? e->number : s->msisdn, *to = to_sub ? s->msisdn : e->number;
	char mid[24] = ""; /* the message id of a submit_sm_resp; deliver_sm_resp leaves it empty */
	pdu_begin(&b, cmd, 0, seq);
	short_message_body(g, &b, from, to);
	pdu_end(&b);
	pdu_begin(&r, cmd | (uint32_t)CMD_RESP, 0, seq);
	if (to_sub)
		snprintf(mid, sizeof mid, "%llx", (unsigned long long)e->next_msg_id++);
	cstr(&r, mid);
	pdu_end(&r);
	snprintf(truth, sizeof truth,
		 "\"type\":\"sms\",\"protocol\":\"smpp\",\"from\":\"+%s\",\"to\":\"+%s\",\"leg\":\"%s\","
		 "\"subscriber\":\"+%s\",\"sequence\":%u",
		 from, to, to_sub ? "submit" : "deliver", s->msisdn, seq);
	t = exchange(g, e, to_sub ? 0 : 1, t, &b, &r, truth);
	if (gen_rng_chance(&g->rng, 0.1)) {
		/* an enquire_link now and then, as ESMEs send every 30-60 s on quiet links */
		b = wb_make(rq, sizeof rq);
		pdu_begin(&b, CMD_ENQUIRE_LINK, 0, ++e->seq);
		pdu_end(&b);
		r = wb_make(rs, sizeof rs);
		pdu_begin(&r, (uint32_t)CMD_ENQUIRE_LINK | (uint32_t)CMD_RESP, 0, e->seq);
		pdu_end(&r);
		t = exchange(g, e, 0, t + 5000, &b, &r, NULL);
	}
	e->busy_until = t;
	gen_sub_busy(g, (uint32_t)si, t);
}
