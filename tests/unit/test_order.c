/* test_order.c — loading orders (valid and every kind of mistake) and matching parties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "identity/identity.h"
#include "order/order.h"
#include "order/order_index.h"

/* Loads a bad order and checks the one-line message: exactly `want` when it is given in
 * full, otherwise that it starts with prefix and contains part. */
static void expect_error(const char *path, const char *prefix, const char *part)
{
	struct order o;
	char err[512];
	int rc = order_load(path, &o, err, sizeof err);
	CHECK_EQ_INT(rc, -1);
	CHECK(o.targets == NULL && o.ntargets == 0);
	if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, part)) {
		fprintf(stderr, "  %s: got \"%s\", want prefix \"%s\" and \"%s\"\n", path, err, prefix, part);
		CHECK(!"error message");
	} else {
		CHECK(strchr(err, '\n') == NULL);
	}
	order_fini(&o);
}

static void test_valid(void)
{
	struct order o;
	char err[512] = "";
	int rc = order_load("data/order_valid.yaml", &o, err, sizeof err);
	CHECK_EQ_INT(rc, 0);
	if (rc != 0) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_EQ_STR(o.id, "2026-MJ-0142");
	CHECK_EQ_STR(o.authority, "District Court, Eastern District");
	CHECK_EQ_INT(o.kind, ORDER_BOTH);
	CHECK_EQ_INT(o.valid_from_us, 1793491200ull * 1000000u);  /* 2026-11-01T00:00:00Z */
	CHECK_EQ_INT(o.valid_until_us, 1798761599ull * 1000000u); /* 2026-12-31T23:59:59Z */
	CHECK_EQ_INT(o.ntargets, 8);
	CHECK_EQ_INT(o.targets[0].kind, TARGET_MSISDN);
	CHECK_EQ_STR(o.targets[0].id, "+15551234567");
	CHECK_EQ_INT(o.targets[1].kind, TARGET_SIP);
	CHECK_EQ_STR(o.targets[1].id, "sip:Alice@example.net");
	CHECK_EQ_INT(o.targets[2].kind, TARGET_IMSI);
	CHECK_EQ_STR(o.targets[2].id, "imsi:310150123456789");
	CHECK_EQ_INT(o.targets[3].kind, TARGET_IP);
	CHECK_EQ_STR(o.targets[3].id, "198.51.100.7/32");
	CHECK_EQ_INT(o.targets[3].prefix_len, 32);
	CHECK_EQ_INT(o.targets[3].net.family, 4);
	CHECK_EQ_STR(o.targets[4].id, "2001:db8::/32");
	CHECK_EQ_INT(o.targets[4].net.family, 6);
	CHECK_EQ_INT(o.targets[4].prefix_len, 32);
	CHECK_EQ_STR(o.targets[5].id, "+15557654321"); /* no '+' given: one is added */
	CHECK_EQ_STR(o.targets[6].id, "sip:bob@voip.example.org");
	CHECK_EQ_STR(o.targets[7].id, "203.0.113.9/32"); /* a bare address is a host prefix */
	CHECK_EQ_INT(strlen(o.file_sha256), 64);
	CHECK(strspn(o.file_sha256, "0123456789abcdef") == 64);
	order_fini(&o);
	CHECK(o.targets == NULL);
	order_fini(NULL);
}

static void test_sip_number_and_times(void)
{
	struct order o;
	char err[512] = "";
	CHECK_EQ_INT(order_load("data/order_sip_number.yaml", &o, err, sizeof err), 0);
	CHECK_EQ_INT(o.kind, ORDER_PEN_REGISTER);
	CHECK_EQ_INT(o.valid_from_us, (1793491200ull - 3600) * 1000000u); /* +01:00 offset */
	/* a bare date until: the end of that day */
	CHECK_EQ_INT(o.valid_until_us, (1793491200ull + 2 * 86400) * 1000000u - 1);
	CHECK_EQ_INT(o.ntargets, 1);
	CHECK_EQ_INT(o.targets[0].kind, TARGET_MSISDN); /* a global number in a SIP URI */
	CHECK_EQ_STR(o.targets[0].id, "+15551234567");
	order_fini(&o);
}

