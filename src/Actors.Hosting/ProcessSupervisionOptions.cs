namespace Actors.Hosting;

/// <summary>
/// The typed side of <c>WithProcessSupervision</c>. The node settings and processes set here are written as HOCON
/// over the HOCON given (if any) and read by the same reader as a node.conf; what is left null keeps its documented
/// default (reference.conf). The rest are choices only an embedding host makes.
/// </summary>
public sealed class ProcessSupervisionOptions
{
    /// <summary><c>actors.node.state-dir</c>: the pid registry and saved operator intent. Default ".actors".</summary>
    public string? StateDir { get; set; }

    /// <summary><c>actors.node.log-dir</c>: where each process's NAME.log goes. Default ".actors/logs".</summary>
    public string? LogDir { get; set; }

    /// <summary>
    /// <c>actors.node.shutdown-timeout</c>: how long the host's shutdown waits for every process to stop before it
    /// kills what is left. Default 30s. The host's own <c>HostOptions.ShutdownTimeout</c> must be longer.
    /// </summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>Processes declared in code; a name may not also be declared in the HOCON.</summary>
    public IList<ProcessOptions> Processes { get; } = new List<ProcessOptions>();

    /// <summary>Declares a process in code and returns it, to set more.</summary>
    public ProcessOptions AddProcess(string name, string command, params string[] args)
    {
        var process = new ProcessOptions(name) { Command = command, Args = args };
        Processes.Add(process);
        return process;
    }

    /// <summary>
    /// Relative paths in the configuration (command, working-dir, state-dir, log-dir) resolve against this folder.
    /// Default: the current directory when the host starts.
    /// </summary>
    public string? BaseDirectory { get; set; }

    /// <summary>
    /// Keep the children from outliving a host that dies without stopping them (SIGKILL, a crash): a watchdog
    /// process kills them when the host is gone, the pid registry in the state-dir lets the next start stop what
    /// is left, and the host becomes a subreaper so descendants that leave their group are still found.
    /// Default on; turn it off only where something else (a cgroup, a container) already does this.
    /// </summary>
    public bool ChildTracking { get; set; } = true;

    /// <summary>
    /// Also write each line a process prints to the host's logger, category <c>process.NAME</c>, level Information.
    /// Its log file gets every line regardless; this copy is read from the in-memory tail and may skip lines when a
    /// process prints faster than they are logged. Default off.
    /// </summary>
    public bool LogProcessOutput { get; set; }

    /// <summary>
    /// Route Akka's own log (and so the supervisors' decisions) to the host's <c>ILoggerFactory</c>. Default on;
    /// turn off when the application configures Akka's loggers itself.
    /// </summary>
    public bool UseHostLogging { get; set; } = true;

    internal string ToHocon()
    {
        var w = new HoconWriter();
        w.Open("actors");
        if (StateDir is not null || LogDir is not null || ShutdownTimeout is not null)
        {
            w.Open("node");
            w.String("state-dir", StateDir);
            w.String("log-dir", LogDir);
            w.Duration("shutdown-timeout", ShutdownTimeout);
            w.Close();
        }
        if (Processes.Count > 0)
        {
            w.Open("processes");
            foreach (var process in Processes) process.WriteTo(w);
            w.Close();
        }
        w.Close();
        return w.ToString();
    }
}
