/*
 * sigs_load.c — reading signature definitions (YAML, docs/signatures.md) into a sigset.
 *
 * Like the order loader: the text is parsed by libyaml into a document and walked node
 * by node, every problem reported as one line "FILE:LINE: problem" at the node at
 * fault, and the schema is closed (unknown or duplicate keys are errors), because a
 * typo in a definition ("adresses") must never silently widen or narrow what pentrap
 * recognises. The lists of a signature go straight into the match indexes
 * (sigs_match.c); references between signatures (`within`) are resolved at the end.
 *
 *   version: "2026.06.1"         any text without spaces or '@' (records say id@version)
 *   released: 2026-06-01         a date; a run warns when it is older than a limit
 *   signatures:
 *     - id: apple-push           [a-z0-9._-], unique
 *       service: apple-push      [a-z0-9_-]: records name "service:apple-push"
 *       recognises: session      session | call | message
 *       transport: tcp           tcp | udp | [tcp, udp]
 *       addresses: [17.0.0.0/8]  server prefixes, IPv4 or IPv6
 *       ports: [5223, "16384-16387"]
 *       names: ["*.push.apple.com", push.apple.com]
 *       alpn: [apns-pack-v1]
 *       preamble: {side: client, offset: 0, bytes: "16 03", mask: "ff ff"}   (or a list)
 *       stun: {types: [0x0003], attributes: [0x4000], realm: [signal.org]}
 *       media: [ice, turn, relay]   calls: real-time media of these kinds (UDP)
 *       frame: {side: server, length: be16, offset: 0, adds: 2}   (or a list)
 *       within: [apple-push]     messages: the session signatures they ride on
 *       shape: {...}             messages and calls (docs/signatures.md)
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/file_read.h"
#include "core/sha256file.h"
#include "core/timefmt.h"
#include "core/yaml_walk.h"
#include "detect/sigs.h"
#include "proto/proto.h"

struct loader {
	struct ywalk w;                            /* the document and where errors go */
	struct sigset *set;
	const yaml_node_t *within_nodes[SIGS_MAX]; /* resolved after every id is known */
	const yaml_node_t *relay_key[SIGS_MAX];    /* a relay_* shape key, checked against `media` */
	int cur;                                   /* the signature being read */
};

/* The items of a list; a single value counts as a list of one (`ports: 5223`). */
struct items {
	const yaml_node_t *v[SIGS_LIST_MAX];
	size_t n;
};

static int items_of(struct loader *ld, const yaml_node_t *n, const char *what, struct items *it)
{
	it->n = 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			if (it->n == SIGS_LIST_MAX)
				return ywalk_fail(&ld->w, n, "%s: more than %d entries", what, SIGS_LIST_MAX);
			it->v[it->n++] = ywalk_node(&ld->w, *i);
		}
		if (it->n == 0)
			return ywalk_fail(&ld->w, n, "%s: empty list", what);
		return 0;
	}
	it->v[it->n++] = n;
	return 0;
}

/* A mapping of these keys (at most 32) and no others; vals[i] the value of allowed[i] or NULL. */
static int read_mapping(struct loader *ld, const yaml_node_t *map, const char *what, const char *const *allowed,
			size_t nallowed, const yaml_node_t **vals)
{
	const yaml_node_t *keys[32];
	if (map->type != YAML_MAPPING_NODE)
		return ywalk_fail(&ld->w, map, "%s: expected a mapping of keys", what);
	return ywalk_mapping(&ld->w, map, what, allowed, nallowed, keys, vals);
}

/* An unsigned integer (decimal or 0x hex) within [lo, hi]. */
static int read_uint(struct loader *ld, const yaml_node_t *n, const char *what, unsigned long lo, unsigned long hi,
		     unsigned long *out)
{
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(&ld->w, n, what, &s))
		return -1;
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno || v < lo || v > hi)
		return ywalk_fail(&ld->w, n, "%s: '%s' is not a number from %lu to %lu", what, ywalk_show(s, shown, sizeof shown), lo,
			       hi);
	*out = v;
	return 0;
}

/* Text of bounded length from an allowed character class ("a-z0-9" plus extra). */
static int read_word(struct loader *ld, const yaml_node_t *n, const char *what, const char *extra, char *dst,
		     size_t dstlen)
{
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(&ld->w, n, what, &s))
		return -1;
	if (s[0] == '\0')
		return ywalk_fail(&ld->w, n, "%s: must not be empty", what);
	if (strlen(s) >= dstlen)
		return ywalk_fail(&ld->w, n, "%s: longer than %zu characters", what, dstlen - 1);
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr(extra, *p)))
			return ywalk_fail(&ld->w, n, "%s: '%s' may hold only a-z, 0-9 and '%s'", what,
				       ywalk_show(s, shown, sizeof shown), extra);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* A name from a fixed set (names[i] means bits[i]); the error lists them ("expected a, b or c"). */
struct word_bits {
	const char *name;
	unsigned bits;
};

static int read_choice(struct loader *ld, const yaml_node_t *n, const char *what, const struct word_bits *w,
		       size_t nw, unsigned *out)
{
	const char *s = NULL;
	char list[128] = "";
	if (ywalk_scalar(&ld->w, n, what, &s))
		return -1;
	for (size_t i = 0; i < nw; i++)
		if (strcmp(s, w[i].name) == 0) {
			*out = w[i].bits;
			return 0;
		}
	for (size_t i = 0; i < nw; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i == 0 ? "" : i + 1 == nw ? " or " : ", ",
			 w[i].name);
	return ywalk_fail(&ld->w, n, "%s: expected %s", what, list);
}

