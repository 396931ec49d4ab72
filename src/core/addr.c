/* addr.c — IPv4/IPv6 address values. */
#include "core/addr.h"

#include <arpa/inet.h>
#include <string.h>

#include "core/hash.h"

bool addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

int addr_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, 16);
}

const char *addr_format(const struct ip_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == 4)
		inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len);
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len);
	return buf;
}

int addr_parse(const char *text, struct ip_addr *out)
{
	uint8_t b[16];
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, text, b) == 1) {
		addr_set_v4(out, b);
		return 0;
	}
	if (inet_pton(AF_INET6, text, b) == 1) {
		addr_set_v6(out, b);
		return 0;
	}
	return -1;
}

bool addr_in_prefix(const struct ip_addr *a, const struct ip_addr *net, unsigned prefix_len)
{
	if (a->family != net->family)
		return false;
	unsigned max = a->family == 4 ? 32 : 128;
	if (prefix_len > max)
		prefix_len = max;
	unsigned whole = prefix_len / 8, rest = prefix_len % 8;
	if (memcmp(a->bytes, net->bytes, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a->bytes[whole] & mask) == (net->bytes[whole] & mask);
}

uint32_t addr_hash(const struct ip_addr *a)
{
	/* the significant bytes, the family in the seed */
	return hash_more(HASH_SEED ^ a->family, a->bytes, a->family == 4 ? 4 : 16);
}
