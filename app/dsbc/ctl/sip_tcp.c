/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP over TCP (RFC 3261 section 18) on the management lcore, with
 * kernel sockets on the ports' exception paths (ctl/exc_tap.c): a
 * listener on each such port's addresses at sip_port, non-blocking
 * connections polled with epoll once per loop pass, each with a framer
 * (lib/sip/dsbc_sip_stream.h).  A message goes to the B2BUA with the
 * connection in its peer, and what the B2BUA sends to that peer goes
 * back on the same connection (RFC 3261 18.2.2; the client's NAT keeps
 * only that one open).  Connections are capped in total and per source
 * and closed when idle; a bad frame (no Content-Length, over the size
 * limit) closes its connection.  A keepalive ping gets its pong (RFC
 * 5626 4.4.1).  With [tls], a second listener at its port runs the same
 * over TLS (OpenSSL on the non-blocking socket, ctl/sip_tls.c): the
 * handshake is driven by the same events and must end within
 * handshake_s, so a client that opens and stalls holds nothing long.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <rte_common.h>

#include "dsbc_sip_hdr.h"
#include "dsbc_sip_msg.h"
#include "dsbc_sip_stream.h"
#include "dsbc_ws.h"
#include "ctl/sip.h"
#include "ctl/sip_tcp.h"
#include "ctl/sip_tls.h"
#include "dsbc.h"
#include "log.h"

#define TCP_EVENTS    32
#define TCP_MSG_MAX   65535      /* a message over a stream, bytes */
#define TCP_TX_MAX    (256 * 1024)   /* queued output before giving up */
#define LISTEN_TAG    (1ull << 62)
#define TLS_TAG       (1ull << 61)
#define WS_TAG        (1ull << 60)

/* a connection's WebSocket state (RFC 6455 4) */
enum { WS_NONE = 0, WS_UPGRADING, WS_OPEN };

struct tcp_conn {
	int fd;                    /* -1: free */
	bool dead;                 /* a write failed: closed once nothing
				    * reads its buffers any more */
	uint16_t gen;              /* bumped per use: stale ids find nothing */
	uint16_t in;               /* dsbc port index */
	uint8_t family;
	struct dsbc_addr local, remote;
	uint16_t local_port, remote_port;
	uint64_t last_ms;          /* last read */
	struct dsbc_sip_stream rx;
	char *tx;                  /* what the socket did not take yet */
	uint32_t tx_len, tx_cap;
	SSL *ssl;                  /* TLS, NULL on plain TCP */
	bool outbound;             /* opened by dsbc towards a route */
	bool connecting;           /* outbound: connect() not done yet */
	uint8_t route;             /* outbound: [route.N] + 1, 0 none */
	uint8_t ws;                /* WS_NONE, or a WebSocket (RFC 7118) */
	struct dsbc_ws_rx wrx;     /* its frames (rx is not used then) */
	bool handshaking;          /* TLS handshake not done yet */
	bool want_write;           /* OpenSSL waits for the socket to take
				    * more (a read or the handshake) */
	uint64_t hs_deadline;      /* ms */
	uint64_t trunk_certs;      /* TLS: the [trunk.N] its client
				    * certificate names (bit N) */
	bool alias_checked;        /* its first request was looked at */
	bool alias;                /* a trunk's, aliased (RFC 5923) to: */
	struct dsbc_addr alias_addr;
	uint16_t alias_port;
};

struct dsbc_sip_tcp {
	struct dsbc_app *app;
	SSL_CTX *tls;              /* [tls]: the server context, or NULL */
	SSL_CTX *tls_client;       /* towards TLS routes, or NULL */
	int ep;
	int lfd[4 * DSBC_CFG_MAX_PORTS];   /* listeners, -1 none */
	uint32_t nb_lfd;
	struct tcp_conn *c;        /* [max] */
	uint32_t max;
	uint32_t open;
	uint64_t next_idle_ms;
	struct dsbc_sip_tcp_stats st;
};

static uint32_t
conn_id(const struct dsbc_sip_tcp *t, const struct tcp_conn *c)
{
	return (uint32_t)c->gen << 16 | (uint32_t)(c - t->c + 1);
}

static struct tcp_conn *
conn_of(struct dsbc_sip_tcp *t, uint32_t id)
{
	uint32_t i = id & 0xffff;
	struct tcp_conn *c;

	if (i == 0 || i > t->max)
		return NULL;
	c = &t->c[i - 1];
	return c->fd >= 0 && !c->dead && c->gen == id >> 16 ? c : NULL;
}

static void
conn_close(struct dsbc_sip_tcp *t, struct tcp_conn *c)
{
	/* what was registered over it can no longer be reached */
	if (t->app->sip != NULL && t->app->sip->b2b != NULL)
		dsbc_b2bua_conn_closed(t->app->sip->b2b, conn_id(t, c));
	epoll_ctl(t->ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->ssl != NULL) {
		/* close_notify, as far as the socket takes it now */
		if (!c->handshaking)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
		ERR_clear_error();
	}
	close(c->fd);
	c->fd = -1;
	c->dead = false;
	c->outbound = false;
	c->connecting = false;
	c->handshaking = false;
	c->want_write = false;
	c->trunk_certs = 0;
	c->route = 0;
	c->alias_checked = false;
	c->alias = false;
	if (c->ws != WS_NONE)
		dsbc_ws_rx_free(&c->wrx);
	else
		dsbc_sip_stream_free(&c->rx);
	c->ws = WS_NONE;
	free(c->tx);
	c->tx = NULL;
	c->tx_len = c->tx_cap = 0;
	t->open--;
	t->st.closed++;
}

