/*
 * web.c — the background every capture has: a subscriber looks a name up (DNS), then
 * talks TLS 1.3 over TCP 443 or QUIC to it, with a request and a response of web-page
 * sizes, and closes. For iPhone users one session in ten goes to iCloud (Apple's
 * 17.0.0.0/8 on 443, names as in nDPI's iphone.pcap: gateway.icloud.com,
 * p26-keyvalueservice.icloud.com ...) with upload bursts: the look-alike that must not
 * be taken for iMessage (issue 7).
 *
 * Server addresses are in the documentation ranges (RFC 5737), so nothing here names
 * a real host's address; the names are public service names, used as labels only.
 */
#include <string.h>

#include "gen/gen_internal.h"

struct site {
	const char *name;
	uint8_t net;  /* 0: 203.0.113.x, 1: 198.51.100.x, 2: Apple 17.248.x */
	uint8_t host;
	bool h3;      /* also reachable over QUIC (HTTP/3) */
};

static const struct site sites[] = {
	{ "www.google.com", 0, 10, true },       { "www.youtube.com", 0, 11, true },
	{ "i.instagram.com", 0, 12, true },      { "graph.facebook.com", 0, 13, true },
	{ "www.wikipedia.org", 0, 14, false },   { "api.twitter.com", 0, 15, false },
	{ "www.netflix.com", 0, 16, false },     { "www.amazon.com", 0, 17, false },
	{ "fonts.gstatic.com", 0, 18, true },    { "www.bbc.co.uk", 1, 20, false },
	{ "open.spotify.com", 1, 21, false },    { "news.example.org", 1, 22, false },
	{ "cdn.jsdelivr.net", 1, 23, true },     { "maps.googleapis.com", 1, 24, true },
	{ "www.reddit.com", 1, 25, false },      { "static.example.net", 1, 26, false },
};

static const struct site icloud[] = {
	{ "gateway.icloud.com", 2, 75, false },
	{ "p26-keyvalueservice.icloud.com", 2, 87, false },
	{ "p26-fmfmobile.icloud.com", 2, 140, false },
};

static void site_addr(const struct site *s, struct ip_addr *a)
{
	if (s->net == 2)
		gen_addr4(a, 17, 248, 185, s->host);
	else if (s->net == 1)
		gen_addr4(a, 198, 51, 100, s->host);
	else
		gen_addr4(a, 203, 0, 113, s->host);
}

void gen_ep_web(struct gen_ctx *g, const struct episode *e)
{
	int si = e->a != GEN_ANY ? (int)e->a : gen_pick_sub(g, false, false, -1);
	if (si < 0)
		return;
	struct subscriber *s = &g->subs[si];
	bool is_icloud = s->device == DEV_IPHONE && gen_rng_chance(&g->rng, 0.1);
	const struct site *site = is_icloud ? &icloud[gen_rng_below(&g->rng, 3)]
					    : &sites[gen_rng_below(&g->rng, sizeof sites / sizeof sites[0])];
	struct ip_addr srv;
	site_addr(site, &srv);
	/* radio + internet round trips: 30-120 ms on LTE, 10-40 ms on Wi-Fi */
	uint32_t rtt = s->wifi ? gen_rng_between(&g->rng, 10000, 40000) : gen_rng_between(&g->rng, 30000, 120000);
	uint64_t t = gen_dns_lookup(g, s, g->now, site->name, &srv, gen_rng_between(&g->rng, 5000, 40000)) + 2000;
	struct gen_conn c;
	if (site->h3 && gen_rng_chance(&g->rng, 0.5)) {
		gen_conn_sub(g, &c, s, 17, &srv, 443);
		t = gen_quic_connection(g, &c, t, site->name, "h3", gen_rng_between(&g->rng, 4, 30), rtt);
		gen_sub_busy(g, (uint32_t)si, t);
		return;
	}
	gen_conn_sub(g, &c, s, 6, &srv, 443);
	t = gen_tls_handshake(g, &c, t, site->name, "h2,http/1.1", gen_rng_between(&g->rng, 2500, 5000), 0, rtt);
	unsigned exchanges = gen_rng_between(&g->rng, 1, 3);
	for (unsigned i = 0; i < exchanges; i++) {
		/* requests of 300-900 bytes; responses of 0.5-24 KB, mostly small (API calls,
		 * notifications; kept modest so captures of millions of packets stay a few GB),
		 * or uploads, for iCloud */
		size_t req = gen_rng_between(&g->rng, 300, 900);
		size_t rsp = gen_rng_chance(&g->rng, 0.7) ? gen_rng_between(&g->rng, 500, 4000)
							  : gen_rng_between(&g->rng, 4000, 24000);
		if (is_icloud && gen_rng_chance(&g->rng, 0.5)) {
			size_t up = rsp;
			rsp = req;
			req = up;
		}
		for (size_t left = req; left;) {
			size_t n = left > 16000 ? 16000 : left;
			t = gen_tls_app(g, &c, 0, t + 1000, n, 0);
			left -= n;
		}
		t += rtt;
		for (size_t left = rsp; left;) {
			size_t n = left > 16000 ? 16000 : left;
			t = gen_tls_app(g, &c, 1, t + 200, n, 1500);
			left -= n;
		}
	}
	t = gen_tcp_close(g, &c, 0, t + gen_rng_between(&g->rng, 100, 2000) * 1000u, rtt);
	gen_sub_busy(g, (uint32_t)si, t);
}
