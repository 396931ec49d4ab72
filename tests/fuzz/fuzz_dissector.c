/*
 * fuzz_dissector.c — the libFuzzer target for one dissector of the registry
 * (src/proto/registry.c), whichever it is: the same code fuzzes SIP today and every
 * dissector added later, with no new code (STYLE.md, "Tests"; libpcap's onefile.c).
 *
 * Which dissector: the name compiled in with -DDISSECTOR_NAME="sip", else the
 * environment variable PENTRAP_FUZZ_DISSECTOR, else the program's own name after
 * "fuzz_" or "replay_" (a link fuzz_dns -> fuzz_dissector fuzzes DNS).
 * PENTRAP_FUZZ_LIST=1 prints the registry's names, one a line, and exits.
 *
 * The input is one flow, a conversation between an initiator and a responder:
 *
 *   byte 0      flags: bits 0-1 pick the transport among those the dissector runs
 *               on (UDP, TCP, SCTP in that order, modulo their number)
 *   bytes 1-4   the initiator's port and the responder's port, big-endian
 *   chunks      each a 2-byte big-endian header and its bytes:
 *                 bit 15     direction: 0 initiator to responder, 1 the reverse
 *                 bit 14     TCP: held back and delivered after the next chunk of
 *                            its direction (out of order); ignored on datagrams
 *                 bits 0-13  length (fewer bytes at the end of the input are taken)
 *
 * Datagram transports (and SCTP user messages for dissectors that take them by PPID):
 * each chunk is one datagram. TCP: chunks are segments of the
 * two directions, put back in order by the real reassembly (flow/reasm.h) and handed
 * to the dissector as the pipeline does (pipeline.c, parse_stream). Every buffer the
 * dissector sees is an exact-size heap copy, so the address sanitizer catches a read
 * one byte past the end. tests/fuzz/seed_from_pcap.c writes this format from captures.
 *
 * After the chunks: the flow ends (state_end), a month passes (module_tick), the input
 * ends (module_finish). Every event emitted is checked for unterminated strings.
 *
 * The dissector's module instance (tables shared across flows) is made fresh for each
 * input in the replay builds. Under libFuzzer (PENTRAP_FUZZ_PERSISTENT) it is made
 * once and kept, drained by that tick and finish after each input, because some
 * modules take tens of milliseconds to set up (SIP's and RADIUS's tables) and would
 * hold the fuzzer to a few inputs a second; PENTRAP_FUZZ_FRESH=1 makes it fresh again
 * (to confirm a crash alone). A layer (SCTP) is made with the registry's dissectors
 * that take its user messages and modules of their own, as the pipeline makes it, so
 * the hand-over to MAP is fuzzed by the SCTP target too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "flow/flow.h"
#include "flow/reasm.h"
#include "proto/proto.h"
#ifdef PENTRAP_FUZZ_HAVE_IDENTITY
#include "identity/identity.h"
#endif
#ifdef PENTRAP_FUZZ_HAVE_NAMES
#include "identity/names.h"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	HDR_LEN = 5,
	CHUNK_DIR = 0x8000,
	CHUNK_HOLD = 0x4000,
	CHUNK_LEN = 0x3fff,
	STREAM_CAP = 65536,        /* the flow table's default per-direction cap */
	MAX_PARSE_ROUNDS = 100000, /* a dissector that consumes a byte a call still ends */
};
#define T0_US UINT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

static const struct dissector *target;
static int target_index = -1;
#ifdef PENTRAP_FUZZ_PERSISTENT
static bool keep_module = true;
#else
static bool keep_module = false;
#endif
static struct stats kept_stats; /* the kept module's counters */

/*
 * The target's module instance: module_new's, or for a layer (SCTP) layer_new's, made
 * with the registry's dissectors that take its messages and modules of their own
 * (proto.h), so what the layer hands on is fuzzed too.
 */
enum { MAX_USERS = 32 };
struct made {
	void *module;
	void *user_modules[MAX_USERS]; /* a layer's users' modules, by registry index */
	size_t nusers;
};
static struct made kept; /* under PENTRAP_FUZZ_PERSISTENT */
static bool kept_made;

static int made_new(struct made *m, struct stats *st)
{
	memset(m, 0, sizeof *m);
	if (target->layer_new) {
		struct proto_user users[MAX_USERS];
		for (size_t i = 0; proto_registry[i] && m->nusers < MAX_USERS; i++, m->nusers++) {
			const struct dissector *d = proto_registry[i];
			void *mod = NULL;
			if (d != target && d->sctp_ppid[0] && d->module_new && !(mod = d->module_new(st, NULL)))
				return -1;
			m->user_modules[i] = mod;
			users[i] = (struct proto_user){ d, mod };
		}
		m->module = target->layer_new(st, users, m->nusers);
		return m->module ? 0 : -1;
	}
	if (target->module_new && !(m->module = target->module_new(st, NULL)))
		return -1;
	return 0;
}

