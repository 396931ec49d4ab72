/*
 * sip.c — the SIP dissector: recognising SIP by its start line, framing messages on
 * datagrams and streams, and parsing one message into borrowed spans (RFC 3261,
 * sections 7 (messages), 18.3 (framing), 20 (header fields, compact forms 7.3.3)).
 * SDP bodies are read only for media addressing, c= and m= lines (RFC 4566); no other
 * body byte is looked at or copied. The call state machine is in sip_call.c.
 *
 * Message layout (text, lines end in CRLF; a bare LF is tolerated):
 *
 *   start-line     INVITE sip:bob@example.net SIP/2.0      (request)
 *                  SIP/2.0 200 OK                          (response)
 *   header lines   Name: value      (a line starting with SP/HT continues the last)
 *   empty line
 *   body           Content-Length bytes (a datagram: the rest when absent)
 *
 * Every byte is reached through a cursor span and scanned with bounds; header count,
 * line length and unterminated header bytes have named caps (sip.h).
 */
#include "proto/sip.h"

#include <string.h>

#include "core/cursor.h"
#include "core/span.h"
#include "core/stats.h"

/* RFC 3261 token characters. */
static bool is_token(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || span_is_digit(c))
		return true;
	return c != 0 && strchr("-.!%*_+`'~", c) != NULL;
}

/* --- methods --- */

static const struct {
	const char *name;
	enum sip_method m;
} methods[] = {
	{ "INVITE", SIP_M_INVITE },     { "ACK", SIP_M_ACK },           { "BYE", SIP_M_BYE },
	{ "CANCEL", SIP_M_CANCEL },     { "REGISTER", SIP_M_REGISTER }, { "OPTIONS", SIP_M_OPTIONS },
	{ "INFO", SIP_M_INFO },         { "UPDATE", SIP_M_UPDATE },     { "PRACK", SIP_M_PRACK },
	{ "SUBSCRIBE", SIP_M_SUBSCRIBE }, { "NOTIFY", SIP_M_NOTIFY },   { "MESSAGE", SIP_M_MESSAGE },
	{ "REFER", SIP_M_REFER },       { "PUBLISH", SIP_M_PUBLISH },
};

enum sip_method sip_method_from_span(struct span s)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (span_eq_str(s, methods[i].name))
			return methods[i].m;
	return SIP_M_OTHER;
}

/* --- start lines --- */

/* "SIP/2.0 NNN reason" */
static bool parse_status_line(struct span line, int *status, struct span *reason)
{
	if (line.len < 11 || !span_iprefix(line, "sip/2.0 "))
		return false;
	struct span code = span_sub(line, 8, 3);
	uint64_t v;
	if (!span_uint(code, &v) || v < 100 || v > 699)
		return false;
	if (line.len > 11 && line.ptr[11] != ' ' && line.ptr[11] != '\t')
		return false;
	*status = (int)v;
	*reason = span_trim(span_from(line, 11));
	return true;
}

/* "METHOD SP Request-URI SP SIP/2.0" */
static bool parse_request_line(struct span line, struct span *method, struct span *uri)
{
	size_t sp = span_find(line, ' ');
	if (sp == 0 || sp >= line.len)
		return false;
	for (size_t i = 0; i < sp; i++)
		if (!is_token(line.ptr[i]))
			return false;
	struct span rest = span_from(line, sp + 1);
	if (rest.len < 8 || !span_ieq(span_from(rest, rest.len - 8), " sip/2.0"))
		return false;
	struct span u = span_trim(span_sub(rest, 0, rest.len - 8));
	if (u.len == 0 || span_find(u, ' ') < u.len || span_find(u, ':') >= u.len)
		return false;
	*method = span_sub(line, 0, sp);
	*uri = u;
	return true;
}

/* --- recognising --- */

