/*
 * ott.c — what a signature match means on a flow: over-the-top sessions, messages
 * inferred from traffic shape, and calls.
 *
 * Sessions. A flow a session signature matched is one session of the service:
 * ott.session.begin at its first packet, ott.session.end when it ends, with the bytes
 * and packets each way and the duration. The device (the client side) is the party;
 * the other is "service:NAME".
 *
 * Messages. On a session whose signature carries message signatures (`within`), the
 * payload packets of each direction are cut into bursts: packets closer than the gap,
 * with no payload from the other side between them, are one burst (a message and the
 * server's acknowledgement are two). The session's first handshake_bursts bursts each
 * way are its handshake and login, never messages. A packet of message size after only
 * small ones starts a burst of its own (a message right behind an acknowledgement or a
 * login answer is not part of it). A later burst that starts after the
 * flow was quiet for the idle time (when one is set), and whose payload bytes and packet
 * count fall in a message signature's bands, is one
 * message: ott.message, up (device sent: device -> service) or down (device received),
 * at the burst's first packet, confidence inferred, with the signature's score. The
 * burst's size is only compared, never recorded: an inferred message says that a
 * message was sent or received and when, nothing of its length or content. When several
 * message signatures ride on one session, bursts are cut with the first one's gap and
 * idle time, and the first whose bands fit names the message.
 *
 * Calls. Flows a call signature matched (STUN to an app's relays, a relay protocol's
 * preamble) are grouped per device and service: apps try several relays at once when a
 * call is set up, so a flow that starts within join_s of the start of the device's call
 * of that service joins it; later, a flow from a new device port is a new call. Media
 * flows tied to the call — any UDP flow from or to a port the call already uses on the
 * device (ICE checks and media share one socket), or to a peer its media went to —
 * join it too. ott.call.begin is made when the call has min_packets packets (at its
 * first packet's time); ott.call.end once none of its flows is left and call_gap_s has
 * passed since its last packet, with the duration from its first to its last packet
 * (a flow that comes back in the meantime continues the call). Flows whose device port the call
 * uses join it whenever that becomes known, even if they began earlier (detect.c
 * tie_later). A call still going when the input ends (its last packet within the gap
 * of the last packet read) gets no end: none was seen, as for SIP. Who called whom is
 * not visible in encrypted traffic: the device is the "from" party of both events.
 *
 * Calls of any app (docs/signatures.md, "Calls no signature names"): a signature that
 * knows calls by their media alone (sig_by_media: ICE or TURN then media, a relay's
 * shape) names them `unknown`. Such a call puts no port in the port table (a flow on its
 * ports is evaluated, and may name the app); media found alone joins the device's call
 * that is still going, whatever its service; an app's call flow takes over such a call
 * of the device while it is still going and unwritten (call_adopt). min_s holds a call
 * back until it has lasted that long.
 */
#include <stdlib.h>
#include <string.h>

#include "core/pow2.h"
#include "detect/detect_internal.h"

enum {
	DEFAULT_CALLS = 4096,
	PORT_SLOTS_PER_CALL = 2 * CALL_PORTS_MAX, /* the port table stays at most half full */
	ANSWER_MIN = 20,      /* payload bytes of the smallest answer (an encrypted record's overhead) */
};

static const struct sig *sig_of(const struct fstate *st)
{
	return &st->set->sigs[st->sig];
}

static void emit(struct detect *d, const struct event *e)
{
	event_emit(d->events, e);
}

/* --- the list of sessions with message signatures (for the tick) --- */

static void list_add(struct detect *d, struct fstate *st)
{
	ixpool_touch(&d->pool, (uint32_t)(st - d->states), DETECT_L_MESSAGES);
	st->flags |= FS_ON_LIST;
}

static void list_remove(struct detect *d, struct fstate *st)
{
	if (!(st->flags & FS_ON_LIST))
		return;
	ixpool_unlist(&d->pool, (uint32_t)(st - d->states));
	st->flags &= (uint8_t)~FS_ON_LIST;
}

