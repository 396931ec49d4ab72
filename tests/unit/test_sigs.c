/*
 * test_sigs.c — signature definitions: loading (every error names its line), the
 * built-in set, and matching through the indexes (prefixes, ports, names on label
 * boundaries, ALPN, preambles with masks and partial first segments, STUN), the
 * choice of the most specific signature, and deferral for a preamble.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "detect/sigs.h"
#include "proto/proto.h"

static char err[512];

static struct sigset *load(const char *text)
{
	struct sigset *s = NULL;
	err[0] = '\0';
	if (sigs_load_text("t.yaml", text, strlen(text), &s, err, sizeof err) != 0)
		return NULL;
	return s;
}

/* The error of loading text, which must fail. */
static const char *error_of(const char *text)
{
	struct sigset *s = load(text);
	if (s) {
		sigs_unref(s);
		return "(loaded)";
	}
	return err;
}

#define HEAD "version: \"t1\"\nreleased: 2026-01-01\nsignatures:\n"

static void test_errors(void)
{
	CHECK_EQ_STR(error_of(""), "t.yaml:1: empty file (expected version, released, signatures)");
	CHECK(strstr(error_of("version: 1\nsignatures: []\n"), "t.yaml:1: needs 'released: YYYY-MM-DD'"));
	CHECK(strstr(error_of("version: \"a b\"\nreleased: 2026-01-01\nsignatures: []\n"),
		     "t.yaml:1: version: 'a b' may hold only"));
	CHECK(strstr(error_of("version: v\nreleased: 2026-13-01\nsignatures: []\n"),
		     "t.yaml:2: released: '2026-13-01' is not a date"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    adresses: [1.2.3.0/24]\n"),
		     "t.yaml:7: signature: unknown key 'adresses'"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    addresses: [17.0.0.1/8]\n"),
		     "t.yaml:7: addresses: '17.0.0.1/8' has bits set beyond the prefix (did you mean 17.0.0.0/8?)"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [0]\n"),
		     "t.yaml:7: ports: '0' is not a port"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    names: [Push.Apple.com]\n"),
		     "t.yaml:7: names: 'Push.Apple.com' is not a lower-case host name"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n"
				   "    preamble: {bytes: \"17 03\", mask: \"fc\"}\n"),
		     "t.yaml:7: preamble mask: 'fc' must be hex of the same length as bytes (2)"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n"
				   "    preamble: {bytes: \"17\", mask: \"fc\"}\n"),
		     "t.yaml:7: preamble bytes: byte 0 has bits outside its mask"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    transport: tcp\n"),
		     "t.yaml:4: signature x: needs at least one condition besides transport"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n"
				   "  - id: x\n    service: s\n    recognises: session\n    ports: [2]\n"),
		     "t.yaml:8: id: 'x' already used at line 4"));
	CHECK(strstr(error_of(HEAD "  - id: m\n    service: s\n    recognises: message\n    within: [nope]\n"
				   "    shape: {burst_bytes: [1, 2]}\n"),
		     "t.yaml:7: within: 'nope' is not the id of a session signature in this file"));
	CHECK(strstr(error_of(HEAD "  - id: m\n    service: s\n    recognises: message\n    ports: [1]\n"),
		     "t.yaml:7: ports: a message signature matches no flow itself"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n"
				   "  - id: m\n    service: s\n    recognises: message\n    within: [x]\n"
				   "    shape: {burst_bytes: [10, 5]}\n"),
		     "t.yaml:12: burst_bytes: min is above max"));
	CHECK(strstr(error_of(HEAD "  - id: c\n    service: s\n    recognises: call\n    transport: tcp\n"
				   "    stun: {}\n"),
		     "t.yaml:8: stun: STUN is read on UDP only"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n"
				   "    shape: {min_packets: 3}\n"),
		     "t.yaml:8: shape: a session signature has no shape"));
	CHECK(strstr(error_of("version: v\nreleased: 2026-01-01\nsignatures:\n  - id: [x\n"), "t.yaml:"));
}

