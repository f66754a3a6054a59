/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_SIP_H
#define DSBC_CTL_SIP_H

/*
 * SIP on the management lcore: sip_udp.c is the UDP transport (RFC 3261
 * section 18): IPv4 reassembly of fragmented datagrams (rte_ip_frag),
 * fragmentation of large messages, the per-source limit (sip_limit.c).
 * b2bua_host.c runs lib/b2bua on it: it feeds the library datagrams,
 * worker events and the clock, and implements the library's ops with
 * the transport, the flow allocators and the control rings.
 */
#include <stdint.h>

#include "dsbc_b2bua.h"

struct dsbc_app;

/* Transport counters; written by the management lcore only. */
struct dsbc_sip_stats {
	uint64_t rx;                         /* datagrams to the SIP port */
	uint64_t tx;                         /* messages sent */
	uint64_t tx_frags;                   /* IPv4 fragments sent */
	uint64_t tx_fail;                    /* no mbuf, too big, TX refused */
	uint64_t frag_rx;                    /* fragments received */
	uint64_t reassembled;                /* datagrams rebuilt from them */
	uint64_t frag_dropped;               /* IPv6 fragments after other
					      * extension headers, or before
					      * other than UDP */
	uint64_t not_udp;                    /* fragments that were not UDP */
	uint64_t tx_no_neigh;                /* next hop MAC not known yet */
	uint64_t rate_limited;               /* over sip_rate_pps per source */
};

struct rte_ip_frag_tbl;
struct rte_ip_frag_death_row;
struct rte_mempool;
struct rte_mbuf;

/* Management lcore only; telemetry reads the counters. */
struct dsbc_es256;
struct dsbc_stir_fetcher;
struct x509_store_st;

struct dsbc_sip_rt {
	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row *death_row;
	struct rte_mempool *indirect;        /* for outgoing fragments */
	struct dsbc_es256 *stir_key;         /* [stir] key, prepared */
	struct x509_store_st *stir_trust;    /* [stir] ca_file, loaded */
	struct dsbc_stir_fetcher *fetch;     /* x5u fetches (stir_fetch.c) */
	struct dsbc_sip_stats st;
	char rx_buf[65536];                  /* a reassembled datagram */
	struct dsbc_b2bua *b2b;              /* calls (lib/b2bua) */
	struct dsbc_sip_limit *limit;        /* per-source rate, NULL off */
};

/* sip_udp.c */
int dsbc_sip_init(struct dsbc_app *app);
void dsbc_sip_fini(struct dsbc_app *app);
/* One mbuf from the SIP ring (a datagram or a fragment); consumes it. */
void dsbc_sip_input(struct dsbc_app *app, struct rte_mbuf *m, uint64_t tsc);
/* Expire reassembly state and run the B2BUA's timers; 1 when a timer
 * was due. */
uint32_t dsbc_sip_tick(struct dsbc_app *app);
/* Send a message to a peer (fragments when it exceeds the port MTU). */
int dsbc_sip_send(struct dsbc_app *app, const struct dsbc_sip_peer *to,
		  const char *msg, uint32_t len);
/* Milliseconds on the management lcore's clock. */
uint64_t dsbc_sip_now_ms(const struct dsbc_app *app);

/* b2bua_host.c: lib/b2bua on the management lcore */
int dsbc_b2bua_host_init(struct dsbc_app *app);
void dsbc_b2bua_host_fini(struct dsbc_app *app);
/* A terminated leg's DTLS record a worker punted (flow id in hash.usr). */
void dsbc_b2bua_host_dtls(struct dsbc_app *app, struct rte_mbuf *m);

/* sip_limit.c: per-source rate limit (sip_rate_pps, sip_burst). */
struct dsbc_sip_limit;
int dsbc_sip_limit_init(struct dsbc_app *app);
void dsbc_sip_limit_fini(struct dsbc_app *app);
bool dsbc_sip_limit_ok(struct dsbc_app *app, uint8_t family,
		       const struct dsbc_addr *src);

#endif /* DSBC_CTL_SIP_H */
