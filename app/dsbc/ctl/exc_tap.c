/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel exception path (management lcore): per DPDK port with
 * `exception`, a kernel interface carrying the port's addresses into the
 * Linux stack (DPDK's net_tap, or virtio_user over vhost-net where the
 * host has it: the same TAP device on the kernel's side, its rings served
 * by vhost-net instead of read/write system calls), for what dsbc leaves
 * to the kernel: TCP (SIP over TCP, TLS and WebSocket, management).  The
 * media and UDP SIP stay on DPDK.
 *
 * One owner per protocol: dsbc keeps ARP, neighbour discovery and ICMP
 * echo for the port's addresses (ctl/neigh.c), the kernel TCP.  The
 * interface is NOARP, so the kernel never asks; a frame it sends gets
 * its Ethernet header from dsbc's route and neighbour tables, the same
 * next hop the workers use, and leaves by the management lcore's TX
 * queue.  A next hop not resolved yet is asked for and the frame dropped
 * (TCP sends it again).  What the workers punt (TCP to a local address,
 * addressed to the port's MAC) goes to the interface unchanged.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dsbc_net.h"
#include "ctl/exc_tap.h"
#include "ctl/mgmt.h"
#include "log.h"

#define TAP_BURST 32

/* The Linux side of the TAP: addresses, NOARP, MTU, up (netdevice(7)). */
static int
iface_setup(const char *ifname, const struct dsbc_port_cfg *pc)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (pc->mtu != 0) {
		ifr.ifr_mtu = pc->mtu;
		if (ioctl(s, SIOCSIFMTU, &ifr) != 0)
			goto out;
	}
	if (pc->ip4.set) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		uint32_t mask = pc->ip4.prefix == 0 ? 0 :
				~0u << (32 - pc->ip4.prefix);

		memset(&ifr.ifr_addr, 0, sizeof(ifr.ifr_addr));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = pc->ip4.addr.v4;
		if (ioctl(s, SIOCSIFADDR, &ifr) != 0)
			goto out;
		sin->sin_addr.s_addr = htonl(mask);
		if (ioctl(s, SIOCSIFNETMASK, &ifr) != 0)
			goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		goto out;
	ifr.ifr_flags |= IFF_UP | IFF_NOARP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		rc = -errno;
	close(s);
	if (rc == 0 && pc->ip6.set) {
		/* in6_ifreq (linux/ipv6.h): address, prefix, ifindex */
		struct {
			struct in6_addr addr;
			uint32_t prefixlen;
			int ifindex;
		} r6;

		s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -errno;
		memset(&r6, 0, sizeof(r6));
		memcpy(&r6.addr, pc->ip6.addr.a8, 16);
		r6.prefixlen = pc->ip6.prefix;
		r6.ifindex = (int)if_nametoindex(ifname);
		if (r6.ifindex == 0 || ioctl(s, SIOCSIFADDR, &r6) != 0)
			rc = -errno;
		close(s);
	}
	return rc;
}

/* The vdev carrying port idx's exception path, by kind. */
static void
exc_vdev_name(uint16_t idx, uint8_t kind, char *name, size_t cap)
{
	snprintf(name, cap, kind == DSBC_EXCEPTION_VIRTIO_USER ?
		 "virtio_user_dsbc%u" : "net_tap_dsbc%u", idx);
}

/* Create the vdev: net_tap, or virtio_user with the vhost-net backend
 * (DPDK's "virtio_user as exception path": the kernel's end is a TAP
 * device too, its queues served by vhost-net in kernel threads). */
static int
exc_vdev_create(struct dsbc_port_rt *p, uint16_t idx, uint8_t kind)
{
	char name[64], args[256], mac[RTE_ETHER_ADDR_FMT_SIZE];

	exc_vdev_name(idx, kind, name, sizeof(name));
	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	/* the port's MAC: what the kernel sends already comes from it */
	if (kind == DSBC_EXCEPTION_VIRTIO_USER)
		snprintf(args, sizeof(args), "path=/dev/vhost-net,queues=1,"
			 "queue_size=1024,iface=%s,mac=%s", p->exc_ifname,
			 mac);
	else
		snprintf(args, sizeof(args), "iface=%s,mac=%s",
			 p->exc_ifname, mac);
	if (rte_vdev_init(name, args) != 0 ||
	    rte_eth_dev_get_port_by_name(name, &p->exc_port_id) != 0)
		return -1;
	p->exc_kind = kind;
	return 0;
}

