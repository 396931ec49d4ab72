/*
 * tls.h — the clear parts of TLS (RFC 8446, RFC 5246): the ClientHello's server name
 * (RFC 6066 section 3), ALPN (RFC 7301) and supported versions, the ServerHello's
 * chosen version and ALPN, and, where TLS 1.2 and earlier still send it in clear, the
 * server certificate's names (RFC 5280 subject CN and subjectAltName dNSName).
 *
 * Three parts: the handshake message parsers (tls_hello.c), shared with QUIC, which
 * carries the same ClientHello inside its CRYPTO frames; the X.509 name reader
 * (tls_cert.c); and the dissector (tls.c), which frames records on a TCP stream and
 * gathers handshake messages that span records and segments.
 *
 * Nothing of the encrypted part is read: after ChangeCipherSpec or the first
 * application-data record a direction is done and its bytes are skipped.
 *
 * Memory: struct tls_hello holds copies (fixed-size, NUL-terminated); nothing borrows
 * packet bytes after a parse call returns.
 */
#ifndef PENTRAP_PROTO_TLS_H
#define PENTRAP_PROTO_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

extern const struct dissector tls_dissector;

enum {
	TLS_NAME_MAX = 128,      /* a host name kept (RFC 1035 allows 253; longer ones are cut, flagged) */
	TLS_ALPN_MAX = 6,        /* ALPN values kept from one hello */
	TLS_ALPN_LEN = 32,       /* bytes of one ALPN value kept */
	TLS_VERSIONS_MAX = 8,    /* supported_versions entries kept */
	TLS_EXTENSIONS_MAX = 128,/* more extensions than this: malformed */
	TLS_CERT_NAMES_MAX = 4,  /* names kept from a certificate (CN first, then SANs) */
	TLS_RECORD_MAX = 16384 + 2048, /* RFC 8446 5.2: TLSCiphertext limit */
	TLS_HANDSHAKE_MAX = 32768,     /* a handshake message we gather: more is given up on */
	TLS_GATHER_DEFAULT = 64,       /* gathering buffers of a module made without a memory plan */
};

/* What a ClientHello or ServerHello shows in clear. */
struct tls_hello {
	uint16_t legacy_version;
	char sni[TLS_NAME_MAX];            /* lower-case host name, "" when absent */
	bool sni_cut;                      /* the name was longer than TLS_NAME_MAX - 1 */
	char alpn[TLS_ALPN_MAX][TLS_ALPN_LEN];
	uint8_t nalpn;
	uint16_t versions[TLS_VERSIONS_MAX]; /* client: supported_versions; server: the chosen one */
	uint8_t nversions;
};

enum tls_result {
	TLS_OK,
	TLS_TRUNCATED, /* the message ends before its declared parts: cut capture */
	TLS_MALFORMED, /* lengths or values that cannot be TLS */
};

/*
 * Parses the body of a ClientHello (the handshake message after its 4-byte header).
 * Reads nothing outside p[0..len). On TLS_TRUNCATED, what was read before the cut is kept.
 */
enum tls_result tls_client_hello_parse(const uint8_t *p, size_t len, struct tls_hello *out);
/* The same for a ServerHello: versions[0] is the chosen version, alpn[0] the chosen protocol. */
enum tls_result tls_server_hello_parse(const uint8_t *p, size_t len, struct tls_hello *out);

/*
 * The names of the first certificate of a Certificate message body (TLS 1.2 layout:
 * 3-byte list length, then 3-byte length + DER per certificate): the subject's CN,
 * then subjectAltName dNSNames, lower-case, up to max names of TLS_NAME_MAX bytes.
 * Returns the number of names written.
 */
size_t tls_certificate_names(const uint8_t *p, size_t len, char names[][TLS_NAME_MAX], size_t max);
/*
 * What a TLS flow's dissector state showed so far (for tests and fuzz drivers that
 * parse without a pipeline): the ClientHello, the certificate's names. False until a
 * ClientHello was read.
 */
bool tls_state_hello(const void *state, struct tls_hello *hello, char names[][TLS_NAME_MAX], size_t *nnames);

/* The names of one DER certificate (tls_cert.c). */
size_t tls_x509_names(const uint8_t *der, size_t len, char names[][TLS_NAME_MAX], size_t max);

/*
 * Copies a host name into dst (TLS_NAME_MAX bytes) lower-cased, refusing bytes that
 * cannot be in a host name. False when the name is empty or has such a byte.
 */
bool tls_copy_host(const uint8_t *p, size_t len, char *dst, bool *cut);

#endif
