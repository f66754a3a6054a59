/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "dsbc_config.h"
#include "dsbc_flow.h"
#include "dsbc_sdp_crypto.h"

/* Parsing context: where we are, for the one-line error. */
struct cfg_ctx {
	struct dsbc_config *c;
	const char *section;
	char *err;
	size_t errlen;
};

static int __rte_format_printf(3, 4)
cfg_fail(struct cfg_ctx *x, const char *key, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errlen, "%s: [%s] %s: %s", x->c->path,
		 x->section ? x->section : "-", key ? key : "-", reason);
	return -1;
}

void
dsbc_config_defaults(struct dsbc_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sip_port = 5060;
	c->cdr.queue = 4096;
	c->hep.queue = 8192;
	c->hep.quality = true;
	c->hep.rtcp = true;
	c->media_port_min = 20000;
	c->media_port_max = 39999;
	c->flow_capacity = 65536;
	c->ice_capacity = 16384;
	c->max_calls = 0;             /* sized from memory at start */
	c->max_transactions = 0;      /* likewise */
	c->terminate_capacity = 4096;
	c->dtls_timeout_ms = 10000;
	c->srtp_replay_window = 128;
	c->srtp_hold_ms = 500;
	c->sip_tcp_max_conns = 4096;
	c->sip_tcp_max_per_source = 64;
	c->sip_tcp_idle_s = 900;
	c->srtp_hold_packets = 512;
	c->ice_consent_s = 30;
	c->sip_rate_pps = 1000;
	c->sip_burst = 2000;
	c->sip_ban_strikes = 1000;
	c->sip_ban_s = 60;
	c->sip_admit_pps = 2000;
	c->sip_admit_burst = 200;
	c->sip_reject_pps = 500;
	c->sip_retry_after_s = 5;
	c->sip_trust_s = 3600;
	c->sip_trusted_rate_pps = 50000;
	c->sip_t1_ms = 500;
	c->cryptodev_qp_size = 2048;
	c->mbufs = 16383;
	c->mbuf_data_size = 2048 + 128;   /* RTE_MBUF_DEFAULT_BUF_SIZE */
	c->burst = 32;
	c->ctrl_ring_size = 4096;
	c->event_ring_size = 4096;
	c->punt_ring_size = 1024;
	c->handoff_ring_size = 2048;
	c->idle_polls = 64;
	c->idle_sleep_us = 100;
	c->flow_idle_ms = 60000;
	c->no_route_status = 404;
	c->mode_default = DSBC_MODE_RELAY;
	c->ssrc_policy = DSBC_SSRC_ALARM;
	c->seq_drop = 0;
	c->seq_window = 3000;
	c->police_pps = 2000;
	c->police_burst = 200;
	c->latch_default = DSBC_LATCH_FIRST;
	c->relatch_ms_default = 0;
	c->dscp_default = 46;             /* EF, RFC 3246 */
	c->ttl = 64;
	c->arp_retry_ms = 1000;
	c->sip_tls_port = 5061;
	c->tls.min_version = 12;
	c->tls.handshake_s = 10;
	c->stir.attest[0] = 'A';
	c->stir.trunk_attest[0] = 'B';
	c->stir.iat_window_s = 60;
	c->stir.fetch_timeout_ms = 2000;
	c->stir.fetch_max = 16;
	c->stir.cache_size = 1024;
	c->stir.cache_ttl_s = 3600;
	c->stir.fail_ttl_s = 30;
	c->stir.parked_max = 256;
	c->stir.replay_size = 65536;
	c->auth.nonce_ttl_s = 300;
	c->auth.fail_max = 10;
	c->auth.fail_window_s = 60;
	c->registrar.auth_invite = true;
	c->registrar.min_expires_s = 60;
	c->registrar.max_expires_s = 3600;
	c->registrar.default_expires_s = 3600;
	c->registrar.nat_expires_s = 90;
	c->registrar.keepalive_s = 25;
	c->registrar.keepalive_misses = 3;
	c->registrar.flow_timer_s = 120;
	c->registrar.max_aors = 16384;
	c->registrar.max_per_aor = 5;
	snprintf(c->drivers_cfg_dir, sizeof(c->drivers_cfg_dir), "drivers-cfg");
}

/* ---- value parsers ---- */

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
cfg_u32(struct cfg_ctx *x, const char *key, const char *val, uint64_t min,
	uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(val, min, max, &v) != 0)
		return cfg_fail(x, key, "'%s' is not an integer in [%" PRIu64
				", %" PRIu64 "]", val, min, max);
	*out = (uint32_t)v;
	return 0;
}

static int
cfg_u16(struct cfg_ctx *x, const char *key, const char *val, uint64_t min,
	uint64_t max, uint16_t *out)
{
	uint32_t v;

	if (cfg_u32(x, key, val, min, max, &v) != 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int
cfg_bool(struct cfg_ctx *x, const char *key, const char *val, bool *out)
{
	if (!strcasecmp(val, "yes") || !strcasecmp(val, "true") ||
	    !strcmp(val, "1") || !strcasecmp(val, "on"))
		*out = true;
	else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") ||
		 !strcmp(val, "0") || !strcasecmp(val, "off"))
		*out = false;
	else
		return cfg_fail(x, key, "'%s' is not yes/no", val);
	return 0;
}

/*
 * One of n keywords: *out gets its position.  The error lists them as
 * "a, b or c".
 */
static int
cfg_choice(struct cfg_ctx *x, const char *key, const char *val,
	   const char *const *names, unsigned int n, uint8_t *out)
{
	char list[128];
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(val, names[i])) {
			*out = (uint8_t)i;
			return 0;
		}
	list[0] = '\0';
	for (i = 0; i < n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s%s", i == 0 ? "" :
					 i + 1 == n ? " or " : ", ", names[i]);
	return cfg_fail(x, key, "'%s' is not %s", val, list);
}

static int
cfg_str(struct cfg_ctx *x, const char *key, const char *val, char *out,
	size_t len)
{
	if (strlen(val) >= len)
		return cfg_fail(x, key, "value longer than %zu bytes", len - 1);
	snprintf(out, len, "%s", val);
	return 0;
}

static int
cfg_mac(struct cfg_ctx *x, const char *key, const char *val,
	struct dsbc_mac *mac)
{
	struct rte_ether_addr e;

	if (rte_ether_unformat_addr(val, &e) != 0 ||
	    !rte_is_valid_assigned_ether_addr(&e))
		return cfg_fail(x, key, "'%s' is not a unicast MAC address", val);
	memcpy(mac->bytes, e.addr_bytes, sizeof(mac->bytes));
	return 0;
}

/* "ADDR" or "ADDR/PREFIX" of the expected family (0: either). */
static int
cfg_ip(struct cfg_ctx *x, const char *key, const char *val, uint8_t want,
       bool prefix_ok, struct dsbc_cfg_ip *ip, uint8_t *family_out)
{
	char buf[64];
	char *slash;
	uint8_t fam;
	uint64_t plen;

	if (strlen(val) >= sizeof(buf))
		return cfg_fail(x, key, "'%s' is not an address", val);
	snprintf(buf, sizeof(buf), "%s", val);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		if (!prefix_ok)
			return cfg_fail(x, key, "'%s': no prefix length expected",
					val);
		*slash++ = '\0';
	}
	if (dsbc_addr_parse(buf, &ip->addr, &fam) != 0)
		return cfg_fail(x, key, "'%s' is not an IP address", val);
	if (want != 0 && fam != want)
		return cfg_fail(x, key, "'%s' is not an IPv%u address", val, want);
	ip->prefix = fam == 4 ? 32 : 128;
	if (slash != NULL) {
		if (parse_u64(slash, fam == 4 ? 1 : 8, ip->prefix, &plen) != 0)
			return cfg_fail(x, key, "'%s': bad prefix length", val);
		ip->prefix = (uint8_t)plen;
	}
	ip->set = true;
	if (family_out != NULL)
		*family_out = fam;
	return 0;
}

static int
cfg_endpoint(struct cfg_ctx *x, const char *key, const char *val,
	     struct dsbc_addr *a, uint8_t *family, uint16_t *port)
{
	if (dsbc_config_parse_endpoint(val, a, family, port) != 0)
		return cfg_fail(x, key, "'%s' is not ADDR:PORT ([V6]:PORT for IPv6)",
				val);
	return 0;
}

/* ---- section handlers ---- */

typedef int (*cfg_key_fn)(struct cfg_ctx *x, void *obj, const char *key,
			  const char *val);

