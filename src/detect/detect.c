/*
 * detect.c — when and how a flow is evaluated against the signatures, and the per-flow
 * state pool. What a match means (sessions, messages, calls) is in ott.c; flow records
 * for targets are in flowrec.c.
 *
 * Evaluation points, and what each adds to the facts (struct sig_facts):
 *   flow start           transport, the server's address and port, and the name the
 *                        client resolved for that address (DNS, identity/names.h);
 *   first payload        preambles of that side (held over a few segments when the
 *                        first one is shorter than a preamble that still matches);
 *   a dissector's facts  TLS/QUIC server name, certificate names, ALPN; STUN details.
 * A flow that matches is classified once and never evaluated again; facts that come
 * later only add a name to its records.
 *
 * Which side serves: the side a signature's ports or addresses name, else the side
 * whose port is below 1024 when the other's is not, else the responder. The device
 * (the party in records) is the other side.
 *
 * Only flows with an order's target on one side are looked at (whether a side is a
 * target is decided at the flow's first packet, from the order's address targets and
 * the identity map then): nothing about anyone else could be recorded, so nothing about
 * them is kept or evaluated — the minimisation the order asks for, and what lets the
 * per-flow pool stay small on a busy link. Without an order (tests, fuzzing) every
 * flow is looked at.
 */
#include "detect/detect_internal.h"

#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"
#include "identity/names.h"
#include "proto/proto.h"
#include "proto/rtp.h"

_Static_assert(SIG_LABEL_MAX <= sizeof(((struct event *)0)->signature), "a signature label must fit the event");
_Static_assert(SIG_SERVICE_MAX <= sizeof(((struct event *)0)->service), "a service name must fit the event");

enum {
	DEFAULT_STATES = 65536,
	RELAY_WINDOWS_MAX = 6, /* windows a flow is watched for a relay's shape before giving up */
	STUN_ALLOCATE = 0x0003, STUN_ALLOCATE_OK = 0x0103, /* RFC 8656 section 7.1 */
};

/* relay_track.state */
enum { RELAY_UNSTARTED, RELAY_WATCH, RELAY_OFF };

/* --- the state pool --- */

static struct fstate *state_take(struct detect *d, struct flow *f)
{
	uint32_t i = ixpool_alloc(&d->pool); /* a state never used has its pages touched only now */
	if (i == IX_NIL) {
		stats_anomaly(d->stats, ANOM_OTT_STATE_FULL);
		return NULL;
	}
	struct fstate *st = &d->states[i];
	memset(st, 0, sizeof *st);
	st->flow = f;
	st->sig = -1;
	st->call = -1;
	f->user = st;
	f->detect_flags |= DF_STATE;
	return st;
}

static void state_release(struct detect *d, struct flow *f, struct fstate *st)
{
	sigs_unref(st->set);
	st->set = NULL;
	st->flow = NULL;
	ixpool_free(&d->pool, (uint32_t)(st - d->states));
	f->user = NULL;
	f->detect_flags &= (uint8_t)~DF_STATE;
}

struct fstate *detect_state(struct detect *d, struct flow *f)
{
	struct fstate *st = fstate_of(f);
	return st ? st : state_take(d, f);
}

/* --- setup --- */

static void on_facts(void *ud, struct flow *f, int dir, const struct packet *pkt, const struct flow_facts *facts)
{
	detect_flow_facts(ud, f, dir, pkt, facts);
}

static void on_lookup(void *ud, struct flow *f, const char *qname)
{
	detect_flow_lookup(ud, f, qname);
}

struct detect *detect_new(const struct detect_config *cfg)
{
	struct detect *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->sigs = sigs_ref(cfg->sigs);
	d->order = cfg->order;
	d->identity = cfg->identity;
	d->identity_pending = cfg->identity_pending && cfg->identity;
	d->names = cfg->names;
	d->events = cfg->events;
	d->facts = (struct facts_sink){ .facts = on_facts, .lookup = on_lookup, .ud = d };
	d->stats = cfg->stats;
	d->stun_dissector = proto_find("stun");
	d->rtp_dissector = proto_find("rtp");
	uint32_t nstates = cfg->max_states ? cfg->max_states : DEFAULT_STATES;
	d->states = calloc((size_t)nstates + 1, sizeof *d->states);
	if (!d->states || ixpool_init(&d->pool, nstates) != 0 || ott_calls_init(d, cfg->max_calls) != 0) {
		detect_free(d);
		return NULL;
	}
	return d;
}

