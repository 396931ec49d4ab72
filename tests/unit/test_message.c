/*
 * test_message.c — pentrap's broker messages (broker/message.h) and identity bindings
 * (broker/binding.h) read back: valid ones give what was sent; truncated, malformed and
 * look-alike ones (somebody else's message, a record whose line was changed after it was
 * hashed, a genesis that does not hash) are refused with their kind.
 */
#include <stdlib.h>
#include <string.h>

#include "broker/binding.h"
#include "broker/message.h"
#include "check.h"
#include "record/chain.h"

static struct message_origin origin(void)
{
	struct message_origin o;
	memset(&o, 0, sizeof o);
	strcpy(o.sensor, "cp-1");
	memset(o.key_id, 'a', 64);
	strcpy(o.genesis.order_id, "2026-MJ-0142");
	memset(o.genesis.order_sha256, 'b', 64);
	strcpy(o.genesis.sensor, "cp-1");
	o.genesis.created_us = 1796000000000000ULL;
	chain_genesis_hash(&o.genesis);
	return o;
}

static struct record rec(uint64_t seq, const char *prev)
{
	struct record r;
	memset(&r, 0, sizeof r);
	r.seq = seq;
	r.ts_us = 1796242757123456ULL + seq;
	r.type = EV_FLOW;
	strcpy(r.order, "2026-MJ-0142");
	strcpy(r.target, "+15551234567");
	strcpy(r.direction, "out");
	strcpy(r.from, "+15551234567");
	strcpy(r.to, "192.0.2.7");
	strcpy(r.protocol, "tls");
	r.duration_us = 1500000;
	strcpy(r.evidence, "{\"src\":\"10.45.0.7\"}");
	strcpy(r.prev_hash, prev);
	chain_hash_record(&r, r.hash);
	return r;
}

/* n records from seq 1, as a records message body. */
static char *records_body(size_t n, size_t *len)
{
	char *body = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&body, &blen);
	char prev[HASH_HEX_LEN] = "genesis";
	for (size_t i = 0; i < n; i++) {
		struct record r = rec(i + 1, prev);
		record_write_json(&r, f);
		fputc('\n', f);
		strcpy(prev, r.hash);
	}
	fclose(f);
	*len = blen;
	return body;
}

static enum message_refusal decode(enum message_kind k, const struct message_origin *o, uint64_t first, uint64_t count,
				   const char *body, size_t len, struct message_decoded *d)
{
	struct message_header h[MESSAGE_MAX_HEADERS];
	size_t nh = message_headers(k, o, 1, first, count, h);
	struct message_in in = { .type = message_type_name(k), .type_len = strlen(message_type_name(k)), .headers = h,
				 .nheaders = nh, .body = body, .body_len = len };
	char why[256];
	return message_decode(&in, d, why, sizeof why);
}

static void test_records(void)
{
	struct message_origin o = origin();
	struct message_decoded d;
	size_t len;
	char *body = records_body(3, &len);
	CHECK_EQ_INT(decode(MSG_RECORDS, &o, 1, 3, body, len, &d), REFUSE_NONE);
	CHECK_EQ_INT(d.item.kind, STORE_IN_RECORDS);
	CHECK_EQ_INT(d.item.nrecords, 3);
	CHECK_EQ_INT(d.records[2].seq, 3);
	CHECK_EQ_STR(d.item.sensor, "cp-1");
	message_decoded_fini(&d);
	/* truncated: every prefix of the body is refused, never a crash */
	int all = 1;
	for (size_t cut = 0; cut < len; cut++) {
		if (decode(MSG_RECORDS, &o, 1, 3, body, cut, &d) == REFUSE_NONE)
			all = 0;
		message_decoded_fini(&d);
	}
	CHECK(all);
	/* the count header and the body disagree; the seqs do not follow first-seq */
	CHECK_EQ_INT(decode(MSG_RECORDS, &o, 1, 2, body, len, &d), REFUSE_MALFORMED);
	message_decoded_fini(&d);
	CHECK_EQ_INT(decode(MSG_RECORDS, &o, 5, 3, body, len, &d), REFUSE_MALFORMED);
	message_decoded_fini(&d);
	/* a field changed after the record was hashed */
	char *edited = strdup(body);
	char *to = strstr(edited, "192.0.2.7");
	to[8] = '8';
	CHECK_EQ_INT(decode(MSG_RECORDS, &o, 1, 3, edited, len, &d), REFUSE_HASH);
	message_decoded_fini(&d);
	/* a genesis whose headers do not hash to it */
	struct message_origin bad = o;
	bad.genesis.created_us++;
	struct message_header h[MESSAGE_MAX_HEADERS];
	size_t nh = message_headers(MSG_RECORDS, &bad, 1, 1, 3, h);
	h[3].text = o.genesis.hash; /* the genesis claimed, with inputs that are not its */
	struct message_in in = { .type = "pentrap.records", .type_len = 15, .headers = h, .nheaders = nh, .body = body,
				 .body_len = len };
	char why[256];
	CHECK_EQ_INT(message_decode(&in, &d, why, sizeof why), REFUSE_MALFORMED);
	CHECK(strstr(why, "genesis") != NULL);
	message_decoded_fini(&d);
	free(edited);
	free(body);
}

