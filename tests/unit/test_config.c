/* SPDX-License-Identifier: BSD-3-Clause */
/* Config loading: the shipped file loads; every class of mistake gives one
 * line naming file, section, key and reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "dsbc_config.h"
#include "unit.h"

const bool unit_needs_eal = false;

#define BASE \
	"[port.0]\ndev = net_null0\nipv4 = 192.0.2.1/24\n" \
	"[port.1]\ndev = net_null1\nipv4 = 198.51.100.1/24\ngateway4 = 198.51.100.254\n"

static char path[64];

static int
load_text(const char *text, struct dsbc_config *c, char *err, size_t len)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/dsbc-cfg-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return dsbc_config_load(path, c, err, len);
}

/* Expect failure with section and key in the message. */
static void
expect_error(const char *text, const char *section, const char *key,
	     const char *reason_part)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN], want[128];

	CU_ASSERT_EQUAL(load_text(text, &c, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	snprintf(want, sizeof(want), "[%s] %s:", section, key);
	if (strstr(err, want) == NULL || strstr(err, reason_part) == NULL)
		fprintf(stderr, "\n  got: %s\n  want: %s ... %s\n", err, want,
			reason_part);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, reason_part));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	unlink(path);
}

static void
test_shipped_config(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];
	const char *file = getenv("DSBC_CONF");

	if (file == NULL)
		file = "config/dsbc.conf";
	CU_ASSERT_EQUAL_FATAL(dsbc_config_load(file, &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.nb_ports, 2);
	CU_ASSERT_EQUAL(c.nb_flows, 2);
	CU_ASSERT_EQUAL(c.nb_neigh, 2);
	CU_ASSERT_EQUAL(c.sip_port, 5060);
	CU_ASSERT_STRING_EQUAL(c.ports[0].name, "net_pcap0");
	CU_ASSERT_EQUAL(c.flows[0].out_port, 1);
	CU_ASSERT_EQUAL(c.flows[1].out_port, 0);
	CU_ASSERT_EQUAL(c.flows[0].remote_port, 30000);
	dsbc_config_free(&c);
}

static void
test_defaults_and_resolution(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(load_text(BASE
		"[flow.0]\nlocal = 192.0.2.1:20000\nremote = 198.51.100.7:4000\n"
		"[flow.1]\nlocal = 192.0.2.1:20002\nremote = 203.0.113.9:5000\n"
		"latch = off\nmode = aware\ndscp = 0\n",
		&c, err, sizeof(err)), 0);
	unlink(path);
	CU_ASSERT_EQUAL(c.media_port_min, 20000);
	CU_ASSERT_EQUAL(c.idle_sleep_us, 100);
	CU_ASSERT_EQUAL(c.sip_ban_strikes, 1000);
	CU_ASSERT_EQUAL(c.sip_admit_pps, 2000);
	CU_ASSERT_EQUAL(c.sip_reject_pps, 500);
	CU_ASSERT_EQUAL(c.sip_trust_s, 3600);
	CU_ASSERT_EQUAL(c.nb_flows, 2);
	/* on-link: next hop is the remote itself, source the port address */
	CU_ASSERT_EQUAL(c.flows[0].out_port, 1);
	CU_ASSERT_EQUAL(memcmp(&c.flows[0].next_hop, &c.flows[0].remote,
			       sizeof(struct dsbc_addr)), 0);
	CU_ASSERT_EQUAL(c.flows[0].out_local_port, 20000);
	CU_ASSERT_EQUAL(c.flows[0].latch, DSBC_LATCH_FIRST);
	CU_ASSERT_EQUAL(c.flows[0].dscp, 46);
	/* off-link: through port 1's gateway */
	CU_ASSERT_EQUAL(c.flows[1].out_port, 1);
	CU_ASSERT_EQUAL(c.flows[1].next_hop.a8[3], 254);
	CU_ASSERT_EQUAL(c.flows[1].mode, DSBC_MODE_AWARE);
	CU_ASSERT_EQUAL(c.flows[1].latch, DSBC_LATCH_OFF);
	CU_ASSERT_EQUAL(c.flows[1].dscp, 0);
	dsbc_config_free(&c);
}

