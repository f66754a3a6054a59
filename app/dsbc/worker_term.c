/* SPDX-License-Identifier: BSD-3-Clause */
/* Terminator mode in the worker: see worker_term.h. */
#include <errno.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dsbc.h"
#include "dsbc_srtp_lib.h"
#include "worker_term.h"

int
dsbc_term_pool_init(struct dsbc_worker *w, uint32_t capacity,
		    unsigned int replay_window, int socket)
{
	uint32_t i;

	w->term_cap = capacity;
	w->term_replay = replay_window;
	if (capacity == 0)
		return 0;
	w->term = rte_zmalloc_socket("dsbc_term", capacity * sizeof(*w->term),
				     RTE_CACHE_LINE_SIZE, socket);
	if (w->term == NULL)
		return -ENOMEM;
	for (i = 0; i < capacity; i++)
		w->term[i].next_free = i + 2 <= capacity ? i + 2 : 0;
	w->term_free = 1;
	return 0;
}

static void
term_sessions_free(struct dsbc_worker *w, struct dsbc_term *t)
{
	dsbc_srtp_lib_free(t->rx);
	dsbc_srtp_lib_free(t->tx);
	t->rx = NULL;
	t->tx = NULL;
	if (t->has_crx)
		dsbc_srtp_cdev_sess_fini(&w->cdev, &t->crx);
	if (t->has_ctx)
		dsbc_srtp_cdev_sess_fini(&w->cdev, &t->ctx);
	t->has_crx = false;
	t->has_ctx = false;
}

void
dsbc_term_pool_free(struct dsbc_worker *w)
{
	uint32_t i;

	if (w->term == NULL)
		return;
	for (i = 0; i < w->term_cap; i++)
		term_sessions_free(w, &w->term[i]);
	rte_free(w->term);
	w->term = NULL;
}

const struct dsbc_term *
dsbc_term_of(const struct dsbc_worker *w, const struct dsbc_flow *f)
{
	return f->term != 0 && f->term <= w->term_cap ? &w->term[f->term - 1] :
							 NULL;
}

int
dsbc_term_keys(struct dsbc_worker *w, struct dsbc_flow *f,
	       const struct dsbc_msg_keys *k)
{
	struct dsbc_srtp_lib **slot, *s = NULL;
	struct dsbc_term *t;

	if (k->dir > DSBC_KEYS_TX)
		return -EINVAL;
	if (k->suite != DSBC_KEYS_CLEAR &&
	    (k->suite >= DSBC_SRTP_SUITE_MAX ||
	     k->key_len != dsbc_srtp_suite_info(k->suite)->key_len ||
	     k->salt_len != dsbc_srtp_suite_info(k->suite)->salt_len))
		return -EINVAL;
	if (f->term == 0) {
		if (k->suite == DSBC_KEYS_CLEAR)
			return 0;
		if (w->term_free == 0)
			return -ENOSPC;
		f->term = w->term_free;
		t = &w->term[f->term - 1];
		w->term_free = t->next_free;
		memset(t, 0, sizeof(*t));
	}
	t = &w->term[f->term - 1];
	if (k->suite != DSBC_KEYS_CLEAR) {
		/* libsrtp2 allocates here: once per key, control path */
		s = dsbc_srtp_lib_new((enum dsbc_srtp_suite)k->suite, k->key,
				      k->salt, k->dir == DSBC_KEYS_TX,
				      w->term_replay);
		if (s == NULL)
			return -EINVAL;
	}
	slot = k->dir == DSBC_KEYS_TX ? &t->tx : &t->rx;
	dsbc_srtp_lib_free(*slot);
	*slot = s;
	{
		bool *has = k->dir == DSBC_KEYS_TX ? &t->has_ctx : &t->has_crx;
		struct dsbc_srtp_cdev_sess *cs = k->dir == DSBC_KEYS_TX ?
						 &t->ctx : &t->crx;

		if (*has)
			dsbc_srtp_cdev_sess_fini(&w->cdev, cs);
		*has = false;
		if (k->dir == DSBC_KEYS_TX)
			t->ctx_bound = false;
		else
			t->crx_bound = false;
		/* the device takes what it does: AES-CM-128 + HMAC-SHA1-80
		 * RTP; a session it refuses leaves libsrtp2 doing it all */
		if (w->app->has_cdev &&
		    k->suite == DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80 &&
		    dsbc_srtp_cdev_sess_init(&w->cdev, cs, k->key, k->salt,
					     k->dir == DSBC_KEYS_TX,
					     w->term_replay) == 0)
			*has = true;
	}
	if (k->dir == DSBC_KEYS_TX)
		t->tx_suite = k->suite;
	else
		t->rx_suite = k->suite;
	return 0;
}

void
dsbc_term_release(struct dsbc_worker *w, struct dsbc_flow *f)
{
	struct dsbc_term *t;

	if (f->term == 0 || f->term > w->term_cap)
		return;
	t = &w->term[f->term - 1];
	term_sessions_free(w, t);
	t->next_free = w->term_free;
	w->term_free = f->term;
	f->term = 0;
}

/* The SSRC of an RTP packet (bytes 8-11) or of an RTCP one's sender
 * (bytes 4-7). */
static inline uint32_t
pkt_ssrc(const uint8_t *p, bool rtcp)
{
	const uint8_t *q = p + (rtcp ? 4 : 8);

	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	       (uint32_t)q[2] << 8 | q[3];
}

static inline uint32_t
rtp_ssrc(const uint8_t *p)
{
	return pkt_ssrc(p, false);
}

