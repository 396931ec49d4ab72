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

enum sig_status sigtran_ua_open(const uint8_t *p, size_t len, bool cut, uint8_t cls, uint32_t types,
				struct ua_msg *m, size_t *msg_len)
{
	memset(m, 0, sizeof *m);
	enum sig_status st = sigtran_ua_header(p, len, cut, &m->cls, &m->type, &m->params, &m->params_cut, msg_len);
	if (st == SIG_OK && (m->cls != cls || m->type >= 32 || !(types >> m->type & 1)))
		return SIG_OTHER;
	return st;
}

enum sig_status sigtran_ua_next(struct ua_msg *m, uint16_t *tag, struct cursor *value)
{
	if (m->nparams >= SIG_MAX_PARAMS)
		return SIG_OTHER;
	m->nparams++;
	return sigtran_ua_param(&m->params, m->params_cut, tag, value);
}

/*
 * The user data after a Protocol Data parameter's routing fields (read from v, st being
 * how the parameter was read): the rest of its value.
 */
static enum sig_status user_data(struct m3ua_data *out, struct cursor *v, enum sig_status st)
{
	if (!cur_ok(v))
		return st == SIG_TRUNCATED ? SIG_TRUNCATED : SIG_MALFORMED;
	out->data = cur_rest(v);
	out->data_cut = st == SIG_TRUNCATED;
	if (out->data.len == 0)
		return out->data_cut ? SIG_TRUNCATED : SIG_MALFORMED;
	return SIG_OK;
}

/* A DATA message's Protocol Data parameter, found or not. */
struct protocol_data {
	bool found;
	uint16_t tag;
	struct cursor v; /* its value */
};

/*
 * The Protocol Data parameter (tag_a or tag_b) of a message of class cls and type type
 * into *pd, *out cleared: the status how it was read. Without one: the status of the
 * message (SIG_OTHER for another class or type; truncated or malformed when the
 * parameters end without it).
 */
static enum sig_status protocol_data(const uint8_t *p, size_t len, bool cut, uint8_t cls, uint8_t type,
				     uint16_t tag_a, uint16_t tag_b, struct m3ua_data *out, struct protocol_data *pd,
				     size_t *msg_len)
{
	struct ua_msg u;
	memset(out, 0, sizeof *out);
	memset(pd, 0, sizeof *pd);
	enum sig_status st = sigtran_ua_open(p, len, cut, cls, 1u << type, &u, msg_len);
	if (st != SIG_OK)
		return st;
	while ((st = sigtran_ua_next(&u, &pd->tag, &pd->v)) != SIG_OTHER) {
		bool is_pd = pd->tag == tag_a || pd->tag == tag_b;
		if (st == SIG_MALFORMED || (st == SIG_TRUNCATED && !is_pd))
			return st;
		if (is_pd) {
			pd->found = true;
			return st;
		}
		/* M3UA: network appearance, routing context, correlation id; M2UA: interface
		 * identifier, correlation id */
	}
	return u.params_cut ? SIG_TRUNCATED : SIG_MALFORMED; /* DATA without Protocol Data */
}

/* M3UA's Protocol Data: OPC, DPC, SI, NI, MP, SLS, then the user data. */
static void m3ua_label(struct m3ua_data *out, struct cursor *v)
{
	out->opc = cur_be32(v);
	out->dpc = cur_be32(v);
	out->si = cur_u8(v);
	out->ni = cur_u8(v);
	out->mp = cur_u8(v);
	out->sls = cur_u8(v);
}

/* M2UA's: an MTP3 MSU, SIO then the ITU routing label (after a length octet in PD 2). */
static void m2ua_label(struct m3ua_data *out, struct cursor *v, uint16_t tag)
{
	if (tag == M2UA_TAG_PROTOCOL_DATA_2)
		cur_skip(v, 1);
	uint8_t sio = cur_u8(v);
	uint32_t label = cur_le32(v);
	out->si = sio & 0x0f;
	out->ni = sio >> 6;
	out->dpc = label & 0x3fff;
	out->opc = (label >> 14) & 0x3fff;
	out->sls = (uint8_t)(label >> 28);
}

/* The DATA message of M3UA or (m2ua) M2UA: its routing label and user data. */
static enum sig_status mtp_data(const uint8_t *p, size_t len, bool cut, bool m2ua, struct m3ua_data *out,
				size_t *msg_len)
{
	struct protocol_data pd;
	enum sig_status st = m2ua ? protocol_data(p, len, cut, M2UA_CLASS_MAUP, M2UA_TYPE_DATA, M2UA_TAG_PROTOCOL_DATA_1,
						  M2UA_TAG_PROTOCOL_DATA_2, out, &pd, msg_len)
				  : protocol_data(p, len, cut, M3UA_CLASS_TRANSFER, M3UA_TYPE_DATA,
						  M3UA_TAG_PROTOCOL_DATA, M3UA_TAG_PROTOCOL_DATA, out, &pd, msg_len);
	if (!pd.found)
		return st;
	if (m2ua)
		m2ua_label(out, &pd.v, pd.tag);
	else
		m3ua_label(out, &pd.v);
	return user_data(out, &pd.v, st);
}

enum sig_status m3ua_parse(const uint8_t *p, size_t len, bool cut, struct m3ua_data *out, size_t *msg_len)
{
	return mtp_data(p, len, cut, false, out, msg_len);
}

enum sig_status m2ua_parse(const uint8_t *p, size_t len, bool cut, struct m3ua_data *out, size_t *msg_len)
{
	return mtp_data(p, len, cut, true, out, msg_len);
}
