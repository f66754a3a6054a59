/* SPDX-License-Identifier: BSD-3-Clause */
/* Signing certificates by x5u URL (dsbc_stir_cache.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dsbc_stir_cache.h"

struct dsbc_stir_cache {
	uint32_t cap;
	uint32_t mask;               /* buckets - 1 */
	uint32_t *head;              /* [mask + 1]: chains, index + 1 */
	uint32_t free_head;          /* unused entries, index + 1 */
	X509_STORE *trust;
	uint32_t ttl_s, fail_ttl_s;
	struct dsbc_stir_cache_stats st;
	struct dsbc_stir_cert e[];
};

/* FNV-1a: URLs are few and chosen by signers, not by the packet */
static uint32_t
url_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

struct dsbc_stir_cache *
dsbc_stir_cache_new(uint32_t cap, X509_STORE *trust, uint32_t ttl_s,
		    uint32_t fail_ttl_s)
{
	struct dsbc_stir_cache *c;
	uint32_t n = 2, i;

	if (cap == 0 || cap > (1u << 20))
		return NULL;
	while (n < 2 * cap)
		n <<= 1;
	c = calloc(1, sizeof(*c) + (size_t)cap * sizeof(c->e[0]));
	if (c == NULL)
		return NULL;
	c->head = calloc(n, sizeof(*c->head));
	if (c->head == NULL) {
		free(c);
		return NULL;
	}
	c->cap = cap;
	c->mask = n - 1;
	c->trust = trust;
	c->ttl_s = ttl_s;
	c->fail_ttl_s = fail_ttl_s;
	for (i = 0; i < cap; i++)
		c->e[i].next = i + 1 < cap ? i + 2 : 0;
	c->free_head = 1;
	return c;
}

static void
entry_clear(struct dsbc_stir_cert *e)
{
	dsbc_es256_free(e->key);
	e->key = NULL;
	memset(&e->tn, 0, sizeof(e->tn));
}

void
dsbc_stir_cache_free(struct dsbc_stir_cache *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++)
		entry_clear(&c->e[i]);
	free(c->head);
	free(c);
}

/* the entry of url, and the link that points at it */
static struct dsbc_stir_cert *
lookup(struct dsbc_stir_cache *c, const char *url, uint32_t **link)
{
	uint32_t *l = &c->head[url_hash(url) & c->mask];

	while (*l != 0) {
		struct dsbc_stir_cert *e = &c->e[*l - 1];

		if (strcmp(e->url, url) == 0) {
			if (link != NULL)
				*link = l;
			return e;
		}
		l = &e->next;
	}
	return NULL;
}

static void
drop(struct dsbc_stir_cache *c, struct dsbc_stir_cert *e)
{
	uint32_t *l = NULL;
	uint32_t idx = (uint32_t)(e - c->e);

	if (lookup(c, e->url, &l) != e)
		return;
	*l = e->next;
	entry_clear(e);
	e->state = 0;
	e->url[0] = '\0';
	e->next = c->free_head;
	c->free_head = idx + 1;
	c->st.entries--;
}

static bool
expired(const struct dsbc_stir_cert *e, int64_t now)
{
	return e->state != DSBC_STIR_CERT_PENDING && now >= e->expires;
}

const struct dsbc_stir_cert *
dsbc_stir_cache_find(struct dsbc_stir_cache *c, const char *url, int64_t now)
{
	struct dsbc_stir_cert *e = lookup(c, url, NULL);

	if (e != NULL && expired(e, now)) {
		drop(c, e);
		e = NULL;
	}
	if (e == NULL || e->state == DSBC_STIR_CERT_PENDING)
		c->st.misses += e == NULL;
	else
		c->st.hits++;
	return e;
}

/* Room for one more: an expired entry, else the one expiring first (a
 * pending one only when every entry is pending). */
static void
make_room(struct dsbc_stir_cache *c, int64_t now)
{
	struct dsbc_stir_cert *victim = NULL;
	uint32_t i;

	for (i = 0; i < c->cap; i++) {
		struct dsbc_stir_cert *e = &c->e[i];

		if (e->state == 0)
			continue;
		if (expired(e, now)) {
			victim = e;
			break;
		}
		if (victim == NULL ||
		    (victim->state == DSBC_STIR_CERT_PENDING &&
		     e->state != DSBC_STIR_CERT_PENDING) ||
		    (e->state != DSBC_STIR_CERT_PENDING &&
		     e->expires < victim->expires))
			victim = e;
	}
	if (victim != NULL) {
		drop(c, victim);
		c->st.evicted++;
	}
}

/* url's entry, made when there is none */
static struct dsbc_stir_cert *
entry_of(struct dsbc_stir_cache *c, const char *url, int64_t now)
{
	struct dsbc_stir_cert *e = lookup(c, url, NULL);
	uint32_t *l;

	if (e != NULL)
		return e;
	if (strlen(url) >= sizeof(e->url))
		return NULL;
	if (c->free_head == 0)
		make_room(c, now);
	if (c->free_head == 0)
		return NULL;
	e = &c->e[c->free_head - 1];
	c->free_head = e->next;
	memset(e, 0, sizeof(*e));
	strcpy(e->url, url);
	l = &c->head[url_hash(url) & c->mask];
	e->next = *l;
	*l = (uint32_t)(e - c->e) + 1;
	c->st.entries++;
	return e;
}

