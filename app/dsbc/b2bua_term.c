/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Terminator mode on the management lcore (RFC 7879 section 3.2.2): dsbc
 * ends DTLS-SRTP on each leg with its own certificate (RFC 5763, RFC
 * 5764), checks each peer's certificate against the fingerprint of that
 * leg's SDP, and hands the exported keys to the worker owning the call's
 * flows (FLOW_KEYS).  The workers decrypt with one leg's keys and encrypt
 * with the other's (worker_term.c).  This breaks end-to-end security by
 * design: it runs only where the configuration asks for it, and every
 * such call says so in the log and in /dsbc/calls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "b2bua.h"
#include "dsbc_net.h"
#include "dsbc_srtp_lib.h"

#define DTLS_BUF 4096
#define DTLS_DGRAM_MAX 1200          /* records packed per datagram */

/* ---- certificate ---- */

int
b2bua_term_init(struct dsbc_app *app)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	const char *cert = app->cfg.dtls_cert, *key = app->cfg.dtls_key;
	bool have = cert[0] != '\0' && access(cert, R_OK) == 0 &&
		    key[0] != '\0' && access(key, R_OK) == 0;
	char err[256];

	if ((cert[0] == '\0') != (key[0] == '\0')) {
		fprintf(stderr, "dsbc: dtls_cert and dtls_key go together\n");
		return -EINVAL;
	}
	b->dtls_ctx = dsbc_dtls_ctx_create(have ? cert : NULL,
					   have ? key : NULL, NULL, err,
					   sizeof(err));
	if (b->dtls_ctx == NULL) {
		fprintf(stderr, "dsbc: DTLS certificate: %s\n", err);
		return -EINVAL;
	}
	/* Seed 000's mitigation: a fingerprint clients can pin survives
	 * restarts, so a generated certificate is kept where configured. */
	if (!have && cert[0] != '\0' &&
	    dsbc_dtls_ctx_save(b->dtls_ctx, cert, key) != 0) {
		fprintf(stderr, "dsbc: cannot write %s / %s\n", cert, key);
		return -EIO;
	}
	if (dsbc_srtp_lib_init() != 0) {
		fprintf(stderr, "dsbc: libsrtp2 initialisation failed\n");
		return -EINVAL;
	}
	return 0;
}

void
b2bua_term_fini(struct dsbc_app *app)
{
	if (app->sip == NULL || app->sip->b2b == NULL)
		return;
	dsbc_dtls_ctx_free(app->sip->b2b->dtls_ctx);
	app->sip->b2b->dtls_ctx = NULL;
}

/* ---- SDP ---- */

/* a=fingerprint and a=setup of the first m-line, else the session's. */
static void
sdp_dtls(const struct dsbc_sdp *s, struct dsbc_sdp_str *fp,
	 struct dsbc_sdp_str *setup)
{
	const struct dsbc_sdp_media *m = s->nb_media ? &s->media[0] : NULL;

	*fp = m != NULL && m->fingerprint.len ? m->fingerprint : s->fingerprint;
	*setup = m != NULL && m->setup.len ? m->setup : s->setup;
}

static bool
str_is(struct dsbc_sdp_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && strncasecmp(s.p, lit, n) == 0;
}

static int
peer_fp_copy(struct leg *l, struct dsbc_sdp_str fp)
{
	if (fp.len == 0 || fp.len >= sizeof(l->peer_fp))
		return -1;
	memcpy(l->peer_fp, fp.p, fp.len);
	l->peer_fp[fp.len] = '\0';
	return 0;
}

int
b2bua_term_offer(struct dsbc_app *app, struct call *c,
		 const struct dsbc_sdp *offer, uint8_t mode)
{
	struct dsbc_sdp_str fp, setup;

	c->mode = mode;
	if (mode != DSBC_MODE_TERMINATE)
		return 0;
	sdp_dtls(offer, &fp, &setup);
	if (fp.len != 0) {
		if (peer_fp_copy(&c->a, fp) != 0)
			return -EINVAL;
		c->a.keying = DSBC_KEYING_DTLS;
		/* RFC 4145 section 4 / RFC 5763 section 5: dsbc answers
		 * A's role with the other one; actpass lets policy choose */
		if (str_is(setup, "active"))
			c->a.dtls_role = DSBC_DTLS_SERVER;
		else if (str_is(setup, "passive"))
			c->a.dtls_role = DSBC_DTLS_CLIENT;
		else
			c->a.dtls_role = app->cfg.dtls_setup ?
					 DSBC_DTLS_SERVER : DSBC_DTLS_CLIENT;
		c->a.dtls_role_known = true;
	} else if (offer->nb_media && offer->media[0].nb_crypto) {
		return -ENOTSUP;        /* SDES: not yet */
	} else {
		c->a.keying = DSBC_KEYING_NONE;
	}
	/* B gets the same kind of security from dsbc, keyed by dsbc */
	c->b.keying = c->a.keying;
	app->sip->b2b->terminated++;
	RTE_LOG(NOTICE, USER1, "call %u: media terminated by dsbc (%s on "
		"both legs): end-to-end security ends at dsbc\n", c->id,
		c->a.keying == DSBC_KEYING_DTLS ? "DTLS-SRTP" : "plain RTP");
	return 0;
}

