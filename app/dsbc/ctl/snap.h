/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_SNAP_H
#define DSBC_CTL_SNAP_H

/*
 * Snapshots of the B2BUA for the telemetry thread.  The management lcore
 * owns the calls and changes them between any two instructions; so the
 * telemetry thread posts a request and the management lcore answers it
 * between two inputs, when no call is half-changed.
 */
#include <stdint.h>

#include "dsbc_b2bua_snap.h"

struct dsbc_app;

#define DSBC_SNAP_IDS_MAX 500   /* ids listed (a telemetry array holds 512) */
#define DSBC_SNAP_REGS_MAX 64   /* bindings listed, a line each */

enum dsbc_snap_kind {
	DSBC_SNAP_CALL,          /* one call by id */
	DSBC_SNAP_IDS,           /* ids of calls, and of terminated ones */
	DSBC_SNAP_REGS,          /* registrations, a line each */
	DSBC_SNAP_COUNTS,        /* active calls by state and mode */
	/* not snapshots: changes the management lcore makes between two
	 * inputs, asked from telemetry; rc and msg say how it went */
	DSBC_SNAP_RELOAD,        /* the configuration file again */
	DSBC_SNAP_DRAIN,         /* id 1: refuse new calls, 0: accept */
	DSBC_SNAP_LOG,           /* arg: "pattern:level[,...]" */
};

struct dsbc_snap_req {
	uint32_t state;          /* 0 idle, 1 asked, 2 answered (atomics) */
	uint32_t seq;            /* of the request asked (atomic): an answer
				  * to one withdrawn is not taken for the
				  * next */
	uint8_t kind;            /* enum dsbc_snap_kind */
	uint32_t id;
	int rc;
	uint64_t now_ms;
	struct dsbc_b2bua_call_snap call;
	uint32_t nb_ids, nb_term_ids;
	uint32_t ids[DSBC_SNAP_IDS_MAX];
	uint32_t term_ids[DSBC_SNAP_IDS_MAX];
	uint32_t nb_regs;
	char regs[DSBC_SNAP_REGS_MAX][128];  /* RTE_TEL_MAX_STRING_LEN */
	uint32_t by_state[DSBC_B2BUA_STATES];
	uint32_t by_mode[DSBC_MODE_MAX];
	char arg[128];           /* in */
	char msg[256];           /* out */
};

/* Telemetry thread: ask and wait (up to 2 s).  0, -ENOENT (no such
 * call) or -EBUSY (the management lcore did not answer). */
int dsbc_snap_ask(struct dsbc_app *app, enum dsbc_snap_kind kind,
		  uint32_t id, struct dsbc_snap_req **out);
/* The same with a string argument (DSBC_SNAP_LOG). */
int dsbc_snap_ask_arg(struct dsbc_app *app, enum dsbc_snap_kind kind,
		      uint32_t id, const char *arg, struct dsbc_snap_req **out);
/* Telemetry thread: done with *out. */
void dsbc_snap_done(void);
/* Management lcore: answer a pending request, if any. */
void dsbc_snap_serve(struct dsbc_app *app);

#endif /* DSBC_CTL_SNAP_H */
