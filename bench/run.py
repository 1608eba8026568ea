#!/usr/bin/env python3
"""Benchmarks of the published `actors` binary. See bench/README.md."""
import argparse, os, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
# ACTORS_BIN compares another build (e.g. an older commit) under the same conditions.
ACTORS = os.environ.get("ACTORS_BIN", os.path.join(OUT, "actors"))
TOOLS = os.path.join(OUT, "tools")


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def build():
    sh("dotnet", "publish", os.path.join(ROOT, "src/Actors.Node"), "-c", "Release", "--use-current-runtime", "-o", OUT, "--nologo")
    os.makedirs(TOOLS, exist_ok=True)
    for tool in ("stamp", "lines", "restart_floor", "spawn_floor"):
        sh("gcc", "-O2", "-o", os.path.join(TOOLS, tool), os.path.join(ROOT, "bench", "tools", tool + ".c"))


def children(pid):
    """Direct children of pid, over all its threads (the spawner thread is their parent), but not the node's
    own watchdog process."""
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += f.read().split()
    except FileNotFoundError:
        pass
    def is_watchdog(child):
        try:
            cmdline = open(f"/proc/{child}/cmdline", "rb").read()
            return b"actors-watchdog" in cmdline or b"__watchdog" in cmdline  # the native program; an older build's verb
        except OSError:
            return False
    return [c for c in found if not is_watchdog(c)]


