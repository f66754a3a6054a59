/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_FLOW_TABLE_H
#define DSBC_FLOW_TABLE_H

#include <stdint.h>

#include "dsbc_flow.h"

/**
 * @file
 * Per-worker flow table: a direct index (keys on the media addresses and
 * port range, dsbc_flow_index.h) or else an rte_hash from dsbc_flow_key to
 * a slot of a preallocated flow array.  Single writer (the owning
 * worker), no locks; telemetry asks the worker for a copy of a slot
 * (app/dsbc/dp/worker_snap.h) and reads only the counts here.
 */
/** A worker's flow table. */
struct dsbc_flow_table;

/**
 * Create a table, its slots allocated at once.
 *
 * @param name  name of the rte_hash, unique in the process
 * @param capacity  number of slots (and hash entries), 1 to
 *   DSBC_FLOW_MAX_SLOTS
 * @param socket  NUMA node
 * @return the table, or NULL when capacity is out of range or memory
 *   (or the hash) cannot be had
 */
struct dsbc_flow_table *dsbc_flow_table_create(const char *name,
					       uint32_t capacity, int socket);
/**
 * Free a table and its index.
 *
 * @param t  the table; NULL is a no-op
 */
void dsbc_flow_table_free(struct dsbc_flow_table *t);

/**
 * Index keys on prefix/plen and ports [port_min, port_max] directly (one
 * cache miss per lookup instead of two).  Only before the first flow is
 * added.
 *
 * @param t  the table
 * @param family  4 or 6
 * @param prefix  the media addresses' prefix
 * @param plen  its length
 * @param port_min  first media port, host order
 * @param port_max  last media port, host order
 * @return 0; -EBUSY when the table holds flows already; otherwise as
 *   dsbc_flow_index_add_range(): -EINVAL, -ENOSPC, -ENOMEM
 */
int dsbc_flow_table_direct_range(struct dsbc_flow_table *t, uint8_t family,
				 const struct dsbc_addr *prefix, uint8_t plen,
				 uint16_t port_min, uint16_t port_max);

/**
 * Slots of the table.
 *
 * @param t  the table
 * @return its capacity
 */
uint32_t dsbc_flow_table_capacity(const struct dsbc_flow_table *t);
/**
 * Flows installed.
 *
 * @param t  the table
 * @return how many
 */
uint32_t dsbc_flow_table_count(const struct dsbc_flow_table *t);
/**
 * How many of them are in the hash rather than the direct index.
 *
 * @param t  the table
 * @return the number of keys in the hash
 */
uint32_t dsbc_flow_table_hashed(const struct dsbc_flow_table *t);

/**
 * Install spec in slot: the flow starts with zero counters, not latched.
 *
 * @param t  the table
 * @param flow_id  the flow id, whose slot it takes
 * @param spec  the flow's spec, copied; spec->key is what it is found by
 * @return 0, or -EINVAL (slot out of range, bad family, key padding or
 *   IPv4 address not zeroed), -EBUSY (slot in use), -EEXIST (key already
 *   installed), -ENOSPC (the hash is full, or the index block of the
 *   key's address cannot be allocated)
 */
int dsbc_flow_table_add(struct dsbc_flow_table *t, uint32_t flow_id,
			const struct dsbc_flow_spec *spec);
/**
 * Replace the spec of an installed flow.  Counters are kept; the latch
 * too, unless the key changes (the flow is then found by the new key
 * only) or spec->flags has DSBC_FLOW_F_UNLATCH (not kept in the flow).
 *
 * @param t  the table
 * @param flow_id  the flow id
 * @param spec  the new spec, copied
 * @return 0, or -ENOENT (no such flow installed), -EINVAL (bad key),
 *   -EEXIST (another flow has the new key), -ENOSPC (as for add)
 */
int dsbc_flow_table_mod(struct dsbc_flow_table *t, uint32_t flow_id,
			const struct dsbc_flow_spec *spec);
/**
 * Remove a flow; its slot is free again.
 *
 * @param t  the table
 * @param flow_id  the flow id
 * @return 0, or -ENOENT when no such flow is installed
 */
int dsbc_flow_table_del(struct dsbc_flow_table *t, uint32_t flow_id);

/**
 * Slot of a flow id, NULL when out of range (in_use tells if installed).
 * The worker bits of the id are not looked at.
 *
 * @param t  the table
 * @param flow_id  the flow id
 * @return the slot's flow, or NULL
 */
struct dsbc_flow *dsbc_flow_table_slot(const struct dsbc_flow_table *t,
				       uint32_t flow_id);

/**
 * Bulk lookup of n <= 64 keys; flows[i] is NULL on a miss.
 *
 * @param t  the table
 * @param keys  the keys
 * @param n  how many; past 64 (RTE_HASH_LOOKUP_BULK_MAX) they are not
 *   looked up and their flows[] entries not written
 * @param flows  out: the flow of each key, or NULL
 */
void dsbc_flow_table_lookup_bulk(const struct dsbc_flow_table *t,
				 const struct dsbc_flow_key **keys, uint32_t n,
				 struct dsbc_flow **flows);
/**
 * Look one key up.
 *
 * @param t  the table
 * @param key  the key
 * @return its flow, NULL on a miss
 */
struct dsbc_flow *dsbc_flow_table_lookup(const struct dsbc_flow_table *t,
					 const struct dsbc_flow_key *key);

/**
 * @fn dsbc_flow_table_idle_scan
 * Idle scan, amortised: look at up to budget slots from an internal cursor
 * and call cb for every installed flow whose last packet (or install) is
 * older than idle_tsc and not yet reported.  Returns slots examined.
 *
 * @param t  the table
 * @param now_tsc  the time, TSC cycles
 * @param idle_tsc  silence, TSC cycles, after which a flow is idle
 * @param budget  slots to look at (the capacity at most)
 * @param cb  called once per idle flow (the flow is marked reported)
 * @param arg  given to cb
 * @return the number of slots examined
 */
/** Called for each flow a scan reports, with the scan's arg. */
typedef void (*dsbc_flow_idle_cb)(struct dsbc_flow *f, void *arg);
uint32_t dsbc_flow_table_idle_scan(struct dsbc_flow_table *t, uint64_t now_tsc,
				   uint64_t idle_tsc, uint32_t budget,
				   dsbc_flow_idle_cb cb, void *arg);

/**
 * RFC 7675: flows of an ICE leg whose peer made a check once and none
 * for consent_tsc.  Same walk as the idle scan, its own cursor; each
 * flow is reported once.
 *
 * @param t  the table
 * @param now_tsc  the time, TSC cycles
 * @param consent_tsc  silence, TSC cycles, after which consent is lost
 * @param budget  slots to look at (the capacity at most)
 * @param cb  called once per flow whose consent is lost
 * @param arg  given to cb
 * @return the number of slots examined
 */
uint32_t dsbc_flow_table_consent_scan(struct dsbc_flow_table *t,
				      uint64_t now_tsc, uint64_t consent_tsc,
				      uint32_t budget, dsbc_flow_idle_cb cb,
				      void *arg);

#endif /* DSBC_FLOW_TABLE_H */
