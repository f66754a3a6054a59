/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_B2BUA_INTERNAL_H
#define DSBC_B2BUA_INTERNAL_H

/*
 * The call model shared by the library's files: b2bua.c (signalling),
 * b2bua_media.c (ports, flows, latching), b2bua_ice.c, b2bua_term.c
 * (terminator mode) and b2bua_ua.c (what needs no dialog).  Owned by the
 * thread driving the instance.
 */
#include <stdbool.h>
#include <stdint.h>

#include "dsbc_b2bua.h"
#include "dsbc_dtls.h"
#include "dsbc_sdp.h"
#include "dsbc_sdp_crypto.h"
#include "dsbc_sip_msg.h"
#include "dsbc_sip_txn.h"
#include "dsbc_stir_cache.h"

#define MAX_MEDIA      4          /* m-lines handled per call */
#define STR_MAX        256
#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define MSG_MAX        32768      /* messages dsbc builds (SDP: half) */

enum call_state {
	CALL_FREE = 0,
	CALL_OFFERED,        /* INVITE forwarded, waiting for B */
	CALL_EARLY,          /* provisional with To tag from B */
	CALL_ANSWERED,       /* 2xx sent to A, waiting for its ACK */
	CALL_CONFIRMED,
	CALL_CANCELLING,
};

/* One component's security with a leg's peer (terminate). */
struct leg_sec {
	struct dsbc_dtls *dtls;           /* RFC 5763 association, DTLS legs */
	uint8_t state;                    /* enum dsbc_dtls_state, telemetry */
	bool keys_known;                  /* from DTLS, or SDP for SDES */
	bool closed;                      /* the peer sent close_notify since */
	struct dsbc_srtp_keys keys;
	bool peer_known;                  /* a record came in: answer there */
	struct dsbc_sip_peer peer;        /* where dsbc's records go */
	uint64_t timer_ms;                /* next retransmission, 0 none */
	uint64_t rx, tx;                  /* records in, datagrams out */
	uint8_t resets;                   /* handshakes restarted */
};

struct leg_media {
	uint16_t local_port;              /* dsbc's RTP port on this leg */
	bool rtcp_mux;
	uint8_t family;                   /* of the peer's media address */
	struct dsbc_addr remote;          /* peer's media address */
	uint16_t remote_port;
	uint16_t remote_rtcp_port;
	uint32_t clock;                   /* RTP clock of its first format */
	uint32_t police_pps;              /* policer for what it sends */
	uint32_t flow[2];                 /* flows keyed on this leg's ports */
	uint8_t nb_flows;
	/* what those flows were programmed with (FLOW_MOD on a latch) */
	struct dsbc_flow_cfg fc[2];
	/* RFC 7362: the source the flows keyed on this leg latched onto */
	bool latched[2];
	uint8_t latched_family[2];
	struct dsbc_addr latched_src[2];
	uint16_t latched_port[2];
	/* terminate: per component (RTP, and RTCP when not muxed: RFC 5764
	 * section 4.1 runs DTLS on each), dsbc's keys with this leg */
	struct leg_sec sec[2];
	char sdes_line[128];              /* SDES: dsbc's a=crypto value */
	bool sdes_pending;                /* a re-offer's new key, until the
					   * answer (applied) or a refusal */
	struct dsbc_sdes sdes_next;
};

