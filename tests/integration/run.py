#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests: the real dsbc binary on net_pcap vdevs.

Each test writes input pcaps (built by dsbc-gen, plus a few frames crafted
here where a test needs exact control), runs dsbc until its telemetry shows
every frame received and the counters settle, stops it with SIGTERM
(asserting exit 0), then checks the output pcaps packet by packet and the
telemetry counters by name.  Ends with "N passed, N failed".
"""

import argparse
import base64
import copy
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dsbclib import (CTL, Dsbc, Fail, Frame, Telemetry,  # noqa: E402
                     build_udp, check, check_promtool, dsbc_ctl,
                     eal_mem_args, eq, fragment4,
                     parse_exposition, pcap_read, pcap_write, promtool,
                     reassemble4, sample)

BUILD = "build"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
ALICE_MAC, BOB_MAC = "02:00:00:00:0a:10", "02:00:00:00:0b:20"
P0_MAC, P1_MAC = "02:00:00:00:0a:01", "02:00:00:00:0b:01"
ALICE, BOB = "192.0.2.10", "198.51.100.20"
P0_IP, P1_IP = "192.0.2.1", "198.51.100.1"


def gen(args, out):
    """dsbc-gen in pcap mode; returns the frames it wrote."""
    cmd = [os.path.join(BUILD, "app/dsbc-gen/dsbc-gen"), "--pcap-out", out]
    cmd += args
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise Fail("dsbc-gen %s: %s" % (" ".join(args), r.stderr.strip()))
    return pcap_read(out)


def gen_list_malformed(flow):
    cmd = [os.path.join(BUILD, "app/dsbc-gen/dsbc-gen"), "--kind",
           "malformed", "--list", "--flow", flow,
           "--src-mac", ALICE_MAC, "--dst-mac", P0_MAC]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rows = []
    for line in r.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0].isdigit():
            rows.append((int(parts[0]), parts[1], parts[2] if len(parts) > 2
                         else ""))
    return rows


class Setup:
    """A test directory, its config, its input pcaps and its outputs."""

    def __init__(self, name, workers=1, rxq=1):
        self.name, self.workers, self.rxq = name, workers, rxq
        self.dir = os.path.join("out", "it", name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.inputs = {}   # (port, queue) -> frames
        self.ports = [dict(ipv4=P0_IP + "/24", mac=P0_MAC),
                      dict(ipv4=P1_IP + "/24", mac=P1_MAC)]
        self.neigh = [(0, ALICE, ALICE_MAC), (1, BOB, BOB_MAC)]
        self.flows = []
        self.dsbc_keys = {}

    def add_input(self, port, frames, queue=0):
        self.inputs.setdefault((port, queue), []).extend(frames)

    def path(self, f):
        return os.path.join(self.dir, f)

    def write(self):
        # a test's own keys replace these (a key given twice is refused)
        keys = {"idle_sleep_us": 200, "flow_capacity": 4096,
                "mbufs": 8191, "drivers_cfg_dir": "drivers-cfg"}
        keys.update(self.dsbc_keys)
        lines = ["[dsbc]"] + ["%s = %s" % kv for kv in keys.items()]
        for i, p in enumerate(self.ports):
            dev = "net_pcap%d" % i
            for q in range(self.rxq):
                f = self.path("in-p%d-q%d.pcap" % (i, q))
                pcap_write(f, self.inputs.get((i, q), []))
                dev += ",rx_pcap=" + f
            for q in range(self.workers + 1):
                dev += ",tx_pcap=" + self.path("out-p%d-q%d.pcap" % (i, q))
            lines += ["", "[port.%d]" % i, "dev = " + dev]
            lines += ["%s = %s" % kv for kv in p.items()]
            if self.rxq > 1:
                lines.append("rx_queues = %d" % self.rxq)
        for i, (port, ip, mac) in enumerate(self.neigh):
            lines += ["", "[neigh.%d]" % i, "port = %d" % port, "ip = " + ip,
                      "mac = " + mac]
        for i, f in enumerate(self.flows):
            lines += ["", "[flow.%d]" % i]
            lines += ["%s = %s" % kv for kv in f.items()]
        conf = self.path("dsbc.conf")
        with open(conf, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        return conf

    def run(self, lcores=None, settle_rx=None, settle_sip=None):
        """Run dsbc over the inputs; returns (stats, telemetry snapshot).
        settle_sip: wait until the management lcore has taken that many
        SIP datagrams (received or rate-limited)."""
        conf = self.write()
        lcores = lcores or "0-%d" % self.workers
        d = Dsbc(BUILD, conf, "dsbc-it-" + self.name, lcores=lcores)
        snap = {}
        try:
            d.wait_ready()
            total = sum(len(v) for v in self.inputs.values())
            st = d.wait_rx(total if settle_rx is None else settle_rx)
            deadline = time.time() + 10
            while settle_sip and time.time() < deadline:
                sip = d.tel.query("/dsbc/sip")
                if sip["rx"] + sip["rate_limited"] >= settle_sip:
                    break
                time.sleep(0.1)
            for cmd in ("/dsbc/info", "/dsbc/lcores", "/dsbc/ports",
                        "/dsbc/flows", "/dsbc/sip"):
                snap[cmd] = d.tel.query(cmd)
            for i in range(64):
                wid, slot = divmod(i, 16)
                fid = (wid << 24) | slot
                if wid < self.workers:
                    r = d.tel.query("/dsbc/flows,%d" % fid)
                    if r:
                        snap[fid] = r
        finally:
            rc = d.stop()
        eq(rc, 0, "dsbc exit status after SIGTERM")
        self.log = d.output()
        return st, snap

    def output(self, port, queue=None):
        """Frames dsbc sent on port (all TX queues, or one)."""
        qs = range(self.workers + 1) if queue is None else [queue]
        frames = []
        for q in qs:
            frames += pcap_read(self.path("out-p%d-q%d.pcap" % (port, q)))
        return frames


def flow_args(src, sport, dst, dport):
    fmt = lambda a, p: ("[%s]:%d" % (a, p)) if ":" in a else "%s:%d" % (a, p)
    return fmt(src, sport) + "-" + fmt(dst, dport)


def stream(s, kind, src, sport, dst, dport, count, src_mac=ALICE_MAC,
           dst_mac=P0_MAC, extra=()):
    name = "gen-%s-%s-%d-%d.pcap" % (kind, src, sport, dport)
    return gen(["--kind", kind, "--count", str(count), "--flow",
                flow_args(src, sport, dst, dport), "--src-mac", src_mac,
                "--dst-mac", dst_mac] + list(extra), s.path(name))


def assert_relayed(out, inp, src_mac, dst_mac, src, sport, dst, dport,
                   what, tos=46 << 2, vlan=0):
    """Every output frame: headers rewritten, checksums valid, payload the
    same bytes as the input frame at the same position."""
    eq(len(out), len(inp), what + ": frames out")
    for i, (o, n) in enumerate(zip(out, inp)):
        fo, fi = Frame(o), Frame(n)
        w = "%s frame %d" % (what, i)
        check(fo.udp, w + ": not UDP")
        eq((fo.src_mac, fo.dst_mac), (src_mac, dst_mac), w + " MACs")
        eq((fo.src, fo.sport, fo.dst, fo.dport), (src, sport, dst, dport),
           w + " addresses")
        eq(fo.vlan, vlan, w + " VLAN")
        check(fo.ip_csum_ok, w + ": IPv4 header checksum invalid")
        check(fo.ip_len_ok and fo.udp_len_ok, w + ": length fields wrong")
        check(fo.udp_csum_ok and not fo.udp_csum_zero,
              w + ": UDP checksum invalid")
        eq(fo.tos, tos, w + " TOS/traffic class")
        eq(fo.ttl, 64, w + " TTL")
        eq(fo.payload, fi.payload, w + " payload bytes")


# ---- tests ----------------------------------------------------------------

def test_relay_rewrite():
    """Static flows both ways: every RFC 7983 class relayed, headers
    rewritten, payload untouched, counters exact."""
    s = Setup("relay")
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    out_local=P1_IP + ":20002"),
               dict(local=P1_IP + ":20002", remote=ALICE + ":40000",
                    out_local=P0_IP + ":20000")]
    a = []
    for kind, n in (("rtp", 50), ("dtls", 5), ("stun", 5), ("mix", 8),
                    ("srtp", 7)):
        a += stream(s, kind, ALICE, 40000, P0_IP, 20000, n)
    b = stream(s, "rtp", BOB, 30000, P1_IP, 20002, 30, BOB_MAC, P1_MAC)
    s.add_input(0, a)
    s.add_input(1, b)
    st, snap = s.run()
    assert_relayed(s.output(1), a, P1_MAC, BOB_MAC, P1_IP, 20002, BOB,
                   30000, "alice->bob")
    assert_relayed(s.output(0), b, P0_MAC, ALICE_MAC, P0_IP, 20000, ALICE,
                   40000, "bob->alice")
    eq(st["rx"], len(a) + len(b), "rx")
    eq(st["tx"], len(a) + len(b), "tx")
    eq(st["drops"], 0, "drops")
    eq(st["rx_dtls"], 5 + 2, "rx_dtls (dtls + mix)")
    eq(st["rx_stun"], 5 + 2, "rx_stun (stun + mix)")
    eq(st["rx_rtcp"], 2, "rx_rtcp (mix)")
    eq(st["rx_rtp"], 50 + 2 + 7 + 30, "rx_rtp")
    eq(snap[0]["pkts"], len(a), "flow 0 pkts")
    eq(snap[1]["pkts"], len(b), "flow 1 pkts")
    eq(snap[0]["latched_src"], ALICE, "flow 0 latched source")
    eq(snap["/dsbc/flows"]["count"], 2, "/dsbc/flows count")
    eq(snap["/dsbc/ports"]["port0"]["ipackets"], len(a), "port0 ipackets")
    eq(snap["/dsbc/ports"]["port1"]["opackets"], len(a), "port1 opackets")


def test_malformed():
    """One frame per malformation: each lands on its own named counter;
    valid media after them is still relayed."""
    s = Setup("malformed")
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    latch="off")]
    flow = flow_args(ALICE, 40000, P0_IP, 20000)
    rows = gen_list_malformed(flow)
    check(len(rows) >= 20, "dsbc-gen lists %d malformations" % len(rows))
    bad = gen(["--kind", "malformed", "--flow", flow, "--src-mac", ALICE_MAC,
               "--dst-mac", P0_MAC], s.path("malformed.pcap"))
    eq(len(bad), len(rows), "malformed frames written vs listed")
    good = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 10)
    s.add_input(0, bad + good)
    st, _ = s.run()
    want = {}
    for _, counter, _ in rows:
        want[counter] = want.get(counter, 0) + 1
    for counter, n in sorted(want.items()):
        eq(st.get(counter), n, counter)
    eq(st["drops"], len(bad), "total drops")
    eq(st["tx"], len(good), "valid frames relayed after the malformed ones")
    eq(len(s.output(1)), len(good), "frames out")


def test_latching():
    """RFC 7362: latch on first source, strict afterwards; signalled peer;
    latch off accepts anyone."""
    s = Setup("latch")
    mallory = "192.0.2.66"
    s.neigh.append((0, mallory, "02:00:00:00:0a:66"))
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    latch="first"),
               dict(local=P0_IP + ":20010", remote=BOB + ":30010",
                    latch="signalled", peer=ALICE + ":40010"),
               dict(local=P0_IP + ":20020", remote=BOB + ":30020",
                    latch="off")]
    frames = []
    good = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 10)
    evil = stream(s, "rtp", mallory, 40000, P0_IP, 20000, 6,
                  src_mac="02:00:00:00:0a:66")
    frames += good[:1] + [x for pair in zip(evil, good[1:7]) for x in pair]
    frames += good[7:]
    # signalled: mallory first, then alice from the signalled port
    frames += stream(s, "rtp", mallory, 40010, P0_IP, 20010, 3,
                     src_mac="02:00:00:00:0a:66")
    frames += stream(s, "rtp", ALICE, 40010, P0_IP, 20010, 4)
    frames += stream(s, "rtp", ALICE, 40099, P0_IP, 20010, 2)  # wrong port
    frames += stream(s, "rtp", mallory, 1, P0_IP, 20020, 2,
                     src_mac="02:00:00:00:0a:66")
    frames += stream(s, "rtp", ALICE, 2, P0_IP, 20020, 2)
    s.add_input(0, frames)
    st, snap = s.run()
    eq(st["drop_not_latched"], 6 + 3 + 2, "drop_not_latched")
    eq(snap[0]["pkts"], 10, "flow first: relayed")
    eq(snap[0]["drop_not_latched"], 6, "flow first: dropped")
    eq(snap[0]["latched_src"], ALICE, "flow first: latched on alice")
    eq(snap[1]["pkts"], 4, "flow signalled: relayed")
    eq((snap[1]["latched_src"], snap[1]["latched_port"]), (ALICE, 40010),
       "flow signalled: source")
    eq(snap[2]["pkts"], 4, "flow off: relayed")
    eq(snap[2]["latched"], 0, "flow off: never latches")
    eq(st["latched"], 2, "latch events")


def test_ipv6_vlan_interworking():
    """IPv4 on VLAN 100 <-> IPv6 untagged: headers rebuilt, UDP checksum
    carried over incrementally (and computed for zero-checksum IPv4)."""
    s = Setup("v6vlan")
    bob6, p1_6 = "2001:db8:1::20", "2001:db8:1::1"
    s.ports[0]["vlan"] = 100
    s.ports[1] = dict(ipv6=p1_6 + "/64", mac=P1_MAC)
    s.neigh = [(0, ALICE, ALICE_MAC), (1, bob6, BOB_MAC)]
    s.flows = [dict(local=P0_IP + ":20000", remote="[%s]:30000" % bob6),
               dict(local="[%s]:20002" % p1_6, remote=ALICE + ":40000",
                    out_local=P0_IP + ":20002")]
    a = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 12,
               extra=["--vlan", "100"])
    # one frame without a UDP checksum: IPv6 needs one computed
    a.append(build_udp(ALICE_MAC, P0_MAC, ALICE, 40000, P0_IP, 20000,
                       b"\x80\x00\x00\x99" + bytes(range(100)), vlan=100,
                       udp_csum=False))
    b = stream(s, "rtp", bob6, 30000, p1_6, 20002, 9, BOB_MAC, P1_MAC)
    s.add_input(0, a)
    s.add_input(1, b)
    st, _ = s.run()
    assert_relayed(s.output(1), a, P1_MAC, BOB_MAC, p1_6, 20000, bob6, 30000,
                   "v4/vlan->v6")
    assert_relayed(s.output(0), b, P0_MAC, ALICE_MAC, P0_IP, 20002, ALICE,
                   40000, "v6->v4/vlan", vlan=100)
    eq(st["drops"], 0, "drops")


def test_two_workers_handoff():
    """Two workers on one CPU (--lcores), two RX queues: packets reaching
    the wrong worker are handed to the slice owner, which alone relays them
    from its own TX queue and keeps the flow's state."""
    s = Setup("handoff", workers=2, rxq=2)
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000"),
               dict(local=P0_IP + ":30000", remote=BOB + ":30002")]
    fa_q0 = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 7)
    fb_q0 = stream(s, "rtp", ALICE, 40002, P0_IP, 30000, 11)
    fa_q1 = gen(["--kind", "rtp", "--count", "5", "--ssrc", "777",
                 "--flow", flow_args(ALICE, 40000, P0_IP, 20000),
                 "--src-mac", ALICE_MAC, "--dst-mac", P0_MAC],
                s.path("fa_q1.pcap"))
    s.add_input(0, fa_q0 + fb_q0, queue=0)
    s.add_input(0, fa_q1, queue=1)
    st, snap = s.run(lcores="0@0,1@1,2@1")
    info = snap["/dsbc/info"]
    eq(info["workers"], 2, "workers")
    eq(info["slice_size"], 10000, "slice size")
    eq(st["handoff_out"], len(fb_q0) + len(fa_q1), "handoff_out")
    eq(st["handoff_in"], len(fb_q0) + len(fa_q1), "handoff_in")
    lc = snap["/dsbc/lcores"]
    eq((lc["worker0"]["flows"], lc["worker1"]["flows"]), (1, 1),
       "flows per worker")
    eq(lc["worker0"]["handoff_out"], len(fb_q0), "worker0 handed off")
    eq(lc["worker1"]["handoff_out"], len(fa_q1), "worker1 handed off")
    # flow A lives on worker 0 (id 0), flow B on worker 1 (id 1<<24)
    eq(snap[0]["pkts"], len(fa_q0) + len(fa_q1), "flow A pkts on owner")
    eq(snap[1 << 24]["pkts"], len(fb_q0), "flow B pkts on owner")
    # each owner transmits on its own TX queue
    out_q0, out_q1 = s.output(1, 0), s.output(1, 1)
    eq(len(out_q0), len(fa_q0) + len(fa_q1), "worker0 TX queue frames")
    eq(len(out_q1), len(fb_q0), "worker1 TX queue frames")
    check(all(Frame(f).dport == 30000 for f in out_q0), "worker0 sent flow B")
    check(all(Frame(f).dport == 30002 for f in out_q1), "worker1 sent flow A")


