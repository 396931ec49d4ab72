/*
 * workers.c — the reader and its worker threads (workers.h).
 *
 * Frames travel in batches (a few thousand frames, up to 1 MiB of bytes, copied once
 * out of libpcap's buffer), four batches per worker in flight: the reader waits when a
 * worker is that far behind, so memory stays bounded whatever the input.
 *
 * Every record is keyed by the frame that made it (its ordinal among all frames read;
 * the end of input after the last frame) and kept in its worker's queue, in order. A
 * record is written once no worker can still make one with a smaller key: each worker
 * tells how far it has read, and a worker with nothing left to read is as far as the
 * reader. Equal keys (a timeout noticed by two workers at the same frame) go by worker.
 *
 * Until the captures' custody hashes are known (run/custody.h) nothing is written:
 * records wait in the queues, naming their capture by a placeholder that is replaced by
 * the hash as they are written.
 */
#include "run/workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/vec.h"
#include "run/custody.h"
#include "run/run.h"
#include "run/shard.h"

enum { BATCH_BYTES = 1 << 20, BATCH_FRAMES = 4096, BATCHES = 4 };

struct slot {
	uint64_t ts_us, frame_no, ordinal;
	uint32_t caplen, wirelen, offset, capture;
	int linktype;
	bool shared;
};

struct batch {
	uint64_t upto; /* every frame of this worker up to this ordinal is in this batch or an earlier one */
	uint32_t nframes, used;
	struct slot slots[BATCH_FRAMES];
	uint8_t data[BATCH_BYTES];
};

struct keyed_record {
	uint64_t key;
	struct record rec;
};

/*
 * The three parts of a worker live on their own cache lines: the reader writes its part
 * for every frame and the worker its own, and a line both wrote would bounce between
 * the cores each time.
 */
#define CACHE_LINE _Alignas(64)

struct worker {
	struct workers *ws;
	unsigned index;
	struct pipeline *pl;
	pthread_t thread;
	bool started;
	/* the reader's alone */
	CACHE_LINE struct batch *filling;   /* frames not yet given; NULL when none */
	uint64_t filling_first;  /* the ordinal of its first frame */
	uint64_t sent;           /* batches given */
	uint64_t frames;         /* frames given to it alone */
	/* between the two, under mu */
	CACHE_LINE pthread_mutex_t mu;
	pthread_cond_t wake;     /* to the worker: a batch, or stop */
	pthread_cond_t back;     /* to the reader: a batch read */
	struct batch *todo[BATCHES];
	unsigned todo_head, todo_n;
	struct batch *spare[BATCHES];
	unsigned nspare;
	uint64_t done, done_upto;
	double cpu_s;            /* the thread's CPU time after its last batch */
	bool stop;
	struct keyed_record *out; /* the records made, oldest at out_head */
	size_t out_head, out_n, out_cap;
	uint64_t lost;           /* records that found no memory */
	/* the worker's alone (the reader's once the worker is idle) */
	CACHE_LINE uint64_t key;            /* the key of what the pipeline emits now */
	uint32_t capture;
};

struct workers {
	unsigned n;
	CACHE_LINE struct worker w[SHARD_MAX_WORKERS];
	struct decoder *peek;         /* the reader's, for shard_of_frame */
	struct record_writer *writer; /* the run's single writer */
	uint64_t ordinal;             /* frames read */
	uint64_t shared;              /* frames given to every worker */
	uint32_t capture;
	char sha256[RUN_MAX_CAPTURES][65];  /* what the workers put in records: a hash, or a placeholder */
	char custody[RUN_MAX_CAPTURES][65]; /* the hash a placeholder stands for, once known */
	bool held;                    /* records are kept, not written (workers_hold) */
};


