/*
 * index.c — the order's exact identities in a hash table, so matching a party costs a
 * few lookups whatever the number of targets (order_index.h).
 *
 * match.c's linear scan compared every party of every flow and event with every
 * target: with 2,000 targets (1,000 subscribers by MSISDN and IMSI) that was 60 % of
 * a run's CPU. Each msisdn, imsi and sip target is one key, written the way a party
 * is turned into keys at lookup (lookup_keys in match.c):
 *
 *   msisdn "+D"              key "+D"
 *   imsi "imsi:D"            key "imsi:D"
 *   sip "sip:user@host"      key "sip:user@host" with the host in lower case
 *
 * A key named by several targets keeps the first in file order, as the scan did. ip
 * targets stay a list (prefixes, not keys), scanned in file order.
 */
#include "order/order_index.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/pow2.h"
#include "core/str.h"

struct slot {
	char key[ORDER_KEY_MAX]; /* "" when empty (its tag 0) */
	int target;
};

struct order_index {
	uint32_t mask;
	/* Per slot, its key's hash with the low bit set (0: empty): a lookup probes these
	 * (4 bytes a slot, a few cache lines for thousands of targets) and reads a slot's
	 * key only when the hashes agree; nearly every party is nobody's key. */
	uint32_t *tags;
	struct slot *slots;
	int *ip_targets; /* indices of the ip targets, in file order */
	size_t nip;
};

size_t order_sip_key(const char *user, size_t user_len, const char *host, char *out, size_t outlen)
{
	size_t host_len = strlen(host);
	if (4 + user_len + 1 + host_len + 1 > outlen)
		return 0;
	memcpy(out, "sip:", 4);
	memcpy(out + 4, user, user_len);
	out[4 + user_len] = '@';
	for (size_t i = 0; i < host_len; i++)
		out[4 + user_len + 1 + i] = str_lower_char(host[i]);
	out[4 + user_len + 1 + host_len] = '\0';
	return 4 + user_len + 1 + host_len;
}

/* The key a target is indexed under, into out; false for ip targets and ids that do not fit. */
static bool target_key(const struct order_target *t, char *out, size_t outlen)
{
	switch (t->kind) {
	case TARGET_MSISDN:
	case TARGET_IMSI:
		if (strlen(t->id) + 1 > outlen)
			return false;
		strcpy(out, t->id);
		return true;
	case TARGET_SIP: {
		const char *p = t->id + 4; /* order.c writes "sip:user@host" */
		const char *at = strchr(p, '@');
		return at && order_sip_key(p, (size_t)(at - p), at + 1, out, outlen) > 0;
	}
	case TARGET_IP:
		break;
	}
	return false;
}

/* The index of the slot holding key, or of the empty slot where it would go (its tag 0). */
static uint32_t find(const struct order_index *ix, const char *key)
{
	uint32_t h = hash_str(key), tag = h | 1u, i = h & ix->mask;
	/* the table is at least twice the keys: an empty slot always ends the probe */
	while (ix->tags[i] && (ix->tags[i] != tag || strcmp(ix->slots[i].key, key) != 0))
		i = (i + 1) & ix->mask;
	return i;
}

int order_index_build(struct order *o)
{
	uint32_t n = pow2_at_least((uint32_t)(2 * o->ntargets), 16); /* ntargets <= ORDER_MAX_TARGETS */
	struct order_index *ix = calloc(1, sizeof *ix);
	if (!ix || !(ix->slots = calloc(n, sizeof *ix->slots)) || !(ix->tags = calloc(n, sizeof *ix->tags)) ||
	    !(ix->ip_targets = calloc(o->ntargets ? o->ntargets : 1, sizeof *ix->ip_targets))) {
		order_index_free(ix);
		return -1;
	}
	ix->mask = n - 1;
	for (size_t i = 0; i < o->ntargets; i++) {
		const struct order_target *t = &o->targets[i];
		char key[ORDER_KEY_MAX];
		if (t->kind == TARGET_IP) {
			ix->ip_targets[ix->nip++] = (int)i;
			continue;
		}
		if (!target_key(t, key, sizeof key))
			continue; /* cannot match a party either: parties are shorter */
		uint32_t at = find(ix, key);
		if (!ix->tags[at]) { /* the first target wins a key named twice */
			strcpy(ix->slots[at].key, key);
			ix->slots[at].target = (int)i;
			ix->tags[at] = hash_str(key) | 1u; /* as find computes it */
		}
	}
	order_index_free(o->index);
	o->index = ix;
	return 0;
}

void order_index_free(struct order_index *ix)
{
	if (!ix)
		return;
	free(ix->slots);
	free(ix->tags);
	free(ix->ip_targets);
	free(ix);
}

int order_index_lookup(const struct order_index *ix, const char *key)
{
	uint32_t at = find(ix, key);
	return ix->tags[at] ? ix->slots[at].target : -1;
}

const int *order_index_ip_targets(const struct order_index *ix, size_t *n)
{
	*n = ix->nip;
	return ix->ip_targets;
}
