/*
 * sua.c — SUA, the SCCP user adaptation layer (RFC 3868), connectionless class (7):
 * CLDT (type 1, §3.3.1.1) and CLDR (type 2, §3.3.1.2, a message returned undelivered),
 * read into the same unitdata an SCCP UDT gives. The common header and parameter
 * format are M3UA's (m3ua.c).
 *
 *   Source Address 0x0102 (calling), Destination Address 0x0103 (called), Data 0x010B
 *   (the TCAP), Protocol Class 0x0115, Segmentation 0x0117, SCCP Cause 0x0106
 *
 *   address (§3.10.2)  routing indicator (2) | address indicator (2) | sub-parameters:
 *     Global Title 0x8001  reserved (3) | GTI | number of digits | TT | NP | NAI | BCD digits
 *     Point Code 0x8002    point code (4)
 *     SSN 0x8003           reserved (3) | SSN
 *   routing indicator 1 is "route on global title"; the GT digits are BCD, first digit
 *   in the low nibble, as in SCCP.
 *
 * A CLDT whose Segmentation parameter is not "first segment, none remaining" is one
 * segment of a longer message: reported as segmented, never reassembled.
 */
#include <string.h>

#include "proto/sigtran.h"

enum {
	SUA_CLASS_CL = 7,
	SUA_TYPE_CLDT = 1,
	SUA_TYPE_CLDR = 2,
	TAG_SOURCE_ADDRESS = 0x0102,
	TAG_DESTINATION_ADDRESS = 0x0103,
	TAG_SCCP_CAUSE = 0x0106,
	TAG_DATA = 0x010b,
	TAG_PROTOCOL_CLASS = 0x0115,
	TAG_SEGMENTATION = 0x0117,
	SUB_GLOBAL_TITLE = 0x8001,
	SUB_POINT_CODE = 0x8002,
	SUB_SSN = 0x8003,
	RI_ROUTE_ON_GT = 1,
	MAX_SUB_PARAMS = 8,
};

static void gt_digits(struct cursor *c, unsigned ndigits, char *out)
{
	size_t n = 0;
	while (n < ndigits && n < SCCP_MAX_DIGITS && cur_remaining(c) > 0) {
		uint8_t b = cur_u8(c);
		out[n++] = "0123456789abcdef"[b & 0x0f];
		if (n < ndigits && n < SCCP_MAX_DIGITS)
			out[n++] = "0123456789abcdef"[b >> 4];
	}
	out[n] = '\0';
}

static enum sig_status sua_address(struct cursor v, struct sccp_addr *a)
{
	memset(a, 0, sizeof *a);
	uint16_t ri = cur_be16(&v);
	cur_skip(&v, 2); /* address indicator: which sub-parameters to use; all are read */
	if (!cur_ok(&v))
		return SIG_MALFORMED;
	a->present = true;
	a->route_on_gt = ri == RI_ROUTE_ON_GT;
	for (int i = 0; i < MAX_SUB_PARAMS; i++) {
		uint16_t tag;
		struct cursor sv;
		enum sig_status st = sigtran_ua_param(&v, false, &tag, &sv);
		if (st == SIG_OTHER)
			break;
		if (st != SIG_OK)
			return SIG_MALFORMED;
		switch (tag) {
		case SUB_GLOBAL_TITLE: {
			cur_skip(&sv, 3);
			a->gti = cur_u8(&sv);
			uint8_t ndigits = cur_u8(&sv);
			a->tt = cur_u8(&sv);
			a->np = cur_u8(&sv);
			a->nai = cur_u8(&sv);
			if (!cur_ok(&sv) || cur_remaining(&sv) < (ndigits + 1u) / 2u)
				return SIG_MALFORMED;
			a->has_gt = true;
			gt_digits(&sv, ndigits, a->digits);
			break;
		}
		case SUB_POINT_CODE:
			a->pc = cur_be32(&sv);
			if (!cur_ok(&sv))
				return SIG_MALFORMED;
			a->has_pc = true;
			break;
		case SUB_SSN:
			cur_skip(&sv, 3);
			a->ssn = cur_u8(&sv);
			if (!cur_ok(&sv))
				return SIG_MALFORMED;
			a->has_ssn = true;
			break;
		default:
			break; /* IP addresses, host names: not SS7 addressing */
		}
	}
	return SIG_OK;
}

enum sig_status sua_parse(const uint8_t *p, size_t len, bool cut, struct sccp_unitdata *out, size_t *msg_len)
{
	memset(out, 0, sizeof *out);
	struct ua_msg u;
	enum sig_status st = sigtran_ua_open(p, len, cut, SUA_CLASS_CL, 1u << SUA_TYPE_CLDT | 1u << SUA_TYPE_CLDR, &u,
					     msg_len);
	if (st != SIG_OK)
		return st;
	out->type = u.type == SUA_TYPE_CLDT ? SCCP_UDT : SCCP_UDTS;
	out->service = u.type == SUA_TYPE_CLDR;
	bool have_data = false;
	uint16_t tag;
	struct cursor v;
	while ((st = sigtran_ua_next(&u, &tag, &v)) != SIG_OTHER) {
		if (st == SIG_MALFORMED)
			return st;
		if (st == SIG_TRUNCATED && tag != TAG_DATA)
			return st;
		switch (tag) {
		case TAG_SOURCE_ADDRESS:
			if (sua_address(v, &out->calling) != SIG_OK)
				return SIG_MALFORMED;
			break;
		case TAG_DESTINATION_ADDRESS:
			if (sua_address(v, &out->called) != SIG_OK)
				return SIG_MALFORMED;
			break;
		case TAG_PROTOCOL_CLASS:
			cur_skip(&v, 3);
			out->protocol_class = cur_u8(&v) & 0x0f;
			break;
		case TAG_SCCP_CAUSE:
			cur_skip(&v, 3);
			out->return_cause = cur_u8(&v);
			break;
		case TAG_SEGMENTATION: { /* first-segment bit, remaining segments (7 bits), reference */
			uint8_t b = cur_u8(&v);
			out->segmented = !cur_ok(&v) || !((b & 0x80) && (b & 0x7f) == 0);
			break;
		}
		case TAG_DATA:
			out->data = cur_rest(&v);
			out->data_cut = st == SIG_TRUNCATED;
			have_data = out->data.len > 0;
			break;
		default:
			break;
		}
		if (st == SIG_TRUNCATED)
			break;
	}
	if (!have_data)
		return u.params_cut ? SIG_TRUNCATED : (out->service ? SIG_OTHER : SIG_MALFORMED);
	if (!out->calling.present || !out->called.present)
		return out->data_cut ? SIG_TRUNCATED : SIG_MALFORMED; /* both are mandatory */
	return SIG_OK;
}
