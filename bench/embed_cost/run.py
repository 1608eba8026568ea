#!/usr/bin/env python3
"""Embedding cost: a generic host with Akka.Hosting, without supervision and with WithProcessSupervision over 0 and
100 sleepers. Start-up (exec until every process runs) and PSS of the host once ready; median of 5 runs, Release.
Usage: python3 bench/embed_cost/run.py [--runs N]"""
import argparse, os, signal, statistics, subprocess, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")


def pss_mib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("Pss:")) / 1024


def once(mode):
    with tempfile.TemporaryDirectory(prefix="embed-cost-") as state:
        start = time.monotonic()
        proc = subprocess.Popen([os.path.join(OUT, "EmbedCost"), mode, state], stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            took = time.monotonic() - start
            assert line.strip() == "ready", f"unexpected output {line!r}"
            pss = pss_mib(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
        return took, pss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    subprocess.run(["dotnet", "publish", HERE, "-c", "Release", "--use-current-runtime", "--self-contained", "false", "-o", OUT, "--nologo"],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"{'host':<28} {'start-up ms':>12} {'PSS MiB':>9}   (median of {runs})")
    for mode, label in (("none", "Akka.Hosting only"), ("0", "+ supervision, 0 processes"), ("100", "+ supervision, 100 processes")):
        results = [once(mode) for _ in range(runs)]
        print(f"{label:<28} {statistics.median(r[0] for r in results) * 1000:>12.0f} {statistics.median(r[1] for r in results):>9.1f}")


if __name__ == "__main__":
    main()
