/*
 * workers.h — `pentrap run -j N`: one reader and N worker threads, each with its own
 * pipeline (decoder, flow table, dissector modules, identity map, name cache).
 *
 * The reader (the caller's thread) reads the captures, gives each frame to its worker
 * (run/shard.h: by the device behind the innermost packet; shared signalling and
 * IP fragments to all), in batches. Workers hand their records back; the reader puts
 * them into one total order — by the frame that made them, then by worker — and
 * writes them through the run's single writer, which numbers and chains them. So the
 * store is the same for the same input whatever the threads' timing.
 */
#ifndef PENTRAP_RUN_WORKERS_H
#define PENTRAP_RUN_WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture.h"
#include "pipeline/pipeline.h"
#include "record/writer.h"

struct workers;

/*
 * Starts n (2..SHARD_MAX_WORKERS) workers, each a pipeline made from cfg (its writer
 * is used by the reader, never by a worker). NULL with errbuf on failure.
 */
struct workers *workers_new(unsigned n, const struct pipeline_config *cfg, char *errbuf, size_t errlen);

/*
 * The capture whose frames follow: its index and SHA-256, as pipeline_set_capture; or
 * NULL while the hash is being computed (the custody hash beside the reading, run.c):
 * its records carry a placeholder until workers_release names the hash.
 */
void workers_set_capture(struct workers *ws, uint32_t index, const char *sha256);

/* From now on records are kept, not written, until workers_release (the store's run
 * cannot begin before the captures' custody is known). */
void workers_hold(struct workers *ws);
/* The SHA-256 of capture index, for the records that carry its placeholder. */
void workers_name_capture(struct workers *ws, uint32_t index, const char *sha256);
/* Records are written again (every placeholder's capture named first). */
void workers_release(struct workers *ws);
/* Records made and not yet written. */
size_t workers_held(struct workers *ws);

/* One frame of the current capture (frame_no 1-based within it). Records made so far
 * are written as their turn comes. */
void workers_frame(struct workers *ws, const struct capture_frame *frame, uint64_t frame_no);

/* Gives every worker the frames it holds in a batch not yet full, without waiting:
 * a live sensor's quiet link must not keep its frames (and their records) back. */
void workers_flush(struct workers *ws);

/* Waits until every frame given is read and its records written: the workers are idle
 * after, and their pipelines may be touched (a definitions reload). */
void workers_sync(struct workers *ws);

/* End of input: every pipeline's last events (pipeline_finish), their records written. */
void workers_finish(struct workers *ws);

/* The summary's threads line: frames per worker, shared with all, each thread's CPU time.
 * Call from the reader's thread (its own CPU time is read). */
void workers_report(struct workers *ws, FILE *out);

unsigned workers_count(const struct workers *ws);
/* Worker i's pipeline: only while the workers are idle (after workers_sync). */
struct pipeline *workers_pipeline(struct workers *ws, unsigned i);
/* Frames read so far (for the progress line). */
uint64_t workers_frames(const struct workers *ws);

/* Stops the threads and frees the pipelines. Accepts NULL. */
void workers_free(struct workers *ws);

#endif
