/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP parser against the RFC 4475 torture messages (every file listed in
 * ../shared/conformance/rfc4475/expected.tsv), plus targeted cases and a
 * mutation loop for memory safety under ASan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dsbc_sip_check.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_msg.h"
#include "dsbc_sip_stream.h"
#include "dsbc_sip_txn.h"
#include "dsbc_sip_uri.h"
#include "unit.h"

const bool unit_needs_eal = false;

/* Option tags a B2BUA like dsbc can honour end to end. */
#define SUPPORTED "100rel,timer,replaces,norefersub"

/*
 * The conformance data lives beside the repository (../shared); a clone
 * elsewhere on the same machine finds it at /work/shared.  Missing data is
 * a failure, not a skip.
 */
static const char *
conf_dir(void)
{
	static const char *const dirs[] = {"../shared/conformance",
					   "/work/shared/conformance"};
	const char *d = getenv("DSBC_CONFORMANCE_DIR");
	char probe[512];
	unsigned int i;
	FILE *f;

	if (d != NULL)
		return d;
	for (i = 0; i < 2; i++) {
		snprintf(probe, sizeof(probe), "%s/rfc4475/expected.tsv",
			 dirs[i]);
		f = fopen(probe, "r");
		if (f != NULL) {
			fclose(f);
			return dirs[i];
		}
	}
	fprintf(stderr, "test_sip: no conformance data in ../shared or "
		"/work/shared (set DSBC_CONFORMANCE_DIR)\n");
	return dirs[0];
}

static char *
slurp(const char *path, uint32_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (uint32_t)n;
	return buf;
}

/* What dsbc does with a message: "accept", a status, or "discard". */
static void
verdict(const char *buf, uint32_t len, char *out, size_t outlen,
	enum dsbc_sip_err *err)
{
	static struct dsbc_sip_msg m;
	char unsup[256];
	int status;

	*err = dsbc_sip_parse(buf, len, &m);
	if (*err == DSBC_SIP_ERR_NONE)
		*err = m.request ? dsbc_sip_check_request(&m) :
			dsbc_sip_check_response(&m);
	if (*err != DSBC_SIP_ERR_NONE) {
		status = dsbc_sip_err_status(*err);
		if (status == 0 || !m.request)
			snprintf(out, outlen, "discard");
		else
			snprintf(out, outlen, "%d", status);
		return;
	}
	if (m.request && dsbc_sip_unsupported(&m, SUPPORTED, unsup,
					      sizeof(unsup)) > 0) {
		snprintf(out, outlen, "420");
		return;
	}
	snprintf(out, outlen, "accept");
}

/*
 * RFC 5118, SIP torture messages for IPv6: each as its expected.tsv says
 * (valid accepted, invalid refused with 400); the 4.10 three-colon form
 * may go either way (the RFC asks for tolerance, RFC 4291 refuses it).
 * Every Via value of an accepted message parses, received= included
 * (4.5: bracketed or bare).
 */
static void
test_rfc5118(void)
{
	static struct dsbc_sip_msg m;
	char path[512], line[1024], got[32];
	unsigned int n = 0, ok = 0, vias = 0;
	enum dsbc_sip_err err;
	FILE *tsv;

	snprintf(path, sizeof(path), "%s/rfc5118/expected.tsv", conf_dir());
	tsv = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tsv);
	while (fgets(line, sizeof(line), tsv) != NULL) {
		char *file = strtok(line, "\t"), *v = strtok(NULL, "\t");
		bool either = file != NULL &&
			      strcmp(file, "ipv6-bug-abnf-3-colons.dat") == 0;
		const char *want;
		unsigned int i;
		uint32_t len;
		char *buf;

		if (file == NULL || v == NULL || strcmp(file, "file") == 0)
			continue;
		want = strcmp(v, "valid") == 0 ? "accept" : "400";
		snprintf(path, sizeof(path), "%s/rfc5118/%s", conf_dir(), file);
		buf = slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		verdict(buf, len, got, sizeof(got), &err);
		printf("  %-34s %-7s -> %-7s %s\n", file, v, got,
		       dsbc_sip_err_name(err));
		n++;
		if (!either)
			CU_ASSERT_STRING_EQUAL(got, want);
		ok += strcmp(got, want) == 0;
		if (strcmp(got, "accept") == 0 &&
		    dsbc_sip_parse(buf, len, &m) == DSBC_SIP_ERR_NONE) {
			for (i = 0; i < m.nb_hdrs; i++) {
				const char *p = m.hdrs[i].value.p, *next;
				const char *end = p + m.hdrs[i].value.len;
				struct dsbc_sip_via via;

				if (m.hdrs[i].id != DSBC_SIP_H_VIA)
					continue;
				do {
					CU_ASSERT_EQUAL_FATAL(dsbc_sip_via_parse(
						p, end, &via, &next), 0);
					vias++;
					p = next;
				} while (p != NULL);
			}
		}
		free(buf);
	}
	fclose(tsv);
	printf("  rfc5118: %u files, %u as expected, %u Via values parsed\n",
	       n, ok, vias);
	CU_ASSERT_EQUAL(n, 12);
	CU_ASSERT(ok >= 11);
}

