/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_APP_SIP_H
#define DSBC_APP_SIP_H

#include <stdint.h>

#include <rte_ether.h>

#include "dsbc_net.h"
#include "dsbc_sip_msg.h"

/*
 * SIP on the management lcore.  sip_io.c is the UDP transport (RFC 3261
 * section 18): IPv4 reassembly of fragmented datagrams (rte_ip_frag),
 * fragmentation of large messages, responses sent back where the request
 * came from (section 18.2.2, RFC 3581).  sip_ua.c answers what needs no
 * dialog state: malformed requests (RFC 4475 statuses), unsupported
 * extensions (420), Max-Forwards exhausted (483), OPTIONS to dsbc (200).
 */
struct dsbc_app;

/* Where a datagram came from and how to answer it. */
struct dsbc_sip_peer {
	uint16_t in;                 /* index into app->ports */
	uint8_t family;
	struct dsbc_addr local;      /* dsbc's address it was sent to */
	uint16_t local_port;
	struct dsbc_addr remote;
	uint16_t remote_port;
	struct rte_ether_addr remote_mac;  /* L2 sender: next hop back */
};

#define DSBC_SIP_CLASSES 7           /* status classes 1xx..6xx, [0] unused */

struct dsbc_sip_stats {
	uint64_t rx;                         /* datagrams to the SIP port */
	uint64_t rx_req[DSBC_SIP_M_MAX];     /* valid requests by method */
	uint64_t rx_resp[DSBC_SIP_CLASSES];  /* valid responses by class */
	uint64_t err[DSBC_SIP_ERR_MAX];      /* refused, by reason */
	uint64_t discarded;                  /* refused without an answer */
	uint64_t tx;                         /* messages sent */
	uint64_t tx_resp[DSBC_SIP_CLASSES];  /* responses sent by class */
	uint64_t tx_frags;                   /* IPv4 fragments sent */
	uint64_t tx_fail;                    /* no mbuf, too big, TX refused */
	uint64_t frag_rx;                    /* fragments received */
	uint64_t reassembled;                /* datagrams rebuilt from them */
	uint64_t frag_dropped;               /* IPv6 fragments (unsupported) */
	uint64_t not_udp;                    /* fragments that were not UDP */
	uint64_t stateless_501;              /* requests for the B2BUA */
};

struct rte_ip_frag_tbl;
struct rte_ip_frag_death_row;
struct rte_mempool;

/* Management lcore only; telemetry reads the counters. */
struct dsbc_sip_rt {
	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row *death_row;
	struct rte_mempool *indirect;        /* for outgoing fragments */
	struct dsbc_sip_stats st;
	char rx_buf[DSBC_SIP_MAX_MSG + 1];   /* a reassembled datagram */
	char tx_buf[DSBC_SIP_MAX_MSG + 1];   /* a response being built */
	uint32_t tag_seq;                    /* To tags of local answers */
};

int dsbc_sip_init(struct dsbc_app *app);
void dsbc_sip_fini(struct dsbc_app *app);
/* One mbuf from the SIP ring (a datagram or a fragment); consumes it. */
void dsbc_sip_input(struct dsbc_app *app, struct rte_mbuf *m, uint64_t now);
/* Expire reassembly state; call from the management loop. */
void dsbc_sip_tick(struct dsbc_app *app);
/* Send a message to a peer (fragments when it exceeds the port MTU). */
int dsbc_sip_send(struct dsbc_app *app, const struct dsbc_sip_peer *to,
		  const char *msg, uint32_t len);
/* A parsed (or refused) datagram, from sip_io.c to sip_ua.c. */
void dsbc_sip_receive(struct dsbc_app *app, const struct dsbc_sip_peer *from,
		      const char *buf, uint32_t len);
/* Telemetry /dsbc/sip. */
int dsbc_sip_telemetry_register(void);
void dsbc_sip_set_telemetry_app(struct dsbc_app *app);

#endif /* DSBC_APP_SIP_H */
