/*
 * pairing.c — joining the legs of one event on the way to the writer (pairing.h).
 *
 * Held legs. An app message or call record of a target (when the order has two targets
 * or more) is copied into a slot and passed out once it is decided: when the clock (the
 * latest time of any record passed in, or a live run's tick) is PAIRING_HOLD_S past it.
 * That is long enough for every leg it could pair with, and every leg up to
 * PAIRING_LOOKAHEAD_S after it that teaches the model, to have come in: a receive comes
 * at most PAIR_WINDOW_MAX_S after its send, and a message record at most call_setup_s
 * (15 s in the built-in definitions) after its time, while detection waits to see
 * whether it was a call's setup (detect/ott.c). A decided slot is kept as a competitor
 * until its place is needed, so a later decision still sees every leg that could have
 * been the other one.
 *
 * Messages. Deciding a send (the oldest first): the receives of the same service on
 * another device and of another target that fit it by the learned model
 * (pair_model.h) are its candidates. It is paired with the best when no other candidate
 * comes within AMBIGUITY of it, and no other send (decided or not, not already paired)
 * fits that receive within AMBIGUITY either; otherwise it stays unpaired. The pair
 * shares the send's event id, and each record names the other's target as counterpart,
 * with the score in its evidence (counterpart_score).
 *
 * Calls. Deciding a call's begin: begins of the same service on another device and of
 * another target within CALL_WINDOW_US are candidates; one whose media went to this
 * device's address (its contact) scores 95, else by how close the starts are; the same
 * ambiguity rule. Paired calls are remembered (CALL_PAIRS_MAX) so their ends, which may
 * come minutes later and in either order, are paired too, under one id derived from
 * the begins'.
 *
 * SMS. A delivery (SMS-DELIVER, deliver_sm) takes the event id of the oldest submission
 * (SMS-SUBMIT, submit_sm) of the same sender and recipient within SMS_JOIN_S not yet
 * joined; both records of one observation (two targets) take the same.
 */
#include "record/pairing.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "record/pair_model.h"

enum {
	HOLD_US = PAIRING_HOLD_S * 1000000,
	CALL_WINDOW_US = 3000000,   /* the two sides of an app call begin within 3 s */
	AMBIGUITY = 15,             /* a second candidate this close in score: unpaired */
	CALL_PAIRS_MAX = 256,
	SMS_RECENT = 512,
};

/* the hold covers the lookahead, a receive's lag, and message records' delay (call_setup_s) */
_Static_assert(PAIRING_HOLD_S >= PAIRING_LOOKAHEAD_S + PAIR_WINDOW_MAX_S + 20, "the hold is too short");

enum kind { K_NONE, K_SEND, K_RECV, K_CALL_BEGIN, K_CALL_END };

struct slot {
	struct record r;
	bool used, decided;
	bool learned;               /* a send whose candidate pairs were counted */
	uint8_t kind;
	uint8_t score;
	int32_t partner;            /* slot of the other leg, -1 */
	struct pair_service *svc;
};

struct call_pair {
	bool used;
	uint32_t capture[2];
	uint64_t frame[2];
	char target[2][PARTY_MAX];
	char end_event[RECORD_EVENT_LEN];    /* both ends' id, derived from the begins' */
	uint8_t score;
};

struct sms_sub {
	bool used;
	uint64_t ts_us, key;
	char event[RECORD_EVENT_LEN];
	char joined[RECORD_EVENT_LEN];       /* the delivery's own id once joined */
};

struct pairing {
	bool hold;
	struct slot *slots;         /* PAIRING_HELD_MAX, when hold */
	size_t held;                /* slots not yet decided */
	uint64_t clock_us;
	uint64_t due_us;            /* the oldest undecided slot's time + HOLD_US (UINT64_MAX: none) */
	struct pair_models *models; /* what is learned per service, when hold */
	struct call_pair calls[CALL_PAIRS_MAX];
	unsigned next_call;
	struct sms_sub sms[SMS_RECENT];
	unsigned next_sms;
	struct pairing_stats st;
};

