/*
 * test_quic.c — QUIC Initial protection against the RFCs' own test vectors: the keys
 * of RFC 9001 appendix A.1 (version 1) and RFC 9369 appendix A.1 (version 2) from the
 * DCID 8394c8f03e515708, and the header protection mask of RFC 9001 appendix A.2; then
 * the dissector on bytes that are not QUIC, cut or forged (no crash, counted).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proto/quic.h"
#include "proto/quic_crypto.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static int same(const uint8_t *a, const char *want, size_t n)
{
	uint8_t b[64];
	hex(want, b, n);
	return memcmp(a, b, n) == 0;
}

static void test_keys(void)
{
	uint8_t dcid[8];
	struct quic_keys k;
	hex("8394c8f03e515708", dcid, 8);
	/* RFC 9001 A.1 */
	CHECK(quic_initial_keys(QUIC_V1, dcid, 8, false, &k) == 0);
	CHECK(same(k.key, "1f369613dd76d5467730efcbe3b1a22d", 16));
	CHECK(same(k.iv, "fa044b2f42a3fd3b46fb255c", 12));
	CHECK(same(k.hp, "9f50449e04a0e810283a1e9933adedd2", 16));
	CHECK(quic_initial_keys(QUIC_V1, dcid, 8, true, &k) == 0);
	CHECK(same(k.key, "cf3a5331653c364c88f0f379b6067e37", 16));
	CHECK(same(k.iv, "0ac1493ca1905853b0bba03e", 12));
	CHECK(same(k.hp, "c206b8d9b9f0f37644430b490eeaa314", 16));
	/* RFC 9369 A.1 */
	CHECK(quic_initial_keys(QUIC_V2, dcid, 8, false, &k) == 0);
	CHECK(same(k.key, "8b1a0bc121284290a29e0971b5cd045d", 16));
	CHECK(same(k.iv, "91f73e2351d8fa91660e909f", 12));
	CHECK(same(k.hp, "45b95e15235d6f45a6b19cbcb0294ba9", 16));
	CHECK(quic_initial_keys(QUIC_V2, dcid, 8, true, &k) == 0);
	CHECK(same(k.key, "82db637861d55e1d011f19ea71d5d2a7", 16));
	CHECK(same(k.iv, "dd13c276499c0249d3310652", 12));
	CHECK(same(k.hp, "edf6d05c83121201b436e16877593c3a", 16));
	/* versions */
	CHECK(quic_version_known(0xff00001d) && quic_version_known(0xff00001b));
	CHECK(!quic_version_known(0x51303530)); /* gQUIC "Q050": no TLS inside */
	CHECK(quic_initial_keys(0x0a0a0a0a, dcid, 8, false, &k) != 0); /* a grease version */
	uint8_t long_cid[21] = { 0 };
	CHECK(quic_initial_keys(QUIC_V1, long_cid, 21, false, &k) != 0);
}

static void test_header_protection(void)
{
	uint8_t dcid[8], sample[16], mask[5];
	struct quic_keys k;
	struct quic_crypto *qc = quic_crypto_new();
	CHECK(qc != NULL);
	hex("8394c8f03e515708", dcid, 8);
	CHECK(quic_initial_keys(QUIC_V1, dcid, 8, false, &k) == 0);
	hex("d1b1c98dd7689fb8ec11d242b123dc9b", sample, 16); /* RFC 9001 A.2 */
	CHECK(quic_hp_mask(qc, &k, sample, mask) == 0);
	CHECK(same(mask, "437b9aec36", 5));
	/* a forged payload does not open */
	uint8_t ct[64] = { 0 }, out[64];
	CHECK(quic_aead_open(qc, &k, 2, ct, 20, ct, sizeof ct, out) != 0);
	CHECK(quic_aead_open(qc, &k, 2, ct, 20, ct, 10, out) != 0); /* shorter than a tag */
	quic_crypto_free(qc);
	quic_crypto_free(NULL);
}

static void test_dissector_garbage(void)
{
	void *module = quic_dissector.module_new(NULL, NULL);
	CHECK(module != NULL);
	/* a long header of version 1 with a DCID, then nothing that opens */
	uint8_t p[1300];
	memset(p, 0x5a, sizeof p);
	p[0] = 0xc3;
	p[1] = 0; p[2] = 0; p[3] = 0; p[4] = 1;
	p[5] = 8;
	p[14] = 0;              /* scid length */
	p[15] = 0;              /* token length */
	p[16] = 0x44; p[17] = 0x00; /* length 1024 */
	CHECK(quic_dissector.recognise(p, sizeof p, NULL));
	CHECK(!quic_dissector.recognise((const uint8_t *)"\x40\x00\x00\x00\x01", 5, NULL)); /* short header */
	struct stats stats = { 0 };
	for (size_t cut = 0; cut <= sizeof p; cut += 37) {
		void *state = calloc(1, quic_dissector.state_size);
		struct parse_ctx ctx = { .state = state, .module = module, .stats = &stats };
		size_t consumed;
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, p, cut);
		CHECK_EQ_INT(quic_dissector.parse(&ctx, copy, cut, &consumed), PARSE_OK);
		struct tls_hello h;
		uint32_t v;
		CHECK(!quic_state_hello(state, &h, &v));
		quic_dissector.state_end(&ctx);
		free(copy);
		free(state);
	}
	CHECK(stats.anomalies[ANOM_QUIC_UNDECRYPTABLE] > 0);
	CHECK(stats.anomalies[ANOM_QUIC_TRUNCATED] > 0);
	quic_dissector.module_free(module);
}

int main(void)
{
	test_keys();
	test_header_protection();
	test_dissector_garbage();
	return check_done("test_quic");
}
