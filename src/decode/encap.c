/*
 * encap.c — the looks the encapsulation parsers share (encap.h): does this start like
 * an IP packet, like an Ethernet frame carrying one.
 */
#include "decode/encap.h"

enum { ENCAP_LOOK_VLAN_TAGS = 2 };

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
