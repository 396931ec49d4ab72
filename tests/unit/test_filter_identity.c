/*
 * test_filter_identity.c — the order filter with the identity map: parties that are
 * addresses written as the subscriber, targets matched through the subscriber behind an
 * address (at the event's time), what the evidence says, and what it must not.
 */
#include <string.h>

#include "check.h"
#include "identity/identity.h"
#include "order/filter.h"

static struct ip_addr A(const char *text)
{
	struct ip_addr a;
	addr_parse(text, &a);
	return a;
}

static struct order_target targets[3];
static struct order order;

static void make_order(void)
{
	memset(targets, 0, sizeof targets);
	targets[0].kind = TARGET_MSISDN;
	snprintf(targets[0].id, sizeof targets[0].id, "+15550000001");
	targets[1].kind = TARGET_IMSI;
	snprintf(targets[1].id, sizeof targets[1].id, "imsi:001010000000002");
	targets[2].kind = TARGET_SIP;
	snprintf(targets[2].id, sizeof targets[2].id, "sip:alice@example.net");
	memset(&order, 0, sizeof order);
	snprintf(order.id, sizeof order.id, "T");
	order.kind = ORDER_BOTH;
	order.valid_until_us = UINT64_MAX;
	order.targets = targets;
	order.ntargets = 3;
}

static struct event ev(enum event_type t, const char *from, const char *from_addr, const char *to,
		       const char *to_addr, uint64_t ts)
{
	struct event e;
	event_init(&e, t);
	e.ts_us = ts;
	e.protocol = "test";
	snprintf(e.from, sizeof e.from, "%s", from);
	snprintf(e.to, sizeof e.to, "%s", to);
	if (from_addr)
		e.from_addr = A(from_addr);
	if (to_addr)
		e.to_addr = A(to_addr);
	e.src = A(from_addr ? from_addr : "192.0.2.1");
	e.dst = A(to_addr ? to_addr : "192.0.2.2");
	e.ip_proto = 17;
	return e;
}

static struct identity_map *make_map(void)
{
	struct identity_map *m = identity_map_new(16, NULL);
	struct identity_binding b;
	memset(&b, 0, sizeof b);
	b.addr = A("10.45.0.7");
	b.prefix_len = 32;
	snprintf(b.sub.msisdn, sizeof b.sub.msisdn, "+15550000001");
	snprintf(b.sub.imsi, sizeof b.sub.imsi, "imsi:001010000000001");
	b.start_us = 100;
	b.source = ID_SRC_GTPV2;
	identity_bind(m, &b);
	identity_unbind(m, &b.addr, 1000);
	memset(&b.sub, 0, sizeof b.sub);
	snprintf(b.sub.msisdn, sizeof b.sub.msisdn, "+15550000002");
	snprintf(b.sub.imsi, sizeof b.sub.imsi, "imsi:001010000000002");
	b.start_us = 2000; /* the same address, someone else */
	identity_bind(m, &b);
	identity_bind_registration(m, "+15550000009", "sip:+15550000009@192.0.2.7:5060", 100, 3600);
	return m;
}

