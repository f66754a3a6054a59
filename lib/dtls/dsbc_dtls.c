/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS 1.2 sessions over memory BIOs (see dsbc_dtls.h).  Management lcore
 * only: OpenSSL allocates, which is fine off the fast path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dsbc_dtls.h"

/* "sha-512 " and 64 hex pairs with ':' (the longest accepted) */
#define FP_LEN (7 + 1 + 64 * 3)
#define DTLS_MTU 1200               /* records per datagram stay below */

const char *
dsbc_srtp_profile_name(enum dsbc_srtp_suite p)
{
	return (unsigned int)p < DSBC_SRTP_SUITE_MAX ?
	       dsbc_srtp_suite_info(p)->profile :
	       "unknown";
}

struct dsbc_dtls_ctx {
	SSL_CTX *ssl;
	X509 *cert;
	EVP_PKEY *key;
	char fp[FP_LEN + 1];
};

struct dsbc_dtls {
	SSL *ssl;
	BIO *in, *out;                /* owned by ssl */
	enum dsbc_dtls_role role;
	enum dsbc_dtls_state state;
	/* expected, upper-case hex: one per certificate the peer may
	 * present (RFC 8122 section 5), all of one hash */
	char peer_fp[DSBC_DTLS_PEER_FPS][FP_LEN + 1];
	uint8_t nb_peer_fp;
	const struct fp_hash *peer_hash;  /* the hash they name */
	bool refused;                 /* the peer itself is unacceptable */
	char error[256];
};

static int ex_index = -1;

/*
 * RFC 8122 section 5: a hash function's name from the IANA registry, then
 * the digest in upper-case hex pairs with colons.  dsbc's own is SHA-256;
 * a peer's may be SHA-256, -384 or -512 (SHA-1, MD5 and MD2 are refused:
 * a collision would let a forged certificate pass, a man in the middle).
 */
struct fp_hash {
	const char *name;
	const EVP_MD *(*md)(void);
};

static const struct fp_hash fp_hashes[] = {
	{ "sha-256", EVP_sha256 },
	{ "sha-384", EVP_sha384 },
	{ "sha-512", EVP_sha512 },
};

/* The hash an a=fingerprint value of len bytes names ("sha-384 AB:..."),
 * or NULL. */
static const struct fp_hash *
fp_hash_of(const char *fp, size_t len)
{
	unsigned int i;
	size_t n;

	for (i = 0; i < sizeof(fp_hashes) / sizeof(fp_hashes[0]); i++) {
		n = strlen(fp_hashes[i].name);
		if (len > n && strncasecmp(fp, fp_hashes[i].name, n) == 0 &&
		    fp[n] == ' ')
			return &fp_hashes[i];
	}
	return NULL;
}

static void
fingerprint_of(X509 *x, const struct fp_hash *h, char out[FP_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	char *p = out;

	X509_digest(x, h->md(), md, &n);
	p += sprintf(p, "%s ", h->name);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%02X%s", md[i], i + 1 < n ? ":" : "");
}

static void
set_err(char *err, size_t len, const char *what)
{
	unsigned long e = ERR_get_error();

	snprintf(err, len, "%s%s%s", what, e ? ": " : "",
		 e ? ERR_reason_error_string(e) : "");
}

/* A fresh ECDSA P-256 key and a self-signed certificate (RFC 8827 5.5). */
static int
generate(struct dsbc_dtls_ctx *c)
{
	X509_NAME *name;
	unsigned char serial[8];
	BIGNUM *bn;

	c->key = EVP_EC_gen("P-256");
	c->cert = X509_new();
	if (c->key == NULL || c->cert == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		return -1;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c->cert)) == NULL) {
		BN_free(bn);
		return -1;
	}
	BN_free(bn);
	X509_set_version(c->cert, 2);
	X509_gmtime_adj(X509_getm_notBefore(c->cert), -86400);
	X509_gmtime_adj(X509_getm_notAfter(c->cert), 3650L * 86400);
	X509_set_pubkey(c->cert, c->key);
	name = X509_get_subject_name(c->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"dsbc", -1, -1, 0);
	X509_set_issuer_name(c->cert, name);
	return X509_sign(c->cert, c->key, EVP_sha256()) > 0 ? 0 : -1;
}

