/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/stir: lib/stir's cost on one core, with the key (the certificate's,
 * once cached) in memory and prepared (dsbc_es256_new()): how many SHAKEN PASSporTs a second it signs (the
 * claims' JSON, base64url, ES256 and the DER to r || s conversion) and
 * verifies (decoding the signature, ES256).  Each figure from a run of
 * about `seconds`, on monotonic time.
 * Prints: stir_bench sign_per_s=<n> verify_per_s=<n>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "dsbc_passport.h"

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0, t0, t;
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	struct dsbc_es256 *key = dsbc_es256_new(pkey);
	struct dsbc_passport p;
	char tok[2048];
	unsigned long n;
	int len = 0;

	if (key == NULL || seconds <= 0)
		return 1;
	memset(&p, 0, sizeof(p));
	snprintf(p.ppt, sizeof(p.ppt), "shaken");
	snprintf(p.x5u, sizeof(p.x5u), "https://cert.example.org/sp.pem");
	snprintf(p.orig_tn, sizeof(p.orig_tn), "12025550101");
	snprintf(p.dest_tn[0], sizeof(p.dest_tn[0]), "12025550102");
	p.nb_dest_tn = 1;
	snprintf(p.attest, sizeof(p.attest), "A");
	snprintf(p.origid, sizeof(p.origid),
		 "123e4567-e89b-12d3-a456-426655440000");
	if (dsbc_passport_mky_add(&p, "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:"
				  "12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:2E:"
				  "7D:46:3F:54:42:CD:54:F1", 103) != 0)
		return 1;
	t0 = now_s();
	for (n = 0; (t = now_s()) - t0 < seconds; n++) {
		p.iat = 1700000000 + (int64_t)n;
		len = dsbc_passport_sign(&p, key, tok, sizeof(tok));
		if (len <= 0)
			return 1;
	}
	printf("stir_bench sign_per_s=%.0f", (double)n / (t - t0));
	t0 = now_s();
	for (n = 0; (t = now_s()) - t0 < seconds; n++)
		if (dsbc_passport_verify(tok, (size_t)len, key) !=
		    DSBC_PASSPORT_OK)
			return 1;
	printf(" verify_per_s=%.0f\n", (double)n / (t - t0));
	dsbc_es256_free(key);
	EVP_PKEY_free(pkey);
	return 0;
}
