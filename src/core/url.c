/* url.c — a URL with its password hidden (url.h). */
#include "core/url.h"

#include <stdio.h>
#include <string.h>

void url_hide_password(const char *url, char *out, size_t len)
{
	if (len == 0)
		return;
	snprintf(out, len, "%s", url ? url : "");
	char *scheme = strstr(out, "://");
	char *at = scheme ? strrchr(scheme + 3, '@') : NULL;
	char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (at && colon && colon < at) {
		char rest[1024];
		snprintf(rest, sizeof rest, "%s", at);
		snprintf(colon, len - (size_t)(colon - out), ":***%s", rest);
	}
}
