/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-source rate limit on the SIP port (SIP floods), on the
 * management lcore before any parsing: one GCRA bucket per source
 * address in a direct-mapped table.  A source that collides with another
 * takes the slot over with a full bucket: a flood of spoofed sources can
 * only make the limit laxer for someone else, never lock them out.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "ctl/sip.h"
#include "dsbc.h"

#define SLOTS 4096      /* a power of two */

struct sip_limit_slot {
	struct dsbc_addr src;
	uint8_t family;
	uint64_t tat;                /* theoretical arrival time, TSC */
};

struct dsbc_sip_limit {
	uint64_t interval;           /* TSC per message at the rate */
	uint64_t tolerance;          /* burst, in TSC */
	struct sip_limit_slot slot[SLOTS];
};

int
dsbc_sip_limit_init(struct dsbc_app *app)
{
	struct dsbc_sip_limit *l;

	if (app->cfg.sip_rate_pps == 0)
		return 0;
	l = rte_zmalloc("dsbc_sip_limit", sizeof(*l), RTE_CACHE_LINE_SIZE);
	if (l == NULL)
		return -ENOMEM;
	l->interval = app->tsc_hz / app->cfg.sip_rate_pps;
	l->tolerance = l->interval * app->cfg.sip_burst;
	app->sip->limit = l;
	return 0;
}

void
dsbc_sip_limit_fini(struct dsbc_app *app)
{
	if (app->sip != NULL)
		rte_free(app->sip->limit);
}

static uint32_t
slot_of(const struct dsbc_addr *a, uint8_t family)
{
	uint64_t h = a->a64[0] ^ (family == 6 ? a->a64[1] * 31 : 0);

	h *= 0x9E3779B97F4A7C15ull;   /* Fibonacci hashing */
	return (uint32_t)(h >> 52) & (SLOTS - 1);
}

bool
dsbc_sip_limit_ok(struct dsbc_app *app, uint8_t family,
		  const struct dsbc_addr *src)
{
	struct dsbc_sip_limit *l = app->sip->limit;
	struct sip_limit_slot *s;
	uint64_t now, tat;

	if (l == NULL)
		return true;
	now = rte_rdtsc();
	s = &l->slot[slot_of(src, family)];
	if (s->family != family || !dsbc_addr_eq(&s->src, src)) {
		s->src = *src;
		s->family = family;
		s->tat = now;
	}
	tat = s->tat < now ? now : s->tat;
	if (tat - now > l->tolerance)
		return false;
	s->tat = tat + l->interval;
	return true;
}
