/*
 * hi2_encode.c — a record as HI2 IRI (ETSI TS 101 671 V3.5.1, HI2Operations version 11,
 * BER with the module's IMPLICIT TAGS). Which record becomes which IRI, and what each
 * field carries, is the table in docs/handover.md; the tags are the module's:
 *
 *   IRIsContent  [0] IRIContent (a CHOICE, so the tag is explicit: A0 len ...)
 *   IRIContent   [1] Begin | [2] End | [3] Continue | [4] Report  IRI-Parameters
 *   IRI-Parameters SEQUENCE, in the module's order:
 *     [0] domainID OID   [23] iRIversion   [1] LIID   [2] communicationIdentifier
 *     [3] timeStamp      [4] intercepted-Call-Direct  [5] intercepted-Call-State
 *     [7] conversationDuration (BCD HHMMSS)  [9] partyInformation SET OF
 *     [11] release-Reason (Q.850)  [12] nature-Of-The-intercepted-call  [14] sMS
 *     [16] national-Parameters  [18] gPRSCorrelationNumber  [20] gPRSevent
 */
#include "handover/hi2.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/addr.h"
#include "handover/ber_write.h"

enum {
	MSISDN_DIGITS_MAX = 16, /* msISDN (SIZE (1..9)): the nature octet and 8 of TBCD */
	IMSI_DIGITS_MIN = 5,    /* imsi (SIZE (3..8)) */
	IMSI_DIGITS_MAX = 16,
	NATIONAL_MAX = 8,       /* what one record adds (the format allows 40) */
	NATIONAL_OCTETS = 256,  /* ... OCTET STRING (SIZE (1..256)) */
	APN_MAX = 100,          /* aPN (SIZE (1..100)) */
	CIN_MODULUS = 100000000,
};

/* hi2OperationId: { itu-t(0) identified-organization(4) etsi(0) securityDomain(2)
 * lawfulIntercept(2) hi2(1) version11(11) } */
static const uint32_t HI2_OPERATION_ID[] = { 0, 4, 0, 2, 2, 1, 11 };
enum { IRI_VERSION_LAST = 8 };  /* iRIversion lastVersion(8), as the module advises */

enum party_qualifier { PQ_ORIGINATING = 0, PQ_TERMINATING = 1, PQ_GPRS_TARGET = 3 };
enum call_state { CS_IDLE = 1, CS_SETUP = 2, CS_CONNECTED = 3 };
enum nature { NATURE_SMS = 1, NATURE_GPRS = 5 };
enum gprs_event { GPRS_PDP_ACTIVATION = 1, GPRS_PDP_DEACTIVATION = 4 };
enum sms_initiator { SMS_BY_TARGET = 0, SMS_BY_SERVER = 1 };
enum sms_transfer { SMS_SUCCEEDED = 0, SMS_NOT_SUCCEEDED = 1, SMS_UNDEFINED = 2 };

/* The identities of one party as partyIdentity and services-Data-Information hold them. */
struct identity {
	char msisdn[MSISDN_DIGITS_MAX + 1];
	bool international;
	char imsi[IMSI_DIGITS_MAX + 1];
	const char *sip, *tel; /* borrowed from the record */
	struct ip_addr ip;
	const char *apn;
};

struct national {
	char items[NATIONAL_MAX][NATIONAL_OCTETS + 1];
	int n;
};

enum hi2_iri hi2_iri_of(enum event_type t)
{
	switch (t) {
	case EV_CALL_ATTEMPT:
	case EV_OTT_CALL_BEGIN:
	case EV_OTT_SESSION_BEGIN:
	case EV_DATA_SESSION_BEGIN:
		return HI2_IRI_BEGIN;
	case EV_CALL_ANSWER:
		return HI2_IRI_CONTINUE;
	case EV_CALL_END:
	case EV_OTT_CALL_END:
	case EV_OTT_SESSION_END:
	case EV_DATA_SESSION_END:
		return HI2_IRI_END;
	default:
		return HI2_IRI_REPORT;
	}
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strspn(s, "0123456789");
	return s[n] == '\0' && n >= min && n <= max;
}

/*
 * Adds what party says to id when the format has a field for it that id does not hold
 * yet: true when it did (or id already held that very identity).
 */