/* A list of such names (or one) ORed into *out; *count is how many were listed. */
static int read_flags(struct loader *ld, const yaml_node_t *n, const char *what, const struct word_bits *w, size_t nw,
		      unsigned *out, uint16_t *count)
{
	struct items *it = malloc(sizeof *it);
	int rc = -1;
	if (!it)
		return ywalk_fail(&ld->w, n, "out of memory");
	if (items_of(ld, n, what, it))
		goto out;
	for (size_t i = 0; i < it->n; i++) {
		unsigned b = 0;
		if (read_choice(ld, it->v[i], what, w, nw, &b))
			goto out;
		*out |= b;
	}
	if (count)
		*count = (uint16_t)it->n;
	rc = 0;
out:
	free(it);
	return rc;
}

static const struct word_bits SIDES[] = { { "client", SIDE_CLIENT }, { "server", SIDE_SERVER }, { "any", SIDE_ANY } };

static int read_transport(struct loader *ld, const yaml_node_t *n, struct sig *sg)
{
	static const struct word_bits t[] = { { "tcp", T_TCP }, { "udp", T_UDP } };
	unsigned bits = 0;
	int rc = read_flags(ld, n, "transport", t, 2, &bits, NULL);
	sg->transports = (uint8_t)bits;
	return rc;
}

static int read_prefix(struct loader *ld, const yaml_node_t *n, int si)
{
	const char *s = NULL;
	char text[ADDR_STRLEN + 1], shown[YWALK_SHOWN], fmt[ADDR_STRLEN];
	if (ywalk_scalar(&ld->w, n, "addresses", &s))
		return -1;
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct ip_addr a;
	if (alen == 0 || alen >= sizeof text)
		return ywalk_fail(&ld->w, n, "addresses: '%s' is not an address prefix", ywalk_show(s, shown, sizeof shown));
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (addr_parse(text, &a) != 0)
		return ywalk_fail(&ld->w, n, "addresses: '%s' is not an address prefix", ywalk_show(s, shown, sizeof shown));
	unsigned max = a.family == 4 ? 32 : 128, len = max;
	if (slash) {
		char *end = NULL;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || v > max)
			return ywalk_fail(&ld->w, n, "addresses: '%s' has a bad prefix length (0 to %u)",
				       ywalk_show(s, shown, sizeof shown), max);
		len = (unsigned)v;
	}
	if (len < 8)
		return ywalk_fail(&ld->w, n, "addresses: '%s' is wider than /8: that is not one service",
			       ywalk_show(s, shown, sizeof shown));
	struct ip_addr masked = a;
	for (unsigned bit = len; bit < max; bit++)
		masked.bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	if (!addr_eq(&masked, &a))
		return ywalk_fail(&ld->w, n, "addresses: '%s' has bits set beyond the prefix (did you mean %s/%u?)",
			       ywalk_show(s, shown, sizeof shown), addr_format(&masked, fmt, sizeof fmt), len);
	if (sigs_index_add_prefix(ld->set->index, si, &a, len))
		return ywalk_fail(&ld->w, n, "addresses: too many prefixes in one definitions file");
	return 0;
}

static int read_port(struct loader *ld, const yaml_node_t *n, int si)
{
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(&ld->w, n, "ports", &s))
		return -1;
	char *end = NULL;
	unsigned long lo = strtoul(s, &end, 10), hi = lo;
	if (isdigit((unsigned char)s[0]) && *end == '-' && isdigit((unsigned char)end[1]))
		hi = strtoul(end + 1, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end || lo < 1 || hi > 65535 || lo > hi)
		return ywalk_fail(&ld->w, n, "ports: '%s' is not a port (1 to 65535) or a range 'lo-hi'",
			       ywalk_show(s, shown, sizeof shown));
	if (sigs_index_add_ports(ld->set->index, si, (uint16_t)lo, (uint16_t)hi))
		return ywalk_fail(&ld->w, n, "ports: too many port ranges in one definitions file");
	return 0;
}

