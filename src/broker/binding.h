/*
 * binding.h — identity bindings travelling between sensors (docs/scale.md, "Identity
 * shared between sensors"): an identity map's operation (identity/identity.h) as one
 * line of JSON and back, and a queue of operations between threads.
 *
 * A line holds addressing only, never content:
 *   {"op":"bind","addr":"10.45.0.7","prefix":32,"source":"gtpv2","start_us":N,"end_us":N,
 *    "msisdn":"+15550000001","imsi":"imsi:001010000000001","imei":"imei:...","apn":"internet",
 *    "sip":"sip:alice@ims.example"}                     (empty identities left out)
 *   {"op":"unbind","addr":"10.45.0.7","end_us":N}         (every source's binding of the address)
 *   {"op":"unbind-source","addr":..,"source":"radius","end_us":N}
 *   {"op":"unbind-holder","addr":..,"source":"sip-register","end_us":N,"sip":..}
 */
#ifndef PENTRAP_BROKER_BINDING_H
#define PENTRAP_BROKER_BINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity/identity.h"

enum { BINDING_TEXT_MAX = 1024 };

/* The operation's line (no newline) into out; its length, or 0 when it does not fit. */
size_t binding_to_text(const struct identity_op *op, char *out, size_t outlen);
/* A line back into op: 0, or -1 with a short reason in why (a line pentrap would not write). */
int binding_from_text(const char *text, size_t len, struct identity_op *op, char *why, size_t whylen);
/* The time an operation is about: a binding's start, an unbind's end. */
uint64_t binding_time(const struct identity_op *op);

/*
 * A queue of operations between threads, growing up to cap (then an operation is
 * dropped and counted). push and take may be called from different threads.
 */
struct binding_queue;
struct binding_queue *binding_queue_new(size_t cap);
void binding_queue_free(struct binding_queue *q); /* accepts NULL */
void binding_queue_push(struct binding_queue *q, const struct identity_op *op);
/* Takes up to max operations, oldest first; returns how many. */
size_t binding_queue_take(struct binding_queue *q, struct identity_op *out, size_t max);
uint64_t binding_queue_dropped(const struct binding_queue *q);
uint64_t binding_queue_pushed(const struct binding_queue *q);

#endif
