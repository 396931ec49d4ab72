/*
 * summary.c — the end of a run on stderr (summary.h). Events are counted as the
 * answer counts them (record/tally.h): an SMS between two targets is one event of two
 * legs, however many records it made.
 */
#include "run/summary.h"

#include <inttypes.h>
#include <string.h>

#include "core/timefmt.h"
#include "record/tally.h"

/* " (type n, type n)" for the non-zero counts; nothing when all are zero. */
static void by_type(FILE *out, const uint64_t n[EV__COUNT])
{
	const char *sep = " (";
	for (int i = 0; i < EV__COUNT; i++)
		if (n[i]) {
			fprintf(out, "%s%s %" PRIu64, sep, event_type_name((enum event_type)i), n[i]);
			sep = ", ";
		}
	if (sep[0] == ',')
		fputc(')', out);
}

static void time_range(FILE *out, uint64_t first, uint64_t last)
{
	char a[TS_STRLEN], b[TS_STRLEN];
	fprintf(out, "%s .. %s", ts_format(first, a, sizeof a), ts_format(last, b, sizeof b));
}

/* Each target's events by type, or "not seen"; the first SUMMARY_TARGETS_SHOWN of them. */
static void per_target(FILE *out, const struct run_summary *s)
{
	const struct tally *t = s->w->tally;
	if (!t || !s->order)
		return;
	size_t seen = 0, shown = 0;
	for (size_t i = 0; i < s->order->ntargets; i++) {
		const struct tally_target *e = tally_target(t, s->order->targets[i].id);
		seen += e != NULL;
		if (shown == SUMMARY_TARGETS_SHOWN)
			continue;
		fprintf(out, "%s%s: ", shown ? "             " : "  by target  ", s->order->targets[i].id);
		if (e) {
			fprintf(out, "%" PRIu64 " event%s", e->events, e->events == 1 ? "" : "s");
			by_type(out, e->by_type);
		} else {
			fputs("not seen", out);
		}
		fputc('\n', out);
		shown++;
	}
	if (s->order->ntargets > shown)
		fprintf(out, "             and %zu more targets (%zu of all %zu seen): pentrap query --target ID\n",
			s->order->ntargets - shown, seen, s->order->ntargets);
}

void run_summary_print(FILE *out, const struct run_summary *s)
{
	const struct stats *st = s->st;
	const struct record_writer *w = s->w;
	fprintf(out, "pentrap: summary\n");
	fprintf(out, "  captures   %zu", s->ncaptures);
	if (s->first_us) {
		fputs(", frames from ", out);
		time_range(out, s->first_us, s->last_us);
	}
	fputc('\n', out);
	fprintf(out, "  packets    %" PRIu64 " (%" PRIu64 " bytes, %" PRIu64 " IP) in %.2f s\n", st->packets, st->bytes,
		st->ip_packets, s->secs);
	fprintf(out, "  flows      %" PRIu64 "\n", st->flows);
	uint64_t types[EV__COUNT] = { 0 }, records = 0;
	uint64_t events = w->tally ? tally_events(w->tally, types, &records) : 0;
	fprintf(out, "  events     %" PRIu64, events);
	by_type(out, types);
	fputc('\n', out);
	/* sightings, not events: said so, or "sms 8" beside "events (sms 4)" reads as a count twice */
	fprintf(out, "  sms        %" PRIu64 " seen in the signalling (smpp %" PRIu64 ", sip-message %" PRIu64 ", map %" PRIu64
		"; a submission and its delivery are two)\n",
		st->sms_smpp + st->sms_sip + st->sms_map, st->sms_smpp, st->sms_sip, st->sms_map);
	uint64_t ops = st->map_ops_sri_sm + st->map_ops_update_location + st->map_ops_other;
	if (ops || st->tcap_messages)
		fprintf(out, "  map ops    %" PRIu64 " not recorded (sendRoutingInfoForSM %" PRIu64 ", updateLocation %" PRIu64
			", other %" PRIu64 ")\n", ops, st->map_ops_sri_sm, st->map_ops_update_location, st->map_ops_other);
	if (st->tcap_messages || st->sccp_returned)
		fprintf(out, "  tcap       %" PRIu64 " messages (%" PRIu64 " not MAP: CAMEL and others; %" PRIu64
			" returned by SCCP)\n", st->tcap_messages, st->tcap_non_map, st->sccp_returned);
	fprintf(out, "  records    %" PRIu64, w->written);
	if (w->written)
		fprintf(out, " (seq %" PRIu64 "..%" PRIu64 ")", w->next_seq - w->written, w->next_seq - 1);
	if (s->db_path)
		fprintf(out, " -> %s", s->db_path);
	fputc('\n', out);
	per_target(out, s);
	fprintf(out, "  anomalies  %" PRIu64, stats_anomaly_total(st));
	const char *sep = " (";
	for (int i = 0; i < ANOM__COUNT; i++)
		if (st->anomalies[i]) {
			fprintf(out, "%s%s %" PRIu64, sep, anomaly_name((enum anomaly)i), st->anomalies[i]);
			sep = ", ";
		}
	fprintf(out, "%s\n", stats_anomaly_total(st) ? ")" : "");
}

void run_summary_warnings(FILE *err, const struct run_summary *s)
{
	const struct order *o = s->order;
	if (!o || !s->first_us)
		return;
	if (s->last_us < o->valid_from_us || s->first_us > o->valid_until_us) {
		fprintf(err, "pentrap: warning: the order's window (");
		time_range(err, o->valid_from_us, o->valid_until_us);
		fprintf(err, ") does not overlap the frames read (");
		time_range(err, s->first_us, s->last_us);
		fprintf(err, "): nothing could be recorded\n");
		return;
	}
	if (s->w->written == 0) {
		fprintf(err, "pentrap: warning: none of the order's %zu target%s was seen in the frames read (", o->ntargets,
			o->ntargets == 1 ? "" : "s");
		time_range(err, s->first_us, s->last_us);
		fprintf(err, ", inside the window ");
		time_range(err, o->valid_from_us, o->valid_until_us);
		fprintf(err, "): no records\n");
	}
}

void run_summary_pairing(FILE *out, const struct record_writer *w)
{
	if (!w->pairing)
		return;
	struct pairing_stats ps;
	pairing_get_stats(w->pairing, &ps);
	fprintf(out, "  pairing    %" PRIu64 " SMS deliveries joined to their submission; %" PRIu64
		" app messages and %" PRIu64 " app calls paired between targets (%" PRIu64
		" sends left unpaired: ambiguous); at most %" PRIu64 " of %d legs held, %" PRIu64 " decided early\n",
		ps.sms_joined, ps.msg_pairs, ps.call_pairs, ps.msg_ambiguous, ps.held_peak, PAIRING_HELD_MAX,
		ps.held_full);
}
