/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SLICE_H
#define DSBC_SLICE_H

#include <stdint.h>
#include <stdbool.h>

/**
 * @file
 * Owner slices of the media port range (DESIGN section 2): worker w owns
 * ports [min + w * size, min + (w + 1) * size), the last worker also owns
 * the remainder.  owner = f(local port) is a pure function, so any worker
 * can tell where a packet belongs without shared state.
 */
/** How the media port range is sliced; set up by dsbc_slices_init(). */
struct dsbc_slices {
	uint16_t port_min;
	uint16_t port_max;      /* inclusive */
	uint16_t nb_workers;
	uint16_t size;          /* ports per slice, >= 2, even */
	uint32_t mult;          /* ceil(2^32 / size): divide by multiplying */
};

/**
 * Slice [port_min, port_max] between nb_workers workers: slices of an
 * even number of ports (RTP and RTCP pairs, RFC 3550 section 11), the
 * last one taking the remainder.
 *
 * @param s  the slices, out
 * @param port_min  first port, even
 * @param port_max  last port, above port_min
 * @param nb_workers  workers, at least 1
 * @return 0, or -EINVAL when the range is empty, odd-aligned or too
 *   small (under 2 ports a worker), or nb_workers is 0
 */
int dsbc_slices_init(struct dsbc_slices *s, uint16_t port_min,
		     uint16_t port_max, uint16_t nb_workers);

/**
 * Whether a port is in the sliced range.
 *
 * @param s  the slices
 * @param port  the port, host order
 * @return true when port_min <= port <= port_max
 */
static inline bool
dsbc_slices_in_range(const struct dsbc_slices *s, uint16_t port)
{
	return port >= s->port_min && port <= s->port_max;
}

/**
 * Owner of an in-range port.
 *
 * @param s  the slices
 * @param port  a port dsbc_slices_in_range() accepts
 * @return the index of the worker whose slice holds it
 */
static inline uint16_t
dsbc_slices_owner(const struct dsbc_slices *s, uint16_t port)
{
	/* Exact floor((port - min) / size) for 16-bit operands, without the
	 * ~25-cycle div that showed in perf/relay. */
	uint32_t w = (uint32_t)(((uint64_t)(uint16_t)(port - s->port_min) *
				 s->mult) >> 32);

	return w < s->nb_workers ? (uint16_t)w : (uint16_t)(s->nb_workers - 1);
}

/**
 * First and last port of worker w's slice.
 *
 * @param s  the slices
 * @param w  the worker, below nb_workers
 * @param first  out: its first port
 * @param last  out: its last port (port_max for the last worker)
 */
void dsbc_slices_range(const struct dsbc_slices *s, uint16_t w,
		       uint16_t *first, uint16_t *last);

#endif /* DSBC_SLICE_H */
