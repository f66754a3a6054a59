/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SRTP_CDEV_H
#define DSBC_SRTP_CDEV_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dsbc_rtp.h"
#include "dsbc_srtp.h"
#include "dsbc_srtp_suites.h"

/**
 * @file
 * The DPDK cryptodev engine: the crypto_aesni_mb vdev on CPUs,
 * a hardware device where present.  SRTP's own logic (key derivation,
 * IV, index estimation and ROC, the replay list) is here; the device does
 * AES-CTR and HMAC-SHA1 (RFC 3711 4.1.1, 4.2), or AES-GCM (RFC 7714), on
 * SRTP packets of many sessions in one burst of ops: the worker gathers
 * the terminated packets of its RX burst into jobs and runs them through
 * the device at once.  SRTP and SRTCP (RFC 3711 3.4, RFC 7714 9), each in
 * sessions of its own: SRTCP has keys, an index and a replay list of its
 * own.
 */
/** Jobs per dsbc_srtp_cdev_run(). */
#define DSBC_SRTP_CDEV_BURST 64

/** A handle on one queue pair of the device, for one lcore. */
struct dsbc_srtp_cdev {
	uint8_t dev_id;
	uint16_t qp;
	bool wedged;                 /* stopped answering: see run */
	struct rte_mempool *sess_pool;
	struct rte_mempool *op_pool;
	/* the handle's ops, set up once and reused by every run (a run
	 * gets them all back before it returns) */
	struct rte_crypto_op *ops[DSBC_SRTP_CDEV_BURST];
};

/** GCM authenticates the RTP header as AAD (RFC 7714 8.2) and a device
 * session fixes the AAD length: a GCM session holds one device session
 * per header length from 12 to DSBC_SRTP_CDEV_GCM_HDR_MAX bytes (CSRCs
 * and extension words), sharing one index and replay state. */
#define DSBC_SRTP_CDEV_GCM_HDR_MAX 32
/** Device sessions of a GCM session: one per RTP header length. */
#define DSBC_SRTP_CDEV_NB_AAD ((DSBC_SRTP_CDEV_GCM_HDR_MAX - 12) / 4 + 1)

/**
 * @struct dsbc_srtcp_replay
 * SRTCP inbound: the index belongs to a sender SSRC's context (RFC 3711
 * 3.2.3, 3.4), so each SSRC has its replay list: 128 indexes below the
 * highest authenticated one, as libsrtp2 keeps.
 */
/** Sender SSRCs an inbound SRTCP session keeps a replay list for. */
#define DSBC_SRTP_CDEV_SRTCP_SSRCS 4
struct dsbc_srtcp_replay {
	uint32_t ssrc;
	uint32_t top;                /* highest index authenticated */
	uint64_t bits[2];            /* bit k: index top - k seen */
};

/** One direction of one flow's SRTP, or SRTCP: protect (outbound) or
 * unprotect.  Used by one lcore at a time. */
struct dsbc_srtp_cdev_sess {
	/* the device's sessions: [0] for AES-CM and for SRTCP, [(h - 12) /
	 * 4] for an RTP GCM header of h bytes */
	void *sess[DSBC_SRTP_CDEV_NB_AAD];
	bool outbound;
	bool gcm;
	bool rtcp;                   /* SRTCP: index in the packet (3.4) */
	uint8_t tag_len;             /* 10, 4 (HMAC-SHA1-80, -32) or 16;
				      * SRTCP's is 10 for both AES-CM ones */
	/* SRTCP outbound: the next index to send (31 bits, 3.4); one
	 * counter for every SSRC sent keeps each (SSRC, index) once */
	uint32_t srtcp_next;
	/* SRTCP inbound: the SSRCs authenticated so far */
	uint8_t nb_srtcp;
	struct dsbc_srtcp_replay srtcp[DSBC_SRTP_CDEV_SRTCP_SSRCS];
	uint8_t salt[DSBC_SRTP_SALT_LEN];   /* 14, GCM 12 */
	uint64_t salt_w[2];          /* the salt as an IV, zero-padded */
	/* the highest index: authenticated (inbound) or sent; every packet
	 * is estimated against it (3.3.1), a burst being far shorter than
	 * half the sequence space, so a forged packet moves nothing */
	uint32_t roc;
	uint16_t last_seq;
	bool started;
	/* inbound: the replay list (3.3.2); outbound: the same list keeps
	 * an index from being encrypted twice (a keystream, or a GCM
	 * nonce, used twice) */
	struct dsbc_srtp_replay replay;
};

