/*
 * quic_crypto.c — QUIC Initial keys and packet protection with OpenSSL EVP.
 *
 *   initial_secret = HKDF-Extract(salt(version), client_dcid)            RFC 9001 5.2
 *   side_secret    = HKDF-Expand-Label(initial_secret, "client in" | "server in", "", 32)
 *   key, iv, hp    = HKDF-Expand-Label(side_secret, "quic key" | "quic iv" | "quic hp", "", 16|12|16)
 *                    version 2: "quicv2 key", "quicv2 iv", "quicv2 hp"    RFC 9369 3.3.2
 *   HKDF-Expand-Label(S, L, "", n) = HKDF-Expand(S, uint16(n) || uint8(6+|L|) || "tls13 " L || uint8(0), n)
 *                                                                          RFC 8446 7.1
 *   header protection mask = AES-128-ECB(hp, sample)[0..5)                 RFC 9001 5.4.3
 *   payload = AES-128-GCM(key, nonce = iv XOR pn (left-padded), aad = header)  RFC 9001 5.3
 *
 * Salts: v1 (RFC 9001 5.2), v2 (RFC 9369 3.3.1), and two used by the IETF drafts that
 * are still seen in captures (draft-ietf-quic-tls-23..28 and -29..32 section 5.2).
 */
#include "proto/quic_crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

enum { SECRET_LEN = 32, SALT_LEN = 20, LABEL_MAX = 64 };

static const uint8_t SALT_V1[SALT_LEN] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
					   0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };
static const uint8_t SALT_V2[SALT_LEN] = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
					   0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 };
static const uint8_t SALT_D29[SALT_LEN] = { 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
					    0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 };
static const uint8_t SALT_D23[SALT_LEN] = { 0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
					    0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02 };

struct quic_crypto {
	EVP_CIPHER_CTX *gcm;
	EVP_CIPHER_CTX *ecb;
};

static const uint8_t *salt_for(uint32_t version)
{
	if (version == QUIC_V1)
		return SALT_V1;
	if (version == QUIC_V2)
		return SALT_V2;
	if ((version & 0xffffff00u) == 0xff000000u) { /* IETF drafts: 0xff0000NN */
		unsigned draft = version & 0xff;
		if (draft >= 29 && draft <= 34)
			return SALT_D29;
		if (draft >= 23 && draft <= 28)
			return SALT_D23;
	}
	return NULL;
}

bool quic_version_known(uint32_t version)
{
	return salt_for(version) != NULL;
}

bool quic_version_is_v2(uint32_t version)
{
	return version == QUIC_V2;
}

struct quic_crypto *quic_crypto_new(void)
{
	struct quic_crypto *qc = calloc(1, sizeof *qc);
	if (!qc)
		return NULL;
	qc->gcm = EVP_CIPHER_CTX_new();
	qc->ecb = EVP_CIPHER_CTX_new();
	if (!qc->gcm || !qc->ecb) {
		quic_crypto_free(qc);
		return NULL;
	}
	return qc;
}

void quic_crypto_free(struct quic_crypto *qc)
{
	if (!qc)
		return;
	EVP_CIPHER_CTX_free(qc->gcm);
	EVP_CIPHER_CTX_free(qc->ecb);
	free(qc);
}

/* HKDF in one mode (extract or expand) with SHA-256. */
static int hkdf(int mode, const uint8_t *salt, size_t salt_len, const uint8_t *key, size_t key_len,
		const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	int rc = -1;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	if (!ctx)
		goto out;
	OSSL_PARAM params[6], *p = params;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	if (info)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, out_len, params) == 1)
		rc = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

static int expand_label(const uint8_t *secret, const char *label, uint8_t *out, size_t out_len)
{
	uint8_t info[4 + LABEL_MAX];
	size_t llen = strlen(label);
	if (6 + llen > LABEL_MAX)
		return -1;
	size_t n = 0;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + llen);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = 0; /* empty context */
	return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret, SECRET_LEN, info, n, out, out_len);
}

int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
		      struct quic_keys *out)
{
	const uint8_t *salt = salt_for(version);
	uint8_t initial[SECRET_LEN], side[SECRET_LEN];
	bool v2 = quic_version_is_v2(version);
	if (!salt || dcid_len > QUIC_CID_MAX)
		return -1;
	if (hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, SALT_LEN, dcid, dcid_len, NULL, 0, initial, SECRET_LEN) ||
	    expand_label(initial, server ? "server in" : "client in", side, SECRET_LEN) ||
	    expand_label(side, v2 ? "quicv2 key" : "quic key", out->key, QUIC_KEY_LEN) ||
	    expand_label(side, v2 ? "quicv2 iv" : "quic iv", out->iv, QUIC_IV_LEN) ||
	    expand_label(side, v2 ? "quicv2 hp" : "quic hp", out->hp, QUIC_KEY_LEN))
		return -1;
	return 0;
}

int quic_hp_mask(struct quic_crypto *qc, const struct quic_keys *k, const uint8_t sample[QUIC_SAMPLE_LEN],
		 uint8_t mask[5])
{
	uint8_t block[32];
	int outl = 0;
	if (EVP_EncryptInit_ex(qc->ecb, EVP_aes_128_ecb(), NULL, k->hp, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(qc->ecb, 0) != 1 ||
	    EVP_EncryptUpdate(qc->ecb, block, &outl, sample, QUIC_SAMPLE_LEN) != 1 || outl != QUIC_SAMPLE_LEN)
		return -1;
	memcpy(mask, block, 5);
	return 0;
}

int quic_aead_open(struct quic_crypto *qc, const struct quic_keys *k, uint64_t pn, const uint8_t *aad,
		   size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out)
{
	if (ct_len < QUIC_TAG_LEN || ct_len - QUIC_TAG_LEN > (size_t)INT32_MAX || aad_len > (size_t)INT32_MAX)
		return -1;
	uint8_t nonce[QUIC_IV_LEN];
	memcpy(nonce, k->iv, QUIC_IV_LEN);
	for (int i = 0; i < 8; i++)
		nonce[QUIC_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
	size_t body = ct_len - QUIC_TAG_LEN;
	int outl = 0, fin = 0;
	EVP_CIPHER_CTX *c = qc->gcm;
	if (EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, QUIC_IV_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1 ||
	    EVP_DecryptUpdate(c, out, &outl, ct, (int)body) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, QUIC_TAG_LEN, (void *)(ct + body)) != 1 ||
	    EVP_DecryptFinal_ex(c, out + outl, &fin) != 1)
		return -1;
	return 0;
}