static bool recognise(const uint8_t *p, size_t len, const struct packet *pkt)
{
	(void)pkt;
	struct cursor c = cur_make(p, len < 1024 ? len : 1024);
	struct span s = cur_rest(&c);
	size_t pos = 0;
	while (pos < s.len && pos < 8 && (s.ptr[pos] == '\r' || s.ptr[pos] == '\n'))
		pos++; /* keep-alive CRLFs ahead of the first message on a stream */
	struct span line;
	if (!span_next_line(s, &pos, &line))
		return false;
	int status;
	struct span reason, method, uri;
	if (parse_status_line(line, &status, &reason))
		return true;
	if (!parse_request_line(line, &method, &uri))
		return false;
	if (sip_method_from_span(method) == SIP_M_OTHER)
		return false;
	return span_iprefix(uri, "sip:") || span_iprefix(uri, "sips:") || span_iprefix(uri, "tel:");
}

/* --- header values --- */

/* Skips a quoted string starting at s.ptr[i] == '"'; returns the index after it. */
static size_t skip_quoted(struct span s, size_t i)
{
	for (i++; i < s.len && s.ptr[i] != '"'; i++)
		if (s.ptr[i] == '\\')
			i++;
	return i < s.len ? i + 1 : s.len;
}

/*
 * name-addr / addr-spec followed by ;params, stopping at a ',' that separates values
 * (Contact, P-Asserted-Identity). Fills uri and the tag parameter.
 */
static void parse_addr_value(struct span v, struct sip_addr_hdr *h)
{
	size_t i = 0, params;
	while (i < v.len && span_is_space(v.ptr[i]))
		i++;
	if (i < v.len && v.ptr[i] == '"')
		i = skip_quoted(v, i);
	size_t j = i;
	while (j < v.len && v.ptr[j] != '<' && v.ptr[j] != ';' && v.ptr[j] != ',')
		j++;
	if (j < v.len && v.ptr[j] == '<') {
		struct span inner = span_from(v, j + 1);
		size_t gt = span_find(inner, '>');
		h->uri = span_trim(span_sub(inner, 0, gt));
		params = j + 1 + gt + (gt < inner.len ? 1 : 0);
	} else {
		size_t b = 0;
		while (b < v.len && span_is_space(v.ptr[b]))
			b++;
		h->uri = span_trim(span_sub(v, b, j - b));
		params = j;
	}
	h->present = true;
	h->tag = span_sub(v, 0, 0);
	/* ;name=value params up to a ',' */
	size_t k = params;
	while (k < v.len && v.ptr[k] == ';') {
		size_t e = k + 1;
		while (e < v.len && v.ptr[e] != ';' && v.ptr[e] != ',') {
			if (v.ptr[e] == '"')
				e = skip_quoted(v, e) - 1;
			e++;
		}
		struct span prm = span_trim(span_sub(v, k + 1, e - k - 1));
		size_t eq = span_find(prm, '=');
		if (eq < prm.len && span_ieq(span_trim(span_sub(prm, 0, eq)), "tag"))
			h->tag = span_trim(span_from(prm, eq + 1));
		k = e;
		while (k < v.len && span_is_space(v.ptr[k]))
			k++;
	}
}

static bool parse_cseq(struct span v, struct sip_msg *m)
{
	v = span_trim(v);
	size_t i = 0;
	while (i < v.len && span_is_digit(v.ptr[i]))
		i++;
	uint64_t n;
	if (!span_uint(span_sub(v, 0, i), &n) || n > 0xffffffffu)
		return false;
	struct span meth = span_trim(span_from(v, i));
	if (meth.len == 0 || i == 0 || !span_is_space(v.ptr[i]))
		return false;
	for (size_t k = 0; k < meth.len; k++)
		if (!is_token(meth.ptr[k]))
			return false;
	m->cseq = (uint32_t)n;
	m->cseq_method = sip_method_from_span(meth);
	m->has_cseq = true;
	return true;
}

