/* table.c — fixed-width table rows for a terminal, and RFC 4180 CSV. */
#include "record/table.h"

#include <string.h>

#include "core/timefmt.h"

static const char *duration_text(const struct record *r, char *buf, size_t len)
{
	if (r->duration_us < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1fs", (double)r->duration_us / 1e6);
	return buf;
}

void record_table_header(FILE *f)
{
	fprintf(f, "%-5s %-27s %-17s %-3s %-28s %-28s %-11s %-10s %s\n", "SEQ", "TIME (UTC)", "TYPE",
		"DIR", "FROM", "TO", "PROTOCOL", "OUTCOME", "DURATION");
}

void record_table_row(const struct record *r, FILE *f)
{
	char ts[TS_STRLEN], dur[32];
	fprintf(f, "%-5llu %-27s %-17s %-3s %-28s %-28s %-11s %-10s %s\n", (unsigned long long)r->seq,
		ts_format(r->ts_us, ts, sizeof ts), event_type_name(r->type), r->direction, r->from,
		r->to, r->service[0] ? r->service : r->protocol, r->outcome[0] ? r->outcome : "-",
		duration_text(r, dur, sizeof dur));
}

static void csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

void record_csv_header(FILE *f)
{
	fputs("seq,ts,type,order,target,direction,from,to,protocol,service,signature,confidence,"
	      "duration_s,outcome,call_id,prev_hash,hash\n", f);
}

void record_csv_row(const struct record *r, FILE *f)
{
	char seq[24], ts[TS_STRLEN], dur[32] = "";
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
	if (r->duration_us >= 0)
		snprintf(dur, sizeof dur, "%.6f", (double)r->duration_us / 1e6);
	csv_field(f, seq, 0);
	csv_field(f, ts_format(r->ts_us, ts, sizeof ts), 0);
	csv_field(f, event_type_name(r->type), 0);
	csv_field(f, r->order, 0);
	csv_field(f, r->target, 0);
	csv_field(f, r->direction, 0);
	csv_field(f, r->from, 0);
	csv_field(f, r->to, 0);
	csv_field(f, r->protocol, 0);
	csv_field(f, r->service, 0);
	csv_field(f, r->signature, 0);
	csv_field(f, r->inferred ? "inferred" : "certain", 0);
	csv_field(f, dur, 0);
	csv_field(f, r->outcome, 0);
	csv_field(f, r->call_id, 0);
	csv_field(f, r->prev_hash, 0);
	csv_field(f, r->hash, 1);
}
