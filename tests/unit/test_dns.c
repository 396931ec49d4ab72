/*
 * test_dns.c — the DNS reader and dissector: names with and without compression, the
 * strictly-backwards rule, caps, CNAME chains to the query name, truncated and malformed
 * messages, look-alikes, TCP framing, the name cache it feeds, and the question it hands
 * to the facts sink of its parse context.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "flow/flow.h"
#include "identity/names.h"
#include "proto/dns.h"

/* --- a tiny message builder --- */

struct msg {
	uint8_t b[2048];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}
static void u8(struct msg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void u16(struct msg *m, unsigned v) { u8(m, v >> 8); u8(m, v & 0xff); }
static void u32(struct msg *m, uint32_t v) { u16(m, v >> 16); u16(m, v & 0xffff); }

/* "www.example.com" as labels, ending with the root (or a pointer when ptr >= 0). */
static void name(struct msg *m, const char *text, int ptr)
{
	while (*text) {
		const char *dot = strchr(text, '.');
		size_t n = dot ? (size_t)(dot - text) : strlen(text);
		u8(m, (unsigned)n);
		put(m, text, n);
		text += n + (dot ? 1 : 0);
	}
	if (ptr >= 0)
		u16(m, 0xc000u | (unsigned)ptr);
	else
		u8(m, 0);
}

static void header(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	m->n = 0;
	u16(m, id);
	u16(m, flags);
	u16(m, qd);
	u16(m, an);
	u16(m, 0);
	u16(m, 0);
}

static void question(struct msg *m, const char *q, unsigned type)
{
	name(m, q, -1);
	u16(m, type);
	u16(m, 1);
}

/* An RR whose owner is a pointer to off (or a full name when off < 0 and owner given). */
static void rr_head(struct msg *m, const char *owner, int off, unsigned type, unsigned class, uint32_t ttl)
{
	if (owner)
		name(m, owner, off);
	else
		u16(m, 0xc000u | (unsigned)off);
	u16(m, type);
	u16(m, class);
	u32(m, ttl);
}

static void rr_a(struct msg *m, const char *owner, int off, uint32_t ttl, const uint8_t a[4])
{
	rr_head(m, owner, off, 1, 1, ttl);
	u16(m, 4);
	put(m, a, 4);
}

static void rr_cname(struct msg *m, const char *owner, int off, uint32_t ttl, const char *target)
{
	rr_head(m, owner, off, 5, 1, ttl);
	size_t at = m->n;
	u16(m, 0);
	size_t start = m->n;
	name(m, target, -1);
	m->b[at] = (uint8_t)((m->n - start) >> 8);
	m->b[at + 1] = (uint8_t)((m->n - start) & 0xff);
}

/* --- names --- */

static enum dns_status read_at(const struct msg *m, size_t pos, char *out, size_t outlen, size_t *end)
{
	bool fits;
	size_t p = pos;
	enum dns_status st = dns_read_name(m->b, m->n, &p, out, outlen, &fits);
	if (end)
		*end = p;
	if (st == DNS_OK && !fits)
		snprintf(out, outlen, "?");
	return st;
}

static void test_names(void)
{
	struct msg m;
	char out[DNS_NAME_TEXT_MAX];
	size_t end;
	header(&m, 1, 0, 1, 0);
	name(&m, "WWW.Example.COM", -1); /* at 12 */
	size_t second = m.n;
	name(&m, "foo", 12);              /* foo + pointer to www.example.com */
	size_t third = m.n;
	name(&m, "bar", (int)second);     /* bar + pointer to foo... */
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, &end), DNS_OK);
	CHECK_EQ_STR(out, "www.example.com");
	CHECK_EQ_INT(end, second);
	CHECK_EQ_INT(read_at(&m, second, out, sizeof out, &end), DNS_OK);
	CHECK_EQ_STR(out, "foo.www.example.com");
	CHECK_EQ_INT(end, third); /* past the pointer, not past where it led */
	CHECK_EQ_INT(read_at(&m, third, out, sizeof out, NULL), DNS_OK);
	CHECK_EQ_STR(out, "bar.foo.www.example.com");

	/* the root; escapes; text that does not fit is not an error */
	header(&m, 1, 0, 1, 0);
	u8(&m, 0);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_OK);
	CHECK_EQ_STR(out, "");
	header(&m, 1, 0, 1, 0);
	u8(&m, 3);
	put(&m, "a.b", 3);
	name(&m, "whatsapp.net", -1);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_OK);
	CHECK_EQ_STR(out, "a\\046b.whatsapp.net"); /* cannot pose as a.b.whatsapp.net */
	CHECK_EQ_INT(read_at(&m, 12, out, 8, NULL), DNS_OK);
	CHECK_EQ_STR(out, "?");

	/* a pointer to itself, a forward pointer, a pointer back into its own run, a cycle */
	header(&m, 1, 0, 1, 0);
	u16(&m, 0xc00c);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_COMPRESSION_LOOP);
	header(&m, 1, 0, 1, 0);
	u16(&m, 0xc010);
	name(&m, "x", -1);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_COMPRESSION_LOOP);
	header(&m, 1, 0, 1, 0);
	name(&m, "a", 12);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_COMPRESSION_LOOP);
	header(&m, 1, 0, 1, 0);
	name(&m, "a", 16); /* 12: 'a' -> 16 */
	name(&m, "b", 12); /* 16: 'b' -> 12 */
	CHECK_EQ_INT(read_at(&m, 16, out, sizeof out, NULL), DNS_COMPRESSION_LOOP);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_COMPRESSION_LOOP);

	/* many backward hops: the cap stops them */
	header(&m, 1, 0, 1, 0);
	u8(&m, 0);
	for (int i = 0; i < 40; i++)
		u16(&m, 0xc000u | (unsigned)(m.n - (i ? 2 : 1)));
	CHECK_EQ_INT(read_at(&m, m.n - 2, out, sizeof out, NULL), DNS_COMPRESSION_LOOP);
	CHECK_EQ_INT(read_at(&m, 12 + 1 + 2 * 10, out, sizeof out, NULL), DNS_OK); /* 11 hops */

	/* reserved label types, over-long names, cut names */
	header(&m, 1, 0, 1, 0);
	u8(&m, 0x41);
	u8(&m, 0);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_MALFORMED);
	header(&m, 1, 0, 1, 0);
	for (int i = 0; i < 5; i++) {
		u8(&m, 63);
		memset(m.b + m.n, 'a', 63);
		m.n += 63;
	}
	u8(&m, 0);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_MALFORMED);
	header(&m, 1, 0, 1, 0);
	u8(&m, 3);
	put(&m, "ww", 2);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_TRUNCATED);
	header(&m, 1, 0, 1, 0);
	u8(&m, 0xc0);
	CHECK_EQ_INT(read_at(&m, 12, out, sizeof out, NULL), DNS_TRUNCATED);
}

