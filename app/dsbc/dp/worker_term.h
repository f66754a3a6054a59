/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_APP_WORKER_TERM_H
#define DSBC_APP_WORKER_TERM_H

#include <stddef.h>
#include <stdint.h>

#include "dsbc_demux.h"
#include "dsbc_drop.h"
#include "dsbc_flow.h"
#include "dsbc_msg.h"
#include "dsbc_srtp_cdev.h"

/*
 * Terminator mode in the worker (RFC 7879 section 3.2.2, the
 * "media terminator"): what arrives on a flow is unprotected with the
 * keys of the leg it came from and protected again with the keys dsbc
 * sends with on the other leg.  One SRTP state per terminated flow, from
 * a per-worker pool sized by terminate_capacity; the management lcore
 * hands the keys over in FLOW_KEYS (after the leg's DTLS handshake, or
 * from the SDP for SDES) and the worker builds the sessions then, on its
 * control path, never per packet.
 */
struct dsbc_pkt_info;
struct dsbc_srtp_lib;
struct dsbc_worker;

/* libsrtp2 keeps a stream per SSRC, allocated when first seen: a flow may
 * bring this many, more are dropped (drop_srtp_ssrc_limit). */
#define DSBC_TERM_SSRC_MAX 4

/*
 * One direction's use of the cryptodev (srtp_engine = cryptodev): its
 * device session carries the RTP of one SSRC, the first it is given
 * whose packet fits (dsbc_srtp_cdev_fits); RTCP and every other SSRC go
 * through libsrtp2, whose streams are per SSRC (RFC 3711 3.2.3).  A
 * stream is never moved from one engine to the other: each keeps its own
 * index and replay state, so a stream on both could have an index
 * accepted twice, or encrypted twice under one key.  Hence the SSRCs
 * libsrtp2 has carried are remembered and never bound, and a packet of
 * the bound SSRC that the device cannot take is dropped.  Inbound, the
 * binding is tentative until a packet of that SSRC authenticated: a
 * forged one does not keep the device session.
 */
struct dsbc_term_dev {
	bool has;                    /* a device session is keyed */
	bool has_rtcp;               /* and one for SRTCP: it takes all */
	bool bound;                  /* to ssrc */
	bool tentative;              /* since batch tentative_run */
	bool closed;                 /* lib[] full: no SSRC binds any more */
	uint8_t nb_lib;
	uint32_t ssrc;
	uint32_t lib[DSBC_TERM_SSRC_MAX];   /* SSRCs libsrtp2 carries */
	uint64_t tentative_run;
	struct dsbc_srtp_cdev_sess s;
	struct dsbc_srtp_cdev_sess rs;   /* SRTCP */
};

struct dsbc_term {
	struct dsbc_srtp_lib *rx;    /* unprotects what arrives (srtp_in) */
	struct dsbc_srtp_lib *tx;    /* protects what leaves (srtp_out) */
	struct dsbc_term_dev drx, dtx;   /* the same on the cryptodev */
	uint8_t rx_suite, tx_suite;  /* enum dsbc_srtp_suite, for telemetry */
	uint8_t nb_ssrc;             /* SSRCs protected from this flow */
	uint32_t ssrc[DSBC_TERM_SSRC_MAX];
	uint32_t next_free;          /* free list: index + 1, 0 ends */
	uint64_t unprotected;        /* packets decrypted and authenticated */
	uint64_t protected_pkts;     /* packets encrypted for the other leg */
	uint64_t auth_fail;
	uint64_t replayed;
	uint64_t no_keys;
};

int dsbc_term_pool_init(struct dsbc_worker *w, uint32_t capacity,
			unsigned int replay_window, int socket);
void dsbc_term_pool_free(struct dsbc_worker *w);

/* FLOW_KEYS on flow f: 0, -ENOSPC (pool empty), -EINVAL (bad keys). */
int dsbc_term_keys(struct dsbc_worker *w, struct dsbc_flow *f,
		   const struct dsbc_msg_keys *k);
/* The flow is removed: its sessions freed, its state back to the pool. */
void dsbc_term_release(struct dsbc_worker *w, struct dsbc_flow *f);
/* The flow's state, NULL when it has none (telemetry). */
const struct dsbc_term *dsbc_term_of(const struct dsbc_worker *w,
				     const struct dsbc_flow *f);

