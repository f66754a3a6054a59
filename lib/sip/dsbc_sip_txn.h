/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_TXN_H
#define DSBC_SIP_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_sip_msg.h"

/**
 * @file
 * SIP transactions over UDP (RFC 3261 section 17, with RFC 6026's
 * Accepted state for INVITE servers): the four state machines, their
 * timers (A, B and D-L: an INVITE client ends at its 2xx, without RFC
 * 6026's timer M), retransmission and its absorption.  Time is given
 * by the caller in milliseconds, so tests drive it and the management
 * lcore passes its clock.  Plain C: no DPDK, no threads.
 *
 * A transaction stores the last message it sent (request for a client,
 * response for a server) and retransmits it through ops->send, to the
 * opaque destination the caller gave (for dsbc: a struct dsbc_sip_peer).
 */
/** Largest destination a transaction keeps (bytes). */
#define DSBC_SIP_TXN_DEST_MAX 96
/** Branches must be shorter than this. */
#define DSBC_SIP_TXN_BRANCH_MAX 96

/** The four transaction state machines. */
enum dsbc_sip_txn_kind {
	DSBC_TXN_ICT,        /* INVITE client, section 17.1.1 */
	DSBC_TXN_NICT,       /* non-INVITE client, 17.1.2 */
	DSBC_TXN_IST,        /* INVITE server, 17.2.1 + RFC 6026 */
	DSBC_TXN_NIST,       /* non-INVITE server, 17.2.2 */
};

/** Transaction states (RFC 3261 section 17, RFC 6026 Accepted). */
enum dsbc_sip_txn_state {
	DSBC_TXN_CALLING, DSBC_TXN_TRYING, DSBC_TXN_PROCEEDING,
	DSBC_TXN_COMPLETED, DSBC_TXN_CONFIRMED, DSBC_TXN_ACCEPTED,
	DSBC_TXN_TERMINATED,
};

/**
 * A transaction, in the layer's table.  The transaction user reads it
 * and may change user; the rest belongs to the layer.
 */
