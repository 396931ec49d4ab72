/*
 * registry.c — the table of dissectors, in the order their recognisers are tried
 * (most specific first). Adding a protocol is one line here.
 */
#include <string.h>

#include "proto/proto.h"
#include "proto/sip.h"

const struct dissector *const proto_registry[] = {
	&sip_dissector,
	NULL,
};

size_t proto_registry_count(void)
{
	size_t n = 0;
	while (proto_registry[n])
		n++;
	return n;
}

int proto_find(const char *name)
{
	for (size_t i = 0; proto_registry[i]; i++)
		if (strcmp(proto_registry[i]->name, name) == 0)
			return (int)i;
	return -1;
}
