/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow table at and beyond capacity, bulk lookup, idle scan, slices. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "dsbc_flow_table.h"
#include "dsbc_slice.h"
#include "unit.h"

const bool unit_needs_eal = true;

#define CAP 1024

static unsigned int table_seq;

static struct dsbc_flow_table *
new_table(uint32_t cap)
{
	char name[32];

	snprintf(name, sizeof(name), "ut_flows_%u", table_seq++);
	return dsbc_flow_table_create(name, cap, SOCKET_ID_ANY);
}

/* Key i: 10.0.x.y, port 20000 + 2i (v4) or 2001:db8::i (v6). */
static void
make_key(struct dsbc_flow_key *k, uint32_t i, uint8_t family)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	if (family == 4) {
		k->local.a8[0] = 10;
		k->local.a8[2] = (uint8_t)(i >> 8);
		k->local.a8[3] = (uint8_t)i;
	} else {
		k->local.a8[0] = 0x20;
		k->local.a8[1] = 0x01;
		k->local.a8[14] = (uint8_t)(i >> 8);
		k->local.a8[15] = (uint8_t)i;
	}
	k->local_port = (uint16_t)(20000 + 2 * (i % 1000));
}

static void
make_spec(struct dsbc_flow_spec *s, uint32_t i, uint8_t family)
{
	memset(s, 0, sizeof(*s));
	make_key(&s->key, i, family);
	s->out_port = 1;
	s->neigh_id = (uint16_t)(i % 7);
	s->latch = DSBC_LATCH_FIRST;
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(dsbc_mode_name(DSBC_MODE_RELAY), "relay");
	CU_ASSERT_STRING_EQUAL(dsbc_mode_name(DSBC_MODE_TERMINATE), "terminate");
	CU_ASSERT_EQUAL(dsbc_mode_parse("aware"), DSBC_MODE_AWARE);
	CU_ASSERT_EQUAL(dsbc_mode_parse("Relay"), -1);
	CU_ASSERT_EQUAL(dsbc_mode_parse(""), -1);
	CU_ASSERT_EQUAL(dsbc_latch_parse("signalled"), DSBC_LATCH_SIGNALLED);
	CU_ASSERT_EQUAL(dsbc_latch_parse("first"), DSBC_LATCH_FIRST);
	CU_ASSERT_EQUAL(dsbc_latch_parse("sometimes"), -1);
	CU_ASSERT_STRING_EQUAL(dsbc_latch_name(DSBC_LATCH_OFF), "off");
	CU_ASSERT_STRING_EQUAL(dsbc_mode_name(DSBC_MODE_MAX), "unknown");
}

static void
test_add_lookup_del(void)
{
	struct dsbc_flow_table *t = new_table(CAP);
	struct dsbc_flow_spec s, s6;
	struct dsbc_flow *f;
	uint32_t id = dsbc_flow_id(3, 17);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	make_spec(&s, 5, 4);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, id, &s), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_count(t), 1);
	f = dsbc_flow_table_lookup(t, &s.key);
	CU_ASSERT_PTR_EQUAL(f, dsbc_flow_table_slot(t, id));
	CU_ASSERT_EQUAL(f->flow_id, id);
	CU_ASSERT_EQUAL(f->spec.neigh_id, 5);
	/* Same address and port in IPv6 is another flow. */
	make_spec(&s6, 5, 6);
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &s6.key));
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, dsbc_flow_id(3, 18), &s6), 0);
	/* Duplicate key in another slot; slot taken; slot out of range. */
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, dsbc_flow_id(3, 19), &s), -EEXIST);
	make_spec(&s, 6, 4);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, id, &s), -EBUSY);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, CAP, &s), -EINVAL);
	/* Keys with dirty padding or no family are refused. */
	s.key.pad[3] = 1;
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 40, &s), -EINVAL);
	s.key.pad[3] = 0;
	s.key.family = 5;
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 40, &s), -EINVAL);
	/* Delete; lookups miss; slot and key reusable. */
	make_spec(&s, 5, 4);
	CU_ASSERT_EQUAL(dsbc_flow_table_del(t, id), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_del(t, id), -ENOENT);
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &s.key));
	CU_ASSERT_EQUAL(dsbc_flow_table_count(t), 1);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, id, &s), 0);
	CU_ASSERT_PTR_NOT_NULL(dsbc_flow_table_lookup(t, &s.key));
	dsbc_flow_table_free(t);
}

