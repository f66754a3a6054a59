/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/b2bua driven as the management lcore drives it, but on a virtual
 * clock and against fake ops that record every SIP message and flow
 * command: scripted call flows, and every way of spoofing a dialog.
 * No EAL, no sockets, no DPDK header.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dsbc_auth.h"
#include "dsbc_b2bua.h"
#include "dsbc_identity.h"
#include "dsbc_passport.h"
#include "dsbc_digest.h"
#include "dsbc_reg.h"
#include "dsbc_b2bua_snap.h"
#include "dsbc_sip_hdr.h"
#include "b2bua_internal.h"
#include "stir_pki.h"
#include "unit.h"

const bool unit_needs_eal = false;

/* ---- the fake host ---- */

#define OUT_MAX 256
#define FLOWS_MAX 1024

struct sent {
	struct dsbc_sip_peer to;
	char msg[8192];
	uint32_t len;
};

struct fflow {
	bool live;
	dsbc_b2bua_cookie_t cookie;
	struct dsbc_flow_cfg fc;
};

static struct fake {
	struct sent out[OUT_MAX];
	unsigned int n_out;
	struct fflow flow[FLOWS_MAX];
	uint32_t n_flows;            /* ids handed out: 1..n_flows */
	unsigned int adds, mods, dels, keys, ice_sets, ice_clears;
	unsigned int unlatches;      /* flow_mods asked to unlatch, of flows
				      * keyed on port 0 (A's side) */
	int fail_add;                /* flow_add returns it when non-zero */
	int fail_mod;                /* flow_mod returns it when non-zero */
	unsigned int fetches;        /* stir_fetch calls */
	int fetch_fail;              /* stir_fetch returns it when non-zero */
	char fetch_url[256];         /* the last one's URL */
	struct dsbc_sip_peer trusted[16];    /* peer_trust calls, in order */
	unsigned int n_trusted;
} fk;

static struct dsbc_config cfg;
static struct dsbc_b2bua *b;
static uint64_t now_ms;
static uint64_t ports0;              /* media pairs free at the start */
static bool a_ip6;                   /* setup(): port 0 dual-stack too */
static struct dsbc_es256 *stir_key;  /* setup(): dsbc signs with it */
static X509_STORE *stir_trust;       /* setup(): verifiers trust it */
static uint8_t setup_stir_route;     /* setup(): the route's stir_verify */
static struct dsbc_sip_peer peer_a, peer_b, peer_x;

static int
op_send(void *ctx, const struct dsbc_sip_peer *to, const char *msg,
	uint32_t len)
{
	struct sent *s;

	(void)ctx;
	if (fk.n_out == OUT_MAX || len >= sizeof(s->msg))
		return -ENOBUFS;
	s = &fk.out[fk.n_out++];
	s->to = *to;
	memcpy(s->msg, msg, len);
	s->msg[len] = '\0';
	s->len = len;
	return 0;
}

static int
op_flow_add(void *ctx, const struct dsbc_flow_cfg *fc,
	    dsbc_b2bua_cookie_t cookie, uint32_t *flow_id)
{
	(void)ctx;
	if (fk.fail_add != 0)
		return fk.fail_add;
	if (fk.n_flows + 1 >= FLOWS_MAX)
		return -ENOSPC;
	*flow_id = ++fk.n_flows;
	fk.flow[*flow_id].live = true;
	fk.flow[*flow_id].cookie = cookie;
	fk.flow[*flow_id].fc = *fc;
	fk.adds++;
	return 0;
}

static int
op_flow_mod(void *ctx, uint32_t id, const struct dsbc_flow_cfg *fc,
	    bool unlatch)
{
	(void)ctx;
	if (fk.fail_mod != 0)
		return fk.fail_mod;
	if (id == 0 || id > fk.n_flows || !fk.flow[id].live)
		return -ENOENT;
	fk.flow[id].fc = *fc;
	fk.mods++;
	fk.unlatches += unlatch && fc->local_family == 4 &&
			fc->local.v4 == cfg.ports[0].ip4.addr.v4;
	return 0;
}

static int
op_flow_del(void *ctx, uint32_t id)
{
	(void)ctx;
	if (id == 0 || id > fk.n_flows || !fk.flow[id].live)
		return -ENOENT;
	fk.flow[id].live = false;
	fk.dels++;
	return 0;
}

static int
op_flow_keys(void *ctx, uint32_t id, enum dsbc_b2bua_keys_dir dir,
	     uint8_t suite, const uint8_t *key, uint8_t kl,
	     const uint8_t *salt, uint8_t sl)
{
	(void)ctx, (void)id, (void)dir, (void)suite, (void)key, (void)kl;
	(void)salt, (void)sl;
	fk.keys++;
	return 0;
}

static int
op_ice_set(void *ctx, uint16_t w, uint16_t *ice_id, const char *lu,
	   const char *ru, const char *pwd)
{
	static uint16_t next;

	(void)ctx, (void)w, (void)lu, (void)ru, (void)pwd;
	if (*ice_id == 0)
		*ice_id = ++next;
	fk.ice_sets++;
	return 0;
}

static void
op_ice_clear(void *ctx, uint16_t w, uint16_t ice_id)
{
	(void)ctx, (void)w, (void)ice_id;
	fk.ice_clears++;
}

static int
op_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

static void
op_log(void *ctx, enum dsbc_b2bua_log_level level, const char *line)
{
	(void)ctx;
	if (getenv("B2BUA_LOG") != NULL)
		fprintf(stderr, "[%d] %s\n", (int)level, line);
}

static int64_t
op_epoch(void *ctx)
{
	(void)ctx;
	return 1800000000;
}

static int
op_fetch(void *ctx, const char *url)
{
	(void)ctx;
	if (fk.fetch_fail != 0)
		return fk.fetch_fail;
	fk.fetches++;
	snprintf(fk.fetch_url, sizeof(fk.fetch_url), "%s", url);
	return 0;
}

static void
op_trust(void *ctx, const struct dsbc_sip_peer *p)
{
	(void)ctx;
	if (fk.n_trusted < 16)
		fk.trusted[fk.n_trusted++] = *p;
}

static const struct dsbc_b2bua_ops ops = {
	.peer_trust = op_trust,
	.stir_fetch = op_fetch,
	.sip_send = op_send,
	.flow_add = op_flow_add,
	.flow_mod = op_flow_mod,
	.flow_del = op_flow_del,
	.flow_keys = op_flow_keys,
	.ice_set = op_ice_set,
	.ice_clear = op_ice_clear,
	.random = op_random,
	.epoch_s = op_epoch,
	.log = op_log,
};

static void
peer_set(struct dsbc_sip_peer *p, uint16_t in, const char *local,
	 const char *remote)
{
	uint8_t fam;

	memset(p, 0, sizeof(*p));
	p->in = in;
	dsbc_addr_parse(local, &p->local, &fam);
	dsbc_addr_parse(remote, &p->remote, &fam);
	p->family = fam;
	p->local_port = 5060;
	p->remote_port = 5060;
}

/* Two ports: A's side 10.0.0.1/24, B's 10.0.1.1/24; one route to B. */
static void
setup(uint32_t max_calls)
{
	struct dsbc_b2bua_cfg bc;
	char err[256];
	uint8_t fam;

	memset(&fk, 0, sizeof(fk));
	memset(&cfg, 0, sizeof(cfg));
	cfg.sip_port = 5060;
	cfg.sip_tls_port = 5061;
	cfg.media_port_min = 20000;
	cfg.media_port_max = 20999;
	cfg.latch_default = DSBC_LATCH_FIRST;
	cfg.dtls_timeout_ms = 10000;
	cfg.no_route_status = 404;
	cfg.ice_consent_s = 30;
	cfg.nb_ports = 2;
	cfg.ports[0].ip4.set = true;
	cfg.ports[0].ip4.prefix = 24;
	dsbc_addr_parse("10.0.0.1", &cfg.ports[0].ip4.addr, &fam);
	if (a_ip6) {
		cfg.ports[0].ip6.set = true;
		cfg.ports[0].ip6.prefix = 64;
		dsbc_addr_parse("fd00:a::1", &cfg.ports[0].ip6.addr, &fam);
	}
	cfg.ports[1].ip4.set = true;
	cfg.ports[1].ip4.prefix = 24;
	dsbc_addr_parse("10.0.1.1", &cfg.ports[1].ip4.addr, &fam);
	cfg.nb_routes = 1;
	cfg.routes[0].family = 4;
	dsbc_addr_parse("10.0.1.20", &cfg.routes[0].addr, &fam);
	cfg.routes[0].port = 5060;
	cfg.routes[0].out_port = 1;
	cfg.routes[0].l2_next_hop = cfg.routes[0].addr;
	cfg.routes[0].stir_verify = setup_stir_route;
	memset(&bc, 0, sizeof(bc));
	bc.cfg = &cfg;
	bc.nb_workers = 1;
	bc.slice[0].first = 20000;
	bc.slice[0].last = 20999;
	bc.max_calls = max_calls;
	bc.max_txns = 4096;
	bc.log_level = DSBC_B2BUA_LOG_DEBUG;
	bc.stir_key = stir_key;
	bc.stir_trust = stir_trust;
	cfg.stir.iat_window_s = 60;
	cfg.stir.fetch_timeout_ms = 2000;
	cfg.stir.cache_size = 8;
	cfg.stir.cache_ttl_s = 3600;
	cfg.stir.fail_ttl_s = 30;
	cfg.stir.parked_max = 2;
	cfg.stir.replay_size = 64;
	b = dsbc_b2bua_create(&bc, &ops, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	ports0 = dsbc_b2bua_ports_free(b);
	now_ms = 1000;
	peer_set(&peer_a, 0, "10.0.0.1", "10.0.0.10");
	peer_set(&peer_b, 1, "10.0.1.1", "10.0.1.20");
	peer_set(&peer_x, 0, "10.0.0.1", "10.0.0.66");
}

static void
teardown(void)
{
	dsbc_b2bua_free(b);
	b = NULL;
}

/* ---- messages ---- */

/* head's lines end in \n; CRLF on the wire, Content-Length added. */
static void
feed(const struct dsbc_sip_peer *from, const char *body, const char *fmt,
     ...)
{
	char head[4096], wire[8192];
	size_t n = 0, i, bl = body ? strlen(body) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	for (i = 0; head[i] != '\0' && n + 2 < sizeof(wire); i++) {
		if (head[i] == '\n')
			wire[n++] = '\r';
		wire[n++] = head[i];
	}
	n += (size_t)snprintf(wire + n, sizeof(wire) - n,
			      "Content-Length: %zu\r\n\r\n", bl);
	memcpy(wire + n, body ? body : "", bl);
	n += bl;
	dsbc_b2bua_sip_input(b, from, wire, (uint32_t)n, now_ms);
}

static const char offer_a[] =
	"v=0\r\no=alice 1 1 IN IP4 10.0.0.10\r\ns=-\r\n"
	"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
static const char answer_b[] =
	"v=0\r\no=bob 1 1 IN IP4 10.0.1.20\r\ns=-\r\n"
	"c=IN IP4 10.0.1.20\r\nt=0 0\r\n"
	"m=audio 8000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/* The n-th last message sent to `to` whose first line starts with
 * `start`; NULL when none. */
static const struct sent *
sent_to(const struct dsbc_sip_peer *to, const char *start)
{
	unsigned int i;

	for (i = fk.n_out; i > 0; i--) {
		const struct sent *s = &fk.out[i - 1];

		if (dsbc_addr_eq(&s->to.remote, &to->remote) &&
		    strncmp(s->msg, start, strlen(start)) == 0)
			return s;
	}
	return NULL;
}

static unsigned int
count_to(const struct dsbc_sip_peer *to, const char *start)
{
	unsigned int i, n = 0;

	for (i = 0; i < fk.n_out; i++)
		n += dsbc_addr_eq(&fk.out[i].to.remote, &to->remote) &&
		     strncmp(fk.out[i].msg, start, strlen(start)) == 0;
	return n;
}

/* Value of the first header `name` of a message, "" when absent. */
static const char *
hval(const struct sent *s, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *p, *e;

	out[0] = '\0';
	if (s == NULL)
		return out;
	snprintf(key, sizeof(key), "\r\n%s: ", name);
	p = strstr(s->msg, key);
	if (p == NULL)
		return out;
	p += strlen(key);
	e = strstr(p, "\r\n");
	snprintf(out, cap, "%.*s", (int)(e - p), p);
	return out;
}

/* The tag= of a From/To value, or the branch= of a Via. */
static const char *
param(const char *v, const char *name, char *out, size_t cap)
{
	char key[32];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), ";%s=", name);
	out[0] = '\0';
	p = strstr(v, key);
	if (p == NULL)
		return out;
	p += strlen(key);
	n = strcspn(p, ";>, \r\n");
	snprintf(out, cap, "%.*s", (int)n, p);
	return out;
}

/* ---- a call ---- */

struct callv {
	int n;
	char a_cid[64], a_tag[32], a_to_tag[64];
	uint32_t a_cseq;
	char b_cid[160], b_from[256], b_to[256], b_via[256], b_tag[32];
	uint32_t b_cseq;
	uint32_t id;
};

static void
a_invite(struct callv *cv, int n, const char *extra, const char *sdp)
{
	memset(cv, 0, sizeof(*cv));
	cv->n = n;
	snprintf(cv->a_cid, sizeof(cv->a_cid), "call%d@10.0.0.10", n);
	snprintf(cv->a_tag, sizeof(cv->a_tag), "at%d", n);
	cv->a_cseq = 1;
	feed(&peer_a, sdp,
	     "INVITE sip:bob@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKa%dinv;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>\n"
	     "Call-ID: %s\n"
	     "CSeq: 1 INVITE\n"
	     "%s"
	     "%s",
	     n, cv->a_tag, cv->a_cid,
	     extra ? extra : "Contact: <sip:alice@10.0.0.10:5060>\n",
	     sdp ? "Content-Type: application/sdp\n" : "");
}

/* B's INVITE as dsbc sent it: what B's answers copy. */
static void
b_learn(struct callv *cv)
{
	const struct sent *inv = sent_to(&peer_b, "INVITE ");
	char v[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	hval(inv, "Call-ID", cv->b_cid, sizeof(cv->b_cid));
	hval(inv, "From", cv->b_from, sizeof(cv->b_from));
	hval(inv, "To", cv->b_to, sizeof(cv->b_to));
	hval(inv, "Via", cv->b_via, sizeof(cv->b_via));
	snprintf(cv->b_tag, sizeof(cv->b_tag), "bt%d", cv->n);
	hval(inv, "CSeq", v, sizeof(v));
	cv->b_cseq = (uint32_t)atoi(v);
}

/* B's answer to the INVITE with To tag `tag`. */
static void
b_answer_tag(struct callv *cv, int status, const char *reason,
	     const char *sdp, const char *tag)
{
	feed(&peer_b, sdp,
	     "SIP/2.0 %d %s\n"
	     "Via: %s\n"
	     "From: %s\n"
	     "To: %s;tag=%s\n"
	     "Call-ID: %s\n"
	     "CSeq: %u INVITE\n"
	     "Contact: <sip:bob@10.0.1.20:5060>\n"
	     "%s",
	     status, reason, cv->b_via, cv->b_from, cv->b_to, tag,
	     cv->b_cid, cv->b_cseq,
	     sdp ? "Content-Type: application/sdp\n" : "");
}

static void
b_answer(struct callv *cv, int status, const char *reason, const char *sdp)
{
	b_answer_tag(cv, status, reason, sdp, cv->b_tag);
}

/* A's request inside its dialog (tags as given). */
static void
a_request(const struct dsbc_sip_peer *from, const char *method,
	  const char *cid, const char *ftag, const char *ttag, uint32_t cseq,
	  const char *branch)
{
	feed(from, NULL,
	     "%s sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=%s;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>%s%s\n"
	     "To: <sip:bob@example.net>%s%s\n"
	     "Call-ID: %s\n"
	     "CSeq: %u %s\n",
	     method, branch, ftag ? ";tag=" : "", ftag ? ftag : "",
	     ttag ? ";tag=" : "", ttag ? ttag : "", cid, cseq, method);
}

/* B's request inside the B dialog: From is B's (our To), To is ours. */
static void
b_request(const struct dsbc_sip_peer *from, const char *method,
	  struct callv *cv, const char *cid, const char *ftag,
	  const char *ttag, uint32_t cseq, const char *branch)
{
	char ours[64];

	param(cv->b_from, "tag", ours, sizeof(ours));
	feed(from, NULL,
	     "%s sip:dsbc@10.0.1.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.1.20:5060;branch=%s;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:bob@example.net>;tag=%s\n"
	     "To: <sip:alice@example.org>;tag=%s\n"
	     "Call-ID: %s\n"
	     "CSeq: %u %s\n",
	     method, branch, ftag ? ftag : cv->b_tag, ttag ? ttag : ours,
	     cid ? cid : cv->b_cid, cseq, method);
}

/* A's CANCEL (RFC 3261 9.1): the INVITE's branch, its From, no To tag. */
static void
a_cancel(const struct dsbc_sip_peer *from, const struct callv *cv,
	 const char *branch)
{
	feed(from, NULL,
	     "CANCEL sip:bob@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=%s;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>\n"
	     "Call-ID: %s\n"
	     "CSeq: 1 CANCEL\n", branch, cv->a_tag, cv->a_cid);
}

static void b_answer_last(const char *method, int status, const char *reason,
			  const char *sdp);

static uint32_t
active(void)
{
	return (uint32_t)dsbc_b2bua_stats(b)->active;
}

/* INVITE, 180, 200 with SDP, ACK: a confirmed call. */
static void
call_up(struct callv *cv, int n)
{
	const struct sent *ok;
	char v[256];

	a_invite(cv, n, NULL, offer_a);
	b_learn(cv);
	b_answer(cv, 180, "Ringing", NULL);
	b_answer(cv, 200, "OK", answer_b);
	ok = sent_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
	param(hval(ok, "To", v, sizeof(v)), "tag", cv->a_to_tag,
	      sizeof(cv->a_to_tag));
	a_request(&peer_a, "ACK", cv->a_cid, cv->a_tag, cv->a_to_tag, 1,
		  "z9hG4bKack");
}

static void
advance(uint64_t ms)
{
	uint64_t end = now_ms + ms;

	while (now_ms < end) {
		uint64_t t = dsbc_b2bua_next_timeout(b);

		now_ms = t > end ? end : (t < now_ms ? now_ms : t);
		dsbc_b2bua_on_timeout(b, now_ms);
		if (t > end)
			break;
	}
}

/* ---- call flows ---- */

static void
test_basic_call_bye_from_a(void)
{
	struct callv cv;
	char v[256], t1[64];
	unsigned int adds;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 100"));
	b_learn(&cv);
	/* topology hiding: nothing of A's dialog reaches B */
	CU_ASSERT(strstr(cv.b_cid, "10.0.0.10") == NULL);
	CU_ASSERT(strcmp(cv.b_cid, cv.a_cid) != 0);
	CU_ASSERT(strlen(cv.b_cid) >= 32);
	CU_ASSERT(strstr(sent_to(&peer_b, "INVITE ")->msg, "at1") == NULL);
	CU_ASSERT(strstr(sent_to(&peer_b, "INVITE ")->msg, "z9hG4bKa1inv") ==
		  NULL);
	param(cv.b_from, "tag", t1, sizeof(t1));
	CU_ASSERT(strlen(t1) >= 17);     /* "B" + 96 bits in hex */
	adds = fk.adds;
	CU_ASSERT(adds >= 1);            /* B -> A flows before the answer */
	b_answer(&cv, 180, "Ringing", NULL);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 180"));
	b_answer(&cv, 200, "OK", answer_b);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "ACK "));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	CU_ASSERT(strstr(sent_to(&peer_a, "SIP/2.0 200")->msg,
			 "c=IN IP4 10.0.0.1") != NULL);
	CU_ASSERT(fk.adds > adds);       /* A -> B at the answer */
	param(hval(sent_to(&peer_a, "SIP/2.0 200"), "To", v, sizeof(v)),
	      "tag", cv.a_to_tag, sizeof(cv.a_to_tag));
	CU_ASSERT(strlen(cv.a_to_tag) >= 17);
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1, "z9hG4bKk");
	CU_ASSERT_EQUAL(active(), 1);
	a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag, 2, "z9hG4bKb");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "BYE "));
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	CU_ASSERT_EQUAL(dsbc_b2bua_ports_free(b), ports0);
	teardown();
}

