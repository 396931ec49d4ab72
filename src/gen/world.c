/*
 * world.c — one generator run: options checked, the subscribers made (identities from
 * the seed), every subscriber's attach and every scenario's arrival process scheduled,
 * the scheduler run, the outputs closed.
 *
 * Identities are fictional by construction: MSISDNs +1 555 xxx xxxx (NANP 555 is not a
 * geographic area code), IMSIs under MCC 001 / MNC 01 (the ITU test network), IMEIs
 * with made-up TACs 35000011 (iPhone) and 35000022 (Android) and a valid Luhn digit.
 */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"
#include "gen/pcap_writer.h"
#include "gen/sched.h"

const char *const gen_tag_names[TAG__COUNT] = {
	[TAG_NONE] = "none",   [TAG_SIP] = "sip",       [TAG_SMPP] = "smpp",     [TAG_GTPV2] = "gtpv2",
	[TAG_MAP] = "map",     [TAG_RADIUS] = "radius", [TAG_DNS] = "dns",       [TAG_TLS_CH] = "tls_client_hello",
	[TAG_QUIC_CH] = "quic_initial",
};

/* 2026-11-02T00:00:00Z: every capture starts here plus (seed mod 30 days). */
static const uint64_t GEN_EPOCH_S = 1793577600u;

static const episode_fn scenario_fn[SC__COUNT] = {
	[SC_WEB] = gen_ep_web,           [SC_CALL] = gen_ep_call,       [SC_SIP_SMS] = gen_ep_sip_sms,
	[SC_SMPP_SMS] = gen_ep_smpp_sms, [SC_MAP_SMS] = gen_ep_map_sms, [SC_IMESSAGE] = gen_ep_imessage,
	[SC_FACETIME] = gen_ep_facetime, [SC_WA_MSG] = gen_ep_wa_msg,   [SC_WA_CALL] = gen_ep_wa_call,
	[SC_WIFI] = gen_ep_wifi,         [SC_CHURN] = gen_ep_churn,     [SC_STORY] = gen_ep_story,
	[SC_CHAT_MSG] = gen_ep_chat_msg, [SC_RTC_CALL] = gen_ep_rtc_call, [SC_STREAM] = gen_ep_stream,
	[SC_GAME] = gen_ep_game,
};

int gen_parse_noise(const char *list, unsigned *bits)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "retrans", GEN_NOISE_RETRANS }, { "reorder", GEN_NOISE_REORDER },
		{ "frag", GEN_NOISE_FRAGMENT },   { "snaplen", GEN_NOISE_SNAPLEN },
		{ "none", 0 },
	};
	unsigned out = 0;
	const char *p = list;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t i = 0;
		for (; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
				break;
		if (i == sizeof names / sizeof names[0])
			return -1;
		out |= names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	*bits = out;
	return 0;
}

/* The scenarios --message-rate scales: one message each. */
static bool is_message(enum scenario sc)
{
	return sc == SC_SIP_SMS || sc == SC_SMPP_SMS || sc == SC_MAP_SMS || sc == SC_IMESSAGE || sc == SC_WA_MSG;
}

static double mean_gap_us(const struct gen_ctx *g, enum scenario sc)
{
	double per_hour = g->mix->per_hour[sc];
	if (is_message(sc) && g->opt->message_rate > 0)
		per_hour *= g->opt->message_rate;
	if (per_hour <= 0)
		return 0;
	return 3600e6 / (per_hour * (double)g->nsubs);
}

static void arrival(struct gen_ctx *g, const struct episode *e)
{
	struct episode one = { .start = g->now, .seq = e->seq, .run = scenario_fn[e->a], .a = GEN_ANY, .b = GEN_ANY };
	one.run(g, &one);
	double gap = gen_rng_exp(&g->rng, mean_gap_us(g, (enum scenario)e->a));
	gen_schedule(g, g->now + 1 + (uint64_t)gap, arrival, e->a, 0, NULL);
}

