/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DP_WORKER_SNAP_H
#define DSBC_DP_WORKER_SNAP_H

/*
 * Snapshots of a worker's flows for the telemetry thread.  A worker owns
 * its flow table and changes a flow between any two instructions (a
 * FLOW_MOD rewrites its spec, a latch its source); so the telemetry
 * thread posts a request in the worker's mailbox and the worker copies
 * the flow between two bursts, when nothing of it is half-written.
 * Counters in struct dsbc_worker_stats are the one exception: 64-bit
 * words, each read whole.
 */
#include <stdbool.h>
#include <stdint.h>

#include "dsbc_flow.h"
#include "dp/worker_aware.h"
#include "dp/worker_term.h"

struct dsbc_app;
struct dsbc_worker;

/** One flow as its worker saw it. */
struct dsbc_flow_snap {
	struct dsbc_flow f;          /**< the flow, worker and spec state */
	struct dsbc_aware aware;     /**< media-aware state (mode aware) */
	bool has_term;               /**< terminated, with SRTP state: */
	bool term_rx, term_tx;       /**< keyed to unprotect, to protect */
	uint8_t rx_suite, tx_suite;  /**< enum dsbc_srtp_suite */
	uint64_t unprotected, protected_pkts, auth_fail, replayed, no_keys;
	bool neigh_resolved;         /**< its next hop's MAC is known */
	uint64_t tsc;                /**< when it was taken */
};

/** The mailbox of one worker (dsbc_worker_snap_init()). */
struct dsbc_worker_snap_box {
	/** request number << 2 | 0 idle, 1 asked, 2 answered: an answer
	 * to a request withdrawn and replaced never passes for the new
	 * one's */
	uint32_t state;
	uint32_t flow_id;            /**< asked for */
	int rc;                      /**< 0 or -ENOENT, with the answer */
	struct dsbc_flow_snap snap;  /**< the answer */
};

/**
 * Create worker w's mailbox.
 *
 * @param w  the worker
 * @param socket  NUMA socket
 * @return 0, or -ENOMEM
 */
int dsbc_worker_snap_init(struct dsbc_worker *w, int socket);

/**
 * Free worker w's mailbox.
 *
 * @param w  the worker
 */
void dsbc_worker_snap_free(struct dsbc_worker *w);

/**
 * Telemetry thread: flow id as its worker sees it, waiting up to 1 s for
 * the worker to answer.
 *
 * @param app  the application
 * @param flow_id  the flow
 * @param out  the copy
 * @return 0; -EINVAL for an id of no worker; -ENOENT when the flow is
 *   not installed; -EBUSY when the worker did not answer
 */
int dsbc_worker_snap_flow(const struct dsbc_app *app, uint32_t flow_id,
			  struct dsbc_flow_snap *out);

/**
 * Worker: answer the pending request.
 *
 * @param w  the worker
 * @param box  its mailbox
 */
void dsbc_worker_snap_serve(struct dsbc_worker *w,
			    struct dsbc_worker_snap_box *box);

/**
 * Worker, once per loop: answer a request if one is pending (one load
 * when none is).
 *
 * @param w  the worker
 * @param box  its mailbox
 */
static inline void
dsbc_worker_snap_poll(struct dsbc_worker *w, struct dsbc_worker_snap_box *box)
{
	if ((__atomic_load_n(&box->state, __ATOMIC_ACQUIRE) & 3) == 1)
		dsbc_worker_snap_serve(w, box);
}

#endif /* DSBC_DP_WORKER_SNAP_H */