static bool host_pattern_ok(const char *s)
{
	const char *p = strncmp(s, "*.", 2) == 0 ? s + 2 : s;
	size_t label = 0;
	if (*p == '\0' || strlen(p) > 253)
		return false;
	for (; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static int read_name(struct loader *ld, const yaml_node_t *n, int si)
{
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(&ld->w, n, "names", &s))
		return -1;
	if (!host_pattern_ok(s))
		return ywalk_fail(&ld->w, n,
			       "names: '%s' is not a lower-case host name or '*.' followed by one",
			       ywalk_show(s, shown, sizeof shown));
	if (sigs_index_add_name(ld->set->index, si, s))
		return ywalk_fail(&ld->w, n, "names: too many names in one definitions file");
	return 0;
}

static int read_alpn(struct loader *ld, const yaml_node_t *n, int si)
{
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (ywalk_scalar(&ld->w, n, "alpn", &s))
		return -1;
	size_t len = strlen(s);
	bool ok = len > 0 && len < 32;
	for (size_t i = 0; ok && i < len; i++)
		ok = s[i] > 0x20 && s[i] < 0x7f;
	if (!ok)
		return ywalk_fail(&ld->w, n, "alpn: '%s' is not a protocol name (1 to 31 printable characters)",
			       ywalk_show(s, shown, sizeof shown));
	if (sigs_index_add_alpn(ld->set->index, si, s))
		return ywalk_fail(&ld->w, n, "alpn: too many values in one definitions file");
	return 0;
}

/* "16 03 01" or "160301" into bytes; -1 when not hex or too long. */
static int parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int half = -1;
	for (; *s; s++) {
		if (*s == ' ' || *s == ':')
			continue;
		int v;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return -1;
		if (half < 0) {
			half = v;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = (uint8_t)(half << 4 | v);
		half = -1;
	}
	return half < 0 ? (int)n : -1;
}

static int read_preamble(struct loader *ld, const yaml_node_t *n, int si)
{
	static const char *const keys[] = { "side", "offset", "bytes", "mask" };
	const yaml_node_t *v[4];
	uint8_t bytes[SIG_PREAMBLE_MAX], mask[SIG_PREAMBLE_MAX];
	enum sig_side side = SIDE_CLIENT;
	unsigned long offset = 0;
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (read_mapping(ld, n, "preamble", keys, 4, v))
		return -1;
	unsigned sd = SIDE_CLIENT;
	if (v[0] && read_choice(ld, v[0], "preamble side", SIDES, 3, &sd))
		return -1;
	side = (enum sig_side)sd;
	if (v[1] && read_uint(ld, v[1], "preamble offset", 0, SIG_PREAMBLE_OFFSET_MAX, &offset))
		return -1;
	if (!v[2])
		return ywalk_fail(&ld->w, n, "preamble: needs 'bytes' (hex, up to %d bytes)", SIG_PREAMBLE_MAX);
	if (ywalk_scalar(&ld->w, v[2], "preamble bytes", &s))
		return -1;
	int len = parse_hex(s, bytes, SIG_PREAMBLE_MAX);
	if (len <= 0)
		return ywalk_fail(&ld->w, v[2], "preamble bytes: '%s' is not 1 to %d hex bytes", ywalk_show(s, shown, sizeof shown),
			       SIG_PREAMBLE_MAX);
	memset(mask, 0xff, sizeof mask);
	if (v[3]) {
		if (ywalk_scalar(&ld->w, v[3], "preamble mask", &s))
			return -1;
		if (parse_hex(s, mask, SIG_PREAMBLE_MAX) != len)
			return ywalk_fail(&ld->w, v[3], "preamble mask: '%s' must be hex of the same length as bytes (%d)",
				       ywalk_show(s, shown, sizeof shown), len);
	}
	for (int i = 0; i < len; i++)
		if (bytes[i] & ~mask[i])
			return ywalk_fail(&ld->w, v[2], "preamble bytes: byte %d has bits outside its mask", i);
	if (mask[0] == 0)
		return ywalk_fail(&ld->w, v[3] ? v[3] : n, "preamble mask: the first byte must test something");
	if (sigs_index_add_preamble(ld->set->index, si, side, (unsigned)offset, bytes, mask, (size_t)len))
		return ywalk_fail(&ld->w, n, "preamble: too many preambles in one definitions file");
	return 0;
}

static int read_stun(struct loader *ld, const yaml_node_t *n, struct sig *sg)
{
	static const char *const keys[] = { "types", "attributes", "realm" };
	const yaml_node_t *v[3];
	struct items *it = malloc(sizeof *it);
	int rc = -1;
	if (!it)
		return ywalk_fail(&ld->w, n, "out of memory");
	if (read_mapping(ld, n, "stun", keys, 3, v))
		goto out;
	for (int k = 0; k < 2; k++) {
		if (!v[k])
			continue;
		if (items_of(ld, v[k], keys[k], it))
			goto out;
		for (size_t i = 0; i < it->n; i++) {
			unsigned long x;
			uint8_t *cnt = k == 0 ? &sg->stun.ntypes : &sg->stun.nattrs;
			if (*cnt == SIG_STUN_VALUES_MAX) {
				ywalk_fail(&ld->w, it->v[i], "stun %s: more than %d values", keys[k], SIG_STUN_VALUES_MAX);
				goto out;
			}
			if (read_uint(ld, it->v[i], k == 0 ? "stun types" : "stun attributes", 0,
				      k == 0 ? 0x3fff : 0xffff, &x))
				goto out;
			if (k == 0)
				sg->stun.types[sg->stun.ntypes++] = (uint16_t)x;
			else
				sg->stun.attrs[sg->stun.nattrs++] = (uint16_t)x;
		}
	}
	if (v[2]) {
		if (items_of(ld, v[2], "realm", it))
			goto out;
		for (size_t i = 0; i < it->n; i++) {
			if (sg->stun.nrealms == SIG_STUN_REALMS_MAX) {
				ywalk_fail(&ld->w, it->v[i], "stun realm: more than %d values", SIG_STUN_REALMS_MAX);
				goto out;
			}
			if (read_word(ld, it->v[i], "stun realm", ".-_", sg->stun.realms[sg->stun.nrealms],
				      STUN_REALM_MAX))
				goto out;
			sg->stun.nrealms++;
		}
	}
	sg->counts[COND_STUN] = (uint16_t)(sg->stun.ntypes + sg->stun.nattrs + sg->stun.nrealms);
	rc = 0;
out:
	free(it);
	return rc;
}

/* `media: [ice, turn, relay]`: the kinds of real-time media that make a call (any one). */
static int read_media(struct loader *ld, const yaml_node_t *n, struct sig *sg)
{
	static const struct word_bits m[] = { { "ice", SIG_MEDIA_ICE }, { "turn", SIG_MEDIA_TURN },
					      { "relay", SIG_MEDIA_RELAY } };
	unsigned bits = 0;
	int rc = read_flags(ld, n, "media", m, 3, &bits, &sg->counts[COND_MEDIA]);
	sg->media = (uint8_t)bits;
	return rc;
}

/* `frame: {side: server, length: be16, offset: 0, adds: 2}`: a length-prefixed first payload. */
static int read_frame(struct loader *ld, const yaml_node_t *n, int si)
{
	static const char *const keys[] = { "side", "length", "offset", "adds" };
	const yaml_node_t *v[4];
	struct sig_frame fr = { .sig = si, .side = SIDE_CLIENT };
	const char *s = NULL;
	unsigned long x;
	if (read_mapping(ld, n, "frame", keys, 4, v))
		return -1;
	unsigned sd = SIDE_CLIENT;
	if (v[0] && read_choice(ld, v[0], "frame side", SIDES, 3, &sd))
		return -1;
	fr.side = (uint8_t)sd;
	if (!v[1])
		return ywalk_fail(&ld->w, n, "frame: needs 'length' (be16, le16, be32 or le32)");
	if (ywalk_scalar(&ld->w, v[1], "frame length", &s))
		return -1;
	if (strlen(s) != 4 || (s[0] != 'b' && s[0] != 'l') || s[1] != 'e' || (strcmp(s + 2, "16") && strcmp(s + 2, "32")))
		return ywalk_fail(&ld->w, v[1], "frame length: expected be16, le16, be32 or le32");
	fr.little = s[0] == 'l';
	fr.size = s[2] == '1' ? 2 : 4;
	if (v[2]) {
		if (read_uint(ld, v[2], "frame offset", 0, SIG_PREAMBLE_OFFSET_MAX, &x))
			return -1;
		fr.offset = (uint8_t)x;
	}
	if (v[3]) {
		/* what the length field leaves out (the field itself, a header): may be negative */
		const char *a = NULL;
		char *end = NULL;
		if (ywalk_scalar(&ld->w, v[3], "frame adds", &a))
			return -1;
		long adds = strtol(a, &end, 10);
		if (a[0] == '\0' || *end != '\0' || adds < -1024 || adds > 1024)
			return ywalk_fail(&ld->w, v[3], "frame adds: expected a number from -1024 to 1024");
		fr.adds = (int16_t)adds;
	}
	if (sigs_index_add_frame(ld->set->index, &fr))
		return ywalk_fail(&ld->w, n, "frame: more than %d frame conditions in one definitions file", SIG_FRAMES_MAX);
	return 0;
}

/* [min, max] of two numbers. */
static int read_band(struct loader *ld, const yaml_node_t *n, const char *what, unsigned long hi, unsigned long *lo_out,
		     unsigned long *hi_out)
{
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top - n->data.sequence.items.start != 2)
		return ywalk_fail(&ld->w, n, "%s: expected [min, max]", what);
	if (read_uint(ld, ywalk_node(&ld->w, n->data.sequence.items.start[0]), what, 0, hi, lo_out) ||
	    read_uint(ld, ywalk_node(&ld->w, n->data.sequence.items.start[1]), what, 0, hi, hi_out))
		return -1;
	if (*lo_out > *hi_out)
		return ywalk_fail(&ld->w, n, "%s: min is above max", what);
	return 0;
}

