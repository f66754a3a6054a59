/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CONFIG_H
#define DSBC_CONFIG_H

#include <stdint.h>
#include <stdbool.h>

#include "dsbc_addr.h"
#include "dsbc_flow_types.h"

/**
 * @file
 * The appliance configuration, read from an INI file with rte_cfgfile.
 * config/dsbc.conf documents every key and its default.  Loading is
 * strict: an unknown section or key, a bad value or an inconsistency is
 * one error line naming file, section, key and reason.  Pure: no EAL, no
 * device access, so it is unit-tested on files alone.
 */

#define DSBC_CFG_MAX_PORTS   8
#define DSBC_CFG_MAX_WORKERS 64
#define DSBC_CFG_MAX_RXQ     16   /* (port, queue) pairs per worker */
#define DSBC_CFG_MAX_NEIGH   256
#define DSBC_CFG_MAX_ROUTES  64
#define DSBC_CFG_MAX_REALMS  16
#define DSBC_CFG_MAX_TRUNKS  64
#define DSBC_CFG_DEV_LEN     256
#define DSBC_CFG_ERR_LEN     512

/** An address with its prefix length, as a key gives it. */
struct dsbc_cfg_ip {
	bool set;
	uint8_t prefix;
	struct dsbc_addr addr;
};

/** A [port.N] section: one DPDK port and dsbc's addresses on it. */
struct dsbc_port_cfg {
	char dev[DSBC_CFG_DEV_LEN];   /* PCI address or vdev devargs */
	char name[64];                /* device name: dev up to the first comma */
	bool has_mac;
	struct dsbc_mac mac;
	struct dsbc_cfg_ip ip4;       /* address/prefix on this port */
	struct dsbc_cfg_ip ip6;
	struct dsbc_cfg_ip gw4;       /* default gateways (prefix unused) */
	struct dsbc_cfg_ip gw6;
	struct dsbc_cfg_ip media4;    /* extra local media addresses: a prefix */
	struct dsbc_cfg_ip media6;
	uint16_t rx_queues;           /* 0: one per worker */
	uint16_t rx_desc;             /* 0: driver profile or 1024 */
	uint16_t tx_desc;
	uint16_t mtu;                 /* 0: leave as is */
	uint16_t vlan;                /* 802.1Q VLAN id on this port, 0 none */
	bool promiscuous;
	uint8_t exception;            /* enum dsbc_exception: the kernel path */
	char exception_ifname[16];    /* its interface, "" dsbc<N> */
};

/** A port's exception path into the Linux stack (TCP: SIP over TCP,
 * TLS, WebSocket; management), by kind. */
enum dsbc_exception {
	DSBC_EXCEPTION_NONE = 0,
	DSBC_EXCEPTION_TAP = 1,       /* a TAP interface (net_tap) */
	DSBC_EXCEPTION_VIRTIO_USER = 2,  /* virtio_user over vhost-net */
	DSBC_EXCEPTION_AUTO = 3,      /* virtio_user where /dev/vhost-net
				       * opens, else tap */
};

/** A [neigh.N] section: a static neighbour (IP to MAC on a port). */
struct dsbc_neigh_cfg {
	uint16_t port;
	uint8_t family;
	struct dsbc_addr ip;
	struct dsbc_mac mac;
};

