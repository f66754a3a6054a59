/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_APP_WORKER_ICE_H
#define DSBC_APP_WORKER_ICE_H

#include <stdbool.h>

#include "dp/worker.h"

/*
 * A STUN packet reached flow f of a leg with an ICE agent.  Returns
 * DSBC_DROP_MAX when m now holds the Binding success to send out of the
 * port m came in on (nominated tells whether the check carried
 * USE-CANDIDATE), else the reason to drop m.
 */
enum dsbc_drop dsbc_worker_ice(struct dsbc_app *app, struct dsbc_worker *w,
			       struct dsbc_flow *f, struct rte_mbuf *m,
			       const struct dsbc_pkt_info *pi, bool *nominated);

#endif /* DSBC_APP_WORKER_ICE_H */
