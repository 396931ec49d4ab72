/*
 * seed_from_pcap.c — turns captures into seed inputs for the dissector fuzz targets
 * (the format is described in fuzz_dissector.c): every flow that a registered
 * dissector recognises becomes one file, OUTDIR/<dissector>/<capture>-<n>, holding
 * the flow's payloads in both directions in capture order.
 *
 * Flows are found as the pipeline finds them: the real decoder (link, IP, fragments,
 * every tunnel's inner packets), the real flow table, and each dissector's recognise() on the
 * first payloads (pipeline.c, classify). So a dissector added to the registry gets
 * seeds from every capture with its traffic, with no new code. TCP retransmissions
 * are trimmed by sequence number so a seed holds each stream byte once. Dissectors that
 * take SCTP user messages by PPID (proto.h sctp_ppid) get seeds too: the unfragmented
 * DATA chunks of SCTP flows, one user message a chunk (RFC 9260 §3.3.1).
 *
 * Usage: seed_from_pcap OUTDIR MAX_BYTES CAPTURE...   (MAX_BYTES caps each seed file)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "proto/proto.h"

enum { PROBE_PAYLOADS = 4, CHUNK_MAX = 0x3fff, MAX_DISSECTORS = 32 };

struct seed {
	uint8_t *buf;
	size_t len, cap;
	bool full;
	bool seq_known[2];
	uint32_t next_seq[2];
};

/* A flow's seeds: for its dissector, and for those its SCTP user messages go to. */
struct flow_seeds {
	struct seed own;
	struct seed *by_ppid[MAX_DISSECTORS];
};

struct seeder {
	const char *outdir;
	const char *stem;
	size_t max_bytes;
	unsigned written;
	struct decoder *dec;
	struct flow_table *flows;
	struct stats stats;
};

static bool put(struct seed *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		while (cap < s->len + n)
			cap *= 2;
		uint8_t *b = realloc(s->buf, cap);
		if (!b)
			return false;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return true;
}

/* Appends one chunk (split when longer than a chunk can say, on streams). */
static void add_chunk(struct seeder *sd, struct seed *s, int dir, const uint8_t *p, size_t n, bool stream)
{
	if (!stream && n > CHUNK_MAX)
		n = CHUNK_MAX; /* a datagram is one chunk: keep its head */
	do {
		size_t part = n > CHUNK_MAX ? CHUNK_MAX : n;
		if (s->len + 2 + part > sd->max_bytes) {
			s->full = true;
			return;
		}
		uint8_t h[2] = { (uint8_t)((dir ? 0x80 : 0) | part >> 8), (uint8_t)part };
		put(s, h, 2);
		put(s, p, part);
		p += part;
		n -= part;
	} while (n > 0);
}

static void write_seed(struct seeder *sd, const struct seed *s, size_t dissector)
{
	if (s->len > 5 && dissector < proto_registry_count()) {
		char dir[4096], path[4200];
		snprintf(dir, sizeof dir, "%s/%s", sd->outdir, proto_registry[dissector]->name);
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "seed_from_pcap: cannot make %s: %s\n", dir, strerror(errno));
			exit(1);
		}
		snprintf(path, sizeof path, "%s/%s-%u", dir, sd->stem, ++sd->written);
		FILE *o = fopen(path, "wb");
		if (!o || fwrite(s->buf, 1, s->len, o) != s->len || fclose(o) != 0) {
			fprintf(stderr, "seed_from_pcap: cannot write %s\n", path);
			exit(1);
		}
	}
}

static void on_flow_end(struct flow *f, void *ud)
{
	struct seeder *sd = ud;
	struct flow_seeds *fs = f->user;
	f->user = NULL;
	if (!fs)
		return;
	write_seed(sd, &fs->own, f->dissector);
	free(fs->own.buf);
	for (size_t i = 0; i < MAX_DISSECTORS; i++) {
		if (fs->by_ppid[i]) {
			write_seed(sd, fs->by_ppid[i], i);
			free(fs->by_ppid[i]->buf);
			free(fs->by_ppid[i]);
		}
	}
	free(fs);
}

