/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Users: digest authentication of REGISTER and INVITE (RFC 3261 section
 * 22, with lib/auth) and the registrar for the configured domain (10.3,
 * with lib/registrar).  A REGISTER's binding keeps where it really came
 * from, so calls to the user reach it through its NAT; NATed UDP users
 * are kept open with OPTIONS.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b2bua_internal.h"
#include "dsbc_auth.h"
#include "dsbc_reg.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_txn.h"

/* what the registrar keeps of a client: the part a keepalive answer must
 * match first, then where to send */
struct reg_peer {
	struct dsbc_addr remote;
	uint16_t remote_port;
	uint8_t family;
	uint8_t transport;
	uint32_t conn;
	struct dsbc_sip_peer peer;
};
#define REG_PEER_KEY offsetof(struct reg_peer, peer)

_Static_assert(sizeof(struct reg_peer) <= DSBC_REG_PEER_MAX,
	       "a binding keeps the peer its REGISTER came from");

/* The key part of a reg_peer from a message's source; peer zeroed. */
static void
reg_peer_of(const struct dsbc_sip_peer *from, struct reg_peer *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->remote = from->remote;
	rp->remote_port = from->remote_port;
	rp->family = from->family;
	rp->transport = from->transport;
	rp->conn = from->conn;
}

/* keepalive OPTIONS: branches dsbc answers itself */
#define KA_BRANCH "z9hG4bKdsbcK"

static void
realm_of(const struct dsbc_realm_cfg *rc, struct dsbc_auth_realm *r)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", rc->name);
	for (i = 0; i < rc->nb_algs; i++)
		r->algs[i] = rc->algs[i] == DSBC_CFG_DIGEST_SHA256 ?
			     DSBC_DIGEST_SHA256 : DSBC_DIGEST_MD5;
	r->nb_algs = rc->nb_algs;
}

int
b2bua_reg_init(struct dsbc_b2bua *b, char *err, size_t errlen)
{
	const struct dsbc_config *c = b->cfg;
	bool auth = c->registrar.realm[0] != '\0';
	uint16_t i;

	for (i = 0; i < c->nb_routes; i++)
		auth |= c->routes[i].auth_realm[0] != '\0';
	if (auth) {
		struct dsbc_auth_cfg ac = {
			.nonce_ttl_ms = c->auth.nonce_ttl_s * 1000,
			.fail_max = c->auth.fail_max,
			.fail_window_ms = c->auth.fail_window_s * 1000,
		};

		if (b2bua_random(b, ac.key, sizeof(ac.key)) != 0) {
			snprintf(err, errlen, "auth: no random bytes");
			return -1;
		}
		b->auth = dsbc_auth_create(&ac);
		memset(ac.key, 0, sizeof(ac.key));
		if (b->auth == NULL) {
			snprintf(err, errlen, "auth: out of memory");
			return -1;
		}
		if (dsbc_auth_users_load(b->auth, c->auth.users_file, err,
					 errlen) < 0)
			return -1;
	}
	if (c->registrar.domain[0] != '\0') {
		struct dsbc_reg_cfg rc = {
			.max_aors = c->registrar.max_aors,
			.max_per_aor = c->registrar.max_per_aor,
			.min_expires_s = c->registrar.min_expires_s,
			.max_expires_s = c->registrar.max_expires_s,
			.default_expires_s = c->registrar.default_expires_s,
			.nat_expires_s = c->registrar.nat_expires_s,
			.keepalive_ms = c->registrar.keepalive_s ?
					c->registrar.keepalive_s * 1000 :
					UINT32_MAX,
			.keepalive_misses = c->registrar.keepalive_misses,
		};

		if (b2bua_random(b, &rc.hash_seed, sizeof(rc.hash_seed)) != 0 ||
		    (b->reg = dsbc_reg_create(&rc)) == NULL) {
			snprintf(err, errlen, "registrar: out of memory");
			return -1;
		}
	}
	return 0;
}

void
b2bua_reg_fini(struct dsbc_b2bua *b)
{
	dsbc_auth_free(b->auth);
	dsbc_reg_free(b->reg);
	b->auth = NULL;
	b->reg = NULL;
}

/* ---- the domain ---- */

