/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SLICE_H
#define DSBC_SLICE_H

#include <stdint.h>
#include <stdbool.h>

/*
 * Owner slices of the media port range (DESIGN section 2): worker w owns
 * ports [min + w * size, min + (w + 1) * size), the last worker also owns
 * the remainder.  owner = f(local port) is a pure function, so any worker
 * can tell where a packet belongs without shared state.
 */
struct dsbc_slices {
	uint16_t port_min;
	uint16_t port_max;      /* inclusive */
	uint16_t nb_workers;
	uint16_t size;          /* ports per slice, >= 2, even */
	uint32_t mult;          /* ceil(2^32 / size): divide by multiplying */
};

/* 0, or -EINVAL when the range is empty, odd-aligned or too small. */
int dsbc_slices_init(struct dsbc_slices *s, uint16_t port_min,
		     uint16_t port_max, uint16_t nb_workers);

static inline bool
dsbc_slices_in_range(const struct dsbc_slices *s, uint16_t port)
{
	return port >= s->port_min && port <= s->port_max;
}

/* Owner of an in-range port. */
static inline uint16_t
dsbc_slices_owner(const struct dsbc_slices *s, uint16_t port)
{
	/* Exact floor((port - min) / size) for 16-bit operands, without the
	 * ~25-cycle div that showed in perf/relay. */
	uint32_t w = (uint32_t)(((uint64_t)(uint16_t)(port - s->port_min) *
				 s->mult) >> 32);

	return w < s->nb_workers ? (uint16_t)w : (uint16_t)(s->nb_workers - 1);
}

/* First and last port of worker w's slice. */
void dsbc_slices_range(const struct dsbc_slices *s, uint16_t w,
		       uint16_t *first, uint16_t *last);

#endif /* DSBC_SLICE_H */
