/*
 * test_hook.c — PENTRAP_TEST_HOOK (test_hook.h): signals raised at a frame or record.
 */
#include "core/test_hook.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum hook_point { AT_FRAME, AT_RECORD };

struct hook {
	enum hook_point at;
	uint64_t n;
	int sig;
};

/*
 * The process's hooks: set once by test_hook_load before any frame is read, read-only
 * after. Frames and records are counted on one thread (the reader's, with -j), so the
 * calls below need no lock.
 */
static struct hook hooks[TEST_HOOK_MAX];
static unsigned nhooks;

static const struct {
	const char *name;
	int sig;
} SIGNALS[] = {
	{ "KILL", SIGKILL }, { "STOP", SIGSTOP }, { "HUP", SIGHUP },
	{ "TERM", SIGTERM }, { "INT", SIGINT },   { "USR1", SIGUSR1 },
};

static bool parse_one(const char *item, size_t len, struct hook *h)
{
	char buf[64];
	if (len >= sizeof buf)
		return false;
	memcpy(buf, item, len);
	buf[len] = '\0';
	char *at = strchr(buf, '@');
	if (!at)
		return false;
	*at++ = '\0';
	h->sig = 0;
	for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
		if (strcmp(buf, SIGNALS[i].name) == 0)
			h->sig = SIGNALS[i].sig;
	const char *num;
	if (strncmp(at, "frame:", 6) == 0) {
		h->at = AT_FRAME;
		num = at + 6;
	} else if (strncmp(at, "record:", 7) == 0) {
		h->at = AT_RECORD;
		num = at + 7;
	} else {
		return false;
	}
	char *end;
	if (*num < '0' || *num > '9')
		return false;
	unsigned long long n = strtoull(num, &end, 10);
	h->n = n;
	return h->sig && *end == '\0' && n > 0;
}

int test_hook_load(char *errbuf, size_t errlen)
{
	nhooks = 0;
	const char *spec = getenv("PENTRAP_TEST_HOOK");
	if (!spec || !*spec)
		return 0;
	for (const char *p = spec; *p;) {
		size_t len = strcspn(p, ",");
		if (nhooks == TEST_HOOK_MAX || !parse_one(p, len, &hooks[nhooks])) {
			snprintf(errbuf, errlen,
				 "PENTRAP_TEST_HOOK: '%.*s' is not SIGNAL@frame:N or SIGNAL@record:N (at most %d)",
				 (int)len, p, TEST_HOOK_MAX);
			nhooks = 0;
			return -1;
		}
		nhooks++;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void fire(enum hook_point at, uint64_t n)
{
	for (unsigned i = 0; i < nhooks; i++)
		if (hooks[i].at == at && hooks[i].n == n)
			raise(hooks[i].sig);
}

void test_hook_frame(uint64_t n)
{
	if (nhooks)
		fire(AT_FRAME, n);
}

void test_hook_record(uint64_t seq)
{
	if (nhooks)
		fire(AT_RECORD, seq);
}
