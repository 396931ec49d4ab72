/* custody.c — the captures of a run and their hashes (custody.h). */
#include "run/custody.h"

#include "core/timefmt.h"
#include "record/custody_read.h"
#include "record/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "core/memtext.h"
#include "core/sha256file.h"

int custody_probe(struct custody *cu, const struct run_options *opt, char *errbuf, size_t errlen)
{
	memset(cu, 0, sizeof *cu);
	cu->opt = opt;
	for (size_t i = 0; i < opt->ncaptures; i++) {
		if (strcmp(opt->captures[i], "-") == 0) {
			cu->stdin_capture = true;
			snprintf(cu->caps[i].sha256, sizeof cu->caps[i].sha256, "stdin");
			continue;
		}
		struct capture_source probe;
		if (capture_file_open(opt->captures[i], &probe, errbuf, errlen) != 0)
			return RUN_BAD_INPUT;
		capture_close(&probe);
	}
	return RUN_OK;
}

bool custody_is_file(const struct custody *cu, size_t i)
{
	return strcmp(cu->opt->captures[i], "-") != 0;
}

static int custody_hash(struct custody *cu, char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < cu->opt->ncaptures; i++) {
		if (!custody_is_file(cu, i))
			continue;
		if (sha256_file(cu->opt->captures[i], cu->caps[i].sha256, &cu->caps[i].size) != 0) {
			snprintf(errbuf, errlen, "%s: cannot read", cu->opt->captures[i]);
			return RUN_BAD_INPUT;
		}
	}
	return RUN_OK;
}

static void *hash_thread(void *arg)
{
	struct custody *cu = arg;
	cu->status = custody_hash(cu, cu->err, sizeof cu->err);
	__atomic_store_n(&cu->done, true, __ATOMIC_RELEASE);
	return NULL;
}

int custody_hash_beside(struct custody *cu, char *errbuf, size_t errlen)
{
	if (pthread_create(&cu->thread, NULL, hash_thread, cu) != 0) {
		snprintf(errbuf, errlen, "cannot start the thread that hashes the captures");
		return RUN_FAILED;
	}
	cu->started = true;
	return RUN_OK;
}

bool custody_hashed(struct custody *cu)
{
	return !cu->started || __atomic_load_n(&cu->done, __ATOMIC_ACQUIRE);
}

int custody_wait(struct custody *cu, char *errbuf, size_t errlen)
{
	if (!cu->started)
		return RUN_OK;
	pthread_join(cu->thread, NULL);
	cu->started = false;
	if (cu->status != RUN_OK)
		snprintf(errbuf, errlen, "%s", cu->err);
	return cu->status;
}

void custody_text(FILE *m, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', m);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, m);
	}
}

char *custody_json(const struct custody *cu)
{
	struct memtext mt;
	FILE *m = memtext_open(&mt);
	if (!m)
		return NULL;
	fputc('[', m);
	for (size_t i = 0; i < cu->opt->ncaptures; i++) {
		fprintf(m, "%s{\"path\":\"", i ? "," : "");
		custody_text(m, cu->opt->captures[i]);
		fprintf(m, "\",\"sha256\":\"%s\",\"size\":%llu}", cu->caps[i].sha256,
			(unsigned long long)cu->caps[i].size);
	}
	fputc(']', m);
	return memtext_close(&mt, NULL);
}

#define EVIDENCE_CAPTURE "{\"capture\":\""
#define PLACEHOLDER "pending-capture-"
enum { HASH_HEX = 64 };

void custody_placeholder(uint32_t index, char out[65])
{
	snprintf(out, 65, PLACEHOLDER "%0*u", HASH_HEX - (int)(sizeof PLACEHOLDER - 1), index);
}

void custody_fill(char *evidence, const char (*hashes)[65], size_t n)
{
	const size_t at = sizeof EVIDENCE_CAPTURE - 1;
	if (strncmp(evidence, EVIDENCE_CAPTURE PLACEHOLDER, at + sizeof PLACEHOLDER - 1) != 0)
		return;
	unsigned long index = strtoul(evidence + at + sizeof PLACEHOLDER - 1, NULL, 10);
	if (index < n && strlen(hashes[index]) == HASH_HEX)
		memcpy(evidence + at, hashes[index], HASH_HEX);
}

void custody_fini(struct custody *cu)
{
	if (cu->started)
		pthread_join(cu->thread, NULL);
	cu->started = false;
}

/* --- a capture already in the store --- */

struct new_check {
	struct custody_capture mine[RUN_MAX_CAPTURES];
	size_t n;
	const struct custody_capture *dup; /* the one found again */
	uint64_t run_id, run_started_us;
	bool interrupted;
};

static bool is_hash(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int collect_mine(void *ud, const struct custody_capture *c)
{
	struct new_check *k = ud;
	if (is_hash(c->sha256) && k->n < RUN_MAX_CAPTURES)
		k->mine[k->n++] = *c;
	return 0;
}

static int compare_theirs(void *ud, const struct custody_capture *c)
{
	struct new_check *k = ud;
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->mine[i].sha256, c->sha256) == 0) {
			k->dup = &k->mine[i];
			return 1;
		}
	return 0;
}

static int check_run(const struct run_info *ri, void *ud)
{
	struct new_check *k = ud;
	if (ri->captures && custody_captures_each(ri->captures, compare_theirs, k) >= 0 && k->dup) {
		k->run_id = ri->id;
		k->run_started_us = ri->started_us;
		k->interrupted = ri->status && strcmp(ri->status, "running") == 0;
		return 1;
	}
	return 0;
}

int custody_check_new(struct store *s, const char *db_path, const char *captures_json, char *errbuf,
		      size_t errlen)
{
	struct new_check *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(errbuf, errlen, "out of memory");
		return RUN_FAILED;
	}
	int status = RUN_OK;
	char err[256] = "";
	if (custody_captures_each(captures_json, collect_mine, k) > 0 && k->n &&
	    store_each_run(s, check_run, k, err, sizeof err) > 0 && k->dup) {
		char when[TS_STRLEN];
		snprintf(errbuf, errlen,
			 "%s: capture %s (SHA-256 %.16s...) is already in this store (run %llu of %s%s); --again records "
			 "it again", db_path, k->dup->path, k->dup->sha256, (unsigned long long)k->run_id,
			 ts_format(k->run_started_us, when, sizeof when),
			 k->interrupted ? ", interrupted: --resume continues it" : "");
		status = RUN_BAD_INPUT;
	}
	free(k);
	return status;
}
