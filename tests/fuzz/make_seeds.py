#!/usr/bin/env python3
"""Write the fuzz harnesses' seed corpora (tests/fuzz/corpus/<harness>/):
valid inputs of each parser, so the fuzzers start from what peers send.
Deterministic; run it again after changing it and commit the files.
Regression inputs (crashes found once) are kept beside these by hand."""
import hashlib
import hmac
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

FP = ("sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:"
      "AB:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1")
SDP_DTLS = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=candidate:1 1 udp 2122260223 192.168.1.10 54400 typ host "
    "generation 0\r\n"
    "a=candidate:2 1 udp 1686052607 203.0.113.7 54400 typ srflx raddr "
    "192.168.1.10 rport 54400\r\n"
    "a=candidate:3 1 udp 2122262783 2001:db8::10 54401 typ host\r\n"
    "a=ice-ufrag:Xk3p\r\na=ice-pwd:4nT0tq1xXYqfU0bQk3N+9wFh\r\n"
    "a=ice-options:trickle\r\na=fingerprint:" + FP + "\r\n"
    "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:1001 cname:abc\r\n")
SDP_SDES = (
    "v=0\r\no=alice 2890844526 2890844526 IN IP6 2001:db8::10\r\ns=-\r\n"
    "c=IN IP6 2001:db8::10\r\nt=0 0\r\n"
    "m=audio 49170 RTP/SAVP 0 101\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
    "a=crypto:2 AEAD_AES_128_GCM inline:RXhhbXBsZUtleUV4YW1wbGVTYWx0\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=rtcp:49171\r\n"
    "m=video 0 RTP/AVP 31\r\n")
SDP_PLAIN = ("v=0\r\no=bob 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\n"
             "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
             "a=sendonly\r\n")
IDENTITY = (
    "eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1"
    "IjoiaHR0cDovL3gvc3AucGVtIn0.eyJhdHRlc3QiOiJBIiwiZGVzdCI6eyJ0biI6WyIx"
    "OTk5NTU1MDAwMCJdfSwiaWF0IjoxNzk2NDI4NzE4LCJvcmlnIjp7InRuIjoiMTIxNTU1"
    "NTEyMTIifSwib3JpZ2lkIjoiMTIzNCJ9.2RyXk9jX63qkr6ATv4n8YfAr2Ep8wjWI46s_x"
    "LocqeUqZ0CSlSO2SN1HxVJ52yKHnm2Vw8A2Ag22NrtnBQhEHA;info=<http://x/sp.pem"
    ">;alg=ES256;ppt=shaken")


def sip(first, hdrs, body=""):
    return (first + "\r\n" + "".join(h + "\r\n" for h in hdrs) +
            "Content-Length: %d\r\n\r\n" % len(body.encode()) + body)


def sip_seeds():
    via = "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK776asdhds;rport"
    dlg = ["From: \"Alice\" <sip:+12155551212@example.org;user=phone>;tag=1928",
           "To: <sip:+19995550000@example.net>", "Call-ID: a84b4c76e66710",
           "Max-Forwards: 70"]
    return {
        "invite": sip("INVITE sip:+19995550000@example.net SIP/2.0",
                      [via] + dlg + ["CSeq: 314159 INVITE",
                                     "Contact: <sip:alice@10.0.0.10:5060;ob>",
                                     "Identity: " + IDENTITY,
                                     "Date: Thu, 21 Feb 2002 13:02:03 GMT",
                                     "Supported: 100rel, outbound",
                                     "Route: <sip:p1.example.net;lr>",
                                     "Content-Type: application/sdp"],
                      SDP_DTLS),
        "register": sip("REGISTER sips:example.com SIP/2.0",
                        ["Via: SIP/2.0/TLS [2001:db8::9]:5061;branch="
                         "z9hG4bKnashds7;received=2001:db8::9;alias",
                         "From: <sips:bob@example.com>;tag=a73kszlfl",
                         "To: <sips:bob@example.com>", "Call-ID: 1j9FpLxk3uxtm8tn",
                         "CSeq: 1 REGISTER", "Expires: 600",
                         "Contact: <sips:bob@[2001:db8::9]:5061>;+sip.instance="
                         "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";"
                         "reg-id=1",
                         "Authorization: Digest username=\"bob\", realm="
                         "\"example.com\", nonce=\"abc\", uri=\"sips:example."
                         "com\", response=\"0123\", algorithm=SHA-256, "
                         "qop=auth, nc=00000001, cnonce=\"x\""]),
        "response": sip("SIP/2.0 183 Session Progress",
                        [via, "Record-Route: <sip:p1.example.net;lr>"] + dlg +
                        ["CSeq: 314159 INVITE", "RSeq: 1", "Require: 100rel",
                         "Contact: <sip:bob@10.0.1.20>",
                         "Content-Type: application/sdp"], SDP_SDES),
        "compact": ("OPTIONS sip:dsbc@10.0.0.1 SIP/2.0\r\nv: SIP/2.0/TCP "
                    "10.0.0.10;branch=z9hG4bKk\r\nf: <sip:a@b>;tag=x\r\nt: "
                    "<sip:dsbc@10.0.0.1>\r\ni: c1\r\nCSeq: 2 OPTIONS\r\nl: 0"
                    "\r\n\r\n\r\n\r\n"),
    }


