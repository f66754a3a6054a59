/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STIR: an Identity header value through the parser, its PASSporT
 * decoded and checked (signature with a fixed key, claims against a
 * call with one fingerprint), and the same bytes read as a certificate
 * body by the x5u cache (PEM or DER, then its TNAuthList).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/evp.h>

#include "dsbc_identity.h"
#include "dsbc_passport.h"
#include "dsbc_stir_cache.h"
#include "dsbc_stir_verify.h"

static struct dsbc_es256 *key;
static X509_STORE *trust;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	(void)argc;
	(void)argv;
	key = k != NULL ? dsbc_es256_new(k) : NULL;
	EVP_PKEY_free(k);
	trust = X509_STORE_new();
	return key != NULL && trust != NULL ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char fp[] = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:"
		"3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1";
	const char *fps[1] = { fp };
	struct dsbc_stir_cache *cache;
	struct dsbc_stir_call call;
	struct dsbc_identity id;
	struct dsbc_passport p;
	char *buf;

	if (size > 8192)
		return 0;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (dsbc_identity_parse(buf, size, &id) == 0 &&
	    dsbc_passport_decode(id.jws.p, id.jws.len, &p) ==
	    DSBC_PASSPORT_OK) {
		dsbc_passport_verify(id.jws.p, id.jws.len, key);
		memset(&call, 0, sizeof(call));
		call.orig_tn = "12155551212";
		call.dest_tn = "19995550000";
		call.orig_uri = "sip:alice@example.com";
		call.fps = fps;
		call.nb_fps = 1;
		call.now = 1800000000;
		call.iat_window_s = 60;
		dsbc_stir_check_claims(&p, &call);
	}
	/* a certificate's TNAuthList (RFC 8226 9), its DER read by hand */
	{
		BIO *bio = BIO_new_mem_buf(buf, (int)size);
		X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		const unsigned char *q = (const unsigned char *)buf;
		struct dsbc_tnauth tn;

		if (x == NULL)
			x = d2i_X509(NULL, &q, (long)size);
		if (x != NULL && dsbc_tnauth_parse(x, &tn) == 0)
			dsbc_tnauth_covers(&tn, "12155551212");
		X509_free(x);
		BIO_free(bio);
		ERR_clear_error();
	}
	cache = dsbc_stir_cache_new(2, trust, 60, 30);
	if (cache != NULL) {
		dsbc_stir_cache_put(cache, "http://x/c.pem", buf, size,
				    1800000000);
		dsbc_stir_cache_find(cache, "http://x/c.pem", 1800000000);
		dsbc_stir_cache_free(cache);
	}
	free(buf);
	return 0;
}
