/*
 * sigtran.c — SMS over SS7 as it crosses an IP signalling link: SCTP (RFC 9260: DATA
 * and SACK chunks, CRC32c), M3UA (RFC 4666: DATA with Protocol Data, SI 3 = SCCP),
 * SCCP UDT (ITU-T Q.713 §4.10, global-title addressing: GTI 4, E.164, SSN 8), TCAP
 * (ITU-T Q.773: Begin with a dialogue portion AARQ naming the application context, End
 * with AARE and a ReturnResultLast) and MAP (3GPP TS 29.002: mo-ForwardSM, opcode 46,
 * shortMsgMO-RelayContext-v3; mt-ForwardSM, opcode 44, shortMsgMT-RelayContext-v3)
 * with the SMS TPDU in SM-RP-UI. BER encoding, definite lengths (X.690).
 *
 * The association between the MSC (172.16.40.1, point code 1001) and the SMSC's
 * IWMSC/GMSC (172.16.40.2, point code 2002), port 2905 both ends, is taken as already
 * up when the capture starts, as on any long-lived signalling link.
 */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

enum {
	M3UA_PORT = 2905,
	PPID_M3UA = 3,
	OPCODE_MT_FORWARD_SM = 44,
	OPCODE_MO_FORWARD_SM = 46,
	SSN_MSC = 8,
	PC_MSC = 1001,
	PC_SMSC = 2002,
	/* MSC <-> SMSC: a few ms across the signalling network; SMSC processing ~20-100 ms */
	SIG_RTT_US = 3000,
};

static const char msc_gt[] = "15550000200";
static const char smsc_gt[] = "15550000100";

struct assoc {
	struct gen_conn c;  /* a = MSC, b = SMSC */
	uint32_t vtag[2];   /* the tag each end expects (sent by the other) */
	uint32_t tsn[2];
	uint16_t sseq[2];
	uint32_t next_tid;
	uint64_t busy_until;
};

static struct assoc *assoc_of(struct gen_ctx *g)
{
	if (!g->sigtran) {
		struct assoc *a = calloc(1, sizeof *a);
		if (!a)
			gen_wb_overflow();
		struct ip_addr msc, smsc;
		gen_addr4(&msc, 172, 16, 40, 1);
		gen_addr4(&smsc, 172, 16, 40, 2);
		gen_conn_plain(g, &a->c, LINK_SIGTRAN, 132, &msc, M3UA_PORT, &smsc, M3UA_PORT);
		for (int d = 0; d < 2; d++) {
			a->vtag[d] = (uint32_t)gen_rng_u64(&g->rng) | 1u;
			a->tsn[d] = (uint32_t)gen_rng_u64(&g->rng);
		}
		a->next_tid = (uint32_t)gen_rng_u64(&g->rng);
		g->sigtran = a;
	}
	return g->sigtran;
}

void gen_sigtran_free(struct gen_ctx *g)
{
	free(g->sigtran);
	g->sigtran = NULL;
}

/* ---- BER built inside out: each wrap puts a header before what is already there ---- */

struct ber {
	uint8_t buf[1024];
	size_t start; /* content is buf[start .. sizeof buf) */
};

static void ber_init(struct ber *b)
{
	b->start = sizeof b->buf;
}

static size_t ber_len(const struct ber *b)
{
	return sizeof b->buf - b->start;
}

static void ber_prepend(struct ber *b, const void *p, size_t n)
{
	if (n > b->start)
		gen_wb_overflow();
	b->start -= n;
	memcpy(b->buf + b->start, p, n);
}

/* Puts a tag and length before the inner_len bytes that were prepended last. */
static void ber_wrap(struct ber *b, unsigned tag, size_t inner_len)
{
	uint8_t h[4];
	struct wbuf w = wb_make(h, sizeof h);
	wb_ber_hdr(&w, tag, inner_len);
	ber_prepend(b, h, w.len);
}

static void ber_prim(struct ber *b, unsigned tag, const void *p, size_t n)
{
	ber_prepend(b, p, n);
	ber_wrap(b, tag, n);
}

static void ber_int(struct ber *b, unsigned tag, unsigned v)
{
	uint8_t x = (uint8_t)v;
	ber_prim(b, tag, &x, 1);
}

/* An AddressString: 0x91 (international, ISDN/E.164) then TBCD digits. */
static void ber_address(struct ber *b, unsigned tag, const char *digits)
{
	uint8_t v[12];
	struct wbuf w = wb_make(v, sizeof v);
	wb_u8(&w, 0x91);
	wb_tbcd(&w, digits);
	ber_prim(b, tag, v, w.len);
}

static void ber_tbcd(struct ber *b, unsigned tag, const char *digits)
{
	uint8_t v[12];
	struct wbuf w = wb_make(v, sizeof v);
	wb_tbcd(&w, digits);
	ber_prim(b, tag, v, w.len);
}

