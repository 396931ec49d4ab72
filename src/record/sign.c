/*
 * sign.c — Ed25519 keys and signatures (RFC 8032, pure Ed25519: the message itself is
 * signed, no pre-hash) through OpenSSL's EVP interface. Keys are PEM files: PKCS#8 for
 * the private key, SubjectPublicKeyInfo for the public key, as `openssl genpkey
 * -algorithm ed25519` and `openssl pkey -pubout` write them, so either tool can make or
 * check them. A key's id is the SHA-256 of its raw 32-byte public key.
 */
#include "record/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { ED25519_RAW = 32, ED25519_SIG = 64, PEM_MAX = 16384 };

struct sign_key {
	EVP_PKEY *pkey;
	bool has_private;
};

static struct sign_key *wrap(EVP_PKEY *pkey, bool has_private)
{
	struct sign_key *k = calloc(1, sizeof *k);
	if (!k) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->pkey = pkey;
	k->has_private = has_private;
	return k;
}

void sign_key_free(struct sign_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

bool sign_key_has_private(const struct sign_key *k)
{
	return k && k->has_private;
}

struct sign_key *sign_key_generate(void)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &pkey) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey ? wrap(pkey, true) : NULL;
}

/* Reads a whole small file (a PEM key) into a NUL-terminated buffer; caller frees. */
static char *read_small_file(const char *path, char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(errbuf, errlen, "%s: cannot open key: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(PEM_MAX + 1);
	size_t n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
	bool err = ferror(f) != 0;
	fclose(f);
	if (!buf) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (err || n > PEM_MAX) {
		snprintf(errbuf, errlen, "%s: %s", path, err ? "cannot read key" : "not a PEM key (too large)");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* An encrypted key is refused rather than prompted for: pentrap runs unattended. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static int check_ed25519(EVP_PKEY *pkey, const char *what, char *errbuf, size_t errlen)
{
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		snprintf(errbuf, errlen, "%s: not an Ed25519 key", what);
		return -1;
	}
	return 0;
}

int sign_key_load_private(const char *path, struct sign_key **out, char *errbuf, size_t errlen)
{
	*out = NULL;
	char *pem = read_small_file(path, errbuf, errlen);
	if (!pem)
		return -1;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
	BIO_free(bio);
	free(pem);
	ERR_clear_error();
	if (!pkey) {
		snprintf(errbuf, errlen, "%s: not a PEM private key (make one with 'pentrap keygen')", path);
		return -1;
	}
	if (check_ed25519(pkey, path, errbuf, errlen)) {
		EVP_PKEY_free(pkey);
		return -1;
	}
	*out = wrap(pkey, true);
	if (!*out) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

/* A public key from PEM text: SubjectPublicKeyInfo, or a private key's public half. */
static int from_pem(const char *pem, const char *what, struct sign_key **out, char *errbuf, size_t errlen)
{
	*out = NULL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL) : NULL;
	if (!pkey && bio) {
		(void)BIO_reset(bio);
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey) {
		snprintf(errbuf, errlen, "%s: not a PEM public key", what);
		return -1;
	}
	if (check_ed25519(pkey, what, errbuf, errlen)) {
		EVP_PKEY_free(pkey);
		return -1;
	}
	*out = wrap(pkey, false);
	if (!*out) {
		snprintf(errbuf, errlen, "%s: out of memory", what);
		return -1;
	}
	return 0;
}

int sign_key_from_public_pem(const char *pem, struct sign_key **out, char *errbuf, size_t errlen)
{
	return from_pem(pem, "stored public key", out, errbuf, errlen);
}

int sign_key_load_public(const char *path, struct sign_key **out, char *errbuf, size_t errlen)
{
	char *pem = read_small_file(path, errbuf, errlen);
	if (!pem) {
		*out = NULL;
		return -1;
	}
	int rc = from_pem(pem, path, out, errbuf, errlen);
	free(pem);
	return rc;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hexdig[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[b[i] >> 4];
		out[2 * i + 1] = hexdig[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void sign_key_id(const struct sign_key *k, char out[SIGN_KEY_ID_LEN])
{
	unsigned char raw[ED25519_RAW], digest[EVP_MAX_MD_SIZE];
	size_t rlen = sizeof raw;
	unsigned dlen = 0;
	out[0] = '\0';
	if (!k || EVP_PKEY_get_raw_public_key(k->pkey, raw, &rlen) != 1 ||
	    EVP_Digest(raw, rlen, digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32)
		return;
	to_hex(digest, 32, out);
}

char *sign_key_public_pem(const struct sign_key *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (bio && PEM_write_bio_PUBKEY(bio, k->pkey) == 1) {
		char *data;
		long n = BIO_get_mem_data(bio, &data);
		if (n > 0 && (out = malloc((size_t)n + 1))) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

/* Creates path exclusively with mode and writes the key into it. */
static int write_pem(const char *path, mode_t mode, const struct sign_key *k, bool private_part,
		     char *errbuf, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: %s", path,
			 errno == EEXIST ? "already exists (a key is never overwritten)" : strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0) { /* whatever the umask was */
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(path);
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int ok = private_part ? PEM_write_PrivateKey(f, k->pkey, NULL, NULL, 0, NULL, NULL)
			      : PEM_write_PUBKEY(f, k->pkey);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	ERR_clear_error();
	if (ok != 1) {
		unlink(path);
		snprintf(errbuf, errlen, "%s: cannot write the key", path);
		return -1;
	}
	return 0;
}

int sign_key_save(const struct sign_key *k, const char *path, const char *pub_path, char *errbuf,
		  size_t errlen)
{
	if (!k->has_private) {
		snprintf(errbuf, errlen, "%s: no private key to save", path);
		return -1;
	}
	if (pub_path && access(pub_path, F_OK) == 0) {
		snprintf(errbuf, errlen, "%s: already exists (a key is never overwritten)", pub_path);
		return -1;
	}
	if (write_pem(path, 0600, k, true, errbuf, errlen))
		return -1;
	if (pub_path && write_pem(pub_path, 0644, k, false, errbuf, errlen)) {
		unlink(path);
		return -1;
	}
	return 0;
}

int sign_message(const struct sign_key *k, const void *msg, size_t len, char sig[SIGN_SIG_HEX_LEN])
{
	unsigned char raw[ED25519_SIG];
	size_t slen = sizeof raw;
	int rc = -1;
	sig[0] = '\0';
	if (!k || !k->has_private)
		return -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(ctx, raw, &slen, msg, len) == 1 && slen == ED25519_SIG) {
		to_hex(raw, slen, sig);
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool sign_verify(const struct sign_key *k, const void *msg, size_t len, const char *sig)
{
	unsigned char raw[ED25519_SIG];
	if (!k || !sig || strlen(sig) != 2 * ED25519_SIG)
		return false;
	for (size_t i = 0; i < ED25519_SIG; i++) {
		int hi = hexval(sig[2 * i]), lo = hexval(sig[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		  EVP_DigestVerify(ctx, raw, sizeof raw, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}