static void on_record(void *ud, const struct record *r)
{
	struct worker *w = ud;
	pthread_mutex_lock(&w->mu);
	if (!vec_grow(&w->out, &w->out_cap, w->out_n + 1, sizeof *w->out, 64)) {
		w->lost++; /* the reader fails the run (write_ready) */
		pthread_mutex_unlock(&w->mu);
		return;
	}
	w->out[w->out_n].key = w->key;
	w->out[w->out_n++].rec = *r;
	pthread_mutex_unlock(&w->mu);
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void read_batch(struct worker *w, const struct batch *b)
{
	for (uint32_t i = 0; i < b->nframes; i++) {
		const struct slot *s = &b->slots[i];
		if (s->capture != w->capture) {
			w->capture = s->capture;
			pipeline_set_capture(w->pl, s->capture, w->ws->sha256[s->capture]);
		}
		struct capture_frame f = { .ts_us = s->ts_us, .caplen = s->caplen, .wirelen = s->wirelen,
					   .data = b->data + s->offset, .linktype = s->linktype };
		w->key = s->ordinal;
		if (s->shared)
			pipeline_shared_frame(w->pl, &f, s->frame_no);
		else
			pipeline_frame(w->pl, &f, s->frame_no);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	snprintf(name, sizeof name, "pentrap-w%u", w->index);
	pthread_setname_np(pthread_self(), name); /* as top -H and perf show it */
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->todo_n == 0 && !w->stop)
			pthread_cond_wait(&w->wake, &w->mu);
		if (w->todo_n == 0) {
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		struct batch *b = w->todo[w->todo_head];
		w->todo_head = (w->todo_head + 1) % BATCHES;
		w->todo_n--;
		pthread_mutex_unlock(&w->mu);

		read_batch(w, b);

		double cpu = thread_cpu_s();
		pthread_mutex_lock(&w->mu);
		w->cpu_s = cpu;
		w->spare[w->nspare++] = b;
		w->done++;
		w->done_upto = b->upto;
		pthread_cond_signal(&w->back);
		pthread_mutex_unlock(&w->mu);
	}
}

/*
 * How far worker w has read: no record with a smaller or equal key is still to come
 * from it. A worker that has read all it was given has read every frame before the one
 * being given out now (which a shared frame may still bring it).
 */
static uint64_t read_upto(struct workers *ws, struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	uint64_t upto;
	if (w->done != w->sent)
		upto = w->done_upto;
	else
		upto = w->filling ? w->filling_first - 1 : ws->ordinal - 1;
	pthread_mutex_unlock(&w->mu);
	return upto;
}

/* Writes, in key order, every record whose key is at most safe (none while held). */
static void write_ready(struct workers *ws, uint64_t safe)
{
	while (!ws->held) {
		struct worker *best = NULL;
		uint64_t best_key = 0;
		for (unsigned i = 0; i < ws->n; i++) {
			struct worker *w = &ws->w[i];
			pthread_mutex_lock(&w->mu);
			if (w->lost && !ws->writer->failed) {
				ws->writer->failed = true;
				snprintf(ws->writer->error, sizeof ws->writer->error,
					 "worker %u: out of memory holding records", i);
			}
			if (w->out_head < w->out_n) {
				uint64_t k = w->out[w->out_head].key;
				if (k <= safe && (!best || k < best_key)) {
					best = w;
					best_key = k;
				}
			}
			pthread_mutex_unlock(&w->mu);
		}
		if (!best)
			return;
		struct record r;
		pthread_mutex_lock(&best->mu);
		r = best->out[best->out_head++].rec;
		if (best->out_head == best->out_n)
			best->out_head = best->out_n = 0;
		pthread_mutex_unlock(&best->mu);
		custody_fill(r.evidence, (const char(*)[65])ws->custody, RUN_MAX_CAPTURES);
		writer_write(ws->writer, &r);
	}
}

static void write_safe(struct workers *ws)
{
	uint64_t safe = UINT64_MAX;
	for (unsigned i = 0; i < ws->n; i++) {
		uint64_t u = read_upto(ws, &ws->w[i]);
		if (u < safe)
			safe = u;
	}
	write_ready(ws, safe);
}

/* Gives the worker its filling batch, holding every frame of it up to ordinal upto. */
static void give(struct workers *ws, struct worker *w, uint64_t upto)
{
	struct batch *b = w->filling;
	b->upto = upto;
	pthread_mutex_lock(&w->mu);
	w->filling = NULL;
	w->todo[(w->todo_head + w->todo_n) % BATCHES] = b;
	w->todo_n++;
	w->sent++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	write_safe(ws);
}

static struct batch *take_spare(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	while (w->nspare == 0)
		pthread_cond_wait(&w->back, &w->mu);
	struct batch *b = w->spare[--w->nspare];
	pthread_mutex_unlock(&w->mu);
	b->nframes = 0;
	b->used = 0;
	return b;
}

static void put(struct workers *ws, struct worker *w, const struct capture_frame *f, uint64_t frame_no,
		bool shared)
{
	uint32_t len = f->caplen < BATCH_BYTES ? f->caplen : BATCH_BYTES; /* libpcap keeps at most 256 KiB */
	if (w->filling && (w->filling->nframes == BATCH_FRAMES || w->filling->used + len > BATCH_BYTES))
		give(ws, w, ws->ordinal - 1);
	if (!w->filling) {
		w->filling = take_spare(w);
		w->filling_first = ws->ordinal;
	}
	struct batch *b = w->filling;
	b->slots[b->nframes++] = (struct slot){ .ts_us = f->ts_us, .frame_no = frame_no, .ordinal = ws->ordinal,
						.caplen = len, .wirelen = f->wirelen, .offset = b->used,
						.capture = ws->capture, .linktype = f->linktype, .shared = shared };
	memcpy(b->data + b->used, f->data, len);
	b->used += len;
}

void workers_frame(struct workers *ws, const struct capture_frame *frame, uint64_t frame_no)
{
	ws->ordinal++;
	int to = shard_of_frame(ws->peek, frame->linktype, frame->data, frame->caplen, ws->n);
	if (to == SHARD_ALL) {
		ws->shared++;
		for (unsigned i = 0; i < ws->n; i++)
			put(ws, &ws->w[i], frame, frame_no, true);
	} else {
		ws->w[to].frames++;
		put(ws, &ws->w[to], frame, frame_no, false);
	}
}

void workers_set_capture(struct workers *ws, uint32_t index, const char *sha256)
{
	if (index >= RUN_MAX_CAPTURES)
		return;
	ws->capture = index;
	/* a live sensor switches between its interfaces all the time: the name a worker
	   may be reading is written once, never again with the same text */
	if (sha256 && strcmp(ws->sha256[index], sha256) != 0)
		snprintf(ws->sha256[index], sizeof ws->sha256[index], "%s", sha256);
	else
		custody_placeholder(index, ws->sha256[index]);
}

void workers_hold(struct workers *ws) { ws->held = true; }

void workers_name_capture(struct workers *ws, uint32_t index, const char *sha256)
{
	if (index < RUN_MAX_CAPTURES)
		snprintf(ws->custody[index], sizeof ws->custody[index], "%s", sha256);
}

void workers_release(struct workers *ws)
{
	ws->held = false;
	write_safe(ws);
}

size_t workers_held(struct workers *ws)
{
	size_t n = 0;
	for (unsigned i = 0; i < ws->n; i++) {
		pthread_mutex_lock(&ws->w[i].mu);
		n += ws->w[i].out_n - ws->w[i].out_head;
		pthread_mutex_unlock(&ws->w[i].mu);
	}
	return n;
}

void workers_flush(struct workers *ws)
{
	for (unsigned i = 0; i < ws->n; i++)
		if (ws->w[i].filling)
			give(ws, &ws->w[i], ws->ordinal);
	write_safe(ws);
}

void workers_sync(struct workers *ws)
{
	for (unsigned i = 0; i < ws->n; i++)
		if (ws->w[i].filling)
			give(ws, &ws->w[i], ws->ordinal);
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *w = &ws->w[i];
		pthread_mutex_lock(&w->mu);
		while (w->done != w->sent)
			pthread_cond_wait(&w->back, &w->mu);
		pthread_mutex_unlock(&w->mu);
	}
	write_ready(ws, ws->ordinal);
}

