/*
 * memtext.h — text built with stdio into memory (open_memstream): the JSON bodies,
 * custody lists, DOT graphs and canonical lines that are written with fprintf and then
 * kept, hashed or sent as one string.
 *
 *     struct memtext mt;
 *     FILE *f = memtext_open(&mt);
 *     if (!f)
 *             return NULL;
 *     fprintf(f, ...);
 *     return memtext_close(&mt, len);
 */
#ifndef PENTRAP_CORE_MEMTEXT_H
#define PENTRAP_CORE_MEMTEXT_H

#include <stddef.h>
#include <stdio.h>

struct memtext {
	char *buf;
	size_t len;
	FILE *f;
};

/* A stream whose text goes into mt; NULL when out of memory (nothing to close then). */
FILE *memtext_open(struct memtext *mt);

/* Closes mt's stream: the text written, NUL-terminated (caller frees), its length into
 * *len unless len is NULL; NULL when writing it failed (out of memory). */
char *memtext_close(struct memtext *mt, size_t *len);

#endif
