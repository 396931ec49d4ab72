/*
 * quic.c — QUIC Initial packets (RFC 9000 section 17.2.2), opened (RFC 9001 section 5,
 * RFC 9369 section 3) to read the ClientHello in their CRYPTO frames (RFC 9000 section
 * 19.6): the server name and ALPN, handed to the signature engine like TLS's.
 *
 *   long header  1|1|type(2)|reserved(2)|pn_len(2)   (the low 4 bits under header protection)
 *                version(4)  dcid_len(1) dcid(0..20)  scid_len(1) scid(0..20)
 *   Initial      token_len(varint) token  length(varint)  packet_number(1..4)  payload+tag
 *   types        v1 and drafts: Initial 0, 0-RTT 1, Handshake 2, Retry 3
 *                v2 (RFC 9369 3.2): Retry 0, Initial 1, 0-RTT 2, Handshake 3
 *
 * One UDP datagram may hold several long-header packets (coalesced, RFC 9000 12.2);
 * they are walked by their Length fields. The client's Initial keys come from the
 * Destination Connection ID of its first Initial; after a Retry the client uses a new
 * one, so when a packet does not open with the first keys, keys from its own DCID are
 * tried. A ClientHello may span several Initials, and Chromium scatters its CRYPTO
 * frames out of order on purpose: the bytes are kept at their offsets in a buffer of
 * QUIC_CRYPTO_MAX bytes taken from the module's fixed pool (gather.h, sized by the run's
 * memory plan) on first need and given back when the hello is read, with the covered
 * ranges tracked. When the pool is spent, the buffer left alone longest is taken back
 * and its flow gives up (quic.gather-evicted): Initials that start a hello and never
 * finish it hold at most the pool.
 * Only the client's direction (the flow's initiator) is opened.
 */
#include "proto/quic.h"

#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "detect/facts.h"
#include "proto/gather.h"
#include "proto/quic_crypto.h"

enum {
	FRAME_PADDING = 0x00,
	FRAME_PING = 0x01,
	FRAME_ACK = 0x02,
	FRAME_ACK_ECN = 0x03,
	FRAME_CRYPTO = 0x06,
	FRAME_CLOSE = 0x1c,
	FRAME_CLOSE_APP = 0x1d,
	ACK_RANGES_MAX = 256,
	HS_CLIENT_HELLO = 1,
};

struct range {
	uint32_t lo, hi; /* [lo, hi) */
};

struct quic_state {
	uint32_t version;
	uint8_t dcid[QUIC_CID_MAX];
	uint8_t dcid_len;
	bool have_keys;
	bool done;             /* hello read, or given up */
	bool hello_ok;
	uint8_t initials;      /* client Initials looked at */
	struct quic_keys keys; /* client Initial keys from the first DCID */
	uint64_t largest_pn;
	uint32_t crypto_slot;  /* the gathering buffer's slot in the module's pool, 0 when none */
	struct range ranges[QUIC_CRYPTO_RANGES];
	uint8_t nranges;
	struct tls_hello hello;
};

struct quic_module {
	struct quic_crypto *qc;
	struct gather_pool gather;       /* buffers of QUIC_CRYPTO_MAX bytes */
	uint8_t packet[QUIC_PACKET_MAX]; /* an Initial with its header protection removed */
	uint8_t plain[QUIC_PACKET_MAX];  /* its decrypted payload */
};

/* RFC 9000 section 16: 2-bit length prefix, 1/2/4/8 bytes. */
static uint64_t varint(struct cursor *c)
{
	uint8_t b = cur_u8(c);
	unsigned n = 1u << (b >> 6);
	uint64_t v = b & 0x3f;
	for (unsigned i = 1; i < n; i++)
		v = (v << 8) | cur_u8(c);
	return v;
}

/* Skips n bytes; an n beyond the buffer fails the cursor (no size_t overflow). */
static void skip_bytes(struct cursor *c, uint64_t n)
{
	if (n > cur_remaining(c))
		cur_fail(c);
	else
		cur_skip(c, (size_t)n);
}

/* RFC 9000 appendix A.3: the full packet number nearest the next expected one. */
static uint64_t decode_pn(uint64_t largest, uint64_t truncated, unsigned nbits)
{
	uint64_t expected = largest + 1, win = (uint64_t)1 << nbits, hwin = win / 2, mask = win - 1;
	uint64_t candidate = (expected & ~mask) | truncated;
	if (candidate + hwin <= expected && candidate < ((uint64_t)1 << 62) - win)
		return candidate + win;
	if (candidate > expected + hwin && candidate >= win)
		return candidate - win;
	return candidate;
}

