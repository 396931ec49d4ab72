/*
 * decode_internal.h — what decode.c (link layers) and ip.c (IP, transport) share.
 * Not part of the decode interface: only the decoder's own .c files include it.
 */
#ifndef PENTRAP_DECODE_DECODE_INTERNAL_H
#define PENTRAP_DECODE_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/stats.h"
#include "decode/decode.h"
#include "decode/encap.h"
#include "decode/erspan.h"
#include "decode/frag.h"
#include "decode/gre.h"
#include "decode/packet.h"

struct decoder {
	struct stats *stats;     /* borrowed, or scratch when the caller gave none: never NULL,
				    so the short-cut (ether.c) counts without asking */
	struct stats scratch;    /* what a decoder given no stats counts, unread */
	struct frag_table *frag; /* owned */
	/* ANOM_CAPTURE_TRUNCATED is counted once per frame, also across a tunnel's inner packet */
	bool capture_trunc_counted;
	bool merge_mirrors;      /* decode_config.merge_mirrors */
	/* the short-cut (ether.c) takes a layer only under this many on the path: the depth
	   cap (TUNNEL_MAX_LAYERS, never more), which the general path counts; 0 switches it
	   off (tests compare the general path's results with it: test_tunnel.c). One
	   compare does both. */
	uint8_t short_cut_depth;
	unsigned short_cuts;     /* layers the short-cut opened: tests see it was taken */
};

/*
 * Decodes the IP packet in [ip, ip+len) and its transport header: version 4 or 6 when
 * want_version is 4 or 6 (the link layer said so), either when 0. On DECODE_OK every IP
 * and transport field of out is set (the tunnel it may carry is ether.c's to open). ip
 * is borrowed and only ever read through a cursor.
 */
enum decode_result ip_decode(struct decoder *d, const uint8_t *ip, size_t len, int want_version,
			     struct packet *out);

/*
 * An Ethernet frame (ether.c): its ethertype, VLAN tags, and what they name.
 * cut: the bytes were cut by the capture (a header that runs out is truncated, not
 * malformed). frame and p are borrowed.
 */
enum decode_result ether_frame(struct decoder *d, struct span frame, bool cut, struct packet *out);
/* What an ethertype names, at p: IP, an Ethernet frame, a VLAN tag, MPLS, PPPoE, NSH;
 * and layer after layer, through every tunnel, to the innermost packet. */
enum decode_result ether_payload(struct decoder *d, uint16_t type, struct span p, bool cut,
				 struct packet *out);
/* Whether ether_payload opens what type names (else: DECODE_SKIP, not ours). Inline:
 * every plain GRE packet asks (tunnel.c). */
static inline bool ether_opens(uint16_t type)
{
	switch (type) {
	case ETHERTYPE_IP_ANY:
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
	case ETHERTYPE_TEB:
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
	case ETHERTYPE_PPPOE_SESSION:
	case ETHERTYPE_NSH:
	case ETHERTYPE_8021Q:
	case ETHERTYPE_8021AD:
	case ETHERTYPE_QINQ_OLD:
		return true;
	default:
		return false;
	}
}

/*
 * After an IP packet's transport header (ip.c): the tunnel it carries (tunnel.c).
 * ENCAP_OK: e is its layer and what follows; ENCAP_NONE: it carries none (a
 * look-alike on a tunnel's port is counted); else its header is short or malformed.
 */
enum encap_result tunnel_decap(struct decoder *d, const struct packet *out, struct encap *e);
/* An address folded to one word: the key only has to tell tunnels apart, and the
 * flow table mixes it with everything else. */
static inline uint32_t tunnel_addr_fold(const struct ip_addr *a)
{
	uint32_t w[4];
	memcpy(w, a->bytes, sizeof w);
	return a->family == 6 ? w[0] ^ w[1] ^ w[2] ^ w[3] : w[0];
}

