/*
 * dns.h — the DNS dissector (RFC 1035; AAAA RFC 3596; TCP framing RFC 1035 4.2.2 / RFC 7766).
 *
 * DNS gives no records by itself: the A and AAAA answers a client receives go into the
 * pipeline's name cache (identity/names.h) under the name the client asked for, so a
 * later flow to that address can be named (signatures, issue 7). A query of a target
 * could become a flow-like record later; it does not yet.
 *
 * The message reader is public for unit tests and the fuzz driver.
 */
#ifndef PENTRAP_PROTO_DNS_H
#define PENTRAP_PROTO_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "proto/proto.h"

extern const struct dissector dns_dissector;

enum {
	DNS_PORT = 53,
	DNS_HEADER_LEN = 12,
	DNS_NAME_WIRE_MAX = 255,  /* RFC 1035 3.1: a name is at most 255 octets on the wire */
	DNS_LABEL_MAX = 63,
	DNS_NAME_TEXT_MAX = 256,  /* a name's text that does not fit is not used (not malformed) */
	DNS_MAX_POINTERS = 32,    /* compression hops per name (pointers must also go strictly back) */
	DNS_MAX_QUESTIONS = 64,   /* more questions than this: malformed (unicast asks one, mDNS a few dozen) */
	DNS_MAX_ANSWERS = 64,     /* answers looked at per message; the rest are skipped */
	DNS_MAX_CNAME_HOPS = 16,  /* CNAME links followed from an address back to the query name */
	DNS_MAX_MSGS_PER_CALL = 1024,
};

enum dns_status {
	DNS_OK,
	DNS_TRUNCATED,        /* the bytes ran out (a cut capture, or a lie: the caller decides) */
	DNS_MALFORMED,        /* reserved label types, over-long names, bad record lengths */
	DNS_COMPRESSION_LOOP, /* a pointer that does not move strictly backwards */
};

/*
 * Reads the (possibly compressed) name at *pos of msg[0..len) as lower-case text with
 * no trailing dot ("" for the root); bytes other than letters, digits, '-' and '_' are
 * written as \DDD (RFC 1035 5.1), so a '.' inside a label cannot pose as a separator.
 * *pos moves past the name where it appears (past the first pointer). *fits is false
 * when the text did not fit in out (outlen bytes), which is not an error.
 */
enum dns_status dns_read_name(const uint8_t *msg, size_t len, size_t *pos, char *out, size_t outlen,
			      bool *fits);

/* One address answer, with the names it belongs to. */
struct dns_binding {
	struct ip_addr addr;
	const char *name;      /* the query name */
	const char *canonical; /* the owner of the address record when it differs (CNAMEs), else "" */
	uint32_t ttl;          /* the smallest TTL along the CNAME chain */
};

struct dns_scratch; /* the reader's working space (in the module: no per-packet allocation) */
struct dns_scratch *dns_scratch_new(void);
void dns_scratch_free(struct dns_scratch *s);

struct dns_message_info {
	bool response;
	uint16_t id;
	uint8_t opcode, rcode;
	uint16_t qdcount, ancount;
	char qname[DNS_NAME_TEXT_MAX]; /* the first question's name, or "" */
	uint16_t qtype;
};

/*
 * Parses one message. For a successful (NOERROR) response with a question, calls found()
 * for every class-IN A/AAAA answer reachable from the first question's name through
 * CNAMEs. When the bytes run out (DNS_TRUNCATED) the complete answers before the cut are
 * used only if use_cut_answers (the capture cut the datagram: what came before is sound);
 * a malformed message or a compression loop gives nothing.
 */
enum dns_status dns_parse_message(struct dns_scratch *s, const uint8_t *msg, size_t len,
				  bool use_cut_answers, struct dns_message_info *info,
				  void (*found)(void *ud, const struct dns_binding *b), void *ud);

#endif