/* RFC 4475 outcome for each file, from its section's text. */
static const struct {
	const char *file;
	const char *want;
} expect[] = {
	{"wsinv.dat", "accept"}, {"intmeth.dat", "accept"},
	{"esc01.dat", "accept"}, {"escnull.dat", "accept"},
	{"esc02.dat", "accept"}, {"lwsdisp.dat", "accept"},
	{"longreq.dat", "accept"}, {"dblreq.dat", "accept"},
	{"semiuri.dat", "accept"}, {"transports.dat", "accept"},
	{"mpart01.dat", "accept"}, {"unreason.dat", "accept"},
	{"noreason.dat", "accept"}, {"badinv01.dat", "400"},
	{"clerr.dat", "400"}, {"ncl.dat", "400"}, {"scalar02.dat", "400"},
	{"scalarlg.dat", "discard"}, {"quotbal.dat", "400"},
	{"ltgtruri.dat", "400"}, {"lwsruri.dat", "400"},
	{"lwsstart.dat", "400"}, {"trws.dat", "400"}, {"escruri.dat", "400"},
	{"baddate.dat", "400"}, {"regbadct.dat", "400"},
	{"badaspec.dat", "400"},
	/* The archived bytes lack the final CRLF: no end of headers at all. */
	{"baddn.dat", "discard"}, {"variants/baddn_crlf_fixed.dat", "400"},
	{"badvers.dat", "505"}, {"mismatch01.dat", "400"},
	{"mismatch02.dat", "400"}, {"bigcode.dat", "discard"},
	{"badbranch.dat", "accept"}, {"insuf.dat", "400"},
	{"unkscm.dat", "416"}, {"novelsc.dat", "416"}, {"unksm2.dat", "accept"},
	{"bext01.dat", "420"}, {"invut.dat", "accept"},
	{"regaut01.dat", "accept"}, {"multi01.dat", "400"},
	{"mcl01.dat", "400"}, {"bcast.dat", "accept"}, {"zeromf.dat", "accept"},
	{"cparam01.dat", "accept"}, {"cparam02.dat", "accept"},
	{"regescrt.dat", "accept"}, {"sdp01.dat", "accept"},
	{"inv2543.dat", "accept"}, {"test.dat", "400"},
};

static const char *
expected_for(const char *file)
{
	unsigned int i;

	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		if (strcmp(expect[i].file, file) == 0)
			return expect[i].want;
	return NULL;
}

static void
test_rfc4475(void)
{
	char path[512], line[1024], got[32];
	unsigned int n = 0, valid = 0, valid_ok = 0, invalid = 0, bad_ok = 0;
	unsigned int i;
	enum dsbc_sip_err err;
	FILE *tsv;

	snprintf(path, sizeof(path), "%s/rfc4475/expected.tsv", conf_dir());
	tsv = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tsv);
	while (fgets(line, sizeof(line), tsv) != NULL) {
		char *file = strtok(line, "\t"), *v = strtok(NULL, "\t");
		const char *want;
		uint32_t len;
		char *buf;

		if (file == NULL || v == NULL || strcmp(file, "file") == 0)
			continue;
		want = expected_for(file);
		CU_ASSERT_PTR_NOT_NULL(want);
		snprintf(path, sizeof(path), "%s/rfc4475/%s", conf_dir(), file);
		buf = slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		verdict(buf, len, got, sizeof(got), &err);
		printf("  %-16s %-7s -> %-7s %s\n", file, v, got,
		       dsbc_sip_err_name(err));
		n++;
		if (strcmp(v, "valid") == 0) {
			valid++;
			valid_ok += want && strcmp(got, want) == 0;
		} else {
			invalid++;
			bad_ok += want && strcmp(got, want) == 0 &&
				  strcmp(got, "accept") != 0;
		}
		CU_ASSERT_STRING_EQUAL(got, want ? want : "?");
		free(buf);
	}
	fclose(tsv);
	printf("  rfc4475: %u files, valid as expected %u/%u, invalid "
	       "rejected as expected %u/%u\n", n, valid_ok, valid, bad_ok,
	       invalid);
	CU_ASSERT_EQUAL(n, 50);
	/* The variant files are not in the index. */
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		uint32_t len;
		char *buf;

		if (strncmp(expect[i].file, "variants/", 9) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/rfc4475/%s", conf_dir(),
			 expect[i].file);
		buf = slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		verdict(buf, len, got, sizeof(got), &err);
		printf("  %-16s -> %s %s\n", expect[i].file, got,
		       dsbc_sip_err_name(err));
		CU_ASSERT_STRING_EQUAL(got, expect[i].want);
		free(buf);
	}
}

static const char base[] =
	"INVITE sip:bob@example.com SIP/2.0\r\n"
	"v: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK77;rport, "
	"SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK78;received=192.0.2.9\r\n"
	"f: \"Alice\" <sip:%61lice@example.com>;tag=a1\r\n"
	"t: <sip:bob@example.com>\r\n"
	"i: abc@10.0.0.1\r\n"
	"CSeq: 1\r\n INVITE\r\n"
	"Max-Forwards: 70\r\n"
	"m: <sip:alice@10.0.0.1:5062;transport=udp>;expires=60, sip:x@y\r\n"
	"Identity: abc.def.ghi;info=<https://cert.example.org/a.cer>\r\n"
	"l: 4\r\n"
	"\r\n"
	"v=0\r\n";