/* A sockaddr's address and port. */
static void
addr_of(const struct sockaddr_storage *ss, uint8_t *family,
	struct dsbc_addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		*family = 6;
		memcpy(a->a8, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		*family = 4;
		a->v4 = s4->sin_addr.s_addr;
		*port = ntohs(s4->sin_port);
	}
}

static int
listen_on(struct dsbc_sip_tcp *t, uint16_t in, uint8_t family,
	  const struct dsbc_addr *a, uint16_t port, bool tls, bool ws)
{
	struct sockaddr_storage ss;
	struct epoll_event ev;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == 6) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->a8, 16);
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = a->v4;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == 6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 128) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = LISTEN_TAG | (tls ? TLS_TAG : 0) | (ws ? WS_TAG : 0) |
		      (uint64_t)in << 32 | (uint32_t)fd;
	if (t->nb_lfd == RTE_DIM(t->lfd) ||
	    epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		int rc = t->nb_lfd == RTE_DIM(t->lfd) ? -ENOSPC : -errno;

		close(fd);
		return rc;
	}
	t->lfd[t->nb_lfd++] = fd;
	return 0;
}

/* Connections the process's descriptors allow: the soft limit is raised
 * towards the hard one as far as max wants (and 256 for everything
 * else); beyond that, fewer connections, said once. */
static uint32_t
fd_budget(uint32_t max)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return max;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
			      want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return max;
	DSBC_LOG(sip, WARNING, "sip_tcp_max_conns %u: only %u descriptors "
		 "(RLIMIT_NOFILE); %u connections at most\n", max,
		 (unsigned int)rl.rlim_cur,
		 rl.rlim_cur > 512 ? (unsigned int)rl.rlim_cur - 256 : 256);
	return rl.rlim_cur > 512 ? (uint32_t)(rl.rlim_cur - 256) : 256;
}

int
dsbc_sip_tcp_init(struct dsbc_app *app)
{
	struct dsbc_sip_tcp *t;
	uint32_t i;
	uint16_t p;
	int rc, kind;

	for (p = 0; p < app->nb_ports; p++)
		if (app->ports[p].has_exception)
			break;
	if (p == app->nb_ports)
		return 0;                  /* no port takes TCP */
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->app = app;
	t->max = fd_budget(app->cfg.sip_tcp_max_conns);
	t->c = calloc(t->max, sizeof(*t->c));
	t->ep = epoll_create1(EPOLL_CLOEXEC);
	if (t->c == NULL || t->ep < 0) {
		free(t->c);
		if (t->ep >= 0)
			close(t->ep);
		free(t);
		return -ENOMEM;
	}
	for (i = 0; i < t->max; i++)
		t->c[i].fd = -1;
	app->sip_tcp = t;
	for (i = 0; i < app->cfg.nb_routes; i++)
		if (app->cfg.routes[i].transport == DSBC_ROUTE_TLS)
			break;
	if (i < app->cfg.nb_routes) {
		char err[256];

		t->tls_client = dsbc_sip_tls_client_ctx(&app->cfg.tls, err,
							sizeof(err));
		if (t->tls_client == NULL) {
			DSBC_LOG(sip, ERR, "SIP over TLS towards routes: %s\n",
				 err);
			dsbc_sip_tcp_fini(app);
			return -EINVAL;
		}
	}
	if (app->cfg.tls.cert[0] != '\0') {
		char err[256];

		t->tls = dsbc_sip_tls_server_ctx(&app->cfg.tls, err,
						 sizeof(err));
		if (t->tls == NULL) {
			DSBC_LOG(sip, ERR, "SIP over TLS: %s\n", err);
			dsbc_sip_tcp_fini(app);
			return -EINVAL;
		}
	}
	for (p = 0; p < app->nb_ports; p++) {
		const struct dsbc_port_rt *pr = &app->ports[p];

		if (!pr->has_exception)
			continue;
		/* TCP, TLS, WS, WSS: the ones configured */
		for (kind = 0; kind < 4; kind++) {
			static const char *const names[] = {
				"TCP", "TLS", "WebSocket", "secure WebSocket",
			};
			bool tls = kind & 1, ws = kind & 2;
			uint16_t port = kind == 0 ? app->cfg.sip_port :
					kind == 1 ? app->cfg.sip_tls_port :
					kind == 2 ? app->cfg.ws.port :
					app->cfg.ws.tls_port;

			if ((tls && t->tls == NULL) || port == 0)
				continue;
			rc = 0;
			if (pr->has_ip4)
				rc = listen_on(t, p, 4, &pr->ip4, port, tls,
					       ws);
			if (rc == 0 && pr->has_ip6)
				rc = listen_on(t, p, 6, &pr->ip6, port, tls,
					       ws);
			if (rc != 0) {
				DSBC_LOG(sip, ERR, "[port.%u] SIP over %s: "
					 "cannot listen on port %u: %s\n", p,
					 names[kind], port, strerror(-rc));
				dsbc_sip_tcp_fini(app);
				return rc;
			}
			DSBC_LOG(sip, INFO, "[port.%u] SIP over %s on %s, "
				 "port %u\n", p, names[kind],
				 pr->exc_ifname, port);
		}
	}
	return 0;
}