def wait_for(condition, timeout, step=0.002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    raise TimeoutError("condition not reached in %ss" % timeout)


class Node:
    def __init__(self, processes_hocon, folder):
        self.folder = folder
        self.conf = os.path.join(folder, "node.conf")
        with open(self.conf, "w") as f:
            f.write('actors {\n node { log-dir = "logs", state-dir = "state" }\n processes {\n%s\n }\n}\n' % processes_hocon)

    def start(self):
        self.started = time.monotonic()
        self.proc = subprocess.Popen([ACTORS, "run", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(60)


def sleepers(n):
    return "\n".join('  s%d { command = "/bin/sleep", args = ["1000"] }' % i for i in range(n))


def bench_restart(folder, extra=""):
    stamps = os.path.join(folder, "stamps")
    node = Node('  r { command = "%s/stamp", args = ["%s", "1"], backoff { min = 0s, max = 0s, random-factor = 0 },'
                ' start-limit { burst = 100000, interval = 1m }, log.file = "/dev/null" %s}' % (TOOLS, stamps, extra), folder).start()
    try:
        wait_for(lambda: os.path.exists(stamps) and len(open(stamps).read().split()) >= 61, 60)
    finally:
        node.stop()
    t = [int(x) for x in open(stamps).read().split()][10:61]  # 10 warm-up runs, then 50 restarts
    gaps = sorted((b - a) / 1e6 for a, b in zip(t, t[1:]))
    return {"restart p50 ms": statistics.median(gaps), "restart p95 ms": gaps[int(len(gaps) * 0.95) - 1]}


def bench_restart_shim(folder):
    """The same restart loop through the exec shim (actors-exec): umask, a limit and a nice value set, as root."""
    result = bench_restart(folder, ', umask = "022", limits.nofile = 4096, nice = 0 ')
    return {"shim " + k: v for k, v in result.items()}


def node_cpu_percent(pid, seconds):
    """CPU of pid (user + system) over the next `seconds`, in % of one core."""
    ticks = os.sysconf("SC_CLK_TCK")
    def cpu():
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks
    c0, w0 = cpu(), time.monotonic()
    time.sleep(seconds)
    return (cpu() - c0) / (time.monotonic() - w0) * 100


def bench_sleepers(folder, idle_seconds):
    node = Node(sleepers(500), folder).start()
    try:
        wait_for(lambda: len(children(node.proc.pid)) >= 500, 120)
        ready = time.monotonic() - node.started
        time.sleep(5)  # let start-up work settle before measuring the idle node
        pss = next(int(l.split()[1]) for l in open(f"/proc/{node.proc.pid}/smaps_rollup") if l.startswith("Pss:")) / 1024
        idle = node_cpu_percent(node.proc.pid, idle_seconds)
    finally:
        node.stop()
    return {"500 running s": ready, "PSS MiB": pss, "idle CPU %": idle}


def bench_idle_timers(folder, idle_seconds):
    """An idle node whose actors keep Akka timers pending: 5 sleepers, one of them holding a lease (its keeper
    re-arms a timer every heartbeat-interval, 1 s). The scheduler's own cost shows here, not in `sleepers`."""
    procs = sleepers(4) + '\n  leased { command = "/bin/sleep", args = ["1000"], lease { name = "l", folder = "leases" } }'
    node = Node(procs, folder).start()
    try:
        wait_for(lambda: len(children(node.proc.pid)) >= 5, 60)
        # Settle: start-up work, and the tiered JIT recompiling the once-a-second paths (after ~30 calls), which
        # measured here costs about 2% of a core for the first 40 s.
        time.sleep(40)
        return {"idle CPU % (lease timer)": node_cpu_percent(node.proc.pid, idle_seconds)}
    finally:
        node.stop()


def bench_lines(folder, count=1_000_000):
    started = os.path.join(folder, "started")
    log = os.path.join(folder, "logs", "w.log")
    expected = sum(len("line %d\n" % i) for i in range(1, count + 1))
    node = Node('  w { command = "%s/lines", args = ["%d", "%s"], restart = never }' % (TOOLS, count, started), folder).start()
    try:
        wait_for(lambda: os.path.exists(log) and os.path.getsize(log) >= expected, 120, step=0.001)
        done = time.monotonic_ns()
        t0 = int(open(started).read())
        with open(log) as f:
            lines = f.read().splitlines()
        lost = count - sum(1 for i, l in enumerate(lines) if l == "line %d" % (i + 1))
    finally:
        node.stop()
    return {"1M lines s": (done - t0) / 1e9, "lines lost": lost}


def bench_seq(folder, count=1_000_000):
    """The issue's black-box check: `seq` (stdio-buffered, 4 KiB writes) into the log; exact content."""
    log = os.path.join(folder, "logs", "seq.log")
    expected = "".join("%d\n" % i for i in range(1, count + 1))
    t0 = time.monotonic()
    node = Node('  seq { command = "seq", args = ["%d"], restart = never }' % count, folder).start()
    try:
        wait_for(lambda: os.path.exists(log) and os.path.getsize(log) >= len(expected), 120, step=0.001)
        done = time.monotonic()
        identical = open(log).read() == expected
    finally:
        node.stop()
    return {"seq 1M: node start to all in log s": done - t0, "seq 1M identical": 1.0 if identical else 0.0}


def bench_floors(folder):
    """What this machine allows at all, measured the same way without the node."""
    stamps = os.path.join(folder, "stamps")
    subprocess.run([os.path.join(TOOLS, "restart_floor"), os.path.join(TOOLS, "stamp"), stamps], check=True)
    t = [int(x) for x in open(stamps).read().split()][10:61]
    gaps = sorted((b - a) / 1e6 for a, b in zip(t, t[1:]))
    out = subprocess.run([os.path.join(TOOLS, "spawn_floor")], check=True, capture_output=True, text=True).stdout
    t0 = time.monotonic()
    with open(os.devnull, "w") as null:
        subprocess.run([os.path.join(TOOLS, "lines"), "1000000", os.path.join(folder, "st")], stdout=null, check=True)
    return {"floor restart p50 ms": statistics.median(gaps), "floor restart p95 ms": gaps[int(len(gaps) * 0.95) - 1],
            "floor 500 spawns s": float(out.split(":")[1].split()[0]),
            "floor 1M writes to /dev/null s": time.monotonic() - t0}


def bench_stop(folder):
    node = Node(sleepers(100), folder).start()
    wait_for(lambda: len(children(node.proc.pid)) >= 100, 60)
    time.sleep(1)
    t0 = time.monotonic()
    node.proc.send_signal(signal.SIGTERM)
    wait_for(lambda: len(children(node.proc.pid)) == 0, 60, step=0.0005)
    gone = time.monotonic() - t0
    node.proc.wait(60)
    exited = time.monotonic() - t0
    return {"stop 100 s": gone, "node exit after SIGTERM s": exited, "node exit code": node.proc.returncode}


def api_round_trips(sock_path, target, count):
    """Round trips of GET target on one kept-alive connection, in ms, as a minimal client sees them."""
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    request = ("GET %s HTTP/1.1\r\nHost: actors\r\n\r\n" % target).encode()
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
        while len(body) < length:
            body += s.recv(65536)
        times.append((time.perf_counter() - t0) * 1000)
    s.close()
    return sorted(times)


def bench_control(folder):
    node = Node(sleepers(500), folder).start()
    sock = os.path.join(folder, "state", "control.sock")
    try:
        wait_for(lambda: len(children(node.proc.pid)) >= 500 and os.path.exists(sock), 120)
        time.sleep(2)
        def wall(*args):
            runs = []
            for _ in range(7):
                t0 = time.monotonic()
                subprocess.run([ACTORS, *args, "--socket", sock], check=True, stdout=subprocess.DEVNULL)
                runs.append((time.monotonic() - t0) * 1000)
            return statistics.median(runs)
        one = api_round_trips(sock, "/v1/status?name=s1", 2000)[200:]  # the first 200 warm up
        everything = api_round_trips(sock, "/v1/status", 200)[20:]
        return {"status 500 wall ms": wall("status"), "status --json 500 wall ms": wall("status", "--json"),
                "version wall ms (start-up floor)": statistics.median([timed([ACTORS, "version"]) for _ in range(7)]),
                "API RTT p50 ms (1 process)": statistics.median(one),
                "API RTT p95 ms (1 process)": one[int(len(one) * 0.95) - 1],
                "API RTT p50 ms (500 processes)": statistics.median(everything)}
    finally:
        node.stop()


def bench_takeover(folder):
    family = "\n".join('  f%d { command = "/bin/sh", args = ["-c", "sleep 1000 & wait"] }' % i for i in range(20))
    node = Node(family, folder).start()
    sock = os.path.join(folder, "state", "control.sock")
    wait_for(lambda: len(children(node.proc.pid)) >= 20 and os.path.exists(sock), 60)
    groups = [int(c) for c in children(node.proc.pid)]
    def alive(pid):
        try:
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except OSError:
            return False
    def group_members(pgid):
        members = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
                    if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                        members.append(entry)
                except OSError:
                    pass
        return members
    t0 = time.monotonic()
    node.proc.send_signal(signal.SIGKILL)
    node.proc.wait()
    wait_for(lambda: not any(group_members(g) for g in groups), 30, step=0.001)
    orphans_gone = time.monotonic() - t0
    second = Node(family, folder)
    t1 = time.monotonic()
    second.start()
    def answers():
        import socket
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(sock)
                return True
        except OSError:
            return False  # not yet bound, or the killed node's stale socket file
    wait_for(answers, 60, step=0.001)
    api_up = time.monotonic() - t1
    wait_for(lambda: len(children(second.proc.pid)) >= 20, 60, step=0.001)
    all_running = time.monotonic() - t1
    second.stop()
    return {"orphans gone after kill -9 s": orphans_gone, "new node: API up s": api_up, "new node: 20 running s": all_running}


def bench_exec(folder):
    """actors exec: its start-up floor (exec -- true), and the issue's check: --timeout 1s -- sleep 10 exits 124
    in about a second with no sleep left."""
    floor = timed([ACTORS, "exec", "--", "true"])
    t0 = time.monotonic()
    code = subprocess.run([ACTORS, "exec", "--timeout", "1s", "--", "sleep", "10"], stderr=subprocess.DEVNULL).returncode
    wall = time.monotonic() - t0
    if code != 124:
        raise RuntimeError("exec --timeout exited %d, not 124" % code)
    left = subprocess.run(["pgrep", "-f", "^sleep 10$"], stdout=subprocess.PIPE).stdout.split()
    if left:
        raise RuntimeError("sleep 10 left behind: %s" % left)
    return {"exec -- true ms": floor, "exec --timeout 1s sleep 10 s": wall}


def bench_probes(folder, idle_seconds):
    """100 sleepers, each with a heartbeat-file readiness probe every second (the file exists, max-age is long):
    the idle cost of periodic probes."""
    beat = os.path.join(folder, "beat")
    open(beat, "w").close()
    procs = "\n".join('  p%d { command = "/bin/sleep", args = ["1000"], probes.readiness { type = heartbeat-file, path = "%s", max-age = 1000d, period = 1s } }' % (i, beat) for i in range(100))
    node = Node(procs, folder).start()
    try:
        wait_for(lambda: len(children(node.proc.pid)) >= 100, 60)
        time.sleep(40)  # start-up work and the tiered JIT's recompiling settle first (see idle-timers)
        return {"idle CPU % (100 probes/s)": node_cpu_percent(node.proc.pid, idle_seconds)}
    finally:
        node.stop()


def bench_sigstop(folder):
    """A SIGSTOPped worker (a shell touching a heartbeat file every 100 ms) found by its heartbeat-file liveness
    probe (max-age 500ms, period 250ms, failure-threshold 2) and restarted: SIGSTOP to the new pid running."""
    beat = os.path.join(folder, "hb")
    node = Node('  w { shell = on, command = "while true; do touch %s; sleep 0.1; done", backoff.min = 0s,'
                ' probes.liveness { type = heartbeat-file, path = "%s", max-age = 500ms, period = 250ms, timeout = 250ms, failure-threshold = 2 } }'
                % (beat, beat), folder).start()
    try:
        wait_for(lambda: len(children(node.proc.pid)) >= 1, 60)
        time.sleep(1)
        first = children(node.proc.pid)[0]
        t0 = time.monotonic()
        os.kill(int(first), signal.SIGSTOP)
        wait_for(lambda: any(c != first for c in children(node.proc.pid)), 30, step=0.005)
        return {"SIGSTOP to restarted s": time.monotonic() - t0}
    finally:
        node.stop()


def node_log(folder):
    try:
        return open(os.path.join(folder, "logs", "node.log")).read()
    except FileNotFoundError:
        return ""


def bench_slow_stop(folder, count=40):
    """SIGTERM to a node whose 40 processes each take a second to stop cleanly (a TERM trap that sleeps 1 s): time
    until the node exited, and how many did not end on their own (killed at shutdown-timeout, 30 s)."""
    script = "trap 'sleep 1; exit 0' TERM; sleep 1000 & wait"
    node = Node("\n".join('  p%d { command = "/bin/sh", args = ["-c", "%s"] }' % (i, script) for i in range(count)), folder).start()
    try:
        wait_for(lambda: len(children(node.proc.pid)) >= count, 120)
        # Each shell sets its trap before it starts its sleep: wait for every sleep.
        wait_for(lambda: all(children(int(c)) for c in children(node.proc.pid)), 60)
        t0 = time.monotonic()
        node.proc.send_signal(signal.SIGTERM)
        node.proc.wait(120)
        exited = time.monotonic() - t0
    finally:
        node.stop()
    clean = node_log(folder).count("stopped (node shutting down; exited with code 0")
    return {"slow-stop 40: node exit s": exited, "slow-stop 40: not stopped cleanly": count - clean}


def status_of(pid):
    """VmRSS (MiB), open descriptors and threads of pid."""
    fields = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status"))
    return (int(fields["VmRSS"].split()[0]) / 1024, len(os.listdir(f"/proc/{pid}/fd")), int(fields["Threads"]))


def bench_soak(folder, seconds, count=100, warmup=180, settle=40, samples=5, every=2):
    """100 processes crash-looping with no backoff (exit 1, restart = always, start limit out of reach) for `seconds`:
    the node's RSS, descriptors and threads with every process stopped, before and after the crash loops, and their
    growth (what a leak would show).

    Read with everything stopped (`stop --all`, then `settle` seconds): while processes turn over, each live child
    holds the node's descriptors for its pipe, pidfds and log, and a loaded machine makes the thread pool add threads
    it retires once idle, so readings taken during the loops move by a third either way and say nothing of a leak.
    The first reading comes after `warmup` seconds of crash loops: in the first minutes the runtime re-compiles hot
    methods (tiered JIT) and the GC sizes its budgets to the load, once. Each reading is the median of `samples`
    readings `every` seconds apart."""
    node = Node("\n".join('  c%d { command = "/bin/sh", args = ["-c", "exit 1"], restart = always, log.file = "/dev/null",'
                          ' backoff { min = 0s, max = 0s, random-factor = 0 }, start-limit { burst = 1000000000, interval = 1s } }' % i
                          for i in range(count)), folder).start()
    sock = os.path.join(folder, "state", "control.sock")
    def actors(*verb):
        done = subprocess.run([ACTORS, *verb, "--socket", sock], capture_output=True, text=True)
        if done.returncode != 0:  # said, not fatal: the readings wait for what they need
            print("soak: actors %s exited %d: %s" % (" ".join(verb), done.returncode, done.stderr.strip()[:500]), file=sys.stderr)
        return done.stdout
    def restarts():
        import json
        return sum(p["restarts"] for p in json.loads(actors("status", "--json"))["processes"])
    def idle_readings():
        actors("stop", "--all")
        wait_for(lambda: not children(node.proc.pid), 120, step=0.1)
        time.sleep(settle)
        taken = []
        for i in range(samples):
            if i:
                time.sleep(every)
            taken.append(status_of(node.proc.pid))
        return [statistics.median(column) for column in zip(*taken)]
    try:
        wait_for(lambda: os.path.exists(sock), 60)
        time.sleep(warmup)
        rss0, fd0, th0 = idle_readings()
        r0, t0 = restarts(), time.monotonic()
        actors("start", "--all")
        time.sleep(seconds)
        r1, t1 = restarts(), time.monotonic()
        cpu = node_cpu_percent(node.proc.pid, 5)
        rss1, fd1, th1 = idle_readings()
    finally:
        node.stop()
    growth = lambda a, b: (b - a) / a * 100
    return {"soak: RSS start MiB": rss0, "soak: RSS end MiB": rss1, "soak: RSS growth %": growth(rss0, rss1),
            "soak: fds start": fd0, "soak: fds end": fd1, "soak: fds growth %": growth(fd0, fd1),
            "soak: threads start": th0, "soak: threads end": th1, "soak: threads growth %": growth(th0, th1),
            "soak: restarts/s": (r1 - r0) / (t1 - t0), "soak: node CPU % at end": cpu}


def bench_scale(folder, count):
    """`count` declared `sleep 1000` processes: time from launching the node until all are its children, then from
    SIGTERM until none is left and until the node exited."""
    node = Node(sleepers(count), folder).start()
    try:
        wait_for(lambda: len(children(node.proc.pid)) >= count, 1200, step=0.05)
        running = time.monotonic() - node.started
        rss, fds, threads = status_of(node.proc.pid)
        time.sleep(2)
        t0 = time.monotonic()
        node.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: len(children(node.proc.pid)) == 0, 600, step=0.01)
        gone = time.monotonic() - t0
        node.proc.wait(600)
        exited = time.monotonic() - t0
    finally:
        node.stop()
    killed = node_log(folder).count("reached: killing")
    return {"%d: all running s" % count: running, "%d: all stopped s" % count: gone,
            "%d: node exit s" % count: exited, "%d: killed at shutdown-timeout" % count: killed,
            "%d: node RSS MiB" % count: rss, "%d: node fds" % count: fds, "%d: node threads" % count: threads}


def timed(cmd):
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return (time.monotonic() - t0) * 1000


BENCHES = {"restart": bench_restart, "restart-shim": bench_restart_shim, "sleepers": bench_sleepers, "lines": bench_lines, "seq": bench_seq,
           "stop": bench_stop, "floors": bench_floors, "idle-timers": bench_idle_timers, "control": bench_control, "takeover": bench_takeover,
           "exec": bench_exec, "probes": bench_probes, "sigstop": bench_sigstop, "slow-stop": bench_slow_stop,
           "soak": bench_soak, "scale": bench_scale}
# Only on request (--only): long, or heavy for a shared machine.
ON_REQUEST = {"soak", "scale"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=BENCHES)
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--soak-seconds", type=float, default=600)
    parser.add_argument("--scale-counts", default="1000,10000", help="process counts for scale, compared with the first")
    args = parser.parse_args()
    if not args.no_build:
        build()
    for name, bench in BENCHES.items():
        if (args.only and name != args.only) or (not args.only and name in ON_REQUEST):
            continue
        results = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="actors-bench-") as folder:
                if name in ("sleepers", "idle-timers", "probes"):
                    results.append(bench(folder, args.idle_seconds))
                elif name == "soak":
                    results.append(bench(folder, args.soak_seconds))
                elif name == "scale":
                    result = {}
                    for count in [int(c) for c in args.scale_counts.split(",")]:
                        with tempfile.TemporaryDirectory(prefix="actors-bench-") as one:
                            result.update(bench(one, count))
                    counts = [int(c) for c in args.scale_counts.split(",")]
                    for count in counts[1:]:
                        for what in ("all running s", "node exit s"):
                            result["%d/%d %s ratio" % (count, counts[0], what)] = result["%d: %s" % (count, what)] / result["%d: %s" % (counts[0], what)]
                    results.append(result)
                else:
                    results.append(bench(folder))
        for key in results[0]:
            values = [r[key] for r in results]
            print("%-28s median %10.3f   runs: %s" % (key, statistics.median(values), " ".join("%.3f" % v for v in values)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
