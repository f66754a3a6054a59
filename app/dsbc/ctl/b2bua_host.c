/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/b2bua on the management lcore: the library's ops implemented with
 * the UDP transport, the flow allocators and the control rings, the
 * worker's DTLS records parsed out of their mbufs, and one log type
 * (dsbc.b2bua) for what the library says.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/rand.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "dsbc_known.h"
#include "dsbc_net.h"
#include "dsbc_passport.h"
#include "dsbc_srtp_lib.h"
#include "ctl/cdr.h"
#include "ctl/hep.h"
#include "ctl/mgmt.h"
#include "ctl/sip.h"
#include "ctl/sip_tcp.h"
#include "ctl/stir_fetch.h"
#include "log.h"

_Static_assert(DSBC_B2BUA_ICE_UFRAG_MAX == DSBC_ICE_UFRAG_MAX &&
	       DSBC_B2BUA_ICE_PWD_MAX == DSBC_ICE_PWD_MAX,
	       "the library's ICE bounds are the workers'");
_Static_assert((int)DSBC_B2BUA_KEYS_RX == DSBC_KEYS_RX &&
	       (int)DSBC_B2BUA_KEYS_TX == DSBC_KEYS_TX, "key directions");

static int
op_sip_send(void *ctx, const struct dsbc_sip_peer *to, const char *msg,
	    uint32_t len)
{
	dsbc_hep_tx(ctx, to, msg, len);
	if (to->transport != DSBC_SIP_UDP)
		return dsbc_sip_tcp_send(ctx, to, msg, len);
	return dsbc_sip_send(ctx, to, msg, len);
}

static int
op_flow_add(void *ctx, const struct dsbc_flow_cfg *fc,
	    dsbc_b2bua_cookie_t cookie, uint32_t *flow_id)
{
	return dsbc_mgmt_flow_add(ctx, fc, cookie, flow_id);
}

static int
op_flow_mod(void *ctx, uint32_t flow_id, const struct dsbc_flow_cfg *fc,
	    bool unlatch)
{
	return dsbc_mgmt_flow_mod(ctx, flow_id, fc, unlatch);
}

static int
op_flow_del(void *ctx, uint32_t flow_id)
{
	return dsbc_mgmt_flow_del(ctx, flow_id);
}

static int
op_flow_keys(void *ctx, uint32_t flow_id, enum dsbc_b2bua_keys_dir dir,
	     uint8_t suite, const uint8_t *key, uint8_t key_len,
	     const uint8_t *salt, uint8_t salt_len)
{
	return dsbc_mgmt_flow_keys(ctx, flow_id, (uint8_t)dir, suite, key,
				   key_len, salt, salt_len);
}

static int
op_ice_set(void *ctx, uint16_t worker, uint16_t *ice_id, const char *lu,
	   const char *ru, const char *pwd)
{
	return dsbc_mgmt_ice_set(ctx, worker, ice_id, lu, ru, pwd);
}

static void
op_ice_clear(void *ctx, uint16_t worker, uint16_t ice_id)
{
	dsbc_mgmt_ice_free(ctx, worker, ice_id);
}

static int
op_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