static int read_shape(struct loader *ld, const yaml_node_t *n, struct sig *sg)
{
	static const char *const keys[] = { "direction", "burst_bytes", "burst_packets", "burst_gap_ms",
					    "idle_before_ms", "score", "handshake_bursts", "largest_packet",
					    "call_setup", "call_setup_s", "call_during", "receipt_ms", "min_packets",
					    "call_gap_s", "join_s",
					    "min_s", "relay_s", "relay_pps", "relay_mean", "relay_gap_ms",
					    "relay_ratio" };
	enum { K_DIR, K_BYTES, K_PKTS, K_GAP, K_IDLE, K_SCORE, K_HANDSHAKE, K_LARGEST, K_SETUP, K_SETUP_S, K_DURING,
	       K_RECEIPT,
	       K_MINPKTS, K_CALLGAP, K_JOIN, K_MIN_S, K_RELAY_S, K_RELAY_PPS, K_RELAY_MEAN, K_RELAY_GAP,
	       K_RELAY_RATIO, K_N };
	const yaml_node_t *v[K_N];
	struct sig_shape *sh = &sg->shape;
	unsigned long a, b;
	if (read_mapping(ld, n, "shape", keys, K_N, v))
		return -1;
	bool msg = sg->kind == SIG_MESSAGE;
	for (int k = 0; k < K_N; k++) {
		bool for_msg = k <= K_RECEIPT, for_call = k >= K_MINPKTS;
		if (v[k] && ((msg && !for_msg) || (!msg && !for_call)))
			return ywalk_fail(&ld->w, v[k], "shape: '%s' does not apply to a %s signature", keys[k],
				       msg ? "message" : "call");
	}
	if (msg) {
		if (!v[K_BYTES])
			return ywalk_fail(&ld->w, n, "shape: a message signature needs burst_bytes: [min, max]");
		if (v[K_DIR]) {
			const char *s = NULL;
			if (ywalk_scalar(&ld->w, v[K_DIR], "shape direction", &s))
				return -1;
			if (strcmp(s, "up") == 0)
				sh->dirs = DIR_UP;
			else if (strcmp(s, "down") == 0)
				sh->dirs = DIR_DOWN;
			else if (strcmp(s, "both") == 0)
				sh->dirs = DIR_BOTH;
			else
				return ywalk_fail(&ld->w, v[K_DIR], "shape direction: expected up, down or both");
		}
		if (read_band(ld, v[K_BYTES], "burst_bytes", 16u << 20, &a, &b))
			return -1;
		sh->bytes_min = (uint32_t)a;
		sh->bytes_max = (uint32_t)b;
		if (v[K_PKTS]) {
			if (read_band(ld, v[K_PKTS], "burst_packets", 65535, &a, &b))
				return -1;
			if (a == 0)
				return ywalk_fail(&ld->w, v[K_PKTS], "burst_packets: a burst has at least one packet");
			sh->packets_min = (uint16_t)a;
			sh->packets_max = (uint16_t)b;
		}
		if (v[K_GAP]) {
			if (read_uint(ld, v[K_GAP], "burst_gap_ms", 1, 60000, &a))
				return -1;
			sh->gap_ms = (uint32_t)a;
		}
		if (v[K_IDLE]) {
			if (read_uint(ld, v[K_IDLE], "idle_before_ms", 0, 3600000, &a))
				return -1;
			sh->idle_ms = (uint32_t)a;
		}
		if (v[K_SCORE]) {
			if (read_uint(ld, v[K_SCORE], "score", 1, 100, &a))
				return -1;
			sh->score = (uint8_t)a;
		}
		if (v[K_HANDSHAKE]) {
			if (read_uint(ld, v[K_HANDSHAKE], "handshake_bursts", 0, 16, &a))
				return -1;
			sh->handshake_bursts = (uint8_t)a;
		}
		if (v[K_LARGEST]) {
			if (read_band(ld, v[K_LARGEST], "largest_packet", 65535, &a, &b))
				return -1;
			sh->largest_min = (uint32_t)a;
			sh->largest_max = (uint32_t)b;
		}
		if (v[K_SETUP]) {
			struct items *it = malloc(sizeof *it);
			int rc = it ? items_of(ld, v[K_SETUP], "call_setup", it) : ywalk_fail(&ld->w, n, "out of memory");
			for (size_t i = 0; rc == 0 && i < it->n; i++) {
				if (sh->ncall_setup == SIG_CALL_SETUP_MAX)
					rc = ywalk_fail(&ld->w, it->v[i], "call_setup: more than %d services", SIG_CALL_SETUP_MAX);
				else if ((rc = read_word(ld, it->v[i], "call_setup", "_-", sh->call_setup[sh->ncall_setup],
							 SIG_SERVICE_MAX)) == 0)
					sh->ncall_setup++;
			}
			free(it);
			if (rc)
				return -1;
			sh->call_setup_ms = 15000;
		}
		if (v[K_SETUP_S]) {
			if (!v[K_SETUP])
				return ywalk_fail(&ld->w, v[K_SETUP_S], "call_setup_s: needs call_setup (the call services)");
			if (read_uint(ld, v[K_SETUP_S], "call_setup_s", 1, 120, &a))
				return -1;
			sh->call_setup_ms = (uint32_t)a * 1000;
		}
		if (v[K_DURING]) {
			const char *yes = NULL;
			if (!v[K_SETUP])
				return ywalk_fail(&ld->w, v[K_DURING], "call_during: needs call_setup (the call services)");
			if (ywalk_scalar(&ld->w, v[K_DURING], "call_during", &yes))
				return -1;
			if (strcmp(yes, "true") != 0 && strcmp(yes, "false") != 0)
				return ywalk_fail(&ld->w, v[K_DURING], "call_during: expected true or false");
			sh->call_during = strcmp(yes, "true") == 0;
		}
		if (v[K_RECEIPT]) {
			if (read_uint(ld, v[K_RECEIPT], "receipt_ms", 0, 60000, &a))
				return -1;
			sh->receipt_ms = (uint32_t)a;
		}
		if (sh->gap_ms >= sh->idle_ms && sh->idle_ms)
			return ywalk_fail(&ld->w, n, "shape: burst_gap_ms must be below idle_before_ms");
		return 0;
	}
	if (v[K_MINPKTS]) {
		if (read_uint(ld, v[K_MINPKTS], "min_packets", 1, 1000000, &a))
			return -1;
		sh->min_packets = (uint32_t)a;
	}
	if (v[K_CALLGAP]) {
		if (read_uint(ld, v[K_CALLGAP], "call_gap_s", 1, 3600, &a))
			return -1;
		sh->call_gap_ms = (uint32_t)a * 1000;
	}
	if (v[K_JOIN]) {
		if (read_uint(ld, v[K_JOIN], "join_s", 0, 600, &a))
			return -1;
		sh->join_ms = (uint32_t)a * 1000;
	}
	if (v[K_MIN_S]) {
		if (read_uint(ld, v[K_MIN_S], "min_s", 0, 3600, &a))
			return -1;
		sh->min_ms = (uint32_t)a * 1000;
	}
	/* the relay shape: only for a signature with `media: relay` (checked once media is read) */
	static const struct {
		int key;
		unsigned long lo, hi;
	} relay[] = { { K_RELAY_S, 1, 600 }, { K_RELAY_PPS, 1, 1000 }, { K_RELAY_MEAN, 1, 65535 },
		      { K_RELAY_GAP, 10, 60000 }, { K_RELAY_RATIO, 1, 100 } };
	for (size_t i = 0; i < sizeof relay / sizeof relay[0]; i++) {
		if (!v[relay[i].key])
			continue;
		if (read_uint(ld, v[relay[i].key], keys[relay[i].key], relay[i].lo, relay[i].hi, &a))
			return -1;
		switch (relay[i].key) {
		case K_RELAY_S: sh->relay_ms = (uint32_t)a * 1000; break;
		case K_RELAY_PPS: sh->relay_pps = (uint16_t)a; break;
		case K_RELAY_MEAN: sh->relay_mean = (uint16_t)a; break;
		case K_RELAY_GAP: sh->relay_gap_ms = (uint16_t)a; break;
		default: sh->relay_ratio = (uint8_t)a; break;
		}
		ld->relay_key[ld->cur] = v[relay[i].key];
	}
	return 0;
}

