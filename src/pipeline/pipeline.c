/*
 * pipeline.c — glue from frames to records.
 *
 * Per frame: decode (link, IP, fragments, tunnels: the innermost packet), the flow,
 * and the flow's dissector: recognised by content on the
 * first payloads (ports are no proof), then fed datagrams (UDP) or the reassembled
 * stream (TCP). Events go through the order filter; the records it allows go to the
 * writer. Housekeeping (timeouts) runs once per second of capture time.
 */
#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "identity/identity.h"
#include "identity/names.h"
#include "order/filter.h"
#include "pipeline/identity_wait.h"
#include "run/shard.h"
#include "proto/proto.h"

enum {
	MAX_DISSECTORS = 32,
	PROBE_PAYLOADS = 4,      /* payload packets looked at before a flow is left unclassified */
	TICK_INTERVAL_US = 1000000,
};

struct pipeline {
	struct stats stats;
	struct decoder *decoder;
	struct flow_table *flows;
	void *modules[MAX_DISSECTORS];
	size_t ndissectors;
	struct event_sink events;
	const struct order *order;
	struct record_writer *writer;
	uint32_t capture_index;        /* the capture being read */
	char (*capture_sha256)[65];    /* every capture's SHA-256 by index, as set so far */
	uint32_t ncaptures;
	uint64_t last_tick_us;
	struct identity_map *identity; /* who is behind an address (identity/identity.h) */
	struct name_cache *names;      /* DNS answers per client (identity/names.h) */
	bool own_identity, own_names;  /* made here (else the config's, borrowed) */
	void (*on_packet)(void *ud, const struct packet *pkt);
	void *on_packet_ud;
	struct detect *detect;         /* signatures, OTT events, flow records (detect/detect.h) */
	const struct facts_sink *facts; /* the detect instance's, for the dissectors (NULL: none) */
	/* one of several workers (run/shard.h) */
	unsigned worker, nworkers;
	bool frame_shared;             /* the frame being read was given to every worker */
	bool frame_owned;              /* ... and a packet of it turned out to be this worker's */
	void (*on_record)(void *ud, const struct record *r);
	void *on_record_ud;
	struct identity_wait *wait;    /* events waiting for a shared binding (live), or NULL */
	bool identity_pending;         /* live identity sharing: flows nobody was bound to are looked at */
};

/* The summary's sms line: every sms event by the protocol that carried it. */
static void count_sms(struct stats *st, const struct event *e)
{
	const char *proto = e->protocol ? e->protocol : "";
	if (strcmp(proto, "smpp") == 0)
		st->sms_smpp++;
	else if (strcmp(proto, "sip-message") == 0)
		st->sms_sip++;
	else if (strcmp(proto, "map") == 0)
		st->sms_map++;
}

/*
 * Shared traffic (run/shard.h) is read by every worker and recorded by one: worker
 * 0, but an app call by its device's worker, the one that saw all the device's flows
 * (others may have put a partial call together from the peer-to-peer ones alone).
 */
static bool recorded_by_another_worker(const struct pipeline *p, const struct event *e)
{
	if (p->nworkers <= 1 || !shard_is_shared(e->ip_proto, &e->src, &e->dst, e->sport, e->dport))
		return false;
	if (e->type == EV_OTT_CALL_BEGIN || e->type == EV_OTT_CALL_END)
		return shard_device_worker(&e->src, p->nworkers) != (int)p->worker;
	return p->worker != 0;
}

/* The records the order makes of an event (0, 1 or 2, into recs). */
static size_t filter_event(const struct pipeline *p, const struct event *e, struct record recs[2])
{
	/* the capture the event was seen in, which a timeout noticed in the next one is not */
	const char *sha = e->capture_index < p->ncaptures ? p->capture_sha256[e->capture_index] : "";
	return order_filter_identity(p->order, e, p->identity, sha, recs);
}

