/*
 * flowrec.c — the internet pen register: a `flow` record for every connection of an
 * order's target that no signature named (remote address and port, the name the
 * device resolved or sent as SNI, bytes and packets each way, duration), and the run
 * summary's account of how much target traffic went where pentrap could not say what
 * it was.
 *
 * Whether a flow is a target's is decided at its start (detect.c), from the order's
 * address targets and the identity map at that time; only such flows take per-flow
 * state for this. The record itself still goes through the order filter like every
 * event, which decides the window and the direction.
 *
 * "Not named" means: no signature matched, and no clear-text protocol pentrap reads
 * carried it (SIP, SMPP, GTP ... are named by their own records); what is left is
 * encrypted or unknown traffic (TLS, QUIC, STUN, RTP media, or nothing recognised).
 * Flow records are made for the encrypted or unknown flows but for RTP media (the
 * media of a call the signalling already recorded, or of an app's call; RTP confirmed by
 * its few in-order packets, not a first datagram that merely looks like RTP's header,
 * which is unknown `udp`): the clear-text protocols' flows are recorded by what they
 * carried.
 *
 * DNS is the exception among clear protocols: a lookup makes no record of its own, so a
 * target's DNS flow gets a `flow` record (protocol `dns`, `to` the resolver) named by
 * the first name the device asked for on it (detect_flow_lookup, which the DNS
 * dissector reaches through its facts sink), and counts as neither named nor unnamed
 * in the summary, as SIP does not.
 */
#include <string.h>

#include "detect/detect_internal.h"
#include "identity/identity.h"
#include "order/order.h"
#include "proto/proto.h"

bool flowrec_is_target(const struct detect *d, const struct ip_addr *a, uint64_t ts_us)
{
	if (!d->order || !a->family)
		return false;
	if (order_match_addr(d->order, a) >= 0) /* what order_match_party says of its text */
		return true;
	struct subscriber sub;
	return d->identity && identity_lookup(d->identity, a, ts_us, &sub) && order_match_subscriber(d->order, &sub) >= 0;
}

bool detect_counts(const struct detect *d, const struct ip_addr *device, uint64_t ts_us)
{
	return !d->identity_pending || flowrec_is_target(d, device, ts_us);
}

static bool is_dissector(const struct flow *f, const char *name)
{
	return f->dissector < proto_registry_count() && strcmp(proto_registry[f->dissector]->name, name) == 0;
}

/*
 * Taken for RTP by its first datagram but never confirmed as media (a quarter of any
 * framing's first bytes pass for an RTP header): unknown traffic, not a call's media.
 */
static bool rtp_unconfirmed(const struct flow *f, const struct fstate *st)
{
	return st && !st->media && is_dissector(f, "rtp");
}

/* Encrypted or unknown: nothing in clear said what this traffic was. */
static bool opaque(const struct flow *f, const struct fstate *st)
{
	if (f->dissector >= proto_registry_count() || rtp_unconfirmed(f, st))
		return true;
	const char *n = proto_registry[f->dissector]->name;
	return strcmp(n, "tls") == 0 || strcmp(n, "quic") == 0 || strcmp(n, "stun") == 0;
}

/*
 * A call signature matched the flow, but its call never lasted long enough to be
 * recorded (`min_s`) and no other flow of it is left to make it so: nothing recorded
 * the flow, so it is a target's unknown traffic like any other.
 */
static bool call_unrecorded(const struct detect *d, const struct fstate *st)
{
	if (!st || st->sig < 0 || st->set->sigs[st->sig].kind != SIG_CALL || !(st->flags & FS_CALL) || st->call < 0)
		return false;
	const struct call *c = &d->calls[st->call];
	return c->used && !c->begun && c->flows == 0;
}

/* RTP/RTCP media: the media of a call some signalling already recorded. */
static bool media(const struct flow *f, const struct fstate *st)
{
	return is_dissector(f, "rtp") && !rtp_unconfirmed(f, st);
}

/* Multicast and limited broadcast: local discovery (mDNS, SSDP, DHCP), no remote party. */
bool flowrec_local_only(const struct ip_addr *a)
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 };
	if (a->family == 4)
		return (a->bytes[0] & 0xf0) == 0xe0 || memcmp(a->bytes, bcast, 4) == 0;
	return a->family == 6 && a->bytes[0] == 0xff;
}

void flowrec_flow_end(struct detect *d, struct flow *f, struct fstate *st)
{
	if (!(f->detect_flags & DF_TARGET) || f->replica || flowrec_local_only(&f->key.addr[0]) ||
	    flowrec_local_only(&f->key.addr[1]))
		return; /* a replica: worker 0 records and counts the shared flow */
	uint64_t bytes = f->bytes[0] + f->bytes[1];
	int srv0 = detect_server_side(f);
	if ((f->detect_flags & DF_MAYBE) && !flowrec_is_target(d, &f->key.addr[1 - srv0], f->first_ts_us) &&
	    !flowrec_is_target(d, &f->key.addr[srv0], f->first_ts_us)) {
		/* nobody's binding came: its record (if any) waits and is filtered as any event,
		 * and the summary, which counts only targets' traffic, does not count it */
		goto record;
	}
	d->sum.target_flows++;
	d->sum.target_bytes += bytes;
	bool short_call = call_unrecorded(d, st);
	if (st && st->sig >= 0 && !short_call) {
		d->sum.named_flows++;
		d->sum.named_bytes += bytes;
		return; /* its session or call records say what it was */
	}
	bool lookup = is_dissector(f, "dns"); /* recorded below; neither named nor unnamed */
	if (!lookup && !short_call && !opaque(f, st)) {
		/* SIP, SMPP, GTP ... make their own records; media belongs to its call */
		if (media(f, st)) {
			d->sum.unnamed_flows++;
			d->sum.unnamed_bytes += bytes;
		}
		return;
	}
	if (!lookup) {
		d->sum.unnamed_flows++;
		d->sum.unnamed_bytes += bytes;
	}
record:;
	if (f->detect_flags & DF_MAYBE && st && st->sig >= 0 && !call_unrecorded(d, st))
		return; /* named by its session records */
	bool lookup2 = is_dissector(f, "dns");
	if (f->detect_flags & DF_MAYBE && !lookup2 && !call_unrecorded(d, st) && !opaque(f, st))
		return;
	int srv = detect_server_side(f), dev = 1 - srv;
	struct event e;
	event_init(&e, EV_FLOW);
	e.ts_us = f->first_ts_us;
	e.protocol = rtp_unconfirmed(f, st) ? "udp" : detect_protocol_name(f);
	addr_format(&f->key.addr[dev], e.from, sizeof e.from);
	addr_format(&f->key.addr[srv], e.to, sizeof e.to);
	e.from_addr = f->key.addr[dev];
	e.to_addr = f->key.addr[srv];
	e.duration_us = (int64_t)(f->last_ts_us - f->first_ts_us);
	e.bytes_up = f->bytes[dev];
	e.bytes_down = f->bytes[srv];
	e.packets_up = f->packets[dev];
	e.packets_down = f->packets[srv];
	if (st)
		snprintf(e.name, sizeof e.name, "%s", st->name);
	e.capture_index = f->capture_index;
	e.src = f->key.addr[dev];
	e.dst = f->key.addr[srv];
	e.sport = f->key.port[dev];
	e.dport = f->key.port[srv];
	e.ip_proto = f->key.proto;
	e.tunnel = f->tunnel;
	event_add_frame(&e, f->first_frame);
	event_emit(d->events, &e);
}