int
dsbc_stir_cache_pending(struct dsbc_stir_cache *c, const char *url,
			int64_t now)
{
	struct dsbc_stir_cert *e = entry_of(c, url, now);

	if (e == NULL)
		return -1;
	entry_clear(e);
	e->state = DSBC_STIR_CERT_PENDING;
	return 0;
}

void
dsbc_stir_cache_forget(struct dsbc_stir_cache *c, const char *url)
{
	struct dsbc_stir_cert *e = lookup(c, url, NULL);

	if (e != NULL)
		drop(c, e);
}

static void
failed(struct dsbc_stir_cache *c, struct dsbc_stir_cert *e, uint8_t why,
       int64_t now)
{
	entry_clear(e);
	e->state = DSBC_STIR_CERT_FAILED;
	e->why = why;
	e->expires = now + c->fail_ttl_s;
}

void
dsbc_stir_cache_fail(struct dsbc_stir_cache *c, const char *url, int64_t now)
{
	struct dsbc_stir_cert *e = entry_of(c, url, now);

	c->st.fetch_failed++;
	if (e != NULL)
		failed(c, e, DSBC_STIR_BAD_INFO, now);
}

/* The certificates of a body: PEM, every CERTIFICATE block in order, or
 * one DER certificate (application/pkix-cert). */
static STACK_OF(X509) *
certs_of(const void *body, size_t len)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	const unsigned char *p = body;
	BIO *bio;
	X509 *x;

	if (sk == NULL || len == 0 || len > INT32_MAX)
		goto fail;
	bio = BIO_new_mem_buf(body, (int)len);
	if (bio == NULL)
		goto fail;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			break;
		}
	BIO_free(bio);
	ERR_clear_error();   /* the read that ended the loop */
	if (sk_X509_num(sk) == 0) {
		x = d2i_X509(NULL, &p, (long)len);
		ERR_clear_error();
		if (x != NULL && !sk_X509_push(sk, x))
			X509_free(x);
	}
	if (sk_X509_num(sk) > 0)
		return sk;
fail:
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

static int64_t
not_after(X509 *x)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

enum dsbc_stir_result
dsbc_stir_cache_put(struct dsbc_stir_cache *c, const char *url,
		    const void *body, size_t len, int64_t now)
{
	struct dsbc_stir_cert *e = entry_of(c, url, now);
	STACK_OF(X509) *sk;
	enum dsbc_stir_result r;
	struct dsbc_es256 *key;
	X509 *leaf;
	int64_t until;

	if (e == NULL)
		return DSBC_STIR_BAD_INFO;
	sk = certs_of(body, len);
	if (sk == NULL) {
		c->st.bad_body++;
		failed(c, e, DSBC_STIR_BAD_INFO, now);
		return DSBC_STIR_BAD_INFO;
	}
	leaf = sk_X509_shift(sk);
	r = dsbc_stir_check_cert(leaf, sk, c->trust, now, NULL, &key);
	if (r != DSBC_STIR_VALID) {
		c->st.untrusted++;
		failed(c, e, DSBC_STIR_BAD_CERT, now);
	} else {
		entry_clear(e);
		e->state = DSBC_STIR_CERT_READY;
		e->key = key;
		dsbc_tnauth_parse(leaf, &e->tn);   /* checked: present */
		until = not_after(leaf);
		e->expires = now + c->ttl_s;
		if (until > 0 && until < e->expires)
			e->expires = until;
		c->st.stored++;
	}
	X509_free(leaf);
	sk_X509_pop_free(sk, X509_free);
	return r;
}

const struct dsbc_stir_cache_stats *
dsbc_stir_cache_stats(const struct dsbc_stir_cache *c)
{
	return &c->st;
}

enum dsbc_stir_result
dsbc_stir_verify_with(const struct dsbc_stir_cert *e, const char *jws,
		      size_t len, const struct dsbc_passport *p,
		      const struct dsbc_stir_call *call)
{
	if (e->state != DSBC_STIR_CERT_READY)
		return e->state == DSBC_STIR_CERT_FAILED ?
		       (enum dsbc_stir_result)e->why : DSBC_STIR_BAD_INFO;
	/* RFC 8226 9: the certificate must speak for the caller.  Its
	 * authority is a TNAuthList of numbers: a PASSporT for a URI
	 * caller has nothing here to say it may, so it is refused */
	if (p->orig_tn[0] == '\0' ||
	    !dsbc_tnauth_covers(&e->tn, p->orig_tn))
		return DSBC_STIR_BAD_CERT;
	if (dsbc_passport_verify(jws, len, e->key) != DSBC_PASSPORT_OK)
		return DSBC_STIR_BAD_SIGNATURE;
	return dsbc_stir_check_claims(p, call);
}