static void
test_bye_from_b(void)
{
	struct callv cv;

	setup(16);
	call_up(&cv, 1);
	b_request(&peer_b, "BYE", &cv, NULL, NULL, NULL, 1, "z9hG4bKbb");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "SIP/2.0 200"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "BYE "));
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

/* B's answer with Record-Route lines rr (each ending in \n). */
static void
b_answer_rr(struct callv *cv, int status, const char *reason,
	    const char *sdp, const char *rr)
{
	feed(&peer_b, sdp,
	     "SIP/2.0 %d %s\n"
	     "Via: %s\n"
	     "From: %s\n"
	     "To: %s;tag=%s\n"
	     "Call-ID: %s\n"
	     "CSeq: %u INVITE\n"
	     "Contact: <sip:bob@10.0.1.20:5060>\n"
	     "%s%s",
	     status, reason, cv->b_via, cv->b_from, cv->b_to, cv->b_tag,
	     cv->b_cid, cv->b_cseq, rr,
	     sdp ? "Content-Type: application/sdp\n" : "");
}

/*
 * Route sets (RFC 3261 12.1.1, 12.1.2, 12.2.1.1), as record-routing
 * proxies on both sides need them: A's Record-Route values echoed in
 * order in the 18x and 2xx and sent as Route in dsbc's BYE to A; B's
 * reversed in the ACK and BYE to B; a strict first hop (no ;lr) as the
 * Request-URI with B's Contact as the last Route; a set over the bounds
 * refused; nothing of one side's routes on the other.
 */
static void
test_route_sets(void)
{
	static const char a_rr[] =
		"\r\nRecord-Route: <sip:p2.example.org;lr>, "
		"<sip:p1.example.org;lr;ftag=x>\r\n"
		"Record-Route: <sip:p0.example.org;lr>\r\n";
	static const char b_rr[] = "Record-Route: <sip:q2.example.net;lr>\n"
				   "Record-Route: <sip:q1.example.net;lr>\n";
	const struct sent *s;
	struct callv cv;
	char extra[2048];
	size_t n;
	int i;

	setup(16);
	a_invite(&cv, 1, "Contact: <sip:alice@10.0.0.10:5060>\n"
		 "Record-Route: <sip:p2.example.org;lr>, "
		 "<sip:p1.example.org;lr;ftag=x>\n"
		 "Record-Route: <sip:p0.example.org;lr>\n", offer_a);
	b_learn(&cv);
	CU_ASSERT(strstr(sent_to(&peer_b, "INVITE ")->msg, "example.org;lr") ==
		  NULL);
	b_answer_rr(&cv, 180, "Ringing", NULL, b_rr);
	s = sent_to(&peer_a, "SIP/2.0 180");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strstr(s->msg, a_rr) != NULL);
	CU_ASSERT(strstr(s->msg, "q1.example.net") == NULL);
	b_answer_rr(&cv, 200, "OK", answer_b, b_rr);
	s = sent_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strstr(s->msg, a_rr) != NULL);
	s = sent_to(&peer_b, "ACK ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strncmp(s->msg, "ACK sip:bob@10.0.1.20:5060 SIP/2.0\r\n",
			  36) == 0);
	CU_ASSERT(strstr(s->msg, "\r\nRoute: <sip:q1.example.net;lr>\r\n"
			 "Route: <sip:q2.example.net;lr>\r\n") != NULL);
	param(hval(sent_to(&peer_a, "SIP/2.0 200"), "To", extra,
		   sizeof(extra)), "tag", cv.a_to_tag, sizeof(cv.a_to_tag));
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1,
		  "z9hG4bKack");
	/* a request passed from A to B takes B's route set */
	a_request(&peer_a, "INFO", cv.a_cid, cv.a_tag, cv.a_to_tag, 2,
		  "z9hG4bKinfo");
	s = sent_to(&peer_b, "INFO ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strstr(s->msg, "\r\nRoute: <sip:q1.example.net;lr>\r\n"
			 "Route: <sip:q2.example.net;lr>\r\n") != NULL);
	b_request(&peer_b, "BYE", &cv, NULL, NULL, NULL, 1, "z9hG4bKbb");
	s = sent_to(&peer_a, "BYE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strncmp(s->msg, "BYE sip:alice@10.0.0.10:5060 SIP/2.0\r\n",
			  38) == 0);
	CU_ASSERT(strstr(s->msg, "\r\nRoute: <sip:p2.example.org;lr>, "
			 "<sip:p1.example.org;lr;ftag=x>\r\n") == NULL);
	CU_ASSERT(strstr(s->msg, "\r\nRoute: <sip:p2.example.org;lr>\r\n"
			 "Route: <sip:p1.example.org;lr;ftag=x>\r\n"
			 "Route: <sip:p0.example.org;lr>\r\n") != NULL);
	CU_ASSERT(strstr(sent_to(&peer_b, "SIP/2.0 200")->msg,
			 "Record-Route") == NULL);
	CU_ASSERT_EQUAL(active(), 0);

	/* a strict router in front of B (RFC 2543): it is the
	 * Request-URI, B's Contact the last Route */
	a_invite(&cv, 2, NULL, offer_a);
	b_learn(&cv);
	b_answer_rr(&cv, 200, "OK", answer_b,
		    "Record-Route: <sip:strict.example.net>\n"
		    "Record-Route: <sip:q1.example.net;lr>\n");
	s = sent_to(&peer_b, "ACK ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* reversed, q1 is the first hop and loose: the strict one is
	 * only a Route further on */
	CU_ASSERT(strncmp(s->msg, "ACK sip:bob@10.0.1.20:5060 SIP/2.0\r\n",
			  36) == 0);
	CU_ASSERT(strstr(s->msg, "\r\nRoute: <sip:q1.example.net;lr>\r\n"
			 "Route: <sip:strict.example.net>\r\n") != NULL);
	teardown();

	setup(16);
	a_invite(&cv, 3, NULL, offer_a);
	b_learn(&cv);
	b_answer_rr(&cv, 200, "OK", answer_b,
		    "Record-Route: <sip:q2.example.net;lr>\n"
		    "Record-Route: <sip:strict.example.net;method=INVITE;"
		    "x=1?Subject=hi>\n");
	s = sent_to(&peer_b, "ACK ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* without what a Request-URI may not carry (19.1.1) */
	CU_ASSERT(strncmp(s->msg, "ACK sip:strict.example.net;x=1 SIP/2.0\r\n",
			  40) == 0);
	CU_ASSERT(strstr(s->msg, "\r\nRoute: <sip:q2.example.net;lr>\r\n"
			 "Route: <sip:bob@10.0.1.20:5060>\r\n") != NULL);
	CU_ASSERT(strstr(s->msg, "Route: <sip:strict") == NULL);

	/* 17 values: over what a leg keeps, refused before any call */
	n = (size_t)snprintf(extra, sizeof(extra),
			     "Contact: <sip:alice@10.0.0.10:5060>\n");
	for (i = 0; i < 17; i++)
		n += (size_t)snprintf(extra + n, sizeof(extra) - n,
				      "Record-Route: <sip:p%d.example.org;lr>\n",
				      i);
	a_invite(&cv, 4, extra, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 400"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->route_set_refused, 1);
	CU_ASSERT_EQUAL(active(), 1);        /* call 3 only */
	teardown();
}

/* Whether peer_trust named an address with that remote port. */
static bool
trusted(const struct dsbc_sip_peer *p)
{
	unsigned int i;

	for (i = 0; i < fk.n_trusted; i++)
		if (dsbc_addr_eq(&fk.trusted[i].remote, &p->remote) &&
		    fk.trusted[i].remote_port == p->remote_port)
			return true;
	return false;
}

/*
 * Overload control's hooks: the peers that prove themselves part of a
 * call are reported trusted (B when dsbc sends it the INVITE, A when
 * its call is answered, whoever matches a dialog), a stranger's INVITE
 * is not; a refused request gets 503 with the Retry-After given and
 * leaves no call or transaction; an ACK or a response is dropped.
 */
static void
test_overload_hooks(void)
{
	static const char inv[] =
		"INVITE sip:bob@example.net SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.2.30:5060;branch=z9hG4bKov1\r\n"
		"Max-Forwards: 70\r\nFrom: <sip:x@x>;tag=1\r\n"
		"To: <sip:bob@example.net>\r\nCall-ID: ov1@x\r\n"
		"CSeq: 1 INVITE\r\nContact: <sip:x@10.0.2.30>\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char ack[] =
		"ACK sip:bob@example.net SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 10.0.2.30:5060;branch=z9hG4bKov2\r\n"
		"Max-Forwards: 70\r\nFrom: <sip:x@x>;tag=1\r\n"
		"To: <sip:bob@example.net>;tag=2\r\nCall-ID: ov1@x\r\n"
		"CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
	static const char ok[] = "SIP/2.0 200 OK\r\n\r\n";
	const struct sent *s;
	struct callv cv;
	char v[64], tag1[32], tag2[32];
	unsigned int n;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	CU_ASSERT_TRUE(trusted(&peer_b));
	CU_ASSERT_FALSE(trusted(&peer_a));
	b_learn(&cv);
	/* B's answers from elsewhere, with B's branch: no trust for the
	 * address they claim */
	feed(&peer_x, NULL, "SIP/2.0 180 Ringing\nVia: %s\nFrom: %s\n"
	     "To: %s;tag=%s\nCall-ID: %s\nCSeq: %u INVITE\n"
	     "Contact: <sip:bob@10.0.1.20:5060>\n", cv.b_via, cv.b_from,
	     cv.b_to, cv.b_tag, cv.b_cid, cv.b_cseq);
	CU_ASSERT_FALSE(trusted(&peer_x));
	b_answer(&cv, 200, "OK", answer_b);
	/* the 2xx alone proves nothing of A's address: its ACK does */
	CU_ASSERT_FALSE(trusted(&peer_a));
	param(hval(sent_to(&peer_a, "SIP/2.0 200"), "To", v, sizeof(v)),
	      "tag", cv.a_to_tag, sizeof(cv.a_to_tag));
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1,
		  "z9hG4bKack");
	CU_ASSERT_TRUE(trusted(&peer_a));
	n = fk.n_trusted;
	a_request(&peer_x, "BYE", cv.a_cid, cv.a_tag, "wrong", 2, "z9hG4bKx");
	CU_ASSERT_EQUAL(fk.n_trusted, n);   /* no dialog matched */

	n = fk.n_out;
	CU_ASSERT_EQUAL(dsbc_b2bua_sip_refuse(b, &peer_x, inv,
					      (uint32_t)strlen(inv), 7), 0);
	CU_ASSERT_EQUAL(fk.n_out, n + 1);
	s = sent_to(&peer_x, "SIP/2.0 503 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(hval(s, "Retry-After", v, sizeof(v)), "7");
	/* its retransmission gets the same To tag (RFC 3261 8.2.7) */
	param(hval(s, "To", v, sizeof(v)), "tag", tag1, sizeof(tag1));
	CU_ASSERT(strlen(tag1) > 8);
	CU_ASSERT_EQUAL(dsbc_b2bua_sip_refuse(b, &peer_x, inv,
					      (uint32_t)strlen(inv), 9), 0);
	param(hval(sent_to(&peer_x, "SIP/2.0 503 "), "To", v, sizeof(v)),
	      "tag", tag2, sizeof(tag2));
	CU_ASSERT_STRING_EQUAL(tag1, tag2);
	n++;
	CU_ASSERT_EQUAL(active(), 1);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->started, 1);
	CU_ASSERT_EQUAL(dsbc_b2bua_sip_refuse(b, &peer_x, ack,
					      (uint32_t)strlen(ack), 7), -1);
	CU_ASSERT_EQUAL(dsbc_b2bua_sip_refuse(b, &peer_x, ok,
					      (uint32_t)strlen(ok), 7), -1);
	CU_ASSERT_EQUAL(fk.n_out, n + 1);
	teardown();
}

/*
 * Shutdown: every call ends, in batches, as call_end does one: BYE to
 * both legs of an answered call, 503 to A and CANCEL to B for a ringing
 * one; nothing is left.
 */
static void
test_end_calls(void)
{
	struct callv cv1, cv2, cv3;
	unsigned int bye_a, bye_b;

	setup(16);
	call_up(&cv1, 1);
	call_up(&cv2, 2);
	a_invite(&cv3, 3, NULL, offer_a);
	b_learn(&cv3);
	b_answer(&cv3, 180, "Ringing", NULL);
	CU_ASSERT_EQUAL(active(), 3);
	bye_a = count_to(&peer_a, "BYE ");
	bye_b = count_to(&peer_b, "BYE ");
	CU_ASSERT_EQUAL(dsbc_b2bua_end_calls(b, 2, now_ms), 2);
	CU_ASSERT_EQUAL(dsbc_b2bua_end_calls(b, 2, now_ms), 1);
	CU_ASSERT_EQUAL(dsbc_b2bua_end_calls(b, 2, now_ms), 0);
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(count_to(&peer_a, "BYE "), bye_a + 2);
	CU_ASSERT_EQUAL(count_to(&peer_b, "BYE "), bye_b + 2);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 503"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "CANCEL "));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->shutdown_ended, 3);
	/* from then on, no new call */
	a_invite(&cv1, 4, NULL, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 503"));
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	CU_ASSERT_EQUAL(dsbc_b2bua_ports_free(b), ports0);
	teardown();
}

/*
 * RFC 3261 13.3.1.4: A never ACKs dsbc's 2xx.  It is retransmitted, T1
 * doubling up to T2, and after 64*T1 the call ends with a BYE to each
 * side; with sip_t1_ms = 100 all of it scales to 6.4 s.
 */
static void
test_no_ack_from_a(void)
{
	struct callv cv;
	unsigned int oks;

	setup(16);
	cfg.sip_t1_ms = 100;
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	oks = count_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_EQUAL(oks, 1);
	advance(6000);
	CU_ASSERT_EQUAL(active(), 1);
	CU_ASSERT(count_to(&peer_a, "SIP/2.0 200") >= 6);
	advance(500);
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(count_to(&peer_a, "BYE "), 1);
	CU_ASSERT_EQUAL(count_to(&peer_b, "BYE "), 1);
	cfg.sip_t1_ms = 0;
	teardown();
}

static void
test_busy_486(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 486, "Busy Here", NULL);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 486"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "ACK "));  /* 17.1.1.3 */
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	teardown();
}

static void
test_cancel(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	/* B's 180 names a Contact of its own */
	feed(&peer_b, NULL, "SIP/2.0 180 Ringing\nVia: %s\nFrom: %s\n"
	     "To: %s;tag=%s\nCall-ID: %s\nCSeq: %u INVITE\n"
	     "Contact: <sip:bob-phone@10.0.1.20:5999>\n", cv.b_via,
	     cv.b_from, cv.b_to, cv.b_tag, cv.b_cid, cv.b_cseq);
	a_cancel(&peer_a, &cv, "z9hG4bKa1inv");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 487"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sent_to(&peer_b, "CANCEL "));
	CU_ASSERT(strstr(sent_to(&peer_b, "CANCEL ")->msg, "bob-phone") ==
		  NULL);
	/* RFC 3261 9.1: the INVITE's Request-URI, not the Contact of B's
	 * 180 (sip:bob@10.0.1.20:5060) */
	{
		const char *inv = sent_to(&peer_b, "INVITE ")->msg;
		const char *can = sent_to(&peer_b, "CANCEL ")->msg;
		size_t n = strcspn(inv + 7, " ");

		CU_ASSERT(strncmp(can + 7, inv + 7, n) == 0 &&
			  can[7 + n] == ' ');
	}
	CU_ASSERT_EQUAL(active(), 1);
	b_answer(&cv, 487, "Request Terminated", NULL);
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

static void
test_cancel_races_200(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	a_cancel(&peer_a, &cv, "z9hG4bKa1inv");
	b_answer(&cv, 200, "OK", answer_b);
	/* B's 2xx is confirmed and the dialog ended (RFC 3261 9.1) */
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "ACK "));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "BYE "));
	/* A's only 200 is the CANCEL's; its INVITE got 487 */
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), 1);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 487"));
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