/*
 * Whether the packet's SSRC (RTP: bytes 8-11, RTCP: the sender's, 4-7)
 * is one this flow protects already, learning it while there is room.
 * An authenticated leg only brings SSRCs its peer keyed; a plain one
 * could bring any number, each a stream libsrtp2 allocates.
 */
static inline bool
ssrc_known(struct dsbc_term *t, const uint8_t *p, size_t len, bool rtcp)
{
	uint32_t ssrc;
	unsigned int i;

	if (t == NULL || len < (rtcp ? 8u : 12u))
		return t != NULL;
	ssrc = pkt_ssrc(p, rtcp);
	for (i = 0; i < t->nb_ssrc; i++)
		if (t->ssrc[i] == ssrc)
			return true;
	if (t->nb_ssrc == DSBC_TERM_SSRC_MAX)
		return false;
	t->ssrc[t->nb_ssrc++] = ssrc;
	return true;
}

/*
 * The cryptodev engine works on an mbuf holding the RTP packet alone: m
 * is narrowed to it around one protect (outbound) or unprotect and given
 * its frame back after; *len is the packet's new length.  0, or -EALREADY
 * (index seen or sent already), -EBADMSG, -EINVAL.
 */
static int
cdev_transform(struct dsbc_worker *w, struct dsbc_srtp_cdev_sess *s,
	       bool outbound, struct rte_mbuf *m, uint32_t off, size_t *len)
{
	uint16_t data_off = m->data_off;
	int res = -EINVAL;

	m->data_off = (uint16_t)(m->data_off + off);
	m->data_len = (uint16_t)*len;
	m->pkt_len = m->data_len;
	w->st.srtp_cdev_ops++;
	if (outbound)
		dsbc_srtp_cdev_protect(&w->cdev, s, &m, 1, &res);
	else
		dsbc_srtp_cdev_unprotect(&w->cdev, s, &m, 1, &res);
	*len = m->data_len;
	m->data_off = data_off;
	return res;
}

enum dsbc_drop
dsbc_term_transform(struct dsbc_worker *w, struct dsbc_flow *f,
		    const struct dsbc_flow *ftx, struct rte_mbuf *m,
		    uint32_t off, uint32_t *len, enum dsbc_demux_class cls)
{
	uint8_t *payload = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	size_t cap = m->buf_len - (m->data_off + off);
	struct dsbc_term *t = f->term != 0 ? &w->term[f->term - 1] : NULL;
	struct dsbc_term *tt = ftx->term != 0 ? &w->term[ftx->term - 1] : NULL;
	bool rtcp = cls == DSBC_DEMUX_RTCP;
	size_t l = *len;
	int rc;

	if (cls != DSBC_DEMUX_RTP && !rtcp)
		return DSBC_DROP_MAX;
	if (unlikely((f->spec.flags & DSBC_FLOW_F_RTP_ONLY && rtcp) ||
		     (f->spec.flags & DSBC_FLOW_F_RTCP_ONLY && !rtcp)))
		return DSBC_DROP_SRTP_WRONG_PORT;
	if (f->spec.srtp_in != DSBC_KEYING_NONE) {
		if (t == NULL || t->rx == NULL)
			goto no_keys;
		/* RFC 3711 3.3: index estimated, replay checked, then
		 * authenticated and decrypted */
		if (!rtcp && t->has_crx && l >= 12 &&
		    (!t->crx_bound || t->crx_ssrc == rtp_ssrc(payload))) {
			rc = cdev_transform(w, &t->crx, false, m, off, &l);
			if (rc == 0 && !t->crx_bound) {
				t->crx_ssrc = rtp_ssrc(payload);
				t->crx_bound = true;
			}
		} else {
			rc = dsbc_srtp_lib_unprotect(t->rx, payload, &l, rtcp);
		}
		if (unlikely(rc != 0)) {
			if (rc == -EBADMSG) {
				t->auth_fail++;
				return DSBC_DROP_SRTP_AUTH;
			}
			if (rc == -EALREADY) {
				t->replayed++;
				return DSBC_DROP_SRTP_REPLAY;
			}
			return DSBC_DROP_SRTP_MALFORMED;
		}
		t->unprotected++;
	}
	if (f->spec.srtp_out != DSBC_KEYING_NONE) {
		if (tt == NULL || tt->tx == NULL)
			goto no_keys;
		if (unlikely(!ssrc_known(tt, payload, l, rtcp)))
			return DSBC_DROP_SRTP_SSRC_LIMIT;
		if (!rtcp && tt->has_ctx && l >= 12 &&
		    (!tt->ctx_bound || tt->ctx_ssrc == rtp_ssrc(payload))) {
			tt->ctx_ssrc = rtp_ssrc(payload);
			tt->ctx_bound = true;
			rc = cdev_transform(w, &tt->ctx, true, m, off, &l);
		} else {
			rc = dsbc_srtp_lib_protect(tt->tx, payload, &l, cap,
						   rtcp);
		}
		if (unlikely(rc != 0)) {
			if (rc == -EALREADY) {
				/* an index already sent: never twice under
				 * one key (RFC 3711 9.1) */
				if (t != NULL)
					t->replayed++;
				return DSBC_DROP_SRTP_REPLAY;
			}
			return rc == -ENOSPC ? DSBC_DROP_NO_TAILROOM :
					       DSBC_DROP_SRTP_MALFORMED;
		}
		/* counted on the flow the packet arrived on */
		if (t != NULL)
			t->protected_pkts++;
	}
	*len = (uint32_t)l;
	return DSBC_DROP_MAX;
no_keys:
	if (t != NULL)
		t->no_keys++;
	return DSBC_DROP_SRTP_NO_KEYS;
}
