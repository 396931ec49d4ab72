/* report.c — report_write: gather the data once, then render the chosen format. */
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "record/json.h"
#include "record/table.h"

/* The pair summary: one row per pair of parties, its events by kind (and of them inferred). */
static void write_csv(FILE *f, const struct report_data *d)
{
	fputs("party_a,party_b,a_is_target,b_is_target", f);
	for (int k = 0; k < KIND__COUNT; k++)
		fprintf(f, ",%s", report_kind_key((enum report_kind)k));
	for (int k = 0; k < KIND__COUNT; k++)
		fprintf(f, ",%s_inferred", report_kind_key((enum report_kind)k));
	fputs(",call_seconds,first,last\n", f);
	for (size_t i = 0; i < d->npairs; i++) {
		const struct report_pair *p = &d->pairs[i];
		char a[TS_STRLEN], b[TS_STRLEN];
		record_csv_quoted(f, d->parties[p->a].id);
		fputc(',', f);
		record_csv_quoted(f, d->parties[p->b].id);
		fprintf(f, ",%d,%d", d->parties[p->a].is_target, d->parties[p->b].is_target);
		for (int k = 0; k < KIND__COUNT; k++)
			fprintf(f, ",%llu", (unsigned long long)p->count[k]);
		for (int k = 0; k < KIND__COUNT; k++)
			fprintf(f, ",%llu", (unsigned long long)p->inferred[k]);
		fprintf(f, ",%.3f,%s,%s\n", (double)p->call_us / 1e6, ts_format(p->first_us, a, sizeof a),
			ts_format(p->last_us, b, sizeof b));
	}
}

/* Each target's services and destinations: what it used, not whom it contacted. */
static void write_json_targets(FILE *f, const struct report_data *d)
{
	fputs(",\"targets\":[", f);
	const char *sep = "";
	for (size_t i = 0; i < d->nparties; i++) {
		if (!d->parties[i].is_target)
			continue;
		fprintf(f, "%s{\"id\":", sep);
		json_write_string(f, d->parties[i].id);
		fprintf(f, ",\"events\":%llu,\"uses\":[", (unsigned long long)d->parties[i].events);
		const char *usep = "";
		for (size_t j = 0; j < d->ndests; j++) {
			const struct report_dest *u = &d->dests[j];
			if (u->target != i)
				continue;
			fprintf(f, "%s{\"kind\":", usep);
			json_write_string(f, report_dest_kind_name(u->kind));
			fputs(",\"name\":", f);
			json_write_string(f, u->name);
			fprintf(f, ",\"events\":%llu}", (unsigned long long)u->events);
			usep = ",";
		}
		fputs("]}", f);
		sep = ",";
	}
	fputc(']', f);
}

static void write_json(FILE *f, const struct report_data *d)
{
	fputs("{\"verification\":", f);
	json_write_string(f, d->verify_status);
	fprintf(f, ",\"records\":%zu,\"events\":%llu,\"nodes\":[", d->nrecs, (unsigned long long)d->events);
	for (size_t i = 0; i < d->nparties; i++) {
		fprintf(f, "%s{\"id\":", i ? "," : "");
		json_write_string(f, d->parties[i].id);
		fprintf(f, ",\"target\":%s,\"interactions\":%llu", d->parties[i].is_target ? "true" : "false",
			(unsigned long long)d->parties[i].interactions);
		if (d->parties[i].same_as[0]) { /* one person: drawn as that party's node */
			fputs(",\"same_as\":", f);
			json_write_string(f, d->parties[i].same_as);
		}
		fputc('}', f);
	}
	fputs("],\"edges\":[", f);
	for (size_t i = 0; i < d->npairs; i++) {
		const struct report_pair *p = &d->pairs[i];
		char a[TS_STRLEN], b[TS_STRLEN];
		fprintf(f, "%s{\"a\":", i ? "," : "");
		json_write_string(f, d->parties[p->a].id);
		fputs(",\"b\":", f);
		json_write_string(f, d->parties[p->b].id);
		for (int k = 0; k < KIND__COUNT; k++)
			fprintf(f, ",\"%s\":%llu", report_kind_key((enum report_kind)k), (unsigned long long)p->count[k]);
		fputs(",\"inferred\":{", f);
		const char *sep = "";
		for (int k = 0; k < KIND__COUNT; k++)
			if (p->inferred[k]) {
				fprintf(f, "%s\"%s\":%llu", sep, report_kind_key((enum report_kind)k),
					(unsigned long long)p->inferred[k]);
				sep = ",";
			}
		fprintf(f, "},\"call_seconds\":%.3f,\"first\":\"%s\",\"last\":\"%s\"}", (double)p->call_us / 1e6,
			ts_format(p->first_us, a, sizeof a), ts_format(p->last_us, b, sizeof b));
	}
	fputc(']', f);
	write_json_targets(f, d);
	fputs("}\n", f);
}

/* Nothing matched what was asked: said on stderr (the report is still written, and says it too). */
static void no_match_warning(const struct report_options *opt)
{
	char a[TS_STRLEN], b[TS_STRLEN];
	fprintf(stderr, "pentrap report: warning: no records in %s", opt->db_path);
	if (opt->order_id)
		fprintf(stderr, " of order %s", opt->order_id);
	for (size_t i = 0; i < opt->ntargets; i++)
		fprintf(stderr, "%s%s", i ? ", " : " for target ", opt->targets[i]);
	if (opt->from_us || opt->to_us)
		fprintf(stderr, " from %s to %s", opt->from_us ? ts_format(opt->from_us, a, sizeof a) : "the start",
			opt->to_us ? ts_format(opt->to_us, b, sizeof b) : "the end");
	fputc('\n', stderr);
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
	if (d.nrecs == 0)
		no_match_warning(opt);
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