/* RFC 3261 13.2.1: A's offer is answered by the 2xx at the latest.  A
 * 2xx from B without one is ACKed and ended (13.2.2.4), A gets 502; an
 * answer in an 18x first makes a 2xx without SDP fine. */
static void
test_2xx_without_answer_502(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", NULL);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "ACK "));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "BYE "));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 502"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->bad_response, 1);
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	teardown();

	setup(16);
	a_invite(&cv, 2, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 183, "Session Progress", answer_b);
	b_answer(&cv, 200, "OK", NULL);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "BYE "));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->bad_response, 0);
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

/* A To tag longer than dsbc keeps would name a dialog dsbc cannot reach:
 * B's 180 with one is not passed on, its 2xx gets A a 502; the longest
 * tag that fits (95 characters) is kept whole. */
static void
test_b_tag_too_long(void)
{
	struct callv cv;
	char tag[97], v[256], got[128];

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	memset(tag, 'x', 96);
	tag[96] = '\0';
	b_answer_tag(&cv, 180, "Ringing", NULL, tag);
	CU_ASSERT_PTR_NULL(sent_to(&peer_a, "SIP/2.0 180"));
	CU_ASSERT_EQUAL(active(), 1);
	b_answer_tag(&cv, 200, "OK", answer_b, tag);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 502"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "BYE "));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->bad_response, 2);
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	teardown();

	setup(16);
	a_invite(&cv, 2, NULL, offer_a);
	b_learn(&cv);
	tag[95] = '\0';
	b_answer_tag(&cv, 200, "OK", answer_b, tag);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	param(hval(sent_to(&peer_b, "ACK "), "To", v, sizeof(v)), "tag", got,
	      sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, tag);
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

static void
test_b_timeout_408(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	advance(40000);            /* Timer B: 64 * T1 */
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 408"));
	CU_ASSERT(count_to(&peer_b, "INVITE ") >= 6);   /* Timer A doubling */
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

static void
test_lost_ack_retransmits_2xx(void)
{
	struct callv cv;
	const struct sent *ok;
	char v[256];

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	advance(1600);             /* 500, 1000 ms: two more */
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), 3);
	ok = sent_to(&peer_a, "SIP/2.0 200");
	param(hval(ok, "To", v, sizeof(v)), "tag", cv.a_to_tag,
	      sizeof(cv.a_to_tag));
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1, "z9hG4bKk");
	advance(10000);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), 3);
	CU_ASSERT_EQUAL(active(), 1);
	/* never ACKed: the call ends with BYE (13.3.1.4) */
	a_invite(&cv, 2, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	advance(40000);
	CU_ASSERT_EQUAL(active(), 1);
	CU_ASSERT(count_to(&peer_a, "BYE ") >= 1);
	teardown();
}

static void
test_missing_contact_400(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, "", offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 400"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "INVITE "));
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

static void
test_full_table_503(void)
{
	struct callv c1, c2, c3;

	setup(2);
	call_up(&c1, 1);
	call_up(&c2, 2);
	a_invite(&c3, 3, NULL, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 503"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->table_full, 1);
	CU_ASSERT_EQUAL(active(), 2);
	teardown();
}

/* ---- spoofing (RFC 3261 12.2.2, 19.3) ---- */

/*
 * A BYE variant against a confirmed call: what it must be answered, the
 * counter that must move, and the call must survive it (a proper BYE
 * ends it afterwards).
 */
struct spoof {
	const char *name;
	int status;                   /* 0: no answer at all */
	size_t counter;               /* offsetof(struct dsbc_b2bua_stats) */
};

#define CNT(f) offsetof(struct dsbc_b2bua_stats, f)

static uint64_t
counter(size_t off)
{
	return *(const uint64_t *)((const char *)dsbc_b2bua_stats(b) + off);
}

static void
spoof_check(const struct spoof *sp, struct callv *cv, unsigned int before_b,
	    uint64_t cnt_before)
{
	char st[16];
	const struct sent *last = fk.n_out ? &fk.out[fk.n_out - 1] : NULL;

	snprintf(st, sizeof(st), "SIP/2.0 %d", sp->status);
	if (sp->status != 0) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(last);
		if (strncmp(last->msg, st, strlen(st)) != 0)
			fprintf(stderr, "\n%s: got %.20s\n", sp->name, last->msg);
		CU_ASSERT(strncmp(last->msg, st, strlen(st)) == 0);
	}
	if (counter(sp->counter) != cnt_before + 1)
		fprintf(stderr, "\n%s: counter not moved\n", sp->name);
	CU_ASSERT_EQUAL(counter(sp->counter), cnt_before + 1);
	/* nothing reached B, the call is still up */
	CU_ASSERT_EQUAL(count_to(&peer_b, "BYE "), before_b);
	CU_ASSERT_EQUAL(active(), 1);
	(void)cv;
}

static void
test_spoofed_bye(void)
{
	struct callv cv;
	struct dsbc_sip_peer a_other_port = peer_a;
	char ours_b[64];
	int v;
	static const struct spoof sp[] = {
		{ "wrong From tag", 481, CNT(dialog_no_match) },
		{ "wrong To tag", 481, CNT(dialog_no_match) },
		{ "no To tag", 481, CNT(dialog_no_match) },
		{ "no From tag", 481, CNT(dialog_no_match) },
		{ "tags swapped", 481, CNT(dialog_no_match) },
		{ "unknown Call-ID", 481, CNT(dialog_no_match) },
		{ "lower CSeq", 500, CNT(dialog_cseq_low) },
		{ "from another address", 403, CNT(dialog_source) },
		{ "from another dsbc port", 403, CNT(dialog_source) },
		{ "A's Call-ID with B's tags, from B", 481, CNT(dialog_no_match) },
		{ "B's Call-ID with A's tags, from A", 481, CNT(dialog_no_match) },
		{ "A's dialog sent from B", 403, CNT(dialog_source) },
		{ "B's dialog sent from A", 403, CNT(dialog_source) },
		{ "B's dialog, wrong From tag", 481, CNT(dialog_no_match) },
		{ "B's dialog, lower CSeq", 500, CNT(dialog_cseq_low) },
		{ "B's dialog from another address", 403, CNT(dialog_source) },
		{ "re-INVITE with a wrong tag", 481, CNT(dialog_no_match) },
	};

	setup(16);
	call_up(&cv, 1);
	a_other_port.in = 1;
	param(cv.b_from, "tag", ours_b, sizeof(ours_b));
	/* B's dialog moves to CSeq 5 first, A's to 5 */
	b_request(&peer_b, "INFO", &cv, NULL, NULL, NULL, 5, "z9hG4bKi5");
	a_request(&peer_a, "INFO", cv.a_cid, cv.a_tag, cv.a_to_tag, 5,
		  "z9hG4bKai5");
	for (v = 0; v < (int)(sizeof(sp) / sizeof(sp[0])); v++) {
		unsigned int before_b = count_to(&peer_b, "BYE ");
		uint64_t c0 = counter(sp[v].counter);
		char br[32];

		snprintf(br, sizeof(br), "z9hG4bKsp%d", v);
		switch (v) {
		case 0:
			a_request(&peer_a, "BYE", cv.a_cid, "x", cv.a_to_tag, 9, br);
			break;
		case 1:
			a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, "x", 9, br);
			break;
		case 2:
			a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, NULL, 9, br);
			break;
		case 3:
			a_request(&peer_a, "BYE", cv.a_cid, NULL, cv.a_to_tag, 9, br);
			break;
		case 4:
			a_request(&peer_a, "BYE", cv.a_cid, cv.a_to_tag, cv.a_tag,
				  9, br);
			break;
		case 5:
			a_request(&peer_a, "BYE", "nope@x", cv.a_tag, cv.a_to_tag,
				  9, br);
			break;
		case 6:
			a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag,
				  2, br);
			break;
		case 7:
			a_request(&peer_x, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag,
				  9, br);
			break;
		case 8:
			a_request(&a_other_port, "BYE", cv.a_cid, cv.a_tag,
				  cv.a_to_tag, 9, br);
			break;
		case 9:
			b_request(&peer_b, "BYE", &cv, cv.a_cid, NULL, NULL, 9, br);
			break;
		case 10:
			a_request(&peer_a, "BYE", cv.b_cid, cv.a_tag, cv.a_to_tag,
				  9, br);
			break;
		case 11:
			a_request(&peer_b, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag,
				  9, br);
			break;
		case 12:
			b_request(&peer_a, "BYE", &cv, NULL, NULL, NULL, 9, br);
			break;
		case 13:
			b_request(&peer_b, "BYE", &cv, NULL, "x", NULL, 9, br);
			break;
		case 14:
			b_request(&peer_b, "BYE", &cv, NULL, NULL, NULL, 3, br);
			break;
		case 15:
			b_request(&peer_x, "BYE", &cv, NULL, NULL, NULL, 9, br);
			break;
		case 16:
			a_request(&peer_a, "INVITE", cv.a_cid, cv.a_tag, "x", 9,
				  br);
			break;
		}
		spoof_check(&sp[v], &cv, before_b, c0);
	}
	/* the call survived all of them: the real BYE ends it */
	a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag, 10,
		  "z9hG4bKreal");
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "BYE "));
	teardown();
}

static void
test_spoofed_cancel_and_ack(void)
{
	struct callv cv;
	char v[256];
	uint64_t c0;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	/* another branch: no such INVITE transaction */
	c0 = dsbc_b2bua_stats(b)->cancel_no_match;
	a_cancel(&peer_a, &cv, "z9hG4bKother");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 481"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->cancel_no_match, c0 + 1);
	/* the right branch from another source */
	c0 = dsbc_b2bua_stats(b)->dialog_source;
	a_cancel(&peer_x, &cv, "z9hG4bKa1inv");
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->dialog_source, c0 + 1);
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "CANCEL "));
	CU_ASSERT_PTR_NULL(sent_to(&peer_a, "SIP/2.0 487"));
	/* a spoofed ACK does not stop the 2xx retransmissions */
	b_answer(&cv, 200, "OK", answer_b);
	param(hval(sent_to(&peer_a, "SIP/2.0 200"), "To", v, sizeof(v)),
	      "tag", cv.a_to_tag, sizeof(cv.a_to_tag));
	c0 = dsbc_b2bua_stats(b)->ack_no_match;
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, "x", 1, "z9hG4bKk");
	a_request(&peer_x, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1,
		  "z9hG4bKk");
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->ack_no_match, c0 + 2);
	advance(600);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), 2);
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1,
		  "z9hG4bKk");
	/* a CANCEL of a re-INVITE in progress cancels that re-INVITE, not
	 * the call */
	feed(&peer_a, offer_a,
	     "INVITE sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKreinv;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>;tag=%s\n"
	     "Call-ID: %s\n"
	     "CSeq: 2 INVITE\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n", cv.a_tag, cv.a_to_tag,
	     cv.a_cid);
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 2);
	c0 = dsbc_b2bua_stats(b)->cancel_no_match;
	feed(&peer_a, NULL,
	     "CANCEL sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKreinv;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>;tag=%s\n"
	     "Call-ID: %s\n"
	     "CSeq: 2 CANCEL\n", cv.a_tag, cv.a_to_tag, cv.a_cid);
	/* RFC 3261 9.2: the CANCEL gets 200, B's re-INVITE is cancelled
	 * and its 487 comes back to A; the call stays */
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->cancel_no_match, c0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sent_to(&peer_b, "CANCEL "));
	if (sent_to(&peer_b, "CANCEL ") == NULL)
		return;
	CU_ASSERT(strstr(sent_to(&peer_b, "CANCEL ")->msg, "CSeq: 2 CANCEL") !=
		  NULL);
	CU_ASSERT_PTR_NULL(sent_to(&peer_a, "SIP/2.0 487"));
	b_answer_last("INVITE", 487, "Request Terminated", NULL);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 487"));
	CU_ASSERT_EQUAL(active(), 1);
	/* CANCEL of the answered INVITE: 481 (9.2), the call stays */
	a_cancel(&peer_a, &cv, "z9hG4bKa1inv");
	CU_ASSERT_EQUAL(active(), 1);
	CU_ASSERT_EQUAL(count_to(&peer_b, "CANCEL "), 1);
	teardown();
}

/* A worker event naming a call that has since ended, its slot taken by
 * another call, touches nothing (generation numbers). */
static void
test_stale_event_generation(void)
{
	struct callv c1, c2;
	dsbc_b2bua_cookie_t old;
	uint32_t flow;

	setup(1);
	call_up(&c1, 1);
	flow = fk.n_flows;
	old = fk.flow[flow].cookie;
	a_request(&peer_a, "BYE", c1.a_cid, c1.a_tag, c1.a_to_tag, 2, "z9hG4bKb");
	CU_ASSERT_EQUAL(active(), 0);
	call_up(&c2, 2);
	CU_ASSERT_EQUAL(active(), 1);
	CU_ASSERT_EQUAL((uint32_t)fk.flow[fk.n_flows].cookie, (uint32_t)old);
	CU_ASSERT_NOT_EQUAL(fk.flow[fk.n_flows].cookie, old);
	dsbc_b2bua_flow_idle(b, flow, old, now_ms);
	dsbc_b2bua_flow_failed(b, flow, old, -ENOSPC, now_ms);
	CU_ASSERT_EQUAL(active(), 1);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->stale_events, 2);
	/* the live cookie does end it */
	dsbc_b2bua_flow_idle(b, fk.n_flows, fk.flow[fk.n_flows].cookie, now_ms);
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

/* A flow the worker refused ends the call cleanly: no slot stays. */
static void
test_flow_failure_ends_call(void)
{
	struct callv cv;

	setup(16);
	call_up(&cv, 1);
	dsbc_b2bua_flow_failed(b, fk.n_flows, fk.flow[fk.n_flows].cookie,
			       -ENOSPC, now_ms);
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "BYE "));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "BYE "));
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	/* a latch whose re-pointing cannot be programmed ends the call */
	call_up(&cv, 3);
	{
		struct dsbc_b2bua_latch l;
		uint8_t fam;

		memset(&l, 0, sizeof(l));
		l.flow_id = fk.n_flows;
		l.cookie = fk.flow[fk.n_flows].cookie;
		l.family = 4;
		l.port = 9000;
		dsbc_addr_parse("10.0.1.77", &l.src, &fam);
		fk.fail_mod = -ENOBUFS;
		dsbc_b2bua_flow_latched(b, &l, now_ms);
		fk.fail_mod = 0;
	}
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->latch_errors, 1);
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	/* refused at once (no slot): 503 before anything reaches B */
	fk.fail_add = -ENOSPC;
	a_invite(&cv, 2, NULL, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 503"));
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(dsbc_b2bua_ports_free(b), ports0);
	teardown();
}


/* ---- re-offers (RFC 3264 section 8) ---- */

static const char reoffer_a[] =
	"v=0\r\no=alice 1 2 IN IP4 10.0.0.99\r\ns=-\r\n"
	"c=IN IP4 10.0.0.99\r\nt=0 0\r\n"
	"m=audio 7100 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

static void
a_reinvite(struct callv *cv, uint32_t cseq, const char *branch,
	   const char *method, const char *sdp)
{
	feed(&peer_a, sdp,
	     "%s sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=%s;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>;tag=%s\n"
	     "Call-ID: %s\n"
	     "CSeq: %u %s\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n",
	     method, branch, cv->a_tag, cv->a_to_tag, cv->a_cid, cseq, method);
}