static void test_errors(void)
{
	expect_error("data/order_bad_date.yaml", "data/order_bad_date.yaml:5: ",
		     "valid_from: not an RFC 3339 time: '2026-13-01'");
	expect_error("data/order_unknown_key.yaml", "data/order_unknown_key.yaml:3: ",
		     "unknown key 'kindd' (expected id, authority, kind, valid_from, valid_until, targets, liid, deliver_to)");
	expect_error("data/order_missing_id.yaml", "data/order_missing_id.yaml:1: ", "missing required key 'id'");
	expect_error("data/order_bad_kind.yaml", "data/order_bad_kind.yaml:3: ",
		     "kind: 'wiretap' is not one of pen-register, trap-and-trace, both");
	expect_error("data/order_until_before_from.yaml", "data/order_until_before_from.yaml:5: ",
		     "valid_until: must be after valid_from");
	expect_error("data/order_empty_targets.yaml", "data/order_empty_targets.yaml:6: ", "targets: the list is empty");
	expect_error("data/order_bad_msisdn.yaml", "data/order_bad_msisdn.yaml:8: ",
		     "msisdn: '+1555abc' is not an E.164 number");
	expect_error("data/order_bad_ip.yaml", "data/order_bad_ip.yaml:7: ",
		     "ip: '198.51.100.300/32' is not an IP address or prefix");
	expect_error("data/order_ip_host_bits.yaml", "data/order_ip_host_bits.yaml:7: ", "did you mean 198.51.100.0/24?");
	expect_error("data/order_bad_imsi.yaml", "data/order_bad_imsi.yaml:7: ", "is not an IMSI");
	expect_error("data/order_bad_sip.yaml", "data/order_bad_sip.yaml:7: ", "expected user@host");
	expect_error("data/order_syntax.yaml", "data/order_syntax.yaml:4: ",
		     "YAML syntax error: mapping values are not allowed in this context");
	expect_error("data/order_not_utf8.yaml", "data/order_not_utf8.yaml:4: ", "YAML: invalid");
	expect_error("data/order_missing.yaml", "data/order_missing.yaml: ",
		     "cannot open: No such file or directory");
	expect_error("data/order_empty.yaml", "data/order_empty.yaml:1: ", "empty file");
	expect_error("data/order_duplicate_key.yaml", "data/order_duplicate_key.yaml:6: ",
		     "duplicate key 'kind' (first at line 3)");
	expect_error("data/order_two_keys_target.yaml", "data/order_two_keys_target.yaml:7: ",
		     "exactly one identifier");
	expect_error("data/order_unknown_target.yaml", "data/order_unknown_target.yaml:7: ",
		     "unknown key 'email' (expected msisdn, sip, imsi, ip, liid)");
	expect_error("data/order_top_key.yaml", "data/order_top_key.yaml:8: ", "unknown key 'extra' (expected order)");
	expect_error("data/order_two_docs.yaml", "data/order_two_docs.yaml:9: ", "a second YAML document");
	expect_error("data", "data: ", "cannot read");

	/* The exact lines the documentation shows. */
	struct order o;
	char err[512];
	order_load("data/order_bad_date.yaml", &o, err, sizeof err);
	CHECK_EQ_STR(err, "data/order_bad_date.yaml:5: valid_from: not an RFC 3339 time: '2026-13-01'");
}

/* An order built in memory, for the matching rules. */
static struct order_target targets[6];
static struct order make_order(void)
{
	struct order o;
	memset(&o, 0, sizeof o);
	memset(targets, 0, sizeof targets);
	targets[0].kind = TARGET_MSISDN;
	strcpy(targets[0].id, "+15551234567");
	targets[1].kind = TARGET_SIP;
	strcpy(targets[1].id, "sip:Alice@example.net");
	targets[2].kind = TARGET_IMSI;
	strcpy(targets[2].id, "imsi:310150123456789");
	targets[3].kind = TARGET_IP;
	strcpy(targets[3].id, "198.51.100.0/24");
	addr_parse("198.51.100.0", &targets[3].net);
	targets[3].prefix_len = 24;
	targets[4].kind = TARGET_IP;
	strcpy(targets[4].id, "2001:db8::/32");
	addr_parse("2001:db8::", &targets[4].net);
	targets[4].prefix_len = 32;
	targets[5].kind = TARGET_MSISDN;
	strcpy(targets[5].id, "+4930123456");
	o.targets = targets;
	o.ntargets = 6;
	o.kind = ORDER_BOTH;
	return o;
}

