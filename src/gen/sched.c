/*
 * sched.c — the generator's clock: a heap of episodes by start time and a heap of
 * batches (the packets episodes built) by their next packet's time, merged into one
 * capture in time order; and the truth lines, each written with the packet that makes
 * its event. See gen_internal.h for why this keeps the capture ordered and the memory
 * bounded by the live episodes only.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen/gen_internal.h"
#include "gen/pcap_writer.h"
#include "gen/sched.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("pentrap gen: out of memory\n", stderr);
		abort();
	}
	return q;
}

/* ---- a binary heap of fixed-size items ---- */

static void heap_init(struct heap *h, size_t size, int (*less)(const void *, const void *))
{
	memset(h, 0, sizeof *h);
	h->size = size;
	h->less = less;
}

static void *heap_at(const struct heap *h, size_t i)
{
	return (char *)h->items + i * h->size;
}

static void heap_swap(struct heap *h, size_t i, size_t j)
{
	char tmp[64];
	memcpy(tmp, heap_at(h, i), h->size);
	memcpy(heap_at(h, i), heap_at(h, j), h->size);
	memcpy(heap_at(h, j), tmp, h->size);
}

static void heap_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->less(heap_at(h, l), heap_at(h, m)))
			m = l;
		if (r < h->n && h->less(heap_at(h, r), heap_at(h, m)))
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

static void heap_push(struct heap *h, const void *item)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->items = xrealloc(h->items, h->cap * h->size);
	}
	size_t i = h->n++;
	memcpy(heap_at(h, i), item, h->size);
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!h->less(heap_at(h, i), heap_at(h, parent)))
			break;
		heap_swap(h, i, parent);
		i = parent;
	}
}

static void heap_pop(struct heap *h, void *out)
{
	if (out)
		memcpy(out, heap_at(h, 0), h->size);
	h->n--;
	if (h->n) {
		memcpy(heap_at(h, 0), heap_at(h, h->n), h->size);
		heap_down(h, 0);
	}
}

static int episode_less(const void *a, const void *b)
{
	const struct episode *x = a, *y = b;
	return x->start < y->start || (x->start == y->start && x->seq < y->seq);
}

/* A live batch in the heap, its key kept beside it so comparisons stay in one array. */
struct live {
	uint64_t key; /* the next packet's time */
	uint64_t seq;
	struct batch *b;
};

static int batch_less(const void *a, const void *b)
{
	const struct live *x = a, *y = b;
	return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

void gen_sched_init(struct gen_ctx *g)
{
	heap_init(&g->episodes, sizeof(struct episode), episode_less);
	heap_init(&g->batches, sizeof(struct live), batch_less);
}

void gen_schedule(struct gen_ctx *g, uint64_t start, episode_fn run, uint32_t a, uint32_t b, void *p)
{
	struct episode e = { .start = start < g->now ? g->now : start, .seq = g->ep_seq++, .run = run, .a = a, .b = b, .p = p };
	heap_push(&g->episodes, &e);
}

/* ---- batches ---- */

static struct batch *batch_get(struct gen_ctx *g)
{
	struct batch *b = g->free_batches;
	if (b) {
		g->free_batches = b->free_next;
	} else {
		b = xrealloc(NULL, sizeof *b);
		memset(b, 0, sizeof *b);
	}
	b->npk = b->ntext = b->ntr = b->next = 0;
	b->chunks = NULL;
	b->seq = g->batch_seq++;
	return b;
}

static void batch_put(struct gen_ctx *g, struct batch *b)
{
	while (b->chunks) {
		struct chunk *c = b->chunks;
		b->chunks = c->next;
		c->next = g->free_chunks;
		g->free_chunks = c;
	}
	b->free_next = g->free_batches;
	g->free_batches = b;
}

static void batch_free(struct batch *b)
{
	free(b->pk);
	while (b->chunks) {
		struct chunk *c = b->chunks;
		b->chunks = c->next;
		free(c);
	}
	free(b->text);
	free(b->tr);
	free(b);
}

void gen_batch_add(struct gen_ctx *g, uint64_t ts, const uint8_t *frame, size_t len)
{
	struct batch *b = g->cur;
	if (b->npk == b->cappk) {
		b->cappk = b->cappk ? b->cappk * 2 : 64;
		b->pk = xrealloc(b->pk, b->cappk * sizeof *b->pk);
	}
	if (len > GEN_CHUNK)
		gen_wb_overflow();
	if (!b->chunks || GEN_CHUNK - b->chunks->used < len) {
		struct chunk *c = g->free_chunks;
		if (c)
			g->free_chunks = c->next;
		else
			c = xrealloc(NULL, sizeof *c);
		c->used = 0;
		c->next = b->chunks;
		b->chunks = c;
	}
	uint8_t *at = b->chunks->data + b->chunks->used;
	memcpy(at, frame, len);
	b->chunks->used += len;
	struct pkt_ref *r = &b->pk[b->npk];
	r->ts = ts;
	r->data = at;
	r->seq = (uint32_t)b->npk;
	r->len = (uint32_t)len;
	r->truth = -1;
	r->tag = g->tag;
	b->npk++;
}

uint64_t gen_last_ts(const struct gen_ctx *g)
{
	const struct batch *b = g->cur;
	return b && b->npk ? b->pk[b->npk - 1].ts : g->now;
}

const char *gen_fmt_ts(uint64_t us, char *buf, size_t len)
{
	time_t secs = (time_t)(us / 1000000u);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u, (unsigned)(us % 1000000u));
	snprintf(buf, len, "%s", tmp);
	return buf;
}

