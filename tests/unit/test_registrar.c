/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/registrar: REGISTER processing (RFC 3261 10.3), binding expiry and
 * NAT keepalives on a virtual clock.  No EAL.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dsbc_reg.h"
#include "unit.h"

const bool unit_needs_eal = false;

static struct dsbc_sip_msg msg;
static char buf[4096];

/* a REGISTER from alice: contacts and an optional Expires header */
static struct dsbc_sip_msg *
reg(const char *call_id, uint32_t cseq, const char *contacts,
    const char *expires)
{
	int n = snprintf(buf, sizeof(buf),
			 "REGISTER sip:example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK%u\r\n"
			 "From: <sip:alice@example.com>;tag=1\r\n"
			 "To: <sip:alice@example.com>\r\n"
			 "Call-ID: %s\r\nCSeq: %u REGISTER\r\n"
			 "%s%s%s%s%s"
			 "Content-Length: 0\r\n\r\n",
			 cseq, call_id, cseq,
			 contacts ? "Contact: " : "", contacts ? contacts : "",
			 contacts ? "\r\n" : "",
			 expires ? "Expires: " : "", expires ? expires : "");

	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(dsbc_sip_parse(buf, (uint32_t)strlen(buf), &msg),
			      DSBC_SIP_ERR_NONE);
	return &msg;
}

struct peer {
	uint32_t addr;
	uint16_t port;
};

static struct dsbc_reg_source
src_of(const struct peer *p, bool nat, uint32_t conn)
{
	struct dsbc_reg_source s = {
		.peer = p, .peer_len = sizeof(*p), .nat = nat, .conn = conn,
	};

	return s;
}

static struct dsbc_reg *
reg_new(void)
{
	struct dsbc_reg_cfg cfg = {
		.max_aors = 8,
		.max_per_aor = 2,
		.min_expires_s = 60,
		.max_expires_s = 3600,
		.nat_expires_s = 90,
		.keepalive_ms = 20000,
		.keepalive_misses = 3,
	};
	struct dsbc_reg *r = dsbc_reg_create(&cfg);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	return r;
}

static void
test_reg_bindings_and_expiry(void)
{
	struct dsbc_reg *r = reg_new();
	const struct dsbc_reg_stats *st = dsbc_reg_stats(r);
	struct peer p = { 0x0a000005, 5060 };
	struct dsbc_reg_source s = src_of(&p, false, 0);
	const struct dsbc_reg_binding *b;
	struct dsbc_reg_result res;
	char out[1024];

	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 1, "<sip:alice@10.0.0.5:5060>", "7200\r\n"),
			  &s, 1000, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	/* cut to max_expires */
	CU_ASSERT(dsbc_reg_contacts(r, "alice@example.com", 1000, out,
				    sizeof(out)) > 0);
	CU_ASSERT_STRING_EQUAL(out, "Contact: <sip:alice@10.0.0.5:5060>;"
			       "expires=3600\r\n");
	b = dsbc_reg_lookup(r, "alice@example.com", 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(memcmp(b->peer, &p, sizeof(p)), 0);
	CU_ASSERT_EQUAL(b->ping_at, 0);        /* not NATed: no keepalive */
	/* a second contact, its own expiry from its parameter */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c2", 1, "<sip:alice@10.0.0.6>;expires=120",
			      NULL), &s, 2000, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_EQUAL(st->bindings, 2);
	CU_ASSERT_STRING_EQUAL(dsbc_reg_lookup(r, "alice@example.com",
					       2000)->contact,
			       "sip:alice@10.0.0.6");
	/* too brief: 423 with Min-Expires, nothing changed */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 2, "<sip:alice@10.0.0.5:5060>", "30\r\n"),
			  &s, 3000, &res);
	CU_ASSERT_EQUAL(res.status, 423);
	CU_ASSERT_EQUAL(res.min_expires, 60);
	CU_ASSERT_EQUAL(st->bindings, 2);
	/* same Call-ID, CSeq not higher: refused */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 1, "<sip:alice@10.0.0.5:5060>", NULL), &s,
			  3000, &res);
	CU_ASSERT_EQUAL(res.status, 500);
	CU_ASSERT_EQUAL(st->out_of_order, 1);
	/* a query: no Contact, 200 listing both */
	dsbc_reg_register(r, "alice@example.com", reg("q", 1, NULL, NULL), &s,
			  3000, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT(dsbc_reg_contacts(r, "alice@example.com", 3000, out,
				    sizeof(out)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "10.0.0.6>;expires=119\r\n"));
	/* the 120 s one expires on the clock; the other stays */
	dsbc_reg_tick(r, 122000, NULL, NULL);
	CU_ASSERT_EQUAL(st->expired, 1);
	CU_ASSERT_STRING_EQUAL(dsbc_reg_lookup(r, "alice@example.com",
					       122000)->contact,
			       "sip:alice@10.0.0.5:5060");
	/* removal with expires=0; the AoR goes with its last binding */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 3, "<sip:alice@10.0.0.5:5060>;expires=0",
			      NULL), &s, 123000, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_PTR_NULL(dsbc_reg_lookup(r, "alice@example.com", 123000));
	CU_ASSERT_EQUAL(st->aors, 0);
	CU_ASSERT_EQUAL(st->bindings, 0);
	dsbc_reg_free(r);
}