void
dsbc_sip_tcp_fini(struct dsbc_app *app)
{
	struct dsbc_sip_tcp *t = app->sip_tcp;
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->max; i++)
		if (t->c[i].fd >= 0)
			conn_close(t, &t->c[i]);
	for (i = 0; i < t->nb_lfd; i++)
		close(t->lfd[i]);
	dsbc_sip_tls_ctx_free(t->tls);
	SSL_CTX_free(t->tls_client);
	close(t->ep);
	free(t->c);
	free(t);
	app->sip_tcp = NULL;
}

/* Connections from one source address. */
static uint32_t
from_source(const struct dsbc_sip_tcp *t, uint8_t family,
	    const struct dsbc_addr *a)
{
	uint32_t i, n = 0;

	for (i = 0; i < t->max; i++)
		if (t->c[i].fd >= 0 && t->c[i].family == family &&
		    dsbc_addr_eq(&t->c[i].remote, a))
			n++;
	return n;
}

static void
accept_all(struct dsbc_app *app, struct dsbc_sip_tcp *t, int lfd, uint16_t in,
	   bool tls, bool ws)
{
	for (;;) {
		struct sockaddr_storage ss, ls;
		socklen_t sl = sizeof(ss), ll = sizeof(ls);
		struct epoll_event ev;
		struct tcp_conn *c = NULL;
		struct dsbc_addr ra;
		uint16_t rp;
		uint8_t fam;
		uint32_t i;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		addr_of(&ss, &fam, &ra, &rp);
		if (t->open < t->max &&
		    from_source(t, fam, &ra) < app->cfg.sip_tcp_max_per_source)
			for (i = 0; i < t->max && c == NULL; i++)
				if (t->c[i].fd < 0)
					c = &t->c[i];
		if (c == NULL ||
		    getsockname(fd, (struct sockaddr *)&ls, &ll) != 0 ||
		    (tls && (c->ssl = SSL_new(t->tls)) == NULL) ||
		    (ws ? dsbc_ws_rx_init(&c->wrx, TCP_MSG_MAX) :
		     dsbc_sip_stream_init(&c->rx, TCP_MSG_MAX)) != 0) {
			if (c != NULL && c->ssl != NULL) {
				SSL_free(c->ssl);
				c->ssl = NULL;
			}
			t->st.refused++;
			close(fd);
			continue;
		}
		if (tls) {
			SSL_set_fd(c->ssl, fd);
			SSL_set_accept_state(c->ssl);
			c->handshaking = true;
			c->want_write = false;
			c->hs_deadline = dsbc_sip_now_ms(app) +
					 (uint64_t)app->cfg.tls.handshake_s *
					 1000;
			t->st.tls_accepted++;
		}
		c->fd = fd;
		c->gen++;
		c->in = in;
		c->family = fam;
		c->remote = ra;
		c->remote_port = rp;
		c->ws = ws ? WS_UPGRADING : WS_NONE;
		addr_of(&ls, &fam, &c->local, &c->local_port);
		c->last_ms = dsbc_sip_now_ms(app);
		/* TLS and the WebSocket upgrade both end within
		 * handshake_s: a client trickling either holds nothing */
		if (ws)
			c->hs_deadline = c->last_ms +
					 (uint64_t)app->cfg.tls.handshake_s *
					 1000;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.u64 = (uint64_t)(c - t->c);
		if (epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			t->open++;
			conn_close(t, c);
			t->st.refused++;
			continue;
		}
		t->open++;
		t->st.accepted++;
	}
}

/* What epoll watches on c: input always, output while something waits
 * for the socket to take more. */
static void
set_events(struct dsbc_sip_tcp *t, struct tcp_conn *c)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP |
		    (c->tx_len > 0 || c->want_write || c->connecting ?
		     EPOLLOUT : 0);
	ev.data.u64 = (uint64_t)(c - t->c);
	epoll_ctl(t->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* One step of c's TLS handshake; false when it failed (c to close). */
static bool
tls_step(struct dsbc_sip_tcp *t, struct tcp_conn *c)
{
	int r = SSL_do_handshake(c->ssl);

	if (r == 1) {
		c->handshaking = false;
		c->want_write = false;
		t->st.tls_handshakes++;
		if (!c->outbound) {
			c->trunk_certs = dsbc_sip_tls_trunk_certs(
						&t->app->cfg, c->ssl);
			t->st.tls_trunk_certs += c->trunk_certs != 0;
		}
		set_events(t, c);
		return true;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		c->want_write = false;
		set_events(t, c);
		return true;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		set_events(t, c);
		return true;
	default:
		/* a version below the floor, no or a bad client
		 * certificate, not TLS at all */
		t->st.tls_failed++;
		ERR_clear_error();
		return false;
	}
}

/* Write what c has queued; false when the connection is to be closed. */
static bool
flush_tx(struct dsbc_sip_tcp *t, struct tcp_conn *c)
{
	while (c->tx_len > 0 && !c->handshaking && !c->connecting) {
		ssize_t n;

		if (c->ssl != NULL) {
			int r = SSL_write(c->ssl, c->tx, (int)c->tx_len);

			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);

				if (e == SSL_ERROR_WANT_WRITE ||
				    e == SSL_ERROR_WANT_READ)
					break;
				ERR_clear_error();
				return false;
			}
			n = r;
		} else {
			n = send(c->fd, c->tx, c->tx_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				return false;
			}
		}
		memmove(c->tx, c->tx + n, c->tx_len - (uint32_t)n);
		c->tx_len -= (uint32_t)n;
	}
	set_events(t, c);
	return true;
}

