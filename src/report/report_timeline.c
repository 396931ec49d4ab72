/*
 * report_timeline.c — one target's events over time as an SVG strip per kind of
 * contact; inferred events are drawn hollow so a reader sees they were not parsed
 * from clear headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memtext.h"
#include "core/timefmt.h"
#include "report/report.h"

enum { TL_WIDTH = 900, TL_LEFT = 110, TL_RIGHT = 20, TL_ROW = 26, TL_TOP = 10 };
enum { ROW_OTHER = KIND__COUNT, TL_ROWS }; /* the kinds of contact, then everything else */

static const char *const kind_colour[TL_ROWS] = { "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#7f7f7f" };

static const char *row_name(int k)
{
	return k == ROW_OTHER ? "other" : report_kind_name((enum report_kind)k);
}

/* Every step of a call sits on the calls row; sessions, flows and the like on the last. */
static int timeline_row(enum event_type t)
{
	switch (t) {
	case EV_CALL_ANSWER:
	case EV_CALL_END:
		return KIND_CALL;
	case EV_OTT_CALL_END:
		return KIND_APP_CALL;
	default: {
		enum report_kind k = report_kind_of(t);
		return k == KIND__COUNT ? ROW_OTHER : (int)k;
	}
	}
}

char *report_timeline_svg(const struct report_data *d, const char *target)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < d->nrecs; i++)
		if (strcmp(d->recs[i].target, target) == 0) {
			if (d->recs[i].ts_us < lo)
				lo = d->recs[i].ts_us;
			if (d->recs[i].ts_us > hi)
				hi = d->recs[i].ts_us;
		}
	if (lo == UINT64_MAX)
		return NULL;
	if (hi == lo)
		hi = lo + 1000000;
	struct memtext mt;
	FILE *f = memtext_open(&mt);
	if (!f)
		return NULL;
	int height = TL_TOP + TL_ROWS * TL_ROW + 30;
	double span = (double)(hi - lo), plot = TL_WIDTH - TL_LEFT - TL_RIGHT;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"11\">\n",
		TL_WIDTH, height, TL_WIDTH, height);
	for (int k = 0; k < TL_ROWS; k++) {
		int y = TL_TOP + k * TL_ROW;
		fprintf(f, "<text x=\"4\" y=\"%d\">%s</text>\n", y + 15, row_name(k));
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n", TL_LEFT, y + 11,
			TL_WIDTH - TL_RIGHT, y + 11);
	}
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct record *r = &d->recs[i];
		if (strcmp(r->target, target) != 0)
			continue;
		int k = timeline_row(r->type);
		double x = TL_LEFT + plot * (double)(r->ts_us - lo) / span;
		int y = TL_TOP + k * TL_ROW + 11;
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\" stroke=\"%s\"><title>%s %s</title></circle>\n", x,
			y, r->inferred ? "white" : kind_colour[k], kind_colour[k], event_type_name(r->type),
			r->direction);
	}
	char a[TS_STRLEN], b[TS_STRLEN];
	int axis = TL_TOP + TL_ROWS * TL_ROW + 14;
	fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", TL_LEFT, axis, ts_format(lo, a, sizeof a));
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", TL_WIDTH - TL_RIGHT, axis,
		ts_format(hi, b, sizeof b));
	fputs("</svg>\n", f);
	return memtext_close(&mt, NULL);
}