static void
test_reg_wildcard_and_limits(void)
{
	struct dsbc_reg *r = reg_new();
	const struct dsbc_reg_stats *st = dsbc_reg_stats(r);
	struct peer p = { 0x0a000005, 5060 };
	struct dsbc_reg_source s = src_of(&p, false, 0);
	struct dsbc_reg_result res;
	char out[1024];

	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 1, "<sip:a@10.0.0.1>;expires=600, "
			      "<sip:a@10.0.0.2>;expires=300", NULL),
			  &s, 0, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_EQUAL(st->bindings, 2);
	/* the AoR is full (2): a third contact replaces the one expiring
	 * first */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c2", 1, "<sip:a@10.0.0.3>", NULL), &s, 1000,
			  &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_EQUAL(st->bindings, 2);
	dsbc_reg_contacts(r, "alice@example.com", 1000, out, sizeof(out));
	CU_ASSERT_PTR_NULL(strstr(out, "10.0.0.2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "10.0.0.1"));
	/* "*" needs Expires: 0 and no other Contact */
	dsbc_reg_register(r, "alice@example.com", reg("c3", 1, "*", NULL), &s,
			  2000, &res);
	CU_ASSERT_EQUAL(res.status, 400);
	dsbc_reg_register(r, "alice@example.com",
			  reg("c3", 1, "*, <sip:a@10.0.0.4>", "0\r\n"), &s,
			  2000, &res);
	CU_ASSERT_EQUAL(res.status, 400);
	CU_ASSERT_EQUAL(st->bindings, 2);
	dsbc_reg_register(r, "alice@example.com", reg("c3", 1, "*", "0\r\n"),
			  &s, 2000, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_EQUAL(st->bindings, 0);
	CU_ASSERT_EQUAL(st->aors, 0);
	/* the AoR table is bounded: the ninth AoR is refused */
	{
		char aor[32];
		unsigned int i;

		for (i = 0; i < 9; i++) {
			snprintf(aor, sizeof(aor), "u%u@example.com", i);
			dsbc_reg_register(r, aor, reg("c4", 1,
						      "<sip:u@10.0.0.9>",
						      NULL), &s, 3000, &res);
			CU_ASSERT_EQUAL(res.status, i < 8 ? 200 : 503);
		}
		CU_ASSERT_EQUAL(st->full, 1);
	}
	/* a malformed Expires is refused */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c5", 1, "<sip:a@10.0.0.1>;expires=soon", NULL),
			  &s, 4000, &res);
	CU_ASSERT_EQUAL(res.status, 400);
	dsbc_reg_free(r);
}

struct pings {
	unsigned int n;
	uint32_t last;
};

static void
on_ping(void *ctx, const struct dsbc_reg_binding *b)
{
	struct pings *pg = ctx;

	pg->n++;
	pg->last = b->handle;
}

static void
test_reg_nat_keepalive(void)
{
	struct dsbc_reg *r = reg_new();
	const struct dsbc_reg_stats *st = dsbc_reg_stats(r);
	struct peer p = { 0xc6336401, 40000 }, other = { 0xc6336402, 40000 };
	struct dsbc_reg_source s = src_of(&p, true, 0);
	const struct dsbc_reg_binding *b;
	struct dsbc_reg_result res;
	struct pings pg = { 0 };
	uint64_t t;

	/* behind a NAT: 3600 asked, 90 granted, keepalives every 20 s */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 1, "<sip:alice@10.0.0.5:5060>", "3600\r\n"),
			  &s, 0, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	b = dsbc_reg_lookup(r, "alice@example.com", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->expires_at, 90000);
	CU_ASSERT(b->nat);
	dsbc_reg_tick(r, 19000, on_ping, &pg);
	CU_ASSERT_EQUAL(pg.n, 0);
	dsbc_reg_tick(r, 20000, on_ping, &pg);
	CU_ASSERT_EQUAL(pg.n, 1);
	CU_ASSERT_EQUAL(pg.last, b->handle);
	/* an answer from elsewhere does not count; from the client it does */
	CU_ASSERT_EQUAL(dsbc_reg_pong(r, pg.last, &other, sizeof(other)), -1);
	CU_ASSERT_EQUAL(dsbc_reg_pong(r, pg.last, &p, sizeof(p)), 0);
	CU_ASSERT_EQUAL(b->misses, 0);
	/* re-registered in time; then the client goes silent */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 2, "<sip:alice@10.0.0.5:5060>", NULL), &s,
			  40000, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_EQUAL(b->expires_at, 130000);
	for (t = 41000; t <= 130000 && st->ping_dropped == 0; t += 1000)
		dsbc_reg_tick(r, t, on_ping, &pg);
	/* pings at 60, 80 and 100 s go unanswered; each miss is counted
	 * when the next is due: dropped at 120 s, before its expiry */
	CU_ASSERT_EQUAL(st->ping_dropped, 1);
	CU_ASSERT_EQUAL(t, 121000);
	CU_ASSERT_EQUAL(st->pings, 4);
	CU_ASSERT_PTR_NULL(dsbc_reg_lookup(r, "alice@example.com", t));
	CU_ASSERT_EQUAL(dsbc_reg_pong(r, pg.last, &p, sizeof(p)), -1);
	dsbc_reg_free(r);
}