static void
test_mod(void)
{
	struct dsbc_flow_table *t = new_table(64);
	struct dsbc_flow_spec s, other;
	struct dsbc_flow *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	make_spec(&s, 1, 4);
	make_spec(&other, 2, 4);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 1, &s), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 2, &other), 0);
	f = dsbc_flow_table_slot(t, 1);
	f->st.pkts = 42;
	f->latched = 1;
	/* Same key: spec replaced, counters and latch kept. */
	s.out_port = 3;
	CU_ASSERT_EQUAL(dsbc_flow_table_mod(t, 1, &s), 0);
	CU_ASSERT_EQUAL(f->spec.out_port, 3);
	CU_ASSERT_EQUAL(f->st.pkts, 42);
	CU_ASSERT_EQUAL(f->latched, 1);
	/* New key taken by another flow: refused, old key still there. */
	CU_ASSERT_EQUAL(dsbc_flow_table_mod(t, 1, &other), -EEXIST);
	CU_ASSERT_PTR_EQUAL(dsbc_flow_table_lookup(t, &s.key), f);
	/* New free key: the hash entry moves, the latch is forgotten. */
	make_spec(&other, 3, 4);
	CU_ASSERT_EQUAL(dsbc_flow_table_mod(t, 1, &other), 0);
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &s.key));
	CU_ASSERT_PTR_EQUAL(dsbc_flow_table_lookup(t, &other.key), f);
	CU_ASSERT_EQUAL(f->latched, 0);
	CU_ASSERT_EQUAL(f->st.pkts, 42);
	CU_ASSERT_EQUAL(dsbc_flow_table_mod(t, 9, &other), -ENOENT);
	CU_ASSERT_EQUAL(dsbc_flow_table_count(t), 2);
	dsbc_flow_table_free(t);
}

/* Every slot filled, bulk lookups of hits and misses mixed. */
static void
capacity_and_bulk(struct dsbc_flow_table *t, uint32_t hashed_less)
{
	struct dsbc_flow_key keys[64];
	const struct dsbc_flow_key *kp[64];
	struct dsbc_flow *out[64];
	struct dsbc_flow_spec s;
	uint32_t i, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < CAP; i++) {
		make_spec(&s, i, (i & 1) ? 6 : 4);
		if (dsbc_flow_table_add(t, i, &s) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_count(t), CAP);
	CU_ASSERT_EQUAL(dsbc_flow_table_hashed(t), CAP - hashed_less);
	/* No slot left: a new key has nowhere to go. */
	make_spec(&s, CAP + 1, 4);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, CAP, &s), -EINVAL);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 0, &s), -EBUSY);
	/* 64 keys: even ones installed, odd ones never were. */
	for (i = 0; i < 64; i++) {
		if (i & 1)
			make_key(&keys[i], CAP + 100 + i, 4);
		else
			make_key(&keys[i], i * 7, (i * 7) & 1 ? 6 : 4);
		kp[i] = &keys[i];
	}
	dsbc_flow_table_lookup_bulk(t, kp, 64, out);
	for (i = 0; i < 64; i++) {
		if (i & 1)
			bad += out[i] != NULL;
		else
			bad += out[i] == NULL || out[i]->flow_id != i * 7;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Delete all, table empty, every lookup misses. */
	for (i = 0; i < CAP; i++)
		bad += dsbc_flow_table_del(t, i) != 0;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_count(t), 0);
	dsbc_flow_table_lookup_bulk(t, kp, 64, out);
	for (i = 0; i < 64; i++)
		bad += out[i] != NULL;
	CU_ASSERT_EQUAL(bad, 0);
	dsbc_flow_table_free(t);
}

