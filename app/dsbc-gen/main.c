/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsbc-gen [EAL options --] [options]
 *
 * Builds a stream for one flow and writes it to a pcap (--pcap-out) or
 * sends it to a DPDK port (--port, EAL options needed) and counts what
 * comes back.  --kind malformed --list prints the malformation catalogue:
 * "<index> <drop counter> <description>".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define MAX_COUNT 1000000

static const char *const kind_names[] = {
	[GEN_RTP] = "rtp", [GEN_SRTP] = "srtp", [GEN_DTLS] = "dtls",
	[GEN_STUN] = "stun", [GEN_SIP] = "sip", [GEN_GARBAGE] = "garbage",
	[GEN_MIX] = "mix", [GEN_MALFORMED] = "malformed",
};

static void
usage(void)
{
	fprintf(stderr,
		"usage: dsbc-gen [EAL options --] --flow SRC:P-DST:P "
		"--src-mac MAC --dst-mac MAC\n"
		"  [--kind rtp|srtp|dtls|stun|sip|garbage|mix|malformed] "
		"[--count N] [--size N]\n"
		"  [--ssrc X] [--vlan TCI] [--list] [--seq-start N]\n"
		"  [--srtp SUITE:BASE64]   protect RTP/RTCP with libsrtp2\n"
		"  --check-srtp SUITE:BASE64 --pcap-out GOT --plain-pcap CLEAR\n"
		"  --bench-srtp SUITE:BASE64 --srtp SUITE:BASE64 [--count N]\n"
		"  (--pcap-out FILE | --port N [--rx-port N] [--rate PPS] "
		"[--wait-ms MS])\n");
}

