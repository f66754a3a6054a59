/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digest authentication of SIP requests: nonces, nonce counts, the
 * users file and per-source failure limits (see dsbc_auth.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "dsbc_auth.h"

#define NONCE_MAC_BYTES 16
/* 16 hex digits of time and sequence, 32 of MAC */
#define NONCE_HEX (16 + 2 * NONCE_MAC_BYTES)
#define PROBE_MAX 16
/* a nonce stamped this far ahead of the clock is not ours */
#define NONCE_SKEW_MS 1000

struct nc_slot {
	uint64_t tag;            /* first bytes of the nonce's MAC, 0: free */
	uint64_t issued;         /* the nonce's time, ms */
	uint64_t window;         /* bit i: count max_nc - i seen */
	uint32_t max_nc;
};

struct src_slot {
	uint8_t key[17];
	uint8_t used;
	uint32_t fails;
	uint64_t since;          /* start of the window, ms */
};

struct user_ent {
	char user[64];
	char realm[64];
	char ha1[DSBC_DIGEST_ALG_MAX][DSBC_DIGEST_HEX_MAX];
	uint32_t next;           /* chain, index + 1; 0 end */
};

struct users {
	uint32_t nb;
	uint32_t nb_buckets;     /* power of two */
	uint32_t *bucket;        /* index + 1; 0 empty */
	struct user_ent *e;
};

struct dsbc_auth {
	struct dsbc_auth_cfg cfg;
	struct dsbc_auth_stats st;
	uint16_t seq;
	uint64_t evicted_below;  /* newest nonce time pushed out + 1, ms */
	uint32_t nc_mask;
	struct nc_slot *nc;
	uint32_t src_mask;
	struct src_slot *src;
	struct users users;
};

static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t
hash_bytes(const struct dsbc_auth *a, const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	size_t i;

	memcpy(&h, a->cfg.key + 8, sizeof(h));
	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return mix64(h);
}

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

struct dsbc_auth *
dsbc_auth_create(const struct dsbc_auth_cfg *cfg)
{
	struct dsbc_auth *a = calloc(1, sizeof(*a));
	uint32_t n;

	if (a == NULL)
		return NULL;
	a->cfg = *cfg;
	if (a->cfg.nonce_ttl_ms == 0)
		a->cfg.nonce_ttl_ms = 300000;
	if (a->cfg.fail_max == 0)
		a->cfg.fail_max = 10;
	if (a->cfg.fail_window_ms == 0)
		a->cfg.fail_window_ms = 60000;
	n = pow2_at_least(a->cfg.nc_slots ? a->cfg.nc_slots : 16384);
	a->nc_mask = n - 1;
	a->nc = calloc(n, sizeof(*a->nc));
	n = pow2_at_least(a->cfg.src_slots ? a->cfg.src_slots : 4096);
	a->src_mask = n - 1;
	a->src = calloc(n, sizeof(*a->src));
	if (a->nc == NULL || a->src == NULL) {
		dsbc_auth_free(a);
		return NULL;
	}
	return a;
}

static void
users_free(struct users *u)
{
	free(u->bucket);
	free(u->e);
	memset(u, 0, sizeof(*u));
}

void
dsbc_auth_free(struct dsbc_auth *a)
{
	if (a == NULL)
		return;
	users_free(&a->users);
	free(a->nc);
	free(a->src);
	OPENSSL_cleanse(a->cfg.key, sizeof(a->cfg.key));
	free(a);
}

const struct dsbc_auth_stats *
dsbc_auth_stats(const struct dsbc_auth *a)
{
	return &a->st;
}

/* ---- users ---- */

static uint32_t
user_bucket(const struct dsbc_auth *a, const struct users *u,
	    const char *user, const char *realm)
{
	uint64_t h = hash_bytes(a, user, strlen(user), 0);

	h = hash_bytes(a, realm, strlen(realm), h) ^ h;
	return (uint32_t)h & (u->nb_buckets - 1);
}

static struct user_ent *
user_find(const struct dsbc_auth *a, const struct users *u, const char *user,
	  const char *realm)
{
	uint32_t i;

	if (u->nb_buckets == 0)
		return NULL;
	for (i = u->bucket[user_bucket(a, u, user, realm)]; i != 0;
	     i = u->e[i - 1].next)
		if (strcmp(u->e[i - 1].user, user) == 0 &&
		    strcmp(u->e[i - 1].realm, realm) == 0)
			return &u->e[i - 1];
	return NULL;
}

bool
dsbc_auth_user_known(const struct dsbc_auth *a, const char *user,
		     const char *realm)
{
	return user_find(a, &a->users, user, realm) != NULL;
}

static bool
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return s[n] == '\0';
}

