/*
 * radius.c — the RADIUS dissector: RFC 2865 (authentication), RFC 2866 (accounting),
 * RFC 3162 (IPv6 attributes), RFC 6911 (Framed-IPv6-Address), 3GPP TS 29.061 §16
 * (3GPP vendor attributes), TS 23.003 §14.3 (IMSI-based NAI).
 *
 * Packet (RFC 2865 §3):
 *   0     1     2..3     4..19           20..Length
 *   code  id    Length   authenticator   attributes: type(1) length(1, counts the two) value
 *   Octets past Length are padding. An attribute shorter than 2 or running past Length
 *   is malformed: nothing after it is read.
 *
 * What is read: 1 User-Name, 4 NAS-IP-Address, 8 Framed-IP-Address, 26 Vendor-Specific
 * (vendor 10415, type 1: 3GPP-IMSI), 30 Called-Station-Id, 31 Calling-Station-Id,
 * 40 Acct-Status-Type, 44 Acct-Session-Id, 46 Acct-Session-Time, 95 NAS-IPv6-Address,
 * 97 Framed-IPv6-Prefix, 168 Framed-IPv6-Address. Nothing is logged per packet; nothing
 * but these is copied.
 *
 * What it does:
 *   Access-Request            remembered (NAS, port, server, identifier) for its answer
 *   Access-Accept + address   binds the address in the identity map (no record: the
 *                             session's start is accounting's to say)
 *   Accounting-Request Start  opens a data session (data.session.begin); the handle is
 *                             (NAS address, Acct-Session-Id)
 *   ... Interim-Update        refreshes it, or opens it quietly when its Start was not seen
 *   ... Stop                  closes it (data.session.end; duration from the Start, else
 *                             Acct-Session-Time), and unbinds the address
 * Framed-IP-Address 255.255.255.255 / 255.255.255.254 (RFC 2865 §5.8: "the user / the
 * NAS chooses") and 0.0.0.0 are not addresses; an IPv6 link-local prefix names nobody.
 *
 * Who: 3GPP-IMSI, else the IMSI inside an IMSI-based NAI User-Name; the MSISDN from a
 * numeric Calling-Station-Id ("+" only when the text says it is international: "+" or
 * "00" in front; bare digits stay bare digits, which an order's "+D" still matches);
 * the Called-Station-Id as the access point; and when there is neither MSISDN nor IMSI,
 * the User-Name as the party (it is then not bound in the identity map, which only
 * holds subscribers).
 *
 * Recognised by structure: a known code, 20 <= Length <= 4096, Length within the
 * datagram, attributes that walk exactly to Length; off the RADIUS ports (1812, 1813,
 * 1645, 1646) Length must equal the datagram and hold at least one attribute.
 */
#include "proto/radius.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/hash.h"
#include "core/span.h"
#include "core/str.h"
#include "identity/data_session.h"
#include "proto/framed.h"

enum {
	ATTR_USER_NAME = 1,
	ATTR_NAS_IP = 4,
	ATTR_FRAMED_IP = 8,
	ATTR_VSA = 26,
	ATTR_CALLED = 30,
	ATTR_CALLING = 31,
	ATTR_ACCT_STATUS = 40,
	ATTR_ACCT_SESSION_ID = 44,
	ATTR_ACCT_SESSION_TIME = 46,
	ATTR_NAS_IPV6 = 95,
	ATTR_FRAMED_IPV6_PREFIX = 97,
	ATTR_FRAMED_IPV6_ADDR = 168,
	VENDOR_3GPP = 10415,
	VSA_3GPP_IMSI = 1,
	PEND_SETS = 256,
	PEND_WAYS = 4,
};

#define PEND_TIMEOUT_US (30ull * 1000000)

/* --- reading a packet --- */

static bool code_known(uint8_t code)
{
	return (code >= 1 && code <= 5) || (code >= 11 && code <= 13);
}

/* Vendor-Specific (RFC 2865 §5.26): vendor id, then the vendor's own type-length-values. */
static void read_vsa(struct span v, struct radius_msg *m)
{
	struct cursor c = cur_make(v.ptr, v.len);
	if (cur_be32(&c) != VENDOR_3GPP)
		return;
	for (int i = 0; i < RADIUS_MAX_ATTRS && cur_remaining(&c) >= 2; i++) {
		uint8_t type = cur_u8(&c), len = cur_u8(&c);
		if (len < 2)
			return;
		struct span val = cur_span(&c, (size_t)len - 2);
		if (!cur_ok(&c))
			return;
		if (type == VSA_3GPP_IMSI)
			span_copy_text(m->imsi, sizeof m->imsi, val);
	}
}

