/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_STIR_FETCH_H
#define DSBC_CTL_STIR_FETCH_H

/*
 * x5u certificate fetches for the STIR verification service (RFC 8224
 * 6.2.1), on the management lcore without ever blocking it: libcurl's
 * multi interface, driven a step per loop, over the kernel's sockets (a
 * management interface, or the exception path to the SIP ports).  A
 * [stir] cert_dir is looked in first, by the URL's file name.  Bodies
 * and failures go back to lib/b2bua (dsbc_b2bua_stir_fetched).
 */

#include <stdint.h>

struct dsbc_app;

/** Counters (management lcore writes, telemetry reads). */
struct dsbc_stir_fetch_stats {
	uint64_t started;            /* HTTP(S) requests made */
	uint64_t ok;                 /* ... answered 2xx with a body */
	uint64_t failed;             /* ... refused, unreachable, timed out,
				      * an HTTP error, over the size cap */
	uint64_t from_dir;           /* answered from cert_dir */
	uint64_t busy;               /* refused: fetch_max under way */
	uint64_t in_flight;          /* now */
};

/* Ready the fetcher when a route verifies; 0, or -1 (logged). */
int dsbc_stir_fetch_init(struct dsbc_app *app);
void dsbc_stir_fetch_fini(struct dsbc_app *app);
/* lib/b2bua's ops->stir_fetch: start one; 0, or -1 when refused. */
int dsbc_stir_fetch_start(void *app, const char *url);
/* Move fetches on and deliver what ended; how many ended. */
uint32_t dsbc_stir_fetch_poll(struct dsbc_app *app);
/* The counters, NULL when no route verifies. */
const struct dsbc_stir_fetch_stats *
dsbc_stir_fetch_stats(const struct dsbc_app *app);

#endif /* DSBC_CTL_STIR_FETCH_H */