static int
users_add(struct dsbc_auth *a, struct users *u, uint32_t cap,
	  const char *user, const char *realm, int alg, const char *ha1,
	  const char **why)
{
	struct user_ent *e = user_find(a, u, user, realm);
	size_t i;

	if (e == NULL) {
		uint32_t bk;

		if (u->nb == cap) {
			*why = "too many entries";
			return -1;
		}
		e = &u->e[u->nb++];
		snprintf(e->user, sizeof(e->user), "%s", user);
		snprintf(e->realm, sizeof(e->realm), "%s", realm);
		bk = user_bucket(a, u, user, realm);
		e->next = u->bucket[bk];
		u->bucket[bk] = u->nb;
	} else if (e->ha1[alg][0] != '\0') {
		*why = "user, realm and algorithm given twice";
		return -1;
	}
	/* lower case: what dsbc_digest_response() hashes is the hex text */
	for (i = 0; ha1[i] != '\0'; i++)
		e->ha1[alg][i] = (char)((ha1[i] >= 'A' && ha1[i] <= 'F') ?
					ha1[i] - 'A' + 'a' : ha1[i]);
	e->ha1[alg][i] = '\0';
	return 0;
}

int
dsbc_auth_users_load(struct dsbc_auth *a, const char *path, char *err,
		     size_t errlen)
{
	struct users u = { 0 };
	char line[512];
	uint32_t lines = 0, cap = 0, lno = 0;
	FILE *f = fopen(path, "r");
	const char *why = NULL;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		a->st.reload_failed++;
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		lines++;
	rewind(f);
	cap = lines ? lines : 1;
	u.nb_buckets = pow2_at_least(cap);
	u.bucket = calloc(u.nb_buckets, sizeof(*u.bucket));
	u.e = calloc(cap, sizeof(*u.e));
	if (u.bucket == NULL || u.e == NULL) {
		why = "out of memory";
		goto fail;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char user[128], realm[128], alg[32], ha1[128], extra[2];
		size_t len = strlen(line);
		int n, ai;

		lno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			why = "line too long";
			goto fail;
		}
		n = sscanf(line, "%127s %127s %31s %127s %1s", user, realm,
			   alg, ha1, extra);
		if (n <= 0 || user[0] == '#')
			continue;
		if (n != 4) {
			why = "want: user realm algorithm ha1";
			goto fail;
		}
		if (strlen(user) >= sizeof(u.e->user) ||
		    strlen(realm) >= sizeof(u.e->realm)) {
			why = "user or realm longer than 63 characters";
			goto fail;
		}
		ai = dsbc_digest_alg_lookup(alg, strlen(alg));
		if (ai < 0) {
			why = "algorithm is neither MD5 nor SHA-256";
			goto fail;
		}
		if (!is_hex(ha1, ai == DSBC_DIGEST_MD5 ? 32 : 64)) {
			why = ai == DSBC_DIGEST_MD5 ?
			      "ha1 is not 32 hex digits" :
			      "ha1 is not 64 hex digits";
			goto fail;
		}
		if (users_add(a, &u, cap, user, realm, ai, ha1, &why) != 0)
			goto fail;
	}
	if (ferror(f)) {
		why = "read error";
		goto fail;
	}
	fclose(f);
	OPENSSL_cleanse(line, sizeof(line));
	if (a->users.e != NULL)
		OPENSSL_cleanse(a->users.e, a->users.nb * sizeof(*a->users.e));
	users_free(&a->users);
	a->users = u;
	a->st.users = u.nb;
	a->st.reloads++;
	return (int)u.nb;
fail:
	snprintf(err, errlen, "%s:%u: %s", path, lno, why);
	fclose(f);
	OPENSSL_cleanse(line, sizeof(line));
	if (u.e != NULL)
		OPENSSL_cleanse(u.e, cap * sizeof(*u.e));
	users_free(&u);
	a->st.reload_failed++;
	return -1;
}