struct leg {
	struct dsbc_sip_peer peer;        /* where its signalling goes */
	uint16_t port;                    /* dsbc port index facing it */
	uint8_t family;                   /* of its signalling */
	uint8_t mfamily;                  /* of its media: the peer's SDP's */
	struct dsbc_addr addr;            /* dsbc's SIP address on that port */
	struct dsbc_addr maddr;           /* dsbc's media address on it */
	bool media_taken;                 /* maddr and ports from the pool */
	char call_id[128];
	char local_tag[32];
	char remote_tag[96];
	char local_uri[STR_MAX];          /* our From/To value, no tag */
	char remote_uri[STR_MAX];         /* the peer's, no tag */
	char target[STR_MAX];             /* the peer's Contact URI */
	/* its dialog's route set (b2bua_route.c): Route lines in the order
	 * they are sent, and the Request-URI when the first hop is a strict
	 * router; NULL when none */
	char *routes;
	char *strict_ruri;
	uint32_t local_cseq;
	uint32_t remote_cseq;             /* last CSeq of the peer requests */
	bool remote_cseq_set;
	/* ICE-lite on this leg (b2bua_ice.c) */
	bool ice_local;                   /* dsbc's agent answers checks */
	uint16_t ice_id;                  /* in the call's worker, 0 none */
	char ice_ufrag[16];               /* dsbc's */
	char ice_pwd[32];
	char ice_peer_ufrag[DSBC_B2BUA_ICE_UFRAG_MAX];
	bool consent_lost;                /* reported once (RFC 7675) */
	/* its last SDP kept ICE going without a restart: the selected pair
	 * stays (RFC 8445 section 9), so do the flows' latches */
	bool ice_kept;
	uint64_t ice_ufrags_sig;          /* the peer's ufrags, all m-lines */
	/* terminate (b2bua_term.c) */
	uint8_t keying;                   /* enum dsbc_keying of this leg */
	uint8_t dtls_role;                /* enum dsbc_dtls_role, once known */
	bool dtls_role_known;
	/* the peer's a=fingerprint values (sha-512: 199 characters), one
	 * per certificate it may present, all of one hash */
	char peer_fp[DSBC_DTLS_PEER_FPS][208];
	uint8_t nb_peer_fp;
	struct leg_media m[MAX_MEDIA];
};

struct call {
	uint32_t id;
	uint32_t gen;                     /* bumped each time the slot is freed */
	uint32_t cid_next[2];             /* Call-ID index chains (A, B) */
	uint32_t free_next;               /* free list, index + 1 */
	uint32_t timed_next, timed_prev;  /* list of calls with timers */
	bool timed;
	bool indexed;
	uint8_t state;
	uint8_t worker;
	uint8_t nb_media;
	bool media_ok[MAX_MEDIA];         /* m-line accepted (port != 0) */
	struct leg a, b;
	char *a_invite;                   /* A's INVITE, kept for answers */
	uint32_t a_invite_len;
	struct dsbc_sip_txn *a_txn;       /* A-leg INVITE server transaction */
	struct dsbc_sip_txn *b_txn;       /* B-leg INVITE client transaction */
	char b_branch[48];
	char *ok_msg;                     /* our 2xx to an INVITE (A's, or a
					   * re-INVITE from either), until ACK */
	uint32_t ok_len;
	uint32_t ok_cseq;                 /* the CSeq its ACK must carry */
	uint32_t reack_cseq[2];           /* per leg (A, B): the re-INVITE
					   * whose 2xx dsbc ACKed last */
	bool ok_to_a;                     /* which leg it went to */
	struct dsbc_sip_peer ok_to;
	uint64_t ok_retx_at;
	uint32_t ok_retx_ms;
	uint64_t ok_give_up;
	uint64_t sess_version;
	uint64_t started_ms;
	bool b_acked;                     /* our ACK for B's 2xx went out */
	bool b_answered;                  /* B's answer to A's offer came
					   * (18x or 2xx) */
	bool late;                        /* A's INVITE had no offer: B's
					   * 2xx has it, A's ACK the answer */
	char *b_ack_sdp;                  /* late offer: the answer to B,
					   * in every ACK of its 2xx */
	/* a re-INVITE without an offer: the other leg's 2xx brought one,
	 * the ACK to it carries the answer from the sender's ACK */
	bool re_late;                     /* that ACK waits for the answer */
	bool re_late_to_a;                /* the leg it goes to */
	char *re_ack_sdp[2];              /* per leg (A, B): the answer in
					   * the ACKs of reack_cseq's 2xx */
	uint8_t mode;                     /* enum dsbc_mode of its media */
	int16_t route;                    /* [route.N], -1 a registered user */
	bool rang_out;                    /* cancelled for ringing too long */
	uint16_t a_status;                /* final status A got, 0 none */
	uint64_t answered_ms;             /* 2xx to A, 0 not yet */
	bool source_check;                /* its route's dialog_source_check */
	bool term_failed;                 /* DTLS failed: end once confirmed */
	uint64_t dtls_deadline;           /* handshakes must end by, ms */
	uint64_t ring_deadline;           /* unanswered or cancelling until */
	/* an in-dialog request being passed to the other leg */
	struct {
		bool active;
		bool from_a;
		bool offer_pending;         /* its SDP offer not yet applied */
		struct dsbc_sip_txn *srv;   /* on the sender's leg */
		struct dsbc_sip_txn *cli;   /* on the other leg */
		char *req;                  /* the sender's request */
		uint32_t req_len;
		struct dsbc_sip_peer from;
		uint32_t out_cseq;
		char method[24];
	} fwd;
};

