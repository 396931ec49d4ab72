/*
 * smpp.h — the SMPP dissector (SMPP v3.4 and v5.0, SMSC ↔ application gateways over
 * TCP on any port): submit_sm, deliver_sm, data_sm and submit_multi become sms events,
 * tied to their responses by sequence number. The short message itself is never read.
 */
#ifndef PENTRAP_PROTO_SMPP_H
#define PENTRAP_PROTO_SMPP_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

extern const struct dissector smpp_dissector;

enum {
	SMPP_HEADER_LEN = 16,
	SMPP_MAX_PDU = 65536,          /* a longer command_length: not SMPP (the stream cap is 64 KiB) */
	SMPP_MAX_PENDING = 64,         /* requests awaiting their response, per flow */
	SMPP_MAX_TLVS = 64,            /* optional parameters read per PDU */
	SMPP_MAX_PDUS_PER_CALL = 4096, /* PDUs handled per parse call (each is >= 16 bytes) */
	SMPP_ADDR_LEN = 65,            /* longest address, with its NUL (data_sm, v3.4 5.2.8) */
	SMPP_MSGID_LEN = 65,           /* longest message_id, with its NUL */
};

/* A request with no response after this long is recorded without an outcome. */
#define SMPP_RESPONSE_TIMEOUT_US (60ull * 1000000)

/*
 * Normalises an SMPP address by its type of number (v3.4 5.2.5): international (1) as
 * "+digits"; other numeric types as the digits given ("+" kept only when present);
 * alphanumeric (5), or any address that is not a number, as printable text. out is
 * always terminated; "" for an empty address.
 */
void smpp_address(uint8_t ton, const uint8_t *addr, size_t len, char *out, size_t outlen);

#endif
