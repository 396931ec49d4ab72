/*
 * stun.c — the STUN/TURN dissector (RFC 8489 section 5 and 14, RFC 3489 section 11,
 * RFC 8656 section 12 and 18) and RFC 7983 demultiplexing.
 *
 * A flow is STUN when its first payload is one whole STUN message (its length field
 * equals the datagram, top two type bits zero) with the RFC 5389+ magic cookie, or a
 * classic RFC 3489 Binding / Shared Secret type, or one of the non-standard types in
 * 0x0800..0x0805 that WhatsApp's call setup used (nDPI's stun.c lists them). After
 * that, every datagram of the flow is demultiplexed by its first byte (RFC 7983
 * section 7): STUN is parsed, TURN ChannelData, DTLS and RTP/RTCP are counted as media.
 * Facts go to the signature engine when something new is seen.
 */
#include "proto/stun.h"

#include <string.h>

#include "core/cursor.h"
#include "core/str.h"
#include "flow/flow.h"

enum {
	MEDIA_FACT_PACKETS = 3,   /* media datagrams before the flow is said to carry media */
};

struct stun_state {
	struct stun_facts facts;
	struct stun_addrs addrs;
	struct ip_addr reported_peer; /* the last TURN peer handed to the call tracker */
	uint16_t reported_peer_port;
	uint32_t media;
	bool media_reported;
};

enum media_kind media_demux(uint8_t b)
{
	if (b <= 3)
		return MEDIA_STUN;
	if (b >= 20 && b <= 63)
		return MEDIA_DTLS;
	if (b >= 64 && b <= 79)
		return MEDIA_CHANNEL_DATA;
	if (b >= 128 && b <= 191)
		return MEDIA_RTP;
	return MEDIA_OTHER;
}

static bool classic_type(uint16_t t)
{
	switch (t) {
	case 0x0001: case 0x0101: case 0x0111: /* Binding request, response, error */
	case 0x0002: case 0x0102: case 0x0112: /* Shared Secret */
		return true;
	default:
		return false;
	}
}

static bool whatsapp_type(uint16_t t)
{
	return t >= 0x0800 && t <= 0x0805;
}

bool stun_looks_like(const uint8_t *p, size_t len)
{
	struct cursor c = cur_make(p, len);
	uint16_t type = cur_be16(&c), mlen = cur_be16(&c);
	uint32_t cookie = cur_be32(&c);
	if (!cur_ok(&c) || len < STUN_HEADER || (type & 0xc000) || (size_t)mlen + STUN_HEADER != len)
		return false;
	/* RFC 8489 lengths are multiples of 4; WhatsApp's relays take unpadded vendor
	 * attributes (0x4000 in ndpi/whatsapp_voice_and_message.pcap), so only the classic
	 * form, which has no cookie to vouch for it, is held to that */
	return cookie == STUN_MAGIC || ((classic_type(type) || whatsapp_type(type)) && !(mlen & 3));
}

static void add_u16(uint16_t *v, uint8_t *n, uint8_t max, uint16_t x, bool *changed)
{
	for (uint8_t i = 0; i < *n; i++)
		if (v[i] == x)
			return;
	if (*n < max) {
		v[(*n)++] = x;
		*changed = true;
	}
}

/* An (XOR-)address attribute value. */
static void read_address(struct cursor v, bool xor, const uint8_t txid[12], struct ip_addr *a, uint16_t *port)
{
	cur_skip(&v, 1);
	uint8_t family = cur_u8(&v);
	uint16_t p = cur_be16(&v);
	uint8_t bytes[16], key[16] = { 0x21, 0x12, 0xa4, 0x42 };
	memcpy(key + 4, txid, 12);
	size_t n = family == 1 ? 4 : family == 2 ? 16 : 0;
	if (n == 0)
		return;
	cur_copy(&v, bytes, n);
	if (!cur_ok(&v))
		return;
	if (xor) {
		p ^= 0x2112;
		for (size_t i = 0; i < n; i++)
			bytes[i] ^= key[i];
	}
	if (n == 4)
		addr_set_v4(a, bytes);
	else
		addr_set_v6(a, bytes);
	*port = p;
}

