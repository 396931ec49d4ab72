/*
 * test_tcap.c — TCAP messages (proto/tcap.c) and MAP arguments (proto/map.c): Begin,
 * Continue, End, Abort; OTID/DTID; the dialogue portion (AARQ/AARE, the application
 * context, the AARE result, indefinite lengths); Invoke, ReturnResultLast, ReturnError,
 * Reject; the component cap; ANSI TCAP and other look-alikes; every prefix of a valid
 * message (cut and whole); a message longer than its bytes. MAP: mo-/mt-ForwardSM
 * arguments, IMSI, LMSI, v1 roaming number, AddressString, application contexts.
 * The byte strings come from tests/pcap/map/make_map_pcaps.py's functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/map.h"
#include "proto/tcap.h"

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

static const char BEGIN_MO[] =
	"626348040a0b0c016b1e281c060700118605010101a011600f80020780a1090607040000010015036c3ba139"
	"02010102012e3031840791447700099099820791447700091032041d11010c914477000940650000a711c3a0"
	"3328cdb6aace2415842eb3d96f";
static const char END_RESULT[] =
	"643e49040a0b0c016b2a2828060700118605010101a01d611b80020780a109060704000001001503a2030201"
	"00a305a1030201006c0aa208020101300302012e";
static const char END_ERROR[] =
	"641049040a0b0c016c08a306020101020106";
static const char ABORT_REFUSED[] =
	"673249040a0b0c016b2a2828060700118605010101a01d611b80020780a109060704000001001502a2030201"
	"01a305a103020102";
static const char CONTINUE_EMPTY[] =
	"653848042b00000149040a0b0c016b2a2828060700118605010101a01d611b80020780a10906070400000100"
	"1502a203020100a305a103020100";
static const char BEGIN_MT[] =
	"626748046d0000016b1e281c060700118605010101a011600f80020780a1090607040000010019036c3fa13d"
	"02010102012c3035800800010100000054f68407914477000990990420040c91447700091032000062115101"
	"0000000ec3a03328cdb6aace2415d4a603";
static const char BEGIN_CAP[] =
	"62634804ca0000016b1e281c060700118605010101a011600f80020780a1090607040000010032016c3ba139"
	"02010102012e3031840791447700099099820791447700091032041d11010c914477000940650000a711c3a0"
	"3328cdb6aace2415842eb3d96f";
static const char BEGIN_NINE[] =
	"6282012148044c0000036c820117a11d02010002012d30158007914477000940658101ff8207914477000990"
	"99a11d02010102012d30158007914477000940658101ff820791447700099099a11d02010202012d30158007"
	"914477000940658101ff820791447700099099a11d02010302012d30158007914477000940658101ff820791"
	"447700099099a11d02010402012d30158007914477000940658101ff820791447700099099a11d0201050201"
	"2d30158007914477000940658101ff820791447700099099a11d02010602012d301580079144770009406581"
	"01ff820791447700099099a11d02010702012d30158007914477000940658101ff820791447700099099a11d"
	"02010802012d30158007914477000940658101ff820791447700099099";
static const char END_REJECT[] = "641049040a0b0c016c08a406020101800101";
static const char BEGIN_INDEF[] =
	"628048040a0b0c016b802880060700118605010101a080608080020780a18006070400000100150300000000"
	"0000000000006c80a18002010102012e3031840791447700099099820791447700091032041d11010c914477"
	"000940650000a711c3a03328cdb6aace2415842eb3d96f000000000000";
static const char MT_V1_ROAMING[] =
	"30288307914477000980888407914477000990990414040c914477000910320000621151010000000178";
static const char MT_LMSI[] =
	"30258104010203048407914477000990990414040c914477000910320000621151010000000178";

static void test_begin_end(void)
{
	struct tcap_msg m;
	size_t n = hex(BEGIN_MO);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.type, TCAP_BEGIN);
	CHECK(!m.overlong);
	CHECK_EQ_INT(m.otid.len, 4);
	CHECK_EQ_INT(m.dtid.len, 0);
	char tid[9];
	tcap_tid_hex(&m.otid, tid);
	CHECK_EQ_STR(tid, "0a0b0c01");
	CHECK_EQ_INT(m.dialogue, TCAP_DLG_AARQ);
	CHECK_EQ_INT(m.ac_arcs, 8);
	CHECK_EQ_INT(m.ac[6], 21);
	CHECK_EQ_INT(m.ac[7], 3);
	CHECK_EQ_INT(m.ncomp, 1);
	CHECK_EQ_INT(m.comp[0].kind, TCAP_INVOKE);
	CHECK_EQ_INT(m.comp[0].invoke_id, 1);
	CHECK(m.comp[0].has_code && !m.comp[0].code_global);
	CHECK_EQ_INT(m.comp[0].code, MAP_OP_MO_FORWARD_SM);
	CHECK(m.comp[0].has_param);
	CHECK(ber_is(&m.comp[0].param, BER_UNIVERSAL, true, BER_TAG_SEQUENCE));

	n = hex(END_RESULT);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.type, TCAP_END);
	tcap_tid_hex(&m.dtid, tid);
	CHECK_EQ_STR(tid, "0a0b0c01");
	CHECK_EQ_INT(m.dialogue, TCAP_DLG_AARE);
	CHECK(m.has_result);
	CHECK_EQ_INT(m.result, 0);
	CHECK_EQ_INT(m.ncomp, 1);
	CHECK_EQ_INT(m.comp[0].kind, TCAP_RESULT_LAST);
	CHECK_EQ_INT(m.comp[0].code, MAP_OP_MO_FORWARD_SM);
	CHECK(!m.comp[0].has_param);

	n = hex(END_ERROR);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.dialogue, TCAP_DLG_NONE);
	CHECK_EQ_INT(m.comp[0].kind, TCAP_ERROR);
	CHECK_EQ_INT(m.comp[0].code, 6);

	n = hex(END_REJECT);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.comp[0].kind, TCAP_REJECT);
	CHECK(m.comp[0].has_invoke_id);

	n = hex(ABORT_REFUSED);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.type, TCAP_ABORT);
	CHECK_EQ_INT(m.dialogue, TCAP_DLG_AARE);
	CHECK_EQ_INT(m.result, 1);
	CHECK_EQ_INT(m.ac[7], 2);

	n = hex(CONTINUE_EMPTY);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.type, TCAP_CONTINUE);
	CHECK_EQ_INT(m.otid.len, 4);
	CHECK_EQ_INT(m.dtid.len, 4);
	CHECK_EQ_INT(m.ncomp, 0);

	/* indefinite lengths throughout give the same reading */
	n = hex(BEGIN_INDEF);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.ac[6], 21);
	CHECK_EQ_INT(m.ncomp, 1);
	CHECK_EQ_INT(m.comp[0].code, MAP_OP_MO_FORWARD_SM);
	struct map_forward_sm fs;
	CHECK_EQ_INT(map_forward_sm_parse(&m.comp[0].param, &fs), TCAP_OK);
	CHECK_EQ_STR(fs.oa.text, "+447700900123");
}