/* Dispatches one header; false when it makes the message malformed. */
static bool header(struct sip_msg *m, struct span name, struct span value)
{
	struct span v = span_trim(value);
	if (span_ieq(name, "from") || span_ieq(name, "f")) {
		if (!m->from.present)
			parse_addr_value(v, &m->from);
	} else if (span_ieq(name, "to") || span_ieq(name, "t")) {
		if (!m->to.present)
			parse_addr_value(v, &m->to);
	} else if (span_ieq(name, "call-id") || span_ieq(name, "i")) {
		if (m->call_id.len == 0)
			m->call_id = v;
	} else if (span_ieq(name, "cseq")) {
		if (!m->has_cseq && !parse_cseq(v, m))
			return false;
	} else if (span_ieq(name, "contact") || span_ieq(name, "m")) {
		if (!m->contact.present)
			parse_addr_value(v, &m->contact);
	} else if (span_ieq(name, "p-asserted-identity")) {
		if (!m->pai.present)
			parse_addr_value(v, &m->pai);
	} else if (span_ieq(name, "expires")) {
		uint64_t n;
		if (m->expires < 0 && span_uint(v, &n))
			m->expires = (int64_t)n;
	} else if (span_ieq(name, "content-type") || span_ieq(name, "c")) {
		if (m->content_type.len == 0)
			m->content_type = v;
	} else if (span_ieq(name, "content-length") || span_ieq(name, "l")) {
		uint64_t n;
		if (!span_uint(v, &n))
			return false;
		if (m->content_length >= 0 && (uint64_t)m->content_length != n)
			return false; /* two different lengths: framing cannot be trusted */
		m->content_length = (int64_t)n;
	}
	return true;
}

enum sip_parse_result sip_msg_parse(const uint8_t *p, size_t len, bool stream,
				    struct sip_msg *m, size_t *msg_len)
{
	struct cursor c = cur_make(p, len);
	struct span all = cur_rest(&c);
	memset(m, 0, sizeof *m);
	m->expires = -1;
	m->content_length = -1;
	*msg_len = 0;

	size_t pos = 0;
	struct span line;
	if (!span_next_line(all, &pos, &line))
		return all.len > SIP_MAX_LINE ? SIP_PARSE_MALFORMED : SIP_PARSE_INCOMPLETE;
	if (line.len > SIP_MAX_LINE)
		return SIP_PARSE_MALFORMED;
	if (parse_status_line(line, &m->status, &m->reason)) {
		m->is_request = false;
	} else if (parse_request_line(line, &m->method_text, &m->request_uri)) {
		m->is_request = true;
		m->method = sip_method_from_span(m->method_text);
	} else {
		return SIP_PARSE_MALFORMED;
	}

	/* header lines; a header is dispatched once its continuation lines are known */
	struct span name = { NULL, 0 };
	size_t vstart = 0, vend = 0;
	bool have = false;
	for (;;) {
		size_t line_start = pos;
		if (!span_next_line(all, &pos, &line)) {
			if (all.len - line_start > SIP_MAX_LINE || all.len > SIP_MAX_HEADER_BYTES)
				return SIP_PARSE_MALFORMED;
			if (stream)
				return SIP_PARSE_INCOMPLETE;
			/* a datagram cut inside its headers: use the whole lines it has */
			m->headers_truncated = true;
			pos = all.len;
			if (have && !header(m, name, span_sub(all, vstart, vend - vstart)))
				return SIP_PARSE_MALFORMED;
			break;
		}
		if (line.len > SIP_MAX_LINE)
			return SIP_PARSE_MALFORMED;
		bool cont = line.len > 0 && (line.ptr[0] == ' ' || line.ptr[0] == '\t');
		if (cont) {
			if (!have)
				return SIP_PARSE_MALFORMED;
			vend = line_start + line.len; /* folded: the value runs on */
			continue;
		}
		if (have && !header(m, name, span_sub(all, vstart, vend - vstart)))
			return SIP_PARSE_MALFORMED;
		have = false;
		if (line.len == 0) {
			break;
		}
		if (++m->nheaders > SIP_MAX_HEADERS)
			return SIP_PARSE_MALFORMED;
		size_t colon = span_find(line, ':');
		if (colon >= line.len)
			return SIP_PARSE_MALFORMED;
		name = span_trim(span_sub(line, 0, colon));
		if (name.len == 0)
			return SIP_PARSE_MALFORMED;
		for (size_t i = 0; i < name.len; i++)
			if (!is_token(name.ptr[i]))
				return SIP_PARSE_MALFORMED;
		vstart = line_start + colon + 1;
		vend = line_start + line.len;
		have = true;
	}