/* --- messages --- */

struct found_list {
	int n;
	char addr[8][ADDR_STRLEN];
	char name[8][DNS_NAME_TEXT_MAX];
	char canon[8][DNS_NAME_TEXT_MAX];
	uint32_t ttl[8];
};

static void collect(void *ud, const struct dns_binding *b)
{
	struct found_list *f = ud;
	if (f->n >= 8)
		return;
	addr_format(&b->addr, f->addr[f->n], ADDR_STRLEN);
	snprintf(f->name[f->n], DNS_NAME_TEXT_MAX, "%s", b->name);
	snprintf(f->canon[f->n], DNS_NAME_TEXT_MAX, "%s", b->canonical);
	f->ttl[f->n] = b->ttl;
	f->n++;
}

static const uint8_t IP1[4] = { 192, 0, 2, 1 }, IP2[4] = { 192, 0, 2, 2 }, IP3[4] = { 198, 51, 100, 1 };

/* www.example.com -> CNAME www.example.com.cdn.net -> CNAME e1.cdn.net -> A 192.0.2.1, 192.0.2.2 */
static void cname_response(struct msg *m)
{
	header(m, 0x1234, 0x8180, 1, 6);
	question(m, "www.example.com", 1);
	rr_cname(m, NULL, 12, 300, "www.example.com.cdn.net");
	rr_cname(m, "www.example.com.cdn.net", -1, 100, "e1.cdn.net");
	rr_a(m, "e1.cdn.net", -1, 200, IP1);
	rr_a(m, "e1.cdn.net", -1, 200, IP2);
	rr_a(m, "unrelated.example", -1, 200, IP3); /* not on the chain: not used */
	rr_head(m, "e1.cdn.net", -1, 1, 3, 200);     /* class CHAOS: not used */
	u16(m, 4);
	put(m, IP3, 4);
}

