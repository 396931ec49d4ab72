/*
 * gtpc.c — subscribers attaching and detaching, as GTPv2-C on S5/S8 between the SGW and
 * the PGW (3GPP TS 29.274): Create Session Request/Response carrying IMSI, MSISDN, MEI,
 * APN, PDN type, the PDN address allocation (PAA) and the F-TEIDs of both planes;
 * Delete Session Request/Response. The bearer's S5-U TEIDs are the ones the subscriber's
 * GTP-U packets then carry (gen/net.c), so a sensor can tie data to the subscriber.
 *
 * One PDN connection per subscriber (APN "internet") carries all of its traffic,
 * IMS signalling included; a VoLTE phone would have a second one for APN "ims".
 */
#include <string.h>

#include "gen/gen_internal.h"

enum {
	GTPV2_CREATE_SESSION_REQ = 32,
	GTPV2_CREATE_SESSION_RSP = 33,
	GTPV2_DELETE_SESSION_REQ = 36,
	GTPV2_DELETE_SESSION_RSP = 37,
	IE_IMSI = 1, IE_CAUSE = 2, IE_APN = 71, IE_AMBR = 72, IE_EBI = 73, IE_MEI = 75, IE_MSISDN = 76,
	IE_PAA = 79, IE_RAT = 82, IE_SERVING_NET = 83, IE_FTEID = 87, IE_BEARER_CTX = 93, IE_PDN_TYPE = 99,
	IE_APN_RESTRICTION = 127, IE_SELECTION_MODE = 128,
	IF_S5_SGW_U = 4, IF_S5_PGW_U = 5, IF_S5_SGW_C = 6, IF_S5_PGW_C = 7,
	CAUSE_ACCEPTED = 16,
	GTPC_PORT = 2123,
	/* the SGW-to-PGW round trip on the operator's core: a few ms */
	GTPC_RTT_MIN_US = 2000, GTPC_RTT_MAX_US = 9000,
};

static const char apn_name[] = "internet";

/* An IE header: type, 2-byte length, instance; returns the length field's offset. */
static size_t ie_begin(struct wbuf *b, unsigned type, unsigned instance)
{
	wb_u8(b, type);
	size_t at = b->len;
	wb_be16(b, 0);
	wb_u8(b, instance & 0x0f);
	return at;
}

static void ie_end(struct wbuf *b, size_t at)
{
	wb_put_be16(b->p + at, (unsigned)(b->len - at - 3));
}

static void ie_tbcd(struct wbuf *b, unsigned type, const char *digits)
{
	size_t at = ie_begin(b, type, 0);
	wb_tbcd(b, digits);
	ie_end(b, at);
}

static void ie_u8(struct wbuf *b, unsigned type, unsigned instance, unsigned v)
{
	size_t at = ie_begin(b, type, instance);
	wb_u8(b, v);
	ie_end(b, at);
}

static void ie_fteid(struct wbuf *b, unsigned instance, unsigned iface, uint32_t teid, const struct ip_addr *a)
{
	size_t at = ie_begin(b, IE_FTEID, instance);
	wb_u8(b, 0x80 | iface); /* V4 flag */
	wb_be32(b, teid);
	wb_mem(b, a->bytes, 4);
	ie_end(b, at);
}

static void ie_paa(struct wbuf *b, const struct ip_addr *ue)
{
	size_t at = ie_begin(b, IE_PAA, 0);
	if (ue->family == 6) {
		wb_u8(b, 2);
		wb_u8(b, 64); /* prefix length: one /64 per PDN (TS 23.401 §5.3.1.2.2) */
		wb_mem(b, ue->bytes, 16);
	} else {
		wb_u8(b, 1);
		wb_mem(b, ue->bytes, 4);
	}
	ie_end(b, at);
}

static void ie_cause(struct wbuf *b)
{
	size_t at = ie_begin(b, IE_CAUSE, 0);
	wb_u8(b, CAUSE_ACCEPTED);
	wb_u8(b, 0);
	ie_end(b, at);
}

/* Header: version 2, T flag set, then TEID and the 3-byte sequence number. */
static size_t msg_begin(struct wbuf *b, unsigned type, uint32_t teid, uint32_t seq)
{
	wb_u8(b, 0x48);
	wb_u8(b, type);
	wb_be16(b, 0);
	wb_be32(b, teid);
	wb_be24(b, seq & 0xffffff);
	wb_u8(b, 0);
	return 0;
}

