/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_B2BUA_H
#define DSBC_B2BUA_H

/**
 * @file
 * The SIP back-to-back user agent (RFC 7092 section 3) as a sans-I/O
 * library: every call is an A-leg dialog where dsbc is the UAS, a B-leg
 * dialog where it is the UAC, and a media session anchored on dsbc's
 * ports.
 *
 * The library owns the SIP transactions (lib/sip), the dialogs, the
 * calls, the media port allocation and each call's media state.  It
 * does no I/O and reads no clock: messages, media-plane events and the
 * time (milliseconds, any epoch, never going back) come in through the
 * functions below; messages out, flow programming, keys, ICE agents,
 * random bytes and log lines go out through struct dsbc_b2bua_ops.  The
 * management lcore drives it; unit tests drive it on a virtual clock.
 *
 * Not thread-safe: one thread calls every function of one instance.
 * Another thread reads it only through the snapshot functions, called
 * by the owning thread on its behalf.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_addr.h"
#include "dsbc_b2bua_cdr.h"
#include "dsbc_config.h"
#include "dsbc_sip_msg.h"

/** Signalling transports (RFC 3261 section 18). */
enum dsbc_sip_transport {
	DSBC_SIP_UDP = 0,
	DSBC_SIP_TCP = 1,            /**< a connection: dsbc_sip_peer.conn */
	DSBC_SIP_TLS = 2,            /**< TLS over a connection (RFC 3261
				      *   26.2, RFC 5630) */
	DSBC_SIP_WS = 3,             /**< WebSocket (RFC 7118) */
	DSBC_SIP_WSS = 4,            /**< WebSocket over TLS */
};

/**
 * Name of a transport.
 *
 * @param t  the transport
 * @return "udp", "tcp", "tls", "ws" or "wss"; "unknown" when out of range
 */
const char *dsbc_sip_transport_name(enum dsbc_sip_transport t);

/**
 * Where a SIP message (or DTLS record) came from and how to answer it,
 * or where one goes.  Opaque to the library but for the addresses: the
 * caller fills it from the packet and gets it back in ops->sip_send.
 */
struct dsbc_sip_peer {
	uint16_t in;                 /**< dsbc port index it arrived on */
	uint8_t family;              /**< 4 or 6 */
	uint8_t transport;           /**< enum dsbc_sip_transport */
	struct dsbc_addr local;      /**< dsbc's address it was sent to */
	uint16_t local_port;
	uint16_t remote_port;
	struct dsbc_addr remote;
	uint32_t conn;               /**< stream transports: connection; 0 on
				      *   UDP, or a stream not open yet */
	uint8_t route;               /**< towards a route's next hop: [route.N]
				      *   + 1 (its tls_name), 0 otherwise */
	uint64_t trunk_certs;        /**< TLS: bit N set when the peer's
				      *   verified client certificate carries
				      *   [trunk.N]'s tls_name */
	struct dsbc_mac remote_mac;  /**< L2 sender: the next hop back */
	bool resolve;                /**< look the MAC of l2_next up to send */
	struct dsbc_addr l2_next;    /**< remote if on-link, else the gateway */
};

/** What a flow-programming op or event refers to: a call, with the
 * generation it had, so a stale reference never touches another call. */
typedef uint64_t dsbc_b2bua_cookie_t;

/** Direction of a flow's SRTP keys (ops->flow_keys). */
enum dsbc_b2bua_keys_dir {
	DSBC_B2BUA_KEYS_RX = 0,      /**< unprotect what arrives on the flow */
	DSBC_B2BUA_KEYS_TX = 1,      /**< protect what it sends out */
};

/** Log levels, numbered as syslog(3) and rte_log. */
enum dsbc_b2bua_log_level {
	DSBC_B2BUA_LOG_ERR = 4,
	DSBC_B2BUA_LOG_WARNING = 5,
	DSBC_B2BUA_LOG_NOTICE = 6,
	DSBC_B2BUA_LOG_INFO = 7,
	DSBC_B2BUA_LOG_DEBUG = 8,
};