/** A static flow ([flow.N] section or one line of flow_file). */
struct dsbc_flow_cfg {
	uint8_t local_family, remote_family, out_family, peer_family;
	struct dsbc_addr local;       /* where packets arrive */
	uint16_t local_port;
	struct dsbc_addr remote;      /* where they are sent */
	uint16_t remote_port;
	struct dsbc_addr out_local;   /* source of what is sent */
	uint16_t out_local_port;
	struct dsbc_addr peer;        /* signalled source, latch = signalled */
	uint16_t peer_port;
	uint16_t in_port;             /* port owning the local address */
	uint16_t out_port;            /* port the remote is reached through */
	uint8_t mode;                 /* enum dsbc_mode */
	uint8_t latch;                /* enum dsbc_latch */
	uint16_t relatch_ms;
	uint16_t ice_id;              /* worker ICE agent of the local leg */
	uint8_t srtp_in, srtp_out;    /* terminate: enum dsbc_keying */
	uint8_t spec_flags;           /* DSBC_FLOW_F_* */
	uint32_t clock_rate;          /* RTP clock (aware), 0: 8000 */
	uint32_t police_pps;          /* 0: no policer */
	uint32_t rtcp_sibling;        /* flow id + 1 taking RTCP, 0 none */
	uint8_t dscp;
	struct dsbc_addr next_hop;    /* remote if on-link, else the gateway */
	/* static terminated flows (srtp_rx, srtp_tx = SUITE:base64, RFC
	 * 4568's inline key||salt): [0] unprotects, [1] protects */
	uint8_t srtp_set;             /* bit 0: [0] given, bit 1: [1] */
	struct {
		uint8_t suite;        /* enum dsbc_srtp_suite */
		uint8_t salt_len;
		uint8_t key[16];
		uint8_t salt[14];
	} srtp[2];
};

/**
 * [route.N]: requests whose Request-URI matches go to next_hop (RFC 3263
 * is not used: next hops are configured).  A route with neither host nor
 * user_prefix is a default route.  Routes are tried in file order.
 */
struct dsbc_route_cfg {
	uint8_t index;                /* N of its [route.N] */
	char host[128];               /* Request-URI host, "" any */
	char user_prefix[64];         /* Request-URI user starts with, "" any */
	uint8_t family;
	struct dsbc_addr addr;        /* next hop SIP address */
	uint16_t port;                /* its SIP port */
	uint16_t out_port;            /* dsbc port that reaches it */
	struct dsbc_addr l2_next_hop; /* addr if on-link, else the gateway */
	uint8_t mode;                 /* enum dsbc_mode + 1; 0: [dsbc] mode */
	uint8_t b_keying;             /* B leg: enum dsbc_keying + 1; 0: as A */
	uint8_t source_check;         /* enum dsbc_source_check */
	char auth_realm[64];          /* INVITEs challenged in it; "" none */
	uint8_t transport;            /* towards next_hop: enum
				       * dsbc_route_transport */
	char tls_name[128];           /* TLS: the name next_hop's certificate
				       * must carry (RFC 5922); "" its address */
	bool stir_sign;               /* INVITEs of users and trunks get dsbc's
				       * Identity (RFC 8224 6.1) */
	uint8_t stir_verify;          /* enum dsbc_stir_policy: Identity of
				       * INVITEs taken (RFC 8224 6.2) */
};

/** What a route does with the Identity of INVITEs it takes. */
enum dsbc_stir_policy {
	DSBC_STIR_OFF = 0,            /* pass it on unread */
	DSBC_STIR_MARK = 1,           /* verify; B learns how (verstat) */
	DSBC_STIR_ENFORCE = 2,        /* verify; refuse what fails */
};

/** [stir]: the authentication service (RFC 8224 6.1, RFC 8588). */
struct dsbc_stir_cfg {
	char key[256];                /* PEM, a P-256 private key; "" none */
	char x5u[256];                /* where verifiers fetch its certificate */
	char attest[2];               /* for digest-authenticated users, "A" */
	char trunk_attest[2];         /* for calls from trunks, "B" */
	/* the verification service (RFC 8224 6.2) */
	char ca_file[256];            /* PEM trust anchors (STI roots) */
	char cert_dir[256];           /* x5u's file name looked up here first */
	char x5u_hosts[512];          /* hosts x5u may name (a leading '.':
				       * its subdomains), comma separated;
				       * "" any */
	uint32_t replay_size;         /* valid PASSporTs remembered, 65536 */
	uint32_t iat_window_s;        /* |now - iat| at most, 60 */
	uint32_t fetch_timeout_ms;    /* x5u fetch, 2000 */
	uint32_t fetch_max;           /* fetches under way at most, 16 */
	uint32_t cache_size;          /* certificates kept, 1024 */
	uint32_t cache_ttl_s;         /* kept at most (leaf expiry first) */
	uint32_t fail_ttl_s;          /* a failed x5u is not asked again */
	uint32_t parked_max;          /* INVITEs waiting for a certificate */
};

