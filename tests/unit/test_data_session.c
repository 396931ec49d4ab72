/*
 * test_data_session.c — the data-session table that GTP-C, RADIUS and Diameter share:
 * one begin and one end per subscriber session however many handles name it, aliases,
 * a handle moved to another session, a close of a session never seen open, and a full
 * table forgetting its least recently used entries (counted, no invented end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"
#include "core/stats.h"
#include "identity/identity.h"
#include "identity/data_session.h"

enum { MAX_EVENTS = 64 };

struct harness {
	struct ds_table *t;
	struct identity_map *ids;
	struct stats stats;
	struct event ev[MAX_EVENTS];
	int nev;
	struct event_sink sink;
	struct packet pkt;
	struct parse_ctx ctx;
};

static void collect(void *ud, const struct event *e)
{
	struct harness *h = ud;
	if (h->nev < MAX_EVENTS)
		h->ev[h->nev++] = *e;
}

static struct harness *h_new(uint32_t capacity)
{
	struct harness *h = calloc(1, sizeof *h);
	h->t = ds_table_new(capacity, &h->stats);
	h->ids = identity_map_new(256, &h->stats);
	h->sink.emit = collect;
	h->sink.ud = h;
	h->ctx.pkt = &h->pkt;
	h->ctx.events = &h->sink;
	h->ctx.stats = &h->stats;
	h->ctx.identity = h->ids;
	return h;
}

static void h_free(struct harness *h)
{
	ds_table_free(h->t);
	identity_map_free(h->ids);
	free(h);
}

static void at(struct harness *h, double ts)
{
	h->pkt.ts_us = (uint64_t)(ts * 1e6);
	h->pkt.frame_no++;
}

static struct ds_open sess(const char *key, const char *alias, const char *imsi, const char *addr)
{
	struct ds_open o;
	memset(&o, 0, sizeof o);
	o.key = key;
	o.key_len = strlen(key);
	o.alias = alias;
	o.alias_len = alias ? strlen(alias) : 0;
	o.protocol = "gtpv2";
	o.source = ID_SRC_GTPV2;
	/* test IMSIs are 15 digits at most: "imsi:" + 15 fits */
	if (snprintf(o.sub.imsi, sizeof o.sub.imsi, "imsi:%.18s", imsi) < 0)
		o.sub.imsi[0] = '\0';
	addr_parse(addr, &o.addr[0]);
	o.prefix_len[0] = 32;
	o.naddr = 1;
	o.announce = true;
	return o;
}

static bool open_at(struct harness *h, double ts, struct ds_open o)
{
	at(h, ts);
	o.start_us = h->pkt.ts_us;
	return ds_open(h->t, &h->ctx, &o);
}

static bool close_at(struct harness *h, double ts, const char *key)
{
	at(h, ts);
	return ds_close(h->t, &h->ctx, key, strlen(key), -1, NULL, NULL, 0);
}

static void test_handles_and_aliases(void)
{
	struct harness *h = h_new(16);
	CHECK(open_at(h, 1.0, sess("s11-mme", "s11-sgw", "001010000000001", "10.0.0.1")));
	CHECK(open_at(h, 1.1, sess("s5-sgw", "s5-pgw", "001010000000001", "10.0.0.1")));
	CHECK(open_at(h, 1.2, sess("s11-mme", NULL, "001010000000001", "10.0.0.1"))); /* a retransmission */
	CHECK_EQ_INT(h->nev, 1);
	CHECK_EQ_INT(ds_handles(h->t), 2);
	CHECK_EQ_INT(ds_sessions(h->t), 1);
	CHECK(ds_known(h->t, "s11-sgw", 7)); /* an alias names its handle */
	CHECK(!ds_known(h->t, "nobody", 6));
	CHECK(!close_at(h, 5.0, "s5-pgw")); /* the S11 handle still names it */
	CHECK_EQ_INT(h->nev, 1);
	CHECK(close_at(h, 6.0, "s11-sgw"));
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(h->ev[1].type, EV_DATA_SESSION_END);
	CHECK_EQ_INT(h->ev[1].duration_us, 5000000);
	CHECK_EQ_INT(ds_handles(h->t), 0);
	CHECK_EQ_INT(ds_sessions(h->t), 0);
	CHECK(!close_at(h, 7.0, "s11-mme")); /* already gone */

	/* no party, no address, no key: nothing */
	struct ds_open o = sess("k", NULL, "001010000000002", "10.0.0.2");
	o.sub.imsi[0] = '\0';
	CHECK(!open_at(h, 8.0, o));
	o = sess("k", NULL, "001010000000002", "10.0.0.2");
	o.naddr = 0;
	CHECK(!open_at(h, 8.0, o));
	o = sess("", NULL, "001010000000002", "10.0.0.2");
	CHECK(!open_at(h, 8.0, o));
	CHECK_EQ_INT(h->nev, 2);
	h_free(h);
}

