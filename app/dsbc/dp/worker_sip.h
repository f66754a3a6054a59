/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DP_WORKER_SIP_H
#define DSBC_DP_WORKER_SIP_H

/*
 * SIP over UDP on the worker, before any ring (overload control): each
 * datagram is told apart cheaply (lib/overload) and put on the
 * management ring of its priority; strangers' messages are charged to a
 * per-source budget with bans first.  Garbage never reaches a ring.
 */
#include <stdbool.h>

#include <rte_mbuf.h>

#include "dsbc_net.h"

struct dsbc_app;
struct dsbc_worker;

/* Set up w's per-source budgets from the config; -ENOMEM. */
int dsbc_worker_sip_init(struct dsbc_app *app, struct dsbc_worker *w,
			 int socket);
void dsbc_worker_sip_free(struct dsbc_worker *w);

/*
 * Punt m, a datagram to the SIP port (frag: an IP fragment of one, for
 * a local address) to its ring, or drop it with its reason.
 */
void dsbc_worker_sip(struct dsbc_app *app, struct dsbc_worker *w,
		     struct rte_mbuf *m, const struct dsbc_pkt_info *pi,
		     bool frag);

#endif /* DSBC_DP_WORKER_SIP_H */