/* Reads every entry of a list condition through fn. */
static int read_list(struct loader *ld, const yaml_node_t *n, const char *what, int si,
		     int (*fn)(struct loader *, const yaml_node_t *, int), uint16_t *count)
{
	struct items *it = malloc(sizeof *it);
	int rc = -1;
	if (!it)
		return ywalk_fail(&ld->w, n, "out of memory");
	if (items_of(ld, n, what, it) == 0) {
		rc = 0;
		for (size_t i = 0; i < it->n && rc == 0; i++)
			rc = fn(ld, it->v[i], si);
		*count = (uint16_t)it->n;
	}
	free(it);
	return rc;
}

static int read_signature(struct loader *ld, const yaml_node_t *n, int si)
{
	static const char *const keys[] = { "id", "service", "recognises", "transport", "addresses", "ports",
					    "names", "alpn", "preamble", "stun", "media", "frame", "within",
					    "shape" };
	enum { K_ID, K_SERVICE, K_KIND, K_TRANSPORT, K_ADDR, K_PORTS, K_NAMES, K_ALPN, K_PREAMBLE, K_STUN,
	       K_MEDIA, K_FRAME, K_WITHIN, K_SHAPE, K_N };
	const yaml_node_t *v[K_N];
	struct sig *sg = &ld->set->sigs[si];
	const char *s = NULL;
	memset(sg, 0, sizeof *sg);
	sg->line = (unsigned)n->start_mark.line + 1;
	if (read_mapping(ld, n, "signature", keys, K_N, v))
		return -1;
	if (!v[K_ID])
		return ywalk_fail(&ld->w, n, "signature: needs an id");
	if (read_word(ld, v[K_ID], "id", "._-", sg->id, sizeof sg->id))
		return -1;
	for (int i = 0; i < si; i++)
		if (strcmp(ld->set->sigs[i].id, sg->id) == 0)
			return ywalk_fail(&ld->w, v[K_ID], "id: '%s' already used at line %u", sg->id, ld->set->sigs[i].line);
	if (!v[K_SERVICE])
		return ywalk_fail(&ld->w, n, "signature %s: needs a service", sg->id);
	if (read_word(ld, v[K_SERVICE], "service", "_-", sg->service, sizeof sg->service))
		return -1;
	if (!v[K_KIND])
		return ywalk_fail(&ld->w, n, "signature %s: needs 'recognises: session | call | message'", sg->id);
	if (ywalk_scalar(&ld->w, v[K_KIND], "recognises", &s))
		return -1;
	if (strcmp(s, "session") == 0)
		sg->kind = SIG_SESSION;
	else if (strcmp(s, "call") == 0)
		sg->kind = SIG_CALL;
	else if (strcmp(s, "message") == 0)
		sg->kind = SIG_MESSAGE;
	else
		return ywalk_fail(&ld->w, v[K_KIND], "recognises: expected session, call or message");
	snprintf(sg->label, sizeof sg->label, "%s@%s", sg->id, ld->set->version);

	ld->cur = si;
	if (sg->kind == SIG_MESSAGE) {
		for (int k = K_TRANSPORT; k <= K_FRAME; k++)
			if (v[k])
				return ywalk_fail(&ld->w, v[k],
					       "%s: a message signature matches no flow itself; it names the "
					       "sessions it rides on with 'within'",
					       keys[k]);
		if (!v[K_WITHIN])
			return ywalk_fail(&ld->w, n, "signature %s: a message signature needs 'within: [session ids]'", sg->id);
		if (!v[K_SHAPE])
			return ywalk_fail(&ld->w, n, "signature %s: a message signature needs a 'shape'", sg->id);
		ld->within_nodes[si] = v[K_WITHIN];
		/* defaults a shape may override */
		sg->shape = (struct sig_shape){ .dirs = DIR_BOTH, .packets_min = 1, .packets_max = 64,
						.largest_min = 0, .largest_max = 65535, .gap_ms = 500, .idle_ms = 0,
						.score = 60, .handshake_bursts = 2 };
		return read_shape(ld, v[K_SHAPE], sg);
	}
	if (v[K_WITHIN])
		return ywalk_fail(&ld->w, v[K_WITHIN], "within: only message signatures ride on other signatures");
	if (v[K_SHAPE] && sg->kind == SIG_SESSION)
		return ywalk_fail(&ld->w, v[K_SHAPE], "shape: a session signature has no shape");
	sg->shape.min_packets = 1;
	sg->shape.call_gap_ms = 5000;
	sg->shape.join_ms = 5000;
	sg->shape.relay_ms = 10000;
	sg->shape.relay_pps = 10;
	sg->shape.relay_mean = 400;
	sg->shape.relay_gap_ms = 1000;
	sg->shape.relay_ratio = 3;
	if (v[K_SHAPE] && read_shape(ld, v[K_SHAPE], sg))
		return -1;
	if (v[K_TRANSPORT] && read_transport(ld, v[K_TRANSPORT], sg))
		return -1;
	if (v[K_ADDR] && read_list(ld, v[K_ADDR], "addresses", si, read_prefix, &sg->counts[COND_ADDRESS]))
		return -1;
	if (v[K_PORTS] && read_list(ld, v[K_PORTS], "ports", si, read_port, &sg->counts[COND_PORT]))
		return -1;
	if (v[K_NAMES] && read_list(ld, v[K_NAMES], "names", si, read_name, &sg->counts[COND_NAME]))
		return -1;
	if (v[K_ALPN] && read_list(ld, v[K_ALPN], "alpn", si, read_alpn, &sg->counts[COND_ALPN]))
		return -1;
	if (v[K_PREAMBLE] && read_list(ld, v[K_PREAMBLE], "preamble", si, read_preamble, &sg->counts[COND_PREAMBLE]))
		return -1;
	if (v[K_STUN] && read_stun(ld, v[K_STUN], sg))
		return -1;
	if (v[K_MEDIA] && read_media(ld, v[K_MEDIA], sg))
		return -1;
	if (v[K_FRAME] && read_list(ld, v[K_FRAME], "frame", si, read_frame, &sg->counts[COND_FRAME]))
		return -1;
	static const int cond_of_key[K_N] = { [K_TRANSPORT] = COND_TRANSPORT, [K_ADDR] = COND_ADDRESS,
					      [K_PORTS] = COND_PORT, [K_NAMES] = COND_NAME, [K_ALPN] = COND_ALPN,
					      [K_PREAMBLE] = COND_PREAMBLE, [K_STUN] = COND_STUN,
					      [K_MEDIA] = COND_MEDIA, [K_FRAME] = COND_FRAME };
	for (int k = K_TRANSPORT; k <= K_FRAME; k++)
		if (v[k])
			sg->conds |= 1u << cond_of_key[k];
	if (sg->transports == 0)
		sg->transports = T_TCP | T_UDP;
	if ((sg->conds & ~(1u << COND_TRANSPORT)) == 0)
		return ywalk_fail(&ld->w, n, "signature %s: needs at least one condition besides transport "
				      "(addresses, ports, names, alpn, preamble, stun, media, frame)", sg->id);
	if ((sg->conds & (1u << COND_STUN)) && !(sg->transports & T_UDP))
		return ywalk_fail(&ld->w, v[K_STUN], "stun: STUN is read on UDP only; the transport excludes it");
	if (v[K_MEDIA] && sg->kind != SIG_CALL)
		return ywalk_fail(&ld->w, v[K_MEDIA], "media: only a call signature recognises flows by their media");
	if (v[K_MEDIA] && sg->transports != T_UDP)
		return ywalk_fail(&ld->w, v[K_MEDIA], "media: real-time media is read on UDP only; say 'transport: udp'");
	if (ld->relay_key[si] && !(sg->media & SIG_MEDIA_RELAY))
		return ywalk_fail(&ld->w, ld->relay_key[si], "shape: relay_* keys describe `media: relay`, which "
						      "signature %s does not name", sg->id);
	return 0;
}

