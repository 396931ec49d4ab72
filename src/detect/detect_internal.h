/*
 * detect_internal.h — the parts of the detection engine shared by detect.c (flows,
 * evaluation), ott.c (sessions, messages, calls) and flowrec.c (flow records). Not
 * for other layers.
 */
#ifndef PENTRAP_DETECT_DETECT_INTERNAL_H
#define PENTRAP_DETECT_DETECT_INTERNAL_H

#include "core/ixpool.h"
#include "detect/detect.h"

enum {
	MSG_SIGS_MAX = 3,      /* message signatures riding on one session */
	PREFIX_MAX = 32,       /* first-payload bytes held while a preamble is incomplete */
	NAME_MAX_LEN = 96,
	CALL_PORTS_MAX = 16,   /* endpoints (device ports, peers) remembered per call */
	CALL_PEERS_MAX = 4,    /* far parties' addresses a call's records name (contact) */
	PENDING_MAX = 1024,    /* inferred messages held back at once (the oldest goes out when full) */
};

/* flow->detect_flags */
enum {
	DF_SEEN0 = 1 << 0,     /* first payload of dir 0 looked at */
	DF_SEEN1 = 1 << 1,
	DF_DONE = 1 << 2,      /* classified (or never will be): no more evaluation */
	DF_SERVER0 = 1 << 3,   /* the initiator is the service side */
	DF_STATE = 1 << 4,     /* flow->user is a struct fstate */
	DF_TARGET = 1 << 5,    /* a target is on one side */
	DF_DEFER = 1 << 6,     /* a match put off while a more specific one may come */
	DF_MAYBE = 1 << 7,     /* looked at though nobody is bound to it yet (identity_pending) */
};

/* fstate.flags */
enum {
	FS_SESSION = 1 << 0,   /* an OTT session began (ends with the flow) */
	FS_CALL = 1 << 1,      /* counted in a call */
	FS_PREFIX0 = 1 << 2,   /* holding first-payload bytes of dir 0 */
	FS_PREFIX1 = 1 << 3,
	FS_PREAMBLE = 1 << 4,  /* pre_full holds preamble matches */
	FS_ON_LIST = 1 << 5,   /* on the list of sessions with message signatures */
	FS_NAMED = 1 << 6,     /* name came from the flow itself (SNI, certificate): DNS's gives way */
	FS_RELAY = 1 << 7,     /* the flow showed a relay's shape (media: relay) */
};

struct burst {
	uint64_t start_us, last_us;
	uint64_t first_frame, last_frame;
	uint32_t bytes;
	uint32_t largest;      /* its largest payload packet */
	uint16_t packets;
	bool open;
	bool after_idle;       /* the flow was quiet long enough before it */
	uint8_t seen;          /* bursts this way so far (capped): the first are the handshake */
	uint64_t msg_us;       /* start of the latest burst this way taken for a message, 0 none */
};

enum { DETECT_L_MESSAGES = 0 }; /* the state pool's list */

/*
 * A UDP flow no signature named, watched for a relay's shape (`media: relay`): per
 * window of relay_ms, the packets and payload bytes each way and the longest silence
 * each way (detect.c relay_packet).
 */
struct relay_track {
	uint64_t win_start_us;
	uint64_t last_us[2];
	uint32_t pkts[2], bytes[2];
	uint32_t max_gap_us[2];
	uint8_t windows;       /* windows judged so far */
	uint8_t state;         /* RELAY_* (detect.c) */
};

struct fstate {
	struct flow *flow;
	struct sigset *set;    /* the set that classified it (a reference), or NULL */
	int16_t sig;           /* flow signature matched, -1 none */
	uint8_t flags;
	uint8_t nmsgs;
	int16_t msgs[MSG_SIGS_MAX];
	int32_t call;          /* call table index, -1 */
	const char *protocol;  /* static: what carried the session when it began (its records keep it) */
	uint64_t match_frame;
	struct sigbits pre_full;
	uint8_t prefix[2][PREFIX_MAX];
	uint8_t prefix_len[2];
	bool media;            /* a dissector confirmed media on it (RTP's few in-order packets, or STUN's) */
	union {
		struct burst burst[2];     /* sessions: [0] up (device -> service), [1] down */
		struct relay_track relay;  /* unnamed UDP flows, until a signature names them */
	};
	uint16_t frame_hits;   /* frame conditions the first payloads met (sigs_frame_match) */
	uint64_t last_payload_us;
	char name[NAME_MAX_LEN];
	uint32_t port_gen;     /* call port table generation last looked at */
};