void workers_finish(struct workers *ws)
{
	workers_sync(ws);
	/* the workers are idle: their pipelines end here, worker by worker */
	for (unsigned i = 0; i < ws->n; i++) {
		ws->w[i].key = UINT64_MAX;
		pipeline_finish(ws->w[i].pl);
	}
	write_ready(ws, UINT64_MAX);
}

void workers_report(struct workers *ws, FILE *out)
{
	double all = ws->ordinal ? (double)ws->ordinal : 1.0;
	fprintf(out, "  threads    reader and %u workers: frames", ws->n);
	for (unsigned i = 0; i < ws->n; i++)
		fprintf(out, "%s%.1f%%", i ? " / " : " ", 100.0 * (double)ws->w[i].frames / all);
	fprintf(out, ", %.1f%% to all; CPU s reader %.2f, workers", 100.0 * (double)ws->shared / all, thread_cpu_s());
	for (unsigned i = 0; i < ws->n; i++) {
		pthread_mutex_lock(&ws->w[i].mu);
		fprintf(out, "%s%.2f", i ? " / " : " ", ws->w[i].cpu_s);
		pthread_mutex_unlock(&ws->w[i].mu);
	}
	fputc('\n', out);
}

unsigned workers_count(const struct workers *ws) { return ws->n; }
struct pipeline *workers_pipeline(struct workers *ws, unsigned i) { return i < ws->n ? ws->w[i].pl : NULL; }
uint64_t workers_frames(const struct workers *ws) { return ws->ordinal; }

