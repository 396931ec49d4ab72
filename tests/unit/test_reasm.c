/* test_reasm.c — TCP stream reassembly: order, overlaps, wraparound, caps. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow/reasm.h"

static size_t add(struct tcp_stream *s, uint32_t seq, const char *text)
{
	return tcp_stream_add(s, seq, false, (const uint8_t *)text, strlen(text));
}

/* True when the unconsumed in-order bytes are exactly text. */
static bool data_is(const struct tcp_stream *s, const char *text)
{
	size_t len;
	const uint8_t *d = tcp_stream_data(s, &len);
	if (len != strlen(text))
		return false;
	return len == 0 || memcmp(d, text, len) == 0;
}

static size_t avail(const struct tcp_stream *s)
{
	size_t len;
	tcp_stream_data(s, &len);
	return len;
}

static void test_in_order(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	CHECK(s != NULL);
	CHECK(data_is(s, ""));
	CHECK_EQ_INT(tcp_stream_add(s, 1000, true, NULL, 0), 0); /* SYN: data from 1001 */
	CHECK_EQ_INT(add(s, 1001, "hello "), 6);
	CHECK_EQ_INT(add(s, 1007, "world"), 5);
	CHECK(data_is(s, "hello world"));
	CHECK(!tcp_stream_has_gap(s));
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	tcp_stream_free(s);
	tcp_stream_free(NULL);
}

static void test_out_of_order(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	tcp_stream_add(s, 99, true, NULL, 0);
	CHECK_EQ_INT(add(s, 108, "ccc"), 0); /* segment 3 */
	CHECK(tcp_stream_has_gap(s));
	CHECK(data_is(s, ""));
	CHECK_EQ_INT(add(s, 100, "aaaa"), 4); /* segment 1 */
	CHECK(data_is(s, "aaaa"));
	CHECK(tcp_stream_has_gap(s));
	CHECK_EQ_INT(add(s, 104, "bbbb"), 7); /* segment 2 fills the gap: 2 and 3 arrive */
	CHECK(data_is(s, "aaaabbbbccc"));
	CHECK(!tcp_stream_has_gap(s));
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	tcp_stream_free(s);
}

static void test_retransmission(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	tcp_stream_add(s, 0, true, NULL, 0);
	add(s, 1, "INVITE ");
	CHECK_EQ_INT(add(s, 1, "INVITE "), 0);
	CHECK(data_is(s, "INVITE "));
	tcp_stream_consume(s, 7);
	CHECK_EQ_INT(add(s, 1, "XXXXXXX"), 0); /* consumed bytes cannot be compared: ignored */
	CHECK(data_is(s, ""));
	/* A retransmitted SYN changes nothing. */
	tcp_stream_add(s, 0, true, NULL, 0);
	CHECK_EQ_INT(add(s, 8, "sip:"), 4);
	CHECK(data_is(s, "sip:"));
	/* An exact copy of a held out-of-order segment. */
	CHECK_EQ_INT(add(s, 20, "later"), 0);
	CHECK_EQ_INT(add(s, 20, "later"), 0);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	tcp_stream_free(s);
}

static void test_partial_overlap(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	tcp_stream_add(s, 0, true, NULL, 0);
	add(s, 1, "abcdef");
	CHECK_EQ_INT(add(s, 4, "defghi"), 3); /* starts inside, new tail trimmed in */
	CHECK(data_is(s, "abcdefghi"));
	/* A held range overlapped on both sides by a later segment. */
	CHECK_EQ_INT(add(s, 14, "nop"), 0);
	CHECK_EQ_INT(add(s, 10, "jklmnopqr"), 9);
	CHECK(data_is(s, "abcdefghijklmnopqr"));
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_OVERLAP_CONFLICT], 0);
	/* Two held ranges joined by a third that overlaps both. */
	CHECK_EQ_INT(add(s, 22, "vw"), 0);
	CHECK_EQ_INT(add(s, 26, "z!"), 0);
	CHECK_EQ_INT(add(s, 21, "uvwxy"), 0);
	CHECK_EQ_INT(add(s, 19, "st"), 9);
	CHECK(data_is(s, "abcdefghijklmnopqrstuvwxyz!"));
	CHECK(!tcp_stream_has_gap(s));
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	tcp_stream_free(s);
}