static int resolve_within(struct loader *ld)
{
	struct sigset *set = ld->set;
	struct items *it = malloc(sizeof *it);
	int rc = -1;
	if (!it)
		return ywalk_fail(&ld->w, NULL, "out of memory");
	for (size_t si = 0; si < set->nsigs; si++) {
		if (!ld->within_nodes[si])
			continue;
		if (items_of(ld, ld->within_nodes[si], "within", it))
			goto out;
		for (size_t i = 0; i < it->n; i++) {
			const char *s = NULL;
			if (ywalk_scalar(&ld->w, it->v[i], "within", &s))
				goto out;
			int j = sigs_find(set, s);
			if (j < 0 || set->sigs[j].kind != SIG_SESSION) {
				char shown[YWALK_SHOWN];
				ywalk_fail(&ld->w, it->v[i], "within: '%s' is not the id of a session signature in this file",
					ywalk_show(s, shown, sizeof shown));
				goto out;
			}
			sigbits_set(&set->sigs[si].within, j);
		}
	}
	rc = 0;
out:
	free(it);
	return rc;
}

static int load_root(struct loader *ld, const yaml_node_t *root)
{
	static const char *const keys[] = { "version", "released", "signatures" };
	const yaml_node_t *v[3];
	struct sigset *set = ld->set;
	const char *s = NULL;
	char shown[YWALK_SHOWN];
	if (read_mapping(ld, root, "definitions", keys, 3, v))
		return -1;
	if (!v[0])
		return ywalk_fail(&ld->w, root, "needs 'version:' (the definitions' version, named in every record)");
	if (read_word(ld, v[0], "version", ".-_+", set->version, sizeof set->version))
		return -1;
	if (!v[1])
		return ywalk_fail(&ld->w, root, "needs 'released: YYYY-MM-DD'");
	if (ywalk_scalar(&ld->w, v[1], "released", &s))
		return -1;
	if (strlen(s) != 10 || ts_parse(s, &set->released_us) != 0)
		return ywalk_fail(&ld->w, v[1], "released: '%s' is not a date YYYY-MM-DD", ywalk_show(s, shown, sizeof shown));
	memcpy(set->released, s, 11);
	if (!v[2])
		return ywalk_fail(&ld->w, root, "needs 'signatures:' (a list)");
	if (v[2]->type != YAML_SEQUENCE_NODE)
		return ywalk_fail(&ld->w, v[2], "signatures: expected a list");
	size_t n = (size_t)(v[2]->data.sequence.items.top - v[2]->data.sequence.items.start);
	if (n > SIGS_MAX)
		return ywalk_fail(&ld->w, v[2], "signatures: more than %d", SIGS_MAX);
	set->sigs = calloc(n ? n : 1, sizeof *set->sigs);
	if (!set->sigs)
		return ywalk_fail(&ld->w, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (read_signature(ld, ywalk_node(&ld->w, v[2]->data.sequence.items.start[i]), (int)i))
			return -1;
		set->nsigs = i + 1;
	}
	return resolve_within(ld);
}

