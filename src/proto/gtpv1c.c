/*
 * gtpv1c.c — one GTPv1-C (3GPP TS 29.060 §6, §7) or GTPv0 (GSM 09.60 §6, §7.9) message
 * into a struct gtp_msg.
 *
 * GTPv1 header (§6):
 *   0      1      2..3     4..7   [8..9  10     11      ] [extension headers]
 *   flags  type   length   TEID   [seq   N-PDU  next-ext]  (present when E, S or PN)
 *   flags: version(3)=1 | PT(1)=1 (0 is GTP') | spare(1) | E | S | PN; length counts
 *   the bytes after the first 8. GTP-C always sets S.
 *
 * GTPv0 header (GSM 09.60 §6): 20 bytes
 *   flags  type  length  seq(2)  flow-label(2)  SNDCP-N-PDU(1)  spare(3)  TID(8)
 *   flags: version(3)=0 | PT(1)=1 | spare(3)=111 | SNN; length counts the bytes after 20;
 *   TID is the IMSI and NSAPI in TBCD.
 *
 * Information elements: a type below 128 is TV with a length fixed by the type (the
 * tables below; an unknown TV type cannot be stepped over, so the message is
 * malformed from there); 128 and up is TLV with a 16-bit length.
 *
 *   TV   1 Cause  2 IMSI (TBCD)  16 TEID Data I (v0: flow label)  17 TEID Control Plane
 *        20 NSAPI
 *   TLV  128 End User Address (PDP type org/number, IPv4 | IPv6 | both)  131 APN
 *        133 GSN Address (first: control plane, second: user plane)  134 MSISDN
 *        (AddressString: type of number octet, then TBCD)  151 RAT Type  152 ULI
 *        154 IMEI(SV) (TBCD)
 */
#include "proto/gtp.h"

#include <string.h>

/* Value bytes of the TV types (0: not a TV type of this version). TS 29.060 Table 37. */
static const uint8_t tv_len_v1[128] = {
	[1] = 1,  [2] = 8,  [3] = 6,  [4] = 4,  [5] = 4,  [8] = 1,  [9] = 28, [11] = 1,
	[12] = 3, [13] = 1, [14] = 1, [15] = 1, [16] = 4, [17] = 4, [18] = 5, [19] = 1,
	[20] = 1, [21] = 1, [22] = 9, [23] = 1, [24] = 1, [25] = 2, [26] = 2, [27] = 2,
	[28] = 2, [29] = 1, [126] = 1, [127] = 4,
};

/* GSM 09.60 §7.9: flow labels are 2 bytes, QoS profile a 3-byte TV. */
static const uint8_t tv_len_v0[128] = {
	[1] = 1,  [2] = 8,  [3] = 6,  [4] = 4,  [5] = 4,  [6] = 3,  [8] = 1,  [9] = 28,
	[11] = 1, [12] = 3, [13] = 1, [14] = 1, [15] = 1, [16] = 2, [17] = 2, [18] = 3,
	[19] = 1, [127] = 4,
};

enum {
	IE_CAUSE = 1,
	IE_IMSI = 2,
	IE_TEID_DATA = 16,
	IE_TEID_CTRL = 17,
	IE_NSAPI = 20,
	IE_EUA = 128,
	IE_APN = 131,
	IE_GSN_ADDR = 133,
	IE_MSISDN = 134,
	IE_RAT = 151,
	IE_ULI = 152,
	IE_IMEI = 154,
};

static enum gtp_kind kind_of(uint8_t type)
{
	switch (type) {
	case 1: case 2: return GTP_K_ECHO;
	case 16: return GTP_K_CREATE_REQ;
	case 17: return GTP_K_CREATE_RESP;
	case 18: return GTP_K_UPDATE_REQ;
	case 19: return GTP_K_UPDATE_RESP;
	case 20: return GTP_K_DELETE_REQ;
	case 21: return GTP_K_DELETE_RESP;
	default: return GTP_K_OTHER;
	}
}

/* Control message types of TS 29.060 Table 1 other than G-PDU and GTP-U's own. */
static bool known_v1_type(uint8_t t)
{
	return (t >= 1 && t <= 7) || (t >= 16 && t <= 23) || (t >= 27 && t <= 37) ||
	       (t >= 48 && t <= 60) || t == 70 || (t >= 96 && t <= 129);
}

static bool port_is(uint16_t sport, uint16_t dport, uint16_t port)
{
	return sport == port || dport == port;
}

