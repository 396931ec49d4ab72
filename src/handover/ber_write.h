/*
 * ber_write.h — a bounded writer of ASN.1 BER (ITU-T X.690 §8) into a caller's buffer,
 * the writing half of proto/ber.h (its classes, universal tags and depth cap).
 *
 * Definite lengths only, in the fewest octets (the DER rule, X.690 §10.1), so what it
 * writes is also what the strictest reader accepts. Elements are written in order: an
 * open constructed element reserves one length octet, and closing it fills the length
 * in, moving its contents up when the long form needs more octets. Every failure is
 * sticky (the buffer is full, nesting passes BER_MAX_DEPTH, a close without an open):
 * the caller writes a whole PDU and checks berw_ok once at the end.
 *
 * Memory: writes only into the buffer given to berw_init (borrowed).
 */
#ifndef PENTRAP_HANDOVER_BER_WRITE_H
#define PENTRAP_HANDOVER_BER_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ber.h"

/* Universal tags the writer's users need besides proto/ber.h's. */
enum {
	BER_TAG_ENUMERATED = 10,
	BER_TAG_UTC_TIME = 23,
	BER_TAG_GENERALIZED_TIME = 24,
	BER_TAG_SET = 17,
};

struct ber_writer {
	uint8_t *buf;
	size_t cap, len;
	size_t open[BER_MAX_DEPTH]; /* where each open element's contents begin */
	uint8_t depth;
	bool failed;
};

void berw_init(struct ber_writer *w, uint8_t *buf, size_t cap);
/* True while nothing failed and every opened element was closed. */
bool berw_ok(const struct ber_writer *w);

/* Opens a constructed element [cls tag]; berw_close ends the innermost open one. */
void berw_open(struct ber_writer *w, uint8_t cls, uint32_t tag);
void berw_close(struct ber_writer *w);

/* A primitive element with n content octets. */
void berw_bytes(struct ber_writer *w, uint8_t cls, uint32_t tag, const void *p, size_t n);
/* The same with a C string's octets. */
void berw_text(struct ber_writer *w, uint8_t cls, uint32_t tag, const char *s);
/* INTEGER or ENUMERATED contents (X.690 §8.3: two's complement, fewest octets). */
void berw_int(struct ber_writer *w, uint8_t cls, uint32_t tag, int64_t v);
/* OBJECT IDENTIFIER contents (X.690 §8.19) from n arcs (n >= 2, first arcs valid). */
void berw_oid(struct ber_writer *w, uint8_t cls, uint32_t tag, const uint32_t *arcs, int n);
/* Already-encoded BER (one or more whole elements) copied in as they are. */
void berw_raw(struct ber_writer *w, const void *p, size_t n);

#endif
