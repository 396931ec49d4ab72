/*
 * ber.c — a bounded ASN.1 BER reader (ITU-T X.690 §8.1: identifier, length and
 * contents octets; §8.3 INTEGER; §8.19 OBJECT IDENTIFIER). The caps and the meaning
 * of truncated and malformed are in ber.h. Every byte is read through a cursor.
 */
#include "proto/ber.h"

#include <string.h>

enum {
	MAX_TAG_OCTETS = 4,    /* subsequent identifier octets: tags below 2^28 */
	MAX_LENGTH_OCTETS = 4, /* long-form length octets: lengths below 2^32 */
	MAX_ARC_OCTETS = 4,    /* OID subidentifier octets: arcs below 2^28 */
};

struct header {
	uint8_t cls;
	bool constructed;
	uint32_t tag;
	bool indefinite;
	uint32_t len;
};

struct ber ber_make(const uint8_t *p, size_t len, bool cut)
{
	struct ber b = { cur_make(p, len), 0, cut };
	return b;
}

enum ber_status ber_fail(const struct ber *b)
{
	return b->cut ? BER_TRUNCATED : BER_MALFORMED;
}

/* Identifier and length octets (X.690 §8.1.2, §8.1.3). cut decides short reads. */
static enum ber_status read_header(struct cursor *c, bool cut, struct header *h)
{
	enum ber_status short_read = cut ? BER_TRUNCATED : BER_MALFORMED;
	uint8_t id = cur_u8(c);
	if (!cur_ok(c))
		return short_read;
	h->cls = id >> 6;
	h->constructed = (id & 0x20) != 0;
	h->tag = id & 0x1f;
	if (h->tag == 0x1f) {
		h->tag = 0;
		for (int i = 0;; i++) {
			if (i == MAX_TAG_OCTETS)
				return BER_MALFORMED;
			uint8_t b = cur_u8(c);
			if (!cur_ok(c))
				return short_read;
			if (i == 0 && (b & 0x7f) == 0)
				return BER_MALFORMED; /* §8.1.2.4.2 c: no leading zero bits */
			h->tag = (h->tag << 7) | (b & 0x7f);
			if (!(b & 0x80))
				break;
		}
	}
	uint8_t l = cur_u8(c);
	if (!cur_ok(c))
		return short_read;
	h->indefinite = false;
	h->len = 0;
	if (l < 0x80) {
		h->len = l;
	} else if (l == 0x80) {
		h->indefinite = true;
		if (!h->constructed)
			return BER_MALFORMED; /* §8.1.3.2 a: primitive elements use the definite form */
	} else if (l == 0xff) {
		return BER_MALFORMED; /* §8.1.3.5 c: reserved */
	} else {
		unsigned n = l & 0x7f;
		if (n > MAX_LENGTH_OCTETS)
			return BER_MALFORMED;
		for (unsigned i = 0; i < n; i++)
			h->len = (h->len << 8) | cur_u8(c);
		if (!cur_ok(c))
			return short_read;
	}
	return BER_OK;
}

static bool is_eoc(const struct header *h)
{
	return h->cls == BER_UNIVERSAL && !h->constructed && h->tag == 0;
}

/*
 * Finds the end of indefinite-length contents that start at c's position: walks the
 * nested elements to the matching end-of-contents octets. depth is that of the
 * indefinite element itself. *content is the contents' length, *total with the EOC.
 */
static enum ber_status find_eoc(struct cursor c, bool cut, unsigned depth, size_t *content, size_t *total)
{
	size_t start = cur_pos(&c);
	unsigned level = 1; /* indefinite elements open around the walk's position */
	for (unsigned n = 0; n < BER_MAX_WALK; n++) {
		size_t at = cur_pos(&c);
		struct header h;
		enum ber_status st = read_header(&c, cut, &h);
		if (st != BER_OK)
			return st;
		if (is_eoc(&h)) {
			if (h.indefinite || h.len != 0)
				return BER_MALFORMED;
			if (--level == 0) {
				*content = at - start;
				*total = cur_pos(&c) - start;
				return BER_OK;
			}
			continue;
		}
		if (h.indefinite) {
			if (depth + level >= BER_MAX_DEPTH)
				return BER_DEPTH;
			level++;
			continue;
		}
		if (h.len > cur_remaining(&c))
			return cut ? BER_TRUNCATED : BER_MALFORMED;
		cur_skip(&c, h.len);
	}
	return BER_MALFORMED; /* more elements than any TCAP message holds */
}