static int
exc_port_setup(struct dsbc_app *app, uint16_t idx)
{
	const struct dsbc_port_cfg *pc = &app->cfg.ports[idx];
	struct dsbc_port_rt *p = &app->ports[idx];
	struct rte_eth_conf conf;
	uint8_t kind = pc->exception;
	int rc;

	if (pc->exception_ifname[0] != '\0')
		snprintf(p->exc_ifname, sizeof(p->exc_ifname), "%s",
			 pc->exception_ifname);
	else
		snprintf(p->exc_ifname, sizeof(p->exc_ifname), "dsbc%u", idx);
	if (kind == DSBC_EXCEPTION_AUTO)
		kind = access("/dev/vhost-net", R_OK | W_OK) == 0 ?
		       DSBC_EXCEPTION_VIRTIO_USER : DSBC_EXCEPTION_TAP;
	if (exc_vdev_create(p, idx, kind) != 0) {
		if (kind == DSBC_EXCEPTION_VIRTIO_USER &&
		    pc->exception == DSBC_EXCEPTION_AUTO) {
			DSBC_LOG(mgmt, WARNING, "[port.%u] exception: "
				"virtio_user over /dev/vhost-net failed; "
				"using a TAP interface\n", idx);
			kind = DSBC_EXCEPTION_TAP;
		}
		if (kind != DSBC_EXCEPTION_TAP ||
		    exc_vdev_create(p, idx, kind) != 0) {
			DSBC_LOG(mgmt, ERR, "[port.%u] exception: cannot "
				"create the %s interface %s (needs %s and "
				"CAP_NET_ADMIN)\n", idx,
				kind == DSBC_EXCEPTION_TAP ? "TAP" :
				"virtio_user", p->exc_ifname,
				kind == DSBC_EXCEPTION_TAP ? "/dev/net/tun" :
				"/dev/vhost-net (the vhost_net module)");
			return -1;
		}
	}
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(p->exc_port_id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(p->exc_port_id, 0, 512,
					    (unsigned int)rte_socket_id(), NULL,
					    app->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(p->exc_port_id, 0, 512,
					    (unsigned int)rte_socket_id(), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(p->exc_port_id);
	if (rc == 0)
		rc = iface_setup(p->exc_ifname, pc);
	if (rc != 0) {
		DSBC_LOG(mgmt, ERR, "[port.%u] exception: interface %s: "
			"%s\n", idx, p->exc_ifname, rte_strerror(-rc));
		return -1;
	}
	p->has_exception = true;
	DSBC_LOG(mgmt, INFO, "[port.%u] exception path: TCP to the kernel "
		"through %s (%s)\n", idx, p->exc_ifname,
		kind == DSBC_EXCEPTION_TAP ? "net_tap" :
		"virtio_user, vhost-net");
	return 0;
}

int
dsbc_exc_tap_setup(struct dsbc_app *app)
{
	uint16_t i;

	for (i = 0; i < app->nb_ports; i++)
		if (app->cfg.ports[i].exception != DSBC_EXCEPTION_NONE &&
		    exc_port_setup(app, i) != 0)
			return -1;
	return 0;
}

void
dsbc_exc_tap_free(struct dsbc_app *app)
{
	char name[64];
	uint16_t i;

	for (i = 0; i < app->nb_ports; i++) {
		if (!app->ports[i].has_exception)
			continue;
		rte_eth_dev_stop(app->ports[i].exc_port_id);
		rte_eth_dev_close(app->ports[i].exc_port_id);
		exc_vdev_name(i, app->ports[i].exc_kind, name, sizeof(name));
		rte_vdev_uninit(name);
		app->ports[i].has_exception = false;
	}
}

/* A frame the workers punted (TCP for a local address): to the kernel. */
static void
to_kernel(struct dsbc_app *app, struct rte_mbuf *m)
{
	uint32_t in = m->hash.usr;
	uint8_t *eh = rte_pktmbuf_mtod(m, uint8_t *);

	/* the TAP is the port's untagged side: an 802.1Q tag comes off */
	if (m->data_len >= 18 && eh[12] == 0x81 && eh[13] == 0x00) {
		memmove(eh + 4, eh, 12);
		rte_pktmbuf_adj(m, 4);
	}
	if (in >= app->nb_ports || !app->ports[in].has_exception ||
	    rte_eth_tx_burst(app->ports[in].exc_port_id, 0, &m, 1) != 1) {
		app->mst.kern_tx_fail++;
		rte_pktmbuf_free(m);
		return;
	}
	app->mst.kern_in++;
}

/*
 * A frame the kernel sent on port in's TAP: IPv4 or IPv6 unicast from
 * one of the port's addresses, out of the port towards its next hop.
 * The rest (the kernel's IPv6 multicast, for instance) stays here.
 */
static void
from_kernel(struct dsbc_app *app, uint16_t in, struct rte_mbuf *m)
{
	const struct dsbc_port_rt *p = &app->ports[in];
	struct dsbc_pkt_info pi;
	const struct rte_ether_addr *mac;
	struct dsbc_addr next;
	uint16_t out;

	if (m->nb_segs != 1 ||
	    dsbc_net_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
			   &pi) == DSBC_PKT_DROP || pi.family == 0 ||
	    dsbc_config_route_out(&app->cfg, pi.family, &pi.dst, &out,
				  &next) != 0 || out != in) {
		app->mst.kern_out_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	mac = dsbc_neigh_mac(app, out, pi.family, &next);
	if (mac == NULL) {
		/* asked for now (dsbc_neigh_probe); TCP retransmits */
		app->mst.kern_out_no_neigh++;
		rte_pktmbuf_free(m);
		return;
	}
	/* the kernel's Ethernet header off, dsbc's on (VLAN included) */
	rte_pktmbuf_adj(m, pi.l2_len);
	if (dsbc_push_l2(m, p, mac, pi.family == 6 ?
			 RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4) != 0) {
		app->mst.kern_out_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	app->mst.kern_out++;
	dsbc_mgmt_tx(app, p->port_id, m);
}

uint32_t
dsbc_exc_tap_poll(struct dsbc_app *app)
{
	struct rte_mbuf *pkts[TAP_BURST];
	uint32_t work = 0;
	uint16_t i, n, k;

	n = (uint16_t)rte_ring_sc_dequeue_burst(app->kern_ring, (void **)pkts,
						TAP_BURST, NULL);
	for (i = 0; i < n; i++)
		to_kernel(app, pkts[i]);
	work += n;
	for (k = 0; k < app->nb_ports; k++) {
		if (!app->ports[k].has_exception)
			continue;
		n = rte_eth_rx_burst(app->ports[k].exc_port_id, 0, pkts,
				     TAP_BURST);
		for (i = 0; i < n; i++)
			from_kernel(app, k, pkts[i]);
		work += n;
	}
	return work;
}
