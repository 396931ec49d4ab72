/*
 * sigs.h — signature definitions as data (docs/signatures.md): a versioned set of
 * signatures loaded from YAML (sigs_load.c), compiled into indexes that answer "which
 * signatures does this flow satisfy" without scanning them (sigs_match.c).
 *
 * A signature names a service and what it recognises: a session (a flow to the
 * service), a call (media flows of the service) or a message (inferred from the shape
 * of traffic on a session another signature recognised). Its conditions are ANDed;
 * signatures are ORed. A condition kind a signature does not name is not checked.
 *
 * Matching costs no scan: addresses go through a binary trie (longest prefixes, every
 * prefix on the path counts), ports through sorted disjoint intervals, host names
 * through a hash of exact names and of label-boundary suffixes, ALPN values through a
 * hash, preambles through a table indexed by the first byte they test; each lookup
 * yields a bitset of signatures, and a flow matches where every kind it needs is set.
 *
 * Memory and life: a sigset is immutable once built and reference-counted, so a reload
 * can swap in a new set while flows classified by the old one keep pointing into it;
 * the last sigs_unref frees it. Flows and events name "id@version" (struct sig.label).
 */
#ifndef PENTRAP_DETECT_SIGS_H
#define PENTRAP_DETECT_SIGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "detect/facts.h"

enum {
	SIGS_MAX = 256,               /* signatures in one set */
	SIG_WORDS = SIGS_MAX / 64,
	SIG_ID_MAX = 40,
	SIG_SERVICE_MAX = 32,
	SIG_VERSION_MAX = 24,
	SIG_LABEL_MAX = SIG_ID_MAX + SIG_VERSION_MAX, /* "id@version" with its NUL: fits event.signature */
	SIG_PREAMBLE_MAX = 16,        /* bytes one preamble tests */
	SIG_PREAMBLE_OFFSET_MAX = 64, /* furthest offset a preamble may start at */
	SIG_STUN_VALUES_MAX = 16,     /* types or attributes listed in one stun condition */
	SIG_STUN_REALMS_MAX = 4,
	SIG_CALL_SETUP_MAX = 4,       /* call services a message signature defers to */
	SIG_FRAMES_MAX = 16,          /* frame conditions (length-prefixed first payloads) in one set */
	SIGS_LIST_MAX = 4096,         /* entries of one list (addresses, names ...) in a set */
	SIGS_FILE_MAX = 4 * 1024 * 1024,
};

enum sig_kind { SIG_SESSION, SIG_MESSAGE, SIG_CALL };

/* Condition kinds, one bit each in struct sig.conds. */
enum sig_cond {
	COND_TRANSPORT,
	COND_ADDRESS,  /* the server's address is in one of the prefixes */
	COND_PORT,     /* the server's port is one of the ports */
	COND_NAME,     /* a name of the server (DNS answer, TLS/QUIC SNI, certificate) matches */
	COND_ALPN,     /* an ALPN value offered or chosen matches */
	COND_PREAMBLE, /* the first payload of a side starts (at an offset) with bytes under a mask */
	COND_STUN,     /* STUN message types / attributes / realm seen on the flow */
	COND_MEDIA,    /* the flow carries real-time media of a kind (ICE, TURN, a relay's shape) */
	COND_FRAME,    /* the first payload of a side is one frame whose length field says its size */
	COND__COUNT
};

enum sig_side { SIDE_CLIENT = 1, SIDE_SERVER = 2, SIDE_ANY = 3 };
enum sig_dir { DIR_UP = 1, DIR_DOWN = 2, DIR_BOTH = 3 }; /* up: device -> service */

/*
 * Kinds of real-time media a flow shows (the `media` condition, docs/signatures.md):
 * ICE connectivity checks then media on the same flow; a TURN allocation then media
 * (ChannelData); a relay's shape — a sustained two-way flow of small packets at a
 * steady rate (detect.c measures it).
 */
enum sig_media { SIG_MEDIA_ICE = 1 << 0, SIG_MEDIA_TURN = 1 << 1, SIG_MEDIA_RELAY = 1 << 2 };

struct sigbits {
	uint64_t w[SIG_WORDS];
};

