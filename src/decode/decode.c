/*
 * decode.c — from a captured frame to its IP packet, and the decoder's life cycle.
 *
 * Link layers (header layouts as in https://www.tcpdump.org/linktypes.html):
 *   Ethernet II (IEEE 802.3), and what its ethertype names: ether.c;
 *   Linux cooked capture v1 (16-byte header) and v2 (20-byte header), whose protocol
 *     field is an ethertype: ether.c too;
 *   raw IP (DLT_RAW is 12, or 14 on OpenBSD; LINKTYPE_RAW 101 in files), and
 *     LINKTYPE_IPV4 / LINKTYPE_IPV6;
 *   BSD loopback: DLT_NULL (address family in the capturing host's byte order) and
 *     DLT_LOOP (network byte order).
 * IP itself is in ip.c, fragment reassembly in frag.c, tunnels in tunnel.c.
 */
#include "decode/decode.h"

#include <pcap/dlt.h>
#include <stdlib.h>

#include "core/cursor.h"
#include "decode/decode_internal.h"

enum {
	LINKTYPE_RAW_ = 101, /* what pcap files say for raw IP */
	DLT_RAW_OPENBSD_ = 14,
	DLT_RAW_COMMON_ = 12,
};

/* BSD address families as loopback headers carry them: AF_INET6 differs per system. */
enum { BSD_AF_INET = 2, BSD_AF_INET6_NETBSD = 24, BSD_AF_INET6_FREEBSD = 28, BSD_AF_INET6_DARWIN = 30 };

struct decoder *decoder_new(const struct decode_config *cfg, struct stats *stats)
{
	struct decoder *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->stats = stats ? stats : &d->scratch;
	d->merge_mirrors = cfg && cfg->merge_mirrors;
	d->short_cut_depth = TUNNEL_MAX_LAYERS;
	d->frag = frag_new(cfg, stats);
	if (!d->frag) {
		free(d);
		return NULL;
	}
	return d;
}

struct decoder *decoder_new_peek(void)
{
	struct decoder *d = calloc(1, sizeof *d); /* no fragment table: fragments come back DECODE_HELD */
	if (d) {
		d->stats = &d->scratch; /* counts nothing anyone reads */
		d->short_cut_depth = TUNNEL_MAX_LAYERS;
	}
	return d;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	frag_free(d->frag);
	free(d);
}

void decoder_expire(struct decoder *d, uint64_t now_us)
{
	if (d->frag)
		frag_expire(d->frag, now_us);
}

/* The frame ended inside its link-layer header. */
static enum decode_result link_truncated(struct decoder *d)
{
	decode_note_capture_truncated(d);
	return DECODE_TRUNCATED;
}

/* The link's own bytes are all the capture gave: a header that runs out was cut. */
static enum decode_result link_ethernet(struct decoder *d, struct cursor *c, struct packet *out)
{
	return ether_frame(d, cur_rest(c), true, out);
}

static enum decode_result link_sll(struct decoder *d, struct cursor *c, struct packet *out)
{
	cur_skip(c, 14); /* packet type, ARPHRD type, address length, address (8) */
	uint16_t proto = cur_be16(c);
	if (!cur_ok(c))
		return link_truncated(d);
	return ether_payload(d, proto, cur_rest(c), true, out);
}

static enum decode_result link_sll2(struct decoder *d, struct cursor *c, struct packet *out)
{
	uint16_t proto = cur_be16(c);
	cur_skip(c, 18); /* reserved, ifindex, ARPHRD, packet type, address length, address */
	if (!cur_ok(c))
		return link_truncated(d);
	return ether_payload(d, proto, cur_rest(c), true, out);
}

static enum decode_result link_loopback(struct decoder *d, struct cursor *c, bool network_order,
					struct packet *out)
{
	uint32_t family;
	if (network_order) {
		family = cur_be32(c);
	} else {
		/* written in the capturing host's order, which the file does not record:
		   families are small numbers, so a value in the top half is byte-swapped */
		family = cur_le32(c);
		if (family > 0xffff)
			family = __builtin_bswap32(family);
	}
	if (!cur_ok(c))
		return link_truncated(d);
	int version;
	if (family == BSD_AF_INET)
		version = 4;
	else if (family == BSD_AF_INET6_NETBSD || family == BSD_AF_INET6_FREEBSD ||
		 family == BSD_AF_INET6_DARWIN)
		version = 6;
	else
		return DECODE_SKIP;
	return ether_payload(d, version == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6, cur_rest(c), true, out);
}

/* type: ETHERTYPE_IPV4, _IPV6, or _IP_ANY for either (ether_payload) */
static enum decode_result link_raw(struct decoder *d, struct cursor *c, uint16_t type,
				   struct packet *out)
{
	return ether_payload(d, type, cur_rest(c), true, out);
}

enum decode_result decode_frame(struct decoder *d, int linktype, const uint8_t *frame,
				struct packet *out)
{
	static const struct ip_addr none;
	struct cursor c = cur_make(frame, out->caplen);
	d->capture_trunc_counted = false;
	/* the IP and transport fields are all set by the IP decode on DECODE_OK (ip.c) */
	out->tunnel.n = 0;
	out->tunnel_key = 0;
	out->tunnelled = false;
	out->tunnel_teid = 0;
	out->outer_src = none;
	out->outer_dst = none;

	switch (linktype) {
	case DLT_EN10MB:
		return link_ethernet(d, &c, out);
	case DLT_LINUX_SLL:
		return link_sll(d, &c, out);
	case DLT_LINUX_SLL2:
		return link_sll2(d, &c, out);
	case DLT_RAW_COMMON_:
	case DLT_RAW_OPENBSD_:
	case LINKTYPE_RAW_:
		return link_raw(d, &c, ETHERTYPE_IP_ANY, out);
	case DLT_IPV4:
		return link_raw(d, &c, ETHERTYPE_IPV4, out);
	case DLT_IPV6:
		return link_raw(d, &c, ETHERTYPE_IPV6, out);
	case DLT_NULL:
		return link_loopback(d, &c, false, out);
	case DLT_LOOP:
		return link_loopback(d, &c, true, out);
	default:
		stats_anomaly(d->stats, ANOM_LINK_UNSUPPORTED);
		return DECODE_SKIP;
	}
}
