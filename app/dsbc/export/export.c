/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The export thread (export.h).  A control thread of the EAL: not an
 * lcore, free to block in write(2) and sendmmsg(2).  Each pass takes
 * what the rings hold, writes the CDR lines with one writev(2) and the
 * HEP packets with one sendmmsg(2), and sleeps 2 ms when both were
 * empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_ring.h>

#include "dsbc.h"
#include "export/export.h"
#include "log.h"

#define EXPORT_BURST 64

struct item {
	void *p;
	size_t len;
};

struct dsbc_export {
	struct rte_ring *cdr_ring;       /* struct item *, mgmt -> thread */
	struct rte_ring *hep_ring;
	pthread_t thread;
	bool running;
	volatile bool stop;
	volatile bool reopen;
	/* settings: the thread's own copy; a new one waits in next */
	struct dsbc_cdr_cfg cdr;
	struct dsbc_hep_cfg hep;
	pthread_mutex_t next_lock;       /* next_*: a struct copy at a time */
	struct dsbc_cdr_cfg next_cdr;
	struct dsbc_hep_cfg next_hep;
	uint32_t next_gen;               /* bumped by configure, under it */
	uint32_t gen;
	uint64_t retry_at;               /* reopen a file that failed (s) */
	int fd;                          /* CDR file, -1 none */
	int sock;                        /* HEP socket, -1 none */
	struct dsbc_export_stats st;
};

static struct dsbc_export ex_state = {
	.fd = -1, .sock = -1, .next_lock = PTHREAD_MUTEX_INITIALIZER,
};

static void
cdr_open(struct dsbc_export *ex)
{
	if (ex->fd >= 0)
		close(ex->fd);
	ex->fd = -1;
	if (ex->cdr.file[0] == '\0')
		return;
	ex->fd = open(ex->cdr.file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      0640);
	if (ex->fd < 0) {
		ex->st.cdr_errors++;
		DSBC_LOG(main, ERR, "[cdr] file %s: %s\n", ex->cdr.file,
			 strerror(errno));
	}
}

static void
hep_open(struct dsbc_export *ex)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (ex->sock >= 0)
		close(ex->sock);
	ex->sock = -1;
	if (!ex->hep.set)
		return;
	memset(&ss, 0, sizeof(ss));
	if (ex->hep.family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(ex->hep.port);
		memcpy(&s4->sin_addr, &ex->hep.addr.v4, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(ex->hep.port);
		memcpy(&s6->sin6_addr, ex->hep.addr.a8, 16);
		sl = sizeof(*s6);
	}
	ex->sock = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* connected: sendmmsg needs no address, ICMP errors are seen */
	if (ex->sock < 0 || connect(ex->sock, (struct sockaddr *)&ss, sl) != 0) {
		ex->st.hep_errors++;
		DSBC_LOG(main, ERR, "[hep] collector: %s\n", strerror(errno));
		if (ex->sock >= 0)
			close(ex->sock);
		ex->sock = -1;
	}
}

static void
write_cdrs(struct dsbc_export *ex, struct item **it, unsigned int n)
{
	struct iovec iov[EXPORT_BURST];
	size_t total = 0;
	unsigned int i;
	ssize_t w;

	if (ex->cdr.syslog) {
		/* facility local0 on each message, the process's ident kept:
		 * openlog() is process-wide, and the EAL's own log lines go
		 * to syslog with it (facility daemon) */
		for (i = 0; i < n; i++) {
			/* without its newline */
			syslog(LOG_LOCAL0 | LOG_INFO, "%.*s",
			       (int)(it[i]->len - 1), (char *)it[i]->p);
			ex->st.cdr_written++;
		}
		return;
	}
	if (ex->fd < 0) {
		ex->st.cdr_errors += n;
		return;
	}
	for (i = 0; i < n; i++) {
		iov[i].iov_base = it[i]->p;
		iov[i].iov_len = it[i]->len;
		total += it[i]->len;
	}
	/* O_APPEND: one writev is one append; a short one (disk full)
	 * is counted, the rest of the lines lost with it */
	w = writev(ex->fd, iov, (int)n);
	if (w == (ssize_t)total) {
		ex->st.cdr_written += n;
	} else {
		ex->st.cdr_errors += n;
		DSBC_LOG(main, ERR, "[cdr] %s: %s\n", ex->cdr.file,
			 w < 0 ? strerror(errno) : "short write");
	}
}

