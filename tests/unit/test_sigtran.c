/*
 * test_sigtran.c — SCCP (proto/sccp.c: UDT, XUDT with and without segmentation, UDTS,
 * party addresses with GTI 1..4), M3UA and M2UA DATA (proto/m3ua.c), SUA CLDT
 * (proto/sua.c): valid, truncated (every prefix of a valid message, cut), malformed
 * (lengths and pointers that lie) and look-alike inputs. Exact-size heap copies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/sigtran.h"

static uint8_t *buf;

static size_t hex(const char *h)
{
	size_t n = strlen(h) / 2;
	free(buf);
	buf = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		buf[i] = (uint8_t)v;
	}
	return n;
}

/* A prefix copy of buf, exactly n bytes. */
static uint8_t *prefix(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	if (n)
		memcpy(p, buf, n);
	return p;
}

/* From tests/pcap/map/make_map_pcaps.py: a UDT (SMSC GT called, MSC GT calling) with a TCAP Begin. */
static const char UDT[] =
	"0980030e190b12080012044477000990990b120800120444770009500065626348040a0b0c016b1e281c0607"
	"00118605010101a011600f80020780a1090607040000010015036c3ba13902010102012e3031840791447700"
	"099099820791447700091032041d11010c914477000940650000a711c3a03328cdb6aace2415842eb3d96f";
static const char M3UA[] =
	"01000101000000a4000600080000000102100093000003e9000007d2030200050980030e190b120800120444"
	"77000990990b120800120444770009500065626348040a0b0c016b1e281c060700118605010101a011600f80"
	"020780a1090607040000010015036c3ba13902010102012e3031840791447700099099820791447700091032"
	"041d11010c914477000940650000a711c3a03328cdb6aace2415842eb3d96f00";
static const char SUA[] =
	"01000701000000ac00060008000000010115000800000000010200240001000680010012000000040c000104"
	"44770009500000008003000800000008010300240001000680010012000000040c0001044477000990990000"
	"80030008000000080116000800000000010b0044643e49040a0b0c016b2a2828060700118605010101a01d61"
	"1b80020780a109060704000001001503a203020100a305a1030201006c0aa208020101300302012e";
static const char XUDT[] =
	"11810f040f1a000b12080012044477000990990b120800120444770009500040643e49040a0b0c016b2a2828"
	"060700118605010101a01d611b80020780a109060704000001001503a203020100a305a1030201006c0aa208"
	"020101300302012e";

/* The hex without the spaces a long literal may hold. */
static size_t hexs(const char *h)
{
	char *clean = malloc(strlen(h) + 1);
	size_t o = 0;
	for (const char *c = h; *c; c++)
		if (*c != ' ')
			clean[o++] = *c;
	clean[o] = '\0';
	size_t n = hex(clean);
	free(clean);
	return n;
}

static void test_sccp_udt(void)
{
	size_t n = hexs(UDT);
	struct sccp_unitdata ud;
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_OK);
	CHECK_EQ_INT(ud.type, SCCP_UDT);
	CHECK(!ud.service && !ud.segmented && !ud.data_cut);
	CHECK(ud.called.route_on_gt && ud.called.has_gt && ud.called.has_ssn && !ud.called.has_pc);
	CHECK_EQ_INT(ud.called.gti, 4);
	CHECK_EQ_INT(ud.called.ssn, 8);
	CHECK_EQ_INT(ud.called.np, 1);
	CHECK_EQ_INT(ud.called.nai, 4);
	CHECK_EQ_STR(ud.called.digits, "447700900999");
	CHECK_EQ_STR(ud.calling.digits, "447700900500");
	CHECK_EQ_INT(ud.data.len, 101);
	CHECK_EQ_INT(ud.data.ptr[0], 0x62);

	/* every prefix: cut, the data comes out partial or the message is truncated; whole, malformed */
	for (size_t k = 0; k < n; k++) {
		uint8_t *p = prefix(k);
		enum sig_status cut = sccp_parse(p, k, true, &ud);
		CHECK(cut == SIG_TRUNCATED || (cut == SIG_OK && ud.data_cut && ud.data.len < 101));
		CHECK_EQ_INT(sccp_parse(p, k, false, &ud), SIG_MALFORMED);
		free(p);
	}

	/* lying pointers: zero, past the end; a zero-length data; GTI 5 */
	n = hexs(UDT);
	buf[2] = 0;
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_MALFORMED);
	n = hexs(UDT);
	buf[4] = 0xf0;
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_MALFORMED);
	n = hexs(UDT);
	buf[25 + 4] = 0;
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_MALFORMED);
	n = hexs(UDT);
	buf[6] = 0x16; /* called AI: GTI 5 */
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_MALFORMED);
	/* a connection-oriented type (CR) is not ours */
	n = hex("0100000102");
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_OTHER);
	CHECK_EQ_INT(sccp_parse(buf, 0, false, &ud), SIG_MALFORMED);
	CHECK_EQ_INT(sccp_parse(buf, 0, true, &ud), SIG_TRUNCATED);
}

