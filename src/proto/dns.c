/*
 * dns.c — the DNS dissector: A, AAAA and CNAME answers into the name cache (RFC 1035
 * 4.1 messages, 4.1.4 compression, 4.2.2 TCP framing; RFC 3596 AAAA; RFC 2181 5.2 TTLs).
 *
 *   header   id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2)
 *            flags: QR(1) opcode(4) AA TC RD RA Z AD CD rcode(4)
 *   question name, type(2), class(2)
 *   RR       name, type(2), class(2), ttl(4), rdlength(2), rdata
 *   name     labels: len(1, <= 63) bytes ...; 0 ends; 11xxxxxx xxxxxxxx is a pointer to
 *            an offset in the message; 01/10 in the top bits are reserved (RFC 6891 retired them)
 *   TCP      each message is preceded by its length (2 bytes)
 *
 * Compression pointers must move strictly backwards: each one must point before the
 * start of the run of labels it ends (before the name itself, for the first), so a
 * chain of pointers visits ever earlier bytes and ends; anything else is a loop (or a
 * forward reference a loop could be built from) and the message is not used.
 *
 * Only responses are used: for each class-IN address answer the CNAME chain is walked
 * back to the question's name, and the client (the response's destination) is
 * remembered to have resolved that name to that address. Answers that are not on a
 * chain from the question (unrelated data a server added) are not used.
 *
 * Recognition: on ports 53, 5353 and 5355 a plausible header with one question that
 * parses; on other UDP ports the whole datagram must parse as exactly one message
 * (but not on port 137: NetBIOS name service borrows the format). TCP only on port 53.
 */
#include "proto/dns.h"

#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/stats.h"
#include "core/str.h"
#include "detect/facts.h"
#include "identity/names.h"

enum {
	T_A = 1,
	T_CNAME = 5,
	T_AAAA = 28,
	C_IN = 1,
	C_ANY = 255,
	FLAG_QR = 0x8000,
	FLAG_Z = 0x0040,
	RECOGNISE_MAX_RRS = 64, /* records walked when recognising on a non-DNS port */
};

struct dns_rr {
	uint16_t type;
	bool usable;            /* class IN, names fit */
	uint32_t ttl;
	struct ip_addr addr;    /* A, AAAA */
	char owner[DNS_NAME_TEXT_MAX];
	char target[DNS_NAME_TEXT_MAX]; /* CNAME */
};

struct dns_scratch {
	struct dns_rr rr[DNS_MAX_ANSWERS];
};

struct dns_scratch *dns_scratch_new(void)
{
	return calloc(1, sizeof(struct dns_scratch));
}

void dns_scratch_free(struct dns_scratch *s)
{
	free(s);
}

/* --- names --- */

/* A cursor over the whole message, positioned at off (failed when off is past the end). */
static struct cursor cursor_at(const uint8_t *msg, size_t len, size_t off)
{
	struct cursor c = cur_make(msg, len);
	cur_skip(&c, off);
	return c;
}