static void test_look_alike(void)
{
	struct message_decoded d;
	char why[256];
	/* somebody else's message: no type, another type, no format header */
	struct message_in none = { .body = "hello", .body_len = 5 };
	CHECK_EQ_INT(message_decode(&none, &d, why, sizeof why), REFUSE_NOT_PENTRAP);
	message_decoded_fini(&d);
	struct message_header fmt = { .key = "pentrap-format", .num = 1 };
	struct message_in other = { .type = "application.event", .type_len = 17, .headers = &fmt, .nheaders = 1,
				    .body = "{}", .body_len = 2 };
	CHECK_EQ_INT(message_decode(&other, &d, why, sizeof why), REFUSE_NOT_PENTRAP);
	message_decoded_fini(&d);
	struct message_in noformat = { .type = "pentrap.records", .type_len = 15, .body = "{}", .body_len = 2 };
	CHECK_EQ_INT(message_decode(&noformat, &d, why, sizeof why), REFUSE_NOT_PENTRAP);
	message_decoded_fini(&d);
	/* a later format: pentrap's, but not one this version reads */
	struct message_header fmt2 = { .key = "pentrap-format", .num = 2 };
	struct message_in later = { .type = "pentrap.records", .type_len = 15, .headers = &fmt2, .nheaders = 1 };
	CHECK_EQ_INT(message_decode(&later, &d, why, sizeof why), REFUSE_MALFORMED);
	message_decoded_fini(&d);
	/* a records message whose body is JSON but not records */
	struct message_origin o = origin();
	CHECK_EQ_INT(decode(MSG_RECORDS, &o, 1, 1, "{\"hello\":1}\n", 12, &d), REFUSE_MALFORMED);
	message_decoded_fini(&d);
}

static void test_run_checkpoint_key(void)
{
	struct message_origin o = origin();
	struct message_decoded d;
	struct run_info ri = { .id = 3, .status = "ended", .order_id = "X", .order_file = "o.yaml",
			       .order_sha256 = "00", .captures = "[{\"path\":\"a \\\"b\\\".pcap\"}]",
			       .sigs_version = "", .software_version = "0.1.0", .sensor_id = "cp-1",
			       .key_id = o.key_id, .note = "line\nbreak", .resumes = 2, .started_us = 10,
			       .ended_us = 20, .first_seq = 1, .last_seq = 9, .summary_json = "{\"packets\":1}",
			       .exit_status = 2 };
	size_t len;
	char *body = message_run_body(&ri, &len);
	CHECK_EQ_INT(decode(MSG_RUN, &o, 0, 0, body, len, &d), REFUSE_NONE);
	CHECK_EQ_STR(d.run.captures, ri.captures);
	CHECK_EQ_STR(d.run.note, ri.note);
	CHECK_EQ_STR(d.run.summary_json, ri.summary_json);
	CHECK(d.run.id == 3 && d.run.resumes == 2 && d.run.last_seq == 9 && d.run.exit_status == 2);
	message_decoded_fini(&d);
	free(body);
	struct checkpoint cp;
	memset(&cp, 0, sizeof cp);
	cp.id = 7;
	cp.run_id = 3;
	cp.seq = 9;
	cp.count = 9;
	cp.final = true;
	memset(cp.hash, 'c', 64);
	memset(cp.sig, 'd', 128);
	body = message_checkpoint_body(&cp, &len);
	CHECK_EQ_INT(decode(MSG_CHECKPOINT, &o, 0, 0, body, len, &d), REFUSE_NONE);
	CHECK(d.cp.id == 7 && d.cp.final && strcmp(d.cp.sig, cp.sig) == 0);
	message_decoded_fini(&d);
	free(body);
	/* a key whose PEM is not the key its id names */
	body = message_key_body(o.key_id, "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", &len);
	CHECK_EQ_INT(decode(MSG_KEY, &o, 0, 0, body, len, &d), REFUSE_MALFORMED);
	message_decoded_fini(&d);
	free(body);
}

