/* addr.h — IPv4/IPv6 addresses as one value type, and their text forms. */
#ifndef PENTRAP_CORE_ADDR_H
#define PENTRAP_CORE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { ADDR_STRLEN = 46 }; /* INET6_ADDRSTRLEN */

struct ip_addr {
	uint8_t family;    /* 0 none, 4 or 6 */
	uint8_t bytes[16]; /* IPv4 in the first 4 bytes, the rest zero */
};

/* Inline: the decoder sets two of these for every IP layer of every packet. */
static inline void addr_set_v4(struct ip_addr *a, const uint8_t bytes[4])
{
	memset(a, 0, sizeof *a);
	a->family = 4;
	memcpy(a->bytes, bytes, 4);
}

static inline void addr_set_v6(struct ip_addr *a, const uint8_t bytes[16])
{
	a->family = 6;
	memcpy(a->bytes, bytes, 16);
}

bool addr_eq(const struct ip_addr *a, const struct ip_addr *b);
/* Orders addresses (family first, then bytes); <0, 0, >0 like memcmp. */
int addr_cmp(const struct ip_addr *a, const struct ip_addr *b);
/* Writes the usual text form into buf (at least ADDR_STRLEN bytes); "" for none. */
const char *addr_format(const struct ip_addr *a, char *buf, size_t len);
/* Parses a dotted IPv4 or an IPv6 text form. Returns 0 or -1. */
int addr_parse(const char *text, struct ip_addr *out);
/* True when a lies within net/prefix_len (same family). */
bool addr_in_prefix(const struct ip_addr *a, const struct ip_addr *net, unsigned prefix_len);
/* A hash of the address, for tables. */
uint32_t addr_hash(const struct ip_addr *a);

#endif