def arp_frame(op, sha, sip, tha, tip, dst):
    import ipaddress
    import struct
    from dsbclib import mac_bytes
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac_bytes(sha) + \
        ipaddress.ip_address(sip).packed + mac_bytes(tha) + \
        ipaddress.ip_address(tip).packed
    return mac_bytes(dst) + mac_bytes(sha) + b"\x08\x06" + body + bytes(18)


def icmp_echo(src_mac, dst_mac, src, dst):
    import ipaddress
    import struct
    from dsbclib import csum, mac_bytes
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"ping" * 8
    icmp = icmp[:2] + struct.pack("!H", 0xFFFF - csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                     ipaddress.ip_address(src).packed,
                     ipaddress.ip_address(dst).packed)
    ip = ip[:10] + struct.pack("!H", 0xFFFF - csum(ip)) + ip[12:]
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x00" + ip + icmp


def test_arp_icmp_neighbours():
    """The management lcore answers ARP and ping for its addresses, asks
    for unresolved next hops, learns them; flows wait (drop_no_neigh)."""
    from dsbclib import csum
    s = Setup("arp")
    carol, carol_mac = "198.51.100.30", "02:00:00:00:0b:30"
    s.flows = [dict(local=P0_IP + ":20000", remote=carol + ":5000",
                    latch="off")]
    s.add_input(0, [arp_frame(1, ALICE_MAC, ALICE, "00:00:00:00:00:00",
                              P0_IP, "ff:ff:ff:ff:ff:ff"),
                    arp_frame(1, ALICE_MAC, ALICE, "00:00:00:00:00:00",
                              "192.0.2.99", "ff:ff:ff:ff:ff:ff"),
                    icmp_echo(ALICE_MAC, P0_MAC, ALICE, P0_IP)])
    s.add_input(0, stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 4))
    # carol announces herself later (unsolicited reply to our request)
    s.add_input(1, [arp_frame(2, carol_mac, carol, P1_MAC, P1_IP, P1_MAC)])
    st, _ = s.run()
    mgmt_q = s.workers
    replies = [Frame(f) for f in s.output(0, mgmt_q)]
    arp = [f for f in replies if f.etype == 0x0806]
    icmp = [f for f in replies if f.etype == 0x0800]
    eq(len(arp), 1, "ARP replies (only for our own address)")
    r = arp[0].raw
    eq((r[20:22], r[22:28], r[28:32]), (b"\x00\x02", bytes.fromhex(
        P0_MAC.replace(":", "")), bytes([192, 0, 2, 1])), "ARP reply body")
    eq(arp[0].dst_mac, ALICE_MAC, "ARP reply to alice")
    eq(len(icmp), 1, "ICMP echo replies")
    eq((icmp[0].src, icmp[0].dst, icmp[0].raw[34]), (P0_IP, ALICE, 0),
       "echo reply addresses and type")
    check(icmp[0].ip_csum_ok and csum(icmp[0].raw[34:]) == 0xFFFF,
          "echo reply checksums")
    reqs = [Frame(f) for f in s.output(1, mgmt_q)]
    check(any(f.etype == 0x0806 and f.raw[38:42] == bytes([198, 51, 100, 30])
              for f in reqs), "ARP request for carol on port 1")
    eq(st["drop_no_neigh"], 4, "drop_no_neigh while unresolved")
    eq(st["mgmt_arp_replies"], 1, "mgmt_arp_replies")
    eq(st["mgmt_arp_ignored"], 2, "ARP not for us ignored (+ carol's reply)")
    eq(st["mgmt_arp_learned"], 1, "carol learned")
    eq(st["mgmt_icmp_echo_replies"], 1, "mgmt_icmp_echo_replies")