/* Is host (of a sip URI) the registrar's domain or one of dsbc's
 * addresses? */
static bool
host_is_local(const struct dsbc_b2bua *b, struct dsbc_sip_str host)
{
	const struct dsbc_config *c = b->cfg;
	struct dsbc_addr a;
	uint8_t fam;
	char h[64];
	uint16_t i;

	if (c->registrar.domain[0] == '\0')
		return false;
	if (strlen(c->registrar.domain) == host.len &&
	    strncasecmp(c->registrar.domain, host.p, host.len) == 0)
		return true;
	if (host.len >= sizeof(h))
		return false;
	/* an IPv6 reference keeps its brackets in the URI */
	if (host.len > 2 && host.p[0] == '[') {
		memcpy(h, host.p + 1, host.len - 2);
		h[host.len - 2] = '\0';
	} else {
		memcpy(h, host.p, host.len);
		h[host.len] = '\0';
	}
	if (dsbc_addr_parse(h, &a, &fam) != 0)
		return false;
	for (i = 0; i < c->nb_ports; i++)
		if (dsbc_config_ip_match(fam == 4 ? &c->ports[i].ip4 :
					 &c->ports[i].ip6, &a, false))
			return true;
	return false;
}

/* "user@domain" of a URI in the local domain; -1 when it is not one */
static int
aor_of(const struct dsbc_b2bua *b, struct dsbc_sip_str uri, char *out,
       size_t cap)
{
	struct dsbc_sip_uri u;
	int n;

	if (dsbc_sip_uri_parse(uri.p, uri.len, &u) != 0 ||
	    (u.scheme != DSBC_SIP_SCHEME_SIP &&
	     u.scheme != DSBC_SIP_SCHEME_SIPS) ||
	    u.user.len == 0 || !host_is_local(b, u.host))
		return -1;
	n = snprintf(out, cap, "%.*s@%s", (int)u.user.len, u.user.p,
		     b->cfg->registrar.domain);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

bool
b2bua_reg_local(const struct dsbc_b2bua *b, const struct dsbc_sip_msg *m)
{
	char aor[128];

	return b->reg != NULL && aor_of(b, m->ruri, aor, sizeof(aor)) == 0;
}

/* ---- authentication ---- */

static void
src_key(const struct dsbc_sip_peer *from, uint8_t key[17])
{
	key[0] = from->family;
	memcpy(key + 1, &from->remote, 16);
}

static void
answer(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
       const struct dsbc_sip_peer *from, struct dsbc_sip_txn *t, int status,
       const char *reason, const char *extra, uint64_t now)
{
	uint32_t len = b2bua_response(b, m, from, status, reason, NULL, extra,
				      NULL, 0, b->buf, sizeof(b->buf));

	if (len == 0) {
		b->st.send_fail++;
		return;
	}
	if (t != NULL)
		dsbc_sip_txn_respond(b->txl, t, (uint16_t)status, b->buf, len,
				     now);
	else
		b2bua_send(b, from, b->buf, len);
	b->st.tx_resp[status / 100]++;
}

int
b2bua_auth(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	   const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
	   const char *realm_name, bool proxy, char *user, size_t ucap,
	   uint64_t now)
{
	const struct dsbc_realm_cfg *rc;
	struct dsbc_auth_realm realm;
	char extra[1024];
	uint8_t key[17];
	bool stale = false;
	int n;

	if (ucap > 0)
		user[0] = '\0';
	if (realm_name == NULL || realm_name[0] == '\0')
		return 0;
	/* trunks are trusted by address or TLS client certificate (RFC
	 * 3261 26.3.2.2 leaves it to policy) */
	if (dsbc_config_is_trunk(b->cfg, from->family, &from->remote,
				 from->trunk_certs)) {
		b->st.auth_trunk++;
		return 0;
	}
	rc = dsbc_config_realm(b->cfg, realm_name);
	if (rc == NULL || b->auth == NULL) {
		answer(b, m, from, t, 500, "Server Internal Error", NULL, now);
		return -1;
	}
	realm_of(rc, &realm);
	src_key(from, key);
	switch (dsbc_auth_check(b->auth, &realm, m, proxy, key, sizeof(key),
				now, user, ucap)) {
	case DSBC_AUTH_OK:
		return 0;
	case DSBC_AUTH_BLOCKED:
		answer(b, m, from, t, 403, "Forbidden", NULL, now);
		return -1;
	case DSBC_AUTH_BAD:
		answer(b, m, from, t, 400, "Bad Credentials", NULL, now);
		return -1;
	case DSBC_AUTH_STALE:
		stale = true;
		break;
	case DSBC_AUTH_CHALLENGE:
	case DSBC_AUTH_FAIL:
		break;
	}
	n = dsbc_auth_challenge(b->auth, &realm, proxy, stale, now, extra,
				sizeof(extra));
	if (n < 0) {
		answer(b, m, from, t, 500, "Server Internal Error", NULL, now);
		return -1;
	}
	answer(b, m, from, t, proxy ? 407 : 401,
	       proxy ? "Proxy Authentication Required" : "Unauthorized", extra,
	       now);
	return -1;
}

/* ---- REGISTER ---- */

/* Does a Supported header of m list tag (RFC 3261 20.37)? */
static bool
supports(const struct dsbc_sip_msg *m, const char *tag)
{
	size_t tl = strlen(tag);
	unsigned int i;

	for (i = 0; i < m->nb_hdrs; i++) {
		const char *p, *end;

		if (m->hdrs[i].id != DSBC_SIP_H_SUPPORTED)
			continue;
		p = m->hdrs[i].value.p;
		end = p + m->hdrs[i].value.len;
		while (p < end) {
			const char *q = memchr(p, ',', (size_t)(end - p));
			const char *a = p, *z;

			if (q == NULL)
				q = end;
			z = q;
			while (a < z && (*a == ' ' || *a == '\t'))
				a++;
			while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
				z--;
			if ((size_t)(z - a) == tl &&
			    strncasecmp(a, tag, tl) == 0)
				return true;
			p = q + 1;
		}
	}
	return false;
}

/* Behind a NAT: the Contact names another address or port than the
 * request came from (what RFC 3581's received/rport reveal). */
static bool
natted(const struct dsbc_sip_msg *m, const struct dsbc_sip_peer *from)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTACT,
							0);
	struct dsbc_sip_nameaddr na;
	struct dsbc_addr a;
	const char *next;
	uint8_t fam;
	char host[64];

	if (h == NULL || dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, true,
						 &next) != 0 || na.star)
		return false;
	if (na.uri.host.len == 0 || na.uri.host.len >= sizeof(host))
		return true;
	if (na.uri.host.p[0] == '[' && na.uri.host.len > 2) {
		memcpy(host, na.uri.host.p + 1, na.uri.host.len - 2);
		host[na.uri.host.len - 2] = '\0';
	} else {
		memcpy(host, na.uri.host.p, na.uri.host.len);
		host[na.uri.host.len] = '\0';
	}
	if (dsbc_addr_parse(host, &a, &fam) != 0 || fam != from->family ||
	    !dsbc_addr_eq(&a, &from->remote))
		return true;
	return (na.uri.port ? na.uri.port : 5060) != from->remote_port;
}

