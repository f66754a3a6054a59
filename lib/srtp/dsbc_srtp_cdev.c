/* SPDX-License-Identifier: BSD-3-Clause */
/* The cryptodev SRTP engine (see dsbc_srtp_cdev.h). */
#include <errno.h>
#include <string.h>

#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "dsbc_srtp_cdev.h"

#define TAG_LEN 10                   /* HMAC-SHA1-80 */
#define ROC_LEN 4
#define IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define BURST 32

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
			RTE_CRYPTO_OP_TYPE_SYMMETRIC, 4096, 64, 16, socket);
	if (e->sess_pool == NULL || e->op_pool == NULL)
		return -ENOMEM;
	qp.mp_session = e->sess_pool;
	if (nb_qp == 0 || rte_cryptodev_configure(dev_id, &conf) != 0)
		return -EIO;
	for (q = 0; q < nb_qp; q++)
		if (rte_cryptodev_queue_pair_setup(dev_id, q, &qp, socket) != 0)
			return -EIO;
	if (rte_cryptodev_start(dev_id) != 0)
		return -EIO;
	return 0;
}

void
dsbc_srtp_cdev_fini(struct dsbc_srtp_cdev *e)
{
	rte_cryptodev_stop(e->dev_id);
	rte_mempool_free(e->op_pool);
	rte_mempool_free(e->sess_pool);
}

int
dsbc_srtp_cdev_sess_init(struct dsbc_srtp_cdev *e,
			 struct dsbc_srtp_cdev_sess *s,
			 const uint8_t master_key[16],
			 const uint8_t master_salt[DSBC_SRTP_SALT_LEN],
			 bool outbound, unsigned int replay_window)
{
	uint8_t ke[16], ka[20];
	struct rte_crypto_sym_xform auth = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH,
		.auth = {
			.op = RTE_CRYPTO_AUTH_OP_GENERATE,
			.algo = RTE_CRYPTO_AUTH_SHA1_HMAC,
			.key = { .data = ka, .length = sizeof(ka) },
			.digest_length = TAG_LEN,
		},
	};
	struct rte_crypto_sym_xform cipher = {
		.type = RTE_CRYPTO_SYM_XFORM_CIPHER,
		.next = &auth,
		.cipher = {
			.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT,
			.algo = RTE_CRYPTO_CIPHER_AES_CTR,
			.key = { .data = ke, .length = sizeof(ke) },
			.iv = { .offset = IV_OFFSET, .length = 16 },
		},
	};

	memset(s, 0, sizeof(*s));
	s->outbound = outbound;
	/* inbound: the replay list (3.3.2); outbound: the same list keeps
	 * an index from being encrypted twice (a keystream used twice) */
	if (dsbc_srtp_replay_init(&s->replay, replay_window) != 0)
		return -EINVAL;
	if (!outbound) {
		/* verify, then decrypt (3.3) */
		auth.auth.op = RTE_CRYPTO_AUTH_OP_VERIFY;
		cipher.cipher.op = RTE_CRYPTO_CIPHER_OP_DECRYPT;
		cipher.next = NULL;
		auth.next = &cipher;
	}
	/* encrypt, then authenticate the encrypted packet (3.1) */
	if (dsbc_srtp_kdf(master_key, 16, master_salt,
			  DSBC_SRTP_LABEL_RTP_ENC, 0, ke, 16) != 0 ||
	    dsbc_srtp_kdf(master_key, 16, master_salt,
			  DSBC_SRTP_LABEL_RTP_AUTH, 0, ka, 20) != 0 ||
	    dsbc_srtp_kdf(master_key, 16, master_salt,
			  DSBC_SRTP_LABEL_RTP_SALT, 0, s->salt,
			  DSBC_SRTP_SALT_LEN) != 0)
		return -EINVAL;
	s->sess = rte_cryptodev_sym_session_create(e->dev_id,
						   outbound ? &cipher : &auth,
						   e->sess_pool);
	memset(ke, 0, sizeof(ke));
	memset(ka, 0, sizeof(ka));
	return s->sess != NULL ? 0 : -rte_errno;
}

void
dsbc_srtp_cdev_sess_fini(struct dsbc_srtp_cdev *e, struct dsbc_srtp_cdev_sess *s)
{
	if (s->sess != NULL)
		rte_cryptodev_sym_session_free(e->dev_id, s->sess);
	s->sess = NULL;
}

/* RTP header length (RFC 3550 5.1, 5.3.1), 0 when not RTP. */
static uint32_t
rtp_hdr_len(const uint8_t *p, uint32_t len)
{
	uint32_t h;

	if (len < 12 || (p[0] >> 6) != 2)
		return 0;
	h = 12 + 4u * (p[0] & 0x0f);
	if ((p[0] & 0x10) && len >= h + 4)
		h += 4 + 4u * ((uint32_t)p[h + 2] << 8 | p[h + 3]);
	return h <= len ? h : 0;
}