void gen_truth(struct gen_ctx *g, const char *fmt, ...)
{
	struct batch *b = g->cur;
	if (!b || b->npk == 0)
		return;
	char ts[40];
	char line[2048];
	int n0 = snprintf(line, sizeof line, "{\"ts\":\"%s\",", gen_fmt_ts(b->pk[b->npk - 1].ts, ts, sizeof ts));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + n0, sizeof line - (size_t)n0, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)(n0 + n) >= sizeof line)
		gen_wb_overflow();
	size_t len = (size_t)(n0 + n);
	if (len > b->captext - b->ntext) {
		while (len > b->captext - b->ntext)
			b->captext = b->captext ? b->captext * 2 : 4096;
		b->text = xrealloc(b->text, b->captext);
	}
	memcpy(b->text + b->ntext, line, len);
	if (b->ntr == b->captr) {
		b->captr = b->captr ? b->captr * 2 : 16;
		b->tr = xrealloc(b->tr, b->captr * sizeof *b->tr);
	}
	struct truth_ref *t = &b->tr[b->ntr];
	t->off = (uint32_t)b->ntext;
	t->len = (uint32_t)len;
	t->next = -1;
	b->ntext += len;
	/* append to the packet's list, keeping the order the lines were made in */
	int32_t *link = &b->pk[b->npk - 1].truth;
	while (*link >= 0)
		link = &b->tr[*link].next;
	*link = (int32_t)b->ntr;
	b->ntr++;
}

static int pkt_less(const void *a, const void *b)
{
	const struct pkt_ref *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts the batch by time and applies the reordering noise: a neighbouring pair's
 * contents swap places while the timestamps stay in order, as a network that reorders
 * would show it. */
static void batch_finish(struct gen_ctx *g, struct batch *b)
{
	qsort(b->pk, b->npk, sizeof *b->pk, pkt_less);
	if (!(g->opt->noise & GEN_NOISE_REORDER))
		return;
	for (size_t i = 0; i + 1 < b->npk; i++) {
		if (!gen_rng_chance(&g->rng, 0.02))
			continue;
		struct pkt_ref x = b->pk[i], y = b->pk[i + 1];
		b->pk[i] = y;
		b->pk[i].ts = x.ts;
		b->pk[i + 1] = x;
		b->pk[i + 1].ts = y.ts;
		i++;
	}
}

static void run_episode(struct gen_ctx *g, const struct episode *e)
{
	g->now = e->start;
	g->tag = TAG_NONE;
	g->cur = batch_get(g);
	e->run(g, e);
	struct batch *b = g->cur;
	g->cur = NULL;
	if (b->npk == 0) {
		batch_put(g, b);
		return;
	}
	batch_finish(g, b);
	struct live l = { b->pk[0].ts, b->seq, b };
	heap_push(&g->batches, &l);
}

/* Writes the next packet of the earliest batch. Returns -1 on a write error. */
static int write_next(struct gen_ctx *g)
{
	struct live *top = heap_at(&g->batches, 0);
	struct batch *b = top->b;
	const struct pkt_ref *r = &b->pk[b->next];
	if (r->ts <= g->end) {
		if (gen_pcap_frame(g->pcap, g->snaplen, r->ts, r->data, r->len) != 0)
			return -1;
		g->written++;
		g->bytes += r->len;
		g->last_ts = r->ts;
		g->tag_count[r->tag]++;
		for (int32_t t = r->truth; t >= 0 && g->truth; t = b->tr[t].next) {
			fwrite(b->text + b->tr[t].off, 1, b->tr[t].len, g->truth);
			fprintf(g->truth, ",\"frame\":%llu}\n", (unsigned long long)g->written);
			g->truth_lines++;
		}
		if (g->opt->packets && g->written >= g->opt->packets)
			g->stop = true;
	}
	b->next++;
	if (b->next == b->npk) {
		heap_pop(&g->batches, NULL);
		batch_put(g, b);
	} else {
		top->key = b->pk[b->next].ts;
		heap_down(&g->batches, 0);
	}
	return 0;
}

int gen_sched_loop(struct gen_ctx *g)
{
	while (!g->stop) {
		const struct episode *e = g->episodes.n ? heap_at(&g->episodes, 0) : NULL;
		const struct live *b = g->batches.n ? heap_at(&g->batches, 0) : NULL;
		if (!e && !b)
			break;
		if (e && (!b || e->start <= b->key)) {
			struct episode ep;
			heap_pop(&g->episodes, &ep);
			if (ep.start > g->end) {
				free(ep.p); /* past the end: its state dies unrun */
				continue;
			}
			run_episode(g, &ep);
		} else if (write_next(g) != 0) {
			return -1;
		}
	}
	return 0;
}

void gen_sched_free(struct gen_ctx *g)
{
	while (g->episodes.n) {
		struct episode ep;
		heap_pop(&g->episodes, &ep);
		free(ep.p);
	}
	while (g->batches.n) {
		struct live l;
		heap_pop(&g->batches, &l);
		batch_free(l.b);
	}
	while (g->free_batches) {
		struct batch *b = g->free_batches;
		g->free_batches = b->free_next;
		batch_free(b);
	}
	while (g->free_chunks) {
		struct chunk *c = g->free_chunks;
		g->free_chunks = c->next;
		free(c);
	}
	free(g->episodes.items);
	free(g->batches.items);
}
