/* SPDX-License-Identifier: BSD-3-Clause */
/* The cryptodev SRTP engine (see dsbc_srtp_cdev.h). */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "dsbc_srtp_cdev.h"

#define ROC_LEN 4
#define GCM_TAG_LEN 16
/* each op's private area: the IV (16 bytes), then the job it is for */
#define IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define JOB_OFFSET (IV_OFFSET + 16)
#define OP_PRIV 32
/* A software device completes ops within the enqueue; a hardware one
 * within microseconds.  Past this many polls (milliseconds) the device is
 * taken as wedged: it keeps the mbufs of what it did not return. */
#define DRAIN_POLLS_MAX 100000u

int
dsbc_srtp_cdev_init(struct dsbc_srtp_cdev *e, uint8_t dev_id, uint16_t nb_qp,
		    unsigned int nb_sessions, int socket)
{
	struct rte_cryptodev_config conf = {
		.socket_id = socket, .nb_queue_pairs = nb_qp,
	};
	uint16_t q;
	struct rte_cryptodev_qp_conf qp = { .nb_descriptors = 2048 };
	char name[RTE_MEMPOOL_NAMESIZE];

	memset(e, 0, sizeof(*e));
	e->dev_id = dev_id;
	snprintf(name, sizeof(name), "dsbc_srtp_sess_%u", dev_id);
	e->sess_pool = rte_cryptodev_sym_session_pool_create(name, nb_sessions,
			rte_cryptodev_sym_get_private_session_size(dev_id), 0, 0,
			socket);
	snprintf(name, sizeof(name), "dsbc_srtp_ops_%u", dev_id);
	e->op_pool = rte_crypto_op_pool_create(name,
			RTE_CRYPTO_OP_TYPE_SYMMETRIC,
			4096 + (unsigned int)nb_qp * DSBC_SRTP_CDEV_BURST, 64,
			OP_PRIV, socket);
	if (e->sess_pool == NULL || e->op_pool == NULL)
		goto fail;
	qp.mp_session = e->sess_pool;
	if (nb_qp == 0 || rte_cryptodev_configure(dev_id, &conf) != 0)
		goto fail;
	for (q = 0; q < nb_qp; q++)
		if (rte_cryptodev_queue_pair_setup(dev_id, q, &qp, socket) != 0)
			goto fail;
	if (rte_cryptodev_start(dev_id) != 0)
		goto fail;
	if (rte_crypto_op_bulk_alloc(e->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
				     e->ops, DSBC_SRTP_CDEV_BURST) == 0) {
		rte_cryptodev_stop(dev_id);
		goto fail;
	}
	return 0;
fail:
	rte_mempool_free(e->op_pool);
	rte_mempool_free(e->sess_pool);
	e->op_pool = NULL;
	e->sess_pool = NULL;
	return -ENOMEM;
}

int
dsbc_srtp_cdev_qp_init(const struct dsbc_srtp_cdev *e, uint16_t qp,
		       struct dsbc_srtp_cdev *h)
{
	*h = *e;
	h->qp = qp;
	h->wedged = false;
	if (rte_crypto_op_bulk_alloc(h->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
				     h->ops, DSBC_SRTP_CDEV_BURST) == 0) {
		h->op_pool = NULL;
		return -ENOMEM;
	}
	return 0;
}

void
dsbc_srtp_cdev_qp_fini(struct dsbc_srtp_cdev *h)
{
	/* a wedged device may still hold some: those are not given back */
	if (h->op_pool != NULL && h->ops[0] != NULL && !h->wedged)
		rte_mempool_put_bulk(h->op_pool, (void **)h->ops,
				     DSBC_SRTP_CDEV_BURST);
	h->op_pool = NULL;
}

void
dsbc_srtp_cdev_fini(struct dsbc_srtp_cdev *e)
{
	struct rte_mempool *op_pool = e->op_pool;

	dsbc_srtp_cdev_qp_fini(e);
	rte_cryptodev_stop(e->dev_id);
	rte_cryptodev_close(e->dev_id);
	rte_mempool_free(op_pool);
	rte_mempool_free(e->sess_pool);
}