/* --- sessions --- */

static void session_event(struct detect *d, const struct flow *f, const struct fstate *st, enum event_type type)
{
	struct event e;
	int dev = 1 - detect_server_side(f);
	detect_event_base(f, &e, type, sig_of(st), true);
	if (st->protocol)
		e.protocol = st->protocol;
	snprintf(e.name, sizeof e.name, "%s", st->name);
	event_add_frame(&e, f->first_frame);
	if (type == EV_OTT_SESSION_BEGIN) {
		e.ts_us = f->first_ts_us;
		event_add_frame(&e, st->match_frame);
	} else {
		e.ts_us = f->last_ts_us;
		e.duration_us = (int64_t)(f->last_ts_us - f->first_ts_us);
		e.bytes_up = f->bytes[dev];
		e.bytes_down = f->bytes[1 - dev];
		e.packets_up = f->packets[dev];
		e.packets_down = f->packets[1 - dev];
	}
	emit(d, &e);
}

/* --- messages --- */

/*
 * Holding back: a burst in the band on a channel that also carries call setup (an
 * iMessage on APNs, or a FaceTime invitation) is held until call_setup_s has passed;
 * if a call of one of the signature's call_setup services starts on the device within
 * that time, the burst was its setup and no message is recorded. With call_during, a
 * burst while such a call is going is its signalling too (call_going).
 */
static void pending_emit_due(struct detect *d, uint64_t now_us, bool all)
{
	while (d->pending_n) {
		struct pending_msg *p = &d->pending[d->pending_head];
		if (p->used) {
			if (!all && p->due_us > now_us)
				return;
			emit(d, &p->e);
			sigs_unref(p->set);
			p->used = false;
		}
		d->pending_head = (d->pending_head + 1) % PENDING_MAX;
		d->pending_n--;
	}
}

static void pending_add(struct detect *d, const struct event *e, const struct ip_addr *device, const struct sig *m,
			struct sigset *set)
{
	if (!d->pending && !(d->pending = calloc(PENDING_MAX, sizeof *d->pending))) {
		emit(d, e); /* no room to wait: say it now */
		return;
	}
	if (d->pending_n == PENDING_MAX) {
		/* the oldest goes out undecided rather than be lost */
		struct pending_msg *old = &d->pending[d->pending_head];
		if (old->used) {
			emit(d, &old->e);
			sigs_unref(old->set);
			old->used = false;
		}
		d->pending_head = (d->pending_head + 1) % PENDING_MAX;
		d->pending_n--;
	}
	struct pending_msg *p = &d->pending[(d->pending_head + d->pending_n) % PENDING_MAX];
	p->e = *e;
	p->due_us = e->ts_us + (uint64_t)m->shape.call_setup_ms * 1000;
	p->device = *device;
	p->sig = m;
	p->set = sigs_ref(set);
	p->used = true;
	d->pending_n++;
}

/* A call of service started on device at start_us: bursts just before it were its setup. */
/*
 * A call of service began on device: the messages held back as its possible setup are
 * dropped. Returns who called, from the earliest of them (the offer comes first; answers
 * and their acknowledgements follow both ways): +1 the device (it sent the offer), -1 the
 * far party (the device received it), 0 not known (no setup seen).
 */
