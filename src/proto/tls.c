/*
 * tls.c — the TLS dissector (RFC 8446 section 5, RFC 5246 section 6.2): frames records
 * on each direction of a TCP stream, gathers handshake messages that span records or
 * segments, and reads the clear ones: ClientHello (server name, ALPN, versions),
 * ServerHello (chosen version and ALPN) and, before TLS 1.3, the server's Certificate
 * (its names). What it learns goes to the signature engine (detect/facts.h).
 *
 *   record   type(1) 20..24   version(2) 3.x   length(2) <= 2^14 + 2048   fragment
 *   handshake (inside type-22 records, possibly split over several)
 *            msg_type(1)   length(3)   body
 *
 * A ClientHello split over TCP segments stays in the stream buffer (PARSE_NEED_MORE)
 * until its record is whole; a handshake message split over records is gathered in a
 * buffer of TLS_HANDSHAKE_MAX bytes taken from the module's fixed pool (gather.h, sized
 * by the run's memory plan) on first need and given back when the message is whole or
 * the flow ends. When the pool is spent, the buffer left alone longest is taken back
 * from its direction, which gives up (tls.gather-evicted): a peer that starts messages
 * and never finishes them holds at most the pool. A direction is done after ChangeCipherSpec or the first
 * application-data record (everything after is encrypted), after its hello in TLS 1.3,
 * or after the Certificate: from then on its bytes are skipped without being read, and
 * the next parse call says PARSE_DONE, so the pipeline stops reassembling that direction.
 */
#include "proto/tls.h"

#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "detect/facts.h"
#include "proto/gather.h"

enum {
	CT_CHANGE_CIPHER_SPEC = 20,
	CT_ALERT = 21,
	CT_HANDSHAKE = 22,
	CT_APPLICATION_DATA = 23,
	CT_HEARTBEAT = 24,
	HS_CLIENT_HELLO = 1,
	HS_SERVER_HELLO = 2,
	HS_CERTIFICATE = 11,
	HS_SERVER_HELLO_DONE = 14,
	TLS13 = 0x0304,
	RECORDS_PER_CALL = 4096,  /* a parse call frames at most this many records */
	MESSAGES_PER_RECORD = 64, /* handshake messages looked at per record */
};

struct tls_dir {
	uint32_t hs_slot; /* the gathering buffer's slot in the module's pool, 0 until a message spans records */
	uint32_t hs_len;  /* bytes gathered in it */
	bool done;        /* nothing more in clear this way */
};

struct tls_module {
	struct gather_pool gather; /* buffers of TLS_HANDSHAKE_MAX bytes */
};

struct tls_state {
	struct tls_dir dir[2];
	struct tls_hello client;            /* the ClientHello's facts */
	char server_alpn[TLS_ALPN_LEN];
	char cert_names[TLS_CERT_NAMES_MAX][TLS_NAME_MAX];
	uint8_t ncert;
	uint16_t version;                   /* chosen by the server, 0 until known */
	bool client_hello_seen;
};

static void report(struct parse_ctx *ctx, const struct tls_state *st)
{
	struct flow_facts f = { .protocol = "tls" };
	/* a certificate lists every name its server serves (Facebook's names messenger.com
	 * too); a client that sent a server name said which one it came for, so the
	 * certificate's names count only when it sent none */
	if (st->client.sni[0])
		f.names[f.nnames++] = st->client.sni;
	for (unsigned i = 0; !st->client.sni[0] && i < st->ncert && f.nnames < FACTS_NAMES_MAX; i++)
		f.names[f.nnames++] = st->cert_names[i];
	for (unsigned i = 0; i < st->client.nalpn && f.nalpn < FACTS_ALPN_MAX; i++)
		f.alpn[f.nalpn++] = st->client.alpn[i];
	if (st->server_alpn[0] && f.nalpn < FACTS_ALPN_MAX)
		f.alpn[f.nalpn++] = st->server_alpn;
	proto_facts(ctx, &f);
}

static void count(struct parse_ctx *ctx, enum tls_result r)
{
	if (r == TLS_MALFORMED)
		stats_anomaly(ctx->stats, ANOM_TLS_MALFORMED);
	else if (r == TLS_TRUNCATED)
		stats_anomaly(ctx->stats, ANOM_TLS_TRUNCATED);
}