/* B answers the last request dsbc forwarded to it. */
static void
b_answer_last(const char *method, int status, const char *reason,
	      const char *sdp)
{
	char start[32], via[256], from[256], to[256], cid[160], cseq[64];
	const struct sent *r;

	snprintf(start, sizeof(start), "%s ", method);
	r = sent_to(&peer_b, start);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	feed(&peer_b, sdp,
	     "SIP/2.0 %d %s\n"
	     "Via: %s\nFrom: %s\nTo: %s\nCall-ID: %s\nCSeq: %s\n"
	     "Contact: <sip:bob@10.0.1.20:5060>\n%s",
	     status, reason, hval(r, "Via", via, sizeof(via)),
	     hval(r, "From", from, sizeof(from)), hval(r, "To", to, sizeof(to)),
	     hval(r, "Call-ID", cid, sizeof(cid)),
	     hval(r, "CSeq", cseq, sizeof(cseq)),
	     sdp ? "Content-Type: application/sdp\n" : "");
}

/* The flow keyed on B's side that sends to A's media. */
static const struct fflow *
flow_to_a(void)
{
	uint32_t i;

	for (i = 1; i <= fk.n_flows; i++)
		if (fk.flow[i].live && fk.flow[i].fc.in_port == 1 &&
		    fk.flow[i].fc.local_port % 2 == 0)
			return &fk.flow[i];
	return NULL;
}

static void
test_reinvite_refused_rolls_back(void)
{
	struct callv cv;
	struct dsbc_flow_cfg before;
	unsigned int mods, adds, dels, ice;
	char ip[64];

	setup(16);
	call_up(&cv, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(flow_to_a());
	before = flow_to_a()->fc;
	mods = fk.mods, adds = fk.adds, dels = fk.dels, ice = fk.ice_sets;
	a_reinvite(&cv, 2, "z9hG4bKre1", "INVITE", reoffer_a);
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 2);
	CU_ASSERT(strstr(sent_to(&peer_b, "INVITE ")->msg, "10.0.0.99") == NULL);
	b_answer_last("INVITE", 488, "Not Acceptable Here", NULL);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 488"));
	/* nothing of the session changed */
	CU_ASSERT_EQUAL(fk.mods, mods);
	CU_ASSERT_EQUAL(fk.adds, adds);
	CU_ASSERT_EQUAL(fk.dels, dels);
	CU_ASSERT_EQUAL(fk.ice_sets, ice);
	CU_ASSERT(memcmp(&flow_to_a()->fc, &before, sizeof(before)) == 0);
	/* the same offer accepted moves the flows to A's new address */
	a_reinvite(&cv, 3, "z9hG4bKre2", "INVITE", reoffer_a);
	b_answer_last("INVITE", 200, "OK", answer_b);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	CU_ASSERT(fk.mods > mods);
	dsbc_addr_fmt(&flow_to_a()->fc.remote, 4, ip, sizeof(ip));
	CU_ASSERT_STRING_EQUAL(ip, "10.0.0.99");
	CU_ASSERT_EQUAL(flow_to_a()->fc.remote_port, 7100);
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

static void
test_update_and_glare(void)
{
	struct callv cv;
	char ip[64];

	setup(16);
	call_up(&cv, 1);
	a_reinvite(&cv, 2, "z9hG4bKu1", "UPDATE", reoffer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "UPDATE "));
	/* glare (RFC 3261 14.2): B's re-INVITE meets A's pending UPDATE */
	b_request(&peer_b, "INVITE", &cv, NULL, NULL, NULL, 2, "z9hG4bKg");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "SIP/2.0 491"));
	b_answer_last("UPDATE", 200, "OK", answer_b);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	dsbc_addr_fmt(&flow_to_a()->fc.remote, 4, ip, sizeof(ip));
	CU_ASSERT_STRING_EQUAL(ip, "10.0.0.99");
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

static const char offer_ice[] =
	"v=0\r\no=alice 1 1 IN IP4 10.0.0.10\r\ns=-\r\n"
	"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	"a=ice-ufrag:AAAA\r\na=ice-pwd:aaaaaaaaaaaaaaaaaaaaaaaa\r\n"
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=candidate:1 1 UDP 2130706431 10.0.0.10 7000 typ host\r\n";
static const char offer_ice_restart[] =
	"v=0\r\no=alice 1 2 IN IP4 10.0.0.10\r\ns=-\r\n"
	"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	"a=ice-ufrag:BBBB\r\na=ice-pwd:bbbbbbbbbbbbbbbbbbbbbbbb\r\n"
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=candidate:1 1 UDP 2130706431 10.0.0.10 7000 typ host\r\n";
static const char offer_ice_same[] =
	"v=0\r\no=alice 1 3 IN IP4 10.0.0.10\r\ns=-\r\n"
	"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	"a=ice-ufrag:BBBB\r\na=ice-pwd:bbbbbbbbbbbbbbbbbbbbbbbb\r\n"
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=candidate:1 1 UDP 2130706431 10.0.0.10 7000 typ host\r\n";

static const char offer_ice_mline_restart[] =
	"v=0\r\no=alice 1 4 IN IP4 10.0.0.10\r\ns=-\r\n"
	"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	"a=ice-ufrag:BBBB\r\na=ice-pwd:bbbbbbbbbbbbbbbbbbbbbbbb\r\n"
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=ice-ufrag:CCCC\r\na=ice-pwd:cccccccccccccccccccccccc\r\n"
	"a=candidate:1 1 UDP 2130706431 10.0.0.10 7000 typ host\r\n";

/* dsbc's a=ice-ufrag in the last 200 to A. */
static void
ufrag_to_a(char *out, size_t cap)
{
	const struct sent *ok = sent_to(&peer_a, "SIP/2.0 200");
	const char *p = ok ? strstr(ok->msg, "a=ice-ufrag:") : NULL;

	out[0] = '\0';
	if (p != NULL)
		snprintf(out, cap, "%.*s", (int)strcspn(p + 12, "\r\n"), p + 12);
}

/* RFC 8839 4.4.1.1.1: a re-offer with new ICE credentials (a restart)
 * is answered with new dsbc credentials; without, dsbc keeps its own. */
static void
test_ice_restart(void)
{
	struct callv cv;
	const struct sent *ok;
	char u1[32], u2[32], u3[32], v[256];
	unsigned int mods;

	setup(16);
	a_invite(&cv, 1, NULL, offer_ice);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	ok = sent_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
	param(hval(ok, "To", v, sizeof(v)), "tag", cv.a_to_tag,
	      sizeof(cv.a_to_tag));
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1, "z9hG4bKk");
	ufrag_to_a(u1, sizeof(u1));
	CU_ASSERT(strlen(u1) >= 4);
	a_reinvite(&cv, 2, "z9hG4bKr1", "INVITE", offer_ice_restart);
	b_answer_last("INVITE", 200, "OK", answer_b);
	ufrag_to_a(u2, sizeof(u2));
	CU_ASSERT(strlen(u2) >= 4);
	CU_ASSERT(strcmp(u1, u2) != 0);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->ice_restarts, 1);
	/* a restart: A's flows latch again, on its new checks */
	CU_ASSERT(fk.unlatches >= 1);
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 2, "z9hG4bKk2");
	fk.unlatches = 0;
	mods = fk.mods;
	a_reinvite(&cv, 3, "z9hG4bKr2", "INVITE", offer_ice_same);
	b_answer_last("INVITE", 200, "OK", answer_b);
	ufrag_to_a(u3, sizeof(u3));
	CU_ASSERT_STRING_EQUAL(u2, u3);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->ice_restarts, 1);
	/* none: the flows are re-pointed but keep their latches, since A
	 * keeps its selected pair and checks no more (RFC 8445 9) */
	CU_ASSERT(fk.mods > mods);
	CU_ASSERT_EQUAL(fk.unlatches, 0);
	/* a restart of the m-line alone (its own ufrag, RFC 8839): the
	 * leg's agent restarts, and A's flows latch again */
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 3, "z9hG4bKk3");
	a_reinvite(&cv, 4, "z9hG4bKr3", "INVITE", offer_ice_mline_restart);
	b_answer_last("INVITE", 200, "OK", answer_b);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->ice_restarts, 2);
	CU_ASSERT(fk.unlatches >= 1);
	ufrag_to_a(u1, sizeof(u1));
	CU_ASSERT(strcmp(u1, u3) != 0);
	teardown();
}

static const char answer_b_early[] =
	"v=0\r\no=bob 1 1 IN IP4 10.0.1.20\r\ns=-\r\n"
	"c=IN IP4 10.0.1.20\r\nt=0 0\r\n"
	"m=audio 8000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/* 183 with an answer, reliable (RFC 3262): A's PRACK reaches B with its
 * RAck renumbered to B's INVITE; the 200 then completes the call. */
static void
test_early_media_prack(void)
{
	struct callv cv;
	const struct sent *p183, *prack;
	char v[256], rack[64];

	setup(16);
	a_invite(&cv, 1, "Contact: <sip:alice@10.0.0.10:5060>\n"
		 "Supported: 100rel\n", offer_a);
	b_learn(&cv);
	CU_ASSERT(strstr(sent_to(&peer_b, "INVITE ")->msg, "100rel") != NULL);
	feed(&peer_b, answer_b_early,
	     "SIP/2.0 183 Session Progress\n"
	     "Via: %s\nFrom: %s\nTo: %s;tag=%s\nCall-ID: %s\n"
	     "CSeq: %u INVITE\nContact: <sip:bob@10.0.1.20:5060>\n"
	     "Require: 100rel\nRSeq: 7\nContent-Type: application/sdp\n",
	     cv.b_via, cv.b_from, cv.b_to, cv.b_tag, cv.b_cid, cv.b_cseq);
	p183 = sent_to(&peer_a, "SIP/2.0 183");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p183);
	if (p183 == NULL)
		return;
	CU_ASSERT(strstr(p183->msg, "RSeq: 7") != NULL);
	CU_ASSERT(strstr(p183->msg, "c=IN IP4 10.0.0.1") != NULL);
	param(hval(p183, "To", v, sizeof(v)), "tag", cv.a_to_tag,
	      sizeof(cv.a_to_tag));
	feed(&peer_a, NULL,
	     "PRACK sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKpr;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>;tag=%s\n"
	     "Call-ID: %s\nCSeq: 2 PRACK\nRAck: 7 1 INVITE\n",
	     cv.a_tag, cv.a_to_tag, cv.a_cid);
	prack = sent_to(&peer_b, "PRACK ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(prack);
	hval(prack, "RAck", rack, sizeof(rack));
	snprintf(v, sizeof(v), "7 %u INVITE", cv.b_cseq);
	CU_ASSERT_STRING_EQUAL(rack, v);
	b_answer_last("PRACK", 200, "OK", NULL);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), 1);   /* PRACK's */
	b_answer(&cv, 200, "OK", answer_b);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), 2);
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1, "z9hG4bKk");
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}


/* ---- conformance ---- */

/* Late offer (RFC 3261 13.2.1): the offer in B's 2xx goes to A, A's
 * answer in its ACK goes to B in dsbc's ACK; flows at each step. */
static void
test_late_offer(void)
{
	struct callv cv;
	const struct sent *ok, *ack;
	char v[256];
	unsigned int adds;

	setup(16);
	a_invite(&cv, 1, NULL, NULL);
	b_learn(&cv);
	CU_ASSERT(strstr(sent_to(&peer_b, "INVITE ")->msg,
			 "Content-Length: 0\r\n\r\n") != NULL);
	CU_ASSERT(strstr(sent_to(&peer_b, "INVITE ")->msg, "v=0") == NULL);
	CU_ASSERT_EQUAL(fk.adds, 0);
	b_answer(&cv, 200, "OK", answer_b);      /* B's offer */
	ok = sent_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
	if (ok == NULL)
		return;
	CU_ASSERT(strstr(ok->msg, "c=IN IP4 10.0.0.1\r\n") != NULL);
	CU_ASSERT(strstr(ok->msg, "10.0.1.20") == NULL);
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "ACK "));  /* waits for A */
	adds = fk.adds;
	CU_ASSERT(adds >= 1);                          /* towards B */
	param(hval(ok, "To", v, sizeof(v)), "tag", cv.a_to_tag,
	      sizeof(cv.a_to_tag));
	feed(&peer_a, offer_a,
	     "ACK sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKlack;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>;tag=%s\n"
	     "Call-ID: %s\nCSeq: 1 ACK\n"
	     "Content-Type: application/sdp\n", cv.a_tag, cv.a_to_tag,
	     cv.a_cid);
	ack = sent_to(&peer_b, "ACK ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ack);
	if (ack == NULL)
		return;
	CU_ASSERT(strstr(ack->msg, "c=IN IP4 10.0.1.1\r\n") != NULL);
	CU_ASSERT(strstr(ack->msg, "10.0.0.10") == NULL);
	CU_ASSERT(fk.adds > adds);                     /* towards A */
	CU_ASSERT_PTR_NOT_NULL(flow_to_a());
	/* B's retransmitted 2xx gets the same ACK, answer included */
	b_answer(&cv, 200, "OK", answer_b);
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), 2);
	CU_ASSERT(strstr(sent_to(&peer_b, "ACK ")->msg, "c=IN IP4 10.0.1.1") !=
		  NULL);
	advance(2000);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), 1);
	a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag, 2, "z9hG4bKb");
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(fk.dels, fk.adds);
	/* an ACK without the answer: B's 2xx ACKed, both legs ended */
	a_invite(&cv, 2, NULL, NULL);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	ok = sent_to(&peer_a, "SIP/2.0 200");
	param(hval(ok, "To", v, sizeof(v)), "tag", cv.a_to_tag,
	      sizeof(cv.a_to_tag));
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1, "z9hG4bKk");
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), 3);
	CU_ASSERT(count_to(&peer_b, "BYE ") >= 2);
	/* A's BYE before its ACK: B's 2xx is ACKed first, then ended (a
	 * BYE in a dialog whose 2xx B still retransmits) */
	a_invite(&cv, 3, NULL, NULL);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	ok = sent_to(&peer_a, "SIP/2.0 200");
	param(hval(ok, "To", v, sizeof(v)), "tag", cv.a_to_tag,
	      sizeof(cv.a_to_tag));
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), 3);
	a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag, 2, "z9hG4bKbb");
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), 4);
	CU_ASSERT(strstr(sent_to(&peer_b, "BYE ")->msg, cv.b_cid) != NULL);
	CU_ASSERT(sent_to(&peer_b, "ACK ") < sent_to(&peer_b, "BYE "));
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

/* A request without an RFC 3261 branch is answered, never dropped. */
/* A request from B between its 2xx and A's ACK is in the dialog
 * already (RFC 3261 12.1): passed to A, not 481. */
static void
test_request_before_ack(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	b_request(&peer_b, "INFO", &cv, NULL, NULL, NULL, 1, "z9hG4bKib");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "INFO "));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "SIP/2.0 481"));
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

static void
test_bad_branch_400(void)
{
	struct callv cv;

	setup(16);
	call_up(&cv, 1);
	a_request(&peer_a, "INVITE", cv.a_cid, cv.a_tag, cv.a_to_tag, 2,
		  "bad-branch");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 400"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->bad_branch, 1);
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 1);
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

/* Terminator mode and an offer dsbc cannot key (only an SDES suite it
 * does not do): refused with 488 before anything reaches B. */
static void
test_unusable_crypto_488(void)
{
	static const char offer_sdes256[] =
		"v=0\r\no=alice 1 1 IN IP4 10.0.0.10\r\ns=-\r\n"
		"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
		"m=audio 7000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:"
		"d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n";
	struct callv cv;

	setup(16);
	cfg.routes[0].mode = DSBC_MODE_TERMINATE + 1;
	a_invite(&cv, 1, NULL, offer_sdes256);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 488"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "INVITE "));
	CU_ASSERT_EQUAL(active(), 0);
	CU_ASSERT_EQUAL(fk.adds, fk.dels);
	/* and a late offer on a terminating route: 488 too */
	a_invite(&cv, 2, NULL, NULL);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 488"), 2);
	teardown();
}


/* RFC 3891: a Replaces naming one leg of a call goes to the far side
 * naming that call's other leg; one naming nothing gets 481. */
