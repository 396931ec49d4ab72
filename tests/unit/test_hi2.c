/*
 * test_hi2.c — the handover's encoding: the BER writer (read back with proto/ber.h),
 * the HI2 IRI of records (tags, parties, never content), the communication identities,
 * and the ROSE invocation and answers.
 */
#include <string.h>

#include "check.h"
#include "handover/ber_write.h"
#include "handover/hi2.h"
#include "handover/hi2_calls.h"
#include "handover/rose.h"
#include "proto/ber.h"

static void test_writer(void)
{
	uint8_t buf[512], big[300];
	struct ber_writer w;
	berw_init(&w, buf, sizeof buf);
	berw_open(&w, BER_CONTEXT, 1);
	berw_int(&w, BER_UNIVERSAL, BER_TAG_INTEGER, 0);
	berw_int(&w, BER_UNIVERSAL, BER_TAG_INTEGER, 127);
	berw_int(&w, BER_UNIVERSAL, BER_TAG_INTEGER, 128);
	berw_int(&w, BER_UNIVERSAL, BER_TAG_INTEGER, -129);
	memset(big, 'x', sizeof big);
	berw_bytes(&w, BER_CONTEXT, 255, big, sizeof big); /* high tag, long-form length */
	berw_close(&w);
	CHECK(berw_ok(&w));
	/* 0x81 0x82: the outer length needed two more octets than reserved: contents moved */
	CHECK_EQ_INT(buf[0], 0xA1);
	CHECK_EQ_INT(buf[1], 0x82);
	struct ber b = ber_make(buf, w.len, false), in;
	struct ber_tlv t;
	CHECK_EQ_INT(ber_next(&b, &t), BER_OK);
	CHECK(ber_is(&t, BER_CONTEXT, true, 1));
	in = t.value;
	int32_t v;
	static const int32_t want[] = { 0, 127, 128, -129 };
	for (int i = 0; i < 4; i++) {
		CHECK_EQ_INT(ber_next(&in, &t), BER_OK);
		CHECK(ber_int(&t, &v));
		CHECK_EQ_INT(v, want[i]);
	}
	CHECK_EQ_INT(ber_next(&in, &t), BER_OK);
	CHECK(ber_is(&t, BER_CONTEXT, false, 255));
	struct span s;
	CHECK(ber_bytes(&t, &s) && s.len == sizeof big);
	CHECK_EQ_INT(ber_next(&in, &t), BER_END);
	CHECK_EQ_INT(ber_next(&b, &t), BER_END);

	/* the OID the reader reads back */
	static const uint32_t arcs[] = { 0, 4, 0, 2, 2, 1, 11, 300000 };
	uint32_t got[16];
	berw_init(&w, buf, sizeof buf);
	berw_oid(&w, BER_UNIVERSAL, BER_TAG_OID, arcs, 8);
	CHECK(berw_ok(&w));
	b = ber_make(buf, w.len, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_OK);
	CHECK_EQ_INT(ber_oid(&t, got, 16), 8);
	CHECK(memcmp(got, arcs, sizeof arcs) == 0);

	/* failures are sticky: a full buffer, a close too many, nesting too deep, unclosed */
	berw_init(&w, buf, 10);
	berw_bytes(&w, BER_UNIVERSAL, BER_TAG_OCTET_STRING, big, 20);
	berw_int(&w, BER_UNIVERSAL, BER_TAG_INTEGER, 1);
	CHECK(!berw_ok(&w));
	berw_init(&w, buf, sizeof buf);
	berw_close(&w);
	CHECK(!berw_ok(&w));
	berw_init(&w, buf, sizeof buf);
	for (int i = 0; i <= BER_MAX_DEPTH; i++)
		berw_open(&w, BER_UNIVERSAL, BER_TAG_SEQUENCE);
	CHECK(!berw_ok(&w));
	berw_init(&w, buf, sizeof buf);
	berw_open(&w, BER_UNIVERSAL, BER_TAG_SEQUENCE);
	CHECK(!berw_ok(&w));
	/* a long form that no longer fits when the length is filled in */
	berw_init(&w, buf, 130);
	berw_open(&w, BER_UNIVERSAL, BER_TAG_SEQUENCE);
	berw_bytes(&w, BER_UNIVERSAL, BER_TAG_OCTET_STRING, big, 126);
	berw_close(&w);
	CHECK(!berw_ok(&w));
}

