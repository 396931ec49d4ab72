/* report.c — report_write: gather the data once, then render the chosen format. */
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "record/json.h"

static void csv_cell(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_csv(FILE *f, const struct report_data *d)
{
	fputs("party_a,party_b,a_is_target,b_is_target,calls,sms,app_messages,app_calls,other,call_seconds,first,last\n", f);
	for (size_t i = 0; i < d->npairs; i++) {
		const struct report_pair *p = &d->pairs[i];
		char a[TS_STRLEN], b[TS_STRLEN];
		csv_cell(f, d->parties[p->a].id);
		fputc(',', f);
		csv_cell(f, d->parties[p->b].id);
		fprintf(f, ",%d,%d", d->parties[p->a].is_target, d->parties[p->b].is_target);
		for (int k = 0; k < KIND__COUNT; k++)
			fprintf(f, ",%llu", (unsigned long long)p->count[k]);
		fprintf(f, ",%.3f,%s,%s\n", (double)p->call_us / 1e6, ts_format(p->first_us, a, sizeof a),
			ts_format(p->last_us, b, sizeof b));
	}
}

static void write_json(FILE *f, const struct report_data *d)
{
	fputs("{\"verification\":", f);
	json_write_string(f, d->verify_status);
	fputs(",\"nodes\":[", f);
	for (size_t i = 0; i < d->nparties; i++) {
		fprintf(f, "%s{\"id\":", i ? "," : "");
		json_write_string(f, d->parties[i].id);
		fprintf(f, ",\"target\":%s,\"interactions\":%llu}", d->parties[i].is_target ? "true" : "false",
			(unsigned long long)d->parties[i].interactions);
	}
	fputs("],\"edges\":[", f);
	static const char *const keys[KIND__COUNT] = { "calls", "sms", "app_messages", "app_calls", "other" };
	for (size_t i = 0; i < d->npairs; i++) {
		const struct report_pair *p = &d->pairs[i];
		char a[TS_STRLEN], b[TS_STRLEN];
		fprintf(f, "%s{\"a\":", i ? "," : "");
		json_write_string(f, d->parties[p->a].id);
		fputs(",\"b\":", f);
		json_write_string(f, d->parties[p->b].id);
		for (int k = 0; k < KIND__COUNT; k++)
			fprintf(f, ",\"%s\":%llu", keys[k], (unsigned long long)p->count[k]);
		fprintf(f, ",\"call_seconds\":%.3f,\"first\":\"%s\",\"last\":\"%s\"}", (double)p->call_us / 1e6,
			ts_format(p->first_us, a, sizeof a), ts_format(p->last_us, b, sizeof b));
	}
	fputs("]}\n", f);
}

int report_write(const struct report_options *opt, char *errbuf, size_t errlen)
{
	struct report_data d;
	int rc = 1; /* runtime failure, once the store has been read */
	char *svg = NULL;
	FILE *f = NULL;
	if (report_data_load(opt, &d, errbuf, errlen) != 0) {
		report_data_free(&d);
		return 2;
	}
	if (opt->format == REPORT_HTML && d.npairs > 0 && !(svg = report_graph_svg(&d, errbuf, errlen)))
		goto out;
	f = strcmp(opt->output, "-") == 0 ? stdout : fopen(opt->output, "w");
	if (!f) {
		snprintf(errbuf, errlen, "%s: cannot write the report", opt->output);
		goto out;
	}
	switch (opt->format) {
	case REPORT_HTML:
		report_html(f, &d, opt, svg);
		break;
	case REPORT_DOT: {
		char *dot = report_graph_dot(&d);
		if (dot)
			fputs(dot, f);
		free(dot);
		break;
	}
	case REPORT_CSV:
		write_csv(f, &d);
		break;
	case REPORT_JSON:
		write_json(f, &d);
		break;
	}
	rc = 0;
	if (f != stdout && fclose(f) != 0) {
		snprintf(errbuf, errlen, "%s: cannot write the report", opt->output);
		rc = 1;
	}
out:
	free(svg);
	report_data_free(&d);
	return rc;
}
