/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDES (RFC 4568): an a=crypto value through dsbc_sdes_parse(); what is
 * accepted is written again and must read back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_sdp_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsbc_sdes a, b;
	char out[256];
	char *buf;
	int n;

	if (size > 4096)
		return 0;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (dsbc_sdes_parse(buf, size, &a) == 0) {
		n = dsbc_sdes_format(&a, out, sizeof(out));
		if (n < 0 || dsbc_sdes_parse(out, (size_t)n, &b) != 0 ||
		    a.tag != b.tag || a.suite != b.suite ||
		    a.key_len != b.key_len || a.salt_len != b.salt_len ||
		    memcmp(a.key, b.key, a.key_len) != 0 ||
		    memcmp(a.salt, b.salt, a.salt_len) != 0)
			abort();
	}
	free(buf);
	return 0;
}
