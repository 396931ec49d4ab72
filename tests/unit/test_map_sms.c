/*
 * test_map_sms.c — SMS events from MAP and their outcome (proto/map_sms.c): a Begin's
 * invoke held until the End, Continue or Abort that answers it (by transaction id, the
 * sender's SCCP address and the invoke id); ReturnResultLast, ReturnError, Reject,
 * Abort, an End without an answer, a dialogue refused for its context; the timeout,
 * the end of input, a full table; duplicates; answers from the wrong address; MAP
 * operations counted but not recorded; CAMEL; a module-less (fuzz) call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/map.h"

static const char BEGIN_MO[] =
	"626348040a0b0c016b1e281c060700118605010101a011600f80020780a1090607040000010015036c3ba139"
	"02010102012e3031840791447700099099820791447700091032041d11010c914477000940650000a711c3a0"
	"3328cdb6aace2415842eb3d96f";
static const char END_RESULT[] =
	"643e49040a0b0c016b2a2828060700118605010101a01d611b80020780a109060704000001001503a2030201"
	"00a305a1030201006c0aa208020101300302012e";
static const char END_ERROR[] = "641049040a0b0c016c08a306020101020106";
static const char END_REJECT[] = "641049040a0b0c016c08a406020101800101";
static const char END_EMPTY[] = "640649040a0b0c01";
static const char ABORT_P[] = "670949040a0b0c014a0101";
static const char ABORT_REFUSED[] =
	"673249040a0b0c016b2a2828060700118605010101a01d611b80020780a109060704000001001502a2030201"
	"01a305a103020102";
static const char BEGIN_MT[] =
	"626748046d0000016b1e281c060700118605010101a011600f80020780a1090607040000010019036c3fa13d"
	"02010102012c3035800800010100000054f68407914477000990990420040c91447700091032000062115101"
	"0000000ec3a03328cdb6aace2415d4a603";
static const char END_MT_RESULT[] = "641249046d0000016c0aa208020101300302012c";
static const char BEGIN_CAP[] =
	"62634804ca0000016b1e281c060700118605010101a011600f80020780a1090607040000010032016c3ba139"
	"02010102012e3031840791447700099099820791447700091032041d11010c914477000940650000a711c3a0"
	"3328cdb6aace2415842eb3d96f";
static const char BEGIN_SRI[] =
	"624748044c0000016b1e281c060700118605010101a011600f80020780a1090607040000010014036c1fa11d"
	"02010102012d30158007914477000940658101ff820791447700099099";
static const char BEGIN_UL[] =
	"622e48044c0000026c26a124020103020102301c040800010100000021f38107914477000970000407914477"
	"00097000";

#define T0 UINT64_C(1794736800000000)

/* --- a sink that keeps the events --- */

enum { MAX_EVENTS = 64 };
static struct event events[MAX_EVENTS];
static unsigned nevents;

static void on_event(void *ud, const struct event *e)
{
	(void)ud;
	if (nevents < MAX_EVENTS)
		events[nevents] = *e;
	nevents++;
}

static const struct event_sink sink = { on_event, NULL };
static struct stats stats;

/* --- messages --- */

static uint8_t bytes[1024];

static size_t hex(const char *h)
{
	size_t n = 0;
	for (const char *c = h; c[0] && c[1]; c++) {
		if (*c == ' ')
			continue;
		unsigned v;
		sscanf(c, "%2x", &v);
		bytes[n++] = (uint8_t)v;
		c++;
	}
	return n;
}

static struct sccp_addr gt(const char *digits)
{
	struct sccp_addr a;
	memset(&a, 0, sizeof a);
	a.present = a.has_gt = a.has_ssn = a.route_on_gt = true;
	a.gti = 4;
	a.ssn = 8;
	snprintf(a.digits, sizeof a.digits, "%s", digits);
	return a;
}

static struct sccp_addr msc, smsc, other;

/* Feeds one TCAP message (hex) sent from `from` to `to`, as frame `frame` at T0 + ms. */
static void feed(struct map_module *mod, const char *h, const struct sccp_addr *from, const struct sccp_addr *to,
		 uint64_t frame, uint64_t ms)
{
	size_t n = hex(h);
	uint8_t *copy = malloc(n);
	memcpy(copy, bytes, n);
	struct tcap_msg m;
	enum tcap_status st = tcap_parse(copy, n, false, &m);
	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.ts_us = T0 + ms * 1000;
	pkt.frame_no = frame;
	pkt.ip_proto = 132;
	pkt.sport = pkt.dport = 2905;
	struct parse_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.pkt = &pkt;
	ctx.events = &sink;
	ctx.stats = &stats;
	ctx.module = mod;
	struct map_route route = { from, to, false, 0, 0 };
	map_sms_tcap(mod, &ctx, &route, &m, st);
	free(copy);
}