static void test_messages(void)
{
	struct dns_scratch *s = dns_scratch_new();
	struct dns_message_info info;
	struct found_list f;
	struct msg m;

	cname_response(&m);
	memset(&f, 0, sizeof f);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, false, &info, collect, &f), DNS_OK);
	CHECK(info.response);
	CHECK_EQ_INT(info.id, 0x1234);
	CHECK_EQ_STR(info.qname, "www.example.com");
	CHECK_EQ_INT(f.n, 2);
	CHECK_EQ_STR(f.addr[0], "192.0.2.1");
	CHECK_EQ_STR(f.addr[1], "192.0.2.2");
	CHECK_EQ_STR(f.name[0], "www.example.com");
	CHECK_EQ_STR(f.canon[0], "e1.cdn.net");
	CHECK_EQ_INT(f.ttl[0], 100); /* the smallest along the chain */

	/* cut inside the second A record: the first is used only when the capture cut it */
	size_t full = m.n;
	cname_response(&m);
	m.n = full - 26 - 33 - 2; /* drop the CHAOS and unrelated records and half of the second A */
	memset(&f, 0, sizeof f);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, true, &info, collect, &f), DNS_TRUNCATED);
	CHECK_EQ_INT(f.n, 1);
	memset(&f, 0, sizeof f);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, false, &info, collect, &f), DNS_TRUNCATED);
	CHECK_EQ_INT(f.n, 0);
	CHECK_EQ_INT(dns_parse_message(s, m.b, 7, true, &info, collect, &f), DNS_TRUNCATED);

	/* AAAA straight to the query name; mDNS cache-flush class is IN */
	header(&m, 7, 0x8400, 1, 1);
	question(&m, "Host.Example", 28);
	rr_head(&m, NULL, 12, 28, 0x8001, 120);
	u16(&m, 16);
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	put(&m, v6, 16);
	memset(&f, 0, sizeof f);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, false, &info, collect, &f), DNS_OK);
	CHECK_EQ_INT(f.n, 1);
	CHECK_EQ_STR(f.addr[0], "2001:db8::7");
	CHECK_EQ_STR(f.name[0], "host.example");
	CHECK_EQ_STR(f.canon[0], "");

	/* a query, an NXDOMAIN, a CNAME loop: nothing */
	header(&m, 8, 0x0100, 1, 0);
	question(&m, "www.example.com", 1);
	memset(&f, 0, sizeof f);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, false, &info, collect, &f), DNS_OK);
	CHECK(!info.response);
	CHECK_EQ_INT(f.n, 0);
	header(&m, 8, 0x8183, 1, 1);
	question(&m, "www.example.com", 1);
	rr_a(&m, NULL, 12, 60, IP1);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, false, &info, collect, &f), DNS_OK);
	CHECK_EQ_INT(f.n, 0);
	header(&m, 9, 0x8180, 1, 3);
	question(&m, "x.example", 1);
	rr_cname(&m, "a.example", -1, 60, "b.example");
	rr_cname(&m, "b.example", -1, 60, "a.example");
	rr_a(&m, "a.example", -1, 60, IP1);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, false, &info, collect, &f), DNS_OK);
	CHECK_EQ_INT(f.n, 0);

	/* malformed: an A with 5 bytes, a CNAME name shorter than its rdata, too many questions */
	header(&m, 10, 0x8180, 1, 2);
	question(&m, "www.example.com", 1);
	rr_a(&m, NULL, 12, 60, IP1);
	rr_head(&m, NULL, 12, 1, 1, 60);
	u16(&m, 5);
	put(&m, "\1\2\3\4\5", 5);
	memset(&f, 0, sizeof f);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, true, &info, collect, &f), DNS_MALFORMED);
	CHECK_EQ_INT(f.n, 0); /* nothing from a malformed message */
	header(&m, 11, 0x8180, 1, 1);
	question(&m, "www.example.com", 1);
	rr_head(&m, NULL, 12, 5, 1, 60);
	u16(&m, 6);
	name(&m, "ab", -1);
	u16(&m, 0);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, true, &info, collect, &f), DNS_MALFORMED);
	header(&m, 12, 0x8180, 65, 0);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, true, &info, collect, &f), DNS_MALFORMED);
	/* a compression loop in an answer's owner */
	header(&m, 13, 0x8180, 1, 1);
	question(&m, "www.example.com", 1);
	size_t at = m.n;
	rr_a(&m, NULL, (int)at, 60, IP1);
	CHECK_EQ_INT(dns_parse_message(s, m.b, m.n, true, &info, collect, &f), DNS_COMPRESSION_LOOP);
	dns_scratch_free(s);
}

/* --- the dissector: recognition, framing, the cache it feeds --- */

