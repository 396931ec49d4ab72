/*
 * event.h — a communication event recognised by a dissector: who contacted whom, when
 * and how. Events are plain fixed-size structs; the order filter turns the ones about
 * a target into records. A dissector fills one on its stack and hands it to the sink;
 * the sink copies what it keeps.
 *
 * Parties are normalised text (see docs/records.md): E.164 as "+15551234567", SIP as
 * "sip:user@host", IMSI as "imsi:...", an IP as its address, a service as
 * "service:NAME". Never content: no message text, no bodies, no post-answer digits.
 */
#ifndef PENTRAP_EVENT_EVENT_H
#define PENTRAP_EVENT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "decode/tunnel_path.h"

enum event_type {
	EV_CALL_ATTEMPT,
	EV_CALL_ANSWER,
	EV_CALL_END,
	EV_SMS,
	EV_OTT_SESSION_BEGIN,
	EV_OTT_SESSION_END,
	EV_OTT_MESSAGE,
	EV_OTT_CALL_BEGIN,
	EV_OTT_CALL_END,
	EV_DATA_SESSION_BEGIN,
	EV_DATA_SESSION_END,
	EV_FLOW,
	EV_REGISTRATION,
	EV__COUNT
};

enum { PARTY_MAX = 160, CALL_ID_MAX = 160, EVENT_MAX_FRAMES = 8 };

/* Which observation of an SMS an event is: its submission by the sender's side or its
 * delivery to the recipient's (docs/records.md, "Events and legs"). */
enum sms_leg { SMS_LEG_UNKNOWN, SMS_LEG_SUBMIT, SMS_LEG_DELIVER };

struct event {
	enum event_type type;
	uint64_t ts_us;           /* capture time of the packet that made it */
	const char *protocol;     /* static string: "sip", "smpp", ... */
	char from[PARTY_MAX];     /* the originator, normalised */
	char to[PARTY_MAX];       /* the recipient, normalised */
	struct ip_addr from_addr; /* network address of the originator's side, when known */
	struct ip_addr to_addr;   /* network address of the recipient's side, when known */
	char service[32];         /* over-the-top service name, or "" */
	char signature[64];       /* "id@version" of the definition that matched, or "" */
	bool inferred;            /* from traffic shape rather than clear headers */
	uint8_t score;            /* 0..100 for inferred events */
	int64_t duration_us;      /* calls: answer to end; -1 when not applicable */
	char outcome[16];         /* "answered", "busy", "cancelled", "failed", "no-answer" or "" */
	char call_id[CALL_ID_MAX];/* the signalling's own identifier, or "" */
	char contact[PARTY_MAX];  /* registration: the contact address bound to `from` */
	char subtype[24];         /* refines the type: "delivery-receipt", "submit-multi" ... or "" */
	/* sessions and flows: traffic each way, from the originator's side ("up") */
	uint64_t bytes_up, bytes_down, packets_up, packets_down;
	char name[128];           /* the remote name (DNS, SNI) where known, or "" */
	/* never recorded: what joins the legs of one event (record/pairing.c) */
	uint8_t sms_leg;          /* SMS: enum sms_leg (SMS-SUBMIT / submit_sm, SMS-DELIVER / deliver_sm) */
	uint32_t shape_bytes;     /* inferred message: its burst's payload bytes */
	/* evidence: where it was seen */
	uint32_t capture_index;
	uint8_t nframes;
	uint64_t frames[EVENT_MAX_FRAMES];
	struct ip_addr src, dst;  /* the packet's addresses */
	uint16_t sport, dport;
	uint8_t ip_proto;
	struct tunnel_path tunnel; /* the encapsulations it came through (evidence.tunnel), n 0 for none */
};

/* Clears e and sets the fields that have non-zero defaults (duration_us = -1). */
void event_init(struct event *e, enum event_type type);
/* Adds a frame number to the evidence (ignored when full or already last). */
void event_add_frame(struct event *e, uint64_t frame_no);

/*
 * Where and when a packet was seen, as an event's evidence needs it: what a module
 * keeps of a request it answers later (SMPP, SIP MESSAGE, MAP), and what every event
 * made from the packet at hand takes.
 */
struct event_origin {
	uint64_t ts_us, frame_no;
	uint32_t capture_index;
	struct ip_addr src, dst;
	uint16_t sport, dport;
	uint8_t ip_proto;
	struct tunnel_path tunnel; /* the encapsulations it came through */
};

struct packet;
/* The origin of pkt (all zero when pkt is NULL). */
void event_origin_of(struct event_origin *o, const struct packet *pkt);
/* Sets e's time, capture, first frame, addresses and ports from o. */
void event_set_origin(struct event *e, const struct event_origin *o);
/* Both: e made from pkt (nothing when pkt is NULL). */
void event_set_packet(struct event *e, const struct packet *pkt);

const char *event_type_name(enum event_type t);
/* Parses a type name; -1 when unknown. */
int event_type_from_name(const char *name);

/* Where dissectors send events. emit copies what it keeps. */
struct event_sink {
	void (*emit)(void *ud, const struct event *e);
	void *ud;
};

static inline void event_emit(const struct event_sink *sink, const struct event *e)
{
	if (sink && sink->emit)
		sink->emit(sink->ud, e);
}

#endif
