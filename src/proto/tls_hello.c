/*
 * tls_hello.c — ClientHello and ServerHello bodies (RFC 8446 section 4.1.2 and 4.1.3,
 * RFC 5246 section 7.4.1), and the three extensions pentrap reads from them:
 * server_name (0, RFC 6066 section 3), application_layer_protocol_negotiation
 * (16, RFC 7301 section 3.1) and supported_versions (43, RFC 8446 section 4.2.1).
 *
 *   ClientHello                         ServerHello
 *   legacy_version      2               legacy_version     2
 *   random              32              random             32
 *   legacy_session_id   1 + 0..32       legacy_session_id  1 + 0..32
 *   cipher_suites       2 + 2..65534    cipher_suite       2
 *   compression_methods 1 + 1..255      compression_method 1
 *   extensions          2 + 8..65535    extensions         2 + 6..65535 (optional)
 *
 * Used by the TLS dissector (tls.c) and by QUIC (quic.c), whose CRYPTO frames carry
 * the same message. Every read goes through a cursor; a length that runs past the
 * message is TLS_TRUNCATED when the message itself is cut, else TLS_MALFORMED.
 */
#include <string.h>

#include "core/cursor.h"
#include "core/str.h"
#include "proto/tls.h"

enum {
	EXT_SERVER_NAME = 0,
	EXT_ALPN = 16,
	EXT_SUPPORTED_VERSIONS = 43,
	SNI_HOST_NAME = 0,
	SNI_ENTRIES_MAX = 8, /* RFC 6066 allows one per type; a few more are tolerated */
	ALPN_ENTRIES_MAX = 64,
};

static bool host_byte_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '_';
}

bool tls_copy_host(const uint8_t *p, size_t len, char *dst, bool *cut)
{
	dst[0] = '\0';
	if (len == 0)
		return false;
	size_t n = len < TLS_NAME_MAX - 1 ? len : TLS_NAME_MAX - 1;
	for (size_t i = 0; i < len; i++)
		if (!host_byte_ok(p[i]))
			return false;
	for (size_t i = 0; i < n; i++)
		dst[i] = str_lower_char((char)p[i]);
	/* a trailing dot (absolute form) is the same name */
	while (n > 0 && dst[n - 1] == '.')
		n--;
	dst[n] = '\0';
	if (cut)
		*cut = len > TLS_NAME_MAX - 1;
	return n > 0;
}

/* server_name: ServerNameList (2-byte length) of { type(1), HostName(2-byte length) }. */
static enum tls_result ext_server_name(struct cursor *c, struct tls_hello *out)
{
	struct cursor list = cur_sub_exact(c, cur_be16(c));
	if (!cur_ok(c))
		return TLS_MALFORMED;
	for (int i = 0; i < SNI_ENTRIES_MAX && !cur_at_end(&list); i++) {
		uint8_t type = cur_u8(&list);
		struct span name = cur_span(&list, cur_be16(&list));
		if (!cur_ok(&list))
			return TLS_MALFORMED;
		if (type == SNI_HOST_NAME && out->sni[0] == '\0' &&
		    !tls_copy_host(name.ptr, name.len, out->sni, &out->sni_cut))
			return TLS_MALFORMED;
	}
	return TLS_OK;
}

/* ALPN: ProtocolNameList (2-byte length) of { ProtocolName(1-byte length, >= 1) }. */
static enum tls_result ext_alpn(struct cursor *c, struct tls_hello *out)
{
	struct cursor list = cur_sub_exact(c, cur_be16(c));
	if (!cur_ok(c))
		return TLS_MALFORMED;
	for (int i = 0; i < ALPN_ENTRIES_MAX && !cur_at_end(&list); i++) {
		struct span name = cur_span(&list, cur_u8(&list));
		if (!cur_ok(&list) || name.len == 0)
			return TLS_MALFORMED;
		if (out->nalpn >= TLS_ALPN_MAX)
			continue;
		/* ALPN values are opaque bytes (RFC 7301); keep the printable ones as text */
		size_t n = name.len < TLS_ALPN_LEN - 1 ? name.len : TLS_ALPN_LEN - 1;
		bool printable = true;
		for (size_t k = 0; k < name.len; k++)
			if (name.ptr[k] < 0x21 || name.ptr[k] > 0x7e)
				printable = false;
		if (!printable)
			continue;
		memcpy(out->alpn[out->nalpn], name.ptr, n);
		out->alpn[out->nalpn][n] = '\0';
		out->nalpn++;
	}
	return TLS_OK;
}

