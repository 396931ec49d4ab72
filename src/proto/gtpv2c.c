/*
 * gtpv2c.c — one GTPv2-C message (3GPP TS 29.274 §5, §8) into a struct gtp_msg.
 *
 * Header (§5.1):
 *   0      1      2..3     [4..7]   4..6 or 8..10   7 or 11
 *   flags  type   length   [TEID]   sequence (24)   spare / message priority
 *   flags: version(3)=2 | P (a piggybacked message follows) | T (TEID present) | MP |
 *   spare(2); length counts the bytes after the first 4.
 *
 * Information elements (§8.2): type(1) length(2) spare(4)|instance(4) value. Grouped
 * IEs (Bearer Context, 93) hold IEs of the same shape; they are read to a depth of
 * GTP_MAX_GROUP_DEPTH. An IE whose length runs past its container is malformed (or
 * truncated when the capture cut the datagram).
 *
 *   1 IMSI (TBCD)  2 Cause  71 APN  73 EBI (top level: a Delete's linked EBI)
 *   75 MEI (TBCD)  76 MSISDN (TBCD, no type-of-number octet)  79 PAA  82 RAT Type
 *   86 ULI  87 F-TEID (instance 0 at top level: the sender's control plane)
 *   93 Bearer Context (its EBI and first F-TEID)
 *
 *   PAA (§8.14):    spare | PDN type (1 IPv4, 2 IPv6, 3 IPv4v6)
 *                   IPv4: address(4)   IPv6: prefix length, address(16)
 *                   IPv4v6: prefix length, IPv6 address(16), IPv4 address(4)
 *   F-TEID (§8.22): V4 | V6 | interface type(6), TEID(4), [IPv4(4)], [IPv6(16)]
 */
#include "proto/gtp.h"

#include <string.h>

enum {
	IE_IMSI = 1,
	IE_CAUSE = 2,
	IE_APN = 71,
	IE_EBI = 73,
	IE_MEI = 75,
	IE_MSISDN = 76,
	IE_PAA = 79,
	IE_RAT = 82,
	IE_ULI = 86,
	IE_FTEID = 87,
	IE_BEARER_CTX = 93,
};

static enum gtp_kind kind_of(uint8_t type)
{
	switch (type) {
	case 1: case 2: return GTP_K_ECHO;
	case 32: return GTP_K_CREATE_REQ;
	case 33: return GTP_K_CREATE_RESP;
	case 34: return GTP_K_UPDATE_REQ;
	case 35: return GTP_K_UPDATE_RESP;
	case 36: return GTP_K_DELETE_REQ;
	case 37: return GTP_K_DELETE_RESP;
	case 95: return GTP_K_BEARER_REQ;
	case 96: return GTP_K_BEARER_RESP;
	default: return GTP_K_OTHER;
	}
}

/* Message types of TS 29.274 Table 6.1-1 (not the ranges reserved for GTP' or others). */
static bool known_v2_type(uint8_t t)
{
	return (t >= 1 && t <= 3) || (t >= 32 && t <= 41) || (t >= 64 && t <= 73) ||
	       (t >= 95 && t <= 102) || (t >= 128 && t <= 141) || (t >= 149 && t <= 155) ||
	       (t >= 160 && t <= 179) || t == 200 || t == 201 || t == 211 || t == 212 ||
	       t == 231 || t == 232;
}

bool gtpv2c_header_ok(const uint8_t *p, size_t len, uint16_t sport, uint16_t dport)
{
	struct cursor c = cur_make(p, len);
	uint8_t flags = cur_u8(&c), type = cur_u8(&c);
	uint16_t length = cur_be16(&c);
	if (!cur_ok(&c) || (flags >> 5) != 2 || (flags & 0x03) || sport == 2152 || dport == 2152)
		return false;
	size_t total = (size_t)length + 4;
	size_t min = (flags & 0x08) ? 12 : 8;
	if (total < min || total > len || (total < len && !(flags & 0x10)))
		return false; /* only a piggybacked message may have another after it */
	bool on_port = sport == GTPC_PORT || dport == GTPC_PORT;
	enum gtp_kind k = kind_of(type);
	if (k == GTP_K_ECHO)
		return on_port && !(flags & 0x08); /* echoes carry no TEID (§5.5.1) */
	bool session_type = k != GTP_K_OTHER;
	return (flags & 0x08) && (session_type || (on_port && known_v2_type(type)));
}

