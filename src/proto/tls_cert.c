/*
 * tls_cert.c — the names in an X.509 certificate (RFC 5280): the subject's commonName
 * (section 4.1.2.6, OID 2.5.4.3) and the subjectAltName extension's dNSName entries
 * (section 4.2.1.6, OID 2.5.29.17). TLS 1.2 and earlier send the server's certificate
 * in clear; its names say which service answered when the client sent no SNI.
 *
 * A minimal DER reader (X.690 section 8.1): one-byte tags only (every tag X.509 uses
 * here is below 31), definite lengths of at most 4 bytes, and the nesting walked is
 * fixed by the structure, so no recursion and no depth to cap. Anything else is not a
 * certificate we read, and yields no names.
 *
 *   Certificate  SEQUENCE { tbsCertificate SEQUENCE {
 *                  [0] version (optional), serialNumber INTEGER, signature SEQUENCE,
 *                  issuer SEQUENCE, validity SEQUENCE, subject SEQUENCE (Name),
 *                  subjectPublicKeyInfo SEQUENCE, [1] [2] (optional),
 *                  [3] { SEQUENCE OF Extension { OID, BOOLEAN (optional), OCTET STRING } } }
 *                ... }
 *   Name         SEQUENCE OF SET OF SEQUENCE { OID, string }
 *   GeneralNames SEQUENCE OF choice; dNSName is [2] IMPLICIT IA5String (tag 0x82)
 */
#include <string.h>

#include "core/cursor.h"
#include "proto/tls.h"

enum {
	DER_INTEGER = 0x02,
	DER_OCTET_STRING = 0x04,
	DER_OID = 0x06,
	DER_BOOLEAN = 0x01,
	DER_SEQUENCE = 0x30,
	DER_SET = 0x31,
	DER_CTX0_CONS = 0xa0,
	DER_CTX3_CONS = 0xa3,
	DER_DNS_NAME = 0x82,
	DER_RDN_MAX = 64,      /* attributes of a Name we look through */
	DER_EXT_MAX = 64,      /* extensions we look through */
	DER_SAN_MAX = 256,     /* GeneralNames entries we look through */
};

static const uint8_t OID_CN[] = { 0x55, 0x04, 0x03 };
static const uint8_t OID_SAN[] = { 0x55, 0x1d, 0x11 };

/* One TLV: its tag, and a cursor over its value. The parent moves past it. */
static bool der_next(struct cursor *c, uint8_t *tag, struct cursor *value)
{
	*tag = cur_u8(c);
	if ((*tag & 0x1f) == 0x1f) { /* multi-byte tag: not used by the parts we read */
		cur_fail(c);
		return false;
	}
	size_t len = cur_u8(c);
	if (len & 0x80) {
		size_t nbytes = len & 0x7f;
		if (nbytes == 0 || nbytes > 4) { /* indefinite (BER only) or absurd */
			cur_fail(c);
			return false;
		}
		len = 0;
		for (size_t i = 0; i < nbytes; i++)
			len = (len << 8) | cur_u8(c);
	}
	*value = cur_sub_exact(c, len);
	return cur_ok(c);
}

/* The next TLV must have this tag. */
static bool der_expect(struct cursor *c, uint8_t want, struct cursor *value)
{
	uint8_t tag;
	return der_next(c, &tag, value) && tag == want;
}

static bool span_is(struct cursor v, const uint8_t *oid, size_t n)
{
	return cur_remaining(&v) == n && memcmp(v.data + v.pos, oid, n) == 0;
}

static size_t add_name(struct cursor v, char names[][TLS_NAME_MAX], size_t n, size_t max)
{
	if (n >= max)
		return n;
	struct span s = cur_rest(&v);
	/* a wildcard certificate name "*.example.com" is kept as the name below it */
	if (s.len > 2 && s.ptr[0] == '*' && s.ptr[1] == '.') {
		s.ptr += 2;
		s.len -= 2;
	}
	if (!tls_copy_host(s.ptr, s.len, names[n], NULL))
		return n;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], names[n]) == 0)
			return n;
	return n + 1;
}

/* The commonName of a Name (the first one). */
static size_t subject_cn(struct cursor name, char names[][TLS_NAME_MAX], size_t n, size_t max)
{
	for (int i = 0; i < DER_RDN_MAX && !cur_at_end(&name); i++) {
		struct cursor set, atv, oid, val;
		uint8_t tag;
		if (!der_expect(&name, DER_SET, &set))
			return n;
		while (!cur_at_end(&set)) {
			if (!der_expect(&set, DER_SEQUENCE, &atv) || !der_expect(&atv, DER_OID, &oid) ||
			    !der_next(&atv, &tag, &val))
				return n;
			if (span_is(oid, OID_CN, sizeof OID_CN))
				return add_name(val, names, n, max);
		}
	}
	return n;
}

static size_t san_names(struct cursor octets, char names[][TLS_NAME_MAX], size_t n, size_t max)
{
	struct cursor gns, v;
	uint8_t tag;
	if (!der_expect(&octets, DER_SEQUENCE, &gns))
		return n;
	for (int i = 0; i < DER_SAN_MAX && !cur_at_end(&gns) && n < max; i++) {
		if (!der_next(&gns, &tag, &v))
			return n;
		if (tag == DER_DNS_NAME)
			n = add_name(v, names, n, max);
	}
	return n;
}

size_t tls_x509_names(const uint8_t *der, size_t len, char names[][TLS_NAME_MAX], size_t max)
{
	struct cursor c = cur_make(der, len), cert, tbs, v;
	uint8_t tag;
	size_t n = 0;
	if (!der_expect(&c, DER_SEQUENCE, &cert) || !der_expect(&cert, DER_SEQUENCE, &tbs))
		return 0;
	if (!der_next(&tbs, &tag, &v))
		return 0;
	if (tag == DER_CTX0_CONS && !der_expect(&tbs, DER_INTEGER, &v)) /* version, then serial */
		return 0;
	if (tag != DER_CTX0_CONS && tag != DER_INTEGER)
		return 0;
	struct cursor subject;
	if (!der_expect(&tbs, DER_SEQUENCE, &v) ||      /* signature */
	    !der_expect(&tbs, DER_SEQUENCE, &v) ||      /* issuer */
	    !der_expect(&tbs, DER_SEQUENCE, &v) ||      /* validity */
	    !der_expect(&tbs, DER_SEQUENCE, &subject) ||
	    !der_expect(&tbs, DER_SEQUENCE, &v))        /* subjectPublicKeyInfo */
		return 0;
	n = subject_cn(subject, names, n, max);
	while (!cur_at_end(&tbs)) {
		struct cursor exts, ext, oid, octets;
		if (!der_next(&tbs, &tag, &v))
			return n;
		if (tag != DER_CTX3_CONS)
			continue;
		if (!der_expect(&v, DER_SEQUENCE, &exts))
			return n;
		for (int i = 0; i < DER_EXT_MAX && !cur_at_end(&exts); i++) {
			if (!der_expect(&exts, DER_SEQUENCE, &ext) || !der_expect(&ext, DER_OID, &oid))
				return n;
			if (!span_is(oid, OID_SAN, sizeof OID_SAN))
				continue;
			if (!der_next(&ext, &tag, &octets))
				return n;
			if (tag == DER_BOOLEAN && !der_next(&ext, &tag, &octets))
				return n;
			if (tag == DER_OCTET_STRING)
				n = san_names(octets, names, n, max);
		}
	}
	return n;
}
