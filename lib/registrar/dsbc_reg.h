/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_REG_H
#define DSBC_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_sip_msg.h"

/**
 * @file
 * A registrar (RFC 3261 section 10.3) for clients behind NAT, sans-I/O.
 *
 * Each Address-of-Record keeps its bindings: the Contact, where the
 * REGISTER really came from (an opaque peer: address, port, transport,
 * connection), and the expiry.  Calls to the AoR go to that received
 * address, over that connection, which is what gets through the NAT.
 *
 * A client whose Contact is not where its request came from is behind a
 * NAT: its expiry is cut to nat_expires so it re-registers before the
 * pinhole closes, and a UDP one is sent OPTIONS every keepalive period;
 * after keepalive_misses unanswered ones its binding goes.
 */

/** Bytes of the caller's peer kept with each binding. */
#define DSBC_REG_PEER_MAX 112

/** Creation parameters (0: the default). */
struct dsbc_reg_cfg {
	uint32_t max_aors;         /**< default 4096 */
	uint32_t max_bindings;     /**< bindings in all, default 2 per AoR */
	uint32_t max_per_aor;      /**< default 5 */
	uint32_t min_expires_s;    /**< 423 below it, default 60 */
	uint32_t max_expires_s;    /**< cut to it, default 3600 */
	uint32_t default_expires_s;/**< no expiry asked, default 3600 */
	uint32_t nat_expires_s;    /**< NATed clients, default 90 */
	uint32_t keepalive_ms;     /**< OPTIONS to NATed UDP clients,
				    *   default 25 s; UINT32_MAX off */
	uint32_t keepalive_misses; /**< unanswered before dropping, default 3 */
	uint64_t hash_seed;
};

/** A binding as the caller sees it. */
struct dsbc_reg_binding {
	uint32_t handle;           /**< names it in dsbc_reg_pong() */
	char aor[128];
	char contact[256];         /**< the Contact URI, without < > */
	char call_id[128];
	uint32_t cseq;
	uint64_t expires_at;       /**< ms */
	uint64_t registered_at;    /**< ms */
	uint32_t conn;             /**< stream connection, 0 for UDP */
	bool nat;                  /**< Contact is not the source */
	bool outbound;             /**< RFC 5626: instance and reg-id given,
				    *   the flow is the only way in */
	bool flow_failed;          /**< outbound and its flow closed: 430
				    *   until the client registers again */
	uint32_t reg_id;
	char instance[80];         /**< +sip.instance, quotes removed */
	uint8_t misses;            /**< keepalives unanswered in a row */
	bool ping_out;             /**< a keepalive awaits its answer */
	uint64_t ping_at;          /**< next keepalive, ms; 0 none */
	_Alignas(8) uint8_t peer[DSBC_REG_PEER_MAX];
};

/** Where a REGISTER came from, as the caller saw it. */
struct dsbc_reg_source {
	const void *peer;          /**< copied into each binding it makes */
	size_t peer_len;           /**< at most DSBC_REG_PEER_MAX */
	uint32_t conn;             /**< stream connection, 0 UDP */
	bool nat;                  /**< Contact differs from the source */
	bool outbound_ok;          /**< Supported: outbound (RFC 5626) */
};

/** Outcome of a REGISTER. */
struct dsbc_reg_result {
	int status;                /**< 200, 400, 403, 423, 500, 503 */
	const char *reason;
	uint32_t min_expires;      /**< for 423 */
	bool outbound;             /**< a binding used RFC 5626 outbound:
				    *   the 200 says Require: outbound */
};

/** Counters. */
struct dsbc_reg_stats {
	uint64_t registers;        /**< REGISTERs processed */
	uint64_t added, refreshed, removed;
	uint64_t expired;          /**< bindings that timed out */
	uint64_t too_brief;        /**< 423 */
	uint64_t full;             /**< refused: AoR or table full */
	uint64_t out_of_order;     /**< same Call-ID, CSeq not higher */
	uint64_t bad;              /**< 400 */
	uint64_t pings;            /**< keepalive OPTIONS sent */
	uint64_t pongs;            /**< answered */
	uint64_t ping_dropped;     /**< bindings dropped for misses */
	uint64_t flow_dropped;     /**< bindings whose connection closed */
	uint64_t flow_failed;      /**< outbound ones kept for their 430 */
	uint32_t aors;             /**< now */
	uint32_t bindings;         /**< now */
};

