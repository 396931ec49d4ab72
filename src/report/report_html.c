/*
 * report_html.c — the self-contained HTML report: no script, no fetches, prints well.
 * Order and custody first (with the chain's verification status, at the very top when
 * it fails), then the contact graph, a timeline and record table per target, and the
 * pairwise summary. What the data cannot show is said plainly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timefmt.h"
#include "record/custody_read.h"
#include "report/report.h"

static void html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n')
				fputc(*s, f);
		}
	}
}

static const char style[] =
	"body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#222;max-width:1200px}"
	"h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
	"table{border-collapse:collapse;font-size:.85em;margin:.5em 0}"
	"th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
	"th{background:#f0f0f0}td.num{text-align:right}td code{word-break:break-all;font-size:.9em}"
	".banner{padding:.8em 1em;border-radius:4px;font-weight:bold;margin:1em 0}"
	".ok{background:#e6f4e6;border:1px solid #7a7}.fail{background:#fde0e0;border:1px solid #c33;color:#900}"
	".inferred{color:#7a4b00;font-style:italic}.note{color:#555;font-size:.9em}"
	".graph svg{max-width:100%;height:auto}"
	"@media print{body{margin:0}.graph svg{max-height:24cm}h2{page-break-after:avoid}table{page-break-inside:auto}}";

static int capture_line(void *ud, const struct custody_capture *c)
{
	FILE *f = ud;
	html(f, c->path);
	fprintf(f, " (%llu bytes)<br><code>", (unsigned long long)c->size);
	html(f, c->sha256);
	fputs("</code><br>", f);
	return 0;
}

/* The run's captures (its custody, record/custody_read.h) as one line each. */
static void captures_cell(FILE *f, const char *json)
{
	if (json && custody_captures_each(json, capture_line, f) < 0)
		fputs("(unreadable)", f);
}

static void custody(FILE *f, const struct report_data *d)
{
	fputs("<h2 id=\"custody\">Order and custody</h2>\n", f);
	if (d->nruns == 0) {
		fputs("<p class=\"note\">The store holds no run information.</p>\n", f);
		return;
	}
	fputs("<table><tr><th>run</th><th>order</th><th>order file (SHA-256)</th><th>captures</th>"
	      "<th>definitions</th><th>pentrap</th><th>started</th><th>ended</th><th>records</th></tr>\n", f);
	for (size_t i = 0; i < d->nruns; i++) {
		const struct report_run *r = &d->runs[i];
		char a[TS_STRLEN], b[TS_STRLEN];
		if (d->central) {
			/* a central store: runs are numbered per sensor store */
			fputs("<tr><td>", f);
			html(f, r->sensor_id);
			fprintf(f, " %llu</td><td>", (unsigned long long)r->id);
		} else {
			fprintf(f, "<tr><td class=\"num\">%zu</td><td>", i + 1);
		}
		html(f, r->order_id);
		fputs("</td><td>", f);
		html(f, r->order_file);
		fputs("<br><code>", f);
		html(f, r->order_sha256);
		fputs("</code></td><td>", f);
		captures_cell(f, r->captures);
		fputs("</td><td>", f);
		html(f, r->sigs_version[0] ? r->sigs_version : "-");
		fputs("</td><td>", f);
		html(f, r->software_version);
		fprintf(f, "</td><td>%s</td><td>%s</td><td class=\"num\">%llu&ndash;%llu</td></tr>\n",
			ts_format(r->started_us, a, sizeof a), ts_format(r->ended_us, b, sizeof b),
			(unsigned long long)r->first_seq, (unsigned long long)r->last_seq);
	}
	fputs("</table>\n", f);
}

/* Copies the text of a JSON string member ("key":"value") of our own evidence objects. */
static void json_member(const char *json, const char *key, char *out, size_t len)
{
	char pat[32];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(json, pat);
	out[0] = '\0';
	if (!p)
		return;
	p += strlen(pat);
	size_t n = 0;
	if (*p == '"')
		for (p++; *p && *p != '"' && n + 1 < len; p++)
			out[n++] = *p;
	else
		for (; *p && *p != ',' && *p != '}' && n + 1 < len; p++)
			out[n++] = *p;
	out[n] = '\0';
}