static const uint8_t oid_dialogue_as[] = { 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01 }; /* 0.0.17.773.1.1.1 */
static const uint8_t oid_mo_relay_v3[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x15, 0x03 };  /* 0.4.0.0.1.0.21.3 */
static const uint8_t oid_mt_relay_v3[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x19, 0x03 };  /* 0.4.0.0.1.0.25.3 */

/* dialoguePortion [APPLICATION 11] { EXTERNAL { dialogue-as-id, [0] { AARQ | AARE } } } */
static void dialogue(struct ber *b, bool response, const uint8_t *ctx)
{
	size_t before = ber_len(b);
	if (response) {
		/* result-source-diagnostic [3] { dialogue-service-user [1] { null (0) } }, result [2] accepted */
		static const uint8_t diag[] = { 0xa3, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x00 };
		static const uint8_t result[] = { 0xa2, 0x03, 0x02, 0x01, 0x00 };
		ber_prepend(b, diag, sizeof diag);
		ber_prepend(b, result, sizeof result);
	}
	size_t n0 = ber_len(b);
	ber_prim(b, 0x06, ctx, 7);
	ber_wrap(b, 0xa1, ber_len(b) - n0); /* application-context-name [1] */
	static const uint8_t version[] = { 0x80, 0x02, 0x07, 0x80 }; /* protocol-version [0] BIT STRING: version1 */
	ber_prepend(b, version, sizeof version);
	ber_wrap(b, response ? 0x61 : 0x60, ber_len(b) - before); /* AARE / AARQ */
	ber_wrap(b, 0xa0, ber_len(b) - before);                    /* single-ASN1-type [0] */
	ber_prim(b, 0x06, oid_dialogue_as, sizeof oid_dialogue_as);
	ber_wrap(b, 0x28, ber_len(b) - before);                    /* EXTERNAL */
	ber_wrap(b, 0x6b, ber_len(b) - before);                    /* dialoguePortion */
}

static size_t tcap_begin(uint8_t *out, size_t cap, uint32_t otid, bool mo, const char *smsc, const char *party,
			 const uint8_t *tpdu, size_t tpdu_len, uint8_t invoke_id)
{
	struct ber b;
	ber_init(&b);
	/* components [APPLICATION 12] { invoke [1] { invokeID, opCode, MO/MT-ForwardSM-Arg } } */
	ber_prim(&b, 0x04, tpdu, tpdu_len); /* sm-RP-UI */
	if (mo) {
		ber_address(&b, 0x82, party); /* sm-RP-OA: msisdn [2] */
		ber_address(&b, 0x84, smsc);  /* sm-RP-DA: serviceCentreAddressDA [4] */
	} else {
		ber_address(&b, 0x84, smsc);  /* sm-RP-OA: serviceCentreAddressOA [4] */
		ber_tbcd(&b, 0x80, party);    /* sm-RP-DA: imsi [0] */
	}
	ber_wrap(&b, 0x30, ber_len(&b));
	ber_int(&b, 0x02, mo ? OPCODE_MO_FORWARD_SM : OPCODE_MT_FORWARD_SM);
	ber_int(&b, 0x02, invoke_id);
	ber_wrap(&b, 0xa1, ber_len(&b));
	ber_wrap(&b, 0x6c, ber_len(&b));
	dialogue(&b, false, mo ? oid_mo_relay_v3 : oid_mt_relay_v3);
	uint8_t tid[4];
	wb_put_be32(tid, otid);
	ber_prim(&b, 0x48, tid, 4); /* otid [APPLICATION 8] */
	ber_wrap(&b, 0x62, ber_len(&b)); /* Begin [APPLICATION 2] */
	if (ber_len(&b) > cap)
		gen_wb_overflow();
	memcpy(out, b.buf + b.start, ber_len(&b));
	return ber_len(&b);
}

static size_t tcap_end(uint8_t *out, size_t cap, uint32_t dtid, bool mo, uint8_t invoke_id)
{
	struct ber b;
	ber_init(&b);
	ber_int(&b, 0x02, invoke_id);
	ber_wrap(&b, 0xa2, ber_len(&b)); /* returnResultLast [2] { invokeID } */
	ber_wrap(&b, 0x6c, ber_len(&b));
	dialogue(&b, true, mo ? oid_mo_relay_v3 : oid_mt_relay_v3);
	uint8_t tid[4];
	wb_put_be32(tid, dtid);
	ber_prim(&b, 0x49, tid, 4); /* dtid [APPLICATION 9] */
	ber_wrap(&b, 0x64, ber_len(&b)); /* End [APPLICATION 4] */
	if (ber_len(&b) > cap)
		gen_wb_overflow();
	memcpy(out, b.buf + b.start, ber_len(&b));
	return ber_len(&b);
}