static void
send_heps(struct dsbc_export *ex, struct item **it, unsigned int n)
{
	struct mmsghdr mh[EXPORT_BURST];
	struct iovec iov[EXPORT_BURST];
	unsigned int i, done = 0;
	int k;

	if (ex->sock < 0) {
		ex->st.hep_errors += n;
		return;
	}
	memset(mh, 0, sizeof(mh[0]) * n);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = it[i]->p;
		iov[i].iov_len = it[i]->len;
		mh[i].msg_hdr.msg_iov = &iov[i];
		mh[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		k = sendmmsg(ex->sock, mh + done, n - done, 0);
		if (k <= 0) {
			/* ECONNREFUSED from an earlier ICMP, a full socket
			 * buffer: this packet is lost, the rest go on */
			ex->st.hep_errors++;
			done++;
			continue;
		}
		ex->st.hep_sent += (uint64_t)k;
		done += (unsigned int)k;
	}
}

static unsigned int
drain(struct dsbc_export *ex, struct rte_ring *r, bool cdr)
{
	struct item *it[EXPORT_BURST];
	unsigned int n, i, total = 0;

	do {
		n = rte_ring_sc_dequeue_burst(r, (void **)it, EXPORT_BURST,
					      NULL);
		if (n == 0)
			break;
		if (cdr)
			write_cdrs(ex, it, n);
		else
			send_heps(ex, it, n);
		for (i = 0; i < n; i++) {
			free(it[i]->p);
			free(it[i]);
		}
		total += n;
	} while (n == EXPORT_BURST);
	return total;
}

static void
apply_config(struct dsbc_export *ex)
{
	struct dsbc_cdr_cfg cdr;
	struct dsbc_hep_cfg hep;
	uint32_t g;

	if (__atomic_load_n(&ex->next_gen, __ATOMIC_ACQUIRE) == ex->gen)
		return;
	pthread_mutex_lock(&ex->next_lock);
	g = ex->next_gen;
	cdr = ex->next_cdr;
	hep = ex->next_hep;
	pthread_mutex_unlock(&ex->next_lock);
	ex->gen = g;
	if (strcmp(ex->cdr.file, cdr.file) != 0 ||
	    ex->cdr.syslog != cdr.syslog) {
		ex->cdr = cdr;
		cdr_open(ex);
	}
	if (memcmp(&ex->hep, &hep, sizeof(hep)) != 0) {
		ex->hep = hep;
		hep_open(ex);
	}
}

static void *
export_main(void *arg)
{
	struct dsbc_export *ex = arg;
	unsigned int n;
	struct timespec ts;

	for (;;) {
		bool stopping = ex->stop;

		apply_config(ex);
		/* a file that could not be opened (a directory not there
		 * yet, permissions being fixed): tried again every 5 s */
		if (ex->fd < 0 && ex->cdr.file[0] != '\0') {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			if ((uint64_t)ts.tv_sec >= ex->retry_at) {
				ex->retry_at = (uint64_t)ts.tv_sec + 5;
				cdr_open(ex);
			}
		}
		if (ex->reopen) {
			ex->reopen = false;
			if (ex->cdr.file[0] != '\0') {
				cdr_open(ex);
				ex->st.cdr_rotations++;
			}
		}
		n = drain(ex, ex->cdr_ring, true);
		n += drain(ex, ex->hep_ring, false);
		/* stop seen before this pass: what was queued is out */
		if (stopping && n == 0)
			break;
		if (n == 0)
			usleep(2000);
	}
	return NULL;
}

static struct dsbc_export *
ex_of(const struct dsbc_app *app)
{
	(void)app;
	return &ex_state;
}