static void on_attr(struct radius_msg *m, uint8_t type, struct span v)
{
	bool ok;
	switch (type) {
	case ATTR_USER_NAME:
		span_copy_text(m->user_name, sizeof m->user_name, v);
		break;
	case ATTR_NAS_IP:
		cur_addr_whole(v, 4, &m->nas_ip);
		break;
	case ATTR_FRAMED_IP:
		cur_addr_whole(v, 4, &m->framed_ip);
		break;
	case ATTR_VSA:
		read_vsa(v, m);
		break;
	case ATTR_CALLED:
		span_copy_text(m->called, sizeof m->called, v);
		break;
	case ATTR_CALLING:
		span_copy_text(m->calling, sizeof m->calling, v);
		break;
	case ATTR_ACCT_STATUS:
		m->status = cur_be32_whole(v, &ok);
		if (!ok)
			m->status = 0;
		break;
	case ATTR_ACCT_SESSION_ID: {
		struct cursor c = cur_make(v.ptr, v.len);
		span_copy_text(m->session_id, sizeof m->session_id, v);
		m->session_id_len = v.len; /* <= 253: one attribute */
		cur_copy(&c, m->session_id_raw, v.len);
		break;
	}
	case ATTR_ACCT_SESSION_TIME:
		m->session_time = cur_be32_whole(v, &ok);
		m->has_session_time = ok;
		break;
	case ATTR_NAS_IPV6:
		if (m->nas_ip.family == 0)
			cur_addr_whole(v, 6, &m->nas_ip);
		break;
	case ATTR_FRAMED_IPV6_PREFIX:
		framed_v6_prefix(v, &m->framed_v6, &m->framed_v6_len);
		break;
	case ATTR_FRAMED_IPV6_ADDR:
		if (m->framed_v6.family == 0) {
			cur_addr_whole(v, 6, &m->framed_v6);
			m->framed_v6_len = 128;
		}
		break;
	default:
		break;
	}
}

enum radius_result radius_parse(const uint8_t *p, size_t len, bool cut, struct radius_msg *m)
{
	memset(m, 0, sizeof *m);
	struct cursor c = cur_make(p, len);
	m->code = cur_u8(&c);
	m->identifier = cur_u8(&c);
	m->length = cur_be16(&c);
	cur_skip(&c, 16); /* the authenticator */
	if (!cur_ok(&c))
		return cut ? RADIUS_TRUNCATED : RADIUS_NOT_RADIUS;
	if (!code_known(m->code) || m->length < RADIUS_HEADER_LEN || m->length > RADIUS_MAX_LEN)
		return RADIUS_MALFORMED;
	bool short_body = false;
	struct cursor attrs = cur_sub(&c, (size_t)m->length - RADIUS_HEADER_LEN, &short_body);
	if (short_body && !cut)
		return RADIUS_MALFORMED; /* Length claims more than the datagram holds (§3: discard) */
	while (!cur_at_end(&attrs)) {
		if (++m->nattrs > RADIUS_MAX_ATTRS)
			return RADIUS_MALFORMED;
		uint8_t type = cur_u8(&attrs), alen = cur_u8(&attrs);
		if (!cur_ok(&attrs))
			return short_body ? RADIUS_TRUNCATED : RADIUS_MALFORMED;
		if (alen < 2)
			return RADIUS_MALFORMED;
		struct span v = cur_span(&attrs, (size_t)alen - 2);
		if (!cur_ok(&attrs))
			return short_body ? RADIUS_TRUNCATED : RADIUS_MALFORMED;
		on_attr(m, type, v);
	}
	return short_body ? RADIUS_TRUNCATED : RADIUS_OK;
}

/* --- who --- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	if (k > n)
		return false;
	for (size_t i = 0; i < k; i++) {
		if (str_lower_char(s[n - k + i]) != suffix[i])
			return false;
	}
	return true;
}

/* "0<IMSI>@...3gppnetwork.org": EAP-AKA (0), EAP-SIM (1), EAP-AKA' (6) permanent ids. */
static bool nai_imsi(const char *user, char imsi[16])
{
	const char *at = strchr(user, '@');
	if (!at || !ends_with_ci(at, ".3gppnetwork.org"))
		return false;
	size_t n = (size_t)(at - user);
	if (n < 7 || n > 16 || (user[0] != '0' && user[0] != '1' && user[0] != '6') ||
	    !all_digits(user + 1, n - 1))
		return false;
	memcpy(imsi, user + 1, n - 1);
	imsi[n - 1] = '\0';
	return true;
}