def stun_request(user=b"Xk3p:abcd", pwd=b"fuzzpassword0123456789ab"):
    tid = bytes(range(12))
    attrs = b""

    def attr(t, v):
        return struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)
    attrs += attr(0x0006, user)
    attrs += attr(0x0024, struct.pack("!I", 0x6e7f1eff))
    attrs += attr(0x8029, b"\0" * 8)
    attrs += attr(0x0025, b"")
    hdr = struct.pack("!HHI", 0x0001, len(attrs) + 24, 0x2112A442) + tid
    mac = hmac.new(pwd, hdr + attrs, hashlib.sha1).digest()
    attrs += attr(0x0008, mac)
    hdr = struct.pack("!HHI", 0x0001, len(attrs) + 8, 0x2112A442) + tid
    crc = (zlib.crc32(hdr + attrs) ^ 0x5354554E) & 0xffffffff
    attrs += attr(0x8028, struct.pack("!I", crc))
    return struct.pack("!HHI", 0x0001, len(attrs), 0x2112A442) + tid + attrs


def rtp(seq, ts, ssrc=0x1111, pt=0):
    return struct.pack("!BBHII", 0x80, pt, seq, ts, ssrc) + b"\xd5" * 160


def frames():
    eth = bytes.fromhex("020000000a01020000000b01")
    udp_payload = rtp(1, 160)
    udp = struct.pack("!HHHH", 40000, 20000, 8 + len(udp_payload), 0)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) +
                               len(udp_payload), 1, 0, 64, 17, 0,
                               bytes([10, 0, 0, 10]), bytes([10, 0, 0, 1])))
    s = sum(struct.unpack("!10H", bytes(ip)))
    s = (s & 0xffff) + (s >> 16)
    ip[10:12] = struct.pack("!H", ~s & 0xffff)
    v4 = eth + b"\x08\x00" + bytes(ip) + udp + udp_payload
    arp = eth + b"\x08\x06" + bytes.fromhex(
        "0001080006040001020000000b010a00000a0000000000000a000001")
    ns = bytes.fromhex("87000000" + "00" * 4 + "fd00000a" + "00" * 11 + "01" +
                       "0101020000000b01")
    ip6 = struct.pack("!IHBB16s16s", 0x60000000, len(ns), 58, 255,
                      bytes.fromhex("fd00000a" + "00" * 11 + "10"),
                      bytes.fromhex("ff020000000000000000000000000001"))
    v6 = eth + b"\x86\xdd" + ip6 + ns
    vlan = eth + b"\x81\x00\x00\x64\x08\x00" + bytes(ip) + udp + udp_payload
    return {"udp4": v4, "arp": arp, "ns6": v6, "vlan": vlan}


def dtls_client_hello():
    body = bytes.fromhex("fefd") + b"\x11" * 32 + b"\x00" + b"\x00" + \
        bytes.fromhex("0004c02bc02f") + b"\x01\x00" + bytes.fromhex(
            "000e" + "000e00050002000100" + "000a000400020017")
    hs = struct.pack("!B", 1) + len(body).to_bytes(3, "big") + \
        b"\x00\x00" + b"\x00\x00\x00" + len(body).to_bytes(3, "big") + body
    rec = bytes.fromhex("16feff") + b"\x00\x00" + b"\x00" * 6 + \
        struct.pack("!H", len(hs)) + hs
    return struct.pack("!H", len(rec)) + rec


CONFIG = """[dsbc]
mode = aware
idle_sleep_us = 200
[port.0]
dev = net_pcap0,rx_pcap=/dev/null
ipv4 = 192.0.2.1/24
ipv6 = 2001:db8::1/64
mac = 02:00:00:00:0a:01
exception = tap
[port.1]
dev = net_ring0
ipv4 = 198.51.100.1/24
gateway = 198.51.100.254
[route.0]
user_prefix = +1999
next_hop = 198.51.100.20:5060
transport = tls
tls_name = bob.example.com
stir_verify = mark
[stir]
ca_file = /etc/dsbc/roots.pem
[trunk.0]
addr = 198.51.100.0/24
[flow.0]
local = 192.0.2.1:20000
remote = 198.51.100.20:30000
out_local = 198.51.100.1:20002
"""


def main():
    seeds = {
        "fuzz_sip": sip_seeds(),
        "fuzz_sdp": {"dtls": SDP_DTLS, "sdes": SDP_SDES, "plain": SDP_PLAIN},
        "fuzz_sdes": {
            "cm80": "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPy"
                    "wjNWhcYD0mXXtxaVBR|2^20|1:32",
            "gcm": "2 AEAD_AES_128_GCM inline:RXhhbXBsZUtleUV4YW1wbGVTYWx0"},
        "fuzz_stun": {"valid": b"\x00" + stun_request(),
                      "fix": b"\x01" + stun_request(b"me:you")},
        "fuzz_rtp": {"stream": b"".join(
            struct.pack("!HI", 172, 1000 + 20 * i) + rtp(i, 160 * i)
            for i in range(1, 6)) + struct.pack("!HI", 8, 2000) +
            struct.pack("!BBHI", 0x81, 203, 1, 0x1111)},
        "fuzz_demux": {"rtp": rtp(1, 160), "stun": stun_request(),
                       "dtls": dtls_client_hello()[2:]},
        "fuzz_frame": frames(),
        "fuzz_srtp": {"rtp": rtp(7, 1120) + b"\0" * 10,
                      "rtcp": struct.pack("!BBHI", 0x81, 200, 6, 0x1111) +
                      b"\0" * 20 + b"\x80\0\0\x01" + b"\0" * 10},
        "fuzz_dtls": {"hello": dtls_client_hello()},
        "fuzz_config": {"full": CONFIG, "bom": "\ufeff" + CONFIG},
        "fuzz_stir": {"identity": IDENTITY},
    }
    for harness, files in seeds.items():
        d = os.path.join(HERE, "corpus", harness)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data.encode() if isinstance(data, str) else data)


if __name__ == "__main__":
    main()
