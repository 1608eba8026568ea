using System.Diagnostics;
using Actors.Processes;
using Xunit;

namespace Actors.Hosting.Tests;

/// <summary>
/// The sample app run as a real process and SIGKILLed: nothing of it can stop its children then, so the
/// actors-watchdog that WithProcessSupervision starts beside it must.
/// </summary>
public sealed class KilledHostSpec : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actors-killed-host-").FullName;
    private Process? _host;

    [Fact]
    public void A_SIGKILLed_host_leaves_no_supervised_process_behind()
    {
        var config = Path.Combine(_dir, "supervision.conf");
        File.WriteAllText(config, """
            actors {
              node { state-dir = "state", log-dir = "logs" }
              processes {
                worker { command = "/bin/sh", args = ["-c", "echo $$ > worker.pid; exec sleep 600"] }
              }
            }
            """);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { SampleDll(), $"--Actors:Config={config}", "--urls", "http://127.0.0.1:0" }) info.ArgumentList.Add(arg);
        _host = Process.Start(info)!;
        _host.BeginOutputReadLine();
        _host.BeginErrorReadLine();

        var pidFile = Path.Combine(_dir, "worker.pid");
        Assert.True(SpinWait.SpinUntil(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0, Waits.Bound), "the worker never started");
        var worker = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var started = ProcStat.ReadStartTime(worker);
        Assert.NotNull(started);

        _host.Kill();
        Assert.True(_host.WaitForExit(Waits.Bound), "the host did not die");
        Assert.True(SpinWait.SpinUntil(() => ProcStat.ReadStartTime(worker) != started || ProcStat.IsZombie(worker), Waits.Bound),
            $"worker pid {worker} still runs after its host was SIGKILLed");
    }

    /// <summary>The sample app as the same build of the solution built it.</summary>
    private static string SampleDll()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
                return Path.Combine(dir.FullName, "samples", "HostedApp", "bin", configuration, "net10.0", "HostedApp.dll");
        throw new DirectoryNotFoundException($"no Actors.sln above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        if (_host is { HasExited: false }) _host.Kill(entireProcessTree: true);
        _host?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
