/* custody_read.c — a run's captures read back from its custody (custody_read.h). */
#include "record/custody_read.h"

#include <stdlib.h>
#include <string.h>

#include "record/json_read.h"

long custody_captures_each(const char *json, custody_capture_fn fn, void *ud)
{
	size_t len = json ? strlen(json) : 0;
	long ntok = json_parse(json, len, NULL, 0, NULL);
	if (ntok <= 0)
		return -1;
	struct json_token *tok = malloc((size_t)ntok * sizeof *tok);
	struct json_doc d;
	long n = -1;
	if (!tok || json_parse(json, len, tok, (size_t)ntok, &d) != ntok || tok[0].type != JSON_ARRAY)
		goto out;
	n = 0;
	size_t e = 1; /* the array's first element */
	for (uint32_t k = 0; k < tok[0].size; k++, e = tok[e].next, n++) {
		struct custody_capture c = { .size = 0 };
		long path = json_get(&d, e, "path"), hash = json_get(&d, e, "sha256"), size = json_get(&d, e, "size");
		if (path < 0 || json_string(&d, (size_t)path, c.path, sizeof c.path) < 0) {
			n = -1;
			goto out;
		}
		if (hash >= 0)
			json_string(&d, (size_t)hash, c.sha256, sizeof c.sha256);
		if (size >= 0)
			json_u64(&d, (size_t)size, &c.size);
		if (fn(ud, &c) != 0) {
			n++;
			break;
		}
	}
out:
	free(tok);
	return n;
}