/* The header every seed starts with: the flags byte and the ports (fuzz_dissector.c). */
static void seed_header(struct seed *s, unsigned transport_index, const struct flow *f)
{
	uint16_t p0 = f->key.port[0], p1 = f->key.port[1];
	uint8_t hdr[5] = { (uint8_t)transport_index, (uint8_t)(p0 >> 8), (uint8_t)p0, (uint8_t)(p1 >> 8),
			   (uint8_t)p1 };
	put(s, hdr, sizeof hdr);
}

/* The registry entry that takes SCTP user messages of ppid, or -1. */
static int ppid_dissector(uint32_t ppid)
{
	for (size_t i = 0; proto_registry[i] && i < MAX_DISSECTORS; i++)
		for (int k = 0; k < DISSECTOR_MAX_PPIDS && proto_registry[i]->sctp_ppid[k]; k++)
			if (proto_registry[i]->sctp_ppid[k] == ppid)
				return (int)i;
	return -1;
}

/* SCTP: every unfragmented DATA chunk's user message, to the dissector of its PPID. */
static void sctp_messages(struct seeder *sd, struct flow *f, struct flow_seeds *fs, int dir,
			  const uint8_t *p, size_t len)
{
	size_t off = 0; /* the payload starts at the chunks (decode skipped the common header) */
	for (int n = 0; n < 128 && off + 4 <= len; n++) {
		unsigned type = p[off], flags = p[off + 1];
		size_t clen = (size_t)p[off + 2] << 8 | p[off + 3];
		if (clen < 4 || off + clen > len)
			return;
		if (type == 0 && (flags & 3) == 3 && clen > 16) {
			uint32_t ppid = (uint32_t)p[off + 12] << 24 | (uint32_t)p[off + 13] << 16 |
					(uint32_t)p[off + 14] << 8 | p[off + 15];
			int d = ppid_dissector(ppid);
			if (d >= 0) {
				if (!fs->by_ppid[d] && (fs->by_ppid[d] = calloc(1, sizeof *fs->by_ppid[d])))
					seed_header(fs->by_ppid[d], 0, f);
				if (fs->by_ppid[d] && !fs->by_ppid[d]->full)
					add_chunk(sd, fs->by_ppid[d], dir, p + off + 16, clen - 16, false);
			}
		}
		off += (clen + 3) & ~(size_t)3;
	}
}

static void classify(struct flow *f, const struct packet *pkt)
{
	unsigned bit = pkt->ip_proto == IPPROTO_TCP_ ? T_TCP : pkt->ip_proto == IPPROTO_UDP_ ? T_UDP
		     : pkt->ip_proto == IPPROTO_SCTP_ ? T_SCTP : 0;
	for (size_t i = 0; proto_registry[i]; i++) {
		const struct dissector *d = proto_registry[i];
		if ((d->transports & bit) && d->recognise && d->recognise(pkt->payload, pkt->payload_len, pkt)) {
			f->dissector = (uint8_t)i;
			return;
		}
	}
	if (++f->probe_tries >= PROBE_PAYLOADS)
		f->dissector = FLOW_NO_DISSECTOR;
}

