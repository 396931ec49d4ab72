/*
 * sms.c — the SMS layers the generator sends inside SIP MESSAGE and MAP: TPDUs
 * (3GPP TS 23.040 §9.2.2: SMS-SUBMIT with TP-DA, SMS-DELIVER with TP-OA and TP-SCTS;
 * GSM 7-bit default alphabet packed per TS 23.038 §6.1.2.1.1) and RP messages
 * (TS 24.011 §7.3: RP-DATA in both directions, RP-ACK). Addresses are international
 * (type of address 0x91). The text is synthetic filler, never real content.
 */
#include <string.h>
#include <time.h>

#include "gen/gen_internal.h"

static const char *const words[] = { "synthetic", "test",  "message", "pentrap", "generator",
				     "traffic",   "sample", "hello",   "meeting", "later" };

size_t gen_sms_text(char *out, size_t cap, struct gen_rng *r)
{
	/* 2-12 words: 10-100 characters, the bulk of real SMS lengths */
	unsigned n = gen_rng_between(r, 2, 12);
	struct wbuf b = wb_make((uint8_t *)out, cap - 1);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			wb_u8(&b, ' ');
		wb_str(&b, words[gen_rng_below(r, sizeof words / sizeof words[0])]);
	}
	out[b.len] = '\0';
	return b.len;
}

/* TP address: digit count, type of address, semi-octets. */
static void tp_address(struct wbuf *b, const char *digits)
{
	wb_u8(b, (unsigned)strlen(digits));
	wb_u8(b, 0x91);
	wb_tbcd(b, digits);
}

/* TP-UDL and TP-UD: the text packed 7 bits per character (letters, digits and space
 * have the same codes in the GSM default alphabet as in ASCII). */
static void user_data(struct wbuf *b, const char *text, size_t n)
{
	wb_u8(b, (unsigned)n);
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc |= (unsigned)(text[i] & 0x7f) << bits;
		bits += 7;
		while (bits >= 8) {
			wb_u8(b, acc & 0xff);
			acc >>= 8;
			bits -= 8;
		}
	}
	if (bits)
		wb_u8(b, acc & 0xff);
}

size_t gen_tpdu_submit(uint8_t *out, size_t cap, uint8_t mr, const char *to_digits, struct gen_rng *r)
{
	char text[160];
	size_t n = gen_sms_text(text, sizeof text, r);
	struct wbuf b = wb_make(out, cap);
	wb_u8(&b, 0x11); /* SMS-SUBMIT, relative validity period */
	wb_u8(&b, mr);
	tp_address(&b, to_digits);
	wb_u8(&b, 0x00); /* TP-PID */
	wb_u8(&b, 0x00); /* TP-DCS: GSM 7-bit */
	wb_u8(&b, 0xa7); /* TP-VP: 24 hours */
	user_data(&b, text, n);
	return b.len;
}

static unsigned swap_bcd(int v)
{
	return (unsigned)((v % 10) << 4 | (v / 10) % 10);
}

size_t gen_tpdu_deliver(uint8_t *out, size_t cap, const char *from_digits, uint64_t ts_us, struct gen_rng *r)
{
	char text[160];
	size_t n = gen_sms_text(text, sizeof text, r);
	struct wbuf b = wb_make(out, cap);
	wb_u8(&b, 0x04); /* SMS-DELIVER, no more messages */
	tp_address(&b, from_digits);
	wb_u8(&b, 0x00);
	wb_u8(&b, 0x00);
	time_t secs = (time_t)(ts_us / 1000000u);
	struct tm tm;
	gmtime_r(&secs, &tm);
	wb_u8(&b, swap_bcd(tm.tm_year % 100)); /* TP-SCTS, UTC (time zone 0) */
	wb_u8(&b, swap_bcd(tm.tm_mon + 1));
	wb_u8(&b, swap_bcd(tm.tm_mday));
	wb_u8(&b, swap_bcd(tm.tm_hour));
	wb_u8(&b, swap_bcd(tm.tm_min));
	wb_u8(&b, swap_bcd(tm.tm_sec));
	wb_u8(&b, 0x00);
	user_data(&b, text, n);
	return b.len;
}

/* RP address: length in octets (type of address included), type of address, semi-octets. */
static void rp_address(struct wbuf *b, const char *digits)
{
	if (!digits) {
		wb_u8(b, 0);
		return;
	}
	wb_u8(b, (unsigned)(1 + (strlen(digits) + 1) / 2));
	wb_u8(b, 0x91);
	wb_tbcd(b, digits);
}

size_t gen_rp_data(uint8_t *out, size_t cap, bool mo, uint8_t ref, const char *smsc_digits, const uint8_t *tpdu,
		   size_t tpdu_len)
{
	struct wbuf b = wb_make(out, cap);
	wb_u8(&b, mo ? 0x00 : 0x01); /* RP-DATA MS->N / N->MS */
	wb_u8(&b, ref);
	rp_address(&b, mo ? NULL : smsc_digits); /* RP-OA: the SC on MT, empty on MO */
	rp_address(&b, mo ? smsc_digits : NULL); /* RP-DA: the SC on MO, empty on MT */
	wb_u8(&b, (unsigned)tpdu_len);
	wb_mem(&b, tpdu, tpdu_len);
	return b.len;
}

size_t gen_rp_ack(uint8_t *out, size_t cap, bool mo, uint8_t ref)
{
	struct wbuf b = wb_make(out, cap);
	wb_u8(&b, mo ? 0x02 : 0x03); /* RP-ACK MS->N / N->MS */
	wb_u8(&b, ref);
	return b.len;
}
