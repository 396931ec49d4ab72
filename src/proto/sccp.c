/*
 * sccp.c — SCCP connectionless messages (ITU-T Q.713 §4.10 UDT, §4.11 UDTS, §4.18
 * XUDT, §4.19 XUDTS, §4.20 LUDT, §4.21 LUDTS) and party addresses (§3.4).
 *
 *   UDT    type | class | ptr called | ptr calling | ptr data
 *   UDTS   type | cause | ptr called | ptr calling | ptr data
 *   XUDT   type | class | hop counter | ptr called | ptr calling | ptr data | ptr optional
 *   XUDTS  type | cause | hop counter | ptr called | ptr calling | ptr data | ptr optional
 *   LUDT/LUDTS as XUDT/XUDTS with 2-octet pointers and a 2-octet data length
 *
 * A pointer counts the octets from itself (included) to its parameter's length octet;
 * 0 means an absent optional part. The optional part is name, length, value ... ended
 * by a 0 name; only Segmentation (0x10) is read: a segment of a longer message (not
 * "first segment, none remaining") is reported as such, never reassembled.
 *
 *   party address   AI | [PC, 2 octets LSB first] | [SSN] | [global title]
 *   AI              bit 8 national, bit 7 routing indicator (1: on SSN), bits 6..3 GTI,
 *                   bit 2 SSN present, bit 1 PC present (ITU order)
 *   GTI 1           odd/even + nature of address | digits
 *   GTI 2           translation type | digits
 *   GTI 3           translation type | numbering plan + encoding scheme | digits
 *   GTI 4           translation type | numbering plan + encoding scheme | nature of address | digits
 *   digits          BCD, low nibble first; an odd count leaves the last high nibble as filler
 */
#include <string.h>

#include "proto/sigtran.h"

enum {
	SEG_PARAM = 0x10,   /* Segmentation, §3.17 */
	END_OF_OPTIONAL = 0x00,
	ES_BCD_ODD = 1,
	ES_BCD_EVEN = 2,
};

static char hex_digit(uint8_t n)
{
	return "0123456789abcdef"[n & 0x0f];
}

/* BCD digits from c into out, low nibble first; the last high nibble is filler when odd, or F. */
static void gt_digits(struct cursor *c, bool odd, char *out)
{
	size_t n = 0;
	size_t octets = cur_remaining(c);
	for (size_t i = 0; i < octets && n + 2 <= SCCP_MAX_DIGITS; i++) {
		uint8_t b = cur_u8(c);
		out[n++] = hex_digit(b & 0x0f);
		bool last = i + 1 == octets;
		if (last && (odd || (b >> 4) == 0x0f))
			break;
		out[n++] = hex_digit(b >> 4);
	}
	out[n] = '\0';
}

enum sig_status sccp_addr_parse(const uint8_t *p, size_t len, struct sccp_addr *out)
{
	memset(out, 0, sizeof *out);
	struct cursor c = cur_make(p, len);
	uint8_t ai = cur_u8(&c);
	if (!cur_ok(&c))
		return SIG_MALFORMED; /* a party address has at least its indicator */
	out->present = true;
	out->route_on_gt = (ai & 0x40) == 0;
	out->gti = (ai >> 2) & 0x0f;
	out->has_ssn = (ai & 0x02) != 0;
	out->has_pc = (ai & 0x01) != 0;
	if (out->has_pc)
		out->pc = cur_le16(&c) & 0x3fff;
	if (out->has_ssn)
		out->ssn = cur_u8(&c);
	bool odd = false, digits = true;
	switch (out->gti) {
	case 0:
		break;
	case 1: {
		uint8_t b = cur_u8(&c);
		odd = (b & 0x80) != 0;
		out->nai = b & 0x7f;
		break;
	}
	case 2:
		out->tt = cur_u8(&c);
		break;
	case 3:
	case 4: {
		out->tt = cur_u8(&c);
		uint8_t b = cur_u8(&c);
		out->np = b >> 4;
		out->es = b & 0x0f;
		if (out->gti == 4)
			out->nai = cur_u8(&c) & 0x7f;
		digits = out->es == ES_BCD_ODD || out->es == ES_BCD_EVEN; /* other schemes are not digits */
		odd = out->es == ES_BCD_ODD;
		break;
	}
	default:
		return SIG_MALFORMED; /* GTI 5..15 are spare */
	}
	if (!cur_ok(&c))
		return SIG_MALFORMED; /* the address's own length did not hold its fields */
	if (out->gti != 0) {
		out->has_gt = true;
		if (digits)
			gt_digits(&c, odd, out->digits);
	}
	return SIG_OK;
}

struct layout {
	uint8_t fixed;     /* octets before the first pointer */
	uint8_t ptr_width; /* 1 or 2 */
	bool optional;     /* a fourth pointer, to the optional part */
	bool service;
};

