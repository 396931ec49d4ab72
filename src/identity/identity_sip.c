/*
 * identity_sip.c — SIP registrations into the identity map (RFC 3261 10: REGISTER binds
 * an address of record to contact addresses until they expire).
 *
 * Only the contact's own address is bound (identity.h says why the REGISTER's source is
 * not): "sip:user@192.0.2.7:5060" → 192.0.2.7, "sip:user@[2001:db8::7]:5060" →
 * 2001:db8::7. The address of record becomes the subscriber's MSISDN when it is a global
 * number ("+15551234567", from tel: or user=phone URIs), otherwise its SIP AoR.
 */
#include "identity/identity.h"

#include <string.h>

enum { DEFAULT_EXPIRES_S = 3600, MAX_EXPIRES_S = 7 * 86400 };

/* The host of a normalised contact URI as an address; false when it is not an IP literal. */
static bool contact_address(const char *contact, struct ip_addr *out)
{
	const char *colon = strchr(contact, ':');
	if (!colon)
		return false;
	const char *host = colon + 1;
	const char *at = strchr(host, '@');
	if (at)
		host = at + 1;
	char text[ADDR_STRLEN];
	size_t n;
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		if (!close)
			return false;
		host++;
		n = (size_t)(close - host);
	} else {
		n = strcspn(host, ":;?>");
	}
	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, host, n);
	text[n] = '\0';
	return addr_parse(text, out) == 0;
}

static bool fill(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n == 0 || n >= cap)
		return false; /* a cut identity is no identity */
	memcpy(dst, src, n + 1);
	return true;
}

void identity_bind_registration(struct identity_map *m, const char *aor, const char *contact,
				uint64_t ts_us, int64_t expires_s)
{
	struct identity_binding b;
	if (!m || !aor || !contact)
		return;
	memset(&b, 0, sizeof b);
	if (!contact_address(contact, &b.addr))
		return;
	bool ok = aor[0] == '+' ? fill(b.sub.msisdn, sizeof b.sub.msisdn, aor) : fill(b.sub.sip, sizeof b.sub.sip, aor);
	if (!ok)
		return;
	b.source = ID_SRC_SIP_REGISTER;
	if (expires_s == 0) {
		identity_unbind_holder(m, &b, ts_us); /* this AoR only: others may share the contact */
		return;
	}
	if (expires_s < 0)
		expires_s = DEFAULT_EXPIRES_S;
	if (expires_s > MAX_EXPIRES_S)
		expires_s = MAX_EXPIRES_S;
	b.prefix_len = 0;
	b.start_us = ts_us;
	b.end_us = ts_us + (uint64_t)expires_s * 1000000u;
	identity_bind(m, &b);
}
