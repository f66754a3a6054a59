/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_CDR_H
#define DSBC_CTL_CDR_H

/*
 * Call detail records on the management lcore.  When a call ends, the
 * B2BUA's account of it (lib/b2bua ops->call_ended) waits here for its
 * flows' last counters, which the workers send back with the FLOW_ACK
 * of each removal; then it becomes one JSON line for the export thread,
 * a HEP quality report per leg and observations in the quality
 * histograms.  A record whose flows do not all come back within 2 s
 * goes out marked "partial".  Nothing here blocks.
 */
#include <stdint.h>

#include "dsbc_b2bua_cdr.h"
#include "dsbc_msg.h"

struct dsbc_app;
struct dsbc_quality;

struct dsbc_cdr_stats {
	uint64_t records;            /* calls accounted */
	uint64_t partial;            /* ... without every flow's counters */
	uint64_t lost;               /* no room to wait and none to write */
	uint64_t pending;            /* waiting now (gauge) */
};

int dsbc_cdr_init(struct dsbc_app *app);
void dsbc_cdr_fini(struct dsbc_app *app);

/* ops->call_ended: before the call's flows are removed. */
void dsbc_cdr_call_ended(struct dsbc_app *app, const struct dsbc_b2bua_cdr *r);
/* The FLOW_ACK of a FLOW_DEL, with the flow's last counters (status 0)
 * or the worker's refusal (-errno: the flow is not waited for). */
void dsbc_cdr_flow_final(struct dsbc_app *app, uint16_t worker,
			 uint32_t flow_id, const struct dsbc_msg_flow_final *f,
			 int status);
/* Records whose flows are all back, or whose time is up, go out (and
 * those the export ring refused are offered again); the work done. */
uint32_t dsbc_cdr_poll(struct dsbc_app *app);
/* Stopping: every record out now, complete or not. */
void dsbc_cdr_flush(struct dsbc_app *app);

const struct dsbc_cdr_stats *dsbc_cdr_stats(const struct dsbc_app *app);
const struct dsbc_quality *dsbc_cdr_quality(const struct dsbc_app *app);

/* Wall clock (ms since the epoch) of an instant of dsbc_sip_now_ms(). */
uint64_t dsbc_cdr_wall_ms(const struct dsbc_app *app, uint64_t now_ms);

#endif /* DSBC_CTL_CDR_H */
