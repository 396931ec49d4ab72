/*
 * ip.c — IPv4 (RFC 791), IPv6 and its extension headers (RFC 8200; AH RFC 4302), and
 * the transport header: TCP (RFC 9293, formerly RFC 793), UDP (RFC 768), SCTP's
 * common header (RFC 4960 §3.1). Fragments go to frag.c (RFC 815-style reassembly).
 *
 * Declared lengths are distrusted: the IP window is min(declared, captured). When a
 * header runs past that window, the result is TRUNCATED if the capture cut the
 * datagram and MALFORMED if the datagram itself was too short for what it declared.
 */
#include "decode/decode_internal.h"

#include "core/cursor.h"

enum {
	IPV6_MAX_EXTHDRS = 8, /* legitimate packets carry two or three */
	IPV4_MIN_HDR = 20,
	IPV6_HDR = 40,
	TCP_MIN_HDR = 20,
	UDP_HDR = 8,
};

enum {
	IP6_HOPOPTS = 0,
	IP6_ROUTING = 43,
	IP6_FRAGMENT = 44,
	IP6_AH = 51,
	IP6_DSTOPTS = 60,
	IP6_MOBILITY = 135,
	IP6_HIP = 139,
	IP6_SHIM6 = 140,
};

/* Clears the IP and transport fields of out (not the capture or tunnel ones). */
static void ip_reset(struct packet *out)
{
	static const struct ip_addr none;
	out->src = none;
	out->dst = none;
	out->ip_proto = 0;
	out->ttl = 0;
	out->reassembled = false;
	out->l3 = NULL;
	out->l3_len = 0;
	out->ip_len = 0;
	out->sport = out->dport = 0;
	out->tcp_seq = out->tcp_ack = 0;
	out->tcp_flags = 0;
	out->payload = NULL;
	out->payload_len = 0;
	out->payload_truncated = false;
}

static enum decode_result counted(struct decoder *d, enum anomaly a, enum decode_result r)
{
	stats_anomaly(d->stats, a);
	return r;
}

/* A header ran out of bytes: the capture's fault (cut) or the sender's (a lie). */
static enum decode_result ip_short(struct decoder *d, bool cut)
{
	return cut ? counted(d, ANOM_IP_TRUNCATED, DECODE_TRUNCATED)
		   : counted(d, ANOM_IP_MALFORMED, DECODE_MALFORMED);
}

static enum decode_result l4_short(struct decoder *d, bool cut)
{
	return cut ? counted(d, ANOM_L4_TRUNCATED, DECODE_TRUNCATED)
		   : counted(d, ANOM_L4_MALFORMED, DECODE_MALFORMED);
}

static void set_payload(struct packet *out, struct span p)
{
	out->payload = p.ptr;
	out->payload_len = (uint32_t)p.len;
}

/* The transport header's fixed part is read from a copy (cur_copy_out), as IPv4's. */
static enum decode_result tcp(struct decoder *d, struct cursor *c, bool cut, struct packet *out)
{
	uint8_t fixed[TCP_MIN_HDR];
	if (!cur_has(c, sizeof fixed)) { /* what can be read of a short header still is */
		out->sport = cur_be16(c);
		out->dport = cur_be16(c);
		return l4_short(d, cut);
	}
	struct cursor h = cur_copy_out(c, fixed, sizeof fixed);
	out->sport = cur_be16(&h);
	out->dport = cur_be16(&h);
	out->tcp_seq = cur_be32(&h);
	out->tcp_ack = cur_be32(&h);
	unsigned doff = cur_u8(&h) >> 4;
	out->tcp_flags = cur_u8(&h); /* then window, checksum, urgent pointer */
	if (doff < TCP_MIN_HDR / 4)
		return counted(d, ANOM_L4_MALFORMED, DECODE_MALFORMED);
	cur_skip(c, doff * 4 - TCP_MIN_HDR); /* options */
	if (!cur_ok(c))
		return l4_short(d, cut);
	set_payload(out, cur_rest(c));
	return DECODE_OK;
}

/* What only TCP has: zero for every other transport. */
static void no_tcp(struct packet *out)
{
	out->tcp_seq = out->tcp_ack = 0;
	out->tcp_flags = 0;
}