static void
test_replaces_mapped(void)
{
	struct callv cv, nv;
	const struct sent *inv;
	char rep[512], want[512], ours_b[64];
	char extra[768];

	setup(16);
	call_up(&cv, 1);
	param(cv.b_from, "tag", ours_b, sizeof(ours_b));
	/* a new caller replaces A's dialog (to-tag: dsbc's on that leg) */
	snprintf(extra, sizeof(extra),
		 "Contact: <sip:carol@10.0.0.10:5060>\n"
		 "Replaces: %s;to-tag=%s;from-tag=%s\n",
		 cv.a_cid, cv.a_to_tag, cv.a_tag);
	a_invite(&nv, 2, extra, offer_a);
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	if (inv == NULL)
		return;
	hval(inv, "Replaces", rep, sizeof(rep));
	snprintf(want, sizeof(want), "%s;to-tag=%s;from-tag=%s", cv.b_cid,
		 cv.b_tag, ours_b);
	CU_ASSERT_STRING_EQUAL(rep, want);
	CU_ASSERT(strstr(inv->msg, cv.a_cid) == NULL);
	CU_ASSERT(strstr(inv->msg, cv.a_to_tag) == NULL);
	/* it went to where B's dialog is: B's Contact */
	CU_ASSERT(strncmp(inv->msg, "INVITE sip:bob@10.0.1.20:5060 ", 30) == 0);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->replaces_mapped, 1);
	/* wrong tags: 481, nothing sent on */
	snprintf(extra, sizeof(extra),
		 "Contact: <sip:carol@10.0.0.10:5060>\n"
		 "Replaces: %s;to-tag=nope;from-tag=%s\n", cv.a_cid, cv.a_tag);
	a_invite(&nv, 3, extra, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 481"));
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 2);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->replaces_no_match, 1);
	/* early-only naming a confirmed dialog: 486 (RFC 3891 section 3) */
	snprintf(extra, sizeof(extra),
		 "Contact: <sip:carol@10.0.0.10:5060>\n"
		 "Replaces: %s;to-tag=%s;from-tag=%s;early-only\n",
		 cv.a_cid, cv.a_to_tag, cv.a_tag);
	a_invite(&nv, 4, extra, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 486"));
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 2);
	teardown();
}


/* Media from a prefix (media4): the legs' SDP and flows use its
 * addresses, an address is filled before the next is taken, and the
 * port range is no longer the limit on calls. */
static void
test_media_prefix(void)
{
	struct dsbc_b2bua_cfg bc;
	struct callv cv;
	char err[256], ip[64], c_line[64];
	const struct sent *inv;
	uint8_t fam;
	int n;

	setup(64);
	dsbc_b2bua_free(b);
	/* B's side: 10.0.1.128/30 (addresses .129 and .130), 4 ports each */
	cfg.ports[1].media4.set = true;
	cfg.ports[1].media4.prefix = 30;
	dsbc_addr_parse("10.0.1.128", &cfg.ports[1].media4.addr, &fam);
	memset(&bc, 0, sizeof(bc));
	bc.cfg = &cfg;
	bc.nb_workers = 1;
	bc.slice[0].first = 20000;
	bc.slice[0].last = 20003;
	bc.max_calls = 64;
	bc.max_txns = 4096;
	b = dsbc_b2bua_create(&bc, &ops, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	/* A's side: 2 pairs on 10.0.0.1; B's: 2 pairs on each of 2 */
	CU_ASSERT_EQUAL(dsbc_b2bua_ports_free(b), 2 + 4);
	for (n = 1; n <= 2; n++) {
		a_invite(&cv, n, NULL, offer_a);
		inv = sent_to(&peer_b, "INVITE ");
		CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
		if (inv == NULL)
			return;
		snprintf(c_line, sizeof(c_line), "c=IN IP4 10.0.1.129\r\n");
		CU_ASSERT(strstr(inv->msg, c_line) != NULL);
		/* its Via and Contact stay on the port's own address */
		CU_ASSERT(strstr(inv->msg, "Via: SIP/2.0/UDP 10.0.1.1:5060") !=
			  NULL);
		dsbc_addr_fmt(&fk.flow[fk.n_flows].fc.local, 4, ip, sizeof(ip));
		CU_ASSERT_STRING_EQUAL(ip, "10.0.1.129");
	}
	CU_ASSERT_EQUAL(dsbc_b2bua_ports_free(b), 2);
	/* A's side is full: the third call gets 503, nothing leaks */
	a_invite(&cv, 3, NULL, offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 503"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->no_ports, 1);
	CU_ASSERT_EQUAL(dsbc_b2bua_ports_free(b), 2);
	CU_ASSERT_EQUAL(active(), 2);
	teardown();
}


/* ---- found by review: early BYE, ringing, shadowing, stray SDP ---- */

/* A BYE in an early dialog (RFC 3261 15.1.2): A's INVITE gets 487, B's
 * is cancelled, and every transaction ends (none left in Proceeding
 * for ever: a caller repeating this would fill the table). */
static void
test_early_bye_no_leak(void)
{
	struct callv cv;
	char v[256];

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 180, "Ringing", NULL);
	param(hval(sent_to(&peer_a, "SIP/2.0 180"), "To", v, sizeof(v)), "tag",
	      cv.a_to_tag, sizeof(cv.a_to_tag));
	a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag, 2, "z9hG4bKeb");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 487"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "CANCEL "));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "BYE "));
	CU_ASSERT_EQUAL(active(), 0);
	advance(120000);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->txns, 0);
	teardown();
}

/* Timer B stops at a provisional (17.1.1.2): a callee may ring 40 s and
 * still answer; past dsbc's ring limit the call is cancelled, 408. */
static void
test_long_ringing(void)
{
	struct callv cv;

	setup(16);
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 180, "Ringing", NULL);
	advance(40000);
	CU_ASSERT_PTR_NULL(sent_to(&peer_a, "SIP/2.0 408"));
	b_answer(&cv, 200, "OK", answer_b);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "ACK "));
	CU_ASSERT_EQUAL(active(), 1);
	a_invite(&cv, 2, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 180, "Ringing", NULL);
	advance(200000);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 408"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "CANCEL "));
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

/* A second INVITE with a live call's Call-ID (from elsewhere, another
 * tag) makes no call: 482, and the real caller can still hang up. */
static void
test_callid_shadowing_482(void)
{
	struct callv cv;

	setup(16);
	call_up(&cv, 1);
	feed(&peer_x, offer_a,
	     "INVITE sip:bob@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.66:5060;branch=z9hG4bKevil;rport\n"
	     "Max-Forwards: 70\nFrom: <sip:mallory@example.org>;tag=evil\n"
	     "To: <sip:bob@example.net>\nCall-ID: %s\nCSeq: 1 INVITE\n"
	     "Contact: <sip:m@10.0.0.66:5060>\n"
	     "Content-Type: application/sdp\n", cv.a_cid);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_x, "SIP/2.0 482"));
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 1);
	CU_ASSERT_EQUAL(active(), 1);
	a_request(&peer_a, "BYE", cv.a_cid, cv.a_tag, cv.a_to_tag, 2, "z9hG4bKb");
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

/* SDP outside offer/answer (INFO) is refused and moves nothing; an
 * unreliable 183 with SDP to a re-INVITE that is then refused moves
 * nothing either. */
static void
test_stray_sdp_moves_nothing(void)
{
	struct callv cv;
	struct dsbc_flow_cfg before;
	unsigned int mods;
	char via[256], from[256], to[256], cid[160], cseq[64];
	const struct sent *r;

	setup(16);
	call_up(&cv, 1);
	before = flow_to_a()->fc;
	mods = fk.mods;
	a_reinvite(&cv, 2, "z9hG4bKinfo", "INFO", reoffer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 488"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "INFO "));
	a_reinvite(&cv, 3, "z9hG4bKre183", "INVITE", reoffer_a);
	r = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	if (r == NULL)
		return;
	feed(&peer_b, answer_b,
	     "SIP/2.0 183 Session Progress\nVia: %s\nFrom: %s\nTo: %s\n"
	     "Call-ID: %s\nCSeq: %s\nContact: <sip:bob@10.0.1.20:5060>\n"
	     "Content-Type: application/sdp\n",
	     hval(r, "Via", via, sizeof(via)), hval(r, "From", from, sizeof(from)),
	     hval(r, "To", to, sizeof(to)), hval(r, "Call-ID", cid, sizeof(cid)),
	     hval(r, "CSeq", cseq, sizeof(cseq)));
	b_answer_last("INVITE", 488, "Not Acceptable Here", NULL);
	CU_ASSERT_EQUAL(fk.mods, mods);
	CU_ASSERT_PTR_NOT_NULL_FATAL(flow_to_a());
	if (flow_to_a() == NULL)
		return;
	CU_ASSERT(memcmp(&flow_to_a()->fc, &before, sizeof(before)) == 0);
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

/* What a leg keeps must fit whole: a 120-byte From tag gets 400, not a
 * call whose dialog could never match; an RAck past 2^32 - 1, 400. */
static void
test_oversized_fields_400(void)
{
	struct callv cv;
	char tag[121], v[256];

	setup(16);
	memset(tag, 't', 120);
	tag[120] = '\0';
	feed(&peer_a, offer_a,
	     "INVITE sip:bob@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKlong;rport\n"
	     "Max-Forwards: 70\nFrom: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>\nCall-ID: long@x\nCSeq: 1 INVITE\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n", tag);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 400"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "INVITE "));
	CU_ASSERT_EQUAL(active(), 0);
	a_invite(&cv, 2, "Contact: <sip:alice@10.0.0.10:5060>\n"
		 "Supported: 100rel\n", offer_a);
	b_learn(&cv);
	feed(&peer_b, answer_b,
	     "SIP/2.0 183 Session Progress\n"
	     "Via: %s\nFrom: %s\nTo: %s;tag=%s\nCall-ID: %s\n"
	     "CSeq: %u INVITE\nContact: <sip:bob@10.0.1.20:5060>\n"
	     "Require: 100rel\nRSeq: 7\nContent-Type: application/sdp\n",
	     cv.b_via, cv.b_from, cv.b_to, cv.b_tag, cv.b_cid, cv.b_cseq);
	param(hval(sent_to(&peer_a, "SIP/2.0 183"), "To", v, sizeof(v)), "tag",
	      cv.a_to_tag, sizeof(cv.a_to_tag));
	feed(&peer_a, NULL,
	     "PRACK sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKprbig;rport\n"
	     "Max-Forwards: 70\nFrom: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>;tag=%s\nCall-ID: %s\nCSeq: 2 PRACK\n"
	     "RAck: 4294967303 1 INVITE\n", cv.a_tag, cv.a_to_tag, cv.a_cid);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 400"), 2);
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "PRACK "));
	teardown();
}


/* A re-INVITE's 2xx: dsbc's ACK to B carries the re-INVITE's CSeq, again
 * for B's retransmission; dsbc's 2xx to A stops only at an ACK of that
 * CSeq (a stale ACK of the first INVITE does not stop it). */
static void
test_reinvite_acks(void)
{
	struct callv cv;
	const struct sent *ack;
	unsigned int oks;

	setup(16);
	call_up(&cv, 1);
	a_reinvite(&cv, 2, "z9hG4bKra", "INVITE", reoffer_a);
	b_answer_last("INVITE", 200, "OK", answer_b);
	ack = sent_to(&peer_b, "ACK ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ack);
	if (ack == NULL)
		return;
	CU_ASSERT(strstr(ack->msg, "CSeq: 2 ACK") != NULL);
	advance(100);                 /* B's INVITE client transaction ends */
	b_answer_last("INVITE", 200, "OK", answer_b);
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), 3);   /* 1st call's, 2 */
	CU_ASSERT(strstr(sent_to(&peer_b, "ACK ")->msg, "CSeq: 2 ACK") != NULL);
	oks = count_to(&peer_a, "SIP/2.0 200");
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1,
		  "z9hG4bKstale");
	advance(600);
	CU_ASSERT(count_to(&peer_a, "SIP/2.0 200") > oks);
	CU_ASSERT(dsbc_b2bua_stats(b)->ack_retransmissions >= 1);
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 2,
		  "z9hG4bKgood");
	oks = count_to(&peer_a, "SIP/2.0 200");
	advance(5000);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 200"), oks);
	CU_ASSERT_EQUAL(active(), 1);
	teardown();
}

/* Whether a live flow sends to addr:port. */
static bool
flow_sends_to(const char *addr, uint16_t port)
{
	struct dsbc_addr a;
	uint32_t i;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, addr, &a.v4);
	for (i = 0; i < FLOWS_MAX; i++)
		if (fk.flow[i].live && fk.flow[i].fc.remote_port == port &&
		    fk.flow[i].fc.remote.v4 == a.v4)
			return true;
	return false;
}

static const char reoffer_b[] =
	"v=0\r\no=bob 1 2 IN IP4 10.0.1.20\r\ns=-\r\n"
	"c=IN IP4 10.0.1.21\r\nt=0 0\r\n"
	"m=audio 8100 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
static const char reanswer_a[] =
	"v=0\r\no=alice 1 2 IN IP4 10.0.0.98\r\ns=-\r\n"
	"c=IN IP4 10.0.0.98\r\nt=0 0\r\n"
	"m=audio 7200 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/* A's re-INVITE without an offer (RFC 3261 14.1): passed to B without a
 * body; B's 2xx brings the offer, which A gets rewritten; dsbc's ACK to
 * B waits for A's ACK and carries A's answer, rewritten, and so does
 * every ACK of B's 2xx after it.  Without an answer in A's ACK the call
 * ends. */
static void
test_reinvite_late_offer(void)
{
	struct callv cv;
	const struct sent *r;
	unsigned int acks;

	setup(16);
	call_up(&cv, 1);
	acks = count_to(&peer_b, "ACK ");
	a_reinvite(&cv, 2, "z9hG4bKlo", "INVITE", NULL);     /* no offer */
	r = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(strstr(r->msg, "Content-Length: 0") != NULL);
	b_answer_last("INVITE", 200, "OK", reoffer_b);
	r = sent_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(strstr(r->msg, "m=audio") != NULL);
	CU_ASSERT(strstr(r->msg, "10.0.1.21") == NULL);     /* rewritten */
	CU_ASSERT(flow_sends_to("10.0.1.21", 8100));   /* B's offer applies */
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), acks);   /* it waits */
	/* B's 2xx again: still no ACK without the answer */
	advance(100);
	b_answer_last("INVITE", 200, "OK", reoffer_b);
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), acks);
	feed(&peer_a, reanswer_a,
	     "ACK sip:dsbc@10.0.0.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKloack;rport\n"
	     "Max-Forwards: 70\nFrom: <sip:alice@example.org>;tag=%s\n"
	     "To: <sip:bob@example.net>;tag=%s\nCall-ID: %s\n"
	     "CSeq: 2 ACK\nContent-Type: application/sdp\n",
	     cv.a_tag, cv.a_to_tag, cv.a_cid);
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), acks + 1);
	r = sent_to(&peer_b, "ACK ");
	CU_ASSERT(strstr(r->msg, "CSeq: 2 ACK") != NULL);
	CU_ASSERT(strstr(r->msg, "m=audio") != NULL);
	CU_ASSERT(strstr(r->msg, "10.0.0.98") == NULL);     /* rewritten */
	CU_ASSERT(flow_sends_to("10.0.0.98", 7200));   /* A's answer applies */
	/* B's 2xx once more: the ACK again, with the answer */
	b_answer_last("INVITE", 200, "OK", reoffer_b);
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), acks + 2);
	CU_ASSERT(strstr(sent_to(&peer_b, "ACK ")->msg, "m=audio") != NULL);
	CU_ASSERT_EQUAL(active(), 1);
	teardown();

	/* A's ACK without the answer: B's 2xx is ACKed, the call ends */
	setup(16);
	call_up(&cv, 2);
	acks = count_to(&peer_b, "ACK ");
	a_reinvite(&cv, 2, "z9hG4bKlo2", "INVITE", NULL);     /* no offer */
	b_answer_last("INVITE", 200, "OK", reoffer_b);
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 2,
		  "z9hG4bKlo2ack");
	CU_ASSERT_EQUAL(count_to(&peer_b, "ACK "), acks + 1);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "BYE "));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "BYE "));
	CU_ASSERT_EQUAL(active(), 0);
	teardown();
}

/* ---- tokens ---- */

