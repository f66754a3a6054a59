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
/* each op's private area: the IV (16 bytes), the job it is for (2), and
 * SRTCP GCM's AAD (12: not contiguous in the packet, RFC 7714 9.2) */
#define IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define JOB_OFFSET (IV_OFFSET + 16)
#define AAD_OFFSET (IV_OFFSET + 24)
#define OP_PRIV 48
#define SRTCP_HDR 8                  /* RFC 3550 6.4.1 up to the SSRC */
#define SRTCP_E 0x80000000u          /* RFC 3711 3.4: the E flag */
/* A software device completes ops within the enqueue; a hardware one
 * within microseconds.  Past this many polls (milliseconds) the device is
 * taken as wedged: it keeps the mbufs of what it did not return. */
#define DRAIN_POLLS_MAX 100000u

int
dsbc_srtp_cdev_init(struct dsbc_srtp_cdev *e, uint8_t dev_id, uint16_t nb_qp,
		    unsigned int nb_sessions, uint32_t qp_size, int socket)
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
	if (qp_size != 0)
		qp.nb_descriptors = qp_size;
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

static int
sess_setup(struct dsbc_srtp_cdev *e, struct dsbc_srtp_cdev_sess *s,
	   enum dsbc_srtp_suite suite, const uint8_t ke[16],
	   const uint8_t ka[20], const uint8_t *salt, bool outbound,
	   unsigned int replay_window, bool rtcp)
{
	const struct dsbc_srtp_suite_info *si = dsbc_srtp_suite_info(suite);
	unsigned int i, nb_aad;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!dsbc_srtp_cdev_has_suite(suite))
		return -ENOTSUP;
	s->outbound = outbound;
	s->rtcp = rtcp;
	s->gcm = suite == DSBC_SRTP_SUITE_AEAD_AES_128_GCM;
	s->tag_len = s->gcm ? GCM_TAG_LEN :
		     suite == DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 &&
		     !rtcp ? 4 : 10;
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
	/* RTP GCM: one session per header length; SRTCP GCM's AAD is
	 * always the 8-byte header and the E || index word */
	nb_aad = rtcp ? 1 : DSBC_SRTP_CDEV_NB_AAD;
	for (i = 0; s->gcm && i < nb_aad && rc == 0; i++) {
		s->sess[i] = sess_gcm(e, s, ke, (uint16_t)(12 + 4 * i));
		rc = s->sess[i] != NULL ? 0 : rte_errno != 0 ? -rte_errno :
							     -ENOMEM;
	}
	if (rc != 0)
		dsbc_srtp_cdev_sess_fini(e, s);
	return rc;
}

int
dsbc_srtp_cdev_sess_init_keys(struct dsbc_srtp_cdev *e,
			      struct dsbc_srtp_cdev_sess *s,
			      enum dsbc_srtp_suite suite, const uint8_t ke[16],
			      const uint8_t ka[20], const uint8_t *salt,
			      bool outbound, unsigned int replay_window)
{
	return sess_setup(e, s, suite, ke, ka, salt, outbound, replay_window,
			  false);
}

int
dsbc_srtp_cdev_sess_init_keys_rtcp(struct dsbc_srtp_cdev *e,
				   struct dsbc_srtp_cdev_sess *s,
				   enum dsbc_srtp_suite suite,
				   const uint8_t ke[16], const uint8_t ka[20],
				   const uint8_t *salt, bool outbound,
				   unsigned int replay_window)
{
	return sess_setup(e, s, suite, ke, ka, salt, outbound, replay_window,
			  true);
}

/* Session keys from the master key (RFC 3711 4.3): labels 0-2 for SRTP,
 * 3-5 for SRTCP. */
