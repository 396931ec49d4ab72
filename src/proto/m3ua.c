/*
 * m3ua.c — M3UA, the MTP3 user adaptation layer (RFC 4666), as far as the SS7 user
 * data: the common header (§3.1, shared with SUA), the parameter format (§3.2), and the
 * Transfer class DATA message (§3.3.1) with its Protocol Data parameter (§3.3.1.1).
 *
 *   common header   version (1) | reserved | class | type | length (4, header included)
 *   parameter       tag (2) | length (2, tag and length included) | value | pad to 4
 *   Protocol Data   tag 0x0210: OPC (4) | DPC (4) | SI | NI | MP | SLS | user data
 *
 * Management, SSNM, ASPSM, ASPTM and RKM messages are valid and carry no user data:
 * SIG_OTHER. Every byte is read through a cursor.
 *
 * M2UA (RFC 3331), the MTP2 user adaptation layer, shares the header and parameter
 * format; its MAUP DATA (class 6, type 1) carries an MTP3 MSU in Protocol Data 1
 * (tag 0x0300), or in Protocol Data 2 (0x0301, TTC) after one length-indicator octet:
 * SIO (service indicator in bits 4..1) and the ITU routing label, 32 bits
 * least significant octet first: DPC (bits 14..1), OPC (28..15), SLS (32..29).
 */
#include <string.h>

#include "proto/sigtran.h"

enum {
	UA_VERSION = 1,
	UA_HEADER_LEN = 8,
	UA_PARAM_HEADER_LEN = 4,
	M3UA_CLASS_TRANSFER = 1,
	M3UA_TYPE_DATA = 1,
	M3UA_TAG_PROTOCOL_DATA = 0x0210,
	M2UA_CLASS_MAUP = 6,
	M2UA_TYPE_DATA = 1,
	M2UA_TAG_PROTOCOL_DATA_1 = 0x0300,
	M2UA_TAG_PROTOCOL_DATA_2 = 0x0301, /* TTC: a length indicator / priority octet first */
};

enum sig_status sigtran_ua_header(const uint8_t *p, size_t len, bool cut, uint8_t *cls, uint8_t *type,
				  struct cursor *params, bool *params_cut, size_t *msg_len)
{
	struct cursor c = cur_make(p, len);
	uint8_t version = cur_u8(&c);
	cur_skip(&c, 1); /* reserved */
	*cls = cur_u8(&c);
	*type = cur_u8(&c);
	uint32_t mlen = cur_be32(&c);
	if (!cur_ok(&c))
		return cut ? SIG_TRUNCATED : SIG_MALFORMED;
	if (version != UA_VERSION || mlen < UA_HEADER_LEN)
		return SIG_MALFORMED;
	*msg_len = mlen;
	bool short_ = false;
	*params = cur_sub(&c, mlen - UA_HEADER_LEN, &short_);
	if (short_ && !cut)
		return SIG_MALFORMED;
	*params_cut = short_;
	return SIG_OK;
}

enum sig_status sigtran_ua_param(struct cursor *params, bool params_cut, uint16_t *tag, struct cursor *value)
{
	if (cur_remaining(params) == 0)
		return SIG_OTHER;
	enum sig_status short_read = params_cut ? SIG_TRUNCATED : SIG_MALFORMED;
	*tag = cur_be16(params);
	uint16_t plen = cur_be16(params);
	if (!cur_ok(params))
		return short_read;
	if (plen < UA_PARAM_HEADER_LEN)
		return SIG_MALFORMED;
	bool short_ = false;
	*value = cur_sub(params, plen - UA_PARAM_HEADER_LEN, &short_);
	if (short_)
		return short_read;
	size_t pad = (4 - (plen & 3)) & 3;
	if (cur_remaining(params) >= pad)
		cur_skip(params, pad); /* the last parameter's padding may be left out */
	else
		cur_skip(params, cur_remaining(params));
	return SIG_OK;
}

