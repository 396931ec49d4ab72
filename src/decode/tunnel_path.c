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

/* How a layer's id is written after its name. */
enum id_form { ID_NONE, ID_DECIMAL, ID_HEX32, ID_SPI_SI };

static const struct layer_name {
	const char *name; /* with the id's label where it has one */
	enum id_form form;
} LAYER_NAMES[TUNNEL__COUNT] = {
	[TUNNEL_VLAN] = { "vlan ", ID_DECIMAL },
	[TUNNEL_MPLS] = { "mpls:label ", ID_DECIMAL },
	[TUNNEL_PPPOE] = { "pppoe:session ", ID_DECIMAL },
	[TUNNEL_NSH] = { "nsh:spi ", ID_SPI_SI },
	[TUNNEL_GRE] = { "gre", ID_NONE },
	[TUNNEL_GRE_KEY] = { "gre:key ", ID_DECIMAL },
	[TUNNEL_ERSPAN1] = { "erspan1", ID_NONE },
	[TUNNEL_ERSPAN2] = { "erspan2:session ", ID_DECIMAL },
	[TUNNEL_ERSPAN3] = { "erspan3:session ", ID_DECIMAL },
	[TUNNEL_VXLAN] = { "vxlan:vni ", ID_DECIMAL },
	[TUNNEL_VXLAN_GPE] = { "vxlan-gpe:vni ", ID_DECIMAL },
	[TUNNEL_GENEVE] = { "geneve:vni ", ID_DECIMAL },
	[TUNNEL_IPIP] = { "ipv4-in-ip", ID_NONE },
	[TUNNEL_IP6IP] = { "ipv6-in-ip", ID_NONE },
	[TUNNEL_GTPU] = { "gtpu:teid ", ID_HEX32 },
};

static int layer_format(unsigned kind, uint32_t id, char *buf, size_t len)
{
	const struct layer_name *l = kind < TUNNEL__COUNT ? &LAYER_NAMES[kind] : NULL;
	if (!l || !l->name)
		return snprintf(buf, len, "unknown");
	switch (l->form) {
	case ID_DECIMAL:
		return snprintf(buf, len, "%s%u", l->name, id);
	case ID_HEX32:
		return snprintf(buf, len, "%s0x%08x", l->name, id);
	case ID_SPI_SI:
		return snprintf(buf, len, "%s%u si %u", l->name, id >> 8, id & 0xff);
	default:
		return snprintf(buf, len, "%s", l->name);
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