/** How a route reaches its next hop (RFC 3261 18, 26.2). */
enum dsbc_route_transport {
	DSBC_ROUTE_UDP = 0,
	DSBC_ROUTE_TCP = 1,
	DSBC_ROUTE_TLS = 2,
};

/** Digest algorithms a realm offers, numbered as lib/auth's. */
enum dsbc_cfg_digest {
	DSBC_CFG_DIGEST_MD5 = 0,
	DSBC_CFG_DIGEST_SHA256 = 1,
};

/** A [realm.N] section: a digest realm and its algorithms. */
struct dsbc_realm_cfg {
	char name[64];
	uint8_t algs[2];              /* enum dsbc_cfg_digest, preferred
				       * first */
	uint8_t nb_algs;
};

/** A [trunk.N] section: a peer trusted without digest, by its source
 * address, or by the client certificate it presents over TLS. */
struct dsbc_trunk_cfg {
	uint8_t family;
	struct dsbc_cfg_ip addr;      /* address or prefix; unset: any */
	char tls_name[128];           /* "": none; else the name its verified
				       * client certificate must carry */
};

/** A [tls.N] section: a certificate served to clients asking for name
 * (SNI, RFC 6066 section 3). */
struct dsbc_tls_cert_cfg {
	char name[128];
	char cert[256];               /* PEM chain */
	char key[256];
};

#define DSBC_CFG_MAX_TLS_CERTS 8

/** Whether a TLS client must show a certificate. */
enum dsbc_tls_verify {
	DSBC_TLS_VERIFY_NONE = 0,
	DSBC_TLS_VERIFY_OPTIONAL = 1, /* checked against ca when shown */
	DSBC_TLS_VERIFY_REQUIRE = 2,
};

/** [tls]: SIP over TLS (RFC 3261 26.2, RFC 5630). */
struct dsbc_tls_cfg {
	char cert[256];               /* "" no TLS */
	char key[256];
	char ca[256];                 /* trust anchors for peers' chains */
	uint8_t verify_client;        /* enum dsbc_tls_verify */
	uint8_t min_version;          /* 12: TLS 1.2, 13: TLS 1.3 */
	uint32_t handshake_s;         /* a handshake must end within */
	uint16_t nb_certs;
	struct dsbc_tls_cert_cfg certs[DSBC_CFG_MAX_TLS_CERTS];
};

/** [ws]: SIP over WebSocket (RFC 7118) for browsers. */
struct dsbc_ws_cfg {
	uint16_t port;                /* ws://, 0 off */
	uint16_t tls_port;            /* wss:// ([tls] certificates), 0 off */
	char origins[512];            /* Origin values allowed, "" any */
	char hosts[512];              /* Host values allowed (no port), ""
				       * any */
};

/** [auth]: where users come from and how failures are limited. */
struct dsbc_auth_section {
	char users_file[256];         /* "user realm algorithm ha1" lines */
	uint32_t nonce_ttl_s;
	uint32_t fail_max;            /* failures per source per window */
	uint32_t fail_window_s;
};

/** [cdr]: call detail records, one JSON line per call when it ends. */
struct dsbc_cdr_cfg {
	char file[256];               /* appended to, reopened on SIGHUP or
				       * SIGUSR1 (rotation); "" none */
	bool syslog;                  /* to syslog(3) instead, LOG_LOCAL0 */
	uint32_t queue;               /* records waiting for the writer */
};

/** [hep]: a copy of the signalling and quality reports to a HEP
 * collector (HEPv3, the sipcapture protocol; Homer). */
struct dsbc_hep_cfg {
	bool set;                     /* collector given */
	uint8_t family;
	struct dsbc_addr addr;        /* collector, over UDP */
	uint16_t port;
	uint32_t agent_id;            /* capture agent id chunk */
	char password[64];            /* authentication key chunk, "" none */
	uint64_t routes;              /* calls of these [route.N] (bit N)
				       * only; 0 every message */
	bool quality;                 /* per-leg quality reports at call end */
	bool rtcp;                    /* copies of the peers' clear RTCP */
	uint32_t queue;               /* packets waiting for the sender */
};

