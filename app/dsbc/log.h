/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_LOG_H
#define DSBC_LOG_H

/*
 * One DPDK log type per area, "dsbc.<area>", each with its level from
 * --log-level (e.g. --log-level dsbc.b2bua:info) or [dsbc] log_level.
 * Lines go where the EAL's go (stderr and syslog), prefixed "dsbc: ".
 */
#include <rte_log.h>

extern int dsbc_logtype_main;    /* start-up, ports, config, profiles */
extern int dsbc_logtype_worker;  /* dp/ */
extern int dsbc_logtype_mgmt;    /* ctl/: flows, neighbours, events */
extern int dsbc_logtype_sip;     /* ctl/: SIP transport */
extern int dsbc_logtype_b2bua;   /* lib/b2bua through ctl/b2bua_host.c */
extern int dsbc_logtype_tel;     /* tel/ */

#define DSBC_LOG(area, lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, dsbc_logtype_##area, "dsbc: " fmt, \
		##__VA_ARGS__)

/*
 * Apply "pattern:level[,pattern:level...]" ([dsbc] log_level), as
 * --log-level takes them, all or none.  0, or -EINVAL (nothing applied).
 */
int dsbc_log_levels(const char *spec);
/* The same spec checked only: 0 or -EINVAL, nothing applied. */
int dsbc_log_levels_check(const char *spec);

#endif /* DSBC_LOG_H */
