#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""System tests: dsbc between two network namespaces with real kernel UDP
peers, over net_af_packet on veth pairs the test creates and removes.

Prints one line per test and "N passed, N failed"; exit status 1 on any
failure.
"""
import argparse
import atexit
import base64
import shutil
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from netns import Topology, have_netns, sh  # noqa: E402
from dsbclib import (CTL, Dsbc, Fail, build_udp, check,  # noqa: E402,E501
                     check_promtool, dsbc_ctl, eq, parse_exposition,
                     pcap_read, pcap_write, sample)

BUILD = "build"

# A UDP peer run inside a namespace: sends COUNT datagrams of SIZE bytes
# from SPORT to DST:DPORT, 20 ms apart, and prints what arrives on SPORT
# meanwhile and for WAIT seconds after: "received N bytes B from A:P".
PEER = r"""
import socket, sys, time
sport, dst, dport, count, size, wait = sys.argv[1:7]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sport)))
s.settimeout(0.02)
got = 0; nbytes = 0; src = None
payload = bytes([0x80, 0]) + bytes((i * 7) & 0xff for i in range(int(size) - 2))
end = None
for i in range(int(count)):
    s.sendto(payload, (dst, int(dport)))
    try:
        d, a = s.recvfrom(4096); got += 1; nbytes += len(d); src = a
        ok = d == payload
    except socket.timeout:
        pass
end = time.time() + float(wait)
while time.time() < end:
    try:
        d, a = s.recvfrom(4096); got += 1; nbytes += len(d); src = a
    except socket.timeout:
        pass
print("received %d bytes %d from %s:%s" % (got, nbytes,
      src[0] if src else "-", src[1] if src else "-"))
"""


class OpsCapture:
    """What dsbc exports for operators during one test: its call detail
    records (a file) and its HEP packets (a UDP collector on loopback,
    where dsbc's export thread sends from the host's stack)."""

    def __init__(self, name, syslog=False):
        self.cdr_path = os.path.abspath("out/system/%s.cdr.json" % name)
        if os.path.exists(self.cdr_path):
            os.unlink(self.cdr_path)
        # [cdr] syslog = yes: a datagram socket at /dev/log stands in for
        # the syslog daemon this machine does not run (never one that is
        # there: then records go to the file and syslog_why says why)
        self.log = None
        self.syslog_why = None
        if syslog and os.path.exists("/dev/log") and not stale("/dev/log"):
            self.syslog_why = "/dev/log exists (a syslog daemon's)"
        elif syslog:
            if os.path.exists("/dev/log"):
                os.unlink("/dev/log")       # one a killed run left
            self.log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.log.bind("/dev/log")
            self.log.setblocking(False)
            atexit.register(lambda: os.path.exists("/dev/log") and
                            stale("/dev/log") and os.unlink("/dev/log"))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.packets = []

    def conf(self):
        cdr = "syslog = yes" if self.log else "file = %s" % self.cdr_path
        return "[cdr]\n%s\n[hep]\ncollector = 127.0.0.1:%d\n" \
            "agent_id = 77\n" % (cdr, self.sock.getsockname()[1])

    def cdrs(self):
        """Every line, each checked to be one JSON object; with syslog,
        every local0.info message (RFC 3164 PRI 134): the EAL's own log
        lines come as daemon."""
        if self.log is not None:
            out = []
            while True:
                try:
                    m = self.log.recv(70000).decode("utf-8")
                except BlockingIOError:
                    return out
                if m.startswith("<134>"):
                    out.append(json.loads(m[m.index("{"):]))
        if not os.path.exists(self.cdr_path):
            return []
        out = []
        with open(self.cdr_path) as f:
            for line in f:
                out.append(json.loads(line))
        return out

    def hep(self):
        """The HEP packets received so far, decoded (each with its bytes
        as "raw")."""
        while True:
            try:
                raw = self.sock.recv(70000)
            except BlockingIOError:
                return self.packets
            h = hep_decode(raw)
            h["raw"] = raw
            self.packets.append(h)

    def close(self):
        self.sock.close()
        if self.log is not None:
            self.log.close()
            os.unlink("/dev/log")
            self.log = None


def stale(path):
    """A datagram socket file nobody listens on any more."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(path)
        return False
    except OSError:
        return True
    finally:
        s.close()


def hep_decode(p):
    """A HEPv3 packet (the published sipcapture format: "HEP3", total
    length, then chunks of vendor, type, length, value) as a dict; a
    malformed one raises Fail."""
    check(p[:4] == b"HEP3", "HEP3 magic")
    eq(int.from_bytes(p[4:6], "big"), len(p), "HEP total length")
    d, off = {}, 6
    while off < len(p):
        check(len(p) - off >= 6, "HEP chunk header")
        vendor = int.from_bytes(p[off:off + 2], "big")
        typ = int.from_bytes(p[off + 2:off + 4], "big")
        ln = int.from_bytes(p[off + 4:off + 6], "big")
        check(vendor == 0 and ln >= 6 and off + ln <= len(p),
              "HEP chunk %d/%d/%d" % (vendor, typ, ln))
        v = p[off + 6:off + ln]
        if typ in (1, 2, 11):
            d[typ] = v[0]
        elif typ in (7, 8):
            d[typ] = int.from_bytes(v, "big")
        elif typ in (9, 10, 12):
            d[typ] = int.from_bytes(v, "big")
        elif typ in (3, 4, 5, 6):
            d[typ] = socket.inet_ntop(socket.AF_INET if len(v) == 4
                                      else socket.AF_INET6, v)
        else:
            d[typ] = v
        off += ln
    return dict(family=d.get(1), proto=d.get(2), src=d.get(3, d.get(5)),
                dst=d.get(4, d.get(6)), sport=d.get(7), dport=d.get(8),
                ts=d.get(9, 0) + d.get(10, 0) / 1e6, type=d.get(11),
                agent=d.get(12), corr=d.get(17, b"").decode(),
                payload=d.get(15, b""))


def hep_ladder(packets, call_id):
    """The SIP of one Call-ID as (sender, first line's method or status)
    in the order captured; a retransmission (same as the one before it)
    once."""
    out = []
    for h in packets:
        if h["type"] != 1 or h["corr"] != call_id:
            continue
        first = h["payload"].split(b"\r\n", 1)[0].decode()
        what = first.split()[1] if first.startswith("SIP/2.0") else \
            first.split()[0]
        item = ("%s:%d" % (h["src"], h["sport"]), what)
        if not out or out[-1] != item:
            out.append(item)
    return out


CDR_FIELDS = ("id", "start", "answer", "end", "duration_s", "talk_s",
              "reason", "status", "why", "route", "mode", "a", "b")
CDR_LEG_FIELDS = ("call_id", "local_uri", "remote_uri", "transport", "peer",
                  "keying", "packets", "bytes", "latched", "rtp", "stats")


def check_cdrs(cdrs, ended):
    """One record per ended call, each with every documented field."""
    eq(len(cdrs), ended, "call detail records, one per ended call")
    for r in cdrs:
        eq(sorted(r), sorted(CDR_FIELDS), "CDR fields")
        for leg in ("a", "b"):
            eq(sorted(r[leg]), sorted(CDR_LEG_FIELDS), "CDR leg fields")
        check(r["end"] >= r["start"], "CDR end after start")


def dsbc_conf(topo, path, dsbc_extra="", port0_extra="", port1_extra=""):
    with open(path, "w") as f:
        f.write(("""[dsbc]
arp_retry_ms = 100
""" + dsbc_extra + """
[port.0]
dev = net_af_packet0,iface=%s,qpairs=2
mac = 02:00:00:00:0a:01
ipv4 = 10.10.1.1/24
""" + port0_extra + """[port.1]
dev = net_af_packet1,iface=%s,qpairs=2
mac = 02:00:00:00:0b:01
ipv4 = 10.10.2.1/24
""" + port1_extra + """[flow.0]
local = 10.10.1.1:20000
remote = 10.10.2.20:30000
out_local = 10.10.2.1:20002
[flow.1]
local = 10.10.2.1:20002
remote = 10.10.1.10:40000
out_local = 10.10.1.1:20000
""") % (topo.host_if["alice"], topo.host_if["bob"]))


# A TCP echo server (in dsbc's namespace, on the exception interface's
# address) and a client (in a peer's): the client sends each size in
# turn and prints "echoed N/M" for the replies that came back whole.
TCP_ECHO_SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4)
s.settimeout(20)
c, a = s.accept()
print("peer %s:%d" % a, flush=True)
while True:
    d = c.recv(65536)
    if not d:
        break
    c.sendall(d)
"""
TCP_ECHO_CLIENT = r"""
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])),
                             timeout=float(sys.argv[4]) if len(sys.argv) > 4
                             else 10)
ok = 0
sizes = [int(x) for x in sys.argv[3].split(",")]
for n in sizes:
    msg = bytes((i * 31 + n) & 0xff for i in range(n))
    c.sendall(msg)
    got = b""
    while len(got) < n:
        d = c.recv(65536)
        if not d:
            break
        got += d
    ok += got == msg
