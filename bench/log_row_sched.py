#!/usr/bin/env python3
"""Issue 14 item 3: who is on the CPUs while the 64 KiB log row runs, run by run (bench/README.md, stop 33).

  python3 bench/log_row_sched.py [--runs 8] [--peers actors,supervisord] [--actors PATH/actors] [--tool chunks|lines]

Runs the log row exactly as bench/peers.py does (a fresh supervisor per run, one writer; with more than one peer each
round in a rotated order, as there) under `perf sched record` on the CLOCK_MONOTONIC time line, the clock of the
writer's stamp and of the moment the log held every byte. For every run it prints the wall time and, between those two
moments, the time each task was on a CPU, how many times it was switched in, and on which CPUs: the writer (`chunks`),
the supervisor's reader (`actors-output-p`, `supervisord`, ...), the harness (`python3`), idle. Then, per peer, the
medians. perf's tracing slows every run a little; compare peers within one run of this script, not with peers.py.
Needs perf (Debian: linux-perf) and root or kernel.perf_event_paranoid <= 1.
"""
import argparse, collections, json, os, re, signal, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

# perf sched timehist: time  [cpu]  task[tid/pid]  wait  sch-delay  run   (times in s, the rest in ms)
TIMEHIST = re.compile(r"\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")


def switches_out(data):
    """Every switch-out perf saw: (end s, cpu, task without its ids, ms it had run)."""
    text = subprocess.run(["perf", "sched", "timehist", "-i", data], capture_output=True, text=True, check=True).stdout
    out = []
    for line in text.splitlines():
        m = TIMEHIST.match(line)
        if m:
            cpu, task = int(m[2]), m[3].strip()
            task = f"idle (cpu{cpu})" if task.startswith("<idle>") else re.sub(r"\[[\d/]+\]$", "", task)
            out.append((float(m[1]), cpu, task, float(m[6])))
    return out


def on_cpu(events, start_s, end_s):
    """Per task over [start_s, end_s]: ms on a CPU, times switched in, the CPUs."""
    ms, turns, cpus = collections.defaultdict(float), collections.Counter(), collections.defaultdict(set)
    for end, cpu, task, run_ms in events:
        overlap = min(end, end_s) - max(end - run_ms / 1000, start_s)
        if overlap > 0:
            ms[task] += overlap * 1000
            turns[task] += 1
            cpus[task].add(cpu)
    return ms, turns, cpus


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--actors", default=peers.common.ACTORS)
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--peers", default="actors,supervisord")
    ap.add_argument("--tool", choices=["chunks", "lines"], default="chunks")
    ap.add_argument("--top", type=int, default=5, help="tasks shown per run")
    args = ap.parse_args()
    peers.Actors.binary = args.actors
    names = args.peers.split(",")
    count = 1_000_000
    expected = peers.expected_text(args.tool, count)
    folder = tempfile.mkdtemp(prefix="log-row-sched-")
    data = os.path.join(folder, "sched.data")
    perf = subprocess.Popen(["perf", "sched", "record", "-k", "CLOCK_MONOTONIC", "-o", data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = []
    try:
        # perf has started once its file has a header; the first writer's stamp comes a supervisor's start-up later.
        peers.common.wait_for(lambda: os.path.exists(data) and os.path.getsize(data) > 0, 30, step=0.05)
        for r in range(args.runs):
            for n in names[r % len(names):] + names[:r % len(names)]:
                started, done, ok = peers.log_row_run(n, args.tool, count, expected)
                runs.append({"peer": n, "start": started / 1e9, "end": done / 1e9, "ok": ok})
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait(120)
    events = switches_out(data)
    per_peer = collections.defaultdict(list)
    for run in runs:
        ms, turns, cpus = on_cpu(events, run["start"], run["end"])
        wall = (run["end"] - run["start"]) * 1000
        top = sorted(ms.items(), key=lambda kv: -kv[1])[:args.top]
        shown = ", ".join(f"{t} {v:.1f} ({turns[t]}x, cpu{''.join(map(str, sorted(cpus[t])))})" for t, v in top)
        print(f"{run['peer']:12} {wall:6.1f} ms{'' if run['ok'] else ' (log differs)'} | {shown}")
        writer = ms.get(args.tool, 0.0)
        per_peer[run["peer"]].append((wall, writer, 100 * writer / wall, turns.get(args.tool, 0)))
    print(f"\nmedians over {args.runs} runs: wall ms, the writer's ms on a CPU (share of the wall time), its switches in")
    for n in names:
        v = per_peer[n]
        wall, writer, share, turns = (statistics.median(x[i] for x in v) for i in range(4))
        print(f"{n:12} {wall:6.1f} ms   writer {writer:6.1f} ms ({share:3.0f} %)   {turns:4.0f}x")
    with open(os.path.join(folder, "runs.json"), "w") as f:
        json.dump(runs, f)
    print(f"\nperf data and runs: {folder}")


if __name__ == "__main__":
    main()
