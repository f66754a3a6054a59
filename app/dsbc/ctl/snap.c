/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "dsbc_reg.h"

#include "ctl/reload.h"
#include "ctl/sip.h"
#include "ctl/snap.h"
#include "log.h"
#include "dsbc.h"

/* One request at a time: telemetry may run a thread per client. */
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dsbc_snap_req snap_req;

int
dsbc_snap_ask(struct dsbc_app *app, enum dsbc_snap_kind kind, uint32_t id,
	      struct dsbc_snap_req **out)
{
	return dsbc_snap_ask_arg(app, kind, id, "", out);
}

int
dsbc_snap_ask_arg(struct dsbc_app *app, enum dsbc_snap_kind kind,
		  uint32_t id, const char *arg, struct dsbc_snap_req **out)
{
	unsigned int waited;

	(void)app;
	pthread_mutex_lock(&snap_lock);
	snap_req.kind = (uint8_t)kind;
	snap_req.id = id;
	snprintf(snap_req.arg, sizeof(snap_req.arg), "%s", arg);
	snap_req.msg[0] = '\0';
	__atomic_add_fetch(&snap_req.seq, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&snap_req.state, 1, __ATOMIC_RELEASE);
	for (waited = 0; waited < 10000; waited++) {
		if (__atomic_load_n(&snap_req.state, __ATOMIC_ACQUIRE) == 2)
			break;
		usleep(200);
	}
	if (__atomic_load_n(&snap_req.state, __ATOMIC_ACQUIRE) != 2) {
		/* withdrawn: an answer now lands in a request nobody reads */
		__atomic_store_n(&snap_req.state, 0, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&snap_lock);
		return -EBUSY;
	}
	*out = &snap_req;
	/* a change's refusal comes with its message */
	if (snap_req.rc != 0 && kind < DSBC_SNAP_RELOAD) {
		int rc = snap_req.rc;

		dsbc_snap_done();
		return rc;
	}
	return 0;
}

void
dsbc_snap_done(void)
{
	__atomic_store_n(&snap_req.state, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&snap_lock);
}

/* "aor contact via addr:port/transport [nat] expires" */
static int
reg_line(void *ctx, const struct dsbc_reg_binding *bd,
	 const struct dsbc_sip_peer *peer)
{
	struct dsbc_snap_req *r = ctx;
	char ip[64];
	int n;

	if (r->nb_regs == DSBC_SNAP_REGS_MAX)
		return 1;
	dsbc_addr_fmt(&peer->remote, peer->family, ip, sizeof(ip));
	/* a line for people: one cut at 127 characters is still useful */
	n = snprintf(r->regs[r->nb_regs++], sizeof(r->regs[0]),
		 "%s %s via %s%s%s:%u/%s%s %" PRIu64 "s", bd->aor, bd->contact,
		 peer->family == 6 ? "[" : "", ip, peer->family == 6 ? "]" : "",
		 peer->remote_port,
		 dsbc_sip_transport_name((enum dsbc_sip_transport)
					 peer->transport),
		 bd->nat ? " nat" : "",
		 bd->expires_at > r->now_ms ?
		 (bd->expires_at - r->now_ms) / 1000 : 0);
	return n < 0 ? 1 : 0;
}

void
dsbc_snap_serve(struct dsbc_app *app)
{
	struct dsbc_snap_req *r = &snap_req;
	uint32_t asked = 1;

	uint32_t seq;

	if (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) != 1)
		return;
	seq = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
	r->now_ms = dsbc_sip_now_ms(app);
	if (r->kind == DSBC_SNAP_CALL) {
		r->rc = dsbc_b2bua_call_snapshot(app->sip->b2b, r->id,
						 r->now_ms, &r->call);
	} else if (r->kind == DSBC_SNAP_COUNTS) {
		dsbc_b2bua_call_counts(app->sip->b2b, r->by_state, r->by_mode);
		r->rc = 0;
	} else if (r->kind == DSBC_SNAP_RELOAD) {
		r->rc = dsbc_reload(app, r->msg, sizeof(r->msg)) == 0 ? 0 :
			-EPERM;
		if (r->rc == 0)
			DSBC_LOG(mgmt, NOTICE, "reload (telemetry): %s\n",
				 r->msg);
		else
			DSBC_LOG(mgmt, ERR, "reload (telemetry): %s\n", r->msg);
	} else if (r->kind == DSBC_SNAP_DRAIN) {
		dsbc_b2bua_drain(app->sip->b2b, r->id != 0);
		snprintf(r->msg, sizeof(r->msg), "%s", r->id ? "draining" :
			 "accepting calls");
		DSBC_LOG(mgmt, NOTICE, "%s (telemetry)\n", r->msg);
		r->rc = 0;
	} else if (r->kind == DSBC_SNAP_LOG) {
		r->rc = dsbc_log_levels(r->arg) == 0 ? 0 : -EINVAL;
		/* what a reload applies keeps up with it */
		if (r->rc == 0)
			snprintf(app->cfg.log_level, sizeof(app->cfg.log_level),
				 "%s", r->arg);
		dsbc_b2bua_set_log_level(app->sip->b2b,
					 rte_log_get_level(dsbc_logtype_b2bua));
		snprintf(r->msg, sizeof(r->msg), "%s", r->rc == 0 ?
			 "applied" : "not type:level[,type:level...]");
	} else if (r->kind == DSBC_SNAP_REGS) {
		r->nb_regs = 0;
		dsbc_b2bua_reg_walk(app->sip->b2b, reg_line, r);
		r->rc = 0;
	} else {
		r->nb_ids = dsbc_b2bua_call_ids(app->sip->b2b, r->ids,
						DSBC_SNAP_IDS_MAX, false);
		r->nb_term_ids = dsbc_b2bua_call_ids(app->sip->b2b, r->term_ids,
						     DSBC_SNAP_IDS_MAX, true);
		r->rc = 0;
	}
	/* answered only if still asked, and still the request served (one
	 * withdrawn while a reload ran may have been followed by another:
	 * that one is served next time round) */
	if (__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) != seq)
		return;
	__atomic_compare_exchange_n(&r->state, &asked, 2, false,
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}