int
dsbc_export_start(struct dsbc_app *app)
{
	struct dsbc_export *ex = ex_of(app);
	int rc;

	ex->cdr = app->cfg.cdr;
	ex->hep = app->cfg.hep;
	app->hep_rtcp = ex->hep.set && ex->hep.rtcp;
	ex->next_cdr = ex->cdr;
	ex->next_hep = ex->hep;
	ex->cdr_ring = rte_ring_create("dsbc_cdr", rte_align32pow2(
				       app->cfg.cdr.queue + 1), SOCKET_ID_ANY,
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
	ex->hep_ring = rte_ring_create("dsbc_hep", rte_align32pow2(
				       app->cfg.hep.queue + 1), SOCKET_ID_ANY,
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (ex->cdr_ring == NULL || ex->hep_ring == NULL) {
		DSBC_LOG(main, ERR, "export rings: %s\n",
			 rte_strerror(rte_errno));
		return -1;
	}
	cdr_open(ex);
	hep_open(ex);
	rc = rte_ctrl_thread_create(&ex->thread, "dsbc-export", NULL,
				    export_main, ex);
	if (rc != 0) {
		DSBC_LOG(main, ERR, "export thread: %s\n", strerror(rc));
		return -1;
	}
	ex->running = true;
	return 0;
}

void
dsbc_export_stop(struct dsbc_app *app)
{
	struct dsbc_export *ex = ex_of(app);

	if (ex->running) {
		ex->stop = true;
		pthread_join(ex->thread, NULL);
		ex->running = false;
	}
	if (ex->fd >= 0)
		close(ex->fd);
	if (ex->sock >= 0)
		close(ex->sock);
	ex->fd = ex->sock = -1;
	rte_ring_free(ex->cdr_ring);
	rte_ring_free(ex->hep_ring);
	ex->cdr_ring = ex->hep_ring = NULL;
}

static int
enqueue(struct rte_ring *r, void *p, size_t len)
{
	struct item *it;

	if (r == NULL)
		return -ENOBUFS;
	it = malloc(sizeof(*it));
	if (it == NULL)
		return -ENOBUFS;
	it->p = p;
	it->len = len;
	if (rte_ring_sp_enqueue(r, it) != 0) {
		free(it);
		return -ENOBUFS;
	}
	return 0;
}

int
dsbc_export_cdr(struct dsbc_app *app, char *line, size_t len)
{
	struct dsbc_export *ex = ex_of(app);

	if (enqueue(ex->cdr_ring, line, len) != 0) {
		ex->st.cdr_ring_full++;
		return -ENOBUFS;
	}
	return 0;
}

void
dsbc_export_hep(struct dsbc_app *app, void *pkt, size_t len)
{
	struct dsbc_export *ex = ex_of(app);

	if (enqueue(ex->hep_ring, pkt, len) != 0) {
		ex->st.hep_dropped++;
		free(pkt);
	}
}

bool
dsbc_export_cdr_on(const struct dsbc_app *app)
{
	/* the management lcore's own config: what reload applied */
	return app->cfg.cdr.file[0] != '\0' || app->cfg.cdr.syslog;
}

bool
dsbc_export_hep_on(const struct dsbc_app *app)
{
	return app->cfg.hep.set;
}

void
dsbc_export_reopen(struct dsbc_app *app)
{
	ex_of(app)->reopen = true;
}

void
dsbc_export_configure(struct dsbc_app *app, const struct dsbc_cdr_cfg *cdr,
		      const struct dsbc_hep_cfg *hep)
{
	struct dsbc_export *ex = ex_of(app);

	/* the thread copies next_* under the lock too: never half of
	 * one reload and half of the next */
	pthread_mutex_lock(&ex->next_lock);
	ex->next_cdr = *cdr;
	ex->next_hep = *hep;
	__atomic_add_fetch(&ex->next_gen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ex->next_lock);
	app->hep_rtcp = hep->set && hep->rtcp;
}

const struct dsbc_export_stats *
dsbc_export_stats(const struct dsbc_app *app)
{
	return &ex_of(app)->st;
}
