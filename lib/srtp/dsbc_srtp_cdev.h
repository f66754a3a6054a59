/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SRTP_CDEV_H
#define DSBC_SRTP_CDEV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dsbc_srtp.h"

/*
 * The DPDK cryptodev engine (issue 5): the crypto_aesni_mb vdev on CPUs,
 * a hardware device where present.  SRTP's own logic (key derivation,
 * IV, ROC, the ROC appended to what is authenticated, RFC 3711 4.2) is
 * here; the device does AES-CTR and HMAC-SHA1 in bursts of ops.
 * So far: protect, AES_CM_128_HMAC_SHA1_80.
 */
struct dsbc_srtp_cdev {
	uint8_t dev_id;
	uint16_t qp;
	struct rte_mempool *sess_pool;
	struct rte_mempool *op_pool;
};

/* One direction of one flow: protect (outbound) or unprotect. */
struct dsbc_srtp_cdev_sess {
	void *sess;                  /* the device's session */
	bool outbound;
	uint8_t salt[DSBC_SRTP_SALT_LEN];
	uint32_t roc;                /* with last_seq: the highest index */
	uint16_t last_seq;
	bool started;
	struct dsbc_srtp_replay replay;   /* inbound (3.3.2) */
};

/* Configure and start device dev_id with nb_qp queue pairs (one per
 * lcore using it; e->qp is 0, see dsbc_srtp_cdev_qp).  0 or -errno. */
int dsbc_srtp_cdev_init(struct dsbc_srtp_cdev *e, uint8_t dev_id,
			uint16_t nb_qp, unsigned int nb_sessions, int socket);
void dsbc_srtp_cdev_fini(struct dsbc_srtp_cdev *e);
/* A handle on queue pair qp of e's device for one lcore: its pools are
 * shared (mempools are safe across lcores), its queue pair is its own. */
static inline struct dsbc_srtp_cdev
dsbc_srtp_cdev_qp(const struct dsbc_srtp_cdev *e, uint16_t qp)
{
	struct dsbc_srtp_cdev h = *e;

	h.qp = qp;
	return h;
}

/* Derive the session keys from the master key and salt (RFC 3711 4.3). */
int dsbc_srtp_cdev_sess_init(struct dsbc_srtp_cdev *e,
			     struct dsbc_srtp_cdev_sess *s,
			     const uint8_t master_key[16],
			     const uint8_t master_salt[DSBC_SRTP_SALT_LEN],
			     bool outbound, unsigned int replay_window);
void dsbc_srtp_cdev_sess_fini(struct dsbc_srtp_cdev *e,
			      struct dsbc_srtp_cdev_sess *s);

/*
 * Protect n RTP packets (single-segment mbufs, 14 bytes of tailroom)
 * in place, in one burst.  Returns how many were protected; the others
 * are left as they were.  res (NULL or n entries) gets 0, -EALREADY (an
 * index this session encrypted already: never twice under one key) or
 * -EINVAL (no tailroom, not RTP, device refused).
 */
uint16_t dsbc_srtp_cdev_protect(struct dsbc_srtp_cdev *e,
				struct dsbc_srtp_cdev_sess *s,
				struct rte_mbuf **m, uint16_t n, int *res);

/*
 * Unprotect n SRTP packets in place (4 bytes of tailroom each).  ok[i]
 * gets 0, -EBADMSG (authentication failed), -EALREADY (replayed or too
 * old) or -EINVAL (not SRTP); returns how many came out clear.
 */
uint16_t dsbc_srtp_cdev_unprotect(struct dsbc_srtp_cdev *e,
				  struct dsbc_srtp_cdev_sess *s,
				  struct rte_mbuf **m, uint16_t n, int *ok);

#endif /* DSBC_SRTP_CDEV_H */