/* An event's records (n of them, from filter_event) to the writer, and the summary's counts. */
static void write_event(struct pipeline *p, const struct event *e, struct record *recs, size_t n)
{
	/* The app events the summary counts: the signature engine looks only at targets'
	 * flows, so every one of them is a target's; with identity shared live it also looks
	 * at flows nobody was bound to yet, and then only those the order kept count. */
	if (!p->identity_pending || n > 0) {
		if (e->type == EV_OTT_SESSION_BEGIN)
			p->stats.ott_sessions++;
		else if (e->type == EV_OTT_MESSAGE)
			p->stats.ott_messages++;
		else if (e->type == EV_OTT_CALL_BEGIN)
			p->stats.ott_calls++;
	}
	/* Minimisation (docs/evidence.md): only events the order keeps are counted, so the
	 * summary says nothing about communications between non-targets. */
	if (n > 0 && (unsigned)e->type < EV__COUNT)
		p->stats.events[e->type]++;
	if (n > 0 && e->type == EV_SMS)
		count_sms(&p->stats, e);
	for (size_t i = 0; i < n; i++) {
		if (p->on_record) {
			p->on_record(p->on_record_ud, &recs[i]);
			p->stats.records++;
		} else if (writer_write(p->writer, &recs[i]) == 0) {
			p->stats.records++;
		}
	}
}

/* An event to the order filter and its records to the writer (also for events that
 * waited for a shared binding: the identity may name them now). */
static void handle_event(void *ud, const struct event *e)
{
	struct pipeline *p = ud;
	struct record recs[2];
	write_event(p, e, recs, filter_event(p, e, recs));
}

static void on_event(void *ud, const struct event *e)
{
	struct pipeline *p = ud;
	if (recorded_by_another_worker(p, e))
		return;
	struct record recs[2];
	size_t n = filter_event(p, e, recs);
	/* live identity sharing: what the order does not record now may be named by
	 * another sensor's binding on its way */
	if (n == 0 && p->wait && identity_wait_hold(p->wait, p->identity, e, handle_event, p))
		return;
	write_event(p, e, recs, n);
}

static void parse_ctx_init(struct pipeline *p, struct parse_ctx *ctx, struct flow *f, int dir,
			   const struct packet *pkt)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->pkt = pkt;
	ctx->flow = f;
	ctx->dir = dir;
	ctx->state = f ? f->proto_state : NULL;
	ctx->module = f && f->dissector < p->ndissectors ? p->modules[f->dissector] : NULL;
	ctx->events = &p->events;
	ctx->facts = p->facts;
	ctx->stats = &p->stats;
	ctx->identity = p->identity;
	ctx->names = p->names;
}

static void on_flow_end(struct flow *f, void *ud)
{
	struct pipeline *p = ud;
	detect_flow_end(p->detect, f);
	if (f->dissector < p->ndissectors) {
		const struct dissector *d = proto_registry[f->dissector];
		if (d->state_end) {
			struct parse_ctx ctx;
			parse_ctx_init(p, &ctx, f, 0, NULL);
			d->state_end(&ctx);
		}
	}
	free(f->proto_state);
	f->proto_state = NULL;
}

/*
 * Every dissector's module: the ordinary ones first, then the layers (SCTP), each given
 * the others with their modules to hand messages on to (proto.h layer_new).
 */
static int make_modules(struct pipeline *p, const struct pipeline_config *cfg)
{
	p->ndissectors = proto_registry_count();
	if (p->ndissectors > MAX_DISSECTORS)
		p->ndissectors = MAX_DISSECTORS;
	const struct module_sizes sizes = { .data_sessions = cfg->data_sessions,
					    .tls_gather = cfg->gather_buffers,
					    .quic_gather = cfg->gather_buffers };
	struct proto_user users[MAX_DISSECTORS];
	for (size_t i = 0; i < p->ndissectors; i++) {
		const struct dissector *d = proto_registry[i];
		if (d->module_new && !(p->modules[i] = d->module_new(&p->stats, &sizes)))
			return -1;
		users[i] = (struct proto_user){ d, p->modules[i] };
	}
	for (size_t i = 0; i < p->ndissectors; i++) {
		const struct dissector *d = proto_registry[i];
		if (d->layer_new && !(p->modules[i] = d->layer_new(&p->stats, users, p->ndissectors)))
			return -1;
	}
	return 0;
}

