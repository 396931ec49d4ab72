/*
 * quic_crypto.h — QUIC Initial packet protection: the keys every observer can derive
 * from the client's Destination Connection ID (RFC 9001 section 5.2, RFC 9369 section
 * 3.3 for version 2), header protection (RFC 9001 section 5.4) and the AEAD
 * (AEAD_AES_128_GCM, section 5.3), through OpenSSL's EVP interface.
 *
 * Initial protection is not secrecy: the salt is public and the DCID is on the wire,
 * so the ClientHello inside is as readable as TCP's. Nothing past the Initial packets
 * (Handshake, 1-RTT) can be opened, and pentrap does not try.
 *
 * Memory: struct quic_crypto holds the reusable cipher contexts (one per QUIC module
 * instance), so decrypting a packet allocates nothing.
 */
#ifndef PENTRAP_PROTO_QUIC_CRYPTO_H
#define PENTRAP_PROTO_QUIC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	QUIC_V1 = 0x00000001,
	QUIC_V2 = 0x6b3343cf,
	QUIC_CID_MAX = 20,
	QUIC_KEY_LEN = 16,
	QUIC_IV_LEN = 12,
	QUIC_TAG_LEN = 16,
	QUIC_SAMPLE_LEN = 16,
};

/* The Initial keys of one direction. */
struct quic_keys {
	uint8_t key[QUIC_KEY_LEN];
	uint8_t iv[QUIC_IV_LEN];
	uint8_t hp[QUIC_KEY_LEN];
};

/* True for the versions whose Initial protection we know: v1, v2, drafts 23..34. */
bool quic_version_known(uint32_t version);
/* True for versions using v2's long-header packet type bits (RFC 9369 section 3.2). */
bool quic_version_is_v2(uint32_t version);

struct quic_crypto;
struct quic_crypto *quic_crypto_new(void);
void quic_crypto_free(struct quic_crypto *qc); /* accepts NULL */

/*
 * Derives the Initial keys of the client (server = false) or server side from the
 * client's first Destination Connection ID. Returns 0, or -1 for an unknown version
 * or an OpenSSL failure.
 */
int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
		      struct quic_keys *out);

/* The 5-byte header protection mask for a 16-byte sample (AES-128-ECB). 0 or -1. */
int quic_hp_mask(struct quic_crypto *qc, const struct quic_keys *k, const uint8_t sample[QUIC_SAMPLE_LEN],
		 uint8_t mask[5]);

/*
 * Opens an AEAD-protected payload: ct is ct_len bytes including the 16-byte tag; the
 * plaintext (ct_len - 16 bytes) goes to out. aad is the unprotected header. 0 when the
 * tag verifies, -1 otherwise.
 */
int quic_aead_open(struct quic_crypto *qc, const struct quic_keys *k, uint64_t pn, const uint8_t *aad,
		   size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out);

#endif