def test_idle_flows():
    """A flow that sees no packet for flow_idle_ms is reported once
    (FLOW_IDLE); a flow that keeps receiving is not."""
    s = Setup("idle")
    s.dsbc_keys["flow_idle_ms"] = 300
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    latch="off"),
               dict(local=P0_IP + ":20004", remote=BOB + ":30004",
                    latch="off")]
    s.add_input(0, stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 3))
    conf = s.write()
    d = Dsbc(BUILD, conf, "dsbc-it-idle")
    try:
        d.wait_ready()
        d.wait_rx(3)
        time.sleep(1.2)
        st = d.stats()
        f0 = d.tel.query("/dsbc/flows,0")
        f1 = d.tel.query("/dsbc/flows,1")
        time.sleep(0.6)
        st2 = d.stats()
    finally:
        rc = d.stop()
    eq(rc, 0, "exit status")
    # Both are silent now (flow 0 after its 3 packets): one report each,
    # and no second report however long the silence lasts.
    eq(st["flow_idle_reports"], 2, "idle reports after 1.2 s")
    eq(st2["flow_idle_reports"], 2, "idle reports 0.6 s later")
    eq((f0["pkts"], f0["idle_reported"]), (3, 1), "flow 0 relayed, idle")
    eq((f1["pkts"], f1["idle_reported"]), (0, 1), "flow 1 never used, idle")
    check(f1["idle_ms"] >= 1000, "flow 1 idle_ms %d" % f1["idle_ms"])


def test_flow_install_burst():
    """30,000 static flows at start-up on media prefix 10.0.0.0/8: 20,000
    on its first 65,536 addresses (direct index), 10,000 on 10.1.0.0
    beyond them (hash).  Every FLOW_ADD is acknowledged (no event lost
    however fast the worker applies them), each structure holds its
    share, and packets to the ends of both are relayed."""
    s = Setup("install")
    s.ports[0]["media_ipv4"] = "10.0.0.0/8"
    s.dsbc_keys["flow_capacity"] = 32768
    # the smallest event ring: acknowledgements outrun the management
    # lcore at once unless the worker holds back
    s.dsbc_keys["event_ring_size"] = 64
    s.dsbc_keys["idle_sleep_us"] = 0
    path = os.path.abspath(s.path("flows.txt"))
    with open(path, "w") as fh:
        for i in range(30000):
            addr = ("10.0.0.0", "10.0.0.1", "10.1.0.0")[i // 10000]
            fh.write("local=%s:%d remote=%s:30000 out_local=%s:20002"
                     " latch=off\n" % (addr, 20000 + i % 10000, BOB, P1_IP))
    s.dsbc_keys["flow_file"] = path
    ends = [("10.0.0.0", 20000), ("10.0.0.1", 29999), ("10.1.0.0", 20000),
            ("10.1.0.0", 29999)]
    for a, port in ends:
        s.add_input(0, stream(s, "rtp", ALICE, 40000, a, port, 4))
    st, snap = s.run()
    m = re.search(r"(\d+) static flows installed \((\d+) acked\)",
                  s.log)
    check(m is not None, "ready line in dsbc's output")
    print("  %s static flows installed, %s acked" % m.groups())
    eq(m.groups(), ("30000", "30000"), "flows installed, acknowledged")
    eq(snap["/dsbc/flows"]["count"], 30000, "/dsbc/flows count")
    eq(snap["/dsbc/lcores"]["worker0"]["flows_hashed"], 10000,
       "flows in the hash (the rest in the direct index)")
    eq(st["events_lost"], 0, "events_lost")
    eq(st["tx"], 4 * len(ends), "packets relayed to indexed and hashed flows")
    eq(st["drops"], 0, "drops")


def test_terminate_srtp_static():
    """The worker's terminator transform against libsrtp2 in dsbc-gen (an
    SRTP implementation that is not dsbc's): a static terminated flow
    unprotects alice's SRTP/SRTCP with key A and protects it with key B.
    Across a ROC rollover (sequence 65500 + 80) and with SRTCP, every
    packet bob gets unprotects with B to exactly the clear packet alice
    protected; replays, tampered packets and DTLS on this SDES flow are
    dropped, each on its own counter."""
    terminate_srtp_static("libsrtp2")


def test_terminate_srtp_static_cryptodev():
    """The same with srtp_engine = cryptodev: RTP of the first SSRC and
    all SRTCP go through the crypto_aesni_mb device, and what dsbc-gen's
    libsrtp2 protected and checks is what the device unprotected and
    protected."""
    terminate_srtp_static("cryptodev")


def test_terminate_srtp_static_cryptodev_gcm():
    """The same with AEAD_AES_128_GCM (RFC 7714) on the device: the RTP
    header as AAD, the ROC in the IV, a 16-byte tag, checked by libsrtp2."""
    terminate_srtp_static("cryptodev", "AEAD_AES_128_GCM", 28)


def terminate_srtp_static(engine, suite="AES_CM_128_HMAC_SHA1_80", klen=30):
    s = Setup("termsrtp-%s-%d" % (engine, klen))
    s.dsbc_keys["srtp_engine"] = engine
    ka = suite + ":" + base64.b64encode(os.urandom(klen)).decode()
    kb = suite + ":" + base64.b64encode(os.urandom(klen)).decode()
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    out_local=P1_IP + ":20002", mode="terminate",
                    srtp_rx=ka, srtp_tx=kb, latch="off")]
    rtp = ["--ssrc", "0x1111", "--seq-start", "65500"]
    s1 = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 80,
                extra=["--srtp", ka] + rtp)
    s1_plain = stream(s, "rtp", ALICE, 40001, P0_IP, 20000, 80, extra=rtp)
    # RTP, DTLS, STUN, RTCP in turn, 5 each, another SSRC
    s2 = stream(s, "mix", ALICE, 40000, P0_IP, 20000, 20,
                extra=["--srtp", ka, "--ssrc", "0x2222"])
    s2_plain = stream(s, "mix", ALICE, 40001, P0_IP, 20000, 20,
                      extra=["--ssrc", "0x2222"])
    # a third SSRC, its payload flipped after protection: not authentic
    s3 = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 3,
                extra=["--srtp", ka, "--ssrc", "0x3333"])
    s3 = [f[:60] + bytes([f[60] ^ 1]) + f[61:] for f in s3]
    # three more SSRCs, 2 packets each: the flow protects four SSRCs at
    # most (libsrtp2 allocates a stream per SSRC), the sixth is refused
    more, more_plain = [], []
    for n, ssrc in enumerate(("0x4444", "0x5555", "0x6666")):
        more += stream(s, "rtp", ALICE, 40002 + n, P0_IP, 20000, 2,
                       extra=["--srtp", ka, "--ssrc", ssrc])
        if ssrc != "0x6666":
            more_plain += stream(s, "rtp", ALICE, 40010 + n, P0_IP, 20000,
                                 2, extra=["--ssrc", ssrc])
    s.add_input(0, s1 + s2 + s1[:5] + s3 + more)
    st, _ = s.run()
    got = s.path("out-p1-all.pcap")
    pcap_write(got, s.output(1))
    plain = s.path("plain.pcap")
    pcap_write(plain, s1_plain + s2_plain + more_plain)
    r = subprocess.run([os.path.join(BUILD, "app/dsbc-gen/dsbc-gen"),
                        "--check-srtp", kb, "--pcap-out", got,
                        "--plain-pcap", plain], capture_output=True,
                       text=True)
    print("  " + r.stdout.strip())
    eq(r.returncode, 0, "bob's packets unprotect with B to alice's clear "
       "packets (%s)" % r.stderr.strip())
    check("frames=94 unprotected=94" in r.stdout, "80 RTP across the "
          "rollover + 5 RTP + 5 RTCP of the second SSRC + 2 x 2")
    eq(st["drop_srtp_replay"], 5, "replayed packets")
    eq(st["drop_srtp_auth"], 3, "tampered packets")
    eq(st["drop_dtls_unexpected"], 5, "DTLS on a flow keyed by SDES")
    eq(st["drop_srtp_ssrc_limit"], 2, "the sixth SSRC")
    # the device's sessions serve the first SSRC each way: its 80 RTP in
    # and out (the 5 replays are refused by its replay list before any
    # crypto, counted in drop_srtp_replay above); other SSRCs stay with
    # libsrtp2; SRTCP sessions of their own take all 5 SRTCP in and out
    print("  %s: transforms on the cryptodev %d" % (
        engine, st["srtp_cryptodev_ops"]))
    eq(st["srtp_cryptodev_ops"], 170 if engine == "cryptodev" else 0,
       "SRTP and SRTCP transforms done on the cryptodev")
    eq(st["srtp_cryptodev_wedged"], 0, "workers that gave the device up")
    eq(st["tx"], 99, "relayed: 94 media + 5 STUN")


def srtp_check(s, frames, key, plain_frames, name):
    """dsbc-gen (libsrtp2) unprotects frames with key: the clear packets
    must be plain_frames, in order.  Returns its summary line."""
    got, plain = s.path(name + "-got.pcap"), s.path(name + "-plain.pcap")
    pcap_write(got, frames)
    pcap_write(plain, plain_frames)
    r = subprocess.run([os.path.join(BUILD, "app/dsbc-gen/dsbc-gen"),
                        "--check-srtp", key, "--pcap-out", got,
                        "--plain-pcap", plain], capture_output=True,
                       text=True)
    eq(r.returncode, 0, "%s: unprotected to the clear packets (%s)" % (
        name, r.stderr.strip()))
    return r.stdout.strip()


def test_terminate_cryptodev_mixed_batch():
    """One RX burst, two terminated flows, cryptodev engine: X is plain in
    and SRTP out (a protect job only), Y is SRTP in and plain out (an
    unprotect job only), their packets interleaved so each batch holds
    both kinds.  Every packet leaves once, on its own flow, right: X's
    unprotect to the clear packets alice sent, Y's are them."""
    s = Setup("termmix")
    s.dsbc_keys["srtp_engine"] = "cryptodev"
    ka = "AES_CM_128_HMAC_SHA1_80:" + base64.b64encode(os.urandom(30)).decode()
    kb = "AES_CM_128_HMAC_SHA1_80:" + base64.b64encode(os.urandom(30)).decode()
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    out_local=P1_IP + ":20002", mode="terminate",
                    srtp_tx=kb, latch="off"),
               dict(local=P0_IP + ":20010", remote=BOB + ":30010",
                    out_local=P1_IP + ":20012", mode="terminate",
                    srtp_rx=ka, latch="off")]
    x = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 48,
               extra=["--ssrc", "0x1111"])
    y = stream(s, "rtp", ALICE, 40010, P0_IP, 20010, 48,
               extra=["--ssrc", "0x2222", "--srtp", ka])
    y_plain = stream(s, "rtp", ALICE, 40011, P0_IP, 20010, 48,
                     extra=["--ssrc", "0x2222"])
    s.add_input(0, [f for pair in zip(x, y) for f in pair])
    st, _ = s.run()
    out = [Frame(f) for f in s.output(1)]
    ox = [f.raw for f in out if f.dport == 30000]
    oy = [f for f in out if f.dport == 30010]
    eq((len(ox), len(oy)), (48, 48), "packets out per flow")
    print("  X: " + srtp_check(s, ox, kb, x, "x"))
    eq([f.payload for f in oy], [Frame(f).payload for f in y_plain],
       "Y leaves as the clear packets")
    eq(st["tx"], 96, "each packet sent once")
    eq(st["srtp_cryptodev_ops"], 96, "all on the device")