/** ICE credentials' bounds (RFC 8839 section 5.4), as the workers hold them. */
#define DSBC_B2BUA_ICE_UFRAG_MAX 40
#define DSBC_B2BUA_ICE_PWD_MAX 64

/**
 * Everything the library asks of its host.  Each op gets the ctx given
 * at creation.  Ops returning int return 0 or a negative errno.
 */
struct dsbc_b2bua_ops {
	/** Put a SIP message (or a DTLS datagram) on the wire to `to`. */
	int (*sip_send)(void *ctx, const struct dsbc_sip_peer *to,
			const char *msg, uint32_t len);
	/** Program a flow on the worker owning fc->local_port; *flow_id out.
	 * Its events come back with `cookie`.  -ENOSPC: no slot. */
	int (*flow_add)(void *ctx, const struct dsbc_flow_cfg *fc,
			dsbc_b2bua_cookie_t cookie, uint32_t *flow_id);
	/** Replace a flow's spec; unlatch forgets its latched source. */
	int (*flow_mod)(void *ctx, uint32_t flow_id,
			const struct dsbc_flow_cfg *fc, bool unlatch);
	/** Remove a flow. */
	int (*flow_del)(void *ctx, uint32_t flow_id);
	/** Terminator mode: one direction's SRTP master key and salt. */
	int (*flow_keys)(void *ctx, uint32_t flow_id,
			 enum dsbc_b2bua_keys_dir dir, uint8_t suite,
			 const uint8_t *key, uint8_t key_len,
			 const uint8_t *salt, uint8_t salt_len);
	/** Set (*ice_id 0: allocate) the ICE-lite agent of a leg in worker. */
	int (*ice_set)(void *ctx, uint16_t worker, uint16_t *ice_id,
		       const char *local_ufrag, const char *remote_ufrag,
		       const char *pwd);
	/** Clear an agent; its id may be given again afterwards. */
	void (*ice_clear)(void *ctx, uint16_t worker, uint16_t ice_id);
	/** len bytes from a CSPRNG (OpenSSL RAND_bytes on the appliance). */
	int (*random)(void *ctx, void *buf, size_t len);
	/** Wall-clock seconds since the epoch (PASSporT iat); NULL: dsbc
	 * signs nothing. */
	int64_t (*epoch_s)(void *ctx);
	/** Start fetching a signing certificate (an x5u URL, RFC 8224
	 * 6.2.1) without blocking; the body or the failure comes back in
	 * dsbc_b2bua_stir_fetched().  0 started, <0 refused.  NULL: routes
	 * with stir_verify find every certificate missing. */
	int (*stir_fetch)(void *ctx, const char *url);
	/** A peer proved itself part of dsbc's calls or users (the other
	 * party of an answered call, a next hop dsbc sends an INVITE to, a
	 * registered user, the source of a request or response that
	 * matched a dialog): the host may give its messages priority under
	 * overload.  NULL: nothing is done. */
	void (*peer_trust)(void *ctx, const struct dsbc_sip_peer *peer);
	/** A call ended: what its detail record needs (its flows are
	 * removed right after).  NULL: nothing is done. */
	void (*call_ended)(void *ctx, const struct dsbc_b2bua_cdr *cdr);
	/** One log line (no trailing newline) at a level <= cfg.log_level. */
	void (*log)(void *ctx, enum dsbc_b2bua_log_level level,
		    const char *line);
};

struct dsbc_es256;

/** Creation parameters. */
struct dsbc_b2bua_cfg {
	/** Routes, port addresses, sip_port, media policy; kept by pointer
	 * and read, never written. */
	const struct dsbc_config *cfg;
	uint16_t nb_workers;
	/** Media ports each worker owns: calls of worker w get theirs from
	 * [first, last] (both even/odd ends included). */
	struct {
		uint16_t first;
		uint16_t last;
	} slice[DSBC_CFG_MAX_WORKERS];
	uint32_t max_calls;          /**< concurrent calls */
	uint32_t max_txns;           /**< concurrent SIP transactions */
	int log_level;               /**< enum dsbc_b2bua_log_level: above it
				      * nothing is formatted */
	const char *server;          /**< Server header value, e.g. "dsbc/0.1" */
	/** [stir] key, prepared (lib/stir), kept by pointer; NULL: routes
	 * with stir_sign sign nothing */
	struct dsbc_es256 *stir_key;
	/** [stir] ca_file, loaded; kept by pointer.  Needed when a route
	 * verifies (stir_verify). */
	struct x509_store_st *stir_trust;
};

