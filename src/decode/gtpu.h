/*
 * gtpu.h — GTP-U (3GPP TS 29.281) G-PDU decapsulation: the user's own IP packet inside
 * a mobile core's tunnel, with the tunnel id that later names the subscriber.
 */
#ifndef PENTRAP_DECODE_GTPU_H
#define PENTRAP_DECODE_GTPU_H

#include "decode/encap.h"

enum { GTPU_PORT = 2152 };

enum { GTPU_HDR = 8, GTPU_MSG_GPDU = 0xff, GTPU_MAX_EXT_HEADERS = 8 };

/*
 * Parses a GTPv1-U header (with optional sequence/N-PDU/extension headers).
 * ENCAP_OK for a G-PDU: TUNNEL_GTPU with the TEID, an IP packet next. ENCAP_NONE for
 * what is not a G-PDU (signalling such as echo, or not GTP-U at all).
 *
 * The header (TS 29.281 §5):
 *   0      1      2      3      4..7    8..9   10      11       12..
 *   flags  type   length (be)   TEID    [seq   N-PDU  next-ext] [extension headers]
 *   flags: version(3)=1 | PT(1)=1 | spare | E | S | PN
 * When any of E, S, PN is set the 4 optional bytes are present. Extension headers are
 * a chain of (length in 4-byte units, content, next type); the chain is capped.
 *
 * Inline, in the header rather than a gtpu.c: the decoder's short-cut (ether.c) reads
 * every GTP-U packet's header this way, and a nested tunnel (GTP-U inside ERSPAN) paid
 * the call and the layer handed over through memory.
 */
static inline enum encap_result gtpu_parse(const uint8_t *p, size_t len, struct encap *e)
{
	/* the mandatory header, read from a copy (cur_copy_out) */
	uint8_t fixed[GTPU_HDR];
	struct cursor c = cur_make(p, len);
	struct cursor h = cur_copy_out(&c, fixed, sizeof fixed);
	if (!cur_ok(&c))
		return ENCAP_NONE;
	uint8_t flags = cur_u8(&h);
	uint8_t type = cur_u8(&h);
	uint16_t length = cur_be16(&h);
	uint32_t id = cur_be32(&h);
	if ((flags >> 5) != 1 || !(flags & 0x10) || type != GTPU_MSG_GPDU)
		return ENCAP_NONE;
	bool truncated = false;
	/* length counts the bytes after the mandatory 8-byte header */
	struct cursor body = cur_sub(&c, length, &truncated);
	if (flags & 0x07) {
		cur_skip(&body, 3); /* sequence number, N-PDU number */
		uint8_t next = cur_u8(&body);
		for (int i = 0; next != 0 && (flags & 0x04); i++) {
			if (i == GTPU_MAX_EXT_HEADERS)
				return ENCAP_MALFORMED;
			uint8_t units = cur_u8(&body);
			if (units == 0)
				return ENCAP_MALFORMED;
			cur_skip(&body, (size_t)units * 4 - 2);
			next = cur_u8(&body);
		}
	}
	if (!cur_ok(&body))
		return truncated ? ENCAP_SHORT : ENCAP_MALFORMED;
	e->kind = TUNNEL_GTPU;
	e->id = id;
	e->flow_id = 0; /* each end chooses the TEID it receives on: it differs by direction */
	e->next = ETHERTYPE_IP_ANY;
	e->inner = cur_rest(&body);
	if (e->inner.len == 0)
		return truncated ? ENCAP_SHORT : ENCAP_MALFORMED;
	return ENCAP_OK;
}

#endif