static int
load(struct dsbc_dtls_ctx *c, const char *cert_pem, const char *key_pem)
{
	FILE *f = fopen(cert_pem, "r");

	if (f == NULL)
		return -1;
	c->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(key_pem, "r");
	if (f == NULL)
		return -1;
	c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return c->cert != NULL && c->key != NULL ? 0 : -1;
}

/*
 * The peer's certificate is self-signed (RFC 5763 section 5): the chain
 * is not what is checked, its fingerprint against the SDP is.
 */
static int
verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
			SSL_get_ex_data_X509_STORE_CTX_idx());
	struct dsbc_dtls *d = SSL_get_ex_data(ssl, ex_index);
	char fp[FP_LEN + 1];
	unsigned int i;

	(void)ok;
	if (X509_STORE_CTX_get_error_depth(store) != 0)
		return 1;
	if (d == NULL)
		return 0;
	fingerprint_of(X509_STORE_CTX_get_current_cert(store), d->peer_hash,
		       fp);
	for (i = 0; i < d->nb_peer_fp; i++)
		if (strcasecmp(fp, d->peer_fp[i]) == 0)
			break;
	if (i == d->nb_peer_fp) {
		d->refused = true;
		snprintf(d->error, sizeof(d->error),
			 "peer certificate %s does not match the SDP "
			 "fingerprint", fp);
		return 0;
	}
	return 1;
}

