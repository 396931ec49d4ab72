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

struct identity_map;
struct name_cache;
struct sigset;
struct detect;

struct pipeline_config {
	const struct order *order;     /* borrowed */
	struct record_writer *writer;  /* borrowed */
	struct decode_config decode;
	struct flow_config flow;
	unsigned identity_bindings;    /* identity map size, 0: 65536 (identity/identity.h) */
	unsigned name_entries;         /* DNS name cache size, 0: 32768 (identity/names.h) */
	/* The identity map and name cache to fill and use (borrowed, outliving the pipeline;
	 * a test looks at them afterwards); NULL: the pipeline makes its own of the sizes above. */
	struct identity_map *identity;
	struct name_cache *names;
	unsigned data_sessions;        /* each data-session table (GTP, RADIUS, Diameter), 0: 16384 */
	unsigned gather_buffers;       /* TLS's and QUIC's handshake gathering buffers, each; 0: 64 */
	struct sigset *sigs;           /* signature definitions (detect/sigs.h); NULL: no OTT detection */
	/* Optional: sees every packet that reaches the flow table, inner ones of a tunnel too
	 * (tests and diagnostics). */
	void (*on_packet)(void *ud, const struct packet *pkt);
	void *on_packet_ud;
	/* One of several workers (run/workers.h): its index and how many there are
	 * (0 and 0 or 1: the only one), and where its records go instead of the writer. */
	unsigned worker, nworkers;
	void (*on_record)(void *ud, const struct record *r);
	void *on_record_ud;
	/* live identity sharing (pipeline/identity_wait.h): an event whose parties are all
	 * addresses nobody is bound to waits this long for another sensor's binding, at most
	 * identity_wait_max events at once; 0: nothing waits */
	uint64_t identity_wait_us;
	unsigned identity_wait_max;
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_config *cfg, char *errbuf, size_t errlen);
/* Ends every flow and module (emitting their last events), then frees. Accepts NULL. */
void pipeline_free(struct pipeline *p);

/* Sets the capture now being read: its index and SHA-256 (for the records' evidence). */
void pipeline_set_capture(struct pipeline *p, uint32_t index, const char *sha256);

/* One captured frame. frame_no is 1-based within its capture. */
void pipeline_frame(struct pipeline *p, const struct capture_frame *frame, uint64_t frame_no);

/*
 * A frame every worker was given (run/shard.h: shared signalling, or an IP
 * fragment): each reads it; a packet that turns out to be another worker's (a
 * reassembled datagram) is left to that worker, and only worker 0 counts the frame
 * and records what shared traffic says.
 */
void pipeline_shared_frame(struct pipeline *p, const struct capture_frame *frame, uint64_t frame_no);

/* End of input: ends flows and lets modules emit what they still hold. */
void pipeline_finish(struct pipeline *p);

const struct stats *pipeline_stats(const struct pipeline *p);
/* The signature engine (borrowed; NULL without definitions): the summary's OTT counts. */
struct detect *pipeline_detect(struct pipeline *p);
/* The flow table (borrowed; for the summary's memory line). */
const struct flow_table *pipeline_flows(const struct pipeline *p);
struct identity_op;
/* Identity shared between sensors (docs/scale.md): fn sees every operation this
 * pipeline's dissectors make on its identity map (NULL: none). */
void pipeline_identity_journal(struct pipeline *p, void (*fn)(void *ud, const struct identity_op *op), void *ud);
/* An operation learned from another sensor, applied to this pipeline's identity map. */
void pipeline_identity_apply(struct pipeline *p, const struct identity_op *op);
/* Events that waited for a binding and whose time is up by now_us (the clock on a quiet link) go on. */
void pipeline_release_waiting(struct pipeline *p, uint64_t now_us);
/* Swaps the signature definitions: new flows use sigs, classified flows keep theirs (reload). */
void pipeline_set_sigs(struct pipeline *p, struct sigset *sigs);

#endif
