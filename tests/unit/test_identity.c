/* test_identity.c — the identity map: intervals, reuse of an address, layers, prefixes, a full pool. */
#include <string.h>

#include "check.h"
#include "identity/identity.h"

static struct ip_addr A(const char *text)
{
	struct ip_addr a;
	if (addr_parse(text, &a) != 0)
		memset(&a, 0, sizeof a);
	return a;
}

static struct identity_binding binding(const char *addr, unsigned len, const char *imsi, const char *msisdn,
				       uint64_t start, enum identity_source src)
{
	struct identity_binding b;
	memset(&b, 0, sizeof b);
	b.addr = A(addr);
	b.prefix_len = len;
	if (imsi)
		snprintf(b.sub.imsi, sizeof b.sub.imsi, "%s", imsi);
	if (msisdn)
		snprintf(b.sub.msisdn, sizeof b.sub.msisdn, "%s", msisdn);
	b.start_us = start;
	b.source = src;
	return b;
}

/* The party behind addr at ts, or "" when nobody. */
static const char *who(const struct identity_map *m, const char *addr, uint64_t ts)
{
	static struct subscriber s;
	struct ip_addr a = A(addr);
	if (!identity_lookup(m, &a, ts, &s))
		return "";
	return subscriber_party(&s);
}

static void test_intervals(void)
{
	struct identity_map *m = identity_map_new(16, NULL);
	struct identity_binding b = binding("10.45.0.2", 32, "imsi:001010000000001", "+15550000001", 100, ID_SRC_GTPV2);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "10.45.0.2", 99), "");
	CHECK_EQ_STR(who(m, "10.45.0.2", 100), "+15550000001");
	CHECK_EQ_STR(who(m, "10.45.0.2", 5000), "+15550000001"); /* open */
	CHECK_EQ_STR(who(m, "10.45.0.3", 150), "");
	struct ip_addr a = A("10.45.0.2");
	identity_unbind(m, &a, 200);
	CHECK_EQ_STR(who(m, "10.45.0.2", 199), "+15550000001");
	CHECK_EQ_STR(who(m, "10.45.0.2", 200), ""); /* half-open: the end is not in it */
	CHECK_EQ_STR(who(m, "10.45.0.2", 5000), "");
	/* the same address later, to someone else: both sides of the gap stay right */
	b = binding("10.45.0.2", 32, "imsi:001010000000002", NULL, 300, ID_SRC_GTPV2);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "10.45.0.2", 150), "+15550000001");
	CHECK_EQ_STR(who(m, "10.45.0.2", 250), "");
	CHECK_EQ_STR(who(m, "10.45.0.2", 300), "imsi:001010000000002");
	CHECK_EQ_INT(identity_map_used(m), 2);
	/* IPv4 and IPv6 never meet */
	CHECK_EQ_STR(who(m, "::ffff:10.45.0.2", 350), "");
	identity_map_free(m);
}

static void test_reuse_without_end(void)
{
	/* the first session's end was never seen: the second bind closes it at its own start */
	struct identity_map *m = identity_map_new(16, NULL);
	struct identity_binding b = binding("100.64.7.9", 32, "imsi:001010000000001", "+15550000001", 1000, ID_SRC_RADIUS);
	identity_bind(m, &b);
	b = binding("100.64.7.9", 32, "imsi:001010000000002", "+15550000002", 2000, ID_SRC_GTPV1);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "100.64.7.9", 1999), "+15550000001");
	CHECK_EQ_STR(who(m, "100.64.7.9", 2000), "+15550000002");
	CHECK_EQ_STR(who(m, "100.64.7.9", 9999), "+15550000002");
	struct identity_binding got;
	struct ip_addr a = A("100.64.7.9");
	CHECK(identity_lookup_binding(m, &a, 1500, &got));
	CHECK_EQ_INT(got.start_us, 1000);
	CHECK_EQ_INT(got.end_us, 2000);
	CHECK_EQ_STR(identity_source_name(got.source), "radius");
	/* a refresh (interim update, modify bearer) of the open one changes nothing but fills in */
	b = binding("100.64.7.9", 32, "imsi:001010000000002", NULL, 3000, ID_SRC_GTPV1);
	snprintf(b.sub.imei, sizeof b.sub.imei, "imei:3572200924513839");
	identity_bind(m, &b);
	CHECK_EQ_INT(identity_map_used(m), 2);
	CHECK(identity_lookup_binding(m, &a, 2500, &got));
	CHECK_EQ_INT(got.start_us, 2000);
	CHECK_EQ_STR(got.sub.imei, "imei:3572200924513839");
	CHECK_EQ_STR(got.sub.msisdn, "+15550000002");
	identity_map_free(m);
}