static int pending_call_started(struct detect *d, const struct ip_addr *device, const char *service,
				uint64_t start_us)
{
	int caller = 0;
	uint64_t earliest = UINT64_MAX;
	for (uint32_t i = 0; i < d->pending_n; i++) {
		struct pending_msg *p = &d->pending[(d->pending_head + i) % PENDING_MAX];
		if (!p->used || !addr_eq(&p->device, device) || p->e.ts_us > start_us ||
		    start_us - p->e.ts_us > (uint64_t)p->sig->shape.call_setup_ms * 1000)
			continue;
		for (unsigned k = 0; k < p->sig->shape.ncall_setup; k++)
			if (strcmp(p->sig->shape.call_setup[k], service) == 0) {
				if (detect_counts(d, &p->device, p->e.ts_us))
					d->sum.call_setups++;
				if (p->e.ts_us < earliest) {
					earliest = p->e.ts_us;
					caller = strncmp(p->e.from, "service:", 8) == 0 ? -1 : 1;
				}
				sigs_unref(p->set);
				p->used = false;
				break;
			}
	}
	return caller;
}

/*
 * True when a call of one of m's call_setup services is going on the device at ts (from
 * its first packet to call_gap_s after its last): the channel then carries the call's
 * own signalling (candidates, video on and off, hang-up), not messages.
 */
static bool call_going(const struct detect *d, const struct ip_addr *device, const struct sig *m, uint64_t ts)
{
	for (uint32_t i = 0; i < d->calls_end; i++) {
		const struct call *c = &d->calls[i];
		if (!c->used || !addr_eq(&c->device, device))
			continue;
		const struct sig *cs = &c->set->sigs[c->sig];
		if (ts < c->first_us || ts > c->last_us + (uint64_t)cs->shape.call_gap_ms * 1000)
			continue;
		for (unsigned k = 0; k < m->shape.ncall_setup; k++)
			if (strcmp(m->shape.call_setup[k], cs->service) == 0)
				return true;
	}
	return false;
}

static void close_burst(struct detect *d, const struct flow *f, struct fstate *st, int k)
{
	struct burst *b = &st->burst[k];
	if (!b->open)
		return;
	b->open = false;
	const struct sig_shape *first = &st->set->sigs[st->msgs[0]].shape;
	if (b->seen < UINT8_MAX)
		b->seen++;
	if (!b->after_idle || b->seen <= first->handshake_bursts)
		return;
	for (unsigned i = 0; i < st->nmsgs; i++) {
		const struct sig *m = &st->set->sigs[st->msgs[i]];
		const struct sig_shape *sh = &m->shape;
		if (!(sh->dirs & (k == 0 ? DIR_UP : DIR_DOWN)) || b->bytes < sh->bytes_min || b->bytes > sh->bytes_max ||
		    b->packets < sh->packets_min || b->packets > sh->packets_max || b->largest < sh->largest_min ||
		    b->largest > sh->largest_max)
			continue;
		/* an app answers a message the moment it arrives (a delivery receipt), a person
		 * takes longer: a message-sized burst that soon after one the other way is that */
		uint64_t other = st->burst[1 - k].msg_us;
		if (sh->receipt_ms && other && b->start_us >= other &&
		    b->start_us - other <= (uint64_t)sh->receipt_ms * 1000)
			return;
		b->msg_us = b->start_us;
		struct event e;
		detect_event_base(f, &e, EV_OTT_MESSAGE, m, k == 0);
		if (st->protocol)
			e.protocol = st->protocol;
		e.ts_us = b->start_us;
		e.inferred = true;
		e.score = sh->score;
		snprintf(e.name, sizeof e.name, "%s", st->name);
		event_add_frame(&e, b->first_frame);
		event_add_frame(&e, b->last_frame);
		e.shape_bytes = b->bytes; /* compared when pairing legs between targets, never recorded */
		if (sh->ncall_setup) {
			const struct ip_addr *device = &f->key.addr[1 - detect_server_side(f)];
			if (sh->call_during && call_going(d, device, m, b->start_us)) {
				d->sum.call_setups++;
				return;
			}
			pending_add(d, &e, device, m, st->set);
			return;
		}
		emit(d, &e);
		return;
	}
}