static int
global_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_config *c = obj;
	int m;

	if (!strcmp(k, "sip_port"))
		return cfg_u16(x, k, v, 1, 65535, &c->sip_port);
	if (!strcmp(k, "media_port_min"))
		return cfg_u16(x, k, v, 1024, 65534, &c->media_port_min);
	if (!strcmp(k, "media_port_max"))
		return cfg_u16(x, k, v, 1025, 65535, &c->media_port_max);
	if (!strcmp(k, "flow_capacity"))
		return cfg_u32(x, k, v, 64, DSBC_FLOW_MAX_SLOTS, &c->flow_capacity);
	if (!strcmp(k, "cryptodev_qp_size")) {
		int rc = cfg_u32(x, k, v, 8, 65536, &c->cryptodev_qp_size);

		/* the drivers keep their descriptors in rte_rings */
		if (rc == 0 && (c->cryptodev_qp_size &
				(c->cryptodev_qp_size - 1)) != 0)
			return cfg_fail(x, k, "'%s' is not a power of two", v);
		return rc;
	}
	if (!strcmp(k, "srtp_engine")) {
		/* AES_CM_128_HMAC_SHA1_80 RTP on a DPDK cryptodev; the rest,
		 * and everything with libsrtp2, in software */
		static const char *const engines[] = { "libsrtp2", "cryptodev" };

		return cfg_choice(x, k, v, engines, 2, &c->srtp_engine);
	}
	if (!strcmp(k, "terminate_capacity"))
		return cfg_u32(x, k, v, 1, 1u << 22, &c->terminate_capacity);
	if (!strcmp(k, "srtp_replay_window")) {
		if (cfg_u32(x, k, v, 64, 1024, &c->srtp_replay_window) != 0)
			return -1;
		if (c->srtp_replay_window % 64 != 0)
			return cfg_fail(x, k, "%u is not a multiple of 64",
					c->srtp_replay_window);
		return 0;
	}
	if (!strcmp(k, "sip_tcp_max_conns"))
		return cfg_u32(x, k, v, 1, 65535, &c->sip_tcp_max_conns);
	if (!strcmp(k, "sip_tcp_max_per_source"))
		return cfg_u32(x, k, v, 1, 65535, &c->sip_tcp_max_per_source);
	if (!strcmp(k, "sip_tcp_idle_s"))
		return cfg_u32(x, k, v, 1, 86400, &c->sip_tcp_idle_s);
	if (!strcmp(k, "srtp_hold_ms"))
		return cfg_u32(x, k, v, 0, 5000, &c->srtp_hold_ms);
	if (!strcmp(k, "srtp_hold_packets"))
		return cfg_u32(x, k, v, 0, 1u << 16, &c->srtp_hold_packets);
	if (!strcmp(k, "log_level"))
		return cfg_str(x, k, v, c->log_level, sizeof(c->log_level));
	if (!strcmp(k, "max_calls"))
		return cfg_u32(x, k, v, 1, 1u << 24, &c->max_calls);
	if (!strcmp(k, "max_transactions"))
		return cfg_u32(x, k, v, 16, 1u << 24, &c->max_transactions);
	if (!strcmp(k, "ice_capacity"))
		return cfg_u32(x, k, v, 16, 65535, &c->ice_capacity);
	if (!strcmp(k, "sip_rate_pps"))
		return cfg_u32(x, k, v, 0, 10000000, &c->sip_rate_pps);
	if (!strcmp(k, "sip_burst"))
		return cfg_u32(x, k, v, 1, 10000000, &c->sip_burst);
	if (!strcmp(k, "sip_ban_strikes"))
		return cfg_u32(x, k, v, 0, 10000000, &c->sip_ban_strikes);
	if (!strcmp(k, "sip_ban_s"))
		return cfg_u32(x, k, v, 1, 86400, &c->sip_ban_s);
	if (!strcmp(k, "sip_admit_pps"))
		return cfg_u32(x, k, v, 1, 10000000, &c->sip_admit_pps);
	if (!strcmp(k, "sip_admit_burst"))
		return cfg_u32(x, k, v, 1, 10000000, &c->sip_admit_burst);
	if (!strcmp(k, "sip_reject_pps"))
		return cfg_u32(x, k, v, 0, 10000000, &c->sip_reject_pps);
	if (!strcmp(k, "sip_retry_after_s"))
		return cfg_u32(x, k, v, 1, 3600, &c->sip_retry_after_s);
	if (!strcmp(k, "sip_trusted_rate_pps"))
		return cfg_u32(x, k, v, 0, 10000000, &c->sip_trusted_rate_pps);
	if (!strcmp(k, "sip_t1_ms"))
		return cfg_u32(x, k, v, 50, 4000, &c->sip_t1_ms);
	if (!strcmp(k, "sip_trust_s"))
		return cfg_u32(x, k, v, 10, 86400 * 30, &c->sip_trust_s);
	if (!strcmp(k, "ice_consent_s"))
		return cfg_u32(x, k, v, 1, 3600, &c->ice_consent_s);
	if (!strcmp(k, "mbufs"))
		return cfg_u32(x, k, v, 1023, 1u << 24, &c->mbufs);
	if (!strcmp(k, "mbuf_data_size"))
		return cfg_u16(x, k, v, 256 + 128, 65535, &c->mbuf_data_size);
	if (!strcmp(k, "burst"))
		return cfg_u16(x, k, v, 1, 64, &c->burst);
	if (!strcmp(k, "ctrl_ring_size"))
		return cfg_u32(x, k, v, 64, 1u << 20, &c->ctrl_ring_size);
	if (!strcmp(k, "event_ring_size"))
		return cfg_u32(x, k, v, 64, 1u << 20, &c->event_ring_size);
	if (!strcmp(k, "punt_ring_size"))
		return cfg_u32(x, k, v, 64, 1u << 20, &c->punt_ring_size);
	if (!strcmp(k, "handoff_ring_size"))
		return cfg_u32(x, k, v, 64, 1u << 20, &c->handoff_ring_size);
	if (!strcmp(k, "idle_polls"))
		return cfg_u32(x, k, v, 0, 1u << 30, &c->idle_polls);
	if (!strcmp(k, "idle_sleep_us"))
		return cfg_u32(x, k, v, 0, 100000, &c->idle_sleep_us);
	if (!strcmp(k, "flow_idle_ms"))
		return cfg_u32(x, k, v, 100, 86400000, &c->flow_idle_ms);
	if (!strcmp(k, "arp_retry_ms"))
		return cfg_u32(x, k, v, 10, 60000, &c->arp_retry_ms);
	if (!strcmp(k, "relatch_ms"))
		return cfg_u16(x, k, v, 0, 65535, &c->relatch_ms_default);
	if (!strcmp(k, "dscp")) {
		uint16_t d;

		if (cfg_u16(x, k, v, 0, 63, &d) != 0)
			return -1;
		c->dscp_default = (uint8_t)d;
		return 0;
	}
	if (!strcmp(k, "ttl")) {
		uint16_t t;

		if (cfg_u16(x, k, v, 1, 255, &t) != 0)
			return -1;
		c->ttl = (uint8_t)t;
		return 0;
	}
	if (!strcmp(k, "mode")) {
		m = dsbc_mode_parse(v);
		if (m < 0)
			return cfg_fail(x, k, "'%s' is not relay, aware or terminate", v);
		c->mode_default = (uint8_t)m;
		return 0;
	}
	if (!strcmp(k, "dtls_cert"))
		return cfg_str(x, k, v, c->dtls_cert, sizeof(c->dtls_cert));
	if (!strcmp(k, "dtls_key"))
		return cfg_str(x, k, v, c->dtls_key, sizeof(c->dtls_key));
	if (!strcmp(k, "dtls_setup")) {
		/* RFC 5763 section 5: the answerer to actpass picks a role */
		static const char *const roles[] = { "active", "passive" };

		return cfg_choice(x, k, v, roles, 2, &c->dtls_setup);
	}
	if (!strcmp(k, "dtls_timeout_ms"))
		return cfg_u32(x, k, v, 100, 600000, &c->dtls_timeout_ms);
	if (!strcmp(k, "ssrc_policy")) {
		m = dsbc_ssrc_policy_parse(v);
		if (m < 0)
			return cfg_fail(x, k, "'%s' is not allow, alarm or drop", v);
		c->ssrc_policy = (uint8_t)m;
		return 0;
	}
	if (!strcmp(k, "seq_jump")) {
		static const char *const actions[] = { "count", "drop" };

		return cfg_choice(x, k, v, actions, 2, &c->seq_drop);
	}
	if (!strcmp(k, "seq_window"))
		return cfg_u16(x, k, v, 10, 32768, &c->seq_window);
	if (!strcmp(k, "police_pps"))
		return cfg_u32(x, k, v, 0, 10000000, &c->police_pps);
	if (!strcmp(k, "police_burst"))
		return cfg_u32(x, k, v, 1, 1000000, &c->police_burst);
	if (!strcmp(k, "latch")) {
		m = dsbc_latch_parse(v);
		if (m < 0)
			return cfg_fail(x, k, "'%s' is not off, first or signalled", v);
		c->latch_default = (uint8_t)m;
		return 0;
	}
	if (!strcmp(k, "flow_file"))
		return cfg_str(x, k, v, c->flow_file, sizeof(c->flow_file));
	if (!strcmp(k, "no_route_status")) {
		if (cfg_u16(x, k, v, 404, 480, &c->no_route_status) != 0)
			return -1;
		if (c->no_route_status != 404 && c->no_route_status != 480)
			return cfg_fail(x, k, "'%s' is neither 404 nor 480", v);
		return 0;
	}
	if (!strcmp(k, "drivers_cfg_dir"))
		return cfg_str(x, k, v, c->drivers_cfg_dir,
			       sizeof(c->drivers_cfg_dir));
	return cfg_fail(x, k, "unknown key");
}

