/*
 * fuzz_hi2.c — the HI2 encoder on untrusted records (a store is input to `deliver`):
 * the input's lines fill a record's text fields (type, direction, from, to, target,
 * contact, counterpart, service, outcome, call_id, subtype, then the LIID), its first
 * bytes the times; the record goes through the communication table and the encoder, and
 * what comes out must be one whole BER element that proto/ber.h reads to the end, or a
 * clean refusal. Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handover/hi2.h"
#include "handover/hi2_calls.h"
#include "proto/ber.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Walks every element under b; false when one does not read as whole BER. */
static bool walk(struct ber b)
{
	struct ber_tlv t;
	enum ber_status st;
	while ((st = ber_next(&b, &t)) == BER_OK)
		if (t.constructed && !walk(t.value))
			return false;
	return st == BER_END;
}

static void take_line(const uint8_t **p, const uint8_t *end, char *dst, size_t cap)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, *p, n);
	dst[n] = '\0';
	*p = nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hi2_calls *calls;
	static uint8_t out[HI2_PDU_MAX];
	struct record r;
	char liid[64], type[32];
	if (!calls && !(calls = hi2_calls_new()))
		abort();
	if (size < 9)
		return 0;
	memset(&r, 0, sizeof r);
	uint64_t ts = 0;
	for (int i = 0; i < 8; i++)
		ts = ts << 8 | data[i];
	r.ts_us = ts;
	r.duration_us = (int64_t)(ts >> 20) - (int64_t)(1ll << 40);
	r.seq = data[8];
	r.inferred = data[8] & 1;
	r.score = data[8];
	const uint8_t *p = data + 9, *end = data + size;
	take_line(&p, end, type, sizeof type);
	int t = event_type_from_name(type);
	r.type = t < 0 ? (enum event_type)(data[8] % EV__COUNT) : (enum event_type)t;
	take_line(&p, end, r.direction, sizeof r.direction);
	take_line(&p, end, r.from, sizeof r.from);
	take_line(&p, end, r.to, sizeof r.to);
	take_line(&p, end, r.target, sizeof r.target);
	take_line(&p, end, r.contact, sizeof r.contact);
	take_line(&p, end, r.counterpart, sizeof r.counterpart);
	take_line(&p, end, r.service, sizeof r.service);
	take_line(&p, end, r.outcome, sizeof r.outcome);
	take_line(&p, end, r.call_id, sizeof r.call_id);
	take_line(&p, end, r.subtype, sizeof r.subtype);
	take_line(&p, end, liid, sizeof liid);
	struct hi2_context c = { .liid = liid[0] ? liid : "LI", .operator_id = "PTRAP", .element_id = "fuzz",
				 .cin = hi2_calls_cin(calls, &r) };
	size_t len = 0;
	char err[256];
	if (hi2_encode(&r, &c, out, sizeof out, &len, err, sizeof err) != 0)
		return 0;
	struct ber b = ber_make(out, len, false);
	struct ber_tlv top;
	if (ber_next(&b, &top) != BER_OK || ber_next(&b, &top) != BER_END)
		abort();
	if (!walk(ber_make(out, len, false)))
		abort();
	return 0;
}