void
b2bua_term_plan(const struct dsbc_app *app, const struct call *c,
		const struct leg *l, const char **fingerprint,
		const char **setup)
{
	*fingerprint = NULL;
	*setup = NULL;
	if (c->mode != DSBC_MODE_TERMINATE || l->keying != DSBC_KEYING_DTLS)
		return;
	*fingerprint = dsbc_dtls_ctx_fingerprint(app->sip->b2b->dtls_ctx);
	/* an offer before the role is settled is actpass (RFC 5763 5) */
	if (!l->dtls_role_known)
		*setup = "actpass";
	else
		*setup = l->dtls_role == DSBC_DTLS_CLIENT ? "active" : "passive";
}

/* ---- records out ---- */

/* Where l's records go: the source of its last record, else the
 * latched source, else what its SDP signalled. */
static int
dtls_dest(struct dsbc_app *app, struct leg *l, unsigned int i,
	  struct dsbc_sip_peer *to)
{
	struct leg_media *lm = &l->m[i];
	uint16_t port;

	if (lm->dtls_peer_known) {
		*to = lm->dtls_peer;
		return 0;
	}
	memset(to, 0, sizeof(*to));
	to->local = l->addr;
	to->local_port = lm->local_port;
	if (lm->latched[0]) {
		to->family = lm->latched_family[0];
		to->remote = lm->latched_src[0];
		to->remote_port = lm->latched_port[0];
	} else {
		to->family = lm->family;
		to->remote = lm->remote;
		to->remote_port = lm->remote_port;
	}
	to->resolve = true;
	if (dsbc_config_route_out(&app->cfg, to->family, &to->remote, &port,
				  &to->l2_next) != 0)
		return -EHOSTUNREACH;
	to->in = port;
	return 0;
}

/* Send what the session has pending, records packed into datagrams of
 * at most DTLS_DGRAM_MAX bytes (RFC 6347 4.1.1: never split a record). */
static void
dtls_flush(struct dsbc_app *app, struct leg *l, unsigned int i)
{
	struct leg_media *lm = &l->m[i];
	uint8_t buf[DTLS_BUF];
	struct dsbc_sip_peer to;
	size_t n, off, start;

	n = dsbc_dtls_output(lm->dtls, buf, sizeof(buf));
	if (n == 0 || dtls_dest(app, l, i, &to) != 0)
		return;
	for (start = off = 0; off + 13 <= n;) {
		size_t rec = 13 + (size_t)((buf[off + 11] << 8) | buf[off + 12]);

		if (off + rec > n)
			break;
		if (off > start && off + rec - start > DTLS_DGRAM_MAX) {
			if (dsbc_sip_send(app, &to, (const char *)buf + start,
					  (uint32_t)(off - start)) == 0)
				lm->dtls_tx++;
			start = off;
		}
		off += rec;
	}
	if (off > start && dsbc_sip_send(app, &to, (const char *)buf + start,
					 (uint32_t)(off - start)) == 0)
		lm->dtls_tx++;
}

/* ---- keys to the workers ---- */

static void
keys_send(struct dsbc_app *app, uint32_t flow_id, uint8_t dir,
	  const struct dsbc_srtp_keys *k, bool local)
{
	/* enum dsbc_srtp_profile and enum dsbc_srtp_suite list the same
	 * suites in the same order (80, 32, GCM) */
	if (dsbc_mgmt_flow_keys(app, flow_id, dir, k->profile,
				local ? k->local_key : k->remote_key,
				k->key_len,
				local ? k->local_salt : k->remote_salt,
				k->salt_len) == 0)
		app->sip->b2b->keys_sent++;
}

/* The flows keyed on `in` (m-line i) from index first: unprotect with
 * in's peer's keys (dirs & TERM_KEYS_RX), protect with dsbc's keys on
 * `out` (dirs & TERM_KEYS_TX), each once known.  Keys are sent once per
 * flow and direction: a new session would restart its replay list. */
