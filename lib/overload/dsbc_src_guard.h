/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SRC_GUARD_H
#define DSBC_SRC_GUARD_H

/**
 * @file
 * Per-source budgets with a ban table (the shape of Kamailio's pike):
 * one GCRA bucket per source address in a direct-mapped table, owned by
 * one thread (a worker), time in the caller's ticks.  A source that
 * keeps going over its budget is banned for a while and its messages
 * dropped without a word.  A source colliding with another takes its
 * slot over with a full bucket: spoofed sources can only loosen someone
 * else's budget (or lift a ban), never lock a source out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_addr.h"

/** Budget and ban, in ticks. */
struct dsbc_src_guard_cfg {
	uint64_t interval;     /**< ticks per message at the rate; 0: off */
	uint64_t tolerance;    /**< burst: ticks a source may run ahead */
	uint32_t strikes;      /**< over-budget messages in one window that
				 *  ban the source; 0: never banned */
	uint64_t window;       /**< ticks the strikes are counted over */
	uint64_t ban;          /**< ticks a ban lasts */
};

/** What a source's message gets. */
enum dsbc_src_verdict {
	DSBC_SRC_PASS,         /**< within its budget */
	DSBC_SRC_LIMITED,      /**< over it: drop */
	DSBC_SRC_BANNED,       /**< banned: drop silently */
};

struct dsbc_src_guard;

/**
 * Bytes a guard of slots entries takes.
 *
 * @param slots  table size, a power of two
 */
size_t dsbc_src_guard_size(uint32_t slots);

/**
 * Set up a guard in mem (dsbc_src_guard_size(slots) bytes, any
 * alignment of 8).
 *
 * @return the guard, or NULL when slots is not a power of two
 */
struct dsbc_src_guard *dsbc_src_guard_init(void *mem, uint32_t slots,
					   const struct dsbc_src_guard_cfg *cfg);

/**
 * Charge one message from a source.
 *
 * @param g  the guard
 * @param src  source address
 * @param family  4 or 6
 * @param now  ticks, never going back
 * @return the verdict
 */
enum dsbc_src_verdict dsbc_src_guard_charge(struct dsbc_src_guard *g,
					    const struct dsbc_addr *src,
					    uint8_t family, uint64_t now);

/** Sources banned so far (each ban counted once). */
uint64_t dsbc_src_guard_bans(const struct dsbc_src_guard *g);

#endif /* DSBC_SRC_GUARD_H */
