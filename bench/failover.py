#!/usr/bin/env python3
"""Singleton failover (issue 17): 3 nodes on this machine share a lease folder and run one `placement = singleton`
process; the holder's node is SIGKILLed (or SIGSTOPped) N times. For each failover: the time from the signal until
the singleton's new copy wrote its first fencing line (its own start, on CLOCK_MONOTONIC), and the overlap of the old
and the new copy from the fencing log, which the singleton writes itself (this script with --fence: "TOKEN NS" every
50 ms, one write(2) per line, O_APPEND).

--kind partition puts each node in a network namespace of its own (bench/netns.py; root) and cuts the holder's node
off the other two instead: the time from the link going down until the new copy's first line.

python3 bench/failover.py [--runs 20] [--kind kill|stop|both|partition] [--freeze 15] [--no-build]; ACTORS_BIN as
for run.py. See bench/README.md."""
import argparse, json, os, signal, statistics, subprocess, sys, tempfile, time

import netns
import run as base

ACTORS = base.ACTORS
HERE = os.path.abspath(__file__)
BOUND = 180


def fence(path):
    """The singleton: appends its token and CLOCK_MONOTONIC ns at its start and every 50 ms."""
    token = os.environ.get("ACTORS_LEASE_TOKEN", "none")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    while True:
        os.write(fd, ("%s %d\n" % (token, time.monotonic_ns())).encode())
        time.sleep(0.05)


def conf(folder, shared, cluster):
    """cluster: the keys of actors.cluster besides enabled."""
    path = os.path.join(folder, "node.conf")
    with open(path, "w") as f:
        f.write('actors {\n node { log-dir = "logs", state-dir = "state" }\n'
                ' cluster { enabled = on, %s }\n'
                ' processes {\n  solo { command = "%s", args = ["%s", "--fence", "%s"], placement = singleton,\n'
                '   lease { name = "solo", folder = "%s" } }\n }\n}\n'
                % (cluster, sys.executable, HERE, os.path.join(shared, "fence.log"), os.path.join(shared, "leases")))
    return path


def cli(sock, *args, timeout=60):
    return subprocess.run([ACTORS, *args, "--socket", sock], capture_output=True, text=True, timeout=timeout)


def get(sock, *args):
    r = cli(sock, *args, "--json")
    return json.loads(r.stdout) if r.returncode == 0 else None