/* Ends the message in b (its length field) and sends it on c at t. */
static void msg_send(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t t, struct wbuf *b)
{
	wb_put_be16(b->p + 2, (unsigned)(b->len - 4));
	g->tag = TAG_GTPV2;
	gen_udp(g, c, dir, t, b->p, b->len);
}

static void s5_conn(struct gen_ctx *g, struct gen_conn *c, const struct subscriber *s)
{
	struct ip_addr sgw, pgw;
	gen_addr4(&sgw, 172, 16, 1, 10u + s->sgw);
	gen_addr4(&pgw, 172, 16, 2, 10);
	gen_conn_plain(g, c, LINK_S5, 17, &sgw, GTPC_PORT, &pgw, GTPC_PORT);
}

static void new_address(struct gen_ctx *g, struct subscriber *s)
{
	if (s->v6) {
		uint32_t n = g->next_ue_ip++;
		uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, (uint8_t)(0x80 | ((n >> 24) & 0x0f)), (uint8_t)(n >> 16),
				  (uint8_t)(n >> 8), (uint8_t)n };
		b[15] = 1;
		addr_set_v6(&s->ue_ip, b);
	} else {
		uint32_t n = (100u << 24 | 64u << 16) + 1 + (g->next_ue_ip++ % 0x3ffffe); /* 100.64.0.0/10 */
		gen_addr4(&s->ue_ip, n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
	}
	s->teid_c_sgw = g->next_teid++;
	s->teid_c_pgw = g->next_teid++;
	s->teid_u_sgw = g->next_teid++;
	s->teid_u_pgw = g->next_teid++;
	s->net_gen++;
}

/* Create Session Request and Response; the subscriber is usable after the response. */
static void create_session(struct gen_ctx *g, struct subscriber *s)
{
	struct gen_conn c;
	s5_conn(g, &c, s);
	new_address(g, s);
	uint32_t seq = ++s->seq_c + (uint32_t)(s - g->subs) * 16u;
	struct ip_addr sgw = c.a, pgw = c.b, none;
	memset(&none, 0, sizeof none);
	none.family = s->v6 ? 6 : 4;

	struct wbuf b = wb_make(g->msg, sizeof g->msg);
	msg_begin(&b, GTPV2_CREATE_SESSION_REQ, 0, seq);
	ie_tbcd(&b, IE_IMSI, s->imsi);
	ie_tbcd(&b, IE_MSISDN, s->msisdn);
	ie_tbcd(&b, IE_MEI, s->imei);
	size_t at = ie_begin(&b, IE_SERVING_NET, 0);
	wb_u8(&b, 0x00); /* MCC 001, MNC 01: 00 f1 10 */
	wb_u8(&b, 0xf1);
	wb_u8(&b, 0x10);
	ie_end(&b, at);
	ie_u8(&b, IE_RAT, 0, 6); /* EUTRAN */
	ie_fteid(&b, 0, IF_S5_SGW_C, s->teid_c_sgw, &sgw);
	at = ie_begin(&b, IE_APN, 0);
	wb_u8(&b, (unsigned)strlen(apn_name));
	wb_str(&b, apn_name);
	ie_end(&b, at);
	ie_u8(&b, IE_SELECTION_MODE, 0, 0);
	ie_u8(&b, IE_PDN_TYPE, 0, s->v6 ? 2 : 1);
	ie_paa(&b, &none);
	at = ie_begin(&b, IE_AMBR, 0);
	wb_be32(&b, 50000); /* kbit/s up and down */
	wb_be32(&b, 150000);
	ie_end(&b, at);
	size_t bc = ie_begin(&b, IE_BEARER_CTX, 0);
	ie_u8(&b, IE_EBI, 0, 5);
	ie_fteid(&b, 2, IF_S5_SGW_U, s->teid_u_sgw, &sgw);
	ie_end(&b, bc);
	uint64_t t = g->now;
	msg_send(g, &c, 0, t, &b);

	b = wb_make(g->msg, sizeof g->msg);
	msg_begin(&b, GTPV2_CREATE_SESSION_RSP, s->teid_c_sgw, seq);
	ie_cause(&b);
	ie_fteid(&b, 1, IF_S5_PGW_C, s->teid_c_pgw, &pgw);
	ie_paa(&b, &s->ue_ip);
	ie_u8(&b, IE_APN_RESTRICTION, 0, 0);
	bc = ie_begin(&b, IE_BEARER_CTX, 0);
	ie_u8(&b, IE_EBI, 0, 5);
	ie_cause(&b);
	ie_fteid(&b, 2, IF_S5_PGW_U, s->teid_u_pgw, &pgw);
	ie_end(&b, bc);
	t += gen_rng_between(&g->rng, GTPC_RTT_MIN_US, GTPC_RTT_MAX_US);
	msg_send(g, &c, 1, t, &b);
	char ip[ADDR_STRLEN];
	gen_truth(g, "\"type\":\"data.session.begin\",\"protocol\":\"gtpv2\",\"from\":\"+%s\",\"imsi\":\"%s\","
		     "\"imei\":\"%s\",\"ip\":\"%s\",\"apn\":\"%s\",\"teid_up\":%u,\"teid_down\":%u",
		  s->msisdn, s->imsi, s->imei, gen_addr_text(&s->ue_ip, ip), apn_name, s->teid_u_pgw, s->teid_u_sgw);
	s->attached = true;
	s->usable_from = t + 1000;
	gen_apps_online(g, (uint32_t)(s - g->subs));
}

