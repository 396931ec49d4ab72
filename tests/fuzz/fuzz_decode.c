/*
 * fuzz_decode.c — the libFuzzer target for the decoder: each encapsulation parser on
 * its own (decode/encap.h), and whole frames through the decoder with every tunnel
 * it opens, fragments and all (decode/decode.h).
 *
 * Which one: the environment variable PENTRAP_FUZZ_DECODER, one of the names in
 * `targets` below (PENTRAP_FUZZ_LIST=1 prints them, one a line, and exits):
 *   a parser name   the input is the bytes where its header starts, in an exact-size
 *                   buffer, so the address sanitizer sees a read one byte past the
 *                   end; on ENCAP_OK the inner span must lie inside the input, and is
 *                   read to its last byte. "erspan": byte 0 picks type II (even) or
 *                   III (odd), the rest is the header.
 *   "frame"         byte 0 picks the link type (Ethernet, Linux cooked v1 and v2, raw
 *                   IP), the rest is one frame, decoded by a decoder that lives as long
 *                   as the process (fragments of one input wait for the next); the
 *                   packet's payload is read whole and its tunnel path written out.
 * Corpora: tests/fuzz/corpus/decode/<name>/ (tests/fuzz/make_decode_corpus.py).
 */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/erspan.h"
#include "decode/geneve.h"
#include "decode/gre.h"
#include "decode/gtpu.h"
#include "decode/mpls.h"
#include "decode/nsh.h"
#include "decode/pppoe.h"
#include "decode/vxlan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink; /* reads the optimiser cannot drop */

static void touch(const uint8_t *p, size_t len)
{
	uint8_t x = 0;
	for (size_t i = 0; i < len; i++)
		x ^= p[i];
	sink ^= x;
}

static enum encap_result run_gre(const uint8_t *p, size_t n, struct encap *e) { return gre_parse(p, n, e); }
static enum encap_result run_vxlan(const uint8_t *p, size_t n, struct encap *e)
{
	enum encap_result r = vxlan_parse(p, n, true, e);
	return r == ENCAP_OK ? r : vxlan_parse(p, n, false, e);
}
static enum encap_result run_gpe(const uint8_t *p, size_t n, struct encap *e) { return vxlan_gpe_parse(p, n, e); }
static enum encap_result run_geneve(const uint8_t *p, size_t n, struct encap *e)
{
	enum encap_result r = geneve_parse(p, n, true, e);
	return r == ENCAP_OK ? r : geneve_parse(p, n, false, e);
}
static enum encap_result run_mpls(const uint8_t *p, size_t n, struct encap *e) { return mpls_parse(p, n, e); }
static enum encap_result run_pppoe(const uint8_t *p, size_t n, struct encap *e)
{
	enum encap_result r = pppoe_parse(p, n, false, e);
	return r == ENCAP_OK ? r : pppoe_parse(p, n, true, e);
}
static enum encap_result run_nsh(const uint8_t *p, size_t n, struct encap *e) { return nsh_parse(p, n, e); }
static enum encap_result run_gtpu(const uint8_t *p, size_t n, struct encap *e) { return gtpu_parse(p, n, e); }
static enum encap_result run_erspan(const uint8_t *p, size_t n, struct encap *e)
{
	if (n == 0)
		return ENCAP_NONE;
	uint16_t proto = (p[0] & 1) ? ETHERTYPE_ERSPAN3 : ETHERTYPE_ERSPAN2;
	return erspan_parse(p + 1, n - 1, proto, e);
}

static const struct {
	const char *name;
	enum encap_result (*parse)(const uint8_t *p, size_t n, struct encap *e);
} targets[] = {
	{ "gre", run_gre },     { "erspan", run_erspan }, { "vxlan", run_vxlan }, { "vxlan-gpe", run_gpe },
	{ "geneve", run_geneve }, { "mpls", run_mpls },   { "pppoe", run_pppoe }, { "nsh", run_nsh },
	{ "gtpu", run_gtpu },   { "frame", NULL },
};
enum { NTARGETS = sizeof targets / sizeof targets[0] };

static int target = -1;
static struct decoder *dec;
static struct stats stats;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("PENTRAP_FUZZ_LIST")) {
		for (int i = 0; i < NTARGETS; i++)
			printf("%s\n", targets[i].name);
		exit(0);
	}
	const char *want = getenv("PENTRAP_FUZZ_DECODER");
	for (int i = 0; want && i < NTARGETS; i++)
		if (strcmp(targets[i].name, want) == 0)
			target = i;
	if (target < 0) {
		fprintf(stderr, "fuzz_decode: set PENTRAP_FUZZ_DECODER to one of the names PENTRAP_FUZZ_LIST=1 prints\n");
		exit(2);
	}
	return 0;
}

static void one_frame(const uint8_t *data, size_t size)
{
	static const int links[4] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW };
	if (size == 0)
		return;
	if (!dec && !(dec = decoder_new(NULL, &stats)))
		abort();
	struct packet p;
	memset(&p, 0, sizeof p);
	p.caplen = p.wirelen = (uint32_t)(size - 1);
	p.frame_no = 1;
	enum decode_result r = decode_frame(dec, links[data[0] & 3], data + 1, &p);
	if (r != DECODE_OK)
		return;
	if (p.payload_len)
		touch(p.payload, p.payload_len);
	if (p.tunnel.n > TUNNEL_MAX_LAYERS)
		abort();
	char text[TUNNEL_TEXT_MAX];
	size_t n = tunnel_path_format(&p.tunnel, text, sizeof text);
	if (n >= sizeof text || strlen(text) != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (target < 0)
		LLVMFuzzerInitialize(NULL, NULL);
	if (!targets[target].parse) {
		one_frame(data, size);
		return 0;
	}
	struct encap e;
	if (targets[target].parse(data, size, &e) != ENCAP_OK)
		return 0;
	/* the inner bytes lie inside the input */
	if (e.inner.len && (e.inner.ptr < data || e.inner.ptr + e.inner.len > data + size))
		abort();
	if (e.inner.len)
		touch(e.inner.ptr, e.inner.len);
	if (e.kind == TUNNEL_NONE || e.kind >= TUNNEL__COUNT)
		abort();
	return 0;
}
