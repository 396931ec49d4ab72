/*
 * test_gen.c — `pentrap gen` as a library: the same options give the same bytes (pcap
 * and truth), another seed gives other bytes, a packet limit is exact, every mix and
 * every noise option runs, the truth closes with a summary that counts what was
 * written, and bad options are refused. (Whether the packets are well formed is the
 * business of tests/scripts/test_gen_tshark.sh, with tshark as the oracle.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/sha256file.h"
#include "gen/gen.h"

static char dir[64];

static const char *path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static int gen(uint64_t seed, const char *mix, unsigned noise, uint64_t packets, double duration, const char *pcap,
	       const char *truth, struct gen_result *res)
{
	struct gen_options o = { .seed = seed, .subscribers = 30, .packets = packets, .duration_s = duration,
				 .mix = mix, .noise = noise, .out_path = pcap, .truth_path = truth };
	char err[256] = "";
	int st = gen_run(&o, res, err, sizeof err);
	if (st != 0)
		fprintf(stderr, "gen_run: %s\n", err);
	return st;
}

static void hash(const char *file, char out[65])
{
	uint64_t size = 0;
	if (sha256_file(file, out, &size) != 0)
		out[0] = '\0';
}

static char *last_line(const char *file)
{
	static char line[4096];
	char buf[4096];
	FILE *f = fopen(file, "r");
	line[0] = '\0';
	if (!f)
		return line;
	while (fgets(buf, sizeof buf, f))
		memcpy(line, buf, sizeof buf);
	fclose(f);
	return line;
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/pentrap-test-gen-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char p1[128], p2[128], t1[128], t2[128], h1[65], h2[65], ht1[65], ht2[65];
	struct gen_result r1 = { 0 }, r2 = { 0 };

	/* determinism: same seed, same bytes */
	CHECK_EQ_INT(gen(42, "default", 0, 0, 90, path("a.pcap", p1, sizeof p1), path("a.jsonl", t1, sizeof t1), &r1), 0);
	CHECK_EQ_INT(gen(42, "default", 0, 0, 90, path("b.pcap", p2, sizeof p2), path("b.jsonl", t2, sizeof t2), &r2), 0);
	hash(p1, h1);
	hash(p2, h2);
	hash(t1, ht1);
	hash(t2, ht2);
	CHECK(h1[0] != '\0');
	CHECK_EQ_STR(h1, h2);
	CHECK_EQ_STR(ht1, ht2);
	CHECK_EQ_INT(r1.packets, r2.packets);
	CHECK(r1.packets > 1000);
	CHECK(r1.truth_lines > 30);
	CHECK(r1.capture_s <= 90.0);

	/* the summary line counts what was written */
	char want[64];
	snprintf(want, sizeof want, "\"packets\":%llu,", (unsigned long long)r1.packets);
	CHECK(strstr(last_line(t1), "\"type\":\"summary\"") != NULL);
	CHECK(strstr(last_line(t1), want) != NULL);

	/* another seed, other bytes */
	CHECK_EQ_INT(gen(43, "default", 0, 0, 90, p2, t2, &r2), 0);
	hash(p2, h2);
	CHECK(strcmp(h1, h2) != 0);

	/* a packet limit is exact, and the truth is cut with it */
	CHECK_EQ_INT(gen(7, "voice", 0, 2500, 0, p2, t2, &r2), 0);
	CHECK_EQ_INT(r2.packets, 2500);
	CHECK(strstr(last_line(t2), "\"packets\":2500,") != NULL);

	/* every mix and every noise option runs; with noise the same seed is still the same bytes */
	static const char *const mixes[] = { "default", "voice", "sms", "ott", "imessage-story", "apps" };
	for (size_t i = 0; i < sizeof mixes / sizeof mixes[0]; i++) {
		CHECK_EQ_INT(gen(5, mixes[i], 0, 0, 60, p2, t2, &r2), 0);
		CHECK(r2.packets > 0);
	}
	unsigned all = GEN_NOISE_RETRANS | GEN_NOISE_REORDER | GEN_NOISE_FRAGMENT | GEN_NOISE_SNAPLEN;
	CHECK_EQ_INT(gen(9, "default", all, 0, 60, p1, t1, &r1), 0);
	CHECK_EQ_INT(gen(9, "default", all, 0, 60, p2, t2, &r2), 0);
	hash(p1, h1);
	hash(p2, h2);
	CHECK_EQ_STR(h1, h2);

	/* noise lists */
	unsigned bits = 0;
	CHECK_EQ_INT(gen_parse_noise("retrans,frag", &bits), 0);
	CHECK_EQ_INT(bits, GEN_NOISE_RETRANS | GEN_NOISE_FRAGMENT);
	CHECK_EQ_INT(gen_parse_noise("none", &bits), 0);
	CHECK_EQ_INT(bits, 0);
	CHECK_EQ_INT(gen_parse_noise("retrans,bogus", &bits), -1);

	/* bad options */
	struct gen_options bad = { .seed = 1, .subscribers = 30, .duration_s = 10, .mix = "no-such-mix", .out_path = p2 };
	char err[256] = "";
	CHECK_EQ_INT(gen_run(&bad, NULL, err, sizeof err), 2);
	CHECK(strstr(err, "no-such-mix") != NULL);
	bad.mix = "default";
	bad.out_path = "/nonexistent-dir/x.pcap";
	CHECK_EQ_INT(gen_run(&bad, NULL, err, sizeof err), 1);

	const char *names[] = { "a.pcap", "a.jsonl", "b.pcap", "b.jsonl" };
	for (size_t i = 0; i < 4; i++)
		unlink(path(names[i], p1, sizeof p1));
	rmdir(dir);
	return check_done("gen");
}
