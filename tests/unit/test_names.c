/* test_names.c — the DNS name cache: TTL bounds, per client, CNAME's canonical name, a full pool. */
#include <string.h>

#include "check.h"
#include "identity/names.h"

static const uint64_t S = 1000000;

static struct ip_addr A(const char *text)
{
	struct ip_addr a;
	if (addr_parse(text, &a) != 0)
		memset(&a, 0, sizeof a);
	return a;
}

static char got[NAMES_TEXT_MAX];

static const char *name_of(const struct name_cache *c, const char *client, const char *addr, uint64_t ts)
{
	struct ip_addr cl = A(client ? client : "0.0.0.0"), a = A(addr);
	if (!name_cache_lookup(c, client ? &cl : NULL, &a, ts, got, sizeof got))
		return "";
	return got;
}

static void test_ttl(void)
{
	struct name_cache *c = name_cache_new(16, NULL);
	struct ip_addr cl = A("10.45.0.2"), a = A("17.248.221.9");
	name_cache_add(c, &cl, &a, "gateway.icloud.com", 100 * S, 300);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 99 * S), "");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 100 * S), "gateway.icloud.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 399 * S), "gateway.icloud.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 400 * S), "");
	/* TTL 0 still names the connection that follows, for the minimum */
	struct ip_addr b = A("17.57.145.148");
	name_cache_add(c, &cl, &b, "courier.push.apple.com", 100 * S, 0);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.57.145.148", 159 * S), "courier.push.apple.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.57.145.148", 160 * S), "");
	/* a week-long TTL is held a day */
	struct ip_addr d = A("192.0.2.1");
	name_cache_add(c, &cl, &d, "long.example", 100 * S, 7 * 86400);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "192.0.2.1", (100 + 86399) * S), "long.example");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "192.0.2.1", (100 + 86400) * S), "");
	/* a repeat answer while valid extends the entry; after expiry, a new one leaves the gap unnamed */
	name_cache_add(c, &cl, &a, "gateway.icloud.com", 300 * S, 300);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 599 * S), "gateway.icloud.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 150 * S), "gateway.icloud.com");
	name_cache_add(c, &cl, &a, "gateway.icloud.com", 1000 * S, 300);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 700 * S), "");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.248.221.9", 1000 * S), "gateway.icloud.com");
	name_cache_free(c);
	name_cache_free(NULL);
}

static void test_per_client(void)
{
	struct name_cache *c = name_cache_new(16, NULL);
	struct ip_addr c1 = A("10.45.0.2"), c2 = A("10.45.0.3"), cdn = A("2001:db8::80");
	name_cache_add(c, &c1, &cdn, "www.example.com", 100 * S, 600);
	name_cache_add(c, &c2, &cdn, "static.example.org", 110 * S, 600);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "2001:db8::80", 200 * S), "www.example.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.3", "2001:db8::80", 200 * S), "static.example.org");
	CHECK_EQ_STR(name_of(c, "10.45.0.4", "2001:db8::80", 200 * S), "");
	/* any client: the one resolved last before the time */
	CHECK_EQ_STR(name_of(c, NULL, "2001:db8::80", 105 * S), "www.example.com");
	CHECK_EQ_STR(name_of(c, NULL, "2001:db8::80", 200 * S), "static.example.org");
	/* one client, two names on one shared address: the latest before the time */
	name_cache_add(c, &c1, &cdn, "img.example.com", 150 * S, 600);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "2001:db8::80", 120 * S), "www.example.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "2001:db8::80", 160 * S), "img.example.com");
	/* and back to the first name: named by it again from then on, the other keeps its time */
	name_cache_add(c, &c1, &cdn, "www.example.com", 170 * S, 600);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "2001:db8::80", 175 * S), "www.example.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "2001:db8::80", 165 * S), "img.example.com");
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "2001:db8::80", 120 * S), "www.example.com");
	CHECK_EQ_INT(name_cache_count(c), 4);
	name_cache_free(c);
}

static void test_canonical(void)
{
	struct name_cache *c = name_cache_new(16, NULL);
	struct ip_addr cl = A("10.45.0.2"), a = A("17.57.145.148"), b = A("17.57.145.149");
	name_cache_add_cname(c, &cl, &a, "33-courier2.push.apple.com", "apac-asia-courier-vs.push-apple.com.akadns.net",
			     100 * S, 60);
	name_cache_add_cname(c, &cl, &b, "direct.example", "direct.example", 100 * S, 60);
	char canon[NAMES_TEXT_MAX];
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "17.57.145.148", 110 * S), "33-courier2.push.apple.com");
	CHECK(name_cache_lookup_canonical(c, &cl, &a, 110 * S, canon, sizeof canon));
	CHECK_EQ_STR(canon, "apac-asia-courier-vs.push-apple.com.akadns.net");
	CHECK(name_cache_lookup_canonical(c, &cl, &b, 110 * S, canon, sizeof canon));
	CHECK_EQ_STR(canon, ""); /* no CNAME: no canonical name */
	CHECK(!name_cache_lookup_canonical(c, &cl, &b, 500 * S, canon, sizeof canon));
	/* a name that does not fit is not kept; a small output buffer gets nothing */
	char longname[NAMES_TEXT_MAX + 10];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	struct ip_addr d = A("192.0.2.3");
	name_cache_add(c, &cl, &d, longname, 100 * S, 60);
	CHECK_EQ_STR(name_of(c, "10.45.0.2", "192.0.2.3", 110 * S), "");
	char small[8];
	CHECK(!name_cache_lookup(c, &cl, &a, 110 * S, small, sizeof small));
	name_cache_free(c);
}

static void test_full(void)
{
	struct stats st;
	memset(&st, 0, sizeof st);
	struct name_cache *c = name_cache_new(2, &st);
	struct ip_addr cl = A("10.0.0.1"), a1 = A("192.0.2.1"), a2 = A("192.0.2.2"), a3 = A("192.0.2.3");
	name_cache_add(c, &cl, &a1, "one.example", 100 * S, 60);
	name_cache_add(c, &cl, &a2, "two.example", 101 * S, 60);
	name_cache_add(c, &cl, &a3, "three.example", 102 * S, 60); /* replaces the oldest, still valid */
	CHECK_EQ_INT(st.anomalies[ANOM_NAME_CACHE_FULL], 1);
	CHECK_EQ_STR(name_of(c, "10.0.0.1", "192.0.2.1", 103 * S), "");
	CHECK_EQ_STR(name_of(c, "10.0.0.1", "192.0.2.2", 103 * S), "two.example");
	CHECK_EQ_STR(name_of(c, "10.0.0.1", "192.0.2.3", 103 * S), "three.example");
	name_cache_add(c, &cl, &a1, "one.example", 500 * S, 60); /* the oldest had expired: not counted */
	CHECK_EQ_INT(st.anomalies[ANOM_NAME_CACHE_FULL], 1);
	CHECK_EQ_INT(name_cache_count(c), 2);
	name_cache_free(c);
}

int main(void)
{
	test_ttl();
	test_per_client();
	test_canonical();
	test_full();
	return check_done("names");
}