/* Traffic shape for inferred events (messages) and call grouping. */
struct sig_shape {
	uint8_t dirs;                /* enum sig_dir: which bursts count (messages) */
	uint32_t bytes_min, bytes_max;   /* payload bytes of one burst (messages) */
	uint16_t packets_min, packets_max; /* payload packets of one burst (messages) */
	uint32_t largest_min, largest_max; /* its largest payload packet (messages) */
	uint32_t gap_ms;             /* packets closer than this are one burst */
	uint32_t idle_ms;            /* quiet on the flow before a burst (messages) */
	uint8_t handshake_bursts;    /* a session's first bursts each way: handshake and login */
	uint8_t score;               /* 1..100, reported with inferred events */
	char call_setup[SIG_CALL_SETUP_MAX][SIG_SERVICE_MAX]; /* messages: calls whose setup rides here */
	uint8_t ncall_setup;
	uint32_t call_setup_ms;      /* a burst this long before such a call on the device is its setup */
	uint32_t receipt_ms;         /* messages: a burst this soon after a message the other way is its
					automatic receipt, not a message (0: off) */
	bool call_during;            /* messages: bursts while a call_setup call is going are its signalling */
	uint32_t min_packets;        /* calls: packets before the call is recorded */
	uint32_t call_gap_ms;        /* calls: quiet this long with no flow left, a call has ended */
	uint32_t join_ms;            /* calls: relay flows this close to a call's start are its own */
	uint32_t min_ms;             /* calls: media this long before the call is recorded */
	/* calls with `media: relay`: what a relay's shape is, measured over windows of relay_ms */
	uint32_t relay_ms;           /* window length (and the least a relay flow must last) */
	uint16_t relay_pps;          /* packets per second each way, at least */
	uint16_t relay_mean;         /* mean payload bytes per packet each way, at most */
	uint16_t relay_gap_ms;       /* no silence longer than this either way */
	uint8_t relay_ratio;         /* the busier direction has at most this many times the packets */
};

/* A length-prefixed first payload: its length field (size bytes, big- or little-endian,
 * at offset) plus adds is the payload's length. */
struct sig_frame {
	int sig;
	uint8_t side;                /* enum sig_side */
	uint8_t offset, size;        /* size 2 or 4 */
	bool little;
	int16_t adds;
};

struct sig_stun {
	uint16_t types[SIG_STUN_VALUES_MAX];
	uint8_t ntypes;
	uint16_t attrs[SIG_STUN_VALUES_MAX];
	uint8_t nattrs;
	char realms[SIG_STUN_REALMS_MAX][STUN_REALM_MAX];
	uint8_t nrealms;
};

struct sig {
	char id[SIG_ID_MAX];
	char service[SIG_SERVICE_MAX];
	char label[SIG_LABEL_MAX];   /* "id@version", what records name */
	enum sig_kind kind;
	unsigned line;               /* where it starts in the definitions file */
	unsigned conds;              /* bit (1 << enum sig_cond) per condition present */
	uint8_t transports;          /* T_TCP | T_UDP (proto/proto.h) */
	struct sigbits within;       /* messages: the signatures whose sessions they ride on */
	struct sig_shape shape;
	struct sig_stun stun;
	uint8_t media;               /* enum sig_media bits: any of them */
	uint16_t counts[COND__COUNT];/* entries per condition (for `sigs info`) */
};

struct sig_index; /* the compiled lookups (sigs_match.c) */

struct sigset {
	char version[SIG_VERSION_MAX];
	char released[16];           /* "YYYY-MM-DD" */
	uint64_t released_us;
	char source[256];            /* the file's path, or "built-in" */
	char sha256[65];             /* of the file's bytes */
	struct sig *sigs;            /* owned, nsigs entries */
	size_t nsigs;
	struct sig_index *index;     /* owned */
	unsigned refs;
};

/*
 * Loads definitions from text (source names it in messages). On error returns -1 and
 * writes one line "SOURCE:LINE: problem" into errbuf. The caller owns *out (sigs_unref).
 */
int sigs_load_text(const char *source, const char *text, size_t len, struct sigset **out, char *errbuf,
		   size_t errlen);
/* The same from a file. */
int sigs_load_file(const char *path, struct sigset **out, char *errbuf, size_t errlen);
/* The built-in set: the copy of sigs/builtin.yaml embedded in the executable. */
int sigs_load_builtin(struct sigset **out, char *errbuf, size_t errlen);
/* The embedded copy's bytes (borrowed, static). */
const char *sigs_builtin_text(size_t *len);

struct sigset *sigs_ref(struct sigset *s);
void sigs_unref(struct sigset *s); /* accepts NULL; frees at the last reference */

/* Whole days from the release date to now_us (negative when released in the future). */
long sigs_age_days(const struct sigset *s, uint64_t now_us);
/* The signature by id, or -1. */
int sigs_find(const struct sigset *s, const char *id);

/* --- matching (sigs_match.c) --- */