static int
port_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_port_cfg *p = obj;

	if (!strcmp(k, "dev")) {
		size_t n;

		if (cfg_str(x, k, v, p->dev, sizeof(p->dev)) != 0)
			return -1;
		n = strcspn(v, ",");
		if (n == 0 || n >= sizeof(p->name))
			return cfg_fail(x, k, "'%s' has no device name", v);
		memcpy(p->name, v, n);
		p->name[n] = '\0';
		return 0;
	}
	if (!strcmp(k, "mac")) {
		p->has_mac = true;
		return cfg_mac(x, k, v, &p->mac);
	}
	if (!strcmp(k, "ipv4"))
		return cfg_ip(x, k, v, 4, true, &p->ip4, NULL);
	if (!strcmp(k, "ipv6"))
		return cfg_ip(x, k, v, 6, true, &p->ip6, NULL);
	if (!strcmp(k, "media_ipv4"))
		return cfg_ip(x, k, v, 4, true, &p->media4, NULL);
	if (!strcmp(k, "media_ipv6"))
		return cfg_ip(x, k, v, 6, true, &p->media6, NULL);
	if (!strcmp(k, "gateway4"))
		return cfg_ip(x, k, v, 4, false, &p->gw4, NULL);
	if (!strcmp(k, "gateway6"))
		return cfg_ip(x, k, v, 6, false, &p->gw6, NULL);
	if (!strcmp(k, "rx_queues"))
		return cfg_u16(x, k, v, 0, 64, &p->rx_queues);
	if (!strcmp(k, "rx_desc"))
		return cfg_u16(x, k, v, 0, 16384, &p->rx_desc);
	if (!strcmp(k, "tx_desc"))
		return cfg_u16(x, k, v, 0, 16384, &p->tx_desc);
	if (!strcmp(k, "mtu"))
		return cfg_u16(x, k, v, 0, 9600, &p->mtu);
	if (!strcmp(k, "vlan"))
		return cfg_u16(x, k, v, 0, 4094, &p->vlan);
	if (!strcmp(k, "promiscuous"))
		return cfg_bool(x, k, v, &p->promiscuous);
	if (!strcmp(k, "exception")) {
		static const char *const kinds[] = {
			"none", "tap", "virtio_user", "auto"
		};

		return cfg_choice(x, k, v, kinds, 4, &p->exception);
	}
	if (!strcmp(k, "exception_ifname")) {
		if (strlen(v) >= 16 || strpbrk(v, "/ \t%") != NULL || !*v)
			return cfg_fail(x, k, "'%s' is not an interface name "
					"(1 to 15 characters, no '/', '%%' or "
					"blank)", v);
		return cfg_str(x, k, v, p->exception_ifname,
			       sizeof(p->exception_ifname));
	}
	return cfg_fail(x, k, "unknown key");
}

struct route_obj {
	struct dsbc_route_cfg *r;
	bool has_next_hop;
};

/* A call's media mode (a route's, the registrar's): enum dsbc_mode + 1. */
static int
cfg_call_mode(struct cfg_ctx *x, const char *key, const char *val,
	      uint8_t *out)
{
	int m = dsbc_mode_parse(val);

	if (m < 0)
		return cfg_fail(x, key, "'%s' is not relay, aware or terminate",
				val);
	*out = (uint8_t)(m + 1);
	return 0;
}

/* What dsbc offers the B leg (a route's, the registrar's users'); other
 * than A's forces terminate.  Position = enum dsbc_keying + 1, 0 same. */
static int
cfg_b_keying(struct cfg_ctx *x, const char *key, const char *val,
	     uint8_t *out)
{
	static const char *const keyings[] = {
		[0] = "same",
		[DSBC_KEYING_NONE + 1] = "plain",
		[DSBC_KEYING_SDES + 1] = "sdes",
		[DSBC_KEYING_DTLS + 1] = "dtls",
	};

	return cfg_choice(x, key, val, keyings, RTE_DIM(keyings), out);
}

static int
route_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct route_obj *o = obj;

	if (!strcmp(k, "host"))
		return cfg_str(x, k, v, o->r->host, sizeof(o->r->host));
	if (!strcmp(k, "user_prefix"))
		return cfg_str(x, k, v, o->r->user_prefix,
			       sizeof(o->r->user_prefix));
	if (!strcmp(k, "mode"))
		return cfg_call_mode(x, k, v, &o->r->mode);
	if (!strcmp(k, "security"))
		return cfg_b_keying(x, k, v, &o->r->b_keying);
	if (!strcmp(k, "dialog_source_check")) {
		/* RFC 3261 12.2.2 matches a dialog by Call-ID and tags; the
		 * source check also refuses what does not come from the
		 * leg's signalling peer.  Position = enum value. */
		static const char *const checks[] = {
			[DSBC_SOURCE_CHECK_STRICT] = "strict",
			[DSBC_SOURCE_CHECK_OFF] = "off",
		};

		return cfg_choice(x, k, v, checks, RTE_DIM(checks),
				  &o->r->source_check);
	}
	if (!strcmp(k, "auth"))
		return cfg_str(x, k, v, o->r->auth_realm,
			       sizeof(o->r->auth_realm));
	if (!strcmp(k, "transport")) {
		static const char *const tps[] = {
			[DSBC_ROUTE_UDP] = "udp",
			[DSBC_ROUTE_TCP] = "tcp",
			[DSBC_ROUTE_TLS] = "tls",
		};

		return cfg_choice(x, k, v, tps, RTE_DIM(tps), &o->r->transport);
	}
	if (!strcmp(k, "tls_name"))
		return cfg_str(x, k, v, o->r->tls_name, sizeof(o->r->tls_name));
	if (!strcmp(k, "stir_sign"))
		return cfg_bool(x, k, v, &o->r->stir_sign);
	if (!strcmp(k, "stir_verify")) {
		static const char *const pols[] = {
			[DSBC_STIR_OFF] = "off",
			[DSBC_STIR_MARK] = "mark",
			[DSBC_STIR_ENFORCE] = "enforce",
		};

		return cfg_choice(x, k, v, pols, RTE_DIM(pols),
				  &o->r->stir_verify);
	}
	if (!strcmp(k, "next_hop")) {
		o->has_next_hop = true;
		if (dsbc_config_parse_endpoint(v, &o->r->addr, &o->r->family,
					       &o->r->port) != 0)
			return cfg_fail(x, k, "'%s' is not ADDR:PORT", v);
		return 0;
	}
	return cfg_fail(x, k, "unknown key");
}

struct tls_obj {
	struct dsbc_config *c;
};

static int
tls_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_config *c = ((struct tls_obj *)obj)->c;
	struct dsbc_tls_cfg *t = &c->tls;

	if (!strcmp(k, "port"))
		return cfg_u16(x, k, v, 1, 65535, &c->sip_tls_port);
	if (!strcmp(k, "cert"))
		return cfg_str(x, k, v, t->cert, sizeof(t->cert));
	if (!strcmp(k, "key"))
		return cfg_str(x, k, v, t->key, sizeof(t->key));
	if (!strcmp(k, "ca"))
		return cfg_str(x, k, v, t->ca, sizeof(t->ca));
	if (!strcmp(k, "verify_client")) {
		static const char *const modes[] = {
			[DSBC_TLS_VERIFY_NONE] = "none",
			[DSBC_TLS_VERIFY_OPTIONAL] = "optional",
			[DSBC_TLS_VERIFY_REQUIRE] = "require",
		};

		return cfg_choice(x, k, v, modes, RTE_DIM(modes),
				  &t->verify_client);
	}
	if (!strcmp(k, "min_version")) {
		if (!strcmp(v, "1.2"))
			t->min_version = 12;
		else if (!strcmp(v, "1.3"))
			t->min_version = 13;
		else
			return cfg_fail(x, k, "'%s' is not 1.2 or 1.3", v);
		return 0;
	}
	if (!strcmp(k, "handshake_s"))
		return cfg_u32(x, k, v, 1, 300, &t->handshake_s);
	return cfg_fail(x, k, "unknown key");
}

static int
ws_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_ws_cfg *w = obj;

	if (!strcmp(k, "port"))
		return cfg_u16(x, k, v, 0, 65535, &w->port);
	if (!strcmp(k, "tls_port"))
		return cfg_u16(x, k, v, 0, 65535, &w->tls_port);
	if (!strcmp(k, "origins"))
		return cfg_str(x, k, v, w->origins, sizeof(w->origins));
	if (!strcmp(k, "hosts"))
		return cfg_str(x, k, v, w->hosts, sizeof(w->hosts));
	return cfg_fail(x, k, "unknown key");
}

/* SHAKEN attestation (RFC 8588 4): A, B or C */
static int
cfg_attest(struct cfg_ctx *x, const char *k, const char *v, char out[2])
{
	if ((v[0] != 'A' && v[0] != 'B' && v[0] != 'C') || v[1] != '\0')
		return cfg_fail(x, k, "'%s' is not A, B or C", v);
	out[0] = v[0];
	out[1] = '\0';
	return 0;
}

