/* filter.c — from an event to the records an order allows. */
#include "order/filter.h"

#include "record/json.h"

#include <stdio.h>
#include <string.h>

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

static void fill_record(const struct order *o, const struct event *e, const struct order_target *t,
			const char *direction, const char *evidence, struct record *r)
{
	memset(r, 0, sizeof *r);
	r->ts_us = e->ts_us;
	r->type = e->type;
	snprintf(r->order, sizeof r->order, "%s", o->id);
	snprintf(r->target, sizeof r->target, "%s", t->id);
	snprintf(r->direction, sizeof r->direction, "%s", direction);
	memcpy(r->from, e->from, sizeof r->from);
	memcpy(r->to, e->to, sizeof r->to);
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
}

size_t order_filter(const struct order *o, const struct event *e, const char *capture_sha256,
		    struct record out[2])
{
	if (e->ts_us < o->valid_from_us || e->ts_us > o->valid_until_us)
		return 0;
	int from_target = (o->kind & ORDER_PEN_REGISTER) ? order_match_party(o, e->from, &e->from_addr) : -1;
	int to_target = (o->kind & ORDER_TRAP_TRACE) ? order_match_party(o, e->to, &e->to_addr) : -1;
	if (from_target < 0 && to_target < 0)
		return 0;
	char evidence[RECORD_EVIDENCE_MAX];
	format_evidence(e, capture_sha256, evidence, sizeof evidence);
	size_t n = 0;
	if (from_target >= 0)
		fill_record(o, e, &o->targets[from_target], "out", evidence, &out[n++]);
	if (to_target >= 0)
		fill_record(o, e, &o->targets[to_target], "in", evidence, &out[n++]);
	return n;
}
