/*
 * fuzz_json.c — the libFuzzer target for the JSON reader (record/json_read.h) and the
 * custody's captures read with it (record/custody_read.h): the JSON pentrap reads back
 * from a store, which someone may have edited.
 *
 * The input is the text; every token it yields is read every way the reader offers
 * (strings unescaped into a small buffer, numbers, members looked up), then the text is
 * read as a run's list of captures.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/custody_read.h"
#include "record/json_read.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int count_capture(void *ud, const struct custody_capture *c)
{
	*(size_t *)ud += strlen(c->path) + strlen(c->sha256);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { MAX_TOKENS = 256 };
	struct json_token tok[MAX_TOKENS];
	struct json_doc d;
	const char *text = (const char *)data;
	long n = json_parse(text, size, tok, MAX_TOKENS, &d);
	long counted = json_parse(text, size, NULL, 0, NULL);
	if (n >= 0 && counted != n)
		abort(); /* counting and laying out must agree */
	for (long i = 0; i < n; i++) {
		char buf[8];
		uint64_t v;
		if (tok[i].next <= (uint32_t)i || tok[i].next > (uint32_t)n || tok[i].end > size)
			abort();
		json_string(&d, (size_t)i, buf, sizeof buf);
		json_string_is(&d, (size_t)i, "path");
		json_u64(&d, (size_t)i, &v);
		json_get(&d, (size_t)i, "path");
		json_first(&d, (size_t)i);
	}
	char *copy = malloc(size + 1); /* custody text is NUL-terminated */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	size_t sum = 0;
	custody_captures_each(copy, count_capture, &sum);
	free(copy);
	return 0;
}
