/*
 * sigs_info.c — describing a set of definitions for people: `pentrap sigs info` and
 * the run's start and summary lines (version, release date, age, staleness).
 */
#include <string.h>
#include <time.h>

#include "detect/sigs_info.h"

uint64_t sigs_wall_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool sigs_stale(const struct sigset *s, uint64_t now_us, long max_age_days)
{
	return sigs_age_days(s, now_us) > max_age_days;
}

void sigs_stale_warning(const struct sigset *s, uint64_t now_us, long max_age_days, char *buf, size_t len)
{
	snprintf(buf, len,
		 "signature definitions %s (released %s) are %ld days old, over the %ld-day limit: "
		 "apps that changed since are not recognised; update the definitions (pentrap sigs info)",
		 s->version, s->released, sigs_age_days(s, now_us), max_age_days);
}

static const char *kind_name(enum sig_kind k)
{
	return k == SIG_SESSION ? "session" : k == SIG_CALL ? "call" : "message";
}

void sigs_describe(const struct sigset *s, FILE *out, uint64_t now_us, long max_age_days)
{
	long age = sigs_age_days(s, now_us);
	fprintf(out, "definitions  %s\n", s->source);
	fprintf(out, "version      %s\n", s->version);
	fprintf(out, "released     %s (%ld day%s ago)%s\n", s->released, age, age == 1 ? "" : "s",
		age > max_age_days ? "  STALE: over the limit" : "");
	fprintf(out, "sha256       %s\n", s->sha256);
	fprintf(out, "signatures   %zu\n\n", s->nsigs);
	fprintf(out, "%-14s %8s %6s %9s  %s\n", "service", "sessions", "calls", "messages", "signatures");
	/* services in the order they first appear */
	for (size_t i = 0; i < s->nsigs; i++) {
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(s->sigs[j].service, s->sigs[i].service) != 0;
		if (!first)
			continue;
		unsigned n[3] = { 0 };
		char ids[512] = "";
		for (size_t j = i; j < s->nsigs; j++) {
			if (strcmp(s->sigs[j].service, s->sigs[i].service) != 0)
				continue;
			n[s->sigs[j].kind]++;
			size_t used = strlen(ids);
			snprintf(ids + used, sizeof ids - used, "%s%s(%s)", used ? " " : "", s->sigs[j].id,
				 kind_name(s->sigs[j].kind));
		}
		fprintf(out, "%-14s %8u %6u %9u  %s\n", s->sigs[i].service, n[SIG_SESSION], n[SIG_CALL], n[SIG_MESSAGE],
			ids);
	}
}