	if (m->call_id.len == 0 || !m->from.present || !m->to.present || !m->has_cseq)
		return m->headers_truncated ? SIP_PARSE_INCOMPLETE : SIP_PARSE_MALFORMED;

	size_t rest = all.len - pos;
	size_t body_len;
	if (stream) {
		uint64_t cl = m->content_length < 0 ? 0 : (uint64_t)m->content_length;
		if (cl > SIP_MAX_BODY)
			return SIP_PARSE_MALFORMED;
		if (cl > rest)
			return SIP_PARSE_INCOMPLETE;
		body_len = (size_t)cl;
	} else if (m->content_length < 0) {
		body_len = rest;
	} else if ((uint64_t)m->content_length > rest) {
		body_len = rest;
		m->body_truncated = true;
	} else {
		body_len = (size_t)m->content_length;
	}
	m->body = span_sub(all, pos, body_len);
	*msg_len = pos + body_len;
	return SIP_PARSE_OK;
}

/* --- Call-IDs as tables keep them --- */

static size_t id_kept_len(size_t n)
{
	return n < CALL_ID_MAX - 1 ? n : CALL_ID_MAX - 1;
}

void sip_id_set(struct sip_id *k, struct span id)
{
	size_t n = id_kept_len(id.len);
	k->len = (uint32_t)id.len;
	if (n)
		memcpy(k->text, id.ptr, n);
	k->text[n] = '\0';
}

bool sip_id_is(const struct sip_id *k, struct span id)
{
	return k->len == id.len && memcmp(k->text, id.ptr, id_kept_len(id.len)) == 0;
}

/* --- bodies --- */

bool sip_content_type_is(const struct sip_msg *m, const char *type)
{
	struct span ct = m->content_type;
	return span_ieq(span_trim(span_sub(ct, 0, span_find(ct, ';'))), type);
}

/* --- SDP (RFC 4566): connection address and media ports only --- */

static bool sdp_addr(struct span v, struct ip_addr *out)
{
	/* "IN IP4 192.0.2.1" or "IN IP6 2001:db8::1" (an optional /ttl is dropped) */
	v = span_trim(v);
	if (!span_iprefix(v, "in ip4 ") && !span_iprefix(v, "in ip6 "))
		return false;
	struct span a = span_trim(span_from(v, 7));
	size_t e = 0;
	while (e < a.len && !span_is_space(a.ptr[e]) && a.ptr[e] != '/')
		e++;
	char buf[64];
	if (e == 0 || e >= sizeof buf)
		return false;
	memcpy(buf, a.ptr, e);
	buf[e] = '\0';
	return addr_parse(buf, out) == 0;
}

static uint16_t sdp_port(struct span v)
{
	/* "audio 49170 RTP/AVP 0" (a /count after the port is dropped) */
	size_t sp = span_find(v, ' ');
	struct span rest = span_from(v, sp + 1);
	size_t e = 0;
	while (e < rest.len && span_is_digit(rest.ptr[e]))
		e++;
	uint64_t port;
	if (!span_uint(span_sub(rest, 0, e), &port) || port > 65535)
		return 0;
	return (uint16_t)port;
}