static int
sess_derive(struct dsbc_srtp_cdev *e, struct dsbc_srtp_cdev_sess *s,
	    enum dsbc_srtp_suite suite, const uint8_t master_key[16],
	    const uint8_t *master_salt, bool outbound,
	    unsigned int replay_window, bool rtcp)
{
	const struct dsbc_srtp_suite_info *si = dsbc_srtp_suite_info(suite);
	uint8_t ke[16], ka[20], ks[DSBC_SRTP_SALT_LEN];
	uint8_t ms[DSBC_SRTP_SALT_LEN] = { 0 };
	uint8_t l0 = rtcp ? DSBC_SRTP_LABEL_RTCP_ENC : DSBC_SRTP_LABEL_RTP_ENC;
	int rc = -EINVAL;

	memset(s, 0, sizeof(*s));
	if (!dsbc_srtp_cdev_has_suite(suite))
		return -ENOTSUP;
	memcpy(ms, master_salt, si->salt_len);
	/* the labels of one kind are consecutive: enc, auth, salt */
	if (dsbc_srtp_kdf(master_key, 16, ms, l0, 0, ke, 16) == 0 &&
	    dsbc_srtp_kdf(master_key, 16, ms, l0 + 1, 0, ka, 20) == 0 &&
	    dsbc_srtp_kdf(master_key, 16, ms, l0 + 2, 0, ks,
			  si->salt_len) == 0)
		rc = sess_setup(e, s, suite, ke, ka, ks, outbound,
				replay_window, rtcp);
	memset(ke, 0, sizeof(ke));
	memset(ka, 0, sizeof(ka));
	memset(ks, 0, sizeof(ks));
	memset(ms, 0, sizeof(ms));
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
	return sess_derive(e, s, suite, master_key, master_salt, outbound,
			   replay_window, false);
}

