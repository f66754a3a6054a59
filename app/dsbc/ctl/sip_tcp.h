/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_SIP_TCP_H
#define DSBC_CTL_SIP_TCP_H

/*
 * SIP over TCP and TLS on the management lcore (sip_tcp.c): kernel
 * sockets on the ports' exception paths, polled once per loop pass.
 */
#include <stdint.h>

#include "dsbc_b2bua.h"

struct dsbc_app;

/* Counters; the management lcore writes them, telemetry reads. */
struct dsbc_sip_tcp_stats {
	uint64_t accepted;         /* connections taken */
	uint64_t refused;          /* over sip_tcp_max_conns or per source */
	uint64_t closed;           /* connections closed, for any reason */
	uint64_t idle_closed;      /* ... silent for sip_tcp_idle_s */
	uint64_t too_big;          /* ... a message over 64 KiB */
	uint64_t bad_length;       /* ... no or a bad Content-Length */
	uint64_t tx_overflow;      /* ... 256 KiB queued and not taken */
	uint64_t rx_bytes;
	uint64_t rx_msgs;          /* messages to the B2BUA */
	uint64_t tx_msgs;          /* messages written to a connection */
	uint64_t tx_no_conn;       /* messages for a connection gone */
	uint64_t pings;            /* RFC 5626 keepalives answered */
	uint64_t tls_accepted;     /* of accepted: on the TLS port */
	uint64_t tls_handshakes;   /* completed */
	uint64_t tls_failed;       /* refused or broken handshakes (version,
				    * certificate, garbage) */
	uint64_t tls_timeouts;     /* not done within [tls] handshake_s */
	uint64_t connects;         /* streams dsbc opened towards a route */
	uint64_t connect_failed;   /* ... refused, unreachable, timed out,
				    * or their TLS failed (their requests
				    * failed with 503) */
	uint64_t ws_upgrades;      /* WebSocket handshakes accepted */
	uint64_t ws_refused;       /* ... refused: malformed, no "sip"
				    * subprotocol, Host or Origin not allowed */
	uint64_t ws_bad_frames;    /* unmasked, reserved bits or opcodes,
				    * bad control frames (closed, 1002) */
	uint64_t ws_closed;        /* closing handshakes answered */
	uint64_t reused;           /* messages sent on an open stream of
				    * dsbc's rather than a new one */
	uint64_t tls_trunk_certs;  /* TLS clients whose certificate names
				    * a [trunk.N] */
	uint64_t alias_accepted;   /* RFC 5923 ;alias from a trunk: its
				    * connection serves requests to it */
	uint64_t alias_refused;    /* ... from a peer that is no trunk */
	uint64_t alias_used;       /* messages sent on an aliased stream */
};

/* Listen on every port with an exception path (after dsbc_exc_tap_setup);
 * 0 when none has one.  0 or -errno (logged). */
int dsbc_sip_tcp_init(struct dsbc_app *app);
void dsbc_sip_tcp_fini(struct dsbc_app *app);
/* Accept, read and write what is ready; events handled. */
uint32_t dsbc_sip_tcp_poll(struct dsbc_app *app);
/* Send on the connection to->conn names, or with conn 0 on a stream to
 * to's address, port, transport and TLS name: dsbc's own (opened on first
 * use, then reused), or one a trunk opened with ;alias for that address
 * (RFC 5923): 0, -ENOTCONN (gone), -EIO, -ENOSPC. */
int dsbc_sip_tcp_send(struct dsbc_app *app, const struct dsbc_sip_peer *to,
		      const char *msg, uint32_t len);
/* The counters and open connections; NULL when TCP is off. */
const struct dsbc_sip_tcp_stats *dsbc_sip_tcp_stats(const struct dsbc_app *app,
						    uint32_t *open);

#endif /* DSBC_CTL_SIP_TCP_H */
