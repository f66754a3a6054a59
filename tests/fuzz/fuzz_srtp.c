/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP and SRTCP unprotect (RFC 3711, RFC 7714) with libsrtp2, as the
 * terminator's workers call it, for each suite, and the software key
 * derivation and index estimate beside it.  The input is one packet
 * (its first 30 bytes also serve as a master key and salt for the KDF).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_srtp.h"
#include "dsbc_srtp_lib.h"
#include "dsbc_srtp_suites.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* one inbound session per suite, keyed once: making them per input is
 * most of the cost, and the packet is what a peer sends */
static struct dsbc_srtp_lib *sess[DSBC_SRTP_SUITE_MAX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t key[16] = "dsbc-fuzz-key-16", salt[14] = "fuzz-salt-14b";
	unsigned int i;

	(void)argc;
	(void)argv;
	if (dsbc_srtp_lib_init() != 0)
		return -1;
	for (i = 0; i < DSBC_SRTP_SUITE_MAX; i++)
		sess[i] = dsbc_srtp_lib_new(i, key, salt, false, 1024);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsbc_srtp_replay rp;
	uint8_t k[16], a[20], sk[14];
	unsigned int i;
	uint8_t *p;
	size_t len;

	if (size < 1 || size > 4096)
		return 0;
	for (i = 0; i < DSBC_SRTP_SUITE_MAX; i++) {
		if (sess[i] == NULL)
			continue;
		p = malloc(size);
		if (p == NULL)
			return 0;
		memcpy(p, data, size);
		len = size;
		/* the first byte's low bit: SRTCP rather than SRTP */
		dsbc_srtp_lib_unprotect(sess[i], p, &len, data[0] & 1);
		if (len > size)
			abort();
		free(p);
	}
	/* the software path's pieces: KDF labels, index, replay window */
	if (size >= 30) {
		dsbc_srtp_kdf(data, 16, data + 16, DSBC_SRTP_LABEL_RTP_ENC,
			      (uint64_t)data[0] << 40, k, 16);
		dsbc_srtp_kdf(data, 16, data + 16, DSBC_SRTP_LABEL_RTCP_AUTH, 0,
			      a, 20);
		dsbc_srtp_kdf(data, 16, data + 16, DSBC_SRTP_LABEL_RTP_SALT, 0,
			      sk, 14);
	}
	if (size >= 8 && dsbc_srtp_replay_init(&rp, 128) == 0) {
		uint64_t idx = dsbc_srtp_index_guess(
			(uint32_t)data[0] << 8 | data[1],
			(uint16_t)(data[2] << 8 | data[3]),
			(uint16_t)(data[4] << 8 | data[5]));

		if (dsbc_srtp_replay_check(&rp, idx) == 0)
			dsbc_srtp_replay_update(&rp, idx);
		dsbc_srtp_replay_check(&rp, idx);
	}
	return 0;
}
