/*
 * test_hash.c — the one hash (src/core/hash.h): FNV-1a's published test values in 32
 * and 64 bits, continuing a hash, the word step, and the finalisers.
 */
#include "core/hash.h"

#include "check.h"

static void test_hash(void)
{
	/* FNV-1a 32 and 64 test vectors (draft-eastlake-fnv) */
	CHECK(hash_bytes("", 0) == 0x811c9dc5u);
	CHECK(hash_bytes("a", 1) == 0xe40c292cu);
	CHECK(hash_bytes("foobar", 6) == 0xbf9cf968u);
	CHECK(hash_str("foobar") == 0xbf9cf968u);
	CHECK(hash_more(hash_bytes("foo", 3), "bar", 3) == 0xbf9cf968u);
	CHECK(hash64_more(HASH64_SEED, "", 0) == 0xcbf29ce484222325ull);
	CHECK(hash64_more(HASH64_SEED, "a", 1) == 0xaf63dc4c8601ec8cull);
	CHECK(hash64_more(HASH64_SEED, "foobar", 6) == 0x85944171f73967e8ull);
	CHECK(hash64_str("foobar") == 0x85944171f73967e8ull);
	/* a word step is a byte step when the word is one byte */
	CHECK(hash_word(HASH_SEED, 'a') == hash_bytes("a", 1));
	CHECK(hash_mix32(0) == 0 && hash_mix64(0) == 0);
	CHECK(hash_mix32(1) != 1 && hash_mix32(1) != hash_mix32(2));
	CHECK(hash_mix64(1) != hash_mix64(2));
}

int main(void)
{
	test_hash();
	return check_done("hash");
}
