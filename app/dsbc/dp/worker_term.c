/* SPDX-License-Identifier: BSD-3-Clause */
/* Terminator mode in the worker: see worker_term.h. */
#include <errno.h>
#include <stddef.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dsbc_srtp_lib.h"
#include "dp/worker.h"
#include "dp/worker_term.h"

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
dev_sessions_free(struct dsbc_worker *w, struct dsbc_term_dev *d)
{
	if (d->has)
		dsbc_srtp_cdev_sess_fini(&w->cdev, &d->s);
	if (d->has_rtcp)
		dsbc_srtp_cdev_sess_fini(&w->cdev, &d->rs);
	d->has = false;
	d->has_rtcp = false;
}

static void
term_sessions_free(struct dsbc_worker *w, struct dsbc_term *t)
{
	dsbc_srtp_lib_free(t->rx);
	dsbc_srtp_lib_free(t->tx);
	t->rx = NULL;
	t->tx = NULL;
	dev_sessions_free(w, &t->drx);
	dev_sessions_free(w, &t->dtx);
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
		struct dsbc_term_dev *d = k->dir == DSBC_KEYS_TX ? &t->dtx :
								   &t->drx;

		/* new keys: a new start for both engines (libsrtp2's session
		 * above is new too) */
		dev_sessions_free(w, d);
		memset(d, 0, offsetof(struct dsbc_term_dev, s));
		/* the device takes the RTP and the SRTCP of its suites; a
		 * session it refuses leaves that part to libsrtp2 */
		if (w->app->has_cdev && !w->cdev.wedged &&
		    k->suite != DSBC_KEYS_CLEAR) {
			enum dsbc_srtp_suite su = (enum dsbc_srtp_suite)k->suite;
			bool out = k->dir == DSBC_KEYS_TX;

			/* a flow of an RTP or RTCP port of its own (no
			 * rtcp-mux) needs only the one kind */
			if (!(f->spec.flags & DSBC_FLOW_F_RTCP_ONLY))
				d->has = dsbc_srtp_cdev_sess_init(&w->cdev,
						&d->s, su, k->key, k->salt, out,
						w->term_replay) == 0;
			if (!(f->spec.flags & DSBC_FLOW_F_RTP_ONLY))
				d->has_rtcp = dsbc_srtp_cdev_sess_init_rtcp(
						&w->cdev, &d->rs, su, k->key,
						k->salt, out,
						w->term_replay) == 0;
		}
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

/* A drop on flow state t (NULL: none yet) by reason. */
static inline void
count_drop(struct dsbc_term *t, enum dsbc_drop why)
{
	if (t == NULL)
		return;
	if (why == DSBC_DROP_SRTP_AUTH)
		t->auth_fail++;
	else if (why == DSBC_DROP_SRTP_REPLAY)
		t->replayed++;
	else if (why == DSBC_DROP_SRTP_NO_KEYS)
		t->no_keys++;
}

/* An engine's result as a drop reason (DSBC_DROP_MAX: none). */
static inline enum dsbc_drop
drop_of(int rc)
{
	switch (rc) {
	case 0:
		return DSBC_DROP_MAX;
	case -EBADMSG:
		return DSBC_DROP_SRTP_AUTH;
	case -EALREADY:
		/* inbound a replay; outbound an index already sent, never
		 * encrypted twice under one key (RFC 3711 9.1) */
		return DSBC_DROP_SRTP_REPLAY;
	case -ENOSPC:
		return DSBC_DROP_NO_TAILROOM;
	case -EIO:
		return DSBC_DROP_SRTP_DEVICE;
	case -EUSERS:
		return DSBC_DROP_SRTP_SSRC_LIMIT;
	default:
		return DSBC_DROP_SRTP_MALFORMED;
	}
}

/* dsbc_term_of() for the worker itself: writable, and without the bounds
 * check, as f->term is only ever set by dsbc_term_keys() below */
static inline struct dsbc_term *
term_of(struct dsbc_worker *w, const struct dsbc_flow *f)
{
	return f->term != 0 ? &w->term[f->term - 1] : NULL;
}

static inline uint8_t *
pkt_bytes(const struct dsbc_term_pkt *p)
{
	return rte_pktmbuf_mtod_offset(p->m, uint8_t *, p->off);
}

/* A job for the device on packet p: jobs j, n of them so far. */
static inline void
job_add(struct dsbc_srtp_cdev_job *j, uint16_t *n, struct dsbc_term_pkt *p,
	struct dsbc_srtp_cdev_sess *s)
{
	j += *n;
	j->m = p->m;
	j->s = s;
	j->off = p->off;
	j->len = p->len;
	p->job = (int16_t)(*n)++;
}

static inline bool
lib_has(const struct dsbc_term_dev *d, uint32_t ssrc)
{
	unsigned int i;

	for (i = 0; i < d->nb_lib; i++)
		if (d->lib[i] == ssrc)
			return true;
	return false;
}

/* RTP of SSRC ssrc goes through libsrtp2 in this direction: remembered,
 * so that it never moves to the device; when there is no room left to
 * remember it, no SSRC binds any more. */
static inline void
lib_note(struct dsbc_term_dev *d, uint32_t ssrc)
{
	if (d->bound && d->ssrc == ssrc)
		return;
	if (lib_has(d, ssrc))
		return;
	if (d->nb_lib < DSBC_TERM_SSRC_MAX)
		d->lib[d->nb_lib++] = ssrc;
	else
		d->closed = true;
}

enum engine { ENGINE_LIB, ENGINE_DEV, ENGINE_NONE, ENGINE_BAD };

/* A packet of the device's stream it does not take: ENGINE_BAD when
 * malformed, ENGINE_NONE when its header is one the device cannot take. */
static inline enum engine
device_or_drop(const struct dsbc_srtp_cdev_sess *s, const uint8_t *b,
	       uint32_t len)
{
	int rc = dsbc_srtp_cdev_check(s, b, len);

	return rc == 0 ? ENGINE_DEV : rc == -EINVAL ? ENGINE_BAD :
						      ENGINE_NONE;
}

/* Which engine takes this RTP/RTCP packet in direction d (see struct
 * dsbc_term_dev), in batch run: ENGINE_NONE or ENGINE_BAD when it is the
 * device's stream but not a packet the device can take (dropped). */
static inline enum engine
engine_of(struct dsbc_term_dev *d, const uint8_t *b, uint32_t len, bool rtcp,
	  uint64_t run, bool wedged)
{
	uint32_t ssrc;

	/* SRTCP has an index of its own, carried in the packet: the device
	 * takes all of a direction's, whatever the SSRC, from its keys on */
	if (rtcp)
		return !d->has_rtcp ? ENGINE_LIB :
		       device_or_drop(&d->rs, b, len);
	if (!d->has || len < 12)
		return ENGINE_LIB;
	/* a binding no packet confirmed in its batch is undone (the SSRCs
	 * libsrtp2 took meanwhile stay there) */
	if (d->tentative && d->tentative_run != run) {
		d->bound = false;
		d->tentative = false;
	}
	ssrc = rtp_ssrc(b);
	if (d->bound) {
		if (d->ssrc != ssrc) {
			lib_note(d, ssrc);
			return ENGINE_LIB;
		}
		return device_or_drop(&d->s, b, len);
	}
	/* a device given up takes no new stream (one it has keeps its
	 * state there: it is not moved) */
	if (d->closed || wedged || lib_has(d, ssrc) ||
	    !dsbc_srtp_cdev_fits(&d->s, b, len)) {
		lib_note(d, ssrc);
		return ENGINE_LIB;
	}
	d->bound = true;
	d->ssrc = ssrc;
	d->tentative = !d->s.outbound;
	d->tentative_run = run;
	return ENGINE_DEV;
}

/*
 * Packet p in direction d: true when it is dealt with here, as a job
 * added to jobs (n of them so far) or dropped (p->why set); false when
 * libsrtp2 is to do it now.
 */
static inline bool
to_device(struct dsbc_worker *w, struct dsbc_term_dev *d,
	  struct dsbc_srtp_cdev_job *jobs, uint16_t *n,
	  struct dsbc_term_pkt *p)
{
	switch (engine_of(d, pkt_bytes(p), p->len, p->rtcp, w->tb.runs,
			  w->cdev.wedged)) {
	case ENGINE_DEV:
		job_add(jobs, n, p, p->rtcp ? &d->rs : &d->s);
		return true;
	case ENGINE_NONE:
		p->why = DSBC_DROP_SRTP_HEADER;
		return true;
	case ENGINE_BAD:
		p->why = DSBC_DROP_SRTP_MALFORMED;
		return true;
	case ENGINE_LIB:
		break;
	}
	return false;
}

/* What the device did to p's job in jobs, if it had one: its mbuf (NULL
 * if the device kept it), length and outcome; the job's result. */
static inline int
job_take(struct dsbc_term_pkt *p, const struct dsbc_srtp_cdev_job *jobs)
{
	const struct dsbc_srtp_cdev_job *j;

	if (p->job < 0)
		return -1;
	j = &jobs[p->job];
	p->m = j->m;
	p->len = j->len;
	p->why = drop_of(j->res);
	return j->res;
}

/*
 * RFC 3711 3.3: unprotect with the in leg's keys (index estimated, replay
 * checked, authenticated, decrypted): a job for the device, or libsrtp2
 * now.
 */
static void
unprotect_begin(struct dsbc_worker *w, struct dsbc_term_pkt *p)
{
	struct dsbc_term *t = term_of(w, p->f);
	uint8_t *b = pkt_bytes(p);
	size_t l = p->len;
	int rc;

	p->job = -1;
	if (p->f->spec.srtp_in == DSBC_KEYING_NONE)
		return;
	if (t == NULL || t->rx == NULL) {
		p->why = DSBC_DROP_SRTP_NO_KEYS;
		return;
	}
	if (to_device(w, &t->drx, w->tb.jrx, &w->tb.nrx, p))
		return;
	rc = dsbc_srtp_lib_unprotect(t->rx, b, &l, p->rtcp);
	p->why = drop_of(rc);
	p->len = (uint16_t)l;
}

static void
unprotect_end(struct dsbc_worker *w, struct dsbc_term_pkt *p)
{
	struct dsbc_term *t = term_of(w, p->f);

	if (p->clear)
		return;     /* unprotected before it was held */
	/* an authentic RTP packet confirms its SSRC's binding (SRTCP's
	 * have none) */
	if (job_take(p, w->tb.jrx) == 0 && !p->rtcp)
		t->drx.tentative = false;
	if (p->why == DSBC_DROP_MAX && p->f->spec.srtp_in != DSBC_KEYING_NONE)
		t->unprotected++;
}

/* Protect with dsbc's keys on the out leg: a job for the device, or
 * libsrtp2 now. */
static void
protect_begin(struct dsbc_worker *w, struct dsbc_term_pkt *p)
{
	struct dsbc_term *tt = term_of(w, p->ftx);
	uint8_t *b = pkt_bytes(p);
	size_t l = p->len;
	int rc;

	p->job = -1;
	if (p->f->spec.srtp_out == DSBC_KEYING_NONE)
		return;
	if (tt == NULL || tt->tx == NULL) {
		p->why = DSBC_DROP_SRTP_NO_KEYS;
		return;
	}
	if (unlikely(!ssrc_known(tt, b, l, p->rtcp))) {
		p->why = DSBC_DROP_SRTP_SSRC_LIMIT;
		return;
	}
	if (to_device(w, &tt->dtx, w->tb.jtx, &w->tb.ntx, p))
		return;
	rc = dsbc_srtp_lib_protect(tt->tx, b, &l,
			p->m->buf_len - (p->m->data_off + p->off), p->rtcp);
	p->why = drop_of(rc);
	p->len = (uint16_t)l;
}

static void
protect_end(struct dsbc_worker *w, struct dsbc_term_pkt *p)
{
	struct dsbc_term *t = term_of(w, p->f);

	job_take(p, w->tb.jtx);
	/* counted on the flow the packet arrived on */
	if (p->why == DSBC_DROP_MAX && p->f->spec.srtp_out != DSBC_KEYING_NONE &&
	    t != NULL)
		t->protected_pkts++;
}

/* One pass's n jobs through the device, if any. */
static void
device_run(struct dsbc_worker *w, struct dsbc_srtp_cdev_job *j, uint16_t *n)
{
	if (*n == 0)
		return;
	w->st.srtp_cdev_ops += dsbc_srtp_cdev_run(&w->cdev, j, *n);
	*n = 0;
}

enum dsbc_drop
dsbc_term_check(const struct dsbc_flow *f, const struct rte_mbuf *m,
		uint32_t off, uint32_t len, enum dsbc_demux_class cls)
{
	bool rtcp = cls == DSBC_DEMUX_RTCP;

	if (cls != DSBC_DEMUX_RTP && !rtcp)
		return DSBC_DROP_SRTP_MALFORMED;
	if (unlikely((f->spec.flags & DSBC_FLOW_F_RTP_ONLY && rtcp) ||
		     (f->spec.flags & DSBC_FLOW_F_RTCP_ONLY && !rtcp)))
		return DSBC_DROP_SRTP_WRONG_PORT;
	if (unlikely(off + len > m->data_len || len > UINT16_MAX))
		return DSBC_DROP_SRTP_MALFORMED;
	return DSBC_DROP_MAX;
}

void
dsbc_term_keyless(struct dsbc_worker *w, struct dsbc_flow *f)
{
	count_drop(term_of(w, f), DSBC_DROP_SRTP_NO_KEYS);
}

bool
dsbc_term_rx_keyed(struct dsbc_worker *w, const struct dsbc_flow *f)
{
	const struct dsbc_term *t = term_of(w, f);

	return f->spec.srtp_in == DSBC_KEYING_NONE ||
	       (t != NULL && t->rx != NULL);
}

bool
dsbc_term_tx_keyed(struct dsbc_worker *w, const struct dsbc_flow *f,
		   const struct dsbc_flow *ftx)
{
	const struct dsbc_term *tt = term_of(w, ftx);

	return f->spec.srtp_out == DSBC_KEYING_NONE ||
	       (tt != NULL && tt->tx != NULL);
}

enum dsbc_drop
dsbc_term_park(struct dsbc_worker *w, struct dsbc_flow *f,
	       const struct dsbc_flow *ftx, struct rte_mbuf *m,
	       const struct dsbc_pkt_info *pi, uint32_t off, uint32_t len,
	       enum dsbc_demux_class cls, bool latch_defer, uint64_t since,
	       bool clear)
{
	struct dsbc_term_pkt *p;
	bool rtcp = cls == DSBC_DEMUX_RTCP;
	enum dsbc_drop why = clear ? DSBC_DROP_MAX :
			     dsbc_term_check(f, m, off, len, cls);

	if (why != DSBC_DROP_MAX)
		return why;
	/* the caller runs the batch as soon as it is full */
	RTE_ASSERT(w->tb.n < DSBC_TERM_BATCH);
	p = &w->tb.p[w->tb.n++];
	p->m = m;
	p->f = f;
	p->ftx = ftx;
	p->pi = pi;
	p->off = (uint16_t)off;
	p->len = (uint16_t)len;
	p->rtcp = rtcp;
	p->latch_defer = latch_defer;
	p->since = since;
	p->clear = clear;
	p->why = DSBC_DROP_MAX;
	p->job = -1;
	if (!clear)
		unprotect_begin(w, p);
	return DSBC_DROP_MAX;
}

void
dsbc_term_run(struct dsbc_worker *w)
{
	struct dsbc_term_batch *tb = &w->tb;
	uint16_t i;

	device_run(w, tb->jrx, &tb->nrx);
	/* protect jobs go to jtx: the unprotect results in jrx stay */
	for (i = 0; i < tb->n; i++) {
		struct dsbc_term_pkt *p = &tb->p[i];

		unprotect_end(w, p);
		if (p->why == DSBC_DROP_MAX)
			protect_begin(w, p);
		else
			p->job = -1;
	}
	device_run(w, tb->jtx, &tb->ntx);
	tb->runs++;
}

enum dsbc_drop
dsbc_term_done(struct dsbc_worker *w, struct dsbc_term_pkt *p)
{
	if (p->job >= 0 || p->why == DSBC_DROP_MAX)
		protect_end(w, p);
	/* keyless ones are counted when dropped, not when held */
	if (p->why != DSBC_DROP_MAX && p->why != DSBC_DROP_SRTP_NO_KEYS)
		count_drop(term_of(w, p->f), p->why);
	return (enum dsbc_drop)p->why;
}