/* One innermost packet (decode opens every tunnel on the way). */
static void packet(struct seeder *sd, struct packet *pkt)
{
	int dir;
	bool created;
	struct flow *f = flow_table_packet(sd->flows, pkt, &dir, &created);
	if (!f || pkt->payload_len == 0)
		return;
	if (f->dissector == FLOW_UNDECIDED)
		classify(f, pkt);
	if (f->dissector >= proto_registry_count())
		return;
	struct flow_seeds *fs = f->user;
	bool stream = pkt->ip_proto == IPPROTO_TCP_;
	if (!fs) {
		if (!(fs = calloc(1, sizeof *fs)))
			return;
		f->user = fs;
		/* flags: the transport's index among the dissector's (fuzz_dissector.c) */
		unsigned have = proto_registry[f->dissector]->transports, idx = 0;
		if (stream && (have & T_UDP))
			idx = 1;
		else if (pkt->ip_proto == IPPROTO_SCTP_)
			idx = (unsigned)!!(have & T_UDP) + (unsigned)!!(have & T_TCP);
		seed_header(&fs->own, idx, f);
	}
	if (pkt->ip_proto == IPPROTO_SCTP_)
		sctp_messages(sd, f, fs, dir, pkt->payload, pkt->payload_len);
	struct seed *s = &fs->own;
	if (s->full)
		return;
	const uint8_t *p = pkt->payload;
	size_t n = pkt->payload_len;
	if (stream) {
		/* Each stream byte once: trim what a retransmission repeats. */
		if (s->seq_known[dir]) {
			int32_t behind = (int32_t)(s->next_seq[dir] - pkt->tcp_seq);
			if (behind > 0) {
				if ((size_t)behind >= n)
					return;
				p += behind;
				n -= (size_t)behind;
			}
		}
		s->seq_known[dir] = true;
		s->next_seq[dir] = pkt->tcp_seq + (uint32_t)pkt->payload_len;
	}
	add_chunk(sd, s, dir, p, n, stream);
}

static int seed_capture(struct seeder *sd, const char *path)
{
	char err[512];
	struct capture_source src;
	if (capture_file_open(path, &src, err, sizeof err) != 0) {
		fprintf(stderr, "seed_from_pcap: %s\n", err);
		return -1;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* tests/pcap/<proto>/<case>/capture.pcap: the case name says more than the file's */
	static char stem[256];
	snprintf(stem, sizeof stem, "%s", base);
	if (strncmp(base, "capture.", 8) == 0 && base > path + 1) {
		const char *end = base - 1, *start = end;
		while (start > path && start[-1] != '/')
			start--;
		snprintf(stem, sizeof stem, "%.*s", (int)(end - start), start);
	}
	char *dot = strchr(stem, '.');
	if (dot)
		*dot = 0;
	sd->stem = stem;
	sd->written = 0;
	sd->dec = decoder_new(NULL, &sd->stats);
	struct flow_config fc = { .max_flows = 65536 };
	sd->flows = flow_table_new(&fc, &sd->stats, on_flow_end, sd);
	if (!sd->dec || !sd->flows) {
		fprintf(stderr, "seed_from_pcap: out of memory\n");
		return -1;
	}
	struct capture_frame fr;
	uint64_t frame_no = 0;
	while (src.ops->next(&src, &fr, err, sizeof err) == CAPTURE_FRAME) {
		struct packet pkt;
		memset(&pkt, 0, sizeof pkt);
		pkt.ts_us = fr.ts_us;
		pkt.frame_no = ++frame_no;
		pkt.caplen = fr.caplen;
		pkt.wirelen = fr.wirelen;
		if (decode_frame(sd->dec, fr.linktype, fr.data, &pkt) == DECODE_OK)
			packet(sd, &pkt);
	}
	flow_table_free(sd->flows); /* ends every flow: the seeds are written */
	decoder_free(sd->dec);
	capture_close(&src);
	fprintf(stderr, "seed_from_pcap: %s: %u seeds\n", path, sd->written);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: seed_from_pcap OUTDIR MAX_BYTES CAPTURE...\n");
		return 2;
	}
	struct seeder sd = { .outdir = argv[1], .max_bytes = strtoul(argv[2], NULL, 10) };
	if (sd.max_bytes < 16)
		sd.max_bytes = 16;
	int status = 0;
	for (int i = 3; i < argc; i++)
		if (seed_capture(&sd, argv[i]) != 0)
			status = 1;
	return status;
}