static void
test_headers(void)
{
	static struct dsbc_sip_msg m;
	const struct dsbc_sip_hdr *h;
	struct dsbc_sip_via v;
	struct dsbc_sip_nameaddr na;
	struct dsbc_sip_uri u;
	const char *next;
	uint32_t seq;
	struct dsbc_sip_str meth, a = {"%61lice", 7}, b = {"alice", 5};

	CU_ASSERT_EQUAL_FATAL(dsbc_sip_parse(base, sizeof(base) - 1, &m),
			      DSBC_SIP_ERR_NONE);
	CU_ASSERT_EQUAL(dsbc_sip_check_request(&m), DSBC_SIP_ERR_NONE);
	CU_ASSERT(m.request);
	CU_ASSERT_EQUAL(m.method_id, DSBC_SIP_M_INVITE);
	CU_ASSERT_EQUAL(m.body.len, 4);
	CU_ASSERT_EQUAL(memcmp(m.body.p, "v=0\r", 4), 0);
	CU_ASSERT_EQUAL(m.msg_len, sizeof(base) - 1 - 1);
	/* compact forms map to the full names */
	CU_ASSERT_EQUAL(m.count[DSBC_SIP_H_VIA], 1);
	CU_ASSERT_EQUAL(m.count[DSBC_SIP_H_CONTACT], 1);
	CU_ASSERT_PTR_NOT_NULL(dsbc_sip_hdr_get(&m, DSBC_SIP_H_IDENTITY, 0));
	/* two Via values on one line, RFC 3581 rport and received */
	h = dsbc_sip_hdr_get(&m, DSBC_SIP_H_VIA, 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_sip_via_parse(h->value.p, h->value.p +
						 h->value.len, &v, &next), 0);
	CU_ASSERT_EQUAL(v.port, 5062);
	CU_ASSERT(v.has_rport);
	CU_ASSERT_EQUAL(v.rport, 0);
	CU_ASSERT_EQUAL(v.branch.len, 9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL(dsbc_sip_via_parse(next, h->value.p + h->value.len,
					   &v, &next), 0);
	CU_ASSERT_PTR_NULL(next);
	CU_ASSERT_EQUAL(v.host.len, strlen("[2001:db8::1]"));
	CU_ASSERT_EQUAL(v.received.len, strlen("192.0.2.9"));
	CU_ASSERT(!v.has_rport);
	{
		/* baresip's answer over IPv6: received is a bare IPv6address
		 * (RFC 3261 25.1 via-received, RFC 5118 4.5) */
		static const char b6[] = "SIP/2.0/UDP [fd00:b::1]:5060;"
			"branch=z9hG4bKdsbcI3;rport=5060;received=fd00:b::1";
		static const char bad[] = "SIP/2.0/UDP h;received=fd00:b;x";
		static const char bad2[] = "SIP/2.0/UDP h;branch=z9:1::2";

		CU_ASSERT_EQUAL_FATAL(dsbc_sip_via_parse(b6, b6 + sizeof(b6) - 1,
							 &v, &next), 0);
		CU_ASSERT_PTR_NULL(next);
		CU_ASSERT_EQUAL(v.rport, 5060);
		CU_ASSERT_EQUAL(v.received.len, strlen("fd00:b::1"));
		CU_ASSERT_EQUAL(memcmp(v.received.p, "fd00:b::1", 9), 0);
		struct dsbc_sip_str al;
		static const char a5923[] = "SIP/2.0/TLS 192.0.2.7:5061 ; "
			"branch=z9hG4bKx ; ALIAS ;rport";

		/* RFC 5923's alias, a flag anywhere among the params */
		CU_ASSERT_EQUAL_FATAL(dsbc_sip_via_parse(a5923, a5923 +
							 sizeof(a5923) - 1,
							 &v, &next), 0);
		CU_ASSERT_EQUAL(dsbc_sip_via_param(&v, "alias", &al), 1);
		CU_ASSERT_EQUAL(al.len, 0);
		CU_ASSERT_EQUAL(dsbc_sip_via_param(&v, "branch", &al), 1);
		CU_ASSERT_EQUAL(al.len, strlen("z9hG4bKx"));
		CU_ASSERT_EQUAL(dsbc_sip_via_param(&v, "alia", &al), 0);
		CU_ASSERT_EQUAL_FATAL(dsbc_sip_via_parse(b6, b6 + sizeof(b6) - 1,
							 &v, &next), 0);
		CU_ASSERT_EQUAL(dsbc_sip_via_param(&v, "alias", &al), 0);
		/* one colon is no IPv6 address: a token, then junk */
		CU_ASSERT_NOT_EQUAL(dsbc_sip_via_parse(bad, bad + sizeof(bad) - 1,
						       &v, &next), 0);
		/* only received takes one: a branch is a token */
		CU_ASSERT_NOT_EQUAL(dsbc_sip_via_parse(bad2, bad2 +
						       sizeof(bad2) - 1, &v,
						       &next), 0);
	}
	/* folded CSeq */
	h = dsbc_sip_hdr_get(&m, DSBC_SIP_H_CSEQ, 0);
	CU_ASSERT_EQUAL(dsbc_sip_cseq_parse(h->value, &seq, &meth), 0);
	CU_ASSERT_EQUAL(seq, 1);
	/* From with display name, escaped user, tag */
	h = dsbc_sip_hdr_get(&m, DSBC_SIP_H_FROM, 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						      h->value.len, &na, false,
						      &next), 0);
	CU_ASSERT_EQUAL(na.tag.len, 2);
	CU_ASSERT(dsbc_sip_user_eq(na.uri.user, b));
	CU_ASSERT(dsbc_sip_user_eq(a, b));
	CU_ASSERT(!dsbc_sip_user_eq(a, (struct dsbc_sip_str){"alicf", 5}));
	/* empty users, one without a pointer: no arithmetic on NULL */
	CU_ASSERT(dsbc_sip_user_eq((struct dsbc_sip_str){NULL, 0},
				   (struct dsbc_sip_str){"", 0}));
	CU_ASSERT(!dsbc_sip_user_eq((struct dsbc_sip_str){NULL, 0}, a));
	CU_ASSERT(!dsbc_sip_user_eq(a, (struct dsbc_sip_str){NULL, 0}));
	{
		struct dsbc_sip_uri nop;
		struct dsbc_sip_str pv;

		CU_ASSERT_EQUAL_FATAL(dsbc_sip_uri_parse("sip:h", 5, &nop), 0);
		CU_ASSERT_EQUAL(nop.params.len, 0);
		CU_ASSERT_EQUAL(dsbc_sip_uri_param(&nop, "lr", &pv), 0);
		nop.params.p = NULL;
		CU_ASSERT_EQUAL(dsbc_sip_uri_param(&nop, "lr", &pv), 0);
	}
	/* URI parts */
	CU_ASSERT_EQUAL(dsbc_sip_uri_parse("sips:u:pw@[::1]:5061;lr;x=1?h=v",
					   31, &u), 0);
	CU_ASSERT_EQUAL(u.scheme, DSBC_SIP_SCHEME_SIPS);
	CU_ASSERT_EQUAL(u.port, 5061);
	CU_ASSERT_EQUAL(u.password.len, 2);
	CU_ASSERT_EQUAL(u.params.len, 6);
	CU_ASSERT_EQUAL(u.headers.len, 3);
	CU_ASSERT_NOT_EQUAL(dsbc_sip_uri_parse("sip:a@b:99999", 13, &u), 0);
	CU_ASSERT_NOT_EQUAL(dsbc_sip_uri_parse("sip:a@b c", 9, &u), 0);
	CU_ASSERT_NOT_EQUAL(dsbc_sip_uri_parse("sip:%zz@b", 9, &u), 0);
}

