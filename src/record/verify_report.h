/*
 * verify_report.h — `pentrap verify`'s report for people: the store's genesis, the
 * custody of every run (order, captures with their hashes, records, sensor, key,
 * versions, times, note), a FAIL line for each problem verify_store finds and a note
 * line for each remark, the totals, the trust the signatures give, and the result line
 * (docs/cli.md and docs/evidence.md show it).
 */
#ifndef PENTRAP_RECORD_VERIFY_REPORT_H
#define PENTRAP_RECORD_VERIFY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "record/store.h"
#include "record/verify.h"

/*
 * Verifies the store s (named db_name in the report) with opt and writes the report
 * into out; quiet keeps only the problems and the result line. Returns 0 when the check
 * ran (res->problems says whether it passed), -1 with one line in errbuf when the store
 * could not be read.
 */
int verify_report(struct store *s, const char *db_name, const struct verify_options *opt, bool quiet, FILE *out,
		  struct verify_result *res, char *errbuf, size_t errlen);

#endif