struct call {
	bool used, begun;
	struct sigset *set;    /* a reference */
	int16_t sig;
	struct ip_addr device;
	struct ip_addr server; /* the first relay or peer */
	uint16_t device_port, server_port;
	uint8_t ip_proto;
	struct tunnel_path tunnel; /* the path of the call's first flow */
	uint64_t first_us, last_us, first_frame;
	uint32_t capture_index;
	uint32_t flows;        /* member flows not yet ended */
	uint64_t packets;
	struct endpoint {
		struct ip_addr addr;
		uint16_t port;
	} eps[CALL_PORTS_MAX]; /* in the port table: the device's ports, and media peers */
	uint8_t neps;
	struct endpoint peers[CALL_PEERS_MAX]; /* the far party as ICE or TURN showed it */
	uint8_t npeers;
	int8_t caller;         /* +1 the device called, -1 it was called, 0 not known (its setup message) */
};

/* An inferred message held back while it may still turn out to be a call's setup. */
struct pending_msg {
	struct event e;
	uint64_t due_us;
	struct ip_addr device;
	const struct sig *sig;  /* the message signature (in set) */
	struct sigset *set;     /* a reference while held */
	bool used;
};

struct port_slot {         /* (device address, port) -> call: media flows tied to a call */
	struct ip_addr addr;
	uint16_t port;
	int32_t call;          /* the call's index + 1; 0: empty (so a zeroed table is empty) */
};

struct detect {
	struct sigset *sigs;
	int stun_dissector, rtp_dissector; /* registry indexes (-1 none): flows a relay may hide in */
	const struct order *order;
	const struct identity_map *identity;
	const struct name_cache *names;
	const struct event_sink *events;
	struct facts_sink facts; /* handed to the dissectors' parse contexts (detect_facts_sink) */
	struct stats *stats;
	struct fstate *states; /* [1, capacity]: state 0 unused */
	struct ixpool pool;    /* the states held; on DETECT_L_MESSAGES, the sessions with message signatures */
	struct call *calls;
	uint32_t ncalls;
	uint32_t calls_end;     /* 1 + the highest call slot in use (0: none): scans stop there */
	struct port_slot *ports;
	uint32_t nports;       /* power of two */
	uint32_t port_gen;     /* bumped when a call adds a port */
	uint64_t now_us;
	struct pending_msg *pending; /* PENDING_MAX, a ring in time order */
	uint32_t pending_head, pending_n;
	struct detect_summary sum;
	bool identity_pending;
};

/* Whether what the device did counts in the summary: always, unless flows nobody was bound
 * to are looked at too (identity_pending); then only when the device is a target's
 * (flowrec.c), so that nothing about anyone else is counted. */
bool detect_counts(const struct detect *d, const struct ip_addr *device, uint64_t ts_us);

/* detect.c */
struct fstate *detect_state(struct detect *d, struct flow *f);     /* makes one when needed; NULL when the pool is empty */
static inline struct fstate *fstate_of(const struct flow *f)
{
	return (f->detect_flags & DF_STATE) ? (struct fstate *)f->user : NULL;
}
int detect_server_side(const struct flow *f);                      /* 0 or 1 */
const char *detect_protocol_name(const struct flow *f);
/* The event skeleton every OTT event shares: device, service party, evidence. */
void detect_event_base(const struct flow *f, struct event *e, enum event_type type, const struct sig *sg,
		       bool device_first);

/* ott.c */
void ott_classified(struct detect *d, struct flow *f, struct fstate *st, const struct packet *pkt);
void ott_packet(struct detect *d, struct flow *f, struct fstate *st, int dir, const struct packet *pkt);
void ott_flow_end(struct detect *d, struct flow *f, struct fstate *st);
void ott_tick(struct detect *d, uint64_t now_us, bool finish);
/* A call's flow showed its remote end is a peer (asks STUN, or media): ties flows to it too. */
void ott_call_peer(struct detect *d, struct flow *f, struct fstate *st, const struct flow_facts *facts);
/* A UDP flow starting with an endpoint a call already uses: joins that call as media. */
bool ott_tie_to_call(struct detect *d, struct flow *f, const struct packet *pkt);
int ott_calls_init(struct detect *d, unsigned max_calls);
void ott_calls_fini(struct detect *d);

/* flowrec.c */
bool flowrec_is_target(const struct detect *d, const struct ip_addr *a, uint64_t ts_us);
bool flowrec_local_only(const struct ip_addr *a); /* multicast or broadcast: no remote party */
void flowrec_flow_end(struct detect *d, struct flow *f, struct fstate *st);

#endif