/* Up to room bytes from c: their count, 0 when nothing more now (*eof
 * set when the peer closed or the connection broke). */
static uint32_t
conn_recv(struct tcp_conn *c, char *buf, uint32_t room, bool *eof)
{
	ssize_t n;
	int r;

	if (c->ssl == NULL) {
		n = recv(c->fd, buf, room, MSG_DONTWAIT);
		if (n > 0)
			return (uint32_t)n;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			*eof = true;
		return 0;
	}
	r = SSL_read(c->ssl, buf, (int)room);
	if (r > 0)
		return (uint32_t)r;
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		return 0;
	default:
		/* close_notify, a reset, a bad record */
		ERR_clear_error();
		*eof = true;
		return 0;
	}
}

/* Queue and write len bytes on c; false when it is to be closed. */
static bool
conn_write(struct dsbc_sip_tcp *t, struct tcp_conn *c, const char *p,
	   uint32_t len)
{
	if (c->tx_len + len > TCP_TX_MAX) {
		t->st.tx_overflow++;
		return false;
	}
	if (c->tx_len + len > c->tx_cap) {
		uint32_t cap = c->tx_cap ? c->tx_cap : 4096;
		char *n;

		while (cap < c->tx_len + len)
			cap *= 2;
		n = realloc(c->tx, cap);
		if (n == NULL)
			return false;
		c->tx = n;
		c->tx_cap = cap;
	}
	memcpy(c->tx + c->tx_len, p, len);
	c->tx_len += len;
	return flush_tx(t, c);
}

/* The peer a connection is with, as the B2BUA names it. */
static void
peer_of(const struct dsbc_sip_tcp *t, const struct tcp_conn *c,
	struct dsbc_sip_peer *peer)
{
	memset(peer, 0, sizeof(*peer));
	peer->in = c->in;
	peer->family = c->family;
	peer->transport = c->ws != WS_NONE ?
			  (c->ssl != NULL ? DSBC_SIP_WSS : DSBC_SIP_WS) :
			  c->ssl != NULL ? DSBC_SIP_TLS : DSBC_SIP_TCP;
	peer->local = c->local;
	peer->local_port = c->local_port;
	peer->remote = c->remote;
	peer->remote_port = c->remote_port;
	peer->conn = conn_id(t, c);
	peer->route = c->route;
	peer->trunk_certs = c->trunk_certs;
}

static void ws_read(struct dsbc_app *app, struct dsbc_sip_tcp *t,
		    struct tcp_conn *c);
static void alias_check(struct dsbc_sip_tcp *t, struct tcp_conn *c,
			const char *msg, uint32_t len);

/* Read what c has and hand whole messages to the B2BUA. */
static void
conn_read(struct dsbc_app *app, struct dsbc_sip_tcp *t, struct tcp_conn *c)
{
	struct dsbc_sip_peer peer;
	const char *msg;
	uint32_t len;
	bool eof = false, pong = false;

	if (c->ws != WS_NONE) {
		ws_read(app, t, c);
		return;
	}
again:
	for (;;) {
		uint32_t room = dsbc_sip_stream_room(&c->rx), n;

		if (room == 0)
			break;
		n = conn_recv(c, dsbc_sip_stream_tail(&c->rx), room, &eof);
		if (n == 0)
			break;
		dsbc_sip_stream_wrote(&c->rx, n);
		t->st.rx_bytes += n;
	}
	c->last_ms = dsbc_sip_now_ms(app);
	for (;;) {
		enum dsbc_sip_stream_rc rc = dsbc_sip_stream_next(&c->rx, &msg,
								  &len);

		if (rc == DSBC_SIP_STREAM_NEED)
			break;
		if (rc == DSBC_SIP_STREAM_PING) {
			/* one pong answers every ping of this read: a
			 * stream of pings costs no write each */
			t->st.pings++;
			pong = true;
			continue;
		}
		if (rc == DSBC_SIP_STREAM_PONG)
			continue;
		if (rc != DSBC_SIP_STREAM_MSG) {
			if (rc == DSBC_SIP_STREAM_TOO_BIG)
				t->st.too_big++;
			else
				t->st.bad_length++;
			conn_close(t, c);
			return;
		}
		if (!c->outbound && !c->alias_checked)
			alias_check(t, c, msg, len);
		peer_of(t, c, &peer);
		t->st.rx_msgs++;
		/* msg is in c's buffer: a send that fails on c only marks
		 * it dead, it is closed once the B2BUA is done with msg */
		dsbc_sip_deliver(app, &peer, msg, len);
		if (c->dead) {
			conn_close(t, c);
			return;
		}
	}
	if (pong && !conn_write(t, c, "\r\n", 2)) {
		conn_close(t, c);
		return;
	}
	/* TLS may hold decrypted bytes the socket no longer signals: read
	 * them now that the framer has room again */
	if (!eof && c->ssl != NULL && SSL_pending(c->ssl) > 0 &&
	    dsbc_sip_stream_room(&c->rx) > 0) {
		pong = false;
		goto again;
	}
	if (c->want_write)
		set_events(t, c);
	if (eof) {
		/* what is queued goes out first, as far as it can */
		flush_tx(t, c);
		conn_close(t, c);
	}
}

