/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_APP_B2BUA_H
#define DSBC_APP_B2BUA_H

/*
 * The call model shared by b2bua.c (signalling), b2bua_media.c (ports,
 * flows, latching) and b2bua_tel.c (/dsbc/calls, /dsbc/call).  All of it
 * is owned by the management lcore; telemetry runs on the telemetry
 * thread and reads it without locks (a torn read shows a stale value, it
 * never follows a pointer that may be freed: only fixed arrays are read).
 */
#include <stdbool.h>
#include <stdint.h>

#include "dsbc.h"
#include "dsbc_dtls.h"
#include "dsbc_sip_msg.h"
#include "dsbc_sdp.h"
#include "dsbc_sdp_crypto.h"
#include "sip.h"

#define MAX_CALLS      4096
#define MAX_MEDIA      4          /* m-lines handled per call */
#define STR_MAX        256
#define MSG_MAX        8192       /* messages dsbc builds */
#define CID_BUCKETS    (2 * MAX_CALLS) /* Call-ID index, a power of two */

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
	uint8_t family;
	struct dsbc_addr addr;            /* dsbc's address on that port */
	char call_id[128];
	char local_tag[24];
	char remote_tag[96];
	char local_uri[STR_MAX];          /* our From/To value, no tag */
	char remote_uri[STR_MAX];         /* the peer's, no tag */
	char target[STR_MAX];             /* the peer's Contact URI */
	uint32_t local_cseq;
	/* ICE-lite on this leg (b2bua_ice.c) */
	bool ice_local;                   /* dsbc's agent answers checks */
	uint16_t ice_id;                  /* in the call's worker, 0 none */
	char ice_ufrag[16];               /* dsbc's */
	char ice_pwd[32];
	char ice_peer_ufrag[DSBC_ICE_UFRAG_MAX];
	bool consent_lost;                /* reported once (RFC 7675) */
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
	uint32_t cid_next[2];             /* Call-ID index chains (A, B) */
	uint32_t free_next;               /* free list, index + 1 */
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
	bool ok_to_a;                     /* which leg it went to */
	struct dsbc_sip_peer ok_to;
	uint64_t ok_retx_at;
	uint32_t ok_retx_ms;
	uint64_t ok_give_up;
	uint64_t sess_version;
	uint64_t started_ms;
	bool b_acked;                     /* our ACK for B's 2xx went out */
	uint8_t mode;                     /* enum dsbc_mode of its media */
	bool term_failed;                 /* DTLS failed: end once confirmed */
	uint64_t dtls_deadline;           /* handshakes must end by, ms */
	/* an in-dialog request being passed to the other leg */
	struct {
		bool active;
		bool from_a;
		struct dsbc_sip_txn *srv;   /* on the sender's leg */
		struct dsbc_sip_txn *cli;   /* on the other leg */
		char *req;                  /* the sender's request */
		uint32_t req_len;
		struct dsbc_sip_peer from;
		uint32_t out_cseq;
		char method[24];
	} fwd;
};

struct dsbc_b2bua {
	struct call calls[MAX_CALLS];
	/* Call-ID -> call: chains of entries index * 2 + leg + 1 (0 ends) */
	uint32_t cid_head[CID_BUCKETS];
	uint32_t free_head;               /* free calls, index + 1 */
	uint32_t nb_calls;
	uint32_t next_id;
	uint16_t next_worker;
	uint8_t *port_used;               /* per media port: in use */
	/* counters for /dsbc/calls */
	uint64_t started, answered, ended, failed, cancelled, no_route;
	uint64_t no_ports, bad_sdp, timeouts, idle_ended;
	uint64_t latch_repoints, latch_errors, flow_errors;
	uint64_t ok_retransmissions;      /* 2xx to INVITEs re-sent (13.3.1.4) */
	uint64_t consent_expired;         /* ICE legs silent for 30 s (RFC 7675) */
	uint64_t next_consent_ms;
	/* terminate */
	struct dsbc_dtls_ctx *dtls_ctx;   /* dsbc's certificate */
	uint64_t terminated;              /* calls whose media dsbc terminates */
	uint64_t terminate_forced;        /* ... because the legs' keying differ */
	uint64_t dtls_done, dtls_failed, dtls_timeouts, dtls_closed;
	uint64_t dtls_resets;             /* restarted after a bad record */
	uint64_t dtls_no_session;         /* records for no DTLS association */
	uint64_t keys_sent;               /* FLOW_KEYS messages */
	uint64_t sdes_rekeys;             /* SDES keys changed in a dialog */
	char buf[MSG_MAX];
	char sdp[MSG_MAX / 2];
	struct dsbc_sdp sdp_in;
	struct dsbc_sip_msg msg;
};