static bool nonzero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return true;
	return false;
}

static void read_paa(struct span v, struct gtp_msg *m)
{
	struct cursor c = cur_make(v.ptr, v.len);
	uint8_t type = cur_u8(&c) & 0x07;
	uint8_t a4[4], a6[16], plen = 0;
	bool have4 = false, have6 = false;
	if (type == 2 || type == 3) {
		plen = cur_u8(&c);
		cur_copy(&c, a6, 16);
		have6 = cur_ok(&c);
	}
	if (type == 1 || type == 3) {
		cur_copy(&c, a4, 4);
		have4 = cur_ok(&c);
	}
	/* 0.0.0.0 and :: in a request ask for a dynamic address: nothing assigned yet */
	if (have4 && nonzero(a4, 4))
		addr_set_v4(&m->ue_v4, a4);
	if (have6 && nonzero(a6, 16) && plen > 0 && plen <= 128) {
		addr_set_v6(&m->ue_v6, a6);
		m->ue_v6_prefix = plen;
	}
}

static void read_fteid(struct span v, struct gtp_endpoint *e)
{
	struct cursor c = cur_make(v.ptr, v.len);
	uint8_t flags = cur_u8(&c);
	uint32_t teid = cur_be32(&c);
	uint8_t a[16];
	struct ip_addr addr = { 0 };
	if (flags & 0x80) {
		cur_copy(&c, a, 4);
		if (cur_ok(&c))
			addr_set_v4(&addr, a);
	}
	if ((flags & 0x40) && addr.family == 0) {
		cur_copy(&c, a, 16);
		if (cur_ok(&c))
			addr_set_v6(&addr, a);
	}
	if (!cur_ok(&c))
		return;
	e->present = true;
	e->teid = teid;
	e->addr = addr;
}

/* ULI (§8.21): which parts follow, then CGI, SAI, RAI (7 each), TAI (5), ECGI (7), LAI (5). */
static void read_uli(struct span v, struct gtp_uli *u)
{
	struct cursor c = cur_make(v.ptr, v.len);
	uint8_t flags = cur_u8(&c);
	for (int bit = 0; bit < 5 && cur_ok(&c); bit++) {
		if (!(flags & (1u << bit)))
			continue;
		struct span plmn = cur_span(&c, 3);
		if (bit <= 2) { /* CGI, SAI, RAI: LAC and CI / SAC / RAC */
			uint16_t lac = cur_be16(&c), cell = cur_be16(&c);
			if (cur_ok(&c) && !u->present) {
				gtp_plmn(plmn, u->mcc, u->mnc);
				u->area = lac;
				u->cell = cell;
				u->present = true;
			}
		} else if (bit == 3) { /* TAI: TAC */
			uint16_t tac = cur_be16(&c);
			if (cur_ok(&c)) {
				gtp_plmn(plmn, u->mcc, u->mnc);
				u->area = tac;
				u->present = true;
			}
		} else { /* ECGI: 4 spare bits, 28-bit ECI */
			uint32_t eci = cur_be32(&c) & 0x0fffffffu;
			if (cur_ok(&c)) {
				if (!u->present)
					gtp_plmn(plmn, u->mcc, u->mnc);
				u->cell = eci;
				u->present = true;
			}
		}
	}
}

struct walk {
	struct gtp_msg *m;
	bool top_ebi, bearer_ebi;
	uint8_t bearer_ebi_val;
};