struct dsbc_sip_txl;
struct dsbc_auth;
struct dsbc_reg;

struct dsbc_b2bua {
	struct dsbc_b2bua_cfg bc;
	const struct dsbc_config *cfg;    /* bc.cfg */
	struct dsbc_b2bua_ops ops;
	void *ctx;
	uint64_t now;                     /* of the input being served, ms */
	bool transport_failing;           /* timeouts now are transport
					   * errors: 503 (RFC 3261 8.1.3.1) */
	uint32_t max_calls;
	struct call *calls;               /* [max_calls] */
	uint32_t end_next;                /* dsbc_b2bua_end_calls()' cursor */
	bool draining;                    /* ... was called: no new call */
	/* Call-ID -> call: chains of entries index * 2 + leg + 1 (0 ends) */
	uint32_t *cid_head;               /* [cid_mask + 1] */
	uint32_t cid_mask;
	uint32_t cid_seed;                /* random */
	uint32_t free_head;               /* free calls, index + 1 */
	uint32_t timed_head;              /* calls with timers, index + 1 */
	uint64_t next_call_at;            /* earliest of their timers */
	uint32_t next_id;
	uint16_t next_worker;
	uint16_t nb_workers;
	/* media address and port pools, [dsbc port][v4, v6][worker] */
	struct media_pool *pools[DSBC_CFG_MAX_PORTS][2][DSBC_CFG_MAX_WORKERS];
	struct dsbc_sip_txl *txl;         /* transactions (RFC 3261 17) */
	struct dsbc_b2bua_stats st;
	/* random bytes, drawn from ops->random a block at a time */
	uint8_t rnd[512];
	uint32_t rnd_left;
	/* users (b2bua_reg.c) */
	struct dsbc_auth *auth;           /* digest, when a realm is used */
	struct dsbc_reg *reg;             /* the registrar, when a domain */
	uint64_t reg_next;                /* its next tick, ms */
	/* terminate */
	struct dsbc_dtls_ctx *dtls_ctx;   /* dsbc's certificate */
	char buf[MSG_MAX];
	char sdp[MSG_MAX / 2];
	char line[512];                   /* a log line being formatted */
	struct dsbc_sdp sdp_in;
	struct dsbc_sdp sdp_out;          /* an offer dsbc wrote, read again */
	struct dsbc_sip_msg msg;          /* a message dsbc built */
	struct dsbc_sip_msg req;          /* a stored request, parsed again */
	struct dsbc_sip_msg in;           /* the message being served */
	/* STIR verification (b2bua_stir.c) */
	struct dsbc_stir_cache *stir_cache; /* when a route verifies */
	struct dsbc_stir_replay *stir_replay; /* valid tokens seen lately */
	struct stir_park *parked;         /* [cfg stir.parked_max] */
	uint32_t nb_parked;
	uint64_t park_next;               /* earliest deadline, 0 none */
	struct dsbc_sip_msg park_msg;     /* a parked INVITE, parsed again */
};

/* A call's reference in flow ops and worker events: its generation and
 * index + 1.  An event for a call since freed (and perhaps reused) names
 * a generation the slot no longer has. */
static inline dsbc_b2bua_cookie_t
b2bua_call_cookie(const struct dsbc_b2bua *b, const struct call *c)
{
	return ((uint64_t)c->gen << 32) | ((uint32_t)(c - b->calls) + 1);
}

/* The live call a cookie names, NULL when it is gone. */
struct call *b2bua_call_of_cookie(struct dsbc_b2bua *b,
				  dsbc_b2bua_cookie_t cookie);

/* STIR authentication service (b2bua_stir.c): dsbc's Identity header
 * value for A's INVITE m, whose offer to B is sdp, with attest (NULL:
 * the configured one for a user or a trunk); its length, or -1 when the
 * call is not signed (counted). */
int b2bua_stir_sign(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
		    bool trunk, const char *attest, const char *sdp,
		    uint32_t sdp_len, char *out, size_t cap);

