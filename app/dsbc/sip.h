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
	bool resolve;                /* look remote_mac up for l2_next */
	struct dsbc_addr l2_next;    /* remote if on-link, else the gateway */
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
	uint64_t stateless_501;              /* requests nobody handles */
	uint64_t tx_no_neigh;                /* next hop MAC not known yet */
	uint64_t retransmissions_absorbed;   /* by the transaction layer */
	uint64_t txn_timeouts;               /* timers B, F, H */
	uint64_t rate_limited;               /* over sip_rate_pps per source */
};

struct rte_ip_frag_tbl;
struct rte_ip_frag_death_row;
struct rte_mempool;
struct dsbc_sip_txl;

/* Management lcore only; telemetry reads the counters. */
struct dsbc_sip_rt {
	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row *death_row;
	struct rte_mempool *indirect;        /* for outgoing fragments */
	struct dsbc_sip_stats st;
	char rx_buf[DSBC_SIP_MAX_MSG + 1];   /* a reassembled datagram */
	char tx_buf[DSBC_SIP_MAX_MSG + 1];   /* a response being built */
	uint32_t tag_seq;                    /* To tags of local answers */
	struct dsbc_sip_txl *txl;            /* transactions (RFC 3261 17) */
	struct dsbc_b2bua *b2b;              /* calls */
	struct dsbc_sip_limit *limit;        /* per-source rate, NULL off */
	uint64_t next_tick_ms;
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
/* Milliseconds on the management lcore's clock. */
uint64_t dsbc_sip_now_ms(const struct dsbc_app *app);
/*
 * RFC 3261 section 8.2.6.2 response to req into out: Via (top one with
 * received/rport), From, To (with to_tag when it has none, unless NULL),
 * Call-ID, CSeq, then extra (full header lines) and the body.  Returns the
 * length, 0 when it does not fit.
 */
uint32_t dsbc_sip_response(struct dsbc_app *app, const struct dsbc_sip_msg *req,
			   const struct dsbc_sip_peer *from, int status,
			   const char *reason, const char *to_tag,
			   const char *extra, const char *body,
			   uint32_t body_len, char *out, uint32_t cap);
/* b2bua.c: calls (RFC 7092 section 3: two dialogs and a media session). */
struct dsbc_b2bua;
int dsbc_b2bua_init(struct dsbc_app *app);
void dsbc_b2bua_fini(struct dsbc_app *app);
void dsbc_b2bua_request(struct dsbc_app *app, const struct dsbc_sip_peer *from,
			const struct dsbc_sip_msg *m, uint64_t now);
void dsbc_b2bua_response(struct dsbc_app *app, const struct dsbc_sip_peer *from,
			 const struct dsbc_sip_msg *m, uint64_t now);
void dsbc_b2bua_tick(struct dsbc_app *app, uint64_t now);
void dsbc_b2bua_flow_idle(struct dsbc_app *app, uint32_t flow_id);
struct rte_mbuf;
void dsbc_b2bua_dtls_input(struct dsbc_app *app, struct rte_mbuf *m);
struct dsbc_msg_latched;
void dsbc_b2bua_flow_latched(struct dsbc_app *app,
			     const struct dsbc_msg_latched *l);
int dsbc_b2bua_telemetry_register(void);
struct dsbc_sip_txn;
void dsbc_b2bua_txn_timeout(struct dsbc_app *app, struct dsbc_sip_txn *t);
void dsbc_b2bua_txn_gone(struct dsbc_app *app, struct dsbc_sip_txn *t);

/* sip_limit.c: per-source rate limit (sip_rate_pps, sip_burst). */
struct dsbc_sip_limit;
int dsbc_sip_limit_init(struct dsbc_app *app);
void dsbc_sip_limit_fini(struct dsbc_app *app);
bool dsbc_sip_limit_ok(struct dsbc_app *app, uint8_t family,
		       const struct dsbc_addr *src);

/* Telemetry /dsbc/sip. */
int dsbc_sip_telemetry_register(void);
void dsbc_sip_set_telemetry_app(struct dsbc_app *app);

#endif /* DSBC_APP_SIP_H */