static bool identity_add(struct identity *id, const char *party)
{
	struct ip_addr a;
	char text[ADDR_STRLEN + 8];
	if (party[0] == '+' && all_digits(party + 1, 1, MSISDN_DIGITS_MAX)) {
		if (id->msisdn[0])
			return strcmp(id->msisdn, party + 1) == 0 && id->international;
		snprintf(id->msisdn, sizeof id->msisdn, "%s", party + 1);
		id->international = true;
		return true;
	}
	if (all_digits(party, 1, MSISDN_DIGITS_MAX)) {
		if (id->msisdn[0])
			return strcmp(id->msisdn, party) == 0 && !id->international;
		snprintf(id->msisdn, sizeof id->msisdn, "%s", party);
		return true;
	}
	if (strncmp(party, "imsi:", 5) == 0 && all_digits(party + 5, IMSI_DIGITS_MIN, IMSI_DIGITS_MAX)) {
		if (id->imsi[0])
			return strcmp(id->imsi, party + 5) == 0;
		snprintf(id->imsi, sizeof id->imsi, "%s", party + 5);
		return true;
	}
	if (strncmp(party, "sip:", 4) == 0 || strncmp(party, "sips:", 5) == 0) {
		if (id->sip)
			return strcmp(id->sip, party) == 0;
		id->sip = party;
		return true;
	}
	if (strncmp(party, "tel:", 4) == 0) {
		if (id->tel)
			return strcmp(id->tel, party) == 0;
		id->tel = party;
		return true;
	}
	/* an address, or a host prefix as an IP target is written ("10.8.0.1/32") */
	snprintf(text, sizeof text, "%s", party);
	char *slash = strchr(text, '/');
	if (slash && (strcmp(slash, "/32") == 0 || strcmp(slash, "/128") == 0))
		*slash = '\0';
	if (addr_parse(text, &a) == 0 && !(slash && a.family == 4 && strcmp(slash + 1, "128") == 0)) {
		if (id->ip.family)
			return addr_eq(&id->ip, &a);
		id->ip = a;
		return true;
	}
	return false;
}

static bool identity_empty(const struct identity *id)
{
	return !id->msisdn[0] && !id->imsi[0] && !id->sip && !id->tel && !id->ip.family && !id->apn;
}

static void national_add(struct national *n, const char *key, const char *value)
{
	if (n->n < NATIONAL_MAX && value[0])
		snprintf(n->items[n->n++], NATIONAL_OCTETS + 1, "%s=%s", key, value);
}

/* TBCD (TS 29.002): two digits an octet, the first in the low half, odd ends with F. */
static size_t tbcd(const char *digits, uint8_t *out)
{
	size_t n = 0;
	for (size_t i = 0; digits[i]; i += 2) {
		uint8_t lo = (uint8_t)(digits[i] - '0');
		uint8_t hi = digits[i + 1] ? (uint8_t)(digits[i + 1] - '0') : 0x0f;
		out[n++] = (uint8_t)(hi << 4 | lo);
		if (!digits[i + 1])
			break;
	}
	return n;
}

/* An APN as TS 24.008 writes it: each dot-separated label after its length. 0 when not one. */
static size_t apn_labels(const char *apn, uint8_t out[APN_MAX])
{
	size_t n = 0, len = strlen(apn);
	if (len == 0 || len + 1 > APN_MAX)
		return 0;
	for (const char *p = apn; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
		if (dot && !*p)
			return 0;
	}
	return n;
}

static void put_identity(struct ber_writer *w, const struct identity *id)
{
	uint8_t b[1 + MSISDN_DIGITS_MAX / 2];
	berw_open(w, BER_CONTEXT, 1); /* partyIdentity */
	if (id->imsi[0])
		berw_bytes(w, BER_CONTEXT, 3, b, tbcd(id->imsi, b));
	if (id->msisdn[0]) {
		/* AddressString (TS 29.002): extension, nature of address, numbering plan E.164 */
		b[0] = id->international ? 0x91 : 0x81;
		berw_bytes(w, BER_CONTEXT, 6, b, 1 + tbcd(id->msisdn, b + 1));
	}
	if (id->sip)
		berw_text(w, BER_CONTEXT, 8, id->sip);
	if (id->tel)
		berw_text(w, BER_CONTEXT, 9, id->tel);
	berw_close(w);
	uint8_t apn[APN_MAX];
	size_t apn_len = id->apn ? apn_labels(id->apn, apn) : 0;
	if (!id->ip.family && !apn_len)
		return;
	berw_open(w, BER_CONTEXT, 4);     /* services-Data-Information */
	berw_open(w, BER_CONTEXT, 1);     /* gPRS-parameters */
	if (id->ip.family) {
		berw_open(w, BER_CONTEXT, 1); /* pDP-address-allocated-to-the-target: DataNodeAddress */
		berw_open(w, BER_CONTEXT, 1); /* ipAddress: IPAddress */
		berw_int(w, BER_CONTEXT, 1, id->ip.family == 4 ? 0 : 1);   /* iP-type iPV4 / iPV6 */
		berw_open(w, BER_CONTEXT, 2); /* iP-value */
		berw_bytes(w, BER_CONTEXT, 1, id->ip.bytes, id->ip.family == 4 ? 4 : 16); /* iPBinaryAddress */
		berw_close(w);
		berw_close(w);
		berw_close(w);
	}
	if (apn_len)
		berw_bytes(w, BER_CONTEXT, 2, apn, apn_len);
	berw_close(w);
	berw_close(w);
}