/* What the verification service concluded of A's INVITE. */
enum b2bua_verstat {
	VERSTAT_NONE = 0,                 /* not verified (off) */
	VERSTAT_PASSED,                   /* TN-Validation-Passed */
	VERSTAT_FAILED,                   /* TN-Validation-Failed */
	VERSTAT_NO_VALIDATION,            /* No-TN-Validation */
};

struct b2bua_stir_in {
	uint8_t verstat;                  /* enum b2bua_verstat */
	bool valid;                       /* A's Identity held */
	bool mark;                        /* the route marks: B gets verstat */
	char attest[2];                   /* its attest, when valid */
};

/*
 * STIR verification service (RFC 8224 6.2) of A's INVITE m on route r,
 * after its caller was authenticated (user, trunk kept if it waits).
 * Returns 0: go on with *in; a status (428, 436, 437, 438, 403, 503)
 * to refuse it with (enforce), its reason in *reason; or -1: it waits
 * for a certificate fetch (b2bua_invite_resume() takes it up again).
 */
int b2bua_stir_check(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		     const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
		     const struct dsbc_route_cfg *r, const char *user,
		     bool trunk, struct b2bua_stir_in *in,
		     const char **reason, uint64_t now);
/* Does an Identity value carry a PASSporT with mky (RFC 8225 5.2.2)? */
bool b2bua_stir_has_mky(const char *v, uint32_t len);
/* A From URI for B: every verstat the caller put in removed, dsbc's
 * (unless VERSTAT_NONE) put in its user part (ATIS-1000074 5.3.1);
 * 0, or -1 when it would not fit in cap (stripped only). */
int b2bua_stir_verstat(char *uri, size_t cap, uint8_t verstat);
/* A CANCEL from `from` of INVITE transaction t: 1 it was parked and
 * got its 487, -1 it was parked and the CANCEL is not from its sender,
 * 0 it was not parked. */
int b2bua_stir_cancel(struct dsbc_b2bua *b, struct dsbc_sip_txn *t,
		      const struct dsbc_sip_peer *from, uint64_t now);
/* Deadlines of parked INVITEs; the earliest next, 0 none. */
void b2bua_stir_tick(struct dsbc_b2bua *b, uint64_t now);
int b2bua_stir_init(struct dsbc_b2bua *b, char *err, size_t errlen);
void b2bua_stir_fini(struct dsbc_b2bua *b);

/* b2bua.c: a parked INVITE's verification can end now; and a plain
 * response to a request (for b2bua_stir.c) */
void b2bua_invite_resume(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
			 const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
			 const char *user, bool trunk, uint64_t now);
void b2bua_reply(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
		 const struct dsbc_sip_peer *to, struct dsbc_sip_txn *t,
		 int status, const char *reason, uint64_t now);