struct pipeline *pipeline_new(const struct pipeline_config *cfg, char *errbuf, size_t errlen)
{
	struct pipeline *p = calloc(1, sizeof *p);
	if (!p)
		goto oom;
	p->order = cfg->order;
	p->writer = cfg->writer;
	p->events.emit = on_event;
	p->events.ud = p;
	p->on_packet = cfg->on_packet;
	p->on_packet_ud = cfg->on_packet_ud;
	p->worker = cfg->nworkers > 1 ? cfg->worker : 0;
	p->nworkers = cfg->nworkers > 1 ? cfg->nworkers : 1;
	p->on_record = cfg->on_record;
	p->on_record_ud = cfg->on_record_ud;
	p->own_identity = !cfg->identity;
	p->own_names = !cfg->names;
	p->identity = cfg->identity ? cfg->identity : identity_map_new(cfg->identity_bindings, &p->stats);
	p->names = cfg->names ? cfg->names : name_cache_new(cfg->name_entries, &p->stats);
	p->identity_pending = cfg->identity_wait_us > 0;
	if (cfg->identity_wait_us && cfg->identity_wait_max &&
	    !(p->wait = identity_wait_new(cfg->identity_wait_max, cfg->identity_wait_us, &p->stats)))
		goto oom;
	p->decoder = decoder_new(&cfg->decode, &p->stats);
	p->flows = flow_table_new(&cfg->flow, &p->stats, on_flow_end, p);
	if (!p->decoder || !p->flows || !p->identity || !p->names)
		goto oom;
	if (cfg->sigs) {
		struct detect_config dc = { .sigs = cfg->sigs, .order = cfg->order, .identity = p->identity,
					    .names = p->names, .events = &p->events, .stats = &p->stats,
					    .identity_pending = cfg->identity_wait_us > 0 };
		if (!(p->detect = detect_new(&dc)))
			goto oom;
		p->facts = detect_facts_sink(p->detect);
	}
	if (make_modules(p, cfg) != 0)
		goto oom;
	return p;
oom:
	snprintf(errbuf, errlen, "out of memory setting up the pipeline");
	pipeline_free(p);
	return NULL;
}

void pipeline_finish(struct pipeline *p)
{
	if (!p)
		return;
	/* what waited goes on now, and nothing waits after: the flows' and modules' last
	 * events come below, with no more frames or ticks to let them go */
	identity_wait_release_all(p->wait, handle_event, p);
	identity_wait_free(p->wait);
	p->wait = NULL;
	if (p->flows)
		flow_table_end_all(p->flows);
	detect_finish(p->detect);
	for (size_t i = 0; i < p->ndissectors; i++) {
		const struct dissector *d = proto_registry[i];
		if (p->modules[i] && d->module_finish)
			d->module_finish(p->modules[i], &p->events);
	}
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	flow_table_free(p->flows); /* ends what is left; dissector state freed in on_flow_end */
	detect_free(p->detect);    /* after the flows: their end still reports to it */
	for (size_t i = 0; i < p->ndissectors; i++)
		if (p->modules[i] && proto_registry[i]->module_free)
			proto_registry[i]->module_free(p->modules[i]);
	decoder_free(p->decoder);
	free(p->capture_sha256);
	if (p->own_identity)
		identity_map_free(p->identity);
	if (p->own_names)
		name_cache_free(p->names);
	identity_wait_free(p->wait);
	free(p);
}

void pipeline_set_capture(struct pipeline *p, uint32_t index, const char *sha256)
{
	p->capture_index = index;
	if (index >= p->ncaptures) {
		char(*grown)[65] = realloc(p->capture_sha256, ((size_t)index + 1) * sizeof *grown);
		if (!grown)
			return; /* the records of this capture name none: out of memory at a capture's start */
		memset(grown + p->ncaptures, 0, (index + 1 - p->ncaptures) * sizeof *grown);
		p->capture_sha256 = grown;
		p->ncaptures = index + 1;
	}
	snprintf(p->capture_sha256[index], sizeof p->capture_sha256[index], "%s", sha256 ? sha256 : "");
}

const struct stats *pipeline_stats(const struct pipeline *p) { return &p->stats; }

const struct flow_table *pipeline_flows(const struct pipeline *p) { return p->flows; }

struct detect *pipeline_detect(struct pipeline *p) { return p ? p->detect : NULL; }