static enum decode_result udp(struct decoder *d, struct cursor *c, bool cut, struct packet *out)
{
	uint8_t fixed[UDP_HDR];
	if (!cur_has(c, sizeof fixed)) { /* what can be read of a short header still is */
		out->sport = cur_be16(c);
		out->dport = cur_be16(c);
		return l4_short(d, cut);
	}
	struct cursor h = cur_copy_out(c, fixed, sizeof fixed);
	out->sport = cur_be16(&h);
	out->dport = cur_be16(&h);
	uint16_t ulen = cur_be16(&h); /* then the checksum */
	no_tcp(out);
	if (ulen == 0 && out->src.family == 6) {
		/* RFC 2675: a jumbogram's UDP length is 0 and the IP length rules */
		set_payload(out, cur_rest(c));
		return DECODE_OK;
	}
	if (ulen < UDP_HDR)
		return counted(d, ANOM_L4_MALFORMED, DECODE_MALFORMED);
	bool short_ = false;
	struct cursor p = cur_sub(c, (size_t)ulen - UDP_HDR, &short_);
	if (short_ && !cut)
		return counted(d, ANOM_L4_MALFORMED, DECODE_MALFORMED); /* longer than its datagram */
	set_payload(out, cur_rest(&p));
	return DECODE_OK;
}

static enum decode_result sctp(struct decoder *d, struct cursor *c, bool cut, struct packet *out)
{
	out->sport = cur_be16(c);
	out->dport = cur_be16(c);
	cur_skip(c, 8); /* verification tag, checksum */
	if (!cur_ok(c))
		return l4_short(d, cut);
	no_tcp(out);
	set_payload(out, cur_rest(c)); /* the chunks */
	return DECODE_OK;
}

/*
 * c covers the IP payload; cut says the capture ended inside the datagram. A packet
 * whose transport header reads is one more IP packet of the summary. Sets every
 * transport field of out.
 */
static enum decode_result transport(struct decoder *d, struct span payload, bool cut,
				    struct packet *out)
{
	struct cursor c = cur_make(payload.ptr, payload.len);
	enum decode_result r;
	switch (out->ip_proto) {
	case IPPROTO_TCP_:
		r = tcp(d, &c, cut, out);
		break;
	case IPPROTO_UDP_:
		r = udp(d, &c, cut, out);
		break;
	case IPPROTO_SCTP_:
		r = sctp(d, &c, cut, out);
		break;
	default:
		out->sport = out->dport = 0;
		no_tcp(out);
		set_payload(out, payload);
		r = DECODE_OK;
		break;
	}
	if (r == DECODE_OK && d->stats)
		d->stats->ip_packets++;
	return r;
}

/* A complete datagram came out of reassembly: decode it like any unfragmented one. */
static enum decode_result reassembled(struct decoder *d, enum decode_result r, struct span dg,
				      int version, struct packet *out)
{
	if (r != DECODE_OK)
		return r;
	r = ip_decode(d, dg.ptr, dg.len, version, out);
	out->reassembled = true;
	return r;
}

/* Fewer bytes than a fixed header of IP version v: an empty packet or one of the
 * right version is truncated, one of another version malformed. */
static enum decode_result ip_short_header(struct decoder *d, const uint8_t *ip, size_t len, unsigned v)
{
	struct cursor c = cur_make(ip, len);
	if (len > 0 && cur_peek_u8(&c, 0) >> 4 != v)
		return counted(d, ANOM_IP_MALFORMED, DECODE_MALFORMED);
	return counted(d, ANOM_IP_TRUNCATED, DECODE_TRUNCATED);
}

/*
 * An IPv4 fragment (MF set or a non-zero offset) of avail bytes with an hlen-byte
 * header, to reassembly. Out of line and cold, and reading again from the header what
 * only it needs: every packet goes through ipv4, few are fragments, and ipv4's path
 * then keeps fewer values alive.
 */
