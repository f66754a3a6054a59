/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x5u fetches (stir_fetch.h).  Each fetch is a libcurl easy handle in
 * one multi handle; dsbc_stir_fetch_poll() calls curl_multi_perform(),
 * which never waits (name resolution runs in libcurl's own resolver
 * thread), and hands finished bodies to lib/b2bua.  What cert_dir
 * answers is delivered on the next poll too, so the library is never
 * re-entered from inside its own ops->stir_fetch call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dsbc_b2bua.h"
#include "dsbc_config.h"
#include "dsbc.h"
#include "ctl/sip.h"
#include "ctl/stir_fetch.h"
#include "log.h"

/* An x5u is a certificate chain: a few KiB.  More is not one. */
#define BODY_MAX (64 * 1024)

struct fetch {
	struct dsbc_stir_fetcher *f;
	CURL *easy;                  /* NULL: answered from cert_dir */
	char url[256];
	char *body;
	size_t len;
	bool too_big;
	bool done;                   /* cert_dir: deliver on the next poll */
	struct fetch *next;
};

struct dsbc_stir_fetcher {
	struct dsbc_app *app;
	CURLM *multi;
	struct fetch *list;          /* under way, and cert_dir answers */
	struct dsbc_stir_fetch_stats st;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *x = arg;
	size_t len = size * n;
	char *nb;

	if (x->len + len > BODY_MAX) {
		x->too_big = true;
		return 0;            /* libcurl ends the transfer */
	}
	nb = realloc(x->body, x->len + len + 1);
	if (nb == NULL)
		return 0;
	memcpy(nb + x->len, p, len);
	x->body = nb;
	x->len += len;
	return len;
}

/* cert_dir/<the URL's last path segment>, when it is a plain name */
static int
from_dir(struct dsbc_stir_fetcher *f, struct fetch *x)
{
	const char *dir = f->app->cfg.stir.cert_dir, *name, *q;
	char path[768], file[256];
	struct stat sb;
	ssize_t r;
	size_t n;
	int fd;

	if (dir[0] == '\0')
		return -1;
	q = strpbrk(x->url, "?#");
	n = q != NULL ? (size_t)(q - x->url) : strlen(x->url);
	snprintf(file, sizeof(file), "%.*s", (int)n, x->url);
	name = strrchr(file, '/');
	name = name != NULL ? name + 1 : file;
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '\\') != NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size <= 0 || sb.st_size > BODY_MAX) {
		close(fd);
		return -1;
	}
	x->body = malloc((size_t)sb.st_size + 1);
	r = x->body != NULL ? read(fd, x->body, (size_t)sb.st_size) : -1;
	close(fd);
	if (r != sb.st_size) {
		free(x->body);
		x->body = NULL;
		return -1;
	}
	x->len = (size_t)r;
	x->done = true;
	f->st.from_dir++;
	return 0;
}

int
dsbc_stir_fetch_start(void *ctx, const char *url)
{
	struct dsbc_app *app = ctx;
	struct dsbc_stir_fetcher *f = app->sip->fetch;
	const struct dsbc_stir_cfg *sc = &app->cfg.stir;
	struct fetch *x;

	if (f == NULL || strlen(url) >= sizeof(x->url))
		return -1;
	if (f->st.in_flight >= sc->fetch_max) {
		f->st.busy++;
		return -1;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -1;
	x->f = f;
	strcpy(x->url, url);
	if (from_dir(f, x) != 0) {
		x->easy = curl_easy_init();
		if (x->easy == NULL)
			goto fail;
		/* HTTP and HTTPS only, no redirects elsewhere, the whole
		 * fetch within fetch_timeout_ms, no signals (the lcore's
		 * own handlers stay) */
		if (curl_easy_setopt(x->easy, CURLOPT_URL, x->url) != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR,
				     "http,https") != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L) !=
		    CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS,
				     (long)sc->fetch_timeout_ms) != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_FAILONERROR, 1L) !=
		    CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE,
				     (long)BODY_MAX) != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_USERAGENT,
				     "dsbc/" DSBC_VERSION) != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION,
				     on_body) != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x) != CURLE_OK ||
		    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x) != CURLE_OK ||
		    curl_multi_add_handle(f->multi, x->easy) != CURLM_OK)
			goto fail;
		f->st.started++;
	}
	f->st.in_flight++;
	x->next = f->list;
	f->list = x;
	return 0;
