/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_GEN_H
#define DSBC_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * dsbc-gen: builds test streams for one flow and writes them to a pcap or
 * sends them to a DPDK port.  Checksums are computed here with code of its
 * own, never with lib/net (the code under test).
 */
#define GEN_FRAME_MAX 2048

enum gen_kind {
	GEN_RTP, GEN_SRTP, GEN_DTLS, GEN_STUN, GEN_SIP, GEN_GARBAGE, GEN_MIX,
	GEN_MALFORMED,
};

struct gen_flow {
	uint8_t family;              /* 4 or 6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint16_t vlan;               /* TCI, 0: untagged */
};

struct gen_frame {
	uint8_t b[GEN_FRAME_MAX];
	uint32_t len;
};

/* Ethernet [+802.1Q] + IPv4/IPv6 + UDP around payload; returns length. */
uint32_t gen_udp_frame(uint8_t *out, const struct gen_flow *f,
		       const uint8_t *payload, uint32_t plen);
/* Recompute the IPv4 header checksum of a frame built above. */
void gen_fix_ip4_csum(uint8_t *ip);

/* Payload of packet i of a stream of the given kind; returns length. */
uint32_t gen_payload(enum gen_kind k, uint32_t i, uint32_t ssrc,
		     uint32_t size, uint8_t *out, uint32_t cap);

/* Malformed frames aimed at flow f; each with the dsbc counter it hits. */
struct gen_malformed {
	const char *counter;         /* telemetry name in /dsbc/stats */
	const char *desc;
};
uint32_t gen_malformed_count(void);
const struct gen_malformed *gen_malformed_info(uint32_t idx);
uint32_t gen_malformed_build(uint32_t idx, const struct gen_flow *f,
			     uint8_t *out);

int gen_pcap_write(const char *path, const struct gen_frame *frames,
		   uint32_t n);

/* First RTP sequence number of a stream (default 1000). */
extern uint32_t gen_seq_base;

/* srtp.c: libsrtp2, independent of dsbc's SRTP */
int gen_srtp_open(const char *spec, bool outbound, void **out);
int gen_srtp_protect(void *s, uint8_t *p, uint32_t *len, uint32_t cap);
void gen_srtp_close(void *s);
int gen_srtp_bench(const char *rx_spec, const char *tx_spec, uint32_t n,
		   uint32_t size);
int gen_srtp_check(const char *spec, const char *got, const char *plain);

struct gen_port_opts {
	uint16_t port;
	uint16_t rx_port;
	bool has_rx;
	uint32_t rate_pps;           /* 0: as fast as possible */
	uint32_t wait_ms;
};
int gen_port_run(int argc, char **argv, const struct gen_port_opts *o,
		 const struct gen_frame *frames, uint32_t n);

#endif /* DSBC_GEN_H */
