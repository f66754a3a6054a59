/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DP_WORKER_HOLD_H
#define DSBC_DP_WORKER_HOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_demux.h"
#include "dsbc_net.h"

/*
 * Terminated media that arrives before its keys (RFC 7879 section 3.2.2):
 * one leg's peer may send SRTP as soon as its own keying is done (SDES
 * keys in the answer, or its side of the DTLS handshake), while the
 * other leg's DTLS handshake, which gives the keys dsbc protects with
 * towards it, takes another round trip or an ICE check or two.  Dropping
 * what comes meanwhile clips the start of the call; instead the worker
 * parks such packets here and passes them on once FLOW_KEYS completes
 * their flow, or drops them (drop_srtp_no_keys) when they have waited
 * srtp_hold_ms.  A packet whose flow can unprotect is authenticated
 * first (a forgery is dropped at once, and never takes room here) and
 * waits in the clear for the keys to protect it with; one whose peer's
 * keys are not there yet waits as it came.
 *
 * The store is per worker, bounded in packets (srtp_hold_packets) and per
 * flow (DSBC_HOLD_PER_FLOW), in the order packets were held.  It is only
 * touched on the exception path: a packet
 * of a flow without all its keys, a FLOW_KEYS or FLOW_DEL, or the oldest
 * entry's deadline.
 */

/** Packets one flow may have waiting: 1.28 s of 20 ms audio. */
#define DSBC_HOLD_PER_FLOW 64

struct rte_mbuf;

/** One packet waiting for its flow's keys. */
struct dsbc_held {
	struct rte_mbuf *m;          /**< NULL once it left the store */
	uint32_t flow_id;            /**< the flow it arrived on */
	uint16_t off, len;           /**< its RTP or RTCP packet in m */
	uint8_t cls;                 /**< enum dsbc_demux_class: RTP, RTCP */
	bool latch_defer;            /**< latch its source once authentic */
	bool clear;                  /**< unprotected: waits for TX keys */
	uint64_t tsc;                /**< arrival */
	struct dsbc_pkt_info pi;     /**< its headers, as parsed then */
};

/** The worker's store. */
struct dsbc_hold {
	struct dsbc_held *e;         /**< [cap], e[0..n) in arrival order */
	uint32_t n;
	uint32_t cap;                /**< 0: nothing is held */
	uint64_t max_tsc;            /**< srtp_hold_ms in TSC cycles */
	uint64_t oldest;             /**< the earliest arrival in e[] */
	bool keys_came;              /**< FLOW_KEYS since the last release */
};

/**
 * Allocate the store.
 *
 * @param h  the store
 * @param cap  packets it holds at most, 0 for none
 * @param max_tsc  how long one waits, in TSC cycles
 * @param socket  NUMA socket
 * @return 0, or -ENOMEM
 */
int dsbc_hold_init(struct dsbc_hold *h, uint32_t cap, uint64_t max_tsc,
		   int socket);

/**
 * Free the store and every packet still in it.
 *
 * @param h  the store
 */
void dsbc_hold_free(struct dsbc_hold *h);

/**
 * Park one packet of flow f.
 *
 * @param h  the store
 * @param held  f's count of packets waiting, incremented when parked
 * @param flow_id  f's id
 * @param m  the packet, owned by the store when parked
 * @param pi  its headers
 * @param off  its RTP or RTCP packet's offset in m
 * @param len  and length
 * @param cls  RTP or RTCP
 * @param latch_defer  its source is latched once it authenticated
 * @param clear  unprotected already: only TX keys are awaited
 * @param since  TSC it arrived at
 * @return true when parked; false when the store or the flow's share of
 *   it is full (the caller drops it)
 */
bool dsbc_hold_add(struct dsbc_hold *h, uint16_t *held, uint32_t flow_id,
		   struct rte_mbuf *m, const struct dsbc_pkt_info *pi,
		   uint16_t off, uint16_t len, enum dsbc_demux_class cls,
		   bool latch_defer, bool clear, uint64_t since);

/**
 * Whether a release pass has anything to do: a FLOW_KEYS came, or the
 * oldest packet's time is up.
 *
 * @param h  the store
 * @param now  TSC
 * @return true when dsbc_worker's release pass should run
 */
static inline bool
dsbc_hold_due(const struct dsbc_hold *h, uint64_t now)
{
	return h->n > 0 && (h->keys_came || now - h->oldest >= h->max_tsc);
}

/**
 * Take out the entries whose packet left (m NULL), keeping the order.
 *
 * @param h  the store
 */
void dsbc_hold_compact(struct dsbc_hold *h);

#endif /* DSBC_DP_WORKER_HOLD_H */
