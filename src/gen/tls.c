/*
 * tls.c — TLS 1.3 as it looks on the wire (RFC 8446): a ClientHello with SNI (RFC 6066
 * §3), ALPN (RFC 7301), supported_versions, key_share (x25519) and the usual groups and
 * signature algorithms, or the QUIC variant (no session id, TLS 1.3 only, with
 * quic_transport_parameters, RFC 9001 §8.2 / RFC 9000 §18); a ServerHello; the server's
 * and client's encrypted flights as application_data records of realistic sizes; and
 * application data records. Everything after the hellos is random bytes: it stands for
 * ciphertext, which is all a sensor sees.
 */
#include <string.h>

#include "gen/gen_internal.h"

enum {
	TLS_RECORD_MAX = 16384 + 256, /* a TLSCiphertext's largest length (RFC 8446 §5.2) */
	CT_CCS = 20, CT_HANDSHAKE = 22, CT_APPDATA = 23,
};

static size_t ext_begin(struct wbuf *b, unsigned type)
{
	wb_be16(b, type);
	size_t at = b->len;
	wb_be16(b, 0);
	return at;
}

static void ext_end(struct wbuf *b, size_t at)
{
	wb_put_be16(b->p + at, (unsigned)(b->len - at - 2));
}

/* QUIC variable-length integer (RFC 9000 §16). */
static void varint(struct wbuf *b, uint64_t v)
{
	if (v < 64) {
		wb_u8(b, (unsigned)v);
	} else if (v < 16384) {
		wb_be16(b, 0x4000 | (unsigned)v);
	} else {
		wb_be32(b, 0x80000000u | (uint32_t)v);
	}
}

static void tp(struct wbuf *b, unsigned id, uint64_t v)
{
	uint8_t tmp[8];
	struct wbuf t = wb_make(tmp, sizeof tmp);
	varint(&t, v);
	varint(b, id);
	varint(b, t.len);
	wb_mem(b, tmp, t.len);
}

/* Starts a hello of this handshake type in b: its length (set by hello_end), the legacy
 * version, the random, and a session id: empty in QUIC, else the 32-byte
 * middlebox-compatibility one (RFC 8446 appendix D.4). */
static void hello_begin(struct wbuf *b, unsigned type, struct gen_rng *r, bool quic)
{
	wb_u8(b, type);
	wb_be24(b, 0);
	wb_be16(b, 0x0303);
	gen_rng_bytes(r, wb_room(b, 32), 32);
	if (quic) {
		wb_u8(b, 0);
	} else {
		wb_u8(b, 32);
		gen_rng_bytes(r, wb_room(b, 32), 32);
	}
}

/* Ends a hello in b: the extensions' length (its field at exts) and the handshake's
 * 24-bit length; the hello's size. */
static size_t hello_end(struct wbuf *b, size_t exts)
{
	wb_put_be16(b->p + exts, (unsigned)(b->len - exts - 2));
	b->p[1] = (uint8_t)((b->len - 4) >> 16);
	b->p[2] = (uint8_t)((b->len - 4) >> 8);
	b->p[3] = (uint8_t)(b->len - 4);
	return b->len;
}

size_t gen_tls_client_hello(uint8_t *out, size_t cap, struct gen_rng *r, const char *sni, const char *alpn,
			    bool quic, const uint8_t *quic_scid, size_t scid_len)
{
	struct wbuf b = wb_make(out, cap);
	hello_begin(&b, 1, r, quic); /* ClientHello */
	static const uint16_t suites_tcp[] = { 0x1301, 0x1302, 0x1303, 0xc02c, 0xc02b, 0xcca9, 0xc030, 0xc02f,
					       0xcca8, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x0035, 0x002f };
	size_t nsuites = quic ? 3 : sizeof suites_tcp / sizeof suites_tcp[0];
	wb_be16(&b, (unsigned)(nsuites * 2));
	for (size_t i = 0; i < nsuites; i++)
		wb_be16(&b, suites_tcp[i]);
	wb_u8(&b, 1);
	wb_u8(&b, 0); /* null compression */
	size_t exts = b.len;
	wb_be16(&b, 0);
	size_t at;
	if (sni && *sni) {
		at = ext_begin(&b, 0); /* server_name */
		wb_be16(&b, (unsigned)(strlen(sni) + 3));
		wb_u8(&b, 0);
		wb_be16(&b, (unsigned)strlen(sni));
		wb_str(&b, sni);
		ext_end(&b, at);
	}
	if (!quic) {
		at = ext_begin(&b, 23); /* extended_master_secret */
		ext_end(&b, at);
		at = ext_begin(&b, 0xff01); /* renegotiation_info */
		wb_u8(&b, 0);
		ext_end(&b, at);
	}
	at = ext_begin(&b, 10); /* supported_groups */
	wb_be16(&b, 6);
	wb_be16(&b, 0x001d);
	wb_be16(&b, 0x0017);
	wb_be16(&b, 0x0018);
	ext_end(&b, at);
	if (!quic) {
		at = ext_begin(&b, 11); /* ec_point_formats */
		wb_u8(&b, 1);
		wb_u8(&b, 0);
		ext_end(&b, at);
	}
	if (alpn && *alpn) {
		at = ext_begin(&b, 16); /* ALPN: a comma-separated list in, length-prefixed out */
		size_t list = b.len;
		wb_be16(&b, 0);
		const char *p = alpn;
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			wb_u8(&b, (unsigned)n);
			wb_mem(&b, p, n);
			p += n;
			if (*p == ',')
				p++;
		}
		wb_put_be16(b.p + list, (unsigned)(b.len - list - 2));
		ext_end(&b, at);
	}
	at = ext_begin(&b, 5); /* status_request */
	wb_u8(&b, 1);
	wb_be16(&b, 0);
	wb_be16(&b, 0);
	ext_end(&b, at);
	at = ext_begin(&b, 13); /* signature_algorithms */
	static const uint16_t sigs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
	wb_be16(&b, (unsigned)sizeof sigs);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		wb_be16(&b, sigs[i]);
	ext_end(&b, at);
	at = ext_begin(&b, 51); /* key_share: x25519 */
	wb_be16(&b, 36);
	wb_be16(&b, 0x001d);
	wb_be16(&b, 32);
	gen_rng_bytes(r, wb_room(&b, 32), 32);
	ext_end(&b, at);
	at = ext_begin(&b, 45); /* psk_key_exchange_modes: psk_dhe_ke */
	wb_u8(&b, 1);
	wb_u8(&b, 1);
	ext_end(&b, at);
	at = ext_begin(&b, 43); /* supported_versions */
	if (quic) {
		wb_u8(&b, 2);
		wb_be16(&b, 0x0304);
	} else {
		wb_u8(&b, 4);
		wb_be16(&b, 0x0304);
		wb_be16(&b, 0x0303);
	}
	ext_end(&b, at);
	if (quic) {
		at = ext_begin(&b, 0x39); /* quic_transport_parameters */
		tp(&b, 0x01, 30000);   /* max_idle_timeout (ms) */
		tp(&b, 0x04, 15728640); /* initial_max_data */
		tp(&b, 0x05, 6291456); /* initial_max_stream_data_bidi_local */
		tp(&b, 0x06, 6291456);
		tp(&b, 0x07, 6291456);
		tp(&b, 0x08, 100);     /* initial_max_streams_bidi */
		tp(&b, 0x09, 103);
		varint(&b, 0x0f);      /* initial_source_connection_id */
		varint(&b, scid_len);
		wb_mem(&b, quic_scid, scid_len);
		ext_end(&b, at);
	}
	return hello_end(&b, exts);
}