static void
test_capacity_and_bulk(void)
{
	capacity_and_bulk(new_table(CAP), 0);
	CU_ASSERT_PTR_NULL(new_table(0));
}

static void
addr4(struct dsbc_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, sizeof(*a));
	a->a8[0] = b0;
	a->a8[1] = b1;
	a->a8[2] = b2;
	a->a8[3] = b3;
}

/*
 * Direct index on part of make_key's space: 10.0.0.0/24 (host bits set in
 * the prefix given: they are cleared) and 2001::/120, ports 20000-20999.
 * Keys i < 256 with i % 1000 < 500 land in the index, the rest in the
 * hash; the same test as above must hold.
 */
static struct dsbc_flow_table *
direct_table(void)
{
	struct dsbc_flow_table *t = new_table(CAP);
	struct dsbc_addr a;

	if (t == NULL)
		return NULL;
	addr4(&a, 10, 0, 0, 77);
	CU_ASSERT_EQUAL(dsbc_flow_table_direct_range(t, 4, &a, 24, 20000,
						     20999), 0);
	memset(&a, 0, sizeof(a));
	a.a8[0] = 0x20;
	a.a8[1] = 0x01;
	CU_ASSERT_EQUAL(dsbc_flow_table_direct_range(t, 6, &a, 120, 20000,
						     20999), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_direct_range(t, 4, &a, 33, 1, 2),
			-EINVAL);
	CU_ASSERT_EQUAL(dsbc_flow_table_direct_range(t, 5, &a, 8, 1, 2),
			-EINVAL);
	CU_ASSERT_EQUAL(dsbc_flow_table_direct_range(t, 4, &a, 8, 2, 1),
			-EINVAL);
	return t;
}

static void
test_direct_capacity_and_bulk(void)
{
	struct dsbc_flow_table *t = direct_table();

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* keys 0-255 of both families are in the ranges */
	capacity_and_bulk(t, 256);
}

/* Keys at the edges of a range, moves between index and hash. */
static void
test_direct_edges(void)
{
	struct dsbc_flow_table *t = direct_table();
	struct dsbc_flow_spec in, out, wide;
	struct dsbc_addr a;
	struct dsbc_flow *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* 10.0.0.255:20999 is the last indexed key, 10.0.1.0 and port
	 * 21000 are hashed; all three coexist and are found. */
	make_spec(&in, 0, 4);
	addr4(&in.key.local, 10, 0, 0, 255);
	in.key.local_port = 20999;
	out = in;
	out.key.local_port = 21000;
	wide = in;
	addr4(&wide.key.local, 10, 0, 1, 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 1, &in), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 2, &out), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 3, &wide), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 4, &in), -EEXIST);
	CU_ASSERT_EQUAL(dsbc_flow_table_direct_range(t, 4, &a, 8, 1, 2),
			-EBUSY);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &in.key)->flow_id, 1);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &out.key)->flow_id, 2);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &wide.key)->flow_id, 3);
	CU_ASSERT_EQUAL(dsbc_flow_table_hashed(t), 2);
	/* Same port on an indexed address with no flow: a miss, and the
	 * address below the prefix is not mistaken for one in it. */
	in.key.local_port = 20998;
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &in.key));
	addr4(&in.key.local, 9, 255, 255, 255);
	in.key.local_port = 20999;
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &in.key));
	/* Flow 1 moves to the hash (port 21001) and back into the index
	 * (port 20000): found at each place, gone from the one it left. */
	make_spec(&in, 0, 4);
	addr4(&in.key.local, 10, 0, 0, 255);
	in.key.local_port = 21001;
	CU_ASSERT_EQUAL(dsbc_flow_table_mod(t, 1, &in), 0);
	f = dsbc_flow_table_lookup(t, &in.key);
	CU_ASSERT(f != NULL && f->flow_id == 1);
	in.key.local_port = 20999;
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &in.key));
	in.key.local_port = 20000;
	CU_ASSERT_EQUAL(dsbc_flow_table_mod(t, 1, &in), 0);
	f = dsbc_flow_table_lookup(t, &in.key);
	CU_ASSERT(f != NULL && f->flow_id == 1);
	in.key.local_port = 21001;
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &in.key));
	CU_ASSERT_EQUAL(dsbc_flow_table_hashed(t), 2);
	/* Into an indexed key that is taken: refused, nothing moved. */
	in.key.local_port = 20000;
	CU_ASSERT_EQUAL(dsbc_flow_table_mod(t, 3, &in), -EEXIST);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &wide.key)->flow_id, 3);
	/* Deleted: the index entry is free for another slot. */
	CU_ASSERT_EQUAL(dsbc_flow_table_del(t, 1), 0);
	CU_ASSERT_PTR_NULL(dsbc_flow_table_lookup(t, &in.key));
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 9, &in), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &in.key)->flow_id, 9);
	/* IPv6: 2001::ff is indexed, 2001::100 and 2001::1:0 are not. */
	make_spec(&in, 0xff, 6);
	make_spec(&out, 0x100, 6);
	make_spec(&wide, 0xff, 6);
	wide.key.local.a8[13] = 1;
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 20, &in), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 21, &out), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 22, &wide), 0);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &in.key)->flow_id, 20);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &out.key)->flow_id, 21);
	CU_ASSERT_EQUAL(dsbc_flow_table_lookup(t, &wide.key)->flow_id, 22);
	dsbc_flow_table_free(t);
}

