/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digest credentials (RFC 7616 section 3.4, as RFC 3261 section 25.1
 * writes them for SIP) and the response computation (RFC 7616 3.4.1).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "dsbc_digest.h"

static const char *const alg_names[DSBC_DIGEST_ALG_MAX] = {
	[DSBC_DIGEST_MD5] = "MD5",
	[DSBC_DIGEST_SHA256] = "SHA-256",
};

const char *
dsbc_digest_alg_name(unsigned int alg)
{
	return alg < DSBC_DIGEST_ALG_MAX ? alg_names[alg] : "";
}

int
dsbc_digest_alg_lookup(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < DSBC_DIGEST_ALG_MAX; i++)
		if (strlen(alg_names[i]) == len &&
		    strncasecmp(alg_names[i], name, len) == 0)
			return (int)i;
	return -1;
}

static const EVP_MD *
md_of(unsigned int alg)
{
	switch (alg) {
	case DSBC_DIGEST_MD5:
		return EVP_md5();
	case DSBC_DIGEST_SHA256:
		return EVP_sha256();
	default:
		return NULL;
	}
}

/* H(p[0] ":" p[1] ":" ... ) in lower-case hex */
static int
hash_hex(unsigned int alg, const char *const *parts, const size_t *lens,
	 unsigned int n, char out[DSBC_DIGEST_HEX_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	const EVP_MD *type = md_of(alg);
	unsigned int i, mdlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (type == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, type, NULL);
	for (i = 0; ok && i < n; i++) {
		if (i > 0)
			ok = EVP_DigestUpdate(ctx, ":", 1);
		if (ok)
			ok = EVP_DigestUpdate(ctx, parts[i], lens[i]);
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok || mdlen * 2 >= DSBC_DIGEST_HEX_MAX)
		return -1;
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
	return 0;
}

int
dsbc_digest_ha1(unsigned int alg, const char *user, const char *realm,
		const char *password, char out[DSBC_DIGEST_HEX_MAX])
{
	const char *p[3] = { user, realm, password };
	size_t l[3] = { strlen(user), strlen(realm), strlen(password) };

	return hash_hex(alg, p, l, 3, out);
}

int
dsbc_digest_response(const struct dsbc_digest_cred *c, const char *ha1,
		     const char *method, size_t mlen,
		     char out[DSBC_DIGEST_HEX_MAX])
{
	char ha2[DSBC_DIGEST_HEX_MAX], nc[9];
	const char *p2[2] = { method, c->uri };
	size_t l2[2] = { mlen, strlen(c->uri) };

	if (hash_hex(c->alg, p2, l2, 2, ha2) != 0)
		return -1;
	if (c->has_qop) {
		const char *p[6] = { ha1, c->nonce, nc, c->cnonce, c->qop, ha2 };
		size_t l[6];

		snprintf(nc, sizeof(nc), "%08x", c->nc);
		l[0] = strlen(ha1);
		l[1] = strlen(c->nonce);
		l[2] = 8;
		l[3] = strlen(c->cnonce);
		l[4] = strlen(c->qop);
		l[5] = strlen(ha2);
		return hash_hex(c->alg, p, l, 6, out);
	} else {
		const char *p[3] = { ha1, c->nonce, ha2 };
		size_t l[3] = { strlen(ha1), strlen(c->nonce), strlen(ha2) };

		return hash_hex(c->alg, p, l, 3, out);
	}
}

/* ---- credentials ---- */

static bool
is_token_char(char ch)
{
	/* RFC 3261 section 25.1 token */
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || strchr("-.!%*_+`'~", ch) != NULL;
}

static const char *
skip_lws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
			   *p == '\n'))
		p++;
	return p;
}

/*
 * One value (token or quoted-string) into dst, unescaped.  Returns the
 * position after it, NULL when malformed or too long for cap.
 */
static const char *
value_copy(const char *p, const char *end, char *dst, size_t cap)
{
	size_t n = 0;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\') {
				if (++p == end)
					return NULL;
			}
			if (n + 1 >= cap || *p == '\0')
				return NULL;
			dst[n++] = *p;
		}
		if (p == end)
			return NULL;
		dst[n] = '\0';
		return p + 1;
	}
	/* token; nc and the like are tokens too */
	while (p < end && is_token_char(*p)) {
		if (n + 1 >= cap)
			return NULL;
		dst[n++] = *p++;
	}
	if (n == 0)
		return NULL;
	dst[n] = '\0';
	return p;
}