static void make(struct record *r, uint64_t seq, enum event_type type, const char *dir, const char *from,
		 const char *to, const char *target)
{
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->ts_us = 1700000000500000ull; /* 2023-11-14T22:13:20.5Z */
	r->type = type;
	snprintf(r->order, sizeof r->order, "O-1");
	snprintf(r->direction, sizeof r->direction, "%s", dir);
	snprintf(r->from, sizeof r->from, "%s", from);
	snprintf(r->to, sizeof r->to, "%s", to);
	snprintf(r->target, sizeof r->target, "%s", target);
	r->duration_us = -1;
}

/* Finds the first element [cls tag] anywhere under window b (depth first). */
static bool find(struct ber b, uint8_t cls, uint32_t tag, struct ber_tlv *out)
{
	struct ber_tlv t;
	while (ber_next(&b, &t) == BER_OK) {
		if (t.cls == cls && t.tag == tag) {
			*out = t;
			return true;
		}
		if (t.constructed && find(t.value, cls, tag, out))
			return true;
	}
	return false;
}

static bool has_bytes(const uint8_t *p, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return true;
	return false;
}

static void test_encode(void)
{
	uint8_t buf[HI2_PDU_MAX];
	size_t len = 0;
	char err[256];
	struct record r;
	struct hi2_context c = { .liid = "LI-1", .operator_id = "PTRAP", .cin = 123456789 };
	struct ber_tlv t, iri;

	make(&r, 9, EV_CALL_END, "out", "+15550001111", "sip:bob@example.net", "+15550001111");
	r.duration_us = 3723400000; /* 1:02:03.4 */
	snprintf(r.outcome, sizeof r.outcome, "busy");
	CHECK_EQ_INT(hi2_encode(&r, &c, buf, sizeof buf, &len, err, sizeof err), 0);
	struct ber b = ber_make(buf, len, false);
	CHECK_EQ_INT(ber_next(&b, &t), BER_OK);
	CHECK(ber_is(&t, BER_CONTEXT, true, 0)); /* iRIContent */
	CHECK_EQ_INT(ber_next(&b, &iri), BER_END);
	struct ber in = t.value;
	CHECK_EQ_INT(ber_next(&in, &iri), BER_OK);
	CHECK(ber_is(&iri, BER_CONTEXT, true, HI2_IRI_END));
	struct span s;
	CHECK(find(iri.value, BER_CONTEXT, 1, &t) && ber_bytes(&t, &s) && s.len == 4 && memcmp(s.ptr, "LI-1", 4) == 0);
	CHECK(find(iri.value, BER_CONTEXT, 7, &t) && ber_bytes(&t, &s) && s.len == 3 && s.ptr[0] == 0x01 &&
	      s.ptr[1] == 0x02 && s.ptr[2] == 0x03); /* conversationDuration BCD */
	CHECK(find(iri.value, BER_CONTEXT, 11, &t) && ber_bytes(&t, &s) && s.len == 2 && s.ptr[1] == 0x91);
	CHECK(has_bytes(buf, len, "23456789")); /* the identity number mod 10^8 */
	CHECK(has_bytes(buf, len, "231114221320Z"));
	CHECK(has_bytes(buf, len, "sip:bob@example.net"));

	/* SMS: a report with sMS, and never a content element ([4] inside sMS-Contents) */
	make(&r, 10, EV_SMS, "in", "MyBank", "+15550001111", "+15550001111");
	snprintf(r.outcome, sizeof r.outcome, "accepted");
	CHECK_EQ_INT(hi2_encode(&r, &c, buf, sizeof buf, &len, err, sizeof err), 0);
	b = ber_make(buf, len, false);
	ber_next(&b, &t);
	in = t.value;
	ber_next(&in, &iri);
	CHECK(ber_is(&iri, BER_CONTEXT, true, HI2_IRI_REPORT));
	struct ber_tlv sms, contents;
	CHECK(find(iri.value, BER_CONTEXT, 14, &sms));
	CHECK(find(sms.value, BER_CONTEXT, 3, &contents) && contents.constructed);
	CHECK(!find(contents.value, BER_CONTEXT, 4, &t));
	CHECK(!find(iri.value, BER_CONTEXT, 30, &t)); /* sIPMessage */
	CHECK(has_bytes(buf, len, "originating-party=MyBank")); /* no field for it: national */

	/* an app message to the service names the counterpart target as the other party */
	make(&r, 11, EV_OTT_MESSAGE, "out", "+15550001111", "service:whatsapp", "+15550001111");
	snprintf(r.service, sizeof r.service, "whatsapp");
	snprintf(r.counterpart, sizeof r.counterpart, "+15550002222");
	r.inferred = true;
	r.score = 65;
	CHECK_EQ_INT(hi2_encode(&r, &c, buf, sizeof buf, &len, err, sizeof err), 0);
	CHECK(has_bytes(buf, len, "\x86\x07\x91\x51\x55\x00\x20\x22\xf2")); /* msISDN +15550002222 */
	CHECK(!has_bytes(buf, len, "service:whatsapp"));
	CHECK(has_bytes(buf, len, "service=whatsapp") && has_bytes(buf, len, "confidence=inferred:65"));

	/* bad contexts and a buffer too small: one line, no PDU */
	c.liid = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	CHECK_EQ_INT(hi2_encode(&r, &c, buf, sizeof buf, &len, err, sizeof err), -1);
	CHECK(strstr(err, "LIID of 26 octets") != NULL);
	c.liid = "LI-1";
	c.operator_id = "TOOLONG";
	CHECK_EQ_INT(hi2_encode(&r, &c, buf, sizeof buf, &len, err, sizeof err), -1);
	c.operator_id = "PTRAP";
	CHECK_EQ_INT(hi2_encode(&r, &c, buf, 40, &len, err, sizeof err), -1);
	CHECK(strstr(err, "does not fit") != NULL && len == 0);

	CHECK_EQ_INT(hi2_iri_of(EV_CALL_ATTEMPT), HI2_IRI_BEGIN);
	CHECK_EQ_INT(hi2_iri_of(EV_CALL_ANSWER), HI2_IRI_CONTINUE);
	CHECK_EQ_INT(hi2_iri_of(EV_DATA_SESSION_END), HI2_IRI_END);
	CHECK_EQ_INT(hi2_iri_of(EV_REGISTRATION), HI2_IRI_REPORT);
}

