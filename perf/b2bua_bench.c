/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/b2bua: lib/b2bua in process, no I/O.  Each call is INVITE with an
 * SDP offer from A, 180 and 200 with an SDP answer from B, ACK, BYE from
 * A and its 200 from B: six messages in, seven out, four flows added and
 * removed, on a virtual clock that advances one millisecond per call (so
 * transactions age and end on their RFC 3261 timers as they would at
 * 1000 calls/s).  The host answers as sipp would, from what dsbc sent.
 *
 * Only the time inside the library's functions is counted: the figure is
 * what the B2BUA costs one core per call, not this harness's formatting.
 * Prints: b2bua calls_per_s=<n> us_per_call=<n>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "dsbc_b2bua.h"
#include "dsbc_sip_msg.h"

static struct {
	char msg[8192];
	uint32_t len;
	bool to_b;
} last_b, last_a;
static uint32_t next_flow;
static struct dsbc_addr b_addr;
static uint64_t sent;

static int
op_send(void *ctx, const struct dsbc_sip_peer *to, const char *msg,
	uint32_t len)
{
	(void)ctx;
	if (len >= sizeof(last_b.msg))
		return -EMSGSIZE;
	if (dsbc_addr_eq(&to->remote, &b_addr)) {
		memcpy(last_b.msg, msg, len);
		last_b.msg[len] = '\0';
		last_b.len = len;
	} else {
		memcpy(last_a.msg, msg, len);
		last_a.msg[len] = '\0';
		last_a.len = len;
	}
	sent++;
	return 0;
}

static int
op_flow_add(void *ctx, const struct dsbc_flow_cfg *fc,
	    dsbc_b2bua_cookie_t cookie, uint32_t *flow_id)
{
	(void)ctx, (void)fc, (void)cookie;
	*flow_id = ++next_flow;
	return 0;
}

static int
op_flow_mod(void *ctx, uint32_t id, const struct dsbc_flow_cfg *fc, bool u)
{
	(void)ctx, (void)id, (void)fc, (void)u;
	return 0;
}

static int
op_flow_del(void *ctx, uint32_t id)
{
	(void)ctx, (void)id;
	return 0;
}

static int
op_flow_keys(void *ctx, uint32_t id, enum dsbc_b2bua_keys_dir dir,
	     uint8_t suite, const uint8_t *key, uint8_t kl,
	     const uint8_t *salt, uint8_t sl)
{
	(void)ctx, (void)id, (void)dir, (void)suite, (void)key, (void)kl;
	(void)salt, (void)sl;
	return 0;
}

static int
op_ice_set(void *ctx, uint16_t w, uint16_t *id, const char *lu,
	   const char *ru, const char *pwd)
{
	(void)ctx, (void)w, (void)lu, (void)ru, (void)pwd;
	*id = 1;
	return 0;
}

static void
op_ice_clear(void *ctx, uint16_t w, uint16_t id)
{
	(void)ctx, (void)w, (void)id;
}

static int
op_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

static uint64_t
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t lib_ns;

static void
input(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from, const char *m,
      size_t len, uint64_t now)
{
	uint64_t t0 = ns_now();

	dsbc_b2bua_sip_input(b, from, m, (uint32_t)len, now);
	if (now >= dsbc_b2bua_next_timeout(b))
		dsbc_b2bua_on_timeout(b, now);
	lib_ns += ns_now() - t0;
}

/* The value of header name in msg (first line of it) into out. */
static const char *
hdr(const char *msg, const char *name, char *out, size_t cap)
{
	char key[32];
	const char *p, *e;

	snprintf(key, sizeof(key), "\r\n%s: ", name);
	p = strstr(msg, key);
	out[0] = '\0';
	if (p == NULL)
		return out;
	p += strlen(key);
	e = strstr(p, "\r\n");
	snprintf(out, cap, "%.*s", (int)(e - p), p);
	return out;
}

