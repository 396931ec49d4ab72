/* sha256file.h — a file's SHA-256, for custody of captures and orders. */
#ifndef PENTRAP_CORE_SHA256FILE_H
#define PENTRAP_CORE_SHA256FILE_H

#include <stddef.h>
#include <stdint.h>

/* Hashes the file at path: lower-case hex into out (65 bytes), size into *size. -1 on error. */
int sha256_file(const char *path, char out[65], uint64_t *size);

#endif
