/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-source GCRA with a ban table (dsbc_src_guard.h).  GCRA keeps one
 * theoretical arrival time per source: a message is within budget when
 * it comes no earlier than tat - tolerance; each one moves tat on by
 * the interval.
 */
#include <string.h>

#include "dsbc_src_guard.h"

struct slot {
	struct dsbc_addr src;
	uint64_t tat;                /* theoretical arrival time */
	uint64_t ban_until;
	uint64_t window_start;
	uint32_t strikes;
	uint8_t family;
	uint8_t used;
};

struct dsbc_src_guard {
	struct dsbc_src_guard_cfg cfg;
	uint32_t mask;
	uint64_t bans;
	struct slot slot[];
};

size_t
dsbc_src_guard_size(uint32_t slots)
{
	return sizeof(struct dsbc_src_guard) + (size_t)slots *
	       sizeof(struct slot);
}

struct dsbc_src_guard *
dsbc_src_guard_init(void *mem, uint32_t slots,
		    const struct dsbc_src_guard_cfg *cfg)
{
	struct dsbc_src_guard *g = mem;

	if (slots == 0 || (slots & (slots - 1)) != 0)
		return NULL;
	memset(g, 0, dsbc_src_guard_size(slots));
	g->cfg = *cfg;
	g->mask = slots - 1;
	return g;
}

static uint32_t
slot_of(const struct dsbc_src_guard *g, const struct dsbc_addr *a,
	uint8_t family)
{
	uint64_t h = a->a64[0] ^ (family == 6 ? a->a64[1] * 31 : 0);

	h *= 0x9E3779B97F4A7C15ull;   /* Fibonacci hashing */
	return (uint32_t)(h >> 40) & g->mask;
}

enum dsbc_src_verdict
dsbc_src_guard_charge(struct dsbc_src_guard *g, const struct dsbc_addr *src,
		      uint8_t family, uint64_t now)
{
	struct slot *s;
	uint64_t tat;

	if (g->cfg.interval == 0)
		return DSBC_SRC_PASS;
	s = &g->slot[slot_of(g, src, family)];
	if (!s->used || s->family != family || !dsbc_addr_eq(&s->src, src)) {
		memset(s, 0, sizeof(*s));
		s->src = *src;
		s->family = family;
		s->used = 1;
		s->tat = now;
		s->window_start = now;
	}
	if (s->ban_until > now)
		return DSBC_SRC_BANNED;
	tat = s->tat < now ? now : s->tat;
	if (tat - now <= g->cfg.tolerance) {
		s->tat = tat + g->cfg.interval;
		return DSBC_SRC_PASS;
	}
	if (now - s->window_start > g->cfg.window) {
		s->window_start = now;
		s->strikes = 0;
	}
	if (g->cfg.strikes != 0 && ++s->strikes >= g->cfg.strikes) {
		s->ban_until = now + g->cfg.ban;
		s->strikes = 0;
		/* the bucket starts full again when the ban ends */
		s->tat = s->ban_until;
		g->bans++;
		return DSBC_SRC_BANNED;
	}
	return DSBC_SRC_LIMITED;
}

uint64_t
dsbc_src_guard_bans(const struct dsbc_src_guard *g)
{
	return g->bans;
}
