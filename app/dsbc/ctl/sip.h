/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_SIP_H
#define DSBC_CTL_SIP_H

/*
 * SIP on the management lcore: sip_udp.c is the UDP transport (RFC 3261
 * section 18): IPv4 reassembly of fragmented datagrams (rte_ip_frag),
 * fragmentation of large messages; strangers' messages admitted by
 * sip_admit.c (overload control).
 * b2bua_host.c runs lib/b2bua on it: it feeds the library datagrams,
 * worker events and the clock, and implements the library's ops with
 * the transport, the flow allocators and the control rings.
 */
#include <stdint.h>

#include "dsbc_b2bua.h"
#include "dsbc.h"

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
	/* overload control (sip_admit.c): strangers' messages */
	uint64_t admitted;                   /* within the admission rate */
	uint64_t overload_refused;           /* answered 503 Retry-After */
	uint64_t overload_shed;              /* dropped: over both rates */
	uint64_t overloads;                  /* times overload began */
	uint64_t overloaded;                 /* 1 while in overload */
	uint64_t admit_cuts;                 /* 100 ms steps under load */
	uint64_t admit_rate;                 /* admitted per second, now */
	uint64_t by_prio[DSBC_SIP_PRIOS];    /* datagrams from each ring */
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
	struct rte_ip_frag_tbl *frag_tbl;      /* trusted peers' fragments */
	struct rte_ip_frag_tbl *frag_tbl_new;  /* strangers' */
	struct rte_ip_frag_death_row *death_row;
	struct rte_mempool *indirect;        /* for outgoing fragments */
	struct dsbc_es256 *stir_key;         /* [stir] key, prepared */
	struct x509_store_st *stir_trust;    /* [stir] ca_file, loaded */
	struct dsbc_stir_fetcher *fetch;     /* x5u fetches (stir_fetch.c) */
	struct dsbc_sip_stats st;
	char rx_buf[65536];                  /* a reassembled datagram */
	struct dsbc_b2bua *b2b;              /* calls (lib/b2bua) */
	struct dsbc_sip_admit *admit;        /* strangers' admission */
};

/* sip_udp.c */
int dsbc_sip_init(struct dsbc_app *app);
void dsbc_sip_fini(struct dsbc_app *app);
/* One mbuf from the SIP ring of priority prio (a datagram or a
 * fragment); consumes it. */
void dsbc_sip_input(struct dsbc_app *app, struct rte_mbuf *m, uint64_t tsc,
		    enum dsbc_sip_prio prio);
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
/* A received SIP message to the B2BUA, captured (HEP) with what dsbc
 * sends while handling it. */
void dsbc_sip_deliver(struct dsbc_app *app, const struct dsbc_sip_peer *from,
		      const char *msg, uint32_t len);
/* Routes' next hops and single-address trunks marked trusted (overload
 * control); again after a reload. */
void dsbc_b2bua_host_trust_configured(struct dsbc_app *app);
/* A terminated leg's DTLS record a worker punted (flow id in hash.usr). */
void dsbc_b2bua_host_dtls(struct dsbc_app *app, struct rte_mbuf *m);

/* sip_admit.c: admission of strangers' messages (overload control) */
enum dsbc_sip_admit_verdict {
	DSBC_SIP_ADMIT,          /* handle it */
	DSBC_SIP_REFUSE,         /* 503 with Retry-After, if a request */
	DSBC_SIP_SHED,           /* drop it */
};
struct dsbc_sip_admit;
int dsbc_sip_admit_init(struct dsbc_app *app);
void dsbc_sip_admit_fini(struct dsbc_app *app);
/* Charge one message of the lowest priority at TSC now. */
enum dsbc_sip_admit_verdict dsbc_sip_admit(struct dsbc_app *app,
					   uint64_t now);
/* Follow the load: called from the loop, acts every 100 ms. */
void dsbc_sip_admit_adjust(struct dsbc_app *app, uint64_t now);
/* A Retry-After for a 503, in seconds: sip_retry_after_s to twice it. */
uint32_t dsbc_sip_retry_after(const struct dsbc_app *app);

#endif /* DSBC_CTL_SIP_H */
