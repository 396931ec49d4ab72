/*
 * encap.h — what every encapsulation parser of the decoder hands back (gre.h,
 * erspan.h, vxlan.c, geneve.h, mpls.h, pppoe.c, nsh.c, gtpu.c): whether its header is
 * there, the layer it is for the tunnel path, and what follows it, named by ethertype
 * (GRE's and Geneve's own convention, which the others map onto).
 *
 * The parsers are pure: bytes in, a result out, no state and no counters; the decoder
 * (tunnel.c, ether.c) chains them, counts what goes wrong, and caps the depth.
 */
#ifndef PENTRAP_DECODE_ENCAP_H
#define PENTRAP_DECODE_ENCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"
#include "decode/tunnel_path.h"

enum encap_result {
	ENCAP_NONE,      /* not this encapsulation (a look-alike, or a kind we do not open) */
	ENCAP_OK,        /* e holds the layer and what follows it */
	ENCAP_SHORT,     /* the bytes ended inside the header: cut by the capture, or a lie */
	ENCAP_MALFORMED, /* the header is this encapsulation's but inconsistent */
};

/* What follows a header, as an ethertype. */
enum {
	ETHERTYPE_IP_ANY = 0x0000,       /* IPv4 or IPv6 by its version nibble (GTP-U, ERSPAN III IP frames) */
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_TEB = 0x6558,          /* an Ethernet frame: transparent Ethernet bridging */
	ETHERTYPE_8021Q = 0x8100,
	ETHERTYPE_8021AD = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	ETHERTYPE_PPPOE_DISCOVERY = 0x8863,
	ETHERTYPE_PPPOE_SESSION = 0x8864,
	ETHERTYPE_NSH = 0x894f,
	ETHERTYPE_ERSPAN2 = 0x88be,      /* GRE protocol of ERSPAN types I and II */
	ETHERTYPE_ERSPAN3 = 0x22eb,      /* GRE protocol of ERSPAN type III */
	ETHERTYPE_MIN = 0x0600,          /* below: an 802.3 length, not a type */
};

struct encap {
	uint8_t kind;        /* enum tunnel_kind */
	uint32_t id;         /* the layer's identifier as the path shows it */
	uint32_t flow_id;    /* what the layer adds to the flow key: the same both ways
				(a VNI, a session), 0 for what differs by direction (a
				TEID, an MPLS label) */
	uint16_t next;       /* what follows, as an ethertype */
	struct span inner;   /* borrowed: the bytes that follow */
};

/* A parser's ENCAP_OK: e filled with the layer found and what follows it. */
static inline enum encap_result encap_found(struct encap *e, enum tunnel_kind kind, uint32_t id, uint32_t flow_id,
					    uint16_t next, struct span inner)
{
	e->kind = (uint8_t)kind;
	e->id = id;
	e->flow_id = flow_id;
	e->next = next;
	e->inner = inner;
	return ENCAP_OK;
}

/*
 * Whether s starts like an IP packet: the version nibble (want 4 or 6, or 0 for
 * either) and a header length and total length that fit each other. A look, not a
 * decode: used where a payload does not name itself (MPLS) and to recognise a tunnel
 * off its port. Inline: every MPLS packet that is not explicit-null asks.
 */
static inline bool encap_looks_ip(struct span s, unsigned want)
{
	enum { IPV6_HDR_LEN = 40 };
	struct cursor c = cur_make(s.ptr, s.len);
	uint8_t vihl = cur_u8(&c);
	unsigned v = vihl >> 4;
	if (!cur_ok(&c) || (want && v != want))
		return false;
	if (v == 6)
		return cur_has(&c, IPV6_HDR_LEN - 1);
	if (v != 4)
		return false;
	cur_skip(&c, 1);
	uint16_t total = cur_be16(&c);
	size_t hlen = (size_t)(vihl & 0x0f) * 4;
	return cur_ok(&c) && hlen >= 20 && total >= hlen;
}

/* Whether s starts like an Ethernet frame carrying IP (through up to two VLAN tags)
 * or MPLS: the same kind of look. */
bool encap_looks_ethernet(struct span s);

#endif