static int yaml_failure(struct loader *ld, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "unknown problem";
	if (p->error == YAML_MEMORY_ERROR)
		return ywalk_fail(&ld->w, NULL, "out of memory while parsing");
	snprintf(ld->w.errbuf, ld->w.errlen, "%s:%lu: YAML syntax error: %s", ld->w.source,
		 (unsigned long)p->problem_mark.line + 1, problem);
	return -1;
}

int sigs_load_text(const char *source, const char *text, size_t len, struct sigset **out, char *errbuf,
		   size_t errlen)
{
	struct loader *ld = calloc(1, sizeof *ld);
	struct sigset *set = calloc(1, sizeof *set);
	yaml_parser_t parser;
	yaml_document_t doc;
	bool parser_ok = false, doc_ok = false;
	int rc = -1;
	*out = NULL;
	if (errlen)
		errbuf[0] = '\0';
	if (!ld || !set || !(set->index = sigs_index_new())) {
		snprintf(errbuf, errlen, "%s: out of memory", source);
		goto out;
	}
	ld->w.source = source;
	ld->set = set;
	ld->w.errbuf = errbuf;
	ld->w.errlen = errlen;
	set->refs = 1;
	snprintf(set->source, sizeof set->source, "%s", source);
	sha256_hex(text, len, set->sha256);
	if (!yaml_parser_initialize(&parser)) {
		ywalk_fail(&ld->w, NULL, "out of memory");
		goto out;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_failure(ld, &parser);
		goto out;
	}
	doc_ok = true;
	ld->w.doc = &doc;
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(errbuf, errlen, "%s:1: empty file (expected version, released, signatures)", source);
		goto out;
	}
	if (load_root(ld, root) || sigs_index_build(set, errbuf, errlen))
		goto out;
	*out = set;
	set = NULL;
	rc = 0;
