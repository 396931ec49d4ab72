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
	CAPTURE_IDLE,  /* live: no frame within the read timeout (time to look at signals) */
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
	/* Live sources: packets received and dropped by the kernel and the interface. */
	void (*stats)(struct capture_source *src, uint64_t *received, uint64_t *dropped, uint64_t *if_dropped);
	/* Live sources: a descriptor to poll for readability, or -1. */
	int (*fd)(struct capture_source *src);
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

/* Options of a live capture (docs/cli.md). */
struct live_options {
	int snaplen;          /* bytes kept per packet (default 262144) */
	int buffer_mb;        /* kernel ring buffer (default 64 MiB) */
	int promisc;          /* promiscuous mode */
	const char *bpf;      /* a capture filter, or NULL */
	int timeout_ms;       /* read timeout: how often the loop wakes when idle (default 200) */
};

/*
 * Opens a live interface with a memory-mapped ring (TPACKET_V3 via libpcap). Must run
 * with the privilege to capture; drop privileges after. -1 with "IFACE: problem".
 */
int capture_live_open(const char *iface, const struct live_options *opt, struct capture_source *out,
		      char *errbuf, size_t errlen);

static inline void capture_close(struct capture_source *src)
{
	if (src && src->ops)
		src->ops->close(src);
}

#endif