static void burst_packet(struct detect *d, const struct flow *f, struct fstate *st, int dir, const struct packet *pkt)
{
	const struct sig_shape *sh = &st->set->sigs[st->msgs[0]].shape;
	uint64_t gap = (uint64_t)sh->gap_ms * 1000, idle = (uint64_t)sh->idle_ms * 1000, ts = pkt->ts_us;
	int k = dir == detect_server_side(f) ? 1 : 0; /* a packet from the server side goes down */
	struct burst *b = &st->burst[k];
	/* the other side speaking ends a burst: a message and its answer are two bursts */
	close_burst(d, f, st, 1 - k);
	/* small packets, then a large one: an acknowledgement or login answer, then a
	 * message right behind it (the records of one message are all large but its last).
	 * A few bytes alone are a prologue sent ahead of what follows (WhatsApp's "ED\0\1"),
	 * not an answer of their own. */
	bool grows = b->open && b->largest >= ANSWER_MIN && b->largest < sh->largest_min &&
		     pkt->payload_len >= sh->largest_min;
	if (b->open && !grows && ts >= b->last_us && ts - b->last_us <= gap) {
		b->bytes += pkt->payload_len;
		if (pkt->payload_len > b->largest)
			b->largest = pkt->payload_len;
		if (b->packets < UINT16_MAX)
			b->packets++;
		b->last_us = ts;
		b->last_frame = pkt->frame_no;
	} else {
		close_burst(d, f, st, k);
		b->open = true;
		b->start_us = b->last_us = ts;
		b->first_frame = b->last_frame = pkt->frame_no;
		b->bytes = pkt->payload_len;
		b->largest = pkt->payload_len;
		b->packets = 1;
		b->after_idle = idle == 0 || (st->last_payload_us != 0 && ts >= st->last_payload_us &&
					      ts - st->last_payload_us >= idle);
	}
	st->last_payload_us = ts;
}

/* --- calls --- */

static uint32_t port_hash(const struct ip_addr *a, uint16_t port)
{
	return addr_hash(a) * 2654435761u ^ port;
}

static int32_t port_find(const struct detect *d, const struct ip_addr *a, uint16_t port)
{
	uint32_t mask = d->nports - 1;
	for (uint32_t i = port_hash(a, port) & mask, n = 0; n < d->nports; i = (i + 1) & mask, n++) {
		const struct port_slot *s = &d->ports[i];
		if (s->call == 0)
			return -1;
		if (s->port == port && addr_eq(&s->addr, a))
			return s->call - 1;
	}
	return -1;
}

static void port_add(struct detect *d, const struct ip_addr *a, uint16_t port, int32_t call)
{
	uint32_t mask = d->nports - 1;
	for (uint32_t i = port_hash(a, port) & mask, n = 0; n < d->nports; i = (i + 1) & mask, n++) {
		struct port_slot *s = &d->ports[i];
		if (s->call == 0 || (s->port == port && addr_eq(&s->addr, a))) {
			s->addr = *a;
			s->port = port;
			s->call = call + 1;
			return;
		}
	}
}

/* Linear-probing removal by backward shift, so later lookups still find their keys. */
static void port_remove(struct detect *d, const struct ip_addr *a, uint16_t port)
{
	uint32_t mask = d->nports - 1, i = port_hash(a, port) & mask, n = 0;
	for (; n < d->nports; i = (i + 1) & mask, n++) {
		if (d->ports[i].call == 0)
			return;
		if (d->ports[i].port == port && addr_eq(&d->ports[i].addr, a))
			break;
	}
	if (n == d->nports)
		return;
	for (uint32_t j = (i + 1) & mask;; j = (j + 1) & mask) {
		if (d->ports[j].call == 0)
			break;
		uint32_t home = port_hash(&d->ports[j].addr, d->ports[j].port) & mask;
		/* move j into the hole at i when its home is not in (i, j] */
		bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!between) {
			d->ports[i] = d->ports[j];
			i = j;
		}
	}
	d->ports[i].call = 0;
}