static void
test_flow_file(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN], text[512], fpath[] = "/tmp/dsbc-flows-XXXXXX";
	FILE *f;
	int fd = mkstemp(fpath);

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# two flows\nlocal=192.0.2.1:20010 remote=198.51.100.7:4000\n\n"
	      "local=192.0.2.1:20012 remote=198.51.100.8:4002 latch=off # x\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "[dsbc]\nflow_file = %s\n" BASE, fpath);
	CU_ASSERT_EQUAL(load_text(text, &c, err, sizeof(err)), 0);
	unlink(path);
	CU_ASSERT_EQUAL(c.nb_flows, 2);
	CU_ASSERT_EQUAL(c.flows[1].latch, DSBC_LATCH_OFF);
	dsbc_config_free(&c);

	f = fopen(fpath, "w");
	fputs("local=192.0.2.1:20010 remote=198.51.100.7:4000\n"
	      "local=192.0.2.1:20012 bogus\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(load_text(text, &c, err, sizeof(err)), -1);
	unlink(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2] bogus: not key=value"));
	unlink(fpath);
}

static void
test_routes(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(load_text("[dsbc]\nno_route_status = 480\n" BASE
		"[route.0]\nuser_prefix = +44\nnext_hop = 198.51.100.9:5070\n"
		"[route.1]\nhost = example.net\nnext_hop = 203.0.113.5:5060\n"
		"[route.2]\nnext_hop = 192.0.2.50:5060\n", &c, err,
		sizeof(err)), 0);
	unlink(path);
	CU_ASSERT_EQUAL(c.nb_routes, 3);
	CU_ASSERT_EQUAL(c.no_route_status, 480);
	CU_ASSERT_STRING_EQUAL(c.routes[0].user_prefix, "+44");
	CU_ASSERT_EQUAL(c.routes[0].port, 5070);
	CU_ASSERT_EQUAL(c.routes[0].out_port, 1);     /* on-link */
	CU_ASSERT_EQUAL(c.routes[1].out_port, 1);     /* via the gateway */
	CU_ASSERT_EQUAL(c.routes[1].l2_next_hop.a8[3], 254);
	CU_ASSERT_EQUAL(c.routes[2].out_port, 0);
	CU_ASSERT_EQUAL(c.routes[2].l2_next_hop.a8[3], 50);
	dsbc_config_free(&c);
	expect_error(BASE "[route.0]\nhost = x\n", "route.0", "next_hop",
		     "missing");
	expect_error(BASE "[route.0]\nnext_hop = 10.9.9.9\n", "route.0",
		     "next_hop", "ADDR:PORT");
	expect_error(BASE "[route.0]\nnext_hop = [2001:db8::1]:5060\n",
		     "route.0", "next_hop", "no port reaches");
	expect_error(BASE "[route.0]\nnext_hop = 1.2.3.4:5\nfoo = 1\n",
		     "route.0", "foo", "unknown key");
	expect_error("[dsbc]\nno_route_status = 410\n" BASE, "dsbc",
		     "no_route_status", "neither 404 nor 480");
}

