/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_TEL_H
#define DSBC_TEL_H

/*
 * Telemetry on the DPDK socket.  Handlers run on the telemetry thread:
 * they read counters (aligned 64-bit words) and snapshots, never another
 * thread's strings or lists in place.
 */
#include "dsbc.h"

/* telemetry.c */
int dsbc_telemetry_register(struct dsbc_app *app);

/* tel_sip.c, tel_calls.c (called by dsbc_telemetry_register) */
int dsbc_tel_sip_register(void);
void dsbc_tel_sip_set_app(struct dsbc_app *app);
int dsbc_tel_calls_register(void);
void dsbc_tel_calls_set_app(struct dsbc_app *app);
/* tel_ops.c: quality, cdr, hep, drain, reload, log_level */
int dsbc_tel_ops_register(struct dsbc_app *app);
/* tel_stir.c */
int dsbc_tel_stir_register(struct dsbc_app *app);

#endif /* DSBC_TEL_H */