int ott_calls_init(struct detect *d, unsigned max_calls)
{
	d->ncalls = max_calls ? max_calls : DEFAULT_CALLS;
	uint32_t n = pow2_at_least(d->ncalls * PORT_SLOTS_PER_CALL, 16);
	d->nports = n;
	d->calls = calloc(d->ncalls, sizeof *d->calls);
	d->ports = calloc(n, sizeof *d->ports); /* zeroed: every slot empty */
	if (!d->calls || !d->ports)
		return -1;
	return 0;
}

void ott_calls_fini(struct detect *d)
{
	if (d->calls)
		for (uint32_t i = 0; i < d->calls_end; i++)
			if (d->calls[i].used)
				sigs_unref(d->calls[i].set);
	if (d->pending)
		for (uint32_t i = 0; i < PENDING_MAX; i++)
			if (d->pending[i].used)
				sigs_unref(d->pending[i].set);
	free(d->pending);
	free(d->calls);
	free(d->ports);
	d->pending = NULL;
	d->calls = NULL;
	d->ports = NULL;
}

/* Remembers a far party's address for the call's records (contact), once, while there is room. */
static void call_note_peer(struct call *c, const struct ip_addr *a, uint16_t port)
{
	for (unsigned i = 0; i < c->npeers; i++)
		if (c->peers[i].port == port && addr_eq(&c->peers[i].addr, a))
			return;
	if (c->npeers < CALL_PEERS_MAX)
		c->peers[c->npeers++] = (struct endpoint){ .addr = *a, .port = port };
}

/* "addr:port,[v6]:port" of the far parties known, into out. */
static void format_peers(const struct call *c, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < c->npeers && o < len; i++) {
		char a[ADDR_STRLEN];
		addr_format(&c->peers[i].addr, a, sizeof a);
		int n = snprintf(out + o, len - o, c->peers[i].addr.family == 6 ? "%s[%s]:%u" : "%s%s:%u",
				 i ? "," : "", a, c->peers[i].port);
		if (n < 0 || (size_t)n >= len - o) {
			out[o] = '\0'; /* a peer that does not fit whole is left out */
			break;
		}
		o += (size_t)n;
	}
}

static void call_event(struct detect *d, const struct call *c, enum event_type type)
{
	const struct sig *sg = &c->set->sigs[c->sig];
	struct event e;
	event_init(&e, type);
	e.protocol = c->ip_proto == IPPROTO_TCP_ ? "tcp" : "udp";
	if (c->caller < 0) { /* the device received the call's offer: the far party called */
		snprintf(e.from, sizeof e.from, "service:%s", sg->service);
		addr_format(&c->device, e.to, sizeof e.to);
		e.to_addr = c->device;
	} else {             /* it sent the offer, or nobody can tell: written as the device's */
		addr_format(&c->device, e.from, sizeof e.from);
		e.from_addr = c->device;
		snprintf(e.to, sizeof e.to, "service:%s", sg->service);
	}
	snprintf(e.service, sizeof e.service, "%s", sg->service);
	snprintf(e.signature, sizeof e.signature, "%s", sg->label);
	e.capture_index = c->capture_index;
	e.src = c->device;
	e.dst = c->server;
	e.sport = c->device_port;
	e.dport = c->server_port;
	e.ip_proto = c->ip_proto;
	e.tunnel = c->tunnel;
	event_add_frame(&e, c->first_frame);
	format_peers(c, e.contact, sizeof e.contact);
	if (type == EV_OTT_CALL_BEGIN) {
		e.ts_us = c->first_us;
	} else {
		e.ts_us = c->last_us;
		e.duration_us = (int64_t)(c->last_us - c->first_us);
		e.outcome[0] = '\0';
	}
	emit(d, &e);
}

static void call_maybe_begin(struct detect *d, struct call *c)
{
	const struct sig *sg = &c->set->sigs[c->sig];
	if (!c->begun && c->packets >= sg->shape.min_packets && c->last_us - c->first_us >= (uint64_t)sg->shape.min_ms * 1000) {
		c->begun = true;
		call_event(d, c, EV_OTT_CALL_BEGIN);
	}
}

