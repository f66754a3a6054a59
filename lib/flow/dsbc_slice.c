/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "dsbc_slice.h"

int
dsbc_slices_init(struct dsbc_slices *s, uint16_t port_min, uint16_t port_max,
		 uint16_t nb_workers)
{
	uint32_t span, size;

	/* RTP on even ports, RTCP on the next odd one (RFC 3550 section 11):
	 * a slice must start even and hold whole pairs. */
	if (nb_workers == 0 || port_max <= port_min || (port_min & 1) != 0)
		return -EINVAL;
	span = (uint32_t)port_max - port_min + 1;
	size = (span / nb_workers) & ~1u;
	if (size < 2)
		return -EINVAL;
	s->port_min = port_min;
	s->port_max = port_max;
	s->nb_workers = nb_workers;
	s->size = (uint16_t)size;
	s->mult = UINT32_MAX / size + 1;
	return 0;
}

void
dsbc_slices_range(const struct dsbc_slices *s, uint16_t w, uint16_t *first,
		  uint16_t *last)
{
	*first = (uint16_t)(s->port_min + (uint32_t)w * s->size);
	if (w + 1u >= s->nb_workers)
		*last = s->port_max;
	else
		*last = (uint16_t)(*first + s->size - 1);
}