static void test_overlap_conflict(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	tcp_stream_add(s, 0, true, NULL, 0);
	add(s, 1, "BYE sip:a");
	/* Overlaps unconsumed in-order bytes with different content: first copy wins. */
	CHECK_EQ_INT(add(s, 5, "XXX:a@b"), 2);
	CHECK(data_is(s, "BYE sip:a@b"));
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_OVERLAP_CONFLICT], 1);
	/* Overlaps a held out-of-order range with different content. */
	add(s, 20, "12345");
	add(s, 18, "..ABC");
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_OVERLAP_CONFLICT], 2);
	add(s, 12, "cdefgh");
	CHECK(data_is(s, "BYE sip:a@bcdefgh..12345"));
	tcp_stream_free(s);
}

static void test_wraparound(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	uint32_t isn = UINT32_MAX - 5;
	tcp_stream_add(s, isn, true, NULL, 0);
	/* 0xfffffffb..0xffffffff, then 0, 1, ... */
	CHECK_EQ_INT(add(s, isn + 1 + 8, "89ab"), 0); /* past the wrap, out of order */
	CHECK_EQ_INT(add(s, isn + 1, "0123"), 4);
	CHECK_EQ_INT(add(s, isn + 1 + 4, "4567"), 8); /* crosses 2^32 */
	CHECK(data_is(s, "0123456789ab"));
	CHECK_EQ_INT(add(s, isn + 1 + 2, "2345"), 0); /* old bytes across the wrap */
	CHECK_EQ_INT(add(s, isn + 1 + 12, "c"), 1);
	CHECK(data_is(s, "0123456789abc"));
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	tcp_stream_free(s);
}

static void test_no_syn_pickup(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	CHECK_EQ_INT(add(s, 123456789, "SIP/2.0 200 OK\r\n"), 16);
	CHECK_EQ_INT(add(s, 123456789 + 16, "\r\n"), 2);
	CHECK(data_is(s, "SIP/2.0 200 OK\r\n\r\n"));
	/* Something from before the pickup is an old retransmission. */
	CHECK_EQ_INT(add(s, 123456700, "x"), 0);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	tcp_stream_free(s);
}

static void test_consume_then_append(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	add(s, 1, "MSG1;MSG");
	tcp_stream_consume(s, 5);
	CHECK(data_is(s, "MSG"));
	add(s, 9, "2;MSG3");
	CHECK(data_is(s, "MSG2;MSG3"));
	tcp_stream_consume(s, 100); /* more than there is: all of it */
	CHECK(data_is(s, ""));
	add(s, 15, "x");
	CHECK(data_is(s, "x"));
	tcp_stream_free(s);
}

static void test_cap_gap_skip(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(100, &st);
	char buf[101];
	tcp_stream_add(s, 0, true, NULL, 0);
	add(s, 1, "partial");             /* unconsumed, before the gap */
	memset(buf, 'A', 40);
	buf[40] = 0;
	add(s, 31, buf);                  /* held after a gap at 8..30 */
	CHECK(tcp_stream_has_gap(s));
	memset(buf, 'B', 40);
	add(s, 71, buf);                  /* 7 + 23 + 40 + 40 = 110 bytes would pass the cap */
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_GAP_SKIPPED], 1);
	/* The gap was skipped, the bytes before it dropped, the A and B runs delivered. */
	size_t len;
	const uint8_t *d = tcp_stream_data(s, &len);
	CHECK_EQ_INT(len, 80);
	CHECK(len == 80 && d[0] == 'A' && d[39] == 'A' && d[40] == 'B' && d[79] == 'B');
	CHECK(!tcp_stream_has_gap(s));
	tcp_stream_consume(s, 80);
	CHECK_EQ_INT(add(s, 111, "after"), 5);
	CHECK(data_is(s, "after"));

	/* The caller gives up on a gap itself. */
	add(s, 130, "later");
	CHECK(tcp_stream_has_gap(s));
	CHECK_EQ_INT(tcp_stream_skip_gap(s), 5);
	CHECK(data_is(s, "later"));
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_GAP_SKIPPED], 2);
	CHECK_EQ_INT(tcp_stream_skip_gap(s), 5); /* no gap: nothing skipped */
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_GAP_SKIPPED], 2);

	/* Far beyond the cap with nothing held: resynchronise on it. */
	tcp_stream_consume(s, 5);
	CHECK_EQ_INT(add(s, 100000, "far"), 3);
	CHECK(data_is(s, "far"));
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_GAP_SKIPPED], 3);
	CHECK_EQ_INT(add(s, 100003, "ther"), 4);
	CHECK(data_is(s, "farther"));
	tcp_stream_free(s);
}