static int
stir_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_stir_cfg *st = obj;

	if (!strcmp(k, "key"))
		return cfg_str(x, k, v, st->key, sizeof(st->key));
	if (!strcmp(k, "x5u")) {
		if (strncmp(v, "http://", 7) != 0 &&
		    strncmp(v, "https://", 8) != 0)
			return cfg_fail(x, k, "'%s' is not an http(s) URL", v);
		return cfg_str(x, k, v, st->x5u, sizeof(st->x5u));
	}
	if (!strcmp(k, "attest"))
		return cfg_attest(x, k, v, st->attest);
	if (!strcmp(k, "trunk_attest"))
		return cfg_attest(x, k, v, st->trunk_attest);
	if (!strcmp(k, "ca_file"))
		return cfg_str(x, k, v, st->ca_file, sizeof(st->ca_file));
	if (!strcmp(k, "cert_dir"))
		return cfg_str(x, k, v, st->cert_dir, sizeof(st->cert_dir));
	if (!strcmp(k, "x5u_hosts"))
		return cfg_str(x, k, v, st->x5u_hosts, sizeof(st->x5u_hosts));
	if (!strcmp(k, "replay_size"))
		return cfg_u32(x, k, v, 1, 1u << 22, &st->replay_size);
	if (!strcmp(k, "iat_window_s"))
		return cfg_u32(x, k, v, 1, 3600, &st->iat_window_s);
	if (!strcmp(k, "fetch_timeout_ms"))
		return cfg_u32(x, k, v, 100, 30000, &st->fetch_timeout_ms);
	if (!strcmp(k, "fetch_max"))
		return cfg_u32(x, k, v, 1, 256, &st->fetch_max);
	if (!strcmp(k, "cache_size"))
		return cfg_u32(x, k, v, 1, 65536, &st->cache_size);
	if (!strcmp(k, "cache_ttl_s"))
		return cfg_u32(x, k, v, 1, 7 * 86400, &st->cache_ttl_s);
	if (!strcmp(k, "fail_ttl_s"))
		return cfg_u32(x, k, v, 1, 3600, &st->fail_ttl_s);
	if (!strcmp(k, "parked_max"))
		return cfg_u32(x, k, v, 1, 65536, &st->parked_max);
	return cfg_fail(x, k, "unknown key");
}

static int
cdr_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_cdr_cfg *cd = obj;

	if (!strcmp(k, "file"))
		return cfg_str(x, k, v, cd->file, sizeof(cd->file));
	if (!strcmp(k, "syslog"))
		return cfg_bool(x, k, v, &cd->syslog);
	if (!strcmp(k, "queue"))
		return cfg_u32(x, k, v, 16, 1u << 20, &cd->queue);
	return cfg_fail(x, k, "unknown key");
}

/* "0,2,5": the route indexes as a bit set */
static int
cfg_route_set(struct cfg_ctx *x, const char *k, const char *v, uint64_t *out)
{
	char buf[256], *tok, *save = NULL;
	uint64_t n;

	if (strlen(v) >= sizeof(buf))
		return cfg_fail(x, k, "value too long");
	snprintf(buf, sizeof(buf), "%s", v);
	*out = 0;
	for (tok = strtok_r(buf, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (parse_u64(tok, 0, DSBC_CFG_MAX_ROUTES - 1, &n) != 0)
			return cfg_fail(x, k, "'%s' is not a route index "
					"0..%d", tok, DSBC_CFG_MAX_ROUTES - 1);
		*out |= UINT64_C(1) << n;
	}
	if (*out == 0)
		return cfg_fail(x, k, "no route index");
	return 0;
}

static int
hep_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_hep_cfg *h = obj;

	if (!strcmp(k, "collector")) {
		h->set = true;
		return cfg_endpoint(x, k, v, &h->addr, &h->family, &h->port);
	}
	if (!strcmp(k, "agent_id"))
		return cfg_u32(x, k, v, 0, UINT32_MAX, &h->agent_id);
	if (!strcmp(k, "password"))
		return cfg_str(x, k, v, h->password, sizeof(h->password));
	if (!strcmp(k, "routes"))
		return cfg_route_set(x, k, v, &h->routes);
	if (!strcmp(k, "quality"))
		return cfg_bool(x, k, v, &h->quality);
	if (!strcmp(k, "rtcp"))
		return cfg_bool(x, k, v, &h->rtcp);
	if (!strcmp(k, "queue"))
		return cfg_u32(x, k, v, 16, 1u << 20, &h->queue);
	return cfg_fail(x, k, "unknown key");
}

static int
tls_cert_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_tls_cert_cfg *t = obj;

	if (!strcmp(k, "name"))
		return cfg_str(x, k, v, t->name, sizeof(t->name));
	if (!strcmp(k, "cert"))
		return cfg_str(x, k, v, t->cert, sizeof(t->cert));
	if (!strcmp(k, "key"))
		return cfg_str(x, k, v, t->key, sizeof(t->key));
	return cfg_fail(x, k, "unknown key");
}

static int
auth_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_auth_section *a = obj;

	if (!strcmp(k, "users_file"))
		return cfg_str(x, k, v, a->users_file, sizeof(a->users_file));
	if (!strcmp(k, "nonce_ttl_s"))
		return cfg_u32(x, k, v, 10, 86400, &a->nonce_ttl_s);
	if (!strcmp(k, "fail_max"))
		return cfg_u32(x, k, v, 1, 1000000, &a->fail_max);
	if (!strcmp(k, "fail_window_s"))
		return cfg_u32(x, k, v, 1, 86400, &a->fail_window_s);
	return cfg_fail(x, k, "unknown key");
}

static int
realm_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_realm_cfg *r = obj;

	if (!strcmp(k, "name")) {
		if (v[0] == '\0' || strpbrk(v, "\"\\\r\n") != NULL)
			return cfg_fail(x, k, "'%s' is not a realm (empty, "
					"or a quote or backslash in it)", v);
		return cfg_str(x, k, v, r->name, sizeof(r->name));
	}
	if (!strcmp(k, "algorithms")) {
		/* RFC 8760 section 2.4: offered in order of preference */
		char buf[64], *tok, *save = NULL;

		if (strlen(v) >= sizeof(buf))
			return cfg_fail(x, k, "too long");
		snprintf(buf, sizeof(buf), "%s", v);
		r->nb_algs = 0;
		for (tok = strtok_r(buf, ", ", &save); tok != NULL;
		     tok = strtok_r(NULL, ", ", &save)) {
			uint8_t alg;

			if (!strcasecmp(tok, "SHA-256"))
				alg = DSBC_CFG_DIGEST_SHA256;
			else if (!strcasecmp(tok, "MD5"))
				alg = DSBC_CFG_DIGEST_MD5;
			else
				return cfg_fail(x, k, "'%s' is neither SHA-256 "
						"nor MD5", tok);
			if (r->nb_algs == 2 || (r->nb_algs == 1 &&
						r->algs[0] == alg))
				return cfg_fail(x, k, "each of SHA-256 and MD5 "
						"at most once");
			r->algs[r->nb_algs++] = alg;
		}
		if (r->nb_algs == 0)
			return cfg_fail(x, k, "empty");
		return 0;
	}
	return cfg_fail(x, k, "unknown key");
}

static int
trunk_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_trunk_cfg *t = obj;

	if (!strcmp(k, "addr"))
		return cfg_ip(x, k, v, 0, true, &t->addr, &t->family);
	if (!strcmp(k, "tls_name"))
		return cfg_str(x, k, v, t->tls_name, sizeof(t->tls_name));
	return cfg_fail(x, k, "unknown key");
}

static int
registrar_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct dsbc_registrar_cfg *r = obj;

	if (!strcmp(k, "domain"))
		return cfg_str(x, k, v, r->domain, sizeof(r->domain));
	if (!strcmp(k, "realm"))
		return cfg_str(x, k, v, r->realm, sizeof(r->realm));
	if (!strcmp(k, "auth_invite"))
		return cfg_bool(x, k, v, &r->auth_invite);
	if (!strcmp(k, "min_expires_s"))
		return cfg_u32(x, k, v, 1, 86400, &r->min_expires_s);
	if (!strcmp(k, "max_expires_s"))
		return cfg_u32(x, k, v, 1, 604800, &r->max_expires_s);
	if (!strcmp(k, "default_expires_s"))
		return cfg_u32(x, k, v, 1, 604800, &r->default_expires_s);
	if (!strcmp(k, "nat_expires_s"))
		return cfg_u32(x, k, v, 1, 86400, &r->nat_expires_s);
	if (!strcmp(k, "keepalive_s"))
		return cfg_u32(x, k, v, 0, 3600, &r->keepalive_s);
	if (!strcmp(k, "keepalive_misses"))
		return cfg_u32(x, k, v, 1, 100, &r->keepalive_misses);
	if (!strcmp(k, "flow_timer_s"))
		return cfg_u32(x, k, v, 10, 3600, &r->flow_timer_s);
	if (!strcmp(k, "max_aors"))
		return cfg_u32(x, k, v, 1, 1u << 21, &r->max_aors);
	if (!strcmp(k, "max_per_aor"))
		return cfg_u32(x, k, v, 1, 64, &r->max_per_aor);
	if (!strcmp(k, "mode"))
		return cfg_call_mode(x, k, v, &r->mode);
	if (!strcmp(k, "security"))
		return cfg_b_keying(x, k, v, &r->b_keying);
	return cfg_fail(x, k, "unknown key");
}

