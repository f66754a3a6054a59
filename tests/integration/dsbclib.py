# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for driving the real dsbc binary in tests: pcap files, packet
decoding with independent checksum verification, the DPDK telemetry socket,
and a runner that starts dsbc on net_pcap vdevs and stops it with SIGTERM."""

import ipaddress
import json
import os
import re
import signal
import socket
import struct
import subprocess
import time

PCAP_MAGIC = 0xA1B2C3D4


# ---- pcap -----------------------------------------------------------------

class Fail(Exception):
    """A test's assertion failed (as opposed to an error in the test)."""


def check(cond, what):
    if not cond:
        raise Fail(what)


def eq(got, want, what):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


def pcap_read(path):
    """Frames (bytes) of a classic pcap file, in order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (PCAP_MAGIC, 0xA1B23C4D) else ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frames.append(data[off:off + incl])
        off += incl
    return frames


def pcap_write(path, frames, usec_step=20000):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            t = i * usec_step
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000,
                                len(fr), len(fr)))
            f.write(fr)


# ---- packets --------------------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def build_udp(src_mac, dst_mac, src, sport, dst, dport, payload, vlan=0,
              tos=0, ttl=64, udp_csum=True):
    """An Ethernet/IPv4-or-IPv6/UDP frame with correct checksums."""
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    ulen = 8 + len(payload)
    if s.version == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + ulen, 0, 0x4000,
                         ttl, 17, 0, s.packed, d.packed)
        ip = ip[:10] + struct.pack("!H", 0xFFFF - csum(ip)) + ip[12:]
        pseudo = s.packed + d.packed + struct.pack("!BBH", 0, 17, ulen)
        etype = 0x0800
    else:
        ip = struct.pack("!IHBB16s16s", 0x60000000 | (tos << 20), ulen, 17,
                         ttl, s.packed, d.packed)
        pseudo = s.packed + d.packed + struct.pack("!IxxxB", ulen, 17)
        etype = 0x86DD
    udp = struct.pack("!HHHH", sport, dport, ulen, 0)
    c = 0
    if udp_csum:
        c = 0xFFFF - csum(pseudo + udp + payload)
        c = c or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c)
    l2 = mac_bytes(dst_mac) + mac_bytes(src_mac)
    if vlan:
        l2 += struct.pack("!HH", 0x8100, vlan)
    return l2 + struct.pack("!H", etype) + ip + udp + payload


def fragment4(frame, mtu):
    """Split an untagged Ethernet/IPv4 frame into RFC 791 fragments whose
    IP packets are at most mtu bytes (offsets in 8-byte units)."""
    l2, ip = frame[:14], frame[14:]
    ihl = (ip[0] & 0xF) * 4
    hdr, data = ip[:ihl], ip[ihl:]
    step = (mtu - ihl) // 8 * 8
    out = []
    for off in range(0, len(data), step):
        chunk = data[off:off + step]
        more = off + step < len(data)
        h = bytearray(hdr)
        struct.pack_into("!HHH", h, 2, ihl + len(chunk), 0x1234,
                         (0x2000 if more else 0) | (off // 8))
        struct.pack_into("!H", h, 10, 0)
        struct.pack_into("!H", h, 10, 0xFFFF - csum(bytes(h)))
        out.append(l2 + bytes(h) + chunk)
    return out


def reassemble4(frames):
    """IPv4 fragments (any order) back into (src, dst, UDP payload)."""
    parts, total, first = {}, None, None
    for f in frames:
        ip = f[14:]
        ihl = (ip[0] & 0xF) * 4
        fo = struct.unpack("!H", ip[6:8])[0]
        tot = struct.unpack("!H", ip[2:4])[0]
        check_ok = csum(ip[:ihl]) == 0xFFFF
        if not check_ok:
            raise ValueError("fragment with a bad IPv4 header checksum")
        off = (fo & 0x1FFF) * 8
        parts[off] = ip[ihl:tot]
        if not fo & 0x2000:
            total = off + tot - ihl
        if off == 0:
            first = ip
    data = b"".join(parts[k] for k in sorted(parts))
    if total is None or len(data) != total:
        raise ValueError("fragments do not cover the datagram")
    src = str(ipaddress.ip_address(first[12:16]))
    dst = str(ipaddress.ip_address(first[16:20]))
    pseudo = first[12:20] + struct.pack("!BBH", 0, 17, len(data))
    if csum(pseudo + data) != 0xFFFF:
        raise ValueError("reassembled UDP checksum invalid")
    return src, dst, data[8:]


class Frame:
    """Decoded Ethernet/IP/UDP frame; checksums verified independently."""

    def __init__(self, raw):
        self.raw = raw
        self.dst_mac, self.src_mac = mac_str(raw[0:6]), mac_str(raw[6:12])
        off = 12
        self.vlan = 0
        etype = struct.unpack("!H", raw[off:off + 2])[0]
        if etype == 0x8100:
            self.vlan = struct.unpack("!H", raw[14:16])[0] & 0xFFF
            etype = struct.unpack("!H", raw[16:18])[0]
            off = 16
        off += 2
        self.etype = etype
        self.udp = False
        if etype == 0x0800:
            ihl = (raw[off] & 0xF) * 4
            self.version = 4
            self.tos = raw[off + 1]
            self.ttl = raw[off + 8]
            self.proto = raw[off + 9]
            tot = struct.unpack("!H", raw[off + 2:off + 4])[0]
            self.df = bool(raw[off + 6] & 0x40)
            self.ip_csum_ok = csum(raw[off:off + ihl]) == 0xFFFF
            self.src = str(ipaddress.ip_address(raw[off + 12:off + 16]))
            self.dst = str(ipaddress.ip_address(raw[off + 16:off + 20]))
            l4 = off + ihl
            pseudo_addrs = raw[off + 12:off + 20]
            self.ip_len_ok = tot == len(raw) - off
        elif etype == 0x86DD:
            self.version = 6
            self.tos = (struct.unpack("!I", raw[off:off + 4])[0] >> 20) & 0xFF
            plen = struct.unpack("!H", raw[off + 4:off + 6])[0]
            self.proto, self.ttl = raw[off + 6], raw[off + 7]
            self.ip_csum_ok = True
            self.src = str(ipaddress.ip_address(raw[off + 8:off + 24]))
            self.dst = str(ipaddress.ip_address(raw[off + 24:off + 40]))
            l4 = off + 40
            pseudo_addrs = raw[off + 8:off + 40]
            self.ip_len_ok = plen == len(raw) - l4
        else:
            return
        if self.proto != 17:
            return
        self.udp = True
        self.sport, self.dport, ulen, c = struct.unpack("!HHHH",
                                                         raw[l4:l4 + 8])
        self.udp_len_ok = ulen == len(raw) - l4
        self.payload = raw[l4 + 8:l4 + ulen]
        seg = raw[l4:l4 + ulen]
        if self.version == 4:
            pseudo = pseudo_addrs + struct.pack("!BBH", 0, 17, ulen)
        else:
            pseudo = pseudo_addrs + struct.pack("!IxxxB", ulen, 17)
        self.udp_csum_zero = c == 0
        self.udp_csum_ok = (c == 0 and self.version == 4) or \
            csum(pseudo + seg) == 0xFFFF


# ---- telemetry ------------------------------------------------------------

class Telemetry:
    """Client of the DPDK telemetry v2 socket (what dpdk-telemetry.py uses)."""

    def __init__(self, prefix, timeout=10.0):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        info = json.loads(self.sock.recv(16384).decode())
        self.bufsize = info.get("max_output_len", 16384)

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(self.bufsize).decode())
        return reply[cmd.split(",")[0]] if reply else None

    def close(self):
        self.sock.close()


# ---- running dsbc ---------------------------------------------------------

def eal_mem_args():
    mem = os.environ.get("DSBC_EAL_MEM")
    if mem is None:
        mem = "--no-huge -m 1024"
    return mem.split()


class Dsbc:
    """The real dsbc binary on the given config; stop() sends SIGTERM."""

    def __init__(self, build, conf, prefix, lcores="0-1", extra_eal=(),
                 cwd=None):
        self.prefix = prefix
        self.cmd = [os.path.join(build, "app/dsbc/dsbc"), "--no-pci",
                    "--file-prefix", prefix, "--log-level", "user1:info"]
        self.cmd += ["-l", lcores] if "@" not in lcores else \
            ["--lcores", lcores]
        self.cmd += eal_mem_args() + list(extra_eal) + ["--", "-f", conf]
        self.log = open("out/%s.log" % prefix, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=cwd)
        self.tel = None

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dsbc exited %d: %s" % (
                    self.proc.returncode, self.output()))
            if "dsbc: ready" in self.output():
                self.tel = Telemetry(self.prefix)
                return
            time.sleep(0.05)
        raise RuntimeError("dsbc not ready: " + self.output())

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stats(self):
        return self.tel.query("/dsbc/stats")

    def wait_rx(self, n, timeout=20):
        """Wait until dsbc received n frames and its counters settle."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            st = self.stats()
            if st["rx"] >= n and st == last:
                return st
            last = st
            time.sleep(0.2)
        raise RuntimeError("rx stayed at %d of %d" % (last["rx"], n))

    def stop(self, timeout=20):
        if self.tel:
            self.tel.close()
            self.tel = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            # Say where it hangs before killing it.
            bt = subprocess.run(["gdb", "-p", str(self.proc.pid), "-batch",
                                 "-ex", "thread apply all bt 8"],
                                capture_output=True, text=True, timeout=60)
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            frames = [x for x in bt.stdout.splitlines()
                      if x.startswith(("#", "Thread"))]
            raise RuntimeError("dsbc did not stop on SIGTERM; threads:\n" +
                               "\n".join(frames[:60]) + "\nlog tail:\n" +
                               self.output()[-1500:])
        self.log.close()
        return rc


# ---- Prometheus exposition (dsbc-ctl metrics, its exporter) ---------------

def parse_exposition(text):
    """{(name, ((label, value), ...)): float} and {family: type}."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, mtype = line.split(" ", 3)
            types[name] = mtype
            continue
        if not line or line.startswith("#"):
            continue
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        check(m is not None, "exposition line %r" % line)
        labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"',
                                         m.group(2) or "")))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types


def sample(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def promtool(text):
    """promtool check metrics: (exit status, what it said)."""
    try:
        r = subprocess.run(["promtool", "check", "metrics"], input=text,
                           capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise Fail("promtool not found (tests/tools/deps.sh installs the "
                   "prometheus package)")
    return r.returncode, (r.stdout + r.stderr).strip()


def check_promtool(text, what):
    rc, said = promtool(text)
    eq((rc, said), (0, ""), "promtool check metrics on %s" % what)


# ---- dsbc-ctl ----------------------------------------------------------------

CTL = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "app/dsbc-ctl/dsbc-ctl")


def dsbc_ctl(*args, timeout=30):
    """dsbc-ctl from this tree, its output captured."""
    return subprocess.run([CTL] + list(args), capture_output=True, text=True,
                          timeout=timeout)