static int
cmp16(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

/* Call-IDs carry 128 random bits, tags 96: a million without a repeat,
 * and none a neighbour of another (no counter in them). */
static void
test_million_tokens(void)
{
	enum { N = 1000000 };
	uint8_t (*t)[16] = malloc((size_t)N * 16);
	char tok[64];
	unsigned int i, k, dup = 0;

	setup(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < N; i++) {
		CU_ASSERT_EQUAL_FATAL(b2bua_token(b, tok, sizeof(tok), "", 16), 0);
		for (k = 0; k < 16; k++) {
			unsigned int hi = (unsigned int)(tok[2 * k] <= '9' ?
				tok[2 * k] - '0' : tok[2 * k] - 'a' + 10);
			unsigned int lo = (unsigned int)(tok[2 * k + 1] <= '9' ?
				tok[2 * k + 1] - '0' : tok[2 * k + 1] - 'a' + 10);

			t[i][k] = (uint8_t)(hi << 4 | lo);
		}
	}
	/* no structure between consecutive tokens: about half of their
	 * 128 bits differ (a counter or a clock would differ in a few) */
	for (i = 1, k = 0; i < N; i++) {
		unsigned int j;

		for (j = 0; j < 16; j++)
			k += (unsigned int)__builtin_popcount(t[i][j] ^ t[i - 1][j]);
	}
	CU_ASSERT(k / (N - 1) >= 60 && k / (N - 1) <= 68);
	qsort(t, N, 16, cmp16);
	for (i = 1; i < N; i++)
		dup += memcmp(t[i - 1], t[i], 16) == 0;
	CU_ASSERT_EQUAL(dup, 0);
	free(t);
	teardown();
}


/* A route over TLS: the B leg's INVITE names TLS, a stream that cannot
 * be opened fails it with 503 at once (RFC 3261 8.1.3.1); a sips:
 * Request-URI on a route without TLS gets 416 */
static void
test_route_transport(void)
{
	const struct dsbc_b2bua_stats *st;
	struct dsbc_sip_peer tls_b;
	const struct sent *s;
	struct callv cv;
	char v[256];

	setup(4);
	st = dsbc_b2bua_stats(b);
	feed(&peer_a, offer_a,
	     "INVITE sips:bob@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKsips1;rport\n"
	     "Max-Forwards: 70\nFrom: <sip:alice@example.org>;tag=s1\n"
	     "To: <sips:bob@example.net>\nCall-ID: sips1@x\nCSeq: 1 INVITE\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 416 "));
	CU_ASSERT_EQUAL(st->sips_refused, 1);
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 0);
	teardown();

	setup(4);
	st = dsbc_b2bua_stats(b);
	cfg.routes[0].transport = DSBC_ROUTE_TLS;
	a_invite(&cv, 1, NULL, offer_a);
	s = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->to.transport, DSBC_SIP_TLS);
	CU_ASSERT_EQUAL(s->to.conn, 0);
	CU_ASSERT_EQUAL(s->to.route, 1);
	CU_ASSERT(strncmp(s->msg, "INVITE sip:bob@10.0.1.20:5060;transport=tls "
			  "SIP/2.0", 50) == 0);
	CU_ASSERT(strncmp(hval(s, "Via", v, sizeof(v)), "SIP/2.0/TLS 10.0.1.1:5061",
			  25) == 0);
	/* nothing retransmitted on the stream (timer A off) */
	now_ms += 5000;
	dsbc_b2bua_on_timeout(b, now_ms);
	CU_ASSERT_EQUAL(count_to(&peer_b, "INVITE "), 1);
	/* the stream failed: A's INVITE gets 503 now, the call is gone */
	tls_b = s->to;
	CU_ASSERT_EQUAL(dsbc_b2bua_transport_failed(b, &tls_b, now_ms), 1);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 503 "));
	CU_ASSERT_EQUAL(st->transport_errors, 1);
	CU_ASSERT_EQUAL(st->active, 0);
	CU_ASSERT_EQUAL(st->timeouts, 0);
	cfg.routes[0].transport = DSBC_ROUTE_UDP;
	teardown();
}

/* ---- users: digest and the registrar ---- */

static const char *users_file = "/tmp/dsbc-test-b2bua-users";

/* setup(), then again with a registrar for example.com whose users
 * alice and bob (password "secret") are challenged in realm example.com,
 * and trunk 10.0.1.0/24 */
static void
setup_users(void)
{
	struct dsbc_b2bua_cfg bc;
	char ha1[DSBC_DIGEST_HEX_MAX], err[256];
	const char *u[2] = { "alice", "bob" };
	FILE *f = fopen(users_file, "w");
	unsigned int i;
	uint8_t fam;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (i = 0; i < 2; i++) {
		dsbc_digest_ha1(DSBC_DIGEST_MD5, u[i], "example.com", "secret",
				ha1);
		fprintf(f, "%s example.com MD5 %s\n", u[i], ha1);
		dsbc_digest_ha1(DSBC_DIGEST_SHA256, u[i], "example.com",
				"secret", ha1);
		fprintf(f, "%s example.com SHA-256 %s\n", u[i], ha1);
	}
	fclose(f);
	setup(16);
	dsbc_b2bua_free(b);
	snprintf(cfg.auth.users_file, sizeof(cfg.auth.users_file), "%s",
		 users_file);
	cfg.auth.nonce_ttl_s = 300;
	cfg.auth.fail_max = 5;
	cfg.auth.fail_window_s = 60;
	cfg.nb_realms = 1;
	snprintf(cfg.realms[0].name, sizeof(cfg.realms[0].name), "example.com");
	cfg.realms[0].algs[0] = DSBC_CFG_DIGEST_SHA256;
	cfg.realms[0].algs[1] = DSBC_CFG_DIGEST_MD5;
	cfg.realms[0].nb_algs = 2;
	cfg.nb_trunks = 1;
	cfg.trunks[0].family = 4;
	cfg.trunks[0].addr.set = true;
	cfg.trunks[0].addr.prefix = 24;
	dsbc_addr_parse("10.0.1.0", &cfg.trunks[0].addr.addr, &fam);
	snprintf(cfg.registrar.domain, sizeof(cfg.registrar.domain),
		 "example.com");
	snprintf(cfg.registrar.realm, sizeof(cfg.registrar.realm),
		 "example.com");
	cfg.registrar.auth_invite = true;
	cfg.registrar.min_expires_s = 60;
	cfg.registrar.max_expires_s = 3600;
	cfg.registrar.default_expires_s = 3600;
	cfg.registrar.nat_expires_s = 90;
	cfg.registrar.keepalive_s = 25;
	cfg.registrar.keepalive_misses = 3;
	cfg.registrar.max_aors = 64;
	cfg.registrar.max_per_aor = 5;
	memset(&bc, 0, sizeof(bc));
	bc.cfg = &cfg;
	bc.nb_workers = 1;
	bc.slice[0].first = 20000;
	bc.slice[0].last = 20999;
	bc.max_calls = 16;
	bc.max_txns = 4096;
	bc.log_level = DSBC_B2BUA_LOG_DEBUG;
	bc.stir_key = stir_key;
	b = dsbc_b2bua_create(&bc, &ops, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
}

/* Credentials answering the challenge of alg in the last message sent
 * to `to`, for method and uri. */
static void
creds(const struct dsbc_sip_peer *to, const char *start, const char *hdr,
      const char *alg, const char *user, const char *pw, const char *method,
      const char *uri, uint32_t nc, char *out, size_t cap)
{
	const struct sent *s = sent_to(to, start);
	struct dsbc_digest_cred c = { .nc = nc, .has_qop = true };
	char ha1[DSBC_DIGEST_HEX_MAX], resp[DSBC_DIGEST_HEX_MAX], key[64];
	const char *p, *q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	snprintf(key, sizeof(key), "algorithm=%s,", alg);
	p = strstr(s->msg, key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (p > s->msg && strncmp(p, "nonce=\"", 7) != 0)
		p--;
	p += 7;
	q = strchr(p, '"');
	snprintf(c.nonce, sizeof(c.nonce), "%.*s", (int)(q - p), p);
	c.alg = (uint8_t)dsbc_digest_alg_lookup(alg, strlen(alg));
	snprintf(c.uri, sizeof(c.uri), "%s", uri);
	snprintf(c.cnonce, sizeof(c.cnonce), "c0ffee");
	snprintf(c.qop, sizeof(c.qop), "auth");
	dsbc_digest_ha1(c.alg, user, "example.com", pw, ha1);
	dsbc_digest_response(&c, ha1, method, strlen(method), resp);
	snprintf(out, cap, "%s: Digest username=\"%s\", realm=\"example.com\", "
		 "nonce=\"%s\", uri=\"%s\", response=\"%s\", algorithm=%s, "
		 "qop=auth, nc=%08x, cnonce=\"c0ffee\"\n", hdr, user, c.nonce,
		 uri, resp, alg, nc);
}

static void
bob_register(const struct dsbc_sip_peer *from, uint32_t cseq,
	     const char *auth)
{
	feed(from, NULL,
	     "REGISTER sip:example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.168.1.5:5060;branch=z9hG4bKreg%u;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:bob@example.com>;tag=rb1\n"
	     "To: <sip:bob@example.com>\n"
	     "Call-ID: regbob\n"
	     "CSeq: %u REGISTER\n"
	     "Contact: <sip:bob@192.168.1.5:5060>\n"
	     "Expires: 3600\n"
	     "%s",
	     cseq, cseq, auth ? auth : "");
}

static void
alice_invite(uint32_t cseq, const char *ruri, const char *auth,
	     const struct dsbc_sip_peer *from)
{
	feed(from, offer_a,
	     "INVITE %s SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKai%u;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:alice@example.com>;tag=ra1\n"
	     "To: <%s>\n"
	     "Call-ID: alicecall%u\n"
	     "CSeq: %u INVITE\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "%s"
	     "Content-Type: application/sdp\n",
	     ruri, cseq, ruri, cseq, cseq, auth ? auth : "");
}

static void
test_register_auth_and_call(void)
{
	struct dsbc_sip_peer bob_nat;
	const struct dsbc_auth_stats *as;
	const struct dsbc_reg_stats *rs;
	const struct dsbc_b2bua_stats *st;
	const struct sent *s;
	char auth[1024], v[512];

	setup_users();
	as = dsbc_b2bua_auth_stats(b);
	rs = dsbc_b2bua_reg_stats(b);
	st = dsbc_b2bua_stats(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(as);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	/* bob behind a NAT: its Contact says 192.168.1.5:5060, its packets
	 * come from 10.0.0.30:40000 */
	peer_set(&bob_nat, 0, "10.0.0.1", "10.0.0.30");
	bob_nat.remote_port = 40000;

	/* no credentials: 401, SHA-256 offered first (RFC 8760 2.4) */
	bob_register(&bob_nat, 1, NULL);
	s = sent_to(&bob_nat, "SIP/2.0 401 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strstr(s->msg, "algorithm=SHA-256") <
		  strstr(s->msg, "algorithm=MD5"));
	CU_ASSERT_EQUAL(rs->bindings, 0);
	/* a wrong password: challenged again and counted */
	creds(&bob_nat, "SIP/2.0 401 ", "Authorization", "SHA-256", "bob",
	      "guess", "REGISTER", "sip:example.com", 1, auth, sizeof(auth));
	bob_register(&bob_nat, 2, auth);
	CU_ASSERT_EQUAL(count_to(&bob_nat, "SIP/2.0 401 "), 2);
	CU_ASSERT_EQUAL(as->failed, 1);
	/* alice's password for bob's AoR: authenticated, but not bob */
	creds(&bob_nat, "SIP/2.0 401 ", "Authorization", "SHA-256", "alice",
	      "secret", "REGISTER", "sip:example.com", 1, auth, sizeof(auth));
	bob_register(&bob_nat, 3, auth);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&bob_nat, "SIP/2.0 403 "));
	CU_ASSERT_EQUAL(st->reg_forbidden, 1);
	/* the right one: 200, the binding cut to nat_expires */
	creds(&bob_nat, "SIP/2.0 401 ", "Authorization", "SHA-256", "bob",
	      "secret", "REGISTER", "sip:example.com", 2, auth, sizeof(auth));
	bob_register(&bob_nat, 4, auth);
	s = sent_to(&bob_nat, "SIP/2.0 200 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(hval(s, "Contact", v, sizeof(v)),
			       "<sip:bob@192.168.1.5:5060>;expires=90");
	CU_ASSERT_EQUAL(rs->bindings, 1);
	/* the same count again: a replay, refused */
	bob_register(&bob_nat, 5, auth);
	CU_ASSERT_EQUAL(as->replayed, 1);
	CU_ASSERT_EQUAL(rs->bindings, 1);

	/* alice calls bob: 407 first, then with credentials (MD5 this
	 * time) the INVITE goes to where bob's REGISTER came from */
	alice_invite(1, "sip:bob@example.com", NULL, &peer_a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sent_to(&peer_a, "SIP/2.0 407 "));
	CU_ASSERT_EQUAL(count_to(&bob_nat, "INVITE "), 0);
	creds(&peer_a, "SIP/2.0 407 ", "Proxy-Authorization", "MD5", "alice",
	      "secret", "INVITE", "sip:bob@example.com", 1, auth,
	      sizeof(auth));
	alice_invite(2, "sip:bob@example.com", auth, &peer_a);
	s = sent_to(&bob_nat, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strncmp(s->msg, "INVITE sip:bob@192.168.1.5:5060 SIP/2.0",
			  39) == 0);
	CU_ASSERT_EQUAL(s->to.remote_port, 40000);
	/* dsbc's INVITE carries none of alice's credentials */
	CU_ASSERT_PTR_NULL(strstr(s->msg, "Authorization"));
	/* a user nobody registered */
	creds(&peer_a, "SIP/2.0 407 ", "Proxy-Authorization", "MD5", "alice",
	      "secret", "INVITE", "sip:carol@example.com", 2, auth,
	      sizeof(auth));
	alice_invite(3, "sip:carol@example.com", auth, &peer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 404 "));
	CU_ASSERT_EQUAL(st->reg_not_found, 1);
	/* a trunk is not challenged */
	alice_invite(4, "sip:bob@example.com", NULL, &peer_b);
	CU_ASSERT_EQUAL(count_to(&bob_nat, "INVITE "), 2);
	CU_ASSERT_EQUAL(st->auth_trunk, 1);

	/* keepalive: OPTIONS to the NAT's address every 25 s; an answer
	 * from there keeps the binding */
	now_ms += 25000;
	dsbc_b2bua_on_timeout(b, now_ms);
	s = sent_to(&bob_nat, "OPTIONS sip:bob@192.168.1.5:5060 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(rs->pings, 1);
	hval(s, "Via", v, sizeof(v));
	{
		char cid[128], from[256], to[256];

		hval(s, "Call-ID", cid, sizeof(cid));
		hval(s, "From", from, sizeof(from));
		hval(s, "To", to, sizeof(to));
		/* from elsewhere first: not counted as bob's */
		feed(&peer_x, NULL, "SIP/2.0 200 OK\nVia: %s\nFrom: %s\n"
		     "To: %s;tag=x\nCall-ID: %s\nCSeq: 1 OPTIONS\n", v, from,
		     to, cid);
		CU_ASSERT_EQUAL(rs->pongs, 0);
		CU_ASSERT_EQUAL(st->keepalive_stray, 1);
		feed(&bob_nat, NULL, "SIP/2.0 200 OK\nVia: %s\nFrom: %s\n"
		     "To: %s;tag=x\nCall-ID: %s\nCSeq: 1 OPTIONS\n", v, from,
		     to, cid);
		CU_ASSERT_EQUAL(rs->pongs, 1);
	}
	/* a trunk may call without credentials, not register as anyone */
	feed(&peer_b, NULL,
	     "REGISTER sip:example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.1.20:5060;branch=z9hG4bKregt;rport\n"
	     "From: <sip:bob@example.com>;tag=rt\nTo: <sip:bob@example.com>\n"
	     "Call-ID: regt\nCSeq: 1 REGISTER\nContact: *\nExpires: 0\n");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "SIP/2.0 403 "));
	CU_ASSERT_EQUAL(rs->bindings, 1);
	/* REGISTER for another domain */
	feed(&bob_nat, NULL,
	     "REGISTER sip:example.org SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.168.1.5:5060;branch=z9hG4bKregx;rport\n"
	     "From: <sip:bob@example.org>;tag=rb1\nTo: <sip:bob@example.org>\n"
	     "Call-ID: regx\nCSeq: 1 REGISTER\n"
	     "Contact: <sip:bob@192.168.1.5:5060>\n");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&bob_nat, "SIP/2.0 403 "));
	CU_ASSERT_EQUAL(st->reg_foreign, 1);
	CU_ASSERT_EQUAL(st->reg_forbidden, 2);
	/* unanswered keepalives: the binding goes after 3 misses */
	now_ms += 25000 * 4;
	dsbc_b2bua_on_timeout(b, now_ms - 75000);
	dsbc_b2bua_on_timeout(b, now_ms - 50000);
	dsbc_b2bua_on_timeout(b, now_ms - 25000);
	dsbc_b2bua_on_timeout(b, now_ms);
	CU_ASSERT_EQUAL(rs->ping_dropped + rs->expired, 1);
	CU_ASSERT_EQUAL(rs->bindings, 0);
	teardown();
	unlink(users_file);
}

/* RFC 5626 over a stream: the 200 says Require: outbound and the
 * Flow-Timer; once bob's connection closes, a call to him gets 430 */
static void
test_register_outbound_430(void)
{
	struct dsbc_sip_peer bob_tcp;
	const struct sent *s;
	char auth[1024], v[256];

	setup_users();
	cfg.registrar.flow_timer_s = 120;
	peer_set(&bob_tcp, 0, "10.0.0.1", "10.0.0.40");
	bob_tcp.transport = DSBC_SIP_TCP;
	bob_tcp.remote_port = 50123;
	bob_tcp.conn = 7;
	feed(&bob_tcp, NULL,
	     "REGISTER sip:example.com SIP/2.0\n"
	     "Via: SIP/2.0/TCP bob.invalid;branch=z9hG4bKob1\n"
	     "From: <sip:bob@example.com>;tag=o1\nTo: <sip:bob@example.com>\n"
	     "Call-ID: ob1\nCSeq: 1 REGISTER\nSupported: path, outbound\n"
	     "Contact: <sip:bob@bob.invalid;transport=tcp>;reg-id=1;"
	     "+sip.instance=\"<urn:uuid:b0b>\"\n");
	creds(&bob_tcp, "SIP/2.0 401 ", "Authorization", "SHA-256", "bob",
	      "secret", "REGISTER", "sip:example.com", 1, auth, sizeof(auth));
	feed(&bob_tcp, NULL,
	     "REGISTER sip:example.com SIP/2.0\n"
	     "Via: SIP/2.0/TCP bob.invalid;branch=z9hG4bKob2\n"
	     "From: <sip:bob@example.com>;tag=o1\nTo: <sip:bob@example.com>\n"
	     "Call-ID: ob1\nCSeq: 2 REGISTER\nSupported: path, outbound\n"
	     "Contact: <sip:bob@bob.invalid;transport=tcp>;reg-id=1;"
	     "+sip.instance=\"<urn:uuid:b0b>\"\n%s", auth);
	s = sent_to(&bob_tcp, "SIP/2.0 200 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(hval(s, "Require", v, sizeof(v)), "outbound");
	CU_ASSERT_STRING_EQUAL(hval(s, "Flow-Timer", v, sizeof(v)), "120");
	/* a call reaches bob on his connection */
	alice_invite(1, "sip:bob@example.com", NULL, &peer_b);
	s = sent_to(&bob_tcp, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->to.conn, 7);
	/* his connection closes: the next call gets 430 */
	dsbc_b2bua_conn_closed(b, 7);
	alice_invite(2, "sip:bob@example.com", NULL, &peer_b);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "SIP/2.0 430 "));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->reg_flow_failed, 1);
	teardown();
	unlink(users_file);
}