struct neigh_obj {
	struct dsbc_neigh_cfg *n;
	bool has_ip, has_mac, has_port;
};

static int
neigh_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct neigh_obj *o = obj;
	struct dsbc_cfg_ip ip = {0};

	if (!strcmp(k, "port")) {
		o->has_port = true;
		return cfg_u16(x, k, v, 0, DSBC_CFG_MAX_PORTS - 1, &o->n->port);
	}
	if (!strcmp(k, "ip")) {
		o->has_ip = true;
		if (cfg_ip(x, k, v, 0, false, &ip, &o->n->family) != 0)
			return -1;
		o->n->ip = ip.addr;
		return 0;
	}
	if (!strcmp(k, "mac")) {
		o->has_mac = true;
		return cfg_mac(x, k, v, &o->n->mac);
	}
	return cfg_fail(x, k, "unknown key");
}

struct flow_obj {
	struct dsbc_flow_cfg *f;
	bool has_local, has_remote, has_out_local, has_out_port, has_peer;
};

/* "SUITE:base64(key || salt)" for a static terminated flow. */
static int
cfg_srtp_key(struct cfg_ctx *x, const char *k, const char *v,
	     struct dsbc_flow_cfg *f, unsigned int dir)
{
	char line[160];
	struct dsbc_sdes sd;
	const char *colon = strchr(v, ':');
	int n;

	if (colon == NULL)
		return cfg_fail(x, k, "'%s' is not SUITE:base64-key", v);
	n = snprintf(line, sizeof(line), "1 %.*s inline:%s", (int)(colon - v),
		     v, colon + 1);
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    dsbc_sdes_parse(line, (size_t)n, &sd) != 0)
		return cfg_fail(x, k, "'%s' is not an SRTP suite (RFC 4568 "
				"names) and a base64 key and salt of its size", v);
	f->srtp_set |= (uint8_t)(1u << dir);
	f->srtp[dir].suite = sd.suite;
	f->srtp[dir].salt_len = sd.salt_len;
	memcpy(f->srtp[dir].key, sd.key, sizeof(f->srtp[dir].key));
	memcpy(f->srtp[dir].salt, sd.salt, sizeof(f->srtp[dir].salt));
	return 0;
}

static int
flow_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct flow_obj *o = obj;
	struct dsbc_flow_cfg *f = o->f;
	int m;

	if (!strcmp(k, "local")) {
		o->has_local = true;
		return cfg_endpoint(x, k, v, &f->local, &f->local_family,
				    &f->local_port);
	}
	if (!strcmp(k, "srtp_rx"))
		return cfg_srtp_key(x, k, v, f, 0);
	if (!strcmp(k, "srtp_tx"))
		return cfg_srtp_key(x, k, v, f, 1);
	if (!strcmp(k, "remote")) {
		o->has_remote = true;
		return cfg_endpoint(x, k, v, &f->remote, &f->remote_family,
				    &f->remote_port);
	}
	if (!strcmp(k, "out_local")) {
		o->has_out_local = true;
		return cfg_endpoint(x, k, v, &f->out_local, &f->out_family,
				    &f->out_local_port);
	}
	if (!strcmp(k, "peer")) {
		o->has_peer = true;
		return cfg_endpoint(x, k, v, &f->peer, &f->peer_family,
				    &f->peer_port);
	}
	if (!strcmp(k, "out_port")) {
		o->has_out_port = true;
		return cfg_u16(x, k, v, 0, DSBC_CFG_MAX_PORTS - 1, &f->out_port);
	}
	if (!strcmp(k, "mode")) {
		m = dsbc_mode_parse(v);
		if (m < 0)
			return cfg_fail(x, k, "'%s' is not relay, aware or terminate", v);
		f->mode = (uint8_t)m;
		return 0;
	}
	if (!strcmp(k, "latch")) {
		m = dsbc_latch_parse(v);
		if (m < 0)
			return cfg_fail(x, k, "'%s' is not off, first or signalled", v);
		f->latch = (uint8_t)m;
		return 0;
	}
	if (!strcmp(k, "relatch_ms"))
		return cfg_u16(x, k, v, 0, 65535, &f->relatch_ms);
	if (!strcmp(k, "dscp")) {
		uint16_t d;

		if (cfg_u16(x, k, v, 0, 63, &d) != 0)
			return -1;
		f->dscp = (uint8_t)d;
		return 0;
	}
	return cfg_fail(x, k, "unknown key");
}

struct lcore_obj {
	struct dsbc_worker_cfg *w;
	bool has_rx;
};

/* rx = PORT:QUEUE [PORT:QUEUE ...] */
static int
lcore_key(struct cfg_ctx *x, void *obj, const char *k, const char *v)
{
	struct lcore_obj *o = obj;
	char buf[256];
	char *tok, *save = NULL;

	if (strcmp(k, "rx") != 0)
		return cfg_fail(x, k, "unknown key");
	if (strlen(v) >= sizeof(buf))
		return cfg_fail(x, k, "value too long");
	snprintf(buf, sizeof(buf), "%s", v);
	o->has_rx = true;
	for (tok = strtok_r(buf, " ,", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,", &save)) {
		char *colon = strchr(tok, ':');
		uint64_t port, queue;

		if (colon == NULL)
			return cfg_fail(x, k, "'%s' is not PORT:QUEUE", tok);
		*colon = '\0';
		if (parse_u64(tok, 0, DSBC_CFG_MAX_PORTS - 1, &port) != 0 ||
		    parse_u64(colon + 1, 0, 63, &queue) != 0)
			return cfg_fail(x, k, "'%s:%s' is not PORT:QUEUE", tok,
					colon + 1);
		if (o->w->nb_rxq >= DSBC_CFG_MAX_RXQ)
			return cfg_fail(x, k, "more than %d queues",
					DSBC_CFG_MAX_RXQ);
		o->w->rxq[o->w->nb_rxq].port = (uint16_t)port;
		o->w->rxq[o->w->nb_rxq].queue = (uint16_t)queue;
		o->w->nb_rxq++;
	}
	if (o->w->nb_rxq == 0)
		return cfg_fail(x, k, "no PORT:QUEUE given");
	return 0;
}

static int
apply_entries(struct cfg_ctx *x, struct rte_cfgfile *f, const char *sec,
	      cfg_key_fn fn, void *obj)
{
	struct rte_cfgfile_entry *ents;
	int n, i, rc = 0;

	n = rte_cfgfile_section_num_entries(f, sec);
	if (n <= 0)
		return 0;
	ents = calloc((size_t)n, sizeof(*ents));
	if (ents == NULL)
		return cfg_fail(x, NULL, "out of memory");
	n = rte_cfgfile_section_entries(f, sec, ents, n);
	for (i = 0; i < n && rc == 0; i++) {
		if (ents[i].value[0] == '\0')
			rc = cfg_fail(x, ents[i].name, "empty value");
		else
			rc = fn(x, obj, ents[i].name, ents[i].value);
	}
	free(ents);
	return rc;
}

/* "<prefix>.<N>" with N a decimal index below max. */
static int
section_index(const char *sec, const char *prefix, unsigned int max)
{
	size_t pl = strlen(prefix);
	uint64_t v;

	if (strncmp(sec, prefix, pl) != 0 || sec[pl] != '.')
		return -1;
	if (parse_u64(sec + pl + 1, 0, max - 1, &v) != 0)
		return -2;
	return (int)v;
}

static struct dsbc_flow_cfg *
flow_new(struct dsbc_config *c)
{
	struct dsbc_flow_cfg *f;

	if (c->nb_flows == c->flows_cap) {
		uint32_t cap = c->flows_cap ? c->flows_cap * 2 : 64;
		struct dsbc_flow_cfg *nf = realloc(c->flows, cap * sizeof(*nf));

		if (nf == NULL)
			return NULL;
		c->flows = nf;
		c->flows_cap = cap;
	}
	f = &c->flows[c->nb_flows];
	memset(f, 0, sizeof(*f));
	f->mode = c->mode_default;
	f->latch = c->latch_default;
	f->relatch_ms = c->relatch_ms_default;
	f->dscp = c->dscp_default;
	return f;
}

/* Resolve ports, next hop and source of a parsed flow; check it. */
static int
flow_finish(struct cfg_ctx *x, struct flow_obj *o)
{
	struct dsbc_config *c = x->c;
	struct dsbc_flow_cfg *f = o->f;
	struct dsbc_port_cfg *op;
	const struct dsbc_cfg_ip *src, *gw;
	int p;

	if (!o->has_local)
		return cfg_fail(x, "local", "missing");
	if (!o->has_remote)
		return cfg_fail(x, "remote", "missing");
	/* keys make sense only where dsbc decrypts and encrypts */
	if (f->srtp_set != 0 && f->mode != DSBC_MODE_TERMINATE)
		return cfg_fail(x, f->srtp_set & 1 ? "srtp_rx" : "srtp_tx",
				"keys need mode = terminate");
	if (f->mode == DSBC_MODE_TERMINATE) {
		f->srtp_in = f->srtp_set & 1 ? DSBC_KEYING_SDES : DSBC_KEYING_NONE;
		f->srtp_out = f->srtp_set & 2 ? DSBC_KEYING_SDES :
			      DSBC_KEYING_NONE;
	}
	if (f->local_port < c->media_port_min || f->local_port > c->media_port_max)
		return cfg_fail(x, "local", "port %u outside the media range %u-%u",
				f->local_port, c->media_port_min,
				c->media_port_max);
	p = dsbc_config_port_of_addr(c, f->local_family, &f->local);
	if (p < 0)
		return cfg_fail(x, "local", "address is not one of the ports'");
	f->in_port = (uint16_t)p;
	if (!o->has_out_port) {
		if (dsbc_config_route_out(c, f->remote_family, &f->remote,
					  &f->out_port, &f->next_hop) != 0)
			return cfg_fail(x, "remote",
					"no port reaches it (no subnet, no gateway)");
	} else if (f->out_port >= c->nb_ports) {
		return cfg_fail(x, "out_port", "port %u is not configured",
				f->out_port);
	}
	op = &c->ports[f->out_port];
	src = f->remote_family == 4 ? &op->ip4 : &op->ip6;
	gw = f->remote_family == 4 ? &op->gw4 : &op->gw6;
	if (!src->set)
		return cfg_fail(x, "remote", "out port %u has no IPv%u address",
				f->out_port, f->remote_family);
	if (!o->has_out_local) {
		f->out_local = src->addr;
		f->out_family = f->remote_family;
		f->out_local_port = f->local_port;
	} else if (f->out_family != f->remote_family ||
		   memcmp(&f->out_local, &src->addr, sizeof(src->addr)) != 0) {
		return cfg_fail(x, "out_local",
				"must be the address of out port %u", f->out_port);
	}
	if (dsbc_config_on_link(op, f->remote_family, &f->remote))
		f->next_hop = f->remote;
	else if (gw->set)
		f->next_hop = gw->addr;
	else
		return cfg_fail(x, "remote", "not on port %u's subnet and no gateway",
				f->out_port);
	if (f->latch == DSBC_LATCH_SIGNALLED && !o->has_peer)
		return cfg_fail(x, "peer", "latch = signalled needs peer");
	if (o->has_peer && f->peer_family != f->local_family)
		return cfg_fail(x, "peer", "family differs from local");
	return 0;
}

/* One flow per line: key=value pairs separated by blanks; # comments. */
static int
load_flow_file(struct cfg_ctx *x)
{
	struct dsbc_config *c = x->c;
	char line[1024], sec[300];
	unsigned long lineno = 0;
	FILE *fp;
	int rc = 0;

	fp = fopen(c->flow_file, "r");
	if (fp == NULL)
		return cfg_fail(x, "flow_file", "cannot open '%s': %s",
				c->flow_file, strerror(errno));
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		struct flow_obj o = {0};
		char *tok, *save = NULL, *hash;

		lineno++;
		hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		tok = strtok_r(line, " \t\r\n", &save);
		if (tok == NULL)
			continue;
		snprintf(sec, sizeof(sec), "%.256s:%lu", c->flow_file, lineno);
		x->section = sec;
		o.f = flow_new(c);
		if (o.f == NULL) {
			rc = cfg_fail(x, NULL, "out of memory");
			break;
		}
		for (; tok != NULL && rc == 0;
		     tok = strtok_r(NULL, " \t\r\n", &save)) {
			char *eq = strchr(tok, '=');

			if (eq == NULL || eq == tok || eq[1] == '\0') {
				rc = cfg_fail(x, tok, "not key=value");
				break;
			}
			*eq = '\0';
			rc = flow_key(x, &o, tok, eq + 1);
		}
		if (rc == 0)
			rc = flow_finish(x, &o);
		if (rc == 0)
			c->nb_flows++;
	}
	fclose(fp);
	return rc;
}

