/*
 * match.c — is a party of an event one of the order's targets?
 *
 * Parties arrive normalised (docs/records.md): "+15551234567", "sip:user@host",
 * "imsi:310150123456789", an IP address as text, "service:NAME". The rules, per target
 * kind (docs/order.md has the same list for readers of the order):
 *
 *   msisdn "+D"   party "+D"; party "D" (the same digits without '+');
 *                 party "sip:+D@any-host" or "sip:D@any-host" (user part, up to a ';',
 *                 equal to the number with or without '+').
 *   imsi          party equal to "imsi:DIGITS".
 *   sip           party "sip:user@host": user equal (case-sensitive, RFC 3261 19.1.4),
 *                 host equal ignoring case. "sips:" on the party is accepted too.
 *   ip  net/len   the party's network address (addr, when family != 0) inside the
 *                 prefix, or the party text itself an IP address inside the prefix.
 *
 * A subscriber the identity map put behind a party's address (order_match_subscriber)
 * is matched on its own fields: its MSISDN and IMSI as above, then its SIP address of
 * record as a party (so a sip target, or an msisdn target given as a tel: AoR, matches).
 *
 * The first matching target in file order wins. An order from order_load has an index
 * (order_index.h): the party is turned into the few keys an exact target could be
 * indexed under, and only the ip targets are scanned; an order without one (made by
 * hand, as tests do) is scanned target by target. Both give the same answer
 * (tests/unit/test_order.c compares them). An address alone (order_match_addr, at every
 * flow start) is matched against the ip targets only, without being written as text.
 */
#include "order/order.h"

#include "identity/identity.h"
#include "order/order_index.h"

#include <string.h>
#include <strings.h>

/* The user and host of a "sip:" or "sips:" party, borrowed from party; false if not SIP. */
static bool split_sip(const char *party, const char **user, size_t *user_len, const char **host)
{
	const char *p;
	if (strncasecmp(party, "sip:", 4) == 0)
		p = party + 4;
	else if (strncasecmp(party, "sips:", 5) == 0)
		p = party + 5;
	else
		return false;
	const char *at = strchr(p, '@');
	if (!at)
		return false;
	*user = p;
	*user_len = (size_t)(at - p);
	*host = at + 1;
	return true;
}

static bool msisdn_matches(const char *id, const char *party, bool is_sip, const char *user,
			   size_t user_len)
{
	/* id is "+DIGITS" (order.c guarantees it). */
	if (strcmp(party, id) == 0 || strcmp(party, id + 1) == 0)
		return true;
	if (!is_sip)
		return false;
	const char *semi = memchr(user, ';', user_len);
	size_t n = semi ? (size_t)(semi - user) : user_len;
	size_t idlen = strlen(id);
	return (n == idlen && memcmp(user, id, n) == 0) ||
	       (n == idlen - 1 && memcmp(user, id + 1, n) == 0);
}

static bool sip_matches(const char *id, const char *user, size_t user_len, const char *host)
{
	const char *tuser, *thost;
	size_t tuser_len;
	if (!split_sip(id, &tuser, &tuser_len, &thost))
		return false;
	return tuser_len == user_len && memcmp(tuser, user, user_len) == 0 && strcasecmp(thost, host) == 0;
}

/* The party as an address, parsed once and only if an ip target needs it. */
struct party_addr {
	int state; /* 0 not tried, 1 parsed, -1 not an address */
	struct ip_addr addr;
};

static bool ip_target_matches(const struct order_target *t, const char *party, const struct ip_addr *addr,
			      struct party_addr *pa)
{
	if (addr && addr->family != 0 && addr_in_prefix(addr, &t->net, t->prefix_len))
		return true;
	if (pa->state == 0)
		pa->state = party[0] && addr_parse(party, &pa->addr) == 0 ? 1 : -1;
	return pa->state > 0 && addr_in_prefix(&pa->addr, &t->net, t->prefix_len);
}

/* Keeps the earlier (in file order) of best and t, either of which may be -1. */
static int earlier(int best, int t)
{
	return t >= 0 && (best < 0 || t < best) ? t : best;
}

/* "+" and the number, the msisdn key of digits written without it; false when too long. */
static bool plus_key(const char *digits, size_t n, char *key, size_t keylen)
{
	if (n + 2 > keylen)
		return false;
	key[0] = '+';
	memcpy(key + 1, digits, n);
	key[n + 1] = '\0';
	return true;
}

/* The exact targets (msisdn, imsi, sip) a party is, by the index: the earliest, or -1. */
static int indexed_exact(const struct order_index *ix, const char *party, bool is_sip, const char *user,
			 size_t user_len, const char *host)
{
	char key[ORDER_KEY_MAX];
	int best = -1;
	if (party[0]) {
		best = earlier(best, order_index_lookup(ix, party)); /* "+D", "imsi:D" */
		if (party[0] != '+' && plus_key(party, strlen(party), key, sizeof key))
			best = earlier(best, order_index_lookup(ix, key)); /* "D" for "+D" */
	}
	if (is_sip) {
		if (order_sip_key(user, user_len, host, key, sizeof key))
			best = earlier(best, order_index_lookup(ix, key));
		/* an msisdn as the user part, up to a ';', with or without its '+' */
		const char *semi = memchr(user, ';', user_len);
		size_t n = semi ? (size_t)(semi - user) : user_len;
		if (n && user[0] == '+' && n < sizeof key) {
			memcpy(key, user, n);
			key[n] = '\0';
			best = earlier(best, order_index_lookup(ix, key));
		} else if (n && plus_key(user, n, key, sizeof key)) {
			best = earlier(best, order_index_lookup(ix, key));
		}
	}
	return best;
}

