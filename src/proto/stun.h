/*
 * stun.h — STUN (RFC 8489; classic RFC 3489) and TURN (RFC 8656) messages, and the
 * demultiplexing of one UDP port shared by STUN, TURN ChannelData, DTLS and RTP/RTCP
 * (RFC 7983): how calls of WhatsApp, Signal, Telegram and FaceTime set up their media.
 *
 *   header      type(2, top two bits 0)  length(2, multiple of 4)  cookie 0x2112A442(4)
 *               transaction id(12)        (RFC 3489: a 16-byte transaction id, no cookie)
 *   attributes  type(2) length(2) value, padded to 4 bytes
 *   XOR-MAPPED-ADDRESS 0x0020, XOR-PEER-ADDRESS 0x0012, XOR-RELAYED-ADDRESS 0x0016:
 *               reserved(1) family(1: 1 IPv4, 2 IPv6) port^0x2112 address^(cookie|txid)
 *   REALM 0x0014 (text), MAPPED-ADDRESS 0x0001 (the same without XOR)
 *
 * What the signatures use goes to the engine as facts (detect/facts.h): message types,
 * attribute types and the realm seen on the flow. Usernames, passwords, integrity and
 * fingerprints are never copied.
 */
#ifndef PENTRAP_PROTO_STUN_H
#define PENTRAP_PROTO_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "detect/facts.h"
#include "proto/proto.h"

extern const struct dissector stun_dissector;

enum {
	STUN_MAGIC = 0x2112A442,
	STUN_HEADER = 20,
	STUN_ATTRS_MAX = 64,  /* attributes read per message */
	ATTR_MAPPED_ADDRESS = 0x0001,
	ATTR_XOR_PEER_ADDRESS = 0x0012,
	ATTR_REALM = 0x0014,
	ATTR_XOR_RELAYED_ADDRESS = 0x0016,
	ATTR_XOR_MAPPED_ADDRESS = 0x0020,
};

/* Addresses a message carried (family 0 when absent). */
struct stun_addrs {
	struct ip_addr mapped, peer, relayed;
	uint16_t mapped_port, peer_port, relayed_port;
};

enum stun_result {
	STUN_OK,
	STUN_NOT_STUN,   /* not a STUN message (another protocol on the same port) */
	STUN_TRUNCATED,
	STUN_MALFORMED,
};

/* True when p holds what looks like one STUN message (header checks only). */
bool stun_looks_like(const uint8_t *p, size_t len);
/*
 * Parses one STUN message; adds its type, attribute types and realm to *facts (when
 * new: *changed is set) and its addresses to *addrs (may be NULL).
 */
enum stun_result stun_parse(const uint8_t *p, size_t len, struct stun_facts *facts, struct stun_addrs *addrs,
			    bool *changed);

/* Notes in f that flow direction dir sent a STUN request or indication (p: the message). */
void stun_note_request(struct stun_facts *f, const uint8_t *p, size_t len, int dir, bool *changed);

/* RFC 7983 demultiplexing by the first byte. */
enum media_kind { MEDIA_STUN, MEDIA_CHANNEL_DATA, MEDIA_DTLS, MEDIA_RTP, MEDIA_OTHER };
enum media_kind media_demux(uint8_t first_byte);

#endif