struct idle_seen {
	uint32_t n;
	uint32_t ids[16];
};

static void
idle_cb(struct dsbc_flow *f, void *arg)
{
	struct idle_seen *s = arg;

	if (s->n < RTE_DIM(s->ids))
		s->ids[s->n] = f->flow_id;
	s->n++;
}

static void
test_idle_scan(void)
{
	struct dsbc_flow_table *t = new_table(64);
	struct dsbc_flow_spec s;
	struct idle_seen seen = {0};
	uint64_t now, hz = rte_get_tsc_hz();
	uint32_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < 4; i++) {
		make_spec(&s, i, 4);
		CU_ASSERT_EQUAL(dsbc_flow_table_add(t, 10 + i, &s), 0);
	}
	now = rte_rdtsc();
	/* Flow 10 and 11 saw packets "now", 12 and 13 never did. */
	dsbc_flow_table_slot(t, 10)->st.last_tsc = now + 10 * hz;
	dsbc_flow_table_slot(t, 11)->st.last_tsc = now + 10 * hz;
	/* Nothing is idle for a 1 s timeout at install time. */
	dsbc_flow_table_idle_scan(t, now, hz, 64, idle_cb, &seen);
	CU_ASSERT_EQUAL(seen.n, 0);
	/* 5 s later: the two silent ones, once. */
	dsbc_flow_table_idle_scan(t, now + 5 * hz, hz, 64, idle_cb, &seen);
	CU_ASSERT_EQUAL(seen.n, 2);
	CU_ASSERT(seen.ids[0] == 12 && seen.ids[1] == 13);
	dsbc_flow_table_idle_scan(t, now + 6 * hz, hz, 64, idle_cb, &seen);
	CU_ASSERT_EQUAL(seen.n, 2);
	/* Budget: 8 slots per call from a moving cursor. */
	seen.n = 0;
	CU_ASSERT_EQUAL(dsbc_flow_table_idle_scan(t, now + 20 * hz, hz, 8,
						  idle_cb, &seen), 8);
	for (i = 0; i < 7; i++)
		dsbc_flow_table_idle_scan(t, now + 20 * hz, hz, 8, idle_cb,
					  &seen);
	CU_ASSERT_EQUAL(seen.n, 2);   /* 10 and 11, now silent too */
	/* Consent (RFC 7675): only an ICE flow whose peer checked once and
	 * then stopped is reported, once; a check clears it */
	seen.n = 0;
	dsbc_flow_table_slot(t, 10)->spec.ice_id = 1;
	dsbc_flow_table_slot(t, 10)->st.last_check_tsc = now;
	dsbc_flow_table_slot(t, 11)->spec.ice_id = 2;   /* never checked */
	dsbc_flow_table_slot(t, 12)->st.last_check_tsc = now; /* no ICE */
	dsbc_flow_table_consent_scan(t, now + hz, 30 * hz, 64, idle_cb, &seen);
	CU_ASSERT_EQUAL(seen.n, 0);
	dsbc_flow_table_consent_scan(t, now + 31 * hz, 30 * hz, 64, idle_cb,
				     &seen);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(seen.ids[0], 10);
	dsbc_flow_table_consent_scan(t, now + 40 * hz, 30 * hz, 64, idle_cb,
				     &seen);
	CU_ASSERT_EQUAL(seen.n, 1);
	dsbc_flow_table_free(t);
}

