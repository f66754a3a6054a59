/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An instance: its tables, the transaction layer it owns, and what every
 * file of the library draws on (random bytes, log lines, sending).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b2bua_internal.h"
#include "dsbc_sip_txn.h"

/* ---- what the transaction layer asks of its user ---- */

static void
txn_send(void *ctx, const void *dest, const char *msg, uint32_t len)
{
	b2bua_send(ctx, dest, msg, len);
}

static void
txn_timeout(void *ctx, struct dsbc_sip_txn *t)
{
	struct dsbc_b2bua *b = ctx;

	b->st.txn_timeouts++;
	b2bua_txn_timeout(b, t);
}

static void
txn_terminated(void *ctx, struct dsbc_sip_txn *t)
{
	b2bua_txn_gone(ctx, t);
}

static bool
txn_reliable(void *ctx, const void *dest)
{
	(void)ctx;
	return ((const struct dsbc_sip_peer *)dest)->transport != DSBC_SIP_UDP;
}

_Static_assert(sizeof(struct dsbc_sip_peer) <= DSBC_SIP_TXN_DEST_MAX,
	       "a transaction stores where its messages go");

/* ---- services for the library's files ---- */

int
b2bua_send(struct dsbc_b2bua *b, const struct dsbc_sip_peer *to,
	   const char *msg, uint32_t len)
{
	int rc = b->ops.sip_send(b->ctx, to, msg, len);

	/* a request (not a response, not a DTLS record): by its method */
	if (len > 8 && msg[0] >= 'A' && msg[0] <= 'Z' &&
	    memcmp(msg, "SIP/2.0 ", 8) != 0) {
		const char *sp = memchr(msg, ' ', len < 24 ? len : 24);

		b->st.tx_req[sp == NULL ? 0 :
			     dsbc_sip_method_lookup(msg, (uint32_t)(sp - msg))]++;
	}
	if (rc != 0)
		b->st.send_fail++;
	return rc;
}

