/* SPDX-License-Identifier: BSD-3-Clause */
/* Terminated media waiting for its keys: see worker_hold.h. */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp/worker_hold.h"

int
dsbc_hold_init(struct dsbc_hold *h, uint32_t cap, uint64_t max_tsc,
	       int socket)
{
	memset(h, 0, sizeof(*h));
	if (cap == 0 || max_tsc == 0)
		return 0;
	h->e = rte_zmalloc_socket("dsbc_hold", cap * sizeof(*h->e),
				  RTE_CACHE_LINE_SIZE, socket);
	if (h->e == NULL)
		return -ENOMEM;
	h->cap = cap;
	h->max_tsc = max_tsc;
	return 0;
}

void
dsbc_hold_free(struct dsbc_hold *h)
{
	uint32_t i;

	for (i = 0; i < h->n; i++)
		rte_pktmbuf_free(h->e[i].m);
	rte_free(h->e);
	h->e = NULL;
	h->n = 0;
	h->cap = 0;
}

bool
dsbc_hold_add(struct dsbc_hold *h, uint16_t *held, uint32_t flow_id,
	      struct rte_mbuf *m, const struct dsbc_pkt_info *pi,
	      uint16_t off, uint16_t len, enum dsbc_demux_class cls,
	      bool latch_defer, bool clear, uint64_t since)
{
	struct dsbc_held *e;

	if (h->n == h->cap || *held >= DSBC_HOLD_PER_FLOW)
		return false;
	e = &h->e[h->n++];
	e->m = m;
	e->flow_id = flow_id;
	e->off = off;
	e->len = len;
	e->cls = (uint8_t)cls;
	e->latch_defer = latch_defer;
	e->clear = clear;
	/* a packet held again (its peer's keys came, dsbc's for the other
	 * leg not yet) keeps its first arrival: it may be behind newer
	 * ones in the array, so expiry is checked per entry */
	e->tsc = since;
	if (h->n == 1 || since < h->oldest)
		h->oldest = since;
	e->pi = *pi;
	(*held)++;
	return true;
}

void
dsbc_hold_compact(struct dsbc_hold *h)
{
	uint32_t i, j = 0;

	h->oldest = UINT64_MAX;
	for (i = 0; i < h->n; i++) {
		if (h->e[i].m == NULL)
			continue;
		if (i != j)
			h->e[j] = h->e[i];
		if (h->e[j].tsc < h->oldest)
			h->oldest = h->e[j].tsc;
		j++;
	}
	h->n = j;
}