void
b2bua_term_flow_keys(struct dsbc_app *app, struct call *c, struct leg *in,
		     struct leg *out, unsigned int i, unsigned int first,
		     unsigned int dirs)
{
	struct leg_media *mi = &in->m[i], *mo = &out->m[i];
	unsigned int k;

	if (c->mode != DSBC_MODE_TERMINATE)
		return;
	for (k = first; k < mi->nb_flows; k++) {
		if ((dirs & TERM_KEYS_RX) && in->keying != DSBC_KEYING_NONE &&
		    mi->keys_known)
			keys_send(app, mi->flow[k], DSBC_KEYS_RX, &mi->keys,
				  false);
		if ((dirs & TERM_KEYS_TX) && out->keying != DSBC_KEYING_NONE &&
		    mo->keys_known)
			keys_send(app, mi->flow[k], DSBC_KEYS_TX, &mo->keys,
				  true);
	}
}

/* ---- sessions ---- */

int
b2bua_term_answer(struct dsbc_app *app, struct call *c, struct leg *l,
		  const struct dsbc_sdp *answer)
{
	struct dsbc_sdp_str fp, setup;

	if (c->mode != DSBC_MODE_TERMINATE || l->keying != DSBC_KEYING_DTLS ||
	    l->dtls_role_known)
		return 0;
	sdp_dtls(answer, &fp, &setup);
	if (peer_fp_copy(l, fp) != 0)
		return -EINVAL;
	/* dsbc offered actpass: the answerer chose (RFC 5763 section 5) */
	if (str_is(setup, "active"))
		l->dtls_role = DSBC_DTLS_SERVER;
	else if (str_is(setup, "passive"))
		l->dtls_role = DSBC_DTLS_CLIENT;
	else
		return -EINVAL;
	l->dtls_role_known = true;
	return b2bua_term_start(app, c, l);
}

int
b2bua_term_start(struct dsbc_app *app, struct call *c, struct leg *l)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	unsigned int i;

	if (c->mode != DSBC_MODE_TERMINATE || l->keying != DSBC_KEYING_DTLS ||
	    !l->dtls_role_known)
		return 0;
	if (c->dtls_deadline == 0)
		c->dtls_deadline = dsbc_sip_now_ms(app) + app->cfg.dtls_timeout_ms;
	for (i = 0; i < c->nb_media; i++) {
		struct leg_media *lm = &l->m[i];

		if (!c->media_ok[i] || lm->dtls != NULL)
			continue;
		lm->dtls = dsbc_dtls_new(b->dtls_ctx,
					 (enum dsbc_dtls_role)l->dtls_role,
					 l->peer_fp);
		if (lm->dtls == NULL)
			return -ENOMEM;
		lm->dtls_state = DSBC_DTLS_HANDSHAKING;
		if (l->dtls_role == DSBC_DTLS_CLIENT) {
			if (dsbc_dtls_start(lm->dtls) != 0)
				return -EPROTO;
			dtls_flush(app, l, i);
			lm->dtls_timer_ms = dsbc_sip_now_ms(app) + 1000;
		}
	}
	return 0;
}

static const char *
leg_name(const struct call *c, const struct leg *l)
{
	return l == &c->a ? "A" : "B";
}

/* The session moved: keys out when done, the call ended when failed. */
static void
dtls_progress(struct dsbc_app *app, struct call *c, struct leg *l,
	      unsigned int i, enum dsbc_dtls_state st)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	struct leg_media *lm = &l->m[i];
	struct leg *o = l == &c->a ? &c->b : &c->a;

	if (st == DSBC_DTLS_FAILED && lm->keys_known) {
		/* close_notify after the keys: the peer is done with DTLS
		 * (leaving, usually); the call ends by its signalling or
		 * media inactivity, the keys stay until then */
		if (!lm->dtls_closed) {
			lm->dtls_closed = true;
			b->dtls_closed++;
			RTE_LOG(INFO, USER1, "call %u: %s leg: %s\n", c->id,
				leg_name(c, l), dsbc_dtls_error(lm->dtls));
		}
		return;
	}
	lm->dtls_state = (uint8_t)st;
	if (st == DSBC_DTLS_FAILED) {
		b->dtls_failed++;
		RTE_LOG(WARNING, USER1, "call %u: %s leg: DTLS failed: %s\n",
			c->id, leg_name(c, l), dsbc_dtls_error(lm->dtls));
		b2bua_call_abort(app, c, "DTLS handshake failed");
		return;
	}
	if (st != DSBC_DTLS_DONE || lm->keys_known)
		return;
	if (dsbc_dtls_keys(lm->dtls, &lm->keys) != 0)
		return;
	lm->keys_known = true;
	lm->dtls_timer_ms = 0;
	b->dtls_done++;
	RTE_LOG(INFO, USER1, "call %u: %s leg: DTLS done, %s\n", c->id,
		leg_name(c, l), dsbc_srtp_profile_name(
			(enum dsbc_srtp_profile)lm->keys.profile));
	/* flows from l's peer decrypt with its keys; flows towards it
	 * encrypt with dsbc's */
	b2bua_term_flow_keys(app, c, l, o, i, 0, TERM_KEYS_RX);
	b2bua_term_flow_keys(app, c, o, l, i, 0, TERM_KEYS_TX);
}

