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

#include "b2bua_internal.h"
#include "dsbc_sdp_crypto.h"
#include "dsbc_sdp_rewrite.h"

#define DTLS_BUF 65536                /* a whole flight, retransmissions too */
#define DTLS_DGRAM_MAX 1200          /* records packed per datagram */
#define DTLS_RESETS_MAX 16           /* fresh handshakes after bad records */

/* ---- certificate ---- */

int
b2bua_term_init(struct dsbc_b2bua *b, char *errbuf, size_t errlen)
{
	const char *cert = b->cfg->dtls_cert, *key = b->cfg->dtls_key;
	bool have = cert[0] != '\0' && access(cert, F_OK) == 0;
	char err[256];

	if ((cert[0] == '\0') != (key[0] == '\0')) {
		snprintf(errbuf, errlen, "dtls_cert and dtls_key go together");
		return -EINVAL;
	}
	/* a pinned certificate is never replaced behind the operator's
	 * back: generate only when neither file exists */
	if (cert[0] != '\0' && have != (access(key, F_OK) == 0)) {
		snprintf(errbuf, errlen, "%s and %s: one exists, not the other",
			 cert, key);
		return -EINVAL;
	}
	b->dtls_ctx = dsbc_dtls_ctx_create(have ? cert : NULL,
					   have ? key : NULL, NULL, err,
					   sizeof(err));
	if (b->dtls_ctx == NULL) {
		snprintf(errbuf, errlen, "DTLS certificate: %s", err);
		return -EINVAL;
	}
	/* Against a hidden man in the middle, a fingerprint clients can
	 * pin survives restarts: a generated certificate is kept where
	 * configured. */
	if (!have && cert[0] != '\0' &&
	    dsbc_dtls_ctx_save(b->dtls_ctx, cert, key) != 0) {
		snprintf(errbuf, errlen, "cannot write %s / %s", cert, key);
		return -EIO;
	}
	return 0;
}

void
b2bua_term_fini(struct dsbc_b2bua *b)
{
	dsbc_dtls_ctx_free(b->dtls_ctx);
	b->dtls_ctx = NULL;
}

/* ---- SDP ---- */

/*
 * RFC 8122 section 5: of several a=fingerprint values, those with the
 * hash dsbc prefers (the strongest it checks with), one per certificate
 * the peer may present, DSBC_DTLS_PEER_FPS at most; none it takes: the
 * first alone, which the caller refuses.  Returns how many are in out.
 */
static unsigned int
fp_choose(const struct dsbc_sdp_str *fps, unsigned int n,
	  struct dsbc_sdp_str *out)
{
	struct dsbc_sdp_str fp;
	int rank, best_rank = 0;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		/* trailing blanks are not part of the value (RFC 4566
		 * attribute syntax has none; some peers leave one) */
		fp = fps[i];
		while (fp.len > 0 && (fp.p[fp.len - 1] == ' ' ||
				      fp.p[fp.len - 1] == '\t'))
			fp.len--;
		rank = dsbc_dtls_fp_rank(fp.p, fp.len);
		if (i == 0 || rank > best_rank) {
			k = 0;
			out[k++] = fp;
			best_rank = rank;
		} else if (rank == best_rank && rank > 0 &&
			   k < DSBC_DTLS_PEER_FPS) {
			out[k++] = fp;
		}
	}
	return k;
}

/* a=fingerprint values (fps, *nb of them) and a=setup of the first
 * m-line, else the session's. */
static void
sdp_dtls(const struct dsbc_sdp *s, struct dsbc_sdp_str *fps,
	 unsigned int *nb, struct dsbc_sdp_str *setup)
{
	const struct dsbc_sdp_media *m = s->nb_media ? &s->media[0] : NULL;

	*nb = m != NULL && m->nb_fingerprint ?
	      fp_choose(m->fingerprint, m->nb_fingerprint, fps) :
	      fp_choose(s->fingerprint, s->nb_fingerprint, fps);
	*setup = m != NULL && m->setup.len ? m->setup : s->setup;
}

static bool
str_is(struct dsbc_sdp_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && strncasecmp(s.p, lit, n) == 0;
}

static const char *
leg_name(const struct call *c, const struct leg *l)
{
	return l == &c->a ? "A" : "B";
}

