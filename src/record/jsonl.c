/*
 * jsonl.c — the JSON lines sink: record_write_json and a newline per record, to a file
 * (created or truncated) or to standard output ("-").
 */
#include "record/jsonl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jsonl {
	FILE *f;
	bool is_stdout;
	char path[];
};

static int jsonl_fail(const struct jsonl *j, char *errbuf, size_t errlen, const char *what, int err)
{
	if (errlen)
		snprintf(errbuf, errlen, "%s: %s: %s", j->is_stdout ? "standard output" : j->path, what,
			 strerror(err ? err : EIO));
	return -1;
}

static int jsonl_write(void *impl, const struct record *r, char *errbuf, size_t errlen)
{
	struct jsonl *j = impl;
	errno = 0;
	record_write_json(r, j->f);
	if (fputc('\n', j->f) == EOF || ferror(j->f))
		return jsonl_fail(j, errbuf, errlen, "cannot write", errno);
	return 0;
}

static int jsonl_flush(void *impl, char *errbuf, size_t errlen)
{
	struct jsonl *j = impl;
	errno = 0;
	if (fflush(j->f) != 0 || ferror(j->f))
		return jsonl_fail(j, errbuf, errlen, "cannot write", errno);
	return 0;
}

static void jsonl_close(void *impl)
{
	struct jsonl *j = impl;
	if (!j)
		return;
	if (j->is_stdout)
		fflush(j->f);
	else
		fclose(j->f);
	free(j);
}

static const struct record_sink_ops jsonl_ops = {
	.name = "jsonl",
	.write = jsonl_write,
	.flush = jsonl_flush,
	.close = jsonl_close,
};

int jsonl_sink_open(const char *path, struct record_sink *out, char *errbuf, size_t errlen)
{
	size_t plen = strlen(path);
	struct jsonl *j = calloc(1, sizeof *j + plen + 1);
	if (!j) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(j->path, path, plen + 1);
	if (strcmp(path, "-") == 0) {
		j->f = stdout;
		j->is_stdout = true;
	} else if (!(j->f = fopen(path, "w"))) {
		snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
		free(j);
		return -1;
	}
	out->ops = &jsonl_ops;
	out->impl = j;
	return 0;
}
