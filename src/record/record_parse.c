/*
 * record_parse.c — a record's JSON line read back into struct record (record.h): the
 * inverse of record_write_json, for lines that come from elsewhere (the broker, a
 * central store keeping the line itself).
 *
 * A line is accepted only when it is canonical: writing the parsed record again must
 * give the same bytes. So a line that parses but is not what pentrap writes (another
 * field order, spaces, an unknown field, a number written otherwise) is refused, and
 * the line, the struct and the hash always agree.
 */
#include "record/record.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "record/json_read.h"

enum { MAX_LINE = 16384 };

/* The string fields, by their JSON name. */
#define TEXT(name, member) { name, offsetof(struct record, member), sizeof(((struct record *)0)->member) }
static const struct text_field {
	const char *name;
	size_t off, size;
} text_fields[] = {
	TEXT("order", order),         TEXT("target", target),     TEXT("direction", direction),
	TEXT("from", from),           TEXT("to", to),             TEXT("protocol", protocol),
	TEXT("service", service),     TEXT("signature", signature), TEXT("outcome", outcome),
	TEXT("call_id", call_id),     TEXT("contact", contact),   TEXT("subtype", subtype),
	TEXT("prev_hash", prev_hash), TEXT("hash", hash),
};

static int refuse(char *why, size_t whylen, const char *what)
{
	if (whylen)
		snprintf(why, whylen, "%s", what);
	return -1;
}

/* "73.250000" (exactly 6 decimals, as written) into microseconds. */
static bool parse_duration(const char *t, size_t n, int64_t *us)
{
	char buf[32];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, t, n);
	buf[n] = '\0';
	char *dot = strchr(buf, '.');
	if (!dot || strlen(dot + 1) != 6 || strspn(buf, "0123456789") != (size_t)(dot - buf) ||
	    strspn(dot + 1, "0123456789") != 6 || dot == buf)
		return false;
	*dot = '\0';
	uint64_t whole = strtoull(buf, NULL, 10), frac = strtoull(dot + 1, NULL, 10);
	if (whole > (uint64_t)INT64_MAX / 1000000 - 1)
		return false;
	*us = (int64_t)(whole * 1000000 + frac);
	return true;
}

static int parse_member(struct json_reader *jr, const char *key, struct record *r, char *why, size_t whylen)
{
	for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
		const struct text_field *f = &text_fields[i];
		if (strcmp(key, f->name) == 0)
			return json_read_string(jr, (char *)r + f->off, f->size, NULL) ? 0
											  : refuse(why, whylen, f->name);
	}
	char text[64];
	if (strcmp(key, "seq") == 0)
		return json_read_u64(jr, &r->seq) ? 0 : refuse(why, whylen, "seq");
	if (strcmp(key, "ts") == 0) {
		if (!json_read_string(jr, text, sizeof text, NULL) || ts_parse(text, &r->ts_us) != 0)
			return refuse(why, whylen, "ts");
		return 0;
	}
	if (strcmp(key, "type") == 0) {
		int t = json_read_string(jr, text, sizeof text, NULL) ? event_type_from_name(text) : -1;
		if (t < 0)
			return refuse(why, whylen, "type");
		r->type = (enum event_type)t;
		return 0;
	}
	if (strcmp(key, "confidence") == 0) {
		if (!json_read_string(jr, text, sizeof text, NULL) ||
		    (strcmp(text, "inferred") != 0 && strcmp(text, "certain") != 0))
			return refuse(why, whylen, "confidence");
		r->inferred = strcmp(text, "inferred") == 0;
		return 0;
	}
	if (strcmp(key, "score") == 0) {
		uint64_t v;
		if (!json_read_u64(jr, &v) || v > 255)
			return refuse(why, whylen, "score");
		r->score = (uint8_t)v;
		return 0;
	}
	const char *raw;
	size_t n;
	if (strcmp(key, "duration_s") == 0) {
		if (!json_read_raw(jr, &raw, &n) || !parse_duration(raw, n, &r->duration_us))
			return refuse(why, whylen, "duration_s");
		return 0;
	}
	if (strcmp(key, "evidence") == 0) {
		if (!json_read_raw(jr, &raw, &n) || n == 0 || raw[0] != '{' || n >= sizeof r->evidence)
			return refuse(why, whylen, "evidence");
		memcpy(r->evidence, raw, n);
		r->evidence[n] = '\0';
		return 0;
	}
	return refuse(why, whylen, key[0] ? key : "an unknown field");
}

int record_from_line(const char *line, size_t len, struct record *r, char *why, size_t whylen)
{
	struct json_reader jr;
	char key[32];
	int more;
	memset(r, 0, sizeof *r);
	r->duration_us = -1;
	if (len == 0 || len > MAX_LINE)
		return refuse(why, whylen, len ? "longer than a record can be" : "empty");
	json_reader_init(&jr, line, len);
	if (!json_object_open(&jr))
		return refuse(why, whylen, "not a JSON object");
	while ((more = json_object_next(&jr, key, sizeof key)) == 1) {
		char field[64];
		if (parse_member(&jr, key, r, field, sizeof field) != 0) {
			if (whylen)
				snprintf(why, whylen, "field %s: not as pentrap writes it", field);
			return -1;
		}
	}
	if (more < 0 || !json_reader_done(&jr))
		return refuse(why, whylen, "not a JSON object");
	/* canonical: the same bytes when written again */
	char *again = NULL;
	size_t alen = 0;
	FILE *mem = open_memstream(&again, &alen);
	if (!mem)
		return refuse(why, whylen, "out of memory");
	record_write_json(r, mem);
	bool same = fclose(mem) == 0 && alen == len && memcmp(again, line, len) == 0;
	free(again);
	if (!same)
		return refuse(why, whylen, "not a record line as pentrap writes it (fields, order or format differ)");
	return 0;
}

char *record_to_line(const struct record *r, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&buf, &n);
	if (!mem)
		return NULL;
	record_write_json(r, mem);
	if (fclose(mem) != 0) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}