__attribute__((noinline, cold)) static enum decode_result
ipv4_fragment(struct decoder *d, const uint8_t *ip, size_t hlen, size_t avail, struct packet *out)
{
	struct cursor h = cur_make(ip, avail);
	cur_skip(&h, 4); /* version and header length, type of service, total length */
	uint16_t id = cur_be16(&h);
	uint16_t frag = cur_be16(&h);
	struct cursor w = cur_make(ip, avail);
	struct span hdr = cur_span(&w, hlen);
	struct frag_piece p = {
		.src = out->src,
		.dst = out->dst,
		.id = id,
		.proto = out->ip_proto,
		.tunnel = tunnel_fragment_key(out),
		.more = (frag & 0x2000) != 0,
		.offset = (uint32_t)(frag & 0x1fff) * 8,
		.hdr = hdr,
		.data = cur_rest(&w),
		.ts_us = out->ts_us,
	};
	if (!d->frag) /* peeking (decode.h): a fragment is only reported */
		return DECODE_HELD;
	struct span done = { NULL, 0 };
	enum decode_result r = frag_add(d->frag, &p, &done);
	return reassembled(d, r, done, 4, out);
}

static enum decode_result ipv4(struct decoder *d, const uint8_t *ip, size_t len, struct packet *out)
{
	/* The fixed header read from a copy (cur_copy_out): every packet has one of these,
	 * a tunnelled one two or more. */
	uint8_t fixed[IPV4_MIN_HDR];
	struct cursor dg = cur_make(ip, len);
	struct cursor h = cur_copy_out(&dg, fixed, sizeof fixed);
	if (!cur_ok(&dg))
		return ip_short_header(d, ip, len, 4);
	uint8_t vihl = cur_u8(&h);
	if (vihl >> 4 != 4) /* the link layer said IPv4 (ip_decode) */
		return counted(d, ANOM_IP_MALFORMED, DECODE_MALFORMED);
	cur_skip(&h, 1); /* type of service */
	uint16_t total = cur_be16(&h);
	cur_skip(&h, 2); /* identification: ipv4_fragment's */
	uint16_t frag = cur_be16(&h);
	uint8_t ttl = cur_u8(&h);
	uint8_t proto = cur_u8(&h);
	cur_skip(&h, 2); /* header checksum: offloading NICs leave it wrong in captures */
	struct span src = cur_span(&h, 4);
	struct span dst = cur_span(&h, 4);
	size_t hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IPV4_MIN_HDR || total < hlen)
		return counted(d, ANOM_IP_MALFORMED, DECODE_MALFORMED);
	if (len < hlen)
		return counted(d, ANOM_IP_TRUNCATED, DECODE_TRUNCATED); /* options cut */

	/* the window is the datagram: link padding beyond total length is dropped */
	bool cut = total > len;
	size_t avail = cut ? len : total;

	addr_set_v4(&out->src, src.ptr);
	addr_set_v4(&out->dst, dst.ptr);
	out->ip_proto = proto;
	out->ttl = ttl;
	out->reassembled = false;
	out->l3 = ip;
	out->l3_len = (uint32_t)avail;
	out->ip_len = total;
	out->payload_truncated = cut;

	if (frag & 0x3fff) { /* MF set or a non-zero offset */
		if (cut) /* a fragment with a hole of our own making would never complete */
			return counted(d, ANOM_IP_TRUNCATED, DECODE_TRUNCATED);
		return ipv4_fragment(d, ip, hlen, avail, out);
	}
	if (cut)
		decode_note_capture_truncated(d);
	struct cursor w = cur_make(ip, avail);
	cur_skip(&w, hlen);
	return transport(d, cur_rest(&w), cut, out);
}

/* Out of line: IPv4's path, which most packets take, then keeps fewer registers. */
__attribute__((noinline)) static enum decode_result ipv6(struct decoder *d, const uint8_t *ip, size_t len,
							struct packet *out)
{
	struct cursor dg = cur_make(ip, len);
	cur_skip(&dg, 4); /* version, traffic class, flow label */
	uint16_t plen = cur_be16(&dg);
	uint8_t nh = cur_u8(&dg);
	uint8_t hlim = cur_u8(&dg);
	struct span src = cur_span(&dg, 16);
	struct span dst = cur_span(&dg, 16);
	if (!cur_ok(&dg))
		return counted(d, ANOM_IP_TRUNCATED, DECODE_TRUNCATED);