static void test_limits_and_lookalikes(void)
{
	struct tcap_msg m;
	/* nine components: eight read, the cap noted */
	size_t n = hex(BEGIN_NINE);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.ncomp, TCAP_MAX_COMPONENTS);
	CHECK(m.comp_capped);
	CHECK_EQ_INT(m.comp[7].invoke_id, 7);

	/* ANSI TCAP (PRIVATE class), SCCP management, text: not ITU TCAP */
	n = hex("e2080701010701000000");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OTHER);
	n = hex("0104080601");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OTHER);
	n = hex("474554202f");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OTHER);
	CHECK_EQ_INT(tcap_parse(buf, 0, false, &m), TCAP_MALFORMED);
	CHECK_EQ_INT(tcap_parse(buf, 0, true, &m), TCAP_TRUNCATED);

	/* a Begin without its OTID, an End without its DTID, a 5-octet transaction id */
	n = hex("62056c03a10100");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_MALFORMED);
	n = hex("64026c00");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_MALFORMED);
	n = hex("620748050102030405");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_MALFORMED);
	/* a component of an unknown kind, an invoke without its opcode */
	n = hex("620c480401020304" "6c04a5020500");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_MALFORMED);
	n = hex("620d480401020304" "6c05a103020101");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_MALFORMED);
	/* a global operation code is read as such */
	n = hex("6211480401020304" "6c09a10702010106020400");
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK(m.comp[0].code_global);

	/* longer than its bytes (arkime's synthetic captures): read, flagged */
	n = hex(END_ERROR);
	buf[1] = 0x12;
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK(m.overlong);
	CHECK_EQ_INT(m.comp[0].kind, TCAP_ERROR);
}

