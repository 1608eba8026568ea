using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

// The scheduler designs compared in-process (see bench/README.md): Akka's HashedWheelTimerScheduler ("wheel"),
// Actors' DeadlineScheduler ("deadline"), and one System.Threading.Timer per item ("pertimer", defined below).
// Usage: dotnet run -c Release --project bench/scheduler -- <wheel|deadline|pertimer> <lateness|idle|many>
// One measurement per process, so that process CPU time belongs to that scheduler alone.
if (args.Length != 2) { Console.Error.WriteLine("usage: <wheel|deadline|pertimer> <lateness|idle|many>"); return 2; }
var kind = args[0];
var impl = kind switch
{
    "wheel" => "Akka.Actor.HashedWheelTimerScheduler, Akka",
    "deadline" => "Actors.Scheduling.DeadlineScheduler, Actors.Core",
    _ => typeof(TimerPerItemScheduler).AssemblyQualifiedName,
};
var sys = ActorSystem.Create("b", ConfigurationFactory.ParseString($"akka.scheduler.implementation = \"{impl}\"\nakka.loglevel=WARNING"));
var s = sys.Scheduler;
var proc = Process.GetCurrentProcess();
TimeSpan Cpu() { proc.Refresh(); return proc.TotalProcessorTime; }
switch (args[1])
{
    case "lateness":
    {
        // one-shot 10 ms timers, one after another: how late each fires
        var late = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var tcs = new TaskCompletionSource<double>();
            var sw = Stopwatch.StartNew();
            s.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(10), () => tcs.SetResult(sw.Elapsed.TotalMilliseconds - 10));
            late.Add(await tcs.Task);
        }
        late.Sort();
        // a 10 ms periodic timer: mean interval over 2 s (drift)
        var n = 0; var sw2 = Stopwatch.StartNew(); var c = new Cancelable(s);
        s.Advanced.ScheduleRepeatedly(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), () => Interlocked.Increment(ref n), c);
        await Task.Delay(2000); c.Cancel();
        Console.WriteLine($"{kind}: one-shot 10ms lateness p50 {late[100]:F2} ms p95 {late[190]:F2} ms max {late[^1]:F2}; periodic 10ms: {n} beats in {sw2.Elapsed.TotalSeconds:F2}s");
        break;
    }
    case "idle":
    {
        var c = new Cancelable(s);
        s.Advanced.ScheduleRepeatedly(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), () => { }, c);
        await Task.Delay(2000);
        var c0 = Cpu(); await Task.Delay(10000); var c1 = Cpu();
        Console.WriteLine($"{kind}: idle with a 1 s periodic timer: {(c1 - c0).TotalMilliseconds / 100:F2} % CPU");
        break;
    }
    case "many":
    {
        // 500 periodic 10 ms timers (500 process groups polled while stopping) over 1000 pending far-off one-shots
        var n = 0;
        for (var i = 0; i < 1000; i++) s.Advanced.ScheduleOnce(TimeSpan.FromSeconds(100), () => { });
        for (var i = 0; i < 500; i++) s.Advanced.ScheduleRepeatedly(TimeSpan.FromMilliseconds(i % 10), TimeSpan.FromMilliseconds(10), () => Interlocked.Increment(ref n));
        await Task.Delay(1000);
        var n0 = n; var c0 = Cpu(); var sw = Stopwatch.StartNew(); await Task.Delay(5000); var c1 = Cpu();
        Console.WriteLine($"{kind}: 500 x 10 ms periodic: {(n - n0) / sw.Elapsed.TotalSeconds:F0} firings/s (ideal 50000), {(c1 - c0).TotalMilliseconds / sw.Elapsed.TotalMilliseconds * 100:F1} % CPU");
        break;
    }
}
await sys.Terminate();
return 0;

/// <summary>The alternative design: one System.Threading.Timer per scheduled item, fixed rate, disposed on cancel.</summary>
public sealed class TimerPerItemScheduler(Config c, ILoggingAdapter l) : SchedulerBase(c, l), IDateTimeOffsetNowTimeProvider
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    protected override DateTimeOffset TimeNow => DateTimeOffset.UtcNow;
    public override TimeSpan MonotonicClock => Clock.Elapsed;
    public override TimeSpan HighResMonotonicClock => Clock.Elapsed;
    private void Add(TimeSpan delay, TimeSpan interval, IRunnable run, ICancelable? cancelable)
    {
        var due = Clock.Elapsed + delay;
        Timer? timer = null;
        timer = new Timer(_ =>
        {
            if (cancelable?.IsCancellationRequested == true) return;
            run.Run();
            if (interval > TimeSpan.Zero)
            {
                due += interval;
                var wait = due - Clock.Elapsed;
                timer!.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
            }
        }, null, Timeout.Infinite, Timeout.Infinite);
        cancelable?.Token.Register(() => timer.Dispose());
        timer.Change(delay, Timeout.InfiniteTimeSpan);
    }
    protected override void InternalScheduleTellOnce(TimeSpan d, ICanTell r, object m, IActorRef s, ICancelable c) => Add(d, TimeSpan.Zero, new ActionRunnable(() => r.Tell(m, s)), c);
    protected override void InternalScheduleTellRepeatedly(TimeSpan d, TimeSpan i, ICanTell r, object m, IActorRef s, ICancelable c) => Add(d, i, new ActionRunnable(() => r.Tell(m, s)), c);
    protected override void InternalScheduleOnce(TimeSpan d, Action a, ICancelable c) => Add(d, TimeSpan.Zero, new ActionRunnable(a), c);
    protected override void InternalScheduleOnce(TimeSpan d, IRunnable a, ICancelable c) => Add(d, TimeSpan.Zero, a, c);
    protected override void InternalScheduleRepeatedly(TimeSpan d, TimeSpan i, Action a, ICancelable c) => Add(d, i, new ActionRunnable(a), c);
    protected override void InternalScheduleRepeatedly(TimeSpan d, TimeSpan i, IRunnable a, ICancelable c) => Add(d, i, a, c);
}