static int64_t
op_epoch_s(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

/* [stir] key: the authentication service's P-256 key, made ready for
 * ES256; NULL (and 0) when none is configured, -1 on error (logged). */
static int
stir_key_load(struct dsbc_app *app)
{
	const char *path = app->cfg.stir.key;
	EVP_PKEY *k;
	FILE *f;

	if (path[0] == '\0')
		return 0;
	f = fopen(path, "r");
	if (f == NULL) {
		DSBC_LOG(b2bua, ERR, "[stir] key: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	app->sip->stir_key = k != NULL ? dsbc_es256_new(k) : NULL;
	EVP_PKEY_free(k);
	if (app->sip->stir_key == NULL) {
		DSBC_LOG(b2bua, ERR, "[stir] key: %s: not a P-256 private key "
			"in PEM (ES256, RFC 8225)\n", path);
		return -1;
	}
	return 0;
}

/* [stir] ca_file: the STI trust anchors the verification service
 * checks x5u chains against (RFC 8226 4); NULL when none is set. */
static int
stir_trust_load(struct dsbc_app *app)
{
	const char *path = app->cfg.stir.ca_file;
	X509_STORE *st;

	if (path[0] == '\0')
		return 0;
	st = X509_STORE_new();
	if (st == NULL || X509_STORE_load_file(st, path) != 1) {
		DSBC_LOG(b2bua, ERR, "[stir] ca_file: %s: no certificate "
			"read (PEM)\n", path);
		X509_STORE_free(st);
		ERR_clear_error();
		return -1;
	}
	app->sip->stir_trust = st;
	return 0;
}

static void
op_log(void *ctx, enum dsbc_b2bua_log_level level, const char *line)
{
	(void)ctx;
	rte_log((uint32_t)level, dsbc_logtype_b2bua, "dsbc: %s\n", line);
}

/* Overload control: a peer's UDP messages get the trusted rings for
 * sip_trust_s (TCP and TLS go through the kernel, not the rings). */
static void
op_peer_trust(void *ctx, const struct dsbc_sip_peer *p)
{
	struct dsbc_app *app = ctx;

	if (p->transport == DSBC_SIP_UDP)
		dsbc_known_mark(app->known, &p->remote, p->family, app->now_s,
				app->now_s + app->cfg.sip_trust_s);
}

/* Next hops and single-address trunks are trusted from the start. */
void
dsbc_b2bua_host_trust_configured(struct dsbc_app *app)
{
	const struct dsbc_config *c = &app->cfg;
	uint16_t i;

	for (i = 0; i < c->nb_routes; i++)
		dsbc_known_mark(app->known, &c->routes[i].addr,
				c->routes[i].family, app->now_s,
				app->now_s + DSBC_KNOWN_FOREVER);
	for (i = 0; i < c->nb_trunks; i++) {
		const struct dsbc_trunk_cfg *t = &c->trunks[i];

		if (t->addr.set && t->addr.prefix == (t->family == 6 ? 128 : 32))
			dsbc_known_mark(app->known, &t->addr.addr, t->family,
					app->now_s,
					app->now_s + DSBC_KNOWN_FOREVER);
	}
}

void
dsbc_sip_deliver(struct dsbc_app *app, const struct dsbc_sip_peer *from,
		 const char *msg, uint32_t len)
{
	dsbc_hep_rx_begin(app, from, msg, len);
	dsbc_b2bua_sip_input(app->sip->b2b, from, msg, len,
			     dsbc_sip_now_ms(app));
	dsbc_hep_rx_end(app);
}

static void
op_call_ended(void *ctx, const struct dsbc_b2bua_cdr *r)
{
	dsbc_cdr_call_ended(ctx, r);
}

int
dsbc_b2bua_host_init(struct dsbc_app *app)
{
	static const struct dsbc_b2bua_ops ops = {
		.sip_send = op_sip_send,
		.flow_add = op_flow_add,
		.flow_mod = op_flow_mod,
		.flow_del = op_flow_del,
		.flow_keys = op_flow_keys,
		.ice_set = op_ice_set,
		.ice_clear = op_ice_clear,
		.random = op_random,
		.epoch_s = op_epoch_s,
		.stir_fetch = dsbc_stir_fetch_start,
		.peer_trust = op_peer_trust,
		.call_ended = op_call_ended,
		.log = op_log,
	};
	struct dsbc_b2bua_cfg bc;
	char err[256];
	uint16_t w;

	memset(&bc, 0, sizeof(bc));
	bc.cfg = &app->cfg;
	bc.nb_workers = app->nb_workers;
	for (w = 0; w < app->nb_workers; w++)
		dsbc_slices_range(&app->slices, w, &bc.slice[w].first,
				  &bc.slice[w].last);
	bc.max_calls = app->cfg.max_calls;
	bc.max_txns = app->cfg.max_transactions;
	bc.log_level = rte_log_get_level(dsbc_logtype_b2bua);
	bc.server = "dsbc/" DSBC_VERSION;
	if (dsbc_srtp_lib_init() != 0) {
		DSBC_LOG(b2bua, ERR, "libsrtp2 initialisation failed\n");
		return -EINVAL;
	}
	if (stir_key_load(app) != 0 || stir_trust_load(app) != 0 ||
	    dsbc_stir_fetch_init(app) != 0)
		return -EINVAL;
	bc.stir_key = app->sip->stir_key;
	bc.stir_trust = app->sip->stir_trust;
	app->sip->b2b = dsbc_b2bua_create(&bc, &ops, app, err, sizeof(err));
	if (app->sip->b2b == NULL) {
		DSBC_LOG(b2bua, ERR, "%s\n", err);
		return -EINVAL;
	}
	dsbc_b2bua_host_trust_configured(app);
	return 0;
}

void
dsbc_b2bua_host_fini(struct dsbc_app *app)
{
	if (app->sip == NULL)
		return;
	dsbc_stir_fetch_fini(app);
	dsbc_b2bua_free(app->sip->b2b);
	app->sip->b2b = NULL;
	X509_STORE_free(app->sip->stir_trust);
	app->sip->stir_trust = NULL;
	dsbc_es256_free(app->sip->stir_key);
	app->sip->stir_key = NULL;
}

/* A DTLS record a worker punted (flow id in hash.usr): where it came
 * from, for the answer, and its payload; or a copy of RTCP for HEP. */
void
dsbc_b2bua_host_dtls(struct dsbc_app *app, struct rte_mbuf *m)
{
	unsigned int w = dsbc_flow_id_worker(m->hash.usr);
	uint32_t slot = dsbc_flow_id_slot(m->hash.usr);
	const struct rte_ether_hdr *eh;
	struct dsbc_sip_peer from;
	struct dsbc_pkt_info pi;
	int port = dsbc_port_of_id(app, m->port);
	uint64_t cookie = 0;

	if (w < app->nb_workers && slot < app->slots[w].capacity &&
	    app->slots[w].state[slot] != DSBC_SLOT_FREE)
		cookie = app->slots[w].cookie[slot];
	if (cookie == 0 || port < 0 || m->nb_segs != 1 ||
	    dsbc_net_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
			   &pi) != DSBC_PKT_UDP) {
		app->mst.dtls_unparsed++;
		rte_pktmbuf_free(m);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	/* RFC 7983: 128..191 is RTP/RTCP, a worker's copy for HEP */
	if (pi.payload_len > 0 &&
	    *rte_pktmbuf_mtod_offset(m, const uint8_t *, pi.payload_off) >=
	    128) {
		dsbc_hep_rtcp(app, m->hash.usr, cookie, &pi,
			      rte_pktmbuf_mtod_offset(m, const uint8_t *,
						      pi.payload_off));
		rte_pktmbuf_free(m);
		return;
	}
	memset(&from, 0, sizeof(from));
	from.in = (uint16_t)port;
	from.family = pi.family;
	from.local = pi.dst;
	from.local_port = pi.dst_port;
	from.remote = pi.src;
	from.remote_port = pi.src_port;
	memcpy(from.remote_mac.bytes, eh->src_addr.addr_bytes,
	       RTE_ETHER_ADDR_LEN);
	dsbc_b2bua_dtls_input(app->sip->b2b, m->hash.usr, cookie, &from,
			      rte_pktmbuf_mtod_offset(m, const uint8_t *,
						      pi.payload_off),
			      pi.payload_len, dsbc_sip_now_ms(app));
	rte_pktmbuf_free(m);
}