/*
 * Puts an endpoint of the call in the port table, so flows that use it join the call.
 * Not for a call known by its media alone: a flow of its ports may yet show which app
 * it is (a relay's STUN), so it is evaluated rather than tied (call_join adopts).
 */
static void call_add_endpoint(struct detect *d, struct call *c, int32_t idx, const struct ip_addr *a, uint16_t port)
{
	if (sig_by_media(&c->set->sigs[c->sig]))
		return;
	for (unsigned i = 0; i < c->neps; i++)
		if (c->eps[i].port == port && addr_eq(&c->eps[i].addr, a))
			return;
	if (c->neps == CALL_PORTS_MAX || port_find(d, a, port) >= 0)
		return;
	c->eps[c->neps].addr = *a;
	c->eps[c->neps].port = port;
	c->neps++;
	port_add(d, a, port, idx);
	d->port_gen++;
}

/*
 * Frees a call's slot. The scans of the call table (every tick, every new call flow)
 * stop at calls_end, so a table of thousands of slots with a few calls costs a few.
 */
static void call_release(struct detect *d, struct call *c)
{
	for (unsigned i = 0; i < c->neps; i++)
		port_remove(d, &c->eps[i].addr, c->eps[i].port);
	sigs_unref(c->set);
	memset(c, 0, sizeof *c);
	while (d->calls_end > 0 && !d->calls[d->calls_end - 1].used)
		d->calls_end--;
}

static void call_end(struct detect *d, struct call *c)
{
	if (c->begun)
		call_event(d, c, EV_OTT_CALL_END);
	call_release(d, c);
}

/*
 * f joins call idx. Its device port goes in the port table. Its remote end goes there
 * only once it shows itself a peer (ott_call_peer), never because a flow was tied or a
 * signature matched: a relay or a public STUN server serves many devices, and its
 * address must not pull other people's flows into this call.
 */
static void call_member(struct detect *d, struct flow *f, struct fstate *st, int32_t idx)
{
	struct call *c = &d->calls[idx];
	int dev = 1 - detect_server_side(f);
	st->call = idx;
	st->flags |= FS_CALL;
	c->flows++;
	c->packets += f->packets[0] + f->packets[1];
	if (f->first_ts_us < c->first_us) {
		c->first_us = f->first_ts_us;
		c->first_frame = f->first_frame;
	}
	if (f->last_ts_us > c->last_us)
		c->last_us = f->last_ts_us;
	if (f->key.proto == IPPROTO_UDP_)
		call_add_endpoint(d, c, idx, &f->key.addr[dev], f->key.port[dev]);
	call_maybe_begin(d, c);
}

/*
 * A call known by its media alone, still unwritten, becomes the call of an app whose
 * signature names a flow of the same device while it goes on: the media was that app's.
 */
static void call_adopt(struct detect *d, struct call *c, int32_t idx, const struct fstate *st)
{
	struct sigset *old = c->set;
	c->set = sigs_ref(st->set);
	c->sig = st->sig;
	sigs_unref(old);
	if (c->ip_proto == IPPROTO_UDP_)
		call_add_endpoint(d, c, idx, &c->device, c->device_port);
}

/*
 * Whether flow f of the device belongs to call c. A flow of the same service that starts
 * within join_s of the call's start is its (apps try several relays at once). Media found
 * by its shape alone belongs to the device's call that is still going, whatever its
 * service; an app's flow takes over such a call while it is not yet written.
 */
static bool call_takes(const struct call *c, const struct sig *sg, const struct flow *f)
{
	const struct sig *csg = &c->set->sigs[c->sig];
	uint64_t going = c->last_us + (uint64_t)csg->shape.call_gap_ms * 1000;
	if (sig_by_media(sg))
		return f->first_ts_us <= going;
	if (sig_by_media(csg))
		return !c->begun && f->first_ts_us <= going;
	return strcmp(csg->service, sg->service) == 0 && f->first_ts_us <= c->first_us + (uint64_t)csg->shape.join_ms * 1000;
}