static void test_builtin(void)
{
	struct sigset *s = NULL;
	CHECK(sigs_load_builtin(&s, err, sizeof err) == 0);
	if (!s)
		return;
	CHECK(s->nsigs >= 10);
	CHECK(sigs_find(s, "apple-push") >= 0);
	CHECK(sigs_find(s, "imessage-message") >= 0);
	CHECK(sigs_find(s, "whatsapp-chat") >= 0);
	CHECK(sigs_find(s, "signal-call") >= 0);
	CHECK(sigs_find(s, "telegram") >= 0);
	/* the apps of issue 19, each under its service name, and the calls of any app */
	static const char *const services[] = { "zoom", "teams", "googlemeet", "viber", "line", "wechat",
						"snapchat", "discord", "threema", "kakaotalk", "imo", "webex",
						"messenger", "xmpp", "teamspeak", "mumble", "unknown" };
	for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
		bool found = false;
		for (size_t k = 0; k < s->nsigs && !found; k++)
			found = strcmp(s->sigs[k].service, services[i]) == 0;
		CHECK(found);
	}
	CHECK(sigs_relay_shape(s) != NULL);
	int ap = sigs_find(s, "apple-push");
	CHECK(ap >= 0 && strncmp(s->sigs[ap].label, "apple-push@", 11) == 0);
	int msgs[4];
	CHECK_EQ_INT(sigs_messages_for(s, ap, msgs, 4), 1);
	CHECK_EQ_INT(msgs[0], sigs_find(s, "imessage-message"));
	CHECK_EQ_INT(strlen(s->sha256), 64);
	sigs_unref(s);
}

static struct ip_addr A(const char *t)
{
	struct ip_addr a;
	CHECK(addr_parse(t, &a) == 0);
	return a;
}

static int eval(const struct sigset *s, uint8_t transport, const char *server, uint16_t port, const char *name,
		const char *alpn, const struct sigbits *pre, bool *pending, bool *defer)
{
	struct ip_addr a = A(server);
	struct sig_facts f = { .transport = transport, .server = &a, .server_port = port, .preamble = pre };
	if (name)
		f.names[f.nnames++] = name;
	if (alpn)
		f.alpn[f.nalpn++] = alpn;
	return sigs_eval(s, &f, pending, defer);
}

static const char *const MATCH_SET = HEAD
	"  - id: apns\n    service: apple-push\n    recognises: session\n    transport: tcp\n"
	"    addresses: [17.0.0.0/8]\n    ports: [5223, \"2195-2197\"]\n"
	"    preamble: {side: client, bytes: \"14 03\", mask: \"fc ff\"}\n"
	"  - id: apns-443\n    service: apple-push\n    recognises: session\n    transport: tcp\n"
	"    addresses: [17.0.0.0/8]\n    ports: [443]\n    alpn: [apns-pack-v1]\n"
	"  - id: apns-name\n    service: apple-push\n    recognises: session\n    names: [\"*.push.apple.com\"]\n"
	"  - id: narrow\n    service: narrow\n    recognises: session\n    addresses: [17.57.144.0/22, \"2001:db8::/32\"]\n"
	"  - id: exact\n    service: exact\n    recognises: session\n    names: [signal.org]\n"
	"  - id: wa\n    service: whatsapp\n    recognises: session\n    transport: tcp\n    ports: [5222]\n"
	"    preamble: [{bytes: \"57 41 01\"}, {bytes: \"45 44 00 01\"}]\n"
	"  - id: wa-name\n    service: whatsapp\n    recognises: session\n    names: [\"*.whatsapp.net\"]\n"
	"  - id: tg\n    service: telegram\n    recognises: call\n    transport: udp\n"
	"    preamble: {offset: 4, bytes: \"ff ff\"}\n"
	"  - id: sig-call\n    service: signal\n    recognises: call\n    stun: {realm: [signal.org]}\n"
	"  - id: wa-call\n    service: whatsapp\n    recognises: call\n    stun: {types: [0x0801], attributes: [0x4000]}\n";

