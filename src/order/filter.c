/*
 * filter.c — from an event to the records an order allows.
 *
 * With an identity map, each party is first resolved: the subscriber behind its address
 * (the event's from_addr / to_addr, or the party text itself when it is an address) at
 * the event's capture time. A party that is only an address is then written as the
 * subscriber ("+15551234567" rather than "10.45.0.2"); a party the signalling named
 * ("sip:alice@example.net", "+15551234567") keeps that name. Either way a target matches
 * when the party's text matches it, or else when the subscriber behind the address does
 * (an MSISDN or IMSI target matches the SIP call from that subscriber's address), and
 * the evidence says who was behind the address when that adds anything (docs/records.md).
 */
#include "order/filter.h"

#include "identity/identity.h"
#include "record/json.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *transport_name(uint8_t ip_proto)
{
	switch (ip_proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 132:
		return "sctp";
	default:
		return "ip";
	}
}

/* The evidence object: where the event was seen. Addresses only, never payload. */
static void format_evidence(const struct event *e, const char *capture_sha256, char *buf, size_t len)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	size_t n = (size_t)snprintf(buf, len, "{\"capture\":\"%s\",\"frames\":[",
				    capture_sha256 ? capture_sha256 : "");
	for (unsigned i = 0; i < e->nframes && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%llu", i ? "," : "",
				      (unsigned long long)e->frames[i]);
	if (n < len && e->src.family)
		n += (size_t)snprintf(buf + n, len - n,
				      "],\"transport\":\"%s\",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u}",
				      transport_name(e->ip_proto), addr_format(&e->src, src, sizeof src),
				      e->sport, addr_format(&e->dst, dst, sizeof dst), e->dport);
	else if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "]}");
	/* The encapsulations the packets came through (docs/tunnels.md), when any. */
	if (n < len && n > 0 && e->tunnel.n) {
		char path[TUNNEL_TEXT_MAX];
		tunnel_path_format(&e->tunnel, path, sizeof path);
		n--; /* reopen the object */
		n += (size_t)snprintf(buf + n, len - n, ",\"tunnel\":\"");
		if (n < len) {
			json_escape(path, strlen(path), buf + n, len - n);
			n += strlen(buf + n);
		}
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "\"}");
	}
	/* Sessions and flows also say how much went each way, and the remote name. */
	if (n < len && n > 0 && (e->packets_up || e->packets_down)) {
		n--; /* reopen the object */
		n += (size_t)snprintf(buf + n, len - n,
				      ",\"bytes_up\":%llu,\"bytes_down\":%llu,\"packets_up\":%llu,\"packets_down\":%llu}",
				      (unsigned long long)e->bytes_up, (unsigned long long)e->bytes_down,
				      (unsigned long long)e->packets_up, (unsigned long long)e->packets_down);
	}
	if (n < len && n > 0 && e->name[0]) {
		n--;
		n += (size_t)snprintf(buf + n, len - n, ",\"name\":\"");
		if (n < len) {
			json_escape(e->name, strlen(e->name), buf + n, len - n);
			n += strlen(buf + n);
		}
		if (n < len)
			snprintf(buf + n, len - n, "\"}");
	}
}

/* What the identity map said about one party of the event. */
struct resolved {
	bool known;                  /* a subscriber was behind the address at the event time */
	bool replaced;               /* the party was only an address: written as the subscriber */
	bool via_subscriber;         /* the target matched the subscriber, not the party's text */
	struct ip_addr addr;
	struct identity_binding b;
	char party[PARTY_MAX];       /* the party text as written in the record */
};

static void resolve_party(const struct identity_map *ids, const char *text, const struct ip_addr *addr,
			  uint64_t ts_us, struct resolved *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->party, sizeof r->party, "%s", text);
	struct ip_addr parsed;
	bool text_is_addr = text[0] && addr_parse(text, &parsed) == 0;
	if (addr && addr->family)
		r->addr = *addr;
	else if (text_is_addr)
		r->addr = parsed;
	if (!ids || r->addr.family == 0 || !identity_lookup_binding(ids, &r->addr, ts_us, &r->b))
		return;
	const char *who = subscriber_party(&r->b.sub);
	if (!who[0])
		return;
	r->known = true;
	r->replaced = text[0] == '\0' || text_is_addr;
	if (r->replaced)
		snprintf(r->party, sizeof r->party, "%s", who);
}

