/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker flow table.  The direct index (keys on the media addresses
 * and ports) or else the hash maps a key to a slot; the slot array holds
 * the flows.  The management lcore chose the slot (it is in the flow id),
 * so the index and hash only have to agree with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dsbc_flow_index.h"
#include "dsbc_flow_table.h"

struct dsbc_flow_table {
	struct dsbc_flow_index idx;  /* keys dsbc allocates */
	struct rte_hash *hash;       /* any other key (static flows) */
	struct dsbc_flow *flows;     /* capacity slots, cache aligned */
	uint32_t capacity;
	uint32_t count;
	uint32_t scan_cursor;        /* next slot for the idle scan */
	uint32_t consent_cursor;     /* ... and for the consent scan */
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
	t->idx.socket = socket;
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
	dsbc_flow_index_free(&t->idx);
	rte_hash_free(t->hash);
	rte_free(t->flows);
	rte_free(t);
}

int
dsbc_flow_table_direct_range(struct dsbc_flow_table *t, uint8_t family,
			     const struct dsbc_addr *prefix, uint8_t plen,
			     uint16_t port_min, uint16_t port_max)
{
	/* Moving keys already in the hash is not worth having. */
	if (t->count != 0)
		return -EBUSY;
	return dsbc_flow_index_add_range(&t->idx, family, prefix, plen,
					 port_min, port_max);
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

uint32_t
dsbc_flow_table_hashed(const struct dsbc_flow_table *t)
{
	int32_t n = rte_hash_count(t->hash);

	return n > 0 ? (uint32_t)n : 0;
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

/* Map key to slot, in the direct index when the key is in a range. */
static int
key_claim(struct dsbc_flow_table *t, const struct dsbc_flow_key *key,
	  uint32_t slot)
{
	uint32_t *e;
	int rc = dsbc_flow_index_entry(&t->idx, key, &e);

	if (rc < 0)
		return -ENOSPC;
	if (rc > 0) {
		if (*e != 0)
			return -EEXIST;
		*e = slot + 1;
		return 0;
	}
	if (rte_hash_lookup(t->hash, key) >= 0)
		return -EEXIST;
	if (rte_hash_add_key_data(t->hash, key, (void *)(uintptr_t)slot) < 0)
		return -ENOSPC;
	return 0;
}

static void
key_release(struct dsbc_flow_table *t, const struct dsbc_flow_key *key)
{
	uint32_t *e;

	/* claimed, so the block exists: no allocation here */
	if (dsbc_flow_index_entry(&t->idx, key, &e) > 0) {
		*e = 0;
		return;
	}
	rte_hash_del_key(t->hash, key);
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
	rc = key_claim(t, &spec->key, dsbc_flow_id_slot(flow_id));
	if (rc < 0)
		return rc;
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
	int rc;

	if (f == NULL || !f->in_use || f->flow_id != flow_id)
		return -ENOENT;
	if (!key_valid(&spec->key))
		return -EINVAL;
	if (memcmp(&f->spec.key, &spec->key, sizeof(spec->key)) != 0) {
		/* A new local address/port is a new flow for the peer: move
		 * the hash entry, forget the latch, keep the counters. */
		rc = key_claim(t, &spec->key, dsbc_flow_id_slot(flow_id));
		if (rc < 0)
			return rc;
		key_release(t, &f->spec.key);
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
	key_release(t, &f->spec.key);
	f->in_use = 0;
	t->count--;
	return 0;
}

void
dsbc_flow_table_lookup_bulk(const struct dsbc_flow_table *t,
			    const struct dsbc_flow_key **keys, uint32_t n,
			    struct dsbc_flow **flows)
{
	const uint32_t *ent[RTE_HASH_LOOKUP_BULK_MAX];
	const void *hkeys[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t hpos[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	uint32_t i, nh = 0;

	if (n > RTE_HASH_LOOKUP_BULK_MAX)
		n = RTE_HASH_LOOKUP_BULK_MAX;
	/* Direct entries first, all prefetched before any is read; the
	 * rest go to the hash in one bulk lookup meanwhile. */
	for (i = 0; i < n; i++) {
		ent[i] = dsbc_flow_index_find(&t->idx, keys[i]);
		if (ent[i] != NULL) {
			rte_prefetch0(ent[i]);
		} else {
			hkeys[nh] = keys[i];
			hpos[nh++] = (uint8_t)i;
		}
	}
	if (nh != 0) {
		rte_hash_lookup_bulk_data(t->hash, hkeys, nh, &hits, data);
		for (i = 0; i < nh; i++)
			flows[hpos[i]] = (hits >> i) & 1 ?
				&t->flows[(uint32_t)(uintptr_t)data[i]] : NULL;
	}
	for (i = 0; i < n; i++)
		if (ent[i] != NULL)
			flows[i] = *ent[i] != 0 ? &t->flows[*ent[i] - 1] : NULL;
}

struct dsbc_flow *
dsbc_flow_table_lookup(const struct dsbc_flow_table *t,
		       const struct dsbc_flow_key *key)
{
	const uint32_t *e = dsbc_flow_index_find(&t->idx, key);
	void *data;

	if (e != NULL)
		return *e != 0 ? &t->flows[*e - 1] : NULL;
	if (rte_hash_lookup_data(t->hash, key, &data) < 0)
		return NULL;
	return &t->flows[(uint32_t)(uintptr_t)data];
}

/*
 * The flows a scan reports: silent for the idle timeout (what arrived,
 * or the install if nothing did), or, for consent, an ICE flow whose
 * peer made a check once and none for the consent timeout.  Each flow is
 * reported once per kind; the bit is cleared where a packet or a check
 * arrives.
 */
static bool
scan_due(struct dsbc_flow *f, bool consent, uint64_t now_tsc, uint64_t after)
{
	uint64_t last;
	uint8_t *reported = consent ? &f->consent_reported : &f->idle_reported;

	if (!f->in_use || *reported || (consent && f->spec.ice_id == 0))
		return false;
	if (consent)
		last = f->st.last_check_tsc;
	else
		last = f->st.last_tsc > f->install_tsc ? f->st.last_tsc :
		       f->install_tsc;
	if (last == 0 || now_tsc <= last || now_tsc - last < after)
		return false;
	*reported = 1;
	return true;
}

/* budget slots from *cursor on, round the table. */
static uint32_t
scan(struct dsbc_flow_table *t, uint32_t *cursor, bool consent,
     uint64_t now_tsc, uint64_t after, uint32_t budget,
     dsbc_flow_idle_cb cb, void *arg)
{
	uint32_t i, slot = *cursor;

	if (budget > t->capacity)
		budget = t->capacity;
	for (i = 0; i < budget; i++) {
		if (scan_due(&t->flows[slot], consent, now_tsc, after))
			cb(&t->flows[slot], arg);
		if (++slot == t->capacity)
			slot = 0;
	}
	*cursor = slot;
	return budget;
}

uint32_t
dsbc_flow_table_idle_scan(struct dsbc_flow_table *t, uint64_t now_tsc,
			  uint64_t idle_tsc, uint32_t budget,
			  dsbc_flow_idle_cb cb, void *arg)
{
	return scan(t, &t->scan_cursor, false, now_tsc, idle_tsc, budget, cb,
		    arg);
}

uint32_t
dsbc_flow_table_consent_scan(struct dsbc_flow_table *t, uint64_t now_tsc,
			     uint64_t consent_tsc, uint32_t budget,
			     dsbc_flow_idle_cb cb, void *arg)
{
	return scan(t, &t->consent_cursor, true, now_tsc, consent_tsc, budget,
		    cb, arg);
}
