/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP: a datagram through dsbc_sip_parse() and every accessor the B2BUA
 * uses on what it accepts (Via, name-addr, URI and its parameters, CSeq,
 * numbers, Date, Call-ID, Identity and its PASSporT); the same bytes cut
 * into a stream and framed again (SIP over TCP, RFC 3261 18.3).  The
 * workers' classification (lib/overload) must agree with the parser: a
 * message the B2BUA would take is never garbage, and is a response or
 * a request as the parser says, or overload control would drop it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_hep.h"
#include "dsbc_identity.h"
#include "dsbc_passport.h"
#include "dsbc_sip_check.h"
#include "dsbc_sip_class.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_stream.h"

static void
uri(const char *p, uint32_t len)
{
	struct dsbc_sip_uri u;
	struct dsbc_sip_str v;

	if (dsbc_sip_uri_parse(p, len, &u) != 0)
		return;
	dsbc_sip_uri_param(&u, "transport", &v);
	dsbc_sip_uri_param(&u, "lr", &v);
	dsbc_sip_uri_param(&u, "ob", &v);
	dsbc_sip_user_eq(u.user, u.user);
	dsbc_sip_user_eq(u.user, u.host);
}

static void
header(const struct dsbc_sip_hdr *h)
{
	const char *p = h->value.p, *end = p + h->value.len, *next;
	struct dsbc_sip_nameaddr na;
	struct dsbc_sip_via via;
	struct dsbc_sip_str s;
	struct dsbc_identity id;
	struct dsbc_passport pp;
	uint32_t n;

	switch (h->id) {
	case DSBC_SIP_H_VIA:
		while (p < end && dsbc_sip_via_parse(p, end, &via, &next) == 0) {
			dsbc_sip_via_param(&via, "branch", &s);
			dsbc_sip_via_param(&via, "received", &s);
			dsbc_sip_via_param(&via, "alias", &s);
			if (next <= p)
				break;
			p = next;
		}
		break;
	case DSBC_SIP_H_FROM:
	case DSBC_SIP_H_TO:
	case DSBC_SIP_H_CONTACT:
	case DSBC_SIP_H_ROUTE:
	case DSBC_SIP_H_RECORD_ROUTE:
		while (p < end && dsbc_sip_nameaddr_parse(p, end, &na, true,
							  &next) == 0) {
			uri(na.uri_str.p, na.uri_str.len);
			if (next <= p)
				break;
			p = next;
		}
		dsbc_sip_nameaddr_parse(h->value.p, end, &na, false, &next);
		break;
	case DSBC_SIP_H_CSEQ:
		dsbc_sip_cseq_parse(h->value, &n, &s);
		break;
	case DSBC_SIP_H_MAX_FORWARDS:
	case DSBC_SIP_H_EXPIRES:
	case DSBC_SIP_H_CONTENT_LENGTH:
	case DSBC_SIP_H_MIN_EXPIRES:
	case DSBC_SIP_H_RSEQ:
		dsbc_sip_uint_parse(h->value, 0xffffffffu, &n);
		break;
	case DSBC_SIP_H_DATE:
		dsbc_sip_date_check(h->value);
		break;
	case DSBC_SIP_H_CALL_ID:
		dsbc_sip_callid_check(h->value);
		break;
	case DSBC_SIP_H_IDENTITY:
		if (dsbc_identity_parse(p, h->value.len, &id) == 0)
			dsbc_passport_decode(id.jws.p, id.jws.len, &pp);
		break;
	default:
		break;
	}
}

static void
stream(const uint8_t *data, size_t size)
{
	struct dsbc_sip_stream st;
	const char *msg;
	uint32_t len, cut;
	size_t off = 0;

	if (dsbc_sip_stream_init(&st, 4096) != 0)
		return;
	/* the first byte says where the stream is cut */
	cut = size > 0 ? (uint32_t)data[0] % 64 + 1 : 1;
	while (off < size) {
		uint32_t n = (uint32_t)(size - off < cut ? size - off : cut);

		if (dsbc_sip_stream_push(&st, (const char *)data + off, n) != 0)
			break;   /* over max_msg: the connection closes */
		off += n;
		for (;;) {
			enum dsbc_sip_stream_rc rc =
				dsbc_sip_stream_next(&st, &msg, &len);

			if (rc == DSBC_SIP_STREAM_PING ||
			    rc == DSBC_SIP_STREAM_PONG)
				continue;
			if (rc != DSBC_SIP_STREAM_MSG)
				break;
			struct dsbc_sip_msg *m = malloc(sizeof(*m));

			if (m != NULL)
				dsbc_sip_parse(msg, len, m);
			free(m);
		}
	}
	dsbc_sip_stream_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dsbc_sip_msg m;
	enum dsbc_sip_kind kind;
	char unsup[64];
	char *buf;
	uint32_t i;

	if (size > 65535)
		return 0;
	/* an exact-size copy: a read past the datagram is caught */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	kind = dsbc_sip_kind((const uint8_t *)buf, (uint32_t)size);
	/* HEP's Call-ID finder (lib/hep) reads the same datagram: what it
	 * returns lies inside it */
	{
		const char *cid = NULL;
		uint32_t n = dsbc_hep_sip_call_id(buf, size, &cid);

		if (n != 0 && (cid < buf || cid + n > buf + size))
			abort();
	}
	if (dsbc_sip_parse(buf, (uint32_t)size, &m) == DSBC_SIP_ERR_NONE) {
		if (m.request) {
			if (dsbc_sip_check_request(&m) == DSBC_SIP_ERR_NONE &&
			    (kind == DSBC_SIP_KIND_GARBAGE ||
			     kind == DSBC_SIP_KIND_RESPONSE ||
			     (m.method_id == DSBC_SIP_M_REGISTER) !=
			     (kind == DSBC_SIP_KIND_REGISTER)))
				abort();
			uri(m.ruri.p, m.ruri.len);
		} else if (dsbc_sip_check_response(&m) == DSBC_SIP_ERR_NONE &&
			   kind != DSBC_SIP_KIND_RESPONSE) {
			abort();
		}
		for (i = 0; i < m.nb_hdrs; i++)
			header(&m.hdrs[i]);
		dsbc_sip_unsupported(&m, "100rel,timer,outbound", unsup,
				     sizeof(unsup));
	}
	free(buf);
	stream(data, size);
	return 0;
}
