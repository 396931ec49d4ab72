/* url.h — a URL as it may be shown: its password hidden (logs, errors, the process list aside). */
#ifndef PENTRAP_CORE_URL_H
#define PENTRAP_CORE_URL_H

#include <stddef.h>

/* scheme://user:secret@host/... → scheme://user:***@host/... into out (cut at len-1). */
void url_hide_password(const char *url, char *out, size_t len);

#endif
