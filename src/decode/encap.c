/*
 * encap.c — the looks the encapsulation parsers share (encap.h): does this start like
 * an IP packet, like an Ethernet frame carrying one.
 */
#include "decode/encap.h"

enum { ENCAP_LOOK_VLAN_TAGS = 2, IPV6_HDR_LEN = 40 };

bool encap_looks_ip(struct span s, unsigned want)
{
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

bool encap_looks_ethernet(struct span s)
{
	struct cursor c = cur_make(s.ptr, s.len);
	cur_skip(&c, 12);
	uint16_t type = cur_be16(&c);
	for (int i = 0; i < ENCAP_LOOK_VLAN_TAGS && (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
						     type == ETHERTYPE_QINQ_OLD); i++) {
		cur_skip(&c, 2);
		type = cur_be16(&c);
	}
	if (!cur_ok(&c))
		return false;
	if (type == ETHERTYPE_MPLS)
		return true;
	if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
		return false;
	return encap_looks_ip(cur_rest(&c), type == ETHERTYPE_IPV4 ? 4 : 6);
}
