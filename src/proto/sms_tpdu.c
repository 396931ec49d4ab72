/*
 * sms_tpdu.c — the addressing of an SMS and nothing else of it (see sms_tpdu.h).
 *
 *   RP layer, 3GPP TS 24.011 §7.3 / §8.2:
 *     RP-DATA    MTI(3 bits) | ref | RP-OA (len, TOA, BCD) | RP-DA (len, TOA, BCD) | RP-UD (len, TPDU)
 *     RP-ACK     MTI | ref | [0x41 len TPDU]
 *     RP-ERROR   MTI | ref | cause (len, 1..3) | [0x41 len TPDU]
 *     RP-SMMA    MTI | ref
 *     MTI: 0/1 RP-DATA (ms→n / n→ms), 2/3 RP-ACK, 4/5 RP-ERROR, 6 RP-SMMA, 7 reserved.
 *     An RP address length counts the octets after it (TOA and digits); 0 means absent.
 *
 *   TP layer, 3GPP TS 23.040 §9.2.2: the first octet's TP-MTI (bits 1..0) and mo give
 *   the type; the address sits at a fixed place:
 *     SMS-DELIVER        fo | TP-OA ...
 *     SMS-SUBMIT         fo | TP-MR | TP-DA ...
 *     SMS-STATUS-REPORT  fo | TP-MR | TP-RA ...
 *     SMS-COMMAND        fo | TP-MR | TP-PID | TP-CT | TP-MN | TP-DA ...
 *     SUBMIT-REPORT and DELIVER-REPORT carry no address.
 *   A TP address (§9.1.2.5) is: length in useful semi-octets (at most 20), the
 *   type-of-address octet (bit 8 set, TON bits 7..5, NPI bits 4..1), then the digits as
 *   semi-octets, low nibble first, 0xF filling the last octet. TON 5 (alphanumeric)
 *   packs GSM 7-bit default-alphabet characters (TS 23.038 §6.1.2.1) instead of digits.
 *
 * Nothing after the address is read: not TP-PID/DCS/VP/SCTS and never TP-UD, the text.
 * A TPDU whose address was read whole is accepted even when the capture cut what follows
 * (the address is all this needs). Every byte is read through a cursor.
 */
#include "proto/sms_tpdu.h"

#include <string.h>

#include "core/cursor.h"

enum {
	TP_ADDR_MAX_SEMI_OCTETS = 20, /* TS 23.040 §9.1.2.5: at most 10 octets of digits */
	RP_ADDR_MAX_OCTETS = 11,      /* TS 24.011 §8.2.5.1/2: TOA and 10 octets of digits */
	RP_CAUSE_MAX_OCTETS = 3,      /* §8.2.5.4: cause, diagnostic */
	RP_IEI_USER_DATA = 0x41,      /* §8.2.5.3 RP-User-Data in RP-ACK / RP-ERROR */
	TON_INTERNATIONAL = 1,
	TON_ALPHANUMERIC = 5,
};

/* --- a bounded text writer --- */

struct text_out {
	char *p;
	size_t cap, len;
};

static void text_init(struct text_out *t, char *out, size_t outlen)
{
	t->p = out;
	t->cap = outlen;
	t->len = 0;
	if (outlen)
		out[0] = '\0';
}