class Cluster:
    def __init__(self, root, net=None):
        """net: a netns.Network of three nodes; each node then runs in its namespace, on 10.250.0.I:4053 (nothing
        else listens there), with the three of them as seed nodes, as on three machines."""
        self.net = net
        self.root = root
        self.shared = os.path.join(root, "shared")
        os.makedirs(self.shared)
        self.folders = [os.path.join(root, "n%d" % i) for i in range(3)]
        self.procs = [None, None, None]
        self.seed = None

    def sock(self, i):
        return os.path.join(self.folders[i], "state", "control.sock")

    def start(self, i):
        os.makedirs(self.folders[i], exist_ok=True)
        if os.path.exists(self.sock(i)):
            os.unlink(self.sock(i))
        if self.net is None:
            cluster = 'hostname = "127.0.0.1", port = 0' + ("" if self.seed is None else ', seed-nodes = ["%s"]' % self.seed)
            prefix = []
        else:
            seeds = ", ".join('"%s:4053"' % self.net.address(n) for n in range(3))
            cluster = 'hostname = "%s", port = 4053, seed-nodes = [%s]' % (self.net.address(i), seeds)
            prefix = self.net.inside(i)
        self.procs[i] = subprocess.Popen([*prefix, ACTORS, "run", conf(self.folders[i], self.shared, cluster)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base.wait_for(lambda: os.path.exists(self.sock(i)), BOUND, 0.05)
        if self.seed is None and self.net is None:
            self.seed = get(self.sock(i), "members")["self"]

    def alive(self):
        return [i for i in range(3) if self.procs[i] is not None and self.procs[i].poll() is None]

    def formed(self):
        """Every node alive, and each sees exactly the three of them up and reachable."""
        if len(self.alive()) != 3:
            return False
        for i in range(3):
            m = get(self.sock(i), "members")
            if m is None or len(m["members"]) != 3 or not all(x["status"] == "up" and x["reachable"] for x in m["members"]):
                return False
        return True

    def states(self, nodes):
        out = {}
        for i in nodes:
            s = get(self.sock(i), "status", "solo")
            if s is not None:
                out[i] = s["processes"][0]["state"]
        return out

    def holder(self, nodes):
        """The one node running solo while the others wait, or None."""
        s = self.states(nodes)
        running = [i for i, v in s.items() if v == "running"]
        if len(s) == len(nodes) and len(running) == 1 and sum(v == "waiting" for v in s.values()) == len(nodes) - 1:
            return running[0]
        return None

    def stop(self):
        for p in self.procs:
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.terminate()
        for p in self.procs:
            if p is None:
                continue
            try:
                p.wait(120)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def read_fence(path):
    lines = []
    with open(path) as f:
        for line in f:
            token, ns = line.split()
            lines.append((int(token), int(ns)))
    return lines


def check_fence(lines):
    """Tokens in the file's (= the writes') order never go back, and each token's last line precedes the next one's
    first on the monotonic clock. Returns {token: (first ns, last ns)} and the overlaps (ms) between consecutive tokens."""
    spans, order = {}, []
    for token, ns in lines:
        if not order or order[-1] != token:
            if order and token < order[-1]:
                raise AssertionError("token %d wrote after token %d: two copies overlapped" % (token, order[-1]))
            order.append(token)
        first, last = spans.get(token, (ns, ns))
        spans[token] = (min(first, ns), max(last, ns))
    overlaps = [max(0.0, (spans[a][1] - spans[b][0]) / 1e6) for a, b in zip(order, order[1:])]
    return spans, order, overlaps


def failover(c, fence_log, kind, freeze):
    """One failover; returns the seconds until the new copy's first line and the overlap (ms)."""
    def formed():
        # A thawed node may learn only later that it was downed, and stop: it is started again in its folder.
        for i in range(3):
            if c.procs[i].poll() is not None:
                if c.net is None:
                    c.seed = get(c.sock(c.alive()[0]), "members")["self"]
                c.start(i)
        return c.formed()
    base.wait_for(formed, BOUND, 0.5)
    base.wait_for(lambda: c.holder([0, 1, 2]) is not None, BOUND, 0.1)
    old = c.holder([0, 1, 2])
    old_token = read_fence(fence_log)[-1][0]
    others = [i for i in range(3) if i != old]
    t0 = time.monotonic_ns()
    if kind == "partition":
        c.net.cut(old)
    else:
        c.procs[old].send_signal(signal.SIGKILL if kind == "kill" else signal.SIGSTOP)
    # The new copy's first line (it is the singleton's own start).
    def new_line():
        return next((ns for token, ns in read_fence(fence_log) if token > old_token), None)
    base.wait_for(lambda: new_line() is not None, BOUND, 0.02)
    took = (new_line() - t0) / 1e9
    if kind == "stop":
        rest = freeze - (time.monotonic_ns() - t0) / 1e9
        if rest > 0:
            time.sleep(rest)
        c.procs[old].send_signal(signal.SIGCONT)
        # Thawed: it learns it was downed and stops (exit 1), or it stays and waits; either way it runs no copy.
        base.wait_for(lambda: c.procs[old].poll() is not None or c.states([old]).get(old) in ("waiting",), BOUND, 0.2)
    if kind == "partition":
        # Cut off alone, it is the minority: the split brain resolver downs it and it ends, exit 1; then the link heals.
        base.wait_for(lambda: c.procs[old].poll() is not None, BOUND, 0.2)
        if c.procs[old].returncode != 1:
            raise AssertionError("the cut-off node exited %s, not 1" % c.procs[old].returncode)
        c.net.heal(old)
    # Two seconds more of the new copy's lines, for a second copy to show if there were one.
    count = len(read_fence(fence_log))
    base.wait_for(lambda: len(read_fence(fence_log)) > count + 40, BOUND, 0.05)
    spans, order, overlaps = check_fence(read_fence(fence_log))
    # How long the old copy still ran after the signal or the cut (its last line).
    ran_on = (spans[old_token][1] - t0) / 1e9
    if c.procs[old].poll() is not None:
        # Downed (or killed): a new node in its folder joins through a node that lives.
        if c.net is None:
            c.seed = get(c.sock(others[0]), "members")["self"]
        c.start(old)
    return took, max(overlaps) if overlaps else 0.0, ran_on


def run_kind(kind, runs, freeze):
    took, overlaps = [], []
    with tempfile.TemporaryDirectory(prefix="actors-bench-failover-") as root:
        net = netns.Network(3) if kind == "partition" else None
        c = Cluster(root, net)
        try:
            c.start(0)
            c.start(1)
            c.start(2)
            fence_log = os.path.join(c.shared, "fence.log")
            base.wait_for(lambda: os.path.exists(fence_log), BOUND, 0.05)
            for n in range(runs):
                t, o, ran_on = failover(c, fence_log, kind, freeze)
                took.append(t)
                overlaps.append(o)
                print(json.dumps({"kind": kind, "run": n + 1, "failover s": round(t, 3), "overlap ms": o,
                                  "old copy's last line s": round(ran_on, 3)}), flush=True)
        finally:
            c.stop()
            if net is not None:
                net.close()
    return took, overlaps


def summary(kind, took, overlaps):
    s = sorted(took)
    p95 = s[max(0, int(round(0.95 * len(s))) - 1)]
    print("%s: %d failovers: until the new copy wrote its first line: median %.2f s, p95 %.2f s, max %.2f s; overlap max %.1f ms (%d of %d with overlap)"
          % (kind, len(s), statistics.median(s), p95, s[-1], max(overlaps), sum(o > 0 for o in overlaps), len(overlaps)), flush=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--fence":
        fence(sys.argv[2])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--kind", choices=["kill", "stop", "both", "partition"], default="both")
    parser.add_argument("--freeze", type=float, default=15.0, help="seconds the holder's node stays SIGSTOPped")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        base.build()
    results = {}
    for kind in (["kill", "stop"] if args.kind == "both" else [args.kind]):
        results[kind] = run_kind(kind, args.runs, args.freeze)
    names = {"kill": "SIGKILL", "stop": "SIGSTOP %gs" % args.freeze, "partition": "partition (holder cut off)"}
    for kind, (took, overlaps) in results.items():
        summary(names[kind], took, overlaps)


if __name__ == "__main__":
    main()