enum stun_result stun_parse(const uint8_t *p, size_t len, struct stun_facts *facts, struct stun_addrs *addrs,
			    bool *changed)
{
	struct cursor c = cur_make(p, len);
	uint8_t txid[12];
	*changed = false;
	uint16_t type = cur_be16(&c), mlen = cur_be16(&c);
	uint32_t cookie = cur_be32(&c);
	cur_copy(&c, txid, sizeof txid);
	if (!cur_ok(&c))
		return len > 0 && (p[0] & 0xc0) == 0 ? STUN_TRUNCATED : STUN_NOT_STUN;
	if (type & 0xc000)
		return STUN_NOT_STUN;
	bool truncated = false;
	struct cursor attrs = cur_sub(&c, mlen, &truncated);
	facts->messages++;
	add_u16(facts->types, &facts->ntypes, STUN_FACT_TYPES, type, changed);
	for (int i = 0; i < STUN_ATTRS_MAX && cur_remaining(&attrs) >= 4; i++) {
		uint16_t at = cur_be16(&attrs), alen = cur_be16(&attrs);
		if (cur_remaining(&attrs) < alen)
			return truncated ? STUN_TRUNCATED : STUN_MALFORMED;
		struct cursor v = cur_sub_exact(&attrs, alen);
		size_t pad = (size_t)(4 - alen % 4) % 4; /* a missing last pad is tolerated */
		cur_skip(&attrs, pad <= cur_remaining(&attrs) ? pad : 0);
		add_u16(facts->attrs, &facts->nattrs, STUN_FACT_ATTRS, at, changed);
		bool xor = cookie == STUN_MAGIC;
		switch (at) {
		case ATTR_REALM:
			if (!facts->realm[0] && alen > 0 && alen < STUN_REALM_MAX) {
				struct span s = cur_rest(&v);
				bool ok = true;
				for (size_t k = 0; k < s.len && ok; k++)
					ok = s.ptr[k] > 0x20 && s.ptr[k] < 0x7f && s.ptr[k] != '"';
				if (ok) {
					for (size_t k = 0; k < s.len; k++)
						facts->realm[k] = str_lower_char((char)s.ptr[k]);
					facts->realm[s.len] = '\0';
					*changed = true;
				}
			}
			break;
		case ATTR_XOR_MAPPED_ADDRESS:
		case ATTR_MAPPED_ADDRESS:
			if (addrs)
				read_address(v, xor && at == ATTR_XOR_MAPPED_ADDRESS, txid, &addrs->mapped, &addrs->mapped_port);
			break;
		case ATTR_XOR_PEER_ADDRESS:
			if (addrs && xor)
				read_address(v, true, txid, &addrs->peer, &addrs->peer_port);
			break;
		case ATTR_XOR_RELAYED_ADDRESS:
			if (addrs && xor)
				read_address(v, true, txid, &addrs->relayed, &addrs->relayed_port);
			break;
		default:
			break;
		}
	}
	if (cur_remaining(&attrs) != 0)
		return truncated ? STUN_TRUNCATED : STUN_MALFORMED;
	return truncated ? STUN_TRUNCATED : STUN_OK;
}

/*
 * Which side asks: RFC 8489 class bits (0x0110) 00 request, 01 indication. ICE peers
 * check connectivity both ways (RFC 8445 section 7.2); a STUN or TURN server only
 * answers. The call tracker uses it to tell a peer from a server (detect/ott.c).
 */
void stun_note_request(struct stun_facts *f, const uint8_t *p, size_t len, int dir, bool *changed)
{
	if (len < 2 || (p[0] & 0xc0))
		return;
	unsigned cls = ((p[0] & 0x01) << 1) | ((p[1] & 0x10) >> 4);
	uint8_t bit = (uint8_t)(1u << (dir & 1));
	if ((cls == 0 || cls == 1) && !(f->request_dirs & bit)) {
		f->request_dirs |= bit;
		*changed = true;
	}
	/* a Binding request (0x0001): an ICE check, which only a peer sends; a relay's Data
	 * indications are indications too, so request_dirs alone may name a relay */
	if (p[0] == 0x00 && p[1] == 0x01 && !(f->binding_dirs & bit)) {
		f->binding_dirs |= bit;
		*changed = true;
	}
}

static void report(struct parse_ctx *ctx, struct stun_state *st)
{
	struct flow_facts f = { .protocol = "stun", .stun = &st->facts, .media = st->media >= MEDIA_FACT_PACKETS };
	if (st->addrs.peer.family) {
		f.turn_peer = &st->addrs.peer;
		f.turn_peer_port = st->addrs.peer_port;
	}
	proto_facts(ctx, &f);
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	struct stun_state *st = ctx->state;
	*consumed = len;
	if (!st || len == 0)
		return PARSE_OK;
	switch (media_demux(p[0])) {
	case MEDIA_STUN: {
		bool changed = false;
		enum stun_result r = stun_parse(p, len, &st->facts, &st->addrs, &changed);
		if (st->addrs.peer.family && (st->addrs.peer_port != st->reported_peer_port ||
					      !addr_eq(&st->addrs.peer, &st->reported_peer))) {
			/* a new TURN peer: reported once, not with every Send indication */
			st->reported_peer = st->addrs.peer;
			st->reported_peer_port = st->addrs.peer_port;
			changed = true;
		}
		stun_note_request(&st->facts, p, len, ctx->dir, &changed);
		if (r == STUN_MALFORMED)
			stats_anomaly(ctx->stats, ANOM_STUN_MALFORMED);
		else if (r == STUN_TRUNCATED)
			stats_anomaly(ctx->stats, ANOM_STUN_TRUNCATED);
		if (changed)
			report(ctx, st);
		return r == STUN_MALFORMED ? PARSE_MALFORMED : PARSE_OK;
	}
	case MEDIA_CHANNEL_DATA:
	case MEDIA_DTLS:
	case MEDIA_RTP:
		/* Once the flow is said to carry media, a media datagram changes nothing; the
		 * flow's mark says so without reading st (a cache miss a datagram on a call). */
		if (ctx->flow && (ctx->flow->parse_done & FLOW_PARSE_MARK))
			return PARSE_OK;
		if (++st->media == MEDIA_FACT_PACKETS && !st->media_reported) {
			st->media_reported = true;
			if (ctx->flow)
				ctx->flow->parse_done |= FLOW_PARSE_MARK;
			report(ctx, st);
		}
		return PARSE_OK;
	default:
		return PARSE_OK;
	}
}

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	(void)pkt;
	return stun_looks_like(p, len);
}

const struct dissector stun_dissector = {
	.name = "stun",
	.transports = T_UDP,
	.recognise = recognise,
	.parse = parse,
	.state_size = sizeof(struct stun_state),
};
