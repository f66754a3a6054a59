# SPDX-License-Identifier: BSD-3-Clause
"""A real WebRTC client for the system tests: headless Chromium (Debian's
chromium) with fake media devices loads a page that uses JsSIP (from
npm, bundled for the browser with esbuild) to register over secure
WebSocket and call.  A small HTTP server in the same namespace serves
the page and collects what it reports (POST /log, POST /result)."""
import json
import os
import subprocess
import sys

JSSIP_VERSION = "3.13.8"

PAGE = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>dsbc JsSIP</title>
<script src="jssip.bundle.js"></script></head><body><script>
const cfg = %(cfg)s;
const post = (path, body) => fetch(path, {method: 'POST', body: body});
const log = m => post('/log', String(m));
const result = r => post('/result', JSON.stringify(r));
async function counters(pc) {
  const st = await pc.getStats();
  let rx = 0, tx = 0, bytes = 0;
  st.forEach(x => {
    if (x.type === 'inbound-rtp' && x.kind === 'audio') {
      rx = x.packetsReceived; bytes = x.bytesReceived;
    }
    if (x.type === 'outbound-rtp' && x.kind === 'audio') tx = x.packetsSent;
  });
  return {rx: rx, tx: tx, rx_bytes: bytes};
}
const ua = new JsSIP.UA({
  sockets: [new JsSIP.WebSocketInterface(cfg.ws)],
  uri: cfg.uri, password: cfg.password, register: true,
  session_timers: false, register_expires: 300,
});
ua.on('registrationFailed', e => result({failed: 'register: ' + e.cause}));
ua.on('registered', () => {
  log('registered');
  const s = ua.call(cfg.target, {
    mediaConstraints: {audio: true, video: false},
    pcConfig: {iceServers: []},
  });
  s.on('failed', e => result({failed: 'call: ' + e.cause}));
  s.on('confirmed', async () => {
    log('confirmed');
    const pc = s.connection;
    await new Promise(r => setTimeout(r, cfg.seconds * 500));
    const a = await counters(pc);
    await new Promise(r => setTimeout(r, cfg.seconds * 500));
    const b = await counters(pc);
    const sdp = pc.remoteDescription ? pc.remoteDescription.sdp : '';
    const ice = pc.iceConnectionState;
    s.terminate();
    await new Promise(r => setTimeout(r, 1000));
    result({first: a, second: b, ice: ice,
            remote_sdp: sdp, local_sdp: pc.localDescription.sdp});
  });
});
ua.start();
</script></body></html>
"""

SERVER = r"""
import http.server, os, sys
root, port = sys.argv[1], int(sys.argv[2])
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        name = {"/log": "log.txt", "/result": "result.json"}.get(self.path)
        if name:
            with open(os.path.join(root, name), "ab") as f:
                f.write(body + (b"\n" if name == "log.txt" else b""))
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def jssip_bundle(out):
    """JsSIP from npm bundled for the browser (window.JsSIP), built once
    into out; returns its path.  Needs npm and the npm registry."""
    path = os.path.join(out, "jssip.bundle.js")
    if os.path.exists(path):
        return path
    work = os.path.join(out, "npm")
    os.makedirs(work, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                    "--silent", "jssip@" + JSSIP_VERSION, "esbuild@0"],
                   cwd=work, check=True, capture_output=True, timeout=300)
    with open(os.path.join(work, "entry.js"), "w") as f:
        f.write('window.JsSIP = require("jssip");\n')
    subprocess.run([os.path.join(work, "node_modules", ".bin", "esbuild"),
                    "entry.js", "--bundle", "--minify",
                    "--outfile=" + path], cwd=work, check=True,
                   capture_output=True, timeout=120)
    return path


def start(topo, who, out, cfg, port=8000):
    """Serve the page from out (its own directory) in who's namespace and
    open it in headless Chromium there.  Returns (server, browser)."""
    os.makedirs(out, exist_ok=True)
    for name in ("log.txt", "result.json"):
        if os.path.exists(os.path.join(out, name)):
            os.unlink(os.path.join(out, name))
    bundle = jssip_bundle(os.path.dirname(out))
    with open(bundle, "rb") as src, \
            open(os.path.join(out, "jssip.bundle.js"), "wb") as dst:
        dst.write(src.read())
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(PAGE % {"cfg": json.dumps(cfg)})
    srv = topo.run(who, [sys.executable, "-c", SERVER, out, str(port)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = os.path.join(out, "profile")
    br = topo.run(who, [
        "chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--user-data-dir=" + profile,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        # dsbc's certificate is the test CA's: the browser cannot know it
        "--ignore-certificate-errors",
        # real host candidates, not mDNS names (RFC 8839 with no mDNS)
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        "http://127.0.0.1:%d/index.html" % port],
        stdout=open(os.path.join(out, "chromium.log"), "w"),
        stderr=subprocess.STDOUT)
    return srv, br


def result(out):
    """The page's result, or None; and its log lines."""
    log = []
    if os.path.exists(os.path.join(out, "log.txt")):
        with open(os.path.join(out, "log.txt")) as f:
            log = f.read().split()
    path = os.path.join(out, "result.json")
    if not os.path.exists(path):
        return None, log
    with open(path) as f:
        text = f.read().strip()
    try:
        return json.loads(text.splitlines()[0]), log
    except (ValueError, IndexError):
        return None, log