/* Logging: formatted only when the level is enabled. */
void b2bua_log(struct dsbc_b2bua *b, enum dsbc_b2bua_log_level level,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define B2B_LOG(b, lvl, ...) do { \
	if ((b)->bc.log_level >= DSBC_B2BUA_LOG_##lvl) \
		b2bua_log(b, DSBC_B2BUA_LOG_##lvl, __VA_ARGS__); \
} while (0)

/* Random bytes for tokens and keys (ops->random, buffered).  0 or -EIO. */
int b2bua_random(struct dsbc_b2bua *b, void *out, size_t len);
/* A token: prefix, then 2 * nbytes hex characters of random. */
int b2bua_token(struct dsbc_b2bua *b, char *dst, size_t cap,
		const char *prefix, unsigned int nbytes);

/* Send through ops->sip_send, counting a refusal. */
int b2bua_send(struct dsbc_b2bua *b, const struct dsbc_sip_peer *to,
	       const char *msg, uint32_t len);

/* b2bua_reg.c: users, their credentials and registrations */
int b2bua_reg_init(struct dsbc_b2bua *b, char *err, size_t errlen);
void b2bua_reg_fini(struct dsbc_b2bua *b);
/* Digest check of m in realm_name ("" or NULL: none asked): 0 to go on
 * (user out, "" when none was asked or a trunk sent it), -1 when it was
 * answered (401/407 challenge, 403, 400) through t. */
int b2bua_auth(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	       const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
	       const char *realm_name, bool proxy, char *user, size_t ucap,
	       uint64_t now);
void b2bua_register_in(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		       const struct dsbc_sip_msg *m, uint64_t now);
/* Is m's Request-URI in the registrar's domain? */
bool b2bua_reg_local(const struct dsbc_b2bua *b, const struct dsbc_sip_msg *m);
/* The registered user m's Request-URI names: where to send (peer) and
 * its Contact (ruri).  0; -1 when it has no live binding; -2 when its
 * outbound flow failed (RFC 5626 5.3: 430). */
int b2bua_reg_target(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
		     struct dsbc_sip_peer *peer, char *ruri, size_t cap);
void b2bua_reg_tick(struct dsbc_b2bua *b, uint64_t now);
/* A response to a keepalive OPTIONS?  true when it was one (consumed). */
bool b2bua_reg_pong(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		    const struct dsbc_sip_msg *m);
void b2bua_reg_conn_closed(struct dsbc_b2bua *b, uint32_t conn);

/* b2bua_ua.c */
uint32_t b2bua_response(struct dsbc_b2bua *b, const struct dsbc_sip_msg *req,
			const struct dsbc_sip_peer *from, int status,
			const char *reason, const char *to_tag,
			const char *extra, const char *body,
			uint32_t body_len, char *out, uint32_t cap);
/* b2bua.c: a parsed, checked message for the B2BUA */
void b2bua_request(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		   const struct dsbc_sip_msg *m, uint64_t now);
void b2bua_response_in(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		       const struct dsbc_sip_msg *m, uint64_t now);
void b2bua_txn_timeout(struct dsbc_b2bua *b, struct dsbc_sip_txn *t);
void b2bua_txn_gone(struct dsbc_b2bua *b, struct dsbc_sip_txn *t);
void b2bua_calls_tick(struct dsbc_b2bua *b, uint64_t now);
/* c has a timer due at `at` (ms): it is visited by the ticks until its
 * timers are done. */
void b2bua_call_timer(struct dsbc_b2bua *b, struct call *c, uint64_t at);
uint64_t b2bua_calls_next(const struct dsbc_b2bua *b);

/* b2bua_media.c */
/* b2bua_ports.c */
struct media_pool;
int b2bua_ports_init(struct dsbc_b2bua *b);
void b2bua_ports_fini(struct dsbc_b2bua *b);
int b2bua_ports_alloc(struct dsbc_b2bua *b, struct call *c, struct leg *l);
void b2bua_ports_release(struct dsbc_b2bua *b, struct call *c, struct leg *l);
int b2bua_flows_for(struct dsbc_b2bua *b, struct call *c, struct leg *in,
		    struct leg *out, unsigned int i);
void b2bua_flows_remove(struct dsbc_b2bua *b, struct leg *l, unsigned int nb);
/* Component of a leg's flow k (its port local_port + k): RTCP has its
 * own only when the leg does not mux it (RFC 5761). */
static inline unsigned int
b2bua_comp(const struct leg_media *lm, unsigned int k)
{
	return lm->rtcp_mux ? 0 : k;
}

/* Where component k of lm's peer is reached: the source its flow latched
 * onto (RFC 7362) when use_latch and there is one, else what its SDP
 * signalled. */
void b2bua_peer_addr(const struct leg_media *lm, unsigned int k,
		     bool use_latch, uint8_t *family, struct dsbc_addr *addr,
		     uint16_t *port);

/* Flows keyed on leg in: one when both legs mux RTCP, else two. */
static inline unsigned int
b2bua_nb_flows(const struct leg *in, const struct leg *out, unsigned int i)
{
	return in->m[i].rtcp_mux && out->m[i].rtcp_mux ? 1 : 2;
}

uint32_t b2bua_sdp_clock(const struct dsbc_sdp_media *m);
uint32_t b2bua_sdp_police_pps(const struct dsbc_b2bua *b,
			      const struct dsbc_sdp *s, unsigned int i);
int b2bua_media_repoint(struct dsbc_b2bua *b, struct call *c,
			struct leg *sender, struct leg *other, unsigned int i);
bool b2bua_flow_where(struct call *c, uint32_t flow_id, struct leg **in,
		      struct leg **out, unsigned int *mi, unsigned int *fk);

/* b2bua_ice.c */
int b2bua_ice_offer(struct dsbc_b2bua *b, struct call *c, struct leg *l);
int b2bua_ice_learn(struct dsbc_b2bua *b, struct call *c, struct leg *l,
		    const struct dsbc_sdp *s);
void b2bua_ice_release(struct dsbc_b2bua *b, struct call *c, struct leg *l);

/* b2bua_term.c */
int b2bua_term_init(struct dsbc_b2bua *b, char *err, size_t errlen);
void b2bua_term_fini(struct dsbc_b2bua *b);
int b2bua_term_offer(struct dsbc_b2bua *b, struct call *c,
		     const struct dsbc_sdp *offer,
		     const struct dsbc_route_cfg *r);
int b2bua_term_answer(struct dsbc_b2bua *b, struct call *c, struct leg *l,
		      const struct dsbc_sdp *answer);
struct dsbc_sdp_plan;
void b2bua_term_plan(const struct dsbc_b2bua *b, const struct call *c,
		     const struct leg *l, struct dsbc_sdp_plan *plan);
int b2bua_term_start(struct dsbc_b2bua *b, struct call *c, struct leg *l);
void b2bua_term_update(struct dsbc_b2bua *b, struct call *c, struct leg *l,
		       const struct dsbc_sdp *s, bool answer);
void b2bua_term_offer_done(struct dsbc_b2bua *b, struct call *c,
			   struct leg *l, bool accepted);
bool b2bua_term_mux_change(const struct call *c, const struct leg *l,
			   const struct dsbc_sdp *s);
#define TERM_KEYS_RX 1u
#define TERM_KEYS_TX 2u
void b2bua_term_flow_keys(struct dsbc_b2bua *b, struct call *c,
			  struct leg *in, struct leg *out, unsigned int i,
			  unsigned int first, unsigned int dirs, int comp);
/* DTLS retransmissions and deadline; whether any is pending, *next
 * lowered to the earliest. */
bool b2bua_term_tick(struct dsbc_b2bua *b, struct call *c, uint64_t now,
		     uint64_t *next);
void b2bua_term_release(struct dsbc_b2bua *b, struct call *c);
void b2bua_call_abort(struct dsbc_b2bua *b, struct call *c, const char *why);
/* End c now, whatever its state (503 to an unanswered A and CANCEL to B,
 * or BYE to both legs); its flows and ports are released. */
void b2bua_call_end(struct dsbc_b2bua *b, struct call *c,
		    enum dsbc_b2bua_end reason, const char *why);
/* A peer that proved itself part of a call or a registration: the host
 * may prioritise it under overload (ops->peer_trust). */
static inline void
b2bua_trust(struct dsbc_b2bua *b, const struct dsbc_sip_peer *p)
{
	if (b->ops.peer_trust != NULL)
		b->ops.peer_trust(b->ctx, p);
}

/* RFC 3261 T1 in ms: [dsbc] sip_t1_ms, 500 when unset. */
static inline uint32_t
b2bua_t1(const struct dsbc_b2bua *b)
{
	return b->cfg->sip_t1_ms != 0 ? b->cfg->sip_t1_ms : 500;
}

/* Free the messages and SDP call c keeps. */
void b2bua_call_bufs_free(struct call *c);

/* Bytes and values of Record-Route a leg keeps as its route set: enough
 * for a chain of proxies, bounded so a peer cannot make a call big. */
#define B2BUA_ROUTE_SET_MAX 2048
#define B2BUA_ROUTE_SET_VALUES 16
/* Leg l's route set from m's Record-Route values (RFC 3261 12.1.1: A's
 * INVITE, in order; 12.1.2: B's response, reverse true); an m without
 * any clears it.  -1 (l unchanged) when a value is malformed or the set
 * is over the bounds above. */
int b2bua_route_set(struct leg *l, const struct dsbc_sip_msg *m, bool reverse);
/* Release l's route set. */
void b2bua_route_free(struct leg *l);
/* The Request-URI (*ruri: target, or the strict first hop) and Route
 * lines (to out) of a request in l's dialog to target (RFC 3261
 * 12.2.1.1).  Bytes written, or -1 when cap is too small. */
int b2bua_route_lines(const struct leg *l, const char *target,
		      const char **ruri, char *out, size_t cap);

#endif /* DSBC_B2BUA_INTERNAL_H */