/* Give back the ops not used, enqueue the k prepared ones. */
static uint16_t
submit(struct dsbc_srtp_cdev *e, struct rte_crypto_op **ops, uint16_t n,
       uint16_t k)
{
	if (k < n)
		rte_mempool_put_bulk(e->op_pool, (void **)&ops[k], n - k);
	return k == 0 ? 0 : rte_cryptodev_enqueue_burst(e->dev_id, e->qp, ops, k);
}

/*
 * One op over RTP packet m (index idx, header h bytes) laid out as
 * packet || ROC || tag, `end` bytes up to the tag: the ROC written, AES-CTR
 * over the payload up to the ROC (4.1.1), HMAC over all before the tag
 * (4.2), the tag at `end`.
 */
static void
op_set(struct rte_crypto_op *op, const struct dsbc_srtp_cdev_sess *s,
       struct rte_mbuf *m, uint64_t idx, uint32_t h, uint32_t end)
{
	struct rte_crypto_sym_op *sym = op->sym;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *), *roc = p + end - ROC_LEN;
	uint32_t ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
			(uint32_t)p[10] << 8 | p[11];

	roc[0] = (uint8_t)(idx >> 40);
	roc[1] = (uint8_t)(idx >> 32);
	roc[2] = (uint8_t)(idx >> 24);
	roc[3] = (uint8_t)(idx >> 16);
	dsbc_srtp_iv(s->salt, ssrc, idx,
		     rte_crypto_op_ctod_offset(op, uint8_t *, IV_OFFSET));
	rte_crypto_op_attach_sym_session(op, s->sess);
	sym->m_src = m;
	sym->cipher.data.offset = h;
	sym->cipher.data.length = end - ROC_LEN - h;
	sym->auth.data.offset = 0;
	sym->auth.data.length = end;
	sym->auth.digest.data = p + end;
	sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(m, end);
}

/* Wait for the n ops the device took (a software device completes them
 * at enqueue; a hardware one would be polled with the worker's next
 * burst instead of waited for here). */
static uint16_t
drain(struct dsbc_srtp_cdev *e, struct rte_crypto_op **done, uint16_t n)
{
	uint16_t got = 0;

	while (got < n)
		got += rte_cryptodev_dequeue_burst(e->dev_id, e->qp, done + got,
						   n - got);
	return got;
}

/* Which of the k ops submitted op is; k when none. */
static uint16_t
op_slot(struct rte_crypto_op *const *ops, uint16_t k,
	const struct rte_crypto_op *op)
{
	uint16_t j;

	for (j = 0; j < k && ops[j] != op; j++)
		;
	return j;
}

/* Unprotect not done: the tag back where it was, the ROC room gone. */
static void
tag_back(struct rte_mbuf *mb)
{
	uint8_t *p = rte_pktmbuf_mtod(mb, uint8_t *);
	uint32_t l = mb->data_len - ROC_LEN;

	memmove(p + l - TAG_LEN, p + l - TAG_LEN + ROC_LEN, TAG_LEN);
	rte_pktmbuf_trim(mb, ROC_LEN);
}

uint16_t
dsbc_srtp_cdev_protect(struct dsbc_srtp_cdev *e, struct dsbc_srtp_cdev_sess *s,
		       struct rte_mbuf **m, uint16_t n, int *res)
{
	struct rte_crypto_op *ops[BURST], *done[BURST];
	uint64_t index[BURST];
	uint32_t len[BURST];
	uint16_t slot[BURST];
	uint16_t i, k = 0, got, ok, done_ok = 0;

	if (n > BURST)
		n = BURST;
	for (i = 0; res != NULL && i < n; i++)
		res[i] = -EINVAL;
	if (rte_crypto_op_bulk_alloc(e->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
				     ops, n) == 0)
		return 0;
	for (i = 0; i < n; i++) {
		uint8_t *p = rte_pktmbuf_mtod(m[i], uint8_t *);
		uint32_t l = m[i]->data_len, h = rtp_hdr_len(p, l);
		uint16_t seq;
		uint64_t idx;

		if (h == 0 || m[i]->nb_segs != 1 ||
		    rte_pktmbuf_tailroom(m[i]) < ROC_LEN + TAG_LEN)
			continue;
		seq = (uint16_t)(p[2] << 8 | p[3]);
		/* the index the receiver will estimate (3.3.1); before the
		 * first wrap there is no earlier ROC to fall back to */
		if (!s->started) {
			idx = seq;
		} else {
			idx = dsbc_srtp_index_guess(s->roc, s->last_seq, seq);
			if (s->roc == 0 && (idx >> 16) != 0 && seq > s->last_seq)
				idx = seq;
		}
		/* an index already sent (a sender restarting its sequence
		 * numbers, a forged packet) is not encrypted again */
		if (dsbc_srtp_replay_check(&s->replay, idx) != 0) {
			if (res != NULL)
				res[i] = -EALREADY;
			continue;
		}
		if (!s->started || idx > (((uint64_t)s->roc << 16) |
					  s->last_seq)) {
			s->roc = (uint32_t)(idx >> 16);
			s->last_seq = seq;
		}
		s->started = true;
		/* authenticated: packet || ROC; the tag goes after the ROC
		 * and is moved over it once the device is done */
		rte_pktmbuf_append(m[i], ROC_LEN + TAG_LEN);
		op_set(ops[k], s, m[i], idx, h, l + ROC_LEN);
		len[k] = l;
		index[k] = idx;
		slot[k] = i;
		k++;
	}
	ok = submit(e, ops, n, k);
	if (k == 0)
		return 0;
	/* not taken by the device: as they were */
	for (i = ok; i < k; i++)
		rte_pktmbuf_trim(ops[i]->sym->m_src, ROC_LEN + TAG_LEN);
	got = drain(e, done, ok);
	for (i = 0; i < got; i++) {
		struct rte_mbuf *mb = done[i]->sym->m_src;
		uint8_t *p = rte_pktmbuf_mtod(mb, uint8_t *);
		uint16_t j = op_slot(ops, k, done[i]);
		uint32_t l;

		if (j == k)
			continue;
		l = len[j];
		if (done[i]->status == RTE_CRYPTO_OP_STATUS_SUCCESS) {
			memmove(p + l, p + l + ROC_LEN, TAG_LEN);
			rte_pktmbuf_trim(mb, ROC_LEN);
			dsbc_srtp_replay_update(&s->replay, index[j]);
			if (res != NULL)
				res[slot[j]] = 0;
			done_ok++;
		} else {
			rte_pktmbuf_trim(mb, ROC_LEN + TAG_LEN);
		}
	}
	rte_mempool_put_bulk(e->op_pool, (void **)ops, k);
	return done_ok;
}

