/*
 * quic.c — QUIC version 1 connections as a sensor sees them (RFC 9000 §17 packet
 * formats): the client's Initial carrying the ClientHello in a CRYPTO frame, padded so
 * the datagram is 1200 bytes (§14.1); the server's Initial (ACK + ServerHello) and a
 * Handshake packet; then short-header 1-RTT packets both ways.
 *
 * Initial packets are really protected (RFC 9001 §5): secrets from the client's
 * Destination Connection ID with HKDF (OpenSSL's EVP_KDF "HKDF", SHA-256) and the v1
 * salt, HKDF-Expand-Label for "quic key"/"quic iv"/"quic hp", payload sealed with
 * AES-128-GCM under the packet-number nonce, header protection with AES-128-ECB over a
 * 16-byte sample. tshark and pentrap can decrypt them as any observer can; the Handshake
 * and 1-RTT packets are random bytes (their keys come from the key exchange).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#include "gen/gen_internal.h"

static const uint8_t initial_salt_v1[20] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
					     0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };

enum { CID_LEN = 8, QUIC_MIN_DATAGRAM = 1200, TAG_LEN = 16 };

static void hkdf(int mode, const uint8_t *key, size_t keylen, const uint8_t *salt, size_t saltlen,
		 const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[6], *p = params;
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, keylen);
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	if (info)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen);
	*p = OSSL_PARAM_construct_end();
	if (!kctx || EVP_KDF_derive(kctx, out, outlen, params) <= 0) {
		fputs("pentrap gen: OpenSSL HKDF failed\n", stderr);
		gen_wb_overflow();
	}
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
}

/* HKDF-Expand-Label(secret, label, "", len) (RFC 8446 §7.1). */
static void expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
	uint8_t info[64];
	size_t ll = strlen(label);
	info[0] = (uint8_t)(len >> 8);
	info[1] = (uint8_t)len;
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	info[9 + ll] = 0;
	hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, 32, NULL, 0, info, 10 + ll, out, len);
}

struct keys {
	uint8_t key[16], iv[12], hp[16];
};

static void initial_keys(const uint8_t *dcid, size_t dcid_len, bool server, struct keys *k)
{
	uint8_t initial[32], secret[32];
	hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, dcid, dcid_len, initial_salt_v1, sizeof initial_salt_v1, NULL, 0,
	     initial, 32);
	expand_label(initial, server ? "server in" : "client in", secret, 32);
	expand_label(secret, "quic key", k->key, 16);
	expand_label(secret, "quic iv", k->iv, 12);
	expand_label(secret, "quic hp", k->hp, 16);
}

static void crypto_fail(void)
{
	fputs("pentrap gen: OpenSSL AES failed\n", stderr);
	gen_wb_overflow();
}

/*
 * Seals a long-header packet in place: pkt[0..hdr_len) is the header ending with a
 * pn_len-byte packet number, pkt[hdr_len..hdr_len+plain) the payload; TAG_LEN bytes
 * of room follow it. Returns the protected length.
 */
static size_t protect(const struct keys *k, uint8_t *pkt, size_t hdr_len, size_t pn_len, uint64_t pn, size_t plain)
{
	uint8_t nonce[12];
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;
	if (!c || EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k->key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, pkt, (int)hdr_len) != 1 ||
	    EVP_EncryptUpdate(c, pkt + hdr_len, &n, pkt + hdr_len, (int)plain) != 1 ||
	    EVP_EncryptFinal_ex(c, pkt + hdr_len + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, pkt + hdr_len + plain) != 1)
		crypto_fail();
	EVP_CIPHER_CTX_free(c);
	/* header protection: the sample starts 4 bytes after the packet number's start */
	size_t pn_off = hdr_len - pn_len;
	uint8_t mask[32];
	c = EVP_CIPHER_CTX_new();
	if (!c || EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k->hp, NULL) != 1)
		crypto_fail();
	EVP_CIPHER_CTX_set_padding(c, 0);
	if (EVP_EncryptUpdate(c, mask, &n, pkt + pn_off + 4, 16) != 1)
		crypto_fail();
	EVP_CIPHER_CTX_free(c);
	pkt[0] ^= mask[0] & 0x0f;
	for (size_t i = 0; i < pn_len; i++)
		pkt[pn_off + i] ^= mask[1 + i];
	return hdr_len + plain + TAG_LEN;
}

static void varint(struct wbuf *b, uint64_t v)
{
	if (v < 64)
		wb_u8(b, (unsigned)v);
	else if (v < 16384)
		wb_be16(b, 0x4000 | (unsigned)v);
	else
		wb_be32(b, 0x80000000u | (uint32_t)v);
}