	/* payload length 0 with hop-by-hop options is a jumbogram (RFC 2675): take what
	   was captured */
	size_t declared = plen == 0 && nh == IP6_HOPOPTS ? cur_remaining(&dg) : plen;
	bool cut = false;
	struct cursor w = cur_sub(&dg, declared, &cut);

	addr_set_v6(&out->src, src.ptr);
	addr_set_v6(&out->dst, dst.ptr);
	out->ttl = hlim;
	out->reassembled = false;
	out->l3 = ip;
	out->l3_len = (uint32_t)(IPV6_HDR + cur_remaining(&w));
	out->ip_len = (uint32_t)(IPV6_HDR + declared);
	out->payload_truncated = cut;

	for (unsigned n = 0;; n++) {
		bool ext = nh == IP6_HOPOPTS || nh == IP6_ROUTING || nh == IP6_FRAGMENT ||
			   nh == IP6_AH || nh == IP6_DSTOPTS || nh == IP6_MOBILITY ||
			   nh == IP6_HIP || nh == IP6_SHIM6;
		if (!ext)
			break;
		if (n == IPV6_MAX_EXTHDRS) {
			out->ip_proto = nh;
			return counted(d, ANOM_IP_EXTHDR_LIMIT, DECODE_MALFORMED);
		}
		size_t at = cur_pos(&w);
		uint8_t next = cur_u8(&w);
		uint8_t hlen = cur_u8(&w);
		if (nh == IP6_FRAGMENT) {
			uint16_t offm = cur_be16(&w); /* hlen was the reserved byte */
			uint32_t id = cur_be32(&w);
			if (!cur_ok(&w))
				return ip_short(d, cut);
			if ((offm & 0xfff9) == 0) { /* RFC 6946 atomic fragment: not fragmented */
				nh = next;
				continue;
			}
			out->ip_proto = next;
			if (cut)
				return counted(d, ANOM_IP_TRUNCATED, DECODE_TRUNCATED);
			struct cursor hc = cur_make(ip, len);
			struct frag_piece p = {
				.src = out->src,
				.dst = out->dst,
				.id = id,
				.proto = next,
				.tunnel = tunnel_fragment_key(out),
				.more = (offm & 1) != 0,
				.offset = offm & 0xfff8,
				.hdr = cur_span(&hc, IPV6_HDR),
				.unfrag_len = (uint32_t)at,
				.data = cur_rest(&w),
				.ts_us = out->ts_us,
			};
			if (!d->frag)
				return DECODE_HELD;
			struct span done = { NULL, 0 };
			enum decode_result r = frag_add(d->frag, &p, &done);
			return reassembled(d, r, done, 6, out);
		}
		size_t size = nh == IP6_AH ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8;
		cur_skip(&w, size - 2);
		if (!cur_ok(&w))
			return ip_short(d, cut);
		nh = next;
	}
	out->ip_proto = nh;
	if (cut)
		decode_note_capture_truncated(d);
	return transport(d, cur_rest(&w), cut, out);
}

enum decode_result ip_decode(struct decoder *d, const uint8_t *ip, size_t len, int want_version,
			     struct packet *out)
{
	if (want_version == 4) /* the link said so, ipv4 checks the version itself: the common case */
		return ipv4(d, ip, len, out);
	struct cursor c = cur_make(ip, len);
	uint8_t v = cur_u8(&c) >> 4;
	if (!cur_ok(&c))
		return counted(d, ANOM_IP_TRUNCATED, DECODE_TRUNCATED);
	if (want_version && v != want_version)
		return counted(d, ANOM_IP_MALFORMED, DECODE_MALFORMED);
	if (v == 4)
		return ipv4(d, ip, len, out);
	if (v == 6)
		return ipv6(d, ip, len, out);
	return counted(d, ANOM_IP_MALFORMED, DECODE_MALFORMED);
}

enum decode_result decode_ip(struct decoder *d, const uint8_t *ip, size_t len, struct packet *out)
{
	ip_reset(out);
	struct span p = { ip, len };
	return ether_payload(d, ETHERTYPE_IP_ANY, p, true, out);
}
