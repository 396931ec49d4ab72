/*
 * link.h — the connection to a LEMF: TCP, optionally TLS with a client certificate
 * (OpenSSL libssl), with TCP keep-alive so an idle connection is still checked, and
 * timeouts on every wait so a silent peer never hangs a delivery.
 */
#ifndef PENTRAP_HANDOVER_LINK_H
#define PENTRAP_HANDOVER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct link_options {
	const char *host;
	unsigned port;
	bool tls;
	const char *ca_file;   /* trusted CAs for the LEMF's certificate; NULL: the system's */
	const char *cert_file; /* our client certificate (PEM), or NULL */
	const char *key_file;  /* its private key (PEM); NULL: in cert_file */
	unsigned keepalive_s;  /* idle seconds before TCP keep-alive probes */
	unsigned timeout_ms;   /* connect, handshake and send timeout */
};

struct link;

/* Connects (and shakes hands). 0 and *out, or -1 with one line in errbuf. Caller closes. */
int link_open(const struct link_options *o, struct link **out, char *errbuf, size_t errlen);
/* Closes and frees; accepts NULL. */
void link_close(struct link *l);
/* Sends all n bytes: 0, or -1 with one line in errbuf (the link is then broken). */
int link_send(struct link *l, const void *p, size_t n, char *errbuf, size_t errlen);
/*
 * Receives what has arrived, waiting at most timeout_ms: the byte count, 0 when nothing
 * came in time, -1 when the peer closed or the link broke (one line in errbuf).
 */
ssize_t link_recv(struct link *l, void *p, size_t n, int timeout_ms, char *errbuf, size_t errlen);

#endif