static struct leg *
other_leg(struct call *c, const struct leg *l)
{
	return l == &c->a ? &c->b : &c->a;
}

static int
peer_fp_copy(struct leg *l, const struct dsbc_sdp_str *fps, unsigned int n)
{
	unsigned int i;

	l->nb_peer_fp = 0;
	for (i = 0; i < n; i++) {
		if (fps[i].len == 0 || fps[i].len >= sizeof(l->peer_fp[0]))
			return -1;
		memcpy(l->peer_fp[i], fps[i].p, fps[i].len);
		l->peer_fp[i][fps[i].len] = '\0';
		/* a hash dsbc cannot check with (sha-1, md5): the SDP is
		 * refused now rather than a call set up whose handshake
		 * cannot succeed */
		if (!dsbc_dtls_fp_ok(l->peer_fp[i]))
			return -1;
		l->nb_peer_fp++;
	}
	return n > 0 ? 0 : -1;
}

/* A DTLS session for leg l: its certificate must match one of the
 * peer's fingerprints. */
static struct dsbc_dtls *
leg_dtls_new(struct dsbc_b2bua *b, const struct leg *l)
{
	struct dsbc_dtls *d;
	unsigned int i;

	d = dsbc_dtls_new(b->dtls_ctx, (enum dsbc_dtls_role)l->dtls_role,
			  l->peer_fp[0]);
	for (i = 1; d != NULL && i < l->nb_peer_fp; i++)
		if (dsbc_dtls_add_peer_fp(d, l->peer_fp[i]) != 0) {
			dsbc_dtls_free(d);
			d = NULL;
		}
	return d;
}

static const char *const keying_names[] = {
	[DSBC_KEYING_NONE] = "plain RTP",
	[DSBC_KEYING_SDES] = "SDES-SRTP",
	[DSBC_KEYING_DTLS] = "DTLS-SRTP",
};

/* dsbc's a=crypto value on m-line lm: its own key for what it sends,
 * under `tag` (the offer's, when answering).  0 or -EIO. */
static int
sdes_line_write(struct leg_media *lm, uint32_t tag)
{
	const struct dsbc_srtp_keys *ks = &lm->sec[0].keys;
	struct dsbc_sdes me;

	memset(&me, 0, sizeof(me));
	me.tag = tag;
	me.suite = ks->profile;
	me.key_len = ks->key_len;
	me.salt_len = ks->salt_len;
	memcpy(me.key, ks->local_key, ks->key_len);
	memcpy(me.salt, ks->local_salt, ks->salt_len);
	return dsbc_sdes_format(&me, lm->sdes_line,
				sizeof(lm->sdes_line)) < 0 ? -EIO : 0;
}

/* SDES on leg l, m-line i: dsbc's own key for what it sends (RFC 4568
 * section 6.1: each side keys its own direction), in suite `suite`, and
 * its a=crypto value with `tag`. */
static int
sdes_local(struct dsbc_b2bua *b, struct leg_media *lm, uint8_t suite,
	   uint32_t tag)
{
	const struct dsbc_srtp_suite_info *si = dsbc_srtp_suite_info(suite);
	uint8_t key[DSBC_SRTP_KEY_MAX], salt[DSBC_SRTP_SALT_MAX];
	unsigned int k;

	if (b2bua_random(b, key, si->key_len) != 0 ||
	    b2bua_random(b, salt, si->salt_len) != 0)
		return -EIO;
	/* one master key for SRTP and SRTCP, whichever port RTCP uses */
	for (k = 0; k < 2; k++) {
		struct dsbc_srtp_keys *ks = &lm->sec[k].keys;

		ks->profile = suite;
		ks->key_len = si->key_len;
		ks->salt_len = si->salt_len;
		memcpy(ks->local_key, key, si->key_len);
		memcpy(ks->local_salt, salt, si->salt_len);
	}
	return sdes_line_write(lm, tag);
}

/* The peer's SDES key (for what it sends, so what dsbc unprotects), for
 * both components. */
static void
sdes_set_remote(struct leg_media *lm, const struct dsbc_sdes *peer)
{
	unsigned int k;

	for (k = 0; k < 2; k++) {
		struct dsbc_srtp_keys *ks = &lm->sec[k].keys;

		ks->profile = peer->suite;
		ks->key_len = peer->key_len;
		ks->salt_len = peer->salt_len;
		memcpy(ks->remote_key, peer->key, peer->key_len);
		memcpy(ks->remote_salt, peer->salt, peer->salt_len);
		lm->sec[k].keys_known = true;
	}
}