/* Appends s whole or not at all (a multi-byte character is never cut in half). */
static void text_put(struct text_out *t, const char *s)
{
	size_t n = strlen(s);
	if (t->cap == 0 || t->len + n + 1 > t->cap)
		return;
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void text_putc(struct text_out *t, char c)
{
	char s[2] = { c, '\0' };
	text_put(t, s);
}

/* --- digits --- */

/* TS 23.040 §9.1.2.3: 0..9, then * # a b c; 0xF is the filler (never reaches here). */
static char bcd_char(uint8_t nibble)
{
	static const char digits[] = "0123456789*#abc";
	return nibble < 15 ? digits[nibble] : '\0';
}

/* Up to max_digits semi-octets from c (max_digits < 0: all of it), stopping at a filler. */
static void put_bcd(struct text_out *t, struct cursor *c, int max_digits)
{
	int n = 0;
	while (cur_remaining(c) > 0 && (max_digits < 0 || n < max_digits)) {
		uint8_t b = cur_u8(c);
		uint8_t lo = b & 0x0f, hi = b >> 4;
		if (lo == 0x0f)
			return;
		text_putc(t, bcd_char(lo));
		if (++n == max_digits || hi == 0x0f)
			return;
		text_putc(t, bcd_char(hi));
		n++;
	}
}

/* --- GSM 7-bit default alphabet (TS 23.038 §6.2.1) as UTF-8 --- */

static const char *const gsm7_basic[] = {
	"@", "\xc2\xa3", "$", "\xc2\xa5", "\xc3\xa8", "\xc3\xa9", "\xc3\xb9", "\xc3\xac",
	"\xc3\xb2", "\xc3\x87", "?", "\xc3\x98", "\xc3\xb8", "?", "\xc3\x85", "\xc3\xa5",
	"\xce\x94", "_", "\xce\xa6", "\xce\x93", "\xce\x9b", "\xce\xa9", "\xce\xa0", "\xce\xa8",
	"\xce\xa3", "\xce\x98", "\xce\x9e", "", "\xc3\x86", "\xc3\xa6", "\xc3\x9f", "\xc3\x89",
	" ", "!", "\"", "#", "\xc2\xa4", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
	"\xc2\xa1", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
	"P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "\xc3\x84", "\xc3\x96", "\xc3\x91",
	"\xc3\x9c", "\xc2\xa7",
	"\xc2\xbf", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
	"p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\xc3\xa4", "\xc3\xb6", "\xc3\xb1",
	"\xc3\xbc", "\xc3\xa0",
};
_Static_assert(sizeof gsm7_basic / sizeof gsm7_basic[0] == 128, "one entry per septet");

/* The extension table after ESC (0x1B), §6.2.1.1; anything else there reads as '?'. */
static const char *gsm7_extension(uint8_t ch)
{
	switch (ch) {
	case 0x14: return "^";
	case 0x28: return "{";
	case 0x29: return "}";
	case 0x2f: return "\\";
	case 0x3c: return "[";
	case 0x3d: return "~";
	case 0x3e: return "]";
	case 0x40: return "|";
	case 0x65: return "\xe2\x82\xac";
	default: return "?";
	}
}

/*
 * Unpacks nchars septets (LSB first, TS 23.038 §6.1.2.1.1) from c into text. Line
 * feed and carriage return (0x0A, 0x0D) become '?': no control character reaches a
 * record.
 */
static void put_gsm7(struct text_out *t, struct cursor *c, size_t nchars)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	bool escape = false;
	for (size_t i = 0; i < nchars; i++) {
		while (bits < 7) {
			if (cur_remaining(c) == 0)
				return;
			acc |= (uint32_t)cur_u8(c) << bits;
			bits += 8;
		}
		uint8_t ch = acc & 0x7f;
		acc >>= 7;
		bits -= 7;
		if (escape) {
			text_put(t, gsm7_extension(ch));
			escape = false;
		} else if (ch == 0x1b) {
			escape = true;
		} else {
			text_put(t, gsm7_basic[ch]);
		}
	}
}

/* The address text: "+" and digits for TON international, alphanumeric decoded, digits otherwise. */
static void put_address(struct text_out *t, uint8_t toa, struct cursor *digits, int semi_octets,
			size_t gsm7_chars)
{
	uint8_t ton = (toa >> 4) & 0x07;
	if (ton == TON_ALPHANUMERIC) {
		put_gsm7(t, digits, gsm7_chars);
		return;
	}
	if (ton == TON_INTERNATIONAL)
		text_putc(t, '+');
	put_bcd(t, digits, semi_octets);
	if (ton == TON_INTERNATIONAL && t->len == 1)
		text_init(t, t->p, t->cap); /* a bare "+" is no number */
}

void sms_bcd_address(uint8_t toa, const uint8_t *digits, size_t len, char *out, size_t outlen)
{
	struct text_out t;
	text_init(&t, out, outlen);
	struct cursor c = cur_make(digits, len);
	/*
	 * Alphanumeric from an octet count: as many septets as fit. When they fill the
	 * octets exactly (len a multiple of 7) the last one may be padding, which reads as
	 * '@' (0): dropped, as no sender ends an alphanumeric address with '@'.
	 */
	size_t nchars = len * 8 / 7;
	put_address(&t, toa, &c, -1, nchars);
	if (((toa >> 4) & 0x07) == TON_ALPHANUMERIC && len > 0 && len % 7 == 0 && t.len > 0 &&
	    t.p[t.len - 1] == '@')
		t.p[--t.len] = '\0';
}

/*
 * A TP address at the cursor (§9.1.2.5) into out. 0 when read whole; -1 with *truncated
 * when the bytes run out, or -1 when the length is past the specification's cap.
 */
static int tp_address(struct cursor *c, char *out, size_t outlen, bool *truncated)
{
	uint8_t semi = cur_u8(c);
	uint8_t toa = cur_u8(c);
	if (!cur_ok(c)) {
		*truncated = true;
		return -1;
	}
	if (semi > TP_ADDR_MAX_SEMI_OCTETS)
		return -1;
	size_t octets = (semi + 1u) / 2u;
	if (!cur_has(c, octets)) {
		*truncated = true;
		return -1;
	}
	struct cursor digits = cur_sub_exact(c, octets);
	struct text_out t;
	text_init(&t, out, outlen);
	put_address(&t, toa, &digits, semi, (size_t)semi * 4 / 7);
	return 0;
}