/* Time passes and the input ends for the users' modules too (they emit what they hold). */
static void made_drain(struct made *m, uint64_t later_us, const struct event_sink *events)
{
	for (size_t i = 0; i < m->nusers; i++) {
		const struct dissector *d = proto_registry[i];
		if (m->user_modules[i] && d->module_tick)
			d->module_tick(m->user_modules[i], later_us, events);
		if (m->user_modules[i] && d->module_finish)
			d->module_finish(m->user_modules[i], events);
	}
}

static void made_free(struct made *m)
{
	if (m->module && target->module_free)
		target->module_free(m->module);
	for (size_t i = 0; i < m->nusers; i++)
		if (m->user_modules[i] && proto_registry[i]->module_free)
			proto_registry[i]->module_free(m->user_modules[i]);
	memset(m, 0, sizeof *m);
}

/* The dissector's name: compiled in, from the environment, or from argv[0]. */
static const char *wanted_name(const char *argv0)
{
#ifdef DISSECTOR_NAME
	(void)argv0;
	return DISSECTOR_NAME;
#else
	const char *env = getenv("PENTRAP_FUZZ_DISSECTOR");
	if (env && *env)
		return env;
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	base = base ? base + 1 : argv0;
	if (base && strncmp(base, "fuzz_", 5) == 0 && strcmp(base, "fuzz_dissector") != 0)
		return base + 5;
	if (base && strncmp(base, "replay_", 7) == 0 && strcmp(base, "replay_dissector") != 0)
		return base + 7;
	return NULL;
#endif
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *list = getenv("PENTRAP_FUZZ_LIST");
	if (list && *list == '1') {
		for (size_t i = 0; proto_registry[i]; i++)
			printf("%s\n", proto_registry[i]->name);
		exit(0);
	}
	const char *name = wanted_name(argc && *argc > 0 ? (*argv)[0] : NULL);
	if (!name) {
		fprintf(stderr, "fuzz_dissector: which dissector? set PENTRAP_FUZZ_DISSECTOR "
				"(PENTRAP_FUZZ_LIST=1 lists them)\n");
		exit(2);
	}
	target_index = proto_find(name);
	if (target_index < 0) {
		fprintf(stderr, "fuzz_dissector: no dissector '%s' in the registry\n", name);
		exit(2);
	}
	target = proto_registry[target_index];
	const char *fresh = getenv("PENTRAP_FUZZ_FRESH");
	if (fresh && *fresh == '1')
		keep_module = false;
	return 0;
}

/* ---- events: everything a sink may read must be in bounds ---- */

static void check_string(const char *s, size_t size)
{
	if (!memchr(s, 0, size)) {
		fprintf(stderr, "fuzz_dissector: event string not NUL-terminated\n");
		abort();
	}
}

static void on_event(void *ud, const struct event *e)
{
	unsigned *n = ud;
	(*n)++;
	if ((unsigned)e->type >= EV__COUNT || !e->protocol || e->nframes > EVENT_MAX_FRAMES) {
		fprintf(stderr, "fuzz_dissector: event with type %d, protocol %p, %u frames\n", (int)e->type,
			(const void *)e->protocol, e->nframes);
		abort();
	}
	check_string(e->from, sizeof e->from);
	check_string(e->to, sizeof e->to);
	check_string(e->service, sizeof e->service);
	check_string(e->signature, sizeof e->signature);
	check_string(e->outcome, sizeof e->outcome);
	check_string(e->call_id, sizeof e->call_id);
	check_string(e->contact, sizeof e->contact);
	check_string(e->subtype, sizeof e->subtype);
	check_string(e->name, sizeof e->name);
	(void)strlen(e->protocol);
}

/* ---- one flow ---- */

struct conv {
	struct stats stats;
	struct flow flow;
	struct event_sink events;
	void *module;
	struct identity_map *identity; /* when the tree has one (CMake checks) */
	struct name_cache *names;
	uint8_t ip_proto;
	uint64_t now_us;
	uint64_t frame_no;
	/* TCP */
	struct tcp_stream *stream[2];
	uint32_t next_seq[2];
	uint8_t *held[2];
	size_t held_len[2];
	uint32_t held_seq[2];
};