/* baresip's kind of re-offer: c= its IPv4 default, ICE over both */
static const char offer_v4_default_v6_ice[] =
	"v=0\r\no=alice 1 3 IN IP4 10.0.0.10\r\ns=-\r\n"
	"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
	"a=ice-ufrag:AAAA\r\na=ice-pwd:aaaaaaaaaaaaaaaaaaaaaaaa\r\n"
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=candidate:1 1 UDP 2130706431 10.0.0.10 7000 typ host\r\n"
	"a=candidate:2 1 UDP 2130706175 fd00:a::10 7100 typ host\r\n"
	"a=candidate:3 1 UDP 1694498815 fd00:a::99 7200 typ srflx "
	"raddr fd00:a::10 rport 7100\r\n"
	"a=candidate:2 2 UDP 2130706174 fd00:a::10 7101 typ host\r\n";

/*
 * A dual-stack UA signals over IPv6 and offers IPv4 media (baresip does,
 * choosing its media family on its own): dsbc's answer is in the
 * offer's family, on the port's IPv4 address, and A's flows too; an IPv6
 * offer over the same signalling gets an IPv6 answer.
 */
static void
test_media_family_follows_offer(void)
{
	static const char offer6[] =
		"v=0\r\no=alice 1 1 IN IP6 fd00:a::10\r\ns=-\r\n"
		"c=IN IP6 fd00:a::10\r\nt=0 0\r\n"
		"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
	const struct sent *ok;
	struct callv cv;
	unsigned int i;
	uint64_t bad;
	char v[256];
	bool a_flow4 = false;

	a_ip6 = true;
	setup(16);
	a_ip6 = false;
	peer_set(&peer_a, 0, "fd00:a::1", "fd00:a::10");
	a_invite(&cv, 1, NULL, offer_a);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	ok = sent_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
	CU_ASSERT(strstr(ok->msg, "c=IN IP4 10.0.0.1\r\n") != NULL);
	/* the SIP stays on IPv6: dsbc's Contact is where A can reach it */
	CU_ASSERT_EQUAL(ok->to.family, 6);
	CU_ASSERT(strstr(ok->msg, "\r\nContact: <sip:dsbc@[fd00:a::1]") !=
		  NULL);
	for (i = 1; i <= fk.n_flows; i++)
		if (fk.flow[i].live && fk.flow[i].fc.local_family == 4 &&
		    fk.flow[i].fc.local.v4 == cfg.ports[0].ip4.addr.v4)
			a_flow4 = true;
	CU_ASSERT(a_flow4);
	fk.n_out = 0;
	a_invite(&cv, 2, NULL, offer6);
	b_learn(&cv);
	b_answer(&cv, 200, "OK", answer_b);
	ok = sent_to(&peer_a, "SIP/2.0 200");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok);
	CU_ASSERT(strstr(ok->msg, "c=IN IP6 fd00:a::1\r\n") != NULL);
	/* and a re-offer of that call that moves to IPv4 is refused: dsbc's
	 * side of the leg has its one IPv6 address */
	param(hval(ok, "To", v, sizeof(v)), "tag", cv.a_to_tag,
	      sizeof(cv.a_to_tag));
	a_request(&peer_a, "ACK", cv.a_cid, cv.a_tag, cv.a_to_tag, 1,
		  "z9hG4bKk6");
	bad = dsbc_b2bua_stats(b)->bad_sdp;
	fk.n_out = 0;
	a_reinvite(&cv, 2, "z9hG4bKr6", "INVITE", offer_a);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 488"));
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "INVITE "));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->bad_sdp, bad + 1);
	/* ... unless it has ICE candidates of the leg's family: c= is only
	 * the default one (RFC 8839 5.1), and A is reached at its best */
	fk.n_out = 0;
	a_reinvite(&cv, 3, "z9hG4bKr7", "INVITE", offer_v4_default_v6_ice);
	CU_ASSERT_PTR_NULL(sent_to(&peer_a, "SIP/2.0 488"));
	b_answer_last("INVITE", 200, "OK", answer_b);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200"));
	{
		const struct fflow *f = NULL;
		char ip[64];

		/* call 2's RTP flow towards A: sent from dsbc's IPv6 side */
		for (i = 1; i <= fk.n_flows; i++)
			if (fk.flow[i].live && fk.flow[i].fc.out_family == 6 &&
			    fk.flow[i].fc.local_port % 2 == 0)
				f = &fk.flow[i];
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(f->fc.remote_family, 6);
		dsbc_addr_fmt(&f->fc.remote, 6, ip, sizeof(ip));
		CU_ASSERT_STRING_EQUAL(ip, "fd00:a::10");
		CU_ASSERT_EQUAL(f->fc.remote_port, 7100);
	}
	teardown();
	peer_set(&peer_a, 0, "10.0.0.1", "10.0.0.10");
}

/*
 * The authentication service (RFC 8224 6.1): on a route with stir_sign,
 * a trunk's INVITE reaches B with dsbc's Identity after A's own: a
 * SHAKEN PASSporT that verifies with dsbc's key, for the From and
 * Request-URI numbers, attestation B (a trunk), iat from the clock, and
 * mky the offer's fingerprint (relay: A's).  A caller that is neither a
 * user nor a trunk is not signed for; a From without a number neither.
 */
static void
test_stir_sign(void)
{
	static const char offer_fp[] =
		"v=0\r\no=alice 1 1 IN IP4 10.0.0.10\r\ns=-\r\n"
		"c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
		"m=audio 7000 UDP/TLS/RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=setup:actpass\r\na=fingerprint:sha-256 4A:AD:B9:B1:3F:82:"
		"18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:2E:7D:46:"
		"3F:54:42:CD:54:F1\r\n";
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	struct dsbc_identity id;
	struct dsbc_passport p;
	const struct sent *inv;
	const char *h, *e;
	char v[2048];

	CU_ASSERT_PTR_NOT_NULL_FATAL(pk);
	stir_key = dsbc_es256_new(pk);
	CU_ASSERT_PTR_NOT_NULL_FATAL(stir_key);
	setup(16);
	snprintf(cfg.stir.x5u, sizeof(cfg.stir.x5u), "https://sti.example/d.pem");
	snprintf(cfg.stir.attest, sizeof(cfg.stir.attest), "A");
	snprintf(cfg.stir.trunk_attest, sizeof(cfg.stir.trunk_attest), "B");
	cfg.routes[0].stir_sign = true;
	cfg.nb_trunks = 1;
	cfg.trunks[0].family = 4;
	cfg.trunks[0].addr.set = true;
	cfg.trunks[0].addr.prefix = 32;
	cfg.trunks[0].addr.addr = peer_a.remote;
	feed(&peer_a, offer_fp,
	     "INVITE sip:+1-202-555-0102@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKstir1;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:+12025550101@example.org;user=phone>;tag=st1\n"
	     "To: <sip:+12025550102@example.net>\n"
	     "Call-ID: stir1@x\nCSeq: 1 INVITE\n"
	     "Identity: a.b.c;info=<https://a.example/c.pem>\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n");
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->stir_signed, 1);
	/* A's Identity first, byte for byte; then dsbc's */
	h = strstr(inv->msg, "\r\nIdentity: a.b.c;info=<https://a.example/"
		   "c.pem>\r\nIdentity: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	h = strstr(h + 2, "\r\nIdentity: ") + 12;
	e = strstr(h, "\r\n");
	snprintf(v, sizeof(v), "%.*s", (int)(e - h), h);
	CU_ASSERT_EQUAL_FATAL(dsbc_identity_parse(v, strlen(v), &id), 0);
	CU_ASSERT_EQUAL(id.info.len, strlen(cfg.stir.x5u));
	CU_ASSERT_EQUAL(dsbc_passport_verify(id.jws.p, id.jws.len, stir_key),
			DSBC_PASSPORT_OK);
	CU_ASSERT_EQUAL_FATAL(dsbc_passport_decode(id.jws.p, id.jws.len, &p),
			      DSBC_PASSPORT_OK);
	CU_ASSERT_STRING_EQUAL(p.orig_tn, "12025550101");
	CU_ASSERT_STRING_EQUAL(p.dest_tn[0], "12025550102");
	CU_ASSERT_STRING_EQUAL(p.attest, "B");
	CU_ASSERT_STRING_EQUAL(p.ppt, "shaken");
	CU_ASSERT_EQUAL(p.iat, 1800000000);
	CU_ASSERT_EQUAL(strlen(p.origid), 36);
	CU_ASSERT_EQUAL(p.nb_mky, 1);
	CU_ASSERT_STRING_EQUAL(p.mky[0].dig, "4AADB9B13F82183B540212DF3E5D496B"
			       "19E57CAB3E4B652E7D463F5442CD54F1");
	/* no number for the caller: not signed, counted */
	fk.n_out = 0;
	feed(&peer_a, offer_fp,
	     "INVITE sip:+12025550102@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKstir2;rport\n"
	     "Max-Forwards: 70\nFrom: <sip:alice@example.org>;tag=st2\n"
	     "To: <sip:+12025550102@example.net>\n"
	     "Call-ID: stir2@x\nCSeq: 1 INVITE\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n");
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NULL(strstr(inv->msg, "Identity:"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->stir_sign_skipped, 1);
	/* neither a user nor a trunk: dsbc vouches for nobody */
	cfg.nb_trunks = 0;
	fk.n_out = 0;
	feed(&peer_a, offer_fp,
	     "INVITE sip:+12025550102@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKstir3;rport\n"
	     "Max-Forwards: 70\nFrom: <tel:+12025550101>;tag=st3\n"
	     "To: <sip:+12025550102@example.net>\n"
	     "Call-ID: stir3@x\nCSeq: 1 INVITE\n"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n");
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NULL(strstr(inv->msg, "Identity:"));
	CU_ASSERT_EQUAL(dsbc_b2bua_stats(b)->stir_signed, 1);
	teardown();
	dsbc_es256_free(stir_key);
	stir_key = NULL;
	EVP_PKEY_free(pk);
}

/* The STIR verification tests: alice's fingerprint, one a middle box
 * put in its place, sp's x5u (the embedded test PKI, stir_pki.h). */
static const char fp_a[] = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:"
	"DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1";
static const char fp_m[] = "sha-256 02:1A:CC:54:27:AB:EB:9C:53:3F:3E:"
	"4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2";
static const char sp_url[] = "https://sti.example/sp.pem";

/* The test PKI's root as setup()'s trust anchors; sp's key, prepared. */
static struct dsbc_es256 *
stir_pki_open(void)
{
	BIO *bio = BIO_new_mem_buf(SP_KEY, -1);
	EVP_PKEY *spk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	struct dsbc_es256 *signer = dsbc_es256_new(spk);
	X509 *root;

	BIO_free(bio);
	EVP_PKEY_free(spk);
	bio = BIO_new_mem_buf(ROOT_CRT, -1);
	root = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	stir_trust = X509_STORE_new();
	X509_STORE_add_cert(stir_trust, root);
	X509_free(root);
	return signer;
}

static void
stir_pki_close(struct dsbc_es256 *signer)
{
	X509_STORE_free(stir_trust);
	stir_trust = NULL;
	dsbc_es256_free(signer);
}

/* An INVITE from a trunk's SHAKEN signer: From's and the Request-URI's
 * numbers, an Identity header (or none) and an SDP with fingerprint fp. */
static void
stir_invite(const char *branch, const char *from_tn, const char *ident,
	    const char *fp)
{
	char sdp[512];

	snprintf(sdp, sizeof(sdp),
		 "v=0\r\no=alice 1 1 IN IP4 10.0.0.10\r\ns=-\r\n"
		 "c=IN IP4 10.0.0.10\r\nt=0 0\r\n"
		 "m=audio 7000 UDP/TLS/RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=setup:actpass\r\na=fingerprint:%s\r\n", fp);
	fk.n_out = 0;
	feed(&peer_a, sdp,
	     "INVITE sip:+19995550000@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK%s;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:+%s@example.org;user=phone>;tag=%s\n"
	     "To: <sip:+19995550000@example.net>\n"
	     "Call-ID: %s@x\nCSeq: 1 INVITE\n"
	     "%s%s%s"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n",
	     branch, from_tn, branch, branch, ident ? "Identity: " : "",
	     ident ? ident : "", ident ? "\n" : "");
}

/* the status of the last response to A, 0 none */
static int
a_status(void)
{
	int st = 0;
	unsigned int i;

	for (i = 0; i < fk.n_out; i++)
		if (fk.out[i].to.in == 0 &&
		    strncmp(fk.out[i].msg, "SIP/2.0 ", 8) == 0)
			st = atoi(fk.out[i].msg + 8);
	return st;
}

/*
 * The verification service (RFC 8224 6.2) on an `enforce` route: the
 * first INVITE waits for its x5u (fetched once) and goes on, its
 * Identity byte for byte; then, the certificate cached, another caller
 * (438), a fingerprint a middle box replaced (438), a stale iat (403),
 * no Identity (428); an x5u that never answers (436 after the fetch
 * timeout); a CANCEL while waiting (487); a full park (503).  Under
 * `mark` the same failures reach B with a verstat on its From.
 */
static void
test_stir_verify(void)
{
	struct dsbc_es256 *signer = stir_pki_open();
	const struct dsbc_b2bua_stats *st;
	const struct sent *inv;
	struct dsbc_passport p;
	char tok[1024], ident[1400], ident_old[1400], ident_far[1400];
	char ident_dead[1400], body[4096], from[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(signer);
	memset(&p, 0, sizeof(p));
	snprintf(p.ppt, sizeof(p.ppt), "shaken");
	snprintf(p.x5u, sizeof(p.x5u), "%s", sp_url);
	snprintf(p.orig_tn, sizeof(p.orig_tn), "12155551212");
	snprintf(p.dest_tn[0], sizeof(p.dest_tn[0]), "19995550000");
	p.nb_dest_tn = 1;
	snprintf(p.attest, sizeof(p.attest), "A");
	snprintf(p.origid, sizeof(p.origid), "9a1f4c1e-0c4e-4a57-9d34-3e1d1f1b8a77");
	p.iat = 1800000000 - 5;
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, fp_a, strlen(fp_a)), 0);
	CU_ASSERT_FATAL(dsbc_passport_sign(&p, signer, tok, sizeof(tok)) > 0);
	dsbc_identity_build(tok, sp_url, "shaken", ident, sizeof(ident));
	p.iat = 1800000000 - 600;
	dsbc_passport_sign(&p, signer, tok, sizeof(tok));
	dsbc_identity_build(tok, sp_url, "shaken", ident_old, sizeof(ident_old));
	p.iat = 1800000000;
	snprintf(p.x5u, sizeof(p.x5u), "https://dead.example/x.pem");
	dsbc_passport_sign(&p, signer, tok, sizeof(tok));
	dsbc_identity_build(tok, p.x5u, "shaken", ident_dead,
			    sizeof(ident_dead));
	snprintf(p.x5u, sizeof(p.x5u), "https://far.example/x.pem");
	dsbc_passport_sign(&p, signer, tok, sizeof(tok));
	dsbc_identity_build(tok, p.x5u, "shaken", ident_far,
			    sizeof(ident_far));

	setup_stir_route = DSBC_STIR_ENFORCE;
	setup(16);
	st = dsbc_b2bua_stats(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dsbc_b2bua_stir_cache_stats(b));

	/* 1: waits for the certificate, fetched once */
	stir_invite("sv1", "12155551212", ident, fp_a);
	CU_ASSERT_EQUAL(a_status(), 100);
	CU_ASSERT_PTR_NULL(sent_to(&peer_b, "INVITE "));
	CU_ASSERT_EQUAL(fk.fetches, 1);
	CU_ASSERT_STRING_EQUAL(fk.fetch_url, sp_url);
	CU_ASSERT_EQUAL(st->stir_parked, 1);
	snprintf(body, sizeof(body), "%s%s", SP_CRT, INTER_CRT);
	dsbc_b2bua_stir_fetched(b, sp_url, body, strlen(body), now_ms);
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NOT_NULL(strstr(inv->msg, ident));
	CU_ASSERT_PTR_NULL(strstr(inv->msg, "verstat"));
	CU_ASSERT_EQUAL(st->stir_verified, 1);
	CU_ASSERT_EQUAL(st->stir_parked, 0);
	/* 2-5: the certificate is cached now */
	stir_invite("sv2", "12155551213", ident, fp_a);
	CU_ASSERT_EQUAL(a_status(), 438);
	stir_invite("sv3", "12155551212", ident, fp_m);
	CU_ASSERT_EQUAL(a_status(), 438);
	stir_invite("sv4", "12155551212", ident_old, fp_a);
	CU_ASSERT_EQUAL(a_status(), 403);
	stir_invite("sv5", "12155551212", NULL, fp_a);
	CU_ASSERT_EQUAL(a_status(), 428);
	CU_ASSERT_EQUAL(fk.fetches, 1);
	CU_ASSERT_EQUAL(st->stir_result[DSBC_STIR_ORIG_MISMATCH], 1);
	CU_ASSERT_EQUAL(st->stir_result[DSBC_STIR_MKY_MISMATCH], 1);
	CU_ASSERT_EQUAL(st->stir_result[DSBC_STIR_STALE], 1);
	CU_ASSERT_EQUAL(st->stir_result[DSBC_STIR_NO_IDENTITY], 1);
	CU_ASSERT_EQUAL(st->stir_refused, 4);
	/* 6: an x5u that never answers: 436 after fetch_timeout_ms, and
	 * the next call to it fails at once (remembered) */
	stir_invite("sv6", "12155551212", ident_dead, fp_a);
	CU_ASSERT_EQUAL(a_status(), 100);
	CU_ASSERT_EQUAL(fk.fetches, 2);
	advance(1999);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 436 "), 0);
	advance(2);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 436 "), 1);
	CU_ASSERT_EQUAL(st->stir_fetch_timeouts, 1);
	stir_invite("sv7", "12155551212", ident_dead, fp_a);
	CU_ASSERT_EQUAL(a_status(), 436);
	CU_ASSERT_EQUAL(fk.fetches, 2);
	/* 8: CANCELled while it waits: 200 and 487; 9, 10: the park holds
	 * two, a third is 503 */
	stir_invite("sv8", "12155551212", ident_far, fp_a);
	fk.n_out = 0;
	feed(&peer_a, NULL,
	     "CANCEL sip:+19995550000@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKsv8;rport\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:+12155551212@example.org;user=phone>;tag=sv8\n"
	     "To: <sip:+19995550000@example.net>\n"
	     "Call-ID: sv8@x\nCSeq: 1 CANCEL\n");
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 200 OK"));
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_a, "SIP/2.0 487 "));
	CU_ASSERT_EQUAL(st->stir_parked, 0);
	stir_invite("sv9", "12155551212", ident_far, fp_a);
	stir_invite("sv10", "12155551212", ident_far, fp_a);
	stir_invite("sv11", "12155551212", ident_far, fp_a);
	CU_ASSERT_EQUAL(a_status(), 503);
	CU_ASSERT_EQUAL(st->stir_park_full, 1);
	fk.n_out = 0;
	dsbc_b2bua_stir_fetched(b, "https://far.example/x.pem", NULL, 0,
				now_ms);
	CU_ASSERT_EQUAL(count_to(&peer_a, "SIP/2.0 436 "), 2);
	teardown();

	/* mark: the call goes on; B learns the verdict from its From */
	setup_stir_route = DSBC_STIR_MARK;
	setup(16);
	st = dsbc_b2bua_stats(b);
	stir_invite("sm1", "12155551212", ident, fp_a);
	dsbc_b2bua_stir_fetched(b, sp_url, body, strlen(body), now_ms);
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NOT_NULL(strstr(inv->msg, ident));
	CU_ASSERT_PTR_NOT_NULL(hval(inv, "From", from, sizeof(from)));
	CU_ASSERT_PTR_NOT_NULL(strstr(from, "<sip:+12155551212;verstat="
				      "TN-Validation-Passed@example.org;"
				      "user=phone>"));
	stir_invite("sm2", "12155551212", ident, fp_m);
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NOT_NULL(hval(inv, "From", from, sizeof(from)));
	CU_ASSERT_PTR_NOT_NULL(strstr(from, ";verstat=TN-Validation-Failed@"));
	stir_invite("sm3", "12155551212", NULL, fp_a);
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NOT_NULL(hval(inv, "From", from, sizeof(from)));
	CU_ASSERT_PTR_NOT_NULL(strstr(from, ";verstat=No-TN-Validation@"));
	CU_ASSERT_EQUAL(st->stir_marked, 2);
	CU_ASSERT_EQUAL(st->stir_refused, 0);
	teardown();
	setup_stir_route = DSBC_STIR_OFF;
	stir_pki_close(signer);
}