void detect_free(struct detect *d)
{
	if (!d)
		return;
	if (d->states)
		for (uint32_t i = 1; i <= ixpool_reached(&d->pool); i++)
			if (d->states[i].flow)
				sigs_unref(d->states[i].set);
	ott_calls_fini(d);
	free(d->states);
	ixpool_fini(&d->pool);
	sigs_unref(d->sigs);
	free(d);
}

void detect_set_sigs(struct detect *d, struct sigset *s)
{
	struct sigset *old = d->sigs;
	d->sigs = sigs_ref(s);
	sigs_unref(old);
	d->sum.reloads++;
}

const struct sigset *detect_sigs(const struct detect *d)
{
	return d->sigs;
}

void detect_get_summary(const struct detect *d, struct detect_summary *out)
{
	*out = d->sum;
}

/* --- helpers shared with ott.c and flowrec.c --- */

int detect_server_side(const struct flow *f)
{
	return (f->detect_flags & DF_SERVER0) ? 0 : 1;
}

const char *detect_protocol_name(const struct flow *f)
{
	if (f->dissector < proto_registry_count())
		return proto_registry[f->dissector]->name;
	switch (f->key.proto) {
	case IPPROTO_TCP_:
		return "tcp";
	case IPPROTO_UDP_:
		return "udp";
	case IPPROTO_SCTP_:
		return "sctp";
	default:
		return "ip";
	}
}

void detect_event_base(const struct flow *f, struct event *e, enum event_type type, const struct sig *sg,
		       bool device_first)
{
	int srv = detect_server_side(f), dev = 1 - srv;
	char party[SIG_SERVICE_MAX + 8];
	event_init(e, type);
	e->protocol = detect_protocol_name(f);
	snprintf(party, sizeof party, "service:%s", sg->service);
	if (device_first) {
		addr_format(&f->key.addr[dev], e->from, sizeof e->from);
		e->from_addr = f->key.addr[dev];
		snprintf(e->to, sizeof e->to, "%s", party);
	} else {
		snprintf(e->from, sizeof e->from, "%s", party);
		addr_format(&f->key.addr[dev], e->to, sizeof e->to);
		e->to_addr = f->key.addr[dev];
	}
	snprintf(e->service, sizeof e->service, "%s", sg->service);
	snprintf(e->signature, sizeof e->signature, "%s", sg->label);
	e->capture_index = f->capture_index;
	e->src = f->key.addr[dev];
	e->dst = f->key.addr[srv];
	e->sport = f->key.port[dev];
	e->dport = f->key.port[srv];
	e->ip_proto = f->key.proto;
	e->tunnel = f->tunnel;
}

/* --- evaluation --- */

static uint8_t transport_bit(uint8_t ip_proto)
{
	return ip_proto == IPPROTO_TCP_ ? T_TCP : ip_proto == IPPROTO_UDP_ ? T_UDP : 0;
}

/* Which side serves, decided once at flow start. */
static void decide_server(const struct sigset *s, struct flow *f)
{
	const uint16_t *port = f->key.port;
	bool listed1 = sigs_port_listed(s, port[1]) || sigs_addr_listed(s, &f->key.addr[1]);
	bool listed0 = sigs_port_listed(s, port[0]) || sigs_addr_listed(s, &f->key.addr[0]);
	if (!listed1 && (listed0 || (port[0] < 1024 && port[1] >= 1024)))
		f->detect_flags |= DF_SERVER0;
}

/* The DNS name the device resolved for the server's address, when one is known. */
static bool dns_name(const struct detect *d, const struct flow *f, uint64_t ts, char *out, size_t len)
{
	int srv = detect_server_side(f);
	return d->names && name_cache_lookup(d->names, &f->key.addr[1 - srv], &f->key.addr[srv], ts, out, len);
}

/*
 * The kinds of real-time media a dissector's facts show (`media`): ICE checks (a Binding
 * request) or a TURN allocation on the flow, followed by media on it (RTP, SRTP, DTLS,
 * ChannelData: stun.c and rtp.c say `media` after a few such datagrams).
 */
static uint8_t media_of(const struct flow_facts *facts)
{
	uint8_t m = 0;
	if (!facts || !facts->media || !facts->stun)
		return 0;
	if (facts->stun->binding_dirs)
		m |= SIG_MEDIA_ICE;
	for (unsigned i = 0; i < facts->stun->ntypes; i++)
		if (facts->stun->types[i] == STUN_ALLOCATE || facts->stun->types[i] == STUN_ALLOCATE_OK)
			m |= SIG_MEDIA_TURN;
	return m;
}