static void make_packet(const struct conv *cv, int dir, const uint8_t *payload, size_t len,
			uint32_t seq, struct packet *pkt)
{
	memset(pkt, 0, sizeof *pkt);
	pkt->ts_us = cv->now_us;
	pkt->frame_no = cv->frame_no;
	pkt->src = cv->flow.key.addr[dir];
	pkt->dst = cv->flow.key.addr[!dir];
	pkt->sport = cv->flow.key.port[dir];
	pkt->dport = cv->flow.key.port[!dir];
	pkt->ip_proto = cv->ip_proto;
	pkt->ttl = 64;
	pkt->payload = payload;
	pkt->payload_len = (uint32_t)len;
	pkt->caplen = pkt->wirelen = (uint32_t)len + 40;
	pkt->tcp_seq = seq;
	pkt->tcp_ack = cv->next_seq[!dir];
	pkt->tcp_flags = cv->ip_proto == IPPROTO_TCP_ ? TCP_ACK | TCP_PSH : 0;
}

static void ctx_init(struct conv *cv, struct parse_ctx *ctx, int dir, const struct packet *pkt)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->pkt = pkt;
	ctx->flow = &cv->flow;
	ctx->dir = dir;
	ctx->state = cv->flow.proto_state;
	ctx->module = cv->module;
	ctx->events = &cv->events;
	ctx->stats = &cv->stats;
	ctx->identity = cv->identity;
	ctx->names = cv->names;
}

/* Flow bookkeeping the table would do for a packet. */
static void count_packet(struct conv *cv, int dir, size_t len)
{
	cv->frame_no++;
	cv->now_us += 1000;
	cv->flow.packets[dir]++;
	cv->flow.bytes[dir] += len;
	cv->flow.last_ts_us = cv->now_us;
}

static void datagram(struct conv *cv, int dir, const uint8_t *data, size_t len)
{
	count_packet(cv, dir, len);
	if (len == 0)
		return; /* the pipeline hands no empty payload to a dissector */
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, data, len);
	struct packet pkt;
	make_packet(cv, dir, copy, len, 0, &pkt);
	(void)target->recognise(copy, len, &pkt);
	struct parse_ctx ctx;
	ctx_init(cv, &ctx, dir, &pkt);
	size_t consumed = 0;
	(void)target->parse(&ctx, copy, len, &consumed);
	free(copy);
}

/* The pipeline's parse loop over a stream's in-order bytes, each call on an exact copy. */
static void parse_stream(struct conv *cv, int dir, const struct packet *pkt)
{
	struct tcp_stream *s = cv->stream[dir];
	struct parse_ctx ctx;
	ctx_init(cv, &ctx, dir, pkt);
	for (int round = 0; round < MAX_PARSE_ROUNDS; round++) {
		size_t len, consumed = 0;
		const uint8_t *data = tcp_stream_data(s, &len);
		if (len == 0)
			break;
		uint8_t *copy = malloc(len);
		if (!copy)
			break;
		memcpy(copy, data, len);
		enum parse_status st = target->parse(&ctx, copy, len, &consumed);
		free(copy);
		if (consumed > len)
			consumed = len;
		if (st == PARSE_MALFORMED || st == PARSE_DONE) {
			tcp_stream_consume(s, len); /* (the pipeline drops a done direction's stream) */
			break;
		}
		tcp_stream_consume(s, consumed);
		if (st == PARSE_NEED_MORE || consumed == 0)
			break;
	}
}

static void segment(struct conv *cv, int dir, const uint8_t *data, size_t len, uint32_t seq)
{
	count_packet(cv, dir, len);
	if (len == 0)
		return;
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, data, len);
	struct packet pkt;
	make_packet(cv, dir, copy, len, seq, &pkt);
	(void)target->recognise(copy, len, &pkt);
	tcp_stream_add(cv->stream[dir], seq, false, copy, len);
	parse_stream(cv, dir, &pkt);
	free(copy);
}

static void tcp_chunk(struct conv *cv, int dir, bool hold, const uint8_t *data, size_t len)
{
	uint32_t seq = cv->next_seq[dir];
	cv->next_seq[dir] += (uint32_t)len;
	if (hold && !cv->held[dir] && len) {
		cv->held[dir] = malloc(len);
		if (cv->held[dir]) {
			memcpy(cv->held[dir], data, len);
			cv->held_len[dir] = len;
			cv->held_seq[dir] = seq;
			return;
		}
	}
	segment(cv, dir, data, len, seq);
	if (cv->held[dir]) {
		segment(cv, dir, cv->held[dir], cv->held_len[dir], cv->held_seq[dir]);
		free(cv->held[dir]);
		cv->held[dir] = NULL;
	}
}

/*
 * The transport of this input: one of the dissector's, by the flags byte. A dissector
 * with none of its own takes SCTP user messages by PPID (proto.h sctp_ppid): one chunk
 * is then one user message, as the SCTP layer hands them on.
 */