/** [registrar]: the domain whose users register with dsbc. */
struct dsbc_registrar_cfg {
	char domain[128];             /* "" no registrar */
	char realm[64];               /* REGISTER challenged in it; "" open */
	bool auth_invite;             /* INVITEs from non-trunks challenged */
	uint32_t min_expires_s;
	uint32_t max_expires_s;
	uint32_t default_expires_s;
	uint32_t nat_expires_s;
	uint32_t keepalive_s;         /* OPTIONS to NATed UDP clients, 0 off */
	uint32_t keepalive_misses;
	uint32_t flow_timer_s;        /* RFC 5626 Flow-Timer for outbound */
	uint32_t max_aors;
	uint32_t max_per_aor;
	uint8_t mode;                 /* calls to users: enum dsbc_mode + 1,
				       * 0: [dsbc] mode */
	uint8_t b_keying;             /* ... what dsbc offers them: enum
				       * dsbc_keying + 1, 0: as the caller */
};

/** Requests of a call's legs only from their signalling peers? */
enum dsbc_source_check {
	DSBC_SOURCE_CHECK_STRICT = 0,
	DSBC_SOURCE_CHECK_OFF = 1,
};

/** An [lcore.N] section: a worker lcore and the RX queues it polls. */
struct dsbc_worker_cfg {
	unsigned int lcore;
	uint16_t nb_rxq;
	struct {
		uint16_t port;
		uint16_t queue;
	} rxq[DSBC_CFG_MAX_RXQ];
};

