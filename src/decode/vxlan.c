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
	VXLAN_I = 0x08,   /* the VNI is valid */
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

enum encap_result vxlan_parse(const uint8_t *p, size_t len, bool exact, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	uint8_t flags = cur_u8(&c);
	uint32_t reserved = cur_be24(&c);
	uint32_t vni = cur_be24(&c);
	uint8_t reserved2 = cur_u8(&c);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	if (!(flags & VXLAN_I))
		return ENCAP_NONE;
	if (exact && (flags != VXLAN_I || reserved != 0 || reserved2 != 0))
		return ENCAP_NONE;
	return encap_found(e, TUNNEL_VXLAN, vni, vni, ETHERTYPE_TEB, cur_rest(&c));
}

enum encap_result vxlan_gpe_parse(const uint8_t *p, size_t len, struct encap *e)
{
	struct cursor c = cur_make(p, len);
	uint8_t flags = cur_u8(&c);
	cur_skip(&c, 2);
	uint8_t next = cur_u8(&c);
	uint32_t vni = cur_be24(&c);
	cur_skip(&c, 1);
	if (!cur_ok(&c))
		return ENCAP_SHORT;
	if ((flags & GPE_VER) != 0 || !(flags & GPE_P))
		return ENCAP_NONE;
	uint16_t type = vxlan_gpe_next(next);
	if (type == NEXT_NOT_OPENED)
		return ENCAP_NONE;
	return encap_found(e, TUNNEL_VXLAN_GPE, vni, vni, type, cur_rest(&c));
}