enum ber_status ber_next(struct ber *b, struct ber_tlv *t)
{
	memset(t, 0, sizeof *t);
	t->tag = BER_TAG_NONE;
	t->value.cut = true;
	if (cur_remaining(&b->cur) == 0)
		return BER_END;
	if (b->depth >= BER_MAX_DEPTH)
		return BER_DEPTH;
	struct header h;
	enum ber_status st = read_header(&b->cur, b->cut, &h);
	if (st != BER_OK) {
		cur_fail(&b->cur);
		return st;
	}
	t->cls = h.cls;
	t->constructed = h.constructed;
	t->tag = h.tag;
	t->indefinite = h.indefinite;
	t->value.depth = (uint8_t)(b->depth + 1);
	t->value.cut = false;
	size_t take = h.len, skip = h.len;
	if (h.indefinite) {
		st = find_eoc(b->cur, b->cut, b->depth, &take, &skip);
		if (st == BER_TRUNCATED) {
			take = skip = cur_remaining(&b->cur);
		} else if (st != BER_OK) {
			cur_fail(&b->cur);
			return st;
		}
	} else if (h.len > cur_remaining(&b->cur)) {
		if (!b->cut) {
			cur_fail(&b->cur);
			return BER_MALFORMED;
		}
		st = BER_TRUNCATED;
		take = skip = cur_remaining(&b->cur);
	}
	struct cursor whole = cur_sub_exact(&b->cur, skip);
	t->value.cur = cur_sub_exact(&whole, take);
	if (st == BER_TRUNCATED) {
		t->value.cut = true;
		return BER_TRUNCATED;
	}
	return BER_OK;
}

bool ber_is(const struct ber_tlv *t, uint8_t cls, bool constructed, uint32_t tag)
{
	return t->cls == cls && t->constructed == constructed && t->tag == tag;
}

bool ber_bytes(const struct ber_tlv *t, struct span *out)
{
	if (t->constructed || t->value.cut)
		return false;
	struct cursor c = t->value.cur;
	*out = cur_rest(&c);
	return cur_ok(&c);
}

bool ber_int(const struct ber_tlv *t, int32_t *out)
{
	struct span s;
	if (!ber_bytes(t, &s) || s.len == 0 || s.len > 4)
		return false;
	struct cursor c = cur_make(s.ptr, s.len);
	uint8_t first = cur_u8(&c);
	uint32_t v = (first & 0x80) ? 0xffffffffu : 0; /* sign extension */
	v = (v << 8) | first;
	while (cur_remaining(&c) > 0)
		v = (v << 8) | cur_u8(&c);
	*out = (int32_t)v;
	return true;
}

int ber_oid(const struct ber_tlv *t, uint32_t *arcs, int max)
{
	struct span s;
	if (!ber_bytes(t, &s) || s.len == 0 || max < 2)
		return -1;
	struct cursor c = cur_make(s.ptr, s.len);
	int n = 0;
	while (cur_remaining(&c) > 0) {
		uint32_t v = 0;
		for (int i = 0;; i++) {
			if (i == MAX_ARC_OCTETS)
				return -1;
			uint8_t b = cur_u8(&c);
			if (!cur_ok(&c))
				return -1; /* the last octet still had its continuation bit */
			if (i == 0 && b == 0x80)
				return -1; /* §8.19.2: no leading 0x80 */
			v = (v << 7) | (b & 0x7f);
			if (!(b & 0x80))
				break;
		}
		if (n == 0) { /* §8.19.4: the first subidentifier holds two arcs */
			uint32_t x = v < 40 ? 0 : v < 80 ? 1 : 2;
			arcs[n++] = x;
			arcs[n++] = v - 40 * x;
		} else {
			if (n == max)
				return -1;
			arcs[n++] = v;
		}
	}
	return n;
}
