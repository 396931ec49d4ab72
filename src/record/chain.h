/*
 * chain.h — the hash chain that makes the records evidence: each record's hash covers a
 * canonical serialisation of its fields and the previous record's hash.
 */
#ifndef PENTRAP_RECORD_CHAIN_H
#define PENTRAP_RECORD_CHAIN_H

#include "record/record.h"

/* Computes r's hash (lower-case hex SHA-256) over its canonical form, r->prev_hash included. */
void chain_hash_record(const struct record *r, char out[HASH_HEX_LEN]);

#endif
