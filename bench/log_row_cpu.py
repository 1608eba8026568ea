#!/usr/bin/env python3
"""Issue 14 item 3: the CPU time a supervisor spends on a log row, per thread, beside the row's wall time.

  python3 bench/log_row_cpu.py [--runs 5] [--tool chunks|lines] [--actors LABEL=PATH/actors ...] [--no-supervisord]

Each run starts a supervisor with one writer (bench/tools/chunks.c or lines.c, as bench/peers.py's log rows run it,
at once with the supervisor), takes each supervisor thread's CPU time (schedstat) when the writer's stamp file
appears and again when the log holds every byte, and prints the difference with the wall time from the stamp and the
time from the stamp to the log's first byte (the log's size polled every 0.2 ms).
Builds are interleaved with supervisord. CPU time is what the supervisor's reading and writing cost, and unlike the
wall time it does not swing with what else the machine does; the wall time runs from the writer's stamp, as the peers
row's does, and reads what that row reads on the same day (bench/README.md, stop 32).
"""
import argparse, os, statistics, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lean  # noqa: E402
import peers  # noqa: E402
common = peers.common


def thread_cpu_ms(pid):
    """CPU time of each thread of pid, in ms, by 'name:tid' (lean.py's schedstat reading)."""
    return {f"{comm}:{tid}": ns / 1e6 for tid, (comm, ns, _) in lean.threads(pid).items()}


def one_run(name, tool, count, expected):
    sup = peers.ADAPTERS[name](tempfile.mkdtemp(prefix=f"rowcpu-{name}-"))
    stamp = os.path.join(sup.folder, "stamp")
    try:
        sup.start({"w": ["/bin/sh", "-c", f"{os.path.join(common.TOOLS, tool)} {count} {stamp}; exec sleep 100000"]})
        pid = sup.root()
        common.wait_for(lambda: os.path.exists(stamp), 120, step=0.0003)
        before = thread_cpu_ms(pid)
        log = sup.log_of("w")
        # Polled every 0.2 ms: the first byte (where the supervisors differ, bench/README.md stop 30), then the last.
        common.wait_for(lambda: os.path.exists(log) and os.path.getsize(log) > 0, 600, step=0.0002)
        first = time.monotonic_ns()
        common.wait_for(lambda: os.path.getsize(log) >= len(expected), 600, step=0.0002)
        done = time.monotonic_ns()
        after = thread_cpu_ms(pid)
        # The stamp file exists before the writer wrote its number into it.
        common.wait_for(lambda: open(stamp).read().endswith("\n"), 10, step=0.001)
        started = int(open(stamp).read())
        wall, first_byte = (done - started) / 1e6, (first - started) / 1e6
        with open(log, "rb") as f:
            if f.read() != expected:
                print(f"  {name}: the log is not byte for byte what was written", file=sys.stderr)
        spent = {k: v - before.get(k, 0) for k, v in after.items()}
        return wall, first_byte, sum(spent.values()), sorted(spent.items(), key=lambda kv: -kv[1])[:3]
    finally:
        peers.shut_down(sup)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tool", choices=["chunks", "lines"], default="chunks")
    ap.add_argument("--actors", action="append", default=[], metavar="LABEL=PATH")
    ap.add_argument("--no-supervisord", action="store_true")
    args = ap.parse_args()
    names = []
    for spec in args.actors:
        label, path = spec.split("=", 1)
        peers.ADAPTERS[label] = type("Actors_" + label, (peers.Actors,), {"name": label, "binary": os.path.abspath(path)})
        names.append(label)
    if not args.no_supervisord:
        names.append("supervisord")
    count = 1_000_000
    expected = peers.expected_text(args.tool, count)
    results = {n: [] for n in names}
    for r in range(args.runs):
        for n in names:
            wall, first_byte, cpu, top = one_run(n, args.tool, count, expected)
            results[n].append((wall, first_byte, cpu))
            print(f"{n:12} run {r}: wall {wall:7.1f} ms (first byte {first_byte:5.2f}), CPU {cpu:6.1f} ms ("
                  + ", ".join(f"{k} {v:.1f}" for k, v in top) + ")", flush=True)
    for n in names:
        wall, first_byte, cpu = (statistics.median(run[i] for run in results[n]) for i in range(3))
        print(f"{n:12} median of {args.runs}: wall {wall:.1f} ms, first byte {first_byte:.2f} ms, CPU {cpu:.1f} ms")


if __name__ == "__main__":
    main()