static int pass_out(struct pairing *p, struct record *r, pairing_out_fn out, void *ud)
{
	(void)p;
	return out(ud, r);
}

/* --- SMS: a delivery joins its submission --- */

static uint64_t parties_key(const struct record *r)
{
	/* over "from\0to", the recipient by number where the delivery named it by IMSI */
	const char *to = r->hint.sms_to[0] ? r->hint.sms_to : r->to;
	uint64_t h = hash64_more(HASH64_SEED, r->from, strlen(r->from) + 1);
	return hash64_more(h, to, strlen(to));
}

static void sms_join(struct pairing *p, struct record *r)
{
	if (r->type != EV_SMS || !r->event[0] || r->subtype[0])
		return;
	if (r->hint.sms_leg == SMS_LEG_SUBMIT) {
		for (unsigned i = 0; i < SMS_RECENT; i++) /* the other target's record of it */
			if (p->sms[i].used && strcmp(p->sms[i].event, r->event) == 0)
				return;
		struct sms_sub *s = &p->sms[p->next_sms];
		p->next_sms = (p->next_sms + 1) % SMS_RECENT;
		memset(s, 0, sizeof *s);
		s->used = true;
		s->ts_us = r->ts_us;
		s->key = parties_key(r);
		memcpy(s->event, r->event, sizeof s->event);
		return;
	}
	if (r->hint.sms_leg != SMS_LEG_DELIVER)
		return;
	uint64_t key = parties_key(r);
	struct sms_sub *best = NULL;
	for (unsigned i = 0; i < SMS_RECENT; i++) {
		struct sms_sub *s = &p->sms[i];
		if (!s->used)
			continue;
		if (strcmp(s->joined, r->event) == 0) { /* this delivery, for the other target */
			best = s;
			break;
		}
		if (s->joined[0] || s->key != key || s->ts_us > r->ts_us ||
		    r->ts_us - s->ts_us > (uint64_t)SMS_JOIN_S * 1000000)
			continue;
		if (!best || s->ts_us < best->ts_us)
			best = s;
	}
	if (!best)
		return;
	if (!best->joined[0]) {
		memcpy(best->joined, r->event, sizeof best->joined);
		p->st.sms_joined++;
	}
	memcpy(r->event, best->event, sizeof r->event);
}

/* --- held legs --- */

static bool is_service(const char *party)
{
	return strncmp(party, "service:", 8) == 0;
}

/* The kind of leg r is, K_NONE for a record that passes at once. */
static enum kind kind_of(const struct record *r)
{
	if (!r->service[0])
		return K_NONE;
	bool out = strcmp(r->direction, "out") == 0;
	if (r->type == EV_OTT_MESSAGE && (out ? is_service(r->to) : is_service(r->from)))
		return out ? K_SEND : K_RECV;
	if (r->type == EV_OTT_CALL_BEGIN)
		return K_CALL_BEGIN;
	if (r->type == EV_OTT_CALL_END)
		return K_CALL_END;
	return K_NONE;
}

/* The device's party: the side that is not the service. */
static const char *device_of(const struct record *r)
{
	return strcmp(r->direction, "out") == 0 ? r->from : r->to;
}

/* Two legs of different people: other targets and other devices. */
static bool apart(const struct slot *a, const struct slot *b)
{
	return strcmp(a->r.target, b->r.target) != 0 && strcmp(device_of(&a->r), device_of(&b->r)) != 0 &&
	       strcmp(a->r.service, b->r.service) == 0;
}

/*
 * A record that names a counterpart says something inferred: a certain one (an app
 * call's begin, recognised by its relay) becomes inferred with the pairing's score.
 * Adds ,"counterpart_score":N to the evidence object when it fits.
 */