int sms_tpdu_parse(const uint8_t *p, size_t len, bool mo, struct tpdu_info *out, bool *truncated)
{
	bool trunc_local = false;
	bool *tr = truncated ? truncated : &trunc_local;
	*tr = false;
	memset(out, 0, sizeof *out);
	struct cursor c = cur_make(p, len);
	uint8_t fo = cur_u8(&c);
	if (!cur_ok(&c)) {
		*tr = true;
		return -1;
	}
	uint8_t mti = fo & 0x03;
	if (mti == 3)
		return -1; /* reserved in both directions */
	if (mo)
		out->type = mti == 0 ? TPDU_DELIVER_REPORT : mti == 1 ? TPDU_SUBMIT : TPDU_COMMAND;
	else
		out->type = mti == 0 ? TPDU_DELIVER : mti == 1 ? TPDU_SUBMIT_REPORT : TPDU_STATUS_REPORT;

	switch (out->type) {
	case TPDU_DELIVER:
		break;
	case TPDU_SUBMIT:
	case TPDU_STATUS_REPORT:
		out->message_ref = cur_u8(&c);
		break;
	case TPDU_COMMAND:
		out->message_ref = cur_u8(&c);
		cur_skip(&c, 3); /* TP-PID, TP-CT, TP-MN */
		break;
	default:
		return 0; /* the reports carry no address */
	}
	if (!cur_ok(&c)) {
		*tr = true;
		return -1;
	}
	return tp_address(&c, out->address, sizeof out->address, tr);
}

/*
 * An RP address (§8.2.5.1/2): a length octet counting TOA and digits, 0 for none.
 * 0 when read; -1 (truncated or malformed in *truncated) otherwise.
 */
static int rp_address(struct cursor *c, char *out, size_t outlen, bool *truncated)
{
	out[0] = '\0';
	uint8_t n = cur_u8(c);
	if (!cur_ok(c)) {
		*truncated = true;
		return -1;
	}
	if (n == 0)
		return 0;
	if (n > RP_ADDR_MAX_OCTETS)
		return -1;
	if (!cur_has(c, n)) {
		*truncated = true;
		return -1;
	}
	struct cursor a = cur_sub_exact(c, n);
	uint8_t toa = cur_u8(&a);
	struct span digits = cur_rest(&a);
	sms_bcd_address(toa, digits.ptr, digits.len, out, outlen);
	return 0;
}

/*
 * RP-User-Data: a length octet and the TPDU (borrowed; cut to what was captured).
 * 0 when some TPDU bytes are there, 1 when the capture ends first, -1 for a zero length.
 */
static int rp_user_data(struct cursor *c, struct rp_info *out)
{
	uint8_t n = cur_u8(c);
	if (!cur_ok(c))
		return 1;
	if (n == 0)
		return -1;
	struct cursor ud = cur_sub(c, n, NULL);
	struct span s = cur_rest(&ud);
	if (s.len == 0)
		return 1;
	out->tpdu = s.ptr;
	out->tpdu_len = s.len;
	return 0;
}

int sms_rp_parse(const uint8_t *p, size_t len, struct rp_info *out, bool *truncated)
{
	bool trunc_local = false;
	bool *tr = truncated ? truncated : &trunc_local;
	*tr = false;
	memset(out, 0, sizeof *out);
	struct cursor c = cur_make(p, len);
	uint8_t b0 = cur_u8(&c);
	out->ref = cur_u8(&c);
	if (!cur_ok(&c)) {
		*tr = true;
		return -1;
	}
	if (b0 & 0xf8)
		return -1; /* bits 8..4 are spare and sent as 0; anything else is not an RP message */
	out->mti = b0 & 0x07;
	switch (out->mti) {
	case 0: /* RP-DATA ms→n */
	case 1: /* RP-DATA n→ms */
		if (rp_address(&c, out->originator, sizeof out->originator, tr) != 0 ||
		    rp_address(&c, out->destination, sizeof out->destination, tr) != 0)
			return -1;
		switch (rp_user_data(&c, out)) {
		case 0:
			return 0;
		case 1:
			*tr = true;
			return -1;
		default:
			return -1; /* RP-DATA always carries a TPDU */
		}
	case 4: /* RP-ERROR: the cause, then optional user data */
	case 5: {
		uint8_t n = cur_u8(&c);
		if (!cur_ok(&c)) {
			*tr = true;
			return -1;
		}
		if (n == 0 || n > RP_CAUSE_MAX_OCTETS)
			return -1;
		if (!cur_has(&c, n)) {
			*tr = true;
			return -1;
		}
		cur_skip(&c, n);
	}
		/* fall through */
	case 2: /* RP-ACK */
	case 3:
		if (cur_remaining(&c) >= 1 && cur_peek_u8(&c, 0) == RP_IEI_USER_DATA) {
			cur_skip(&c, 1);
			(void)rp_user_data(&c, out); /* optional: a cut or empty one is no error */
		}
		return 0;
	case 6: /* RP-SMMA */
		return 0;
	default:
		return -1;
	}
}