static void reset(void)
{
	nevents = 0;
	memset(events, 0, sizeof events);
	memset(&stats, 0, sizeof stats);
}

static void test_outcomes(void)
{
	struct map_module *mod = map_module_new(&stats, NULL);
	reset();
	feed(mod, BEGIN_MO, &msc, &smsc, 1, 0);
	CHECK_EQ_INT(nevents, 0);
	CHECK_EQ_INT(map_module_pending(mod), 1);
	feed(mod, END_RESULT, &smsc, &msc, 2, 40);
	CHECK_EQ_INT(nevents, 1);
	CHECK_EQ_INT(map_module_pending(mod), 0);
	CHECK_EQ_INT(events[0].type, EV_SMS);
	CHECK_EQ_STR(events[0].protocol, "map");
	CHECK_EQ_STR(events[0].from, "+447700900123");
	CHECK_EQ_STR(events[0].to, "+447700900456");
	CHECK_EQ_STR(events[0].outcome, "accepted");
	CHECK_EQ_STR(events[0].call_id, "tcap:0a0b0c01");
	CHECK_EQ_STR(events[0].subtype, "");
	CHECK_EQ_INT(events[0].ts_us, T0);
	CHECK_EQ_INT(events[0].nframes, 2);
	CHECK_EQ_INT(events[0].frames[0], 1);
	CHECK_EQ_INT(events[0].frames[1], 2);
	CHECK_EQ_INT(stats.tcap_messages, 2);

	const char *failing[] = { END_ERROR, END_REJECT, ABORT_P };
	for (size_t i = 0; i < 3; i++) {
		reset();
		feed(mod, BEGIN_MO, &msc, &smsc, 1, 0);
		feed(mod, failing[i], &smsc, &msc, 2, 10);
		CHECK_EQ_INT(nevents, 1);
		CHECK_EQ_STR(events[0].outcome, "failed");
		CHECK_EQ_INT(map_module_pending(mod), 0);
	}
	/* an End without an answer: no outcome */
	reset();
	feed(mod, BEGIN_MO, &msc, &smsc, 1, 0);
	feed(mod, END_EMPTY, &smsc, &msc, 2, 10);
	CHECK_EQ_INT(nevents, 1);
	CHECK_EQ_STR(events[0].outcome, "");
	/* refused for its context: no record (the retry is the record) */
	reset();
	feed(mod, BEGIN_MO, &msc, &smsc, 1, 0);
	feed(mod, ABORT_REFUSED, &smsc, &msc, 2, 10);
	CHECK_EQ_INT(nevents, 0);
	CHECK_EQ_INT(map_module_pending(mod), 0);
	/* MT: SMS-DELIVER to an IMSI */
	reset();
	feed(mod, BEGIN_MT, &smsc, &msc, 1, 0);
	feed(mod, END_MT_RESULT, &msc, &smsc, 2, 10);
	CHECK_EQ_INT(nevents, 1);
	CHECK_EQ_STR(events[0].from, "+447700900123");
	CHECK_EQ_STR(events[0].to, "imsi:001010000000456");
	CHECK_EQ_STR(events[0].outcome, "accepted");
	CHECK_EQ_STR(events[0].call_id, "tcap:6d000001");
	map_module_free(mod);
}