size_t gen_tls_server_hello(uint8_t *out, size_t cap, struct gen_rng *r, bool quic)
{
	struct wbuf b = wb_make(out, cap);
	hello_begin(&b, 2, r, quic); /* ServerHello */
	wb_be16(&b, 0x1301);
	wb_u8(&b, 0);
	size_t exts = b.len;
	wb_be16(&b, 0);
	size_t at = ext_begin(&b, 51);
	wb_be16(&b, 0x001d);
	wb_be16(&b, 32);
	gen_rng_bytes(r, wb_room(&b, 32), 32);
	ext_end(&b, at);
	at = ext_begin(&b, 43);
	wb_be16(&b, 0x0304);
	ext_end(&b, at);
	return hello_end(&b, exts);
}

static void record_header(struct wbuf *b, uint8_t ct, size_t n)
{
	wb_u8(b, ct);
	wb_be16(b, 0x0303);
	wb_be16(b, (unsigned)n);
}

size_t gen_tls_records(uint8_t *out, size_t cap, struct gen_rng *r, uint8_t ct, size_t n)
{
	struct wbuf b = wb_make(out, cap);
	while (n) {
		size_t k = n < TLS_RECORD_MAX ? n : TLS_RECORD_MAX;
		record_header(&b, ct, k);
		gen_rng_bytes(r, wb_room(&b, k), k);
		n -= k;
	}
	return b.len;
}

uint64_t gen_tls_handshake(struct gen_ctx *g, struct gen_conn *c, uint64_t ts, const char *sni, const char *alpn,
			   size_t server_cert_len, size_t client_cert_len, uint32_t rtt_us)
{
	uint64_t t = gen_tcp_open(g, c, ts, rtt_us);
	uint8_t ch[1024];
	size_t n = gen_tls_client_hello(ch, sizeof ch, &g->rng, sni, alpn, false, NULL, 0);
	struct wbuf b = wb_make(g->msg, sizeof g->msg);
	wb_u8(&b, CT_HANDSHAKE);
	wb_be16(&b, 0x0301); /* the ClientHello's record says TLS 1.0 (RFC 8446 §5.1) */
	wb_be16(&b, (unsigned)n);
	wb_mem(&b, ch, n);
	g->tag = TAG_TLS_CH;
	t = gen_tcp_send(g, c, 0, t + 200, b.p, b.len, 0);
	/* the server's flight: ServerHello, ChangeCipherSpec, then the encrypted extensions,
	 * certificate chain, verify and finished as application_data */
	b = wb_make(g->msg, sizeof g->msg);
	n = gen_tls_server_hello(ch, sizeof ch, &g->rng, false);
	record_header(&b, CT_HANDSHAKE, n);
	wb_mem(&b, ch, n);
	record_header(&b, CT_CCS, 1);
	wb_u8(&b, 1);
	b.len += gen_tls_records(b.p + b.len, b.cap - b.len, &g->rng, CT_APPDATA, server_cert_len);
	t = gen_tcp_send(g, c, 1, t + rtt_us, b.p, b.len, 1000);
	/* the client's: ChangeCipherSpec and Finished (53 bytes sealed), with its own
	 * certificate and CertificateVerify first when it has one */
	b = wb_make(g->msg, sizeof g->msg);
	record_header(&b, CT_CCS, 1);
	wb_u8(&b, 1);
	b.len += gen_tls_records(b.p + b.len, b.cap - b.len, &g->rng, CT_APPDATA, client_cert_len + 53);
	t = gen_tcp_send(g, c, 0, t + 2000, b.p, b.len, rtt_us);
	return t;
}

uint64_t gen_tls_app(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, size_t n, uint32_t ack_delay_us)
{
	size_t len = gen_tls_records(g->msg, sizeof g->msg, &g->rng, CT_APPDATA, n);
	return gen_tcp_send(g, c, dir, ts, g->msg, len, ack_delay_us);
}
