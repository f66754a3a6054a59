/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_PASSPORT_H
#define DSBC_PASSPORT_H

/**
 * @file
 * PASSporT (RFC 8225) with SHAKEN's claims (RFC 8588), sans-I/O: the
 * claims a call carries, their deterministic JSON (RFC 8225 section 9),
 * the ES256 JWS compact serialization that signs them (RFC 7515, RFC
 * 7518 section 3.4), and its verification.  Keys are OpenSSL EVP_PKEYs
 * the caller loads; nothing here reads files or the clock.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define DSBC_PASSPORT_MAX_DEST 4     /**< dest tn or uri values kept */
#define DSBC_PASSPORT_MAX_MKY 8      /**< mky entries (RFC 8225 5.2.2) */
#define DSBC_PASSPORT_TN_MAX 16      /**< 15 characters (E.164) and NUL */
#define DSBC_PASSPORT_URI_MAX 256

/** Why a PASSporT was not made or not accepted. */
enum dsbc_passport_err {
	DSBC_PASSPORT_OK = 0,
	DSBC_PASSPORT_ERR_FORMAT,    /**< not header.claims.signature in
				      *   base64url, or too long */
	DSBC_PASSPORT_ERR_JSON,      /**< header or claims not JSON objects
				      *   of the expected members */
	DSBC_PASSPORT_ERR_ALG,       /**< alg not ES256, or typ not passport */
	DSBC_PASSPORT_ERR_PPT,       /**< a ppt dsbc does not support */
	DSBC_PASSPORT_ERR_CLAIMS,    /**< a required claim missing or malformed */
	DSBC_PASSPORT_ERR_KEY,       /**< not a P-256 key */
	DSBC_PASSPORT_ERR_SIG,       /**< the signature does not verify */
	DSBC_PASSPORT_ERR_SPACE,     /**< the output buffer is too small */
};

/** One mky entry: a DTLS certificate fingerprint (RFC 8225 5.2.2). */
struct dsbc_passport_mky {
	char alg[16];                /**< as in a=fingerprint: "sha-256" */
	char dig[132];               /**< upper-case hex, no colons */
};

/** A PASSporT's header parameters and claims. */
struct dsbc_passport {
	/* header: alg is ES256 and typ passport, always */
	char ppt[16];                /**< "" none, or "shaken" (RFC 8588) */
	char x5u[DSBC_PASSPORT_URI_MAX];
	/* claims */
	char orig_tn[DSBC_PASSPORT_TN_MAX];   /**< orig: tn, or ... */
	char orig_uri[DSBC_PASSPORT_URI_MAX]; /**< ... uri ("" unused) */
	uint8_t nb_dest_tn, nb_dest_uri;
	char dest_tn[DSBC_PASSPORT_MAX_DEST][DSBC_PASSPORT_TN_MAX];
	char dest_uri[DSBC_PASSPORT_MAX_DEST][DSBC_PASSPORT_URI_MAX];
	int64_t iat;                 /**< seconds since the epoch */
	char attest[2];              /**< SHAKEN: "A", "B" or "C" */
	char origid[64];             /**< SHAKEN: a UUID */
	uint8_t nb_mky;
	struct dsbc_passport_mky mky[DSBC_PASSPORT_MAX_MKY];
};

/**
 * base64url without padding (RFC 4648 section 5, RFC 7515 section 2).
 *
 * @param in  the bytes
 * @param len  how many
 * @param out  the text, NUL-terminated
 * @param cap  out's size: at least (len + 2) / 3 * 4 + 1
 * @return the text's length, or -1 when out is too small
 */
int dsbc_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/**
 * Decode base64url, with or without padding.
 *
 * @return the bytes written, or -1 when malformed or out is too small
 */
int dsbc_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/**
 * The header's and the claims' deterministic JSON (RFC 8225 section 9:
 * members sorted by name, at every level, no whitespace).
 *
 * @return the length written (NUL-terminated), or -1 (out too small, or
 *   no orig or dest)
 */
int dsbc_passport_header_json(const struct dsbc_passport *p, char *out,
			      size_t cap);
int dsbc_passport_claims_json(const struct dsbc_passport *p, char *out,
			      size_t cap);

/**
 * An a=fingerprint value in mky's form (RFC 8225 5.2.2): the hash name
 * in lower case, the digest in upper-case hex without colons.
 *
 * @param fp  the attribute's value: "<hash> <hex with colons>"
 * @param len  its length
 * @param m  out
 * @return 0, or -1 when malformed or too long
 */
int dsbc_passport_mky_parse(const char *fp, size_t len,
			    struct dsbc_passport_mky *m);

/**
 * Add an a=fingerprint value to mky, kept in RFC 8225 5.2.2's order (by
 * alg, then dig); the same value twice is kept once.
 *
 * @param p  the PASSporT
 * @param fp  the attribute's value: "<hash> <hex with colons>"
 * @param len  its length
 * @return 0, or -1 when malformed or mky is full
 */
int dsbc_passport_mky_add(struct dsbc_passport *p, const char *fp, size_t len);

/**
 * A P-256 key made ready for ES256: its signing or verifying context and
 * SHA-256 fetched once (OpenSSL 3 looks algorithms up on every init
 * otherwise, a third of a signature's cost).  One per key; the caller
 * keeps it with the key (dsbc's signing key, a cached certificate's).
 */
struct dsbc_es256;

/**
 * Prepare a key.
 *
 * @param key  a P-256 key: private to sign, public (or private) to
 *   verify; a reference is taken
 * @return the prepared key, or NULL (not P-256, no memory)
 */
struct dsbc_es256 *dsbc_es256_new(EVP_PKEY *key);

/** Free what dsbc_es256_new() made (NULL is fine). */
void dsbc_es256_free(struct dsbc_es256 *k);

/**
 * Sign: the JWS compact serialization, header.claims.signature, with
 * ES256 (a P-256 key, the signature as r || s: RFC 7518 3.4).
 *
 * @param p  header and claims
 * @param key  the private key, prepared
 * @param out  the token, NUL-terminated
 * @param cap  out's size
 * @return the token's length, or -(enum dsbc_passport_err)
 */
int dsbc_passport_sign(const struct dsbc_passport *p, struct dsbc_es256 *key,
		       char *out, size_t cap);

/**
 * Decode a full-form token without checking its signature: the header
 * and claims, so the caller can fetch x5u's certificate first.
 *
 * @return DSBC_PASSPORT_OK or the reason
 */
enum dsbc_passport_err dsbc_passport_decode(const char *jws, size_t len,
					    struct dsbc_passport *p);

/**
 * Check a full-form token's ES256 signature with a public key (the
 * header.claims text as it came: the signer's serialization is what was
 * signed, canonical or not).
 *
 * @return DSBC_PASSPORT_OK or the reason
 */
enum dsbc_passport_err dsbc_passport_verify(const char *jws, size_t len,
					    struct dsbc_es256 *pub);

/**
 * ECDSA signature forms: OpenSSL's DER (ECDSA-Sig-Value) to the 64
 * bytes of r || s a JWS carries, and back.
 *
 * @return 0 / the DER length, or -1 when malformed or too large
 */
int dsbc_es256_der_to_raw(const uint8_t *der, size_t len, uint8_t raw[64]);
int dsbc_es256_raw_to_der(const uint8_t raw[64], uint8_t *der, size_t cap);

/** @return a short name of an error, for logs and counters */
const char *dsbc_passport_err_name(enum dsbc_passport_err e);

#endif /* DSBC_PASSPORT_H */
