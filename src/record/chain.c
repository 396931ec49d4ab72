/*
 * chain.c — SHA-256 over the record's canonical JSON form without the `hash` field.
 * The canonical form is record_write_json's output with hash empty: fixed field order,
 * fixed number formats, so the same record always hashes the same.
 */
#include "record/chain.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void chain_hash_record(const struct record *r, char out[HASH_HEX_LEN])
{
	struct record canon = *r;
	canon.hash[0] = '\0';
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	out[0] = '\0';
	if (!mem)
		return;
	record_write_json(&canon, mem);
	fclose(mem);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (EVP_Digest(buf, len, digest, &dlen, EVP_sha256(), NULL) == 1) {
		for (unsigned i = 0; i < dlen && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", digest[i]);
	}
	free(buf);
}
