# SPDX-License-Identifier: BSD-3-Clause
"""Test hosts in network namespaces, wired to dsbc through veth pairs.

    [ns alice] a0 (10.10.1.10/24) ==veth== da0 <- dsbc port 0 (10.10.1.1)
    [ns bob]   b0 (10.10.2.20/24) ==veth== db0 <- dsbc port 1 (10.10.2.1)

dsbc attaches to the host ends (da0, db0) with net_af_packet; the host ends
carry no address, so the kernel stays out of the way. Checksum offload is
turned off on every veth end: otherwise the peers' UDP checksums are left
partial (CHECKSUM_PARTIAL) and arrive wrong through a raw socket.
Everything is created by setup() and removed by teardown(), including on
failure; names carry a per-run suffix so a crashed run cannot collide.
"""
import os
import subprocess

ALICE_IP, ALICE_GW = "10.10.1.10", "10.10.1.1"
BOB_IP, BOB_GW = "10.10.2.20", "10.10.2.1"
# with ipv6=True, each peer also has a ULA and dsbc's port as its gateway
ALICE_IP6, ALICE_GW6 = "fd00:a::10", "fd00:a::1"
BOB_IP6, BOB_GW6 = "fd00:b::20", "fd00:b::1"


def sh(*args, check=True):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def have_netns():
    if os.geteuid() != 0:
        return "not root"
    r = sh("ip", "netns", "add", "dsbc-probe", check=False)
    if r.returncode != 0:
        return "ip netns add failed: " + r.stderr.strip()
    sh("ip", "netns", "del", "dsbc-probe", check=False)
    return None


class Topology:
    def __init__(self, tag="t", ipv6=False):
        sfx = "%s%d" % (tag, os.getpid() % 10000)
        self.ipv6 = ipv6
        self.ip6 = {"alice": ALICE_IP6, "bob": BOB_IP6}
        self.gw6 = {"alice": ALICE_GW6, "bob": BOB_GW6}
        self.ns = {"alice": "alice-" + sfx, "bob": "bob-" + sfx}
        self.host_if = {"alice": "da" + sfx, "bob": "db" + sfx}
        self.ip = {"alice": ALICE_IP, "bob": BOB_IP}
        self.gw = {"alice": ALICE_GW, "bob": BOB_GW}
        self.mac = {}

    def setup(self):
        try:
            for who in ("alice", "bob"):
                self._host(who)
        except Exception:
            self.teardown()
            raise

    def _host(self, who):
        ns, hif = self.ns[who], self.host_if[who]
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", hif, "type", "veth", "peer", "name", "p0",
           "netns", ns)
        for args in (["ip", "link", "set", hif, "up"],
                     ["ethtool", "-K", hif, "tx", "off", "rx", "off"],
                     ["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" %
                      hif]):
            sh(*args, check=args[0] != "ethtool")
        nsx = ["ip", "netns", "exec", ns]
        sh(*nsx, "ip", "link", "set", "lo", "up")
        sh(*nsx, "ip", "link", "set", "p0", "up")
        sh(*nsx, "ip", "addr", "add", self.ip[who] + "/24", "dev", "p0")
        sh(*nsx, "ip", "route", "add", "default", "via", self.gw[who])
        if self.ipv6:
            # no static neighbour: the peer's kernel asks for dsbc's MAC
            # (RFC 4861) and dsbc asks for the peer's
            sh(*nsx, "sysctl", "-qw", "net.ipv6.conf.p0.disable_ipv6=0")
            sh(*nsx, "ip", "-6", "addr", "add", self.ip6[who] + "/64",
               "dev", "p0", "nodad")
            sh(*nsx, "ip", "-6", "route", "add", "default", "via",
               self.gw6[who])
        sh(*nsx, "ethtool", "-K", "p0", "tx", "off", "rx", "off",
           check=False)
        out = sh(*nsx, "cat", "/sys/class/net/p0/address").stdout.strip()
        self.mac[who] = out

    def add_nat(self, who, lan="192.168.50", ports="40000-40999"):
        """Put a host behind who: a namespace "<who>_lan" at LAN.2/24
        whose default route is who's LAN.1, and who masquerades what it
        forwards out of p0 to its own address and a source port of
        `ports` (nftables), as a home router would.  Returns the name."""
        name = who + "_lan"
        ns = self.ns[who].replace(who, name, 1)
        self.ns[name] = ns
        self.ip[name] = lan + ".2"
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", "lan0", "netns", self.ns[who], "type",
           "veth", "peer", "name", "p0", "netns", ns)
        wx = ["ip", "netns", "exec", self.ns[who]]
        nx = ["ip", "netns", "exec", ns]
        for args in (wx + ["ip", "addr", "add", lan + ".1/24", "dev",
                           "lan0"],
                     wx + ["ip", "link", "set", "lan0", "up"],
                     wx + ["sysctl", "-qw", "net.ipv4.ip_forward=1"],
                     nx + ["ip", "link", "set", "lo", "up"],
                     nx + ["ip", "addr", "add", lan + ".2/24", "dev", "p0"],
                     nx + ["ip", "link", "set", "p0", "up"],
                     nx + ["ip", "route", "add", "default", "via",
                           lan + ".1"]):
            sh(*args)
        for args in (["ethtool", "-K", "lan0", "tx", "off", "rx", "off"],):
            sh(*(wx + args), check=False)
        sh(*(nx + ["ethtool", "-K", "p0", "tx", "off", "rx", "off"]),
           check=False)
        rules = ("table ip nat {\n chain post {\n"
                 "  type nat hook postrouting priority 100;\n"
                 "  oifname \"p0\" ip saddr %s.0/24 meta l4proto "
                 "{ tcp, udp } masquerade to :%s\n"
                 "  oifname \"p0\" ip saddr %s.0/24 masquerade\n"
                 " }\n}\n" % (lan, ports, lan))
        r = subprocess.run(wx + ["nft", "-f", "-"], input=rules, text=True,
                           capture_output=True)
        if r.returncode != 0:
            raise RuntimeError("nft: " + r.stderr.strip())
        return name

    def run(self, who, args, **kw):
        """Popen a command inside a host's namespace."""
        return subprocess.Popen(["ip", "netns", "exec", self.ns[who]] +
                                list(args), **kw)

    def exec(self, who, *args, check=True):
        return sh("ip", "netns", "exec", self.ns[who], *args, check=check)

    def teardown(self):
        for who in ("alice", "bob"):
            sh("ip", "link", "del", self.host_if[who], check=False)
        for ns in self.ns.values():
            sh("ip", "netns", "del", ns, check=False)
