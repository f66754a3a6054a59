/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_FLOW_TABLE_H
#define DSBC_FLOW_TABLE_H

#include <stdint.h>

#include "dsbc_flow.h"

/*
 * Per-worker flow table: a direct index (keys on the media addresses and
 * port range, dsbc_flow_index.h) or else an rte_hash from dsbc_flow_key to
 * a slot of a preallocated flow array.  Single writer (the owning worker), no locks;
 * telemetry reads slots directly (dsbc_flow_table_slot).
 */
struct dsbc_flow_table;

/* capacity: number of slots (and hash entries); socket: NUMA node. */
struct dsbc_flow_table *dsbc_flow_table_create(const char *name,
					       uint32_t capacity, int socket);
void dsbc_flow_table_free(struct dsbc_flow_table *t);

/*
 * Index keys on prefix/plen and ports [port_min, port_max] directly (one
 * cache miss per lookup instead of two).  Only before the first flow is
 * added: 0, -EBUSY, -EINVAL, -ENOSPC, -ENOMEM.
 */
int dsbc_flow_table_direct_range(struct dsbc_flow_table *t, uint8_t family,
				 const struct dsbc_addr *prefix, uint8_t plen,
				 uint16_t port_min, uint16_t port_max);

uint32_t dsbc_flow_table_capacity(const struct dsbc_flow_table *t);
uint32_t dsbc_flow_table_count(const struct dsbc_flow_table *t);
/* How many of them are in the hash rather than the direct index. */
uint32_t dsbc_flow_table_hashed(const struct dsbc_flow_table *t);

/*
 * Install spec in slot.  0, or -EINVAL (slot out of range, bad family),
 * -EBUSY (slot in use), -EEXIST (key already installed), -ENOSPC.
 */
int dsbc_flow_table_add(struct dsbc_flow_table *t, uint32_t flow_id,
			const struct dsbc_flow_spec *spec);
/* Replace the spec of an installed flow; counters and latch kept unless
 * the key changes (then it is a del + add).  0, -ENOENT, -EEXIST. */
int dsbc_flow_table_mod(struct dsbc_flow_table *t, uint32_t flow_id,
			const struct dsbc_flow_spec *spec);
/* Remove; 0 or -ENOENT. */
int dsbc_flow_table_del(struct dsbc_flow_table *t, uint32_t flow_id);

/* Slot of a flow id, NULL when out of range (in_use tells if installed). */
struct dsbc_flow *dsbc_flow_table_slot(const struct dsbc_flow_table *t,
				       uint32_t flow_id);

/* Bulk lookup of n <= 64 keys; flows[i] is NULL on a miss. */
void dsbc_flow_table_lookup_bulk(const struct dsbc_flow_table *t,
				 const struct dsbc_flow_key **keys, uint32_t n,
				 struct dsbc_flow **flows);
struct dsbc_flow *dsbc_flow_table_lookup(const struct dsbc_flow_table *t,
					 const struct dsbc_flow_key *key);

/*
 * Idle scan, amortised: look at up to budget slots from an internal cursor
 * and call cb for every installed flow whose last packet (or install) is
 * older than idle_tsc and not yet reported.  Returns slots examined.
 */
typedef void (*dsbc_flow_idle_cb)(struct dsbc_flow *f, void *arg);
uint32_t dsbc_flow_table_idle_scan(struct dsbc_flow_table *t, uint64_t now_tsc,
				   uint64_t idle_tsc, uint32_t budget,
				   dsbc_flow_idle_cb cb, void *arg);

/*
 * RFC 7675: flows of an ICE leg whose peer made a check once and none
 * for consent_tsc.  Same walk as the idle scan, its own cursor; each
 * flow is reported once.
 */
uint32_t dsbc_flow_table_consent_scan(struct dsbc_flow_table *t,
				      uint64_t now_tsc, uint64_t consent_tsc,
				      uint32_t budget, dsbc_flow_idle_cb cb,
				      void *arg);

#endif /* DSBC_FLOW_TABLE_H */
