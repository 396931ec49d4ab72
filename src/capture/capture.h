/*
 * capture.h — where packets come from, behind a small table of functions (libpcap's
 * own pcap-*.c backends): capture files (pcap, pcapng, "-" for standard input) now,
 * live interfaces later. Each source hands out frames with their link type.
 */
#ifndef PENTRAP_CAPTURE_CAPTURE_H
#define PENTRAP_CAPTURE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

enum capture_next {
	CAPTURE_FRAME, /* a frame is in *frame */
	CAPTURE_END,   /* no more frames */
	CAPTURE_ERROR, /* read failed: errbuf says where and why */
};

struct capture_frame {
	uint64_t ts_us;
	uint32_t caplen, wirelen;
	const uint8_t *data; /* borrowed: valid until the next call */
	int linktype;
};

struct capture_source;

struct capture_source_ops {
	const char *kind;
	enum capture_next (*next)(struct capture_source *src, struct capture_frame *frame,
				  char *errbuf, size_t errlen);
	/* Bytes read so far and in all (0 when unknown), for the progress line. */
	void (*progress)(struct capture_source *src, uint64_t *done, uint64_t *total);
	void (*close)(struct capture_source *src);
};

struct capture_source {
	const struct capture_source_ops *ops;
	const char *name; /* borrowed: the path or interface as the user gave it */
	void *impl;
};

/*
 * Opens a capture file (pcap or pcapng; "-" reads standard input). On failure returns
 * -1 and writes "FILE: problem" into errbuf.
 */
int capture_file_open(const char *path, struct capture_source *out, char *errbuf, size_t errlen);

static inline void capture_close(struct capture_source *src)
{
	if (src && src->ops)
		src->ops->close(src);
}

#endif
