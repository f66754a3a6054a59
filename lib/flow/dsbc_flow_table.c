/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker flow table.  The hash maps a key to a slot; the slot array
 * holds the flows.  The management lcore chose the slot (it is in the flow
 * id), so the hash only has to agree with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dsbc_flow_table.h"

struct dsbc_flow_table {
	struct rte_hash *hash;
	struct dsbc_flow *flows;     /* capacity slots, cache aligned */
	uint32_t capacity;
	uint32_t count;
	uint32_t scan_cursor;        /* next slot for the idle scan */
};

struct dsbc_flow_table *
dsbc_flow_table_create(const char *name, uint32_t capacity, int socket)
{
	struct rte_hash_parameters hp = {
		.name = name,
		/* rte_hash needs room to spare to place every key; slots are
		 * the real limit. */
		.entries = capacity + capacity / 8 + 8,
		.key_len = sizeof(struct dsbc_flow_key),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		/* No concurrency flags: only the owning worker touches it. */
		.extra_flag = 0,
	};
	struct dsbc_flow_table *t;

	if (capacity == 0 || capacity > DSBC_FLOW_MAX_SLOTS)
		return NULL;
	t = rte_zmalloc_socket("dsbc_flow_table", sizeof(*t),
			       RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return NULL;
	t->capacity = capacity;
	t->flows = rte_zmalloc_socket("dsbc_flows",
				      (size_t)capacity * sizeof(struct dsbc_flow),
				      RTE_CACHE_LINE_SIZE, socket);
	t->hash = rte_hash_create(&hp);
	if (t->flows == NULL || t->hash == NULL) {
		dsbc_flow_table_free(t);
		return NULL;
	}
	return t;
}

void
dsbc_flow_table_free(struct dsbc_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	rte_free(t->flows);
	rte_free(t);
}

uint32_t
dsbc_flow_table_capacity(const struct dsbc_flow_table *t)
{
	return t->capacity;
}

uint32_t
dsbc_flow_table_count(const struct dsbc_flow_table *t)
{
	return t->count;
}

struct dsbc_flow *
dsbc_flow_table_slot(const struct dsbc_flow_table *t, uint32_t flow_id)
{
	uint32_t slot = dsbc_flow_id_slot(flow_id);

	return slot < t->capacity ? &t->flows[slot] : NULL;
}

static bool
key_valid(const struct dsbc_flow_key *k)
{
	static const uint8_t zero[sizeof(k->pad)];

	return (k->family == 4 || k->family == 6) &&
	       memcmp(k->pad, zero, sizeof(zero)) == 0 &&
	       (k->family == 6 || (k->local.a32[1] | k->local.a32[2] |
				   k->local.a32[3]) == 0);
}

static uint8_t
fast_flags(const struct dsbc_flow_spec *spec)
{
	return (spec->ice_id != 0 ? DSBC_FLOW_FAST_ICE : 0) |
	       (spec->police_interval != 0 ? DSBC_FLOW_FAST_POLICE : 0);
}

int
dsbc_flow_table_add(struct dsbc_flow_table *t, uint32_t flow_id,
		    const struct dsbc_flow_spec *spec)
{
	struct dsbc_flow *f = dsbc_flow_table_slot(t, flow_id);
	int rc;

	if (f == NULL || !key_valid(&spec->key))
		return -EINVAL;
	if (f->in_use)
		return -EBUSY;
	if (rte_hash_lookup(t->hash, &spec->key) >= 0)
		return -EEXIST;
	rc = rte_hash_add_key_data(t->hash, &spec->key,
				   (void *)(uintptr_t)dsbc_flow_id_slot(flow_id));
	if (rc < 0)
		return -ENOSPC;
	memset(f, 0, sizeof(*f));
	f->spec = *spec;
	f->fast = fast_flags(spec);
	f->flow_id = flow_id;
	f->install_tsc = rte_rdtsc();
	f->in_use = 1;
	t->count++;
	return 0;
}

int
dsbc_flow_table_mod(struct dsbc_flow_table *t, uint32_t flow_id,
		    const struct dsbc_flow_spec *spec)
{
	struct dsbc_flow *f = dsbc_flow_table_slot(t, flow_id);
	void *data = (void *)(uintptr_t)dsbc_flow_id_slot(flow_id);

	if (f == NULL || !f->in_use || f->flow_id != flow_id)
		return -ENOENT;
	if (!key_valid(&spec->key))
		return -EINVAL;
	if (memcmp(&f->spec.key, &spec->key, sizeof(spec->key)) != 0) {
		/* A new local address/port is a new flow for the peer: move
		 * the hash entry, forget the latch, keep the counters. */
		if (rte_hash_lookup(t->hash, &spec->key) >= 0)
			return -EEXIST;
		if (rte_hash_add_key_data(t->hash, &spec->key, data) < 0)
			return -ENOSPC;
		rte_hash_del_key(t->hash, &f->spec.key);
		f->latched = 0;
	}
	if (spec->flags & DSBC_FLOW_F_UNLATCH)
		f->latched = 0;
	f->spec = *spec;
	f->spec.flags &= (uint8_t)~DSBC_FLOW_F_UNLATCH;
	f->fast = fast_flags(spec);
	return 0;
}

int
dsbc_flow_table_del(struct dsbc_flow_table *t, uint32_t flow_id)
{
	struct dsbc_flow *f = dsbc_flow_table_slot(t, flow_id);

	if (f == NULL || !f->in_use || f->flow_id != flow_id)
		return -ENOENT;
	rte_hash_del_key(t->hash, &f->spec.key);
	f->in_use = 0;
	t->count--;
	return 0;
}

void
dsbc_flow_table_lookup_bulk(const struct dsbc_flow_table *t,
			    const struct dsbc_flow_key **keys, uint32_t n,
			    struct dsbc_flow **flows)
{
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	uint32_t i;

	if (n == 0)
		return;
	if (n > RTE_HASH_LOOKUP_BULK_MAX)
		n = RTE_HASH_LOOKUP_BULK_MAX;
	rte_hash_lookup_bulk_data(t->hash, (const void **)keys, n, &hits,
				  data);
	for (i = 0; i < n; i++)
		flows[i] = (hits >> i) & 1 ?
			&t->flows[(uint32_t)(uintptr_t)data[i]] : NULL;
}

struct dsbc_flow *
dsbc_flow_table_lookup(const struct dsbc_flow_table *t,
		       const struct dsbc_flow_key *key)
{
	void *data;

	if (rte_hash_lookup_data(t->hash, key, &data) < 0)
		return NULL;
	return &t->flows[(uint32_t)(uintptr_t)data];
}

uint32_t
dsbc_flow_table_idle_scan(struct dsbc_flow_table *t, uint64_t now_tsc,
			  uint64_t idle_tsc, uint32_t budget,
			  dsbc_flow_idle_cb cb, void *arg)
{
	uint32_t i, slot = t->scan_cursor;

	if (budget > t->capacity)
		budget = t->capacity;
	for (i = 0; i < budget; i++) {
		struct dsbc_flow *f = &t->flows[slot];

		if (f->in_use && !f->idle_reported) {
			uint64_t last = f->st.last_tsc > f->install_tsc ?
					f->st.last_tsc : f->install_tsc;

			if (now_tsc > last && now_tsc - last >= idle_tsc) {
				f->idle_reported = 1;
				cb(f, arg);
			}
		}
		if (++slot == t->capacity)
			slot = 0;
	}
	t->scan_cursor = slot;
	return budget;
}