static void test_prefixes(void)
{
	const char *msgs[] = { BEGIN_MO, END_RESULT, BEGIN_MT, ABORT_REFUSED, BEGIN_INDEF };
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		size_t n = hex(msgs[i]);
		uint8_t *whole = malloc(n);
		memcpy(whole, buf, n);
		for (size_t k = 0; k < n; k++) {
			uint8_t *p = malloc(k ? k : 1);
			memcpy(p, whole, k);
			struct tcap_msg m;
			enum tcap_status st = tcap_parse(p, k, true, &m);
			CHECK(st == TCAP_TRUNCATED || st == TCAP_MALFORMED);
			if (!(st == TCAP_TRUNCATED || st == TCAP_MALFORMED))
				fprintf(stderr, "  message %zu cut at %zu: %d\n", i, k, (int)st);
			st = tcap_parse(p, k, false, &m);
			CHECK(st == TCAP_MALFORMED || (m.overlong && (st == TCAP_OK || st == TCAP_TRUNCATED)));
			if (!(st == TCAP_MALFORMED || (m.overlong && (st == TCAP_OK || st == TCAP_TRUNCATED))))
				fprintf(stderr, "  message %zu whole at %zu: %d overlong %d\n", i, k, (int)st, m.overlong);
			/* a cut invoke's argument never reads as whole */
			if (m.ncomp && m.comp[0].kind == TCAP_INVOKE && m.comp[0].has_param) {
				struct map_forward_sm fs;
				enum tcap_status ms = map_forward_sm_parse(&m.comp[0].param, &fs);
				CHECK(ms != TCAP_OK || !m.comp[0].param.value.cut);
			}
			free(p);
		}
		free(whole);
	}
	/* cut inside TP-UD: the addresses are whole, the argument is truncated */
	size_t n = hex(BEGIN_MO);
	struct tcap_msg m;
	CHECK_EQ_INT(tcap_parse(buf, n - 5, true, &m), TCAP_TRUNCATED);
	CHECK_EQ_INT(m.ncomp, 1);
	CHECK(m.comp[0].cut);
	struct map_forward_sm fs;
	CHECK_EQ_INT(map_forward_sm_parse(&m.comp[0].param, &fs), TCAP_TRUNCATED);
	CHECK_EQ_STR(fs.oa.text, "+447700900123");
	CHECK(fs.ui_cut);
	CHECK(fs.ui.len > 0);
}

static void test_map_args(void)
{
	struct tcap_msg m;
	struct map_forward_sm fs;
	size_t n = hex(BEGIN_MO);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(map_forward_sm_parse(&m.comp[0].param, &fs), TCAP_OK);
	CHECK_EQ_INT(fs.da.choice, MAP_RP_SERVICE_CENTRE);
	CHECK_EQ_STR(fs.da.text, "+447700900999");
	CHECK_EQ_INT(fs.oa.choice, MAP_RP_MSISDN);
	CHECK_EQ_STR(fs.oa.text, "+447700900123");
	CHECK_EQ_INT(fs.ui.len, 29);
	CHECK_EQ_INT(fs.ui.ptr[0], 0x11);

	n = hex(BEGIN_MT);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK_EQ_INT(m.comp[0].code, MAP_OP_MT_FORWARD_SM);
	CHECK_EQ_INT(map_forward_sm_parse(&m.comp[0].param, &fs), TCAP_OK);
	CHECK_EQ_INT(fs.da.choice, MAP_RP_IMSI);
	CHECK_EQ_STR(fs.da.text, "imsi:001010000000456");
	CHECK_EQ_INT(fs.oa.choice, MAP_RP_SERVICE_CENTRE);

	/* arguments read straight from a BER element */
	struct ber_tlv t;
	n = hex(MT_V1_ROAMING);
	struct ber b = ber_make(buf, n, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_OK);
	CHECK_EQ_INT(map_forward_sm_parse(&t, &fs), TCAP_OK);
	CHECK_EQ_INT(fs.da.choice, MAP_RP_ROAMING_NUMBER);
	CHECK_EQ_STR(fs.da.text, "+447700900888");
	n = hex(MT_LMSI);
	b = ber_make(buf, n, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_OK);
	CHECK_EQ_INT(map_forward_sm_parse(&t, &fs), TCAP_OK);
	CHECK_EQ_INT(fs.da.choice, MAP_RP_LMSI);
	CHECK_EQ_STR(fs.da.text, "");

	/* malformed: an IMSI in SM-RP-OA, no SM-RP-UI, a constructed SM-RP-UI, an IMSI with a
	 * hex digit, an LMSI of 3 octets, not a SEQUENCE, an empty SM-RP-UI */
	const char *bad[] = {
		"3016840791447700099099800800010100000054f6040101",
		"301284079144770009909982079144770009103204",
		"3017840791447700099099820791447700091032" "2402040100",
		"3016800800010100000a54f6840791447700099099040101",
		"30118103010203840791447700099099040101",
		"3112840791447700099099820791447700091032",
		"3014840791447700099099820791447700091032" "0400",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = hex(bad[i]);
		b = ber_make(buf, n, false);
		enum ber_status st = ber_next(&b, &t);
		if (st != BER_OK)
			continue;
		CHECK(map_forward_sm_parse(&t, &fs) != TCAP_OK);
	}
	/* noSM-RP-DA / noSM-RP-OA are NULLs */
	n = hex("3007850085000401" "04");
	b = ber_make(buf, n, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_OK);
	CHECK_EQ_INT(map_forward_sm_parse(&t, &fs), TCAP_OK);
	CHECK_EQ_INT(fs.da.choice, MAP_RP_NONE);
}