void radius_subscriber(const struct radius_msg *m, char imsi[24], char msisdn[24], char apn[64])
{
	char digits[16];
	imsi[0] = msisdn[0] = apn[0] = '\0';
	size_t n = strlen(m->imsi);
	if (n >= 6 && n <= 15 && all_digits(m->imsi, n))
		snprintf(imsi, 24, "imsi:%s", m->imsi);
	else if (nai_imsi(m->user_name, digits))
		snprintf(imsi, 24, "imsi:%s", digits);

	const char *cs = m->calling;
	bool intl = false;
	if (cs[0] == '+') {
		cs++;
		intl = true;
	} else if (cs[0] == '0' && cs[1] == '0') {
		cs += 2;
		intl = true;
	}
	n = strlen(cs);
	if (n >= 6 && n <= 15 && all_digits(cs, n)) {
		size_t o = 0;
		if (intl)
			msisdn[o++] = '+';
		memcpy(msisdn + o, cs, n);
		msisdn[o + n] = '\0';
	}
	snprintf(apn, 64, "%s", m->called);
}

/* --- the module --- */

/* The module is a struct ds_module: its data sessions, and the Access-Requests awaiting
 * their answers (pending, of struct pending). */
struct pending {
	uint8_t identifier;
	uint16_t nas_port;
	struct ip_addr nas, server;
	char user_name[RADIUS_TEXT_MAX], calling[RADIUS_TEXT_MAX], called[RADIUS_TEXT_MAX];
	char imsi[16];
};

void *radius_module_new(struct stats *stats, const struct module_sizes *sizes)
{
	return ds_module_new(stats, sizes, PEND_SETS, PEND_WAYS, sizeof(struct pending), PEND_TIMEOUT_US);
}

/* An Access-Request: from the NAS's address and port, to the server, with its identifier. */
struct request_key {
	const struct ip_addr *nas, *server;
	uint16_t port;
	uint8_t id;
};

static uint32_t request_hash(const struct request_key *k)
{
	return hash_mix32(hash_word(hash_word(hash_word(HASH_SEED, addr_hash(k->nas)), k->port), k->id));
}

static bool pending_is(const void *entry, const void *key)
{
	const struct pending *e = entry;
	const struct request_key *k = key;
	return e->identifier == k->id && e->nas_port == k->port && addr_eq(&e->nas, k->nas) &&
	       addr_eq(&e->server, k->server);
}

static void on_access_request(struct ds_module *mod, const struct radius_msg *m, const struct packet *pkt)
{
	struct request_key k = { &pkt->src, &pkt->dst, pkt->sport, m->identifier };
	struct pending *e = setassoc_put(&mod->pending, request_hash(&k), pkt->ts_us, pending_is, &k);
	e->identifier = m->identifier;
	e->nas_port = pkt->sport;
	e->nas = pkt->src;
	e->server = pkt->dst;
	memcpy(e->user_name, m->user_name, sizeof e->user_name);
	memcpy(e->calling, m->calling, sizeof e->calling);
	memcpy(e->called, m->called, sizeof e->called);
	memcpy(e->imsi, m->imsi, sizeof e->imsi);
}

/* The session description of a packet's attributes (no key yet). */
static void describe(const struct radius_msg *m, struct ds_open *o, const struct packet *pkt)
{
	memset(o, 0, sizeof *o);
	o->protocol = "radius";
	o->source = ID_SRC_RADIUS;
	radius_subscriber(m, o->sub.imsi, o->sub.msisdn, o->sub.apn);
	if (!o->sub.imsi[0] && !o->sub.msisdn[0])
		snprintf(o->user, sizeof o->user, "%s", m->user_name[0] ? m->user_name : m->calling);
	if (framed_is_address(&m->framed_ip)) {
		o->addr[o->naddr] = m->framed_ip;
		o->prefix_len[o->naddr++] = 32;
	}
	if (framed_is_address(&m->framed_v6)) {
		o->addr[o->naddr] = m->framed_v6;
		o->prefix_len[o->naddr++] = m->framed_v6_len;
	}
	snprintf(o->session_id, sizeof o->session_id, "%s", m->session_id);
	o->start_us = pkt->ts_us;
}

