/*
 * gen.h — `pentrap gen` as a library call: a deterministic generator of mobile-core
 * traffic (a pcap as a sensor on the S5/S8 and IMS links would see it) with its ground
 * truth (JSON lines: every call, SMS, app message and app call with its parties and
 * times, and the subscriber-to-address bindings).
 *
 * Same options, same bytes: every choice comes from one seeded PRNG of our own
 * (gen/rng.c), every timestamp from a fixed epoch plus the seed; never the wall clock.
 */
#ifndef PENTRAP_GEN_GEN_H
#define PENTRAP_GEN_GEN_H

#include <stddef.h>
#include <stdint.h>

/* Noise that can be added to the capture (bit set). */
enum gen_noise {
	GEN_NOISE_RETRANS = 1 << 0,  /* TCP segments and SIP requests sent twice */
	GEN_NOISE_REORDER = 1 << 1,  /* neighbouring packets of one exchange swapped */
	GEN_NOISE_FRAGMENT = 1 << 2, /* IPv4 datagrams over 576 bytes fragmented */
	GEN_NOISE_SNAPLEN = 1 << 3,  /* frames cut at a 200-byte snaplen */
};

struct gen_options {
	uint64_t seed;
	uint32_t subscribers;    /* default 1000 */
	uint64_t packets;        /* stop after this many frames; 0: no limit */
	double duration_s;       /* stop at this capture time; 0: no limit */
	const char *mix;         /* "default", "voice", "sms", "ott", "imessage-story" */
	unsigned noise;          /* enum gen_noise bits */
	const char *out_path;    /* the pcap ("-": standard output) */
	const char *truth_path;  /* JSON lines, or NULL */
	double message_rate;     /* multiplies the mix's rates of messages (SMS, app messages); 0: 1 */
};

struct gen_result {
	uint64_t packets;
	uint64_t bytes;
	uint64_t truth_lines;
	double capture_s;        /* capture time covered */
};

/* Names of the mixes, NULL-terminated (for --help). */
extern const char *const gen_mix_names[];

/* Parses a comma-separated noise list ("retrans,reorder,frag,snaplen", or "none").
 * Returns 0 and sets *bits, or -1. */
int gen_parse_noise(const char *list, unsigned *bits);

/* Generates. Returns 0, 1 on a runtime failure (errbuf set), 2 on bad options. */
int gen_run(const struct gen_options *opt, struct gen_result *res, char *errbuf, size_t errlen);

#endif