c.close()
print("echoed %d/%d" % (ok, len(sizes)))
"""


def test_kernel_exception_path():
    """[port.0] exception = auto: TCP to dsbc's address on alice's side
    goes to the Linux stack through a kernel interface that carries that
    address (virtio_user over vhost-net where /dev/vhost-net opens, a TAP
    interface otherwise; this kernel is built without vhost-net) (a TCP echo server in dsbc's namespace answers alice's
    client, with segments over the MTU both ways), and what the kernel
    sends leaves by the DPDK port with dsbc's next hop MAC.  dsbc keeps
    ARP (the interface is NOARP).  Port 1 has no exception path: TCP to
    it is dropped (drop_tcp_no_kernel).  The interface goes with dsbc."""
    topo = Topology("ex")
    topo.setup()
    d = srv = None
    try:
        conf = os.path.abspath("out/system/exc.conf")
        dsbc_conf(topo, conf, port0_extra="exception = auto\n"
                  "exception_ifname = dsbcx0\n")
        d = Dsbc(BUILD, conf, "dsbc-sys-exc", lcores="0-1")
        d.wait_ready()
        link = sh("ip", "-o", "addr", "show", "dev", "dsbcx0").stdout
        ports = d.tel.query("/dsbc/ports")
        srv = subprocess.Popen([sys.executable, "-c", TCP_ECHO_SERVER,
                                "10.10.1.1", "5088"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        time.sleep(0.5)
        cli = topo.run("alice", [sys.executable, "-c", TCP_ECHO_CLIENT,
                                 "10.10.1.1", "5088", "10,1400,3000,20000"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
        out = cli.communicate(timeout=30)[0]
        srv_out = srv.communicate(timeout=30)[0]
        srv = None
        other = topo.run("bob", [sys.executable, "-c", TCP_ECHO_CLIENT,
                                 "10.10.2.1", "5088", "10", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
        other_out = other.communicate(timeout=30)[0]
        time.sleep(0.3)
        st = d.stats()
    finally:
        if srv is not None:
            srv.kill()
        rc = d.stop() if d else 0
        gone = sh("ip", "link", "show", "dsbcx0", check=False)
        topo.teardown()
    print("  dsbcx0: %s" % " ".join(link.split()[1:4]))
    print("  alice's client: %s; server saw %s; bob's (no exception "
          "path): %s" % (out.strip(), srv_out.strip(),
                         other_out.strip().splitlines()[-1]))
    print("  kern_punted %d kern_in %d kern_out %d kern_out_no_neigh %d "
          "kern_out_dropped %d drop_tcp_no_kernel %d" % (
              st["kern_punted"], st["kern_in"], st["kern_out"],
              st["kern_out_no_neigh"], st["kern_out_dropped"],
              st["drop_tcp_no_kernel"]))
    eq(rc, 0, "dsbc exit status")
    vhost = os.access("/dev/vhost-net", os.R_OK | os.W_OK)
    print("  exception paths: port0 %s, port1 %s (/dev/vhost-net %s)" % (
        ports["port0"]["exception"], ports["port1"]["exception"],
        "present" if vhost else "absent"))
    eq(ports["port0"]["exception"], "virtio_user" if vhost else "tap",
       "auto: virtio_user where vhost-net is, else tap")
    eq(ports["port1"]["exception"], "none", "port 1 has none")
    check("10.10.1.1/24" in link, "the interface carries port 0's address")
    eq(out.strip(), "echoed 4/4", "TCP echoed through the kernel path")
    check(srv_out.startswith("peer 10.10.1.10:"), "the server saw alice")
    check("echoed" not in other_out, "no TCP on port 1")
    check_ge(st["drop_tcp_no_kernel"], 1, "bob's SYN dropped")
    check_ge(st["kern_in"], 10, "segments to the kernel")
    eq(st["kern_in"], st["kern_punted"], "every punted frame reached it")
    check_ge(st["kern_out"], 10, "segments from the kernel")
    check(gone.returncode != 0, "the interface is gone with dsbc")


def test_sip_tcp_to_udp():
    """SIP over TCP (RFC 3261 18): alice's sipp calls over TCP (-t t1)
    to dsbc's address on the port with the kernel exception path; dsbc
    answers on her connection (100, 180, 200, the BYE's 200), with
    ;transport=tcp in its Contact, and calls bob over UDP: transport
    interworking across the legs.  The connection is counted open while
    the call is up, and RTP flows both ways."""
    res = {}

    def during(d, topo, call):
        res["sip"] = d.tel.query("/dsbc/sip")

    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_tcp.xml"),
                   MEDIA="", HOLD_MS="1000", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_tcp.xml"))
    log = os.path.abspath("out/system/tcp_uac_msgs.log")
    if os.path.exists(log):
        os.unlink(log)
    r = run_call("tcp", uac, uas, extra_uac=["-t", "t1", "-trace_msg",
                                             "-message_file", log],
                 during=during, port0_extra="exception = tap\n")
    sip = r["sip"]
    with open(log, errors="replace") as f:
        msgs = f.read()
    ok = msgs[msgs.index("SIP/2.0 200 OK"):] if "SIP/2.0 200 OK" in msgs \
        else ""
    contact = re.search(r"Contact:\s*(<[^>]*>)", ok)
    print("  alice over TCP: rc %d; dsbc's Contact to her %s; tcp: "
          "accepted %d open during the call %s, rx_msgs %d tx_msgs %d "
          "closed %d" % (r["uac_rc"], contact.group(1) if contact else "-",
                         sip["tcp_accepted"],
                         res.get("sip", {}).get("tcp_open"),
                         sip["tcp_rx_msgs"], sip["tcp_tx_msgs"],
                         sip["tcp_closed"]))
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    eq(sip["tcp_accepted"], 1, "one connection from alice")
    eq(res.get("sip", {}).get("tcp_open"), 1, "open while the call is up")
    check_ge(sip["tcp_rx_msgs"], 3, "INVITE, ACK, BYE over TCP")
    check_ge(sip["tcp_tx_msgs"], 3, "dsbc's responses over TCP")
    check(contact is not None and ";transport=tcp" in contact.group(1),
          "dsbc's Contact keeps alice on TCP")
    eq(sip["tcp_bad_length"] + sip["tcp_too_big"], 0, "framing errors")


# From alice's namespace: three connections to dsbc's SIP port; on the
# first a keepalive ping, then a message without Content-Length.  Prints
# what each step saw.
TCP_SIP_PROBE = r"""
import socket, sys, time
dst = (sys.argv[1], int(sys.argv[2]))
cs = []
for i in range(3):
    c = socket.create_connection(dst, timeout=3)
    cs.append(c)
time.sleep(0.5)
# the third is over the per-source cap: closed by dsbc at once
cs[2].settimeout(2)
try:
    d = cs[2].recv(100)
    print("third: closed" if d == b"" else "third: data")
except socket.timeout:
    print("third: open")
except ConnectionResetError:
    print("third: closed")
cs[0].sendall(b"\r\n\r\n")
cs[0].settimeout(2)
print("pong: %r" % cs[0].recv(100))
cs[0].sendall(b"OPTIONS sip:dsbc@%s SIP/2.0\r\nVia: SIP/2.0/TCP h;"
              b"branch=z9hG4bKx\r\n\r\n" % sys.argv[1].encode())
try:
    d = cs[0].recv(100)
    print("no length: closed" if d == b"" else "no length: %r" % d)
except (socket.timeout, ConnectionResetError):
    print("no length: reset")
"""


def users_file(path, users, realm="example.com"):
    """A users file ([auth] users_file): an HA1 per user and algorithm."""
    import hashlib
    with open(path, "w") as f:
        f.write("# user realm algorithm ha1\n")
        for user, pw in users:
            for alg, h in (("MD5", hashlib.md5),
                           ("SHA-256", hashlib.sha256)):
                f.write("%s %s %s %s\n" % (user, realm, alg, h(
                    ("%s:%s:%s" % (user, realm, pw)).encode()).hexdigest()))
    return path


USERS_CONF = """[auth]
users_file = %s
fail_max = 20
[realm.0]
name = example.com
algorithms = MD5
[registrar]
domain = example.com
realm = example.com
keepalive_s = 0
"""


def sipp_in(topo, who, scen, ip, port, target, timeout=30):
    return subprocess.run(
        ["ip", "netns", "exec", topo.ns[who], "sipp", "-sf", scen, "-i", ip,
         "-p", str(port), "-m", "1", "-nostdin", "-timeout", "20",
         "-timeout_error", target], capture_output=True, text=True,
        timeout=timeout)


def test_register_digest_nat_call():
    """The registrar with digest, against sipp: bob registers through dsbc
    from 10.10.2.20:5062 while his Contact says 192.168.55.5:5060 (a NAT,
    as the source port and address differ).  A wrong password gets 401
    again and is counted; the right one (MD5, qop=auth) binds him, cut to
    nat_expires.  alice's INVITE to sip:bob@example.com gets 407, then
    with her credentials reaches bob where his REGISTER came from (the
    NAT's side), with his Contact as Request-URI; the call completes."""
    topo = Topology("rg")
    topo.setup()
    d = None
    try:
        conf = os.path.abspath("out/system/register.conf")
        dsbc_conf(topo, conf)
        users = users_file(os.path.abspath("out/system/users"),
                           [("alice", "alice-pw"), ("bob", "bob-pw")])
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n" +
                    USERS_CONF % users)
        d = Dsbc(BUILD, conf, "dsbc-sys-register", lcores="0-1")
        d.wait_ready()
        wrong = scenario("reg_bob.xml", os.path.abspath(
            "out/system/reg_bob_wrong.xml"), PW="guess", FINAL="401")
        right = scenario("reg_bob.xml", os.path.abspath(
            "out/system/reg_bob.xml"), PW="bob-pw", FINAL="200")
        r1 = sipp_in(topo, "bob", wrong, "10.10.2.20", 5062, "10.10.2.1:5060")
        r2 = sipp_in(topo, "bob", right, "10.10.2.20", 5062, "10.10.2.1:5060")
        regs = d.tel.query("/dsbc/registrations")
        # bob answers where he registered from: port 5062
        uas_xml = uas_scenario(os.path.abspath("out/system/uas_reg.xml"))
        uas = topo.run("bob", ["sipp", "-sf", uas_xml, "-i", "10.10.2.20",
                               "-p", "5062", "-mp", "6000", "-m", "1",
                               "-nostdin", "-timeout", "30",
                               "-timeout_error", "-trace_msg",
                               "-message_file",
                               os.path.abspath("out/system/uas_reg.log")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
        time.sleep(0.5)
        uac_xml = scenario("uac_auth_call.xml", os.path.abspath(
            "out/system/uac_auth_call.xml"), PW="alice-pw")
        r3 = sipp_in(topo, "alice", uac_xml, "10.10.1.10", 5070,
                     "10.10.1.1:5060", timeout=60)
        try:
            uas_out = uas.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            uas.kill()
            uas_out = uas.communicate()
        calls, _ = settle(d)
        sip = d.tel.query("/dsbc/sip")
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    with open("out/system/uas_reg.log", errors="replace") as f:
        bob_saw = f.read()
    inv = re.search(r"^INVITE (\S+) SIP/2.0", bob_saw, re.M)
    line = (regs.get("list") or ["-"])[0]
    print("  bob: wrong password rc %d, right rc %d; binding: %s" %
          (r1.returncode, r2.returncode, line))
    print("  alice -> bob: rc %d, bob answered %d; bob's INVITE to %s; "
          "auth: challenges %d ok %d failed %d" %
          (r3.returncode, successful(uas_out[0]),
           inv.group(1) if inv else "-", sip["auth_challenges"],
           sip["auth_ok"], sip["auth_failed"]))
    eq(rc, 0, "dsbc exit status")
    eq(r1.returncode, 0, "wrong password challenged again (%s)" %
       r1.stderr[-300:])
    eq(r2.returncode, 0, "bob registered (%s)" % r2.stderr[-300:])
    eq(regs["bindings"], 1, "one binding")
    check(line.startswith("bob@example.com sip:bob@192.168.55.5:5060 via "
                          "10.10.2.20:5062/udp nat "),
          "the binding keeps where bob's REGISTER came from: " + line)
    check(int(line.split()[-1].rstrip("s")) <= 90, "cut to nat_expires")
    eq(r3.returncode, 0, "alice's call (%s)" % r3.stderr[-300:])
    eq(successful(uas_out[0]), 1, "bob answered")
    eq(inv.group(1) if inv else None, "sip:bob@192.168.55.5:5060",
       "bob's Request-URI: his Contact")
    eq(sip["auth_failed"], 1, "the wrong password counted")
    eq(sip["auth_ok"], 2, "bob's REGISTER and alice's INVITE")
    check_ge(sip["auth_challenges"], 2, "401 to bob, 407 to alice")
    eq(calls["answered"], 1, "answered")


def make_pki(out):
    """A test CA and, signed by it: dsbc's certificate (sip.example.com,
    IP 10.10.1.1), another for SNI (other.example.org), client
    certificates of alice, bob and a trunk (trunk.example.net).  Made once per directory; returns a dict of file
    paths."""
    os.makedirs(out, exist_ok=True)
    f = {k: os.path.join(out, k) for k in (
        "ca.key", "ca.crt", "sip.key", "sip.crt", "other.key", "other.crt",
        "alice.key", "alice.crt", "bob.key", "bob.crt", "trunk.key",
        "trunk.crt")}
    if all(os.path.exists(p) for p in f.values()):
        return f              # made already: one CA for all who use it

    def run(*a):
        subprocess.run(a, check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", f["ca.key"], "-out",
        f["ca.crt"], "-days", "2", "-subj", "/CN=dsbc test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign")
    for who, cn, san in (("sip", "sip.example.com",
                          "DNS:sip.example.com,IP:10.10.1.1"),
                         ("other", "other.example.org",
                          "DNS:other.example.org"),
                         ("alice", "alice.example.com",
                          "DNS:alice.example.com"),
                         ("bob", "bob.example.com", "DNS:bob.example.com"),
                         ("trunk", "trunk.example.net",
                          "DNS:trunk.example.net")):
        csr = os.path.join(out, who + ".csr")
        ext = os.path.join(out, who + ".ext")
        with open(ext, "w") as e:
            e.write("subjectAltName=%s\n" % san)
        run("openssl", "req", "-new", *ec, "-keyout", f[who + ".key"],
            "-out", csr, "-subj", "/CN=" + cn)
        run("openssl", "x509", "-req", "-in", csr, "-CA", f["ca.crt"],
            "-CAkey", f["ca.key"], "-CAcreateserial", "-days", "2",
            "-out", f[who + ".crt"], "-extfile", ext)
    return f


def tls_conf(pki, verify="none", extra=""):
    return ("[tls]\ncert = %s\nkey = %s\nca = %s\nverify_client = %s\n"
            "handshake_s = 2\n%s[tls.0]\nname = other.example.org\n"
            "cert = %s\nkey = %s\n" % (pki["sip.crt"], pki["sip.key"],
                                       pki["ca.crt"], verify, extra,
                                       pki["other.crt"], pki["other.key"]))


# From alice's namespace, as TLS clients of dsbc's SIP port: an OPTIONS
# per server name asked (the certificate's CN comes back), a wrong name
# (the client's check refuses dsbc's certificate), plain TCP on the TLS
# port, and a client that connects and stalls.  A line per probe.
TLS_PROBE = r"""
import socket, ssl, sys, time
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cert = sys.argv[4:6] if len(sys.argv) > 5 else None
OPT = ("OPTIONS sip:dsbc@%s SIP/2.0\r\nVia: SIP/2.0/TLS 10.10.1.10:5071;"
       "branch=z9hG4bKtls%d\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:dsbc@%s>\r\n"
       "Call-ID: tls%d@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
def probe(i, sni):
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert[0], cert[1])
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname=sni) as t:
                cn = dict(x[0] for x in t.getpeercert()["subject"])
                t.sendall((OPT % (host, i, host, i)).encode())
                d = t.recv(4000).decode(errors="replace")
                return "%s %s %s" % (cn.get("commonName"), t.version(),
                                     d.split("\r\n")[0])
    except ssl.SSLCertVerificationError as e:
        return "refused by client: %s" % e.verify_message
    except (ssl.SSLError, OSError) as e:
        return "failed: %s" % e.__class__.__name__
print("default:", probe(1, "sip.example.com"))
print("sni:", probe(2, "other.example.org"))
print("wrong name:", probe(3, "evil.example.net"))
if cert is None:
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"OPTIONS sip:x SIP/2.0\r\n\r\n")
    try:
        print("plain:", "closed" if s.recv(100) == b"" else "data")
    except OSError:
        print("plain: closed")
    s = socket.create_connection((host, port), timeout=10)
    t0 = time.time()
    try:
        d = s.recv(100)
        print("stall: %s after %.0f s" % ("closed" if d == b"" else "data",
                                           time.time() - t0))
    except OSError:
        print("stall: closed after %.0f s" % (time.time() - t0))
"""


def test_sip_tls_probes():
    """SIP over TLS (RFC 3261 26.2) on [tls] port 5061, against Python's
    ssl module and openssl s_client: dsbc's certificate checks against
    the test CA for sip.example.com, the [tls.0] one comes back for SNI
    other.example.org, an OPTIONS is answered over TLS; a wrong host name
    is refused by the client's check; TLS 1.1 (below the 1.2 floor),
    plain TCP on the TLS port and a client that stalls in the handshake
    (handshake_s = 2) are refused and counted (tls_failed,
    tls_timeouts).  Then with verify_client = require: s_client without
    a certificate is refused, Python with alice's (signed by the CA) is
    served."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    topo = Topology("tl")
    topo.setup()
    d = None
    res = {}
    try:
        for phase, verify in (("open", "none"), ("mtls", "require")):
            conf = os.path.abspath("out/system/tls_%s.conf" % phase)
            dsbc_conf(topo, conf, port0_extra="exception = tap\n")
            with open(conf, "a") as f:
                f.write(tls_conf(pki, verify))
            d = Dsbc(BUILD, conf, "dsbc-sys-tls" + phase, lcores="0-1")
            d.wait_ready()
            args = [sys.executable, "-c", TLS_PROBE, "10.10.1.1", "5061",
                    pki["ca.crt"]]
            if phase == "mtls":
                args += [pki["alice.crt"], pki["alice.key"]]
            p = topo.run("alice", args, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
            out = p.communicate(timeout=40)[0]
            s_cmd = ("echo | timeout 5 openssl s_client -connect "
                     "10.10.1.1:5061 -servername sip.example.com "
                     "-CAfile %s %s 2>&1 | grep -iE 'alert|protocol|"
                     "Verify return|error' | head -3" % (pki["ca.crt"],
                     "-tls1_1 -cipher DEFAULT@SECLEVEL=0"
                     if phase == "open" else "-tls1_2"))
            sc = openssl_peer(topo, "alice", s_cmd).communicate(
                timeout=20)[0]
            time.sleep(0.5)
            res[phase] = (out, sc, d.tel.query("/dsbc/sip"))
            rc = d.stop()
            d = None
            eq(rc, 0, "dsbc exit status (%s)" % phase)
    finally:
        if d:
            d.stop()
        topo.teardown()
    out, sc, sip = res["open"]
    print("  " + "; ".join(out.strip().splitlines()))
    print("  s_client -tls1_1: " + " | ".join(sc.strip().splitlines()))
    print("  tls: accepted %d handshakes %d failed %d timeouts %d" %
          (sip["tls_accepted"], sip["tls_handshakes"], sip["tls_failed"],
           sip["tls_timeouts"]))
    check("default: sip.example.com TLSv1.3 SIP/2.0 200 OK" in out,
          "OPTIONS over TLS answered with dsbc's certificate")
    check("sni: other.example.org TLSv1.3 SIP/2.0 200 OK" in out,
          "the SNI certificate served")
    check("wrong name: refused by client" in out,
          "a wrong host name refused")
    check("plain: closed" in out, "plain TCP on the TLS port closed")
    m = re.search(r"stall: closed after (\d+) s", out)
    check(m is not None and 1 <= int(m.group(1)) <= 5,
          "a stalled handshake closed within handshake_s")
    check(re.search(r"alert|no protocols|wrong version", sc, re.I),
          "TLS 1.1 refused")
    # the wrong name's client gives up before its Finished: dsbc sees
    # that handshake fail too
    eq(sip["tls_handshakes"], 2, "two handshakes completed")
    check_ge(sip["tls_failed"], 3, "wrong name, plain TCP, TLS 1.1")
    eq(sip["tls_timeouts"], 1, "the stalled client timed out")
    out, sc, sip = res["mtls"]
    print("  with verify_client = require: " +
          "; ".join(out.strip().splitlines()))
    print("  s_client without a certificate: " +
          " | ".join(sc.strip().splitlines()))
    print("  tls: handshakes %d failed %d" % (sip["tls_handshakes"],
                                              sip["tls_failed"]))
    check("default: sip.example.com TLSv1.3 SIP/2.0 200 OK" in out,
          "alice's certificate accepted")
    check_ge(sip["tls_failed"], 1, "no client certificate refused")
    check(re.search(r"alert|certificate required", sc, re.I),
          "s_client told why")


STUNNEL_CONF = """foreground = yes
pid =
[sip]
client = yes
accept = 127.0.0.1:5080
connect = 10.10.1.1:5061
CAfile = %s
verifyChain = yes
checkHost = sip.example.com
sni = sip.example.com
"""


def test_sip_tls_call_stunnel():
    """A call with alice on TLS: Debian's sipp has no TLS, so stunnel4
    in alice's namespace carries her TCP (-t t1) over TLS to dsbc's port
    5061, checking dsbc's certificate for sip.example.com against the
    test CA.  dsbc answers on her TLS connection (Contact
    ;transport=tls, port 5061) and calls bob over UDP: TLS to UDP
    interworking across the legs."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    st_conf = os.path.abspath("out/system/stunnel_alice.conf")
    with open(st_conf, "w") as f:
        f.write(STUNNEL_CONF % pki["ca.crt"])
    res = {}

    def during(d, topo, call):
        res["sip"] = d.tel.query("/dsbc/sip")

    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_tls.xml"),
                   MEDIA="", HOLD_MS="1000", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_tls.xml"))
    log = os.path.abspath("out/system/tls_uac_msgs.log")
    if os.path.exists(log):
        os.unlink(log)
    r = run_call("tls", uac, uas,
                 extra_uac=["-t", "t1", "-trace_msg", "-message_file", log,
                            "-mi", "10.10.1.10"],
                 during=during, port0_extra="exception = tap\n",
                 conf_extra=tls_conf(pki), uac_ip="127.0.0.1",
                 uac_target="127.0.0.1:5080",
                 uac_helper=["stunnel4", st_conf])
    sip = r["sip"]
    with open(log, errors="replace") as f:
        msgs = f.read()
    ok = msgs[msgs.index("SIP/2.0 200 OK"):] if "SIP/2.0 200 OK" in msgs \
        else ""
    contact = re.search(r"Contact:\s*(<[^>]*>)", ok)
    print("  alice over TLS (stunnel): rc %d; dsbc's Contact to her %s; "
          "tls: handshakes %d open during the call %s, tcp_rx_msgs %d" %
          (r["uac_rc"], contact.group(1) if contact else "-",
           sip["tls_handshakes"], res.get("sip", {}).get("tcp_open"),
           sip["tcp_rx_msgs"]))
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    eq(sip["tls_handshakes"], 1, "one TLS connection from alice")
    eq(res.get("sip", {}).get("tcp_open"), 1, "open while the call is up")
    check(contact is not None and
          contact.group(1).endswith(":5061;transport=tls>"),
          "dsbc's Contact keeps alice on TLS")


def test_route_tcp_to_bob():
    """TCP towards B (route transport = tcp, RFC 3261 18): alice calls
    over UDP, dsbc opens one TCP connection from its core address to
    bob's sipp (-t t1) and sends the INVITE, ACK and BYE on it (Via
    SIP/2.0/TCP, Request-URI ;transport=tcp); nothing is retransmitted
    on it (RFC 3261 17.1.1.2)."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_rt.xml"),
                   MEDIA="", HOLD_MS="500", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_rt.xml"))
    log = os.path.abspath("out/system/rt_uas_msgs.log")
    if os.path.exists(log):
        os.unlink(log)
    r = run_call("rtcp", uac, uas, conf_extra="transport = tcp\n",
                 port1_extra="exception = tap\n",
                 extra_uas=["-t", "t1", "-trace_msg", "-message_file", log])
    sip = r["sip"]
    with open(log, errors="replace") as f:
        msgs = f.read()
    inv = re.search(r"^INVITE (\S+) SIP/2.0\s+Via: (\S+ \S+)", msgs, re.M)
    print("  bob over TCP: rc %d; INVITE %s; connects %d reused %d "
          "tx_msgs %d; transport errors %d" %
          (r["uas_rc"], inv.groups() if inv else "-", sip["tcp_connects"],
           sip["tcp_reused"], sip["tcp_tx_msgs"],
           sip["transport_errors"]))
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    eq(sip["tcp_connects"], 1, "one connection to bob")
    check_ge(sip["tcp_reused"], 2, "ACK and BYE on it")
    check(inv is not None and inv.group(1).endswith(";transport=tcp") and
          inv.group(2).startswith("SIP/2.0/TCP 10.10.2.1:5060"),
          "the INVITE names TCP")
    eq(msgs.count("INVITE sip:"), 1, "the INVITE sent once")


# A trunk's SIP over TCP, as a minimal UA: it connects to dsbc, sends an
# OPTIONS whose Via offers the connection with ;alias (RFC 5923) for
# SENT_BY (where nothing listens), then answers what comes back on the
# connection: INVITE (200 with SDP, Contact at SENT_BY), ACK, BYE (200).
# Prints one line per message; with "probe", stops after the OPTIONS
# and keeps the connection open for HOLD seconds.
TRUNK_PEER = r"""
import re, socket, sys, time
dsbc, sent_by, mode, hold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.create_connection((dsbc, 5060), timeout=20)
buf = b""
def read_msg():
    global buf
    while True:
        i = buf.find(b"\r\n\r\n")
        if i >= 0:
            head = buf[:i].decode(errors="replace")
            m = re.search(r"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
            n = int(m.group(1)) if m else 0
            if len(buf) >= i + 4 + n:
                msg = buf[:i + 4 + n].decode(errors="replace")
                buf = buf[i + 4 + n:]
                return msg
        try:
            d = s.recv(65536)
        except socket.timeout:
            return None
        if not d:
            return None
        buf += d
def hdr(msg, name):
    m = re.search(r"(?im)^%s\s*:\s*(.*)$" % name, msg)
    return m.group(1).strip() if m else ""
def answer(req, code, reason, extra="", body=""):
    to = hdr(req, "To")
    if "tag=" not in to:
        to += ";tag=trunk1"
    vias = "".join("Via: %s\r\n" % v for v in
                   re.findall(r"(?im)^Via\s*:\s*(.*?)\s*$", req))
    s.sendall(("SIP/2.0 %d %s\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
               "CSeq: %s\r\n%sContent-Length: %d\r\n\r\n%s" % (
                   code, reason, vias, hdr(req, "From"), to,
                   hdr(req, "Call-ID"), hdr(req, "CSeq"), extra, len(body),
                   body)).encode())
s.sendall(("OPTIONS sip:dsbc@%s SIP/2.0\r\n"
           "Via: SIP/2.0/TCP %s;alias;branch=z9hG4bKalias%d\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:trunk@%s>;tag=o1\r\n"
           "To: <sip:dsbc@%s>\r\nCall-ID: alias%d@x\r\n"
           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (
               dsbc, sent_by, time.time_ns() % 100000, sent_by, dsbc,
               time.time_ns() % 100000)).encode())
print("options: " + (read_msg() or "none").split("\r\n")[0], flush=True)
if mode == "probe":
    s.settimeout(hold)
    m = read_msg()
    print("then: " + (m.split("\r\n")[0] if m else "nothing"), flush=True)
    sys.exit(0)
while True:
    m = read_msg()
    if m is None:
        print("closed", flush=True)
        break
    first = m.split("\r\n")[0]
    print("got: " + first, flush=True)
    if first.startswith("INVITE"):
        sdp = ("v=0\r\no=bob 1 1 IN IP4 10.10.2.20\r\ns=-\r\n"
               "c=IN IP4 10.10.2.20\r\nt=0 0\r\n"
               "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
        answer(m, 200, "OK", "Contact: <sip:bob@%s;transport=tcp>\r\n"
               "Content-Type: application/sdp\r\n" % sent_by, sdp)
    elif first.startswith("BYE"):
        answer(m, 200, "OK")
        break
    elif not first.startswith(("ACK", "SIP/2.0")):
        answer(m, 200, "OK")
s.close()
"""


# From alice's namespace, a TLS client of dsbc's port 5061 showing the
# certificate given (or none): an INVITE, then a REGISTER; prints the
# status lines each got within a second, "INVITE: 100 407".
TLS_AS = r"""
import socket, ssl, sys, time
ca, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
if cert != "-":
    ctx.load_cert_chain(cert, key)
SDP = ("v=0\r\no=t 1 1 IN IP4 10.10.1.10\r\ns=-\r\nc=IN IP4 10.10.1.10"
       "\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n")
REQ = ("%s %s SIP/2.0\r\nVia: SIP/2.0/TLS 10.10.1.10:5071;branch=z9hG4bK%s"
       "\r\nMax-Forwards: 70\r\nFrom: <sip:carrier@example.net>;tag=f%s\r\n"
       "To: <%s>\r\nCall-ID: %s@trunk\r\nCSeq: 1 %s\r\n"
       "Contact: <sip:carrier@10.10.1.10:5071;transport=tls>\r\n%s"
       "Content-Length: %d\r\n\r\n%s")
with socket.create_connection(("10.10.1.1", 5061), timeout=5) as raw:
    with ctx.wrap_socket(raw, server_hostname="sip.example.com") as t:
        for m, uri, body in (("INVITE", "sip:bob@10.10.2.20", SDP),
                             ("REGISTER", "sip:example.com", "")):
            tag = "%s%d" % (m[:3], time.time_ns() % 100000)
            t.sendall((REQ % (m, uri, tag, tag, uri.replace(
                "sip:example.com", "sip:carrier@example.com"), tag, m,
                "Content-Type: application/sdp\r\n" if body else "",
                len(body), body)).encode())
            t.settimeout(1.0)
            got, end = b"", time.time() + 1.0
            while time.time() < end:
                try:
                    d = t.recv(65536)
                except socket.timeout:
                    break
                if not d:
                    break
                got += d
            codes = [l.split()[1] for l in got.decode(errors="replace")
                     .split("\r\n") if l.startswith("SIP/2.0 ")]
            print("%s: %s" % (m, " ".join(codes) or "-"), flush=True)
"""


def test_trunk_by_tls_client_cert():
    """A trunk known by its TLS client certificate ([trunk.0] tls_name =
    trunk.example.net, [tls] verify_client = optional), from an address
    no trunk has: its INVITE goes to bob unchallenged, though INVITEs are
    challenged (a realm); its REGISTER is refused (403: a trunk may call,
    not register).  The same requests with alice's certificate (signed
    by the same CA, another name) or none are challenged (407/401)."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    topo = Topology("tc")
    topo.setup()
    d = None
    out = {}
    try:
        conf = os.path.abspath("out/system/trunkcert.conf")
        dsbc_conf(topo, conf, tls_conf(pki, "optional"),
                  port0_extra="exception = tap\n")
        users = users_file(os.path.abspath("out/system/users_tc"),
                           [("alice", "alice-pw")])
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n"
                    "auth = example.com\n" + USERS_CONF % users +
                    "[trunk.0]\ntls_name = trunk.example.net\n")
        d = Dsbc(BUILD, conf, "dsbc-sys-trunkcert", lcores="0-1")
        d.wait_ready()
        bob = topo.run("bob", [sys.executable, "-c", UDP_SINK,
                               "10.10.2.20", "5060", "5"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
        for who, cert in (("trunk", (pki["trunk.crt"], pki["trunk.key"])),
                          ("alice", (pki["alice.crt"], pki["alice.key"])),
                          ("none", ("-", "-"))):
            p = topo.run("alice", [sys.executable, "-c", TLS_AS,
                                   pki["ca.crt"], cert[0], cert[1]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
            out[who] = p.communicate(timeout=20)[0].strip().splitlines()
        out["bob"] = bob.communicate(timeout=20)[0].strip().splitlines()
        sip = d.tel.query("/dsbc/sip")
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    for who in ("trunk", "alice", "none"):
        print("  %s certificate: %s" % (who, "; ".join(out[who])))
    print("  bob got: %s" % " | ".join(out["bob"]))
    print("  tls_trunk_certs %d auth_trunk %d auth_challenges %d" % (
        sip["tls_trunk_certs"], sip["auth_trunk"], sip["auth_challenges"]))
    eq(rc, 0, "dsbc exit status")
    eq(out["trunk"], ["INVITE: 100", "REGISTER: 403"],
       "the trunk calls unchallenged, and may not register")
    eq(out["alice"], ["INVITE: 100 407", "REGISTER: 401"],
       "another certificate is challenged")
    eq(out["none"], ["INVITE: 100 407", "REGISTER: 401"],
       "no certificate: challenged")
    eq(sip["tls_trunk_certs"], 1, "one client proved a trunk")
    check_ge(sip["auth_trunk"], 1, "trusted as a trunk")
    check(any(x.startswith("INVITE sip:bob@10.10.2.20") for x in out["bob"]),
          "the trunk's INVITE reached bob")


# A UDP listener: prints the first line of each datagram for WAIT s.
UDP_SINK = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(0.2)
end = time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        d, a = s.recvfrom(65536)
    except socket.timeout:
        continue
    print(d.decode(errors="replace").split("\r\n")[0], flush=True)
"""


def test_trunk_tcp_alias():
    """RFC 5923 connection reuse from a trunk: bob (a [trunk.N] by
    address) opens TCP to dsbc and offers it with ;alias for
    10.10.2.20:5099, where nothing listens; the route to bob names that
    address with transport = tcp.  alice's call (sipp, UDP) reaches bob
    on his own connection, its ACK and BYE too, and dsbc opens none.
    Before that, alice (no trunk) offered her TCP connection with ;alias
    for bob's 10.10.2.20:5099: refused and counted, so nothing of bob's
    is drawn onto her connection."""
    topo = Topology("al")
    topo.setup()
    d = None
    out = {}
    try:
        conf = os.path.abspath("out/system/alias.conf")
        dsbc_conf(topo, conf, port0_extra="exception = tap\n",
                  port1_extra="exception = tap\n")
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5099\n"
                    "transport = tcp\n[trunk.0]\naddr = 10.10.2.20\n")
        d = Dsbc(BUILD, conf, "dsbc-sys-alias", lcores="0-1")
        d.wait_ready()
        thief = topo.run("alice", ["python3", "-c", TRUNK_PEER, "10.10.1.1",
                                   "10.10.2.20:5099", "probe", "8"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
        trunk = topo.run("bob", ["python3", "-c", TRUNK_PEER, "10.10.2.1",
                                 "10.10.2.20:5099", "serve", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
        time.sleep(1)
        out["after_options"] = d.tel.query("/dsbc/sip")
        uac = scenario("uac_call.xml", os.path.abspath(
            "out/system/uac_alias.xml"), MEDIA="", HOLD_MS="500",
            END_A=A_BYE)
        r = sipp_in(topo, "alice", uac, "10.10.1.10", 5070, "10.10.1.1:5060")
        try:
            out["trunk"] = trunk.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            trunk.kill()
            out["trunk"] = trunk.communicate()[0]
        out["thief"] = thief.communicate(timeout=20)[0]
        calls, _ = settle(d)
        sip = d.tel.query("/dsbc/sip")
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    print("  trunk: %s" % " | ".join(out["trunk"].strip().splitlines()))
    print("  alice's alias: %s" % " | ".join(
        out["thief"].strip().splitlines()))
    print("  alias accepted %d refused %d used %d; tcp connects %d "
          "accepted %d" % (sip["alias_accepted"], sip["alias_refused"],
                           sip["alias_used"], sip["tcp_connects"],
                           sip["tcp_accepted"]))
    eq(rc, 0, "dsbc exit status")
    eq(out["after_options"]["alias_refused"], 1, "alice's alias refused")
    eq(out["after_options"]["alias_accepted"], 1, "bob's alias taken")
    eq(r.returncode, 0, "alice's call (%s)" % r.stderr[-300:])
    eq(calls["answered"], 1, "answered")
    lines = out["trunk"].splitlines()
    check(lines[:1] == ["options: SIP/2.0 200 OK"], "bob's OPTIONS answered")
    check(any(re.match(r"got: INVITE sip:\w+@10\.10\.2\.20:5099;"
                       r"transport=tcp SIP/2\.0$", x) for x in lines),
          "the INVITE came on bob's connection")
    check(any(x.startswith("got: ACK ") for x in lines), "and the ACK")
    check(any(x.startswith("got: BYE ") for x in lines), "and the BYE")
    eq(sip["tcp_connects"], 0, "dsbc opened no connection")
    check_ge(sip["alias_used"], 3, "INVITE, ACK and BYE on the alias")
    eq(out["thief"].splitlines(), ["options: SIP/2.0 200 OK",
                                   "then: nothing"],
       "nothing but her OPTIONS' answer on alice's connection")


def test_stir_sign_secsipidx_check():
    """The STIR authentication service against an independent verifier:
    alice (sipp, a [trunk.N]) calls +12025550102 from +12025550101
    through a route with stir_sign; bob's sipp logs the INVITE it got,
    and secsipidx (Debian, Go) checks dsbc's Identity header in it with
    the public half of dsbc's [stir] key: "ok".  The same header with
    one claims byte changed is "not-ok".  A's DTLS fingerprint is in the
    PASSporT's mky."""
    out = os.path.abspath("out/system/stir")
    os.makedirs(out, exist_ok=True)
    key, pub = os.path.join(out, "sp.key"), os.path.join(out, "sp.pub")
    subprocess.run(["openssl", "ecparam", "-genkey", "-name", "prime256v1",
                    "-noout", "-out", key], check=True, capture_output=True)
    subprocess.run(["openssl", "ec", "-in", key, "-pubout", "-out", pub],
                   check=True, capture_output=True)
    uac = scenario("uac_call.xml", os.path.join(out, "uac.xml"), MEDIA="",
                   HOLD_MS="500", END_A=A_BYE)
    with open(uac) as f:
        x = f.read().replace('From: "alice" <sip:alice@[local_ip]:'
                             '[local_port]>', 'From: "alice" <sip:'
                             '+12025550101@[local_ip]:[local_port];'
                             'user=phone>')
    with open(uac, "w") as f:
        f.write(x)
    uas = uas_scenario(os.path.join(out, "uas.xml"))
    log = os.path.join(out, "uas_msgs.log")
    if os.path.exists(log):
        os.unlink(log)
    r = run_call("stir", uac, uas, service="+12025550102",
                 conf_extra="stir_sign = yes\n[stir]\nkey = %s\n"
                 "x5u = https://certs.example.com/sp.pem\n"
                 "[trunk.0]\naddr = 10.10.1.10\n" % key,
                 extra_uas=["-trace_msg", "-message_file", log])
    sipp_ok(r)
    with open(log, errors="replace") as f:
        msgs = f.read()
    # the INVITE as often as it came (a retransmission is the same);
    # alice's scenario brings an Identity of its own, passed byte for byte
    found = re.findall(r"^Identity: (\S+)\s*$", msgs, re.M)
    ids = sorted(set(i for i in found if "certs.example.com" in i))
    print("  Identity headers at bob: %d distinct, dsbc's %d; signed %d "
          "skipped %d" % (len(set(found)), len(ids),
                          r["sip"]["stir_signed"],
                          r["sip"]["stir_sign_skipped"]))
    eq(len(set(found)), 2, "alice's Identity, then dsbc's")
    eq(len(ids), 1, "dsbc's Identity reached bob")
    eq(r["sip"]["stir_signed"], 1, "one INVITE signed")
    idf, badf = os.path.join(out, "identity.txt"), os.path.join(out, "bad.txt")
    with open(idf, "w") as f:
        f.write(ids[0])
    jws = ids[0].split(";")[0]
    hdr, claims, sig = jws.split(".")
    pad = claims + "=" * (-len(claims) % 4)
    payload = json.loads(base64.urlsafe_b64decode(pad))
    print("  claims: %s" % json.dumps(payload, sort_keys=True))
    bad = json.dumps(dict(payload, orig={"tn": "12025550109"}),
                     sort_keys=True, separators=(",", ":")).encode()
    with open(badf, "w") as f:
        f.write("%s.%s.%s%s" % (hdr, base64.urlsafe_b64encode(bad).decode()
                                .rstrip("="), sig, ids[0][len(jws):]))
    good = subprocess.run(["secsipidx", "-check", "-fidentity", idf,
                           "-fpubkey", pub, "-expire", "300"],
                          capture_output=True, text=True)
    forged = subprocess.run(["secsipidx", "-check", "-fidentity", badf,
                             "-fpubkey", pub, "-expire", "300"],
                            capture_output=True, text=True)
    print("  secsipidx -check: %s (rc %d); tampered orig: %s (rc %d)" % (
        good.stdout.strip().splitlines()[-1], good.returncode,
        forged.stdout.strip().splitlines()[-1], forged.returncode))
    eq((good.stdout.strip().splitlines()[-1], good.returncode), ("ok", 0),
       "secsipidx verifies dsbc's Identity")
    eq(forged.stdout.strip().splitlines()[-1], "not-ok",
       "secsipidx refuses it with orig changed")
    eq(payload["orig"], {"tn": "12025550101"}, "orig: the caller's number")
    eq(payload["dest"], {"tn": ["12025550102"]}, "dest: the callee's")
    eq(payload["attest"], "B", "a trunk's call: attestation B")
    eq(len(payload.get("mky", [])), 1, "A's fingerprint in mky")


def make_sti_pki(out):
    """A throwaway STI PKI (RFC 8226): root -> intermediate -> sp, whose
    TNAuthList holds service provider code 1234; a rogue root and evil,
    signed by it with the same list.  Returns the paths."""
    os.makedirs(out, exist_ok=True)
    p = {n: os.path.join(out, n) for n in (
        "root.key", "root.crt", "inter.key", "inter.crt", "sp.key",
        "sp.crt", "sp.pub", "rogue.key", "rogue.crt", "evil.key",
        "evil.crt", "certs")}
    os.makedirs(p["certs"], exist_ok=True)

    def ossl(*a):
        subprocess.run(["openssl"] + list(a), check=True,
                       capture_output=True)

    ext = os.path.join(out, "ext.cnf")
    with open(ext, "w") as f:
        # TNAuthList ::= SEQUENCE { [0] ServiceProviderCode "1234" }
        f.write("[ca]\nbasicConstraints = critical,CA:TRUE,pathlen:0\n"
                "keyUsage = critical,keyCertSign\n"
                "[sp]\nbasicConstraints = critical,CA:FALSE\n"
                "keyUsage = critical,digitalSignature\n"
                "1.3.6.1.5.5.7.1.26 = DER:30:08:a0:06:16:04:31:32:33:34\n")
    for k in ("root", "inter", "sp", "rogue", "evil"):
        ossl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out",
             p[k + ".key"])
    for root in ("root", "rogue"):
        ossl("req", "-new", "-x509", "-key", p[root + ".key"], "-subj",
             "/CN=dsbc test STI %s" % root, "-days", "3650", "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign", "-out", p[root + ".crt"])

    def issue(name, ca, section):
        csr = os.path.join(out, name + ".csr")
        ossl("req", "-new", "-key", p[name + ".key"], "-subj",
             "/CN=dsbc test %s" % name, "-out", csr)
        ossl("x509", "-req", "-in", csr, "-CA", p[ca + ".crt"], "-CAkey",
             p[ca + ".key"], "-CAcreateserial", "-days", "3650",
             "-extfile", ext, "-extensions", section, "-out",
             p[name + ".crt"])

    issue("inter", "root", "ca")
    issue("sp", "inter", "sp")
    issue("evil", "rogue", "sp")
    ossl("ec", "-in", p["sp.key"], "-pubout", "-out", p["sp.pub"])
    # what the x5u URLs serve: the leaf, then its intermediate
    for name, parts in (("sp.pem", ("sp.crt", "inter.crt")),
                        ("evil.pem", ("evil.crt",))):
        with open(os.path.join(p["certs"], name), "w") as f:
            for part in parts:
                with open(p[part]) as g:
                    f.write(g.read())
    return p


def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def passport_openssl(key, x5u, claims):
    """A SHAKEN PASSporT signed with the openssl command (an ES256 JWS,
    RFC 7515 with RFC 7518 3.4's r || s), as an Identity header value."""
    hdr = {"alg": "ES256", "ppt": "shaken", "typ": "passport", "x5u": x5u}
    si = "%s.%s" % (b64u(json.dumps(hdr, sort_keys=True, separators=(
        ",", ":")).encode()), b64u(json.dumps(claims, sort_keys=True,
                                              separators=(",", ":")).encode()))
    der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                         input=si.encode(), capture_output=True,
                         check=True).stdout
    # ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
    i = 2 if der[1] < 0x80 else 3
    ints = []
    for _ in range(2):
        n = der[i + 1]
        ints.append(int.from_bytes(der[i + 2:i + 2 + n], "big"))
        i += 2 + n
    sig = b"".join(v.to_bytes(32, "big") for v in ints)
    return "%s.%s;info=<%s>;alg=ES256;ppt=shaken" % (si, b64u(sig), x5u)


# A UAC's INVITE over UDP to dsbc: sent, its final answer (matched by
# branch) awaited and ACKed as RFC 3261 17.1.1.3 says (the INVITE's
# Request-URI, Via, From and Call-ID, the answer's To); the status, 0
# when none came in 10 s.  Prepended to the UAC scripts below.
UAC_FINAL = r"""
import re, socket, time
def final_acked(s, invite, dest=("10.10.1.1", 5060)):
    hv = lambda msg, n: re.search(r"(?im)^%s:\s*(.*?)\s*$" % n, msg).group(1)
    br = re.search(r"branch=([^;\s]+)", invite).group(1)
    s.sendto(invite.encode(), dest)
    status, deadline = 0, time.time() + 10
    while time.time() < deadline and status < 200:
        try:
            d = s.recv(65536).decode(errors="replace")
        except socket.timeout:
            continue
        m = re.match(r"SIP/2\.0 (\d+)", d)
        if m and br in d:
            status = int(m.group(1))
    if status >= 200:
        s.sendto(("ACK %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n"
                  "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\n"
                  "Content-Length: 0\r\n\r\n" % (
                      invite.split(" ")[1], hv(invite, "Via"),
                      hv(invite, "From"), hv(d, "To"),
                      hv(invite, "Call-ID"))).encode(), dest)
    return status
"""


# alice: INVITEs over UDP from 10.10.1.10:5070, one per case in the JSON
# file argv[1] ({name, user, from_tn, identity, fp}); each final answer
# is ACKed and printed "name status".
STIR_UAC = UAC_FINAL + r"""
import json, sys
cases = json.load(open(sys.argv[1]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.10.1.10", 5070))
s.settimeout(0.5)
for i, c in enumerate(cases):
    sdp = ("v=0\r\no=alice 1 1 IN IP4 10.10.1.10\r\ns=-\r\n"
           "c=IN IP4 10.10.1.10\r\nt=0 0\r\n"
           "m=audio 7000 UDP/TLS/RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
           "a=setup:actpass\r\na=fingerprint:%s\r\n" % c["fp"])
    br = "z9hG4bKst%d%d" % (i, time.time_ns() % 100000)
    head = ("INVITE sip:%s@10.10.1.1 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 10.10.1.10:5070;branch=%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:+%s@example.org;user=phone>;tag=f%d\r\n"
            "To: <sip:%s@example.net>\r\nCall-ID: stir%d-%s@10.10.1.10\r\n"
            "CSeq: 1 INVITE\r\n" % (c["user"], br, c["from_tn"], i,
                                     c["user"], i, br))
    if c.get("identity"):
        head += "Identity: %s\r\n" % c["identity"]
    head += ("Contact: <sip:alice@10.10.1.10:5070>\r\n"
             "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n"
             % len(sdp))
    status = final_acked(s, head + sdp)
    print("%s %d" % (c["name"], status), flush=True)
"""

# bob: every INVITE is written to argv[1] (with a line of '=' after it)
# and answered 486; ACKs are taken.
STIR_UAS = r"""
import re, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.10.2.20", 5060))
log = open(sys.argv[1], "w")
while True:
    d, a = s.recvfrom(65536)
    m = d.decode(errors="replace")
    if not m.startswith("INVITE "):
        continue
    log.write(m + "\n" + "=" * 20 + "\n")
    log.flush()
    hd = lambda n: re.search(r"(?im)^%s:\s*(.*?)\s*$" % n, m).group(1)
    vias = "".join("Via: %s\r\n" % v for v in
                   re.findall(r"(?im)^Via:\s*(.*?)\s*$", m))
    s.sendto(("SIP/2.0 486 Busy Here\r\n%sFrom: %s\r\nTo: %s;tag=b1\r\n"
              "Call-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n" % (
                  vias, hd("From"), hd("To"), hd("Call-ID"), hd("CSeq"))
              ).encode(), a)
"""


def test_stir_verify_calls():
    """The STIR verification service with independent signers (secsipidx,
    the openssl command) and a real certificate repository (secsipidx's
    HTTP server in bob's namespace, reached over the kernel exception
    path).  On the `enforce` route: secsipidx's valid call reaches bob
    with its Identity byte for byte (and secsipidx there still verifies
    it); the same Identity in another call is 438 (replayed); a tampered
    orig is 438, a stale iat 403, an untrusted CA 437, an
    x5u nobody answers 436 after fetch_timeout_ms, an mky that does not
    match the SDP's fingerprint (a man in the middle) 438, none at all
    428.  On the `mark` route the tampered call goes on with
    verstat=TN-Validation-Failed on its From and the valid one with
    TN-Validation-Passed.  On a route where dsbc terminates the media,
    the verified caller's Identity (mky over alice's fingerprint) is
    replaced by dsbc's own, whose mky is dsbc's pinned fingerprint."""
    out = os.path.abspath("out/system/stirv")
    shutil.rmtree(out, ignore_errors=True)
    pki = make_sti_pki(out)
    fp_a = ("sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:"
            "7C:AB:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1")
    fp_m = ("sha-256 02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:"
            "42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2")
    sp_url = "http://10.10.2.20:8080/v1/pub/sp.pem"
    evil_url = "http://10.10.2.20:8080/v1/pub/evil.pem"
    gone_url = "http://10.10.2.99:8080/v1/pub/gone.pem"

    def secsipidx(key, url, dest, orig="12155551212"):
        return subprocess.run(
            ["secsipidx", "-sign-full", "-orig-tn", orig, "-dest-tn", dest,
             "-attest", "A", "-orig-id", "5f1e2f6a-1c1e-4d7e-9a55-0e7c"
             "3a1d2b44", "-x5u", url, "-k", key], check=True,
            capture_output=True, text=True).stdout.strip()

    def tamper_orig(ident):
        jws, rest = ident.split(";", 1)
        h, c, sig = jws.split(".")
        claims = json.loads(base64.urlsafe_b64decode(c + "=" * (-len(c) % 4)))
        claims["orig"] = {"tn": "12155559999"}
        return "%s.%s.%s;%s" % (h, b64u(json.dumps(
            claims, sort_keys=True, separators=(",", ":")).encode()), sig,
            rest)

    now = int(time.time())
    mky = [{"alg": "sha-256", "dig": fp_a.split()[1].replace(":", "")}]
    base = {"attest": "A", "orig": {"tn": "12155551212"},
            "origid": "0b0c2e8a-95d4-4b3a-8b2f-6f0f5e3d2c11"}
    enf, mark, term = "+19995550000", "+18885550000", "+17775550000"
    cases = [
        dict(name="valid", user=enf, identity=secsipidx(
            pki["sp.key"], sp_url, enf[1:]), fp=fp_a),
        dict(name="tampered_orig", user=enf, identity=tamper_orig(
            secsipidx(pki["sp.key"], sp_url, enf[1:])), fp=fp_a),
        dict(name="stale_iat", user=enf, identity=passport_openssl(
            pki["sp.key"], sp_url, dict(base, dest={"tn": [enf[1:]]},
                                        iat=now - 600)), fp=fp_a),
        dict(name="untrusted_ca", user=enf, identity=secsipidx(
            pki["evil.key"], evil_url, enf[1:]), fp=fp_a),
        dict(name="unreachable_x5u", user=enf, identity=secsipidx(
            pki["sp.key"], gone_url, enf[1:]), fp=fp_a),
        dict(name="mky_mismatch", user=enf, identity=passport_openssl(
            pki["sp.key"], sp_url, dict(base, dest={"tn": [enf[1:]]},
                                        iat=now, mky=mky)), fp=fp_m),
        dict(name="no_identity", user=enf, identity=None, fp=fp_a),
        dict(name="mark_tampered", user=mark, identity=tamper_orig(
            secsipidx(pki["sp.key"], sp_url, mark[1:])), fp=fp_a),
        dict(name="mark_valid", user=mark, identity=secsipidx(
            pki["sp.key"], sp_url, mark[1:]), fp=fp_a),
        dict(name="terminated", user=term, identity=passport_openssl(
            pki["sp.key"], sp_url, dict(base, dest={"tn": [term[1:]]},
                                        iat=now, mky=mky)), fp=fp_a),
    ]
    # the valid call's token again, in a call of its own: replayed
    cases.insert(1, dict(name="replayed", user=enf,
                         identity=cases[0]["identity"], fp=fp_a))
    for c in cases:
        c["from_tn"] = "12155551212"
    cf = os.path.join(out, "cases.json")
    with open(cf, "w") as f:
        json.dump(cases, f)
    log = os.path.join(out, "bob_invites.log")
    topo = Topology("sv")
    topo.setup()
    d = httpd = bob = None
    try:
        conf = os.path.join(out, "dsbc.conf")
        dsbc_conf(topo, conf, port1_extra="exception = tap\n")
        with open(conf, "a") as f:
            f.write("[stir]\nkey = %s\nx5u = %s\nca_file = %s\n"
                    "fetch_timeout_ms = 1000\n" % (pki["sp.key"], sp_url,
                                                   pki["root.crt"]))
            for i, (prefix, extra) in enumerate((
                    (enf, "stir_verify = enforce\n"),
                    (mark, "stir_verify = mark\n"),
                    (term, "stir_verify = enforce\nstir_sign = yes\n"
                           "mode = terminate\n"))):
                f.write("[route.%d]\nuser_prefix = %s\n"
                        "next_hop = 10.10.2.20:5060\n%s" % (i, prefix, extra))
        httpd = topo.run("bob", ["secsipidx", "-http-srv", "10.10.2.20:8080",
                                 "-http-dir", pki["certs"]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bob = topo.run("bob", ["python3", "-c", STIR_UAS, log],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        d = Dsbc(BUILD, conf, "dsbc-sys-stirv", lcores="0-1")
        d.wait_ready()
        alice = topo.run("alice", ["python3", "-c", STIR_UAC, cf],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
        got = alice.communicate(timeout=120)[0]
        stir = d.tel.query("/dsbc/stir")
    finally:
        rc = d.stop() if d else 0
        for p in (httpd, bob):
            if p is not None:
                p.kill()
                p.wait()
        topo.teardown()
    status = dict(x.split() for x in got.strip().splitlines())
    print("  answers: %s" % ", ".join("%s %s" % kv for kv in status.items()))
    print("  /dsbc/stir: verified %d refused %d marked %d resigned %d; "
          "failed %s" % (stir["verified"], stir["refused"], stir["marked"],
                         stir["resigned"], {k: v for k, v in
                                            stir["failed"].items() if v}))
    print("  fetches %d (http ok %d failed %d), timeouts %d; cache hits %d "
          "misses %d stored %d untrusted %d" % (
              stir["fetches"], stir["http_ok"], stir["http_failed"],
              stir["fetch_timeouts"], stir["cache_hits"],
              stir["cache_misses"], stir["cache_stored"],
              stir["cache_untrusted"]))
    eq(rc, 0, "dsbc exit status")
    want = {"valid": "486", "replayed": "438", "tampered_orig": "438",
            "stale_iat": "403",
            "untrusted_ca": "437", "unreachable_x5u": "436",
            "mky_mismatch": "438", "no_identity": "428",
            "mark_tampered": "486", "mark_valid": "486", "terminated": "486"}
    eq(status, want, "answers (486: it reached bob, who is busy)")
    with open(log) as f:
        invites = [m for m in f.read().split("=" * 20 + "\n") if m.strip()]
    eq(len(invites), 4, "INVITEs at bob: valid, the two marked, terminated")
    by_to = {}
    for m in invites:
        user = re.search(r"(?m)^To: <sip:(\+\d+)@", m).group(1)
        by_to.setdefault(user, []).append(m)
    idents = lambda m: re.findall(r"(?m)^Identity: (.*?)\r?$", m)
    eq(idents(by_to[enf][0]), [cases[0]["identity"]],
       "valid: alice's Identity byte for byte")
    check("verstat" not in by_to[enf][0], "enforce adds no verstat")
    idf = os.path.join(out, "at_bob.txt")
    with open(idf, "w") as f:
        f.write(idents(by_to[enf][0])[0])
    chk = subprocess.run(["secsipidx", "-check", "-fidentity", idf,
                          "-fpubkey", pki["sp.pub"], "-expire", "300"],
                         capture_output=True, text=True)
    print("  secsipidx -check at bob: %s" % chk.stdout.strip()
          .splitlines()[-1])
    eq(chk.stdout.strip().splitlines()[-1], "ok",
       "secsipidx verifies what bob got")
    froms = sorted(re.search(r"(?m)^From: (.*?)\r?$", m).group(1)
                   for m in by_to[mark])
    print("  marked From: %s" % " | ".join(froms))
    check(any("<sip:+12155551212;verstat=TN-Validation-Failed@example.org;"
              "user=phone>" in x for x in froms), "verstat: failed")
    check(any("<sip:+12155551212;verstat=TN-Validation-Passed@example.org;"
              "user=phone>" in x for x in froms), "verstat: passed")
    t_ids = idents(by_to[term][0])
    eq(len(t_ids), 1, "terminated: one Identity, dsbc's")
    check(t_ids[0] != cases[-1]["identity"], "alice's is not passed")
    jws = t_ids[0].split(";")[0]
    c = jws.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(c + "=" * (-len(c) % 4)))
    sdp_fp = re.search(r"a=fingerprint:(\S+ \S+)", by_to[term][0]).group(1)
    print("  terminated: dsbc's mky %s; B's SDP %s; /dsbc/stir %s" % (
        claims["mky"][0]["dig"][:23], sdp_fp[:31], stir["fingerprint"][:31]))
    with open(idf, "w") as f:
        f.write(t_ids[0])
    chk2 = subprocess.run(["secsipidx", "-check", "-fidentity", idf,
                           "-fpubkey", pki["sp.pub"], "-expire", "300"],
                          capture_output=True, text=True)
    eq(chk2.stdout.strip().splitlines()[-1], "ok",
       "secsipidx verifies dsbc's re-signed Identity")
    eq(claims["mky"], [{"alg": "sha-256", "dig": stir["fingerprint"]
                        .split()[1].replace(":", "")}],
       "mky: dsbc's pinned fingerprint")
    eq(sdp_fp, stir["fingerprint"], "B's offer carries it")
    eq((claims["orig"], claims["attest"]), ({"tn": "12155551212"}, "A"),
       "orig and attest as verified")
    eq(stir["verified"], 3, "verified: valid, mark_valid, terminated")
    eq(stir["refused"], 7, "refused under enforce")
    eq(stir["marked"], 1, "marked (failed)")
    eq(stir["resigned"], 1, "re-signed where dsbc terminates")
    eq(stir["failed"]["bad_signature"], 2, "tampered orig, twice")
    eq(stir["failed"]["stale"], 1, "stale")
    eq(stir["failed"]["bad_cert"], 1, "untrusted")
    eq(stir["failed"]["bad_info"], 1, "unreachable")
    eq(stir["failed"]["mky_mismatch"], 1, "mky")
    eq(stir["failed"]["no_identity"], 1, "none")
    eq(stir["failed"]["replayed"], 1, "secsipidx's token in a second call")
    eq(stir["fetches"], 3, "sp, evil, gone: each fetched once")
    eq(stir["cache_untrusted"], 1, "evil's chain refused at the cache")


# alice: one INVITE of about 6 KB (a browser's offer: many candidates)
# from a kernel UDP socket allowed to fragment (IP_PMTUDISC_DONT), so
# the kernel cuts it at the 1500-byte MTU; prints the final answer.
BIG_UAC = UAC_FINAL + r"""
cands = "".join("a=candidate:%d 1 udp %d 192.168.%d.%d %d typ host "
                "generation 0 network-id %d\r\n" % (
                    i, 2122260223 - i, i // 200, i % 200 + 1, 50000 + i, i)
                for i in range(60))
# and what B gets too: the media attributes a browser sends (ssrc
# and extmap lines pass through dsbc's rewrite)
extra = "".join("a=ssrc:%d msid:stream-%d track-%d\r\n"
                "a=extmap:%d urn:ietf:params:rtp-hdrext:example-%d\r\n" % (
                    1000 + i, i, i, i % 14 + 1, i) for i in range(50))
sdp = ("v=0\r\no=- 4611731400430051336 2 IN IP4 10.10.1.10\r\ns=-\r\n"
       "c=IN IP4 10.10.1.10\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0 8\r\n"
       "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" + cands + extra)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)   # IP_MTU_DISCOVER: DONT
s.bind(("10.10.1.10", 5070))
s.settimeout(0.5)
br = "z9hG4bKbig%d" % (time.time_ns() % 100000)
msg = ("INVITE sip:bob@10.10.1.1 SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 10.10.1.10:5070;branch=%s;rport\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:alice@example.org>;tag=big1\r\n"
       "To: <sip:bob@example.net>\r\nCall-ID: big-%s@10.10.1.10\r\n"
       "CSeq: 1 INVITE\r\nContact: <sip:alice@10.10.1.10:5070>\r\n"
       "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
       % (br, br, len(sdp), sdp))
print("sent %d" % len(msg), flush=True)
status = final_acked(s, msg)
print("final %d" % status, flush=True)
"""


def large_sip_call(name, port0=None):
    """Alice's 6 KB INVITE through dsbc to bob (see
    test_large_sip_kernel_fragments); port0(topo, conf text) -> (conf
    text, hook run once dsbc is ready) puts another driver on alice's
    side.  Returns what was seen."""
    out = os.path.abspath("out/system/" + name)
    os.makedirs(out, exist_ok=True)
    log = os.path.join(out, "bob_invites.log")
    topo = Topology(name[:2])
    topo.setup()
    d = bob = None
    try:
        conf = os.path.join(out, "dsbc.conf")
        dsbc_conf(topo, conf)
        with open(conf) as f:
            text = f.read()
        hook = None
        if port0 is not None:
            text, hook = port0(topo, text)
        with open(conf, "w") as f:
            f.write(text + "[route.0]\nnext_hop = 10.10.2.20:5060\n")
        bob = topo.run("bob", ["python3", "-c", STIR_UAS, log],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        d = Dsbc(BUILD, conf, "dsbc-sys-" + name, lcores="0-1")
        d.wait_ready()
        if hook is not None:
            hook()
        alice = topo.run("alice", ["python3", "-c", BIG_UAC],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
        got = alice.communicate(timeout=60)[0]
        sip = d.tel.query("/dsbc/sip")
        st = d.stats()
    finally:
        rc = d.stop() if d else 0
        if bob is not None:
            bob.kill()
            bob.wait()
        topo.teardown()
    with open(log) as f:
        invites = [m for m in f.read().split("=" * 20 + "\n") if m.strip()]
    r = dict(rc=rc, sent=int(re.search(r"sent (\d+)", got).group(1)),
             final=int(re.search(r"final (\d+)", got).group(1)),
             invites=len(invites),
             blen=len(invites[0].encode()) if invites else 0, sip=sip,
             st=st)
    print("  %s: alice sent %d bytes: final %d; bob's INVITE %d bytes; "
          "dsbc tx_fragments %d, fragments_rx %d, reassembled %d, "
          "drop_ip_len %d" % (name, r["sent"], r["final"], r["blen"],
                              sip["tx_fragments"], sip["fragments_rx"],
                              sip["reassembled"], st["drop_ip_len"]))
    eq(rc, 0, "dsbc exit status")
    check(r["sent"] > 6000, "a 6 KB INVITE or more")
    eq(r["final"], 486, "answered (bob is busy): it reached the B2BUA")
    eq(r["invites"], 1, "bob got the B-leg INVITE")
    # B's offer keeps all but alice's candidates: over 4 KB, 3 frames
    check(r["blen"] > 4000,
          "whole at bob: %d bytes" % r["blen"])
    check_ge(sip["tx_fragments"], 3, "dsbc sent it in fragments")
    eq(st["drop_ip_len"], 0, "nothing cut short")
    return r


def test_large_sip_kernel_fragments():
    """A 6 KB INVITE (a browser-sized offer) from a kernel UDP socket,
    fragmented by alice's kernel at the 1500-byte MTU, reaches the B2BUA
    and is answered, on each port type alice's side can be: net_af_packet
    (its fanout hands over the datagram the kernel reassembled: framesz
    and the port's RX pool come from the driver profile), net_pcap on the
    same veth and net_tap moved into alice's namespace (both hand over
    the fragments, which dsbc reassembles).  The B-leg INVITE, as large,
    leaves dsbc in fragments that bob's kernel reassembles whole."""
    r = large_sip_call("bigsip")
    eq(r["sip"]["reassembled"], 0, "af_packet: the kernel reassembled")

    def pcap(topo, text):
        hif = topo.host_if["alice"]
        return text.replace(
            "dev = net_af_packet0,iface=%s,qpairs=2" % hif,
            "dev = net_pcap0,rx_iface=%s,tx_iface=%s,tx_iface=%s" % (
                hif, hif, hif)), None
    r = large_sip_call("bigsip_pcap", pcap)
    check_ge(r["sip"]["reassembled"], 1, "pcap: dsbc reassembled")

    def tap(topo, text):
        hif = topo.host_if["alice"]
        tif = "dt" + hif[2:]

        def move():
            # alice's address moves from her veth to dsbc's TAP
            ns = topo.ns["alice"]
            sh("ip", "link", "set", tif, "netns", ns)
            topo.exec("alice", "ip", "addr", "flush", "dev", "p0")
            topo.exec("alice", "ip", "addr", "add", "10.10.1.10/24",
                      "dev", tif)
            topo.exec("alice", "ip", "link", "set", tif, "up")
            topo.exec("alice", "ip", "route", "replace", "default", "via",
                      "10.10.1.1", "dev", tif)
            time.sleep(0.5)
        return text.replace(
            "dev = net_af_packet0,iface=%s,qpairs=2" % hif,
            "dev = net_tap0,iface=%s\nrx_queues = 2" % tif), move
    r = large_sip_call("bigsip_tap", tap)
    check_ge(r["sip"]["reassembled"], 1, "tap: dsbc reassembled")

STUNNEL_SERVER_CONF = """foreground = yes
pid =
[sip]
accept = 10.10.2.20:5060
connect = 127.0.0.1:5060
cert = %s
key = %s
"""


def route_tls_call(name, tls_name, uac, bob_answers=True, cert=None):
    """cert: bob's (certificate, key), the test CA's bob.example.com by
    default."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    st_conf = os.path.abspath("out/system/stunnel_bob.conf")
    with open(st_conf, "w") as f:
        f.write(STUNNEL_SERVER_CONF % (cert or (pki["bob.crt"],
                                                pki["bob.key"])))
    uas = uas_scenario(os.path.abspath("out/system/uas_%s.xml" % name)) \
        if bob_answers else None
    return run_call(name, uac, uas,
                    conf_extra="transport = tls\ntls_name = %s\n"
                               "[tls]\nca = %s\n" % (tls_name,
                                                     pki["ca.crt"]),
                    port1_extra="exception = tap\n",
                    extra_uas=["-t", "t1", "-mi", "10.10.2.20"],
                    uas_ip="127.0.0.1", uas_helper=["stunnel4", st_conf])


def test_route_tls_to_bob():
    """TLS towards B (route transport = tls, tls_name = bob.example.com):
    dsbc connects to bob's stunnel4 (TLS in front of his sipp's TCP),
    checks his certificate's chain against [tls] ca and its name against
    tls_name (RFC 5922 section 7), and the call completes: UDP to TLS
    interworking across the legs.  With tls_name = carol.example.com the
    same certificate is refused: the handshake fails, and alice's INVITE
    gets 503 at once (a transport error, RFC 3261 8.1.3.1), not 408
    after timer B.  So is a self-signed certificate for the right name
    (no trusted chain)."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_rtls.xml"),
                   MEDIA="", HOLD_MS="500", END_A=A_BYE)
    r = route_tls_call("rtls", "bob.example.com", uac)
    sip = r["sip"]
    print("  bob over TLS: rc %d; tls handshakes %d connects %d reused %d "
          "failed %d/%d" % (r["uas_rc"], sip["tls_handshakes"],
                            sip["tcp_connects"], sip["tcp_reused"],
                            sip["tcp_connect_failed"], sip["tls_failed"]))
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    eq(sip["tls_handshakes"], 1, "one TLS connection to bob")
    eq(sip["tcp_connect_failed"], 0, "no failures")
    eq(r["calls"]["flow_errors"], 0, "media programmed towards bob")
    with open(os.path.join(SIPP, "uac_fail.xml")) as f:
        x = f.read().replace('<recv response="486" />',
                             '<recv response="503" />')
    bad = os.path.abspath("out/system/uac_rtls_bad.xml")
    with open(bad, "w") as f:
        f.write(x)
    t0 = time.time()
    r = route_tls_call("rtlsbad", "carol.example.com", bad,
                       bob_answers=False)
    took = time.time() - t0
    sip = r["sip"]
    print("  wrong name: alice rc %d in %.1f s; connect_failed %d "
          "tls_failed %d transport_errors %d" %
          (r["uac_rc"], took, sip["tcp_connect_failed"], sip["tls_failed"],
           sip["transport_errors"]))
    eq(r["uac_rc"], 0, "alice got 503 (%s)" % r["uac_err"][-300:])
    eq(sip["tcp_connect_failed"], 1, "the stream to bob failed")
    eq(sip["transport_errors"], 1, "the INVITE failed with it")
    eq(sip["tls_handshakes"], 0, "no handshake completed")
    # the right name, but from no CA dsbc trusts (self-signed)
    out = os.path.abspath("out/system/pki")
    self_crt, self_key = (os.path.join(out, "bobself.crt"),
                          os.path.join(out, "bobself.key"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    self_key, "-out", self_crt, "-days", "2", "-subj",
                    "/CN=bob.example.com", "-addext",
                    "subjectAltName=DNS:bob.example.com"], check=True,
                   capture_output=True)
    r = route_tls_call("rtlsself", "bob.example.com", bad, bob_answers=False,
                       cert=(self_crt, self_key))
    sip = r["sip"]
    print("  untrusted CA: alice rc %d; connect_failed %d tls_failed %d" %
          (r["uac_rc"], sip["tcp_connect_failed"], sip["tls_failed"]))
    eq(r["uac_rc"], 0, "alice got 503 (%s)" % r["uac_err"][-300:])
    eq(sip["tcp_connect_failed"], 1, "bob's self-signed certificate refused")
    eq(sip["tls_handshakes"], 0, "no handshake completed")
    check(took < 20, "503 at once, not after timer B (32 s)")


# Kamailio as a record-routing TLS proxy in a peer's namespace: it
# listens on UDP at udp_port for its sipp and on TLS at 5061, relays new
# requests from dsbc's address to its sipp and the rest to dsbc over TLS
# (with its client certificate), and routes in-dialog requests by the
# Route headers it record-routed (double Record-Route: UDP and TLS
# sides).  Each request it relays is logged ("kam: ...").
KAMAILIO_CFG = r"""#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
listen=udp:%(ip)s:%(udp_port)d
listen=tls:%(ip)s:5061
enable_tls=yes
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "tls.so"
modparam("tls", "config", "%(tls_cfg)s")
modparam("rr", "enable_double_rr", 1)

request_route {
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    xlog("L_NOTICE", "kam: $rm $ru from $si proto $pr route <$hdr(Route)>\n");
    if (has_totag()) {
        if (loose_route()) {
            t_relay();
            exit;
        }
        if ($rm == "ACK" && t_check_trans()) {
            t_relay();
            exit;
        }
        xlog("L_NOTICE", "kam: no route for in-dialog $rm\n");
        sl_send_reply("404", "Not Here");
        exit;
    }
    if ($rm == "CANCEL") {
        if (t_check_trans())
            t_relay();
        exit;
    }
    if ($rm == "INVITE")
        record_route();
    if ($si == "%(dsbc)s")
        $du = "sip:%(ip)s:%(sipp_port)d";
    else
        $du = "sip:%(dsbc)s:5061;transport=tls";
    t_relay();
}
"""

KAMAILIO_TLS_CFG = """[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = %(key)s
certificate = %(crt)s
ca_list = %(ca)s

[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
private_key = %(client_key)s
certificate = %(client_crt)s
ca_list = %(ca)s
server_name = sip.example.com
"""


def kamailio_helper(name, ip, dsbc, udp_port, sipp_port, pki):
    """The command line of a Kamailio proxy (KAMAILIO_CFG) at ip, its
    TLS server certificate bob.example.com's, its client certificate the
    trunk's (trunk.example.net)."""
    out = os.path.abspath("out/system/kam_" + name)
    os.makedirs(out, exist_ok=True)
    tls_cfg = os.path.join(out, "tls.cfg")
    with open(tls_cfg, "w") as f:
        f.write(KAMAILIO_TLS_CFG % dict(
            key=pki["bob.key"], crt=pki["bob.crt"], ca=pki["ca.crt"],
            client_key=pki["trunk.key"], client_crt=pki["trunk.crt"]))
    cfg = os.path.join(out, "kamailio.cfg")
    with open(cfg, "w") as f:
        f.write(KAMAILIO_CFG % dict(ip=ip, dsbc=dsbc, udp_port=udp_port,
                                    sipp_port=sipp_port, tls_cfg=tls_cfg))
    log = os.path.join(out, "kamailio.log")
    return ["sh", "-c", "exec kamailio -DD -E -f %s -P %s -Y %s -m 64 "
            "-M 8 >%s 2>&1" % (cfg, os.path.join(out, "pid"), out, log)], log


def test_kamailio_tls_record_route():
    """Kamailio's tls module as dsbc's peer on both legs, record-routing
    (RFC 3261 16.6 step 4, double Record-Route across UDP and TLS).
    B side: dsbc calls bob through Kamailio over TLS (tls_name
    bob.example.com); bob hangs up.  dsbc's ACK to bob's 2xx must carry
    Kamailio's route set reversed (RFC 3261 12.1.2, 12.2.1.1), else
    Kamailio cannot route it and bob never sees it; bob's BYE comes back
    over a TLS connection Kamailio opens.  A side: alice calls through
    Kamailio, which reaches dsbc over TLS with its client certificate
    (a [trunk.N] by tls_name); bob hangs up.  dsbc's 2xx to alice must
    echo the Record-Route values in order (12.1.1) and its BYE carry
    them as Route, else alice's ACK and dsbc's BYE stop at Kamailio."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    # B side: bob's sipp behind Kamailio; his BYE follows its routes
    kam, klog = kamailio_helper("b", "10.10.2.20", "10.10.2.1", 5070, 5060,
                                pki)
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_kb.xml"),
                   MEDIA="", HOLD_MS="0", END_A=RECV_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_kb.xml"),
                       b_hangs_up=True)
    with open(uas) as f:
        x = f.read()
    # bob echoes Kamailio's Record-Route (12.1.1) and routes his BYE
    x = x.replace("      [last_CSeq:]\n      Contact:",
                  "      [last_CSeq:]\n      [last_Record-Route:]\n"
                  "      Contact:")
    with open(uas, "w") as f:
        f.write(x.replace("      CSeq: 1 BYE\n", "      CSeq: 1 BYE\n"
                          "      [routes]\n"))
    r = run_call("kb", uac, uas, next_hop="10.10.2.20:5061",
                 conf_extra="transport = tls\ntls_name = bob.example.com\n" +
                 tls_conf(pki), port1_extra="exception = tap\n",
                 uas_helper=kam)
    with open(klog, errors="replace") as f:
        kb = [x.split("kam: ", 1)[1] for x in f if "kam: " in x]
    sip = r["sip"]
    print("  B side: alice rc %d bob rc %d; tls handshakes %d accepted %d" %
          (r["uac_rc"], r["uas_rc"], sip["tls_handshakes"],
           sip["tls_accepted"]))
    for x in kb:
        print("    kamailio: " + x.strip())
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    check(any(x.startswith("ACK ") and "proto tls" in x and
              "r2=on" in x for x in kb),
          "dsbc's ACK came over TLS with Kamailio's routes")
    check(any(x.startswith("BYE ") and "proto udp" in x for x in kb),
          "bob's BYE reached Kamailio")
    check(not any("no route" in x for x in kb), "every request routed")

    # A side: alice's sipp behind Kamailio, a trunk by its certificate
    kam, klog = kamailio_helper("a", "10.10.1.10", "10.10.1.1", 5080, 5070,
                                pki)
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_ka.xml"),
                   MEDIA="", HOLD_MS="0", END_A=RECV_BYE)
    with open(uac) as f:
        x = f.read()
    x = x.replace('<recv response="200" rtd="true" />',
                  '<recv response="200" rtd="true" rrs="true" />')
    x = x.replace("      ACK sip:[service]@[remote_ip]:[remote_port] "
                  "SIP/2.0\n", "      ACK [next_url] SIP/2.0\n"
                  "      [routes]\n")
    with open(uac, "w") as f:
        f.write(x)
    uas = uas_scenario(os.path.abspath("out/system/uas_ka.xml"),
                       b_hangs_up=True)
    r = run_call("ka", uac, uas, port0_extra="exception = tap\n",
                 conf_extra="[trunk.0]\ntls_name = trunk.example.net\n" +
                 tls_conf(pki, "optional"),
                 uac_target="10.10.1.10:5080", uac_helper=kam)
    with open(klog, errors="replace") as f:
        ka = [x.split("kam: ", 1)[1] for x in f if "kam: " in x]
    sip = r["sip"]
    print("  A side: alice rc %d bob rc %d; tls handshakes %d trunk certs "
          "%d" % (r["uac_rc"], r["uas_rc"], sip["tls_handshakes"],
                  sip["tls_trunk_certs"]))
    for x in ka:
        print("    kamailio: " + x.strip())
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    eq(sip["tls_trunk_certs"], 1, "Kamailio's certificate made it a trunk")
    check(any(x.startswith("ACK ") and "proto udp" in x and "r2=on" in x
              for x in ka), "alice's ACK carried the echoed routes")
    check(any(x.startswith("BYE ") and "proto tls" in x and "r2=on" in x
              for x in ka), "dsbc's BYE came over TLS with the routes")
    check(not any("no route" in x for x in ka), "every request routed")


# A SIP client over secure WebSocket (RFC 7118) with Debian's
# python3-websockets, in alice's namespace: the refused upgrades first,
# then REGISTER (401, digest, 200), an INVITE to bob through a route
# that asks for credentials (407, digest, 100/180/200), ACK, BYE, and a
# clean close.  Prints a line per step.
WS_CLIENT = r"""
import asyncio, hashlib, ssl, sys, re, uuid
import websockets
host, ca = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
URI = "wss://%s:8443/" % host
ORIGIN = "https://app.example.com"

def digest(chal, method, uri, user, pw, nc=1):
    realm = re.search(r'realm="([^"]*)"', chal).group(1)
    nonce = re.search(r'nonce="([^"]*)"', chal).group(1)
    alg = re.search(r'algorithm=([A-Za-z0-9-]+)', chal).group(1)
    h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[alg]
    H = lambda x: h(x.encode()).hexdigest()
    ha1, ha2, cn = H("%s:%s:%s" % (user, realm, pw)), H(method + ":" + uri), "ab12"
    r = H("%s:%s:%08x:%s:auth:%s" % (ha1, nonce, nc, cn, ha2))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'response="%s", algorithm=%s, qop=auth, nc=%08x, cnonce="%s"'
            % (user, realm, nonce, uri, r, alg, nc, cn))

def msg(first, hdrs, body=""):
    return first + "\r\n" + "".join("%s: %s\r\n" % kv for kv in hdrs) + \
        "Content-Length: %d\r\n\r\n%s" % (len(body), body)

def hdr(m, name):
    x = re.search(r"^%s: (.*)$" % name, m, re.M | re.I)
    return x.group(1).strip() if x else ""

async def refused(**kw):
    try:
        async with websockets.connect(URI, ssl=ctx,
                                      server_hostname="sip.example.com",
                                      **kw):
            return "accepted"
    except websockets.exceptions.InvalidStatusCode as e:
        return "refused %d" % e.status_code
    except websockets.exceptions.InvalidHandshake as e:
        return "refused " + e.__class__.__name__

async def main():
    print("bad origin:", await refused(subprotocols=["sip"],
                                       origin="https://evil.example.net"))
    print("no sip:", await refused(origin=ORIGIN))
    async with websockets.connect(URI, subprotocols=["sip"], ssl=ctx,
                                  server_hostname="sip.example.com",
                                  origin=ORIGIN) as ws:
        print("subprotocol:", ws.subprotocol)
        me = "%s.invalid" % uuid.uuid4().hex[:8]
        via = "SIP/2.0/WSS %s;branch=z9hG4bK%%s" % me
        contact = "<sip:alice@%s;transport=ws>" % me
        base = [("From", "<sip:alice@example.com>;tag=wsa1"),
                ("Max-Forwards", "70")]
        async def req(first, cseq, method, extra, body="", call="wsreg1",
                      to="<sip:alice@example.com>", want=None):
            await ws.send(msg(first, [("Via", via % uuid.uuid4().hex[:10])]
                              + base + [("To", to), ("Call-ID", call),
                                        ("CSeq", "%d %s" % (cseq, method))]
                              + extra, body))
            while True:
                r = await asyncio.wait_for(ws.recv(), 10)
                code = int(r.split(" ", 2)[1])
                if code >= 200 or (want and code in want):
                    return r
        r = await req("REGISTER sip:example.com SIP/2.0", 1, "REGISTER",
                      [("Contact", contact), ("Expires", "600")])
        print("register:", r.split("\r\n")[0])
        auth = digest(hdr(r, "WWW-Authenticate"), "REGISTER",
                      "sip:example.com", "alice", "alice-pw")
        r = await req("REGISTER sip:example.com SIP/2.0", 2, "REGISTER",
                      [("Contact", contact), ("Expires", "600"),
                       ("Authorization", auth)])
        print("register with digest (%s): %s | %s" % (
            re.search(r"algorithm=([A-Za-z0-9-]+)", auth).group(1),
            r.split("\r\n")[0], hdr(r, "Contact")))
        sdp = ("v=0\r\no=alice 1 1 IN IP4 10.10.1.10\r\ns=-\r\n"
               "c=IN IP4 10.10.1.10\r\nt=0 0\r\n"
               "m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
        inv = [("Contact", contact), ("Content-Type", "application/sdp")]
        ruri = "sip:bob@10.10.2.20"
        r = await req("INVITE %s SIP/2.0" % ruri, 1, "INVITE", inv, sdp,
                      "wscall1", "<%s>" % ruri)
        print("invite:", r.split("\r\n")[0])
        totag = re.search(r";tag=([^;\s]+)", hdr(r, "To")).group(1)
        await ws.send(msg("ACK %s SIP/2.0" % ruri,
                          [("Via", hdr(r, "Via"))] + base +
                          [("To", "<%s>;tag=%s" % (ruri, totag)),
                           ("Call-ID", "wscall1"), ("CSeq", "1 ACK")]))
        auth = digest(hdr(r, "Proxy-Authenticate"), "INVITE", ruri,
                      "alice", "alice-pw")
        r = await req("INVITE %s SIP/2.0" % ruri, 2, "INVITE",
                      inv + [("Proxy-Authorization", auth)], sdp, "wscall1",
                      "<%s>" % ruri)
        print("invite with digest:", r.split("\r\n")[0], "|",
              hdr(r, "Contact"))
        totag = re.search(r";tag=([^;\s]+)", hdr(r, "To")).group(1)
        to = "<%s>;tag=%s" % (ruri, totag)
        await ws.send(msg("ACK %s SIP/2.0" % ruri,
                          [("Via", via % "ack2")] + base +
                          [("To", to), ("Call-ID", "wscall1"),
                           ("CSeq", "2 ACK")]))
        await asyncio.sleep(1)
        r = await req("BYE %s SIP/2.0" % ruri, 3, "BYE", [], "", "wscall1",
                      to)
        print("bye:", r.split("\r\n")[0])
    print("closed: code", ws.close_code)

asyncio.run(main())
"""


def test_sip_wss_register_and_call():
    """SIP over secure WebSocket (RFC 7118) with Debian's
    python3-websockets as the client: an upgrade from a foreign Origin
    and one without the "sip" subprotocol are refused; then over WSS
    (certificate checked for sip.example.com) alice registers with
    digest, SHA-256 as the realm offers it first (RFC 8760; 401, 200: a
    binding on her connection), calls bob's UDP sipp
    through a route asking for credentials (407, then 200; dsbc's
    Contact says ;transport=wss), hangs up, and closes the WebSocket
    cleanly (the close answered)."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    users = users_file(os.path.abspath("out/system/users_ws"),
                       [("alice", "alice-pw")])
    res = {}

    def during(d, topo, call):
        res["regs"] = d.tel.query("/dsbc/registrations")

    topo = Topology("ws")
    topo.setup()
    d = None
    try:
        conf = os.path.abspath("out/system/ws.conf")
        dsbc_conf(topo, conf, port0_extra="exception = tap\n")
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n"
                    "auth = example.com\n" + tls_conf(pki) +
                    "[ws]\ntls_port = 8443\n"
                    "origins = https://app.example.com\n"
                    "hosts = sip.example.com 10.10.1.1\n" +
                    (USERS_CONF % users).replace(
                        "algorithms = MD5", "algorithms = SHA-256, MD5"))
        d = Dsbc(BUILD, conf, "dsbc-sys-ws", lcores="0-1")
        d.wait_ready()
        uas_xml = uas_scenario(os.path.abspath("out/system/uas_ws.xml"))
        uas = topo.run("bob", ["sipp", "-sf", uas_xml, "-i", "10.10.2.20",
                               "-p", "5060", "-mp", "6000", "-m", "1",
                               "-nostdin", "-timeout", "30",
                               "-timeout_error"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
        time.sleep(0.5)
        cli = topo.run("alice", ["/usr/bin/python3", "-c", WS_CLIENT,
                                 "10.10.1.1", pki["ca.crt"]],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
        regs = None
        deadline = time.time() + 40
        while cli.poll() is None and time.time() < deadline:
            r = d.tel.query("/dsbc/registrations")
            if r and r.get("bindings"):
                regs = r
            time.sleep(0.2)
        out = cli.communicate(timeout=10)[0]
        try:
            uas_out = uas.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            uas.kill()
            uas_out = uas.communicate()
        calls, _ = settle(d)
        time.sleep(0.3)
        sip = d.tel.query("/dsbc/sip")
        after = d.tel.query("/dsbc/registrations")
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    print("  " + "; ".join(out.strip().splitlines()))
    print("  binding while connected: %s; after the close: %d bindings" %
          ((regs or {}).get("list"), after["bindings"]))
    print("  ws: upgrades %d refused %d closed %d bad frames %d; bob "
          "answered %d" % (sip["ws_upgrades"], sip["ws_refused"],
                           sip["ws_closed"], sip["ws_bad_frames"],
                           successful(uas_out[0])))
    eq(rc, 0, "dsbc exit status")
    check("bad origin: refused 403" in out, "a foreign Origin refused")
    check("no sip: refused" in out, "no sip subprotocol refused")
    check("subprotocol: sip" in out, "the sip subprotocol agreed")
    check("register: SIP/2.0 401" in out, "REGISTER challenged")
    check(re.search(r"register with digest \(SHA-256\): SIP/2.0 200 OK "
                    r"\| <sip:alice@"
                    r"[0-9a-f]+\.invalid;transport=ws>;expires=600", out),
          "registered over WSS")
    check("invite: SIP/2.0 407" in out, "INVITE challenged")
    check(re.search(r"invite with digest: SIP/2.0 200 OK \| <sip:dsbc@"
                    r"10\.10\.1\.1:8443;transport=wss>", out),
          "the call answered, dsbc's Contact on WSS")
    check("bye: SIP/2.0 200" in out, "hung up")
    check("closed: code 1000" in out, "a clean close")
    check(regs is not None and "/wss " in regs["list"][0],
          "the binding is on the WebSocket")
    eq(after["bindings"], 0, "the binding went with its connection")
    eq(successful(uas_out[0]), 1, "bob answered")
    eq(calls["answered"], 1, "answered")
    eq(sip["ws_upgrades"], 1, "one upgrade accepted")
    eq(sip["ws_refused"], 2, "two refused")
    eq(sip["ws_closed"], 1, "the close answered")


def browser_call(name, mode, bob_enc, bob_ice=True, registrar_extra="",
                 seconds=6):
    """Headless Chromium with JsSIP (alice, fake audio) registers over WSS
    and calls bob, a baresip registered over UDP (auto-answer,
    rtcp-mux, ICE); dsbc in the given mode.  Returns the page's result,
    its log, the last complete /dsbc/call view, bob's RTCP summary and
    dsbc's counters."""
    import baresip_peer
    import browser_peer
    pki = make_pki(os.path.abspath("out/system/pki"))
    users = users_file(os.path.abspath("out/system/users_browser"),
                       [("alice", "alice-pw"), ("bob", "bob-pw")])
    out = os.path.abspath("out/system/browser/%s" % name)
    os.makedirs(out, exist_ok=True)
    topo = Topology(name[:2])
    topo.setup()
    d = srv = br = bob = None
    seen = res = None
    log = []
    try:
        conf = os.path.join(out, "dsbc.conf")
        dsbc_conf(topo, conf, "mode = %s\n" % mode,
                  port0_extra="exception = tap\n")
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n" +
                    tls_conf(pki) + "[ws]\ntls_port = 8443\n"
                    "origins = http://127.0.0.1:8000\nhosts = 10.10.1.1\n" +
                    USERS_CONF % users + registrar_extra)
        d = Dsbc(BUILD, conf, "dsbc-sys-" + name, lcores="0-1")
        d.wait_ready()
        b = baresip_peer.write_config(os.path.join(out, "bob"),
                                      "10.10.2.20:5060", "bob",
                                      (32000, 32019), answer=True,
                                      mediaenc=bob_enc, ice=bob_ice,
                                      rtcp_mux=True)
        with open(os.path.join(b, "accounts"), "w") as f:
            f.write('<sip:bob@example.com>;auth_pass=bob-pw;'
                    'outbound="sip:10.10.2.1";regint=300;mediaenc=%s;%s'
                    'audio_codecs=PCMU;answermode=auto\n' %
                    (bob_enc, "medianat=ice;" if bob_ice else ""))
        blog = open(os.path.join(out, "bob.log"), "w+")
        bob = topo.run("bob", ["baresip", "-f", b, "-t",
                               str(seconds + 40)],
                       stdout=blog, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline and \
                not d.tel.query("/dsbc/registrations")["bindings"]:
            time.sleep(0.2)
        srv, br = browser_peer.start(topo, "alice", out, {
            "ws": "wss://10.10.1.1:8443", "uri": "sip:alice@example.com",
            "password": "alice-pw", "target": "sip:bob@example.com",
            "seconds": seconds})
        deadline = time.time() + seconds + 45
        while time.time() < deadline:
            res, log = browser_peer.result(out)
            if res is not None:
                break
            ids = d.tel.query("/dsbc/calls")["ids"]
            if ids:
                one = d.tel.query("/dsbc/call,%d" % ids[0])
                if complete_view(one):
                    seen = one
            time.sleep(0.2)
        for p in (br, srv):
            p.kill()
            p.wait()
        br = srv = None
        bob.kill()
        bob.wait()
        calls, st = settle(d)
        blog.seek(0)
        btext = blog.read()
    finally:
        for p in (br, srv, bob):
            if p is not None:
                p.kill()
        rc = d.stop() if d else 0
        topo.teardown()
    eq(rc, 0, "dsbc exit status")
    return dict(page=res, log=log, call=seen, calls=calls, stats=st,
                bob=baresip_peer.summary(btext), bob_text=btext)


def check_browser(r, mode):
    page, call = r["page"], r["call"]
    check(page is not None, "the page reported (log: %s)" % r["log"])
    check("failed" not in page, "the call: %s" % page.get("failed"))
    first, second = page["first"], page["second"]
    sdp = page["local_sdp"]
    print("  chromium: %s; ice %s; inbound RTP %d -> %d, outbound %d -> %d;"
          " offer: BUNDLE %s, rtcp-mux %s, candidates %d" %
          (" ".join(r["log"]), page["ice"], first["rx"], second["rx"],
           first["tx"], second["tx"], "a=group:BUNDLE" in sdp,
           "a=rtcp-mux" in sdp, sdp.count("a=candidate")))
    a, b = (call or {}).get("a_leg", {}), (call or {}).get("b_leg", {})
    print("  dsbc: mode %s; RTP in from the browser %s, from bob %s; "
          "A leg keying %s, B leg %s" %
          ((call or {}).get("mode"), a.get("m0_rtp_in_pkts"),
           b.get("m0_rtp_in_pkts"), a.get("keying"), b.get("keying")))
    check(first["rx"] > 0 and second["rx"] > first["rx"],
          "the browser's inbound RTP grows")
    check(first["tx"] > 0 and second["tx"] > first["tx"],
          "the browser's outbound RTP grows")
    eq(page["ice"] in ("connected", "completed"), True,
       "ICE connected (%s)" % page["ice"])
    check(call is not None, "a complete view of the call")
    eq(call["mode"], mode, "the call's mode")
    check_ge(a.get("m0_rtp_in_pkts", 0), 50, "RTP from the browser")
    check_ge(b.get("m0_rtp_in_pkts", 0), 50, "RTP from bob")


def test_browser_jssip_relay():
    """A real browser: headless Chromium with fake media loads a page
    using JsSIP (npm), which registers over WSS with digest and calls bob
    (baresip, registered, DTLS-SRTP with ICE); dsbc relays DTLS-SRTP end
    to end (relay mode) with the SDP as Chrome writes it (BUNDLE,
    rtcp-mux, ICE).  getStats() shows inbound and outbound RTP growing,
    and /dsbc/call the call's mode and counters."""
    r = browser_call("brelay", "relay", "dtls_srtp")
    check_browser(r, "relay")


def test_browser_jssip_terminate_sdes():
    """The WebRTC gateway: the same browser calls bob with SDES only
    (baresip, srtp-mand, no ICE); [registrar] security = sdes has dsbc
    terminate: it answers Chrome's ICE (lite) and DTLS with its own
    certificate, keys bob's leg with a=crypto and re-encrypts both ways.
    getStats() shows RTP growing both ways at the browser, /dsbc/call
    the terminate mode with SRTP unprotected and protected on both
    legs."""
    r = browser_call("bterm", "terminate", "srtp-mand", bob_ice=False,
                     registrar_extra="mode = terminate\nsecurity = sdes\n")
    check_browser(r, "terminate")
    a, b = r["call"]["a_leg"], r["call"]["b_leg"]
    print("  SRTP: A unprotected %d protected %d, B unprotected %d "
          "protected %d" % (a["m0_rtp_in_srtp_unprotected"],
                            a["m0_rtp_in_srtp_protected"],
                            b["m0_rtp_in_srtp_unprotected"],
                            b["m0_rtp_in_srtp_protected"]))
    check_ge(a["m0_rtp_in_srtp_unprotected"], 50, "Chrome's SRTP opened")
    check_ge(b["m0_rtp_in_srtp_unprotected"], 50, "bob's SRTP opened")


# From a second address of alice's namespace (10.10.1.11): a digest
# replay, a stale nonce, an oversized message over TCP, a stalled TLS
# handshake, then password guessing until blocked.  A line per attack.
ATTACKER = r"""
import hashlib, re, socket, ssl, sys, time
dsbc, me = sys.argv[1], sys.argv[2]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((me, 5090))
u.settimeout(3)
n = [0]
def register(auth="", cseq=1):
    n[0] += 1
    m = ("REGISTER sip:example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP %s:5090;branch=z9hG4bKatk%d;rport\r\n"
         "From: <sip:alice@example.com>;tag=atk\r\nTo: <sip:alice@example.com>\r\n"
         "Call-ID: atk@%s\r\nCSeq: %d REGISTER\r\n"
         "Contact: <sip:alice@%s:5090>\r\n%sContent-Length: 0\r\n\r\n"
         % (me, n[0], me, cseq, me, auth))
    u.sendto(m.encode(), (dsbc, 5060))
    while True:
        r = u.recv(4000).decode(errors="replace")
        if not r.startswith("SIP/2.0 1"):
            return r
def answer(chal, pw, nc=1):
    realm = re.search(r'realm="([^"]*)"', chal).group(1)
    nonce = re.search(r'nonce="([^"]*)"', chal).group(1)
    H = lambda x: hashlib.md5(x.encode()).hexdigest()
    ha1 = H("alice:%s:%s" % (realm, pw))
    r = H("%s:%s:%08x:c1:auth:%s" % (ha1, nonce, nc,
                                     H("REGISTER:sip:example.com")))
    return ('Authorization: Digest username="alice", realm="%s", '
            'nonce="%s", uri="sip:example.com", response="%s", '
            'algorithm=MD5, qop=auth, nc=%08x, cnonce="c1"\r\n'
            % (realm, nonce, r, nc))
first = lambda r: r.split("\r\n")[0]
chal = register()
ok = register(answer(chal, "alice-pw"), 2)
again = register(answer(chal, "alice-pw"), 3)
print("replay: first %s, again %s" % (first(ok), first(again)))
time.sleep(11)
stale = register(answer(chal, "alice-pw", 2), 4)
print("stale: %s%s" % (first(stale),
                       " stale=true" if "stale=true" in stale else ""))
t = socket.create_connection((dsbc, 5060), timeout=5)
t.sendall(("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bKbig"
           "\r\nContent-Length: 70000\r\n\r\n" % me).encode() + b"x" * 1000)
try:
    print("oversized: %s" % ("closed" if t.recv(100) == b"" else "data"))
except OSError:
    print("oversized: closed")
s = socket.create_connection((dsbc, 5061), timeout=10)
t0 = time.time()
try:
    s.recv(100)
except OSError:
    pass
print("slowloris: closed after %.0f s" % (time.time() - t0))
codes = []
for i in range(12):
    chal = register()
    if not chal.startswith("SIP/2.0 401"):
        codes.append(first(chal).split()[1])
        break
    codes.append(first(register(answer(chal, "guess%d" % i), 5)).split()[1])
print("guessing: " + " ".join(codes))
"""


def test_signalling_attacks_while_calling():
    """Refusals, each counted, while a legitimate call goes on: from
    another address of alice's namespace, a REGISTER's credentials
    replayed (the same nonce count: 401, auth_replayed), a nonce past
    nonce_ttl_s (401 stale=true), an oversized message over TCP (closed,
    tcp_too_big), a TLS client that never handshakes (closed after
    handshake_s, tls_timeouts), then password guessing until blocked
    (403, auth_blocked).  Alice's sipp call from her own address,
    running through all of it, completes."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    users = users_file(os.path.abspath("out/system/users_atk"),
                       [("alice", "alice-pw")])
    res = {}

    def during(d, topo, call):
        topo.exec("alice", "ip", "addr", "add", "10.10.1.11/24", "dev",
                  "p0")
        p = topo.run("alice", [sys.executable, "-c", ATTACKER, "10.10.1.1",
                               "10.10.1.11"], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
        res["out"] = p.communicate(timeout=60)[0]
        res["sip"] = d.tel.query("/dsbc/sip")
        res["calls"] = d.tel.query("/dsbc/calls")

    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_atk.xml"),
                   MEDIA="", HOLD_MS="25000", END_A=A_BYE)
    # a call out through the route, not to a user of dsbc's registrar
    # (whose domain dsbc's own address is)
    with open(uac) as f:
        x = f.read().replace("sip:[service]@[remote_ip]:[remote_port]",
                             "sip:[service]@pstn.example.net")
    with open(uac, "w") as f:
        f.write(x)
    uas = uas_scenario(os.path.abspath("out/system/uas_atk.xml"))
    conf = USERS_CONF.replace("fail_max = 20", "fail_max = 5\n"
                              "nonce_ttl_s = 10") % users
    r = run_call("attacks", uac, uas, port0_extra="exception = tap\n",
                 conf_extra=tls_conf(pki) + conf, deadline_s=120,
                 during=during)
    out, sip = res.get("out", ""), res.get("sip", {})
    print("  " + "; ".join(out.strip().splitlines()))
    print("  auth: replayed %s stale %s failed %s blocked %s; tcp_too_big %s"
          " tls_timeouts %s; calls active during the attacks %s" %
          (sip.get("auth_replayed"), sip.get("auth_stale"),
           sip.get("auth_failed"), sip.get("auth_blocked"),
           sip.get("tcp_too_big"), sip.get("tls_timeouts"),
           res.get("calls", {}).get("active")))
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "the legitimate call answered")
    eq(res.get("calls", {}).get("active"), 1, "up through the attacks")
    check("replay: first SIP/2.0 200 OK, again SIP/2.0 401" in out,
          "the replay refused")
    check("stale: SIP/2.0 401 Unauthorized stale=true" in out,
          "the old nonce stale")
    check("oversized: closed" in out, "the oversized message closed")
    check(re.search(r"slowloris: closed after [1-5] s", out),
          "the stalled TLS client closed")
    check(out.strip().endswith("403"), "guessing blocked")
    eq(sip["auth_replayed"], 1, "auth_replayed")
    check_ge(sip["auth_stale"], 1, "auth_stale")
    # fail_max = 5: the replay and four guesses, then blocked
    eq(sip["auth_failed"], 5, "the replay and four guesses failed")
    check_ge(sip["auth_blocked"], 1, "auth_blocked")
    eq(sip["tcp_too_big"], 1, "tcp_too_big")
    eq(sip["tls_timeouts"], 1, "tls_timeouts")


def test_sip_tcp_refusals():
    """SIP over TCP refuses and counts: a connection over the per-source
    cap (sip_tcp_max_per_source = 2) is closed at once (tcp_refused); a
    keepalive ping (CRLF CRLF) gets its pong (RFC 5626 4.4.1); a message
    without Content-Length, mandatory on streams (RFC 3261 20.14), closes
    its connection (tcp_bad_length); nothing is left open."""
    topo = Topology("tr")
    topo.setup()
    d = None
    try:
        conf = os.path.abspath("out/system/tcpref.conf")
        dsbc_conf(topo, conf, "sip_tcp_max_per_source = 2\n",
                  port0_extra="exception = tap\n")
        d = Dsbc(BUILD, conf, "dsbc-sys-tcpref", lcores="0-1")
        d.wait_ready()
        p = topo.run("alice", [sys.executable, "-c", TCP_SIP_PROBE,
                               "10.10.1.1", "5060"],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     text=True)
        out = p.communicate(timeout=30)[0]
        time.sleep(0.3)
        sip = d.tel.query("/dsbc/sip")
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    print("  " + "; ".join(out.strip().splitlines()))
    print("  tcp: accepted %d refused %d bad_length %d pings %d closed %d "
          "open %d" % (sip["tcp_accepted"], sip["tcp_refused"],
                       sip["tcp_bad_length"], sip["tcp_pings"],
                       sip["tcp_closed"], sip["tcp_open"]))
    eq(rc, 0, "dsbc exit status")
    check("third: closed" in out, "the third connection closed")
    check("pong: b'\\r\\n'" in out, "the ping answered")
    check("no length: closed" in out or "no length: reset" in out,
          "the message without Content-Length closed its connection")
    eq(sip["tcp_accepted"], 2, "two connections taken")
    eq(sip["tcp_refused"], 1, "the third refused")
    eq(sip["tcp_pings"], 1, "pings answered")
    eq(sip["tcp_bad_length"], 1, "framing errors")
    # the probe has exited: its other connection closed with it
    eq((sip["tcp_closed"], sip["tcp_open"]), (2, 0), "closed, left open")


FLOOD_KINDS = ("invite", "garbage", "register", "bye")


def flood_run(kind, calls=200, rate=20, pps=0, warmup_s=1.5, name=None,
              conf_extra=""):
    """Legitimate sipp calls (alice -> dsbc -> bob, rate calls/s) while
    sip-flood sends kind from 10,000 spoofed sources (10.20.0.0/18, off
    every dsbc subnet) through alice's link, from warmup_s after the
    first call until the calls are placed; pps 0: as fast as it goes.
    INVITEs of the flood are for "flood", routed to 10.10.2.99, a next
    hop that never answers.  Returns a dict: legit_ok, legit, pps (what
    the flooder reached), and dsbc's /dsbc/sip and /dsbc/stats."""
    name = name or "fl" + kind[:2]
    topo = Topology(name[:2])
    topo.setup()
    d = flooder = None
    res = {}
    try:
        conf = os.path.abspath("out/system/%s.conf" % name)
        dsbc_conf(topo, conf, "max_calls = 16384\n" + conf_extra)
        with open(conf, "a") as f:
            f.write("[route.0]\nuser_prefix = flood\n"
                    "next_hop = 10.10.2.99:5060\n"
                    "[route.1]\nnext_hop = 10.10.2.20:5060\n"
                    "[neigh.0]\nport = 1\nip = 10.10.2.99\n"
                    "mac = 02:00:00:00:0b:99\n")
        d = Dsbc(BUILD, conf, "dsbc-sys-" + name, lcores="0-1")
        d.wait_ready()
        uas_xml = uas_scenario(os.path.abspath("out/system/uas_%s.xml" %
                                               name))
        uac_xml = scenario("uac_call.xml", os.path.abspath(
            "out/system/uac_%s.xml" % name), MEDIA="", HOLD_MS="200",
            END_A=A_BYE)
        common = ["-nostdin", "-timeout", str(int(calls / rate) + 60),
                  "-max_recv_loops", "1000"]
        uas = topo.run("bob", ["sipp", "-sf", uas_xml, "-i", "10.10.2.20",
                               "-p", "5060", "-mp", "6000", "-m",
                               str(calls)] + common,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
        time.sleep(0.5)
        out_f = open("out/system/%s.uac.out" % name, "w+")
        uac = topo.run("alice", ["sipp", "-sf", uac_xml, "-i", "10.10.1.10",
                                 "-p", "5070", "-mp", "7000", "-r",
                                 str(rate), "-m", str(calls), "-s", "bob"] +
                       common + ["10.10.1.1:5060"],
                       stdout=out_f, stderr=subprocess.STDOUT, text=True)
        time.sleep(warmup_s)
        flood_s = max(1.0, calls / rate - warmup_s)
        flooder = topo.run("alice", [
            os.path.join(BUILD, "perf/sip-flood"), "--iface", "p0",
            "--src-mac", topo.mac["alice"], "--dst-mac",
            "02:00:00:00:0a:01", "--dst", "10.10.1.1:5060", "--sources",
            "10.20.0.1", "--count-src", "10000", "--kind", kind,
            "--pps", str(pps), "--seconds", "%.1f" % flood_s],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        fl_out = flooder.communicate(timeout=flood_s + 30)[0]
        uac.wait(timeout=calls / rate + 120)
        out_f.seek(0)
        screen = out_f.read()
        try:
            uas.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            uas.kill()
            uas.communicate()
        res["sip"] = d.tel.query("/dsbc/sip")
        res["stats"] = d.stats()
        res["calls"] = d.tel.query("/dsbc/calls")
    finally:
        if flooder is not None and flooder.poll() is None:
            flooder.kill()
        rc = d.stop() if d else 0
        topo.teardown()
    m = re.search(r"sent (\d+) in ([\d.]+) s: (\d+) pps", fl_out)
    res.update(rc=rc, legit=calls, legit_ok=max(successful(screen), 0),
               pps=int(m.group(3)) if m else 0, sent=int(m.group(1)) if m
               else 0, flooder=fl_out.strip())
    return res


def flood_line(kind, r):
    return "flood kind=%s pps=%d legit_ok=%d/%d" % (kind, r["pps"],
                                                    r["legit_ok"],
                                                    r["legit"])


def test_overload_floods():
    """Overload control under the four floods of spoofed sources (a
    short run of perf/flood): legitimate calls at 20/s keep completing
    (at least 99 %) while INVITEs (to a next hop that never answers),
    garbage, REGISTERs and BYEs with random Call-IDs come from 10,000
    sources.  Each flood must show up on the counter meant for it:
    garbage dropped on the worker, strangers' messages on their own ring
    and admitted only at the admission rate, the rest refused or shed."""
    for kind in FLOOD_KINDS:
        r = flood_run(kind, calls=60)
        sip, st = r["sip"], r["stats"]
        print("  " + flood_line(kind, r))
        print("    flooder: %s; worker: garbage %d rate %d banned %d "
              "new_ring_full %d punted dialog %d known %d new %d; mgmt: "
              "admitted %d refused %d shed %d cuts %d rate now %d; "
              "ring_full dialog %d known %d" % (
                  r["flooder"], st["drop_sip_garbage"], st["drop_sip_rate"],
                  st["drop_sip_banned"], st["drop_sip_new_ring_full"],
                  st["sip_punted_dialog"], st["sip_punted_known"],
                  st["sip_punted_new"], sip["admitted"],
                  sip["overload_refused"], sip["overload_shed"],
                  sip["admit_cuts"], sip["admit_rate"],
                  st["drop_sip_ring_full"], st["drop_sip_known_ring_full"]))
        eq(r["rc"], 0, "dsbc exit status")
        check(r["sent"] > 1000, "the flood was sent (%s)" % r["flooder"])
        check(r["legit_ok"] * 100 >= r["legit"] * 99,
              "legitimate calls completed: %d/%d" % (r["legit_ok"],
                                                    r["legit"]))
        eq(st["drop_sip_ring_full"], 0, "established calls' ring never full")
        eq(st["drop_sip_known_ring_full"], 0, "trusted peers' ring never full")
        if kind == "garbage":
            check_ge(st["drop_sip_garbage"], r["sent"] // 2,
                     "garbage dropped on the worker")
            eq(st["sip_punted_new"] > r["sent"] // 2, False,
               "garbage never reached a ring")
        else:
            check_ge(st["sip_punted_new"] + st["drop_sip_new_ring_full"] +
                     st["drop_sip_rate"], r["sent"] // 2,
                     "the flood went to the strangers' ring")
            check(sip["admitted"] < r["sent"],
                  "not every flood message admitted")


def test_udp_relay_between_namespaces():
    """Alice's kernel sends to dsbc's access address, Bob's kernel answers
    to dsbc's core address: both resolve dsbc by ARP, dsbc resolves them
    by ARP, and every datagram arrives with the right addresses."""
    topo = Topology("u")
    topo.setup()
    d = None
    try:
        conf = os.path.abspath("out/system/udp.conf")
        dsbc_conf(topo, conf)
        d = Dsbc(BUILD, conf, "dsbc-sys-udp", lcores="0-1")
        d.wait_ready()
        bob = topo.run("bob", ["python3", "-c", PEER, "30000", "10.10.2.1",
                               "20002", "50", "160", "3"],
                       stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        alice = topo.run("alice", ["python3", "-c", PEER, "40000",
                                   "10.10.1.1", "20000", "50", "160", "3"],
                         stdout=subprocess.PIPE, text=True)
        a_out = alice.communicate(timeout=30)[0].strip()
        b_out = bob.communicate(timeout=30)[0].strip()
        # Alice forgets dsbc's MAC, then pings it: dsbc must answer her
        # ARP request and her ICMP echo requests.
        topo.exec("alice", "ip", "neigh", "flush", "dev", "p0")
        ping = topo.exec("alice", "ping", "-c", "3", "-i", "0.2", "-W", "2",
                         "10.10.1.1", check=False)
        st = d.stats()
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    print("  dsbc: " + " ".join("%s=%d" % (k, v) for k, v in st.items()
                                if v and (k.startswith(("mgmt_", "drop"))
                                          or k in ("rx", "tx"))))
    print("  alice: " + a_out)
    print("  bob:   " + b_out)
    # Bob starts first, so his first datagrams find no latched Alice yet:
    # they are relayed (latch first latches Bob) but may reach Alice before
    # she listens; what must hold is that Alice's 50 reach Bob, from dsbc.
    b = b_out.split()
    eq(b[3] if len(b) > 3 else None, "8000", "bytes Bob received (50 x 160)")
    eq(b[5] if len(b) > 5 else None, "10.10.2.1:20002", "Bob's source")
    a = a_out.split()
    eq(a[5] if len(a) > 5 else None, "10.10.1.1:20000", "Alice's source")
    check_ge(int(a[1]), 1, "datagrams Alice received")
    check_ge(st["tx"], 50 + int(a[1]), "dsbc tx")
    eq(ping.returncode, 0, "ping from alice to dsbc (%s)" % ping.stdout)
    check_ge(st["mgmt_arp_replies"], 1, "ARP replies from dsbc")
    check_ge(st["mgmt_icmp_echo_replies"], 3, "ICMP echo replies")
    check_ge(st["mgmt_arp_learned"], 2, "next hops learned by ARP")
    eq(rc, 0, "dsbc exit status")


def test_sipp_options():
    """sipp (a SIP peer nobody here wrote) in alice's namespace sends 20
    OPTIONS to dsbc through the kernel and af_packet; every one must get
    its 200 (sipp exits 0 only then), and /dsbc/sip must count them."""
    topo = Topology("s")
    topo.setup()
    d = None
    try:
        conf = os.path.abspath("out/system/sipp.conf")
        dsbc_conf(topo, conf)
        d = Dsbc(BUILD, conf, "dsbc-sys-sipp", lcores="0-1")
        d.wait_ready()
        scen = os.path.join(HERE, "sipp", "options_uac.xml")
        r = subprocess.run(
            ["ip", "netns", "exec", topo.ns["alice"], "sipp", "-sf", scen,
             "-m", "20", "-r", "10", "-i", "10.10.1.10", "-p", "5070",
             "-timeout", "20", "-timeout_error", "-nostdin",
             "10.10.1.1:5060"], capture_output=True, text=True, timeout=60)
        sip = d.tel.query("/dsbc/sip")
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    eq(r.returncode, 0, "sipp exit status (%s)" % r.stderr[-300:])
    eq(sip["rx_OPTIONS"], 20, "OPTIONS counted by dsbc")
    eq(sip["tx_2xx"], 20, "200 OK sent by dsbc")
    eq(rc, 0, "dsbc exit status")


SIPP = os.path.join(HERE, "sipp")

A_BYE = """  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "alice" <sip:alice@[local_ip]:[local_port]>;tag=[pid]A[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true" />"""

RECV_BYE = """  <recv request="BYE" />
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>"""

B_BYE = """  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bob@[local_ip]:[local_port]>;tag=[pid]B[call_number]
      To: [$afrom]
      [last_Call-ID:]
      CSeq: 1 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" />"""

EARLY = """  <send>
    <![CDATA[
      SIP/2.0 183 Session Progress
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]B[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:bob@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=bob 53655765 2353687636 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0

    ]]>
  </send>
  <pause milliseconds="200"/>"""


A_REINVITE = """  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "alice" <sip:alice@[local_ip]:[local_port]>;tag=[pid]A[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 INVITE
      Contact: <sip:alice@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=alice 53655765 2353687638 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port+2] RTP/AVP 0

    ]]>
  </send>
  <recv response="100" optional="true" />
  <recv response="200" />
  <pause milliseconds="1300"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "alice" <sip:alice@[local_ip]:[local_port]>;tag=[pid]A[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
""" + A_BYE.replace("CSeq: 2 BYE", "CSeq: 3 BYE")

B_REINVITED = """  <recv request="INVITE" />
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:bob@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=bob 53655765 2353687638 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port+4] RTP/AVP 0

    ]]>
  </send>
  <recv request="ACK" />
""" + RECV_BYE


def scenario(name, out, **subst):
    with open(os.path.join(SIPP, name)) as f:
        text = f.read()
    for k, v in subst.items():
        text = text.replace("@%s@" % k, v)
    with open(out, "w") as f:
        f.write(text)
    return out


def uas_scenario(out, early=False, b_hangs_up=False, end=None, media=""):
    text = scenario("uas_call.xml", out, EARLY=EARLY if early else "",
                    MEDIA_B=media,
                    END=end or (B_BYE if b_hangs_up else RECV_BYE))
    if b_hangs_up:
        # remember the INVITE's From (dsbc's B-leg identity) for the BYE's
        # To, and its Contact for the Request-URI ([next_url])
        with open(text) as f:
            x = f.read()
        x = x.replace('<recv request="INVITE" crlf="true" />',
                      '<recv request="INVITE" crlf="true" rrs="true">\n'
                      '    <action><ereg regexp="From: ([^\\r\\n]*)" '
                      'search_in="msg" check_it="true" '
                      'assign_to="junk,afrom"/></action>\n  </recv>\n'
                      '  <Reference variables="junk" />')
        with open(text, "w") as f:
            f.write(x)
    return text


def settle(d, timeout=10):
    """Wait until no call is left and only the 2 static flows remain (the
    transactions and flow removals of the last call settle); returns the
    last /dsbc/calls and /dsbc/stats."""
    deadline = time.time() + timeout
    while True:
        calls = d.tel.query("/dsbc/calls")
        st = d.stats()
        if (calls["active"] == 0 and
                st["flows_installed"] - st["flows_removed"] == 2) or \
                time.time() > deadline:
            return calls, st
        time.sleep(0.2)


def complete_view(one):
    """A /dsbc/call view of a confirmed call with every flow's counters.
    Each flow is copied by its worker after the call's snapshot, so a flow
    removed in between (the call ending) has none in that view."""
    return bool(one) and one.get("state") == "confirmed" and all(
        "m%d_%s_in_pkts" % (i, k) in one.get(leg, {})
        for leg in ("a_leg", "b_leg")
        for i in range(one.get("media_lines", 0))
        for k in ("rtp", "rtcp")[:one.get(leg, {}).get("m%d_flows" % i, 0)])


def run_call(name, uac_xml, uas_xml, calls=1, rate=10, limit=10,
             extra_uac=(), extra_uas=(), loss=None, conf_extra="",
             dsbc_extra="", during=None, service="bob",
             during_state="confirmed", deadline_s=180, port0_extra="",
             uac_ip="10.10.1.10", uac_target="10.10.1.1:5060",
             uac_helper=None, port1_extra="", uas_ip="10.10.2.20",
             uas_helper=None, next_hop="10.10.2.20:5060",
             cdr_syslog=False):
    """dsbc between alice (sipp UAC) and bob (sipp UAS); returns both sipp
    results and dsbc's telemetry after the calls, and checks the call
    table, flows and ports are back where they started."""
    topo = Topology(name[:2])
    topo.setup()
    d = helper = bhelper = None
    ops = OpsCapture(name, syslog=cdr_syslog)
    try:
        if loss:
            for who in ("alice", "bob"):
                topo.exec(who, "tc", "qdisc", "add", "dev", "p0", "root",
                          "netem", "loss", loss)
        conf = os.path.abspath("out/system/%s.conf" % name)
        dsbc_conf(topo, conf, dsbc_extra, port0_extra, port1_extra)
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = %s\n" % next_hop + conf_extra +
                    ops.conf())
        d = Dsbc(BUILD, conf, "dsbc-sys-" + name, lcores="0-1")
        d.wait_ready()
        before = d.tel.query("/dsbc/calls")
        common = ["-m", str(calls), "-nostdin", "-timeout", "60",
                  "-timeout_error", "-max_recv_loops", "1000"]
        # no UAS: the call is not meant to reach bob
        if uas_helper:
            # a process bob's sipp is reached through (stunnel4)
            bhelper = topo.run("bob", uas_helper, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        uas = topo.run("bob", ["sipp", "-sf", uas_xml, "-i", uas_ip,
                               "-p", "5060", "-mp", "6000"] + common +
                       list(extra_uas) if uas_xml else ["true"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
        if uac_helper:
            # a process alice's sipp talks through (stunnel4)
            helper = topo.run("alice", uac_helper, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        time.sleep(0.5)
        # files, not pipes: nobody reads them while sipp runs
        uac_out_f = open("out/system/%s.uac.out" % name, "w+")
        uac_err_f = open("out/system/%s.uac.err" % name, "w+")
        uac_p = topo.run(
            "alice", ["sipp", "-sf", uac_xml,
             "-i", uac_ip, "-p", "5070", "-mp", "7000", "-r",
             str(rate), "-l", str(limit), "-s", service] + common +
            list(extra_uac) + [uac_target],
            stdout=uac_out_f, stderr=uac_err_f, text=True)
        # While the calls run, keep the last view of one call with its
        # flows (the call is gone from /dsbc/call once it ends).
        seen = after_during = None
        deadline = time.time() + deadline_s
        while uac_p.poll() is None and time.time() < deadline:
            ids = d.tel.query("/dsbc/calls")["ids"]
            if ids:
                one = d.tel.query("/dsbc/call,%d" % ids[0])
                if one and during is not None and after_during is None \
                        and one.get("state") == during_state:
                    during(d, topo, one)
                    one = d.tel.query("/dsbc/call,%d" % ids[0]) or one
                    after_during = one
                if complete_view(one):
                    seen = one
            time.sleep(0.1)
        if uac_p.poll() is None:
            uac_p.kill()
        uac_p.wait()
        uac_out_f.seek(0)
        uac_err_f.seek(0)
        uac = subprocess.CompletedProcess(uac_p.args, uac_p.returncode,
                                          uac_out_f.read(), uac_err_f.read())
        try:
            uas_out = uas.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            uas.kill()
            uas_out = uas.communicate()
        calls_now, st = settle(d)
        sip = d.tel.query("/dsbc/sip")
        hep_st = d.tel.query("/dsbc/hep")
    finally:
        for h in (helper, bhelper):
            if h is not None:
                # SIGTERM: a helper with children (kamailio) ends them
                h.terminate()
                try:
                    h.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    h.kill()
                    h.wait()
        rc = d.stop() if d else 0
        topo.teardown()
    # written by dsbc's export thread before it exits
    cdrs, hep, syslog = ops.cdrs(), ops.hep(), ops.log is not None
    if ops.syslog_why:
        print("  CDRs to the file, not syslog: " + ops.syslog_why)
    ops.close()
    res = dict(uac_rc=uac.returncode, uac_err=uac.stderr,
               uas_rc=uas.returncode, uas_err=uas_out[1],
               uas_ok=successful(uas_out[0]), uac_ok=successful(uac.stdout),
               calls=calls_now, call=seen, call_after_during=after_during,
               before=before, stats=st, sip=sip, cdrs=cdrs, hep=hep,
               hep_st=hep_st, cdr_syslog=syslog)
    print("  calls: " + " ".join(
        "%s=%s" % (k, v) for k, v in calls_now.items()
        if not k.endswith("ids") and (v or k in ("active", "started"))))
    if calls_now.get("timeouts"):
        # what the SIP side saw, to tell peer loss from dsbc trouble
        print("  sip: " + " ".join("%s=%s" % (k, v) for k, v in sip.items()
                                   if v and not k.startswith("rx_")))
        print("  drops: " + " ".join("%s=%s" % (k, v) for k, v in st.items()
                                     if v and k.startswith("drop")))
    eq(rc, 0, "dsbc exit status")
    eq(calls_now["active"], 0, "calls left")
    eq(calls_now["media_port_pairs_free"], before["media_port_pairs_free"],
       "media ports back")
    eq(st["flows_installed"] - st["flows_removed"], 2,
       "only the 2 static flows left")
    check_cdrs(cdrs, calls_now["ended"] - before["ended"])
    return res


def successful(screen):
    """Successful calls in sipp's final statistics screen."""
    m = re.findall(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", screen)
    return int(m[-1]) if m else -1


def sipp_ok(r):
    eq(r["uac_rc"], 0, "sipp UAC exit status (%s)" % r["uac_err"][-400:])
    eq(r["uas_rc"], 0, "sipp UAS exit status (%s)" % r["uas_err"][-400:])


def rtp_pcap(path, n, flow="10.10.1.10:7000-10.10.1.1:6000"):
    """n RTP packets alice -> whatever sipp is told (play_pcap_audio keeps
    ports and rewrites the destination to the SDP's)."""
    r = subprocess.run([os.path.join(BUILD, "app/dsbc-gen/dsbc-gen"),
                        "--pcap-out", path, "--kind", "rtp", "--count",
                        str(n), "--flow", flow,
                        "--src-mac", "02:00:00:00:0a:10", "--dst-mac",
                        "02:00:00:00:0a:01"], capture_output=True, text=True)
    eq(r.returncode, 0, "dsbc-gen: " + r.stderr)
    return path


def test_call_bye_from_a_with_rtp():
    """Basic call, BYE from A; RTP both ways through the ports dsbc
    allocated: 50 packets from A's sipp, 40 from B's, each counted on its
    flow and latched on the sender's address."""
    pcap = rtp_pcap(os.path.abspath("out/system/rtp50.pcap"), 50)
    pcap_b = rtp_pcap(os.path.abspath("out/system/rtp40b.pcap"), 40,
                      "10.10.2.20:6000-10.10.2.1:6000")
    media = '  <nop><action><exec play_pcap_audio="%s"/></action></nop>' % pcap
    media_b = ('  <nop><action><exec play_pcap_audio="%s"/></action></nop>'
               % pcap_b)
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_a.xml"),
                   MEDIA=media, HOLD_MS="2500", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_a.xml"), media=media_b)
    msgs = os.path.abspath("out/system/bye_a_uas_msgs.log")
    if os.path.exists(msgs):
        os.unlink(msgs)
    scrapes = []

    def during(d, topo, one):
        # Prometheus: the exposition dsbc-ctl's exporter serves, twice
        # while the media flows, each through promtool
        for i in range(2):
            if i:
                time.sleep(0.8)
            r = ctl(d, "metrics")
            eq(r.returncode, 0, "dsbc-ctl metrics (%s)" % r.stderr[-300:])
            check_promtool(r.stdout, "the scrape during the call")
            scrapes.append(parse_exposition(r.stdout)[0])

    r = run_call("bye_a", uac, uas, extra_uas=["-trace_msg", "-message_file",
                                                msgs], during=during)
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    # What B received: RFC 8224 fields and DTLS attributes byte for byte
    # (RFC 7879 section 3.1), and nothing of A's topology in Via, Contact
    # or Call-ID.
    with open(msgs, errors="replace") as f:
        log = f.read()
    inv = log[log.index("INVITE sip:"):]
    inv = inv[:inv.index("\n\n", inv.index("a=setup"))]
    with open(uac) as f:
        sent = f.read()
    for prefix in ("Identity: ", "Date: ", "a=fingerprint:", "a=setup:"):
        want = [l.strip() for l in sent.splitlines()
                if l.strip().startswith(prefix)][0]
        got = [l.strip() for l in inv.splitlines() if l.startswith(prefix)]
        eq(got, [want], "%s at B" % prefix.strip())
    for l in inv.splitlines():
        if l.startswith(("Via:", "Contact:", "Call-ID:", "c=", "o=")):
            check("10.10.1.10" not in l, "A's address leaks to B: " + l)
    eq(r["stats"]["rx_rtp"], 90, "RTP packets into dsbc")
    eq(r["stats"]["tx"], 90, "RTP packets relayed")
    # the per-call view while it was up: each leg's flow counted what its
    # peer sent and latched onto where the peer sent it from
    c = r["call"]
    check(c is not None, "call seen in /dsbc/call while confirmed")
    print("  a_leg: pkts=%s latched=%s sends_to=%s" % (
        c["a_leg"]["m0_rtp_in_pkts"], c["a_leg"]["m0_rtp_in_latched"],
        c["b_leg"]["m0_rtp_in_sends_to"]))
    eq(c["a_leg"]["m0_rtp_in_pkts"], 50, "A-leg flow packets (alice's)")
    eq(c["b_leg"]["m0_rtp_in_pkts"], 40, "B-leg flow packets (bob's)")
    eq(c["a_leg"]["m0_rtp_in_rtp"], 50, "A-leg flow RTP class")
    eq(c["a_leg"]["m0_rtp_in_latched"], "10.10.1.10:7000", "A-leg latch")
    eq(c["b_leg"]["m0_rtp_in_latched"], "10.10.2.20:6000", "B-leg latch")
    eq(c["b_leg"]["m0_rtp_in_sends_to"], "10.10.1.10:7000",
       "B->A flow sends to alice's latched source")
    m1, m2 = scrapes
    rtp = [sample(m, "dsbc_rx_classified_packets_total", **{"class": "rtp"})
           for m in (m1, m2)]
    print("  metrics: %d samples; confirmed %s, INVITEs in %s, RTP in %s"
          % (len(m2), sample(m2, "dsbc_calls", state="confirmed"),
             sample(m2, "dsbc_sip_requests_received_total",
                    method="INVITE"), rtp))
    eq(sample(m2, "dsbc_calls", state="confirmed"), 1.0,
       "dsbc_calls{state=confirmed} during the call")
    eq(sample(m2, "dsbc_calls_by_mode", mode="relay"), 1.0, "relay calls")
    eq(sample(m2, "dsbc_sip_requests_received_total", method="INVITE"),
       1.0, "INVITEs received")
    eq(sample(m2, "dsbc_sip_requests_sent_total", method="INVITE"), 1.0,
       "INVITEs sent")
    check(rtp[0] is not None and rtp[1] > rtp[0],
          "RTP counter moved between the scrapes: %s" % rtp)
    # its record: why and how it ended, what each peer sent and where
    # from, as the flows counted it when they were removed
    cdr = r["cdrs"][0]
    print("  cdr: " + json.dumps(cdr)[:400])
    eq((cdr["reason"], cdr["status"], cdr["mode"], cdr["route"]),
       ("bye_a", 200, "relay", 0), "CDR reason, status, mode, route")
    eq((cdr["a"]["packets"], cdr["b"]["packets"]), (50, 40),
       "CDR packets from alice, from bob")
    eq((cdr["a"]["latched"], cdr["b"]["latched"]),
       ("10.10.1.10:7000", "10.10.2.20:6000"), "CDR latched sources")
    eq((cdr["a"]["peer"], cdr["a"]["transport"], cdr["b"]["peer"]),
       ("10.10.1.10:5070", "udp", "10.10.2.20:5060"), "CDR signalling peers")
    eq((cdr["a"]["stats"], cdr["b"]["stats"]), ("complete", "complete"),
       "every flow's last counters came back")
    check(cdr["talk_s"] >= 2.0 and cdr["answer"] is not None, "talk time")
    # HEP: every SIP message of both legs, in order, from the address
    # that sent it
    alice, da, db, bob = ("10.10.1.10:5070", "10.10.1.1:5060",
                          "10.10.2.1:5060", "10.10.2.20:5060")
    la = hep_ladder(r["hep"], cdr["a"]["call_id"])
    lb = hep_ladder(r["hep"], cdr["b"]["call_id"])
    print("  hep A: %s\n  hep B: %s" % (la, lb))
    eq(la, [(alice, "INVITE"), (da, "100"), (da, "180"), (da, "200"),
            (alice, "ACK"), (alice, "BYE"), (da, "200")], "A leg over HEP")
    eq(lb, [(db, "INVITE"), (bob, "180"), (bob, "200"), (db, "ACK"),
            (db, "BYE"), (bob, "200")], "B leg over HEP")
    check(all(h["agent"] == 77 and h["proto"] == 17 for h in r["hep"]),
          "HEP agent id and UDP")
    # the same packets through a HEP collector nobody here wrote: sngrep
    # listening for HEP writes what it decoded as a pcap, which tshark
    # reads back as SIP
    sip_seen = sngrep_decode([h["raw"] for h in r["hep"] if h["type"] == 1],
                             os.path.abspath("out/system/bye_a_hep.pcap"))
    print("  sngrep -L: %d SIP messages, %s" % (len(sip_seen),
                                               sorted(set(sip_seen))))
    eq(sorted(sip_seen), sorted(
        [(cdr["a"]["call_id"], w) for _, w in la] +
        [(cdr["b"]["call_id"], w) for _, w in lb]),
       "sngrep decoded every captured message of both legs")


# RTP at 50 packets/s from BIND to DST for COUNT packets, whatever the
# link does: a send that fails (no route while it is down) is counted,
# not fatal.  Prints "sent <ok> failed <n>".
RTP_STEADY = r"""
import socket, struct, sys, time
b, d, count = sys.argv[1].rsplit(":", 1), sys.argv[2].rsplit(":", 1), \
    int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((b[0], int(b[1])))
ok = bad = 0
t0 = time.time()
for i in range(count):
    pkt = struct.pack("!BBHII", 0x80, 0, i, i * 160, 0x5151) + b"\xd5" * 160
    try:
        s.sendto(pkt, (d[0], int(d[1])))
        ok += 1
    except OSError:
        bad += 1
    time.sleep(max(0.0, t0 + (i + 1) * 0.02 - time.time()))
print("sent %d failed %d" % (ok, bad))
"""


def sngrep_decode(packets, pcap):
    """HEP packets sent to sngrep -L (headless): [(Call-ID, method or
    status)] of the SIP in the pcap it writes, as tshark reads it."""
    if os.path.exists(pcap):
        os.unlink(pcap)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen(["sngrep", "-N", "-q", "-L", "udp:127.0.0.1:%d" %
                          port, "-O", pcap], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for raw in packets:
            s.sendto(raw, ("127.0.0.1", port))
            time.sleep(0.01)
        s.close()
        time.sleep(0.5)
    finally:
        p.terminate()
        p.wait(timeout=10)
    r = subprocess.run(["tshark", "-r", pcap, "-Y", "sip", "-T", "fields",
                        "-e", "sip.Call-ID", "-e", "sip.Method",
                        "-e", "sip.Status-Code"], capture_output=True,
                       text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        f = line.split("\t")
        out.append((f[0], f[1] or f[2]))
    return out


def test_link_down_up_mid_call():
    """Fault: alice's link to dsbc goes down for 0.6 s in the middle of a
    call (ip link set on her end of the veth, so dsbc's end loses its
    carrier) while she sends 150 RTP packets at 50/s.  What she sends
    meanwhile is lost; once the link is back (she ARPs for dsbc again),
    media flows on through the same flow, latched where it was, and the
    call ends with her BYE leaving nothing behind.  (net_af_packet does
    not report link state, so /dsbc/ports is not asked.)"""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_ld.xml"),
                   MEDIA="", HOLD_MS="4500", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_ld.xml"))
    res = {}

    def during(d, topo, call):
        port = call["a_leg"]["m0_local_port"]
        p = topo.run("alice", [sys.executable, "-c", RTP_STEADY,
                               "10.10.1.10:7010", "10.10.1.1:%d" % port,
                               "150"], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)
        res["before"] = d.tel.query("/dsbc/call,%d" % call["id"])
        topo.exec("alice", "ip", "link", "set", "p0", "down")
        time.sleep(0.6)
        res["at_down_end"] = d.tel.query("/dsbc/call,%d" % call["id"])
        topo.exec("alice", "ip", "link", "set", "p0", "up")
        res["sender"] = p.communicate(timeout=20)[0].strip()
        res["end"] = d.tel.query("/dsbc/call,%d" % call["id"])

    r = run_call("linkdown", uac, uas, during=during)
    pk = lambda v: (v or {}).get("a_leg", {}).get("m0_rtp_in_pkts", 0)
    print("  alice: %s; her RTP at dsbc: %d before the cut, %d when it "
          "ended, %d at the end" % (res.get("sender"), pk(res.get("before")),
                                     pk(res.get("at_down_end")),
                                     pk(res.get("end"))))
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "answered")
    check_ge(pk(res["before"]), 30, "RTP flowed before the cut")
    check(pk(res["at_down_end"]) - pk(res["before"]) < 5,
          "nothing came while the link was down")
    check_ge(pk(res["end"]) - pk(res["at_down_end"]), 50,
             "RTP flowed again after the link came back")
    check(pk(res["end"]) < 150, "what was sent while down was lost")


# alice sends one INVITE from 10.10.1.10:5070 and then vanishes as far
# as SIP goes: she never ACKs.  For SECONDS she only listens, and prints
# how many 2xx copies and BYEs came.
VANISHING_UAC = r"""
import re, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.10.1.10", 5070))
s.settimeout(0.2)
sdp = ("v=0\r\no=alice 1 1 IN IP4 10.10.1.10\r\ns=-\r\n"
       "c=IN IP4 10.10.1.10\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n")
inv = ("INVITE sip:bob@10.10.1.1 SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 10.10.1.10:5070;branch=z9hG4bKvanish1\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:alice@10.10.1.10>;tag=v1\r\n"
       "To: <sip:bob@10.10.1.1>\r\nCall-ID: vanish1@10.10.1.10\r\n"
       "CSeq: 1 INVITE\r\nContact: <sip:alice@10.10.1.10:5070>\r\n"
       "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
       % (len(sdp), sdp))
s.sendto(inv.encode(), ("10.10.1.1", 5060))
oks = byes = 0
end = time.time() + float(sys.argv[1])
while time.time() < end:
    try:
        d = s.recv(65536).decode(errors="replace")
    except socket.timeout:
        continue
    if d.startswith("SIP/2.0 200"):
        oks += 1
    elif d.startswith("BYE "):
        byes += 1
print("2xx copies %d, BYEs %d" % (oks, byes))
"""


def test_sip_peer_vanishes_mid_transaction():
    """Fault: a SIP peer gone mid-transaction, with sip_t1_ms = 50 (RFC
    3261 17.1.1.1: T1 for a known network) so 64*T1 is 3.2 s.
    bob vanishes: alice's INVITE reaches him (a listener that never
    answers), dsbc retransmits it and at timer B answers alice 408
    (RFC 3261 17.1.1.2, 8.1.3.1), leaving nothing behind.
    alice vanishes: her INVITE is answered by bob, dsbc sends her the 2xx
    and retransmits it doubling up to T2 (13.3.1.4); no ACK comes, so
    after 64*T1 dsbc ends the call with a BYE to each side, and bob's
    sipp sees its call end normally."""
    uac = scenario("uac_fail.xml", os.path.abspath(
        "out/system/uac_vb.xml"))
    with open(uac) as f:
        x = f.read().replace('<recv response="486" />',
                             '<recv response="408" />')
    with open(uac, "w") as f:
        f.write(x)
    t0 = time.time()
    r = run_call("vanish_b", uac, None, dsbc_extra="sip_t1_ms = 50\n",
                 uas_helper=[sys.executable, "-c", UDP_SINK, "10.10.2.20",
                             "5060", "8"])
    took = time.time() - t0
    sip = r["sip"]
    print("  bob gone: alice rc %d after %.1f s; transaction_timeouts %d, "
          "calls timeouts %d failed %d" % (
              r["uac_rc"], took, sip["transaction_timeouts"],
              r["calls"]["timeouts"], r["calls"]["failed"]))
    eq(r["uac_rc"], 0, "alice got 408 (%s)" % r["uac_err"][-300:])
    check_ge(sip["transaction_timeouts"], 1, "timer B fired")

    topo = Topology("va")
    topo.setup()
    d = None
    try:
        conf = os.path.abspath("out/system/vanish_a.conf")
        dsbc_conf(topo, conf, "sip_t1_ms = 50\n")
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n")
        d = Dsbc(BUILD, conf, "dsbc-sys-vanish-a", lcores="0-1")
        d.wait_ready()
        uas = topo.run("bob", ["sipp", "-sf", uas_scenario(os.path.abspath(
            "out/system/uas_va.xml")), "-i", "10.10.2.20", "-p", "5060",
            "-m", "1", "-nostdin", "-timeout", "30"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        alice = topo.run("alice", [sys.executable, "-c", VANISHING_UAC,
                                   "5"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
        a_out = alice.communicate(timeout=30)[0].strip()
        b_out = uas.communicate(timeout=30)
        calls, st = settle(d)
        sip = d.tel.query("/dsbc/sip")
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    m = re.search(r"2xx copies (\d+), BYEs (\d+)", a_out)
    print("  alice gone: she got %s; bob's sipp rc %d completed %d; calls "
          "ok_retransmissions %d active %d; flows left %d" % (
              a_out, uas.returncode, successful(b_out[0]),
              calls["ok_retransmissions"], calls["active"],
              st["flows_installed"] - st["flows_removed"]))
    eq(rc, 0, "dsbc exit status")
    check(m is not None and int(m.group(1)) >= 5,
          "the 2xx retransmitted while no ACK came")
    check(m is not None and int(m.group(2)) >= 1, "then a BYE to alice")
    eq(successful(b_out[0]), 1, "bob's call ended by dsbc's BYE")
    eq(calls["active"], 0, "no call left")
    eq(st["flows_installed"] - st["flows_removed"], 2, "no flow left")


def test_call_bye_from_b():
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_b.xml"),
                   MEDIA="", HOLD_MS="0", END_A=RECV_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_b.xml"),
                       b_hangs_up=True)
    r = run_call("bye_b", uac, uas)
    sipp_ok(r)
    eq(r["sip"]["rx_BYE"], 1, "BYE from B")
    eq(r["cdrs"][0]["reason"], "bye_b", "CDR reason")


def test_call_early_media():
    """180, then 183 with SDP (early media: flows complete), then 200."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_e.xml"),
                   MEDIA="", HOLD_MS="200", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_e.xml"), early=True)
    r = run_call("early", uac, uas)
    sipp_ok(r)
    eq(r["sip"]["rx_1xx"], 2, "180 and 183 from B")


def test_call_reinvite():
    """re-INVITE from A with a new media port, answered by B with another:
    passed through the dialogs; each new SDP re-points the flows towards
    its sender and un-latches the flows it sends into (FLOW_MOD: counters
    kept), then BYE cleans everything."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_r.xml"),
                   MEDIA="", HOLD_MS="200", END_A=A_REINVITE)
    uas = uas_scenario(os.path.abspath("out/system/uas_r.xml"),
                       end=B_REINVITED)
    r = run_call("reinv", uac, uas)
    sipp_ok(r)
    eq(r["sip"]["rx_INVITE"], 2, "INVITE and re-INVITE from A")
    eq(r["stats"]["flows_installed"], 2 + 4,
       "flows installed: 2 static, 4 for the call")
    # B's first answer: 2 (un-latch B's); re-INVITE offer and its
    # answer: 4 each (2 re-pointed, 2 un-latched)
    eq(r["stats"]["flows_modified"], 2 + 4 + 4, "flows modified")
    # A holds its ACK 1.3 s: dsbc's 2xx to the re-INVITE is retransmitted
    # (500 ms, then 1 s later) until the ACK stops it (13.3.1.4)
    check_ge(r["calls"]["ok_retransmissions"], 1, "2xx retransmissions")
    check(r["calls"]["ok_retransmissions"] <= 3,
          "2xx retransmissions stop at the ACK")


def test_call_media_inactivity():
    """No media for flow_idle_ms (1.5 s here, 60 s by default): dsbc ends
    the confirmed call with a BYE to each side, which both sipps answer."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_i.xml"),
                   MEDIA="", HOLD_MS="0", END_A=RECV_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_i.xml"))
    t0 = time.time()
    r = run_call("idle", uac, uas, dsbc_extra="flow_idle_ms = 1500\n")
    sipp_ok(r)
    eq(r["uac_ok"], 1, "A's call ended by a BYE it answered")
    eq(r["uas_ok"], 1, "B's call ended by a BYE it answered")
    eq(r["calls"]["media_idle_ended"], 1, "calls ended for media inactivity")
    # B's 200 to the INVITE, and one 200 from each side to dsbc's BYEs
    eq(r["sip"]["rx_2xx"], 3, "2xx received by dsbc")
    eq(r["sip"]["rx_BYE"], 0, "no BYE from the peers")
    check(time.time() - t0 < 30, "ended long before sipp's timeout")
    eq((r["cdrs"][0]["reason"], r["cdrs"][0]["status"]),
       ("media_timeout", 200), "CDR reason and status")


def test_call_prack():
    """RFC 3262 end to end: A requires 100rel, B's 183 comes to A with its
    RSeq and Require, A's PRACK reaches B with the RAck renumbered to B's
    INVITE CSeq (A used 7, dsbc's B leg 1); sipp checks both."""
    r = run_call("prack", os.path.join(SIPP, "uac_prack.xml"),
                 os.path.join(SIPP, "uas_prack.xml"))
    sipp_ok(r)
    eq(r["uac_ok"], 1, "A's call")
    eq(r["uas_ok"], 1, "B's call")
    eq(r["sip"]["rx_PRACK"], 1, "PRACK from A")
    eq(r["calls"]["answered"], 1, "answered")


ICE_A = """      a=ice-ufrag:alic
      a=ice-pwd:alicepwdalicepwdalicepwd
      a=candidate:1 1 UDP 2130706431 [media_ip] 7000 typ host"""
ICE_B = """      a=ice-ufrag:bobb
      a=ice-pwd:bobpwdbobpwdbobpwdbobpwd
      a=candidate:1 1 UDP 2130706431 [media_ip] 6000 typ host"""


def sdp_attr(log, first_line, name):
    """Value of a=<name> in the first message of a sipp log starting with
    first_line."""
    msg = log[log.index(first_line):]
    msg = msg[:msg.index("\n\n", msg.index("v=0"))]
    vals = [l.split(":", 1)[1].strip() for l in msg.splitlines()
            if l.startswith("a=%s:" % name)]
    port = [l.split()[1] for l in msg.splitlines() if l.startswith("m=")]
    return (vals[0] if vals else None), int(port[0])


def test_call_ice_lite():
    """dsbc anchors ICE on each leg (RFC 8445 2.5): each side receives
    dsbc's own ufrag/pwd/candidate, never the other side's; a check from
    alice with dsbc's credentials is answered by the worker (verified here
    with Python's own HMAC-SHA1 and CRC-32), one with a wrong password or
    username is dropped and counted; media is accepted only from the
    checked address (USE-CANDIDATE latch)."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_ice.xml"),
                   MEDIA="", HOLD_MS="6500", END_A=A_BYE)
    with open(uac) as f:
        x = f.read().replace("      a=setup:actpass\n",
                             "      a=setup:actpass\n" + ICE_A + "\n")
    with open(uac, "w") as f:
        f.write(x)
    uas = uas_scenario(os.path.abspath("out/system/uas_ice.xml"))
    with open(uas) as f:
        x = f.read().replace("      a=setup:active\n",
                             "      a=setup:active\n" + ICE_B + "\n")
    with open(uas, "w") as f:
        f.write(x)
    logs = {}
    for who in ("uac", "uas"):
        logs[who] = os.path.abspath("out/system/ice_%s_msgs.log" % who)
        if os.path.exists(logs[who]):
            os.unlink(logs[who])
    got = {}

    def peer(topo, *args):
        r = topo.exec("alice", "python3", os.path.join(HERE, "stun_peer.py"),
                      *args)
        return r.stdout.strip()

    def during(d, topo, call):
        with open(logs["uac"], errors="replace") as f:
            log = f.read()
        ufrag, port = sdp_attr(log, "SIP/2.0 200 OK", "ice-ufrag")
        pwd, _ = sdp_attr(log, "SIP/2.0 200 OK", "ice-pwd")
        to = "10.10.1.1:%d" % port
        user = "%s:alic" % ufrag
        got["ufrag_a"] = ufrag
        got["wrong_pwd"] = peer(topo, "--bind", "10.10.1.10:7102", "--to",
                                to, "--user", user, "--pwd", pwd[::-1],
                                "--rtp", "10")
        got["wrong_user"] = peer(topo, "--bind", "10.10.1.10:7100", "--to",
                                 to, "--user", "alic:" + ufrag, "--pwd", pwd)
        got["good"] = peer(topo, "--bind", "10.10.1.10:7100", "--to", to,
                           "--user", user, "--pwd", pwd, "--use-candidate",
                           "--rtp", "20")
        time.sleep(0.3)

    r = run_call("ice", uac, uas, during=during,
                 dsbc_extra="ice_consent_s = 2\n",
                 extra_uac=["-trace_msg", "-message_file", logs["uac"]],
                 extra_uas=["-trace_msg", "-message_file", logs["uas"]])
    sipp_ok(r)
    print("  checks: wrong pwd: %s; wrong user: %s; good: %s" % (
        got.get("wrong_pwd"), got.get("wrong_user"), got.get("good")))
    eq(got.get("wrong_pwd"), "no reply", "check with a wrong password")
    eq(got.get("wrong_user"), "no reply", "check with a wrong USERNAME")
    eq(got.get("good"), "reply ok mapped=10.10.1.10:7100",
       "check with dsbc's credentials")
    a = r["call_after_during"]["a_leg"]
    eq(a["ice"], "lite", "A leg ICE")
    eq(a["ice_peer_ufrag"], "alic", "A's ufrag learnt")
    eq(a["m0_rtp_in_stun_answered"], 1, "checks answered")
    eq(a["m0_rtp_in_stun_refused"], 2, "checks refused")
    eq(a["m0_rtp_in_latched"], "10.10.1.10:7100", "latched on the check")
    eq(a["m0_rtp_in_consent"], "fresh", "consent just after the check")
    # RFC 7675 with ice_consent_s = 2: no further check from alice, so
    # her leg is reported once; bob's leg never had a check: not reported
    eq(r["call"]["a_leg"]["consent"], "expired", "A leg consent later")
    eq(r["call"]["b_leg"]["consent"], "ok", "B leg never checked")
    eq(r["calls"]["consent_expired"], 1, "consent expiries reported")
    eq(a["m0_rtp_in_pkts"], 20, "RTP relayed from the checked address")
    eq(a["m0_rtp_in_drop_not_latched"], 10, "RTP from elsewhere dropped")
    eq(r["stats"]["drop_stun_auth"], 2, "drop_stun_auth")
    # B got dsbc's ICE, not A's
    with open(logs["uas"], errors="replace") as f:
        log = f.read()
    ufrag_b, _ = sdp_attr(log, "INVITE sip:", "ice-ufrag")
    pwd_b, _ = sdp_attr(log, "INVITE sip:", "ice-pwd")
    cand_b, port_b = sdp_attr(log, "INVITE sip:", "candidate")
    check(ufrag_b not in (None, "alic", got["ufrag_a"]),
          "B's ufrag is dsbc's own: %s" % ufrag_b)
    check(pwd_b not in (None, "alicepwdalicepwdalicepwd"), "B's pwd")
    check(cand_b.split()[4] == "10.10.2.1" and
          int(cand_b.split()[5]) == port_b,
          "B's candidate is dsbc's B address and port: " + cand_b)
    eq(r["call"]["b_leg"]["ice_peer_ufrag"], "bobb", "B's ufrag learnt")


def test_routing_by_user_prefix():
    """[route.0] matches Request-URI users starting with "bo": a call to
    bob is routed to bob's next hop; a call to carol matches no route and
    gets no_route_status (404 by default, 480 when configured), with no
    call, flow or port left behind."""
    fail = os.path.join(SIPP, "uac_fail.xml")
    r = run_call("route_bob",
                 scenario("uac_call.xml",
                          os.path.abspath("out/system/uac_route.xml"),
                          MEDIA="", HOLD_MS="100", END_A=A_BYE),
                 uas_scenario(os.path.abspath("out/system/uas_route.xml")),
                 conf_extra="user_prefix = bo\n")
    sipp_ok(r)
    eq(r["calls"]["answered"], 1, "call to bob answered through the route")
    for status in ("404", "480"):
        with open(fail) as f:
            x = f.read().replace('<recv response="486" />',
                                 '<recv response="%s" />' % status)
        uac = os.path.abspath("out/system/uac_noroute%s.xml" % status)
        with open(uac, "w") as f:
            f.write(x)
        r = run_call("noroute" + status, uac, None, service="carol",
                     conf_extra="user_prefix = bo\n",
                     dsbc_extra="" if status == "404" else
                     "no_route_status = 480\n")
        sipp_ok(r)
        eq(r["uac_ok"], 1, "carol's call refused with %s" % status)
        eq(r["calls"]["no_route"], 1, "no_route counted")
        eq(r["sip"]["tx_4xx"], 1, "one 4xx sent")


def bash_in(topo, who, script, **kw):
    return topo.run(who, ["bash", "-c", script], **kw)


# openssl s_client/s_server as DTLS-SRTP peers (RFC 5764 key export)
DTLS_SRTP_OPTS = ("-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 60 "
                  "-use_srtp SRTP_AES128_CM_SHA1_80 -dtls1_2")


def openssl_peer(topo, who, script):
    """An openssl command line in a namespace, output collected."""
    return bash_in(topo, who, script, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True)


def keying_material(text):
    """The keys an openssl peer exported, as printed."""
    return re.findall(r"Keying material: ([0-9A-F]+)", text)


def make_cert(out, who, digest="sha256"):
    """An ECDSA P-256 self-signed certificate for an OpenSSL peer: (key
    file, certificate file, its fingerprint (SHA-256 unless digest says
    otherwise) as a=fingerprint has it)."""
    key, crt = os.path.join(out, who + ".key"), os.path.join(out, who + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=" + who],
                   check=True, capture_output=True)
    fp = subprocess.run(["openssl", "x509", "-in", crt, "-noout",
                         "-fingerprint", "-" + digest], check=True,
                        capture_output=True, text=True).stdout
    return key, crt, fp.strip().split("=", 1)[1]


def dtls_scenarios(name, hold_ms, uas_edit=None):
    """A call whose SDP puts alice's media on 7200 and bob's on 6100 with
    UDP/TLS/RTP/SAVP; uas_edit(text) may change bob's scenario further."""
    return media_scenarios(name, hold_ms, "m=audio 7200 UDP/TLS/RTP/SAVP 0",
                           "m=audio 6100 UDP/TLS/RTP/SAVP 0",
                           uas_edit=uas_edit)


def dtls_relay_openssl(name, call_kw=None, during_more=None):
    """A relayed DTLS-SRTP call between openssl peers (see
    test_dtls_srtp_relay_openssl); call_kw: more for run_call;
    during_more(d, res) runs once the handshake is over.  Returns
    run_call's result and what the peers printed."""
    out = os.path.abspath("out/system/" + name)
    os.makedirs(out, exist_ok=True)
    key, crt, fp = make_cert(out, "bob")
    fp_line = "a=fingerprint:sha-256 " + fp
    uac, uas = dtls_scenarios(
        name, "7000", lambda x: re.sub(
            r"a=fingerprint:sha-256 [0-9A-F:]+", fp_line, x).replace(
                "a=setup:active", "a=setup:passive"))
    log = os.path.abspath("out/system/%s_uac_msgs.log" % name)
    if os.path.exists(log):
        os.unlink(log)
    res = {"fp": fp, "fp_line": fp_line, "uac": uac}

    def during(d, topo, call):
        with open(log, errors="replace") as f:
            port, ok = sdp_port(f.read(), "SIP/2.0 200 OK")
        res["fp_at_alice"] = re.search(r"a=fingerprint:[^\r\n]*",
                                       ok).group(0)
        srv = openssl_peer(topo, "bob",
                           "sleep 5 | timeout 6 openssl s_server %s -accept "
                           "10.10.2.20:6100 -cert %s -key %s -naccept 1"
                           % (DTLS_SRTP_OPTS, crt, key))
        time.sleep(0.7)
        cli = openssl_peer(topo, "alice",
                           "(echo hello-through-dsbc; sleep 1.5) | timeout 5 "
                           "openssl s_client %s -connect 10.10.1.1:%d -bind "
                           "10.10.1.10:7200" % (DTLS_SRTP_OPTS, port))
        res["cli"] = cli.communicate(timeout=20)[0]
        res["srv"] = srv.communicate(timeout=20)[0]
        if during_more is not None:
            during_more(d, res)

    kw = dict(call_kw or {})
    r = run_call(name, kw.pop("uac", uac), uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", log], **kw)
    return r, res


def check_dtls_relay(r, res):
    """Both openssl ends export the same keys: dsbc relayed the DTLS."""
    fp, fp_line = res["fp"], res["fp_line"]
    sipp_ok(r)
    cli, srv = res.get("cli", ""), res.get("srv", "")
    km = [keying_material(t) for t in (cli, srv)]
    print("  keying material alice=%s... bob=%s..." % (
        (km[0] or ["-"])[0][:16], (km[1] or ["-"])[0][:16]))
    check(len(km[0]) == 1 and len(km[0][0]) == 120,
          "alice exported 60 bytes: " + cli[-400:])
    eq(km[0], km[1], "the two ends export the same keying material")
    check("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80" in cli,
          "use_srtp negotiated")
    check("hello-through-dsbc" in srv, "application data reached bob")
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                    cli, re.S)
    check(pem is not None, "alice saw a certificate")
    seen = subprocess.run(["openssl", "x509", "-noout", "-fingerprint",
                           "-sha256"], input=pem.group(0), text=True,
                          capture_output=True).stdout.strip().split("=", 1)[1]
    eq(seen, fp, "certificate alice saw is the one bob signalled")
    eq(res["fp_at_alice"], fp_line, "a=fingerprint at alice, byte for byte")
    c = r["call"]
    check_ge(c["a_leg"]["m0_rtp_in_dtls"], 3, "DTLS records from alice")
    check_ge(c["b_leg"]["m0_rtp_in_dtls"], 3, "DTLS records from bob")


def test_dtls_srtp_relay_openssl():
    """RFC 7879 section 3.1 with real DTLS-SRTP peers: bob runs openssl
    s_server (DTLS 1.2, use_srtp), alice openssl s_client, the media ports
    come from a SIP call through dsbc whose SDP answer carries bob's
    certificate fingerprint.  The handshake completes through dsbc's
    ports, both ends export the same SRTP keying material (dsbc did not
    terminate DTLS), the certificate alice sees has the fingerprint bob
    signalled, and alice received that a=fingerprint byte for byte."""
    check_dtls_relay(*dtls_relay_openssl("dtls"))


def test_dtls_srtp_relay_openssl_signed():
    """The same DTLS-SRTP call with a signed INVITE (RFC 8224) on a route
    that enforces verification: alice's PASSporT (signed with the openssl
    command, mky over her a=fingerprint) is verified by dsbc with the
    certificate fetched from secsipidx's HTTP server, and reaches bob byte
    for byte, where secsipidx still verifies it; the DTLS keys at both
    ends are the same (dsbc relayed, it did not terminate)."""
    out = os.path.abspath("out/system/dtls_stir")
    pki = make_sti_pki(out)
    url = "http://10.10.2.20:8080/v1/pub/sp.pem"
    blog = os.path.join(out, "bob_msgs.log")
    if os.path.exists(blog):
        os.unlink(blog)
    uac, _ = dtls_scenarios("dtls_stir_probe", "7000")
    with open(uac) as f:
        x = f.read()
    fp_a = re.search(r"a=fingerprint:(sha-256 [0-9A-F:]+)", x).group(1)
    ident = passport_openssl(pki["sp.key"], url, {
        "attest": "A", "dest": {"tn": ["19995550000"]},
        "iat": int(time.time()), "orig": {"tn": "12155551212"},
        "origid": "7d3c1f0e-6b2a-4c59-8e11-2f4a9b0c5d6e",
        "mky": [{"alg": "sha-256", "dig": fp_a.split()[1].replace(":", "")}]})
    x = re.sub(r"(?m)^(\s*)Identity: .*$", lambda m: m.group(1) +
               "Identity: " + ident, x)
    x = x.replace('From: "alice" <sip:alice@[local_ip]:[local_port]>',
                  'From: "alice" <sip:+12155551212@[local_ip]:'
                  '[local_port];user=phone>')
    with open(uac, "w") as f:
        f.write(x)
    seen = {}
    r, res = dtls_relay_openssl(
        "dtls_stir", call_kw=dict(
            uac=uac, service="+19995550000",
            conf_extra="stir_verify = enforce\n[stir]\nca_file = %s\n"
            % pki["root.crt"], port1_extra="exception = tap\n",
            uas_helper=["secsipidx", "-http-srv", "10.10.2.20:8080",
                        "-http-dir", pki["certs"]],
            extra_uas=["-trace_msg", "-message_file", blog]),
        during_more=lambda d, res: seen.update(d.tel.query("/dsbc/stir")))
    check_dtls_relay(r, res)
    with open(blog, errors="replace") as f:
        got = re.findall(r"(?m)^Identity: (.*?)\r?$", f.read())
    idf = os.path.join(out, "at_bob.txt")
    with open(idf, "w") as f:
        f.write(got[0] if got else "")
    chk = subprocess.run(["secsipidx", "-check", "-fidentity", idf,
                          "-fpubkey", pki["sp.pub"], "-expire", "300"],
                         capture_output=True, text=True)
    print("  verified %s, http_ok %s; Identity at bob byte for byte: %s; "
          "secsipidx -check: %s" % (
              seen.get("verified"), seen.get("http_ok"),
              bool(got) and got[0] == ident,
              chk.stdout.strip().splitlines()[-1]))
    eq(sorted(set(got)), [ident], "alice's Identity at bob, byte for byte")
    eq(chk.stdout.strip().splitlines()[-1], "ok", "secsipidx verifies it")
    eq((seen.get("verified"), seen.get("refused")), (1, 0),
       "dsbc verified it")


def pem_fingerprint(text, after=""):
    """SHA-256 fingerprint of the first PEM certificate in text (after the
    marker `after`), as a=fingerprint writes it; None when there is none."""
    pem = re.search(re.escape(after) + r".*?(-----BEGIN CERTIFICATE-----.*?"
                    r"-----END CERTIFICATE-----)", text, re.S)
    if pem is None:
        return None
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint",
                          "-sha256"], input=pem.group(1), text=True,
                         capture_output=True).stdout.strip()
    return out.split("=", 1)[1] if "=" in out else None


def terminate_call(name, alice_fp, hold_ms, end_a=None,
                   alice_hash="sha-256", alice_more=""):
    """A DTLS-SRTP call for terminator mode: alice offers actpass with
    alice_fp on 7200, bob answers passive with his real fingerprint on
    6100, both muxing RTCP (one DTLS association per leg, as openssl's
    peers have); returns (uac, uas, bob's key, certificate, fingerprint,
    uac log)."""
    out = os.path.abspath("out/system/" + name)
    os.makedirs(out, exist_ok=True)
    bkey, bcrt, bfp = make_cert(out, "bob")
    uac, uas = dtls_scenarios(
        name, hold_ms, lambda x: re.sub(
            r"a=fingerprint:sha-256 [0-9A-F:]+", "a=fingerprint:sha-256 " +
            bfp, x).replace("a=setup:active",
                            "a=rtcp-mux\n      a=setup:passive"))
    with open(uac) as f:
        x = re.sub(r"a=fingerprint:sha-256 [0-9A-F:]+",
                   "a=fingerprint:%s %s%s" % (alice_hash, alice_fp,
                                              alice_more),
                   f.read()).replace(
                       "a=setup:actpass", "a=rtcp-mux\n      a=setup:actpass")
    if end_a is not None:
        x = x.replace(A_BYE, end_a)
    with open(uac, "w") as f:
        f.write(x)
    log = os.path.abspath("out/system/%s_uac_msgs.log" % name)
    if os.path.exists(log):
        os.unlink(log)
    return uac, uas, bkey, bcrt, bfp, log


def test_dtls_srtp_terminate_openssl():
    """RFC 7879 section 3.2.2, policy per route (route.0 mode=terminate):
    dsbc ends DTLS on each leg with its own certificate.  alice (openssl
    s_client) and bob (openssl s_server, which asks for dsbc's
    certificate) each complete a handshake with dsbc, each sees dsbc's
    certificate (fingerprint = /dsbc/info's and the one in the SDP each
    received), each checked by dsbc against its own SDP fingerprint; the
    two ends export different keys (two DTLS sessions, not one), and dsbc
    installs the keys of both legs in the flows' worker."""
    out = os.path.abspath("out/system/term")
    os.makedirs(out, exist_ok=True)
    # alice signals SHA-512 for another certificate first, then for the
    # one she presents, then SHA-1 (RFC 8122 section 5: a fingerprint per
    # certificate; dsbc checks with the strongest hash it takes, against
    # every value of that hash); bob SHA-256
    akey, acrt, afp = make_cert(out, "alice", "sha512")
    _, _, afp2 = make_cert(out, "alice2", "sha512")
    _, _, afp1 = make_cert(out, "alice1", "sha1")
    uac, uas, bkey, bcrt, bfp, log = terminate_call(
        "term", afp2, "9000", alice_hash="sha-512",
        alice_more="\n      a=fingerprint:sha-512 " + afp +
                   "\n      a=fingerprint:sha-1 " + afp1)
    res = {}

    def during(d, topo, call):
        res["info_fp"] = d.tel.query("/dsbc/info").get("dtls_fingerprint")
        res["calls"] = d.tel.query("/dsbc/calls")
        with open(log, errors="replace") as f:
            port, ok = sdp_port(f.read(), "SIP/2.0 200 OK")
        res["sdp_fp"] = re.search(r"a=fingerprint:([^\r\n]*)", ok).group(1)
        res["sdp_setup"] = re.search(r"a=setup:([^\r\n]*)", ok).group(1)
        # bob listens on the port his answer named; dsbc (active towards
        # him) retransmits its ClientHello until he does
        srv = openssl_peer(topo, "bob",
                           "sleep 5 | timeout 7 openssl s_server %s -accept "
                           "10.10.2.20:6100 -cert %s -key %s -verify 1 "
                           "-naccept 1" % (DTLS_SRTP_OPTS, bcrt, bkey))
        cli = openssl_peer(topo, "alice",
                           "(echo hello-to-dsbc; sleep 2) | timeout 6 "
                           "openssl s_client %s -connect 10.10.1.1:%d -bind "
                           "10.10.1.10:7200 -cert %s -key %s"
                           % (DTLS_SRTP_OPTS, port, acrt, akey))
        res["cli"] = cli.communicate(timeout=20)[0]
        res["srv"] = srv.communicate(timeout=20)[0]
        res["call"] = d.tel.query("/dsbc/call,%d" % call["id"])

    r = run_call("term", uac, uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", log],
                 dsbc_extra="dtls_setup = passive\n",
                 conf_extra="mode = terminate\n")
    sipp_ok(r)
    cli, srv = res.get("cli", ""), res.get("srv", "")
    dsbc_fp = res.get("info_fp") or ""
    check(dsbc_fp.startswith("sha-256 "), "/dsbc/info dtls_fingerprint: %r"
          % dsbc_fp)
    dsbc_fp = dsbc_fp.split(" ", 1)[1]
    km = [keying_material(t) for t in (cli, srv)]
    print("  dsbc %s...; alice saw %s..., bob saw %s...; keys alice=%s... "
          "bob=%s..." % (dsbc_fp[:23], (pem_fingerprint(cli) or "-")[:23],
                         (pem_fingerprint(srv, "Client certificate") or
                          "-")[:23], (km[0] or ["-"])[0][:16],
                         (km[1] or ["-"])[0][:16]))
    eq(res["sdp_fp"], "sha-256 " + dsbc_fp, "a=fingerprint alice received")
    eq(res["sdp_setup"], "passive", "a=setup alice received (dtls_setup)")
    eq(pem_fingerprint(cli), dsbc_fp, "certificate alice saw is dsbc's")
    eq(pem_fingerprint(srv, "Client certificate"), dsbc_fp,
       "certificate bob saw is dsbc's")
    check(len(km[0]) == 1 and len(km[1]) == 1,
          "both ends exported keys: alice %s / bob %s" % (cli[-300:],
                                                          srv[-300:]))
    check(km[0] != km[1], "the two legs have their own keys")
    check("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80" in cli,
          "use_srtp negotiated with alice")
    check("hello-to-dsbc" not in srv, "alice's data ended at dsbc")
    c = res["call"]
    print("  call: mode=%s a: %s %s rx=%s tx=%s b: %s %s; keys_sent=%s" % (
        c["mode"], c["a_leg"].get("dtls_role"), c["a_leg"].get("m0_dtls"),
        c["a_leg"].get("m0_dtls_rx"), c["a_leg"].get("m0_dtls_tx"),
        c["b_leg"].get("dtls_role"), c["b_leg"].get("m0_dtls"),
        r["calls"]["keys_sent"]))
    eq(c["mode"], "terminate", "call mode")
    eq((c["a_leg"]["dtls_role"], c["b_leg"]["dtls_role"]),
       ("server", "client"), "dsbc's DTLS roles (A passive, B active)")
    # alice's s_client sent close_notify as it left: "closed", keys kept
    check(c["a_leg"]["m0_dtls"] in ("done", "closed") and
          c["b_leg"]["m0_dtls"] in ("done", "closed"),
          "both handshakes done: %s %s" % (c["a_leg"]["m0_dtls"],
                                            c["b_leg"]["m0_dtls"]))
    for leg in ("a_leg", "b_leg"):
        eq(c[leg]["m0_flows"], 1, leg + " flows (RTCP muxed)")
        eq((c[leg]["m0_rtp_in_srtp_rx"], c[leg]["m0_rtp_in_srtp_tx"]),
           ("SRTP_AES128_CM_SHA1_80",) * 2,
           "%s: keys to unprotect and protect installed" % leg)
    eq(c["a_leg"]["m0_srtp_profile"], "SRTP_AES128_CM_SHA1_80", "A profile")
    # a telemetry string holds 127 characters: SHA-512's is cut, marked
    eq(c["a_leg"]["peer_fingerprint"], ("sha-512 " + afp2)[:124] + "...",
       "A's first SHA-512 fingerprint")
    eq(c["a_leg"]["peer_fingerprints"], 2, "A's SHA-512 fingerprints, "
       "her certificate matched the second")
    eq(c["b_leg"]["peer_fingerprint"], "sha-256 " + bfp,
       "B's fingerprint checked against its SDP")
    check(c["id"] in res["calls"]["terminated_ids"],
          "/dsbc/calls lists the call as terminated")
    eq(r["calls"]["terminated"], 1, "terminated calls")
    eq(r["calls"]["dtls_done"], 2, "handshakes done")
    eq(r["calls"]["dtls_failed"], 0, "handshakes failed")
    # one RX and one TX key per flow, once: 2 legs x 1 flow (rtcp-mux)
    eq(r["calls"]["keys_sent"], 4, "FLOW_KEYS sent")
    eq(r["calls"]["flow_errors"], 0, "flow errors")


def test_dtls_terminate_wrong_fingerprint():
    """Seed 000's MITM check: alice's SDP names a fingerprint that is not
    her certificate's; dsbc refuses her handshake and ends the call with
    a BYE to each side (dtls_failed)."""
    out = os.path.abspath("out/system/termfp")
    os.makedirs(out, exist_ok=True)
    akey, acrt, afp = make_cert(out, "alice")
    _, _, wrong = make_cert(out, "mallory")
    uac, uas, bkey, bcrt, bfp, log = terminate_call(
        "termfp", wrong, "0", end_a=RECV_BYE)
    res = {}

    def during(d, topo, call):
        with open(log, errors="replace") as f:
            port, ok = sdp_port(f.read(), "SIP/2.0 200 OK")
        srv = openssl_peer(topo, "bob",
                           "sleep 4 | timeout 5 openssl s_server %s -accept "
                           "10.10.2.20:6100 -cert %s -key %s -verify 1 "
                           "-naccept 1" % (DTLS_SRTP_OPTS, bcrt, bkey))
        cli = openssl_peer(topo, "alice",
                           "sleep 2 | timeout 4 openssl s_client %s -connect "
                           "10.10.1.1:%d -bind 10.10.1.10:7200 -cert %s "
                           "-key %s" % (DTLS_SRTP_OPTS, port, acrt, akey))
        res["cli"] = cli.communicate(timeout=20)[0]
        srv.communicate(timeout=20)

    t0 = time.time()
    r = run_call("termfp", uac, uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", log],
                 dsbc_extra="dtls_setup = passive\n",
                 conf_extra="mode = terminate\n")
    sipp_ok(r)
    print("  alice: %s; calls: dtls_failed=%d ended=%d" % (
        "no keys" if not keying_material(res.get("cli", "")) else "KEYS",
        r["calls"]["dtls_failed"], r["calls"]["ended"]))
    eq(keying_material(res.get("cli", "")), [], "alice got no keys")
    check_ge(r["calls"]["dtls_failed"], 1, "dtls_failed")
    eq(r["uac_ok"], 1, "A's call ended by dsbc's BYE")
    eq(r["uas_ok"], 1, "B's call ended by dsbc's BYE")
    check(time.time() - t0 < 40, "ended long before sipp's timeout")


def test_dtls_terminate_weak_fingerprint():
    """A terminated call whose offer carries a SHA-1 fingerprint (RFC 8122
    lets a peer name it; a collision would let a forged certificate
    through): dsbc cannot check the peer's certificate with a hash it
    accepts, so the offer is refused with 488 at once, bob never sees
    it, and no call, flow or port is left behind."""
    with open(os.path.join(SIPP, "uac_fail.xml")) as f:
        x = f.read().replace('<recv response="486" />',
                             '<recv response="488" />').replace(
            "m=audio [media_port] RTP/AVP 0\n",
            "m=audio [media_port] UDP/TLS/RTP/SAVP 0\n"
            "      a=fingerprint:sha-1 " + ":".join(["AB"] * 20) + "\n"
            "      a=setup:actpass\n")
    check("sha-1" in x, "the scenario offers a SHA-1 fingerprint")
    uac = os.path.abspath("out/system/uac_weakfp.xml")
    with open(uac, "w") as f:
        f.write(x)
    r = run_call("weakfp", uac, None, conf_extra="mode = terminate\n")
    sipp_ok(r)
    print("  calls: bad_sdp=%d started=%d" % (r["calls"]["bad_sdp"],
                                             r["calls"]["started"]))
    eq(r["uac_ok"], 1, "alice's offer refused with 488")
    eq(r["calls"]["bad_sdp"], 1, "the offer counted as refused SDP")
    eq(r["sip"]["tx_4xx"], 1, "one 4xx sent")


GARBAGE_DTLS = (
    "import os, socket, struct\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('10.10.1.10', 7200))\n"
    "for i in range(10):\n"
    "    body = os.urandom(40 + i)\n"
    "    # a handshake record header (RFC 6347 4.1), then noise\n"
    "    s.sendto(struct.pack('!BHHHIH', 22, 0xfefd, 0, 0, i, len(body))\n"
    "             + body, ('10.10.1.1', %d))\n")


SEND_PAYLOADS = (
    "import socket, sys\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('10.10.1.10', 7200))\n"
    "for h in sys.stdin.read().split():\n"
    "    s.sendto(bytes.fromhex(h), ('10.10.1.1', %d))\n")


def srtp_payloads(out, km, count):
    """count SRTP packets alice protects with the keys she exported as
    the DTLS client (RFC 5764 4.2: client key, server key, client salt,
    server salt), made by dsbc-gen's libsrtp2: their UDP payloads."""
    raw = bytes.fromhex(km)
    key = base64.b64encode(raw[0:16] + raw[32:46]).decode()
    pcap = os.path.join(out, "alice-srtp.pcap")
    subprocess.run([os.path.join(BUILD, "app/dsbc-gen/dsbc-gen"),
                    "--pcap-out", pcap, "--kind", "rtp", "--count",
                    str(count), "--flow", "10.10.1.10:7200-10.10.1.1:9", "--src-mac",
                    "02:00:00:00:00:0a", "--dst-mac", "02:00:00:00:00:01",
                    "--srtp", "AES_CM_128_HMAC_SHA1_80:" + key], check=True,
                   capture_output=True)
    return [f[42:] for f in pcap_read(pcap)]


def test_dtls_terminate_faults():
    """Terminator mode under faults: garbage DTLS records from alice are
    discarded and her real handshake still completes; RTP that is not
    SRTP under her keys is dropped (drop_srtp_auth, per flow
    srtp_auth_fail); her authentic SRTP waits in the worker for the keys
    of bob's leg, which never come; bob never answers dsbc's ClientHello,
    so after dtls_timeout_ms the call ends with a BYE to each side, the
    waiting packets dropped with their flow; dsbc stays healthy and
    leaves nothing behind."""
    dtls_terminate_faults(5000)


# alice's half of a DTLS handshake: openssl s_client's ClientHello is
# caught by a local listener (openssl gives up on it), then sent from
# alice's media port to dsbc's, and whatever dsbc answers is counted
# for SECONDS without a reply: a peer that stops mid-handshake.
DTLS_HALF = r"""
import socket, subprocess, sys, time
dst, seconds, opts = sys.argv[1].rsplit(":", 1), float(sys.argv[2]), sys.argv[3]
lst = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
lst.bind(("10.10.1.10", 7299))
lst.settimeout(5)
cli = subprocess.Popen(["openssl", "s_client", "-connect", "10.10.1.10:7299",
                        "-bind", "10.10.1.10:7201"] + opts.split(),
                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
hello, _ = lst.recvfrom(4096)
cli.kill()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.10.1.10", 7200))
s.settimeout(0.2)
s.sendto(hello, (dst[0], int(dst[1])))
got, end = 0, time.time() + seconds
while time.time() < end:
    try:
        s.recvfrom(4096)
        got += 1
    except socket.timeout:
        pass
print("client hello %d bytes (type %d); datagrams back %d" %
      (len(hello), hello[0], got))
"""


def test_dtls_peer_stops_mid_handshake():
    """Fault: in terminator mode alice sends a real ClientHello (from
    openssl) to dsbc's DTLS server and then stops.  dsbc answers and
    retransmits its flight (RFC 6347 4.2.4) into the silence, gives up at
    dtls_timeout_ms, ends the call with a BYE to each side, and leaves
    no flow, port or DTLS session behind."""
    out = os.path.abspath("out/system/dtlsmid")
    os.makedirs(out, exist_ok=True)
    akey, acrt, afp = make_cert(out, "alice")
    uac, uas, bkey, bcrt, bfp, log = terminate_call(
        "dtlsmid", afp, "0", end_a=RECV_BYE)
    res = {}

    def during(d, topo, call):
        with open(log, errors="replace") as f:
            port, ok = sdp_port(f.read(), "SIP/2.0 200 OK")
        p = topo.run("alice", [sys.executable, "-c", DTLS_HALF,
                               "10.10.1.1:%d" % port, "2.5",
                               DTLS_SRTP_OPTS + " -cert %s -key %s" %
                               (acrt, akey)],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     text=True)
        res["half"] = p.communicate(timeout=20)[0].strip()
        res["call"] = d.tel.query("/dsbc/call,%d" % call["id"])

    t0 = time.time()
    r = run_call("dtlsmid", uac, uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", log],
                 dsbc_extra="dtls_setup = passive\ndtls_timeout_ms = 4000\n",
                 conf_extra="mode = terminate\n")
    a = (res.get("call") or {}).get("a_leg", {})
    print("  alice: %s; dsbc's A leg: %s, records in %s out %s; calls: "
          "dtls_timeouts %d dtls_failed %d; ended in %.1f s" % (
              res.get("half"), a.get("m0_dtls"), a.get("m0_dtls_rx"),
              a.get("m0_dtls_tx"), r["calls"]["dtls_timeouts"],
              r["calls"]["dtls_failed"], time.time() - t0))
    sipp_ok(r)
    m = re.search(r"type (\d+)\); datagrams back (\d+)",
                  res.get("half", ""))
    check(m is not None and m.group(1) == "22", "a handshake record sent")
    check(m is not None and int(m.group(2)) >= 2,
          "dsbc answered and retransmitted its flight")
    eq(a.get("m0_dtls"), "handshaking", "A leg stuck mid-handshake")
    check_ge(a.get("m0_dtls_rx", 0), 1, "dsbc took alice's ClientHello")
    eq(r["calls"]["dtls_timeouts"], 1, "given up at dtls_timeout_ms")
    eq(r["uac_ok"], 1, "A's call ended by dsbc's BYE")
    eq(r["uas_ok"], 1, "B's call ended by dsbc's BYE")


def test_terminate_hold_expires():
    """The same with srtp_hold_ms at its default, 500 ms: alice's SRTP
    that waited that long for bob's keys is dropped as keyless, before
    the call ends."""
    dtls_terminate_faults(500)


def dtls_terminate_faults(hold_ms):
    out = os.path.abspath("out/system/termflt")
    os.makedirs(out, exist_ok=True)
    akey, acrt, afp = make_cert(out, "alice")
    uac, uas, bkey, bcrt, bfp, log = terminate_call(
        "termflt", afp, "0", end_a=RECV_BYE)
    res = {}

    def during(d, topo, call):
        with open(log, errors="replace") as f:
            port, ok = sdp_port(f.read(), "SIP/2.0 200 OK")
        g = topo.run("alice", ["python3", "-c", GARBAGE_DTLS % port],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     text=True)
        res["garbage"] = g.communicate(timeout=10)[0]
        time.sleep(0.3)
        cli = openssl_peer(topo, "alice",
                           "sleep 1 | timeout 3 openssl s_client %s -connect "
                           "10.10.1.1:%d -bind 10.10.1.10:7200 -cert %s "
                           "-key %s" % (DTLS_SRTP_OPTS, port, acrt, akey))
        res["cli"] = cli.communicate(timeout=20)[0]
        res["rtp"] = rtp_peer(topo, "alice", "send", "--bind",
                              "10.10.1.10:7200", "--to",
                              "10.10.1.1:%d" % port, "--count", "20",
                              "--pps", "200")
        km = keying_material(res["cli"])
        if km:
            p = topo.run("alice", ["python3", "-c", SEND_PAYLOADS % port],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
            res["srtp"] = p.communicate(" ".join(
                x.hex() for x in srtp_payloads(out, km[0], 12)),
                timeout=10)[0]
        time.sleep(0.3)
        res["call"] = d.tel.query("/dsbc/call,%d" % call["id"])
        res["stats"] = d.stats()

    t0 = time.time()
    r = run_call("termflt", uac, uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", log],
                 dsbc_extra="dtls_setup = passive\ndtls_timeout_ms = 6000\n"
                            "srtp_hold_ms = %d\n" % hold_ms,
                 conf_extra="mode = terminate\n")
    sipp_ok(r)
    c, st = res.get("call") or {}, res.get("stats") or {}
    a = c.get("a_leg", {})
    print("  garbage sent: %s; alice's handshake %s (keys %s); fake SRTP: "
          "srtp_auth_fail=%s drop_srtp_auth=%s; calls: dtls_timeouts=%d "
          "dtls_failed=%d dtls_resets=%d" % (
              res.get("garbage", "").strip() or "ok",
                              a.get("m0_dtls"),
                              len(keying_material(res.get("cli", ""))),
                              a.get("m0_rtp_in_srtp_auth_fail"),
                              st.get("drop_srtp_auth"),
                              r["calls"]["dtls_timeouts"],
                              r["calls"]["dtls_failed"],
                              r["calls"]["dtls_resets"]))
    eq(res.get("garbage", "").strip(), "", "garbage sender ran")
    check_ge(a.get("m0_dtls_rx", 0), 10, "garbage and handshake records "
             "reached dsbc's session")
    eq(len(keying_material(res.get("cli", ""))), 1,
       "alice's handshake completed after the garbage")
    check_ge(r["calls"]["dtls_resets"], 1, "handshake restarted after a "
             "corrupt record")
    eq(r["calls"]["dtls_failed"], 0, "no handshake failed")
    check(a.get("m0_dtls") in ("done", "closed"), "A leg DTLS done")
    eq(a.get("m0_rtp_in_srtp_auth_fail"), 20, "fake SRTP failed "
       "authentication on alice's flow")
    eq(st.get("drop_srtp_auth"), 20, "drop_srtp_auth")
    # authentic, but no keys towards bob yet: they wait (in the clear)
    # until the call ends at dtls_timeout_ms, before srtp_hold_ms
    end = r["stats"]
    print("  alice's authentic SRTP: %s unprotected, held %d; at the end "
          "expired %d, dropped with the flow %d (drop_no_flow), keyless %d"
          % (a.get("m0_rtp_in_srtp_unprotected"), st.get("srtp_held", -1),
             end["srtp_held_expired"], end["drop_no_flow"],
             end["drop_srtp_no_keys"]))
    eq(res.get("srtp", "").strip(), "", "SRTP sender ran")
    eq(a.get("m0_rtp_in_srtp_unprotected"), 12, "alice's SRTP authentic")
    eq(st.get("srtp_held"), 12, "held for bob's keys")
    eq(st.get("drop_srtp_no_keys"), 0, "none dropped keyless 0.3 s on")
    if hold_ms > 6000 - 3000:
        # the call ends at dtls_timeout_ms (6 s), alice's SRTP came at
        # about 3 s: it is still waiting then
        eq(end["srtp_held_expired"], 0, "none expired (srtp_hold_ms %d)"
           % hold_ms)
        check_ge(end["drop_no_flow"], 12, "dropped with their flow")
        eq(end["drop_srtp_no_keys"], 0, "none dropped keyless")
    else:
        eq(end["srtp_held_expired"], 12, "all expired (srtp_hold_ms %d)"
           % hold_ms)
        eq(end["drop_srtp_no_keys"], 12, "dropped keyless")
    eq(end["srtp_held_released"], 0, "none sent on")
    eq(c.get("b_leg", {}).get("m0_dtls"), "handshaking",
       "bob never answered dsbc's ClientHello")
    eq(r["calls"]["dtls_timeouts"], 1, "handshake timeout")
    eq(r["uac_ok"], 1, "A's call ended by dsbc's BYE")
    eq(r["uas_ok"], 1, "B's call ended by dsbc's BYE")
    check(time.time() - t0 < 40, "ended long before sipp's timeout")


def media_scenarios(name, hold_ms, a_mline, b_mline, uac_edit=None,
                    uas_edit=None):
    """The basic call's scenarios with alice's and bob's m= lines replaced
    (fixed ports that sipp does not hold), edited further by uac_edit and
    uas_edit (text -> text)."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_%s.xml"
                                                    % name),
                   MEDIA="", HOLD_MS=hold_ms, END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_%s.xml" % name))
    for path, mline, edit in ((uac, a_mline, uac_edit),
                              (uas, b_mline, uas_edit)):
        with open(path) as f:
            x = f.read().replace("m=audio [media_port] RTP/AVP 0", mline)
        if edit:
            x = edit(x)
        with open(path, "w") as f:
            f.write(x)
    return uac, uas


def peer_call(name, uac_sdp_extra="", hold_ms="5000"):
    """A call whose SDP says alice's media is 10.10.1.10:7300 and bob's
    10.10.2.20:6200 (ports sipp does not hold), with message logs, for
    tests that drive the media with rtp_peer.py."""
    uac, uas = media_scenarios(
        name, hold_ms, "m=audio 7300 RTP/AVP 0", "m=audio 6200 RTP/AVP 0",
        uac_edit=lambda x: x.replace("      a=setup:actpass\n",
                                     "      a=setup:actpass\n" +
                                     uac_sdp_extra))
    logs = {}
    for who in ("uac", "uas"):
        logs[who] = os.path.abspath("out/system/%s_%s_msgs.log" % (name, who))
        if os.path.exists(logs[who]):
            os.unlink(logs[who])
    return uac, uas, logs


def rtp_peer(topo, who, *args, wait=True):
    p = topo.run(who, ["python3", os.path.join(HERE, "rtp_peer.py")] +
                 list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                 text=True)
    return p.communicate(timeout=30)[0].strip() if wait else p


def sdp_port(log, first_line):
    msg = log[log.index(first_line):]
    return int(re.search(r"m=audio (\d+)", msg).group(1)), msg


def test_media_attacks_aware():
    """Seed 002's attacks on an open call in media-aware mode, each with
    its named counter: RTP with the victim's SSRC from another source
    (drop_not_latched), an RTCP BYE from a non-latched source
    (drop_not_latched), a sequence leap from the latched source
    (drop_seq_jump, play-out attack), a second SSRC (drop_ssrc_new), a
    flood on the open port (drop_policer) and packets to a port no call
    holds (drop_no_flow).  Bob receives only alice's stream."""
    uac, uas, logs = peer_call("atk", hold_ms="6000")
    got = {}

    def during(d, topo, call):
        with open(logs["uac"], errors="replace") as f:
            port, _ = sdp_port(f.read(), "SIP/2.0 200 OK")
        to = "10.10.1.1:%d" % port
        topo.exec("alice", "ip", "addr", "add", "10.10.1.66/24", "dev", "p0")
        rx = rtp_peer(topo, "bob", "recv", "--bind", "10.10.2.20:6200",
                      "--seconds", "4", wait=False)
        time.sleep(0.3)
        good = ["--bind", "10.10.1.10:7300", "--to", to]
        evil = ["--bind", "10.10.1.66:7300", "--to", to]
        rtp_peer(topo, "alice", "send", *good, "--seq", "1", "--count", "30")
        rtp_peer(topo, "alice", "send", *evil, "--seq", "31", "--count",
                 "20")
        rtp_peer(topo, "alice", "send", *evil, "--rtcp", "bye")
        rtp_peer(topo, "alice", "send", *good, "--seq", "40000")
        rtp_peer(topo, "alice", "send", *good, "--seq", "31", "--count",
                 "10")
        rtp_peer(topo, "alice", "send", *good, "--ssrc", "0x2222", "--seq",
                 "500", "--count", "5")
        rtp_peer(topo, "alice", "send", *good, "--seq", "41", "--count",
                 "600", "--pps", "0")
        rtp_peer(topo, "alice", "send", "--bind", "10.10.1.10:7302", "--to",
                 "10.10.1.1:39990", "--count", "5")
        got["bob"] = rx.communicate(timeout=30)[0].strip()

    r = run_call("atk", uac, uas, during=during,
                 dsbc_extra="mode = aware\nssrc_policy = drop\n"
                            "seq_jump = drop\npolice_pps = 150\n"
                            "police_burst = 10\n",
                 extra_uac=["-trace_msg", "-message_file", logs["uac"]])
    sipp_ok(r)
    a = r["call"]["a_leg"]
    st = r["stats"]
    print("  bob: %s" % got.get("bob"))
    print("  a-leg flow: not_latched=%s policer=%s seq_jumps=%s "
          "ssrc_dropped=%s ssrc0=%s pkts=%s" % (
              a["m0_rtp_in_drop_not_latched"], a["m0_rtp_in_drop_policer"],
              a["m0_rtp_in_seq_jumps"], a["m0_rtp_in_ssrc_dropped"],
              a["m0_rtp_in_ssrc0"], a["m0_rtp_in_pkts"]))
    m = re.match(r"received (\d+) ssrcs=(\S+) rtcp=(\d+) from=(\S+)",
                 got.get("bob", ""))
    check(m is not None, "bob's receiver: %r" % got.get("bob"))
    eq(m.group(2), "00001111", "only alice's SSRC reached bob")
    eq(m.group(3), "0", "no RTCP (the BYE) reached bob")
    check(40 <= int(m.group(1)) <= 40 + 60,
          "bob got alice's 40 and a policed trickle of the flood: %s"
          % m.group(1))
    eq(a["m0_rtp_in_mode"], "aware", "flow mode")
    eq(a["m0_rtp_in_drop_not_latched"], 21, "injected RTP + RTCP BYE")
    eq(a["m0_rtp_in_seq_jumps"], 1, "sequence leap seen")
    eq(st["drop_seq_jump"], 1, "sequence leap dropped")
    eq(a["m0_rtp_in_ssrc_dropped"], 5, "second SSRC refused")
    eq(st["drop_ssrc_new"], 5, "drop_ssrc_new")
    check_ge(a["m0_rtp_in_drop_policer"], 400, "flood policed")
    eq(a["m0_rtp_in_ssrc0"], "00001111", "the call's SSRC")
    eq(a["m0_rtp_in_rtcp_bye"], 0, "no BYE accepted")
    check_ge(st["drop_no_flow"], 5, "packets to an unallocated port")
    # RFC 3550 A.3 on what passed: 40 in order, then the policed flood
    check_ge(a["m0_rtp_in_ssrc0_pkts"], 39, "per-SSRC packets")


def test_rtcp_mux_interworking():
    """RFC 5761 between legs: alice offers rtcp-mux, bob answers without.
    dsbc answers alice with a=rtcp-mux (it muxes on her leg), offers bob
    what alice offered, and splits and joins RTCP: alice's RTCP on her RTP
    port reaches bob's RTCP port from dsbc's RTCP port, and bob's RTCP
    reaches alice's RTP port from dsbc's RTP port."""
    uac, uas, logs = peer_call("mux", uac_sdp_extra="      a=rtcp-mux\n")
    got = {}

    def during(d, topo, call):
        with open(logs["uac"], errors="replace") as f:
            a_port, ok = sdp_port(f.read(), "SIP/2.0 200 OK")
        with open(logs["uas"], errors="replace") as f:
            b_port, inv = sdp_port(f.read(), "INVITE sip:")
        got["mux_at_a"] = "a=rtcp-mux" in ok[:ok.index("\n\n",
                                                     ok.index("v=0"))]
        got["mux_at_b"] = "a=rtcp-mux" in inv[:inv.index("\n\n",
                                                       inv.index("v=0"))]
        got["ports"] = (a_port, b_port)
        rx = rtp_peer(topo, "bob", "recv", "--bind", "10.10.2.20:6201",
                      "--seconds", "1.5", wait=False)
        time.sleep(0.3)
        rtp_peer(topo, "alice", "send", "--bind", "10.10.1.10:7300", "--to",
                 "10.10.1.1:%d" % a_port, "--count", "5")
        rtp_peer(topo, "alice", "send", "--bind", "10.10.1.10:7300", "--to",
                 "10.10.1.1:%d" % a_port, "--rtcp", "sr", "--count", "3")
        got["bob"] = rx.communicate(timeout=30)[0].strip()
        rx = rtp_peer(topo, "alice", "recv", "--bind", "10.10.1.10:7300",
                      "--seconds", "1.5", wait=False)
        time.sleep(0.3)
        rtp_peer(topo, "bob", "send", "--bind", "10.10.2.20:6201", "--to",
                 "10.10.2.1:%d" % (b_port + 1), "--rtcp", "sr", "--count",
                 "3")
        got["alice"] = rx.communicate(timeout=30)[0].strip()

    r = run_call("mux", uac, uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", logs["uac"]],
                 extra_uas=["-trace_msg", "-message_file", logs["uas"]])
    sipp_ok(r)
    a_port, b_port = got["ports"]
    print("  bob's RTCP port: %s" % got.get("bob"))
    print("  alice's RTP port: %s" % got.get("alice"))
    check(got["mux_at_a"], "dsbc's answer to alice carries a=rtcp-mux")
    check(got["mux_at_b"], "the offer to bob carries alice's a=rtcp-mux")
    eq(got.get("bob"), "received 0 ssrcs=- rtcp=3 from=10.10.2.1:%d"
       % (b_port + 1), "alice's muxed RTCP at bob's RTCP port")
    eq(got.get("alice"), "received 0 ssrcs=- rtcp=3 from=10.10.1.1:%d"
       % a_port, "bob's RTCP at alice's RTP port")
    # HEP: each RTCP report relayed, as JSON from its sender, correlated
    # by the Call-ID of the leg it came from
    cdr = r["cdrs"][0]
    reps = [(h["corr"], "%s:%d" % (h["src"], h["sport"]),
             json.loads(h["payload"])) for h in r["hep"] if h["type"] == 5]
    print("  hep rtcp: %s" % [(c == cdr["a"]["call_id"] and "A" or "B", s,
                               j["type"]) for c, s, j in reps])
    eq(sorted((c, s, j["type"], len(j["report_blocks"])) for c, s, j in reps),
       sorted([(cdr["a"]["call_id"], "10.10.1.10:7300", 200, 0)] * 3 +
              [(cdr["b"]["call_id"], "10.10.2.20:6201", 200, 0)] * 3),
       "HEP RTCP reports: 3 SRs from alice (A leg), 3 from bob (B leg)")
    eq((r["hep_st"]["rtcp"], r["hep_st"]["rtcp_skipped"],
        r["hep_st"]["dropped"]),
       (6, 0, 0), "/dsbc/hep: RTCP reports sent, none skipped or dropped")


def baresip_watch(d, alice, bob, seconds, grace, also=None):
    """While alice (baresip) runs, keep the last complete view of the
    call, and with it the telemetry `also` names; then wait for both
    baresips (grace seconds past the call).  Returns (view, also's)."""
    seen = extra = None
    deadline = time.time() + seconds + 20
    while alice.poll() is None and time.time() < deadline:
        ids = d.tel.query("/dsbc/calls")["ids"]
        if ids:
            one = d.tel.query("/dsbc/call,%d" % ids[0])
            if complete_view(one):
                seen = one
                if also:
                    extra = d.tel.query(also)
        time.sleep(0.1)
    for p in (alice, bob):
        try:
            p.wait(timeout=seconds + grace)
        except subprocess.TimeoutExpired:
            p.kill()
    return seen, extra


def baresip_logs(logs):
    """The baresips' log files (name -> file, w+) read whole."""
    text = {}
    for w, f in logs.items():
        f.seek(0)
        text[w] = f.read()
    return text


def baresip_call(name, mode, seconds=10, alice=("dtls_srtp", True, False),
                 bob=("dtls_srtp", True, False), route_extra="",
                 dsbc_extra="", ipv6=False, port0_extra="", port1_extra="",
                 next_hop="10.10.2.20:5060", before=None, **call_kw):
    """alice (baresip, DTLS-SRTP + ICE unless told) calls bob (baresip,
    auto-answer) through dsbc in the given media mode; alice hangs up
    after about `seconds` of audio.  Returns bob's RTCP summary, the last
    view of the call, and dsbc's counters after it.  call_kw goes to
    baresip_peer.start_call (addresses, what alice dials); before(d, topo)
    runs once dsbc is ready."""
    import baresip_peer
    topo = Topology(name[:2], ipv6=ipv6)
    topo.setup()
    d = None
    out = os.path.abspath("out/system/%s" % name)
    os.makedirs(out, exist_ok=True)
    seen = quality = None
    ops = OpsCapture(name)
    try:
        conf = os.path.join(out, "dsbc.conf")
        dsbc_conf(topo, conf, "mode = %s\n%s" % (mode, dsbc_extra),
                  port0_extra=port0_extra, port1_extra=port1_extra)
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = %s\n%s" % (next_hop,
                                                       route_extra) +
                    ops.conf())
        d = Dsbc(BUILD, conf, "dsbc-sys-" + name, lcores="0-1")
        d.wait_ready()
        if before is not None:
            before(d, topo)
        alice, bob, logs = baresip_peer.start_call(topo, out, seconds,
                                                   alice=alice, bob=bob,
                                                   **call_kw)
        seen, _ = baresip_watch(d, alice, bob, seconds, 15)
        calls, st = settle(d)
        sip = d.tel.query("/dsbc/sip")
        # the ended call's record goes out once its flows are removed
        end = time.time() + 3
        while d.tel.query("/dsbc/cdr")["records"] < calls["ended"] and \
                time.time() < end:
            time.sleep(0.1)
        quality = d.tel.query("/dsbc/quality")
        text = baresip_logs(logs)
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    cdrs, hep = ops.cdrs(), ops.hep()
    ops.close()
    eq(rc, 0, "dsbc exit status")
    check_cdrs(cdrs, calls["ended"])
    return dict(bob=baresip_peer.summary(text["bob"]), call=seen,
                calls=calls, stats=st, text=text, sip=sip, cdrs=cdrs,
                hep=hep, quality=quality)


def check_baresip(r, mode):
    s, c = r["bob"], r["call"]
    check(s is not None, "bob's RTCP summary: " + r["text"]["bob"][-600:])
    check(c is not None, "call seen confirmed in /dsbc/call")
    a_rtp = c["a_leg"]["m0_rtp_in_rtp"]
    b_rtp = c["b_leg"]["m0_rtp_in_rtp"]
    print("  bob (baresip): received %d sent %d lost %d/%d jitter %.1f/%.1f "
          "ms; dsbc: RTP from alice %d, from bob %d" % (
              s["rx"], s["tx"], s["lost_rx"], s["lost_tx"],
              s["jitter_rx_ms"], s["jitter_tx_ms"], a_rtp, b_rtp))
    eq(c["a_leg"]["ice"], "lite", "dsbc's ICE on alice's leg")
    eq(c["b_leg"]["ice"], "lite", "dsbc's ICE on bob's leg")
    check_ge(c["a_leg"]["m0_rtp_in_stun_answered"], 1, "alice's checks")
    check_ge(c["b_leg"]["m0_rtp_in_stun_answered"], 1, "bob's checks")
    check_ge(c["a_leg"]["m0_rtp_in_dtls"], 2, "DTLS from alice relayed")
    check_ge(s["rx"], 400, "bob received audio for ~10 s (50 pps)")
    check_ge(s["tx"], 400, "bob sent audio for ~10 s")
    # baresip's summary holds the counts of its last RTCP interval (5 s,
    # 250 packets at 50 pps), never more than was sent; dsbc's last view
    # is up to 100 ms before the end (5 packets)
    check(a_rtp - 250 <= s["rx"] <= a_rtp + 5, "bob received what dsbc "
          "relayed from alice (%d vs %d)" % (s["rx"], a_rtp))
    check(b_rtp - 250 <= s["tx"] <= b_rtp + 5, "dsbc relayed what bob "
          "sent (%d vs %d)" % (b_rtp, s["tx"]))
    check(s["lost_rx"] * 100 < s["rx"] and s["lost_tx"] * 100 < s["tx"],
          "loss under 1%")
    eq(r["calls"]["active"], 0, "calls left")
    eq(r["stats"]["flows_installed"] - r["stats"]["flows_removed"], 2,
       "only the static flows left")
    if mode == "aware":
        a = c["a_leg"]
        eq(a["m0_rtp_in_ssrc_count"], 1, "one SSRC from alice")
        check(a["m0_rtp_in_ssrc0_pkts"] - 250 <= s["rx"] <=
              a["m0_rtp_in_ssrc0_pkts"] + 5,
              "dsbc's per-SSRC packets match bob's count (%d vs %d)"
              % (a["m0_rtp_in_ssrc0_pkts"], s["rx"]))
        check(a["m0_rtp_in_ssrc0_lost"] * 100 <= s["rx"],
              "dsbc's per-SSRC loss under 1% like bob's")
        check(abs(a["m0_rtp_in_ssrc0_jitter_us"] / 1000.0 -
                  s["jitter_rx_ms"]) < 5,
              "dsbc's jitter for alice's SSRC near bob's (%d us vs %.1f ms)"
              % (a["m0_rtp_in_ssrc0_jitter_us"], s["jitter_rx_ms"]))
        print("  dsbc aware: ssrc %s pkts %d lost %d jitter %d us" % (
            a["m0_rtp_in_ssrc0"], a["m0_rtp_in_ssrc0_pkts"],
            a["m0_rtp_in_ssrc0_lost"], a["m0_rtp_in_ssrc0_jitter_us"]))
        # the call's record and HEP reports carry what the flows measured
        # to the end; the quality histograms have a stream per leg
        cdr = r["cdrs"][0]
        ra, rb = cdr["a"]["rtp"], cdr["b"]["rtp"]
        print("  cdr: a %s\n       b %s" % (ra, rb))
        check(ra is not None and rb is not None, "CDR RTP figures per leg")
        eq(ra["ssrc"], a["m0_rtp_in_ssrc0"], "CDR: alice's SSRC")
        check(ra["received"] >= a["m0_rtp_in_ssrc0_pkts"],
              "CDR: alice's packets to the end")
        check(ra["loss"] < 0.01 and rb["loss"] < 0.01 and
              ra["mos"] >= 4.0 and rb["mos"] >= 4.0, "CDR loss and MOS")
        q = r["quality"]
        eq((q["streams"], q["mos_x100_count"], q["jitter_us_le_inf"]),
           (2, 2, 2), "quality histograms: a stream per leg")
        check(q["mos_x100_le_440"] - q["mos_x100_le_380"] == 2,
              "both streams' MOS between 3.8 and 4.4")
        reps = [h for h in r["hep"] if h["type"] == 5]
        eq(sorted(h["corr"] for h in reps),
           sorted([cdr["a"]["call_id"], cdr["b"]["call_id"]]),
           "a HEP quality report per leg, by its Call-ID")
        for h in reps:
            j = json.loads(h["payload"])
            leg = j["dsbc"]["leg"]
            eq((j["type"], j["report_blocks"][0]["source_ssrc"]),
               (201, int(cdr[leg]["rtp"]["ssrc"], 16)),
               "HEP report of leg %s: RR of the peer's SSRC" % leg)
            eq(j["dsbc"]["mos"], cdr[leg]["rtp"]["mos"],
               "HEP report's MOS is the CDR's")


def test_baresip_dtls_ice_relay():
    """Two baresip UAs, DTLS-SRTP and ICE, through dsbc in relay mode:
    audio both ways for ~10 s, baresip's RTCP summary and dsbc's
    counters agree, loss under 1%, every flow gone after the hang-up."""
    check_baresip(baresip_call("bsrelay", "relay"), "relay")


def test_baresip_dtls_ice_aware():
    """The same call in media-aware mode: dsbc's per-SSRC packets and loss
    (RFC 3550 A.3 on the clear SRTP headers) match baresip's report."""
    check_baresip(baresip_call("bsaware", "aware"), "aware")


def test_baresip_register_tls_digest_nat_call():
    """Two registered baresips.  alice registers over TLS (checking
    dsbc's certificate against the test CA) with digest (MD5, as
    Debian's baresip does it); bob, behind a NAT (nftables masquerade in
    his router's namespace, source ports moved to 40000-40999), registers
    over UDP with digest.  alice dials sip:bob@example.com: dsbc
    challenges her INVITE, then reaches bob where his REGISTER came from,
    through the NAT's pinhole, and the DTLS-SRTP call with ICE runs
    relayed both ways; bob's media latches on the NAT's address."""
    import baresip_peer
    pki = make_pki(os.path.abspath("out/system/pki"))
    seconds = 8
    topo = Topology("bn")
    topo.setup()
    d = None
    out = os.path.abspath("out/system/bsnat")
    os.makedirs(out, exist_ok=True)
    seen, regs = None, None
    try:
        lan = topo.add_nat("bob")
        conf = os.path.join(out, "dsbc.conf")
        dsbc_conf(topo, conf, "mode = relay\n" + tls_conf(pki),
                  port0_extra="exception = tap\n")
        users = users_file(os.path.join(out, "users"),
                           [("alice", "alice-pw"), ("bob", "bob-pw")])
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n" +
                    USERS_CONF % users)
        d = Dsbc(BUILD, conf, "dsbc-sys-bsnat", lcores="0-1")
        d.wait_ready()
        a = baresip_peer.write_config(
            os.path.join(out, "alice"), "10.10.1.10:5070", "alice",
            (30000, 30019), extra=["sip_cafile\t%s" % pki["ca.crt"]],
            account='<sip:alice@example.com;transport=tls>;'
            'auth_pass=alice-pw;outbound="sip:10.10.1.1:5061;'
            'transport=tls";regint=300')
        b = baresip_peer.write_config(
            os.path.join(out, "bob"), "192.168.50.2:5060", "bob",
            (32000, 32019), answer=True,
            account='<sip:bob@example.com>;auth_pass=bob-pw;'
            'outbound="sip:10.10.2.1:5060";regint=300')
        logs = {w: open(os.path.join(out, w + ".log"), "w+")
                for w in ("alice", "bob")}
        bob = topo.run(lan, ["baresip", "-f", b, "-t", str(seconds + 20)],
                       stdout=logs["bob"], stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            if d.tel.query("/dsbc/registrations")["bindings"] >= 1:
                break
            time.sleep(0.2)
        alice = topo.run("alice", ["baresip", "-f", a, "-e",
                                   "/dial sip:bob@example.com", "-t",
                                   str(seconds + 3)],
                         stdout=logs["alice"], stderr=subprocess.STDOUT)
        seen, regs = baresip_watch(d, alice, bob, seconds, 25,
                                   "/dsbc/registrations")
        calls, st = settle(d)
        sip = d.tel.query("/dsbc/sip")
        text = baresip_logs(logs)
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    eq(rc, 0, "dsbc exit status")
    s = baresip_peer.summary(text["bob"])
    check(seen is not None, "call seen confirmed; alice: %s; bob: %s" % (
        text["alice"][-800:], text["bob"][-800:]))
    lines = sorted(regs.get("list") or [])
    print("  bindings: %s" % " | ".join(lines))
    bleg = seen["b_leg"]
    print("  auth: challenges %d ok %d failed %d; bob's leg: signalling %s,"
          " media latched %s" % (sip["auth_challenges"], sip["auth_ok"],
                                 sip["auth_failed"], bleg.get("signalling_peer"),
                                 bleg.get("m0_rtp_in_latched")))
    check(s is not None, "bob's RTCP summary: " + text["bob"][-600:])
    print("  bob (baresip): received %d sent %d lost %d/%d" % (
        s["rx"], s["tx"], s["lost_rx"], s["lost_tx"]))
    eq(regs["bindings"], 2, "alice and bob registered")
    check(any(x.startswith("alice@example.com ") and "/tls" in x
              for x in lines), "alice's binding is on her TLS connection")
    nat = [x for x in lines if x.startswith("bob@example.com ")]
    check(len(nat) == 1 and "sip:bob" in nat[0] and "192.168.50.2" in
          nat[0] and re.search(r"via 10\.10\.2\.20:40\d\d\d/udp nat",
                               nat[0]) is not None,
          "bob's binding: his Contact, reached through the NAT: %s" % nat)
    check_ge(sip["auth_ok"], 3, "two REGISTERs and alice's INVITE")
    check_ge(sip["auth_challenges"], 3, "each was challenged first")
    eq(sip["auth_failed"], 0, "no failure")
    check_ge(sip["tls_handshakes"], 1, "alice's TLS")
    eq(bleg["signalling_peer"], "10.10.2.20",
       "dsbc called bob through the NAT")
    check(str(bleg.get("m0_rtp_in_latched", "")).startswith("10.10.2.20:"),
          "bob's media latched on the NAT's address")
    check_ge(bleg["m0_rtp_in_stun_answered"], 1, "bob's ICE checks")
    # baresip's summary counts its last RTCP interval (5 s at 50 pps)
    check_ge(s["rx"], 200, "bob received alice's audio")
    check_ge(s["tx"], 200, "bob sent audio")
    check_ge(bleg["m0_rtp_in_rtp"], 300, "dsbc relayed bob's RTP (8 s)")
    check(s["lost_rx"] * 100 < s["rx"], "loss under 1%")
    eq(calls["active"], 0, "calls left")


def baresip_ipv6_call(name, args):
    """alice (baresip) calls over TLS to dsbc's [fd00:a::1]:5061, bob
    (baresip) is reached over UDP at [fd00:b::20], both DTLS-SRTP with
    ICE, relayed, with no [neigh.N]: every MAC comes from neighbour
    discovery (RFC 4861) both ways, for SIP, media and the kernel's TCP.
    Each peer pings dsbc's IPv6 address first.  Returns baresip_call's
    result with the pings."""
    pki = make_pki(os.path.abspath("out/system/pki"))
    ping = {}

    def before(d, topo):
        for who, gw in (("alice", "fd00:a::1"), ("bob", "fd00:b::1")):
            ping[who] = topo.exec(who, "ping", "-6", "-c", "2", "-i",
                                  "0.2", "-W", "2", gw, check=False)
        # alice's kernel tries to take dsbc's address: its duplicate
        # address detection (RFC 4862) hears dsbc and gives it up
        topo.exec("alice", "ip", "-6", "addr", "add", "fd00:a::1/128",
                  "dev", "p0")
        time.sleep(2.5)
        ping["dad"] = topo.exec("alice", "ip", "-6", "addr", "show",
                                "dev", "p0").stdout
        topo.exec("alice", "ip", "-6", "addr", "del", "fd00:a::1/128",
                  "dev", "p0", check=False)

    r = baresip_call(
        name, "relay", ipv6=True,
        port0_extra="ipv6 = fd00:a::1/64\nexception = tap\n",
        port1_extra="ipv6 = fd00:b::1/64\n",
        dsbc_extra=tls_conf(pki), next_hop="[fd00:b::20]:5060",
        alice_sip="[fd00:a::10]:5070", bob_sip="[fd00:b::20]:5060",
        dial="sip:bob@[fd00:a::1]:5061;transport=tls", args=args,
        before=before)
    st = r["stats"]
    print("  nd: solicits rx %d sent %d, adverts rx %d sent %d, learned %d,"
          " invalid %d; tls handshakes %d; reassembled %d" % (
              st["mgmt_nd_solicits_rx"], st["mgmt_nd_solicits_sent"],
              st["mgmt_nd_adverts_rx"], st["mgmt_nd_adverts_sent"],
              st["mgmt_nd_learned"], st["mgmt_nd_invalid"],
              r["sip"]["tls_handshakes"], r["sip"]["reassembled"]))
    check_baresip(r, "relay")
    check_ge(st["mgmt_nd_solicits_rx"], 2, "the peers asked for dsbc")
    check_ge(st["mgmt_nd_adverts_sent"], 2, "dsbc answered them")
    check_ge(st["mgmt_nd_solicits_sent"], 2, "dsbc asked for the peers")
    check_ge(st["mgmt_nd_learned"], 2, "dsbc learned both peers' MACs")
    eq(st["mgmt_nd_invalid"], 0, "every ND message valid")
    eq(st["drop_no_neigh"], 0, "no media dropped for want of a MAC")
    for who in ("alice", "bob"):
        print("  %s: %s" % (who, ping[who].stdout.strip().splitlines()[-2]))
        eq(ping[who].returncode, 0, "ping -6 from %s to dsbc" % who)
    check_ge(st["mgmt_icmp6_echo_replies"], 4, "dsbc's echo replies")
    dad = [x.strip() for x in ping["dad"].splitlines() if "fd00:a::1/" in x]
    print("  alice taking dsbc's address: %s; dad_defended %d" % (
        dad, st["mgmt_nd_dad_defended"]))
    check(len(dad) == 1 and "dadfailed" in dad[0],
          "alice's duplicate address detection failed")
    check_ge(st["mgmt_nd_dad_defended"], 1, "dsbc defended its address")
    eq(r["sip"]["tls_handshakes"], 1, "alice's one TLS connection")
    check_ge(r["sip"]["tcp_rx_msgs"], 3, "her INVITE, ACK and BYE on it")
    eq(r["call"]["b_leg"]["media_address"], "fd00:b::1",
       "bob's media on dsbc's IPv6 address")
    return r


def test_baresip_ipv6_tls_no_neighbours():
    """IPv6 end to end (baresip -6 on both sides): alice on TLS over
    IPv6, bob on UDP over IPv6, DTLS-SRTP relayed, no static neighbours."""
    r = baresip_ipv6_call("bsv6tls", ["-6"])
    eq(r["call"]["a_leg"]["media_address"], "fd00:a::1",
       "alice's media on dsbc's IPv6 address")


def test_baresip_dual_stack_ipv6_sip_ipv4_media():
    """What baresip does by default on a dual-stack host: alice signals
    over IPv6 (TLS) but offers IPv4 media.  dsbc answers her on IPv4
    media while its Via and Contact stay on IPv6.  bob answers dsbc's
    IPv6 offer with an IPv4 default address (c=) and IPv6 candidates:
    dsbc reaches him at his best IPv6 candidate (RFC 8839 5.1).  Once ICE
    completes he updates his default by re-INVITE, an IPv6 UDP datagram
    the kernel fragments (dsbc reassembles it) and which keeps ICE going:
    the latches stay and the audio flows on."""
    r = baresip_ipv6_call("bsdual", [])
    eq(r["call"]["a_leg"]["media_address"], "10.10.1.1",
       "alice's media on dsbc's IPv4 address, as she offered")
    check_ge(r["sip"]["reassembled"], 1, "bob's fragmented re-INVITE")
    check_ge(r["sip"]["rx_INVITE"], 2, "bob's re-INVITE reached dsbc")


def sdes_line(tag):
    """An a=crypto line with a fresh AES_CM_128_HMAC_SHA1_80 key."""
    return "a=crypto:%d AES_CM_128_HMAC_SHA1_80 inline:%s" % (
        tag, base64.b64encode(os.urandom(30)).decode())


B_REFUSES_REINVITE = """  <recv request="INVITE" />
  <send>
    <![CDATA[
      SIP/2.0 488 Not Acceptable Here
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" />
""" + RECV_BYE


def sdes_rekey_call(name, refused, mux=False):
    """SDES on both legs, route mode = terminate; alice's re-INVITE brings
    a new key under a new tag; bob answers it, or refuses it with 488;
    with mux, the re-INVITE also turns rtcp-mux on and dsbc refuses it
    itself (bob never sees it).  Returns run_call's result, the
    /dsbc/calls views before and after the re-INVITE, and the a=crypto
    values of dsbc's answers to alice."""
    a1, a2, b1 = sdes_line(1), sdes_line(2), sdes_line(1)
    fp = re.compile(r"      a=fingerprint:[^\n]*\n      a=setup:[a-z]+\n")
    reinvite, b_end = A_REINVITE, B_REINVITED
    if mux:
        a2 += "\n      a=rtcp-mux"
    if refused or mux:
        # A's re-INVITE gets 488, which A ACKs (same branch: its Via)
        reinvite = reinvite.replace(
            '<recv response="200" />\n  <pause milliseconds="1300"/>',
            '<recv response="488" />').replace(
            "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
            "      Via: SIP/2.0/[transport] [local_ip]:[local_port];"
            "branch=[branch]", "ACK sip:[service]@[remote_ip]:"
            "[remote_port] SIP/2.0\n      [last_Via:]")
        b_end = B_REFUSES_REINVITE if refused else None

    def uac_edit(x):
        x = fp.sub("      %s\n" % a1, x, count=1)
        x = x.replace("RTP/AVP", "RTP/SAVP")
        return x.replace("m=audio [media_port+2] RTP/SAVP 0\n",
                         "m=audio [media_port+2] RTP/SAVP 0\n      %s\n" % a2)

    def uas_edit(x):
        x = fp.sub("      %s\n" % b1, x, count=1)
        x = x.replace("RTP/AVP", "RTP/SAVP")
        return x.replace("m=audio [media_port+4] RTP/SAVP 0\n",
                         "m=audio [media_port+4] RTP/SAVP 0\n      %s\n" % b1)

    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_%s.xml"
                                                    % name),
                   MEDIA="", HOLD_MS="200", END_A=reinvite)
    uas = uas_scenario(os.path.abspath("out/system/uas_%s.xml" % name),
                       end=b_end)
    for path, edit in ((uac, uac_edit), (uas, uas_edit)):
        with open(path) as f:
            x = edit(f.read())
        with open(path, "w") as f:
            f.write(x)
    log = os.path.abspath("out/system/%s_uac_msgs.log" % name)
    if os.path.exists(log):
        os.unlink(log)
    res = {}

    def during(d, topo, call):
        res["before"] = d.tel.query("/dsbc/calls")
        time.sleep(2.5)               # the re-INVITE, its answer and ACK
        res["after"] = d.tel.query("/dsbc/calls")

    r = run_call(name, uac, uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", log],
                 conf_extra="mode = terminate\n")
    sipp_ok(r)
    with open(log, errors="replace") as f:
        text = f.read()
    crypto = [re.search(r"a=crypto:([^\r\n]*)", m).group(1)
              for m in text.split("SIP/2.0 200 OK")[1:] if "a=crypto:" in m]
    before, after = res.get("before", {}), res.get("after", {})
    print("  keys_sent %s -> %s, sdes_rekeys %s; dsbc's a=crypto to "
          "alice: %s" % (before.get("keys_sent"), after.get("keys_sent"),
                         after.get("sdes_rekeys"),
                         " / ".join(x[:40] for x in crypto)))
    eq(r["sip"]["rx_INVITE"], 2, "INVITE and re-INVITE from A")
    return r, before, after, crypto, text, a1


def test_terminate_sdes_rekey():
    """SDES on both legs, route mode = terminate: alice's re-INVITE brings
    a new key under a new tag (RFC 4568 7.1.4).  Once bob's answer comes,
    dsbc installs it for the flows from alice (two FLOW_KEYS,
    sdes_rekeys=1), answers her tag with its own unchanged key; bob's
    unchanged key in his answer changes nothing."""
    r, before, after, crypto, text, a1 = sdes_rekey_call("rekey", False)
    eq(after.get("sdes_rekeys"), 1, "one new SDES key (alice's)")
    eq(after.get("keys_sent", 0) - before.get("keys_sent", 0), 2,
       "FLOW_KEYS for alice's RTP and RTCP flows")
    # the answer to the INVITE, then to the re-INVITE (retransmitted
    # until alice's late ACK: the same message again)
    check(len(crypto) >= 2, "dsbc's answers to alice carry a=crypto")
    check(crypto[0].startswith("1 ") and
          all(x.startswith("2 ") for x in crypto[1:]),
          "answers carry alice's tags: %s" % crypto)
    eq(len(set(x.split("inline:")[1] for x in crypto)), 1,
       "dsbc's own key unchanged")
    check(a1.split("inline:")[1] not in text.split("SIP/2.0 200 OK", 1)[1],
          "alice's key never echoed back to her")


def test_terminate_rtcp_mux_change_refused():
    """A re-INVITE turning rtcp-mux on in a terminated call would rebuild
    the flows and restart their SRTP indexes under the same keys: dsbc
    answers 488 itself, bob never sees it, nothing is re-keyed."""
    r, before, after, crypto, text, a1 = sdes_rekey_call("muxno", False,
                                                         mux=True)
    check("SIP/2.0 488" in text, "alice got dsbc's 488")
    eq(r["calls"]["bad_sdp"], 1, "the offer counted as refused SDP")
    eq(after.get("keys_sent", 0) - before.get("keys_sent", 0), 0,
       "no FLOW_KEYS")
    eq(r["stats"]["flows_installed"] - 2, 4, "the call's 4 flows were "
       "never rebuilt")


def test_terminate_sdes_rekey_refused():
    """The same re-INVITE refused by bob (488): RFC 3264 section 8 keeps
    the session as it was, so alice's old key stays installed (no
    FLOW_KEYS, sdes_rekeys=0) and alice gets the 488."""
    r, before, after, crypto, text, a1 = sdes_rekey_call("rekeyno", True)
    check("SIP/2.0 488" in text, "alice got bob's 488")
    eq(after.get("sdes_rekeys"), 0, "no new key installed")
    eq(after.get("keys_sent", 0) - before.get("keys_sent", 0), 0,
       "no FLOW_KEYS for a refused offer")


def test_terminate_mux_rtcp_port_keyless():
    """Alice muxes RTCP (RFC 5761) and keys with SDES, bob does not mux;
    route mode = terminate.  dsbc's RTCP port on alice's side is there only
    for the headers and keys RTCP leaves with towards bob's RTCP port:
    alice's key is not installed on it, so her five authentic SRTP packets
    sent again to that port (replays that a second replay list would take,
    and protect again for bob) are dropped as drop_srtp_no_keys; the
    originals, sent to her RTP port, reach bob's RTP port."""
    a_crypto, b_crypto = sdes_line(1), sdes_line(1)
    fp = re.compile(r"      a=fingerprint:[^\n]*\n      a=setup:[a-z]+\n")

    def edit(line):
        return lambda x: fp.sub("      %s\n" % line, x, count=1).replace(
            "RTP/AVP", "RTP/SAVP")

    uac, uas = media_scenarios(
        "muxkl", "4000", "m=audio 7300 RTP/AVP 0", "m=audio 6200 RTP/AVP 0",
        uac_edit=edit(a_crypto + "\n      a=rtcp-mux"),
        uas_edit=edit(b_crypto))
    log = os.path.abspath("out/system/muxkl_uac_msgs.log")
    if os.path.exists(log):
        os.unlink(log)
    out = os.path.abspath("out/system/muxkl")
    os.makedirs(out, exist_ok=True)
    got = {}

    def during(d, topo, call):
        with open(log, errors="replace") as f:
            port, _ = sdp_port(f.read(), "SIP/2.0 200 OK")
        ka = "AES_CM_128_HMAC_SHA1_80:" + a_crypto.split("inline:")[1]
        pcap = os.path.join(out, "a.pcap")
        r = subprocess.run([os.path.join(BUILD, "app/dsbc-gen/dsbc-gen"),
                            "--pcap-out", pcap, "--kind", "rtp", "--count",
                            "5", "--ssrc", "0x1111", "--srtp", ka, "--flow",
                            "10.10.1.10:7300-10.10.1.1:%d" % port,
                            "--src-mac", "02:00:00:00:0a:10", "--dst-mac",
                            "02:00:00:00:0a:01"], capture_output=True,
                           text=True)
        eq(r.returncode, 0, "dsbc-gen: " + r.stderr)
        hexf = os.path.join(out, "send.hex")
        with open(hexf, "w") as f:
            f.write("".join(fr[42:].hex() + "\n" for fr in pcap_read(pcap)))
        rx = [topo.run("bob", ["python3", "-c", RECV, str(p), "3",
                               os.path.join(out, "recv%d.hex" % p)],
                       stdout=subprocess.PIPE, text=True)
              for p in (6200, 6201)]
        time.sleep(0.3)
        for dport in (port, port + 1):
            topo.run("alice", ["python3", "-c", SEND, hexf, "7300",
                               "10.10.1.1", str(dport)]).wait(timeout=30)
        got["bob"] = [p.communicate(timeout=30)[0].strip() for p in rx]

    r = run_call("muxkl", uac, uas, during=during,
                 extra_uac=["-trace_msg", "-message_file", log],
                 conf_extra="mode = terminate\n")
    sipp_ok(r)
    a = r["call_after_during"]["a_leg"]
    print("  bob's RTP port: %s, his RTCP port: %s; alice's RTP flow: "
          "unprotected %d; her RTCP-port flow: pkts %d unprotected %d; "
          "drop_srtp_no_keys %d" % (
              got["bob"][0], got["bob"][1],
              a["m0_rtp_in_srtp_unprotected"], a["m0_rtcp_in_pkts"],
              a["m0_rtcp_in_srtp_unprotected"],
              r["stats"]["drop_srtp_no_keys"]))
    eq(got["bob"], ["received 5", "received 0"], "what bob got per port")
    eq(a["m0_rtp_in_srtp_unprotected"], 5, "alice's packets decrypted once")
    eq(a["m0_rtcp_in_srtp_unprotected"], 0, "none again on the RTCP port")
    eq(r["stats"]["drop_srtp_no_keys"], 5, "the five replays, keyless")


def test_terminate_early_mux_flip_refused():
    """Alice muxes RTCP and keys with SDES; bob's 183 answers with mux,
    his 200 without.  In a terminated call the 200's answer would rebuild
    the flows and send the keys already installed to new sessions, whose
    SRTP and SRTCP indexes start again under them (keystream, or GCM
    nonce, reuse): dsbc refuses it as a bad answer, as it refuses a
    re-INVITE turning mux on or off (502 to alice, BYE to bob)."""
    a_crypto, b_crypto = sdes_line(1), sdes_line(1)
    fp = re.compile(r"      a=fingerprint:[^\n]*\n      a=setup:[a-z]+\n")
    early = EARLY.replace("      m=audio [media_port] RTP/AVP 0\n",
                          "      m=audio [media_port] RTP/SAVP 0\n"
                          "      %s\n      a=rtcp-mux\n" % b_crypto)
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_mf.xml"),
                   MEDIA="", HOLD_MS="0", END_A="")
    uas = scenario("uas_call.xml", os.path.abspath("out/system/uas_mf.xml"),
                   EARLY=early, MEDIA_B="", END=RECV_BYE)
    with open(uac) as f:
        x = fp.sub("      %s\n      a=rtcp-mux\n" % a_crypto, f.read(),
                   count=1).replace("RTP/AVP", "RTP/SAVP")
    # the 2xx is refused: alice gets 502 and ACKs it in its transaction
    x = x.replace('<recv response="200" rtd="true" />',
                  '<recv response="502" rtd="true" />').replace(
        "ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
        "      Via: SIP/2.0/[transport] [local_ip]:[local_port];"
        "branch=[branch]", "ACK sip:[service]@[remote_ip]:"
        "[remote_port] SIP/2.0\n      [last_Via:]")
    with open(uac, "w") as f:
        f.write(x)
    with open(uas) as f:
        x = fp.sub("      %s\n" % b_crypto, f.read(), count=1).replace(
            "RTP/AVP", "RTP/SAVP")
    with open(uas, "w") as f:
        f.write(x)
    res = {}

    def during(d, topo, call):
        # after the 183's answer (bob's 200 comes 200 ms later)
        res["keys"] = d.tel.query("/dsbc/calls")["keys_sent"]
        res["flows"] = d.stats()["flows_installed"]

    r = run_call("muxflip", uac, uas, during=during, during_state="early",
                 conf_extra="mode = terminate\n")
    print("  sipp: alice rc %d, bob rc %d; calls: bad_sdp=%d; FLOW_KEYS "
          "after the 183 %s, at the end %d; flows installed after the "
          "183 %s, at the end %d" % (
              r["uac_rc"], r["uas_rc"], r["calls"]["bad_sdp"],
              res.get("keys"), r["calls"]["keys_sent"], res.get("flows"),
              r["stats"]["flows_installed"]))
    sipp_ok(r)
    eq(r["calls"]["bad_sdp"], 1, "bob's 200 refused as a bad answer")
    eq(r["calls"]["active"], 0, "the call ended")
    eq(r["calls"]["keys_sent"], res.get("keys"), "no FLOW_KEYS after the "
       "183's answer")
    eq(r["stats"]["flows_installed"], res.get("flows"),
       "no flow rebuilt for the 200")


def check_baresip_terminate(r, a_keying, b_keying):
    """A terminated baresip call: audio both ways for ~10 s with loss
    under 1% per bob's RTCP summary, and dsbc decrypted and re-encrypted
    (or passed) it, nothing failing authentication."""
    s, c = r["bob"], r["call"]
    check(s is not None, "bob's RTCP summary: " + r["text"]["bob"][-600:])
    check(c is not None, "call seen confirmed in /dsbc/call")
    a, b = c["a_leg"], c["b_leg"]
    print("  bob (baresip): received %d sent %d lost %d/%d; dsbc %s: A %s "
          "unprotected %d protected %d, B %s unprotected %d protected %d" % (
              s["rx"], s["tx"], s["lost_rx"], s["lost_tx"], c["mode"],
              a["keying"], a["m0_rtp_in_srtp_unprotected"],
              a["m0_rtp_in_srtp_protected"], b["keying"],
              b["m0_rtp_in_srtp_unprotected"],
              b["m0_rtp_in_srtp_protected"]))
    eq(c["mode"], "terminate", "call mode (forced: the legs differ)")
    eq((a["keying"], b["keying"]), (a_keying, b_keying), "legs' keying")
    check_ge(s["rx"], 400, "bob received audio for ~10 s (50 pps)")
    check_ge(s["tx"], 400, "bob sent audio for ~10 s")
    check(s["lost_rx"] * 100 < s["rx"] and s["lost_tx"] * 100 < s["tx"],
          "loss under 1%")
    # alice's media: decrypted from her keys (SRTP legs), re-encrypted
    # with dsbc's towards bob, as many as bob counted (his summary is
    # his last RTCP interval: up to 250 packets behind)
    a_in = a["m0_rtp_in_pkts"]
    check(a_in - 250 <= s["rx"] <= a_in + 5, "bob received what dsbc "
          "sent him (%d vs %d)" % (s["rx"], a_in))
    if a_keying != "plain":
        check_ge(a["m0_rtp_in_srtp_unprotected"], 400, "alice's SRTP "
                 "decrypted")
    if b_keying != "plain":
        check_ge(a["m0_rtp_in_srtp_protected"], 400, "encrypted for bob")
        check_ge(b["m0_rtp_in_srtp_unprotected"], 400, "bob's SRTP "
                 "decrypted")
    st = r["stats"]
    print("  before the keys: held %d, released %d, expired %d; dropped "
          "keyless %d (A %d, B %d)" % (
              st["srtp_held"], st["srtp_held_released"],
              st["srtp_held_expired"], st["drop_srtp_no_keys"],
              a["m0_rtp_in_srtp_no_keys"], b["m0_rtp_in_srtp_no_keys"]))
    # no clipped start: what came before the other leg's keys waited
    # for them (RFC 7879 3.2.2 terminator), none was dropped keyless
    eq(st["drop_srtp_no_keys"], 0, "packets dropped for want of keys")
    eq(st["srtp_held_expired"], 0, "held packets that waited too long")
    # a held one may still be refused once keyed (baresip's plain RTCP
    # keepalive, an RTCP APP of 16 bytes, is drop_srtp_malformed)
    check(st["srtp_held_released"] <= st["srtp_held"], "released what "
          "was held")
    for leg in (a, b):
        eq(leg["m0_rtp_in_srtp_auth_fail"], 0, "authentication failures")
    eq(r["calls"]["active"], 0, "calls left")
    eq(r["calls"]["terminate_forced"], 1, "terminate forced by keying")
    eq(r["stats"]["flows_installed"] - r["stats"]["flows_removed"], 2,
       "only the static flows left")


def test_baresip_dtls_to_sdes_terminate():
    """Seed 000's interworking: baresip alice with DTLS-SRTP and ICE calls
    baresip bob with SDES (srtp module, mediaenc=srtp-mand) through dsbc;
    the route asks for SDES towards bob, which only terminating can give:
    dsbc ends alice's DTLS, keys bob's leg with its own a=crypto, and
    re-encrypts both ways.  dsbc's SRTP engine here is the cryptodev
    (crypto_aesni_mb), which takes the RTP and the SRTCP both ways; the
    reverse test keeps libsrtp2."""
    # alice muxes RTCP (one DTLS association); the reverse test has bob
    # on two ports, a DTLS association on each (RFC 5764 section 4.1)
    r = baresip_call("bsdtsd", "relay", alice=("dtls_srtp", True, True),
                     bob=("srtp-mand", False, False),
                     route_extra="security = sdes\n",
                     dsbc_extra="srtp_engine = cryptodev\n")
    check_baresip_terminate(r, "dtls", "sdes")
    ops = r["stats"]["srtp_cryptodev_ops"]
    a, b = r["call"]["a_leg"], r["call"]["b_leg"]
    # the transforms on the legs' first flows: RTP, and alice's SRTCP,
    # which she muxes; bob's RTCP has a port (and a flow) of its own
    mux_ops = sum(leg["m0_rtp_in_srtp_" + k] for leg in (a, b)
                  for k in ("unprotected", "protected"))
    rtcp_b = b["m0_rtcp_in_srtp_unprotected"]
    print("  SRTP transforms on the cryptodev: %d (on the RTP flows %d; "
          "bob's SRTCP unprotected %d, auth failures %d)" % (
              ops, mux_ops, rtcp_b, b["m0_rtcp_in_srtp_auth_fail"]))
    # each RTP packet: unprotected and protected, both directions
    check_ge(ops, 4 * 400, "RTP both ways through the device")
    # every SRTCP too: alice's among mux_ops, bob's unprotected and
    # protected for alice on top (with SRTCP left to libsrtp2, ops would
    # fall short of mux_ops by alice's)
    check_ge(rtcp_b, 1, "bob's SRTCP decrypted")
    eq(b["m0_rtcp_in_srtp_auth_fail"], 0, "SRTCP authentication failures")
    check_ge(ops - mux_ops, 2 * rtcp_b, "SRTCP through the device")


def test_baresip_sdes_to_dtls_terminate():
    """The reverse: alice with SDES, bob with DTLS-SRTP on separate RTP
    and RTCP ports, so one DTLS association on each (RFC 5764 section
    4.1), and SRTCP keyed from the RTCP one."""
    r = baresip_call("bssddt", "relay", alice=("srtp-mand", False, False),
                     bob=("dtls_srtp", False, False),
                     route_extra="security = dtls\n")
    check_baresip_terminate(r, "sdes", "dtls")
    b = r["call"]["b_leg"]
    print("  bob's leg: RTP DTLS %s, RTCP DTLS %s; SRTCP from bob %d" % (
        b.get("m0_dtls"), b.get("m0_rtcp_dtls"),
        b["m0_rtcp_in_srtp_unprotected"]))
    eq(b["m0_rtcp_mux"], 0, "bob does not mux RTCP")
    check(b.get("m0_rtcp_dtls") in ("done", "closed"),
          "DTLS on bob's RTCP port: %s" % b.get("m0_rtcp_dtls"))
    check_ge(b["m0_rtcp_in_srtp_unprotected"], 1, "bob's SRTCP decrypted")
    eq(r["calls"]["dtls_done"], 2, "two associations with bob")


def test_dtls_before_the_answer():
    """RFC 7879 section 3.1.1: DTLS may start before the answer reaches
    dsbc.  bob (the answerer, a=setup:active, openssl s_client) sends
    his ClientHello to the port dsbc offered him while his 200 is held
    back 3 s; dsbc relays it to alice's s_server on the offer's port at
    once, alice's answer waits for the flows the 200 brings (DTLS
    retransmits), and the handshake completes with both ends exporting
    the same keys."""
    out = os.path.abspath("out/system/dtls_early")
    os.makedirs(out, exist_ok=True)
    certs = {who: make_cert(out, who)[:2] for who in ("alice", "bob")}
    # the 200 waits 3 s after the 180
    uac, uas = dtls_scenarios("de", "6000", lambda x: x.replace(
        '  <send retrans="500">\n    <![CDATA[\n      SIP/2.0 200 OK',
        '  <pause milliseconds="3000"/>\n  <send retrans="500">\n'
        '    <![CDATA[\n      SIP/2.0 200 OK', 1))
    log = os.path.abspath("out/system/de_uas_msgs.log")
    if os.path.exists(log):
        os.unlink(log)
    res = {}

    def during(d, topo, call):
        with open(log, errors="replace") as f:
            port, _ = sdp_port(f.read(), "INVITE sip:")
        srv = openssl_peer(topo, "alice",
                           "sleep 9 | timeout 10 openssl s_server %s -accept "
                           "10.10.1.10:7200 -cert %s -key %s -naccept 1"
                           % (DTLS_SRTP_OPTS, certs["alice"][1],
                              certs["alice"][0]))
        time.sleep(0.5)
        cli = openssl_peer(topo, "bob",
                           "(echo early-dtls; sleep 6) | timeout 9 openssl "
                           "s_client %s -cert %s -key %s -connect "
                           "10.10.2.1:%d -bind 10.10.2.20:6100"
                           % (DTLS_SRTP_OPTS, certs["bob"][1],
                              certs["bob"][0], port))
        time.sleep(1)
        res["early"] = d.tel.query("/dsbc/call,%d" % call["id"])
        res["cli"] = cli.communicate(timeout=20)[0]
        res["srv"] = srv.communicate(timeout=20)[0]

    r = run_call("dtlsearly", uac, uas, during=during, during_state="early",
                 extra_uas=["-trace_msg", "-message_file", log])
    sipp_ok(r)
    early = res.get("early") or {}
    print("  before the answer: state=%s bob's DTLS records relayed=%s" % (
        early.get("state"), early.get("b_leg", {}).get("m0_rtp_in_dtls")))
    eq(early.get("state"), "early", "the call was not answered yet")
    check_ge(early["b_leg"]["m0_rtp_in_dtls"], 1,
             "bob's ClientHello relayed before the answer")
    km = [keying_material(res.get(k, "")) for k in ("cli", "srv")]
    check(len(km[0]) == 1, "bob exported keys: " + res.get("cli", "")[-300:])
    eq(km[0], km[1], "both ends export the same keying material")
    check("early-dtls" in res.get("srv", ""), "data reached alice")


def test_call_cancel():
    """A cancels while B rings: 487 to A.  Its record goes to syslog
    ([cdr] syslog = yes), facility local0, one JSON message."""
    r = run_call("cancel", os.path.join(SIPP, "uac_cancel.xml"),
                 os.path.join(SIPP, "uas_ring.xml"), cdr_syslog=True)
    sipp_ok(r)
    print("  record by %s: %s" % ("syslog (local0.info)" if r["cdr_syslog"]
                                 else "file", json.dumps(r["cdrs"])[:160]))
    eq(r["calls"]["cancelled"], 1, "cancelled calls")
    c = r["cdrs"][0]
    eq((c["reason"], c["status"], c["answer"], c["talk_s"]),
       ("cancel", 487, None, 0.0), "CDR of a cancelled call")


# A caller's display name built to break or bloat a JSON line: quotes,
# a backslash, UTF-8 and 150 tabs (each escaped to 6 bytes), the From
# just under what a leg keeps (256 bytes with sipp's tag; more is 400)
HOSTILE_NAME = 'al\\"i\\\\ce \u00e9\u4e2d' + "\t" * 150


def test_call_busy():
    """B answers 486: A gets it; the call's record says failure, 486,
    never answered, and keeps the caller's hostile display name whole
    (JSON-escaped, UTF-8 as it came: a JSON reader gets A's text)."""
    with open(os.path.join(SIPP, "uac_fail.xml"), encoding="utf-8") as f:
        x = f.read().replace('From: "alice"', 'From: "%s"' % HOSTILE_NAME)
    uac = os.path.abspath("out/system/uac_busy_name.xml")
    with open(uac, "w", encoding="utf-8") as f:
        f.write(x)
    r = run_call("busy", uac, os.path.join(SIPP, "uas_busy.xml"))
    sipp_ok(r)
    eq(r["calls"]["failed"], 1, "failed calls")
    c = r["cdrs"][0]
    eq((c["reason"], c["status"], c["answer"]), ("failure", 486, None),
       "CDR of a call B refused")
    print("  caller in the CDR: %r... (%d characters)" % (
        c["a"]["remote_uri"][:24], len(c["a"]["remote_uri"])))
    eq(c["a"]["remote_uri"], '"%s"<sip:alice@10.10.1.10:5070>' %
       HOSTILE_NAME, "the caller's From as A sent it (SIP quoting kept)")


# One request from SPORT to DST:5060, its final status printed ("status
# 503 Retry-After 60", or "status none").
SIP_PROBE = r"""
import socket, sys, time
method, ip, sport, dst = sys.argv[1:5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((ip, int(sport)))
s.settimeout(0.5)
body = ""
hdr = ("%s sip:bob@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%s;branch=z9hG4bK%s%d\r\n"
       "From: <sip:alice@%s>;tag=p1\r\nTo: <sip:bob@%s>\r\n"
       "Call-ID: probe-%s-%d@%s\r\nCSeq: 1 %s\r\nMax-Forwards: 70\r\n"
       "Contact: <sip:alice@%s:%s>\r\nContent-Length: 0\r\n\r\n") % (
    method, dst, ip, sport, method, time.time_ns(), ip, dst, method,
    time.time_ns(), ip, method, ip, sport)
for i in range(4):
    s.sendto(hdr.encode(), (dst, 5060))
    end = time.time() + 0.5
    while time.time() < end:
        try:
            d = s.recv(4096).decode(errors="replace")
        except socket.timeout:
            break
        code = d.split()[1]
        if code >= "200":
            ra = [l for l in d.split("\r\n") if l.startswith("Retry-After")]
            print("status", code, *ra)
            sys.exit(0)
print("status none")
"""


def ctl(d, *args, timeout=30):
    """dsbc-ctl (from this tree) on a test's dsbc."""
    return dsbc_ctl("--prefix", d.prefix, *args, timeout=timeout)


def test_reload_and_drain():
    """Live changes with calls up.  A reload (dsbc-ctl reload) that moves
    route 0 to another port of bob's sends the next call there while the
    call already up keeps its B leg and ends normally; one that changes
    flow_capacity is refused whole, naming the key.  Drain: OPTIONS and
    a new INVITE get 503 with Retry-After while the call up goes on;
    dsbc-ctl drain --wait returns once it has ended; undrain: 200 again.
    The CDR file moved away and SIGUSR1: later records in a new file."""
    topo = Topology("rd")
    topo.setup()
    d = None
    ops = OpsCapture("reload")
    procs = []
    out = {}
    try:
        conf = os.path.abspath("out/system/reload.conf")
        dsbc_conf(topo, conf)
        base = open(conf).read()
        route = "[route.0]\nnext_hop = 10.10.2.20:%d\n"
        with open(conf, "a") as f:
            f.write(route % 5060 + ops.conf())
        d = Dsbc(BUILD, conf, "dsbc-sys-reload", lcores="0-1")
        d.wait_ready()
        common = ["-nostdin", "-timeout", "30", "-timeout_error"]

        def sipp(who, scen, ip, port, mp, calls, *extra):
            p = topo.run(who, ["sipp", "-sf", scen, "-i", ip, "-p",
                               str(port), "-mp", str(mp), "-m", str(calls)] +
                         common + list(extra), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
            procs.append(p)
            return p

        def uac(port, hold):
            x = scenario("uac_call.xml", os.path.abspath(
                "out/system/uac_rd%d.xml" % port), MEDIA="",
                HOLD_MS=str(hold), END_A=A_BYE)
            # sipp takes four media ports from -mp on
            return sipp("alice", x, "10.10.1.10", port,
                        7000 + (port - 5070) * 5, 1,
                        "-s", "bob", "10.10.1.1:5060")

        def confirmed(n, timeout=10):
            end = time.time() + timeout
            while time.time() < end:
                if d.tel.query("/dsbc/calls")["state_confirmed"] == n:
                    return
                time.sleep(0.1)
            raise Fail("%d calls confirmed in time" % n)

        uas = uas_scenario(os.path.abspath("out/system/uas_rd.xml"))
        uas1 = sipp("bob", uas, "10.10.2.20", 5060, 6000, 1)
        uas2 = sipp("bob", uas, "10.10.2.20", 5062, 6100, 2)
        time.sleep(0.5)
        uac1 = uac(5070, 6000)
        confirmed(1)
        # a change only a restart makes: refused, nothing applied
        with open(conf, "w") as f:
            f.write(base.replace("[dsbc]\n", "[dsbc]\nflow_capacity = "
                                 "8192\n") + route % 5062 + ops.conf())
        r = ctl(d, "reload")
        out["refused"] = (r.returncode, r.stdout.strip() + r.stderr.strip())
        with open(conf, "w") as f:
            f.write(base + route % 5062 + ops.conf())
        r = ctl(d, "reload")
        out["reload"] = (r.returncode, r.stdout.strip())
        uac2 = uac(5072, 200)
        out["uac2"] = uac2.wait(timeout=30)
        # logrotate's way: the file moved away, then SIGUSR1; what ends
        # from now on goes to a new file of the same name
        end = time.time() + 5
        while d.tel.query("/dsbc/cdr")["written"] < 1 and time.time() < end:
            time.sleep(0.1)
        os.rename(ops.cdr_path, ops.cdr_path + ".1")
        d.proc.send_signal(signal.SIGUSR1)
        end = time.time() + 5
        while d.tel.query("/dsbc/cdr")["rotations"] < 1 and \
                time.time() < end:
            time.sleep(0.1)
        # drain with a call up
        uac3 = uac(5074, 3000)
        confirmed(2)
        r = ctl(d, "drain")
        out["drain"] = (r.returncode, r.stdout.strip())
        probe = lambda m, p: subprocess.run(
            ["ip", "netns", "exec", topo.ns["alice"], sys.executable, "-c",
             SIP_PROBE, m, "10.10.1.10", str(p), "10.10.1.1"],
            capture_output=True, text=True, timeout=30).stdout.strip()
        out["options_draining"] = probe("OPTIONS", 5080)
        out["invite_draining"] = probe("INVITE", 5082)
        t0 = time.time()
        r = ctl(d, "drain", "--wait", "--timeout", "20")
        out["wait"] = (r.returncode, r.stdout.strip().splitlines()[-1:],
                       time.time() - t0)
        out["active_after"] = d.tel.query("/dsbc/calls")["active"]
        r = ctl(d, "undrain")
        out["options_after"] = probe("OPTIONS", 5084)
        for p in (uac1, uac3, uas1, uas2):
            p.wait(timeout=40)
        out["rcs"] = [p.returncode for p in (uac1, uac3, uas1, uas2)]
        out["uas_ok"] = [successful(p.communicate()[0]) for p in
                         (uas1, uas2)]
        calls, _ = settle(d)
        sip = d.tel.query("/dsbc/sip")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        rc = d.stop() if d else 0
        topo.teardown()
    with open(ops.cdr_path + ".1") as f:
        rotated = [json.loads(line) for line in f]
    cdrs = rotated + ops.cdrs()
    out["cdr files"] = (len(rotated), len(cdrs) - len(rotated))
    ops.close()
    for k, v in out.items():
        print("  %s: %s" % (k, v))
    eq(rc, 0, "dsbc exit status")
    check(out["refused"][0] == 1 and "flow_capacity" in out["refused"][1]
          and "restart" in out["refused"][1], "reload refused, naming "
          "the key: %s" % (out["refused"],))
    check(out["reload"][0] == 0 and "reloaded: 1 routes" in out["reload"][1],
          "reload applied: %s" % (out["reload"],))
    eq(out["uac2"], 0, "the call after the reload")
    eq(out["rcs"], [0, 0, 0, 0], "sipp exit statuses (calls 1 and 3, "
       "bob on 5060 and 5062)")
    eq(out["uas_ok"], [1, 2], "calls bob answered on 5060 (before the "
       "reload), on 5062 (after)")
    eq(out["options_draining"], "status 503 Retry-After: 60",
       "OPTIONS while draining")
    eq(out["invite_draining"], "status 503", "INVITE while draining")
    check(out["wait"][0] == 0 and out["wait"][1] == ["drained"] and
          out["wait"][2] > 1.0, "drain --wait returned once the call "
          "ended: %s" % (out["wait"],))
    eq(out["active_after"], 0, "no call left after drain --wait")
    eq(out["options_after"], "status 200", "OPTIONS after undrain")
    eq(sip["drain_refused"], 2, "refusals counted while draining")
    eq(out["cdr files"], (1, calls["ended"] - 1), "records before SIGUSR1 "
       "in the moved file (call 2), the rest in the new one")
    # the records say where each call's B leg went
    eq([(c["route"], c["b"]["peer"], c["reason"]) for c in
        sorted(cdrs, key=lambda c: c["id"]) if c["answer"]],
       [(0, "10.10.2.20:5060", "bye_a"), (0, "10.10.2.20:5062", "bye_a"),
        (0, "10.10.2.20:5062", "bye_a")], "answered calls' records, "
       "first call first")
    check_cdrs(cdrs, calls["ended"])


def test_100_parallel_calls():
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_p.xml"),
                   MEDIA="", HOLD_MS="3000", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_p.xml"))
    r = run_call("par", uac, uas, calls=100, rate=100, limit=100)
    sipp_ok(r)
    eq(r["calls"]["answered"], 100, "answered calls")


def test_full_control_and_event_rings():
    """Fault: the control ring (management -> worker) and the event ring
    (workers -> management) at their smallest (64) while 300 calls at
    300/s program and remove their flows, the worker napping 100 ms
    whenever it finds nothing to do (a stalled worker; idle_sleep_us at
    its largest), so flow messages pile up behind it and its
    acknowledgements come in bursts.  The rings fill; messages wait
    in the management lcore's backlog and events in the worker's, and
    every call still completes with every flow installed and removed:
    nothing lost (no backlog overflow, no event lost), nothing left."""
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_rf.xml"),
                   MEDIA="", HOLD_MS="1000", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_rf.xml"))
    r = run_call("rings", uac, uas, calls=300, rate=300, limit=300,
                 dsbc_extra="ctrl_ring_size = 64\nevent_ring_size = 64\n"
                            "idle_polls = 1\nidle_sleep_us = 100000\n")
    st = r["stats"]
    print("  ctrl_enq_fail %d ctrl_backlog_overflow %d event_enq_fail %d "
          "events_lost %d; flows installed %d removed %d" % (
              st["ctrl_enq_fail"], st["ctrl_backlog_overflow"],
              st["event_enq_fail"], st["events_lost"],
              st["flows_installed"], st["flows_removed"]))
    sipp_ok(r)
    eq(r["calls"]["answered"], 300, "answered calls")
    check_ge(st["ctrl_enq_fail"], 1, "the control ring filled")
    check_ge(st["event_enq_fail"], 1, "the event ring filled")
    eq(st["ctrl_backlog_overflow"], 0, "no control message lost")
    eq(st["events_lost"], 0, "no event lost")
    eq(r["calls"]["flow_errors"], 0, "no flow refused")


def test_calls_with_loss():
    """20 calls with 10% of SIP messages lost at both peers (sipp -lost:
    this kernel has no netem); retransmissions on every side must still
    complete every call and leave nothing behind."""
    # A hangs up after 8 s: a lost ACK gets four 2xx retransmissions from
    # B to be repeated before A's BYE can overtake it (sipp's UAS cannot
    # take a BYE before its ACK).
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_l.xml"),
                   MEDIA="", HOLD_MS="8000", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_l.xml"))
    r = run_call("loss", uac, uas, calls=20, rate=10, limit=20,
                 extra_uac=["-lost", "10"], extra_uas=["-lost", "10"])
    # Rarely (about one run in twenty here) sipp's loss emulation leaves a
    # UAS call that never answers dsbc's INVITE nor its retransmissions
    # (no response from B reaches dsbc: /dsbc/sip shows no refused or
    # unmatched message).  dsbc must then do what RFC 3261 says: Timer B
    # (32 s), 408 to A, call, flows and ports freed (run_call checks
    # those).  Every other call must complete.
    t = r["calls"]["timeouts"]
    check(t <= 1, "at most one call unanswered by sipp's UAS: %d" % t)
    eq(r["calls"]["answered"] + t, 20, "answered calls, or timed out")
    eq(r["uac_ok"], 20 - t, "calls successful at A")
    eq(r["sip"]["tx_4xx"], t, "a 408 to A for each timed-out call")
    if t == 0:
        eq(r["uac_rc"], 0, "sipp UAC exit status (%s)" % r["uac_err"][-400:])
        eq(r["uas_ok"], 20, "calls successful at B (%s)" %
           r["uas_err"][-1500:])

# SEND: the UDP payloads in a hex file (one a line) sent from SPORT to
# DST:DPORT 10 ms apart.  RECV: what arrives on PORT for WAIT seconds,
# written as hex lines to OUT; prints "received N".
SEND = r"""
import socket, sys, time
path, sport, dst, dport = sys.argv[1:5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sport)))
for line in open(path):
    s.sendto(bytes.fromhex(line.strip()), (dst, int(dport)))
    time.sleep(0.01)
"""
RECV = r"""
import socket, sys, time
port, wait, out = sys.argv[1:4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(port)))
s.settimeout(0.1)
got = []
end = time.time() + float(wait)
while time.time() < end:
    try:
        got.append(s.recvfrom(4096)[0].hex())
    except socket.timeout:
        pass
open(out, "w").write("\n".join(got) + "\n")
print("received %d" % len(got))
"""


def test_terminate_tx_checksum_offload():
    """Terminated SRTP leaves by a port whose driver computes UDP
    checksums (net_tap, TX checksum offload): dsbc asks the driver for it
    (RTE_MBUF_F_TX_UDP_CKSUM) instead of summing the new payload.  Bob is
    the tap's kernel side, moved into his namespace; his kernel checks
    every UDP checksum and drops a wrong one (without the flag all 50
    arrive wrong), so each datagram his socket gets proves one; their SRTP
    must unprotect with bob's key to alice's clear packets.  net_tap sums
    the pseudo header itself; the one dsbc leaves for a NIC is checked in
    tests/unit/test_net.c (test_rewrite_payload)."""
    out = os.path.abspath("out/system/txcsum")
    os.makedirs(out, exist_ok=True)
    gen = os.path.join(BUILD, "app/dsbc-gen/dsbc-gen")
    suite = "AES_CM_128_HMAC_SHA1_80"
    ka = suite + ":" + base64.b64encode(os.urandom(30)).decode()
    kb = suite + ":" + base64.b64encode(os.urandom(30)).decode()
    frames = {}
    for name, extra in (("srtp", ["--srtp", ka]), ("plain", [])):
        path = os.path.join(out, name + ".pcap")
        r = subprocess.run([gen, "--pcap-out", path, "--kind", "rtp",
                            "--count", "50", "--size", "172", "--ssrc",
                            "0x77", "--flow",
                            "10.10.1.10:40000-10.10.1.1:20000",
                            "--src-mac", "02:00:00:00:0a:10", "--dst-mac",
                            "02:00:00:00:0a:01"] + extra,
                           capture_output=True, text=True)
        eq(r.returncode, 0, "dsbc-gen: " + r.stderr)
        frames[name] = pcap_read(path)
    with open(os.path.join(out, "send.hex"), "w") as f:
        f.write("".join(fr[42:].hex() + "\n" for fr in frames["srtp"]))
    topo = Topology("x")
    topo.setup()
    tap = "dt%d" % (os.getpid() % 10000)
    bns = "bobtap-%d" % (os.getpid() % 10000)
    d = None
    try:
        conf = os.path.join(out, "dsbc.conf")
        with open(conf, "w") as f:
            f.write("""[dsbc]
idle_sleep_us = 200
arp_retry_ms = 100
srtp_engine = cryptodev
drivers_cfg_dir = drivers-cfg
[port.0]
dev = net_af_packet0,iface=%s,qpairs=2
mac = 02:00:00:00:0a:01
ipv4 = 10.10.1.1/24
[port.1]
dev = net_tap0,iface=%s
rx_queues = 2
mac = 02:00:00:00:0b:01
ipv4 = 10.10.2.1/24
[flow.0]
local = 10.10.1.1:20000
remote = 10.10.2.20:30000
out_local = 10.10.2.1:20002
mode = terminate
latch = off
srtp_rx = %s
srtp_tx = %s
""" % (topo.host_if["alice"], tap, ka, kb))
        d = Dsbc(BUILD, conf, "dsbc-sys-txcsum", lcores="0-1")
        d.wait_ready()
        ports = d.tel.query("/dsbc/ports")
        # the tap's kernel side becomes bob
        sh("ip", "netns", "add", bns)
        sh("ip", "link", "set", tap, "netns", bns)
        nsx = ["ip", "netns", "exec", bns]
        sh(*nsx, "ip", "link", "set", "lo", "up")
        sh(*nsx, "ip", "link", "set", tap, "address", "02:00:00:00:0b:20")
        sh(*nsx, "ip", "link", "set", tap, "up")
        sh(*nsx, "ip", "addr", "add", "10.10.2.20/24", "dev", tap)
        bob = subprocess.Popen(nsx + ["python3", "-c", RECV, "30000", "4",
                                      os.path.join(out, "recv.hex")],
                               stdout=subprocess.PIPE, text=True)
        # dsbc resolves bob (its next hop) by ARP once he is up
        deadline = time.time() + 5
        while d.stats()["mgmt_arp_learned"] < 1 and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        alice = topo.run("alice", ["python3", "-c", SEND,
                                   os.path.join(out, "send.hex"), "40000",
                                   "10.10.1.1", "20000"])
        alice.wait(timeout=30)
        b_out = bob.communicate(timeout=30)[0].strip()
        snmp = sh(*nsx, "cat", "/proc/net/snmp").stdout
        st = d.stats()
    finally:
        rc = d.stop() if d else 0
        sh("ip", "netns", "del", bns, check=False)
        topo.teardown()
    print("  bob: " + b_out + "; dsbc: tx=%d unprotected=%d" % (
        st["tx"], st["srtp_cryptodev_ops"]))
    offl = [p.get("tx_udp_cksum_offload") for p in ports.values()
            if isinstance(p, dict)]
    print("  tx_udp_cksum_offload per port: %s" % offl)
    check(1 in offl, "a port with TX checksum offload (net_tap)")
    udp = [l.split() for l in snmp.splitlines() if l.startswith("Udp:")]
    csum_err = int(udp[1][udp[0].index("InCsumErrors")])
    eq(csum_err, 0, "UDP checksum errors in bob's kernel")
    got = [bytes.fromhex(l) for l in
           open(os.path.join(out, "recv.hex")).read().split()]
    eq(len(got), 50, "datagrams bob's kernel accepted")
    gpath = os.path.join(out, "got.pcap")
    pcap_write(gpath, [build_udp("02:00:00:00:0b:01", "02:00:00:00:0b:20",
                                 "10.10.2.1", 20002, "10.10.2.20", 30000, g)
                       for g in got])
    r = subprocess.run([gen, "--check-srtp", kb, "--pcap-out", gpath,
                        "--plain-pcap", os.path.join(out, "plain.pcap")],
                       capture_output=True, text=True)
    print("  " + r.stdout.strip())
    eq(r.returncode, 0, "bob's SRTP unprotects with B (%s)" % r.stderr)
    check("unprotected=50" in r.stdout and "match=50" in r.stdout,
          "50 packets, each alice's clear packet")
    eq(rc, 0, "dsbc exit status")


def test_sigterm_1k_calls():
    """SIGTERM with 1,000 calls up: dsbc ends each with a BYE to both
    legs before it exits (its peers would otherwise hold them until
    their own timers ran out), exits 0, and leaves nothing for the
    sanitizers to report.  alice's and bob's sipp wait for the BYE and
    answer it: every call of both completes.  Their records are all
    written, each with its flows' last counters: 1,000 at once, none
    lost."""
    n = 1000
    topo = Topology("st")
    topo.setup()
    d = None
    out = {}
    ops = OpsCapture("sigterm")
    try:
        conf = os.path.abspath("out/system/sigterm.conf")
        dsbc_conf(topo, conf, "max_calls = 4096\n")
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n" +
                    ops.conf())
        d = Dsbc(BUILD, conf, "dsbc-sys-sigterm", lcores="0-1")
        d.wait_ready()
        uas_xml = uas_scenario(os.path.abspath("out/system/uas_st.xml"))
        uac_xml = scenario("uac_call.xml", os.path.abspath(
            "out/system/uac_st.xml"), MEDIA="", HOLD_MS="0", END_A=RECV_BYE)
        common = ["-nostdin", "-timeout", "120", "-max_recv_loops", "1000",
                  "-m", str(n)]
        uas = topo.run("bob", ["sipp", "-sf", uas_xml, "-i", "10.10.2.20",
                               "-p", "5060", "-mp", "6000"] + common,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
        time.sleep(0.5)
        uac = topo.run("alice", ["sipp", "-sf", uac_xml, "-i", "10.10.1.10",
                                 "-p", "5070", "-mp", "7000", "-r", "250",
                                 "-l", str(n), "-s", "bob"] + common +
                       ["10.10.1.1:5060"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            calls = d.tel.query("/dsbc/calls")
            if calls["answered"] >= n and calls["active"] >= n:
                break
            time.sleep(0.2)
        out["before"] = d.tel.query("/dsbc/calls")
        t0 = time.time()
        rc = d.stop()
        out["stop_s"] = time.time() - t0
        d = None
        out["uac"] = uac.communicate(timeout=60)
        out["uas"] = uas.communicate(timeout=60)
        with open("out/dsbc-sys-sigterm.log") as f:
            out["log"] = f.read()
    finally:
        if d is not None:
            d.stop()
        topo.teardown()
    line = re.search(r"stopping: (\d+) calls ended[^\n]*", out["log"])
    print("  active when SIGTERM came %d; exit %d in %.1f s; %s; alice's "
          "calls completed %d, bob's %d" % (
              out["before"]["active"], rc, out["stop_s"],
              line.group(0) if line else "no stopping line",
              successful(out["uac"][0]), successful(out["uas"][0])))
    eq(out["before"]["active"], n, "calls up")
    eq(rc, 0, "dsbc exit status")
    check(line is not None and int(line.group(1)) == n,
          "every call ended on the way out")
    eq(successful(out["uac"][0]), n, "alice got a BYE for every call")
    eq(successful(out["uas"][0]), n, "bob got a BYE for every call")
    cdrs = ops.cdrs()
    ops.close()
    check_cdrs(cdrs, n)
    eq(sorted(set((c["reason"], c["status"], c["a"]["stats"],
                   c["b"]["stats"]) for c in cdrs)),
       [("shutdown", 200, "complete", "complete")],
       "every record: ended by shutdown, answered, every flow counted")


def test_systemd_unit_and_readiness():
    """The systemd units (dist/systemd/dsbc.service and
    dsbc-exporter.service) pass systemd-analyze verify (with this build's
    binary, dsbc-setup and dsbc-ctl in place of the installed paths),
    and dsbc speaks the readiness protocol of Type=notify: with
    $NOTIFY_SOCKET set it sends READY=1 once its ports are up (after its
    "ready" line) and STOPPING=1 on SIGTERM.  systemd itself does not run
    in this environment (no init), so the units are not started here."""
    out = os.path.abspath("out/system/systemd")
    os.makedirs(out, exist_ok=True)
    root = os.path.dirname(os.path.dirname(HERE))
    with open(os.path.join(root, "dist/systemd/dsbc.service")) as f:
        unit = f.read()
    unit = unit.replace("/usr/bin/dsbc", os.path.abspath(
        os.path.join(BUILD, "app/dsbc/dsbc"))).replace(
        "/usr/lib/dsbc/dsbc-setup", os.path.join(root,
                                                 "dist/systemd/dsbc-setup"))
    upath = os.path.join(out, "dsbc.service")
    with open(upath, "w") as f:
        f.write(unit)
    v = subprocess.run(["systemd-analyze", "verify", upath],
                       capture_output=True, text=True)
    # the exporter's unit, with dsbc-ctl from this tree
    with open(os.path.join(root, "dist/systemd/dsbc-exporter.service")) as f:
        unit = f.read()
    check("/usr/bin/dsbc-ctl " in unit, "dsbc-exporter runs /usr/bin/dsbc-ctl")
    epath = os.path.join(out, "dsbc-exporter.service")
    with open(epath, "w") as f:
        f.write(unit.replace("/usr/bin/dsbc-ctl", CTL))
    ve = subprocess.run(["systemd-analyze", "verify", epath],
                        capture_output=True, text=True)
    sock_path = os.path.join(out, "notify.sock")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(30)
    topo = Topology("sd")
    topo.setup()
    d = None
    got = []
    try:
        conf = os.path.join(out, "dsbc.conf")
        dsbc_conf(topo, conf)
        os.environ["NOTIFY_SOCKET"] = sock_path
        try:
            d = Dsbc(BUILD, conf, "dsbc-sys-systemd", lcores="0-1")
        finally:
            del os.environ["NOTIFY_SOCKET"]
        got.append(sock.recv(4096).decode())
        ready_logged = "ready:" in d.output()
        rc = d.stop()
        d = None
        got.append(sock.recv(4096).decode())
    finally:
        if d is not None:
            d.stop()
        topo.teardown()
        sock.close()
    print("  systemd-analyze verify: rc %d %s; notify: %s; exit %d" % (
        v.returncode, (v.stdout + v.stderr).strip() or "(nothing said)",
        " | ".join(x.replace("\n", ", ") for x in got), rc))
    print("  systemd-analyze verify dsbc-exporter.service: rc %d %s" % (
        ve.returncode, (ve.stdout + ve.stderr).strip() or "(nothing said)"))
    # why the unit itself is not started here: systemctl needs systemd as
    # the init process, and this machine's PID 1 is something else
    with open("/proc/1/comm") as f:
        init = f.read().strip()
    print("  unit not started by systemd: PID 1 is %r, not systemd (%s); "
          "READY=1 checked over the NOTIFY_SOCKET protocol instead" % (
              init, "a container without init" if init != "systemd" else
              "systemd is there, but starting the unit would take this "
              "machine's hugepages and ports"))
    eq(v.returncode, 0, "systemd-analyze verify")
    eq((v.stdout + v.stderr).strip(), "", "no warning from verify")
    eq((ve.returncode, (ve.stdout + ve.stderr).strip()), (0, ""),
       "systemd-analyze verify dsbc-exporter.service")
    check(got[0].startswith("READY=1\n") and "MAINPID=" in got[0],
          "READY=1 first")
    check(ready_logged, "after the ports were up")
    eq(got[1], "STOPPING=1", "STOPPING=1 on SIGTERM")
    eq(rc, 0, "dsbc exit status")


def rss_kb(pid):
    """dsbc's resident memory outside DPDK's heap.  With hugepages the
    heap is hugetlbfs, which VmRSS leaves out; with --no-huge -m N it is
    one anonymous mapping of N MiB, whose pages fault in as DPDK hands
    them out (flow index blocks per media address): the memory was
    reserved at start either way, so that mapping's resident part is
    taken out here too."""
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    m = re.search(r"--no-huge -m (\d+)", os.environ.get(
        "DSBC_EAL_MEM", "--no-huge -m 1024"))
    if m is None:
        return rss
    heap_kb, size, heap_rss = int(m.group(1)) * 1024, None, 0
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            if line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("Rss:") and size == heap_kb:
                heap_rss += int(line.split()[1])
    return rss - heap_rss


def test_20k_concurrent_calls():
    """20,000 calls held at once (sipp, 1,000 calls/s, each up for 25 s,
    then ended by A: all 20,000 are up from 20 s to 25 s).  Media addresses come from a prefix on each side
    (the port range alone has 5,000 pairs per address).  Calls, flows and
    media ports go back to where they were, and dsbc's resident memory
    does not grow once the first 1,000 calls are up: its tables are sized
    in config and touched at start, a confirmed call holds no message."""
    n = 20000
    uac = scenario("uac_call.xml", os.path.abspath("out/system/uac_20k.xml"),
                   MEDIA="", HOLD_MS="25000", END_A=A_BYE)
    uas = uas_scenario(os.path.abspath("out/system/uas_20k.xml"))
    topo = Topology("cc")
    topo.setup()
    d = None
    rss_1k = rss_peak = peak = 0
    try:
        conf = os.path.abspath("out/system/cc20k.conf")
        dsbc_conf(topo, conf, "max_calls = 21000\n"
                  "max_transactions = 262144\nflow_capacity = 131072\n"
                  "flow_idle_ms = 600000\nsip_rate_pps = 0\n"
                  "media_port_min = 20000\nmedia_port_max = 29999\n")
        with open(conf) as f:
            text = f.read()
        text = text.replace("ipv4 = 10.10.1.1/24\n",
                            "ipv4 = 10.10.1.1/24\nmedia_ipv4 = 10.10.1.128/25\n")
        text = text.replace("ipv4 = 10.10.2.1/24\n",
                            "ipv4 = 10.10.2.1/24\nmedia_ipv4 = 10.10.2.128/25\n")
        with open(conf, "w") as f:
            f.write(text + "[route.0]\nnext_hop = 10.10.2.20:5060\n")
        # under AddressSanitizer freed memory waits in a quarantine
        # (256 MiB) before reuse: RSS would grow with every message freed
        asan = os.environ.get("ASAN_OPTIONS")
        if asan is not None:
            os.environ["ASAN_OPTIONS"] = asan + ":quarantine_size_mb=0"
        try:
            d = Dsbc(BUILD, conf, "dsbc-sys-cc20k", lcores="0-1")
        finally:
            if asan is not None:
                os.environ["ASAN_OPTIONS"] = asan
        d.wait_ready()
        before = d.tel.query("/dsbc/calls")
        common = ["-m", str(n), "-nostdin", "-timeout", "400",
                  "-timeout_error", "-max_recv_loops", "2000"]
        uas_p = topo.run("bob", ["sipp", "-sf", uas, "-i", "10.10.2.20",
                                 "-p", "5060", "-mp", "6000"] + common,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        time.sleep(0.5)
        uac_out_f = open("out/system/cc20k.uac.out", "w+")
        uac_err_f = open("out/system/cc20k.uac.err", "w+")
        uac_p = topo.run(
            "alice", ["sipp", "-sf", uac, "-i", "10.10.1.10", "-p", "5070",
                      "-mp", "7000", "-r", "1000", "-l", str(n), "-s", "bob"] +
            common + ["10.10.1.1:5060"],
            stdout=uac_out_f, stderr=uac_err_f, text=True)
        deadline = time.time() + 400
        while uac_p.poll() is None and time.time() < deadline:
            active = d.tel.query("/dsbc/calls")["active"]
            rss = rss_kb(d.proc.pid)
            if active >= 1000 and rss_1k == 0:
                rss_1k = rss
            if active >= peak:
                peak, rss_peak = active, rss
            time.sleep(0.5)
        if uac_p.poll() is None:
            uac_p.kill()
        uac_p.wait()
        uac_out_f.seek(0)
        uac_out = uac_out_f.read()
        uac_err_f.seek(0)
        uac_err = uac_err_f.read()
        try:
            uas_out = uas_p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            uas_p.kill()
            uas_out = uas_p.communicate()
        calls_now, st = settle(d, timeout=30)
        rss_end = rss_kb(d.proc.pid)
    finally:
        rc = d.stop() if d else 0
        topo.teardown()
    print("  peak %d calls held; RSS %d MiB at 1,000 calls, %d MiB at the "
          "peak, %d MiB after; %d flows installed, %d removed" % (
              peak, rss_1k // 1024, rss_peak // 1024, rss_end // 1024,
              st["flows_installed"], st["flows_removed"]))
    print("  calls: " + " ".join("%s=%s" % (k, v) for k, v in
                                 calls_now.items() if k not in ("ids",
                                                                "terminated_ids")))
    eq(uac_p.returncode, 0, "sipp UAC exit status (%s)" % uac_err[-300:])
    eq(successful(uac_out), n, "calls sipp completed")
    eq(peak, n, "calls held at once")
    eq(calls_now["answered"], n, "calls answered")
    eq(calls_now["active"], 0, "calls left")
    eq(calls_now["media_port_pairs_free"], before["media_port_pairs_free"],
       "media ports back")
    eq(st["flows_installed"] - st["flows_removed"], 2,
       "only the 2 static flows left")
    check(rss_1k > 0, "RSS sampled at 1,000 calls")
    # flat: less than 200 bytes a call held beyond the first 1,000
    check(rss_peak - rss_1k < (n - 1000) * 200 // 1024,
          "RSS grew %d KiB from 1,000 to %d calls" % (rss_peak - rss_1k, n))
    eq(rc, 0, "dsbc exit status")
    _ = uas_out


def check_ge(got, least, what):
    if got < least:
        raise Fail("%s: got %r, want at least %r" % (what, got, least))


TESTS = [test_udp_relay_between_namespaces, test_kernel_exception_path,
         test_sip_tcp_to_udp, test_sip_tcp_refusals, test_overload_floods,
         test_register_digest_nat_call, test_sip_tls_probes,
         test_sip_tls_call_stunnel, test_route_tcp_to_bob,
         test_route_tls_to_bob, test_kamailio_tls_record_route,
         test_trunk_tcp_alias,
         test_trunk_by_tls_client_cert, test_stir_sign_secsipidx_check,
         test_stir_verify_calls, test_large_sip_kernel_fragments,
         test_sip_wss_register_and_call,
         test_browser_jssip_relay, test_browser_jssip_terminate_sdes,
         test_signalling_attacks_while_calling,
         test_sipp_options,
         test_call_bye_from_a_with_rtp, test_call_bye_from_b,
         test_call_early_media, test_call_reinvite,
         test_call_media_inactivity, test_call_prack, test_call_ice_lite,
         test_routing_by_user_prefix, test_dtls_srtp_relay_openssl,
         test_dtls_srtp_relay_openssl_signed,
         test_dtls_before_the_answer, test_dtls_srtp_terminate_openssl,
         test_dtls_terminate_wrong_fingerprint,
         test_dtls_terminate_weak_fingerprint, test_dtls_terminate_faults,
         test_terminate_hold_expires,
         test_terminate_sdes_rekey, test_terminate_sdes_rekey_refused,
         test_terminate_mux_rtcp_port_keyless,
         test_terminate_early_mux_flip_refused,
         test_terminate_rtcp_mux_change_refused,
         test_baresip_dtls_to_sdes_terminate,
         test_baresip_sdes_to_dtls_terminate,
         test_media_attacks_aware, test_rtcp_mux_interworking,
         test_baresip_dtls_ice_relay, test_baresip_dtls_ice_aware,
         test_baresip_ipv6_tls_no_neighbours,
         test_baresip_dual_stack_ipv6_sip_ipv4_media,
         test_baresip_register_tls_digest_nat_call,
         test_call_cancel,
         test_call_busy, test_reload_and_drain,
         test_100_parallel_calls, test_full_control_and_event_rings,
         test_link_down_up_mid_call, test_dtls_peer_stops_mid_handshake,
         test_sip_peer_vanishes_mid_transaction,
         test_calls_with_loss,
         test_terminate_tx_checksum_offload, test_20k_concurrent_calls,
         test_sigterm_1k_calls, test_systemd_unit_and_readiness]


def main():
    global BUILD
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k")
    args = ap.parse_args()
    BUILD = args.build
    os.makedirs("out/system", exist_ok=True)
    why = have_netns()
    if why:
        print("system tests need network namespaces: " + why)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for t in TESTS:
        if args.k and args.k not in t.__name__:
            continue
        t0 = time.time()
        try:
            t()
            passed += 1
            print("PASS %s (%.1fs)" % (t.__name__, time.time() - t0))
        except Exception as e:  # noqa: BLE001
            failed += 1
            print("FAIL %s: %s" % (t.__name__, e))
            if not isinstance(e, Fail):
                traceback.print_exc()
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
