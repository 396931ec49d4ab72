/*
 * ether.c — Ethernet II frames (IEEE 802.3) and what an ethertype names, wherever the
 * frame is: on the capture's own link, inside a tunnel (VXLAN, Geneve, GRE 0x6558,
 * ERSPAN, an MPLS pseudowire), or after a Linux cooked header.
 *
 *   IPv4 0x0800, IPv6 0x86dd                      → ip.c
 *   VLAN tags 0x8100 (802.1Q), 0x88a8 (802.1ad), 0x9100 (pre-standard QinQ), stacked
 *   MPLS 0x8847, 0x8848                           → mpls.c
 *   PPPoE session 0x8864                          → pppoe.c
 *   NSH 0x894f                                    → nsh.c
 *   Ethernet 0x6558 (transparent bridging)        → another frame
 * Every layer goes on the packet's tunnel path (tunnel.c); anything else (ARP, LLDP,
 * PPPoE discovery, 802.3 lengths) is not ours and not wrong: DECODE_SKIP.
 */
#include "decode/decode_internal.h"

#include "decode/mpls.h"
#include "decode/nsh.h"
#include "decode/pppoe.h"

static bool is_vlan(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD || type == ETHERTYPE_QINQ_OLD;
}

bool ether_opens(uint16_t type)
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
		return true;
	default:
		return is_vlan(type);
	}
}

enum decode_result ether_frame(struct decoder *d, struct span frame, bool cut, struct packet *out)
{
	struct cursor c = cur_make(frame.ptr, frame.len);
	cur_skip(&c, 12); /* destination and source MAC */
	uint16_t type = cur_be16(&c);
	if (!cur_ok(&c))
		return tunnel_failed(d, ENCAP_SHORT, cut);
	return ether_payload(d, type, cur_rest(&c), cut, out);
}

enum decode_result ether_payload(struct decoder *d, uint16_t type, struct span p, bool cut,
				 struct packet *out)
{
	/* VLAN tags, stacked: each a layer (priority, DEI, the 12-bit id), read in a loop */
	while (is_vlan(type)) {
		struct cursor c = cur_make(p.ptr, p.len);
		uint16_t tci = cur_be16(&c);
		type = cur_be16(&c);
		if (!cur_ok(&c))
			return tunnel_failed(d, ENCAP_SHORT, cut);
		if (!tunnel_push(d, out, TUNNEL_VLAN, tci & 0x0fffu, tci & 0x0fffu, false))
			return DECODE_MALFORMED;
		p = cur_rest(&c);
	}
	struct encap e;
	enum encap_result r;
	switch (type) {
	case ETHERTYPE_IPV4:
		return ip_decode(d, p.ptr, p.len, 4, out);
	case ETHERTYPE_IPV6:
		return ip_decode(d, p.ptr, p.len, 6, out);
	case ETHERTYPE_IP_ANY:
		return ip_decode(d, p.ptr, p.len, 0, out);
	case ETHERTYPE_TEB:
		return ether_frame(d, p, cut, out);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		r = mpls_parse(p.ptr, p.len, &e);
		break;
	case ETHERTYPE_PPPOE_SESSION:
		/* its LENGTH past the frame is a lie unless the capture cut the frame (cut says
		   only that the bytes could have been cut) */
		r = pppoe_parse(p.ptr, p.len, cut && out->caplen < out->wirelen, &e);
		break;
	case ETHERTYPE_NSH:
		r = nsh_parse(p.ptr, p.len, &e);
		break;
	default:
		return DECODE_SKIP; /* ARP, LLDP, 802.3 lengths ...: not ours, not wrong */
	}
	if (r == ENCAP_NONE)
		return DECODE_SKIP; /* PPP's control protocols, an MPLS associated channel */
	if (r != ENCAP_OK)
		return tunnel_failed(d, r, cut);
	if (!tunnel_push(d, out, e.kind, e.id, e.flow_id, false))
		return DECODE_MALFORMED;
	return ether_payload(d, e.next, e.inner, cut, out);
}