static void test_calls(void)
{
	struct hi2_calls *t = hi2_calls_new();
	struct record a, b, r;
	CHECK(t != NULL);
	if (!t)
		return;
	make(&a, 5, EV_CALL_ATTEMPT, "out", "+1555", "+1666", "+1555");
	snprintf(a.call_id, sizeof a.call_id, "c1");
	make(&b, 6, EV_CALL_ATTEMPT, "in", "+1555", "+1666", "+1666"); /* the other leg: its own */
	snprintf(b.call_id, sizeof b.call_id, "c1");
	CHECK_EQ_INT(hi2_calls_cin(t, &a), 5);
	CHECK_EQ_INT(hi2_calls_cin(t, &b), 6);
	r = a;
	r.seq = 7;
	r.type = EV_CALL_ANSWER;
	CHECK_EQ_INT(hi2_calls_cin(t, &r), 5);
	r.seq = 8;
	r.type = EV_SMS; /* a report is its own */
	CHECK_EQ_INT(hi2_calls_cin(t, &r), 8);
	r.seq = 9;
	r.type = EV_CALL_END;
	CHECK_EQ_INT(hi2_calls_cin(t, &r), 5);
	r.seq = 10; /* ended: a later record of that call id is a new communication */
	CHECK_EQ_INT(hi2_calls_cin(t, &r), 10);
	/* many open calls, then all closed: the table empties and stays consistent */
	for (uint64_t i = 0; i < 5000; i++) {
		make(&r, 100 + i, EV_DATA_SESSION_BEGIN, "out", "+1555", "internet", "+1555");
		snprintf(r.contact, sizeof r.contact, "10.0.%u.%u", (unsigned)(i / 256), (unsigned)(i % 256));
		CHECK_EQ_INT(hi2_calls_cin(t, &r), 100 + i);
	}
	for (uint64_t i = 0; i < 5000; i += 2) {
		make(&r, 9000 + i, EV_DATA_SESSION_END, "out", "+1555", "internet", "+1555");
		snprintf(r.contact, sizeof r.contact, "10.0.%u.%u", (unsigned)(i / 256), (unsigned)(i % 256));
		CHECK_EQ_INT(hi2_calls_cin(t, &r), 100 + i);
	}
	for (uint64_t i = 1; i < 5000; i += 2) {
		make(&r, 20000 + i, EV_DATA_SESSION_END, "out", "+1555", "internet", "+1555");
		snprintf(r.contact, sizeof r.contact, "10.0.%u.%u", (unsigned)(i / 256), (unsigned)(i % 256));
		CHECK_EQ_INT(hi2_calls_cin(t, &r), 100 + i);
	}
	CHECK_EQ_INT(hi2_calls_full(t), 0);
	hi2_calls_free(t);
	hi2_calls_free(NULL);
}