static void test_buffer_full(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(64, &st);
	char buf[65];
	uint32_t seq = 1;
	for (int i = 0; i < 4; i++) { /* 4 × 16 = 64 bytes: exactly the cap */
		memset(buf, 'a' + i, 16);
		buf[16] = 0;
		add(s, seq, buf);
		seq += 16;
	}
	CHECK_EQ_INT(avail(s), 64);
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_BUFFER_FULL], 0);
	CHECK_EQ_INT(add(s, seq, "next"), 4); /* the dissector never consumed: drop, go on */
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_BUFFER_FULL], 1);
	CHECK(data_is(s, "next"));
	seq += 4;
	/* A single segment larger than the cap keeps its start. */
	char big[101];
	memset(big, 'y', 100);
	big[100] = 0;
	add(s, seq, big);
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_BUFFER_FULL], 3); /* "next" dropped, tail lost */
	CHECK_EQ_INT(avail(s), 64);
	tcp_stream_consume(s, 64);
	seq += 100;
	CHECK_EQ_INT(add(s, seq, "ok"), 2);
	CHECK(data_is(s, "ok"));
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_GAP_SKIPPED], 0);
	tcp_stream_free(s);
}

static void test_sip_split(void)
{
	static const char msg[] =
		"INVITE sip:bob@example.net SIP/2.0\r\n"
		"Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
		"From: <sip:alice@example.net>;tag=1928301774\r\n"
		"To: <sip:bob@example.net>\r\n"
		"Call-ID: a84b4c76e66710@pc33.example.net\r\n"
		"CSeq: 314159 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	size_t n = strlen(msg), c1 = 50, c2 = 120;
	tcp_stream_add(s, 7000, true, NULL, 0);
	uint32_t base = 7001;
	CHECK_EQ_INT(tcp_stream_add(s, base, false, (const uint8_t *)msg, c1), c1);
	CHECK_EQ_INT(tcp_stream_add(s, base + (uint32_t)c2, false, (const uint8_t *)msg + c2, n - c2), 0);
	CHECK_EQ_INT(tcp_stream_add(s, base + (uint32_t)c1, false, (const uint8_t *)msg + c1, c2 - c1),
		     n - c1);
	CHECK(data_is(s, msg));
	tcp_stream_consume(s, n);
	CHECK(data_is(s, ""));
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	tcp_stream_free(s);
}

