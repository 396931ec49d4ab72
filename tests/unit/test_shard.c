/*
 * test_shard.c — which worker a packet goes to (run/shard.h), from hand-built raw
 * IPv4 frames: both directions of a flow meet, one device's flows meet, shared
 * signalling and peer-to-peer media go to all, fragments go to all, GTP-U goes by the
 * packet inside, and what is not IP goes to worker 0.
 */
#include "run/shard.h"

#include <pcap/dlt.h>
#include <string.h>

#include "check.h"
#include "core/addr.h"

enum { RAW = 101 /* LINKTYPE_RAW, as capture files say */ };

struct frame {
	uint8_t b[512];
	uint32_t n;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An IPv4 header and a UDP/TCP header (8 or 20 bytes) with `extra` payload bytes. */
static void ip4(struct frame *f, const char *src, const char *dst, uint8_t proto, unsigned sport,
		unsigned dport, unsigned frag, uint32_t extra)
{
	struct ip_addr s, d;
	addr_parse(src, &s);
	addr_parse(dst, &d);
	uint32_t l4 = proto == 6 ? 20 : 8;
	uint8_t *p = f->b + f->n;
	memset(p, 0, 20 + l4 + extra);
	p[0] = 0x45;
	put16(p + 2, 20 + l4 + extra);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, s.bytes, 4);
	memcpy(p + 16, d.bytes, 4);
	put16(p + 20, sport);
	put16(p + 22, dport);
	if (proto == 17)
		put16(p + 24, 8 + extra);
	else if (proto == 6)
		p[32] = 0x50;
	f->n += 20 + l4 + extra;
}

static int owner_of(const char *src, const char *dst, uint8_t proto, unsigned sport, unsigned dport, unsigned n)
{
	struct frame f = { .n = 0 };
	ip4(&f, src, dst, proto, sport, dport, 0, 4);
	struct decoder *peek = decoder_new_peek();
	int o = shard_of_frame(peek, RAW, f.b, f.n, n);
	decoder_free(peek);
	return o;
}

static void test_both_directions(void)
{
	static const char *addrs[] = { "100.64.1.2", "8.8.8.8", "192.168.1.7", "10.0.0.9", "172.16.20.53",
				       "17.57.144.10", "192.168.1.9", "1.2.3.4" };
	static const unsigned ports[] = { 53, 443, 5223, 3478, 40000, 50123, 23174, 31480 };
	for (unsigned n = 2; n <= 5; n++)
		for (unsigned i = 0; i < 8; i++)
			for (unsigned j = 0; j < 8; j++) {
				if (i == j)
					continue;
				const unsigned sp = ports[(i + j) % 8], dp = ports[(i * 3 + j) % 8];
				CHECK_EQ_INT(owner_of(addrs[i], addrs[j], 17, sp, dp, n),
					     owner_of(addrs[j], addrs[i], 17, dp, sp, n));
				CHECK_EQ_INT(owner_of(addrs[i], addrs[j], 6, sp, dp, n),
					     owner_of(addrs[j], addrs[i], 6, dp, sp, n));
			}
}

static void test_one_device(void)
{
	/* a UE's DNS, push, web and media relay flows go where the UE goes */
	for (unsigned n = 2; n <= 7; n++) {
		int ue = owner_of("100.64.1.2", "172.16.20.53", 17, 40001, 53, n);
		CHECK(ue >= 0 && ue < (int)n);
		CHECK_EQ_INT(owner_of("17.57.144.10", "100.64.1.2", 6, 5223, 49152, n), ue);
		CHECK_EQ_INT(owner_of("100.64.1.2", "142.250.1.1", 17, 51000, 443, n), ue);
		CHECK_EQ_INT(owner_of("100.64.1.2", "157.240.1.1", 17, 51001, 3478, n), ue);
		/* two public ends: the client by its port */
		int c = owner_of("1.2.3.4", "5.6.7.8", 6, 50000, 443, n);
		CHECK_EQ_INT(owner_of("9.9.9.9", "1.2.3.4", 6, 443, 50001, n), c);
		CHECK_EQ_INT(owner_of("1.2.3.4", "5.6.7.8", 17, 40000, 5222, n), c);
	}
}

