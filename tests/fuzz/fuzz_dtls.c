/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS records (RFC 6347) fed to lib/dtls as a terminating leg receives
 * them: the input is a run of datagrams, each a 2-byte length and its
 * bytes, into a server session (and a client one, which sends its
 * ClientHello first); what dsbc would send is drained after each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_dtls.h"

#define FP "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:" \
	   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"

static struct dsbc_dtls_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* dsbc's certificate, made once: before the inputs, so it is no leak */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	(void)argc;
	(void)argv;
	ctx = dsbc_dtls_ctx_create(NULL, NULL, NULL, err, sizeof(err));
	return ctx != NULL ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[4096];
	unsigned int role;

	if (ctx == NULL || size > 16384)
		return 0;
	for (role = 0; role < 2; role++) {
		struct dsbc_dtls *d = dsbc_dtls_new(ctx, role ? DSBC_DTLS_CLIENT :
						    DSBC_DTLS_SERVER, FP);
		struct dsbc_srtp_keys k;
		size_t off = 0;
		uint64_t next;

		if (d == NULL)
			continue;
		if (role)
			dsbc_dtls_start(d);
		while (dsbc_dtls_output(d, out, sizeof(out)) > 0)
			;
		while (size - off >= 2 &&
		       dsbc_dtls_state(d) == DSBC_DTLS_HANDSHAKING) {
			size_t n = (size_t)(data[off] << 8 | data[off + 1]);
			uint8_t *p;

			off += 2;
			if (n > size - off)
				n = size - off;
			p = malloc(n ? n : 1);
			if (p == NULL)
				break;
			memcpy(p, data + off, n);
			off += n;
			dsbc_dtls_input(d, p, n);
			free(p);
			while (dsbc_dtls_output(d, out, sizeof(out)) > 0)
				;
			dsbc_dtls_tick(d, &next);
		}
		dsbc_dtls_keys(d, &k);
		dsbc_dtls_peer_refused(d);
		dsbc_dtls_error(d);
		dsbc_dtls_free(d);
	}
	return 0;
}