static bool plain_char(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* Appends one label's text; false when it does not fit. */
static bool append_label(char *out, size_t outlen, size_t *o, struct span label)
{
	if (*o > 0) {
		if (*o + 1 >= outlen)
			return false;
		out[(*o)++] = '.';
	}
	for (size_t i = 0; i < label.len; i++) {
		uint8_t ch = (uint8_t)str_lower_char((char)label.ptr[i]);
		if (plain_char(ch)) {
			if (*o + 1 >= outlen)
				return false;
			out[(*o)++] = (char)ch;
		} else {
			if (*o + 4 >= outlen)
				return false;
			out[(*o)++] = '\\';
			out[(*o)++] = (char)('0' + ch / 100);
			out[(*o)++] = (char)('0' + ch / 10 % 10);
			out[(*o)++] = (char)('0' + ch % 10);
		}
	}
	return true;
}

enum dns_status dns_read_name(const uint8_t *msg, size_t len, size_t *pos, char *out, size_t outlen,
			      bool *fits)
{
	struct cursor c = cursor_at(msg, len, *pos);
	size_t run_start = *pos; /* a pointer must go before the run of labels it ends */
	size_t wire = 1;         /* the final zero octet */
	size_t o = 0;
	bool jumped = false;
	unsigned pointers = 0;
	*fits = outlen > 0;
	if (outlen > 0)
		out[0] = '\0';
	for (;;) {
		uint8_t b = cur_u8(&c);
		if (!cur_ok(&c))
			return DNS_TRUNCATED;
		if (b == 0)
			break;
		if ((b & 0xc0) == 0xc0) {
			uint8_t lo = cur_u8(&c);
			if (!cur_ok(&c))
				return DNS_TRUNCATED;
			size_t target = ((size_t)(b & 0x3f) << 8) | lo;
			if (!jumped) {
				*pos = cur_pos(&c);
				jumped = true;
			}
			if (target >= run_start || ++pointers > DNS_MAX_POINTERS)
				return DNS_COMPRESSION_LOOP;
			run_start = target;
			c = cursor_at(msg, len, target);
			continue;
		}
		if (b & 0xc0)
			return DNS_MALFORMED; /* extended / binary label types */
		struct span label = cur_span(&c, b);
		if (!cur_ok(&c))
			return DNS_TRUNCATED;
		wire += (size_t)b + 1;
		if (wire > DNS_NAME_WIRE_MAX)
			return DNS_MALFORMED;
		if (*fits && !append_label(out, outlen, &o, label))
			*fits = false;
	}
	if (!jumped)
		*pos = cur_pos(&c);
	if (*fits)
		out[o] = '\0';
	else if (outlen > 0)
		out[0] = '\0';
	return DNS_OK;
}

/* --- records --- */

struct rr_head {
	uint16_t type, class;
	uint32_t ttl;
	size_t rdata, rdlen; /* offset and length of the rdata */
};

/* Reads an RR's fixed part after its owner name, and skips its rdata. */
static enum dns_status read_rr_fixed(const uint8_t *msg, size_t len, size_t *pos, struct rr_head *h)
{
	struct cursor c = cursor_at(msg, len, *pos);
	h->type = cur_be16(&c);
	h->class = cur_be16(&c);
	h->ttl = cur_be32(&c);
	h->rdlen = cur_be16(&c);
	h->rdata = cur_pos(&c);
	cur_skip(&c, h->rdlen);
	if (!cur_ok(&c))
		return DNS_TRUNCATED;
	*pos = cur_pos(&c);
	if (h->ttl & 0x80000000u)
		h->ttl = 0; /* RFC 2181 8: a TTL with the top bit set is zero */
	return DNS_OK;
}

/* Reads one RR of the answer section into rr. */
static enum dns_status read_answer(const uint8_t *msg, size_t len, size_t *pos, struct dns_rr *rr)
{
	bool owner_fits, target_fits = true;
	struct rr_head h;
	enum dns_status st = dns_read_name(msg, len, pos, rr->owner, sizeof rr->owner, &owner_fits);
	if (st == DNS_OK)
		st = read_rr_fixed(msg, len, pos, &h);
	if (st != DNS_OK)
		return st;
	rr->type = h.type;
	rr->ttl = h.ttl;
	rr->target[0] = '\0';
	memset(&rr->addr, 0, sizeof rr->addr);
	struct cursor rd = cursor_at(msg, len, h.rdata);
	if (h.type == T_A) {
		uint8_t b[4];
		if (h.rdlen != 4)
			return DNS_MALFORMED;
		cur_copy(&rd, b, 4);
		addr_set_v4(&rr->addr, b);
	} else if (h.type == T_AAAA) {
		uint8_t b[16];
		if (h.rdlen != 16)
			return DNS_MALFORMED;
		cur_copy(&rd, b, 16);
		addr_set_v6(&rr->addr, b);
	} else if (h.type == T_CNAME) {
		size_t npos = h.rdata;
		st = dns_read_name(msg, len, &npos, rr->target, sizeof rr->target, &target_fits);
		if (st == DNS_TRUNCATED || (st == DNS_OK && npos != h.rdata + h.rdlen))
			return DNS_MALFORMED; /* the name must fill the rdata exactly */
		if (st != DNS_OK)
			return st;
	}
	rr->usable = (h.class & 0x7fff) == C_IN && owner_fits && target_fits; /* mDNS: top bit is cache-flush */
	return DNS_OK;
}

/* The CNAME record whose target is name, among the usable answers; NULL when none. */
static const struct dns_rr *cname_to(const struct dns_scratch *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (s->rr[i].usable && s->rr[i].type == T_CNAME && strcmp(s->rr[i].target, name) == 0)
			return &s->rr[i];
	return NULL;
}

/* Walks every address answer back through CNAMEs to qname; reports those that arrive. */
static void resolve(const struct dns_scratch *s, size_t n, const char *qname,
		    void (*found)(void *ud, const struct dns_binding *b), void *ud)
{
	for (size_t i = 0; i < n; i++) {
		const struct dns_rr *rr = &s->rr[i];
		if (!rr->usable || (rr->type != T_A && rr->type != T_AAAA))
			continue;
		const char *name = rr->owner;
		uint32_t ttl = rr->ttl;
		for (int hop = 0; strcmp(name, qname) != 0 && hop < DNS_MAX_CNAME_HOPS; hop++) {
			const struct dns_rr *cn = cname_to(s, n, name);
			if (!cn)
				break;
			name = cn->owner;
			if (cn->ttl < ttl)
				ttl = cn->ttl;
		}
		if (strcmp(name, qname) != 0)
			continue;
		struct dns_binding b = { rr->addr, qname, strcmp(rr->owner, qname) ? rr->owner : "", ttl };
		found(ud, &b);
	}
}

enum dns_status dns_parse_message(struct dns_scratch *s, const uint8_t *msg, size_t len,
				  bool use_cut_answers, struct dns_message_info *info,
				  void (*found)(void *ud, const struct dns_binding *b), void *ud)
{
	struct cursor c = cur_make(msg, len);
	memset(info, 0, sizeof *info);
	info->id = cur_be16(&c);
	uint16_t flags = cur_be16(&c);
	info->qdcount = cur_be16(&c);
	info->ancount = cur_be16(&c);
	cur_skip(&c, 4); /* nscount, arcount: authority and additional data are not used */
	if (!cur_ok(&c))
		return DNS_TRUNCATED;
	info->response = (flags & FLAG_QR) != 0;
	info->opcode = (uint8_t)((flags >> 11) & 0xf);
	info->rcode = (uint8_t)(flags & 0xf);
	if (info->qdcount > DNS_MAX_QUESTIONS)
		return DNS_MALFORMED;
	size_t pos = cur_pos(&c);
	bool qname_fits = true;
	for (unsigned i = 0; i < info->qdcount; i++) {
		char other[DNS_NAME_TEXT_MAX];
		bool fits;
		enum dns_status st = dns_read_name(msg, len, &pos, i == 0 ? info->qname : other,
						   DNS_NAME_TEXT_MAX, &fits);
		if (st != DNS_OK)
			return st;
		struct cursor q = cursor_at(msg, len, pos);
		uint16_t qtype = cur_be16(&q);
		cur_skip(&q, 2); /* qclass */
		if (!cur_ok(&q))
			return DNS_TRUNCATED;
		pos = cur_pos(&q);
		if (i == 0) {
			info->qtype = qtype;
			qname_fits = fits;
		}
	}
	if (!info->response || info->qdcount == 0 || info->opcode != 0 || info->rcode != 0 || !qname_fits)
		return DNS_OK; /* queries, failures, mDNS announcements: nothing to remember */
	size_t n = info->ancount < DNS_MAX_ANSWERS ? info->ancount : DNS_MAX_ANSWERS;
	size_t done = 0;
	enum dns_status st = DNS_OK;
	for (; done < n; done++) {
		st = read_answer(msg, len, &pos, &s->rr[done]);
		if (st != DNS_OK)
			break;
	}
	if (st == DNS_OK || (st == DNS_TRUNCATED && use_cut_answers))
		if (found)
			resolve(s, done, info->qname, found, ud);
	return st;
}

/* --- recognising --- */

static bool dns_port(uint16_t p)
{
	return p == DNS_PORT || p == 5353 || p == 5355; /* DNS, mDNS (RFC 6762), LLMNR (RFC 4795) */
}

/* A query-or-response header with one question that parses; *end is where it ends. */
static bool plausible(const uint8_t *p, size_t len, bool strict, size_t *end)
{
	struct cursor c = cur_make(p, len);
	cur_skip(&c, 2);
	uint16_t flags = cur_be16(&c);
	uint16_t qd = cur_be16(&c);
	cur_skip(&c, 6);
	if (!cur_ok(&c) || qd != 1 || ((flags >> 11) & 0xf) != 0)
		return false;
	if (strict && (flags & FLAG_Z))
		return false;
	size_t pos = DNS_HEADER_LEN;
	char name[DNS_NAME_TEXT_MAX];
	bool fits;
	if (dns_read_name(p, len, &pos, name, sizeof name, &fits) != DNS_OK)
		return false;
	struct cursor q = cursor_at(p, len, pos);
	uint16_t qtype = cur_be16(&q);
	uint16_t qclass = cur_be16(&q) & 0x7fff; /* mDNS: top bit asks for a unicast reply */
	if (!cur_ok(&q) || qtype == 0 || (strict && qclass != C_IN && qclass != C_ANY))
		return false;
	*end = cur_pos(&q);
	return true;
}

/* The whole datagram is exactly one message: every record walks and nothing is left. */
static bool whole_message(const uint8_t *p, size_t len)
{
	size_t pos;
	if (!plausible(p, len, true, &pos))
		return false;
	struct cursor c = cur_make(p, len);
	cur_skip(&c, 6);
	unsigned rrs = (unsigned)cur_be16(&c) + cur_be16(&c) + cur_be16(&c);
	if (rrs > RECOGNISE_MAX_RRS)
		return false;
	for (unsigned i = 0; i < rrs; i++) {
		char name[DNS_NAME_TEXT_MAX];
		bool fits;
		struct rr_head h;
		if (dns_read_name(p, len, &pos, name, sizeof name, &fits) != DNS_OK ||
		    read_rr_fixed(p, len, &pos, &h) != DNS_OK)
			return false;
	}
	return pos == len;
}

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	size_t end;
	bool hinted = pkt && (dns_port(pkt->sport) || dns_port(pkt->dport));
	if (pkt && pkt->ip_proto == IPPROTO_TCP_) {
		if (pkt->sport != DNS_PORT && pkt->dport != DNS_PORT)
			return false;
		struct cursor c = cur_make(p, len);
		uint16_t mlen = cur_be16(&c);
		struct cursor m = cur_sub(&c, mlen, NULL);
		struct span body = cur_rest(&m);
		return cur_ok(&c) && mlen >= DNS_HEADER_LEN && plausible(body.ptr, body.len, false, &end);
	}
	if (hinted)
		return plausible(p, len, false, &end);
	if (pkt && (pkt->sport == 137 || pkt->dport == 137))
		return false; /* NetBIOS name service: DNS's format (RFC 1002), not DNS's names */
	return whole_message(p, len);
}

