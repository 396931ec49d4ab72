/*
 * map.c — GSM MAP (3GPP TS 29.002) arguments an SMS's addressing needs.
 *
 *   MO-ForwardSM-Arg / MT-ForwardSM-Arg / ForwardSM-Arg ::= SEQUENCE {
 *       sm-RP-DA   SM-RP-DA,   sm-RP-OA   SM-RP-OA,   sm-RP-UI   SignalInfo (OCTET STRING),
 *       ... (moreMessagesToSend, extensionContainer, imsi: not read) }
 *   SM-RP-DA ::= CHOICE { imsi [0] IMSI, lmsi [1] LMSI, roamingNumber [3] (v1),
 *                         serviceCentreAddressDA [4] AddressString, noSM-RP-DA [5] NULL }
 *   SM-RP-OA ::= CHOICE { msisdn [2] ISDN-AddressString,
 *                         serviceCentreAddressOA [4] AddressString, noSM-RP-OA [5] NULL }
 *   AddressString: octet 1 extension bit, nature of address (bits 7..5), numbering plan
 *   (bits 4..1); then TBCD digits, low nibble first, F filling.  IMSI: TBCD, 3..8 octets.
 *
 * Application context names (§17.3.3): {itu-t(0) identified-organization(4) etsi(0)
 * mobileDomain(0) gsm-Network(1) ac-Id(0) <id> <version>}. CAMEL's CAP contexts share
 * the prefix with ids 50..52 (and 0.4.0.0.1.21/22 for later phases): not MAP.
 */
#include "proto/map.h"

#include <string.h>

#include "proto/sms_tpdu.h"

enum {
	AC_PREFIX_LEN = 6,
	CAP_FIRST_AC_ID = 50,   /* cap-gsmSSF-to-gsmSCF and the CAP v2 contexts after it */
	NOA_RESERVED_5 = 5,     /* AddressString nature of address 101: reserved, not alphanumeric */
	ADDRESS_STRING_MAX = 20,
	IMSI_MIN_OCTETS = 3,
	IMSI_MAX_OCTETS = 8,
};

bool map_ac_from_oid(const uint32_t *arcs, int n, struct map_ac *out)
{
	static const uint32_t prefix[AC_PREFIX_LEN] = { 0, 4, 0, 0, 1, 0 };
	memset(out, 0, sizeof *out);
	if (n != AC_PREFIX_LEN + 2)
		return false;
	for (int i = 0; i < AC_PREFIX_LEN; i++)
		if (arcs[i] != prefix[i])
			return false;
	uint32_t id = arcs[AC_PREFIX_LEN], version = arcs[AC_PREFIX_LEN + 1];
	if (id == 0 || id >= CAP_FIRST_AC_ID || version == 0 || version > 4)
		return false;
	out->map = true;
	out->id = (uint8_t)id;
	out->version = (uint8_t)version;
	return true;
}

void map_address_string(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	struct cursor c = cur_make(p, len);
	uint8_t toa = cur_u8(&c);
	if (!cur_ok(&c) || len > ADDRESS_STRING_MAX) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	/* sms_bcd_address reads TON 5 as GSM 7-bit text; for an AddressString it is reserved */
	if (((toa >> 4) & 0x07) == NOA_RESERVED_5)
		toa &= 0x8f;
	struct span digits = cur_rest(&c);
	sms_bcd_address(toa, digits.ptr, digits.len, out, outlen);
}