/*
 * The file as INI, read strictly: every line is blank, a comment (from
 * ';' on), a [section] or key = value; a section or a key in a section
 * given twice, a line of neither form, a name or value too long to keep
 * whole, are each refused with "FILE:LINE: [section] key: reason".  A
 * UTF-8 byte order mark before the first line is skipped.  Returns the
 * sections and entries, or NULL with err set.
 */
#define INI_LINE_MAX 1024

static uint32_t
ini_hash(const char *p)
{
	uint32_t h = 2166136261u;

	while (*p != '\0')
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

static char *
ini_trim(char *p)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return p;
}

static struct rte_cfgfile *
ini_read(const char *path, char *err, size_t errlen)
{
	char line[INI_LINE_MAX + 2], sec[CFG_NAME_LEN] = "-";
	char (*keys)[CFG_NAME_LEN] = NULL;
	uint32_t nkeys = 0, cap_keys = 0, *secs = NULL, sec_mask = 0, nsec = 0;
	struct rte_cfgfile *f = NULL;
	unsigned int lineno = 0;
	const char *why = NULL, *key = "-";
	FILE *in = fopen(path, "r");

	if (in == NULL) {
		snprintf(err, errlen, "%s: [-] -: cannot read the file: %s",
			 path, strerror(errno));
		return NULL;
	}
	f = rte_cfgfile_create(0);
	if (f == NULL) {
		why = "out of memory";
		goto fail;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		char *p = line, *c, *eq;

		lineno++;
		if (strlen(line) > INI_LINE_MAX) {
			why = "line longer than 1024 characters";
			goto fail;
		}
		/* a UTF-8 byte order mark (U+FEFF) before the first line */
		if (lineno == 1 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		c = strchr(p, ';');
		if (c != NULL)
			*c = '\0';
		p = ini_trim(p);
		if (*p == '\0')
			continue;
		if (*p == '[') {
			char *e = strchr(p, ']');
			uint32_t h, i;

			key = "-";
			if (e == NULL || *ini_trim(e + 1) != '\0') {
				why = "a section line is [name] alone";
				goto fail;
			}
			*e = '\0';
			p = ini_trim(p + 1);
			if (*p == '\0' || strlen(p) >= CFG_NAME_LEN) {
				why = "section name empty or over 63 characters";
				goto fail;
			}
			snprintf(sec, sizeof(sec), "%s", p);
			/* duplicates: an open-addressed set of names' hashes,
			 * confirmed against the file's sections */
			if (nsec * 2 >= sec_mask) {
				uint32_t nm = sec_mask ? sec_mask * 2 + 1 : 63;
				uint32_t *ns = calloc(nm + 1, sizeof(*ns));

				if (ns == NULL) {
					why = "out of memory";
					goto fail;
				}
				for (i = 0; i <= sec_mask && secs != NULL; i++)
					if (secs[i] != 0) {
						uint32_t j = secs[i] & nm;

						while (ns[j] != 0)
							j = (j + 1) & nm;
						ns[j] = secs[i];
					}
				free(secs);
				secs = ns;
				sec_mask = nm;
			}
			h = ini_hash(sec) | 1;
			for (i = h & sec_mask; secs[i] != 0; i = (i + 1) & sec_mask)
				if (secs[i] == h && rte_cfgfile_has_section(f, sec)) {
					why = "duplicate section";
					goto fail;
				}
			secs[i] = h;
			nsec++;
			nkeys = 0;
			if (rte_cfgfile_add_section(f, sec) != 0) {
				why = "out of memory";
				goto fail;
			}
			continue;
		}
		eq = strchr(p, '=');
		if (eq == NULL) {
			key = p;
			why = "neither [section] nor key = value";
			goto fail;
		}
		*eq = '\0';
		key = ini_trim(p);
		p = ini_trim(eq + 1);
		if (!strcmp(sec, "-") || nsec == 0) {
			why = "outside any [section]";
			goto fail;
		}
		if (*key == '\0' || strlen(key) >= CFG_NAME_LEN) {
			why = "key empty or over 63 characters";
			goto fail;
		}
		if (strlen(p) >= CFG_VALUE_LEN) {
			why = "value over 255 characters";
			goto fail;
		}
		{
			uint32_t i;

			for (i = 0; i < nkeys; i++)
				if (!strcmp(keys[i], key)) {
					why = "duplicate key";
					goto fail;
				}
			if (nkeys == cap_keys) {
				void *nk = realloc(keys, (cap_keys * 2 + 16) *
						   sizeof(*keys));

				if (nk == NULL) {
					why = "out of memory";
					goto fail;
				}
				keys = nk;
				cap_keys = cap_keys * 2 + 16;
			}
			snprintf(keys[nkeys++], CFG_NAME_LEN, "%s", key);
		}
		if (rte_cfgfile_add_entry(f, sec, key, p) != 0) {
			why = "out of memory";
			goto fail;
		}
	}
	if (ferror(in)) {
		why = "read error";
		goto fail;
	}
	fclose(in);
	free(keys);
	free(secs);
	return f;
fail:
	snprintf(err, errlen, "%s:%u: [%s] %s: %s", path, lineno, sec, key,
		 why);
	fclose(in);
	free(keys);
	free(secs);
	if (f != NULL)
		rte_cfgfile_close(f);
	return NULL;
}

/* Checks that need every section parsed. */
static int
validate(struct cfg_ctx *x)
{
	struct dsbc_config *c = x->c;
	uint16_t i;

	for (i = 0; i < c->nb_ports; i++) {
		static char sec[16];
		const struct dsbc_port_cfg *p = &c->ports[i];

		snprintf(sec, sizeof(sec), "port.%u", i);
		x->section = sec;
		/* RFC 8200 section 5: every IPv6 link carries 1280 bytes;
		 * RFC 791: every IPv4 host takes 576 */
		if (p->mtu != 0 && p->ip6.set && p->mtu < 1280)
			return cfg_fail(x, "mtu", "%u is below IPv6's minimum "
					"of 1280", p->mtu);
		if (p->mtu != 0 && p->mtu < 576)
			return cfg_fail(x, "mtu", "%u is below 576", p->mtu);
	}
	x->section = "dsbc";
	if (c->media_port_min > c->media_port_max)
		return cfg_fail(x, "media_port_min", "above media_port_max");
	if (c->media_port_min & 1)
		return cfg_fail(x, "media_port_min",
				"must be even (RTP uses even ports)");
	if (c->sip_port >= c->media_port_min && c->sip_port <= c->media_port_max)
		return cfg_fail(x, "sip_port", "inside the media port range");
	if (c->nb_ports == 0) {
		x->section = "port.0";
		return cfg_fail(x, "dev", "no port configured");
	}
	for (i = 0; i < c->nb_ports; i++) {
		char sec[32];

		snprintf(sec, sizeof(sec), "port.%u", i);
		x->section = sec;
		if (c->ports[i].dev[0] == '\0')
			return cfg_fail(x, "dev", "missing (sections must be "
					"numbered port.0 .. port.%u)",
					c->nb_ports - 1);
		if (!c->ports[i].ip4.set && !c->ports[i].ip6.set)
			return cfg_fail(x, "ipv4", "a port needs ipv4 or ipv6");
	}
	for (i = 0; i < c->nb_neigh; i++) {
		char sec[32];

		snprintf(sec, sizeof(sec), "neigh.%u", i);
		x->section = sec;
		if (c->neigh[i].port >= c->nb_ports)
			return cfg_fail(x, "port", "port %u is not configured",
					c->neigh[i].port);
	}
	x->section = "tls";
	if ((c->tls.cert[0] == '\0') != (c->tls.key[0] == '\0'))
		return cfg_fail(x, c->tls.cert[0] ? "key" : "cert",
				"missing: cert and key go together");
	if (c->tls.cert[0] != '\0' && c->sip_tls_port == c->sip_port)
		return cfg_fail(x, "port", "the same as sip_port");
	if (c->tls.verify_client != DSBC_TLS_VERIFY_NONE &&
	    c->tls.ca[0] == '\0')
		return cfg_fail(x, "ca", "missing: verify_client needs "
				"trust anchors");
	if (c->tls.nb_certs > 0 && c->tls.cert[0] == '\0')
		return cfg_fail(x, "cert", "missing: [tls.N] certificates "
				"are chosen by name beside a default one");
	for (i = 0; i < c->nb_trunks; i++) {
		static char sec[16];

		if (c->trunks[i].tls_name[0] == '\0' ||
		    (c->tls.cert[0] != '\0' &&
		     c->tls.verify_client != DSBC_TLS_VERIFY_NONE))
			continue;
		snprintf(sec, sizeof(sec), "trunk.%u", i);
		x->section = sec;
		return cfg_fail(x, "tls_name", "needs [tls] with "
				"verify_client = optional or require (a "
				"client certificate to check)");
	}
	x->section = "ws";
	if (c->ws.tls_port != 0 && c->tls.cert[0] == '\0')
		return cfg_fail(x, "tls_port", "wss needs [tls] cert and key");
	{
		uint16_t pt[4] = { c->sip_port, c->sip_tls_port, c->ws.port,
				   c->ws.tls_port };
		unsigned int a, bb;

		for (a = 0; a < 4; a++)
			for (bb = a + 1; bb < 4; bb++)
				if (pt[a] != 0 && pt[a] == pt[bb] &&
				    (a != 1 || c->tls.cert[0] != '\0'))
					return cfg_fail(x, a >= 2 || bb == 2 ?
							"port" : "tls_port",
							"%u is used twice "
							"(sip_port, [tls] port, "
							"[ws] port, tls_port)",
							pt[a]);
	}
	x->section = "registrar";
	if (c->registrar.realm[0] != '\0' &&
	    dsbc_config_realm(c, c->registrar.realm) == NULL)
		return cfg_fail(x, "realm", "no [realm.N] is named '%s'",
				c->registrar.realm);
	if (c->registrar.min_expires_s > c->registrar.max_expires_s)
		return cfg_fail(x, "min_expires_s", "above max_expires_s");
	if (c->registrar.nat_expires_s < c->registrar.min_expires_s)
		return cfg_fail(x, "nat_expires_s", "below min_expires_s");
	if (c->registrar.keepalive_s != 0 &&
	    c->registrar.keepalive_s >= c->registrar.nat_expires_s)
		return cfg_fail(x, "keepalive_s", "not below nat_expires_s");
	if (c->registrar.flow_timer_s >= c->sip_tcp_idle_s)
		return cfg_fail(x, "flow_timer_s", "not below [dsbc] "
				"sip_tcp_idle_s (%u): keepalives would come "
				"after the connection is closed",
				c->sip_tcp_idle_s);
	if (c->registrar.realm[0] != '\0' && c->auth.users_file[0] == '\0') {
		x->section = "auth";
		return cfg_fail(x, "users_file", "missing: [registrar] realm "
				"needs users");
	}
	for (i = 0; i < c->nb_workers_cfg; i++) {
		uint16_t q;
		char sec[32];

		snprintf(sec, sizeof(sec), "lcore.%u", c->workers[i].lcore);
		x->section = sec;
		for (q = 0; q < c->workers[i].nb_rxq; q++)
			if (c->workers[i].rxq[q].port >= c->nb_ports)
				return cfg_fail(x, "rx", "port %u is not configured",
						c->workers[i].rxq[q].port);
	}
	return 0;
}

int
dsbc_config_load(const char *path, struct dsbc_config *c, char *err,
		 size_t errlen)
{
	struct cfg_ctx x = { .c = c, .err = err, .errlen = errlen };
	struct rte_cfgfile *f;
	char **secs = NULL;
	uint8_t seen_port[DSBC_CFG_MAX_PORTS] = {0};
	int nsec, i, rc = 0;
	/* flows are parsed after [dsbc] and [port.N], which they depend on */
	int pass;

	dsbc_config_defaults(c);
	snprintf(c->path, sizeof(c->path), "%s", path);
	err[0] = '\0';
	f = ini_read(path, err, errlen);
	if (f == NULL)
		return -1;
	nsec = rte_cfgfile_num_sections(f, NULL, 0);
	if (nsec > 0) {
		secs = calloc((size_t)nsec, sizeof(*secs));
		if (secs == NULL) {
			rte_cfgfile_close(f);
			return cfg_fail(&x, NULL, "out of memory");
		}
		for (i = 0; i < nsec; i++) {
			secs[i] = malloc(CFG_NAME_LEN);
			if (secs[i] == NULL) {
				rc = cfg_fail(&x, NULL, "out of memory");
				goto out;
			}
		}
		rte_cfgfile_sections(f, secs, nsec);
	}

	for (pass = 0; pass < 2 && rc == 0; pass++) {
		for (i = 0; i < nsec && rc == 0; i++) {
			const char *s = secs[i];
			int idx;

			x.section = s;
			if (!strcmp(s, "dsbc")) {
				if (pass == 0)
					rc = apply_entries(&x, f, s, global_key, c);
			} else if ((idx = section_index(s, "port",
							DSBC_CFG_MAX_PORTS)) != -1) {
				if (pass == 1)
					continue;
				if (idx < 0) {
					rc = cfg_fail(&x, NULL, "port index must be "
						      "0..%d", DSBC_CFG_MAX_PORTS - 1);
					break;
				}
				if (seen_port[idx]++) {
					rc = cfg_fail(&x, NULL, "duplicate section");
					break;
				}
				rc = apply_entries(&x, f, s, port_key, &c->ports[idx]);
				if (rc == 0 && c->ports[idx].dev[0] == '\0')
					rc = cfg_fail(&x, "dev", "missing");
				if ((uint16_t)(idx + 1) > c->nb_ports)
					c->nb_ports = (uint16_t)(idx + 1);
			} else if ((idx = section_index(s, "neigh",
							DSBC_CFG_MAX_NEIGH)) != -1) {
				struct neigh_obj o = {0};

				if (pass == 1)
					continue;
				if (idx < 0) {
					rc = cfg_fail(&x, NULL, "neigh index must be "
						      "0..%d", DSBC_CFG_MAX_NEIGH - 1);
					break;
				}
				o.n = &c->neigh[c->nb_neigh];
				rc = apply_entries(&x, f, s, neigh_key, &o);
				if (rc == 0 && !o.has_ip)
					rc = cfg_fail(&x, "ip", "missing");
				if (rc == 0 && !o.has_mac)
					rc = cfg_fail(&x, "mac", "missing");
				if (rc == 0 && !o.has_port)
					rc = cfg_fail(&x, "port", "missing");
				if (rc == 0)
					c->nb_neigh++;
			} else if ((idx = section_index(s, "route",
							DSBC_CFG_MAX_ROUTES)) != -1) {
				struct route_obj o = {0};

				/* after the ports (pass 1): resolves the next hop */
				if (pass == 0)
					continue;
				if (idx < 0) {
					rc = cfg_fail(&x, NULL, "route index must be "
						      "0..%d", DSBC_CFG_MAX_ROUTES - 1);
					break;
				}
				o.r = &c->routes[c->nb_routes];
				o.r->index = (uint8_t)idx;
				rc = apply_entries(&x, f, s, route_key, &o);
				if (rc == 0 && !o.has_next_hop)
					rc = cfg_fail(&x, "next_hop", "missing");
				if (rc == 0 && dsbc_config_route_out(c, o.r->family,
							&o.r->addr, &o.r->out_port,
							&o.r->l2_next_hop) != 0)
					rc = cfg_fail(&x, "next_hop", "no port reaches "
						      "it (no subnet, no gateway)");
				if (rc == 0 && o.r->transport != DSBC_ROUTE_UDP &&
				    c->ports[o.r->out_port].exception ==
				    DSBC_EXCEPTION_NONE)
					rc = cfg_fail(&x, "transport", "needs "
						      "[port.%u] exception (the "
						      "port reaching next_hop)",
						      o.r->out_port);
				if (rc == 0 && o.r->stir_sign &&
				    (c->stir.key[0] == '\0' ||
				     c->stir.x5u[0] == '\0'))
					rc = cfg_fail(&x, "stir_sign", "needs "
						      "[stir] key and x5u");
				if (rc == 0 && o.r->stir_verify != DSBC_STIR_OFF &&
				    c->stir.ca_file[0] == '\0')
					rc = cfg_fail(&x, "stir_verify", "needs "
						      "[stir] ca_file (the trust "
						      "anchors)");
				if (rc == 0 && o.r->auth_realm[0] != '\0' &&
				    dsbc_config_realm(c, o.r->auth_realm) == NULL)
					rc = cfg_fail(&x, "auth", "no [realm.N] is "
						      "named '%s'",
						      o.r->auth_realm);
				if (rc == 0 && o.r->auth_realm[0] != '\0' &&
				    c->auth.users_file[0] == '\0')
					rc = cfg_fail(&x, "auth", "[auth] "
						      "users_file is missing");
				if (rc == 0)
					c->nb_routes++;
			} else if ((idx = section_index(s, "lcore",
							RTE_MAX_LCORE)) != -1) {
				struct lcore_obj o = {0};

				if (pass == 1)
					continue;
				if (idx < 0) {
					rc = cfg_fail(&x, NULL, "lcore index must be "
						      "0..%d", RTE_MAX_LCORE - 1);
					break;
				}
				if (c->nb_workers_cfg >= DSBC_CFG_MAX_WORKERS) {
					rc = cfg_fail(&x, NULL, "too many workers");
					break;
				}
				o.w = &c->workers[c->nb_workers_cfg];
				o.w->lcore = (unsigned int)idx;
				rc = apply_entries(&x, f, s, lcore_key, &o);
				if (rc == 0 && !o.has_rx)
					rc = cfg_fail(&x, "rx", "missing");
				if (rc == 0)
					c->nb_workers_cfg++;
			} else if ((idx = section_index(s, "flow", 1u << 30)) != -1) {
				struct flow_obj o = {0};

				if (pass == 0) {
					if (idx < 0)
						rc = cfg_fail(&x, NULL, "flow index "
							      "must be a number");
					continue;
				}
				o.f = flow_new(c);
				if (o.f == NULL) {
					rc = cfg_fail(&x, NULL, "out of memory");
					break;
				}
				rc = apply_entries(&x, f, s, flow_key, &o);
				if (rc == 0)
					rc = flow_finish(&x, &o);
				if (rc == 0)
					c->nb_flows++;
			} else if (!strcmp(s, "ws")) {
				if (pass == 0)
					rc = apply_entries(&x, f, s, ws_key,
							   &c->ws);
			} else if (!strcmp(s, "cdr")) {
				if (pass == 0)
					rc = apply_entries(&x, f, s, cdr_key,
							   &c->cdr);
				if (pass == 0 && rc == 0 && c->cdr.syslog &&
				    c->cdr.file[0] != '\0')
					rc = cfg_fail(&x, "syslog", "a file or "
						      "syslog, not both");
			} else if (!strcmp(s, "hep")) {
				if (pass == 0)
					rc = apply_entries(&x, f, s, hep_key,
							   &c->hep);
				if (pass == 0 && rc == 0 && !c->hep.set)
					rc = cfg_fail(&x, "collector", "missing");
			} else if (!strcmp(s, "stir")) {
				if (pass == 0)
					rc = apply_entries(&x, f, s, stir_key,
							   &c->stir);
			} else if (!strcmp(s, "tls")) {
				struct tls_obj o = { c };

				if (pass == 0)
					rc = apply_entries(&x, f, s, tls_key, &o);
			} else if ((idx = section_index(s, "tls",
							DSBC_CFG_MAX_TLS_CERTS)) != -1) {
				struct dsbc_tls_cert_cfg *t;

				if (pass == 1)
					continue;
				if (idx < 0) {
					rc = cfg_fail(&x, NULL, "tls index must "
						      "be 0..%d",
						      DSBC_CFG_MAX_TLS_CERTS - 1);
					break;
				}
				t = &c->tls.certs[c->tls.nb_certs];
				rc = apply_entries(&x, f, s, tls_cert_key, t);
				if (rc == 0 && (t->name[0] == '\0' ||
						t->cert[0] == '\0' ||
						t->key[0] == '\0'))
					rc = cfg_fail(&x, t->name[0] ? "cert" :
						      "name", "name, cert and "
						      "key are all needed");
				if (rc == 0)
					c->tls.nb_certs++;
			} else if (!strcmp(s, "auth") || !strcmp(s, "registrar")) {
				if (pass == 0)
					rc = !strcmp(s, "auth") ?
					     apply_entries(&x, f, s, auth_key,
							   &c->auth) :
					     apply_entries(&x, f, s,
							   registrar_key,
							   &c->registrar);
			} else if ((idx = section_index(s, "realm",
							DSBC_CFG_MAX_REALMS)) != -1) {
				struct dsbc_realm_cfg *r;

				if (pass == 1)
					continue;
				if (idx < 0) {
					rc = cfg_fail(&x, NULL, "realm index must "
						      "be 0..%d",
						      DSBC_CFG_MAX_REALMS - 1);
					break;
				}
				r = &c->realms[c->nb_realms];
				r->algs[0] = DSBC_CFG_DIGEST_SHA256;
				r->algs[1] = DSBC_CFG_DIGEST_MD5;
				r->nb_algs = 2;
				rc = apply_entries(&x, f, s, realm_key, r);
				if (rc == 0 && r->name[0] == '\0')
					rc = cfg_fail(&x, "name", "missing");
				if (rc == 0 && dsbc_config_realm(c, r->name))
					rc = cfg_fail(&x, "name", "'%s' is "
						      "another realm's name",
						      r->name);
				if (rc == 0)
					c->nb_realms++;
			} else if ((idx = section_index(s, "trunk",
							DSBC_CFG_MAX_TRUNKS)) != -1) {
				struct dsbc_trunk_cfg *t;

				if (pass == 1)
					continue;
				if (idx < 0) {
					rc = cfg_fail(&x, NULL, "trunk index must "
						      "be 0..%d",
						      DSBC_CFG_MAX_TRUNKS - 1);
					break;
				}
				t = &c->trunks[c->nb_trunks];
				rc = apply_entries(&x, f, s, trunk_key, t);
				if (rc == 0 && !t->addr.set &&
				    t->tls_name[0] == '\0')
					rc = cfg_fail(&x, "addr", "missing (or "
						      "tls_name)");
				if (rc == 0)
					c->nb_trunks++;
			} else if (pass == 0) {
				rc = cfg_fail(&x, NULL, "unknown section");
			}
		}
		if (pass == 0 && rc == 0)
			rc = validate(&x);
	}
	if (rc == 0 && c->flow_file[0] != '\0') {
		x.section = "dsbc";
		rc = load_flow_file(&x);
	}
out:
	if (secs != NULL) {
		for (i = 0; i < nsec; i++)
			free(secs[i]);
		free(secs);
	}
	rte_cfgfile_close(f);
	if (rc != 0)
		dsbc_config_free(c);
	return rc;
}

void
dsbc_config_free(struct dsbc_config *c)
{
	free(c->flows);
	c->flows = NULL;
	c->nb_flows = 0;
	c->flows_cap = 0;
}
