/*
 * tcap.c — ITU-T TCAP (Q.773 §4.2) read with the bounded BER reader (ber.c).
 *
 *   TCMessage     [APPLICATION 1] unidirectional | [2] begin | [4] end | [5] continue | [7] abort
 *   OTID [APPLICATION 8], DTID [APPLICATION 9]   OCTET STRING (1..4)
 *   P-AbortCause  [APPLICATION 10]
 *   dialoguePortion [APPLICATION 11] EXTERNAL { direct-reference OID,
 *                   single-ASN1-type [0] DialoguePDU }
 *     DialoguePDU   AARQ [APPLICATION 0] | AARE [APPLICATION 1] | ABRT [APPLICATION 4]
 *                   (AUDT [APPLICATION 0] in a unidirectional message)
 *     AARQ / AARE   protocol-version [0], application-context-name [1] { OID },
 *                   AARE result [2] { INTEGER }, ..., user-information [30]
 *   components    [APPLICATION 12] SEQUENCE OF Component
 *     invoke [1]            { invokeID INTEGER, linkedID [0] OPT, opcode, parameter OPT }
 *     returnResultLast [2]  { invokeID, SEQUENCE { opcode, parameter } OPT }
 *     returnError [3]       { invokeID, errcode, parameter OPT }
 *     reject [4]            { invokeID INTEGER | NULL, problem }
 *     returnResultNotLast [7] as returnResultLast
 *     opcode / errcode      local INTEGER | global OBJECT IDENTIFIER
 *
 * Elements the grammar does not name are skipped (later extensions). Begin without an
 * OTID, End or Abort without a DTID, Continue without both are malformed. Every byte
 * is read through the BER reader and its cursor.
 */
#include "proto/tcap.h"

#include <string.h>

enum {
	TAG_OTID = 8,
	TAG_DTID = 9,
	TAG_P_ABORT = 10,
	TAG_DIALOGUE = 11,
	TAG_COMPONENTS = 12,
	DLG_AARQ = 0, /* [APPLICATION n] of the dialogue PDUs */
	DLG_AARE = 1,
	DLG_ABRT = 4,
	MAX_ELEMENTS = 16, /* elements looked at in one sequence of the grammar */
};

static enum tcap_status from_ber(enum ber_status st)
{
	switch (st) {
	case BER_OK:
	case BER_END:
		return TCAP_OK;
	case BER_TRUNCATED:
		return TCAP_TRUNCATED;
	case BER_DEPTH:
		return TCAP_DEPTH;
	default:
		return TCAP_MALFORMED;
	}
}

void tcap_tid_hex(const struct tcap_tid *tid, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (uint8_t i = 0; i < tid->len && i < TCAP_TID_MAX; i++) {
		out[n++] = hex[tid->b[i] >> 4];
		out[n++] = hex[tid->b[i] & 0x0f];
	}
	out[n] = '\0';
}

static bool read_tid(const struct ber_tlv *t, struct tcap_tid *tid)
{
	struct span s;
	if (!ber_bytes(t, &s) || s.len < 1 || s.len > TCAP_TID_MAX)
		return false;
	tid->len = (uint8_t)s.len;
	memcpy(tid->b, s.ptr, s.len);
	return true;
}

/* The application context name [1] { OID } of an AARQ or AARE. */
static enum tcap_status read_ac(struct ber acn, struct tcap_msg *m)
{
	struct ber_tlv t;
	enum ber_status st = ber_next(&acn, &t);
	if (st != BER_OK)
		return st == BER_END ? TCAP_MALFORMED : from_ber(st);
	if (!ber_is(&t, BER_UNIVERSAL, false, BER_TAG_OID))
		return TCAP_MALFORMED;
	int n = ber_oid(&t, m->ac, TCAP_MAX_AC_ARCS);
	if (n < 0)
		return TCAP_MALFORMED;
	m->ac_arcs = n;
	return TCAP_OK;
}

/* AARQ, AARE or ABRT: the application context name and the AARE result. */
static enum tcap_status read_dialogue_pdu(struct ber_tlv *pdu, struct tcap_msg *m)
{
	if (pdu->cls != BER_APPLICATION || !pdu->constructed) {
		m->dialogue = TCAP_DLG_OTHER;
		return TCAP_OK;
	}
	m->dialogue = pdu->tag == DLG_AARQ ? TCAP_DLG_AARQ
		    : pdu->tag == DLG_AARE ? TCAP_DLG_AARE
		    : pdu->tag == DLG_ABRT ? TCAP_DLG_ABRT : TCAP_DLG_OTHER;
	if (m->dialogue != TCAP_DLG_AARQ && m->dialogue != TCAP_DLG_AARE)
		return TCAP_OK;
	struct ber b = pdu->value;
	for (int i = 0; i < MAX_ELEMENTS; i++) {
		struct ber_tlv t;
		enum ber_status st = ber_next(&b, &t);
		if (st == BER_END)
			break;
		if (st != BER_OK)
			return from_ber(st);
		if (ber_is(&t, BER_CONTEXT, true, 1)) {
			enum tcap_status ts = read_ac(t.value, m);
			if (ts != TCAP_OK)
				return ts;
		} else if (ber_is(&t, BER_CONTEXT, true, 2) && m->dialogue == TCAP_DLG_AARE) {
			struct ber r = t.value;
			struct ber_tlv it;
			st = ber_next(&r, &it);
			if (st != BER_OK)
				return st == BER_END ? TCAP_MALFORMED : from_ber(st);
			if (!ber_is(&it, BER_UNIVERSAL, false, BER_TAG_INTEGER) || !ber_int(&it, &m->result))
				return TCAP_MALFORMED;
			m->has_result = true;
		}
	}
	return TCAP_OK;
}