static void check_match(struct order *op)
{
	struct order o = *op;
	struct ip_addr a, none;
	memset(&none, 0, sizeof none);

	/* msisdn */
	CHECK_EQ_INT(order_match_party(&o, "+15551234567", NULL), 0);
	CHECK_EQ_INT(order_match_party(&o, "15551234567", NULL), 0);
	CHECK_EQ_INT(order_match_party(&o, "sip:+15551234567@ims.example", NULL), 0);
	CHECK_EQ_INT(order_match_party(&o, "sip:15551234567@ims.example", NULL), 0);
	CHECK_EQ_INT(order_match_party(&o, "sip:+15551234567;npdi@ims.example", NULL), 0);
	CHECK_EQ_INT(order_match_party(&o, "+155512345678", NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, "+1555123456", NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, "sip:155512345@ims.example", NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, "+4930123456", NULL), 5);
	/* imsi */
	CHECK_EQ_INT(order_match_party(&o, "imsi:310150123456789", NULL), 2);
	CHECK_EQ_INT(order_match_party(&o, "imsi:310150123456788", NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, "310150123456789", NULL), -1);
	/* sip: host ignores case, user does not */
	CHECK_EQ_INT(order_match_party(&o, "sip:Alice@example.net", NULL), 1);
	CHECK_EQ_INT(order_match_party(&o, "sip:Alice@EXAMPLE.Net", NULL), 1);
	CHECK_EQ_INT(order_match_party(&o, "sips:Alice@example.net", NULL), 1);
	CHECK_EQ_INT(order_match_party(&o, "sip:alice@example.net", NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, "sip:Alice@example.org", NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, "sip:Alice@example.net.evil", NULL), -1);
	/* ip: by the party's address, or by the party text */
	addr_parse("198.51.100.77", &a);
	CHECK_EQ_INT(order_match_party(&o, "+19995550000", &a), 3);
	CHECK_EQ_INT(order_match_party(&o, "198.51.100.200", NULL), 3);
	CHECK_EQ_INT(order_match_party(&o, "198.51.100.200", &none), 3);
	CHECK_EQ_INT(order_match_party(&o, "198.51.101.1", NULL), -1);
	addr_parse("198.51.101.1", &a);
	CHECK_EQ_INT(order_match_party(&o, "service:imessage", &a), -1);
	addr_parse("2001:db8:1::5", &a);
	CHECK_EQ_INT(order_match_party(&o, "", &a), 4);
	CHECK_EQ_INT(order_match_party(&o, "2001:db9::1", NULL), -1);
	/* the first matching target wins */
	addr_parse("198.51.100.1", &a);
	CHECK_EQ_INT(order_match_party(&o, "+15551234567", &a), 0);
	/* nothing */
	CHECK_EQ_INT(order_match_party(&o, "", NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, NULL, NULL), -1);
	CHECK_EQ_INT(order_match_party(&o, "service:imessage", NULL), -1);
}

/* The rules, by the linear scan (an order made by hand) and by the index (order_load's). */
static void test_match(void)
{
	struct order o = make_order();
	check_match(&o);
	CHECK_EQ_INT(order_index_build(&o), 0);
	CHECK(o.index != NULL);
	check_match(&o);
	order_index_free(o.index);
}