/* Appends ,"key":"value" (escaped) at buf[*n]; skipped when value is empty. */
static void append_text(char *buf, size_t len, size_t *n, const char *sep, const char *key, const char *value)
{
	if (!value[0] || *n >= len)
		return;
	*n += (size_t)snprintf(buf + *n, len - *n, "%s\"%s\":\"", sep, key);
	if (*n < len) {
		json_escape(value, strlen(value), buf + *n, len - *n);
		*n += strlen(buf + *n);
	}
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, "\"");
}

/*
 * Adds "from_subscriber" / "to_subscriber" to the evidence object in buf:
 * {"msisdn":..,"imsi":..,"sip":..,"imei":..,"addr":..,"source":..} (empty ones left out),
 * for a party that is a target of this record and that the map named: its address was
 * written as the subscriber, or the subscriber is what matched the target. Nothing is
 * added about the other party (beyond its name, it is not the order's business), nor
 * when the party's own text matched (the map could only add identities the signalling
 * did not use, minimisation). Left out whole when it does not fit.
 */
static void append_subscriber(char *buf, size_t len, const char *key, const struct resolved *r, bool target)
{
	size_t have = strlen(buf);
	if (!target || !r->known || !(r->replaced || r->via_subscriber) || have < 2 || buf[have - 1] != '}')
		return;
	char obj[RECORD_EVIDENCE_MAX], a[ADDR_STRLEN];
	size_t n = (size_t)snprintf(obj, sizeof obj, "%s\"%s\":{", have > 2 ? "," : "", key);
	size_t open = n;
	const struct subscriber *s = &r->b.sub;
	append_text(obj, sizeof obj, &n, "", "msisdn", s->msisdn);
	append_text(obj, sizeof obj, &n, n > open ? "," : "", "imsi", s->imsi);
	append_text(obj, sizeof obj, &n, n > open ? "," : "", "sip", s->sip);
	append_text(obj, sizeof obj, &n, n > open ? "," : "", "imei", s->imei);
	append_text(obj, sizeof obj, &n, n > open ? "," : "", "addr", addr_format(&r->addr, a, sizeof a));
	append_text(obj, sizeof obj, &n, ",", "source", identity_source_name(r->b.source));
	if (n + 2 >= sizeof obj || have - 1 + n + 2 >= len)
		return;
	memcpy(buf + have - 1, obj, n);
	memcpy(buf + have - 1 + n, "}}", 3);
}

static void fill_record(const struct order *o, const struct event *e, const struct order_target *t,
			const char *direction, const char *from, const char *to, const char *evidence,
			const char *event_id, struct record *r)
{
	memset(r, 0, sizeof *r);
	r->ts_us = e->ts_us;
	r->type = e->type;
	snprintf(r->order, sizeof r->order, "%s", o->id);
	snprintf(r->target, sizeof r->target, "%s", t->id);
	snprintf(r->direction, sizeof r->direction, "%s", direction);
	snprintf(r->from, sizeof r->from, "%s", from);
	snprintf(r->to, sizeof r->to, "%s", to);
	snprintf(r->protocol, sizeof r->protocol, "%s", e->protocol ? e->protocol : "");
	memcpy(r->service, e->service, sizeof r->service);
	memcpy(r->signature, e->signature, sizeof r->signature);
	r->inferred = e->inferred;
	r->score = e->score;
	r->duration_us = e->duration_us;
	memcpy(r->outcome, e->outcome, sizeof r->outcome);
	memcpy(r->call_id, e->call_id, sizeof r->call_id);
	memcpy(r->contact, e->contact, sizeof r->contact);
	memcpy(r->subtype, e->subtype, sizeof r->subtype);
	snprintf(r->evidence, sizeof r->evidence, "%s", evidence);
	snprintf(r->event, sizeof r->event, "%s", event_id);
	r->hint.sms_leg = e->sms_leg;
	r->hint.shape_bytes = e->shape_bytes;
	if (e->type == EV_OTT_CALL_BEGIN || e->type == EV_OTT_CALL_END) {
		r->hint.capture_index = e->capture_index;
		r->hint.call_frame = e->nframes ? e->frames[0] : 0;
		r->hint.device = e->src;
	}
}

