/*
 * ber_write.c — the bounded BER writer (X.690 §8.1 identifier and length octets, §8.3
 * INTEGER, §8.19 OBJECT IDENTIFIER); what it guarantees is in ber_write.h.
 */
#include "handover/ber_write.h"

#include <string.h>

enum { MAX_LENGTH_OCTETS = 4 }; /* the reader's limit (proto/ber.c): contents below 4 GiB */

void berw_init(struct ber_writer *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof *w);
	w->buf = buf;
	w->cap = cap;
}

bool berw_ok(const struct ber_writer *w)
{
	return !w->failed && w->depth == 0;
}

static void put(struct ber_writer *w, const void *p, size_t n)
{
	if (w->failed || n > w->cap - w->len) {
		w->failed = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

/* v in base 128, most significant group first, all but the last with bit 8 set
 * (§8.1.2.4.2 tag numbers, §8.19.2 subidentifiers); returns the octets written (<= 10). */
static size_t base128(uint64_t v, uint8_t *out)
{
	uint8_t groups[10];
	size_t g = 0, n = 0;
	do {
		groups[g++] = v & 0x7f;
		v >>= 7;
	} while (v);
	while (g--)
		out[n++] = groups[g] | (g ? 0x80 : 0);
	return n;
}

/* Identifier octets (§8.1.2): the low-tag form below 31, else base-128 after 0x1f. */
static void put_identifier(struct ber_writer *w, uint8_t cls, bool constructed, uint32_t tag)
{
	uint8_t id[11];
	size_t n = 0;
	uint8_t first = (uint8_t)((cls & 3) << 6 | (constructed ? 0x20 : 0));
	if (tag < 0x1f) {
		id[n++] = first | (uint8_t)tag;
	} else {
		id[n++] = first | 0x1f;
		n += base128(tag, id + n);
	}
	put(w, id, n);
}

/* The length octets of n in the fewest octets (§8.1.3.4, §8.1.3.5); their count. */
static size_t length_octets(size_t n, uint8_t out[1 + MAX_LENGTH_OCTETS])
{
	if (n < 0x80) {
		out[0] = (uint8_t)n;
		return 1;
	}
	size_t k = 0;
	for (size_t v = n; v; v >>= 8)
		k++;
	out[0] = (uint8_t)(0x80 | k);
	for (size_t i = 0; i < k; i++)
		out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
	return 1 + k;
}

static void put_length(struct ber_writer *w, size_t n)
{
	uint8_t l[1 + MAX_LENGTH_OCTETS];
	if (n > UINT32_MAX) {
		w->failed = true;
		return;
	}
	put(w, l, length_octets(n, l));
}

void berw_open(struct ber_writer *w, uint8_t cls, uint32_t tag)
{
	if (w->depth >= BER_MAX_DEPTH)
		w->failed = true;
	put_identifier(w, cls, true, tag);
	put(w, "", 1); /* the short-form length, filled in by berw_close */
	if (w->failed)
		return;
	w->open[w->depth++] = w->len;
}

void berw_close(struct ber_writer *w)
{
	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	size_t start = w->open[--w->depth];
	size_t n = w->len - start;
	uint8_t l[1 + MAX_LENGTH_OCTETS];
	size_t k = n > UINT32_MAX ? 0 : length_octets(n, l);
	if (k == 0 || k - 1 > w->cap - w->len) {
		w->failed = true;
		return;
	}
	if (k > 1) /* the long form: move the contents up to make room */
		memmove(w->buf + start + k - 1, w->buf + start, n);
	memcpy(w->buf + start - 1, l, k);
	w->len += k - 1;
}

void berw_bytes(struct ber_writer *w, uint8_t cls, uint32_t tag, const void *p, size_t n)
{
	put_identifier(w, cls, false, tag);
	put_length(w, n);
	put(w, p, n);
}

void berw_text(struct ber_writer *w, uint8_t cls, uint32_t tag, const char *s)
{
	berw_bytes(w, cls, tag, s, strlen(s));
}

void berw_int(struct ber_writer *w, uint8_t cls, uint32_t tag, int64_t v)
{
	uint8_t b[8];
	size_t n = 8;
	for (int i = 7; i >= 0; i--, v >>= 8) /* arithmetic shift keeps the sign */
		b[i] = (uint8_t)(v & 0xff);
	size_t skip = 0;
	/* §8.3.2: drop a leading octet that only repeats the next octet's sign bit */
	while (n - skip > 1 && ((b[skip] == 0x00 && !(b[skip + 1] & 0x80)) ||
				(b[skip] == 0xff && (b[skip + 1] & 0x80))))
		skip++;
	berw_bytes(w, cls, tag, b + skip, n - skip);
}

void berw_oid(struct ber_writer *w, uint8_t cls, uint32_t tag, const uint32_t *arcs, int n)
{
	uint8_t out[64];
	size_t len = 0;
	if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) {
		w->failed = true;
		return;
	}
	for (int i = 1; i < n; i++) {
		/* §8.19.4: the first two arcs share one subidentifier */
		uint64_t v = i == 1 ? (uint64_t)arcs[0] * 40 + arcs[1] : arcs[i];
		if (len + 10 > sizeof out) {
			w->failed = true;
			return;
		}
		len += base128(v, out + len);
	}
	berw_bytes(w, cls, tag, out, len);
}

void berw_raw(struct ber_writer *w, const void *p, size_t n)
{
	put(w, p, n);
}
