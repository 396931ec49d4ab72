/*
 * ber.h — a bounded reader of ASN.1 BER (ITU-T X.690 §8) for TCAP and MAP.
 *
 * A struct ber is a window of BER bytes with its nesting depth and whether the capture
 * cut it short. ber_next reads one element (identifier, length, contents) and hands
 * out its contents as a child window one level deeper. Every length is distrusted:
 *
 *   - a definite length past the end of a window the capture cut is TRUNCATED, past
 *     the end of a whole window (its parent's length was met) MALFORMED;
 *   - the long form takes at most 4 length octets; 0xFF is reserved (MALFORMED);
 *   - tag numbers take at most 4 octets in the high-tag-number form;
 *   - nesting stops at BER_MAX_DEPTH: an element deeper than that is BER_DEPTH, never
 *     read (curl's ASN.1 reader keeps the same kind of cap);
 *   - the indefinite form (0x80, constructed only) is supported within the same depth
 *     cap: its end is found by walking the nested elements up to the end-of-contents
 *     octets 00 00, with at most BER_MAX_WALK elements looked at per walk. A primitive
 *     element with the indefinite form is MALFORMED.
 *
 * Memory: windows borrow the bytes they were made from.
 */
#ifndef PENTRAP_PROTO_BER_H
#define PENTRAP_PROTO_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

enum {
	BER_MAX_DEPTH = 12,  /* TCAP dialogue OIDs sit at depth 7, MAP addresses at 6 */
	BER_MAX_WALK = 1024, /* elements looked at while finding one indefinite element's end */
};

enum ber_status {
	BER_OK,
	BER_END,       /* no element left in the window */
	BER_TRUNCATED, /* the capture ended inside the element */
	BER_MALFORMED, /* the element is not valid BER, or overruns a whole window */
	BER_DEPTH,     /* nested deeper than BER_MAX_DEPTH */
};

enum ber_class { BER_UNIVERSAL = 0, BER_APPLICATION = 1, BER_CONTEXT = 2, BER_PRIVATE = 3 };

/* The tag of an element whose identifier or length octets could not be read whole. */
#define BER_TAG_NONE UINT32_MAX

/* Universal tags used here. */
enum {
	BER_TAG_BOOLEAN = 1,
	BER_TAG_INTEGER = 2,
	BER_TAG_BIT_STRING = 3,
	BER_TAG_OCTET_STRING = 4,
	BER_TAG_NULL = 5,
	BER_TAG_OID = 6,
	BER_TAG_EXTERNAL = 8,
	BER_TAG_SEQUENCE = 16,
};

struct ber {
	struct cursor cur;
	uint8_t depth; /* of the elements in this window: 0 for the outermost */
	bool cut;      /* the capture ended before this window's declared end */
};

struct ber_tlv {
	uint8_t cls;      /* enum ber_class */
	bool constructed;
	uint32_t tag;     /* the tag number */
	bool indefinite;  /* the contents ended with 00 00 (not included in value) */
	struct ber value; /* the contents, one level deeper */
};

/* A window over len bytes at depth 0. cut: the capture ended before their real end. */
struct ber ber_make(const uint8_t *p, size_t len, bool cut);

/*
 * Reads the next element of b into *t and moves past it. BER_END when b is empty.
 * On TRUNCATED (the declared length runs past a cut window) *t is still filled, with
 * t->value covering the bytes there are and t->value.cut set, so a caller may read the
 * leading fields of a cut message; the window is then at its end. When the identifier
 * or length octets themselves are cut (or malformed), *t has tag BER_TAG_NONE and an
 * empty value: it matches nothing.
 */
enum ber_status ber_next(struct ber *b, struct ber_tlv *t);

/* True when t is the element (cls, constructed, tag). */
bool ber_is(const struct ber_tlv *t, uint8_t cls, bool constructed, uint32_t tag);

/*
 * A primitive INTEGER's value (X.690 §8.3: two's complement, at most 4 octets here).
 * false when it is empty, longer than 4 octets, or not whole.
 */
bool ber_int(const struct ber_tlv *t, int32_t *out);

/* The contents of a primitive element whole (not cut): false otherwise. */
bool ber_bytes(const struct ber_tlv *t, struct span *out);

/*
 * An OBJECT IDENTIFIER (X.690 §8.19) as arcs: up to max arcs, each < 2^28.
 * Returns the arc count, or -1 when malformed, cut, or longer than max.
 */
int ber_oid(const struct ber_tlv *t, uint32_t *arcs, int max);

/* The status a caller reports for a failed read inside b: TRUNCATED when b was cut. */
enum ber_status ber_fail(const struct ber *b);

#endif