static void
test_reg_flow_gone(void)
{
	struct dsbc_reg *r = reg_new();
	struct peer p = { 0x0a000005, 5060 };
	struct dsbc_reg_source tcp = src_of(&p, true, 77);
	struct dsbc_reg_result res;

	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 1, "<sip:alice@10.0.0.5;transport=tcp>",
			      NULL), &tcp, 0, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	/* no OPTIONS over a connection: it has its own keepalive */
	CU_ASSERT_EQUAL(dsbc_reg_lookup(r, "alice@example.com", 0)->ping_at, 0);
	CU_ASSERT_EQUAL(dsbc_reg_flow_gone(r, 76), 0);
	CU_ASSERT_EQUAL(dsbc_reg_flow_gone(r, 77), 1);
	CU_ASSERT_PTR_NULL(dsbc_reg_lookup(r, "alice@example.com", 0));
	CU_ASSERT_EQUAL(dsbc_reg_stats(r)->flow_dropped, 1);
	dsbc_reg_free(r);
}


/* RFC 5626: instance and reg-id make a binding of a flow; a new flow of
 * the same instance replaces it; a failed flow keeps it for its 430 */
static void
test_reg_outbound(void)
{
	struct dsbc_reg *r = reg_new();
	struct peer p1 = { 0x0a000005, 40001 }, p2 = { 0x0a000005, 40002 };
	struct dsbc_reg_source s1 = src_of(&p1, false, 11);
	struct dsbc_reg_source s2 = src_of(&p2, false, 12);
	const struct dsbc_reg_binding *b;
	struct dsbc_reg_result res;

	s1.outbound_ok = s2.outbound_ok = true;
	dsbc_reg_register(r, "alice@example.com",
			  reg("c1", 1, "<sip:a@x1.invalid;transport=ws>;reg-id=1;"
			      "+sip.instance=\"<urn:uuid:0001>\"", NULL),
			  &s1, 0, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT(res.outbound);
	b = dsbc_reg_lookup(r, "alice@example.com", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(b->outbound);
	CU_ASSERT_STRING_EQUAL(b->instance, "<urn:uuid:0001>");
	/* reconnected: another Contact, the same instance and reg-id */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c2", 1, "<sip:a@x2.invalid;transport=ws>;reg-id=1;"
			      "+sip.instance=\"<urn:uuid:0001>\"", NULL),
			  &s2, 1000, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_EQUAL(dsbc_reg_stats(r)->bindings, 1);
	b = dsbc_reg_lookup(r, "alice@example.com", 1000);
	CU_ASSERT_STRING_EQUAL(b->contact, "sip:a@x2.invalid;transport=ws");
	CU_ASSERT_EQUAL(b->conn, 12);
	/* the old flow closing changes nothing; the live one failing
	 * keeps the binding, marked */
	CU_ASSERT_EQUAL(dsbc_reg_flow_gone(r, 11), 0);
	CU_ASSERT_FALSE(b->flow_failed);
	CU_ASSERT_EQUAL(dsbc_reg_flow_gone(r, 12), 0);
	b = dsbc_reg_lookup(r, "alice@example.com", 2000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(b->flow_failed);
	CU_ASSERT_EQUAL(dsbc_reg_stats(r)->flow_failed, 1);
	/* a +sip.instance too long for the binding, or unquoted: a plain
	 * binding, nothing copied past its field */
	{
		static char contact[600];

		memset(contact, 0, sizeof(contact));
		strcpy(contact, "<sip:c@x4.invalid>;reg-id=1;+sip.instance=\"");
		memset(contact + strlen(contact), 'z', 300);
		strcat(contact, "\"");
		dsbc_reg_register(r, "carol@example.com",
				  reg("c4", 1, contact, NULL), &s1, 0, &res);
		CU_ASSERT_EQUAL(res.status, 200);
		b = dsbc_reg_lookup(r, "carol@example.com", 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_FALSE(b->outbound);
		CU_ASSERT_STRING_EQUAL(b->instance, "");
	}
	/* two Contacts naming one binding (instance, then URI): refused,
	 * nothing changed */
	dsbc_reg_register(r, "alice@example.com",
			  reg("c5", 1, "<sip:a@x9.invalid>;reg-id=1;"
			      "+sip.instance=\"<urn:uuid:0001>\";expires=0, "
			      "<sip:a@x2.invalid;transport=ws>;expires=0", NULL),
			  &s2, 2000, &res);
	CU_ASSERT_EQUAL(res.status, 400);
	CU_ASSERT_PTR_NOT_NULL(dsbc_reg_lookup(r, "alice@example.com", 2000));
	/* without Supported: outbound it is a plain binding */
	s1.outbound_ok = false;
	dsbc_reg_register(r, "bob@example.com",
			  reg("c3", 1, "<sip:b@x3.invalid>;reg-id=1;"
			      "+sip.instance=\"<urn:uuid:0002>\"", NULL),
			  &s1, 0, &res);
	CU_ASSERT_EQUAL(res.status, 200);
	CU_ASSERT_FALSE(res.outbound);
	/* bob's and carol's plain bindings on that connection */
	CU_ASSERT_EQUAL(dsbc_reg_flow_gone(r, 11), 2);
	CU_ASSERT_PTR_NULL(dsbc_reg_lookup(r, "bob@example.com", 0));
	dsbc_reg_free(r);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("registrar", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_reg_bindings_and_expiry);
	UNIT_ADD(s, test_reg_wildcard_and_limits);
	UNIT_ADD(s, test_reg_nat_keepalive);
	UNIT_ADD(s, test_reg_flow_gone);
	UNIT_ADD(s, test_reg_outbound);
	return 0;
}