static void test_address_parties(void)
{
	struct identity_map *m = make_map();
	struct record r[2];
	/* a flow from the address while it was UE1's: written as UE1, recorded for its target */
	struct event e = ev(EV_FLOW, "10.45.0.7", "10.45.0.7", "203.0.113.9", "203.0.113.9", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].from, "+15550000001");
	CHECK_EQ_STR(r[0].to, "203.0.113.9");
	CHECK_EQ_STR(r[0].target, "+15550000001");
	CHECK(strstr(r[0].evidence, "\"src\":\"10.45.0.7\"") != NULL);
	CHECK(strstr(r[0].evidence, "\"from_subscriber\":{\"msisdn\":\"+15550000001\",\"imsi\":\"imsi:001010000000001\","
				    "\"addr\":\"10.45.0.7\",\"source\":\"gtpv2\"}") != NULL);
	/* the party only as text (no from_addr) is resolved too */
	e = ev(EV_FLOW, "10.45.0.7", NULL, "203.0.113.9", NULL, 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].from, "+15550000001");
	/* between the sessions: nobody, nothing recorded; after: UE2, matched by its IMSI */
	e = ev(EV_FLOW, "10.45.0.7", "10.45.0.7", "203.0.113.9", "203.0.113.9", 1500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 0);
	e = ev(EV_FLOW, "10.45.0.7", "10.45.0.7", "203.0.113.9", "203.0.113.9", 2500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].from, "+15550000002");
	CHECK_EQ_STR(r[0].target, "imsi:001010000000002");
	/* trap and trace: the target is the recipient; the originator, another subscriber's
	 * address, is written as that subscriber and nothing more is said of them */
	e = ev(EV_FLOW, "192.0.2.7", "192.0.2.7", "10.45.0.7", "10.45.0.7", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].direction, "in");
	CHECK_EQ_STR(r[0].from, "+15550000009");
	CHECK_EQ_STR(r[0].to, "+15550000001");
	CHECK(strstr(r[0].evidence, "from_subscriber") == NULL);
	CHECK(strstr(r[0].evidence, "to_subscriber") != NULL);
	/* without a map, nothing changes */
	e = ev(EV_FLOW, "10.45.0.7", "10.45.0.7", "203.0.113.9", "203.0.113.9", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, NULL, "", r), 0);
	CHECK_EQ_INT(order_filter(&order, &e, "", r), 0);
	identity_map_free(m);
}

static void test_named_parties(void)
{
	struct identity_map *m = make_map();
	struct record r[2];
	/* a VoLTE call From an IMSI-based IMPU, from UE1's address: UE1's */
	struct event e = ev(EV_CALL_ATTEMPT, "sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org", "10.45.0.7",
			    "+15559999999", "10.46.0.1", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].from, "sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org"); /* the signalling's name stays */
	CHECK_EQ_STR(r[0].target, "+15550000001");
	CHECK(strstr(r[0].evidence, "from_subscriber") != NULL);
	/* the same call between the sessions: nobody's; after the address moved on: UE2's */
	e.ts_us = 1500;
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 0);
	e.ts_us = 2500;
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].target, "imsi:001010000000002");
	/* a call whose text matches: the text's target, and no annotation */
	e = ev(EV_CALL_ATTEMPT, "sip:alice@example.net", "10.45.0.7", "+15559999999", "10.46.0.1", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].target, "sip:alice@example.net");
	CHECK(strstr(r[0].evidence, "subscriber") == NULL);
	identity_map_free(m);
}

static void test_registrations(void)
{
	struct identity_map *m = identity_map_new(16, NULL);
	identity_bind_registration(m, "+15550000001", "sip:+15550000001@192.0.2.7:5060", 100, 3600);
	struct record r[2];
	/* a withheld call from the registered address: the registered number's */
	struct event e = ev(EV_CALL_ATTEMPT, "sip:anonymous@anonymous.invalid", "192.0.2.7", "sip:bob@example.org",
			    "203.0.113.5", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].target, "+15550000001");
	CHECK(strstr(r[0].evidence, "\"source\":\"sip-register\"") != NULL);
	/* a call naming another account from the same phone: that account's, not the registered one's */
	e = ev(EV_CALL_ATTEMPT, "sip:816666@voip.example.com", "192.0.2.7", "sip:bob@example.org", "203.0.113.5", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 0);
	/* the phone's own traffic */
	e = ev(EV_FLOW, "192.0.2.7", "192.0.2.7", "198.51.100.1", "198.51.100.1", 500);
	CHECK_EQ_INT(order_filter_identity(&order, &e, m, "", r), 1);
	CHECK_EQ_STR(r[0].from, "+15550000001");
	identity_map_free(m);
}

int main(void)
{
	make_order();
	test_address_parties();
	test_named_parties();
	test_registrations();
	return check_done("filter_identity");
}