static void evidence_score(struct record *r, unsigned score)
{
	if (!r->inferred) {
		r->inferred = true;
		r->score = (uint8_t)score;
	}
	size_t n = strnlen(r->evidence, sizeof r->evidence);
	char add[40];
	int k = snprintf(add, sizeof add, "%s\"counterpart_score\":%u}", n > 2 ? "," : "", score);
	if (n < 2 || r->evidence[n - 1] != '}' || n - 1 + (size_t)k + 1 > sizeof r->evidence)
		return;
	memcpy(r->evidence + n - 1, add, (size_t)k + 1);
}

/* Makes x and y one event: y takes x's id; each names the other's target. */
static void pair_slots(struct pairing *p, struct slot *x, struct slot *y, int score)
{
	x->partner = (int32_t)(y - p->slots);
	y->partner = (int32_t)(x - p->slots);
	x->score = y->score = (uint8_t)score;
	memcpy(y->r.event, x->r.event, sizeof y->r.event);
	snprintf(x->r.counterpart, sizeof x->r.counterpart, "%s", y->r.target);
	snprintf(y->r.counterpart, sizeof y->r.counterpart, "%s", x->r.target);
	evidence_score(&x->r, (unsigned)score);
	evidence_score(&y->r, (unsigned)score);
}

/*
 * Which of two legs is decided first: the older, then by target, type and id — by what
 * they are, never by the order they came in, which run -j N may change.
 */
static bool before(const struct slot *a, const struct slot *b)
{
	if (a->r.ts_us != b->r.ts_us)
		return a->r.ts_us < b->r.ts_us;
	int c = strcmp(a->r.target, b->r.target);
	if (c)
		return c < 0;
	if (a->r.type != b->r.type)
		return a->r.type < b->r.type;
	return strcmp(a->r.event, b->r.event) < 0;
}

static int64_t lag(const struct slot *send, const struct slot *recv)
{
	return (int64_t)recv->r.ts_us - (int64_t)send->r.ts_us;
}

static int msg_score(const struct slot *send, const struct slot *recv)
{
	if (!apart(send, recv))
		return -1;
	return pair_fit(send->svc, send->r.hint.shape_bytes, recv->r.hint.shape_bytes, lag(send, recv));
}

/*
 * What sends and the receives that could be their own teach (pair_model.h). Before a
 * send is decided, every send up to PAIRING_LOOKAHEAD_S after it is learned, once, in
 * the order they are decided in: by then all their candidate receives are in (the hold
 * covers the lookahead, the window and the delay of message records), so what is
 * learned depends on the records alone, not on the order they came in (run -j N), and
 * a busy service's relation is known from its first minute on.
 */
static void learn_until(struct pairing *p, uint64_t until_us)
{
	for (;;) {
		struct slot *z = NULL;
		for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
			struct slot *s = &p->slots[i];
			if (s->used && s->kind == K_SEND && !s->learned && s->r.ts_us <= until_us && (!z || before(s, z)))
				z = s;
		}
		if (!z)
			return;
		z->learned = true;
		for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
			const struct slot *y = &p->slots[i];
			if (y->used && y->kind == K_RECV && apart(z, y))
				pair_learn(z->svc, z->r.hint.shape_bytes, y->r.hint.shape_bytes, lag(z, y));
		}
	}
}

typedef int (*score_fn)(const struct slot *a, const struct slot *b);

/*
 * The slot of kind, not yet paired (and not yet decided when undecided), that fits x
 * best by fn(x, y); *second gets the runner-up's score (-1 none). NULL when none fits.
 */
static struct slot *best_fit(struct pairing *p, const struct slot *x, enum kind kind, bool undecided, score_fn fn,
			     int *best_score, int *second)
{
	struct slot *best = NULL;
	*best_score = *second = -1;
	for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
		struct slot *y = &p->slots[i];
		if (!y->used || y == x || y->kind != kind || y->partner >= 0 || (undecided && y->decided))
			continue;
		int s = fn(x, y);
		if (s > *best_score) {
			*second = *best_score;
			*best_score = s;
			best = y;
		} else if (s > *second) {
			*second = s;
		}
	}
	return *best_score >= 0 ? best : NULL;
}

