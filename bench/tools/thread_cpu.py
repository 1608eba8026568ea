"""CPU and wake-ups of one process over a window, per thread name, from /proc/PID/task/*/schedstat (run time in
nanoseconds and the number of times each thread was scheduled), so an idle process's few milliseconds are measured,
not rounded to 10 ms clock ticks. Usage: python3 bench/tools/thread_cpu.py PID SECONDS"""
import os, sys, time, collections
pid=int(sys.argv[1]); secs=float(sys.argv[2])
def snap():
    d={}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            comm=open(f"/proc/{pid}/task/{t}/comm").read().strip()
            ns,_,slices=open(f"/proc/{pid}/task/{t}/schedstat").read().split()
            d[t]=(comm,int(ns),int(slices))
        except Exception: pass
    return d
a=snap(); t0=time.time(); time.sleep(secs); b=snap(); el=time.time()-t0
agg=collections.Counter(); wk=collections.Counter(); total=0
for t,(c,v,s) in b.items():
    p=a.get(t,(c,0,0)); agg[c]+=v-p[1]; wk[c]+=s-p[2]; total+=v-p[1]
print(f"total {100*total/1e9/el:.4f}% of a core over {el:.0f}s, {sum(wk.values())/el:.1f} wakeups/s")
for c,v in agg.most_common(12):
    if v: print(f"  {c:24s} {100*v/1e9/el:.4f}%  {wk[c]/el:6.1f}/s")
