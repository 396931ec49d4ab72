/*
 * hi2.h — a pentrap record as ETSI TS 101 671 HI2 intercept-related information: one
 * BER-encoded IRIsContent (module HI2Operations, version 11: TS 101 671 V3.5.1, the
 * one tshark decodes) holding an IRI-Begin, -Continue, -End or -Report record.
 *
 * The mapping of each record type, and what the format cannot carry, is the table in
 * docs/handover.md. Never content: no sMS-Contents.content, no sIPMessage, no text of
 * any message; only addressing, times and outcomes, as the record holds them.
 *
 * Records come from a store, which is untrusted input here: every field is checked
 * against what the format allows (sizes, digits), and a party the format has no field
 * for goes into a national parameter or is left out, never truncated silently.
 */
#ifndef PENTRAP_HANDOVER_HI2_H
#define PENTRAP_HANDOVER_HI2_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

enum {
	HI2_LIID_MAX = 25,        /* LawfulInterceptionIdentifier ::= OCTET STRING (SIZE (1..25)) */
	HI2_OPERATOR_MAX = 5,     /* operator-Identifier OCTET STRING (SIZE (1..5)) */
	HI2_ELEMENT_MAX = 25,     /* network-Element-Identifier dNS-Format (SIZE (1..25)) */
	HI2_CIN_DIGITS = 8,       /* communication-Identity-Number (SIZE (1..8)), ASCII digits */
	HI2_PDU_MAX = 8192,       /* one IRIsContent of a record, with room to spare */
};

/* The IRIContent choice (its context tag). */
enum hi2_iri { HI2_IRI_BEGIN = 1, HI2_IRI_END = 2, HI2_IRI_CONTINUE = 3, HI2_IRI_REPORT = 4 };

/* Who delivers, under which LIID, and which communication a record belongs to. Borrowed. */
struct hi2_context {
	const char *liid;        /* 1..25 octets */
	const char *operator_id; /* 1..5 octets: the network operator (network-Identifier) */
	const char *element_id;  /* the sensor's name, 1..25 octets (dNS-Format), or NULL */
	uint64_t cin;            /* the communication identity number (hi2_calls.h); mod 10^8 */
};

/* The IRI record type of a record type. */
enum hi2_iri hi2_iri_of(enum event_type t);

/*
 * Encodes r as one IRIsContent into buf (at most cap bytes); *len its length.
 * 0, or -1 with one line in errbuf when the record cannot be encoded (an LIID or
 * operator outside its size, a record type the mapping does not know, or the PDU
 * larger than cap).
 */
int hi2_encode(const struct record *r, const struct hi2_context *c, uint8_t *buf, size_t cap, size_t *len,
	       char *errbuf, size_t errlen);

#endif