/** Room for lib/stir's verification results (enum dsbc_stir_result). */
#define DSBC_B2BUA_STIR_RESULTS 12

/** Counters; read from any thread as plain 64-bit words. */
struct dsbc_b2bua_stats {
	/* calls */
	uint64_t active;             /**< calls in the table */
	uint64_t started, answered, ended, failed, cancelled, no_route;
	uint64_t no_ports, bad_sdp, timeouts, idle_ended, table_full;
	uint64_t latch_repoints, latch_errors, flow_errors;
	uint64_t ok_retransmissions; /**< 2xx to INVITEs re-sent (13.3.1.4) */
	uint64_t consent_expired;    /**< ICE legs silent (RFC 7675) */
	uint64_t ice_restarts;       /**< new peer credentials (RFC 8839) */
	uint64_t stale_events;       /**< worker events for a call now gone */
	uint64_t bad_response;       /**< B's 18x/2xx unusable: a 2xx with no
				      * answer to A's offer, a To tag too
				      * long to keep; 502 to A */
	uint64_t shutdown_ended;     /**< calls ended by dsbc_b2bua_end_calls() */
	uint64_t end[DSBC_B2BUA_END_MAX];  /**< ended calls by reason */
	uint64_t route_set_refused;  /**< a Record-Route set malformed or
				      * over what a leg keeps: 400 to A's
				      * INVITE, 502 to A for B's 2xx */
	/* dialogs (RFC 3261 12.2.2) */
	uint64_t dialog_no_match;    /**< in-dialog request matching none: 481 */
	uint64_t dialog_cseq_low;    /**< CSeq below the last one: 500 */
	uint64_t dialog_source;      /**< not from the leg's signalling peer */
	uint64_t cancel_no_match;    /**< CANCEL of no pending INVITE: 481 */
	uint64_t ack_no_match;       /**< ACK of no 2xx of ours: dropped */
	uint64_t ack_retransmissions; /**< ACK of a 2xx already ACKed */
	uint64_t replaces_no_match;  /**< Replaces of no confirmed dialog: 481 */
	uint64_t callid_in_use;      /**< new INVITE with a Call-ID dsbc has: 482 */
	uint64_t replaces_mapped;    /**< ... mapped to the other leg's */
	/* terminate */
	uint64_t terminated, terminate_forced;
	uint64_t dtls_done, dtls_failed, dtls_timeouts, dtls_closed;
	uint64_t dtls_resets, dtls_no_session;
	uint64_t keys_sent, sdes_rekeys;
	/* SIP user agent */
	uint64_t sip_rx;             /**< messages given to dsbc_b2bua_sip_input */
	uint64_t rx_req[DSBC_SIP_M_MAX];
	uint64_t rx_resp[7];         /**< by class, [0] unused */
	uint64_t sip_err[DSBC_SIP_ERR_MAX];
	uint64_t discarded;          /**< refused without an answer */
	uint64_t tx_resp[7];         /**< responses sent, by class */
	uint64_t tx_req[DSBC_SIP_M_MAX];  /**< requests sent (retransmissions
				      * too), by method; [0] other */
	uint64_t drain_refused;      /**< INVITEs and OPTIONS answered 503
				      * while draining */
	uint64_t send_fail;          /**< ops->sip_send refused */
	uint64_t stateless_501;
	uint64_t bad_branch;         /**< request without an RFC 3261 branch */
	uint64_t retransmissions_absorbed;
	uint64_t txn_timeouts;       /**< timers B, F, H */
	uint64_t txns;               /**< transactions in the table */
	/* users (digest counters are lib/auth's, registrar's lib/registrar's) */
	uint64_t auth_trunk;         /**< not challenged: from a trunk */
	uint64_t reg_foreign;        /**< REGISTER for another domain: 403/404 */
	uint64_t reg_forbidden;      /**< a user registering another's AoR */
	uint64_t reg_not_found;      /**< INVITE to a user not registered */
	uint64_t reg_flow_failed;    /**< ... whose outbound flow failed: 430 */
	uint64_t keepalive_stray;    /**< keepalive answer of no binding */
	uint64_t transport_errors;   /**< requests failed: no stream to B */
	uint64_t sips_refused;       /**< sips: Request-URI, no TLS route: 416 */
	/* STIR (b2bua_stir.c) */
	uint64_t stir_signed;        /**< INVITEs to B with dsbc's Identity */
	uint64_t stir_sign_skipped;  /**< ... left unsigned: no number for
				      *   the caller or callee, no key */
	uint64_t stir_verified;      /**< Identity of A's INVITE held */
	/** verifications by result (enum dsbc_stir_result, lib/stir):
	 * [0] valid, then why not */
	uint64_t stir_result[DSBC_B2BUA_STIR_RESULTS];
	uint64_t stir_refused;       /**< ... refused for it (enforce) */
	uint64_t stir_marked;        /**< ... passed on with a verstat (mark) */
	uint64_t stir_fetches;       /**< x5u fetches started */
	uint64_t stir_fetch_refused; /**< ... refused by the host (too many) */
	uint64_t stir_fetch_timeouts; /**< ... not back in fetch_timeout_ms */
	uint64_t stir_parked;        /**< INVITEs waiting for a certificate */
	uint64_t stir_park_full;     /**< ... none free: 503 or unverified */
	uint64_t stir_resigned;      /**< A's Identity (mky) replaced where
				      *   dsbc terminates the media */
};

