/* test_names.c — the DNS name cache: TTL bounds, per client, CNAME's canonical name, a full pool. */
#include <stdio.h>
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

/*
 * A full cache whose entries all share one address (every phone resolving the same
 * popular name): the entry replaced is the least recently refreshed, which sits in
 * the middle of the by-address chain as often as at its end; it is taken out in O(1)
 * through the chain's kept predecessors, and every lookup still finds exactly the
 * entries held, per client and for any client.
 */
static const char *client_of(unsigned k)
{
	static char text[32];
	snprintf(text, sizeof text, "10.45.%u.%u", k / 200, k % 200 + 1);
	return text;
}

enum { FULL_CAP = 8, FULL_ROUNDS = 12, FULL_CLIENTS = FULL_CAP * (FULL_ROUNDS + 1) };

/* Client k resolves its own name to the shared address at *t (a refresh when it holds
 * that already); the model remembers when, since the FULL_CAP latest are held. */
static void resolve(struct name_cache *c, unsigned k, uint64_t *t, uint64_t *last)
{
	char name[64];
	struct ip_addr cl = A(client_of(k)), a = A("17.57.145.148");
	snprintf(name, sizeof name, "n%u.push.apple.com", k);
	name_cache_add(c, &cl, &a, name, *t, 600);
	last[k] = *t;
	*t += S / 100;
}

/* Clients of [0, n) whose lookup disagrees with the model: held with their own name
 * when among the FULL_CAP latest, not found otherwise. */
static unsigned disagree(const struct name_cache *c, unsigned n, const uint64_t *last)
{
	char want[64];
	unsigned bad = 0;
	for (unsigned k = 0; k < n; k++) {
		unsigned newer = 0;
		for (unsigned j = 0; j < n; j++)
			newer += last[j] > last[k];
		bool held = last[k] && newer < FULL_CAP;
		snprintf(want, sizeof want, "n%u.push.apple.com", k);
		const char *g = name_of(c, client_of(k), "17.57.145.148", 150 * S);
		bad += held ? strcmp(g, want) != 0 : g[0] != 0;
	}
	return bad;
}

static void test_full_one_address(void)
{
	struct name_cache *c = name_cache_new(FULL_CAP, NULL);
	uint64_t last[FULL_CLIENTS] = { 0 }, t = 100 * S;
	unsigned next = 0, bad = 0;
	while (next < FULL_CAP)
		resolve(c, next++, &t, last);
	/* Each round refreshes every other client held, then adds FULL_CAP/2 new ones: the
	 * entries replaced are those not refreshed, from the middle of the chain. */
	for (unsigned r = 0; r < FULL_ROUNDS; r++) {
		unsigned flip = 0;
		uint64_t cut = t;
		for (unsigned k = 0; k < next; k++) {
			unsigned newer = 0;
			for (unsigned j = 0; j < next; j++)
				newer += last[j] > last[k];
			if (last[k] && last[k] < cut && newer < FULL_CAP && flip++ % 2 == 0)
				resolve(c, k, &t, last);
		}
		for (unsigned j = 0; j < FULL_CAP / 2; j++)
			resolve(c, next++, &t, last);
		bad += disagree(c, next, last);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(name_cache_count(c), FULL_CAP);
	char name[64];
	snprintf(name, sizeof name, "n%u.push.apple.com", next - 1);
	CHECK_EQ_STR(name_of(c, NULL, "17.57.145.148", 150 * S), name); /* any client: the newest */
	name_cache_free(c);
}

int main(void)
{
	test_ttl();
	test_per_client();
	test_canonical();
	test_full();
	test_full_one_address();
	return check_done("names");
}