/* ---- nonces ---- */

static void
nonce_mac(const struct dsbc_auth *a, uint64_t stamp, const char *realm,
	  uint8_t mac[NONCE_MAC_BYTES])
{
	uint8_t msg[8 + 64], full[32];
	unsigned int flen = sizeof(full);
	size_t rl = strlen(realm);
	int i;

	if (rl > 64)
		rl = 64;
	for (i = 0; i < 8; i++)
		msg[i] = (uint8_t)(stamp >> (56 - 8 * i));
	memcpy(msg + 8, realm, rl);
	HMAC(EVP_sha256(), a->cfg.key, sizeof(a->cfg.key), msg, 8 + rl, full,
	     &flen);
	memcpy(mac, full, NONCE_MAC_BYTES);
}

static void
nonce_make(struct dsbc_auth *a, const char *realm, uint64_t now,
	   char out[NONCE_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t mac[NONCE_MAC_BYTES];
	/* 48 bits of milliseconds (8900 years), 16 of sequence */
	uint64_t stamp = now << 16 | a->seq++;
	int i;

	nonce_mac(a, stamp, realm, mac);
	for (i = 0; i < 16; i++)
		out[i] = hex[(stamp >> (60 - 4 * i)) & 15];
	for (i = 0; i < NONCE_MAC_BYTES; i++) {
		out[16 + 2 * i] = hex[mac[i] >> 4];
		out[17 + 2 * i] = hex[mac[i] & 15];
	}
	out[NONCE_HEX] = '\0';
}

/* dsbc writes nonces in lower case: an upper-case one is not ours */
static int
lower_hex(char ch)
{
	return ch >= 'A' && ch <= 'F' ? -1 : dsbc_digest_hexval(ch);
}

/* 0 when the nonce is one of ours for realm: *issued, *tag out */
static int
nonce_check(const struct dsbc_auth *a, const char *nonce, const char *realm,
	    uint64_t *issued, uint64_t *tag)
{
	uint8_t mac[NONCE_MAC_BYTES], got[NONCE_MAC_BYTES];
	uint64_t stamp = 0;
	int i, d, e;

	if (strlen(nonce) != NONCE_HEX)
		return -1;
	for (i = 0; i < 16; i++) {
		if ((d = lower_hex(nonce[i])) < 0)
			return -1;
		stamp = stamp << 4 | (uint64_t)d;
	}
	for (i = 0; i < NONCE_MAC_BYTES; i++) {
		d = lower_hex(nonce[16 + 2 * i]);
		e = lower_hex(nonce[17 + 2 * i]);
		if (d < 0 || e < 0)
			return -1;
		got[i] = (uint8_t)(d << 4 | e);
	}
	nonce_mac(a, stamp, realm, mac);
	if (CRYPTO_memcmp(mac, got, sizeof(mac)) != 0)
		return -1;
	*issued = stamp >> 16;
	memcpy(tag, mac, sizeof(*tag));
	if (*tag == 0)
		*tag = 1;
	return 0;
}

enum nc_result { NC_FRESH, NC_REPLAY, NC_UNKNOWN };

/*
 * Record count nc of the nonce (tag, issued): NC_FRESH the first time,
 * NC_REPLAY when seen, NC_UNKNOWN when the nonce may have been evicted
 * (it is then as good as stale).
 */
static enum nc_result
nc_record(struct dsbc_auth *a, uint64_t tag, uint64_t issued, uint32_t nc,
	  uint64_t now)
{
	uint32_t i, h = (uint32_t)mix64(tag), victim = UINT32_MAX;
	uint64_t oldest = UINT64_MAX;
	struct nc_slot *s;

	for (i = 0; i < PROBE_MAX; i++) {
		s = &a->nc[(h + i) & a->nc_mask];
		if (s->tag == tag)
			goto found;
		if (s->tag == 0 || s->issued + a->cfg.nonce_ttl_ms < now) {
			if (oldest != 0) {
				victim = (h + i) & a->nc_mask;
				oldest = 0;
			}
		} else if (s->issued < oldest) {
			victim = (h + i) & a->nc_mask;
			oldest = s->issued;
		}
	}
	/* not tracked: new unless it could have been pushed out */
	if (issued < a->evicted_below)
		return NC_UNKNOWN;
	s = &a->nc[victim];
	if (s->tag != 0 && s->issued + a->cfg.nonce_ttl_ms >= now) {
		a->st.nc_evicted++;
		if (s->issued + 1 > a->evicted_below)
			a->evicted_below = s->issued + 1;
	}
	s->tag = tag;
	s->issued = issued;
	s->max_nc = nc;
	s->window = 1;
	return NC_FRESH;
found:
	if (nc > s->max_nc) {
		uint32_t d = nc - s->max_nc;

		s->window = d >= 64 ? 1 : (s->window << d) | 1;
		s->max_nc = nc;
		return NC_FRESH;
	}
	if (s->max_nc - nc >= 64 ||
	    (s->window & (1ULL << (s->max_nc - nc))) != 0)
		return NC_REPLAY;
	s->window |= 1ULL << (s->max_nc - nc);
	return NC_FRESH;
}

/* ---- sources ---- */

static struct src_slot *
src_slot(struct dsbc_auth *a, const void *src, size_t len, bool add,
	 uint64_t now)
{
	uint8_t key[17] = { 0 };
	uint32_t i, h, victim = 0;
	uint64_t oldest = UINT64_MAX;
	struct src_slot *s;

	memcpy(key, src, len > sizeof(key) ? sizeof(key) : len);
	h = (uint32_t)hash_bytes(a, key, sizeof(key), 0);
	for (i = 0; i < PROBE_MAX; i++) {
		s = &a->src[(h + i) & a->src_mask];
		if (s->used && memcmp(s->key, key, sizeof(key)) == 0)
			return s;
		if (!s->used || s->since + a->cfg.fail_window_ms < now) {
			if (oldest != 0) {
				victim = (h + i) & a->src_mask;
				oldest = 0;
			}
		} else if (s->since < oldest) {
			victim = (h + i) & a->src_mask;
			oldest = s->since;
		}
	}
	if (!add)
		return NULL;
	s = &a->src[victim];
	memcpy(s->key, key, sizeof(key));
	s->used = 1;
	s->fails = 0;
	s->since = now;
	return s;
}

static bool
src_blocked(struct dsbc_auth *a, const void *src, size_t len, uint64_t now)
{
	struct src_slot *s = src_slot(a, src, len, false, now);

	return s != NULL && s->since + a->cfg.fail_window_ms >= now &&
	       s->fails >= a->cfg.fail_max;
}

static void
src_fail(struct dsbc_auth *a, const void *src, size_t len, uint64_t now)
{
	struct src_slot *s = src_slot(a, src, len, true, now);

	if (s->since + a->cfg.fail_window_ms < now) {
		s->since = now;
		s->fails = 0;
	}
	s->fails++;
}

/* ---- checking ---- */

int
dsbc_auth_challenge(struct dsbc_auth *a, const struct dsbc_auth_realm *realm,
		    bool proxy, bool stale, uint64_t now, char *out,
		    size_t cap)
{
	char nonce[NONCE_HEX + 1];
	size_t len = 0;
	unsigned int i;
	int n;

	nonce_make(a, realm->name, now, nonce);
	for (i = 0; i < realm->nb_algs; i++) {
		n = snprintf(out + len, cap - len,
			     "%s: Digest realm=\"%s\", nonce=\"%s\", "
			     "algorithm=%s, qop=\"auth\"%s\r\n",
			     proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
			     realm->name, nonce,
			     dsbc_digest_alg_name(realm->algs[i]),
			     stale ? ", stale=true" : "");
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	return (int)len;
}

static bool
realm_offers(const struct dsbc_auth_realm *realm, unsigned int alg)
{
	unsigned int i;

	for (i = 0; i < realm->nb_algs; i++)
		if (realm->algs[i] == alg)
			return true;
	return false;
}

enum dsbc_auth_verdict
dsbc_auth_check(struct dsbc_auth *a, const struct dsbc_auth_realm *realm,
		const struct dsbc_sip_msg *m, bool proxy, const void *src,
		size_t srclen, uint64_t now, char *user, size_t ucap)
{
	enum dsbc_sip_hdr_id id = proxy ? DSBC_SIP_H_PROXY_AUTHORIZATION :
				  DSBC_SIP_H_AUTHORIZATION;
	struct dsbc_digest_cred c;
	char want[DSBC_DIGEST_HEX_MAX];
	const struct user_ent *e;
	const char *ha1;
	uint64_t issued = 0, tag = 0;
	bool found = false;
	unsigned int i;
	int r;

	if (src_blocked(a, src, srclen, now)) {
		a->st.blocked++;
		return DSBC_AUTH_BLOCKED;
	}
	/* RFC 3261 22.4: one credentials header per realm; the one for
	 * ours is the one to check, the rest belong to others */
	for (i = 0; i < m->nb_hdrs; i++) {
		const struct dsbc_sip_hdr *h = &m->hdrs[i];

		if (h->id != id)
			continue;
		r = dsbc_digest_cred_parse(h->value.p, h->value.len, &c);
		if (r == -1) {
			a->st.bad++;
			return DSBC_AUTH_BAD;
		}
		if (strcmp(c.realm, realm->name) != 0)
			continue;
		if (r == -2 || !realm_offers(realm, c.alg)) {
			/* a downgrade, or what dsbc cannot check: offer the
			 * realm's own algorithms again */
			a->st.alg_refused++;
			a->st.challenges++;
			return DSBC_AUTH_CHALLENGE;
		}
		found = true;
		break;
	}
	if (!found) {
		a->st.challenges++;
		return DSBC_AUTH_CHALLENGE;
	}
	if (c.has_qop && strcmp(c.qop, "auth") != 0) {
		a->st.bad++;
		return DSBC_AUTH_BAD;
	}
	/* RFC 3261 22.4 has the uri be the Request-URI; widely deployed
	 * clients (sipp) put their next hop there instead.  The response
	 * still binds the method, nonce and count, so a captured one buys
	 * nothing elsewhere: the difference is counted, not refused */
	if (strlen(c.uri) != m->ruri.len ||
	    memcmp(c.uri, m->ruri.p, m->ruri.len) != 0)
		a->st.uri_mismatch++;
	if (nonce_check(a, c.nonce, realm->name, &issued, &tag) != 0 ||
	    issued > now + NONCE_SKEW_MS) {
		/* not one of ours (or another realm's): a fresh challenge,
		 * not a failure; a guessed nonce proves nothing either way */
		a->st.nonce_forged++;
		a->st.challenges++;
		return DSBC_AUTH_CHALLENGE;
	}
	/* qop=auth only: without it there is no count to stop replays */
	if (!c.has_qop || c.nc == 0) {
		a->st.bad++;
		return DSBC_AUTH_BAD;
	}
	e = user_find(a, &a->users, c.username, realm->name);
	ha1 = e != NULL ? e->ha1[c.alg] : NULL;
	if (ha1 == NULL || ha1[0] == '\0') {
		/* the same work as for a known user: timing tells nothing */
		dsbc_digest_response(&c, "0", m->method.p, m->method.len, want);
		a->st.failed++;
		a->st.unknown_user++;
		src_fail(a, src, srclen, now);
		return DSBC_AUTH_FAIL;
	}
	if (dsbc_digest_response(&c, ha1, m->method.p, m->method.len,
				 want) != 0 || strlen(c.response) != strlen(want) ||
	    CRYPTO_memcmp(want, c.response, strlen(want)) != 0) {
		/* compared case-insensitively would need a copy; clients
		 * send lower-case hex (RFC 7616 3.4.1) */
		a->st.failed++;
		src_fail(a, src, srclen, now);
		return DSBC_AUTH_FAIL;
	}
	if (issued + a->cfg.nonce_ttl_ms < now) {
		a->st.stale++;
		return DSBC_AUTH_STALE;
	}
	switch (nc_record(a, tag, issued, c.nc, now)) {
	case NC_REPLAY:
		a->st.replayed++;
		a->st.failed++;
		src_fail(a, src, srclen, now);
		return DSBC_AUTH_FAIL;
	case NC_UNKNOWN:
		a->st.stale++;
		return DSBC_AUTH_STALE;
	case NC_FRESH:
		break;
	}
	snprintf(user, ucap, "%s", c.username);
	a->st.ok++;
	return DSBC_AUTH_OK;
}