bool
dsbc_srtp_cdev_has_suite(enum dsbc_srtp_suite s)
{
	return s == DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80 ||
	       s == DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 ||
	       s == DSBC_SRTP_SUITE_AEAD_AES_128_GCM;
}

/* The device session of an AES-CM suite: encrypt then authenticate
 * (RFC 3711 3.1), or verify then decrypt (3.3). */
static void *
sess_aes_cm(struct dsbc_srtp_cdev *e, const struct dsbc_srtp_cdev_sess *s,
	    const uint8_t ke[16], const uint8_t ka[20])
{
	struct rte_crypto_sym_xform auth = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.auth = {
			.op = s->outbound ? RTE_CRYPTO_AUTH_OP_GENERATE :
					    RTE_CRYPTO_AUTH_OP_VERIFY,
			.algo = RTE_CRYPTO_AUTH_SHA1_HMAC,
			.key = { .data = ka, .length = 20 },
			.digest_length = s->tag_len,
		},
	};
	struct rte_crypto_sym_xform cipher = {
		.type = RTE_CRYPTO_SYM_XFORM_CIPHER,
		.cipher = {
			.op = s->outbound ? RTE_CRYPTO_CIPHER_OP_ENCRYPT :
					    RTE_CRYPTO_CIPHER_OP_DECRYPT,
			.algo = RTE_CRYPTO_CIPHER_AES_CTR,
			.key = { .data = ke, .length = 16 },
			.iv = { .offset = IV_OFFSET, .length = 16 },
		},
	};

	if (s->outbound)
		cipher.next = &auth;
	else
		auth.next = &cipher;
	return rte_cryptodev_sym_session_create(e->dev_id,
			s->outbound ? &cipher : &auth, e->sess_pool);
}

/* RFC 7714 section 8: AES-GCM, the RTP header as AAD, a 16-byte tag. */
static void *
sess_gcm(struct dsbc_srtp_cdev *e, const struct dsbc_srtp_cdev_sess *s,
	 const uint8_t ke[16], uint16_t aad_len)
{
	struct rte_crypto_sym_xform aead = {
		.type = RTE_CRYPTO_SYM_XFORM_AEAD,
		.aead = {
			.op = s->outbound ? RTE_CRYPTO_AEAD_OP_ENCRYPT :
					    RTE_CRYPTO_AEAD_OP_DECRYPT,
			.algo = RTE_CRYPTO_AEAD_AES_GCM,
			.key = { .data = ke, .length = 16 },
			.iv = { .offset = IV_OFFSET, .length = 12 },
			.digest_length = GCM_TAG_LEN,
			.aad_length = aad_len,
		},
	};

	return rte_cryptodev_sym_session_create(e->dev_id, &aead,
						e->sess_pool);
}

int
dsbc_srtp_cdev_sess_init_keys(struct dsbc_srtp_cdev *e,
			      struct dsbc_srtp_cdev_sess *s,
			      enum dsbc_srtp_suite suite, const uint8_t ke[16],
			      const uint8_t ka[20], const uint8_t *salt,
			      bool outbound, unsigned int replay_window)
{
	const struct dsbc_srtp_suite_info *si = dsbc_srtp_suite_info(suite);
	unsigned int i;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!dsbc_srtp_cdev_has_suite(suite))
		return -ENOTSUP;
	s->outbound = outbound;
	s->gcm = suite == DSBC_SRTP_SUITE_AEAD_AES_128_GCM;
	s->tag_len = s->gcm ? GCM_TAG_LEN :
		     suite == DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 ? 4 : 10;
	if ((!s->gcm && ka == NULL) ||
	    dsbc_srtp_replay_init(&s->replay, replay_window) != 0)
		return -EINVAL;
	memcpy(s->salt, salt, si->salt_len);
	/* the salt as the IV's two words (big-endian, zero-padded) */
	memcpy(s->salt_w, s->salt, si->salt_len);
	if (!s->gcm) {
		s->sess[0] = sess_aes_cm(e, s, ke, ka);
		rc = s->sess[0] != NULL ? 0 : rte_errno != 0 ? -rte_errno :
							     -ENOMEM;
	}
	for (i = 0; s->gcm && i < DSBC_SRTP_CDEV_NB_AAD && rc == 0; i++) {
		s->sess[i] = sess_gcm(e, s, ke, (uint16_t)(12 + 4 * i));
		rc = s->sess[i] != NULL ? 0 : rte_errno != 0 ? -rte_errno :
							     -ENOMEM;
	}
	if (rc != 0)
		dsbc_srtp_cdev_sess_fini(e, s);
	return rc;
}