/* Adds [lo, hi) to the covered ranges (sorted, merged). False when too fragmented. */
static bool cover(struct quic_state *st, uint32_t lo, uint32_t hi)
{
	struct range tmp[QUIC_CRYPTO_RANGES + 1];
	size_t n = 0;
	bool placed = false;
	for (size_t i = 0; i < st->nranges; i++) {
		struct range r = st->ranges[i];
		if (r.hi < lo) {
			tmp[n++] = r;
		} else if (r.lo > hi) {
			if (!placed) {
				tmp[n++] = (struct range){ lo, hi };
				placed = true;
			}
			tmp[n++] = r;
		} else { /* overlaps or touches: merge into [lo, hi) */
			lo = r.lo < lo ? r.lo : lo;
			hi = r.hi > hi ? r.hi : hi;
		}
		if (n > QUIC_CRYPTO_RANGES)
			return false;
	}
	if (!placed)
		tmp[n++] = (struct range){ lo, hi };
	if (n > QUIC_CRYPTO_RANGES)
		return false;
	memcpy(st->ranges, tmp, n * sizeof tmp[0]);
	st->nranges = (uint8_t)n;
	return true;
}

static uint32_t covered_from_zero(const struct quic_state *st)
{
	return st->nranges && st->ranges[0].lo == 0 ? st->ranges[0].hi : 0;
}

static void give_back(struct parse_ctx *ctx, struct quic_state *st)
{
	struct quic_module *m = ctx->module;
	if (m && st->crypto_slot)
		gather_give(&m->gather, st->crypto_slot);
	st->crypto_slot = 0;
}

static void give_up(struct parse_ctx *ctx, struct quic_state *st)
{
	give_back(ctx, st);
	st->done = true;
}

/* The pool took st's buffer back for a newer hello: st gives its hello up. */
static void taken_back(void *owner)
{
	struct quic_state *st = owner;
	st->crypto_slot = 0;
	st->done = true;
}

static void report(struct parse_ctx *ctx, const struct quic_state *st)
{
	struct flow_facts f = { .protocol = "quic" };
	if (st->hello.sni[0])
		f.names[f.nnames++] = st->hello.sni;
	for (unsigned i = 0; i < st->hello.nalpn && i < FACTS_ALPN_MAX; i++)
		f.alpn[f.nalpn++] = st->hello.alpn[i];
	proto_facts(ctx, &f);
}

/* Once bytes [0, 4 + length) are in: the ClientHello. */
static void try_hello(struct parse_ctx *ctx, struct quic_state *st, struct stats *stats)
{
	uint32_t have = covered_from_zero(st);
	if (have < 4)
		return;
	struct quic_module *m = ctx->module;
	struct cursor c = cur_make(gather_buf(&m->gather, st->crypto_slot), have);
	uint8_t type = cur_u8(&c);
	uint32_t mlen = cur_be24(&c);
	if (type != HS_CLIENT_HELLO || mlen > QUIC_CRYPTO_MAX - 4) {
		stats_anomaly(stats, ANOM_QUIC_MALFORMED);
		give_up(ctx, st);
		return;
	}
	if (have < 4 + mlen)
		return;
	struct span body = cur_span(&c, mlen);
	enum tls_result r = tls_client_hello_parse(body.ptr, body.len, &st->hello);
	if (r == TLS_MALFORMED)
		stats_anomaly(stats, ANOM_QUIC_MALFORMED);
	else
		st->hello_ok = true;
	give_up(ctx, st);
	if (st->hello_ok)
		report(ctx, st);
}

static bool crypto_frame(struct parse_ctx *ctx, struct quic_state *st, uint64_t off, struct span data,
			 struct stats *stats)
{
	struct quic_module *m = ctx->module;
	if (off + data.len > QUIC_CRYPTO_MAX) {
		stats_anomaly(stats, ANOM_QUIC_MALFORMED);
		return false;
	}
	if (data.len == 0)
		return true;
	if (!st->crypto_slot) {
		bool took_back = false;
		st->crypto_slot = m ? gather_take(&m->gather, st, &took_back) : 0;
		if (took_back)
			stats_anomaly(stats, ANOM_QUIC_GATHER_EVICTED);
		if (!st->crypto_slot) { /* no pool (a parse without a module) */
			stats_anomaly(stats, ANOM_OTT_STATE_FULL);
			return false;
		}
	} else {
		gather_touch(&m->gather, st->crypto_slot);
	}
	memcpy(gather_buf(&m->gather, st->crypto_slot) + off, data.ptr, data.len);
	return cover(st, (uint32_t)off, (uint32_t)(off + data.len));
}

