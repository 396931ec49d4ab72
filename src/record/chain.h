/*
 * chain.h — what makes the records evidence (docs/evidence.md): each record's hash
 * covers a canonical serialisation of its fields and the previous record's hash; the
 * first record links to a genesis value derived from the order and the sensor; signed
 * checkpoints vouch for the chain up to a record and for the run's custody.
 *
 * Every text hashed or signed here is JSON with a fixed field order and fixed number
 * formats (a pure function of its inputs), so a verifier recomputes it exactly.
 */
#ifndef PENTRAP_RECORD_CHAIN_H
#define PENTRAP_RECORD_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/record.h"
#include "record/sign.h"

struct run_info;

/* Computes r's hash (lower-case hex SHA-256) over its canonical form, r->prev_hash included. */
void chain_hash_record(const struct record *r, char out[HASH_HEX_LEN]);

/*
 * The same from r's canonical line (one record_from_line accepted and read r from): the
 * line with its hash's value taken out is the text hashed, so it is not written again.
 * Falls back to chain_hash_record when the line does not end in r's hash as written.
 */
void chain_hash_line(const char *line, size_t len, const struct record *r, char out[HASH_HEX_LEN]);

/* Lower-case hex SHA-256 of len bytes. */
void chain_sha256_hex(const void *data, size_t len, char out[HASH_HEX_LEN]);

/* The genesis: where a store's chain starts, fixed when its first run opens it. */
struct chain_genesis {
	char order_id[64];
	char order_sha256[HASH_HEX_LEN];
	char sensor[128];
	uint64_t created_us;
	char hash[HASH_HEX_LEN]; /* the first record's prev_hash */
};

/* Sets g->hash from the other fields: SHA-256 of
 * {"genesis":1,"order":...,"order_sha256":...,"sensor":...,"created":RFC3339}. */
void chain_genesis_hash(struct chain_genesis *g);

/* A signed statement: the chain up to record `seq` ends in `hash`, in this run. */
struct checkpoint {
	uint64_t id;                   /* row id in the store (0 before it is written) */
	uint64_t run_id;
	uint64_t seq;                  /* the last record covered; 0 when the store has none */
	uint64_t count;                /* records in the store up to and including seq */
	uint64_t time_us;              /* wall-clock time of signing */
	char hash[HASH_HEX_LEN];       /* record seq's hash (the genesis when seq is 0) */
	char custody[HASH_HEX_LEN];    /* chain_custody_hash of the run */
	bool final;                    /* the end of its run */
	int exit_status;               /* final: the run's exit status */
	char summary[HASH_HEX_LEN];    /* final: SHA-256 of the run's summary JSON; else "" */
	const char *summary_json;      /* final, when writing: the summary itself (borrowed) */
	char key_id[SIGN_KEY_ID_LEN];
	char sig[SIGN_SIG_HEX_LEN];
};

/*
 * The text that is signed: {"checkpoint":1,"genesis":...,"run":N,"custody":...,"seq":N,
 * "hash":...,"count":N,"time":RFC3339,"final":true|false,"exit_status":N,"summary":...}.
 * Caller frees; NULL when out of memory.
 */
char *chain_checkpoint_text(const struct checkpoint *cp, const char *genesis, size_t *len);
/* Signs cp with key (sets key_id and sig). -1 on failure. */
int chain_checkpoint_sign(struct checkpoint *cp, const char *genesis, const struct sign_key *key);
/* True when cp->sig is key's signature of cp's text. */
bool chain_checkpoint_verify(const struct checkpoint *cp, const char *genesis, const struct sign_key *key);

/*
 * The custody hash of a run: SHA-256 of {"run":N,"order":...,"order_file":...,
 * "order_sha256":...,"captures":[...],"sigs_version":...,"software_version":...,
 * "sensor":...,"key":...,"note":...,"started":RFC3339,"first_seq":N,"resumes":N}
 * (captures is the run's JSON array text, written as it is).
 */
void chain_custody_hash(const struct run_info *ri, char out[HASH_HEX_LEN]);

#endif
