/*
 * fuzz_message.c — the libFuzzer target for what a collector and a sensor read from the
 * broker (broker/message.h, broker/binding.h): input that nobody vouches for.
 *
 * The input's first byte picks the message's type (the five of pentrap's, or none), its
 * second the records count header; the rest is the body. The headers name a sender
 * whose genesis hashes right, so the body is what gets read: records (each line read back
 * canonical and hashed), a run, a checkpoint, a key, or identity bindings (each line read
 * as an operation, the way a sensor's feed takes them).
 */
#include <stdint.h>
#include <string.h>

#include "broker/binding.h"
#include "broker/message.h"
#include "record/chain.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	static struct message_origin o;
	if (!o.genesis.hash[0]) {
		strcpy(o.sensor, "fuzz");
		memset(o.key_id, 'a', 64);
		strcpy(o.genesis.order_id, "FUZZ");
		strcpy(o.genesis.sensor, "fuzz");
		chain_genesis_hash(&o.genesis);
	}
	unsigned pick = data[0] % (MSG__KINDS + 1);
	struct message_header h[MESSAGE_MAX_HEADERS];
	size_t nh = message_headers(pick < MSG__KINDS ? (enum message_kind)pick : MSG_RECORDS, &o, 1, 1,
				    (uint64_t)data[1] + 1, h);
	const char *type = pick < MSG__KINDS ? message_type_name((enum message_kind)pick) : "application.other";
	struct message_in in = { .type = type, .type_len = strlen(type), .headers = h, .nheaders = nh,
				 .body = (const char *)data + 2, .body_len = size - 2 };
	struct message_decoded d;
	char why[256];
	if (message_decode(&in, &d, why, sizeof why) == REFUSE_NONE && d.kind == MSG_BINDINGS)
		for (size_t i = 0; i < d.nbindings; i++) {
			struct identity_op op;
			binding_from_text(d.bindings[i], strlen(d.bindings[i]), &op, why, sizeof why);
		}
	message_decoded_fini(&d);
	return 0;
}
