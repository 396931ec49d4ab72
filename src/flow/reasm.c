/*
 * reasm.c — one direction of a TCP byte stream put back in sequence order
 * (RFC 9293, section 3.4 "Sequence Numbers" and 3.10.7.4 segment processing: we are a
 * passive observer, so we only order bytes; we do not ack, window or validate).
 *
 * Layout: one buffer per direction holds, from `head`, the `ulen` in-order bytes the
 * dissector has not consumed yet; the byte with sequence number next_seq would come
 * right after them (at base = head + ulen), and a held out-of-order byte with sequence
 * number x sits at base + (x - next_seq). A short sorted list of ranges (absolute
 * sequence numbers, end exclusive) says which of those held bytes are real.
 *
 * Sequence numbers are compared with serial arithmetic (the signed difference of two
 * 32-bit values), so a stream may cross 2^32. Everything held lies within `cap` bytes
 * after the oldest unconsumed byte, and cap is far below 2^31, so those differences are
 * always exact.
 *
 * The caps protect memory against a peer (or a lossy capture) that never fills a gap,
 * sends a segment far ahead of the stream, splits data into thousands of tiny holes,
 * or feeds a dissector that never consumes: held bytes are bounded by `cap`, held
 * ranges by REASM_MAX_RANGES, and the buffer grows on demand, in powers of two, only
 * as far as the data actually held. When a cap would be exceeded the stream resyncs:
 * it skips the first gap (ANOM_TCP_GAP_SKIPPED) or drops the unconsumed bytes
 * (ANOM_TCP_BUFFER_FULL) and keeps going, rather than stalling for good.
 *
 * Across streams, a shared struct reasm_budget bounds the sum: each stream's struct
 * and buffer are charged to it, a buffer that would grow past its limit stays as it
 * is and the segment is lost (ANOM_TCP_MEMORY_CAP). Without it, a peer opening many
 * flows with one byte far ahead of a gap makes each buffer grow to the per-stream cap
 * (65536 streams x 64 KiB is 4 GiB). The flow table sheds waiting streams
 * (tcp_stream_shed) before the budget is reached, so live streams keep room.
 */
#include "flow/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "core/pow2.h"

/* Held out-of-order ranges at most: enough for real loss, bounded against holes. */
enum { REASM_MAX_RANGES = 32 };
/* The buffer's first size, and the size a reset stream keeps for its next flow. */
enum { REASM_MIN_BUF = 2048, REASM_KEEP_BUF = 4096 };
/* Caps beyond this would break serial arithmetic (it must stay well below 2^31). */
#define REASM_MAX_CAP ((size_t)1 << 30)

struct reasm_range {
	uint32_t start, end; /* sequence numbers, end exclusive */
};

struct tcp_stream {
	struct stats *stats;
	struct reasm_budget *budget; /* NULL: not charged */
	uint8_t *buf;     /* NULL until the first byte needs it */
	size_t buf_size;
	size_t cap;
	size_t head;      /* offset of the first unconsumed in-order byte */
	size_t ulen;      /* unconsumed in-order bytes */
	uint32_t next_seq;
	bool started;     /* next_seq is known (SYN or first segment) */
	unsigned nranges;
	struct reasm_range ranges[REASM_MAX_RANGES];
};

/* Whether the budget (if any) has room for n more bytes. */
static bool budget_fits(const struct reasm_budget *b, size_t n)
{
	return !b || !b->limit || (b->used <= b->limit && n <= b->limit - b->used);
}

static void budget_charge(struct reasm_budget *b, size_t n)
{
	if (b) {
		b->used += n;
		if (b->used > b->peak)
			b->peak = b->used;
	}
}

static void budget_release(struct reasm_budget *b, size_t n)
{
	if (b)
		b->used -= n < b->used ? n : b->used;
}

struct tcp_stream *tcp_stream_new_charged(size_t cap, struct stats *stats, struct reasm_budget *budget)
{
	if (!budget_fits(budget, sizeof(struct tcp_stream)))
		return NULL;
	struct tcp_stream *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (cap == 0)
		cap = 1;
	if (cap > REASM_MAX_CAP)
		cap = REASM_MAX_CAP;
	s->cap = cap;
	s->stats = stats;
	s->budget = budget;
	budget_charge(budget, sizeof *s);
	return s;
}