static void test_map_helpers(void)
{
	char out[48];
	static const uint8_t imsi[] = { 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x54, 0xf6 };
	CHECK(map_imsi(imsi, sizeof imsi, out, sizeof out));
	CHECK_EQ_STR(out, "imsi:001010000000456");
	static const uint8_t hexdigit[] = { 0x00, 0x01, 0xa1 };
	CHECK(!map_imsi(hexdigit, sizeof hexdigit, out, sizeof out));
	static const uint8_t short_imsi[] = { 0x21, 0xf3 };
	CHECK(!map_imsi(short_imsi, sizeof short_imsi, out, sizeof out));
	static const uint8_t five[] = { 0x21, 0x43, 0xf5 };
	CHECK(map_imsi(five, sizeof five, out, sizeof out));
	CHECK_EQ_STR(out, "imsi:12345");
	CHECK(!map_imsi(five, sizeof five, out, 10)); /* no room */

	static const uint8_t intl[] = { 0x91, 0x44, 0x77, 0xf0 };
	map_address_string(intl, sizeof intl, out, sizeof out);
	CHECK_EQ_STR(out, "+44770");
	static const uint8_t national[] = { 0xa1, 0x10, 0x32 };
	map_address_string(national, sizeof national, out, sizeof out);
	CHECK_EQ_STR(out, "0123");
	static const uint8_t noa5[] = { 0xd1, 0x21, 0x43 };
	map_address_string(noa5, sizeof noa5, out, sizeof out);
	CHECK_EQ_STR(out, "1234"); /* reserved nature of address: digits, never GSM 7-bit text */
	map_address_string(intl, 0, out, sizeof out);
	CHECK_EQ_STR(out, "");

	struct map_ac ac;
	uint32_t mo3[] = { 0, 4, 0, 0, 1, 0, 21, 3 };
	CHECK(map_ac_from_oid(mo3, 8, &ac));
	CHECK_EQ_INT(ac.id, 21);
	CHECK_EQ_INT(ac.version, 3);
	uint32_t cap2[] = { 0, 4, 0, 0, 1, 0, 50, 1 };
	CHECK(!map_ac_from_oid(cap2, 8, &ac));
	uint32_t cap3[] = { 0, 4, 0, 0, 1, 21, 3, 4 };
	CHECK(!map_ac_from_oid(cap3, 8, &ac));
	uint32_t v9[] = { 0, 4, 0, 0, 1, 0, 21, 9 };
	CHECK(!map_ac_from_oid(v9, 8, &ac));
	CHECK(!map_ac_from_oid(mo3, 7, &ac));

	/* CAMEL's Begin parses as TCAP; its context is not MAP's */
	struct tcap_msg m;
	size_t n = hex(BEGIN_CAP);
	CHECK_EQ_INT(tcap_parse(buf, n, false, &m), TCAP_OK);
	CHECK(!map_ac_from_oid(m.ac, m.ac_arcs, &ac));
}

int main(void)
{
	test_begin_end();
	test_limits_and_lookalikes();
	test_prefixes();
	test_map_args();
	test_map_helpers();
	free(buf);
	return check_done("test_tcap");
}