/* The frames of one decrypted Initial payload. */
static void frames(struct parse_ctx *ctx, struct quic_state *st, const uint8_t *p, size_t len, struct stats *stats)
{
	struct cursor c = cur_make(p, len);
	for (int n = 0; n < QUIC_FRAMES_MAX && !cur_at_end(&c); n++) {
		uint64_t type = varint(&c);
		switch (type) {
		case FRAME_PADDING:
		case FRAME_PING:
			break;
		case FRAME_ACK:
		case FRAME_ACK_ECN: {
			varint(&c); /* largest acknowledged */
			varint(&c); /* delay */
			uint64_t ranges = varint(&c);
			varint(&c); /* first range */
			if (ranges > ACK_RANGES_MAX) {
				cur_fail(&c);
				break;
			}
			for (uint64_t i = 0; i < ranges; i++) {
				varint(&c);
				varint(&c);
			}
			if (type == FRAME_ACK_ECN) {
				varint(&c);
				varint(&c);
				varint(&c);
			}
			break;
		}
		case FRAME_CRYPTO: {
			uint64_t off = varint(&c), dlen = varint(&c);
			struct span data = cur_span(&c, dlen <= len ? (size_t)dlen : len + 1);
			if (!cur_ok(&c))
				break;
			if (!crypto_frame(ctx, st, off, data, stats)) {
				give_up(ctx, st);
				return;
			}
			break;
		}
		case FRAME_CLOSE:
		case FRAME_CLOSE_APP:
			varint(&c);
			if (type == FRAME_CLOSE)
				varint(&c);
			skip_bytes(&c, varint(&c));
			break;
		default: /* not allowed in an Initial (RFC 9000 table 3) */
			cur_fail(&c);
			break;
		}
		if (!cur_ok(&c)) {
			stats_anomaly(stats, ANOM_QUIC_MALFORMED);
			break;
		}
	}
	if (st->crypto_slot)
		try_hello(ctx, st, stats);
}

/*
 * Removes header protection from the Initial at m->packet[0..len) (pn_off: where its
 * packet number starts) and opens it with k. Returns the plaintext length, or -1.
 */
static long open_initial(struct quic_module *m, const struct quic_keys *k, const uint8_t *orig, size_t len,
			 size_t pn_off, uint64_t largest, uint64_t *pn_out)
{
	memcpy(m->packet, orig, len);
	if (pn_off + 4 + QUIC_SAMPLE_LEN > len)
		return -1;
	uint8_t mask[5];
	if (quic_hp_mask(m->qc, k, m->packet + pn_off + 4, mask) != 0)
		return -1;
	m->packet[0] ^= mask[0] & 0x0f;
	size_t pnlen = (size_t)(m->packet[0] & 3) + 1;
	uint64_t truncated = 0;
	for (size_t i = 0; i < pnlen; i++) {
		m->packet[pn_off + i] ^= mask[1 + i];
		truncated = (truncated << 8) | m->packet[pn_off + i];
	}
	uint64_t pn = decode_pn(largest, truncated, (unsigned)(pnlen * 8));
	size_t hdr = pn_off + pnlen;
	if (len - hdr < QUIC_TAG_LEN)
		return -1;
	if (quic_aead_open(m->qc, k, pn, m->packet, hdr, m->packet + hdr, len - hdr, m->plain) != 0)
		return -1;
	*pn_out = pn;
	return (long)(len - hdr - QUIC_TAG_LEN);
}

static void initial(struct parse_ctx *ctx, struct quic_module *m, struct quic_state *st, uint32_t version,
		    struct span dcid, const uint8_t *pkt, size_t len, size_t pn_off)
{
	if (len > QUIC_PACKET_MAX) {
		stats_anomaly(ctx->stats, ANOM_QUIC_MALFORMED);
		return;
	}
	if (!st->have_keys || st->version != version) {
		if (quic_initial_keys(version, dcid.ptr, dcid.len, false, &st->keys) != 0)
			return;
		st->have_keys = true;
		st->version = version;
		memcpy(st->dcid, dcid.ptr, dcid.len);
		st->dcid_len = (uint8_t)dcid.len;
	}
	uint64_t pn = 0;
	long plen = open_initial(m, &st->keys, pkt, len, pn_off, st->largest_pn, &pn);
	if (plen < 0 && (dcid.len != st->dcid_len || memcmp(dcid.ptr, st->dcid, dcid.len) != 0)) {
		/* after a Retry (or a capture that missed the first Initial): this packet's DCID */
		struct quic_keys k;
		if (quic_initial_keys(version, dcid.ptr, dcid.len, false, &k) == 0 &&
		    (plen = open_initial(m, &k, pkt, len, pn_off, 0, &pn)) >= 0) {
			st->keys = k;
			memcpy(st->dcid, dcid.ptr, dcid.len);
			st->dcid_len = (uint8_t)dcid.len;
		}
	}
	if (plen < 0) {
		stats_anomaly(ctx->stats, ANOM_QUIC_UNDECRYPTABLE);
		return;
	}
	if (pn > st->largest_pn)
		st->largest_pn = pn;
	frames(ctx, st, m->plain, (size_t)plen, ctx->stats);
}

