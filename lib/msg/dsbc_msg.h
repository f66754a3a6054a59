/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_MSG_H
#define DSBC_MSG_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_ether.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dsbc_flow.h"

/**
 * @file
 * The one message format between the management lcore and the workers
 * (DESIGN section 4).  Messages are fixed-size elements copied into
 * rte_rings created with rte_ring_create_elem(): no pointers cross, no
 * allocation, no untyped void * payloads.
 */
/**
 * The message types: X(name, direction, meaning); direction M2W =
 * management -> worker (one SP/SC ring per worker), W2M = worker ->
 * management (one MP/SC ring).
 */
#define DSBC_MSG_TYPES(X) \
	X(FLOW_ADD,     M2W, "install flow_id with spec") \
	X(FLOW_MOD,     M2W, "replace the spec of flow_id, counters kept") \
	X(FLOW_DEL,     M2W, "remove flow_id; its slot is free once acked") \
	X(NEIGH_UPDATE, M2W, "set or clear a next-hop MAC in the neighbour table") \
	X(ICE_SET,      M2W, "set ice_id's ICE-lite credentials (0-length ufrag: clear)") \
	X(FLOW_KEYS,    M2W, "terminate: SRTP master key and salt of one direction of flow_id") \
	X(SYNC,         M2W, "barrier: every earlier message is applied when acked") \
	X(FLOW_ACK,     W2M, "outcome of FLOW_ADD/MOD/DEL (status is 0 or -errno)") \
	X(LATCHED,      W2M, "flow_id latched onto a source address (RFC 7362)") \
	X(FLOW_IDLE,    W2M, "flow_id saw no packet for the idle timeout") \
	X(CONSENT_LOST, W2M, "flow_id's ICE peer stopped its checks (RFC 7675)") \
	X(SYNC_ACK,     W2M, "answer to SYNC with the same token")

/** Message types, DSBC_MSG_ and each name. */
enum dsbc_msg_type {
	DSBC_MSG_NONE = 0,
#define DSBC_MSG_ENUM(name, dir, help) DSBC_MSG_##name,
	DSBC_MSG_TYPES(DSBC_MSG_ENUM)
#undef DSBC_MSG_ENUM
	DSBC_MSG_MAX
};

#define DSBC_MSG_VERSION 1
#define DSBC_MSG_SIZE 256

#define DSBC_NEIGH_MAX 1024   /* neighbour table entries per worker */

/** Payload of FLOW_ADD and FLOW_MOD. */
struct dsbc_msg_flow {           /* FLOW_ADD, FLOW_MOD */
	uint32_t flow_id;
	uint32_t pad;
	struct dsbc_flow_spec spec;
};

/** Payload of FLOW_DEL. */
struct dsbc_msg_flow_ref {       /* FLOW_DEL */
	uint32_t flow_id;
};

/** Payload of NEIGH_UPDATE: valid 0 clears the entry. */
struct dsbc_msg_neigh {          /* NEIGH_UPDATE */
	uint16_t neigh_id;
	uint8_t valid;
	uint8_t pad;
	struct rte_ether_addr mac;
};

/** A removed flow's last counters (FLOW_ACK of a FLOW_DEL), for the
 * call's detail record and quality figures. */
struct dsbc_msg_flow_final {
	uint64_t pkts;               /* relayed */
	uint64_t bytes;
	uint64_t drops;
	uint32_t rtp_received;       /* of its main SSRC (media-aware) */
	uint32_t rtp_lost;           /* ... expected but not received */
	uint32_t jitter_us;          /* ... RFC 3550 A.8 interarrival */
	uint32_t ssrc;
	uint8_t has_rtp;             /* the four above are known */
	uint8_t latched;
	uint8_t latched_family;
	uint8_t pad;
	uint16_t latched_port;
	struct dsbc_addr latched_src;
};

