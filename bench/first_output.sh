#!/bin/bash
# Issue 14 item 3: how long a node's output pump takes over a child's first output (bench/README.md, stop 41).
#
#   bash bench/first_output.sh PATH/actors [RUNS]
#
# Each run starts a node with one child, the 64 KiB log row's writer (bench/out/tools/chunks, built by peers.py),
# at once with the node as bench/peers.py's log row does, under `perf record` of a few system-call tracepoints.
# From the writer's first write() it prints: until the pump's epoll_wait returned, from there to the pump's first read,
# from that read to the first log write; then how long the writer's writes took and until the last log write.
# perf slows every run a little: compare builds run by this script, interleaved, not with peers.py.
# Needs perf (Debian: linux-perf) and root or kernel.perf_event_paranoid <= 1.
set -euo pipefail
BIN=$(readlink -f "$1"); RUNS=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHUNKS=$ROOT/bench/out/tools/chunks
[ -x "$CHUNKS" ] || { mkdir -p "$ROOT/bench/out/tools"; gcc -O2 -o "$CHUNKS" "$ROOT/bench/tools/chunks.c"; }
for run in $(seq "$RUNS"); do
  D=$(mktemp -d /tmp/first-output-XXXXXX)
  cat > "$D/node.conf" <<EOC
actors {
 node { log-dir = "logs", state-dir = "state" }
 processes {
  w { command = "/bin/sh", args = ["-c", "$CHUNKS 1000000 $D/stamp; exec sleep 100000"] }
 }
}
EOC
  (cd "$D" && exec perf record -q -e syscalls:sys_exit_epoll_wait -e syscalls:sys_enter_read -e syscalls:sys_enter_pwrite64 \
     -e syscalls:sys_enter_write -o perf.data -- "$BIN" run node.conf > node.out 2>&1) &
  PERF=$!
  for _ in $(seq 3000); do [ -s "$D/logs/w.log" ] && [ "$(stat -c %s "$D/logs/w.log")" -ge 6888896 ] && break; sleep 0.02; done
  pkill -TERM -f "$BIN run node.conf" -P "$PERF" 2>/dev/null || pkill -TERM -f "^$BIN run node.conf" || true
  wait "$PERF" 2>/dev/null || true
  perf script -i "$D/perf.data" -F comm,time,event,trace 2>/dev/null | python3 -c '
import re, sys
ev = []
for line in sys.stdin:
    m = re.match(r"\s*(.+?)\s+([\d.]+):\s+(\S+):\s*(.*)", line)
    if m: ev.append((float(m[2]), m[1], m[3].rstrip(":"), m[4]))
writes = [t for t, comm, e, tr in ev if comm == "chunks" and e == "syscalls:sys_enter_write" and "fd: 0x00000001" in tr]
pump = [(t, e) for t, comm, e, tr in ev if comm.startswith("actors-output")]
wake = next(t for t, e in pump if e == "syscalls:sys_exit_epoll_wait" and t >= writes[0])
read = next(t for t, e in pump if e == "syscalls:sys_enter_read" and t >= wake)
logged = [t for t, e in pump if e in ("syscalls:sys_enter_pwrite64", "syscalls:sys_enter_write") and t >= wake]
ms = lambda a, b: (b - a) * 1e3
print("to wake-up %.3f ms, wake-up to read %.3f, read to first log write %.3f | writes %.2f, until the last log write %.2f"
      % (ms(writes[0], wake), ms(wake, read), ms(read, logged[0]), ms(writes[0], writes[-1]), ms(writes[0], logged[-1])))'
  rm -rf "$D"
done
