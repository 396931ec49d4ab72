/* memtext.c — text built with stdio into memory (memtext.h). */
#include "core/memtext.h"

#include <stdlib.h>

FILE *memtext_open(struct memtext *mt)
{
	mt->buf = NULL;
	mt->len = 0;
	mt->f = open_memstream(&mt->buf, &mt->len);
	return mt->f;
}

char *memtext_close(struct memtext *mt, size_t *len)
{
	if (fclose(mt->f) != 0) {
		free(mt->buf);
		return NULL;
	}
	if (len)
		*len = mt->len;
	return mt->buf;
}