static void test_match(void)
{
	struct sigset *s = load(MATCH_SET);
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	int apns = sigs_find(s, "apns"), apns443 = sigs_find(s, "apns-443"), name = sigs_find(s, "apns-name");
	int narrow = sigs_find(s, "narrow"), exact = sigs_find(s, "exact"), wa = sigs_find(s, "wa");
	int wa_name = sigs_find(s, "wa-name");
	struct sigbits full, partial, none;
	memset(&none, 0, sizeof none);
	bool pending = false, defer = false;

	/* addresses: every prefix on the path counts; the narrower signature wins nothing it lacks */
	CHECK_EQ_INT(eval(s, T_TCP, "17.57.145.148", 80, NULL, NULL, NULL, NULL, NULL), narrow);
	CHECK_EQ_INT(eval(s, T_TCP, "2001:db8::7", 80, NULL, NULL, NULL, NULL, NULL), narrow);
	CHECK_EQ_INT(eval(s, T_TCP, "2001:db9::7", 80, NULL, NULL, NULL, NULL, NULL), -1);
	CHECK(sigs_addr_listed(s, &(struct ip_addr){ 0 }) == false);
	/* preamble: TLS record types 20..23 under the mask, on 5223 and in the port range */
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"\x17\x03\x03\x00\x20", 5, &full, &partial);
	CHECK(sigbits_has(&full, apns));
	CHECK_EQ_INT(eval(s, T_TCP, "17.110.229.14", 5223, NULL, NULL, &full, NULL, NULL), apns);
	CHECK_EQ_INT(eval(s, T_TCP, "17.110.229.14", 2196, NULL, NULL, &full, NULL, NULL), apns);
	CHECK_EQ_INT(eval(s, T_TCP, "17.110.229.14", 2198, NULL, NULL, &full, NULL, NULL), -1);
	CHECK_EQ_INT(eval(s, T_UDP, "17.110.229.14", 5223, NULL, NULL, &full, NULL, NULL), -1);
	/* garbage on 5223: no preamble, no session */
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"GET / HTTP/1.1", 14, &full, &partial);
	CHECK(!sigbits_has(&full, apns));
	CHECK_EQ_INT(eval(s, T_TCP, "17.110.229.14", 5223, NULL, NULL, &full, NULL, NULL), -1);
	/* the server's first bytes do not count for a client preamble */
	sigs_preamble_match(s, SIDE_SERVER, (const uint8_t *)"\x16\x03\x03", 3, &full, &partial);
	CHECK(!sigbits_has(&full, apns));
	/* ALPN on 443; plain HTTPS to Apple is not push */
	CHECK_EQ_INT(eval(s, T_TCP, "17.248.176.75", 443, "gateway.icloud.com", "h2", NULL, NULL, NULL), -1);
	CHECK_EQ_INT(eval(s, T_TCP, "17.248.176.75", 443, NULL, "apns-pack-v1", NULL, NULL, NULL), apns443);
	/* names: "*.x" is strictly below x, on a label boundary */
	CHECK_EQ_INT(eval(s, T_TCP, "192.0.2.1", 443, "courier2.push.apple.com", NULL, NULL, NULL, NULL), name);
	CHECK_EQ_INT(eval(s, T_TCP, "192.0.2.1", 443, "a.b.push.apple.com", NULL, NULL, NULL, NULL), name);
	CHECK_EQ_INT(eval(s, T_TCP, "192.0.2.1", 443, "push.apple.com", NULL, NULL, NULL, NULL), -1);
	CHECK_EQ_INT(eval(s, T_TCP, "192.0.2.1", 443, "evilpush.apple.com", NULL, NULL, NULL, NULL), -1);
	CHECK_EQ_INT(eval(s, T_TCP, "192.0.2.1", 443, "signal.org", NULL, NULL, NULL, NULL), exact);
	CHECK_EQ_INT(eval(s, T_TCP, "192.0.2.1", 443, "chat.signal.org", NULL, NULL, NULL, NULL), -1);
	/* the most specific wins: preamble+port+transport over a name alone */
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"WA\x01\x05", 4, &full, &partial);
	CHECK_EQ_INT(eval(s, T_TCP, "158.85.58.15", 5222, "e12.whatsapp.net", NULL, &full, NULL, NULL), wa);
	/* before the first payload the name alone matches, but the preamble one is worth waiting for */
	CHECK_EQ_INT(eval(s, T_TCP, "158.85.58.15", 5222, "e12.whatsapp.net", NULL, NULL, &pending, &defer), wa_name);
	CHECK(defer);
	CHECK_EQ_INT(eval(s, T_TCP, "158.85.58.15", 443, "e12.whatsapp.net", NULL, NULL, &pending, &defer), wa_name);
	CHECK(!defer); /* on 443 no preamble signature applies */
	/* a first segment shorter than the preamble: partial, not full */
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"\x45\x44", 2, &full, &partial);
	CHECK(!sigbits_has(&full, wa));
	CHECK(sigbits_has(&partial, wa));
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"\x45\x44\x00\x01\x00", 5, &full, &partial);
	CHECK(sigbits_has(&full, wa));
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"\x45\x45", 2, &full, &partial);
	CHECK(!sigbits_has(&partial, wa));
	/* pending: a name-only signature could still match when SNI comes */
	CHECK_EQ_INT(eval(s, T_TCP, "192.0.2.1", 443, NULL, NULL, &none, &pending, NULL), -1);
	CHECK(pending);
	/* an offset preamble */
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"abcd\xff\xff", 6, &full, &partial);
	CHECK(sigbits_has(&full, sigs_find(s, "tg")));
	sigs_preamble_match(s, SIDE_CLIENT, (const uint8_t *)"abc", 3, &full, &partial);
	CHECK(sigbits_has(&partial, sigs_find(s, "tg")));
	/* STUN: realm; types and attributes both needed when both are listed */
	struct stun_facts st = { .messages = 1 };
	struct ip_addr a = A("35.158.183.167");
	struct sig_facts f = { .transport = T_UDP, .server = &a, .server_port = 3478, .stun = &st, .preamble = &none };
	CHECK_EQ_INT(sigs_eval(s, &f, NULL, NULL), -1);
	strcpy(st.realm, "signal.org");
	CHECK_EQ_INT(sigs_eval(s, &f, NULL, NULL), sigs_find(s, "sig-call"));
	st.realm[0] = '\0';
	st.types[st.ntypes++] = 0x0801;
	CHECK_EQ_INT(sigs_eval(s, &f, NULL, NULL), -1);
	st.attrs[st.nattrs++] = 0x4000;
	CHECK_EQ_INT(sigs_eval(s, &f, NULL, NULL), sigs_find(s, "wa-call"));
	CHECK(strcmp(s->sigs[apns].label, "apns@t1") == 0);
	sigs_unref(s);
}

