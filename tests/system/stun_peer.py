#!/usr/bin/env python3
"""A minimal ICE peer for the system tests: sends one STUN Binding request
(RFC 8489) with USERNAME, optional USE-CANDIDATE, MESSAGE-INTEGRITY and
FINGERPRINT from a given local address to dsbc, and reports the answer,
checked independently of dsbc's code (Python's hmac and zlib).  Can also
send plain RTP from the same socket afterwards.

Prints one line: "reply ok mapped=<ip>:<port>", "reply bad <why>" or
"no reply"; exit status 0 in every case but a usage error."""
import argparse
import hmac
import hashlib
import os
import socket
import struct
import sys
import zlib

COOKIE = 0x2112A442


def attr(t, v):
    pad = (4 - len(v) % 4) % 4
    return struct.pack("!HH", t, len(v)) + v + b"\0" * pad


def request(user, pwd, use_candidate, txid):
    body = attr(0x0006, user.encode())
    body += attr(0x0024, struct.pack("!I", 0x6E0001FF))      # PRIORITY
    body += attr(0x802A, os.urandom(8))                      # ICE-CONTROLLING
    if use_candidate:
        body += attr(0x0025, b"")
    # MESSAGE-INTEGRITY: length counts up to and including it (14.5)
    hdr = struct.pack("!HHI", 0x0001, len(body) + 24, COOKIE) + txid
    mac = hmac.new(pwd.encode(), hdr + body, hashlib.sha1).digest()
    body += attr(0x0008, mac)
    hdr = struct.pack("!HHI", 0x0001, len(body) + 8, COOKIE) + txid
    crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
    body += attr(0x8028, struct.pack("!I", crc))
    return hdr + body


def check_reply(data, pwd, txid):
    if len(data) < 20:
        return "short"
    typ, length, cookie = struct.unpack("!HHI", data[:8])
    if typ != 0x0101 or cookie != COOKIE or data[8:20] != txid:
        return "not a success for our transaction"
    if length + 20 != len(data):
        return "length"
    off, mapped, mi_ok, fp_ok = 20, None, False, False
    while off + 4 <= len(data):
        t, l = struct.unpack("!HH", data[off:off + 4])
        v = data[off + 4:off + 4 + l]
        if t == 0x0020 and v[1] == 1:
            port = struct.unpack("!H", v[2:4])[0] ^ (COOKIE >> 16)
            ip = struct.unpack("!I", v[4:8])[0] ^ COOKIE
            mapped = "%s:%d" % (socket.inet_ntoa(struct.pack("!I", ip)), port)
        elif t == 0x0008:
            h = bytearray(data[:off])
            struct.pack_into("!H", h, 2, off + 24 - 20)
            mi_ok = hmac.compare_digest(
                hmac.new(pwd.encode(), bytes(h), hashlib.sha1).digest(), v)
        elif t == 0x8028:
            fp_ok = struct.unpack("!I", v)[0] == \
                (zlib.crc32(data[:off]) ^ 0x5354554E) & 0xFFFFFFFF
        off += 4 + (l + 3) // 4 * 4
    if not mi_ok:
        return "MESSAGE-INTEGRITY"
    if not fp_ok:
        return "FINGERPRINT"
    return "ok mapped=%s" % mapped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True, help="ip:port")
    ap.add_argument("--to", required=True, help="ip:port")
    ap.add_argument("--user", required=True)
    ap.add_argument("--pwd", required=True)
    ap.add_argument("--use-candidate", action="store_true")
    ap.add_argument("--rtp", type=int, default=0,
                    help="RTP packets to send after the check")
    a = ap.parse_args()
    bip, bport = a.bind.rsplit(":", 1)
    tip, tport = a.to.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((bip, int(bport)))
    s.settimeout(1.0)
    txid = os.urandom(12)
    s.sendto(request(a.user, a.pwd, a.use_candidate, txid), (tip, int(tport)))
    try:
        data, _ = s.recvfrom(2048)
        r = check_reply(data, a.pwd, txid)
        print(("reply " + r) if r.startswith("ok") else ("reply bad " + r))
    except socket.timeout:
        print("no reply")
    for i in range(a.rtp):
        s.sendto(struct.pack("!BBHII", 0x80, 0, i, i * 160, 0x1234) +
                 b"\xff" * 160, (tip, int(tport)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