static struct packet udp_packet(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint8_t proto)
{
	struct packet p;
	memset(&p, 0, sizeof p);
	addr_parse(src, &p.src);
	addr_parse(dst, &p.dst);
	p.sport = sport;
	p.dport = dport;
	p.ip_proto = proto;
	p.ts_us = 1000000000ull;
	return p;
}

static void test_recognise(void)
{
	struct msg m;
	struct packet q = udp_packet("10.0.0.1", "10.0.0.53", 40000, 53, IPPROTO_UDP_);
	header(&m, 1, 0x0100, 1, 0);
	question(&m, "www.example.com", 1);
	CHECK(dns_dissector.recognise(m.b, m.n, &q));
	/* the same on another port: a whole message is needed, and it is one */
	struct packet other = udp_packet("10.0.0.1", "10.0.0.2", 40000, 9999, IPPROTO_UDP_);
	CHECK(dns_dissector.recognise(m.b, m.n, &other));
	m.b[m.n++] = 0; /* one byte of trailing junk: not DNS on a random port */
	CHECK(!dns_dissector.recognise(m.b, m.n, &other));
	CHECK(dns_dissector.recognise(m.b, m.n, &q)); /* on port 53, the header and question suffice */
	/* look-alikes on port 53: text, zeros, a header with no question */
	static const char http[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
	CHECK(!dns_dissector.recognise((const uint8_t *)http, sizeof http - 1, &q));
	uint8_t zeros[64] = { 0 };
	CHECK(!dns_dissector.recognise(zeros, sizeof zeros, &q));
	CHECK(!dns_dissector.recognise(zeros, 5, &q));
	header(&m, 1, 0x0100, 0, 0);
	CHECK(!dns_dissector.recognise(m.b, m.n, &q));
	/* a full answer on a random port; not on NetBIOS's, which borrows the format */
	cname_response(&m);
	CHECK(dns_dissector.recognise(m.b, m.n, &other));
	struct packet nbns = udp_packet("10.0.0.1", "10.0.0.255", 137, 137, IPPROTO_UDP_);
	CHECK(!dns_dissector.recognise(m.b, m.n, &nbns));
	/* TCP: port 53 only, with the length prefix */
	struct msg t;
	header(&m, 1, 0x0100, 1, 0);
	question(&m, "www.example.com", 1);
	t.n = 0;
	u16(&t, (unsigned)m.n);
	put(&t, m.b, m.n);
	struct packet tq = udp_packet("10.0.0.1", "10.0.0.53", 40000, 53, IPPROTO_TCP_);
	CHECK(dns_dissector.recognise(t.b, t.n, &tq));
	tq.dport = 8053;
	CHECK(!dns_dissector.recognise(t.b, t.n, &tq));
}

static const char *cached(const struct name_cache *c, const char *client, const char *addr, uint64_t ts)
{
	static char out[NAMES_TEXT_MAX];
	struct ip_addr cl, a;
	addr_parse(client, &cl);
	addr_parse(addr, &a);
	return name_cache_lookup(c, &cl, &a, ts, out, sizeof out) ? out : "";
}

/* The names a flow's device asked for, as the facts sink's lookup got them. */
struct lookups {
	unsigned n;
	struct flow *flow;
	char last[64];
};

static void on_facts(void *ud, struct flow *f, int dir, const struct packet *pkt, const struct flow_facts *facts)
{
	(void)ud;
	(void)f;
	(void)dir;
	(void)pkt;
	(void)facts;
	CHECK(!"DNS has no facts for the signatures");
}

static void on_lookup(void *ud, struct flow *f, const char *qname)
{
	struct lookups *l = ud;
	l->n++;
	l->flow = f;
	snprintf(l->last, sizeof l->last, "%s", qname);
}

static void test_dissector(void)
{
	struct lookups looked = { 0 };
	const struct facts_sink sink = { .facts = on_facts, .lookup = on_lookup, .ud = &looked };
	struct flow flow;
	memset(&flow, 0, sizeof flow);
	struct stats st;
	memset(&st, 0, sizeof st);
	struct name_cache *names = name_cache_new(64, &st);
	void *module = dns_dissector.module_new(&st, NULL);
	struct packet resp = udp_packet("10.0.0.53", "10.45.0.2", 53, 40000, IPPROTO_UDP_);
	struct parse_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.pkt = &resp;
	ctx.module = module;
	ctx.stats = &st;
	ctx.names = names;
	struct msg m;
	size_t consumed;

	/* UDP: one datagram, the client is the response's destination */
	cname_response(&m);
	CHECK_EQ_INT(dns_dissector.parse(&ctx, m.b, m.n, &consumed), PARSE_OK);
	CHECK_EQ_INT(consumed, m.n);
	CHECK_EQ_INT(looked.n, 0); /* no flow, no sink: the question goes nowhere */
	/* on a flow with a facts sink, the question reaches its lookup (the flow's name) */
	ctx.flow = &flow;
	ctx.facts = &sink;
	CHECK_EQ_INT(dns_dissector.parse(&ctx, m.b, m.n, &consumed), PARSE_OK);
	CHECK_EQ_INT(looked.n, 1);
	CHECK(looked.flow == &flow);
	CHECK_EQ_STR(looked.last, "www.example.com");
	ctx.flow = NULL;
	ctx.facts = NULL;
	CHECK_EQ_STR(cached(names, "10.45.0.2", "192.0.2.2", resp.ts_us + 1), "www.example.com");
	CHECK_EQ_STR(cached(names, "10.0.0.53", "192.0.2.2", resp.ts_us + 1), "");
	CHECK_EQ_STR(cached(names, "10.45.0.2", "198.51.100.1", resp.ts_us + 1), "");

	/* a datagram the capture cut: truncated, what came before the cut is kept */
	struct packet cut = resp;
	cut.dst.bytes[3] = 3; /* another client */
	cut.payload_truncated = true;
	ctx.pkt = &cut;
	cname_response(&m);
	CHECK_EQ_INT(dns_dissector.parse(&ctx, m.b, m.n - 40, &consumed), PARSE_OK);
	CHECK_EQ_INT(st.anomalies[ANOM_DNS_TRUNCATED], 1);
	CHECK_EQ_STR(cached(names, "10.45.0.3", "192.0.2.1", cut.ts_us), "www.example.com");
	/* the same short datagram, not cut by the capture: a lie, malformed, nothing kept */
	cut.payload_truncated = false;
	cut.dst.bytes[3] = 4;
	CHECK_EQ_INT(dns_dissector.parse(&ctx, m.b, m.n - 40, &consumed), PARSE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_DNS_MALFORMED], 1);
	CHECK_EQ_STR(cached(names, "10.45.0.4", "192.0.2.1", cut.ts_us), "");
	/* a compression loop */
	header(&m, 13, 0x8180, 1, 1);
	u16(&m, 0xc00c);
	u16(&m, 1);
	u16(&m, 1);
	CHECK_EQ_INT(dns_dissector.parse(&ctx, m.b, m.n, &consumed), PARSE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_DNS_COMPRESSION_LOOP], 1);

	/* TCP: two whole messages and the start of a third */
	struct packet tresp = udp_packet("10.0.0.53", "10.45.0.9", 53, 40000, IPPROTO_TCP_);
	ctx.pkt = &tresp;
	struct msg t;
	t.n = 0;
	cname_response(&m);
	u16(&t, (unsigned)m.n);
	put(&t, m.b, m.n);
	header(&m, 7, 0x8180, 1, 1);
	question(&m, "aol.com", 1);
	rr_a(&m, NULL, 12, 60, IP3);
	u16(&t, (unsigned)m.n);
	put(&t, m.b, m.n);
	size_t whole = t.n;
	u16(&t, 100);
	put(&t, m.b, 10);
	CHECK_EQ_INT(dns_dissector.parse(&ctx, t.b, t.n, &consumed), PARSE_NEED_MORE);
	CHECK_EQ_INT(consumed, whole);
	CHECK_EQ_STR(cached(names, "10.45.0.9", "192.0.2.1", tresp.ts_us), "www.example.com");
	CHECK_EQ_STR(cached(names, "10.45.0.9", "198.51.100.1", tresp.ts_us), "aol.com");
	CHECK_EQ_INT(dns_dissector.parse(&ctx, t.b, 1, &consumed), PARSE_NEED_MORE);
	CHECK_EQ_INT(consumed, 0);
	/* a length below a header's: malformed */
	t.n = 0;
	u16(&t, 3);
	put(&t, "abc", 3);
	CHECK_EQ_INT(dns_dissector.parse(&ctx, t.b, t.n, &consumed), PARSE_MALFORMED);
	CHECK_EQ_INT(st.anomalies[ANOM_DNS_MALFORMED], 2);

	dns_dissector.module_free(module);
	name_cache_free(names);
}

int main(void)
{
	test_names();
	test_messages();
	test_recognise();
	test_dissector();
	return check_done("dns");
}
