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

/*
 * A party of the contact graph: a person as the records name them (a target, a number,
 * a SIP or IMS identity, an IMSI, an app counterpart, a call's far end). Infrastructure
 * (app services, access point names, DNS resolvers, web servers, relays) is not a
 * party: it is listed per target as its services and destinations (report_dest).
 */
struct report_party {
	char id[PARTY_MAX];
	int is_target;
	uint64_t interactions;     /* events involving this party */
	int drawn;                 /* selected for the graph */
	uint64_t events;           /* a target's events (distinct ids among its records) */
	char same_as[24];          /* an IMSI whose MSISDN the evidence names: that party's id, else "" */
};

enum report_kind { KIND_CALL, KIND_SMS, KIND_APP_MESSAGE, KIND_APP_CALL, KIND__COUNT };

/* A pair of parties and the events between them, once each however many legs recorded them. */
struct report_pair {
	size_t a, b;               /* party indices; a is the first party seen originating */
	uint64_t count[KIND__COUNT];
	uint64_t inferred[KIND__COUNT]; /* of count: paired by inference (counterpart) */
	int64_t call_us;           /* total call time (calls and app calls) */
	uint64_t first_us, last_us;
};

enum report_dest_kind { DEST_APP, DEST_ACCESS, DEST_DNS, DEST_HOST, DEST_REGISTRAR, DEST__COUNT };

/* A service or destination of one target: what it used, not whom it contacted. */
struct report_dest {
	size_t target;             /* party index of the target */
	enum report_dest_kind kind;
	char name[PARTY_MAX];      /* the service, access point, resolver, host name or address */
	uint64_t events;
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
	struct report_dest *dests;
	size_t ndests;
	uint64_t events;           /* distinct events among the records */
	struct report_run *runs;
	size_t nruns;
	bool central;              /* a central store: runs of many sensors, each named */
	char verify_status[16];    /* "verified", "FAILED", "unknown" */
	char verify_message[512];
	size_t hidden_nodes;       /* contacts left out of the picture */
};

/* The kind an event counts as between parties; KIND__COUNT when it is no contact (or a later step). */
enum report_kind report_kind_of(enum event_type t);
const char *report_kind_name(enum report_kind k);
/* The JSON and CSV key of a kind ("calls", "sms", "app_messages", "app_calls"). */
const char *report_kind_key(enum report_kind k);
const char *report_dest_kind_name(enum report_dest_kind k);

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
