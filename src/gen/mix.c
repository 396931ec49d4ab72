/*
 * mix.c — the traffic mixes: how often each kind of scenario starts, per subscriber
 * per hour, and the imessage-story scenario.
 *
 * The default rates are shaped after published per-subscriber busy-hour figures, kept
 * round on purpose (they are a knob, not a measurement): a few call attempts and a few
 * SMS per subscriber in the busy hour (ITU-T E.500-style traffic engineering commonly
 * uses ~1-3 busy-hour call attempts per subscriber), tens of web sessions, and
 * messaging apps carrying more messages than SMS. Mean answered-call length 60-90 s
 * (the usual mobile average holding time).
 */
#include <string.h>

#include "gen/gen_internal.h"

const char *const gen_mix_names[] = { "default", "voice", "sms", "ott", "imessage-story", "apps", NULL };

/*                                        web  call  sipsms smpp  map  imsg   ft   wamsg wacall wifi churn story */
static const struct gen_mix mixes[] = {
	{ "default",        { [SC_WEB] = 40, [SC_CALL] = 2, [SC_SIP_SMS] = 2, [SC_SMPP_SMS] = 1, [SC_MAP_SMS] = 2,
			      [SC_IMESSAGE] = 8, [SC_FACETIME] = 0.5, [SC_WA_MSG] = 12, [SC_WA_CALL] = 0.5,
			      [SC_WIFI] = 1, [SC_CHURN] = 0.5 }, 60 },
	{ "voice",          { [SC_WEB] = 5, [SC_CALL] = 30, [SC_SIP_SMS] = 0.5 }, 90 },
	{ "sms",            { [SC_WEB] = 5, [SC_SIP_SMS] = 20, [SC_SMPP_SMS] = 20, [SC_MAP_SMS] = 20 }, 60 },
	{ "ott",            { [SC_WEB] = 20, [SC_IMESSAGE] = 40, [SC_FACETIME] = 2, [SC_WA_MSG] = 60,
			      [SC_WA_CALL] = 2, [SC_WIFI] = 2 }, 60 },
	/* two targets (subscribers 0 and 1) exchange SMS and iMessages; everyone else browses */
	{ "imessage-story", { [SC_WEB] = 20, [SC_WA_MSG] = 4, [SC_CALL] = 0.5, [SC_STORY] = 0 }, 60 },
	/* Telegram, Signal, Viber and Messenger messages with typing and receipts; calls of
	 * an app no signature knows; streaming and games over UDP that are not calls */
	{ "apps",           { [SC_WEB] = 10, [SC_CHAT_MSG] = 60, [SC_RTC_CALL] = 3, [SC_STREAM] = 2, [SC_GAME] = 2,
			      [SC_WIFI] = 1 }, 60 },
};

const struct gen_mix *gen_mix_find(const char *name)
{
	for (size_t i = 0; i < sizeof mixes / sizeof mixes[0]; i++)
		if (strcmp(mixes[i].name, name) == 0)
			return &mixes[i];
	return NULL;
}

/*
 * The story: every 20-60 s one of the two targets writes to the other, by SMS over
 * IMS or by iMessage (two in three), and now and then the other answers. Scheduled as
 * its own chain so its pace does not depend on the number of subscribers.
 */
void gen_ep_story(struct gen_ctx *g, const struct episode *e)
{
	struct episode one = *e;
	one.a = gen_rng_below(&g->rng, 2);  /* who writes */
	one.b = 1 - one.a;
	one.p = NULL;
	if (g->subs[0].attached && g->subs[1].attached && g->now >= g->subs[0].usable_from &&
	    g->now >= g->subs[1].usable_from) {
		if (gen_rng_below(&g->rng, 3) == 0)
			gen_ep_sip_sms(g, &one);
		else
			gen_ep_imessage(g, &one);
	}
	gen_schedule(g, g->now + (uint64_t)gen_rng_between(&g->rng, 20000000, 60000000), gen_ep_story, 0, 0, NULL);
}