/* The index gives the scan's answer on every party made from a crowd of overlapping targets. */
static void test_index_equals_scan(void)
{
	static struct order_target many[40];
	static const char *ids[] = { "+15551234567", "+15551234567", "imsi:310150123456789", "sip:Bob@Example.net",
				     "+4930123456", "sip:+15557654321@ims.example", "imsi:001010000000001",
				     "+15557654321" };
	static const char *nets[] = { "10.45.0.0/16", "10.45.0.7/32", "2001:db8::/32" };
	size_t n = 0;
	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < sizeof nets / sizeof nets[0] && n < 40; i++, n++) {
			memset(&many[n], 0, sizeof many[n]);
			many[n].kind = TARGET_IP;
			strcpy(many[n].id, nets[i]);
			char a[64];
			snprintf(a, sizeof a, "%.*s", (int)(strchr(nets[i], '/') - nets[i]), nets[i]);
			addr_parse(a, &many[n].net);
			many[n].prefix_len = (unsigned)atoi(strchr(nets[i], '/') + 1);
		}
		for (size_t i = round; i < sizeof ids / sizeof ids[0] && n < 40; i += 2, n++) {
			memset(&many[n], 0, sizeof many[n]);
			strcpy(many[n].id, ids[i]);
			many[n].kind = ids[i][0] == '+' ? TARGET_MSISDN : ids[i][0] == 'i' ? TARGET_IMSI : TARGET_SIP;
		}
	}
	struct order scan = { .targets = many, .ntargets = n, .kind = ORDER_BOTH };
	struct order indexed = scan;
	CHECK_EQ_INT(order_index_build(&indexed), 0);
	static const char *parties[] = { "+15551234567", "15551234567", "sip:15551234567@x", "sip:+15551234567;a=b@x",
					 "imsi:310150123456789", "sip:Bob@EXAMPLE.NET", "sip:bob@example.net",
					 "sips:Bob@example.net", "sip:+15557654321@IMS.example", "15557654321",
					 "sip:15557654321@other", "+4930123456", "4930123456", "10.45.0.7", "10.45.1.1",
					 "2001:db8::1", "imsi:001010000000001", "", "service:x", "sip:@x", "+", "sip:+@x" };
	static const char *addrs[] = { NULL, "10.45.0.7", "10.46.0.1", "2001:db8::5" };
	unsigned same = 0, total = 0;
	for (size_t i = 0; i < sizeof parties / sizeof parties[0]; i++)
		for (size_t k = 0; k < sizeof addrs / sizeof addrs[0]; k++) {
			struct ip_addr a;
			memset(&a, 0, sizeof a);
			if (addrs[k])
				addr_parse(addrs[k], &a);
			total++;
			same += order_match_party(&scan, parties[i], &a) == order_match_party(&indexed, parties[i], &a);
		}
	CHECK_EQ_INT(same, total);
	struct subscriber sub;
	memset(&sub, 0, sizeof sub);
	strcpy(sub.msisdn, "15557654321");
	strcpy(sub.imsi, "imsi:001010000000001");
	CHECK_EQ_INT(order_match_subscriber(&scan, &sub), order_match_subscriber(&indexed, &sub));
	CHECK(order_match_subscriber(&indexed, &sub) >= 0);
	memset(&sub, 0, sizeof sub);
	strcpy(sub.sip, "sip:Bob@example.NET");
	CHECK_EQ_INT(order_match_subscriber(&scan, &sub), order_match_subscriber(&indexed, &sub));
	order_index_free(indexed.index);
}

/* order_match_addr gives order_match_party's answer on the address's text, with and without the address. */
static void check_addr_equals_party(const struct order *o, const char *text)
{
	struct ip_addr a;
	char back[ADDR_STRLEN];
	if (addr_parse(text, &a) != 0) {
		CHECK(!"test address parses");
		return;
	}
	addr_format(&a, back, sizeof back);
	int want = order_match_party(o, back, &a);
	if (order_match_addr(o, &a) != want || order_match_party(o, back, NULL) != want) {
		fprintf(stderr, "  %s: order_match_addr %d, order_match_party %d\n", text, order_match_addr(o, &a), want);
		CHECK(!"order_match_addr equals order_match_party");
	}
}

static const char *const addr_cases[] = { "198.51.100.0", "198.51.100.77", "198.51.100.255", "198.51.101.1",
					  "198.51.99.255", "192.0.2.7", "192.0.2.8", "10.45.0.7", "10.45.1.1",
					  "10.46.0.1", "0.0.0.0", "255.255.255.255", "2001:db8::", "2001:db8:1::5",
					  "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::1", "2001:db8::7",
					  "2001:db8::8", "::", "::1", "::ffff:198.51.100.7", "::198.51.100.7",
					  "64:ff9b::c633:6407", "fe80::1" };