static void test_bindings(void)
{
	struct identity_op op, back;
	memset(&op, 0, sizeof op);
	op.kind = ID_OP_BIND;
	addr_parse("2001:db8:1::", &op.b.addr);
	op.b.prefix_len = 64;
	op.b.source = ID_SRC_GTPV2;
	op.b.start_us = 5;
	strcpy(op.b.sub.msisdn, "+15550000001");
	strcpy(op.b.sub.imsi, "imsi:001010000000001");
	strcpy(op.b.sub.apn, "in\"ter\\net");
	char text[BINDING_TEXT_MAX], why[128];
	size_t n = binding_to_text(&op, text, sizeof text);
	CHECK(n > 0);
	CHECK_EQ_INT(binding_from_text(text, n, &back, why, sizeof why), 0);
	CHECK(back.kind == ID_OP_BIND && back.b.prefix_len == 64 && back.b.start_us == 5 &&
	      addr_eq(&back.b.addr, &op.b.addr) && strcmp(back.b.sub.apn, op.b.sub.apn) == 0 &&
	      strcmp(back.b.sub.imsi, op.b.sub.imsi) == 0);
	memset(&op, 0, sizeof op);
	op.kind = ID_OP_UNBIND_SOURCE;
	addr_parse("10.45.0.7", &op.b.addr);
	op.b.source = ID_SRC_RADIUS;
	op.end_us = 99;
	n = binding_to_text(&op, text, sizeof text);
	CHECK_EQ_INT(binding_from_text(text, n, &back, why, sizeof why), 0);
	CHECK(back.kind == ID_OP_UNBIND_SOURCE && back.b.source == ID_SRC_RADIUS && back.end_us == 99);
	/* malformed and look-alike lines */
	static const char *const bad[] = {
		"", "{", "[]", "{\"op\":\"bind\"}", "{\"op\":\"explode\",\"addr\":\"10.0.0.1\",\"end_us\":1}",
		"{\"op\":\"unbind\",\"addr\":\"10.0.0.999\",\"end_us\":1}",
		"{\"op\":\"bind\",\"addr\":\"10.0.0.1\",\"prefix\":200,\"source\":\"gtpv2\",\"start_us\":1,\"end_us\":0}",
		"{\"op\":\"bind\",\"addr\":\"10.0.0.1\",\"prefix\":32,\"source\":\"carrier-pigeon\",\"start_us\":1,\"end_us\":0}",
		"{\"op\":\"bind\",\"addr\":\"10.0.0.1\",\"prefix\":32,\"source\":\"gtpv2\",\"start_us\":1,\"end_us\":0,"
		"\"msisdn\":\"+1555555555555555555555555555555\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ_INT(binding_from_text(bad[i], strlen(bad[i]), &back, why, sizeof why), -1);
	/* truncated */
	n = binding_to_text(&op, text, sizeof text);
	int all = 1;
	for (size_t cut = 0; cut < n; cut++)
		if (binding_from_text(text, cut, &back, why, sizeof why) == 0)
			all = 0;
	CHECK(all);
}

int main(void)
{
	test_records();
	test_look_alike();
	test_run_checkpoint_key();
	test_bindings();
	return check_done("test_message");
}