void pipeline_identity_journal(struct pipeline *p, void (*fn)(void *ud, const struct identity_op *op), void *ud)
{
	identity_map_set_journal(p->identity, fn, ud);
}

void pipeline_identity_apply(struct pipeline *p, const struct identity_op *op)
{
	identity_apply(p->identity, op);
	if (op->kind == ID_OP_BIND)
		identity_wait_release_addr(p->wait, &op->b.addr, op->b.prefix_len, handle_event, p);
}

void pipeline_release_waiting(struct pipeline *p, uint64_t now_us)
{
	identity_wait_release_due(p->wait, now_us, handle_event, p);
}

void pipeline_set_sigs(struct pipeline *p, struct sigset *sigs)
{
	if (p->detect && sigs)
		detect_set_sigs(p->detect, sigs);
}

static void tick(struct pipeline *p, uint64_t now_us)
{
	if (p->last_tick_us == 0 || now_us < p->last_tick_us) {
		p->last_tick_us = now_us;
		return;
	}
	if (now_us - p->last_tick_us < TICK_INTERVAL_US)
		return;
	p->last_tick_us = now_us;
	identity_wait_release_due(p->wait, now_us, handle_event, p);
	flow_table_expire(p->flows, now_us);
	/* every worker holds every fragment (they are shared): worker 0 counts their timeouts */
	uint64_t frag_timeouts = p->stats.anomalies[ANOM_FRAG_TIMEOUT];
	decoder_expire(p->decoder, now_us);
	if (p->worker != 0)
		p->stats.anomalies[ANOM_FRAG_TIMEOUT] = frag_timeouts;
	detect_tick(p->detect, now_us);
	for (size_t i = 0; i < p->ndissectors; i++) {
		const struct dissector *d = proto_registry[i];
		if (p->modules[i] && d->module_tick)
			d->module_tick(p->modules[i], now_us, &p->events);
	}
}

static unsigned transport_bit(uint8_t ip_proto)
{
	switch (ip_proto) {
	case IPPROTO_UDP_:
		return T_UDP;
	case IPPROTO_TCP_:
		return T_TCP;
	case IPPROTO_SCTP_:
		return T_SCTP;
	default:
		return 0;
	}
}

/* Decides the flow's dissector from the payload's content; ports are only a hint. */
/*
 * SCTP is a layer, not an application: every SCTP flow goes to the registry's "sctp"
 * entry, which walks the chunks and hands each user message on by its PPID to the
 * dissectors that list it (proto.h sctp_ppid); no content recogniser sees raw chunks.
 */
static bool claims(const struct dissector *d, unsigned bit, const struct packet *pkt)
{
	if (bit == T_SCTP)
		return strcmp(d->name, "sctp") == 0;
	return (d->transports & bit) && d->recognise && d->recognise(pkt->payload, pkt->payload_len, pkt);
}

static void classify(struct pipeline *p, struct flow *f, const struct packet *pkt)
{
	unsigned bit = transport_bit(pkt->ip_proto);
	for (size_t i = 0; i < p->ndissectors; i++) {
		const struct dissector *d = proto_registry[i];
		if (claims(d, bit, pkt)) {
			f->dissector = (uint8_t)i;
			if (d->state_size) {
				/* counted against the state budget (flow/flow.h), given back at the flow's end */
				if (!flow_table_state_reserve(p->flows, f, d->state_size, pkt->ts_us) ||
				    !(f->proto_state = calloc(1, d->state_size))) {
					stats_anomaly(&p->stats, ANOM_STATE_POOL_FULL);
					f->dissector = FLOW_NO_DISSECTOR;
					return;
				}
			}
			return;
		}
	}
	if (++f->probe_tries >= PROBE_PAYLOADS)
		f->dissector = FLOW_NO_DISSECTOR;
}