static void test_matching(void)
{
	struct map_module *mod = map_module_new(&stats, NULL);
	reset();
	/* an answer sent to another address, or answering another transaction: not ours */
	feed(mod, BEGIN_MO, &msc, &smsc, 1, 0);
	feed(mod, END_RESULT, &smsc, &other, 2, 10);
	feed(mod, END_MT_RESULT, &smsc, &msc, 3, 10);
	CHECK_EQ_INT(nevents, 0);
	CHECK_EQ_INT(map_module_pending(mod), 1);
	/* the same invoke seen twice: one record */
	feed(mod, BEGIN_MO, &msc, &smsc, 4, 20);
	CHECK_EQ_INT(map_module_pending(mod), 1);
	/* end of input: recorded without outcome */
	map_module_finish(mod, &sink);
	CHECK_EQ_INT(nevents, 1);
	CHECK_EQ_STR(events[0].outcome, "");
	CHECK_EQ_INT(map_module_pending(mod), 0);

	/* the timeout */
	reset();
	feed(mod, BEGIN_MO, &msc, &smsc, 1, 0);
	map_module_tick(mod, T0 + MAP_RESPONSE_TIMEOUT_US - 1000, &sink);
	CHECK_EQ_INT(nevents, 0);
	map_module_tick(mod, T0 + MAP_RESPONSE_TIMEOUT_US + 1000, &sink);
	CHECK_EQ_INT(nevents, 1);
	CHECK_EQ_STR(events[0].outcome, "");
	/* the late answer then finds nothing */
	feed(mod, END_RESULT, &smsc, &msc, 2, 700000);
	CHECK_EQ_INT(nevents, 1);
	map_module_free(mod);

	/* a full table: the oldest is recorded without outcome, and counted */
	reset();
	struct map_module *small = map_module_new_sized(&stats, 16);
	char h[sizeof BEGIN_MO];
	for (int i = 0; i < 17; i++) {
		memcpy(h, BEGIN_MO, sizeof h);
		char tid[9];
		snprintf(tid, sizeof tid, "%08x", 0x100 + i);
		memcpy(h + 8, tid, 8); /* the OTID's four octets */
		feed(small, h, &msc, &smsc, (uint64_t)i + 1, (uint64_t)i);
	}
	CHECK_EQ_INT(map_module_pending(small), 16);
	CHECK_EQ_INT(stats.anomalies[ANOM_MAP_PENDING_FULL], 1);
	CHECK_EQ_INT(nevents, 1);
	CHECK_EQ_STR(events[0].call_id, "tcap:00000100");
	map_module_finish(small, &sink);
	CHECK_EQ_INT(nevents, 17);
	map_module_free(small);
}

static void test_counters(void)
{
	struct map_module *mod = map_module_new(&stats, NULL);
	reset();
	feed(mod, BEGIN_SRI, &smsc, &other, 1, 0);
	feed(mod, BEGIN_UL, &other, &msc, 2, 0);
	feed(mod, BEGIN_CAP, &msc, &other, 3, 0);
	CHECK_EQ_INT(stats.tcap_messages, 3);
	CHECK_EQ_INT(stats.tcap_non_map, 1);
	CHECK_EQ_INT(stats.map_ops_sri_sm, 1);
	CHECK_EQ_INT(stats.map_ops_update_location, 1);
	CHECK_EQ_INT(stats.map_ops_other, 0);
	CHECK_EQ_INT(map_module_pending(mod), 0); /* CAMEL's opcode 46 is not an SMS */
	map_module_finish(mod, &sink);
	CHECK_EQ_INT(nevents, 0);

	/* a malformed argument: counted, an operation not recorded */
	reset();
	char h[sizeof BEGIN_MO];
	memcpy(h, BEGIN_MO, sizeof h);
	memcpy(strstr(h, "3031840791"), "3131", 4); /* the argument is a SET */
	feed(mod, h, &msc, &smsc, 1, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_TCAP_MALFORMED], 1);
	CHECK_EQ_INT(stats.map_ops_other, 1);
	CHECK_EQ_INT(map_module_pending(mod), 0);
	/* a malformed TCAP message: counted, not a TCAP message seen */
	feed(mod, "62056c03a10100", &msc, &smsc, 2, 0);
	CHECK_EQ_INT(stats.anomalies[ANOM_TCAP_MALFORMED], 2);
	CHECK_EQ_INT(stats.tcap_messages, 1); /* the one before */
	map_module_free(mod);

	/* no module (a fuzz driver): parsed and counted, nothing held */
	reset();
	feed(NULL, BEGIN_MO, &msc, &smsc, 1, 0);
	feed(NULL, END_RESULT, &smsc, &msc, 2, 0);
	CHECK_EQ_INT(nevents, 0);
	CHECK_EQ_INT(stats.tcap_messages, 2);
}

int main(void)
{
	msc = gt("447700900500");
	smsc = gt("447700900999");
	other = gt("447700900600");
	test_outcomes();
	test_matching();
	test_counters();
	return check_done("test_map_sms");
}
