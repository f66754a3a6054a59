/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_APP_WORKER_AWARE_H
#define DSBC_APP_WORKER_AWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/*
 * Layout: a packet of the call's one SSRC touches the first cache line
 * only: the policy parameters (copied from the flow spec when it is
 * applied, whose own copies sit in lines a relayed packet never reads)
 * and the first source; rarer counters and the second source follow.
 */
struct dsbc_aware {
	/* line 0 */
	uint8_t nb_src;
	uint8_t ssrc_policy;         /* enum dsbc_ssrc_policy */
	uint8_t seq_drop;
	uint8_t pad0;
	uint16_t seq_window;
	uint16_t pad1;
	uint64_t arrival_mult;       /* RTP clock units per TSC tick << 32 */
	struct dsbc_rtp_src rs0;     /* RFC 3550 A.1/A.3/A.8 state */
	/* line 1 on */
	uint64_t rtcp_src[DSBC_AWARE_SRCS]; /* RTCP naming each source */
	uint64_t ssrc_alarms;        /* new SSRC mid-call (policy alarm) */
	uint64_t ssrc_dropped;       /* packets of a refused SSRC (drop) */
	uint64_t seq_jumps;          /* sequence leaps beyond seq_window */
	uint64_t rtcp;               /* RTCP/SRTCP packets */
	uint64_t rtcp_bye;
	uint64_t malformed;          /* RTP/RTCP class, header broken */
	struct dsbc_rtp_src rs1;
} __rte_cache_aligned;

_Static_assert(offsetof(struct dsbc_aware, rtcp_src) <= RTE_CACHE_LINE_SIZE,
	       "aware per-packet state in one line");

static inline struct dsbc_rtp_src *
dsbc_aware_rs(struct dsbc_aware *a, unsigned int i)
{
	return i == 0 ? &a->rs0 : &a->rs1;
}

static inline const struct dsbc_rtp_src *
dsbc_aware_rs_c(const struct dsbc_aware *a, unsigned int i)
{
	return i == 0 ? &a->rs0 : &a->rs1;
}

/* FLOW_ADD (reset) and FLOW_MOD (keep the statistics): the parameters. */
static inline void
dsbc_aware_apply(struct dsbc_aware *a, const struct dsbc_flow_spec *sp,
		 bool reset)
{
	if (reset)
		memset(a, 0, sizeof(*a));
	a->ssrc_policy = sp->ssrc_policy;
	a->seq_drop = sp->seq_drop;
	a->seq_window = sp->seq_window;
	a->arrival_mult = sp->arrival_mult;
}

/*
 * Look at one RTP or RTCP packet of flow f: p/len is the UDP payload.
 * Returns DSBC_DROP_MAX to relay it, or why to drop it.
 */
enum dsbc_drop dsbc_worker_aware(struct dsbc_aware *a, const uint8_t *p,
				 uint32_t len, enum dsbc_demux_class cls,
				 uint64_t now);

#endif /* DSBC_APP_WORKER_AWARE_H */
