/*
 * gen_internal.h — what the generator's files share: the PRNG, a byte writer, the
 * world (subscribers, network elements, persistent connections), packet emission
 * (gen/net.c), the episode scheduler (gen/sched.c) and the truth writer.
 *
 * How a capture is made: the world is a set of episodes (an attach, a call's setup, a
 * chunk of its media, an iMessage burst ...), each with a start time, kept in a heap.
 * Running an episode builds its packets — all at or after its start — into a batch and
 * may schedule follow-up episodes; batches are merged by timestamp into the pcap. An
 * episode runs only when no packet earlier than its start is still waiting, so the
 * capture comes out in time order with bounded memory (only live batches are held).
 * A truth line is tied to the packet that makes its event and is written when (and
 * only if) that packet is written, so truth and capture agree at any cut-off.
 *
 * This is generator code, not the packet path: it allocates freely, and a failed
 * allocation or an internal size overflow is a bug that aborts.
 */
#ifndef PENTRAP_GEN_GEN_INTERNAL_H
#define PENTRAP_GEN_GEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/addr.h"
#include "gen/gen.h"

/* ---- PRNG (gen/rng.c): xoshiro256** seeded through splitmix64 ---- */
struct gen_rng {
	uint64_t s[4];
};
void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_u64(struct gen_rng *r);
uint32_t gen_rng_below(struct gen_rng *r, uint32_t n);        /* [0, n), n > 0 */
uint32_t gen_rng_between(struct gen_rng *r, uint32_t lo, uint32_t hi); /* [lo, hi] */
double gen_rng_unit(struct gen_rng *r);                        /* [0, 1) */
double gen_rng_exp(struct gen_rng *r, double mean);
bool gen_rng_chance(struct gen_rng *r, double p);
void gen_rng_bytes(struct gen_rng *r, uint8_t *p, size_t n);