/*
 * Terminated RTP and RTCP are not transformed one by one: the worker
 * parks the packets of its RX burst here (libsrtp2 unprotects its own at
 * once, the device's become jobs), then dsbc_term_run() runs the
 * unprotect jobs in one burst of ops, protects (the device's in a second
 * burst), and dsbc_term_done() says for each packet, in the order they
 * were parked, whether it is sent on.
 */
#define DSBC_TERM_BATCH DSBC_SRTP_CDEV_BURST

struct dsbc_term_pkt {
	struct rte_mbuf *m;          /* NULL: kept by a wedged device */
	struct dsbc_flow *f;         /* the flow it arrived on */
	const struct dsbc_flow *ftx; /* the flow whose keys it leaves with */
	const struct dsbc_pkt_info *pi;   /* its headers (lib/net) */
	uint16_t off;                /* the RTP/RTCP packet in m */
	uint16_t len;
	int16_t job;                 /* its cryptodev job in this pass, or -1 */
	bool rtcp;
	bool latch_defer;            /* latch its source once authentic */
	bool clear;                  /* unprotected already (held for TX
				      * keys): protect only */
	uint8_t why;                 /* enum dsbc_drop; _MAX: sent on */
	uint64_t since;              /* arrival, when it was held before;
				      * 0 when it arrived in this burst */
};

struct dsbc_term_batch {
	uint16_t n;                  /* packets parked */
	uint16_t nrx, ntx;           /* unprotect and protect jobs */
	uint64_t runs;               /* batches run so far */
	struct dsbc_term_pkt p[DSBC_TERM_BATCH];
	struct dsbc_srtp_cdev_job jrx[DSBC_TERM_BATCH];
	struct dsbc_srtp_cdev_job jtx[DSBC_TERM_BATCH];
};

/*
 * What dsbc_term_park() refuses whatever the keys: a class other than RTP
 * and RTCP, RTCP on an RTP-only flow or the reverse, a payload outside
 * m.  DSBC_DROP_MAX when none applies.
 */
enum dsbc_drop dsbc_term_check(const struct dsbc_flow *f,
			       const struct rte_mbuf *m, uint32_t off,
			       uint32_t len, enum dsbc_demux_class cls);

/* Whether flow f can unprotect: its peer's keys are installed, or that
 * leg is plain. */
bool dsbc_term_rx_keyed(struct dsbc_worker *w, const struct dsbc_flow *f);

/* Whether what arrives on f can be protected again, with ftx's keys
 * towards the other leg (or that leg is plain). */
bool dsbc_term_tx_keyed(struct dsbc_worker *w, const struct dsbc_flow *f,
			const struct dsbc_flow *ftx);

/* A packet of f dropped for want of keys, counted on f's SRTP state. */
void dsbc_term_keyless(struct dsbc_worker *w, struct dsbc_flow *f);

/*
 * Park one RTP-class packet of terminated flow f: the payload of len
 * bytes at offset off of single-segment mbuf m; ftx is the flow whose
 * protect session it leaves with (f, or its RTCP sibling).  Returns
 * DSBC_DROP_MAX when parked (the batch may then be full: run it), else
 * why it is to be dropped now.  A packet coming back from the worker's
 * hold gives the TSC it first arrived at in since (0 otherwise), and is
 * clear when it was unprotected before it was held (it is only protected
 * now).
 */
enum dsbc_drop dsbc_term_park(struct dsbc_worker *w, struct dsbc_flow *f,
			      const struct dsbc_flow *ftx, struct rte_mbuf *m,
			      const struct dsbc_pkt_info *pi, uint32_t off,
			      uint32_t len, enum dsbc_demux_class cls,
			      bool latch_defer, uint64_t since, bool clear);

/* Unprotect and protect what is parked. */
void dsbc_term_run(struct dsbc_worker *w);
/* After dsbc_term_run, packet p's outcome: DSBC_DROP_MAX when it goes
 * on (p->len its new length), else why it is dropped (counted on its
 * flow's SRTP state).  The caller sends or drops each, then n = 0. */
enum dsbc_drop dsbc_term_done(struct dsbc_worker *w, struct dsbc_term_pkt *p);

#endif /* DSBC_APP_WORKER_TERM_H */
