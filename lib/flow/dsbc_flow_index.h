/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_FLOW_INDEX_H
#define DSBC_FLOW_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "dsbc_flow.h"

/**
 * @file
 * Direct index of the flows whose local address and port dsbc allocates:
 * the media addresses of a port (a prefix) and the media port range.  A
 * key in a range maps to (address index, port offset) and one 32-bit
 * entry holds its slot, so a lookup costs one cache miss where a hash
 * costs two (bucket, then key store); perf/relay at 200k flows is bound
 * by those misses.  Keys outside every range are left to the hash.
 *
 * Per range: one pointer per indexed address (at most 65536: the first
 * 65536 addresses of a larger prefix), and per address that carries a
 * flow, a block of one entry per port, allocated when its first flow is
 * added and kept.  Single writer (the owning worker), no locks.
 */
#define DSBC_FLOW_INDEX_RANGES 8
#define DSBC_FLOW_INDEX_ADDRS  65536u

/** One range: the addresses of a prefix and a port range. */
struct dsbc_flow_index_range {
	uint8_t family;              /* 4 or 6 */
	uint16_t port_min;           /* host order */
	uint32_t nports;
	uint32_t naddr;              /* addresses indexed from base */
	uint32_t base_lo;            /* base, low 32 bits (v4) or 16 (v6) */
	struct dsbc_addr base;       /* prefix, host bits cleared */
	uint32_t **blocks;           /* naddr entries, NULL: no flow yet */
};

/** A worker's index: zero it, set socket, then add ranges. */
struct dsbc_flow_index {
	unsigned int nranges;
	int socket;
	struct dsbc_flow_index_range r[DSBC_FLOW_INDEX_RANGES];
};

/**
 * Add a range: prefix/plen of family, ports [port_min, port_max].  Only
 * the first DSBC_FLOW_INDEX_ADDRS addresses of a larger prefix are
 * indexed.
 *
 * @param x  the index
 * @param family  4 or 6
 * @param prefix  the prefix; its host bits are ignored
 * @param plen  its length
 * @param port_min  first port, host order
 * @param port_max  last port, host order
 * @return 0; -EINVAL when family, plen or the port range is wrong;
 *   -ENOSPC when the index has DSBC_FLOW_INDEX_RANGES ranges already
 *   (ranges full); -ENOMEM
 */
int dsbc_flow_index_add_range(struct dsbc_flow_index *x, uint8_t family,
			      const struct dsbc_addr *prefix, uint8_t plen,
			      uint16_t port_min, uint16_t port_max);
/**
 * Free the ranges and their blocks; the index is then empty.
 *
 * @param x  the index
 */
void dsbc_flow_index_free(struct dsbc_flow_index *x);

/**
 * Where key sits: its range, address index and port offset; false when
 * it is in no range (the hash holds it).
 *
 * @param x  the index
 * @param key  the flow key
 * @param ri  out: the range's index
 * @param ai  out: the address's index in the range
 * @param pi  out: the port's offset in the range
 * @return true when a range holds key
 */
static inline bool
dsbc_flow_index_locate(const struct dsbc_flow_index *x,
		       const struct dsbc_flow_key *key, unsigned int *ri,
		       uint32_t *ai, uint32_t *pi)
{
	unsigned int i;

	for (i = 0; i < x->nranges; i++) {
		const struct dsbc_flow_index_range *r = &x->r[i];
		uint32_t a, p;

		if (r->family != key->family)
			continue;
		if (key->family == 4) {
			a = rte_be_to_cpu_32(key->local.v4) - r->base_lo;
		} else {
			/* the first 112 bits select the range, the last 16
			 * the address within it */
			if (key->local.a64[0] != r->base.a64[0] ||
			    key->local.a32[2] != r->base.a32[2] ||
			    key->local.a8[12] != r->base.a8[12] ||
			    key->local.a8[13] != r->base.a8[13])
				continue;
			a = (uint32_t)((key->local.a8[14] << 8) |
				       key->local.a8[15]) - r->base_lo;
		}
		p = (uint32_t)key->local_port - r->port_min;
		if (a >= r->naddr || p >= r->nports)
			continue;
		*ri = i;
		*ai = a;
		*pi = p;
		return true;
	}
	return false;
}

/** Read by every lookup of an address that has no block yet: 0. */
extern const uint32_t dsbc_flow_index_none;

/**
 * Per-packet form: the entry of key (slot + 1, 0 for no flow), or NULL
 * when the key is in no range.
 *
 * @param x  the index
 * @param key  the flow key
 * @return the entry, read-only; NULL when the hash holds key
 */
static inline const uint32_t *
dsbc_flow_index_find(const struct dsbc_flow_index *x,
		     const struct dsbc_flow_key *key)
{
	const struct dsbc_flow_index_range *r;
	unsigned int ri;
	uint32_t a, p;

	if (!dsbc_flow_index_locate(x, key, &ri, &a, &p))
		return NULL;
	r = &x->r[ri];
	return r->blocks[a] != NULL ? &r->blocks[a][p] : &dsbc_flow_index_none;
}

/**
 * Writable entry of key in *e, its address's block allocated on first
 * use (and kept until dsbc_flow_index_free()).
 *
 * @param x  the index
 * @param key  the flow key
 * @param e  out: the entry (slot + 1, 0 for no flow), when 1 is returned
 * @return 1; 0 when the key is in no range (the hash holds it); -ENOMEM
 *   when the block cannot be allocated
 */
int dsbc_flow_index_entry(struct dsbc_flow_index *x,
			  const struct dsbc_flow_key *key, uint32_t **e);

#endif /* DSBC_FLOW_INDEX_H */