/*
 * A call's media belongs to the target's device, whoever sent the first datagram (a
 * far peer's ICE check often comes first): when exactly one side is an order's target,
 * the other side is the one that serves (the peer or relay).
 */
static void orient_to_target(const struct detect *d, struct flow *f, uint64_t ts)
{
	if (!d->order)
		return;
	bool t0 = flowrec_is_target(d, &f->key.addr[0], ts), t1 = flowrec_is_target(d, &f->key.addr[1], ts);
	if (t0 && !t1)
		f->detect_flags &= (uint8_t)~DF_SERVER0;
	else if (t1 && !t0)
		f->detect_flags |= DF_SERVER0;
}

/* Classifies st's flow with signature sig of set. */
static void classify(struct detect *d, struct flow *f, struct fstate *st, struct sigset *set, int sig,
		     const struct packet *pkt)
{
	f->detect_flags |= DF_DONE;
	st->set = sigs_ref(set);
	st->sig = (int16_t)sig;
	st->match_frame = pkt ? pkt->frame_no : f->first_frame;
	memset(&st->relay, 0, sizeof st->relay); /* the bursts share its room (detect_internal.h) */
	if (set->sigs[sig].kind == SIG_CALL)
		orient_to_target(d, f, pkt ? pkt->ts_us : f->last_ts_us);
	ott_classified(d, f, st, pkt);
}

/*
 * Evaluates f with what is known now (facts may be NULL). Returns true when it matched.
 * The name a dissector or DNS gave is kept for records when the flow has state. Unless
 * final, a match is put off (DF_DEFER) while a more specific signature waits only for
 * the first payload; the flow's end is the last chance (final).
 */
static bool evaluate(struct detect *d, struct flow *f, const struct packet *pkt, const struct flow_facts *facts,
		     bool final)
{
	struct sigset *set = d->sigs;
	struct fstate *st = fstate_of(f);
	struct sig_facts sf;
	struct sigbits none;
	char dns[NAME_MAX_LEN];
	int srv = detect_server_side(f);
	memset(&sf, 0, sizeof sf);
	memset(&none, 0, sizeof none);
	sf.transport = transport_bit(f->key.proto);
	sf.server = &f->key.addr[srv];
	sf.server_port = f->key.port[srv];
	if (facts) {
		for (size_t i = 0; i < facts->nnames && sf.nnames < FACTS_NAMES_MAX; i++)
			sf.names[sf.nnames++] = facts->names[i];
		for (size_t i = 0; i < facts->nalpn; i++)
			sf.alpn[sf.nalpn++] = facts->alpn[i];
		sf.stun = facts->stun;
	}
	if (dns_name(d, f, pkt ? pkt->ts_us : f->first_ts_us, dns, sizeof dns))
		sf.names[sf.nnames++] = dns;
	if (st && (st->flags & FS_PREAMBLE))
		sf.preamble = &st->pre_full;
	else if (f->detect_flags & (DF_SEEN0 | DF_SEEN1))
		sf.preamble = &none;
	if (st)
		sf.frames = st->frame_hits;
	if (f->key.proto == IPPROTO_UDP_ && !flowrec_local_only(&f->key.addr[0]) &&
	    !flowrec_local_only(&f->key.addr[1]))
		sf.media = (uint8_t)(media_of(facts) | (st && (st->flags & FS_RELAY) ? SIG_MEDIA_RELAY : 0));
	if (st && !st->name[0] && sf.nnames)
		snprintf(st->name, sizeof st->name, "%s", sf.names[0]);
	bool pending = false, defer = false;
	int sig = sigs_eval(set, &sf, &pending, final ? NULL : &defer);
	if (sig < 0)
		return false;
	if (defer) {
		f->detect_flags |= DF_DEFER;
		return false;
	}
	if (!(st = detect_state(d, f)))
		return false;
	if (!st->name[0] && sf.nnames) {
		snprintf(st->name, sizeof st->name, "%s", sf.names[0]);
		if (facts && facts->nnames)
			st->flags |= FS_NAMED;
	}
	classify(d, f, st, set, sig, pkt);
	return true;
}