/* supported_versions: client sends a 1-byte-length list, server one version. */
static enum tls_result ext_versions(struct cursor *c, size_t ext_len, bool client, struct tls_hello *out)
{
	if (!client) {
		if (ext_len != 2)
			return TLS_MALFORMED;
		out->versions[0] = cur_be16(c);
		out->nversions = 1;
		return TLS_OK;
	}
	struct cursor list = cur_sub_exact(c, cur_u8(c));
	if (!cur_ok(c) || cur_remaining(&list) % 2)
		return TLS_MALFORMED;
	while (!cur_at_end(&list)) {
		uint16_t v = cur_be16(&list);
		if (out->nversions < TLS_VERSIONS_MAX)
			out->versions[out->nversions++] = v;
	}
	return TLS_OK;
}

static enum tls_result parse_extensions(struct cursor *c, bool client, struct tls_hello *out)
{
	if (cur_at_end(c))
		return TLS_OK; /* extensions are optional before TLS 1.3 */
	size_t declared = cur_be16(c);
	bool cut = false;
	struct cursor exts = cur_sub(c, declared, &cut);
	for (int n = 0; !cur_at_end(&exts); n++) {
		if (n >= TLS_EXTENSIONS_MAX)
			return TLS_MALFORMED;
		uint16_t type = cur_be16(&exts);
		size_t elen = cur_be16(&exts);
		if (!cur_ok(&exts))
			return cut ? TLS_TRUNCATED : TLS_MALFORMED;
		if (cur_remaining(&exts) < elen)
			return cut ? TLS_TRUNCATED : TLS_MALFORMED;
		struct cursor ext = cur_sub_exact(&exts, elen);
		enum tls_result r = TLS_OK;
		switch (type) {
		case EXT_SERVER_NAME:
			if (client && elen > 0) /* a server's empty server_name only acknowledges */
				r = ext_server_name(&ext, out);
			break;
		case EXT_ALPN:
			r = ext_alpn(&ext, out);
			break;
		case EXT_SUPPORTED_VERSIONS:
			r = ext_versions(&ext, elen, client, out);
			break;
		default:
			break;
		}
		if (r != TLS_OK)
			return r;
	}
	return cut ? TLS_TRUNCATED : TLS_OK;
}

enum tls_result tls_client_hello_parse(const uint8_t *p, size_t len, struct tls_hello *out)
{
	memset(out, 0, sizeof *out);
	struct cursor c = cur_make(p, len);
	out->legacy_version = cur_be16(&c);
	cur_skip(&c, 32); /* random */
	size_t sid = cur_u8(&c);
	if (cur_ok(&c) && sid > 32)
		return TLS_MALFORMED;
	cur_skip(&c, sid);
	size_t suites = cur_be16(&c);
	if (cur_ok(&c) && (suites < 2 || suites % 2))
		return TLS_MALFORMED;
	cur_skip(&c, suites);
	size_t comp = cur_u8(&c);
	if (cur_ok(&c) && comp < 1)
		return TLS_MALFORMED;
	cur_skip(&c, comp);
	if (!cur_ok(&c))
		return TLS_TRUNCATED;
	if ((out->legacy_version >> 8) != 3)
		return TLS_MALFORMED;
	return parse_extensions(&c, true, out);
}

enum tls_result tls_server_hello_parse(const uint8_t *p, size_t len, struct tls_hello *out)
{
	memset(out, 0, sizeof *out);
	struct cursor c = cur_make(p, len);
	out->legacy_version = cur_be16(&c);
	cur_skip(&c, 32);
	size_t sid = cur_u8(&c);
	if (cur_ok(&c) && sid > 32)
		return TLS_MALFORMED;
	cur_skip(&c, sid);
	cur_skip(&c, 2 + 1); /* cipher_suite, compression_method */
	if (!cur_ok(&c))
		return TLS_TRUNCATED;
	if ((out->legacy_version >> 8) != 3)
		return TLS_MALFORMED;
	enum tls_result r = parse_extensions(&c, false, out);
	if (out->nversions == 0) {
		out->versions[0] = out->legacy_version;
		out->nversions = 1;
	}
	return r;
}

size_t tls_certificate_names(const uint8_t *p, size_t len, char names[][TLS_NAME_MAX], size_t max)
{
	struct cursor c = cur_make(p, len);
	bool cut = false;
	struct cursor list = cur_sub(&c, cur_be24(&c), &cut);
	struct span der = cur_span(&list, cur_be24(&list));
	if (!cur_ok(&c) || !cur_ok(&list) || der.len == 0)
		return 0;
	return tls_x509_names(der.ptr, der.len, names, max);
}
