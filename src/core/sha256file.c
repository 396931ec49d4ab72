/* sha256file.c — streaming SHA-256 of a file with OpenSSL's EVP interface. */
#include "core/sha256file.h"

#include <openssl/evp.h>
#include <stdio.h>

int sha256_file(const char *path, char out[65], uint64_t *size)
{
	int rc = -1;
	unsigned char buf[1 << 16], digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	uint64_t total = 0;
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!f || !ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		EVP_DigestUpdate(ctx, buf, n);
		total += n;
	}
	if (ferror(f) || EVP_DigestFinal_ex(ctx, digest, &dlen) != 1)
		goto out;
	for (unsigned i = 0; i < dlen; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
	if (size)
		*size = total;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	if (f)
		fclose(f);
	return rc;
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	out[0] = '\0';
	if (EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32)
		return;
	for (unsigned i = 0; i < dlen; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}
