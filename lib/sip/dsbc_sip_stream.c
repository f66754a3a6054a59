/* SPDX-License-Identifier: BSD-3-Clause */
/* SIP messages out of a byte stream: see dsbc_sip_stream.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsbc_sip_stream.h"

int
dsbc_sip_stream_init(struct dsbc_sip_stream *s, uint32_t max_msg)
{
	memset(s, 0, sizeof(*s));
	if (max_msg < 64)
		return -EINVAL;
	s->buf = malloc(max_msg);
	if (s->buf == NULL)
		return -ENOMEM;
	s->cap = max_msg;
	return 0;
}

void
dsbc_sip_stream_free(struct dsbc_sip_stream *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* Drop the message handed out last (no move: start advances). */
static void
take(struct dsbc_sip_stream *s)
{
	if (s->taken == 0)
		return;
	s->start += s->taken;
	s->taken = 0;
	s->scanned = 0;
	s->total = 0;
	if (s->start == s->len)
		s->start = s->len = 0;
}

/* The bytes left to the front, so the tail has all the room there is. */
static void
settle(struct dsbc_sip_stream *s)
{
	take(s);
	if (s->start == 0)
		return;
	memmove(s->buf, s->buf + s->start, s->len - s->start);
	s->len -= s->start;
	s->start = 0;
}

uint32_t
dsbc_sip_stream_room(struct dsbc_sip_stream *s)
{
	settle(s);
	return s->cap - s->len;
}

char *
dsbc_sip_stream_tail(struct dsbc_sip_stream *s)
{
	settle(s);
	return s->buf + s->len;
}

void
dsbc_sip_stream_wrote(struct dsbc_sip_stream *s, uint32_t n)
{
	if (n > s->cap - s->len)
		n = s->cap - s->len;
	s->len += n;
}

int
dsbc_sip_stream_push(struct dsbc_sip_stream *s, const char *p, uint32_t n)
{
	if (n > dsbc_sip_stream_room(s))
		return -ENOSPC;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

void
dsbc_sip_stream_pinged(struct dsbc_sip_stream *s)
{
	s->ping_sent = true;
}

/* Where "\r\n\r\n" starts in buf[from, len), or -1. */
static int64_t
header_end(const char *buf, uint32_t from, uint32_t len)
{
	uint32_t i;

	for (i = from; i + 4 <= len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n')
			return i;
	return -1;
}

/*
 * The Content-Length of the header block h[0, n) (start line first):
 * 0 and *cl when there is one (every instance the same), -1 when there
 * is none, -2 when one is not a number or they differ.
 */
static int
content_length(const char *h, uint32_t n, uint32_t *cl)
{
	uint32_t i = 0, found = 0;
	uint64_t v = 0;

	while (i < n) {
		/* a header line starts after CRLF; skip the start line */
		const char *nl = memchr(h + i, '\n', n - i);
		uint32_t ls, name_len, j;
		uint64_t x = 0;
		bool digits = false;

		if (nl == NULL)
			break;
		ls = (uint32_t)(nl - h) + 1;
		i = ls;
		if (ls >= n)
			break;
		/* field name, optional whitespace, colon (section 7.3.1) */
		for (j = ls; j < n && h[j] != ':' && h[j] != ' ' &&
		     h[j] != '\t' && h[j] != '\r'; j++)
			;
		name_len = j - ls;
		if (!((name_len == 14 &&
		       strncasecmp(h + ls, "Content-Length", 14) == 0) ||
		      (name_len == 1 && (h[ls] == 'l' || h[ls] == 'L'))))
			continue;
		while (j < n && (h[j] == ' ' || h[j] == '\t'))
			j++;
		if (j >= n || h[j] != ':')
			continue;
		for (j++; j < n && (h[j] == ' ' || h[j] == '\t'); j++)
			;
		for (; j < n && h[j] >= '0' && h[j] <= '9'; j++) {
			x = x * 10 + (uint64_t)(h[j] - '0');
			digits = true;
			if (x > UINT32_MAX)
				return -2;
		}
		while (j < n && (h[j] == ' ' || h[j] == '\t'))
			j++;
		if (!digits || (j < n && h[j] != '\r'))
			return -2;
		if (found++ > 0 && x != v)
			return -2;
		v = x;
	}
	if (found == 0)
		return -1;
	*cl = (uint32_t)v;
	return 0;
}

enum dsbc_sip_stream_rc
dsbc_sip_stream_next(struct dsbc_sip_stream *s, const char **msg,
		     uint32_t *len)
{
	const char *b;
	uint32_t cl, n;
	int64_t end;
	int rc;

	take(s);
	b = s->buf + s->start;
	n = s->len - s->start;
	/* CRLFs before a message: a keepalive (RFC 5626 4.4.1) or the
	 * empty lines section 7.5 tells a receiver to skip */
	while (s->total == 0 && n >= 2 && b[0] == '\r' && b[1] == '\n') {
		if (n >= 4 && b[2] == '\r' && b[3] == '\n') {
			s->taken = 4;
			return DSBC_SIP_STREAM_PING;
		}
		if (s->ping_sent) {
			s->ping_sent = false;
			s->taken = 2;
			return DSBC_SIP_STREAM_PONG;
		}
		/* the first half of a ping, or more of it to come */
		if (n == 2 || (n == 3 && b[2] == '\r'))
			return DSBC_SIP_STREAM_NEED;
		s->taken = 2;
		take(s);
		b = s->buf + s->start;
		n = s->len - s->start;
	}
	if (s->total == 0) {
		end = header_end(b, s->scanned > 3 ? s->scanned - 3 : 0, n);
		if (end < 0) {
			s->scanned = n;
			/* the whole buffer and still no header end */
			return s->start == 0 && s->len == s->cap ?
			       DSBC_SIP_STREAM_TOO_BIG : DSBC_SIP_STREAM_NEED;
		}
		rc = content_length(b, (uint32_t)end + 2, &cl);
		if (rc == -1)
			return DSBC_SIP_STREAM_NO_LENGTH;
		if (rc != 0)
			return DSBC_SIP_STREAM_BAD_LENGTH;
		if ((uint64_t)end + 4 + cl > s->cap)
			return DSBC_SIP_STREAM_TOO_BIG;
		s->total = (uint32_t)end + 4 + cl;
	}
	if (n < s->total)
		return DSBC_SIP_STREAM_NEED;
	*msg = b;
	*len = s->total;
	s->taken = s->total;
	return DSBC_SIP_STREAM_MSG;
}