/* A withheld identity (RFC 3323 4.1.1.3: "Anonymous" <sip:anonymous@anonymous.invalid>). */
static bool anonymous(const char *party)
{
	return strncasecmp(party, "sip:anonymous@", 14) == 0 || strncasecmp(party, "sips:anonymous@", 15) == 0 ||
	       strcasestr(party, "@anonymous.invalid") != NULL;
}

/*
 * The target a party is: by its text (and address), else by the subscriber behind the
 * address. A data session's subscriber stands behind whatever its address sends (a VoLTE
 * call From an IMSI-based IMPU is still that subscriber's). A registration names only
 * what does not name itself: the address's own traffic and withheld (anonymous) calls;
 * a call that names another account from a registered phone is that account's.
 */
static int match(const struct order *o, struct resolved *r)
{
	int t = order_match_party(o, r->party, &r->addr);
	bool usable = r->known && (r->b.source != ID_SRC_SIP_REGISTER || r->replaced || anonymous(r->party));
	if (t < 0 && usable) {
		t = order_match_subscriber(o, &r->b.sub);
		r->via_subscriber = t >= 0;
	}
	return t;
}

size_t order_filter_identity(const struct order *o, const struct event *e, const struct identity_map *ids,
			     const char *capture_sha256, struct record out[2])
{
	if (e->ts_us < o->valid_from_us || e->ts_us > o->valid_until_us)
		return 0;
	struct resolved from, to;
	resolve_party(ids, e->from, &e->from_addr, e->ts_us, &from);
	resolve_party(ids, e->to, &e->to_addr, e->ts_us, &to);
	int from_target = (o->kind & ORDER_PEN_REGISTER) ? match(o, &from) : -1;
	int to_target = (o->kind & ORDER_TRAP_TRACE) ? match(o, &to) : -1;
	if (from_target < 0 && to_target < 0)
		return 0;
	char evidence[RECORD_EVIDENCE_MAX];
	format_evidence(e, capture_sha256, evidence, sizeof evidence);
	append_subscriber(evidence, sizeof evidence, "from_subscriber", &from, from_target >= 0);
	append_subscriber(evidence, sizeof evidence, "to_subscriber", &to, to_target >= 0);
	/* one id for the event, so its two legs (an event between two targets) share it */
	char event_id[RECORD_EVENT_LEN];
	record_event_id(e, from.party, to.party, event_id);
	size_t n = 0;
	if (from_target >= 0)
		fill_record(o, e, &o->targets[from_target], "out", from.party, to.party, evidence, event_id, &out[n++]);
	if (to_target >= 0)
		fill_record(o, e, &o->targets[to_target], "in", from.party, to.party, evidence, event_id, &out[n++]);
	/* A delivery that names its recipient by IMSI (MAP's mt-ForwardSM) is still the SMS
	 * submitted to the recipient's number: the number goes with the records, never written,
	 * for the writer's pairing to join the two (record/pairing.c) */
	struct subscriber s = { 0 };
	size_t len = strlen(to.party);
	if (e->type == EV_SMS && strncmp(to.party, "imsi:", 5) == 0 && len < sizeof s.imsi) {
		memcpy(s.imsi, to.party, len + 1);
		identity_fill_subscriber(ids, &s);
		for (size_t i = 0; i < n && s.msisdn[0]; i++)
			memcpy(out[i].hint.sms_to, s.msisdn, sizeof out[i].hint.sms_to);
	}
	return n;
}

size_t order_filter(const struct order *o, const struct event *e, const char *capture_sha256,
		    struct record out[2])
{
	return order_filter_identity(o, e, NULL, capture_sha256, out);
}
