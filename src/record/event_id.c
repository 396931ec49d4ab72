/*
 * event_id.c — the `event` field: one id for the legs of one event (docs/records.md).
 *
 * An event between two targets is recorded once per target; both records are made from
 * the same event, so an id computed from the event's own fields (never the target, the
 * direction, the sequence number or the capture's hash) is the same for both, and the
 * same on every run of the same input whatever the number of workers. Counterpart
 * pairing (record/pairing.c) gives the receiving leg of an app message the sending leg's
 * id. 64 bits of SHA-256 keep ids of distinct events apart in any store.
 */
#include "record/record.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "record/chain.h"

void record_event_id(const struct event *e, const char *from, const char *to, char out[RECORD_EVENT_LEN])
{
	char text[1024 + 2 * PARTY_MAX + CALL_ID_MAX];
	size_t n = (size_t)snprintf(text, sizeof text, "pentrap-event/1\n%" PRIu64 "\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n",
				    e->ts_us, event_type_name(e->type), from, to, e->protocol ? e->protocol : "",
				    e->service, e->call_id, e->subtype);
	for (unsigned i = 0; i < e->nframes && n < sizeof text; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%" PRIu64 ",", e->frames[i]);
	if (n > sizeof text)
		n = sizeof text;
	char hex[HASH_HEX_LEN];
	chain_sha256_hex(text, n, hex);
	memcpy(out, hex, RECORD_EVENT_LEN - 1);
	out[RECORD_EVENT_LEN - 1] = '\0';
}

void record_event_id_of(const char *base, const char *what, char out[RECORD_EVENT_LEN])
{
	char text[RECORD_EVENT_LEN + 64], hex[HASH_HEX_LEN];
	int n = snprintf(text, sizeof text, "pentrap-event/1\n%s\n%s", base, what);
	chain_sha256_hex(text, n > 0 && (size_t)n < sizeof text ? (size_t)n : 0, hex);
	memcpy(out, hex, RECORD_EVENT_LEN - 1);
	out[RECORD_EVENT_LEN - 1] = '\0';
}
