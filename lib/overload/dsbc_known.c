/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The trusted-peer filter (dsbc_known.h): a table of expiry times
 * indexed by a hash of the address, 32-bit relaxed atomic loads and
 * stores (the writer is alone; a reader sees an old or a new time,
 * either of which is a valid answer).
 */
#include <string.h>

#include "dsbc_known.h"

struct dsbc_known {
	uint32_t mask;
	uint32_t until[];
};

size_t
dsbc_known_size(uint32_t slots)
{
	return sizeof(struct dsbc_known) + (size_t)slots * sizeof(uint32_t);
}

struct dsbc_known *
dsbc_known_init(void *mem, uint32_t slots)
{
	struct dsbc_known *k = mem;

	if (slots == 0 || (slots & (slots - 1)) != 0)
		return NULL;
	memset(k, 0, dsbc_known_size(slots));
	k->mask = slots - 1;
	return k;
}

static uint32_t
slot_of(const struct dsbc_known *k, const struct dsbc_addr *a,
	uint8_t family)
{
	uint64_t h = a->a64[0] ^ (family == 6 ? a->a64[1] * 31 : 0);

	h = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull;
	h ^= h >> 32;
	return (uint32_t)h & k->mask;
}

void
dsbc_known_mark(struct dsbc_known *k, const struct dsbc_addr *a,
		uint8_t family, uint32_t now, uint32_t until)
{
	uint32_t *s = &k->until[slot_of(k, a, family)];
	uint32_t cur = __atomic_load_n(s, __ATOMIC_RELAXED);

	/* a slot never set, or expired, or ending before until */
	if (cur == 0 || (int32_t)(cur - now) <= 0 ||
	    (int32_t)(until - cur) > 0)
		__atomic_store_n(s, until == 0 ? 1 : until, __ATOMIC_RELAXED);
}

bool
dsbc_known_has(const struct dsbc_known *k, const struct dsbc_addr *a,
	       uint8_t family, uint32_t now)
{
	uint32_t u = __atomic_load_n(&k->until[slot_of(k, a, family)],
				     __ATOMIC_RELAXED);

	return u != 0 && (int32_t)(u - now) > 0;
}