void
b2bua_register_in(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		  const struct dsbc_sip_msg *m, uint64_t now)
{
	const struct dsbc_sip_hdr *to = dsbc_sip_hdr_get(m, DSBC_SIP_H_TO, 0);
	struct dsbc_sip_nameaddr na;
	struct dsbc_reg_result res;
	struct dsbc_reg_source src;
	struct dsbc_sip_uri ru;
	struct dsbc_sip_txn *t;
	struct reg_peer rp;
	const char *next;
	char aor[128], extra[2048], user[64];
	int n;

	t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
	if (b->reg == NULL) {
		b->st.stateless_501++;
		answer(b, m, from, t, 501, "Not Implemented", NULL, now);
		return;
	}
	/* RFC 3261 10.3 step 1: the Request-URI names the domain */
	if (dsbc_sip_uri_parse(m->ruri.p, m->ruri.len, &ru) != 0 ||
	    !host_is_local(b, ru.host)) {
		b->st.reg_foreign++;
		answer(b, m, from, t, 403, "Domain Not Served", NULL, now);
		return;
	}
	/* step 5: the AoR is the To URI's */
	if (to == NULL || dsbc_sip_nameaddr_parse(to->value.p, to->value.p +
						  to->value.len, &na, false,
						  &next) != 0 ||
	    aor_of(b, na.uri_str, aor, sizeof(aor)) != 0) {
		b->st.reg_foreign++;
		answer(b, m, from, t, 404, "Not Found", NULL, now);
		return;
	}
	/* step 3 and 4: the user proves who it is */
	if (b2bua_auth(b, from, m, t, b->cfg->registrar.realm, false, user,
		       sizeof(user), now) != 0)
		return;
	/* a trunk is trusted to call, not to register as anyone: with a
	 * realm, only an authenticated user binds (its own AoR) */
	if (b->cfg->registrar.realm[0] != '\0' && user[0] == '\0') {
		b->st.reg_forbidden++;
		answer(b, m, from, t, 403, "Forbidden", NULL, now);
		return;
	}
	/* an authenticated user registers its own AoR only, not another's
	 * (the To user is the user name: RFC 3261 10.3 step 4 leaves the
	 * mapping to the registrar) */
	if (user[0] != '\0' && (strncmp(aor, user, strlen(user)) != 0 ||
				aor[strlen(user)] != '@')) {
		b->st.reg_forbidden++;
		answer(b, m, from, t, 403, "Forbidden", NULL, now);
		return;
	}
	reg_peer_of(from, &rp);
	rp.peer = *from;
	src.peer = &rp;
	src.peer_len = sizeof(rp);
	src.conn = from->conn;
	src.nat = from->transport == DSBC_SIP_UDP && natted(m, from);
	/* RFC 5626 outbound, on the streams dsbc keeps open */
	src.outbound_ok = from->transport != DSBC_SIP_UDP &&
			  supports(m, "outbound");
	dsbc_reg_register(b->reg, aor, m, &src, now, &res);
	if (res.status == 423) {
		snprintf(extra, sizeof(extra), "Min-Expires: %u\r\n",
			 res.min_expires);
		answer(b, m, from, t, 423, res.reason, extra, now);
		return;
	}
	if (res.status != 200) {
		answer(b, m, from, t, res.status, res.reason, NULL, now);
		return;
	}
	n = dsbc_reg_contacts(b->reg, aor, now, extra, sizeof(extra));
	/* RFC 5626 5.2 and 4.4.1: the flow is the way in, keep it alive
	 * this often */
	if (n >= 0 && res.outbound) {
		int k = snprintf(extra + n, sizeof(extra) - (size_t)n,
				 "Require: outbound\r\nFlow-Timer: %u\r\n",
				 b->cfg->registrar.flow_timer_s);

		n = k < 0 || (size_t)k >= sizeof(extra) - (size_t)n ? -1 :
		    n + k;
	}
	if (n < 0) {
		answer(b, m, from, t, 500, "Server Internal Error", NULL, now);
		return;
	}
	B2B_LOG(b, INFO, "REGISTER %s from %s port %u%s", aor,
		from->family == 4 ? "v4" : "v6", from->remote_port,
		src.nat ? " (NAT)" : "");
	/* an authenticated user: its refreshes and calls keep their
	 * priority under a flood */
	b2bua_trust(b, from);
	answer(b, m, from, t, 200, "OK", extra, now);
}