uint16_t
dsbc_srtp_cdev_unprotect(struct dsbc_srtp_cdev *e,
			 struct dsbc_srtp_cdev_sess *s, struct rte_mbuf **m,
			 uint16_t n, int *ok)
{
	struct rte_crypto_op *ops[BURST], *done[BURST];
	uint64_t index[BURST];
	uint16_t slot[BURST];
	uint16_t i, k = 0, got, sent, clear = 0;
	/* the estimate moves along the burst (3.3.1); the state itself only
	 * on authentic packets */
	uint32_t roc = s->roc;
	uint16_t last = s->last_seq;
	bool started = s->started;

	if (n > BURST)
		n = BURST;
	for (i = 0; i < n; i++)
		ok[i] = -EINVAL;
	if (rte_crypto_op_bulk_alloc(e->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
				     ops, n) == 0)
		return 0;
	for (i = 0; i < n; i++) {
		uint8_t *p = rte_pktmbuf_mtod(m[i], uint8_t *);
		uint32_t l = m[i]->data_len, h;
		uint16_t seq;
		uint64_t idx;

		if (l < TAG_LEN + 12 || m[i]->nb_segs != 1 ||
		    rte_pktmbuf_tailroom(m[i]) < ROC_LEN)
			continue;
		h = rtp_hdr_len(p, l - TAG_LEN);
		if (h == 0)
			continue;
		seq = (uint16_t)(p[2] << 8 | p[3]);
		idx = started ? dsbc_srtp_index_guess(roc, last, seq) : seq;
		/* no ROC below 0: a leap forward before the first wrap is
		 * still ROC 0 (as protect assumes, and libsrtp2) */
		if (started && roc == 0 && (idx >> 16) != 0 && seq > last)
			idx = seq;
		if (!started || idx > (((uint64_t)roc << 16) | last)) {
			roc = (uint32_t)(idx >> 16);
			last = seq;
			started = true;
		}
		/* replay list before any crypto (3.3.2) */
		if (dsbc_srtp_replay_check(&s->replay, idx) != 0) {
			ok[i] = -EALREADY;
			continue;
		}
		/* make room for the ROC between the payload and the tag:
		 * authenticated = packet || ROC, the tag right after it */
		rte_pktmbuf_append(m[i], ROC_LEN);
		memmove(p + l - TAG_LEN + ROC_LEN, p + l - TAG_LEN, TAG_LEN);
		op_set(ops[k], s, m[i], idx, h, l - TAG_LEN + ROC_LEN);
		index[k] = idx;
		slot[k] = i;
		k++;
	}
	sent = submit(e, ops, n, k);
	if (k == 0)
		return 0;
	for (i = sent; i < k; i++)
		tag_back(ops[i]->sym->m_src);      /* not taken by the device */
	got = drain(e, done, sent);
	for (i = 0; i < got; i++) {
		uint16_t j = op_slot(ops, k, done[i]);

		if (j == k)
			continue;
		if (done[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS) {
			tag_back(done[i]->sym->m_src);
			ok[slot[j]] = -EBADMSG;
			continue;
		}
		/* authentic: drop ROC and tag, advance the index (3.3.1) */
		rte_pktmbuf_trim(done[i]->sym->m_src, ROC_LEN + TAG_LEN);
		dsbc_srtp_replay_update(&s->replay, index[j]);
		if (!s->started || index[j] > (((uint64_t)s->roc << 16) |
					       s->last_seq)) {
			s->roc = (uint32_t)(index[j] >> 16);
			s->last_seq = (uint16_t)index[j];
		}
		s->started = true;
		ok[slot[j]] = 0;
		clear++;
	}
	rte_mempool_put_bulk(e->op_pool, (void **)ops, k);
	return clear;
}
