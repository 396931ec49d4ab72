/*
 * test_capture_ahead.c — a capture read one frame ahead (capture/capture_ahead.h) hands
 * out the same frames as the source, each with the frame after it, both readable
 * together, a large frame too; a cut-off file's error comes after the frames before it,
 * as the source reports it. And a pipeline told the frame ahead
 * (pipeline_frame_ahead) dispatches the same packets and counts the same as one read
 * frame by frame, over captures with IP fragments and tunnels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/capture_ahead.h"
#include "check.h"
#include "identity/identity.h"
#include "identity/names.h"
#include "pipeline/pipeline.h"

enum { NFRAMES = 7, BIG = 100000 };

static char tmpdir[64];

/* Frame i's caplen and its byte at j: every frame distinct; frame 3 larger than the first buffer. */
static uint32_t frame_len(unsigned i)
{
	return i == 3 ? BIG : 60 + 17 * i;
}

static uint8_t frame_byte(unsigned i, uint32_t j)
{
	return (uint8_t)(i * 31 + j * 7);
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f); /* pcap files are in the writer's byte order: its magic says which */
}

/* A pcap file's header: version 2.4, snaplen 262144, Ethernet. */
static void put_header(FILE *f)
{
	put32(f, 0xa1b2c3d4);
	put32(f, 2 | (4u << 16));
	put32(f, 0);
	put32(f, 0);
	put32(f, 262144);
	put32(f, 1);
}

/* A pcap file of NFRAMES Ethernet frames; cut: the last frame's data cut short. */
static void write_pcap(const char *path, bool cut)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	put_header(f);
	for (unsigned i = 0; i < NFRAMES; i++) {
		uint32_t len = frame_len(i);
		put32(f, 1000 + i);
		put32(f, i);
		put32(f, len);
		put32(f, len);
		uint32_t write = cut && i == NFRAMES - 1 ? len / 2 : len;
		for (uint32_t j = 0; j < write; j++)
			fputc(frame_byte(i, j), f);
	}
	fclose(f);
}

static bool frame_is(const struct capture_frame *f, unsigned i)
{
	if (!f || f->caplen != frame_len(i) || f->ts_us != (1000 + i) * 1000000ull + i)
		return false;
	for (uint32_t j = 0; j < f->caplen; j++)
		if (f->data[j] != frame_byte(i, j))
			return false;
	return true;
}

static void test_frames(bool cut)
{
	char path[128], err[512] = "", direct_err[512] = "";
	snprintf(path, sizeof path, "%s/frames%s.pcap", tmpdir, cut ? "-cut" : "");
	write_pcap(path, cut);

	/* the source read directly: how many frames, and its error */
	struct capture_source src;
	struct capture_frame frame;
	CHECK_EQ_INT(capture_file_open(path, &src, err, sizeof err), 0);
	unsigned direct = 0;
	enum capture_next r;
	while ((r = src.ops->next(&src, &frame, direct_err, sizeof direct_err)) == CAPTURE_FRAME)
		direct++;
	CHECK_EQ_INT(r, cut ? CAPTURE_ERROR : CAPTURE_END);
	capture_close(&src);
	CHECK_EQ_INT(direct, cut ? NFRAMES - 1 : NFRAMES);

	CHECK_EQ_INT(capture_file_open(path, &src, err, sizeof err), 0);
	struct capture_ahead a;
	capture_ahead_init(&a, &src);
	const struct capture_frame *ahead = NULL;
	unsigned n = 0;
	while ((r = capture_ahead_next(&a, &frame, &ahead, err, sizeof err)) == CAPTURE_FRAME) {
		CHECK(frame_is(&frame, n));
		bool last = n + 1 == direct;
		CHECK(last ? ahead == NULL : frame_is(ahead, n + 1));
		CHECK(frame_is(&frame, n)); /* still there with the frame ahead read */
		n++;
	}
	CHECK_EQ_INT(n, direct);
	CHECK_EQ_INT(r, cut ? CAPTURE_ERROR : CAPTURE_END);
	if (cut)
		CHECK_EQ_STR(err, direct_err);
	capture_ahead_fini(&a);
	capture_close(&src);
}