/* The peer's usable a=crypto line of m-line i (with tag, and in suite
 * unless DSBC_SRTP_SUITE_MAX) becomes its key; returns its tag. */
static int
sdes_remote(struct leg_media *lm, const struct dsbc_sdp *s, unsigned int i,
	    uint32_t tag, uint8_t suite)
{
	struct dsbc_sdes peer;

	if (dsbc_sdes_find(s, i, tag, &peer) != 0 ||
	    (suite != DSBC_SRTP_SUITE_MAX && peer.suite != suite))
		return -EINVAL;
	sdes_set_remote(lm, &peer);
	return (int)peer.tag;
}

static uint8_t
offer_keying(const struct dsbc_sdp *s)
{
	struct dsbc_sdp_str fps[DSBC_DTLS_PEER_FPS], setup;
	unsigned int i, nfp;

	sdp_dtls(s, fps, &nfp, &setup);
	if (nfp != 0 && fps[0].len != 0)
		return DSBC_KEYING_DTLS;
	for (i = 0; i < s->nb_media; i++)
		if (s->media[i].nb_crypto != 0)
			return DSBC_KEYING_SDES;
	return DSBC_KEYING_NONE;
}

int
b2bua_term_offer(struct dsbc_b2bua *b, struct call *c,
		 const struct dsbc_sdp *offer, const struct dsbc_route_cfg *r)
{
	struct dsbc_sdp_str fps[DSBC_DTLS_PEER_FPS], setup;
	unsigned int nfp;
	uint8_t mode = r->mode ? (uint8_t)(r->mode - 1) : b->cfg->mode_default;
	bool forced = false;
	unsigned int i;
	int tag;

	c->a.keying = offer_keying(offer);
	c->b.keying = r->b_keying ? (uint8_t)(r->b_keying - 1) : c->a.keying;
	/* Legs keyed differently cannot share one end-to-end session:
	 * only terminating media lets them interwork (RFC 7879
	 * section 3.2.2). */
	if (c->b.keying != c->a.keying && mode != DSBC_MODE_TERMINATE) {
		mode = DSBC_MODE_TERMINATE;
		forced = true;
	}
	c->mode = mode;
	if (mode != DSBC_MODE_TERMINATE)
		return 0;
	if (c->a.keying == DSBC_KEYING_DTLS) {
		sdp_dtls(offer, fps, &nfp, &setup);
		if (peer_fp_copy(&c->a, fps, nfp) != 0)
			return -EINVAL;
		/* RFC 4145 section 4 / RFC 5763 section 5: dsbc answers
		 * A's role with the other one; actpass lets policy choose */
		if (str_is(setup, "active"))
			c->a.dtls_role = DSBC_DTLS_SERVER;
		else if (str_is(setup, "passive"))
			c->a.dtls_role = DSBC_DTLS_CLIENT;
		else
			c->a.dtls_role = b->cfg->dtls_setup ?
					 DSBC_DTLS_SERVER : DSBC_DTLS_CLIENT;
		c->a.dtls_role_known = true;
	}
	for (i = 0; i < c->nb_media; i++) {
		if (!c->media_ok[i])
			continue;
		if (c->a.keying == DSBC_KEYING_SDES) {
			/* A's first usable line; dsbc answers its tag and
			 * suite with its own key (RFC 4568 section 7.1.2) */
			tag = sdes_remote(&c->a.m[i], offer, i, 0,
					  DSBC_SRTP_SUITE_MAX);
			if (tag < 0 || sdes_local(b, &c->a.m[i],
						  c->a.m[i].sec[0].keys.profile,
						  (uint32_t)tag) != 0)
				return -ENOTSUP;
		}
		if (c->b.keying == DSBC_KEYING_SDES &&
		    sdes_local(b, &c->b.m[i],
			       DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 1))
			return -EIO;
	}
	b->st.terminated++;
	b->st.terminate_forced += forced;
	B2B_LOG(b, NOTICE, "call %u: media terminated by dsbc (%s: A %s, "
		"B %s): end-to-end security ends at dsbc", c->id,
		forced ? "forced, the legs cannot interwork otherwise" :
		"by policy", keying_names[c->a.keying],
		keying_names[c->b.keying]);
	return 0;
}

