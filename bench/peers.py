#!/usr/bin/env python3
"""Actors side by side with its peers (issue 14's check): supervisord, PM2, runit and s6 supervising the same
workloads, in one run, interleaved so that a busy moment falls on all of them alike. See bench/README.md, "peers".

  python3 bench/peers.py [--actors PATH/actors] [--only idle|logs|restart|start-stop] [--runs 5] [--log-runs 41] [--settle 40]
                         [--window 60] [--peers actors,supervisord,pm2,runit,s6] [--also LABEL=PATH/actors ...]

Rows:
  idle N        CPU of the supervisor's own processes (% of one core, from schedstat) and their wake-ups per second
                over the window, after all N sleepers run and the settle time passed; then the PSS of those processes
                (MiB, smaps_rollup, summed). N = 0 and 500.
  lines / chunks  a writer prints 1M lines, one write() per line (bench/tools/lines.c) or in 64 KiB writes
                (bench/tools/chunks.c); ms from the writer's own start stamp until the supervisor's log file holds
                every byte, then the file is compared with what was written (lost, duplicated or reordered lines fail).
                Medians of --log-runs (41), not --runs: on this 2-vCPU VM the writer's own CPU time for the same 1M
                write() calls changes from run to run whoever reads the pipe (into /dev/null, pinned: 1.38-1.43 s on one
                vCPU, 1.58-1.62 s on the other; under one and the same node, 1.39-2.26 s), so a median of 5 is decided
                by where and when the writers happened to run. Each run starts the supervisors in a rotated order.
  restart       each supervisor set to restart at once and never give up (Actors: backoff 0, start limit out of
                reach; supervisord: startsecs=0; PM2: restart_delay 0, min_uptime 0; runit and s6 have no such setting
                and wait until a run is 1 s old): after exit(1), the gaps between consecutive stamps of
                bench/tools/stamp.c (30 after 5 warm-up runs); after SIGKILL, from the harness's kill until the next
                run's stamp (20 kills of runs older than 1 s, after 2 warm-up kills; the harness looks for the stamp
                every 10 ms, idle in between, so that it does not compete for the 2 vCPUs). p50 and p95 per run,
                medians of --runs, each run in a rotated order.
  start-stop    from launching the supervisor until 500 sleepers run; with 100 running, its users' way of stopping
                them all until none is left; with 100 running, its users' way of ending it until it and they are gone.

The supervisor's own processes: actors run + its helpers (the watchdog); supervisord; the PM2 daemon; runsvdir + one
runsv per service; s6-svscan + one s6-supervise per service (runit's and s6's designs spread the work over a process
per service: their sums are what they cost). Log processes (svlogd, s6-log) count for the log rows.

Peers are installed by `bench/peers-install.sh` (Debian: supervisor, runit, s6; npm: pm2).
"""
import argparse, math, os, shlex, shutil, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import run as common  # noqa: E402  (publish, tools, wait_for)

SLEEP = "/bin/sleep"


# ---------------------------------------------------------------------------------------------------------------
# Process sets: the supervisor's own processes are found from its root pid, by walking /proc.

def proc_table():
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            exe = os.readlink(f"/proc/{entry}/exe")
        except (OSError, ValueError):
            continue
        table[int(entry)] = (ppid, comm, exe)
    return table


