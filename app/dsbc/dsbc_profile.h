/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_PROFILE_H
#define DSBC_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Per-driver port profile from drivers-cfg/<driver_name>.conf: descriptor
 * ring sizes, whether RSS is worth enabling, whether rte_flow can steer a
 * worker's port slice to its queue.  Missing file: safe defaults.
 */
struct dsbc_profile {
	char file[300];      /* empty when defaults were used */
	uint16_t rx_desc;
	uint16_t tx_desc;
	bool rss;
	bool rte_flow;
	/* The device spreads traffic over every queue it was created with
	 * (af_packet fanout): all of them must be configured and polled. */
	bool rx_all_queues;
	/* use the driver's TX UDP checksum offload where it offers one
	 * (default yes; "no" for a driver whose offload is not trusted) */
	bool tx_cksum_offload;
	/* devargs a vdev of this driver gets where [port.N] dev does not
	 * give them ("key=value,..."): how big a frame it can deliver */
	char vdev_args[128];
	/* bytes of data one received frame may need (0: the [dsbc]
	 * mbuf_data_size pool does): the port gets an RX pool of its own
	 * when its frames are larger (af_packet hands over IP datagrams the
	 * kernel reassembled, up to framesz) */
	uint32_t rx_buf_size;
};

void dsbc_profile_load(const char *dir, const char *driver,
		       struct dsbc_profile *p);

#endif /* DSBC_PROFILE_H */