static void parse_stream(struct pipeline *p, struct flow *f, int dir, const struct packet *pkt,
			 const struct dissector *d)
{
	struct tcp_stream *s = flow_stream(p->flows, f, dir);
	if (!s)
		return;
	tcp_stream_add(s, pkt->tcp_seq, (pkt->tcp_flags & TCP_SYN) != 0, pkt->payload, pkt->payload_len);
	struct parse_ctx ctx;
	parse_ctx_init(p, &ctx, f, dir, pkt);
	for (;;) {
		size_t len, consumed = 0;
		const uint8_t *data = tcp_stream_data(s, &len);
		if (len == 0)
			break;
		enum parse_status st = d->parse(&ctx, data, len, &consumed);
		if (consumed > len)
			consumed = len;
		if (st == PARSE_MALFORMED) {
			/* Nothing sensible can follow a broken message in this stream's buffer. */
			tcp_stream_consume(s, len);
			break;
		}
		if (st == PARSE_DONE) {
			/* a direction that has said all it can (TLS once encrypted) holds no buffer:
			 * 260,000 long-lived TLS flows would otherwise keep the reassembly budget */
			f->parse_done |= (uint8_t)(1u << dir);
			flow_stream_release(p->flows, f, dir);
			break;
		}
		tcp_stream_consume(s, consumed);
		if (st == PARSE_NEED_MORE || consumed == 0)
			break;
	}
}

static void dispatch(struct pipeline *p, const struct packet *pkt)
{
	int dir;
	bool created, replica = false;
	if (p->frame_shared) {
		/* a reassembled datagram belongs to one worker; shared signalling to all */
		int owner = shard_owner(pkt, p->nworkers);
		if (owner != SHARD_ALL) {
			if (owner != (int)p->worker)
				return;
			p->frame_owned = true;
		} else {
			replica = p->worker != 0;
		}
	}
	if (p->on_packet)
		p->on_packet(p->on_packet_ud, pkt);
	struct flow *f = flow_table_packet(p->flows, pkt, &dir, &created);
	if (f && created) {
		f->replica = replica;
		detect_flow_start(p->detect, f, pkt);
	}
	if (f)
		detect_packet(p->detect, f, dir, pkt); /* returns at once for flows it has no use for */
	if (!f || pkt->payload_len == 0)
		return;
	if (f->dissector == FLOW_UNDECIDED)
		classify(p, f, pkt);
	if (f->dissector >= p->ndissectors)
		return;
	const struct dissector *d = proto_registry[f->dissector];
	if (pkt->ip_proto == IPPROTO_TCP_) {
		if (!(f->parse_done & (1u << dir)))
			parse_stream(p, f, dir, pkt, d);
	} else if (!(f->parse_done & (1u << dir))) {
		struct parse_ctx ctx;
		size_t consumed = 0;
		parse_ctx_init(p, &ctx, f, dir, pkt);
		/* A datagram flow's dissector that has said all it can (RTP once decided)
		 * is not called again for that direction. */
		if (d->parse(&ctx, pkt->payload, pkt->payload_len, &consumed) == PARSE_DONE)
			f->parse_done |= (uint8_t)(1u << dir);
	}
}

void pipeline_frame(struct pipeline *p, const struct capture_frame *frame, uint64_t frame_no)
{
	struct packet pkt;
	pkt.ts_us = frame->ts_us;
	pkt.frame_no = frame_no;
	pkt.capture_index = p->capture_index;
	pkt.tunnelled = false;
	pkt.caplen = frame->caplen;
	pkt.wirelen = frame->wirelen;
	tick(p, frame->ts_us);
	p->stats.packets++;
	p->stats.bytes += frame->wirelen;
	if (decode_frame(p->decoder, frame->linktype, frame->data, &pkt) != DECODE_OK)
		return;
	dispatch(p, &pkt);
}

void pipeline_shared_frame(struct pipeline *p, const struct capture_frame *frame, uint64_t frame_no)
{
	if (p->worker == 0) {
		p->frame_shared = true;
		pipeline_frame(p, frame, frame_no);
		p->frame_shared = false;
		return;
	}
	/* Worker 0 counts the frame and what it holds; this worker's counts are kept only
	 * for a packet of it that was its own (then without the frame's). */
	tick(p, frame->ts_us);
	struct stats before = p->stats;
	p->frame_shared = true;
	p->frame_owned = false;
	pipeline_frame(p, frame, frame_no);
	p->frame_shared = false;
	if (!p->frame_owned) {
		p->stats = before;
	} else {
		p->stats.packets = before.packets;
		p->stats.bytes = before.bytes;
		p->stats.ip_packets = before.ip_packets;
	}
}
