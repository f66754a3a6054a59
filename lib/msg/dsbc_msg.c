/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "dsbc_msg.h"

static const char *const msg_names[] = {
	[DSBC_MSG_NONE] = "none",
#define DSBC_MSG_NAME(name, dir, help) [DSBC_MSG_##name] = #name,
	DSBC_MSG_TYPES(DSBC_MSG_NAME)
#undef DSBC_MSG_NAME
};

/* Ring elements are copied as 32-bit words. */
_Static_assert(sizeof(struct dsbc_msg) % 4 == 0, "ring element size");

const char *
dsbc_msg_name(enum dsbc_msg_type t)
{
	return (unsigned int)t < DSBC_MSG_MAX ? msg_names[t] : "unknown";
}

int
dsbc_msg_chan_init(struct dsbc_msg_chan *c, const char *name,
		   unsigned int count, int socket, unsigned int flags,
		   uint32_t backlog_cap)
{
	memset(c, 0, sizeof(*c));
	c->ring = rte_ring_create_elem(name, sizeof(struct dsbc_msg), count,
				       socket, flags);
	if (c->ring == NULL)
		return -rte_errno;
	if (backlog_cap > 0) {
		c->backlog = rte_zmalloc_socket(name,
						(size_t)backlog_cap * sizeof(*c->backlog),
						RTE_CACHE_LINE_SIZE, socket);
		if (c->backlog == NULL) {
			rte_ring_free(c->ring);
			c->ring = NULL;
			return -ENOMEM;
		}
	}
	c->backlog_cap = backlog_cap;
	return 0;
}

void
dsbc_msg_chan_fini(struct dsbc_msg_chan *c)
{
	rte_ring_free(c->ring);
	rte_free(c->backlog);
	memset(c, 0, sizeof(*c));
}

uint32_t
dsbc_msg_flush(struct dsbc_msg_chan *c)
{
	while (c->backlog_len > 0) {
		if (rte_ring_enqueue_elem(c->ring,
					  &c->backlog[c->backlog_head],
					  sizeof(struct dsbc_msg)) != 0) {
			c->enq_fail++;
			break;
		}
		c->sent++;
		c->backlog_head = (c->backlog_head + 1) % c->backlog_cap;
		c->backlog_len--;
	}
	return c->backlog_len;
}

int
dsbc_msg_send(struct dsbc_msg_chan *c, struct dsbc_msg *m)
{
	m->version = DSBC_MSG_VERSION;
	m->seq = ++c->seq;
	/* Order is kept: nothing overtakes what is waiting in the backlog. */
	if (dsbc_msg_flush(c) == 0) {
		if (rte_ring_enqueue_elem(c->ring, m,
					  sizeof(struct dsbc_msg)) == 0) {
			c->sent++;
			return 0;
		}
		c->enq_fail++;
	}
	if (c->backlog_len == c->backlog_cap) {
		c->backlog_overflow++;
		return -ENOBUFS;
	}
	c->backlog[(c->backlog_head + c->backlog_len) % c->backlog_cap] = *m;
	c->backlog_len++;
	return 0;
}

unsigned int
dsbc_msg_recv(struct rte_ring *r, struct dsbc_msg *out, unsigned int n)
{
	return rte_ring_dequeue_burst_elem(r, out, sizeof(struct dsbc_msg), n,
					   NULL);
}
