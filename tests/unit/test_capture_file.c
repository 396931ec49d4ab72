/*
 * test_capture_file.c — the file reader (capture/capture_file.c) over a capture many
 * times its read buffer: every frame comes back whole and in order, with its time, the
 * progress ends at the file's size, and a record cut off at the end is one error that
 * names the byte offset, after every whole frame before it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "check.h"

enum { FRAMES = 3000, FIRST_TS_S = 1700000000 };

static uint32_t frame_len(unsigned i)
{
	return 60 + (i * 397) % 1455; /* 60..1514 bytes, so records straddle the buffer's ends */
}

static uint8_t frame_byte(unsigned i, uint32_t k)
{
	return (uint8_t)(i * 31 + k * 7);
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, sizeof v, 1, f); /* the file's byte order is this host's: the magic says so */
}

/* Writes a classic pcap of FRAMES Ethernet frames; with cut, the last record stops halfway. */
static long write_capture(const char *path, bool cut)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	put32(f, 0xa1b2c3d4u);
	put32(f, 2u | (4u << 16)); /* version 2.4 */
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1); /* LINKTYPE_ETHERNET */
	uint8_t data[1514];
	for (unsigned i = 0; i < FRAMES; i++) {
		uint32_t len = frame_len(i);
		for (uint32_t k = 0; k < len; k++)
			data[k] = frame_byte(i, k);
		put32(f, FIRST_TS_S + i / 1000);
		put32(f, (i % 1000) * 1000);
		put32(f, len);
		put32(f, len);
		fwrite(data, 1, (cut && i == FRAMES - 1) ? len / 2 : len, f);
	}
	long size = ftell(f);
	fclose(f);
	return size;
}

static void test_reads_every_frame(const char *path)
{
	long size = write_capture(path, false);
	CHECK(size > 4 * (256 << 10));
	struct capture_source src;
	char err[256] = "";
	CHECK_EQ_INT(capture_file_open(path, &src, err, sizeof err), 0);
	struct capture_frame fr;
	unsigned n = 0, bad = 0;
	enum capture_next r;
	while ((r = src.ops->next(&src, &fr, err, sizeof err)) == CAPTURE_FRAME) {
		uint64_t ts = (uint64_t)(FIRST_TS_S + n / 1000) * 1000000u + (n % 1000) * 1000u;
		if (fr.caplen != frame_len(n) || fr.ts_us != ts)
			bad++;
		for (uint32_t k = 0; k < fr.caplen && k < frame_len(n); k++)
			if (fr.data[k] != frame_byte(n, k)) {
				bad++;
				break;
			}
		n++;
	}
	CHECK_EQ_INT(r, CAPTURE_END);
	CHECK_EQ_INT(n, FRAMES);
	CHECK_EQ_INT(bad, 0);
	uint64_t done = 0, total = 0;
	src.ops->progress(&src, &done, &total);
	CHECK_EQ_INT(total, size);
	CHECK_EQ_INT(done, size);
	capture_close(&src);
}

static void test_cut_off_record(const char *path)
{
	long size = write_capture(path, true);
	struct capture_source src;
	char err[256] = "";
	CHECK_EQ_INT(capture_file_open(path, &src, err, sizeof err), 0);
	struct capture_frame fr;
	unsigned n = 0;
	enum capture_next r;
	while ((r = src.ops->next(&src, &fr, err, sizeof err)) == CAPTURE_FRAME)
		n++;
	CHECK_EQ_INT(r, CAPTURE_ERROR);
	CHECK_EQ_INT(n, FRAMES - 1);
	char want[64];
	snprintf(want, sizeof want, "byte offset %ld (after frame %u)", size, FRAMES - 1);
	CHECK(strstr(err, want) != NULL);
	capture_close(&src);
}

int main(void)
{
	char path[] = "/tmp/pentrap-test-capture-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return check_done("test_capture_file");
	close(fd);
	test_reads_every_frame(path);
	test_cut_off_record(path);
	unlink(path);
	return check_done("test_capture_file");
}
