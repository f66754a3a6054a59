/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_APP_WORKER_AWARE_H
#define DSBC_APP_WORKER_AWARE_H

#include <stdint.h>

#include <rte_common.h>

#include "dsbc_demux.h"
#include "dsbc_flow.h"
#include "dsbc_rtp.h"
#include "dsbc_drop.h"

/*
 * Media-aware state of one flow (RFC 7879 section 3.2.1), in the worker
 * owning it, per flow slot: the sources seen in the clear RTP headers
 * (also of SRTP) and what the policies counted.  Written by the worker,
 * read by telemetry.
 */
#define DSBC_AWARE_SRCS 2

struct dsbc_aware_src {
	struct dsbc_rtp_src rs;      /* RFC 3550 A.1/A.3/A.8 state */
	uint64_t rtcp;               /* RTCP/SRTCP packets naming this SSRC */
};

/*
 * Layout: a packet of the call's one SSRC touches the first cache line
 * only (nb_src and src[0]); the counters of rarer events and the second
 * source come after.
 */
struct dsbc_aware {
	struct dsbc_aware_src src0;
	uint8_t nb_src;
	uint8_t pad[7];
	uint64_t ssrc_alarms;        /* new SSRC mid-call (policy alarm) */
	uint64_t ssrc_dropped;       /* packets of a refused SSRC (drop) */
	uint64_t seq_jumps;          /* sequence leaps beyond seq_window */
	uint64_t rtcp;               /* RTCP/SRTCP packets */
	uint64_t rtcp_bye;
	uint64_t malformed;          /* RTP/RTCP class, header broken */
	struct dsbc_aware_src src1;
} __rte_cache_aligned;

static inline struct dsbc_aware_src *
dsbc_aware_src(struct dsbc_aware *a, unsigned int i)
{
	return i == 0 ? &a->src0 : &a->src1;
}

static inline const struct dsbc_aware_src *
dsbc_aware_src_c(const struct dsbc_aware *a, unsigned int i)
{
	return i == 0 ? &a->src0 : &a->src1;
}

/*
 * Look at one RTP or RTCP packet of flow f: p/len is the UDP payload.
 * Returns DSBC_DROP_MAX to relay it, or why to drop it.
 */
enum dsbc_drop dsbc_worker_aware(const struct dsbc_flow *f, struct dsbc_aware *a,
				 const uint8_t *p, uint32_t len,
				 enum dsbc_demux_class cls, uint64_t now);

#endif /* DSBC_APP_WORKER_AWARE_H */