/* [cdr] and [hep]: values, defaults, and each refusal named */
static void
test_cdr_hep_sections(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];

	CU_ASSERT_EQUAL_FATAL(load_text(BASE "[cdr]\nfile = /var/log/x.json\n"
		"[hep]\ncollector = 192.0.2.50:9060\nagent_id = 7\n"
		"routes = 0, 2,63\npassword = pw\n", &c, err, sizeof(err)), 0);
	unlink(path);
	CU_ASSERT_STRING_EQUAL(c.cdr.file, "/var/log/x.json");
	CU_ASSERT(!c.cdr.syslog);
	CU_ASSERT_EQUAL(c.cdr.queue, 4096);
	CU_ASSERT(c.hep.set);
	CU_ASSERT_EQUAL(c.hep.family, 4);
	CU_ASSERT_EQUAL(c.hep.port, 9060);
	CU_ASSERT_EQUAL(c.hep.agent_id, 7);
	CU_ASSERT_EQUAL(c.hep.routes, (1ull << 0) | (1ull << 2) | (1ull << 63));
	CU_ASSERT_STRING_EQUAL(c.hep.password, "pw");
	CU_ASSERT(c.hep.quality);
	dsbc_config_free(&c);
	CU_ASSERT_EQUAL_FATAL(load_text(BASE, &c, err, sizeof(err)), 0);
	unlink(path);
	CU_ASSERT(!c.hep.set);
	CU_ASSERT_EQUAL(c.cdr.file[0], '\0');
	dsbc_config_free(&c);
	expect_error(BASE "[cdr]\nfile = /x\nsyslog = yes\n", "cdr", "syslog",
		     "not both");
	expect_error(BASE "[cdr]\nqueue = 1\n", "cdr", "queue", "integer");
	expect_error(BASE "[cdr]\nrotate = daily\n", "cdr", "rotate",
		     "unknown key");
	expect_error(BASE "[hep]\nagent_id = 1\n", "hep", "collector",
		     "missing");
	expect_error(BASE "[hep]\ncollector = collector.example:9060\n", "hep",
		     "collector", "ADDR:PORT");
	expect_error(BASE "[hep]\ncollector = 192.0.2.50:9060\nroutes = 64\n",
		     "hep", "routes", "route index");
	expect_error(BASE "[hep]\ncollector = 192.0.2.50:9060\nroutes = ,\n",
		     "hep", "routes", "no route index");
}

