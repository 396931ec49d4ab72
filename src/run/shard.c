/*
 * shard.c — which worker a packet belongs to (shard.h).
 *
 * The device of a packet is found from its endpoints alone, the same way whichever
 * way the packet goes:
 *  1. the more subscriber-like address (subscriber_rank: home and carrier-NAT ranges
 *     above the other private ones, those above public ones), when one is more so
 *     (UE pools and home networks talking to the Internet or to their core);
 *  2. else the client by its port: the endpoint whose port is not the lower one, when
 *     the lower is a server's — below 1024 between two subscriber-side addresses, below
 *     32768 (where Linux's ephemeral range starts) between two public ones;
 *  3. else, between two subscriber-side addresses, the flow is shared (two devices'
 *     peer-to-peer media: each device's worker needs it); between two public ones,
 *     both endpoints together.
 */
#include "run/shard.h"

#include "core/hash.h"

enum { WELL_KNOWN_END = 1024, EPHEMERAL_FIRST = 32768 };

static bool port_is(uint16_t sport, uint16_t dport, uint16_t port)
{
	return sport == port || dport == port;
}

/*
 * How much an address looks like a subscriber's own: home networks (192.168/16) most,
 * then carrier-NAT pools (100.64/10), then 10/8 (pools and cores alike), then 172.16/12
 * (more often the core's own servers), then unique-local and link-local IPv6; 0 for
 * anything public.
 */
static int subscriber_rank(const struct ip_addr *a)
{
	const uint8_t *b = a->bytes;
	if (a->family == 4) {
		if (b[0] == 192 && b[1] == 168)
			return 5;
		if (b[0] == 100 && (b[1] & 0xc0) == 64)
			return 4;
		if (b[0] == 10)
			return 3;
		if (b[0] == 172 && (b[1] & 0xf0) == 16)
			return 2;
	} else if (a->family == 6) {
		if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
			return 1;
	}
	return 0;
}

/* The signalling every worker needs (shard.h), by transport and ports. */
static bool signalling(uint8_t ip_proto, uint16_t sport, uint16_t dport)
{
	if (ip_proto == IPPROTO_SCTP_)
		return true; /* SIGTRAN (MAP SMS) and Diameter: signalling of everyone */
	if (ip_proto != IPPROTO_UDP_ && ip_proto != IPPROTO_TCP_)
		return false;
	static const uint16_t ports[] = {
		2123,                   /* GTP-C: who is behind a UE address */
		1812, 1813, 1645, 1646, /* RADIUS authentication and accounting */
		3799,                   /* RADIUS dynamic authorisation */
		3868,                   /* Diameter */
		5060, 5061,             /* SIP: registrations, and calls whose media may be anywhere */
	};
	for (unsigned i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (port_is(sport, dport, ports[i]))
			return true;
	return false;
}

/*
 * The device's address hash, or false when the packet is shared: signalling, or two
 * subscriber-side devices talking to each other on ports neither serves from (a call's
 * peer-to-peer media): both devices' workers need that flow.
 */
static bool device_hash(uint8_t ip_proto, const struct ip_addr *src, const struct ip_addr *dst, uint16_t sport,
			uint16_t dport, uint32_t *hash)
{
	if (signalling(ip_proto, sport, dport))
		return false;
	int s = subscriber_rank(src), d = subscriber_rank(dst);
	if (s != d) {
		*hash = addr_hash(s > d ? src : dst);
		return true;
	}
	bool ports = ip_proto == IPPROTO_UDP_ || ip_proto == IPPROTO_TCP_;
	uint16_t low = sport < dport ? sport : dport;
	if (ports && sport != dport && low < (s ? WELL_KNOWN_END : EPHEMERAL_FIRST)) {
		*hash = addr_hash(sport < dport ? dst : src); /* the lower port serves */
		return true;
	}
	if (s)
		return false;
	*hash = addr_hash(src) ^ addr_hash(dst);
	return true;
}

bool shard_is_shared(uint8_t ip_proto, const struct ip_addr *src, const struct ip_addr *dst, uint16_t sport,
		     uint16_t dport)
{
	uint32_t h;
	return !device_hash(ip_proto, src, dst, sport, dport, &h);
}

int shard_device_worker(const struct ip_addr *device, unsigned nworkers)
{
	/* mixed: the table hash's low bits alone would split devices unevenly */
	return nworkers > 1 ? (int)(hash_mix32(addr_hash(device)) % nworkers) : 0;
}

int shard_owner(const struct packet *pkt, unsigned nworkers)
{
	uint32_t h;
	if (!device_hash(pkt->ip_proto, &pkt->src, &pkt->dst, pkt->sport, pkt->dport, &h))
		return SHARD_ALL;
	return nworkers > 1 ? (int)(hash_mix32(h) % nworkers) : 0; /* as shard_device_worker */
}

int shard_of_frame(struct decoder *peek, int linktype, const uint8_t *data, uint32_t caplen,
		   unsigned nworkers)
{
	struct packet pkt;
	pkt.caplen = caplen;
	pkt.ts_us = 0;
	/* as if cut: a frame is sharded by whatever inner packet the pipeline could read in
	   it (a length past the frame is read when the capture cut it: pppoe.h); one the
	   pipeline then finds malformed is dropped there, wherever it went */
	pkt.wirelen = UINT32_MAX;
	/* the innermost packet, through every tunnel the pipeline opens (decode.h) */
	enum decode_result r = decode_frame(peek, linktype, data, &pkt);
	if (r == DECODE_HELD)
		return SHARD_ALL;
	if (r != DECODE_OK)
		return 0;
	return shard_owner(&pkt, nworkers);
}