void detect_flow_start(struct detect *d, struct flow *f, const struct packet *pkt)
{
	if (!d || (f->key.proto != IPPROTO_TCP_ && f->key.proto != IPPROTO_UDP_))
		return;
	d->now_us = pkt->ts_us;
	decide_server(d->sigs, f);
	int srv = detect_server_side(f);
	if (d->order) {
		if (!flowrec_is_target(d, &f->key.addr[1 - srv], pkt->ts_us) &&
		    !flowrec_is_target(d, &f->key.addr[srv], pkt->ts_us)) {
			struct subscriber sub;
			if (!d->identity_pending || identity_lookup(d->identity, &f->key.addr[1 - srv], pkt->ts_us, &sub) ||
			    identity_lookup(d->identity, &f->key.addr[srv], pkt->ts_us, &sub)) {
				/* nobody the order names: nothing of it could ever be recorded */
				f->detect_flags |= DF_DONE;
				return;
			}
			/* nobody is bound to it yet: another sensor's binding may still name a target */
			f->detect_flags |= DF_MAYBE;
		}
		f->detect_flags |= DF_TARGET;
		struct fstate *st = detect_state(d, f);
		char dns[NAME_MAX_LEN];
		if (st && dns_name(d, f, pkt->ts_us, dns, sizeof dns))
			snprintf(st->name, sizeof st->name, "%s", dns);
	}
	if (f->key.proto == IPPROTO_UDP_) {
		struct fstate *st = fstate_of(f);
		if (st) /* see tie_later */
			st->port_gen = d->port_gen;
		else
			f->user = (void *)(uintptr_t)d->port_gen;
		if (ott_tie_to_call(d, f, pkt)) {
			f->detect_flags |= DF_DONE;
			return;
		}
	}
	evaluate(d, f, pkt, NULL, false);
}

/*
 * A UDP flow no signature matched may share its device port with a call that was
 * recognised after the flow began (ICE checks to a public STUN server, then a relay
 * that names the app). The port table's generation changes only when a call adds a
 * port, so each packet costs one comparison; the lookup runs once per change. The
 * generation last looked at is kept in the flow's state, or in flow->user while the
 * flow has none (the signature engine owns flow->user).
 */
static void tie_later(struct detect *d, struct flow *f, const struct packet *pkt)
{
	struct fstate *st = fstate_of(f);
	uint32_t seen = st ? st->port_gen : (uint32_t)(uintptr_t)f->user;
	if (seen == d->port_gen)
		return;
	if (st)
		st->port_gen = d->port_gen;
	else
		f->user = (void *)(uintptr_t)d->port_gen;
	if (ott_tie_to_call(d, f, pkt))
		f->detect_flags |= DF_DONE;
}

/* The first payload(s) of a direction: preambles. */
static void first_payload(struct detect *d, struct flow *f, int dir, const struct packet *pkt)
{
	struct fstate *st = fstate_of(f);
	uint8_t prefix_flag = dir ? FS_PREFIX1 : FS_PREFIX0;
	const uint8_t *p = pkt->payload;
	size_t len = pkt->payload_len;
	if (st && (st->flags & prefix_flag)) {
		/* a preamble's start came in an earlier segment: add this one's bytes */
		size_t room = PREFIX_MAX - st->prefix_len[dir], n = len < room ? len : room;
		memcpy(st->prefix[dir] + st->prefix_len[dir], pkt->payload, n);
		st->prefix_len[dir] = (uint8_t)(st->prefix_len[dir] + n);
		p = st->prefix[dir];
		len = st->prefix_len[dir];
	}
	f->detect_flags |= dir ? DF_SEEN1 : DF_SEEN0;
	if (!sigs_has_preambles(d->sigs))
		return;
	enum sig_side side = dir == detect_server_side(f) ? SIDE_SERVER : SIDE_CLIENT;
	struct sigbits full, partial;
	sigs_preamble_match(d->sigs, side, p, len, &full, &partial);
	/* a frame's length field is compared with this packet's own payload */
	uint16_t frames = sigs_frame_match(d->sigs, side, pkt->payload, pkt->payload_len);
	if (sigbits_any(&full) || frames) {
		if (!(st = detect_state(d, f)))
			return;
		for (int w = 0; w < SIG_WORDS; w++)
			st->pre_full.w[w] |= full.w[w];
		st->frame_hits |= frames;
		st->flags |= FS_PREAMBLE;
	}
	if (sigbits_any(&partial) && len < PREFIX_MAX && (st || (st = detect_state(d, f)))) {
		/* wait for more bytes of this direction before deciding */
		if (!(st->flags & prefix_flag)) {
			memcpy(st->prefix[dir], p, len);
			st->prefix_len[dir] = (uint8_t)len;
			st->flags |= prefix_flag;
		}
		f->detect_flags &= (uint8_t)~(dir ? DF_SEEN1 : DF_SEEN0);
		if (!sigbits_any(&full))
			return;
	} else if (st) {
		st->flags &= (uint8_t)~prefix_flag;
	}
	evaluate(d, f, pkt, NULL, false);
}

