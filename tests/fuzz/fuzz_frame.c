/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L2-L4 parse every received frame goes through (Ethernet, 802.1Q,
 * ARP, IPv4, IPv6 with its extension headers, UDP), and for ICMPv6 the
 * neighbour discovery validation the management lcore applies.  What it
 * reports must lie inside the frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_nd.h"
#include "dsbc_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsbc_pkt_info pi;
	struct dsbc_nd_msg nd;
	enum dsbc_pkt_kind k;
	uint8_t *f;

	if (size > 9216)
		return 0;
	f = malloc(size ? size : 1);
	if (f == NULL)
		return 0;
	memcpy(f, data, size);
	memset(&pi, 0, sizeof(pi));
	k = dsbc_net_parse(f, (uint32_t)size, &pi);
	if (k != DSBC_PKT_DROP) {
		if (pi.frame_len > size ||
		    (pi.payload_len != 0 &&
		     (size_t)pi.payload_off + pi.payload_len > size))
			abort();
		/* ICMPv6: ND and echo as the management lcore reads them */
		if (k == DSBC_PKT_ICMP6) {
			uint32_t len = pi.frame_len - pi.l4_off;

			dsbc_nd_parse(f + pi.l2_len, f + pi.l4_off, len, &nd);
			if (pi.l3_len == 40 && len >= 4)
				dsbc_icmp6_echo_reply(f + pi.l2_len, len, 64);
		}
	}
	free(f);
	return 0;
}