/* --- a pipeline with and without the frame ahead --- */

struct seen {
	uint64_t n, digest; /* every dispatched packet's fields and payload, in order */
	uint64_t reassembled;
};

static uint64_t mix(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void observe(void *ud, const struct packet *p)
{
	struct seen *s = ud;
	uint64_t h = s->digest;
	h = mix(h, &p->frame_no, sizeof p->frame_no);
	h = mix(h, &p->ts_us, sizeof p->ts_us);
	h = mix(h, &p->src, sizeof p->src);
	h = mix(h, &p->dst, sizeof p->dst);
	h = mix(h, &p->sport, sizeof p->sport);
	h = mix(h, &p->dport, sizeof p->dport);
	h = mix(h, &p->ip_proto, sizeof p->ip_proto);
	h = mix(h, &p->reassembled, sizeof p->reassembled);
	h = mix(h, &p->tunnel_key, sizeof p->tunnel_key);
	h = mix(h, &p->payload_len, sizeof p->payload_len);
	h = mix(h, p->payload, p->payload_len);
	s->digest = h;
	s->n++;
	s->reassembled += p->reassembled;
}

/* Reads path through a pipeline, frame by frame or one ahead; what it dispatched and counted. */
static void run_capture(const char *path, bool ahead_too, struct seen *seen, struct stats *counted)
{
	static struct order_target nobody = { .kind = TARGET_MSISDN, .id = "+10000000000" };
	static struct order order = { .id = "TEST", .kind = ORDER_BOTH, .valid_from_us = 0,
				      .valid_until_us = UINT64_MAX, .targets = &nobody, .ntargets = 1 };
	struct stats table_stats = { 0 };
	struct identity_map *ids = identity_map_new(0, &table_stats);
	struct name_cache *names = name_cache_new(0, &table_stats);
	struct pipeline_config pc = { .order = &order, .on_packet = observe, .on_packet_ud = seen,
				      .identity = ids, .names = names };
	char err[512] = "out of memory";
	struct pipeline *p = ids && names ? pipeline_new(&pc, err, sizeof err) : NULL;
	struct capture_source src;
	if (!p || capture_file_open(path, &src, err, sizeof err) != 0) {
		fprintf(stderr, "  %s: %s\n", path, err);
		CHECK(!"capture opened");
	} else {
		pipeline_set_capture(p, 0, "");
		struct capture_frame frame;
		uint64_t n = 0;
		if (ahead_too) {
			struct capture_ahead a;
			const struct capture_frame *next;
			capture_ahead_init(&a, &src);
			while (capture_ahead_next(&a, &frame, &next, err, sizeof err) == CAPTURE_FRAME)
				pipeline_frame_ahead(p, &frame, ++n, next);
			capture_ahead_fini(&a);
		} else {
			while (src.ops->next(&src, &frame, err, sizeof err) == CAPTURE_FRAME)
				pipeline_frame(p, &frame, ++n);
		}
		capture_close(&src);
		*counted = *pipeline_stats(p);
	}
	pipeline_free(p);
	name_cache_free(names);
	identity_map_free(ids);
}

/* fragments: the capture has IP fragments reassembled (the case decoding ahead must avoid) */
static void test_same_packets(const char *path, bool fragments)
{
	struct seen plain = { 0, 0xcbf29ce484222325ull, 0 }, ahead = plain;
	struct stats plain_counts = { 0 }, ahead_counts = { 0 };
	run_capture(path, false, &plain, &plain_counts);
	run_capture(path, true, &ahead, &ahead_counts);
	CHECK(plain.n > 0);
	CHECK_EQ_INT(ahead.n, plain.n);
	CHECK(ahead.digest == plain.digest);
	CHECK_EQ_INT(ahead_counts.packets, plain_counts.packets);
	CHECK_EQ_INT(ahead_counts.ip_packets, plain_counts.ip_packets);
	CHECK_EQ_INT(ahead_counts.flows, plain_counts.flows);
	CHECK(memcmp(ahead_counts.anomalies, plain_counts.anomalies, sizeof plain_counts.anomalies) == 0);
	CHECK(memcmp(ahead_counts.events, plain_counts.events, sizeof plain_counts.events) == 0);
	CHECK_EQ_INT(ahead.reassembled, plain.reassembled);
	CHECK(!fragments || plain.reassembled > 0);
	if (ahead.digest != plain.digest)
		fprintf(stderr, "  %s: packets differ read one frame ahead\n", path);
}

/* Ethernet + IPv4 (+ a fragment of id 7 or a whole UDP datagram), in a pcap record at t_s. */
static void put_ip(FILE *f, uint32_t t_s, int frag)
{
	uint8_t pkt[14 + 20 + 16] = { 0 };
	size_t payload = frag == 1 ? 16 : frag == 2 ? 12 : 16; /* frag 1: UDP header and 8 bytes */
	size_t ip_len = 20 + payload;
	pkt[12] = 0x08; /* IPv4 */
	uint8_t *ip = pkt + 14;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[5] = frag ? 7 : 8;                      /* identification */
	ip[6] = frag == 1 ? 0x20 : 0;              /* more fragments */
	ip[7] = frag == 2 ? 2 : 0;                 /* offset 16 bytes */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){ 192, 0, 2, 1, 198, 51, 100, 2 }, 8);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	if (frag != 2) { /* a UDP header: 5000 -> 5001, 28 bytes in all for the fragmented one */
		uint8_t *udp = ip + 20;
		udp[0] = 0x13, udp[1] = 0x88, udp[2] = 0x13, udp[3] = 0x89;
		udp[5] = frag ? 28 : 16;
	}
	uint32_t len = (uint32_t)(14 + ip_len);
	put32(f, t_s);
	put32(f, 0);
	put32(f, len);
	put32(f, len);
	fwrite(pkt, 1, len, f);
}

