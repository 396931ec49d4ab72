/*
 * capture_ahead.h — a capture source read one frame ahead: each frame handed out comes
 * with the frame after it, so that the pipeline can fetch what that frame will need
 * into the cache while this one is processed (pipeline_frame_ahead). libpcap reads every
 * frame into one buffer of its own, so each frame is copied out as it is read: into two
 * buffers in turn, so that the frame and the one after stay valid together.
 *
 * Errors keep their place: a read that fails is reported after the frame before it was
 * handed out, as reading without looking ahead reports it.
 *
 * Memory: two buffers of the largest frame seen (64 KiB at first; they grow only for
 * a larger frame, up to libpcap's own limit), freed by capture_ahead_fini.
 */
#ifndef PENTRAP_CAPTURE_CAPTURE_AHEAD_H
#define PENTRAP_CAPTURE_CAPTURE_AHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"

struct capture_ahead {
	struct capture_source *src; /* borrowed */
	uint8_t *buf[2];
	size_t cap[2];
	unsigned which;             /* the buffer the frame read ahead is in */
	bool started;
	enum capture_next ahead_r;  /* what reading the frame ahead gave */
	struct capture_frame ahead; /* that frame, when CAPTURE_FRAME */
	char err[512];              /* its error, when CAPTURE_ERROR */
};

void capture_ahead_init(struct capture_ahead *a, struct capture_source *src);
void capture_ahead_fini(struct capture_ahead *a);

/*
 * The next frame into *frame (CAPTURE_FRAME), *ahead the frame that will come after it
 * or NULL (the end, an error, or no memory to copy it: it is then read when asked for).
 * Both frames' data stay valid until the call after next. CAPTURE_END, or
 * CAPTURE_ERROR with errbuf set, once the frames are done.
 */
enum capture_next capture_ahead_next(struct capture_ahead *a, struct capture_frame *frame,
				     const struct capture_frame **ahead, char *errbuf, size_t errlen);

#endif
