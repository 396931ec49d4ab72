/*
 * report.h — the order's answer for people: a self-contained HTML report (custody,
 * verification status, contact graph, timelines, record tables), and the graph and
 * pair summary as DOT, CSV or JSON for other tools.
 */
#ifndef PENTRAP_REPORT_REPORT_H
#define PENTRAP_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record/record.h"

enum report_format { REPORT_HTML, REPORT_DOT, REPORT_CSV, REPORT_JSON };

enum { REPORT_MAX_TARGET_FILTER = 64 };

struct report_options {
	const char *db_path;
	const char *order_id;      /* only this order's records, or NULL */
	uint64_t from_us, to_us;   /* 0: unbounded */
	const char *targets[REPORT_MAX_TARGET_FILTER]; /* only these targets (normalised ids), or none */
	size_t ntargets;
	const char *output;        /* file path, "-" for stdout */
	enum report_format format;
	unsigned max_nodes;        /* graph nodes drawn at most (targets always); default 120 */
};

/*
 * Writes the report. Returns 0, or the exit status of the failure with one line in
 * errbuf: 2 bad input (no store, not a store), 1 runtime (Graphviz, cannot write).
 */
int report_write(const struct report_options *opt, char *errbuf, size_t errlen);

/* ---- the data model, shared by the renderers (report_*.c) ---- */

struct report_party {
	char id[PARTY_MAX];
	int is_target;
	uint64_t interactions;     /* events involving this party */
	int drawn;                 /* selected for the graph */
};

enum report_kind { KIND_CALL, KIND_SMS, KIND_APP_MESSAGE, KIND_APP_CALL, KIND_OTHER, KIND__COUNT };

struct report_pair {
	size_t a, b;               /* party indices; a is the first party seen originating */
	uint64_t count[KIND__COUNT];
	int64_t call_us;           /* total call time (calls and app calls) */
	uint64_t first_us, last_us;
};

struct report_run {
	uint64_t id;
	char sensor_id[128];
	char order_id[64], order_file[256], order_sha256[65], sigs_version[64], software_version[32];
	char *captures;            /* JSON text, owned */
	uint64_t started_us, ended_us, first_seq, last_seq;
};

struct report_data {
	struct record *recs;       /* selected records, time order */
	size_t nrecs;
	struct report_party *parties;
	size_t nparties;
	struct report_pair *pairs;
	size_t npairs;
	struct report_run *runs;
	size_t nruns;
	bool central;              /* a central store: runs of many sensors, each named */
	char verify_status[16];    /* "verified", "FAILED", "unknown" */
	char verify_message[512];
	size_t hidden_nodes;       /* contacts left out of the picture */
};

/* The kind an event counts as in the pair summary; KIND__COUNT for the later steps of a call or session. */
enum report_kind report_kind_of(enum event_type t);
const char *report_kind_name(enum report_kind k);

int report_data_load(const struct report_options *opt, struct report_data *d, char *errbuf, size_t errlen);
void report_data_free(struct report_data *d);

/* The contact graph in Graphviz's language (only drawn parties). Caller frees. */
char *report_graph_dot(const struct report_data *d);
/* Runs Graphviz's dot on it: SVG text, caller frees; NULL with errbuf on failure. */
char *report_graph_svg(const struct report_data *d, char *errbuf, size_t errlen);
/* A timeline of one target's records as SVG. Caller frees. */
char *report_timeline_svg(const struct report_data *d, const char *target);
/* The whole HTML page into f; graph_svg may be NULL (nothing to draw). */
void report_html(FILE *f, const struct report_data *d, const struct report_options *opt, const char *graph_svg);

#endif