static void on_access_accept(struct ds_module *mod, struct parse_ctx *ctx, const struct radius_msg *m)
{
	const struct packet *pkt = ctx->pkt;
	struct radius_msg merged = *m;
	struct request_key k = { &pkt->dst, &pkt->src, pkt->dport, m->identifier };
	struct pending *e = setassoc_find(&mod->pending, request_hash(&k), pending_is, &k);
	if (e) {
		/* the request names the user; the answer may repeat or refine it */
		if (!merged.user_name[0])
			memcpy(merged.user_name, e->user_name, sizeof e->user_name);
		if (!merged.calling[0])
			memcpy(merged.calling, e->calling, sizeof e->calling);
		if (!merged.called[0])
			memcpy(merged.called, e->called, sizeof e->called);
		if (!merged.imsi[0])
			memcpy(merged.imsi, e->imsi, sizeof e->imsi);
		setassoc_remove(&mod->pending, e);
	}
	struct ds_open o;
	describe(&merged, &o, pkt);
	ds_bind_only(ctx, &o);
}

/* The handle of an accounting session: the NAS and its Acct-Session-Id. */
static size_t session_key(const struct radius_msg *m, const struct packet *pkt, uint8_t *k)
{
	const struct ip_addr *nas = m->nas_ip.family ? &m->nas_ip : &pkt->src;
	k[0] = nas->family;
	memcpy(k + 1, nas->bytes, 16);
	memcpy(k + 17, m->session_id_raw, m->session_id_len);
	return 17 + m->session_id_len;
}

static void on_accounting(struct ds_module *mod, struct parse_ctx *ctx, const struct radius_msg *m)
{
	const struct packet *pkt = ctx->pkt;
	if (m->session_id_len == 0)
		return; /* Acct-Session-Id is mandatory (RFC 2866 §5.5): nothing to follow */
	uint8_t key[17 + 253];
	struct ds_open o;
	describe(m, &o, pkt);
	o.key = key;
	o.key_len = session_key(m, pkt, key);
	switch (m->status) {
	case RADIUS_ACCT_START:
	case RADIUS_ACCT_INTERIM:
		o.announce = m->status == RADIUS_ACCT_START;
		ds_open(mod->sessions, ctx, &o);
		break;
	case RADIUS_ACCT_STOP: {
		int64_t hint = m->has_session_time ? (int64_t)m->session_time * 1000000 : -1;
		ds_close(mod->sessions, ctx, key, o.key_len, hint, &o, NULL, 0);
		break;
	}
	default:
		break; /* Accounting-On/Off and the rest: no one subscriber */
	}
}

/* --- the dissector --- */

static bool radius_port(const struct packet *pkt)
{
	static const uint16_t ports[] = { 1812, 1813, 1645, 1646 };
	for (size_t i = 0; pkt && i < sizeof ports / sizeof ports[0]; i++)
		if (pkt->sport == ports[i] || pkt->dport == ports[i])
			return true;
	return false;
}

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	struct radius_msg m;
	if (len < RADIUS_HEADER_LEN || len > RADIUS_MAX_LEN + 64)
		return false;
	if (radius_parse(p, len, false, &m) != RADIUS_OK)
		return false;
	if (radius_port(pkt))
		return true;
	return m.length == len && m.nattrs > 0;
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	struct radius_msg m;
	bool cut = ctx->pkt && ctx->pkt->payload_truncated;
	*consumed = len;
	switch (radius_parse(p, len, cut, &m)) {
	case RADIUS_OK:
		break;
	case RADIUS_TRUNCATED:
		stats_anomaly(ctx->stats, ANOM_RADIUS_TRUNCATED);
		return PARSE_MALFORMED; /* a cut packet may miss its Stop's or Accept's attributes */
	default:
		stats_anomaly(ctx->stats, ANOM_RADIUS_MALFORMED);
		return PARSE_MALFORMED;
	}
	struct ds_module *mod = ctx->module;
	if (!mod || !ctx->pkt)
		return PARSE_OK;
	switch (m.code) {
	case RADIUS_ACCESS_REQUEST:
		on_access_request(mod, &m, ctx->pkt);
		break;
	case RADIUS_ACCESS_ACCEPT:
		on_access_accept(mod, ctx, &m);
		break;
	case RADIUS_ACCOUNTING_REQUEST:
		on_accounting(mod, ctx, &m);
		break;
	default:
		break;
	}
	return PARSE_OK;
}

const struct dissector radius_dissector = {
	.name = "radius",
	.transports = T_UDP,
	.recognise = recognise,
	.parse = parse,
	.state_size = 0,
	.state_end = NULL,
	.module_new = radius_module_new,
	.module_free = ds_module_free,
	.module_tick = NULL,
	.module_finish = NULL,
};