/*
 * A relay's shape (`media: relay`, docs/signatures.md): a UDP flow no signature named,
 * that no clear-text dissector claimed and that is not plain RTP (media a SIP call's
 * signalling already recorded: RTP confirmed without ICE), is watched in windows of relay_ms. A
 * window passes when both directions send at least relay_pps packets a second, with a
 * mean payload of at most relay_mean bytes, with no silence longer than relay_gap_ms,
 * and the busier direction sends at most relay_ratio times the other's packets: a
 * sustained two-way flow of small packets at a steady rate. Streaming fails the ratio
 * or the size, bursty traffic the silence. A silence longer than relay_gap_ms starts a
 * new window at the packet after it (a relay's hello, then ringing, then the media: the
 * media's stretch is judged). After RELAY_WINDOWS_MAX windows that failed or were cut
 * the flow is no longer watched. Costs a few additions per packet of such flows.
 */
static bool relay_candidate(const struct detect *d, const struct flow *f)
{
	if (f->dissector == FLOW_UNDECIDED || f->dissector == FLOW_NO_DISSECTOR)
		return true;
	return f->dissector == d->stun_dissector || f->dissector == d->rtp_dissector;
}

static bool relay_window_passes(const struct sig_shape *sh, const struct relay_track *rt, uint64_t now_us)
{
	uint64_t dur = now_us - rt->win_start_us;
	uint32_t p0 = rt->pkts[0], p1 = rt->pkts[1];
	if (dur == 0 || p0 == 0 || p1 == 0)
		return false;
	for (int k = 0; k < 2; k++) {
		uint64_t tail = now_us - rt->last_us[k];
		if ((uint64_t)rt->pkts[k] * 1000000 < (uint64_t)sh->relay_pps * dur ||
		    rt->bytes[k] > (uint64_t)sh->relay_mean * rt->pkts[k] ||
		    rt->max_gap_us[k] > (uint64_t)sh->relay_gap_ms * 1000 || tail > (uint64_t)sh->relay_gap_ms * 1000)
			return false;
	}
	uint32_t hi = p0 > p1 ? p0 : p1, lo = p0 > p1 ? p1 : p0;
	return hi <= (uint64_t)lo * sh->relay_ratio;
}

static void relay_window_start(struct relay_track *rt, uint64_t ts)
{
	rt->win_start_us = rt->last_us[0] = rt->last_us[1] = ts;
	rt->pkts[0] = rt->pkts[1] = rt->bytes[0] = rt->bytes[1] = 0;
	rt->max_gap_us[0] = rt->max_gap_us[1] = 0;
}

static void relay_packet(struct detect *d, struct flow *f, int dir, const struct packet *pkt)
{
	const struct sig_shape *sh = sigs_relay_shape(d->sigs);
	struct fstate *st = fstate_of(f);
	if (!sh || (st && st->relay.state == RELAY_OFF) || (!st && pkt->payload_len == 0))
		return;
	if (!st) {
		if (d->order || !(st = detect_state(d, f)))
			return; /* with an order a target's flow has its state from its start */
	}
	struct relay_track *rt = &st->relay;
	uint64_t ts = pkt->ts_us;
	if (rt->state == RELAY_UNSTARTED) {
		if (!pkt->payload_len)
			return;
		if (!relay_candidate(d, f) || flowrec_local_only(&f->key.addr[0]) ||
		    flowrec_local_only(&f->key.addr[1])) {
			rt->state = RELAY_OFF;
			return;
		}
		rt->state = RELAY_WATCH;
		relay_window_start(rt, ts);
	}
	if (ts < rt->win_start_us)
		return; /* out of order by a little: not worth a window */
	int k = dir & 1;
	uint64_t gap = ts - rt->last_us[k];
	if (gap > (uint64_t)sh->relay_gap_ms * 1000 && ts > rt->win_start_us) {
		/* a silence: what came before it (a relay's hello before the call is answered,
		 * a round of a game) is not the steady stretch; a new window starts here */
		if (++rt->windows >= RELAY_WINDOWS_MAX) {
			rt->state = RELAY_OFF;
			return;
		}
		relay_window_start(rt, ts);
		gap = 0;
	}
	if (gap > rt->max_gap_us[k])
		rt->max_gap_us[k] = (uint32_t)(gap > UINT32_MAX ? UINT32_MAX : gap);
	rt->last_us[k] = ts;
	rt->pkts[k]++;
	rt->bytes[k] += pkt->payload_len;
	if (ts - rt->win_start_us < (uint64_t)sh->relay_ms * 1000)
		return;
	if (!relay_candidate(d, f) || (f->dissector == d->rtp_dissector && st->media)) {
		/* a clear-text dissector took it meanwhile, or it is plain RTP (a quarter of any
		 * framing's first bytes look like an RTP header: only RTP's confirmation says) */
		rt->state = RELAY_OFF;
		return;
	}
	if (relay_window_passes(sh, rt, ts)) {
		rt->state = RELAY_OFF;
		st->flags |= FS_RELAY;
		evaluate(d, f, pkt, NULL, false);
		return;
	}
	if (++rt->windows >= RELAY_WINDOWS_MAX)
		rt->state = RELAY_OFF;
	else
		relay_window_start(rt, ts);
}

