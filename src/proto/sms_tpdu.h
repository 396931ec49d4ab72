/*
 * sms_tpdu.h — the addressing of an SMS, and nothing else of it: the RP layer
 * (3GPP TS 24.011 §7.3: RP-DATA originator/destination addresses) and the TP layer
 * (3GPP TS 23.040 §9.2: TP-OA of an SMS-DELIVER, TP-DA of an SMS-SUBMIT, TP-RA of a
 * status report). TP-UD, the message text, is never read.
 */
#ifndef PENTRAP_PROTO_SMS_TPDU_H
#define PENTRAP_PROTO_SMS_TPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tpdu_type {
	TPDU_UNKNOWN,
	TPDU_DELIVER,       /* network to mobile: TP-OA is the sender */
	TPDU_SUBMIT,        /* mobile to network: TP-DA is the recipient */
	TPDU_STATUS_REPORT, /* network to mobile: TP-RA is the recipient of the original */
	TPDU_DELIVER_REPORT,
	TPDU_SUBMIT_REPORT,
	TPDU_COMMAND,
};

struct tpdu_info {
	enum tpdu_type type;
	char address[40]; /* TP-OA / TP-DA / TP-RA, normalised: "+4412345" international, digits otherwise */
	uint8_t message_ref; /* TP-MR for SUBMIT and STATUS-REPORT */
};

/*
 * Reads the type and address of a TPDU. mo: true when the TPDU travels mobile to network
 * (then MTI 01 is SUBMIT), false network to mobile (MTI 00 is DELIVER). Returns 0, or -1
 * when the bytes are not a TPDU (truncated or malformed: *truncated says which).
 */
int sms_tpdu_parse(const uint8_t *p, size_t len, bool mo, struct tpdu_info *out, bool *truncated);

struct rp_info {
	uint8_t mti;         /* RP message type (0..7) */
	uint8_t ref;         /* RP message reference */
	char originator[40]; /* RP-OA (service centre on MT), normalised */
	char destination[40];/* RP-DA (service centre on MO), normalised */
	const uint8_t *tpdu; /* borrowed: the RP-User-Data TPDU, or NULL */
	size_t tpdu_len;
};

/* Parses an RP message (RP-DATA, RP-ACK, RP-ERROR, RP-SMMA). 0 or -1 as above. */
int sms_rp_parse(const uint8_t *p, size_t len, struct rp_info *out, bool *truncated);

/*
 * Decodes a semi-octet (BCD) address with its type-of-address byte into text: "+" and
 * digits for international numbers (TON 1), digits otherwise; alphanumeric (TON 5,
 * GSM 7-bit packed) decoded as text. Used by MAP's AddressString too.
 */
void sms_bcd_address(uint8_t toa, const uint8_t *digits, size_t len, char *out, size_t outlen);

#endif