/** Payload of FLOW_ACK. */
struct dsbc_msg_ack {            /* FLOW_ACK */
	uint32_t flow_id;
	uint16_t op;                 /* the enum dsbc_msg_type acknowledged */
	int16_t status;              /* 0 or -errno */
	struct dsbc_msg_flow_final final;  /* FLOW_DEL acknowledged: what
					    * the flow had counted */
};

/** Payload of LATCHED: the source the flow latched onto. */
struct dsbc_msg_latched {        /* LATCHED */
	uint32_t flow_id;
	uint16_t port;               /* host order */
	uint8_t family;
	uint8_t relatch;             /* 1 when it replaced an earlier latch */
	struct dsbc_addr src;
};

/** Payload of FLOW_IDLE. */
struct dsbc_msg_idle {           /* FLOW_IDLE */
	uint32_t flow_id;
	uint32_t pad;
	uint64_t pkts;               /* packets relayed so far */
	uint64_t idle_ms;
};

#define DSBC_ICE_UFRAG_MAX 40        /* RFC 8839: 4..256 chars; longer refused */
#define DSBC_ICE_PWD_MAX 64          /* RFC 8839: 22..256 chars */

/** Payload of ICE_SET. */
struct dsbc_msg_ice {            /* ICE_SET */
	uint16_t ice_id;
	uint8_t pwd_len;
	uint8_t pad;
	char local_ufrag[16];        /* dsbc's on this leg, NUL-terminated */
	char remote_ufrag[DSBC_ICE_UFRAG_MAX]; /* the peer's, "" unknown */
	char pwd[DSBC_ICE_PWD_MAX];  /* dsbc's, the HMAC key of checks to it */
};

/** FLOW_KEYS: which transform of a terminated flow the keys are for */
enum dsbc_keys_dir {
	DSBC_KEYS_RX = 0,            /* unprotect what arrives on the flow */
	DSBC_KEYS_TX = 1,            /* protect what it sends out */
};
#define DSBC_KEYS_CLEAR 0xff         /* suite: remove that direction's keys */

/** Payload of FLOW_KEYS. */
struct dsbc_msg_keys {           /* FLOW_KEYS */
	uint32_t flow_id;
	uint8_t dir;                 /* enum dsbc_keys_dir */
	uint8_t suite;               /* enum dsbc_srtp_suite, or _CLEAR */
	uint8_t key_len;             /* 16 */
	uint8_t salt_len;            /* 14 (AES-CM) or 12 (GCM) */
	uint8_t key[32];
	uint8_t salt[14];
};

/** Payload of SYNC and SYNC_ACK. */
struct dsbc_msg_sync {           /* SYNC, SYNC_ACK */
	uint64_t token;
};

/** A message: header and the payload of its type. */
struct dsbc_msg {
	uint16_t type;               /* enum dsbc_msg_type */
	uint8_t version;             /* DSBC_MSG_VERSION */
	uint8_t worker;              /* sender (W2M) or destination (M2W) */
	uint32_t seq;                /* per channel, for tracing */
	union {
		struct dsbc_msg_flow flow;
		struct dsbc_msg_flow_ref ref;
		struct dsbc_msg_neigh neigh;
		struct dsbc_msg_ack ack;
		struct dsbc_msg_latched latched;
		struct dsbc_msg_idle idle;
		struct dsbc_msg_sync sync;
		struct dsbc_msg_ice ice;
		struct dsbc_msg_keys keys;
		uint8_t raw[DSBC_MSG_SIZE - 8];
	};
};

_Static_assert(sizeof(struct dsbc_msg) == DSBC_MSG_SIZE,
	       "struct dsbc_msg must stay DSBC_MSG_SIZE bytes");
_Static_assert(sizeof(struct dsbc_msg_flow) <= DSBC_MSG_SIZE - 8,
	       "flow spec does not fit in a message");

