/*
 * nsh.h — the Network Service Header (RFC 8300, ethertype 0x894f, VXLAN-GPE and GRE
 * payload): service function chaining in carrier clouds and packet brokers.
 */
#ifndef PENTRAP_DECODE_NSH_H
#define PENTRAP_DECODE_NSH_H

#include "decode/encap.h"

/*
 * Parses an NSH header and skips its context headers by its length. ENCAP_OK:
 * TUNNEL_NSH with the service path (SPI << 8 | SI), next the protocol it names.
 */
enum encap_result nsh_parse(const uint8_t *p, size_t len, struct encap *e);

#endif