struct dsbc_dtls_ctx *
dsbc_dtls_ctx_create(const char *cert_pem, const char *key_pem,
		     const char *srtp_profiles, char *err, size_t errlen)
{
	struct dsbc_dtls_ctx *c = calloc(1, sizeof(*c));
	char list[128] = "";
	unsigned int i;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ex_index < 0)
		ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if ((cert_pem == NULL) != (key_pem == NULL) ||
	    (cert_pem != NULL ? load(c, cert_pem, key_pem) : generate(c)) != 0) {
		set_err(err, errlen, cert_pem != NULL ?
			"cannot read the certificate or key" :
			"cannot generate a certificate");
		goto fail;
	}
	if (X509_check_private_key(c->cert, c->key) != 1) {
		set_err(err, errlen, "certificate and key do not match");
		goto fail;
	}
	for (i = 0; i < DSBC_SRTP_SUITE_MAX; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ":" : "", dsbc_srtp_suite_info(i)->profile);
	c->ssl = SSL_CTX_new(DTLS_method());
	if (c->ssl == NULL ||
	    SSL_CTX_set_min_proto_version(c->ssl, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(c->ssl, c->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(c->ssl, c->key) != 1 ||
	    /* returns 0 on success (sic) */
	    SSL_CTX_set_tlsext_use_srtp(c->ssl, srtp_profiles ? srtp_profiles :
					list) != 0) {
		set_err(err, errlen, "cannot set up the DTLS context");
		goto fail;
	}
	SSL_CTX_set_verify(c->ssl, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_options(c->ssl, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
	SSL_CTX_set_read_ahead(c->ssl, 1);
	fingerprint_of(c->cert, &fp_hashes[0], c->fp);
	return c;
fail:
	dsbc_dtls_ctx_free(c);
	return NULL;
}

void
dsbc_dtls_ctx_free(struct dsbc_dtls_ctx *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ssl);
	X509_free(c->cert);
	EVP_PKEY_free(c->key);
	free(c);
}

const char *
dsbc_dtls_ctx_fingerprint(const struct dsbc_dtls_ctx *c)
{
	return c->fp;
}

int
dsbc_dtls_ctx_save(const struct dsbc_dtls_ctx *c, const char *cert_pem,
		   const char *key_pem)
{
	FILE *f = fopen(cert_pem, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = PEM_write_X509(f, c->cert);
	fclose(f);
	f = fopen(key_pem, "w");
	if (f == NULL || !ok)
		return -1;
	ok = PEM_write_PrivateKey(f, c->key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	return ok ? 0 : -1;
}

int
dsbc_dtls_fp_rank(const char *fp, size_t len)
{
	const struct fp_hash *h;

	if (fp == NULL || len > FP_LEN)
		return 0;
	h = fp_hash_of(fp, len);
	return h != NULL ? (int)(h - fp_hashes) + 1 : 0;
}

bool
dsbc_dtls_fp_ok(const char *peer_fp)
{
	return peer_fp != NULL &&
	       dsbc_dtls_fp_rank(peer_fp, strlen(peer_fp)) > 0;
}

int
dsbc_dtls_add_peer_fp(struct dsbc_dtls *d, const char *peer_fp)
{
	if (!dsbc_dtls_fp_ok(peer_fp) ||
	    fp_hash_of(peer_fp, strlen(peer_fp)) != d->peer_hash)
		return -EINVAL;
	if (d->nb_peer_fp == DSBC_DTLS_PEER_FPS)
		return -ENOSPC;
	snprintf(d->peer_fp[d->nb_peer_fp], sizeof(d->peer_fp[0]), "%s",
		 peer_fp);
	d->nb_peer_fp++;
	return 0;
}

/*
 * The retransmission timer: RFC 6347 4.2.4.1 starts it at 1 s, RFC 9147
 * section 5.8.2 at 100 ms for real-time traffic; both double it per
 * retransmission.  The shorter start matters for media: a WebRTC peer
 * only reads DTLS once its ICE checks found a pair (RFC 8445), so the
 * first ClientHello of an ICE-lite dsbc is often dropped, and waiting a
 * second to send it again would hold the call's media that long.
 */
static unsigned int
timer_cb(SSL *s, unsigned int timer_us)
{
	(void)s;
	if (timer_us == 0)
		return DSBC_DTLS_RTX_INITIAL_MS * 1000u;
	return timer_us >= 30000000u ? 60000000u : timer_us * 2;
}

struct dsbc_dtls *
dsbc_dtls_new(struct dsbc_dtls_ctx *c, enum dsbc_dtls_role role,
	      const char *peer_fp)
{
	struct dsbc_dtls *d;

	if (!dsbc_dtls_fp_ok(peer_fp))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	snprintf(d->peer_fp[0], sizeof(d->peer_fp[0]), "%s", peer_fp);
	d->nb_peer_fp = 1;
	d->peer_hash = fp_hash_of(peer_fp, strlen(peer_fp));
	d->role = role;
	d->ssl = SSL_new(c->ssl);
	d->in = BIO_new(BIO_s_mem());
	d->out = BIO_new(BIO_s_mem());
	if (d->ssl == NULL || d->in == NULL || d->out == NULL) {
		BIO_free(d->in);
		BIO_free(d->out);
		SSL_free(d->ssl);
		free(d);
		return NULL;
	}
	/* an empty memory BIO means "no data yet", not EOF */
	BIO_set_mem_eof_return(d->in, -1);
	SSL_set_bio(d->ssl, d->in, d->out);
	SSL_set_ex_data(d->ssl, ex_index, d);
	SSL_set_mtu(d->ssl, DTLS_MTU);
	DTLS_set_link_mtu(d->ssl, DTLS_MTU);
	DTLS_set_timer_cb(d->ssl, timer_cb);
	if (role == DSBC_DTLS_CLIENT)
		SSL_set_connect_state(d->ssl);
	else
		SSL_set_accept_state(d->ssl);
	d->state = DSBC_DTLS_HANDSHAKING;
	return d;
}

void
dsbc_dtls_free(struct dsbc_dtls *d)
{
	if (d == NULL)
		return;
	SSL_free(d->ssl);
	free(d);
}

/* Drive the handshake and record what came of it. */
static enum dsbc_dtls_state
step(struct dsbc_dtls *d)
{
	int rc, e;

	if (d->state != DSBC_DTLS_HANDSHAKING)
		return d->state;
	rc = SSL_do_handshake(d->ssl);
	if (rc == 1) {
		if (SSL_get_selected_srtp_profile(d->ssl) == NULL) {
			d->refused = true;
			snprintf(d->error, sizeof(d->error),
				 "no use_srtp profile agreed (RFC 5764 4.1.2)");
			d->state = DSBC_DTLS_FAILED;
		} else {
			d->state = DSBC_DTLS_DONE;
		}
		return d->state;
	}
	e = SSL_get_error(d->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return d->state;
	if (d->error[0] == '\0')
		set_err(d->error, sizeof(d->error), "DTLS handshake failed");
	d->state = DSBC_DTLS_FAILED;
	return d->state;
}

int
dsbc_dtls_start(struct dsbc_dtls *d)
{
	if (d->role != DSBC_DTLS_CLIENT)
		return -1;
	return step(d) == DSBC_DTLS_FAILED ? -1 : 0;
}

enum dsbc_dtls_state
dsbc_dtls_input(struct dsbc_dtls *d, const uint8_t *p, size_t len)
{
	unsigned char buf[256];

	if (len == 0 || len > 65535 || BIO_write(d->in, p, (int)len) != (int)len)
		return d->state;
	if (d->state == DSBC_DTLS_HANDSHAKING)
		return step(d);
	/* after the handshake: nothing but alerts is expected (SRTP goes
	 * to the workers), read them so that a close_notify is seen */
	while (SSL_read(d->ssl, buf, sizeof(buf)) > 0)
		;
	if (SSL_get_shutdown(d->ssl) & SSL_RECEIVED_SHUTDOWN) {
		snprintf(d->error, sizeof(d->error), "peer closed DTLS");
		d->state = DSBC_DTLS_FAILED;
	}
	return d->state;
}

size_t
dsbc_dtls_output(struct dsbc_dtls *d, uint8_t *buf, size_t cap)
{
	int n = BIO_read(d->out, buf, (int)(cap > 65535 ? 65535 : cap));

	return n > 0 ? (size_t)n : 0;
}

enum dsbc_dtls_state
dsbc_dtls_tick(struct dsbc_dtls *d, uint64_t *next_ms)
{
	struct timeval tv;

	*next_ms = 0;
	if (d->state != DSBC_DTLS_HANDSHAKING)
		return d->state;
	if (DTLSv1_handle_timeout(d->ssl) < 0) {
		set_err(d->error, sizeof(d->error), "DTLS retransmission failed");
		d->state = DSBC_DTLS_FAILED;
		return d->state;
	}
	if (DTLSv1_get_timeout(d->ssl, &tv) == 1)
		*next_ms = (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000 + 1;
	return d->state;
}

enum dsbc_dtls_state
dsbc_dtls_state(const struct dsbc_dtls *d)
{
	return d->state;
}

const char *
dsbc_dtls_error(const struct dsbc_dtls *d)
{
	return d->error;
}

int
dsbc_dtls_keys(const struct dsbc_dtls *d, struct dsbc_srtp_keys *k)
{
	const SRTP_PROTECTION_PROFILE *sp;
	uint8_t m[2 * (DSBC_SRTP_KEY_MAX + DSBC_SRTP_SALT_MAX)];
	const uint8_t *ck, *sk, *cs, *ss;
	unsigned int i;
	size_t kl, sl;

	if (d->state != DSBC_DTLS_DONE)
		return -1;
	sp = SSL_get_selected_srtp_profile(d->ssl);
	for (i = 0; sp != NULL && i < DSBC_SRTP_SUITE_MAX; i++)
		if (strcmp(sp->name, dsbc_srtp_suite_info(i)->profile) == 0)
			break;
	if (sp == NULL || i == DSBC_SRTP_SUITE_MAX)
		return -1;
	kl = dsbc_srtp_suite_info(i)->key_len;
	sl = dsbc_srtp_suite_info(i)->salt_len;
	/* RFC 5764 4.2: client key | server key | client salt | server salt */
	if (SSL_export_keying_material((SSL *)d->ssl, m, 2 * (kl + sl),
				       "EXTRACTOR-dtls_srtp", 19, NULL, 0,
				       0) != 1)
		return -1;
	ck = m;
	sk = m + kl;
	cs = m + 2 * kl;
	ss = m + 2 * kl + sl;
	memset(k, 0, sizeof(*k));
	k->profile = (uint8_t)i;
	k->key_len = (uint8_t)kl;
	k->salt_len = (uint8_t)sl;
	memcpy(k->local_key, d->role == DSBC_DTLS_CLIENT ? ck : sk, kl);
	memcpy(k->local_salt, d->role == DSBC_DTLS_CLIENT ? cs : ss, sl);
	memcpy(k->remote_key, d->role == DSBC_DTLS_CLIENT ? sk : ck, kl);
	memcpy(k->remote_salt, d->role == DSBC_DTLS_CLIENT ? ss : cs, sl);
	return 0;
}

bool
dsbc_dtls_peer_refused(const struct dsbc_dtls *d)
{
	return d->refused;
}