def test_terminate_cryptodev_no_stream_moves():
    """RFC 3711 3.3.2 across engines: while a forged packet of another SSRC
    holds the device session (tentatively) in the first RX burst, alice's
    stream goes through libsrtp2, and stays there: her later packets do
    not take the device session (whose replay list would be empty), so
    replays of her first packets are refused."""
    s = Setup("termmove")
    s.dsbc_keys["srtp_engine"] = "cryptodev"
    ka = "AES_CM_128_HMAC_SHA1_80:" + base64.b64encode(os.urandom(30)).decode()
    kb = "AES_CM_128_HMAC_SHA1_80:" + base64.b64encode(os.urandom(30)).decode()
    other = "AES_CM_128_HMAC_SHA1_80:" + \
        base64.b64encode(os.urandom(30)).decode()
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    out_local=P1_IP + ":20002", mode="terminate",
                    srtp_rx=ka, srtp_tx=kb, latch="off")]
    forged = stream(s, "rtp", ALICE, 40001, P0_IP, 20000, 1,
                    extra=["--ssrc", "0x9999", "--srtp", other])
    a = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 20,
               extra=["--ssrc", "0x1111", "--srtp", ka])
    # to no flow: fill the first burst (32) so alice's 11th packet on
    # comes in a later one
    filler = stream(s, "rtp", ALICE, 40002, P0_IP, 9, 21)
    s.add_input(0, forged + a[:10] + filler + a[10:] + a[:10])
    st, _ = s.run()
    eq(st["drop_srtp_auth"], 1, "the forged packet")
    eq(st["drop_srtp_replay"], 10, "alice's first ten, replayed")
    eq(len(s.output(1)), 20, "alice's twenty, once each")
    eq(st["srtp_cryptodev_ops"], 20, "protect on the device (unprotect "
       "stayed with libsrtp2)")


def test_terminate_cryptodev_malformed_srtp():
    """Bad SRTP and SRTCP on a flow the cryptodev terminates, per suite,
    between two runs of alice's good packets: each lands on its named
    counter (malformed ones on drop_srtp_malformed whichever suite and
    engine path), and the good packets after them still go through the
    device (its state untouched by what it refused)."""
    for suite, klen, tag in (("AES_CM_128_HMAC_SHA1_80", 30, 10),
                             ("AEAD_AES_128_GCM", 28, 16)):
        s = Setup("termbad-%d" % klen)
        s.dsbc_keys["srtp_engine"] = "cryptodev"
        ka = suite + ":" + base64.b64encode(os.urandom(klen)).decode()
        kb = suite + ":" + base64.b64encode(os.urandom(klen)).decode()
        s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                        out_local=P1_IP + ":20002", mode="terminate",
                        srtp_rx=ka, srtp_tx=kb, latch="off")]
        good = stream(s, "rtp", ALICE, 40000, P0_IP, 20000, 10,
                      extra=["--ssrc", "0x1111", "--srtp", ka])
        # RTP, DTLS, STUN, RTCP in turn: its SRTCP
        mix = stream(s, "mix", ALICE, 40000, P0_IP, 20000, 8,
                     extra=["--ssrc", "0x1111", "--srtp", ka])
        rtcp = [f for f in mix if f[43] in (200, 201)]
        check(len(rtcp) == 2, "two SRTCP packets from dsbc-gen")

        def udp(payload):
            return build_udp(ALICE_MAC, P0_MAC, ALICE, 40000, P0_IP, 20000,
                             payload)

        first = good[0][42:]
        e_clear = bytearray(rtcp[1][42:])
        e_at = len(e_clear) - 4 - (0 if tag == 16 else tag)
        e_clear[e_at] &= 0x7f
        bad = [
            # shorter than an RTP header
            (udp(first[:11]), "drop_srtp_malformed"),
            # 15 CSRCs in a 40-byte packet
            (udp(bytes([0x8f]) + first[1:40]), "drop_srtp_malformed"),
            # a header extension of 0xffff words
            (udp(bytes([0x90]) + first[1:12] + b"\xbe\xde\xff\xff" +
                 first[12:]), "drop_srtp_malformed"),
            # the bound SSRC, a fresh index, a tag and nothing to decrypt
            (udp(first[:2] + b"\x01\x00" + first[4:12] + bytes(tag)),
             "drop_srtp_auth"),
            # SRTCP shorter than its header, E || index and tag
            (udp(rtcp[0][42:42 + 8 + 4 + tag - 1]), "drop_srtp_malformed"),
            # SRTP of the bound SSRC shorter than its header and tag
            (udp(first[:12 + tag - 1]), "drop_srtp_malformed"),
            # SRTCP with the E flag clear (never negotiated)
            (udp(bytes(e_clear)), "drop_srtp_malformed"),
            # the first SRTCP again, after it went through
            (rtcp[0], "drop_srtp_replay"),
            # six CSRCs (a 36-byte header): more AAD than the device's
            # GCM sessions take; AES-CM takes it, and it is not authentic
            (udp(bytes([0x86]) + first[1:12] + bytes(24) + first[12:]),
             "drop_srtp_header" if tag == 16 else "drop_srtp_auth"),
        ]
        s.add_input(0, good[:5] + rtcp[:1] + [f for f, _ in bad] + good[5:])
        st, _ = s.run()
        want = {}
        for _, counter in bad:
            want[counter] = want.get(counter, 0) + 1
        print("  %s: %s; tx %d, device ops %d" % (
            suite, " ".join("%s=%d" % (c, st.get(c, 0)) for c in
                            sorted(want)), st["tx"],
            st["srtp_cryptodev_ops"]))
        for counter, n in sorted(want.items()):
            eq(st.get(counter), n, "%s %s" % (suite, counter))
        eq(st["drops"], len(bad), "%s drops" % suite)
        eq(st["tx"], 11, "%s: the 10 good RTP and the SRTCP" % suite)
        eq(st["srtp_cryptodev_wedged"], 0, "the device kept")


def sip_options(branch, extra_vias=0, rport=True, cseq=1):
    vias = "".join("Via: SIP/2.0/UDP proxy%d.example.com;branch=z9hG4bKp%d\r\n"
                   % (i, i) for i in range(extra_vias))
    return ("OPTIONS sip:dsbc@%s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:5060;branch=%s%s\r\n%s"
            "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\n"
            "To: <sip:dsbc@%s>\r\nCall-ID: %s@alice\r\n"
            "CSeq: %d OPTIONS\r\nContent-Length: 0\r\n\r\n" % (
                P0_IP, ALICE, branch, ";rport" if rport else "", vias, P0_IP,
                branch, cseq)).encode()


def conformance(name):
    for d in ("../shared/conformance", "/work/shared/conformance"):
        p = os.path.join(d, "rfc4475", name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                return f.read()
    raise Fail("conformance file %s not found" % name)


def cdev_refusing(qp_size, n=200):
    """n SRTP packets of one SSRC into a terminated flow whose RTP goes
    through the cryptodev with qp_size descriptors per queue pair."""
    s = Setup("cdevref-%d" % qp_size)
    s.dsbc_keys["srtp_engine"] = "cryptodev"
    s.dsbc_keys["cryptodev_qp_size"] = str(qp_size)
    ka = "AES_CM_128_HMAC_SHA1_80:" + base64.b64encode(os.urandom(30)).decode()
    kb = "AES_CM_128_HMAC_SHA1_80:" + base64.b64encode(os.urandom(30)).decode()
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000",
                    out_local=P1_IP + ":20002", mode="terminate",
                    srtp_rx=ka, srtp_tx=kb, latch="off")]
    s.add_input(0, stream(s, "rtp", ALICE, 40000, P0_IP, 20000, n,
                          extra=["--srtp", ka, "--ssrc", "0x1111"]))
    st, _ = s.run()
    return st


def test_terminate_cryptodev_refuses_ops():
    """Fault: a cryptodev that refuses part of what it is given.  With
    cryptodev_qp_size = 8 the crypto_aesni_mb queue pair takes fewer
    jobs than a burst holds; the rest come back refused.  Each refused
    packet is dropped and counted (drop_srtp_device), everything else is
    relayed, the device is not given up, and no mbuf is lost: as many are
    out of the pools at the end as after the same stream with a queue
    pair of 2048."""
    bad = cdev_refusing(8)
    good = cdev_refusing(2048)
    print("  qp 8: relayed %d, drop_srtp_device %d, ops %d, wedged %d, "
          "mbufs in use %d; qp 2048: relayed %d, dropped %d, mbufs in use "
          "%d" % (bad["tx"], bad["drop_srtp_device"],
                  bad["srtp_cryptodev_ops"], bad["srtp_cryptodev_wedged"],
                  bad["mbufs_in_use"], good["tx"], good["drop_srtp_device"],
                  good["mbufs_in_use"]))
    eq(good["tx"], 200, "all relayed with a queue pair that takes a burst")
    eq(good["drop_srtp_device"], 0, "none refused then")
    check(bad["drop_srtp_device"] > 0, "the small queue pair refused jobs")
    eq(bad["tx"] + bad["drop_srtp_device"], 200,
       "every packet relayed or dropped as the device's")
    check(bad["tx"] > 0, "what it took went through")
    eq(bad["srtp_cryptodev_wedged"], 0, "the device was not given up")
    eq(bad["mbufs_in_use"], good["mbufs_in_use"], "no mbuf lost")


