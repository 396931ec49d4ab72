/* errbuf.c — one-line errors (errbuf.h). */
#include "core/errbuf.h"

#include <stdio.h>

int errbuf_vset(char *errbuf, size_t errlen, const char *where, unsigned long line, const char *fmt, va_list ap)
{
	char msg[512];
	if (errlen == 0)
		return -1;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (line)
		snprintf(errbuf, errlen, "%s:%lu: %s", where, line, msg);
	else
		snprintf(errbuf, errlen, "%s: %s", where, msg);
	return -1;
}