void
b2bua_term_plan(const struct dsbc_b2bua *b, const struct call *c,
		const struct leg *l, struct dsbc_sdp_plan *plan)
{
	unsigned int i;

	if (c->mode != DSBC_MODE_TERMINATE)
		return;
	switch (l->keying) {
	case DSBC_KEYING_DTLS:
		plan->security = DSBC_SDP_SEC_DTLS;
		plan->fingerprint = dsbc_dtls_ctx_fingerprint(
					b->dtls_ctx);
		/* an offer before the role is settled is actpass (RFC
		 * 5763 section 5) */
		plan->setup = !l->dtls_role_known ? "actpass" :
			      l->dtls_role == DSBC_DTLS_CLIENT ? "active" :
			      "passive";
		break;
	case DSBC_KEYING_SDES:
		plan->security = DSBC_SDP_SEC_SDES;
		for (i = 0; i < c->nb_media; i++)
			plan->media[i].crypto = l->m[i].sdes_line;
		break;
	default:
		plan->security = DSBC_SDP_SEC_PLAIN;
		break;
	}
}

/* ---- records out ---- */

static unsigned int
ncomp(const struct leg_media *lm)
{
	return lm->rtcp_mux ? 1 : 2;
}

/* Where l's records for component k go: the source of its last record,
 * else the latched source, else what its SDP signalled. */
static int
dtls_dest(struct dsbc_b2bua *b, struct leg *l, unsigned int i,
	  unsigned int k, struct dsbc_sip_peer *to)
{
	struct leg_media *lm = &l->m[i];
	uint16_t port;

	if (lm->sec[k].peer_known) {
		*to = lm->sec[k].peer;
		return 0;
	}
	memset(to, 0, sizeof(*to));
	to->local = l->maddr;
	to->local_port = (uint16_t)(lm->local_port + k);
	b2bua_peer_addr(lm, k, true, &to->family, &to->remote,
			&to->remote_port);
	to->resolve = true;
	if (dsbc_config_route_out(b->cfg, to->family, &to->remote, &port,
				  &to->l2_next) != 0)
		return -EHOSTUNREACH;
	to->in = port;
	return 0;
}

/* Send what the session has pending, records packed into datagrams of
 * at most DTLS_DGRAM_MAX bytes (RFC 6347 4.1.1: never split a record). */
static void
dtls_flush(struct dsbc_b2bua *b, struct leg *l, unsigned int i,
	   unsigned int k)
{
	/* the management lcore is single-threaded: one buffer serves all */
	static uint8_t buf[DTLS_BUF];
	struct leg_sec *sc = &l->m[i].sec[k];
	struct dsbc_sip_peer to;
	size_t n, off, start;

	/* the memory BIO holds whole records; read all of them at once so
	 * none is cut at the end of the buffer */
	n = dsbc_dtls_output(sc->dtls, buf, sizeof(buf));
	if (n == 0 || dtls_dest(b, l, i, k, &to) != 0)
		return;
	for (start = off = 0; off + 13 <= n;) {
		size_t rec = 13 + (size_t)((buf[off + 11] << 8) | buf[off + 12]);

		if (off + rec > n)
			break;
		if (off > start && off + rec - start > DTLS_DGRAM_MAX) {
			if (b2bua_send(b, &to, (const char *)buf + start,
					  (uint32_t)(off - start)) == 0)
				sc->tx++;
			start = off;
		}
		off += rec;
	}
	if (off > start && b2bua_send(b, &to, (const char *)buf + start,
					 (uint32_t)(off - start)) == 0)
		sc->tx++;
}

/* The session's retransmission timer, as one of the call's. */
static void
dtls_arm(struct dsbc_b2bua *b, struct call *c, struct leg_sec *sc)
{
	uint64_t next = 0;

	dsbc_dtls_tick(sc->dtls, &next);
	sc->timer_ms = next ? b->now + next : 0;
	if (sc->timer_ms != 0)
		b2bua_call_timer(b, c, sc->timer_ms);
}

/* ---- keys to the workers ---- */