/* A flow a call signature matched: the device's call of that service, or a new one. */
static void call_join(struct detect *d, struct flow *f, struct fstate *st)
{
	const struct sig *sg = sig_of(st);
	int dev = 1 - detect_server_side(f);
	const struct ip_addr *device = &f->key.addr[dev];
	int32_t free_slot = d->calls_end < d->ncalls ? (int32_t)d->calls_end : -1;
	for (uint32_t i = 0; i < d->calls_end; i++) {
		struct call *c = &d->calls[i];
		if (!c->used) {
			if (free_slot < 0 || (uint32_t)free_slot >= d->calls_end)
				free_slot = (int32_t)i;
			continue;
		}
		if (addr_eq(&c->device, device) && call_takes(c, sg, f)) {
			if (sig_by_media(&c->set->sigs[c->sig]) && !sig_by_media(sg))
				call_adopt(d, c, (int32_t)i, st);
			call_member(d, f, st, (int32_t)i);
			return;
		}
	}
	if (free_slot < 0) {
		stats_anomaly(d->stats, ANOM_OTT_STATE_FULL);
		return;
	}
	struct call *c = &d->calls[free_slot];
	memset(c, 0, sizeof *c);
	c->used = true;
	if ((uint32_t)free_slot >= d->calls_end)
		d->calls_end = (uint32_t)free_slot + 1;
	c->set = sigs_ref(st->set);
	c->sig = st->sig;
	c->device = *device;
	c->server = f->key.addr[1 - dev];
	c->device_port = f->key.port[dev];
	c->server_port = f->key.port[1 - dev];
	c->ip_proto = f->key.proto;
	c->tunnel = f->tunnel;
	c->capture_index = f->capture_index;
	c->first_us = f->first_ts_us;
	c->first_frame = f->first_frame;
	c->last_us = f->last_ts_us;
	c->caller = (int8_t)pending_call_started(d, device, sg->service, c->first_us);
	call_member(d, f, st, free_slot);
}

void ott_call_peer(struct detect *d, struct flow *f, struct fstate *st, const struct flow_facts *facts)
{
	if (!(st->flags & FS_CALL) || st->call < 0 || !d->calls[st->call].used || f->key.proto != IPPROTO_UDP_)
		return;
	int srv = detect_server_side(f);
	/* a peer asks too (ICE checks both ways, RFC 8445 7.2) or sends media; a server only answers */
	bool peer = facts->media || (facts->stun && (facts->stun->request_dirs & (1u << srv)));
	if (peer)
		call_add_endpoint(d, &d->calls[st->call], st->call, &f->key.addr[srv], f->key.port[srv]);
	/* the far party for the records: one that sent the device an ICE check (a Binding
	 * request: only a peer does; media alone may be a relay's), or the peer a TURN request
	 * names (the far party as the relay reaches it, which may be its own relay) */
	if (facts->stun && (facts->stun->binding_dirs & (1u << srv)))
		call_note_peer(&d->calls[st->call], &f->key.addr[srv], f->key.port[srv]);
	if (facts->turn_peer)
		call_note_peer(&d->calls[st->call], facts->turn_peer, facts->turn_peer_port);
}

bool ott_tie_to_call(struct detect *d, struct flow *f, const struct packet *pkt)
{
	(void)pkt;
	for (int side = 0; side < 2; side++) {
		int32_t idx = port_find(d, &f->key.addr[side], f->key.port[side]);
		if (idx < 0 || !d->calls[idx].used)
			continue;
		struct fstate *st = detect_state(d, f);
		if (!st)
			return false;
		struct call *c = &d->calls[idx];
		/* the device is the side at the device's address; the other serves (a peer or relay) */
		int dev = addr_eq(&f->key.addr[side], &c->device) ? side : 1 - side;
		if (dev == 1)
			f->detect_flags |= DF_SERVER0;
		else
			f->detect_flags &= (uint8_t)~DF_SERVER0;
		st->set = sigs_ref(c->set);
		st->sig = c->sig;
		st->match_frame = f->first_frame;
		call_member(d, f, st, idx);
		return true;
	}
	return false;
}