bool gtpv1c_header_ok(const uint8_t *p, size_t len, uint16_t sport, uint16_t dport)
{
	struct cursor c = cur_make(p, len);
	uint8_t flags = cur_u8(&c), type = cur_u8(&c);
	uint16_t length = cur_be16(&c);
	if (!cur_ok(&c) || !(flags & 0x10) || port_is(sport, dport, 2152))
		return false; /* PT=0 is GTP'; 2152 is GTP-U, whose signalling is not GTP-C */
	/* Create/Update/Delete PDP Context on any port; the rest only on the GTP-C ports
	 * (an echo looks the same on GTP-U and GTP-C). */
	bool session_type = type >= 16 && type <= 21;
	if ((flags >> 5) == 1) {
		if ((flags & 0x08) || !(flags & 0x02) || (size_t)length + 8 != len)
			return false;
		return session_type || (port_is(sport, dport, GTPC_PORT) && known_v1_type(type));
	}
	if ((flags >> 5) == 0) {
		if ((flags & 0x0e) != 0x0e || (size_t)length + 20 != len)
			return false;
		return session_type || (port_is(sport, dport, GTP_V0_PORT) && type >= 1 && type <= 2);
	}
	return false;
}

/* End User Address (§7.7.27): spare | PDP type organisation, PDP type number, address. */
static void read_eua(struct span v, struct gtp_msg *m)
{
	struct cursor c = cur_make(v.ptr, v.len);
	uint8_t org = cur_u8(&c) & 0x0f, num = cur_u8(&c);
	if (!cur_ok(&c) || org != 1)
		return; /* ETSI (PPP) or broken: no IP address */
	uint8_t a4[4], a6[16];
	size_t rest = cur_remaining(&c);
	bool want4 = num == 0x21 || (num == 0x8d && (rest == 4 || rest == 20));
	bool want6 = num == 0x57 || (num == 0x8d && (rest == 16 || rest == 20));
	if (want4 && cur_has(&c, 4)) {
		cur_copy(&c, a4, 4);
		if (a4[0] | a4[1] | a4[2] | a4[3])
			addr_set_v4(&m->ue_v4, a4);
	}
	if (want6 && cur_has(&c, 16)) {
		cur_copy(&c, a6, 16);
		static const uint8_t zero[16];
		if (memcmp(a6, zero, 16) != 0) {
			addr_set_v6(&m->ue_v6, a6);
			m->ue_v6_prefix = 64; /* TS 29.061 §11.2.1.3: one /64 per PDP context */
		}
	}
}

/* ULI (§7.7.51): geographic location type, then CGI / SAI / RAI. */
static void read_uli(struct span v, struct gtp_uli *u)
{
	struct cursor c = cur_make(v.ptr, v.len);
	uint8_t type = cur_u8(&c);
	struct span plmn = cur_span(&c, 3);
	uint16_t lac = cur_be16(&c);
	uint16_t cell = type == 2 ? cur_u8(&c) : cur_be16(&c);
	if (!cur_ok(&c) || type > 2)
		return;
	gtp_plmn(plmn, u->mcc, u->mnc);
	u->area = lac;
	u->cell = cell;
	u->present = true;
}

static void on_ie(struct gtp_msg *m, uint8_t type, struct span v, unsigned *gsn_addrs)
{
	struct cursor c = cur_make(v.ptr, v.len);
	switch (type) {
	case IE_CAUSE:
		m->cause = cur_u8(&c);
		m->has_cause = cur_ok(&c);
		break;
	case IE_IMSI:
		gtp_tbcd(v, m->imsi, sizeof m->imsi);
		break;
	case IE_TEID_DATA:
		if (m->version == 1) {
			m->data.teid = cur_be32(&c);
			m->data.present = cur_ok(&c);
		}
		break;
	case IE_TEID_CTRL:
		if (m->version == 1) {
			m->ctrl.teid = cur_be32(&c);
			m->ctrl.present = cur_ok(&c);
		}
		break;
	case IE_NSAPI:
		if (m->version == 1) {
			m->ebi = cur_u8(&c) & 0x0f;
			m->has_ebi = cur_ok(&c);
		}
		break;
	case IE_EUA:
		read_eua(v, m);
		break;
	case IE_APN:
		gtp_apn(v, m->apn, sizeof m->apn);
		break;
	case IE_GSN_ADDR:
		/* the first is for signalling, the second for user traffic (§7.3.1) */
		if (*gsn_addrs == 0)
			cur_addr_whole(v, 0, &m->ctrl.addr);
		else if (*gsn_addrs == 1)
			cur_addr_whole(v, 0, &m->data.addr);
		(*gsn_addrs)++;
		break;
	case IE_MSISDN:
		/* MAP AddressString: the type-of-number octet, then TBCD digits */
		cur_skip(&c, 1);
		gtp_tbcd(cur_rest(&c), m->msisdn, sizeof m->msisdn);
		break;
	case IE_RAT:
		m->rat = cur_u8(&c);
		m->has_rat = cur_ok(&c);
		break;
	case IE_ULI:
		read_uli(v, &m->uli);
		break;
	case IE_IMEI:
		gtp_tbcd(v, m->imei, sizeof m->imei);
		break;
	default:
		break;
	}
}