static void test_prefixes(void)
{
	struct identity_map *m = identity_map_new(16, NULL);
	struct identity_binding b = binding("2001:db8:1:2::", 64, "imsi:001010000000001", NULL, 100, ID_SRC_GTPV2);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "2001:db8:1:2:1886:9040:8605:32b8", 150), "imsi:001010000000001");
	CHECK_EQ_STR(who(m, "2001:db8:1:3::1", 150), "");
	/* a host inside the prefix bound to someone else is more specific */
	b = binding("2001:db8:1:2::99", 128, "imsi:001010000000002", NULL, 120, ID_SRC_RADIUS);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "2001:db8:1:2::99", 150), "imsi:001010000000002");
	CHECK_EQ_STR(who(m, "2001:db8:1:2::98", 150), "imsi:001010000000001");
	/* bits past the prefix are ignored when binding; a /56 delegated prefix */
	b = binding("2001:db8:ff:ab12::1", 56, "imsi:001010000000003", NULL, 100, ID_SRC_DIAMETER);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "2001:db8:ff:ab34::7", 150), "imsi:001010000000003");
	CHECK_EQ_STR(who(m, "2001:db8:ff:ac00::7", 150), "");
	/* unbinding the prefix as it was bound */
	struct ip_addr p = A("2001:db8:1:2::");
	identity_unbind(m, &p, 200);
	CHECK_EQ_STR(who(m, "2001:db8:1:2::98", 250), "");
	CHECK_EQ_STR(who(m, "2001:db8:1:2::99", 250), "imsi:001010000000002"); /* a different binding */
	/* IPv4 prefixes (RADIUS Framed-IP-Netmask) */
	b = binding("198.51.100.0", 24, NULL, "+15550000009", 100, ID_SRC_RADIUS);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "198.51.100.77", 150), "+15550000009");
	CHECK_EQ_STR(who(m, "198.51.101.77", 150), "");
	identity_map_free(m);
}

