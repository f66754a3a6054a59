#!/usr/bin/env python3
"""RTP/RTCP sender and receiver for the system tests (a peer nobody in
dsbc wrote against: plain sockets, headers packed here from RFC 3550).

send: --bind ip:port --to ip:port [--ssrc N] [--seq N] [--count N]
      [--pps N (0 = as fast as possible)] [--rtcp sr|bye]
recv: --bind ip:port --seconds S  -> prints "received <n> ssrcs=<hex,...>
      rtcp=<n> from=<ip:port,...>"
"""
import argparse
import socket
import struct
import sys
import time


def rtp(ssrc, seq, ts):
    return struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF,
                       ssrc) + b"\xd5" * 160


def rtcp(kind, ssrc):
    if kind == "bye":                    # RFC 3550 6.6, one SSRC
        return struct.pack("!BBHI", 0x81, 203, 1, ssrc)
    # empty SR (6.4.1): header, SSRC, 20 bytes of sender info
    return struct.pack("!BBHI", 0x80, 200, 6, ssrc) + b"\0" * 20


def addr(s):
    ip, port = s.rsplit(":", 1)
    return ip, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("send", "recv"))
    ap.add_argument("--bind", required=True)
    ap.add_argument("--to")
    ap.add_argument("--ssrc", type=lambda v: int(v, 0), default=0x1111)
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--pps", type=int, default=50)
    ap.add_argument("--rtcp", choices=("sr", "bye"))
    ap.add_argument("--seconds", type=float, default=1.0)
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr(a.bind))
    if a.mode == "send":
        to = addr(a.to)
        for i in range(a.count):
            pkt = rtcp(a.rtcp, a.ssrc) if a.rtcp else \
                rtp(a.ssrc, a.seq + i, (a.seq + i) * 160)
            s.sendto(pkt, to)
            if a.pps:
                time.sleep(1.0 / a.pps)
        print("sent %d" % a.count)
        return 0
    s.settimeout(0.2)
    end = time.time() + a.seconds
    n, rtcp_n, ssrcs, srcs = 0, 0, set(), set()
    while time.time() < end:
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            continue
        srcs.add("%s:%d" % src)
        if len(data) >= 8 and 192 <= data[1] <= 223:
            rtcp_n += 1
            continue
        n += 1
        if len(data) >= 12:
            ssrcs.add("%08x" % struct.unpack("!I", data[8:12])[0])
    print("received %d ssrcs=%s rtcp=%d from=%s" % (
        n, ",".join(sorted(ssrcs)) or "-", rtcp_n, ",".join(sorted(srcs)) or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