/**
 * Configure and start device dev_id with nb_qp queue pairs (one per
 * lcore using it); e is then a handle on queue pair 0.  Creates the
 * session and op mempools the handles share.
 *
 * @param e  the handle, out
 * @param dev_id  the cryptodev
 * @param nb_qp  queue pairs, at least 1
 * @param nb_sessions  device sessions the session pool holds
 * @param qp_size  descriptors of each queue pair (0: 2048); one smaller
 *   than a burst makes the device refuse the rest of it, jobs that end
 *   -EIO
 * @param socket  NUMA socket of the pools and the queue pairs
 * @return 0, or -ENOMEM when any step fails (pools, nb_qp 0, device
 *   configuration, queue pair setup, start, ops)
 */
int dsbc_srtp_cdev_init(struct dsbc_srtp_cdev *e, uint8_t dev_id,
			uint16_t nb_qp, unsigned int nb_sessions,
			uint32_t qp_size, int socket);
/**
 * Stop and close the device and free the pools.  After every other
 * handle's dsbc_srtp_cdev_qp_fini.
 *
 * @param e  the handle dsbc_srtp_cdev_init() set up
 */
void dsbc_srtp_cdev_fini(struct dsbc_srtp_cdev *e);
/**
 * h: a handle on queue pair qp of e's device for one lcore: the pools
 * are shared (mempools are safe across lcores), the queue pair and the
 * ops are its own.
 *
 * @param e  the handle dsbc_srtp_cdev_init() set up
 * @param qp  the queue pair, below the nb_qp given there
 * @param h  the new handle, out
 * @return 0, or -ENOMEM when its ops cannot be allocated
 */
int dsbc_srtp_cdev_qp_init(const struct dsbc_srtp_cdev *e, uint16_t qp,
			   struct dsbc_srtp_cdev *h);
/**
 * Give a handle's ops back (not those of a handle whose device stopped
 * answering: the device may still hold them).
 *
 * @param h  the handle
 */
void dsbc_srtp_cdev_qp_fini(struct dsbc_srtp_cdev *h);

/**
 * Whether the engine does suite s (all three: AES_CM_128_HMAC_SHA1_80
 * and _32, AEAD_AES_128_GCM).
 *
 * @param s  the suite
 * @return true when it does
 */
bool dsbc_srtp_cdev_has_suite(enum dsbc_srtp_suite s);

/**
 * Derive the session keys from the master key and salt (RFC 3711 4.3,
 * RFC 7714 11: a 12-byte master salt is zero-padded) and create the
 * device sessions of one direction of SRTP.
 *
 * @param e  the handle whose device and session pool are used
 * @param s  the session, out (zeroed first)
 * @param suite  the protection suite
 * @param master_key  16 bytes
 * @param master_salt  the suite's salt length: 14 bytes, GCM 12
 * @param outbound  protect (true) or unprotect (false)
 * @param replay_window  packet indexes, as dsbc_srtp_replay_init()
 *   takes: 64 to DSBC_SRTP_REPLAY_MAX, a multiple of 64
 * @return 0; -ENOTSUP when the engine does not do suite; -EINVAL when
 *   replay_window is out of range or the derivation fails; or the
 *   device's error (-rte_errno, -ENOMEM) creating a session, s then
 *   holding none
 */
