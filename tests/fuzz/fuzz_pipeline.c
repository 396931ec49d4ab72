/*
 * fuzz_pipeline.c — the libFuzzer target for the whole path a packet takes: the input
 * is a capture file (pcap or pcapng), read as `pentrap run -r FILE` reads it.
 *
 * The bytes go into an anonymous memory file (memfd) that is opened by its
 * /proc/self/fd path, so the capture reader is the real one (libpcap's offline reader
 * and our error lines); then the decoder, fragment reassembly, flow table, TCP
 * reassembly, dissectors, signature matching (the built-in definitions), order filter,
 * hash chain and JSON-lines sink, into /dev/null. The order (tests/fuzz/order.yaml,
 * or PENTRAP_FUZZ_ORDER) makes every IP address a target, so every event becomes a
 * record. The memory cap is the smallest the CLI accepts, so caps and their drops are
 * reached with small inputs.
 *
 * Two modes:
 *   fresh       each input is a whole run_captures(), exactly `pentrap run --no-db
 *               --jsonl /dev/null --max-memory 16 -r INPUT`: deterministic, used by the
 *               replay test of every build (and by PENTRAP_FUZZ_FRESH=1);
 *   persistent  one pipeline for the process, each input read into it as one more
 *               capture of the same run (`-r a -r b ...`) and ended with
 *               pipeline_finish: the default under libFuzzer, because setting a
 *               pipeline up (every dissector's tables) takes a tenth of a second and
 *               would leave the fuzzer at a few inputs a second. A crash it finds is
 *               confirmed alone in fresh mode (docs/robustness.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/capture.h"
#include "detect/sigs.h"
#include "order/order.h"
#include "run/limits.h"
#include "pipeline/pipeline.h"
#include "run/run.h"
#include "run/shard.h"
#include "record/jsonl.h"
#include "record/writer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef PENTRAP_FUZZ_PERSISTENT
static bool persistent = true;
#else
static bool persistent = false;
#endif

static const char *order_path = PENTRAP_SOURCE_DIR "/tests/fuzz/order.yaml";
static FILE *devnull; /* the summary goes nowhere */

/* persistent mode: one run's worth of state for the whole process */
static struct order order;
static struct record_writer writer;
static struct sigset *sigs;
static struct pipeline *pipeline;
static struct decoder *peek; /* as run -j's reader has it */
static uint32_t inputs;

static void die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_pipeline: %s: %s\n", what, err);
	exit(2);
}

static void persistent_setup(void)
{
	char err[1024];
	if (order_load(order_path, &order, err, sizeof err) != 0)
		die("order", err);
	if (sigs_load_builtin(&sigs, err, sizeof err) != 0)
		die("definitions", err);
	writer_init(&writer, 1, "");
	struct record_sink js;
	if (jsonl_sink_open("/dev/null", &js, err, sizeof err) != 0)
		die("jsonl", err);
	writer_add_sink(&writer, js);
	struct pipeline_config pc = { .order = &order, .writer = &writer, .sigs = sigs };
	if (limits_apply(LIMITS_MIN_MEMORY_MIB, 0, &pc.decode, &pc.flow, NULL, err, sizeof err) != 0)
		die("limits", err);
	if (!(pipeline = pipeline_new(&pc, err, sizeof err)))
		die("pipeline", err);
	if (!(peek = decoder_new_peek()))
		die("peek", "out of memory");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *env = getenv("PENTRAP_FUZZ_ORDER");
	if (env && *env)
		order_path = env;
	env = getenv("PENTRAP_FUZZ_FRESH");
	if (env && *env == '1')
		persistent = false;
	if (access(order_path, R_OK) != 0)
		die("cannot read the order (set PENTRAP_FUZZ_ORDER)", order_path);
	devnull = fopen("/dev/null", "w");
	if (persistent)
		persistent_setup();
	return 0;
}

/* The input as a file: an anonymous memory file, named by its /proc path. */
static int input_file(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
	int fd = memfd_create("capture", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* One more capture of the process's run (run.c, read_capture, without progress). */
static void persistent_input(const char *path)
{
	char err[1024];
	struct capture_source src;
	if (capture_file_open(path, &src, err, sizeof err) != 0)
		return;
	/* the index wraps: the pipeline keeps each capture's hash, and fuzzing runs millions */
	pipeline_set_capture(pipeline, inputs++ % 64, "fuzz");
	struct capture_frame frame;
	uint64_t frame_no = 0;
	while (src.ops->next(&src, &frame, err, sizeof err) == CAPTURE_FRAME) {
		/* run -j's reader looks at every frame first (run/shard.h) */
		int worker = shard_of_frame(peek, frame.linktype, frame.data, frame.caplen, 3);
		if (worker < SHARD_ALL || worker >= 3)
			abort();
		pipeline_frame(pipeline, &frame, ++frame_no);
	}
	capture_close(&src);
	pipeline_finish(pipeline);
	writer_flush(&writer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = input_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	if (persistent) {
		persistent_input(path);
	} else {
		struct run_options opt = {
			.order_path = order_path,
			.jsonl_path = "/dev/null",
			.ncaptures = 1,
			.quiet = true,
			.summary_out = devnull,
			.max_memory_mib = LIMITS_MIN_MEMORY_MIB,
		};
		opt.captures[0] = path;
		char err[1024];
		(void)run_captures(&opt, err, sizeof err);
	}
	close(fd);
	return 0;
}
