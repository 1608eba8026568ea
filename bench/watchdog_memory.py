#!/usr/bin/env python3
"""Memory of the node's watchdog process (PSS and RSS, anonymous and file-backed, from /proc/PID/smaps_rollup)
with 0 and 500 sleeping processes under the node: median of 5 runs each. See bench/README.md.

  python3 bench/watchdog_memory.py                     # bench/out/actors (python3 bench/run.py --build publishes it)
  ACTORS_BIN=/tmp/old/actors python3 bench/watchdog_memory.py   # another build, e.g. before a change
"""
import argparse, os, signal, statistics, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ACTORS, Node, children, sleepers, wait_for  # noqa: E402

FIELDS = ("Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem", "Anonymous")  # Pss_Shmem: .NET maps its code heap through memfd


def watchdog_of(node_pid):
    """The node's watchdog: its child whose command line names it (the native program or an older build's verb)."""
    found = []
    for tid in os.listdir(f"/proc/{node_pid}/task"):
        with open(f"/proc/{node_pid}/task/{tid}/children") as f:
            found += f.read().split()
    for child in found:
        try:
            cmdline = open(f"/proc/{child}/cmdline", "rb").read()
        except OSError:
            continue
        if b"actors-watchdog" in cmdline or b"__watchdog" in cmdline:
            return int(child)
    return None


def rollup(pid):
    """Fields of /proc/PID/smaps_rollup in KiB."""
    values = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            values[parts[0][:-1]] = int(parts[1])
    return values


def one_run(count, settle):
    with tempfile.TemporaryDirectory(prefix="actors-wdmem-") as folder:
        node = Node(sleepers(count), folder).start()
        try:
            wait_for(lambda: watchdog_of(node.proc.pid) is not None, 60, 0.05)
            wait_for(lambda: len(children(node.proc.pid)) >= count, 120, 0.05)
            time.sleep(settle)  # the node's start-up writes (every child's line) are behind it
            watchdog = watchdog_of(node.proc.pid)
            return rollup(watchdog)
        finally:
            # Stopping 500 children takes a while on a loaded machine: wait for it, never leave them behind.
            if node.proc.poll() is None:
                node.proc.send_signal(signal.SIGTERM)
                node.proc.wait(600)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--counts", default="0,500")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the last child runs")
    args = parser.parse_args()
    print(f"watchdog memory of {ACTORS}, median of {args.runs} runs (MiB)")
    print(f"{'processes':>9}  " + "  ".join(f"{f:>9}" for f in FIELDS))
    for count in (int(c) for c in args.counts.split(",")):
        runs = [one_run(count, args.settle) for _ in range(args.runs)]
        medians = [statistics.median(r.get(f, 0) for r in runs) / 1024 for f in FIELDS]
        print(f"{count:>9}  " + "  ".join(f"{m:>9.2f}" for m in medians), flush=True)


if __name__ == "__main__":
    main()
