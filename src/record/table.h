/* table.h — records as a human-readable table and as CSV. */
#ifndef PENTRAP_RECORD_TABLE_H
#define PENTRAP_RECORD_TABLE_H

#include <stdio.h>

#include "record/record.h"

void record_table_header(FILE *f);
void record_table_row(const struct record *r, FILE *f);
void record_csv_header(FILE *f);
void record_csv_row(const struct record *r, FILE *f);
/* s as one CSV field between double quotes, a quote in it doubled (RFC 4180 §2). */
void record_csv_quoted(FILE *f, const char *s);

#endif