static void
test_limits(void)
{
	static struct dsbc_sip_msg m;
	static char big[70000];
	char *p = big;
	int i;

	p += sprintf(p, "OPTIONS sip:a@b SIP/2.0\r\n");
	for (i = 0; i < DSBC_SIP_MAX_HDRS + 1; i++)
		p += sprintf(p, "X-H%d: v\r\n", i);
	p += sprintf(p, "\r\n");
	CU_ASSERT_EQUAL(dsbc_sip_parse(big, (uint32_t)(p - big), &m),
			DSBC_SIP_ERR_TOO_MANY_HDRS);
	CU_ASSERT_EQUAL(dsbc_sip_err_status(DSBC_SIP_ERR_TOO_MANY_HDRS), 400);
	memset(big, 'a', sizeof(big));
	CU_ASSERT_EQUAL(dsbc_sip_parse(big, sizeof(big), &m),
			DSBC_SIP_ERR_TOO_BIG);
	CU_ASSERT_EQUAL(dsbc_sip_parse("", 0, &m), DSBC_SIP_ERR_NO_END);
	CU_ASSERT_EQUAL(dsbc_sip_parse("SIP/2.0 200 OK\r\n", 16, &m),
			DSBC_SIP_ERR_NO_END);
}

/* Truncations and byte flips of valid messages: no crash, no overread. */
static void
test_mutations(void)
{
	static struct dsbc_sip_msg m;
	static const char *const files[] = {"wsinv.dat", "intmeth.dat",
					    "longreq.dat", "mpart01.dat"};
	char path[512];
	unsigned int f, i, accepted = 0;

	srand(4475);
	for (f = 0; f < 4; f++) {
		uint32_t len;
		char *orig, *buf;

		snprintf(path, sizeof(path), "%s/rfc4475/%s", conf_dir(),
			 files[f]);
		orig = slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
		for (i = 0; i < 25000; i++) {
			uint32_t n = (i & 1) ? (uint32_t)rand() % (len + 1) : len;
			unsigned int k;

			/* exact-size copy so ASan sees any overread */
			buf = malloc(n ? n : 1);
			memcpy(buf, orig, n);
			for (k = 0; k < 1 + i % 5 && n > 0; k++)
				buf[rand() % n] = (char)rand();
			if (dsbc_sip_parse(buf, n, &m) == DSBC_SIP_ERR_NONE) {
				if (m.request)
					accepted += dsbc_sip_check_request(&m) ==
						    DSBC_SIP_ERR_NONE;
				else
					dsbc_sip_check_response(&m);
				CU_ASSERT(m.msg_len <= n);
			}
			free(buf);
		}
		free(orig);
	}
	printf("  mutations: 100000 runs, %u still accepted\n", accepted);
}

/* ---- transactions (RFC 3261 section 17) with a driven clock ---- */

struct wire {
	unsigned int sent;
	char last[4096];
	unsigned int timeouts;
	unsigned int terminated;
};

static void
w_send(void *ctx, const void *dest, const char *msg, uint32_t len)
{
	struct wire *w = ctx;

	(void)dest;
	w->sent++;
	snprintf(w->last, sizeof(w->last), "%.*s", (int)len, msg);
}

static void
w_timeout(void *ctx, struct dsbc_sip_txn *t)
{
	(void)t;
	((struct wire *)ctx)->timeouts++;
}

static void
w_terminated(void *ctx, struct dsbc_sip_txn *t)
{
	(void)t;
	((struct wire *)ctx)->terminated++;
}

static const struct dsbc_sip_txl_ops w_ops = {
	w_send, w_timeout, w_terminated,
};

static const char invite[] =
	"INVITE sip:bob@192.0.2.20 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc1\r\n"
	"Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>\r\n"
	"Call-ID: c1@x\r\nCSeq: 7 INVITE\r\nRoute: <sip:p1;lr>\r\n"
	"Content-Length: 0\r\n\r\n";

static void
msg_of(const char *text, struct dsbc_sip_msg *m)
{
	CU_ASSERT_EQUAL_FATAL(dsbc_sip_parse(text, (uint32_t)strlen(text), m),
			      DSBC_SIP_ERR_NONE);
}

static char respbuf[1024];