void detect_packet(struct detect *d, struct flow *f, int dir, const struct packet *pkt)
{
	if (!d)
		return;
	d->now_us = pkt->ts_us;
	uint8_t seen = dir ? DF_SEEN1 : DF_SEEN0;
	if (pkt->payload_len && !(f->detect_flags & (seen | DF_DONE)) &&
	    (f->key.proto == IPPROTO_TCP_ || f->key.proto == IPPROTO_UDP_))
		first_payload(d, f, dir, pkt);
	if (f->key.proto == IPPROTO_UDP_ && !(f->detect_flags & DF_DONE)) {
		tie_later(d, f, pkt);
		if (!(f->detect_flags & DF_DONE))
			relay_packet(d, f, dir, pkt);
	}
	struct fstate *st = fstate_of(f);
	if (st && st->sig >= 0)
		ott_packet(d, f, st, dir, pkt);
}

void detect_flow_facts(struct detect *d, struct flow *f, int dir, const struct packet *pkt,
		       const struct flow_facts *facts)
{
	(void)dir;
	if (!d || !f)
		return;
	struct fstate *st = fstate_of(f);
	if (st && facts->media)
		st->media = true;
	/* what the flow itself says (SNI, certificate) names it better than a DNS answer */
	if (st && facts->nnames && !(st->flags & FS_NAMED)) {
		snprintf(st->name, sizeof st->name, "%s", facts->names[0]);
		st->flags |= FS_NAMED;
	}
	if (f->detect_flags & DF_DONE) {
		if (st && st->sig >= 0)
			ott_call_peer(d, f, st, facts);
		return;
	}
	if (evaluate(d, f, pkt, facts, false) && (st = fstate_of(f)))
		ott_call_peer(d, f, st, facts);
}

const struct facts_sink *detect_facts_sink(struct detect *d)
{
	return d ? &d->facts : NULL;
}

void detect_flow_lookup(struct detect *d, struct flow *f, const char *qname)
{
	(void)d; /* the name is kept in the flow's state, which only this engine gives a flow */
	if (!qname[0])
		return;
	struct fstate *st = fstate_of(f);
	if (st && !(st->flags & FS_NAMED)) {
		snprintf(st->name, sizeof st->name, "%s", qname);
		st->flags |= FS_NAMED;
	}
}

void detect_flow_end(struct detect *d, struct flow *f)
{
	if (!d)
		return;
	if ((f->detect_flags & (DF_DEFER | DF_DONE)) == DF_DEFER)
		evaluate(d, f, NULL, NULL, true); /* the match put off for a first payload that never came */
	else if (f->key.proto == IPPROTO_UDP_ && !(f->detect_flags & DF_DONE))
		tie_later(d, f, NULL);
	struct fstate *st = fstate_of(f);
	if (st && st->sig >= 0)
		ott_flow_end(d, f, st);
	flowrec_flow_end(d, f, st);
	if (st)
		state_release(d, f, st);
}

void detect_tick(struct detect *d, uint64_t now_us)
{
	if (!d)
		return;
	d->now_us = now_us;
	ott_tick(d, now_us, false);
}

void detect_finish(struct detect *d)
{
	if (d)
		ott_tick(d, d->now_us, true);
}