static void test_moved_and_unseen(void)
{
	struct harness *h = h_new(16);
	CHECK(open_at(h, 1.0, sess("teid-1", NULL, "001010000000001", "10.0.0.1")));
	/* the same key now names another subscriber: the old session is forgotten quietly */
	CHECK(open_at(h, 2.0, sess("teid-1", NULL, "001010000000002", "10.0.0.9")));
	CHECK_EQ_INT(h->nev, 2);
	CHECK_EQ_INT(h->ev[1].type, EV_DATA_SESSION_BEGIN);
	CHECK_EQ_INT(ds_sessions(h->t), 1);
	struct ip_addr a;
	struct subscriber s;
	addr_parse("10.0.0.1", &a);
	CHECK(!identity_lookup(h->ids, &a, 3000000, &s)); /* its address was let go */
	/* an end whose start was not seen */
	struct ds_open u = sess("acct-9", NULL, "001010000000003", "10.0.0.3");
	at(h, 4.0);
	CHECK(ds_close(h->t, &h->ctx, "acct-9", 6, 1500000, &u, NULL, 0));
	CHECK_EQ_INT(h->nev, 3);
	CHECK_EQ_INT(h->ev[2].type, EV_DATA_SESSION_END);
	CHECK_EQ_INT(h->ev[2].duration_us, 1500000);
	CHECK_EQ_STR(h->ev[2].from, "imsi:001010000000003");
	h_free(h);
}

static void test_full_table(void)
{
	struct harness *h = h_new(16);
	char key[32], imsi[32], addr[24];
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof key, "k%d", i);
		snprintf(imsi, sizeof imsi, "0010100000000%02d", i % 100);
		snprintf(addr, sizeof addr, "10.1.0.%d", i + 1);
		CHECK(open_at(h, 1.0 + i, sess(key, NULL, imsi, addr)));
	}
	CHECK_EQ_INT(h->nev, 40);
	CHECK_EQ_INT(ds_handles(h->t), 16);
	CHECK_EQ_INT(ds_sessions(h->t), 16);
	CHECK(h->stats.anomalies[ANOM_DATA_SESSION_TABLE_FULL] >= 24);
	CHECK(!ds_known(h->t, "k0", 2));  /* the oldest were forgotten */
	CHECK(ds_known(h->t, "k39", 3));
	CHECK(!close_at(h, 100.0, "k0")); /* ... and give no invented end */
	CHECK(close_at(h, 100.0, "k39"));
	CHECK_EQ_INT(h->nev, 41);
	for (int i = 24; i < 39; i++) {
		snprintf(key, sizeof key, "k%d", i);
		CHECK(close_at(h, 101.0, key));
	}
	CHECK_EQ_INT(ds_handles(h->t), 0);
	CHECK_EQ_INT(ds_sessions(h->t), 0);
	/* and the freed entries are used again */
	CHECK(open_at(h, 200.0, sess("again", NULL, "001010000000099", "10.2.0.1")));
	CHECK_EQ_INT(ds_sessions(h->t), 1);
	h_free(h);
}

static void test_format(void)
{
	struct ip_addr a[2];
	unsigned len[2] = { 32, 56 };
	char out[64];
	addr_parse("10.45.0.2", &a[0]);
	addr_parse("2001:db8:1::", &a[1]);
	ds_format_addrs(a, len, 2, out, sizeof out);
	CHECK_EQ_STR(out, "10.45.0.2,2001:db8:1::/56");
	ds_format_addrs(a, len, 2, out, 12);
	CHECK_EQ_STR(out, "10.45.0.2");
	struct subscriber s;
	memset(&s, 0, sizeof s);
	CHECK_EQ_STR(ds_party(&s, "bob"), "bob");
	strcpy(s.imsi, "imsi:1");
	CHECK_EQ_STR(ds_party(&s, "bob"), "imsi:1");
	strcpy(s.msisdn, "+1");
	CHECK_EQ_STR(ds_party(&s, "bob"), "+1");
}

int main(void)
{
	test_handles_and_aliases();
	test_moved_and_unseen();
	test_full_table();
	test_format();
	return check_done("test_data_session");
}