static int
parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int
parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6 || strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* "a.b.c.d:p" or "[v6]:p" */
static int
parse_ep(const char *s, uint8_t *addr, uint8_t *family, uint16_t *port)
{
	char host[64];
	const char *colon;
	uint32_t p;
	size_t n;

	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (colon == NULL || (n = (size_t)(colon - s - 1)) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon++;
		*family = 6;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || (n = (size_t)(colon - s)) >= sizeof(host))
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		*family = 4;
	}
	memset(addr, 0, 16);
	if (inet_pton(*family == 6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return -1;
	if (parse_u32(colon + 1, 65535, &p) != 0 || p == 0)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int
parse_flow(const char *s, struct gen_flow *f)
{
	char a[128];
	const char *dash = NULL, *p;
	uint8_t fam2;

	/* The separator is the '-' after the first port. */
	for (p = s; *p != '\0'; p++)
		if (*p == '-' && p > s && p[-1] >= '0' && p[-1] <= '9' &&
		    (p[1] == '[' || (p[1] >= '0' && p[1] <= '9'))) {
			dash = p;
			break;
		}
	if (dash == NULL || (size_t)(dash - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (parse_ep(a, f->src, &f->family, &f->sport) != 0 ||
	    parse_ep(dash + 1, f->dst, &fam2, &f->dport) != 0 ||
	    fam2 != f->family)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pcap-out", required_argument, NULL, 'o'},
		{"kind", required_argument, NULL, 'k'},
		{"count", required_argument, NULL, 'n'},
		{"flow", required_argument, NULL, 'f'},
		{"src-mac", required_argument, NULL, 's'},
		{"dst-mac", required_argument, NULL, 'd'},
		{"vlan", required_argument, NULL, 'v'},
		{"ssrc", required_argument, NULL, 'S'},
		{"size", required_argument, NULL, 'z'},
		{"list", no_argument, NULL, 'l'},
		{"port", required_argument, NULL, 'p'},
		{"rx-port", required_argument, NULL, 'r'},
		{"rate", required_argument, NULL, 'R'},
		{"wait-ms", required_argument, NULL, 'w'},
		{"seq-start", required_argument, NULL, 'q'},
		{"srtp", required_argument, NULL, 'x'},
		{"check-srtp", required_argument, NULL, 'c'},
		{"plain-pcap", required_argument, NULL, 'P'},
		{"bench-srtp", required_argument, NULL, 'B'},
		{NULL, 0, NULL, 0},
	};
	struct gen_port_opts po = { .wait_ms = 1000 };
	struct gen_flow f;
	struct gen_frame *frames;
	const char *out = NULL, *srtp = NULL, *check = NULL, *plain = NULL;
	const char *bench = NULL;
	void *srtp_s = NULL;
	enum gen_kind kind = GEN_RTP;
	uint32_t count = 10, ssrc = 0x5eed0001, size = 172, v, i, n;
	bool list = false, has_flow = false, has_port = false;
	bool has_smac = false, has_dmac = false;
	int eal_argc = 0, opt, k;
	uint8_t pl[1500];

	memset(&f, 0, sizeof(f));
	/* EAL options, if any, end at "--". */
	for (k = 1; k < argc; k++)
		if (strcmp(argv[k], "--") == 0) {
			eal_argc = k;
			break;
		}
	if (eal_argc > 0) {
		argv[eal_argc] = argv[0];
		argc -= eal_argc;
		argv += eal_argc;
	}
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'k':
			for (k = 0; k <= GEN_MALFORMED; k++)
				if (strcmp(optarg, kind_names[k]) == 0)
					break;
			if (k > GEN_MALFORMED) {
				fprintf(stderr, "dsbc-gen: unknown kind '%s'\n",
					optarg);
				return 2;
			}
			kind = (enum gen_kind)k;
			break;
		case 'n':
			if (parse_u32(optarg, MAX_COUNT, &count) != 0) {
				fprintf(stderr, "dsbc-gen: --count: 0..%u\n",
					MAX_COUNT);
				return 2;
			}
			break;
		case 'f':
			if (parse_flow(optarg, &f) != 0) {
				fprintf(stderr, "dsbc-gen: --flow '%s': want "
					"SRC:PORT-DST:PORT\n", optarg);
				return 2;
			}
			has_flow = true;
			break;
		case 's':
		case 'd':
			if (parse_mac(optarg, opt == 's' ? f.src_mac :
				      f.dst_mac) != 0) {
				fprintf(stderr, "dsbc-gen: bad MAC '%s'\n",
					optarg);
				return 2;
			}
			*(opt == 's' ? &has_smac : &has_dmac) = true;
			break;
		case 'v':
			if (parse_u32(optarg, 0xffff, &v) != 0 ||
			    (v & 0xfff) == 0) {
				fprintf(stderr, "dsbc-gen: --vlan: TCI with a "
					"VLAN id 1..4095\n");
				return 2;
			}
			f.vlan = (uint16_t)v;
			break;
		case 'S':
			if (parse_u32(optarg, UINT32_MAX, &ssrc) != 0)
				return 2;
			break;
		case 'z':
			if (parse_u32(optarg, 1400, &size) != 0 || size == 0) {
				fprintf(stderr, "dsbc-gen: --size: 1..1400\n");
				return 2;
			}
			break;
		case 'l':
			list = true;
			break;
		case 'p':
		case 'r':
			if (parse_u32(optarg, 65535, &v) != 0)
				return 2;
			if (opt == 'p') {
				po.port = (uint16_t)v;
				has_port = true;
			} else {
				po.rx_port = (uint16_t)v;
				po.has_rx = true;
			}
			break;
		case 'R':
			if (parse_u32(optarg, 100000000, &po.rate_pps) != 0)
				return 2;
			break;
		case 'w':
			if (parse_u32(optarg, 3600000, &po.wait_ms) != 0)
				return 2;
			break;
		case 'q':
			if (parse_u32(optarg, 65535, &gen_seq_base) != 0)
				return 2;
			break;
		case 'x':
			srtp = optarg;
			break;
		case 'c':
			check = optarg;
			break;
		case 'P':
			plain = optarg;
			break;
		case 'B':
			bench = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (bench != NULL) {
		/* --bench-srtp RX_SUITE:KEY --srtp TX_SUITE:KEY [--count N]
		 * [--size BYTES] */
		if (srtp == NULL) {
			usage();
			return 2;
		}
		return gen_srtp_bench(bench, srtp, count, size);
	}
	if (check != NULL) {
		/* --check-srtp SUITE:KEY --pcap-out <what dsbc sent>
		 * --plain-pcap <the clear stream> */
		if (out == NULL || plain == NULL) {
			usage();
			return 2;
		}
		return gen_srtp_check(check, out, plain);
	}
	if (list) {
		for (i = 0; i < gen_malformed_count(); i++)
			printf("%u %s %s\n", i, gen_malformed_info(i)->counter,
			       gen_malformed_info(i)->desc);
		return 0;
	}
	if (!has_flow || !has_smac || !has_dmac ||
	    (out == NULL) == !has_port || (has_port && eal_argc == 0)) {
		usage();
		return 2;
	}
	n = kind == GEN_MALFORMED ? gen_malformed_count() : count;
	if (srtp != NULL && gen_srtp_open(srtp, true, &srtp_s) != 0) {
		fprintf(stderr, "dsbc-gen: --srtp '%s': want SUITE:base64 "
			"key||salt (RFC 4568 names)\n", srtp);
		return 2;
	}
	frames = calloc(n ? n : 1, sizeof(*frames));
	if (frames == NULL) {
		fprintf(stderr, "dsbc-gen: out of memory\n");
		gen_srtp_close(srtp_s);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (kind == GEN_MALFORMED) {
			frames[i].len = gen_malformed_build(i, &f, frames[i].b);
			continue;
		}
		v = gen_payload(kind, i, ssrc, size, pl, sizeof(pl));
		if (srtp_s != NULL &&
		    gen_srtp_protect(srtp_s, pl, &v, sizeof(pl)) != 0) {
			fprintf(stderr, "dsbc-gen: SRTP protect failed\n");
			gen_srtp_close(srtp_s);
			free(frames);
			return 1;
		}
		frames[i].len = gen_udp_frame(frames[i].b, &f, pl, v);
	}
	gen_srtp_close(srtp_s);
	if (out != NULL) {
		k = gen_pcap_write(out, frames, n);
		if (k == 0)
			printf("dsbc-gen: wrote %u %s frames to %s\n", n,
			       kind_names[kind], out);
		free(frames);
		return k == 0 ? 0 : 1;
	}
	argv[0] = argv[-eal_argc];
	k = gen_port_run(eal_argc, argv - eal_argc, &po, frames, n);
	free(frames);
	return k;
}
