/* str.c — bounded copies and case folding of NUL-terminated text (str.h). */
#include "core/str.h"

#include <string.h>

size_t str_copy(char *dst, size_t cap, const char *src)
{
	if (cap == 0)
		return 0;
	size_t n = src ? strnlen(src, cap - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
	return n;
}

void str_lower(char *s)
{
	for (; *s; s++)
		*s = str_lower_char(*s);
}