static void
keys_send(struct dsbc_b2bua *b, uint32_t flow_id, uint8_t dir,
	  const struct dsbc_srtp_keys *k, bool local)
{
	/* DTLS profiles and SDES suites are one list, enum
	 * dsbc_srtp_suite (dsbc_srtp_suites.h), as the workers take it */
	if (b->ops.flow_keys(b->ctx, flow_id, dir, k->profile,
				local ? k->local_key : k->remote_key,
				k->key_len,
				local ? k->local_salt : k->remote_salt,
				k->salt_len) == 0)
		b->st.keys_sent++;
}

/* The flows keyed on `in` (m-line i) from index first: unprotect with
 * in's peer's keys of the flow's component (dirs & TERM_KEYS_RX),
 * protect with dsbc's keys of the component it sends to on `out` (dirs &
 * TERM_KEYS_TX), each once known; comp >= 0 limits it to that component
 * (of in for RX, of out for TX).  Keys are sent once per flow and
 * direction: a new session would restart its replay list. */
void
b2bua_term_flow_keys(struct dsbc_b2bua *b, struct call *c, struct leg *in,
		     struct leg *out, unsigned int i, unsigned int first,
		     unsigned int dirs, int comp)
{
	struct leg_media *mi = &in->m[i], *mo = &out->m[i];
	unsigned int k, ki, ko;

	if (c->mode != DSBC_MODE_TERMINATE)
		return;
	for (k = first; k < mi->nb_flows; k++) {
		ki = b2bua_comp(mi, k);
		ko = b2bua_comp(mo, k);
		/* in muxes (RFC 5761): its flow 1 is there only for the
		 * headers and keys RTCP leaves with towards out's RTCP port.
		 * in's key there too would take each authentic packet a
		 * second time, sent to that port (a replay list of its own):
		 * what arrives there is dropped (drop_srtp_no_keys). */
		if ((dirs & TERM_KEYS_RX) && in->keying != DSBC_KEYING_NONE &&
		    !(k == 1 && mi->rtcp_mux) &&
		    (comp < 0 || (unsigned int)comp == ki) &&
		    mi->sec[ki].keys_known)
			keys_send(b, mi->flow[k], DSBC_B2BUA_KEYS_RX,
				  &mi->sec[ki].keys, false);
		if ((dirs & TERM_KEYS_TX) && out->keying != DSBC_KEYING_NONE &&
		    (comp < 0 || (unsigned int)comp == ko) &&
		    mo->sec[ko].keys_known)
			keys_send(b, mi->flow[k], DSBC_B2BUA_KEYS_TX,
				  &mo->sec[ko].keys, true);
	}
}

/* ---- sessions ---- */

int
b2bua_term_answer(struct dsbc_b2bua *b, struct call *c, struct leg *l,
		  const struct dsbc_sdp *answer)
{
	struct leg *o = other_leg(c, l);
	struct dsbc_sdp_str fps[DSBC_DTLS_PEER_FPS], setup;
	unsigned int i, nfp;

	if (c->mode != DSBC_MODE_TERMINATE)
		return 0;
	if (l->keying == DSBC_KEYING_SDES) {
		/* B took dsbc's line 1 and keys its own direction */
		for (i = 0; i < c->nb_media; i++) {
			if (!c->media_ok[i] || answer->media[i].port == 0 ||
			    l->m[i].sec[0].keys_known)
				continue;
			if (sdes_remote(&l->m[i], answer, i, 1,
					l->m[i].sec[0].keys.profile) < 0)
				return -EINVAL;
			b2bua_term_flow_keys(b, c, l, o, i, 0, TERM_KEYS_RX,
					     -1);
			b2bua_term_flow_keys(b, c, o, l, i, 0, TERM_KEYS_TX,
					     -1);
		}
		return 0;
	}
	if (l->keying != DSBC_KEYING_DTLS || l->dtls_role_known)
		return 0;
	sdp_dtls(answer, fps, &nfp, &setup);
	if (peer_fp_copy(l, fps, nfp) != 0)
		return -EINVAL;
	/* dsbc offered actpass: the answerer chose (RFC 5763 section 5) */
	if (str_is(setup, "active"))
		l->dtls_role = DSBC_DTLS_SERVER;
	else if (str_is(setup, "passive"))
		l->dtls_role = DSBC_DTLS_CLIENT;
	else
		return -EINVAL;
	l->dtls_role_known = true;
	return b2bua_term_start(b, c, l);
}

