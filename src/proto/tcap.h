/*
 * tcap.h — ITU-T TCAP messages (Q.773): the transaction portion (Begin, Continue,
 * End, Abort, Unidirectional; OTID, DTID), the dialogue portion (AARQ, AARE, ABRT with
 * the application context name and the AARE result) and the component portion
 * (Invoke, ReturnResult last and not last, ReturnError, Reject), read with the bounded
 * BER reader (ber.h). Parameters are handed out as borrowed BER elements for the
 * application above (MAP, map.h) to read.
 */
#ifndef PENTRAP_PROTO_TCAP_H
#define PENTRAP_PROTO_TCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ber.h"

enum {
	TCAP_MAX_COMPONENTS = 8, /* components read per message; more are counted, not read */
	TCAP_MAX_AC_ARCS = 16,
	TCAP_TID_MAX = 4,        /* transaction ids are 1..4 octets */
};

enum tcap_status {
	TCAP_OK,
	TCAP_OTHER,     /* not an ITU TCAP message (ANSI TCAP, or not TCAP at all) */
	TCAP_TRUNCATED, /* the capture cut it: what was read before the cut is filled in */
	TCAP_MALFORMED,
	TCAP_DEPTH,     /* BER nested deeper than BER_MAX_DEPTH */
};

enum tcap_type { /* the [APPLICATION n] tag of the message */
	TCAP_UNIDIRECTIONAL = 1,
	TCAP_BEGIN = 2,
	TCAP_END = 4,
	TCAP_CONTINUE = 5,
	TCAP_ABORT = 7,
};

enum tcap_dialogue_pdu { TCAP_DLG_NONE, TCAP_DLG_AARQ, TCAP_DLG_AARE, TCAP_DLG_ABRT, TCAP_DLG_OTHER };

enum tcap_component_kind { /* the [n] tag of the component */
	TCAP_INVOKE = 1,
	TCAP_RESULT_LAST = 2,
	TCAP_ERROR = 3,
	TCAP_REJECT = 4,
	TCAP_RESULT_NOT_LAST = 7,
};

struct tcap_tid {
	uint8_t len; /* 0: absent */
	uint8_t b[TCAP_TID_MAX];
};

struct tcap_component {
	uint8_t kind;          /* enum tcap_component_kind */
	bool has_invoke_id;    /* a Reject may name no invoke (NULL) */
	int32_t invoke_id;
	bool has_code, code_global;
	int32_t code;          /* operation code (invoke, result) or error code (error); local only */
	bool has_param;
	struct ber_tlv param;  /* borrowed: the parameter element */
	bool cut;              /* the capture ended inside this component */
};

struct tcap_msg {
	uint8_t type; /* enum tcap_type */
	bool overlong;           /* its length ran past the bytes it came in: read as far as it goes */
	struct tcap_tid otid, dtid;
	uint8_t dialogue;        /* enum tcap_dialogue_pdu */
	int ac_arcs;             /* application context name: arc count, 0 when absent */
	uint32_t ac[TCAP_MAX_AC_ARCS];
	bool has_result;         /* AARE result: 0 accepted, 1 reject-permanent, 2 reject-transient */
	int32_t result;
	bool p_abort;            /* an Abort from the TCAP layer itself (p-abortCause) */
	uint8_t ncomp;
	bool comp_capped;        /* more than TCAP_MAX_COMPONENTS components: the rest not read */
	struct tcap_component comp[TCAP_MAX_COMPONENTS];
};

/*
 * Parses one TCAP message from p[0..len). cut: the capture ended before its real end.
 * TCAP_TRUNCATED keeps what was read before the cut (the last component with cut set).
 * A message whose own length runs past len when the bytes were whole (some stacks and
 * synthetic captures get it wrong; tshark reads them) is read the same way, with
 * overlong set: the caller counts it malformed, and what is whole inside still counts.
 */
enum tcap_status tcap_parse(const uint8_t *p, size_t len, bool cut, struct tcap_msg *out);

/* The transaction id as lower-case hex ("12345678"), in out[2 * TCAP_TID_MAX + 1]. */
void tcap_tid_hex(const struct tcap_tid *tid, char *out);

#endif
