using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Actors.Native;

namespace Actors.Integration.Tests;

/// <summary>
/// <c>actors exec ...</c> run as the real executable: its stdout kept as raw bytes (it is the command's), its
/// stderr as text (exec's own lines and the command's). Every wait is bounded and polls.
/// </summary>
public sealed partial class ExecProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly MemoryStream _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;

    private ExecProcess(Process process, string? stdin)
    {
        _process = process;
        Started = Stopwatch.StartNew();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        _readers = Task.WhenAll(process.StandardOutput.BaseStream.CopyToAsync(new LockedStream(_stdout)), ReadStderrAsync());
    }

    /// <summary>Runs <c>actors exec</c> with <paramref name="args"/> in <paramref name="workingDir"/>.</summary>
    public static ExecProcess Start(string workingDir, string[] args, string? stdin = null)
    {
        var info = TestPaths.Actors(["exec", .. args]);
        info.WorkingDirectory = workingDir;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = stdin is not null;
        return new ExecProcess(Process.Start(info)!, stdin);
    }

    public Stopwatch Started { get; }

    public byte[] StdoutBytes
    {
        get { lock (_stdout) return _stdout.ToArray(); }
    }

    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    private async Task ReadStderrAsync()
    {
        var buffer = new char[4096];
        int n;
        while ((n = await _process.StandardError.ReadAsync(buffer)) > 0)
            lock (_stderr) _stderr.Append(buffer, 0, n);
    }

    /// <summary>Waits until <paramref name="text"/> shows on <paramref name="stream"/> ("stdout" or "stderr").</summary>
    public async Task AwaitTextAsync(string stream, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!(stream == "stdout" ? Stdout : Stderr).Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && _readers.IsCompleted || clock.Elapsed > Patience)
                throw new TimeoutException($"no '{text}' on {stream} within {clock.Elapsed}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
            await Task.Delay(20);
        }
    }

    /// <summary>The pid of the command's main process, from exec's <c>--verbose</c> line "running: pid N".</summary>
    public async Task<int> AwaitRunningPidAsync()
    {
        await AwaitTextAsync("stderr", "running: pid ");
        return int.Parse(RunningPid().Match(Stderr).Groups[1].Value);
    }

    [GeneratedRegex(@"running: pid (\d+)")]
    private static partial Regex RunningPid();

    public int Pid => _process.Id;

    public void Signal(int signal) => LibC.kill(_process.Id, signal);

    /// <summary>Waits for exec to exit and its streams to close; returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            await _readers.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"actors exec did not end within {Patience}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    /// <summary>Lets the test read the bytes while the copy is still writing them.</summary>
    private sealed class LockedStream(MemoryStream inner) : Stream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (inner) inner.Write(buffer, offset, count);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