/* l's peer's new SDES key for m-line i takes effect: the flows from it
 * get it (a new session, whose replay list starts afresh with the key). */
static void
sdes_rekey(struct dsbc_b2bua *b, struct call *c, struct leg *l, unsigned int i,
	   const struct dsbc_sdes *peer)
{
	sdes_set_remote(&l->m[i], peer);
	b->st.sdes_rekeys++;
	B2B_LOG(b, INFO, "call %u: %s leg: new SDES key", c->id,
		leg_name(c, l));
	b2bua_term_flow_keys(b, c, l, other_leg(c, l), i, 0, TERM_KEYS_RX,
			     -1);
}

/*
 * New SDP from l inside the dialog (re-INVITE, UPDATE, or an answer to
 * one).  An SDES peer may send a new key (RFC 4568 section 7.1.4): in an
 * answer it takes effect at once; in an offer it waits for the answer
 * (b2bua_term_offer_done), since a refused offer leaves the session as
 * it was (RFC 3264 section 8).  dsbc keeps its own key and answers the
 * offer's tag.  A new suite, or a DTLS peer's new fingerprint, is not
 * renegotiated: the call keeps what it agreed first.
 */
void
b2bua_term_update(struct dsbc_b2bua *b, struct call *c, struct leg *l,
		  const struct dsbc_sdp *s, bool answer)
{
	unsigned int i;

	if (c->mode != DSBC_MODE_TERMINATE || l->keying != DSBC_KEYING_SDES)
		return;
	for (i = 0; i < c->nb_media && i < s->nb_media; i++) {
		struct leg_media *lm = &l->m[i];
		struct dsbc_srtp_keys *ks = &lm->sec[0].keys;
		struct dsbc_sdes peer;

		lm->sdes_pending = false;
		if (!c->media_ok[i] || s->media[i].port == 0 ||
		    !lm->sec[0].keys_known ||
		    dsbc_sdes_find(s, i, 0, &peer) != 0 ||
		    peer.suite != ks->profile)
			continue;
		/* dsbc's line answers the peer's tag */
		sdes_line_write(lm, peer.tag);
		if (memcmp(peer.key, ks->remote_key, peer.key_len) == 0 &&
		    memcmp(peer.salt, ks->remote_salt, peer.salt_len) == 0)
			continue;
		if (answer) {
			sdes_rekey(b, c, l, i, &peer);
		} else {
			lm->sdes_next = peer;
			lm->sdes_pending = true;
		}
	}
}

/*
 * Whether s, new SDP from l inside the dialog of a terminated call,
 * turns rtcp-mux on or off.  That would rebuild the flows, and their new
 * SRTP sessions would start their indexes again under the same keys (RTP
 * with ROC 0, SRTCP from 1): a keystream used twice.  Such an offer is
 * refused (488) instead.
 */
bool
b2bua_term_mux_change(const struct call *c, const struct leg *l,
		      const struct dsbc_sdp *s)
{
	unsigned int i;

	/* either leg's keys are in the flows keyed on l (RX of l's, TX of
	 * the other's) */
	if (c->mode != DSBC_MODE_TERMINATE ||
	    (c->a.keying == DSBC_KEYING_NONE && c->b.keying == DSBC_KEYING_NONE))
		return false;
	for (i = 0; i < c->nb_media && i < s->nb_media; i++)
		if (c->media_ok[i] && s->media[i].port != 0 &&
		    l->m[i].family != 0 &&
		    s->media[i].rtcp_mux != l->m[i].rtcp_mux)
			return true;
	return false;
}

void
b2bua_term_offer_done(struct dsbc_b2bua *b, struct call *c, struct leg *l,
		      bool accepted)
{
	unsigned int i;

	if (c->mode != DSBC_MODE_TERMINATE)
		return;
	for (i = 0; i < c->nb_media; i++) {
		if (!l->m[i].sdes_pending)
			continue;
		l->m[i].sdes_pending = false;
		if (accepted)
			sdes_rekey(b, c, l, i, &l->m[i].sdes_next);
	}
}