struct dsbc_b2bua;
struct dsbc_auth_stats;
struct dsbc_reg_stats;
struct dsbc_reg_binding;

/**
 * Create an instance.
 *
 * @return the instance, or NULL with a reason in err (bad sizes, no
 *   memory, DTLS certificate unusable)
 */
struct dsbc_b2bua *dsbc_b2bua_create(const struct dsbc_b2bua_cfg *cfg,
				     const struct dsbc_b2bua_ops *ops,
				     void *ctx, char *err, size_t errlen);

/** Free an instance; its calls end without a message. NULL is a no-op. */
void dsbc_b2bua_free(struct dsbc_b2bua *b);

/**
 * Read the users file ([auth] users_file) again; on error the users
 * loaded before stay.
 *
 * @param b  the instance
 * @param err  "FILE:LINE: reason" on failure
 * @param errlen  its size
 * @return entries loaded, or -1
 */
int dsbc_b2bua_auth_reload(struct dsbc_b2bua *b, char *err, size_t errlen);

/**
 * Digest counters.
 *
 * @param b  the instance
 * @return them, NULL when no realm is in use
 */
const struct dsbc_auth_stats *dsbc_b2bua_auth_stats(const struct dsbc_b2bua *b);

/**
 * Registrar counters.
 *
 * @param b  the instance
 * @return them, NULL when no [registrar] domain is set
 */
const struct dsbc_reg_stats *dsbc_b2bua_reg_stats(const struct dsbc_b2bua *b);

/**
 * Walk the registrations: each binding and where calls to it go.
 *
 * @param b  the instance
 * @param fn  called per binding; non-zero stops
 * @param ctx  given to fn
 */
void dsbc_b2bua_reg_walk(const struct dsbc_b2bua *b,
			 int (*fn)(void *ctx, const struct dsbc_reg_binding *bd,
				   const struct dsbc_sip_peer *peer),
			 void *ctx);

/**
 * A stream towards `to` could not be opened (connection refused, TLS
 * handshake or certificate check failed): the requests waiting for it
 * fail as RFC 3261 8.1.3.1 says, a transport error being a 503 (a call
 * whose INVITE it was gets 503 at once rather than 408 after timer B).
 *
 * @param b  the instance
 * @param to  where the stream was to go (transport, address, port)
 * @param now  ms
 * @return client transactions failed
 */
