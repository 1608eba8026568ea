using System.Collections.Concurrent;
using System.Diagnostics;

namespace Actors.Integration.Tests;

/// <summary>The real <c>actors</c> executable in a child process, its output collected line by line.</summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private NodeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static NodeProcess Start(string workingDir, params string[] args) => Start(workingDir, null, args);

    /// <summary>Starts the node with <paramref name="environment"/> added to the test's own.</summary>
    public static NodeProcess Start(string workingDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = TestPaths.Actors(args);
        info.WorkingDirectory = workingDir;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return new NodeProcess(Process.Start(info)!);
    }

    /// <summary>
    /// Starts the node with the command line <paramref name="wrap"/> makes of the usual one, e.g. with <c>ip netns exec NS</c>
    /// in front (<see cref="Cluster.NetworkNamespaces.Inside"/>); the wrapper must exec the node in place (same pid).
    /// </summary>
    public static NodeProcess StartWrapped(string workingDir, Func<ProcessStartInfo, ProcessStartInfo> wrap, params string[] args)
    {
        var info = TestPaths.Actors(args);
        info.WorkingDirectory = workingDir;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return new NodeProcess(Process.Start(wrap(info))!);
    }

    /// <summary>The node started through /bin/sh with <paramref name="umask"/> set first, as an operator's shell may have it.</summary>
    public static NodeProcess StartWithUmask(string umask, string workingDir, params string[] args)
    {
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", $"umask {umask} && exec \"$0\" \"$@\"" }.Concat(TestPaths.NodeCommand).Concat(args)) info.ArgumentList.Add(arg);
        return new NodeProcess(Process.Start(info)!);
    }

    private void Collect(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        _lineArrived.Release();
    }

    /// <summary>
    /// Blocks until the node prints another line (it logs every state transition) or <paramref name="timeout"/>
    /// passes, whichever is first.
    /// </summary>
    public void AwaitNextLine(TimeSpan timeout) => _lineArrived.Wait(timeout);

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;
    public string Output => string.Join("\n", _lines);

    /// <summary>Waits (bounded) for an output line containing <paramref name="text"/> and returns it.</summary>
    public string AwaitLine(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(text));
            if (line is not null) return line;
            if (_process.HasExited)
            {
                // The node may have printed the line and exited within the same moment: the output readers deliver
                // what it wrote only once drained, so look once more after draining them.
                _process.WaitForExit();
                line = _lines.FirstOrDefault(l => l.Contains(text));
                if (line is not null) return line;
                break;
            }
            _process.WaitForExit(20);
        }
        throw new TimeoutException($"no line with '{text}' within {timeout}; output so far:\n{Output}");
    }

    public void Signal(int signal) => Process.Start("kill", [$"-{signal}", Pid.ToString()])!.WaitForExit();

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"the node did not exit within {timeout}; output:\n{Output}");
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
