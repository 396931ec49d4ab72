/*
 * rose.c — the Invoke of HI2's sending-of-IRI and the LEMF's answers (rose.h), written
 * with handover/ber_write.h and read with proto/ber.h, the tree's bounded BER reader.
 */
#include "handover/rose.h"

#include "handover/ber_write.h"
#include "proto/ber.h"

/* sending-of-IRI: global:{ hi2DomainId (0 4 0 2 2 1) sending-of-IRI(1) version1(1) } */
static const uint32_t SENDING_OF_IRI[] = { 0, 4, 0, 2, 2, 1, 1, 1 };
enum { ANSWER_MAX = 4096 }; /* a larger answer is no answer of a LEMF to an IRI */

int rose_invoke(int32_t invoke_id, const uint8_t *arg, size_t arglen, uint8_t *buf, size_t cap, size_t *len)
{
	struct ber_writer w;
	berw_init(&w, buf, cap);
	berw_open(&w, BER_CONTEXT, 1);
	berw_int(&w, BER_UNIVERSAL, BER_TAG_INTEGER, invoke_id);
	berw_oid(&w, BER_UNIVERSAL, BER_TAG_OID, SENDING_OF_IRI, (int)(sizeof SENDING_OF_IRI / sizeof SENDING_OF_IRI[0]));
	berw_raw(&w, arg, arglen);
	berw_close(&w);
	*len = w.len;
	return berw_ok(&w) ? 0 : -1;
}

enum rose_answer rose_read_answer(const uint8_t *p, size_t len, int32_t *invoke_id, int32_t *code, size_t *used)
{
	struct ber b = ber_make(p, len, true); /* the stream may have cut the answer short */
	struct ber_tlv t, id, c;
	*invoke_id = -1;
	*code = 0;
	*used = 0;
	enum ber_status st = ber_next(&b, &t);
	if (st == BER_END || st == BER_TRUNCATED)
		return len > ANSWER_MAX ? ROSE_MALFORMED : ROSE_NEED_MORE;
	if (st != BER_OK || t.cls != BER_CONTEXT || !t.constructed || t.tag < 2 || t.tag > 4)
		return ROSE_MALFORMED;
	*used = cur_pos(&b.cur);
	struct ber in = t.value;
	if (ber_next(&in, &id) != BER_OK)
		return ROSE_MALFORMED;
	if (ber_is(&id, BER_UNIVERSAL, false, BER_TAG_INTEGER)) {
		if (!ber_int(&id, invoke_id))
			return ROSE_MALFORMED;
	} else if (!(t.tag == 4 && ber_is(&id, BER_UNIVERSAL, false, BER_TAG_NULL))) {
		return ROSE_MALFORMED;
	}
	if (t.tag == 2)
		return ROSE_RESULT;
	/* the error code (local INTEGER) or the problem ([0..3] INTEGER), when readable */
	if (ber_next(&in, &c) == BER_OK && !c.constructed)
		(void)ber_int(&c, code);
	return t.tag == 3 ? ROSE_ERROR : ROSE_REJECT;
}