/* A long header up to the 2-byte Length and a 2-byte packet number. */
static void long_header(struct wbuf *b, unsigned type, const uint8_t *dcid, const uint8_t *scid, size_t length,
			uint16_t pn)
{
	wb_u8(b, 0xc0 | (type << 4) | 0x01); /* packet number length 2 */
	wb_be32(b, 1);
	wb_u8(b, CID_LEN);
	wb_mem(b, dcid, CID_LEN);
	wb_u8(b, CID_LEN);
	wb_mem(b, scid, CID_LEN);
	if (type == 0)
		wb_u8(b, 0); /* token length */
	wb_be16(b, 0x4000 | (unsigned)length);
	wb_be16(b, pn);
}

uint64_t gen_quic_connection(struct gen_ctx *g, struct gen_conn *c, uint64_t ts, const char *sni, const char *alpn,
			     unsigned data_packets, uint32_t rtt_us)
{
	uint8_t dcid[CID_LEN], scid[CID_LEN], server_cid[CID_LEN];
	gen_rng_bytes(&g->rng, dcid, CID_LEN);
	gen_rng_bytes(&g->rng, scid, CID_LEN);
	gen_rng_bytes(&g->rng, server_cid, CID_LEN);
	uint8_t hello[1024];
	size_t nh = gen_tls_client_hello(hello, sizeof hello, &g->rng, sni, alpn, true, scid, CID_LEN);

	/* client Initial: CRYPTO then PADDING up to a 1200-byte datagram */
	struct keys ck, sk;
	initial_keys(dcid, CID_LEN, false, &ck);
	size_t hdr = 1 + 4 + 1 + CID_LEN + 1 + CID_LEN + 1 + 2 + 2;
	size_t payload = QUIC_MIN_DATAGRAM - hdr - TAG_LEN;
	uint8_t *pkt = g->msg;
	struct wbuf b = wb_make(pkt, sizeof g->msg);
	long_header(&b, 0, dcid, scid, 2 + payload + TAG_LEN, 0);
	size_t start = b.len;
	wb_u8(&b, 0x06); /* CRYPTO */
	varint(&b, 0);
	varint(&b, nh);
	wb_mem(&b, hello, nh);
	if (b.len - start > payload)
		gen_wb_overflow();
	wb_zero(&b, payload - (b.len - start));
	wb_room(&b, TAG_LEN);
	size_t n = protect(&ck, pkt, hdr, 2, 0, payload);
	g->tag = TAG_QUIC_CH;
	gen_udp(g, c, 0, ts, pkt, n);
	uint64_t t = ts + rtt_us;

	/* server Initial: ACK of packet 0, CRYPTO with the ServerHello (keys from the same DCID) */
	initial_keys(dcid, CID_LEN, true, &sk);
	uint8_t sh[256];
	size_t nsh = gen_tls_server_hello(sh, sizeof sh, &g->rng, true);
	uint8_t frames[512];
	struct wbuf f = wb_make(frames, sizeof frames);
	wb_u8(&f, 0x02); /* ACK: largest 0, delay, 0 ranges, first range 0 */
	varint(&f, 0);
	varint(&f, 0);
	varint(&f, 0);
	varint(&f, 0);
	wb_u8(&f, 0x06);
	varint(&f, 0);
	varint(&f, nsh);
	wb_mem(&f, sh, nsh);
	b = wb_make(pkt, sizeof g->msg);
	long_header(&b, 0, scid, server_cid, 2 + f.len + TAG_LEN, 0);
	wb_mem(&b, frames, f.len);
	wb_room(&b, TAG_LEN);
	n = protect(&sk, pkt, hdr, 2, 0, f.len);
	gen_udp(g, c, 1, t, pkt, n);

	/* server Handshake packet: encrypted extensions, certificate, verify, finished */
	size_t hs = gen_rng_between(&g->rng, 1000, 1150);
	b = wb_make(pkt, sizeof g->msg);
	long_header(&b, 2, scid, server_cid, 2 + hs, 0);
	gen_rng_bytes(&g->rng, wb_room(&b, hs), hs);
	b.p[0] = (uint8_t)((b.p[0] & 0xf0) | (gen_rng_below(&g->rng, 16))); /* protected low bits */
	gen_udp(g, c, 1, t + 100, pkt, b.len);

	/* 1-RTT short-header packets: fixed bit set, the peer's connection id, ciphertext */
	for (unsigned i = 0; i < data_packets; i++) {
		int dir = i % 3 == 0 ? 0 : 1; /* mostly downloads */
		size_t len = dir ? gen_rng_between(&g->rng, 200, 1250) : gen_rng_between(&g->rng, 40, 400);
		b = wb_make(pkt, sizeof g->msg);
		wb_u8(&b, 0x40 | gen_rng_below(&g->rng, 64));
		wb_mem(&b, dir ? scid : server_cid, CID_LEN);
		gen_rng_bytes(&g->rng, wb_room(&b, len), len);
		t += dir ? gen_rng_between(&g->rng, 100, 3000) : rtt_us / 2;
		gen_udp(g, c, dir, t, pkt, b.len);
	}
	return t;
}
