/*
 * errbuf.h — the one-line error of a setup path (libpcap's errbuf): the caller gives a
 * buffer, the callee writes "WHERE: problem" or "WHERE:LINE: problem" into it, and the
 * command line prints it as it is.
 */
#ifndef PENTRAP_CORE_ERRBUF_H
#define PENTRAP_CORE_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* Writes "WHERE:LINE: message" (line 0: "WHERE: message") into errbuf (errlen 0: nothing),
 * the message formatted from fmt and ap; returns -1, the setup paths' failure. */
int errbuf_vset(char *errbuf, size_t errlen, const char *where, unsigned long line, const char *fmt, va_list ap);

#endif