static const char offer[] =
	"v=0\r\no=alice 1 1 IN IP4 10.0.0.10\r\ns=-\r\n"
	"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	"m=audio 7000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	"a=sendrecv\r\n";
static const char answer[] =
	"v=0\r\no=bob 1 1 IN IP4 10.0.1.20\r\ns=-\r\n"
	"c=IN IP4 10.0.1.20\r\nt=0 0\r\n"
	"m=audio 8000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

/* B's response to the last request dsbc sent it. */
static size_t
b_resp(char *out, size_t cap, int status, const char *reason,
       const char *totag, const char *body)
{
	char via[256], from[256], to[256], cid[160], cseq[64];

	hdr(last_b.msg, "Via", via, sizeof(via));
	hdr(last_b.msg, "From", from, sizeof(from));
	hdr(last_b.msg, "To", to, sizeof(to));
	hdr(last_b.msg, "Call-ID", cid, sizeof(cid));
	hdr(last_b.msg, "CSeq", cseq, sizeof(cseq));
	return (size_t)snprintf(out, cap,
		"SIP/2.0 %d %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s%s\r\n"
		"Call-ID: %s\r\nCSeq: %s\r\n"
		"Contact: <sip:bob@10.0.1.20:5060>\r\n%s"
		"Content-Length: %zu\r\n\r\n%s",
		status, reason, via, from, to, totag ? ";tag=" : "",
		totag ? totag : "", cid, cseq,
		body ? "Content-Type: application/sdp\r\n" : "",
		body ? strlen(body) : 0, body ? body : "");
}

