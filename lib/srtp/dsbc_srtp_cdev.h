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

/* One protecting direction of one flow. */
struct dsbc_srtp_cdev_sess {
	void *sess;                  /* the device's session */
	uint8_t salt[DSBC_SRTP_SALT_LEN];
	uint32_t roc;
	uint16_t last_seq;
	bool started;
};

/* Configure and start device dev_id with one queue pair. 0 or -errno. */
int dsbc_srtp_cdev_init(struct dsbc_srtp_cdev *e, uint8_t dev_id,
			unsigned int nb_sessions, int socket);
void dsbc_srtp_cdev_fini(struct dsbc_srtp_cdev *e);

/* Derive the session keys from the master key and salt (RFC 3711 4.3). */
int dsbc_srtp_cdev_sess_init(struct dsbc_srtp_cdev *e,
			     struct dsbc_srtp_cdev_sess *s,
			     const uint8_t master_key[16],
			     const uint8_t master_salt[DSBC_SRTP_SALT_LEN]);
void dsbc_srtp_cdev_sess_fini(struct dsbc_srtp_cdev_sess *s);

/*
 * Protect n RTP packets (single-segment mbufs, 14 bytes of tailroom)
 * in place, in one burst.  Returns how many were protected; the others
 * are left as they were (no tailroom, not RTP, device refused).
 */
uint16_t dsbc_srtp_cdev_protect(struct dsbc_srtp_cdev *e,
				struct dsbc_srtp_cdev_sess *s,
				struct rte_mbuf **m, uint16_t n);

#endif /* DSBC_SRTP_CDEV_H */