/* Evidence as a reader wants it: frames, the flow, and the capture's hash on hover. */
static void evidence_cell(FILE *f, const char *ev)
{
	char cap[80], transport[8], src[64], sport[8], dst[64], dport[8], frames[160] = "";
	json_member(ev, "capture", cap, sizeof cap);
	json_member(ev, "transport", transport, sizeof transport);
	json_member(ev, "src", src, sizeof src);
	json_member(ev, "sport", sport, sizeof sport);
	json_member(ev, "dst", dst, sizeof dst);
	json_member(ev, "dport", dport, sizeof dport);
	const char *fr = strstr(ev, "\"frames\":[");
	if (fr)
		sscanf(fr + 10, "%159[0-9,]", frames);
	fputs("<span title=\"capture SHA-256 ", f);
	html(f, cap);
	fputs("\">frames ", f);
	html(f, frames);
	if (src[0]) {
		fputs("<br>", f);
		html(f, transport);
		fputs(" ", f);
		html(f, src);
		fprintf(f, ":%s &rarr; ", sport);
		html(f, dst);
		fprintf(f, ":%s", dport);
	}
	fputs("<br><code>", f);
	fprintf(f, "%.12s&hellip;</code></span>", cap);
}

/* A party as a reader wants it: an app's service, where pairing found the other target, is that target via it. */
static void party_cell(FILE *f, const struct record *r, const char *party)
{
	if (r->counterpart[0] && strncmp(party, "service:", 8) == 0) {
		fputs("<span class=\"inferred\">", f);
		html(f, r->counterpart);
		fputs("</span> via ", f);
		html(f, party + 8);
	} else {
		html(f, party);
	}
}