/* An INVITE with the From header value, Identity lines and SDP given. */
static void
stir_invite_raw(const char *branch, const char *from, const char *idents,
		const char *sdp)
{
	fk.n_out = 0;
	feed(&peer_a, sdp,
	     "INVITE sip:+19995550000@example.net SIP/2.0\n"
	     "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK%s;rport\n"
	     "Max-Forwards: 70\nFrom: %s;tag=%s\n"
	     "To: <sip:+19995550000@example.net>\n"
	     "Call-ID: %s@x\nCSeq: 1 INVITE\n%s"
	     "Contact: <sip:alice@10.0.0.10:5060>\n"
	     "Content-Type: application/sdp\n",
	     branch, from, branch, branch, idents);
}

/* A token by sp for 12155551212 -> 19995550000, now, mky over fp (NULL:
 * none), orig a URI instead when uri is set; as an Identity value. */
static void
stir_token(struct dsbc_es256 *signer, const char *url, const char *fp,
	   const char *uri, char *out, size_t cap)
{
	struct dsbc_passport p;
	char tok[1024];

	memset(&p, 0, sizeof(p));
	/* SHAKEN signs numbers (RFC 8588): a URI caller's is a plain
	 * PASSporT */
	snprintf(p.ppt, sizeof(p.ppt), "%s", uri != NULL ? "" : "shaken");
	snprintf(p.x5u, sizeof(p.x5u), "%s", url);
	if (uri != NULL)
		snprintf(p.orig_uri, sizeof(p.orig_uri), "%s", uri);
	else
		snprintf(p.orig_tn, sizeof(p.orig_tn), "12155551212");
	snprintf(p.dest_tn[0], sizeof(p.dest_tn[0]), "19995550000");
	p.nb_dest_tn = 1;
	snprintf(p.attest, sizeof(p.attest), "A");
	snprintf(p.origid, sizeof(p.origid), "0d9f7c54-3f7e-4b1e-9b8e-5c2a1e4f6d70");
	p.iat = 1800000000;
	if (fp != NULL)
		CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, fp, strlen(fp)), 0);
	CU_ASSERT_FATAL(dsbc_passport_sign(&p, signer, tok, sizeof(tok)) > 0);
	dsbc_identity_build(tok, url, uri != NULL ? "" : "shaken", out, cap);
}

/*
 * What a hostile caller tries against the verification service, each
 * refused or neutralised: a valid Identity copied into another call
 * (438, replayed); an offer whose DTLS was stripped under a PASSporT
 * with mky (438); a fifth fingerprint behind four signed ones (438); a
 * URI caller (437: a TNAuthList speaks for numbers); an x5u on a host
 * not allowed (436, nothing fetched); a verstat of its own in From
 * (removed; under mark, dsbc's alone reaches B, a '<' in the display
 * name notwithstanding).  And what must still pass: a sha-512
 * fingerprint, a bogus Identity before a valid one, a fetch dsbc cannot
 * start (503, not remembered against the signer).
 */
static void
test_stir_verify_attacks(void)
{
	static const char from[] = "<sip:+12155551212@example.org;user=phone>";
	struct dsbc_es256 *signer = stir_pki_open();
	const struct dsbc_b2bua_stats *st;
	const struct sent *inv;
	char ident[1400], line[1500], two[3000], body[4096], sdp[2048];
	char fp512[256], got[512];
	unsigned int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(signer);
	setup_stir_route = DSBC_STIR_ENFORCE;
	setup(16);
	st = dsbc_b2bua_stats(b);
	snprintf(body, sizeof(body), "%s%s", SP_CRT, INTER_CRT);
#define SDP_FP(fpline) \
	"v=0\r\no=alice 1 1 IN IP4 10.0.0.10\r\ns=-\r\nc=IN IP4 10.0.0.10\r\n" \
	"t=0 0\r\nm=audio 7000 UDP/TLS/RTP/SAVP 0\r\na=setup:actpass\r\n" fpline
	/* the certificate, fetched for a first valid call */
	stir_token(signer, sp_url, fp_a, NULL, ident, sizeof(ident));
	snprintf(line, sizeof(line), "Identity: %s\n", ident);
	snprintf(sdp, sizeof(sdp), SDP_FP("a=fingerprint:%s\r\n"), fp_a);
	stir_invite_raw("at1", from, line, sdp);
	dsbc_b2bua_stir_fetched(b, sp_url, body, strlen(body), now_ms);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "INVITE "));
	/* the same token in another call: replayed */
	stir_invite_raw("at2", from, line, sdp);
	CU_ASSERT_EQUAL(a_status(), 438);
	CU_ASSERT_EQUAL(st->stir_result[DSBC_STIR_REPLAYED], 1);
	/* DTLS stripped on the way: no fingerprint under mky */
	stir_token(signer, sp_url, fp_a, NULL, ident, sizeof(ident));
	snprintf(line, sizeof(line), "Identity: %s\n", ident);
	stir_invite_raw("at3", from, line, "v=0\r\no=a 1 1 IN IP4 10.0.0.10\r\n"
			"s=-\r\nc=IN IP4 10.0.0.10\r\nt=0 0\r\n"
			"m=audio 7000 RTP/SAVP 0\r\na=crypto:1 "
			"AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgew"
			"kyMjA7fQp9CnVubGVz\r\n");
	CU_ASSERT_EQUAL(a_status(), 438);
	/* four signed fingerprints, then the middle box's */
	snprintf(sdp, sizeof(sdp), SDP_FP("a=fingerprint:%s\r\na=fingerprint:"
		 "%s\r\na=fingerprint:%s\r\na=fingerprint:%s\r\n"
		 "a=fingerprint:%s\r\n"), fp_a, fp_a, fp_a, fp_a, fp_m);
	stir_invite_raw("at4", from, line, sdp);
	CU_ASSERT_EQUAL(a_status(), 438);
	CU_ASSERT_EQUAL(st->stir_result[DSBC_STIR_MKY_MISMATCH], 2);
	/* a URI caller: no TNAuthList speaks for it */
	stir_token(signer, sp_url, fp_a, "sip:ceo@bank.example", ident,
		   sizeof(ident));
	snprintf(line, sizeof(line), "Identity: %s\n", ident);
	snprintf(sdp, sizeof(sdp), SDP_FP("a=fingerprint:%s\r\n"), fp_a);
	stir_invite_raw("at5", "<sip:ceo@bank.example>", line, sdp);
	CU_ASSERT_EQUAL(a_status(), 437);
	CU_ASSERT_EQUAL(st->stir_result[DSBC_STIR_BAD_CERT], 1);
	/* a host not in x5u_hosts: 436, nothing fetched */
	snprintf(cfg.stir.x5u_hosts, sizeof(cfg.stir.x5u_hosts),
		 "certs.example.org, .sti.example.net");
	stir_token(signer, "http://169.254.169.254/latest/meta-data", fp_a,
		   NULL, ident, sizeof(ident));
	snprintf(line, sizeof(line), "Identity: %s\n", ident);
	i = fk.fetches;
	stir_invite_raw("at6", from, line, sdp);
	CU_ASSERT_EQUAL(a_status(), 436);
	CU_ASSERT_EQUAL(fk.fetches, i);
	cfg.stir.x5u_hosts[0] = '\0';
	/* a caller's own verstat=Passed, on a valid call: gone at B */
	stir_token(signer, sp_url, fp_a, NULL, ident, sizeof(ident));
	snprintf(line, sizeof(line), "Identity: %s\n", ident);
	stir_invite_raw("at7", "<sip:+12155551212;verstat=TN-Validation-"
			"Passed@example.org;user=phone>", line, sdp);
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NOT_NULL(hval(inv, "From", got, sizeof(got)));
	CU_ASSERT_PTR_NULL(strstr(got, "verstat"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "<sip:+12155551212@example.org;"
				      "user=phone>"));
	/* a sha-512 fingerprint (the longest) verifies */
	snprintf(fp512, sizeof(fp512), "sha-512");
	for (i = 0; i < 64; i++)
		snprintf(fp512 + strlen(fp512), sizeof(fp512) - strlen(fp512),
			 "%s%02X", i ? ":" : " ", i);
	stir_token(signer, sp_url, fp512, NULL, ident, sizeof(ident));
	snprintf(line, sizeof(line), "Identity: %s\n", ident);
	snprintf(sdp, sizeof(sdp), SDP_FP("a=fingerprint:%s\r\n"), fp512);
	stir_invite_raw("at8", from, line, sdp);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "INVITE "));
	/* a bogus Identity, then a valid one: the valid one counts */
	stir_token(signer, sp_url, fp_a, NULL, ident, sizeof(ident));
	snprintf(two, sizeof(two), "Identity: a.b.c;info=<https://x.example/"
		 "c.pem>\nIdentity: %s\n", ident);
	snprintf(sdp, sizeof(sdp), SDP_FP("a=fingerprint:%s\r\n"), fp_a);
	stir_invite_raw("at9", from, two, sdp);
	CU_ASSERT_PTR_NOT_NULL(sent_to(&peer_b, "INVITE "));
	/* a fetch dsbc cannot start now: 503, and the next call fetches */
	stir_token(signer, "https://other.example/sp.pem", fp_a, NULL, ident,
		   sizeof(ident));
	snprintf(line, sizeof(line), "Identity: %s\n", ident);
	fk.fetch_fail = -EBUSY;
	stir_invite_raw("at10", from, line, sdp);
	CU_ASSERT_EQUAL(a_status(), 503);
	fk.fetch_fail = 0;
	i = fk.fetches;
	stir_invite_raw("at11", from, line, sdp);
	CU_ASSERT_EQUAL(fk.fetches, i + 1);
	CU_ASSERT_EQUAL(st->stir_fetch_refused, 1);
	teardown();

	/* mark: the caller's verstat and a '<' in its display name */
	setup_stir_route = DSBC_STIR_MARK;
	setup(16);
	stir_invite_raw("am1", "\"x<y@z\" <sip:+12155551212;verstat=TN-"
			"Validation-Passed@evil.example>", "", sdp);
	inv = sent_to(&peer_b, "INVITE ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv);
	CU_ASSERT_PTR_NOT_NULL(hval(inv, "From", got, sizeof(got)));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"x<y@z\"<sip:+12155551212;"
				      "verstat=No-TN-Validation@evil.example>"));
	CU_ASSERT_PTR_NULL(strstr(got, "Passed"));
	teardown();
#undef SDP_FP
	setup_stir_route = DSBC_STIR_OFF;
	stir_pki_close(signer);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("b2bua", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_basic_call_bye_from_a);
	UNIT_ADD(s, test_media_family_follows_offer);
	UNIT_ADD(s, test_stir_sign);
	UNIT_ADD(s, test_stir_verify);
	UNIT_ADD(s, test_stir_verify_attacks);
	UNIT_ADD(s, test_bye_from_b);
	UNIT_ADD(s, test_route_sets);
	UNIT_ADD(s, test_overload_hooks);
	UNIT_ADD(s, test_end_calls);
	UNIT_ADD(s, test_no_ack_from_a);
	UNIT_ADD(s, test_busy_486);
	UNIT_ADD(s, test_cancel);
	UNIT_ADD(s, test_cancel_races_200);
	UNIT_ADD(s, test_b_timeout_408);
	UNIT_ADD(s, test_lost_ack_retransmits_2xx);
	UNIT_ADD(s, test_missing_contact_400);
	UNIT_ADD(s, test_full_table_503);
	UNIT_ADD(s, test_spoofed_bye);
	UNIT_ADD(s, test_spoofed_cancel_and_ack);
	UNIT_ADD(s, test_stale_event_generation);
	UNIT_ADD(s, test_flow_failure_ends_call);
	UNIT_ADD(s, test_reinvite_refused_rolls_back);
	UNIT_ADD(s, test_update_and_glare);
	UNIT_ADD(s, test_ice_restart);
	UNIT_ADD(s, test_early_media_prack);
	UNIT_ADD(s, test_late_offer);
	UNIT_ADD(s, test_request_before_ack);
	UNIT_ADD(s, test_bad_branch_400);
	UNIT_ADD(s, test_unusable_crypto_488);
	UNIT_ADD(s, test_replaces_mapped);
	UNIT_ADD(s, test_media_prefix);
	UNIT_ADD(s, test_early_bye_no_leak);
	UNIT_ADD(s, test_long_ringing);
	UNIT_ADD(s, test_callid_shadowing_482);
	UNIT_ADD(s, test_stray_sdp_moves_nothing);
	UNIT_ADD(s, test_oversized_fields_400);
	UNIT_ADD(s, test_reinvite_acks);
	UNIT_ADD(s, test_reinvite_late_offer);
	UNIT_ADD(s, test_2xx_without_answer_502);
	UNIT_ADD(s, test_b_tag_too_long);
	UNIT_ADD(s, test_million_tokens);
	UNIT_ADD(s, test_register_auth_and_call);
	UNIT_ADD(s, test_route_transport);
	UNIT_ADD(s, test_register_outbound_430);
	return 0;
}
