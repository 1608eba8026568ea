#!/usr/bin/env python3
"""Figures of the HTTP listener (issue 16), on the published binary. See bench/README.md.

- PSS of an idle node with 500 sleepers: listener off, on (never asked), on after 10 scrapes and a dashboard load.
- /metrics scrape time with 500 processes: the first scrape, then scrapes 1.1 s apart (each on a fresh status
  snapshot, as Prometheus sees them), and the body's size.
- The dashboard in headless Chromium (Debian's, driven through chromedriver's W3C WebDriver API from here):
  page weight (bytes over the wire and decoded) and first contentful paint, in a fresh profile each run.
"""
import argparse, json, os, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as base  # noqa: E402  (the same Node, sleepers, children and wait_for as the other benchmarks)

TOKEN = "0123456789abcdef0123456789abcdef"


def start_node(folder, listener):
    http = ""
    if listener:
        token = os.path.join(folder, "token")
        with open(token, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(token, 0o600)
        http = ', http { listen = "127.0.0.1:0", token-file = "token" }'
    node = base.Node(base.sleepers(500), folder)
    with open(node.conf, "w") as f:
        f.write('actors {\n node { log-dir = "logs", state-dir = "state"%s }\n processes {\n%s\n }\n}\n' % (http, base.sleepers(500)))
    node.start()
    try:
        base.wait_for(lambda: len(base.children(node.proc.pid)) >= 500, 180, step=0.05)
        address = None
        if listener:
            status = subprocess.run([base.ACTORS, "status", "--json", "--socket", os.path.join(folder, "state", "control.sock")],
                                    capture_output=True, text=True, check=True)
            address = json.loads(status.stdout)["node"]["http"]
        return node, address
    except BaseException:
        stop(node)
        raise


def stop(node):
    """SIGTERM and wait: 500 children take a while to stop on a busy machine (run.Node.stop allows 60 s)."""
    if node.proc.poll() is None:
        node.proc.send_signal(signal.SIGTERM)
        node.proc.wait(600)


def pss_mib(pid):
    return next(int(l.split()[1]) for l in open(f"/proc/{pid}/smaps_rollup") if l.startswith("Pss:")) / 1024


def scrape(address):
    t0 = time.perf_counter()
    with urllib.request.urlopen(address + "/metrics", timeout=60) as r:
        body = r.read()
    return (time.perf_counter() - t0) * 1000, len(body)


def bench_pss(runs):
    figures = {"off": [], "on, idle": [], "on, after 10 scrapes + dashboard": []}
    for _ in range(runs):
        for listener in (False, True):
            with tempfile.TemporaryDirectory(prefix="actors-bench-http-") as folder:
                node, address = start_node(folder, listener)
                try:
                    time.sleep(5)  # let start-up work settle, as bench_sleepers does
                    if not listener:
                        figures["off"].append(pss_mib(node.proc.pid))
                        continue
                    figures["on, idle"].append(pss_mib(node.proc.pid))
                    for _ in range(10):
                        scrape(address)
                        time.sleep(0.2)
                    for path in ("/", "/dashboard.js", "/dashboard.css", "/v1/status"):
                        urllib.request.urlopen(address + path, timeout=60).read()
                    time.sleep(3)
                    figures["on, after 10 scrapes + dashboard"].append(pss_mib(node.proc.pid))
                finally:
                    stop(node)
    return {f"PSS MiB, 500 sleepers, listener {k}": statistics.median(v) for k, v in figures.items()}


def bench_scrape(runs):
    first, spaced, size = [], [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="actors-bench-http-") as folder:
            node, address = start_node(folder, True)
            try:
                ms, size = scrape(address)
                first.append(ms)
                for _ in range(15):
                    time.sleep(1.1)  # past the snapshot's 1 s: each scrape asks the supervisors again
                    spaced.append(scrape(address)[0])
            finally:
                stop(node)
    spaced.sort()
    return {"/metrics first scrape ms (500)": statistics.median(first),
            "/metrics scrape p50 ms (500)": statistics.median(spaced),
            "/metrics scrape p95 ms (500)": spaced[int(len(spaced) * 0.95) - 1],
            "/metrics body KiB (500)": size / 1024}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def webdriver(port, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.loads(r.read())["value"]


PAGE_FIGURES = """
const paint = performance.getEntriesByName('first-contentful-paint')[0];
const nav = performance.getEntriesByType('navigation')[0];
const res = performance.getEntriesByType('resource').filter(r => !r.name.includes('/v1/'));
return { fcp: paint ? paint.startTime : null,
         wire: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
         decoded: nav.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0),
         files: 1 + res.length };
"""


def bench_dashboard(runs):
    with tempfile.TemporaryDirectory(prefix="actors-bench-http-") as folder:
        node, address = start_node(folder, True)
        port = free_port()
        driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fcp, wire, decoded, files = [], [], [], 0
        try:
            base.wait_for(lambda: subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/status"], stdout=subprocess.DEVNULL).returncode == 0, 30, step=0.1)
            for i in range(runs):
                profile = tempfile.mkdtemp(prefix="actors-bench-chromium-")
                caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900"]}}}}
                session = webdriver(port, "POST", "/session", caps)["sessionId"]
                try:
                    webdriver(port, "POST", f"/session/{session}/url", {"url": address + "/"})
                    figures = webdriver(port, "POST", f"/session/{session}/execute/sync", {"script": PAGE_FIGURES, "args": []})
                    fcp.append(figures["fcp"])
                    wire.append(figures["wire"])
                    decoded.append(figures["decoded"])
                    files = figures["files"]
                finally:
                    webdriver(port, "DELETE", f"/session/{session}")
                    subprocess.run(["rm", "-rf", profile])
        finally:
            driver.terminate()
            driver.wait(30)
            stop(node)
    return {"dashboard first contentful paint ms": statistics.median(fcp),
            "dashboard page weight KiB (over the wire)": statistics.median(wire) / 1024,
            "dashboard page weight KiB (decoded)": statistics.median(decoded) / 1024,
            "dashboard files": files}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["pss", "scrape", "dashboard"])
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build and "ACTORS_BIN" not in os.environ:
        base.sh("dotnet", "publish", os.path.join(base.ROOT, "src/Actors.Node"), "-c", "Release", "--use-current-runtime", "-o", base.OUT, "--nologo")
    for name, bench in (("dashboard", bench_dashboard), ("scrape", bench_scrape), ("pss", bench_pss)):
        if args.only in (None, name):
            for key, value in bench(args.runs).items():
                print(f"{key}: {value:.1f}" if isinstance(value, float) else f"{key}: {value}")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
