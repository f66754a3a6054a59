/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <pcap/pcap.h>

#include "gen.h"

/* Frames 20 ms apart, like a 50 packet/s audio stream. */
int
gen_pcap_write(const char *path, const struct gen_frame *frames, uint32_t n)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	uint32_t i;

	if (p == NULL)
		return -1;
	d = pcap_dump_open(p, path);
	if (d == NULL) {
		fprintf(stderr, "dsbc-gen: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = 1700000000 + i / 50,
				.tv_usec = (i % 50) * 20000 },
			.caplen = frames[i].len,
			.len = frames[i].len,
		};

		pcap_dump((u_char *)d, &h, frames[i].b);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}