static void
test_slices(void)
{
	struct dsbc_slices s;
	uint16_t w, first, last, prev_last = 0;
	uint32_t p, bad = 0;

	CU_ASSERT_EQUAL(dsbc_slices_init(&s, 20000, 39999, 3), 0);
	CU_ASSERT_EQUAL(s.size % 2, 0);
	for (w = 0; w < 3; w++) {
		dsbc_slices_range(&s, w, &first, &last);
		CU_ASSERT_EQUAL(first % 2, 0);
		CU_ASSERT(first <= last);
		CU_ASSERT_EQUAL(first, w == 0 ? 20000 : prev_last + 1);
		prev_last = last;
	}
	CU_ASSERT_EQUAL(prev_last, 39999);
	/* owner() agrees with range() for every port, RTP and RTCP together. */
	for (p = 20000; p <= 39999; p++) {
		w = dsbc_slices_owner(&s, (uint16_t)p);
		dsbc_slices_range(&s, w, &first, &last);
		bad += p < first || p > last;
		bad += (p & 1) && dsbc_slices_owner(&s, (uint16_t)(p - 1)) != w;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(!dsbc_slices_in_range(&s, 19999));
	CU_ASSERT(!dsbc_slices_in_range(&s, 40000));
	CU_ASSERT(dsbc_slices_in_range(&s, 39999));
	/* Full 16-bit span, one worker and many. */
	CU_ASSERT_EQUAL(dsbc_slices_init(&s, 0, 65535, 1), 0);
	CU_ASSERT_EQUAL(dsbc_slices_owner(&s, 65535), 0);
	CU_ASSERT_EQUAL(dsbc_slices_init(&s, 1024, 65535, 7), 0);
	for (p = 1024; p <= 65535; p++) {
		w = dsbc_slices_owner(&s, (uint16_t)p);
		dsbc_slices_range(&s, w, &first, &last);
		bad += p < first || p > last;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Refused: odd start, empty range, more workers than port pairs. */
	CU_ASSERT_EQUAL(dsbc_slices_init(&s, 20001, 39999, 1), -EINVAL);
	CU_ASSERT_EQUAL(dsbc_slices_init(&s, 20000, 20000, 1), -EINVAL);
	CU_ASSERT_EQUAL(dsbc_slices_init(&s, 20000, 20003, 3), -EINVAL);
	CU_ASSERT_EQUAL(dsbc_slices_init(&s, 20000, 39999, 0), -EINVAL);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("flow", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_names);
	UNIT_ADD(s, test_add_lookup_del);
	UNIT_ADD(s, test_mod);
	UNIT_ADD(s, test_capacity_and_bulk);
	UNIT_ADD(s, test_direct_capacity_and_bulk);
	UNIT_ADD(s, test_direct_edges);
	UNIT_ADD(s, test_idle_scan);
	UNIT_ADD(s, test_slices);
	return 0;
}