static char luhn(const char *d)
{
	int sum = 0;
	size_t n = strlen(d);
	for (size_t i = 0; i < n; i++) {
		int v = d[n - 1 - i] - '0';
		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

static void make_subscribers(struct gen_ctx *g)
{
	uint64_t m_off = gen_rng_u64(&g->rng) % 10000000u, i_off = gen_rng_u64(&g->rng) % 10000000000ull;
	bool story = strcmp(g->mix->name, "imessage-story") == 0;
	for (uint32_t i = 0; i < g->nsubs; i++) {
		struct subscriber *s = &g->subs[i];
		/* i -> (a i + b) mod 10^k with a coprime to 10 is a bijection: no two alike */
		snprintf(s->msisdn, sizeof s->msisdn, "1555%07llu", (unsigned long long)((i * 7919ull + m_off) % 10000000u));
		snprintf(s->imsi, sizeof s->imsi, "00101%010llu",
			 (unsigned long long)((i * 104729ull + i_off) % 10000000000ull));
		s->device = (story && i < 2) || gen_rng_chance(&g->rng, 0.5) ? DEV_IPHONE : DEV_ANDROID;
		char body[15];
		snprintf(body, sizeof body, "%s%06u", s->device == DEV_IPHONE ? "35000011" : "35000022", i % 1000000u);
		snprintf(s->imei, sizeof s->imei, "%s%c", body, luhn(body));
		s->whatsapp = gen_rng_chance(&g->rng, 0.6);
		s->v6 = !(story && i < 2) && gen_rng_chance(&g->rng, 0.15);
		s->sgw = (uint8_t)(i % 4);
	}
}

int gen_run(const struct gen_options *opt, struct gen_result *res, char *errbuf, size_t errlen)
{
	int status = 1;
	struct gen_ctx *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(errbuf, errlen, "out of memory");
		return 1;
	}
	g->opt = opt;
	g->mix = gen_mix_find(opt->mix ? opt->mix : "default");
	if (!g->mix) {
		snprintf(errbuf, errlen, "unknown mix '%s'", opt->mix);
		status = 2;
		goto out;
	}
	g->nsubs = opt->subscribers ? opt->subscribers : 1000;
	if (g->nsubs < 2 || g->nsubs > 5000000) {
		snprintf(errbuf, errlen, "--subscribers must be between 2 and 5000000");
		status = 2;
		goto out;
	}
	g->subs = calloc(g->nsubs, sizeof *g->subs);
	if (!g->subs) {
		snprintf(errbuf, errlen, "out of memory for %u subscribers", g->nsubs);
		goto out;
	}
	gen_rng_seed(&g->rng, opt->seed);
	g->t0 = (GEN_EPOCH_S + opt->seed % (30u * 86400u)) * 1000000u;
	g->end = opt->duration_s > 0 ? g->t0 + (uint64_t)(opt->duration_s * 1e6) : UINT64_MAX;
	g->now = g->t0;
	g->snaplen = (opt->noise & GEN_NOISE_SNAPLEN) ? 200 : 65535;
	g->next_teid = 0x10000000u + (uint32_t)(gen_rng_u64(&g->rng) & 0x0fffffffu);
	g->next_id = gen_rng_u64(&g->rng) >> 16;
	g->radius_id = gen_rng_below(&g->rng, 256);
	make_subscribers(g);

	g->pcap = strcmp(opt->out_path, "-") == 0 ? stdout : fopen(opt->out_path, "wb");
	if (!g->pcap) {
		snprintf(errbuf, errlen, "%s: cannot create", opt->out_path);
		goto out;
	}
	if (g->pcap != stdout) /* stdout outlives g: it keeps its own buffer */
		setvbuf(g->pcap, g->pcap_buffer, _IOFBF, sizeof g->pcap_buffer);
	if (opt->truth_path) {
		g->truth = fopen(opt->truth_path, "w");
		if (!g->truth) {
			snprintf(errbuf, errlen, "%s: cannot create", opt->truth_path);
			goto out;
		}
		setvbuf(g->truth, g->truth_buffer, _IOFBF, sizeof g->truth_buffer);
	}
	if (gen_pcap_header(g->pcap, g->snaplen) != 0) {
		snprintf(errbuf, errlen, "%s: write failed", opt->out_path);
		goto out;
	}

	gen_sched_init(g);
	gen_attach_all(g);
	for (int sc = 0; sc < SC__COUNT; sc++)
		if (mean_gap_us(g, (enum scenario)sc) > 0)
			gen_schedule(g, g->t0 + 1000000u + (uint64_t)gen_rng_exp(&g->rng, mean_gap_us(g, (enum scenario)sc)),
				     arrival, (uint32_t)sc, 0, NULL);
	if (strcmp(g->mix->name, "imessage-story") == 0)
		gen_schedule(g, g->t0 + 2000000u, gen_ep_story, 0, 0, NULL);

	if (gen_sched_loop(g) != 0) {
		snprintf(errbuf, errlen, "%s: write failed", opt->out_path);
		goto out;
	}
	if (g->truth) {
		/* the closing line: what the capture holds, for tests that compare with tshark */
		fprintf(g->truth, "{\"type\":\"summary\",\"seed\":%llu,\"subscribers\":%u,\"mix\":\"%s\",\"packets\":%llu,"
				  "\"messages\":{", (unsigned long long)opt->seed, g->nsubs, g->mix->name,
			(unsigned long long)g->written);
		for (int i = 1; i < TAG__COUNT; i++)
			fprintf(g->truth, "%s\"%s\":%llu", i > 1 ? "," : "", gen_tag_names[i],
				(unsigned long long)g->tag_count[i]);
		fputs("}}\n", g->truth);
	}
	if (fflush(g->pcap) != 0 || (g->truth && fflush(g->truth) != 0)) {
		snprintf(errbuf, errlen, "write failed");
		goto out;
	}
	if (res) {
		res->packets = g->written;
		res->bytes = g->bytes;
		res->truth_lines = g->truth_lines;
		res->capture_s = g->written ? (double)(g->last_ts - g->t0) / 1e6 : 0;
	}
	status = 0;
out:
	if (g->subs)
		gen_sched_free(g);
	gen_smpp_free(g);
	gen_sigtran_free(g);
	if (g->pcap && g->pcap != stdout && fclose(g->pcap) != 0 && status == 0) {
		snprintf(errbuf, errlen, "%s: write failed", opt->out_path);
		status = 1;
	}
	if (g->truth)
		fclose(g->truth);
	free(g->subs);
	free(g);
	return status;
}

int gen_pick_sub(struct gen_ctx *g, bool iphone, bool whatsapp, int other_than)
{
	/* in the story mix the two targets take part only in the story */
	uint32_t first = strcmp(g->mix->name, "imessage-story") == 0 && g->nsubs > 4 ? 2 : 0;
	for (int tries = 0; tries < 16; tries++) {
		uint32_t i = first + gen_rng_below(&g->rng, g->nsubs - first);
		const struct subscriber *s = &g->subs[i];
		if (!s->attached || s->usable_from > g->now || (int)i == other_than)
			continue;
		if ((iphone && s->device != DEV_IPHONE) || (whatsapp && !s->whatsapp))
			continue;
		return (int)i;
	}
	return -1;
}

bool gen_pick_pair(struct gen_ctx *g, uint32_t pin_a, uint32_t pin_b, bool iphone, bool whatsapp, int *ai, int *bi)
{
	*ai = pin_a != GEN_ANY ? (int)pin_a : gen_pick_sub(g, iphone, whatsapp, -1);
	if (*ai < 0)
		return false;
	*bi = pin_b != GEN_ANY ? (int)pin_b : gen_pick_sub(g, iphone, whatsapp, *ai);
	return *bi >= 0;
}

void gen_sub_busy(struct gen_ctx *g, uint32_t sub, uint64_t until)
{
	if (until > g->subs[sub].busy_until)
		g->subs[sub].busy_until = until;
}
