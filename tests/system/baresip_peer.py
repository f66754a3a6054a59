# SPDX-License-Identifier: BSD-3-Clause
"""baresip (Debian baresip-core) as a DTLS-SRTP + ICE user agent for the
system tests and the demo: a config directory per UA and the parse of the
rtcpsummary module's line (printed when the far end hangs up)."""
import os
import re
import subprocess
import time

MODULES = ("g711", "ausine", "aubridge", "dtls_srtp", "ice", "srtp",
           "rtcpsummary")


def write_config(path, sip_addr, user, rtp_ports, answer=False,
                 mediaenc="dtls_srtp", ice=True, rtcp_mux=False, extra=(),
                 account=None):
    """A baresip config dir at path: a sine source (ausine wants 48 kHz
    stereo), a player that goes nowhere (aubridge), PCMU, no registrar
    unless account (the AoR and its parameters: what precedes the media
    ones on the accounts line) says so."""
    os.makedirs(path, exist_ok=True)
    lines = [
        "poll_method\tepoll",
        "sip_listen\t%s" % sip_addr,
        "audio_player\taubridge,nowhere_%s" % user,
        "audio_alert\taubridge,nowhere_%s" % user,
        "audio_source\tausine,440",
        "ausrc_srate\t48000", "auplay_srate\t48000",
        "ausrc_channels\t2", "auplay_channels\t2",
        "rtp_ports\t%d-%d" % rtp_ports,
        "rtcp_mux\t%s" % ("yes" if rtcp_mux else "no"),
        "module_path\t/usr/lib/baresip/modules",
    ] + ["module\t%s.so" % m for m in MODULES] + [
        "module_app\taccount.so", "module_app\tmenu.so",
    ] + list(extra)
    with open(os.path.join(path, "config"), "w") as f:
        f.write("\n".join(lines) + "\n")
    host = sip_addr.rsplit(":", 1)[0]
    params = ["regint=0", "mediaenc=%s" % mediaenc, "audio_codecs=PCMU"]
    if ice:
        params.append("medianat=ice")
    if answer:
        params.append("answermode=auto")
    if account is not None:
        params = [p for p in params if not p.startswith("regint=")]
    with open(os.path.join(path, "accounts"), "w") as f:
        f.write("%s;%s\n" % (account or "<sip:%s@%s>" % (
            user, sip_addr if answer else host), ";".join(params)))
    return path


def summary(text):
    """rtcpsummary's EX= line as a dict: PR/PS packets received/sent,
    PL lost (rx, tx), JI jitter ms (rx, tx); None when absent."""
    m = re.search(r"EX=BareSip;CS=\d+;CD=(\d+);PR=(\d+);PS=(\d+);"
                  r"PL=(-?\d+),(-?\d+);PD=-?\d+,-?\d+;JI=([\d.]+),([\d.]+);",
                  text)
    if not m:
        return None
    return {"duration": int(m.group(1)), "rx": int(m.group(2)),
            "tx": int(m.group(3)), "lost_rx": int(m.group(4)),
            "lost_tx": int(m.group(5)), "jitter_rx_ms": float(m.group(6)),
            "jitter_tx_ms": float(m.group(7))}


def start_call(topo, out, seconds, alice=("dtls_srtp", True, False),
               bob=("dtls_srtp", True, False), alice_sip="10.10.1.10:5070",
               bob_sip="10.10.2.20:5060", dial="sip:bob@10.10.1.1",
               alice_extra=(), args=()):
    """bob (10.10.2.20:5060, auto-answer) and alice (10.10.1.10:5070) in
    their namespaces of topo; alice dials bob through dsbc (10.10.1.1) and
    quits, hanging up, after seconds + 3 s; bob quits 7 s later.  alice
    and bob are (mediaenc, ICE on, rtcp-mux on).  Returns the two
    processes and their
    log files (name -> file, w+)."""
    a = write_config(os.path.join(out, "alice"), alice_sip, "alice",
                     (30000, 30019), mediaenc=alice[0], ice=alice[1],
                     rtcp_mux=alice[2], extra=alice_extra)
    b = write_config(os.path.join(out, "bob"), bob_sip, "bob",
                     (32000, 32019), answer=True, mediaenc=bob[0],
                     ice=bob[1], rtcp_mux=bob[2])
    logs = {w: open(os.path.join(out, w + ".log"), "w+")
            for w in ("alice", "bob")}
    bob_p = topo.run("bob", ["baresip", "-f", b, "-t", str(seconds + 10)] +
                     list(args),
                   stdout=logs["bob"], stderr=subprocess.STDOUT)
    time.sleep(1)
    alice_p = topo.run("alice", ["baresip", "-f", a, "-e",
                               "/dial " + dial,
                               "-t", str(seconds + 3)] + list(args),
                     stdout=logs["alice"], stderr=subprocess.STDOUT)
    return alice_p, bob_p, logs
