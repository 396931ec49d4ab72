/* sha256file.h — SHA-256 as lower-case hex: of a file (custody of captures) or of bytes in memory
 * (an order's or a definitions file's text, the chain's records). */
#ifndef PENTRAP_CORE_SHA256FILE_H
#define PENTRAP_CORE_SHA256FILE_H

#include <stddef.h>
#include <stdint.h>

/* Hashes the file at path: lower-case hex into out (65 bytes), size into *size. -1 on error. */
int sha256_file(const char *path, char out[65], uint64_t *size);

/* Hashes len bytes at data: lower-case hex into out (65 bytes), "" if OpenSSL fails. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
