/*
 * pipeline.h — the path a packet takes: decode → flow → dissector → event → order →
 * record. One pipeline per worker; it owns its decoder, flow table and dissector
 * modules, and writes records through a record_writer it borrows.
 */
#ifndef PENTRAP_PIPELINE_PIPELINE_H
#define PENTRAP_PIPELINE_PIPELINE_H

#include <stdint.h>

#include "capture/capture.h"
#include "core/stats.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "order/order.h"
#include "record/writer.h"

struct pipeline_config {
	const struct order *order;     /* borrowed */
	struct record_writer *writer;  /* borrowed */
	struct decode_config decode;
	struct flow_config flow;
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_config *cfg, char *errbuf, size_t errlen);
/* Ends every flow and module (emitting their last events), then frees. Accepts NULL. */
void pipeline_free(struct pipeline *p);

/* Sets the capture now being read: its index and SHA-256 (for the records' evidence). */
void pipeline_set_capture(struct pipeline *p, uint32_t index, const char *sha256);

/* One captured frame. frame_no is 1-based within its capture. */
void pipeline_frame(struct pipeline *p, const struct capture_frame *frame, uint64_t frame_no);

/* Feeds an inner IP packet (from a tunnel) through the pipeline; outer fields are kept. */
void pipeline_inner_ip(struct pipeline *p, const uint8_t *ip, size_t len, struct packet *pkt);

/* End of input: ends flows and lets modules emit what they still hold. */
void pipeline_finish(struct pipeline *p);

const struct stats *pipeline_stats(const struct pipeline *p);

#endif
