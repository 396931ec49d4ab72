/*
 * order_index.h — a hash of an order's exact target identities (msisdn, imsi, sip) and
 * the list of its ip targets, built once at load, so that order_match_party and
 * order_match_subscriber (match.c) cost a few lookups however many targets the order
 * names. An order without one (made by hand, as tests do) is matched by a linear scan
 * with the same result.
 */
#ifndef PENTRAP_ORDER_ORDER_INDEX_H
#define PENTRAP_ORDER_ORDER_INDEX_H

#include <stddef.h>

#include "order/order.h"

enum { ORDER_KEY_MAX = PARTY_MAX + 8 };

/* Builds (or rebuilds) o->index from o->targets. Returns 0, or -1 out of memory (o->index unchanged). */
int order_index_build(struct order *o);
void order_index_free(struct order_index *ix); /* accepts NULL */
/* The first target (file order) indexed under key, or -1. */
int order_index_lookup(const struct order_index *ix, const char *key);
/* The ip targets' indices, in file order. */
const int *order_index_ip_targets(const struct order_index *ix, size_t *n);
/* "sip:USER@host" with the host in lower case, into out; its length, or 0 when it does not fit. */
size_t order_sip_key(const char *user, size_t user_len, const char *host, char *out, size_t outlen);

#endif