void
b2bua_log(struct dsbc_b2bua *b, enum dsbc_b2bua_log_level level,
	  const char *fmt, ...)
{
	va_list ap;

	if (b->ops.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(b->line, sizeof(b->line), fmt, ap);
	va_end(ap);
	b->ops.log(b->ctx, level, b->line);
}

int
b2bua_random(struct dsbc_b2bua *b, void *out, size_t len)
{
	uint8_t *o = out;

	while (len > 0) {
		size_t n;

		if (b->rnd_left == 0) {
			if (b->ops.random(b->ctx, b->rnd, sizeof(b->rnd)) != 0)
				return -EIO;
			b->rnd_left = sizeof(b->rnd);
		}
		n = len < b->rnd_left ? len : b->rnd_left;
		memcpy(o, b->rnd + sizeof(b->rnd) - b->rnd_left, n);
		/* a byte given out is never given again */
		memset(b->rnd + sizeof(b->rnd) - b->rnd_left, 0, n);
		b->rnd_left -= (uint32_t)n;
		o += n;
		len -= n;
	}
	return 0;
}

int
b2bua_token(struct dsbc_b2bua *b, char *dst, size_t cap, const char *prefix,
	    unsigned int nbytes)
{
	static const char hex[] = "0123456789abcdef";
	size_t pl = strlen(prefix);
	uint8_t r[32];
	unsigned int i;

	if (nbytes > sizeof(r) || pl + 2 * nbytes + 1 > cap ||
	    b2bua_random(b, r, nbytes) != 0) {
		if (cap > 0)
			dst[0] = '\0';
		return -EIO;
	}
	memcpy(dst, prefix, pl);
	for (i = 0; i < nbytes; i++) {
		dst[pl + 2 * i] = hex[r[i] >> 4];
		dst[pl + 2 * i + 1] = hex[r[i] & 15];
	}
	dst[pl + 2 * nbytes] = '\0';
	return 0;
}

/* ---- an instance ---- */

/* Make a zeroed allocation resident, page by page (a plain memset of
 * zero after calloc is one the compiler may drop). */
static void
prefault(void *p, size_t n)
{
	volatile uint8_t *c = p;
	size_t i;

	for (i = 0; p != NULL && i < n; i += 4096)
		c[i] = 0;
}

static void
err_set(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

struct dsbc_b2bua *
dsbc_b2bua_create(const struct dsbc_b2bua_cfg *cfg,
		  const struct dsbc_b2bua_ops *ops, void *ctx, char *err,
		  size_t errlen)
{
	const struct dsbc_sip_txl_ops tops = {
		txn_send, txn_timeout, txn_terminated, txn_reliable,
	};
	struct dsbc_sip_txl_cfg tcfg = { .max_txns = cfg->max_txns };
	struct dsbc_b2bua *b;
	uint32_t i, buckets;

	if (cfg->cfg == NULL || cfg->max_calls == 0 || cfg->max_txns == 0 ||
	    cfg->max_calls > (1u << 30) / 2 || cfg->nb_workers == 0 ||
	    cfg->nb_workers > DSBC_CFG_MAX_WORKERS || ops->sip_send == NULL ||
	    ops->flow_add == NULL || ops->flow_mod == NULL ||
	    ops->flow_del == NULL || ops->flow_keys == NULL ||
	    ops->ice_set == NULL || ops->ice_clear == NULL ||
	    ops->random == NULL) {
		err_set(err, errlen, "b2bua: a size is zero or too large, or "
			"an op is missing");
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		err_set(err, errlen, "b2bua: out of memory");
		return NULL;
	}
	b->bc = *cfg;
	if (b->bc.server == NULL)
		b->bc.server = "dsbc";
	b->cfg = cfg->cfg;
	b->ops = *ops;
	b->ctx = ctx;
	b->nb_workers = cfg->nb_workers;
	b->max_calls = cfg->max_calls;
	b->next_call_at = UINT64_MAX;
	/* the Call-ID index: a power of two, at least two entries (A and
	 * B leg) per bucket on average */
	for (buckets = 64; buckets < 2 * cfg->max_calls; buckets <<= 1)
		;
	b->cid_mask = buckets - 1;
	/* RFC 3261 17.1.1.1: T1, the RTT estimate, 500 ms unless the
	 * operator knows the network's better */
	tcfg.t1_ms = cfg->cfg->sip_t1_ms;
	if (ops->random(ctx, &tcfg.hash_seed, sizeof(tcfg.hash_seed)) != 0 ||
	    ops->random(ctx, &b->cid_seed, sizeof(b->cid_seed)) != 0) {
		err_set(err, errlen, "b2bua: no random bytes");
		free(b);
		return NULL;
	}
	b->calls = calloc(cfg->max_calls, sizeof(*b->calls));
	b->cid_head = calloc(buckets, sizeof(*b->cid_head));
	/* touched now, not call by call: the memory the configured sizes
	 * take is resident from the start, and stays flat under load */
	prefault(b->calls, (size_t)cfg->max_calls * sizeof(*b->calls));
	prefault(b->cid_head, (size_t)buckets * sizeof(*b->cid_head));
	b->txl = dsbc_sip_txl_create(&tcfg, &tops, b);
	if (b->calls == NULL || b->cid_head == NULL || b->txl == NULL ||
	    b2bua_ports_init(b) != 0) {
		err_set(err, errlen, "b2bua: out of memory for its tables");
		dsbc_b2bua_free(b);
		return NULL;
	}
	for (i = cfg->max_calls; i > 0; i--) {
		b->calls[i - 1].free_next = b->free_head;
		b->free_head = i;
	}
	if (b2bua_term_init(b, b->line, sizeof(b->line)) != 0 ||
	    b2bua_reg_init(b, b->line, sizeof(b->line)) != 0 ||
	    b2bua_stir_init(b, b->line, sizeof(b->line)) != 0) {
		err_set(err, errlen, b->line);
		dsbc_b2bua_free(b);
		return NULL;
	}
	return b;
}

void
dsbc_b2bua_free(struct dsbc_b2bua *b)
{
	uint32_t i;

	if (b == NULL)
		return;
	for (i = 0; b->calls != NULL && i < b->max_calls; i++) {
		struct call *c = &b->calls[i];

		b2bua_call_bufs_free(c);
		b2bua_term_release(b, c);
	}
	b2bua_term_fini(b);
	b2bua_reg_fini(b);
	b2bua_stir_fini(b);
	dsbc_sip_txl_free(b->txl);
	b2bua_ports_fini(b);
	free(b->cid_head);
	free(b->calls);
	free(b);
}

uint64_t
dsbc_b2bua_next_timeout(const struct dsbc_b2bua *b)
{
	uint64_t c = b2bua_calls_next(b), t = dsbc_sip_txl_next(b->txl);

	if (t != 0 && t < c)
		c = t;
	if (b->reg != NULL && b->reg_next < c)
		c = b->reg_next;
	if (b->park_next != 0 && b->park_next < c)
		c = b->park_next;
	return c;
}

void
dsbc_b2bua_on_timeout(struct dsbc_b2bua *b, uint64_t now)
{
	uint64_t t = dsbc_sip_txl_next(b->txl);

	b->now = now;
	if (t != 0 && now >= t)
		dsbc_sip_txl_tick(b->txl, now);
	if (now >= b2bua_calls_next(b))
		b2bua_calls_tick(b, now);
	b2bua_stir_tick(b, now);
	if (b->reg != NULL && now >= b->reg_next) {
		b2bua_reg_tick(b, now);
		b->reg_next = now + 1000;
	}
	b->st.txns = dsbc_sip_txl_count(b->txl);
}

const struct dsbc_b2bua_stats *
dsbc_b2bua_stats(const struct dsbc_b2bua *b)
{
	return &b->st;
}

const char *
dsbc_b2bua_fingerprint(const struct dsbc_b2bua *b)
{
	return b->dtls_ctx != NULL ? dsbc_dtls_ctx_fingerprint(b->dtls_ctx) : "";
}

/* the stream that failed, as the transport keys it (RFC 5923 4):
 * address, port, transport and, on TLS, the route's name */
struct stream_key {
	const struct dsbc_config *cfg;
	const struct dsbc_sip_peer *to;
};

static bool
same_stream(void *ctx, const void *dest)
{
	const struct stream_key *k = ctx;
	const struct dsbc_sip_peer *to = k->to, *d = dest;

	return d->transport == to->transport && d->family == to->family &&
	       d->remote_port == to->remote_port &&
	       dsbc_addr_eq(&d->remote, &to->remote) &&
	       (to->transport != DSBC_SIP_TLS ||
		strcmp(dsbc_config_route_tls_name(k->cfg, d->route),
		       dsbc_config_route_tls_name(k->cfg, to->route)) == 0);
}

unsigned int
dsbc_b2bua_transport_failed(struct dsbc_b2bua *b,
			    const struct dsbc_sip_peer *to, uint64_t now)
{
	struct stream_key k = { b->cfg, to };
	unsigned int n;

	b->now = now;
	b->transport_failing = true;
	n = dsbc_sip_txl_fail_dest(b->txl, same_stream, &k);
	b->transport_failing = false;
	b->st.transport_errors += n;
	b->st.txns = dsbc_sip_txl_count(b->txl);
	return n;
}

void
dsbc_b2bua_conn_closed(struct dsbc_b2bua *b, uint32_t conn)
{
	b2bua_reg_conn_closed(b, conn);
}

size_t
dsbc_b2bua_call_bytes(void)
{
	return sizeof(struct call);
}

size_t
dsbc_b2bua_txn_bytes(void)
{
	return sizeof(struct dsbc_sip_txn);
}

static const char *const end_names[] = {
#define DSBC_B2BUA_END_NAME(e, name, help) name,
	DSBC_B2BUA_END_REASONS(DSBC_B2BUA_END_NAME)
#undef DSBC_B2BUA_END_NAME
};

const char *
dsbc_b2bua_end_name(enum dsbc_b2bua_end r)
{
	return (unsigned int)r < DIM(end_names) ? end_names[r] : "unknown";
}

void
dsbc_b2bua_drain(struct dsbc_b2bua *b, bool on)
{
	b->draining = on;
}

bool
dsbc_b2bua_draining(const struct dsbc_b2bua *b)
{
	return b->draining;
}

void
dsbc_b2bua_set_log_level(struct dsbc_b2bua *b, int level)
{
	b->bc.log_level = level;
}

const char *
dsbc_sip_transport_name(enum dsbc_sip_transport t)
{
	static const char *const names[] = {
		[DSBC_SIP_UDP] = "udp", [DSBC_SIP_TCP] = "tcp",
		[DSBC_SIP_TLS] = "tls", [DSBC_SIP_WS] = "ws",
		[DSBC_SIP_WSS] = "wss",
	};

	return (unsigned int)t < DIM(names) ? names[t] : "unknown";
}
