/*
 * rose.h — the ROSE operation HI2 is carried in over TCP (ITU-T X.880 Remote Operations;
 * TS 101 671's HI2Operations defines sending-of-IRI as a class 2 operation: the LEMF
 * answers every invocation, so its answer is the acknowledgement delivery counts on).
 *
 *   Invoke       [1] { invokeId INTEGER, opcode OBJECT IDENTIFIER sending-of-IRI, IRIsContent }
 *   ReturnResult [2] { invokeId INTEGER, ... }           the IRI was received
 *   ReturnError  [3] { invokeId INTEGER, errcode, ... }  refused (unknown-version, ...)
 *   Reject       [4] { invokeId INTEGER | NULL, problem } not understood
 */
#ifndef PENTRAP_HANDOVER_ROSE_H
#define PENTRAP_HANDOVER_ROSE_H

#include <stddef.h>
#include <stdint.h>

enum { ROSE_OVERHEAD = 32 }; /* what an Invoke adds around its argument, at most */

/* Wraps one IRIsContent (arg) as an Invoke of sending-of-IRI. 0, or -1 when cap is short. */
int rose_invoke(int32_t invoke_id, const uint8_t *arg, size_t arglen, uint8_t *buf, size_t cap, size_t *len);

enum rose_answer {
	ROSE_NEED_MORE,  /* no whole PDU yet */
	ROSE_MALFORMED,  /* not an answer this side understands: the link is broken */
	ROSE_RESULT,
	ROSE_ERROR,
	ROSE_REJECT,
};

/*
 * Reads the LEMF's next answer from the len bytes at p: its kind, invokeId (-1 when a
 * Reject names none) and the error or problem code; *used is how many bytes it took.
 */
enum rose_answer rose_read_answer(const uint8_t *p, size_t len, int32_t *invoke_id, int32_t *code, size_t *used);

#endif