/* True when a slot of kind other than x, not yet paired, fits y by fn(z, y) within AMBIGUITY of score. */
static bool contested(struct pairing *p, const struct slot *x, const struct slot *y, enum kind kind, score_fn fn,
		      int score)
{
	for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
		const struct slot *z = &p->slots[i];
		if (!z->used || z == x || z == y || z->kind != kind || z->partner >= 0)
			continue;
		int s = fn(z, y);
		if (s >= 0 && s + AMBIGUITY > score)
			return true;
	}
	return false;
}

/*
 * By time alone, a send and a receive are told to belong together only when nothing
 * else could be either's: no other receive of the service within PAIR_ALONE_S of the
 * send, and no other send within PAIR_ALONE_S before the receive (all have come in by
 * the time the send is decided: PAIRING_HOLD_S covers them).
 */
static bool alone(struct pairing *p, const struct slot *x, const struct slot *y)
{
	const int64_t a = (int64_t)PAIR_ALONE_S * 1000000;
	for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
		const struct slot *z = &p->slots[i];
		if (!z->used || z == x || z == y || strcmp(z->r.service, x->r.service) != 0)
			continue;
		int64_t from_x = (int64_t)z->r.ts_us - (int64_t)x->r.ts_us;
		int64_t before_y = (int64_t)y->r.ts_us - (int64_t)z->r.ts_us;
		if (z->kind == K_RECV && apart(x, z) && from_x >= -a && from_x <= a)
			return false;
		if (z->kind == K_SEND && apart(z, y) && before_y >= 0 && before_y <= a)
			return false;
	}
	return true;
}

static void decide_send(struct pairing *p, struct slot *x)
{
	learn_until(p, x->r.ts_us + (uint64_t)PAIRING_LOOKAHEAD_S * 1000000);
	int best_score, second;
	struct slot *best = best_fit(p, x, K_RECV, true, msg_score, &best_score, &second);
	if (!best)
		return;
	if ((second >= 0 && second + AMBIGUITY > best_score) || contested(p, x, best, K_SEND, msg_score, best_score) ||
	    (!pair_sized(x->svc) && !alone(p, x, best))) {
		p->st.msg_ambiguous++;
		return;
	}
	pair_slots(p, x, best, best_score);
	p->st.msg_pairs++;
}

/* --- calls --- */

