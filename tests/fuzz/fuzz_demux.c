/* SPDX-License-Identifier: BSD-3-Clause */
/* The RFC 7983 demultiplexer: any payload gets a class and a name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_demux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	enum dsbc_demux_class c;

	if (p == NULL || size > 65535) {
		free(p);
		return 0;
	}
	memcpy(p, data, size);
	c = dsbc_demux_classify(p, (uint32_t)size);
	if (dsbc_demux_name(c) == NULL)
		abort();
	free(p);
	return 0;
}