struct tcp_stream *tcp_stream_new(size_t cap, struct stats *stats)
{
	return tcp_stream_new_charged(cap, stats, NULL);
}

static void free_buffer(struct tcp_stream *s)
{
	free(s->buf);
	budget_release(s->budget, s->buf_size);
	s->buf = NULL;
	s->buf_size = 0;
}

void tcp_stream_free(struct tcp_stream *s)
{
	if (!s)
		return;
	free_buffer(s);
	budget_release(s->budget, sizeof *s);
	free(s);
}

size_t tcp_stream_buffer_size(const struct tcp_stream *s)
{
	return s ? s->buf_size : 0;
}

void tcp_stream_reset(struct tcp_stream *s)
{
	if (!s)
		return;
	/* A pooled stream keeps a small buffer so the next short flow needs no malloc,
	 * but not a large one: the pool would otherwise creep up to max_streams × cap. */
	if (s->buf_size > REASM_KEEP_BUF)
		free_buffer(s);
	s->head = 0;
	s->ulen = 0;
	s->next_seq = 0;
	s->started = false;
	s->nranges = 0;
}

/* Offset of sequence number seq after next_seq (valid for held bytes only). */
static inline size_t rel_of(const struct tcp_stream *s, uint32_t seq)
{
	return (uint32_t)(seq - s->next_seq);
}

/* Bytes from next_seq to the end of the last held range. */
static inline size_t ooo_span(const struct tcp_stream *s)
{
	return s->nranges ? rel_of(s, s->ranges[s->nranges - 1].end) : 0;
}

enum { RESERVE_NOMEM = -1, RESERVE_BUDGET = -2 };

/*
 * Makes room for `need` bytes from head (need <= cap): first by moving the held bytes
 * to the front, then by growing the buffer in powers of two up to the cap (or just to
 * `need` when the budget has no room for the power of two).
 * Returns 0, RESERVE_NOMEM, or RESERVE_BUDGET when the shared budget is spent.
 */
static int reserve(struct tcp_stream *s, size_t need)
{
	if (s->head + need <= s->buf_size)
		return 0;
	if (s->head) {
		size_t held = s->ulen + ooo_span(s);
		if (held)
			memmove(s->buf, s->buf + s->head, held);
		s->head = 0;
		if (need <= s->buf_size)
			return 0;
	}
	size_t size = pow2_grow(s->buf_size ? s->buf_size : REASM_MIN_BUF, need);
	if (size > s->cap)
		size = s->cap; /* need <= cap, so this still fits */
	if (!budget_fits(s->budget, size - s->buf_size)) {
		size = need;
		if (!budget_fits(s->budget, size - s->buf_size))
			return RESERVE_BUDGET;
	}
	uint8_t *b = realloc(s->buf, size);
	if (!b)
		return RESERVE_NOMEM;
	budget_charge(s->budget, size - s->buf_size);
	s->buf = b;
	s->buf_size = size;
	return 0;
}

/* Moves held ranges that now start at next_seq into the in-order run. */
static size_t promote(struct tcp_stream *s)
{
	size_t n = 0;
	while (s->nranges && s->ranges[0].start == s->next_seq) {
		size_t len = (uint32_t)(s->ranges[0].end - s->ranges[0].start);
		s->ulen += len;
		s->next_seq = s->ranges[0].end;
		n += len;
		s->nranges--;
		memmove(&s->ranges[0], &s->ranges[1], s->nranges * sizeof s->ranges[0]);
	}
	return n;
}

/* Gives up on the gap before the first held range; the bytes before it go too. */
static size_t skip_first_gap(struct tcp_stream *s)
{
	stats_anomaly(s->stats, ANOM_TCP_GAP_SKIPPED);
	s->head += s->ulen + rel_of(s, s->ranges[0].start);
	s->ulen = 0;
	s->next_seq = s->ranges[0].start;
	return promote(s);
}

/* Drops the unconsumed in-order bytes (a dissector that never consumes). */
static void drop_unconsumed(struct tcp_stream *s)
{
	stats_anomaly(s->stats, ANOM_TCP_BUFFER_FULL);
	s->head += s->ulen;
	s->ulen = 0;
	if (!s->nranges)
		s->head = 0;
}