static void test_many_tiny(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	enum { N = 20000 };
	uint8_t *want = malloc(N), *got = malloc(N);
	for (int i = 0; i < N; i++)
		want[i] = (uint8_t)(i * 7 + 3);
	size_t total = 0, ngot = 0;
	tcp_stream_add(s, 4999, true, NULL, 0);
	/* One byte at a time, each pair swapped, every tenth one sent twice, and the
	 * "dissector" consuming all but the last byte now and then. */
	for (int i = 0; i < N; i += 2) {
		total += tcp_stream_add(s, 5000 + (uint32_t)i + 1, false, want + i + 1, 1);
		total += tcp_stream_add(s, 5000 + (uint32_t)i, false, want + i, 1);
		if (i % 10 == 0)
			total += tcp_stream_add(s, 5000 + (uint32_t)i, false, want + i, 1);
		if (i % 1000 == 998) {
			size_t len;
			const uint8_t *d = tcp_stream_data(s, &len);
			memcpy(got + ngot, d, len - 1);
			ngot += len - 1;
			tcp_stream_consume(s, len - 1);
		}
	}
	size_t len;
	const uint8_t *d = tcp_stream_data(s, &len);
	CHECK_EQ_INT(total, N);
	CHECK_EQ_INT(ngot + len, N);
	if (ngot + len == N) {
		memcpy(got + ngot, d, len);
		CHECK(memcmp(got, want, N) == 0);
	}
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	CHECK(!tcp_stream_has_gap(s));
	tcp_stream_free(s);

	/* Every other byte held out of order: more holes than the range list holds, so
	 * the oldest gaps are skipped rather than memory spent on bookkeeping. */
	struct stats st2 = {0};
	struct tcp_stream *h = tcp_stream_new(65536, &st2);
	tcp_stream_add(h, 0, true, NULL, 0);
	for (int i = 1; i < 200; i += 2)
		tcp_stream_add(h, 1 + (uint32_t)i, false, want + i, 1);
	CHECK(st2.anomalies[ANOM_TCP_GAP_SKIPPED] > 0);
	CHECK(tcp_stream_has_gap(h));
	tcp_stream_free(h);
	free(want);
	free(got);
}

/* Checks contents through a random mix of order, overlap and consumption. */
static void test_random(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(1 << 16, &st);
	enum { N = 200000 };
	uint8_t *src = malloc(N);
	uint8_t *got = malloc(N);
	size_t ngot = 0;
	unsigned r = 12345;
	for (int i = 0; i < N; i++) {
		r = r * 1103515245u + 12345u;
		src[i] = (uint8_t)(r >> 16);
	}
	uint32_t isn = 0xfff00000u; /* wraps during the run */
	tcp_stream_add(s, isn, true, NULL, 0);
	size_t sent = 0;
	while (sent < N) {
		/* A window of segments ahead of `sent`, delivered shuffled with repeats. */
		size_t off[8], len[8];
		int k = 0;
		size_t pos = sent;
		while (k < 8 && pos < N) {
			r = r * 1103515245u + 12345u;
			size_t l = 1 + (r >> 16) % 1400;
			if (pos + l > N)
				l = N - pos;
			off[k] = pos;
			len[k] = l;
			pos += l;
			k++;
		}
		for (int j = k - 1; j > 0; j--) {
			r = r * 1103515245u + 12345u;
			int x = (int)((r >> 16) % (unsigned)(j + 1));
			size_t t = off[j];
			off[j] = off[x];
			off[x] = t;
			t = len[j];
			len[j] = len[x];
			len[x] = t;
		}
		for (int j = 0; j < k; j++) {
			tcp_stream_add(s, isn + 1 + (uint32_t)off[j], false, src + off[j], len[j]);
			r = r * 1103515245u + 12345u;
			if ((r >> 16) % 3 == 0) /* a retransmission overlapping the segment */
				tcp_stream_add(s, isn + 1 + (uint32_t)off[j] / 2 * 2, false,
					       src + off[j] / 2 * 2, len[j]);
			size_t dl;
			const uint8_t *d = tcp_stream_data(s, &dl);
			size_t take = dl / 2;
			if (take && ngot + take <= N) {
				memcpy(got + ngot, d, take);
				ngot += take;
				tcp_stream_consume(s, take);
			}
		}
		sent = pos;
	}
	size_t dl;
	const uint8_t *d = tcp_stream_data(s, &dl);
	CHECK(ngot + dl == N);
	if (ngot + dl == N)
		memcpy(got + ngot, d, dl);
	CHECK(memcmp(got, src, N) == 0);
	CHECK_EQ_INT(stats_anomaly_total(&st), 0);
	CHECK(!tcp_stream_has_gap(s));
	free(src);
	free(got);
	tcp_stream_free(s);
}

