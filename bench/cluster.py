#!/usr/bin/env python3
"""Cluster status latency (issue 17): 3 nodes x 200 sleepers on this machine, on the published binary.

python3 bench/cluster.py [--runs N] [--no-build] [--count 200]; ACTORS_BIN as for run.py. See bench/README.md."""
import argparse, json, os, statistics, subprocess, tempfile, time

import run as base

ACTORS = base.ACTORS


def conf(folder, count, cluster, with_db):
    procs = base.sleepers(count)
    if with_db:
        procs += '\n  db { command = "/bin/sleep", args = ["1000"], placement { role = "db" } }'
    path = os.path.join(folder, "node.conf")
    with open(path, "w") as f:
        f.write('actors {\n node { log-dir = "logs", state-dir = "state" }\n cluster { enabled = on, hostname = "127.0.0.1", port = 0, %s }\n'
                ' processes {\n%s\n }\n}\n' % (cluster, procs))
    return path


def cli(sock, *args):
    return subprocess.run([ACTORS, *args, "--socket", sock], check=True, capture_output=True, text=True).stdout


def get(sock, target):
    return json.loads(cli(sock, *target))


def one_run(root, count):
    folders = [os.path.join(root, "n%d" % i) for i in range(3)]
    for f in folders:
        os.makedirs(f)
    socks = [os.path.join(f, "state", "control.sock") for f in folders]
    procs = []
    try:
        t0 = time.monotonic()
        procs.append(subprocess.Popen([ACTORS, "run", conf(folders[0], count, "", True)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base.wait_for(lambda: os.path.exists(socks[0]), 120, 0.05)
        seed = get(socks[0], ["members", "--json"])["self"]
        for i, roles in ((1, ""), (2, ', roles = ["db"]')):
            c = conf(folders[i], count, 'seed-nodes = ["%s"]%s' % (seed, roles), True)
            procs.append(subprocess.Popen([ACTORS, "run", c], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base.wait_for(lambda: all(os.path.exists(s) for s in socks), 120, 0.05)

        def all_visible():
            view = get(socks[0], ["status", "--cluster", "--json"])
            rows = [p for n in view["nodes"] for p in n["processes"]]
            return len(view["nodes"]) == 3 and len(rows) == 3 * count + 1 and all(p["state"] == "running" for p in rows)
        base.wait_for(all_visible, 300, 0.2)
        formed = time.monotonic() - t0
        time.sleep(2)

        rtt = base.api_round_trips(socks[0], "/v1/cluster/status", 120)[20:]
        local = base.api_round_trips(socks[0], "/v1/status", 120)[20:]
        size = len(cli(socks[0], "status", "--cluster", "--json"))

        def wall(*args):
            runs = []
            for _ in range(7):
                t = time.monotonic()
                cli(socks[0], *args)
                runs.append((time.monotonic() - t) * 1000)
            return statistics.median(runs)

        # A change on node 3 until node 1's view shows it: from the end of the stop (the command's answer).
        target = seed_of(socks[2])
        lags = []
        for i in range(10):
            name = "s%d" % (i * 7 % count)
            cli(socks[2], "stop", name)
            t = time.monotonic()
            base.wait_for(lambda: state_on(socks[0], target, name) == "stopped", 60, 0.01)
            lags.append((time.monotonic() - t) * 1000)
            cli(socks[2], "start", name)
        routed = []
        for _ in range(5):
            t = time.monotonic()
            cli(socks[0], "restart", "db")
            routed.append((time.monotonic() - t) * 1000)
        direct = []
        for _ in range(5):
            t = time.monotonic()
            cli(socks[2], "restart", "db")
            direct.append((time.monotonic() - t) * 1000)
        lags.sort()
        return {"formed + all visible s": formed,
                "GET /v1/cluster/status p50 ms": statistics.median(rtt), "GET /v1/cluster/status p95 ms": rtt[int(len(rtt) * 0.95) - 1],
                "GET /v1/status (200, local) p50 ms": statistics.median(local),
                "cluster status body KiB": size / 1024,
                "status --cluster wall ms": wall("status", "--cluster"), "status --cluster --json wall ms": wall("status", "--cluster", "--json"),
                "status (local) wall ms": wall("status"),
                "change visible on another node p50 ms": statistics.median(lags), "change visible p90 ms": lags[8],
                "restart db routed wall ms": statistics.median(routed), "restart db on its node wall ms": statistics.median(direct)}
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(120)
            except subprocess.TimeoutExpired:
                p.kill()


def seed_of(sock):
    return get(sock, ["members", "--json"])["self"]


def state_on(sock, node, name):
    view = get(sock, ["status", "--cluster", "--json"])
    for n in view["nodes"]:
        if n["node"] == node:
            for p in n["processes"]:
                if p["name"] == name:
                    return p["state"]
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        base.build()
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="actors-bench-cluster-") as root:
            results.append(one_run(root, args.count))
            print(json.dumps(results[-1]), flush=True)
    print("median of %d runs, 3 nodes x %d sleepers (+ db on the db node):" % (args.runs, args.count))
    for key in results[0]:
        print("  %-40s %.1f" % (key, statistics.median(r[key] for r in results)))


if __name__ == "__main__":
    main()