/*
 * A segment that starts before next_seq: the part of it that repeats bytes still
 * unconsumed is compared with them (first copy wins; a difference is counted).
 * Bytes already consumed are gone and cannot be compared.
 */
static bool old_bytes_differ(const struct tcp_stream *s, int64_t rel, const uint8_t *data,
			     size_t len)
{
	int64_t lo = rel > -(int64_t)s->ulen ? rel : -(int64_t)s->ulen;
	int64_t hi = rel + (int64_t)len < 0 ? rel + (int64_t)len : 0;
	if (lo >= hi)
		return false;
	const uint8_t *held = s->buf + s->head + s->ulen; /* next_seq's position */
	return memcmp(data + (lo - rel), held + lo, (size_t)(hi - lo)) != 0;
}

/* True when [a, b) (offsets after next_seq) overlaps or touches a held range. */
static bool touches_range(const struct tcp_stream *s, size_t a, size_t b)
{
	for (unsigned i = 0; i < s->nranges; i++) {
		size_t rs = rel_of(s, s->ranges[i].start), re = rel_of(s, s->ranges[i].end);
		if (rs <= b && a <= re)
			return true;
	}
	return false;
}

/*
 * Writes [a, b) (offsets after next_seq, room reserved) where no held range is;
 * where one is, keeps the held bytes and reports whether ours differ. Then records
 * the range, merged with those it overlaps or touches.
 */
static bool place(struct tcp_stream *s, size_t a, size_t b, const uint8_t *data)
{
	uint8_t *base = s->buf + s->head + s->ulen;
	bool conflict = false;
	size_t pos = a;
	unsigned i = 0, first = s->nranges, last = 0; /* ranges [first, last) touch [a, b] */
	for (; i < s->nranges; i++) {
		size_t rs = rel_of(s, s->ranges[i].start), re = rel_of(s, s->ranges[i].end);
		if (re < a)
			continue;
		if (rs > b)
			break;
		if (first == s->nranges)
			first = i;
		last = i + 1;
		if (pos >= b)
			continue;
		if (rs > pos) {
			size_t upto = rs < b ? rs : b;
			memcpy(base + pos, data + (pos - a), upto - pos);
			pos = upto;
		}
		size_t ov_end = re < b ? re : b;
		if (ov_end > pos) {
			if (memcmp(base + pos, data + (pos - a), ov_end - pos) != 0)
				conflict = true;
			pos = ov_end;
		}
	}
	if (pos < b)
		memcpy(base + pos, data + (pos - a), b - pos);

	struct reasm_range r = {s->next_seq + (uint32_t)a, s->next_seq + (uint32_t)b};
	if (first == s->nranges) {
		/* No neighbour: insert before the first range that starts after b. */
		unsigned at = 0;
		while (at < s->nranges && rel_of(s, s->ranges[at].start) < a)
			at++;
		memmove(&s->ranges[at + 1], &s->ranges[at], (s->nranges - at) * sizeof r);
		s->ranges[at] = r;
		s->nranges++;
	} else {
		if (rel_of(s, s->ranges[first].start) < a)
			r.start = s->ranges[first].start;
		if (rel_of(s, s->ranges[last - 1].end) > b)
			r.end = s->ranges[last - 1].end;
		s->ranges[first] = r;
		memmove(&s->ranges[first + 1], &s->ranges[last], (s->nranges - last) * sizeof r);
		s->nranges -= last - first - 1;
	}
	return conflict;
}

