/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow snapshots for telemetry: see worker_snap.h. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dsbc.h"
#include "dsbc_flow_table.h"
#include "dp/worker.h"
#include "dp/worker_snap.h"

/* One request at a time: telemetry may run a thread per client. */
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t snap_seq;      /* under snap_lock */

int
dsbc_worker_snap_init(struct dsbc_worker *w, int socket)
{
	w->snap = rte_zmalloc_socket("dsbc_wsnap", sizeof(*w->snap),
				     RTE_CACHE_LINE_SIZE, socket);
	return w->snap == NULL ? -ENOMEM : 0;
}

void
dsbc_worker_snap_free(struct dsbc_worker *w)
{
	rte_free(w->snap);
	w->snap = NULL;
}

int
dsbc_worker_snap_flow(const struct dsbc_app *app, uint32_t flow_id,
		      struct dsbc_flow_snap *out)
{
	unsigned int wk = dsbc_flow_id_worker(flow_id), waited;
	struct dsbc_worker_snap_box *box;
	uint32_t asked;
	int rc;

	if (wk >= app->nb_workers || app->workers[wk]->snap == NULL)
		return -EINVAL;
	box = app->workers[wk]->snap;
	pthread_mutex_lock(&snap_lock);
	snap_seq++;
	asked = snap_seq << 2 | 1;
	box->flow_id = flow_id;
	__atomic_store_n(&box->state, asked, __ATOMIC_RELEASE);
	/* a worker loop pass, or its idle sleep (idle_sleep_us) */
	for (waited = 0; waited < 10000; waited++) {
		if (__atomic_load_n(&box->state, __ATOMIC_ACQUIRE) != asked)
			break;
		usleep(100);
	}
	/* withdrawn, unless answered meanwhile */
	if (__atomic_compare_exchange_n(&box->state, &asked, snap_seq << 2,
					false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		pthread_mutex_unlock(&snap_lock);
		return -EBUSY;
	}
	rc = box->rc;
	if (rc == 0)
		*out = box->snap;
	__atomic_store_n(&box->state, snap_seq << 2, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&snap_lock);
	return rc;
}

void
dsbc_worker_snap_serve(struct dsbc_worker *w, struct dsbc_worker_snap_box *box)
{
	struct dsbc_flow_snap *s = &box->snap;
	const struct dsbc_flow *f;
	const struct dsbc_term *t;
	uint32_t asked = __atomic_load_n(&box->state, __ATOMIC_ACQUIRE);
	uint32_t id = box->flow_id;

	f = dsbc_flow_table_slot(w->flows, id);
	if (f == NULL || !f->in_use || f->flow_id != id) {
		box->rc = -ENOENT;
	} else {
		box->rc = 0;
		memset(s, 0, sizeof(*s));
		s->f = *f;
		if (f->spec.mode == DSBC_MODE_AWARE)
			s->aware = w->aware[dsbc_flow_id_slot(id)];
		t = f->spec.mode == DSBC_MODE_TERMINATE ?
		    dsbc_term_of(w, f) : NULL;
		s->has_term = t != NULL;
		if (t != NULL) {
			s->term_rx = t->rx != NULL;
			s->term_tx = t->tx != NULL;
			s->rx_suite = t->rx_suite;
			s->tx_suite = t->tx_suite;
			s->unprotected = t->unprotected;
			s->protected_pkts = t->protected_pkts;
			s->auth_fail = t->auth_fail;
			s->replayed = t->replayed;
			s->no_keys = t->no_keys;
		}
		s->neigh_resolved = f->spec.neigh_id < DSBC_NEIGH_MAX &&
				    w->neigh_valid[f->spec.neigh_id];
		s->tsc = rte_rdtsc();
	}
	/* answered only if still this request (not withdrawn meanwhile) */
	__atomic_compare_exchange_n(&box->state, &asked, (asked & ~3u) | 2,
				    false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}
