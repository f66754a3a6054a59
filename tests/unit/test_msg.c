/* SPDX-License-Identifier: BSD-3-Clause */
/* Control channel: empty, full, backlog order, overflow, validation. */
#include <errno.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_common.h>
#include <rte_ring.h>

#include "dsbc_msg.h"
#include "unit.h"

const bool unit_needs_eal = true;

static void
flow_msg(struct dsbc_msg *m, uint32_t id)
{
	memset(m, 0, sizeof(*m));
	m->type = DSBC_MSG_FLOW_ADD;
	m->worker = 2;
	m->flow.flow_id = id;
	m->flow.spec.out_port = 1;
	m->flow.spec.key.local_port = (uint16_t)(20000 + id);
	m->flow.spec.tmpl.len = 42;
	m->flow.spec.tmpl.bytes[41] = (uint8_t)id;
}

static void
test_empty_and_round_trip(void)
{
	struct dsbc_msg_chan c;
	struct dsbc_msg m, out[4];
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(dsbc_msg_chan_init(&c, "ut_msg_rt", 16,
						 SOCKET_ID_ANY,
						 RING_F_SP_ENQ | RING_F_SC_DEQ,
						 8), 0);
	CU_ASSERT_EQUAL(dsbc_msg_recv(c.ring, out, 4), 0);
	for (i = 0; i < 3; i++) {
		flow_msg(&m, i);
		CU_ASSERT_EQUAL(dsbc_msg_send(&c, &m), 0);
	}
	CU_ASSERT_EQUAL(dsbc_msg_recv(c.ring, out, 4), 3);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(dsbc_msg_valid(&out[i]));
		CU_ASSERT_EQUAL(out[i].type, DSBC_MSG_FLOW_ADD);
		CU_ASSERT_EQUAL(out[i].version, DSBC_MSG_VERSION);
		CU_ASSERT_EQUAL(out[i].worker, 2);
		CU_ASSERT_EQUAL(out[i].seq, i + 1);
		CU_ASSERT_EQUAL(out[i].flow.flow_id, i);
		CU_ASSERT_EQUAL(out[i].flow.spec.key.local_port, 20000 + i);
		CU_ASSERT_EQUAL(out[i].flow.spec.tmpl.bytes[41], i);
	}
	CU_ASSERT_EQUAL(c.sent, 3);
	CU_ASSERT_EQUAL(c.enq_fail, 0);
	CU_ASSERT_EQUAL(dsbc_msg_recv(c.ring, out, 4), 0);
	dsbc_msg_chan_fini(&c);
}

/* A full ring spills into the backlog, in order, and nothing overtakes. */
static void
test_full_ring_backlog(void)
{
	struct dsbc_msg_chan c;
	struct dsbc_msg m, out[64];
	unsigned int cap, i, got = 0, n, bad = 0;

	CU_ASSERT_EQUAL_FATAL(dsbc_msg_chan_init(&c, "ut_msg_full", 16,
						 SOCKET_ID_ANY,
						 RING_F_SP_ENQ | RING_F_SC_DEQ,
						 8), 0);
	cap = rte_ring_get_capacity(c.ring);      /* 15 */
	for (i = 0; i < cap + 8; i++) {
		flow_msg(&m, i);
		CU_ASSERT_EQUAL(dsbc_msg_send(&c, &m), 0);
	}
	CU_ASSERT_EQUAL(c.backlog_len, 8);
	CU_ASSERT(c.enq_fail >= 8);
	/* Backlog full as well: refused and counted. */
	flow_msg(&m, 999);
	CU_ASSERT_EQUAL(dsbc_msg_send(&c, &m), -ENOBUFS);
	CU_ASSERT_EQUAL(c.backlog_overflow, 1);
	CU_ASSERT_EQUAL(dsbc_msg_flush(&c), 8);
	/* Drain a few, flush, drain the rest: order preserved end to end. */
	n = dsbc_msg_recv(c.ring, out, 5);
	CU_ASSERT_EQUAL(n, 5);
	got += n;
	CU_ASSERT_EQUAL(dsbc_msg_flush(&c), 3);
	n = dsbc_msg_recv(c.ring, out + got, 64 - got);
	got += n;
	CU_ASSERT_EQUAL(dsbc_msg_flush(&c), 0);
	got += dsbc_msg_recv(c.ring, out + got, 64 - got);
	CU_ASSERT_EQUAL(got, cap + 8);
	for (i = 0; i < got; i++)
		bad += out[i].flow.flow_id != i || out[i].seq != i + 1;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(c.sent, cap + 8);
	/* A message sent while others wait goes behind them. */
	dsbc_msg_chan_fini(&c);
}