static void record_table(FILE *f, const struct report_data *d, const char *target)
{
	fputs("<table class=\"records\"><tr><th>seq</th><th>time (UTC)</th><th>type</th><th>target</th><th>dir</th>"
	      "<th>from</th><th>to</th><th>protocol / service</th><th>outcome</th><th>duration</th>"
	      "<th>confidence</th><th>evidence</th></tr>\n", f);
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct record *r = &d->recs[i];
		if (strcmp(r->target, target) != 0)
			continue;
		char ts[TS_STRLEN];
		fprintf(f, "<tr id=\"rec-%llu\"%s title=\"event ", (unsigned long long)r->seq,
			r->inferred ? " class=\"inferred\"" : "");
		html(f, r->event);
		fprintf(f, "\"><td class=\"num\">%llu</td><td>%s</td><td>%s</td><td>", (unsigned long long)r->seq,
			ts_format(r->ts_us, ts, sizeof ts), event_type_name(r->type));
		html(f, r->target);
		fprintf(f, "</td><td>%s</td><td>", r->direction);
		party_cell(f, r, r->from);
		fputs("</td><td>", f);
		party_cell(f, r, r->to);
		fputs("</td><td>", f);
		html(f, r->protocol);
		if (r->service[0]) {
			fputs(" / ", f);
			html(f, r->service);
		}
		fputs("</td><td>", f);
		html(f, r->outcome[0] ? r->outcome : "");
		fputs("</td><td class=\"num\">", f);
		if (r->duration_us >= 0)
			fprintf(f, "%.1f s", (double)r->duration_us / 1e6);
		fputs("</td><td>", f);
		if (r->inferred)
			fprintf(f, "inferred (%u%%)", r->score);
		else
			fputs("certain", f);
		fputs("</td><td>", f);
		evidence_cell(f, r->evidence);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* What a target used, not whom it contacted: app services, access points, resolvers, hosts. */
static void uses_table(FILE *f, const struct report_data *d, size_t target)
{
	size_t n = 0;
	for (size_t j = 0; j < d->ndests; j++)
		n += d->dests[j].target == target;
	if (!n)
		return;
	fputs("<h3>Services and destinations</h3>\n<table class=\"uses\"><tr><th>kind</th><th>name</th>"
	      "<th>events</th><th>first</th><th>last</th></tr>\n", f);
	for (int k = 0; k < DEST__COUNT; k++)
		for (size_t j = 0; j < d->ndests; j++) {
			const struct report_dest *u = &d->dests[j];
			if (u->target != target || u->kind != (enum report_dest_kind)k)
				continue;
			char a[TS_STRLEN], b[TS_STRLEN];
			fprintf(f, "<tr><td>%s</td><td>", report_dest_kind_name(u->kind));
			html(f, u->name);
			fprintf(f, "</td><td class=\"num\">%llu</td><td>%s</td><td>%s</td></tr>\n",
				(unsigned long long)u->events, ts_format(u->first_us, a, sizeof a),
				ts_format(u->last_us, b, sizeof b));
		}
	fputs("</table>\n", f);
}

static void pair_table(FILE *f, const struct report_data *d)
{
	fputs("<h2 id=\"pairs\">Who was in contact with whom</h2>\n<table class=\"pairs\"><tr><th>party</th><th>party</th>", f);
	for (int k = 0; k < KIND__COUNT; k++)
		fprintf(f, "<th>%s</th>", report_kind_name((enum report_kind)k));
	fputs("<th>call time</th><th>first</th><th>last</th></tr>\n", f);
	for (size_t i = 0; i < d->npairs; i++) {
		const struct report_pair *p = &d->pairs[i];
		char a[TS_STRLEN], b[TS_STRLEN];
		fputs("<tr><td>", f);
		html(f, d->parties[p->a].id);
		fputs("</td><td>", f);
		html(f, d->parties[p->b].id);
		fputs("</td>", f);
		for (int k = 0; k < KIND__COUNT; k++)
			if (p->inferred[k])
				fprintf(f, "<td class=\"num\">%llu <span class=\"inferred\">(%llu inferred)</span></td>",
					(unsigned long long)p->count[k], (unsigned long long)p->inferred[k]);
			else
				fprintf(f, "<td class=\"num\">%llu</td>", (unsigned long long)p->count[k]);
		fprintf(f, "<td class=\"num\">%.0f s</td><td>%s</td><td>%s</td></tr>\n", (double)p->call_us / 1e6,
			ts_format(p->first_us, a, sizeof a), ts_format(p->last_us, b, sizeof b));
	}
	fputs("</table>\n", f);
}

/* Strips the XML prolog and DOCTYPE Graphviz writes, so the SVG can sit inside HTML. */
static const char *svg_body(const char *svg)
{
	const char *p = strstr(svg, "<svg");
	return p ? p : svg;
}

void report_html(FILE *f, const struct report_data *d, const struct report_options *opt, const char *graph_svg)
{
	char now[TS_STRLEN];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts_format((uint64_t)ts.tv_sec * 1000000u, now, sizeof now);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>pentrap report", f);
	if (opt->order_id) {
		fputs(" — ", f);
		html(f, opt->order_id);
	}
	fprintf(f, "</title>\n<style>%s</style></head><body>\n", style);
	int ok = strcmp(d->verify_status, "verified") == 0;
	fprintf(f, "<div id=\"verification\" class=\"banner %s\">Record chain: %s — ", ok ? "ok" : "fail",
		ok ? "verified" : "VERIFICATION FAILED");
	html(f, d->verify_message);
	fputs("</div>\n<h1>Pen register / trap and trace report</h1>\n", f);
	fprintf(f, "<p class=\"note\">Made by pentrap %s at %s from <code>", PENTRAP_VERSION, now);
	html(f, opt->db_path);
	fprintf(f, "</code>: %llu events in %zu records (an event between two targets has a record for each), "
		   "%zu parties, %zu pairs.</p>\n", (unsigned long long)d->events, d->nrecs, d->nparties, d->npairs);
	if (d->nrecs == 0)
		fputs("<p class=\"banner fail\">No records match what was asked (order, targets, time range).</p>\n", f);
	custody(f, d);

	fputs("<h2 id=\"graph\">Contact graph</h2>\n<div class=\"graph\">", f);
	if (graph_svg)
		fputs(svg_body(graph_svg), f);
	else
		fputs("<p class=\"note\">No contacts to draw.</p>", f);
	fputs("</div>\n", f);
	if (d->hidden_nodes)
		fprintf(f, "<p class=\"note\">Targets and their %u most frequent contacts are drawn; %zu other "
			   "contacts are left out of the picture (they are in the tables below).</p>\n",
			opt->max_nodes ? opt->max_nodes : 120, d->hidden_nodes);
	fputs("<p class=\"note\">Nodes are people: targets (outlined in red) and the parties they were in "
	      "contact with. Edge labels count events of each kind (an SMS between two targets once, however "
	      "many records it made) and the total call time; dashed edges are app messages and calls paired "
	      "between two targets by inference (counterpart). Services, access points, resolvers and hosts a "
	      "target used are not people: they are listed in its section below.</p>\n", f);

	for (size_t i = 0; i < d->nparties; i++) {
		if (!d->parties[i].is_target)
			continue;
		const char *t = d->parties[i].id;
		fputs("<h2 class=\"target\">Target ", f);
		html(f, t);
		fprintf(f, "</h2>\n<p>%llu events.</p>\n", (unsigned long long)d->parties[i].events);
		char *tl = report_timeline_svg(d, t);
		if (tl) {
			fputs(tl, f);
			free(tl);
		}
		uses_table(f, d, i);
		record_table(f, d, t);
	}
	pair_table(f, d);
	fputs("<h2 id=\"limits\">What these records cannot show</h2>\n<ul class=\"note\">"
	      "<li>No content: no message text, no call audio, no digits dialled after a call was answered. "
	      "Records hold addressing, routing and signalling only.</li>"
	      "<li>Events marked <span class=\"inferred\">inferred</span> were recognised from traffic shape "
	      "(servers, names, sizes, timing), not parsed from clear headers; their confidence is shown. They "
	      "say that a message or call happened and when, never its length or content.</li>"
	      "<li>Traffic to services pentrap has no signature for is not named; a missing event is not proof "
	      "that no contact happened.</li>"
	      "<li>Only the order's targets, within its window and direction, are recorded.</li></ul>\n", f);
	fputs("</body></html>\n", f);
}