enum sig_status m3ua_parse(const uint8_t *p, size_t len, bool cut, struct m3ua_data *out, size_t *msg_len)
{
	memset(out, 0, sizeof *out);
	uint8_t cls, type;
	struct cursor params;
	bool params_cut;
	enum sig_status st = sigtran_ua_header(p, len, cut, &cls, &type, &params, &params_cut, msg_len);
	if (st != SIG_OK)
		return st;
	if (cls != M3UA_CLASS_TRANSFER || type != M3UA_TYPE_DATA)
		return SIG_OTHER;
	for (int i = 0; i < SIG_MAX_PARAMS; i++) {
		uint16_t tag;
		struct cursor v;
		st = sigtran_ua_param(&params, params_cut, &tag, &v);
		if (st == SIG_OTHER)
			break;
		if (st == SIG_MALFORMED || (st == SIG_TRUNCATED && tag != M3UA_TAG_PROTOCOL_DATA))
			return st;
		if (tag != M3UA_TAG_PROTOCOL_DATA)
			continue; /* network appearance, routing context, correlation id */
		out->opc = cur_be32(&v);
		out->dpc = cur_be32(&v);
		out->si = cur_u8(&v);
		out->ni = cur_u8(&v);
		out->mp = cur_u8(&v);
		out->sls = cur_u8(&v);
		if (!cur_ok(&v))
			return st == SIG_TRUNCATED ? SIG_TRUNCATED : SIG_MALFORMED;
		out->data = cur_rest(&v);
		out->data_cut = st == SIG_TRUNCATED;
		if (out->data.len == 0)
			return out->data_cut ? SIG_TRUNCATED : SIG_MALFORMED;
		return SIG_OK;
	}
	return params_cut ? SIG_TRUNCATED : SIG_MALFORMED; /* DATA without Protocol Data */
}

enum sig_status m2ua_parse(const uint8_t *p, size_t len, bool cut, struct m3ua_data *out, size_t *msg_len)
{
	memset(out, 0, sizeof *out);
	uint8_t cls, type;
	struct cursor params;
	bool params_cut;
	enum sig_status st = sigtran_ua_header(p, len, cut, &cls, &type, &params, &params_cut, msg_len);
	if (st != SIG_OK)
		return st;
	if (cls != M2UA_CLASS_MAUP || type != M2UA_TYPE_DATA)
		return SIG_OTHER;
	for (int i = 0; i < SIG_MAX_PARAMS; i++) {
		uint16_t tag;
		struct cursor v;
		st = sigtran_ua_param(&params, params_cut, &tag, &v);
		if (st == SIG_OTHER)
			break;
		bool pd = tag == M2UA_TAG_PROTOCOL_DATA_1 || tag == M2UA_TAG_PROTOCOL_DATA_2;
		if (st == SIG_MALFORMED || (st == SIG_TRUNCATED && !pd))
			return st;
		if (!pd)
			continue; /* interface identifier, correlation id */
		if (tag == M2UA_TAG_PROTOCOL_DATA_2)
			cur_skip(&v, 1);
		uint8_t sio = cur_u8(&v);
		uint32_t label = cur_le32(&v);
		if (!cur_ok(&v))
			return st == SIG_TRUNCATED ? SIG_TRUNCATED : SIG_MALFORMED;
		out->si = sio & 0x0f;
		out->ni = sio >> 6;
		out->dpc = label & 0x3fff;
		out->opc = (label >> 14) & 0x3fff;
		out->sls = (uint8_t)(label >> 28);
		out->data = cur_rest(&v);
		out->data_cut = st == SIG_TRUNCATED;
		if (out->data.len == 0)
			return out->data_cut ? SIG_TRUNCATED : SIG_MALFORMED;
		return SIG_OK;
	}
	return params_cut ? SIG_TRUNCATED : SIG_MALFORMED;
}
