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

#include "core/memtext.h"
#include "core/timefmt.h"
#include "record/json_read.h"

enum {
	MAX_LINE = 16384,
	RECORD_MAX_TOKENS = 1024,  /* a record's line: its fields, and the evidence's members */
};

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
	TEXT("prev_hash", prev_hash), TEXT("hash", hash),         TEXT("event", event),
	TEXT("counterpart", counterpart),
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
	if (!dot || dot == buf || strlen(dot + 1) != 6 || strspn(buf, "0123456789") != (size_t)(dot - buf) ||
	    strspn(dot + 1, "0123456789") != 6)
		return false;
	*dot = '\0';
	uint64_t whole = strtoull(buf, NULL, 10), frac = strtoull(dot + 1, NULL, 10);
	if (whole > (uint64_t)INT64_MAX / 1000000 - 1)
		return false;
	*us = (int64_t)(whole * 1000000 + frac);
	return true;
}

/* A string value into out (size bytes with its NUL); false when not a string or too long. */
static bool text_of(const struct json_doc *d, size_t v, char *out, size_t size)
{
	long n = json_string(d, v, out, size);
	return n >= 0 && (size_t)n < size && strlen(out) == (size_t)n;
}

/* One member (its value at token v) into r; 0, or -1 naming the field in why. */
static int parse_member(const struct json_doc *d, const char *key, size_t v, struct record *r, char *why,
			size_t whylen)
{
	const struct json_token *t = &d->tok[v];
	for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
		const struct text_field *f = &text_fields[i];
		if (strcmp(key, f->name) == 0)
			return text_of(d, v, (char *)r + f->off, f->size) ? 0 : refuse(why, whylen, f->name);
	}
	char text[64];
	if (strcmp(key, "seq") == 0)
		return json_u64(d, v, &r->seq) == 0 ? 0 : refuse(why, whylen, "seq");
	if (strcmp(key, "ts") == 0)
		return text_of(d, v, text, sizeof text) && ts_parse(text, &r->ts_us) == 0 ? 0 : refuse(why, whylen, "ts");
	if (strcmp(key, "type") == 0) {
		int type = text_of(d, v, text, sizeof text) ? event_type_from_name(text) : -1;
		if (type < 0)
			return refuse(why, whylen, "type");
		r->type = (enum event_type)type;
		return 0;
	}
	if (strcmp(key, "confidence") == 0) {
		if (!text_of(d, v, text, sizeof text) || (strcmp(text, "inferred") != 0 && strcmp(text, "certain") != 0))
			return refuse(why, whylen, "confidence");
		r->inferred = strcmp(text, "inferred") == 0;
		return 0;
	}
	if (strcmp(key, "score") == 0) {
		uint64_t score;
		if (json_u64(d, v, &score) != 0 || score > 255)
			return refuse(why, whylen, "score");
		r->score = (uint8_t)score;
		return 0;
	}
	if (strcmp(key, "duration_s") == 0) {
		if (t->type != JSON_NUMBER || !parse_duration(d->text + t->start, t->end - t->start, &r->duration_us))
			return refuse(why, whylen, "duration_s");
		return 0;
	}
	if (strcmp(key, "evidence") == 0) {
		size_t n = t->end - t->start;
		if (t->type != JSON_OBJECT || n >= sizeof r->evidence)
			return refuse(why, whylen, "evidence");
		memcpy(r->evidence, d->text + t->start, n);
		r->evidence[n] = '\0';
		return 0;
	}
	return refuse(why, whylen, key[0] ? key : "an unknown field");
}

int record_from_line(const char *line, size_t len, struct record *r, char *why, size_t whylen)
{
	struct json_token tok[RECORD_MAX_TOKENS];
	struct json_doc d;
	memset(r, 0, sizeof *r);
	r->duration_us = -1;
	if (len == 0 || len > MAX_LINE)
		return refuse(why, whylen, len ? "longer than a record can be" : "empty");
	long ntok = json_parse(line, len, tok, RECORD_MAX_TOKENS, &d);
	if (ntok < 0 || tok[0].type != JSON_OBJECT)
		return refuse(why, whylen, ntok == JSON_ERR_TOO_MANY || ntok == JSON_ERR_TOO_DEEP
						   ? "more or deeper than a record can be"
						   : "not a JSON object");
	long k = json_first(&d, 0);
	for (uint32_t m = 0; m < tok[0].size && k >= 0; m++) {
		char key[32], field[64];
		if (!text_of(&d, (size_t)k, key, sizeof key))
			key[0] = '\0';
		if (parse_member(&d, key, (size_t)k + 1, r, field, sizeof field) != 0) {
			if (whylen)
				snprintf(why, whylen, "field %s: not as pentrap writes it", field);
			return -1;
		}
		k = (long)tok[k + 1].next;
	}
	/* canonical: the same bytes when written again */
	struct memtext mt;
	FILE *mem = memtext_open(&mt);
	if (!mem)
		return refuse(why, whylen, "out of memory");
	record_write_json(r, mem);
	size_t alen = 0;
	char *again = memtext_close(&mt, &alen);
	bool same = again && alen == len && memcmp(again, line, len) == 0;
	free(again);
	if (!same)
		return refuse(why, whylen, "not a record line as pentrap writes it (fields, order or format differ)");
	return 0;
}

char *record_to_line(const struct record *r, size_t *len)
{
	struct memtext mt;
	FILE *mem = memtext_open(&mt);
	if (!mem)
		return NULL;
	record_write_json(r, mem);
	return memtext_close(&mt, len);
}