/* True when the call's contact (far addresses, "a:port,[v6]:port") names addr. */
static bool contact_names(const char *contact, const struct ip_addr *addr)
{
	if (!addr->family)
		return false;
	const char *s = contact;
	while (*s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		char one[PARTY_MAX];
		if (n < sizeof one) {
			memcpy(one, s, n);
			one[n] = '\0';
			char *host = one, *colon;
			if (*host == '[') {
				host++;
				colon = strchr(host, ']');
			} else {
				colon = strrchr(host, ':');
			}
			if (colon)
				*colon = '\0';
			struct ip_addr a;
			if (addr_parse(host, &a) == 0 && addr_eq(&a, addr))
				return true;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return false;
}

static int64_t begins_apart(const struct slot *x, const struct slot *y)
{
	int64_t d = (int64_t)y->r.ts_us - (int64_t)x->r.ts_us;
	return d < 0 ? -d : d;
}

/*
 * Two begins of a call: the media path (one side's media went to the other's device)
 * scores 95; else their starts, within the window learned from the service's calls
 * (pair_model.h, a model of lags alone), 50..80 as they are closer.
 */
static int call_score(const struct slot *x, const struct slot *y)
{
	int64_t d = begins_apart(x, y);
	if (!apart(x, y) || d > CALL_WINDOW_US)
		return -1;
	if (contact_names(x->r.contact, &y->r.hint.device) || contact_names(y->r.contact, &x->r.hint.device))
		return 95;
	int64_t lo, hi;
	bool sized;
	if (!pair_learned(x->svc) || pair_fit(x->svc, 0, 0, d) < 0)
		return -1; /* by start times only once the service's calls showed how close they are */
	pair_window(x->svc, &lo, &hi, &sized);
	return 80 - (int)(d * 30 / (hi > 0 ? hi : CALL_WINDOW_US));
}

/* What the begins of other targets' calls of the service near x teach (learned as x is decided). */
static void learn_call(struct pairing *p, const struct slot *x)
{
	for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
		const struct slot *y = &p->slots[i];
		if (y->used && y != x && y->kind == K_CALL_BEGIN && apart(x, y) && begins_apart(x, y) <= CALL_WINDOW_US)
			pair_learn(x->svc, 0, 0, begins_apart(x, y));
	}
}

static bool call_key_is(const struct call_pair *c, int side, const struct record *r)
{
	return c->capture[side] == r->hint.capture_index && c->frame[side] == r->hint.call_frame &&
	       strcmp(c->target[side], r->target) == 0;
}

static void remember_call(struct pairing *p, const struct slot *x, const struct slot *y, int score)
{
	struct call_pair *c = &p->calls[p->next_call];
	p->next_call = (p->next_call + 1) % CALL_PAIRS_MAX;
	memset(c, 0, sizeof *c);
	c->used = true;
	const struct slot *s[2] = { x, y };
	for (int i = 0; i < 2; i++) {
		c->capture[i] = s[i]->r.hint.capture_index;
		c->frame[i] = s[i]->r.hint.call_frame;
		snprintf(c->target[i], sizeof c->target[i], "%s", s[i]->r.target);
	}
	record_event_id_of(x->r.event, "ott.call.end", c->end_event);
	c->score = (uint8_t)score;
}

static void decide_call_begin(struct pairing *p, struct slot *x)
{
	learn_call(p, x);
	int best_score, second;
	struct slot *best = best_fit(p, x, K_CALL_BEGIN, false, call_score, &best_score, &second);
	/* a decided begin left alone was contested then: so is this one */
	if (!best || best->decided || (second >= 0 && second + AMBIGUITY > best_score) ||
	    contested(p, x, best, K_CALL_BEGIN, call_score, best_score))
		return;
	pair_slots(p, x, best, best_score);
	remember_call(p, x, best, best_score);
	p->st.call_pairs++;
}

/*
 * A call's end: its begin's pair names the counterpart, and both ends take one id
 * derived from the begins' (ends may come minutes apart, in either order).
 */
static void decide_call_end(struct pairing *p, struct slot *x)
{
	for (unsigned i = 0; i < CALL_PAIRS_MAX; i++) {
		struct call_pair *c = &p->calls[i];
		int side = !c->used ? -1 : call_key_is(c, 0, &x->r) ? 0 : call_key_is(c, 1, &x->r) ? 1 : -1;
		if (side < 0)
			continue;
		snprintf(x->r.counterpart, sizeof x->r.counterpart, "%s", c->target[1 - side]);
		memcpy(x->r.event, c->end_event, sizeof x->r.event);
		evidence_score(&x->r, c->score);
		return;
	}
}

/* --- deciding and passing out --- */

static void decide(struct pairing *p, struct slot *x, pairing_out_fn out, void *ud)
{
	if (x->partner < 0) {
		if (x->kind == K_SEND)
			decide_send(p, x);
		else if (x->kind == K_CALL_BEGIN)
			decide_call_begin(p, x);
		else if (x->kind == K_CALL_END)
			decide_call_end(p, x);
	}
	x->decided = true;
	p->held--;
	struct record copy = x->r;
	pass_out(p, &copy, out, ud);
}

/* The undecided slot to decide first, or NULL. */
static struct slot *oldest_undecided(struct pairing *p)
{
	struct slot *best = NULL;
	for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
		struct slot *s = &p->slots[i];
		if (s->used && !s->decided && (!best || before(s, best)))
			best = s;
	}
	return best;
}

