#!/usr/bin/env python3
"""Issue 14 (lean): idle CPU and wake-ups, PSS with its breakdown, the two log-throughput rows and CLI start-up,
for one or more published builds side by side (interleaved in one run, so a busy machine loads them alike).
See bench/README.md, section "lean".

  python3 bench/lean.py [--bin LABEL=PATH/actors ...] [--env LABEL=NAME=VALUE ...] [--only idle|pss|logs|startup]
                        [--runs 5] [--counts 0,500] [--pss-settle 30]

Without --bin it publishes this worktree (as bench/run.py does) and measures that. Idle and PSS are CPU time and
pages, valid on a loaded machine; the log rows and start-up are wall-clock times, comparable only between builds
measured in the same run.
"""
import argparse, collections, os, re, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import run as common  # noqa: E402  (publish, tools, children(), wait_for())

TOOLS = common.TOOLS
# Per build label: environment variables its node runs with (--env LABEL=NAME=VALUE), e.g. DOTNET_ReadyToRun=0 to
# measure a runtime setting that has no runtimeconfig.json knob.
ENV = collections.defaultdict(dict)


def start_node(actors, folder, count, command="/bin/sleep", args='["100000"]', extra="", label=None):
    conf = os.path.join(folder, "node.conf")
    procs = "\n".join('  s%d { command = "%s", args = %s %s }' % (i, command, args, extra) for i in range(count))
    with open(conf, "w") as f:
        f.write('actors {\n node { log-dir = "logs", state-dir = "state" }\n processes {\n%s\n }\n}\n' % procs)
    return subprocess.Popen([actors, "run", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
                            env=dict(os.environ, **ENV[label]))


def stop_node(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def helpers(pid):
    """The node's own helper processes (the watchdog, ...): its children that are not supervised sleepers."""
    found = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            found += open(f"/proc/{pid}/task/{tid}/children").read().split()
        except OSError:
            pass
    out = []
    for child in found:
        try:
            exe = os.readlink(f"/proc/{child}/exe")
        except OSError:
            continue
        if not exe.endswith("/sleep"):
            out.append(int(child))
    return out


def threads(pid):
    """Per thread: name, CPU ns and times scheduled (schedstat), as bench/tools/thread_cpu.py reads them."""
    d = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            comm = open(f"/proc/{pid}/task/{t}/comm").read().strip()
            ns, _, slices = open(f"/proc/{pid}/task/{t}/schedstat").read().split()
            d[t] = (comm, int(ns), int(slices))
        except (OSError, ValueError):
            pass
    return d


def cpu_between(a, b, seconds):
    by_name, wakes, total, total_wakes = collections.Counter(), collections.Counter(), 0, 0
    for t, (comm, ns, slices) in b.items():
        _, ns0, slices0 = a.get(t, (comm, 0, 0))
        # Thread-pool workers come and go; a name with a digit suffix is folded into its family.
        name = re.sub(r"[ #]?\d+$", "", comm)
        by_name[name] += ns - ns0
        wakes[name] += slices - slices0
        total += ns - ns0
        total_wakes += slices - slices0
    pct = 100 * total / 1e9 / seconds
    detail = {n: (100 * v / 1e9 / seconds, wakes[n] / seconds) for n, v in by_name.items() if v or wakes[n]}
    return pct, total_wakes / seconds, detail


def smaps(pid):
    """From smaps_rollup: the totals in KiB (Rss, Pss, Pss_Anon, Pss_File, Pss_Shmem, Private_Clean, ...). From smaps:
    per mapping name (a file's base name, [heap], [anon], memfd:doublemapper for the runtime's double-mapped code),
    a Counter of Pss, Rss and Private (Private_Clean + Private_Dirty) in KiB. A framework-dependent node shares its
    runtime's files with every other .NET process, so its Pss is lower on a busy machine; Rss and Private are not."""
    roll = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            roll[parts[0][:-1]] = int(parts[1])
    per_file, name = collections.defaultdict(collections.Counter), None
    for line in open(f"/proc/{pid}/smaps"):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            fields = line.split(None, 5)
            name = fields[5].strip() if len(fields) > 5 else "[anon]"
            name = os.path.basename(name) if name.startswith("/") else name
        elif line.startswith(("Pss:", "Rss:", "Private_Clean:", "Private_Dirty:", "Anonymous:")):
            key, value = line.split()[:2]
            key = "Private" if key.startswith("Private") else key[:-1]
            per_file[name][key] += int(value)
    return roll, per_file


def breakdown(per_file, top):
    """The `top` mappings by Pss: 'name Pss/Rss/Private(/Anonymous when some of a file's pages were written)'."""
    rows = sorted(per_file.items(), key=lambda kv: -kv[1]["Pss"])[:top]
    return ", ".join("%s %d/%d/%d%s" % (n, c["Pss"], c["Rss"], c["Private"], "/a%d" % c["Anonymous"] if c["Anonymous"] and n not in ("[anon]", "[heap]") else "")
                     for n, c in rows)


def mib(kib):
    return kib / 1024


def bench_idle(bins, counts, settle, window):
    """Every (build, count) node at once: start, all running, settle, then CPU and wake-ups over the window, then PSS."""
    nodes = {}
    folders = []
    try:
        for label, actors in bins:
            for count in counts:
                folder = tempfile.mkdtemp(prefix="actors-lean-")
                folders.append(folder)
                nodes[(label, count)] = start_node(actors, folder, count, label=label)
        for (label, count), proc in nodes.items():
            common.wait_for(lambda: len(common.children(proc.pid)) >= count, 180, step=0.05)
        time.sleep(settle)
        before = {key: threads(proc.pid) for key, proc in nodes.items()}
        helper_before = {key: {h: threads(h) for h in helpers(proc.pid)} for key, proc in nodes.items()}
        t0 = time.monotonic()
        time.sleep(window)
        elapsed = time.monotonic() - t0
        results = {}
        for key, proc in nodes.items():
            pct, wakes, detail = cpu_between(before[key], threads(proc.pid), elapsed)
            roll, per_file = smaps(proc.pid)
            helper_pss, helper_rss, helper_pct = 0, 0, 0.0
            for h, snap in helper_before[key].items():
                try:
                    helper_pct += cpu_between(snap, threads(h), elapsed)[0]
                    helper_roll = smaps(h)[0]
                    helper_pss += helper_roll["Pss"]
                    helper_rss += helper_roll["Rss"]
                except OSError:
                    pass
            results[key] = {"node CPU %": pct, "node wake-ups/s": wakes, "helpers CPU %": helper_pct,
                            "node PSS MiB": mib(roll["Pss"]), "node PSS anon MiB": mib(roll.get("Pss_Anon", 0)),
                            "node PSS file MiB": mib(roll.get("Pss_File", 0)), "node PSS shmem MiB": mib(roll.get("Pss_Shmem", 0)),
                            "node RSS MiB": mib(roll["Rss"]),
                            "node Private MiB": mib(roll.get("Private_Clean", 0) + roll.get("Private_Dirty", 0)),
                            "helpers PSS MiB": mib(helper_pss), "helpers RSS MiB": mib(helper_rss),
                            "total PSS MiB": mib(roll["Pss"] + helper_pss),
                            "_threads": detail, "_files": per_file}
        return results
    finally:
        # All at once: one after another, 500-process nodes on a loaded machine take minutes.
        for proc in nodes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in nodes.values():
            stop_node(proc)
        for folder in folders:
            subprocess.run(["rm", "-rf", folder])


def expected_lines(tool, count):
    if tool == "lines":
        return "".join("line %d\n" % i for i in range(1, count + 1))
    return "".join("%d\n" % i for i in range(1, count + 1))


def process_cpu_s(pid):
    """User + system CPU of a process, exited threads included (clock ticks)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pump_cpu_s(pid):
    """CPU time of the node's output pump thread (schedstat, nanoseconds), in seconds."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            if open(f"/proc/{pid}/task/{tid}/comm").read().strip().startswith("actors-output"):
                return int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[0]) / 1e9
        except OSError:
            pass
    return 0.0


def bench_log(actors, tool, count, expected):
    """One process writes `count` lines (tool lines: one write() each; chunks: 64 KiB writes), 3 s after it started
    (the node has settled by then): time from its first write until the log holds every byte; the CPU time this cost
    the node and the writer (valid under load, unlike the time); whether the log is exactly what it wrote."""
    with tempfile.TemporaryDirectory(prefix="actors-lean-") as folder:
        started = os.path.join(folder, "started")
        log = os.path.join(folder, "logs", "w.log")
        conf = os.path.join(folder, "node.conf")
        with open(conf, "w") as f:
            f.write('actors {\n node { log-dir = "logs", state-dir = "state" }\n processes {\n'
                    '  w { command = "%s/%s", args = ["%d", "%s", "3"], restart = never }\n }\n}\n' % (TOOLS, tool, count, started))
        proc = subprocess.Popen([actors, "run", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
        try:
            common.wait_for(lambda: len(common.children(proc.pid)) >= 1, 60, step=0.01)
            # From the first write: the node's start-up work in the writer's 3 s pause is not the log's cost.
            common.wait_for(lambda: os.path.exists(started), 60, step=0.0005)
            cpu0, pump0 = process_cpu_s(proc.pid), pump_cpu_s(proc.pid)
            common.wait_for(lambda: os.path.exists(log) and os.path.getsize(log) >= len(expected), 120, step=0.0005)
            done = time.monotonic_ns()
            node_cpu, pump_cpu = process_cpu_s(proc.pid) - cpu0, pump_cpu_s(proc.pid) - pump0
            t0 = int(open(started).read())
            common.wait_for(lambda: os.path.exists(started + ".cpu"), 30, step=0.01)
            time.sleep(0.2)  # nothing more may arrive
            writer_cpu = int(open(started + ".cpu").read()) / 1e6
            content = open(log).read()
        finally:
            stop_node(proc)
        return (done - t0) / 1e9, node_cpu, pump_cpu, writer_cpu, 0 if content == expected else 1


def bench_startup(actors, runs=7):
    """Wall time of `actors version`, and of `actors status` with 500 processes, finding the node by --socket and by
    --config (which reads the configuration file), the process start included."""
    def timed(cmd):
        t0 = time.monotonic()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return (time.monotonic() - t0) * 1000
    version = statistics.median(timed([actors, "version"]) for _ in range(runs))
    with tempfile.TemporaryDirectory(prefix="actors-lean-") as folder:
        proc = start_node(actors, folder, 500)
        try:
            common.wait_for(lambda: len(common.children(proc.pid)) >= 500, 180, step=0.05)
            sock = os.path.join(folder, "state", "control.sock")
            status = statistics.median(timed([actors, "status", "--socket", sock]) for _ in range(runs))
            conf = os.path.join(folder, "node.conf")
            by_config = statistics.median(timed([actors, "status", "--config", conf]) for _ in range(runs))
        finally:
            stop_node(proc)
    return version, status, by_config


def report(name, rows):
    """rows: label -> list of dicts; prints the median of each figure per label."""
    print(name)
    keys = [k for k in next(iter(rows.values()))[0] if not k.startswith("_")]
    for key in keys:
        cells = []
        for label, runs in rows.items():
            values = [r[key] for r in runs]
            cells.append("%s %.4g [%s]" % (label, statistics.median(values), " ".join("%.4g" % v for v in values)))
        print("  %-22s %s" % (key, "   ".join(cells)))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append", default=[], help="LABEL=PATH to an actors binary (repeatable)")
    parser.add_argument("--env", action="append", default=[], help="LABEL=NAME=VALUE: an environment variable for that build's nodes")
    # 30 s: the node's idle trim runs on the first quiet 10 s beat after start-up and ends ~4 s later (the JIT's slab
    # passes); at 20 s, about one run in three was read before it ended, with `[heap]` still at 9.6 MiB.
    parser.add_argument("--pss-settle", type=float, default=30, help="seconds after all run before PSS is read (pss)")
    parser.add_argument("--only", choices=["idle", "pss", "logs", "startup"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--counts", default="0,500")
    parser.add_argument("--settle", type=float, default=40)
    parser.add_argument("--window", type=float, default=60)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    if not args.bin:
        common.build()
        bins = [("this", common.ACTORS)]
    else:
        bins = [tuple(b.split("=", 1)) for b in args.bin]
    for e in args.env:
        label, name, value = e.split("=", 2)
        ENV[label][name] = value
    os.makedirs(TOOLS, exist_ok=True)
    for tool in ("lines", "chunks"):
        subprocess.run(["gcc", "-O2", "-o", os.path.join(TOOLS, tool), os.path.join(ROOT, "bench", "tools", tool + ".c")], check=True)
    counts = [int(c) for c in args.counts.split(",")]

    if args.only in (None, "idle"):
        rows = collections.defaultdict(list)
        for _ in range(args.runs):
            for key, result in bench_idle(bins, counts, args.settle, args.window).items():
                rows[key].append(result)
        for count in counts:
            report("idle, %d processes (%gs after %gs settle)" % (count, args.window, args.settle),
                   {label: rows[(label, count)] for label, _ in bins})
            for label, _ in bins:
                runs = rows[(label, count)]
                mid = sorted(runs, key=lambda r: r["node CPU %"])[len(runs) // 2]
                print("  %s, median run, per thread: %s" % (label, ", ".join(
                    "%s %.4f%% %.1f/s" % (n, p, w) for n, (p, w) in sorted(mid["_threads"].items(), key=lambda x: -x[1][0])[:8])))
                print("  %s, median run, per mapping, KiB Pss/Rss/Private: %s" % (label, breakdown(mid["_files"], 14)))
    if args.only in (None, "pss"):
        # One node at a time: nodes of one build running together share its files' pages, which divides their PSS.
        rows = collections.defaultdict(list)
        for _ in range(args.runs):
            for label, actors in bins:
                for count in counts:
                    rows[(label, count)].append(bench_idle([(label, actors)], [count], args.pss_settle, 1)[(label, count)])
        for count in counts:
            report("PSS, %d processes, one node at a time (%g s after all run)" % (count, args.pss_settle), {label: rows[(label, count)] for label, _ in bins})
            for label, _ in bins:
                runs = rows[(label, count)]
                mid = sorted(runs, key=lambda r: r["node PSS MiB"])[len(runs) // 2]
                print("  %s, median run, per mapping, KiB Pss/Rss/Private (/aN: pages written, now anonymous): %s"
                      % (label, breakdown(mid["_files"], 40)))
    if args.only in (None, "logs"):
        rows = collections.defaultdict(list)
        texts = {tool: expected_lines(tool, args.lines) for tool in ("lines", "chunks")}
        for _ in range(args.runs):
            for label, actors in bins:  # interleaved: each run measures every build once
                one, node1, pump1, writer1, bad1 = bench_log(actors, "lines", args.lines, texts["lines"])
                chunks, node2, pump2, writer2, bad2 = bench_log(actors, "chunks", args.lines, texts["chunks"])
                rows[label].append({"per line: s": one, "per line: node CPU s": node1, "per line: pump CPU s": pump1,
                                    "per line: writer CPU s": writer1,
                                    "64 KiB: s": chunks, "64 KiB: node CPU s": node2, "64 KiB: pump CPU s": pump2,
                                    "64 KiB: writer CPU s": writer2, "logs not identical": bad1 + bad2})
        report("log throughput (wall clock: compare builds only within this run)", rows)
    if args.only in (None, "startup"):
        rows = collections.defaultdict(list)
        for _ in range(args.runs):
            for label, actors in bins:
                version, status, by_config = bench_startup(actors)
                rows[label].append({"actors version ms": version, "actors status (500) ms": status,
                                    "status --config (500) ms": by_config})
        report("start-up (wall clock, median of 7 per run)", rows)


if __name__ == "__main__":
    main()