static unsigned pick_transport(const struct dissector *d, uint8_t flags)
{
	static const unsigned order[] = { T_UDP, T_TCP, T_SCTP };
	unsigned have[3], n = 0;
	for (unsigned i = 0; i < 3; i++)
		if (d->transports & order[i])
			have[n++] = order[i];
	if (n == 0)
		return d->sctp_ppid[0] ? T_SCTP : T_UDP;
	return have[(flags & 3u) % n];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!target || size < HDR_LEN)
		return 0;
	unsigned transport = pick_transport(target, data[0]);

	struct conv *cv = calloc(1, sizeof *cv);
	if (!cv)
		return 0;
	struct made fresh = { 0 }, *made = NULL;
	unsigned nevents = 0;
	cv->events.emit = on_event;
	cv->events.ud = &nevents;
	cv->ip_proto = transport == T_TCP ? IPPROTO_TCP_ : transport == T_SCTP ? IPPROTO_SCTP_ : IPPROTO_UDP_;
	cv->now_us = T0_US;
	addr_parse("198.51.100.1", &cv->flow.key.addr[0]);
	addr_parse("203.0.113.2", &cv->flow.key.addr[1]);
	cv->flow.key.port[0] = (uint16_t)(data[1] << 8 | data[2]);
	cv->flow.key.port[1] = (uint16_t)(data[3] << 8 | data[4]);
	cv->flow.key.proto = cv->ip_proto;
	cv->flow.first_ts_us = cv->flow.last_ts_us = T0_US;
	cv->flow.first_frame = 1;
	cv->flow.dissector = (uint8_t)target_index;
	if (keep_module && !kept_made) {
		if (made_new(&kept, &kept_stats) != 0) {
			made_free(&kept);
			goto out;
		}
		kept_made = true;
	}
	if (!keep_module && made_new(&fresh, &cv->stats) != 0)
		goto out;
	made = keep_module ? &kept : &fresh;
	cv->module = made->module;
#ifdef PENTRAP_FUZZ_HAVE_IDENTITY
	if (!(cv->identity = identity_map_new(64, &cv->stats)))
		goto out;
#endif
#ifdef PENTRAP_FUZZ_HAVE_NAMES
	if (!(cv->names = name_cache_new(64, &cv->stats)))
		goto out;
#endif
	if (target->state_size && !(cv->flow.proto_state = calloc(1, target->state_size)))
		goto out;
	if (transport == T_TCP) {
		for (int d = 0; d < 2; d++) {
			if (!(cv->stream[d] = tcp_stream_new(STREAM_CAP, &cv->stats)))
				goto out;
			cv->next_seq[d] = d ? 0x7ffffff0u : 1000u; /* one of them wraps soon */
			tcp_stream_add(cv->stream[d], cv->next_seq[d] - 1, true, NULL, 0);
		}
	}

	size_t off = HDR_LEN;
	while (off + 2 <= size) {
		unsigned h = (unsigned)(data[off] << 8 | data[off + 1]);
		off += 2;
		size_t len = h & CHUNK_LEN;
		if (len > size - off)
			len = size - off;
		int dir = (h & CHUNK_DIR) ? 1 : 0;
		if (transport == T_TCP)
			tcp_chunk(cv, dir, (h & CHUNK_HOLD) != 0, data + off, len);
		else
			datagram(cv, dir, data + off, len);
		off += len;
	}
	for (int d = 0; d < 2; d++) {
		if (cv->held[d]) { /* held back with nothing after it: it arrives last */
			segment(cv, d, cv->held[d], cv->held_len[d], cv->held_seq[d]);
			free(cv->held[d]);
			cv->held[d] = NULL;
		}
	}

	/* The flow ends, time passes, the input ends: as pipeline_finish would have it. */
	if (target->state_end && (cv->flow.proto_state || !target->state_size)) {
		struct parse_ctx ctx;
		ctx_init(cv, &ctx, 0, NULL);
		target->state_end(&ctx);
	}
	if (cv->module && target->module_tick)
		target->module_tick(cv->module, cv->now_us + UINT64_C(30) * 86400 * 1000000, &cv->events);
	if (cv->module && target->module_finish)
		target->module_finish(cv->module, &cv->events);
	made_drain(made, cv->now_us + UINT64_C(30) * 86400 * 1000000, &cv->events);
out:
	made_free(&fresh);
	free(cv->flow.proto_state);
#ifdef PENTRAP_FUZZ_HAVE_IDENTITY
	identity_map_free(cv->identity);
#endif
#ifdef PENTRAP_FUZZ_HAVE_NAMES
	name_cache_free(cv->names);
#endif
	for (int d = 0; d < 2; d++) {
		tcp_stream_free(cv->stream[d]);
		free(cv->held[d]);
	}
	free(cv);
	return 0;
}
