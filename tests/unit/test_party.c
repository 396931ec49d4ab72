/* test_party.c — party normalisation (core/party.c). */
#include <string.h>

#include "check.h"
#include "core/party.h"

static const char *norm(const char *in)
{
	static char out[160];
	party_normalise(in, strlen(in), out, sizeof out);
	return out;
}

static const char *num(const char *in)
{
	static char out[64];
	party_normalise_number(in, strlen(in), out, sizeof out);
	return out;
}

int main(void)
{
	/* the examples in party.h */
	CHECK_EQ_STR(norm("tel:+1-555-123-4567"), "+15551234567");
	CHECK_EQ_STR(norm("<sip:Alice@Example.NET:5060;transport=udp>"), "sip:Alice@example.net");
	CHECK_EQ_STR(norm("sip:+15551234567@ims.example;user=phone"), "+15551234567");
	CHECK_EQ_STR(norm("Bob <sip:bob@h>"), "sip:bob@h");
	CHECK_EQ_STR(norm("imsi:001010123456789"), "imsi:001010123456789");
	CHECK_EQ_STR(norm("198.51.100.7"), "198.51.100.7");
	CHECK_EQ_STR(norm("2001:db8::1"), "2001:db8::1");
	CHECK_EQ_STR(norm("fe80::1"), "fe80::1");

	/* tel: (RFC 3966) */
	CHECK_EQ_STR(norm("tel:+1 (555) 123.4567;phone-context=example.com"), "+15551234567");
	CHECK_EQ_STR(norm("<tel:+88270006>"), "+88270006");
	CHECK_EQ_STR(norm("tel:0298765432100"), "0298765432100");
	CHECK_EQ_STR(norm("TEL:+44-20"), "+4420");
	CHECK_EQ_STR(norm("tel:"), "");

	/* sip user=phone, global numbers with separators, local numbers */
	CHECK_EQ_STR(norm("sip:+1 555@h;user=phone"), "+1555");
	CHECK_EQ_STR(norm("sip:+1-555-000@h"), "+1555000");
	CHECK_EQ_STR(norm("<sip:+12263382742@dev.example.com>;tag=x"), "+12263382742");
	CHECK_EQ_STR(norm("sip:0198765432100;phone-context=ims.mnc001.mcc001.3gppnetwork.org@ims.mnc001.mcc001.3gppnetwork.org;user=phone"),
		     "sip:0198765432100@ims.mnc001.mcc001.3gppnetwork.org");
	CHECK_EQ_STR(norm("<sip:201@10.33.6.101;user=phone>"), "sip:201@10.33.6.101");
	CHECK_EQ_STR(norm("sip:555-1234@Example.com;user=phone"), "sip:5551234@example.com");
	CHECK_EQ_STR(norm("sip:555-1234@example.com"), "sip:555-1234@example.com");
	CHECK_EQ_STR(norm("sip:5514540002@200.57.7.195:55061"), "sip:5514540002@200.57.7.195");
	CHECK_EQ_STR(norm("sip:+abc@h"), "sip:+abc@h");

	/* display names, quotes with '<' inside, params, headers, ports, case */
	CHECK_EQ_STR(norm("\"Alice <x> Smith\" <sip:alice@Atlanta.COM>;tag=1928301774"), "sip:alice@atlanta.com");
	CHECK_EQ_STR(norm("\"francisco@bestel.com\" <sip:francisco@bestel.com:55060>"), "sip:francisco@bestel.com");
	CHECK_EQ_STR(norm("sip:Bob@Biloxi.com?subject=project"), "sip:Bob@biloxi.com");
	CHECK_EQ_STR(norm("SIPS:bob@Biloxi.com:5061;transport=tls"), "sip:bob@biloxi.com");
	CHECK_EQ_STR(norm("  sip:bob@h  "), "sip:bob@h");
	CHECK_EQ_STR(norm("<sip:200.57.7.195:55061;user=phone>"), "sip:200.57.7.195");

	/* IPv6 hosts keep their brackets, lose the port */
	CHECK_EQ_STR(norm("sip:alice@[2001:DB8::1]:5060"), "sip:alice@[2001:db8::1]");
	CHECK_EQ_STR(norm("<sip:[2001:db8::1]:5060;transport=tcp>"), "sip:[2001:db8::1]");
	CHECK_EQ_STR(norm("sip:alice@[2001:db8::1"), "sip:alice@[2001:db8::1");

	/* nothing usable */
	CHECK_EQ_STR(norm(""), "");
	CHECK_EQ_STR(norm("   "), "");
	CHECK_EQ_STR(norm("<>"), "");

	/* truncation is safe and terminated */
	{
		char small[8];
		party_normalise("sip:alice@example.com", 21, small, sizeof small);
		CHECK_EQ_STR(small, "sip:ali");
		char one[1] = { 'x' };
		party_normalise("sip:a@b", 7, one, sizeof one);
		CHECK_EQ_INT(one[0], 0);
		party_normalise("sip:a@b", 7, NULL, 0); /* no room at all: writes nothing */
	}
	/* inlen bounds the read: no NUL needed */
	{
		const char raw[] = { 's', 'i', 'p', ':', 'a', '@', 'B' };
		char out[32];
		party_normalise(raw, sizeof raw, out, sizeof out);
		CHECK_EQ_STR(out, "sip:a@b");
	}

	/* bare numbers */
	CHECK_EQ_STR(num("+1 (555) 123-4567"), "+15551234567");
	CHECK_EQ_STR(num("15551234567"), "15551234567");
	CHECK_EQ_STR(num(" +44.20.7946.0000"), "+442079460000");
	CHECK_EQ_STR(num("1+2"), "12");
	CHECK_EQ_STR(norm("+1 (555) 123-4567"), "+15551234567");

	return check_done("test_party");
}