static void test_sccp_xudt(void)
{
	size_t n = hexs(XUDT);
	struct sccp_unitdata ud;
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_OK);
	CHECK_EQ_INT(ud.type, SCCP_XUDT);
	CHECK_EQ_INT(ud.protocol_class, 1);
	CHECK(!ud.segmented);
	CHECK_EQ_INT(ud.data.ptr[0], 0x64);
	CHECK_EQ_STR(ud.called.digits, "447700900999");

	/* XUDT with an optional part: Segmentation "first, 1 remaining" then the end octet */
	n = hex("11810f04080c0f04430801060443090106036401001004" "81000001" "00");
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_OK);
	CHECK(ud.segmented);
	CHECK_EQ_INT(ud.called.pc, 0x0108);
	CHECK_EQ_INT(ud.called.ssn, 6);
	CHECK_EQ_INT(ud.calling.pc, 0x0109);
	CHECK(!ud.called.route_on_gt && !ud.called.has_gt);
	/* "first segment, none remaining": a whole message */
	n = hex("11810f04080c0f04430801060443090106036401001004" "80000001" "00");
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_OK);
	CHECK(!ud.segmented);
	/* an optional part without its end octet: malformed whole, truncated cut */
	n = hex("11810f04080c0f04430801060443090106036401001004" "80000001");
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_MALFORMED);
	CHECK_EQ_INT(sccp_parse(buf, n, true, &ud), SIG_TRUNCATED);

	/* UDTS: a returned message */
	n = hex("0a0103070b0443080106044309010603640100");
	CHECK_EQ_INT(sccp_parse(buf, n, false, &ud), SIG_OK);
	CHECK(ud.service);
	CHECK_EQ_INT(ud.return_cause, 1);
}

static void test_sccp_addresses(void)
{
	struct sccp_addr a;
	/* GTI 1: odd/even + NAI, odd digit count "12345" */
	size_t n = hex("0604" "83" "214305");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_OK);
	CHECK_EQ_INT(a.gti, 1);
	CHECK_EQ_INT(a.ssn, 4);
	CHECK_EQ_INT(a.nai, 3);
	CHECK_EQ_STR(a.digits, "12345");
	/* GTI 2: translation type and digits, filler F */
	n = hex("0a06" "00" "2143f5");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_OK);
	CHECK_EQ_INT(a.gti, 2);
	CHECK_EQ_STR(a.digits, "12345");
	/* GTI 3: TT, NP/ES (BCD even) */
	n = hex("0e06" "00" "12" "2143");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_OK);
	CHECK_EQ_INT(a.gti, 3);
	CHECK_EQ_INT(a.np, 1);
	CHECK_EQ_INT(a.es, 2);
	CHECK_EQ_STR(a.digits, "1234");
	/* GTI 4 with a point code, odd digits; an encoding scheme that is not BCD gives no digits */
	n = hex("13" "e903" "08" "00" "11" "04" "214305");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_OK);
	CHECK(a.has_pc && a.has_ssn && a.has_gt);
	CHECK_EQ_INT(a.pc, 1001);
	CHECK_EQ_STR(a.digits, "12345");
	n = hex("12" "08" "00" "13" "04" "214305");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_OK);
	CHECK_EQ_STR(a.digits, "");
	/* the fields the indicator promises, missing */
	n = hex("13e9");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_MALFORMED);
	n = hex("12" "08" "00");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_MALFORMED);
	CHECK_EQ_INT(sccp_addr_parse(buf, 0, &a), SIG_MALFORMED);
	/* more digits than kept: cut at SCCP_MAX_DIGITS, terminated */
	n = hex("0a0600" "1111111111111111111111111111111111111111");
	CHECK_EQ_INT(sccp_addr_parse(buf, n, &a), SIG_OK);
	CHECK_EQ_INT(strlen(a.digits), SCCP_MAX_DIGITS);
}