static void test_shared(void)
{
	struct ip_addr a, b;
	addr_parse("10.1.1.1", &a);
	addr_parse("10.2.2.2", &b);
	CHECK(shard_is_shared(17, &a, &b, 2123, 2123));  /* GTP-C */
	CHECK(shard_is_shared(6, &a, &b, 40000, 5060));  /* SIP */
	CHECK(shard_is_shared(17, &a, &b, 1813, 33000)); /* RADIUS accounting */
	CHECK(shard_is_shared(6, &a, &b, 3868, 41000));  /* Diameter */
	CHECK(shard_is_shared(132, &a, &b, 2905, 2905)); /* SCTP: SIGTRAN */
	CHECK(!shard_is_shared(17, &a, &b, 40000, 53));  /* DNS goes with its client */
	CHECK(!shard_is_shared(6, &a, &b, 40000, 443));
	CHECK_EQ_INT(owner_of("100.64.1.2", "172.16.10.1", 17, 5060, 5060, 2), SHARD_ALL);
	/* two subscribers' peer-to-peer media: both their workers need it */
	CHECK_EQ_INT(owner_of("192.168.1.77", "192.168.1.52", 17, 23174, 31480, 2), SHARD_ALL);
	/* ... but a subscriber serving another from a well-known port is a client and a server */
	CHECK(owner_of("192.168.1.77", "192.168.1.52", 6, 40000, 80, 2) != SHARD_ALL);
}

static void test_frames(void)
{
	struct decoder *peek = decoder_new_peek();
	struct frame f = { .n = 0 };

	/* an IP fragment goes to every worker, first or not */
	ip4(&f, "100.64.1.2", "8.8.8.8", 17, 40000, 443, 0x2000, 16);
	CHECK_EQ_INT(shard_of_frame(peek, RAW, f.b, f.n, 2), SHARD_ALL);
	f.n = 0;
	ip4(&f, "100.64.1.2", "8.8.8.8", 17, 40000, 443, 0x0003, 16);
	CHECK_EQ_INT(shard_of_frame(peek, RAW, f.b, f.n, 2), SHARD_ALL);

	/* not IP, or cut: worker 0, which counts it */
	static const uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
	CHECK_EQ_INT(shard_of_frame(peek, DLT_EN10MB, arp, sizeof arp, 3), 0);
	f.n = 0;
	ip4(&f, "100.64.1.2", "8.8.8.8", 17, 40000, 443, 0, 0);
	CHECK_EQ_INT(shard_of_frame(peek, RAW, f.b, 10, 3), 0);

	/* GTP-U: by the subscriber's packet inside */
	for (unsigned n = 2; n <= 4; n++) {
		struct frame g = { .n = 0 };
		ip4(&g, "10.0.0.1", "10.0.0.2", 17, 2152, 2152, 0, 8 + 32);
		uint8_t *gtp = g.b + 28;
		gtp[0] = 0x30;       /* version 1, PT 1 */
		gtp[1] = 0xff;       /* G-PDU */
		put16(gtp + 2, 32);  /* length: the inner packet */
		gtp[7] = 7;          /* TEID */
		struct frame inner = { .n = 0 };
		ip4(&inner, "100.64.1.2", "142.250.1.1", 17, 51000, 443, 0, 4);
		memcpy(gtp + 8, inner.b, inner.n);
		CHECK_EQ_INT(shard_of_frame(peek, RAW, g.b, g.n, n), owner_of("100.64.1.2", "8.8.8.8", 6, 40000, 443, n));
		/* ... a fragment inside goes to all */
		put16(gtp + 8 + 6, 0x2000);
		CHECK_EQ_INT(shard_of_frame(peek, RAW, g.b, g.n, n), SHARD_ALL);
		/* ... GTP-U signalling (an echo) by the outer packet */
		gtp[1] = 0x01;
		CHECK_EQ_INT(shard_of_frame(peek, RAW, g.b, g.n, n), owner_of("10.0.0.1", "10.0.0.2", 17, 2152, 2152, n));
	}
	decoder_free(peek);
}

int main(void)
{
	test_both_directions();
	test_one_device();
	test_shared();
	test_frames();
	return check_done("test_shard");
}