unsigned int dsbc_b2bua_transport_failed(struct dsbc_b2bua *b,
					 const struct dsbc_sip_peer *to,
					 uint64_t now);

/**
 * A stream connection closed: registrations made over it go (RFC 5626
 * section 5.3: the flow was the only way to reach them).
 *
 * @param b  the instance
 * @param conn  the connection (dsbc_sip_peer.conn)
 */
void dsbc_b2bua_conn_closed(struct dsbc_b2bua *b, uint32_t conn);

/**
 * A SIP datagram (or a framed stream message) arrived from `from`.  It is
 * parsed, checked and answered here: refusals with RFC 3261 / RFC 4475
 * statuses, transactions, dialogs, calls.
 */
void dsbc_b2bua_sip_input(struct dsbc_b2bua *b,
			  const struct dsbc_sip_peer *from, const char *buf,
			  uint32_t len, uint64_t now);

/**
 * Overload: refuse a message the host did not admit, without keeping
 * anything of it.  A request other than ACK gets 503 Service
 * Unavailable with Retry-After (RFC 3261 21.5.4); anything else is
 * dropped.
 *
 * @param retry_after_s  the Retry-After, randomised by the host
 * @return 0 when a 503 was sent, -1 when the message was dropped
 */
int dsbc_b2bua_sip_refuse(struct dsbc_b2bua *b,
			  const struct dsbc_sip_peer *from, const char *buf,
			  uint32_t len, uint32_t retry_after_s);

/**
 * Shutting down: end calls now, as call_end does one (BYE to both legs
 * of an answered call, 503 to A and CANCEL to B for one not yet
 * answered), so peers do not hold their side until their own timers
 * run out.  At most max at a time, so the host can let each batch's
 * messages leave before the next.  From the first call on, new INVITEs
 * get 503.
 *
 * @param max  calls to end at most
 * @param now  milliseconds
 * @return the calls ended; 0 when none is left
 */
uint32_t dsbc_b2bua_end_calls(struct dsbc_b2bua *b, uint32_t max,
			      uint64_t now);

/**
 * Draining: new INVITEs and OPTIONS get 503 (so a load balancer or a
 * proxy's dispatcher moves traffic away) while calls in progress go on
 * to their natural end.
 *
 * @param on  start (true) or stop draining
 */
void dsbc_b2bua_drain(struct dsbc_b2bua *b, bool on);

/**
 * What is logged from now on.
 *
 * @param level  enum dsbc_b2bua_log_level: above it nothing is formatted
 */
void dsbc_b2bua_set_log_level(struct dsbc_b2bua *b, int level);

/** @return whether new calls are refused (draining or shutting down) */
bool dsbc_b2bua_draining(const struct dsbc_b2bua *b);

/**
 * The route of the call a Call-ID (either leg's) belongs to.
 *
 * @return its [route.N] index; -1 for a call to a registered user;
 *   -2 when no call has that Call-ID
 */
int dsbc_b2bua_callid_route(struct dsbc_b2bua *b, const char *call_id,
			    uint32_t len);

/**
 * The leg a flow receives from (the flows keyed on that leg's ports).
 *
 * @param cookie  the flow's, as given to ops->flow_add
 * @param route  out: the call's [route.N], -1 a registered user
 * @return the leg's Call-ID, valid until the next call into b; NULL when
 *   the call or the flow is gone
 */
const char *dsbc_b2bua_flow_leg(struct dsbc_b2bua *b, uint32_t flow_id,
				dsbc_b2bua_cookie_t cookie, int *route);

/**
 * Active calls by state and by media mode (a walk of the table).
 *
 * @param by_state  [DSBC_B2BUA_STATES], out, indexed as
 *   dsbc_b2bua_state_name()
 * @param by_mode  [DSBC_MODE_MAX], out
 */
void dsbc_b2bua_call_counts(const struct dsbc_b2bua *b, uint32_t *by_state,
			    uint32_t *by_mode);