def test_mempool_exhaustion():
    """Fault: the mbuf pool runs dry.  6,000 OPTIONS from 6,000 sources
    arrive at line rate with the pool at its smallest (1,023 mbufs) and
    the strangers' SIP ring larger than the pool: the ring keeps every
    mbuf, the port cannot refill its RX queue (rx_nombuf) and dsbc
    cannot build every answer.  Once the ring drains, the pool is whole
    again (no mbuf lost), and what was received was answered or counted
    as a failed send."""
    s = Setup("nombuf")
    s.dsbc_keys.update({"mbufs": "1023", "punt_ring_size": "4096",
                        "sip_rate_pps": "0", "srtp_hold_packets": "64"})
    frames = []
    for i in range(6000):
        src = "198.18.%d.%d" % (i // 250, i % 250 + 1)
        frames.append(build_udp(ALICE_MAC, P0_MAC, src, 5070, P0_IP, 5060,
                                sip_options("z9hG4bKm%d" % i)))
    s.add_input(0, frames)
    st, tel = s.run(settle_rx=1)
    sip = tel["/dsbc/sip"]
    port = tel["/dsbc/ports"]["port0"]
    print("  received %d of 6000; rx_nombuf %d; SIP rx %d, tx %d, tx_fail "
          "%d; drop_sip_new_ring_full %d; mbufs in use at the end %d of %d"
          % (st["rx"], port["rx_nombuf"], sip["rx"], sip["tx"],
             sip["tx_fail"], st["drop_sip_new_ring_full"],
             st["mbufs_in_use"], st["mbufs"]))
    check(port["rx_nombuf"] > 0, "the pool ran dry")
    check(st["rx"] < 6000, "frames were lost to it")
    eq(st["mbufs_in_use"], 0, "every mbuf back in the pool")
    eq(sip["rx"], st["sip_punted"], "every datagram punted was handled")


def test_sip_stateless():
    """SIP on the real binary: OPTIONS answered 200 to the source port with
    received/rport (RFC 3581); RFC 4475 requests refused with their status;
    a fragmented OPTIONS reassembled; a response too large for the MTU sent
    as valid IPv4 fragments; responses and ACKs never answered."""
    s = Setup("sip")
    sip = lambda payload, sport=5070: build_udp(  # noqa: E731
        ALICE_MAC, P0_MAC, ALICE, sport, P0_IP, 5060, payload)
    cases = [("badvers.dat", 505), ("mismatch01.dat", 400),
             ("insuf.dat", 400), ("bext01.dat", 420), ("unkscm.dat", 416),
             ("escruri.dat", 400), ("scalar02.dat", 400)]
    frames = [sip(sip_options("z9hG4bKo1"))]
    frames += [sip(conformance(f)) for f, _ in cases]
    frames += [sip(conformance("scalarlg.dat")),      # bad response: silent
               sip(conformance("bcast.dat"))]         # good response: silent
    big = sip(sip_options("z9hG4bKbig", extra_vias=60, rport=False), 5071)
    check(len(big) > 3000, "large OPTIONS is %d bytes" % len(big))
    frames += fragment4(big, 1400)
    s.add_input(0, frames)
    st, _ = s.run(settle_rx=len(frames))
    out = s.output(0)
    whole = [Frame(f) for f in out
             if Frame(f).etype == 0x0800 and not (f[20] & 0x20 or
                                                   f[20] & 0x1F or f[21])]
    frags = [f for f in out if f[12:14] == b"\x08\x00" and
             (f[20] & 0x20 or f[20] & 0x1F or f[21])]
    statuses = []
    for f in whole:
        check(f.udp and f.udp_csum_ok and f.ip_csum_ok, "checksums")
        eq((f.src, f.sport, f.dst), (P0_IP, 5060, ALICE), "response addresses")
        eq(f.dst_mac, ALICE_MAC, "response to the sender's MAC")
        statuses.append(int(f.payload.split(b" ", 2)[1]))
    eq(statuses[0], 200, "OPTIONS answered")
    eq(whole[0].dport, 5070, "answered to the source port")
    via = [l for l in whole[0].payload.split(b"\r\n") if l.startswith(b"Via")]
    eq(via[0], ("Via: SIP/2.0/UDP %s:5060;branch=z9hG4bKo1;rport=5070;"
                "received=%s" % (ALICE, ALICE)).encode(), "top Via")
    check(b";tag=" in [l for l in whole[0].payload.split(b"\r\n")
                       if l.startswith(b"To:")][0], "To tag added")
    eq(statuses[1:1 + len(cases)], [c for _, c in cases],
       "statuses for the RFC 4475 requests")
    four20 = whole[1 + [f for f, _ in cases].index("bext01.dat")].payload
    check(b"Unsupported: nothingSupportsThis, nothingSupportsThisEither, "
          b"noProxiesSupportThis, norDoAnyProxiesSupportThis\r\n" in four20,
          "420 lists the unsupported option tags: %r" % four20)
    # the big OPTIONS: reassembled, answered in fragments
    eq(len(whole), 1 + len(cases), "unfragmented responses")
    src, dst, payload = reassemble4(frags)
    check(len(frags) >= 2, "response fragments: %d" % len(frags))
    check(payload.startswith(b"SIP/2.0 200 OK\r\n"), "big OPTIONS answered")
    eq(payload.count(b"\r\nVia: "), 61, "all Via headers copied")
    check(b"received=" + ALICE.encode() in payload, "received on top Via")
    eq(st["sip_punted"], len(frames), "frames punted to the SIP ring")


def test_sip_flood_limit():
    """Seed 002, SIP floods: 600 OPTIONS from one source at line rate,
    with sip_rate_pps = 100 and sip_burst = 50, get about the burst
    answered and the rest dropped and counted; 20 OPTIONS from another
    source, interleaved, are all answered."""
    s = Setup("flood")
    s.dsbc_keys = {"sip_rate_pps": "100", "sip_burst": "50"}
    other = "192.0.2.11"
    frames = []
    for i in range(600):
        frames.append(build_udp(ALICE_MAC, P0_MAC, ALICE, 5070, P0_IP, 5060,
                                sip_options("z9hG4bKf%d" % i)))
        if i % 30 == 0:
            frames.append(build_udp(ALICE_MAC, P0_MAC, other, 5070, P0_IP,
                                    5060, sip_options("z9hG4bKo%d" % i)))
    s.neigh.append((0, other, ALICE_MAC))
    s.add_input(0, frames)
    st, tel = s.run(settle_rx=len(frames), settle_sip=len(frames))
    answers = [Frame(f) for f in s.output(0) if Frame(f).etype == 0x0800]
    to_flooder = sum(1 for f in answers if f.dst == ALICE)
    to_other = sum(1 for f in answers if f.dst == other)
    sip = tel["/dsbc/sip"]
    print("  flooder answered %d of 600, other %d of 20, rate_limited %d" %
          (to_flooder, to_other, sip["rate_limited"]))
    eq(to_other, 20, "the other source is never limited")
    # the burst, plus what the rate refills while the pcap replays
    check(50 <= to_flooder <= 150, "flooder answered about the burst")
    eq(sip["rate_limited"], 600 - to_flooder, "dropped and counted")


def test_telemetry_tools():
    """Endpoints answer as JSON through dpdk-telemetry.py itself, and
    dpdk-dumpcap captures a port (hugepage runs only: it is a secondary
    process)."""
    s = Setup("telemetry")
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000")]
    conf = s.write()
    d = Dsbc(BUILD, conf, "dsbc-it-telemetry")
    try:
        d.wait_ready()
        cmds = "/dsbc/info\n/dsbc/stats\n/dsbc/lcores\n/dsbc/ports\n" \
               "/dsbc/flows\n/dsbc/flows,0\n/dsbc/flows,999999\n/dsbc/flows,x\n"
        r = subprocess.run(["dpdk-telemetry.py", "-f", "dsbc-it-telemetry"],
                           input=cmds, capture_output=True, text=True,
                           timeout=30)
        out = r.stdout
        for key in ('"/dsbc/info"', '"version"', '"/dsbc/stats"',
                    '"drop_not_latched"', '"/dsbc/lcores"', '"busy_cycles"',
                    '"/dsbc/ports"', '"ipackets"', '"/dsbc/flows"',
                    '"count": 1', '"local_port": 20000'):
            check(key in out, "dpdk-telemetry.py output lacks " + key)
        # bad parameters: null answers, process still up
        eq(d.tel.query("/dsbc/flows,999999"), None, "unknown flow id")
        eq(d.tel.query("/dsbc/flows,x"), None, "non-numeric flow id")
        check(d.proc.poll() is None, "dsbc alive after bad telemetry params")
    finally:
        rc = d.stop()
    eq(rc, 0, "exit status")
    if not eal_mem_args():
        dumpcap_capture(s)


def dumpcap_capture(s):
    """dpdk-dumpcap, a secondary process, captures what dsbc sends: on a
    net_ring port (net_pcap cannot be attached twice: the secondary would
    reopen and truncate its files), dsbc resolves an unknown next hop by
    ARP every arp_retry_ms; the capture must hold those requests."""
    conf = s.path("dumpcap.conf")
    with open(conf, "w") as f:
        f.write("[dsbc]\narp_retry_ms = 100\n[port.0]\ndev = net_ring0\n"
                "mac = %s\nipv4 = %s/24\n[flow.0]\nlocal = %s:20000\n"
                "remote = 192.0.2.77:30000\n" % (P0_MAC, P0_IP, P0_IP))
    # The secondary maps the primary's memory at the same addresses.  Left
    # to itself, the primary's hugepages land where mmap puts them, which
    # under AddressSanitizer (its shadow takes most of the low half) is
    # sometimes taken in the secondary: it fails to attach, and with it
    # the primary's rte_pdump_uninit() at exit.  A base in the high half,
    # free in both, keeps the layout the same.
    d = Dsbc(BUILD, conf, "dsbc-it-dumpcap",
             extra_eal=["--base-virtaddr=0x200000000000"])
    cap = s.path("capture.pcapng")
    try:
        d.wait_ready()
        p = subprocess.run(["dpdk-dumpcap", "--file-prefix=dsbc-it-dumpcap",
                            "-D"], capture_output=True, text=True, timeout=30)
        check("net_ring0" in p.stdout, "dpdk-dumpcap -D lists net_ring0: " +
              p.stdout + p.stderr)
        p = subprocess.run(["dpdk-dumpcap", "--file-prefix=dsbc-it-dumpcap",
                            "-i", "net_ring0", "-q", "-a", "duration:3",
                            "-w", cap], capture_output=True, text=True,
                           timeout=60)
        eq(p.returncode, 0, "dpdk-dumpcap exit status (%s)" % p.stderr)
    finally:
        rc = d.stop()
    eq(rc, 0, "exit status")
    r = subprocess.run(["tshark", "-r", cap, "-Y", "arp.opcode == 1",
                        "-T", "fields", "-e", "eth.src", "-e", "arp.dst.proto_ipv4"],
                       capture_output=True, text=True, timeout=60)
    rows = [x.split() for x in r.stdout.splitlines() if x.strip()]
    check(len(rows) >= 3, "captured %d ARP requests (tshark: %s)" % (
        len(rows), r.stderr.strip()[-200:]))
    for src, target in rows:
        eq((src, target), (P0_MAC, "192.0.2.77"), "captured ARP request")


# ---- dsbc-ctl and its metrics ---------------------------------------------

def load_ctl():
    """app/dsbc-ctl/dsbc-ctl as a module (it has no .py name)."""
    loader = importlib.machinery.SourceFileLoader("dsbc_ctl", CTL)
    spec = importlib.util.spec_from_loader("dsbc_ctl", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


ctl = dsbc_ctl


def no_traceback(r, what):
    check("Traceback" not in r.stderr, "%s: a traceback: %s" % (
        what, r.stderr[-600:]))


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.headers.get("Content-Type"), \
                r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def documented_metrics():
    with open(os.path.join(ROOT, "docs/metrics.md")) as f:
        return set(re.findall(r"\bdsbc_[a-z0-9_]+", f.read()))


def check_documented(families, what):
    doc = documented_metrics()
    missing = sorted(set(families) - doc)
    eq(missing, [], "%s not in docs/metrics.md" % what)


def check_dashboard():
    """docs/grafana/dsbc.json: JSON, and every metric it asks for is one
    dsbc-ctl documents (histograms by their _bucket/_sum/_count)."""
    path = os.path.join(ROOT, "docs/grafana/dsbc.json")
    with open(path) as f:
        dash = json.load(f)
    exprs = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "expr" and isinstance(v, str):
                    exprs.append(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(dash)
    doc = documented_metrics()
    used = set()
    for e in exprs:
        used.update(re.findall(r"\bdsbc_[a-z0-9_]+", e))
    unknown = sorted(n for n in used if n not in doc and
                     re.sub(r"_(bucket|sum|count)$", "", n) not in doc)
    # PromQL syntax: promtool checks them as recording rules, with
    # Grafana's variables given values
    rules = os.path.join("out", "it", "dashboard-rules.yml")
    with open(rules, "w") as f:
        json.dump({"groups": [{"name": "dashboard", "rules": [
            {"record": "dashboard:query%d" % i,
             "expr": e.replace("$__rate_interval", "5m").replace(
                 "$instance", ".*")} for i, e in enumerate(exprs)]}]}, f)
    r = subprocess.run(["promtool", "check", "rules", rules],
                       capture_output=True, text=True, timeout=30)
    print("  dashboard: %d panels, %d queries over %d metrics; promtool "
          "check rules: %s" % (len(dash.get("panels", [])), len(exprs),
                               len(used), r.stdout.strip().splitlines()[-1]
                               if r.returncode == 0 else "rc %d" %
                               r.returncode))
    eq(r.returncode, 0, "dashboard PromQL: " + r.stdout + r.stderr)
    check(dash.get("schemaVersion", 0) >= 36, "dashboard schemaVersion")
    check(exprs, "dashboard has queries")
    eq(unknown, [], "dashboard metrics not in docs/metrics.md")


def future_snapshot(snap):
    """A snapshot with what newer dsbc builds add: /dsbc/quality, /dsbc/cdr,
    /dsbc/hep, draining, calls by state/mode/end reason, requests sent by
    method, and the registrar, TCP/TLS/WS and digest counters."""
    s = copy.deepcopy(snap)
    s["/dsbc/info"]["draining"] = 1
    s["/dsbc/calls"].update({
        "state_offered": 1, "state_early": 2, "state_confirmed": 3,
        "state_ending": 0, "mode_relay": 4, "mode_aware": 1,
        "mode_terminate": 1, "end_bye_a": 10, "end_bye_b": 7,
        "end_cancel": 2, "end_failure": 3, "end_timeout": 1,
        "end_media_timeout": 1, "end_consent": 0, "end_shutdown": 0,
        "end_error": 0})
    for m in ("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"):
        s["/dsbc/sip"]["tx_" + m] = 3
    s["/dsbc/sip"]["tx_other_method"] = 0
    for k in ctl_mod().SIP_MAP:
        s["/dsbc/sip"].setdefault(k, 1)
    s["/dsbc/registrations"] = dict(
        {k: 2 for k in ctl_mod().REG_MAP}, list=["alice ..."])
    for k in ctl_mod().STIR_MAP:
        s["/dsbc/stir"].setdefault(k, 1)
    s["/dsbc/quality"] = QUALITY
    # the shape of today's dsbc, whose own keys are checked too when it
    # runs (test_metrics_exporter scrapes a real one)
    s["/dsbc/cdr"] = {k: 1 for k in ctl_mod().CDR_MAP}
    s["/dsbc/hep"] = {k: 1 for k in ctl_mod().HEP_MAP}
    return s


# per received stream at call end: cumulative buckets, keys in no order
QUALITY = {
    "jitter_us_le_20000": 7, "jitter_us_le_1000": 2, "jitter_us_le_5000": 5,
    "jitter_us_le_100000": 8, "jitter_us_le_inf": 9,
    "jitter_us_sum": 123456, "jitter_us_count": 9,
    "loss_ppm_le_0": 4, "loss_ppm_le_10000": 7, "loss_ppm_le_1000": 6,
    "loss_ppm_le_50000": 8, "loss_ppm_le_inf": 9, "loss_ppm_sum": 90000,
    "loss_ppm_count": 9,
    "mos_x100_le_100": 0, "mos_x100_le_250": 1, "mos_x100_le_360": 2,
    "mos_x100_le_400": 5, "mos_x100_le_430": 8, "mos_x100_le_450": 9,
    "mos_x100_le_inf": 9, "mos_x100_sum": 3650, "mos_x100_count": 9,
}

_CTL_MOD = []


def ctl_mod():
    if not _CTL_MOD:
        _CTL_MOD.append(load_ctl())
    return _CTL_MOD[0]


def check_histogram(samples, name, want_le):
    """Buckets ascending and cumulative, +Inf equal to _count."""
    buckets = sorted((float(dict(lab)["le"]), v) for (n, lab), v in
                     samples.items() if n == name + "_bucket")
    les = [b for b, _ in buckets]
    eq(les[:-1], want_le, name + " bucket bounds (base units)")
    eq(les[-1], float("inf"), name + " +Inf last")
    counts = [v for _, v in buckets]
    eq(counts, sorted(counts), name + " buckets cumulative")
    eq(counts[-1], sample(samples, name + "_count"), name + " +Inf == count")
    return counts


def test_renderer():
    """The metrics renderer without dsbc: a dsbc that did not answer
    gives dsbc_up 0 alone; /dsbc/quality's flat keys become histograms in
    base units; every family it can emit is in docs/metrics.md."""
    mod = ctl_mod()
    text = mod.render_metrics(None)
    samples, types = parse_exposition(text)
    eq(list(samples.items()), [(("dsbc_up", ()), 0.0)], "down: dsbc_up 0")
    check_promtool(text, "dsbc down")
    info = {"version": "0.1.0", "uptime_s": 5, "workers": 1,
            "tsc_hz": 1000000}
    text = mod.render_metrics({"/dsbc/info": info, "/dsbc/quality": dict(
        QUALITY, jitter_us_le_x=3, ghost_key=4)})
    check_promtool(text, "hand-made /dsbc/quality")
    samples, types = parse_exposition(text)
    j = check_histogram(samples, "dsbc_media_jitter_seconds",
                        [0.001, 0.005, 0.02, 0.1])
    eq(j, [2, 5, 7, 8, 9], "jitter bucket counts")
    eq(sample(samples, "dsbc_media_jitter_seconds_sum"), 0.123456,
       "jitter sum in seconds")
    check_histogram(samples, "dsbc_media_loss_ratio",
                    [0.0, 0.001, 0.01, 0.05])
    eq(sample(samples, "dsbc_media_loss_ratio_sum"), 0.09, "loss sum")
    check_histogram(samples, "dsbc_media_mos",
                    [1.0, 2.5, 3.6, 4.0, 4.3, 4.5])
    eq(sample(samples, "dsbc_media_mos_sum"), 36.5, "MOS sum")
    for h in ("dsbc_media_jitter_seconds", "dsbc_media_loss_ratio",
              "dsbc_media_mos"):
        eq(types.get(h), "histogram", h + " type")
    eq(sample(samples, "dsbc_telemetry_value", command="/dsbc/quality",
              key="ghost_key"), 4.0, "an unknown key kept under its name")
    # buckets a torn read left non-monotonic still come out cumulative
    text = mod.render_metrics({"/dsbc/info": info, "/dsbc/quality": {
        "mos_x100_le_300": 5, "mos_x100_le_400": 4, "mos_x100_le_inf": 5,
        "mos_x100_sum": 1500, "mos_x100_count": 6}})
    samples, _ = parse_exposition(text)
    eq(check_histogram(samples, "dsbc_media_mos", [3.0, 4.0]), [5, 5, 6],
       "clamped buckets")
    print("  renderer: down -> dsbc_up 0; jitter buckets %s, +Inf %d == "
          "count; promtool ok" % (j[:-1], j[-1]))
    check_documented([m[0] for m in mod.METRICS], "metrics dsbc-ctl knows")


def test_metrics_exporter():
    """dsbc-ctl exporter on the real binary: a scrape before dsbc runs
    says dsbc_up 0; after 6 OPTIONS and 2 frames with a bad IPv4
    checksum the counters moved by exactly that, every drop reason of
    /dsbc/stats is a dsbc_drops_total label, promtool check metrics says
    nothing; a later scrape never goes back; with dsbc stopped /metrics
    still answers 200 with dsbc_up 0; SIGTERM stops the exporter."""
    s = Setup("metrics")
    n_opt, n_bad = 6, 2
    frames = [build_udp(ALICE_MAC, P0_MAC, ALICE, 5070, P0_IP, 5060,
                        sip_options("z9hG4bKm%d" % i)) for i in range(n_opt)]
    for i in range(n_bad):
        f = bytearray(build_udp(ALICE_MAC, P0_MAC, ALICE, 5070, P0_IP, 5060,
                                sip_options("z9hG4bKc%d" % i)))
        f[24] ^= 0xFF                     # the IPv4 header checksum
        frames.append(bytes(f))
    s.add_input(0, frames)
    conf = s.write()
    prefix = "dsbc-it-metrics"
    sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    port = free_tcp_port()
    url = "http://127.0.0.1:%d" % port
    elog = open(s.path("exporter.log"), "w")
    exp = subprocess.Popen([CTL, "--socket", sock, "exporter", "--listen",
                            "127.0.0.1:%d" % port], stdout=elog,
                           stderr=subprocess.STDOUT)
    d = None
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                check(exp.poll() is None and time.time() < deadline,
                      "exporter did not listen")
                time.sleep(0.05)
        code, ctype, body = http_get(url + "/metrics")
        before, _ = parse_exposition(body)
        eq((code, sample(before, "dsbc_up")), (200, 0.0),
           "scrape before dsbc runs")
        eq(ctype, "text/plain; version=0.0.4; charset=utf-8", "Content-Type")
        eq(http_get(url + "/")[0], 404, "GET / is 404")
        d = Dsbc(BUILD, conf, prefix)
        d.wait_ready()
        st = d.wait_rx(len(frames))
        deadline = time.time() + 10
        while d.tel.query("/dsbc/sip")["tx"] < n_opt and \
                time.time() < deadline:
            time.sleep(0.1)
        code, _, text = http_get(url + "/metrics")
        eq(code, 200, "scrape status")
        stats = d.tel.query("/dsbc/stats")
        a, types = parse_exposition(text)
        rc, said = promtool(text)
        print("  promtool: %s, %d metrics, %d samples" % (
            "ok" if rc == 0 and not said else "rc %d: %s" % (rc, said),
            len(types), len(a)))
        eq((rc, said), (0, ""), "promtool check metrics")
        eq(sample(a, "dsbc_up"), 1.0, "dsbc_up with dsbc running")
        drops = [k for k in stats if k.startswith("drop_")]
        for k in drops:
            eq(sample(a, "dsbc_drops_total", reason=k[5:]), float(stats[k]),
               "dsbc_drops_total{reason=%s}" % k[5:])
        moved = lambda name, **lab: (sample(a, name, **lab) or 0) - (  # noqa
            sample(before, name, **lab) or 0)
        got = {
            "OPTIONS received": moved("dsbc_sip_requests_received_total",
                                      method="OPTIONS"),
            "2xx sent": moved("dsbc_sip_responses_sent_total",
                              **{"class": "2xx"}),
            "port0 rx": moved("dsbc_port_rx_packets_total", port="0",
                              dev="net_pcap0"),
            "port0 q0 rx": moved("dsbc_port_queue_rx_packets_total",
                                 port="0", dev="net_pcap0", queue="0"),
            "worker0 rx": moved("dsbc_worker_rx_packets_total", worker="0"),
            "ip_csum drops": moved("dsbc_drops_total", reason="ip_csum"),
            "punted new": moved("dsbc_sip_punted_total", priority="new"),
        }
        print("  moved: " + ", ".join("%s %d" % (k, v)
                                      for k, v in got.items()))
        print("  %d drop reasons in /dsbc/stats, all as dsbc_drops_total" %
              len(drops))
        eq(got, {"OPTIONS received": n_opt, "2xx sent": n_opt,
                 "port0 rx": len(frames), "port0 q0 rx": len(frames),
                 "worker0 rx": len(frames), "ip_csum drops": n_bad,
                 "punted new": n_opt}, "counters moved by the traffic")
        eq(st["drops"], n_bad, "/dsbc/stats drops")
        # the renderer on this dsbc's snapshot with what newer builds add
        tel = ctl_mod().Telemetry(sock)
        try:
            snap = ctl_mod().snapshot(tel)
        finally:
            tel.close()
        ftext = ctl_mod().render_metrics(future_snapshot(snap))
        check_promtool(ftext, "a snapshot with the newer commands")
        f, ftypes = parse_exposition(ftext)
        eq(sample(f, "dsbc_calls", state="confirmed"), 3.0, "calls by state")
        eq(sample(f, "dsbc_calls_by_mode", mode="terminate"), 1.0,
           "calls by mode")
        eq(sample(f, "dsbc_calls_ended_total", reason="bye_a"), 10.0,
           "calls ended by reason")
        eq(sample(f, "dsbc_calls_ended_total"), None,
           "no unlabelled total beside the reasons")
        eq(sample(f, "dsbc_sip_requests_sent_total", method="INVITE"), 3.0,
           "requests sent by method")
        eq((sample(f, "dsbc_draining"), sample(f, "dsbc_cdr_pending"),
            sample(f, "dsbc_hep_sent_total")), (1.0, 1.0, 1.0),
           "draining, CDR, HEP")
        eq(sample(f, "dsbc_registrations"), 2.0, "bindings")
        unnamed = sorted(dict(lab)["command"] + " " + dict(lab)["key"]
                         for (n, lab) in f if n == "dsbc_telemetry_value")
        print("  with newer commands: %d metrics; values with no name: %s" %
              (len(ftypes), ", ".join(unnamed) or "none"))
        check_documented(set(types) | set(ftypes), "emitted metrics")
        check_dashboard()
        time.sleep(1.1)
        b, _ = parse_exposition(http_get(url + "/metrics")[2])
        back = [k for k, v in a.items() if types.get(k[0]) == "counter" and
                (b.get(k) is None or b[k] < v)]
        eq(back, [], "counters that went back or vanished between scrapes")
        check(sample(b, "dsbc_uptime_seconds") >=
              sample(a, "dsbc_uptime_seconds"), "uptime goes on")
        rc = d.stop()
        d = None
        eq(rc, 0, "dsbc exit status")
        code, _, text = http_get(url + "/metrics")
        c, _ = parse_exposition(text)
        print("  after dsbc stopped: HTTP %d, dsbc_up %s" % (
            code, sample(c, "dsbc_up")))
        eq((code, sample(c, "dsbc_up")), (200, 0.0), "scrape with dsbc down")
        check_promtool(text, "dsbc down")
        exp.send_signal(signal.SIGTERM)
        eq(exp.wait(10), 0, "exporter exit status on SIGTERM")
    finally:
        if d is not None:
            d.stop()
        if exp.poll() is None:
            exp.kill()
            exp.wait()
        elog.close()


def test_dsbc_ctl():
    """dsbc-ctl's subcommands on the real binary: what an operator reads,
    the JSON a script reads, and one clear line with exit 1 (never a
    traceback) for a bad call id, a command this dsbc lacks, a missing
    socket."""
    s = Setup("ctl")
    s.flows = [dict(local=P0_IP + ":20000", remote=BOB + ":30000")]
    conf = s.write()
    prefix = "dsbc-it-ctl"
    sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    d = Dsbc(BUILD, conf, prefix)
    runs = []

    def run(*args, want=0):
        r = ctl(*args)
        runs.append((args, r))
        no_traceback(r, " ".join(args))
        eq(r.returncode, want, "dsbc-ctl %s exit status (%s)" % (
            " ".join(args), r.stderr.strip()))
        return r
    try:
        d.wait_ready()
        listed = set(d.tel.query("/"))
        r = run("--socket", sock, "status")
        print("  status: " + " | ".join(r.stdout.splitlines()[:5]))
        check(r.stdout.startswith("dsbc 0.1.0 on DPDK"), "status headline")
        check("port0 net_pcap0 link up" in r.stdout, "status ports")
        r = run("status", "--json", "--prefix", prefix)
        st = json.loads(r.stdout)
        for k in ("version", "uptime_seconds", "workers", "ports", "calls",
                  "draining", "sip", "drops", "cdr", "hep"):
            check(k in st, "status --json has " + k)
        eq([(p["port"], p["dev"], p["link_up"]) for p in st["ports"]],
           [(0, "net_pcap0", True), (1, "net_pcap1", True)], "JSON ports")
        eq(st["calls"]["active"], 0, "JSON calls active")
        r = run("--socket", sock, "flows")
        eq(r.stdout.strip(), "1 flow(s); per worker: w0 1", "flows")
        r = run("--socket", sock, "--json", "flows", "0")
        eq(json.loads(r.stdout)["local_port"], 20000, "flows 0 --json")
        r = run("--socket", sock, "flows", "999999", want=1)
        check("no flow 999999" in r.stderr, r.stderr)
        r = run("--socket", sock, "calls")
        eq(r.stdout.strip(), "0 active call(s)", "calls")
        r = run("--socket", sock, "call", "424242", want=1)
        print("  call 424242: " + r.stderr.strip())
        check(r.stderr.startswith("dsbc-ctl: no call 424242"), r.stderr)
        r = run("--socket", sock, "call", "x1", want=1)
        check("must be a number" in r.stderr, r.stderr)
        r = run("--socket", sock, "query", "/dsbc/info")
        eq(json.loads(r.stdout)["/dsbc/info"]["version"], "0.1.0", "query")
        r = run("--socket", sock, "query", "/dsbc/nosuch", want=1)
        check("no such command" in r.stderr, r.stderr)
        # what newer builds add: used when there, one clear line if not
        for cmd, args in (("/dsbc/log_level", ("log-level", "dsbc.*",
                                               "info")),
                          ("/dsbc/drain", ("drain", "--wait", "--timeout",
                                           "5")),
                          ("/dsbc/drain", ("undrain",))):
            have = cmd in listed
            r = run("--socket", sock, *args, want=0 if have else 1)
            print("  %s: %s" % (" ".join(args), (r.stdout.strip() or
                                                 r.stderr.strip())))
            if not have:
                eq(r.stderr.strip(), "dsbc-ctl: %s is not available: this "
                   "dsbc has no %s" % (args[0], cmd), "absent " + cmd)
        r = run("--socket", sock, "log-level", "loud", want=1)
        check("unknown level 'loud'" in r.stderr, r.stderr)
        have = "/dsbc/reload" in listed
        r = ctl("--socket", sock, "reload")
        no_traceback(r, "reload")
        print("  reload: " + (r.stdout.strip() or r.stderr.strip()))
        if have:
            eq(r.returncode, 0 if r.stdout.startswith("reload: ok") else 1,
               "reload exit status follows its result")
        else:
            eq(r.returncode, 1, "reload unavailable")
            check("not available" in r.stderr, r.stderr)
        r = run("--socket", sock, "metrics")
        check("\ndsbc_up 1\n" in r.stdout, "metrics: dsbc_up 1")
    finally:
        rc = d.stop()
    eq(rc, 0, "dsbc exit status")
    r = run("--socket", sock, "status", want=1)
    print("  dsbc stopped: " + r.stderr.strip())
    check(r.stderr.startswith("dsbc-ctl: no telemetry socket at " + sock),
          r.stderr)
    r = run("--prefix", "dsbc-it-nosuch", "calls", want=1)
    check("tried" in r.stderr and "dsbc-it-nosuch" in r.stderr, r.stderr)
    r = run("--socket", conf, "status", want=1)
    check("is not a socket" in r.stderr, r.stderr)
    print("  %d dsbc-ctl runs, no traceback" % len(runs))


class FakeTelemetry:
    """A DPDK telemetry v2 socket answering from a table: command (with
    its parameter) -> value, or a callable of the parameter.  What a
    newer dsbc offers, for dsbc-ctl's side of commands this dsbc lacks."""

    def __init__(self, path, table, hello=True):
        self.path, self.table, self.hello = path, table, hello
        self.got = []
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(path)
        self.sock.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(c,),
                             daemon=True).start()

    def _client(self, c):
        with c:
            if not self.hello:
                return
            c.send(json.dumps({"version": "DPDK 22.11.11", "pid": 1,
                               "max_output_len": 16384}).encode())
            while True:
                data = c.recv(1024)
                if not data:
                    return
                cmd = data.decode()
                self.got.append(cmd)
                name, _, param = cmd.partition(",")
                if name == "/":
                    value = sorted(set(k.split(",")[0] for k in self.table)
                                   | {"/"})
                else:
                    value = self.table.get(cmd, self.table.get(name))
                    if callable(value):
                        value = value(param)
                c.send(json.dumps({name: value}).encode())

    def close(self):
        self.sock.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


def test_dsbc_ctl_newer():
    """dsbc-ctl's side of what newer dsbc builds add (drain, reload,
    log_level, draining, CDR/HEP, calls by state), against a stand-in
    telemetry socket: drain --wait follows the active count to 0 (exit
    0) or gives up (exit 1), reload's exit status follows its result,
    log-level sends TYPE:LEVEL, calls lists the calls."""
    os.makedirs(os.path.join("out", "it"), exist_ok=True)
    path = os.path.abspath(os.path.join("out", "it", "fake-telemetry.sock"))
    active = [3, 2, 2, 0]
    reload_result = [{"result": "ok", "message": "configuration reloaded"}]

    def calls(_):
        n = active.pop(0) if len(active) > 1 else active[0]
        return {"active": n, "started": 12, "answered": 9, "state_early": 1,
                "state_confirmed": n, "ids": [7, 9], "terminated_ids": []}

    leg = lambda uri: {"call_id": "c1", "remote_uri": uri,  # noqa: E731
                       "m0_local_port": 20000, "m0_rtp_in_pkts": 50}
    table = {
        "/dsbc/info": {"version": "9.9.9", "uptime_s": 3725, "workers": 1,
                       "draining": 1, "config": "x.conf"},
        "/dsbc/calls": calls,
        "/dsbc/call,7": {"id": 7, "state": "confirmed", "mode": "relay",
                         "worker": 0, "media_lines": 1, "age_ms": 65000,
                         "a_leg": leg("<sip:alice@example.com>"),
                         "b_leg": leg("<sip:bob@example.com>")},
        "/dsbc/call": None,
        "/dsbc/drain": lambda p: {"draining": int(p == "on")},
        "/dsbc/reload": lambda _: reload_result[0],
        "/dsbc/log_level": lambda p: {"pattern": p.split(":")[0],
                                      "level": p.split(":")[1]},
        "/dsbc/cdr": {"written": 5, "lost": 0, "pending": 1,
                      "rotations": 0, "errors": 0},
        "/dsbc/hep": {"sent": 40, "dropped": 0, "errors": 0},
    }
    fake = FakeTelemetry(path, table)

    def run(*args, want=0):
        r = ctl("--socket", path, *args)
        no_traceback(r, " ".join(args))
        eq(r.returncode, want, "dsbc-ctl %s exit status (%s)" % (
            " ".join(args), r.stderr.strip()))
        return r
    try:
        r = run("status")
        check("draining  yes" in r.stdout, "status says draining:\n" +
              r.stdout)
        check("cdr       written 5, lost 0, pending 1" in r.stdout,
              "status CDR line:\n" + r.stdout)
        st = json.loads(run("status", "--json").stdout)
        eq((st["draining"], st["hep"]["sent"], st["uptime_seconds"]),
           (True, 40, 3725), "status --json")
        active[:] = [3, 2, 2, 0]
        r = run("drain", "--wait", "--timeout", "10", "--interval", "0.05")
        print("  drain --wait: " + " | ".join(r.stdout.splitlines()))
        eq(r.stdout.splitlines(), ["draining: 3 call(s) active",
                                   "draining: 2 call(s) active",
                                   "draining: 0 call(s) active", "drained"],
           "drain progress")
        check("/dsbc/drain,on" in fake.got, "drain sent /dsbc/drain,on")
        active[:] = [1]
        r = run("drain", "--wait", "--timeout", "0.3", "--interval", "0.05",
                want=1)
        print("  drain --wait --timeout 0.3: " + r.stdout.splitlines()[-1])
        check(r.stdout.splitlines()[-1].startswith("timeout after 0.3s: 1 "
                                                    "call(s) still active"),
              r.stdout)
        run("undrain")
        eq(fake.got[-1], "/dsbc/drain,off", "undrain sends off")
        r = run("reload")
        eq(r.stdout.strip(), "reload: ok: configuration reloaded", "reload")
        reload_result[0] = {"result": "error",
                            "message": "dsbc.conf:3: [port.0] bad key"}
        r = run("reload", want=1)
        print("  reload refused: " + r.stdout.strip())
        check("dsbc.conf:3: [port.0] bad key" in r.stdout, r.stdout)
        run("log-level", "dsbc.b2bua", "DEBUG")
        eq(fake.got[-1], "/dsbc/log_level,dsbc.b2bua:debug", "log-level")
        run("log-level", "warning")
        eq(fake.got[-1], "/dsbc/log_level,dsbc.*:warning",
           "log-level's default type")
        r = run("calls")
        print("  calls: " + " | ".join(r.stdout.splitlines()))
        rows = [x.split() for x in r.stdout.splitlines()[2:]]
        eq([(x[0], x[1], x[2], x[3], x[4], x[6]) for x in rows],
           [("7", "confirmed", "relay", "1m05s", "<sip:alice@example.com>",
             "<sip:bob@example.com>")], "calls rows (9 ended meanwhile)")
        r = run("call", "7")
        check("A leg (caller side)" in r.stdout and "  media 0" in r.stdout
              and "rtp_in_pkts" in r.stdout, "call 7:\n" + r.stdout)
        text = run("metrics").stdout
        check_promtool(text, "the stand-in's metrics")
        m, _ = parse_exposition(text)
        eq((sample(m, "dsbc_draining"), sample(m, "dsbc_calls",
                                               state="early")),
           (1.0, 1.0), "draining and calls by state")
        table["/dsbc/drain"] = None
        r = run("drain", want=1)
        eq(r.stderr.strip(), "dsbc-ctl: drain failed: dsbc refused "
           "/dsbc/drain,on", "refused drain")
    finally:
        fake.close()
    # a socket that takes the connection and closes it (too many clients)
    fake = FakeTelemetry(path, {}, hello=False)
    try:
        r = run("status", want=1)
        print("  closed at once: " + r.stderr.strip())
        check("closed the connection" in r.stderr, r.stderr)
    finally:
        fake.close()


def test_config_errors():
    """Bad configuration: one line naming file, section, key; exit 2."""
    bad = os.path.join("out", "it", "bad.conf")
    os.makedirs(os.path.dirname(bad), exist_ok=True)
    with open(bad, "w") as f:
        f.write("[port.0]\ndev = net_null0\nipv4 = 192.0.2.1/24\n"
                "[flow.0]\nlocal = 192.0.2.1:20000\nremote = 203.0.113.5:1\n")
    exe = os.path.join(BUILD, "app/dsbc/dsbc")
    r = subprocess.run([exe, "--no-pci", "--no-huge", "-m", "256",
                        "--no-shconf", "-l", "0-1", "--log-level", "*:error",
                        "--", "-f", bad], capture_output=True, text=True,
                       timeout=60)
    eq(r.returncode, 2, "exit status")
    lines = [x for x in r.stderr.splitlines() if x.startswith("dsbc:")]
    eq(len(lines), 1, "error lines")
    check(bad + ": [flow.0] remote: no port reaches it" in lines[0], lines[0])
    r = subprocess.run([exe, "--no-pci", "--no-huge", "-m", "256",
                        "--no-shconf", "-l", "0-1", "--log-level", "*:error",
                        "--"], capture_output=True, text=True, timeout=60)
    eq(r.returncode, 2, "exit status without -f")
    check("-f FILE is required" in r.stderr, r.stderr)
    # [dsbc] log_level takes what --log-level takes; anything else is
    # one error line
    with open(bad, "w") as f:
        f.write("[dsbc]\nlog_level = dsbc.b2bua\n[port.0]\n"
                "dev = net_null0\nipv4 = 192.0.2.1/24\n")
    r = subprocess.run([exe, "--no-pci", "--no-huge", "-m", "256",
                        "--no-shconf", "-l", "0-1", "--log-level", "*:error",
                        "--", "-f", bad], capture_output=True, text=True,
                       timeout=60)
    eq(r.returncode, 2, "exit status for a bad log_level")
    lines = [x for x in r.stderr.splitlines() if x.startswith("dsbc:")]
    eq(len(lines), 1, "error lines for a bad log_level")
    check("[dsbc] log_level: 'dsbc.b2bua' is not" in lines[0], lines[0])
    # The config is checked before the EAL starts: a line that is no
    # key = value, with the EAL's shared config on, starts nothing (no
    # EAL line) and leaves no /var/run/dpdk/<prefix>
    run_dir = "/var/run/dpdk/dsbc-it-badcfg"
    shutil.rmtree(run_dir, ignore_errors=True)
    with open(bad, "w") as f:
        f.write("[port.0]\ndev = net_null0\nipv4 192.0.2.1/24\n")
    r = subprocess.run([exe, "--no-pci", "--no-huge", "-m", "256",
                        "--file-prefix", "dsbc-it-badcfg", "-l", "0-1",
                        "--", "-f", bad], capture_output=True, text=True,
                       timeout=60)
    eq(r.returncode, 2, "exit status for a line without '='")
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    eq(len(lines), 1, "one line, nothing of the EAL: %r" % lines)
    check(bad + ":3: [port.0] ipv4 192.0.2.1/24: neither [section] nor "
          "key = value" in lines[0], lines[0])
    check(not os.path.exists(run_dir), run_dir + " left behind")
    # refused once the EAL runs (one lcore): its runtime directory goes
    with open(bad, "w") as f:
        f.write("[port.0]\ndev = net_null0\nipv4 = 192.0.2.1/24\n")
    r = subprocess.run([exe, "--no-pci", "--no-huge", "-m", "256",
                        "--file-prefix", "dsbc-it-badcfg", "-l", "0",
                        "--log-level", "*:error", "--", "-f", bad],
                       capture_output=True, text=True, timeout=60)
    eq(r.returncode, 2, "exit status with one lcore")
    check("needs at least 2 lcores" in r.stderr, r.stderr[-300:])
    check(not os.path.exists(run_dir), run_dir + " left behind after EAL")


TESTS = [test_relay_rewrite, test_malformed, test_latching,
         test_ipv6_vlan_interworking, test_two_workers_handoff,
         test_arp_icmp_neighbours, test_idle_flows, test_flow_install_burst,
         test_terminate_srtp_static, test_terminate_srtp_static_cryptodev,
         test_terminate_cryptodev_refuses_ops, test_mempool_exhaustion,
         test_terminate_srtp_static_cryptodev_gcm,
         test_terminate_cryptodev_mixed_batch,
         test_terminate_cryptodev_no_stream_moves,
         test_terminate_cryptodev_malformed_srtp,
         test_sip_stateless, test_sip_flood_limit,
         test_telemetry_tools, test_config_errors, test_renderer,
         test_metrics_exporter, test_dsbc_ctl, test_dsbc_ctl_newer]


def main():
    global BUILD
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", help="run tests whose name contains this")
    args = ap.parse_args()
    BUILD = args.build
    os.makedirs("out", exist_ok=True)
    passed = failed = 0
    for t in TESTS:
        if args.k and args.k not in t.__name__:
            continue
        t0 = time.time()
        try:
            t()
            passed += 1
            print("PASS %s (%.1fs)" % (t.__name__, time.time() - t0))
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            print("FAIL %s: %s" % (t.__name__, e))
            if not isinstance(e, Fail):
                traceback.print_exc()
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
