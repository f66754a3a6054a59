/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_RELOAD_H
#define DSBC_CTL_RELOAD_H

/*
 * Live reload of the configuration file (SIGHUP, /dsbc/reload), on the
 * management lcore between two inputs.  Routes, media policies, the log
 * levels, [cdr], [hep] and the users file take effect for what starts
 * afterwards; calls in progress keep what they were set up with.  A
 * file that changes anything else (ports, lcores, capacities, rings,
 * TLS, STIR, static flows) is refused whole, with the section and key
 * that need a restart.
 */
#include <stddef.h>

struct dsbc_app;

/* 0 applied, -1 refused; msg says what happened either way. */
int dsbc_reload(struct dsbc_app *app, char *msg, size_t len);

#endif /* DSBC_CTL_RELOAD_H */