/* dialoguePortion: EXTERNAL { direct-reference, [0] DialoguePDU }. */
static enum tcap_status read_dialogue(struct ber portion, struct tcap_msg *m)
{
	struct ber_tlv ext;
	enum ber_status st = ber_next(&portion, &ext);
	if (st != BER_OK)
		return st == BER_END ? TCAP_MALFORMED : from_ber(st);
	if (!ber_is(&ext, BER_UNIVERSAL, true, BER_TAG_EXTERNAL))
		return TCAP_MALFORMED;
	struct ber b = ext.value;
	for (int i = 0; i < MAX_ELEMENTS; i++) {
		struct ber_tlv t;
		st = ber_next(&b, &t);
		if (st == BER_END)
			break;
		if (st != BER_OK)
			return from_ber(st);
		if (ber_is(&t, BER_CONTEXT, true, 0)) { /* single-ASN1-type */
			struct ber inner = t.value;
			struct ber_tlv pdu;
			st = ber_next(&inner, &pdu);
			if (st != BER_OK && st != BER_TRUNCATED)
				return st == BER_END ? TCAP_MALFORMED : from_ber(st);
			enum tcap_status ts = read_dialogue_pdu(&pdu, m);
			return ts != TCAP_OK ? ts : from_ber(st);
		}
	}
	return TCAP_OK; /* another encoding of the dialogue: not read */
}

/* An operation or error code: local INTEGER or global OBJECT IDENTIFIER. */
static bool read_code(const struct ber_tlv *t, struct tcap_component *c)
{
	if (ber_is(t, BER_UNIVERSAL, false, BER_TAG_INTEGER)) {
		if (!ber_int(t, &c->code))
			return false;
		c->has_code = true;
		return true;
	}
	if (ber_is(t, BER_UNIVERSAL, false, BER_TAG_OID)) {
		c->has_code = c->code_global = true;
		return true;
	}
	return false;
}

/* One component's contents, per its kind (the grammar above). */
static enum tcap_status read_component(struct ber b, struct tcap_component *c)
{
	struct ber_tlv t;
	enum ber_status st = ber_next(&b, &t);
	if (st != BER_OK)
		return st == BER_END ? TCAP_MALFORMED : from_ber(st);
	if (ber_is(&t, BER_UNIVERSAL, false, BER_TAG_INTEGER)) {
		if (!ber_int(&t, &c->invoke_id))
			return TCAP_MALFORMED;
		c->has_invoke_id = true;
	} else if (!(c->kind == TCAP_REJECT && ber_is(&t, BER_UNIVERSAL, false, BER_TAG_NULL))) {
		return TCAP_MALFORMED;
	}
	if (c->kind == TCAP_REJECT)
		return TCAP_OK; /* the problem code is not needed */

	if (c->kind == TCAP_RESULT_LAST || c->kind == TCAP_RESULT_NOT_LAST) {
		st = ber_next(&b, &t);
		if (st == BER_END)
			return TCAP_OK; /* a result without parameters */
		if (st != BER_OK && st != BER_TRUNCATED)
			return from_ber(st);
		if (!ber_is(&t, BER_UNIVERSAL, true, BER_TAG_SEQUENCE))
			return TCAP_MALFORMED;
		if (st == BER_TRUNCATED)
			return TCAP_TRUNCATED;
		b = t.value; /* { opcode, parameter } */
	}

	st = ber_next(&b, &t);
	if (c->kind == TCAP_INVOKE && st == BER_OK && ber_is(&t, BER_CONTEXT, false, 0))
		st = ber_next(&b, &t); /* linkedID */
	if (st != BER_OK)
		return st == BER_END ? TCAP_MALFORMED : from_ber(st);
	if (!read_code(&t, c))
		return TCAP_MALFORMED;

	st = ber_next(&b, &t);
	if (st == BER_END)
		return TCAP_OK;
	if (st != BER_OK && st != BER_TRUNCATED)
		return from_ber(st);
	c->has_param = true;
	c->param = t;
	return from_ber(st);
}