/* The call owning a flow is found by the flow's cookie: index + 1. */
static inline uint32_t
b2bua_call_cookie(const struct dsbc_b2bua *b, const struct call *c)
{
	return (uint32_t)(c - b->calls) + 1;
}

/* b2bua_media.c */
int b2bua_port_alloc(struct dsbc_app *app, uint16_t worker, uint16_t *port);
void b2bua_port_free(struct dsbc_app *app, uint16_t port);
uint32_t b2bua_ports_free_count(const struct dsbc_app *app);
int b2bua_flows_for(struct dsbc_app *app, struct call *c, struct leg *in,
		    struct leg *out, unsigned int i);
void b2bua_flows_remove(struct dsbc_app *app, struct leg *l, unsigned int nb);
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
uint32_t b2bua_sdp_police_pps(const struct dsbc_app *app,
			      const struct dsbc_sdp *s, unsigned int i);
int b2bua_media_repoint(struct dsbc_app *app, struct call *c,
			struct leg *sender, struct leg *other, unsigned int i);
struct call *b2bua_call_of_flow(struct dsbc_app *app, uint32_t flow_id);
bool b2bua_flow_where(struct call *c, uint32_t flow_id, struct leg **in,
		      struct leg **out, unsigned int *mi, unsigned int *fk);

/* b2bua_ice.c */
int b2bua_ice_offer(struct dsbc_app *app, struct call *c, struct leg *l);
int b2bua_ice_learn(struct dsbc_app *app, struct call *c, struct leg *l,
		    const struct dsbc_sdp *s);
void b2bua_ice_release(struct dsbc_app *app, struct call *c, struct leg *l);
void b2bua_consent_scan(struct dsbc_app *app);

/* b2bua_term.c */
int b2bua_term_init(struct dsbc_app *app);
void b2bua_term_fini(struct dsbc_app *app);
int b2bua_term_offer(struct dsbc_app *app, struct call *c,
		     const struct dsbc_sdp *offer,
		     const struct dsbc_route_cfg *r);
int b2bua_term_answer(struct dsbc_app *app, struct call *c, struct leg *l,
		      const struct dsbc_sdp *answer);
struct dsbc_sdp_plan;
void b2bua_term_plan(const struct dsbc_app *app, const struct call *c,
		     const struct leg *l, struct dsbc_sdp_plan *plan);
int b2bua_term_start(struct dsbc_app *app, struct call *c, struct leg *l);
void b2bua_term_update(struct dsbc_app *app, struct call *c, struct leg *l,
		       const struct dsbc_sdp *s, bool answer);
void b2bua_term_offer_done(struct dsbc_app *app, struct call *c,
			   struct leg *l, bool accepted);
bool b2bua_term_mux_change(const struct call *c, const struct leg *l,
			   const struct dsbc_sdp *s);
#define TERM_KEYS_RX 1u
#define TERM_KEYS_TX 2u
void b2bua_term_flow_keys(struct dsbc_app *app, struct call *c,
			  struct leg *in, struct leg *out, unsigned int i,
			  unsigned int first, unsigned int dirs, int comp);
void b2bua_term_tick(struct dsbc_app *app, struct call *c, uint64_t now);
void b2bua_term_release(struct dsbc_app *app, struct call *c);
void b2bua_call_abort(struct dsbc_app *app, struct call *c, const char *why);

/* b2bua_tel.c */
extern struct dsbc_app *b2bua_tel_app;

#endif /* DSBC_APP_B2BUA_H */
