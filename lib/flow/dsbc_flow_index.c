/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Direct flow index over the media addresses and port range (see
 * dsbc_flow_index.h for why it exists).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "dsbc_flow_index.h"

const uint32_t dsbc_flow_index_none;

static void
prefix_clear_host(struct dsbc_addr *a, unsigned int bits, uint8_t plen)
{
	unsigned int i;

	for (i = plen; i < bits; i++)
		a->a8[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

int
dsbc_flow_index_add_range(struct dsbc_flow_index *x, uint8_t family,
			  const struct dsbc_addr *prefix, uint8_t plen,
			  uint16_t port_min, uint16_t port_max)
{
	struct dsbc_flow_index_range *r;
	unsigned int bits = family == 4 ? 32 : 128;
	unsigned int host;

	if ((family != 4 && family != 6) || plen > bits ||
	    port_max < port_min)
		return -EINVAL;
	if (x->nranges == DSBC_FLOW_INDEX_RANGES)
		return -ENOSPC;
	r = &x->r[x->nranges];
	memset(r, 0, sizeof(*r));
	r->family = family;
	r->port_min = port_min;
	r->nports = (uint32_t)port_max - port_min + 1;
	host = bits - plen;
	r->naddr = host >= 16 ? DSBC_FLOW_INDEX_ADDRS : 1u << host;
	r->base = *prefix;
	if (family == 4)
		memset(&r->base.a8[4], 0, 12);
	prefix_clear_host(&r->base, bits, plen);
	r->base_lo = family == 4 ? rte_be_to_cpu_32(r->base.v4) :
		     (uint32_t)((r->base.a8[14] << 8) | r->base.a8[15]);
	r->blocks = rte_zmalloc_socket("dsbc_flow_index",
				       r->naddr * sizeof(r->blocks[0]),
				       RTE_CACHE_LINE_SIZE, x->socket);
	if (r->blocks == NULL)
		return -ENOMEM;
	x->nranges++;
	return 0;
}

void
dsbc_flow_index_free(struct dsbc_flow_index *x)
{
	unsigned int i;
	uint32_t a;

	for (i = 0; i < x->nranges; i++) {
		for (a = 0; a < x->r[i].naddr; a++)
			rte_free(x->r[i].blocks[a]);
		rte_free(x->r[i].blocks);
	}
	x->nranges = 0;
}

int
dsbc_flow_index_entry(struct dsbc_flow_index *x,
		      const struct dsbc_flow_key *key, uint32_t **e)
{
	struct dsbc_flow_index_range *r;
	unsigned int ri;
	uint32_t a, p;

	if (!dsbc_flow_index_locate(x, key, &ri, &a, &p))
		return 0;
	r = &x->r[ri];
	/* Once per media address in the worker's control path, never per
	 * packet; kept until the table is freed. */
	if (r->blocks[a] == NULL)
		r->blocks[a] = rte_zmalloc_socket("dsbc_flow_index_block",
						  r->nports * sizeof(uint32_t),
						  RTE_CACHE_LINE_SIZE,
						  x->socket);
	if (r->blocks[a] == NULL)
		return -ENOMEM;
	*e = &r->blocks[a][p];
	return 1;
}
