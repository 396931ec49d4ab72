/*
 * tunnel_path.h — the encapsulations a packet came through, outermost first: what an
 * examiner reads in a record's evidence (`evidence.tunnel`, docs/records.md), e.g.
 * "erspan2:session 100 / vlan 20".
 *
 * A path is a small fixed-size value (no pointers), copied with the packet, the flow
 * and the events made from them.
 */
#ifndef PENTRAP_DECODE_TUNNEL_PATH_H
#define PENTRAP_DECODE_TUNNEL_PATH_H

#include <stddef.h>
#include <stdint.h>

/* Append new kinds at the end: the names live in tunnel_path.c. */
enum tunnel_kind {
	TUNNEL_NONE,
	TUNNEL_VLAN,       /* 802.1Q / 802.1ad / 0x9100 tag: id the VLAN id */
	TUNNEL_MPLS,       /* a label stack: id the bottom label (the service's; the ones above
			      are the transport's and change hop by hop) */
	TUNNEL_PPPOE,      /* PPPoE session: id the session id */
	TUNNEL_NSH,        /* network service header: id the SPI (24 bits) and SI (8 bits) */
	TUNNEL_GRE,        /* GRE without a key */
	TUNNEL_GRE_KEY,    /* GRE with a key: id the key */
	TUNNEL_ERSPAN1,    /* ERSPAN type I (no header of its own) */
	TUNNEL_ERSPAN2,    /* ERSPAN type II: id the session */
	TUNNEL_ERSPAN3,    /* ERSPAN type III: id the session */
	TUNNEL_VXLAN,      /* id the VNI */
	TUNNEL_VXLAN_GPE,  /* id the VNI */
	TUNNEL_GENEVE,     /* id the VNI */
	TUNNEL_IPIP,       /* IPv4 or IPv6 in IP, protocol 4 */
	TUNNEL_IP6IP,      /* IPv4 or IPv6 in IP, protocol 41 */
	TUNNEL_GTPU,       /* GTP-U G-PDU: id the TEID */
	TUNNEL__COUNT
};

enum {
	TUNNEL_MAX_LAYERS = 8,  /* the depth cap: a packet nested deeper is not read (tunnel.depth) */
	TUNNEL_TEXT_MAX = 256,  /* the longest text of a full path, with its terminator */
};

struct tunnel_path {
	uint8_t n;                          /* layers, 0 when the packet came through none */
	uint8_t kind[TUNNEL_MAX_LAYERS];    /* enum tunnel_kind, outermost first */
	uint32_t id[TUNNEL_MAX_LAYERS];
};

/*
 * Writes the path as text ("erspan2:session 100 / vlan 20"; "" for an empty path)
 * into buf, always terminated. Returns the length written.
 */
size_t tunnel_path_format(const struct tunnel_path *t, char *buf, size_t len);

#endif
