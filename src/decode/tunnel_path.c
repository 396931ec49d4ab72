/*
 * tunnel_path.c — a tunnel path as text (tunnel_path.h).
 *
 * Each layer is its name, then where it has one the identifier that tells it from its
 * neighbours, in the words of its specification: "vlan 20", "mpls:label 1001",
 * "pppoe:session 4660", "nsh:spi 10 si 255", "gre", "gre:key 7", "erspan1",
 * "erspan2:session 100", "erspan3:session 100", "vxlan:vni 5000",
 * "vxlan-gpe:vni 5000", "geneve:vni 5000", "ipv4-in-ip", "ipv6-in-ip",
 * "gtpu:teid 0x00000101"; layers joined by " / ", outermost first.
 */
#include "decode/tunnel_path.h"

#include <stdio.h>

static int layer_format(unsigned kind, uint32_t id, char *buf, size_t len)
{
	switch (kind) {
	case TUNNEL_VLAN:
		return snprintf(buf, len, "vlan %u", id);
	case TUNNEL_MPLS:
		return snprintf(buf, len, "mpls:label %u", id);
	case TUNNEL_PPPOE:
		return snprintf(buf, len, "pppoe:session %u", id);
	case TUNNEL_NSH:
		return snprintf(buf, len, "nsh:spi %u si %u", id >> 8, id & 0xff);
	case TUNNEL_GRE:
		return snprintf(buf, len, "gre");
	case TUNNEL_GRE_KEY:
		return snprintf(buf, len, "gre:key %u", id);
	case TUNNEL_ERSPAN1:
		return snprintf(buf, len, "erspan1");
	case TUNNEL_ERSPAN2:
		return snprintf(buf, len, "erspan2:session %u", id);
	case TUNNEL_ERSPAN3:
		return snprintf(buf, len, "erspan3:session %u", id);
	case TUNNEL_VXLAN:
		return snprintf(buf, len, "vxlan:vni %u", id);
	case TUNNEL_VXLAN_GPE:
		return snprintf(buf, len, "vxlan-gpe:vni %u", id);
	case TUNNEL_GENEVE:
		return snprintf(buf, len, "geneve:vni %u", id);
	case TUNNEL_IPIP:
		return snprintf(buf, len, "ipv4-in-ip");
	case TUNNEL_IP6IP:
		return snprintf(buf, len, "ipv6-in-ip");
	case TUNNEL_GTPU:
		return snprintf(buf, len, "gtpu:teid 0x%08x", id);
	default:
		return snprintf(buf, len, "unknown");
	}
}

size_t tunnel_path_format(const struct tunnel_path *t, char *buf, size_t len)
{
	if (len == 0)
		return 0;
	buf[0] = '\0';
	size_t n = 0;
	unsigned layers = t->n < TUNNEL_MAX_LAYERS ? t->n : TUNNEL_MAX_LAYERS;
	for (unsigned i = 0; i < layers && n + 1 < len; i++) {
		if (i)
			n += (size_t)snprintf(buf + n, len - n, " / ");
		if (n + 1 < len)
			n += (size_t)layer_format(t->kind[i], t->id[i], buf + n, len - n);
	}
	return n < len ? n : len - 1;
}
