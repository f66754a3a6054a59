/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP/RTCP and the RFC 3550 appendix A state: the input is a run of
 * packets, each a 2-byte length, a 4-byte arrival time (a peer controls
 * the gaps, and in aware mode the timestamps) and the packet; RTP goes
 * through the source state (sequence, jitter, loss) as the worker's
 * aware mode keeps it, RTCP through its parser and its JSON for HEP
 * (lib/hep: a result is NUL-terminated and as long as it says).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_demux.h"
#include "dsbc_hep.h"
#include "dsbc_rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsbc_rtp_src src;
	struct dsbc_rtp_view v;
	bool have = false;
	size_t off = 0;

	memset(&src, 0, sizeof(src));
	while (size - off >= 6) {
		uint16_t len = (uint16_t)(data[off] << 8 | data[off + 1]);
		uint32_t arrival = (uint32_t)data[off + 2] << 24 |
				   (uint32_t)data[off + 3] << 16 |
				   (uint32_t)data[off + 4] << 8 | data[off + 5];
		uint8_t *p;
		uint8_t pt;
		uint32_t ssrc;

		off += 6;
		if (len > size - off)
			len = (uint16_t)(size - off);
		p = malloc(len ? len : 1);
		if (p == NULL)
			break;
		memcpy(p, data + off, len);
		off += len;
		if (len >= 2 && dsbc_demux_classify(p, len) == DSBC_DEMUX_RTCP) {
			char json[1536];
			size_t n;

			dsbc_rtcp_parse(p, len, &pt, &ssrc);
			n = dsbc_hep_rtcp_json(p, len, json, sizeof(json));
			if (n != 0 && (n >= sizeof(json) || strlen(json) != n))
				abort();
		} else if (dsbc_rtp_parse(p, len, &v) == 0) {
			dsbc_rtp_hdr_len(p, len);
			if (!have || v.ssrc != src.ssrc) {
				dsbc_rtp_src_init(&src, v.ssrc, v.seq);
				have = true;
			}
			if (dsbc_rtp_src_update(&src, v.seq, 3000) ==
			    DSBC_RTP_SEQ_OK)
				dsbc_rtp_src_jitter(&src, arrival, v.ts);
			dsbc_rtp_src_ext_max(&src);
			dsbc_rtp_src_expected(&src);
			dsbc_rtp_src_lost(&src);
		}
		free(p);
	}
	return 0;
}
