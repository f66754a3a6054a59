/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_KNOWN_H
#define DSBC_KNOWN_H

/**
 * @file
 * Peers dsbc has reason to trust on UDP, as a filter the workers read
 * and the management lcore writes: configured next hops and trunks,
 * the parties of answered calls, registered users, sources of requests
 * and responses that matched a dialog.  Their messages get the higher
 * priority classes before any ring; everyone else, spoofed floods
 * included, shares the lowest.
 *
 * One writer, any number of readers, no lock: each slot is the time (in
 * the caller's seconds, modulo 2^32) until which the addresses hashing
 * to it are trusted, stored and loaded whole.  A collision can only
 * trust a stranger early (a hint of priority, never an authorisation:
 * everything is still checked), never forget a peer early.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_addr.h"

/** Longest trust a mark may give, in seconds (comparisons wrap at
 * 2^31). */
#define DSBC_KNOWN_FOREVER (1u << 30)

struct dsbc_known;

/** Bytes a filter of slots entries (a power of two) takes. */
size_t dsbc_known_size(uint32_t slots);

/** Set up a filter in mem; NULL when slots is not a power of two. */
struct dsbc_known *dsbc_known_init(void *mem, uint32_t slots);

/**
 * Trust an address until a time (the writer only).  A later time than
 * the slot holds replaces it; an earlier one changes nothing.
 *
 * @param until  seconds, at most now + DSBC_KNOWN_FOREVER
 */
void dsbc_known_mark(struct dsbc_known *k, const struct dsbc_addr *a,
		     uint8_t family, uint32_t now, uint32_t until);

/** Whether an address is trusted at now (any thread). */
bool dsbc_known_has(const struct dsbc_known *k, const struct dsbc_addr *a,
		    uint8_t family, uint32_t now);

#endif /* DSBC_KNOWN_H */