static void test_m3ua(void)
{
	size_t n = hexs(M3UA), len = 0;
	struct m3ua_data d;
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_OK);
	CHECK_EQ_INT(len, n);
	CHECK_EQ_INT(d.opc, 1001);
	CHECK_EQ_INT(d.dpc, 2002);
	CHECK_EQ_INT(d.si, M3UA_SI_SCCP);
	CHECK_EQ_INT(d.ni, 2);
	CHECK_EQ_INT(d.sls, 5);
	CHECK_EQ_INT(d.data.len, 0x93 - 16);
	CHECK_EQ_INT(d.data.ptr[0], 0x09);
	/* every prefix: cut gives truncated or a partial user part; whole, malformed */
	for (size_t k = 0; k < n - 1; k++) {
		uint8_t *p = prefix(k);
		enum sig_status st = m3ua_parse(p, k, true, &d, &len);
		CHECK(st == SIG_TRUNCATED || (st == SIG_OK && d.data_cut));
		CHECK_EQ_INT(m3ua_parse(p, k, false, &d, &len), SIG_MALFORMED);
		free(p);
	}
	/* ASP Up: valid, no data */
	n = hex("0100030100000008");
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_OTHER);
	/* version 2, a length under 8, a parameter length under 4, DATA without Protocol Data */
	n = hex("0200010100000008");
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_MALFORMED);
	n = hex("0100010100000004");
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_MALFORMED);
	n = hex("010001010000000c00060002");
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_MALFORMED);
	n = hex("01000101000000100006000800000001");
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_MALFORMED);
	/* Protocol Data too short for its fixed part */
	n = hex("010001010000001402100008000003e9" "00000000");
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_MALFORMED);
	/* look-alike: HTTP */
	n = hex("474554202f20485454502f312e310d0a");
	CHECK_EQ_INT(m3ua_parse(buf, n, false, &d, &len), SIG_MALFORMED);
}

static void test_m2ua(void)
{
	/* MAUP DATA, Protocol Data 1: SIO 0x83 (SCCP, national), label DPC 20 OPC 400 SLS 0, then "09" */
	size_t len;
	size_t n = hex("01000601000000140300000a" "83" "14006400" "09" "0000");
	struct m3ua_data d;
	CHECK_EQ_INT(m2ua_parse(buf, n, false, &d, &len), SIG_OK);
	CHECK_EQ_INT(d.si, 3);
	CHECK_EQ_INT(d.dpc, 20);
	CHECK_EQ_INT(d.opc, 400);
	CHECK_EQ_INT(d.data.len, 1);
	/* Protocol Data 2 (TTC): one length-indicator octet first */
	n = hex("01000601000000140301000b" "3f" "83" "14006400" "09" "00");
	CHECK_EQ_INT(m2ua_parse(buf, n, false, &d, &len), SIG_OK);
	CHECK_EQ_INT(d.opc, 400);
	/* the routing label cut short */
	n = hex("01000601000000100300000783144000");
	CHECK_EQ_INT(m2ua_parse(buf, n, false, &d, &len), SIG_MALFORMED);
	/* M2UA management (class 6 type 2...) is valid and not data */
	n = hex("0100060200000008");
	CHECK_EQ_INT(m2ua_parse(buf, n, false, &d, &len), SIG_OTHER);
}

static void test_sua(void)
{
	size_t n = hexs(SUA), len;
	struct sccp_unitdata ud;
	CHECK_EQ_INT(sua_parse(buf, n, false, &ud, &len), SIG_OK);
	CHECK_EQ_INT(ud.type, SCCP_UDT);
	CHECK(ud.calling.route_on_gt && ud.calling.has_gt && ud.calling.has_ssn);
	CHECK_EQ_STR(ud.calling.digits, "447700900500");
	CHECK_EQ_STR(ud.called.digits, "447700900999");
	CHECK_EQ_INT(ud.called.ssn, 8);
	CHECK_EQ_INT(ud.data.len, 0x44 - 4);
	CHECK_EQ_INT(ud.data.ptr[0], 0x64);
	for (size_t k = 0; k < n; k++) {
		uint8_t *p = prefix(k);
		enum sig_status st = sua_parse(p, k, true, &ud, &len);
		CHECK(st == SIG_TRUNCATED || (st == SIG_OK && ud.data_cut));
		CHECK_EQ_INT(sua_parse(p, k, false, &ud, &len), SIG_MALFORMED);
		free(p);
	}
	/* SUA management, connection-oriented: not ours */
	n = hex("0100030100000008");
	CHECK_EQ_INT(sua_parse(buf, n, false, &ud, &len), SIG_OTHER);
	n = hex("0100080100000008");
	CHECK_EQ_INT(sua_parse(buf, n, false, &ud, &len), SIG_OTHER);
	/* CLDT without addresses; a GT whose digit count overruns it */
	n = hex("010007010000001000" "0b0008" "01020304");
	CHECK_EQ_INT(sua_parse(buf, n, false, &ud, &len), SIG_MALFORMED);
	n = hexs(SUA);
	buf[40] = 0x30; /* the source GT's digit count: 48 digits in 6 octets */
	CHECK_EQ_INT(sua_parse(buf, n, false, &ud, &len), SIG_MALFORMED);
}

int main(void)
{
	test_sccp_udt();
	test_sccp_xudt();
	test_sccp_addresses();
	test_m3ua();
	test_m2ua();
	test_sua();
	free(buf);
	return check_done("test_sigtran");
}