static bool layout_of(uint8_t type, struct layout *l)
{
	switch (type) {
	case SCCP_UDT:
		*l = (struct layout){ 2, 1, false, false };
		return true;
	case SCCP_UDTS:
		*l = (struct layout){ 2, 1, false, true };
		return true;
	case SCCP_XUDT:
		*l = (struct layout){ 3, 1, true, false };
		return true;
	case SCCP_XUDTS:
		*l = (struct layout){ 3, 1, true, true };
		return true;
	case SCCP_LUDT:
		*l = (struct layout){ 3, 2, true, false };
		return true;
	case SCCP_LUDTS:
		*l = (struct layout){ 3, 2, true, true };
		return true;
	default:
		return false;
	}
}

/*
 * A cursor at the parameter a pointer points to. The pointer sits at ptr_pos in msg;
 * a target at or past the end is malformed when the message was whole.
 */
static bool follow(const struct cursor *msg, size_t ptr_pos, uint32_t ptr, struct cursor *at)
{
	if (ptr == 0 || ptr_pos + ptr >= msg->len)
		return false;
	*at = cur_make(msg->data, msg->len);
	cur_skip(at, ptr_pos + ptr);
	return cur_ok(at);
}

/* The Segmentation parameter in the optional part: false when the message is whole. */
static enum sig_status segmented(struct cursor opt, bool cut, bool *seg)
{
	*seg = false;
	for (int i = 0; i < SCCP_MAX_OPTIONAL; i++) {
		uint8_t name = cur_u8(&opt);
		if (!cur_ok(&opt))
			return cut ? SIG_TRUNCATED : SIG_MALFORMED; /* no end-of-optional octet */
		if (name == END_OF_OPTIONAL)
			return SIG_OK;
		uint8_t plen = cur_u8(&opt);
		struct cursor v = cur_sub_exact(&opt, plen);
		if (!cur_ok(&opt))
			return cut ? SIG_TRUNCATED : SIG_MALFORMED;
		if (name == SEG_PARAM) {
			uint8_t b = cur_u8(&v);
			if (!cur_ok(&v))
				return SIG_MALFORMED;
			bool first = (b & 0x80) != 0;
			uint8_t remaining = b & 0x0f;
			*seg = !(first && remaining == 0);
		}
	}
	return SIG_OK; /* more optional parameters than any message has: stop looking */
}

enum sig_status sccp_parse(const uint8_t *p, size_t len, bool cut, struct sccp_unitdata *out)
{
	memset(out, 0, sizeof *out);
	struct cursor c = cur_make(p, len);
	enum sig_status short_read = cut ? SIG_TRUNCATED : SIG_MALFORMED;
	out->type = cur_u8(&c);
	if (!cur_ok(&c))
		return short_read;
	struct layout l;
	if (!layout_of(out->type, &l))
		return SIG_OTHER;
	out->service = l.service;
	uint8_t second = cur_u8(&c);
	if (l.service)
		out->return_cause = second;
	else
		out->protocol_class = second & 0x0f;
	if (l.fixed == 3)
		cur_skip(&c, 1); /* hop counter */
	unsigned nptr = l.optional ? 4 : 3;
	size_t ptr_pos[4];
	uint32_t ptr[4];
	for (unsigned i = 0; i < nptr; i++) {
		ptr_pos[i] = cur_pos(&c);
		ptr[i] = l.ptr_width == 1 ? cur_u8(&c) : cur_le16(&c);
	}
	if (!cur_ok(&c))
		return short_read;

	struct cursor at;
	struct sccp_addr *addrs[2] = { &out->called, &out->calling };
	for (int i = 0; i < 2; i++) {
		if (!follow(&c, ptr_pos[i], ptr[i], &at))
			return ptr[i] != 0 && cut ? SIG_TRUNCATED : SIG_MALFORMED;
		uint8_t alen = cur_u8(&at);
		struct cursor a = cur_sub_exact(&at, alen);
		if (!cur_ok(&at))
			return short_read;
		if (sccp_addr_parse(a.data, a.len, addrs[i]) != SIG_OK)
			return SIG_MALFORMED;
	}

	if (!follow(&c, ptr_pos[2], ptr[2], &at))
		return ptr[2] != 0 && cut ? SIG_TRUNCATED : SIG_MALFORMED;
	uint32_t dlen = l.ptr_width == 1 ? cur_u8(&at) : cur_le16(&at);
	if (!cur_ok(&at))
		return short_read;
	if (dlen == 0)
		return SIG_MALFORMED; /* data is mandatory and never empty */
	bool dshort = false;
	struct cursor d = cur_sub(&at, dlen, &dshort);
	if (dshort && !cut)
		return SIG_MALFORMED;
	out->data = cur_rest(&d);
	out->data_cut = dshort;

	/* the optional part follows the data: read only when the data is whole */
	if (l.optional && ptr[3] != 0 && !out->data_cut) {
		if (!follow(&c, ptr_pos[3], ptr[3], &at))
			return short_read;
		enum sig_status st = segmented(at, cut, &out->segmented);
		if (st != SIG_OK)
			return st; /* cut there, it cannot be told whether the data is whole */
	}
	return SIG_OK;
}