static void
test_no_backlog(void)
{
	struct dsbc_msg_chan c;
	struct dsbc_msg m;
	unsigned int i, cap;

	CU_ASSERT_EQUAL_FATAL(dsbc_msg_chan_init(&c, "ut_msg_nob", 8,
						 SOCKET_ID_ANY, 0, 0), 0);
	cap = rte_ring_get_capacity(c.ring);
	for (i = 0; i < cap; i++) {
		flow_msg(&m, i);
		CU_ASSERT_EQUAL(dsbc_msg_send(&c, &m), 0);
	}
	CU_ASSERT_EQUAL(dsbc_msg_send(&c, &m), -ENOBUFS);
	CU_ASSERT_EQUAL(c.backlog_overflow, 1);
	dsbc_msg_chan_fini(&c);
}

static void
test_valid_and_names(void)
{
	struct dsbc_msg m;

	flow_msg(&m, 1);
	m.version = DSBC_MSG_VERSION;
	CU_ASSERT(dsbc_msg_valid(&m));
	m.version = DSBC_MSG_VERSION + 1;
	CU_ASSERT(!dsbc_msg_valid(&m));
	m.version = DSBC_MSG_VERSION;
	m.type = DSBC_MSG_NONE;
	CU_ASSERT(!dsbc_msg_valid(&m));
	m.type = DSBC_MSG_MAX;
	CU_ASSERT(!dsbc_msg_valid(&m));
	m.type = 0xffff;
	CU_ASSERT(!dsbc_msg_valid(&m));
	m.type = DSBC_MSG_SYNC_ACK;
	CU_ASSERT(dsbc_msg_valid(&m));
	CU_ASSERT_STRING_EQUAL(dsbc_msg_name(DSBC_MSG_FLOW_DEL), "FLOW_DEL");
	CU_ASSERT_STRING_EQUAL(dsbc_msg_name(DSBC_MSG_LATCHED), "LATCHED");
	CU_ASSERT_STRING_EQUAL(dsbc_msg_name(DSBC_MSG_MAX), "unknown");
	CU_ASSERT_EQUAL(sizeof(struct dsbc_msg), DSBC_MSG_SIZE);
}

static void
test_init_errors(void)
{
	struct dsbc_msg_chan c, d;

	CU_ASSERT_EQUAL_FATAL(dsbc_msg_chan_init(&c, "ut_msg_dup", 16,
						 SOCKET_ID_ANY, 0, 4), 0);
	/* Same name twice, and a count that is not a power of two. */
	CU_ASSERT_NOT_EQUAL(dsbc_msg_chan_init(&d, "ut_msg_dup", 16,
					       SOCKET_ID_ANY, 0, 4), 0);
	CU_ASSERT_PTR_NULL(d.ring);
	CU_ASSERT_NOT_EQUAL(dsbc_msg_chan_init(&d, "ut_msg_odd", 100,
					       SOCKET_ID_ANY, 0, 4), 0);
	dsbc_msg_chan_fini(&c);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("msg", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_empty_and_round_trip);
	UNIT_ADD(s, test_full_ring_backlog);
	UNIT_ADD(s, test_no_backlog);
	UNIT_ADD(s, test_valid_and_names);
	UNIT_ADD(s, test_init_errors);
	return 0;
}
