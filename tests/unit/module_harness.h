/*
 * module_harness.h — one dissector with its module instance, an identity map and an
 * event collector, fed through a parse context as the pipeline would: the unit tests
 * of the dissectors that bind identities (GTP, RADIUS, Diameter) share it. Header-only:
 * a test includes it once.
 */
#ifndef PENTRAP_TESTS_MODULE_HARNESS_H
#define PENTRAP_TESTS_MODULE_HARNESS_H

#include <stdlib.h>

#include "core/stats.h"
#include "event/event.h"
#include "identity/identity.h"
#include "proto/proto.h"

enum { HARNESS_MAX_EVENTS = 64 };

struct harness {
	const struct dissector *d;
	void *mod;
	struct identity_map *ids;
	struct stats stats;
	struct event ev[HARNESS_MAX_EVENTS]; /* what the dissector emitted, in order */
	int nev;
	struct event_sink sink;
	struct packet pkt;
	struct parse_ctx ctx;
	uint64_t frame;
};

static void harness_collect(void *ud, const struct event *e)
{
	struct harness *h = ud;
	if (h->nev < HARNESS_MAX_EVENTS)
		h->ev[h->nev++] = *e;
}

/* d's module with default sizes and an identity map of `bindings`. */
static struct harness *harness_new(const struct dissector *d, unsigned bindings)
{
	struct harness *h = calloc(1, sizeof *h);
	h->d = d;
	h->mod = d->module_new(&h->stats, NULL);
	h->ids = identity_map_new(bindings, &h->stats);
	h->sink.emit = harness_collect;
	h->sink.ud = h;
	h->ctx.pkt = &h->pkt;
	h->ctx.module = h->mod;
	h->ctx.events = &h->sink;
	h->ctx.stats = &h->stats;
	h->ctx.identity = h->ids;
	return h;
}

static void harness_free(struct harness *h)
{
	h->d->module_free(h->mod);
	identity_map_free(h->ids);
	free(h);
}

#endif