static void test_rose(void)
{
	uint8_t arg[] = { 0xA0, 0x02, 0x05, 0x00 }, buf[64];
	size_t len = 0, used = 0;
	int32_t id, code;
	CHECK_EQ_INT(rose_invoke(300, arg, sizeof arg, buf, sizeof buf, &len), 0);
	CHECK_EQ_INT(buf[0], 0xA1);
	CHECK(memcmp(buf + len - sizeof arg, arg, sizeof arg) == 0);
	CHECK_EQ_INT(rose_invoke(1, arg, sizeof arg, buf, 8, &len), -1);

	static const uint8_t result[] = { 0xA2, 0x04, 0x02, 0x02, 0x01, 0x2c, 0xA2, 0x03 };
	CHECK_EQ_INT(rose_read_answer(result, sizeof result, &id, &code, &used), ROSE_RESULT);
	CHECK_EQ_INT(id, 300);
	CHECK_EQ_INT(used, 6);
	CHECK_EQ_INT(rose_read_answer(result + 6, 2, &id, &code, &used), ROSE_NEED_MORE);
	static const uint8_t error[] = { 0xA3, 0x06, 0x02, 0x01, 0x07, 0x02, 0x01, 0x02 };
	CHECK_EQ_INT(rose_read_answer(error, sizeof error, &id, &code, &used), ROSE_ERROR);
	CHECK(id == 7 && code == 2);
	static const uint8_t reject[] = { 0xA4, 0x05, 0x05, 0x00, 0x80, 0x01, 0x01 };
	CHECK_EQ_INT(rose_read_answer(reject, sizeof reject, &id, &code, &used), ROSE_REJECT);
	CHECK(id == -1 && code == 1);
	static const uint8_t invoke[] = { 0xA1, 0x03, 0x02, 0x01, 0x01 };
	CHECK_EQ_INT(rose_read_answer(invoke, sizeof invoke, &id, &code, &used), ROSE_MALFORMED);
	static const uint8_t junk[] = { 0xA2, 0x02, 0x04, 0x00 };
	CHECK_EQ_INT(rose_read_answer(junk, sizeof junk, &id, &code, &used), ROSE_MALFORMED);
}

int main(void)
{
	test_writer();
	test_encode();
	test_calls();
	test_rose();
	return check_done("test_hi2");
}
