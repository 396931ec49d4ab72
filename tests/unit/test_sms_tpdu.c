/*
 * test_sms_tpdu.c — SMS addressing (proto/sms_tpdu.c): TP addresses of SUBMIT, DELIVER,
 * STATUS-REPORT and COMMAND; BCD, TON/NPI, GSM 7-bit alphanumeric addresses; RP-DATA,
 * RP-ACK, RP-ERROR, RP-SMMA; truncated, malformed and look-alike inputs. Every input
 * is parsed from an exact-size heap copy, so the sanitizer build sees any over-read.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/sms_tpdu.h"

static int tpdu(const uint8_t *b, size_t n, bool mo, struct tpdu_info *ti, bool *tr)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, b, n);
	int r = sms_tpdu_parse(copy, n, mo, ti, tr);
	free(copy);
	return r;
}

static int rp(const uint8_t *b, size_t n, struct rp_info *ri, bool *tr, uint8_t *keep)
{
	/* the TPDU span borrows the input: the caller's buffer keeps it alive */
	if (n)
		memcpy(keep, b, n);
	return sms_rp_parse(keep, n, ri, tr);
}

static const char *bcd(uint8_t toa, const uint8_t *d, size_t n)
{
	static char out[64];
	uint8_t *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, d, n);
	sms_bcd_address(toa, copy, n, out, sizeof out);
	free(copy);
	return out;
}

/* Every prefix of a valid TPDU shorter than its address end is truncated, never malformed. */
static void check_prefixes(const uint8_t *b, size_t addr_end, bool mo)
{
	for (size_t n = 0; n < addr_end; n++) {
		struct tpdu_info ti;
		bool tr = false;
		CHECK_EQ_INT(tpdu(b, n, mo, &ti, &tr), -1);
		CHECK(tr);
	}
}