bool map_imsi(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	static const char prefix[] = "imsi:";
	if (outlen < sizeof prefix + 2 * IMSI_MAX_OCTETS || len < IMSI_MIN_OCTETS || len > IMSI_MAX_OCTETS)
		return false;
	memcpy(out, prefix, sizeof prefix);
	size_t n = sizeof prefix - 1;
	struct cursor c = cur_make(p, len);
	for (size_t i = 0; i < len; i++) {
		uint8_t b = cur_u8(&c);
		uint8_t lo = b & 0x0f, hi = b >> 4;
		if (lo > 9)
			return false;
		out[n++] = (char)('0' + lo);
		if (hi == 0x0f && i + 1 == len)
			break; /* filler after an odd count */
		if (hi > 9)
			return false;
		out[n++] = (char)('0' + hi);
	}
	out[n] = '\0';
	size_t digits = n - (sizeof prefix - 1);
	return digits >= 5 && digits <= 15;
}

/* One SM-RP-DA or SM-RP-OA choice. */
static bool read_rp_addr(const struct ber_tlv *t, struct map_rp_addr *a)
{
	struct span s;
	if (t->cls != BER_CONTEXT || t->constructed || t->tag > MAP_RP_NONE || !ber_bytes(t, &s))
		return false;
	a->present = true;
	a->choice = (uint8_t)t->tag;
	a->text[0] = '\0';
	switch (a->choice) {
	case MAP_RP_IMSI:
		return map_imsi(s.ptr, s.len, a->text, sizeof a->text);
	case MAP_RP_LMSI:
		return s.len == 4; /* a local id in the VLR: no party */
	case MAP_RP_MSISDN:
	case MAP_RP_ROAMING_NUMBER:
	case MAP_RP_SERVICE_CENTRE:
		if (s.len < 1 || s.len > ADDRESS_STRING_MAX)
			return false;
		map_address_string(s.ptr, s.len, a->text, sizeof a->text);
		return true;
	default: /* noSM-RP-DA / noSM-RP-OA: NULL */
		return s.len == 0;
	}
}

static enum tcap_status from_ber(enum ber_status st)
{
	return st == BER_TRUNCATED ? TCAP_TRUNCATED : st == BER_DEPTH ? TCAP_DEPTH : TCAP_MALFORMED;
}

enum tcap_status map_forward_sm_parse(const struct ber_tlv *param, struct map_forward_sm *out)
{
	memset(out, 0, sizeof *out);
	if (!ber_is(param, BER_UNIVERSAL, true, BER_TAG_SEQUENCE))
		return TCAP_MALFORMED;
	struct ber b = param->value;
	struct ber_tlv t;
	/* sm-RP-DA, sm-RP-OA: context-tagged, in that order */
	struct map_rp_addr *addrs[2] = { &out->da, &out->oa };
	for (int i = 0; i < 2; i++) {
		enum ber_status st = ber_next(&b, &t);
		if (st == BER_END)
			return b.cut ? TCAP_TRUNCATED : TCAP_MALFORMED;
		if (st != BER_OK)
			return from_ber(st);
		if (!read_rp_addr(&t, addrs[i]))
			return TCAP_MALFORMED;
	}
	if (out->oa.choice == MAP_RP_IMSI || out->oa.choice == MAP_RP_LMSI || out->oa.choice == MAP_RP_ROAMING_NUMBER ||
	    out->da.choice == MAP_RP_MSISDN)
		return TCAP_MALFORMED; /* choices the other element does not have */
	enum ber_status st = ber_next(&b, &t);
	if (st == BER_END)
		return b.cut ? TCAP_TRUNCATED : TCAP_MALFORMED;
	if (st != BER_OK && st != BER_TRUNCATED)
		return from_ber(st);
	if (!ber_is(&t, BER_UNIVERSAL, false, BER_TAG_OCTET_STRING))
		return st == BER_TRUNCATED ? TCAP_TRUNCATED : TCAP_MALFORMED; /* constructed strings not taken */
	struct cursor ui = t.value.cur;
	out->ui = cur_rest(&ui);
	out->ui_cut = st == BER_TRUNCATED;
	if (out->ui.len == 0)
		return out->ui_cut ? TCAP_TRUNCATED : TCAP_MALFORMED;
	return out->ui_cut ? TCAP_TRUNCATED : TCAP_OK;
}