out:
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	sigs_unref(set);
	free(ld);
	return rc;
}

int sigs_load_file(const char *path, struct sigset **out, char *errbuf, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	*out = NULL;
	if (file_read_all(path, SIGS_FILE_MAX, "a definitions file", &buf, &len, errbuf, errlen))
		return -1;
	int rc = sigs_load_text(path, buf, len, out, errbuf, errlen);
	free(buf);
	return rc;
}

int sigs_load_builtin(struct sigset **out, char *errbuf, size_t errlen)
{
	size_t len;
	const char *text = sigs_builtin_text(&len);
	int rc = sigs_load_text("built-in", text, len, out, errbuf, errlen);
	return rc;
}

struct sigset *sigs_ref(struct sigset *s)
{
	/* atomic: the workers of a run (run/workers.c) share one set */
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void sigs_unref(struct sigset *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	sigs_index_free(s->index);
	free(s->sigs);
	free(s);
}

long sigs_age_days(const struct sigset *s, uint64_t now_us)
{
	int64_t d = (int64_t)now_us - (int64_t)s->released_us;
	return (long)(d / (int64_t)86400000000);
}

int sigs_find(const struct sigset *s, const char *id)
{
	for (size_t i = 0; i < s->nsigs; i++)
		if (strcmp(s->sigs[i].id, id) == 0)
			return (int)i;
	return -1;
}
