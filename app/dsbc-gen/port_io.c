/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port mode: send the frames to a DPDK port (paced if asked), then count
 * what comes back on the RX port by RFC 7983 class, testpmd style.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "gen.h"

#define NB_MBUF 8191
#define BURST 32

struct rx_count {
	uint64_t total, rtp, rtcp, dtls, stun, other;
};

/* RFC 7983 section 7 on the first UDP payload byte of an IPv4/IPv6 frame. */
static void
count_frame(struct rx_count *c, const uint8_t *p, uint32_t len)
{
	uint32_t off = 14;
	uint16_t et;
	uint8_t b;

	c->total++;
	if (len < 18) {
		c->other++;
		return;
	}
	et = (uint16_t)(p[12] << 8 | p[13]);
	if (et == 0x8100) {
		et = (uint16_t)(p[16] << 8 | p[17]);
		off = 18;
	}
	if (et == 0x0800 && len > off)
		off += (p[off] & 0xfu) * 4 + 8;
	else if (et == 0x86dd)
		off += 40 + 8;
	else {
		c->other++;
		return;
	}
	if (off + 2 > len) {
		c->other++;
		return;
	}
	b = p[off];
	if (b <= 3)
		c->stun++;
	else if (b >= 20 && b <= 63)
		c->dtls++;
	else if (b >= 128 && b <= 191)
		(p[off + 1] >= 192 && p[off + 1] <= 223) ? c->rtcp++ : c->rtp++;
	else
		c->other++;
}

static int
port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, 512,
					    rte_eth_dev_socket_id(port), NULL,
					    mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 512,
					    rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0)
		fprintf(stderr, "dsbc-gen: port %u: %s\n", port,
			rte_strerror(-rc));
	return rc;
}

int
gen_port_run(int argc, char **argv, const struct gen_port_opts *o,
	     const struct gen_frame *frames, uint32_t n)
{
	struct rte_mbuf *pkts[BURST];
	struct rte_mempool *mp;
	struct rx_count c = {0};
	uint64_t hz, next, deadline, sent = 0;
	uint16_t rxp = o->has_rx ? o->rx_port : o->port;
	uint32_t i;
	uint16_t k;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "dsbc-gen: cannot start the EAL\n");
		return 2;
	}
	if (!rte_eth_dev_is_valid_port(o->port) ||
	    !rte_eth_dev_is_valid_port(rxp)) {
		fprintf(stderr, "dsbc-gen: no such port (%u ports)\n",
			rte_eth_dev_count_avail());
		return 2;
	}
	mp = rte_pktmbuf_pool_create("gen_mbufs", NB_MBUF, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	if (mp == NULL || port_setup(o->port, mp) != 0 ||
	    (rxp != o->port && port_setup(rxp, mp) != 0))
		return 2;
	hz = rte_get_tsc_hz();
	next = rte_rdtsc();
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		if (m == NULL || frames[i].len > rte_pktmbuf_tailroom(m)) {
			rte_pktmbuf_free(m);
			fprintf(stderr, "dsbc-gen: out of mbufs\n");
			break;
		}
		memcpy(rte_pktmbuf_append(m, (uint16_t)frames[i].len),
		       frames[i].b, frames[i].len);
		if (o->rate_pps != 0) {
			while (rte_rdtsc() < next)
				rte_pause();
			next += hz / o->rate_pps;
		}
		while (rte_eth_tx_burst(o->port, 0, &m, 1) == 0)
			rte_pause();
		sent++;
		/* Drain returns as we go so the RX ring never overflows. */
		k = rte_eth_rx_burst(rxp, 0, pkts, BURST);
		while (k-- > 0) {
			count_frame(&c, rte_pktmbuf_mtod(pkts[k], uint8_t *),
				    pkts[k]->data_len);
			rte_pktmbuf_free(pkts[k]);
		}
	}
	deadline = rte_rdtsc() + hz / 1000 * o->wait_ms;
	while (rte_rdtsc() < deadline) {
		k = rte_eth_rx_burst(rxp, 0, pkts, BURST);
		if (k == 0) {
			rte_delay_us_sleep(200);
			continue;
		}
		while (k-- > 0) {
			count_frame(&c, rte_pktmbuf_mtod(pkts[k], uint8_t *),
				    pkts[k]->data_len);
			rte_pktmbuf_free(pkts[k]);
		}
	}
	printf("sent=%" PRIu64 " received=%" PRIu64 " rtp=%" PRIu64
	       " rtcp=%" PRIu64 " dtls=%" PRIu64 " stun=%" PRIu64
	       " other=%" PRIu64 "\n", sent, c.total, c.rtp, c.rtcp, c.dtls,
	       c.stun, c.other);
	rte_eth_dev_stop(o->port);
	if (rxp != o->port)
		rte_eth_dev_stop(rxp);
	rte_eal_cleanup();
	return 0;
}