/**
 * Name of a message type.
 *
 * @param t  the type
 * @return its name, e.g. "FLOW_ADD"; "none" for DSBC_MSG_NONE, "unknown"
 *   when t is out of range
 */
const char *dsbc_msg_name(enum dsbc_msg_type t);

/**
 * Checked on every receive: a message of another build or a corrupt
 * element is counted and ignored, never applied.
 *
 * @param m  the message received
 * @return true when its version is DSBC_MSG_VERSION and its type known
 */
static inline bool
dsbc_msg_valid(const struct dsbc_msg *m)
{
	return m->version == DSBC_MSG_VERSION && m->type > DSBC_MSG_NONE &&
	       m->type < DSBC_MSG_MAX;
}

/**
 * A channel: the ring plus, on the sending side, a backlog so that an
 * enqueue that finds the ring full is counted and retried in order, never
 * lost.  The backlog is private to the single producer.
 */
struct dsbc_msg_chan {
	struct rte_ring *ring;       /* elements of struct dsbc_msg */
	struct dsbc_msg *backlog;    /* FIFO of messages not yet enqueued */
	uint32_t backlog_cap;
	uint32_t backlog_head;       /* next to send */
	uint32_t backlog_len;
	uint32_t seq;
	uint64_t sent;
	uint64_t enq_fail;           /* enqueue attempts that found the ring full */
	uint64_t backlog_overflow;   /* messages refused: backlog full too */
};

/**
 * Create a ring of count messages (power of two) with the given flags
 * (RING_F_SP_ENQ / RING_F_SC_DEQ as the channel needs).  backlog_cap 0
 * means no backlog (worker side uses a small static one instead).
 * Returns 0 or -errno.
 *
 * @param c  the channel, out (zeroed first)
 * @param name  name of the ring (and of the backlog's memory), unique
 * @param count  ring size, a power of two
 * @param socket  NUMA socket of the ring and the backlog
 * @param flags  rte_ring_create_elem() flags
 * @param backlog_cap  messages the backlog holds, 0 for none
 * @return 0; the negative rte_errno of rte_ring_create_elem() (e.g.
 *   -EINVAL when count is not a power of two, -EEXIST when the name is
 *   taken, -ENOMEM); -ENOMEM when the backlog cannot be allocated
 */
int dsbc_msg_chan_init(struct dsbc_msg_chan *c, const char *name,
		       unsigned int count, int socket, unsigned int flags,
		       uint32_t backlog_cap);
/**
 * Free the ring and the backlog (messages still in it are lost) and
 * zero the channel.
 *
 * @param c  the channel
 */
void dsbc_msg_chan_fini(struct dsbc_msg_chan *c);

/**
 * Send: flush the backlog first, then try the ring, else append to the
 * backlog.  0 if sent or queued, -ENOBUFS if the backlog is full (counted).
 * Order is kept: nothing overtakes what waits in the backlog.
 *
 * @param c  the sending side of a channel (single producer)
 * @param m  the message; its version and seq are set here
 * @return 0 when sent or queued; -ENOBUFS when the ring and the backlog
 *   are full (or the ring is full and there is no backlog): the message
 *   is dropped and counted in backlog_overflow
 */
int dsbc_msg_send(struct dsbc_msg_chan *c, struct dsbc_msg *m);
/**
 * Retry the backlog, in order, until the ring is full.
 *
 * @param c  the sending side of a channel
 * @return the number of messages still pending
 */
uint32_t dsbc_msg_flush(struct dsbc_msg_chan *c);
/**
 * Receive up to n messages (single consumer); returns count.  Check
 * each with dsbc_msg_valid() before applying it.
 *
 * @param r  the channel's ring
 * @param out  where the messages are copied
 * @param n  room in out, in messages
 * @return the number of messages received, 0 when the ring is empty
 */
unsigned int dsbc_msg_recv(struct rte_ring *r, struct dsbc_msg *out,
			   unsigned int n);

#endif /* DSBC_MSG_H */