/* --- the hooks detect.c calls --- */

void ott_classified(struct detect *d, struct flow *f, struct fstate *st, const struct packet *pkt)
{
	(void)pkt;
	const struct sig *sg = sig_of(st);
	if (sg->kind == SIG_CALL) {
		call_join(d, f, st);
		return;
	}
	st->flags |= FS_SESSION;
	st->protocol = detect_protocol_name(f);
	session_event(d, f, st, EV_OTT_SESSION_BEGIN);
	int msgs[MSG_SIGS_MAX];
	st->nmsgs = (uint8_t)sigs_messages_for(st->set, st->sig, msgs, MSG_SIGS_MAX);
	for (unsigned i = 0; i < st->nmsgs; i++)
		st->msgs[i] = (int16_t)msgs[i];
	if (st->nmsgs)
		list_add(d, st);
}

void ott_packet(struct detect *d, struct flow *f, struct fstate *st, int dir, const struct packet *pkt)
{
	if (st->flags & FS_CALL) {
		struct call *c = &d->calls[st->call];
		if (c->used) {
			if (pkt->ts_us > c->last_us)
				c->last_us = pkt->ts_us;
			c->packets++;
			if (!c->begun)
				call_maybe_begin(d, c);
		}
		return;
	}
	if (st->nmsgs && pkt->payload_len)
		burst_packet(d, f, st, dir, pkt);
}

void ott_flow_end(struct detect *d, struct flow *f, struct fstate *st)
{
	if (st->flags & FS_ON_LIST) {
		close_burst(d, f, st, 0);
		close_burst(d, f, st, 1);
		list_remove(d, st);
	}
	if (st->flags & FS_SESSION)
		session_event(d, f, st, EV_OTT_SESSION_END);
	if ((st->flags & FS_CALL) && st->call >= 0) {
		struct call *c = &d->calls[st->call];
		if (c->used) {
			if (f->last_ts_us > c->last_us)
				c->last_us = f->last_ts_us;
			c->flows--; /* at 0 the call ends once call_gap_s passes with no new flow (ott_tick) */
		}
	}
}

void ott_tick(struct detect *d, uint64_t now_us, bool finish)
{
	pending_emit_due(d, now_us, false);
	/* newest first */
	for (uint32_t i = ixpool_newest(&d->pool, DETECT_L_MESSAGES); i != IX_NIL; i = ixpool_older(&d->pool, i)) {
		struct fstate *st = &d->states[i];
		const struct sig_shape *sh = &st->set->sigs[st->msgs[0]].shape;
		uint64_t gap = (uint64_t)sh->gap_ms * 1000;
		for (int k = 0; k < 2; k++) {
			struct burst *b = &st->burst[k];
			if (b->open && (finish || (now_us > b->last_us && now_us - b->last_us > gap)))
				close_burst(d, st->flow, st, k);
		}
	}
	if (finish)
		pending_emit_due(d, now_us, true);
	for (uint32_t i = 0; i < d->calls_end; i++) {
		struct call *c = &d->calls[i];
		if (!c->used || (!finish && c->flows > 0))
			continue;
		uint64_t gap = (uint64_t)c->set->sigs[c->sig].shape.call_gap_ms * 1000;
		bool quiet = now_us > c->last_us && now_us - c->last_us > gap;
		if (quiet)
			call_end(d, c);
		else if (finish)
			call_release(d, c); /* still going when the input ended: no end was seen */
	}
}