static void test_submit(void)
{
	/* SMS-SUBMIT: fo 0x11 (VPF relative), MR 0x2a, TP-DA +15551234567, PID, DCS, VP, UDL, UD */
	static const uint8_t submit[] = { 0x11, 0x2a, 0x0b, 0x91, 0x51, 0x55, 0x21, 0x43, 0x65, 0xf7,
					  0x00, 0x00, 0xaa, 0x03, 0xc8, 0x34, 0x1b };
	struct tpdu_info ti;
	bool tr = true;
	CHECK_EQ_INT(tpdu(submit, sizeof submit, true, &ti, &tr), 0);
	CHECK_EQ_INT(ti.type, TPDU_SUBMIT);
	CHECK_EQ_STR(ti.address, "+15551234567");
	CHECK_EQ_INT(ti.message_ref, 0x2a);
	CHECK(!tr);
	/* the same bytes network to mobile are a SUBMIT-REPORT: no address */
	CHECK_EQ_INT(tpdu(submit, sizeof submit, false, &ti, &tr), 0);
	CHECK_EQ_INT(ti.type, TPDU_SUBMIT_REPORT);
	CHECK_EQ_STR(ti.address, "");
	/* the address is all that is read: cut right after it is still fine */
	CHECK_EQ_INT(tpdu(submit, 10, true, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "+15551234567");
	check_prefixes(submit, 10, true);

	/* national number (TON 2), even digit count, unknown TON with '*' and '#' */
	static const uint8_t national[] = { 0x01, 0x00, 0x04, 0xa1, 0x10, 0x32, 0x00, 0x00, 0x00 };
	CHECK_EQ_INT(tpdu(national, sizeof national, true, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "0123");
	static const uint8_t star[] = { 0x01, 0x00, 0x03, 0x81, 0xa1, 0xfb, 0x00, 0x00, 0x00 };
	CHECK_EQ_INT(tpdu(star, sizeof star, true, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "1*#");
	/* an empty address is allowed; a bare "+" never appears */
	static const uint8_t empty[] = { 0x01, 0x00, 0x00, 0x91, 0x00, 0x00, 0x00 };
	CHECK_EQ_INT(tpdu(empty, sizeof empty, true, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "");
	/* the length counts useful semi-octets: a digit beyond it is not read */
	static const uint8_t odd[] = { 0x01, 0x00, 0x03, 0x91, 0x21, 0x43 };
	CHECK_EQ_INT(tpdu(odd, sizeof odd, true, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "+123");
	/* 20 semi-octets is the most */
	static const uint8_t longest[] = { 0x01, 0x00, 0x14, 0x91, 0x21, 0x43, 0x65, 0x87, 0x09,
					   0x21, 0x43, 0x65, 0x87, 0x09 };
	CHECK_EQ_INT(tpdu(longest, sizeof longest, true, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "+12345678901234567890");
}

static void test_deliver(void)
{
	/* SMS-DELIVER: fo 0x04, TP-OA +447700900123, PID, DCS, SCTS(7), UDL, UD */
	static const uint8_t deliver[] = { 0x04, 0x0c, 0x91, 0x44, 0x77, 0x00, 0x09, 0x10, 0x32, 0x00,
					   0x00, 0x62, 0x11, 0x01, 0x12, 0x00, 0x00, 0x00, 0x02, 0xc8, 0x34 };
	struct tpdu_info ti;
	bool tr = false;
	CHECK_EQ_INT(tpdu(deliver, sizeof deliver, false, &ti, &tr), 0);
	CHECK_EQ_INT(ti.type, TPDU_DELIVER);
	CHECK_EQ_STR(ti.address, "+447700900123");
	check_prefixes(deliver, 9, false);
	/* mobile to network the same MTI is a DELIVER-REPORT */
	CHECK_EQ_INT(tpdu(deliver, sizeof deliver, true, &ti, &tr), 0);
	CHECK_EQ_INT(ti.type, TPDU_DELIVER_REPORT);
	CHECK_EQ_STR(ti.address, "");

	/* alphanumeric originator (TON 5): "Telekom", 13 semi-octets */
	static const uint8_t alpha[] = { 0x04, 0x0d, 0xd0, 0xd4, 0x32, 0xbb, 0xbc, 0x7e, 0xb7, 0x01,
					 0x00, 0x00 };
	CHECK_EQ_INT(tpdu(alpha, sizeof alpha, false, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "Telekom");
	/* 11 characters in 20 semi-octets, the most there can be */
	static const uint8_t alpha11[] = { 0x04, 0x14, 0xd0, 0x41, 0xe1, 0x90, 0x58, 0x34, 0x1e, 0x91,
					   0x49, 0xe5, 0x12 };
	CHECK_EQ_INT(tpdu(alpha11, sizeof alpha11, false, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "ABCDEFGHIJK");
	/* non-ASCII default-alphabet characters and an escape: "£€" */
	static const uint8_t alpha_utf8[] = { 0x04, 0x06, 0xd0, 0x81, 0x4d, 0x19 };
	CHECK_EQ_INT(tpdu(alpha_utf8, sizeof alpha_utf8, false, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "\xc2\xa3\xe2\x82\xac");
	/* line feed and carriage return never reach the text */
	static const uint8_t alpha_ctl[] = { 0x04, 0x04, 0xd0, 0x8a, 0x06 };
	CHECK_EQ_INT(tpdu(alpha_ctl, sizeof alpha_ctl, false, &ti, &tr), 0);
	CHECK_EQ_STR(ti.address, "??");
}

static void test_status_command(void)
{
	struct tpdu_info ti;
	bool tr = false;
	/* STATUS-REPORT: fo 0x06, MR 7, TP-RA +4930 */
	static const uint8_t sr[] = { 0x06, 0x07, 0x04, 0x91, 0x94, 0x03, 0x00 };
	CHECK_EQ_INT(tpdu(sr, sizeof sr, false, &ti, &tr), 0);
	CHECK_EQ_INT(ti.type, TPDU_STATUS_REPORT);
	CHECK_EQ_INT(ti.message_ref, 7);
	CHECK_EQ_STR(ti.address, "+4930");
	/* COMMAND: fo 0x02, MR, PID, CT, MN, TP-DA 1234 */
	static const uint8_t cmd[] = { 0x02, 0x09, 0x00, 0x01, 0x05, 0x04, 0x81, 0x21, 0x43, 0x00 };
	CHECK_EQ_INT(tpdu(cmd, sizeof cmd, true, &ti, &tr), 0);
	CHECK_EQ_INT(ti.type, TPDU_COMMAND);
	CHECK_EQ_STR(ti.address, "1234");
	check_prefixes(cmd, 9, true);
}

static void test_malformed(void)
{
	struct tpdu_info ti;
	bool tr = true;
	/* MTI 3 is reserved both ways */
	static const uint8_t reserved[] = { 0x03, 0x00, 0x02, 0x91, 0x21 };
	CHECK_EQ_INT(tpdu(reserved, sizeof reserved, true, &ti, &tr), -1);
	CHECK(!tr);
	CHECK_EQ_INT(tpdu(reserved, sizeof reserved, false, &ti, &tr), -1);
	CHECK(!tr);
	/* an address longer than 20 semi-octets */
	static const uint8_t toolong[] = { 0x01, 0x00, 0x15, 0x91, 0x21, 0x43, 0x65, 0x87, 0x09, 0x21,
					   0x43, 0x65, 0x87, 0x09, 0x01 };
	CHECK_EQ_INT(tpdu(toolong, sizeof toolong, true, &ti, &tr), -1);
	CHECK(!tr);
	static const uint8_t huge[] = { 0x00, 0xff, 0x91, 0x21 };
	CHECK_EQ_INT(tpdu(huge, sizeof huge, false, &ti, &tr), -1);
	CHECK(!tr);
	/* empty input */
	CHECK_EQ_INT(tpdu(NULL, 0, true, &ti, &tr), -1);
	CHECK(tr);
	/* a NULL truncated pointer is allowed */
	CHECK_EQ_INT(sms_tpdu_parse(reserved, sizeof reserved, true, &ti, NULL), -1);
	/* look-alike: ASCII text is not read past its claimed address */
	static const uint8_t text[] = "GET / HTTP/1.1";
	CHECK_EQ_INT(tpdu(text, 14, false, &ti, &tr), -1); /* 'G' = MTI 3 */
}

static void test_bcd_address(void)
{
	static const uint8_t d1[] = { 0x21, 0x43, 0xf5 };
	CHECK_EQ_STR(bcd(0x91, d1, sizeof d1), "+12345");
	CHECK_EQ_STR(bcd(0x81, d1, sizeof d1), "12345");
	CHECK_EQ_STR(bcd(0xa1, d1, 2), "1234");
	CHECK_EQ_STR(bcd(0x91, d1, 0), "");
	static const uint8_t filler[] = { 0xff };
	CHECK_EQ_STR(bcd(0x91, filler, 1), "");
	/* alphanumeric from an octet count: 7 octets hold 8 septets, the padding '@' is dropped */
	static const uint8_t tk[] = { 0xd4, 0x32, 0xbb, 0xbc, 0x7e, 0xb7, 0x01 };
	CHECK_EQ_STR(bcd(0xd0, tk, sizeof tk), "Telekom");
	static const uint8_t bank[] = { 0xc2, 0xa0, 0x73, 0x09 };
	CHECK_EQ_STR(bcd(0xd0, bank, sizeof bank), "BANK");
	/* the output is bounded and always terminated */
	char small[5];
	static const uint8_t many[] = { 0x21, 0x43, 0x65, 0x87 };
	sms_bcd_address(0x91, many, sizeof many, small, sizeof small);
	CHECK_EQ_STR(small, "+123");
	char none[1] = { 'x' };
	sms_bcd_address(0x91, many, sizeof many, none, sizeof none);
	CHECK_EQ_INT(none[0], 0);
}

static void test_rp(void)
{
	uint8_t keep[64];
	struct rp_info ri;
	bool tr = true;
	/* RP-DATA ms→n: ref 5, no RP-OA, RP-DA +447700900001 (service centre), RP-UD SUBMIT */
	static const uint8_t mo[] = { 0x00, 0x05, 0x00, 0x07, 0x91, 0x44, 0x77, 0x00, 0x09, 0x00, 0x10,
				      0x0a, 0x01, 0x01, 0x04, 0x81, 0x21, 0x43, 0x00, 0x00, 0x01, 0x31 };
	CHECK_EQ_INT(rp(mo, sizeof mo, &ri, &tr, keep), 0);
	CHECK_EQ_INT(ri.mti, 0);
	CHECK_EQ_INT(ri.ref, 5);
	CHECK_EQ_STR(ri.originator, "");
	CHECK_EQ_STR(ri.destination, "+447700900001");
	CHECK_EQ_INT(ri.tpdu_len, 10);
	CHECK(ri.tpdu == keep + 12);
	struct tpdu_info ti;
	CHECK_EQ_INT(sms_tpdu_parse(ri.tpdu, ri.tpdu_len, true, &ti, &tr), 0);
	CHECK_EQ_INT(ti.type, TPDU_SUBMIT);
	CHECK_EQ_STR(ti.address, "1234");
	/* every prefix before the user data is truncated */
	for (size_t n = 0; n <= 12; n++) {
		CHECK_EQ_INT(rp(mo, n, &ri, &tr, keep), -1);
		CHECK(tr);
	}
	/* user data cut by the capture: the TPDU is what there is */
	CHECK_EQ_INT(rp(mo, 16, &ri, &tr, keep), 0);
	CHECK_EQ_INT(ri.tpdu_len, 4);

	/* RP-DATA n→ms: RP-OA the service centre, no RP-DA */
	static const uint8_t mt[] = { 0x01, 0x09, 0x03, 0x91, 0x21, 0xf3, 0x00, 0x03, 0x04, 0x01, 0x81 };
	CHECK_EQ_INT(rp(mt, sizeof mt, &ri, &tr, keep), 0);
	CHECK_EQ_INT(ri.mti, 1);
	CHECK_EQ_STR(ri.originator, "+123");
	CHECK_EQ_STR(ri.destination, "");
	CHECK_EQ_INT(ri.tpdu_len, 3);

	/* RP-ACK with user data (IEI 0x41), without, RP-ERROR with a cause, RP-SMMA */
	static const uint8_t ack[] = { 0x03, 0x05, 0x41, 0x02, 0x01, 0x00 };
	CHECK_EQ_INT(rp(ack, sizeof ack, &ri, &tr, keep), 0);
	CHECK_EQ_INT(ri.mti, 3);
	CHECK_EQ_INT(ri.tpdu_len, 2);
	CHECK_EQ_INT(rp(ack, 2, &ri, &tr, keep), 0);
	CHECK(ri.tpdu == NULL);
	static const uint8_t err[] = { 0x05, 0x05, 0x01, 0x2a, 0x41, 0x01, 0x00 };
	CHECK_EQ_INT(rp(err, sizeof err, &ri, &tr, keep), 0);
	CHECK_EQ_INT(ri.mti, 5);
	CHECK_EQ_INT(ri.tpdu_len, 1);
	CHECK_EQ_INT(rp(err, 3, &ri, &tr, keep), -1);
	CHECK(tr);
	static const uint8_t smma[] = { 0x06, 0x01 };
	CHECK_EQ_INT(rp(smma, sizeof smma, &ri, &tr, keep), 0);
	CHECK_EQ_INT(ri.mti, 6);

	/* malformed: reserved MTI, spare bits set, an address over 11 octets, a zero cause */
	static const uint8_t bad_mti[] = { 0x07, 0x00 };
	CHECK_EQ_INT(rp(bad_mti, sizeof bad_mti, &ri, &tr, keep), -1);
	CHECK(!tr);
	static const uint8_t spare[] = { 0x40, 0x00, 0x00, 0x00, 0x01, 0x00 };
	CHECK_EQ_INT(rp(spare, sizeof spare, &ri, &tr, keep), -1);
	CHECK(!tr);
	static const uint8_t long_addr[] = { 0x00, 0x00, 0x00, 0x0c, 0x91, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x01, 0x00 };
	CHECK_EQ_INT(rp(long_addr, sizeof long_addr, &ri, &tr, keep), -1);
	CHECK(!tr);
	static const uint8_t zero_cause[] = { 0x04, 0x00, 0x00 };
	CHECK_EQ_INT(rp(zero_cause, sizeof zero_cause, &ri, &tr, keep), -1);
	CHECK(!tr);
	/* RP-DATA with an empty user data element */
	static const uint8_t no_ud[] = { 0x00, 0x00, 0x00, 0x00, 0x00 };
	CHECK_EQ_INT(rp(no_ud, sizeof no_ud, &ri, &tr, keep), -1);
	CHECK(!tr);
	/* look-alike: SIP text */
	static const uint8_t sip[] = "MESSAGE sip:bob@example.net SIP/2.0";
	CHECK_EQ_INT(rp(sip, sizeof sip - 1, &ri, &tr, keep), -1);
}

int main(void)
{
	test_submit();
	test_deliver();
	test_status_command();
	test_malformed();
	test_bcd_address();
	test_rp();
	return check_done("test_sms_tpdu");
}
