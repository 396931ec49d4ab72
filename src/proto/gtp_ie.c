/*
 * gtp_ie.c — information element codecs shared by GTPv0/v1-C (3GPP TS 29.060 §7.7) and
 * GTPv2-C (TS 29.274 §8): TBCD digit strings (IMSI, MSISDN, IMEI; TS 29.002), the APN's
 * label encoding (TS 23.003 §9.1), the PLMN identity (TS 24.008 §10.5.1.3), and which
 * causes accept a request.
 *
 *   TBCD      0x21 0x43 0xf5      → "12345"     (low nibble first; 0xF fills the last octet)
 *   APN       0x08 "internet" 0x03 "mnc"  → "internet.mnc"
 *   PLMN      MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1   (MNC3 = 0xF for a two-digit MNC)
 */
#include "proto/gtp.h"

#include <string.h>

#include "core/cursor.h"
#include "core/str.h"

bool gtp_tbcd(struct span s, char *out, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return false;
	out[0] = '\0';
	for (size_t i = 0; i < s.len; i++) {
		uint8_t nib[2] = { (uint8_t)(s.ptr[i] & 0x0f), (uint8_t)(s.ptr[i] >> 4) };
		for (int k = 0; k < 2; k++) {
			if (nib[k] == 0x0f) {
				/* the filler ends the digits (what follows it is padding) */
				out[n] = '\0';
				return n > 0;
			}
			if (nib[k] > 9 || n + 1 >= cap)
				goto bad;
			out[n++] = (char)('0' + nib[k]);
		}
	}
	out[n] = '\0';
	return n > 0;
bad:
	out[0] = '\0';
	return false;
}

static bool apn_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* The labels (a length octet, then that many octets) walked with the cursor. */
bool gtp_apn(struct span s, char *out, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return false;
	out[0] = '\0';
	struct cursor c = cur_make(s.ptr, s.len);
	while (!cur_at_end(&c)) {
		uint8_t l = cur_u8(&c);
		struct span label = cur_span(&c, l);
		if (l == 0 || !cur_ok(&c))
			goto bad; /* a label running past the IE: not label-encoded */
		if (n > 0) {
			if (n + 1 >= cap)
				goto bad;
			out[n++] = '.';
		}
		for (size_t k = 0; k < label.len; k++) {
			if (!apn_char_ok(label.ptr[k]) || n + 1 >= cap)
				goto bad;
			out[n++] = str_lower_char((char)label.ptr[k]);
		}
	}
	out[n] = '\0';
	return n > 0;
bad:
	out[0] = '\0';
	return false;
}

void gtp_plmn(struct span s, char mcc[4], char mnc[4])
{
	mcc[0] = mnc[0] = '\0';
	if (s.len < 3)
		return;
	uint8_t d[6] = {
		(uint8_t)(s.ptr[0] & 0x0f), (uint8_t)(s.ptr[0] >> 4), (uint8_t)(s.ptr[1] & 0x0f), /* MCC */
		(uint8_t)(s.ptr[2] & 0x0f), (uint8_t)(s.ptr[2] >> 4), (uint8_t)(s.ptr[1] >> 4),  /* MNC */
	};
	for (int k = 0; k < 5; k++)
		if (d[k] > 9)
			return;
	for (int k = 0; k < 3; k++)
		mcc[k] = (char)('0' + d[k]);
	mcc[3] = '\0';
	mnc[0] = (char)('0' + d[3]);
	mnc[1] = (char)('0' + d[4]);
	mnc[2] = d[5] <= 9 ? (char)('0' + d[5]) : '\0';
	mnc[3] = '\0';
}

bool gtp_cause_accepted(uint8_t version, uint8_t cause)
{
	if (version == 2)
		return cause >= 16 && cause <= 63;   /* TS 29.274 Table 8.4-1: acceptance */
	return cause >= 128 && cause <= 191;         /* TS 29.060 §7.7.1: acceptance */
}

enum gtp_result gtp_msg_parse(const uint8_t *p, size_t len, bool cut, struct gtp_msg *m)
{
	struct cursor c = cur_make(p, len);
	if (!cur_has(&c, 1))
		return GTP_NOT_GTPC;
	switch (cur_peek_u8(&c, 0) >> 5) {
	case 0:
	case 1:
		return gtpv1c_parse(p, len, cut, m);
	case 2:
		return gtpv2c_parse(p, len, cut, m);
	default:
		return GTP_NOT_GTPC;
	}
}