/* Random segments anywhere near the stream, a tiny cap, random consumption: the
 * stream never holds more than its cap and never touches memory it does not own
 * (run under the address sanitizer). */
static void test_chaos(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(300, &st);
	uint8_t data[400];
	unsigned r = 777;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)i;
	uint32_t base = 0xffffff00u;
	for (int i = 0; i < 200000; i++) {
		r = r * 1103515245u + 12345u;
		uint32_t seq = base + (r >> 8) % 2000 - 500;
		r = r * 1103515245u + 12345u;
		size_t len = (r >> 8) % 400;
		r = r * 1103515245u + 12345u;
		tcp_stream_add(s, seq, (r >> 8) % 50 == 0, data, len);
		size_t dl;
		tcp_stream_data(s, &dl);
		if (dl > 300) {
			CHECK(dl <= 300);
			break;
		}
		r = r * 1103515245u + 12345u;
		if ((r >> 8) % 4 == 0)
			tcp_stream_consume(s, (r >> 12) % (dl + 1));
		if ((r >> 8) % 97 == 0)
			tcp_stream_skip_gap(s);
		if ((r >> 8) % 5000 == 0)
			tcp_stream_reset(s);
		base += (r >> 20) % 64;
	}
	CHECK(stats_anomaly_total(&st) > 0);
	tcp_stream_free(s);
}

static void test_reset_reuse(void)
{
	struct stats st = {0};
	struct tcp_stream *s = tcp_stream_new(65536, &st);
	add(s, 10, "abc");
	add(s, 100, "held");
	tcp_stream_reset(s);
	CHECK(data_is(s, ""));
	CHECK(!tcp_stream_has_gap(s));
	CHECK_EQ_INT(add(s, 999, "new"), 3); /* starts afresh */
	CHECK(data_is(s, "new"));
	tcp_stream_free(s);
}

/* A shared budget: charged for structs and buffers, refuses growth past its limit,
 * and gets every byte back when streams are shed and freed. */
static void test_budget(void)
{
	struct stats st = {0};
	struct reasm_budget b = {.limit = 8192};
	struct tcp_stream *s = tcp_stream_new_charged(65536, &st, &b);
	CHECK(s != NULL);
	size_t base = b.used;
	CHECK(base > 0);
	CHECK_EQ_INT(add(s, 10, "abc"), 3);
	CHECK(b.used == base + tcp_stream_buffer_size(s));
	/* One byte far ahead needs a 64 KiB buffer: refused, counted, nothing else lost. */
	CHECK_EQ_INT(add(s, 50000, "x"), 0);
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_MEMORY_CAP], 1);
	CHECK(b.used <= b.limit);
	CHECK(data_is(s, "abc"));
	/* Shedding drops the held bytes and the buffer; the stream picks up again. */
	CHECK(tcp_stream_shed(s) > 0);
	CHECK_EQ_INT(st.anomalies[ANOM_TCP_MEMORY_CAP], 2);
	CHECK_EQ_INT(b.used, base);
	CHECK(data_is(s, ""));
	CHECK_EQ_INT(add(s, 70000, "again"), 5);
	CHECK(data_is(s, "again"));
	/* A struct that does not fit is refused without a count. */
	struct reasm_budget tiny = {.limit = 16};
	CHECK(tcp_stream_new_charged(100, &st, &tiny) == NULL);
	tcp_stream_free(s);
	CHECK_EQ_INT(b.used, 0);
}

int main(void)
{
	test_in_order();
	test_out_of_order();
	test_retransmission();
	test_partial_overlap();
	test_overlap_conflict();
	test_wraparound();
	test_no_syn_pickup();
	test_consume_then_append();
	test_cap_gap_skip();
	test_buffer_full();
	test_sip_split();
	test_many_tiny();
	test_random();
	test_chaos();
	test_reset_reuse();
	test_budget();
	return check_done("test_reasm");
}