/* An SCCP party address: route on GT, SSN present, GTI 4 (TT 0, E.164, international). */
static void sccp_address(struct wbuf *b, const char *digits)
{
	size_t n = strlen(digits);
	wb_u8(b, (unsigned)(5 + (n + 1) / 2)); /* AI, SSN, TT, NP/ES, NAI, digits */
	wb_u8(b, 0x12);
	wb_u8(b, SSN_MSC);
	wb_u8(b, 0x00);                  /* translation type */
	wb_u8(b, 0x10 | (n % 2 ? 1 : 2)); /* numbering plan E.164, BCD odd/even */
	wb_u8(b, 0x04);                  /* nature of address: international */
	wb_tbcd(b, digits);
	if (n % 2) /* the filler of an odd count is 0 in SCCP, not F */
		b->p[b->len - 1] &= 0x0f;
}

/* M3UA DATA carrying an SCCP UDT carrying user (TCAP) data; into out, returns length. */
static size_t m3ua_udt(uint8_t *out, size_t cap, uint32_t opc, uint32_t dpc, uint8_t sls, const char *called,
		       const char *calling, const uint8_t *data, size_t len)
{
	uint8_t called_a[16], calling_a[16];
	struct wbuf cd = wb_make(called_a, sizeof called_a), cg = wb_make(calling_a, sizeof calling_a);
	sccp_address(&cd, called);
	sccp_address(&cg, calling);
	struct wbuf b = wb_make(out, cap);
	wb_u8(&b, 1);    /* version */
	wb_u8(&b, 0);
	wb_u8(&b, 1);    /* class: transfer */
	wb_u8(&b, 1);    /* type: DATA */
	wb_be32(&b, 0);  /* length, filled below */
	wb_be16(&b, 0x0210); /* Protocol Data */
	size_t plen_at = b.len;
	wb_be16(&b, 0);
	wb_be32(&b, opc);
	wb_be32(&b, dpc);
	wb_u8(&b, 3);    /* SI: SCCP */
	wb_u8(&b, 2);    /* NI: national network */
	wb_u8(&b, 0);    /* MP */
	wb_u8(&b, sls);
	/* SCCP UDT */
	wb_u8(&b, 0x09);
	wb_u8(&b, 0x80); /* class 0, return message on error */
	wb_u8(&b, 3);
	wb_u8(&b, (unsigned)(3 + cd.len - 1));
	wb_u8(&b, (unsigned)(3 + cd.len - 1 + cg.len - 1));
	wb_mem(&b, cd.p, cd.len);
	wb_mem(&b, cg.p, cg.len);
	if (len > 255)
		gen_wb_overflow();
	wb_u8(&b, (unsigned)len);
	wb_mem(&b, data, len);
	wb_put_be16(b.p + plen_at, (unsigned)(b.len - plen_at + 2));
	while (b.len % 4)
		wb_u8(&b, 0);
	wb_put_be32(b.p + 4, (uint32_t)b.len);
	return b.len;
}

/* An SCTP packet from dir with an optional SACK for the peer's last TSN and a DATA chunk. */
static void sctp_send(struct gen_ctx *g, struct assoc *a, int dir, uint64_t ts, bool sack, const uint8_t *data,
		      size_t len)
{
	struct wbuf b = wb_make(g->l4, sizeof g->l4);
	wb_be16(&b, dir ? a->c.pb : a->c.pa);
	wb_be16(&b, dir ? a->c.pa : a->c.pb);
	wb_be32(&b, a->vtag[!dir]);
	wb_be32(&b, 0);
	if (sack) {
		wb_u8(&b, 3);
		wb_u8(&b, 0);
		wb_be16(&b, 16);
		wb_be32(&b, a->tsn[!dir] - 1); /* cumulative TSN ack: the peer's last */
		wb_be32(&b, 106496);           /* a_rwnd */
		wb_be16(&b, 0);
		wb_be16(&b, 0);
	}
	if (len) {
		wb_u8(&b, 0);
		wb_u8(&b, 0x03); /* B and E: unfragmented */
		wb_be16(&b, (unsigned)(16 + len));
		wb_be32(&b, a->tsn[dir]++);
		wb_be16(&b, 1);  /* stream 1 (0 is for management) */
		wb_be16(&b, a->sseq[dir]++);
		wb_be32(&b, PPID_M3UA);
		wb_mem(&b, data, len);
		while (b.len % 4)
			wb_u8(&b, 0);
	}
	uint32_t crc = gen_crc32c(b.p, b.len);
	/* the CRC goes on the wire least significant byte first (RFC 9260 appendix A) */
	b.p[8] = (uint8_t)crc;
	b.p[9] = (uint8_t)(crc >> 8);
	b.p[10] = (uint8_t)(crc >> 16);
	b.p[11] = (uint8_t)(crc >> 24);
	g->tag = len ? TAG_MAP : TAG_NONE;
	gen_ip(g, &a->c, dir, ts, b.p, b.len);
}

