/*
 * sign.h — the sensor's Ed25519 key (RFC 8032, through OpenSSL libcrypto): made by
 * `pentrap keygen`, kept as PEM files (PKCS#8 private key, SubjectPublicKeyInfo public
 * key), used to sign checkpoints; the public half is kept in the store and can be given
 * separately to `pentrap verify`. Trust model: docs/evidence.md.
 *
 * Memory: a struct sign_key owns its OpenSSL key; free with sign_key_free (accepts NULL).
 */
#ifndef PENTRAP_RECORD_SIGN_H
#define PENTRAP_RECORD_SIGN_H

#include <stdbool.h>
#include <stddef.h>

enum {
	SIGN_KEY_ID_LEN = 65,   /* hex SHA-256 of the raw 32-byte public key, and a NUL */
	SIGN_SIG_HEX_LEN = 129, /* hex of the 64-byte Ed25519 signature, and a NUL */
};

struct sign_key;

/* A new random key pair; NULL when out of memory or entropy. */
struct sign_key *sign_key_generate(void);
/* Loads a private key (PEM) from path. -1 and one line "PATH: problem" in errbuf. */
int sign_key_load_private(const char *path, struct sign_key **out, char *errbuf, size_t errlen);
/* Loads a public key (PEM text, NUL-terminated). -1 and a message when it is not Ed25519. */
int sign_key_from_public_pem(const char *pem, struct sign_key **out, char *errbuf, size_t errlen);
/* Loads a public key (or a private key, whose public half is taken) from a PEM file. */
int sign_key_load_public(const char *path, struct sign_key **out, char *errbuf, size_t errlen);
void sign_key_free(struct sign_key *k);

bool sign_key_has_private(const struct sign_key *k);
/* The key's id: lower-case hex SHA-256 of the raw public key. */
void sign_key_id(const struct sign_key *k, char out[SIGN_KEY_ID_LEN]);
/* The public key as PEM text; caller frees. NULL when out of memory. */
char *sign_key_public_pem(const struct sign_key *k);

/*
 * Writes the private key (PEM, mode 0600) to path, refusing to replace an existing
 * file; and the public key (PEM, 0644) to pub_path when not NULL, likewise.
 */
int sign_key_save(const struct sign_key *k, const char *path, const char *pub_path, char *errbuf,
		  size_t errlen);

/* Signs msg[0..len) with the private key: hex into sig. -1 on failure. */
int sign_message(const struct sign_key *k, const void *msg, size_t len, char sig[SIGN_SIG_HEX_LEN]);
/* True when sig (hex) is k's signature of msg[0..len). */
bool sign_verify(const struct sign_key *k, const void *msg, size_t len, const char *sig);

#endif
