/*
 * dns.c — name lookups from the subscriber's phone to the operator's resolver over UDP
 * 53 (RFC 1035 §4: a query with RD set, the answer with RD/RA, the question repeated
 * and one A or AAAA record (RFC 3596) named by a compression pointer to the question,
 * §4.1.4). IPv6 subscribers ask for AAAA and get the address they then connect to.
 */
#include <string.h>

#include "gen/gen_internal.h"

static void qname(struct wbuf *b, const char *name)
{
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		wb_u8(b, (unsigned)n);
		wb_mem(b, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	wb_u8(b, 0);
}

uint64_t gen_dns_lookup(struct gen_ctx *g, struct subscriber *s, uint64_t ts, const char *name,
			const struct ip_addr *answer, uint32_t rtt_us)
{
	struct gen_conn c;
	struct ip_addr resolver;
	gen_dns_server(&resolver, gen_sub_family(s));
	gen_conn_sub(g, &c, s, 17, &resolver, 53);
	struct ip_addr ans;
	gen_server_addr(&ans, answer, gen_sub_family(s));
	unsigned qtype = ans.family == 6 ? 28 : 1;
	uint16_t id = (uint16_t)gen_rng_u64(&g->rng);
	uint8_t q[300];
	struct wbuf b = wb_make(q, sizeof q);
	wb_be16(&b, id);
	wb_be16(&b, 0x0100); /* standard query, recursion desired */
	wb_be16(&b, 1);
	wb_be16(&b, 0);
	wb_be16(&b, 0);
	wb_be16(&b, 0);
	qname(&b, name);
	wb_be16(&b, qtype);
	wb_be16(&b, 1);
	size_t qlen = b.len;
	g->tag = TAG_DNS;
	gen_udp(g, &c, 0, ts, b.p, b.len);
	/* the answer: same header with QR/RA, the question, then the record */
	wb_put_be16(q + 2, 0x8180);
	wb_put_be16(q + 6, 1);
	b.len = qlen;
	wb_be16(&b, 0xc00c);
	wb_be16(&b, qtype);
	wb_be16(&b, 1);
	wb_be32(&b, gen_rng_between(&g->rng, 20, 300)); /* TTL: CDNs answer with short ones */
	wb_be16(&b, ans.family == 6 ? 16 : 4);
	wb_mem(&b, ans.bytes, ans.family == 6 ? 16 : 4);
	g->tag = TAG_DNS;
	gen_udp(g, &c, 1, ts + rtt_us, b.p, b.len);
	return ts + rtt_us;
}
