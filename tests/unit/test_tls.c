/*
 * test_tls.c — the clear parts of TLS: a ClientHello's server name, ALPN and versions;
 * truncated and malformed hellos; the dissector on a stream cut anywhere (a record
 * split over segments, a handshake message split over records); the fixed pool of
 * gathering buffers, spent by hellos that never finish; a certificate's names; the
 * names and ALPN handed to the facts sink of the parse context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow/flow.h"
#include "proto/tls.h"

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void u16(struct buf *b, unsigned v) { u8(b, v >> 8); u8(b, v); }
static void u24(struct buf *b, unsigned v) { u8(b, v >> 16); u16(b, v & 0xffff); }
static void mem(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void put16(struct buf *b, size_t at, size_t v) { b->b[at] = (uint8_t)(v >> 8); b->b[at + 1] = (uint8_t)v; }

/* A ClientHello body: SNI, ALPN, supported_versions; sid_len lets a test break it. */
static void client_hello(struct buf *b, const char *sni, unsigned sid_len)
{
	b->n = 0;
	u16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(b, i);
	u8(b, sid_len);
	for (unsigned i = 0; i < sid_len; i++)
		u8(b, 0xaa);
	u16(b, 4);
	u16(b, 0x1301);
	u16(b, 0xc02f);
	u8(b, 1);
	u8(b, 0);
	size_t exts = b->n;
	u16(b, 0);
	/* server_name */
	u16(b, 0);
	u16(b, (unsigned)(5 + strlen(sni)));
	u16(b, (unsigned)(3 + strlen(sni)));
	u8(b, 0);
	u16(b, (unsigned)strlen(sni));
	mem(b, sni, strlen(sni));
	/* an unknown extension in between */
	u16(b, 0xfe0d);
	u16(b, 3);
	u8(b, 1); u8(b, 2); u8(b, 3);
	/* ALPN: h2, http/1.1 */
	u16(b, 16);
	u16(b, 2 + 3 + 9);
	u16(b, 3 + 9);
	u8(b, 2); mem(b, "h2", 2);
	u8(b, 8); mem(b, "http/1.1", 8);
	/* supported_versions: 1.3, 1.2 */
	u16(b, 43);
	u16(b, 5);
	u8(b, 4);
	u16(b, 0x0304);
	u16(b, 0x0303);
	put16(b, exts, b->n - exts - 2);
}

static void test_client_hello(void)
{
	struct buf b;
	struct tls_hello h;
	client_hello(&b, "Example.COM.", 32);
	CHECK_EQ_INT(tls_client_hello_parse(b.b, b.n, &h), TLS_OK);
	CHECK_EQ_STR(h.sni, "example.com");
	CHECK_EQ_INT(h.nalpn, 2);
	CHECK_EQ_STR(h.alpn[0], "h2");
	CHECK_EQ_STR(h.alpn[1], "http/1.1");
	CHECK_EQ_INT(h.nversions, 2);
	CHECK_EQ_INT(h.versions[0], 0x0304);
	/* cut anywhere: truncated or malformed, never a read past the end (ASan watches) */
	for (size_t cut = 0; cut < b.n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, b.b, cut);
		enum tls_result r = tls_client_hello_parse(copy, cut, &h);
		CHECK(r == TLS_TRUNCATED || r == TLS_MALFORMED || (r == TLS_OK && cut >= 41));
		free(copy);
	}
	client_hello(&b, "example.com", 33); /* a session id longer than 32 */
	CHECK_EQ_INT(tls_client_hello_parse(b.b, b.n, &h), TLS_MALFORMED);
	client_hello(&b, "bad name.com", 32); /* a space cannot be in a host name */
	CHECK_EQ_INT(tls_client_hello_parse(b.b, b.n, &h), TLS_MALFORMED);
	char long_name[300];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	client_hello(&b, long_name, 32);
	CHECK_EQ_INT(tls_client_hello_parse(b.b, b.n, &h), TLS_OK);
	CHECK(h.sni_cut);
	CHECK_EQ_INT(strlen(h.sni), TLS_NAME_MAX - 1);
}

/* Feeds a stream to the dissector as the pipeline does: what is not consumed stays. */
struct stream {
	uint8_t data[8192];
	size_t have, done;
};