fail:
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	free(x);
	return -1;
}

static void
fetch_free(struct dsbc_stir_fetcher *f, struct fetch *x)
{
	if (x->easy != NULL) {
		curl_multi_remove_handle(f->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	free(x->body);
	free(x);
}

/* Unlink x, tell the library, free it. */
static void
deliver(struct dsbc_stir_fetcher *f, struct fetch *x, bool ok)
{
	struct fetch **l;

	for (l = &f->list; *l != NULL; l = &(*l)->next)
		if (*l == x) {
			*l = x->next;
			break;
		}
	f->st.in_flight--;
	if (!ok || x->len == 0) {
		f->st.failed += x->easy != NULL;
		dsbc_b2bua_stir_fetched(f->app->sip->b2b, x->url, NULL, 0,
					dsbc_sip_now_ms(f->app));
	} else {
		f->st.ok += x->easy != NULL;
		dsbc_b2bua_stir_fetched(f->app->sip->b2b, x->url, x->body,
					x->len, dsbc_sip_now_ms(f->app));
	}
	fetch_free(f, x);
}

uint32_t
dsbc_stir_fetch_poll(struct dsbc_app *app)
{
	struct dsbc_stir_fetcher *f = app->sip != NULL ? app->sip->fetch : NULL;
	struct fetch *x, *next;
	uint32_t n = 0;
	CURLMsg *msg;
	int running, left;

	if (f == NULL || f->st.in_flight == 0)
		return 0;
	for (x = f->list; x != NULL; x = next) {
		next = x->next;
		if (x->done) {
			deliver(f, x, true);
			n++;
		}
	}
	if (curl_multi_perform(f->multi, &running) != CURLM_OK)
		return n;
	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		char *priv = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		x = (struct fetch *)priv;
		if (msg->data.result != CURLE_OK)
			DSBC_LOG(b2bua, NOTICE, "x5u %s: %s\n", x->url,
				 x->too_big ? "larger than 64 KiB" :
				 curl_easy_strerror(msg->data.result));
		deliver(f, x, msg->data.result == CURLE_OK);
		n++;
	}
	return n;
}

int
dsbc_stir_fetch_init(struct dsbc_app *app)
{
	struct dsbc_stir_fetcher *f;
	bool any = false;
	unsigned int i;

	for (i = 0; i < app->cfg.nb_routes; i++)
		any |= app->cfg.routes[i].stir_verify != DSBC_STIR_OFF;
	if (!any)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		DSBC_LOG(b2bua, ERR, "libcurl initialisation failed\n");
		return -1;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->multi = curl_multi_init()) == NULL) {
		free(f);
		curl_global_cleanup();
		DSBC_LOG(b2bua, ERR, "no memory for x5u fetches\n");
		return -1;
	}
	f->app = app;
	app->sip->fetch = f;
	return 0;
}

void
dsbc_stir_fetch_fini(struct dsbc_app *app)
{
	struct dsbc_stir_fetcher *f = app->sip != NULL ? app->sip->fetch : NULL;
	struct fetch *x;

	if (f == NULL)
		return;
	while ((x = f->list) != NULL) {
		f->list = x->next;
		fetch_free(f, x);
	}
	curl_multi_cleanup(f->multi);
	free(f);
	app->sip->fetch = NULL;
	curl_global_cleanup();
}

const struct dsbc_stir_fetch_stats *
dsbc_stir_fetch_stats(const struct dsbc_app *app)
{
	return app->sip != NULL && app->sip->fetch != NULL ?
	       &app->sip->fetch->st : NULL;
}