/*
 * Decides every slot the clock has passed by HOLD_US (all: every one). Decided slots
 * are freed only when a slot is needed (free_slot), the oldest first: one decided more
 * than PAIR_WINDOW_MAX_S ago can no longer fit anything, so keeping it longer changes
 * nothing.
 */
static void advance(struct pairing *p, pairing_out_fn out, void *ud, bool all)
{
	if (!p->slots || (!all && p->clock_us < p->due_us))
		return;
	struct slot *x;
	while ((x = oldest_undecided(p)) != NULL && (all || x->r.ts_us + HOLD_US <= p->clock_us))
		decide(p, x, out, ud);
	p->due_us = x ? x->r.ts_us + HOLD_US : UINT64_MAX;
}

/* A free slot: the oldest decided one goes first, else the oldest undecided is decided now. */
static struct slot *free_slot(struct pairing *p, pairing_out_fn out, void *ud)
{
	for (;;) {
		struct slot *old = NULL;
		for (size_t i = 0; i < PAIRING_HELD_MAX; i++) {
			struct slot *s = &p->slots[i];
			if (!s->used)
				return s;
			if (s->decided && (!old || s->r.ts_us < old->r.ts_us))
				old = s;
		}
		if (old) {
			old->used = false;
			continue;
		}
		p->st.held_full++;
		decide(p, oldest_undecided(p), out, ud);
		struct slot *next = oldest_undecided(p);
		p->due_us = next ? next->r.ts_us + HOLD_US : UINT64_MAX;
	}
}

struct pairing *pairing_new(bool hold)
{
	struct pairing *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->hold = hold;
	p->due_us = UINT64_MAX;
	if (hold && (!(p->slots = calloc(PAIRING_HELD_MAX, sizeof *p->slots)) ||
		     !(p->models = calloc(1, sizeof *p->models)))) {
		free(p->slots);
		free(p);
		return NULL;
	}
	return p;
}

void pairing_free(struct pairing *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p->models);
	free(p);
}

void pairing_push(struct pairing *p, const struct record *r, pairing_out_fn out, void *ud)
{
	if (r->ts_us > p->clock_us)
		p->clock_us = r->ts_us;
	enum kind k = p->slots ? kind_of(r) : K_NONE;
	if (k == K_NONE) {
		struct record copy = *r;
		sms_join(p, &copy);
		pass_out(p, &copy, out, ud);
		advance(p, out, ud, false);
		return;
	}
	struct slot *s = free_slot(p, out, ud);
	memset(s, 0, sizeof *s);
	s->r = *r;
	s->used = true;
	s->kind = (uint8_t)k;
	s->partner = -1;
	if (k == K_CALL_BEGIN || k == K_CALL_END) {
		char name[40];
		snprintf(name, sizeof name, "call:%s", r->service);
		s->svc = pair_service_of(p->models, name, true);
		pair_service_span(s->svc, CALL_WINDOW_US);
	} else {
		s->svc = pair_service_of(p->models, r->service, false);
	}
	p->held++;
	if (r->ts_us + HOLD_US < p->due_us)
		p->due_us = r->ts_us + HOLD_US;
	if (p->held > p->st.held_peak)
		p->st.held_peak = p->held;
	advance(p, out, ud, false);
}

void pairing_tick(struct pairing *p, uint64_t now_us, pairing_out_fn out, void *ud)
{
	if (now_us > p->clock_us)
		p->clock_us = now_us;
	advance(p, out, ud, false);
}

void pairing_drain(struct pairing *p, pairing_out_fn out, void *ud)
{
	advance(p, out, ud, true);
}

size_t pairing_held(const struct pairing *p)
{
	return p->held;
}

void pairing_get_stats(const struct pairing *p, struct pairing_stats *st)
{
	*st = p->st;
}
