/*
 * verify.h — `pentrap verify` as a library call: recomputes a store's chain from its
 * genesis, checks every checkpoint's signature and what it covers, and each run's
 * custody against what its checkpoints signed; says what is wrong and where
 * (docs/evidence.md lists every message).
 */
#ifndef PENTRAP_RECORD_VERIFY_H
#define PENTRAP_RECORD_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/chain.h"
#include "record/sign.h"
#include "record/store.h"

enum { VERIFY_MAX_KEYS = 16 };

struct verify_options {
	/* public keys given by the verifier (borrowed); none: the keys kept in the store */
	const struct sign_key *pubkeys[VERIFY_MAX_KEYS];
	size_t npubkeys;
	size_t max_problems;   /* problem lines reported at most (0: 50); all are counted */
};

struct verify_result {
	bool has_genesis;
	struct chain_genesis genesis;
	uint64_t records, first_seq, last_seq;
	uint64_t checkpoints, signatures_good;
	uint64_t problems;     /* 0: everything holds */
	struct checkpoint last_cp; /* the checkpoint covering the most records (seq 0: none) */
	char keys[VERIFY_MAX_KEYS][SIGN_KEY_ID_LEN]; /* ids of the keys that signed */
	size_t nkeys;
};

/* Called once per problem (fails verification) or note (informational), one line each. */
typedef void (*verify_line_fn)(void *ud, bool problem, const char *line);

/*
 * Verifies the store. Returns 0 when the check ran (res->problems says whether it
 * passed), -1 when the store could not be read (errbuf has one line).
 */
int verify_store(struct store *s, const struct verify_options *opt, verify_line_fn out, void *ud,
		 struct verify_result *res, char *errbuf, size_t errlen);

#endif
