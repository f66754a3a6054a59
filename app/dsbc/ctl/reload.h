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

/* 0 applied, -1 refused; msg says what happened either way.  Nothing
 * is applied when it is refused. */
int dsbc_reload(struct dsbc_app *app, char *msg, size_t len);

struct dsbc_config;
/* What the routes use that start-up builds (TLS client, realms, STIR
 * verification): remembered from c at start (c non-NULL), returned. */
uint32_t dsbc_reload_route_features(const struct dsbc_config *c);

#endif /* DSBC_CTL_RELOAD_H */
