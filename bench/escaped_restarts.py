#!/usr/bin/env python3
"""1,000 restarts of a process that leaves two orphans each time: one escaped (`setsid sleep`), one in its
group (`sleep &`), then exits 1; backoff 0. Reports the time they took, and after `actors stop`: processes of
the node still running (found by its ACTORS_NODE marker) and zombie children of the node (adopted orphans
nobody reaped). Both must be 0. Runs the published binary (bench/out/actors, or ACTORS_BIN; `python3
bench/run.py` publishes it before its benches). Usage: python3 bench/escaped_restarts.py [RESTARTS]"""
import json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACTORS = os.environ.get("ACTORS_BIN", os.path.join(ROOT, "bench", "out", "actors"))
RESTARTS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000

CONFIG = """actors.processes.orphaner {
  command = "/bin/sh", args = ["-c", "setsid sleep 1000 & sleep 1000 & exit 1"]
  backoff { min = 0s, max = 0s, random-factor = 0 }
  start-limit { burst = 1000000, interval = 10m }
}
"""


def stat(pid):
    try:
        text = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])  # state, ppid, start time


def marked(entry):
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            env = open(f"/proc/{name}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if entry.encode() in env and (stat(name) or ("Z",))[0] != "Z":
            found.append(int(name))
    return found


def zombies_of(parent):
    return sum(1 for name in os.listdir("/proc") if name.isdigit() and (s := stat(name)) and s[0] == "Z" and s[1] == parent)


def main():
    work = tempfile.mkdtemp(prefix="actors-bench-escaped-")
    conf = os.path.join(work, "node.conf")
    open(conf, "w").write(CONFIG)
    node = subprocess.Popen([ACTORS, "run", conf], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = os.path.join(work, ".actors", "control.sock")
    cli = lambda *args: subprocess.run([ACTORS, args[0], "--socket", sock, *args[1:]], capture_output=True, text=True)
    try:
        while not os.path.exists(sock):
            time.sleep(0.05)
        marker = f"ACTORS_NODE={node.pid}.{stat(node.pid)[2]}"
        start, restarts = time.monotonic(), 0
        while restarts < RESTARTS:
            out = cli("status", "orphaner", "--json")
            if out.returncode == 0:
                restarts = json.loads(out.stdout)["processes"][0]["restarts"]
            time.sleep(0.2)
        took = time.monotonic() - start
        cli("stop", "orphaner")
        left = marked(marker)
        time.sleep(2.5)  # longer than one sweep of the node's reaper (2 s): zombies seen after it are leaks
        zombies = zombies_of(node.pid)
        print(f"{restarts} restarts in {took:.1f}s ({restarts / took:.1f}/s); after stop: {len(left)} processes of the node left, {zombies} zombie children")
    finally:
        node.terminate()
        node.wait(60)
        for pid in marked(marker) if 'marker' in locals() else []:
            os.kill(pid, 9)


if __name__ == "__main__":
    main()