static void delete_session(struct gen_ctx *g, struct subscriber *s)
{
	struct gen_conn c;
	s5_conn(g, &c, s);
	uint32_t seq = ++s->seq_c + (uint32_t)(s - g->subs) * 16u;
	struct wbuf b = wb_make(g->msg, sizeof g->msg);
	msg_begin(&b, GTPV2_DELETE_SESSION_REQ, s->teid_c_pgw, seq);
	ie_u8(&b, IE_EBI, 0, 5);
	uint64_t t = g->now;
	msg_send(g, &c, 0, t, &b);
	b = wb_make(g->msg, sizeof g->msg);
	msg_begin(&b, GTPV2_DELETE_SESSION_RSP, s->teid_c_sgw, seq);
	ie_cause(&b);
	t += gen_rng_between(&g->rng, GTPC_RTT_MIN_US, GTPC_RTT_MAX_US);
	msg_send(g, &c, 1, t, &b);
	char ip[ADDR_STRLEN];
	gen_truth(g, "\"type\":\"data.session.end\",\"protocol\":\"gtpv2\",\"from\":\"+%s\",\"imsi\":\"%s\",\"ip\":\"%s\"",
		  s->msisdn, s->imsi, gen_addr_text(&s->ue_ip, ip));
	s->attached = false;
}

static void ep_attach(struct gen_ctx *g, const struct episode *e)
{
	create_session(g, &g->subs[e->a]);
}

/* Attaches spread over a ramp of about 5000 per second (at least 1 s, at most 20 s);
 * subscribers 0 and 1 (the story's two targets) attach first. */
void gen_attach_all(struct gen_ctx *g)
{
	double ramp_s = (double)g->nsubs / 5000.0;
	ramp_s = ramp_s < 1 ? 1 : ramp_s > 20 ? 20 : ramp_s;
	for (uint32_t i = 0; i < g->nsubs; i++) {
		uint64_t at = i < 2 ? 100000u * (i + 1) : 300000u + (uint64_t)(gen_rng_unit(&g->rng) * ramp_s * 1e6);
		gen_schedule(g, g->t0 + at, ep_attach, i, 0, NULL);
	}
}

static void ep_reattach(struct gen_ctx *g, const struct episode *e)
{
	struct subscriber *s = &g->subs[e->a];
	s->wifi = false;
	create_session(g, s);
}

/* A subscriber with nothing in flight detaches, and re-attaches 2-10 s later with a new
 * address and new TEIDs: the sensor must not give the old address's traffic to it. */
void gen_ep_churn(struct gen_ctx *g, const struct episode *e)
{
	(void)e;
	int i = gen_pick_sub(g, false, false, -1);
	if (i < 0 || g->subs[i].busy_until > g->now || g->subs[i].wifi)
		return;
	struct subscriber *s = &g->subs[i];
	delete_session(g, s);
	uint64_t back = g->now + (uint64_t)gen_rng_between(&g->rng, 2000, 10000) * 1000u;
	s->usable_from = UINT64_MAX;
	s->busy_until = back + 20000;
	gen_schedule(g, back, ep_reattach, (uint32_t)i, 0, NULL);
}