/* --- the dissector --- */

struct dns_module {
	struct stats *stats;
	struct dns_scratch scratch;
};

static void *module_new(struct stats *stats, const struct module_sizes *sizes)
{
	(void)sizes;
	struct dns_module *m = calloc(1, sizeof *m);
	if (m)
		m->stats = stats;
	return m;
}

static void module_free(void *module)
{
	free(module);
}

struct found_ctx {
	struct name_cache *names;
	const struct packet *pkt;
};

static void remember(void *ud, const struct dns_binding *b)
{
	struct found_ctx *f = ud;
	/* the response goes to the client that asked */
	name_cache_add_cname(f->names, &f->pkt->dst, &b->addr, b->name, b->canonical, f->pkt->ts_us, b->ttl);
}

/* One message; returns false when it was malformed (or a loop). */
static bool handle_message(struct parse_ctx *ctx, const uint8_t *msg, size_t len, bool stream)
{
	struct dns_module *mod = ctx->module;
	const struct packet *pkt = ctx->pkt;
	if (!mod)
		return true;
	bool cut = !stream && pkt && pkt->payload_truncated; /* a stream message is whole by its framing */
	struct found_ctx f = { ctx->names, pkt };
	struct dns_message_info info;
	bool use = ctx->names && pkt;
	enum dns_status st = dns_parse_message(&mod->scratch, msg, len, cut, &info, use ? remember : NULL, &f);
	switch (st) {
	case DNS_OK:
		proto_lookup(ctx, info.qname); /* a target's lookup is recorded (detect/flowrec.c) */
		return true;
	case DNS_TRUNCATED:
		stats_anomaly(ctx->stats, cut ? ANOM_DNS_TRUNCATED : ANOM_DNS_MALFORMED);
		return cut;
	case DNS_COMPRESSION_LOOP:
		stats_anomaly(ctx->stats, ANOM_DNS_COMPRESSION_LOOP);
		return false;
	case DNS_MALFORMED:
		break;
	}
	stats_anomaly(ctx->stats, ANOM_DNS_MALFORMED);
	return false;
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	const struct packet *pkt = ctx->pkt;
	*consumed = 0;
	if (!(pkt && pkt->ip_proto == IPPROTO_TCP_)) {
		*consumed = len;
		return handle_message(ctx, p, len, false) ? PARSE_OK : PARSE_MALFORMED;
	}
	struct cursor c = cur_make(p, len);
	for (int i = 0; i < DNS_MAX_MSGS_PER_CALL && !cur_at_end(&c); i++) {
		uint16_t mlen = cur_be16(&c);
		if (!cur_ok(&c) || cur_remaining(&c) < mlen)
			return PARSE_NEED_MORE;
		struct span msg = cur_span(&c, mlen);
		if (mlen < DNS_HEADER_LEN || !handle_message(ctx, msg.ptr, msg.len, true)) {
			if (mlen < DNS_HEADER_LEN)
				stats_anomaly(ctx->stats, ANOM_DNS_MALFORMED);
			*consumed = cur_pos(&c);
			return PARSE_MALFORMED;
		}
		*consumed = cur_pos(&c);
	}
	return PARSE_OK;
}

const struct dissector dns_dissector = {
	.name = "dns",
	.transports = T_UDP | T_TCP,
	.recognise = recognise,
	.parse = parse,
	.state_size = 0,
	.state_end = NULL,
	.module_new = module_new,
	.module_free = module_free,
	.module_tick = NULL,
	.module_finish = NULL,
};