static void test_layers(void)
{
	struct identity_map *m = identity_map_new(16, NULL);
	struct ip_addr ue = A("10.45.0.2");
	/* a registration before the data session: a previous holder's, never merged */
	identity_bind_registration(m, "+15550000007", "sip:old@10.45.0.2:5060", 50, 3600);
	CHECK_EQ_STR(who(m, "10.45.0.2", 60), "+15550000007");
	struct identity_binding b = binding("10.45.0.2", 32, "imsi:001010000000001", NULL, 100, ID_SRC_GTPV2);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "10.45.0.2", 150), "imsi:001010000000001"); /* access layer wins */
	struct subscriber s;
	CHECK(identity_lookup(m, &ue, 150, &s));
	CHECK_EQ_STR(s.msisdn, "");
	/* a registration during the session adds its MSISDN / AoR */
	identity_bind_registration(m, "sip:alice@ims.example", "sip:alice@10.45.0.2:5060;ob", 200, 600);
	CHECK(identity_lookup(m, &ue, 250, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010000000001");
	CHECK_EQ_STR(s.sip, "sip:alice@ims.example");
	struct identity_binding got;
	CHECK(identity_lookup_binding(m, &ue, 250, &got));
	CHECK_EQ_STR(identity_source_name(got.source), "gtpv2");
	/* the registration never closed the data session; its expiry ends only itself */
	CHECK(identity_lookup(m, &ue, 200 + 600000000ull + 1, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010000000001");
	CHECK_EQ_STR(s.sip, "");
	/* the end of the data session ends both */
	identity_unbind(m, &ue, 300);
	CHECK_EQ_STR(who(m, "10.45.0.2", 310), "");
	identity_map_free(m);
}

static void test_registrations(void)
{
	struct identity_map *m = identity_map_new(16, NULL);
	const uint64_t s = 1000000;
	identity_bind_registration(m, "+15550000001", "sip:+15550000001@192.0.2.7:5060", 10 * s, 60);
	CHECK_EQ_STR(who(m, "192.0.2.7", 11 * s), "+15550000001");
	CHECK_EQ_STR(who(m, "192.0.2.7", 70 * s), ""); /* expired */
	/* a refresh extends it (one binding) */
	identity_bind_registration(m, "+15550000001", "sip:+15550000001@192.0.2.7:5060", 50 * s, 60);
	CHECK_EQ_STR(who(m, "192.0.2.7", 100 * s), "+15550000001");
	CHECK_EQ_INT(identity_map_used(m), 1);
	/* de-registration */
	identity_bind_registration(m, "+15550000001", "sip:+15550000001@192.0.2.7:5060", 105 * s, 0);
	CHECK_EQ_STR(who(m, "192.0.2.7", 104 * s), "+15550000001");
	CHECK_EQ_STR(who(m, "192.0.2.7", 106 * s), "");
	/* two AoRs at one contact (a phone with two accounts, a PBX): nobody while both hold */
	identity_bind_registration(m, "sip:a@example.net", "sip:a@192.0.2.20", 10 * s, 600);
	CHECK_EQ_STR(who(m, "192.0.2.20", 11 * s), "sip:a@example.net");
	identity_bind_registration(m, "sip:b@example.net", "sip:b@192.0.2.20", 20 * s, 100);
	CHECK_EQ_STR(who(m, "192.0.2.20", 15 * s), "sip:a@example.net");
	CHECK_EQ_STR(who(m, "192.0.2.20", 21 * s), "");
	CHECK_EQ_STR(who(m, "192.0.2.20", 121 * s), "sip:a@example.net"); /* b expired */
	identity_bind_registration(m, "sip:b@example.net", "sip:b@192.0.2.20", 200 * s, 600);
	CHECK_EQ_STR(who(m, "192.0.2.20", 201 * s), "");
	identity_bind_registration(m, "sip:a@example.net", "sip:a@192.0.2.20", 300 * s, 0); /* a leaves */
	CHECK_EQ_STR(who(m, "192.0.2.20", 301 * s), "sip:b@example.net");
	CHECK_EQ_STR(who(m, "192.0.2.20", 250 * s), "");
	/* IPv6 contact, default expiry, a host name (nothing), a cut-short identity (nothing) */
	identity_bind_registration(m, "sip:bob@example.net", "sip:bob@[2001:db8::7]:5062", 10 * s, -1);
	CHECK_EQ_STR(who(m, "2001:db8::7", 3609 * s), "sip:bob@example.net");
	CHECK_EQ_STR(who(m, "2001:db8::7", 3611 * s), "");
	identity_bind_registration(m, "sip:carol@example.net", "sip:carol@pc.example.net:5060", 10 * s, 60);
	identity_bind_registration(m, "sip:carol@example.net", "sip:192.0.2.9", 10 * s, 60); /* no user part */
	CHECK_EQ_STR(who(m, "192.0.2.9", 11 * s), "sip:carol@example.net");
	char longaor[200];
	memset(longaor, 'x', sizeof longaor - 1);
	longaor[sizeof longaor - 1] = '\0';
	identity_bind_registration(m, longaor, "sip:x@192.0.2.10", 10 * s, 60);
	CHECK_EQ_STR(who(m, "192.0.2.10", 11 * s), "");
	identity_map_free(m);
}

static void test_pool_full(void)
{
	struct stats st;
	memset(&st, 0, sizeof st);
	struct identity_map *m = identity_map_new(4, &st);
	char addr[32];
	for (int i = 0; i < 4; i++) {
		snprintf(addr, sizeof addr, "10.0.0.%d", i + 1);
		struct identity_binding b = binding(addr, 32, "imsi:001010000000001", NULL, 100, ID_SRC_GTPV2);
		b.sub.imsi[19] = (char)('0' + i);
		identity_bind(m, &b);
	}
	CHECK_EQ_INT(identity_map_used(m), 4);
	struct identity_binding b = binding("10.0.0.5", 32, "imsi:001010000000005", NULL, 200, ID_SRC_GTPV2);
	identity_bind(m, &b); /* every binding open: dropped and counted */
	CHECK_EQ_INT(st.anomalies[ANOM_IDENTITY_TABLE_FULL], 1);
	CHECK_EQ_STR(who(m, "10.0.0.5", 250), "");
	/* two sessions end; the oldest closed one is reused first */
	struct ip_addr a2 = A("10.0.0.2"), a3 = A("10.0.0.3");
	identity_unbind(m, &a3, 300);
	identity_unbind(m, &a2, 310);
	identity_bind(m, &b);
	CHECK_EQ_INT(st.anomalies[ANOM_IDENTITY_TABLE_FULL], 1);
	CHECK_EQ_STR(who(m, "10.0.0.5", 250), "imsi:001010000000005");
	CHECK_EQ_STR(who(m, "10.0.0.3", 250), "");          /* reused: forgotten */
	CHECK_EQ_STR(who(m, "10.0.0.2", 250), "imsi:001010000000001"); /* still known */
	CHECK_EQ_STR(who(m, "10.0.0.1", 250), "imsi:001010000000000");
	CHECK_EQ_INT(identity_map_used(m), 4);
	identity_map_free(m);
}

/* Prefix lengths come and go as their bindings are reused; lookups follow. */
static void test_lengths_reused(void)
{
	struct identity_map *m = identity_map_new(2, NULL);
	struct identity_binding b = binding("2001:db8:1:2::", 64, "imsi:001010000000001", NULL, 100, ID_SRC_GTPV2);
	identity_bind(m, &b);
	struct ip_addr p = A("2001:db8:1:2::");
	identity_unbind(m, &p, 200);
	b = binding("10.0.0.1", 32, "imsi:001010000000002", NULL, 300, ID_SRC_GTPV2);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "2001:db8:1:2::5", 150), "imsi:001010000000001");
	b = binding("10.0.0.2", 32, "imsi:001010000000003", NULL, 400, ID_SRC_GTPV2);
	identity_bind(m, &b); /* reuses the /64's slot: no IPv6 length is left */
	CHECK_EQ_STR(who(m, "2001:db8:1:2::5", 150), "");
	CHECK_EQ_STR(who(m, "10.0.0.2", 450), "imsi:001010000000003");
	struct ip_addr a1 = A("10.0.0.1");
	identity_unbind(m, &a1, 500);
	b = binding("2001:db8:ff::", 48, "imsi:001010000000004", NULL, 600, ID_SRC_RADIUS);
	identity_bind(m, &b);
	CHECK_EQ_STR(who(m, "2001:db8:ff:7::1", 650), "imsi:001010000000004");
	CHECK_EQ_STR(who(m, "10.0.0.1", 450), "");
	CHECK_EQ_STR(who(m, "10.0.0.2", 650), "imsi:001010000000003");
	identity_map_free(m);
}

static void test_ignored(void)
{
	struct identity_map *m = identity_map_new(0, NULL);
	struct identity_binding b = binding("0.0.0.0", 32, "imsi:001010000000001", NULL, 100, ID_SRC_GTPV2);
	identity_bind(m, &b); /* the request's placeholder address */
	b = binding("::", 64, "imsi:001010000000001", NULL, 100, ID_SRC_GTPV2);
	identity_bind(m, &b);
	b = binding("10.1.1.1", 32, NULL, NULL, 100, ID_SRC_GTPV2); /* nobody */
	identity_bind(m, &b);
	CHECK_EQ_INT(identity_map_used(m), 0);
	CHECK_EQ_STR(who(m, "0.0.0.0", 150), "");
	identity_map_free(NULL);
	identity_map_free(m);
	struct subscriber s;
	memset(&s, 0, sizeof s);
	CHECK_EQ_STR(subscriber_party(&s), "");
	snprintf(s.imei, sizeof s.imei, "imei:1");
	CHECK_EQ_STR(subscriber_party(&s), "imei:1");
	snprintf(s.sip, sizeof s.sip, "sip:a@b");
	CHECK_EQ_STR(subscriber_party(&s), "sip:a@b");
	snprintf(s.imsi, sizeof s.imsi, "imsi:1");
	CHECK_EQ_STR(subscriber_party(&s), "imsi:1");
	snprintf(s.msisdn, sizeof s.msisdn, "+1");
	CHECK_EQ_STR(subscriber_party(&s), "+1");
}

/* An IMSI-only access (RADIUS on Wi-Fi) is named by the MSISDN a GTP session paired with the IMSI. */
static void test_sim_links(void)
{
	struct identity_map *m = identity_map_new(64, NULL);
	struct identity_binding wifi = binding("192.168.1.20", 32, "imsi:001010000000005", NULL, 50, ID_SRC_RADIUS);
	identity_bind(m, &wifi);
	CHECK_EQ_STR(who(m, "192.168.1.20", 60), "imsi:001010000000005"); /* no pair known yet */
	struct identity_binding gtp = binding("10.45.0.9", 32, "imsi:001010000000005", "+15550000005", 100,
					      ID_SRC_GTPV2);
	identity_bind(m, &gtp);
	CHECK_EQ_STR(who(m, "192.168.1.20", 150), "+15550000005");
	struct subscriber s;
	struct ip_addr wifi_addr = A("192.168.1.20");
	CHECK(identity_lookup(m, &wifi_addr, 150, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010000000005");
	/* the other half: an MSISDN-only access (a Diameter peer) gets the IMSI */
	struct identity_binding dia = binding("10.46.0.3", 32, NULL, "+15550000005", 200, ID_SRC_DIAMETER);
	identity_bind(m, &dia);
	struct ip_addr dia_addr = A("10.46.0.3");
	CHECK(identity_lookup(m, &dia_addr, 250, &s));
	CHECK_EQ_STR(s.imsi, "imsi:001010000000005");
	/* a SIP registration never pairs them: a user agent's claim is not the network's */
	identity_bind_registration(m, "+15550000006", "sip:x@192.0.2.66:5060", 300, 600);
	struct identity_binding other = binding("192.168.1.21", 32, "imsi:001010000000006", NULL, 300, ID_SRC_RADIUS);
	identity_bind(m, &other);
	CHECK_EQ_STR(who(m, "192.168.1.21", 350), "imsi:001010000000006");
	/* an unrelated IMSI stays as it is */
	struct identity_binding third = binding("192.168.1.22", 32, "imsi:001010000000007", NULL, 400, ID_SRC_RADIUS);
	identity_bind(m, &third);
	CHECK_EQ_STR(who(m, "192.168.1.22", 450), "imsi:001010000000007");
	identity_map_free(m);
}

int main(void)
{
	test_intervals();
	test_reuse_without_end();
	test_prefixes();
	test_layers();
	test_registrations();
	test_pool_full();
	test_lengths_reused();
	test_ignored();
	test_sim_links();
	return check_done("identity");
}
