/*
 * record.h — what pentrap keeps: one record per (event, target) that the order allows,
 * with the fields of DESIGN.md, and the sinks that write records (SQLite store, JSON
 * lines) behind a small table of functions (libpcap's pcap-*.c, curl's backends).
 */
#ifndef PENTRAP_RECORD_RECORD_H
#define PENTRAP_RECORD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event/event.h"

enum { RECORD_EVIDENCE_MAX = 1024, HASH_HEX_LEN = 65, RECORD_EVENT_LEN = 17 };

struct record {
	uint64_t seq;
	uint64_t ts_us;
	enum event_type type;
	char event[RECORD_EVENT_LEN]; /* the event's id, shared by its legs (record_event_id); "" in old stores */
	char order[64];
	char target[PARTY_MAX];
	char direction[4];         /* "out" or "in" */
	char from[PARTY_MAX], to[PARTY_MAX];
	char counterpart[PARTY_MAX]; /* the other target of an app message or call, "" when none */
	char protocol[16];
	char service[32];
	char signature[64];
	bool inferred;
	uint8_t score;
	int64_t duration_us;       /* -1 when not applicable */
	char outcome[16];
	char call_id[CALL_ID_MAX];
	char contact[PARTY_MAX];
	char subtype[24];          /* "" when none */
	char evidence[RECORD_EVIDENCE_MAX]; /* JSON object text */
	char prev_hash[HASH_HEX_LEN], hash[HASH_HEX_LEN];
	/*
	 * Never written, hashed or stored: what the writer's pairing compares to join the
	 * legs of one event (record/pairing.c). Zero in records read back from a store.
	 */
	struct record_hint {
		uint8_t sms_leg;        /* SMS: enum sms_leg (event/event.h) */
		char sms_to[24];        /* SMS: the recipient's MSISDN when the signalling named it by
					 * IMSI (MAP's mt-ForwardSM) and the network paired the two */
		uint32_t shape_bytes;   /* inferred message: its burst's payload bytes */
		uint32_t capture_index; /* app call: the capture and frame its begin and end both name */
		uint64_t call_frame;
		struct ip_addr device;  /* app call: the device's address (another's media may go to it) */
	} hint;
};

/*
 * The id of the event e as its records name it (docs/records.md, `event`): 16 hex digits
 * of SHA-256 over the event's own fields (time, type, parties as written, protocol,
 * service, call id, subtype, frames), so the legs of one event (one per target) share it
 * and the same input gives the same id on every run, with any number of workers. from
 * and to are the parties as the records write them.
 */
void record_event_id(const struct event *e, const char *from, const char *to, char out[RECORD_EVENT_LEN]);
/* An id derived from another event's (the ends of a call whose begins were paired). */
void record_event_id_of(const char *base, const char *what, char out[RECORD_EVENT_LEN]);

/* Writes r as one JSON object (no newline) into f. */
void record_write_json(const struct record *r, FILE *f);
/* The same line in memory (no newline), its length in *len. Caller frees; NULL: no memory. */
char *record_to_line(const struct record *r, size_t *len);
/*
 * Reads a record's JSON line (without its newline) back into r (record_parse.c). Only a
 * canonical line is accepted: writing r again gives the same bytes. -1 with a short
 * reason in why when the line is not one.
 */
int record_from_line(const char *line, size_t len, struct record *r, char *why, size_t whylen);

struct checkpoint; /* record/chain.h */

/* A record sink: the store or a JSON lines file. */
struct record_sink_ops {
	const char *name;
	int (*write)(void *impl, const struct record *r, char *errbuf, size_t errlen);
	int (*flush)(void *impl, char *errbuf, size_t errlen); /* commit what was written */
	void (*close)(void *impl);
	/* optional: keep a signed checkpoint, committing it with the records it covers */
	int (*checkpoint)(void *impl, const struct checkpoint *cp, char *errbuf, size_t errlen);
};

struct record_sink {
	const struct record_sink_ops *ops;
	void *impl;
};

#endif
