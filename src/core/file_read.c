/* file_read.c — a small input file read whole (file_read.h). */
#include "core/file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

int file_read_all(const char *path, size_t max, const char *kind, char **buf, size_t *len, char *errbuf,
		  size_t errlen)
{
	int rc = -1;
	size_t cap = 0, n = 0;
	char *b = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				snprintf(errbuf, errlen, "%s: larger than %zu bytes: not %s", path, max, kind);
				goto out;
			}
			if (!vec_grow(&b, &cap, n + 1, 1, 8192)) {
				snprintf(errbuf, errlen, "%s: out of memory", path);
				goto out;
			}
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(errbuf, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	*buf = b;
	*len = n;
	b = NULL;
	rc = 0;
out:
	free(b);
	fclose(f);
	return rc;
}
