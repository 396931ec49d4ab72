/* capture_ahead.c — a capture source read one frame ahead (capture_ahead.h). */
#include "capture/capture_ahead.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { AHEAD_FIRST_CAP = 1 << 16 };

void capture_ahead_init(struct capture_ahead *a, struct capture_source *src)
{
	memset(a, 0, sizeof *a);
	a->src = src;
}

void capture_ahead_fini(struct capture_ahead *a)
{
	free(a->buf[0]);
	free(a->buf[1]);
	memset(a, 0, sizeof *a);
}

/* Copies f's data into buffer w, grown when f is larger than any frame before. */
static bool keep(struct capture_ahead *a, unsigned w, struct capture_frame *f)
{
	if (f->caplen > a->cap[w]) {
		size_t want = a->cap[w] ? a->cap[w] : AHEAD_FIRST_CAP;
		while (want < f->caplen)
			want *= 2;
		uint8_t *b = realloc(a->buf[w], want);
		if (!b)
			return false;
		a->buf[w] = b;
		a->cap[w] = want;
	}
	if (f->caplen)
		memcpy(a->buf[w], f->data, f->caplen);
	f->data = a->buf[w];
	return true;
}

/* Reads the frame ahead into buffer a->which. */
static void read_ahead(struct capture_ahead *a)
{
	a->ahead_r = a->src->ops->next(a->src, &a->ahead, a->err, sizeof a->err);
	if (a->ahead_r == CAPTURE_FRAME && !keep(a, a->which, &a->ahead))
		a->ahead_r = CAPTURE_IDLE; /* not kept: read again from libpcap's buffer */
}

enum capture_next capture_ahead_next(struct capture_ahead *a, struct capture_frame *frame,
				     const struct capture_frame **ahead, char *errbuf, size_t errlen)
{
	*ahead = NULL;
	if (!a->started) {
		a->started = true;
		read_ahead(a);
	}
	if (a->ahead_r == CAPTURE_IDLE) {
		/* the frame ahead could not be kept: handed out as libpcap has it, without a
		 * frame after it (reading that one would overwrite it) */
		*frame = a->ahead;
		a->started = false;
		return CAPTURE_FRAME;
	}
	if (a->ahead_r != CAPTURE_FRAME) {
		if (a->ahead_r == CAPTURE_ERROR)
			snprintf(errbuf, errlen, "%s", a->err);
		return a->ahead_r;
	}
	*frame = a->ahead;
	a->which ^= 1;
	read_ahead(a);
	if (a->ahead_r == CAPTURE_FRAME)
		*ahead = &a->ahead;
	return CAPTURE_FRAME;
}