static enum parse_status feed(struct parse_ctx *ctx, struct stream *s, const uint8_t *p, size_t n)
{
	memcpy(s->data + s->have, p, n);
	s->have += n;
	enum parse_status st = PARSE_OK;
	while (s->done < s->have) {
		size_t consumed = 0;
		st = tls_dissector.parse(ctx, s->data + s->done, s->have - s->done, &consumed);
		s->done += consumed;
		if (st != PARSE_OK || consumed == 0)
			break;
	}
	return st;
}

/* One handshake record holding the whole ClientHello body hello. */
static void hello_record(struct buf *rec, const struct buf *hello)
{
	rec->n = 0;
	u8(rec, 22); u16(rec, 0x0301); u16(rec, (unsigned)(4 + hello->n));
	u8(rec, 1); u24(rec, (unsigned)hello->n); mem(rec, hello->b, hello->n);
}

static void test_dissector_split(void)
{
	struct buf hello, rec;
	client_hello(&hello, "courier2.push.apple.com", 32);
	/* one handshake message in one record */
	hello_record(&rec, &hello);
	CHECK(tls_dissector.recognise(rec.b, 3, NULL));
	CHECK(tls_dissector.recognise(rec.b, rec.n, NULL));
	CHECK(!tls_dissector.recognise((const uint8_t *)"GET / HTTP/1.1", 14, NULL));
	for (size_t cut = 1; cut < rec.n; cut += 7) {
		void *state = calloc(1, tls_dissector.state_size);
		struct stats stats = { 0 };
		struct parse_ctx ctx = { .state = state, .stats = &stats };
		struct stream s = { .have = 0 };
		struct tls_hello h;
		CHECK(feed(&ctx, &s, rec.b, cut) == PARSE_NEED_MORE || cut >= rec.n);
		CHECK(!tls_state_hello(state, &h, NULL, NULL));
		feed(&ctx, &s, rec.b + cut, rec.n - cut);
		CHECK(tls_state_hello(state, &h, NULL, NULL));
		CHECK_EQ_STR(h.sni, "courier2.push.apple.com");
		CHECK_EQ_INT(s.done, s.have);
		CHECK_EQ_INT(stats_anomaly_total(&stats), 0);
		struct parse_ctx end = { .state = state };
		tls_dissector.state_end(&end);
		free(state);
	}
	/* the handshake message split over two records */
	size_t first = 40;
	struct buf two;
	two.n = 0;
	u8(&two, 22); u16(&two, 0x0301); u16(&two, (unsigned)first);
	u8(&two, 1); u24(&two, (unsigned)hello.n); mem(&two, hello.b, first - 4);
	u8(&two, 22); u16(&two, 0x0301); u16(&two, (unsigned)(hello.n - (first - 4)));
	mem(&two, hello.b + first - 4, hello.n - (first - 4));
	void *module = tls_dissector.module_new(NULL, NULL);
	CHECK(module != NULL);
	void *state = calloc(1, tls_dissector.state_size);
	struct parse_ctx ctx = { .state = state, .module = module };
	struct stream s = { .have = 0 };
	struct tls_hello h;
	feed(&ctx, &s, two.b, two.n);
	CHECK(tls_state_hello(state, &h, NULL, NULL));
	CHECK_EQ_STR(h.sni, "courier2.push.apple.com");
	tls_dissector.state_end(&ctx);
	free(state);
	/* without a module there is no buffer to gather in: the direction gives up, counted */
	state = calloc(1, tls_dissector.state_size);
	struct stats nostats = { 0 };
	struct parse_ctx nomod = { .state = state, .stats = &nostats };
	struct stream n = { .have = 0 };
	feed(&nomod, &n, two.b, two.n);
	CHECK(!tls_state_hello(state, &h, NULL, NULL));
	CHECK_EQ_INT(nostats.anomalies[ANOM_STATE_POOL_FULL], 1);
	tls_dissector.state_end(&nomod);
	free(state);
	tls_dissector.module_free(module);
	/* not TLS after all: malformed, counted, the rest skipped */
	state = calloc(1, tls_dissector.state_size);
	struct stats stats = { 0 };
	struct parse_ctx bad = { .state = state, .stats = &stats };
	struct stream t = { .have = 0 };
	CHECK_EQ_INT(feed(&bad, &t, (const uint8_t *)"\x16\x03\x01\xff\xff", 5), PARSE_MALFORMED);
	CHECK_EQ_INT(stats.anomalies[ANOM_TLS_MALFORMED], 1);
	tls_dissector.state_end(&bad);
	free(state);
	/* once the rest is encrypted (here after a TLS 1.3 client's hello), the direction is
	 * done, whatever follows: the pipeline frees its stream */
	state = calloc(1, tls_dissector.state_size);
	struct parse_ctx enc = { .state = state };
	struct stream e = { .have = 0 };
	static const uint8_t app[] = { 23, 3, 3, 0, 2, 0xaa, 0xbb };
	CHECK_EQ_INT(feed(&enc, &e, rec.b, rec.n), PARSE_DONE);
	CHECK(tls_state_hello(state, &h, NULL, NULL));
	CHECK_EQ_INT(feed(&enc, &e, app, sizeof app), PARSE_DONE);
	CHECK_EQ_INT(feed(&enc, &e, app, 3), PARSE_DONE); /* even a record cut short */
	CHECK_EQ_INT(e.done, e.have);
	tls_dissector.state_end(&enc);
	free(state);
}