static enum tcap_status read_components(struct ber b, struct tcap_msg *m)
{
	for (;;) {
		struct ber_tlv t;
		enum ber_status st = ber_next(&b, &t);
		if (st == BER_END)
			return TCAP_OK;
		if (st != BER_OK && st != BER_TRUNCATED)
			return from_ber(st);
		if (t.cls != BER_CONTEXT || !t.constructed ||
		    !(t.tag == TCAP_INVOKE || t.tag == TCAP_RESULT_LAST || t.tag == TCAP_ERROR ||
		      t.tag == TCAP_REJECT || t.tag == TCAP_RESULT_NOT_LAST))
			return st == BER_TRUNCATED ? TCAP_TRUNCATED : TCAP_MALFORMED;
		if (m->ncomp == TCAP_MAX_COMPONENTS) {
			m->comp_capped = true;
			return from_ber(st);
		}
		struct tcap_component *c = &m->comp[m->ncomp];
		memset(c, 0, sizeof *c);
		c->kind = (uint8_t)t.tag;
		enum tcap_status ts = read_component(t.value, c);
		if (ts == TCAP_TRUNCATED || st == BER_TRUNCATED) {
			c->cut = true;
			m->ncomp++;
			return TCAP_TRUNCATED;
		}
		if (ts != TCAP_OK)
			return ts;
		m->ncomp++;
	}
}

enum tcap_status tcap_parse(const uint8_t *p, size_t len, bool cut, struct tcap_msg *out)
{
	memset(out, 0, sizeof *out);
	/* the first octet decides whether this is ITU TCAP at all (ANSI TCAP is PRIVATE-class) */
	struct cursor first = cur_make(p, len);
	uint8_t id = cur_u8(&first);
	if (!cur_ok(&first))
		return cut ? TCAP_TRUNCATED : TCAP_MALFORMED;
	if (id != (0x60 | TCAP_UNIDIRECTIONAL) && id != (0x60 | TCAP_BEGIN) && id != (0x60 | TCAP_END) &&
	    id != (0x60 | TCAP_CONTINUE) && id != (0x60 | TCAP_ABORT))
		return TCAP_OTHER;
	struct ber top = ber_make(p, len, cut);
	struct ber_tlv msg;
	enum ber_status st = ber_next(&top, &msg);
	if (st == BER_MALFORMED && !cut) {
		/* only the outermost length may overrun: read it as cut, and say so */
		top = ber_make(p, len, true);
		st = ber_next(&top, &msg);
		if (st != BER_TRUNCATED || msg.tag == BER_TAG_NONE)
			return TCAP_MALFORMED;
		out->overlong = true;
	}
	if (st == BER_TRUNCATED && msg.tag == BER_TAG_NONE)
		return TCAP_TRUNCATED; /* cut inside its first octets */
	if (st == BER_END)
		return cut ? TCAP_TRUNCATED : TCAP_MALFORMED;
	if (st != BER_OK && st != BER_TRUNCATED)
		return from_ber(st);
	if (msg.cls != BER_APPLICATION || !msg.constructed ||
	    !(msg.tag == TCAP_UNIDIRECTIONAL || msg.tag == TCAP_BEGIN || msg.tag == TCAP_END ||
	      msg.tag == TCAP_CONTINUE || msg.tag == TCAP_ABORT))
		return TCAP_OTHER;
	out->type = (uint8_t)msg.tag;
	bool truncated = st == BER_TRUNCATED && !out->overlong; /* overlong: the bytes were whole */

	struct ber b = msg.value;
	enum tcap_status result = TCAP_OK;
	for (int i = 0; i < MAX_ELEMENTS && result == TCAP_OK; i++) {
		struct ber_tlv t;
		st = ber_next(&b, &t);
		if (st == BER_END)
			break;
		if (st != BER_OK && st != BER_TRUNCATED)
			return from_ber(st);
		if (t.cls == BER_APPLICATION && !t.constructed && (t.tag == TAG_OTID || t.tag == TAG_DTID)) {
			if (st == BER_TRUNCATED)
				return TCAP_TRUNCATED;
			if (!read_tid(&t, t.tag == TAG_OTID ? &out->otid : &out->dtid))
				return TCAP_MALFORMED;
		} else if (ber_is(&t, BER_APPLICATION, false, TAG_P_ABORT)) {
			out->p_abort = true;
		} else if (ber_is(&t, BER_APPLICATION, true, TAG_DIALOGUE)) {
			result = read_dialogue(t.value, out);
		} else if (ber_is(&t, BER_APPLICATION, true, TAG_COMPONENTS)) {
			result = read_components(t.value, out);
		}
		if (st == BER_TRUNCATED && result == TCAP_OK)
			result = TCAP_TRUNCATED;
	}
	if (result == TCAP_OK && truncated)
		result = TCAP_TRUNCATED;
	if (result != TCAP_OK && result != TCAP_TRUNCATED)
		return result;

	bool need_otid = out->type == TCAP_BEGIN || out->type == TCAP_CONTINUE;
	bool need_dtid = out->type == TCAP_END || out->type == TCAP_CONTINUE || out->type == TCAP_ABORT;
	if ((need_otid && out->otid.len == 0) || (need_dtid && out->dtid.len == 0))
		return result == TCAP_TRUNCATED ? TCAP_TRUNCATED : TCAP_MALFORMED;
	return result;
}