bool sip_sdp_media(struct span body, struct sip_media *md)
{
	enum { SDP_MAX_LINES = 512 };
	struct ip_addr session = { 0 }, audio = { 0 };
	int media = 0; /* 0 session level, 1 audio, 2 video, 3 other */
	size_t pos = 0;
	struct span line;
	memset(md, 0, sizeof *md);
	for (int n = 0; n < SDP_MAX_LINES && pos < body.len; n++) {
		if (!span_next_line(body, &pos, &line)) {
			line = span_from(body, pos); /* last line without LF */
			pos = body.len;
		}
		if (line.len < 2 || line.ptr[1] != '=')
			continue;
		struct span v = span_from(line, 2);
		if (line.ptr[0] == 'm') {
			if (span_iprefix(v, "audio ")) {
				media = 1;
				if (!md->audio_port)
					md->audio_port = sdp_port(v);
			} else if (span_iprefix(v, "video ")) {
				media = 2;
				if (!md->video_port)
					md->video_port = sdp_port(v);
			} else {
				media = 3;
			}
		} else if (line.ptr[0] == 'c') {
			if (media == 0 && session.family == 0)
				sdp_addr(v, &session);
			else if (media == 1 && audio.family == 0)
				sdp_addr(v, &audio);
		}
	}
	md->addr = audio.family ? audio : session;
	return md->addr.family != 0 || md->audio_port || md->video_port;
}

/* --- the dissector --- */

static bool is_filler(uint8_t c)
{
	return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == 0;
}

static enum parse_status parse(struct parse_ctx *ctx, const uint8_t *p, size_t len, size_t *consumed)
{
	const struct packet *pkt = ctx->pkt;
	bool stream = pkt && pkt->ip_proto == IPPROTO_TCP_;
	struct cursor c = cur_make(p, len);
	struct span all = cur_rest(&c);
	size_t off = 0;
	*consumed = 0;

	/* a STUN keep-alive on the SIP port (RFC 5626 4.4.2: first two bits zero): not SIP,
	 * not an error; nor is a datagram of NUL padding */
	if (!stream && all.len > 0 && all.ptr[0] < 0x04) {
		*consumed = len;
		return PARSE_OK;
	}
	for (int n = 0; n < SIP_MAX_MSGS_PER_CALL; n++) {
		/* CRLF keep-alives (RFC 5626 4.4.1) and, on datagrams, padding */
		while (off < all.len && (stream ? (all.ptr[off] == '\r' || all.ptr[off] == '\n')
						: is_filler(all.ptr[off])))
			off++;
		if (stream)
			*consumed = off;
		if (off >= all.len)
			break;
		struct sip_msg m;
		size_t mlen = 0;
		struct span rest = span_from(all, off);
		enum sip_parse_result r = sip_msg_parse(rest.ptr, rest.len, stream, &m, &mlen);
		if (r == SIP_PARSE_INCOMPLETE && stream)
			return PARSE_NEED_MORE;
		if (r != SIP_PARSE_OK) {
			bool cut = r == SIP_PARSE_INCOMPLETE && pkt && pkt->payload_truncated;
			stats_anomaly(ctx->stats, cut ? ANOM_SIP_TRUNCATED : ANOM_SIP_MALFORMED);
			if (!stream)
				*consumed = len;
			return PARSE_MALFORMED;
		}
		if (m.body_truncated || m.headers_truncated)
			stats_anomaly(ctx->stats, ANOM_SIP_TRUNCATED);
		if (ctx->module)
			sip_call_handle(ctx->module, ctx, &m);
		off += mlen;
		if (stream)
			*consumed = off;
	}
	if (!stream)
		*consumed = len;
	return PARSE_OK;
}

const struct dissector sip_dissector = {
	.name = "sip",
	.transports = T_UDP | T_TCP,
	.recognise = recognise,
	.parse = parse,
	.state_size = 0,
	.state_end = NULL,
	.module_new = sip_module_new,
	.module_free = sip_module_free,
	.module_tick = sip_module_tick,
	.module_finish = sip_module_finish,
};
