/*
 * registry.c — the table of dissectors, in the order their recognisers are tried
 * (most specific first). Adding a protocol is one line here.
 */
#include <string.h>

#include "proto/proto.h"
#include "proto/diameter.h"
#include "proto/dns.h"
#include "proto/gtp.h"
#include "proto/quic.h"
#include "proto/radius.h"
#include "proto/rtp.h"
#include "proto/sctp.h"
#include "proto/sigtran.h"
#include "proto/sip.h"
#include "proto/smpp.h"
#include "proto/stun.h"
#include "proto/tls.h"

const struct dissector *const proto_registry[] = {
	&gtp_dissector, /* binary, exact header and length: before the text protocols */
	&diameter_dissector, /* binary, version 1 and a sane first AVP */
	&sip_dissector,
	&smpp_dissector,
	&radius_dissector, /* by structure: before DNS, whose recogniser is looser */
	&tls_dissector, /* a handshake record carrying a hello */
	&quic_dissector, /* a long header of a QUIC version whose Initials can be opened */
	&stun_dissector, /* one whole STUN message with the magic cookie (or a classic type) */
	&dns_dissector, /* late: off ports 53/5353/5355 it needs one whole message to parse */
	&rtp_dissector, /* after DNS: RTP headers are loose; both ports unprivileged */
	&sctp_dissector, /* every SCTP flow: hands user messages on by PPID (sctp_ppid) */
	&sigtran_dissector, /* "map": SCTP PPIDs 2, 3, 4 (M2UA, M3UA, SUA), no transport of its own */
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