int dsbc_srtp_cdev_sess_init(struct dsbc_srtp_cdev *e,
			     struct dsbc_srtp_cdev_sess *s,
			     enum dsbc_srtp_suite suite,
			     const uint8_t master_key[16],
			     const uint8_t *master_salt,
			     bool outbound, unsigned int replay_window);
/**
 * The same from session keys already derived: ke (16 bytes), ka (20,
 * AES-CM only; NULL for GCM) and the session salt (14, GCM 12).
 *
 * @param e  the handle whose device and session pool are used
 * @param s  the session, out (zeroed first)
 * @param suite  the protection suite
 * @param ke  the session encryption key
 * @param ka  the session authentication key, AES-CM only
 * @param salt  the session salt
 * @param outbound  protect (true) or unprotect (false)
 * @param replay_window  as for dsbc_srtp_cdev_sess_init()
 * @return as dsbc_srtp_cdev_sess_init(); -EINVAL also when ka is NULL
 *   for an AES-CM suite
 */
int dsbc_srtp_cdev_sess_init_keys(struct dsbc_srtp_cdev *e,
				  struct dsbc_srtp_cdev_sess *s,
				  enum dsbc_srtp_suite suite,
				  const uint8_t ke[16], const uint8_t ka[20],
				  const uint8_t *salt, bool outbound,
				  unsigned int replay_window);
/**
 * The same two for SRTCP: the RTCP labels of the KDF (RFC 3711 4.3.2),
 * SRTCP's 80-bit tag for both AES-CM suites (RFC 5764 4.1.2).  This one
 * derives from the master key and salt; parameters and return values as
 * dsbc_srtp_cdev_sess_init().
 *
 * @param e  the handle whose device and session pool are used
 * @param s  the session, out (zeroed first)
 * @param suite  the protection suite
 * @param master_key  16 bytes
 * @param master_salt  the suite's salt length: 14 bytes, GCM 12
 * @param outbound  protect (true) or unprotect (false)
 * @param replay_window  as for dsbc_srtp_cdev_sess_init(); SRTCP's own
 *   replay lists (struct dsbc_srtcp_replay) are 128 indexes
 * @return as dsbc_srtp_cdev_sess_init()
 */
int dsbc_srtp_cdev_sess_init_rtcp(struct dsbc_srtp_cdev *e,
				  struct dsbc_srtp_cdev_sess *s,
				  enum dsbc_srtp_suite suite,
				  const uint8_t master_key[16],
				  const uint8_t *master_salt,
				  bool outbound, unsigned int replay_window);
/**
 * SRTCP from session keys already derived (the RTCP labels' keys);
 * parameters and return values as dsbc_srtp_cdev_sess_init_keys().
 *
 * @param e  the handle whose device and session pool are used
 * @param s  the session, out (zeroed first)
 * @param suite  the protection suite
 * @param ke  the session encryption key
 * @param ka  the session authentication key, AES-CM only
 * @param salt  the session salt
 * @param outbound  protect (true) or unprotect (false)
 * @param replay_window  as for dsbc_srtp_cdev_sess_init()
 * @return as dsbc_srtp_cdev_sess_init_keys()
 */
int dsbc_srtp_cdev_sess_init_keys_rtcp(struct dsbc_srtp_cdev *e,
				       struct dsbc_srtp_cdev_sess *s,
				       enum dsbc_srtp_suite suite,
				       const uint8_t ke[16],
				       const uint8_t ka[20],
				       const uint8_t *salt, bool outbound,
				       unsigned int replay_window);
/**
 * Free a session's device sessions (left to a device that stopped
 * answering: it may still hold ops on them).
 *
 * @param e  the handle it was created with
 * @param s  the session
 */
void dsbc_srtp_cdev_sess_fini(struct dsbc_srtp_cdev *e,
			      struct dsbc_srtp_cdev_sess *s);