/*
 * A datagram's first fragment, a packet, then its last fragment 40 s later (the
 * fragment timeout is 30 s): the first has expired when the last is decoded, whether
 * that frame was decoded ahead or not (checked: with the last fragment in time, the
 * datagram is put together), and the timeout is counted once.
 */
static void test_expiry_first(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/expiry.pcap", tmpdir);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	put_header(f);
	put_ip(f, 1000, 0);
	put_ip(f, 1001, 1);
	put_ip(f, 1002, 0);
	put_ip(f, 1042, 2);
	put_ip(f, 1043, 0);
	fclose(f);
	struct seen plain = { 0, 0xcbf29ce484222325ull, 0 }, ahead = plain;
	struct stats plain_counts = { 0 }, ahead_counts = { 0 };
	run_capture(path, false, &plain, &plain_counts);
	run_capture(path, true, &ahead, &ahead_counts);
	CHECK_EQ_INT(plain.reassembled, 0);
	CHECK_EQ_INT(plain_counts.anomalies[ANOM_FRAG_TIMEOUT], 1);
	CHECK_EQ_INT(ahead.reassembled, plain.reassembled);
	CHECK(ahead.digest == plain.digest);
	CHECK(memcmp(ahead_counts.anomalies, plain_counts.anomalies, sizeof plain_counts.anomalies) == 0);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pentrap-test-ahead-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_frames(false);
	test_frames(true);
	test_same_packets("data/gtp__zeek__gtp1_gn_normal_incl_fragmentation.pcap", true);
	test_same_packets("../pcap/quic/ndpi_frags_ch/capture.pcapng", false);
	test_same_packets("data/dns__arkime__dns-tcp.pcap", false);
	test_same_packets("data/gtp__open5gs__srsenb_first400.pcapng", false);
	test_expiry_first();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return check_done("test_capture_ahead");
}