/* Compiles the indexes of a loaded set. 0, or -1 with errbuf set. */
int sigs_index_build(struct sigset *s, char *errbuf, size_t errlen);
void sigs_index_free(struct sig_index *ix);

/* Entries of the lists a loader adds while reading (sigs_load.c calls these). */
struct sig_index *sigs_index_new(void);
int sigs_index_add_prefix(struct sig_index *ix, int sig, const struct ip_addr *net, unsigned plen);
int sigs_index_add_ports(struct sig_index *ix, int sig, uint16_t lo, uint16_t hi);
int sigs_index_add_name(struct sig_index *ix, int sig, const char *pattern); /* "a.b" or "*.a.b" */
int sigs_index_add_alpn(struct sig_index *ix, int sig, const char *alpn);
int sigs_index_add_preamble(struct sig_index *ix, int sig, enum sig_side side, unsigned offset,
			    const uint8_t *bytes, const uint8_t *mask, size_t len);
int sigs_index_add_frame(struct sig_index *ix, const struct sig_frame *fr);

/* What a flow is known to be so far. */
struct sig_facts {
	uint8_t transport;              /* T_TCP or T_UDP */
	const struct ip_addr *server;   /* the service side's address */
	uint16_t server_port;
	const char *names[FACTS_NAMES_MAX + 1];
	uint8_t nnames;
	const char *alpn[FACTS_ALPN_MAX];
	uint8_t nalpn;
	const struct sigbits *preamble; /* signatures whose preamble matched, NULL: not seen */
	uint16_t frames;                /* frame conditions the first payloads met (bit per entry;
					   valid with preamble) */
	const struct stun_facts *stun;
	uint8_t media;                  /* enum sig_media: what media the flow showed */
};

/*
 * The signatures whose preamble the first payload bytes of a side satisfy (full), and
 * those whose preamble the bytes match as far as they go but that need more bytes
 * (partial: a first TCP segment shorter than the preamble). Returns true when any
 * signature has a preamble at all, so callers can skip the work otherwise.
 */
bool sigs_preamble_match(const struct sigset *s, enum sig_side side, const uint8_t *p, size_t len,
			 struct sigbits *full, struct sigbits *partial);
/* True when the set has preambles or frames (first payloads are worth a look). */
bool sigs_has_preambles(const struct sigset *s);
/* The frame conditions (bit per entry) that a side's first payload p[0..len) meets. */
uint16_t sigs_frame_match(const struct sigset *s, enum sig_side side, const uint8_t *p, size_t len);
/*
 * The relay shape of the set: that of its first signature with `media: relay`, NULL when
 * it has none (then no flow's shape is measured). Borrowed from s.
 */
const struct sig_shape *sigs_relay_shape(const struct sigset *s);
/*
 * True when a signature knows calls by their media alone (`media` and at most a
 * transport): it names no app (service `unknown` in the built-in set), so a call it
 * found gives way to one an app's signature finds on the same device (detect/ott.c).
 */
static inline bool sig_by_media(const struct sig *sg)
{
	return sg->media && (sg->conds & ~((1u << COND_TRANSPORT) | (1u << COND_MEDIA))) == 0;
}
/* True when some signature tests the server port p (used to tell which side serves). */
bool sigs_port_listed(const struct sigset *s, uint16_t port);
/* True when some signature's prefixes hold a. */
bool sigs_addr_listed(const struct sigset *s, const struct ip_addr *a);

/*
 * The best flow signature (session or call) the facts satisfy: the one with the most
 * condition kinds, then the first in the file. -1 when none. When pending is given it
 * is set to whether some signature still could match once names, ALPN or STUN arrive.
 * When defer is given it is set when a signature naming more condition kinds than the
 * best still waits only for the first payload (its preamble): the caller may wait for
 * it rather than settle for the less specific match ("whatsapp-chat" by its preamble
 * rather than "whatsapp-name" by the DNS name, so its message signatures apply).
 */
int sigs_eval(const struct sigset *s, const struct sig_facts *f, bool *pending, bool *defer);

/* Message signatures riding on sessions of signature sig, in file order; returns the count. */
size_t sigs_messages_for(const struct sigset *s, int sig, int *out, size_t max);

static inline void sigbits_set(struct sigbits *b, int i)
{
	b->w[i / 64] |= (uint64_t)1 << (i % 64);
}
static inline bool sigbits_has(const struct sigbits *b, int i)
{
	return (b->w[i / 64] >> (i % 64)) & 1;
}
static inline bool sigbits_any(const struct sigbits *b)
{
	uint64_t x = 0;
	for (int i = 0; i < SIG_WORDS; i++)
		x |= b->w[i];
	return x != 0;
}

#endif