/** The whole configuration; dsbc_config_load() fills it. */
struct dsbc_config {
	char path[256];
	/* [dsbc] */
	uint16_t sip_port;
	uint32_t sip_rate_pps;        /* SIP messages/s per source, 0 off */
	uint32_t sip_burst;           /* messages above the rate allowed */
	/* overload control (lib/overload, dp/worker_sip.c, ctl/sip_admit.c) */
	uint32_t sip_ban_strikes;     /* over-budget messages in 1 s that ban
				       * a source, 0 never */
	uint32_t sip_ban_s;           /* how long a ban lasts */
	uint32_t sip_admit_pps;       /* strangers' messages admitted per s */
	uint32_t sip_admit_burst;
	uint32_t sip_reject_pps;      /* 503s per s to those not admitted */
	uint32_t sip_retry_after_s;   /* their Retry-After: this to twice it */
	uint32_t sip_trust_s;         /* how long a peer stays trusted */
	uint32_t sip_trusted_rate_pps;   /* a trusted peer's SIP/s (and
					  * burst), 0 no limit */
	uint32_t sip_t1_ms;           /* RFC 3261 T1, the RTT estimate */
	uint16_t media_port_min;
	uint16_t media_port_max;
	uint32_t flow_capacity;       /* per worker */
	uint32_t ice_capacity;        /* ICE-lite agents (legs) per worker */
	uint32_t max_calls;           /* concurrent calls of the B2BUA;
				       * 0: sized from memory at start */
	uint32_t max_transactions;    /* concurrent SIP transactions;
				       * 0: sized from max_calls */
	uint32_t terminate_capacity;  /* terminated flows per worker */
	uint8_t srtp_engine;          /* 0 libsrtp2, 1 cryptodev */
	uint32_t cryptodev_qp_size;   /* descriptors per queue pair */
	uint32_t srtp_replay_window;  /* RFC 3711 3.3.2, packets */
	uint32_t sip_tcp_max_conns;   /* SIP over TCP: connections at once */
	uint32_t sip_tcp_max_per_source;  /* ... from one address */
	uint32_t sip_tcp_idle_s;      /* ... closed after this long silent */
	uint16_t sip_tls_port;        /* [tls] port */
	uint32_t srtp_hold_ms;        /* terminate: how long a packet waits
				       * for its flow's keys, 0 never */
	uint32_t srtp_hold_packets;   /* terminate: packets waiting, per
				       * worker */
	uint32_t ice_consent_s;       /* RFC 7675 consent timeout, seconds */
	uint32_t mbufs;               /* per pool */
	uint16_t mbuf_data_size;
	uint16_t burst;
	uint32_t ctrl_ring_size;      /* management -> worker messages */
	uint32_t event_ring_size;     /* worker -> management messages */
	uint32_t punt_ring_size;      /* SIP and exception mbuf rings */
	uint32_t handoff_ring_size;
	uint32_t idle_polls;          /* empty polls before a worker sleeps */
	uint32_t idle_sleep_us;       /* 0: never sleep (dedicated cores) */
	uint32_t flow_idle_ms;        /* FLOW_IDLE after this silence */
	uint8_t mode_default;
	uint8_t ssrc_policy;          /* enum dsbc_ssrc_policy (aware mode) */
	uint8_t seq_drop;             /* aware: drop sequence leaps */
	uint16_t seq_window;          /* aware: a leap is beyond this */
	uint32_t police_pps;          /* per-flow packets/s, 0 off */
	uint32_t police_burst;        /* packets above the rate allowed */
	uint8_t latch_default;
	uint16_t relatch_ms_default;
	uint8_t dscp_default;
	uint8_t ttl;
	uint32_t arp_retry_ms;
	char flow_file[256];
	char drivers_cfg_dir[256];
	/* terminator mode (DTLS-SRTP terminated by dsbc) */
	char dtls_cert[256];          /* PEM; generated and saved when absent */
	char dtls_key[256];
	uint8_t dtls_setup;           /* answer to actpass: 0 active, 1 passive */
	uint32_t dtls_timeout_ms;     /* handshake must end within */
	uint16_t no_route_status;     /* 404 or 480 */
	char log_level[256];          /* "type:level,...", as --log-level */
	/* [port.N] */
	uint16_t nb_ports;
	struct dsbc_port_cfg ports[DSBC_CFG_MAX_PORTS];
	/* [neigh.N] */
	uint16_t nb_neigh;
	struct dsbc_neigh_cfg neigh[DSBC_CFG_MAX_NEIGH];
	/* [route.N] */
	uint16_t nb_routes;
	struct dsbc_route_cfg routes[DSBC_CFG_MAX_ROUTES];
	/* [stir] */
	struct dsbc_stir_cfg stir;
	/* [tls], [tls.N], [ws] */
	struct dsbc_tls_cfg tls;
	struct dsbc_ws_cfg ws;
	/* [auth], [realm.N], [trunk.N], [registrar] */
	struct dsbc_auth_section auth;
	uint16_t nb_realms;
	struct dsbc_realm_cfg realms[DSBC_CFG_MAX_REALMS];
	uint16_t nb_trunks;
	struct dsbc_trunk_cfg trunks[DSBC_CFG_MAX_TRUNKS];
	struct dsbc_registrar_cfg registrar;
	/* [cdr], [hep] */
	struct dsbc_cdr_cfg cdr;
	struct dsbc_hep_cfg hep;
	/* [lcore.N]: explicit (port, queue) assignment; none = automatic */
	uint16_t nb_workers_cfg;
	struct dsbc_worker_cfg workers[DSBC_CFG_MAX_WORKERS];
	/* [flow.N] + flow_file */
	uint32_t nb_flows;
	uint32_t flows_cap;
	struct dsbc_flow_cfg *flows;  /* malloc'd */
};

/**
 * Defaults for every key (what config/dsbc.conf documents).
 *
 * @param c  the configuration, out (zeroed first: no flows, no ports)
 */
void dsbc_config_defaults(struct dsbc_config *c);

/**
 * Load and validate path into c (defaults first).  0 on success; -1 with
 * one line in err: "<file>: [<section>] <key>: <reason>".  flow_file, when
 * set, is read too.
 *
 * @param path  the INI file
 * @param c  the configuration, out; free it with dsbc_config_free()
 * @param err  where the reason of a failure is written
 * @param errlen  size of err
 * @return 0, or -1 when the file cannot be read or parsed, or a
 *   section, key or value is refused (c's flows are then freed)
 */