/*
 * Puts a layer on out's path and into its tunnel key (tunnel.c says what goes in),
 * below the depth cap: the caller made sure (tunnel_push, the short-cut). over_ip: the
 * layer is carried by an IP packet, whose addresses are already in out->outer_src and
 * outer_dst (tunnel_ends). Inline: every layer of every tunnelled packet comes through
 * here.
 */
__attribute__((always_inline)) static inline void tunnel_push_below_cap(struct decoder *d, struct packet *out,
									 uint8_t kind, uint32_t id,
									 uint32_t flow_id, bool over_ip)
{
	struct tunnel_path *t = &out->tunnel;
	t->kind[t->n] = kind;
	t->id[t->n] = id;
	t->n++;
	if (d->merge_mirrors)
		return;
	uint32_t key = out->tunnel_key * 0x9e3779b1u + ((uint32_t)kind << 24 ^ flow_id);
	if (over_ip && kind != TUNNEL_GTPU) /* the two ends as a pair: a sum is the same both ways */
		key ^= (tunnel_addr_fold(&out->outer_src) + tunnel_addr_fold(&out->outer_dst)) * 0x85ebca6bu;
	out->tunnel_key = key;
}
/* The same, or false (counted) at the depth cap. */
__attribute__((always_inline)) static inline bool tunnel_push(struct decoder *d, struct packet *out, uint8_t kind,
							      uint32_t id, uint32_t flow_id, bool over_ip)
{
	if (out->tunnel.n >= TUNNEL_MAX_LAYERS) {
		stats_anomaly(d->stats, ANOM_TUNNEL_DEPTH);
		return false;
	}
	tunnel_push_below_cap(d, out, kind, id, flow_id, over_ip);
	return true;
}
/* out's IP packet carries a tunnel: its addresses are the tunnel's ends, kept for the
 * key (tunnel_push), for fragments inside it (tunnel_fragment_key) and tests; the inner
 * packet's decode then overwrites every IP and transport field. */
static inline void tunnel_ends(struct packet *out)
{
	out->outer_src = out->src;
	out->outer_dst = out->dst;
}
/* ... and once its layer is on the path: GTP-U's TEID is kept too. */
__attribute__((always_inline)) static inline void tunnel_enter(struct packet *out, const struct encap *e)
{
	out->tunnelled = true;
	if (e->kind == TUNNEL_GTPU)
		out->tunnel_teid = e->id;
}

/* GRE, and ERSPAN II/III behind it (the ERSPAN layer stands for both on the path):
 * tunnel_decap's for IP protocol 47, and the short-cut's (ether.c), inline as the
 * parsers are (gre.h). */
static inline enum encap_result tunnel_gre(struct span s, struct encap *e)
{
	enum encap_result r = gre_parse(s.ptr, s.len, e);
	if (r != ENCAP_OK || e->next == ETHERTYPE_IPV4) /* IPv4 first: nearly every plain GRE */
		return r;
	if (e->next == ETHERTYPE_ERSPAN2 || e->next == ETHERTYPE_ERSPAN3)
		return erspan_parse(e->inner.ptr, e->inner.len, e->next, e);
	return ether_opens(e->next) ? ENCAP_OK : ENCAP_NONE; /* PPP, keepalives ...: the GRE packet itself */
}

/* The fragment key's tunnel part: 0 outside any tunnel, else a hash of every layer's
 * kind and id and the innermost tunnel's outer addresses, in order: one datagram on
 * two hops of a core (an "any" capture) is two datagrams. */
uint32_t tunnel_fragment_key(const struct packet *p);
/* A header that was short (truncated when cut, else malformed) or malformed: counted. */
enum decode_result tunnel_failed(struct decoder *d, enum encap_result r, bool cut);

/* Counts ANOM_CAPTURE_TRUNCATED unless this frame already did. */
static inline void decode_note_capture_truncated(struct decoder *d)
{
	if (!d->capture_trunc_counted) {
		d->capture_trunc_counted = true;
		stats_anomaly(d->stats, ANOM_CAPTURE_TRUNCATED);
	}
}

#endif