/* ---- byte writer over a caller's array (gen/wire.c) ---- */
struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
};
__attribute__((noreturn)) void gen_wb_overflow(void); /* aborts: the generator built more than it planned */
static inline struct wbuf wb_make(uint8_t *p, size_t cap)
{
	struct wbuf b = { p, 0, cap };
	return b;
}
static inline uint8_t *wb_room(struct wbuf *b, size_t n)
{
	if (n > b->cap - b->len)
		gen_wb_overflow();
	uint8_t *at = b->p + b->len;
	b->len += n;
	return at;
}
static inline void wb_u8(struct wbuf *b, unsigned v)
{
	*wb_room(b, 1) = (uint8_t)v;
}
static inline void wb_be16(struct wbuf *b, unsigned v)
{
	uint8_t *q = wb_room(b, 2);
	q[0] = (uint8_t)(v >> 8);
	q[1] = (uint8_t)v;
}
static inline void wb_be24(struct wbuf *b, uint32_t v)
{
	uint8_t *q = wb_room(b, 3);
	q[0] = (uint8_t)(v >> 16);
	q[1] = (uint8_t)(v >> 8);
	q[2] = (uint8_t)v;
}
static inline void wb_be32(struct wbuf *b, uint32_t v)
{
	uint8_t *q = wb_room(b, 4);
	q[0] = (uint8_t)(v >> 24);
	q[1] = (uint8_t)(v >> 16);
	q[2] = (uint8_t)(v >> 8);
	q[3] = (uint8_t)v;
}
void wb_mem(struct wbuf *b, const void *p, size_t n);
void wb_str(struct wbuf *b, const char *s);
void wb_fmt(struct wbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wb_zero(struct wbuf *b, size_t n);
void wb_put_be16(uint8_t *at, unsigned v);
void wb_put_be32(uint8_t *at, uint32_t v);
/* Semi-octet (TBCD) digits, filler 0xF for an odd count (3GPP TS 29.274 §8.3, 24.008). */
void wb_tbcd(struct wbuf *b, const char *digits);
/* A BER tag-length header for a value of n bytes (definite form, X.690 §8.1.3). */
void wb_ber_hdr(struct wbuf *b, unsigned tag, size_t n);
size_t gen_ber_hdr_len(size_t n);

/* Internet checksum pieces (RFC 1071) and CRC32c (RFC 9260 appendix A) for SCTP. */
uint32_t gen_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t gen_csum_fold(uint32_t sum);
uint32_t gen_crc32c(const uint8_t *p, size_t n);

/* ---- the network path of a packet ---- */
enum gen_link {
	LINK_S5,      /* SGW <-> PGW: GTPv2-C and GTP-U (subscriber data inside) */
	LINK_WIFI,    /* Wi-Fi gateway uplink: subscriber traffic in the clear, RADIUS */
	LINK_SMSC,    /* SMSC <-> ESMEs: SMPP */
	LINK_SIGTRAN, /* MSC <-> SMSC (IWMSC/GMSC): SCTP/M3UA/SCCP/TCAP/MAP */
};

struct gen_path {
	uint8_t link;                /* enum gen_link */
	bool tunnel;                 /* GTP-U between sgw_u and pgw_u */
	struct ip_addr sgw_u, pgw_u; /* outer addresses */
	uint32_t teid_up, teid_down; /* PGW's S5-U TEID (uplink), SGW's (downlink) */
};

/* One transport conversation; side a originates (the subscriber when tunnelled). */
struct gen_conn {
	struct gen_path path;
	struct ip_addr a, b;
	uint16_t pa, pb;
	uint8_t proto;    /* 6 TCP, 17 UDP, 132 SCTP */
	uint32_t seq[2];  /* TCP: next sequence number per direction */
	uint16_t ipid[2];
	uint16_t mss;
};

/* ---- the world ---- */
enum gen_device { DEV_ANDROID, DEV_IPHONE };

struct app_conn {
	bool open;
	uint32_t net_gen;     /* the subscriber's access generation it was opened on */
	uint64_t busy_until;  /* episodes on one connection never overlap */
	struct gen_conn c;
};

struct subscriber {
	char msisdn[16];      /* E.164 digits, no '+' */
	char imsi[16];
	char imei[16];
	uint8_t device;       /* enum gen_device */
	bool whatsapp;
	bool attached;
	bool v6;              /* IPv6 PDN (PAA type 2) rather than IPv4 */
	uint64_t usable_from; /* traffic only after the bearer is up */
	uint64_t busy_until;  /* the end of its latest episode (churn waits for it) */
	uint32_t net_gen;     /* bumped when its access (address, Wi-Fi) changes */
	struct ip_addr ue_ip;
	uint32_t teid_c_sgw, teid_c_pgw, teid_u_sgw, teid_u_pgw;
	uint8_t sgw;          /* which SGW serves it */
	uint32_t seq_c;       /* GTPv2-C sequence numbers */
	bool wifi;
	struct ip_addr wifi_ip;
	uint64_t wifi_until;
	uint16_t next_port;
	struct app_conn apns, wa;
	struct app_conn chat[4]; /* gen/chat.c: Telegram, Signal, Viber, Messenger (enum chat_app) */
};

/* The chat apps of gen/chat.c, in the order of subscriber.chat. */
enum chat_app { CHAT_TELEGRAM, CHAT_SIGNAL, CHAT_VIBER, CHAT_MESSENGER, CHAT__COUNT };

struct gen_ctx;
struct episode;
typedef void (*episode_fn)(struct gen_ctx *g, const struct episode *e);

enum { GEN_ANY = UINT32_MAX }; /* an episode's a/b when the scenario picks its parties */

struct episode {
	uint64_t start;
	uint64_t seq;         /* tie-breaker: creation order */
	episode_fn run;
	uint32_t a, b;        /* episode-specific: subscriber indices, kinds */
	void *p;              /* episode-specific state, owned by the chain of episodes */
};

/* A batch: the packets one episode built, sorted by time, with their truth lines. */
struct pkt_ref {
	uint64_t ts;
	const uint8_t *data;  /* in one of the batch's chunks */
	uint32_t seq;         /* insertion order: keeps the sort stable */
	uint32_t len;
	int32_t truth;        /* first truth line (index into the batch's list) or -1 */
	uint8_t tag;          /* enum gen_tag: the message this frame completes */
};
struct truth_ref {
	uint32_t off, len;
	int32_t next;
};
/* Frame bytes live in fixed chunks recycled through a free list: no realloc copies and
 * no returning memory to the system while a run lasts. */
enum { GEN_CHUNK = 64 * 1024 };
struct chunk {
	struct chunk *next;
	size_t used;
	uint8_t data[GEN_CHUNK];
};
struct batch {
	struct pkt_ref *pk;
	size_t npk, cappk;
	struct chunk *chunks; /* the newest first */
	char *text;
	size_t ntext, captext;
	struct truth_ref *tr;
	size_t ntr, captr;
	size_t next;          /* next packet to write */
	uint64_t seq;
	struct batch *free_next;
};

/* What a frame carries, counted as written, so a test can compare with tshark's counts
 * (the summary line closing the truth file). A message split over TCP segments or IP
 * fragments is counted on the frame that completes it. */
enum gen_tag {
	TAG_NONE,
	TAG_SIP,         /* a SIP request or response */
	TAG_SMPP,        /* an SMPP PDU */
	TAG_GTPV2,       /* a GTPv2-C message */
	TAG_MAP,         /* a TCAP message carrying MAP */
	TAG_RADIUS,      /* a RADIUS message */
	TAG_DNS,         /* a DNS query or response */
	TAG_TLS_CH,      /* a TLS ClientHello over TCP */
	TAG_QUIC_CH,     /* a QUIC Initial carrying a ClientHello */
	TAG__COUNT
};
extern const char *const gen_tag_names[TAG__COUNT];

/* Scenario kinds: arrival processes whose rates a mix sets (per subscriber per hour). */
enum scenario {
	SC_WEB,       /* DNS, then TLS or QUIC to a web server */
	SC_CALL,      /* SIP call (answered, busy, cancelled, no-answer, failed) with RTP */
	SC_SIP_SMS,   /* SMS over IMS: SIP MESSAGE with RP-DATA */
	SC_SMPP_SMS,  /* SMS between an ESME and a subscriber, over SMPP */
	SC_MAP_SMS,   /* SMS over SS7: MAP mo-/mt-ForwardSM */
	SC_IMESSAGE,  /* an iMessage between two iPhone subscribers (APNs bursts) */
	SC_FACETIME,  /* a FaceTime-like call between two iPhone subscribers */
	SC_WA_MSG,    /* a WhatsApp chat message */
	SC_WA_CALL,   /* a WhatsApp call through a relay */
	SC_WIFI,      /* a Wi-Fi session (RADIUS accounting Start/Stop) */
	SC_CHURN,     /* detach and re-attach with a new address */
	SC_STORY,     /* imessage-story: the two targets exchange an SMS or an iMessage */
	SC_CHAT_MSG,  /* a Telegram, Signal, Viber or Messenger message, with typing and receipts */
	SC_RTC_CALL,  /* a call of an app no signature knows: ICE, TURN or its own relay */
	SC_STREAM,    /* one-way streaming over UDP (not a call) */
	SC_GAME,      /* an online game's bursts over UDP (not a call) */
	SC__COUNT
};

struct gen_mix {
	const char *name;
	double per_hour[SC__COUNT]; /* per subscriber */
	double call_mean_s;         /* mean answered-call duration */
};
const struct gen_mix *gen_mix_find(const char *name);

enum { GEN_FRAME_CAP = 16384, GEN_HEADROOM = 256, GEN_MSG_CAP = 70000 };

struct heap {
	void *items;
	size_t n, cap, size;
	int (*less)(const void *a, const void *b);
};

struct gen_ctx {
	const struct gen_options *opt;
	const struct gen_mix *mix;
	struct gen_rng rng;
	uint64_t t0, end;           /* microseconds since the Unix epoch; end UINT64_MAX: open */
	uint64_t now;               /* the running episode's start */
	struct subscriber *subs;
	uint32_t nsubs;
	/* identifiers handed out in order */
	uint32_t next_teid;
	uint32_t next_ue_ip, next_wifi_ip;
	uint64_t next_id;           /* Call-IDs, session ids, transaction ids */
	/* persistent conversations of network elements (gen/smpp.c, gen/sigtran.c) */
	void *smpp, *sigtran;
	uint32_t radius_id;
	/* scheduler */
	struct heap episodes, batches;
	uint64_t ep_seq, batch_seq;
	struct batch *cur, *free_batches;
	struct chunk *free_chunks;
	/* output */
	FILE *pcap, *truth;
	/* the files' stdio buffers, ours: glibc's setvbuf ignores the size it is asked for
	   unless it is given the buffer too, and writes 4 KiB at a time */
	char pcap_buffer[1 << 20], truth_buffer[1 << 20];
	uint32_t snaplen;
	uint64_t written, bytes, truth_lines, last_ts;
	uint64_t tag_count[TAG__COUNT];
	uint8_t tag;                /* the tag the next frame gets (gen_batch_add) */
	bool stop;
	/* scratch for building packets */
	uint8_t frame[GEN_FRAME_CAP];
	uint8_t l4[GEN_FRAME_CAP];
	uint8_t msg[GEN_MSG_CAP];
};

/* ---- scheduler (gen/sched.c) ---- */
void gen_schedule(struct gen_ctx *g, uint64_t start, episode_fn run, uint32_t a, uint32_t b, void *p);
/* The truth line for the last packet emitted in the running episode: a JSON object's
 * members without braces; ts and frame are added. */
void gen_truth(struct gen_ctx *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t gen_last_ts(const struct gen_ctx *g); /* ts of the last packet emitted, or now */
/* Picks a subscriber usable at g->now (attached, not churning), optionally an iPhone
 * or a WhatsApp user; -1 when none found after a few tries. */
int gen_pick_sub(struct gen_ctx *g, bool iphone, bool whatsapp, int other_than);
/* The two parties of an exchange: *ai is pin_a, or picked as gen_pick_sub does when pin_a
 * is GEN_ANY, then *bi likewise and other than *ai; false when either is not found. */
bool gen_pick_pair(struct gen_ctx *g, uint32_t pin_a, uint32_t pin_b, bool iphone, bool whatsapp, int *ai, int *bi);
void gen_sub_busy(struct gen_ctx *g, uint32_t sub, uint64_t until);
/* Appends one finished frame to the running episode's batch. */
void gen_batch_add(struct gen_ctx *g, uint64_t ts, const uint8_t *frame, size_t len);
const char *gen_fmt_ts(uint64_t us, char *buf, size_t len);

/* ---- packet emission (gen/net.c) ---- */
/* The subscriber's current path and address (Wi-Fi when in a Wi-Fi session). */
void gen_sub_path(struct gen_ctx *g, const struct subscriber *s, struct gen_path *path, struct ip_addr *addr);
/* A new conversation from subscriber s (its current access) to server srv:port. */
void gen_conn_sub(struct gen_ctx *g, struct gen_conn *c, struct subscriber *s, uint8_t proto,
		  const struct ip_addr *srv, uint16_t port);
/* A conversation between two network elements on a link (no tunnel). */
void gen_conn_plain(struct gen_ctx *g, struct gen_conn *c, uint8_t link, uint8_t proto, const struct ip_addr *a,
		    uint16_t pa, const struct ip_addr *b, uint16_t pb);
void gen_udp(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, const uint8_t *pl, size_t len);
/* TCP: handshake (returns the time of the last packet), data (split at the MSS, with
 * an ACK from the peer after ack_delay when non-zero; returns the last packet's time),
 * pure ACK, and FIN exchange. */
uint64_t gen_tcp_open(struct gen_ctx *g, struct gen_conn *c, uint64_t ts, uint32_t rtt_us);
uint64_t gen_tcp_send(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, const uint8_t *data, size_t len,
		      uint32_t ack_delay_us);
void gen_tcp_ack(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts);
uint64_t gen_tcp_close(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, uint32_t rtt_us);
/* An IP packet with a ready L4 (SCTP: checksum included); the path decides the rest. */
void gen_ip(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, const uint8_t *l4, size_t len);
void gen_addr4(struct ip_addr *a, unsigned b0, unsigned b1, unsigned b2, unsigned b3);
const char *gen_addr_text(const struct ip_addr *a, char *buf);
uint16_t gen_ephemeral_port(struct gen_ctx *g, struct subscriber *s);

/* ---- the episodes, one file per protocol family ---- */
void gen_attach_all(struct gen_ctx *g);                         /* gen/gtpc.c */
void gen_ep_churn(struct gen_ctx *g, const struct episode *e);
void gen_ep_web(struct gen_ctx *g, const struct episode *e);    /* gen/web.c */
void gen_ep_call(struct gen_ctx *g, const struct episode *e);   /* gen/sip.c */
void gen_ep_sip_sms(struct gen_ctx *g, const struct episode *e);
void gen_ep_smpp_sms(struct gen_ctx *g, const struct episode *e); /* gen/smpp.c */
void gen_ep_map_sms(struct gen_ctx *g, const struct episode *e);  /* gen/sigtran.c */
void gen_ep_imessage(struct gen_ctx *g, const struct episode *e); /* gen/apple.c */
void gen_ep_facetime(struct gen_ctx *g, const struct episode *e);
void gen_ep_wa_msg(struct gen_ctx *g, const struct episode *e);   /* gen/whatsapp.c */
void gen_ep_wa_call(struct gen_ctx *g, const struct episode *e);
void gen_ep_wifi(struct gen_ctx *g, const struct episode *e);     /* gen/radius.c */
void gen_ep_story(struct gen_ctx *g, const struct episode *e);    /* gen/mix.c */
void gen_ep_chat_msg(struct gen_ctx *g, const struct episode *e); /* gen/chat.c */
void gen_ep_rtc_call(struct gen_ctx *g, const struct episode *e); /* gen/rtc.c */
void gen_ep_stream(struct gen_ctx *g, const struct episode *e);
void gen_ep_game(struct gen_ctx *g, const struct episode *e);
void gen_smpp_free(struct gen_ctx *g);
void gen_sigtran_free(struct gen_ctx *g);

/* App connections (gen/apple.c, gen/whatsapp.c): a phone whose access changed (attach,
 * Wi-Fi on or off) reconnects its push and chat connections. */
void gen_apps_online(struct gen_ctx *g, uint32_t sub);
void gen_wa_online(struct gen_ctx *g, uint32_t sub);

/* OTT calls (gen/media.c): media between each party and a relay, built two seconds at a
 * time; a truth line at each leg's first and last media packet. */
enum media_kind {
	MEDIA_FACETIME, MEDIA_WHATSAPP,
	MEDIA_ICE,    /* an unknown app, peer to peer: ICE checks, DTLS, then SRTP (gen/rtc.c) */
	MEDIA_TURN,   /* an unknown app through a TURN relay: SRTP in ChannelData */
	MEDIA_RELAY,  /* an unknown app through its own relay: its own framing, no STUN */
};
struct media_call {
	uint8_t kind;            /* enum media_kind */
	uint32_t sub[2];         /* caller, callee */
	bool leg_on[2];          /* the leg is ours to show */
	struct gen_conn c[2];    /* each party <-> its relay */
	uint16_t seq[2][2];
	uint32_t rtp_ts[2][2], ssrc[2][2];
	bool begun[2];
	uint64_t start, end, last[2];
	uint64_t next_ping;
};
/* A call of this kind between subscribers a (caller) and b, both legs still off
 * (caller frees, or hands it to gen_media_call_start); aborts as gen_wb_overflow when
 * out of memory. */
struct media_call *gen_media_call_new(uint8_t kind, int a, int b);
/* Takes ownership of m: media runs from start for an exponentially distributed time of
 * mean_s seconds, kept within [min_s, 900] s. */
void gen_media_call_start(struct gen_ctx *g, struct media_call *m, uint64_t start, double mean_s, double min_s);

/* Shared builders. */
/* SMS TPDUs and RP messages (gen/sms.c, 3GPP TS 23.040, 24.011). Return the length. */
size_t gen_tpdu_submit(uint8_t *out, size_t cap, uint8_t mr, const char *to_digits, struct gen_rng *r);
size_t gen_tpdu_deliver(uint8_t *out, size_t cap, const char *from_digits, uint64_t ts_us, struct gen_rng *r);
size_t gen_rp_data(uint8_t *out, size_t cap, bool mo, uint8_t ref, const char *smsc_digits, const uint8_t *tpdu,
		   size_t tpdu_len);
size_t gen_rp_ack(uint8_t *out, size_t cap, bool mo, uint8_t ref);
/* The text of a synthetic message (never real content). */
size_t gen_sms_text(char *out, size_t cap, struct gen_rng *r);
/* TLS pieces (gen/tls.c, RFC 8446): a ClientHello handshake message (no record header). */
size_t gen_tls_client_hello(uint8_t *out, size_t cap, struct gen_rng *r, const char *sni, const char *alpn,
			    bool quic, const uint8_t *quic_scid, size_t scid_len);
size_t gen_tls_server_hello(uint8_t *out, size_t cap, struct gen_rng *r, bool quic);
/* Wraps n bytes of random "ciphertext" in TLS records of content type ct (max 16384+256). */
size_t gen_tls_records(uint8_t *out, size_t cap, struct gen_rng *r, uint8_t ct, size_t n);
/* TLS over a TCP conversation: handshake with SNI/ALPN (client cert when cert_len). */
uint64_t gen_tls_handshake(struct gen_ctx *g, struct gen_conn *c, uint64_t ts, const char *sni, const char *alpn,
			   size_t server_cert_len, size_t client_cert_len, uint32_t rtt_us);
/* One application-data record of n payload bytes, dir 0 client to server. */
uint64_t gen_tls_app(struct gen_ctx *g, struct gen_conn *c, int dir, uint64_t ts, size_t n, uint32_t ack_delay_us);
/* QUIC v1 (gen/quic.c, RFC 9000/9001): the client's and server's Initial and a few
 * 1-RTT packets of a connection to sni. Returns the time of the last packet. */
uint64_t gen_quic_connection(struct gen_ctx *g, struct gen_conn *c, uint64_t ts, const char *sni, const char *alpn,
			     unsigned data_packets, uint32_t rtt_us);
/* DNS (gen/dns.c, RFC 1035): a query and its answer for name, answer addr. */
uint64_t gen_dns_lookup(struct gen_ctx *g, struct subscriber *s, uint64_t ts, const char *name,
			const struct ip_addr *answer, uint32_t rtt_us);
/* STUN (gen/stun.c, RFC 8489): a message with optional attributes. */
size_t gen_stun(uint8_t *out, size_t cap, uint16_t type, const uint8_t tid[12], const uint8_t *attrs, size_t attrs_len);

/* Where things are (gen/net.c). */
extern const char gen_ims_domain[];
/* The P-CSCF and the operator's DNS resolver, in the family the subscriber uses. */
void gen_pcscf(struct ip_addr *a, int family);
void gen_dns_server(struct ip_addr *a, int family);
/* A server's address as a subscriber of the given family reaches it: IPv4 as is; for
 * IPv6, Apple's, Meta's and Telegram's own prefixes, NAT64 (64:ff9b::/96, RFC 6052) for the rest. */
void gen_server_addr(struct ip_addr *out, const struct ip_addr *v4, int family);
int gen_sub_family(const struct subscriber *s);

#endif