static const char *
resp(int status, const char *branch, const char *method)
{
	snprintf(respbuf, sizeof(respbuf),
		 "SIP/2.0 %d X\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=%s\r\n"
		 "From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>;tag=t9\r\n"
		 "Call-ID: c1@x\r\nCSeq: 7 %s\r\nContent-Length: 0\r\n\r\n",
		 status, branch, method);
	return respbuf;
}

static void
test_txn_invite_client(void)
{
	static struct dsbc_sip_msg req, r;
	struct dsbc_sip_txl_cfg cfg = { .max_txns = 8 };
	struct wire w = {0};
	struct dsbc_sip_txl *l = dsbc_sip_txl_create(&cfg, &w_ops, &w);
	struct dsbc_sip_txn *t;
	int dest = 1;
	bool deliver;
	uint64_t ms;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	msg_of(invite, &req);
	t = dsbc_sip_txn_client(l, "z9hG4bKc1", 9, &req, &dest, sizeof(dest),
				NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(w.sent, 1);
	/* Timer A: 500, 1000, 2000, ... ms after the previous */
	for (ms = 0; ms <= 3500; ms += 10)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.sent, 4);     /* at 500, 1500, 3500 */
	/* same branch refused while it lives */
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_client(l, "z9hG4bKc1", 9, &req, &dest,
					       sizeof(dest), NULL, 3500));
	/* 180 stops retransmission, delivered */
	msg_of(resp(180, "z9hG4bKc1", "INVITE"), &r);
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_response(l, &r, 3600, &deliver), t);
	CU_ASSERT(deliver);
	for (ms = 3600; ms <= 20000; ms += 100)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.sent, 4);
	/* 486: delivered once, ACK sent by the layer with the To tag */
	msg_of(resp(486, "z9hG4bKc1", "INVITE"), &r);
	dsbc_sip_txn_response(l, &r, 20000, &deliver);
	CU_ASSERT(deliver);
	CU_ASSERT_EQUAL(w.sent, 5);
	CU_ASSERT(strncmp(w.last, "ACK sip:bob@192.0.2.20 SIP/2.0\r\n", 32) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.last, "CSeq: 7 ACK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w.last, "To: <sip:bob@y>;tag=t9\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w.last, "Route: <sip:p1;lr>\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w.last, "branch=z9hG4bKc1"));
	/* retransmitted 486: absorbed, ACK repeated */
	dsbc_sip_txn_response(l, &r, 20100, &deliver);
	CU_ASSERT(!deliver);
	CU_ASSERT_EQUAL(w.sent, 6);
	/* timer D (32 s) ends it */
	dsbc_sip_txl_tick(l, 20000 + 31999);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 1);
	dsbc_sip_txl_tick(l, 20000 + 32000);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	CU_ASSERT_EQUAL(w.terminated, 1);
	CU_ASSERT_EQUAL(w.timeouts, 0);
	/* no answer at all: timer B at 64*T1 */
	t = dsbc_sip_txn_client(l, "z9hG4bKc1", 9, &req, &dest, sizeof(dest),
				NULL, 100000);
	CU_ASSERT_PTR_NOT_NULL(t);
	for (ms = 100000; ms <= 100000 + 32000; ms += 250)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.timeouts, 1);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	/* 2xx: delivered, the ICT ends; a late 2xx finds no transaction */
	t = dsbc_sip_txn_client(l, "z9hG4bKc1", 9, &req, &dest, sizeof(dest),
				NULL, 200000);
	msg_of(resp(200, "z9hG4bKc1", "INVITE"), &r);
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_response(l, &r, 200010, &deliver), t);
	CU_ASSERT(deliver);
	dsbc_sip_txl_tick(l, 200010);
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_response(l, &r, 200020, &deliver));
	dsbc_sip_txl_free(l);
}

static void
test_txn_non_invite_client(void)
{
	static struct dsbc_sip_msg req, r;
	static const char bye[] =
		"BYE sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKb1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>;tag=t9\r\n"
		"Call-ID: c1@x\r\nCSeq: 8 BYE\r\nContent-Length: 0\r\n\r\n";
	struct dsbc_sip_txl_cfg cfg = { .max_txns = 4 };
	struct wire w = {0};
	struct dsbc_sip_txl *l = dsbc_sip_txl_create(&cfg, &w_ops, &w);
	int dest = 2;
	bool deliver;
	uint64_t ms;

	msg_of(bye, &req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dsbc_sip_txn_client(l, "z9hG4bKb1", 9, &req,
							 &dest, sizeof(dest),
							 NULL, 0));
	/* Timer E: 500, 1000, 2000, 4000, 4000, ... (capped at T2) */
	for (ms = 0; ms <= 15500; ms += 10)
		dsbc_sip_txl_tick(l, ms);
	/* sends at 0, 500, 1500, 3500, 7500, 11500, 15500 */
	CU_ASSERT_EQUAL(w.sent, 7);
	/* a response for another method with the same branch: not ours */
	msg_of(resp(200, "z9hG4bKb1", "INVITE"), &r);
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_response(l, &r, 15600, &deliver));
	msg_of(resp(200, "z9hG4bKb1", "BYE"), &r);
	CU_ASSERT_PTR_NOT_NULL(dsbc_sip_txn_response(l, &r, 15600, &deliver));
	CU_ASSERT(deliver);
	dsbc_sip_txn_response(l, &r, 15700, &deliver);
	CU_ASSERT(!deliver);
	/* timer K = T4 */
	dsbc_sip_txl_tick(l, 15600 + 4999);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 1);
	dsbc_sip_txl_tick(l, 15600 + 5000);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	dsbc_sip_txl_free(l);
}

