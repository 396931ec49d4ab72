/* event.c — event type names and helpers. */
#include "event/event.h"

#include <string.h>

#include "core/stats.h"
#include "decode/packet.h"

_Static_assert((int)EV__COUNT <= (int)STATS_EVENT_TYPES, "stats.events too small for the event types");

static const char *const type_names[EV__COUNT] = {
	[EV_CALL_ATTEMPT] = "call.attempt",
	[EV_CALL_ANSWER] = "call.answer",
	[EV_CALL_END] = "call.end",
	[EV_SMS] = "sms",
	[EV_OTT_SESSION_BEGIN] = "ott.session.begin",
	[EV_OTT_SESSION_END] = "ott.session.end",
	[EV_OTT_MESSAGE] = "ott.message",
	[EV_OTT_CALL_BEGIN] = "ott.call.begin",
	[EV_OTT_CALL_END] = "ott.call.end",
	[EV_DATA_SESSION_BEGIN] = "data.session.begin",
	[EV_DATA_SESSION_END] = "data.session.end",
	[EV_FLOW] = "flow",
	[EV_REGISTRATION] = "registration",
};

void event_init(struct event *e, enum event_type type)
{
	memset(e, 0, sizeof *e);
	e->type = type;
	e->duration_us = -1;
}

void event_add_frame(struct event *e, uint64_t frame_no)
{
	if (e->nframes > 0 && e->frames[e->nframes - 1] == frame_no)
		return;
	if (e->nframes < EVENT_MAX_FRAMES)
		e->frames[e->nframes++] = frame_no;
}

void event_origin_of(struct event_origin *o, const struct packet *pkt)
{
	if (!pkt) {
		memset(o, 0, sizeof *o);
		return;
	}
	*o = (struct event_origin){
		.ts_us = pkt->ts_us, .frame_no = pkt->frame_no, .capture_index = pkt->capture_index,
		.src = pkt->src, .dst = pkt->dst, .sport = pkt->sport, .dport = pkt->dport,
		.ip_proto = pkt->ip_proto, .tunnel = pkt->tunnel,
	};
}

void event_set_origin(struct event *e, const struct event_origin *o)
{
	e->ts_us = o->ts_us;
	e->capture_index = o->capture_index;
	event_add_frame(e, o->frame_no);
	e->src = o->src;
	e->dst = o->dst;
	e->sport = o->sport;
	e->dport = o->dport;
	e->ip_proto = o->ip_proto;
	e->tunnel = o->tunnel;
}

void event_set_packet(struct event *e, const struct packet *pkt)
{
	struct event_origin o;
	if (!pkt)
		return;
	event_origin_of(&o, pkt);
	event_set_origin(e, &o);
}

const char *event_type_name(enum event_type t)
{
	return (unsigned)t < EV__COUNT ? type_names[t] : "unknown";
}

int event_type_from_name(const char *name)
{
	for (int i = 0; i < EV__COUNT; i++)
		if (strcmp(type_names[i], name) == 0)
			return i;
	return -1;
}