/* One whole handshake message. */
static void handshake_message(struct parse_ctx *ctx, struct tls_state *st, struct tls_dir *d, uint8_t type,
			      const uint8_t *body, size_t len)
{
	struct tls_hello h;
	enum tls_result r;
	switch (type) {
	case HS_CLIENT_HELLO:
		r = tls_client_hello_parse(body, len, &h);
		count(ctx, r);
		if (r != TLS_MALFORMED && !st->client_hello_seen) {
			st->client = h;
			st->client_hello_seen = true;
			report(ctx, st);
		}
		d->done = true; /* what follows from the client is key exchange or encrypted */
		break;
	case HS_SERVER_HELLO:
		r = tls_server_hello_parse(body, len, &h);
		count(ctx, r);
		if (r == TLS_MALFORMED) {
			d->done = true;
			break;
		}
		st->version = h.versions[0];
		if (h.nalpn) {
			memcpy(st->server_alpn, h.alpn[0], sizeof st->server_alpn);
			report(ctx, st);
		}
		if (st->version >= TLS13 && (st->version >> 8) == 3)
			d->done = true; /* the certificate is encrypted in TLS 1.3 */
		break;
	case HS_CERTIFICATE:
		st->ncert = (uint8_t)tls_certificate_names(body, len, st->cert_names, TLS_CERT_NAMES_MAX);
		if (st->ncert)
			report(ctx, st);
		d->done = true;
		break;
	case HS_SERVER_HELLO_DONE:
		d->done = true;
		break;
	default:
		break;
	}
}

/* The pool took d's buffer back for a newer message: d gives its message up. */
static void taken_back(void *owner)
{
	struct tls_dir *d = owner;
	d->hs_slot = 0;
	d->hs_len = 0;
	d->done = true;
}

static void give_back(struct parse_ctx *ctx, struct tls_dir *d)
{
	struct tls_module *m = ctx->module;
	if (m && d->hs_slot)
		gather_give(&m->gather, d->hs_slot);
	d->hs_slot = 0;
	d->hs_len = 0;
}

/*
 * Handshake bytes of one record. Whole messages are read in place; a message that runs
 * past the record is gathered in d's buffer until it is whole.
 */
static void handshake_bytes(struct parse_ctx *ctx, struct tls_state *st, struct tls_dir *d,
			    const uint8_t *p, size_t len)
{
	struct tls_module *m = ctx->module;
	uint8_t *buf = d->hs_slot ? gather_buf(&m->gather, d->hs_slot) : NULL;
	if (buf) {
		size_t room = TLS_HANDSHAKE_MAX - d->hs_len;
		if (len > room) { /* a message larger than we gather: give up on this direction */
			stats_anomaly(ctx->stats, ANOM_TLS_MALFORMED);
			give_back(ctx, d);
			d->done = true;
			return;
		}
		memcpy(buf + d->hs_len, p, len);
		d->hs_len += (uint32_t)len;
		gather_touch(&m->gather, d->hs_slot);
		p = buf;
		len = d->hs_len;
	}
	struct cursor c = cur_make(p, len);
	for (int i = 0; i < MESSAGES_PER_RECORD && !d->done; i++) {
		if (cur_remaining(&c) < 4)
			break;
		size_t start = cur_pos(&c);
		uint8_t type = cur_u8(&c);
		size_t mlen = cur_be24(&c);
		if (mlen > TLS_HANDSHAKE_MAX - 4) {
			stats_anomaly(ctx->stats, ANOM_TLS_MALFORMED);
			d->done = true;
			break;
		}
		if (cur_remaining(&c) < mlen) {
			c.pos = start;
			break;
		}
		struct span body = cur_span(&c, mlen);
		handshake_message(ctx, st, d, type, body.ptr, body.len);
	}
	size_t left = d->done ? 0 : cur_remaining(&c);
	if (left == 0) {
		give_back(ctx, d);
		return;
	}
	/* keep the start of an incomplete message for the next record */
	if (!buf) {
		bool took_back = false;
		d->hs_slot = m ? gather_take(&m->gather, d, &took_back) : 0;
		if (took_back)
			stats_anomaly(ctx->stats, ANOM_TLS_GATHER_EVICTED);
		if (!d->hs_slot) { /* no pool (a parse without a module) */
			stats_anomaly(ctx->stats, ANOM_STATE_POOL_FULL);
			d->done = true;
			return;
		}
		buf = gather_buf(&m->gather, d->hs_slot);
	}
	memmove(buf, p + cur_pos(&c), left);
	d->hs_len = (uint32_t)left;
}