/* ---- WebSocket (RFC 6455, RFC 7118) ---- */

/* Is v (up to its first ':' for a Host) in the space/comma list? ""
 * allows any. */
static bool
allowed(const char *list, const char *v, bool host)
{
	size_t vl = strlen(v);
	const char *p = list;

	if (list[0] == '\0')
		return true;
	if (host) {
		/* "[v6]:port" or "name:port": the port is not checked */
		const char *c = v[0] == '[' ? strchr(v, ']') : v;

		c = c != NULL ? strchr(c, ':') : NULL;
		if (c != NULL)
			vl = (size_t)(c - v);
	}
	while (*p != '\0') {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if (n == vl && n > 0 && strncasecmp(p, v, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* A frame (FIN, unmasked: a server's) on c; false when c is to close. */
static bool
ws_send(struct dsbc_sip_tcp *t, struct tcp_conn *c, uint8_t opcode,
	const void *p, uint32_t len)
{
	uint8_t head[10];
	uint32_t hl = dsbc_ws_frame_head(opcode, len, head);

	return conn_write(t, c, (const char *)head, hl) &&
	       (len == 0 || conn_write(t, c, p, len));
}

/* The opening handshake (RFC 6455 4.2.2, RFC 7118 4): Host and Origin
 * as configured, the "sip" subprotocol; false when c is to close. */
static bool
ws_upgrade(struct dsbc_app *app, struct dsbc_sip_tcp *t, struct tcp_conn *c,
	   bool eof)
{
	struct dsbc_ws_upgrade u;
	char out[512];
	uint32_t used = 0;
	int st = dsbc_ws_upgrade_parse((const char *)c->wrx.buf, c->wrx.len,
				       &u, &used), n;

	if (st == 0)
		return !eof;
	if (st == 101 && !u.sip)
		st = 400;          /* not a SIP WebSocket */
	if (st == 101 && (!allowed(app->cfg.ws.hosts, u.host, true) ||
			  !allowed(app->cfg.ws.origins, u.origin, false)))
		st = 403;
	if (st != 101) {
		t->st.ws_refused++;
		n = dsbc_ws_refuse(st, out, sizeof(out));
		if (n > 0 && conn_write(t, c, out, (uint32_t)n))
			flush_tx(t, c);
		return false;
	}
	n = dsbc_ws_accept(&u, out, sizeof(out));
	if (n < 0 || !conn_write(t, c, out, (uint32_t)n))
		return false;
	c->wrx.skip = used;
	c->ws = WS_OPEN;
	t->st.ws_upgrades++;
	return true;
}

static void
ws_read(struct dsbc_app *app, struct dsbc_sip_tcp *t, struct tcp_conn *c)
{
	struct dsbc_sip_peer peer;
	const uint8_t *p;
	uint32_t plen;
	bool eof = false;

again:
	for (;;) {
		uint32_t room, n;
		uint8_t *tail = dsbc_ws_rx_tail(&c->wrx, &room);

		if (room == 0)
			break;
		n = conn_recv(c, (char *)tail, room, &eof);
		if (n == 0)
			break;
		dsbc_ws_rx_wrote(&c->wrx, n);
		t->st.rx_bytes += n;
	}
	c->last_ms = dsbc_sip_now_ms(app);
	if (c->ws == WS_UPGRADING) {
		if (!ws_upgrade(app, t, c, eof)) {
			conn_close(t, c);
			return;
		}
		if (c->ws == WS_UPGRADING)
			return;
	}
	for (;;) {
		enum dsbc_ws_rc rc = dsbc_ws_next(&c->wrx, &p, &plen);
		uint8_t code[2];

		switch (rc) {
		case DSBC_WS_NEED:
			break;
		case DSBC_WS_MSG:
			/* RFC 7118 5.2: a message per frame, framed by
			 * WebSocket (no Content-Length needed) */
			peer_of(t, c, &peer);
			t->st.rx_msgs++;
			dsbc_sip_deliver(app, &peer, (const char *)p, plen);
			if (c->dead) {
				conn_close(t, c);
				return;
			}
			continue;
		case DSBC_WS_PING:
			t->st.pings++;
			if (!ws_send(t, c, 0xa, p, plen)) {
				conn_close(t, c);
				return;
			}
			continue;
		case DSBC_WS_PONG:
			continue;
		case DSBC_WS_CLOSE:
			/* echo its status code (5.5.1), then close */
			t->st.ws_closed++;
			ws_send(t, c, 0x8, p, plen >= 2 ? 2 : 0);
			flush_tx(t, c);
			conn_close(t, c);
			return;
		default:
			/* 1002 protocol error, 1009 too big (7.4.1) */
			if (rc == DSBC_WS_ERR_TOO_BIG)
				t->st.too_big++;
			else
				t->st.ws_bad_frames++;
			code[0] = 0x03;
			code[1] = rc == DSBC_WS_ERR_TOO_BIG ? 0xf1 : 0xea;
			ws_send(t, c, 0x8, code, 2);
			flush_tx(t, c);
			conn_close(t, c);
			return;
		}
		break;
	}
	if (!eof && c->ssl != NULL && SSL_pending(c->ssl) > 0)
		goto again;
	if (eof) {
		flush_tx(t, c);
		conn_close(t, c);
	} else if (c->want_write) {
		set_events(t, c);
	}
}

/* An outbound stream that never became usable: what waits for it fails
 * now (503) rather than at timer B; then it is closed. */
static void
conn_fail(struct dsbc_app *app, struct dsbc_sip_tcp *t, struct tcp_conn *c,
	  const char *why)
{
	struct dsbc_sip_peer peer;
	char ip[64];

	t->st.connect_failed++;
	dsbc_addr_fmt(&c->remote, c->family, ip, sizeof(ip));
	DSBC_LOG(sip, NOTICE, "SIP over %s to %s port %u: %s\n",
		 c->ssl != NULL ? "TLS" : "TCP", ip, c->remote_port, why);
	peer_of(t, c, &peer);
	conn_close(t, c);
	if (app->sip != NULL && app->sip->b2b != NULL)
		dsbc_b2bua_transport_failed(app->sip->b2b, &peer,
					    dsbc_sip_now_ms(app));
}

/* Start TLS on an outbound stream once connected: the name the route
 * gives (SNI, and the certificate must carry it: RFC 5922 section 7),
 * or the next hop's address. */
static bool
tls_client_start(struct dsbc_app *app, struct dsbc_sip_tcp *t,
		 struct tcp_conn *c)
{
	const char *name = dsbc_config_route_tls_name(&app->cfg, c->route);

	SSL_set_fd(c->ssl, c->fd);
	SSL_set_connect_state(c->ssl);
	if (name[0] != '\0') {
		/* RFC 5922 7.2: no wildcard matches a SIP domain */
		SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_WILDCARDS);
		if (SSL_set_tlsext_host_name(c->ssl, name) != 1 ||
		    SSL_set1_host(c->ssl, name) != 1)
			return false;
	} else if (X509_VERIFY_PARAM_set1_ip(SSL_get0_param(c->ssl),
					     c->family == 6 ?
					     c->remote.a8 :
					     (const uint8_t *)&c->remote.v4,
					     c->family == 6 ? 16 : 4) != 1) {
		return false;
	}
	c->handshaking = true;
	return tls_step(t, c);
}

/* Open a stream towards to (non-blocking connect from dsbc's address
 * on that port); NULL when there is no room or the kernel refuses. */
static struct tcp_conn *
conn_open(struct dsbc_app *app, struct dsbc_sip_tcp *t,
	  const struct dsbc_sip_peer *to)
{
	struct sockaddr_storage ss, ls;
	socklen_t sl, ll = sizeof(ls);
	struct epoll_event ev;
	struct tcp_conn *c = NULL;
	uint8_t fam;
	uint32_t i;
	int fd;

	if (t->open >= t->max ||
	    (to->transport == DSBC_SIP_TLS && t->tls_client == NULL))
		return NULL;
	for (i = 0; i < t->max && c == NULL; i++)
		if (t->c[i].fd < 0)
			c = &t->c[i];
	if (c == NULL)
		return NULL;
	fd = socket(to->family == 6 ? AF_INET6 : AF_INET,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	memset(&ss, 0, sizeof(ss));
	memset(&ls, 0, sizeof(ls));
	if (to->family == 6) {
		struct sockaddr_in6 *d6 = (void *)&ss, *l6 = (void *)&ls;

		d6->sin6_family = l6->sin6_family = AF_INET6;
		memcpy(&d6->sin6_addr, to->remote.a8, 16);
		d6->sin6_port = htons(to->remote_port);
		memcpy(&l6->sin6_addr, to->local.a8, 16);
		sl = sizeof(*d6);
	} else {
		struct sockaddr_in *d4 = (void *)&ss, *l4 = (void *)&ls;

		d4->sin_family = l4->sin_family = AF_INET;
		d4->sin_addr.s_addr = to->remote.v4;
		d4->sin_port = htons(to->remote_port);
		l4->sin_addr.s_addr = to->local.v4;
		sl = sizeof(*d4);
	}
	/* from dsbc's address on the port facing the next hop */
	if (bind(fd, (struct sockaddr *)&ls, sl) != 0 ||
	    (connect(fd, (struct sockaddr *)&ss, sl) != 0 &&
	     errno != EINPROGRESS) ||
	    getsockname(fd, (struct sockaddr *)&ls, &ll) != 0 ||
	    dsbc_sip_stream_init(&c->rx, TCP_MSG_MAX) != 0) {
		close(fd);
		return NULL;
	}
	if (to->transport == DSBC_SIP_TLS &&
	    (c->ssl = SSL_new(t->tls_client)) == NULL) {
		dsbc_sip_stream_free(&c->rx);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->gen++;
	c->in = to->in;
	c->family = to->family;
	c->remote = to->remote;
	c->remote_port = to->remote_port;
	addr_of(&ls, &fam, &c->local, &c->local_port);
	c->outbound = true;
	c->connecting = true;
	c->route = to->route;
	c->last_ms = dsbc_sip_now_ms(app);
	c->hs_deadline = c->last_ms + (uint64_t)app->cfg.tls.handshake_s * 1000;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	ev.data.u64 = (uint64_t)(c - t->c);
	t->open++;
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		conn_close(t, c);
		return NULL;
	}
	t->st.connects++;
	return c;
}

/* connect() finished on an outbound stream: on with TLS or the queue;
 * false when it failed. */
static bool
connected(struct dsbc_app *app, struct dsbc_sip_tcp *t, struct tcp_conn *c,
	  int *err)
{
	socklen_t el = sizeof(*err);

	*err = 0;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, err, &el) != 0 ||
	    *err != 0)
		return false;
	c->connecting = false;
	if (c->ssl != NULL)
		return tls_client_start(app, t, c);
	return flush_tx(t, c);
}

/*
 * An open stream to to's address, port, transport and TLS name (RFC 5923
 * section 4: connections are keyed by all four): dsbc's own, whose
 * server certificate was checked for the route's name; or, second
 * choice, one a trunk opened and aliased to that address and port, over
 * TLS only when its client certificate carries the route's name (or the
 * address, without one: RFC 5923 section 9, RFC 5922).
 */
static struct tcp_conn *
conn_towards(struct dsbc_app *app, struct dsbc_sip_tcp *t,
	     const struct dsbc_sip_peer *to, bool *aliased)
{
	const char *name = dsbc_config_route_tls_name(&app->cfg, to->route);
	bool tls = to->transport == DSBC_SIP_TLS;
	struct tcp_conn *alias = NULL;
	uint32_t i;

	for (i = 0; i < t->max; i++) {
		struct tcp_conn *c = &t->c[i];

		if (c->fd < 0 || c->dead || c->family != to->family ||
		    (c->ssl != NULL) != tls || c->ws != WS_NONE)
			continue;
		if (c->outbound && c->remote_port == to->remote_port &&
		    dsbc_addr_eq(&c->remote, &to->remote) &&
		    strcmp(dsbc_config_route_tls_name(&app->cfg, c->route),
			   name) == 0) {
			*aliased = false;
			return c;
		}
		if (alias == NULL && c->alias && !c->handshaking &&
		    c->alias_port == to->remote_port &&
		    dsbc_addr_eq(&c->alias_addr, &to->remote) &&
		    (!tls || dsbc_sip_tls_peer_is(c->ssl, name, c->family,
						  &to->remote)))
			alias = c;
	}
	*aliased = alias != NULL;
	return alias;
}

/*
 * RFC 5923 section 5: a request whose top Via carries ;alias offers its
 * connection for requests towards the Via's sent-by.  Taken from trunks
 * only: a user's could draw requests meant for another host onto its
 * connection.  The sent-by must be an address of the connection's
 * family (names are not resolved here), on plain TCP the very address
 * the connection comes from (one trunk cannot take another route's
 * traffic).  The first request decides.
 */
static void
alias_check(struct dsbc_sip_tcp *t, struct tcp_conn *c, const char *msg,
	    uint32_t len)
{
	/* the management lcore is single-threaded: one parse buffer */
	static struct dsbc_sip_msg m;
	const struct dsbc_sip_hdr *h;
	struct dsbc_sip_via v;
	struct dsbc_sip_str val;
	const char *next;
	char host[64];
	uint8_t fam;

	if (dsbc_sip_parse(msg, len, &m) != DSBC_SIP_ERR_NONE || !m.request)
		return;
	c->alias_checked = true;
	h = dsbc_sip_hdr_get(&m, DSBC_SIP_H_VIA, 0);
	if (h == NULL || dsbc_sip_via_parse(h->value.p, h->value.p +
					    h->value.len, &v, &next) != 0 ||
	    !dsbc_sip_via_param(&v, "alias", &val))
		return;
	if (!dsbc_config_is_trunk(&t->app->cfg, c->family, &c->remote,
				  c->trunk_certs)) {
		t->st.alias_refused++;
		return;
	}
	if (v.host.len >= sizeof(host) || v.host.len < 1)
		return;
	if (v.host.p[0] == '[' && v.host.len > 2)
		snprintf(host, sizeof(host), "%.*s", (int)v.host.len - 2,
			 v.host.p + 1);
	else
		snprintf(host, sizeof(host), "%.*s", (int)v.host.len,
			 v.host.p);
	/* over TLS the certificate says who the peer is (checked per
	 * route in conn_towards); over plain TCP only the address it
	 * connects from does: the alias must be that address */
	if (dsbc_addr_parse(host, &c->alias_addr, &fam) != 0 ||
	    fam != c->family ||
	    (c->ssl == NULL && !dsbc_addr_eq(&c->alias_addr, &c->remote))) {
		t->st.alias_refused++;
		return;
	}
	/* RFC 3261 18.2.2: a sent-by without port is 5060, 5061 on TLS */
	c->alias_port = v.port != 0 ? v.port : c->ssl != NULL ? 5061 : 5060;
	c->alias = true;
	t->st.alias_accepted++;
}

int
dsbc_sip_tcp_send(struct dsbc_app *app, const struct dsbc_sip_peer *to,
		  const char *msg, uint32_t len)
{
	struct dsbc_sip_tcp *t = app->sip_tcp;
	struct tcp_conn *c;

	if (t == NULL)
		return -ENOTCONN;
	if (to->conn == 0) {
		/* towards a route's next hop: a stream open to it, or a
		 * new one of dsbc's */
		bool aliased;

		c = conn_towards(app, t, to, &aliased);
		if (c != NULL && aliased)
			t->st.alias_used++;
		else if (c != NULL)
			t->st.reused++;
		else if ((c = conn_open(app, t, to)) == NULL)
			return -ENOSPC;
	} else {
		c = conn_of(t, to->conn);
		/* the id names a slot and a 16-bit generation: the peer
		 * must be the one the connection is with, too */
		if (c != NULL && (c->family != to->family ||
				  c->remote_port != to->remote_port ||
				  !dsbc_addr_eq(&c->remote, &to->remote)))
			c = NULL;
	}
	if (c == NULL) {
		/* gone: RFC 5626 would answer 430 to a request for it */
		t->st.tx_no_conn++;
		return -ENOTCONN;
	}
	if (c->ws == WS_UPGRADING) {
		t->st.tx_no_conn++;
		return -ENOTCONN;
	}
	if (c->ws == WS_OPEN ? !ws_send(t, c, 0x1, msg, len) :
	    !conn_write(t, c, msg, len)) {
		/* not closed here: the message being read may be in its
		 * buffer (conn_read closes it) */
		c->dead = true;
		return -EIO;
	}
	t->st.tx_msgs++;
	return 0;
}

/* Idle connections closed (sip_tcp_idle_s), looked for once a second. */
static void
idle_scan(struct dsbc_app *app, struct dsbc_sip_tcp *t, uint64_t now)
{
	uint64_t idle = (uint64_t)app->cfg.sip_tcp_idle_s * 1000;
	uint32_t i;

	if (now < t->next_idle_ms)
		return;
	t->next_idle_ms = now + 1000;
	for (i = 0; i < t->max; i++) {
		if (t->c[i].fd < 0)
			continue;
		if (t->c[i].dead) {
			conn_close(t, &t->c[i]);
		} else if ((t->c[i].handshaking || t->c[i].connecting ||
			    t->c[i].ws == WS_UPGRADING) &&
			   now >= t->c[i].hs_deadline) {
			/* opened and stalled (slowloris), or a next hop
			 * that never answers: not kept */
			if (t->c[i].handshaking)
				t->st.tls_timeouts++;
			if (t->c[i].outbound)
				conn_fail(app, t, &t->c[i], "timed out");
			else
				conn_close(t, &t->c[i]);
		} else if (now - t->c[i].last_ms >= idle) {
			t->st.idle_closed++;
			conn_close(t, &t->c[i]);
		}
	}
}

uint32_t
dsbc_sip_tcp_poll(struct dsbc_app *app)
{
	struct dsbc_sip_tcp *t = app->sip_tcp;
	struct epoll_event ev[TCP_EVENTS];
	int n, i;

	if (t == NULL)
		return 0;
	n = epoll_wait(t->ep, ev, TCP_EVENTS, 0);
	for (i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;
		struct tcp_conn *c;

		if (tag & LISTEN_TAG) {
			accept_all(app, t, (int)(uint32_t)tag,
				   (uint16_t)(tag >> 32 & 0xffff),
				   (tag & TLS_TAG) != 0, (tag & WS_TAG) != 0);
			continue;
		}
		c = &t->c[tag];
		if (c->fd < 0)
			continue;
		if (c->dead) {
			conn_close(t, c);
			continue;
		}
		if (c->connecting) {
			int err;

			if (!connected(app, t, c, &err)) {
				conn_fail(app, t, c, err != 0 ? strerror(err) :
					  "TLS could not start");
				continue;
			}
			if (c->connecting || c->handshaking)
				continue;
		}
		if (c->handshaking) {
			if (!tls_step(t, c) ||
			    (ev[i].events & (EPOLLHUP | EPOLLERR))) {
				if (c->outbound)
					conn_fail(app, t, c, c->ssl != NULL ?
						  X509_verify_cert_error_string(
						  SSL_get_verify_result(c->ssl)) :
						  "closed");
				else
					conn_close(t, c);
				continue;
			}
			if (c->handshaking)
				continue;
			/* done: what was queued goes, records may have come
			 * with its end */
			if (!flush_tx(t, c)) {
				conn_close(t, c);
				continue;
			}
			conn_read(app, t, c);
			continue;
		}
		if ((ev[i].events & EPOLLOUT) && !flush_tx(t, c)) {
			conn_close(t, c);
			continue;
		}
		if (c->ssl != NULL && (ev[i].events & EPOLLOUT) &&
		    c->want_write) {
			/* a read that waited for the socket to take more */
			c->want_write = false;
			conn_read(app, t, c);
			continue;
		}
		if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			conn_read(app, t, c);
	}
	idle_scan(app, t, dsbc_sip_now_ms(app));
	return n > 0 ? (uint32_t)n : 0;
}

const struct dsbc_sip_tcp_stats *
dsbc_sip_tcp_stats(const struct dsbc_app *app, uint32_t *open)
{
	if (app->sip_tcp == NULL)
		return NULL;
	*open = app->sip_tcp->open;
	return &app->sip_tcp->st;
}
