/*
 * message.h — what pentrap puts on the broker and reads back (docs/scale.md, "Messages"):
 * a sensor's records (a run's consecutive records, each as its canonical JSON line with
 * its hash), its runs' custody, its checkpoints and keys, and identity bindings.
 *
 * A message is a type ("pentrap.records", ...), headers naming the sender (its sensor id,
 * its key, and its chain's genesis with the genesis's inputs, so every message stands on
 * its own and collectors need no order between them) and a body. Decoding is for input
 * nobody vouches for: every header and every line is checked (a record's line must be
 * canonical and hash to its hash), and anything else is refused with its kind.
 */
#ifndef PENTRAP_BROKER_MESSAGE_H
#define PENTRAP_BROKER_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/chain.h"
#include "record/store.h"

enum {
	MESSAGE_FORMAT = 1,          /* the "pentrap-format" header */
	MESSAGE_MAX_RECORDS = 256,   /* records in one message */
	MESSAGE_MAX_BINDINGS = 512,  /* bindings in one message */
	MESSAGE_MAX_BODY = 4 << 20,  /* bytes: more is refused unread */
	MESSAGE_MAX_HEADERS = 16,
};

enum message_kind { MSG_RECORDS, MSG_RUN, MSG_CHECKPOINT, MSG_KEY, MSG_BINDINGS, MSG__KINDS };

/* Why a message was refused (counted by kind, logged once per kind). */
enum message_refusal {
	REFUSE_NONE,
	REFUSE_NOT_PENTRAP,   /* no pentrap type or format header: somebody else's message */
	REFUSE_MALFORMED,     /* a pentrap type, but headers or body are not what pentrap writes */
	REFUSE_HASH,          /* a record's line does not hash to its hash */
	REFUSE_SENSOR_REUSED, /* the central store holds the sensor id under another key */
	REFUSE_CONFLICT,      /* a record differs from the one stored at its place */
	REFUSE__KINDS
};
const char *message_refusal_name(enum message_refusal r);

const char *message_type_name(enum message_kind k);

/* Who sent a message: the sensor, its key, its chain. */
struct message_origin {
	char sensor[128];
	char key_id[SIGN_KEY_ID_LEN];
	struct chain_genesis genesis;
};

/* One header as it travels: a text or a whole number. */
struct message_header {
	const char *key;
	const char *text;  /* NULL: a number */
	size_t text_len;
	int64_t num;
};

/* A message as read from the broker (all borrowed). */
struct message_in {
	const char *type;
	size_t type_len;
	const struct message_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
};

/* A decoded message: what store_ingest takes, and the memory behind it. */
struct message_decoded {
	enum message_kind kind;
	struct message_origin origin;
	struct store_ingest item;
	/* records */
	struct record *records;        /* MESSAGE_MAX_RECORDS, owned */
	char *lines[MESSAGE_MAX_RECORDS]; /* into body_copy */
	char *body_copy;               /* owned */
	/* run, checkpoint, key */
	struct run_info run;
	char *run_strings[11];         /* owned */
	struct checkpoint cp;
	char *pem;                     /* owned */
	/* bindings: lines into body_copy */
	char *bindings[MESSAGE_MAX_BINDINGS];
	size_t nbindings;
};

/*
 * Decodes m into d (cleared first; free with message_decoded_fini). REFUSE_NONE when it
 * is a pentrap message as pentrap writes it, else the refusal and one short reason in why.
 */
enum message_refusal message_decode(const struct message_in *m, struct message_decoded *d, char *why,
				    size_t whylen);
void message_decoded_fini(struct message_decoded *d);

/* Bodies (caller frees; NULL when out of memory). */
char *message_run_body(const struct run_info *ri, size_t *len);
char *message_checkpoint_body(const struct checkpoint *cp, size_t *len);
char *message_key_body(const char *key_id, const char *pem, size_t *len);

/*
 * The headers of a message of kind k from origin (and for records: run, first seq,
 * count) into h[0..] (at most MESSAGE_MAX_HEADERS); returns how many. The texts point
 * into origin.
 */
size_t message_headers(enum message_kind k, const struct message_origin *o, uint64_t run, uint64_t first_seq,
		       uint64_t count, struct message_header *h);

#endif
