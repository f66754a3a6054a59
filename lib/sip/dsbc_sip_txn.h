/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_TXN_H
#define DSBC_SIP_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_sip_msg.h"

/*
 * SIP transactions over UDP (RFC 3261 section 17, with RFC 6026's
 * Accepted state for INVITE servers): the four state machines, their
 * timers (A-K, L, M), retransmission and its absorption.  Time is given
 * by the caller in milliseconds, so tests drive it and the management
 * lcore passes its clock.  Plain C: no DPDK, no threads.
 *
 * A transaction stores the last message it sent (request for a client,
 * response for a server) and retransmits it through ops->send, to the
 * opaque destination the caller gave (for dsbc: a struct dsbc_sip_peer).
 */
#define DSBC_SIP_TXN_DEST_MAX 96
#define DSBC_SIP_TXN_BRANCH_MAX 96

enum dsbc_sip_txn_kind {
	DSBC_TXN_ICT,        /* INVITE client, section 17.1.1 */
	DSBC_TXN_NICT,       /* non-INVITE client, 17.1.2 */
	DSBC_TXN_IST,        /* INVITE server, 17.2.1 + RFC 6026 */
	DSBC_TXN_NIST,       /* non-INVITE server, 17.2.2 */
};

enum dsbc_sip_txn_state {
	DSBC_TXN_CALLING, DSBC_TXN_TRYING, DSBC_TXN_PROCEEDING,
	DSBC_TXN_COMPLETED, DSBC_TXN_CONFIRMED, DSBC_TXN_ACCEPTED,
	DSBC_TXN_TERMINATED,
};

struct dsbc_sip_txn {
	uint32_t id;
	uint8_t kind;                /* enum dsbc_sip_txn_kind */
	uint8_t state;               /* enum dsbc_sip_txn_state */
	uint8_t in_use;
	uint8_t method_id;           /* enum dsbc_sip_method of the request */
	uint16_t last_status;        /* last response sent or received */
	uint16_t retx_count;
	char branch[DSBC_SIP_TXN_BRANCH_MAX];
	uint8_t branch_len;
	char method[24];             /* for CANCEL/ACK matching of others */
	uint64_t retx_at;            /* next retransmission, 0: none */
	uint32_t retx_ms;            /* current interval */
	uint64_t timeout_at;         /* B, F, H: give up; 0: none */
	uint64_t end_at;             /* D, I, J, K, L, M: terminate; 0: none */
	char *msg;                   /* last message sent (owned) */
	uint32_t msg_len;
	char *ack;                   /* ICT: ACK for a non-2xx (owned) */
	uint32_t ack_len;
	_Alignas(8) uint8_t dest[DSBC_SIP_TXN_DEST_MAX]; /* caller's struct */
	void *user;                  /* the transaction user's context */
	uint32_t hash_next;          /* chain in the branch hash, 0: end */
	uint32_t heap_pos;           /* in the timer heap, 1-based, 0: not */
	uint64_t due;                /* earliest of its timers, in the heap */
};

struct dsbc_sip_txl;

struct dsbc_sip_txl_ops {
	/* Put msg on the wire to dest (a copy of what the caller gave). */
	void (*send)(void *ctx, const void *dest, const char *msg,
		     uint32_t len);
	/* Timer B, F or H fired: the request (or our final answer) got no
	 * response/ACK.  Client: the TU acts as if it received 408. */
	void (*timeout)(void *ctx, struct dsbc_sip_txn *t);
	/* The transaction is gone: drop references to it. */
	void (*terminated)(void *ctx, struct dsbc_sip_txn *t);
};

struct dsbc_sip_txl_cfg {
	uint32_t max_txns;
	uint32_t t1_ms;              /* RTT estimate, default 500 */
	uint32_t t2_ms;              /* cap of non-INVITE retransmits, 4000 */
	uint32_t t4_ms;              /* max network lifetime, 5000 */
	uint32_t hash_seed;          /* random: branches a peer picks cannot
				      * be chosen to share one chain */
};

struct dsbc_sip_txl *dsbc_sip_txl_create(const struct dsbc_sip_txl_cfg *cfg,
					 const struct dsbc_sip_txl_ops *ops,
					 void *ctx);
void dsbc_sip_txl_free(struct dsbc_sip_txl *l);
uint32_t dsbc_sip_txl_count(const struct dsbc_sip_txl *l);

/*
 * Client: send a request (msg carries our Via with branch) and start the
 * timers.  For an INVITE, ack_tmpl_* let the layer build the ACK for a
 * non-2xx answer itself (section 17.1.1.3): it is the request with the
 * method replaced, so only the request is needed.  Returns NULL when the
 * table is full or the branch is in use.
 */
struct dsbc_sip_txn *dsbc_sip_txn_client(struct dsbc_sip_txl *l,
					 const char *branch, uint32_t blen,
					 const struct dsbc_sip_msg *req,
					 const void *dest, uint32_t dest_len,
					 void *user, uint64_t now);

/*
 * A response arrived.  Returns its client transaction and whether the TU
 * must see it (*deliver); retransmitted finals are absorbed (for an
 * INVITE non-2xx the ACK is repeated).  NULL: no transaction (a stray or
 * a 2xx retransmission after the ICT ended: the TU handles those).
 */
struct dsbc_sip_txn *dsbc_sip_txn_response(struct dsbc_sip_txl *l,
					   const struct dsbc_sip_msg *resp,
					   uint64_t now, bool *deliver);

/*
 * A request arrived.  If it belongs to a server transaction it is a
 * retransmission (absorbed; the last response is resent) or the ACK of
 * a non-2xx (absorbed, *is_ack_absorbed).  Returns that transaction, or
 * NULL when the TU must handle the request (new transaction needed, or an
 * ACK for a 2xx, which belongs to the dialog).
 */
struct dsbc_sip_txn *dsbc_sip_txn_match_request(struct dsbc_sip_txl *l,
						const struct dsbc_sip_msg *req,
						uint64_t now);

/* Server: a new transaction for req; an INVITE gets 100 Trying at once
 * when trying is not NULL (section 17.2.1: the B2BUA always sends it). */
struct dsbc_sip_txn *dsbc_sip_txn_server(struct dsbc_sip_txl *l,
					 const struct dsbc_sip_msg *req,
					 const void *dest, uint32_t dest_len,
					 void *user, uint64_t now);

/* Server: send a response (status from its status line) through t. */
int dsbc_sip_txn_respond(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t,
			 uint16_t status, const char *msg, uint32_t len,
			 uint64_t now);

/* Fire due timers; returns the earliest future deadline (0: none).
 * Costs O(log n) per timer fired: the timers are a heap. */
uint64_t dsbc_sip_txl_tick(struct dsbc_sip_txl *l, uint64_t now);

/* The earliest deadline of any transaction, 0 when none. */
uint64_t dsbc_sip_txl_next(const struct dsbc_sip_txl *l);

/* Find the INVITE server transaction a CANCEL refers to (section 9.2). */
struct dsbc_sip_txn *dsbc_sip_txn_cancel_target(struct dsbc_sip_txl *l,
						const struct dsbc_sip_msg *cancel);

/* Top Via branch of a message (empty when absent). */
int dsbc_sip_top_branch(const struct dsbc_sip_msg *m, const char **branch,
			uint32_t *len);

#endif /* DSBC_SIP_TXN_H */