static void check_addr_cases(const struct order *o)
{
	for (size_t i = 0; i < sizeof addr_cases / sizeof addr_cases[0]; i++)
		check_addr_equals_party(o, addr_cases[i]);
}

/* order_match_addr of the address written as text; -2 when the text is no address. */
static int addr_match(const struct order *o, const char *text)
{
	struct ip_addr a;
	if (addr_parse(text, &a) != 0)
		return -2;
	return order_match_addr(o, &a);
}

static void set_ip_target(struct order_target *t, const char *net, unsigned len)
{
	memset(t, 0, sizeof *t);
	t->kind = TARGET_IP;
	snprintf(t->id, sizeof t->id, "%s/%u", net, len);
	addr_parse(net, &t->net);
	t->prefix_len = len;
}

/*
 * An address against an order (flowrec_is_target at every flow start): IPv4 and IPv6,
 * exact and by prefix, the first in file order, nothing, an order of msisdn targets
 * only; each by the scan and by the index, and each equal to matching its text.
 */
static void test_match_addr(void)
{
	struct order o = make_order();
	for (int indexed = 0; indexed < 2; indexed++) {
		if (indexed)
			CHECK_EQ_INT(order_index_build(&o), 0);
		CHECK_EQ_INT(addr_match(&o, "198.51.100.77"), 3); /* IPv4 prefix */
		CHECK_EQ_INT(addr_match(&o, "198.51.100.0"), 3);
		CHECK_EQ_INT(addr_match(&o, "198.51.101.1"), -1);
		CHECK_EQ_INT(addr_match(&o, "2001:db8:1::5"), 4); /* IPv6 prefix */
		CHECK_EQ_INT(addr_match(&o, "2001:db9::1"), -1);
		CHECK_EQ_INT(addr_match(&o, "::ffff:198.51.100.7"), -1); /* an IPv6 address, not the IPv4 one */
		struct ip_addr none;
		memset(&none, 0, sizeof none);
		CHECK_EQ_INT(order_match_addr(&o, &none), -1);
		CHECK_EQ_INT(order_match_addr(&o, NULL), -1);
		check_addr_cases(&o);
	}
	order_index_free(o.index);
	CHECK_EQ_INT(addr_match(NULL, "198.51.100.77"), -1);

	/* exact (/32, /128) and overlapping targets, behind an msisdn: the first in file order */
	struct order_target t[5];
	memset(&t[0], 0, sizeof t[0]);
	t[0].kind = TARGET_MSISDN;
	strcpy(t[0].id, "+15551234567");
	set_ip_target(&t[1], "192.0.2.7", 32);
	set_ip_target(&t[2], "2001:db8::7", 128);
	set_ip_target(&t[3], "192.0.2.0", 24);
	set_ip_target(&t[4], "2001:db8::", 32);
	struct order ex = { .targets = t, .ntargets = 5, .kind = ORDER_BOTH };
	for (int indexed = 0; indexed < 2; indexed++) {
		if (indexed)
			CHECK_EQ_INT(order_index_build(&ex), 0);
		CHECK_EQ_INT(addr_match(&ex, "192.0.2.7"), 1);
		CHECK_EQ_INT(addr_match(&ex, "192.0.2.8"), 3);
		CHECK_EQ_INT(addr_match(&ex, "2001:db8::7"), 2);
		CHECK_EQ_INT(addr_match(&ex, "2001:db8::8"), 4);
		CHECK_EQ_INT(addr_match(&ex, "192.0.3.7"), -1);
		check_addr_cases(&ex);
	}
	order_index_free(ex.index);

	/* msisdn targets only (digits that look like an address's, too): no address matches */
	struct order_target m[3];
	memset(m, 0, sizeof m);
	static const char *const numbers[] = { "+15551234567", "+1921682001", "+2001" };
	for (size_t i = 0; i < 3; i++) {
		m[i].kind = TARGET_MSISDN;
		strcpy(m[i].id, numbers[i]);
	}
	struct order mo = { .targets = m, .ntargets = 3, .kind = ORDER_BOTH };
	for (int indexed = 0; indexed < 2; indexed++) {
		if (indexed)
			CHECK_EQ_INT(order_index_build(&mo), 0);
		CHECK_EQ_INT(addr_match(&mo, "192.168.200.1"), -1);
		CHECK_EQ_INT(addr_match(&mo, "2001::"), -1);
		check_addr_cases(&mo);
	}
	order_index_free(mo.index);
}