static int indexed_party(const struct order *o, const char *party, const struct ip_addr *addr, bool is_sip,
			 const char *user, size_t user_len, const char *host)
{
	int best = indexed_exact(o->index, party, is_sip, user, user_len, host);
	size_t nip;
	const int *ip = order_index_ip_targets(o->index, &nip);
	struct party_addr pa = { 0 };
	for (size_t k = 0; k < nip && (best < 0 || ip[k] < best); k++)
		if (ip_target_matches(&o->targets[ip[k]], party, addr, &pa))
			return ip[k];
	return best;
}

int order_match_party(const struct order *o, const char *party, const struct ip_addr *addr)
{
	if (!o)
		return -1;
	if (!party)
		party = "";
	const char *user = NULL, *host = NULL;
	size_t user_len = 0;
	bool is_sip = split_sip(party, &user, &user_len, &host);
	if (o->index)
		return indexed_party(o, party, addr, is_sip, user, user_len, host);
	struct party_addr pa = { 0 };

	for (size_t i = 0; i < o->ntargets; i++) {
		const struct order_target *t = &o->targets[i];
		switch (t->kind) {
		case TARGET_MSISDN:
			if (party[0] && msisdn_matches(t->id, party, is_sip, user, user_len))
				return (int)i;
			break;
		case TARGET_IMSI:
			if (strcmp(party, t->id) == 0)
				return (int)i;
			break;
		case TARGET_SIP:
			if (is_sip && sip_matches(t->id, user, user_len, host))
				return (int)i;
			break;
		case TARGET_IP:
			if (ip_target_matches(t, party, addr, &pa))
				return (int)i;
			break;
		}
	}
	return -1;
}

/*
 * Only ip targets can match an address. The address's text, which order_match_party
 * would be given, holds '.' (IPv4) or ':' (IPv6) and nothing but hex digits beside
 * them: never "+D" or "D" (msisdn, D digits), "imsi:D", nor a "sip:"/"sips:" party;
 * and that text parsed back is the address itself (inet_pton of inet_ntop), so the
 * ip targets' text path adds nothing to the address path. tests/unit/test_order.c
 * checks the equality on every kind of target and address.
 */
int order_match_addr(const struct order *o, const struct ip_addr *addr)
{
	if (!o || !addr || !addr->family)
		return -1;
	if (o->index) {
		size_t nip;
		const int *ip = order_index_ip_targets(o->index, &nip);
		for (size_t k = 0; k < nip; k++)
			if (addr_in_prefix(addr, &o->targets[ip[k]].net, o->targets[ip[k]].prefix_len))
				return ip[k];
		return -1;
	}
	for (size_t i = 0; i < o->ntargets; i++)
		if (o->targets[i].kind == TARGET_IP &&
		    addr_in_prefix(addr, &o->targets[i].net, o->targets[i].prefix_len))
			return (int)i;
	return -1;
}

/* The subscriber's MSISDN and IMSI against the index: the earliest target, or -1. */
static int indexed_subscriber(const struct order_index *ix, const struct subscriber *s)
{
	char key[ORDER_KEY_MAX];
	int best = -1;
	if (s->msisdn[0]) {
		best = earlier(best, order_index_lookup(ix, s->msisdn));
		if (s->msisdn[0] != '+' && plus_key(s->msisdn, strlen(s->msisdn), key, sizeof key))
			best = earlier(best, order_index_lookup(ix, key));
	}
	if (s->imsi[0])
		best = earlier(best, order_index_lookup(ix, s->imsi));
	return best;
}

/* The subscriber's MSISDN and IMSI, target by target: the first, or -1. */
static int scanned_subscriber(const struct order *o, const struct subscriber *s)
{
	for (size_t i = 0; i < o->ntargets; i++) {
		const struct order_target *t = &o->targets[i];
		switch (t->kind) {
		case TARGET_MSISDN:
			if (s->msisdn[0] && msisdn_matches(t->id, s->msisdn, false, NULL, 0))
				return (int)i;
			break;
		case TARGET_IMSI:
			if (s->imsi[0] && strcmp(s->imsi, t->id) == 0)
				return (int)i;
			break;
		case TARGET_SIP:
		case TARGET_IP:
			break; /* the AoR below; an address target is matched on the address itself */
		}
	}
	return -1;
}

int order_match_subscriber(const struct order *o, const struct subscriber *s)
{
	if (!o || !s)
		return -1;
	int t = o->index ? indexed_subscriber(o->index, s) : scanned_subscriber(o, s);
	if (t >= 0)
		return t;
	/* the SIP address of record is a party like any other ("sip:user@host", local digits) */
	if (s->sip[0]) {
		t = order_match_party(o, s->sip, NULL);
		if (t >= 0 && o->targets[t].kind != TARGET_IP)
			return t;
	}
	return -1;
}