int
dsbc_digest_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

enum cparam {
	CP_USERNAME, CP_REALM, CP_NONCE, CP_URI, CP_RESPONSE, CP_ALG,
	CP_CNONCE, CP_OPAQUE, CP_QOP, CP_NC, CP_USERHASH, CP_MAX
};

static const char *const cp_names[CP_MAX] = {
	"username", "realm", "nonce", "uri", "response", "algorithm",
	"cnonce", "opaque", "qop", "nc", "userhash",
};

int
dsbc_digest_cred_parse(const char *v, size_t len, struct dsbc_digest_cred *c)
{
	const char *p = v, *end = v + len, *name;
	char alg[24] = "MD5", nc[16] = "", uh[8] = "";
	unsigned int seen = 0, i;
	size_t nlen;
	int a;

	memset(c, 0, sizeof(*c));
	p = skip_lws(p, end);
	if (end - p < 7 || strncasecmp(p, "Digest", 6) != 0 ||
	    (p[6] != ' ' && p[6] != '\t'))
		return -1;
	p += 6;
	for (;;) {
		char *dst;
		size_t cap;

		p = skip_lws(p, end);
		name = p;
		while (p < end && is_token_char(*p))
			p++;
		nlen = (size_t)(p - name);
		if (nlen == 0)
			return -1;
		p = skip_lws(p, end);
		if (p == end || *p != '=')
			return -1;
		p = skip_lws(p + 1, end);
		for (i = 0; i < CP_MAX; i++)
			if (strlen(cp_names[i]) == nlen &&
			    strncasecmp(cp_names[i], name, nlen) == 0)
				break;
		switch (i) {
		case CP_USERNAME: dst = c->username; cap = sizeof(c->username); break;
		case CP_REALM: dst = c->realm; cap = sizeof(c->realm); break;
		case CP_NONCE: dst = c->nonce; cap = sizeof(c->nonce); break;
		case CP_URI: dst = c->uri; cap = sizeof(c->uri); break;
		case CP_RESPONSE: dst = c->response; cap = sizeof(c->response); break;
		case CP_ALG: dst = alg; cap = sizeof(alg); break;
		case CP_CNONCE: dst = c->cnonce; cap = sizeof(c->cnonce); break;
		case CP_OPAQUE: dst = c->opaque; cap = sizeof(c->opaque); break;
		case CP_QOP: dst = c->qop; cap = sizeof(c->qop); break;
		case CP_NC: dst = nc; cap = sizeof(nc); break;
		case CP_USERHASH: dst = uh; cap = sizeof(uh); break;
		default: {
			/* an extension parameter: skipped (RFC 7616 3.4) */
			char skip[512];

			dst = skip;
			cap = sizeof(skip);
			p = value_copy(p, end, dst, cap);
			if (p == NULL)
				return -1;
			goto next;
		}
		}
		if (seen & (1u << i))
			return -1;
		seen |= 1u << i;
		p = value_copy(p, end, dst, cap);
		if (p == NULL)
			return -1;
next:
		p = skip_lws(p, end);
		if (p == end)
			break;
		if (*p != ',')
			return -1;
		p++;
	}
	if ((seen & 0x1f) != 0x1f)      /* username .. response */
		return -1;
	if (strcasecmp(uh, "true") == 0)
		return -2;
	a = dsbc_digest_alg_lookup(alg, strlen(alg));
	if (a < 0)
		return -2;
	c->alg = (uint8_t)a;
	if (seen & (1u << CP_QOP)) {
		uint32_t n = 0;

		/* with qop, nc is exactly 8 hex digits and cnonce is there */
		if (strlen(nc) != 8 || !(seen & (1u << CP_CNONCE)))
			return -1;
		for (i = 0; i < 8; i++) {
			int d = dsbc_digest_hexval(nc[i]);

			if (d < 0)
				return -1;
			n = n << 4 | (uint32_t)d;
		}
		c->nc = n;
		c->has_qop = true;
	}
	return 0;
}