enum gtp_result gtpv1c_parse(const uint8_t *p, size_t len, bool cut, struct gtp_msg *m)
{
	memset(m, 0, sizeof *m);
	struct cursor c = cur_make(p, len);
	uint8_t flags = cur_u8(&c);
	m->version = flags >> 5;
	if (!cur_ok(&c) || m->version > 1 || !(flags & 0x10))
		return GTP_NOT_GTPC;
	m->type = cur_u8(&c);
	uint16_t length = cur_be16(&c);
	size_t hdr = m->version == 0 ? 20 : 8;
	if (m->version == 1) {
		m->teid = cur_be32(&c);
		m->has_teid = true;
	} else {
		m->seq = cur_be16(&c);
		cur_skip(&c, 2 + 1 + 3); /* flow label, SNDCP N-PDU number, spare */
		cur_copy(&c, m->tid, sizeof m->tid);
	}
	if (!cur_ok(&c))
		return cut ? GTP_TRUNCATED : GTP_MALFORMED;
	m->kind = kind_of(m->type);
	m->length = hdr + length;

	bool short_body = false;
	struct cursor body = cur_sub(&c, length, &short_body);
	if (short_body && !cut)
		return GTP_MALFORMED; /* the length claims bytes the datagram does not have */
	if (m->version == 1 && (flags & 0x07)) {
		m->seq = cur_be16(&body);
		cur_skip(&body, 1); /* N-PDU number */
		uint8_t next = cur_u8(&body);
		for (int i = 0; (flags & 0x04) && next != 0 && cur_ok(&body); i++) {
			/* (length in 4-byte units, content, next type); 0 units cannot be */
			uint8_t units = cur_u8(&body);
			if (i == GTP_MAX_EXT_HEADERS || (cur_ok(&body) && units == 0))
				return GTP_MALFORMED;
			cur_skip(&body, (size_t)units * 4 - 2);
			next = cur_u8(&body);
		}
	}
	if (!cur_ok(&body))
		return short_body ? GTP_TRUNCATED : GTP_MALFORMED;
	if (m->version == 0) {
		/* the TID: 15 IMSI digits then the NSAPI */
		char tid[17];
		struct span s = { m->tid, sizeof m->tid };
		if (gtp_tbcd(s, tid, sizeof tid) && strlen(tid) == 16) {
			memcpy(m->imsi, tid, 15);
			m->imsi[15] = '\0';
			m->has_ebi = true;
			m->ebi = (uint8_t)(tid[15] - '0');
		}
	}
	if (m->kind == GTP_K_OTHER || m->kind == GTP_K_ECHO)
		return GTP_OK; /* nothing we read: the IEs are not walked */

	const uint8_t *tv_len = m->version == 0 ? tv_len_v0 : tv_len_v1;
	unsigned gsn_addrs = 0;
	while (!cur_at_end(&body)) {
		if (++m->nies > GTP_MAX_IES)
			return GTP_MALFORMED;
		uint8_t type = cur_u8(&body);
		size_t vlen;
		if (type < 128) {
			vlen = tv_len[type];
			if (vlen == 0)
				return GTP_MALFORMED; /* unknown TV: its length cannot be known */
		} else {
			vlen = cur_be16(&body);
		}
		struct span v = cur_span(&body, vlen);
		if (!cur_ok(&body))
			return short_body ? GTP_TRUNCATED : GTP_MALFORMED;
		if (v.len > 0)
			on_ie(m, type, v, &gsn_addrs);
	}
	return short_body ? GTP_TRUNCATED : GTP_OK;
}
