/*
 * framed.h — the subscriber address values RADIUS (RFC 2865 §5.8, RFC 3162, RFC 6911)
 * and Diameter (RFC 7155, which takes them from RADIUS) share: the Framed-IPv6-Prefix
 * layout, and which Framed-IP-Address values name no address.
 */
#ifndef PENTRAP_PROTO_FRAMED_H
#define PENTRAP_PROTO_FRAMED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/span.h"

/*
 * Framed-IPv6-Prefix (RFC 3162 §2.3): reserved (1), prefix length (1), prefix (0..16
 * bytes, at least the length's bits). False, nothing written, when it is not that.
 */
bool framed_v6_prefix(struct span v, struct ip_addr *prefix, uint8_t *len);

/*
 * Whether a framed address names a subscriber's address: not 0.0.0.0, nor
 * 255.255.255.255 / 255.255.255.254 (RFC 2865 §5.8: "the user / the NAS chooses"), nor
 * an IPv6 link-local one (fe80::/10), nor no address at all.
 */
bool framed_is_address(const struct ip_addr *a);

#endif
