#!/usr/bin/env python3
"""`actors simulate` cost: wall time and peak memory of the published binary simulating 24 virtual hours of
(1) one process crash-looping with backoff 1s..60s and reset-after 60s, (2) 100 processes with mixed behaviours
and probes. Each figure is the median of --runs runs; a 1 ms simulation of the same config is the floor (process
start, config, ActorSystem); "sim CPU" is the run's CPU time (user + system) minus the floor's.
Usage: python3 bench/simulate/run.py [--runs N] [--no-build]"""
import argparse, os, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "bench", "out")
ACTORS = os.environ.get("ACTORS_BIN", os.path.join(OUT, "actors"))

CRASH_LOOP = """actors.processes.worker {
  command = "/srv/worker"
  backoff { min = 1s, max = 60s, random-factor = 0.2, reset-after = 60s }
  # Out of reach, so the loop goes on all day (at most 15 starts fall in any 10 minutes).
  start-limit { burst = 100, interval = 10m }
}
"""


def mixed():
    """100 processes, 25 of each kind; every kind has probes or a crash loop that keeps timers busy all day."""
    lines, behave = ["actors.processes {"], []
    for i in range(25):
        lines.append(f'  crash{i} {{ command = "/srv/c", start-limit {{ burst = 100, interval = 10m }} }}')
        behave += ["--behave", f"crash{i}=crash"]
        lines.append(f'  flaky{i} {{ command = "/srv/f", start-limit {{ burst = 100, interval = 10m }} }}')
        behave += ["--behave", f"flaky{i}=exit 1,2,75 at random about every 5m"]
        lines.append(f'  hung{i} {{ command = "/srv/h", start-limit {{ burst = 100, interval = 10m }}, '
                     'probes.liveness { type = http, url = "http://127.0.0.1:8080/", period = 10s, failure-threshold = 3 } }')
        behave += ["--behave", f"hung{i}=ready after 5s, then hang after 20m"]
        lines.append(f'  web{i} {{ command = "/srv/w", depends-on {{ hung{i} = started }}, '
                     'probes.readiness { type = tcp, port = 80, period = 5s }, '
                     'probes.liveness { type = heartbeat-file, path = "beat", max-age = 30s, period = 10s } }')
        behave += ["--behave", f"web{i}=ready after 30s, then stop heartbeating after 2h"]
    lines.append("}")
    return "\n".join(lines) + "\n", behave


def measure(config, extra, runs):
    """Medians over `runs` runs: wall s of 24h, wall s of 1ms (the floor), peak RSS MiB and CPU s (user + system) of
    24h and of 1ms; and every 24h wall. CPU time is what to read on a busy machine: it does not count the waits."""
    walls, floors, rss, cpu, cpu_floor = [], [], [], [], []
    for _ in range(runs):
        for length, into in (("24h", walls), ("1ms", floors)):
            start = time.monotonic()
            proc = subprocess.Popen([ACTORS, "simulate", config, "--for", length, "--json", *extra],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            into.append(time.monotonic() - start)
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"actors simulate exited {status}: {proc.stderr.read().decode()[:500]}")
            (cpu if length == "24h" else cpu_floor).append(usage.ru_utime + usage.ru_stime)
            if length == "24h":
                rss.append(usage.ru_maxrss / 1024)
    m = statistics.median
    return m(walls), m(floors), m(rss), m(cpu), m(cpu_floor), walls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "src/Actors.Node"), "-c", "Release", "--use-current-runtime", "-o", OUT, "--nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as folder:
        crash = os.path.join(folder, "crash.conf")
        with open(crash, "w") as f:
            f.write(CRASH_LOOP)
        text, behave = mixed()
        many = os.path.join(folder, "mixed.conf")
        with open(many, "w") as f:
            f.write(text)
        out = subprocess.run([ACTORS, "simulate", crash, "--for", "24h", "--behave", "worker=crash", "--json"], capture_output=True, check=True).stdout
        starts = out.count(b'"state": "starting"')
        out = subprocess.run([ACTORS, "simulate", many, "--for", "24h", "--json", *behave], capture_output=True, check=True).stdout
        transitions = out.count(b'"at-s"')
        print(f"{'24 virtual hours of':<34} {'wall s':>7} {'floor':>6} {'CPU s':>6} {'floor':>6} {'sim CPU s':>9} {'peak RSS MiB':>13}   (median of {args.runs}; all walls)")
        for label, config, extra in ((f"1 crash loop ({starts} starts)", crash, ["--behave", "worker=crash"]),
                                     (f"100 mixed ({transitions} transitions)", many, behave)):
            wall, floor, rss, cpu, cpu_floor, walls = measure(config, extra, args.runs)
            print(f"{label:<34} {wall:>7.2f} {floor:>6.2f} {cpu:>6.2f} {cpu_floor:>6.2f} {cpu - cpu_floor:>9.2f} {rss:>13.1f}   {', '.join(f'{w:.2f}' for w in walls)}")


if __name__ == "__main__":
    main()
