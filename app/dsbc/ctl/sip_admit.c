/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission of strangers' SIP on the management lcore, the second stage
 * of overload control (the first is the workers' priorities and
 * per-source budgets, dp/worker_sip.c).  While the lcore keeps up,
 * everything is admitted.  Every 100 ms it looks at its load: busy over
 * 90 % of the time, a backlog on the trusted peers' rings, the
 * strangers' ring over half full or overflowing.  Any of those puts it
 * in overload, where strangers' messages are admitted at a rate (GCRA)
 * halved each 100 ms the load stays, down to 1/64 of sip_admit_pps, and
 * grown back by an eighth of it each 100 ms without load (additive
 * increase, multiplicative decrease); overload ends when the rate is
 * back to sip_admit_pps.  A request not admitted gets 503 with a
 * Retry-After the host randomises (RFC 3261 21.5.4), at most
 * sip_reject_pps of them; beyond that, and for responses, it is dropped
 * without a word.  Nothing not admitted costs any SIP state.
 */
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "ctl/sip.h"
#include "dp/worker.h"
#include "dsbc.h"

#define ADJUST_MS 100

struct dsbc_sip_admit {
	uint64_t tsc_hz;
	uint32_t rate_max;
	uint32_t rate_min;
	uint64_t burst;
	uint64_t interval;          /* TSC per admission at the rate now */
	uint64_t tat;
	uint64_t rej_interval;      /* TSC per 503, 0: none */
	uint64_t rej_tat;
	uint64_t next_adjust;
	uint64_t busy_then;         /* mgmt busy cycles at the last step */
	uint64_t full_then;         /* strangers' ring overflows, then */
	bool overloaded;
};

static void
set_rate(struct dsbc_sip_admit *a, struct dsbc_sip_rt *s, uint32_t rate)
{
	s->st.admit_rate = rate;
	a->interval = a->tsc_hz / rate;
}

int
dsbc_sip_admit_init(struct dsbc_app *app)
{
	const struct dsbc_config *c = &app->cfg;
	struct dsbc_sip_admit *a;

	a = rte_zmalloc("dsbc_sip_admit", sizeof(*a), RTE_CACHE_LINE_SIZE);
	if (a == NULL)
		return -ENOMEM;
	a->tsc_hz = app->tsc_hz;
	a->rate_max = c->sip_admit_pps;
	a->rate_min = c->sip_admit_pps / 64 > 0 ? c->sip_admit_pps / 64 : 1;
	a->burst = c->sip_admit_burst;
	a->rej_interval = c->sip_reject_pps > 0 ?
			  app->tsc_hz / c->sip_reject_pps : 0;
	app->sip->admit = a;
	set_rate(a, app->sip, a->rate_max);
	return 0;
}

void
dsbc_sip_admit_fini(struct dsbc_app *app)
{
	if (app->sip != NULL) {
		rte_free(app->sip->admit);
		app->sip->admit = NULL;
	}
}

void
dsbc_sip_admit_adjust(struct dsbc_app *app, uint64_t now)
{
	struct dsbc_sip_admit *a = app->sip->admit;
	struct dsbc_sip_stats *st = &app->sip->st;
	uint64_t busy, full, span = a->tsc_hz / 1000 * ADJUST_MS;
	uint32_t rate = (uint32_t)st->admit_rate, trusted, strangers;
	bool hot;

	if (now < a->next_adjust)
		return;
	busy = app->mst.busy_cycles - a->busy_then;
	a->busy_then = app->mst.busy_cycles;
	/* strangers' messages the workers found no room for, so far */
	full = DSBC_WORKER_SUM(app, drop[DSBC_DROP_SIP_NEW_RING_FULL]);
	trusted = rte_ring_count(app->sip_ring[DSBC_SIP_PRIO_DIALOG]) +
		  rte_ring_count(app->sip_ring[DSBC_SIP_PRIO_KNOWN]);
	strangers = rte_ring_count(app->sip_ring[DSBC_SIP_PRIO_NEW]);
	hot = a->next_adjust != 0 &&
	      (busy * 10 > span * 9 || trusted > app->cfg.punt_ring_size / 8 ||
	       strangers > app->cfg.punt_ring_size / 2 || full > a->full_then);
	a->full_then = full;
	if (hot) {
		if (a->overloaded)
			rate = rate / 2 > a->rate_min ? rate / 2 : a->rate_min;
		else
			st->overloads++;
		a->overloaded = true;
		st->admit_cuts++;
	} else if (a->overloaded) {
		rate += a->rate_max / 8 > 0 ? a->rate_max / 8 : 1;
		if (rate >= a->rate_max) {
			rate = a->rate_max;
			a->overloaded = false;
		}
	}
	st->overloaded = a->overloaded;
	set_rate(a, app->sip, rate);
	a->next_adjust = now + span;
}

enum dsbc_sip_admit_verdict
dsbc_sip_admit(struct dsbc_app *app, uint64_t now)
{
	struct dsbc_sip_admit *a = app->sip->admit;
	uint64_t tat = a->tat < now ? now : a->tat;

	if (!a->overloaded)
		return DSBC_SIP_ADMIT;
	if (tat - now <= a->interval * a->burst) {
		a->tat = tat + a->interval;
		return DSBC_SIP_ADMIT;
	}
	if (a->rej_interval == 0)
		return DSBC_SIP_SHED;
	tat = a->rej_tat < now ? now : a->rej_tat;
	if (tat - now > a->rej_interval * a->burst)
		return DSBC_SIP_SHED;
	a->rej_tat = tat + a->rej_interval;
	return DSBC_SIP_REFUSE;
}

uint32_t
dsbc_sip_retry_after(const struct dsbc_app *app)
{
	uint32_t r = app->cfg.sip_retry_after_s;

	/* spread over [r, 2r]: clients told the same time would all come
	 * back together (RFC 7339 section 1 on synchronised retries) */
	return r + (uint32_t)rte_rand_max((uint64_t)r + 1);
}