/* ---- calls to registered users ---- */

int
b2bua_reg_target(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
		 struct dsbc_sip_peer *peer, char *ruri, size_t cap)
{
	const struct dsbc_reg_binding *bd;
	const struct reg_peer *rp;
	char aor[128];

	if (b->reg == NULL || aor_of(b, m->ruri, aor, sizeof(aor)) != 0)
		return -1;
	bd = dsbc_reg_lookup(b->reg, aor, b->now);
	if (bd == NULL)
		return -1;
	if (bd->flow_failed)
		return -2;
	rp = (const struct reg_peer *)bd->peer;
	*peer = rp->peer;
	snprintf(ruri, cap, "%s", bd->contact);
	return 0;
}

/* ---- keepalives (NATed UDP clients) ---- */

static void
ka_send(void *ctx, const struct dsbc_reg_binding *bd)
{
	struct dsbc_b2bua *b = ctx;
	const struct reg_peer *rp = (const struct reg_peer *)bd->peer;
	char ip[64], tag[24], cid[40];
	int n;

	dsbc_addr_fmt(&rp->peer.local, rp->peer.family, ip, sizeof(ip));
	if (b2bua_token(b, tag, sizeof(tag), "", 6) != 0 ||
	    b2bua_token(b, cid, sizeof(cid), "ka", 12) != 0)
		return;
	n = snprintf(b->buf, sizeof(b->buf),
		     "OPTIONS %s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s%s%s:%u;branch=" KA_BRANCH "%08x.%s;"
		     "rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:keepalive@%s>;tag=%s\r\n"
		     "To: <%s>\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: 1 OPTIONS\r\n"
		     "Content-Length: 0\r\n\r\n",
		     bd->contact, rp->family == 6 ? "[" : "", ip,
		     rp->family == 6 ? "]" : "", rp->peer.local_port,
		     bd->handle, tag, b->cfg->registrar.domain, tag,
		     bd->contact, cid);
	if (n > 0 && (size_t)n < sizeof(b->buf)) {
		b2bua_trust(b, &rp->peer);   /* its pong is awaited */
		b2bua_send(b, &rp->peer, b->buf, (uint32_t)n);
	}
}