def descendants(root, table=None):
    table = table or proc_table()
    kids = {}
    for pid, (ppid, _, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += kids.get(pid, [])
    return [p for p in out if p in table], table


def own_processes(root, workload_exes):
    """The root and its descendants that are not the workload (sleepers, writers) and not short-lived shells."""
    pids, table = descendants(root)
    return [p for p in pids if not any(table[p][2].endswith(w) for w in workload_exes)]


def workload_pids(root, exe_suffix):
    """The root's descendants running the program whose path ends with exe_suffix."""
    pids, table = descendants(root)
    return (p for p in pids if table[p][2].endswith(exe_suffix))


def count_running(root, exe_suffix):
    return sum(1 for _ in workload_pids(root, exe_suffix))


def schedstat_ns(pids):
    """CPU ns and times scheduled, summed over every thread of pids."""
    ns = slices = 0
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                a, _, c = open(f"/proc/{pid}/task/{tid}/schedstat").read().split()
                ns += int(a)
                slices += int(c)
            except (OSError, ValueError):
                pass
    return ns, slices


def pss_kib(pids):
    total = anon = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                elif line.startswith("Pss_Anon:"):
                    anon += int(line.split()[1])
        except OSError:
            pass
    return total, anon


# ---------------------------------------------------------------------------------------------------------------
# One adapter per supervisor: start it with services (name -> argv) whose output goes to a log file; where that
# file is; stop it and everything it started.

class Supervisor:
    name = "?"
    workload_exes = ("/sleep", "/lines", "/chunks", "/stamp")

    def __init__(self, folder, quick_restart=False, controlled=False):
        self.folder = folder
        self.proc = None
        self.controlled = controlled
        # The restart rows: each supervisor set to restart as soon as it can and never give up (runit and s6 have
        # no such setting: each waits until a run is 1 s old before it starts the next).
        self.quick_restart = quick_restart

    def own(self):
        return own_processes(self.root(), self.workload_exes)

    def root(self):
        return self.proc.pid

    def log_of(self, service):
        raise NotImplementedError

    def ready_for_control(self):
        """Whether stop_all can be used yet (supervisord's control socket comes after its children)."""
        return True

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Actors(Supervisor):
    name = "actors"
    binary = None

    def start(self, services):
        conf = os.path.join(self.folder, "node.conf")
        quick = (", backoff { min = 0s, max = 0s, random-factor = 0 }, start-limit { burst = 100000, interval = 1m }"
                 if self.quick_restart else "")
        body = "\n".join('  %s { command = "%s", args = [%s]%s }' % (n, argv[0], ", ".join('"%s"' % a for a in argv[1:]), quick)
                         for n, argv in services.items())
        with open(conf, "w") as f:
            f.write('actors {\n node { log-dir = "logs", state-dir = "state" }\n processes {\n%s\n }\n}\n' % body)
        self.proc = subprocess.Popen([self.binary, "run", conf], cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def log_of(self, service):
        return os.path.join(self.folder, "logs", service + ".log")

    def stop_all(self):
        subprocess.run([self.binary, "stop", "--all", "--config", os.path.join(self.folder, "node.conf")], cwd=self.folder,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


class Supervisord(Supervisor):
    name = "supervisord"

    def start(self, services):
        conf = os.path.join(self.folder, "supervisord.conf")
        logs = os.path.join(self.folder, "logs")
        os.makedirs(logs, exist_ok=True)
        with open(conf, "w") as f:
            f.write("[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\nchildlogdir=%s\n"
                    % (self.folder, self.folder, logs))
            if self.controlled:  # supervisorctl's socket, only for the rows that use it (it costs supervisord memory)
                f.write("\n[unix_http_server]\nfile=%s/supervisor.sock\n\n[supervisorctl]\nserverurl=unix://%s/supervisor.sock\n"
                        "\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
                        % (self.folder, self.folder))
            for n, argv in services.items():
                f.write("\n[program:%s]\ncommand=%s\nautorestart=true\nredirect_stderr=true\nstdout_logfile=%s/%s.log\n"
                        "stdout_logfile_maxbytes=0\n" % (n, shlex.join(argv), logs, n))
                if self.quick_restart:
                    f.write("startsecs=0\nstartretries=100000\n")
        self.proc = subprocess.Popen(["supervisord", "-n", "-c", conf], cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def log_of(self, service):
        return os.path.join(self.folder, "logs", service + ".log")

    def stop_all(self):
        conf = os.path.join(self.folder, "supervisord.conf")
        # supervisorctl answers before supervisord listens; the row waits for the socket before it starts the clock.
        subprocess.run(["supervisorctl", "-c", conf, "stop", "all"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    def ready_for_control(self):
        return os.path.exists(os.path.join(self.folder, "supervisor.sock"))


class Pm2(Supervisor):
    name = "pm2"

    def env(self):
        return dict(os.environ, PM2_HOME=os.path.join(self.folder, "pm2"))

    def start(self, services):
        import json
        logs = os.path.join(self.folder, "logs")
        os.makedirs(logs, exist_ok=True)
        apps = [{"name": n, "script": argv[0], "args": argv[1:], "interpreter": "none", "autorestart": True,
                 "out_file": os.path.join(logs, n + ".log"), "error_file": os.path.join(logs, n + ".log"), "merge_logs": True,
                 **({"restart_delay": 0, "min_uptime": 0, "max_restarts": 100000} if self.quick_restart else {})}
                for n, argv in services.items()]
        eco = os.path.join(self.folder, "apps.json")
        with open(eco, "w") as f:
            json.dump({"apps": apps}, f)
        # The daemon first (also with no app), then the apps.
        subprocess.run(["pm2", "ping"], env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if apps:
            subprocess.run(["pm2", "start", eco], env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    def root(self):
        return int(open(os.path.join(self.folder, "pm2", "pm2.pid")).read())

    def log_of(self, service):
        return os.path.join(self.folder, "logs", service + ".log")

    def stop(self):
        subprocess.run(["pm2", "kill"], env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop_all(self):
        subprocess.run(["pm2", "stop", "all"], env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


class ServiceDirs(Supervisor):
    """runit and s6: a scan folder with one folder per service, each with an executable run (and log/run)."""
    log_command = None  # the logger's argv, writing into ./main/current

    def start(self, services, logged=False):
        scan = os.path.join(self.folder, "scan")
        os.makedirs(scan, exist_ok=True)
        for n, argv in services.items():
            d = os.path.join(scan, n)
            os.makedirs(d)
            self.script(os.path.join(d, "run"), "exec " + shlex.join(argv) + " 2>&1")
            if logged:
                os.makedirs(os.path.join(d, "log", "main"))
                self.script(os.path.join(d, "log", "run"), "exec " + " ".join(self.log_command))
        self.proc = subprocess.Popen(self.scanner(scan), cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @staticmethod
    def script(path, line):
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + line + "\n")
        os.chmod(path, 0o755)

    def log_of(self, service):
        return os.path.join(self.folder, "scan", service, "log", "main", "current")

    def service_dirs(self):
        scan = os.path.join(self.folder, "scan")
        return [os.path.join(scan, n) for n in sorted(os.listdir(scan)) if not n.startswith(".")]  # s6's .s6-svscan


class Runit(ServiceDirs):
    name = "runit"
    log_command = ["svlogd", "./main"]  # no size rotation: see config below

    def scanner(self, scan):
        if self.log_command:
            for n in os.listdir(scan):
                main = os.path.join(scan, n, "log", "main")
                if os.path.isdir(main):
                    with open(os.path.join(main, "config"), "w") as f:
                        f.write("s0\n")  # never rotate: the whole output stays in current
        return ["runsvdir", "-P", scan]

    def stop_all(self):
        subprocess.run(["sv", "down"] + self.service_dirs(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    def stop(self):
        # SIGHUP: runsvdir sends each runsv TERM (which stops its service and its logger) and exits.
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGHUP)
            self.proc.wait(120)


class S6(ServiceDirs):
    name = "s6"
    log_command = ["s6-log", "s16777215", "./main"]

    def scanner(self, scan):
        return ["s6-svscan", scan]

    def stop_all(self):
        # s6-svc takes one service folder; s6's users loop (or use s6-rc, which is not set up here).
        for d in self.service_dirs():
            subprocess.run(["s6-svc", "-d", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            subprocess.run(["s6-svscanctl", "-t", os.path.join(self.folder, "scan")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


ADAPTERS = {"actors": Actors, "supervisord": Supervisord, "pm2": Pm2, "runit": Runit, "s6": S6}


def shut_down(sup):
    """Stops the supervisor the way its users do, then makes sure nothing it started is left: what still runs 30 s
    later is SIGKILLed and named (a bench must not leave 500 sleepers behind)."""
    try:
        started = [p for p in descendants(sup.root())[0]]
    except (OSError, ValueError):
        started = []
    sup.stop()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in started):
        time.sleep(0.1)
    left = [p for p in started if os.path.exists(f"/proc/{p}")]
    for p in left:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    if left:
        print(f"  {sup.name}: {len(left)} process(es) still there 30 s after its stop; killed", file=sys.stderr)
    shutil.rmtree(sup.folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------------------

def bench_idle(names, count, settle, window):
    """All supervisors at once with `count` sleepers each; CPU and wake-ups over the same window; then PSS."""
    sups = {}
    try:
        for n in names:
            sup = ADAPTERS[n](tempfile.mkdtemp(prefix=f"peers-{n}-"))
            sup.start({"s%d" % i: [SLEEP, "100000"] for i in range(count)})
            sups[n] = sup
        for n, sup in sups.items():
            common.wait_for(lambda: count_running(sup.root(), "/sleep") >= count, 600, step=0.2)
        time.sleep(settle)
        own = {n: sup.own() for n, sup in sups.items()}
        before = {n: schedstat_ns(p) for n, p in own.items()}
        time.sleep(window)
        after = {n: schedstat_ns(p) for n, p in own.items()}
        out = {}
        for n in sups:
            ns, slices = after[n][0] - before[n][0], after[n][1] - before[n][1]
            pss, anon = pss_kib(own[n])
            out[n] = {"cpu %": 100 * ns / 1e9 / window, "wakeups/s": slices / window, "pss MiB": pss / 1024,
                      "anon MiB": anon / 1024, "processes": len(own[n])}
        return out
    finally:
        for sup in sups.values():
            shut_down(sup)


def expected_text(tool, count):
    if tool == "lines":
        return "".join("line %d\n" % i for i in range(1, count + 1)).encode()
    return "".join("%d\n" % i for i in range(1, count + 1)).encode()


def bench_log(name, tool, count, expected):
    started, done, ok = log_row_run(name, tool, count, expected)
    return (done - started) / 1e9, ok


def log_row_run(name, tool, count, expected):
    """One run of a log row: (the writer's stamp, the moment the log held every byte, both CLOCK_MONOTONIC ns; whether
    the log is byte for byte what was written)."""
    sup = ADAPTERS[name](tempfile.mkdtemp(prefix=f"peers-{name}-"))
    stamp = os.path.join(sup.folder, "stamp")
    try:
        # Then it sleeps: every peer restarts a service that exits (runit at once), which would log it all again.
        argv = ["/bin/sh", "-c", f"{os.path.join(common.TOOLS, tool)} {count} {stamp}; exec sleep 100000"]
        if isinstance(sup, ServiceDirs):
            sup.start({"w": argv}, logged=True)
        else:
            sup.start({"w": argv})
        log = sup.log_of("w")
        common.wait_for(lambda: os.path.exists(log) and os.path.getsize(log) >= len(expected), 600, step=0.002)
        done = time.monotonic_ns()
        started = int(open(stamp).read())
        with open(log, "rb") as f:
            got = f.read()
        if got != expected:
            at = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
            print(f"  {name}: the log differs from what was written at byte {at} of {len(expected)} ({len(got)} logged): "
                  f"{got[max(0, at - 20):at + 20]!r}", file=sys.stderr)
        return started, done, got == expected
    finally:
        shut_down(sup)


def stamps_in(path):
    try:
        with open(path) as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return []


def percentiles(gaps):
    gaps = sorted(gaps)
    return {"p50": statistics.median(gaps), "p95": gaps[int(len(gaps) * 0.95) - 1]}  # as bench/run.py reads them


def restart_exit_run(name, warm=5, gaps=30):
    """A service that stamps CLOCK_MONOTONIC and exits 1, restarted as soon as its supervisor can: the gaps between
    consecutive stamps (exit -> re-exec), after `warm` runs, in ms."""
    sup = ADAPTERS[name](tempfile.mkdtemp(prefix=f"peers-{name}-"), quick_restart=True)
    stamps = os.path.join(sup.folder, "stamps")
    try:
        sup.start({"r": [os.path.join(common.TOOLS, "stamp"), stamps, "1"]})
        common.wait_for(lambda: len(stamps_in(stamps)) >= warm + gaps + 1, 600, step=0.01)
        t = stamps_in(stamps)[warm:warm + gaps + 1]
    finally:
        shut_down(sup)
    return percentiles([(b - a) / 1e6 for a, b in zip(t, t[1:])])


def restart_kill_run(name, warm=2, kills=20):
    """A service that stamps and then waits, sent SIGKILL by the harness: ms from the kill until the next run's
    stamp (kill -> reap -> re-exec), after `warm` kills."""
    sup = ADAPTERS[name](tempfile.mkdtemp(prefix=f"peers-{name}-"), quick_restart=True)
    stamps = os.path.join(sup.folder, "stamps")
    gaps = []
    try:
        sup.start({"k": [os.path.join(common.TOOLS, "stamp"), stamps, "wait"]})
        for i in range(warm + kills):
            common.wait_for(lambda: len(stamps_in(stamps)) >= i + 1, 60, step=0.002)
            pid = wait_value(lambda: next(workload_pids(sup.root(), "/stamp"), None), 60)
            # runit and s6 hold a restart until the run is 1 s old: every run here is older than that when killed.
            time.sleep(1.1)
            killed = time.monotonic_ns()
            os.kill(pid, signal.SIGKILL)
            # The stamp holds the time; a coarse look leaves both vCPUs to the supervisor and the new run.
            common.wait_for(lambda: len(stamps_in(stamps)) >= i + 2, 60, step=0.01)
            if i >= warm:
                gaps.append((stamps_in(stamps)[i + 1] - killed) / 1e6)
    finally:
        shut_down(sup)
    return percentiles(gaps)


def wait_value(get, timeout):
    """The first value other than None that get() returns, polled every 2 ms for up to `timeout` s."""
    found = []
    common.wait_for(lambda: found.append(get()) or found[-1] is not None, timeout, step=0.002)
    return found[-1]


def proc_exe(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def start_stop_run(name):
    """From launching the supervisor until 500 sleepers run; with 100 running, from its users' way of stopping all
    (actors stop --all, supervisorctl stop all, pm2 stop all, sv down, s6-svc -d per service) until the command
    returned and none is left; with 100 running, from its users' way of ending the supervisor (SIGTERM; pm2 kill;
    runsvdir SIGHUP; s6-svscanctl -t) until it exited and none is left. Seconds."""
    out = {}
    sup = ADAPTERS[name](tempfile.mkdtemp(prefix=f"peers-{name}-"))
    try:
        t0 = time.monotonic()
        sup.start({"s%d" % i: [SLEEP, "100000"] for i in range(500)})
        common.wait_for(lambda: count_running(sup.root(), "/sleep") >= 500, 600, step=0.005)
        out["500 running"] = time.monotonic() - t0
    finally:
        shut_down(sup)
    for row in ("stop all 100", "shutdown with 100"):
        sup = ADAPTERS[name](tempfile.mkdtemp(prefix=f"peers-{name}-"), controlled=True)
        try:
            sup.start({"s%d" % i: [SLEEP, "100000"] for i in range(100)})
            common.wait_for(lambda: count_running(sup.root(), "/sleep") >= 100 and sup.ready_for_control(), 600, step=0.01)
            sleepers = list(workload_pids(sup.root(), "/sleep"))
            t0 = time.monotonic()
            sup.stop_all() if row == "stop all 100" else sup.stop()
            common.wait_for(lambda: not any(os.path.exists(f"/proc/{p}") and proc_exe(p) for p in sleepers), 120, step=0.001)
            out[row] = time.monotonic() - t0
        finally:
            shut_down(sup)
    return out


def print_restart_row(what, runs, names):
    print(f"\n{what}: ms, median of {len(runs)} runs of each run's p50 / p95")
    med = {n: {k: statistics.median(r[n][k] for r in runs) for k in ("p50", "p95")} for n in names}
    for n in names:
        print(f"{n:12} p50 {med[n]['p50']:8.2f}  p95 {med[n]['p95']:8.2f}   "
              f"runs p50 {' '.join('%.2f' % r[n]['p50'] for r in runs)}")
    peers = [n for n in names if not issubclass(ADAPTERS[n], Actors)]
    for a in (n for n in names if issubclass(ADAPTERS[n], Actors) and peers):
        print("  " + "; ".join(f"{a} / {peer}: p50 {med[a]['p50'] / med[peer]['p50']:.2f}x, p95 {med[a]['p95'] / med[peer]['p95']:.2f}x"
                               for peer in peers))


def sign_test_p(slower, faster):
    """One-sided sign test: the chance of at least `slower` of `slower + faster` rounds (ties dropped) going one way
    if either way were as likely."""
    n = slower + faster
    return sum(math.comb(n, k) for k in range(slower, n + 1)) / 2 ** n if n else 1.0


def print_paired(times, names):
    """Each Actors build against every peer, round by round (both ran in the same rotation): the ratio of medians,
    in how many rounds Actors was slower, faster or even (to 0.1 ms), the median of the per-round ratios, and the
    one-sided sign test's p for "Actors is slower". How item 3 is read from these: bench/README.md, stop 34."""
    ours = [n for n in names if issubclass(ADAPTERS[n], Actors)]
    for a in ours:
        for peer in (n for n in names if n not in ours):
            pairs = list(zip(times[a], times[peer]))
            slower = sum(1 for x, y in pairs if round(x, 4) > round(y, 4))
            faster = sum(1 for x, y in pairs if round(x, 4) < round(y, 4))
            ratio = statistics.median(times[a]) / statistics.median(times[peer])
            print(f"  {a} / {peer}: ratio of medians {ratio:.3f}; slower in {slower}, faster in {faster}, "
                  f"even in {len(pairs) - slower - faster} of {len(pairs)} rounds; median per-round ratio "
                  f"{statistics.median(x / y for x, y in pairs):.3f}; sign test p(slower) {sign_test_p(slower, faster):.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--actors", default=common.ACTORS)
    ap.add_argument("--only", choices=["idle", "logs", "restart", "start-stop"])
    ap.add_argument("--runs", type=int, default=5, help="runs of the idle rows")
    ap.add_argument("--log-runs", type=int, default=41, help="runs of the log rows (cheap, and noisier: see above)")
    ap.add_argument("--settle", type=float, default=40)
    ap.add_argument("--window", type=float, default=60)
    ap.add_argument("--counts", default="0,500")
    ap.add_argument("--peers", default=",".join(ADAPTERS))
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=PATH",
                    help="another actors build measured beside the others, interleaved (e.g. the previous one); repeatable")
    args = ap.parse_args()
    Actors.binary = args.actors
    names = args.peers.split(",")
    for spec in args.also:
        label, path = spec.split("=", 1)
        ADAPTERS[label] = type("Actors_" + label, (Actors,), {"name": label, "binary": path})
        names.append(label)
    os.makedirs(common.TOOLS, exist_ok=True)
    for tool in ("lines", "chunks", "stamp"):
        if not os.path.exists(os.path.join(common.TOOLS, tool)):
            common.sh("gcc", "-O2", "-o", os.path.join(common.TOOLS, tool), os.path.join(ROOT, "bench", "tools", tool + ".c"))

    if args.only in (None, "idle"):
        for count in [int(c) for c in args.counts.split(",")]:
            runs = [bench_idle(names, count, args.settle, args.window) for _ in range(args.runs)]
            print(f"\nidle with {count} sleepers: median of {args.runs} (settle {args.settle:.0f} s, window {args.window:.0f} s)")
            print(f"{'':12} {'cpu % core':>11} {'wakeups/s':>10} {'PSS MiB':>8} {'anon MiB':>9} {'procs':>6}")
            for n in names:
                med = {k: statistics.median(r[n][k] for r in runs) for k in runs[0][n]}
                print(f"{n:12} {med['cpu %']:11.3f} {med['wakeups/s']:10.1f} {med['pss MiB']:8.1f} {med['anon MiB']:9.1f} {med['processes']:6.0f}")
    if args.only in (None, "restart"):
        for what, row in (("restart after exit(1)", restart_exit_run), ("restart after SIGKILL", restart_kill_run)):
            runs = []
            for r in range(args.runs):
                runs.append({n: row(n) for n in names[r % len(names):] + names[:r % len(names)]})
            print_restart_row(what, runs, names)
    if args.only in (None, "start-stop"):
        runs = []
        for r in range(args.runs):
            runs.append({n: start_stop_run(n) for n in names[r % len(names):] + names[:r % len(names)]})
        print(f"\nstart and stop: s, median of {args.runs} runs")
        rows = list(runs[0][names[0]])
        print(f"{'':12} " + " ".join(f"{k:>18}" for k in rows))
        for n in names:
            print(f"{n:12} " + " ".join(f"{statistics.median(r[n][k] for r in runs):18.3f}" for k in rows))
    if args.only in (None, "logs"):
        count = 1_000_000
        for tool, what in (("lines", "1M lines, one write() per line"), ("chunks", "1M lines in 64 KiB writes")):
            expected = expected_text(tool, count)
            times = {n: [] for n in names}
            for r in range(args.log_runs):
                for n in names[r % len(names):] + names[:r % len(names)]:  # interleaved, each run in a rotated order
                    seconds, _ = bench_log(n, tool, count, expected)  # a difference is reported there
                    times[n].append(seconds)
            print(f"\n{what}: ms until all logged, median of {args.log_runs} (and quartiles)")
            for n in names:
                q1, med, q3 = statistics.quantiles(times[n], n=4) if len(times[n]) > 1 else times[n] * 3
                print(f"{n:12} {med * 1e3:8.1f}  ({q1 * 1e3:.1f}-{q3 * 1e3:.1f})   "
                      f"runs {' '.join('%.1f' % (t * 1e3) for t in times[n])}")
            print_paired(times, names)


if __name__ == "__main__":
    main()