struct dsbc_reg;

/**
 * Create a registrar with its tables.
 *
 * @param cfg  parameters, copied
 * @return it, or NULL when memory is short
 */
struct dsbc_reg *dsbc_reg_create(const struct dsbc_reg_cfg *cfg);

/**
 * Free a registrar.
 *
 * @param r  it, or NULL
 */
void dsbc_reg_free(struct dsbc_reg *r);

/**
 * Process a REGISTER whose AoR the caller has worked out (the To URI,
 * RFC 3261 10.3 step 5, canonical: "user@domain").  All or nothing: no
 * binding changes unless the answer is 200.
 *
 * @param r  the registrar
 * @param aor  the AoR
 * @param m  the REGISTER (Contact, Expires, Call-ID, CSeq are read)
 * @param src  where it came from
 * @param now  ms of a monotonic clock
 * @param res  out: the status to answer
 */
void dsbc_reg_register(struct dsbc_reg *r, const char *aor,
		       const struct dsbc_sip_msg *m,
		       const struct dsbc_reg_source *src, uint64_t now,
		       struct dsbc_reg_result *res);

/**
 * The Contact header lines of a 200 to a REGISTER: every binding of the
 * AoR with its remaining expiry (RFC 3261 10.3 step 8).
 *
 * @param r  the registrar
 * @param aor  the AoR
 * @param now  ms
 * @param out  where the lines go, each ending in CRLF
 * @param cap  its size
 * @return the length written, -1 when cap is too small
 */
int dsbc_reg_contacts(const struct dsbc_reg *r, const char *aor,
		      uint64_t now, char *out, size_t cap);

/**
 * The most recently registered live binding of an AoR.
 *
 * @param r  the registrar
 * @param aor  the AoR
 * @param now  ms
 * @return the binding, NULL when the AoR has none
 */
const struct dsbc_reg_binding *dsbc_reg_lookup(const struct dsbc_reg *r,
					       const char *aor, uint64_t now);

/** Called for each keepalive due: send OPTIONS to b. */
typedef void (*dsbc_reg_ping_fn)(void *ctx, const struct dsbc_reg_binding *b);

/**
 * Expire bindings, drop those that missed too many keepalives, and ask
 * for the keepalives due.  Cheap between its 1 s steps.
 *
 * @param r  the registrar
 * @param now  ms
 * @param ping  called per keepalive due, may be NULL
 * @param ctx  given to ping
 */
void dsbc_reg_tick(struct dsbc_reg *r, uint64_t now, dsbc_reg_ping_fn ping,
		   void *ctx);

/**
 * A keepalive was answered.
 *
 * @param r  the registrar
 * @param handle  the binding's handle, from the keepalive sent
 * @param peer  where the answer came from; it must match the binding's
 * @param peer_len  its length
 * @return 0, or -1 when no such binding (any more) or another source
 */
int dsbc_reg_pong(struct dsbc_reg *r, uint32_t handle, const void *peer,
		  size_t peer_len);

/**
 * A stream connection closed: its bindings can no longer be reached.
 * Outbound ones (RFC 5626) stay, marked flow_failed, so a request for
 * them gets 430 (section 5.3) until the client registers a new flow or
 * they expire; the others go.
 *
 * @param r  the registrar
 * @param conn  the connection
 * @return bindings removed
 */
unsigned int dsbc_reg_flow_gone(struct dsbc_reg *r, uint32_t conn);

/**
 * Walk every live binding (telemetry).
 *
 * @param r  the registrar
 * @param fn  called for each; non-zero stops the walk
 * @param ctx  given to fn
 */
void dsbc_reg_walk(const struct dsbc_reg *r,
		   int (*fn)(void *ctx, const struct dsbc_reg_binding *b),
		   void *ctx);

/**
 * Counters.
 *
 * @param r  the registrar
 * @return them
 */
const struct dsbc_reg_stats *dsbc_reg_stats(const struct dsbc_reg *r);

#endif /* DSBC_REG_H */