int
b2bua_term_start(struct dsbc_b2bua *b, struct call *c, struct leg *l)
{
	unsigned int i, k;

	if (c->mode != DSBC_MODE_TERMINATE || l->keying != DSBC_KEYING_DTLS ||
	    !l->dtls_role_known)
		return 0;
	if (c->dtls_deadline == 0) {
		c->dtls_deadline = b->now + b->cfg->dtls_timeout_ms;
		b2bua_call_timer(b, c, c->dtls_deadline);
	}
	for (i = 0; i < c->nb_media; i++) {
		struct leg_media *lm = &l->m[i];

		if (!c->media_ok[i])
			continue;
		/* RFC 5764 section 4.1: one association per component */
		for (k = 0; k < ncomp(lm); k++) {
			struct leg_sec *sc = &lm->sec[k];

			if (sc->dtls != NULL)
				continue;
			sc->dtls = leg_dtls_new(b, l);
			if (sc->dtls == NULL)
				return -ENOMEM;
			sc->state = DSBC_DTLS_HANDSHAKING;
			if (l->dtls_role != DSBC_DTLS_CLIENT)
				continue;
			if (dsbc_dtls_start(sc->dtls) != 0)
				return -EPROTO;
			dtls_flush(b, l, i, k);
			dtls_arm(b, c, sc);
		}
	}
	return 0;
}

/* Component k's session moved: keys out when done, the call ended
 * when it failed. */
static void
dtls_progress(struct dsbc_b2bua *b, struct call *c, struct leg *l,
	      unsigned int i, unsigned int k, enum dsbc_dtls_state st)
{
	struct leg_sec *sc = &l->m[i].sec[k];
	struct leg *o = other_leg(c, l);

	if (st == DSBC_DTLS_FAILED && sc->keys_known) {
		/* close_notify after the keys: the peer is done with DTLS
		 * (leaving, usually); the call ends by its signalling or
		 * media inactivity, the keys stay until then */
		if (!sc->closed) {
			sc->closed = true;
			b->st.dtls_closed++;
			B2B_LOG(b, INFO, "call %u: %s leg: %s", c->id,
				leg_name(c, l), dsbc_dtls_error(sc->dtls));
		}
		return;
	}
	sc->state = (uint8_t)st;
	if (st == DSBC_DTLS_FAILED && !dsbc_dtls_peer_refused(sc->dtls) &&
	    sc->resets < DTLS_RESETS_MAX) {
		/* a forged or corrupt record ended the handshake, not the
		 * peer's certificate: start a fresh one (RFC 6347 4.1.2.7
		 * discards invalid records); dtls_timeout_ms still bounds it */
		sc->resets++;
		b->st.dtls_resets++;
		B2B_LOG(b, INFO, "call %u: %s leg: DTLS restarted after: "
			"%s", c->id, leg_name(c, l), dsbc_dtls_error(sc->dtls));
		dsbc_dtls_free(sc->dtls);
		sc->dtls = NULL;
		sc->dtls = leg_dtls_new(b, l);
		if (sc->dtls != NULL) {
			sc->state = DSBC_DTLS_HANDSHAKING;
			if (l->dtls_role != DSBC_DTLS_CLIENT)
				return;
			if (dsbc_dtls_start(sc->dtls) == 0) {
				dtls_flush(b, l, i, k);
				dtls_arm(b, c, sc);
				return;
			}
		}
	}
	if (st == DSBC_DTLS_FAILED) {
		b->st.dtls_failed++;
		B2B_LOG(b, WARNING, "call %u: %s leg: DTLS failed: %s",
			c->id, leg_name(c, l), sc->dtls != NULL ?
			dsbc_dtls_error(sc->dtls) : "out of memory");
		b2bua_call_abort(b, c, "DTLS handshake failed");
		return;
	}
	if (st != DSBC_DTLS_DONE || sc->keys_known)
		return;
	if (dsbc_dtls_keys(sc->dtls, &sc->keys) != 0)
		return;
	sc->keys_known = true;
	sc->timer_ms = 0;
	b->st.dtls_done++;
	B2B_LOG(b, INFO, "call %u: %s leg: DTLS done (%s), %s", c->id,
		leg_name(c, l), k ? "RTCP" : "RTP", dsbc_srtp_profile_name(
			(enum dsbc_srtp_suite)sc->keys.profile));
	/* flows from l's peer on this component decrypt with its keys;
	 * flows towards this component encrypt with dsbc's */
	b2bua_term_flow_keys(b, c, l, o, i, 0, TERM_KEYS_RX, (int)k);
	b2bua_term_flow_keys(b, c, o, l, i, 0, TERM_KEYS_TX, (int)k);
}