static void put_party(struct ber_writer *w, enum party_qualifier q, const struct identity *id)
{
	berw_open(w, BER_UNIVERSAL, BER_TAG_SEQUENCE); /* PartyInformation */
	berw_int(w, BER_CONTEXT, 0, q);                 /* party-Qualifier */
	put_identity(w, id);
	berw_close(w);
}

/* TimeStamp: utcTime "YYMMDDhhmmssZ" (UTCTime covers 1950-2049), else a GeneralizedTime. */
static void put_timestamp(struct ber_writer *w, uint32_t tag, uint64_t ts_us)
{
	time_t t = (time_t)(ts_us / 1000000);
	struct tm tm;
	char text[32];
	gmtime_r(&t, &tm);
	int year = tm.tm_year + 1900;
	berw_open(w, BER_CONTEXT, tag);
	if (year >= 1950 && year <= 2049) {
		snprintf(text, sizeof text, "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		berw_text(w, BER_CONTEXT, 1, text);
	} else {
		snprintf(text, sizeof text, "%04d%02d%02d%02d%02d%02dZ", year % 10000, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		berw_open(w, BER_CONTEXT, 0); /* localTime: LocalTimeStamp */
		berw_text(w, BER_CONTEXT, 0, text);
		berw_int(w, BER_CONTEXT, 1, 0); /* winterSummerIndication notProvided */
		berw_close(w);
	}
	berw_close(w);
}

static void put_communication_id(struct ber_writer *w, uint32_t tag, const struct hi2_context *c)
{
	char cin[HI2_CIN_DIGITS + 1];
	snprintf(cin, sizeof cin, "%llu", (unsigned long long)(c->cin % CIN_MODULUS));
	berw_open(w, BER_CONTEXT, tag);
	berw_text(w, BER_CONTEXT, 0, cin); /* communication-Identity-Number */
	berw_open(w, BER_CONTEXT, 1);      /* network-Identifier */
	berw_text(w, BER_CONTEXT, 0, c->operator_id);
	if (c->element_id && c->element_id[0]) {
		berw_open(w, BER_CONTEXT, 1); /* network-Element-Identifier */
		berw_text(w, BER_CONTEXT, 4, c->element_id); /* dNS-Format */
		berw_close(w);
	}
	berw_close(w);
	berw_close(w);
}

/* Seconds as BCD HHMMSS (three octets), rounded to the nearest second, at most 99:59:59. */
static void bcd_duration(int64_t us, uint8_t out[3])
{
	int64_t s = us < 0 ? 0 : (us + 500000) / 1000000;
	if (s > 99 * 3600 + 59 * 60 + 59)
		s = 99 * 3600 + 59 * 60 + 59;
	int v[3] = { (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60) };
	for (int i = 0; i < 3; i++)
		out[i] = (uint8_t)((v[i] / 10) << 4 | v[i] % 10);
}

/*
 * The Q.850 cause of a call's outcome (coding standard ITU-T, location user): normal
 * clearing (16) for an answered or cancelled call, user busy (17), no answer (19),
 * normal unspecified (31) for a failure the record does not detail.
 */
static bool release_reason(const char *outcome, uint8_t out[2])
{
	int cause;
	if (strcmp(outcome, "answered") == 0 || strcmp(outcome, "cancelled") == 0)
		cause = 16;
	else if (strcmp(outcome, "busy") == 0)
		cause = 17;
	else if (strcmp(outcome, "no-answer") == 0)
		cause = 19;
	else if (strcmp(outcome, "failed") == 0)
		cause = 31;
	else
		return false;
	out[0] = 0x80; /* extension, ITU-T coding, location: user */
	out[1] = (uint8_t)(0x80 | cause);
	return true;
}

static enum sms_transfer sms_transfer_of(const char *outcome)
{
	if (strcmp(outcome, "accepted") == 0 || strcmp(outcome, "delivered") == 0)
		return SMS_SUCCEEDED;
	if (strcmp(outcome, "failed") == 0 || strcmp(outcome, "rejected") == 0)
		return SMS_NOT_SUCCEEDED;
	return SMS_UNDEFINED;
}

static bool is_data_session(enum event_type t)
{
	return t == EV_DATA_SESSION_BEGIN || t == EV_DATA_SESSION_END;
}

static bool is_call(enum event_type t)
{
	return t == EV_CALL_ATTEMPT || t == EV_CALL_ANSWER || t == EV_CALL_END;
}

/* Record types TS 101 671 has no event for: named in a national parameter. */
static bool type_needs_naming(enum event_type t)
{
	return !is_call(t) && !is_data_session(t) && t != EV_SMS;
}

/* The parties of r as partyInformation holds them; what has no field, into nat. */
static void collect_parties(const struct record *r, struct identity *orig, struct identity *term,
			    struct national *nat)
{
	bool out = strcmp(r->direction, "out") == 0;
	char service_party[64];
	snprintf(service_party, sizeof service_party, "service:%s", r->service);
	memset(orig, 0, sizeof *orig);
	memset(term, 0, sizeof *term);
	if (is_data_session(r->type)) {
		/* one party, the target (gPRS-Target): its identities, address and APN */
		if (r->from[0] && !identity_add(orig, r->from))
			national_add(nat, "originating-party", r->from);
		if (r->target[0])
			identity_add(orig, r->target);
		if (r->contact[0] && !identity_add(orig, r->contact))
			national_add(nat, "address", r->contact);
		uint8_t apn[APN_MAX];
		if (r->to[0] && apn_labels(r->to, apn))
			orig->apn = r->to;
		else if (r->to[0])
			national_add(nat, "apn", r->to);
		return;
	}
	if (r->from[0] && strcmp(r->from, service_party) != 0 && !identity_add(orig, r->from))
		national_add(nat, "originating-party", r->from);
	if (r->to[0] && strcmp(r->to, service_party) != 0 && !identity_add(term, r->to))
		national_add(nat, "terminating-party", r->to);
	/* the target's own identity, on its side, when it adds one (an IMSI beside a number) */
	if (r->target[0])
		identity_add(out ? orig : term, r->target);
	/* an app's message or call names the service as the other party: the other target it
	 * went to or came from (counterpart, inferred) is the party the LEMF wants there */
	const char *other = out ? r->to : r->from;
	if (r->counterpart[0] && (!other[0] || strcmp(other, service_party) == 0) &&
	    !identity_add(out ? term : orig, r->counterpart))
		national_add(nat, "counterpart", r->counterpart);
}

int hi2_encode(const struct record *r, const struct hi2_context *c, uint8_t *buf, size_t cap, size_t *len,
	       char *errbuf, size_t errlen)
{
	size_t liid_len = c->liid ? strlen(c->liid) : 0, op_len = c->operator_id ? strlen(c->operator_id) : 0;
	size_t el_len = c->element_id ? strlen(c->element_id) : 0;
	*len = 0;
	if (liid_len == 0 || liid_len > HI2_LIID_MAX) {
		snprintf(errbuf, errlen, "record %llu: LIID of %zu octets (the format allows 1 to %d)",
			 (unsigned long long)r->seq, liid_len, HI2_LIID_MAX);
		return -1;
	}
	if (op_len == 0 || op_len > HI2_OPERATOR_MAX || el_len > HI2_ELEMENT_MAX) {
		snprintf(errbuf, errlen, "operator identifier of %zu octets, network element of %zu (at most %d and %d)",
			 op_len, el_len, HI2_OPERATOR_MAX, HI2_ELEMENT_MAX);
		return -1;
	}
	if ((unsigned)r->type >= EV__COUNT) {
		snprintf(errbuf, errlen, "record %llu: unknown record type", (unsigned long long)r->seq);
		return -1;
	}

	struct identity orig, term;
	struct national nat;
	nat.n = 0;
	if (type_needs_naming(r->type))
		national_add(&nat, "record", event_type_name(r->type));
	collect_parties(r, &orig, &term, &nat);
	if (r->service[0])
		national_add(&nat, "service", r->service);
	if (r->subtype[0])
		national_add(&nat, "subtype", r->subtype);
	if (r->type == EV_REGISTRATION && r->contact[0])
		national_add(&nat, "contact", r->contact);
	if (r->inferred) {
		char score[24];
		snprintf(score, sizeof score, "inferred:%u", (unsigned)r->score);
		national_add(&nat, "confidence", score);
	}

	struct ber_writer w;
	berw_init(&w, buf, cap);
	enum hi2_iri iri = hi2_iri_of(r->type);
	berw_open(&w, BER_CONTEXT, 0);   /* IRIsContent: iRIContent */
	berw_open(&w, BER_CONTEXT, iri); /* IRIContent: the record, IRI-Parameters */
	berw_oid(&w, BER_CONTEXT, 0, HI2_OPERATION_ID, (int)(sizeof HI2_OPERATION_ID / sizeof HI2_OPERATION_ID[0]));
	berw_int(&w, BER_CONTEXT, 23, IRI_VERSION_LAST);
	berw_bytes(&w, BER_CONTEXT, 1, c->liid, liid_len);
	put_communication_id(&w, 2, c);
	put_timestamp(&w, 3, r->ts_us);
	if (strcmp(r->direction, "out") == 0 || strcmp(r->direction, "in") == 0)
		berw_int(&w, BER_CONTEXT, 4, strcmp(r->direction, "out") == 0 ? 1 : 2); /* originating-/terminating-Target */
	if (is_call(r->type))
		berw_int(&w, BER_CONTEXT, 5, r->type == EV_CALL_ATTEMPT ? CS_SETUP
					     : r->type == EV_CALL_ANSWER ? CS_CONNECTED : CS_IDLE);
	if (r->type == EV_CALL_END && r->duration_us >= 0) {
		uint8_t d[3];
		bcd_duration(r->duration_us, d);
		berw_bytes(&w, BER_CONTEXT, 7, d, sizeof d);
	}
	if (!identity_empty(&orig) || !identity_empty(&term)) {
		berw_open(&w, BER_CONTEXT, 9); /* partyInformation */
		if (!identity_empty(&orig))
			put_party(&w, is_data_session(r->type) ? PQ_GPRS_TARGET : PQ_ORIGINATING, &orig);
		if (!identity_empty(&term))
			put_party(&w, PQ_TERMINATING, &term);
		berw_close(&w);
	}
	uint8_t cause[2];
	if (r->type == EV_CALL_END && release_reason(r->outcome, cause))
		berw_bytes(&w, BER_CONTEXT, 11, cause, sizeof cause);
	if (r->type == EV_SMS)
		berw_int(&w, BER_CONTEXT, 12, NATURE_SMS);
	else if (is_data_session(r->type))
		berw_int(&w, BER_CONTEXT, 12, NATURE_GPRS);
	if (r->type == EV_SMS) {
		berw_open(&w, BER_CONTEXT, 14); /* sMS: SMS-report, never its content */
		put_communication_id(&w, 1, c);
		put_timestamp(&w, 2, r->ts_us);
		berw_open(&w, BER_CONTEXT, 3);  /* sMS-Contents */
		berw_int(&w, BER_CONTEXT, 1, strcmp(r->direction, "out") == 0 ? SMS_BY_TARGET : SMS_BY_SERVER);
		berw_int(&w, BER_CONTEXT, 2, sms_transfer_of(r->outcome));
		berw_close(&w);
		berw_close(&w);
	}
	if (nat.n) {
		berw_open(&w, BER_CONTEXT, 16); /* national-Parameters */
		for (int i = 0; i < nat.n; i++)
			berw_text(&w, BER_UNIVERSAL, BER_TAG_OCTET_STRING, nat.items[i]);
		berw_close(&w);
	}
	if (is_data_session(r->type)) {
		/* gPRSCorrelationNumber (SIZE (8..20)): the communication identity, zero-padded */
		char corr[24];
		snprintf(corr, sizeof corr, "%08llu", (unsigned long long)(c->cin % CIN_MODULUS));
		berw_text(&w, BER_CONTEXT, 18, corr);
		berw_int(&w, BER_CONTEXT, 20,
			 r->type == EV_DATA_SESSION_BEGIN ? GPRS_PDP_ACTIVATION : GPRS_PDP_DEACTIVATION);
	}
	berw_close(&w);
	berw_close(&w);
	if (!berw_ok(&w)) {
		snprintf(errbuf, errlen, "record %llu: its IRI does not fit in %zu bytes", (unsigned long long)r->seq,
			 cap);
		return -1;
	}
	*len = w.len;
	return 0;
}
