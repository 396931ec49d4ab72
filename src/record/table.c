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

static const char *confidence_text(const struct record *r, char *buf, size_t len)
{
	if (r->inferred)
		snprintf(buf, len, "inferred %u", (unsigned)r->score);
	else
		snprintf(buf, len, "certain");
	return buf;
}

/*
 * A party as the table shows it: an app's service party, where pairing found the other
 * target (counterpart), is that target "via" the service — who wrote to whom.
 */
static const char *party_text(const struct record *r, const char *party, char *buf, size_t len)
{
	if (r->counterpart[0] && strncmp(party, "service:", 8) == 0) {
		snprintf(buf, len, "%s via %s", r->counterpart, party + 8);
		return buf;
	}
	return party;
}

void record_table_header(FILE *f)
{
	fprintf(f, "%-5s %-27s %-17s %-16s %-3s %-28s %-28s %-11s %-11s %-10s %s\n", "SEQ", "TIME (UTC)", "TYPE",
		"TARGET", "DIR", "FROM", "TO", "PROTOCOL", "CONFIDENCE", "OUTCOME", "DURATION");
}

void record_table_row(const struct record *r, FILE *f)
{
	char ts[TS_STRLEN], dur[32], conf[24], from[2 * PARTY_MAX], to[2 * PARTY_MAX];
	fprintf(f, "%-5llu %-27s %-17s %-16s %-3s %-28s %-28s %-11s %-11s %-10s %s\n", (unsigned long long)r->seq,
		ts_format(r->ts_us, ts, sizeof ts), event_type_name(r->type), r->target, r->direction,
		party_text(r, r->from, from, sizeof from), party_text(r, r->to, to, sizeof to),
		r->service[0] ? r->service : r->protocol, confidence_text(r, conf, sizeof conf),
		r->outcome[0] ? r->outcome : "-", duration_text(r, dur, sizeof dur));
}

void record_csv_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A field quoted only where it must be. */
static void csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n"))
		record_csv_quoted(f, s);
	else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

void record_csv_header(FILE *f)
{
	fputs("seq,ts,type,event,order,target,direction,from,to,counterpart,protocol,service,signature,confidence,"
	      "score,duration_s,outcome,call_id,prev_hash,hash\n", f);
}

void record_csv_row(const struct record *r, FILE *f)
{
	char seq[24], ts[TS_STRLEN], dur[32] = "", score[8] = "";
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
	if (r->inferred)
		snprintf(score, sizeof score, "%u", (unsigned)r->score);
	if (r->duration_us >= 0)
		snprintf(dur, sizeof dur, "%.6f", (double)r->duration_us / 1e6);
	csv_field(f, seq, 0);
	csv_field(f, ts_format(r->ts_us, ts, sizeof ts), 0);
	csv_field(f, event_type_name(r->type), 0);
	csv_field(f, r->event, 0);
	csv_field(f, r->order, 0);
	csv_field(f, r->target, 0);
	csv_field(f, r->direction, 0);
	csv_field(f, r->from, 0);
	csv_field(f, r->to, 0);
	csv_field(f, r->counterpart, 0);
	csv_field(f, r->protocol, 0);
	csv_field(f, r->service, 0);
	csv_field(f, r->signature, 0);
	csv_field(f, r->inferred ? "inferred" : "certain", 0);
	csv_field(f, score, 0);
	csv_field(f, dur, 0);
	csv_field(f, r->outcome, 0);
	csv_field(f, r->call_id, 0);
	csv_field(f, r->prev_hash, 0);
	csv_field(f, r->hash, 1);
}