static void
test_txn_invite_server(void)
{
	static struct dsbc_sip_msg req, ack;
	static const char ackmsg[] =
		"ACK sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>;tag=t9\r\n"
		"Call-ID: c1@x\r\nCSeq: 7 ACK\r\nContent-Length: 0\r\n\r\n";
	struct dsbc_sip_txl_cfg cfg = { .max_txns = 4 };
	struct wire w = {0};
	struct dsbc_sip_txl *l = dsbc_sip_txl_create(&cfg, &w_ops, &w);
	struct dsbc_sip_txn *t;
	int dest = 3;
	uint64_t ms;

	msg_of(invite, &req);
	msg_of(ackmsg, &ack);
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_match_request(l, &req, 0));
	t = dsbc_sip_txn_server(l, &req, &dest, sizeof(dest), NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(dsbc_sip_txn_respond(l, t, 100, "100", 3, 0), 0);
	/* retransmitted INVITE: absorbed, 100 resent */
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_match_request(l, &req, 10), t);
	CU_ASSERT_EQUAL(w.sent, 2);
	/* 486: timer G retransmits until the ACK */
	CU_ASSERT_EQUAL(dsbc_sip_txn_respond(l, t, 486, "486", 3, 1000), 0);
	CU_ASSERT_EQUAL(w.sent, 3);
	for (ms = 1000; ms <= 2500; ms += 10)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.sent, 5);     /* 1500, 2500 */
	CU_ASSERT_STRING_EQUAL(w.last, "486");
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_match_request(l, &ack, 2600), t);
	CU_ASSERT_EQUAL(t->state, DSBC_TXN_CONFIRMED);
	for (ms = 2600; ms <= 7000; ms += 10)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.sent, 5);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 1);
	dsbc_sip_txl_tick(l, 2600 + 5000);        /* timer I */
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	/* 2xx: Accepted (RFC 6026), INVITE retransmissions absorbed without
	 * a resend, the ACK goes to the TU, timer L ends it */
	t = dsbc_sip_txn_server(l, &req, &dest, sizeof(dest), NULL, 10000);
	dsbc_sip_txn_respond(l, t, 200, "200", 3, 10000);
	w.sent = 0;
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_match_request(l, &req, 10100), t);
	CU_ASSERT_EQUAL(w.sent, 0);
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_match_request(l, &ack, 10200));
	dsbc_sip_txl_tick(l, 10000 + 32000);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	/* no ACK ever: timer H */
	t = dsbc_sip_txn_server(l, &req, &dest, sizeof(dest), NULL, 50000);
	dsbc_sip_txn_respond(l, t, 500, "500", 3, 50000);
	w.timeouts = 0;
	for (ms = 50000; ms <= 50000 + 32000; ms += 100)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.timeouts, 1);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	dsbc_sip_txl_free(l);
}

static void
test_txn_non_invite_server_and_cancel(void)
{
	static struct dsbc_sip_msg req, opt, cancel;
	static const char options[] =
		"OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKo\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: o@h\r\n"
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	static const char cancelmsg[] =
		"CANCEL sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>\r\n"
		"Call-ID: c1@x\r\nCSeq: 7 CANCEL\r\nContent-Length: 0\r\n\r\n";
	struct dsbc_sip_txl_cfg cfg = { .max_txns = 2 };
	struct wire w = {0};
	struct dsbc_sip_txl *l = dsbc_sip_txl_create(&cfg, &w_ops, &w);
	struct dsbc_sip_txn *t, *inv;
	int dest = 4;

	msg_of(options, &opt);
	msg_of(invite, &req);
	msg_of(cancelmsg, &cancel);
	t = dsbc_sip_txn_server(l, &opt, &dest, sizeof(dest), NULL, 0);
	/* Trying: a retransmission is absorbed silently */
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_match_request(l, &opt, 5), t);
	CU_ASSERT_EQUAL(w.sent, 0);
	dsbc_sip_txn_respond(l, t, 200, "200", 3, 10);
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_match_request(l, &opt, 20), t);
	CU_ASSERT_EQUAL(w.sent, 2);
	/* one final answer only */
	CU_ASSERT_EQUAL(dsbc_sip_txn_respond(l, t, 500, "500", 3, 30), -1);
	/* CANCEL finds its INVITE; the CANCEL itself is a new NIST */
	inv = dsbc_sip_txn_server(l, &req, &dest, sizeof(dest), NULL, 40);
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_cancel_target(l, &cancel), inv);
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_match_request(l, &cancel, 50));
	/* table full (2 entries) */
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_server(l, &cancel, &dest, sizeof(dest),
					       NULL, 60));
	dsbc_sip_txl_tick(l, 10 + 32000);         /* timer J */
	CU_ASSERT_PTR_NOT_NULL(dsbc_sip_txn_server(l, &cancel, &dest,
						   sizeof(dest), NULL, 60));
	dsbc_sip_txl_free(l);
}

/* RFC 3261 17.2.3 and 9.2: a request matches a server transaction on
 * branch, sent-by and method; the same branch from another sent-by is
 * another transaction, and a CANCEL from another sent-by cancels
 * nothing.  Host case does not matter, the port does. */