static void
test_errors(void)
{
	expect_error("[dsbc]\nsip_port = 70000\n" BASE, "dsbc", "sip_port",
		     "not an integer in [1, 65535]");
	expect_error("[dsbc]\nsip_port = abc\n" BASE, "dsbc", "sip_port",
		     "not an integer");
	expect_error("[dsbc]\nbogus_key = 1\n" BASE, "dsbc", "bogus_key",
		     "unknown key");
	expect_error("[dsbc]\nmode = mitm\n" BASE, "dsbc", "mode",
		     "not relay, aware or terminate");
	/* overload control */
	expect_error("[dsbc]\nsip_ban_s = 0\n" BASE, "dsbc", "sip_ban_s",
		     "not an integer in [1, 86400]");
	expect_error("[dsbc]\nsip_admit_pps = 0\n" BASE, "dsbc",
		     "sip_admit_pps", "not an integer in [1, 10000000]");
	expect_error("[dsbc]\nsip_trust_s = 5\n" BASE, "dsbc", "sip_trust_s",
		     "not an integer in [10, 2592000]");
	expect_error("[dsbc]\nsip_retry_after_s = x\n" BASE, "dsbc",
		     "sip_retry_after_s", "not an integer");
	expect_error("[dsbc]\nlatch = sometimes\n" BASE, "dsbc", "latch",
		     "not off, first or signalled");
	/* terminator mode */
	expect_error("[dsbc]\ndtls_setup = actpass\n" BASE, "dsbc",
		     "dtls_setup", "not active or passive");
	expect_error("[dsbc]\nsrtp_replay_window = 100\n" BASE, "dsbc",
		     "srtp_replay_window", "not a multiple of 64");
	expect_error("[dsbc]\nsrtp_replay_window = 32\n" BASE, "dsbc",
		     "srtp_replay_window", "not an integer in [64, 1024]");
	expect_error(BASE "[route.0]\nnext_hop = 1.2.3.4:5\nsecurity = zrtp\n",
		     "route.0", "security", "not same, plain, sdes or dtls");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\n"
		     "remote = 198.51.100.7:4000\nsrtp_rx = AES_CM_128_HMAC_SHA1_80:"
		     "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\n", "flow.0",
		     "srtp_rx", "keys need mode = terminate");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\n"
		     "remote = 198.51.100.7:4000\nmode = terminate\n"
		     "srtp_tx = AES_CM_128_HMAC_SHA1_80:PS1uQCVe\n", "flow.0",
		     "srtp_tx", "base64 key and salt of its size");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\n"
		     "remote = 198.51.100.7:4000\nmode = terminate\n"
		     "srtp_tx = F8_128_HMAC_SHA1_80:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\n",
		     "flow.0", "srtp_tx", "not an SRTP suite");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\n"
		     "remote = 198.51.100.7:4000\nmode = terminate\n"
		     "srtp_tx = nokey\n", "flow.0", "srtp_tx",
		     "not SUITE:base64-key");
	expect_error("[dsbc]\nmedia_port_min = 20001\n" BASE, "dsbc",
		     "media_port_min", "must be even");
	expect_error("[dsbc]\nmedia_port_min = 30000\nmedia_port_max = 29000\n"
		     BASE, "dsbc", "media_port_min", "above media_port_max");
	expect_error("[dsbc]\nsip_port = 20000\n" BASE, "dsbc", "sip_port",
		     "inside the media port range");
	expect_error("[dsbc]\nsip_port = 5060\n", "port.0", "dev",
		     "no port configured");
	expect_error("[port.0]\nipv4 = 192.0.2.1/24\n", "port.0", "dev", "missing");
	expect_error("[port.0]\ndev = net_null0\n", "port.0", "ipv4",
		     "needs ipv4 or ipv6");
	expect_error("[port.0]\ndev = net_null0\nipv4 = 300.1.2.3/24\n", "port.0",
		     "ipv4", "not an IP address");
	expect_error("[port.0]\ndev = net_null0\nipv4 = 192.0.2.1/40\n", "port.0",
		     "ipv4", "bad prefix length");
	expect_error("[port.0]\ndev = net_null0\nipv4 = 2001:db8::1/64\n",
		     "port.0", "ipv4", "not an IPv4 address");
	expect_error("[port.0]\ndev = net_null0\nipv4 = 192.0.2.1/24\nmac = "
		     "ff:ff:ff:ff:ff:ff\n", "port.0", "mac", "not a unicast MAC");
	expect_error("[port.1]\ndev = net_null0\nipv4 = 192.0.2.1/24\n", "port.0",
		     "dev", "numbered port.0");
	expect_error("[port.99]\ndev = x\n", "port.99", "-", "port index must be");
	expect_error("[portal]\ndev = x\n", "portal", "-", "unknown section");
	expect_error(BASE "[neigh.0]\nport = 0\nip = 192.0.2.9\n", "neigh.0",
		     "mac", "missing");
	expect_error(BASE "[neigh.0]\nport = 5\nip = 192.0.2.9\nmac = "
		     "02:00:00:00:00:09\n", "neigh.0", "port", "not configured");
	expect_error(BASE "[lcore.1]\nrx = 0-0\n", "lcore.1", "rx",
		     "not PORT:QUEUE");
	expect_error(BASE "[lcore.1]\nrx = 3:0\n", "lcore.1", "rx",
		     "not configured");
	expect_error(BASE "[flow.0]\nremote = 198.51.100.7:4000\n", "flow.0",
		     "local", "missing");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\n", "flow.0",
		     "remote", "missing");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:80\nremote = "
		     "198.51.100.7:4000\n", "flow.0", "local",
		     "outside the media range");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.99:20000\nremote = "
		     "198.51.100.7:4000\n", "flow.0", "local",
		     "not one of the ports'");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\nremote = "
		     "[2001:db8::7]:4000\n", "flow.0", "remote", "no port reaches");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\nremote = "
		     "198.51.100.7\n", "flow.0", "remote", "not ADDR:PORT");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\nremote = "
		     "198.51.100.7:4000\nlatch = signalled\n", "flow.0", "peer",
		     "needs peer");
	expect_error(BASE "[flow.0]\nlocal = 192.0.2.1:20000\nremote = "
		     "198.51.100.7:4000\nout_local = 192.0.2.1:20000\n", "flow.0",
		     "out_local", "must be the address of out port 1");
	expect_error("[dsbc]\nflow_file = /nonexistent/flows\n" BASE, "dsbc",
		     "flow_file", "cannot open");
}

/* The file is read strictly: each of these is refused with its line
 * number, section and key; a UTF-8 byte order mark is not. */