/* frames (length-prefixed first payloads) and media (ICE, TURN, a relay's shape) */
static void test_frames_and_media(void)
{
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n"
				   "    frame: {length: be24}\n"),
		     "t.yaml:8: frame length: expected be16, le16, be32 or le32"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    frame: {side: up, length: le16}\n"),
		     "t.yaml:7: frame side: expected client, server or any"));
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    frame: {offset: 2}\n"),
		     "t.yaml:7: frame: needs 'length'"));
	CHECK(strstr(error_of(HEAD "  - id: c\n    service: s\n    recognises: call\n    transport: udp\n"
				   "    media: [ice, telepathy]\n"),
		     "t.yaml:8: media: expected ice, turn or relay"));
	CHECK(strstr(error_of(HEAD "  - id: c\n    service: s\n    recognises: call\n    media: ice\n"),
		     "t.yaml:7: media: real-time media is read on UDP only"));
	CHECK(strstr(error_of(HEAD "  - id: c\n    service: s\n    recognises: session\n    transport: udp\n    media: ice\n"),
		     "t.yaml:8: media: only a call signature"));
	CHECK(strstr(error_of(HEAD "  - id: c\n    service: s\n    recognises: call\n    transport: udp\n    media: ice\n"
				   "    shape: {relay_pps: 20}\n"),
		     "t.yaml:9: shape: relay_* keys describe `media: relay`"));
	/* receipt_ms: a message shape's; not a call's */
	CHECK(strstr(error_of(HEAD "  - id: c\n    service: s\n    recognises: call\n    transport: udp\n    media: ice\n"
				   "    shape: {receipt_ms: 2000}\n"),
		     "t.yaml:9: shape: 'receipt_ms' does not apply to a call signature"));
	struct sigset *r = load(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n"
				     "  - id: m\n    service: s\n    recognises: message\n    within: [x]\n"
				     "    shape: {burst_bytes: [10, 20], receipt_ms: 1500}\n");
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ_INT(r->sigs[sigs_find(r, "m")].shape.receipt_ms, 1500);
		sigs_unref(r);
	}
	CHECK(strstr(error_of(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n"
				   "  - id: m\n    service: s\n    recognises: message\n    within: [x]\n"
				   "    shape: {burst_bytes: [10, 20], call_during: true}\n"),
		     "t.yaml:12: call_during: needs call_setup"));
	/* more than SIG_FRAMES_MAX frames in one file */
	char big[8192] = HEAD;
	for (int i = 0; i <= SIG_FRAMES_MAX; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big),
			 "  - id: f%d\n    service: s\n    recognises: session\n    frame: {length: le16}\n", i);
	CHECK(strstr(error_of(big), "frame: more than 16 frame conditions"));

	struct sigset *s = load(HEAD
		"  - id: viber\n    service: viber\n    recognises: session\n    transport: tcp\n    ports: [4244]\n"
		"    frame: {side: client, length: le16}\n"
		"  - id: imo\n    service: imo\n    recognises: call\n    transport: udp\n"
		"    preamble: {side: server, bytes: \"00 09 03\"}\n    frame: {side: server, length: be16, adds: 2}\n"
		"  - id: ice\n    service: unknown\n    recognises: call\n    transport: udp\n    media: [ice, turn]\n"
		"    shape: {min_s: 3}\n"
		"  - id: relay\n    service: unknown\n    recognises: call\n    transport: udp\n    media: relay\n"
		"    shape: {relay_s: 8, relay_pps: 12, relay_mean: 300, relay_gap_ms: 700, relay_ratio: 4}\n");
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	int viber = sigs_find(s, "viber"), imo = sigs_find(s, "imo"), ice = sigs_find(s, "ice");
	int relay = sigs_find(s, "relay");
	CHECK(sigs_has_preambles(s));
	/* le16 length of the whole segment: 0x0018 = 24 bytes */
	uint8_t seg[24] = { 0x18, 0x00, 0x00, 0x00 };
	uint16_t hits = sigs_frame_match(s, SIDE_CLIENT, seg, sizeof seg);
	CHECK(hits == 1u);
	CHECK(sigs_frame_match(s, SIDE_CLIENT, seg, sizeof seg - 1) == 0); /* one byte short: not one frame */
	CHECK(sigs_frame_match(s, SIDE_SERVER, seg, sizeof seg) == 0);     /* the server's side is not the client's */
	CHECK(sigs_frame_match(s, SIDE_CLIENT, seg, 1) == 0);              /* too short to hold the field */
	struct sigbits none, full, partial;
	memset(&none, 0, sizeof none);
	struct ip_addr a = A("52.0.253.101");
	struct sig_facts f = { .transport = T_TCP, .server = &a, .server_port = 4244, .preamble = &none, .frames = hits };
	CHECK_EQ_INT(sigs_eval(s, &f, NULL, NULL), viber);
	f.frames = 0;
	CHECK_EQ_INT(sigs_eval(s, &f, NULL, NULL), -1);
	/* preamble and frame both on the server side: both must hold */
	const uint8_t srv[11] = { 0x00, 0x09, 0x03, 0x21 };
	sigs_preamble_match(s, SIDE_SERVER, srv, sizeof srv, &full, &partial);
	struct ip_addr b = A("185.155.137.30");
	struct sig_facts g = { .transport = T_UDP, .server = &b, .server_port = 36535, .preamble = &full,
			       .frames = sigs_frame_match(s, SIDE_SERVER, srv, sizeof srv) };
	CHECK_EQ_INT(sigs_eval(s, &g, NULL, NULL), imo);
	g.frames = sigs_frame_match(s, SIDE_SERVER, srv, 10);
	CHECK_EQ_INT(sigs_eval(s, &g, NULL, NULL), -1);
	/* media: the kinds a flow showed against the signatures that name them */
	struct sig_facts m = { .transport = T_UDP, .server = &b, .server_port = 40000, .preamble = &none };
	CHECK_EQ_INT(sigs_eval(s, &m, NULL, NULL), -1);
	m.media = SIG_MEDIA_TURN;
	CHECK_EQ_INT(sigs_eval(s, &m, NULL, NULL), ice);
	m.media = SIG_MEDIA_RELAY;
	CHECK_EQ_INT(sigs_eval(s, &m, NULL, NULL), relay);
	m.transport = T_TCP;
	CHECK_EQ_INT(sigs_eval(s, &m, NULL, NULL), -1);
	CHECK(sig_by_media(&s->sigs[ice]) && sig_by_media(&s->sigs[relay]) && !sig_by_media(&s->sigs[imo]));
	CHECK_EQ_INT(s->sigs[ice].shape.min_ms, 3000);
	const struct sig_shape *rs = sigs_relay_shape(s);
	CHECK(rs == &s->sigs[relay].shape);
	if (rs) {
		CHECK_EQ_INT(rs->relay_ms, 8000);
		CHECK_EQ_INT(rs->relay_pps, 12);
		CHECK_EQ_INT(rs->relay_mean, 300);
		CHECK_EQ_INT(rs->relay_gap_ms, 700);
		CHECK_EQ_INT(rs->relay_ratio, 4);
	}
	sigs_unref(s);
	/* a set without `media: relay` watches no flow's shape */
	s = load(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n");
	CHECK(s && sigs_relay_shape(s) == NULL && !sigs_has_preambles(s));
	sigs_unref(s);
}

static void test_refs_and_age(void)
{
	struct sigset *s = load(HEAD "  - id: x\n    service: s\n    recognises: session\n    ports: [1]\n");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(sigs_ref(s) == s);
	sigs_unref(s); /* one reference left */
	CHECK_EQ_INT(s->refs, 1);
	uint64_t jan1 = 1767225600ull * 1000000; /* 2026-01-01T00:00:00Z */
	CHECK_EQ_INT(sigs_age_days(s, jan1), 0);
	CHECK_EQ_INT(sigs_age_days(s, jan1 + 31ull * 86400 * 1000000), 31);
	sigs_unref(s);
	sigs_unref(NULL);
}

int main(void)
{
	test_errors();
	test_builtin();
	test_match();
	test_frames_and_media();
	test_refs_and_age();
	return check_done("test_sigs");
}