void
b2bua_reg_tick(struct dsbc_b2bua *b, uint64_t now)
{
	if (b->reg != NULL)
		dsbc_reg_tick(b->reg, now, ka_send, b);
}

bool
b2bua_reg_pong(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	       const struct dsbc_sip_msg *m)
{
	const char *branch;
	struct reg_peer rp;
	uint32_t blen, handle = 0, i;

	if (dsbc_sip_top_branch(m, &branch, &blen) != 0 ||
	    blen < sizeof(KA_BRANCH) - 1 + 8 ||
	    memcmp(branch, KA_BRANCH, sizeof(KA_BRANCH) - 1) != 0)
		return false;
	for (i = 0; i < 8; i++) {
		char ch = branch[sizeof(KA_BRANCH) - 1 + i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' :
			ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;

		if (d < 0)
			break;
		handle = handle << 4 | (uint32_t)d;
	}
	reg_peer_of(from, &rp);
	/* any answer (even 404 or 501) shows the pinhole is open */
	if (i < 8 || b->reg == NULL ||
	    dsbc_reg_pong(b->reg, handle, &rp, REG_PEER_KEY) != 0)
		b->st.keepalive_stray++;
	return true;
}

void
b2bua_reg_conn_closed(struct dsbc_b2bua *b, uint32_t conn)
{
	if (b->reg != NULL)
		dsbc_reg_flow_gone(b->reg, conn);
}

/* ---- API ---- */

int
dsbc_b2bua_auth_reload(struct dsbc_b2bua *b, char *err, size_t errlen)
{
	if (b->auth == NULL) {
		snprintf(err, errlen, "no realm is in use");
		return -1;
	}
	return dsbc_auth_users_load(b->auth, b->cfg->auth.users_file, err,
				    errlen);
}

const struct dsbc_auth_stats *
dsbc_b2bua_auth_stats(const struct dsbc_b2bua *b)
{
	return b->auth != NULL ? dsbc_auth_stats(b->auth) : NULL;
}

const struct dsbc_reg_stats *
dsbc_b2bua_reg_stats(const struct dsbc_b2bua *b)
{
	return b->reg != NULL ? dsbc_reg_stats(b->reg) : NULL;
}

struct reg_walk {
	int (*fn)(void *ctx, const struct dsbc_reg_binding *bd,
		  const struct dsbc_sip_peer *peer);
	void *ctx;
};

static int
reg_walk_one(void *ctx, const struct dsbc_reg_binding *bd)
{
	struct reg_walk *w = ctx;

	return w->fn(w->ctx, bd, &((const struct reg_peer *)bd->peer)->peer);
}

void
dsbc_b2bua_reg_walk(const struct dsbc_b2bua *b,
		    int (*fn)(void *ctx, const struct dsbc_reg_binding *bd,
			      const struct dsbc_sip_peer *peer),
		    void *ctx)
{
	struct reg_walk w = { fn, ctx };

	if (b->reg != NULL)
		dsbc_reg_walk(b->reg, reg_walk_one, &w);
}