static bool is_initial(uint8_t b0, uint32_t version)
{
	unsigned type = (b0 >> 4) & 3;
	return quic_version_is_v2(version) ? type == 1 : type == 0;
}

static bool is_retry(uint8_t b0, uint32_t version)
{
	unsigned type = (b0 >> 4) & 3;
	return quic_version_is_v2(version) ? type == 0 : type == 3;
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	struct quic_state *st = ctx->state;
	struct quic_module *m = ctx->module;
	*consumed = len;
	if (!st || !m || st->done || ctx->dir != 0)
		return PARSE_OK;
	struct cursor c = cur_make(p, len);
	for (int n = 0; n < QUIC_COALESCED_MAX && !st->done; n++) {
		size_t start = cur_pos(&c);
		uint8_t b0 = cur_peek_u8(&c, 0);
		if (cur_remaining(&c) < 7 || !(b0 & 0x80))
			break; /* padding or a short-header packet: nothing more to open */
		cur_skip(&c, 1);
		uint32_t version = cur_be32(&c);
		uint8_t dlen = cur_u8(&c);
		if (dlen > QUIC_CID_MAX) {
			stats_anomaly(ctx->stats, ANOM_QUIC_MALFORMED);
			break;
		}
		struct span dcid = cur_span(&c, dlen);
		uint8_t slen = cur_u8(&c);
		if (slen > QUIC_CID_MAX) {
			stats_anomaly(ctx->stats, ANOM_QUIC_MALFORMED);
			break;
		}
		cur_skip(&c, slen);
		if (!cur_ok(&c)) {
			stats_anomaly(ctx->stats, ANOM_QUIC_TRUNCATED);
			break;
		}
		if (version == 0 || !quic_version_known(version) || is_retry(b0, version))
			break; /* version negotiation, unknown version, or Retry: the rest is not ours */
		bool init = is_initial(b0, version);
		if (init)
			skip_bytes(&c, varint(&c)); /* the token */
		uint64_t plen = varint(&c);
		if (!cur_ok(&c)) {
			stats_anomaly(ctx->stats, ANOM_QUIC_TRUNCATED);
			break;
		}
		size_t pn_off = cur_pos(&c) - start;
		if (plen > cur_remaining(&c)) {
			stats_anomaly(ctx->stats, ANOM_QUIC_TRUNCATED);
			break;
		}
		struct cursor back = cur_make(p, len);
		cur_skip(&back, start);
		struct span whole = cur_span(&back, pn_off + (size_t)plen);
		cur_skip(&c, (size_t)plen);
		if (init && st->initials < QUIC_INITIALS_MAX) {
			st->initials++;
			initial(ctx, m, st, version, dcid, whole.ptr, whole.len, pn_off);
		}
	}
	if (!st->done && st->initials >= QUIC_INITIALS_MAX)
		give_up(ctx, st);
	return PARSE_OK;
}

/* A long-header packet of a version we can open, with sane connection ID lengths. */
static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	(void)pkt;
	struct cursor c = cur_make(p, len);
	uint8_t b0 = cur_u8(&c);
	uint32_t version = cur_be32(&c);
	uint8_t dlen = cur_u8(&c);
	cur_skip(&c, dlen);
	uint8_t slen = cur_u8(&c);
	return cur_ok(&c) && (b0 & 0xc0) == 0xc0 && quic_version_known(version) && dlen <= QUIC_CID_MAX &&
	       slen <= QUIC_CID_MAX;
}

static void state_end(struct parse_ctx *ctx)
{
	struct quic_state *st = ctx->state;
	if (st)
		give_back(ctx, st);
}

static void module_free(void *module)
{
	struct quic_module *m = module;
	if (!m)
		return;
	quic_crypto_free(m->qc);
	gather_pool_fini(&m->gather);
	free(m);
}

static void *module_new(struct stats *stats, const struct module_sizes *sizes)
{
	(void)stats; /* anomalies go to the parse context's counters */
	struct quic_module *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	unsigned n = sizes && sizes->quic_gather ? sizes->quic_gather : QUIC_GATHER_DEFAULT;
	if (!(m->qc = quic_crypto_new()) || gather_pool_init(&m->gather, n, QUIC_CRYPTO_MAX, taken_back) != 0) {
		module_free(m);
		return NULL;
	}
	return m;
}

bool quic_state_hello(const struct quic_state *st, struct tls_hello *out, uint32_t *version)
{
	if (!st || !st->hello_ok)
		return false;
	*out = st->hello;
	*version = st->version;
	return true;
}

const struct dissector quic_dissector = {
	.name = "quic",
	.transports = T_UDP,
	.recognise = recognise,
	.parse = parse,
	.state_size = sizeof(struct quic_state),
	.state_end = state_end,
	.module_new = module_new,
	.module_free = module_free,
};