int
main(int argc, char **argv)
{
	static const struct dsbc_b2bua_ops ops = {
		.sip_send = op_send, .flow_add = op_flow_add,
		.flow_mod = op_flow_mod, .flow_del = op_flow_del,
		.flow_keys = op_flow_keys, .ice_set = op_ice_set,
		.ice_clear = op_ice_clear, .random = op_random,
	};
	unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	struct dsbc_sip_peer pa, pb;
	struct dsbc_b2bua_cfg bc;
	static struct dsbc_config cfg;
	struct dsbc_b2bua *b;
	uint64_t now = 1000, failed = 0;
	char m[8192], err[256], totag[96], v[256];
	unsigned long i;
	uint8_t fam;
	size_t n;

	cfg.sip_port = 5060;
	cfg.media_port_min = 20000;
	cfg.media_port_max = 29999;
	cfg.latch_default = DSBC_LATCH_FIRST;
	cfg.dtls_timeout_ms = 10000;
	cfg.no_route_status = 404;
	cfg.ice_consent_s = 30;
	cfg.nb_ports = 2;
	cfg.ports[0].ip4.set = cfg.ports[1].ip4.set = true;
	cfg.ports[0].ip4.prefix = cfg.ports[1].ip4.prefix = 24;
	dsbc_addr_parse("10.0.0.1", &cfg.ports[0].ip4.addr, &fam);
	dsbc_addr_parse("10.0.1.1", &cfg.ports[1].ip4.addr, &fam);
	cfg.nb_routes = 1;
	cfg.routes[0].family = 4;
	dsbc_addr_parse("10.0.1.20", &cfg.routes[0].addr, &fam);
	b_addr = cfg.routes[0].addr;
	cfg.routes[0].port = 5060;
	cfg.routes[0].out_port = 1;
	cfg.routes[0].l2_next_hop = cfg.routes[0].addr;
	memset(&bc, 0, sizeof(bc));
	bc.cfg = &cfg;
	bc.nb_workers = 1;
	bc.slice[0].first = 20000;
	bc.slice[0].last = 29999;
	bc.max_calls = 4096;
	bc.max_txns = 262144;
	b = dsbc_b2bua_create(&bc, &ops, NULL, err, sizeof(err));
	if (b == NULL) {
		fprintf(stderr, "b2bua-bench: %s\n", err);
		return 1;
	}
	memset(&pa, 0, sizeof(pa));
	pa.family = 4;
	dsbc_addr_parse("10.0.0.1", &pa.local, &fam);
	dsbc_addr_parse("10.0.0.10", &pa.remote, &fam);
	pa.local_port = pa.remote_port = 5060;
	pb = pa;
	pb.in = 1;
	dsbc_addr_parse("10.0.1.1", &pb.local, &fam);
	pb.remote = b_addr;
	for (i = 0; i < calls; i++, now++) {
		char cid[64], atag[32], atotag[96];

		snprintf(cid, sizeof(cid), "%lu-bench@10.0.0.10", i);
		snprintf(atag, sizeof(atag), "a%lu", i);
		snprintf(totag, sizeof(totag), "b%lu", i);
		n = (size_t)snprintf(m, sizeof(m),
			"INVITE sip:bob@example.net SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK%lui;rport\r\n"
			"Max-Forwards: 70\r\n"
			"From: \"alice\" <sip:alice@example.org>;tag=%s\r\n"
			"To: <sip:bob@example.net>\r\nCall-ID: %s\r\n"
			"CSeq: 1 INVITE\r\nContact: <sip:alice@10.0.0.10:5060>\r\n"
			"Content-Type: application/sdp\r\nContent-Length: %zu\r\n"
			"\r\n%s", i, atag, cid, strlen(offer), offer);
		input(b, &pa, m, n, now);
		n = b_resp(m, sizeof(m), 180, "Ringing", totag, NULL);
		input(b, &pb, m, n, now);
		n = b_resp(m, sizeof(m), 200, "OK", totag, answer);
		input(b, &pb, m, n, now);
		if (strncmp(last_a.msg, "SIP/2.0 200", 11) != 0) {
			failed++;
			continue;
		}
		hdr(last_a.msg, "To", v, sizeof(v));
		snprintf(atotag, sizeof(atotag), "%s", strstr(v, ";tag=") ?
			 strstr(v, ";tag=") + 5 : "");
		n = (size_t)snprintf(m, sizeof(m),
			"ACK sip:dsbc@10.0.0.1:5060 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK%luk;rport\r\n"
			"Max-Forwards: 70\r\n"
			"From: \"alice\" <sip:alice@example.org>;tag=%s\r\n"
			"To: <sip:bob@example.net>;tag=%s\r\nCall-ID: %s\r\n"
			"CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
			i, atag, atotag, cid);
		input(b, &pa, m, n, now);
		n = (size_t)snprintf(m, sizeof(m),
			"BYE sip:dsbc@10.0.0.1:5060 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK%lub;rport\r\n"
			"Max-Forwards: 70\r\n"
			"From: \"alice\" <sip:alice@example.org>;tag=%s\r\n"
			"To: <sip:bob@example.net>;tag=%s\r\nCall-ID: %s\r\n"
			"CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
			i, atag, atotag, cid);
		input(b, &pa, m, n, now);
		if (strncmp(last_b.msg, "BYE ", 4) != 0) {
			failed++;
			continue;
		}
		n = b_resp(m, sizeof(m), 200, "OK", NULL, NULL);
		input(b, &pb, m, n, now);
	}
	if (dsbc_b2bua_stats(b)->active != 0 || failed != 0)
		fprintf(stderr, "b2bua-bench: %llu calls left, %llu failed\n",
			(unsigned long long)dsbc_b2bua_stats(b)->active,
			(unsigned long long)failed);
	printf("b2bua calls=%lu failed=%llu messages_out=%llu "
	       "transactions_at_end=%llu\n", calls,
	       (unsigned long long)failed, (unsigned long long)sent,
	       (unsigned long long)dsbc_b2bua_stats(b)->txns);
	printf("b2bua calls_per_s=%.0f us_per_call=%.2f\n",
	       calls * 1e9 / (double)lib_ns, lib_ns / 1e3 / (double)calls);
	dsbc_b2bua_free(b);
	return failed != 0;
}