int
dsbc_srtp_cdev_sess_init(struct dsbc_srtp_cdev *e,
			 struct dsbc_srtp_cdev_sess *s,
			 enum dsbc_srtp_suite suite,
			 const uint8_t master_key[16],
			 const uint8_t *master_salt,
			 bool outbound, unsigned int replay_window)
{
	const struct dsbc_srtp_suite_info *si = dsbc_srtp_suite_info(suite);
	uint8_t ke[16], ka[20], ks[DSBC_SRTP_SALT_LEN];
	uint8_t ms[DSBC_SRTP_SALT_LEN] = { 0 };
	int rc = -EINVAL;

	memset(s, 0, sizeof(*s));
	if (!dsbc_srtp_cdev_has_suite(suite))
		return -ENOTSUP;
	memcpy(ms, master_salt, si->salt_len);
	if (dsbc_srtp_kdf(master_key, 16, ms, DSBC_SRTP_LABEL_RTP_ENC, 0, ke,
			  16) == 0 &&
	    dsbc_srtp_kdf(master_key, 16, ms, DSBC_SRTP_LABEL_RTP_AUTH, 0, ka,
			  20) == 0 &&
	    dsbc_srtp_kdf(master_key, 16, ms, DSBC_SRTP_LABEL_RTP_SALT, 0, ks,
			  si->salt_len) == 0)
		rc = dsbc_srtp_cdev_sess_init_keys(e, s, suite, ke, ka, ks,
						   outbound, replay_window);
	memset(ke, 0, sizeof(ke));
	memset(ka, 0, sizeof(ka));
	memset(ks, 0, sizeof(ks));
	memset(ms, 0, sizeof(ms));
	return rc;
}

void
dsbc_srtp_cdev_sess_fini(struct dsbc_srtp_cdev *e, struct dsbc_srtp_cdev_sess *s)
{
	unsigned int i;

	/* a device that stopped answering may still hold ops on them:
	 * they are left to it */
	for (i = 0; i < DSBC_SRTP_CDEV_NB_AAD; i++) {
		if (s->sess[i] != NULL && !e->wedged)
			rte_cryptodev_sym_session_free(e->dev_id, s->sess[i]);
		s->sess[i] = NULL;
	}
}

/*
 * The index of seq (3.3.1), from the highest one so far (roc, last).  A
 * leap forward before the first wrap is still ROC 0: there is no ROC
 * below it to fall back to (as libsrtp2 does).
 */
static inline uint64_t
index_of(bool started, uint32_t roc, uint16_t last, uint16_t seq)
{
	uint64_t idx;

	if (!started)
		return seq;
	idx = dsbc_srtp_index_guess(roc, last, seq);
	if (roc == 0 && (idx >> 16) != 0 && seq > last)
		idx = seq;
	return idx;
}

static inline bool
beyond(bool started, uint32_t roc, uint16_t last, uint64_t idx)
{
	return !started || idx > (((uint64_t)roc << 16) | last);
}