/* Reads the IEs in c; false when they are broken (an IE past its container, too deep). */
static bool read_ies(struct walk *w, struct cursor *c, int depth, bool in_bearer)
{
	struct gtp_msg *m = w->m;
	if (depth > GTP_MAX_GROUP_DEPTH)
		return false;
	while (!cur_at_end(c)) {
		if (++m->nies > GTP_MAX_IES)
			return false;
		uint8_t type = cur_u8(c);
		uint16_t vlen = cur_be16(c);
		uint8_t instance = cur_u8(c) & 0x0f;
		struct span v = cur_span(c, vlen);
		if (!cur_ok(c))
			return false;
		struct cursor vc = cur_make(v.ptr, v.len);
		switch (type) {
		case IE_IMSI:
			if (!in_bearer)
				gtp_tbcd(v, m->imsi, sizeof m->imsi);
			break;
		case IE_CAUSE:
			if (!in_bearer) {
				m->cause = cur_u8(&vc);
				m->has_cause = cur_ok(&vc);
			}
			break;
		case IE_APN:
			gtp_apn(v, m->apn, sizeof m->apn);
			break;
		case IE_EBI: {
			uint8_t ebi = cur_u8(&vc) & 0x0f;
			if (!cur_ok(&vc))
				break;
			if (!in_bearer && instance == 0) {
				w->top_ebi = true;
				m->ebi = ebi;
			} else if (in_bearer && !w->bearer_ebi) {
				w->bearer_ebi = true;
				w->bearer_ebi_val = ebi;
			}
			break;
		}
		case IE_MEI:
			gtp_tbcd(v, m->imei, sizeof m->imei);
			break;
		case IE_MSISDN:
			gtp_tbcd(v, m->msisdn, sizeof m->msisdn);
			break;
		case IE_PAA:
			read_paa(v, m);
			break;
		case IE_RAT:
			m->rat = cur_u8(&vc);
			m->has_rat = cur_ok(&vc);
			break;
		case IE_ULI:
			read_uli(v, &m->uli);
			break;
		case IE_FTEID:
			if (!in_bearer && instance == 0)
				read_fteid(v, &m->ctrl);
			else if (in_bearer && !m->data.present)
				read_fteid(v, &m->data);
			break;
		case IE_BEARER_CTX:
			if (!read_ies(w, &vc, depth + 1, true))
				return false;
			break;
		default:
			break;
		}
	}
	return cur_ok(c);
}

enum gtp_result gtpv2c_parse(const uint8_t *p, size_t len, bool cut, struct gtp_msg *m)
{
	memset(m, 0, sizeof *m);
	struct cursor c = cur_make(p, len);
	uint8_t flags = cur_u8(&c);
	m->version = flags >> 5;
	if (!cur_ok(&c) || m->version != 2)
		return GTP_NOT_GTPC;
	m->type = cur_u8(&c);
	uint16_t length = cur_be16(&c);
	if (!cur_ok(&c))
		return cut ? GTP_TRUNCATED : GTP_MALFORMED;
	m->kind = kind_of(m->type);
	m->piggyback = (flags & 0x10) != 0;
	m->length = (size_t)length + 4;

	bool short_body = false;
	struct cursor body = cur_sub(&c, length, &short_body);
	if (short_body && !cut)
		return GTP_MALFORMED;
	if (flags & 0x08) {
		m->has_teid = true;
		m->teid = cur_be32(&body);
	}
	m->seq = cur_be24(&body);
	cur_skip(&body, 1);
	if (!cur_ok(&body))
		return short_body ? GTP_TRUNCATED : GTP_MALFORMED;
	if (m->kind == GTP_K_OTHER || m->kind == GTP_K_ECHO)
		return short_body ? GTP_TRUNCATED : GTP_OK;

	struct walk w = { .m = m };
	bool ok = read_ies(&w, &body, 0, false);
	if (w.top_ebi) {
		m->has_ebi = true;
	} else if (w.bearer_ebi) {
		m->has_ebi = true;
		m->ebi = w.bearer_ebi_val;
	}
	if (!ok)
		return short_body ? GTP_TRUNCATED : GTP_MALFORMED;
	return short_body ? GTP_TRUNCATED : GTP_OK;
}