/**
 * Whether session s takes this RTP (protect) or SRTP (unprotect) packet
 * of len bytes, or SRTCP packet: 0; -EINVAL when it is too short or its
 * header does not fit in it (malformed: the engine would refuse it too);
 * -ENOTSUP when it is well formed but a GCM session's header is over
 * DSBC_SRTP_CDEV_GCM_HDR_MAX bytes.  A stream the device carries stays
 * on it: a packet of it that does not fit is dropped, never handed to
 * another engine (two index states for one key would reuse a nonce).
 *
 * @param s  the session
 * @param p  the packet
 * @param len  its length
 * @return 0, -EINVAL or -ENOTSUP as above
 */
static inline int
dsbc_srtp_cdev_check(const struct dsbc_srtp_cdev_sess *s, const uint8_t *p,
		     uint32_t len)
{
	uint32_t h;

	/* SRTCP: the header and sender SSRC, plus E || index and the tag
	 * when it arrives */
	if (s->rtcp)
		return len >= 8u + (s->outbound ? 0 : 4u + s->tag_len) ? 0 :
								 -EINVAL;
	if (len < 12u + (s->outbound ? 0 : s->tag_len))
		return -EINVAL;
	if (!s->gcm)
		return 0;
	h = dsbc_rtp_hdr_len(p, s->outbound ? len : len - s->tag_len);
	return h == 0 ? -EINVAL : h > DSBC_SRTP_CDEV_GCM_HDR_MAX ? -ENOTSUP : 0;
}

/**
 * dsbc_srtp_cdev_check() as a boolean.
 *
 * @param s  the session
 * @param p  the packet
 * @param len  its length
 * @return true when the check returns 0
 */
static inline bool
dsbc_srtp_cdev_fits(const struct dsbc_srtp_cdev_sess *s, const uint8_t *p,
		    uint32_t len)
{
	return dsbc_srtp_cdev_check(s, p, len) == 0;
}

/** One packet for the device: the RTP/SRTP packet is len bytes at offset
 * off of single-segment mbuf m, protected or unprotected by s. */
struct dsbc_srtp_cdev_job {
	struct rte_mbuf *m;
	struct dsbc_srtp_cdev_sess *s;
	uint16_t off;
	uint16_t len;                /* after: the packet's new length */
	/*
	 * after: 0; -EALREADY (inbound: replayed or too old; outbound: an
	 * index encrypted already, never twice under one key); -EBADMSG
	 * (authentication failed); -ENOSPC (no tailroom for what protect
	 * appends, or for the ROC unprotect authenticates); -EINVAL (not
	 * RTP, or a header this session does not take; SRTCP with the E
	 * flag clear, unencrypted, which dsbc never negotiates); -EUSERS
	 * (SRTCP from more sender SSRCs than DSBC_SRTP_CDEV_SRTCP_SSRCS);
	 * -EIO (the device refused or failed
	 * it; m is NULL where a device that stopped answering kept the
	 * mbuf: it is neither freed nor sent).  The mbuf's data ends where
	 * the packet does.  A packet that failed is to be dropped: the
	 * device may have written to it.
	 */
	int res;
	uint64_t index;              /* the engine's */
};

/**
 * Run n jobs (at most DSBC_SRTP_CDEV_BURST, each its own session and
 * direction) through the device in one enqueue.  Within the burst the
 * jobs of one session are taken in order.  Returns how many succeeded.
 * Waits for the device to return the burst; one that does not within
 * about 100000 polls is taken as wedged, and the handle takes no more
 * jobs (-EIO).
 *
 * @param e  the lcore's handle
 * @param j  the jobs; each one's res, len and index are set (see struct
 *   dsbc_srtp_cdev_job); jobs past DSBC_SRTP_CDEV_BURST get -EINVAL, as
 *   does a multi-segment mbuf or a packet past the mbuf's data
 * @param n  how many
 * @return the number of jobs whose res is 0
 */
uint16_t dsbc_srtp_cdev_run(struct dsbc_srtp_cdev *e,
			    struct dsbc_srtp_cdev_job *j, uint16_t n);

#endif /* DSBC_SRTP_CDEV_H */