/* Outbound: index idx (sequence number seq) is to be encrypted now. */
static inline int
claim_index(struct dsbc_srtp_cdev_sess *s, uint64_t idx, uint16_t seq)
{
	if (dsbc_srtp_replay_check(&s->replay, idx) != 0)
		return -EALREADY;
	dsbc_srtp_replay_update(&s->replay, idx);
	if (beyond(s->started, s->roc, s->last_seq, idx)) {
		s->roc = (uint32_t)(idx >> 16);
		s->last_seq = seq;
	}
	s->started = true;
	return 0;
}

/* The op's IV and the fields common to both suites. */
static inline void
op_iv(struct rte_crypto_op *op, const struct dsbc_srtp_cdev_sess *s,
      const uint8_t *p, uint32_t h, uint64_t idx)
{
	uint32_t ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
			(uint32_t)p[10] << 8 | p[11];
	uint8_t *iv = rte_crypto_op_ctod_offset(op, uint8_t *, IV_OFFSET);

	uint64_t hi, lo;

	/* built in two words and stored once: the device reads it next */
	if (s->gcm) {
		/* RFC 7714 8.1: 00 00 || SSRC || ROC || SEQ, XOR the salt */
		hi = (uint64_t)ssrc << 16 | (idx >> 32 & 0xffff);
		lo = (idx & 0xffffffff) << 32;
	} else {
		/* RFC 3711 4.1.1: salt * 2^16 XOR SSRC * 2^64 XOR i * 2^16 */
		hi = ssrc;
		lo = idx << 16;
	}
	hi = rte_cpu_to_be_64(hi) ^ s->salt_w[0];
	lo = rte_cpu_to_be_64(lo) ^ s->salt_w[1];
	memcpy(iv, &hi, 8);
	memcpy(iv + 8, &lo, 8);
	rte_crypto_op_attach_sym_session(op,
			s->sess[s->gcm ? (h - 12) / 4 : 0]);
}

/*
 * AES-CM: the packet laid out as packet || ROC || tag, `end` bytes up to
 * the tag: the ROC written, AES-CTR over the payload up to the ROC, HMAC
 * over all before the tag (4.2), the tag at `end`.  Offsets are from the
 * mbuf's data, where the packet starts at off.
 */
static inline void
op_aes_cm(struct rte_crypto_op *op, struct rte_mbuf *m, uint32_t off,
	  uint64_t idx, uint32_t h, uint32_t end)
{
	struct rte_crypto_sym_op *sym = op->sym;
	uint8_t *roc = rte_pktmbuf_mtod_offset(m, uint8_t *,
					       off + end - ROC_LEN);

	roc[0] = (uint8_t)(idx >> 40);
	roc[1] = (uint8_t)(idx >> 32);
	roc[2] = (uint8_t)(idx >> 24);
	roc[3] = (uint8_t)(idx >> 16);
	sym->m_src = m;
	sym->cipher.data.offset = off + h;
	sym->cipher.data.length = end - ROC_LEN - h;
	sym->auth.data.offset = off;
	sym->auth.data.length = end;
	sym->auth.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *, off + end);
	sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(m, off + end);
}

/* GCM (RFC 7714 section 8.2): header h bytes as AAD, `body` bytes of
 * payload encrypted, the tag right after it. */
static inline void
op_gcm(struct rte_crypto_op *op, struct rte_mbuf *m, uint32_t off,
       uint32_t h, uint32_t body)
{
	struct rte_crypto_sym_op *sym = op->sym;

	sym->m_src = m;
	sym->aead.data.offset = off + h;
	sym->aead.data.length = body;
	sym->aead.aad.data = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	sym->aead.aad.phys_addr = rte_pktmbuf_iova_offset(m, off);
	sym->aead.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *,
							off + h + body);
	sym->aead.digest.phys_addr = rte_pktmbuf_iova_offset(m, off + h + body);
}

/* Room after the packet: the mbuf's data is made to end where the packet
 * does (an Ethernet trailer is dropped), then `need` more bytes fit. */