/* A DTLS record a worker punted (flow id in hash.usr). */
void
dsbc_b2bua_dtls_input(struct dsbc_app *app, struct rte_mbuf *m)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	const struct rte_ether_hdr *eh;
	struct dsbc_pkt_info pi;
	struct leg *in, *out;
	struct leg_media *lm;
	struct call *c;
	unsigned int i, k;
	int port;

	c = b2bua_call_of_flow(app, m->hash.usr);
	if (c == NULL || m->nb_segs != 1 ||
	    !b2bua_flow_where(c, m->hash.usr, &in, &out, &i, &k) ||
	    dsbc_net_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
			   &pi) != DSBC_PKT_UDP) {
		b->dtls_no_session++;
		rte_pktmbuf_free(m);
		return;
	}
	lm = &in->m[i];
	port = dsbc_port_of_id(app, m->port);
	if (lm->dtls == NULL || port < 0) {
		/* not started yet (answer pending): the peer retransmits */
		b->dtls_no_session++;
		rte_pktmbuf_free(m);
		return;
	}
	/* answer where it came from (the flow accepted the source) */
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	memset(&lm->dtls_peer, 0, sizeof(lm->dtls_peer));
	lm->dtls_peer.in = (uint16_t)port;
	lm->dtls_peer.family = pi.family;
	lm->dtls_peer.local = pi.dst;
	lm->dtls_peer.local_port = pi.dst_port;
	lm->dtls_peer.remote = pi.src;
	lm->dtls_peer.remote_port = pi.src_port;
	lm->dtls_peer.remote_mac = eh->src_addr;
	lm->dtls_peer_known = true;
	lm->dtls_rx++;
	dtls_progress(app, c, in, i, dsbc_dtls_input(lm->dtls,
		rte_pktmbuf_mtod_offset(m, const uint8_t *, pi.payload_off),
		pi.payload_len));
	rte_pktmbuf_free(m);
	if (c->state != CALL_FREE && lm->dtls != NULL) {
		uint64_t next = 0;

		dtls_flush(app, in, i);
		dsbc_dtls_tick(lm->dtls, &next);
		lm->dtls_timer_ms = next ? dsbc_sip_now_ms(app) + next : 0;
	}
}

/* Retransmissions (RFC 6347 4.2.4) and the handshake deadline. */
void
b2bua_term_tick(struct dsbc_app *app, struct call *c, uint64_t now)
{
	struct leg *legs[2] = { &c->a, &c->b };
	bool pending = false;
	unsigned int i, k;

	if (c->mode != DSBC_MODE_TERMINATE)
		return;
	if (c->term_failed && c->state == CALL_CONFIRMED) {
		b2bua_call_abort(app, c, "DTLS handshake failed");
		return;
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < c->nb_media; i++) {
			struct leg_media *lm = &legs[k]->m[i];
			uint64_t next = 0;

			if (lm->dtls == NULL || lm->keys_known)
				continue;
			pending = true;
			if (lm->dtls_timer_ms == 0 || now < lm->dtls_timer_ms)
				continue;
			dsbc_dtls_tick(lm->dtls, &next);
			dtls_flush(app, legs[k], i);
			lm->dtls_timer_ms = next ? now + next : 0;
		}
	if (pending && c->dtls_deadline != 0 && now >= c->dtls_deadline) {
		app->sip->b2b->dtls_timeouts++;
		RTE_LOG(WARNING, USER1, "call %u: DTLS handshake not done "
			"within %u ms\n", c->id, app->cfg.dtls_timeout_ms);
		c->dtls_deadline = 0;
		b2bua_call_abort(app, c, "DTLS handshake timeout");
	}
}

void
b2bua_term_release(struct dsbc_app *app, struct call *c)
{
	struct leg *legs[2] = { &c->a, &c->b };
	unsigned int i, k;

	(void)app;
	for (k = 0; k < 2; k++)
		for (i = 0; i < MAX_MEDIA; i++) {
			dsbc_dtls_free(legs[k]->m[i].dtls);
			legs[k]->m[i].dtls = NULL;
		}
}