static void
test_txn_server_sent_by(void)
{
	static struct dsbc_sip_msg req, other, upper, port, cancel, cancel2;
	static const char inv_other[] =
		"INVITE sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKc1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>\r\n"
		"Call-ID: c1@x\r\nCSeq: 7 INVITE\r\nContact: <sip:a@x>\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char inv_port[] =
		"INVITE sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKc1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>\r\n"
		"Call-ID: c1@x\r\nCSeq: 7 INVITE\r\nContact: <sip:a@x>\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char opt_lower[] =
		"OPTIONS sip:x@y SIP/2.0\r\n"
		"Via: SIP/2.0/UDP pbx.example.com;branch=z9hG4bKo2\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: o2@h\r\n"
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	static const char opt_upper[] =
		"OPTIONS sip:x@y SIP/2.0\r\n"
		"Via: SIP/2.0/UDP PBX.Example.COM;branch=z9hG4bKo2\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: o2@h\r\n"
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	static const char cancel_spoof[] =
		"CANCEL sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bKc1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>\r\n"
		"Call-ID: c1@x\r\nCSeq: 7 CANCEL\r\nContent-Length: 0\r\n\r\n";
	static const char cancel_ok[] =
		"CANCEL sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>\r\n"
		"Call-ID: c1@x\r\nCSeq: 7 CANCEL\r\nContent-Length: 0\r\n\r\n";
	struct dsbc_sip_txl_cfg cfg = { .max_txns = 8, .hash_seed = 77 };
	struct wire w = {0};
	struct dsbc_sip_txl *l = dsbc_sip_txl_create(&cfg, &w_ops, &w);
	struct dsbc_sip_txn *t, *o;
	static struct dsbc_sip_msg lower;
	int dest = 5;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	msg_of(invite, &req);
	msg_of(inv_other, &other);
	msg_of(inv_port, &port);
	msg_of(opt_lower, &lower);
	msg_of(opt_upper, &upper);
	msg_of(cancel_spoof, &cancel);
	msg_of(cancel_ok, &cancel2);
	t = dsbc_sip_txn_server(l, &req, &dest, sizeof(dest), NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_match_request(l, &req, 1), t);
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_match_request(l, &other, 2));
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_match_request(l, &port, 3));
	CU_ASSERT_PTR_NULL(dsbc_sip_txn_cancel_target(l, &cancel));
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_cancel_target(l, &cancel2), t);
	o = dsbc_sip_txn_server(l, &lower, &dest, sizeof(dest), NULL, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_EQUAL(dsbc_sip_txn_match_request(l, &upper, 5), o);
	dsbc_sip_txl_free(l);
}

/* ---- stream framing (RFC 3261 18.3, RFC 5626 4.4.1) ---- */

static const char stream_msg[] =
	"OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKs\r\n"
	"Content-Length: 5\r\n\r\nhello";

/* Two messages and a ping in one read come out one by one; a message
 * fed a byte at a time comes out when its body's last byte is in. */
static void
test_stream_framing(void)
{
	struct dsbc_sip_stream st;
	char in[1024];
	const char *m;
	uint32_t len, i, n = (uint32_t)strlen(stream_msg);

	CU_ASSERT_EQUAL_FATAL(dsbc_sip_stream_init(&st, 1024), 0);
	snprintf(in, sizeof(in), "%s\r\n\r\n%s", stream_msg, stream_msg);
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, in, (uint32_t)strlen(in)), 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_MSG);
	CU_ASSERT_EQUAL(len, n);
	CU_ASSERT(len == n && memcmp(m, stream_msg, n) == 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_PING);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_MSG);
	CU_ASSERT_EQUAL(len, n);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_NEED);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
				DSBC_SIP_STREAM_NEED);
		CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, stream_msg + i, 1), 0);
	}
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_MSG);
	CU_ASSERT(len == n && memcmp(m, stream_msg, n) == 0);
	/* a ping split in two is still one ping; a lone CRLF before a
	 * message is skipped; after our ping a lone CRLF is the pong */
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, "\r\n\r", 3), 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_NEED);
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, "\n", 1), 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_PING);
	snprintf(in, sizeof(in), "\r\n%s", stream_msg);
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, in, (uint32_t)strlen(in)), 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_MSG);
	CU_ASSERT_EQUAL(len, n);
	/* many in one read come out in turn, with the room of the buffer
	 * back once they are all taken; a body a byte at a time */
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, stream_msg, n), 0);
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
				DSBC_SIP_STREAM_MSG);
		CU_ASSERT(len == n && memcmp(m, stream_msg, n) == 0);
	}
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_NEED);
	CU_ASSERT_EQUAL(dsbc_sip_stream_room(&st), 1024);
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, stream_msg, n - 5), 0);
	for (i = n - 5; i < n; i++) {
		CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
				DSBC_SIP_STREAM_NEED);
		CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, stream_msg + i, 1), 0);
	}
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_MSG);
	CU_ASSERT(len == n && memcmp(m, stream_msg, n) == 0);
	dsbc_sip_stream_pinged(&st);
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, "\r\n", 2), 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_PONG);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_NEED);
	dsbc_sip_stream_free(&st);
}

/* What ends a connection: no Content-Length (mandatory on streams,
 * 20.14), a bad or contradicting one, a message or header block over the
 * limit (refused as soon as it is known, never waited for). */