int dsbc_config_load(const char *path, struct dsbc_config *c,
		     char *err, size_t errlen);

/**
 * Free what loading allocated (the flows); c may be loaded again.
 *
 * @param c  the configuration
 */
void dsbc_config_free(struct dsbc_config *c);

/**
 * True when addr is ip's address, or inside it when as_prefix.
 *
 * @param ip  a configured address; false when it is not set
 * @param addr  the address, of ip's family
 * @param as_prefix  compare the first ip->prefix bits only
 * @return whether addr matches
 */
bool dsbc_config_ip_match(const struct dsbc_cfg_ip *ip, const struct dsbc_addr *addr,
			  bool as_prefix);

/**
 * The realm of that name.
 *
 * @param c  the configuration
 * @param name  a realm name
 * @return its [realm.N], or NULL when none has that name
 */
const struct dsbc_realm_cfg *dsbc_config_realm(const struct dsbc_config *c,
					       const char *name);

/**
 * The name a route's TLS next hop must prove (RFC 5922), by the index a
 * peer carries (struct dsbc_sip_peer's route: [route.N] + 1).
 *
 * @param c  the configuration
 * @param route  [route.N] + 1; 0 or out of range: no route
 * @return its tls_name, "" when none (then the address is checked)
 */
const char *dsbc_config_route_tls_name(const struct dsbc_config *c,
				       uint8_t route);

/**
 * Is a peer a configured trunk ([trunk.N])?  A trunk with an address
 * needs the peer's to be in it; one with a tls_name needs the peer's
 * verified client certificate to carry that name (certs has its bit);
 * one with both needs both.
 *
 * @param c  the configuration
 * @param family  4 or 6
 * @param addr  the peer's source address
 * @param certs  bit N set: the peer's certificate carries [trunk.N]'s
 *   tls_name (see dsbc_config_trunk_names()); 0 without TLS
 * @return whether some trunk holds the peer
 */
bool dsbc_config_is_trunk(const struct dsbc_config *c, uint8_t family,
			  const struct dsbc_addr *addr, uint64_t certs);

/**
 * Port whose ip4/ip6 is addr, or whose media prefix holds it; -1 if none.
 *
 * @param c  the configuration
 * @param family  4 or 6
 * @param addr  a local address
 * @return the first such port's index, or -1
 */
int dsbc_config_port_of_addr(const struct dsbc_config *c, uint8_t family,
			     const struct dsbc_addr *addr);
/**
 * True when addr lies in the subnet of port p for that family.
 *
 * @param p  the port
 * @param family  4 or 6
 * @param addr  the address
 * @return whether it is on-link (false when p has no address of family)
 */
bool dsbc_config_on_link(const struct dsbc_port_cfg *p, uint8_t family,
			 const struct dsbc_addr *addr);

/**
 * The port that reaches remote (on-link first, then the first port with a
 * gateway of that family) and the L2 next hop on it.
 *
 * @param c  the configuration
 * @param family  4 or 6
 * @param remote  the address to reach
 * @param port  out: the port's index
 * @param next_hop  out: remote when on-link, else the gateway
 * @return 0, or -1 when no port reaches it (no subnet, no gateway)
 */
int dsbc_config_route_out(const struct dsbc_config *c, uint8_t family,
			  const struct dsbc_addr *remote, uint16_t *port,
			  struct dsbc_addr *next_hop);

/**
 * Parse "ADDR:PORT" or "[V6]:PORT".
 *
 * @param s  the text, NUL-terminated (or NULL)
 * @param a  out: the address
 * @param family  out: 4 or 6
 * @param port  out: the port, set on success only
 * @return 0, or -1 when s is not such an endpoint (an IPv6 address
 *   without brackets, a port outside 1..65535, ...)
 */
int dsbc_config_parse_endpoint(const char *s, struct dsbc_addr *a,
			       uint8_t *family, uint16_t *port);

#endif /* DSBC_CONFIG_H */
