#!/bin/bash
# Issue 14 item 4: where a node's shutdown with 100 processes goes (bench/README.md, stop 42).
#
#   bash bench/shutdown_trace.sh PATH/actors [RUNS] [COUNT]
#
# Each run starts a node with COUNT (100) sleepers, waits until they run and the node is quiet, then SIGTERMs it under
# `perf record -a` of two tracepoints (a signal sent, a process's end). From the SIGTERM it prints: the node's
# first signal to a sleeper, its last, the last sleeper's end, and the node's own end. peers.py's
# "shutdown with 100" row is from the SIGTERM until the node and every sleeper are gone.
# Needs perf (Debian: linux-perf) and root or kernel.perf_event_paranoid <= 1.
set -euo pipefail
BIN=$(readlink -f "$1"); RUNS=${2:-5}; COUNT=${3:-100}
for run in $(seq "$RUNS"); do
  D=$(mktemp -d /tmp/shutdown-trace-XXXXXX)
  { echo 'actors {'; echo ' node { log-dir = "logs", state-dir = "state" }'; echo ' processes {'
    for i in $(seq "$COUNT"); do echo "  s$i { command = \"/bin/sleep\", args = [\"100000\"] }"; done
    echo ' }'; echo '}'; } > "$D/node.conf"
  (cd "$D" && exec "$BIN" run node.conf > node.out 2>&1) &
  NODE=$!
  for _ in $(seq 3000); do [ "$(pgrep -c -P "$NODE" -x sleep || true)" -ge "$COUNT" ] && break; sleep 0.02; done
  sleep 3
  perf record -q -a -e signal:signal_generate -e sched:sched_process_exit -o "$D/perf.data" 2> /dev/null &
  PERF=$!
  sleep 2
  kill -TERM "$NODE"
  wait "$NODE" || true
  kill -INT "$PERF"; wait "$PERF" 2>/dev/null || true
  perf script -i "$D/perf.data" -F comm,pid,tid,time,event,trace 2>/dev/null | NODE=$NODE python3 -c '
import os, re, sys
node = int(os.environ["NODE"])
ev = []
for line in sys.stdin:
    m = re.match(r"\s*(.+?)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)", line)
    if m: ev.append((float(m[4]), m[1], int(m[2]), int(m[3]), m[5].rstrip(":"), m[6]))
term = next(t for t, comm, pid, tid, e, tr in ev if e == "signal:signal_generate" and "sig=15" in tr and f"pid={node} " in tr)
kills = [t for t, comm, pid, tid, e, tr in ev if e == "signal:signal_generate" and pid == node and "comm=sleep " in tr and t >= term]
sleeps = [t for t, comm, pid, tid, e, tr in ev if e == "sched:sched_process_exit" and comm == "sleep" and t >= term]
gone = max(t for t, comm, pid, tid, e, tr in ev if e == "sched:sched_process_exit" and pid == node)
ms = lambda t: (t - term) * 1e3
print("first kill %.1f ms, last kill %.1f, last sleeper gone %.1f (%d), node gone %.1f"
      % (ms(kills[0]), ms(kills[-1]), ms(max(sleeps)), len(sleeps), ms(gone)))'
  rm -rf "$D"
done
