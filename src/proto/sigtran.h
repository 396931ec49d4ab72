/*
 * sigtran.h — SS7 signalling over IP up to the TCAP bytes: the adaptation layers M3UA
 * (RFC 4666, DATA with its Protocol Data: OPC, DPC, SI) and SUA (RFC 3868,
 * connectionless CLDT/CLDR with calling and called party addresses), and SCCP (ITU-T
 * Q.713) connectionless messages UDT, XUDT, LUDT and their service (return) forms.
 *
 * Each parser reads one message from a bounded buffer and hands out borrowed spans; cut
 * says the capture ended before the buffer's declared end (so running out of bytes is
 * truncation, not a lie). Nothing is allocated. The TCAP above is in tcap.h.
 */
#ifndef PENTRAP_PROTO_SIGTRAN_H
#define PENTRAP_PROTO_SIGTRAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

struct dissector;

/*
 * The SS7 stack over SCTP (M2UA, M3UA, SUA → SCCP → TCAP → MAP) as one registry entry,
 * named "map" (sigtran.c): user messages of SCTP PPIDs 2, 3 and 4, handed on by the SCTP
 * layer.
 */
extern const struct dissector sigtran_dissector;

enum sig_status {
	SIG_OK,
	SIG_OTHER,     /* a valid message that carries no user data read here (management...) */
	SIG_TRUNCATED, /* the capture ended inside it */
	SIG_MALFORMED,
};

enum {
	SCCP_MAX_DIGITS = 32, /* GT digits kept (E.164 has at most 15, E.214 at most 17) */
	SIG_MAX_PARAMS = 32,  /* M3UA / SUA parameters looked at per message */
	SCCP_MAX_OPTIONAL = 16, /* SCCP optional parameters looked at per message */
};

/* A called or calling party address, SCCP (Q.713 §3.4) or SUA (RFC 3868 §3.10.2). */
struct sccp_addr {
	bool present;
	bool route_on_gt;  /* routing indicator: on global title (else on SSN / point code) */
	bool has_pc, has_ssn, has_gt;
	uint32_t pc;       /* signalling point code (ITU: 14 bits) */
	uint8_t ssn;       /* subsystem number (6 HLR, 7 VLR, 8 MSC, 146 gsmSCF ...) */
	uint8_t gti;       /* global title indicator 1..4 (SUA: its GTI field) */
	uint8_t tt, np, es, nai; /* translation type, numbering plan, encoding scheme, nature of address */
	char digits[SCCP_MAX_DIGITS + 1]; /* the GT digits as text ("" when none) */
};

enum sccp_type {
	SCCP_UDT = 0x09,
	SCCP_UDTS = 0x0a,
	SCCP_XUDT = 0x11,
	SCCP_XUDTS = 0x12,
	SCCP_LUDT = 0x13,
	SCCP_LUDTS = 0x14,
};

/* A connectionless message: SCCP UDT/XUDT/LUDT (and service forms) or SUA CLDT/CLDR. */
struct sccp_unitdata {
	uint8_t type;          /* enum sccp_type; SUA CLDT is given as UDT, CLDR as UDTS */
	uint8_t protocol_class;
	uint8_t return_cause;  /* service messages */
	bool service;          /* UDTS/XUDTS/LUDTS/CLDR: a message returned undelivered */
	bool segmented;        /* one segment of a message sent in several: not whole */
	struct sccp_addr called, calling;
	struct span data;      /* borrowed: the user data (TCAP) */
	bool data_cut;         /* the capture ended inside the user data */
};

/* Q.713 §3.4: one party address (the contents after its length octet). */
enum sig_status sccp_addr_parse(const uint8_t *p, size_t len, struct sccp_addr *out);

/*
 * Q.713 §4: one SCCP message. SIG_OTHER for message types that are not connectionless
 * data (connection-oriented, management carried as UDT is still UDT). A segment of an
 * XUDT/LUDT sent in several is SIG_OK with segmented set (its data is not a whole TCAP).
 * User data the capture cut is SIG_OK with data_cut set and data what there is.
 */
enum sig_status sccp_parse(const uint8_t *p, size_t len, bool cut, struct sccp_unitdata *out);

/*
 * The common header of the user adaptation layers (RFC 4666 §3.1, RFC 3868 §3.1):
 * version 1, reserved, class, type, length (header included). *params covers the
 * parameters (what there is of them when the capture cut the message: *params_cut).
 * *msg_len is the declared length. SIG_MALFORMED for another version or a length
 * below 8 or past the end of a buffer that was not cut.
 */
enum sig_status sigtran_ua_header(const uint8_t *p, size_t len, bool cut, uint8_t *cls, uint8_t *type,
				  struct cursor *params, bool *params_cut, size_t *msg_len);

/*
 * The next tag-length-value parameter of a UA message (RFC 4666 §3.2): *tag, and *value
 * covering its value (length minus 4, padding to 4 octets skipped). SIG_OTHER at the
 * end; SIG_TRUNCATED / SIG_MALFORMED as params_cut says for one that overruns.
 * On SIG_TRUNCATED *value still covers what there is.
 */
enum sig_status sigtran_ua_param(struct cursor *params, bool params_cut, uint16_t *tag, struct cursor *value);

/* A UA message being read: its class and type, and the parameters left. */
struct ua_msg {
	uint8_t cls, type;
	struct cursor params;
	bool params_cut;   /* the capture cut the parameters */
	unsigned nparams;  /* read so far: at most SIG_MAX_PARAMS are */
};

/*
 * sigtran_ua_header into *m, and SIG_OTHER for a message not of class cls or of none
 * of the types (bit t for type t) asked for.
 */
enum sig_status sigtran_ua_open(const uint8_t *p, size_t len, bool cut, uint8_t cls, uint32_t types,
				struct ua_msg *m, size_t *msg_len);
/* sigtran_ua_param on m's parameters; SIG_OTHER after the last, or after SIG_MAX_PARAMS. */
enum sig_status sigtran_ua_next(struct ua_msg *m, uint16_t *tag, struct cursor *value);

/* M3UA DATA (RFC 4666 §3.3.1) and its Protocol Data parameter (§3.3.1.1). */
struct m3ua_data {
	uint32_t opc, dpc;
	uint8_t si, ni, mp, sls; /* service indicator: 3 is SCCP */
	struct span data;        /* borrowed: the user part (SCCP when si is 3) */
	bool data_cut;
};

enum { M3UA_SI_SCCP = 3 };

/*
 * One M3UA message at the start of p. *msg_len is its length (the common header's),
 * so several in one buffer can be walked. SIG_OTHER for every message but DATA.
 */
enum sig_status m3ua_parse(const uint8_t *p, size_t len, bool cut, struct m3ua_data *out, size_t *msg_len);

/*
 * One M2UA message (RFC 3331 §3.3.1.1, MAUP DATA) at the start of p: its Protocol
 * Data 1 holds an MTP3 MSU (ITU-T Q.704 §2.2: SIO, then the routing label DPC, OPC,
 * SLS), read into the same struct as M3UA's. SIG_OTHER for every message but DATA.
 */
enum sig_status m2ua_parse(const uint8_t *p, size_t len, bool cut, struct m3ua_data *out, size_t *msg_len);

/*
 * One SUA message at the start of p: CLDT (and CLDR, returned) filled as a unitdata
 * whose data is the TCAP. SIG_OTHER for every other class and type.
 */
enum sig_status sua_parse(const uint8_t *p, size_t len, bool cut, struct sccp_unitdata *out, size_t *msg_len);

#endif