size_t tcp_stream_add(struct tcp_stream *s, uint32_t seq, bool syn, const uint8_t *data, size_t len)
{
	if (!s)
		return 0;
	if (syn) {
		/* The SYN occupies one sequence number; data (TCP Fast Open) follows it. */
		if (!s->started) {
			s->next_seq = seq + 1;
			s->started = true;
		}
		seq += 1;
	}
	if (!data || len == 0)
		return 0;
	if (!s->started) {
		/* Mid-stream pickup: whatever we see first is where the stream starts. */
		s->next_seq = seq;
		s->started = true;
	}
	if (len > UINT32_MAX / 2)
		len = UINT32_MAX / 2; /* not a TCP segment; keeps the arithmetic exact */

	size_t delivered = 0;
	bool conflict = false;
	int room = 0;
	for (;;) {
		int32_t rel = (int32_t)(seq - s->next_seq);
		if (rel < 0) {
			/* A retransmission: drop what we already had, keep any new tail. */
			size_t behind = (size_t)(-(int64_t)rel);
			if (old_bytes_differ(s, rel, data, len))
				conflict = true;
			if (behind >= len)
				break;
			data += behind;
			len -= behind;
			seq = s->next_seq;
			rel = 0;
		}
		size_t a = (size_t)rel, b = a + len;
		if (s->ulen + b <= s->cap) {
			size_t span = ooo_span(s);
			if (a == 0 && (!s->nranges || rel_of(s, s->ranges[0].start) > b)) {
				/* The common case: the next bytes, clear of anything held. */
				if ((room = reserve(s, s->ulen + (b > span ? b : span))) < 0)
					goto nomem;
				memcpy(s->buf + s->head + s->ulen, data, len);
				s->ulen += len;
				s->next_seq += (uint32_t)len;
				delivered += len;
				break;
			}
			if (s->nranges < REASM_MAX_RANGES || touches_range(s, a, b)) {
				if ((room = reserve(s, s->ulen + (b > span ? b : span))) < 0)
					goto nomem;
				if (place(s, a, b, data))
					conflict = true;
				delivered += promote(s);
				break;
			}
			/* Too many holes: fall through and give up on the first one. */
		}
		/* Holding this segment would pass a cap: free room, oldest hope first. */
		if (s->nranges) {
			delivered += skip_first_gap(s);
		} else if (s->ulen) {
			drop_unconsumed(s);
		} else if (rel > 0) {
			/* Nothing held and the segment is beyond the cap: the bytes between
			 * were lost (or never captured); resynchronise on this segment. */
			stats_anomaly(s->stats, ANOM_TCP_GAP_SKIPPED);
			s->next_seq = seq;
		} else {
			/* One in-order segment larger than the cap (cap below the MSS, or
			 * offloaded super-segments): keep its start, lose the rest. */
			stats_anomaly(s->stats, ANOM_TCP_BUFFER_FULL);
			if ((room = reserve(s, s->cap)) < 0)
				goto nomem;
			memcpy(s->buf + s->head, data, s->cap);
			s->ulen = s->cap;
			s->next_seq = seq + (uint32_t)len;
			delivered += s->cap;
			break;
		}
	}
	if (conflict)
		stats_anomaly(s->stats, ANOM_TCP_OVERLAP_CONFLICT);
	return delivered < s->ulen ? delivered : s->ulen;

nomem:
	/* Out of memory, or of the shared budget: the segment is lost like any other we
	 * could not hold. */
	stats_anomaly(s->stats, room == RESERVE_BUDGET ? ANOM_TCP_MEMORY_CAP : ANOM_TCP_BUFFER_FULL);
	return delivered < s->ulen ? delivered : s->ulen;
}

const uint8_t *tcp_stream_data(const struct tcp_stream *s, size_t *len)
{
	if (!s || !s->buf) {
		*len = 0;
		return NULL;
	}
	*len = s->ulen;
	return s->buf + s->head;
}

void tcp_stream_consume(struct tcp_stream *s, size_t n)
{
	if (!s)
		return;
	if (n > s->ulen)
		n = s->ulen;
	s->head += n;
	s->ulen -= n;
	if (s->ulen == 0 && s->nranges == 0)
		s->head = 0; /* empty: start over at the front, no copy needed */
}

size_t tcp_stream_shed(struct tcp_stream *s)
{
	if (!s)
		return 0;
	if (s->ulen || s->nranges)
		stats_anomaly(s->stats, ANOM_TCP_MEMORY_CAP);
	size_t freed = s->buf_size;
	free_buffer(s);
	s->head = 0;
	s->ulen = 0;
	s->nranges = 0;
	s->started = false; /* the next segment starts the stream again */
	return freed;
}

size_t tcp_stream_skip_gap(struct tcp_stream *s)
{
	if (!s)
		return 0;
	if (s->nranges)
		skip_first_gap(s);
	return s->ulen;
}

bool tcp_stream_has_gap(const struct tcp_stream *s)
{
	return s && s->nranges > 0;
}