/* Loaded targets match what their own ids normalise to. */
static void test_loaded_match(void)
{
	struct order o;
	char err[512];
	if (order_load("data/order_valid.yaml", &o, err, sizeof err) != 0) {
		CHECK(!"load");
		return;
	}
	for (size_t i = 0; i < o.ntargets; i++) {
		if (o.targets[i].kind == TARGET_IP)
			continue;
		CHECK_EQ_INT(order_match_party(&o, o.targets[i].id, NULL), (int)i);
	}
	CHECK_EQ_INT(order_match_party(&o, "sip:bob@VOIP.example.org", NULL), 6);
	CHECK_EQ_INT(order_match_party(&o, "203.0.113.9", NULL), 7);
	CHECK_EQ_INT(order_match_party(&o, "203.0.113.10", NULL), -1);
	order_fini(&o);
}

/* liid (per order and per target) and deliver_to, for the handover (docs/handover.md). */
static void test_liid(void)
{
	struct order o;
	char err[512] = "";
	CHECK_EQ_INT(order_load("data/order_liid.yaml", &o, err, sizeof err), 0);
	CHECK_EQ_STR(o.liid, "LIID-ORDER-7");
	CHECK_EQ_STR(o.deliver_to, "lemf.example.net:6000");
	CHECK_EQ_INT(o.ntargets, 2);
	CHECK_EQ_STR(o.targets[0].liid, "");
	CHECK_EQ_STR(order_target_liid(&o, 0), "LIID-ORDER-7"); /* the order's */
	CHECK_EQ_STR(order_target_liid(&o, 1), "LIID-ALICE");   /* its own */
	CHECK_EQ_STR(o.targets[1].id, "sip:alice@example.net");
	order_fini(&o);
	CHECK_EQ_INT(order_load("data/order_valid.yaml", &o, err, sizeof err), 0);
	CHECK_EQ_STR(o.liid, "");
	CHECK_EQ_STR(o.deliver_to, "");
	CHECK_EQ_STR(order_target_liid(&o, 0), "");
	order_fini(&o);

	expect_error("data/order_liid_long.yaml", "data/order_liid_long.yaml:8: ",
		     "liid: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' is 26 octets, the handover format allows at most 25");
	expect_error("data/order_bad_deliver_to.yaml", "data/order_bad_deliver_to.yaml:6: ",
		     "deliver_to: 'lemf.example.net:70000' is not HOST:PORT");
	expect_error("data/order_liid_only.yaml", "data/order_liid_only.yaml:7: ",
		     "each item names exactly one identifier (msisdn, sip, imsi, ip), found 0");

	char host[64];
	unsigned port = 0;
	CHECK_EQ_INT(order_split_hostport("127.0.0.1:6000", host, sizeof host, &port), 0);
	CHECK_EQ_STR(host, "127.0.0.1");
	CHECK_EQ_INT(port, 6000);
	CHECK_EQ_INT(order_split_hostport("[::1]:1", host, sizeof host, &port), 0);
	CHECK_EQ_STR(host, "::1");
	CHECK_EQ_INT(port, 1);
	CHECK_EQ_INT(order_split_hostport("::1:80", host, sizeof host, &port), -1);
	CHECK_EQ_INT(order_split_hostport("host:0", host, sizeof host, &port), -1);
	CHECK_EQ_INT(order_split_hostport("host:", host, sizeof host, &port), -1);
	CHECK_EQ_INT(order_split_hostport(":80", host, sizeof host, &port), -1);
	CHECK_EQ_INT(order_split_hostport("host", host, sizeof host, &port), -1);
	CHECK_EQ_INT(order_split_hostport("host:80x", host, sizeof host, &port), -1);
}

int main(void)
{
	test_valid();
	test_liid();
	test_sip_number_and_times();
	test_errors();
	test_match();
	test_index_equals_scan();
	test_match_addr();
	test_loaded_match();
	return check_done("test_order");
}
