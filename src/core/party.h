/*
 * party.h — normalising the parties of an event: E.164 numbers as "+15551234567",
 * SIP URIs as "sip:user@host" (lower-case host, no port or parameters), tel: URIs as
 * E.164, IMSIs as "imsi:...".
 */
#ifndef PENTRAP_CORE_PARTY_H
#define PENTRAP_CORE_PARTY_H

#include <stddef.h>

/*
 * Normalises a party text: "tel:+1-555-123-4567" → "+15551234567";
 * "<sip:Alice@Example.NET:5060;transport=udp>" → "sip:Alice@example.net";
 * "sip:+15551234567@ims.example;user=phone" → "+15551234567" (a global number in a SIP
 * URI is the number, RFC 3261 19.1.6); "Bob <sip:bob@h>" → "sip:bob@h"; "imsi:001..." unchanged;
 * an IP address unchanged. Writes "" when nothing usable is found. out must not
 * overlap in.
 */
void party_normalise(const char *in, size_t inlen, char *out, size_t outlen);

/* Normalises a bare E.164-ish number ("+1 (555) 123-4567", "15551234567") keeping the "+" only when given. */
void party_normalise_number(const char *in, size_t inlen, char *out, size_t outlen);

#endif