static inline bool
room(struct rte_mbuf *m, uint32_t end, uint32_t need)
{
	m->data_len = (uint16_t)end;
	m->pkt_len = end;
	return rte_pktmbuf_tailroom(m) >= need;
}

/* Protect: the index the receiver will estimate, claimed before any
 * crypto; room made for what is appended.  0 or why not. */
static int
prep_protect(struct dsbc_srtp_cdev_job *j, struct rte_crypto_op *op)
{
	struct dsbc_srtp_cdev_sess *s = j->s;
	uint8_t *p = rte_pktmbuf_mtod_offset(j->m, uint8_t *, j->off);
	uint32_t h = dsbc_rtp_hdr_len(p, j->len);
	uint32_t add = s->gcm ? s->tag_len : ROC_LEN + s->tag_len;
	uint16_t seq;

	if (h == 0 || (s->gcm && h > DSBC_SRTP_CDEV_GCM_HDR_MAX))
		return -EINVAL;
	if (!room(j->m, (uint32_t)j->off + j->len, add))
		return -ENOSPC;
	seq = (uint16_t)(p[2] << 8 | p[3]);
	j->index = index_of(s->started, s->roc, s->last_seq, seq);
	if (claim_index(s, j->index, seq) != 0)
		return -EALREADY;
	op_iv(op, s, p, h, j->index);
	j->m->data_len = (uint16_t)(j->m->data_len + add);  /* room() said */
	j->m->pkt_len += add;
	if (s->gcm)
		op_gcm(op, j->m, j->off, h, j->len - h);
	else
		op_aes_cm(op, j->m, j->off, j->index, h, j->len + ROC_LEN);
	return 0;
}

/* Unprotect: index estimated from the highest authenticated one (a
 * forged packet moves nothing), replay list checked before any crypto
 * (3.3.2); AES-CM: the ROC put between payload and tag. */
static int
prep_unprotect(struct dsbc_srtp_cdev_job *j, struct rte_crypto_op *op)
{
	struct dsbc_srtp_cdev_sess *s = j->s;
	uint8_t *p = rte_pktmbuf_mtod_offset(j->m, uint8_t *, j->off);
	uint32_t h, body;
	uint16_t seq;

	if (j->len < 12u + s->tag_len)
		return -EINVAL;
	body = j->len - s->tag_len;
	h = dsbc_rtp_hdr_len(p, body);
	if (h == 0 || (s->gcm && h > DSBC_SRTP_CDEV_GCM_HDR_MAX))
		return -EINVAL;
	if (!room(j->m, (uint32_t)j->off + j->len, s->gcm ? 0 : ROC_LEN))
		return -ENOSPC;
	/* before the first authentic packet there is no such index: ROC 0
	 * (as libsrtp2 does), so a forged packet moves nothing here either;
	 * a stream whose very first burst wraps its sequence loses what
	 * follows the wrap in that burst */
	seq = (uint16_t)(p[2] << 8 | p[3]);
	j->index = index_of(s->started, s->roc, s->last_seq, seq);
	if (dsbc_srtp_replay_check(&s->replay, j->index) != 0)
		return -EALREADY;
	op_iv(op, s, p, h, j->index);
	if (s->gcm) {
		op_gcm(op, j->m, j->off, h, body - h);
		return 0;
	}
	j->m->data_len = (uint16_t)(j->m->data_len + ROC_LEN);
	j->m->pkt_len += ROC_LEN;
	memmove(p + body + ROC_LEN, p + body, s->tag_len);
	op_aes_cm(op, j->m, j->off, j->index, h, body + ROC_LEN);
	return 0;
}

