/* sigs_info.h — definitions described for people: age, staleness, per-service counts. */
#ifndef PENTRAP_DETECT_SIGS_INFO_H
#define PENTRAP_DETECT_SIGS_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "detect/sigs.h"

enum { SIGS_DEFAULT_MAX_AGE_DAYS = 30 };

/* The wall clock (staleness is about today, not about the capture's time). */
uint64_t sigs_wall_now_us(void);
bool sigs_stale(const struct sigset *s, uint64_t now_us, long max_age_days);
/* One line saying how stale the definitions are and what to do. */
void sigs_stale_warning(const struct sigset *s, uint64_t now_us, long max_age_days, char *buf, size_t len);
/* `pentrap sigs info`: version, release, age, hash, and signatures per service. */
void sigs_describe(const struct sigset *s, FILE *out, uint64_t now_us, long max_age_days);

#endif