static void
test_stream_errors(void)
{
	static const struct {
		const char *in;
		enum dsbc_sip_stream_rc rc;
	} cases[] = {
		{ "BYE sip:x SIP/2.0\r\nVia: v\r\n\r\n",
		  DSBC_SIP_STREAM_NO_LENGTH },
		{ "BYE sip:x SIP/2.0\r\nContent-Length: x1\r\n\r\n",
		  DSBC_SIP_STREAM_BAD_LENGTH },
		{ "BYE sip:x SIP/2.0\r\nContent-Length: 1 2\r\n\r\n",
		  DSBC_SIP_STREAM_BAD_LENGTH },
		{ "BYE sip:x SIP/2.0\r\nl: 2\r\nContent-Length: 3\r\n\r\n",
		  DSBC_SIP_STREAM_BAD_LENGTH },
		{ "BYE sip:x SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n",
		  DSBC_SIP_STREAM_BAD_LENGTH },
		{ "BYE sip:x SIP/2.0\r\nContent-Length: 200\r\n\r\n",
		  DSBC_SIP_STREAM_TOO_BIG },
		{ "BYE sip:x SIP/2.0\r\nl : 0\r\nX-Content-Length: 7\r\n\r\n",
		  DSBC_SIP_STREAM_MSG },
	};
	struct dsbc_sip_stream st;
	char big[128];
	const char *m;
	uint32_t len;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(dsbc_sip_stream_init(&st, 128), 0);
		CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, cases[i].in,
				(uint32_t)strlen(cases[i].in)), 0);
		CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len), cases[i].rc);
		dsbc_sip_stream_free(&st);
	}
	/* headers that never end fill the buffer: too big, not NEED */
	CU_ASSERT_EQUAL_FATAL(dsbc_sip_stream_init(&st, 128), 0);
	memset(big, 'a', sizeof(big));
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, big, 100), 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_NEED);
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, big, 28), 0);
	CU_ASSERT_EQUAL(dsbc_sip_stream_next(&st, &m, &len),
			DSBC_SIP_STREAM_TOO_BIG);
	CU_ASSERT_EQUAL(dsbc_sip_stream_push(&st, big, 1), -ENOSPC);
	dsbc_sip_stream_free(&st);
}


/* dest values >= 100 are on a stream transport */
static bool
w_reliable(void *ctx, const void *dest)
{
	(void)ctx;
	return *(const int *)dest >= 100;
}

static const struct dsbc_sip_txl_ops w_ops_rel = {
	w_send, w_timeout, w_terminated, w_reliable,
};

/* RFC 3261 17.1.1.2, 17.1.2.2, 17.2.1, 17.2.2: on TCP or TLS nothing is
 * retransmitted, timers D, I, J and K are 0; B, F and H still run */
static void
test_txn_reliable(void)
{
	static struct dsbc_sip_msg req, r, ack;
	static const char ackmsg[] =
		"ACK sip:bob@192.0.2.20 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc1\r\n"
		"From: <sip:a@x>;tag=f1\r\nTo: <sip:bob@y>;tag=t9\r\n"
		"Call-ID: c1@x\r\nCSeq: 7 ACK\r\nContent-Length: 0\r\n\r\n";
	struct dsbc_sip_txl_cfg cfg = { .max_txns = 8 };
	struct wire w = {0};
	struct dsbc_sip_txl *l = dsbc_sip_txl_create(&cfg, &w_ops_rel, &w);
	struct dsbc_sip_txn *t;
	int tcp = 100, udp = 1;
	bool deliver;
	uint64_t ms;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	msg_of(invite, &req);
	/* client INVITE: no timer A; a 486 ends it at once (D = 0) */
	t = dsbc_sip_txn_client(l, "z9hG4bKc1", 9, &req, &tcp, sizeof(tcp),
				NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(t->reliable);
	for (ms = 0; ms <= 10000; ms += 10)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.sent, 1);
	msg_of(resp(486, "z9hG4bKc1", "INVITE"), &r);
	dsbc_sip_txn_response(l, &r, 10000, &deliver);
	CU_ASSERT(deliver);
	CU_ASSERT_EQUAL(w.sent, 2);             /* the ACK */
	dsbc_sip_txl_tick(l, 10000);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	/* no answer: timer B still gives up at 64*T1 */
	dsbc_sip_txn_client(l, "z9hG4bKc1", 9, &req, &tcp, sizeof(tcp), NULL,
			    20000);
	for (ms = 20000; ms <= 20000 + 32000; ms += 250)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.sent, 3);
	CU_ASSERT_EQUAL(w.timeouts, 1);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	/* server INVITE, 486: no timer G; its ACK ends it (I = 0) */
	t = dsbc_sip_txn_server(l, &req, &tcp, sizeof(tcp), NULL, 60000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	dsbc_sip_txn_respond(l, t, 486, "SIP/2.0 486 Busy\r\n\r\n", 20, 60000);
	for (ms = 60000; ms <= 70000; ms += 10)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT_EQUAL(w.sent, 4);
	msg_of(ackmsg, &ack);
	CU_ASSERT_PTR_NOT_NULL(dsbc_sip_txn_match_request(l, &ack, 70000));
	dsbc_sip_txl_tick(l, 70000);
	CU_ASSERT_EQUAL(dsbc_sip_txl_count(l), 0);
	/* the same over UDP keeps timer G (retransmits within 10 s) */
	t = dsbc_sip_txn_server(l, &req, &udp, sizeof(udp), NULL, 80000);
	CU_ASSERT_FALSE(t->reliable);
	dsbc_sip_txn_respond(l, t, 486, "SIP/2.0 486 Busy\r\n\r\n", 20, 80000);
	for (ms = 80000; ms <= 90000; ms += 10)
		dsbc_sip_txl_tick(l, ms);
	CU_ASSERT(w.sent > 6);
	dsbc_sip_txl_free(l);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("sip", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_rfc4475);
	UNIT_ADD(s, test_rfc5118);
	UNIT_ADD(s, test_headers);
	UNIT_ADD(s, test_limits);
	UNIT_ADD(s, test_mutations);
	s = CU_add_suite("sip_txn", NULL, NULL);
	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_txn_invite_client);
	UNIT_ADD(s, test_txn_non_invite_client);
	UNIT_ADD(s, test_txn_invite_server);
	UNIT_ADD(s, test_txn_non_invite_server_and_cancel);
	UNIT_ADD(s, test_txn_server_sent_by);
	UNIT_ADD(s, test_txn_reliable);
	s = CU_add_suite("sip_stream", NULL, NULL);
	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_stream_framing);
	UNIT_ADD(s, test_stream_errors);
	return 0;
}