/* What the device did to job j. */
static void
finish(struct dsbc_srtp_cdev_job *j, const struct rte_crypto_op *op)
{
	struct dsbc_srtp_cdev_sess *s = j->s;
	uint8_t *p = rte_pktmbuf_mtod_offset(j->m, uint8_t *, j->off);

	if (op->status != RTE_CRYPTO_OP_STATUS_SUCCESS) {
		j->res = op->status == RTE_CRYPTO_OP_STATUS_AUTH_FAILED ?
			 -EBADMSG : -EIO;
		return;
	}
	if (s->outbound) {
		/* AES-CM: the tag over the ROC (not sent, 4.2) */
		if (!s->gcm)
			memmove(p + j->len, p + j->len + ROC_LEN, s->tag_len);
		j->len = (uint16_t)(j->len + s->tag_len);
	} else {
		/* authentic; the same index twice in one burst is still a
		 * replay (the list is checked again before it moves) */
		if (dsbc_srtp_replay_check(&s->replay, j->index) != 0) {
			j->res = -EALREADY;
			return;
		}
		dsbc_srtp_replay_update(&s->replay, j->index);
		if (beyond(s->started, s->roc, s->last_seq, j->index)) {
			s->roc = (uint32_t)(j->index >> 16);
			s->last_seq = (uint16_t)j->index;
		}
		s->started = true;
		j->len = (uint16_t)(j->len - s->tag_len);
	}
	j->m->data_len = (uint16_t)(j->off + j->len);
	j->m->pkt_len = j->m->data_len;
	j->res = 0;
}

uint16_t
dsbc_srtp_cdev_run(struct dsbc_srtp_cdev *e, struct dsbc_srtp_cdev_job *j,
		   uint16_t n)
{
	struct rte_crypto_op **ops = e->ops;
	struct rte_crypto_op *done[DSBC_SRTP_CDEV_BURST];
	uint16_t i, k = 0, sent, got = 0, ok = 0;
	unsigned int polls = 0;

	for (i = DSBC_SRTP_CDEV_BURST; i < n; i++)
		j[i].res = -EINVAL;             /* the caller's mistake */
	if (n > DSBC_SRTP_CDEV_BURST)
		n = DSBC_SRTP_CDEV_BURST;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct rte_crypto_op *op = ops[k];

		if (unlikely(e->wedged)) {
			j[i].res = -EIO;
			continue;
		}
		if (j[i].m->nb_segs != 1 ||
		    (uint32_t)j[i].off + j[i].len > j[i].m->data_len) {
			j[i].res = -EINVAL;
			continue;
		}
		j[i].res = j[i].s->outbound ? prep_protect(&j[i], op) :
					      prep_unprotect(&j[i], op);
		if (j[i].res != 0)
			continue;
		op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
		*rte_crypto_op_ctod_offset(op, uint16_t *, JOB_OFFSET) = i;
		j[i].res = -EINPROGRESS;
		k++;
	}
	sent = k == 0 ? 0 :
	       rte_cryptodev_enqueue_burst(e->dev_id, e->qp, ops, k);
	for (i = sent; i < k; i++)
		j[*rte_crypto_op_ctod_offset(ops[i], uint16_t *,
					     JOB_OFFSET)].res = -EIO;
	/* synchronous: the burst is back before the worker goes on (a
	 * hardware device would rather be polled with the next RX burst) */
	while (got < sent && polls++ < DRAIN_POLLS_MAX) {
		uint16_t d = rte_cryptodev_dequeue_burst(e->dev_id, e->qp,
							 done, sent - got);

		for (i = 0; i < d; i++) {
			uint16_t x = *rte_crypto_op_ctod_offset(done[i],
						uint16_t *, JOB_OFFSET);

			finish(&j[x], done[i]);
			ok += j[x].res == 0;
		}
		got = (uint16_t)(got + d);
	}
	if (unlikely(got < sent)) {
		/* a wedged device keeps what it did not return, mbufs and
		 * ops included: those jobs lose their mbuf (the caller must
		 * not free it), and the handle takes no more jobs */
		e->wedged = true;
		for (i = 0; i < n; i++)
			if (j[i].res == -EINPROGRESS) {
				j[i].res = -EIO;
				j[i].m = NULL;
			}
	}
	return ok;
}