static bool record_header_ok(uint8_t type, uint8_t major, uint8_t minor, size_t rlen)
{
	return type >= CT_CHANGE_CIPHER_SPEC && type <= CT_HEARTBEAT && major == 3 && minor <= 4 &&
	       rlen <= TLS_RECORD_MAX;
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	struct tls_state *st = ctx->state;
	*consumed = 0;
	if (!st)
		return PARSE_MALFORMED;
	struct tls_dir *d = &st->dir[ctx->dir & 1];
	struct cursor c = cur_make(p, len);
	for (int n = 0; n < RECORDS_PER_CALL; n++) {
		if (d->done) {
			*consumed = len;
			return PARSE_DONE;
		}
		if (cur_remaining(&c) < 5) {
			*consumed = cur_pos(&c);
			return PARSE_NEED_MORE;
		}
		size_t start = cur_pos(&c);
		uint8_t type = cur_u8(&c), major = cur_u8(&c), minor = cur_u8(&c);
		size_t rlen = cur_be16(&c);
		if (!record_header_ok(type, major, minor, rlen)) {
			stats_anomaly(ctx->stats, ANOM_TLS_MALFORMED);
			d->done = true;
			*consumed = len;
			return PARSE_MALFORMED;
		}
		if (cur_remaining(&c) < rlen) {
			*consumed = start; /* a record split over segments: wait for the rest */
			return PARSE_NEED_MORE;
		}
		struct span frag = cur_span(&c, rlen);
		switch (type) {
		case CT_HANDSHAKE:
			handshake_bytes(ctx, st, d, frag.ptr, frag.len);
			break;
		case CT_CHANGE_CIPHER_SPEC:
		case CT_APPLICATION_DATA:
			d->done = true;
			break;
		default:
			break;
		}
	}
	*consumed = cur_pos(&c);
	return PARSE_OK;
}

/*
 * A TLS handshake record carrying a ClientHello or ServerHello. The first segment may
 * hold only the start of the record; three bytes that can only begin a handshake
 * record are enough then.
 */
static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	(void)pkt;
	struct cursor c = cur_make(p, len);
	uint8_t type = cur_u8(&c), major = cur_u8(&c), minor = cur_u8(&c);
	if (!cur_ok(&c) || type != CT_HANDSHAKE || major != 3 || minor > 4)
		return false;
	uint16_t rlen = cur_be16(&c);
	uint8_t hs = cur_u8(&c);
	if (!cur_ok(&c))
		return true;
	return rlen >= 4 && rlen <= TLS_RECORD_MAX && (hs == HS_CLIENT_HELLO || hs == HS_SERVER_HELLO);
}

static void state_end(struct parse_ctx *ctx)
{
	struct tls_state *st = ctx->state;
	if (!st)
		return;
	for (int i = 0; i < 2; i++)
		give_back(ctx, &st->dir[i]);
}

static void *module_new(struct stats *stats, const struct module_sizes *sizes)
{
	(void)stats; /* anomalies go to the parse context's counters */
	struct tls_module *m = calloc(1, sizeof *m);
	unsigned n = sizes && sizes->tls_gather ? sizes->tls_gather : TLS_GATHER_DEFAULT;
	if (!m || gather_pool_init(&m->gather, n, TLS_HANDSHAKE_MAX, taken_back) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

static void module_free(void *module)
{
	struct tls_module *m = module;
	if (!m)
		return;
	gather_pool_fini(&m->gather);
	free(m);
}

bool tls_state_hello(const void *state, struct tls_hello *hello, char names[][TLS_NAME_MAX], size_t *nnames)
{
	const struct tls_state *st = state;
	if (!st || !st->client_hello_seen)
		return false;
	*hello = st->client;
	if (names && nnames) {
		for (unsigned i = 0; i < st->ncert && i < *nnames; i++)
			memcpy(names[i], st->cert_names[i], TLS_NAME_MAX);
		*nnames = st->ncert < *nnames ? st->ncert : *nnames;
	}
	return true;
}

const struct dissector tls_dissector = {
	.name = "tls",
	.transports = T_TCP,
	.recognise = recognise,
	.parse = parse,
	.state_size = sizeof(struct tls_state),
	.state_end = state_end,
	.module_new = module_new,
	.module_free = module_free,
};
