/*
 * capture_file.c — capture files through libpcap's offline reader, which reads pcap
 * and pcapng (with any number of interfaces and link types) and standard input ("-").
 *
 * libpcap reports a cut-off file as an error from pcap_next_ex; we turn that into one
 * line naming the file, the byte offset and the frame, after every frame before the
 * cut has been processed, so no record is lost to a bad tail.
 */
#include "capture/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { READ_BUFFER_BYTES = 256 << 10 };

struct file_source {
	pcap_t *pcap;
	uint64_t total_bytes;
	uint64_t frames;
	FILE *fp; /* libpcap's own stream, for the byte offset */
	char *buffer; /* the stream's buffer (owned): freed after the stream is closed */
};

static enum capture_next file_next(struct capture_source *src, struct capture_frame *frame,
				   char *errbuf, size_t errlen)
{
	struct file_source *fs = src->impl;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc = pcap_next_ex(fs->pcap, &hdr, &data);
	if (rc == 1) {
		fs->frames++;
		frame->ts_us = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec;
		frame->caplen = hdr->caplen;
		frame->wirelen = hdr->len;
		frame->data = data;
		frame->linktype = pcap_datalink(fs->pcap);
		return CAPTURE_FRAME;
	}
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	/* Where libpcap stopped reading; asked only now, since ftell costs a system call. */
	long offset = fs->fp ? ftell(fs->fp) : -1;
	if (offset >= 0)
		snprintf(errbuf, errlen, "%s: byte offset %ld (after frame %llu): %s", src->name, offset,
			 (unsigned long long)fs->frames, pcap_geterr(fs->pcap));
	else
		snprintf(errbuf, errlen, "%s: after frame %llu: %s", src->name,
			 (unsigned long long)fs->frames, pcap_geterr(fs->pcap));
	return CAPTURE_ERROR;
}

static void file_progress(struct capture_source *src, uint64_t *done, uint64_t *total)
{
	struct file_source *fs = src->impl;
	long off = fs->fp ? ftell(fs->fp) : -1;
	*done = off > 0 ? (uint64_t)off : 0;
	*total = fs->total_bytes;
}

static void file_close(struct capture_source *src)
{
	struct file_source *fs = src->impl;
	if (fs) {
		if (fs->pcap)
			pcap_close(fs->pcap);
		free(fs->buffer);
		free(fs);
	}
	src->impl = NULL;
	src->ops = NULL;
}

static const struct capture_source_ops file_ops = {
	.kind = "file",
	.next = file_next,
	.progress = file_progress,
	.close = file_close,
	.stats = NULL,
	.fd = NULL,
};

int capture_file_open(const char *path, struct capture_source *out, char *errbuf, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct file_source *fs = calloc(1, sizeof *fs);
	if (!fs) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return -1;
	}
	if (strcmp(path, "-") != 0) {
		struct stat st;
		if (stat(path, &st) != 0) {
			snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
			free(fs);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(errbuf, errlen, "%s: is a directory, not a capture file", path);
			free(fs);
			return -1;
		}
		fs->total_bytes = (uint64_t)st.st_size;
	}
	if (strcmp(path, "-") == 0) {
		fs->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, pcap_err);
	} else {
		/*
		 * libpcap reads each record with two freads; with stdio's default 4 KiB buffer
		 * that is a read(2) every few packets (900,000 on workload B: 0.4 s of system
		 * time). A buffer of our own makes it one per 256 KiB; glibc's setvbuf ignores
		 * the size when it is given no buffer. Small enough to stay in the core's
		 * cache beside the tables.
		 */
		FILE *f = fopen(path, "rb");
		if (!f) {
			snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
			free(fs);
			return -1;
		}
		fs->buffer = malloc(READ_BUFFER_BYTES);
		if (!fs->buffer) {
			snprintf(errbuf, errlen, "%s: out of memory", path);
			fclose(f);
			free(fs);
			return -1;
		}
		setvbuf(f, fs->buffer, _IOFBF, READ_BUFFER_BYTES);
		/*
		 * Only the thread that reads frames touches this stream (progress asks its
		 * offset from the same loop), so stdio need not lock it on each of libpcap's
		 * two freads a frame: the locking was a few per cent of a run's CPU.
		 */
		__fsetlocking(f, FSETLOCKING_BYCALLER);
		fs->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, pcap_err);
		if (!fs->pcap)
			fclose(f); /* pcap_close closes it on success only */
	}
	if (!fs->pcap) {
		/* libpcap's words for an empty or foreign file are terse; say what it means. */
		if (fs->total_bytes == 0 && strcmp(path, "-") != 0)
			snprintf(errbuf, errlen, "%s: empty file, not a capture", path);
		else
			snprintf(errbuf, errlen, "%s: not a readable pcap/pcapng capture (%s)", path, pcap_err);
		free(fs->buffer); /* its stream is closed */
		free(fs);
		return -1;
	}
	fs->fp = pcap_file(fs->pcap);
	out->ops = &file_ops;
	out->name = path;
	out->impl = fs;
	return 0;
}
