/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_EXC_TAP_H
#define DSBC_CTL_EXC_TAP_H

/*
 * The kernel exception path of the ports with `exception = tap`: a TAP
 * interface per port, carrying its addresses into the Linux stack for
 * TCP (exc_tap.c).  Management lcore only.
 */
#include <stdint.h>

#include "dsbc.h"

/* Create and bring up the TAP interfaces; after the ports and mbuf
 * pool.  0, or -1 (logged). */
int dsbc_exc_tap_setup(struct dsbc_app *app);
/* Remove them. */
void dsbc_exc_tap_free(struct dsbc_app *app);
/* Pass what the workers punted to the kernel, and what the kernel sent
 * out of the ports; the frames moved. */
uint32_t dsbc_exc_tap_poll(struct dsbc_app *app);

#endif /* DSBC_CTL_EXC_TAP_H */