/* What reached the facts sink (detect/facts.h): the dissector's only way to the signatures. */
struct facts_seen {
	unsigned calls;
	struct flow *flow;
	int dir;
	char name[64], alpn[16];
	const char *protocol;
};

static void on_facts(void *ud, struct flow *f, int dir, const struct packet *pkt, const struct flow_facts *facts)
{
	(void)pkt;
	struct facts_seen *fs = ud;
	fs->calls++;
	fs->flow = f;
	fs->dir = dir;
	fs->protocol = facts->protocol;
	snprintf(fs->name, sizeof fs->name, "%s", facts->nnames ? facts->names[0] : "");
	snprintf(fs->alpn, sizeof fs->alpn, "%s", facts->nalpn ? facts->alpn[0] : "");
}

static void on_lookup(void *ud, struct flow *f, const char *qname)
{
	(void)ud;
	(void)f;
	(void)qname;
	CHECK(!"TLS asks no name");
}

/* The dissector hands the hello's names to the facts sink its context holds: no pipeline. */
static void test_facts_sink(void)
{
	struct buf hello, rec;
	client_hello(&hello, "Chat.Signal.org", 32);
	hello_record(&rec, &hello);
	struct facts_seen seen = { 0 };
	const struct facts_sink sink = { .facts = on_facts, .lookup = on_lookup, .ud = &seen };
	struct flow flow;
	memset(&flow, 0, sizeof flow);
	void *state = calloc(1, tls_dissector.state_size);
	struct parse_ctx ctx = { .flow = &flow, .dir = 0, .state = state, .facts = &sink };
	struct stream s = { .have = 0 };
	feed(&ctx, &s, rec.b, rec.n);
	CHECK_EQ_INT(seen.calls, 1);
	CHECK(seen.flow == &flow);
	CHECK_EQ_INT(seen.dir, 0);
	CHECK_EQ_STR(seen.protocol, "tls");
	CHECK_EQ_STR(seen.name, "chat.signal.org");
	CHECK_EQ_STR(seen.alpn, "h2");
	tls_dissector.state_end(&ctx);
	free(state);
	/* without a flow (a fuzz driver's context) or without a sink, nothing is handed on */
	state = calloc(1, tls_dissector.state_size);
	struct parse_ctx noflow = { .state = state, .facts = &sink };
	struct stream t = { .have = 0 };
	feed(&noflow, &t, rec.b, rec.n);
	CHECK_EQ_INT(seen.calls, 1);
	tls_dissector.state_end(&noflow);
	free(state);
}

/*
 * Hellos that start in one record and never finish hold a gathering buffer each; the
 * pool has a fixed number (module_sizes.tls_gather). Past it, the buffer left alone
 * longest is taken back (tls.gather-evicted) and that direction gives up, while one
 * whose message is being finished keeps its buffer.
 */