static void
test_strict_ini(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];

	expect_error("[dsbc]\nlog_level\n" BASE, "dsbc", "log_level",
		     "neither [section] nor key = value");
	expect_error("[dsbc]\nburst = 16\n" BASE "[dsbc]\nmtu = 1\n", "dsbc",
		     "-", "duplicate section");
	expect_error("[dsbc]\nburst = 16\nburst = 32\n" BASE, "dsbc", "burst",
		     "duplicate key");
	expect_error("burst = 16\n[dsbc]\n" BASE, "-", "burst",
		     "outside any [section]");
	expect_error("[dsbc\n" BASE, "-", "-", "[name] alone");
	expect_error("[dsbc]\n = 3\n" BASE, "dsbc", "", "key empty");
	/* where: FILE:LINE */
	CU_ASSERT_EQUAL(load_text("[dsbc]\nburst = 16\n\nburst = 32\n" BASE,
				  &c, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":4: [dsbc] burst: "));
	unlink(path);
	/* many sections, each once: no false duplicate */
	{
		char *big = malloc(200000);
		size_t n = 0;
		int i;

		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		n += (size_t)snprintf(big + n, 200000 - n, "%s", BASE);
		for (i = 0; i < 3000; i++)
			n += (size_t)snprintf(big + n, 200000 - n,
				"[flow.%d]\nlocal = 192.0.2.1:%d\n"
				"remote = 198.51.100.7:4000\n", i, 20000 + i);
		CU_ASSERT_EQUAL(load_text(big, &c, err, sizeof(err)), 0);
		if (err[0] != '\0')
			fprintf(stderr, "\n  %s\n", err);
		CU_ASSERT_EQUAL(c.nb_flows, 3000);
		dsbc_config_free(&c);
		unlink(path);
		free(big);
	}
	/* a byte order mark before the first line is no error */
	CU_ASSERT_EQUAL(load_text("\xef\xbb\xbf[dsbc]\nburst = 16\n" BASE, &c,
				  err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.burst, 16);
	dsbc_config_free(&c);
	unlink(path);
}

static void
test_unreadable(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];

	CU_ASSERT_EQUAL(dsbc_config_load("/nonexistent/dsbc.conf", &c, err,
					 sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/dsbc.conf: [-] -: "
					   "cannot read"));
}

static void
test_endpoint(void)
{
	struct dsbc_addr a;
	uint8_t fam;
	uint16_t port;

	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint("10.0.0.1:5", &a, &fam, &port), 0);
	CU_ASSERT_EQUAL(fam, 4);
	CU_ASSERT_EQUAL(port, 5);
	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint("[2001:db8::1]:65535", &a, &fam,
						   &port), 0);
	CU_ASSERT_EQUAL(fam, 6);
	CU_ASSERT_EQUAL(port, 65535);
	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint("2001:db8::1:5", &a, &fam,
						   &port), -1);
	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint("10.0.0.1:0", &a, &fam, &port), -1);
	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint("10.0.0.1:65536", &a, &fam,
						   &port), -1);
	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint("10.0.0.1", &a, &fam, &port), -1);
	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint("[::1:5", &a, &fam, &port), -1);
	CU_ASSERT_EQUAL(dsbc_config_parse_endpoint(":5", &a, &fam, &port), -1);
}