struct workers *workers_new(unsigned n, const struct pipeline_config *cfg, char *errbuf, size_t errlen)
{
	if (n < 2 || n > SHARD_MAX_WORKERS) {
		snprintf(errbuf, errlen, "workers: %u threads (2 to %d)", n, SHARD_MAX_WORKERS);
		return NULL;
	}
	struct workers *ws = calloc(1, sizeof *ws);
	if (!ws || !(ws->peek = decoder_new_peek()))
		goto oom;
	ws->writer = cfg->writer;
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = &ws->w[i];
		ws->n = i + 1; /* what workers_free has to undo */
		w->ws = ws;
		w->index = i;
		w->capture = UINT32_MAX;
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->wake, NULL);
		pthread_cond_init(&w->back, NULL);
		for (; w->nspare < BATCHES; w->nspare++)
			if (!(w->spare[w->nspare] = malloc(sizeof(struct batch))))
				goto oom;
		struct pipeline_config pc = *cfg;
		pc.worker = i;
		pc.nworkers = n;
		pc.on_record = on_record;
		pc.on_record_ud = w;
		if (!(w->pl = pipeline_new(&pc, errbuf, errlen)))
			goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&ws->w[i].thread, NULL, worker_main, &ws->w[i]) != 0) {
			snprintf(errbuf, errlen, "cannot start worker thread %u", i);
			goto fail;
		}
		ws->w[i].started = true;
	}
	return ws;
oom:
	snprintf(errbuf, errlen, "out of memory starting %u workers", n);
fail:
	workers_free(ws);
	return NULL;
}

void workers_free(struct workers *ws)
{
	if (!ws)
		return;
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *w = &ws->w[i];
		if (w->started) {
			pthread_mutex_lock(&w->mu);
			w->stop = true;
			pthread_cond_signal(&w->wake);
			pthread_mutex_unlock(&w->mu);
			pthread_join(w->thread, NULL);
		}
		for (unsigned b = 0; b < w->nspare; b++)
			free(w->spare[b]);
		for (unsigned b = 0; b < w->todo_n; b++)
			free(w->todo[(w->todo_head + b) % BATCHES]);
		free(w->filling);
		pipeline_free(w->pl);
		free(w->out);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->wake);
		pthread_cond_destroy(&w->back);
	}
	decoder_free(ws->peek);
	free(ws);
}
