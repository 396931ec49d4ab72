/*
 * vxlan.c — VXLAN (RFC 7348 §5) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe-12 §3).
 *
 * VXLAN, 8 bytes:
 *   |R|R|R|R|I|R|R|R|            Reserved (24)                      |
 *   |                VNI (24)                       | Reserved (8)  |
 * VXLAN-GPE, 8 bytes:
 *   |R|R|Ver|I|P|B|O|       Reserved (16)           | Next Protocol |
 *   |                VNI (24)                       | Reserved (8)  |
 * GPE's next protocol: 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS (the registry NSH
 * uses too, RFC 8300 §11.2.5).
 */
#include "decode/vxlan.h"

enum {
	GPE_VER = 0x30,
	GPE_P = 0x04,     /* the next protocol field is present */
	NEXT_NOT_OPENED = 0xffff,
};

uint16_t vxlan_gpe_next(uint8_t next_protocol)
{
	switch (next_protocol) {
	case 1:
		return ETHERTYPE_IPV4;
	case 2:
		return ETHERTYPE_IPV6;
	case 3:
		return ETHERTYPE_TEB;
	case 4:
		return ETHERTYPE_NSH;
	case 5:
		return ETHERTYPE_MPLS;
	default:
		return NEXT_NOT_OPENED;
	}
}

/* The header is 8 bytes, read from a copy (cur_copy_out). */
enum encap_result vxlan_gpe_parse(const uint8_t *p, size_t len, struct encap *e)
{
	uint8_t fixed[VXLAN_HDR];
	struct cursor c = cur_make(p, len);
	struct cursor h = cur_copy_out(&c, fixed, sizeof fixed);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	uint8_t flags = cur_u8(&h);
	cur_skip(&h, 2);
	uint8_t next = cur_u8(&h);
	uint32_t vni = cur_be24(&h); /* then a reserved byte */
	if ((flags & GPE_VER) != 0 || !(flags & GPE_P))
		return ENCAP_NONE;
	uint16_t type = vxlan_gpe_next(next);
	if (type == NEXT_NOT_OPENED)
		return ENCAP_NONE;
	return encap_found(e, TUNNEL_VXLAN_GPE, vni, vni, type, cur_rest(&c));
}
