/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip-flood: SIP floods from spoofed sources, as fast as an AF_PACKET
 * socket sends them (or at --pps), for perf/flood and the system test of
 * overload control.  Each frame is built once per source from a
 * template and patched per packet (Call-ID, branch, tags), IPv4 with the
 * UDP checksum left 0 (RFC 768).
 *
 *   sip-flood --iface IF --src-mac MAC --dst-mac MAC --dst IP:PORT
 *             --sources A.B.C.D/N --count-src K --kind invite|garbage|
 *             register|bye [--user U] [--pps N] [--seconds S]
 *
 * Prints "sent <n> in <s> s: <pps> pps".  Needs CAP_NET_RAW; only for
 * test networks the caller owns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME_MAX 1514
#define HDRS (14 + 20 + 8)

enum kind { K_INVITE, K_GARBAGE, K_REGISTER, K_BYE };

static const char *const kinds[] = { "invite", "garbage", "register", "bye" };

struct opts {
	const char *iface;
	uint8_t src_mac[6], dst_mac[6];
	uint32_t dst_ip, src_base;   /* host order */
	uint16_t dst_port;
	uint32_t nb_src;
	enum kind kind;
	const char *user;
	double pps;
	double seconds;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
mac(const char *s, uint8_t *m)
{
	unsigned int b[6], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		m[i] = (uint8_t)b[i];
	return 0;
}

static uint16_t
csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The SIP text of packet i from source ip (dotted), into out. */
static int
payload(const struct opts *o, uint64_t i, const char *ip, const char *dst,
	char *out, size_t cap)
{
	uint32_t r = (uint32_t)(i * 2654435761u);

	switch (o->kind) {
	case K_INVITE: {
		static const char sdp[] =
			"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
			"c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			"m=audio 4000 RTP/AVP 0\r\n";

		return snprintf(out, cap,
			"INVITE sip:%s@%s SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:5060;branch=z9hG4bKf%llx%x\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:flood@%s>;tag=f%x\r\n"
			"To: <sip:%s@%s>\r\n"
			"Call-ID: fl%llx.%x@%s\r\n"
			"CSeq: 1 INVITE\r\n"
			"Contact: <sip:flood@%s:5060>\r\n"
			"Content-Type: application/sdp\r\n"
			"Content-Length: %zu\r\n\r\n%s",
			o->user, dst, ip, (unsigned long long)i, r, ip, r,
			o->user, dst, (unsigned long long)i, r, ip, ip,
			sizeof(sdp) - 1, sdp);
	}
	case K_REGISTER:
		return snprintf(out, cap,
			"REGISTER sip:%s SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:5060;branch=z9hG4bKr%llx%x\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:u%x@%s>;tag=r%x\r\n"
			"To: <sip:u%x@%s>\r\n"
			"Call-ID: rg%llx.%x@%s\r\n"
			"CSeq: 1 REGISTER\r\n"
			"Contact: <sip:u%x@%s:5060>\r\n"
			"Expires: 600\r\nContent-Length: 0\r\n\r\n",
			dst, ip, (unsigned long long)i, r, r, dst, r, r, dst,
			(unsigned long long)i, r, ip, r, ip);
	case K_BYE:
		return snprintf(out, cap,
			"BYE sip:dsbc@%s SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:5060;branch=z9hG4bKb%llx%x\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:flood@%s>;tag=b%x\r\n"
			"To: <sip:%s@%s>;tag=%x\r\n"
			"Call-ID: by%llx.%x@%s\r\n"
			"CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
			dst, ip, (unsigned long long)i, r, ip, r, o->user, dst,
			r ^ 0x5a5a5a5au, (unsigned long long)i, r, ip);
	case K_GARBAGE: {
		size_t n = 200 + (r % 800), j;

		if (n > cap)
			n = cap;
		for (j = 0; j < n; j++) {
			r = r * 1103515245u + 12345u;
			out[j] = (char)(r >> 24);
		}
		out[0] = (char)0xfe;   /* no SIP line starts with it */
		return (int)n;
	}
	}
	return -1;
}

static void
build(const struct opts *o, uint64_t i, uint8_t *f, uint32_t *len)
{
	uint32_t src = o->src_base + (uint32_t)(i % o->nb_src);
	char ip[16], dst[16];
	struct in_addr a;
	uint16_t c, plen;
	int n;

	a.s_addr = htonl(src);
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	a.s_addr = htonl(o->dst_ip);
	inet_ntop(AF_INET, &a, dst, sizeof(dst));
	n = payload(o, i, ip, dst, (char *)f + HDRS, FRAME_MAX - HDRS);
	if (n < 0 || n > FRAME_MAX - HDRS)
		n = FRAME_MAX - HDRS;
	plen = (uint16_t)n;
	memcpy(f, o->dst_mac, 6);
	memcpy(f + 6, o->src_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	f[15] = 0;
	f[16] = (uint8_t)((20 + 8 + plen) >> 8);
	f[17] = (uint8_t)(20 + 8 + plen);
	f[18] = (uint8_t)(i >> 8);
	f[19] = (uint8_t)i;
	f[20] = 0;
	f[21] = 0;
	f[22] = 64;
	f[23] = 17;
	f[24] = 0;
	f[25] = 0;
	memcpy(f + 26, &(uint32_t){ htonl(src) }, 4);
	memcpy(f + 30, &(uint32_t){ htonl(o->dst_ip) }, 4);
	c = csum(f + 14, 20);
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
	f[34] = 5060 >> 8;
	f[35] = 5060 & 0xff;
	f[36] = (uint8_t)(o->dst_port >> 8);
	f[37] = (uint8_t)o->dst_port;
	f[38] = (uint8_t)((8 + plen) >> 8);
	f[39] = (uint8_t)(8 + plen);
	f[40] = 0;
	f[41] = 0;
	*len = HDRS + plen;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sip-flood --iface IF --src-mac MAC --dst-mac "
		"MAC --dst IP:PORT --sources A.B.C.D --count-src K --kind "
		"invite|garbage|register|bye [--user U] [--pps N] "
		"[--seconds S]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iface", 1, NULL, 'i' }, { "src-mac", 1, NULL, 's' },
		{ "dst-mac", 1, NULL, 'd' }, { "dst", 1, NULL, 't' },
		{ "sources", 1, NULL, 'a' }, { "count-src", 1, NULL, 'n' },
		{ "kind", 1, NULL, 'k' }, { "user", 1, NULL, 'u' },
		{ "pps", 1, NULL, 'p' }, { "seconds", 1, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	static uint8_t frames[BATCH][FRAME_MAX];
	struct opts o = { .nb_src = 10000, .user = "flood", .seconds = 5 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll;
	struct in_addr a;
	double t0, t, elapsed;
	uint64_t sent = 0, i = 0;
	int c, fd, k;
	char *colon;

	o.kind = (enum kind)-1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o.iface = optarg; break;
		case 's': if (mac(optarg, o.src_mac)) usage(); break;
		case 'd': if (mac(optarg, o.dst_mac)) usage(); break;
		case 't':
			colon = strchr(optarg, ':');
			if (colon == NULL)
				usage();
			*colon = '\0';
			if (inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			o.dst_ip = ntohl(a.s_addr);
			o.dst_port = (uint16_t)atoi(colon + 1);
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			o.src_base = ntohl(a.s_addr);
			break;
		case 'n': o.nb_src = (uint32_t)atoi(optarg); break;
		case 'k':
			for (k = 0; k < 4; k++)
				if (strcmp(optarg, kinds[k]) == 0)
					o.kind = (enum kind)k;
			break;
		case 'u': o.user = optarg; break;
		case 'p': o.pps = atof(optarg); break;
		case 'S': o.seconds = atof(optarg); break;
		default: usage();
		}
	}
	if (o.iface == NULL || o.dst_ip == 0 || o.src_base == 0 ||
	    o.nb_src == 0 || (int)o.kind < 0 || o.seconds <= 0)
		usage();
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("sip-flood: socket");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(o.iface);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		fprintf(stderr, "sip-flood: %s: %s\n", o.iface, strerror(errno));
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	t0 = now_s();
	for (;;) {
		uint32_t len;

		t = now_s();
		elapsed = t - t0;
		if (elapsed >= o.seconds)
			break;
		if (o.pps > 0 && (double)sent > o.pps * elapsed) {
			usleep(200);
			continue;
		}
		for (k = 0; k < BATCH; k++, i++) {
			build(&o, i, frames[k], &len);
			iov[k].iov_base = frames[k];
			iov[k].iov_len = len;
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
		}
		k = sendmmsg(fd, msgs, BATCH, 0);
		if (k > 0)
			sent += (uint64_t)k;
		else if (errno != ENOBUFS && errno != EAGAIN) {
			perror("sip-flood: sendmmsg");
			return 1;
		}
	}
	elapsed = now_s() - t0;
	printf("sent %llu in %.1f s: %.0f pps\n", (unsigned long long)sent,
	       elapsed, (double)sent / elapsed);
	close(fd);
	return 0;
}