/** Call states counted by dsbc_b2bua_call_counts(). */
#define DSBC_B2BUA_STATES 6

/** @return the name of state i ("offered", ...; 0 is "free") */
const char *dsbc_b2bua_state_name(unsigned int i);

/** A flow latched onto a source (RFC 7362). */
struct dsbc_b2bua_latch {
	uint32_t flow_id;
	dsbc_b2bua_cookie_t cookie;
	uint8_t family;
	uint16_t port;
	struct dsbc_addr src;
};
void dsbc_b2bua_flow_latched(struct dsbc_b2bua *b,
			     const struct dsbc_b2bua_latch *l, uint64_t now);

/** A flow saw no packet for flow_idle_ms: its call ends. */
void dsbc_b2bua_flow_idle(struct dsbc_b2bua *b, uint32_t flow_id,
			  dsbc_b2bua_cookie_t cookie, uint64_t now);

/** A flow's ICE peer stopped its consent checks (RFC 7675). */
void dsbc_b2bua_consent_lost(struct dsbc_b2bua *b, uint32_t flow_id,
			     dsbc_b2bua_cookie_t cookie, uint64_t now);

/** A worker refused a flow op (status < 0) or the host could not
 * deliver it: the call ends cleanly. */
void dsbc_b2bua_flow_failed(struct dsbc_b2bua *b, uint32_t flow_id,
			    dsbc_b2bua_cookie_t cookie, int status,
			    uint64_t now);

/**
 * A DTLS record (RFC 7983 class) that arrived on a terminated flow.
 *
 * @param from  where it came from: records are answered there
 */
void dsbc_b2bua_dtls_input(struct dsbc_b2bua *b, uint32_t flow_id,
			   dsbc_b2bua_cookie_t cookie,
			   const struct dsbc_sip_peer *from,
			   const uint8_t *rec, uint32_t len, uint64_t now);

/** The earliest time dsbc_b2bua_on_timeout() has work, UINT64_MAX none. */
uint64_t dsbc_b2bua_next_timeout(const struct dsbc_b2bua *b);

/** Fire what is due at now: retransmissions, timers, deadlines. */
void dsbc_b2bua_on_timeout(struct dsbc_b2bua *b, uint64_t now);

/** Counters (updated in place; any thread may read them). */
const struct dsbc_b2bua_stats *dsbc_b2bua_stats(const struct dsbc_b2bua *b);

/**
 * A certificate fetch ops->stir_fetch started has ended: the INVITEs
 * waiting for it are verified and go on (or are refused).
 *
 * @param b  the instance
 * @param url  the x5u, as given to ops->stir_fetch
 * @param body  what came (a PEM chain or a DER certificate); NULL: the
 *   fetch failed (unreachable, an HTTP error, too large)
 * @param len  its length
 * @param now  the time, in milliseconds
 */
void dsbc_b2bua_stir_fetched(struct dsbc_b2bua *b, const char *url,
			     const void *body, size_t len, uint64_t now);

struct dsbc_stir_cache_stats;

/**
 * The verification service's certificate cache counters.
 *
 * @return them, NULL when no route verifies
 */
const struct dsbc_stir_cache_stats *
dsbc_b2bua_stir_cache_stats(const struct dsbc_b2bua *b);

/** dsbc's DTLS certificate fingerprint (terminator mode), "" none. */
const char *dsbc_b2bua_fingerprint(const struct dsbc_b2bua *b);

/** Media (address, port pair)s not in use, over every port and worker. */
uint64_t dsbc_b2bua_ports_free(const struct dsbc_b2bua *b);

/**
 * The memory one call slot takes (max_calls of them are resident from
 * dsbc_b2bua_create() on).
 *
 * @return bytes per call
 */
size_t dsbc_b2bua_call_bytes(void);

/**
 * The memory one transaction takes, without the message it may keep to
 * resend (max_txns of them are resident).
 *
 * @return bytes per transaction
 */
size_t dsbc_b2bua_txn_bytes(void);

#endif /* DSBC_B2BUA_H */