static void test_gather_pool(void)
{
	struct buf hello, start, rest;
	client_hello(&hello, "courier2.push.apple.com", 32);
	size_t first = 40; /* the record's share of the hello: the header and 36 bytes */
	start.n = 0;
	u8(&start, 22); u16(&start, 0x0301); u16(&start, (unsigned)first);
	u8(&start, 1); u24(&start, (unsigned)hello.n); mem(&start, hello.b, first - 4);
	rest.n = 0;
	u8(&rest, 22); u16(&rest, 0x0301); u16(&rest, (unsigned)(hello.n - (first - 4)));
	mem(&rest, hello.b + first - 4, hello.n - (first - 4));

	const struct module_sizes sizes = { .tls_gather = 2 };
	void *module = tls_dissector.module_new(NULL, &sizes);
	CHECK(module != NULL);
	struct stats stats = { 0 };
	enum { FLOWS = 3 };
	void *state[FLOWS];
	struct parse_ctx ctx[FLOWS];
	struct stream s[FLOWS];
	for (int i = 0; i < FLOWS; i++) {
		state[i] = calloc(1, tls_dissector.state_size);
		ctx[i] = (struct parse_ctx){ .state = state[i], .module = module, .stats = &stats };
		s[i] = (struct stream){ .have = 0 };
	}
	/* flows 0 and 1 start their hellos: the pool's two buffers */
	feed(&ctx[0], &s[0], start.b, start.n);
	feed(&ctx[1], &s[1], start.b, start.n);
	CHECK_EQ_INT(stats.anomalies[ANOM_TLS_GATHER_EVICTED], 0);
	/* flow 0 goes on (its buffer is the most recently used now), flow 2 starts: flow 1's
	 * buffer, left alone longest, is taken back */
	struct buf more;
	more.n = 0;
	u8(&more, 22); u16(&more, 0x0301); u16(&more, 10);
	mem(&more, hello.b + first - 4, 10);
	feed(&ctx[0], &s[0], more.b, more.n);
	feed(&ctx[2], &s[2], start.b, start.n);
	CHECK_EQ_INT(stats.anomalies[ANOM_TLS_GATHER_EVICTED], 1);
	/* the rest arrives for all three: 0 and 2 read their hellos, 1 gave up */
	struct buf rest0;
	rest0.n = 0;
	u8(&rest0, 22); u16(&rest0, 0x0301); u16(&rest0, (unsigned)(hello.n - (first - 4) - 10));
	mem(&rest0, hello.b + first - 4 + 10, hello.n - (first - 4) - 10);
	feed(&ctx[0], &s[0], rest0.b, rest0.n);
	CHECK_EQ_INT(feed(&ctx[1], &s[1], rest.b, rest.n), PARSE_DONE);
	feed(&ctx[2], &s[2], rest.b, rest.n);
	struct tls_hello h;
	CHECK(tls_state_hello(state[0], &h, NULL, NULL) && strcmp(h.sni, "courier2.push.apple.com") == 0);
	CHECK(!tls_state_hello(state[1], &h, NULL, NULL));
	CHECK(tls_state_hello(state[2], &h, NULL, NULL) && strcmp(h.sni, "courier2.push.apple.com") == 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_TLS_GATHER_EVICTED], 1);
	/* buffers given back as hellos completed: a fourth flow gathers without taking any */
	void *st4 = calloc(1, tls_dissector.state_size);
	struct parse_ctx c4 = { .state = st4, .module = module, .stats = &stats };
	struct stream s4 = { .have = 0 };
	feed(&c4, &s4, start.b, start.n);
	feed(&c4, &s4, rest.b, rest.n);
	CHECK(tls_state_hello(st4, &h, NULL, NULL));
	CHECK_EQ_INT(stats.anomalies[ANOM_TLS_GATHER_EVICTED], 1);
	tls_dissector.state_end(&c4);
	free(st4);
	for (int i = 0; i < FLOWS; i++) {
		tls_dissector.state_end(&ctx[i]);
		free(state[i]);
	}
	tls_dissector.module_free(module);
}

static void test_certificate(void)
{
	FILE *f = fopen("data/tls/google_de.der", "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	uint8_t der[4096];
	size_t n = fread(der, 1, sizeof der, f);
	fclose(f);
	char names[TLS_CERT_NAMES_MAX][TLS_NAME_MAX];
	CHECK_EQ_INT(tls_x509_names(der, n, names, TLS_CERT_NAMES_MAX), 1); /* *.google.de and google.de are one name */
	CHECK_EQ_STR(names[0], "google.de");
	/* in a Certificate message */
	struct buf m;
	m.n = 0;
	u24(&m, (unsigned)(3 + n));
	u24(&m, (unsigned)n);
	mem(&m, der, n);
	CHECK_EQ_INT(tls_certificate_names(m.b, m.n, names, TLS_CERT_NAMES_MAX), 1);
	/* every cut of the DER: no name, or the right one; no read past the end */
	for (size_t cut = 0; cut < n; cut += 3) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, der, cut);
		size_t k = tls_x509_names(copy, cut, names, TLS_CERT_NAMES_MAX);
		CHECK(k == 0 || strcmp(names[0], "google.de") == 0);
		free(copy);
	}
}

int main(void)
{
	test_client_hello();
	test_dissector_split();
	test_facts_sink();
	test_gather_pool();
	test_certificate();
	return check_done("test_tls");
}