/* A DTLS record of a terminated flow's peer. */
void
dsbc_b2bua_dtls_input(struct dsbc_b2bua *b, uint32_t flow_id,
		      dsbc_b2bua_cookie_t cookie,
		      const struct dsbc_sip_peer *from, const uint8_t *rec,
		      uint32_t len, uint64_t now)
{
	struct leg *in, *out;
	struct leg_media *lm;
	struct leg_sec *sc;
	struct call *c;
	unsigned int i, k, comp;

	b->now = now;
	c = b2bua_call_of_cookie(b, cookie);
	if (c == NULL || !b2bua_flow_where(c, flow_id, &in, &out, &i, &k)) {
		b->st.dtls_no_session++;
		return;
	}
	lm = &in->m[i];
	comp = b2bua_comp(lm, k);
	sc = &lm->sec[comp];
	if (sc->dtls == NULL || sc->closed || sc->state == DSBC_DTLS_FAILED) {
		/* not started yet (answer pending: the peer retransmits), or
		 * over: nothing more is read into it */
		b->st.dtls_no_session++;
		return;
	}
	/* answer where it came from (the flow accepted the source) */
	sc->peer = *from;
	sc->peer_known = true;
	sc->rx++;
	dtls_progress(b, c, in, i, comp, dsbc_dtls_input(sc->dtls, rec, len));
	if (c->state != CALL_FREE && sc->dtls != NULL) {
		uint64_t next = 0;

		dtls_flush(b, in, i, comp);
		dsbc_dtls_tick(sc->dtls, &next);
		sc->timer_ms = next ? now + next : 0;
		if (sc->timer_ms != 0)
			b2bua_call_timer(b, c, sc->timer_ms);
	}
}

/* Retransmissions (RFC 6347 4.2.4) and the handshake deadline. */
bool
b2bua_term_tick(struct dsbc_b2bua *b, struct call *c, uint64_t now,
		uint64_t *next_at)
{
	struct leg *legs[2] = { &c->a, &c->b };
	bool pending = false;
	unsigned int i, j, k;

	if (c->mode != DSBC_MODE_TERMINATE)
		return false;
	if (c->term_failed) {
		if (c->state == CALL_CONFIRMED) {
			b2bua_call_abort(b, c, "DTLS handshake failed");
			return false;
		}
		/* ended once confirmed: its ACK comes as an input */
		return true;
	}
	for (j = 0; j < 2; j++)
		for (i = 0; i < c->nb_media; i++)
			for (k = 0; k < 2; k++) {
				struct leg_sec *sc = &legs[j]->m[i].sec[k];
				uint64_t next = 0;

				if (sc->dtls == NULL || sc->keys_known)
					continue;
				pending = true;
				if (sc->timer_ms != 0 && now >= sc->timer_ms) {
					dsbc_dtls_tick(sc->dtls, &next);
					dtls_flush(b, legs[j], i, k);
					sc->timer_ms = next ? now + next : 0;
				}
				if (sc->timer_ms != 0 && sc->timer_ms < *next_at)
					*next_at = sc->timer_ms;
			}
	if (!pending || c->dtls_deadline == 0)
		return pending;
	if (now >= c->dtls_deadline) {
		b->st.dtls_timeouts++;
		B2B_LOG(b, WARNING, "call %u: DTLS handshake not done "
			"within %u ms", c->id, b->cfg->dtls_timeout_ms);
		c->dtls_deadline = 0;
		b2bua_call_abort(b, c, "DTLS handshake timeout");
		return c->state != CALL_FREE && c->term_failed;
	}
	if (c->dtls_deadline < *next_at)
		*next_at = c->dtls_deadline;
	return true;
}

void
b2bua_term_release(struct dsbc_b2bua *b, struct call *c)
{
	struct leg *legs[2] = { &c->a, &c->b };
	unsigned int i, j, k;

	(void)b;
	for (j = 0; j < 2; j++)
		for (i = 0; i < MAX_MEDIA; i++)
			for (k = 0; k < 2; k++) {
				dsbc_dtls_free(legs[j]->m[i].sec[k].dtls);
				legs[j]->m[i].sec[k].dtls = NULL;
			}
}