/*
 * One forwardSM dialogue. mo: the MSC sends mo-ForwardSM for `s` (SM-RP-OA its MSISDN,
 * the TPDU an SMS-SUBMIT to `peer`); otherwise the SMSC sends mt-ForwardSM to `s`
 * (SM-RP-DA its IMSI, an SMS-DELIVER from `peer`). Returns the time of the last packet.
 */
static uint64_t forward_sm(struct gen_ctx *g, struct subscriber *s, bool mo, const char *peer, uint64_t t)
{
	struct assoc *a = assoc_of(g);
	if (t <= a->busy_until)
		t = a->busy_until + 500;
	uint8_t tpdu[200], tcap[512], m3[768];
	size_t nt = mo ? gen_tpdu_submit(tpdu, sizeof tpdu, (uint8_t)gen_rng_below(&g->rng, 256), peer, &g->rng)
		       : gen_tpdu_deliver(tpdu, sizeof tpdu, peer, t, &g->rng);
	uint32_t otid = a->next_tid++;
	uint8_t invoke_id = (uint8_t)gen_rng_between(&g->rng, 1, 127);
	size_t nc = tcap_begin(tcap, sizeof tcap, otid, mo, smsc_gt, mo ? s->msisdn : s->imsi, tpdu, nt, invoke_id);
	int dir = mo ? 0 : 1; /* 0: MSC -> SMSC */
	uint8_t sls = (uint8_t)gen_rng_below(&g->rng, 16);
	size_t nm = mo ? m3ua_udt(m3, sizeof m3, PC_MSC, PC_SMSC, sls, smsc_gt, msc_gt, tcap, nc)
		       : m3ua_udt(m3, sizeof m3, PC_SMSC, PC_MSC, sls, msc_gt, smsc_gt, tcap, nc);
	sctp_send(g, a, dir, t, false, m3, nm);
	gen_truth(g, "\"type\":\"sms\",\"protocol\":\"map\",\"from\":\"+%s\",\"to\":\"+%s\",\"leg\":\"%s\","
		     "\"subscriber\":\"+%s\",\"imsi\":\"%s\",\"otid\":\"%08x\"",
		  mo ? s->msisdn : peer, mo ? peer : s->msisdn, mo ? "mo" : "mt", s->msisdn, s->imsi, otid);
	/* the answer: End with ReturnResultLast, its SCTP packet acknowledging the Begin */
	t += SIG_RTT_US + gen_rng_between(&g->rng, 20000, 100000);
	nc = tcap_end(tcap, sizeof tcap, otid, mo, invoke_id); /* the End's dtid is the Begin's otid */
	nm = mo ? m3ua_udt(m3, sizeof m3, PC_SMSC, PC_MSC, sls, msc_gt, smsc_gt, tcap, nc)
		: m3ua_udt(m3, sizeof m3, PC_MSC, PC_SMSC, sls, smsc_gt, msc_gt, tcap, nc);
	sctp_send(g, a, !dir, t, true, m3, nm);
	/* and the delayed SACK for it (RFC 9260 §6.2: within 200 ms) */
	t += gen_rng_between(&g->rng, 1000, 200000);
	sctp_send(g, a, dir, t, true, NULL, 0);
	a->busy_until = t;
	return t;
}

void gen_ep_map_sms(struct gen_ctx *g, const struct episode *e)
{
	int si = e->a != GEN_ANY ? (int)e->a : gen_pick_sub(g, false, false, -1);
	if (si < 0)
		return;
	struct subscriber *s = &g->subs[si];
	int other = gen_rng_chance(&g->rng, 0.5) ? gen_pick_sub(g, false, false, si) : -1;
	if (other >= 0) {
		/* both legs cross the link: s's mo-ForwardSM, then mt-ForwardSM to the other */
		uint64_t t = forward_sm(g, s, true, g->subs[other].msisdn, g->now);
		t = forward_sm(g, &g->subs[other], false, s->msisdn, t + gen_rng_between(&g->rng, 500, 3000) * 1000u);
		gen_sub_busy(g, (uint32_t)si, t);
		gen_sub_busy(g, (uint32_t)other, t);
		return;
	}
	char ext[16];
	snprintf(ext, sizeof ext, "447700900%03u", gen_rng_below(&g->rng, 1000));
	gen_sub_busy(g, (uint32_t)si, forward_sm(g, s, gen_rng_chance(&g->rng, 0.5), ext, g->now));
}