int
dsbc_srtp_cdev_sess_init_rtcp(struct dsbc_srtp_cdev *e,
			      struct dsbc_srtp_cdev_sess *s,
			      enum dsbc_srtp_suite suite,
			      const uint8_t master_key[16],
			      const uint8_t *master_salt,
			      bool outbound, unsigned int replay_window)
{
	return sess_derive(e, s, suite, master_key, master_salt, outbound,
			   replay_window, true);
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

/* A big-endian word in a packet (an SSRC, SRTCP's E || index). */
static inline uint32_t
get_be32(const uint8_t *w)
{
	return (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 |
	       (uint32_t)w[2] << 8 | w[3];
}

static inline void
put_be32(uint8_t *w, uint32_t v)
{
	w[0] = (uint8_t)(v >> 24);
	w[1] = (uint8_t)(v >> 16);
	w[2] = (uint8_t)(v >> 8);
	w[3] = (uint8_t)v;
}

/* The IV, given as two host-order words, XOR the salt, and the device
 * session: built in two words and stored once, the device reads it
 * next. */
static inline void
iv_store(struct rte_crypto_op *op, const struct dsbc_srtp_cdev_sess *s,
	 uint64_t hi, uint64_t lo, void *sess)
{
	uint8_t *iv = rte_crypto_op_ctod_offset(op, uint8_t *, IV_OFFSET);

	hi = rte_cpu_to_be_64(hi) ^ s->salt_w[0];
	lo = rte_cpu_to_be_64(lo) ^ s->salt_w[1];
	memcpy(iv, &hi, 8);
	memcpy(iv + 8, &lo, 8);
	rte_crypto_op_attach_sym_session(op, sess);
}

/* The op's IV and the fields common to both suites. */
static inline void
op_iv(struct rte_crypto_op *op, const struct dsbc_srtp_cdev_sess *s,
      const uint8_t *p, uint32_t h, uint64_t idx)
{
	uint32_t ssrc = get_be32(p + 8);
	uint64_t hi, lo;

	if (s->gcm) {
		/* RFC 7714 8.1: 00 00 || SSRC || ROC || SEQ, XOR the salt */
		hi = (uint64_t)ssrc << 16 | (idx >> 32 & 0xffff);
		lo = (idx & 0xffffffff) << 32;
	} else {
		/* RFC 3711 4.1.1: salt * 2^16 XOR SSRC * 2^64 XOR i * 2^16 */
		hi = ssrc;
		lo = idx << 16;
	}
	iv_store(op, s, hi, lo, s->sess[s->gcm ? (h - 12) / 4 : 0]);
}

/* SRTCP's IV: the same with the sender's SSRC (bytes 4-7) and the SRTCP
 * index, which has no ROC (3.4). */
static inline void
op_iv_rtcp(struct rte_crypto_op *op, const struct dsbc_srtp_cdev_sess *s,
	   const uint8_t *p, uint32_t idx)
{
	uint32_t ssrc = get_be32(p + 4);

	/* RFC 7714 9.1: 00 00 || SSRC || 00 00 || 0 || index (31 bits);
	 * RFC 3711 4.1.1 with i the index */
	if (s->gcm)
		iv_store(op, s, (uint64_t)ssrc << 16, (uint64_t)idx << 32,
			 s->sess[0]);
	else
		iv_store(op, s, ssrc, (uint64_t)idx << 16, s->sess[0]);
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

/*
 * SRTCP's device fields; the packet starts at off, `body` bytes after its
 * 8-byte header are encrypted, ei points at its E || index word.
 * AES-CM (3.4): header || body || E || index || tag, the tag over all
 * before it.  GCM (RFC 7714 9.1, 9.2): header || body || tag || E ||
 * index, the AAD the header and the E || index word, copied next to the
 * IV since they are not contiguous.
 */
static inline void
op_rtcp(struct rte_crypto_op *op, const struct dsbc_srtp_cdev_sess *s,
	struct rte_mbuf *m, uint32_t off, uint32_t body, const uint8_t *ei)
{
	struct rte_crypto_sym_op *sym = op->sym;
	uint32_t tag = off + SRTCP_HDR + body + (s->gcm ? 0 : 4);
	uint8_t *aad;

	sym->m_src = m;
	if (s->gcm) {
		aad = rte_crypto_op_ctod_offset(op, uint8_t *, AAD_OFFSET);
		memcpy(aad, rte_pktmbuf_mtod_offset(m, uint8_t *, off),
		       SRTCP_HDR);
		memcpy(aad + SRTCP_HDR, ei, 4);
		sym->aead.data.offset = off + SRTCP_HDR;
		sym->aead.data.length = body;
		sym->aead.aad.data = aad;
		sym->aead.aad.phys_addr = rte_crypto_op_ctophys_offset(op,
								AAD_OFFSET);
		sym->aead.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *,
								tag);
		sym->aead.digest.phys_addr = rte_pktmbuf_iova_offset(m, tag);
		return;
	}
	sym->cipher.data.offset = off + SRTCP_HDR;
	sym->cipher.data.length = body;
	sym->auth.data.offset = off;
	sym->auth.data.length = tag - off;
	sym->auth.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *, tag);
	sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(m, tag);
}

/* SRTCP protect (3.4): the next index, E set (dsbc always encrypts). */
static int
prep_protect_rtcp(struct dsbc_srtp_cdev_job *j, struct rte_crypto_op *op)
{
	struct dsbc_srtp_cdev_sess *s = j->s;
	uint8_t *p = rte_pktmbuf_mtod_offset(j->m, uint8_t *, j->off);
	uint32_t add = 4u + s->tag_len;
	uint8_t *ei;

	if (j->len < SRTCP_HDR)
		return -EINVAL;
	if (!room(j->m, (uint32_t)j->off + j->len, add))
		return -ENOSPC;
	/* 31 bits: past them the key must change (3.4, 9.2) */
	if (s->srtcp_next > 0x7fffffffu)
		return -EALREADY;
	j->index = s->srtcp_next++;
	ei = p + j->len + (s->gcm ? s->tag_len : 0);
	put_be32(ei, SRTCP_E | (uint32_t)j->index);
	op_iv_rtcp(op, s, p, (uint32_t)j->index);
	j->m->data_len = (uint16_t)(j->m->data_len + add);  /* room() said */
	j->m->pkt_len += add;
	op_rtcp(op, s, j->m, j->off, j->len - SRTCP_HDR, ei);
	return 0;
}

/* The replay list of SRTCP sender ssrc, NULL while it has none. */
static struct dsbc_srtcp_replay *
srtcp_replay_of(struct dsbc_srtp_cdev_sess *s, uint32_t ssrc)
{
	unsigned int i;

	for (i = 0; i < s->nb_srtcp; i++)
		if (s->srtcp[i].ssrc == ssrc)
			return &s->srtcp[i];
	return NULL;
}

/* 0: new; -EALREADY: seen, or older than the 128 below the top */
static inline int
srtcp_replay_check(const struct dsbc_srtcp_replay *r, uint32_t idx)
{
	uint32_t k;

	if (r == NULL || idx > r->top)
		return 0;
	k = r->top - idx;
	if (k >= 128 || (r->bits[k >> 6] >> (k & 63) & 1))
		return -EALREADY;
	return 0;
}

static inline void
srtcp_replay_update(struct dsbc_srtcp_replay *r, uint32_t idx)
{
	uint32_t k;

	if (idx > r->top) {
		k = idx - r->top;
		/* the window moves up by k: bit j becomes bit j + k */
		if (k >= 128) {
			r->bits[1] = 0;
			r->bits[0] = 0;
		} else if (k >= 64) {
			r->bits[1] = r->bits[0] << (k - 64);
			r->bits[0] = 0;
		} else {
			r->bits[1] = r->bits[1] << k | r->bits[0] >> (64 - k);
			r->bits[0] <<= k;
		}
		r->top = idx;
		r->bits[0] |= 1;
		return;
	}
	k = r->top - idx;
	if (k < 128)
		r->bits[k >> 6] |= 1ull << (k & 63);
}

/* SRTCP unprotect: the index is in the packet; its sender's replay list
 * checked before any crypto (3.3.2 applies to SRTCP too). */
static int
prep_unprotect_rtcp(struct dsbc_srtp_cdev_job *j, struct rte_crypto_op *op)
{
	struct dsbc_srtp_cdev_sess *s = j->s;
	uint8_t *p = rte_pktmbuf_mtod_offset(j->m, uint8_t *, j->off);
	uint32_t tail = 4u + s->tag_len, body, w;
	const struct dsbc_srtcp_replay *r;
	const uint8_t *ei;

	if (j->len < SRTCP_HDR + tail)
		return -EINVAL;
	body = j->len - SRTCP_HDR - tail;
	ei = p + (s->gcm ? j->len - 4u : j->len - tail);
	w = get_be32(ei);
	if (!(w & SRTCP_E))
		return -EINVAL;
	j->index = w & ~SRTCP_E;
	r = srtcp_replay_of(s, get_be32(p + 4));
	if (srtcp_replay_check(r, (uint32_t)j->index) != 0)
		return -EALREADY;
	/* a sender beyond the table is refused before any crypto */
	if (r == NULL && s->nb_srtcp == DSBC_SRTP_CDEV_SRTCP_SSRCS)
		return -EUSERS;
	op_iv_rtcp(op, s, p, (uint32_t)j->index);
	op_rtcp(op, s, j->m, j->off, body, ei);
	return 0;
}

/* What the device did to SRTCP job j, which it did. */
static void
finish_rtcp(struct dsbc_srtp_cdev_job *j)
{
	struct dsbc_srtp_cdev_sess *s = j->s;
	const uint8_t *p = rte_pktmbuf_mtod_offset(j->m, uint8_t *, j->off);
	uint16_t tail = (uint16_t)(4u + s->tag_len);

	if (s->outbound) {
		j->len = (uint16_t)(j->len + tail);
	} else {
		/* authentic: checked again (the same index may have come
		 * twice in the burst), then the sender's list moves; a new
		 * sender takes a slot */
		uint32_t ssrc = get_be32(p + 4);
		struct dsbc_srtcp_replay *r = srtcp_replay_of(s, ssrc);

		if (srtcp_replay_check(r, (uint32_t)j->index) != 0) {
			j->res = -EALREADY;
			return;
		}
		if (r == NULL) {
			if (s->nb_srtcp == DSBC_SRTP_CDEV_SRTCP_SSRCS) {
				j->res = -EUSERS;
				return;
			}
			r = &s->srtcp[s->nb_srtcp++];
			r->ssrc = ssrc;
			r->top = (uint32_t)j->index;
			r->bits[0] = 1;
			r->bits[1] = 0;
		} else {
			srtcp_replay_update(r, (uint32_t)j->index);
		}
		j->len = (uint16_t)(j->len - tail);
	}
	j->m->data_len = (uint16_t)(j->off + j->len);
	j->m->pkt_len = j->m->data_len;
	j->res = 0;
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
	if (s->rtcp) {
		finish_rtcp(j);
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
		if (unlikely(j[i].s->rtcp))
			j[i].res = j[i].s->outbound ?
				   prep_protect_rtcp(&j[i], op) :
				   prep_unprotect_rtcp(&j[i], op);
		else
			j[i].res = j[i].s->outbound ?
				   prep_protect(&j[i], op) :
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