/* [auth], [realm.N], [trunk.N], [registrar] and a route's auth */
static void
test_users_sections(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];
	struct dsbc_addr a;
	uint8_t fam;

	CU_ASSERT_EQUAL(load_text(BASE
		"[auth]\nusers_file = /etc/dsbc/users\nfail_max = 5\n"
		"[realm.0]\nname = example.com\nalgorithms = MD5\n"
		"[realm.1]\nname = trunks\n"
		"[trunk.0]\naddr = 198.51.100.0/24\n"
		"[registrar]\ndomain = example.com\nrealm = example.com\n"
		"nat_expires_s = 120\nkeepalive_s = 20\n", &c, err,
		sizeof(err)), 0);
	if (err[0] != '\0')
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL(c.nb_realms, 2);
	CU_ASSERT_EQUAL(c.realms[0].nb_algs, 1);
	CU_ASSERT_EQUAL(c.realms[0].algs[0], DSBC_CFG_DIGEST_MD5);
	/* the default: SHA-256 first (RFC 8760 2.4), then MD5 */
	CU_ASSERT_EQUAL(c.realms[1].nb_algs, 2);
	CU_ASSERT_EQUAL(c.realms[1].algs[0], DSBC_CFG_DIGEST_SHA256);
	CU_ASSERT_PTR_EQUAL(dsbc_config_realm(&c, "trunks"), &c.realms[1]);
	CU_ASSERT_PTR_NULL(dsbc_config_realm(&c, "other"));
	CU_ASSERT_EQUAL(c.auth.fail_max, 5);
	CU_ASSERT_EQUAL(c.registrar.nat_expires_s, 120);
	dsbc_addr_parse("198.51.100.77", &a, &fam);
	CU_ASSERT(dsbc_config_is_trunk(&c, 4, &a, 0));
	dsbc_addr_parse("198.51.101.77", &a, &fam);
	CU_ASSERT_FALSE(dsbc_config_is_trunk(&c, 4, &a, 0));
	dsbc_config_free(&c);
	unlink(path);

	/* trunks by client certificate: by name alone (trunk.0), or name
	 * and address both (trunk.1) */
	CU_ASSERT_EQUAL(load_text(BASE
		"[tls]\ncert = /x.crt\nkey = /x.key\nca = /ca.crt\n"
		"verify_client = optional\n"
		"[trunk.0]\ntls_name = carrier.example.net\n"
		"[trunk.1]\naddr = 203.0.113.0/24\n"
		"tls_name = peer.example.org\n", &c, err, sizeof(err)), 0);
	dsbc_addr_parse("198.51.101.77", &a, &fam);
	CU_ASSERT_FALSE(dsbc_config_is_trunk(&c, 4, &a, 0));
	CU_ASSERT(dsbc_config_is_trunk(&c, 4, &a, 1));
	CU_ASSERT_FALSE(dsbc_config_is_trunk(&c, 4, &a, 2));
	dsbc_addr_parse("203.0.113.9", &a, &fam);
	CU_ASSERT(dsbc_config_is_trunk(&c, 4, &a, 2));
	CU_ASSERT_FALSE(dsbc_config_is_trunk(&c, 4, &a, 0));
	dsbc_config_free(&c);
	unlink(path);
	expect_error(BASE "[trunk.0]\ntls_name = carrier.example.net\n",
		     "trunk.0", "tls_name", "needs [tls] with verify_client = "
		     "optional or require (a client certificate to check)");
	expect_error(BASE "[trunk.0]\n", "trunk.0", "addr",
		     "missing (or tls_name)");
	/* [stir] and a route that signs */
	CU_ASSERT_EQUAL(load_text(BASE
		"[stir]\nkey = /etc/dsbc/sp.key\n"
		"x5u = https://certs.example.com/sp.pem\ntrunk_attest = C\n"
		"[route.0]\nnext_hop = 192.0.2.9:5060\nstir_sign = yes\n",
		&c, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.stir.x5u, "https://certs.example.com/sp.pem");
	CU_ASSERT_STRING_EQUAL(c.stir.attest, "A");
	CU_ASSERT_STRING_EQUAL(c.stir.trunk_attest, "C");
	CU_ASSERT(c.routes[0].stir_sign);
	dsbc_config_free(&c);
	unlink(path);
	expect_error(BASE "[route.0]\nnext_hop = 192.0.2.9:5060\n"
		     "stir_sign = yes\n", "route.0", "stir_sign",
		     "needs [stir] key and x5u");
	expect_error(BASE "[stir]\nattest = D\n", "stir", "attest",
		     "'D' is not A, B or C");
	expect_error(BASE "[stir]\nx5u = ftp://x/c.pem\n", "stir", "x5u",
		     "'ftp://x/c.pem' is not an http(s) URL");
	/* the verification service: policies, trust anchors, bounds */
	CU_ASSERT_EQUAL(load_text(BASE
		"[stir]\nca_file = /etc/dsbc/sti-roots.pem\n"
		"cert_dir = /etc/dsbc/x5u\niat_window_s = 30\n"
		"fetch_timeout_ms = 500\n"
		"[route.0]\nnext_hop = 192.0.2.9:5060\nstir_verify = enforce\n"
		"[route.1]\nnext_hop = 192.0.2.9:5060\nstir_verify = mark\n",
		&c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.routes[0].stir_verify, DSBC_STIR_ENFORCE);
	CU_ASSERT_EQUAL(c.routes[1].stir_verify, DSBC_STIR_MARK);
	CU_ASSERT_EQUAL(c.stir.iat_window_s, 30);
	CU_ASSERT_EQUAL(c.stir.fetch_timeout_ms, 500);
	CU_ASSERT_EQUAL(c.stir.fail_ttl_s, 30);
	CU_ASSERT_EQUAL(c.stir.cache_size, 1024);
	CU_ASSERT_STRING_EQUAL(c.stir.cert_dir, "/etc/dsbc/x5u");
	dsbc_config_free(&c);
	unlink(path);
	expect_error(BASE "[route.0]\nnext_hop = 192.0.2.9:5060\n"
		     "stir_verify = mark\n", "route.0", "stir_verify",
		     "needs [stir] ca_file (the trust anchors)");
	expect_error(BASE "[route.0]\nnext_hop = 192.0.2.9:5060\n"
		     "stir_verify = yes\n", "route.0", "stir_verify",
		     "'yes' is not off, mark or enforce");
	expect_error(BASE "[stir]\nfetch_timeout_ms = 50\n", "stir",
		     "fetch_timeout_ms", "'50' is not an integer in "
		     "[100, 30000]");

	expect_error(BASE "[registrar]\ndomain = x\nrealm = nope\n",
		     "registrar", "realm", "no [realm.N] is named 'nope'");
	expect_error(BASE "[realm.0]\nname = r\n[registrar]\ndomain = x\n"
		     "realm = r\n", "auth", "users_file", "missing");
	expect_error(BASE "[realm.0]\nname = r\nalgorithms = SHA-512\n",
		     "realm.0", "algorithms", "neither SHA-256 nor MD5");
	expect_error(BASE "[realm.0]\nname = r\nalgorithms = MD5, md5\n",
		     "realm.0", "algorithms", "at most once");
	expect_error(BASE "[realm.0]\nname = r\n[realm.1]\nname = r\n",
		     "realm.1", "name", "another realm's name");
	expect_error(BASE "[realm.0]\nname = \"r\n", "realm.0", "name",
		     "not a realm");
	expect_error(BASE "[trunk.0]\naddr = 10.0.0.0/33\n", "trunk.0", "addr",
		     "bad prefix length");
	expect_error(BASE "[registrar]\nmin_expires_s = 100\n"
		     "nat_expires_s = 90\n", "registrar", "nat_expires_s",
		     "below min_expires_s");
	expect_error(BASE "[registrar]\nkeepalive_s = 90\n", "registrar",
		     "keepalive_s", "not below nat_expires_s");
	expect_error(BASE "[registrar]\nsecurity = zrtp\n", "registrar",
		     "security", "not same, plain, sdes or dtls");
	expect_error(BASE "[registrar]\nmode = bridge\n", "registrar",
		     "mode", "not relay, aware or terminate");
	expect_error(BASE "[route.0]\nnext_hop = 192.0.2.9:5060\n"
		     "transport = tls\n", "route.0", "transport",
		     "needs [port.0] exception (the port reaching next_hop)");
	expect_error("[port.0]\ndev = net_null0\nipv4 = 192.0.2.1/24\n"
		     "exception = vhost\n", "port.0", "exception",
		     "not none, tap, virtio_user or auto");
	expect_error("[port.0]\ndev = net_null0\nipv6 = 2001:db8::1/64\n"
		     "mtu = 1200\n", "port.0", "mtu",
		     "1200 is below IPv6's minimum of 1280");
	expect_error("[port.0]\ndev = net_null0\nipv4 = 192.0.2.1/24\n"
		     "mtu = 500\n", "port.0", "mtu", "500 is below 576");
	expect_error(BASE "[route.0]\nnext_hop = 192.0.2.9:5060\n"
		     "transport = sctp\n", "route.0", "transport",
		     "not udp, tcp or tls");
	expect_error(BASE "[route.0]\nnext_hop = 192.0.2.9:5060\nauth = r\n",
		     "route.0", "auth", "no [realm.N] is named 'r'");
}


/* [tls] and [tls.N] */
static void
test_tls_sections(void)
{
	struct dsbc_config c;
	char err[DSBC_CFG_ERR_LEN];

	CU_ASSERT_EQUAL(load_text(BASE
		"[tls]\nport = 5071\ncert = /c.pem\nkey = /k.pem\nca = /ca.pem\n"
		"verify_client = optional\nmin_version = 1.3\n"
		"[tls.0]\nname = sip.example.org\ncert = /c2.pem\nkey = /k2.pem\n",
		&c, err, sizeof(err)), 0);
	if (err[0] != '\0')
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL(c.sip_tls_port, 5071);
	CU_ASSERT_EQUAL(c.tls.verify_client, DSBC_TLS_VERIFY_OPTIONAL);
	CU_ASSERT_EQUAL(c.tls.min_version, 13);
	CU_ASSERT_EQUAL(c.tls.handshake_s, 10);
	CU_ASSERT_EQUAL(c.tls.nb_certs, 1);
	CU_ASSERT_STRING_EQUAL(c.tls.certs[0].name, "sip.example.org");
	dsbc_config_free(&c);
	unlink(path);
	expect_error(BASE "[tls]\ncert = /c.pem\n", "tls", "key",
		     "cert and key go together");
	expect_error(BASE "[tls]\ncert = /c.pem\nkey = /k\nport = 5060\n",
		     "tls", "port", "the same as sip_port");
	expect_error(BASE "[tls]\ncert = /c\nkey = /k\nverify_client = yes\n",
		     "tls", "verify_client", "not none, optional or require");
	expect_error(BASE "[tls]\ncert = /c\nkey = /k\nverify_client = "
		     "require\n", "tls", "ca", "needs trust anchors");
	expect_error(BASE "[tls]\ncert = /c\nkey = /k\nmin_version = 1.1\n",
		     "tls", "min_version", "not 1.2 or 1.3");
	expect_error(BASE "[tls.0]\nname = x\ncert = /c\n", "tls.0", "cert",
		     "name, cert and key are all needed");
	expect_error(BASE "[tls.0]\nname = x\ncert = /c\nkey = /k\n", "tls",
		     "cert", "chosen by name beside a default one");
	/* [ws] */
	expect_error(BASE "[ws]\ntls_port = 8443\n", "ws", "tls_port",
		     "wss needs [tls] cert and key");
	expect_error(BASE "[ws]\nport = 5060\n", "ws", "port",
		     "5060 is used twice");
	expect_error(BASE "[ws]\nwss = 1\n", "ws", "wss", "unknown key");
	CU_ASSERT_EQUAL(load_text(BASE "[ws]\nport = 8080\n"
				  "origins = https://a.example\n", &c, err,
				  sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.ws.port, 8080);
	CU_ASSERT_STRING_EQUAL(c.ws.origins, "https://a.example");
	dsbc_config_free(&c);
	unlink(path);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_shipped_config);
	UNIT_ADD(s, test_defaults_and_resolution);
	UNIT_ADD(s, test_flow_file);
	UNIT_ADD(s, test_routes);
	UNIT_ADD(s, test_errors);
	UNIT_ADD(s, test_unreadable);
	UNIT_ADD(s, test_strict_ini);
	UNIT_ADD(s, test_users_sections);
	UNIT_ADD(s, test_tls_sections);
	UNIT_ADD(s, test_endpoint);
	UNIT_ADD(s, test_cdr_hep_sections);
	return 0;
}