struct dsbc_sip_txn {
	uint32_t id;
	uint8_t kind;                /* enum dsbc_sip_txn_kind */
	uint8_t state;               /* enum dsbc_sip_txn_state */
	uint8_t in_use;
	uint8_t method_id;           /* enum dsbc_sip_method of the request */
	bool reliable;               /* its dest is on a stream transport */
	uint16_t last_status;        /* last response sent or received */
	uint16_t retx_count;
	char branch[DSBC_SIP_TXN_BRANCH_MAX];
	uint8_t branch_len;
	char method[24];             /* for CANCEL/ACK matching of others */
	uint32_t sent_by;            /* server: keyed hash of the top Via's
				      * sent-by (17.2.3 matches on it too) */
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

/** The transaction layer: a fixed-size table of transactions. */
struct dsbc_sip_txl;

/** What the layer asks of its user; each op gets the ctx given at
 * creation. */
struct dsbc_sip_txl_ops {
	/** Put msg on the wire to dest (a copy of what the caller gave). */
	void (*send)(void *ctx, const void *dest, const char *msg,
		     uint32_t len);
	/** Timer B, F or H fired: the request (or our final answer) got no
	 * response/ACK.  Client: the TU acts as if it received 408.  May
	 * be NULL.  terminated follows. */
	void (*timeout)(void *ctx, struct dsbc_sip_txn *t);
	/** The transaction is gone: drop references to it.  May be NULL. */
	void (*terminated)(void *ctx, struct dsbc_sip_txn *t);
	/** Is dest on a reliable transport (TCP, TLS)?  Then nothing is
	 * retransmitted and timers D, I, J, K are 0 (RFC 3261 17.1.1.2,
	 * 17.1.2.2, 17.2.1, 17.2.2).  May be NULL: all unreliable. */
	bool (*reliable)(void *ctx, const void *dest);
};

/** Creation parameters; a timer of 0 takes the RFC 3261 default. */
struct dsbc_sip_txl_cfg {
	uint32_t max_txns;
	uint32_t t1_ms;              /* RTT estimate, default 500 */
	uint32_t t2_ms;              /* cap of non-INVITE retransmits, 4000 */
	uint32_t t4_ms;              /* max network lifetime, 5000 */
	uint32_t hash_seed;          /* random: branches a peer picks cannot
				      * be chosen to share one chain */
};

/**
 * Create a transaction layer, its whole table allocated (and touched)
 * at once.
 *
 * @param cfg  sizes and timers, copied
 * @param ops  the user's callbacks, copied; send is mandatory
 * @param ctx  given to every op
 * @return the layer, NULL when cfg->max_txns is 0 or memory is short
 */
struct dsbc_sip_txl *dsbc_sip_txl_create(const struct dsbc_sip_txl_cfg *cfg,
					 const struct dsbc_sip_txl_ops *ops,
					 void *ctx);
/**
 * Free a layer and its transactions, calling no op.
 *
 * @param l  the layer; NULL is a no-op
 */
void dsbc_sip_txl_free(struct dsbc_sip_txl *l);
/**
 * Transactions in the table.
 *
 * @param l  the layer
 * @return how many are in use
 */
uint32_t dsbc_sip_txl_count(const struct dsbc_sip_txl *l);

/**
 * Client: send a request (req carries our Via with branch) and start the
 * timers (A and B, or E and F).  For an INVITE the layer builds the ACK
 * for a non-2xx answer itself (section 17.1.1.3) from the request, so
 * only the request is needed.  The request is copied and sent through
 * ops->send before this returns.
 *
 * @param l  the layer
 * @param branch  the branch of the request's top Via
 * @param blen  its length, below DSBC_SIP_TXN_BRANCH_MAX
 * @param req  the request, parsed; not an ACK
 * @param dest  where it goes, copied into the transaction
 * @param dest_len  size of dest, at most DSBC_SIP_TXN_DEST_MAX
 * @param user  the transaction user's context, kept in t->user
 * @param now  the time, in milliseconds
 * @return the transaction, or NULL when the table is full, the branch
 *   is in use (by a client transaction of the same method), req is an
 *   ACK, the branch, method or destination is too long, or memory is
 *   short
 */
struct dsbc_sip_txn *dsbc_sip_txn_client(struct dsbc_sip_txl *l,
					 const char *branch, uint32_t blen,
					 const struct dsbc_sip_msg *req,
					 const void *dest, uint32_t dest_len,
					 void *user, uint64_t now);

/**
 * A response arrived.  Returns its client transaction and whether the TU
 * must see it (*deliver); retransmitted finals are absorbed (for an
 * INVITE non-2xx the ACK is repeated).  NULL: no transaction (a stray or
 * a 2xx retransmission after the ICT ended: the TU handles those).
 *
 * @param l  the layer
 * @param resp  the response, parsed and checked
 * @param now  the time, in milliseconds
 * @param deliver  out: whether the TU must handle the response
 * @return the client transaction matching the top Via branch and the
 *   CSeq method, NULL when there is none
 */
struct dsbc_sip_txn *dsbc_sip_txn_response(struct dsbc_sip_txl *l,
					   const struct dsbc_sip_msg *resp,
					   uint64_t now, bool *deliver);

/**
 * A request arrived.  If it belongs to a server transaction it is a
 * retransmission (absorbed; the last response, if any, is resent) or
 * the ACK of a non-2xx (absorbed; timer I starts).  Returns that
 * transaction, or NULL when the TU must handle the request (new
 * transaction needed, or an ACK for a 2xx, which belongs to the dialog).
 *
 * @param l  the layer
 * @param req  the request, parsed and checked
 * @param now  the time, in milliseconds
 * @return the server transaction that absorbed req, or NULL
 */
struct dsbc_sip_txn *dsbc_sip_txn_match_request(struct dsbc_sip_txl *l,
						const struct dsbc_sip_msg *req,
						uint64_t now);

/**
 * Server: a new transaction for req, keyed on its top Via branch and
 * method.  Nothing is sent: the TU answers through
 * dsbc_sip_txn_respond(), an INVITE with 100 Trying at once (section
 * 17.2.1).  Call it after dsbc_sip_txn_match_request() returned NULL.
 *
 * @param l  the layer
 * @param req  the request, parsed and checked; not an ACK
 * @param dest  where its responses go, copied into the transaction
 * @param dest_len  size of dest, at most DSBC_SIP_TXN_DEST_MAX
 * @param user  the transaction user's context, kept in t->user
 * @param now  the time, in milliseconds (unused: no timer starts yet)
 * @return the transaction, or NULL when the table is full, req is an
 *   ACK, has no usable top Via branch, or its branch, method or dest is
 *   too long
 */
struct dsbc_sip_txn *dsbc_sip_txn_server(struct dsbc_sip_txl *l,
					 const struct dsbc_sip_msg *req,
					 const void *dest, uint32_t dest_len,
					 void *user, uint64_t now);

/**
 * Server: send a response (status from its status line) through t.  A
 * provisional keeps the transaction Proceeding; a final moves it to
 * Completed (timers G and H for an INVITE, J otherwise) or, for a 2xx
 * to an INVITE, to Accepted (timer L: the TU retransmits the 2xx).
 *
 * @param l  the layer
 * @param t  a server transaction
 * @param status  the response's status code
 * @param msg  the response, copied: retransmissions resend it
 * @param len  its length
 * @param now  the time, in milliseconds
 * @return 0, or -1 when t is a client transaction, has already sent a
 *   final response, or memory is short
 */
int dsbc_sip_txn_respond(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t,
			 uint16_t status, const char *msg, uint32_t len,
			 uint64_t now);

/**
 * Fire due timers: retransmissions, timeouts (ops->timeout) and ends
 * (ops->terminated).  Costs O(log n) per timer fired: the timers are a
 * heap.
 *
 * @param l  the layer
 * @param now  the time, in milliseconds
 * @return the earliest future deadline (0: none)
 */
uint64_t dsbc_sip_txl_tick(struct dsbc_sip_txl *l, uint64_t now);

/**
 * The earliest deadline of any transaction.
 *
 * @param l  the layer
 * @return that time in milliseconds, 0 when none
 */
uint64_t dsbc_sip_txl_next(const struct dsbc_sip_txl *l);

/**
 * The transaction user is gone: t stops retransmitting, tells nobody,
 * and ends within 64*T1 if no timer ends it sooner (RFC 3261 9.1: a
 * cancelled INVITE whose callee never answers).
 */
void dsbc_sip_txn_abandon(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t,
			  uint64_t now);

/**
 * Find the INVITE server transaction a CANCEL refers to (section 9.2):
 * the one with the CANCEL's top Via branch.
 *
 * @param l  the layer
 * @param cancel  the CANCEL, parsed and checked
 * @return the transaction, NULL when there is none
 */
struct dsbc_sip_txn *dsbc_sip_txn_cancel_target(struct dsbc_sip_txl *l,
						const struct dsbc_sip_msg *cancel);

/**
 * Fail every client transaction whose destination match() accepts, as a
 * transport error (RFC 3261 8.1.3.1): ops->timeout, then terminated.
 * Walks the whole table; for the rare stream that cannot be opened.
 *
 * @param l  the layer
 * @param match  given each client transaction's dest
 * @param ctx  given to match
 * @return transactions failed
 */
unsigned int dsbc_sip_txl_fail_dest(struct dsbc_sip_txl *l,
				    bool (*match)(void *ctx, const void *dest),
				    void *ctx);

/**
 * Top Via branch of a message (empty when absent).
 *
 * @param m  the message
 * @param branch  out: the branch, a view into m; set on success only
 * @param len  out: its length, 0 on failure
 * @return 0, or -1 when there is no Via, the top one is malformed, or
 *   its branch is empty or not shorter than DSBC_SIP_TXN_BRANCH_MAX
 */
int dsbc_sip_top_branch(const struct dsbc_sip_msg *m, const char **branch,
			uint32_t *len);

#endif /* DSBC_SIP_TXN_H */
